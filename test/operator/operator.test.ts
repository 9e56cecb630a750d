// The operator against the test API server, without cluster nodes: what the REC controller
// creates, spec validation, and the operator-environment-config flags.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type * as k8s from '@kubernetes/client-node';
import { CR, Kube } from '../../src/operator/kube.js';
import { flagsFrom, Operator } from '../../src/operator/operator.js';
import { crdObjects } from '../../src/operator/schemas/index.js';
import type { RecStatus } from '../../src/operator/schemas/rec.js';
import { waitFor } from '../helpers/wait-for.js';
import { KubeApiServer } from '../k8s/api-server.js';

const NS = 'ops';
const api = new KubeApiServer();
let kube: Kube;
let operator: Operator;
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

before(async () => {
  await api.start();
  kube = new Kube(api.kubeConfig(NS));
  for (const crd of crdObjects()) await kube.objects.create(crd as k8s.KubernetesObject);
  await kube.objects.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'operator-environment-config', namespace: NS }, data: { ACTIVE_ACTIVE_DATABASE_CONTROLLER_ENABLED: 'false' } } as k8s.KubernetesObject);
  operator = new Operator({ kubeConfig: api.kubeConfig(NS), namespaces: [NS], log: quiet, pollMs: 300, image: 'registry.example.com/tandem:1.2.3' });
  await operator.start();
});
after(async () => {
  await operator.stop();
  await api.stop();
});

test('operator-environment-config flags turn controllers off (GA default: on)', async () => {
  assert.deepEqual(flagsFrom({}), { activeActive: true, remoteCluster: true });
  assert.deepEqual(flagsFrom({ REMOTE_CLUSTER_CONTROLLER_ENABLED: 'false', ACTIVE_ACTIVE_DATABASE_CONTROLLER_ENABLED: 'true' }), { activeActive: true, remoteCluster: false });
  assert.deepEqual(operator.flags, { activeActive: false, remoteCluster: true });
  await kube.createCr(CR.rerc, NS, { metadata: { name: 'rerc-x' }, spec: { recName: 'rec-x', recNamespace: NS, apiFqdnUrl: 'api.example.com' } });
  await kube.createCr(CR.reaadb, NS, { metadata: { name: 'db' }, spec: { participatingClusters: [{ name: 'rerc-x' }] } });
  // the RERC controller runs (adds its finalizer, reports the missing secret); the REAADB one does not
  const rerc = await waitFor(async () => {
    const r = await kube.getCr<unknown, { specStatus?: string; conditions?: { message: string }[] }>(CR.rerc, NS, 'rerc-x');
    return r?.status?.specStatus === 'Invalid' ? r : undefined;
  }, { message: 'RERC reconciled' });
  assert.deepEqual(rerc.metadata.finalizers, ['finalizer.redisenterpriseremoteclusters.app.redislabs.com']);
  assert.match(rerc.status!.conditions![0]!.message, /secret redis-enterprise-rerc-x does not exist/);
  const aa = await kube.getCr(CR.reaadb, NS, 'db');
  assert.equal(aa!.metadata.finalizers, undefined);
  assert.equal(aa!.status, undefined);
  await kube.deleteCr(CR.reaadb, NS, 'db');
});

test('REC: admin secret, StatefulSet of tandem node pods, API and headless Services, API ingress', async () => {
  await kube.createCr(CR.rec, NS, {
    metadata: { name: 'rec-a' },
    spec: {
      nodes: 1,
      persistentSpec: { enabled: true, volumeSize: '20Gi', storageClassName: 'fast' },
      ingressOrRouteSpec: { method: 'ingress', apiFqdnUrl: 'api-rec-a-ops.example.com', dbFqdnSuffix: '.db-rec-a-ops.example.com', ingressAnnotations: { 'kubernetes.io/ingress.class': 'haproxy' } },
    },
  });
  await waitFor(async () => (await kube.getCr<unknown, RecStatus>(CR.rec, NS, 'rec-a'))?.status?.state === 'BootstrappingFirstPod', { message: 'REC bootstrapping' });
  const secret = await kube.secretData(NS, 'rec-a');
  assert.equal(secret!.data.username, 'demo@redis.com');
  assert.ok(secret!.data.password!.length >= 12);
  const sts = (await kube.read<k8s.V1StatefulSet>('apps/v1', 'StatefulSet', NS, 'rec-a'))!;
  const c = sts.spec!.template.spec!.containers[0]!;
  assert.equal(c.name, 'redis-enterprise-node');
  assert.equal(c.image, 'registry.example.com/tandem:1.2.3');
  assert.deepEqual(c.command, ['node', 'dist/src/cli/tandem.js']);
  assert.ok(c.args!.includes('--name=rec-a.ops.svc.cluster.local'));
  assert.deepEqual({ ...c.env!.find((e) => e.name === 'TANDEM_PASSWORD')!.valueFrom!.secretKeyRef }, { name: 'rec-a', key: 'password' });
  assert.equal(sts.spec!.volumeClaimTemplates![0]!.spec!.resources!.requests!.storage, '20Gi');
  assert.equal(sts.spec!.volumeClaimTemplates![0]!.spec!.storageClassName, 'fast');
  assert.equal(sts.metadata!.ownerReferences![0]!.kind, 'RedisEnterpriseCluster');
  const svc = (await kube.read<k8s.V1Service>('v1', 'Service', NS, 'rec-a'))!;
  assert.equal(svc.spec!.ports![0]!.port, 9443);
  assert.equal((await kube.read<k8s.V1Service>('v1', 'Service', NS, 'rec-a-headless'))!.spec!.clusterIP, 'None');
  const ing = (await kube.read<k8s.V1Ingress>('networking.k8s.io/v1', 'Ingress', NS, 'rec-a-api'))!;
  assert.equal(ing.spec!.rules![0]!.host, 'api-rec-a-ops.example.com');
  // deleting the REC releases it (no databases) and its owned objects go with it
  await kube.deleteCr(CR.rec, NS, 'rec-a');
  await waitFor(async () => (await kube.getCr(CR.rec, NS, 'rec-a')) === undefined, { message: 'REC deleted' });
  assert.equal(await kube.read('apps/v1', 'StatefulSet', NS, 'rec-a'), undefined);
});

test('REC: contradictory routing is reported as Invalid with a condition', async () => {
  await kube.createCr(CR.rec, NS, {
    metadata: { name: 'rec-bad' },
    spec: {
      ingressOrRouteSpec: { method: 'ingress', apiFqdnUrl: 'a.example.com', dbFqdnSuffix: '.db.example.com' },
      activeActive: { method: 'ingress', apiIngressUrl: 'a.example.com', dbIngressSuffix: '.db.example.com' },
    },
  });
  const st = await waitFor(async () => {
    const s = (await kube.getCr<unknown, RecStatus>(CR.rec, NS, 'rec-bad'))?.status;
    return s?.specStatus === 'Invalid' ? s : undefined;
  }, { message: 'REC invalid' });
  assert.equal(st.state, 'Invalid');
  const c = st.conditions!.find((x) => x.type === 'SpecValid')!;
  assert.match(c.message, /ingressOrRouteSpec and spec\.activeActive cannot both be set/);
  assert.match(c.message, /must contain kubernetes\.io\/ingress\.class/);
  assert.equal(c.observedGeneration, 1);
  assert.equal(await kube.read('apps/v1', 'StatefulSet', NS, 'rec-bad'), undefined);
});
