// The deterministic simulation, quick tier: a few hundred seeded workloads on 2–5 instances over
// a faulty network (see world.ts and workload.ts). SIM_SEED=<n> replays one seed; SIM_RUNS and
// SIM_FIRST choose how many and from where. The slow tier (convergence.slow.test.ts) runs
// thousands more.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runSeed } from './workload.js';
import { assertBatch, describeBatch, runSeeds } from './run.js';

const runs = Number(process.env.SIM_RUNS ?? 300);
const first = Number(process.env.SIM_FIRST ?? 1);

test(`simulation: ${runs} seeded workloads converge and match the reference model`, () => {
  const b = runSeeds(first, runs);
  process.stdout.write(`# sim: ${describeBatch(b)}\n`);
  assertBatch(b, 'dist/test/sim/convergence.test.js');
});

test('simulation catches a lost effect (test of the test)', () => {
  // Instance 2 claims remote increments it never applied. Most workloads must notice (some have
  // no increment reaching instance 2 that a later DEL or SET does not remove anyway).
  let caught = 0;
  for (let seed = 1; seed <= 20; seed++) if (!runSeed(seed, true).ok) caught++;
  assert.ok(caught >= 8, `only ${caught} of 20 sabotaged runs failed`);
});
