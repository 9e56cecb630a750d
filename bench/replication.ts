// Replication benchmarks (issue 3): throughput of an instance with two replicating peers against
// the same build alone and redis-server; end-to-end replication lag under a paced write load
// spread over three instances; time to converge after a partition; and how long a full-sync
// join stalls the destination's event loop. Every figure comes from real processes on loopback.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { Cluster, infoCrdt } from '../test/e2e/aa-cluster.js';
import { freePort } from '../test/helpers/free-port.js';
import { startTandem } from '../test/helpers/server-process.js';
import type { ServerHandle } from '../test/helpers/server-process.js';
import { waitFor } from '../test/helpers/wait-for.js';
import { loadKeys } from './load-keys.js';
import type { LoopFigures } from './loop-monitor.js';
import { fixed, int, ratio, table } from './markdown.js';
import { type BenchmarkResult, redisBenchmark } from './redis-benchmark.js';
import type { BenchContext, Section } from './section.js';

const PERSISTENCE_OFF = ['--set', 'appendonly=no', '--set', 'save='];

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

// ---- (a) throughput with two replicating peers ---------------------------------------------

async function bench(ctx: BenchContext, host: string, port: number, test: string, pipeline: number, label: string): Promise<BenchmarkResult> {
  const o = ctx.options;
  ctx.progress(`${test} -P ${pipeline} against ${label} (${o.requests} requests)`);
  return redisBenchmark({ host, port, test, clients: o.clients, requests: o.requests, pipeline, keyspace: o.keyspace, dataSize: o.dataSize });
}

async function throughput(ctx: BenchContext): Promise<string> {
  const o = ctx.options;
  const tests = ['set', 'incr'];
  const alone = new Map<string, BenchmarkResult>();
  const redis = new Map<string, BenchmarkResult>();
  const pair = await ctx.startPair();
  try {
    for (const p of o.pipelines) {
      for (const t of tests) {
        alone.set(`${t}/${p}`, await bench(ctx, pair.target.host, pair.target.port, t, p, 'Tandem alone'));
        redis.set(`${t}/${p}`, await bench(ctx, pair.redis.host, pair.redis.port, t, p, 'redis'));
      }
    }
  } finally {
    await pair.stop();
  }
  const rows: string[][] = [];
  const cluster = await Cluster.start(3, { args: PERSISTENCE_OFF });
  try {
    const a = cluster.instances[0]!;
    for (const p of o.pipelines) {
      for (const t of tests) {
        const r = await bench(ctx, '127.0.0.1', a.port, t, p, 'Tandem with 2 peers');
        // The peers must have everything before the next run: the tail is part of the cost.
        const t0 = performance.now();
        await cluster.sync(120_000);
        const tail = performance.now() - t0;
        const s = alone.get(`${t}/${p}`)!;
        const rd = redis.get(`${t}/${p}`)!;
        rows.push([r.name, String(p), int(rd.rps), int(s.rps), int(r.rps), ratio(r.rps, s.rps), ratio(r.rps, rd.rps), `${fixed(r.p50Ms, 3)} / ${fixed(r.p99Ms, 3)}`, int(tail)]);
      }
    }
  } finally {
    await cluster.stop();
  }
  return [
    '**(a) Throughput with two replicating peers.** redis-benchmark against instance 1 of a 3-instance ' +
      `database (full mesh, loopback), the same build alone, and redis-server; -c ${o.clients} -n ${o.requests} -r ${o.keyspace} -d ${o.dataSize}. ` +
      'The two peers run on the same cores, applying everything instance 1 writes. "catch-up" is how long after ' +
      "redis-benchmark's last reply TANDEM.SYNC WAIT took on every instance.",
    '',
    table(['test', 'pipeline', 'redis ops/s', 'alone ops/s', 'with peers ops/s', 'with peers/alone', 'with peers/redis', 'with peers p50 / p99 ms', 'catch-up ms'], rows),
  ].join('\n');
}

// ---- (b) replication lag ------------------------------------------------------------------

interface LagResult {
  /** Sent at the origin → received at another instance. */
  samples: number[];
  /** Acknowledged at the origin → received at another instance (without the origin's queue). */
  fromAck: number[];
  /** The bench process's own event-loop delay p99 / max (ms): it is part of every sample. */
  clientLoopP99: number;
  clientLoopMax: number;
  writes: number;
  seconds: number;
}

/**
 * Paced writers, one per instance, together `rate` writes/s: mostly SET and INCR on random
 * keys, and every `sampleEvery`-th tick one RPUSH per other instance of the send time to a list
 * only that instance's reader pops (BLPOP: a push applied from a peer wakes it). Lag = when
 * the reader got it − when the writer sent it (one process, one clock).
 */
export async function measureLag(cluster: Cluster, rate: number, seconds: number): Promise<LagResult> {
  const ids = cluster.instances.map((i) => i.id);
  const n = ids.length;
  const samples: number[] = [];
  // Per sample (origin:send time): when the origin acknowledged the write, and when each other
  // instance received the message.
  const ackAt = new Map<string, number>();
  const received: [string, number][] = [];
  const loop = monitorEventLoopDelay({ resolution: 1 });
  const expected = new Map<number, number>(ids.map((id) => [id, 0]));
  const got = new Map<number, number>(ids.map((id) => [id, 0]));
  const readers = cluster.instances.map((inst) => new Redis({ port: inst.port, host: '127.0.0.1' }));
  const writers = cluster.instances.map((inst) => new Redis({ port: inst.port, host: '127.0.0.1' }));
  try {
    await Promise.all(
      readers.map(async (r, idx) => {
        const me = ids[idx]!;
        r.on('message', (_ch: string, m: string) => {
          const at = performance.now();
          const [origin, ts] = m.split(':');
          // Messages from this instance's own writer are not replication.
          if (Number(origin) === me) return;
          samples.push(at - Number(ts));
          received.push([m, at]);
          got.set(me, got.get(me)! + 1);
        });
        await r.subscribe('lag');
      }),
    );
    // Writes are issued on schedule but at most `window` may be unanswered per writer: a server
    // that cannot keep up lowers the achieved rate (reported) instead of queueing without end.
    const window = 1000;
    const inFlight = new Array<number>(n).fill(0);
    let acked = 0;
    let failure: unknown = null;
    const track = (w: number, p: Promise<unknown>): void => {
      inFlight[w]!++;
      p.then(
        () => {
          inFlight[w]!--;
          acked++;
        },
        (e: unknown) => {
          inFlight[w]!--;
          failure ??= e;
        },
      );
    };
    const perWriter = rate / n;
    loop.enable();
    const start = performance.now();
    const end = start + seconds * 1000;
    const issued = new Array<number>(n).fill(0);
    while (performance.now() < end && failure === null) {
      const now = performance.now();
      for (let w = 0; w < n; w++) {
        const r = writers[w]!;
        const me = ids[w]!;
        const due = Math.floor(((now - start) / 1000) * perWriter);
        while (issued[w]! < due && inFlight[w]! < window) {
          const c = issued[w]!;
          if (c % 20 === 0) {
            // A sample: a timestamped write, then a message naming it. A peer's link delivers the
            // message after the write (replication-protocol.md, Pub/sub), so when a subscriber
            // there has it, the write is visible there.
            const ts = String(performance.now());
            const id = `${me}:${ts}`;
            track(
              w,
              r.set(`lag:${me}`, ts).then(() => ackAt.set(id, performance.now())),
            );
            track(w, r.publish('lag', `${me}:${ts}`));
            for (const other of ids) if (other !== me) expected.set(other, expected.get(other)! + 1);
            issued[w]! += 1;
          } else {
            track(w, c % 2 === 0 ? r.set(`lk:${Math.floor(Math.random() * 100_000)}`, 'v') : r.incr(`lc:${Math.floor(Math.random() * 1000)}`));
            issued[w]!++;
          }
        }
      }
      await new Promise((res) => setTimeout(res, 1));
    }
    const elapsed = (performance.now() - start) / 1000;
    const ackedInTime = acked;
    await waitFor(() => inFlight.every((x) => x === 0), { timeout: 60_000, message: 'the last writes' });
    if (failure !== null) throw failure as Error;
    await waitFor(() => ids.every((id) => got.get(id)! >= expected.get(id)!), { timeout: 60_000, message: 'every lag sample' });
    loop.disable();
    const fromAck = received.map(([id, at]) => at - ackAt.get(id)!);
    return { samples, fromAck, writes: ackedInTime, seconds: elapsed, clientLoopP99: loop.percentile(99) / 1e6, clientLoopMax: loop.max / 1e6 };
  } finally {
    loop.disable();
    for (const r of [...readers, ...writers]) r.disconnect();
  }
}

async function lag(ctx: BenchContext): Promise<string> {
  const seconds = ctx.options.quick ? 3 : 15;
  const rate = 20_000;
  const cluster = await Cluster.start(3, { args: PERSISTENCE_OFF });
  let res: LagResult;
  try {
    ctx.progress(`replication lag: ${rate} writes/s over 3 instances for ${seconds} s`);
    res = await measureLag(cluster, rate, seconds);
    await cluster.sync(60_000);
  } finally {
    await cluster.stop();
  }
  const row = (label: string, xs: number[]): string[] => {
    const s = [...xs].sort((a, b) => a - b);
    return [label, int(s.length), fixed(percentile(s, 50), 2), fixed(percentile(s, 90), 2), fixed(percentile(s, 99), 2), fixed(s.at(-1) ?? NaN, 2)];
  };
  return [
    `**(b) Replication lag.** ${int(res.writes / res.seconds)} writes/s acknowledged (target ${int(rate)}) for ${fixed(res.seconds, 1)} s, ` +
      'spread evenly over 3 instances (SET / INCR on random keys, one connection per instance, at most 1000 unanswered); ' +
      'one write in twenty per instance is `SET lag:<origin> <send time>` followed by `PUBLISH lag <origin>:<send time>` on the ' +
      'same connection; a subscriber on each other instance takes the receive time. Links deliver a message after the writes ' +
      'committed before it, so lag = write sent at the origin → visible at the other instance, plus the push to the subscriber. ' +
      'The second row starts when the reply of the origin arrived instead (it leaves out the wait in the queue of the origin, and is ' +
      'negative when the peer was faster than the reply). ' +
      '(A timestamped RPUSH + BLPOP method exposed a list divergence, docs/benchmarks.md.) ' +
      `All clients live in the bench process (ioredis), whose own event loop was late by up to ${fixed(res.clientLoopP99, 1)} ms ` +
      `(p99; max ${fixed(res.clientLoopMax, 1)} ms) during the run: that delay is inside every figure below.`,
    '',
    table(
      ['from', 'samples', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms'],
      [row('sent at the origin', res.samples), row('acknowledged at the origin', res.fromAck)],
    ),
  ].join('\n');
}

// ---- (c) convergence after a partition ----------------------------------------------------

async function partition(ctx: BenchContext, backlog: string | null): Promise<string[]> {
  const o = ctx.options;
  const writes = o.quick ? 20_000 : 100_000;
  const holdMs = o.quick ? 5_000 : 30_000;
  const cluster = await Cluster.start(3, { args: [...PERSISTENCE_OFF, ...(backlog === null ? [] : ['--set', `crdt-backlog-size=${backlog}`])] });
  try {
    await cluster.pauseAll();
    const t0 = performance.now();
    ctx.progress(`partition (backlog ${backlog ?? 'default'}): ${writes} writes on instance 1 and on instance 2, held ${holdMs / 1000} s`);
    // Half the keys overlap: 50 % of the writes conflict (last writer wins).
    const [p1, p2] = [cluster.instances[0]!.port, cluster.instances[1]!.port];
    await Promise.all([
      loadKeys({ host: '127.0.0.1', port: p1, keys: writes, keyOf: (i) => `pk:${i}`, value: 'side-1' }),
      loadKeys({ host: '127.0.0.1', port: p2, keys: writes, keyOf: (i) => `pk:${i + writes / 2}`, value: 'side-2' }),
    ]);
    const wrote = performance.now() - t0;
    const wait = holdMs - wrote;
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const before = await Promise.all(cluster.instances.map((i) => infoCrdt(i.redis)));
    const t1 = performance.now();
    await cluster.sync(300_000);
    const converge = performance.now() - t1;
    const after = await Promise.all(cluster.instances.map((i) => infoCrdt(i.redis)));
    const sizes = await Promise.all(cluster.instances.map((i) => i.redis.dbsize()));
    const want = writes * 1.5;
    if (!sizes.every((n) => n === want)) throw new Error(`after the partition the instances hold ${sizes.join(' / ')} keys, ${want} expected`);
    // Spot check: the same values everywhere.
    const keys = Array.from({ length: 1000 }, (_, i) => `pk:${Math.floor((i * want) / 1000)}`);
    const vals = await Promise.all(cluster.instances.map((i) => i.redis.mget(...keys)));
    if (!vals.every((v) => JSON.stringify(v) === JSON.stringify(vals[0]))) throw new Error('instances disagree after the partition');
    const delta = (name: string): number => after.reduce((a, m, i) => a + Number(m.get(name) ?? 0) - Number(before[i]!.get(name) ?? 0), 0);
    return [
      backlog ?? 'default (16mb)',
      int(writes),
      fixed(holdMs / 1000, 0),
      int(wrote),
      int(converge),
      `${delta('crdt_sync_partial_ok')} partial, ${delta('crdt_sync_full')} full`,
      int(want),
    ];
  } finally {
    await cluster.stop();
  }
}

async function partitions(ctx: BenchContext): Promise<string> {
  const rows = [await partition(ctx, null), await partition(ctx, '1mb')];
  return [
    '**(c) Convergence after a partition.** Every link paused (TANDEM.SYNC PAUSE on all three instances), then ' +
      'pipelined SETs on instance 1 and on instance 2 at the same time, half of the keys on both sides (conflicts); the ' +
      'partition is held, then RESUME everywhere; "converge" is from RESUME until TANDEM.SYNC WAIT succeeded on every ' +
      'instance; then every instance must hold all keys and agree on a sample of 1000. With a 1 MB backlog the gap is not ' +
      'covered and the instances resync by full sync.',
    '',
    table(['backlog', 'writes per side', 'partition s', 'writing ms', 'converge ms', 'resyncs', 'keys after'], rows),
  ].join('\n');
}

// ---- (d) event-loop stall of a full-sync join -----------------------------------------------

const monitorEntry = fileURLToPath(new URL('./loop-monitor.js', import.meta.url));

async function loopFigures(server: ServerHandle, file: string): Promise<LoopFigures> {
  rmSync(file, { force: true });
  server.kill('SIGUSR2');
  await waitFor(() => existsSync(file), { timeout: 10_000, message: 'the loop monitor figures' });
  return JSON.parse(readFileSync(file, 'utf8')) as LoopFigures;
}

/**
 * A new instance joins a database of `keys` keys by full sync while a client PINGs it in a
 * loop; the destination's own event-loop monitor (loop-monitor.ts) reports its longest stall.
 */
export async function measureJoin(ctx: BenchContext, keys: number): Promise<{ loop: LoopFigures; pingMaxMs: number; pings: number; syncMs: number }> {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'tandem-join-'));
  const file = path.join(tmp, 'loop.json');
  const pa = await freePort();
  let pb = await freePort();
  while (pb === pa) pb = await freePort();
  const guid = `bench-join-${process.pid}`;
  const common = ['--crdb-guid', guid, ...PERSISTENCE_OFF];
  // A small backlog: the new instance cannot resume from it and gets a full sync.
  const a = await startTandem({ port: pa, instanceId: 1, args: [...common, '--set', 'crdt-backlog-size=64kb', '--peer', `2@127.0.0.1:${pb}`] });
  let b: ServerHandle | null = null;
  const clients: Redis[] = [];
  try {
    ctx.progress(`full-sync join: loading ${keys} keys`);
    await loadKeys({ host: '127.0.0.1', port: pa, keys });
    const ra = new Redis({ port: pa, host: '127.0.0.1' });
    clients.push(ra);
    await ra.call('TANDEM.SYNC', 'PAUSE');
    b = await startTandem({
      port: pb,
      instanceId: 2,
      args: [...common, '--peer', `1@127.0.0.1:${pa}`],
      execArgv: ['--import', monitorEntry],
      env: { ...process.env, TANDEM_LOOP_MONITOR_OUT: file },
    });
    const rb = new Redis({ port: pb, host: '127.0.0.1' });
    const probe = new Redis({ port: pb, host: '127.0.0.1' });
    clients.push(rb, probe);
    await waitFor(async () => /link=full-sync/.test((await infoCrdt(rb)).get('crdt_peer_1') ?? ''), { timeout: 20_000, message: 'the full sync to start' }).catch(async (e: Error) => {
      throw new Error(`${e.message}: ${(await infoCrdt(rb)).get('crdt_peer_1')}`);
    });
    await loopFigures(b, file);
    let pinging = true;
    let pingMaxMs = 0;
    let pings = 0;
    const pinger = (async () => {
      while (pinging) {
        const t = performance.now();
        await probe.ping();
        pingMaxMs = Math.max(pingMaxMs, performance.now() - t);
        pings++;
      }
    })();
    const t0 = performance.now();
    await ra.call('TANDEM.SYNC', 'RESUME');
    await waitFor(
      async () => {
        const m = await infoCrdt(rb);
        return m.get('crdt_sync_full') === '1' && (m.get('crdt_join_pending') ?? '0') === '0';
      },
      { timeout: 120_000, interval: 10, message: 'the join to complete' },
    );
    const syncMs = performance.now() - t0;
    pinging = false;
    await pinger;
    const loop = await loopFigures(b, file);
    const n = await rb.dbsize();
    if (n !== keys) throw new Error(`the new instance holds ${n} keys after the full sync, ${keys} expected`);
    return { loop, pingMaxMs, pings, syncMs };
  } finally {
    for (const c of clients) c.disconnect();
    await Promise.all([a.stop(), b?.stop()]);
    rmSync(tmp, { recursive: true, force: true });
  }
}

async function join(ctx: BenchContext): Promise<string> {
  const keys = ctx.options.quick ? 20_000 : 100_000;
  const r = await measureJoin(ctx, keys);
  return [
    `**(d) Full-sync join.** A new instance joins a database of ${int(keys)} small string keys by full sync while a client ` +
      "PINGs it back to back. The destination's longest event-loop stall (perf_hooks monitorEventLoopDelay, preloaded " +
      'with bench/loop-monitor.ts) and the slowest PING, from RESUME until the join completed.',
    '',
    table(
      ['keys', 'RESUME → joined ms', 'loop max stall ms', 'loop p99 ms', 'PINGs', 'slowest PING ms'],
      [[int(keys), int(r.syncMs), fixed(r.loop.maxMs, 1), fixed(r.loop.p99Ms, 1), int(r.pings), fixed(r.pingMaxMs, 1)]],
    ),
  ].join('\n');
}

export const replicationSection: Section = {
  id: 'replication',
  title: 'Replication (3 instances on loopback)',
  async run(ctx: BenchContext): Promise<string> {
    if (ctx.options.against === 'redis') return 'Skipped: replication needs Tandem (not --against redis).';
    const parts: string[] = [];
    for (const [name, part] of [
      ['throughput', throughput],
      ['lag', lag],
      ['partition', partitions],
      ['join', join],
    ] as const) {
      if (ctx.options.replicationParts !== undefined && !ctx.options.replicationParts.includes(name)) continue;
      try {
        parts.push(await part(ctx));
      } catch (e) {
        // One failed measurement does not lose the others; the report says what failed.
        ctx.progress(`replication ${name} failed: ${(e as Error).message}`);
        parts.push(`**(${name}) failed:** ${(e as Error).message.split('\n')[0]}`);
      }
    }
    return parts.join('\n\n');
  },
};
