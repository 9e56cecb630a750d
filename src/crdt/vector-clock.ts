import type { Dot } from './dot.js';

/**
 * A vector clock: for each instance, the highest sequence number applied from it. Because
 * effects from one origin are applied in order (per-origin FIFO), `get(i) = n` means every
 * effect (i, 1..n) has been applied. Small (one entry per instance of the database), so a
 * Map is fine; entries with value 0 are never stored, which keeps equality structural.
 */
export class VectorClock {
  private readonly entries = new Map<number, number>();

  static from(obj: Iterable<readonly [number, number]> | Record<string, number>): VectorClock {
    const vc = new VectorClock();
    const it = Symbol.iterator in obj ? (obj as Iterable<readonly [number, number]>) : Object.entries(obj).map(([k, v]) => [Number(k), v] as const);
    for (const [k, v] of it) vc.set(k, v);
    return vc;
  }

  get(origin: number): number {
    return this.entries.get(origin) ?? 0;
  }

  set(origin: number, seq: number): void {
    if (seq <= 0) this.entries.delete(origin);
    else this.entries.set(origin, seq);
  }

  /** Raises the entry for `origin` to at least `seq`. */
  advance(origin: number, seq: number): void {
    if (seq > this.get(origin)) this.entries.set(origin, seq);
  }

  includes(d: Dot): boolean {
    return this.get(d.origin) >= d.seq;
  }

  covers(origin: number, seq: number): boolean {
    return this.get(origin) >= seq;
  }

  /** Pointwise maximum, in place. */
  merge(other: VectorClock): this {
    for (const [k, v] of other.entries) this.advance(k, v);
    return this;
  }

  /** True when every entry of `other` is <= the matching entry here. */
  dominates(other: VectorClock): boolean {
    for (const [k, v] of other.entries) if (this.get(k) < v) return false;
    return true;
  }

  equals(other: VectorClock): boolean {
    return this.dominates(other) && other.dominates(this);
  }

  /** Pointwise minimum of several clocks (used for the globally observed clock). */
  static min(clocks: readonly VectorClock[]): VectorClock {
    const out = new VectorClock();
    if (clocks.length === 0) return out;
    const keys = new Set<number>();
    for (const c of clocks) for (const k of c.entries.keys()) keys.add(k);
    for (const k of keys) {
      let m = Infinity;
      for (const c of clocks) m = Math.min(m, c.get(k));
      out.set(k, m);
    }
    return out;
  }

  static max(clocks: readonly VectorClock[]): VectorClock {
    const out = new VectorClock();
    for (const c of clocks) out.merge(c);
    return out;
  }

  clone(): VectorClock {
    const c = new VectorClock();
    for (const [k, v] of this.entries) c.entries.set(k, v);
    return c;
  }

  origins(): number[] {
    return [...this.entries.keys()].sort((a, b) => a - b);
  }

  toJSON(): Record<string, number> {
    const o: Record<string, number> = {};
    for (const k of this.origins()) o[k] = this.entries.get(k)!;
    return o;
  }

  /** `1:12,2:7` — the form INFO crdt prints. */
  toString(): string {
    return this.origins().map((k) => `${k}:${this.entries.get(k)}`).join(',');
  }

  *[Symbol.iterator](): IterableIterator<[number, number]> {
    for (const k of this.origins()) yield [k, this.entries.get(k)!];
  }
}
