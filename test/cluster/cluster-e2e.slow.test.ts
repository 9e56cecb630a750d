// Issue 6 "How it is shown": three `tandem node` processes, crdb-cli create with three
// --instance specs, writes on every instance converge, get/list/health-report, update
// --memory-size reaches every instance, add-instance of a fourth cluster receives the existing
// data, remove-instance, flush empties all, delete leaves no process, port or file behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { waitFor } from '../helpers/wait-for.js';
import { api, crdbCli, instanceOf, instanceSpec, portClosed, processesUnder, redis, startNode, stopAll, text } from './cluster-harness.js';
import type { TestNode } from './cluster-harness.js';

async function maxmemory(port: number): Promise<string | null> {
  const r = await redis(port, 'CONFIG', 'GET', 'maxmemory');
  return r.t === 'array' ? text(r.v[1]!) : null;
}

test('an Active-Active database through crdb-cli, from create to delete', { timeout: 240_000 }, async (t) => {
  const nodes: TestNode[] = await Promise.all([1, 2, 3].map((i) => startNode({ name: `c${i}.e2e.test` })));
  t.after(() => stopAll(nodes));
  const [n1, n2, n3] = nodes as [TestNode, TestNode, TestNode];

  // -- create
  const created = await crdbCli(n1, ['crdb', 'create', '--name', 'orders', '--memory-size', '100MB', ...nodes.flatMap((n) => ['--instance', instanceSpec(n)])]);
  assert.equal(created.code, 0, created.stderr + created.stdout);
  const m = /^Task (\S+) created\n {2}---> Status changed: queued -> started\n {2}---> CRDB GUID Assigned: crdb:(\S+)\n {2}---> Status changed: started -> finished\n$/.exec(created.stdout);
  assert.ok(m, `unexpected output:\n${created.stdout}`);
  const guid = m[2]!;
  const ports: number[] = [];
  for (const n of nodes) {
    const b = await instanceOf(n, guid);
    assert.ok(b, `no instance on ${n.name}`);
    assert.equal(b.status, 'active');
    ports.push(b.port);
  }
  assert.equal(new Set(ports).size, 3);

  // -- writes on every instance converge
  assert.equal(text(await redis(ports[0]!, 'SET', 'greeting', 'hello')), 'OK');
  await Promise.all(ports.map((p) => redis(p, 'INCR', 'visits')));
  await redis(ports[1]!, 'SADD', 'tags', 'a');
  await redis(ports[2]!, 'SADD', 'tags', 'b');
  for (const p of ports) {
    await waitFor(async () => text(await redis(p, 'GET', 'greeting')) === 'hello' && text(await redis(p, 'GET', 'visits')) === '3' && text(await redis(p, 'SCARD', 'tags')) === '2', {
      timeout: 15_000,
      message: `convergence on port ${p}`,
    });
  }

  // -- list, get, health-report
  const list = await crdbCli(n2, ['crdb', 'list']);
  assert.equal(list.code, 0, list.stderr);
  const rows = list.stdout.trim().split('\n');
  assert.match(rows[0]!, /^CRDB-GUID\s+NAME\s+REPL-ID\s+CLUSTER-FQDN$/);
  assert.deepEqual(
    rows.slice(1).map((r) => r.split(/\s+/)),
    nodes.map((n, i) => [guid, 'orders', String(i + 1), n.name]),
  );
  const got = await crdbCli(n3, ['crdb', 'get', '--crdb-guid', guid]);
  assert.equal(got.code, 0, got.stderr);
  assert.match(got.stdout, new RegExp(`^CRDB-GUID: ${guid}\nName: orders\n`));
  assert.match(got.stdout, /Default-DB-Config:\n {4}memory_size: 104857600\n/);
  for (const n of nodes) assert.match(got.stdout, new RegExp(`FQDN: ${n.name.replace(/\./g, '\\.')}\n {4}URL: ${n.url}`));
  await waitFor(
    async () => {
      const hr = await crdbCli(n1, ['crdb', 'health-report', '--crdb-guid', guid]);
      assert.equal(hr.code, 0, hr.stderr);
      const report = JSON.parse(hr.stdout) as { cluster_name: string; connection_error: unknown; connections: { status: string }[]; configurations: { status: string }[] }[];
      assert.deepEqual(report.map((r) => r.cluster_name), nodes.map((n) => n.name));
      for (const r of report) {
        assert.equal(r.connection_error, null);
        assert.equal(r.configurations[0]!.status, 'commit-completed');
        assert.equal(r.connections.length, 2);
      }
      return report.every((r) => r.connections.every((c) => c.status === 'ok'));
    },
    { timeout: 15_000, message: 'every replication connection ok in the health report' },
  );

  // -- update --memory-size reaches every instance
  const upd = await crdbCli(n2, ['crdb', 'update', '--crdb-guid', guid, '--memory-size', '200MB']);
  assert.equal(upd.code, 0, upd.stderr + upd.stdout);
  assert.match(upd.stdout, /---> Status changed: started -> finished/);
  for (const p of ports) assert.equal(await maxmemory(p), String(200 * 1024 * 1024));

  // -- add-instance: a fourth cluster receives the existing data
  const n4 = await startNode({ name: 'c4.e2e.test' });
  nodes.push(n4);
  const add = await crdbCli(n1, ['crdb', 'add-instance', '--crdb-guid', guid, '--instance', instanceSpec(n4)]);
  assert.equal(add.code, 0, add.stderr + add.stdout);
  const b4 = await instanceOf(n4, guid);
  assert.ok(b4);
  assert.equal(b4.crdt_replica_id, 4);
  assert.equal(await maxmemory(b4.port), String(200 * 1024 * 1024));
  await waitFor(async () => text(await redis(b4.port, 'GET', 'greeting')) === 'hello' && text(await redis(b4.port, 'GET', 'visits')) === '3', {
    timeout: 20_000,
    message: 'the new instance has the existing data',
  });
  await redis(b4.port, 'INCR', 'visits');
  for (const p of ports) await waitFor(async () => text(await redis(p, 'GET', 'visits')) === '4', { timeout: 20_000, message: `the new instance's write on port ${p}` });
  const list4 = await crdbCli(n1, ['crdb', 'list']);
  assert.equal(list4.stdout.trim().split('\n').length, 5);

  // -- remove-instance 2: deleted on its cluster, detached everywhere
  const rm = await crdbCli(n3, ['crdb', 'remove-instance', '--crdb-guid', guid, '--instance-id', '2']);
  assert.equal(rm.code, 0, rm.stderr + rm.stdout);
  assert.equal(await instanceOf(n2, guid), undefined);
  assert.deepEqual(await api(n2, 'GET', '/v1/crdbs'), []);
  assert.ok(await portClosed(ports[1]!));
  assert.deepEqual(processesUnder(path.join(n2.dir, 'bdbs')), []);
  const b1 = await instanceOf(n1, guid);
  assert.deepEqual(b1!.crdt_sources!.map((s) => s.uid), [3, 4]);
  const remaining = [ports[0]!, ports[2]!, b4.port];

  // -- flush empties every instance
  await redis(remaining[1]!, 'SET', 'late', 'x');
  await waitFor(async () => text(await redis(remaining[0]!, 'GET', 'late')) === 'x', { timeout: 10_000 });
  const fl = await crdbCli(n4, ['crdb', 'flush', '--crdb-guid', `crdb:${guid}`, '--no-wait']);
  assert.equal(fl.code, 0, fl.stderr + fl.stdout);
  const flushTask = /^Task (\S+) created\n$/.exec(fl.stdout)?.[1];
  assert.ok(flushTask, fl.stdout);
  await waitFor(async () => (await crdbCli(n4, ['task', 'status', '--task-id', flushTask])).stdout.includes('Status: finished\n'), { timeout: 20_000, message: 'the flush task' });
  for (const p of remaining) await waitFor(async () => text(await redis(p, 'DBSIZE')) === '0', { timeout: 10_000, message: `empty after flush on ${p}` });
  // Still Active-Active after the flush.
  await redis(remaining[2]!, 'SET', 'after', 'flush');
  for (const p of remaining) await waitFor(async () => text(await redis(p, 'GET', 'after')) === 'flush', { timeout: 10_000 });

  // -- task list shows what was done
  const tl = await crdbCli(n1, ['task', 'list']);
  assert.equal(tl.code, 0);
  for (const op of ['create_crdb', 'add_instances']) assert.match(tl.stdout, new RegExp(`${op}\\s+finished\\s+crdb_worker:1:0`));

  // -- delete leaves no process, port or file
  const del = await crdbCli(n1, ['crdb', 'delete', '--crdb-guid', guid]);
  assert.equal(del.code, 0, del.stderr + del.stdout);
  for (const n of nodes) {
    assert.deepEqual(await api(n, 'GET', '/v1/crdbs'), [], n.name);
    assert.deepEqual(await api(n, 'GET', '/v1/bdbs'), [], n.name);
    assert.deepEqual(processesUnder(path.join(n.dir, 'bdbs')), [], n.name);
    assert.deepEqual(readdirSync(path.join(n.dir, 'bdbs')), [], n.name);
  }
  for (const p of [...remaining, ports[1]!]) assert.ok(await portClosed(p), `port ${p} still open`);
  const gone = await crdbCli(n1, ['crdb', 'get', '--crdb-guid', guid]);
  assert.equal(gone.code, 1);
  assert.match(gone.stderr, /404 Not Found/);
});
