// The admission webhook behind the test API server: manifests are applied with client-node and
// denied (or admitted) exactly as kubectl would see it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import * as k8s from '@kubernetes/client-node';
import { startAdmissionServer, kubeLookups } from '../../src/operator/admission/server.js';
import { validatingWebhookConfiguration } from '../../src/operator/admission/webhook-config.js';
import { CR, Kube } from '../../src/operator/kube.js';
import { RERC_CREATED_BY_LABEL, RERC_CREATED_BY_OPERATOR } from '../../src/operator/schemas/rerc.js';
import { crdObjects } from '../../src/operator/schemas/index.js';
import { selfSignedCert } from '../../src/common/tls.js';
import { KubeApiServer } from '../k8s/api-server.js';

const NS = 'redis-east';
const api = new KubeApiServer();
let kube: Kube;
let webhook: Awaited<ReturnType<typeof startAdmissionServer>>;
let ca = '';

const secret = (name: string, data: Record<string, string>) => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name, namespace: NS },
  type: 'Opaque',
  data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
});
const rerc = (name: string, recName: string, extra: Record<string, unknown> = {}) => ({
  metadata: { name },
  spec: { recName, recNamespace: NS, apiFqdnUrl: `api-${recName}-${NS}.example.com`, dbFqdnSuffix: `.db-${recName}-${NS}.example.com`, secretName: `redis-enterprise-${name}`, ...extra },
});
const reaadb = (name: string, spec: Record<string, unknown>) => ({
  metadata: { name },
  spec: { participatingClusters: [{ name: 'rerc-east' }, { name: 'rerc-west' }], globalConfigurations: { databaseSecretName: 'orders-db-secret', memorySize: '200MB', shardCount: 1 }, ...spec },
});

/** The error message kubectl would print, or 'admitted'. */
async function apply(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'admitted';
  } catch (e) {
    const body = (e as { body?: string }).body;
    return body ? (JSON.parse(body) as { message: string }).message : String(e);
  }
}

before(async () => {
  await api.start();
  kube = new Kube(api.kubeConfig(NS));
  for (const crd of crdObjects()) await kube.objects.create(crd as k8s.KubernetesObject);
  const tls = await selfSignedCert('admission', ['localhost'], ['127.0.0.1']);
  ca = tls.cert;
  webhook = await startAdmissionServer({ lookups: kubeLookups(kube), tls, port: 0, host: '127.0.0.1' });
  await kube.objects.create(validatingWebhookConfiguration({ namespace: NS, caBundlePem: tls.cert, url: `https://127.0.0.1:${webhook.port}` }) as k8s.KubernetesObject);
  for (const n of ['rerc-east', 'rerc-west']) await kube.objects.create(secret(`redis-enterprise-${n}`, { username: 'admin', password: 'pw' }));
  await kube.objects.create(secret('orders-db-secret', { password: 'dbpw' }));
  await kube.createCr(CR.rerc, NS, rerc('rerc-east', 'rec-east'));
  await kube.createCr(CR.rerc, NS, rerc('rerc-west', 'rec-west'));
});
after(async () => {
  await webhook?.close();
  await api.stop();
});

test('the reference example REAADB is admitted after the webhook was consulted', async () => {
  assert.equal(await apply(kube.createCr(CR.reaadb, NS, reaadb('orders', {}))), 'admitted');
  assert.ok(api.admissionCalls.some((c) => c.kind === 'RedisEnterpriseActiveActiveDatabase' && c.name === 'orders' && c.allowed));
});

test('an unknown eviction policy is denied with the allowed values', async () => {
  const msg = await apply(kube.createCr(CR.reaadb, NS, reaadb('evict', { globalConfigurations: { memorySize: '200MB', evictionPolicy: 'lru-please' } })));
  assert.match(msg, /^admission webhook "redisenterprise.admission.redislabs" denied the request: spec\.globalConfigurations\.evictionPolicy: "lru-please" is not an eviction policy; use one of noeviction, allkeys-lru/);
  const redb = await apply(kube.createCr(CR.redb, NS, { metadata: { name: 'plain' }, spec: { evictionPolicy: 'sometimes' } }));
  assert.match(redb, /spec\.evictionPolicy: "sometimes" is not an eviction policy/);
});

test('wrong types are denied: by the CRD schema at the API server, and by the webhook itself', async () => {
  const msg = await apply(kube.createCr(CR.reaadb, NS, reaadb('types', { globalConfigurations: { memorySize: '200MB', shardCount: 'three' } })));
  assert.match(msg, /spec\.globalConfigurations\.shardCount: Invalid value: must be integer/);
  // the webhook explains it too (in case an API server runs without the schema)
  const review = await postReview('v1', 'CREATE', { apiVersion: 'app.redislabs.com/v1alpha1', kind: 'RedisEnterpriseActiveActiveDatabase', ...reaadb('types', { globalConfigurations: { shardCount: 'three', memorySize: 12 } }) });
  assert.equal(review.apiVersion, 'admission.k8s.io/v1');
  assert.equal(review.response.allowed, false);
  assert.match(review.response.status.message, /spec\.globalConfigurations\.shardCount: must be integer/);
  assert.match(review.response.status.message, /spec\.globalConfigurations\.memorySize: must be string/);
  const bad = await apply(kube.createCr(CR.reaadb, NS, reaadb('size', { globalConfigurations: { memorySize: 'lots' } })));
  assert.match(bad, /memorySize: "lots" is not a size; write a number and a unit, e.g. 100MB/);
});

test('a missing secret is denied: RERC credentials and the database secret', async () => {
  const msg = await apply(kube.createCr(CR.rerc, NS, rerc('rerc-north', 'rec-north')));
  assert.match(msg, /spec\.secretName: secret "redis-enterprise-rerc-north" does not exist in namespace redis-east; create it first/);
  const wrongName = await apply(kube.createCr(CR.rerc, NS, rerc('rerc-south', 'rec-south', { secretName: 'south-creds' })));
  assert.match(wrongName, /spec\.secretName: must be "redis-enterprise-rerc-south"/);
  const db = await apply(kube.createCr(CR.reaadb, NS, reaadb('nosecret', { globalConfigurations: { databaseSecretName: 'nope', memorySize: '200MB' } })));
  assert.match(db, /databaseSecretName: secret "nope" does not exist .* create the same secret on every participating cluster/);
});

test('an unknown RERC is denied', async () => {
  const msg = await apply(kube.createCr(CR.reaadb, NS, reaadb('lost', { participatingClusters: [{ name: 'rerc-east' }, { name: 'rerc-nowhere' }] })));
  assert.match(msg, /spec\.participatingClusters\[1\]\.name: RERC "rerc-nowhere" does not exist in namespace redis-east; create the RedisEnterpriseRemoteCluster/);
});

test('removed limitation: a second RERC for the same recName/recNamespace is denied', async () => {
  await kube.objects.create(secret('redis-enterprise-rerc-east-again', { username: 'a', password: 'b' }));
  const msg = await apply(kube.createCr(CR.rerc, NS, rerc('rerc-east-again', 'rec-east')));
  assert.match(msg, /spec\.recName\/recNamespace: RERC "rerc-east" already describes rec-east\/redis-east/);
});

test('an RERC the operator creates for a peer is admitted before its secret exists; a user duplicate of it is denied', async () => {
  const made = { metadata: { name: 'rerc-far', labels: { [RERC_CREATED_BY_LABEL]: RERC_CREATED_BY_OPERATOR } }, spec: rerc('rerc-far', 'rec-far').spec };
  assert.equal(await apply(kube.createCr(CR.rerc, NS, made)), 'admitted');
  // the relaxation is only the secret's: the other rules still hold for operator-created RERCs
  const wrong = { metadata: { name: 'rerc-farther', labels: { [RERC_CREATED_BY_LABEL]: RERC_CREATED_BY_OPERATOR } }, spec: rerc('rerc-farther', 'rec-farther', { secretName: 'other' }).spec };
  assert.match(await apply(kube.createCr(CR.rerc, NS, wrong)), /spec\.secretName: must be "redis-enterprise-rerc-farther"/);
  await kube.objects.create(secret('redis-enterprise-far-again', { username: 'a', password: 'b' }));
  const dup = await apply(kube.createCr(CR.rerc, NS, rerc('far-again', 'rec-far')));
  assert.match(dup, /spec\.recName\/recNamespace: RERC "rerc-far" \(created by the operator for an Active-Active database\) already describes rec-far\/redis-east; .* edit that one instead/);
  // without the label, a missing secret is still denied
  assert.match(await apply(kube.createCr(CR.rerc, NS, rerc('rerc-near', 'rec-near'))), /secret "redis-enterprise-rerc-near" does not exist/);
  await kube.deleteCr(CR.rerc, NS, 'rerc-far');
});

test('removed limitation: shardCount over the license quota is denied (REAADB and REDB)', async () => {
  await kube.createCr(CR.rec, NS, { metadata: { name: 'rec-east' }, spec: { nodes: 1 } });
  await kube.patchCrStatus(CR.rec, NS, 'rec-east', { licenseStatus: { shardsLimit: 4, shardsUsage: 3 } });
  const msg = await apply(kube.createCr(CR.reaadb, NS, reaadb('big', { globalConfigurations: { memorySize: '200MB', shardCount: 2 } })));
  assert.match(msg, /shardCount: 2 shards would exceed the license of REC rec-east \(3 of 4 shards in use\); lower shardCount/);
  assert.equal(await apply(kube.createCr(CR.reaadb, NS, reaadb('fits', { globalConfigurations: { memorySize: '200MB', shardCount: 1 } }))), 'admitted');
  assert.match(await apply(kube.createCr(CR.redb, NS, { metadata: { name: 'redb-big' }, spec: { shardCount: 3 } })), /spec\.shardCount: 3 shards would exceed the license/);
  // an update is charged only for the shards it adds
  await kube.patchCrStatus(CR.rec, NS, 'rec-east', { licenseStatus: { shardsLimit: 4, shardsUsage: 4 } });
  assert.equal(await apply(kube.patchCr(CR.reaadb, NS, 'fits', { spec: { globalConfigurations: { memorySize: '300MB' } } })), 'admitted');
  assert.match(await apply(kube.patchCr(CR.reaadb, NS, 'fits', { spec: { globalConfigurations: { shardCount: 2 } } })), /would exceed the license/);
  await kube.patchCrStatus(CR.rec, NS, 'rec-east', { licenseStatus: { shardsLimit: 100, shardsUsage: 0 } });
});

test('removed limitation: per-participating-cluster overrides are validated', async () => {
  const good = reaadb('local-cfg', { participatingClusters: [{ name: 'rerc-east', overrides: { memorySize: '1GB', evictionPolicy: 'allkeys-lru' } }, { name: 'rerc-west' }] });
  assert.equal(await apply(kube.createCr(CR.reaadb, NS, good)), 'admitted');
  const badPolicy = reaadb('local-bad', { participatingClusters: [{ name: 'rerc-east', overrides: { evictionPolicy: 'whenever' } }, { name: 'rerc-west' }] });
  assert.match(await apply(kube.createCr(CR.reaadb, NS, badPolicy)), /spec\.participatingClusters\[0\]\.overrides\.evictionPolicy: "whenever" is not an eviction policy/);
  const notOverridable = { apiVersion: 'app.redislabs.com/v1alpha1', kind: 'RedisEnterpriseActiveActiveDatabase', ...reaadb('x', { participatingClusters: [{ name: 'rerc-east', overrides: { shardCount: 2 } }] }) };
  const review = await postReview('v1beta1', 'CREATE', notOverridable);
  assert.equal(review.apiVersion, 'admission.k8s.io/v1beta1');
  assert.match(review.response.status.message, /participatingClusters\[0\]\.overrides\.shardCount: unknown field/);
});

test('snapshot persistence is denied for an Active-Active database, globally or per cluster', async () => {
  const global = reaadb('snap', { globalConfigurations: { memorySize: '200MB', persistence: 'snapshotEvery1Hour' } });
  assert.match(await apply(kube.createCr(CR.reaadb, NS, global)), /spec\.globalConfigurations\.persistence: snapshotEvery1Hour is not available for Active-Active databases/);
  const local = reaadb('snap-local', { participatingClusters: [{ name: 'rerc-east', overrides: { persistence: 'snapshotEvery6Hour' } }, { name: 'rerc-west' }] });
  assert.match(await apply(kube.createCr(CR.reaadb, NS, local)), /spec\.participatingClusters\[0\]\.overrides\.persistence: snapshotEvery6Hour is not available/);
  assert.equal(await apply(kube.createCr(CR.reaadb, NS, reaadb('aof', { globalConfigurations: { memorySize: '200MB', persistence: 'aofAlways' } }))), 'admitted');
});

test('immutable fields cannot change on update', async () => {
  await kube.createCr(CR.reaadb, NS, reaadb('fixed', { globalConfigurations: { memorySize: '200MB', shardingEnabled: false, databasePort: 12001 } }));
  assert.match(await apply(kube.patchCr(CR.reaadb, NS, 'fixed', { spec: { globalConfigurations: { shardingEnabled: true } } })), /shardingEnabled: cannot change after creation/);
  assert.match(await apply(kube.patchCr(CR.reaadb, NS, 'fixed', { spec: { globalConfigurations: { databasePort: 12002 } } })), /databasePort: cannot change after creation \(was 12001\)/);
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function postReview(version: string, operation: string, object: unknown): Promise<any> {
  const body = JSON.stringify({ apiVersion: `admission.k8s.io/${version}`, kind: 'AdmissionReview', request: { uid: 'u-1', kind: { group: 'app.redislabs.com', version: 'v1alpha1', kind: (object as { kind: string }).kind }, namespace: NS, operation, object } });
  return new Promise((resolve, reject) => {
    const req = https.request(`https://127.0.0.1:${webhook.port}/admission`, { method: 'POST', ca, headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve(JSON.parse(text)));
    });
    req.on('error', reject);
    req.end(body);
  });
}
