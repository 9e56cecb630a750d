import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { checkLaws } from './laws.js';
import { Replicas, checkCollect, checkRemovalHides } from './replicas.js';
import { BinaryReader, BinaryWriter } from '../../src/crdt/binary.js';
import type { KeyedType } from '../../src/crdt/key.js';
import type { LexBound, ZEntry, ZOp, ZSetEffect, ZSetState } from '../../src/crdt/zset.js';
import {
  ZSetType,
  zsetAddOp,
  zsetAt,
  zsetCard,
  zsetCountByLex,
  zsetCountByScore,
  zsetEffect,
  zsetIncrementOp,
  zsetRangeByLex,
  zsetRangeByRank,
  zsetRangeByScore,
  zsetRank,
  zsetRemoveOp,
  zsetScore,
} from '../../src/crdt/zset.js';

/** The index must hold exactly the live members, in order, under the scores a fresh decode computes. */
function checkIndex(z: ZSetState): void {
  z.index.check();
  assert.equal(z.index.size, z.live.size, 'index and live members differ in number');
  for (const n of z.index) assert.equal(z.live.get(n.member), n, 'index holds a member that is not live');
  const w = new BinaryWriter();
  ZSetType.encode(z, w);
  const fresh = ZSetType.decode(new BinaryReader(w.finish()));
  assert.deepEqual(ZSetType.value(z), ZSetType.value(fresh), 'a stale score or order in the index');
}

/** ZSetType that verifies its index after every change, for the law checks. */
const Checked: KeyedType<ZSetState, ZSetEffect> = {
  ...ZSetType,
  apply(z, e, meta) {
    ZSetType.apply(z, e, meta);
    checkIndex(z);
  },
  joinInto(z, o) {
    ZSetType.joinInto(z, o);
    checkIndex(z);
  },
  collect(z, stable) {
    ZSetType.collect(z, stable);
    checkIndex(z);
  },
};

type Op = { k: 'zadd'; m: [string, number][] } | { k: 'zincr'; m: string; d: number } | { k: 'zrem'; m: string[] } | { k: 'del' };

const member = fc.constantFrom('x', 'y', 'z');
const score = fc.constantFrom(1, 1.5, -2, 4.1, 0, Infinity, -Infinity);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ k: fc.constant('zadd' as const), m: fc.array(fc.tuple(member, score), { minLength: 1, maxLength: 2 }) }) },
  { weight: 3, arbitrary: fc.record({ k: fc.constant('zincr' as const), m: member, d: fc.constantFrom(1, 0.5, -0.25, 2, 0.1) }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('zrem' as const), m: fc.array(member, { minLength: 1, maxLength: 2 }) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('del' as const) }) },
);

/** The engine's role: each command turned into one effect from what the instance sees. */
function prepare(z: ZSetState, op: Op, self: number): ZSetEffect | null {
  switch (op.k) {
    case 'zadd':
      return zsetEffect(op.m.map(([m, s]) => zsetAddOp(z, m, s)));
    case 'zincr':
      return zsetEffect([zsetIncrementOp(z, op.m, op.d, self)]);
    case 'zrem': {
      const ops = [...new Set(op.m)].map((m) => zsetRemoveOp(z, m)).filter((x): x is ZOp => x !== null);
      return ops.length === 0 ? null : zsetEffect(ops);
    }
    case 'del':
      return ZSetType.isVisible(z) ? ZSetType.removalEffect(z) : null;
  }
}

const spec = { type: Checked, op: opArb, prepare };

test('sorted set satisfies the CRDT laws (index checked after every change)', () => {
  checkLaws(spec);
});

test('sorted set: collect never changes what anyone sees', () => {
  checkCollect(spec);
});

test('sorted set: DEL hides everything where it is issued', () => {
  checkRemovalHides(spec);
});

type R = Replicas<ZSetState, ZSetEffect>;

const zadd = (r: R, id: number, m: string, s: number, ts?: number) => r.write(id, zsetEffect([zsetAddOp(r.state(id), m, s)]), ts);
const zincr = (r: R, id: number, m: string, d: number) => {
  r.write(id, zsetEffect([zsetIncrementOp(r.state(id), m, d, id)]));
  return zsetScore(r.state(id), m);
};
const zrem = (r: R, id: number, m: string) => {
  const op = zsetRemoveOp(r.state(id), m);
  if (op !== null) r.write(id, zsetEffect([op]));
  return op === null ? 0 : 1;
};
const members = (es: ZEntry[]) => es.map((e) => e.member);

test('TV-ZSET-01 no conflict', () => {
  const r = new Replicas(ZSetType, 2);
  zadd(r, 1, 'x', 1.1);
  r.sync();
  zadd(r, 2, 'y', 1.2);
  r.sync();
  for (const id of [1, 2]) assert.deepEqual(members(zsetRangeByRank(r.state(id), 0, -1)), ['x', 'y']);
});

test('TV-ZSET-02 concurrent add, different times (LWW)', () => {
  const r = new Replicas(ZSetType, 2);
  zadd(r, 1, 'x', 1.1, 1000);
  zadd(r, 2, 'x', 2.1, 2000);
  assert.equal(zsetScore(r.state(1), 'x'), 1.1);
  assert.equal(zsetScore(r.state(2), 'x'), 2.1);
  r.sync();
  for (const id of [1, 2]) assert.equal(zsetScore(r.state(id), 'x'), 2.1);
});

test('TV-ZSET-03 concurrent add at the exact same time: instance 1 wins', () => {
  const r = new Replicas(ZSetType, 2);
  zadd(r, 1, 'x', 1.1, 1000);
  zadd(r, 2, 'x', 2.1, 1000);
  assert.equal(zsetScore(r.state(1), 'x'), 1.1);
  assert.equal(zsetScore(r.state(2), 'x'), 2.1);
  r.sync();
  for (const id of [1, 2]) assert.equal(zsetScore(r.state(id), 'x'), 1.1);
});

test('TV-ZSET-04 concurrent increments add up', () => {
  const r = new Replicas(ZSetType, 2);
  zadd(r, 1, 'x', 1.1);
  r.sync();
  assert.equal(zincr(r, 1, 'x', 1.0), 2.1);
  assert.equal(zincr(r, 2, 'x', 1.0), 2.1);
  r.sync();
  for (const id of [1, 2]) assert.equal(String(zsetScore(r.state(id), 'x')), '3.1');
});

test('TV-ZSET-05 remove vs concurrent increment', () => {
  const r = new Replicas(ZSetType, 2);
  zadd(r, 1, 'x', 4.1);
  r.sync();
  assert.equal(zsetScore(r.state(2), 'x'), 4.1);
  assert.equal(zrem(r, 1, 'x'), 1);
  assert.equal(zincr(r, 2, 'x', 2.0), 6.1);
  assert.equal(zsetScore(r.state(1), 'x'), null);
  r.sync();
  for (const id of [1, 2]) assert.equal(zsetScore(r.state(id), 'x'), 2);
});

test('TV-KEY-02 DEL sorted set vs concurrent ZINCRBY', () => {
  const r = new Replicas(ZSetType, 2);
  zadd(r, 1, 'x', 1);
  r.sync();
  r.write(1, ZSetType.removalEffect(r.state(1)));
  assert.equal(zincr(r, 2, 'x', 5), 6);
  r.sync();
  for (const id of [1, 2]) assert.equal(zsetScore(r.state(id), 'x'), 5);
});

test('ZADD vs concurrent ZINCRBY: the new base plus the unobserved increment', () => {
  const r = new Replicas(ZSetType, 2);
  zincr(r, 1, 'x', 3);
  r.sync();
  zadd(r, 1, 'x', 10);
  assert.equal(zsetScore(r.state(1), 'x'), 10, 'ZADD sets the score it shows locally');
  zincr(r, 2, 'x', 1);
  r.sync();
  for (const id of [1, 2]) assert.equal(zsetScore(r.state(id), 'x'), 11);
});

test('ZREM vs concurrent ZINCRBY of an increment-only member keeps the unobserved part', () => {
  const r = new Replicas(ZSetType, 2);
  zincr(r, 2, 'x', 3);
  r.sync();
  zrem(r, 1, 'x');
  assert.equal(zincr(r, 2, 'x', 1), 4);
  r.sync();
  for (const id of [1, 2]) assert.equal(zsetScore(r.state(id), 'x'), 1);
});

test('removals that saw different points of one counter converge in any order', () => {
  const r = new Replicas(ZSetType, 3);
  zincr(r, 2, 'x', 1);
  r.deliver(2, 1);
  zincr(r, 2, 'x', 1);
  r.deliver(2, 3);
  zrem(r, 1, 'x'); // saw B's counter at its first increment
  zrem(r, 3, 'x'); // saw it at its second
  r.deliver(1, 3);
  r.deliver(3, 1);
  r.sync();
  for (const id of [2, 3]) assert.ok(ZSetType.equal(r.state(id), r.state(1)));
  assert.equal(zsetScore(r.state(1), 'x'), null);
});

test('an increment after the removal starts a new lineage, so collected and uncollected instances agree', () => {
  const r = new Replicas(ZSetType, 2);
  zincr(r, 2, 'x', 0.1);
  r.sync();
  zrem(r, 1, 'x');
  r.sync();
  r.collect(1); // A forgets the dead member, B keeps it
  assert.equal(r.state(1).dead, null);
  assert.notEqual(r.state(2).dead, null);
  zincr(r, 2, 'x', 0.2);
  r.sync();
  for (const id of [1, 2]) assert.equal(zsetScore(r.state(id), 'x'), 0.2);
});

test('collect keeps a base that DEL removed from coming back under a surviving increment', () => {
  const r = new Replicas(ZSetType, 2);
  zadd(r, 1, 'x', 1);
  zincr(r, 1, 'x', 1);
  r.sync();
  r.write(1, ZSetType.removalEffect(r.state(1)));
  zincr(r, 2, 'x', 2);
  r.sync();
  for (const id of [1, 2]) assert.equal(zsetScore(r.state(id), 'x'), 2);
  r.collect(1);
  r.collect(2);
  assert.equal(r.state(1).floor, null);
  for (const id of [1, 2]) {
    assert.equal(zsetScore(r.state(id), 'x'), 2);
    checkIndex(r.state(id));
  }
});

test('joining a DEL into a state that has the write it covers (but not the DEL) removes it', () => {
  const r = new Replicas(ZSetType, 3);
  zadd(r, 1, 'x', 1);
  r.deliver(1, 2);
  r.write(2, ZSetType.removalEffect(r.state(2)));
  r.deliver(2, 3); // C has the DEL, not the ZADD it covers
  const ac = ZSetType.clone(r.state(1));
  ZSetType.joinInto(ac, r.state(3));
  const ca = ZSetType.clone(r.state(3));
  ZSetType.joinInto(ca, r.state(1));
  assert.deepEqual(ZSetType.value(ac), []);
  assert.ok(ZSetType.equal(ac, ca));
  checkIndex(ac);
});

test('DEL of members with a ZADD base only is one mark per origin', () => {
  const r = new Replicas(ZSetType, 2);
  r.write(1, zsetEffect(Array.from({ length: 100 }, (_, i) => zsetAddOp(r.state(1), `m${i}`, i))));
  const del = ZSetType.removalEffect(r.state(1));
  assert.deepEqual(del.ops, []);
  assert.equal(del.floor!.length, 1);
});

test('+inf and -inf parts from two instances read as 0, the same everywhere', () => {
  const r = new Replicas(ZSetType, 2);
  zadd(r, 1, 'x', 1);
  r.sync();
  zadd(r, 1, 'x', Infinity);
  zincr(r, 2, 'x', -Infinity);
  r.sync();
  for (const id of [1, 2]) assert.equal(zsetScore(r.state(id), 'x'), 0);
  checkIndex(r.state(1));
});

test('collect forgets dead members once their removals are stable', () => {
  const r = new Replicas(ZSetType, 2);
  zadd(r, 1, 'a', 1);
  zincr(r, 1, 'b', 2);
  r.sync();
  zrem(r, 2, 'a');
  r.write(1, ZSetType.removalEffect(r.state(1)));
  r.sync();
  r.collect(1);
  r.collect(2);
  for (const id of [1, 2]) assert.ok(ZSetType.equal(r.state(id), ZSetType.empty()));
});

// ---- reads against a sorted-array model ---------------------------------------------------------

interface Model {
  member: string;
  score: number;
}

const modelCmp = (a: Model, b: Model) => (a.score < b.score ? -1 : a.score > b.score ? 1 : a.member < b.member ? -1 : a.member > b.member ? 1 : 0);

function windowOf<T>(xs: T[], reverse: boolean, offset: number, count: number): T[] {
  const ys = reverse ? [...xs].reverse() : xs;
  const from = ys.slice(Math.max(0, offset));
  return count < 0 ? from : from.slice(0, count);
}

function inLex(m: string, min: LexBound, max: LexBound): boolean {
  const aboveMin = min === '-' || (min !== '+' && (min.exclusive ? m > min.v : m >= min.v));
  const belowMax = max === '+' || (max !== '-' && (max.exclusive ? m < max.v : m <= max.v));
  return aboveMin && belowMax;
}

const lexBound: fc.Arbitrary<LexBound> = fc.oneof(fc.constantFrom<LexBound>('-', '+'), fc.record({ v: fc.constantFrom('', 'a', 'b', 'ba', 'c', 'd\xff'), exclusive: fc.boolean() }));

test('reads match a sorted-array model', () => {
  const scoreArb = fc.oneof(fc.integer({ min: -5, max: 5 }), fc.constantFrom(Infinity, -Infinity, 0.5));
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.constantFrom('a', 'b', 'ba', 'c', 'd', 'e\xff', 'f', 'g'), scoreArb), { maxLength: 30 }),
      fc.integer({ min: -12, max: 12 }),
      fc.integer({ min: -12, max: 12 }),
      fc.tuple(scoreArb, scoreArb, fc.boolean(), fc.boolean()),
      fc.tuple(fc.boolean(), fc.integer({ min: -1, max: 4 }), fc.integer({ min: -1, max: 5 })),
      fc.tuple(lexBound, lexBound),
      (adds, start, stop, [min, max, minEx, maxEx], [reverse, offset, count], [lmin, lmax]) => {
        const r = new Replicas(ZSetType, 1);
        const model = new Map<string, number>();
        for (const [m, s] of adds) {
          zadd(r, 1, m, s);
          model.set(m, s);
        }
        const z = r.state(1);
        const sorted = [...model].map(([member, score]) => ({ member, score })).sort(modelCmp);
        const ms = (xs: Model[]) => xs.map((x) => [x.member, x.score]);
        const es = (xs: ZEntry[]) => xs.map((x) => [x.member, x.score]);
        checkIndex(z);
        assert.equal(zsetCard(z), sorted.length);
        sorted.forEach((x, i) => {
          assert.equal(zsetRank(z, x.member), i);
          assert.equal(zsetRank(z, x.member, true), sorted.length - 1 - i);
          assert.equal(zsetAt(z, i)!.member, x.member);
        });
        assert.equal(zsetRank(z, 'nope'), null);

        // ZRANGE start stop [REV], Redis index rules.
        const len = sorted.length;
        let from = start < 0 ? start + len : start;
        let to = stop < 0 ? stop + len : stop;
        if (from < 0) from = 0;
        if (to >= len) to = len - 1;
        const byRank = from > to || from >= len ? [] : (reverse ? [...sorted].reverse() : sorted).slice(from, to + 1);
        assert.deepEqual(es(zsetRangeByRank(z, start, stop, reverse)), ms(byRank));

        const inScore = sorted.filter((x) => (minEx ? x.score > min : x.score >= min) && (maxEx ? x.score < max : x.score <= max));
        const range = { min, max, minExclusive: minEx, maxExclusive: maxEx };
        assert.deepEqual(es(zsetRangeByScore(z, range, reverse, offset, count)), ms(windowOf(inScore, reverse, offset, count)));
        assert.equal(zsetCountByScore(z, range), inScore.length);

        // Lexicographic ranges are specified for members of one score, as in Redis.
        const r0 = new Replicas(ZSetType, 1);
        for (const m of model.keys()) zadd(r0, 1, m, 0);
        const flat = [...model.keys()].sort().map((member) => ({ member, score: 0 }));
        const inRange = flat.filter((x) => inLex(x.member, lmin, lmax));
        assert.deepEqual(es(zsetRangeByLex(r0.state(1), lmin, lmax, reverse, offset, count)), ms(windowOf(inRange, reverse, offset, count)));
        assert.equal(zsetCountByLex(r0.state(1), lmin, lmax), inRange.length);
      },
    ),
    { numRuns: 300 },
  );
});

test('a large sorted set keeps its index through many updates', () => {
  const r = new Replicas(ZSetType, 2);
  for (let i = 0; i < 3000; i++) zadd(r, 1, `m${i % 1000}`, (i * 7919) % 1000);
  r.sync();
  for (let i = 0; i < 1000; i += 3) zincr(r, 2, `m${i}`, 0.5);
  for (let i = 0; i < 1000; i += 5) zrem(r, 1, `m${i}`);
  r.sync();
  for (const id of [1, 2]) checkIndex(r.state(id));
  assert.ok(ZSetType.equal(r.state(1), r.state(2)));
  assert.deepEqual(ZSetType.value(r.state(1)), ZSetType.value(r.state(2)));
});
