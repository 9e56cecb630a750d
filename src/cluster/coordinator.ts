/**
 * The CRDB coordinator (reference §5.3–5.7, §6.4, §7.1). A request on any participating cluster
 * becomes a task that this node runs by calling every participating cluster's REST API (itself
 * directly): the internal participant endpoints `/v1/local/crdbs/{guid}` make a cluster create,
 * reconfigure, flush or remove its own instance.
 *
 * Create runs in two phases: (1) every cluster creates its instance (ports are allocated, the
 * replication endpoints become known), (2) every cluster receives the complete configuration and
 * wires its instance's peers (`TANDEM.PEER ADD`). A failure anywhere removes every instance that
 * was created, on every cluster, so no half-made database stays behind. Each configuration
 * change increments the CRDB's `version`; a participant ignores a configuration older than the
 * one it has.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { ApiError, apiRequest } from './http-client.js';
import { HttpError } from './errors.js';
import type { LocalDbs } from './local-dbs.js';
import { checkMemorySize } from './local-dbs.js';
import { TaskFailure, TaskRunner } from './tasks.js';
import type { TaskContext } from './tasks.js';
import type { ClusterInfo, ClusterState, Crdb, CrdbTask, DatabaseConfig, InstanceInfo } from './types.js';

export interface CoordinatorContext {
  state(): ClusterState;
  save(): void;
  dbs: LocalDbs;
  /** This cluster's name (FQDN): how it recognises its own instance. */
  name: string;
  /** TLS trust for calls to other clusters. */
  peerCa?: string;
  peerInsecure: boolean;
  log: Logger;
}

export interface LocalInstanceResult {
  instance_id: number;
  db_uid: string;
  replication_endpoint: string;
}

export interface TaskOptions {
  id?: string;
  ttl?: number;
}

export interface CreateRequest {
  name: string;
  causal_consistency?: boolean;
  encryption?: boolean;
  default_db_config?: DatabaseConfig;
  instances: { cluster: ClusterInfo; compression?: number; db_config?: DatabaseConfig }[];
}

export interface ModifyRequest {
  add_instances?: { cluster: ClusterInfo; compression?: number; db_config?: DatabaseConfig }[];
  remove_instances?: number[];
  force_remove?: boolean;
  crdb?: Partial<CreateRequest> & { instances?: Partial<InstanceInfo>[] };
  force_update?: boolean;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
const clone = <T>(v: T): T => structuredClone(v);

export class Coordinator {
  readonly tasks: TaskRunner;

  constructor(private readonly c: CoordinatorContext) {
    this.tasks = new TaskRunner(c.state, c.save);
  }

  list(): Crdb[] {
    return Object.values(this.c.state().crdbs);
  }

  mustGet(guid: string): Crdb {
    const crdb = this.c.state().crdbs[guid];
    if (crdb === undefined) throw new HttpError(404, 'crdb_not_found', `no Active-Active database with GUID '${guid}' on this cluster`);
    return crdb;
  }

  // ---- participant side: this cluster's own instance --------------------------------------

  private effectiveConfig(crdb: Crdb, inst: InstanceInfo): DatabaseConfig {
    return { ...crdb.default_db_config, ...inst.db_config };
  }

  private mine(crdb: Crdb): InstanceInfo {
    const me = crdb.instances.find((i) => i.cluster.name === this.c.name);
    if (me === undefined) throw new HttpError(400, 'cluster_not_participating', `cluster '${this.c.name}' is not among the instances of CRDB ${crdb.guid}`);
    return me;
  }

  /** Creates or reconfigures this cluster's instance to match `crdb`. */
  async applyLocal(crdb: Crdb): Promise<LocalInstanceResult> {
    const me = this.mine(crdb);
    const st = this.c.state();
    const old = st.crdbs[crdb.guid];
    const { dbs } = this.c;
    let b = dbs.byCrdb(crdb.guid);
    if (old !== undefined && crdb.version < old.version && b !== undefined) {
      return { instance_id: b.crdt_replica_id!, db_uid: String(b.uid), replication_endpoint: old.endpoints[String(me.id)] ?? dbs.endpoint(b) };
    }
    const cfg = this.effectiveConfig(crdb, me);
    const peers = crdb.instances.filter((i) => i.id !== me.id && crdb.endpoints[String(i.id)] !== undefined).map((i) => `${i.id}@${crdb.endpoints[String(i.id)]}`);
    const settings = {
      memory_size: cfg.memory_size ?? 0,
      eviction_policy: cfg.eviction_policy ?? 'noeviction',
      data_persistence: cfg.data_persistence ?? 'disabled',
      aof_policy: cfg.aof_policy ?? 'appendfsync-every-sec',
      authentication_redis_pass: cfg.authentication_redis_pass ?? '',
    } as const;
    if (b === undefined) {
      b = await dbs.create({
        name: crdb.name,
        port: cfg.port,
        ...settings,
        crdt: { guid: crdb.guid, replica_id: me.id, secret: crdb.repl_secret, peers, causal: crdb.causal_consistency, compression: me.compression ?? 3 },
      });
    } else {
      if (b.crdt_replica_id !== me.id) throw new HttpError(409, 'crdb_instance_mismatch', `this cluster holds instance ${b.crdt_replica_id} of CRDB ${crdb.guid}, not ${me.id}`);
      await dbs.update(b.uid, { ...settings, crdt_causal_consistency: crdb.causal_consistency, crdt_compression: me.compression ?? 3 });
      await dbs.setPeers(b.uid, peers);
    }
    const endpoint = me.cluster.replication_endpoint ?? dbs.endpoint(b);
    const stored = clone(crdb);
    stored.endpoints[String(me.id)] = endpoint;
    st.crdbs[crdb.guid] = stored;
    this.c.save();
    return { instance_id: me.id, db_uid: String(b.uid), replication_endpoint: endpoint };
  }

  /** Deletes this cluster's instance and forgets the CRDB (idempotent). */
  async removeLocal(guid: string): Promise<void> {
    const b = this.c.dbs.byCrdb(guid);
    if (b !== undefined) await this.c.dbs.delete(b.uid);
    if (this.c.state().crdbs[guid] !== undefined) {
      delete this.c.state().crdbs[guid];
      this.c.save();
    }
  }

  async flushLocal(guid: string): Promise<{ keys: number }> {
    this.mustGet(guid);
    const b = this.c.dbs.byCrdb(guid);
    if (b === undefined) throw new HttpError(404, 'crdb_not_found', `this cluster has no instance of CRDB '${guid}'`);
    return { keys: await this.c.dbs.flush(b.uid) };
  }

  /** This cluster's view for the health report (reference §6.2 health-report). */
  async healthLocal(guid: string): Promise<Record<string, unknown>> {
    const crdb = this.mustGet(guid);
    const b = this.c.dbs.byCrdb(guid);
    const sources = b === undefined ? [] : await this.c.dbs.sources(b);
    return {
      active_config_version: crdb.version,
      cluster_name: this.c.name,
      configurations: [
        {
          causal_consistency: crdb.causal_consistency,
          encryption: crdb.encryption,
          featureset_version: crdb.featureset_version,
          instances: crdb.instances.map((i) => ({ cluster: { name: i.cluster.name, url: i.cluster.url }, db_uid: i.cluster.name === this.c.name && b !== undefined ? String(b.uid) : '', id: i.id })),
          name: crdb.name,
          protocol_version: crdb.protocol_version,
          status: 'commit-completed',
          version: crdb.version,
        },
      ],
      connections: crdb.instances
        .filter((i) => i.cluster.name !== this.c.name)
        .map((i) => {
          const s = sources.find((x) => x.uid === i.id);
          const up = s?.status === 'in-sync';
          return { name: i.cluster.name, status: up ? 'ok' : 'error', replication_links: [{ link_uid: `${b?.uid ?? ''}:${i.id}`, status: up ? 'up' : 'down' }] };
        }),
      guid: crdb.guid,
      name: crdb.name,
      connection_error: null,
    };
  }

  // ---- talking to participating clusters -----------------------------------------------------

  /** Runs `local` when `cluster` is this one, else the REST call with the credentials given. */
  private async onCluster<T>(cluster: ClusterInfo, local: () => Promise<T>, method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
    if (cluster.name === this.c.name) {
      try {
        return await local();
      } catch (e) {
        if (e instanceof HttpError) throw new TaskFailure(cluster.name, e.errorCode, e.description);
        throw new TaskFailure(cluster.name, 'internal_error', (e as Error).message);
      }
    }
    const cred = cluster.credentials;
    if (cred === undefined) throw new TaskFailure(cluster.name, 'missing_credentials', `no credentials given for cluster '${cluster.name}'`);
    try {
      const r = await apiRequest<T>({ url: cluster.url, username: cred.username, password: cred.password, ca: this.c.peerCa, insecure: this.c.peerInsecure, timeoutMs: 60_000, signal }, method, path, body);
      return r.body;
    } catch (e) {
      if (signal?.aborted) throw new TaskFailure(null, 'task_cancelled', 'the task was cancelled');
      if (e instanceof ApiError) {
        const why = e.status === 0 ? `cluster is unreachable: ${e.description}` : `${cluster.url} answered ${e.status}: ${e.description}`;
        throw new TaskFailure(cluster.name, e.status === 0 ? 'cluster_unreachable' : e.errorCode, why);
      }
      throw new TaskFailure(cluster.name, 'internal_error', (e as Error).message);
    }
  }

  private push(cluster: ClusterInfo, crdb: Crdb, signal?: AbortSignal): Promise<LocalInstanceResult> {
    return this.onCluster(cluster, () => this.applyLocal(clone(crdb)), 'PUT', `/v1/local/crdbs/${crdb.guid}`, crdb, signal);
  }

  private remove(cluster: ClusterInfo, guid: string): Promise<unknown> {
    return this.onCluster(cluster, () => this.removeLocal(guid), 'DELETE', `/v1/local/crdbs/${guid}`);
  }

  /** Removes `instances` everywhere, ignoring failures (they are reported by the caller). */
  private async rollback(crdb: Crdb, instances: InstanceInfo[], ctx: TaskContext | null): Promise<void> {
    for (const inst of instances) {
      try {
        await this.remove(inst.cluster, crdb.guid);
        ctx?.progress(inst.cluster.name, 'rolled back');
      } catch (e) {
        this.c.log.warn(`rollback of CRDB ${crdb.guid} on ${inst.cluster.name}: ${(e as Error).message}`);
        ctx?.progress(inst.cluster.name, `rollback failed: ${(e as Error).message}`);
      }
    }
  }

  /** Runs `fn` for every instance at once. When some fail, every failure goes on the task and
   * the first one (in instance order) is thrown. */
  private async onEach(ctx: TaskContext, instances: InstanceInfo[], fn: (inst: InstanceInfo) => Promise<void>): Promise<void> {
    const results = await Promise.allSettled(instances.map((inst) => fn(inst)));
    const failures = results.flatMap((r, i) => (r.status === 'rejected' ? [asFailure(r.reason, instances[i]!.cluster.name)] : []));
    if (failures.length === 0) return;
    for (const f of failures.slice(1)) ctx.task.errors.push({ cluster_name: f.clusterName, error_code: f.errorCode, description: f.description });
    throw failures[0]!;
  }

  // ---- operations (each one a task) ---------------------------------------------------------

  /** The checks a create makes before it becomes a task (also `POST /v1/crdbs?dry_run=true`). */
  validateCreate(req: CreateRequest): void {
    if (!NAME.test(req.name)) throw new HttpError(400, 'invalid_name', `CRDB name '${req.name}' must be 1 to 64 letters, digits, '-' or '_', starting with a letter or digit`);
    const names = req.instances.map((i) => i.cluster.name);
    const dup = names.find((n, i) => names.indexOf(n) !== i);
    if (dup !== undefined) throw new HttpError(400, 'duplicate_cluster', `cluster '${dup}' appears more than once in instances`);
    if (!names.includes(this.c.name)) throw new HttpError(400, 'cluster_not_participating', `create the CRDB on one of its participating clusters: this cluster ('${this.c.name}') is not among ${names.join(', ')}`);
    if (this.c.dbs.list().some((b) => b.name === req.name) || this.list().some((x) => x.name === req.name)) {
      throw new HttpError(409, 'name_in_use', `a database named '${req.name}' already exists on cluster '${this.c.name}'`);
    }
    for (const c of [req.default_db_config, ...req.instances.map((i) => i.db_config)]) checkMemorySize(c?.memory_size);
    const snapshotted = [req.default_db_config, ...req.instances.map((i) => i.db_config)].some((c) => c?.data_persistence === 'snapshot');
    if (snapshotted) throw new HttpError(400, 'invalid_persistence', "Active-Active databases persist through the effect log: use data_persistence 'aof' (snapshot persistence is refused, as in the reference)");
    for (const i of req.instances) {
      if (i.cluster.name !== this.c.name && i.cluster.credentials === undefined) throw new HttpError(400, 'missing_credentials', `instance on cluster '${i.cluster.name}' needs credentials {username, password}`);
    }
  }

  create(req: CreateRequest, opts: TaskOptions): CrdbTask {
    this.validateCreate(req);
    const crdb: Crdb = {
      guid: randomUUID(),
      name: req.name,
      causal_consistency: req.causal_consistency ?? false,
      encryption: req.encryption ?? false,
      featureset_version: 1,
      protocol_version: 1,
      default_db_config: { ...req.default_db_config, name: req.name },
      instances: req.instances.map((inst, n) => ({ id: n + 1, cluster: inst.cluster, compression: inst.compression ?? 3, ...(inst.db_config ? { db_config: inst.db_config } : {}) })),
      version: 1,
      repl_secret: randomBytes(24).toString('hex'),
      managed_by: this.c.name,
      endpoints: {},
    };
    return this.tasks.submit('create_crdb', crdb.guid, { crdb }, async (ctx) => {
      const touched: InstanceInfo[] = [];
      try {
        // Phase 1, on every cluster at once: create the instance (its port becomes known).
        ctx.checkCancel();
        await this.onEach(ctx, crdb.instances, async (inst) => {
          ctx.progress(inst.cluster.name, 'creating');
          touched.push(inst);
          const r = await this.push(inst.cluster, crdb, ctx.signal);
          crdb.endpoints[String(inst.id)] = r.replication_endpoint;
          ctx.progress(inst.cluster.name, 'created');
        });
        // Phase 2: the complete configuration everywhere; the instances connect.
        ctx.checkCancel();
        ctx.enterCommitPhase();
        crdb.version++;
        await this.onEach(ctx, crdb.instances, async (inst) => {
          await this.push(inst.cluster, crdb);
          ctx.progress(inst.cluster.name, 'active');
        });
      } catch (e) {
        await this.rollback(crdb, touched, ctx);
        throw e;
      }
    }, opts);
  }

  /** PATCH: global (`default_db_config`, …) and per-instance (`instances[].db_config`) changes. */
  update(guid: string, change: NonNullable<ModifyRequest['crdb']>, opts: TaskOptions, force = false): CrdbTask {
    const next = clone(this.mustGet(guid));
    if (change.name !== undefined && change.name !== next.name) throw new HttpError(400, 'name_violation', 'the name of an Active-Active database cannot change');
    for (const ic of change.instances ?? []) {
      const inst = next.instances.find((i) => i.id === ic.id);
      if (inst === undefined) throw new HttpError(400, 'unknown_instance', `CRDB ${guid} has no instance ${ic.id ?? '(no id)'}; add instances with POST /v1/crdbs/${guid}/updates`);
      if (ic.db_config !== undefined) inst.db_config = { ...inst.db_config, ...ic.db_config };
      if (ic.compression !== undefined) inst.compression = ic.compression;
      const cred = (ic.cluster as Partial<ClusterInfo> | undefined)?.credentials;
      if (cred !== undefined) inst.cluster.credentials = cred;
    }
    for (const c of [change.default_db_config, ...(change.instances ?? []).map((i) => i.db_config)]) checkMemorySize(c?.memory_size);
    if ([change.default_db_config, ...(change.instances ?? []).map((i) => i.db_config)].some((c) => c?.data_persistence === 'snapshot')) {
      throw new HttpError(400, 'invalid_persistence', "Active-Active databases persist through the effect log: use data_persistence 'aof'");
    }
    if (change.default_db_config !== undefined) next.default_db_config = { ...next.default_db_config, ...change.default_db_config, name: next.name };
    if (change.causal_consistency !== undefined) next.causal_consistency = change.causal_consistency;
    if (change.encryption !== undefined) next.encryption = change.encryption;
    if (!force && JSON.stringify(next) === JSON.stringify(this.mustGet(guid))) throw new HttpError(400, 'no_change', 'the request changes nothing (crdb-cli update --force bumps the version anyway)');
    next.version++;
    return this.tasks.submit('update_crdb', guid, { change }, async (ctx) => {
      ctx.enterCommitPhase();
      await this.onEach(ctx, next.instances, async (inst) => {
        ctx.progress(inst.cluster.name, 'updating');
        await this.push(inst.cluster, next);
        ctx.progress(inst.cluster.name, 'updated');
      });
    }, opts);
  }

  /** POST /updates. */
  modify(guid: string, req: ModifyRequest, opts: TaskOptions): CrdbTask {
    const crdb = this.mustGet(guid);
    const kinds = [req.add_instances !== undefined, req.remove_instances !== undefined, req.crdb !== undefined].filter(Boolean).length;
    if (kinds > 1) throw new HttpError(400, 'invalid_request', 'send one of add_instances, remove_instances or crdb per request');
    if (req.add_instances !== undefined) return this.addInstances(crdb, req.add_instances, opts);
    if (req.remove_instances !== undefined) return this.removeInstances(crdb, req.remove_instances, req.force_remove === true, opts);
    if (req.crdb !== undefined || req.force_update === true) return this.update(guid, req.crdb ?? {}, opts, req.force_update === true);
    throw new HttpError(400, 'invalid_request', 'nothing to do: give add_instances, remove_instances, crdb or force_update');
  }

  private addInstances(crdb: Crdb, add: NonNullable<ModifyRequest['add_instances']>, opts: TaskOptions): CrdbTask {
    if (add.length === 0) throw new HttpError(400, 'invalid_request', 'add_instances is empty');
    const existing = new Set(crdb.instances.map((i) => i.cluster.name));
    for (const a of add) {
      if (existing.has(a.cluster.name)) throw new HttpError(409, 'cluster_already_participating', `cluster '${a.cluster.name}' already has an instance of CRDB ${crdb.guid}`);
      if (a.cluster.credentials === undefined && a.cluster.name !== this.c.name) throw new HttpError(400, 'missing_credentials', `instance on cluster '${a.cluster.name}' needs credentials {username, password}`);
      existing.add(a.cluster.name);
    }
    const old = clone(crdb);
    const next = clone(crdb);
    let id = Math.max(...crdb.instances.map((i) => i.id));
    const added: InstanceInfo[] = add.map((a) => ({ id: ++id, cluster: a.cluster, compression: a.compression ?? 3, ...(a.db_config ? { db_config: a.db_config } : {}) }));
    next.instances.push(...added);
    next.version++;
    return this.tasks.submit('add_instances', crdb.guid, { old, added }, async (ctx) => {
      const touched: InstanceInfo[] = [];
      try {
        ctx.checkCancel();
        await this.onEach(ctx, added, async (a) => {
          ctx.progress(a.cluster.name, 'creating');
          touched.push(a);
          const r = await this.push(a.cluster, next, ctx.signal);
          next.endpoints[String(a.id)] = r.replication_endpoint;
          ctx.progress(a.cluster.name, 'created, full sync from the other instances');
        });
        ctx.checkCancel();
        ctx.enterCommitPhase();
        await this.onEach(ctx, next.instances, async (inst) => {
          await this.push(inst.cluster, next);
          ctx.progress(inst.cluster.name, 'active');
        });
      } catch (e) {
        await this.rollbackAdd(old, touched, ctx);
        throw e;
      }
    }, opts);
  }

  private async rollbackAdd(old: Crdb, added: InstanceInfo[], ctx: TaskContext | null): Promise<void> {
    await this.rollback(old, added, ctx);
    const restore = clone(old);
    restore.version += 2;
    for (const inst of restore.instances) {
      try {
        await this.push(inst.cluster, restore);
      } catch (e) {
        this.c.log.warn(`restoring CRDB ${old.guid} on ${inst.cluster.name}: ${(e as Error).message}`);
      }
    }
  }

  private removeInstances(crdb: Crdb, ids: number[], force: boolean, opts: TaskOptions): CrdbTask {
    if (ids.length === 0) throw new HttpError(400, 'invalid_request', 'remove_instances is empty');
    for (const id of ids) if (!crdb.instances.some((i) => i.id === id)) throw new HttpError(400, 'unknown_instance', `CRDB ${crdb.guid} has no instance ${id}`);
    const removed = crdb.instances.filter((i) => ids.includes(i.id));
    if (removed.length === crdb.instances.length) throw new HttpError(400, 'invalid_request', `removing every instance deletes the CRDB: use DELETE /v1/crdbs/${crdb.guid}`);
    const next = clone(crdb);
    next.instances = next.instances.filter((i) => !ids.includes(i.id));
    for (const id of ids) delete next.endpoints[String(id)];
    next.version++;
    return this.tasks.submit('remove_instances', crdb.guid, { ids, force }, async (ctx) => {
      ctx.checkCancel();
      await this.onEach(ctx, removed, async (r) => {
        if (force) {
          ctx.progress(r.cluster.name, 'detached (forced: run purge-instance on that cluster)');
          return;
        }
        ctx.progress(r.cluster.name, 'removing');
        await this.remove(r.cluster, crdb.guid);
        ctx.progress(r.cluster.name, 'removed');
      });
      ctx.enterCommitPhase();
      await this.onEach(ctx, next.instances, async (inst) => {
        await this.push(inst.cluster, next);
        ctx.progress(inst.cluster.name, 'detached the removed instances');
      });
    }, opts);
  }

  /** PUT /purge, on a cluster whose instance was removed with force: deletes it here. */
  purge(guid: string, ids: number[], opts: TaskOptions): CrdbTask {
    const crdb = this.mustGet(guid);
    const me = this.mine(crdb);
    if (!ids.includes(me.id)) throw new HttpError(400, 'invalid_request', `this cluster holds instance ${me.id} of CRDB ${guid}; purge only removes the local instance`);
    return this.tasks.submit('purge_instances', guid, { ids }, async (ctx) => {
      ctx.enterCommitPhase();
      await this.removeLocal(guid);
      ctx.progress(this.c.name, 'purged');
    }, opts);
  }

  flush(guid: string, opts: TaskOptions): CrdbTask {
    const crdb = clone(this.mustGet(guid));
    return this.tasks.submit('flush_crdb', guid, {}, async (ctx) => {
      ctx.enterCommitPhase();
      await this.onEach(ctx, crdb.instances, async (inst) => {
        ctx.progress(inst.cluster.name, 'flushing');
        await this.onCluster(inst.cluster, () => this.flushLocal(guid), 'PUT', `/v1/local/crdbs/${guid}/flush`);
        ctx.progress(inst.cluster.name, 'flushed');
      });
    }, opts);
  }

  delete(guid: string, opts: TaskOptions): CrdbTask {
    const crdb = clone(this.mustGet(guid));
    return this.tasks.submit('delete_crdb', guid, {}, async (ctx) => {
      ctx.enterCommitPhase();
      await this.onEach(ctx, crdb.instances, async (inst) => {
        ctx.progress(inst.cluster.name, 'deleting');
        try {
          await this.remove(inst.cluster, guid);
          ctx.progress(inst.cluster.name, 'deleted');
        } catch (e) {
          ctx.progress(inst.cluster.name, `failed: ${asFailure(e, inst.cluster.name).description}`);
          throw e;
        }
      });
    }, opts);
  }

  async healthReport(guid: string): Promise<Record<string, unknown>[]> {
    const crdb = clone(this.mustGet(guid));
    return Promise.all(
      crdb.instances.map(async (inst) => {
        try {
          return await this.onCluster(inst.cluster, () => this.healthLocal(guid), 'GET', `/v1/local/crdbs/${guid}/health`);
        } catch (e) {
          return { cluster_name: inst.cluster.name, guid, name: crdb.name, configurations: [], connections: [], connection_error: (e as Error).message };
        }
      }),
    );
  }

  /** After a restart: tasks that were running are failed; a create or add is undone. */
  recover(): void {
    for (const t of this.tasks.recoverInterrupted()) {
      const req = t.request as { crdb?: Crdb; old?: Crdb; added?: InstanceInfo[] };
      if (t.operation === 'create_crdb' && req.crdb !== undefined) {
        const crdb = req.crdb;
        this.c.log.warn(`task ${t.id} (create_crdb) was interrupted: removing what it created`);
        void this.rollback(crdb, crdb.instances, null);
      } else if (t.operation === 'add_instances' && req.old !== undefined && req.added !== undefined) {
        this.c.log.warn(`task ${t.id} (add_instances) was interrupted: removing the added instances`);
        void this.rollbackAdd(req.old, req.added, null);
      }
    }
  }

  /** The CRDB object of the REST API: credentials and the replication secret are never shown. */
  view(crdb: Crdb): Record<string, unknown> {
    const b = this.c.dbs.byCrdb(crdb.guid);
    const me = crdb.instances.find((i) => i.cluster.name === this.c.name);
    return {
      guid: crdb.guid,
      name: crdb.name,
      causal_consistency: crdb.causal_consistency,
      encryption: crdb.encryption,
      featureset_version: crdb.featureset_version,
      protocol_version: crdb.protocol_version,
      default_db_config: crdb.default_db_config,
      instances: crdb.instances.map((i) => ({
        id: i.id,
        cluster: {
          name: i.cluster.name,
          url: i.cluster.url,
          replication_endpoint: i.cluster.replication_endpoint ?? crdb.endpoints[String(i.id)] ?? null,
          replication_tls_sni: i.cluster.replication_tls_sni ?? null,
        },
        compression: i.compression ?? 3,
        db_config: i.db_config ?? {},
        db_uid: i === me && b !== undefined ? String(b.uid) : '',
      })),
      local_databases: me !== undefined && b !== undefined ? [{ bdb_uid: String(b.uid), id: me.id }] : [],
      managed_by: 'tandem',
      modules: [],
      volatile_config_fields: [],
      version: crdb.version,
    };
  }
}

function asFailure(e: unknown, cluster: string): TaskFailure {
  if (e instanceof TaskFailure) return e;
  if (e instanceof HttpError) return new TaskFailure(cluster, e.errorCode, e.description);
  return new TaskFailure(cluster, 'internal_error', (e as Error).message ?? String(e));
}
