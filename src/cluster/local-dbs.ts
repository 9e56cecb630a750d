/**
 * The databases of this cluster (`/v1/bdbs`): each one a supervised `tandem server` process with
 * its own directory `<node dir>/bdbs/<uid>/` (config file, log, data). Plain databases and the
 * local instances of Active-Active databases are the same thing here; the latter carry `crdt_*`
 * fields and peers.
 */
import { REFERENCE_PERSISTENCE } from '../persistence/settings.js';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { TANDEM_VERSION } from '../server/info.js';
import { HttpError } from './errors.js';
import { InstanceProcess } from './instance-process.js';
import type { ProcessStatus } from './instance-process.js';
import { infoFields, infoSection, respCommand, respCommands } from './resp-admin.js';
import type { InstanceAddress } from './resp-admin.js';
import type { Bdb, BdbStatus, ClusterState, EvictionPolicy } from './types.js';


/**
 * The smallest memory_size (besides 0, no limit): an instance's used memory counts its Node.js
 * runtime (~17MB at start; the replication backlog and unwritten log data are not counted, as in
 * Redis), so a much smaller limit would refuse writes (OOM) from the first one.
 */
export const MIN_MEMORY_SIZE = 64 * 1024 * 1024;

export function checkMemorySize(v: number | undefined): void {
  if (v === undefined || v === 0 || v >= MIN_MEMORY_SIZE) return;
  throw new HttpError(400, 'invalid_memory_size', `memory_size ${v} is too small: give 0 (no limit) or at least ${MIN_MEMORY_SIZE} bytes (64MB) — an instance's Node.js runtime alone uses about 17MB`);
}

export interface LocalDbsOptions {
  dir: string;
  /** Inclusive range database ports are taken from. */
  ports: [number, number];
  /** Address the database processes listen on. */
  bind: string;
  /** Address other clusters and clients reach them at. */
  advertise: string;
}

/** What creating a database needs (REST fields). */
export interface BdbCreate {
  name: string;
  memory_size?: number;
  port?: number;
  eviction_policy?: EvictionPolicy;
  data_persistence?: Bdb['data_persistence'];
  aof_policy?: Bdb['aof_policy'];
  authentication_redis_pass?: string;
  shards_count?: number;
  crdt?: { guid: string; replica_id: number; secret: string; peers: string[]; causal: boolean; compression: number };
}

export type BdbChange = Partial<Pick<Bdb, 'memory_size' | 'eviction_policy' | 'authentication_redis_pass' | 'data_persistence' | 'aof_policy' | 'name' | 'crdt_causal_consistency' | 'crdt_compression'>>;

/** Characters allowed in values written to an instance's config file. */
const SAFE_VALUE = /^[^\s"'\\]*$/;

export class LocalDbs {
  private readonly procs = new Map<number, InstanceProcess>();
  /** Ports being handed out (between allocation and the process binding them). */
  private readonly reserved = new Set<number>();

  constructor(
    private readonly state: () => ClusterState,
    private readonly save: () => void,
    private readonly opts: LocalDbsOptions,
    private readonly log: Logger,
  ) {}

  list(): Bdb[] {
    return Object.values(this.state().bdbs).sort((a, b) => a.uid - b.uid);
  }

  get(uid: number): Bdb | undefined {
    return this.state().bdbs[String(uid)];
  }

  byCrdb(guid: string): Bdb | undefined {
    return this.list().find((b) => b.crdt_guid === guid);
  }

  shardsInUse(): number {
    return this.list().reduce((n, b) => n + b.shards_count, 0);
  }

  private bdbDir(uid: number): string {
    return join(this.opts.dir, 'bdbs', String(uid));
  }

  /** Where the node itself reaches a database. */
  address(b: Bdb): InstanceAddress {
    const host = this.opts.bind === '0.0.0.0' || this.opts.bind === '::' ? '127.0.0.1' : this.opts.bind;
    return { host, port: b.port, password: b.authentication_redis_pass || undefined };
  }

  /** `host:port` other instances replicate from. */
  endpoint(b: Bdb): string {
    return `${this.opts.advertise}:${b.port}`;
  }

  async create(req: BdbCreate): Promise<Bdb> {
    const st = this.state();
    if (this.list().some((b) => b.name === req.name)) throw new HttpError(409, 'name_in_use', `a database named '${req.name}' already exists on this cluster`);
    const shards = req.shards_count ?? 1;
    if (this.shardsInUse() + shards > st.license.shards_limit) {
      throw new HttpError(400, 'insufficient_resources', `the license allows ${st.license.shards_limit} shards and ${this.shardsInUse()} are in use; this database needs ${shards}`);
    }
    checkMemorySize(req.memory_size);
    const password = req.authentication_redis_pass ?? '';
    for (const [field, v] of [['authentication_redis_pass', password], ['crdt secret', req.crdt?.secret ?? '']] as const) {
      if (!SAFE_VALUE.test(v)) throw new HttpError(400, 'invalid_parameter', `${field} must not contain spaces, quotes or backslashes`);
    }
    const port = await this.allocatePort(req.port);
    const uid = st.next_bdb_uid++;
    const now = new Date().toISOString();
    const b: Bdb = {
      uid,
      name: req.name,
      port,
      memory_size: req.memory_size ?? 0,
      eviction_policy: req.eviction_policy ?? 'noeviction',
      data_persistence: req.data_persistence ?? 'disabled',
      aof_policy: req.aof_policy ?? 'appendfsync-every-sec',
      authentication_redis_pass: password,
      shards_count: shards,
      crdt: req.crdt !== undefined,
      created_time: now,
      last_changed_time: now,
    };
    if (req.crdt !== undefined) {
      b.crdt_guid = req.crdt.guid;
      b.crdt_replica_id = req.crdt.replica_id;
      b.crdt_peers = req.crdt.peers;
      b.crdt_causal_consistency = req.crdt.causal;
      b.crdt_compression = req.crdt.compression;
      this.secrets.set(uid, req.crdt.secret);
    }
    st.bdbs[String(uid)] = b;
    mkdirSync(this.bdbDir(uid), { recursive: true });
    this.writeConfig(b);
    this.save();
    try {
      await this.startProcess(b);
    } catch (e) {
      await this.delete(uid);
      throw new HttpError(500, 'bdb_start_failed', (e as Error).message);
    } finally {
      this.reserved.delete(port);
    }
    this.log.info(`database ${uid} '${b.name}' created on port ${port}${b.crdt ? ` (instance ${b.crdt_replica_id} of CRDB ${b.crdt_guid})` : ''}`);
    return b;
  }

  /** Replication secrets, kept in the instance's config file only (never in API output). */
  private readonly secrets = new Map<number, string>();

  private secretOf(b: Bdb): string {
    let s = this.secrets.get(b.uid);
    if (s === undefined) {
      const file = join(this.bdbDir(b.uid), 'tandem.conf');
      const m = existsSync(file) ? /^crdt-repl-secret (\S*)$/m.exec(readFileSync(file, 'utf8')) : null;
      s = m?.[1] ?? '';
      this.secrets.set(b.uid, s);
    }
    return s;
  }

  /** Applies a change to the config file and, for what can change live, to the process. */
  async update(uid: number, change: BdbChange): Promise<Bdb> {
    const b = this.mustGet(uid);
    if (change.name !== undefined && change.name !== b.name) {
      if (b.crdt) throw new HttpError(400, 'name_violation', 'the name of an Active-Active database instance cannot change');
      if (this.list().some((o) => o.name === change.name)) throw new HttpError(409, 'name_in_use', `a database named '${change.name}' already exists on this cluster`);
    }
    checkMemorySize(change.memory_size);
    if (change.authentication_redis_pass !== undefined && !SAFE_VALUE.test(change.authentication_redis_pass)) {
      throw new HttpError(400, 'invalid_parameter', 'authentication_redis_pass must not contain spaces, quotes or backslashes');
    }
    const before = this.address(b);
    const live: string[][] = [];
    if (change.memory_size !== undefined && change.memory_size !== b.memory_size) live.push(['CONFIG', 'SET', 'maxmemory', String(change.memory_size)]);
    if (change.eviction_policy !== undefined && change.eviction_policy !== b.eviction_policy) live.push(['CONFIG', 'SET', 'maxmemory-policy', change.eviction_policy]);
    if (change.crdt_causal_consistency !== undefined && change.crdt_causal_consistency !== b.crdt_causal_consistency) {
      live.push(['CONFIG', 'SET', 'crdt-causal-consistency', change.crdt_causal_consistency ? 'yes' : 'no']);
    }
    if (change.crdt_compression !== undefined && change.crdt_compression !== b.crdt_compression) live.push(['CONFIG', 'SET', 'crdt-compression-level', String(change.crdt_compression)]);
    if (change.authentication_redis_pass !== undefined && change.authentication_redis_pass !== b.authentication_redis_pass) {
      live.push(['CONFIG', 'SET', 'requirepass', change.authentication_redis_pass]);
    }
    for (const [k, v] of Object.entries(change)) if (v !== undefined) (b as unknown as Record<string, unknown>)[k] = v;
    const proc = this.procs.get(uid);
    if (proc !== undefined) proc.spec.password = b.authentication_redis_pass;
    b.last_changed_time = new Date().toISOString();
    this.writeConfig(b);
    this.save();
    if (live.length > 0) await this.live(before, live, b);
    return b;
  }

  /** Sets an Active-Active instance's peers (`<id>@<host>:<port>`), live and in its config. */
  async setPeers(uid: number, peers: string[]): Promise<void> {
    const b = this.mustGet(uid);
    const old = new Map((b.crdt_peers ?? []).map((p) => [p.slice(0, p.indexOf('@')), p]));
    const now = new Map(peers.map((p) => [p.slice(0, p.indexOf('@')), p]));
    const cmds: string[][] = [];
    for (const id of old.keys()) if (!now.has(id)) cmds.push(['TANDEM.PEER', 'REMOVE', id]);
    for (const [id, p] of now) {
      if (old.get(id) === p) continue;
      const at = p.indexOf('@');
      const hp = p.slice(at + 1);
      const colon = hp.lastIndexOf(':');
      cmds.push(['TANDEM.PEER', 'ADD', id, hp.slice(0, colon).replace(/^\[|\]$/g, ''), hp.slice(colon + 1)]);
    }
    b.crdt_peers = peers;
    b.last_changed_time = new Date().toISOString();
    this.writeConfig(b);
    this.save();
    if (cmds.length > 0) await this.live(this.address(b), cmds, b);
  }

  /** Commands for a running instance; a restarting one reads its config file instead. */
  private async live(addr: InstanceAddress, cmds: string[][], b: Bdb): Promise<void> {
    const p = this.procs.get(b.uid);
    if (p === undefined || p.status.state !== 'running') return;
    await respCommands(addr, cmds);
  }

  async delete(uid: number): Promise<void> {
    const b = this.get(uid);
    const p = this.procs.get(uid);
    if (p !== undefined) {
      await p.stop();
      this.procs.delete(uid);
    }
    rmSync(this.bdbDir(uid), { recursive: true, force: true });
    this.secrets.delete(uid);
    if (b !== undefined) {
      delete this.state().bdbs[String(uid)];
      this.save();
      this.log.info(`database ${uid} '${b.name}' deleted`);
    }
  }

  /** Removes every key of an Active-Active instance by observed-remove (TANDEM.FLUSH). */
  async flush(uid: number): Promise<number> {
    const b = this.mustGet(uid);
    const r = await respCommand(this.address(b), ['TANDEM.FLUSH'], 30_000);
    return r.t === 'integer' ? Number(r.v) : 0;
  }

  mustGet(uid: number): Bdb {
    const b = this.get(uid);
    if (b === undefined) throw new HttpError(404, 'unknown_bdb', `database ${uid} does not exist`);
    return b;
  }

  processStatus(uid: number): ProcessStatus | undefined {
    return this.procs.get(uid)?.status;
  }

  status(b: Bdb): BdbStatus {
    const s = this.procs.get(b.uid)?.status;
    if (s === undefined) return 'pending';
    if (s.state === 'running') return 'active';
    if (s.state === 'stopping' || s.state === 'stopped') return 'delete-pending';
    return s.restarts > 0 || s.state === 'restarting' ? 'recovery' : 'pending';
  }

  private writeConfig(b: Bdb): void {
    const lines = [
      '# Written by tandem node; changes here are overwritten.',
      `maxmemory ${b.memory_size}`,
      `maxmemory-policy ${b.eviction_policy}`,
    ];
    if (b.authentication_redis_pass !== '') lines.push(`requirepass ${b.authentication_redis_pass}`);
    // The data node's own persistence settings (src/persistence/settings.ts).
    const persistence = b.data_persistence === 'aof' ? (b.aof_policy === 'appendfsync-always' ? 'aofAlways' : 'aofEverySecond') : b.data_persistence === 'snapshot' ? 'snapshotEvery1Hour' : 'disabled';
    const p = REFERENCE_PERSISTENCE[persistence];
    lines.push(`persistence ${p.persistence}`, `appendfsync ${p.appendfsync}`);
    if (p.save !== '') lines.push(`save "${p.save}"`);
    if (b.crdt) {
      lines.push(
        `crdb-guid ${b.crdt_guid}`,
        `instance-id ${b.crdt_replica_id}`,
        `crdt-repl-secret ${this.secretOf(b)}`,
        `crdt-causal-consistency ${b.crdt_causal_consistency ? 'yes' : 'no'}`,
        `crdt-compression-level ${b.crdt_compression ?? 3}`,
      );
      for (const p of b.crdt_peers ?? []) lines.push(`peer ${p}`);
    }
    writeFileSync(join(this.bdbDir(b.uid), 'tandem.conf'), lines.join('\n') + '\n', { mode: 0o600 });
  }

  private async startProcess(b: Bdb): Promise<void> {
    const addr = this.address(b);
    const p = new InstanceProcess(
      { uid: b.uid, dir: this.bdbDir(b.uid), configFile: join(this.bdbDir(b.uid), 'tandem.conf'), port: b.port, bind: this.opts.bind, host: addr.host, password: b.authentication_redis_pass },
      this.log,
    );
    p.onChange = (s) => {
      const cur = this.get(b.uid);
      if (cur !== undefined && s.pid !== null && cur.pid !== s.pid) {
        cur.pid = s.pid;
        this.save();
      }
    };
    this.procs.set(b.uid, p);
    await p.start();
  }

  /** At node start: stops processes a killed node left behind, then starts every database. */
  async startAll(): Promise<void> {
    await Promise.all(
      this.list().map(async (b) => {
        await killLeftover(b.pid, this.bdbDir(b.uid));
        try {
          await this.startProcess(b);
        } catch (e) {
          this.log.error(`database ${b.uid}: ${(e as Error).message}`);
        }
      }),
    );
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.procs.values()].map((p) => p.stop()));
    this.procs.clear();
  }

  private async allocatePort(wanted: number | undefined): Promise<number> {
    const used = new Set([...this.list().map((b) => b.port), ...this.reserved]);
    if (wanted !== undefined) {
      if (used.has(wanted) || !(await portFree(this.opts.bind, wanted))) throw new HttpError(400, 'port_unavailable', `port ${wanted} is in use`);
      this.reserved.add(wanted);
      return wanted;
    }
    const [lo, hi] = this.opts.ports;
    for (let p = lo; p <= hi; p++) {
      if (used.has(p)) continue;
      if (await portFree(this.opts.bind, p)) {
        this.reserved.add(p);
        return p;
      }
    }
    throw new HttpError(400, 'insufficient_resources', `no free database port left in ${lo}-${hi}`);
  }

  /** The REST view of a database, with `crdt_sources[]` read from the instance's INFO crdt. */
  async view(b: Bdb): Promise<Record<string, unknown>> {
    const { pid: _pid, crdt_peers, ...rest } = b;
    const out: Record<string, unknown> = {
      ...rest,
      type: 'redis',
      version: TANDEM_VERSION,
      redis_version: '7.0',
      status: this.status(b),
      sharding: false,
      replication: false,
      endpoints: [{ dns_name: this.opts.advertise, addr: [this.opts.advertise], port: b.port, proxy_policy: 'single' }],
      process: this.processStatus(b.uid) ?? null,
    };
    if (b.crdt) {
      out.crdt_sync = 'enabled';
      out.crdt_protocol_version = 1;
      out.crdt_featureset_version = 1;
      out.crdt_replicas = crdt_peers ?? [];
      out.crdt_sources = await this.sources(b);
    }
    return out;
  }

  /** One entry per peer: `in-sync` when streaming, `syncing` during a full sync, else `out-of-sync`. */
  async sources(b: Bdb): Promise<Record<string, unknown>[]> {
    let info: Map<string, string> | null = null;
    try {
      if (this.processStatus(b.uid)?.state === 'running') info = await infoSection(this.address(b), 'crdt');
    } catch {
      info = null;
    }
    return (b.crdt_peers ?? []).map((p) => {
      const id = Number(p.slice(0, p.indexOf('@')));
      const f = infoFields(info?.get(`crdt_peer_${id}`) ?? '');
      const link = f.get('link');
      const status = link === 'streaming' ? 'in-sync' : link === 'full-sync' ? 'syncing' : 'out-of-sync';
      return {
        uid: id,
        uri: `redis://${p.slice(p.indexOf('@') + 1)}`,
        status,
        lag: f.has('lag_ms') ? Number(f.get('lag_ms')) : null,
        last_error: f.get('last_error') || (info === null ? 'instance not running' : ''),
        last_update: new Date().toISOString(),
        compression: b.crdt_compression ?? 3,
        encryption: false,
      };
    });
  }
}

/** Kills the process a killed node left running for a database (only if it really is one,
 * judged by its command line naming the database's directory) and waits until it is gone. */
async function killLeftover(pid: number | undefined, dir: string): Promise<void> {
  if (pid === undefined || !isOurs(pid, dir)) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    return;
  }
  for (let i = 0; i < 100 && isOurs(pid, dir); i++) await new Promise((r) => setTimeout(r, 50));
}

function isOurs(pid: number, dir: string): boolean {
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return cmdline.includes(dir) && !/^\d+ \(.*\) Z/.test(stat);
  } catch {
    return false;
  }
}

function portFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, host, () => srv.close(() => resolve(true)));
  });
}
