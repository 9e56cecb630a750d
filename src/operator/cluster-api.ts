/**
 * REST client for a Tandem cluster node (reference §6–7: /v1/cluster, /v1/license, /v1/bdbs,
 * /v1/crdbs, /v1/crdb_tasks), HTTP Basic with the admin credentials. Errors carry the API's
 * `{error_code, description}` so controllers can put them in conditions verbatim.
 */
import http from 'node:http';
import https from 'node:https';

export interface ClusterTls {
  /** PEM certificates to trust (the node's self-signed certificate, or a CA). */
  ca?: string;
  /** Accept any certificate (test setups with self-signed nodes). */
  insecure?: boolean;
}

import type { ClusterCredentials, ClusterInfo, DatabaseConfig, InstanceInfo as StoredInstanceInfo } from '../cluster/types.js';

// The request and response types are the cluster's own (src/cluster/types.ts).
export type { ClusterInfo, DatabaseConfig };
export type Credentials = ClusterCredentials;
/** An instance as a request gives it: the cluster assigns the id when it is left out. */
export type InstanceInfo = Omit<StoredInstanceInfo, 'id'> & { id?: number };

export class ClusterApiError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    readonly description: string,
  ) {
    super(`${status} ${errorCode}: ${description}`);
  }
}

export interface Crdb {
  guid: string;
  name: string;
  encryption?: boolean;
  default_db_config: DatabaseConfig;
  instances: (InstanceInfo & { id: number })[];
  local_databases?: { bdb_uid: string; id: number }[];
}

export interface CrdbTask {
  id: string;
  crdb_guid?: string;
  operation?: string;
  status: 'queued' | 'started' | 'finished' | 'failed' | 'cancelled' | string;
  errors?: { cluster_name?: string; description: string; error_code: string }[];
}

export interface Bdb {
  uid: number;
  name: string;
  status: string;
  port?: number;
  memory_size?: number;
  eviction_policy?: string;
  crdt?: boolean;
  crdt_guid?: string;
  crdt_sources?: { uid: number; status: string; last_error?: string }[];
  endpoints?: { dns_name: string; port: number }[];
}

export interface License {
  shards_limit: number;
  shards_in_use: number;
  expired?: boolean;
  features?: string[];
}

export class ClusterApi {
  constructor(
    readonly baseUrl: string,
    private readonly creds: Credentials,
    private readonly tls: ClusterTls = {},
    private readonly timeoutMs = 15000,
  ) {}

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const url = new URL(path, this.baseUrl);
    const mod = url.protocol === 'https:' ? https : http;
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise<T>((resolve, reject) => {
      const req = mod.request(
        url,
        {
          method,
          timeout: this.timeoutMs,
          headers: {
            authorization: 'Basic ' + Buffer.from(`${this.creds.username}:${this.creds.password}`).toString('base64'),
            accept: 'application/json',
            ...(payload !== undefined ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
          },
          ...(url.protocol === 'https:' ? { rejectUnauthorized: !this.tls.insecure, ...(this.tls.ca ? { ca: this.tls.ca } : {}) } : {}),
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let json: unknown;
            try {
              json = text === '' ? undefined : JSON.parse(text);
            } catch {
              json = undefined;
            }
            const status = res.statusCode ?? 500;
            if (status >= 400) {
              const e = (json ?? {}) as { error_code?: string; description?: string };
              reject(new ClusterApiError(status, e.error_code ?? 'http_error', e.description ?? (text || `HTTP ${status}`)));
            } else resolve(json as T);
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${url.href} timed out after ${this.timeoutMs} ms`)));
      req.on('error', (e) => reject(new ClusterApiError(0, 'unreachable', `${method} ${url.href}: ${e.message}`)));
      req.end(payload);
    });
  }

  cluster(): Promise<{ name: string; software_version?: string }> {
    return this.request('GET', '/v1/cluster');
  }
  license(): Promise<License> {
    return this.request('GET', '/v1/license');
  }
  bdbs(): Promise<Bdb[]> {
    return this.request('GET', '/v1/bdbs');
  }
  bdb(uid: number): Promise<Bdb> {
    return this.request('GET', `/v1/bdbs/${uid}`);
  }
  createBdb(config: DatabaseConfig & { name: string }): Promise<Bdb> {
    return this.request('POST', '/v1/bdbs', config);
  }
  updateBdb(uid: number, config: Partial<DatabaseConfig>): Promise<Bdb> {
    return this.request('PUT', `/v1/bdbs/${uid}`, config);
  }
  deleteBdb(uid: number): Promise<unknown> {
    return this.request('DELETE', `/v1/bdbs/${uid}`);
  }
  crdbs(): Promise<Crdb[]> {
    return this.request('GET', '/v1/crdbs');
  }
  crdb(guid: string): Promise<Crdb> {
    return this.request('GET', `/v1/crdbs/${encodeURIComponent(guid)}`);
  }
  createCrdb(body: { name: string; encryption?: boolean; default_db_config: DatabaseConfig; instances: InstanceInfo[] }): Promise<CrdbTask> {
    return this.request('POST', '/v1/crdbs', body);
  }
  patchCrdb(guid: string, body: { default_db_config?: DatabaseConfig; instances?: { id: number; db_config?: DatabaseConfig }[] }): Promise<CrdbTask> {
    return this.request('PATCH', `/v1/crdbs/${encodeURIComponent(guid)}`, body);
  }
  modifyCrdb(guid: string, body: { add_instances?: InstanceInfo[]; remove_instances?: number[]; force_remove?: boolean; force_update?: boolean }): Promise<CrdbTask> {
    return this.request('POST', `/v1/crdbs/${encodeURIComponent(guid)}/updates`, body);
  }
  deleteCrdb(guid: string): Promise<CrdbTask> {
    return this.request('DELETE', `/v1/crdbs/${encodeURIComponent(guid)}`);
  }
  task(id: string): Promise<CrdbTask> {
    return this.request('GET', `/v1/crdb_tasks/${encodeURIComponent(id)}`);
  }
}

/** Whether a task reached a final state. */
export const taskDone = (t: CrdbTask): boolean => t.status === 'finished' || t.status === 'failed' || t.status === 'cancelled';
