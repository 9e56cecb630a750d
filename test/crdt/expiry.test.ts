import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { checkLaws } from './laws.js';
import type { ExpiryEffect, ExpiryState } from '../../src/crdt/expiry.js';
import { ExpiryType, effectiveExpiry, expiryCollectable, observeExpiry, winningEntry } from '../../src/crdt/expiry.js';
import { BinaryReader, BinaryWriter } from '../../src/crdt/binary.js';
import { VectorClock } from '../../src/crdt/vector-clock.js';

type Op = { k: 'expire'; at: number } | { k: 'persist' } | { k: 'clear' };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ k: fc.constant('expire' as const), at: fc.integer({ min: 1, max: 50 }) }),
  fc.record({ k: fc.constant('persist' as const) }),
  fc.record({ k: fc.constant('clear' as const) }),
);

function prepare(s: ExpiryState, op: Op): ExpiryEffect | null {
  const obs = observeExpiry(s);
  switch (op.k) {
    case 'expire':
      return { at: op.at, obs };
    case 'persist':
      return { at: Infinity, obs };
    case 'clear':
      return obs.length ? { at: null, obs } : null;
  }
}

test('expiry register satisfies the CRDT laws', () => {
  checkLaws({ type: ExpiryType, op: opArb, prepare: (s, op) => prepare(s, op) });
});

test('TV-EXP-01 shape: concurrent EXPIREs, the longest wins and its instance owns it', () => {
  const a = ExpiryType.empty();
  const b = ExpiryType.empty();
  ExpiryType.apply(a, { at: 10_000, obs: [] }, { origin: 1, seq: 1, ts: 1 });
  ExpiryType.apply(b, { at: 50_000, obs: [] }, { origin: 2, seq: 1, ts: 1 });
  ExpiryType.joinInto(a, b);
  assert.equal(effectiveExpiry(a), 50_000);
  assert.equal(winningEntry(a)!.origin, 2);
});

test('TV-EXP-02 shape: PERSIST beats concurrent EXPIREs', () => {
  const s = ExpiryType.empty();
  ExpiryType.apply(s, { at: 10_000, obs: [] }, { origin: 1, seq: 1, ts: 1 });
  ExpiryType.apply(s, { at: 50_000, obs: [] }, { origin: 2, seq: 1, ts: 1 });
  ExpiryType.apply(s, { at: Infinity, obs: [] }, { origin: 3, seq: 1, ts: 1 });
  assert.equal(effectiveExpiry(s), Infinity);
});

test('a removal that arrives before the value it removes still removes it', () => {
  const s = ExpiryType.empty();
  // Instance 2 saw (1,1) and replaced it; instance 3 receives 2's effect first.
  ExpiryType.apply(s, { at: 70, obs: [{ origin: 1, seq: 1 }] }, { origin: 2, seq: 1, ts: 2 });
  ExpiryType.apply(s, { at: 99, obs: [] }, { origin: 1, seq: 1, ts: 1 });
  assert.equal(effectiveExpiry(s), 70);
  ExpiryType.collect(s, { isStable: () => true });
  assert.equal(s.gone, null, 'stable removal markers are collected');
});

test('a clock-wide removal (a reviving write) removes late entries of its past, joins and is collected', () => {
  const upTo = VectorClock.from([[1, 3]]);
  const s = ExpiryType.empty();
  ExpiryType.apply(s, { at: 40, obs: [] }, { origin: 1, seq: 2, ts: 1 });
  ExpiryType.apply(s, { at: 60, obs: [] }, { origin: 3, seq: 1, ts: 1 }); // concurrent: survives
  ExpiryType.apply(s, { at: null, obs: [], upTo }, { origin: 2, seq: 1, ts: 2 });
  assert.deepEqual(s.entries.map((e) => e.origin), [3]);
  ExpiryType.apply(s, { at: 90, obs: [] }, { origin: 1, seq: 3, ts: 1 }); // of its past, arrives late
  assert.equal(effectiveExpiry(s), 60);
  const other = ExpiryType.empty();
  ExpiryType.apply(other, { at: 90, obs: [] }, { origin: 1, seq: 3, ts: 1 });
  ExpiryType.joinInto(other, s);
  assert.ok(ExpiryType.equal(other, s));
  const w = new BinaryWriter();
  ExpiryType.encode(s, w);
  const copy = ExpiryType.decode(new BinaryReader(w.finish()));
  assert.ok(ExpiryType.equal(copy, s));
  assert.equal(expiryCollectable(s, { isStable: () => false }), false);
  ExpiryType.collect(s, { isStable: () => true });
  assert.equal(s.floors, null);
  assert.equal(expiryCollectable(s, { isStable: () => true }), true);
});
