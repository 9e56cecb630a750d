/**
 * The Redis list as a sequence CRDT (reference §2.6): RGA (replicated growable array) with
 * observed-remove deletion, over an order-statistics tree (order-tree.ts).
 *
 * Elements. Every element has an id made of its origin instance and a per-list Lamport counter
 * `ctr` (one more than every counter the inserting instance had seen in this list). An insert
 * names its anchor — the element it goes after, or HEAD — and a batch (LPUSH a b c) is a chain:
 * each element anchored on the previous one, so concurrent batches never interleave.
 *
 * Order (rule 1, TV-LIST-02). Children of one anchor are ordered by priority, highest nearest
 * the anchor: higher `ctr` first, and on equal `ctr` the lower instance id first. The id packs
 * exactly that order into one number, `ctr * 1024 + (1023 - origin)`, so "higher priority" is
 * "larger id". Why this rule:
 * - an insert made after seeing a sibling has a larger `ctr` than the sibling, so it goes nearer
 *   the anchor, exactly where its writer put it (rule 2: the observed position is preserved);
 * - two instances inserting at one anchor from the same synced state compute the same `ctr`, so
 *   the lower instance id goes first: TV-LIST-02 gives x y1 y2. No rule can order *every*
 *   concurrent pair by instance id and still respect causality (x from 1, y from 3 after x,
 *   z from 2 concurrent with both would need x<z<y<x), so instance ids decide among equal
 *   counters only — among siblings inserted on the same view of the list.
 * - it is the classic RGA order, so "skip every following element with a larger id" finds an
 *   insert's place (descendants of a higher sibling all have larger ids); no per-element
 *   parent or child links are needed.
 * Consequences at the ends (for docs/semantics.md): concurrent RPUSH a (on 1) and
 * RPUSH b (on 2) onto [x] give [x a b] (as if 1 pushed first); concurrent LPUSH a (on 1) and
 * LPUSH b (on 2) onto [x] give [a b x] (as if 2 pushed first: 1's element is nearer the head,
 * which is the anchor); multi-value pushes stay contiguous.
 *
 * Removal (rule 3, 4, TV-LIST-03/04). A removal names the ids it observed; the element becomes a
 * tombstone that remembers the removing dot (packed seq * 1024 + origin; the smallest one when
 * several removals of one element race, so every delivery order keeps the same number). Pops
 * therefore return what the popping instance saw, and two concurrent pops of one element both
 * return it (at-least-once). DEL is one small vector instead of a million ids: per origin, the
 * highest `ctr` it had applied; an instance's counters grow with its own effects and effects of
 * one origin arrive in order, so "every element of origin o with ctr <= c" is exactly what the
 * deleter had applied from o. The vector is kept (`clears`) until stable, to remove elements
 * that arrive after it.
 *
 * LSET replaces the element's value in place: last writer wins on the element by HLC timestamp,
 * ties to the lower instance id (like string registers); an LSET always wins over the insert it
 * saw. An LSET concurrent with a removal of the element loses (the element stays removed), as an
 * update loses to a concurrent array-element delete in TV-JSON-10.
 *
 * Delivery is per-origin FIFO only (DESIGN §2), so effects may arrive before what they refer to:
 * inserts whose anchor is missing wait in `pending`; removals and LSETs of missing elements wait
 * in `gone` and `stamps`. Everything is applied the moment the element arrives, so apply and
 * join reach the same state in any order. A removal of a pending element is held in its pending
 * slot whichever arrived first (never also in `gone`), so equal histories give equal states.
 *
 * Garbage collection (reference §3.7). Once a removal is stable nothing can name the element as
 * anchor any more, but an insert still in flight may need its id: the RGA scan stops at the first
 * slot with a smaller id, and a removed parent is what stops an insert that must go before the
 * parent's subtree (it was issued without having seen the children, so their ids are larger than
 * its own). `collect` therefore replaces each run of collectable slots by one *ghost*: an
 * invisible slot right before the run's successor, carrying the run's smallest id, which stops
 * every scan the run would have stopped. A ghost is dropped when it can stop nothing the next
 * slot would not (the next id is smaller, or it is at the end). A queue (RPUSH + LPOP) keeps one
 * ghost at its head, a stack (LPUSH + LPOP) none. Yjs keeps its collected items as "GC" structs
 * for the same reason.
 *
 * Anchors in memory: storing each element's anchor would cost 8 bytes per element. Almost every
 * element is anchored on the element just before it (RPUSH, chains) or on HEAD (LPUSH), so the
 * slot key's two low bits say which (PRED / AT_HEAD) and only the rest (EXPLICIT) live in the
 * `anchors` map. When an insert or a collection changes a PRED element's predecessor, the
 * element is switched to EXPLICIT first, so every element's effective anchor never changes.
 *
 * Joins (full sync). A state that has applied nothing takes an exact copy, ghosts included: that
 * is how a new instance gets its first list. Otherwise o's elements are integrated in o's order;
 * `seen` (per origin, the highest counter applied) tells an element this state applied and
 * collected from one it never saw, so collected tombstones are not brought back.
 *
 * Element ids restart with the counter when a key record is dropped (or retyped) and the list is
 * created again, so a join must never bring a dropped incarnation's state back: the engine should
 * not import a dead record whose removals its own stability already considers collectable.
 */
import type { BinaryReader, BinaryWriter } from './binary.js';
import type { EffectMeta, Stability } from './crdt.js';
import { MAX_INSTANCE_ID } from './dot.js';
import type { KeyedType } from './key.js';
import type { Leaf, Loc, Slot } from './order-tree.js';
import { OrderTree, keyId, keyTag } from './order-tree.js';
import { stampWins } from './string-value.js';

// ---- identities --------------------------------------------------------------------------------

const SPACE = MAX_INSTANCE_ID + 1;
/** The anchor "before the first element". No element has counter 0, so no element has id 0. */
export const HEAD = 0;
/** Slot keys are id * 4 + tag and must stay exact doubles: id < 2^51, so ctr < 2^41. */
const MAX_CTR = 2 ** 41;

export function elementId(origin: number, ctr: number): number {
  return ctr * SPACE + (MAX_INSTANCE_ID - origin);
}

export function elementOrigin(id: number): number {
  return MAX_INSTANCE_ID - (id % SPACE);
}

export function elementCounter(id: number): number {
  return Math.floor(id / SPACE);
}

function packDot(origin: number, seq: number): number {
  return seq * SPACE + origin;
}

function dotIsStable(stable: Stability, dot: number): boolean {
  return stable.isStable(dot % SPACE, Math.floor(dot / SPACE));
}

/** Anchor kinds kept in the low bits of a slot key, and the ghost of a collected run. */
const PRED = 0;
const AT_HEAD = 1;
const EXPLICIT = 2;
const GHOST = 3;
/** A ghost's slot value (tombstones hold dots, which are > 0). */
const GHOST_VAL = 0;
/** Marks slots to drop during `collect`. */
const DROP = -1;

// ---- types ---------------------------------------------------------------------------------------

/** What a DEL saw of one origin: every element of `origin` with counter <= `ctr`. */
export interface ClearMark {
  readonly origin: number;
  readonly ctr: number;
}

export type ListEffect =
  /** A chain of elements: v[0] after anchor `a`, v[i] after v[i-1]; counters c, c+1, … */
  | { readonly t: 'ins'; readonly a: number; readonly c: number; readonly v: readonly string[] }
  | { readonly t: 'rm'; readonly ids: readonly number[] }
  | { readonly t: 'clr'; readonly upto: readonly ClearMark[] }
  | { readonly t: 'set'; readonly id: number; readonly v: string };

/** An insert whose anchor has not arrived yet. Slots as in the tree (number = removed). */
interface Pending {
  readonly origin: number;
  readonly ctr: number;
  readonly anchor: number;
  readonly vals: Slot[];
}

interface ClearRecord {
  /** Packed dot of the DEL. */
  readonly dot: number;
  readonly upto: readonly ClearMark[];
}

interface Stamp {
  readonly ts: number;
  readonly origin: number;
  readonly v: string;
}

export class ListState {
  tree: OrderTree;
  /** Highest element counter applied (pending inserts included). */
  clock = 0;
  /**
   * Per origin, the highest counter of its elements applied here. Effects of one origin arrive in
   * order and its counters grow, so an element of `o` with counter <= seen[o] that the state no
   * longer holds was applied and then collected: a join must not bring it back, and a late
   * removal or LSET of it has nothing to do.
   */
  seen = new Map<number, number>();
  /** Anchors of EXPLICIT elements. */
  anchors: Map<number, number> | null = null;
  pending: Pending[] | null = null;
  /** Removals of elements that have not arrived: id → packed removing dot. */
  gone: Map<number, number> | null = null;
  clears: ClearRecord[] | null = null;
  /** Latest LSET per element (visible or not arrived yet). */
  stamps: Map<number, Stamp> | null = null;

  constructor(tree = new OrderTree()) {
    this.tree = tree;
  }
}

export interface ListElement {
  readonly id: number;
  readonly value: string;
}

export interface Popped {
  readonly effect: ListEffect;
  /** Popped elements, in the order the pop returns them. */
  readonly ids: readonly number[];
  readonly values: readonly string[];
}

// ---- finding elements -----------------------------------------------------------------------------

/** Lookups scan this many slots around each end of the list before building the id index. */
const WINDOW = 64;
const SMALL = 2 * WINDOW;

function scanFrom(start: Loc, dir: 1 | -1, steps: number, id: number): Loc | null {
  let leaf: Leaf | null = start.leaf;
  let off = start.off;
  while (leaf !== null && steps > 0) {
    if (off < 0) {
      leaf = leaf.prev;
      if (leaf !== null) off = leaf.size - 1;
      continue;
    }
    if (off >= leaf.size) {
      leaf = leaf.next;
      off = 0;
      continue;
    }
    const k = leaf.keys[off]!;
    if (keyId(k) === id && keyTag(k) !== GHOST) return { leaf, off };
    off += dir;
    steps--;
  }
  return null;
}

/**
 * Pops, trims and pushes touch the ends, so most lookups by id succeed within a window around the
 * first and last visible elements (behind them lie tombstones of earlier pops awaiting GC).
 */
function findNearEnds(t: OrderTree, id: number): Loc | null {
  const first = t.firstVisible() ?? { leaf: t.head, off: 0 };
  const last = t.lastVisible() ?? { leaf: t.tail, off: t.tail.size - 1 };
  return (
    scanFrom(last, -1, 1, id) ?? // RPUSH's anchor
    scanFrom(first, 1, WINDOW, id) ??
    scanFrom(last, -1, WINDOW, id) ??
    scanFrom({ leaf: first.leaf, off: first.off - 1 }, -1, WINDOW, id) ??
    scanFrom({ leaf: last.leaf, off: last.off + 1 }, 1, WINDOW, id)
  );
}

/** Where element `id` sits in the tree, or null when it is not there. */
function find(s: ListState, id: number): Loc | null {
  const t = s.tree;
  if (t.index === null) {
    if (t.size <= SMALL) return scanFrom({ leaf: t.head, off: 0 }, 1, t.size, id);
    const near = findNearEnds(t, id);
    if (near !== null) return near;
    t.buildIndex(); // O(n) once; from now on the tree maintains it
  }
  const loc = t.locate(id);
  return loc !== null && keyTag(loc.leaf.keys[loc.off]!) !== GHOST ? loc : null;
}

/** Applied here once and collected since (see `seen`), given that the state does not hold it. */
function collected(s: ListState, id: number, seen: ReadonlyMap<number, number> = s.seen): boolean {
  return elementCounter(id) <= (seen.get(elementOrigin(id)) ?? 0);
}

function pendingSlot(s: ListState, id: number): { rec: Pending; i: number } | null {
  if (s.pending === null) return null;
  const origin = elementOrigin(id);
  const ctr = elementCounter(id);
  for (const rec of s.pending) {
    const i = ctr - rec.ctr;
    if (rec.origin === origin && i >= 0 && i < rec.vals.length) return { rec, i };
  }
  return null;
}

function covers(c: ClearRecord, id: number): boolean {
  const origin = elementOrigin(id);
  for (const m of c.upto) if (m.origin === origin) return elementCounter(id) <= m.ctr;
  return false;
}

// ---- applying effects --------------------------------------------------------------------------

function dropStamp(s: ListState, id: number): void {
  if (s.stamps !== null && s.stamps.delete(id) && s.stamps.size === 0) s.stamps = null;
}

/**
 * The removal an element already has before it arrives (or while it waits as a pending insert):
 * the smallest removing dot among its own slot `v`, a removal that arrived before it (`gone`,
 * consumed) and the clears that cover it; Infinity when none.
 */
function earlyRemoval(s: ListState, id: number, v: Slot): number {
  let dot = typeof v === 'number' ? v : Infinity;
  if (s.gone !== null) {
    const g = s.gone.get(id);
    if (g !== undefined) {
      if (g < dot) dot = g;
      s.gone.delete(id);
      if (s.gone.size === 0) s.gone = null;
    }
  }
  if (s.clears !== null) for (const c of s.clears) if (c.dot < dot && covers(c, id)) dot = c.dot;
  if (dot !== Infinity) dropStamp(s, id);
  return dot;
}

/** The slot an arriving element gets, after removals and LSETs that arrived before it. */
function arrivingSlot(s: ListState, id: number, v: Slot): Slot {
  const dot = earlyRemoval(s, id, v);
  if (dot !== Infinity) return dot;
  return s.stamps?.get(id)?.v ?? v;
}

/**
 * The slot a pending element keeps: removed already when a removal arrived before it, so a
 * removal is held in one place whatever the order (a removal arriving after the insert marks the
 * pending slot too); an LSET stays in `stamps` until the element is placed.
 */
function pendingVal(s: ListState, id: number, v: Slot): Slot {
  const dot = earlyRemoval(s, id, v);
  return dot !== Infinity ? dot : v;
}

/**
 * Places element `id` (anchored on `anchor`) among the slots from `(leaf, off)` on — the slot
 * right after its anchor — by the RGA rule: skip every slot with a larger id.
 */
function integrate(s: ListState, leaf: Leaf, off: number, anchor: number, id: number, val: Slot): Loc {
  const pos = s.tree.firstBelow(leaf, off, id);
  return placeAt(s, pos, anchor, id, val);
}

/** Inserts a slot at `pos` (an element with its anchor, or a ghost when `anchor` is -1). */
function placeAt(s: ListState, pos: Loc, anchor: number, id: number, val: Slot): Loc {
  const t = s.tree;
  const pred = t.before(pos.leaf, pos.off);
  const predId = pred === null ? HEAD : keyId(pred.leaf.keys[pred.off]!);
  let tag: number;
  if (anchor < 0) tag = GHOST;
  else if (anchor === HEAD) tag = AT_HEAD;
  else if (pred !== null && predId === anchor) tag = PRED;
  else {
    tag = EXPLICIT;
    (s.anchors ??= new Map()).set(id, anchor);
  }
  const succ = t.slotAt(pos.leaf, pos.off);
  if (succ !== null) {
    const k = succ.leaf.keys[succ.off]!;
    if (keyTag(k) === PRED) {
      // Its predecessor is about to change; keep its anchor (= the current predecessor).
      t.setKey(succ.leaf, succ.off, k - PRED + EXPLICIT);
      (s.anchors ??= new Map()).set(keyId(k), predId);
    }
  }
  return t.insert(pos.leaf, pos.off, id * 4 + tag, val);
}

function applyInsert(s: ListState, origin: number, anchor: number, ctr: number, vals: readonly Slot[]): void {
  const last = ctr + vals.length - 1;
  if (last >= MAX_CTR) throw new RangeError('list element counter overflow');
  if (last > s.clock) s.clock = last;
  if (last > (s.seen.get(origin) ?? 0)) s.seen.set(origin, last);
  let leaf: Leaf;
  let off: number;
  if (anchor === HEAD) {
    leaf = s.tree.head;
    off = 0;
  } else {
    const loc = find(s, anchor);
    if (loc === null) {
      (s.pending ??= []).push({ origin, ctr, anchor, vals: vals.map((v, i) => pendingVal(s, elementId(origin, ctr + i), v)) });
      return;
    }
    leaf = loc.leaf;
    off = loc.off + 1;
  }
  let a = anchor;
  for (let i = 0; i < vals.length; i++) {
    const id = elementId(origin, ctr + i);
    const loc = integrate(s, leaf, off, a, id, arrivingSlot(s, id, vals[i]!));
    leaf = loc.leaf;
    off = loc.off + 1;
    a = id;
  }
  if (s.pending !== null) for (let i = 0; i < vals.length; i++) resolvePending(s, elementId(origin, ctr + i));
}

/** Inserts that were waiting for element `id` as their anchor. */
function resolvePending(s: ListState, id: number): void {
  const all = s.pending;
  if (all === null) return;
  const ready = all.filter((p) => p.anchor === id);
  if (ready.length === 0) return;
  const rest = all.filter((p) => p.anchor !== id);
  s.pending = rest.length > 0 ? rest : null;
  for (const p of ready) applyInsert(s, p.origin, p.anchor, p.ctr, p.vals);
}

function tombstone(s: ListState, loc: Loc, dot: number): void {
  const cur = loc.leaf.vals[loc.off]!;
  if (typeof cur === 'string') {
    s.tree.setVal(loc.leaf, loc.off, dot);
    dropStamp(s, keyId(loc.leaf.keys[loc.off]!));
  } else if (dot < cur) loc.leaf.vals[loc.off] = dot;
}

function removeOne(s: ListState, id: number, dot: number): void {
  const loc = find(s, id);
  if (loc !== null) {
    tombstone(s, loc, dot);
    return;
  }
  dropStamp(s, id);
  const p = pendingSlot(s, id);
  if (p !== null) {
    const cur = p.rec.vals[p.i]!;
    if (typeof cur === 'string' || dot < cur) p.rec.vals[p.i] = dot;
    return;
  }
  if (collected(s, id)) return;
  const g = s.gone?.get(id);
  if (g === undefined || dot < g) (s.gone ??= new Map()).set(id, dot);
}

function applyRemove(s: ListState, ids: readonly number[], dot: number): void {
  // Many ids at once (LTRIM, LREM): one O(n) index build beats many window scans.
  if (ids.length > 32 && s.tree.index === null && s.tree.size > SMALL) s.tree.buildIndex();
  for (const id of ids) removeOne(s, id, dot);
}

function applyClear(s: ListState, upto: readonly ClearMark[], dot: number): void {
  const rec: ClearRecord = { dot, upto };
  (s.clears ??= []).push(rec);
  const t = s.tree;
  for (let leaf: Leaf | null = t.head; leaf !== null; leaf = leaf.next) {
    const keys = leaf.keys;
    const vals = leaf.vals;
    let changed = false;
    for (let i = 0; i < keys.length; i++) {
      const v = vals[i]!;
      if (typeof v === 'number' && v <= dot) continue;
      if (!covers(rec, keyId(keys[i]!))) continue;
      vals[i] = dot;
      changed = true;
    }
    if (changed) t.recountLeaf(leaf);
  }
  for (const p of s.pending ?? []) {
    for (let i = 0; i < p.vals.length; i++) {
      const v = p.vals[i]!;
      if ((typeof v === 'string' || dot < v) && covers(rec, elementId(p.origin, p.ctr + i))) p.vals[i] = dot;
    }
  }
  if (s.stamps !== null) for (const id of [...s.stamps.keys()]) if (covers(rec, id)) dropStamp(s, id);
}

function stampBeats(s: ListState, id: number, ts: number, origin: number): boolean {
  const cur = s.stamps?.get(id);
  return cur === undefined || stampWins(ts, origin, cur.ts, cur.origin);
}

function applySet(s: ListState, id: number, v: string, ts: number, origin: number): void {
  const loc = find(s, id);
  if (loc !== null) {
    if (typeof loc.leaf.vals[loc.off] !== 'string' || !stampBeats(s, id, ts, origin)) return;
    (s.stamps ??= new Map()).set(id, { ts, origin, v });
    s.tree.setVal(loc.leaf, loc.off, v);
    return;
  }
  // Not arrived (or still pending): remember the LSET unless the element is already removed.
  const p = pendingSlot(s, id);
  if (p !== null && typeof p.rec.vals[p.i] !== 'string') return;
  if (p === null && (collected(s, id) || s.gone?.has(id) || (s.clears?.some((c) => covers(c, id)) ?? false))) return;
  if (stampBeats(s, id, ts, origin)) (s.stamps ??= new Map()).set(id, { ts, origin, v });
}

function applyEffect(s: ListState, e: ListEffect, meta: EffectMeta): void {
  switch (e.t) {
    case 'ins':
      applyInsert(s, meta.origin, e.a, e.c, e.v);
      return;
    case 'rm':
      applyRemove(s, e.ids, packDot(meta.origin, meta.seq));
      return;
    case 'clr':
      applyClear(s, e.upto, packDot(meta.origin, meta.seq));
      return;
    case 'set':
      applySet(s, e.id, e.v, meta.ts, meta.origin);
      return;
  }
}

// ---- walking the sequence ----------------------------------------------------------------------

interface SlotView {
  id: number;
  /** Effective anchor; -1 for a ghost. */
  anchor: number;
  val: Slot;
}

/** Every slot in order with its effective anchor (tombstones and ghosts included). */
function* slots(s: ListState): Generator<SlotView> {
  let prev = HEAD;
  const view: SlotView = { id: 0, anchor: 0, val: 0 };
  for (let leaf: Leaf | null = s.tree.head; leaf !== null; leaf = leaf.next) {
    for (let i = 0; i < leaf.keys.length; i++) {
      const k = leaf.keys[i]!;
      const id = keyId(k);
      const tag = keyTag(k);
      view.id = id;
      view.anchor = tag === PRED ? prev : tag === AT_HEAD ? HEAD : tag === GHOST ? -1 : s.anchors!.get(id)!;
      view.val = leaf.vals[i]!;
      yield view;
      prev = id;
    }
  }
}

// ---- reads for the engine ------------------------------------------------------------------------

export function length(s: ListState): number {
  return s.tree.live;
}

/** Redis index (negative counts from the tail) → 0-based position, or -1 when out of range. */
function normalise(s: ListState, index: number): number {
  const n = s.tree.live;
  const i = index < 0 ? n + index : index;
  return i >= 0 && i < n ? i : -1;
}

export function elementAt(s: ListState, index: number): ListElement | undefined {
  const i = normalise(s, index);
  if (i < 0) return undefined;
  const loc = s.tree.at(i);
  return { id: keyId(loc.leaf.keys[loc.off]!), value: loc.leaf.vals[loc.off] as string };
}

/** LINDEX: the value at a Redis index. */
export function at(s: ListState, index: number): string | undefined {
  const i = normalise(s, index);
  if (i < 0) return undefined;
  const loc = s.tree.at(i);
  return loc.leaf.vals[loc.off] as string;
}

/**
 * Visits visible elements from position `from` (0-based) towards the tail, or towards the head
 * when `reverse`, until `fn` returns false.
 */
export function scan(s: ListState, from: number, reverse: boolean, fn: (value: string, id: number, index: number) => boolean): void {
  const t = s.tree;
  if (from < 0 || from >= t.live) return;
  const start = t.at(from);
  let leaf: Leaf | null = start.leaf;
  let off = start.off;
  let index = from;
  if (!reverse) {
    for (; leaf !== null; leaf = leaf.next, off = 0) {
      for (; off < leaf.keys.length; off++) {
        const v = leaf.vals[off]!;
        if (typeof v !== 'string') continue;
        if (!fn(v, keyId(leaf.keys[off]!), index++)) return;
      }
    }
  } else {
    while (leaf !== null) {
      for (; off >= 0; off--) {
        const v = leaf.vals[off]!;
        if (typeof v !== 'string') continue;
        if (!fn(v, keyId(leaf.keys[off]!), index--)) return;
      }
      leaf = leaf.prev;
      if (leaf !== null) off = leaf.size - 1;
    }
  }
}

/** LRANGE with Redis's index rules. */
export function range(s: ListState, start: number, stop: number): string[] {
  const n = s.tree.live;
  if (start < 0) start += n;
  if (stop < 0) stop += n;
  if (start < 0) start = 0;
  if (stop >= n) stop = n - 1;
  if (start > stop) return [];
  // A direct leaf walk (no callback): LRANGE is a hot read.
  const want = stop - start + 1;
  const out = new Array<string>(want);
  const first = s.tree.at(start);
  let got = 0;
  for (let leaf: Leaf | null = first.leaf, off = first.off; leaf !== null; leaf = leaf.next, off = 0) {
    const vals = leaf.vals;
    for (; off < vals.length; off++) {
      const v = vals[off]!;
      if (typeof v !== 'string') continue;
      out[got++] = v;
      if (got === want) return out;
    }
  }
  return out;
}

/** Position of a visible element, or -1 when it is absent or removed. */
export function indexOf(s: ListState, id: number): number {
  const loc = find(s, id);
  if (loc === null || typeof loc.leaf.vals[loc.off] !== 'string') return -1;
  return s.tree.visibleBefore(loc.leaf, loc.off);
}

/** What the list holds besides its elements: removed elements awaiting GC, and ghosts. */
export function garbageStats(s: ListState): { tombstones: number; ghosts: number } {
  let ghosts = 0;
  const t = s.tree;
  if (t.size > t.live) {
    for (let leaf: Leaf | null = t.head; leaf !== null; leaf = leaf.next) {
      if (leaf.size !== leaf.live) for (const k of leaf.keys) if (keyTag(k) === GHOST) ghosts++;
    }
  }
  return { tombstones: t.size - t.live - ghosts, ghosts };
}

// ---- effect builders for the engine --------------------------------------------------------------

function insertEffect(s: ListState, anchor: number, chain: readonly string[]): ListEffect {
  return { t: 'ins', a: anchor, c: s.clock + 1, v: chain };
}

/** LPUSH v1 v2 …: the list then starts with … v2 v1. */
export function pushHead(s: ListState, values: readonly string[]): ListEffect {
  return insertEffect(s, HEAD, [...values].reverse());
}

/** RPUSH: after the last visible element. */
export function pushTail(s: ListState, values: readonly string[]): ListEffect {
  const last = s.tree.lastVisible();
  return insertEffect(s, last === null ? HEAD : keyId(last.leaf.keys[last.off]!), values);
}

/** LINSERT AFTER: `pivot` must be a visible element. */
export function insertAfter(s: ListState, pivot: number, value: string): ListEffect {
  return insertEffect(s, pivot, [value]);
}

/**
 * LINSERT BEFORE: anchored on the visible element before `pivot` (or HEAD). As the newest child of
 * that anchor it lands right after it, before any tombstones in front of `pivot`. Anchoring only
 * on visible elements is what lets GC drop a tombstone once its removal is stable.
 */
export function insertBefore(s: ListState, pivot: number, value: string): ListEffect {
  const i = indexOf(s, pivot);
  if (i < 0) throw new RangeError('insertBefore: pivot is not a visible element');
  return insertEffect(s, i === 0 ? HEAD : elementAt(s, i - 1)!.id, [value]);
}

function pop(s: ListState, count: number, fromTail: boolean): Popped | null {
  const n = s.tree.live;
  if (n === 0 || count <= 0) return null;
  const ids: number[] = [];
  const values: string[] = [];
  let want = Math.min(count, n);
  scan(s, fromTail ? n - 1 : 0, fromTail, (v, id) => {
    ids.push(id);
    values.push(v);
    return --want > 0;
  });
  return { effect: { t: 'rm', ids }, ids, values };
}

/** LPOP [count]: the observed head elements (at-least-once under concurrency, TV-LIST-04). */
export function popHead(s: ListState, count: number): Popped | null {
  return pop(s, count, false);
}

/** RPOP [count]: the observed tail elements, tail first. */
export function popTail(s: ListState, count: number): Popped | null {
  return pop(s, count, true);
}

/** LSET; null when the index is out of range. */
export function set(s: ListState, index: number, value: string): ListEffect | null {
  const e = elementAt(s, index);
  return e === undefined ? null : { t: 'set', id: e.id, v: value };
}

/** LREM and friends: removes exactly these (observed) elements. */
export function remove(ids: readonly number[]): ListEffect {
  return { t: 'rm', ids };
}

/** LTRIM with Redis's index rules; null when nothing is removed. */
export function trim(s: ListState, start: number, stop: number): ListEffect | null {
  const n = s.tree.live;
  if (start < 0) start += n;
  if (stop < 0) stop += n;
  if (start < 0) start = 0;
  let head: number;
  let tail: number;
  if (start > stop || start >= n) {
    head = n;
    tail = 0;
  } else {
    if (stop >= n) stop = n - 1;
    head = start;
    tail = n - stop - 1;
  }
  if (head + tail === 0) return null;
  const ids: number[] = [];
  const take = (_v: string, id: number): boolean => {
    ids.push(id);
    return ids.length !== head && ids.length !== head + tail;
  };
  if (head > 0) scan(s, 0, false, take);
  if (tail > 0) scan(s, n - 1, true, take);
  return { t: 'rm', ids };
}

// ---- join -------------------------------------------------------------------------------------

function mergeRemoved(s: ListState, id: number, val: Slot): void {
  if (typeof val === 'number') removeOne(s, id, val);
}

/** Nothing applied yet: a new instance receiving its first full sync. */
function isBlank(s: ListState): boolean {
  return s.seen.size === 0 && s.gone === null && s.clears === null && s.stamps === null;
}

/** The gap right after `cursor` (or the start of the list). */
function gapAfter(s: ListState, cursor: Loc | null): Loc {
  return cursor === null ? { leaf: s.tree.head, off: 0 } : { leaf: cursor.leaf, off: cursor.off + 1 };
}

function joinInto(s: ListState, o: ListState): void {
  if (isBlank(s)) {
    // Exact copy, ghosts and anchors of collected elements included.
    const c = clone(o);
    c.clock = Math.max(c.clock, s.clock);
    Object.assign(s, c);
    return;
  }
  const t = s.tree;
  const hadIndex = t.index !== null;
  if (!hadIndex) t.buildIndex();
  // What this state had applied before the join (integrating o's elements raises `seen`).
  const seen = new Map(s.seen);
  for (const c of o.clears ?? []) if (!(s.clears?.some((x) => x.dot === c.dot) ?? false)) applyClear(s, c.upto, c.dot);
  if (o.gone !== null) for (const [id, dot] of o.gone) removeOne(s, id, dot);
  // o's order puts every anchor before its children, so each anchor is here by the time a child
  // needs it. o's ghosts and the anchors o collected stand for elements whose removal was stable
  // there: every instance had applied them, so this state holds them too (or its own ghosts of
  // them) — except a state that lost data; for that case a child whose anchor is missing keeps
  // o's position (right after o's previous slot) instead of waiting forever.
  let cursor: Loc | null = null;
  for (const x of slots(o)) {
    if (x.anchor < 0) continue;
    const here = find(s, x.id);
    if (here !== null || pendingSlot(s, x.id) !== null) {
      mergeRemoved(s, x.id, x.val);
      if (here !== null) cursor = here;
      continue;
    }
    if (collected(s, x.id, seen)) continue;
    if (x.anchor === HEAD || find(s, x.anchor) !== null || pendingSlot(s, x.anchor) !== null) {
      applyInsert(s, elementOrigin(x.id), x.anchor, elementCounter(x.id), [x.val]);
      cursor = find(s, x.id) ?? cursor;
    } else {
      cursor = placeAt(s, gapAfter(s, cursor), x.anchor, x.id, arrivingSlot(s, x.id, x.val));
      resolvePending(s, x.id);
      cursor = find(s, x.id) ?? cursor;
    }
  }
  for (const p of o.pending ?? []) {
    const first = elementId(p.origin, p.ctr);
    if (find(s, first) !== null || pendingSlot(s, first) !== null) {
      for (let i = 0; i < p.vals.length; i++) mergeRemoved(s, elementId(p.origin, p.ctr + i), p.vals[i]!);
    } else if (!collected(s, first, seen)) applyInsert(s, p.origin, p.anchor, p.ctr, p.vals);
  }
  if (o.stamps !== null) for (const [id, st] of o.stamps) applySet(s, id, st.v, st.ts, st.origin);
  if (o.clock > s.clock) s.clock = o.clock;
  for (const [origin, c] of o.seen) if (c > (s.seen.get(origin) ?? 0)) s.seen.set(origin, c);
  if (!hadIndex) t.index = null; // keep the memory only for lists that need lookups themselves
}

// ---- garbage collection ----------------------------------------------------------------------

/** Replaces runs of collectable slots by ghosts (see the header). */
function collectSlots(s: ListState, stable: Stability): void {
  const t = s.tree;
  const marked: Leaf[] = [];
  /** The open run: its smallest id, its last slot and that slot's id. */
  let runMin = Infinity;
  let last: Loc | null = null;
  let lastId = 0;
  for (let leaf: Leaf | null = t.head; leaf !== null; leaf = leaf.next) {
    if (leaf.size === leaf.live && last === null) continue;
    const keys = leaf.keys;
    const vals = leaf.vals;
    let mark = false;
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!;
      const v = vals[i]!;
      const tag = keyTag(k);
      if (typeof v === 'number' && (tag === GHOST || dotIsStable(stable, v))) {
        const id = keyId(k);
        if (tag === EXPLICIT) s.anchors!.delete(id);
        if (id < runMin) runMin = id;
        vals[i] = DROP;
        mark = true;
        last = { leaf, off: i };
        lastId = id;
        continue;
      }
      if (last === null) continue;
      // The run ends before this slot.
      const id = keyId(k);
      if (tag === PRED) {
        // Its predecessor (= its anchor) goes away: keep the anchor explicitly.
        t.setKey(leaf, i, k - PRED + EXPLICIT);
        (s.anchors ??= new Map()).set(id, lastId);
      }
      if (runMin < id) {
        t.rekey(last.leaf, last.off, runMin * 4 + GHOST);
        last.leaf.vals[last.off] = GHOST_VAL;
      }
      runMin = Infinity;
      last = null;
    }
    if (mark) marked.push(leaf);
  }
  // A run reaching the end needs no ghost: the end of the list stops every scan.
  for (const leaf of marked) t.filter(leaf, (_k, v) => v !== DROP);
  if (s.anchors !== null && s.anchors.size === 0) s.anchors = null;
}

function collect(s: ListState, stable: Stability): void {
  if (s.tree.size > s.tree.live) collectSlots(s, stable);
  const collectable = (v: Slot): boolean => typeof v === 'number' && dotIsStable(stable, v);
  if (s.pending !== null) {
    // Only a stale state merged in can leave these: their anchor will not come.
    const keep = s.pending.filter((p) => !p.vals.every(collectable));
    s.pending = keep.length > 0 ? keep : null;
  }
  if (s.gone !== null) {
    for (const [id, dot] of s.gone) if (dotIsStable(stable, dot)) s.gone.delete(id);
    if (s.gone.size === 0) s.gone = null;
  }
  if (s.clears !== null) {
    const keep = s.clears.filter((c) => !dotIsStable(stable, c.dot));
    s.clears = keep.length > 0 ? keep : null;
  }
}

// ---- equality, copies, encoding ---------------------------------------------------------------

function slotsEqual(a: readonly Slot[], b: readonly Slot[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

function marksEqual(a: readonly ClearMark[], b: readonly ClearMark[]): boolean {
  return a.length === b.length && a.every((m, i) => m.origin === b[i]!.origin && m.ctr === b[i]!.ctr);
}

function equal(a: ListState, b: ListState): boolean {
  if (a.clock !== b.clock || a.tree.size !== b.tree.size || a.tree.live !== b.tree.live) return false;
  if (a.seen.size !== b.seen.size) return false;
  for (const [o, c] of a.seen) if (b.seen.get(o) !== c) return false;
  const ib = slots(b);
  for (const x of slots(a)) {
    const y = ib.next().value as SlotView;
    if (x.id !== y.id || x.anchor !== y.anchor || x.val !== y.val) return false;
  }
  const pa = a.pending ?? [];
  const pb = b.pending ?? [];
  if (pa.length !== pb.length) return false;
  for (const p of pa) {
    const q = pb.find((x) => x.origin === p.origin && x.ctr === p.ctr);
    if (q === undefined || q.anchor !== p.anchor || !slotsEqual(p.vals, q.vals)) return false;
  }
  const ga = a.gone ?? new Map<number, number>();
  const gb = b.gone ?? new Map<number, number>();
  if (ga.size !== gb.size) return false;
  for (const [id, d] of ga) if (gb.get(id) !== d) return false;
  const ca = a.clears ?? [];
  const cb = b.clears ?? [];
  if (ca.length !== cb.length) return false;
  for (const c of ca) {
    const d = cb.find((x) => x.dot === c.dot);
    if (d === undefined || !marksEqual(c.upto, d.upto)) return false;
  }
  const sa = a.stamps ?? new Map<number, Stamp>();
  const sb = b.stamps ?? new Map<number, Stamp>();
  if (sa.size !== sb.size) return false;
  for (const [id, x] of sa) {
    const y = sb.get(id);
    if (y === undefined || y.ts !== x.ts || y.origin !== x.origin || y.v !== x.v) return false;
  }
  return true;
}

function clone(s: ListState): ListState {
  const keys: number[] = [];
  const vals: Slot[] = [];
  for (let leaf: Leaf | null = s.tree.head; leaf !== null; leaf = leaf.next) {
    for (let i = 0; i < leaf.keys.length; i++) {
      keys.push(leaf.keys[i]!);
      vals.push(leaf.vals[i]!);
    }
  }
  const c = new ListState(OrderTree.fromSlots(keys, vals));
  c.clock = s.clock;
  c.seen = new Map(s.seen);
  c.anchors = s.anchors && new Map(s.anchors);
  c.pending = s.pending && s.pending.map((p) => ({ ...p, vals: p.vals.slice() }));
  c.gone = s.gone && new Map(s.gone);
  c.clears = s.clears && s.clears.slice();
  c.stamps = s.stamps && new Map(s.stamps);
  return c;
}

function writeSlot(w: BinaryWriter, v: Slot, tag = 0): void {
  if (typeof v === 'string') w.u8(tag).str(v);
  else w.u8(tag | 4).uint(v);
}

function readSlot(r: BinaryReader, b: number): Slot {
  return b & 4 ? r.uint() : r.str();
}

function writeMarks(w: BinaryWriter, upto: readonly ClearMark[]): void {
  w.uint(upto.length);
  for (const m of upto) w.uint(m.origin).uint(m.ctr);
}

function readMarks(r: BinaryReader): ClearMark[] {
  const out: ClearMark[] = [];
  for (let n = r.uint(); n > 0; n--) out.push({ origin: r.uint(), ctr: r.uint() });
  return out;
}

function encode(s: ListState, w: BinaryWriter): void {
  w.uint(s.clock).uint(s.seen.size);
  for (const [o, c] of s.seen) w.uint(o).uint(c);
  w.uint(s.tree.size);
  for (let leaf: Leaf | null = s.tree.head; leaf !== null; leaf = leaf.next) {
    for (let i = 0; i < leaf.keys.length; i++) {
      const k = leaf.keys[i]!;
      w.uint(keyId(k));
      writeSlot(w, leaf.vals[i]!, keyTag(k));
      if (keyTag(k) === EXPLICIT) w.uint(s.anchors!.get(keyId(k))!);
    }
  }
  const pending = s.pending ?? [];
  w.uint(pending.length);
  for (const p of pending) {
    w.uint(p.origin).uint(p.ctr).uint(p.anchor).uint(p.vals.length);
    for (const v of p.vals) writeSlot(w, v);
  }
  w.uint(s.gone?.size ?? 0);
  for (const [id, d] of s.gone ?? []) w.uint(id).uint(d);
  w.uint(s.clears?.length ?? 0);
  for (const c of s.clears ?? []) {
    w.uint(c.dot);
    writeMarks(w, c.upto);
  }
  w.uint(s.stamps?.size ?? 0);
  for (const [id, st] of s.stamps ?? []) w.uint(id).uint(st.ts).uint(st.origin).str(st.v);
}

function decode(r: BinaryReader): ListState {
  const clock = r.uint();
  const seen = new Map<number, number>();
  for (let ns = r.uint(); ns > 0; ns--) seen.set(r.uint(), r.uint());
  const n = r.uint();
  const keys: number[] = [];
  const vals: Slot[] = [];
  let anchors: Map<number, number> | null = null;
  for (let i = 0; i < n; i++) {
    const id = r.uint();
    const b = r.u8();
    const tag = b & 3;
    const val = readSlot(r, b);
    if (tag === GHOST && val !== GHOST_VAL) throw new RangeError('bad list ghost slot');
    keys.push(id * 4 + tag);
    vals.push(val);
    if (tag === EXPLICIT) (anchors ??= new Map()).set(id, r.uint());
  }
  const s = new ListState(OrderTree.fromSlots(keys, vals));
  s.clock = clock;
  s.seen = seen;
  s.anchors = anchors;
  for (let np = r.uint(); np > 0; np--) {
    const origin = r.uint();
    const ctr = r.uint();
    const anchor = r.uint();
    const pv: Slot[] = [];
    for (let m = r.uint(); m > 0; m--) pv.push(readSlot(r, r.u8()));
    (s.pending ??= []).push({ origin, ctr, anchor, vals: pv });
  }
  for (let ng = r.uint(); ng > 0; ng--) (s.gone ??= new Map()).set(r.uint(), r.uint());
  for (let nc = r.uint(); nc > 0; nc--) {
    const dot = r.uint();
    (s.clears ??= []).push({ dot, upto: readMarks(r) });
  }
  for (let ns = r.uint(); ns > 0; ns--) {
    const id = r.uint();
    (s.stamps ??= new Map()).set(id, { ts: r.uint(), origin: r.uint(), v: r.str() });
  }
  return s;
}

const EFFECT_TAGS = { ins: 1, rm: 2, clr: 3, set: 4 } as const;

function encodeEffect(e: ListEffect, w: BinaryWriter): void {
  w.u8(EFFECT_TAGS[e.t]);
  switch (e.t) {
    case 'ins':
      w.uint(e.a).uint(e.c).uint(e.v.length);
      for (const v of e.v) w.str(v);
      return;
    case 'rm':
      w.uint(e.ids.length);
      for (const id of e.ids) w.uint(id);
      return;
    case 'clr':
      writeMarks(w, e.upto);
      return;
    case 'set':
      w.uint(e.id).str(e.v);
      return;
  }
}

function decodeEffect(r: BinaryReader): ListEffect {
  const tag = r.u8();
  switch (tag) {
    case 1: {
      const a = r.uint();
      const c = r.uint();
      const v: string[] = [];
      for (let n = r.uint(); n > 0; n--) v.push(r.str());
      return { t: 'ins', a, c, v };
    }
    case 2: {
      const ids: number[] = [];
      for (let n = r.uint(); n > 0; n--) ids.push(r.uint());
      return { t: 'rm', ids };
    }
    case 3:
      return { t: 'clr', upto: readMarks(r) };
    case 4:
      return { t: 'set', id: r.uint(), v: r.str() };
    default:
      throw new RangeError(`unknown list effect tag ${tag}`);
  }
}

/** DEL: every element this instance has applied, as one counter per origin. */
function removalEffect(s: ListState): ListEffect {
  const max = new Map<number, number>();
  const see = (id: number) => {
    const o = elementOrigin(id);
    const c = elementCounter(id);
    if ((max.get(o) ?? 0) < c) max.set(o, c);
  };
  for (let leaf: Leaf | null = s.tree.head; leaf !== null; leaf = leaf.next) for (const k of leaf.keys) if (keyTag(k) !== GHOST) see(keyId(k));
  for (const p of s.pending ?? []) see(elementId(p.origin, p.ctr + p.vals.length - 1));
  const upto = [...max].sort((a, b) => a[0] - b[0]).map(([origin, ctr]) => ({ origin, ctr }));
  return { t: 'clr', upto };
}

export const ListType: KeyedType<ListState, ListEffect> = {
  name: 'list',
  empty: () => new ListState(),
  apply: applyEffect,
  joinInto,
  clone,
  isVisible: (s) => s.tree.live > 0,
  value(s) {
    const out: string[] = [];
    scan(s, 0, false, (v) => {
      out.push(v);
      return true;
    });
    return out;
  },
  equal,
  collect,
  encode,
  decode,
  encodeEffect,
  decodeEffect,
  removalEffect,
  removes: (e) => e.t === 'rm' || e.t === 'clr',
};
