// SIGKILL under a write load, restart from disk: every acknowledged write is there
// (the quick part; crash.slow.test.ts runs the long loops). 8 kills here.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { crashLoop } from './crash-harness.js';

test('appendfsync always: 5 seeded SIGKILLs under load lose no acknowledged write', async () => {
  const r = await crashLoop({ seed: 1, kills: 5, appendfsync: 'always' });
  assert.equal(r.kills, 5);
  assert.ok(r.ackedOps >= 5 * r.kills, `the load did too little (${r.ackedOps} acknowledged commands)`);
});

test('appendfsync everysec: 3 seeded SIGKILLs lose no acknowledged write (the log is written before replies)', async () => {
  const r = await crashLoop({ seed: 2, kills: 3, appendfsync: 'everysec' });
  assert.ok(r.ackedOps >= 5 * r.kills, `the load did too little (${r.ackedOps} acknowledged commands)`);
});
