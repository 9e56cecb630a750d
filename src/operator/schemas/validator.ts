/**
 * Validation of a custom resource against its CRD schema (the same definitions that generate
 * deploy/crds), with messages that name the field: used by the admission webhook so a wrong type
 * is explained even where the API server's own message is terse.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { openApiSchema, toStrictJsonSchema, type CrdDefinition } from './schema.js';

const ajv = new Ajv({ allErrors: true, strict: false });
const compiled = new Map<string, ValidateFunction>();

function validatorFor(def: CrdDefinition, version: string): ValidateFunction | undefined {
  const key = `${def.kind}/${version}`;
  let v = compiled.get(key);
  if (!v) {
    const ver = def.versions.find((x) => x.name === version);
    if (!ver) return undefined;
    v = ajv.compile(toStrictJsonSchema(openApiSchema(def, ver)));
    compiled.set(key, v);
  }
  return v;
}

function describe(e: ErrorObject): string {
  const path = e.instancePath.replace(/^\//, '').replace(/\/(\d+)(?=\/|$)/g, '[$1]').replace(/\//g, '.');
  const at = path === '' ? '' : path;
  switch (e.keyword) {
    case 'additionalProperties':
      return `${at ? at + '.' : ''}${(e.params as { additionalProperty: string }).additionalProperty}: unknown field; check the spelling against the CRD (kubectl explain)`;
    case 'required':
      return `${at ? at + '.' : ''}${(e.params as { missingProperty: string }).missingProperty}: required field is missing`;
    case 'type':
      return `${at}: must be ${(e.params as { type: string }).type}`;
    case 'enum':
      return `${at}: must be one of ${((e.params as { allowedValues: unknown[] }).allowedValues ?? []).map(String).join(', ')}`;
    default:
      return `${at}: ${e.message ?? 'invalid'}`;
  }
}

/** Problems of `obj` against the schema of its apiVersion; empty when valid. */
export function schemaProblems(def: CrdDefinition, obj: { apiVersion?: string }): string[] {
  const version = (obj.apiVersion ?? '').split('/')[1] ?? '';
  const validate = validatorFor(def, version);
  if (!validate) return [`apiVersion: ${obj.apiVersion} is not served for ${def.kind}; use ${def.versions.filter((v) => v.served).map((v) => `app.redislabs.com/${v.name}`).join(' or ')}`];
  const copy = { ...obj, metadata: {} };
  if (validate(copy)) return [];
  return [...new Set((validate.errors ?? []).map(describe))];
}
