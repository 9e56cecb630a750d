/**
 * RERC controller (reference §5.2): validates the `redis-enterprise-<name>` secret, decides
 * `local`, probes the remote REST API periodically (also the local one, through its external
 * URL), publishes `status`/`specStatus`/`observedGeneration`; deletion waits while a REAADB lists it.
 */
import { ClusterApi } from './cluster-api.js';
import { FINALIZERS, type OperatorContext } from './context.js';
import { CR, type Resource } from './kube.js';
import type { ReconcileResult } from './runtime/controller.js';
import { setCondition } from './runtime/conditions.js';
import type { ReaadbSpec } from './schemas/reaadb.js';
import { rercSecretName, type RercSpec, type RercStatus } from './schemas/rerc.js';

export async function reaadbsUsing(ctx: OperatorContext, namespace: string, rercName: string): Promise<string[]> {
  const all = (await ctx.kube.listCr<ReaadbSpec, unknown>(CR.reaadb, namespace)).items;
  return all.filter((a) => a.spec.participatingClusters.some((p) => p.name === rercName)).map((a) => a.metadata.name);
}

export async function reconcileRerc(ctx: OperatorContext, obj: Resource): Promise<ReconcileResult> {
  const rerc = obj as Resource<RercSpec, RercStatus>;
  const ns = rerc.metadata.namespace!;
  const gen = rerc.metadata.generation ?? 1;
  const status: RercStatus = { ...(rerc.status ?? {}) };
  const write = async () => {
    status.observedGeneration = gen;
    if (JSON.stringify(status) !== JSON.stringify(rerc.status ?? {})) await ctx.kube.patchCrStatus(CR.rerc, ns, rerc.metadata.name, status);
  };

  if (rerc.metadata.deletionTimestamp) {
    const users = await reaadbsUsing(ctx, ns, rerc.metadata.name);
    if (users.length > 0) {
      const msg = `deletion waits: Active-Active database${users.length > 1 ? 's' : ''} ${users.join(', ')} still list${users.length > 1 ? '' : 's'} this cluster; remove it from their participatingClusters first`;
      status.conditions = setCondition(status.conditions, { type: 'DeletionBlocked', status: 'True', reason: 'InUse', message: msg, observedGeneration: gen });
      await ctx.events.record(rerc, 'Warning', 'DeletionBlocked', msg);
      await write();
      return { requeueAfterMs: 5000 };
    }
    await ctx.kube.setFinalizers(CR.rerc, rerc, (rerc.metadata.finalizers ?? []).filter((f) => f !== FINALIZERS.rerc));
    return {};
  }
  if (!(rerc.metadata.finalizers ?? []).includes(FINALIZERS.rerc)) {
    await ctx.kube.setFinalizers(CR.rerc, rerc, [...(rerc.metadata.finalizers ?? []), FINALIZERS.rerc]);
    return {};
  }

  status.local = await ctx.isLocal(rerc);
  const secretName = rerc.spec.secretName ?? rercSecretName(rerc.metadata.name);
  const secret = await ctx.kube.secretData(ns, secretName);
  const problems: string[] = [];
  if (secretName !== rercSecretName(rerc.metadata.name)) problems.push(`spec.secretName must be ${rercSecretName(rerc.metadata.name)}`);
  if (!secret) problems.push(`secret ${secretName} does not exist in namespace ${ns}; apply the participating clusters' credential secrets on every cluster`);
  else if (!secret.data.username || secret.data.password === undefined) problems.push(`secret ${secretName} must have the keys username and password`);
  if (problems.length > 0) {
    status.specStatus = 'Invalid';
    status.status = 'Error';
    status.conditions = setCondition(status.conditions, { type: 'SpecValid', status: 'False', reason: 'InvalidSecret', message: problems.join('; '), observedGeneration: gen });
    await ctx.events.record(rerc, 'Warning', 'InvalidSpec', problems.join('; '));
    await write();
    return { requeueAfterMs: ctx.opts.pollMs ?? 10_000 };
  }
  status.specStatus = 'Valid';
  status.internalObservedSecretResourceVersion = secret!.resourceVersion;
  status.conditions = setCondition(status.conditions, { type: 'SpecValid', status: 'True', reason: 'Valid', message: 'spec and credentials secret are valid', observedGeneration: gen });

  const url = ctx.rercApiUrl(rerc.spec);
  const api = new ClusterApi(url, { username: secret!.data.username!, password: secret!.data.password! }, ctx.opts.clusterTls, 5000);
  try {
    const info = await api.cluster();
    const expected = `${rerc.spec.recName}.${rerc.spec.recNamespace}.svc.cluster.local`;
    if (info.name !== expected) throw new Error(`the API at ${url} belongs to cluster ${info.name}, not ${expected}; check apiFqdnUrl/apiPort`);
    if (status.status !== 'Active') await ctx.events.record(rerc, 'Normal', 'Connected', `connected to ${info.name} at ${url}`);
    status.status = 'Active';
    status.conditions = setCondition(status.conditions, { type: 'Reachable', status: 'True', reason: 'Connected', message: `the REST API at ${url} answers`, observedGeneration: gen });
  } catch (e) {
    const msg = `cannot reach the REST API at ${url}: ${(e as Error).message}`;
    if (status.status !== 'Error') await ctx.events.record(rerc, 'Warning', 'Unreachable', msg);
    status.status = 'Error';
    status.conditions = setCondition(status.conditions, { type: 'Reachable', status: 'False', reason: 'Unreachable', message: msg, observedGeneration: gen });
  }
  await write();
  return { requeueAfterMs: ctx.opts.pollMs ?? 10_000 };
}
