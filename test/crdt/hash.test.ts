import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { checkLaws } from './laws.js';
import { Replicas, checkCollect, checkRemovalHides } from './replicas.js';
import * as D from '../../src/crdt/dyadic.js';
import type { HashEffect, HashOp, HashState } from '../../src/crdt/hash.js';
import { HashType, hashDeleteOp, hashEffect, hashGet, hashIncrementOp, hashLength, hashSetOp } from '../../src/crdt/hash.js';

type Op =
  | { k: 'hset'; f: [string, string][] }
  | { k: 'hincr'; f: string; d: number }
  | { k: 'hincrf'; f: string; m: number }
  | { k: 'hdel'; f: string[] }
  | { k: 'del' };

const field = fc.constantFrom('f1', 'f2', 'f3');
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ k: fc.constant('hset' as const), f: fc.array(fc.tuple(field, fc.constantFrom('a', 'b', '7')), { minLength: 1, maxLength: 2 }) }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('hincr' as const), f: field, d: fc.integer({ min: -5, max: 5 }) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('hincrf' as const), f: field, m: fc.integer({ min: -9, max: 9 }) }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('hdel' as const), f: fc.array(field, { minLength: 1, maxLength: 2 }) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('del' as const) }) },
);

/** The engine's role: each command turned into one effect from what the instance sees. */
function prepare(h: HashState, op: Op, self: number): HashEffect | null {
  switch (op.k) {
    case 'hset':
      return hashEffect(op.f.map(([f, v]) => hashSetOp(h, f, v)));
    case 'hincr':
      return hashEffect([hashIncrementOp(h, op.f, D.fromBigInt(BigInt(op.d)), self)]);
    case 'hincrf':
      return hashEffect([hashIncrementOp(h, op.f, D.normalize(BigInt(op.m), -2), self)]);
    case 'hdel': {
      const ops = [...new Set(op.f)].map((f) => hashDeleteOp(h, f)).filter((x): x is HashOp => x !== null);
      return ops.length === 0 ? null : hashEffect(ops);
    }
    case 'del':
      return HashType.isVisible(h) ? HashType.removalEffect(h) : null;
  }
}

const spec = { type: HashType, op: opArb, prepare };

test('hash satisfies the CRDT laws', () => {
  checkLaws(spec);
});

test('hash: collect never changes what anyone sees', () => {
  checkCollect(spec);
});

test('hash: DEL hides everything where it is issued', () => {
  checkRemovalHides(spec);
});

type R = Replicas<HashState, HashEffect>;

const hset = (r: R, id: number, ...pairs: [string, string][]) => r.write(id, hashEffect(pairs.map(([f, v]) => hashSetOp(r.state(id), f, v))));
const hincr = (r: R, id: number, f: string, d: bigint) => r.write(id, hashEffect([hashIncrementOp(r.state(id), f, D.fromBigInt(d), id)]));
const hdel = (r: R, id: number, f: string) => {
  const op = hashDeleteOp(r.state(id), f);
  if (op !== null) r.write(id, hashEffect([op]));
  return op === null ? 0 : 1;
};
const del = (r: R, id: number) => r.write(id, HashType.removalEffect(r.state(id)));

test('TV-HASH-01 add wins (field union)', () => {
  const r = new Replicas(HashType, 2);
  hset(r, 1, ['field1', 'a']);
  hset(r, 2, ['field2', 'b']);
  r.sync();
  for (const id of [1, 2]) {
    assert.deepEqual(r.value(id), [
      ['field1', 'a'],
      ['field2', 'b'],
    ]);
  }
});

test('TV-HASH-03 observed-remove on a field', () => {
  const r = new Replicas(HashType, 2);
  hset(r, 1, ['f', 'v1']);
  r.sync();
  assert.equal(hdel(r, 1, 'f'), 1);
  hset(r, 2, ['f', 'v2']);
  r.sync();
  for (const id of [1, 2]) assert.deepEqual(hashGet(r.state(id), 'f'), { reg: 'v2', sum: null });
});

test('TV-HASH-04 counter field', () => {
  const r = new Replicas(HashType, 2);
  hincr(r, 1, 'n', 5n);
  hincr(r, 2, 'n', 2n);
  r.sync();
  for (const id of [1, 2]) assert.deepEqual(hashGet(r.state(id), 'n'), { reg: null, sum: D.fromBigInt(7n) });
});

test('TV-KEY-01 DEL hash vs concurrent HSET of a new field', () => {
  const r = new Replicas(HashType, 2);
  hset(r, 1, ['f1', 'a']);
  r.sync();
  del(r, 1);
  hset(r, 2, ['f2', 'b']);
  assert.equal(HashType.isVisible(r.state(1)), false);
  r.sync();
  for (const id of [1, 2]) assert.deepEqual(r.value(id), [['f2', 'b']]);
});

test('one HSET of several fields is one effect; a repeated field keeps its last value', () => {
  const r = new Replicas(HashType, 2);
  const e = hashEffect([hashSetOp(r.state(1), 'f1', 'x'), hashSetOp(r.state(1), 'f2', 'y'), hashSetOp(r.state(1), 'f1', 'z')]);
  assert.equal(e.ops.length, 2);
  r.write(1, e);
  r.sync();
  assert.deepEqual(r.value(2), [
    ['f1', 'z'],
    ['f2', 'y'],
  ]);
  assert.equal(hashLength(r.state(2)), 2);
  assert.equal(r.state(2).f.get('f1')!.x, null, 'a plain field is value + stamp, no extra object');
});

test('DEL vs concurrent HINCRBY keeps only the unobserved increment', () => {
  const r = new Replicas(HashType, 2);
  hincr(r, 2, 'n', 1n);
  hset(r, 1, ['f', 'a']);
  r.sync();
  del(r, 1);
  hincr(r, 2, 'n', 5n);
  r.sync();
  for (const id of [1, 2]) assert.deepEqual(r.value(id), [['n', { reg: null, sum: '5' }]]);
});

test('HSET vs concurrent HINCRBY: the register plus the unobserved increment', () => {
  const r = new Replicas(HashType, 2);
  hincr(r, 1, 'n', 5n);
  r.sync();
  hset(r, 1, ['n', '100']);
  hincr(r, 2, 'n', 5n);
  r.sync();
  for (const id of [1, 2]) assert.deepEqual(hashGet(r.state(id), 'n'), { reg: '100', sum: D.fromBigInt(5n) });
});

test('a write that lost LWW to what DEL removed stays removed, whatever the arrival order', () => {
  const r = new Replicas(HashType, 3);
  r.write(1, hashEffect([hashSetOp(r.state(1), 'f', 'new')]), 10);
  r.write(2, hashEffect([hashSetOp(r.state(2), 'f', 'old')]), 5); // concurrent, loses LWW
  r.deliver(1, 3);
  del(r, 3); // C saw only A's write
  r.deliver(2, 3); // B's write arrives at C after the DEL
  assert.equal(HashType.isVisible(r.state(3)), false);
  r.sync();
  for (const id of [1, 2, 3]) assert.deepEqual(r.value(id), []);
  assert.equal(r.state(3).dead!.get('f')!.v, '', 'a dead register keeps its stamp, not its value');
});

test('joining a DEL into a state that has the write it covers (but not the DEL) removes it', () => {
  const r = new Replicas(HashType, 3);
  hset(r, 1, ['f', 'a']);
  r.deliver(1, 2);
  del(r, 2);
  r.deliver(2, 3); // C has the DEL, not the HSET it covers
  const ac = HashType.clone(r.state(1));
  HashType.joinInto(ac, r.state(3));
  const ca = HashType.clone(r.state(3));
  HashType.joinInto(ca, r.state(1));
  assert.deepEqual(HashType.value(ac), []);
  assert.ok(HashType.equal(ac, ca));
});

test('collect forgets dead fields once their removals are stable', () => {
  const r = new Replicas(HashType, 2);
  hset(r, 1, ['a', '1'], ['b', '2']);
  hincr(r, 1, 'c', 3n);
  r.sync();
  hdel(r, 2, 'a');
  del(r, 1);
  r.collect(1);
  assert.notEqual(r.state(1).dead, null, 'not yet stable');
  r.sync();
  r.collect(1);
  r.collect(2);
  for (const id of [1, 2]) assert.ok(HashType.equal(r.state(id), HashType.empty()));
});

test('collect keeps a register that DEL removed from coming back in a field that survives', () => {
  const r = new Replicas(HashType, 2);
  hset(r, 1, ['f', 'a']);
  hincr(r, 1, 'f', 1n);
  r.sync();
  del(r, 1);
  hincr(r, 2, 'f', 2n);
  r.sync();
  const before = r.value(1);
  assert.deepEqual(before, [['f', { reg: null, sum: '2' }]]);
  r.collect(1);
  r.collect(2);
  assert.equal(r.state(1).floor, null);
  for (const id of [1, 2]) assert.deepEqual(r.value(id), before);
});
