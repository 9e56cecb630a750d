// Runs redis-benchmark for one test and reads its --csv line:
// "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"
// Some tests print more than one row: `-t lrange_100` first seeds its list and reports
// "LPUSH (needed to benchmark LRANGE)", then "LRANGE_100 (first 100 elements)". The row is the
// one whose name starts with the test's own name (see pickRow).
import { spawn } from 'node:child_process';

export interface BenchmarkRun {
  host: string;
  port: number;
  password?: string;
  test: string;
  clients: number;
  requests: number;
  pipeline: number;
  keyspace: number;
  dataSize: number;
}

export interface BenchmarkResult {
  /** redis-benchmark's own name, e.g. "MSET (10 keys)". */
  name: string;
  rps: number;
  avgMs: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Error replies redis-benchmark reported (it counts them as completed requests). */
  errors: string[];
}

export async function redisBenchmark(r: BenchmarkRun): Promise<BenchmarkResult> {
  const args = [
    '-h', r.host, '-p', String(r.port),
    '-c', String(r.clients), '-n', String(r.requests), '-P', String(r.pipeline),
    '-r', String(r.keyspace), '-d', String(r.dataSize),
    '-t', r.test, '--csv',
    ...(r.password !== undefined ? ['-a', r.password] : []),
  ];
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const p = spawn('redis-benchmark', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.once('error', reject);
    p.once('exit', (c) => resolve({ code: c, stdout: out, stderr: err }));
  });
  const rows = stdout
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('"') && !l.startsWith('"test"'))
    .map((l) => l.split('","').map((c) => c.replace(/^"|"$/g, '')));
  const errors = [...new Set((stdout + '\n' + stderr).split('\n').filter((l) => /error/i.test(l) && !l.startsWith('"')))].slice(0, 5);
  const c = code === 0 ? pickRow(r.test, rows) : undefined;
  if (c === undefined) {
    throw new Error(`redis-benchmark ${args.join(' ')} failed (exit ${code}):\n${stdout}\n${stderr}`);
  }
  const n = (i: number): number => Number(c[i]);
  return { name: c[0]!, rps: n(1), avgMs: n(2), p50Ms: n(4), p95Ms: n(5), p99Ms: n(6), maxMs: n(7), errors };
}

/**
 * The CSV row of `test` (a -t name such as "lrange_100"): the only row, or the only one whose
 * name's first word is the test's name in any case ("LRANGE_100 (first 100 elements)", not the
 * "LPUSH (needed to benchmark LRANGE)" that seeds it). Undefined when that is not one row.
 */
export function pickRow(test: string, rows: readonly (readonly string[])[]): readonly string[] | undefined {
  if (rows.length === 1) return rows[0];
  const named = rows.filter((row) => (row[0] ?? '').split(' ')[0]!.toLowerCase() === test.toLowerCase());
  return named.length === 1 ? named[0] : undefined;
}
