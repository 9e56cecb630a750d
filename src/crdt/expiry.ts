/**
 * The expiry register of a key (reference §3.4).
 *
 * A multi-value register of expiry times, each tagged with the dot of the write that set it.
 * A write removes the entries it observed and (unless it only clears) adds its own. Entries that
 * survive are concurrent, and the effective expiry is the largest: the longest TTL wins and
 * PERSIST (an entry at +Infinity) beats every finite TTL (TV-EXP-01, TV-EXP-02). The instance
 * whose entry wins owns the expiry: only it deletes the key when the time comes (TV-EXP-03).
 *
 * Expiry times are absolute Unix milliseconds, so concurrent EXPIREs issued at different moments
 * compare by when the key would expire (the reference's suggested reading of "longest TTL").
 *
 * `gone` remembers removed dots — including dots removed before they arrived, since effects of
 * different origins may be applied in any order — until the removing effect is stable.
 *
 * A write that brings a dead key back to life removes, besides what it lists, every entry in its
 * causal past (`upTo`, the clock its instance had applied): entries an EXPIRE or PERSIST left on
 * the key concurrently with the DEL that killed it must not outlive the next value, and whether
 * they are still there must not depend on when garbage collection dropped the dead record at the
 * reviving instance (docs/semantics.md, "Expiry of a dead key"). `floors` remember such clocks
 * until the write is stable, so an entry of that past arriving later is removed as well.
 */
import type { BinaryReader, BinaryWriter } from './binary.js';
import type { CrdtType, EffectMeta, Stability } from './crdt.js';
import type { Dot } from './dot.js';
import { VectorClock } from './vector-clock.js';

export interface ExpiryEntry {
  readonly origin: number;
  readonly seq: number;
  /** Absolute expiry time in Unix ms; Infinity for PERSIST. */
  readonly at: number;
}

export interface GoneDot {
  readonly origin: number;
  readonly seq: number;
  /** The removing effect, for garbage collection. */
  readonly byOrigin: number;
  readonly bySeq: number;
}

/** Every entry whose dot `upTo` covers is removed, by the effect (byOrigin, bySeq). */
export interface ExpiryFloor {
  readonly upTo: VectorClock;
  readonly byOrigin: number;
  readonly bySeq: number;
}

export interface ExpiryState {
  entries: ExpiryEntry[];
  gone: GoneDot[] | null;
  floors: ExpiryFloor[] | null;
}

export interface ExpiryEffect {
  /** New expiry (Unix ms, Infinity = PERSIST), or null to only clear what was observed. */
  readonly at: number | null;
  readonly obs: readonly Dot[];
  /** Also removes every entry this clock covers (a write reviving a dead key, see above). */
  readonly upTo?: VectorClock | null;
}

/** The winning entry: latest expiry, ties to the lower instance id. Null when none. */
export function winningEntry(s: ExpiryState | null): ExpiryEntry | null {
  if (s === null) return null;
  let best: ExpiryEntry | null = null;
  for (const e of s.entries) {
    if (best === null || e.at > best.at || (e.at === best.at && e.origin < best.origin)) best = e;
  }
  return best;
}

/** Effective expiry time in ms: Infinity when the key has none or was persisted. */
export function effectiveExpiry(s: ExpiryState | null): number {
  const w = winningEntry(s);
  return w === null ? Infinity : w.at;
}

export function observeExpiry(s: ExpiryState | null): Dot[] {
  return s === null ? [] : s.entries.map((e) => ({ origin: e.origin, seq: e.seq }));
}

function isGone(s: ExpiryState, origin: number, seq: number): boolean {
  return (s.gone !== null && s.gone.some((g) => g.origin === origin && g.seq === seq)) || underFloor(s.floors, origin, seq);
}

function underFloor(floors: readonly ExpiryFloor[] | null, origin: number, seq: number): boolean {
  return floors !== null && floors.some((f) => f.upTo.covers(origin, seq));
}

function sameBy(a: { byOrigin: number; bySeq: number }, b: { byOrigin: number; bySeq: number }): boolean {
  return a.byOrigin === b.byOrigin && a.bySeq === b.bySeq;
}

/**
 * Whether the register holds nothing an effect still to arrive could need: no removal marker
 * whose removal is not stable, and no entry that is not stable (an entry can precede the value
 * it applies to, which may still be on its way). A dead key is dropped only then.
 */
export function expiryCollectable(s: ExpiryState | null, stable: Stability): boolean {
  if (s === null) return true;
  if (s.gone !== null && s.gone.some((g) => !stable.isStable(g.byOrigin, g.bySeq))) return false;
  if (s.floors !== null && s.floors.some((f) => !stable.isStable(f.byOrigin, f.bySeq))) return false;
  return s.entries.every((e) => stable.isStable(e.origin, e.seq));
}

function sortEntries(entries: ExpiryEntry[]): void {
  entries.sort((a, b) => a.origin - b.origin || a.seq - b.seq);
}

export const ExpiryType: CrdtType<ExpiryState, ExpiryEffect> = {
  name: 'expiry',

  empty: () => ({ entries: [], gone: null, floors: null }),

  apply(s, e, meta: EffectMeta) {
    if (e.upTo != null) {
      s.entries = s.entries.filter((x) => !e.upTo!.covers(x.origin, x.seq));
      (s.floors ??= []).push({ upTo: e.upTo.clone(), byOrigin: meta.origin, bySeq: meta.seq });
    }
    for (const d of e.obs) {
      const i = s.entries.findIndex((x) => x.origin === d.origin && x.seq === d.seq);
      if (i >= 0) s.entries.splice(i, 1);
      // Remembered even when the entry was here: a state join with an instance that still has
      // it must know it was removed. Collected once the removal is stable.
      if (!isGone(s, d.origin, d.seq)) (s.gone ??= []).push({ origin: d.origin, seq: d.seq, byOrigin: meta.origin, bySeq: meta.seq });
    }
    if (e.at !== null && !isGone(s, meta.origin, meta.seq)) {
      s.entries.push({ origin: meta.origin, seq: meta.seq, at: e.at });
      sortEntries(s.entries);
    }
  },

  joinInto(s, o) {
    const gone = [...(s.gone ?? [])];
    for (const g of o.gone ?? []) if (!gone.some((x) => x.origin === g.origin && x.seq === g.seq)) gone.push(g);
    const floors = [...(s.floors ?? [])];
    for (const f of o.floors ?? []) if (!floors.some((x) => sameBy(x, f))) floors.push({ ...f, upTo: f.upTo.clone() });
    floors.sort((a, b) => a.byOrigin - b.byOrigin || a.bySeq - b.bySeq);
    const goneHas = (e: ExpiryEntry) => gone.some((g) => g.origin === e.origin && g.seq === e.seq) || underFloor(floors, e.origin, e.seq);
    const merged: ExpiryEntry[] = s.entries.filter((e) => !goneHas(e));
    for (const e of o.entries) {
      if (!goneHas(e) && !merged.some((x) => x.origin === e.origin && x.seq === e.seq)) merged.push(e);
    }
    sortEntries(merged);
    gone.sort((a, b) => a.origin - b.origin || a.seq - b.seq);
    s.entries = merged;
    s.gone = gone.length ? gone : null;
    s.floors = floors.length ? floors : null;
  },

  clone: (s) => ({ entries: [...s.entries], gone: s.gone && [...s.gone], floors: s.floors && s.floors.map((f) => ({ ...f, upTo: f.upTo.clone() })) }),

  isVisible: (s) => s.entries.length > 0,

  value: (s) => effectiveExpiry(s),

  equal(a, b) {
    if (a.entries.length !== b.entries.length) return false;
    for (let i = 0; i < a.entries.length; i++) {
      const x = a.entries[i]!;
      const y = b.entries[i]!;
      if (x.origin !== y.origin || x.seq !== y.seq || x.at !== y.at) return false;
    }
    const ga = a.gone ?? [];
    const gb = b.gone ?? [];
    if (ga.length !== gb.length) return false;
    if (!ga.every((g) => gb.some((h) => h.origin === g.origin && h.seq === g.seq))) return false;
    const fa = a.floors ?? [];
    const fb = b.floors ?? [];
    return fa.length === fb.length && fa.every((f) => fb.some((h) => sameBy(f, h)));
  },

  collect(s, stable: Stability) {
    if (s.gone !== null) {
      s.gone = s.gone.filter((g) => !stable.isStable(g.byOrigin, g.bySeq));
      if (s.gone.length === 0) s.gone = null;
    }
    if (s.floors !== null) {
      s.floors = s.floors.filter((f) => !stable.isStable(f.byOrigin, f.bySeq));
      if (s.floors.length === 0) s.floors = null;
    }
  },

  encode(s, w: BinaryWriter) {
    w.uint(s.entries.length);
    for (const e of s.entries) w.uint(e.origin).uint(e.seq).f64(e.at);
    const gone = s.gone ?? [];
    w.uint(gone.length);
    for (const g of gone) w.uint(g.origin).uint(g.seq).uint(g.byOrigin).uint(g.bySeq);
    const floors = s.floors ?? [];
    w.uint(floors.length);
    for (const f of floors) encodeClock(f.upTo, w.uint(f.byOrigin).uint(f.bySeq));
  },

  decode(r: BinaryReader) {
    const entries: ExpiryEntry[] = [];
    for (let n = r.uint(); n > 0; n--) entries.push({ origin: r.uint(), seq: r.uint(), at: r.f64() });
    let gone: GoneDot[] | null = null;
    const ng = r.uint();
    if (ng > 0) {
      gone = [];
      for (let i = 0; i < ng; i++) gone.push({ origin: r.uint(), seq: r.uint(), byOrigin: r.uint(), bySeq: r.uint() });
    }
    let floors: ExpiryFloor[] | null = null;
    const nf = r.uint();
    if (nf > 0) {
      floors = [];
      for (let i = 0; i < nf; i++) {
        const byOrigin = r.uint();
        const bySeq = r.uint();
        floors.push({ byOrigin, bySeq, upTo: decodeClock(r) });
      }
    }
    return { entries, gone, floors };
  },

  encodeEffect(e, w) {
    // Flags: 1 = sets an expiry (f64 follows), 2 = carries an upTo clock.
    w.u8((e.at === null ? 0 : 1) | (e.upTo != null ? 2 : 0));
    if (e.at !== null) w.f64(e.at);
    w.uint(e.obs.length);
    for (const d of e.obs) w.uint(d.origin).uint(d.seq);
    if (e.upTo != null) encodeClock(e.upTo, w);
  },

  decodeEffect(r) {
    const flags = r.u8();
    if (flags > 3) throw new RangeError(`bad expiry effect flags ${flags}`);
    const at = flags & 1 ? r.f64() : null;
    const obs: Dot[] = [];
    for (let n = r.uint(); n > 0; n--) obs.push({ origin: r.uint(), seq: r.uint() });
    return flags & 2 ? { at, obs, upTo: decodeClock(r) } : { at, obs };
  },
};

function encodeClock(c: VectorClock, w: BinaryWriter): void {
  const entries = [...c];
  w.uint(entries.length);
  for (const [origin, seq] of entries) w.uint(origin).uint(seq);
}

function decodeClock(r: BinaryReader): VectorClock {
  const c = new VectorClock();
  for (let n = r.uint(); n > 0; n--) {
    const origin = r.uint();
    c.set(origin, r.uint());
  }
  return c;
}
