// The reference model: what every key must look like after convergence, computed straight
// from the rules (reference §2.1, §2.2, §3.1, §3.4 and the choices in crdt/string-value.ts and
// crdt/expiry.ts), from the recorded history alone.
//
// Each recorded effect comes with the vector clock its instance had applied when it issued it
// (its causal context). "e observed x" means x is in e's context. The model never reads the
// observation lists an effect carries: it recomputes what each removal saw from the contexts,
// so a bug in how commands build those lists shows up as a mismatch.
//
// Rules, per key:
// - Register: writes are stamped (HLC timestamp, instance id); the highest stamp holds the
//   register. A removal (DEL, or the DEL an expiry issues) removes every stamp up to the one that
//   was visible where it ran. The register shows when its stamp beats every removal's stamp.
// - Counter: an increment counts unless a removal or a register write observed it; the value
//   is the sum of those that count (TV-CNT-01; §2.2 "SET 100 ‖ INCRBY 5 → 105").
// - Expiry: each EXPIRE/PERSIST/SET…EX adds an entry; an entry dies when a later expiry write, a
//   removal or a SET without KEEPTTL observed it. The effective expiry is the latest surviving
//   entry, PERSIST counting as never (TV-EXP-01/02).
// - The key shows when the register shows or an increment counts.
import * as D from '../../src/crdt/dyadic.js';
import type { Dyadic } from '../../src/crdt/dyadic.js';
import { stampWins } from '../../src/crdt/string-value.js';
import type { RecordedEffect } from './world.js';

export interface KeyView {
  /** Register value when it shows. */
  readonly reg: string | null;
  /** Sum of the counting increments (dyadic JSON) when any counts. */
  readonly sum: string | null;
  /** Effective expiry in Unix ms, or null for none. */
  readonly exp: number | null;
}

interface Stamp {
  readonly ts: number;
  readonly id: number;
}

interface Ev {
  readonly r: RecordedEffect;
  readonly origin: number;
  readonly seq: number;
  readonly set: string | null;
  readonly incr: Dyadic | null;
  readonly removal: boolean;
  /** Adds an expiry entry at this time (Infinity = PERSIST). */
  readonly expAt: number | null;
  /** Removes the expiry entries it observed. */
  readonly expClear: boolean;
}

function classify(r: RecordedEffect): Ev {
  let set: string | null = null;
  let incr: Dyadic | null = null;
  let removal = false;
  let expAt: number | null = null;
  let expClear = false;
  for (const op of r.e.ops) {
    if (op.k === 'str') {
      if (op.e.t === 'set') set = op.e.v;
      else if (op.e.t === 'incr') incr = incr === null ? op.e.d : D.add(incr, op.e.d);
    } else if (op.k === 'del') {
      removal = true;
      expClear = true;
    } else if (op.k === 'exp') {
      expClear = true;
      if (op.e.at !== null) expAt = op.e.at;
    }
  }
  // A SET without KEEPTTL drops the TTL it saw, whatever the engine encoded for it.
  const name = r.argv[0]?.toLowerCase();
  if (set !== null && name === 'set' && !r.argv.some((a) => a.toLowerCase() === 'keepttl')) expClear = true;
  return { r, origin: r.e.origin, seq: r.e.seq, set, incr, removal, expAt, expClear };
}

/** The visible state of one key given its effects (in any order). */
class KeyModel {
  private readonly thresholds = new Map<Ev, Stamp | null>();

  constructor(private readonly evs: readonly Ev[]) {}

  private observed(by: Ev, x: Ev): boolean {
    return by.r.ctx.covers(x.origin, x.seq);
  }

  /** The register's stamp and value visible within `within` (all effects when null). */
  private register(within: Ev | null): { stamp: Stamp; v: string } | null {
    let best: { stamp: Stamp; v: string } | null = null;
    let thr: Stamp | null = null;
    for (const x of this.evs) {
      if (within !== null && !this.observed(within, x)) continue;
      if (x.set !== null) {
        const s = { ts: x.r.e.ts, id: x.origin };
        if (best === null || stampWins(s.ts, s.id, best.stamp.ts, best.stamp.id)) best = { stamp: s, v: x.set };
      }
      if (x.removal) {
        const t = this.threshold(x);
        if (t !== null && (thr === null || stampWins(t.ts, t.id, thr.ts, thr.id))) thr = t;
      }
    }
    if (best === null) return null;
    if (thr !== null && !stampWins(best.stamp.ts, best.stamp.id, thr.ts, thr.id)) return null;
    return best;
  }

  /** What a removal removes from the register: the stamp it saw showing, if any. */
  private threshold(d: Ev): Stamp | null {
    if (this.thresholds.has(d)) return this.thresholds.get(d)!;
    const seen = this.register(d);
    const t = seen === null ? null : seen.stamp;
    this.thresholds.set(d, t);
    return t;
  }

  view(): KeyView | null {
    const reg = this.register(null);
    let sum: Dyadic | null = null;
    for (const i of this.evs) {
      if (i.incr === null) continue;
      const removed = this.evs.some((x) => (x.removal || x.set !== null) && x !== i && this.observed(x, i));
      if (!removed) sum = sum === null ? i.incr : D.add(sum, i.incr);
    }
    if (reg === null && sum === null) return null;
    let exp = -Infinity;
    for (const x of this.evs) {
      if (x.expAt === null) continue;
      const dead = this.evs.some((y) => y.expClear && y !== x && this.observed(y, x));
      if (!dead) exp = Math.max(exp, x.expAt);
    }
    return { reg: reg?.v ?? null, sum: sum === null ? null : D.toJSON(sum), exp: exp === -Infinity || exp === Infinity ? null : exp };
  }
}

/** Expected visible state of every key, from the recorded effects that were not lost in a crash. */
export function expectedState(recorded: readonly RecordedEffect[]): Map<string, KeyView> {
  const byKey = new Map<string, Ev[]>();
  for (const r of recorded) {
    if (r.lost) continue;
    let list = byKey.get(r.e.key);
    if (list === undefined) byKey.set(r.e.key, (list = []));
    list.push(classify(r));
  }
  const out = new Map<string, KeyView>();
  for (const [key, evs] of byKey) {
    const v = new KeyModel(evs).view();
    if (v !== null) out.set(key, v);
  }
  return out;
}
