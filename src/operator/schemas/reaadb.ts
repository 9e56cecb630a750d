/** RedisEnterpriseActiveActiveDatabase (`reaadb`, v1alpha1): one Active-Active database (reference §2). */
import { globalConfigurationsSchema, overridesSchema, type DatabaseOverrides, type DatabaseSpec } from './database-spec.js';
import { arr, conditions, int, int64, obj, oneOf, str, type Condition, type CrdDefinition } from './schema.js';

export const REAADB_STATUS_VALUES = ['', 'pending', 'active', 'active-change-pending', 'delete-pending', 'creation-failed', 'error', 'recovery'];

export const reaadbSpecSchema = obj(
  'Desired state of an Active-Active database.',
  {
    participatingClusters: arr(
      'One entry per participating cluster (RERC).',
      obj(
        'A participating cluster.',
        {
          name: str('Name of the RERC to link.'),
          externalReplicationPort: int('Port the replication endpoint listens on (default 443).', { minimum: 1, maximum: 65535 }),
          namespace: str('Namespace in which the operator creates the REAADB on that participating cluster.'),
          overrides: overridesSchema,
        },
        ['name'],
      ),
      { minItems: 1 },
    ),
    globalConfigurations: globalConfigurationsSchema,
    redisEnterpriseCluster: obj('REC in which the local instance lives.', { name: str('REC name.') }, ['name']),
    existingDbGuid: str('Tandem addition: adopt the existing Active-Active database with this GUID (e.g. created with crdb-cli) instead of creating one.'),
  },
  ['participatingClusters'],
);

export const reaadbStatusSchema = obj('Observed state of an Active-Active database.', {
  status: str('Database status: pending, active, active-change-pending, delete-pending, creation-failed, error.'),
  specStatus: oneOf('Valid or Invalid.', ['Valid', 'Invalid']),
  participatingClusters: arr(
    'Participating clusters with their instance ids.',
    obj('Participating cluster status.', { name: str('RERC name.'), id: int64('CRDB instance id.'), replicationStatus: oneOf('up or down.', ['up', 'down']) }, ['name']),
  ),
  replicationStatus: oneOf('Overall replication status.', ['up', 'down']),
  guid: str('CRDB GUID.'),
  lastTaskUid: str('Id of the last CRDB task.'),
  linkedRedbs: arr('Linked REDB names.', str('REDB name.')),
  redisEnterpriseCluster: str('Name of the local REC.'),
  secretsStatus: arr('Status of each referenced secret.', obj('Secret status.', { name: str('Secret name.'), status: oneOf('Valid or Invalid.', ['Valid', 'Invalid']) }, ['name'])),
  clusterCertificatesGeneration: int64('Last seen REC certificates generation.'),
  managedTags: arr('Tag keys last applied from globalConfigurations.tags.', str('Tag key.')),
  observedGeneration: int64('Last metadata.generation processed.'),
  conditions,
});

export const REAADB: CrdDefinition = {
  kind: 'RedisEnterpriseActiveActiveDatabase',
  plural: 'redisenterpriseactiveactivedatabases',
  singular: 'redisenterpriseactiveactivedatabase',
  listKind: 'RedisEnterpriseActiveActiveDatabaseList',
  shortNames: ['reaadb'],
  specRequired: ['spec'],
  versions: [
    {
      name: 'v1alpha1',
      served: true,
      storage: true,
      spec: reaadbSpecSchema,
      status: reaadbStatusSchema,
      printerColumns: [
        { name: 'Status', type: 'string', jsonPath: '.status.status' },
        { name: 'Spec Status', type: 'string', jsonPath: '.status.specStatus' },
        { name: 'Linked REDBs', type: 'string', jsonPath: '.status.linkedRedbs[*]' },
        { name: 'Replication Status', type: 'string', jsonPath: '.status.replicationStatus' },
      ],
    },
  ],
};

export interface ParticipatingCluster {
  name: string;
  externalReplicationPort?: number;
  namespace?: string;
  overrides?: DatabaseOverrides;
}

export interface ReaadbSpec {
  participatingClusters: ParticipatingCluster[];
  globalConfigurations?: DatabaseSpec;
  redisEnterpriseCluster?: { name: string };
  existingDbGuid?: string;
}

export interface ReaadbStatus {
  status?: string;
  specStatus?: 'Valid' | 'Invalid';
  participatingClusters?: { name: string; id?: number; replicationStatus?: 'up' | 'down' }[];
  replicationStatus?: 'up' | 'down';
  guid?: string;
  lastTaskUid?: string;
  linkedRedbs?: string[];
  redisEnterpriseCluster?: string;
  secretsStatus?: { name: string; status: 'Valid' | 'Invalid' }[];
  clusterCertificatesGeneration?: number;
  managedTags?: string[];
  observedGeneration?: number;
  conditions?: Condition[];
}
