// Runs many seeds of the simulation and reports the first failures with how to replay them.
// Shared by the quick and the slow suite.
import assert from 'node:assert/strict';
import type { RunResult } from './workload.js';
import { runSeed } from './workload.js';

export interface Batch {
  runs: number;
  failures: RunResult[];
  elapsedMs: number;
  totals: Record<string, number>;
}

/** Runs `count` seeds from `first`, or only SIM_SEED when it is set. */
export function runSeeds(first: number, count: number): Batch {
  const only = process.env.SIM_SEED;
  const seeds = only !== undefined && only !== '' ? [Number(only) >>> 0] : Array.from({ length: count }, (_, i) => (first + i) >>> 0);
  const t0 = performance.now();
  const failures: RunResult[] = [];
  const totals: Record<string, number> = {};
  for (const seed of seeds) {
    const r = runSeed(seed);
    for (const [k, v] of Object.entries(r.stats)) totals[k] = (totals[k] ?? 0) + v;
    if (!r.ok) {
      failures.push(r);
      if (failures.length >= 3) break;
    }
  }
  return { runs: seeds.length, failures, elapsedMs: performance.now() - t0, totals };
}

export function describeBatch(b: Batch): string {
  const rate = b.runs / (b.elapsedMs / 1000);
  return `${b.runs} runs in ${(b.elapsedMs / 1000).toFixed(1)} s (${rate.toFixed(0)} runs/s) ${JSON.stringify(b.totals)}`;
}

export function assertBatch(b: Batch, testFile: string): void {
  if (b.failures.length === 0) return;
  const f = b.failures[0]!;
  const others = b.failures.slice(1).map((x) => x.seed).join(', ');
  assert.fail(
    `simulation seed ${f.seed} failed${others ? ` (also seeds ${others})` : ''}:\n${f.failure}\n\n` +
      `replay: npx tsc -p . && SIM_SEED=${f.seed} node --test ${testFile}`,
  );
}
