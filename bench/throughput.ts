// Throughput and latency with redis-benchmark, Tandem and redis-server in the same run, each
// test run against one server at a time (they share the machine with the benchmark client).
import { fixed, int, ratio, table } from './markdown.js';
import { type BenchmarkResult, redisBenchmark } from './redis-benchmark.js';
import type { BenchContext, Section } from './section.js';

export const throughputSection: Section = {
  id: 'throughput',
  title: 'Throughput and latency (redis-benchmark)',
  run: (ctx) => runThroughput(ctx, ctx.options.tests),
};

/** The collection commands of issue 4 (LPOP pops what the LPUSH before it pushed). */
export const COLLECTION_TESTS = ['hset', 'sadd', 'zadd', 'lpush', 'lpop', 'lrange_100'];

export const collectionsThroughputSection: Section = {
  id: 'collections',
  title: 'Collections: throughput and latency (redis-benchmark)',
  run: (ctx) => runThroughput(ctx, COLLECTION_TESTS),
};

/** Each test against the target, then against redis-server, on one fresh pair of servers. */
async function runThroughput(ctx: BenchContext, tests: readonly string[]): Promise<string> {
  const o = ctx.options;
  const pair = await ctx.startPair();
  const rows: string[][] = [];
  const notes: string[] = [];
  try {
    for (const pipeline of o.pipelines) {
      for (const test of tests) {
        const results: BenchmarkResult[] = [];
        for (const server of [pair.target, pair.redis]) {
          const label = server === pair.target ? ctx.targetLabel : 'redis';
          ctx.progress(`${test} -P ${pipeline} against ${label} (${o.requests} requests)`);
          const r = await redisBenchmark({
            host: server.host,
            port: server.port,
            test,
            clients: o.clients,
            requests: o.requests,
            pipeline,
            keyspace: o.keyspace,
            dataSize: o.dataSize,
          });
          if (r.errors.length) notes.push(`- ${test} -P ${pipeline} on ${label}: ${r.errors.join(' / ')}`);
          results.push(r);
        }
        const [t, r] = results as [BenchmarkResult, BenchmarkResult];
        rows.push([
          r.name + (t.errors.length || r.errors.length ? ' (!)' : ''),
          String(pipeline),
          int(t.rps),
          int(r.rps),
          ratio(t.rps, r.rps),
          `${fixed(t.p50Ms, 3)} / ${fixed(t.p99Ms, 3)}`,
          `${fixed(r.p50Ms, 3)} / ${fixed(r.p99Ms, 3)}`,
        ]);
      }
    }
  } finally {
    await pair.stop();
  }
  const lines = [
    `redis-benchmark -c ${o.clients} -n ${o.requests} -r ${o.keyspace} -d ${o.dataSize} -P <pipeline> -t <test>; ` +
      'one server at a time, fresh servers, persistence off.',
    '',
    table(
      ['test', 'pipeline', `${ctx.targetLabel} ops/s`, 'redis ops/s', `${ctx.targetLabel}/redis`, `${ctx.targetLabel} p50 / p99 ms`, 'redis p50 / p99 ms'],
      rows,
    ),
  ];
  if (notes.length) lines.push('', '(!) error replies during the run (redis-benchmark counts them as done):', ...notes);
  return lines.join('\n');
}
