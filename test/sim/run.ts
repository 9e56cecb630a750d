// Runs many seeds of the simulation and reports the first failures with how to replay them.
// Shared by the quick and the slow suite.
import assert from 'node:assert/strict';
import type { RunResult } from './workload.js';
import { runSeed } from './workload.js';

export interface Batch {
  runs: number;
  failures: RunResult[];
  /** Seeds that failed while showing a known engine issue (not counted as failures). */
  known: RunResult[];
  /** Seeds that passed although they showed a known engine issue's symptom. */
  symptomsOnly: number;
  elapsedMs: number;
  totals: Record<string, number>;
}

/** Runs `count` seeds from `first`, or only SIM_SEED when it is set. */
export function runSeeds(first: number, count: number): Batch {
  const only = process.env.SIM_SEED;
  const seeds = only !== undefined && only !== '' ? [Number(only) >>> 0] : Array.from({ length: count }, (_, i) => (first + i) >>> 0);
  const t0 = performance.now();
  const failures: RunResult[] = [];
  const known: RunResult[] = [];
  let symptomsOnly = 0;
  const totals: Record<string, number> = {};
  for (const seed of seeds) {
    const r = runSeed(seed);
    for (const [k, v] of Object.entries(r.stats)) totals[k] = (totals[k] ?? 0) + v;
    if (r.ok) {
      if (r.engineIssues.length > 0) symptomsOnly++;
    } else if (r.engineIssues.length > 0 && process.env.SIM_STRICT !== '1') known.push(r);
    else {
      failures.push(r);
      if (failures.length >= 3) break;
    }
  }
  return { runs: seeds.length, failures, known, symptomsOnly, elapsedMs: performance.now() - t0, totals };
}

export function describeBatch(b: Batch): string {
  const rate = b.runs / (b.elapsedMs / 1000);
  let s = `${b.runs} runs in ${(b.elapsedMs / 1000).toFixed(1)} s (${rate.toFixed(0)} runs/s) ${JSON.stringify(b.totals)}`;
  if (b.known.length > 0 || b.symptomsOnly > 0) {
    const byIssue = new Map<string, number[]>();
    for (const r of b.known) for (const i of r.engineIssues) {
      const id = i.slice(0, i.indexOf(':'));
      byIssue.set(id, [...(byIssue.get(id) ?? []), r.seed]);
    }
    s += `\n# known engine issues (not replication): ${[...byIssue].map(([id, seeds]) => `${id} failed seeds ${seeds.slice(0, 10).join(',')}${seeds.length > 10 ? '…' : ''} (${seeds.length})`).join('; ')}; ${b.symptomsOnly} more seeds showed a symptom and still passed. SIM_STRICT=1 fails on them.`;
  }
  return s;
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
