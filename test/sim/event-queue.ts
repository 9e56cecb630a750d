// The simulation's agenda: callbacks ordered by virtual time, ties in scheduling order, so a run
// is a pure function of its seed.

interface Item {
  readonly at: number;
  readonly seq: number;
  readonly run: () => void;
}

export class EventQueue {
  private heap: Item[] = [];
  private seq = 0;
  now = 0;

  get size(): number {
    return this.heap.length;
  }

  /** Runs `fn` at virtual time `at` (never earlier than now). */
  at(at: number, fn: () => void): void {
    this.push({ at: Math.max(at, this.now), seq: this.seq++, run: fn });
  }

  after(delay: number, fn: () => void): void {
    this.at(this.now + delay, fn);
  }

  /** Runs the next event; false when there is none or it lies beyond `limit`. */
  step(limit = Infinity): boolean {
    const top = this.heap[0];
    if (top === undefined || top.at > limit) return false;
    const item = this.pop();
    this.now = item.at;
    item.run();
    return true;
  }

  private push(it: Item): void {
    const h = this.heap;
    h.push(it);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }

  private pop(): Item {
    const h = this.heap;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && less(h[l]!, h[m]!)) m = l;
        if (r < h.length && less(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}

function less(a: Item, b: Item): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}
