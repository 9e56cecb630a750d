/**
 * The cluster configuration kept by `tandem node` (issue 6): cluster identity, admin
 * credentials, license, local databases (bdbs), Active-Active databases (CRDBs) and CRDB tasks.
 * Field names follow the reference REST API (k8s-control-plane.md §7) where it names them.
 */

export const EVICTION_POLICIES = [
  'noeviction',
  'allkeys-lru',
  'allkeys-lfu',
  'allkeys-random',
  'volatile-lru',
  'volatile-lfu',
  'volatile-random',
  'volatile-ttl',
] as const;
export type EvictionPolicy = (typeof EVICTION_POLICIES)[number];

/** `database_config` (§7.1): what Tandem honours, plus any other field kept as given. */
export interface DatabaseConfig {
  name?: string;
  memory_size?: number;
  port?: number;
  eviction_policy?: EvictionPolicy;
  data_persistence?: 'disabled' | 'aof' | 'snapshot';
  aof_policy?: 'appendfsync-every-sec' | 'appendfsync-always';
  authentication_redis_pass?: string;
  replication?: boolean;
  sharding?: boolean;
  shards_count?: number;
  [other: string]: unknown;
}

export interface ClusterCredentials {
  username: string;
  password: string;
}

/** `cluster_info` (§7.1). */
export interface ClusterInfo {
  name: string;
  url: string;
  credentials?: ClusterCredentials;
  replication_endpoint?: string;
  replication_tls_sni?: string;
}

/** `instance_info` (§7.1). */
export interface InstanceInfo {
  id: number;
  cluster: ClusterInfo;
  compression?: number;
  db_config?: DatabaseConfig;
  db_uid?: string;
}

/** A CRDB as every participating cluster stores it (credentials included: any participant can
 * coordinate a later change). `GET /v1/crdbs` never shows the credentials. */
export interface Crdb {
  guid: string;
  name: string;
  causal_consistency: boolean;
  encryption: boolean;
  featureset_version: number;
  protocol_version: number;
  default_db_config: DatabaseConfig;
  instances: InstanceInfo[];
  /** Configuration version: every change increments it. */
  version: number;
  /** Shared replication secret of the instances (never shown). */
  repl_secret: string;
  /** The cluster that created it. */
  managed_by: string;
  /** Where each instance's replication is reached (`host:port`), by instance id. */
  endpoints: Record<string, string>;
}

export type BdbStatus = 'pending' | 'active' | 'active-change-pending' | 'recovery' | 'creation-failed' | 'delete-pending';

/** A local database: one supervised `tandem server` process. */
export interface Bdb {
  uid: number;
  name: string;
  port: number;
  memory_size: number;
  eviction_policy: EvictionPolicy;
  data_persistence: 'disabled' | 'aof' | 'snapshot';
  aof_policy: 'appendfsync-every-sec' | 'appendfsync-always';
  authentication_redis_pass: string;
  shards_count: number;
  crdt: boolean;
  crdt_guid?: string;
  crdt_replica_id?: number;
  /** Peers: `<id>@<host>:<port>`. */
  crdt_peers?: string[];
  crdt_causal_consistency?: boolean;
  crdt_compression?: number;
  created_time: string;
  last_changed_time: string;
  /** Pid of the last process started (to clean up after the node itself was killed). */
  pid?: number;
}

export type TaskStatus = 'queued' | 'started' | 'finished' | 'failed';

export type TaskOperation =
  | 'create_crdb'
  | 'update_crdb'
  | 'delete_crdb'
  | 'add_instances'
  | 'remove_instances'
  | 'purge_instances'
  | 'flush_crdb';

export interface TaskError {
  cluster_name: string | null;
  description: string;
  error_code: string;
}

/** `crdb_task` (§6.4). */
export interface CrdbTask {
  id: string;
  crdb_guid: string;
  operation: TaskOperation;
  status: TaskStatus;
  worker_name: string;
  started: string | null;
  ended: string | null;
  errors: TaskError[];
  progress: { clusters: { name: string; progress: string }[]; worker: string };
  /** Seconds a finished task is kept (X-Result-TTL). */
  result_ttl: number;
  /** What the task works on: the request, and for a create the whole CRDB (to roll back). */
  request: unknown;
}

export interface ClusterState {
  format: 1;
  cluster: { name: string; created_time: string };
  admin: { username: string; password_hash: string };
  license: { shards_limit: number };
  next_bdb_uid: number;
  bdbs: Record<string, Bdb>;
  crdbs: Record<string, Crdb>;
  tasks: Record<string, CrdbTask>;
}
