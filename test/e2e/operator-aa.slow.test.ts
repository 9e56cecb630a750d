// Two (then three) test Kubernetes clusters, each with its API server, operator and REC of real
// `tandem node` pods: the reference's Active-Active steps end to end (reference §1.2–1.5). RERCs
// and the REAADB are applied on one cluster only; the other participants get both from their
// operators (§1.4 step 13), and the RERCs the operators made go when no REAADB uses them.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type * as k8s from '@kubernetes/client-node';
import { CR } from '../../src/operator/kube.js';
import type { ReaadbSpec, ReaadbStatus } from '../../src/operator/schemas/reaadb.js';
import { rercCreatedByOperator, type RercSpec, type RercStatus } from '../../src/operator/schemas/rerc.js';
import { waitFor } from '../helpers/wait-for.js';
import { nodeCommandAvailable } from '../k8s/pod-runner.js';
import { TestKubeCluster, withRedis } from './operator-harness.js';

const available = await nodeCommandAvailable();
const skip = available ? false : 'needs `tandem node` (the cluster branch); set TANDEM_NODE_BIN to a tandem.js that has it';

const east = new TestKubeCluster('east', 'redis-east');
const west = new TestKubeCluster('west', 'redis-west');
const north = new TestKubeCluster('north', 'redis-north');
const all = [east, west, north];
const T = { timeout: 90_000, interval: 250 };

async function aaStatus(c: TestKubeCluster, name = 'orders') {
  return (await c.get<ReaadbSpec, ReaadbStatus>(CR.reaadb, name))?.status;
}

/** Waits for an RERC to be Active/Valid; returns it. */
async function activeRerc(c: TestKubeCluster, name: string) {
  return waitFor(async () => {
    const r = await c.get<RercSpec, RercStatus>(CR.rerc, name);
    return r?.status?.status === 'Active' && r.status.specStatus === 'Valid' ? r : undefined;
  }, { ...T, message: `${name} Active on ${c.label}: ${JSON.stringify((await c.get<RercSpec, RercStatus>(CR.rerc, name))?.status)}` });
}

/** Asserts that `c` got the RERC `name` from its operator, with the spec it has on `origin`, Active/Valid. */
async function assertPropagatedRerc(c: TestKubeCluster, origin: TestKubeCluster, name: string, local: boolean): Promise<void> {
  const r = await activeRerc(c, name);
  assert.ok(rercCreatedByOperator(r), `${name} on ${c.label} is labelled as created by the operator`);
  assert.deepEqual(r.spec, (await origin.get<RercSpec>(CR.rerc, name))!.spec, `${name} on ${c.label} has the spec it has on ${origin.label}`);
  assert.equal(r.status!.local, local, `${name}.local on ${c.label}`);
}

async function instancePort(c: TestKubeCluster, rec: string, db = 'orders'): Promise<{ port: number; memory: number | undefined }> {
  const bdb = (await (await c.clusterApi(rec)).bdbs()).find((b) => b.name === db);
  if (!bdb) throw new Error(`no bdb ${db} on ${rec}`);
  return { port: bdb.endpoints?.[0]?.port ?? bdb.port!, memory: bdb.memory_size };
}

before(async () => {
  if (skip) return;
  await Promise.all([east.start(), west.start(), north.start()]);
  await Promise.all([east.createRec('rec-east'), west.createRec('rec-west'), north.createRec('rec-north')]);
  // §1.2: every participating cluster gets every cluster's credentials as redis-enterprise-<rerc>
  // (but west gets rerc-north's only once its operator made that RERC: it must report the gap)
  const creds = { 'rerc-east': await east.recCredentials('rec-east'), 'rerc-west': await west.recCredentials('rec-west'), 'rerc-north': await north.recCredentials('rec-north') };
  for (const c of all) {
    for (const [rerc, cr] of Object.entries(creds)) if (!(c === west && rerc === 'rerc-north')) await c.applySecret(`redis-enterprise-${rerc}`, cr);
    await c.applySecret('orders-db-secret', { password: 'orders-pw' });
  }
});
after(async () => {
  await Promise.all(all.map((c) => c.stop()));
});

test('RERCs (applied on one cluster) become Active/Valid, LOCAL true only for the local cluster', { skip }, async () => {
  // §1.3: the RERCs are created on one cluster; the other gets them with the REAADB
  await east.applyRerc('rerc-east', 'rec-east', 'redis-east');
  await east.applyRerc('rerc-west', 'rec-west', 'redis-west');
  for (const name of ['rerc-east', 'rerc-west']) {
    const r = await activeRerc(east, name);
    assert.equal(r.status!.local, name === 'rerc-east', `${name}.local on east`);
    assert.ok(!rercCreatedByOperator(r), 'a user RERC is not labelled as the operator\'s');
  }
  assert.equal((await west.kube.listCr(CR.rerc, 'redis-west')).items.length, 0, 'west has no RERC before the REAADB exists');
});

test('REAADB from the reference example: active and replicating on both clusters; a write on one is read on the other', { skip }, async () => {
  await east.kube.createCr(CR.reaadb, 'redis-east', {
    metadata: { name: 'orders' },
    spec: {
      participatingClusters: [{ name: 'rerc-east' }, { name: 'rerc-west' }],
      globalConfigurations: { databaseSecretName: 'orders-db-secret', memorySize: '200MB', shardCount: 1 },
    },
  });
  for (const c of [east, west]) {
    const st = await waitFor(async () => {
      const s = await aaStatus(c);
      return s?.status === 'active' && s.replicationStatus === 'up' && s.specStatus === 'Valid' ? s : undefined;
    }, { ...T, message: `orders active/up on ${c.label}: ${JSON.stringify(await aaStatus(c))}` });
    assert.deepEqual(
      st.participatingClusters!.map((p) => [p.name, p.replicationStatus]).sort(),
      [
        ['rerc-east', 'up'],
        ['rerc-west', 'up'],
      ],
    );
    assert.ok(st.guid);
    assert.deepEqual(st.secretsStatus, [{ name: 'orders-db-secret', status: 'Valid' }]);
  }
  assert.equal((await aaStatus(east))!.guid, (await aaStatus(west))!.guid);
  // §1.4 step 13: west's operator made the RERCs of the materialised REAADB, named and specified as on east
  await assertPropagatedRerc(west, east, 'rerc-east', false);
  await assertPropagatedRerc(west, east, 'rerc-west', true);
  // the database's Services and ingress (services rigger) on each cluster
  for (const [c, ns, rec] of [
    [east, 'redis-east', 'rec-east'],
    [west, 'redis-west', 'rec-west'],
  ] as const) {
    const port = (await instancePort(c, rec)).port;
    const svc = await waitFor(() => c.kube.read<k8s.V1Service>('v1', 'Service', ns, 'orders'), { ...T, message: `Service orders on ${c.label}` });
    assert.equal(svc.spec!.ports![0]!.port, port);
    assert.equal((await c.kube.read<k8s.V1Service>('v1', 'Service', ns, 'orders-headless'))?.spec?.clusterIP, 'None');
    const ing = await c.kube.read<k8s.V1Ingress>('networking.k8s.io/v1', 'Ingress', ns, 'orders');
    assert.equal(ing?.spec?.rules?.[0]?.host, `orders.db-${rec}-${ns}.example.com`);
  }
  await withRedis((await instancePort(east, 'rec-east')).port, 'orders-pw', (e) => e.set('order:1', 'two coffees'));
  const read = await withRedis((await instancePort(west, 'rec-west')).port, 'orders-pw', (w) => waitFor(() => w.get('order:1'), { ...T, message: 'order:1 on west' }));
  assert.equal(read, 'two coffees');
});

test('editing globalConfigurations.memorySize reaches both instances and the peer REAADB', { skip }, async () => {
  await east.kube.patchCr(CR.reaadb, 'redis-east', 'orders', { spec: { globalConfigurations: { memorySize: '300MB' } } });
  for (const [c, rec] of [
    [east, 'rec-east'],
    [west, 'rec-west'],
  ] as const) {
    await waitFor(async () => (await instancePort(c, rec)).memory === 300 * 1024 * 1024, { ...T, message: `300MB on ${rec}` });
  }
  await waitFor(async () => (await west.get<ReaadbSpec>(CR.reaadb, 'orders'))?.spec.globalConfigurations?.memorySize === '300MB', { ...T, message: 'west REAADB spec synced' });
  await waitFor(async () => (await aaStatus(east))?.status === 'active', { ...T, message: 'east active again' });
});

test('adding and removing a third participating cluster', { skip }, async () => {
  // §1.5: the new cluster's RERC is created on an existing participant only
  await east.applyRerc('rerc-north', 'rec-north', 'redis-north');
  await activeRerc(east, 'rerc-north');
  await east.kube.patchCr(CR.reaadb, 'redis-east', 'orders', { spec: { participatingClusters: [{ name: 'rerc-east' }, { name: 'rerc-west' }, { name: 'rerc-north' }] } });
  const st = await waitFor(async () => {
    const s = await aaStatus(north);
    return s?.status === 'active' && s.replicationStatus === 'up' ? s : undefined;
  }, { ...T, message: `orders active on north: ${JSON.stringify(await aaStatus(north))}` });
  assert.equal(st.participatingClusters!.length, 3);
  await waitFor(async () => (await aaStatus(east))?.participatingClusters?.length === 3 && (await aaStatus(east))?.replicationStatus === 'up', { ...T, message: 'east sees 3 clusters up' });
  assert.deepEqual((await aaStatus(east))!.participatingClusters!.map((p) => p.id).sort(), [1, 2, 3]);
  const onNorth = await withRedis((await instancePort(north, 'rec-north')).port, 'orders-pw', (n) => waitFor(() => n.get('order:1'), { ...T, message: 'north has the earlier write' }));
  assert.equal(onNorth, 'two coffees');
  // north got every RERC from its operator; west got rerc-north, whose secret it lacks: reported like any RERC's
  for (const name of ['rerc-east', 'rerc-west', 'rerc-north']) await assertPropagatedRerc(north, east, name, name === 'rerc-north');
  const noSecret = await waitFor(async () => {
    const r = await west.get<RercSpec, RercStatus>(CR.rerc, 'rerc-north');
    return r?.status?.specStatus === 'Invalid' ? r : undefined;
  }, { ...T, message: 'rerc-north on west reports its missing secret' });
  assert.ok(rercCreatedByOperator(noSecret));
  assert.equal(noSecret.status!.status, 'Error');
  assert.match(noSecret.status!.conditions!.find((c) => c.type === 'SpecValid')!.message, /secret redis-enterprise-rerc-north does not exist in namespace redis-west/);
  await west.applySecret('redis-enterprise-rerc-north', await north.recCredentials('rec-north'));
  await assertPropagatedRerc(west, east, 'rerc-north', false);

  await east.kube.patchCr(CR.reaadb, 'redis-east', 'orders', { spec: { participatingClusters: [{ name: 'rerc-east' }, { name: 'rerc-west' }] } });
  await waitFor(async () => (await north.get(CR.reaadb, 'orders')) === undefined, { ...T, message: 'the REAADB disappears from north' });
  await waitFor(async () => (await aaStatus(east))?.participatingClusters?.length === 2 && (await aaStatus(east))?.status === 'active', { ...T, message: 'east back to two clusters' });
  await waitFor(async () => (await west.get<ReaadbSpec>(CR.reaadb, 'orders'))?.spec.participatingClusters.length === 2, { ...T, message: 'west spec back to two clusters' });
  // the RERCs the operators made for north go; the user's on east stays; west keeps those it still uses
  await waitFor(async () => (await north.kube.listCr(CR.rerc, 'redis-north')).items.length === 0, { ...T, message: 'north\'s operator-made RERCs deleted' });
  await waitFor(async () => (await west.get(CR.rerc, 'rerc-north')) === undefined, { ...T, message: 'rerc-north deleted on west' });
  assert.ok(await east.get(CR.rerc, 'rerc-north'), 'the user\'s rerc-north on east is never deleted by the operator');
  for (const name of ['rerc-east', 'rerc-west']) assert.ok(await west.get(CR.rerc, name), `${name} still on west`);
});

test('an RERC in use cannot be deleted until no REAADB lists it', { skip }, async () => {
  await east.kube.deleteCr(CR.rerc, 'redis-east', 'rerc-west');
  const blocked = await waitFor(async () => (await east.get<unknown, RercStatus>(CR.rerc, 'rerc-west'))?.status?.conditions?.find((c) => c.type === 'DeletionBlocked'), { ...T, message: 'DeletionBlocked' });
  assert.match(blocked.message, /orders still lists this cluster/);
});

test('deleting the REAADB deletes the database everywhere and releases the finalizers', { skip }, async () => {
  const guid = (await aaStatus(east))!.guid!;
  await east.kube.deleteCr(CR.reaadb, 'redis-east', 'orders');
  for (const c of [east, west]) await waitFor(async () => (await c.get(CR.reaadb, 'orders')) === undefined, { ...T, message: `orders gone on ${c.label}` });
  for (const [c, ns] of [
    [east, 'redis-east'],
    [west, 'redis-west'],
  ] as const) {
    assert.equal(await c.kube.read('v1', 'Service', ns, 'orders'), undefined, 'the database Service goes with the REAADB');
    assert.equal(await c.kube.read('networking.k8s.io/v1', 'Ingress', ns, 'orders'), undefined);
  }
  for (const [c, rec] of [
    [east, 'rec-east'],
    [west, 'rec-west'],
  ] as const) {
    await waitFor(async () => !(await (await c.clusterApi(rec)).crdbs()).some((x) => x.guid === guid), { ...T, message: `CRDB gone on ${rec}` });
  }
  // the RERC whose deletion waited is now released too
  await waitFor(async () => (await east.get(CR.rerc, 'rerc-west')) === undefined, { ...T, message: 'rerc-west released' });
  // the RERCs west's operator made are deleted with the last REAADB using them; east's user RERC stays
  await waitFor(async () => (await west.kube.listCr(CR.rerc, 'redis-west')).items.length === 0, { ...T, message: 'west\'s operator-made RERCs deleted' });
  assert.ok(await east.get(CR.rerc, 'rerc-east'), 'the user\'s rerc-east is never deleted by the operator');
});
