// Differential test: the same seeded random command sequence goes to Tandem and to a real
// redis-server, and every reply must be identical (wire type and bytes, errors included).
//
// How the servers run:
// - reference: redis-server 7 started by this test with persistence off and `databases 1`
//   (Tandem has database 0 only, so SELECT/COPY … DB with another index fail on both sides);
// - target: Tandem's data node as a standalone single instance
//   (`tandem server --port … --bind 127.0.0.1 --dir <tmp>`), fresh and empty. FLUSHALL/FLUSHDB
//   are never sent (Tandem refuses them on Active-Active databases); both servers start empty.
//
// Environment:
//   DIFF_SEED=<n>        replay a sequence (the seed is printed, and quoted on failure)
//   DIFF_COMMANDS=<n>    number of commands (default 10000)
//   DIFF_FAMILIES=a,b    restrict to some command families (keys, strings, connection …)
//   DIFF_TARGET=redis    (or E2E_TARGET=redis) compare redis-server with a second redis-server:
//                        the test of the test, which must always pass
//   DIFF_TAMPER=<index>  alter the target's reply at that index: the run must fail there
//   DIFF_RESP=3          both connections switch to RESP3 (HELLO 3) before the run
//
// What is not compared byte for byte (see diff/step.ts): SCAN is compared as the set of keys a
// full iteration returns (cursors differ); KEYS as a multiset; RANDOMKEY exactly only with 0 or 1
// keys; TTL/PTTL/EXPIRETIME/PEXPIRETIME/OBJECT IDLETIME within a tolerance; OBJECT REFCOUNT by
// reply type. Expiry times are generated so that no key expires during a run and no comparison
// of two expiry times depends on timing (diff/context.ts).
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { RawClient } from '../helpers/raw-client.js';
import { type RedisOptions, type ServerHandle, redisSkipReason, startRedis } from '../helpers/server-process.js';
import { e2eTarget, startTarget, targetSkipReason } from '../helpers/targets.js';
import { ALL_FAMILIES, selectFamilies } from './diff/families/index.js';
import { DiffMismatch, formatStats, runDifferential } from './diff/runner.js';
import type { Side } from './diff/step.js';

const REFERENCE: RedisOptions = { databases: 1 };

function envInt(name: string, fallback: number): number {
  const v = process.env[name];
  if (v === undefined || v === '') return fallback;
  if (!/^\d+$/.test(v)) throw new Error(`${name} must be a non-negative integer, not ${JSON.stringify(v)}`);
  return Number(v);
}

const target = e2eTarget();
const seed = envInt('DIFF_SEED', randomInt(0, 2 ** 31)) >>> 0;
const commands = envInt('DIFF_COMMANDS', 10_000);
const families = selectFamilies(process.env.DIFF_FAMILIES);
const tamperAt = process.env.DIFF_TAMPER ? envInt('DIFF_TAMPER', 0) : undefined;
const resp = envInt('DIFF_RESP', 2);

function side(name: string, client: RawClient): Side {
  return { name, call: (args) => client.callArgs(args) };
}

function replayHint(index: number): string {
  const n = Math.min(index + 1, commands);
  const env = [`DIFF_SEED=${seed}`, `DIFF_COMMANDS=${n}`];
  if (target === 'redis') env.push('DIFF_TARGET=redis');
  if (process.env.DIFF_FAMILIES) env.push(`DIFF_FAMILIES=${process.env.DIFF_FAMILIES}`);
  if (resp === 3) env.push('DIFF_RESP=3');
  return `replay: npx tsc -p . && ${env.join(' ')} node --test dist/test/e2e/differential.slow.test.js`;
}

async function startPair(targetKind: 'tandem' | 'redis', targetRedis: RedisOptions = REFERENCE): Promise<[ServerHandle, ServerHandle]> {
  const started = await Promise.allSettled([startRedis(REFERENCE), startTarget(targetKind, { redis: targetRedis })]);
  const ok = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = started.find((s) => s.status === 'rejected');
  if (failed) {
    await Promise.all(ok.map((s) => s.stop()));
    throw failed.reason;
  }
  return [ok[0]!, ok[1]!];
}

describe(`differential: ${target} vs redis-server`, { skip: redisSkipReason() || targetSkipReason(target) }, () => {
  let servers: ServerHandle[] = [];
  let clients: RawClient[] = [];

  before(async () => {
    servers = await startPair(target);
    clients = await Promise.all(servers.map((s) => s.connect()));
    // HELLO's reply names the server and its version, so it is not compared.
    if (resp === 3) await Promise.all(clients.map((c) => c.ok('HELLO', '3')));
  });

  after(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await Promise.all(servers.map((s) => s.stop()));
  });

  test(`${commands} seeded commands (seed ${seed}) give identical replies`, { timeout: 15 * 60_000 }, async (t) => {
    t.diagnostic(`seed ${seed}; families ${families.map((f) => f.name).join(',')}; target ${target}; RESP${resp}`);
    try {
      const stats = await runDifferential({
        seed,
        commands,
        families,
        ref: side('redis', clients[0]!),
        target: side(target === 'redis' ? 'redis-2' : 'tandem', clients[1]!),
        tamperAt,
        replayHint,
      });
      for (const line of formatStats(stats).split('\n')) t.diagnostic(line);
    } catch (e) {
      if (e instanceof Error) {
        const out = servers[1]!.output();
        e.message += `\n--- ${target} output (tail) ---\n${out.slice(-3000) || '(none)'}`;
      }
      throw e;
    }
  });
});

describe('differential self-check: the comparison does fail when servers differ', { skip: redisSkipReason() }, () => {
  test('an altered reply is reported with seed, index, command, both replies and history', async () => {
    const [ref, tgt] = await startPair('redis');
    const [a, b] = await Promise.all([ref.connect(), tgt.connect()]);
    try {
      const run = runDifferential({ seed: 7, commands: 400, families: ALL_FAMILIES, ref: side('redis', a), target: side('redis-2', b), tamperAt: 250 });
      await assert.rejects(run, (e: unknown) => {
        assert.ok(e instanceof DiffMismatch, String(e));
        assert.equal(e.index, 250);
        assert.match(e.message, /seed: +7/);
        assert.match(e.message, /index: +250/);
        assert.match(e.message, /redis +: /);
        assert.match(e.message, /redis-2: /);
        assert.match(e.message, /last 20 commands/);
        return true;
      });
    } finally {
      await Promise.all([a.close(), b.close()]);
      await Promise.all([ref.stop(), tgt.stop()]);
    }
  });

  test('a redis-server with another configuration (LFU eviction policy) is caught', async () => {
    const [ref, tgt] = await startPair('redis', { ...REFERENCE, args: ['--maxmemory-policy', 'allkeys-lfu'] });
    const [a, b] = await Promise.all([ref.connect(), tgt.connect()]);
    try {
      // OBJECT FREQ / IDLETIME answer differently under an LFU policy.
      const run = runDifferential({ seed: 11, commands: 5000, families: ALL_FAMILIES, ref: side('redis', a), target: side('redis-lfu', b) });
      await assert.rejects(run, (e: unknown) => {
        assert.ok(e instanceof DiffMismatch, String(e));
        assert.equal(String(e.step.args[0]).toUpperCase(), 'OBJECT', e.message);
        return true;
      });
    } finally {
      await Promise.all([a.close(), b.close()]);
      await Promise.all([ref.stop(), tgt.stop()]);
    }
  });
});
