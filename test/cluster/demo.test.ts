// `npm start` runs `tandem demo` (after building): three local cluster nodes and one
// Active-Active database. Start it, use the printed endpoints (write here, read there,
// concurrent INCRs add up), stop it with SIGINT, and check that no process remains.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from '../helpers/wait-for.js';
import { TANDEM, portClosed, processesUnder, redis, tempDir, text } from './cluster-harness.js';

test('npm start script runs tandem demo', () => {
  const pkg = JSON.parse(readFileSync(fileURLToPath(new URL('../../../package.json', import.meta.url)), 'utf8')) as { scripts: Record<string, string>; bin: Record<string, string> };
  assert.match(pkg.scripts.start!, /node dist\/src\/cli\/tandem\.js demo$/);
  assert.equal(pkg.bin['crdb-cli'], 'dist/src/cli/crdb-cli.js');
});

test('tandem demo: three clusters, one Active-Active database, Ctrl-C leaves nothing running', { timeout: 180_000 }, async (t) => {
  const dir = path.join(tempDir('demo'), 'data');
  const base = 30000 + Math.floor(Math.random() * 300) * 100;
  const proc = spawn(process.execPath, [TANDEM, 'demo', '--dir', dir, '--db-port', String(base)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  proc.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  t.after(() => proc.kill('SIGKILL'));
  let ended = false;
  void exited.then(() => (ended = true));
  await waitFor(
    () => {
      if (ended) throw new Error(`demo exited:\n${out}`);
      return out.includes('Press Ctrl-C to stop everything.');
    },
    { timeout: 120_000, message: 'the demo to be ready' },
  ).catch((e: Error) => assert.fail(`${e.message}\n${out}`));

  // Progress was visible, and the data directory is named.
  assert.match(out, new RegExp(`Data directory: ${dir}`));
  for (let n = 1; n <= 3; n++) assert.match(out, new RegExp(`Starting cluster node ${n}/3 \\(cluster-${n}\\.tandem\\.local\\)\\.\\.\\. REST API on http://127\\.0\\.0\\.1:\\d+`));
  assert.match(out, /Task \S+ created\n {2}---> Status changed: queued -> started\n {2}---> CRDB GUID Assigned: crdb:\S+/);
  const ports = [...out.matchAll(/cluster-\d\.tandem\.local: {2}redis-cli -p (\d+)/g)].map((m) => Number(m[1]));
  assert.deepEqual(ports, [base, base + 10, base + 20]);
  assert.match(out, /1\. Write on cluster 1: .*\n {2}2\. Read on cluster 2: .*\n {2}3\. Concurrent INCRs add up: /);

  // The walkthrough works.
  assert.equal(text(await redis(ports[0]!, 'SET', 'greeting', 'hello')), 'OK');
  await waitFor(async () => text(await redis(ports[1]!, 'GET', 'greeting')) === 'hello', { timeout: 15_000, message: 'the write on cluster 1 read on cluster 2' });
  await Promise.all([redis(ports[0]!, 'INCR', 'visits'), redis(ports[2]!, 'INCR', 'visits')]);
  await waitFor(async () => text(await redis(ports[1]!, 'GET', 'visits')) === '2', { timeout: 15_000, message: 'concurrent INCRs add up' });

  // Ctrl-C stops everything.
  assert.ok(processesUnder(dir).length >= 6, 'three nodes and three databases run');
  proc.kill('SIGINT');
  assert.equal(await exited, 0, out);
  assert.match(out, /Stopped\. The demo data stays in /);
  assert.deepEqual(processesUnder(dir), []);
  for (const p of ports) assert.ok(await portClosed(p), `port ${p} still open`);
});
