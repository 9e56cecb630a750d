/**
 * A small in-memory group of instances of one CRDT, for tests next to laws.ts:
 *
 * - `Replicas` plays the reference's test-vector notation at the CRDT level: instance i writes
 *   (its effect applied locally, logged), `sync` exchanges logged effects per origin in order;
 * - `checkRemovalHides`: a DEL's effect hides everything where it was issued;
 * - `checkCollect` is the garbage-collection law: `collect` never changes what anyone sees.
 *   Two copies of the same seeded history run side by side — same operations, same deliveries —
 *   one calling `collect` at random instances with an exact stability oracle, the other never.
 *   After every step each instance must show the same value in both; with everything delivered
 *   both must have converged, and joining collected states must show what joining uncollected
 *   ones shows (full sync after GC).
 *
 * Stability is what crdt.ts promises: an effect is stable once every instance has applied it and
 * its causal past, and every effect concurrent with it has reached every instance.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { CrdtType, EffectMeta, Stability } from '../../src/crdt/crdt.js';
import type { KeyedType } from '../../src/crdt/key.js';
import type { LawsSpec } from './laws.js';

interface Issued<E> {
  meta: EffectMeta;
  effect: E;
  /** What the origin had applied when it issued the effect (itself included). */
  vec: number[];
}

export class Replicas<S, E> {
  readonly states: S[];
  private readonly seq: number[];
  private readonly clock: number[];
  /** applied[i][j]: how many effects of instance j+1 instance i+1 has applied. */
  private readonly applied: number[][];
  private readonly log: Issued<E>[][];

  constructor(
    readonly type: CrdtType<S, E>,
    readonly n: number,
  ) {
    this.states = Array.from({ length: n }, () => type.empty());
    this.seq = new Array(n).fill(0);
    this.clock = new Array(n).fill(0);
    this.applied = Array.from({ length: n }, () => new Array(n).fill(0));
    this.log = Array.from({ length: n }, () => []);
  }

  /** Instance `id`'s state (ids start at 1, as instance ids do). */
  state(id: number): S {
    return this.states[id - 1]!;
  }

  /**
   * Instance `id` issues `effect`, stamped `ts` (default: its clock + 1; a clock never goes back
   * below what it observed, like the HLC). Returns the effect's meta.
   */
  write(id: number, effect: E, ts?: number): EffectMeta {
    const i = id - 1;
    const stamp = Math.max(ts ?? this.clock[i]! + 1, this.clock[i]! + 1);
    this.clock[i] = stamp;
    this.seq[i]! += 1;
    const meta = { origin: id, seq: this.seq[i]!, ts: stamp };
    this.type.apply(this.states[i]!, effect, meta);
    this.applied[i]![i] = meta.seq;
    this.log[i]!.push({ meta, effect, vec: [...this.applied[i]!] });
    return meta;
  }

  /** Delivers up to `count` of `from`'s next effects to `to` (per-origin FIFO). */
  deliver(from: number, to: number, count = Infinity): void {
    if (from === to) return;
    const a = this.applied[to - 1]!;
    for (const d of this.log[from - 1]!.slice(a[from - 1]!, a[from - 1]! + count)) {
      this.type.apply(this.states[to - 1]!, d.effect, d.meta);
      a[from - 1] = d.meta.seq;
      this.clock[to - 1] = Math.max(this.clock[to - 1]!, d.meta.ts);
    }
  }

  /** Exchanges every pending effect between the listed instances (default: all). */
  sync(...ids: number[]): void {
    const list = ids.length > 0 ? ids : Array.from({ length: this.n }, (_, i) => i + 1);
    for (const to of list) for (const from of list) this.deliver(from, to);
  }

  /** The latest timestamp instance `id` issued or observed. */
  clockOf(id: number): number {
    return this.clock[id - 1]!;
  }

  value(id: number): unknown {
    return this.type.value(this.state(id));
  }

  stability(): Stability {
    const everywhere = (o: number, s: number) => this.applied.every((a) => a[o - 1]! >= s);
    return {
      isStable: (origin, seq) => {
        const r = this.log[origin - 1]?.[seq - 1];
        if (r === undefined) return false;
        for (let j = 0; j < this.n; j++) if (!everywhere(j + 1, r.vec[j]!)) return false;
        for (const e of this.log.flat()) {
          const before = r.vec[e.meta.origin - 1]! >= e.meta.seq;
          const after = e.vec[origin - 1]! >= seq;
          if (!before && !after && !everywhere(e.meta.origin, e.meta.seq)) return false;
        }
        return true;
      },
    };
  }

  collect(id: number): void {
    this.type.collect(this.state(id), this.stability());
  }
}

type Step = { kind: 'op'; at: number; op: number } | { kind: 'deliver'; from: number; to: number; count: number } | { kind: 'collect'; at: number };

function stepArb(n: number): fc.Arbitrary<Step> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('op' as const), at: fc.integer({ min: 1, max: n }), op: fc.nat(1000) }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('deliver' as const), from: fc.integer({ min: 1, max: n }), to: fc.integer({ min: 1, max: n }), count: fc.integer({ min: 1, max: 5 }) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('collect' as const), at: fc.integer({ min: 1, max: n }) }) },
  );
}

function show(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x));
}

function step<S, E, Op>(spec: LawsSpec<S, E, Op>, r: Replicas<S, E>, st: Step, ops: Op[], collects: boolean): void {
  if (st.kind === 'collect') {
    if (collects) r.collect(st.at);
  } else if (st.kind === 'deliver') {
    r.deliver(st.from, st.to, st.count);
  } else {
    const effect = spec.prepare(r.state(st.at), ops[st.op % ops.length]!, st.at);
    // Coarse timestamps, as in laws.ts, so equal stamps of different instances happen.
    if (effect !== null) r.write(st.at, effect, Math.floor(r.clockOf(st.at) / 4) * 4 + 4);
  }
}

/**
 * A key's removal effect (what DEL issues) removes exactly what the state shows: applied where it
 * was issued, after any history, nothing is left visible.
 */
export function checkRemovalHides<S, E, Op>(spec: LawsSpec<S, E, Op> & { type: KeyedType<S, E> }): void {
  const n = spec.instances ?? 3;
  fc.assert(
    fc.property(fc.array(spec.op, { minLength: 1, maxLength: 20 }), fc.array(stepArb(n), { maxLength: spec.steps ?? 60 }), (ops, steps) => {
      const r = new Replicas(spec.type, n);
      for (const st of steps) step(spec, r, st, ops, true);
      for (let id = 1; id <= n; id++) {
        r.write(id, spec.type.removalEffect(r.state(id)));
        assert.equal(spec.type.isVisible(r.state(id)), false, `DEL at instance ${id} left ${show(r.value(id))}`);
      }
    }),
    { numRuns: spec.runs ?? 300 },
  );
}

export function checkCollect<S, E, Op>(spec: LawsSpec<S, E, Op>): void {
  const n = spec.instances ?? 3;
  const t = spec.type;
  fc.assert(
    fc.property(fc.array(spec.op, { minLength: 1, maxLength: 20 }), fc.array(stepArb(n), { maxLength: spec.steps ?? 60 }), (ops, steps) => {
      const gc = new Replicas(t, n);
      const plain = new Replicas(t, n);
      const same = (where: string) => {
        for (let id = 1; id <= n; id++) assert.equal(show(gc.value(id)), show(plain.value(id)), `${where}: collect changed what instance ${id} shows`);
      };
      for (const st of steps) {
        step(spec, gc, st, ops, true);
        step(spec, plain, st, ops, false);
        same(`after ${st.kind}`);
      }
      const joined = (r: Replicas<S, E>) => {
        const j = t.clone(r.states[0]!);
        for (const s of r.states.slice(1)) t.joinInto(j, s);
        return show(t.value(j));
      };
      assert.equal(joined(gc), joined(plain), 'joining collected states shows something else');
      gc.sync();
      plain.sync();
      for (let id = 1; id <= n; id++) gc.collect(id);
      same('after full delivery');
      for (let id = 2; id <= n; id++) assert.ok(t.equal(gc.state(id), gc.state(1)), 'collected instances diverged');
      assert.ok(t.equal(t.clone(gc.state(1)), gc.state(1)), 'clone differs after collect');
    }),
    { numRuns: spec.runs ?? 300 },
  );
}
