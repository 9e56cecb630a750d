// TANDEM.FLUSH, the per-instance half of the coordinated flush (PUT /v1/crdbs/{guid}/flush):
// observed-remove deletes of every key the instance sees. Run on every instance, it removes
// every write made before it anywhere; a write it did not observe survives (add-wins), and the
// instances converge.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTandem } from '../helpers/server-process.js';
import { clusterSkipReason, withCluster } from '../e2e/aa-cluster.js';

test('TANDEM.FLUSH on every instance empties all; an unobserved concurrent write survives everywhere', { skip: clusterSkipReason(), timeout: 60_000 }, async () => {
  await withCluster(2, async (c) => {
    const [a, b] = [c.at(1), c.at(2)];
    await a.set('k1', 'v');
    await a.incrby('counter', 5);
    await b.sadd('set', 'x', 'y');
    await b.hset('h', 'f', '1');
    await c.sync();
    await c.concurrently(async () => {
      // A flushes, then writes `late`, which B's flush does not see: neither flush observed it.
      assert.equal(await a.call('TANDEM.FLUSH'), 4);
      assert.equal(await a.dbsize(), 0);
      await a.set('late', 'survives');
      assert.equal(await b.call('TANDEM.FLUSH'), 4);
      assert.equal(await b.dbsize(), 0);
    });
    await c.sync();
    for (const r of [a, b]) {
      assert.deepEqual((await r.keys('*')).sort(), ['late'], 'only the write the other flush did not observe is left');
      assert.equal(await r.get('late'), 'survives');
      assert.equal(await r.get('counter'), null);
    }
    // Flushing every instance again empties the database for good; it stays Active-Active.
    await a.call('TANDEM.FLUSH');
    await b.call('TANDEM.FLUSH');
    await c.sync();
    assert.deepEqual([await a.dbsize(), await b.dbsize()], [0, 0]);
    await b.incrby('counter', 2);
    await c.sync();
    assert.equal(await a.get('counter'), '2', 'a counter reset by the flush starts again from 0');
    await assert.rejects(a.flushall(), /FLUSHALL is not supported on an Active-Active database/);
  });
});

test('TANDEM.FLUSH is refused on a database that is not Active-Active', { skip: clusterSkipReason(), timeout: 30_000 }, async (t) => {
  const s = await startTandem();
  t.after(() => s.stop());
  const c = await s.connect();
  try {
    const r = await c.call('TANDEM.FLUSH');
    assert.equal(r.t, 'error');
    assert.match(r.t === 'error' ? r.v : '', /^ERR this instance is not part of an Active-Active database/);
    const extra = await c.call('TANDEM.FLUSH', 'now');
    assert.equal(extra.t, 'error');
  } finally {
    await c.close();
  }
});
