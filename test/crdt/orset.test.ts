import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { checkLaws } from './laws.js';
import { Replicas, checkCollect, checkRemovalHides } from './replicas.js';
import type { SetEffect, SetState } from '../../src/crdt/orset.js';
import { SetType, dotOrigin, dotSeq, packDot, setAddEffect, setCard, setRemoveEffect } from '../../src/crdt/orset.js';

type Op = { k: 'add'; m: string[] } | { k: 'rem'; m: string[] } | { k: 'del' };

const member = fc.constantFrom('a', 'b', 'c', 'd');
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ k: fc.constant('add' as const), m: fc.array(member, { minLength: 1, maxLength: 2 }) }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('rem' as const), m: fc.array(member, { minLength: 1, maxLength: 2 }) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('del' as const) }) },
);

/** The engine's role: SADD, SREM and DEL turned into effects from what the instance sees. */
function prepare(s: SetState, op: Op): SetEffect | null {
  switch (op.k) {
    case 'add':
      return setAddEffect(op.m);
    case 'rem':
      return setRemoveEffect(s, op.m);
    case 'del':
      return SetType.isVisible(s) ? SetType.removalEffect(s) : null;
  }
}

const spec = { type: SetType, op: opArb, prepare };

test('OR-set satisfies the CRDT laws', () => {
  checkLaws(spec);
});

test('OR-set: collect never changes what anyone sees', () => {
  checkCollect(spec);
});

test('OR-set: DEL hides everything where it is issued', () => {
  checkRemovalHides(spec);
});

const sadd = (...m: string[]) => setAddEffect(m);

function srem(r: Replicas<SetState, SetEffect>, id: number, ...m: string[]): number {
  const e = setRemoveEffect(r.state(id), m);
  if (e === null) return 0;
  r.write(id, e);
  return e.t === 'rem' ? e.m.length : 0;
}

test('TV-SET-01 add wins (concurrent adds union)', () => {
  const r = new Replicas(SetType, 2);
  r.write(1, sadd('a'));
  r.write(2, sadd('b'));
  assert.deepEqual(r.value(1), ['a']);
  assert.deepEqual(r.value(2), ['b']);
  r.sync();
  assert.deepEqual(r.value(1), ['a', 'b']);
  assert.deepEqual(r.value(2), ['a', 'b']);
});

test('TV-SET-02 observed remove', () => {
  const r = new Replicas(SetType, 2);
  r.write(1, sadd('a', 'b'));
  r.sync();
  assert.equal(srem(r, 1, 'a'), 1);
  r.write(2, sadd('c'));
  assert.equal(srem(r, 1, 'c'), 0, 'A has never seen "c": nothing to remove');
  r.sync();
  assert.deepEqual(r.value(1), ['b', 'c']);
  assert.deepEqual(r.value(2), ['b', 'c']);
});

test('TV-SET-03 concurrent SREM vs re-add of the same member', () => {
  const r = new Replicas(SetType, 2);
  r.write(1, sadd('x', 'y'));
  r.sync();
  assert.equal(srem(r, 1, 'x'), 1);
  assert.equal(srem(r, 2, 'x'), 1);
  r.write(2, sadd('x'));
  r.sync();
  assert.deepEqual(r.value(1), ['x', 'y']);
  assert.deepEqual(r.value(2), ['x', 'y']);
});

test('TV-SET-04 key delete vs concurrent add', () => {
  const r = new Replicas(SetType, 2);
  r.write(1, sadd('e1'));
  r.sync();
  assert.equal(setCard(r.state(1)), 1);
  assert.equal(setCard(r.state(2)), 1);
  r.write(1, sadd('e2'));
  r.write(2, SetType.removalEffect(r.state(2)));
  assert.equal(setCard(r.state(1)), 2);
  assert.equal(setCard(r.state(2)), 0);
  assert.equal(SetType.isVisible(r.state(2)), false);
  r.sync();
  for (const id of [1, 2]) {
    assert.equal(setCard(r.state(id)), 1);
    assert.equal(SetType.isVisible(r.state(id)), true);
    assert.deepEqual(r.value(id), ['e2']);
  }
});

test('an instance re-adding its own member survives a concurrent remove of the older add', () => {
  const r = new Replicas(SetType, 2);
  r.write(1, sadd('x'));
  r.sync();
  r.write(1, sadd('x')); // supersedes A's own older dot
  assert.equal(srem(r, 2, 'x'), 1); // B saw only the older dot
  r.sync();
  assert.deepEqual(r.value(1), ['x']);
  assert.deepEqual(r.value(2), ['x']);
  assert.equal(typeof r.state(1).m.get('x'), 'number', 'one live dot is kept as one packed number');
});

test('a removal that arrives before its add keeps the add from showing', () => {
  const r = new Replicas(SetType, 3);
  r.write(1, sadd('x'));
  r.deliver(1, 2);
  srem(r, 2, 'x');
  r.deliver(2, 3); // C learns of the removal first
  assert.deepEqual(r.value(3), []);
  r.deliver(1, 3);
  assert.deepEqual(r.value(3), []);
  r.write(3, SetType.removalEffect(r.state(3)));
  r.sync();
  assert.ok(SetType.equal(r.state(1), r.state(3)));
});

/** Applies the same effects in two orders and expects equal states (metadata included). */
function bothOrders(effects: [SetEffect, { origin: number; seq: number; ts: number }][]): [SetState, SetState] {
  const a = SetType.empty();
  const b = SetType.empty();
  for (const [e, m] of effects) SetType.apply(a, e, m);
  for (const [e, m] of [...effects].reverse()) SetType.apply(b, e, m);
  return [a, b];
}

test('removal metadata has one form whatever the arrival order', () => {
  const x = packDot(1, 1);
  const srem = (origin: number): [SetEffect, { origin: number; seq: number; ts: number }] => [{ t: 'rem', m: [{ m: 'x', dots: [x] }] }, { origin, seq: 1, ts: 5 }];
  const del: [SetEffect, { origin: number; seq: number; ts: number }] = [{ t: 'clear', upto: [{ origin: 1, at: 1 }] }, { origin: 3, seq: 1, ts: 5 }];
  // Two removals that saw the same dot: the threshold keeps one deterministic removing dot.
  const [a, b] = bothOrders([srem(2), srem(3)]);
  assert.ok(SetType.equal(a, b));
  // A member threshold covered by the key's floor is dropped, whichever came first.
  const [c, d] = bothOrders([srem(2), del]);
  assert.ok(SetType.equal(c, d));
  assert.equal(c.rm, null);
});

test('DEL carries one mark per origin, not one entry per member', () => {
  const r = new Replicas(SetType, 2);
  r.write(1, sadd(...Array.from({ length: 1000 }, (_, i) => `m${i}`)));
  r.write(2, sadd('z'));
  r.sync();
  const del = SetType.removalEffect(r.state(1));
  assert.deepEqual(del, { t: 'clear', upto: [{ origin: 1, at: 1 }, { origin: 2, at: 1 }] });
});

test('DEL removes a member added concurrently by two instances', () => {
  const r = new Replicas(SetType, 2);
  r.write(1, sadd('x'));
  r.write(2, sadd('x'));
  r.sync();
  assert.equal(typeof r.state(1).m.get('x'), 'object', 'two live dots');
  r.write(1, SetType.removalEffect(r.state(1)));
  assert.equal(SetType.isVisible(r.state(1)), false);
});

test('collect drops removal thresholds once their removal is stable', () => {
  const r = new Replicas(SetType, 2);
  r.write(1, sadd('a', 'b'));
  r.sync();
  srem(r, 1, 'a');
  r.write(2, SetType.removalEffect(r.state(2)));
  r.collect(1);
  assert.notEqual(r.state(1).rm, null, 'not yet stable: B has not seen the SREM');
  r.sync();
  r.collect(1);
  r.collect(2);
  assert.equal(r.state(1).rm, null);
  assert.equal(r.state(1).floor, null);
  assert.ok(SetType.equal(r.state(1), SetType.empty()));
});

test('packed dots round-trip at the limits', () => {
  for (const [o, s] of [
    [1, 1],
    [1023, 2 ** 43 - 1],
    [512, 123456789],
  ] as const) {
    const p = packDot(o, s);
    assert.equal(dotOrigin(p), o);
    assert.equal(dotSeq(p), s);
  }
});
