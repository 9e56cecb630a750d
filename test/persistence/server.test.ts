// Persistence through the data node: flags and config file, SAVE/BGSAVE/BGREWRITEAOF/LASTSAVE
// with Redis's replies, INFO persistence, CONFIG SET appendfsync, and the start refused on a
// damaged log (then --repair).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { Redis } from 'ioredis';
import { startTandem } from '../helpers/server-process.js';
import type { ServerHandle } from '../helpers/server-process.js';
import { waitFor } from '../helpers/wait-for.js';
import { logName, parseName } from '../../src/persistence/log-format.js';
import { REFERENCE_PERSISTENCE, dataNodeFlags } from '../../src/persistence/settings.js';
import { tempDir } from './helpers.js';

const cleanup: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const f of cleanup.reverse()) await f();
});

function dir(): string {
  const d = tempDir();
  cleanup.push(() => fs.rmSync(d, { recursive: true, force: true }));
  return d;
}

async function start(d: string, args: string[]): Promise<{ h: ServerHandle; r: Redis }> {
  const h = await startTandem({ dir: d, args });
  const r = new Redis({ port: h.port, host: '127.0.0.1', maxRetriesPerRequest: 0 });
  r.on('error', () => undefined);
  cleanup.push(() => r.disconnect(), () => h.stop());
  return { h, r };
}

function fields(text: string): Map<string, string> {
  return new Map(text.split('\r\n').filter((l) => l.includes(':')).map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1)] as [string, string]));
}

test('commands and INFO persistence with the effect log', async () => {
  const d = dir();
  const { r } = await start(d, ['--persistence', 'aof', '--appendfsync', 'always']);
  let info = fields((await r.info('persistence')) as string);
  assert.equal(info.get('aof_enabled'), '1');
  assert.equal(info.get('aof_last_write_status'), 'ok');
  assert.equal(info.get('rdb_bgsave_in_progress'), '0');
  assert.equal(info.get('tandem_appendfsync'), 'always');
  assert.deepEqual(await r.config('GET', 'appendonly'), ['appendonly', 'yes']);
  assert.deepEqual(await r.config('GET', 'persistence'), ['persistence', 'aof']);
  for (let i = 0; i < 100; i++) await r.set(`k${i}`, String(i));
  assert.equal(fields((await r.info('persistence')) as string).get('rdb_changes_since_last_save'), '100');
  const before = Number(await r.lastsave());
  assert.equal(await r.save(), 'OK');
  assert.ok(Number(await r.lastsave()) >= before);
  info = fields((await r.info('persistence')) as string);
  assert.equal(info.get('rdb_changes_since_last_save'), '0');
  assert.equal(info.get('rdb_last_bgsave_status'), 'ok');
  assert.equal(info.get('tandem_snapshot_keys'), '100');
  assert.equal(await r.bgrewriteaof(), 'Background append only file rewriting started');
  await waitFor(async () => fields((await r.info('persistence')) as string).get('aof_rewrite_in_progress') === '0', { message: 'the rewrite' });
  assert.equal(await r.bgsave(), 'Background saving started');
  await assert.rejects(r.call('BGSAVE', 'NOW'), (e: Error) => e.message === 'ERR syntax error');
  await assert.rejects(r.call('SAVE', 'x'), (e: Error) => e.message === "ERR wrong number of arguments for 'save' command");
  await waitFor(async () => fields((await r.info('persistence')) as string).get('rdb_bgsave_in_progress') === '0', { message: 'the save' });
  assert.equal(fields((await r.info('persistence')) as string).get('aof_rewrites'), '1');
  // CONFIG SET appendfsync switches the policy at run time; persistence is fixed at start.
  assert.equal(await r.config('SET', 'appendfsync', 'everysec'), 'OK');
  assert.equal(fields((await r.info('persistence')) as string).get('tandem_appendfsync'), 'everysec');
  await assert.rejects(r.config('SET', 'appendfsync', 'sometimes'), /argument\(s\) must be one of the following: always, everysec, no/);
  await assert.rejects(r.config('SET', 'persistence', 'disabled'), /can't set immutable config/);
  await r.set('after', 'switch');
  assert.equal(await r.get('after'), 'switch');
});

test('disabled persistence: the commands say so, INFO says nothing is persisted', async () => {
  const { r } = await start(dir(), []);
  await assert.rejects(r.bgsave(), /ERR persistence is disabled on this instance/);
  await assert.rejects(r.save(), /ERR persistence is disabled/);
  assert.equal(fields((await r.info('persistence')) as string).get('aof_enabled'), '0');
  assert.ok(Number(await r.lastsave()) > 1_600_000_000);
});

test('snapshot persistence from a config file: the state survives a clean restart and a crash after a save', async () => {
  const d = dir();
  const conf = path.join(d, 'tandem.conf');
  fs.writeFileSync(conf, 'persistence snapshot\nsave "3600 1"\n');
  let { h, r } = await start(d, ['--config', conf]);
  assert.equal(fields((await r.info('persistence')) as string).get('aof_enabled'), '0');
  await assert.rejects(r.bgrewriteaof(), /ERR the effect log is off/);
  await r.set('a', '1');
  await h.stop();
  ({ h, r } = await start(d, ['--config', conf]));
  assert.equal(await r.get('a'), '1', 'a clean stop saves a snapshot');
  await r.set('b', '2');
  assert.equal(await r.save(), 'OK');
  await r.set('c', 'lost');
  h.kill('SIGKILL');
  await h.exited;
  ({ h, r } = await start(d, ['--config', conf]));
  assert.equal(await r.get('b'), '2');
  assert.equal(await r.get('c'), null, 'writes after the last snapshot are lost in a crash without a peer');
  assert.ok(fs.readdirSync(d).every((n) => parseName(n)?.kind !== 'log'));
});

test('a damaged log refuses the start with a clear message; --repair starts', async () => {
  const d = dir();
  const args = ['--persistence', 'aof'];
  const { h, r } = await start(d, args);
  for (let i = 0; i < 200; i++) await r.set(`k${i}`, 'v'.repeat(20));
  await h.stop();
  const seg = path.join(d, logName(0));
  const buf = fs.readFileSync(seg);
  buf[Math.floor(buf.length / 2)] ^= 0xff;
  fs.writeFileSync(seg, buf);
  await assert.rejects(startTandem({ dir: d, args, readyTimeoutMs: 10_000 }), /appendonly-0\.tlog in .* is damaged: .*Start with --repair/s);
  const { h: h2, r: r2 } = await start(d, [...args, '--repair']);
  const n = Number(await r2.dbsize());
  assert.ok(n > 50 && n < 200, `${n} keys before the damage`);
  assert.match(h2.output(), /--repair cuts the log there/);
});

test('the reference settings map onto the data-node flags', () => {
  assert.deepEqual(dataNodeFlags('aofAlways'), ['--persistence', 'aof', '--appendfsync', 'always']);
  assert.deepEqual(dataNodeFlags('aofEverySecond'), ['--persistence', 'aof', '--appendfsync', 'everysec']);
  assert.deepEqual(dataNodeFlags('snapshotEvery6Hour'), ['--persistence', 'snapshot', '--set', 'save=21600 1']);
  assert.deepEqual(dataNodeFlags('disabled'), ['--persistence', 'disabled']);
  assert.equal(Object.keys(REFERENCE_PERSISTENCE).length, 6);
});
