/**
 * `tandem node`: one cluster node. Loads (or creates) the cluster configuration from
 * `<dir>/cluster.json`, starts every database it holds, and serves the REST API (HTTPS on 9443
 * by default, with a self-signed certificate made at first start in `<dir>/tls/`).
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { selfSignedCert } from '../common/tls.js';
import { randomBytes } from 'node:crypto';
import { hashPassword, registerRoutes } from './api.js';
import { FileConfigStore } from './config-store.js';
import type { ConfigStore } from './config-store.js';
import { Coordinator } from './coordinator.js';
import { LocalDbs } from './local-dbs.js';
import type { ClusterState } from './types.js';

export interface NodeOptions {
  dir: string;
  /** REST API port (9443 by default; 0 picks a free one). */
  port: number;
  /** Address the REST API listens on. */
  bind: string;
  /** Cluster name (FQDN); fixed at first start. */
  name?: string;
  username: string;
  password?: string;
  insecureHttp: boolean;
  tlsCert?: string;
  tlsKey?: string;
  /** Inclusive database port range. */
  dbPorts: [number, number];
  dbBind: string;
  /** Address clients and other clusters reach this node's databases at. */
  advertise: string;
  /** Extra CA certificates (PEM) trusted when calling other clusters. */
  peerCa?: string;
  /** Accept any certificate from other clusters. */
  peerInsecure: boolean;
  shardsLimit?: number;
  log: Logger;
}

export class ClusterNode {
  private state!: ClusterState;
  private store!: ConfigStore<ClusterState>;
  private app!: FastifyInstance;
  dbs!: LocalDbs;
  coordinator!: Coordinator;
  port = 0;
  url = '';

  private constructor(readonly opts: NodeOptions) {}

  static async start(opts: NodeOptions): Promise<ClusterNode> {
    const node = new ClusterNode(opts);
    await node.init();
    return node;
  }

  get name(): string {
    return this.state.cluster.name;
  }

  private save = (): void => this.store.save(this.state);

  private async init(): Promise<void> {
    const { opts } = this;
    mkdirSync(opts.dir, { recursive: true, mode: 0o700 });
    lockDir(opts.dir);
    this.store = new FileConfigStore<ClusterState>(join(opts.dir, 'cluster.json'));
    this.loadState();
    this.dbs = new LocalDbs(() => this.state, this.save, { dir: opts.dir, ports: opts.dbPorts, bind: opts.dbBind, advertise: opts.advertise }, opts.log);
    this.coordinator = new Coordinator({
      state: () => this.state,
      save: this.save,
      dbs: this.dbs,
      name: this.state.cluster.name,
      peerCa: opts.peerCa,
      peerInsecure: opts.peerInsecure,
      log: opts.log,
    });
    // Databases first (this also stops what a killed node left running), then the recovery of
    // interrupted tasks, which may remove some of them again.
    await this.dbs.startAll();
    this.coordinator.recover();

    const https = opts.insecureHttp ? undefined : await this.tls();
    this.app = Fastify({
      logger: false,
      ...(https ? { https } : {}),
      ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false } },
      bodyLimit: 4 * 1024 * 1024,
    }) as unknown as FastifyInstance;
    registerRoutes(this.app, {
      state: () => this.state,
      save: this.save,
      dbs: this.dbs,
      coordinator: this.coordinator,
      url: () => this.url,
      advertise: opts.advertise,
      startedAt: Date.now(),
    });
    await this.app.listen({ port: opts.port, host: opts.bind });
    const addr = this.app.server.address() as net.AddressInfo;
    this.port = addr.port;
    const host = opts.bind === '0.0.0.0' || opts.bind === '::' ? opts.advertise : opts.bind;
    this.url = `${https ? 'https' : 'http'}://${net.isIPv6(host) ? `[${host}]` : host}:${this.port}`;
    opts.log.info(`cluster '${this.name}' REST API on ${this.url} (user ${this.state.admin.username})`);
  }

  private loadState(): void {
    const { opts } = this;
    const saved = this.store.load();
    if (saved !== undefined) {
      if (opts.name !== undefined && opts.name !== saved.cluster.name) {
        throw new Error(`${opts.dir} holds cluster '${saved.cluster.name}'; a cluster's name cannot change (--name ${opts.name})`);
      }
      this.state = saved;
      if (opts.password !== undefined || opts.username !== saved.admin.username) {
        if (opts.password === undefined) throw new Error(`changing the admin user to '${opts.username}' needs --password`);
        this.state.admin = { username: opts.username, password_hash: hashPassword(opts.password) };
      }
      if (opts.shardsLimit !== undefined) this.state.license.shards_limit = opts.shardsLimit;
      this.save();
      return;
    }
    let password = opts.password;
    if (password === undefined) {
      password = randomBytes(12).toString('base64url');
      const file = join(opts.dir, 'admin-password');
      writeFileSync(file, password + '\n', { mode: 0o600 });
      opts.log.warn(`no --password given: the admin password was generated and written to ${file}`);
    }
    this.state = {
      format: 1,
      cluster: { name: opts.name ?? os.hostname(), created_time: new Date().toISOString() },
      admin: { username: opts.username, password_hash: hashPassword(password) },
      license: { shards_limit: opts.shardsLimit ?? 100 },
      next_bdb_uid: 1,
      bdbs: {},
      crdbs: {},
      tasks: {},
    };
    this.save();
  }

  /** The certificate and key: given, or generated once into `<dir>/tls/`. */
  private async tls(): Promise<{ cert: string; key: string }> {
    const { opts } = this;
    if (opts.tlsCert !== undefined || opts.tlsKey !== undefined) {
      if (opts.tlsCert === undefined || opts.tlsKey === undefined) throw new Error('--tls-cert and --tls-key go together');
      return { cert: readFileSync(opts.tlsCert, 'utf8'), key: readFileSync(opts.tlsKey, 'utf8') };
    }
    const dir = join(opts.dir, 'tls');
    const certFile = join(dir, 'cert.pem');
    const keyFile = join(dir, 'key.pem');
    if (!existsSync(certFile) || !existsSync(keyFile)) {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      const names = new Set([this.name, 'localhost', os.hostname()]);
      const ips = new Set(['127.0.0.1', '::1']);
      for (const a of [opts.advertise, opts.bind]) if (net.isIP(a) !== 0 && a !== '0.0.0.0' && a !== '::') ips.add(a);
      for (const a of [opts.advertise]) if (net.isIP(a) === 0) names.add(a);
      const pems = await selfSignedCert(this.name, [...names], [...ips]);
      writeFileSync(keyFile, pems.key, { mode: 0o600 });
      writeFileSync(certFile, pems.cert, { mode: 0o644 });
      opts.log.info(`generated a self-signed certificate: ${certFile}`);
    }
    return { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
  }

  /** Stops the API and every database process. */
  async stop(): Promise<void> {
    await this.app?.close();
    this.coordinator?.tasks.close();
    await this.dbs?.stopAll();
    rmSync(join(this.opts.dir, 'node.pid'), { force: true });
  }
}

/** One node per directory: `<dir>/node.pid` names the node using it; a stale one (its process
 * gone, e.g. after a crash) is taken over. */
function lockDir(dir: string): void {
  const file = join(dir, 'node.pid');
  if (existsSync(file)) {
    const pid = Number(readFileSync(file, 'utf8').trim());
    let alive = false;
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid) {
      try {
        const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
        alive = args.includes('node') && args.some((a) => a.endsWith('tandem.js'));
      } catch {
        alive = false;
      }
    }
    if (alive) throw new Error(`another tandem node (pid ${pid}) uses ${dir}`);
  }
  writeFileSync(file, `${process.pid}\n`);
}
