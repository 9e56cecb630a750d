/**
 * The Redis set: an add-wins observed-remove set (reference §2.4, §3.1).
 *
 * Every SADD tags the members it adds with its dot (origin, seq). SREM removes the dots it saw
 * for each member, DEL removes every dot the key showed; an add the remover had not seen
 * survives (TV-SET-01..04).
 *
 * Removals are kept as per-origin thresholds instead of dot sets: a remover that saw the dot
 * (j, s) had applied every effect of origin j up to s (per-origin FIFO), so "every dot of origin j
 * with seq <= s" is exactly what it observed. That makes the state a product of max-registers —
 * per member and origin, the latest add and the highest removal threshold — so apply and join
 * give the same state whatever the delivery order, and a removal that arrives before the add it
 * removed needs no separate `gone` record (compare expiry.ts): the threshold is the record.
 *
 * - SREM keeps a threshold per member and origin (`rm`); DEL keeps one per origin for the whole
 *   key (`floor`), so deleting a million-member set costs one small vector, not a million entries.
 * - A member is visible when one of its adds is above both thresholds of its origin. Adds at or
 *   below are dropped, and member thresholds at or below the floor are dropped, so every state has
 *   one canonical form (the convergence laws compare whole states).
 * - Each origin keeps only its latest add of a member: an instance's re-add supersedes its own
 *   older dot, and a concurrent SREM that saw only the older one does not remove the new one
 *   (add wins, TV-SET-03 and the reference's open point on re-adding a present member).
 * - Thresholds remember the removing effect's dot and are dropped by `collect` once it is stable
 *   (reference §3.7); by then every add they cover has been delivered everywhere.
 *
 * Memory: a live member costs one Map entry whose value is one number packing its dot, or an
 * array of such numbers while concurrent adds of several origins are all visible.
 *
 * The removal thresholds and packed dots are shared with hash.ts and zset.ts (observed-remove
 * maps), which threshold register timestamps per origin the same way.
 */
import type { BinaryReader, BinaryWriter } from './binary.js';
import type { EffectMeta, Stability } from './crdt.js';
import { MAX_INSTANCE_ID } from './dot.js';
import type { KeyedType } from './key.js';

// ---------------------------------------------------------------------------------------------
// Packed dots: seq * 1024 + origin, exact below 2^53 (seq < 2^43).

const ORIGINS = MAX_INSTANCE_ID + 1;

export function packDot(origin: number, seq: number): number {
  return seq * ORIGINS + origin;
}

export function dotOrigin(p: number): number {
  return p % ORIGINS;
}

export function dotSeq(p: number): number {
  return Math.floor(p / ORIGINS);
}

// ---------------------------------------------------------------------------------------------
// Removal thresholds, per origin: everything of that origin at or below `at` is removed.

/** One origin's threshold: `at` is a sequence number (sets) or a register timestamp (hash, zset). */
export interface Threshold {
  readonly origin: number;
  readonly at: number;
  /** Packed dot of the removing effect, for garbage collection. */
  readonly by: number;
}

/** Thresholds sorted by origin, at most one per origin; treated as immutable. */
export type Thresholds = readonly Threshold[];

/** What a removal observed of one origin (the effect-side half of a threshold). */
export interface FloorMark {
  readonly origin: number;
  readonly at: number;
}

/** The threshold of `origin`, or -1 when there is none (sequence numbers and timestamps are >= 0). */
export function thresholdAt(t: Thresholds | null, origin: number): number {
  if (t === null) return -1;
  for (const x of t) if (x.origin === origin) return x.at;
  return -1;
}

/** Lattice order of thresholds of one origin: higher `at` wins; equal `at`, the lower `by`. */
function beats(a: Threshold, b: Threshold): boolean {
  return a.at > b.at || (a.at === b.at && a.by < b.by);
}

/** Raises one origin's threshold; returns the (possibly new) list. */
export function raiseThreshold(t: Thresholds | null, x: Threshold): Thresholds {
  if (t === null) return [x];
  const i = t.findIndex((y) => y.origin >= x.origin);
  if (i < 0) return [...t, x];
  const cur = t[i]!;
  if (cur.origin !== x.origin) return [...t.slice(0, i), x, ...t.slice(i)];
  if (!beats(x, cur)) return t;
  const out = t.slice();
  out[i] = x;
  return out;
}

export function joinThresholds(a: Thresholds | null, b: Thresholds | null): Thresholds | null {
  if (b === null) return a;
  let out = a;
  for (const x of b) out = raiseThreshold(out, x);
  return out;
}

export function thresholdsEqual(a: Thresholds | null, b: Thresholds | null): boolean {
  const la = a?.length ?? 0;
  if (la !== (b?.length ?? 0)) return false;
  for (let i = 0; i < la; i++) {
    const x = a![i]!;
    const y = b![i]!;
    if (x.origin !== y.origin || x.at !== y.at || x.by !== y.by) return false;
  }
  return true;
}

/** Drops the thresholds whose removing effect is stable; null when none is left. */
export function collectThresholds(t: Thresholds | null, stable: Stability): Thresholds | null {
  if (t === null) return null;
  const out = t.filter((x) => !stable.isStable(dotOrigin(x.by), dotSeq(x.by)));
  return out.length === 0 ? null : out.length === t.length ? t : out;
}

/**
 * collectThresholds, also naming the origins whose threshold went (their covered registers can be
 * forgotten); null when nothing changed.
 */
export function collectFloor(t: Thresholds | null, stable: Stability): { kept: Thresholds | null; dropped: Threshold[] } | null {
  const kept = collectThresholds(t, stable);
  if (t === null || kept === t) return null;
  const keptOrigins = new Set((kept ?? []).map((x) => x.origin));
  return { kept, dropped: t.filter((x) => !keptOrigins.has(x.origin)) };
}

/**
 * Removal dots per name (hash fields, zset members): the dots of the effects that removed
 * something under that name, kept sorted until they are stable.
 */
export type RemovalDots = Map<string, readonly number[]>;

/** Adds the packed dot `p` to the removal dots of `name`. */
export function addRemovalDot(by: RemovalDots, name: string, p: number): void {
  const list = by.get(name);
  if (list === undefined) {
    by.set(name, [p]);
    return;
  }
  const i = list.findIndex((q) => q >= p);
  if (i >= 0 && list[i] === p) return;
  by.set(name, i < 0 ? [...list, p] : [...list.slice(0, i), p, ...list.slice(i)]);
}

/** Drops the stable removal dots; null when none is left. */
export function collectRemovalDots(by: RemovalDots | null, stable: Stability): RemovalDots | null {
  if (by === null) return null;
  for (const [name, list] of by) {
    const kept = list.filter((p) => !stable.isStable(dotOrigin(p), dotSeq(p)));
    if (kept.length === 0) by.delete(name);
    else if (kept.length !== list.length) by.set(name, kept);
  }
  return by.size === 0 ? null : by;
}

/** Raises `t` by every mark of a removal effect; `meta` is the removing effect. */
export function raiseByMarks(t: Thresholds | null, marks: readonly FloorMark[], meta: EffectMeta): Thresholds | null {
  const by = packDot(meta.origin, meta.seq);
  let out = t;
  for (const m of marks) out = raiseThreshold(out, { origin: m.origin, at: m.at, by });
  return out;
}

export function writeThresholds(w: BinaryWriter, t: Thresholds | null): void {
  w.uint(t?.length ?? 0);
  for (const x of t ?? []) w.uint(x.origin).uint(x.at).uint(x.by);
}

export function readThresholds(r: BinaryReader): Thresholds | null {
  const n = r.uint();
  if (n === 0) return null;
  const out: Threshold[] = [];
  for (let i = 0; i < n; i++) out.push({ origin: r.uint(), at: r.uint(), by: r.uint() });
  return out;
}

export function writeMarks(w: BinaryWriter, marks: readonly FloorMark[]): void {
  w.uint(marks.length);
  for (const m of marks) w.uint(m.origin).uint(m.at);
}

export function readMarks(r: BinaryReader): FloorMark[] {
  const out: FloorMark[] = [];
  for (let n = r.uint(); n > 0; n--) out.push({ origin: r.uint(), at: r.uint() });
  return out;
}

/** Per origin, the highest value seen: what a DEL observed of the key. */
export class MarkCollector {
  private readonly max = new Map<number, number>();

  see(origin: number, at: number): void {
    const cur = this.max.get(origin);
    if (cur === undefined || at > cur) this.max.set(origin, at);
  }

  marks(): FloorMark[] {
    return [...this.max].sort((a, b) => a[0] - b[0]).map(([origin, at]) => ({ origin, at }));
  }
}

// ---------------------------------------------------------------------------------------------
// The set

/** A member's live adds: one packed dot, or several sorted by origin (one per origin). */
export type AddDots = number | readonly number[];

export interface SetState {
  /** Visible members and their adds above the thresholds. */
  m: Map<string, AddDots>;
  /** SREM thresholds per member (kept while above the floor and not yet stable). */
  rm: Map<string, Thresholds> | null;
  /** DEL thresholds for the whole key. */
  floor: Thresholds | null;
}

/** What SREM saw of one member: its visible dots. */
export interface MemberRemoval {
  readonly m: string;
  readonly dots: readonly number[];
}

export type SetEffect =
  | { readonly t: 'add'; readonly m: readonly string[] }
  | { readonly t: 'rem'; readonly m: readonly MemberRemoval[] }
  /** DEL: per origin, the latest add the key showed. */
  | { readonly t: 'clear'; readonly upto: readonly FloorMark[] };

function dotList(d: AddDots): readonly number[] {
  return typeof d === 'number' ? [d] : d;
}

function fromList(list: readonly number[]): AddDots | undefined {
  return list.length === 0 ? undefined : list.length === 1 ? list[0]! : list;
}

/** Adds (or supersedes the same origin's older) dot `p`; keeps the later dot of each origin. */
function withDot(cur: AddDots | undefined, p: number): AddDots {
  if (cur === undefined) return p;
  const o = dotOrigin(p);
  if (typeof cur === 'number') {
    const co = dotOrigin(cur);
    if (co === o) return p > cur ? p : cur;
    return co < o ? [cur, p] : [p, cur];
  }
  const i = cur.findIndex((q) => dotOrigin(q) >= o);
  if (i < 0) return [...cur, p];
  const q = cur[i]!;
  if (dotOrigin(q) !== o) return [...cur.slice(0, i), p, ...cur.slice(i)];
  if (q >= p) return cur;
  const out = cur.slice();
  out[i] = p;
  return out;
}

/** The removal limit of one member and origin: its own threshold or the key's, whichever is higher. */
function limit(s: SetState, member: string, origin: number): number {
  const f = thresholdAt(s.floor, origin);
  if (s.rm === null) return f;
  const m = thresholdAt(s.rm.get(member) ?? null, origin);
  return m > f ? m : f;
}

/** Drops the adds of `member` that a threshold covers; removes the member when none is left. */
function prune(s: SetState, member: string, cur: AddDots): void {
  const kept = dotList(cur).filter((p) => dotSeq(p) > limit(s, member, dotOrigin(p)));
  const next = fromList(kept);
  if (next === undefined) s.m.delete(member);
  else if (kept.length !== dotList(cur).length) s.m.set(member, next);
}

/** Drops member thresholds at or below the floor (they remove nothing the floor does not). */
function pruneThresholds(s: SetState, member: string, t: Thresholds): void {
  const kept = s.floor === null ? t : t.filter((x) => x.at > thresholdAt(s.floor, x.origin));
  if (kept.length === 0) s.rm!.delete(member);
  else if (kept !== t) s.rm!.set(member, kept);
}

/** Brings the whole state to canonical form after thresholds may have risen. */
function canonicalize(s: SetState): void {
  if (s.rm !== null) {
    for (const [member, t] of s.rm) pruneThresholds(s, member, t);
    if (s.rm.size === 0) s.rm = null;
  }
  if (s.floor === null && s.rm === null) return;
  for (const [member, d] of s.m) prune(s, member, d);
}

function applySetEffect(s: SetState, e: SetEffect, meta: EffectMeta): void {
  switch (e.t) {
    case 'add': {
      const p = packDot(meta.origin, meta.seq);
      for (const member of e.m) {
        if (meta.seq <= limit(s, member, meta.origin)) continue; // removed before it arrived
        s.m.set(member, withDot(s.m.get(member), p));
      }
      return;
    }
    case 'rem': {
      const by = packDot(meta.origin, meta.seq);
      for (const { m: member, dots } of e.m) {
        let t = s.rm?.get(member) ?? null;
        for (const p of dots) {
          const origin = dotOrigin(p);
          const at = dotSeq(p);
          if (at > thresholdAt(s.floor, origin)) t = raiseThreshold(t, { origin, at, by });
        }
        if (t !== null) (s.rm ??= new Map()).set(member, t);
        const cur = s.m.get(member);
        if (cur !== undefined) prune(s, member, cur);
      }
      return;
    }
    case 'clear':
      s.floor = raiseByMarks(s.floor, e.upto, meta);
      canonicalize(s);
      return;
  }
}

function dotsEqual(a: AddDots, b: AddDots): boolean {
  if (typeof a === 'number' || typeof b === 'number') return a === b;
  return a.length === b.length && a.every((p, i) => p === b[i]);
}

export const SetType: KeyedType<SetState, SetEffect> = {
  name: 'set',

  empty: () => ({ m: new Map(), rm: null, floor: null }),

  apply: applySetEffect,

  joinInto(s, o) {
    s.floor = joinThresholds(s.floor, o.floor);
    if (o.rm !== null) {
      const rm = (s.rm ??= new Map());
      for (const [member, t] of o.rm) rm.set(member, joinThresholds(rm.get(member) ?? null, t)!);
    }
    for (const [member, d] of o.m) {
      let cur = s.m.get(member);
      for (const p of dotList(d)) cur = withDot(cur, p);
      s.m.set(member, cur!);
    }
    canonicalize(s);
  },

  clone: (s) => ({ m: new Map(s.m), rm: s.rm && new Map(s.rm), floor: s.floor }),

  isVisible: (s) => s.m.size > 0,

  value: (s) => [...s.m.keys()].sort(),

  equal(a, b) {
    if (a.m.size !== b.m.size || (a.rm?.size ?? 0) !== (b.rm?.size ?? 0)) return false;
    if (!thresholdsEqual(a.floor, b.floor)) return false;
    for (const [member, d] of a.m) {
      const e = b.m.get(member);
      if (e === undefined || !dotsEqual(d, e)) return false;
    }
    for (const [member, t] of a.rm ?? []) {
      const u = b.rm!.get(member);
      if (u === undefined || !thresholdsEqual(t, u)) return false;
    }
    return true;
  },

  collect(s, stable) {
    s.floor = collectThresholds(s.floor, stable);
    if (s.rm === null) return;
    for (const [member, t] of s.rm) {
      const kept = collectThresholds(t, stable);
      if (kept === null) s.rm.delete(member);
      else if (kept !== t) s.rm.set(member, kept);
    }
    if (s.rm.size === 0) s.rm = null;
  },

  encode(s, w) {
    writeThresholds(w, s.floor);
    w.uint(s.m.size);
    for (const [member, d] of s.m) {
      const list = dotList(d);
      w.str(member).uint(list.length);
      for (const p of list) w.uint(p);
    }
    w.uint(s.rm?.size ?? 0);
    for (const [member, t] of s.rm ?? []) {
      w.str(member);
      writeThresholds(w, t);
    }
  },

  decode(r) {
    const s: SetState = { m: new Map(), rm: null, floor: readThresholds(r) };
    for (let n = r.uint(); n > 0; n--) {
      const member = r.str();
      const list: number[] = [];
      for (let k = r.uint(); k > 0; k--) list.push(r.uint());
      s.m.set(member, fromList(list)!);
    }
    const nr = r.uint();
    if (nr > 0) {
      s.rm = new Map();
      for (let i = 0; i < nr; i++) {
        const member = r.str();
        s.rm.set(member, readThresholds(r)!);
      }
    }
    return s;
  },

  encodeEffect(e, w) {
    switch (e.t) {
      case 'add':
        w.u8(1).uint(e.m.length);
        for (const member of e.m) w.str(member);
        return;
      case 'rem':
        w.u8(2).uint(e.m.length);
        for (const { m: member, dots } of e.m) {
          w.str(member).uint(dots.length);
          for (const p of dots) w.uint(p);
        }
        return;
      case 'clear':
        w.u8(3);
        writeMarks(w, e.upto);
        return;
    }
  },

  decodeEffect(r) {
    const tag = r.u8();
    switch (tag) {
      case 1: {
        const m: string[] = [];
        for (let n = r.uint(); n > 0; n--) m.push(r.str());
        return { t: 'add', m };
      }
      case 2: {
        const m: MemberRemoval[] = [];
        for (let n = r.uint(); n > 0; n--) {
          const member = r.str();
          const dots: number[] = [];
          for (let k = r.uint(); k > 0; k--) dots.push(r.uint());
          m.push({ m: member, dots });
        }
        return { t: 'rem', m };
      }
      case 3:
        return { t: 'clear', upto: readMarks(r) };
      default:
        throw new RangeError(`unknown set effect tag ${tag}`);
    }
  },

  removalEffect(s) {
    const seen = new MarkCollector();
    for (const d of s.m.values()) for (const p of dotList(d)) seen.see(dotOrigin(p), dotSeq(p));
    return { t: 'clear', upto: seen.marks() };
  },

  removes: (e) => e.t !== 'add',
};

// ---------------------------------------------------------------------------------------------
// Reads and effect builders for the engine

export function setCard(s: SetState): number {
  return s.m.size;
}

export function setHas(s: SetState, member: string): boolean {
  return s.m.has(member);
}

export function setMembers(s: SetState): IterableIterator<string> {
  return s.m.keys();
}

/** SADD: every listed member gets the effect's dot, present or not (add wins, TV-SET-03). */
export function setAddEffect(members: readonly string[]): SetEffect {
  return { t: 'add', m: members };
}

/** SREM: removes the dots this instance sees for each listed member; null when none is present. */
export function setRemoveEffect(s: SetState, members: readonly string[]): SetEffect | null {
  const out: MemberRemoval[] = [];
  const seen = new Set<string>();
  for (const member of members) {
    const d = s.m.get(member);
    if (d === undefined || seen.has(member)) continue;
    seen.add(member);
    out.push({ m: member, dots: dotList(d) });
  }
  return out.length === 0 ? null : { t: 'rem', m: out };
}

/**
 * Keeps, for each name, only the last op of one command (HSET k f 1 f 2 sets "2"; ZADD z 1 a 2 a
 * scores 2): the ops of one effect share a stamp, so a second register write could not win.
 */
export function lastOpPerName<T>(ops: readonly T[], name: (op: T) => string): T[] {
  const seen = new Set<string>();
  const out: T[] = [];
  for (let i = ops.length - 1; i >= 0; i--) {
    const n = name(ops[i]!);
    if (seen.has(n)) continue;
    seen.add(n);
    out.push(ops[i]!);
  }
  return out.reverse();
}
