/** RedisEnterpriseRemoteCluster (`rerc`, v1alpha1): one participating cluster (reference §3). */
import { bool, conditions, int, int64, obj, oneOf, str, type Condition, type CrdDefinition } from './schema.js';

export const rercSpecSchema = obj(
  'Connection details of one participating cluster.',
  {
    recName: str('Name of the REC this RERC points to.'),
    recNamespace: str('Namespace of that REC.'),
    apiFqdnUrl: str('External FQDN of that cluster\'s REST API (its ingressOrRouteSpec.apiFqdnUrl).'),
    apiPort: int('Port of the API URL (default 443).', { minimum: 1, maximum: 65535 }),
    dbFqdnSuffix: str('Suffix appended to a database name to build its replication endpoint host and TLS SNI.'),
    secretName: str('Secret with the cluster admin credentials; must be redis-enterprise-<RERC name>.'),
  },
  ['recName', 'recNamespace', 'apiFqdnUrl'],
);

export const rercStatusSchema = obj('Observed state of a RedisEnterpriseRemoteCluster.', {
  local: bool('True when this RERC describes the REC managed by this operator.'),
  status: oneOf('Active or Error.', ['Active', 'Error']),
  specStatus: oneOf('Valid or Invalid.', ['Valid', 'Invalid']),
  observedGeneration: int64('Last metadata.generation processed.'),
  internalObservedSecretResourceVersion: str('resourceVersion of the credential secret last processed.'),
  conditions,
});

export const RERC: CrdDefinition = {
  kind: 'RedisEnterpriseRemoteCluster',
  plural: 'redisenterpriseremoteclusters',
  singular: 'redisenterpriseremotecluster',
  listKind: 'RedisEnterpriseRemoteClusterList',
  shortNames: ['rerc'],
  specRequired: ['spec'],
  versions: [
    {
      name: 'v1alpha1',
      served: true,
      storage: true,
      spec: rercSpecSchema,
      status: rercStatusSchema,
      printerColumns: [
        { name: 'Status', type: 'string', jsonPath: '.status.status' },
        { name: 'Spec Status', type: 'string', jsonPath: '.status.specStatus' },
        { name: 'Local', type: 'boolean', jsonPath: '.status.local' },
      ],
    },
  ],
};

export interface RercSpec {
  recName: string;
  recNamespace: string;
  apiFqdnUrl: string;
  apiPort?: number;
  dbFqdnSuffix?: string;
  secretName?: string;
}

export interface RercStatus {
  local?: boolean;
  status?: 'Active' | 'Error';
  specStatus?: 'Valid' | 'Invalid';
  observedGeneration?: number;
  internalObservedSecretResourceVersion?: string;
  conditions?: Condition[];
}

/** The secret name an RERC must use (reference §1.2: `redis-enterprise-<RERC name>`). */
export const rercSecretName = (rercName: string): string => `redis-enterprise-${rercName}`;

/**
 * Label of the RERCs an operator created on a peer cluster for a materialised REAADB (reference
 * §1.4 step 13); only those are deleted by the operator, once no REAADB uses them.
 */
export const RERC_CREATED_BY_LABEL = 'tandem.io/created-by';
export const RERC_CREATED_BY_OPERATOR = 'tandem-operator';

/** Whether an RERC was created by the operator (rather than applied by a user). */
export const rercCreatedByOperator = (rerc: { metadata: { labels?: Record<string, string> } }): boolean => rerc.metadata.labels?.[RERC_CREATED_BY_LABEL] === RERC_CREATED_BY_OPERATOR;
