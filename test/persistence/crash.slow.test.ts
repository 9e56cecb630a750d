// The long crash loops: 50 seeded SIGKILLs under a write load with each fsync policy, one loop
// with log rewrites (snapshots) running under the load. With crash.test.ts: 58 kills.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { crashLoop } from './crash-harness.js';

for (const [seed, appendfsync, rewrites] of [
  [101, 'always', false],
  [102, 'always', true],
  [103, 'everysec', false],
  [104, 'everysec', true],
  [105, 'no', false],
] as const) {
  test(`appendfsync ${appendfsync}${rewrites ? ' with log rewrites' : ''}: 10 SIGKILLs (seed ${seed}) lose no acknowledged write`, async () => {
    const r = await crashLoop({ seed, kills: 10, appendfsync, rewrites, maxLoadMs: 250 });
    assert.equal(r.kills, 10);
    assert.ok(r.ackedOps >= 50, `the load did too little (${r.ackedOps} acknowledged commands)`);
    if (rewrites) assert.ok(r.snapshots > 0, 'no snapshot was ever completed');
  });
}
