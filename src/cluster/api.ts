/**
 * The REST API of a cluster node (reference §7; docs/rest-api.md lists every endpoint with an
 * example). Fastify validates the JSON bodies against the schemas below (ajv, no type coercion);
 * every error is `{ "error_code": …, "description": … }`. HTTP Basic auth with the admin user.
 */
import { createHash, randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import os from 'node:os';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { TANDEM_VERSION } from '../server/info.js';
import type { Coordinator, CreateRequest, ModifyRequest, TaskOptions } from './coordinator.js';
import { HttpError } from './errors.js';
import type { LocalDbs } from './local-dbs.js';
import { taskView } from './tasks.js';
import { EVICTION_POLICIES } from './types.js';
import type { ClusterState, Crdb } from './types.js';

export interface ApiContext {
  state(): ClusterState;
  save(): void;
  dbs: LocalDbs;
  coordinator: Coordinator;
  /** This node's API URL (shown in /v1/cluster and /v1/nodes). */
  url(): string;
  advertise: string;
  startedAt: number;
}

// ---- admin password ---------------------------------------------------------------------------

export function hashPassword(password: string, salt = randomBytes(16).toString('hex')): string {
  return `scrypt:${salt}:${scryptSync(password, salt, 32).toString('hex')}`;
}

function checkPassword(password: string, stored: string): boolean {
  const [kind, salt, hash] = stored.split(':');
  if (kind !== 'scrypt' || salt === undefined || hash === undefined) return false;
  const got = scryptSync(password, salt, 32);
  const want = Buffer.from(hash, 'hex');
  return want.length === got.length && timingSafeEqual(got, want);
}

// ---- schemas ----------------------------------------------------------------------------------

const dbConfig = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    memory_size: { type: 'integer', minimum: 0 },
    port: { type: 'integer', minimum: 1, maximum: 65535 },
    eviction_policy: { enum: EVICTION_POLICIES },
    data_persistence: { enum: ['disabled', 'aof', 'snapshot'] },
    aof_policy: { enum: ['appendfsync-every-sec', 'appendfsync-always'] },
    authentication_redis_pass: { type: 'string', maxLength: 256 },
    replication: { type: 'boolean' },
    sharding: { type: 'boolean' },
    shards_count: { type: 'integer', minimum: 1, maximum: 1 },
  },
} as const;

const clusterInfo = {
  type: 'object',
  required: ['name', 'url'],
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 253 },
    url: { type: 'string', pattern: '^https?://' },
    credentials: {
      type: 'object',
      required: ['username', 'password'],
      properties: { username: { type: 'string' }, password: { type: 'string' } },
    },
    certificate_auth: { type: 'object' },
    replication_endpoint: { type: 'string', pattern: '^[^\\s@]+:[0-9]{1,5}$' },
    replication_tls_sni: { type: 'string' },
  },
  not: { required: ['credentials', 'certificate_auth'] },
} as const;

const instanceInfo = {
  type: 'object',
  required: ['cluster'],
  properties: {
    id: { type: 'integer', minimum: 1, maximum: 1023 },
    cluster: clusterInfo,
    compression: { type: 'integer', minimum: 0, maximum: 6 },
    db_config: dbConfig,
    db_uid: { type: 'string' },
  },
} as const;

const crdbCreate = {
  type: 'object',
  required: ['name', 'instances'],
  properties: {
    name: { type: 'string' },
    causal_consistency: { type: 'boolean' },
    encryption: { type: 'boolean' },
    default_db_config: dbConfig,
    instances: { type: 'array', minItems: 1, maxItems: 32, items: instanceInfo },
  },
} as const;

const crdbPatch = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    causal_consistency: { type: 'boolean' },
    encryption: { type: 'boolean' },
    default_db_config: dbConfig,
    instances: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id'],
        properties: { id: { type: 'integer' }, compression: { type: 'integer', minimum: 0, maximum: 6 }, db_config: dbConfig, cluster: { type: 'object', properties: { credentials: clusterInfo.properties.credentials } } },
      },
    },
  },
} as const;

const modifyRequest = {
  type: 'object',
  properties: {
    add_instances: { type: 'array', items: instanceInfo },
    remove_instances: { type: 'array', items: { type: 'integer', minimum: 1 } },
    force_remove: { type: 'boolean' },
    crdb: crdbPatch,
    force_update: { type: 'boolean' },
  },
} as const;

const bdbCreate = {
  type: 'object',
  required: ['name'],
  properties: {
    ...dbConfig.properties,
    name: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$' },
  },
} as const;

const bdbUpdate = {
  type: 'object',
  properties: {
    name: bdbCreate.properties.name,
    memory_size: dbConfig.properties.memory_size,
    eviction_policy: dbConfig.properties.eviction_policy,
    data_persistence: dbConfig.properties.data_persistence,
    aof_policy: dbConfig.properties.aof_policy,
    authentication_redis_pass: dbConfig.properties.authentication_redis_pass,
  },
} as const;

const guidParam = { type: 'object', properties: { guid: { type: 'string' } } } as const;
const uidParam = { type: 'object', properties: { uid: { type: 'string', pattern: '^[0-9]{1,9}$' } } } as const;

// ---- routes -----------------------------------------------------------------------------------

function taskOptions(req: FastifyRequest): TaskOptions {
  const opts: TaskOptions = {};
  const id = req.headers['x-task-id'];
  if (typeof id === 'string') opts.id = id;
  const ttl = req.headers['x-result-ttl'];
  if (typeof ttl === 'string') {
    if (!/^[0-9]{1,9}$/.test(ttl)) throw new HttpError(400, 'invalid_result_ttl', `X-Result-TTL must be a number of seconds, got '${ttl}'`);
    opts.ttl = Number(ttl);
  }
  return opts;
}

function sendTask(reply: FastifyReply, task: Parameters<typeof taskView>[0]): unknown {
  void reply.header('x-task-id', task.id);
  return taskView(task);
}

function pick(obj: Record<string, unknown>, fields: string | undefined): Record<string, unknown> {
  if (fields === undefined || fields === '') return obj;
  const out: Record<string, unknown> = {};
  for (const f of fields.split(',')) if (f in obj) out[f] = obj[f];
  return out;
}

export function registerRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const { coordinator: co, dbs } = ctx;
  const verified = new Set<string>();

  app.addHook('onRequest', async (req, reply) => {
    const header = req.headers.authorization;
    const admin = ctx.state().admin;
    const key = header === undefined ? '' : createHash('sha256').update(`${admin.password_hash}\0${header}`).digest('hex');
    if (header !== undefined && verified.has(key)) return;
    const m = header === undefined ? null : /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header);
    if (m !== null) {
      const text = Buffer.from(m[1]!, 'base64').toString('utf8');
      const i = text.indexOf(':');
      if (i >= 0 && text.slice(0, i) === admin.username && checkPassword(text.slice(i + 1), admin.password_hash)) {
        if (verified.size > 1000) verified.clear();
        verified.add(key);
        return;
      }
    }
    void reply.header('www-authenticate', 'Basic realm="tandem"');
    throw new HttpError(401, 'unauthorized', header === undefined ? 'authentication required: HTTP Basic with the cluster admin user' : 'wrong username or password');
  });

  app.setErrorHandler((err: Error & { validation?: unknown; statusCode?: number; code?: string }, _req, reply) => {
    if (err instanceof HttpError) return reply.status(err.status).send(err.toJSON());
    if (err.validation !== undefined) return reply.status(400).send({ error_code: 'invalid_schema', description: err.message });
    const status = err.statusCode ?? 500;
    if (status >= 400 && status < 500) return reply.status(status).send({ error_code: status === 415 ? 'unsupported_media_type' : 'invalid_request', description: err.message });
    app.log.error(err);
    return reply.status(500).send({ error_code: 'internal_error', description: err.message });
  });

  app.setNotFoundHandler((req, reply) => {
    void reply.status(404).send({ error_code: 'not_found', description: `no such endpoint: ${req.method} ${req.url}` });
  });

  // -- cluster, nodes, license
  const clusterView = () => {
    const st = ctx.state();
    return {
      name: st.cluster.name,
      created_time: st.cluster.created_time,
      software_version: TANDEM_VERSION,
      api_url: ctx.url(),
      crdt_supported_featureset_version: 1,
      crdt_supported_protocol_versions: [1],
      rack_aware: false,
      nodes: 1,
    };
  };
  const nodeView = () => ({
    uid: 1,
    addr: ctx.advertise,
    status: 'active',
    hostname: os.hostname(),
    software_version: TANDEM_VERSION,
    shard_count: dbs.shardsInUse(),
    total_memory: os.totalmem(),
    cores: os.cpus().length,
    os_version: `${os.type()} ${os.release()}`,
    uptime: Math.round((Date.now() - ctx.startedAt) / 1000),
    api_url: ctx.url(),
  });
  app.get('/v1/cluster', async () => clusterView());
  app.get('/v1/nodes', async () => [nodeView()]);
  app.get('/v1/nodes/:uid', { schema: { params: uidParam } }, async (req) => {
    if ((req.params as { uid: string }).uid !== '1') throw new HttpError(404, 'node_not_found', `node ${(req.params as { uid: string }).uid} does not exist (this cluster has one node, uid 1)`);
    return nodeView();
  });
  const licenseView = () => ({ shards_limit: ctx.state().license.shards_limit, shards_in_use: dbs.shardsInUse(), expired: false, features: ['active-active'] });
  app.get('/v1/license', async () => licenseView());
  app.put('/v1/license', { schema: { body: { type: 'object', required: ['shards_limit'], properties: { shards_limit: { type: 'integer', minimum: 0 } } } } }, async (req) => {
    const limit = (req.body as { shards_limit: number }).shards_limit;
    if (limit < dbs.shardsInUse()) throw new HttpError(400, 'insufficient_resources', `${dbs.shardsInUse()} shards are in use; the limit cannot go below that`);
    ctx.state().license.shards_limit = limit;
    ctx.save();
    return licenseView();
  });

  // -- bdbs
  app.get('/v1/bdbs', async (req) => {
    const fields = (req.query as { fields?: string }).fields;
    return Promise.all(dbs.list().map(async (b) => pick(await dbs.view(b), fields)));
  });
  app.get('/v1/bdbs/:uid', { schema: { params: uidParam } }, async (req) => {
    const b = dbs.mustGet(Number((req.params as { uid: string }).uid));
    return pick(await dbs.view(b), (req.query as { fields?: string }).fields);
  });
  app.post('/v1/bdbs', { schema: { body: bdbCreate } }, async (req) => dbs.view(await dbs.create(req.body as Parameters<LocalDbs['create']>[0])));
  app.put('/v1/bdbs/:uid', { schema: { params: uidParam, body: bdbUpdate } }, async (req) => {
    const uid = Number((req.params as { uid: string }).uid);
    // Per-instance tuning of an AA instance is allowed (reference §7.3: ≙ rladmin tune db); its
    // name cannot change (name_violation).
    return dbs.view(await dbs.update(uid, req.body as Parameters<LocalDbs['update']>[1]));
  });
  app.delete('/v1/bdbs/:uid', { schema: { params: uidParam } }, async (req) => {
    const uid = Number((req.params as { uid: string }).uid);
    const b = dbs.mustGet(uid);
    if (b.crdt) throw new HttpError(406, 'not_supported_action_on_crdt', `database ${uid} is an instance of CRDB ${b.crdt_guid}: delete it with DELETE /v1/crdbs/${b.crdt_guid} or remove the instance with POST /v1/crdbs/${b.crdt_guid}/updates`);
    await dbs.delete(uid);
    return { uid };
  });

  // -- crdbs
  app.get('/v1/crdbs', async () => co.list().map((c) => co.view(c)));
  app.get('/v1/crdbs/:guid', { schema: { params: guidParam } }, async (req) => co.view(co.mustGet((req.params as { guid: string }).guid)));
  app.post('/v1/crdbs', { schema: { body: crdbCreate } }, async (req, reply) => {
    const body = req.body as CreateRequest;
    if ((req.query as { dry_run?: string }).dry_run === 'true') {
      co.validateCreate(body);
      return {};
    }
    return sendTask(reply, co.create(body, taskOptions(req)));
  });
  app.patch('/v1/crdbs/:guid', { schema: { params: guidParam, body: crdbPatch } }, async (req, reply) =>
    sendTask(reply, co.update((req.params as { guid: string }).guid, req.body as NonNullable<ModifyRequest['crdb']>, taskOptions(req))),
  );
  app.delete('/v1/crdbs/:guid', { schema: { params: guidParam } }, async (req, reply) => sendTask(reply, co.delete((req.params as { guid: string }).guid, taskOptions(req))));
  app.post('/v1/crdbs/:guid/updates', { schema: { params: guidParam, body: modifyRequest } }, async (req, reply) =>
    sendTask(reply, co.modify((req.params as { guid: string }).guid, req.body as ModifyRequest, taskOptions(req))),
  );
  app.put('/v1/crdbs/:guid/flush', { schema: { params: guidParam } }, async (req, reply) => sendTask(reply, co.flush((req.params as { guid: string }).guid, taskOptions(req))));
  app.put(
    '/v1/crdbs/:guid/purge',
    { schema: { params: guidParam, body: { type: 'object', required: ['instances'], properties: { instances: { type: 'array', minItems: 1, items: { type: 'integer', minimum: 1 } } } } } },
    async (req, reply) => sendTask(reply, co.purge((req.params as { guid: string }).guid, (req.body as { instances: number[] }).instances, taskOptions(req))),
  );
  app.get('/v1/crdbs/:guid/health_report', { schema: { params: guidParam } }, async (req) => co.healthReport((req.params as { guid: string }).guid));

  // -- participant endpoints (called by the coordinator on another cluster)
  app.put('/v1/local/crdbs/:guid', { schema: { params: guidParam, body: { type: 'object', required: ['guid', 'name', 'instances', 'version', 'repl_secret', 'endpoints'] } } }, async (req) => {
    const crdb = req.body as Crdb;
    if (crdb.guid !== (req.params as { guid: string }).guid) throw new HttpError(400, 'invalid_request', 'the GUID in the path and the body differ');
    return co.applyLocal(crdb);
  });
  app.delete('/v1/local/crdbs/:guid', { schema: { params: guidParam } }, async (req) => {
    await co.removeLocal((req.params as { guid: string }).guid);
    return {};
  });
  app.put('/v1/local/crdbs/:guid/flush', { schema: { params: guidParam } }, async (req) => co.flushLocal((req.params as { guid: string }).guid));
  app.get('/v1/local/crdbs/:guid/health', { schema: { params: guidParam } }, async (req) => co.healthLocal((req.params as { guid: string }).guid));

  // -- tasks
  app.get('/v1/crdb_tasks', async () => co.tasks.list().map(taskView));
  app.get('/v1/crdb_tasks/:id', async (req, reply) => {
    const id = (req.params as { id: string }).id;
    const t = co.tasks.get(id);
    if (t === undefined) throw new HttpError(404, 'task_not_found', `task '${id}' does not exist (finished tasks are kept for their X-Result-TTL, 500 s by default)`);
    const ttl = req.headers['x-result-ttl'];
    if (typeof ttl === 'string' && /^[0-9]{1,9}$/.test(ttl)) {
      t.result_ttl = Number(ttl);
      ctx.save();
    }
    return sendTask(reply, t);
  });
  app.post('/v1/crdb_tasks/:id/actions/cancel', async (req, reply) => {
    const force = (req.query as { force?: string }).force === 'true';
    return sendTask(reply, co.tasks.cancel((req.params as { id: string }).id, force));
  });
}
