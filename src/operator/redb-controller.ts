/**
 * REDB controller: a plain database through `/v1/bdbs` on the namespace's REC, its Secret
 * (password, port, service name; generated when absent) and Service; deleted with the resource.
 */
import { randomBytes } from 'node:crypto';
import type * as k8s from '@kubernetes/client-node';
import { unsupportedFields } from './admission/rules.js';
import { ClusterApiError, type Bdb } from './cluster-api.js';
import { FINALIZERS, type OperatorContext } from './context.js';
import { configMatches, toDatabaseConfig } from './db-config.js';
import { CR, ownerReference, type Resource } from './kube.js';
import { recLabels } from './rec-controller.js';
import type { ReconcileResult } from './runtime/controller.js';
import { setCondition, withUnsupportedFields } from './runtime/conditions.js';
import type { DatabaseSpec } from './schemas/database-spec.js';
import type { RecSpec } from './schemas/rec.js';
import type { RedbStatus } from './schemas/redb.js';

export const redbSecretName = (name: string): string => `redb-${name}`;

export async function reconcileRedb(ctx: OperatorContext, raw: Resource): Promise<ReconcileResult> {
  const obj = raw as Resource<DatabaseSpec, RedbStatus>;
  const ns = obj.metadata.namespace!;
  const gen = obj.metadata.generation ?? 1;
  const status: RedbStatus = { ...(obj.status ?? {}) };
  const write = async () => {
    status.observedGeneration = gen;
    if (JSON.stringify(status) !== JSON.stringify(obj.status ?? {})) await ctx.kube.patchCrStatus(CR.redb, ns, obj.metadata.name, status);
  };
  const rec = obj.spec.redisEnterpriseCluster?.name
    ? await ctx.kube.getCr<RecSpec, unknown>(CR.rec, ns, obj.spec.redisEnterpriseCluster.name)
    : (await ctx.kube.listCr<RecSpec, unknown>(CR.rec, ns)).items[0];
  const api = rec ? await ctx.recApi(ns, rec.metadata.name) : undefined;
  const find = async (): Promise<Bdb | undefined> => (api ? (await api.bdbs()).find((b) => b.name === obj.metadata.name) : undefined);

  if (obj.metadata.deletionTimestamp) {
    const b = await find();
    if (b) await api!.deleteBdb(b.uid);
    await ctx.kube.setFinalizers(CR.redb, obj, (obj.metadata.finalizers ?? []).filter((f) => f !== FINALIZERS.redb));
    return {};
  }
  if (!(obj.metadata.finalizers ?? []).includes(FINALIZERS.redb)) {
    await ctx.kube.setFinalizers(CR.redb, obj, [...(obj.metadata.finalizers ?? []), FINALIZERS.redb]);
    return {};
  }
  const unsupported = unsupportedFields(obj.spec as Record<string, unknown>);
  status.conditions = withUnsupportedFields(status.conditions, unsupported, gen);
  if (!rec || !api) {
    status.status = 'pending';
    status.conditions = setCondition(status.conditions, { type: 'Ready', status: 'False', reason: 'NoCluster', message: `no RedisEnterpriseCluster (with its credentials secret) in namespace ${ns}`, observedGeneration: gen });
    await write();
    return { requeueAfterMs: 2000 };
  }
  status.redisEnterpriseCluster = rec.metadata.name;
  status.specStatus = 'Valid';

  // the database secret: the given one, or redb-<name> generated once (reference §4.2)
  const secretName = obj.spec.databaseSecretName ?? redbSecretName(obj.metadata.name);
  let secret = await ctx.kube.secretData(ns, secretName);
  if (!secret && obj.spec.databaseSecretName === undefined) {
    await ctx.kube.objects.create({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: secretName, namespace: ns, ownerReferences: [ownerReference(obj)] },
      type: 'Opaque',
      stringData: { password: obj.spec.defaultUser === false ? '' : randomBytes(12).toString('base64url') },
    } as k8s.V1Secret);
    secret = await ctx.kube.secretData(ns, secretName);
  }
  if (!secret) {
    status.conditions = setCondition(status.conditions, { type: 'Ready', status: 'False', reason: 'SecretMissing', message: `secret ${secretName} does not exist`, observedGeneration: gen });
    await write();
    return { requeueAfterMs: 2000 };
  }
  const want = { ...toDatabaseConfig(obj.spec, false), authentication_redis_pass: secret.data.password ?? '' };
  try {
    let b = await find();
    if (!b) {
      b = await api.createBdb({ name: obj.metadata.name, eviction_policy: 'volatile-lru', ...want });
      await ctx.events.record(obj, 'Normal', 'Created', `created database ${obj.metadata.name} (uid ${b.uid})`);
    } else {
      const { shards_count: _s, port: _p, replication: _r, ...mutable } = want;
      if (!configMatches(mutable, b as never)) b = await api.updateBdb(b.uid, mutable);
    }
    const port = b.endpoints?.[0]?.port ?? b.port ?? 0;
    await ctx.kube.ensure({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: obj.metadata.name, namespace: ns, ownerReferences: [ownerReference(obj)] },
      spec: { selector: recLabels(rec), ports: [{ name: 'redis', port: obj.spec.databaseServicePort ?? port, targetPort: port as unknown as k8s.IntOrString }] },
    } as k8s.V1Service);
    status.status = b.status;
    status.databaseUID = String(b.uid);
    status.internalEndpoints = [{ host: `${obj.metadata.name}.${ns}.svc.cluster.local`, port: obj.spec.databaseServicePort ?? port }];
    status.shardStatuses = { active: b.status === 'active' ? 1 : 0 };
    status.conditions = setCondition(status.conditions, { type: 'Ready', status: b.status === 'active' ? 'True' : 'False', reason: b.status === 'active' ? 'Active' : 'NotActive', message: `database ${b.uid} is ${b.status}`, observedGeneration: gen });
  } catch (e) {
    if (!(e instanceof ClusterApiError) || e.status === 0 || e.status >= 500) throw e;
    status.status = status.databaseUID ? 'error' : 'creation-failed';
    status.conditions = setCondition(status.conditions, { type: 'Ready', status: 'False', reason: e.errorCode, message: e.description, observedGeneration: gen });
    await ctx.events.record(obj, 'Warning', 'ApiError', e.message);
  }
  await write();
  return { requeueAfterMs: ctx.opts.pollMs ?? 10_000 };
}
