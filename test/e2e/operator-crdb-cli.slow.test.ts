// The seed's older crdb-cli method on Kubernetes, in one Kubernetes cluster holding two
// participating clusters (namespaces ns-a and ns-b, one operator): REC `activeActive` ingress,
// `crdb-cli crdb create` run in a node pod, then the database adopted into a REAADB by GUID
// without recreating it (removed limitations: migration, co-located participating clusters).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type * as k8s from '@kubernetes/client-node';
import { CR } from '../../src/operator/kube.js';
import type { ReaadbSpec, ReaadbStatus } from '../../src/operator/schemas/reaadb.js';
import type { RercStatus } from '../../src/operator/schemas/rerc.js';
import { waitFor } from '../helpers/wait-for.js';
import { nodeCommandAvailable } from '../k8s/pod-runner.js';
import { apiHost, TestKubeCluster, withRedis } from './operator-harness.js';

const available = await nodeCommandAvailable();
const skip = available ? false : 'needs `tandem node` (the cluster branch); set TANDEM_NODE_BIN to a tandem.js that has it';
const k = new TestKubeCluster('one', 'ns-a', ['ns-b']);
const T = { timeout: 90_000, interval: 250 };
let guid = '';

async function bdbOf(ns: string, rec: string, db: string) {
  return (await (await k.clusterApi(rec, ns)).bdbs()).find((b) => b.name === db);
}

before(async () => {
  if (skip) return;
  await k.start();
  await Promise.all([k.createRec('rec-a', { namespace: 'ns-a', crdbCliMethod: true }), k.createRec('rec-b', { namespace: 'ns-b', crdbCliMethod: true })]);
});
after(() => k.stop());

test('REC activeActive (crdb-cli method) creates the API ingress', { skip }, async () => {
  const ing = await k.kube.read<k8s.V1Ingress>('networking.k8s.io/v1', 'Ingress', 'ns-a', 'rec-a-api');
  assert.equal(ing?.spec?.rules?.[0]?.host, apiHost('rec-a', 'ns-a'));
  assert.equal(ing?.metadata?.annotations?.['kubernetes.io/ingress.class'], 'haproxy');
  assert.equal((await k.get<unknown, { ingressOrRouteMethodStatus: string }>(CR.rec, 'rec-a', 'ns-a'))?.status?.ingressOrRouteMethodStatus, 'ingress');
});

test('crdb-cli crdb create, run in a node pod, makes an Active-Active database across both namespaces', { skip }, async () => {
  const a = await k.recCredentials('rec-a', 'ns-a');
  const b = await k.recCredentials('rec-b', 'ns-b');
  const inst = (fqdn: string, url: string, c: { username: string; password: string }) => `fqdn=${fqdn},url=${url},username=${c.username},password=${c.password}`;
  const r = await k.runner.exec('ns-a', 'rec-a', 'crdb-cli.js', [
    'crdb',
    'create',
    '--name',
    'legacy',
    '--memory-size',
    '200MB',
    '--password',
    'legacy-pw',
    '--instance',
    inst('rec-a.ns-a.svc.cluster.local', k.runner.urlOf('ns-a', 'rec-a')!, a),
    '--instance',
    inst('rec-b.ns-b.svc.cluster.local', k.runner.urlOf('ns-b', 'rec-b')!, b),
  ]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  guid = /CRDB GUID Assigned: crdb:(\S+)/.exec(r.stdout)?.[1] ?? '';
  assert.ok(guid, r.stdout);
  const pa = (await bdbOf('ns-a', 'rec-a', 'legacy'))!;
  await withRedis(pa.endpoints?.[0]?.port ?? pa.port!, 'legacy-pw', (c) => c.set('legacy:key', 'kept'));
});

test('the crdb-cli database is adopted into a REAADB by GUID, keeping its data, and appears in the other namespace', { skip }, async () => {
  const before = (await bdbOf('ns-a', 'rec-a', 'legacy'))!;
  for (const ns of ['ns-a', 'ns-b']) {
    for (const [rerc, rec, recNs] of [
      ['rerc-a', 'rec-a', 'ns-a'],
      ['rerc-b', 'rec-b', 'ns-b'],
    ] as const) {
      await k.applySecret(`redis-enterprise-${rerc}`, await k.recCredentials(rec, recNs), ns);
      await k.applyRerc(rerc, rec, recNs, ns);
    }
    await k.applySecret('legacy-secret', { password: 'legacy-pw' }, ns);
  }
  for (const ns of ['ns-a', 'ns-b']) {
    for (const rerc of ['rerc-a', 'rerc-b']) {
      await waitFor(async () => (await k.get<unknown, RercStatus>(CR.rerc, rerc, ns))?.status?.status === 'Active', { ...T, message: `${rerc} Active in ${ns}` });
    }
  }
  await k.kube.createCr(CR.reaadb, 'ns-a', {
    metadata: { name: 'legacy' },
    spec: { existingDbGuid: guid, participatingClusters: [{ name: 'rerc-a' }, { name: 'rerc-b' }], globalConfigurations: { memorySize: '200MB', databaseSecretName: 'legacy-secret' } },
  });
  for (const ns of ['ns-a', 'ns-b']) {
    const st = await waitFor(async () => {
      const s = (await k.get<ReaadbSpec, ReaadbStatus>(CR.reaadb, 'legacy', ns))?.status;
      return s?.status === 'active' && s.replicationStatus === 'up' ? s : undefined;
    }, { ...T, message: `legacy active in ${ns}: ${JSON.stringify((await k.get(CR.reaadb, 'legacy', ns))?.status)}` });
    assert.equal(st.guid, guid);
  }
  // not recreated: same database, same data
  const after = (await bdbOf('ns-a', 'rec-a', 'legacy'))!;
  assert.equal(after.uid, before.uid);
  const pb = (await bdbOf('ns-b', 'rec-b', 'legacy'))!;
  assert.equal(await withRedis(pb.endpoints?.[0]?.port ?? pb.port!, 'legacy-pw', (c) => c.get('legacy:key')), 'kept');
});

test('removed limitation: per-participating-cluster overrides become that instance\'s db_config', { skip }, async () => {
  await k.kube.patchCr(CR.reaadb, 'ns-a', 'legacy', {
    spec: { participatingClusters: [{ name: 'rerc-a' }, { name: 'rerc-b', overrides: { memorySize: '400MB', evictionPolicy: 'allkeys-lru' } }] },
  });
  await waitFor(async () => (await bdbOf('ns-b', 'rec-b', 'legacy'))?.memory_size === 400 * 1024 * 1024, { ...T, message: 'rec-b instance at 400MB' });
  assert.equal((await bdbOf('ns-b', 'rec-b', 'legacy'))!.eviction_policy, 'allkeys-lru');
  const a = (await bdbOf('ns-a', 'rec-a', 'legacy'))!;
  assert.equal(a.memory_size, 200 * 1024 * 1024);
  assert.equal(a.eviction_policy, 'noeviction');
});

test('REDB: a plain database with its generated secret and Service; REC deletion waits for it', { skip }, async () => {
  await k.kube.createCr(CR.redb, 'ns-a', { metadata: { name: 'cache' }, spec: { memorySize: '100MB', evictionPolicy: 'allkeys-lru' } });
  const st = await waitFor(async () => {
    const s = (await k.get<unknown, { status?: string; databaseUID?: string }>(CR.redb, 'cache', 'ns-a'))?.status;
    return s?.status === 'active' ? s : undefined;
  }, { ...T, message: 'cache active' });
  const bdb = (await bdbOf('ns-a', 'rec-a', 'cache'))!;
  assert.equal(String(bdb.uid), st.databaseUID);
  assert.equal(bdb.eviction_policy, 'allkeys-lru');
  const password = (await k.kube.secretData('ns-a', 'redb-cache'))!.data.password!;
  const svc = await k.kube.read<k8s.V1Service>('v1', 'Service', 'ns-a', 'cache');
  assert.equal(svc?.spec?.ports?.[0]?.port, bdb.endpoints?.[0]?.port ?? bdb.port);
  assert.equal(await withRedis(bdb.endpoints?.[0]?.port ?? bdb.port!, password, (c) => c.set('k', 'v')), 'OK');
  await k.kube.deleteCr(CR.rec, 'ns-a', 'rec-a');
  await waitFor(async () => (await k.get<unknown, { state?: string }>(CR.rec, 'rec-a', 'ns-a'))?.status?.state === 'Deleting', { ...T, message: 'REC waits for its databases' });
  await k.kube.deleteCr(CR.redb, 'ns-a', 'cache');
  await waitFor(async () => (await k.get(CR.redb, 'cache', 'ns-a')) === undefined, { ...T, message: 'REDB gone' });
  await waitFor(async () => (await k.get(CR.rec, 'rec-a', 'ns-a')) === undefined, { ...T, message: 'REC released' });
});
