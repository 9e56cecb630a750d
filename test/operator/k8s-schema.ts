/**
 * Checks an object against the Kubernetes model of its kind, using the type maps client-node
 * generates from the Kubernetes OpenAPI (`V1Deployment.attributeTypeMap`, …): every field must
 * exist in the model and have its type. Returns the problems found.
 */
import * as k8s from '@kubernetes/client-node';

type TypeEntry = { name: string; baseName: string; type: string };
const models = k8s as unknown as Record<string, { getAttributeTypeMap?: () => TypeEntry[] }>;

const KIND_MODELS: Record<string, string> = {
  'v1/ServiceAccount': 'V1ServiceAccount',
  'v1/Service': 'V1Service',
  'v1/Secret': 'V1Secret',
  'v1/ConfigMap': 'V1ConfigMap',
  'apps/v1/Deployment': 'V1Deployment',
  'apps/v1/StatefulSet': 'V1StatefulSet',
  'rbac.authorization.k8s.io/v1/Role': 'V1Role',
  'rbac.authorization.k8s.io/v1/RoleBinding': 'V1RoleBinding',
  'rbac.authorization.k8s.io/v1/ClusterRole': 'V1ClusterRole',
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': 'V1ClusterRoleBinding',
  'admissionregistration.k8s.io/v1/ValidatingWebhookConfiguration': 'V1ValidatingWebhookConfiguration',
  'apiextensions.k8s.io/v1/CustomResourceDefinition': 'V1CustomResourceDefinition',
  'networking.k8s.io/v1/Ingress': 'V1Ingress',
};

function check(value: unknown, type: string, path: string, out: string[]): void {
  if (value === null || value === undefined) return;
  const arr = /^Array<(.+)>$/.exec(type);
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (arr) {
    if (!Array.isArray(value)) out.push(`${path}: expected an array`);
    else value.forEach((v, i) => check(v, arr[1]!, `${path}[${i}]`, out));
  } else if (map) {
    if (typeof value !== 'object' || Array.isArray(value)) out.push(`${path}: expected a map`);
    else for (const [k, v] of Object.entries(value)) check(v, map[1]!, `${path}.${k}`, out);
  } else if (type === 'string' || type === 'Date') {
    if (typeof value !== 'string') out.push(`${path}: expected a string, got ${JSON.stringify(value)}`);
  } else if (type === 'number') {
    if (typeof value !== 'number') out.push(`${path}: expected a number, got ${JSON.stringify(value)}`);
  } else if (type === 'boolean') {
    if (typeof value !== 'boolean') out.push(`${path}: expected a boolean`);
  } else if (type === 'IntOrString') {
    if (typeof value !== 'string' && typeof value !== 'number') out.push(`${path}: expected an int or string`);
  } else if (type === 'any' || type === 'object') {
    // free-form (e.g. JSONSchemaProps' default, x-kubernetes extensions)
  } else {
    const m = models[type]?.getAttributeTypeMap;
    if (!m) {
      out.push(`${path}: unknown model ${type}`);
      return;
    }
    if (typeof value !== 'object' || Array.isArray(value)) {
      out.push(`${path}: expected an object (${type})`);
      return;
    }
    const fields = new Map(m().map((e) => [e.baseName, e.type]));
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      const t = fields.get(k);
      if (t === undefined) out.push(`${path}.${k}: not a field of ${type}`);
      else check(v, t, `${path}.${k}`, out);
    }
  }
}

export function kubernetesSchemaProblems(obj: { apiVersion?: string; kind?: string }): string[] {
  const model = KIND_MODELS[`${obj.apiVersion}/${obj.kind}`];
  if (!model) return [`no Kubernetes model known for ${obj.apiVersion} ${obj.kind}`];
  const out: string[] = [];
  check(obj, model, obj.kind ?? '', out);
  return out;
}
