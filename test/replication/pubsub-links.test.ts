// Pub/sub across replication links, sans-IO (docs/replication-protocol.md "Pub/sub"): a message
// published on one instance reaches every other instance once, never its origin, after the data
// committed before it, and only over links that are up and not paused.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeFrame, encodePubMessage, FrameError, publishFrame } from '../../src/replication/frames.js';
import { lookupCommand } from '../../src/engine/command-table.js';
import { ReplyWriter } from '../../src/protocol/reply.js';
import { SimWorld } from '../sim/world.js';

function world(n: number, extra: Partial<ConstructorParameters<typeof SimWorld>[0]> = {}): SimWorld {
  const w = new SimWorld({ seed: 11, instances: n, minDelay: 1, maxDelay: 8, ...extra });
  w.runUntil(300);
  return w;
}

function publish(w: SimWorld, id: number, channel: string, message: string, shard = false): void {
  const inst = w.instance(id);
  inst.enter();
  inst.node.publish({ channel, message, shard });
}

function received(w: SimWorld, id: number): string[] {
  return w.instance(id).inbox.map((x) => `${x.m.shard ? 's:' : ''}${x.m.channel}=${x.m.message}`);
}

test('PUBLISH frames round-trip binary-safe channels and messages', () => {
  const bin = String.fromCharCode(0, 255, 13, 10, 128);
  const f = decodeFrame(publishFrame([encodePubMessage({ channel: 'c', message: bin, shard: false }), encodePubMessage({ channel: bin, message: '', shard: true })], 0, Infinity));
  assert.deepEqual(f, {
    t: 'publish',
    messages: [
      { channel: 'c', message: bin, shard: false },
      { channel: bin, message: '', shard: true },
    ],
  });
  // Compressed when asked and worth it.
  const big = 'x'.repeat(4000);
  const z = publishFrame([encodePubMessage({ channel: 'c', message: big, shard: false })], 6, 64);
  assert.ok(z.length < 1000);
  assert.deepEqual(decodeFrame(z), { t: 'publish', messages: [{ channel: 'c', message: big, shard: false }] });
  const bad = publishFrame([Buffer.from([1, 0x63, 1, 0x6d, 7])], 0, Infinity);
  assert.throws(() => decodeFrame(bad), FrameError);
});

for (const causal of [false, true]) {
  test(`a message reaches every other instance exactly once and never its origin (causal ${causal})`, () => {
    const w = world(3, { causal });
    for (let i = 0; i < 50; i++) publish(w, 1 + (i % 3), 'news', `m${i}`);
    publish(w, 2, 'shard-news', 'hello', true);
    w.runUntil(2000);
    for (const id of [1, 2, 3]) {
      const want: string[] = [];
      for (let i = 0; i < 50; i++) if (1 + (i % 3) !== id) want.push(`news=m${i}`);
      const got = received(w, id);
      // Per origin in publication order; origins interleave arbitrarily.
      for (const origin of [1, 2, 3]) {
        const mine = (s: string) => (Number(s.slice(6)) % 3) + 1 === origin;
        assert.deepEqual(got.filter((s) => s.startsWith('news=') && mine(s)), want.filter(mine), `instance ${id}, origin ${origin}`);
      }
      assert.equal(got.filter((s) => s === 's:shard-news=hello').length, id === 2 ? 0 : 1);
      assert.equal(got.length, want.length + (id === 2 ? 0 : 1));
    }
    const st = w.instance(1).node.stats;
    assert.equal(st.pubsubSent, 2 * 17);
    assert.equal(st.pubsubReceived, 16 + 17 + 1);
    assert.equal(st.pubsubDropped, 0);
  });
}

test('a message goes out after the writes committed before it', () => {
  const w = world(2);
  for (let i = 1; i <= 20; i++) {
    w.exec(1, ['SET', `k${i}`, 'v']);
    publish(w, 1, 'written', String(i));
  }
  w.runUntil(2000);
  const inbox = w.instance(2).inbox;
  assert.equal(inbox.length, 20);
  for (const { m, clock } of inbox) {
    // Message i follows write i (sequence i of instance 1) and precedes write i + 1.
    assert.equal(clock.get(1), Number(m.message), `message ${m.message} delivered at ${clock.toString()}`);
  }
});

test('a message published inside a transaction follows the transaction\'s writes', () => {
  const w = world(2);
  const inst = w.instance(1);
  inst.enter();
  // MULTI; SET a; PUBLISH; SET b; EXEC: one atomic unit, committed at EXEC.
  const out = new ReplyWriter();
  const set = lookupCommand('SET')!.handler!;
  set({ db: inst.db, out, session: { id: 0 } }, ['SET', 'a', '1']);
  inst.node.publish({ channel: 'c', message: 'in-multi', shard: false });
  set({ db: inst.db, out, session: { id: 0 } }, ['SET', 'b', '2']);
  inst.db.commit();
  w.runUntil(w.queue.now + 500);
  const inbox = w.instance(2).inbox;
  assert.equal(inbox.length, 1);
  assert.equal(inbox[0]!.clock.get(1), 2, 'both writes of the transaction were applied before the message');
});

test('a link that is down or paused does not deliver (counted); later messages flow again', () => {
  const w = world(3);
  w.cut(1, 3);
  w.runUntil(600);
  publish(w, 1, 'c', 'while-cut');
  w.runUntil(700);
  w.pause(1, 2);
  w.runUntil(900);
  publish(w, 1, 'c', 'while-paused');
  w.runUntil(1500);
  assert.deepEqual(received(w, 2), ['c=while-cut']);
  assert.deepEqual(received(w, 3), []);
  assert.equal(w.instance(1).node.stats.pubsubDropped, 3);
  assert.ok(w.settle(10_000), w.recentLog());
  publish(w, 1, 'c', 'healed');
  w.runUntil(w.queue.now + 500);
  assert.deepEqual(received(w, 2), ['c=while-cut', 'c=healed']);
  assert.deepEqual(received(w, 3), ['c=healed']);
});

test('messages in flight when the destination pauses are dropped, not delivered late', () => {
  const w = world(2, { minDelay: 50, maxDelay: 50 });
  publish(w, 1, 'c', 'in-flight');
  w.runUntil(w.queue.now + 20);
  // The frame left instance 1 and is on the wire; instance 2 pauses before it lands.
  w.pause(2, 1);
  w.runUntil(w.queue.now + 500);
  w.resume(2, 1);
  w.runUntil(w.queue.now + 1000);
  assert.deepEqual(received(w, 2), []);
  assert.equal(w.instance(2).node.stats.pubsubDropped, 1);
});

test('a destination that stops reading loses its oldest queued messages, counted', () => {
  const w = world(2, { timing: { pubsubQueueBytes: 100 } });
  // Paused by the destination: the source still has the session but may not send.
  w.pause(2, 1);
  w.runUntil(w.queue.now + 200);
  publish(w, 1, 'c', 'x');
  const s = w.instance(1).node.peers.get(2)!.session!;
  assert.equal(s.queuedMessages, 0, 'a session paused by its peer queues nothing');
  w.resume(2, 1);
  w.runUntil(w.queue.now + 300);
  for (let i = 0; i < 40; i++) publish(w, 1, 'c', `m${i}`);
  // 40 messages of 7-8 bytes against a 100-byte queue, all queued in one turn: the oldest go.
  const st = w.instance(1).node.stats;
  assert.ok(st.pubsubDropped >= 27, `dropped ${st.pubsubDropped}`);
  w.runUntil(w.queue.now + 500);
  const got = received(w, 2);
  assert.equal(got.length + st.pubsubDropped - 1, 40);
  assert.equal(got.at(-1), 'c=m39');
});
