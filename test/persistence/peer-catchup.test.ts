// A crash that loses writes locally (appendfsync everysec, the OS lost the tail of the log):
// what had reached the peer comes back through catch-up, writes wait until it has (LOADING),
// and no sequence number is reused — new writes after the restart reach the peer.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { Redis } from 'ioredis';
import { freePort } from '../helpers/free-port.js';
import type { ServerHandle } from '../helpers/server-process.js';
import { startTandem } from '../helpers/server-process.js';
import { waitFor } from '../helpers/wait-for.js';
import { logName } from '../../src/persistence/log-format.js';
import { scanRecords } from '../../src/persistence/records.js';
import { tempDir } from './helpers.js';

const cleanup: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const f of cleanup.reverse()) await f();
});

function redis(port: number): Redis {
  const r = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 1, retryStrategy: () => 50 });
  r.on('error', () => undefined);
  cleanup.push(() => r.disconnect());
  return r;
}

async function info(r: Redis, section: string): Promise<Map<string, string>> {
  const text = (await r.info(section)) as string;
  return new Map(text.split('\r\n').filter((l) => l.includes(':')).map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1)] as [string, string]));
}

test('everysec: writes lost locally but held by the peer come back; numbering never repeats', async () => {
  const guid = `persist-${process.pid}`;
  const [pa, pb] = [await freePort(), await freePort()];
  const dirA = tempDir('tandem-peer-a-');
  cleanup.push(() => fs.rmSync(dirA, { recursive: true, force: true }));
  const argsA = ['--crdb-guid', guid, '--peer', `2@127.0.0.1:${pb}`, '--persistence', 'aof', '--appendfsync', 'everysec'];
  const startA = () => startTandem({ port: pa, instanceId: 1, dir: dirA, args: argsA });
  let a: ServerHandle = await startA();
  const b = await startTandem({ port: pb, instanceId: 2, args: ['--crdb-guid', guid, '--peer', `1@127.0.0.1:${pa}`] });
  cleanup.push(() => b.stop(), () => a.stop());
  let ra = redis(pa);
  const rb = redis(pb);
  // A new instance takes writes once it reached every peer.
  await waitFor(async () => (await info(ra, 'persistence')).get('tandem_writes_held_for_peers') === '0', { timeout: 15_000, message: 'the first sync' });
  for (let i = 0; i < 300; i++) await ra.set(`a:${i}`, String(i));
  await ra.incrby('n', 5);
  await rb.set('from-b', 'x');
  assert.equal(await ra.call('TANDEM.SYNC', 'WAIT', '10000'), 'OK');
  const seqBefore = Number((await info(ra, 'persistence')).get('tandem_seq_reserved'));
  assert.ok(seqBefore >= 301);

  // Crash, and lose the last two thirds of the log, as an OS crash before an fsync could.
  a.kill('SIGKILL');
  await a.exited;
  ra.disconnect();
  const seg = path.join(dirA, logName(0));
  const recs = scanRecords(fs.readFileSync(seg)).records;
  fs.truncateSync(seg, recs[Math.floor(recs.length / 3)]!.offset + 5);
  // The peer is paused, so the restarted instance cannot catch up yet.
  await rb.call('TANDEM.SYNC', 'PAUSE');
  a = await startA();
  ra = redis(pa);
  const held = await ra.set('early', '1').then(
    () => 'accepted',
    (e: Error) => e.message,
  );
  assert.match(held, /^LOADING Tandem is recovering from its peers the writes it lost/);
  assert.equal((await info(ra, 'persistence')).get('tandem_writes_held_for_peers'), '1');
  assert.ok(Number(await ra.dbsize()) < 300, 'part of the state was lost locally');
  assert.match(a.output(), /torn record/);

  await rb.call('TANDEM.SYNC', 'RESUME');
  await waitFor(async () => (await info(ra, 'persistence')).get('tandem_writes_held_for_peers') === '0', { timeout: 15_000, message: 'catch-up' });
  // Everything that had reached the peer is back.
  for (let i = 0; i < 300; i++) assert.equal(await ra.get(`a:${i}`), String(i), `a:${i} did not come back`);
  assert.equal(await ra.get('n'), '5');
  assert.equal(await ra.get('from-b'), 'x');
  // New writes get new sequence numbers: the peer applies them (a reused number would be
  // filtered there as already seen).
  for (let i = 0; i < 20; i++) await ra.set(`new:${i}`, String(i));
  assert.equal(await ra.call('TANDEM.SYNC', 'WAIT', '10000'), 'OK');
  for (let i = 0; i < 20; i++) assert.equal(await rb.get(`new:${i}`), String(i));
  assert.equal(await rb.dbsize(), await ra.dbsize());
});
