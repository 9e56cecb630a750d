/**
 * The Redis hash: an observed-remove map from fields to string values (reference §2.3, §3.1).
 *
 * Each field's value is exactly an Active-Active string (string-value.ts): HSET writes its LWW
 * register and removes the counter contributions it saw; HINCRBY/HINCRBYFLOAT add to the
 * writer's counter contribution; HDEL is the string's observed-remove ('rm'). So concurrent
 * writes of different fields union (TV-HASH-01/02), a field deleted on one instance while updated
 * on another keeps the update (TV-HASH-03), and counter fields add up (TV-HASH-04).
 *
 * DEL of the whole key (TV-KEY-01) does not list every field: it carries, per origin, the latest
 * register timestamp the key showed (a `floor`), plus the counter observations of counter fields.
 * A remover that saw origin j's write stamped t had applied every earlier write of j, and j's
 * timestamps grow with its sequence (HLC), so "every register of origin j stamped <= t" is exactly
 * what it observed — the timestamp analogue of the OR-set's sequence thresholds (orset.ts).
 *
 * A field that shows nothing is kept (in `dead`) until collected: its register stamp still beats
 * the concurrent writes it won against, which must not reappear (whatever order they arrive in),
 * and its removal thresholds still cover late effects. Dead registers drop their value bytes.
 * `by` remembers, per field, the effects that removed something from it; `collect` forgets a dead
 * field once those and the floor entries covering it are stable (reference §3.7).
 */
import type { EffectMeta, Stability } from './crdt.js';
import type { Dyadic } from './dyadic.js';
import { toJSON } from './dyadic.js';
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
import type { StringEffect, StringState } from './string-value.js';
import { StringType, stringRemoves, counterSum, counterVisible, incrementIsFresh, observeCounter, registerVisible } from './string-value.js';

export interface HashState {
  /** Visible fields. */
  f: Map<string, StringState>;
  /** Fields that show nothing but are remembered until collected. */
  dead: Map<string, StringState> | null;
  /** DEL thresholds on register timestamps, per origin. */
  floor: Thresholds | null;
  /** Per field, packed dots of the effects that removed something from it (sorted), until stable. */
  by: Map<string, readonly number[]> | null;
}

/** One field's part of an effect: a string effect applied to that field's value. */
export interface HashOp {
  readonly f: string;
  readonly e: StringEffect;
}

/**
 * One command's effect on a hash: field operations under one dot (HSET k f1 v1 f2 v2 is two
 * 'set' ops) and, for DEL, the register floor it observed.
 */
export interface HashEffect {
  readonly ops: readonly HashOp[];
  readonly floor: readonly FloorMark[] | null;
}

/** A field as a reader sees it: the register (null when it shows none) and the counter sum. */
export interface FieldValue {
  readonly reg: string | null;
  /** Sum of the visible counter contributions; null when the field has none. */
  readonly sum: Dyadic | null;
}

function underFloor(h: HashState, fs: StringState): boolean {
  return h.floor !== null && fs.ts <= thresholdAt(h.floor, fs.id);
}

/** The register shows: written, above the field's own removal stamp, above the key's floor. */
function registerAlive(h: HashState, fs: StringState): boolean {
  return registerVisible(fs) && !underFloor(h, fs);
}

function fieldVisible(h: HashState, fs: StringState): boolean {
  return registerAlive(h, fs) || counterVisible(fs);
}

/** Puts a field where its visibility says, in canonical form (dead registers keep only their stamp). */
function settle(h: HashState, name: string, fs: StringState): void {
  if (fs.v !== null && fs.v !== '' && !registerAlive(h, fs)) fs.v = '';
  if (fieldVisible(h, fs)) {
    h.f.set(name, fs);
    if (h.dead?.delete(name) && h.dead.size === 0) h.dead = null;
  } else {
    h.f.delete(name);
    (h.dead ??= new Map()).set(name, fs);
  }
}

function settleAll(h: HashState): void {
  for (const [name, fs] of h.f) settle(h, name, fs);
  for (const [name, fs] of h.dead ?? []) settle(h, name, fs);
}

function fieldState(h: HashState, name: string): StringState | undefined {
  return h.f.get(name) ?? h.dead?.get(name);
}

/** Whether a field effect removes anything (then its dot guards the field until stable). */
function removes(e: StringEffect): boolean {
  return e.t === 'rm' || (e.t === 'set' && e.obs !== null && e.obs.length > 0);
}

function applyHashEffect(h: HashState, e: HashEffect, meta: EffectMeta): void {
  if (e.floor !== null) {
    h.floor = raiseByMarks(h.floor, e.floor, meta);
    settleAll(h);
  }
  for (const op of e.ops) {
    const fs = fieldState(h, op.f) ?? StringType.empty();
    StringType.apply(fs, op.e, meta);
    if (removes(op.e)) addRemovalDot((h.by ??= new Map()), op.f, packDot(meta.origin, meta.seq));
    settle(h, op.f, fs);
  }
}

function fieldsEqual(a: Map<string, StringState> | null, b: Map<string, StringState> | null): boolean {
  if ((a?.size ?? 0) !== (b?.size ?? 0)) return false;
  for (const [name, fs] of a ?? []) {
    const gs = b!.get(name);
    if (gs === undefined || !StringType.equal(fs, gs)) return false;
  }
  return true;
}

function byEqual(a: Map<string, readonly number[]> | null, b: Map<string, readonly number[]> | null): boolean {
  if ((a?.size ?? 0) !== (b?.size ?? 0)) return false;
  for (const [name, list] of a ?? []) {
    const other = b!.get(name);
    if (other === undefined || other.length !== list.length || list.some((p, i) => p !== other[i])) return false;
  }
  return true;
}

function cloneFields(m: Map<string, StringState>): Map<string, StringState> {
  const out = new Map<string, StringState>();
  for (const [name, fs] of m) out.set(name, StringType.clone(fs));
  return out;
}

function fieldValueOf(h: HashState, fs: StringState): FieldValue {
  return { reg: registerAlive(h, fs) ? fs.v : null, sum: counterVisible(fs) ? counterSum(fs) : null };
}

function collectHash(h: HashState, stable: Stability): void {
  // Stable floor entries: every write they cover has been delivered everywhere, and every later
  // write carries a higher stamp, so the covered registers can simply be forgotten.
  const floor = collectFloor(h.floor, stable);
  if (floor !== null) {
    const forget = (fs: StringState) => {
      if (fs.v !== null && floor.dropped.some((x) => x.origin === fs.id && fs.ts <= x.at)) {
        fs.v = null;
        fs.ts = 0;
        fs.id = 0;
      }
    };
    for (const fs of h.f.values()) forget(fs);
    for (const fs of h.dead?.values() ?? []) forget(fs);
    h.floor = floor.kept;
  }
  h.by = collectRemovalDots(h.by, stable);
  if (h.dead !== null) {
    for (const [name, fs] of h.dead) if (!h.by?.has(name) && !(fs.v !== null && underFloor(h, fs))) h.dead.delete(name);
    if (h.dead.size === 0) h.dead = null;
  }
}

export const HashType: KeyedType<HashState, HashEffect> = {
  name: 'hash',

  empty: () => ({ f: new Map(), dead: null, floor: null, by: null }),

  apply: applyHashEffect,

  joinInto(h, o) {
    h.floor = joinThresholds(h.floor, o.floor);
    if (o.by !== null) {
      const by = (h.by ??= new Map());
      for (const [name, list] of o.by) for (const p of list) addRemovalDot(by, name, p);
    }
    const join = (name: string, ofs: StringState) => {
      const fs = fieldState(h, name);
      if (fs === undefined) (h.dead ??= new Map()).set(name, StringType.clone(ofs));
      else StringType.joinInto(fs, ofs);
    };
    for (const [name, ofs] of o.f) join(name, ofs);
    for (const [name, ofs] of o.dead ?? []) join(name, ofs);
    settleAll(h);
  },

  clone: (h) => ({
    f: cloneFields(h.f),
    dead: h.dead && cloneFields(h.dead),
    floor: h.floor,
    by: h.by && new Map(h.by),
  }),

  isVisible: (h) => h.f.size > 0,

  /** Sorted [field, value] pairs; a value is shown as StringType.value shows a string. */
  value(h) {
    return [...h.f]
      .sort((a, b) => (a[0] < b[0] ? -1 : 1))
      .map(([name, fs]) => {
        const v = fieldValueOf(h, fs);
        return [name, v.sum === null ? v.reg : { reg: v.reg, sum: toJSON(v.sum) }];
      });
  },

  equal: (a, b) => fieldsEqual(a.f, b.f) && fieldsEqual(a.dead, b.dead) && thresholdsEqual(a.floor, b.floor) && byEqual(a.by, b.by),

  collect: collectHash,

  encode(h, w) {
    writeThresholds(w, h.floor);
    const writeFields = (m: Map<string, StringState> | null) => {
      w.uint(m?.size ?? 0);
      for (const [name, fs] of m ?? []) {
        w.str(name);
        StringType.encode(fs, w);
      }
    };
    writeFields(h.f);
    writeFields(h.dead);
    w.uint(h.by?.size ?? 0);
    for (const [name, list] of h.by ?? []) {
      w.str(name).uint(list.length);
      for (const p of list) w.uint(p);
    }
  },

  decode(r) {
    const h: HashState = { f: new Map(), dead: null, floor: readThresholds(r), by: null };
    for (let n = r.uint(); n > 0; n--) h.f.set(r.str(), StringType.decode(r));
    const nd = r.uint();
    if (nd > 0) {
      h.dead = new Map();
      for (let i = 0; i < nd; i++) h.dead.set(r.str(), StringType.decode(r));
    }
    const nb = r.uint();
    if (nb > 0) {
      h.by = new Map();
      for (let i = 0; i < nb; i++) {
        const name = r.str();
        const list: number[] = [];
        for (let k = r.uint(); k > 0; k--) list.push(r.uint());
        h.by.set(name, list);
      }
    }
    return h;
  },

  encodeEffect(e, w) {
    w.uint(e.ops.length);
    for (const op of e.ops) {
      w.str(op.f);
      StringType.encodeEffect(op.e, w);
    }
    w.u8(e.floor === null ? 0 : 1);
    if (e.floor !== null) writeMarks(w, e.floor);
  },

  decodeEffect(r) {
    const ops: HashOp[] = [];
    for (let n = r.uint(); n > 0; n--) ops.push({ f: r.str(), e: StringType.decodeEffect(r) });
    return { ops, floor: r.u8() === 1 ? readMarks(r) : null };
  },

  removalEffect(h) {
    const seen = new MarkCollector();
    const ops: HashOp[] = [];
    for (const [name, fs] of h.f) {
      if (registerAlive(h, fs)) seen.see(fs.id, fs.ts);
      if (counterVisible(fs)) ops.push({ f: name, e: { t: 'rm', ts: -1, id: 0, obs: observeCounter(fs) } });
    }
    return { ops, floor: seen.marks() };
  },

  removes: (e) => e.floor !== null || e.ops.some((o) => stringRemoves(o.e)),
};

// ---------------------------------------------------------------------------------------------
// Reads and effect builders for the engine

export function hashLength(h: HashState): number {
  return h.f.size;
}

export function hashHas(h: HashState, field: string): boolean {
  return h.f.has(field);
}

/** The visible value of `field`, or null when the hash does not show it. */
export function hashGet(h: HashState, field: string): FieldValue | null {
  const fs = h.f.get(field);
  return fs === undefined ? null : fieldValueOf(h, fs);
}

/** Visible fields and their values, in the map's order (HGETALL, HSCAN). */
export function* hashEntries(h: HashState): IterableIterator<[string, FieldValue]> {
  for (const [name, fs] of h.f) yield [name, fieldValueOf(h, fs)];
}

/** HSET/HSETNX/HMSET of one field: writes the register, removes the counter parts seen. */
export function hashSetOp(h: HashState, field: string, value: string): HashOp {
  const fs = h.f.get(field);
  return { f: field, e: { t: 'set', v: value, obs: fs === undefined ? null : observeCounter(fs) } };
}

/** HINCRBY/HINCRBYFLOAT: adds `delta` to this instance's contribution to `field`. */
export function hashIncrementOp(h: HashState, field: string, delta: Dyadic, self: number): HashOp {
  const fs = fieldState(h, field);
  return { f: field, e: { t: 'incr', d: delta, fresh: fs === undefined || incrementIsFresh(fs, self) } };
}

/** HDEL of one field: removes what this instance sees of it; null when it does not show it. */
export function hashDeleteOp(h: HashState, field: string): HashOp | null {
  const fs = h.f.get(field);
  if (fs === undefined) return null;
  const reg = registerAlive(h, fs);
  return { f: field, e: { t: 'rm', ts: reg ? fs.ts : -1, id: reg ? fs.id : 0, obs: observeCounter(fs) } };
}

/**
 * One command's effect. A field written twice by one command keeps its last op (HSET k f 1 f 2
 * sets "2"): ops of one effect share a stamp, so a second register write could not win.
 */
export function hashEffect(ops: readonly HashOp[]): HashEffect {
  return { ops: lastOpPerName(ops, (o) => o.f), floor: null };
}
