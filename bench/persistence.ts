// Persistence (src/persistence): SET throughput with each fsync policy, as a ratio to Tandem
// without persistence and to redis-server with the matching appendfsync, in the same run; and
// how long a restart takes with N keys — replaying the effect log, and loading a snapshot —
// next to redis-server restarting on its AOF.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { type ServerHandle, startRedis, startTandem } from '../test/helpers/server-process.js';
import { loadKeys } from './load-keys.js';
import { fixed, int, ratio, table } from './markdown.js';
import { redisBenchmark } from './redis-benchmark.js';
import type { BenchContext, Section } from './section.js';

const POLICIES = ['disabled', 'no', 'everysec', 'always'] as const;
type Policy = (typeof POLICIES)[number];

function tandemArgs(p: Policy): string[] {
  return p === 'disabled' ? ['--persistence', 'disabled'] : ['--persistence', 'aof', '--appendfsync', p];
}

function redisArgs(p: Policy): string[] {
  return p === 'disabled' ? ['--appendonly', 'no'] : ['--appendonly', 'yes', '--appendfsync', p];
}

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-bench-persist-'));
}

async function info(h: ServerHandle, section: string): Promise<Map<string, string>> {
  const r = new Redis({ port: h.port, host: h.host, maxRetriesPerRequest: 1 });
  try {
    const text = (await r.info(section)) as string;
    return new Map(text.split('\r\n').filter((l) => l.includes(':')).map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1)] as [string, string]));
  } finally {
    r.disconnect();
  }
}

async function waitFor(cond: () => Promise<boolean>, what: string, ms = 600_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function throughput(ctx: BenchContext): Promise<string> {
  const o = ctx.options;
  const rows: string[][] = [];
  for (const pipeline of o.pipelines) {
    let base = 0;
    for (const p of POLICIES) {
      const dir = tempDir();
      const rps: number[] = [];
      try {
        for (const kind of ['tandem', 'redis'] as const) {
          const h = kind === 'tandem' ? await startTandem({ dir, args: [...tandemArgs(p), ...o.tandemArgs] }) : await startRedis({ dir, args: redisArgs(p) });
          try {
            ctx.progress(`persistence: SET -P ${pipeline} on ${kind} with ${p}`);
            const r = await redisBenchmark({ host: h.host, port: h.port, test: 'set', clients: o.clients, requests: o.requests, pipeline, keyspace: o.keyspace, dataSize: o.dataSize });
            rps.push(r.rps);
          } finally {
            await h.stop();
          }
        }
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
      const [t, r] = rps as [number, number];
      if (p === 'disabled') base = t;
      rows.push([p === 'disabled' ? 'persistence off' : `aof, appendfsync ${p}`, String(pipeline), int(t), ratio(t, base), int(r), ratio(t, r)]);
    }
  }
  return [
    `redis-benchmark -t set -c ${o.clients} -n ${o.requests} -r ${o.keyspace} -d ${o.dataSize}; fresh servers per row, data directory on ${os.tmpdir()}.`,
    '',
    table(['setting', 'pipeline', 'Tandem SET/s', 'vs Tandem off', 'redis SET/s (same setting)', 'Tandem/redis'], rows),
  ].join('\n');
}

async function restart(ctx: BenchContext): Promise<string> {
  const n = ctx.options.memoryKeys;
  const rows: string[][] = [];
  const dir = tempDir();
  const args = ['--persistence', 'aof', '--appendfsync', 'everysec', '--set', 'auto-aof-rewrite-percentage=0', ...ctx.options.tandemArgs];
  const execArgv = ['--max-old-space-size=4096'];
  try {
    let h = await startTandem({ dir, args, execArgv, readyTimeoutMs: 600_000 });
    ctx.progress(`persistence: loading ${n} keys`);
    await loadKeys({ host: h.host, port: h.port, keys: n });
    h.kill('SIGKILL');
    await h.exited;
    let t0 = performance.now();
    h = await startTandem({ dir, args, execArgv, readyTimeoutMs: 600_000 });
    let wall = performance.now() - t0;
    let i = await info(h, 'persistence');
    rows.push([`Tandem: replay the effect log (${n} records) after kill -9`, fixed(Number(i.get('tandem_recovery_ms')) / 1000, 2), fixed(wall / 1000, 2)]);
    const r = new Redis({ port: h.port, host: h.host });
    await r.bgrewriteaof();
    r.disconnect();
    await waitFor(async () => (await info(h, 'persistence')).get('aof_rewrite_in_progress') === '0', 'the snapshot');
    i = await info(h, 'persistence');
    const snapNote = `snapshot of ${i.get('tandem_snapshot_keys')} keys written in ${i.get('aof_last_rewrite_time_sec')} s with the event loop held at most ${i.get('tandem_snapshot_max_pause_ms')} ms at a time`;
    h.kill('SIGKILL');
    await h.exited;
    t0 = performance.now();
    h = await startTandem({ dir, args, execArgv, readyTimeoutMs: 600_000 });
    wall = performance.now() - t0;
    i = await info(h, 'persistence');
    rows.push([`Tandem: load the snapshot (${n} keys) after kill -9`, fixed(Number(i.get('tandem_recovery_ms')) / 1000, 2), fixed(wall / 1000, 2)]);
    const rc = new Redis({ port: h.port, host: h.host });
    const keys = await rc.dbsize();
    rc.disconnect();
    await h.stop();
    if (keys !== n) throw new Error(`restarted with ${keys} keys, expected ${n}`);
    // redis-server on its AOF (7.0: an RDB base written by BGREWRITEAOF, then the increments).
    const rdir = tempDir();
    try {
      const rargs = ['--appendonly', 'yes', '--appendfsync', 'everysec'];
      let rs = await startRedis({ dir: rdir, args: rargs, readyTimeoutMs: 600_000 });
      await loadKeys({ host: rs.host, port: rs.port, keys: n });
      rs.kill('SIGKILL');
      await rs.exited;
      t0 = performance.now();
      rs = await startRedis({ dir: rdir, args: rargs, readyTimeoutMs: 600_000 });
      await waitFor(async () => (await info(rs, 'persistence')).get('loading') === '0', 'redis loading');
      rows.push([`redis-server: load its AOF (${n} keys, base + increments) after kill -9`, '—', fixed((performance.now() - t0) / 1000, 2)]);
      await rs.stop();
    } finally {
      fs.rmSync(rdir, { recursive: true, force: true });
    }
    return [`Restart with ${int(n)} keys (SET key:NNNNNNN xxx), data directory on ${os.tmpdir()}; ${snapNote}.`, '', table(['restart', 'recovery s', 'until PING answers s'], rows)].join('\n');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export const persistenceSection: Section = {
  id: 'persistence',
  title: 'Persistence: fsync policies and restart time',
  async run(ctx: BenchContext): Promise<string> {
    return `${await throughput(ctx)}\n\n${await restart(ctx)}`;
  },
};
