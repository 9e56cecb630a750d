/**
 * The database spec shared by REDB `spec` and REAADB `spec.globalConfigurations`
 * (reference §2.3 and §4.2: `globalConfigurations` *is* the REDB spec type).
 */
import { arr, bool, int, obj, oneOf, str, stringMap, type JSONSchemaProps } from './schema.js';

import { EVICTION_POLICIES } from '../../cluster/types.js';
import { REFERENCE_PERSISTENCE, type ReferencePersistence } from '../../persistence/settings.js';

export { EVICTION_POLICIES, type EvictionPolicy } from '../../cluster/types.js';

/** The reference's `persistence` values: the data node's own table (src/persistence/settings.ts). */
export const PERSISTENCE_VALUES = Object.keys(REFERENCE_PERSISTENCE) as ReferencePersistence[];
export type Persistence = ReferencePersistence;

const alert = obj('Alert setting.', { enabled: bool('Alert enabled.'), threshold: str('Threshold for the alert.') }, ['enabled', 'threshold']);
const ALERT_KEYS = [
  'bdb_backup_delayed',
  'bdb_crdt_src_high_syncer_lag',
  'bdb_crdt_src_syncer_connection_error',
  'bdb_crdt_src_syncer_general_error',
  'bdb_high_latency',
  'bdb_high_throughput',
  'bdb_long_running_action',
  'bdb_low_throughput',
  'bdb_ram_dataset_overhead',
  'bdb_ram_values',
  'bdb_replica_src_high_syncer_lag',
  'bdb_replica_src_syncer_connection_error',
  'bdb_shard_num_ram_values',
  'bdb_size',
  'bdb_proxy_cert_expiring_soon',
];

const backup = obj('Periodic backup configuration; exactly one target.', {
  interval: int('Backup interval in seconds (default 86400).'),
  intervalOffset: int('Offset in seconds within the interval (only with 86400/43200).'),
  s3: obj('Amazon S3 target.', { awsSecretName: str('Secret with AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY.'), bucketName: str('Bucket.'), subdir: str('Sub directory.'), regionName: str('Region.') }, ['awsSecretName', 'bucketName']),
  gcs: obj('Google Cloud Storage target.', { gcsSecretName: str('Secret with CLIENT_ID, PRIVATE_KEY, PRIVATE_KEY_ID, CLIENT_EMAIL.'), bucketName: str('Bucket.'), subdir: str('Sub directory.') }, ['gcsSecretName', 'bucketName']),
  abs: obj('Azure Blob Storage target.', { absSecretName: str('Secret with AccountName, AccountKey.'), container: str('Container.'), subdir: str('Sub directory.') }, ['absSecretName', 'container']),
  swift: obj('Swift target.', { swiftSecretName: str('Secret with Key, User.'), auth_url: str('Auth URL.'), container: str('Container.'), prefix: str('Prefix.') }, ['swiftSecretName', 'auth_url', 'container']),
  sftp: obj('SFTP target.', { sftpSecretName: str('Secret with Key (SSH private key).'), sftp_url: str('SFTP URL.') }, ['sftpSecretName', 'sftp_url']),
  ftp: obj('FTP target.', { url: str('ftps://[USER[:PASSWORD]@]HOST[:PORT]/PATH[/]') }, ['url']),
  mount: obj('Mount point target.', { path: str('Path.') }, ['path']),
});

/** Fields of the database spec; REAADB adds `shardingEnabled` and `activeActive`. */
export const databaseSpecProperties: Record<string, JSONSchemaProps> = {
  alertSettings: obj(
    'Alert settings per alert name.',
    Object.fromEntries(ALERT_KEYS.map((k) => [k, alert])),
  ),
  auditing: obj('Database auditing.', { dbConnsAuditing: bool('Connection and authentication event auditing.') }),
  backup,
  clientAuthenticationCertificates: arr('Names of secrets holding TLS client certificates.', str('Secret name.')),
  connectionSettings: obj('Connection settings.', {
    internalConnections: int('Internal connections (default 5).'),
    connectionSchedulingPolicy: oneOf('Connection scheduling policy.', ['cmp', 'mru', 'spread', 'mnp']),
    globalMaxDedicatedConnections: int('Max dedicated connections (0 = unlimited).'),
    minDedicatedConnections: int('Min dedicated connections (default 2).'),
    connectionLimitType: oneOf('Connection limit type.', ['per-thread', 'per-shard']),
  }),
  dataInternodeEncryption: bool('Per-database internode encryption override.'),
  databasePort: int('TCP port of the database; immutable after creation.', { minimum: 1, maximum: 65535 }),
  databaseServicePort: int('Port exposed by the Kubernetes database Services.', { minimum: 1, maximum: 65535 }),
  databaseSecretName: str('Secret whose `password` key is the database password (empty value = no auth).'),
  defaultUser: bool('Allow the default user (default true).'),
  evictionPolicy: str(`Eviction policy: one of ${EVICTION_POLICIES.join(', ')}.`),
  isRof: bool('Redis on Flash (not supported for Active-Active).'),
  rofRamSize: str('RAM part of a Redis on Flash database.'),
  rofRamRatio: int('Flex v2 RAM ratio.', { minimum: 0, maximum: 100 }),
  searchOnBigstore: bool('Search on flash.'),
  memcachedSaslSecretName: str('Memcached SASL secret.'),
  memorySize: str('Memory limit, e.g. 100MB or 0.1GB (minimum 100MB).'),
  modulesList: arr('Modules.', obj('Module.', { name: str('Module name.'), version: str('Module version.'), config: str('Module arguments.') }, ['name'])),
  ossCluster: bool('OSS Cluster API mode.'),
  ossClusterSettings: obj('OSS Cluster API settings.', { enableExternalAccess: bool('External access (not supported for Active-Active).') }),
  persistence: oneOf('On-disk persistence.', [...PERSISTENCE_VALUES]),
  proxyPolicy: oneOf('Proxy binding policy.', ['single', 'all-master-shards', 'all-nodes']),
  rackAware: bool('Rack/zone awareness.'),
  redisEnterpriseCluster: obj('The REC this database belongs to.', { name: str('REC name.') }, ['name']),
  redisVersion: str('Redis version <major.minor> or channel major/latest.'),
  replicaSources: arr(
    'Replica-of sources.',
    obj(
      'Replica source.',
      {
        replicaSourceType: oneOf('Source type.', ['SECRET', 'REDB']),
        replicaSourceName: str('Source name.'),
        compression: int('Compression 0-6.', { minimum: 0, maximum: 6 }),
        clientKeySecret: str('Client key secret.'),
        serverCertSecret: str('Server certificate secret.'),
        tlsSniName: str('TLS SNI name.'),
      },
      ['replicaSourceType', 'replicaSourceName'],
    ),
  ),
  replication: bool('In-memory replica shards.'),
  resp3: bool('RESP3 support.'),
  rolesPermissions: arr(
    'Role to ACL bindings.',
    obj('Role permission.', { type: oneOf('Binding type.', ['redis-enterprise']), role: str('Role name.'), acl: str('Redis ACL name.') }, ['role', 'acl']),
  ),
  shardCount: int('Shards per instance (default 1).', { minimum: 1, maximum: 512 }),
  shardsPlacement: oneOf('Shard density.', ['dense', 'sparse']),
  tags: stringMap('Tags merged into the database tags.'),
  tlsMode: oneOf('Client TLS requirement.', ['disabled', 'enabled', 'replica_ssl']),
  type: oneOf('Database type.', ['redis', 'memcached']),
  upgradeSpec: obj('Upgrade options.', { upgradeModulesToLatest: bool('Upgrade modules to latest.') }, ['upgradeModulesToLatest']),
};

/** REAADB-only additions to the database spec. */
export const activeActiveOnlyProperties: Record<string, JSONSchemaProps> = {
  shardingEnabled: bool('Sharding for Active-Active (immutable after creation; shardCount 1 at creation disables it).'),
  activeActive: obj(
    'Association with the REAADB (set by the operator).',
    { name: str('REAADB name.'), participatingClusterName: str('Participating cluster (RERC) name.') },
    ['name', 'participatingClusterName'],
  ),
};

/**
 * Fields Tandem's operator applies to the database. Every other field is accepted (so manifests
 * written for the reference keep working) and listed in the `UnsupportedFields` condition.
 */
export const HONOURED_DATABASE_FIELDS = new Set([
  'memorySize',
  'shardCount',
  'shardingEnabled',
  'evictionPolicy',
  'databaseSecretName',
  'defaultUser',
  'replication',
  'persistence',
  'databasePort',
  'databaseServicePort',
  'type',
  'tags',
  'redisEnterpriseCluster',
  'activeActive',
]);

/** Fields that may differ per participating cluster (Tandem addition: per-location configuration). */
export const OVERRIDABLE_FIELDS = ['memorySize', 'evictionPolicy', 'persistence', 'replication'] as const;

export const overridesSchema = obj(
  'Tandem addition: per-participating-cluster overrides of globalConfigurations, applied as that instance\'s db_config.',
  Object.fromEntries(OVERRIDABLE_FIELDS.map((f) => [f, databaseSpecProperties[f]!])),
);

export const redbSpecSchema = obj('Desired state of a RedisEnterpriseDatabase.', databaseSpecProperties);
export const globalConfigurationsSchema = obj('Global configuration applied to every instance of the Active-Active database.', {
  ...databaseSpecProperties,
  ...activeActiveOnlyProperties,
});

/** Typed view of the fields the operator reads. */
export interface DatabaseSpec {
  memorySize?: string;
  shardCount?: number;
  shardingEnabled?: boolean;
  evictionPolicy?: string;
  databaseSecretName?: string;
  defaultUser?: boolean;
  replication?: boolean;
  persistence?: Persistence;
  databasePort?: number;
  databaseServicePort?: number;
  type?: 'redis' | 'memcached';
  tags?: Record<string, string>;
  redisEnterpriseCluster?: { name: string };
  activeActive?: { name: string; participatingClusterName: string };
  [field: string]: unknown;
}

export type DatabaseOverrides = Partial<Pick<DatabaseSpec, (typeof OVERRIDABLE_FIELDS)[number]>>;

