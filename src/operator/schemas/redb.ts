/** RedisEnterpriseDatabase (`redb`, v1alpha1): one ordinary database (reference §4.2). */
import { redbSpecSchema, type DatabaseSpec } from './database-spec.js';
import { arr, conditions, int64, obj, str, type Condition, type CrdDefinition } from './schema.js';

export const REDB_STATUS_VALUES = ['', 'pending', 'active', 'active-change-pending', 'delete-pending', 'import-pending', 'creation-failed', 'recovery', 'error'];

export const redbStatusSchema = obj('Observed state of a RedisEnterpriseDatabase.', {
  status: str('Database status (RS bdb vocabulary: pending, active, active-change-pending, delete-pending, creation-failed, …).'),
  specStatus: str('Valid or Invalid.'),
  databaseUID: str('Database uid in the cluster.'),
  internalEndpoints: arr('Endpoints inside the Kubernetes cluster.', obj('Endpoint.', { host: str('Host.'), port: int64('Port.') })),
  redisEnterpriseCluster: str('The REC the database lives in.'),
  shardStatuses: obj('Shard statuses.', { active: int64('Active shards.') }),
  version: str('Redis version.'),
  lastActionStatus: str('Status of the last action.'),
  lastActionUid: str('Uid of the last action.'),
  observedGeneration: int64('Last metadata.generation processed.'),
  conditions,
});

export const REDB: CrdDefinition = {
  kind: 'RedisEnterpriseDatabase',
  plural: 'redisenterprisedatabases',
  singular: 'redisenterprisedatabase',
  listKind: 'RedisEnterpriseDatabaseList',
  shortNames: ['redb'],
  specRequired: [],
  versions: [
    {
      name: 'v1alpha1',
      served: true,
      storage: true,
      spec: redbSpecSchema,
      status: redbStatusSchema,
      printerColumns: [
        { name: 'Version', type: 'string', jsonPath: '.status.version' },
        { name: 'Port', type: 'integer', jsonPath: '.status.internalEndpoints[*].port' },
        { name: 'Cluster', type: 'string', jsonPath: '.status.redisEnterpriseCluster' },
        { name: 'Shards', type: 'integer', jsonPath: '.status.shardStatuses.active' },
        { name: 'Status', type: 'string', jsonPath: '.status.status' },
        { name: 'Spec Status', type: 'string', jsonPath: '.status.specStatus' },
        { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
      ],
    },
  ],
};

export interface RedbStatus {
  status?: string;
  specStatus?: 'Valid' | 'Invalid';
  databaseUID?: string;
  internalEndpoints?: { host: string; port: number }[];
  redisEnterpriseCluster?: string;
  shardStatuses?: { active: number };
  version?: string;
  lastActionStatus?: string;
  lastActionUid?: string;
  observedGeneration?: number;
  conditions?: Condition[];
}

export type RedbSpec = DatabaseSpec;
