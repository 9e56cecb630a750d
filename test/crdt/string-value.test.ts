import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { checkLaws } from './laws.js';
import * as D from '../../src/crdt/dyadic.js';
import type { StringEffect, StringState } from '../../src/crdt/string-value.js';
import { StringType, counterSum, incrementIsFresh, observeCounter, registerVisible } from '../../src/crdt/string-value.js';

type Op = { k: 'set'; v: string } | { k: 'incr'; d: number } | { k: 'incrf'; m: number } | { k: 'del' };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ k: fc.constant('set' as const), v: fc.constantFrom('a', 'b', '7', '10') }),
  fc.record({ k: fc.constant('incr' as const), d: fc.integer({ min: -5, max: 5 }) }),
  fc.record({ k: fc.constant('incrf' as const), m: fc.integer({ min: -9, max: 9 }) }),
  fc.record({ k: fc.constant('del' as const) }),
);

function prepare(s: StringState, op: Op, self: number): StringEffect | null {
  switch (op.k) {
    case 'set':
      return { t: 'set', v: op.v, obs: observeCounter(s) };
    case 'incr':
      return { t: 'incr', d: D.fromBigInt(BigInt(op.d)), fresh: incrementIsFresh(s, self) };
    case 'incrf':
      return { t: 'incr', d: D.normalize(BigInt(op.m), -2), fresh: incrementIsFresh(s, self) };
    case 'del':
      if (!StringType.isVisible(s)) return null;
      return registerVisible(s) ? { t: 'rm', ts: s.ts, id: s.id, obs: observeCounter(s) } : { t: 'rm', ts: -1, id: 0, obs: observeCounter(s) };
  }
}

test('string register + counter satisfies the CRDT laws', () => {
  checkLaws({ type: StringType, op: opArb, prepare });
});

test('concurrent increments add up (TV-CNT-01 shape)', () => {
  const a = StringType.empty();
  const b = StringType.empty();
  StringType.apply(a, { t: 'incr', d: D.fromBigInt(7n), fresh: true }, { origin: 1, seq: 1, ts: 10 });
  StringType.apply(b, { t: 'incr', d: D.fromBigInt(3n), fresh: true }, { origin: 2, seq: 1, ts: 10 });
  StringType.joinInto(a, b);
  assert.equal(counterSum(a).m, 10n);
});

test('a SET concurrent with INCRBY keeps the unobserved increment (register + delta)', () => {
  const a = StringType.empty();
  StringType.apply(a, { t: 'incr', d: D.fromBigInt(5n), fresh: true }, { origin: 1, seq: 1, ts: 10 });
  const b = StringType.clone(a);
  StringType.apply(a, { t: 'set', v: '100', obs: observeCounter(a) }, { origin: 1, seq: 2, ts: 20 });
  StringType.apply(b, { t: 'incr', d: D.fromBigInt(5n), fresh: false }, { origin: 2, seq: 1, ts: 21 });
  StringType.joinInto(a, b);
  assert.equal(a.v, '100');
  assert.equal(counterSum(a).m, 5n);
});

test('equal timestamps: the lower instance id wins (TV-STR-03 shape)', () => {
  const a = StringType.empty();
  StringType.apply(a, { t: 'set', v: 'y', obs: null }, { origin: 2, seq: 1, ts: 1000 });
  StringType.apply(a, { t: 'set', v: 'x', obs: null }, { origin: 1, seq: 1, ts: 1000 });
  assert.equal(a.v, 'x');
});
