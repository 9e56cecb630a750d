// The test API server, exercised through @kubernetes/client-node as the operator uses it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as k8s from '@kubernetes/client-node';
import { crdObjects } from '../../src/operator/schemas/index.js';
import { waitFor } from '../helpers/wait-for.js';
import { KubeApiServer } from './api-server.js';

const server = new KubeApiServer();
let kc: k8s.KubeConfig;
let core: k8s.CoreV1Api;
let custom: k8s.CustomObjectsApi;
let objects: k8s.KubernetesObjectApi;
const merge = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);
const G = 'app.redislabs.com';

const rerc = (name: string, spec: Record<string, unknown> = {}) => ({
  apiVersion: `${G}/v1alpha1`,
  kind: 'RedisEnterpriseRemoteCluster',
  metadata: { name },
  spec: { recName: 'rec-east', recNamespace: 'ns1', apiFqdnUrl: 'api.example.com', dbFqdnSuffix: '.db.example.com', ...spec },
});

async function status(p: Promise<unknown>): Promise<number> {
  try {
    await p;
    return 200;
  } catch (e) {
    return (e as { code: number }).code;
  }
}

before(async () => {
  await server.start();
  kc = server.kubeConfig('ns1');
  core = kc.makeApiClient(k8s.CoreV1Api);
  custom = kc.makeApiClient(k8s.CustomObjectsApi);
  objects = k8s.KubernetesObjectApi.makeApiClient(kc);
  for (const crd of crdObjects()) await objects.create(crd as k8s.KubernetesObject);
});
after(() => server.stop());

test('create, get, list with label selectors, update with stale resourceVersion → 409', async () => {
  const s = await core.createNamespacedSecret({ namespace: 'ns1', body: { metadata: { name: 'a', labels: { app: 'x', tier: 'db' } }, data: { k: 'dg==' } } });
  await core.createNamespacedSecret({ namespace: 'ns1', body: { metadata: { name: 'b', labels: { app: 'y' } } } });
  assert.equal(await status(core.createNamespacedSecret({ namespace: 'ns1', body: { metadata: { name: 'a' } } })), 409);
  assert.equal((await core.readNamespacedSecret({ name: 'a', namespace: 'ns1' })).data!.k, 'dg==');
  const names = async (labelSelector: string) => (await core.listNamespacedSecret({ namespace: 'ns1', labelSelector })).items.map((i) => i.metadata!.name);
  assert.deepEqual(await names('app=x'), ['a']);
  assert.deepEqual(await names('app in (x,y)'), ['a', 'b']);
  assert.deepEqual(await names('app,!tier'), ['b']);
  assert.deepEqual(await names('app!=x'), ['b']);
  const updated = await core.replaceNamespacedSecret({ name: 'a', namespace: 'ns1', body: { ...s, data: { k: 'dzI=' } } });
  assert.notEqual(updated.metadata!.resourceVersion, s.metadata!.resourceVersion);
  // `s` still carries the old resourceVersion
  assert.equal(await status(core.replaceNamespacedSecret({ name: 'a', namespace: 'ns1', body: { ...s, data: { k: 'eA==' } } })), 409);
  assert.equal(await status(core.readNamespacedSecret({ name: 'zzz', namespace: 'ns1' })), 404);
});

test('merge patch and JSON patch as client-node sends them', async () => {
  await core.createNamespacedConfigMap({ namespace: 'ns1', body: { metadata: { name: 'cm' }, data: { a: '1', b: '2' } } });
  await core.patchNamespacedConfigMap({ name: 'cm', namespace: 'ns1', body: { data: { a: null, c: '3' } } }, merge);
  assert.deepEqual((await core.readNamespacedConfigMap({ name: 'cm', namespace: 'ns1' })).data, { b: '2', c: '3' });
  // client-node's default patch content type is JSON patch
  await core.patchNamespacedConfigMap({ name: 'cm', namespace: 'ns1', body: [{ op: 'replace', path: '/data/b', value: 'two' }, { op: 'add', path: '/data/d', value: '4' }] });
  assert.deepEqual((await core.readNamespacedConfigMap({ name: 'cm', namespace: 'ns1' })).data, { b: 'two', c: '3', d: '4' });
  assert.equal(await status(core.patchNamespacedConfigMap({ name: 'cm', namespace: 'ns1', body: [{ op: 'remove', path: '/data/nope' }] })), 422);
  assert.equal(
    await status(core.patchNamespacedConfigMap({ name: 'cm', namespace: 'ns1', body: [{ op: 'replace', path: '/metadata/resourceVersion', value: '1' }] })),
    409,
  );
});

test('custom resources: schema validation, generation on spec changes only, status subresource', async () => {
  const created = (await custom.createNamespacedCustomObject({ group: G, version: 'v1alpha1', namespace: 'ns1', plural: 'redisenterpriseremoteclusters', body: rerc('r1') })) as k8s.KubernetesObject;
  assert.equal(created.metadata!.generation, 1);
  const bad = await custom
    .createNamespacedCustomObject({ group: G, version: 'v1alpha1', namespace: 'ns1', plural: 'redisenterpriseremoteclusters', body: rerc('r2', { apiPort: 'x' }) })
    .then(() => 'accepted', (e: { code: number; body: string }) => `${e.code} ${JSON.parse(e.body).message}`);
  assert.match(bad, /^422 .*spec\.apiPort: Invalid value: must be integer/);
  const unknown = await status(custom.createNamespacedCustomObject({ group: G, version: 'v1alpha1', namespace: 'ns1', plural: 'redisenterpriseremoteclusters', body: rerc('r3', { nope: 1 }) }));
  assert.equal(unknown, 422);
  const missing = rerc('r4') as { spec: Record<string, unknown> };
  delete missing.spec.recName;
  assert.equal(await status(custom.createNamespacedCustomObject({ group: G, version: 'v1alpha1', namespace: 'ns1', plural: 'redisenterpriseremoteclusters', body: missing })), 422);

  const ref = { group: G, version: 'v1alpha1', namespace: 'ns1', plural: 'redisenterpriseremoteclusters', name: 'r1' };
  // status through the main resource is ignored; through /status it is written, without a generation bump
  await custom.patchNamespacedCustomObject({ ...ref, body: { status: { status: 'Active' } } }, merge);
  let cur = (await custom.getNamespacedCustomObject(ref)) as { metadata: { generation: number }; status?: { status: string } };
  assert.equal(cur.status, undefined);
  await custom.patchNamespacedCustomObjectStatus({ ...ref, body: { status: { status: 'Active', observedGeneration: 1 } } }, merge);
  cur = (await custom.getNamespacedCustomObject(ref)) as typeof cur;
  assert.equal(cur.status!.status, 'Active');
  assert.equal(cur.metadata.generation, 1);
  await custom.patchNamespacedCustomObject({ ...ref, body: { metadata: { labels: { x: 'y' } } } }, merge);
  assert.equal(((await custom.getNamespacedCustomObject(ref)) as typeof cur).metadata.generation, 1);
  await custom.patchNamespacedCustomObject({ ...ref, body: { spec: { apiPort: 8443 } } }, merge);
  cur = (await custom.getNamespacedCustomObject(ref)) as typeof cur;
  assert.equal(cur.metadata.generation, 2);
  assert.equal(cur.status!.status, 'Active');
  // the generic object API resolves kinds through discovery
  const read = await objects.read({ apiVersion: `${G}/v1alpha1`, kind: 'RedisEnterpriseRemoteCluster', metadata: { name: 'r1', namespace: 'ns1' } });
  assert.equal(read.metadata!.name, 'r1');
});

test('finalizers hold deletion with deletionTimestamp; owners cascade to dependents', async () => {
  await core.createNamespacedConfigMap({ namespace: 'ns1', body: { metadata: { name: 'fin', finalizers: ['test/hold'] } } });
  await core.deleteNamespacedConfigMap({ name: 'fin', namespace: 'ns1' });
  const held = await core.readNamespacedConfigMap({ name: 'fin', namespace: 'ns1' });
  assert.ok(held.metadata!.deletionTimestamp);
  assert.equal(await status(core.patchNamespacedConfigMap({ name: 'fin', namespace: 'ns1', body: { metadata: { finalizers: ['test/hold', 'test/new'] } } }, merge)), 422);
  await core.patchNamespacedConfigMap({ name: 'fin', namespace: 'ns1', body: [{ op: 'remove', path: '/metadata/finalizers' }] });
  assert.equal(await status(core.readNamespacedConfigMap({ name: 'fin', namespace: 'ns1' })), 404);

  const owner = await core.createNamespacedConfigMap({ namespace: 'ns1', body: { metadata: { name: 'owner' } } });
  await core.createNamespacedSecret({
    namespace: 'ns1',
    body: { metadata: { name: 'owned', ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: owner.metadata!.uid! }] } },
  });
  await core.deleteNamespacedConfigMap({ name: 'owner', namespace: 'ns1' });
  assert.equal(await status(core.readNamespacedSecret({ name: 'owned', namespace: 'ns1' })), 404);
});

test('watch resumes from a resourceVersion and filters by label', async () => {
  const list = await core.listNamespacedConfigMap({ namespace: 'ns1' });
  const rv = list.metadata!.resourceVersion!;
  const seen: string[] = [];
  const watch = new k8s.Watch(kc);
  const ctl = await watch.watch(
    '/api/v1/namespaces/ns1/configmaps',
    { resourceVersion: rv, labelSelector: 'w=1' },
    (type, obj: k8s.V1ConfigMap) => seen.push(`${type} ${obj.metadata!.name}`),
    () => undefined,
  );
  await core.createNamespacedConfigMap({ namespace: 'ns1', body: { metadata: { name: 'w1', labels: { w: '1' } } } });
  await core.createNamespacedConfigMap({ namespace: 'ns1', body: { metadata: { name: 'w2' } } });
  await core.patchNamespacedConfigMap({ name: 'w1', namespace: 'ns1', body: { data: { a: 'b' } } }, merge);
  await core.deleteNamespacedConfigMap({ name: 'w1', namespace: 'ns1' });
  await waitFor(() => seen.length >= 3, { message: 'three watch events' });
  assert.deepEqual(seen, ['ADDED w1', 'MODIFIED w1', 'DELETED w1']);
  ctl.abort();
  // a second watch from the same resourceVersion replays the same history
  const replay: string[] = [];
  const ctl2 = await watch.watch('/api/v1/namespaces/ns1/configmaps', { resourceVersion: rv }, (type, obj: k8s.V1ConfigMap) => replay.push(`${type} ${obj.metadata!.name}`), () => undefined);
  await waitFor(() => replay.length >= 4, { message: 'replayed events' });
  assert.deepEqual(replay, ['ADDED w1', 'ADDED w2', 'MODIFIED w1', 'DELETED w1']);
  ctl2.abort();
});

test('a watch from a resourceVersion older than the history gets 410 Expired', async () => {
  const small = new KubeApiServer({ historySize: 2 });
  await small.start();
  try {
    const c = small.kubeConfig('ns1').makeApiClient(k8s.CoreV1Api);
    for (const n of ['a', 'b', 'c', 'd']) await c.createNamespacedConfigMap({ namespace: 'ns1', body: { metadata: { name: n } } });
    const events: { type: string; code?: number }[] = [];
    let done = false;
    await new k8s.Watch(small.kubeConfig()).watch('/api/v1/namespaces/ns1/configmaps', { resourceVersion: '1' }, (type, obj: { code?: number }) => events.push({ type, code: obj.code }), () => (done = true));
    await waitFor(() => done, { message: 'watch closed' });
    assert.deepEqual(events, [{ type: 'ERROR', code: 410 }]);
  } finally {
    await small.stop();
  }
});
