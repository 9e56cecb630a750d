/**
 * The REAADB/REDB spec ↔ REST `database_config` mapping (reference §5.3 table). Only the fields
 * Tandem honours are mapped; the rest are reported in the UnsupportedFields condition.
 */
import { parseMemorySize } from './admission/rules.js';
import type { DatabaseConfig } from './cluster-api.js';
import type { DatabaseOverrides, DatabaseSpec, EvictionPolicy, Persistence } from './schemas/database-spec.js';

export function persistenceConfig(p: Persistence | undefined): Pick<DatabaseConfig, 'data_persistence' | 'aof_policy'> {
  switch (p) {
    case undefined:
      return {};
    case 'disabled':
      return { data_persistence: 'disabled' };
    case 'aofEverySecond':
      return { data_persistence: 'aof', aof_policy: 'appendfsync-every-sec' };
    case 'aofAlways':
      return { data_persistence: 'aof', aof_policy: 'appendfsync-always' };
    default:
      return { data_persistence: 'snapshot' };
  }
}

/** database_config of a spec (or of a per-cluster override). `aa` selects Active-Active defaults. */
export function toDatabaseConfig(spec: DatabaseSpec | DatabaseOverrides, aa: boolean): DatabaseConfig {
  const c: DatabaseConfig = {};
  if (spec.memorySize !== undefined) c.memory_size = parseMemorySize(spec.memorySize)!;
  // Checked against EVICTION_POLICIES by the CRD schema and the webhook (and again by the cluster).
  if (spec.evictionPolicy !== undefined) c.eviction_policy = spec.evictionPolicy as EvictionPolicy;
  if (spec.replication !== undefined) c.replication = spec.replication;
  Object.assign(c, persistenceConfig(spec.persistence));
  const full = spec as DatabaseSpec;
  if (full.shardCount !== undefined) c.shards_count = full.shardCount;
  if (full.databasePort !== undefined) c.port = full.databasePort;
  if (aa && full.shardingEnabled !== undefined) c.sharding = full.shardingEnabled && (full.shardCount ?? 1) > 1;
  return c;
}

/** Whether every field of `want` has the same value in `have`. */
export function configMatches(want: DatabaseConfig, have: DatabaseConfig | undefined): boolean {
  return Object.entries(want).every(([k, v]) => JSON.stringify((have as Record<string, unknown> | undefined)?.[k]) === JSON.stringify(v));
}

function sizeText(bytes: number): string {
  const mb = bytes / 1024 ** 2;
  if (mb >= 1024 && Number.isInteger(mb / 1024)) return `${mb / 1024}GB`;
  if (Number.isInteger(mb)) return `${mb}MB`;
  return `${bytes}B`;
}

/** The spec fields a database_config determines (to bring a peer's REAADB to the CRDB's config). */
export function fromDatabaseConfig(c: DatabaseConfig): Partial<DatabaseSpec> {
  const s: Partial<DatabaseSpec> = {};
  if (c.memory_size !== undefined && c.memory_size > 0) s.memorySize = sizeText(c.memory_size);
  if (c.eviction_policy !== undefined) s.evictionPolicy = c.eviction_policy;
  if (c.replication !== undefined) s.replication = c.replication;
  if (c.shards_count !== undefined) s.shardCount = c.shards_count;
  if (c.data_persistence === 'disabled') s.persistence = 'disabled';
  else if (c.data_persistence === 'aof') s.persistence = c.aof_policy === 'appendfsync-always' ? 'aofAlways' : 'aofEverySecond';
  return s;
}

/** A bdb tag (`database_config.tags[]`, reference §5.3) of a configuration. */
export function configTag(c: DatabaseConfig | undefined, key: string): string | undefined {
  const tags = ((c as { tags?: { key: string; value: string }[] } | undefined)?.tags ?? []);
  return tags.find((t) => t.key === key)?.value;
}
