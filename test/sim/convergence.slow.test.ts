// The deterministic simulation, slow tier: thousands of seeded workloads (seeds 1001 on, after
// the quick tier's). SIM_RUNS / SIM_FIRST / SIM_SEED as in convergence.test.ts.
import { test } from 'node:test';
import { assertBatch, describeBatch, runSeeds } from './run.js';

const runs = Number(process.env.SIM_RUNS ?? 3000);
const first = Number(process.env.SIM_FIRST ?? 1001);

test(`simulation (slow): ${runs} seeded workloads converge and match the reference model`, { timeout: 600_000 }, () => {
  const b = runSeeds(first, runs);
  process.stdout.write(`# sim: ${describeBatch(b)}\n`);
  assertBatch(b, 'dist/test/sim/convergence.slow.test.js');
});
