/**
 * REAADB controller (reference §5.3–5.6). On the cluster where a REAADB is applied it creates the
 * Active-Active database through `POST /v1/crdbs` on the local cluster, follows the task, then
 * keeps the CRDB and the resource in step:
 *
 * - a spec change made here (generation > observedGeneration) is pushed: `PATCH` of
 *   `default_db_config` and per-instance `db_config` (overrides), `updates` with
 *   `add_instances`/`remove_instances` for membership;
 * - a change made elsewhere (the CRDB differs while the spec is already observed) is pulled into
 *   the spec, so every participant's REAADB converges to the same globalConfigurations;
 * - peers discover CRDBs the operator created (tag `managed_by` in `default_db_config`) on their
 *   own cluster and materialise the REAADB there, with the RERCs it needs (rerc-propagation.ts);
 * - deleting the REAADB anywhere deletes the CRDB; a participant whose instance is gone releases
 *   its REAADB.
 * `existingDbGuid` adopts a CRDB created with crdb-cli without recreating it.
 */
import { unsupportedFields } from './admission/rules.js';
import { ClusterApi, ClusterApiError, taskDone, type Crdb, type DatabaseConfig, type InstanceInfo } from './cluster-api.js';
import { clusterFqdn, FINALIZERS, type OperatorContext } from './context.js';
import { configMatches, configTag as tag, fromDatabaseConfig, toDatabaseConfig } from './db-config.js';
import type * as k8s from '@kubernetes/client-node';
import { CR, ownerReference, statusOf, type Resource } from './kube.js';
import { recLabels } from './rec-controller.js';
import type { RecSpec } from './schemas/rec.js';
import type { ReconcileResult } from './runtime/controller.js';
import { setCondition, withUnsupportedFields } from './runtime/conditions.js';
import type { ParticipatingCluster, ReaadbSpec, ReaadbStatus } from './schemas/reaadb.js';
import type { RercSpec, RercStatus } from './schemas/rerc.js';
import type { DatabaseSpec } from './schemas/database-spec.js';
import { collectRercs, ensureRercs, mergeRercSpecs, RERC_SPECS_TAG, rercSpecsOf } from './rerc-propagation.js';

export const MANAGED_BY = 'tandem-operator';
type Tag = { key: string; value: string };
const managedByUs = (c: Crdb): boolean => tag(c.default_db_config, 'managed_by') === MANAGED_BY;

interface Participant {
  pc: ParticipatingCluster;
  rerc: Resource<RercSpec, RercStatus>;
  fqdn: string;
}

export interface ReaadbOptions {
  /** Set instances' replication_endpoint/SNI from the RERC dbFqdnSuffix (ingress setups; default true). */
  ingressReplicationEndpoints?: boolean;
}


class Pending extends Error {}

export class ReaadbReconciler {
  constructor(
    private readonly ctx: OperatorContext,
    private readonly opts: ReaadbOptions = {},
  ) {}

  private async participants(ns: string, spec: ReaadbSpec): Promise<{ list: Participant[]; problems: string[] }> {
    const list: Participant[] = [];
    const problems: string[] = [];
    for (const pc of spec.participatingClusters) {
      const rerc = await this.ctx.kube.getCr<RercSpec, RercStatus>(CR.rerc, ns, pc.name);
      if (!rerc) problems.push(`RERC ${pc.name} does not exist in namespace ${ns}`);
      else list.push({ pc, rerc, fqdn: clusterFqdn(rerc.spec.recName, rerc.spec.recNamespace) });
    }
    return { list, problems };
  }

  private async instance(p: Participant, dbName: string): Promise<InstanceInfo> {
    const creds = await this.ctx.rercCredentials(p.rerc);
    if (!creds) throw new Pending(`the credentials secret of RERC ${p.rerc.metadata.name} is missing`);
    const suffix = p.rerc.spec.dbFqdnSuffix;
    const withEndpoint = (this.opts.ingressReplicationEndpoints ?? true) && suffix !== undefined;
    return {
      cluster: {
        name: p.fqdn,
        url: this.ctx.rercApiUrl(p.rerc.spec),
        credentials: creds,
        ...(withEndpoint ? { replication_endpoint: `${dbName}${suffix}:${p.pc.externalReplicationPort ?? 443}`, replication_tls_sni: `${dbName}${suffix}` } : {}),
      },
      compression: 3,
      ...(p.pc.overrides ? { db_config: toDatabaseConfig(p.pc.overrides, true) } : {}),
    };
  }

  /** `existing`: the CRDB as it is (its RERC specs are kept, see mergeRercSpecs). */
  private async defaultConfig(obj: Resource<ReaadbSpec>, participants: Participant[], existing?: Crdb): Promise<DatabaseConfig> {
    const gc = obj.spec.globalConfigurations ?? {};
    const c: DatabaseConfig & { tags?: Tag[] } = { eviction_policy: 'noeviction', ...toDatabaseConfig(gc, true) };
    if (gc.databaseSecretName) {
      const s = await this.ctx.kube.secretData(obj.metadata.namespace!, gc.databaseSecretName);
      if (!s || s.data.password === undefined) throw new Pending(`secret ${gc.databaseSecretName} (key password) is missing`);
      c.authentication_redis_pass = s.data.password;
    }
    // operator bookkeeping (reference §5.3 bdb tags): lets peer operators materialise the REAADB and its RERCs
    const rercs = mergeRercSpecs(rercSpecsOf(existing?.default_db_config), participants);
    c.tags = [
      { key: 'managed_by', value: MANAGED_BY },
      { key: 'redb_resource_name', value: obj.metadata.name },
      { key: 'rerc_name', value: JSON.stringify(Object.fromEntries(Object.entries(rercs).map(([fqdn, e]) => [fqdn, e.name]))) },
      { key: RERC_SPECS_TAG, value: JSON.stringify(rercs) },
      ...(gc.databaseSecretName ? [{ key: 'redis.io/db-sec-name', value: gc.databaseSecretName }] : []),
      ...Object.entries(gc.tags ?? {}).map(([key, value]) => ({ key, value })),
    ];
    return c;
  }

  private async localApi(participants: Participant[], namespace: string): Promise<{ api: ClusterApi; local: Participant } | undefined> {
    // with several participating clusters in one Kubernetes cluster, the REC of the REAADB's own namespace is the local one
    const ordered = [...participants.filter((p) => p.rerc.spec.recNamespace === namespace), ...participants.filter((p) => p.rerc.spec.recNamespace !== namespace)];
    for (const p of ordered) {
      if (await this.ctx.isLocal(p.rerc)) {
        const api = await this.ctx.recApi(p.rerc.spec.recNamespace, p.rerc.spec.recName);
        if (api) return { api, local: p };
      }
    }
    return undefined;
  }

  private async followTask(api: ClusterApi, id: string): Promise<{ done: boolean; guid?: string; error?: string }> {
    const t = await api.task(id);
    if (!taskDone(t)) return { done: false };
    if (t.status !== 'finished') return { done: true, error: (t.errors ?? []).map((e) => `${e.cluster_name ?? ''} ${e.error_code}: ${e.description}`.trim()).join('; ') || `task ${id} ${t.status}` };
    return { done: true, ...(t.crdb_guid ? { guid: t.crdb_guid } : {}) };
  }

  async reconcile(raw: Resource): Promise<ReconcileResult> {
    const obj = raw as Resource<ReaadbSpec, ReaadbStatus>;
    const ctx = this.ctx;
    const ns = obj.metadata.namespace!;
    const gen = obj.metadata.generation ?? 1;
    const status: ReaadbStatus = { ...(obj.status ?? {}) };
    const poll = ctx.opts.pollMs ?? 5000;
    const write = async (observed = true) => {
      if (observed) status.observedGeneration = gen;
      if (JSON.stringify(status) !== JSON.stringify(obj.status ?? {})) await ctx.kube.patchCrStatus(CR.reaadb, ns, obj.metadata.name, status);
    };
    const cond = (type: string, ok: boolean, reason: string, message: string) => {
      status.conditions = setCondition(status.conditions, { type, status: ok ? 'True' : 'False', reason, message, observedGeneration: gen });
    };

    const { list: participants, problems } = await this.participants(ns, obj.spec);
    const local = await this.localApi(participants, ns);

    // ---- deletion
    if (obj.metadata.deletionTimestamp) {
      if (status.guid && local) {
        try {
          await local.api.crdb(status.guid);
          if (status.status !== 'delete-pending') {
            const t = await local.api.deleteCrdb(status.guid);
            status.status = 'delete-pending';
            status.lastTaskUid = t.id;
            await ctx.events.record(obj, 'Normal', 'Deleting', `deleting Active-Active database ${status.guid} on every participating cluster (task ${t.id})`);
            await write(false);
          }
          return { requeueAfterMs: 500 };
        } catch (e) {
          if (!(e instanceof ClusterApiError && e.status === 404)) throw e;
        }
      }
      await ctx.kube.setFinalizers(CR.reaadb, obj, (obj.metadata.finalizers ?? []).filter((f) => f !== FINALIZERS.reaadb));
      return {};
    }
    if (!(obj.metadata.finalizers ?? []).includes(FINALIZERS.reaadb)) {
      await ctx.kube.setFinalizers(CR.reaadb, obj, [...(obj.metadata.finalizers ?? []), FINALIZERS.reaadb]);
      return {};
    }

    const unsupported = unsupportedFields(obj.spec.globalConfigurations as Record<string, unknown> | undefined);
    // never ignored silently
    status.conditions = withUnsupportedFields(status.conditions, unsupported, gen, 'globalConfigurations field');

    if (problems.length > 0 || !local) {
      const msg = problems.length > 0 ? problems.join('; ') : 'none of the participating clusters is managed by this operator (no RERC is local); add the local cluster\'s RERC';
      status.specStatus = 'Invalid';
      cond('SpecValid', false, 'InvalidReference', msg);
      await ctx.events.record(obj, 'Warning', 'InvalidSpec', msg);
      await write();
      return { requeueAfterMs: poll };
    }
    status.specStatus = 'Valid';
    cond('SpecValid', true, 'Valid', 'participating clusters resolved');
    status.redisEnterpriseCluster = local.local.rerc.spec.recName;
    status.secretsStatus = await this.secretsStatus(obj);
    const notActive = participants.filter((p) => p.rerc.status?.status !== 'Active');

    try {
      // ---- creation / adoption
      let materialisedNow = false;
      if (!status.guid) {
        if (obj.spec.existingDbGuid) {
          const crdb = await local.api.crdb(obj.spec.existingDbGuid).catch((e: unknown) => {
            if (e instanceof ClusterApiError && e.status === 404) throw new Pending(`no Active-Active database with GUID ${obj.spec.existingDbGuid} on the local cluster (crdb-cli crdb list shows them)`);
            throw e;
          });
          status.guid = crdb.guid;
          materialisedNow = obj.metadata.annotations?.['tandem.io/materialized-from'] === crdb.guid;
          await ctx.events.record(obj, 'Normal', 'Adopted', `adopted Active-Active database ${crdb.name} (${crdb.guid}) without recreating it`);
        } else if (status.lastTaskUid) {
          const r = await this.followTask(local.api, status.lastTaskUid);
          if (!r.done) {
            status.status = 'pending';
            await write(false);
            return { requeueAfterMs: 300 };
          }
          if (r.error || !r.guid) {
            status.status = 'creation-failed';
            delete status.lastTaskUid;
            cond('Ready', false, 'CreationFailed', r.error ?? 'the create task finished without a GUID');
            await ctx.events.record(obj, 'Warning', 'CreationFailed', r.error ?? 'no GUID');
            await write();
            return { requeueAfterMs: poll * 4 };
          }
          status.guid = r.guid;
          await ctx.events.record(obj, 'Normal', 'Created', `created Active-Active database ${obj.metadata.name} (${r.guid})`);
        } else {
          if (notActive.length > 0) throw new Pending(`waiting for RERC ${notActive.map((p) => p.rerc.metadata.name).join(', ')} to be Active`);
          const existing = (await local.api.crdbs()).find((c) => c.name === obj.metadata.name && managedByUs(c));
          if (existing) status.guid = existing.guid;
          else {
            const instances = await Promise.all(participants.map((p) => this.instance(p, obj.metadata.name)));
            const task = await local.api.createCrdb({ name: obj.metadata.name, encryption: false, default_db_config: await this.defaultConfig(obj, participants), instances });
            status.lastTaskUid = task.id;
            status.status = 'pending';
            cond('Ready', false, 'Creating', `creating the Active-Active database (task ${task.id})`);
            await write(false);
            return { requeueAfterMs: 300 };
          }
        }
      }

      // ---- steady state
      let crdb: Crdb;
      try {
        crdb = await local.api.crdb(status.guid!);
      } catch (e) {
        if (e instanceof ClusterApiError && e.status === 404) {
          // our instance is gone: removed from the database, or the database was deleted elsewhere
          await ctx.events.record(obj, 'Normal', 'InstanceGone', `the local instance of ${status.guid} no longer exists; releasing this REAADB`);
          await ctx.kube.deleteCr(CR.reaadb, ns, obj.metadata.name);
          return {};
        }
        throw e;
      }
      if (status.lastTaskUid && status.status === 'active-change-pending') {
        const r = await this.followTask(local.api, status.lastTaskUid).catch(() => ({ done: true, error: undefined }));
        if (!r.done) return { requeueAfterMs: 300 };
        if (r.error) {
          cond('ConfigApplied', false, 'UpdateFailed', r.error);
          status.observedGeneration = gen; // not retried: the CRDB's state is pulled back into the spec
        }
      }
      // a REAADB materialised from the CRDB starts in step with it: nothing to push
      const changedHere = (status.observedGeneration ?? 0) < gen && !materialisedNow;
      if (changedHere) {
        const pushed = await this.push(obj, crdb, participants, local.api, status);
        if (pushed) {
          status.status = 'active-change-pending';
          // after a membership change the generation is not yet done: the next pass sends the
          // configuration (the bookkeeping tags name the RERCs of the new participants)
          await write(pushed === 'config');
          return { requeueAfterMs: 300 };
        }
      } else {
        const pulled = await this.pull(obj, crdb, participants);
        if (pulled) return { requeueAfterMs: 100 };
      }
      await this.publish(obj, crdb, local.api, status, local.local);
      cond('ConfigApplied', true, 'InSync', 'the database configuration matches the spec');
      if (notActive.length > 0) {
        status.status = 'error';
        cond('Ready', false, 'ParticipantUnreachable', `participating cluster${notActive.length > 1 ? 's' : ''} ${notActive.map((p) => p.rerc.metadata.name).join(', ')} not Active`);
      }
      await write();
      return { requeueAfterMs: poll };
    } catch (e) {
      const msg = e instanceof Pending ? e.message : (e as Error).message;
      cond('Ready', false, e instanceof Pending ? 'Waiting' : 'ApiError', msg);
      if (!status.status) status.status = 'pending';
      await write(false);
      if (e instanceof Pending) return { requeueAfterMs: Math.min(poll, 2000) };
      throw e;
    }
  }

  /** Sends spec changes made here to the CRDB (membership first, then configuration); what a started task changes. */
  private async push(obj: Resource<ReaadbSpec, ReaadbStatus>, crdb: Crdb, participants: Participant[], api: ClusterApi, status: ReaadbStatus): Promise<'membership' | 'config' | false> {
    const have = new Map(crdb.instances.map((i) => [i.cluster.name, i]));
    const want = new Set(participants.map((p) => p.fqdn));
    const add = participants.filter((p) => !have.has(p.fqdn));
    const remove = crdb.instances.filter((i) => !want.has(i.cluster.name)).map((i) => i.id);
    if (add.length > 0 || remove.length > 0) {
      const t = await api.modifyCrdb(crdb.guid, {
        ...(add.length > 0 ? { add_instances: await Promise.all(add.map((p) => this.instance(p, crdb.name))) } : {}),
        ...(remove.length > 0 ? { remove_instances: remove } : {}),
      });
      status.lastTaskUid = t.id;
      await this.ctx.events.record(obj, 'Normal', 'MembershipChanged', `${add.length ? `adding ${add.map((p) => p.rerc.metadata.name).join(', ')}` : ''}${add.length && remove.length ? '; ' : ''}${remove.length ? `removing instance ${remove.join(', ')}` : ''} (task ${t.id})`);
      return 'membership';
    }
    const def = await this.defaultConfig(obj, participants, crdb);
    const perInstance = participants
      .map((p) => ({ id: have.get(p.fqdn)!.id, want: p.pc.overrides ? toDatabaseConfig(p.pc.overrides, true) : {}, cur: have.get(p.fqdn)!.db_config ?? {} }))
      .filter((x) => !configMatches(x.want, x.cur) || Object.keys(x.cur).some((k) => !(k in x.want)));
    if (!configMatches(def, crdb.default_db_config) || perInstance.length > 0) {
      const t = await api.patchCrdb(crdb.guid, {
        default_db_config: def,
        ...(perInstance.length > 0 ? { instances: perInstance.map((x) => ({ id: x.id, db_config: x.want })) } : {}),
      });
      status.lastTaskUid = t.id;
      await this.ctx.events.record(obj, 'Normal', 'ConfigUpdated', `applying globalConfigurations to every instance (task ${t.id})`);
      return 'config';
    }
    return false;
  }

  /** Brings this REAADB's spec to changes made on another participant; true when it patched the spec. */
  private async pull(obj: Resource<ReaadbSpec, ReaadbStatus>, crdb: Crdb, participants: Participant[]): Promise<boolean> {
    const fromCrdb = fromDatabaseConfig(crdb.default_db_config);
    const gc = obj.spec.globalConfigurations ?? {};
    const diff: Partial<DatabaseSpec> = {};
    for (const [k, v] of Object.entries(fromCrdb)) {
      const cur = (gc as Record<string, unknown>)[k];
      const same = k === 'memorySize' ? toDatabaseConfig({ memorySize: cur as string }, true).memory_size === crdb.default_db_config.memory_size : JSON.stringify(cur) === JSON.stringify(v);
      if (cur === undefined && k !== 'memorySize') continue; // a default the spec leaves implicit
      if (!same) (diff as Record<string, unknown>)[k] = v;
    }
    // RERCs of participants added elsewhere are created here first (the webhook wants them to exist)
    const names = await ensureRercs(this.ctx, obj.metadata.namespace!, crdb);
    const have = new Set(participants.map((p) => p.fqdn));
    // an instance without an RERC here yet is waited for: a partial list would remove it on the next push
    const membershipChanged = (crdb.instances.length !== participants.length || crdb.instances.some((i) => !have.has(i.cluster.name))) && crdb.instances.every((i) => names.has(i.cluster.name));
    if (Object.keys(diff).length === 0 && !membershipChanged) return false;
    const patch: Record<string, unknown> = {};
    if (Object.keys(diff).length > 0) patch.globalConfigurations = diff;
    if (membershipChanged) {
      const byName = new Map(obj.spec.participatingClusters.map((p) => [p.name, p]));
      patch.participatingClusters = crdb.instances.map((i) => byName.get(names.get(i.cluster.name)!) ?? { name: names.get(i.cluster.name)! });
    }
    await this.ctx.kube.patchCr(CR.reaadb, obj.metadata.namespace!, obj.metadata.name, { spec: patch });
    // mark the pulled spec as observed so it is not pushed back
    const fresh = await this.ctx.kube.getCr<ReaadbSpec, ReaadbStatus>(CR.reaadb, obj.metadata.namespace!, obj.metadata.name);
    if (fresh) await this.ctx.kube.patchCrStatus(CR.reaadb, obj.metadata.namespace!, obj.metadata.name, { observedGeneration: fresh.metadata.generation });
    await this.ctx.events.record(obj, 'Normal', 'Synced', `took the configuration changed on another participating cluster`);
    return true;
  }

  /** fqdn → RERC name, from the operator tag and the local RERCs. */
  private async rercNamesFor(ns: string, crdb: Crdb): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    const rercs = (await this.ctx.kube.listCr<RercSpec, RercStatus>(CR.rerc, ns)).items;
    let tagged: Record<string, string> = {};
    try {
      tagged = JSON.parse(tag(crdb.default_db_config, 'rerc_name') ?? '{}') as Record<string, string>;
    } catch {
      tagged = {};
    }
    for (const i of crdb.instances) {
      const r = rercs.find((x) => clusterFqdn(x.spec.recName, x.spec.recNamespace) === i.cluster.name);
      const name = r?.metadata.name ?? tagged[i.cluster.name];
      if (name) out.set(i.cluster.name, name);
    }
    return out;
  }

  private async secretsStatus(obj: Resource<ReaadbSpec>): Promise<ReaadbStatus['secretsStatus']> {
    const name = obj.spec.globalConfigurations?.databaseSecretName;
    if (!name) return [];
    const s = await this.ctx.kube.secretData(obj.metadata.namespace!, name);
    return [{ name, status: s && s.data.password !== undefined ? 'Valid' : 'Invalid' }];
  }

  private async publish(obj: Resource<ReaadbSpec>, crdb: Crdb, api: ClusterApi, status: ReaadbStatus, local: Participant): Promise<void> {
    const localDb = crdb.local_databases?.[0];
    let bdbStatus = 'pending';
    const linkUp = new Map<number, boolean>();
    if (localDb) {
      const bdb = await api.bdb(Number(localDb.bdb_uid));
      bdbStatus = bdb.status;
      await this.exposeDatabase(obj, bdb.endpoints?.[0]?.port ?? bdb.port, local);
      for (const s of bdb.crdt_sources ?? []) linkUp.set(s.uid, s.status === 'in-sync');
      linkUp.set(localDb.id, bdb.status === 'active');
    }
    const names = await this.rercNamesFor(obj.metadata.namespace!, crdb);
    status.participatingClusters = crdb.instances.map((i) => ({
      name: names.get(i.cluster.name) ?? i.cluster.name,
      id: i.id,
      replicationStatus: linkUp.get(i.id) ? 'up' : 'down',
    }));
    status.replicationStatus = status.participatingClusters.every((p) => p.replicationStatus === 'up') ? 'up' : 'down';
    status.status = bdbStatus;
    if (bdbStatus === 'active') this.ctx.log.info(`reaadb ${obj.metadata.namespace}/${obj.metadata.name}: active, replication ${status.replicationStatus}`);
    status.conditions = setCondition(status.conditions, {
      type: 'Ready',
      status: bdbStatus === 'active' ? 'True' : 'False',
      reason: bdbStatus === 'active' ? 'Active' : 'NotActive',
      message: `local instance ${localDb?.id ?? '?'} is ${bdbStatus}; replication ${status.replicationStatus}`,
      observedGeneration: obj.metadata.generation ?? 1,
    });
  }

  /**
   * The services rigger's part (reference §1.4 step 14): a ClusterIP Service named after the
   * database, `<name>-headless`, and for `ingressOrRouteSpec.method: ingress` an Ingress for
   * `<name><dbFqdnSuffix>` (TLS passthrough) — all owned by the REAADB, so they go with it.
   */
  private async exposeDatabase(obj: Resource<ReaadbSpec>, port: number | undefined, local: Participant): Promise<void> {
    const ns = obj.metadata.namespace!;
    if (port === undefined || local.rerc.spec.recNamespace !== ns) return; // a Service selects pods of its own namespace only
    const rec = await this.ctx.kube.getCr<RecSpec, unknown>(CR.rec, ns, local.rerc.spec.recName);
    if (!rec) return;
    const servicePort = obj.spec.globalConfigurations?.databaseServicePort ?? port;
    const owner = [ownerReference(obj)];
    for (const [name, headless] of [
      [obj.metadata.name, false],
      [`${obj.metadata.name}-headless`, true],
    ] as const) {
      await this.ctx.kube.ensure({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name, namespace: ns, labels: { ...recLabels(rec), 'redis.io/bdb': obj.metadata.name }, ownerReferences: owner },
        spec: { selector: recLabels(rec), ports: [{ name: 'redis', port: servicePort, targetPort: port as unknown as k8s.IntOrString }], ...(headless ? { clusterIP: 'None' } : {}) },
      } as k8s.V1Service);
    }
    const route = rec.spec.ingressOrRouteSpec;
    if (route?.method === 'ingress') {
      const host = `${obj.metadata.name}${route.dbFqdnSuffix}`;
      await this.ctx.kube.ensure({
        apiVersion: 'networking.k8s.io/v1',
        kind: 'Ingress',
        metadata: { name: obj.metadata.name, namespace: ns, annotations: route.ingressAnnotations ?? {}, ownerReferences: owner },
        spec: {
          rules: [{ host, http: { paths: [{ path: '/', pathType: 'ImplementationSpecific', backend: { service: { name: obj.metadata.name, port: { number: servicePort } } } }] } }],
          tls: [{ hosts: [host] }],
        },
      } as k8s.V1Ingress);
    }
  }

  /**
   * Peer side: CRDBs created by an operator elsewhere that include this cluster get a REAADB here
   * (reference §5.3 step 5), in the participating cluster's `namespace` or the REC namespace.
   */
  async materialise(namespace: string): Promise<void> {
    const ctx = this.ctx;
    const rec = (await ctx.kube.listCr(CR.rec, namespace)).items[0];
    if (!rec) return;
    const api = await ctx.recApi(namespace, rec.metadata.name);
    if (!api) return;
    let crdbs: Crdb[];
    try {
      crdbs = await api.crdbs();
    } catch {
      return;
    }
    const mine = (await ctx.kube.listCr<ReaadbSpec, ReaadbStatus>(CR.reaadb, namespace)).items;
    for (const crdb of crdbs.filter(managedByUs)) {
      if (mine.some((r) => r.status?.guid === crdb.guid || r.spec.existingDbGuid === crdb.guid || r.metadata.name === crdb.name)) continue;
      const names = await ensureRercs(ctx, namespace, crdb);
      const missing = crdb.instances.filter((i) => !names.has(i.cluster.name));
      if (missing.length > 0) {
        ctx.log.warn(`cannot materialise ${crdb.name} yet: no RERC for ${missing.map((i) => i.cluster.name).join(', ')} in ${namespace}`);
        continue;
      }
      const secretName = tag(crdb.default_db_config, 'redis.io/db-sec-name');
      const spec: ReaadbSpec = {
        participatingClusters: crdb.instances.map((i) => ({ name: names.get(i.cluster.name)! })),
        globalConfigurations: { ...fromDatabaseConfig(crdb.default_db_config), ...(secretName ? { databaseSecretName: secretName } : {}) },
        existingDbGuid: crdb.guid,
      };
      try {
        await ctx.kube.createCr(CR.reaadb, namespace, { metadata: { name: crdb.name, annotations: { 'tandem.io/materialized-from': crdb.guid } }, spec });
        ctx.log.info(`materialised REAADB ${namespace}/${crdb.name} for ${crdb.guid}`);
      } catch (e) {
        if (statusOf(e) !== 409) ctx.log.warn(`materialising ${crdb.name} failed: ${(e as Error).message}`);
      }
    }
    await collectRercs(ctx, namespace, api, managedByUs);
  }
}
