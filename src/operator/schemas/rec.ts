/** RedisEnterpriseCluster (`rec`, v1 storage, v1alpha1 deprecated): one Tandem cluster (reference §4.1). */
import { arr, bool, conditions, freeform, int, int64, obj, oneOf, quantity, str, stringMap, type Condition, type CrdDefinition, type CrdVersion } from './schema.js';

export const REC_STATES = [
  'PendingCreation',
  'BootstrappingFirstPod',
  'Initializing',
  'RecoveryReset',
  'RecoveringFirstPod',
  'Running',
  'Error',
  'Invalid',
  'InvalidUpgrade',
  'Upgrade',
  'Deleting',
  'ClusterRecreating',
  'RunningRollingUpdate',
] as const;
export type RecState = (typeof REC_STATES)[number];

const resources = obj('Compute resources of each node pod (core ResourceRequirements).', {
  limits: { type: 'object', description: 'Limits.', additionalProperties: quantity('Quantity.') },
  requests: { type: 'object', description: 'Requests.', additionalProperties: quantity('Quantity.') },
});

const operatingMode = obj('Service operating mode.', { operatingMode: oneOf('enabled or disabled.', ['enabled', 'disabled']) }, ['operatingMode']);

export const recSpecSchema = obj('Desired state of a Tandem cluster.', {
  nodes: int('Number of node pods (default 3).', { minimum: 1, default: 3 }),
  persistentSpec: obj('Persistent volume per node pod.', {
    enabled: bool('Use a persistent volume (default true).'),
    storageClassName: str('Storage class.'),
    volumeSize: quantity('Volume size, e.g. 20Gi.'),
    enablePersistentVolumeResize: bool('Allow volume resize.'),
  }),
  redisEnterpriseNodeResources: resources,
  license: str('License text (empty = trial).'),
  licenseSecretName: str('Secret with key `license`; mutually exclusive with `license`.'),
  username: str('Admin user created at bootstrap (default demo@redis.com).'),
  clusterCredentialSecretName: str('Admin credentials secret (default: the REC name).'),
  clusterCredentialSecretType: oneOf('Where credentials live.', ['kubernetes', 'vault']),
  clusterCredentialSecretRole: str('Vault role.'),
  vaultCASecret: str('Vault CA secret.'),
  ingressOrRouteSpec: obj(
    'External routing for the API and Active-Active databases.',
    {
      method: oneOf('Routing method.', ['ingress', 'openShiftRoute', 'istio']),
      apiFqdnUrl: str('External API host.'),
      dbFqdnSuffix: str('Suffix appended to database names.'),
      ingressAnnotations: stringMap('Annotations of the ingress objects (method ingress requires kubernetes.io/ingress.class).'),
    },
    ['method', 'apiFqdnUrl', 'dbFqdnSuffix'],
  ),
  activeActive: obj(
    'Deprecated crdb-cli method ingress configuration; mutually exclusive with ingressOrRouteSpec.',
    {
      method: oneOf('Routing method.', ['ingress', 'openShiftRoute']),
      apiIngressUrl: str('External API host.'),
      dbIngressSuffix: str('Suffix appended to database names.'),
      ingressAnnotations: stringMap('Annotations of the ingress objects.'),
    },
    ['method', 'apiIngressUrl', 'dbIngressSuffix'],
  ),
  certificates: obj(
    'Certificate secrets.',
    Object.fromEntries(
      [
        'apiCertificateSecretName',
        'cmCertificateSecretName',
        'metricsExporterCertificateSecretName',
        'proxyCertificateSecretName',
        'syncerCertificateSecretName',
        'ldapClientCertificateSecretName',
        'cpInternodeEncryptionCertificateSecretName',
        'dpInternodeEncryptionCertificateSecretName',
        'ssoServiceCertificateSecretName',
        'ssoIssuerCertificateSecretName',
      ].map((k) => [k, str('Secret name.')]),
    ),
  ),
  redisEnterpriseServicesConfiguration: obj('Cluster services.', {
    crdbCoordinator: operatingMode,
    crdbWorker: operatingMode,
    mdnsServer: operatingMode,
    cmServer: operatingMode,
    statsArchiver: operatingMode,
    saslauthd: operatingMode,
    pdnsServer: operatingMode,
  }),
  services: obj('Service options.', {
    apiService: obj('API Service.', { type: oneOf('Service type.', ['ClusterIP', 'NodePort', 'LoadBalancer']) }),
    servicesAnnotations: stringMap('Annotations of every operator Service.'),
  }),
  servicesRiggerSpec: freeform('Services rigger options.'),
  redisEnterpriseImageSpec: obj('Node image.', { repository: str('Repository.'), versionTag: str('Tag.'), imagePullPolicy: str('Pull policy.'), digestHash: str('Digest.') }),
  upgradeSpec: obj('Upgrade options.', { autoUpgradeRedisEnterprise: bool('Upgrade automatically.') }),
  dataInternodeEncryption: bool('Internode encryption default.'),
  redisUpgradePolicy: oneOf('Redis upgrade policy.', ['major', 'latest']),
  resp3Default: bool('RESP3 default.'),
  backup: freeform('Cluster backup defaults.'),
  auditing: freeform('Cluster auditing.'),
  metricsConfig: freeform('Metrics options.'),
  nodeSelector: stringMap('Node selector of node pods.'),
  podAnnotations: stringMap('Annotations of node pods.'),
  extraLabels: stringMap('Labels added to every object of the cluster.'),
});

export const recStatusSchema = obj('Observed state of a Tandem cluster.', {
  state: oneOf('Cluster state.', [...REC_STATES]),
  specStatus: oneOf('Valid or Invalid.', ['Valid', 'Invalid']),
  licenseStatus: obj('License state.', {
    licenseState: str('License state.'),
    activationDate: str('Activation date.'),
    expirationDate: str('Expiration date.'),
    shardsLimit: int64('Shard limit.'),
    shardsUsage: int64('Shards in use.'),
    features: arr('Features.', str('Feature.')),
    owner: str('Owner.'),
    flashShards: int64('Flash shards in use.'),
    flashShardsLimit: int64('Flash shard limit.'),
    ramShards: int64('RAM shards in use.'),
    ramShardsLimit: int64('RAM shard limit.'),
  }),
  ingressOrRouteMethodStatus: str('Routing method in use.'),
  certificatesStatus: obj('Certificates.', { generation: int64('Generation.'), updateStatus: oneOf('Update status.', ['InProgress', 'Completed']) }),
  bundledDatabaseVersions: arr(
    'Bundled database versions.',
    obj('Version.', { dbType: str('Type.'), version: str('Version.'), major: bool('Major.'), featureSupport: obj('Features.', { activeActive: bool('AA.'), flex: bool('Flex.') }) }),
  ),
  modules: arr('Modules.', obj('Module.', { name: str('Name.'), displayName: str('Display name.'), versions: arr('Versions.', str('Version.')) })),
  persistenceStatus: obj('Persistence.', { status: oneOf('Status.', ['Provisioned', 'Provisioning', 'Resizing', 'ResizeFailed']), succeeded: str('Succeeded.') }),
  clusterCredentialSecretName: str('Credentials secret in use.'),
  redisEnterpriseIPFamily: str('IP family.'),
  observedGeneration: int64('Last metadata.generation processed.'),
  conditions,
});

const recPrinterColumns: CrdVersion['printerColumns'] = [
  { name: 'Nodes', type: 'integer', jsonPath: '.spec.nodes' },
  { name: 'Shards', type: 'integer', jsonPath: '.status.licenseStatus.shardsUsage' },
  { name: 'Version', type: 'string', jsonPath: '.spec.redisEnterpriseImageSpec.versionTag' },
  { name: 'State', type: 'string', jsonPath: '.status.state' },
  { name: 'Spec Status', type: 'string', jsonPath: '.status.specStatus' },
  { name: 'License State', type: 'string', jsonPath: '.status.licenseStatus.licenseState' },
  { name: 'License Expiration Date', type: 'string', jsonPath: '.status.licenseStatus.expirationDate' },
  { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
];

export const REC: CrdDefinition = {
  kind: 'RedisEnterpriseCluster',
  plural: 'redisenterpriseclusters',
  singular: 'redisenterprisecluster',
  listKind: 'RedisEnterpriseClusterList',
  shortNames: ['rec'],
  specRequired: [],
  versions: [
    { name: 'v1', served: true, storage: true, spec: recSpecSchema, status: recStatusSchema, printerColumns: recPrinterColumns },
    { name: 'v1alpha1', served: true, storage: false, deprecated: true, spec: recSpecSchema, status: recStatusSchema, printerColumns: recPrinterColumns },
  ],
};

export interface RecSpec {
  nodes?: number;
  persistentSpec?: { enabled?: boolean; storageClassName?: string; volumeSize?: string | number; enablePersistentVolumeResize?: boolean };
  redisEnterpriseNodeResources?: { limits?: Record<string, string | number>; requests?: Record<string, string | number> };
  license?: string;
  licenseSecretName?: string;
  username?: string;
  clusterCredentialSecretName?: string;
  ingressOrRouteSpec?: { method: 'ingress' | 'openShiftRoute' | 'istio'; apiFqdnUrl: string; dbFqdnSuffix: string; ingressAnnotations?: Record<string, string> };
  activeActive?: { method: 'ingress' | 'openShiftRoute'; apiIngressUrl: string; dbIngressSuffix: string; ingressAnnotations?: Record<string, string> };
  services?: { apiService?: { type?: 'ClusterIP' | 'NodePort' | 'LoadBalancer' }; servicesAnnotations?: Record<string, string> };
  redisEnterpriseImageSpec?: { repository?: string; versionTag?: string; imagePullPolicy?: string };
  nodeSelector?: Record<string, string>;
  podAnnotations?: Record<string, string>;
  extraLabels?: Record<string, string>;
  [field: string]: unknown;
}

export interface RecStatus {
  state?: RecState;
  specStatus?: 'Valid' | 'Invalid';
  licenseStatus?: { licenseState?: string; activationDate?: string; expirationDate?: string; shardsLimit?: number; shardsUsage?: number; features?: string[]; owner?: string };
  ingressOrRouteMethodStatus?: string;
  clusterCredentialSecretName?: string;
  observedGeneration?: number;
  conditions?: Condition[];
}
