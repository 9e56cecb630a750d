/**
 * What the admission webhook checks (reference §5.8), plus the limitations Tandem removes:
 * shard quota, duplicate RERC cluster identity, per-cluster overrides. Each rule returns problems
 * phrased as "<field>: what is wrong; what to do", so a denial says how to fix the manifest.
 */
import { EVICTION_POLICIES, HONOURED_DATABASE_FIELDS, OVERRIDABLE_FIELDS, type DatabaseSpec } from '../schemas/database-spec.js';
import { crdByKind } from '../schemas/index.js';
import type { ReaadbSpec } from '../schemas/reaadb.js';
import type { RercSpec } from '../schemas/rerc.js';
import { rercCreatedByOperator, rercSecretName } from '../schemas/rerc.js';
import { schemaProblems } from '../schemas/validator.js';
import type { Resource } from '../kube.js';

/** What the rules need to know about the cluster; implemented over the Kubernetes API. */
export interface AdmissionLookups {
  /** Secret data keys, or undefined when the secret does not exist. */
  secretKeys(namespace: string, name: string): Promise<string[] | undefined>;
  rercs(namespace: string): Promise<Resource<RercSpec>[]>;
  redbs(namespace: string): Promise<Resource<DatabaseSpec>[]>;
  /** Shard quota of the local cluster (from its REC's licenseStatus), if known. */
  license(namespace: string): Promise<{ rec: string; shardsLimit: number; shardsUsage: number } | undefined>;
}

export interface AdmissionInput {
  operation: 'CREATE' | 'UPDATE' | string;
  kind: string;
  namespace: string;
  object: Resource;
  oldObject?: Resource | undefined;
}

const MEMORY = /^([0-9]+(?:\.[0-9]+)?)\s*(B|KB|MB|GB|TB)$/i;
const UNIT: Record<string, number> = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3, TB: 1024 ** 4 };

/** memorySize in bytes, or undefined when the text is not a size. */
export function parseMemorySize(text: string): number | undefined {
  const m = MEMORY.exec(text.trim());
  if (!m) return undefined;
  return Math.round(Number(m[1]) * UNIT[m[2]!.toUpperCase()]!);
}

export const RESERVED_TAG_KEYS = [
  'managed_by',
  'redb_name',
  'redb_namespace',
  'db_service_port',
  'oss_cluster_access',
  'redb_resource',
  'redb_resource_name',
  'global_configurations_spec',
  'replication_endpoint_port',
  'rerc_name',
  'redis.io/db-sec-name',
  'redis.io/db-sec-latest',
  'redis.io/certs-latest',
  'redis.io/bu-sec-name',
  'redis.io/bu-sec-latest',
  // Tandem's own: the participating clusters' RERCs, for peer operators (rerc-propagation.ts)
  'tandem.io/rerc-specs',
];

const NAME = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/** Checks of one database spec's values (REDB spec, REAADB globalConfigurations or an override). */
export function databaseValueProblems(spec: Partial<DatabaseSpec>, path: string): string[] {
  const out: string[] = [];
  if (spec.evictionPolicy !== undefined && !(EVICTION_POLICIES as readonly string[]).includes(spec.evictionPolicy)) {
    out.push(`${path}.evictionPolicy: "${spec.evictionPolicy}" is not an eviction policy; use one of ${EVICTION_POLICIES.join(', ')}`);
  }
  if (spec.memorySize !== undefined) {
    const bytes = parseMemorySize(spec.memorySize);
    if (bytes === undefined) out.push(`${path}.memorySize: "${spec.memorySize}" is not a size; write a number and a unit, e.g. 100MB or 1GB`);
    else if (bytes < 100 * 1024 ** 2) out.push(`${path}.memorySize: ${spec.memorySize} is below the 100MB minimum; use at least 100MB`);
  }
  const backup = spec.backup as Record<string, unknown> | undefined;
  if (backup) {
    const targets = ['s3', 'gcs', 'abs', 'swift', 'sftp', 'ftp', 'mount'].filter((t) => backup[t] !== undefined);
    if (targets.length !== 1) out.push(`${path}.backup: set exactly one target (s3, gcs, abs, swift, sftp, ftp or mount), found ${targets.length === 0 ? 'none' : targets.join(', ')}`);
  }
  for (const key of Object.keys(spec.tags ?? {})) {
    if (RESERVED_TAG_KEYS.includes(key)) out.push(`${path}.tags: "${key}" is reserved for the operator; choose another key`);
  }
  if (spec.type === 'memcached' && spec.databaseSecretName !== undefined) out.push(`${path}.databaseSecretName: memcached databases cannot use a database secret; use memcachedSaslSecretName`);
  return out;
}

async function secretProblem(lookups: AdmissionLookups, namespace: string, name: string, keys: string[], field: string): Promise<string | undefined> {
  const have = await lookups.secretKeys(namespace, name);
  if (have === undefined) return `${field}: secret "${name}" does not exist in namespace ${namespace}; create it first (kubectl create secret generic ${name} ${keys.map((k) => `--from-literal=${k}=…`).join(' ')})`;
  const missing = keys.filter((k) => !have.includes(k));
  if (missing.length > 0) return `${field}: secret "${name}" lacks the key${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`;
  return undefined;
}

async function quotaProblem(lookups: AdmissionLookups, input: AdmissionInput, shardCount: number, oldShardCount: number, field: string): Promise<string | undefined> {
  const lic = await lookups.license(input.namespace);
  if (!lic) return undefined;
  const extra = shardCount - oldShardCount;
  if (extra <= 0) return undefined;
  if (lic.shardsUsage + extra > lic.shardsLimit) {
    return `${field}: ${shardCount} shard${shardCount > 1 ? 's' : ''} would exceed the license of REC ${lic.rec} (${lic.shardsUsage} of ${lic.shardsLimit} shards in use); lower shardCount, delete a database or install a license with more shards`;
  }
  return undefined;
}

export async function validateRedb(input: AdmissionInput, lookups: AdmissionLookups): Promise<string[]> {
  const spec = (input.object.spec ?? {}) as DatabaseSpec;
  const out = databaseValueProblems(spec, 'spec');
  const old = input.oldObject?.spec as DatabaseSpec | undefined;
  if (old && old.databasePort !== undefined && spec.databasePort !== old.databasePort) out.push(`spec.databasePort: cannot change after creation (was ${old.databasePort})`);
  const name = input.object.metadata.name;
  if (!NAME.test(name) || name.length > 63) out.push(`metadata.name: "${name}" must be at most 63 lowercase letters, digits or hyphens, start with a letter and end with a letter or digit`);
  const q = await quotaProblem(lookups, input, spec.shardCount ?? 1, old ? (old.shardCount ?? 1) : 0, 'spec.shardCount');
  if (q) out.push(q);
  return out;
}

export async function validateRerc(input: AdmissionInput, lookups: AdmissionLookups): Promise<string[]> {
  const out: string[] = [];
  const spec = input.object.spec as RercSpec;
  const name = input.object.metadata.name;
  const expected = rercSecretName(name);
  if (spec.secretName !== undefined && spec.secretName !== expected) out.push(`spec.secretName: must be "${expected}" (the secret of an RERC is named redis-enterprise-<RERC name>)`);
  if (/[/:]/.test(spec.apiFqdnUrl)) out.push(`spec.apiFqdnUrl: "${spec.apiFqdnUrl}" must be a host name without scheme, port or path; put the port in spec.apiPort`);
  // An RERC the operator creates for a materialised REAADB is admitted before its secret is
  // applied (the secret is the user's to apply on every cluster); its status reports the missing secret.
  if (!rercCreatedByOperator(input.object)) {
    const sp = await secretProblem(lookups, input.namespace, spec.secretName ?? expected, ['username', 'password'], 'spec.secretName');
    if (sp) out.push(sp);
  }
  // Tandem removes RED-96302 only in the sense that a duplicate is caught here instead of colliding
  // later. The operator never creates a duplicate: it uses the RERC that already describes a cluster.
  for (const other of await lookups.rercs(input.namespace)) {
    if (other.metadata.name === name) continue;
    if (other.spec.recName === spec.recName && other.spec.recNamespace === spec.recNamespace) {
      const made = rercCreatedByOperator(other) ? ' (created by the operator for an Active-Active database)' : '';
      out.push(`spec.recName/recNamespace: RERC "${other.metadata.name}"${made} already describes ${spec.recName}/${spec.recNamespace}; each participating cluster needs exactly one RERC — edit that one instead`);
    }
  }
  return out;
}

export async function validateReaadb(input: AdmissionInput, lookups: AdmissionLookups): Promise<string[]> {
  const out: string[] = [];
  const spec = input.object.spec as ReaadbSpec;
  const old = input.oldObject?.spec as ReaadbSpec | undefined;
  const name = input.object.metadata.name;
  if (!NAME.test(name) || name.length >= 63) out.push(`metadata.name: "${name}" must be under 63 lowercase letters, digits or hyphens, start with a letter and end with a letter or digit`);
  const gc = spec.globalConfigurations ?? {};
  out.push(...databaseValueProblems(gc, 'spec.globalConfigurations'));
  if (gc.isRof === true) out.push('spec.globalConfigurations.isRof: Active-Active databases cannot be Redis on Flash; remove isRof');
  for (const [field, p] of [['spec.globalConfigurations', gc.persistence], ...(spec.participatingClusters ?? []).map((pc, i) => [`spec.participatingClusters[${i}].overrides`, pc.overrides?.persistence] as const)] as const) {
    if (p?.startsWith('snapshot') === true) out.push(`${field}.persistence: ${p} is not available for Active-Active databases (they persist through the effect log); use aofEverySecond or aofAlways`);
  }
  if ((gc.ossClusterSettings as { enableExternalAccess?: boolean } | undefined)?.enableExternalAccess === true) {
    out.push('spec.globalConfigurations.ossClusterSettings.enableExternalAccess: not supported for Active-Active databases; remove it');
  }
  for (const [i, m] of ((gc.modulesList as { name: string; version?: string }[] | undefined) ?? []).entries()) {
    if (!m.version) out.push(`spec.globalConfigurations.modulesList[${i}].version: must be set for an Active-Active database (module ${m.name})`);
  }
  if (gc.databaseSecretName) {
    const sp = await secretProblem(lookups, input.namespace, gc.databaseSecretName, ['password'], 'spec.globalConfigurations.databaseSecretName');
    if (sp) out.push(`${sp} (an Active-Active database secret is not generated: create the same secret on every participating cluster)`);
  }
  if (old) {
    const o = old.globalConfigurations ?? {};
    if (o.shardingEnabled !== undefined && gc.shardingEnabled !== o.shardingEnabled) out.push('spec.globalConfigurations.shardingEnabled: cannot change after creation');
    if (o.databasePort !== undefined && gc.databasePort !== o.databasePort) out.push(`spec.globalConfigurations.databasePort: cannot change after creation (was ${o.databasePort})`);
    if (old.existingDbGuid !== undefined && spec.existingDbGuid !== old.existingDbGuid) out.push('spec.existingDbGuid: cannot change after creation');
  }
  if (spec.existingDbGuid !== undefined && !/^[0-9a-fA-F-]{8,64}$/.test(spec.existingDbGuid)) out.push(`spec.existingDbGuid: "${spec.existingDbGuid}" is not a CRDB GUID (see crdb-cli crdb list)`);

  const rercs = await lookups.rercs(input.namespace);
  const seen = new Set<string>();
  for (const [i, pc] of spec.participatingClusters.entries()) {
    const field = `spec.participatingClusters[${i}]`;
    if (seen.has(pc.name)) out.push(`${field}.name: "${pc.name}" is listed twice; list each participating cluster once`);
    seen.add(pc.name);
    if (!rercs.some((r) => r.metadata.name === pc.name)) {
      out.push(`${field}.name: RERC "${pc.name}" does not exist in namespace ${input.namespace}; create the RedisEnterpriseRemoteCluster (and its secret ${rercSecretName(pc.name)}) first`);
    }
    if (pc.overrides) {
      const extra = Object.keys(pc.overrides).filter((k) => !(OVERRIDABLE_FIELDS as readonly string[]).includes(k));
      if (extra.length > 0) out.push(`${field}.overrides: ${extra.join(', ')} cannot differ per cluster; only ${OVERRIDABLE_FIELDS.join(', ')} can`);
      out.push(...databaseValueProblems(pc.overrides, `${field}.overrides`));
    }
  }
  const oldShards = old ? (old.globalConfigurations?.shardCount ?? 1) : 0;
  const q = old?.existingDbGuid !== undefined || spec.existingDbGuid !== undefined ? undefined : await quotaProblem(lookups, input, gc.shardCount ?? 1, oldShards, 'spec.globalConfigurations.shardCount');
  if (q) out.push(q);
  // database names are unique per cluster: an REDB of the same name would collide with the local instance
  if (input.operation === 'CREATE' && (await lookups.redbs(input.namespace)).some((r) => r.metadata.name === name)) {
    out.push(`metadata.name: a RedisEnterpriseDatabase named "${name}" already exists in namespace ${input.namespace}; database names must be unique in a cluster`);
  }
  return out;
}

/** All problems of an admission request; an empty list admits it. */
export async function admissionProblems(input: AdmissionInput, lookups: AdmissionLookups): Promise<string[]> {
  const def = crdByKind(input.kind);
  if (!def) return [];
  const schema = schemaProblems(def, input.object);
  if (schema.length > 0) return schema; // the value checks assume well-typed input
  switch (input.kind) {
    case 'RedisEnterpriseDatabase':
      return validateRedb(input, lookups);
    case 'RedisEnterpriseRemoteCluster':
      return validateRerc(input, lookups);
    case 'RedisEnterpriseActiveActiveDatabase':
      return validateReaadb(input, lookups);
    default:
      return [];
  }
}

/** Database fields that are set but not applied by Tandem (reported in a condition, never ignored silently). */
export function unsupportedFields(spec: Record<string, unknown> | undefined): string[] {
  return Object.keys(spec ?? {})
    .filter((k) => !HONOURED_DATABASE_FIELDS.has(k))
    .sort();
}
