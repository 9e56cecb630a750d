// Replication links between real processes: authentication and refusals (each with a log line
// and INFO status), peers added at run time, and replication settings from the config file.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { freePort } from '../helpers/free-port.js';
import type { ServerHandle } from '../helpers/server-process.js';
import { startTandem } from '../helpers/server-process.js';
import { waitFor } from '../helpers/wait-for.js';
import { clusterSkipReason } from './aa-cluster.js';

const skip = clusterSkipReason();

async function infoCrdt(r: Redis): Promise<string> {
  return (await r.call('INFO', 'crdt')) as string;
}

async function pair(a: string[], b: string[], passwords: [string?, string?] = []): Promise<[ServerHandle, ServerHandle, Redis, Redis]> {
  const pa = await freePort();
  let pb = await freePort();
  while (pb === pa) pb = await freePort();
  const [sa, sb] = await Promise.all([
    startTandem({ port: pa, instanceId: 1, args: ['--peer', `2@127.0.0.1:${pb}`, ...a] }),
    startTandem({ port: pb, instanceId: 2, args: ['--peer', `1@127.0.0.1:${pa}`, ...b] }),
  ]);
  return [sa, sb, new Redis({ port: pa, password: passwords[0] }), new Redis({ port: pb, password: passwords[1] })];
}

async function stopAll(...x: (ServerHandle | Redis)[]): Promise<void> {
  for (const h of x) if (h instanceof Redis) h.disconnect();
  await Promise.all(x.filter((h): h is ServerHandle => !(h instanceof Redis)).map((h) => h.stop()));
}

describe('replication links (real processes)', { skip, timeout: 60_000 }, () => {
  test('a wrong CRDB GUID is refused, logged and shown in INFO', async () => {
    const [sa, sb, ra, rb] = await pair(['--crdb-guid', 'db-one'], ['--crdb-guid', 'db-two']);
    try {
      await waitFor(async () => /crdt_refused_links:[1-9]/.test(await infoCrdt(ra)), { timeout: 10_000, message: 'a refusal at instance 1' });
      assert.match(await infoCrdt(ra), /crdt_last_refusal:wrong CRDB GUID 'db-two'/);
      // Instance 2 redials with backoff: between attempts (not during a handshake) it shows this.
      const backingOff = /crdt_peer_1:.*link=backoff.*last_error=refused by instance 1: wrong CRDB GUID/;
      await waitFor(async () => backingOff.test(await infoCrdt(rb)), { timeout: 10_000, message: 'instance 2 backing off with the refusal as its last error' });
      await waitFor(() => /Refused replication link from instance 2: wrong CRDB GUID/.test(sa.output()), { message: 'the log line' });
    } finally {
      await stopAll(ra, rb, sa, sb);
    }
  });

  test('links authenticate with the password, or crdt-repl-secret when set', async () => {
    const [sa, sb, ra, rb] = await pair(['--crdb-guid', 'g', '--requirepass', 'pw'], ['--crdb-guid', 'g', '--requirepass', 'other'], ['pw', 'other']);
    try {
      await waitFor(async () => /last_error=refused by instance 2: invalid replication secret/.test(await infoCrdt(ra)), { timeout: 10_000, message: 'an auth refusal' });
      // A shared replication secret lets the two databases' links in despite different passwords.
      await ra.config('SET', 'crdt-repl-secret', 'shared');
      await rb.config('SET', 'crdt-repl-secret', 'shared');
      await ra.set('k', 'v');
      await waitFor(async () => (await rb.get('k')) === 'v', { timeout: 10_000, message: 'replication once the secrets match' });
    } finally {
      await stopAll(ra, rb, sa, sb);
    }
  });

  test('TANDEM.PEER ADD connects a peer at run time; config-file settings apply', async () => {
    const pa = await freePort();
    let pb = await freePort();
    while (pb === pa) pb = await freePort();
    const sa = await startTandem({ port: pa, instanceId: 1, args: ['--crdb-guid', 'g', '--set', 'crdt-compression-level=6'] });
    const dir = sa.dir;
    const conf = path.join(dir, 'b.conf');
    writeFileSync(conf, `crdb-guid g\ncrdt-causal-consistency yes\npeer 1@127.0.0.1:${pa}\n`);
    const sb = await startTandem({ port: pb, instanceId: 2, config: conf });
    const ra = new Redis({ port: pa });
    const rb = new Redis({ port: pb });
    try {
      assert.deepEqual(await ra.call('TANDEM.PEER', 'LIST'), []);
      assert.match(await infoCrdt(rb), /crdt_causal_consistency:yes/);
      await ra.set('big', 'x'.repeat(5000));
      assert.equal(await ra.call('TANDEM.PEER', 'ADD', '2', '127.0.0.1', String(pb)), 'OK');
      assert.deepEqual(await ra.call('TANDEM.PEER', 'LIST'), [`2@127.0.0.1:${pb}`]);
      assert.equal(await ra.call('TANDEM.SYNC', 'WAIT', '10000'), 'OK');
      assert.equal(await rb.strlen('big'), 5000);
      await rb.incrby('n', 2);
      assert.equal(await rb.call('TANDEM.SYNC', 'WAIT', '10000'), 'OK');
      assert.equal(await ra.get('n'), '2');
      assert.equal(await ra.call('TANDEM.PEER', 'REMOVE', '2'), 'OK');
      assert.match(String(await ra.call('TANDEM.SYNC', 'STATUS').catch((e: Error) => e.message)), /peers=0/);
    } finally {
      await stopAll(ra, rb, sb, sa);
    }
  });
});
