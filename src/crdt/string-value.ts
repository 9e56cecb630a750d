/**
 * The Redis string: a last-write-wins register plus a counter, one CRDT (reference §2.1–2.2).
 *
 * - SET-like writes (SET, APPEND, SETRANGE …) write the whole value into the register, stamped
 *   with the writer's hybrid-logical-clock timestamp; the highest stamp wins, ties go to the
 *   lower instance id (TV-STR-01..03). A register write also removes the counter contributions
 *   it observed, so a concurrent INCRBY on another instance is added on top of it (reference
 *   §2.2 open point: SET 100 ‖ INCRBY 5 → 105).
 * - INCRBY/INCRBYFLOAT add to the writing instance's own contribution. Contributions are exact
 *   dyadic rationals, so every instance sums them to the same bits (TV-CNT-01).
 * - Removal (DEL, or a type change) is observed-remove: it removes the register stamps at or below
 *   the one it saw and each instance's contribution up to the sequence it saw; what it did not
 *   see survives (reference §3.1, suggested rows for strings and counters).
 *
 * Counter lineages: an instance whose own contribution was entirely removed starts a new lineage
 * (`fresh`) with its next increment. Contributions are cumulative within a lineage, and a
 * removal entry only applies to the lineage it was taken from, so an instance that garbage-
 * collected a dead key and one that did not yet both reach the same value for later increments.
 */
import type { BinaryReader, BinaryWriter } from './binary.js';
import type { CrdtType, EffectMeta, Stability } from './crdt.js';
import * as D from './dyadic.js';
import type { Dyadic } from './dyadic.js';

export interface CounterEntry {
  /** Sequence of the increment that started this lineage. */
  start: number;
  /** Sequence of the latest increment applied. */
  seq: number;
  /** Cumulative contribution of the lineage. */
  v: Dyadic;
}

export interface RemovedEntry {
  seq: number;
  v: Dyadic;
}

export interface StringExtra {
  /** Register stamps at or below (rmTs, rmId) are removed; rmTs = -1 removes nothing. */
  rmTs: number;
  rmId: number;
  cnt: Map<number, CounterEntry> | null;
  rm: Map<number, RemovedEntry> | null;
}

export interface StringState {
  /** Register value as a latin1 string; null when no register write was ever applied. */
  v: string | null;
  ts: number;
  id: number;
  /** Removal thresholds and counter parts; null for the common plain-register key. */
  x: StringExtra | null;
}

/** What an observed-remove saw of the counter: each instance's contribution at a sequence. */
export interface CounterObservation {
  readonly origin: number;
  readonly seq: number;
  readonly v: Dyadic;
}

export type StringEffect =
  | { readonly t: 'set'; readonly v: string; readonly obs: readonly CounterObservation[] | null }
  | { readonly t: 'incr'; readonly d: Dyadic; readonly fresh: boolean }
  | { readonly t: 'rm'; readonly ts: number; readonly id: number; readonly obs: readonly CounterObservation[] | null };

/** True when stamp a beats stamp b: higher timestamp, or equal timestamp and lower instance id. */
export function stampWins(aTs: number, aId: number, bTs: number, bId: number): boolean {
  return aTs > bTs || (aTs === bTs && aId < bId);
}

function extra(s: StringState): StringExtra {
  if (s.x === null) s.x = { rmTs: -1, rmId: 0, cnt: null, rm: null };
  return s.x;
}

export function registerVisible(s: StringState): boolean {
  if (s.v === null) return false;
  const x = s.x;
  return x === null || x.rmTs < 0 || stampWins(s.ts, s.id, x.rmTs, x.rmId);
}

function entryVisible(e: CounterEntry, r: RemovedEntry | undefined): boolean {
  return r === undefined || r.seq < e.seq;
}

function contribution(e: CounterEntry, r: RemovedEntry | undefined): Dyadic {
  return r !== undefined && r.seq >= e.start ? D.sub(e.v, r.v) : e.v;
}

export function counterVisible(s: StringState): boolean {
  const cnt = s.x?.cnt;
  if (!cnt) return false;
  const rm = s.x!.rm;
  for (const [origin, e] of cnt) if (entryVisible(e, rm?.get(origin))) return true;
  return false;
}

/** Sum of the visible counter contributions (ZERO when there are none). */
export function counterSum(s: StringState): Dyadic {
  const cnt = s.x?.cnt;
  if (!cnt) return D.ZERO;
  const rm = s.x!.rm;
  let sum = D.ZERO;
  for (const [origin, e] of cnt) {
    const r = rm?.get(origin);
    if (entryVisible(e, r)) sum = D.add(sum, contribution(e, r));
  }
  return sum;
}

/** Every instance's contribution as the writer sees it: what a SET or DEL removes. */
export function observeCounter(s: StringState): CounterObservation[] | null {
  const cnt = s.x?.cnt;
  if (!cnt || cnt.size === 0) return null;
  const out: CounterObservation[] = [];
  for (const [origin, e] of cnt) out.push({ origin, seq: e.seq, v: e.v });
  return out;
}

/** Whether this instance's next increment starts a new lineage. */
export function incrementIsFresh(s: StringState, self: number): boolean {
  const e = s.x?.cnt?.get(self);
  return e === undefined || !entryVisible(e, s.x!.rm?.get(self));
}

function removeCounter(s: StringState, obs: readonly CounterObservation[] | null): void {
  if (obs === null || obs.length === 0) return;
  const x = extra(s);
  const rm = x.rm ?? (x.rm = new Map());
  for (const o of obs) {
    const cur = rm.get(o.origin);
    if (cur === undefined || cur.seq < o.seq) rm.set(o.origin, { seq: o.seq, v: o.v });
  }
}

function applyStringEffect(s: StringState, e: StringEffect, meta: EffectMeta): void {
  switch (e.t) {
    case 'set':
      if (s.v === null || stampWins(meta.ts, meta.origin, s.ts, s.id)) {
        s.v = e.v;
        s.ts = meta.ts;
        s.id = meta.origin;
      }
      removeCounter(s, e.obs);
      return;
    case 'incr': {
      const x = extra(s);
      const cnt = x.cnt ?? (x.cnt = new Map());
      const cur = cnt.get(meta.origin);
      if (cur === undefined || e.fresh) cnt.set(meta.origin, { start: meta.seq, seq: meta.seq, v: e.d });
      else {
        cur.seq = meta.seq;
        cur.v = D.add(cur.v, e.d);
      }
      return;
    }
    case 'rm': {
      if (e.ts >= 0) {
        const x = extra(s);
        if (x.rmTs < 0 || stampWins(e.ts, e.id, x.rmTs, x.rmId)) {
          x.rmTs = e.ts;
          x.rmId = e.id;
        }
      }
      removeCounter(s, e.obs);
      return;
    }
  }
}

function joinMaps<T extends { seq: number }>(a: Map<number, T> | null, b: Map<number, T> | null, copy: (t: T) => T): Map<number, T> | null {
  if (b === null || b.size === 0) return a;
  const out = a ?? new Map<number, T>();
  for (const [k, v] of b) {
    const cur = out.get(k);
    if (cur === undefined || cur.seq < v.seq) out.set(k, copy(v));
  }
  return out;
}

const copyEntry = (e: CounterEntry): CounterEntry => ({ start: e.start, seq: e.seq, v: e.v });
const copyRemoved = (e: RemovedEntry): RemovedEntry => ({ seq: e.seq, v: e.v });

function mapsEqual<T>(a: Map<number, T> | null | undefined, b: Map<number, T> | null | undefined, eq: (x: T, y: T) => boolean): boolean {
  const sa = a?.size ?? 0;
  const sb = b?.size ?? 0;
  if (sa !== sb) return false;
  if (sa === 0) return true;
  for (const [k, v] of a!) {
    const w = b!.get(k);
    if (w === undefined || !eq(v, w)) return false;
  }
  return true;
}

function writeCounterObs(w: BinaryWriter, obs: readonly CounterObservation[] | null): void {
  if (obs === null) {
    w.uint(0);
    return;
  }
  w.uint(obs.length + 1);
  for (const o of obs) w.uint(o.origin).uint(o.seq).dyadic(o.v);
}

function readCounterObs(r: BinaryReader): CounterObservation[] | null {
  const n = r.uint();
  if (n === 0) return null;
  const out: CounterObservation[] = [];
  for (let i = 1; i < n; i++) out.push({ origin: r.uint(), seq: r.uint(), v: r.dyadic() });
  return out;
}

export const StringType: CrdtType<StringState, StringEffect> = {
  name: 'string',

  empty: () => ({ v: null, ts: 0, id: 0, x: null }),

  apply: applyStringEffect,

  joinInto(s, o) {
    if (o.v !== null && (s.v === null || stampWins(o.ts, o.id, s.ts, s.id))) {
      s.v = o.v;
      s.ts = o.ts;
      s.id = o.id;
    }
    const ox = o.x;
    if (ox === null) return;
    const x = extra(s);
    if (ox.rmTs >= 0 && (x.rmTs < 0 || stampWins(ox.rmTs, ox.rmId, x.rmTs, x.rmId))) {
      x.rmTs = ox.rmTs;
      x.rmId = ox.rmId;
    }
    x.cnt = joinMaps(x.cnt, ox.cnt, copyEntry);
    x.rm = joinMaps(x.rm, ox.rm, copyRemoved);
  },

  clone(s) {
    const x = s.x;
    return {
      v: s.v,
      ts: s.ts,
      id: s.id,
      x:
        x === null
          ? null
          : {
              rmTs: x.rmTs,
              rmId: x.rmId,
              cnt: x.cnt && new Map([...x.cnt].map(([k, e]) => [k, copyEntry(e)])),
              rm: x.rm && new Map([...x.rm].map(([k, e]) => [k, copyRemoved(e)])),
            },
    };
  },

  isVisible: (s) => registerVisible(s) || counterVisible(s),

  value(s) {
    const reg = registerVisible(s) ? s.v : null;
    if (!counterVisible(s)) return reg;
    return { reg, sum: D.toJSON(counterSum(s)) };
  },

  equal(a, b) {
    if (a.v !== b.v || a.ts !== b.ts || a.id !== b.id) return false;
    const ax = a.x;
    const bx = b.x;
    const aRm = ax?.rmTs ?? -1;
    const bRm = bx?.rmTs ?? -1;
    if (aRm !== bRm || (aRm >= 0 && ax!.rmId !== bx!.rmId)) return false;
    return (
      mapsEqual(ax?.cnt, bx?.cnt, (p, q) => p.start === q.start && p.seq === q.seq && D.equals(p.v, q.v)) &&
      mapsEqual(ax?.rm, bx?.rm, (p, q) => p.seq === q.seq && D.equals(p.v, q.v))
    );
  },

  collect(_s, _stable: Stability) {
    // Removal thresholds of a live string are two numbers and one entry per instance: they are
    // kept for the key's lifetime. Dead keys are collected whole by the keyspace (engine/gc.ts).
  },

  encode(s, w) {
    w.u8(s.v === null ? 0 : 1);
    if (s.v !== null) w.str(s.v).uint(s.ts).uint(s.id);
    const x = s.x;
    if (x === null) {
      w.u8(0);
      return;
    }
    w.u8(1).int(x.rmTs).uint(x.rmId);
    const cnt = x.cnt ?? new Map<number, CounterEntry>();
    w.uint(cnt.size);
    for (const [k, e] of cnt) w.uint(k).uint(e.start).uint(e.seq).dyadic(e.v);
    const rm = x.rm ?? new Map<number, RemovedEntry>();
    w.uint(rm.size);
    for (const [k, e] of rm) w.uint(k).uint(e.seq).dyadic(e.v);
  },

  decode(r) {
    const s: StringState = { v: null, ts: 0, id: 0, x: null };
    if (r.u8() === 1) {
      s.v = r.str();
      s.ts = r.uint();
      s.id = r.uint();
    }
    if (r.u8() === 1) {
      const x: StringExtra = { rmTs: r.int(), rmId: r.uint(), cnt: null, rm: null };
      const nc = r.uint();
      if (nc > 0) {
        x.cnt = new Map();
        for (let i = 0; i < nc; i++) x.cnt.set(r.uint(), { start: r.uint(), seq: r.uint(), v: r.dyadic() });
      }
      const nr = r.uint();
      if (nr > 0) {
        x.rm = new Map();
        for (let i = 0; i < nr; i++) x.rm.set(r.uint(), { seq: r.uint(), v: r.dyadic() });
      }
      s.x = x;
    }
    return s;
  },

  encodeEffect(e, w) {
    switch (e.t) {
      case 'set':
        w.u8(1).str(e.v);
        writeCounterObs(w, e.obs);
        return;
      case 'incr':
        w.u8(2).dyadic(e.d).u8(e.fresh ? 1 : 0);
        return;
      case 'rm':
        w.u8(3).int(e.ts).uint(e.id);
        writeCounterObs(w, e.obs);
        return;
    }
  },

  decodeEffect(r) {
    const tag = r.u8();
    switch (tag) {
      case 1:
        return { t: 'set', v: r.str(), obs: readCounterObs(r) };
      case 2:
        return { t: 'incr', d: r.dyadic(), fresh: r.u8() === 1 };
      case 3:
        return { t: 'rm', ts: r.int(), id: r.uint(), obs: readCounterObs(r) };
      default:
        throw new RangeError(`unknown string effect tag ${tag}`);
    }
  },
};

/**
 * Whether a string effect (also a hash field's or, by shape, a score's) removes something: a
 * removal, or a register write that observed counter parts (KeyedType.removes).
 */
export function stringRemoves(e: { readonly t: string; readonly obs?: readonly unknown[] | null }): boolean {
  return e.t === 'rm' || (e.t === 'set' && e.obs != null && e.obs.length > 0);
}
