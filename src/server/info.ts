/**
 * INFO: sections are providers (name → fields) registered by the layers that own the figures,
 * so replication and persistence add their own without the server knowing them.
 */
import os from 'node:os';
import type { TandemServer } from './server.js';
import { REDIS_COMPAT_VERSION } from './connection-commands.js';

export type InfoFields = [string, string | number][];
export type InfoProvider = () => InfoFields;

/** Sections INFO shows with no argument, in Redis's order; `all` adds the rest. */
export const DEFAULT_SECTIONS = ['server', 'clients', 'memory', 'persistence', 'stats', 'replication', 'cpu', 'crdt', 'errorstats', 'keyspace'];

export const TANDEM_VERSION = '0.1.0';

function human(bytes: number): string {
  const units = ['B', 'K', 'M', 'G', 'T'];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${bytes}B` : `${v.toFixed(2)}${units[i]}`;
}

export function coreSections(s: TandemServer): Map<string, InfoProvider> {
  const m = new Map<string, InfoProvider>();
  m.set('server', () => {
    const up = Math.floor((Date.now() - s.stats.startedAt) / 1000);
    return [
      ['redis_version', REDIS_COMPAT_VERSION],
      ['tandem_version', TANDEM_VERSION],
      ['redis_mode', 'standalone'],
      ['os', `${os.type()} ${os.release()} ${os.arch()}`],
      ['arch_bits', 64],
      ['multiplexing_api', 'libuv'],
      ['node_version', process.version],
      ['process_id', process.pid],
      ['run_id', s.runId],
      ['tcp_port', s.port],
      ['server_time_usec', Date.now() * 1000],
      ['uptime_in_seconds', up],
      ['uptime_in_days', Math.floor(up / 86400)],
      ['hz', s.config.int('hz')],
      ['configured_hz', s.config.int('hz')],
      ['executable', process.argv[1] ?? ''],
      ['config_file', s.configFile],
    ];
  });
  m.set('clients', () => [
    ['connected_clients', s.clients.size],
    ['maxclients', s.config.int('maxclients')],
    ['blocked_clients', s.blocking.blockedClients],
    ['pubsub_clients', s.pubsub.clientCount],
  ]);
  m.set('memory', () => {
    const st = s.stats;
    const max = s.config.int('maxmemory');
    return [
      ['used_memory', st.usedMemory],
      ['used_memory_human', human(st.usedMemory)],
      ['used_memory_rss', st.rss],
      ['used_memory_rss_human', human(st.rss)],
      ['used_memory_peak', st.peakMemory],
      ['used_memory_peak_human', human(st.peakMemory)],
      ['used_memory_dataset_keys', s.db.keyspace.size],
      ['total_system_memory', os.totalmem()],
      ['total_system_memory_human', human(os.totalmem())],
      ['maxmemory', max],
      ['maxmemory_human', human(max)],
      ['maxmemory_policy', s.config.get('maxmemory-policy')],
      ['mem_fragmentation_ratio', st.usedMemory > 0 ? (st.rss / st.usedMemory).toFixed(2) : '0.00'],
      ['mem_allocator', 'v8'],
    ];
  });
  // Durability (effect log, snapshots) is its own issue; until it lands this section reports the
  // true state — nothing saved, no AOF — in Redis's field names, because tools read them.
  m.set('persistence', () => [
    ['loading', 0],
    ['async_loading', 0],
    ['rdb_changes_since_last_save', s.db.stats.effectsOriginated],
    ['rdb_bgsave_in_progress', 0],
    ['rdb_last_save_time', Math.floor(s.stats.startedAt / 1000)],
    ['rdb_last_bgsave_status', 'ok'],
    ['aof_enabled', 0],
    ['aof_rewrite_in_progress', 0],
    ['aof_last_write_status', 'ok'],
  ]);
  m.set('stats', () => {
    const st = s.stats;
    const ds = s.db.stats;
    return [
      ['total_connections_received', st.totalConnections],
      ['total_commands_processed', st.totalCommands],
      ['total_net_input_bytes', st.netInputBytes],
      ['total_net_output_bytes', st.netOutputBytes],
      ['rejected_connections', st.rejectedConnections],
      ['expired_keys', ds.expiredKeys],
      ['evicted_keys', 0],
      ['keyspace_hits', ds.keyspaceHits],
      ['keyspace_misses', ds.keyspaceMisses],
      ['pubsub_channels', s.pubsub.channelCount],
      ['pubsub_patterns', s.pubsub.patternCount],
      ['pubsubshard_channels', s.pubsub.shardChannelCount],
      ['total_error_replies', st.errorReplies],
    ];
  });
  m.set('replication', () => [
    ['role', 'master'],
    ['connected_slaves', 0],
    ['master_failover_state', 'no-failover'],
    ['master_replid', s.runId],
    ['master_repl_offset', 0],
  ]);
  m.set('cpu', () => {
    const u = process.cpuUsage();
    return [
      ['used_cpu_sys', (u.system / 1e6).toFixed(6)],
      ['used_cpu_user', (u.user / 1e6).toFixed(6)],
    ];
  });
  m.set('commandstats', () => {
    const out: InfoFields = [];
    for (const [name, c] of [...s.stats.calls].sort()) {
      out.push([`cmdstat_${name}`, `calls=${c.calls},usec=${c.usec},usec_per_call=0.00,rejected_calls=0,failed_calls=${c.failed}`]);
    }
    return out;
  });
  m.set('errorstats', () => []);
  m.set('crdt', () => {
    const db = s.db;
    return [
      ['crdt_replica_id', db.instanceId],
      ['crdt_guid', s.config.get('crdb-guid')],
      ['crdt_clock', db.clock.toString()],
      ['crdt_seq', db.lastSeq],
      ['crdt_gc_pending', db.pendingTombstones()],
      ['crdt_gc_attempted', db.stats.gcAttempted],
      ['crdt_gc_collected', db.stats.gcCollected],
      ['crdt_effect_reqs', db.stats.effectsApplied],
      ['crdt_ovc_filtered_effect_reqs', db.stats.effectsFiltered],
    ];
  });
  m.set('keyspace', () => {
    const ks = s.db.keyspace;
    // Keys joined so far: INFO does not finish a full-sync join in progress (DBSIZE does).
    if (ks.visibleJoined === 0) return [];
    return [['db0', `keys=${ks.visibleJoined},expires=${ks.volatile.size},avg_ttl=0`]];
  });
  return m;
}

/** Renders the requested sections (INFO [section …]) as Redis does. */
export function renderInfo(sections: Map<string, InfoProvider>, args: string[]): string {
  let names: string[];
  const lower = args.map((a) => a.toLowerCase());
  if (lower.length === 0 || lower.includes('default')) names = DEFAULT_SECTIONS;
  else if (lower.includes('all') || lower.includes('everything')) names = [...new Set([...DEFAULT_SECTIONS, ...sections.keys()])];
  else names = lower;
  const parts: string[] = [];
  for (const n of names) {
    const p = sections.get(n);
    if (p === undefined) continue;
    const title = n === 'crdt' ? 'CRDT' : n.charAt(0).toUpperCase() + n.slice(1);
    const lines = p().map(([k, v]) => `${k}:${v}`);
    parts.push([`# ${title}`, ...lines].join('\r\n'));
  }
  return parts.length ? parts.join('\r\n\r\n') + '\r\n' : '';
}
