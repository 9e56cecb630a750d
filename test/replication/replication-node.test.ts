// The sans-IO core driven through the simulated network (test/sim/world.ts), scenario by
// scenario; the randomized simulation (test/sim) covers the combinations.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { VectorClock } from '../../src/crdt/vector-clock.js';
import { Database } from '../../src/engine/database.js';
import type { Conn, Hello } from '../../src/replication/protocol.js';
import { PROTOCOL_VERSION } from '../../src/replication/protocol.js';
import { ReplicationNode } from '../../src/replication/replication-node.js';
import { SimWorld } from '../sim/world.js';

const bulk = (s: string | null) => (s === null ? '$-1\r\n' : `$${s.length}\r\n${s}\r\n`);

function world(n: number, extra: Partial<ConstructorParameters<typeof SimWorld>[0]> = {}): SimWorld {
  return new SimWorld({ seed: 7, instances: n, minDelay: 1, maxDelay: 5, ...extra });
}

function settled(w: SimWorld): void {
  assert.ok(w.settle(10_000), `did not settle:\n${w.recentLog()}`);
}

test('effects stream both ways and every instance converges', () => {
  const w = world(3);
  w.runUntil(200);
  w.exec(1, ['SET', 'text', 'a']);
  w.exec(2, ['INCRBY', 'counter', '7']);
  w.exec(3, ['INCRBY', 'counter', '3']);
  settled(w);
  for (const i of [1, 2, 3]) {
    assert.equal(w.exec(i, ['GET', 'text']), bulk('a'));
    assert.equal(w.exec(i, ['GET', 'counter']), bulk('10'));
  }
  const n = w.instance(1).node;
  assert.ok(n.stats.syncPartialOk >= 2);
  assert.equal(n.stats.syncFull, 0);
});

test('pause stops delivery both ways without losing anything; resume delivers it', () => {
  const w = world(2);
  w.runUntil(200);
  w.pause(1, 2);
  w.exec(1, ['SET', 'k', 'from1']);
  w.exec(2, ['SET', 'j', 'from2']);
  w.runUntil(1500);
  assert.equal(w.exec(2, ['GET', 'k']), bulk(null), 'instance 2 must not receive while 1 pauses');
  assert.equal(w.exec(1, ['GET', 'j']), bulk(null), 'instance 1 must not apply while paused');
  // Links stay up while paused (heartbeats flow).
  assert.ok(w.instance(1).node.peers.get(2)!.link.streaming);
  w.resume(1, 2);
  w.runUntil(2500);
  assert.equal(w.exec(2, ['GET', 'k']), bulk('from1'));
  assert.equal(w.exec(1, ['GET', 'j']), bulk('from2'));
});

test('WAIT settles once every peer has everything, and times out while paused', () => {
  const w = world(3);
  w.runUntil(200);
  w.exec(1, ['SET', 'k', 'v']);
  w.exec(3, ['INCR', 'c']);
  const inst = w.instance(2);
  let result: [boolean, string] | null = null;
  inst.node.wait(inst.enter(), 2000, (ok, why) => (result = [ok, why]));
  while (result === null) w.runUntil(w.queue.now + 10);
  assert.deepEqual(result, [true, '']);
  for (const i of [1, 2, 3]) assert.equal(w.exec(i, ['GET', 'c']), bulk('1'));

  w.pause(2, 3);
  w.exec(3, ['INCR', 'c']);
  result = null;
  inst.node.wait(inst.enter(), 500, (ok, why) => (result = [ok, why]));
  while (result === null) w.runUntil(w.queue.now + 10);
  const r = result as [boolean, string];
  assert.equal(r[0], false);
  assert.match(r[1], /instance [13]/, 'names who is ahead or silent');
});

test('a destination behind the backlog gets a full sync; increments made meanwhile count once', () => {
  const w = world(2, { backlogBytes: 200 });
  w.runUntil(200);
  w.pause(2, 1);
  for (let i = 0; i < 60; i++) w.exec(1, ['INCRBY', `k${i % 20}`, '1']);
  w.runUntil(600);
  w.resume(2, 1);
  // Keep writing on both sides while the snapshot streams (chunks of 2 records in the sim).
  for (let i = 0; i < 40; i++) {
    w.exec(1, ['INCRBY', `k${i % 20}`, '10']);
    w.exec(2, ['INCRBY', `k${(i + 5) % 20}`, '100']);
    w.runUntil(w.queue.now + 3);
  }
  settled(w);
  assert.ok(w.instance(2).node.stats.syncFull >= 1, 'a full sync happened');
  assert.ok(w.instance(2).node.stats.syncPartialErr >= 1, 'counted as a partial-sync failure');
  for (let k = 0; k < 20; k++) {
    // 3 increments of 1, 2 of 10 and 2 of 100 per key.
    const want = String(3 + 20 + 200);
    assert.equal(w.exec(1, ['GET', `k${k}`]), bulk(want), `k${k} at 1`);
    assert.equal(w.exec(2, ['GET', `k${k}`]), bulk(want), `k${k} at 2`);
  }
});

test('causal consistency relays effects through a peer when a direct link is down', () => {
  for (const causal of [true, false]) {
    const w = world(3, { causal });
    w.runUntil(200);
    w.cut(1, 3);
    w.exec(1, ['SET', 'k', 'v']);
    w.runUntil(1500);
    assert.equal(w.exec(2, ['GET', 'k']), bulk('v'));
    assert.equal(w.exec(3, ['GET', 'k']), bulk(causal ? 'v' : null), `causal=${causal}`);
  }
});

test('tombstones wait for every peer, then are collected', () => {
  const w = world(2);
  w.runUntil(200);
  w.exec(1, ['SET', 'k', 'v']);
  w.runUntil(600);
  w.pause(1, 2);
  w.exec(1, ['DEL', 'k']);
  w.runUntil(1500);
  const db = w.instance(1).db;
  assert.equal(db.pendingTombstones(), 1, 'instance 2 has not seen the removal');
  w.resume(1, 2);
  w.runUntil(2500);
  assert.equal(db.pendingTombstones(), 0);
  assert.equal(w.instance(2).db.pendingTombstones(), 0);
  assert.ok(db.stats.gcCollected + db.stats.gcAttempted >= 0);
});

test('a restarted instance never reuses a sequence: the hole travels as a skip unit', () => {
  const w = world(2);
  w.runUntil(200);
  const n1 = w.instance(1).node;
  n1.restoreSeq(10);
  w.exec(1, ['SET', 'k', 'v']);
  settled(w);
  assert.equal(w.instance(1).db.lastSeq, 11);
  assert.equal(w.instance(2).db.clock.get(1), 11);
  assert.equal(w.exec(2, ['GET', 'k']), bulk('v'));
});

function node(id: number, peers: number[]): ReplicationNode {
  const db = new Database({ instanceId: id });
  const n = new ReplicationNode(db, { guid: 'g', secret: 's', backlogBytes: 1 << 20, compressionLevel: 0, causal: false, runId: `run${id}`, random: () => 0.5 });
  for (const p of peers) n.addPeer(p, 'h', 7000 + p);
  return n;
}

const conn: Conn = { send: () => undefined, backpressured: false, close: () => undefined };

test('the source refuses a wrong GUID, secret, protocol, duplicate or unknown instance id', () => {
  const src = node(1, [2]);
  const hello: Hello = { guid: 'g', destId: 2, protocol: PROTOCOL_VERSION, secret: 's', resume: new VectorClock(), runId: 'r2' };
  const code = (h: Partial<Hello>) => {
    const r = src.acceptHello({ ...hello, ...h }, conn, 0);
    return r.ok ? 'ok' : r.refusal.code;
  };
  assert.equal(code({ guid: 'other' }), 'guid');
  assert.equal(code({ secret: 'nope' }), 'auth');
  assert.equal(code({ protocol: PROTOCOL_VERSION + 1 }), 'protocol');
  assert.equal(code({ destId: 1 }), 'duplicate-id');
  assert.equal(code({ destId: 3 }), 'unknown-peer');
  assert.equal(code({}), 'ok');
  // The same instance id from another process while the first is connected.
  assert.equal(code({ runId: 'imposter' }), 'duplicate-id');
  // The same process reconnecting replaces its session.
  assert.equal(code({}), 'ok');
  assert.equal(src.stats.refusals, 6);
  assert.match(src.stats.lastRefusal, /duplicate instance id 2/);
});

test('a full sync is joined over many pumps while clients and a third instance keep writing', () => {
  const w = world(3, { backlogBytes: 300 });
  w.runUntil(200);
  w.pause(3, null);
  for (let i = 0; i < 300; i++) w.exec(1, ['INCRBY', `k${i % 100}`, '1']);
  w.runUntil(600);
  w.resume(3, null);
  const inst = w.instance(3);
  let sawPending = 0;
  // 3 records per pump in the sim: the join of ~100 keys spans many turns.
  for (let i = 0; i < 200; i++) {
    w.exec(2, ['INCRBY', `k${i % 100}`, '10']);
    w.exec(3, ['INCRBY', `k${(i + 50) % 100}`, '100']);
    if (inst.db.joinPending > 0) sawPending++;
    w.runUntil(w.queue.now + 2);
  }
  settled(w);
  assert.ok(inst.node.stats.syncFull >= 1, 'a full sync happened');
  assert.ok(sawPending > 0, 'writes ran while the join was pending');
  for (let k = 0; k < 100; k++) {
    const want = bulk(String(3 + 20 + 200));
    for (const id of [1, 2, 3]) assert.equal(w.exec(id, ['GET', `k${k}`]), want, `k${k} at ${id}`);
  }
});

test('a pop concurrent with a push anchored on the popped element converges (dead list kept until stable)', async () => {
  await import('../../src/engine/lists.js');
  for (const delay of [1, 5, 20]) {
    const w = world(2, { minDelay: delay, maxDelay: delay });
    w.runUntil(300);
    w.exec(1, ['RPUSH', 'q', '0']);
    w.runUntil(w.queue.now + 100);
    // Instance 2 pops the only element (its list is empty, its record dead) while instance 1
    // pushes after that element: the push must still find its anchor at instance 2.
    w.exec(2, ['LPOP', 'q']);
    w.exec(1, ['RPUSH', 'q', '1']);
    w.runUntil(w.queue.now + 200);
    w.exec(1, ['RPUSH', 'q', '2']);
    settled(w);
    const want = '*2\r\n$1\r\n1\r\n$1\r\n2\r\n';
    assert.equal(w.exec(1, ['LRANGE', 'q', '0', '-1']), want, `instance 1, delay ${delay}`);
    assert.equal(w.exec(2, ['LRANGE', 'q', '0', '-1']), want, `instance 2, delay ${delay}`);
    // Once the removal is stable everywhere, an emptied list is collected.
    w.exec(1, ['DEL', 'q']);
    settled(w);
    w.runUntil(w.queue.now + 2000);
    for (const id of [1, 2]) assert.equal(w.instance(id).db.keyspace.get('q'), undefined, `collected at ${id}`);
  }
});
