/**
 * The persistence of one data node at run time (docs/persistence.md): the effect log with its
 * fsync policy and group commit, snapshots with log compaction, the sequence reservation, disk
 * error handling, and the figures of INFO persistence. Recovery (recovery.ts) runs before.
 *
 * Log positions: `appended` counts the journal bytes handed to the log since start, `written`
 * those in the file (the OS has them: a killed process loses nothing below it), `synced` those
 * fsynced. A reply that may depend on bytes up to `appended` waits until `written` passes them,
 * with appendfsync always until `synced` does (server.ts DurabilityGate); everything one
 * event-loop turn appended is written with one write and made durable with one fdatasync
 * (group commit).
 */
import fs from 'node:fs';
import { join } from 'node:path';
import type { KeyRecord } from '../crdt/key.js';
import type { VectorClock } from '../crdt/vector-clock.js';
import type { Database, Journal } from '../engine/database.js';
import type { Effect } from '../engine/effect.js';
import type { Client } from '../server/client.js';
import type { DurabilityGate } from '../server/server.js';
import type { FileOps } from './file-ops.js';
import { realFileOps, strerror } from './file-ops.js';
import { FORMAT_VERSION, advanceRecord, clearRecord, effectRecord, headerRecord, joinRecord, logName, parseName, raiseRecord, snapshotName } from './log-format.js';
import type { RecoveryResult } from './recovery.js';
import { SeqReservation } from './seq-reservation.js';
import type { FsyncPolicy } from './settings.js';
import { parseSavePoints } from './settings.js';
import { fsyncDir, writeSnapshot } from './snapshot-file.js';

export interface PersistenceLog {
  info(msg: string): void;
  warn(msg: string): void;
}

export interface PersistenceOptions {
  dir: string;
  mode: 'aof' | 'snapshot';
  appendfsync: FsyncPolicy;
  /** `save` points (snapshot mode). */
  save: string;
  /** auto-aof-rewrite-percentage / -min-size (aof mode). */
  rewritePercentage: number;
  rewriteMinSize: number;
  log: PersistenceLog;
  /** Unix ms (the server's wall clock). */
  now: () => number;
  ops?: FileOps;
  /** Sequence numbers reserved per fsync of the reservation file. */
  seqBlock?: number;
  /** How often a failed write or save is retried (ms). */
  retryMs?: number;
  /**
   * The sequence reservation could not be made durable: the number just handed out must not
   * leave the process. The server exits (fail-stop, before any reply or frame goes out); the
   * default throws.
   */
  onFatal?: (message: string) => never;
}

/** Redis's reply when the last background save failed (stop-writes-on-bgsave-error). */
export const MISCONF_RDB =
  "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Commands that may modify the data set are disabled, because this instance is configured to report errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB error.";

export const LOADING_FROM_PEERS =
  'LOADING Tandem is recovering from its peers the writes it lost in a crash; writes are accepted once every peer was reached (INFO persistence: tandem_writes_held_for_peers)';

type BgKind = 'save' | 'rewrite';

export class Persistence implements Journal, DurabilityGate {
  readonly mode: 'aof' | 'snapshot';
  appendfsync: FsyncPolicy;
  readonly reservation: SeqReservation;
  /** Called with the position replies may now depend on (after a write, or an fsync with always). */
  onDurable: (synced: number) => void = () => undefined;
  /**
   * Writing failed: replies held for other clients' records may go now (holdFor caps them at
   * the client's own writes), or a read would wait for as long as the disk stays full.
   */
  onWriteError: () => void = () => undefined;
  // ---- the log
  private gen: number;
  private fd = -1;
  private fileSize = 0;
  private pending: Buffer[] = [];
  private appended = 0;
  private written = 0;
  private synced = 0;
  private flushScheduled = false;
  private syncing = false;
  private readonly writers = new WeakMap<Client, number>();
  /** The database's clock when everything appended so far was written, and fsynced. */
  private writtenClock: VectorClock;
  private syncedClock: VectorClock;
  writeStatus: 'ok' | 'err' = 'ok';
  writeError = '';
  /** Bytes of log written since the last snapshot, and the size of that snapshot. */
  private logSinceSnapshot: number;
  private snapshotBytes: number;
  fsyncs = 0;
  // ---- snapshots
  private bg: Promise<void> | null = null;
  /** BGSAVE SCHEDULE arrived while a snapshot ran: start another one after it. */
  scheduled = false;
  private bgKind: BgKind = 'save';
  private bgStartedAt = 0;
  lastSaveTime: number;
  lastBgsaveStatus: 'ok' | 'err' = 'ok';
  lastRewriteStatus: 'ok' | 'err' = 'ok';
  lastBgsaveSeconds = -1;
  lastRewriteSeconds = -1;
  saves = 0;
  rewrites = 0;
  lastSnapshotMaxPauseMs = 0;
  lastSnapshotRecords = 0;
  changes = 0;
  private lastSnapGen: number | null;
  private prevSnapGen: number | null = null;
  private lastBgFailAt = 0;
  // ---- catch-up after a crash (server-persistence.ts)
  holdingForPeers = false;
  private readonly timers: NodeJS.Timeout[] = [];
  private closed = false;
  private readonly ops: FileOps;
  private readonly retryMs: number;

  constructor(
    readonly db: Database,
    readonly dir: string,
    private readonly opts: PersistenceOptions,
    recovery: RecoveryResult,
  ) {
    this.mode = opts.mode;
    this.appendfsync = opts.appendfsync;
    this.ops = opts.ops ?? realFileOps;
    this.retryMs = opts.retryMs ?? 1000;
    this.reservation = new SeqReservation(dir, db.instanceId, opts.seqBlock ?? 100_000);
    this.lastSaveTime = recovery.savedAt > 0 ? recovery.savedAt : opts.now();
    this.lastSnapGen = recovery.fromSnapshot ? recovery.base : null;
    this.snapshotBytes = recovery.snapshotBytes;
    this.logSinceSnapshot = recovery.logBytes;
    for (const name of fs.readdirSync(dir)) if (name.endsWith('.tsnap.tmp')) fs.rmSync(join(dir, name), { force: true });
    this.writtenClock = db.clock.clone();
    this.syncedClock = this.writtenClock;
    this.gen = recovery.maxGen + 1;
    if (this.mode === 'aof') {
      // A directory with no data file at all starts at generation 0 (the empty state).
      if (!fs.readdirSync(dir).some((n) => parseName(n) !== null)) this.gen = 0;
      this.openSegment(this.gen);
    }
    db.journal = this;
    const everysec = setInterval(() => {
      if (this.appendfsync === 'everysec' && this.written > this.synced) this.startSync();
    }, 1000);
    const cron = setInterval(() => this.cron(), 1000);
    this.timers.push(everysec, cron);
    for (const t of this.timers) t.unref();
  }

  get aofEnabled(): boolean {
    return this.mode === 'aof';
  }

  get bgInProgress(): BgKind | null {
    return this.bg === null ? null : this.bgKind;
  }

  get bgSeconds(): number {
    return this.bg === null ? -1 : Math.floor((this.opts.now() - this.bgStartedAt) / 1000);
  }

  get currentSegment(): number {
    return this.gen;
  }

  get logBytes(): number {
    return this.logSinceSnapshot;
  }

  get baseBytes(): number {
    return this.snapshotBytes;
  }

  get pendingBytes(): number {
    return this.appended - this.written;
  }

  // ---- the journal (Database tells every change) ---------------------------------------------

  private cover(seq: number): void {
    try {
      this.reservation.cover(seq);
    } catch (err) {
      const msg = `Can't reserve sequence numbers in ${this.dir}/seq-reservation: ${strerror(err)}. Exiting to never reuse sequence number ${seq}.`;
      if (this.opts.onFatal !== undefined) this.opts.onFatal(msg);
      throw new Error(msg);
    }
  }

  applied(e: Effect): void {
    if (e.origin === this.db.instanceId) this.cover(e.seq);
    this.changes++;
    if (this.mode === 'aof') this.append(effectRecord(e));
  }

  joined(key: string, rec: KeyRecord): void {
    this.changes++;
    if (this.mode === 'aof') this.append(joinRecord(key, rec));
  }

  raised(clock: VectorClock, hlc: number): void {
    const own = clock.get(this.db.instanceId);
    if (own > 0) this.cover(own);
    if (this.mode === 'aof') this.append(raiseRecord(clock, hlc));
  }

  advanced(origin: number, seq: number): void {
    if (origin === this.db.instanceId) this.cover(seq);
    if (this.mode === 'aof') this.append(advanceRecord(origin, seq));
  }

  cleared(): void {
    this.changes++;
    if (this.mode === 'aof') this.append(clearRecord());
  }

  private append(rec: Buffer): void {
    this.pending.push(rec);
    this.appended += rec.length;
    if (!this.flushScheduled && this.writeStatus === 'ok') {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  // ---- writing and fsync -----------------------------------------------------------------------

  private openSegment(gen: number): void {
    const fd = this.ops.openSync(join(this.dir, logName(gen)), 'wx');
    const h = headerRecord({ version: FORMAT_VERSION, kind: 'log', instanceId: this.db.instanceId, gen });
    try {
      this.writeAll(fd, h, 0);
      this.ops.fdatasyncSync(fd);
      fsyncDir(this.dir);
    } catch (e) {
      this.ops.closeSync(fd);
      fs.rmSync(join(this.dir, logName(gen)), { force: true });
      throw e;
    }
    this.fd = fd;
    this.gen = gen;
    this.fileSize = h.length;
  }

  private writeAll(fd: number, buf: Buffer, at: number): void {
    let off = 0;
    while (off < buf.length) {
      const n = this.ops.writeSync(fd, buf, off, buf.length - off, at + off);
      if (n <= 0) throw Object.assign(new Error('write returned 0'), { code: 'EIO' });
      off += n;
    }
  }

  /**
   * Writes what is pending with one write. On failure the file is cut back to its last complete
   * record, the bytes stay pending, and writes are refused until a retry succeeds.
   */
  flush(): boolean {
    this.flushScheduled = false;
    if (this.closed || this.mode !== 'aof') return true;
    if (this.pending.length > 0) {
      const buf = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending);
      try {
        this.writeAll(this.fd, buf, this.fileSize);
      } catch (e) {
        try {
          this.ops.ftruncateSync(this.fd, this.fileSize);
        } catch (t) {
          this.opts.log.warn(`Could not remove the partial record from the AOF file: ${strerror(t)}`);
        }
        this.pending = [buf];
        this.setWriteError(e);
        return false;
      }
      this.pending = [];
      // Every change to the clock went through the journal: the file now holds exactly this.
      this.writtenClock = this.db.clock.clone();
      this.fileSize += buf.length;
      this.written += buf.length;
      this.logSinceSnapshot += buf.length;
    }
    if (this.writeStatus === 'err' && !this.syncing) {
      // Nothing failed this time: the next fsync (or the write itself, without always) clears it.
      if (this.appendfsync !== 'always') this.clearWriteError();
    }
    if (this.appendfsync === 'always') {
      if (this.written > this.synced) this.startSync();
    } else this.onDurable(this.written);
    return true;
  }

  private startSync(): void {
    if (this.syncing || this.closed || this.fd < 0) return;
    this.syncing = true;
    const target = this.written;
    const targetClock = this.writtenClock;
    const fd = this.fd;
    this.ops.fdatasync(fd, (err) => {
      this.syncing = false;
      if (this.closed) return;
      if (err !== null) {
        if (fd === this.fd) this.setWriteError(err);
        return;
      }
      this.fsyncs++;
      if (target > this.synced) {
        this.synced = target;
        this.syncedClock = targetClock;
      }
      if (this.writeStatus === 'err' && this.pending.length === 0) this.clearWriteError();
      if (this.appendfsync === 'always') this.onDurable(this.synced);
      if (this.appendfsync === 'always' && this.written > this.synced) this.startSync();
    });
  }

  private setWriteError(e: unknown): void {
    const text = strerror(e);
    if (this.writeStatus === 'ok' || this.writeError !== text) this.opts.log.warn(`Error writing to the AOF file: ${text}`);
    const wasOk = this.writeStatus === 'ok';
    this.writeStatus = 'err';
    this.writeError = text;
    if (wasOk) this.onWriteError();
    // Retried until it works: writes resume by themselves once space returns.
    if (this.retryTimer === null) {
      this.retryTimer = setInterval(() => {
        if (this.flush() && this.appendfsync !== 'always') this.clearWriteError();
      }, this.retryMs);
      this.retryTimer.unref();
    }
  }

  private retryTimer: NodeJS.Timeout | null = null;

  private clearWriteError(): void {
    if (this.writeStatus === 'ok') return;
    this.writeStatus = 'ok';
    this.writeError = '';
    if (this.retryTimer !== null) clearInterval(this.retryTimer);
    this.retryTimer = null;
    this.opts.log.warn('AOF write error looks solved, Redis can write again.');
    if (this.pending.length > 0 && !this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  setAppendfsync(policy: FsyncPolicy): void {
    this.appendfsync = policy;
    if (policy !== 'always') this.onDurable(this.written);
    else if (this.written > this.synced) this.startSync();
  }

  /**
   * The clock of what survives a crash: fsynced with always and everysec, written (survives a
   * killed process, not an OS crash) with no. Replication reports no more than this to peers.
   */
  durableClock(): VectorClock {
    if (this.mode !== 'aof') return this.db.clock;
    return this.appendfsync === 'no' ? this.writtenClock : this.syncedClock;
  }

  // ---- the durability gate (server.ts) ---------------------------------------------------------

  position(): number {
    return this.appended;
  }

  /**
   * Replies wait until what they may depend on is in the file (everysec, no: a killed process
   * loses no acknowledged write, as with Redis, which writes its AOF before replying) or fsynced
   * (always). Normally every reply waits (it may show data not yet persisted); while the disk
   * fails only the writers' do, so reads keep working.
   */
  holdFor(c: Client): number {
    if (this.mode !== 'aof') return 0;
    const pos = this.writeStatus === 'ok' ? this.appended : (this.writers.get(c) ?? 0);
    return pos > (this.appendfsync === 'always' ? this.synced : this.written) ? pos : 0;
  }

  /** What `c`'s replies must wait for while writing fails: its own writes only. */
  ownWrites(c: Client): number {
    return this.writers.get(c) ?? 0;
  }

  /** The position the log is durable to (fsynced with always, written otherwise). */
  get durablePosition(): number {
    return this.appendfsync === 'always' ? this.synced : this.written;
  }

  noteWrite(c: Client, pos: number): void {
    this.writers.set(c, pos);
  }

  writeRefusal(): string | null {
    if (this.holdingForPeers) return LOADING_FROM_PEERS;
    if (this.mode === 'aof' && this.writeStatus === 'err') return `MISCONF Errors writing to the AOF file: ${this.writeError}`;
    if (this.mode === 'snapshot' && this.lastBgsaveStatus === 'err') return MISCONF_RDB;
    return null;
  }

  // ---- snapshots and log compaction --------------------------------------------------------------

  /**
   * Starts a snapshot (BGSAVE, BGREWRITEAOF, or automatic). With the log on, the log first moves
   * to a new segment at the snapshot's point; once the snapshot is durable, files older than the
   * previous snapshot are removed (one older generation is kept to fall back on). Returns the
   * error text when one is already running or the log cannot be rotated.
   */
  startSnapshot(kind: BgKind): { error: string } | { done: Promise<void> } {
    if (this.bg !== null) return { error: kind === 'save' ? 'ERR Background save already in progress' : 'ERR Background append only file rewriting already in progress' };
    let gen: number;
    try {
      gen = this.mode === 'aof' ? this.rotate() : this.gen++;
    } catch (e) {
      this.noteBgResult(kind, false, 0);
      this.opts.log.warn(`Can't start a snapshot: ${strerror(e)}`);
      return { error: `ERR ${kind === 'save' ? 'Background saving' : 'Background append only file rewriting'} failed: ${strerror(e)}` };
    }
    const changesAtStart = this.changes;
    const savedAt = this.opts.now();
    this.bgKind = kind;
    this.bgStartedAt = savedAt;
    const t0 = performance.now();
    this.opts.log.info(kind === 'save' ? 'Background saving started' : 'Background append only file rewriting started');
    const done = writeSnapshot(this.db, this.dir, gen, savedAt).then(
      (st) => {
        this.changes -= changesAtStart;
        this.lastSaveTime = savedAt;
        this.lastSnapshotMaxPauseMs = st.maxPauseMs;
        this.lastSnapshotRecords = st.records;
        this.snapshotBytes = st.bytes;
        this.logSinceSnapshot = this.mode === 'aof' ? this.fileSize : 0;
        this.prevSnapGen = this.lastSnapGen;
        this.lastSnapGen = gen;
        this.removeOldFiles();
        this.noteBgResult(kind, true, performance.now() - t0);
        this.opts.log.info(`Snapshot ${snapshotName(gen)} saved: ${st.records} keys, ${st.bytes} bytes in ${st.durationMs.toFixed(0)} ms (longest pause ${st.maxPauseMs.toFixed(1)} ms)`);
      },
      (e: unknown) => {
        this.lastBgFailAt = this.opts.now();
        this.noteBgResult(kind, false, performance.now() - t0);
        this.opts.log.warn(`${kind === 'save' ? 'Background saving' : 'Background AOF rewrite'} failed: ${strerror(e)}`);
      },
    );
    this.bg = done.finally(() => {
      this.bg = null;
      if (this.scheduled) {
        this.scheduled = false;
        this.startSnapshot('save');
      }
    });
    return { done: this.bg };
  }

  private noteBgResult(kind: BgKind, ok: boolean, ms: number): void {
    const secs = Math.round(ms / 1000);
    // A snapshot serves both: it is the new base of the log.
    this.lastBgsaveStatus = ok ? 'ok' : 'err';
    if (kind === 'save') {
      this.saves++;
      this.lastBgsaveSeconds = secs;
    } else {
      this.rewrites++;
      this.lastRewriteSeconds = secs;
    }
    if (this.mode === 'aof') this.lastRewriteStatus = ok ? 'ok' : 'err';
  }

  /** Ends the current segment (durable) and opens the next; returns its generation. */
  private rotate(): number {
    if (!this.flush()) throw Object.assign(new Error(this.writeError), { code: 'EIO' });
    this.ops.fdatasyncSync(this.fd);
    this.synced = this.written;
    this.syncedClock = this.writtenClock;
    this.ops.closeSync(this.fd);
    this.fd = -1;
    this.openSegment(this.gen + 1);
    this.onDurable(this.synced);
    return this.gen;
  }

  private removeOldFiles(): void {
    const keepFrom = this.prevSnapGen ?? 0;
    for (const name of fs.readdirSync(this.dir)) {
      const p = parseName(name);
      if (p === null || p.gen >= keepFrom) continue;
      fs.rmSync(join(this.dir, name), { force: true });
    }
    fsyncDir(this.dir);
  }

  private cron(): void {
    if (this.closed || this.bg !== null) return;
    const now = this.opts.now();
    if (this.mode === 'aof') {
      const { rewriteMinSize: min, rewritePercentage: pct } = this.opts;
      const grown = this.logSinceSnapshot >= min && (this.snapshotBytes === 0 || (this.logSinceSnapshot * 100) / this.snapshotBytes >= pct);
      if (pct > 0 && grown && this.writeStatus === 'ok') this.startSnapshot('rewrite');
      return;
    }
    // A failed save is retried after 5 s (Redis's CONFIG_BGSAVE_RETRY_DELAY).
    if (this.lastBgsaveStatus === 'err' && now - this.lastBgFailAt < 5000) return;
    for (const p of parseSavePoints(this.opts.save) ?? []) {
      if (this.changes >= p.changes && now - this.lastSaveTime >= p.seconds * 1000) {
        this.startSnapshot('save');
        return;
      }
    }
    if (this.lastBgsaveStatus === 'err' && this.changes > 0) this.startSnapshot('save');
  }

  setSave(save: string): void {
    this.opts.save = save;
  }

  /**
   * A clean stop: everything written and fsynced (snapshot mode: a final snapshot), and the
   * sequence reservation settled at the last number used, so the next start needs no catch-up.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    if (this.bg !== null) await this.bg;
    let durable = false;
    if (this.mode === 'aof') {
      durable = this.flush();
      if (durable) {
        try {
          this.ops.fdatasyncSync(this.fd);
        } catch {
          durable = false;
        }
      }
    } else if (!this.holdingForPeers) {
      const r = this.startSnapshot('save');
      if ('done' in r) await r.done;
      durable = this.lastBgsaveStatus === 'ok';
    }
    this.closed = true;
    for (const t of this.timers) clearInterval(t);
    if (this.retryTimer !== null) clearInterval(this.retryTimer);
    if (this.fd >= 0) this.ops.closeSync(this.fd);
    this.fd = -1;
    if (durable && !this.holdingForPeers) this.reservation.settle(this.db.clock.get(this.db.instanceId));
    this.reservation.close();
    if (this.db.journal === this) this.db.journal = null;
  }

  /** Stops without saving anything more (tests, failed starts). */
  abandon(): void {
    this.closed = true;
    for (const t of this.timers) clearInterval(t);
    if (this.retryTimer !== null) clearInterval(this.retryTimer);
    if (this.fd >= 0) this.ops.closeSync(this.fd);
    this.fd = -1;
    this.reservation.close();
    if (this.db.journal === this) this.db.journal = null;
  }
}
