/**
 * An ordered index with ranks: a counted B+ tree (order-statistic tree), the sorted-set index of
 * zset.ts (the role Redis gives its skip list).
 *
 * Elements live in leaves of at most `max` (64) entries, linked for iteration in both directions; inner
 * nodes keep, per child, its first element and the subtree size, so searching by key, by rank
 * and by a monotone predicate (score bounds, lexicographic bounds) are all O(log n), and a range
 * is O(log n + length). Chosen over a skip list for memory: an element costs about one array slot
 * (8 bytes at 70% fill) instead of a node with forward pointers and spans.
 *
 * Elements are compared by `cmp`, which must be a strict total order over the elements present
 * (no two compare equal). An element's key must not change while it is in the tree: delete it,
 * change it, insert it again.
 */

export type Compare<T> = (a: T, b: T) => number;

/** Default node capacity: big enough for shallow trees, small enough that splicing is cheap. */
const DEFAULT_MAX = 64;

class Leaf<T> {
  prev: Leaf<T> | null = null;
  next: Leaf<T> | null = null;
  constructor(public items: T[]) {}
}

class Inner<T> {
  constructor(
    public kids: Node<T>[],
    /** firsts[i] is the first element of kids[i] (always an element currently in the tree). */
    public firsts: T[],
    public size: number,
  ) {}
}

type Node<T> = Leaf<T> | Inner<T>;

function sizeOf<T>(n: Node<T>): number {
  return n instanceof Leaf ? n.items.length : n.size;
}

function entries<T>(n: Node<T>): number {
  return n instanceof Leaf ? n.items.length : n.kids.length;
}

function firstOf<T>(n: Node<T>): T {
  return n instanceof Leaf ? n.items[0]! : n.firsts[0]!;
}

/** A position in the leaf chain. */
interface Position<T> {
  leaf: Leaf<T>;
  i: number;
}

export class RankedTree<T> {
  private root: Node<T>;
  private head: Leaf<T>;
  private tail: Leaf<T>;
  /** Scratch path of the last descent: inner node and child index per level (no allocation). */
  private readonly pathNodes: Inner<T>[] = [];
  private readonly pathIdx: number[] = [];
  private depth = 0;
  /** Entries per node: at most `max`; non-root nodes at least `min` (else merge or borrow). */
  private readonly max: number;
  private readonly min: number;

  /** `sorted` must be in `cmp` order; `max` (node capacity, >= 4) is for tests. */
  constructor(
    private readonly cmp: Compare<T>,
    sorted: readonly T[] = [],
    max = DEFAULT_MAX,
  ) {
    if (!Number.isInteger(max) || max < 4) throw new RangeError('node capacity must be an integer >= 4');
    this.max = max;
    this.min = Math.max(2, max >> 2);
    const leaf = new Leaf<T>([]);
    this.root = leaf;
    this.head = leaf;
    this.tail = leaf;
    if (sorted.length > 0) this.bulkLoad(sorted);
  }

  get size(): number {
    return sizeOf(this.root);
  }

  /** Inserts `x`, which must not compare equal to an element present. */
  insert(x: T): void {
    const leaf = this.descend(x, 1);
    const depth = this.depth;
    const pos = this.leafSearch(leaf.items, x);
    leaf.items.splice(pos, 0, x);
    if (pos === 0) this.setFirst(depth, x);
    if (leaf.items.length > this.max) this.split(leaf, depth);
  }

  /** Removes `x` (this very element); false when it is not in the tree. */
  delete(x: T): boolean {
    const leaf = this.descend(x, 0);
    const depth = this.depth;
    const pos = this.leafSearch(leaf.items, x);
    if (leaf.items[pos] !== x) return false;
    for (let d = 0; d < depth; d++) this.pathNodes[d]!.size--;
    leaf.items.splice(pos, 1);
    if (pos === 0 && leaf.items.length > 0) this.setFirst(depth, leaf.items[0]!);
    this.rebalance(leaf, depth);
    return true;
  }

  /** Rank (0-based position) of `x`, or -1 when it is not in the tree. */
  rankOf(x: T): number {
    let n = this.root;
    let rank = 0;
    while (n instanceof Inner) {
      const i = this.childIndex(n, x);
      for (let k = 0; k < i; k++) rank += sizeOf(n.kids[k]!);
      n = n.kids[i]!;
    }
    const pos = this.leafSearch(n.items, x);
    return n.items[pos] === x ? rank + pos : -1;
  }

  /** The element at `rank`, or undefined when out of range. */
  at(rank: number): T | undefined {
    const p = this.positionOf(rank);
    return p === null ? undefined : p.leaf.items[p.i];
  }

  /**
   * Rank of the first element for which `pred` holds, `size` when none does. `pred` must be
   * monotone along the order: false for a prefix of the elements, true for the rest.
   */
  lowerBound(pred: (t: T) => boolean): number {
    let n = this.root;
    let rank = 0;
    while (n instanceof Inner) {
      const f = n.firsts;
      if (pred(f[0]!)) return rank;
      // Largest i whose first element fails `pred`: the answer is in kids[i] or starts kids[i+1].
      let lo = 0;
      let hi = f.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (pred(f[mid]!)) hi = mid - 1;
        else lo = mid;
      }
      for (let k = 0; k < lo; k++) rank += sizeOf(n.kids[k]!);
      n = n.kids[lo]!;
    }
    const items = n.items;
    let lo = 0;
    let hi = items.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (pred(items[mid]!)) hi = mid;
      else lo = mid + 1;
    }
    return rank + lo;
  }

  /**
   * Up to `count` elements starting at rank `from`, walking towards higher ranks, or towards
   * lower ranks when `reverse` (then `from` is the highest rank returned).
   */
  slice(from: number, count: number, reverse = false): T[] {
    const out: T[] = [];
    if (count <= 0) return out;
    const p = this.positionOf(from);
    if (p === null) return out;
    let leaf: Leaf<T> | null = p.leaf;
    let i = p.i;
    while (leaf !== null) {
      out.push(leaf.items[i]!);
      if (out.length === count) break;
      if (reverse) {
        if (--i < 0) {
          leaf = leaf.prev;
          i = leaf === null ? 0 : leaf.items.length - 1;
        }
      } else if (++i >= leaf.items.length) {
        leaf = leaf.next;
        i = 0;
      }
    }
    return out;
  }

  *[Symbol.iterator](): IterableIterator<T> {
    for (let leaf: Leaf<T> | null = this.head; leaf !== null; leaf = leaf.next) yield* leaf.items;
  }

  /** Verifies every structural invariant; throws on the first violation (tests only). */
  check(): void {
    const leaves: Leaf<T>[] = [];
    const walk = (n: Node<T>, depth: number, isRoot: boolean): { size: number; depth: number } => {
      const count = entries(n);
      if (!isRoot && (count < this.min || count > this.max)) throw new Error(`node with ${count} entries`);
      if (n instanceof Leaf) {
        leaves.push(n);
        return { size: n.items.length, depth };
      }
      if (n.kids.length < 2 || n.kids.length !== n.firsts.length) throw new Error('bad inner node');
      let size = 0;
      let leafDepth = -1;
      n.kids.forEach((k, i) => {
        if (n.firsts[i] !== firstOf(k)) throw new Error('stale first element');
        const r = walk(k, depth + 1, false);
        if (leafDepth >= 0 && r.depth !== leafDepth) throw new Error('unbalanced');
        leafDepth = r.depth;
        size += r.size;
      });
      if (size !== n.size) throw new Error(`size ${n.size}, counted ${size}`);
      return { size, depth: leafDepth };
    };
    walk(this.root, 0, true);
    if (leaves[0] !== this.head || leaves[leaves.length - 1] !== this.tail) throw new Error('bad head or tail');
    let prev: T | undefined;
    leaves.forEach((l, i) => {
      if (l.prev !== (leaves[i - 1] ?? null) || l.next !== (leaves[i + 1] ?? null)) throw new Error('bad leaf chain');
      for (const x of l.items) {
        if (prev !== undefined && this.cmp(prev, x) >= 0) throw new Error('out of order');
        prev = x;
      }
    });
  }

  // ---- internals ----------------------------------------------------------------------------

  /** Index of the child of `n` whose range holds `x`: the last whose first element is <= x. */
  private childIndex(n: Inner<T>, x: T): number {
    const f = n.firsts;
    let lo = 0;
    let hi = f.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.cmp(f[mid]!, x) <= 0) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** First index whose element is >= x. */
  private leafSearch(items: T[], x: T): number {
    let lo = 0;
    let hi = items.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cmp(items[mid]!, x) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * Walks from the root to the leaf whose range holds `x`, recording the path (and its length in
   * `depth`) and adding `delta` to the sizes on the way.
   */
  private descend(x: T, delta: number): Leaf<T> {
    let n = this.root;
    let depth = 0;
    while (n instanceof Inner) {
      const i = this.childIndex(n, x);
      this.pathNodes[depth] = n;
      this.pathIdx[depth] = i;
      n.size += delta;
      depth++;
      n = n.kids[i]!;
    }
    this.depth = depth;
    return n;
  }

  private positionOf(rank: number): Position<T> | null {
    if (!Number.isInteger(rank) || rank < 0 || rank >= this.size) return null;
    let n = this.root;
    let r = rank;
    while (n instanceof Inner) {
      let i = 0;
      for (;;) {
        const s = sizeOf(n.kids[i]!);
        if (r < s) break;
        r -= s;
        i++;
      }
      n = n.kids[i]!;
    }
    return { leaf: n, i: r };
  }

  /** The first element of the node at `depth` on the path became `x`: update the ancestors. */
  private setFirst(depth: number, x: T): void {
    for (let d = depth - 1; d >= 0; d--) {
      this.pathNodes[d]!.firsts[this.pathIdx[d]!] = x;
      if (this.pathIdx[d] !== 0) return;
    }
  }

  private split(node: Node<T>, depth: number): void {
    let n = node;
    let d = depth;
    while (entries(n) > this.max) {
      const right = this.splitOff(n);
      if (d === 0) {
        this.root = new Inner<T>([n, right], [firstOf(n), firstOf(right)], sizeOf(n) + sizeOf(right));
        return;
      }
      const parent = this.pathNodes[d - 1]!;
      const i = this.pathIdx[d - 1]!;
      parent.kids.splice(i + 1, 0, right);
      parent.firsts.splice(i + 1, 0, firstOf(right));
      n = parent;
      d--;
    }
  }

  /** Moves the upper half of `n` into a new right sibling and returns it. */
  private splitOff(n: Node<T>): Node<T> {
    const half = entries(n) >> 1;
    if (n instanceof Leaf) {
      const right = new Leaf<T>(n.items.splice(half));
      right.next = n.next;
      right.prev = n;
      if (n.next !== null) n.next.prev = right;
      else this.tail = right;
      n.next = right;
      return right;
    }
    const kids = n.kids.splice(half);
    let size = 0;
    for (const k of kids) size += sizeOf(k);
    n.size -= size;
    return new Inner<T>(kids, n.firsts.splice(half), size);
  }

  /** Restores minimum fill from the node at `depth` upwards after a removal. */
  private rebalance(node: Node<T>, depth: number): void {
    let n = node;
    let d = depth;
    for (;;) {
      if (d === 0) {
        if (n instanceof Inner && n.kids.length === 1) this.root = n.kids[0]!;
        return;
      }
      if (entries(n) >= this.min) return;
      const parent = this.pathNodes[d - 1]!;
      const i = this.pathIdx[d - 1]!;
      // Pair with the left sibling when there is one; the pair is (L, R) at (li, li + 1).
      const li = i > 0 ? i - 1 : i;
      const left = parent.kids[li]!;
      const right = parent.kids[li + 1]!;
      if (entries(left) + entries(right) <= this.max) {
        this.merge(left, right);
        parent.kids.splice(li + 1, 1);
        parent.firsts.splice(li + 1, 1);
        n = parent;
        d--;
        continue;
      }
      this.redistribute(left, right);
      parent.firsts[li + 1] = firstOf(right);
      return;
    }
  }

  /**
   * Appends `right` to `left` (its left neighbour). `left` keeps its first element: a node being
   * rebalanced has min - 1 >= 1 entries, so neither of the pair is empty.
   */
  private merge(left: Node<T>, right: Node<T>): void {
    if (left instanceof Leaf && right instanceof Leaf) {
      for (const x of right.items) left.items.push(x);
      left.next = right.next;
      if (right.next !== null) right.next.prev = left;
      else this.tail = left;
      return;
    }
    const l = left as Inner<T>;
    const r = right as Inner<T>;
    for (const k of r.kids) l.kids.push(k);
    for (const f of r.firsts) l.firsts.push(f);
    l.size += r.size;
  }

  /** Evens out two neighbours that together hold more than `max` entries. */
  private redistribute(left: Node<T>, right: Node<T>): void {
    const target = (entries(left) + entries(right)) >> 1;
    if (left instanceof Leaf && right instanceof Leaf) {
      if (left.items.length > target) right.items = left.items.splice(target).concat(right.items);
      else for (const x of right.items.splice(0, target - left.items.length)) left.items.push(x);
      return;
    }
    const l = left as Inner<T>;
    const r = right as Inner<T>;
    const toRight = l.kids.length > target;
    const moved = toRight ? l.kids.splice(target) : r.kids.splice(0, target - l.kids.length);
    if (toRight) {
      r.kids = moved.concat(r.kids);
      r.firsts = l.firsts.splice(target).concat(r.firsts);
    } else {
      for (const k of moved) l.kids.push(k);
      for (const f of r.firsts.splice(0, moved.length)) l.firsts.push(f);
    }
    let size = 0;
    for (const k of moved) size += sizeOf(k);
    l.size += toRight ? -size : size;
    r.size += toRight ? size : -size;
  }

  /** Builds the tree from sorted elements in O(n). */
  private bulkLoad(sorted: readonly T[]): void {
    let level: Node<T>[] = [];
    // Three-quarter full nodes leave room to grow before the first splits.
    const fill = (this.max * 3) >> 2;
    const leafCount = Math.ceil(sorted.length / fill);
    let prev: Leaf<T> | null = null;
    for (let k = 0; k < leafCount; k++) {
      const from = Math.floor((k * sorted.length) / leafCount);
      const to = Math.floor(((k + 1) * sorted.length) / leafCount);
      const leaf = new Leaf<T>(sorted.slice(from, to));
      leaf.prev = prev;
      if (prev !== null) prev.next = leaf;
      else this.head = leaf;
      prev = leaf;
      level.push(leaf);
    }
    this.tail = prev!;
    while (level.length > 1) {
      const next: Node<T>[] = [];
      const count = Math.ceil(level.length / fill);
      for (let k = 0; k < count; k++) {
        const kids = level.slice(Math.floor((k * level.length) / count), Math.floor(((k + 1) * level.length) / count));
        let size = 0;
        for (const c of kids) size += sizeOf(c);
        next.push(new Inner<T>(kids, kids.map(firstOf), size));
      }
      level = next;
    }
    this.root = level[0]!;
  }
}
