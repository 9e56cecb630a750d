/**
 * A small builder for the OpenAPI v3 (structural) schemas of our CRDs. The same objects are
 * written into `deploy/crds/*.yaml`, used by the test Kubernetes API server (ajv) and by the
 * admission webhook, so a field exists in exactly one place.
 */

export interface JSONSchemaProps {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  description?: string;
  format?: string;
  properties?: Record<string, JSONSchemaProps>;
  required?: string[];
  items?: JSONSchemaProps;
  additionalProperties?: JSONSchemaProps;
  enum?: (string | number | boolean)[];
  default?: unknown;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  pattern?: string;
  anyOf?: JSONSchemaProps[];
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
}

type Extra = Partial<Omit<JSONSchemaProps, 'type'>>;

export const str = (description: string, extra: Extra = {}): JSONSchemaProps => ({ type: 'string', description, ...extra });
export const int = (description: string, extra: Extra = {}): JSONSchemaProps => ({ type: 'integer', description, ...extra });
export const int64 = (description: string, extra: Extra = {}): JSONSchemaProps => ({ type: 'integer', format: 'int64', description, ...extra });
export const bool = (description: string, extra: Extra = {}): JSONSchemaProps => ({ type: 'boolean', description, ...extra });
export const oneOf = (description: string, values: string[], extra: Extra = {}): JSONSchemaProps => ({
  type: 'string',
  description,
  enum: values,
  ...extra,
});
export const arr = (description: string, items: JSONSchemaProps, extra: Extra = {}): JSONSchemaProps => ({ type: 'array', description, items, ...extra });
export const obj = (description: string, properties: Record<string, JSONSchemaProps>, required?: string[]): JSONSchemaProps => ({
  type: 'object',
  description,
  properties,
  ...(required && required.length > 0 ? { required } : {}),
});
export const stringMap = (description: string): JSONSchemaProps => ({ type: 'object', description, additionalProperties: { type: 'string' } });
export const quantity = (description: string): JSONSchemaProps => ({
  description,
  anyOf: [{ type: 'integer' }, { type: 'string' }],
  pattern: '^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$',
  'x-kubernetes-int-or-string': true,
});
/** An object whose content Kubernetes keeps as given (e.g. embedded core types). */
export const freeform = (description: string): JSONSchemaProps => ({ type: 'object', description, 'x-kubernetes-preserve-unknown-fields': true });

export const conditionSchema = obj(
  'A standard Kubernetes condition (metav1.Condition).',
  {
    type: str('Condition type, e.g. Ready, SpecValid, UnsupportedFields.'),
    status: oneOf('True, False or Unknown.', ['True', 'False', 'Unknown']),
    observedGeneration: int64('metadata.generation the condition was computed for.'),
    lastTransitionTime: str('Last time the status changed.', { format: 'date-time' }),
    reason: str('CamelCase reason.'),
    message: str('What happened, in words a person can act on.'),
  },
  ['type', 'status', 'lastTransitionTime', 'reason', 'message'],
);

export const conditions = arr('Conditions (Tandem addition to the reference status).', conditionSchema);

export interface PrinterColumn {
  name: string;
  type: 'string' | 'integer' | 'boolean' | 'date' | 'number';
  jsonPath: string;
  description?: string;
}

export interface CrdVersion {
  name: string;
  served: boolean;
  storage: boolean;
  deprecated?: boolean;
  spec: JSONSchemaProps;
  status: JSONSchemaProps;
  printerColumns: PrinterColumn[];
}

/** Everything our CRDs say about one kind. */
export interface CrdDefinition {
  kind: string;
  plural: string;
  singular: string;
  shortNames: string[];
  listKind: string;
  versions: CrdVersion[];
  /** Spec is required by the schema (the reference requires it for every kind). */
  specRequired: string[];
}

export const GROUP = 'app.redislabs.com';

/** The full OpenAPI schema of one served version: apiVersion, kind, metadata, spec, status. */
export function openApiSchema(def: CrdDefinition, version: CrdVersion): JSONSchemaProps {
  return {
    type: 'object',
    description: `${def.kind} (${GROUP}/${version.name}).`,
    properties: {
      apiVersion: str('APIVersion defines the versioned schema of this representation of an object.'),
      kind: str('Kind is a string value representing the REST resource this object represents.'),
      metadata: { type: 'object' },
      spec: version.spec,
      status: version.status,
    },
    required: def.specRequired,
  };
}

/** The CustomResourceDefinition object (apiextensions.k8s.io/v1) for a kind. */
export function toCustomResourceDefinition(def: CrdDefinition): Record<string, unknown> {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${def.plural}.${GROUP}`, labels: { app: 'tandem' } },
    spec: {
      group: GROUP,
      names: { kind: def.kind, listKind: def.listKind, plural: def.plural, singular: def.singular, shortNames: def.shortNames },
      scope: 'Namespaced',
      preserveUnknownFields: false,
      versions: def.versions.map((v) => ({
        name: v.name,
        served: v.served,
        storage: v.storage,
        ...(v.deprecated ? { deprecated: true } : {}),
        additionalPrinterColumns: v.printerColumns,
        subresources: { status: {} },
        schema: { openAPIV3Schema: openApiSchema(def, v) },
      })),
    },
  };
}

/**
 * The schema as ajv should enforce it: like a Kubernetes API server with `fieldValidation=Strict`
 * (kubectl's default), unknown fields are errors, so every object with `properties` and no
 * `additionalProperties` / `x-kubernetes-preserve-unknown-fields` gets `additionalProperties: false`.
 * Kubernetes extensions are dropped (ajv strict mode would reject them) and int-or-string becomes
 * an anyOf.
 */
export function toStrictJsonSchema(s: JSONSchemaProps): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s)) {
    if (k.startsWith('x-kubernetes-') || k === 'description' || k === 'format') continue;
    if (k === 'properties') {
      const props: Record<string, unknown> = {};
      for (const [name, p] of Object.entries(v as Record<string, JSONSchemaProps>)) props[name] = toStrictJsonSchema(p);
      out.properties = props;
    } else if (k === 'items' || k === 'additionalProperties') {
      out[k] = toStrictJsonSchema(v as JSONSchemaProps);
    } else if (k === 'anyOf') {
      out.anyOf = (v as JSONSchemaProps[]).map(toStrictJsonSchema);
    } else if (k === 'pattern' && s['x-kubernetes-int-or-string']) {
      continue; // a quantity's pattern applies to its string form only; checked by the webhook
    } else {
      out[k] = v;
    }
  }
  if (s.type === 'object' && s.properties && !s.additionalProperties && !s['x-kubernetes-preserve-unknown-fields']) {
    out.additionalProperties = false;
  }
  return out;
}

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  observedGeneration?: number;
  lastTransitionTime: string;
  reason: string;
  message: string;
}
