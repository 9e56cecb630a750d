// The reference model: what every key must look like after convergence, computed straight
// from the rules (reference §2, §3.1, §3.2, §3.4 and the choices in docs/semantics.md), from the
// recorded history alone.
//
// Each recorded effect comes with the vector clock its instance had applied when it issued it
// (its causal context). "e observed x" means x is in e's context. The model never reads the
// observation lists or thresholds an effect carries: it recomputes what each removal saw from
// the contexts, so a bug in how commands build those lists shows up as a mismatch. It does read
// what a command chose to do (which value, which members a pop took, which list elements an
// LTRIM named, the registers a PFMERGE raised).
//
// Rules, per key and per type state on it (a key may hold states of several types after
// concurrent writes of different types; it shows the first visible one in TYPE_PRECEDENCE):
// - Register + counter (strings, each hash field, each sorted-set member's score): writes are
//   stamped (HLC timestamp, instance id); the highest stamp holds the register. A field/member
//   removal (DEL of a string, HDEL, ZREM, ZPOPMIN) removes every stamp up to the one that was
//   visible where it ran; a key DEL of a hash or sorted set removes the registers it observed.
//   An increment counts unless a removal or a register write observed it (TV-CNT-01; §2.2
//   "SET 100 ‖ INCRBY 5 → 105"; TV-ZSET-05). A sorted-set score is base + counting deltas.
// - Set: a member shows while one of its adds was observed by no removal of it (SREM, SPOP, DEL).
// - List: an element shows unless a removal named it (pops, LREM, LTRIM, LMOVE) or a DEL
//   observed its insert; its value is the latest LSET (by stamp) or the pushed value.
// - HyperLogLog: delete wins — an add survives only the removals it observed (TV-HLL-03); the
//   registers are the maximum over the surviving adds.
// - Expiry: each EXPIRE/PERSIST/SET…EX adds an entry; an entry dies when a later expiry write, a
//   removal, a SET without KEEPTTL or a write reviving the key observed it. The effective expiry
//   is the latest surviving entry, PERSIST counting as never (TV-EXP-01/02).
import * as D from '../../src/crdt/dyadic.js';
import type { Dyadic } from '../../src/crdt/dyadic.js';
import type { HllEffect } from '../../src/crdt/hll.js';
import { HllType, pfadd } from '../../src/crdt/hll.js';
import type { TypeName } from '../../src/crdt/key.js';
import { TYPE_PRECEDENCE } from '../../src/crdt/key.js';
import type { SetEffect } from '../../src/crdt/orset.js';
import type { ListEffect } from '../../src/crdt/sequence.js';
import { elementId } from '../../src/crdt/sequence.js';
import type { StringEffect } from '../../src/crdt/string-value.js';
import { stampWins } from '../../src/crdt/string-value.js';
import type { ZSetEffect } from '../../src/crdt/zset.js';
import type { HashEffect } from '../../src/crdt/hash.js';
import type { RecordedEffect } from './world.js';

/** A string, hash field or sorted-set score as the checks compare it. */
export interface RegView {
  /** Register value when it shows. */
  readonly reg: string | null;
  /** Sum of the counting increments (dyadic JSON) when any counts. */
  readonly sum: string | null;
}

/** The visible state of a key as the checks compare it (see workload.ts actualView). */
export interface KeyView {
  readonly type: TypeName;
  readonly data: unknown;
  /** Effective expiry in Unix ms, or null for none. */
  readonly exp: number | null;
}

function observed(by: RecordedEffect, x: RecordedEffect): boolean {
  return by.ctx.covers(x.e.origin, x.e.seq);
}

interface Stamp {
  readonly ts: number;
  readonly id: number;
}

/** One effect's action on one register + counter. */
interface RegEv {
  readonly r: RecordedEffect;
  readonly set: string | null;
  readonly incr: Dyadic | null;
  /** 'thr': removes stamps up to the one visible where it ran; 'obs': removes what it observed. */
  readonly removal: 'thr' | 'obs' | null;
}

/** A register with counter contributions (string-value.ts semantics). */
class RegModel {
  private readonly thresholds = new Map<RegEv, Stamp | null>();

  constructor(private readonly evs: readonly RegEv[]) {}

  private register(within: RegEv | null): { stamp: Stamp; v: string; x: RegEv } | null {
    let best: { stamp: Stamp; v: string; x: RegEv } | null = null;
    let thr: Stamp | null = null;
    for (const x of this.evs) {
      if (within !== null && !observed(within.r, x.r)) continue;
      if (x.set !== null) {
        const s = { ts: x.r.e.ts, id: x.r.e.origin };
        if (best === null || stampWins(s.ts, s.id, best.stamp.ts, best.stamp.id)) best = { stamp: s, v: x.set, x };
      }
      if (x.removal === 'thr') {
        const t = this.threshold(x);
        if (t !== null && (thr === null || stampWins(t.ts, t.id, thr.ts, thr.id))) thr = t;
      }
    }
    if (best === null) return null;
    if (thr !== null && !stampWins(best.stamp.ts, best.stamp.id, thr.ts, thr.id)) return null;
    const b = best;
    if (this.evs.some((d) => d.removal === 'obs' && d !== b.x && (within === null || observed(within.r, d.r)) && observed(d.r, b.x.r))) return null;
    return best;
  }

  private threshold(d: RegEv): Stamp | null {
    if (this.thresholds.has(d)) return this.thresholds.get(d)!;
    const seen = this.register(d);
    const t = seen === null ? null : seen.stamp;
    this.thresholds.set(d, t);
    return t;
  }

  view(): RegView | null {
    const reg = this.register(null);
    let sum: Dyadic | null = null;
    for (const i of this.evs) {
      if (i.incr === null) continue;
      const removed = this.evs.some((x) => (x.removal !== null || x.set !== null) && x !== i && observed(x.r, i.r));
      if (!removed) sum = sum === null ? i.incr : D.add(sum, i.incr);
    }
    if (reg === null && sum === null) return null;
    return { reg: reg?.v ?? null, sum: sum === null ? null : D.toJSON(sum) };
  }
}

function regEv(r: RecordedEffect, e: StringEffect, keyDel: boolean): RegEv {
  if (e.t === 'set') return { r, set: e.v, incr: null, removal: null };
  if (e.t === 'incr') return { r, set: null, incr: e.d, removal: null };
  return { r, set: null, incr: null, removal: keyDel ? 'obs' : 'thr' };
}

/** A binary fraction (the workload only uses those) as an exact dyadic. */
function dyadicOf(x: number): Dyadic {
  let e = 0;
  while (!Number.isInteger(x * 2 ** e)) e++;
  return D.normalize(BigInt(x * 2 ** e), -e);
}

// ---- the per-type operations of one key's history ---------------------------------------------

interface TypedOp {
  readonly r: RecordedEffect;
  readonly type: TypeName;
  /** The type's effect; for a removal of the whole state, `del` is true. */
  readonly e: unknown;
  readonly del: boolean;
}

function typedOps(evs: readonly RecordedEffect[]): TypedOp[] {
  const out: TypedOp[] = [];
  for (const r of evs) {
    for (const op of r.e.ops) {
      if (op.k === 'str') out.push({ r, type: 'string', e: op.e, del: false });
      else if (op.k === 'data') out.push({ r, type: op.type, e: op.e, del: false });
      else if (op.k === 'del') out.push({ r, type: op.type, e: op.e, del: true });
    }
  }
  return out;
}

function stringView(ops: readonly TypedOp[]): RegView | null {
  const evs = ops.filter((o) => o.type === 'string').map((o) => regEv(o.r, o.e as StringEffect, false));
  return evs.length === 0 ? null : new RegModel(evs).view();
}

/** Register + counter per name (hash fields, sorted-set members); a key DEL removes what it observed. */
function perName(ops: readonly TypedOp[], names: (o: TypedOp) => [string, StringEffect][]): Map<string, RegView> {
  const byName = new Map<string, RegEv[]>();
  const dels: RecordedEffect[] = [];
  for (const o of ops) {
    if (o.del) dels.push(o.r);
    for (const [n, e] of names(o)) {
      let l = byName.get(n);
      if (l === undefined) byName.set(n, (l = []));
      l.push(regEv(o.r, e, false));
    }
  }
  const out = new Map<string, RegView>();
  for (const [n, evs] of byName) {
    for (const d of dels) evs.push({ r: d, set: null, incr: null, removal: 'obs' });
    const v = new RegModel(evs).view();
    if (v !== null) out.set(n, v);
  }
  return out;
}

function hashView(ops: readonly TypedOp[]): [string, RegView][] | null {
  const fields = perName(
    ops.filter((o) => o.type === 'hash'),
    (o) => (o.del ? [] : (o.e as HashEffect).ops.map((x) => [x.f, x.e])),
  );
  return fields.size === 0 ? null : [...fields].sort((a, b) => (a[0] < b[0] ? -1 : 1));
}

function zsetView(ops: readonly TypedOp[]): [string, number][] | null {
  const members = perName(
    ops.filter((o) => o.type === 'zset'),
    (o) =>
      o.del
        ? []
        : (o.e as ZSetEffect).ops.map((x): [string, StringEffect] => {
            const e = x.e;
            if (e.t === 'set') return [x.m, { t: 'set', v: String(e.v), obs: null }];
            if (e.t === 'incr') return [x.m, { t: 'incr', d: dyadicOf(e.d), fresh: e.fresh }];
            return [x.m, { t: 'rm', ts: e.ts, id: e.id, obs: null }];
          }),
  );
  if (members.size === 0) return null;
  const out: [string, number][] = [];
  for (const [m, v] of members) {
    const base = v.reg === null ? D.ZERO : dyadicOf(Number(v.reg));
    out.push([m, D.toNumber(v.sum === null ? base : D.add(base, D.fromJSON(v.sum)))]);
  }
  return out.sort((a, b) => (a[0] < b[0] ? -1 : 1));
}

function setView(ops: readonly TypedOp[]): string[] | null {
  const adds: { r: RecordedEffect; m: string }[] = [];
  const rems: { r: RecordedEffect; m: string | null }[] = [];
  for (const o of ops) {
    if (o.type !== 'set') continue;
    const e = o.e as SetEffect;
    if (o.del || e.t === 'clear') rems.push({ r: o.r, m: null });
    else if (e.t === 'add') for (const m of e.m) adds.push({ r: o.r, m });
    else for (const x of e.m) rems.push({ r: o.r, m: x.m });
  }
  const live = new Set<string>();
  for (const a of adds) if (!rems.some((x) => (x.m === null || x.m === a.m) && observed(x.r, a.r))) live.add(a.m);
  return live.size === 0 ? null : [...live].sort();
}

/** Lists: [element id, value] of the elements that show, by id (order is not modelled). */
function listView(ops: readonly TypedOp[]): [number, string][] | null | 'ambiguous' {
  const inserted = new Map<number, { r: RecordedEffect; v: string }>();
  const named = new Set<number>();
  const dels: RecordedEffect[] = [];
  const sets = new Map<number, { ts: number; origin: number; v: string }>();
  for (const o of ops) {
    if (o.type !== 'list') continue;
    if (o.del) {
      dels.push(o.r);
      continue;
    }
    const e = o.e as ListEffect;
    if (e.t === 'ins') {
      for (let i = 0; i < e.v.length; i++) {
        const id = elementId(o.r.e.origin, e.c + i);
        // Element ids restart when a dead list is collected and created again: not modelled.
        if (inserted.has(id)) return 'ambiguous';
        inserted.set(id, { r: o.r, v: e.v[i]! });
      }
    } else if (e.t === 'rm') for (const id of e.ids) named.add(id);
    else if (e.t === 'clr') dels.push(o.r);
    else {
      const cur = sets.get(e.id);
      if (cur === undefined || stampWins(o.r.e.ts, o.r.e.origin, cur.ts, cur.origin)) sets.set(e.id, { ts: o.r.e.ts, origin: o.r.e.origin, v: e.v });
    }
  }
  const out: [number, string][] = [];
  for (const [id, x] of inserted) {
    if (named.has(id) || dels.some((d) => observed(d, x.r))) continue;
    out.push([id, sets.get(id)?.v ?? x.v]);
  }
  return out.length === 0 ? null : out.sort((a, b) => a[0] - b[0]);
}

/** HyperLogLog: HllType.value of the registers of the surviving adds. */
function hllView(ops: readonly TypedOp[], lost: readonly RecordedEffect[]): unknown {
  const hops = ops.filter((o) => o.type === 'hll');
  const removals = hops.filter((o) => o.del || (o.e as HllEffect).t === 'del').map((o) => o.r);
  const max = new Map<number, number>();
  let alive = false;
  for (const o of hops) {
    const e = o.e as HllEffect;
    if (o.del || e.t !== 'add') continue;
    if (!removals.every((d) => d === o.r || observed(o.r, d))) continue;
    alive = true;
    // PFADD: the registers of its elements, computed afresh — unless it observed an add lost in a
    // crash, which raised some of them where it ran; PFMERGE: the registers it raised.
    const fresh = o.r.argv[0]?.toUpperCase() === 'PFADD' && !lost.some((l) => observed(o.r, l));
    const regs = fresh ? addRegisters(o.r.argv.slice(2)) : e.regs;
    for (let i = 0; i < regs.length; i += 2) max.set(regs[i]!, Math.max(max.get(regs[i]!) ?? 0, regs[i + 1]!));
  }
  if (!alive) return null;
  const s = HllType.empty();
  const regs = [...max].sort((a, b) => a[0] - b[0]).flat();
  HllType.apply(s, { t: 'add', dels: [], seen: [], mode: 0, regs }, { origin: 1, seq: 1, ts: 1 });
  return HllType.value(s);
}

function addRegisters(elements: readonly string[]): readonly number[] {
  const w = pfadd(HllType.empty(), elements, []);
  return w.effect.t === 'add' ? w.effect.regs : [];
}

function expiryOf(evs: readonly RecordedEffect[]): number | null {
  const adds: { r: RecordedEffect; at: number }[] = [];
  const clears: RecordedEffect[] = [];
  for (const r of evs) {
    let clear = false;
    for (const op of r.e.ops) {
      if (op.k === 'del') clear = true;
      else if (op.k === 'exp') {
        clear = true;
        if (op.e.at !== null) adds.push({ r, at: op.e.at });
      }
    }
    // A SET without KEEPTTL drops the TTL it saw, whatever the engine encoded for it.
    const set = r.e.ops.some((op) => op.k === 'str' && op.e.t === 'set');
    if (set && r.argv[0]?.toLowerCase() === 'set' && !r.argv.some((a) => a.toLowerCase() === 'keepttl')) clear = true;
    if (clear) clears.push(r);
  }
  let exp = -Infinity;
  for (const x of adds) if (!clears.some((y) => y !== x.r && observed(y, x.r))) exp = Math.max(exp, x.at);
  return exp === -Infinity || exp === Infinity ? null : exp;
}

/** Keys whose list state the model cannot judge (element ids reused after collection). */
export const AMBIGUOUS = Symbol('ambiguous');

/** Expected visible state of every key, from the recorded effects that were not lost in a crash. */
export function expectedState(recorded: readonly RecordedEffect[]): Map<string, KeyView | typeof AMBIGUOUS> {
  const byKey = new Map<string, RecordedEffect[]>();
  const lost = recorded.filter((r) => r.lost);
  for (const r of recorded) {
    if (r.lost) continue;
    let list = byKey.get(r.e.key);
    if (list === undefined) byKey.set(r.e.key, (list = []));
    list.push(r);
  }
  const out = new Map<string, KeyView | typeof AMBIGUOUS>();
  for (const [key, evs] of byKey) {
    const ops = typedOps(evs);
    const views = new Map<TypeName, unknown>();
    const put = (t: TypeName, v: unknown) => {
      if (v !== null) views.set(t, v);
    };
    put('string', stringView(ops));
    put('hash', hashView(ops));
    put('set', setView(ops));
    put('zset', zsetView(ops));
    const list = listView(ops);
    if (list === 'ambiguous') {
      out.set(key, AMBIGUOUS);
      continue;
    }
    put('list', list);
    put('hll', hllView(ops, lost));
    const shown = TYPE_PRECEDENCE.find((t) => views.has(t));
    if (shown === undefined) continue;
    out.set(key, { type: shown, data: views.get(shown), exp: expiryOf(evs) });
  }
  return out;
}
