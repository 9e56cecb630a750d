/**
 * INFO crdt (reference §5.10, §5.5): this instance's identity and clocks, the backlog, sync and
 * effect counters, garbage collection, and one line per peer with both directions' state, the
 * last error and the lag.
 */
import type { InfoFields } from '../server/info.js';
import { PROTOCOL_VERSION } from './protocol.js';
import type { ServerReplication } from './server-replication.js';

/** INFO values are `key=value,…` lists: commas, colons and line breaks inside a value would
 * break them. */
function clean(s: string): string {
  return s.replace(/[\r\n]+/g, ' ').replace(/,/g, ';').replace(/=/g, ':');
}

/** `1:12,2:7` inside a per-peer line (where commas separate fields). */
function clockField(c: { toString(): string } | null): string {
  return c === null ? '-' : c.toString().replace(/,/g, '/') || '-';
}

export function crdtInfo(r: ServerReplication): InfoFields {
  const { node } = r;
  const db = node.db;
  const now = r.enter();
  const own = db.instanceId;
  const ovc = db.clock.clone();
  ovc.set(own, 0);
  const range = node.backlog.range(own);
  const st = node.stats;
  const out: InfoFields = [
    ['crdt_replica_id', own],
    ['crdt_guid', node.guid],
    ['crdt_protocol_version', PROTOCOL_VERSION],
    ['crdt_causal_consistency', node.causal ? 'yes' : 'no'],
    ['crdt_clock', db.clock.toString()],
    ['crdt_ovc', ovc.toString()],
    ['crdt_seq', db.lastSeq],
    ['crdt_backlog_size', node.backlog.size],
    ['crdt_backlog_bytes', node.backlog.bytes],
    ['crdt_backlog_units', node.backlog.length],
    ['crdt_backlog_first_seq', range === null ? 0 : range[0]],
    ['crdt_backlog_last_seq', range === null ? 0 : range[1]],
    ['crdt_backlog_trimmed', node.backlog.trimmed],
    ['crdt_sync_full', st.syncFull],
    ['crdt_sync_partial_ok', st.syncPartialOk],
    ['crdt_sync_partial-err', st.syncPartialErr],
    ['crdt_src_sync_full', st.srcFullSyncs],
    ['crdt_src_sync_partial', st.srcPartialSyncs],
    ['crdt_merge_reqs', st.mergeReqs],
    ['crdt_join_pending', db.joinPending],
    ['crdt_effect_reqs', st.effectReqs],
    ['crdt_ovc_filtered_effect_reqs', st.effectsFiltered],
    ['crdt_gc_pending', db.pendingTombstones()],
    ['crdt_gc_attempted', db.stats.gcAttempted],
    ['crdt_gc_collected', db.stats.gcCollected],
    ['crdt_gc_gvc_min', node.oracle.gvcMin.toString()],
    ['crdt_refused_links', st.refusals],
    ['crdt_last_refusal', clean(st.lastRefusal)],
    ['crdt_pubsub_sent', st.pubsubSent],
    ['crdt_pubsub_received', st.pubsubReceived],
    ['crdt_pubsub_dropped', st.pubsubDropped],
    ['crdt_peers', node.peers.size],
  ];
  for (const p of node.peers.values()) {
    const l = p.link;
    const s = p.session;
    const outState = s === null ? 'down' : s.paused ? (s.localPaused ? 'paused' : 'paused-by-peer') : s.state;
    const acked = p.ackClock?.get(own) ?? 0;
    out.push([
      `crdt_peer_${p.id}`,
      [
        `addr=${l.host.includes(':') ? `[${l.host}]` : l.host}:${l.port}`,
        `link=${l.paused ? 'paused' : l.state}`,
        `mode=${l.mode ?? '-'}`,
        `lag_effects=${l.lagEffects()}`,
        `lag_ms=${Math.round(l.lagMs(now))}`,
        `full_syncs=${l.fullSyncs}`,
        `out=${outState}`,
        `out_pending_units=${s?.pendingUnits ?? 0}`,
        `ops_lag=${Math.max(0, db.lastSeq - acked)}`,
        `acked=${clockField(p.ackClock)}`,
        `last_error=${clean(l.lastError || p.lastSessionError)}`,
      ].join(','),
    ]);
  }
  return out;
}
