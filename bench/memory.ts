// Memory per key: the same number of small string keys (key:0000001 -> "xxx") loaded into each
// server; reports INFO memory used_memory and the process RSS (/proc/<pid>/status VmRSS), both
// as the growth over the empty server divided by the number of keys. Memory per element: the
// same for one set and one sorted set of many members (collectionMemorySection).
import { readFileSync } from 'node:fs';
import type { ServerHandle } from '../test/helpers/server-process.js';
import { defaultKey, loadKeys, sendPipelined } from './load-keys.js';
import { int, mb, ratio, table } from './markdown.js';
import type { BenchContext, Section } from './section.js';

interface MemorySample {
  usedMemory: number;
  rss: number;
}

export function rssBytes(pid: number): number {
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** One field of INFO (NaN when the server does not report it). */
export async function infoField(server: ServerHandle, section: string, field: string): Promise<number> {
  const c = await server.connect();
  try {
    const r = await c.call('INFO', section);
    if (r.t !== 'bulk') return NaN;
    const m = new RegExp(`^${field}:(\\d+)\\r?$`, 'm').exec(r.v.toString('latin1'));
    return m ? Number(m[1]) : NaN;
  } finally {
    await c.close();
  }
}

async function sample(server: ServerHandle): Promise<MemorySample> {
  return { usedMemory: await infoField(server, 'memory', 'used_memory'), rss: rssBytes(server.pid) };
}

/** An integer reply (DBSIZE, SCARD key …). */
async function integerReply(server: ServerHandle, ...argv: string[]): Promise<bigint> {
  const c = await server.connect();
  try {
    const r = await c.call(...argv);
    if (r.t !== 'integer') throw new Error(`${argv[0]} answered ${r.t}`);
    return r.v;
  } finally {
    await c.close();
  }
}

export const memorySection: Section = {
  id: 'memory',
  title: 'Memory per key',
  async run(ctx: BenchContext): Promise<string> {
    const n = ctx.options.memoryKeys;
    const pair = await ctx.startPair();
    const rows: string[][] = [];
    const perKey: { used: number; rss: number }[] = [];
    try {
      for (const [label, server] of [[ctx.targetLabel, pair.target], ['redis', pair.redis]] as const) {
        const before = await sample(server);
        ctx.progress(`loading ${n} keys into ${label}`);
        const t0 = Date.now();
        await loadKeys({ host: server.host, port: server.port, keys: n });
        const secs = (Date.now() - t0) / 1000;
        const size = await integerReply(server, 'DBSIZE');
        if (size !== BigInt(n)) throw new Error(`${label}: DBSIZE ${size} after loading ${n} keys`);
        const after = await sample(server);
        const used = (after.usedMemory - before.usedMemory) / n;
        const rss = (after.rss - before.rss) / n;
        perKey.push({ used, rss });
        rows.push([label, int(n), mb(after.usedMemory), int(used), mb(after.rss), int(rss), int(n / secs)]);
      }
    } finally {
      await pair.stop();
    }
    const [t, r] = perKey as [{ used: number; rss: number }, { used: number; rss: number }];
    rows.push([`${ctx.targetLabel}/redis`, '', '', ratio(t.used, r.used), '', ratio(t.rss, r.rss), '']);
    return [
      `${int(n)} keys ${defaultKey(1)} … ${defaultKey(n)}, value "xxx", loaded with pipelined SETs (batches of 10,000) on one connection. ` +
        'Per-key figures are growth over the empty server divided by the number of keys.',
      '',
      table(['server', 'keys', 'used_memory MB', 'used_memory B/key', 'RSS MB', 'RSS B/key', 'load SET/s'], rows),
    ].join('\n');
  },
};

/** Members per SADD / ZADD command when loading a collection. */
const MEMBERS_PER_COMMAND = 100;

export function memberName(i: number): string {
  return `member:${String(i).padStart(7, '0')}`;
}

interface CollectionKind {
  readonly type: string;
  readonly key: string;
  readonly add: string;
  /** Arguments that add member i (1-based). */
  readonly args: (i: number) => string[];
  readonly card: string;
}

const COLLECTIONS: readonly CollectionKind[] = [
  { type: 'set', key: 'bench:set', add: 'SADD', args: (i) => [memberName(i)], card: 'SCARD' },
  { type: 'sorted set', key: 'bench:zset', add: 'ZADD', args: (i) => [String(i), memberName(i)], card: 'ZCARD' },
];

export const collectionMemorySection: Section = {
  id: 'collections-memory',
  title: 'Collections: memory per element',
  async run(ctx: BenchContext): Promise<string> {
    const n = ctx.options.memoryKeys;
    const rows: string[][] = [];
    for (const kind of COLLECTIONS) {
      // A fresh pair per type: the set's garbage does not count against the sorted set.
      const pair = await ctx.startPair();
      const per: { used: number; rss: number }[] = [];
      try {
        for (const [label, server] of [[ctx.targetLabel, pair.target], ['redis', pair.redis]] as const) {
          const before = await sample(server);
          ctx.progress(`loading a ${n}-member ${kind.type} into ${label}`);
          const t0 = Date.now();
          await sendPipelined({
            host: server.host,
            port: server.port,
            commands: Math.ceil(n / MEMBERS_PER_COMMAND),
            batch: 100,
            commandOf: (c) => {
              const argv = [kind.add, kind.key];
              for (let i = c * MEMBERS_PER_COMMAND + 1; i <= Math.min(n, (c + 1) * MEMBERS_PER_COMMAND); i++) argv.push(...kind.args(i));
              return argv;
            },
            accept: (r) => r.t === 'integer',
          });
          const secs = (Date.now() - t0) / 1000;
          const card = await integerReply(server, kind.card, kind.key);
          if (card !== BigInt(n)) throw new Error(`${label}: ${kind.card} ${card} after loading ${n} members`);
          const after = await sample(server);
          const used = (after.usedMemory - before.usedMemory) / n;
          const rss = (after.rss - before.rss) / n;
          per.push({ used, rss });
          rows.push([kind.type, label, int(n), mb(after.usedMemory), int(used), mb(after.rss), int(rss), int(n / secs)]);
        }
      } finally {
        await pair.stop();
      }
      const [t, r] = per as [{ used: number; rss: number }, { used: number; rss: number }];
      rows.push([kind.type, `${ctx.targetLabel}/redis`, '', '', ratio(t.used, r.used), '', ratio(t.rss, r.rss), '']);
    }
    return [
      `One key holding ${int(n)} members ${memberName(1)} … ${memberName(n)} (sorted set: score i for member i), loaded with ` +
        `pipelined SADD / ZADD of ${MEMBERS_PER_COMMAND} members each (batches of 100 commands) on one connection; ` +
        'fresh servers per type. Per-element figures are growth over the empty server divided by the number of members.',
      '',
      table(['type', 'server', 'members', 'used_memory MB', 'used_memory B/elem', 'RSS MB', 'RSS B/elem', 'load members/s'], rows),
    ].join('\n');
  },
};
