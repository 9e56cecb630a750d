// Dead records and garbage collection across instances (docs/semantics.md "Dead keys and garbage
// collection", "Full sync after a restart"): each case is a minimised seed of the convergence
// simulation that diverged once the simulation covered every collection type.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Stability } from '../../src/crdt/crdt.js';
import type { KeyRecord } from '../../src/crdt/key.js';
import { KeyType } from '../../src/crdt/key.js';
import type { Effect } from '../../src/engine/effect.js';
import { effectFromBuffer, effectToBuffer } from '../../src/engine/effect.js';
import { VectorClock } from '../../src/crdt/vector-clock.js';
import '../../src/engine/lists.js';
import '../../src/engine/sets.js';
import '../../src/engine/hll.js';
import { Harness } from './harness.js';

const NEVER: Stability = { isStable: () => false };

/** Two or three instances whose effects are delivered by hand, in any order across origins. */
function group(n: number): { h: Harness[]; sent: Effect[][]; deliver(to: number, from: number, seq: number): void } {
  const h = Array.from({ length: n }, (_, i) => new Harness(i + 1));
  const sent: Effect[][] = h.map(() => []);
  h.forEach((x, i) => {
    x.db.stability = NEVER;
    x.db.sink = { effect: (e) => sent[i]!.push(e), commit() {} };
  });
  return {
    h,
    sent,
    deliver(to, from, seq) {
      const e = sent[from - 1]!.find((x) => x.seq === seq)!;
      h[to - 1]!.db.applyRemote(effectFromBuffer(effectToBuffer(e)));
    },
  };
}

test('an LSET that arrives before the element it sets is kept (sim seed 181)', () => {
  const g = group(3);
  const [a, b, c] = g.h as [Harness, Harness, Harness];
  a.run('RPUSH', 'l', 'y', 'z'); // 1:1
  g.deliver(2, 1, 1);
  b.run('LSET', 'l', '-1', 'w'); // 2:1
  g.deliver(3, 2, 1); // the LSET reaches instance 3 first: nothing shows there yet
  assert.equal(c.run('EXISTS', 'l'), 0);
  g.deliver(3, 1, 1);
  g.deliver(1, 2, 1);
  assert.deepEqual(c.run('LRANGE', 'l', '0', '-1'), ['y', 'w']);
  assert.deepEqual(a.run('LRANGE', 'l', '0', '-1'), ['y', 'w']);
});

test('an insert waiting for its anchor in a hidden list state survives garbage collection (sim seed 2174)', () => {
  const g = group(3);
  const [a, b, c] = g.h as [Harness, Harness, Harness];
  a.run('RPUSH', 'k', 'x'); // 1:1, a list
  g.deliver(2, 1, 1);
  b.run('RPUSH', 'k', 'y'); // 2:1, anchored on x
  c.run('PFADD', 'k', 'e1'); // 3:1, an HLL concurrently: instance 3 shows the HLL
  g.deliver(3, 2, 1); // y arrives before its anchor: a hidden, pending list state
  c.db.collectGarbage(NEVER, 0, 1000);
  g.deliver(3, 1, 1);
  g.deliver(1, 2, 1);
  g.deliver(1, 3, 1);
  g.deliver(2, 3, 1);
  for (const x of g.h) assert.deepEqual(x.run('TYPE', 'k'), { simple: 'list' });
  const rec = (x: Harness): KeyRecord => x.db.keyspace.get('k')!;
  assert.ok(KeyType.equal(rec(a), rec(c)), 'instance 3 lost the pending insert');
  assert.ok(KeyType.equal(rec(a), rec(b)));
});

test('a list created again after its dead record was collected gets new element ids (sim seed 1986)', () => {
  const g = group(2);
  const [a, b] = g.h as [Harness, Harness];
  a.run('RPUSH', 'l', 'p', 'q'); // counters 1, 2
  g.deliver(2, 1, 1);
  a.run('DEL', 'l');
  g.deliver(2, 1, 2);
  // Instance 1 collects the dead list; instance 2 still holds it with its DEL's clear record.
  a.db.collectGarbage({ isStable: () => true }, 0, 1000);
  assert.equal(a.db.keyspace.get('l'), undefined);
  a.run('RPUSH', 'l', 'r'); // must not reuse counter 1 or 2
  g.deliver(2, 1, 3);
  assert.deepEqual(b.run('LRANGE', 'l', '0', '-1'), ['r']);
  assert.deepEqual(a.run('LRANGE', 'l', '0', '-1'), ['r']);
});

test('a snapshot that covers everything applied locally replaces the local state (sim seed 2173)', () => {
  const g = group(2);
  const [a, b] = g.h as [Harness, Harness];
  a.run('SADD', 's', 'm1', 'm2'); // 1:1
  g.deliver(2, 1, 1);
  b.run('SREM', 's', 'm1'); // 2:1
  g.deliver(1, 2, 1);
  // Everyone applied the SREM: instance 1 collects its removal record.
  a.db.collectGarbage({ isStable: () => true }, 0, 1000);
  // Instance 2 restarts empty and re-applies 1:1 from instance 1's backlog, then takes a full
  // sync from instance 1 at {1:1, 2:1}.
  const fresh = new Harness(2);
  fresh.db.stability = NEVER;
  fresh.db.applyRemote(effectFromBuffer(effectToBuffer(g.sent[0]![0]!)));
  assert.deepEqual(fresh.run('SMEMBERS', 's'), ['m1', 'm2'].sort());
  const recs = [...a.db.keyspace.records].map(([k, r]) => [k, KeyType.clone(r)] as const);
  fresh.db.beginJoin(new Map(recs), VectorClock.from([[1, 1], [2, 1]]), 0);
  assert.deepEqual(fresh.run('SMEMBERS', 's'), ['m2']);
});

test('an LSET waiting for its element keeps a list that dies meanwhile until it is stable', () => {
  const g = group(4);
  const [a, b, c, d] = g.h as [Harness, Harness, Harness, Harness];
  a.run('RPUSH', 'l', 'p'); // 1:1
  for (const to of [2, 3, 4]) g.deliver(to, 1, 1);
  a.run('LPOP', 'l'); // 1:2
  g.deliver(2, 1, 2);
  b.run('RPUSH', 'l', 'x'); // 2:1, after the pop
  g.deliver(3, 1, 2);
  g.deliver(3, 2, 1);
  c.run('LSET', 'l', '0', 'y'); // 3:1, on x
  // Instance 4 hears the LSET while it still shows [p], then the pop: the list dies there with
  // the LSET waiting. Everything concurrent with the pop has been delivered: it is stable.
  g.deliver(4, 3, 1);
  g.deliver(4, 1, 2);
  d.db.collectGarbage({ isStable: (o, s) => o === 1 && s <= 2 }, 0, 1000);
  g.deliver(4, 2, 1);
  g.deliver(1, 2, 1);
  g.deliver(1, 3, 1);
  g.deliver(2, 3, 1);
  for (const x of g.h) assert.deepEqual(x.run('LRANGE', 'l', '0', '-1'), ['y'], `instance ${x.db.instanceId}`);
});
