// The Helm chart, rendered by the test renderer (helm is not installed here), compared with
// what it must hold, and every rendered object checked against the Kubernetes model of its kind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import YAML from 'yaml';
import { renderTemplate } from '../../src/operator/deploy-manifests.js';
import { CHART_DIR, renderDeployFiles } from '../../src/operator/deploy-files.js';
import { kubernetesSchemaProblems } from './k8s-schema.js';

type Obj = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string }; [k: string]: unknown };

function renderChart(namespace: string, values: unknown): Obj[] {
  const files = renderDeployFiles();
  const docs: Obj[] = [];
  for (const [rel, text] of files) {
    if (rel.startsWith(`${CHART_DIR}/templates/`)) {
      for (const d of YAML.parseAllDocuments(renderTemplate(text, { Release: { Namespace: namespace }, Values: values }))) if (d.contents) docs.push(d.toJS() as Obj);
    }
  }
  return docs;
}

const values = { image: { repository: 'registry.example.com/tandem', tag: '9.9.9', pullPolicy: 'Always' }, operator: { replicas: 3 } };

test('the chart renders the operator Deployment, least-privilege RBAC, the webhook Service and configuration', () => {
  const docs = renderChart('ops', values);
  assert.deepEqual(docs.map((d) => `${d.kind}/${d.metadata.name}`).sort(), [
    'ClusterRole/redis-enterprise-operator-ops',
    'ClusterRoleBinding/redis-enterprise-operator-ops',
    'Deployment/redis-enterprise-operator',
    'Role/redis-enterprise-operator',
    'RoleBinding/redis-enterprise-operator',
    'Service/admission',
    'ServiceAccount/redis-enterprise-operator',
    'ValidatingWebhookConfiguration/redis-enterprise-admission',
  ]);
  for (const d of docs) if (!['ClusterRole', 'ClusterRoleBinding', 'ValidatingWebhookConfiguration'].includes(d.kind)) assert.equal(d.metadata.namespace, 'ops', `${d.kind} namespace`);
  const dep = docs.find((d) => d.kind === 'Deployment') as unknown as { spec: { replicas: number; template: { spec: { containers: { image: string; imagePullPolicy: string; args: string[] }[]; securityContext: { runAsNonRoot: boolean } } } } };
  assert.equal(dep.spec.replicas, 3);
  const c = dep.spec.template.spec.containers[0]!;
  assert.equal(c.image, 'registry.example.com/tandem:9.9.9');
  assert.equal(c.imagePullPolicy, 'Always');
  assert.equal(c.args[0], 'operator');
  assert.ok(!c.args.includes('--no-leader-elect'), 'two replicas are safe only with leader election');
  assert.equal(dep.spec.template.spec.securityContext.runAsNonRoot, true);
  // least privilege: no wildcards; cluster-wide rights only on our own webhook configuration
  for (const r of docs.filter((d) => d.kind === 'Role' || d.kind === 'ClusterRole')) {
    for (const rule of r.rules as { apiGroups: string[]; resources: string[]; verbs: string[]; resourceNames?: string[] }[]) {
      assert.ok(![...rule.apiGroups, ...rule.resources, ...rule.verbs].includes('*'), `${r.kind} has a wildcard`);
    }
  }
  const cr = docs.find((d) => d.kind === 'ClusterRole') as unknown as { rules: { resourceNames: string[]; verbs: string[] }[] };
  assert.deepEqual(cr.rules, [{ apiGroups: ['admissionregistration.k8s.io'], resources: ['validatingwebhookconfigurations'], resourceNames: ['redis-enterprise-admission'], verbs: ['get', 'update'] }]);
  const wh = docs.find((d) => d.kind === 'ValidatingWebhookConfiguration') as unknown as { webhooks: { name: string; clientConfig: { service: { namespace: string; name: string; path: string } }; rules: { resources: string[] }[] }[] };
  assert.equal(wh.webhooks[0]!.name, 'redisenterprise.admission.redislabs');
  assert.deepEqual(wh.webhooks[0]!.clientConfig.service, { name: 'admission', namespace: 'ops', path: '/admission', port: 443 });
  assert.deepEqual(wh.webhooks[0]!.rules[0]!.resources.sort(), ['redisenterpriseactiveactivedatabases', 'redisenterprisedatabases', 'redisenterpriseremoteclusters']);
});

test('every rendered object, CRD and bundle document validates against the Kubernetes model of its kind', () => {
  const files = renderDeployFiles();
  const docs: Obj[] = [...renderChart('ops', values)];
  for (const [rel, text] of files) {
    if (rel === 'deploy/bundle.yaml' || rel.startsWith(`${CHART_DIR}/crds/`)) for (const d of YAML.parseAllDocuments(text)) if (d.contents) docs.push(d.toJS() as Obj);
  }
  assert.ok(docs.length > 20);
  for (const d of docs) assert.deepEqual(kubernetesSchemaProblems(d), [], `${d.kind}/${d.metadata.name}`);
});

test('the schema check catches a misspelt field and a wrong type', () => {
  const bad = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x' }, spec: { replicas: '2', selector: {}, template: { spec: { containers: [{ name: 'c', imagePullPolicyy: 'Always' }] } } } };
  assert.deepEqual(kubernetesSchemaProblems(bad), ['Deployment.spec.replicas: expected a number, got "2"', 'Deployment.spec.template.spec.containers[0].imagePullPolicyy: not a field of V1Container']);
});

test('the template renderer refuses template syntax it does not implement', () => {
  assert.throws(() => renderTemplate('{{ if .Values.x }}', { Release: { Namespace: 'a' }, Values: {} }), /unsupported template expression/);
  assert.throws(() => renderTemplate('{{ .Values.nope }}', { Release: { Namespace: 'a' }, Values: {} }), /not defined/);
});
