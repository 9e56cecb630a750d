/**
 * The Redis sorted set (reference §2.5, §3.1): an observed-remove map from members to scores,
 * with an ordered index kept up to date on every apply, local or remote.
 *
 * A member's score has two parts, as the reference's model says:
 * - a base, an LWW register written by ZADD (highest HLC stamp wins, ties to the lower instance
 *   id: TV-ZSET-02/03); a ZADD also removes the increments it saw, so it sets the score it shows
 *   locally while a concurrent ZINCRBY elsewhere still adds on top;
 * - per-instance increment contributions from ZINCRBY, which add up across instances (TV-ZSET-04)
 *   with the same lineage rules as string counters (string-value.ts).
 * ZREM removes what its issuer saw — the base stamp and each contribution up to the sequence it
 * saw — so a concurrent ZINCRBY survives with only its unobserved part (TV-ZSET-05, TV-KEY-02).
 * As for strings, removing a base stamp also removes concurrent ZADDs that lost LWW to it.
 * A member is present while some part of its score shows; DEL works as for hashes (hash.ts):
 * a per-origin floor on base stamps plus the increment observations of members that have any.
 *
 * Scores are doubles, not exact dyadics: Redis computes ZINCRBY in doubles and replies with them,
 * and a bigint per member would cost memory on the million-member sets this type is sized for.
 * Convergence is still exact: each contribution is accumulated in its origin's own order (the
 * same at every instance, per-origin FIFO), an unobserved part is `cumulative - observed` (one
 * subtraction of the same two doubles everywhere), and the score is base + contributions summed
 * in ascending origin order, so every instance computes the same bits from the same state. One
 * rule is ours: a sum that comes out NaN (an +inf and a -inf part, possible only across
 * instances — the engine refuses a local NaN) reads as 0, and so does an unobserved part of an
 * infinite contribution (inf - inf).
 *
 * Memory: a member with only a ZADD base is one Map entry, one ZNode (member, score, stamp) and
 * one slot in the index; increments and removal thresholds live in one extra array of numbers,
 * allocated only for members that have them.
 */
import type { BinaryReader, BinaryWriter } from './binary.js';
import type { EffectMeta, Stability } from './crdt.js';
import type { KeyedType } from './key.js';
import type { FloorMark, Thresholds } from './orset.js';
import {
  MarkCollector,
  addRemovalDot,
  collectFloor,
  collectRemovalDots,
  lastOpPerName,
  joinThresholds,
  packDot,
  raiseByMarks,
  readMarks,
  readThresholds,
  thresholdAt,
  thresholdsEqual,
  writeMarks,
  writeThresholds,
} from './orset.js';
import { RankedTree } from './ranked-tree.js';
import { stampWins, stringRemoves } from './string-value.js';

/** What readers see of a member. */
export interface ZEntry {
  readonly member: string;
  readonly score: number;
}

/**
 * A member's increments and removal thresholds, packed into one array of numbers — one allocation
 * instead of five, about 110 bytes less per member that has increments:
 *
 *   [base, rmTs, rmId, n, counters: n × (origin, start, seq, v), removed: m × (origin, seq, v)]
 *
 * - base: the base value (kept in `ZNode.score` while there is no extra);
 * - rmTs, rmId: base stamps at or below are removed (rmTs = -1 removes nothing);
 * - a counter is one instance's contribution lineage (string-value.ts): `start` the sequence of
 *   the increment that began it, `seq` the latest, `v` the cumulative contribution, summed in the
 *   origin's own order;
 * - a removed entry: that instance's contribution up to `seq`, worth `v`, was removed.
 * Both runs are sorted by origin, one entry per origin.
 */
type ZExtra = number[];

const X_BASE = 0;
const X_RM_TS = 1;
const X_RM_ID = 2;
const X_COUNTERS = 3;
const X_HEAD = 4;
const COUNTER_WIDTH = 4;
const REMOVED_WIDTH = 3;

export class ZNode implements ZEntry {
  /**
   * The visible score — the index key — while the member is live. While `x` is null it is also
   * the base value. Never changed while the node is in the index.
   */
  score: number;
  /** Stamp of the base register; ts = -1: no base. */
  ts: number;
  id: number;
  /** Increments and removal thresholds; null for the common member that has only a base. */
  x: ZExtra | null = null;

  constructor(
    readonly member: string,
    score: number,
    ts: number,
    id: number,
  ) {
    this.score = score;
    this.ts = ts;
    this.id = id;
  }
}

export interface ZSetState {
  /** Members that show, by name; exactly the elements of `index`. */
  live: Map<string, ZNode>;
  /** Members that show nothing but are remembered until collected (see hash.ts). */
  dead: Map<string, ZNode> | null;
  /** Live members ordered by (score, member bytes). */
  index: RankedTree<ZNode>;
  /** DEL thresholds on base stamps, per origin. */
  floor: Thresholds | null;
  /** Per member, packed dots of the effects that removed something from it, until stable. */
  by: Map<string, readonly number[]> | null;
}

/** What an observed-remove saw of a member's increments: each instance's cumulative part. */
export interface ScoreObservation {
  readonly origin: number;
  readonly seq: number;
  readonly v: number;
}

export type ScoreEffect =
  /** ZADD: writes the base, removes the increments seen. */
  | { readonly t: 'set'; readonly v: number; readonly obs: readonly ScoreObservation[] | null }
  /** ZINCRBY: adds to this instance's contribution (`fresh`: starts a new lineage). */
  | { readonly t: 'incr'; readonly d: number; readonly fresh: boolean }
  /** ZREM: removes the base stamp seen (ts = -1: none) and the increments seen. */
  | { readonly t: 'rm'; readonly ts: number; readonly id: number; readonly obs: readonly ScoreObservation[] | null };

export interface ZOp {
  readonly m: string;
  readonly e: ScoreEffect;
}

/** One command's effect: member operations under one dot and, for DEL, the base floor seen. */
export interface ZSetEffect {
  readonly ops: readonly ZOp[];
  readonly floor: readonly FloorMark[] | null;
}

export function compareNodes(a: ZNode, b: ZNode): number {
  if (a.score < b.score) return -1;
  if (a.score > b.score) return 1;
  return a.member < b.member ? -1 : a.member > b.member ? 1 : 0;
}

// ---------------------------------------------------------------------------------------------
// One member's score

function baseOf(n: ZNode): number {
  return n.x === null ? n.score : n.x[X_BASE]!;
}

function setBase(n: ZNode, v: number): void {
  if (n.x === null) n.score = v;
  else n.x[X_BASE] = v;
}

function extra(n: ZNode): ZExtra {
  return (n.x ??= [n.score, -1, 0, 0]);
}

/** Offset of the first removed entry (just past the counters). */
function removedStart(x: ZExtra): number {
  return X_HEAD + x[X_COUNTERS]! * COUNTER_WIDTH;
}

/** Offset of `origin`'s counter, or -1. */
function findCounter(x: ZExtra, origin: number): number {
  const end = removedStart(x);
  for (let o = X_HEAD; o < end; o += COUNTER_WIDTH) if (x[o] === origin) return o;
  return -1;
}

/** Offset of `origin`'s removed entry, or -1. */
function findRemoved(x: ZExtra, origin: number): number {
  for (let o = removedStart(x); o < x.length; o += REMOVED_WIDTH) if (x[o] === origin) return o;
  return -1;
}

/**
 * Inserts by copying into an array of the exact size: `splice` would leave spare capacity behind
 * (measured: 280 instead of 120 bytes for a member with one counter). Replaces `n.x`.
 */
function insertAt(n: ZNode, at: number, values: number[]): ZExtra {
  const x = extra(n);
  n.x = x.slice(0, at).concat(values, x.slice(at));
  return n.x;
}

/** Sets `origin`'s counter on `n` (a new lineage replaces the old one), keeping origin order. */
function putCounter(n: ZNode, origin: number, start: number, seq: number, v: number): void {
  const x = extra(n);
  const end = removedStart(x);
  let o = X_HEAD;
  while (o < end && x[o]! < origin) o += COUNTER_WIDTH;
  if (o < end && x[o] === origin) {
    x[o + 1] = start;
    x[o + 2] = seq;
    x[o + 3] = v;
    return;
  }
  insertAt(n, o, [origin, start, seq, v])[X_COUNTERS]! += 1;
}

/** Raises `origin`'s removed entry on `n` to (seq, v) unless it already covers more. */
function raiseRemoved(n: ZNode, origin: number, seq: number, v: number): void {
  const x = extra(n);
  let o = removedStart(x);
  while (o < x.length && x[o]! < origin) o += REMOVED_WIDTH;
  if (o < x.length && x[o] === origin) {
    if (x[o + 1]! < seq) {
      x[o + 1] = seq;
      x[o + 2] = v;
    }
    return;
  }
  insertAt(n, o, [origin, seq, v]);
}

function baseAlive(z: ZSetState, n: ZNode): boolean {
  if (n.ts < 0) return false;
  const x = n.x;
  if (x !== null && x[X_RM_TS]! >= 0 && !stampWins(n.ts, n.id, x[X_RM_TS]!, x[X_RM_ID]!)) return false;
  return z.floor === null || n.ts > thresholdAt(z.floor, n.id);
}

/** Whether the counter at offset `c` shows: something after what was removed of it. */
function counterShows(x: ZExtra, c: number): boolean {
  const r = findRemoved(x, x[c]!);
  return r < 0 || x[r + 1]! < x[c + 2]!;
}

/** The visible part of the counter at offset `c`: all of it, or what came after the removal. */
function counterPart(x: ZExtra, c: number): number {
  const r = findRemoved(x, x[c]!);
  if (r < 0 || x[r + 1]! < x[c + 1]!) return x[c + 3]!;
  const d = x[c + 3]! - x[r + 2]!;
  return Number.isNaN(d) ? 0 : d;
}

function countersShow(n: ZNode): boolean {
  const x = n.x;
  if (x === null) return false;
  const end = removedStart(x);
  for (let c = X_HEAD; c < end; c += COUNTER_WIDTH) if (counterShows(x, c)) return true;
  return false;
}

/** The score a member shows, or null when nothing of it shows (see the module comment). */
function visibleScore(z: ZSetState, n: ZNode): number | null {
  let s: number | null = baseAlive(z, n) ? baseOf(n) : null;
  const x = n.x;
  if (x !== null) {
    const end = removedStart(x);
    for (let c = X_HEAD; c < end; c += COUNTER_WIDTH) {
      if (!counterShows(x, c)) continue;
      const part = counterPart(x, c);
      s = s === null ? part : s + part;
    }
  }
  return s !== null && Number.isNaN(s) ? 0 : s;
}

function removeCounters(n: ZNode, obs: readonly ScoreObservation[] | null): void {
  if (obs === null || obs.length === 0) return;
  for (const o of obs) raiseRemoved(n, o.origin, o.seq, o.v);
}

/** Applies one member operation to a node that is not in the index. */
function applyScore(n: ZNode, e: ScoreEffect, meta: EffectMeta): void {
  switch (e.t) {
    case 'set':
      if (n.ts < 0 || stampWins(meta.ts, meta.origin, n.ts, n.id)) {
        setBase(n, e.v);
        n.ts = meta.ts;
        n.id = meta.origin;
      }
      removeCounters(n, e.obs);
      return;
    case 'incr': {
      const x = extra(n);
      const c = findCounter(x, meta.origin);
      if (c < 0 || e.fresh) putCounter(n, meta.origin, meta.seq, meta.seq, e.d);
      else {
        x[c + 2] = meta.seq;
        x[c + 3]! += e.d;
      }
      return;
    }
    case 'rm':
      if (e.ts >= 0) {
        const x = extra(n);
        if (x[X_RM_TS]! < 0 || stampWins(e.ts, e.id, x[X_RM_TS]!, x[X_RM_ID]!)) {
          x[X_RM_TS] = e.ts;
          x[X_RM_ID] = e.id;
        }
      }
      removeCounters(n, e.obs);
      return;
  }
}

/** Joins `o` into the detached node `n` (per part: the lattice of apply). */
function joinNode(n: ZNode, o: ZNode): void {
  if (o.ts >= 0 && (n.ts < 0 || stampWins(o.ts, o.id, n.ts, n.id))) {
    setBase(n, baseOf(o));
    n.ts = o.ts;
    n.id = o.id;
  }
  const ox = o.x;
  if (ox === null) return;
  const x = extra(n);
  const oTs = ox[X_RM_TS]!;
  if (oTs >= 0 && (x[X_RM_TS]! < 0 || stampWins(oTs, ox[X_RM_ID]!, x[X_RM_TS]!, x[X_RM_ID]!))) {
    x[X_RM_TS] = oTs;
    x[X_RM_ID] = ox[X_RM_ID]!;
  }
  const oEnd = removedStart(ox);
  for (let c = X_HEAD; c < oEnd; c += COUNTER_WIDTH) {
    const cur = findCounter(n.x!, ox[c]!);
    if (cur < 0 || n.x![cur + 2]! < ox[c + 2]!) putCounter(n, ox[c]!, ox[c + 1]!, ox[c + 2]!, ox[c + 3]!);
  }
  for (let r = oEnd; r < ox.length; r += REMOVED_WIDTH) raiseRemoved(n, ox[r]!, ox[r + 1]!, ox[r + 2]!);
}

function cloneNode(n: ZNode): ZNode {
  const c = new ZNode(n.member, n.score, n.ts, n.id);
  c.x = n.x && n.x.slice();
  return c;
}

const NO_EXTRA: ZExtra = [0, -1, 0, 0];

function nodesEqual(p: ZNode, q: ZNode): boolean {
  if (p.member !== q.member || p.ts !== q.ts || p.id !== q.id) return false;
  if (p.ts >= 0 && !Object.is(baseOf(p), baseOf(q))) return false;
  // No extra and an extra holding nothing are the same state.
  const px = p.x ?? NO_EXTRA;
  const qx = q.x ?? NO_EXTRA;
  if (px[X_RM_TS] !== qx[X_RM_TS] || (px[X_RM_TS]! >= 0 && px[X_RM_ID] !== qx[X_RM_ID])) return false;
  if (px.length !== qx.length) return false;
  for (let i = X_COUNTERS; i < px.length; i++) if (!Object.is(px[i], qx[i])) return false;
  return true;
}

// ---------------------------------------------------------------------------------------------
// The set of members

function newState(): ZSetState {
  return { live: new Map(), dead: null, index: new RankedTree(compareNodes), floor: null, by: null };
}

/** Re-places a node taken out of the index (`detach`) for a change: back in with its new score, or among the dead. */
function settle(z: ZSetState, n: ZNode): void {
  const s = visibleScore(z, n);
  if (s === null) {
    z.live.delete(n.member);
    (z.dead ??= new Map()).set(n.member, n);
    return;
  }
  // While x is null, score is the base and visibleScore returned it unchanged.
  if (n.x !== null) n.score = s;
  z.index.insert(n);
  z.live.set(n.member, n);
  if (z.dead?.delete(n.member) && z.dead.size === 0) z.dead = null;
}

/**
 * Re-places every member in the index after the floor rose (DEL, or a join): one pass and a
 * bulk rebuild, O(n), rather than a delete and insert per member.
 */
function resettleIndexed(z: ZSetState): void {
  const keep: ZNode[] = [];
  const moved: ZNode[] = [];
  for (const n of z.index) {
    const s = visibleScore(z, n);
    if (s === null) {
      z.live.delete(n.member);
      (z.dead ??= new Map()).set(n.member, n);
    } else if (Object.is(s, n.score)) keep.push(n);
    else {
      n.score = s; // only with an extra: without one the score is the base, unchanged
      moved.push(n);
    }
  }
  if (keep.length === z.index.size) return;
  z.index = new RankedTree(compareNodes, keep);
  for (const n of moved) z.index.insert(n);
}

/** Takes a member out of the index for a change; creates it when unknown. */
function detach(z: ZSetState, member: string): ZNode {
  const n = z.live.get(member);
  if (n !== undefined) {
    z.index.delete(n);
    return n;
  }
  return z.dead?.get(member) ?? new ZNode(member, 0, -1, 0);
}

function removes(e: ScoreEffect): boolean {
  return e.t === 'rm' || (e.t === 'set' && e.obs !== null && e.obs.length > 0);
}

function applyZSetEffect(z: ZSetState, e: ZSetEffect, meta: EffectMeta): void {
  if (e.floor !== null) {
    z.floor = raiseByMarks(z.floor, e.floor, meta);
    resettleIndexed(z);
  }
  for (const op of e.ops) {
    const n = detach(z, op.m);
    applyScore(n, op.e, meta);
    if (removes(op.e)) addRemovalDot((z.by ??= new Map()), op.m, packDot(meta.origin, meta.seq));
    settle(z, n);
  }
}

function collectZSet(z: ZSetState, stable: Stability): void {
  // Stable floor entries: the bases they cover can be forgotten (see hash.ts).
  const floor = collectFloor(z.floor, stable);
  if (floor !== null) {
    const forget = (n: ZNode) => {
      if (n.ts >= 0 && floor.dropped.some((x) => x.origin === n.id && n.ts <= x.at)) {
        // A live node here shows only increments, so it has an extra and its score stays.
        setBase(n, 0);
        n.ts = -1;
        n.id = 0;
      }
    };
    for (const n of z.live.values()) forget(n);
    for (const n of z.dead?.values() ?? []) forget(n);
    z.floor = floor.kept;
  }
  z.by = collectRemovalDots(z.by, stable);
  if (z.dead !== null) {
    for (const [member, n] of z.dead) {
      const coveredByFloor = n.ts >= 0 && z.floor !== null && n.ts <= thresholdAt(z.floor, n.id);
      if (!z.by?.has(member) && !coveredByFloor) z.dead.delete(member);
    }
    if (z.dead.size === 0) z.dead = null;
  }
}

function writeNode(w: BinaryWriter, n: ZNode): void {
  w.str(n.member).uint(n.ts + 1).uint(n.id).f64(baseOf(n));
  const x = n.x;
  w.u8(x === null ? 0 : 1);
  if (x === null) return;
  w.uint(x[X_RM_TS]! + 1).uint(x[X_RM_ID]!).uint(x[X_COUNTERS]!);
  const end = removedStart(x);
  for (let c = X_HEAD; c < end; c += COUNTER_WIDTH) w.uint(x[c]!).uint(x[c + 1]!).uint(x[c + 2]!).f64(x[c + 3]!);
  w.uint((x.length - end) / REMOVED_WIDTH);
  for (let r = end; r < x.length; r += REMOVED_WIDTH) w.uint(x[r]!).uint(x[r + 1]!).f64(x[r + 2]!);
}

function readNode(r: BinaryReader): ZNode {
  const member = r.str();
  const ts = r.uint() - 1;
  const id = r.uint();
  const n = new ZNode(member, r.f64(), ts, id);
  if (r.u8() === 1) {
    const x = extra(n);
    x[X_RM_TS] = r.uint() - 1;
    x[X_RM_ID] = r.uint();
    for (let k = r.uint(); k > 0; k--) putCounter(n, r.uint(), r.uint(), r.uint(), r.f64());
    for (let k = r.uint(); k > 0; k--) raiseRemoved(n, r.uint(), r.uint(), r.f64());
  }
  return n;
}

function writeScoreObs(w: BinaryWriter, obs: readonly ScoreObservation[] | null): void {
  if (obs === null) {
    w.uint(0);
    return;
  }
  w.uint(obs.length + 1);
  for (const o of obs) w.uint(o.origin).uint(o.seq).f64(o.v);
}

function readScoreObs(r: BinaryReader): ScoreObservation[] | null {
  const n = r.uint();
  if (n === 0) return null;
  const out: ScoreObservation[] = [];
  for (let i = 1; i < n; i++) out.push({ origin: r.uint(), seq: r.uint(), v: r.f64() });
  return out;
}

function nodeMapsEqual(a: Map<string, ZNode> | null, b: Map<string, ZNode> | null): boolean {
  if ((a?.size ?? 0) !== (b?.size ?? 0)) return false;
  for (const [member, n] of a ?? []) {
    const m = b!.get(member);
    if (m === undefined || !nodesEqual(n, m)) return false;
  }
  return true;
}

function byEqual(a: Map<string, readonly number[]> | null, b: Map<string, readonly number[]> | null): boolean {
  if ((a?.size ?? 0) !== (b?.size ?? 0)) return false;
  for (const [member, list] of a ?? []) {
    const other = b!.get(member);
    if (other === undefined || other.length !== list.length || list.some((p, i) => p !== other[i])) return false;
  }
  return true;
}

export const ZSetType: KeyedType<ZSetState, ZSetEffect> = {
  name: 'zset',

  empty: newState,

  apply: applyZSetEffect,

  joinInto(z, o) {
    z.floor = joinThresholds(z.floor, o.floor);
    for (const [member, list] of o.by ?? []) for (const p of list) addRemovalDot((z.by ??= new Map()), member, p);
    const touched = new Set<ZNode>();
    const join = (on: ZNode) => {
      const n = detach(z, on.member);
      joinNode(n, on);
      touched.add(n);
    };
    for (const on of o.live.values()) join(on);
    for (const on of o.dead?.values() ?? []) join(on);
    // The floor may have risen: members still in the index (untouched) are re-placed too.
    resettleIndexed(z);
    for (const n of touched) settle(z, n);
  },

  clone(z) {
    const c = newState();
    const live: ZNode[] = [];
    for (const n of z.index) {
      const m = cloneNode(n);
      live.push(m);
      c.live.set(m.member, m);
    }
    c.index = new RankedTree(compareNodes, live);
    if (z.dead !== null) c.dead = new Map([...z.dead].map(([member, n]) => [member, cloneNode(n)]));
    c.floor = z.floor;
    c.by = z.by && new Map(z.by);
    return c;
  },

  isVisible: (z) => z.live.size > 0,

  value: (z) => [...z.index].map((n) => [n.member, n.score]),

  equal: (a, b) => nodeMapsEqual(a.live, b.live) && nodeMapsEqual(a.dead, b.dead) && thresholdsEqual(a.floor, b.floor) && byEqual(a.by, b.by),

  collect: collectZSet,

  encode(z, w) {
    writeThresholds(w, z.floor);
    w.uint(z.live.size);
    for (const n of z.index) writeNode(w, n);
    w.uint(z.dead?.size ?? 0);
    for (const n of z.dead?.values() ?? []) writeNode(w, n);
    w.uint(z.by?.size ?? 0);
    for (const [member, list] of z.by ?? []) {
      w.str(member).uint(list.length);
      for (const p of list) w.uint(p);
    }
  },

  decode(r) {
    const z = newState();
    z.floor = readThresholds(r);
    const live: ZNode[] = [];
    for (let n = r.uint(); n > 0; n--) {
      const node = readNode(r);
      if (node.x !== null) node.score = visibleScore(z, node) ?? 0;
      live.push(node);
      z.live.set(node.member, node);
    }
    // Written in index order; sort only if the input says otherwise.
    if (live.some((n, i) => i > 0 && compareNodes(live[i - 1]!, n) >= 0)) live.sort(compareNodes);
    z.index = new RankedTree(compareNodes, live);
    const nd = r.uint();
    if (nd > 0) {
      z.dead = new Map();
      for (let i = 0; i < nd; i++) {
        const node = readNode(r);
        z.dead.set(node.member, node);
      }
    }
    const nb = r.uint();
    if (nb > 0) {
      z.by = new Map();
      for (let i = 0; i < nb; i++) {
        const member = r.str();
        const list: number[] = [];
        for (let k = r.uint(); k > 0; k--) list.push(r.uint());
        z.by.set(member, list);
      }
    }
    return z;
  },

  encodeEffect(e, w) {
    w.uint(e.ops.length);
    for (const { m, e: se } of e.ops) {
      w.str(m);
      switch (se.t) {
        case 'set':
          w.u8(1).f64(se.v);
          writeScoreObs(w, se.obs);
          break;
        case 'incr':
          w.u8(2).f64(se.d).u8(se.fresh ? 1 : 0);
          break;
        case 'rm':
          w.u8(3).uint(se.ts + 1).uint(se.id);
          writeScoreObs(w, se.obs);
          break;
      }
    }
    w.u8(e.floor === null ? 0 : 1);
    if (e.floor !== null) writeMarks(w, e.floor);
  },

  decodeEffect(r) {
    const ops: ZOp[] = [];
    for (let n = r.uint(); n > 0; n--) {
      const m = r.str();
      const tag = r.u8();
      switch (tag) {
        case 1:
          ops.push({ m, e: { t: 'set', v: r.f64(), obs: readScoreObs(r) } });
          break;
        case 2:
          ops.push({ m, e: { t: 'incr', d: r.f64(), fresh: r.u8() === 1 } });
          break;
        case 3:
          ops.push({ m, e: { t: 'rm', ts: r.uint() - 1, id: r.uint(), obs: readScoreObs(r) } });
          break;
        default:
          throw new RangeError(`unknown sorted-set effect tag ${tag}`);
      }
    }
    return { ops, floor: r.u8() === 1 ? readMarks(r) : null };
  },

  removalEffect(z) {
    const seen = new MarkCollector();
    const ops: ZOp[] = [];
    for (const n of z.live.values()) {
      if (baseAlive(z, n)) seen.see(n.id, n.ts);
      if (countersShow(n)) ops.push({ m: n.member, e: { t: 'rm', ts: -1, id: 0, obs: observeScore(n) } });
    }
    return { ops, floor: seen.marks() };
  },

  removes: (e) => e.floor !== null || e.ops.some((o) => stringRemoves(o.e)),
};

// ---------------------------------------------------------------------------------------------
// Reads for the engine (all O(log n), ranges O(log n + length), never sorting)

export interface ScoreRange {
  readonly min: number;
  readonly max: number;
  readonly minExclusive?: boolean;
  readonly maxExclusive?: boolean;
}

/** A ZRANGEBYLEX bound: '-' and '+' are the open ends, else a member with `[` or `(` semantics. */
export type LexBound = '-' | '+' | { readonly v: string; readonly exclusive: boolean };

export function zsetCard(z: ZSetState): number {
  return z.live.size;
}

export function zsetScore(z: ZSetState, member: string): number | null {
  return z.live.get(member)?.score ?? null;
}

/** 0-based rank by ascending score, or by descending score when `reverse`; null when absent. */
export function zsetRank(z: ZSetState, member: string, reverse = false): number | null {
  const n = z.live.get(member);
  if (n === undefined) return null;
  const r = z.index.rankOf(n);
  return reverse ? z.index.size - 1 - r : r;
}

/** The member at a 0-based rank (ZRANDMEMBER, ZPOP* pick by rank). */
export function zsetAt(z: ZSetState, rank: number): ZEntry | undefined {
  return z.index.at(rank);
}

/** ZRANGE start stop [REV]: Redis index rules (negative from the end, clamped). */
export function zsetRangeByRank(z: ZSetState, start: number, stop: number, reverse = false): ZEntry[] {
  const len = z.index.size;
  let from = start < 0 ? start + len : start;
  let to = stop < 0 ? stop + len : stop;
  if (from < 0) from = 0;
  if (from > to || from >= len) return [];
  if (to >= len) to = len - 1;
  const count = to - from + 1;
  return reverse ? z.index.slice(len - 1 - from, count, true) : z.index.slice(from, count);
}

function scoreBounds(z: ZSetState, r: ScoreRange): [number, number] {
  const lo = z.index.lowerBound(r.minExclusive ? (n) => n.score > r.min : (n) => n.score >= r.min);
  const hi = z.index.lowerBound(r.maxExclusive ? (n) => n.score >= r.max : (n) => n.score > r.max);
  return [lo, Math.max(lo, hi)];
}

function lexRank(z: ZSetState, b: LexBound, isMax: boolean): number {
  if (b === '-') return 0;
  if (b === '+') return z.index.size;
  const { v, exclusive } = b;
  // A lower bound starts at the first member inside it, an upper bound ends before the first one past it.
  const past = isMax !== exclusive;
  return z.index.lowerBound(past ? (n) => n.member > v : (n) => n.member >= v);
}

function lexBounds(z: ZSetState, min: LexBound, max: LexBound): [number, number] {
  const lo = lexRank(z, min, false);
  return [lo, Math.max(lo, lexRank(z, max, true))];
}

/** Ranks [lo, hi) walked forwards or backwards, after skipping `offset`, at most `count` (< 0: all). */
function window(z: ZSetState, lo: number, hi: number, reverse: boolean, offset: number, count: number): ZEntry[] {
  const n = hi - lo - Math.max(0, offset);
  if (n <= 0 || count === 0) return [];
  const take = count < 0 ? n : Math.min(n, count);
  const skip = Math.max(0, offset);
  return reverse ? z.index.slice(hi - 1 - skip, take, true) : z.index.slice(lo + skip, take);
}

/** ZRANGEBYSCORE / ZREVRANGEBYSCORE (then pass the range as min..max and `reverse`), with LIMIT. */
export function zsetRangeByScore(z: ZSetState, range: ScoreRange, reverse = false, offset = 0, count = -1): ZEntry[] {
  const [lo, hi] = scoreBounds(z, range);
  return window(z, lo, hi, reverse, offset, count);
}

export function zsetCountByScore(z: ZSetState, range: ScoreRange): number {
  const [lo, hi] = scoreBounds(z, range);
  return hi - lo;
}

/**
 * ZRANGEBYLEX / ZREVRANGEBYLEX, with LIMIT. Like Redis, meaningful when all members share one
 * score; otherwise the result is some slice of the index (Redis leaves it unspecified too).
 */
export function zsetRangeByLex(z: ZSetState, min: LexBound, max: LexBound, reverse = false, offset = 0, count = -1): ZEntry[] {
  const [lo, hi] = lexBounds(z, min, max);
  return window(z, lo, hi, reverse, offset, count);
}

export function zsetCountByLex(z: ZSetState, min: LexBound, max: LexBound): number {
  const [lo, hi] = lexBounds(z, min, max);
  return hi - lo;
}

/** Members in index order (ZSCAN, ZUNIONSTORE …). */
export function zsetEntries(z: ZSetState): IterableIterator<ZEntry> {
  return z.index[Symbol.iterator]();
}

// ---------------------------------------------------------------------------------------------
// Effect builders for the engine

/** Each instance's increment lineage as this instance sees it: what ZADD and ZREM remove. */
function observeScore(n: ZNode): ScoreObservation[] | null {
  const x = n.x;
  if (x === null || x[X_COUNTERS] === 0) return null;
  const out: ScoreObservation[] = [];
  const end = removedStart(x);
  for (let c = X_HEAD; c < end; c += COUNTER_WIDTH) out.push({ origin: x[c]!, seq: x[c + 2]!, v: x[c + 3]! });
  return out;
}

/** ZADD of one member (also ZADD GT/LT/XX/NX once the engine decided to write). */
export function zsetAddOp(z: ZSetState, member: string, score: number): ZOp {
  const n = z.live.get(member);
  return { m: member, e: { t: 'set', v: score, obs: n === undefined ? null : observeScore(n) } };
}

/** ZINCRBY (and ZADD INCR): adds `delta` to this instance's contribution. */
export function zsetIncrementOp(z: ZSetState, member: string, delta: number, self: number): ZOp {
  const x = (z.live.get(member) ?? z.dead?.get(member))?.x ?? null;
  const c = x === null ? -1 : findCounter(x, self);
  const fresh = c < 0 || !counterShows(x!, c);
  return { m: member, e: { t: 'incr', d: delta, fresh } };
}

/** ZREM of one member: removes what this instance sees of it; null when it does not show it. */
export function zsetRemoveOp(z: ZSetState, member: string): ZOp | null {
  const n = z.live.get(member);
  if (n === undefined) return null;
  const base = baseAlive(z, n);
  return { m: member, e: { t: 'rm', ts: base ? n.ts : -1, id: base ? n.id : 0, obs: observeScore(n) } };
}

/**
 * One command's effect. A member named twice by one command keeps its last op (ZADD z 1 a 2 a
 * scores 2): ops of one effect share a stamp, so a second base write could not win.
 */
export function zsetEffect(ops: readonly ZOp[]): ZSetEffect {
  return { ops: lastOpPerName(ops, (o) => o.m), floor: null };
}
