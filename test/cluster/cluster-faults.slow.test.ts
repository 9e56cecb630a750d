// Faults of the management plane (issue 6): duplicate names; an unreachable participant during
// create (the task fails naming it, nothing is left on the others); a task cancelled while it
// runs and a node killed during a task and restarted (both end failed, what they made is
// removed); a database process killed (restarted, its state reported, its data back from the
// peers); an instance removed with --force and purged on its own cluster; clusters on HTTPS that
// must trust each other (--peer-ca).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { apiRequest } from '../../src/cluster/http-client.js';
import { freePort } from '../helpers/free-port.js';
import { waitFor } from '../helpers/wait-for.js';
import { PASSWORD, USER, api, crdbCli, finished, instanceBody, instanceOf, instanceSpec, portClosed, processesUnder, redis, rejects, startNode, stopAll, text } from './cluster-harness.js';
import type { BdbView, TaskView } from './cluster-harness.js';

test('duplicate names and an unreachable participant: the task fails naming it, nothing is left', { timeout: 120_000 }, async (t) => {
  const n1 = await startNode({ name: 'a.faults.test' });
  const n2 = await startNode({ name: 'b.faults.test' });
  t.after(() => stopAll([n1, n2]));

  const task = await api<TaskView>(n1, 'POST', '/v1/crdbs', { name: 'dup', default_db_config: { memory_size: 1 << 26 }, instances: [instanceBody(n1), instanceBody(n2)] });
  assert.equal((await finished(n1, task)).status, 'finished');
  // Same name again on the coordinator: refused before any task.
  await rejects(api(n1, 'POST', '/v1/crdbs', { name: 'dup', instances: [instanceBody(n1), instanceBody(n2)] }), 409, 'name_in_use');
  const dupCli = await crdbCli(n1, ['crdb', 'create', '--name', 'dup', '--memory-size', '64MB', '--instance', instanceSpec(n1), '--instance', instanceSpec(n2)]);
  assert.equal(dupCli.code, 1);
  assert.match(dupCli.stderr, /409.*already exists/);

  // The name is taken on a participant only: the task fails naming it and rolls back.
  await api(n2, 'POST', '/v1/bdbs', { name: 'taken' });
  const t2 = await finished(n1, await api<TaskView>(n1, 'POST', '/v1/crdbs', { name: 'taken', instances: [instanceBody(n1), instanceBody(n2)] }));
  assert.equal(t2.status, 'failed');
  assert.equal(t2.errors[0]!.cluster_name, 'b.faults.test');
  assert.equal(t2.errors[0]!.error_code, 'name_in_use');
  assert.equal((await api<BdbView[]>(n1, 'GET', '/v1/bdbs')).filter((b) => b.name === 'taken').length, 0);
  assert.equal((await api<BdbView[]>(n2, 'GET', '/v1/bdbs')).filter((b) => b.name === 'taken').length, 1, 'the plain database on b stays');

  // An unreachable participant (nothing listens on its port).
  const deadPort = await freePort();
  const dead = `fqdn=c.faults.test,url=http://127.0.0.1:${deadPort},username=${USER},password=${PASSWORD}`;
  const before1 = (await api<BdbView[]>(n1, 'GET', '/v1/bdbs')).length;
  const before2 = (await api<BdbView[]>(n2, 'GET', '/v1/bdbs')).length;
  const r = await crdbCli(n1, ['crdb', 'create', '--name', 'lost', '--memory-size', '64MB', '--instance', instanceSpec(n1), '--instance', instanceSpec(n2), '--instance', dead]);
  assert.equal(r.code, 1, r.stdout);
  assert.match(r.stdout, /---> Status changed: started -> failed/);
  assert.match(r.stderr, /ERROR: c\.faults\.test: cluster is unreachable: .*ECONNREFUSED.*\(cluster_unreachable\)/);
  for (const [n, before] of [[n1, before1], [n2, before2]] as const) {
    const bdbs = await api<BdbView[]>(n, 'GET', '/v1/bdbs');
    assert.equal(bdbs.length, before, `${n.name} kept an instance`);
    assert.ok(!bdbs.some((b) => b.name === 'lost'));
    assert.ok(!(await api<{ name: string }[]>(n, 'GET', '/v1/crdbs')).some((c) => c.name === 'lost'));
  }
  const failedTask = /Task (\S+) created/.exec(r.stdout)![1]!;
  const status = await crdbCli(n1, ['task', 'status', '--task-id', failedTask, '--verbose']);
  assert.match(status.stdout, /Status: failed\n/);
  assert.match(status.stdout, /Progress: a\.faults\.test: rolled back/);

  // X-Task-ID and X-Result-TTL.
  const own = await apiRequest<TaskView>(n1.target, 'PUT', `/v1/crdbs/${task.crdb_guid}/flush`, undefined, { 'X-Task-ID': 'my-flush-1', 'X-Result-TTL': '60' });
  assert.equal(own.body.id, 'my-flush-1');
  assert.equal(own.headers['x-task-id'], 'my-flush-1');
  assert.equal((await finished(n1, own.body)).status, 'finished');
  await rejects(apiRequest(n1.target, 'PUT', `/v1/crdbs/${task.crdb_guid}/flush`, undefined, { 'X-Task-ID': 'my-flush-1' }), 409, 'task_exists');
  await rejects(api(n1, 'POST', '/v1/crdb_tasks/my-flush-1/actions/cancel'), 406, 'task_not_cancellable');
});

test('a task cancelled while it runs, and a node killed during a task and restarted: both end failed, what they made is removed', { timeout: 150_000 }, async (t) => {
  // A participant that never finishes creating its instance (its PUT gets no answer) keeps a
  // create in its first phase; it answers the rollback's DELETE at once.
  const pending = new Set<http.ServerResponse>();
  let deletes = 0;
  const slow = http.createServer((req, res) => {
    req.resume();
    if (req.method === 'DELETE') {
      deletes++;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      return;
    }
    pending.add(res);
  });
  await new Promise<void>((r) => slow.listen(0, '127.0.0.1', r));
  const slowUrl = `http://127.0.0.1:${(slow.address() as net.AddressInfo).port}`;
  t.after(() => {
    for (const r of pending) r.destroy();
    slow.close();
  });
  let n1 = await startNode({ name: 'k.faults.test' });
  t.after(() => n1.stop());
  const bdbsDir = path.join(n1.dir, 'bdbs');
  const create = async (name: string): Promise<TaskView> => {
    const task = await api<TaskView>(n1, 'POST', '/v1/crdbs', {
      name,
      instances: [instanceBody(n1), { cluster: { name: 'slow.faults.test', url: slowUrl, credentials: { username: 'u', password: 'p' } } }],
    });
    await waitFor(
      async () => {
        const p = (await api<TaskView>(n1, 'GET', `/v1/crdb_tasks/${task.id}`)).progress.clusters;
        return p.some((c) => c.name === 'slow.faults.test' && c.progress === 'creating') && p.some((c) => c.name === 'k.faults.test' && c.progress === 'created');
      },
      { timeout: 30_000, message: 'the local instance created, the slow cluster still creating' },
    );
    assert.equal(processesUnder(bdbsDir).length, 1, 'the local instance runs');
    return task;
  };

  // Cancel (crdb-cli task cancel) in the first phase: the request to the slow cluster is
  // abandoned, the local instance removed, the task ends failed.
  const cancelled = await create('cancelled');
  const c = await crdbCli(n1, ['task', 'cancel', '--task-id', cancelled.id]);
  assert.equal(c.code, 0, c.stderr);
  const ended = await finished(n1, cancelled, 30_000);
  assert.equal(ended.status, 'failed');
  assert.equal(ended.errors[0]!.error_code, 'task_cancelled');
  assert.ok(ended.progress.clusters.some((x) => x.name === 'k.faults.test' && x.progress === 'rolled back'), JSON.stringify(ended.progress));
  assert.deepEqual(await api(n1, 'GET', '/v1/bdbs'), []);
  assert.deepEqual(processesUnder(bdbsDir), []);
  assert.equal(deletes, 1, 'the slow cluster was asked to remove its instance too');

  // The node is killed in the middle of a create; its database process outlives it.
  const task = await create('interrupted');
  await n1.kill();
  assert.equal(processesUnder(bdbsDir).length, 1, 'the instance outlives its killed node');
  n1 = await startNode({ name: 'k.faults.test', dir: n1.dir });
  const after = await api<TaskView>(n1, 'GET', `/v1/crdb_tasks/${task.id}`);
  assert.equal(after.status, 'failed');
  assert.equal(after.errors[0]!.error_code, 'task_interrupted');
  await waitFor(async () => (await api<BdbView[]>(n1, 'GET', '/v1/bdbs')).length === 0 && processesUnder(bdbsDir).length === 0 && deletes === 2, {
    timeout: 20_000,
    message: 'the interrupted create to be rolled back everywhere',
  });
  assert.deepEqual(await api(n1, 'GET', '/v1/crdbs'), []);
});

test('a database process killed is restarted with its data back; remove-instance --force, then purge-instance', { timeout: 120_000 }, async (t) => {
  const n1 = await startNode({ name: 'p.faults.test' });
  const n2 = await startNode({ name: 'q.faults.test' });
  t.after(() => stopAll([n1, n2]));
  const task = await finished(n1, await api<TaskView>(n1, 'POST', '/v1/crdbs', { name: 'phoenix', instances: [instanceBody(n1), instanceBody(n2)] }));
  assert.equal(task.status, 'finished');
  const guid = task.crdb_guid;
  const b1 = (await instanceOf(n1, guid))!;
  const b2 = (await instanceOf(n2, guid))!;
  await redis(b2.port, 'SET', 'survivor', 'yes');
  await waitFor(async () => text(await redis(b1.port, 'GET', 'survivor')) === 'yes', { timeout: 10_000 });
  await waitFor(async () => (await instanceOf(n2, guid))!.crdt_sources![0]!.status === 'in-sync', { timeout: 10_000 });

  const pid = b1.process!.pid!;
  process.kill(pid, 'SIGKILL');
  const back = await waitFor(
    async () => {
      const b = (await instanceOf(n1, guid))!;
      return b.process!.restarts >= 1 && b.status === 'active' ? b : undefined;
    },
    { timeout: 20_000, message: 'the instance restarted' },
  );
  assert.notEqual(back.process!.pid, pid);
  assert.equal(back.process!.last_exit, 'killed by SIGKILL');
  // No persistence: its data comes back by full sync from the peer.
  await waitFor(async () => text(await redis(b1.port, 'GET', 'survivor')) === 'yes', { timeout: 20_000, message: 'data back on the restarted instance' });
  await redis(b1.port, 'SET', 'reborn', '1');
  await waitFor(async () => text(await redis(b2.port, 'GET', 'reborn')) === '1', { timeout: 20_000, message: 'writes of the restarted instance replicate' });

  // remove-instance --force detaches instance 2 without contacting its cluster; purge-instance
  // on that cluster then deletes it there.
  const rm = await crdbCli(n1, ['crdb', 'remove-instance', '--crdb-guid', guid, '--instance-id', '2', '--force']);
  assert.equal(rm.code, 0, rm.stderr + rm.stdout);
  assert.deepEqual((await instanceOf(n1, guid))!.crdt_sources, []);
  assert.ok(await instanceOf(n2, guid), 'the forcibly removed instance still runs on its cluster');
  const wrongPurge = await crdbCli(n2, ['crdb', 'purge-instance', '--crdb-guid', guid, '--instance-id', '1']);
  assert.equal(wrongPurge.code, 1);
  assert.match(wrongPurge.stderr, /holds instance 2/);
  const purge = await crdbCli(n2, ['crdb', 'purge-instance', '--crdb-guid', guid, '--instance-id', '2']);
  assert.equal(purge.code, 0, purge.stderr + purge.stdout);
  assert.equal(await instanceOf(n2, guid), undefined);
  assert.deepEqual(await api(n2, 'GET', '/v1/crdbs'), []);
  assert.ok(await portClosed(b2.port));
  assert.equal(text(await redis(b1.port, 'GET', 'survivor')), 'yes', 'the remaining instance keeps its data');
});

test('clusters on HTTPS with self-signed certificates: refused unless trusted (--peer-ca)', { timeout: 150_000 }, async (t) => {
  const n1 = await startNode({ name: 's1.faults.test', https: true });
  const n2 = await startNode({ name: 's2.faults.test', https: true });
  t.after(() => stopAll([n1, n2]));
  const ca1 = path.join(n1.dir, 'tls', 'cert.pem');
  const create = (node: typeof n1, name: string) =>
    crdbCli(node, ['crdb', 'create', '--name', name, '--memory-size', '64MB', '--instance', instanceSpec(n1), '--instance', instanceSpec(n2), '--ca-file', ca1]);

  // n1 does not trust n2's certificate: the task fails naming n2, nothing is left on n1.
  const refused = await create(n1, 'untrusted');
  assert.equal(refused.code, 1, refused.stdout);
  assert.match(refused.stderr, /ERROR: s2\.faults\.test: cluster is unreachable: .*(self-signed|certificate)/i);
  assert.deepEqual(await api(n1, 'GET', '/v1/bdbs'), []);

  // Restarted with --peer-ca (the other cluster's certificate), the same create works.
  await n1.stop();
  const n1b = await startNode({ name: 's1.faults.test', https: true, dir: n1.dir, args: ['--peer-ca', path.join(n2.dir, 'tls', 'cert.pem')] });
  t.after(() => n1b.stop());
  const ok = await crdbCli(n1b, ['crdb', 'create', '--name', 'trusted', '--memory-size', '64MB', '--instance', instanceSpec(n1b), '--instance', instanceSpec(n2), '--ca-file', ca1]);
  assert.equal(ok.code, 0, ok.stderr + ok.stdout);
  const guid = /crdb:(\S+)/.exec(ok.stdout)![1]!;
  const b1 = (await instanceOf(n1b, guid))!;
  const b2 = (await instanceOf(n2, guid))!;
  await redis(b1.port, 'SET', 'over', 'tls');
  await waitFor(async () => text(await redis(b2.port, 'GET', 'over')) === 'tls', { timeout: 15_000, message: 'replication between the two clusters' });
});
