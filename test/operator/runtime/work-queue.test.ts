import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WorkQueue } from '../../../src/operator/runtime/work-queue.js';

test('a key is queued once however often it is added', async () => {
  const q = new WorkQueue();
  q.add('a');
  q.add('b');
  q.add('a');
  assert.equal(q.length, 2);
  assert.equal(await q.next(), 'a');
  assert.equal(await q.next(), 'b');
  q.close();
});

test('a key added while being processed is processed again afterwards, never concurrently', async () => {
  const q = new WorkQueue();
  q.add('a');
  const k = await q.next();
  q.add('a');
  assert.equal(q.length, 0, 'not handed out while in flight');
  q.done(k!);
  assert.equal(q.length, 1);
  assert.equal(await q.next(), 'a');
  q.close();
});

test('retries back off exponentially per key and forget resets the count', () => {
  const q = new WorkQueue({ baseMs: 10, maxMs: 50 });
  assert.deepEqual([q.retry('a'), q.retry('a'), q.retry('a'), q.retry('a')], [10, 20, 40, 50]);
  assert.equal(q.retry('b'), 10, 'another key has its own backoff');
  q.forget('a');
  assert.equal(q.failuresOf('a'), 0);
  q.close();
});

test('addAfter delivers the key later; close releases waiting workers', async () => {
  const q = new WorkQueue();
  const t0 = Date.now();
  q.addAfter('x', 30);
  assert.equal(await q.next(), 'x');
  assert.ok(Date.now() - t0 >= 25);
  const waiting = q.next();
  q.close();
  assert.equal(await waiting, undefined);
});
