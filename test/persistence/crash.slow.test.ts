// The long crash loops: 50 seeded SIGKILLs under a write load with each fsync policy, one loop
// with log rewrites (snapshots) running under the load. With crash.test.ts: 58 kills.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { crashLoop } from './crash-harness.js';

const REWRITE_OFTEN = ['--set', 'auto-aof-rewrite-min-size=32kb', '--set', 'auto-aof-rewrite-percentage=10'];

for (const [seed, appendfsync, args] of [
  [101, 'always', []],
  [102, 'always', REWRITE_OFTEN],
  [103, 'everysec', []],
  [104, 'everysec', REWRITE_OFTEN],
  [105, 'no', []],
] as const) {
  test(`appendfsync ${appendfsync}${args.length > 0 ? ' with log rewrites' : ''}: 10 SIGKILLs (seed ${seed}) lose no acknowledged write`, async () => {
    const r = await crashLoop({ seed, kills: 10, appendfsync, args: [...args], maxLoadMs: 250 });
    assert.equal(r.kills, 10);
    assert.ok(r.acked > 30, `the load did too little (${r.acked} acknowledged SETs)`);
  });
}
