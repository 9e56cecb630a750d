/**
 * REC controller: one Tandem cluster = a StatefulSet of `tandem node` pods, its API and headless
 * Services, the admin credentials Secret, the optional API Ingress, then the cluster is checked
 * through its REST API and `state`, `licenseStatus` and conditions are published.
 */
import type * as k8s from '@kubernetes/client-node';
import { ClusterApi, ClusterApiError } from './cluster-api.js';
import { clusterFqdn, FINALIZERS, OperatorContext } from './context.js';
import { CR, ownerReference, type Resource } from './kube.js';
import type { ReconcileResult } from './runtime/controller.js';
import { setCondition, withUnsupportedFields } from './runtime/conditions.js';
import type { RecSpec, RecStatus, RecState } from './schemas/rec.js';

export const NODE_CONTAINER = 'redis-enterprise-node';
export const API_PORT = 9443;
export const DATA_DIR = '/var/opt/tandem';
export const DEFAULT_IMAGE = 'tandem:latest';

/** Problems that make a REC spec invalid (reference §5.8, REC side). */
export function recSpecProblems(spec: RecSpec): string[] {
  const out: string[] = [];
  if (spec.ingressOrRouteSpec && spec.activeActive) out.push('spec.ingressOrRouteSpec and spec.activeActive cannot both be set; activeActive is the deprecated crdb-cli method — keep one');
  if (spec.license && spec.licenseSecretName) out.push('spec.license and spec.licenseSecretName cannot both be set');
  const routing = spec.ingressOrRouteSpec ?? (spec.activeActive ? { method: spec.activeActive.method, ingressAnnotations: spec.activeActive.ingressAnnotations } : undefined);
  if (routing?.method === 'ingress' && !routing.ingressAnnotations?.['kubernetes.io/ingress.class']) {
    out.push('ingressAnnotations must contain kubernetes.io/ingress.class when method is ingress (e.g. haproxy or nginx with SSL passthrough)');
  }
  return out;
}

/** The shard quota a license text sets (`shards_limit: N`), if any. */
export function licenseShardsLimit(text: string | undefined): number | undefined {
  const m = text?.match(/shards_limit\D{0,4}(\d+)/);
  return m ? Number(m[1]) : undefined;
}

export function recLabels(rec: Resource<RecSpec>): Record<string, string> {
  return { app: 'redis-enterprise', 'redis.io/cluster': rec.metadata.name, ...(rec.spec.extraLabels ?? {}) };
}

/** The StatefulSet running the cluster's node pods. */
export function recStatefulSet(rec: Resource<RecSpec>, image: string): k8s.V1StatefulSet {
  const ns = rec.metadata.namespace!;
  const name = rec.metadata.name;
  const labels = recLabels(rec);
  const secret = OperatorContext.recSecretName(rec);
  const persistent = rec.spec.persistentSpec?.enabled !== false;
  const args = [
    'node',
    `--dir=${DATA_DIR}`,
    `--port=${API_PORT}`,
    '--bind=0.0.0.0',
    `--name=${clusterFqdn(name, ns)}`,
    '--db-bind=0.0.0.0',
    '--advertise-address=$(POD_IP)',
    '--peer-tls-insecure',
  ];
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name, namespace: ns, labels, ownerReferences: [ownerReference(rec)] },
    spec: {
      // A Tandem cluster is one node today (DESIGN.md §5: several nodes need an external config store).
      replicas: 1,
      serviceName: `${name}-headless`,
      selector: { matchLabels: labels },
      podManagementPolicy: 'OrderedReady',
      template: {
        metadata: { labels, ...(rec.spec.podAnnotations ? { annotations: rec.spec.podAnnotations } : {}) },
        spec: {
          securityContext: { runAsNonRoot: true, runAsUser: 1001, fsGroup: 1001 },
          ...(rec.spec.nodeSelector ? { nodeSelector: rec.spec.nodeSelector } : {}),
          containers: [
            {
              name: NODE_CONTAINER,
              image,
              command: ['node', 'dist/src/cli/tandem.js'],
              args,
              env: [
                { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
                { name: 'TANDEM_USERNAME', valueFrom: { secretKeyRef: { name: secret, key: 'username' } } },
                { name: 'TANDEM_PASSWORD', valueFrom: { secretKeyRef: { name: secret, key: 'password' } } },
                // lets `kubectl exec … -- crdb-cli` trust the node's self-signed certificate
                { name: 'TANDEM_CA_FILE', value: `${DATA_DIR}/tls/cert.pem` },
              ],
              ports: [{ name: 'api', containerPort: API_PORT }],
              readinessProbe: { tcpSocket: { port: API_PORT }, periodSeconds: 5 },
              livenessProbe: { tcpSocket: { port: API_PORT }, initialDelaySeconds: 15, periodSeconds: 10 },
              ...(rec.spec.redisEnterpriseNodeResources ? { resources: rec.spec.redisEnterpriseNodeResources as k8s.V1ResourceRequirements } : {}),
              volumeMounts: persistent ? [{ name: 'data', mountPath: DATA_DIR }] : [{ name: 'data', mountPath: DATA_DIR }],
            },
          ],
          ...(persistent ? {} : { volumes: [{ name: 'data', emptyDir: {} }] }),
        },
      },
      ...(persistent
        ? {
            volumeClaimTemplates: [
              {
                metadata: { name: 'data', labels },
                spec: {
                  accessModes: ['ReadWriteOnce'],
                  ...(rec.spec.persistentSpec?.storageClassName ? { storageClassName: rec.spec.persistentSpec.storageClassName } : {}),
                  resources: { requests: { storage: String(rec.spec.persistentSpec?.volumeSize ?? '10Gi') } },
                },
              },
            ],
          }
        : {}),
    },
  };
}

function service(rec: Resource<RecSpec>, name: string, headless: boolean): k8s.V1Service {
  const ns = rec.metadata.namespace!;
  const annotations = rec.spec.services?.servicesAnnotations;
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: ns, labels: recLabels(rec), ownerReferences: [ownerReference(rec)], ...(annotations ? { annotations } : {}) },
    spec: {
      selector: recLabels(rec),
      ports: [{ name: 'api', port: API_PORT, targetPort: API_PORT as unknown as k8s.IntOrString }],
      ...(headless ? { clusterIP: 'None', publishNotReadyAddresses: true } : { type: rec.spec.services?.apiService?.type ?? 'ClusterIP' }),
    },
  };
}

/** The API Ingress for `ingressOrRouteSpec` / `activeActive` with method ingress (TLS passthrough to 9443). */
export function apiIngress(rec: Resource<RecSpec>): k8s.V1Ingress | undefined {
  const r = rec.spec.ingressOrRouteSpec
    ? { method: rec.spec.ingressOrRouteSpec.method, host: rec.spec.ingressOrRouteSpec.apiFqdnUrl, annotations: rec.spec.ingressOrRouteSpec.ingressAnnotations }
    : rec.spec.activeActive
      ? { method: rec.spec.activeActive.method, host: rec.spec.activeActive.apiIngressUrl, annotations: rec.spec.activeActive.ingressAnnotations }
      : undefined;
  if (!r || r.method !== 'ingress') return undefined;
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name: `${rec.metadata.name}-api`, namespace: rec.metadata.namespace!, labels: recLabels(rec), annotations: r.annotations ?? {}, ownerReferences: [ownerReference(rec)] },
    spec: {
      rules: [{ host: r.host, http: { paths: [{ path: '/', pathType: 'ImplementationSpecific', backend: { service: { name: rec.metadata.name, port: { number: API_PORT } } } }] } }],
      tls: [{ hosts: [r.host] }],
    },
  };
}

export async function reconcileRec(ctx: OperatorContext, obj: Resource): Promise<ReconcileResult> {
  const rec = obj as Resource<RecSpec, RecStatus>;
  const ns = rec.metadata.namespace!;
  const gen = rec.metadata.generation ?? 1;
  const status: RecStatus = { ...(rec.status ?? {}) };
  const writeStatus = async (state: RecState, extra: Partial<RecStatus> = {}) => {
    const next = { ...status, ...extra, state, observedGeneration: gen };
    if (JSON.stringify(next) !== JSON.stringify(rec.status ?? {})) await ctx.kube.patchCrStatus(CR.rec, ns, rec.metadata.name, next);
  };

  if (rec.metadata.deletionTimestamp) {
    // REC deletion waits until the databases of its namespace are gone (reference §4.1)
    const redbs = (await ctx.kube.listCr(CR.redb, ns)).items;
    if (redbs.length > 0) {
      await writeStatus('Deleting');
      return { requeueAfterMs: 2000 };
    }
    await ctx.kube.setFinalizers(CR.rec, rec, (rec.metadata.finalizers ?? []).filter((f) => f !== FINALIZERS.rec));
    return {};
  }
  if (!(rec.metadata.finalizers ?? []).includes(FINALIZERS.rec)) {
    await ctx.kube.setFinalizers(CR.rec, rec, [...(rec.metadata.finalizers ?? []), FINALIZERS.rec]);
    return {};
  }

  const problems = recSpecProblems(rec.spec);
  if (problems.length > 0) {
    status.conditions = setCondition(status.conditions, { type: 'SpecValid', status: 'False', reason: 'InvalidSpec', message: problems.join('; '), observedGeneration: gen });
    await ctx.events.record(rec, 'Warning', 'InvalidSpec', problems.join('; '));
    await writeStatus('Invalid', { specStatus: 'Invalid' });
    return {};
  }
  status.specStatus = 'Valid';
  status.conditions = setCondition(status.conditions, { type: 'SpecValid', status: 'True', reason: 'Valid', message: 'the spec is valid', observedGeneration: gen });
  const unsupported: string[] = [];
  if ((rec.spec.nodes ?? 3) > 1) unsupported.push(`nodes=${rec.spec.nodes ?? 3} (a Tandem cluster runs one node; the StatefulSet has 1 replica)`);
  if (rec.spec.ingressOrRouteSpec && rec.spec.ingressOrRouteSpec.method !== 'ingress') unsupported.push(`ingressOrRouteSpec.method=${rec.spec.ingressOrRouteSpec.method} (only ingress objects are created)`);
  if (rec.spec.clusterCredentialSecretType === 'vault') unsupported.push('clusterCredentialSecretType=vault');
  status.conditions = withUnsupportedFields(status.conditions, unsupported, gen);

  const creds = await ctx.ensureRecSecret(rec);
  status.clusterCredentialSecretName = OperatorContext.recSecretName(rec);
  await ctx.kube.ensure(service(rec, rec.metadata.name, false));
  await ctx.kube.ensure(service(rec, `${rec.metadata.name}-headless`, true));
  const sts = await ctx.kube.ensure(recStatefulSet(rec, ctx.opts.image ?? DEFAULT_IMAGE));
  const ingress = apiIngress(rec);
  if (ingress) await ctx.kube.ensure(ingress);
  else await ctx.kube.remove('networking.k8s.io/v1', 'Ingress', ns, `${rec.metadata.name}-api`);
  status.ingressOrRouteMethodStatus = rec.spec.ingressOrRouteSpec?.method ?? rec.spec.activeActive?.method;

  const ready = (sts.status?.readyReplicas ?? 0) >= 1;
  if (!ready) {
    status.conditions = setCondition(status.conditions, { type: 'Ready', status: 'False', reason: 'PodsNotReady', message: `waiting for pod ${rec.metadata.name}-0 to be ready`, observedGeneration: gen });
    await writeStatus(rec.status?.state === 'Running' ? 'Error' : 'BootstrappingFirstPod');
    return { requeueAfterMs: 2000 };
  }
  const api = new ClusterApi(ctx.recApiUrl(ns, rec.metadata.name), creds, ctx.opts.clusterTls);
  try {
    await api.cluster();
    const wanted = licenseShardsLimit(rec.spec.license);
    let lic = await api.license();
    if (wanted !== undefined && wanted !== lic.shards_limit) lic = await api.request('PUT', '/v1/license', { shards_limit: wanted });
    status.licenseStatus = {
      licenseState: lic.expired ? 'Expired' : 'Valid',
      shardsLimit: lic.shards_limit,
      shardsUsage: lic.shards_in_use,
      features: lic.features ?? [],
    };
    status.conditions = setCondition(status.conditions, { type: 'Ready', status: 'True', reason: 'ClusterRunning', message: 'the cluster REST API answers', observedGeneration: gen });
    if (rec.status?.state !== 'Running') await ctx.events.record(rec, 'Normal', 'Running', `cluster ${clusterFqdn(rec.metadata.name, ns)} is running`);
    await writeStatus('Running');
    return { requeueAfterMs: ctx.opts.pollMs ?? 10_000 };
  } catch (e) {
    const msg = e instanceof ClusterApiError ? e.message : (e as Error).message;
    status.conditions = setCondition(status.conditions, { type: 'Ready', status: 'False', reason: 'ApiUnavailable', message: `the cluster REST API did not answer: ${msg}`, observedGeneration: gen });
    await writeStatus(rec.status?.state === 'Running' ? 'Error' : 'Initializing');
    return { requeueAfterMs: 2000 };
  }
}
