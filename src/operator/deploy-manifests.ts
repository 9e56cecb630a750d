/**
 * The operator's install manifests, written once in TypeScript: the Helm chart templates under
 * deploy/helm/tandem (with a few `{{ .Release.Namespace }}` / `{{ .Values.… }}` placeholders and no
 * other template logic) and deploy/bundle.yaml (the same templates rendered with the default
 * values). RBAC is least privilege: a namespaced Role for everything the controllers touch and a
 * ClusterRole limited to reading/updating our own ValidatingWebhookConfiguration (caBundle).
 */
import { GROUP } from './schemas/schema.js';
import { WEBHOOK_CONFIG_NAME } from './admission/certificate.js';
import { WEBHOOK_NAME } from './admission/server.js';

export const OPERATOR_NAME = 'redis-enterprise-operator';
const NS = '{{ .Release.Namespace }}';
/** Marks a value that must be rendered unquoted (a number) in the template text. */
const INT = (expr: string) => `__INT__${expr}`;

export const DEFAULT_VALUES = {
  image: { repository: 'tandem', tag: '0.1.0', pullPolicy: 'IfNotPresent' },
  operator: { replicas: 2 },
};

const labels = { app: 'redis-enterprise', name: OPERATOR_NAME };
const image = '{{ .Values.image.repository }}:{{ .Values.image.tag }}';

const crdResources = ['redisenterpriseclusters', 'redisenterprisedatabases', 'redisenterpriseremoteclusters', 'redisenterpriseactiveactivedatabases'];
const rw = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];

/** Template name → the objects it holds. */
export function chartTemplates(): Record<string, Record<string, unknown>[]> {
  return {
    'rbac.yaml': [
      { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: OPERATOR_NAME, namespace: NS, labels } },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'Role',
        metadata: { name: OPERATOR_NAME, namespace: NS, labels },
        rules: [
          { apiGroups: [GROUP], resources: crdResources, verbs: rw },
          { apiGroups: [GROUP], resources: crdResources.map((r) => `${r}/status`), verbs: ['get', 'update', 'patch'] },
          { apiGroups: [GROUP], resources: crdResources.map((r) => `${r}/finalizers`), verbs: ['update'] },
          { apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list', 'watch', 'create', 'update', 'patch'] },
          { apiGroups: [''], resources: ['services'], verbs: rw },
          { apiGroups: [''], resources: ['configmaps', 'pods'], verbs: ['get', 'list', 'watch'] },
          { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] },
          { apiGroups: ['apps'], resources: ['statefulsets'], verbs: rw },
          { apiGroups: ['networking.k8s.io'], resources: ['ingresses'], verbs: rw },
          { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'create', 'update'] },
        ],
      },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: OPERATOR_NAME, namespace: NS, labels },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: OPERATOR_NAME },
        subjects: [{ kind: 'ServiceAccount', name: OPERATOR_NAME, namespace: NS }],
      },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRole',
        metadata: { name: `${OPERATOR_NAME}-${NS}`, labels },
        rules: [{ apiGroups: ['admissionregistration.k8s.io'], resources: ['validatingwebhookconfigurations'], resourceNames: [WEBHOOK_CONFIG_NAME], verbs: ['get', 'update'] }],
      },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRoleBinding',
        metadata: { name: `${OPERATOR_NAME}-${NS}`, labels },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: `${OPERATOR_NAME}-${NS}` },
        subjects: [{ kind: 'ServiceAccount', name: OPERATOR_NAME, namespace: NS }],
      },
    ],
    'operator.yaml': [
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: OPERATOR_NAME, namespace: NS, labels },
        spec: {
          replicas: INT('{{ .Values.operator.replicas }}'),
          selector: { matchLabels: { name: OPERATOR_NAME } },
          template: {
            metadata: { labels },
            spec: {
              serviceAccountName: OPERATOR_NAME,
              securityContext: { runAsNonRoot: true, runAsUser: 1001 },
              containers: [
                {
                  name: 'operator',
                  image,
                  imagePullPolicy: '{{ .Values.image.pullPolicy }}',
                  command: ['node', 'dist/src/cli/tandem.js'],
                  // one container serves the controllers (leader-elected) and the webhook (every replica)
                  args: ['operator', '--webhook-port=8443', '--health-port=8080', '--cluster-tls-insecure'],
                  env: [
                    { name: 'WATCH_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
                    { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
                    { name: 'TANDEM_IMAGE', value: image },
                  ],
                  envFrom: [{ configMapRef: { name: 'operator-environment-config', optional: true } }],
                  ports: [
                    { name: 'webhook', containerPort: 8443 },
                    { name: 'health', containerPort: 8080 },
                  ],
                  livenessProbe: { httpGet: { path: '/liveness', port: 8080 }, initialDelaySeconds: 10, periodSeconds: 10 },
                  readinessProbe: { httpGet: { path: '/readiness', port: 8443, scheme: 'HTTPS' }, periodSeconds: 5 },
                  resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '512Mi' } },
                  securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
                },
              ],
            },
          },
        },
      },
    ],
    'admission.yaml': [
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'admission', namespace: NS, labels },
        spec: { selector: { name: OPERATOR_NAME }, ports: [{ port: 443, targetPort: 8443, protocol: 'TCP' }] },
      },
      {
        apiVersion: 'admissionregistration.k8s.io/v1',
        kind: 'ValidatingWebhookConfiguration',
        metadata: { name: WEBHOOK_CONFIG_NAME, labels },
        webhooks: [
          {
            name: WEBHOOK_NAME,
            // caBundle is filled in by the operator from the admission-tls secret it creates
            clientConfig: { service: { name: 'admission', namespace: NS, path: '/admission', port: 443 } },
            rules: [{ apiGroups: [GROUP], apiVersions: ['v1alpha1'], operations: ['CREATE', 'UPDATE'], resources: crdResources.filter((r) => r !== 'redisenterpriseclusters') }],
            admissionReviewVersions: ['v1', 'v1beta1'],
            failurePolicy: 'Fail',
            matchPolicy: 'Exact',
            sideEffects: 'None',
            timeoutSeconds: 30,
          },
        ],
      },
    ],
  };
}

/** Renders the placeholder subset of Go templates the chart uses; any other template syntax is an error. */
export function renderTemplate(text: string, ctx: { Release: { Namespace: string }; Values: unknown }): string {
  return text.replace(/\{\{-?\s*([^}]*?)\s*-?\}\}/g, (_m, expr: string) => {
    if (!/^\.[A-Za-z][\w.]*$/.test(expr)) throw new Error(`unsupported template expression {{ ${expr} }}`);
    let cur: unknown = ctx;
    for (const part of expr.slice(1).split('.')) {
      cur = (cur as Record<string, unknown> | undefined)?.[part];
      if (cur === undefined) throw new Error(`template value ${expr} is not defined`);
    }
    return String(cur);
  });
}

/** Turns the `__INT__` markers into unquoted template expressions. */
export function unquoteInts(yamlText: string): string {
  return yamlText.replace(/(["']?)__INT__(\{\{[^}]*\}\})\1/g, '$2');
}
