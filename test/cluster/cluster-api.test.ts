// The REST API of one node and crdb-cli against it (issue 6): HTTPS with the self-signed
// certificate made at first start, 401 without or with wrong credentials, schema errors (400),
// unknown GUIDs and tasks (404), crdb-cli input errors, plain databases and the license quota.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { apiRequest } from '../../src/cluster/http-client.js';
import { api, crdbCli, instanceBody, instanceSpec, portClosed, redis, rejects, startNode, text } from './cluster-harness.js';
import type { BdbView } from './cluster-harness.js';

test('HTTPS with a self-signed certificate, auth, schema errors, 404s, plain databases and the license', { timeout: 120_000 }, async (t) => {
  const n = await startNode({ name: 'tls.faults.test', https: true });
  t.after(() => n.stop());
  assert.match(n.url, /^https:/);
  const ca = path.join(n.dir, 'tls', 'cert.pem');

  // One node per directory.
  await assert.rejects(startNode({ name: 'tls.faults.test', dir: n.dir }), /another tandem node \(pid \d+\) uses/);

  // The certificate is trusted with --ca-file, or --insecure; refused otherwise.
  const ok = await crdbCli(n, ['crdb', 'list', '--ca-file', ca]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /^CRDB-GUID\s+NAME\s+REPL-ID\s+CLUSTER-FQDN\n$/);
  assert.equal((await crdbCli(n, ['task', 'list'], { TANDEM_INSECURE: '1' })).code, 0);
  const untrusted = await crdbCli(n, ['crdb', 'list']);
  assert.equal(untrusted.code, 1);
  assert.match(untrusted.stderr, /ERROR: .*(self-signed|certificate)/i);

  // 401: no credentials, wrong password (API and CLI).
  await rejects(apiRequest({ url: n.url, ca: n.target.ca }, 'GET', '/v1/crdbs'), 401, 'unauthorized');
  await rejects(apiRequest({ ...n.target, password: 'wrong' }, 'GET', '/v1/cluster'), 401, 'unauthorized');
  const bad = await crdbCli(n, ['crdb', 'list', '--ca-file', ca, '--password', 'wrong']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /ERROR: 401 Unauthorized: wrong username or password/);

  // Cluster, nodes, license.
  const cluster = await api<{ name: string }>(n, 'GET', '/v1/cluster');
  assert.equal(cluster.name, 'tls.faults.test');
  const nodes = await api<{ uid: number; status: string }[]>(n, 'GET', '/v1/nodes');
  assert.deepEqual(nodes.map((x) => [x.uid, x.status]), [[1, 'active']]);
  await rejects(api(n, 'GET', '/v1/nodes/7'), 404, 'node_not_found');

  // 404s.
  await rejects(api(n, 'GET', '/v1/crdbs/0000-nope'), 404, 'crdb_not_found');
  await rejects(api(n, 'PUT', '/v1/crdbs/0000-nope/flush'), 404, 'crdb_not_found');
  await rejects(api(n, 'GET', '/v1/crdb_tasks/nope'), 404, 'task_not_found');
  await rejects(api(n, 'GET', '/v1/no-such-thing'), 404, 'not_found');
  const st = await crdbCli(n, ['task', 'status', '--task-id', 'nope', '--ca-file', ca]);
  assert.equal(st.code, 1);
  assert.match(st.stderr, /ERROR: 404 Not Found/);

  // Schema errors: 400 invalid_schema, no task made.
  await rejects(api(n, 'POST', '/v1/crdbs', { name: 'x', instances: 'all' }), 400, 'invalid_schema');
  await rejects(api(n, 'POST', '/v1/crdbs', { name: 'x', default_db_config: { memory_size: '1GB' }, instances: [instanceBody(n)] }), 400, 'invalid_schema');
  await rejects(api(n, 'POST', '/v1/crdbs', { name: 'x', instances: [{ cluster: { name: 'a', url: 'ftp://a' } }] }), 400, 'invalid_schema');
  await rejects(api(n, 'POST', '/v1/crdbs', { name: 'bad name!', instances: [instanceBody(n)] }), 400, 'invalid_name');
  await rejects(api(n, 'POST', '/v1/crdbs', { name: 'x', instances: [instanceBody(n), instanceBody(n)] }), 400, 'duplicate_cluster');
  await rejects(api(n, 'POST', '/v1/crdbs', { name: 'x', instances: [{ cluster: { name: 'other', url: 'http://127.0.0.1:1', credentials: { username: 'u', password: 'p' } } }] }), 400, 'cluster_not_participating');
  assert.deepEqual(await api(n, 'GET', '/v1/crdb_tasks'), []);

  // crdb-cli input errors.
  const one = await crdbCli(n, ['crdb', 'create', '--name', 'x', '--memory-size', '1GB', '--instance', instanceSpec(n), '--ca-file', ca]);
  assert.equal(one.code, 1);
  assert.match(one.stderr, /at least 2/);
  const both = await crdbCli(n, ['crdb', 'create', '--name', 'x', '--memory-size', '1GB', '--instance', `${instanceSpec(n)},client_cert=abc`, '--instance', instanceSpec(n), '--ca-file', ca]);
  assert.equal(both.code, 1);
  assert.match(both.stderr, /Use either username\/password or client_cert\/client_key\/trusted_ca, not both/);
  const size = await crdbCli(n, ['crdb', 'create', '--name', 'x', '--memory-size', 'lots', '--instance', instanceSpec(n), '--instance', instanceSpec(n), '--ca-file', ca]);
  assert.equal(size.code, 1);
  assert.match(size.stderr, /--memory-size/);

  // A plain database: created active, answers PING, its name is unique, it counts against the license.
  const plain = await api<BdbView>(n, 'POST', '/v1/bdbs', { name: 'cache', memory_size: 64 * 1024 * 1024 });
  assert.equal(plain.status, 'active');
  assert.equal(text(await redis(plain.port, 'PING')), 'PONG');
  await rejects(api(n, 'POST', '/v1/bdbs', { name: 'cache' }), 409, 'name_in_use');
  // A limit the runtime alone would exceed is refused instead of giving OOM from the first write.
  await rejects(api(n, 'PUT', `/v1/bdbs/${plain.uid}`, { memory_size: 16 * 1024 * 1024 }), 400, 'invalid_memory_size');
  const lic = await api<{ shards_limit: number; shards_in_use: number }>(n, 'PUT', '/v1/license', { shards_limit: 1 });
  assert.deepEqual([lic.shards_limit, lic.shards_in_use], [1, 1]);
  await rejects(api(n, 'POST', '/v1/bdbs', { name: 'second' }), 400, 'insufficient_resources');
  const changed = await api<BdbView & { memory_size: number }>(n, 'PUT', `/v1/bdbs/${plain.uid}`, { memory_size: 128 * 1024 * 1024 });
  assert.equal(changed.memory_size, 128 * 1024 * 1024);
  const mm = await redis(plain.port, 'CONFIG', 'GET', 'maxmemory');
  assert.equal(mm.t === 'array' ? text(mm.v[1]!) : null, String(128 * 1024 * 1024));
  await api(n, 'DELETE', `/v1/bdbs/${plain.uid}`);
  await rejects(api(n, 'GET', `/v1/bdbs/${plain.uid}`), 404, 'unknown_bdb');
  assert.ok(await portClosed(plain.port));
});

