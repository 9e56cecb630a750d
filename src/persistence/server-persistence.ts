/**
 * Persistence inside a data node (`tandem server --persistence aof|snapshot|disabled`): recovers
 * the state from `dir` before anything else touches the database, then runs the Persistence
 * (persistence.ts) as the database's journal and the server's durability gate, adds the
 * commands SAVE/BGSAVE/BGREWRITEAOF/LASTSAVE (commands.ts) and INFO persistence.
 *
 * After a crash (the sequence reservation is above the last sequence the files hold) an instance
 * with peers first gets back what its log lost: it rejoins (replication-node.ts), refuses writes
 * and originates nothing until every peer's link caught up, then declares the rest of its
 * reserved sequence numbers lost (restoreSeq) and accepts writes (docs/persistence.md).
 */
import fs from 'node:fs';
import { resolve } from 'node:path';
import type { ReplicationNode } from '../replication/replication-node.js';
import { ConfigError } from '../server/config.js';
import type { InfoFields } from '../server/info.js';
import type { TandemServer } from '../server/server.js';
import { Persistence } from './persistence.js';
import type { RecoveryResult } from './recovery.js';
import { collectAll, recover } from './recovery.js';
import { readReservation } from './seq-reservation.js';
import type { FsyncPolicy, PersistenceMode } from './settings.js';
import { parseSavePoints } from './settings.js';
import './commands.js';

export interface ServerPersistence {
  readonly p: Persistence;
  readonly recovery: RecoveryResult;
  /** The files may lack sequence numbers this instance handed out: catch up before writing. */
  readonly needsCatchUp: boolean;
  /** Starts numbering (and the catch-up when needed) once replication, if any, is attached. */
  resume(node: ReplicationNode | null): void;
  close(): Promise<void>;
}

const attached = new WeakMap<TandemServer, ServerPersistence>();

export function persistenceOf(server: TandemServer): ServerPersistence | undefined {
  return attached.get(server);
}

/**
 * Recovers and starts persistence for `server` per its configuration; null when persistence is
 * disabled. Throws RecoveryError (refuse to start) or ConfigError.
 */
export function openPersistence(server: TandemServer, opts: { repair: boolean }): ServerPersistence | null {
  const config = server.config;
  const mode = config.get('persistence') as PersistenceMode;
  if (mode === 'disabled') return null;
  if (mode === 'snapshot' && config.get('crdb-guid') !== '') {
    // As in the reference: a snapshot is older than what peers were told this instance holds,
    // so they may have collected tombstones that restarting from it would resurrect.
    throw new ConfigError('an Active-Active database persists only with the effect log (--persistence aof): snapshot persistence cannot be used with --crdb-guid');
  }
  if (parseSavePoints(config.get('save')) === null) throw new ConfigError(`Invalid save parameters: '${config.get('save')}'`);
  const dir = resolve(config.get('dir'));
  fs.mkdirSync(dir, { recursive: true });
  const db = server.db;
  const log = { info: (m: string) => server.log.info(m), warn: (m: string) => server.log.warn(m) };
  const hadMark = readReservation(dir, db.instanceId);
  const recovery = recover(dir, db, { repair: opts.repair, useLog: mode === 'aof', log });
  const own = db.clock.get(db.instanceId);
  if (config.get('crdb-guid') === '') collectAll(db);
  log.info(
    `DB loaded from disk: ${recovery.fromSnapshot ? `snapshot generation ${recovery.base} (${recovery.snapshotRecords} keys)` : 'no snapshot'}` +
      `${mode === 'aof' ? `, ${recovery.logRecords} log records` : ''}: ${(recovery.durationMs / 1000).toFixed(3)} seconds`,
  );
  const p = new Persistence(db, dir, {
    dir,
    mode,
    appendfsync: config.get('appendfsync') as FsyncPolicy,
    save: config.get('save'),
    rewritePercentage: config.int('auto-aof-rewrite-percentage'),
    rewriteMinSize: config.int('auto-aof-rewrite-min-size'),
    log,
    now: () => Date.now(),
    onFatal: (msg) => {
      server.log.error(msg);
      process.exit(1);
    },
  }, recovery);
  server.gate = p;
  // Log data not written yet is the AOF buffer: maxmemory does not count it.
  server.notCountedMemory.push(() => p.pendingBytes);
  p.onDurable = (synced) => server.releaseHeld(synced);
  p.onWriteError = () => server.releaseHeld(p.durablePosition, (c) => p.ownWrites(c));
  // Numbering continues after what the files hold; the rest of the reservation waits (resume).
  db.restoreSeq(own);
  const mark = Math.max(hadMark ?? 0, own);
  // No reservation at all: a new instance, or one that lost its whole directory — which may have
  // handed out numbers its peers hold. Like a new instance of the reference, it syncs first.
  const needsCatchUp = mark > own || recovery.lostSomething || hadMark === null;
  config.onChange((name, value) => {
    if (name === 'appendfsync') p.setAppendfsync(value as FsyncPolicy);
    else if (name === 'save') p.setSave(value);
  });
  let poll: NodeJS.Timeout | null = null;
  const sp: ServerPersistence = {
    p,
    recovery,
    needsCatchUp,
    resume(node) {
      if (node !== null) node.durableClock = () => p.durableClock();
      if (!needsCatchUp) return;
      if (node === null || node.peers.size === 0) {
        // Nobody else can hold effects of this instance: skip the numbers that may be lost.
        if (node === null) db.restoreSeq(mark);
        else node.restoreSeq(mark);
        return;
      }
      p.holdingForPeers = true;
      db.originating = false;
      log.warn(
        `This instance may have handed out sequence numbers up to ${mark} but its files end at ${own}: ` +
          'writes are refused until every peer was reached and what they hold of it came back',
      );
      poll = setInterval(() => {
        if (!node.caughtUp()) return;
        clearInterval(poll!);
        poll = null;
        node.restoreSeq(Math.max(mark, db.lastSeq));
        db.originating = true;
        p.holdingForPeers = false;
        log.info(`Caught up with every peer at ${db.clock.toString()}: accepting writes`);
      }, 20);
      poll.unref();
    },
    async close() {
      if (poll !== null) clearInterval(poll);
      await p.close();
    },
  };
  attached.set(server, sp);
  server.infoSections.set('persistence', () => persistenceInfo(server, sp));
  return sp;
}

/** INFO persistence with the Redis fields that apply, and Tandem's own. */
export function persistenceInfo(server: TandemServer, sp: ServerPersistence): InfoFields {
  const p = sp.p;
  const bg = p.bgInProgress;
  const secs = (ms: number) => Math.floor(ms / 1000);
  const fields: InfoFields = [
    ['loading', 0],
    ['async_loading', 0],
    ['rdb_changes_since_last_save', p.changes],
    ['rdb_bgsave_in_progress', bg === 'save' ? 1 : 0],
    ['rdb_last_save_time', secs(p.lastSaveTime)],
    ['rdb_last_bgsave_status', p.lastBgsaveStatus],
    ['rdb_last_bgsave_time_sec', p.lastBgsaveSeconds],
    ['rdb_current_bgsave_time_sec', bg === 'save' ? p.bgSeconds : -1],
    ['rdb_saves', p.saves],
    ['aof_enabled', p.aofEnabled ? 1 : 0],
    ['aof_rewrite_in_progress', bg === 'rewrite' ? 1 : 0],
    ['aof_rewrite_scheduled', 0],
    ['aof_last_rewrite_time_sec', p.lastRewriteSeconds],
    ['aof_current_rewrite_time_sec', bg === 'rewrite' ? p.bgSeconds : -1],
    ['aof_last_bgrewrite_status', p.lastRewriteStatus],
    ['aof_rewrites', p.rewrites],
    ['aof_last_write_status', p.writeStatus],
  ];
  if (p.aofEnabled) {
    fields.push(
      ['aof_current_size', p.baseBytes + p.logBytes],
      ['aof_base_size', p.baseBytes],
      ['aof_pending_rewrite', 0],
      ['aof_buffer_length', p.pendingBytes],
      ['aof_pending_bio_fsync', 0],
      ['aof_delayed_fsync', 0],
    );
  }
  fields.push(
    ['tandem_persistence', server.config.get('persistence')],
    ['tandem_appendfsync', p.appendfsync],
    ['tandem_log_segment', p.mode === 'aof' ? p.currentSegment : -1],
    ['tandem_fsyncs', p.fsyncs],
    ['tandem_seq_reserved', p.reservation.mark],
    ['tandem_snapshot_keys', p.lastSnapshotRecords],
    ['tandem_snapshot_max_pause_ms', p.lastSnapshotMaxPauseMs.toFixed(2)],
    ['tandem_recovery_ms', sp.recovery.durationMs.toFixed(1)],
    ['tandem_writes_held_for_peers', p.holdingForPeers ? 1 : 0],
  );
  return fields;
}
