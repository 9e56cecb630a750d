/**
 * The order-statistics tree under the list CRDT (sequence.ts): a B+tree over the slots of the
 * sequence — visible elements and tombstones — in list order.
 *
 * Why this shape:
 * - Every node counts its visible slots (`live`) and all slots (`size`), so visible index ↔ slot
 *   is O(log n) however many tombstones the list holds (LINDEX, LRANGE, LSET stay cheap while
 *   garbage collection waits for a slow peer).
 * - Every node keeps the smallest element id below it (`minId`). The RGA integration scan
 *   ("skip the subtrees of higher-priority siblings", sequence.ts) is "find the first slot
 *   after the anchor whose id is smaller than mine"; `firstBelow` answers it by skipping whole
 *   subtrees, so a remote insert concurrent with a long run of pushes is not linear in the run.
 * - Leaves hold slots in two parallel arrays (keys: numbers, vals: string | number), not one
 *   object per element: with a million elements that is the difference between ~20 and ~80
 *   bytes of overhead per element. Key arrays hold only numbers, so V8 stores them unboxed.
 *
 * A slot's key is `id * 4 + tag`: the tree uses only the id (`keyId`); the two low bits belong to
 * the caller (sequence.ts keeps each element's anchor kind there). A slot's value is a string
 * (a visible element) or a number (a tombstone; the number belongs to the caller).
 *
 * Finding a slot by element id needs an id → leaf map, which costs more memory than everything
 * else together. It is therefore optional (`index`): sequence.ts builds it on the first lookup
 * that the ends of the list cannot answer, and from then on the tree keeps it up to date.
 */

export type Slot = string | number;

/** Most slots a leaf holds; a full leaf splits. */
export const LEAF_MAX = 64;
/** A leaf this small is merged into its left neighbour when both fit in one. */
const LEAF_MERGE = LEAF_MAX / 4;
/** Most children of an inner node. */
const INNER_MAX = 32;
/** Fill used by bulk loading (decode, clone): room for inserts without immediate splits. */
const LEAF_FILL = 48;
const INNER_FILL = 24;

export function keyId(key: number): number {
  return Math.floor(key / 4);
}

export function keyTag(key: number): number {
  return key % 4;
}

function countLive(vals: readonly Slot[]): number {
  let n = 0;
  for (let i = 0; i < vals.length; i++) if (typeof vals[i] === 'string') n++;
  return n;
}

function minIdOf(keys: readonly number[]): number {
  let m = Infinity;
  for (let i = 0; i < keys.length; i++) {
    const id = keyId(keys[i]!);
    if (id < m) m = id;
  }
  return m;
}

export class Leaf {
  keys: number[];
  vals: Slot[];
  live: number;
  minId: number;
  parent: Inner | null = null;
  prev: Leaf | null = null;
  next: Leaf | null = null;

  constructor(keys: number[], vals: Slot[]) {
    this.keys = keys;
    this.vals = vals;
    this.live = countLive(vals);
    this.minId = minIdOf(keys);
  }

  get size(): number {
    return this.keys.length;
  }
}

export class Inner {
  kids: TreeNode[];
  live = 0;
  size = 0;
  minId = Infinity;
  parent: Inner | null = null;

  constructor(kids: TreeNode[]) {
    this.kids = kids;
    for (const k of kids) k.parent = this;
    this.recount();
  }

  recount(): void {
    let live = 0;
    let size = 0;
    let minId = Infinity;
    for (const k of this.kids) {
      live += k.live;
      size += k.size;
      if (k.minId < minId) minId = k.minId;
    }
    this.live = live;
    this.size = size;
    this.minId = minId;
  }
}

export type TreeNode = Leaf | Inner;

/** A slot position: `off` may equal `leaf.size` (the gap after the leaf's last slot). */
export interface Loc {
  readonly leaf: Leaf;
  readonly off: number;
}

export class OrderTree {
  root: TreeNode;
  head: Leaf;
  tail: Leaf;
  /** Element id → leaf holding it; null until someone needs lookups by id. */
  index: Map<number, Leaf> | null = null;

  constructor() {
    const leaf = new Leaf([], []);
    this.root = leaf;
    this.head = leaf;
    this.tail = leaf;
  }

  /** Builds a tree holding `keys`/`vals` in order (the arrays are taken over). */
  static fromSlots(keys: number[], vals: Slot[]): OrderTree {
    const t = new OrderTree();
    if (keys.length === 0) return t;
    let level: TreeNode[] = [];
    let prev: Leaf | null = null;
    for (let i = 0; i < keys.length; i += LEAF_FILL) {
      const leaf = new Leaf(keys.slice(i, i + LEAF_FILL), vals.slice(i, i + LEAF_FILL));
      leaf.prev = prev;
      if (prev !== null) prev.next = leaf;
      prev = leaf;
      level.push(leaf);
    }
    t.head = level[0] as Leaf;
    t.tail = prev!;
    while (level.length > 1) {
      const up: TreeNode[] = [];
      for (let i = 0; i < level.length; i += INNER_FILL) up.push(new Inner(level.slice(i, i + INNER_FILL)));
      level = up;
    }
    t.root = level[0]!;
    return t;
  }

  /** Visible slots. */
  get live(): number {
    return this.root.live;
  }

  /** All slots, tombstones included. */
  get size(): number {
    return this.root.size;
  }

  // ---- positions -----------------------------------------------------------------------------

  /** The `i`-th visible slot (0 <= i < live). */
  at(i: number): Loc {
    let n: TreeNode = this.root;
    while (n instanceof Inner) {
      const kids = n.kids;
      let k = 0;
      for (; k < kids.length - 1; k++) {
        const l = kids[k]!.live;
        if (i < l) break;
        i -= l;
      }
      n = kids[k]!;
    }
    if (n.live === n.size) return { leaf: n, off: i };
    const vals = n.vals;
    for (let off = 0; off < vals.length; off++) {
      if (typeof vals[off] === 'string') {
        if (i === 0) return { leaf: n, off };
        i--;
      }
    }
    throw new RangeError('order tree: visible index out of range');
  }

  /** The first visible slot, or null; O(1) unless many leaves at the head hold only tombstones. */
  firstVisible(): Loc | null {
    if (this.live === 0) return null;
    let leaf = this.head;
    for (let n = 0; leaf.live === 0; n++) {
      if (n === 8) return this.at(0);
      leaf = leaf.next!;
    }
    let off = 0;
    while (typeof leaf.vals[off] !== 'string') off++;
    return { leaf, off };
  }

  /** The last visible slot, or null (see firstVisible). */
  lastVisible(): Loc | null {
    if (this.live === 0) return null;
    let leaf = this.tail;
    for (let n = 0; leaf.live === 0; n++) {
      if (n === 8) return this.at(this.live - 1);
      leaf = leaf.prev!;
    }
    let off = leaf.size - 1;
    while (typeof leaf.vals[off] !== 'string') off--;
    return { leaf, off };
  }

  /** Number of visible slots before `(leaf, off)`. */
  visibleBefore(leaf: Leaf, off: number): number {
    let n = 0;
    if (leaf.live === leaf.size) n = off;
    else for (let i = 0; i < off; i++) if (typeof leaf.vals[i] === 'string') n++;
    let node: TreeNode = leaf;
    for (let p = node.parent; p !== null; node = p, p = p.parent) {
      for (const k of p.kids) {
        if (k === node) break;
        n += k.live;
      }
    }
    return n;
  }

  /**
   * The first slot at or after `(leaf, off)` whose element id is below `id`, or the end of the
   * sequence (`tail`, `tail.size`) when there is none.
   */
  firstBelow(leaf: Leaf, off: number, id: number): Loc {
    if (leaf.minId < id) {
      const keys = leaf.keys;
      for (let i = off; i < keys.length; i++) if (keyId(keys[i]!) < id) return { leaf, off: i };
    }
    if (leaf.next === null) return { leaf, off: leaf.size }; // RPUSH: nothing after the tail
    let node: TreeNode = leaf;
    for (let p = node.parent; p !== null; node = p, p = p.parent) {
      const kids = p.kids;
      for (let k = kids.indexOf(node) + 1; k < kids.length; k++) {
        if (kids[k]!.minId < id) return this.descendBelow(kids[k]!, id);
      }
    }
    return { leaf: this.tail, off: this.tail.size };
  }

  private descendBelow(n: TreeNode, id: number): Loc {
    while (n instanceof Inner) n = n.kids.find((k) => k.minId < id)!;
    const keys = n.keys;
    for (let i = 0; i < keys.length; i++) if (keyId(keys[i]!) < id) return { leaf: n, off: i };
    throw new Error('order tree: minId out of date');
  }

  /** The slot before `(leaf, off)`, or null at the start. */
  before(leaf: Leaf, off: number): Loc | null {
    if (off > 0) return { leaf, off: off - 1 };
    for (let l = leaf.prev; l !== null; l = l.prev) if (l.size > 0) return { leaf: l, off: l.size - 1 };
    return null;
  }

  /** The slot at `(leaf, off)` itself, normalised past the end of a leaf; null at the end. */
  slotAt(leaf: Leaf, off: number): Loc | null {
    if (off < leaf.size) return { leaf, off };
    for (let l = leaf.next; l !== null; l = l.next) if (l.size > 0) return { leaf: l, off: 0 };
    return null;
  }

  // ---- index by element id -------------------------------------------------------------------

  buildIndex(): Map<number, Leaf> {
    const m = new Map<number, Leaf>();
    for (let l: Leaf | null = this.head; l !== null; l = l.next) for (const k of l.keys) m.set(keyId(k), l);
    this.index = m;
    return m;
  }

  /** Position of element `id` through the index (which must exist), or null. */
  locate(id: number): Loc | null {
    const leaf = this.index!.get(id);
    if (leaf === undefined) return null;
    const keys = leaf.keys;
    for (let i = 0; i < keys.length; i++) if (keyId(keys[i]!) === id) return { leaf, off: i };
    throw new Error('order tree: index out of date');
  }

  // ---- updates -------------------------------------------------------------------------------

  /** Inserts a slot before position `(leaf, off)`; returns where it ended up. */
  insert(leaf: Leaf, off: number, key: number, val: Slot): Loc {
    if (leaf.size >= LEAF_MAX) {
      const prev = leaf.prev;
      const next = leaf.next;
      if (off === 0 && prev !== null && prev.size < LEAF_MAX) {
        leaf = prev;
        off = prev.size;
      } else if (off === leaf.size && next !== null && next.size < LEAF_MAX) {
        leaf = next;
        off = 0;
      } else if (off === 0) {
        // Sequential inserts at the front (LPUSH) start a new leaf rather than halving a full one.
        leaf = this.newLeaf(leaf, false);
      } else if (off === leaf.size) {
        leaf = this.newLeaf(leaf, true); // and at the back (RPUSH)
        off = 0;
      } else {
        const right = this.splitLeaf(leaf, leaf.size >> 1);
        if (off > leaf.size) {
          off -= leaf.size;
          leaf = right;
        }
      }
    }
    if (off === leaf.size) {
      leaf.keys.push(key);
      leaf.vals.push(val);
    } else {
      // splice(0, 0, x) measured ~40% faster than unshift for these arrays (LPUSH).
      leaf.keys.splice(off, 0, key);
      leaf.vals.splice(off, 0, val);
    }
    const vis = typeof val === 'string' ? 1 : 0;
    leaf.live += vis;
    const id = keyId(key);
    if (id < leaf.minId) leaf.minId = id;
    for (let p = leaf.parent; p !== null; p = p.parent) {
      p.live += vis;
      p.size += 1;
      if (id < p.minId) p.minId = id;
    }
    if (this.index !== null) this.index.set(id, leaf);
    return { leaf, off };
  }

  /** Replaces a slot's value (visible ↔ tombstone changes are counted). */
  setVal(leaf: Leaf, off: number, val: Slot): void {
    const was = typeof leaf.vals[off] === 'string' ? 1 : 0;
    const now = typeof val === 'string' ? 1 : 0;
    leaf.vals[off] = val;
    if (was !== now) this.bump(leaf, now - was);
  }

  /** Replaces a slot's key with one of the same id (the caller's tag bits change). */
  setKey(leaf: Leaf, off: number, key: number): void {
    if (keyId(key) !== keyId(leaf.keys[off]!)) throw new Error('order tree: setKey may not change the id');
    leaf.keys[off] = key;
  }

  /**
   * Gives a slot a key with another id. The slot leaves the id index: sequence.ts uses this
   * for ghosts of collected runs, which are never looked up by id.
   */
  rekey(leaf: Leaf, off: number, key: number): void {
    const old = keyId(leaf.keys[off]!);
    leaf.keys[off] = key;
    if (this.index !== null && this.index.get(old) === leaf) this.index.delete(old);
    const id = keyId(key);
    if (id < leaf.minId) {
      leaf.minId = id;
      for (let p = leaf.parent; p !== null && id < p.minId; p = p.parent) p.minId = id;
    } else if (old === leaf.minId) this.refreshMin(leaf);
  }

  /** Recounts a leaf whose `vals` the caller changed in place. */
  recountLeaf(leaf: Leaf): void {
    const live = countLive(leaf.vals);
    if (live !== leaf.live) this.bump(leaf, live - leaf.live);
  }

  private bump(leaf: Leaf, dLive: number): void {
    leaf.live += dLive;
    for (let p = leaf.parent; p !== null; p = p.parent) p.live += dLive;
  }

  /**
   * Removes the slots of `leaf` for which `keep` is false. Merges the leaf into its left
   * neighbour when it becomes small — never into its right one, so a caller walking the leaves
   * left to right can keep its `next` pointer across this call.
   */
  filter(leaf: Leaf, keep: (key: number, val: Slot) => boolean): number {
    const keys = leaf.keys;
    const vals = leaf.vals;
    let j = 0;
    let live = 0;
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!;
      const v = vals[i]!;
      if (keep(k, v)) {
        keys[j] = k;
        vals[j] = v;
        j++;
        if (typeof v === 'string') live++;
      } else if (this.index !== null) this.index.delete(keyId(k));
    }
    const removed = keys.length - j;
    if (removed === 0) return 0;
    keys.length = j;
    vals.length = j;
    const dLive = live - leaf.live;
    leaf.live = live;
    for (let p = leaf.parent; p !== null; p = p.parent) {
      p.live += dLive;
      p.size -= removed;
    }
    this.refreshMin(leaf);
    if (j === 0) this.dropLeaf(leaf);
    else if (j < LEAF_MERGE) this.mergeLeft(leaf);
    return removed;
  }

  private refreshMin(leaf: Leaf): void {
    leaf.minId = minIdOf(leaf.keys);
    for (let p = leaf.parent; p !== null; p = p.parent) {
      let m = Infinity;
      for (const k of p.kids) if (k.minId < m) m = k.minId;
      if (m === p.minId) break;
      p.minId = m;
    }
  }

  /** A new empty leaf beside `leaf` (after it when `after`). */
  private newLeaf(leaf: Leaf, after: boolean): Leaf {
    const fresh = new Leaf([], []);
    if (after) {
      fresh.prev = leaf;
      fresh.next = leaf.next;
      if (leaf.next !== null) leaf.next.prev = fresh;
      else this.tail = fresh;
      leaf.next = fresh;
    } else {
      fresh.next = leaf;
      fresh.prev = leaf.prev;
      if (leaf.prev !== null) leaf.prev.next = fresh;
      else this.head = fresh;
      leaf.prev = fresh;
    }
    this.attach(leaf, fresh, after);
    return fresh;
  }

  /** Moves the slots from `at` on into a new leaf after `leaf`; returns the new leaf. */
  private splitLeaf(leaf: Leaf, at: number): Leaf {
    const right = new Leaf(leaf.keys.splice(at), leaf.vals.splice(at));
    leaf.live -= right.live;
    leaf.minId = minIdOf(leaf.keys);
    right.prev = leaf;
    right.next = leaf.next;
    if (leaf.next !== null) leaf.next.prev = right;
    else this.tail = right;
    leaf.next = right;
    if (this.index !== null) for (const k of right.keys) this.index.set(keyId(k), right);
    this.attach(leaf, right, true);
    return right;
  }

  /**
   * Puts `fresh` beside `node` in its parent. The slots under `fresh` were moved from `node` (or
   * there are none), so the totals of the ancestors do not change.
   */
  private attach(node: TreeNode, fresh: TreeNode, after: boolean): void {
    const p = node.parent;
    if (p === null) {
      this.root = new Inner(after ? [node, fresh] : [fresh, node]);
      return;
    }
    const i = p.kids.indexOf(node);
    p.kids.splice(after ? i + 1 : i, 0, fresh);
    fresh.parent = p;
    if (p.kids.length > INNER_MAX) {
      const right = new Inner(p.kids.splice(p.kids.length >> 1));
      p.recount();
      this.attach(p, right, true);
    }
  }

  private mergeLeft(leaf: Leaf): void {
    const left = leaf.prev;
    if (left === null || left.parent !== leaf.parent || left.size + leaf.size > LEAF_MAX) return;
    for (let i = 0; i < leaf.keys.length; i++) {
      left.keys.push(leaf.keys[i]!);
      left.vals.push(leaf.vals[i]!);
      if (this.index !== null) this.index.set(keyId(leaf.keys[i]!), left);
    }
    left.live += leaf.live;
    if (leaf.minId < left.minId) left.minId = leaf.minId;
    leaf.keys = [];
    leaf.vals = [];
    leaf.live = 0;
    leaf.minId = Infinity;
    this.dropLeaf(leaf);
  }

  /** Unlinks an empty leaf (the last leaf of the tree stays, as the empty root). */
  private dropLeaf(leaf: Leaf): void {
    if (leaf.prev === null && leaf.next === null) {
      this.root = leaf;
      leaf.parent = null;
      return;
    }
    if (leaf.prev !== null) leaf.prev.next = leaf.next;
    else this.head = leaf.next!;
    if (leaf.next !== null) leaf.next.prev = leaf.prev;
    else this.tail = leaf.prev!;
    let node: TreeNode = leaf;
    let p = leaf.parent;
    while (p !== null) {
      p.kids.splice(p.kids.indexOf(node), 1);
      if (p.kids.length > 0) break;
      node = p;
      p = p.parent;
    }
    // The removed subtree was empty, so no count or minId of the ancestors changes.
    while (this.root instanceof Inner && this.root.kids.length === 1) {
      this.root = this.root.kids[0]!;
      this.root.parent = null;
    }
  }
}
