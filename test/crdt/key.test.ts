import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { checkLaws } from './laws.js';
import type { KeyEffect, KeyOp, KeyRecord } from '../../src/crdt/key.js';
import { KeyType, isCollectable } from '../../src/crdt/key.js';
import * as D from '../../src/crdt/dyadic.js';
import { incrementIsFresh, observeCounter, registerVisible } from '../../src/crdt/string-value.js';
import { observeExpiry } from '../../src/crdt/expiry.js';

type Op = { k: 'set'; v: string; ex: number | null } | { k: 'incr'; d: number } | { k: 'del' } | { k: 'expire'; at: number } | { k: 'persist' };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ k: fc.constant('set' as const), v: fc.constantFrom('a', 'b', '5'), ex: fc.option(fc.integer({ min: 1, max: 9 }), { nil: null }) }),
  fc.record({ k: fc.constant('incr' as const), d: fc.integer({ min: -3, max: 3 }) }),
  fc.record({ k: fc.constant('del' as const) }),
  fc.record({ k: fc.constant('expire' as const), at: fc.integer({ min: 1, max: 9 }) }),
  fc.record({ k: fc.constant('persist' as const) }),
);

/** Plays the engine: the operations a command issues given the local record. */
function prepare(r: KeyRecord, op: Op, self: number): KeyEffect | null {
  const live = KeyType.isVisible(r);
  const obsExp = observeExpiry(r.env?.exp ?? null);
  switch (op.k) {
    case 'set': {
      const ops: KeyOp[] = [{ k: 'str', e: { t: 'set', v: op.v, obs: observeCounter(r) } }];
      if (op.ex !== null) ops.push({ k: 'exp', e: { at: op.ex, obs: obsExp } });
      else if (obsExp.length) ops.push({ k: 'exp', e: { at: null, obs: obsExp } });
      return ops;
    }
    case 'incr':
      return [{ k: 'str', e: { t: 'incr', d: D.fromBigInt(BigInt(op.d)), fresh: incrementIsFresh(r, self) } }];
    case 'del':
      if (!live) return null;
      return [
        {
          k: 'del',
          type: 'string',
          e: registerVisible(r) ? { t: 'rm', ts: r.ts, id: r.id, obs: observeCounter(r) } : { t: 'rm', ts: -1, id: 0, obs: observeCounter(r) },
          exp: obsExp,
        },
      ];
    case 'expire':
      return live ? [{ k: 'exp', e: { at: op.at, obs: obsExp } }] : null;
    case 'persist':
      return live && obsExp.length ? [{ k: 'exp', e: { at: Infinity, obs: obsExp } }] : null;
  }
}

test('the key envelope (string + expiry + tombstones) satisfies the CRDT laws', () => {
  checkLaws({ type: KeyType, op: opArb, prepare });
});

test('a dead record is collectable only once its removals are stable', () => {
  const r = KeyType.empty();
  KeyType.apply(r, [{ k: 'str', e: { t: 'set', v: 'x', obs: null } }], { origin: 1, seq: 1, ts: 10 });
  KeyType.apply(r, [{ k: 'del', type: 'string', e: { t: 'rm', ts: 10, id: 1, obs: null }, exp: [] }], { origin: 2, seq: 1, ts: 11 });
  assert.equal(KeyType.isVisible(r), false);
  assert.equal(isCollectable(r, { isStable: () => false }), false);
  assert.equal(isCollectable(r, { isStable: (o, s) => o === 2 && s === 1 }), true);
});

test('TV-EXP-03 shape: a SET after the non-owner deleted the expired key survives the owner\'s delete', () => {
  // Both instances hold k="v" with A's longer TTL; after it elapses A deletes (owner) and B deletes
  // before its write, then writes "w". After exchanging, "w" remains.
  const base = KeyType.empty();
  KeyType.apply(base, [{ k: 'str', e: { t: 'set', v: 'v', obs: null } }], { origin: 1, seq: 1, ts: 10 });
  KeyType.apply(base, [{ k: 'exp', e: { at: 100, obs: [] } }], { origin: 1, seq: 2, ts: 11 });
  const a = KeyType.clone(base);
  const b = KeyType.clone(base);
  const delA: KeyEffect = [{ k: 'del', type: 'string', e: { t: 'rm', ts: 10, id: 1, obs: null }, exp: [{ origin: 1, seq: 2 }] }];
  const delB = delA;
  const setB: KeyEffect = [{ k: 'str', e: { t: 'set', v: 'w', obs: null } }];
  KeyType.apply(a, delA, { origin: 1, seq: 3, ts: 200 });
  KeyType.apply(b, delB, { origin: 2, seq: 1, ts: 201 });
  KeyType.apply(b, setB, { origin: 2, seq: 2, ts: 202 });
  KeyType.apply(a, delB, { origin: 2, seq: 1, ts: 201 });
  KeyType.apply(a, setB, { origin: 2, seq: 2, ts: 202 });
  KeyType.apply(b, delA, { origin: 1, seq: 3, ts: 200 });
  assert.deepEqual(KeyType.value(a), { type: 'string', data: 'w', exp: null });
  assert.ok(KeyType.equal(a, b));
});
