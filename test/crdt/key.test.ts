import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { checkLaws } from './laws.js';
import type { KeyEffect, KeyOp, KeyRecord } from '../../src/crdt/key.js';
import { KeyType, isCollectable } from '../../src/crdt/key.js';
import * as D from '../../src/crdt/dyadic.js';
import { incrementIsFresh, observeCounter, registerVisible } from '../../src/crdt/string-value.js';
import { observeExpiry } from '../../src/crdt/expiry.js';
import { setAddEffect, setRemoveEffect } from '../../src/crdt/orset.js';
import type { SetState } from '../../src/crdt/orset.js';
import { Database } from '../../src/engine/database.js';

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

// ---- type conflicts -------------------------------------------------------------------------

type MixedOp = Op | { k: 'sadd'; m: string } | { k: 'srem'; m: string };

const mixedArb: fc.Arbitrary<MixedOp> = fc.oneof(opArb, fc.record({ k: fc.constant('sadd' as const), m: fc.constantFrom('x', 'y') }), fc.record({ k: fc.constant('srem' as const), m: fc.constantFrom('x', 'y') }));

/** DEL as the engine issues it: the shown type and every hidden concurrent type state. */
function delAll(r: KeyRecord): KeyOp[] {
  const db = new Database({ instanceId: 1 });
  return db.removalOps(r);
}

function prepareMixed(r: KeyRecord, op: MixedOp, self: number): KeyEffect | null {
  const live = KeyType.isVisible(r);
  switch (op.k) {
    case 'sadd':
      if (live && r.type !== 'set') return null; // WRONGTYPE locally
      return [{ k: 'data', type: 'set', e: setAddEffect([op.m]) }];
    case 'srem': {
      if (!live || r.type !== 'set') return null;
      const e = setRemoveEffect(r.d as SetState, [op.m]);
      return e === null ? null : [{ k: 'data', type: 'set', e }];
    }
    case 'incr':
    case 'expire':
    case 'persist':
      if (live && r.type !== 'string') return null;
      return prepare(r, op, self);
    case 'set':
      // SET overwrites any type: delete what is shown (and hidden), then write.
      if (live && r.type !== 'string') return [...delAll(r), { k: 'str', e: { t: 'set', v: op.v, obs: null } }];
      return prepare(r, op, self);
    case 'del':
      return live ? delAll(r) : null;
  }
}

test('type conflicts converge: concurrent string and set writes on one key', () => {
  checkLaws({ type: KeyType, op: mixedArb, prepare: prepareMixed, runs: 200 });
});

test('concurrent SET and SADD: every instance shows the string, the set stays hidden until DEL', () => {
  const a = KeyType.empty();
  const b = KeyType.empty();
  const setOp: KeyEffect = [{ k: 'str', e: { t: 'set', v: 'v', obs: null } }];
  const saddOp: KeyEffect = [{ k: 'data', type: 'set', e: setAddEffect(['m']) }];
  KeyType.apply(a, setOp, { origin: 1, seq: 1, ts: 10 });
  KeyType.apply(b, saddOp, { origin: 2, seq: 1, ts: 20 });
  KeyType.apply(a, saddOp, { origin: 2, seq: 1, ts: 20 });
  KeyType.apply(b, setOp, { origin: 1, seq: 1, ts: 10 });
  assert.equal(a.type, 'string');
  assert.equal(b.type, 'string');
  assert.ok(KeyType.equal(a, b));
  KeyType.apply(a, delAll(a), { origin: 1, seq: 2, ts: 30 });
  assert.equal(KeyType.isVisible(a), false);
});
