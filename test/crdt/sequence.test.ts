import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { checkLaws } from './laws.js';
import { BinaryReader, BinaryWriter } from '../../src/crdt/binary.js';
import type { EffectMeta, Stability } from '../../src/crdt/crdt.js';
import type { ListEffect, ListState } from '../../src/crdt/sequence.js';
import * as List from '../../src/crdt/sequence.js';

const { ListType } = List;
const ALL_STABLE: Stability = { isStable: () => true };

// ---- an engine-like prepare ------------------------------------------------------------------------

type Op =
  | { k: 'lpush'; v: string[] }
  | { k: 'rpush'; v: string[] }
  | { k: 'linsert'; before: boolean; at: number; v: string }
  | { k: 'lpop'; n: number }
  | { k: 'rpop'; n: number }
  | { k: 'lset'; at: number; v: string }
  | { k: 'ltrim'; start: number; stop: number }
  | { k: 'lrem'; v: string }
  | { k: 'del' };

const valueArb = fc.constantFrom('a', 'b', 'c', 'd', 'e', '');

function opArb(maxPush: number): fc.Arbitrary<Op> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.record({ k: fc.constant('lpush' as const), v: fc.array(valueArb, { minLength: 1, maxLength: maxPush }) }) },
    { weight: 4, arbitrary: fc.record({ k: fc.constant('rpush' as const), v: fc.array(valueArb, { minLength: 1, maxLength: maxPush }) }) },
    { weight: 3, arbitrary: fc.record({ k: fc.constant('linsert' as const), before: fc.boolean(), at: fc.nat(), v: valueArb }) },
    { weight: 2, arbitrary: fc.record({ k: fc.constant('lpop' as const), n: fc.integer({ min: 1, max: 3 }) }) },
    { weight: 2, arbitrary: fc.record({ k: fc.constant('rpop' as const), n: fc.integer({ min: 1, max: 3 }) }) },
    { weight: 2, arbitrary: fc.record({ k: fc.constant('lset' as const), at: fc.integer({ min: -50, max: 50 }), v: valueArb }) },
    { weight: 1, arbitrary: fc.record({ k: fc.constant('ltrim' as const), start: fc.integer({ min: -6, max: 6 }), stop: fc.integer({ min: -6, max: 6 }) }) },
    { weight: 1, arbitrary: fc.record({ k: fc.constant('lrem' as const), v: valueArb }) },
    { weight: 1, arbitrary: fc.constant({ k: 'del' as const }) },
  );
}

function prepare(s: ListState, op: Op): ListEffect | null {
  const n = List.length(s);
  switch (op.k) {
    case 'lpush':
      return List.pushHead(s, op.v);
    case 'rpush':
      return List.pushTail(s, op.v);
    case 'linsert': {
      if (n === 0) return null;
      const pivot = List.elementAt(s, op.at % n)!.id;
      return op.before ? List.insertBefore(s, pivot, op.v) : List.insertAfter(s, pivot, op.v);
    }
    case 'lpop':
      return List.popHead(s, op.n)?.effect ?? null;
    case 'rpop':
      return List.popTail(s, op.n)?.effect ?? null;
    case 'lset':
      return List.set(s, op.at, op.v);
    case 'ltrim':
      return List.trim(s, op.start, op.stop);
    case 'lrem': {
      const ids: number[] = [];
      List.scan(s, 0, false, (v, id) => {
        if (v === op.v) ids.push(id);
        return true;
      });
      return ids.length > 0 ? List.remove(ids) : null;
    }
    case 'del':
      return ListType.isVisible(s) ? ListType.removalEffect(s) : null;
  }
}

/**
 * laws.ts draws its histories with fast-check's default size, which keeps them short (about ten
 * steps); this runs them at their full `steps` length too.
 */
export function withLongHistories(fn: () => void): void {
  const saved = fc.readConfigureGlobal();
  fc.configureGlobal({ ...saved, defaultSizeToMaxWhenMaxSpecified: true });
  try {
    fn();
  } finally {
    fc.configureGlobal(saved);
  }
}

test('list satisfies the CRDT laws (3 instances, per-origin FIFO, any interleaving)', () => {
  checkLaws({ type: ListType, op: opArb(3), prepare: (s, op) => prepare(s, op), runs: 600, steps: 60 });
});

test('list satisfies the CRDT laws with long histories (3 and 4 instances)', () => {
  withLongHistories(() => {
    checkLaws({ type: ListType, op: opArb(3), prepare: (s, op) => prepare(s, op), runs: 300, steps: 150 });
    checkLaws({ type: ListType, op: opArb(5), prepare: (s, op) => prepare(s, op), instances: 4, runs: 150, steps: 200 });
    // Lists past a few hundred slots: lookups by id go through the id index.
    checkLaws({ type: ListType, op: opArb(40), prepare: (s, op) => prepare(s, op), runs: 60, steps: 100 });
  });
});

test('list laws, 4 instances, replaying seed 1174466257 (a removal that arrived before a pending insert)', () => {
  withLongHistories(() => {
    checkLaws({ type: ListType, op: opArb(5), prepare: (s, op) => prepare(s, op), instances: 4, runs: 150, steps: 200, seed: 1174466257 });
  });
});

test('a removal that arrives before an insert still waiting for its anchor is held once (seed 1174466257, shrunk)', () => {
  // 4 pushes x; 3 inserts y after x; 2 receives y then x, and trims y away; 1 receives the trim,
  // then y (its anchor x not yet there).
  const m = (origin: number, seq: number): EffectMeta => ({ origin, seq, ts: seq * 4 + origin });
  const s4 = ListType.empty();
  const x = List.pushTail(s4, ['x']);
  ListType.apply(s4, x, m(4, 1));
  const s3 = ListType.empty();
  ListType.apply(s3, x, m(4, 1));
  const y = List.insertAfter(s3, List.elementAt(s3, 0)!.id, 'y');
  ListType.apply(s3, y, m(3, 1));
  const s2 = ListType.empty();
  ListType.apply(s2, y, m(3, 1));
  ListType.apply(s2, x, m(4, 1));
  const trim = List.trim(s2, 0, 0)!;
  ListType.apply(s2, trim, m(2, 1));
  const s1 = ListType.empty();
  ListType.apply(s1, trim, m(2, 1));
  ListType.apply(s1, y, m(3, 1));
  const again = ListType.clone(s1);
  ListType.joinInto(again, s1);
  assert.ok(ListType.equal(again, s1), 'join with itself changed the state');
  // The other order at a fifth instance: the insert waits first, then the trim arrives.
  const s5 = ListType.empty();
  ListType.apply(s5, y, m(3, 1));
  ListType.apply(s5, trim, m(2, 1));
  assert.ok(ListType.equal(s5, s1), 'the order of removal and pending insert matters');
  ListType.apply(s1, x, m(4, 1));
  assert.deepEqual(ListType.value(s1), ['x']);
  assert.ok(ListType.equal(s1, s2));
});

// ---- a small cluster for the test vectors ---------------------------------------------------------

interface Sent {
  meta: EffectMeta;
  effect: ListEffect;
}

/** N instances (ids 1..N) exchanging effects; `sync` delivers everything in per-origin order. */
class Cluster {
  readonly states: ListState[];
  private readonly logs: Sent[][];
  private readonly applied: number[][];
  private ts = 1000;

  constructor(n: number) {
    this.states = Array.from({ length: n }, () => ListType.empty());
    this.logs = Array.from({ length: n }, () => []);
    this.applied = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  }

  /** Runs a write on instance `i` (1-based); returns the prepared effect's extra result. */
  write(i: number, effect: ListEffect | null): void {
    if (effect === null) return;
    const log = this.logs[i - 1]!;
    const sent: Sent = { meta: { origin: i, seq: log.length + 1, ts: this.ts++ }, effect };
    log.push(sent);
    this.deliver(i, sent);
  }

  private deliver(to: number, d: Sent): void {
    const a = this.applied[to - 1]!;
    if (d.meta.seq !== a[d.meta.origin - 1]! + 1) return;
    ListType.apply(this.states[to - 1]!, d.effect, d.meta);
    a[d.meta.origin - 1] = d.meta.seq;
  }

  sync(): void {
    for (let to = 1; to <= this.states.length; to++) {
      for (let from = 1; from <= this.states.length; from++) for (const d of this.logs[from - 1]!) this.deliver(to, d);
    }
  }

  state(i: number): ListState {
    return this.states[i - 1]!;
  }

  range(i: number): string[] {
    return List.range(this.state(i), 0, -1);
  }
}

test('TV-LIST-01 simple: sequential pushes on two instances', () => {
  const c = new Cluster(2);
  c.write(1, List.pushHead(c.state(1), ['hello']));
  c.sync();
  c.write(2, List.pushHead(c.state(2), ['world']));
  assert.equal(List.length(c.state(2)), 2);
  c.sync();
  assert.deepEqual(c.range(1), ['world', 'hello']);
  assert.deepEqual(c.range(2), ['world', 'hello']);
});

test('TV-LIST-02 concurrent inserts after the same element: instance 1 nearer the anchor', () => {
  const c = new Cluster(2);
  c.write(1, List.pushHead(c.state(1), ['x']));
  c.sync();
  const x1 = List.elementAt(c.state(1), 0)!.id;
  const x2 = List.elementAt(c.state(2), 0)!.id;
  c.write(1, List.insertAfter(c.state(1), x1, 'y1'));
  c.write(2, List.insertAfter(c.state(2), x2, 'y2'));
  assert.deepEqual(c.range(1), ['x', 'y1']);
  assert.deepEqual(c.range(2), ['x', 'y2']);
  c.sync();
  assert.deepEqual(c.range(1), ['x', 'y1', 'y2']);
  assert.deepEqual(c.range(2), ['x', 'y1', 'y2']);
});

test('TV-LIST-02 rule, 3 instances, applied in reverse order: ids ascending from the anchor', () => {
  const c = new Cluster(3);
  c.write(3, List.pushTail(c.state(3), ['x', 'end']));
  c.sync();
  for (const i of [3, 2, 1]) {
    const s = c.state(i);
    c.write(i, List.insertAfter(s, List.elementAt(s, 0)!.id, `y${i}`));
  }
  c.sync();
  for (const i of [1, 2, 3]) assert.deepEqual(c.range(i), ['x', 'y1', 'y2', 'y3', 'end']);
});

test('TV-LIST-02 rule at the ends: concurrent LPUSH gives [a b x], concurrent RPUSH gives [x a b]', () => {
  const head = new Cluster(2);
  head.write(1, List.pushHead(head.state(1), ['x']));
  head.sync();
  head.write(1, List.pushHead(head.state(1), ['a']));
  head.write(2, List.pushHead(head.state(2), ['b']));
  head.sync();
  assert.deepEqual(head.range(1), ['a', 'b', 'x']);
  assert.deepEqual(head.range(2), ['a', 'b', 'x']);

  const tail = new Cluster(2);
  tail.write(1, List.pushTail(tail.state(1), ['x']));
  tail.sync();
  tail.write(1, List.pushTail(tail.state(1), ['a']));
  tail.write(2, List.pushTail(tail.state(2), ['b']));
  tail.sync();
  assert.deepEqual(tail.range(1), ['x', 'a', 'b']);
  assert.deepEqual(tail.range(2), ['x', 'a', 'b']);

  // Multi-value pushes stay contiguous (chains), as in TV-JSON-11.
  const multi = new Cluster(2);
  multi.write(1, List.pushTail(multi.state(1), ['eggs', 'ham']));
  multi.write(2, List.pushTail(multi.state(2), ['milk', 'flour']));
  multi.write(1, List.pushHead(multi.state(1), ['p', 'q']));
  multi.write(2, List.pushHead(multi.state(2), ['r', 's']));
  multi.sync();
  assert.deepEqual(multi.range(1), ['q', 'p', 's', 'r', 'eggs', 'ham', 'milk', 'flour']);
  assert.deepEqual(multi.range(2), multi.range(1));
});

test('TV-LIST-03 DEL while pushing: only the unobserved element survives', () => {
  const c = new Cluster(2);
  c.write(1, List.pushHead(c.state(1), ['x']));
  c.sync();
  assert.deepEqual(c.range(1), ['x']);
  assert.deepEqual(c.range(2), ['x']);
  c.write(1, List.pushHead(c.state(1), ['y']));
  c.write(2, ListType.removalEffect(c.state(2)));
  assert.equal(List.length(c.state(1)), 2);
  assert.equal(ListType.isVisible(c.state(2)), false);
  c.sync();
  assert.deepEqual(c.range(1), ['y']);
  assert.deepEqual(c.range(2), ['y']);
});

test('TV-LIST-04 popping: concurrent pops of one element both return it, once removed', () => {
  const c = new Cluster(2);
  c.write(1, List.pushHead(c.state(1), ['x', 'y', 'z']));
  assert.deepEqual(c.range(1), ['z', 'y', 'x']);
  c.sync();
  const p1 = List.popTail(c.state(2), 1)!;
  assert.deepEqual(p1.values, ['x']);
  c.write(2, p1.effect);
  c.sync();
  const p2 = List.popTail(c.state(1), 1)!;
  assert.deepEqual(p2.values, ['y']);
  c.write(1, p2.effect);
  c.sync();
  const a = List.popTail(c.state(1), 1)!;
  const b = List.popTail(c.state(2), 1)!;
  assert.deepEqual(a.values, ['z']);
  assert.deepEqual(b.values, ['z']);
  c.write(1, a.effect);
  c.write(2, b.effect);
  c.sync();
  for (const i of [1, 2]) {
    assert.equal(List.length(c.state(i)), 0);
    assert.equal(ListType.isVisible(c.state(i)), false); // EXISTS L -> 0
  }
  assert.ok(ListType.equal(c.state(1), c.state(2)));
  // Both removals raced for z; after collection nothing is left (a run at the end needs no ghost).
  for (const i of [1, 2]) ListType.collect(c.state(i), ALL_STABLE);
  assert.equal(c.state(1).tree.size, 0);
  assert.equal(c.state(2).tree.size, 0);
});

test('LSET is last-writer-wins on the element; a concurrent removal beats it', () => {
  const c = new Cluster(2);
  c.write(1, List.pushTail(c.state(1), ['a', 'b']));
  c.sync();
  c.write(1, List.set(c.state(1), 0, 'from1'));
  c.write(2, List.set(c.state(2), 0, 'from2')); // later timestamp wins
  c.sync();
  assert.deepEqual(c.range(1), ['from2', 'b']);
  assert.deepEqual(c.range(2), ['from2', 'b']);
  c.write(1, List.set(c.state(1), 1, 'set'));
  c.write(2, List.popTail(c.state(2), 1)!.effect);
  c.sync();
  assert.deepEqual(c.range(1), ['from2']);
  assert.deepEqual(c.range(2), ['from2']);
});

// ---- single instance against a plain array ---------------------------------------------------------

type ModelOp = Op | { k: 'collect' } | { k: 'roundtrip' } | { k: 'read'; a: number; b: number };

const modelOpArb: fc.Arbitrary<ModelOp> = fc.oneof(
  { weight: 12, arbitrary: opArb(40) },
  { weight: 1, arbitrary: fc.constant({ k: 'collect' as const }) },
  { weight: 1, arbitrary: fc.constant({ k: 'roundtrip' as const }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('read' as const), a: fc.integer({ min: -300, max: 300 }), b: fc.integer({ min: -300, max: 300 }) }) },
);

/** Redis list semantics on a JS array of [id, value]. */
function modelApply(m: [number, string][], s: ListState, op: Op): void {
  const n = m.length;
  const norm = (i: number) => (i < 0 ? n + i : i);
  switch (op.k) {
    case 'lpush':
      for (const v of op.v) m.unshift([0, v]);
      return;
    case 'rpush':
      for (const v of op.v) m.push([0, v]);
      return;
    case 'linsert': {
      if (n === 0) return;
      const i = op.at % n;
      m.splice(op.before ? i : i + 1, 0, [0, op.v]);
      return;
    }
    case 'lpop':
      m.splice(0, op.n);
      return;
    case 'rpop':
      m.splice(Math.max(0, n - op.n), op.n);
      return;
    case 'lset': {
      const i = norm(op.at);
      if (i >= 0 && i < n) m[i] = [m[i]![0], op.v];
      return;
    }
    case 'ltrim': {
      let start = norm(op.start);
      let stop = norm(op.stop);
      if (start < 0) start = 0;
      if (start > stop || start >= n) m.length = 0;
      else {
        if (stop >= n) stop = n - 1;
        m.splice(stop + 1);
        m.splice(0, start);
      }
      return;
    }
    case 'lrem':
      for (let i = n - 1; i >= 0; i--) if (m[i]![1] === op.v) m.splice(i, 1);
      return;
    case 'del':
      m.length = 0;
      return;
  }
  void s;
}

function redisRange<T>(m: T[], start: number, stop: number): T[] {
  const n = m.length;
  if (start < 0) start += n;
  if (stop < 0) stop += n;
  if (start < 0) start = 0;
  if (stop >= n) stop = n - 1;
  return start > stop ? [] : m.slice(start, stop + 1);
}

function roundTrip(s: ListState): ListState {
  const w = new BinaryWriter();
  ListType.encode(s, w);
  return ListType.decode(new BinaryReader(w.finish()));
}

test('single instance: the list behaves like a Redis list (model test against an array)', () => {
  fc.assert(
    fc.property(fc.array(modelOpArb, { minLength: 20, maxLength: 250, size: 'max' }), (ops) => {
      let s = ListType.empty();
      const model: [number, string][] = [];
      let seq = 0;
      for (const op of ops) {
        if (op.k === 'collect') {
          ListType.collect(s, ALL_STABLE);
          const g = List.garbageStats(s);
          assert.equal(g.tombstones, 0, 'collect left tombstones behind');
          assert.ok(g.ghosts <= s.tree.live, 'more ghosts than gaps between elements');
        } else if (op.k === 'roundtrip') {
          const r = roundTrip(s);
          assert.ok(ListType.equal(r, s));
          s = seq % 2 === 0 ? r : ListType.clone(r);
        } else if (op.k === 'read') {
          assert.deepEqual(List.range(s, op.a, op.b), redisRange(model, op.a, op.b).map((x) => x[1]));
          assert.equal(List.at(s, op.a), model[op.a < 0 ? model.length + op.a : op.a]?.[1]);
        } else {
          const e = prepare(s, op);
          if (op.k === 'lpop' || op.k === 'rpop') {
            const p = op.k === 'lpop' ? List.popHead(s, op.n) : List.popTail(s, op.n);
            const want = op.k === 'lpop' ? model.slice(0, op.n) : model.slice(-op.n).reverse();
            assert.deepEqual(p?.values ?? [], want.map((x) => x[1]));
          }
          modelApply(model, s, op);
          if (e !== null) ListType.apply(s, e, { origin: 1, seq: ++seq, ts: seq });
          // Record the new elements' ids in the model (they are the only ones with id 0).
          List.scan(s, 0, false, (_v, id, i) => {
            if (model[i]![0] === 0) model[i]![0] = id;
            return true;
          });
        }
        assert.equal(List.length(s), model.length);
        assert.deepEqual(ListType.value(s), model.map((x) => x[1]));
      }
      // Element → index through the id index (built on demand) for every element.
      model.forEach(([id], i) => assert.equal(List.indexOf(s, id), i));
      ListType.collect(s, ALL_STABLE);
      model.forEach(([id], i) => assert.equal(List.indexOf(s, id), i));
    }),
    { numRuns: 200 },
  );
});

// ---- garbage collection under concurrency ----------------------------------------------------------

test('collect keeps the place of an insert issued before its writer saw the collected element\'s children', () => {
  // 2 pushes p; 3 pops p and pushes q at the head without having seen p's child c, which 2
  // appends concurrently. p's removal becomes stable and instance 1 collects p before q arrives:
  // q (higher counter than p, lower than c) must still land before p's subtree, as it does on
  // instances that kept p.
  const [s1, s2, s3] = [ListType.empty(), ListType.empty(), ListType.empty()];
  const m = (origin: number, seq: number): EffectMeta => ({ origin, seq, ts: origin * 100 + seq });
  const insP = List.pushTail(s2, ['p']);
  for (const s of [s2, s3, s1]) ListType.apply(s, insP, m(2, 1));
  const popP = List.popTail(s3, 1)!.effect;
  ListType.apply(s3, popP, m(3, 1));
  const insQ = List.pushHead(s3, ['q']);
  ListType.apply(s3, insQ, m(3, 2));
  const insC = List.pushTail(s2, ['c']); // anchored on p, concurrent with its removal
  ListType.apply(s2, insC, m(2, 2));
  for (const [s, e, mm] of [[s1, insC, m(2, 2)], [s1, popP, m(3, 1)], [s2, popP, m(3, 1)], [s3, insC, m(2, 2)]] as const) ListType.apply(s, e, mm);
  // Everything concurrent with the pop (3:1) has reached every instance: it is stable.
  ListType.collect(s1, { isStable: (o, q) => o === 3 && q === 1 });
  assert.equal(List.garbageStats(s1).tombstones, 0);
  for (const s of [s1, s2]) ListType.apply(s, insQ, m(3, 2));
  assert.deepEqual(ListType.value(s2), ['q', 'c']);
  assert.deepEqual(ListType.value(s3), ['q', 'c']);
  assert.deepEqual(ListType.value(s1), ['q', 'c']);
});

/**
 * A simulation with a real stability oracle: a removal dot is stable once every instance has
 * applied it and every effect not causally after it. Instances collect at random moments and
 * full-sync (join) each other's states; the visible result must be the one of a run that never
 * collects.
 */
test('collect during concurrent histories never changes what any instance shows', () => {
  const stepArb = fc.oneof(
    { weight: 4, arbitrary: fc.record({ k: fc.constant('op' as const), at: fc.nat(2), op: opArb(3) }) },
    { weight: 3, arbitrary: fc.record({ k: fc.constant('deliver' as const), from: fc.nat(2), to: fc.nat(2), n: fc.integer({ min: 1, max: 4 }) }) },
    { weight: 1, arbitrary: fc.record({ k: fc.constant('gc' as const), at: fc.nat(2) }) },
    // Full sync: the destination joins the source's whole state, then streaming continues.
    { weight: 1, arbitrary: fc.record({ k: fc.constant('join' as const), from: fc.nat(2), to: fc.nat(2) }) },
  );
  fc.assert(
    fc.property(fc.array(stepArb, { minLength: 10, maxLength: 120, size: 'max' }), (steps) => {
      const N = 3;
      interface Eff {
        meta: EffectMeta;
        effect: ListEffect;
        /** The issuer's applied vector when it issued this effect. */
        vc: number[];
      }
      const run = (gc: boolean) => {
        const states = Array.from({ length: N }, () => ListType.empty());
        const applied = Array.from({ length: N }, () => new Array<number>(N).fill(0));
        const logs: Eff[][] = Array.from({ length: N }, () => []);
        const apply = (to: number, e: Eff) => {
          ListType.apply(states[to]!, e.effect, e.meta);
          applied[to]![e.meta.origin - 1] = e.meta.seq;
        };
        const stability: Stability = {
          isStable(origin, seq) {
            if (applied.some((a) => a[origin - 1]! < seq)) return false;
            for (const log of logs) {
              for (const e of log) {
                const after = e.vc[origin - 1]! >= seq || (e.meta.origin === origin && e.meta.seq >= seq);
                if (!after && applied.some((a) => a[e.meta.origin - 1]! < e.meta.seq)) return false;
              }
            }
            return true;
          },
        };
        let ts = 0;
        for (const st of steps) {
          if (st.k === 'op') {
            const e = prepare(states[st.at]!, st.op);
            if (e === null) continue;
            const eff: Eff = { meta: { origin: st.at + 1, seq: logs[st.at]!.length + 1, ts: ++ts }, effect: e, vc: applied[st.at]!.slice() };
            logs[st.at]!.push(eff);
            apply(st.at, eff);
          } else if (st.k === 'deliver') {
            if (st.from === st.to) continue;
            const log = logs[st.from]!;
            for (let i = 0; i < st.n; i++) {
              const next = log[applied[st.to]![st.from]!];
              if (next === undefined) break;
              apply(st.to, next);
            }
          } else if (st.k === 'join') {
            if (st.from === st.to) continue;
            ListType.joinInto(states[st.to]!, states[st.from]!);
            for (let o = 0; o < N; o++) applied[st.to]![o] = Math.max(applied[st.to]![o]!, applied[st.from]![o]!);
          } else if (gc) ListType.collect(states[st.at]!, stability);
        }
        const shown = states.map((s) => ListType.value(s));
        for (let to = 0; to < N; to++) for (let from = 0; from < N; from++) for (const e of logs[from]!.slice(applied[to]![from]!)) apply(to, e);
        if (gc) for (const s of states) ListType.collect(s, stability);
        return { shown, final: states.map((s) => ListType.value(s)), states };
      };
      const plain = run(false);
      const collected = run(true);
      assert.deepEqual(collected.shown, plain.shown);
      assert.deepEqual(collected.final, plain.final);
      for (const s of collected.states) assert.ok(ListType.equal(s, collected.states[0]!), 'collected instances differ');
      for (const s of collected.states) assert.equal(List.garbageStats(s).tombstones, 0, 'tombstones left after everything is stable');
    }),
    { numRuns: 1500 },
  );
});
