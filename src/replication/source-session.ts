/**
 * The source side of one replication link: what this instance streams to one destination that
 * connected and was accepted (replication-node.ts validates the Hello and picks the sync mode).
 *
 * A partial sync streams backlog units from the first one the destination's clock does not
 * cover. A full sync first streams a snapshot at V0 (full-sync.ts), then the units appended to
 * the backlog since V0 — everything applied after V0 and nothing before it. In both cases units
 * go out in backlog order, which is application order: in causal mode that makes each stream a
 * causally ordered history (reference §1.7).
 *
 * Sans-IO: frames go out through a Conn; the session never reads a clock (`now` is passed in)
 * and produces at most `framesPerPump` frames per pump, so the driver can yield between pumps.
 */
import { VectorClock } from '../crdt/vector-clock.js';
import type { Database } from '../engine/database.js';
import { openSnapshot } from '../engine/snapshot.js';
import type { Backlog } from './backlog.js';
import { batchFrame, decodeFrame, FrameError, heartbeatFrame, probeReplyFrame, publishFrame } from './frames.js';
import { FullSyncSender } from './full-sync.js';
import type { Conn, LogFn, SyncMode, Timing } from './protocol.js';

/** What a session needs from the node that owns it. */
export interface SessionHost {
  readonly instanceId: number;
  readonly db: Database;
  readonly backlog: Backlog;
  readonly timing: Timing;
  readonly causal: boolean;
  readonly compressionLevel: number;
  readonly log: LogFn;
  /** The clock this instance reports to peers (durable when persistence is on). */
  reportClock(): VectorClock;
  /** The destination acknowledged having applied `clock`. */
  onAck(destId: number, clock: VectorClock, now: number, runId: string): void;
  onSessionClosed(s: SourceSession, reason: string, now: number): void;
  /** Something happened that makes pumping worthwhile (flow resumed, probe arrived). */
  requestWork(): void;
  /** Pub/sub messages were not delivered to a destination (queue overflow). */
  onMessagesDropped(n: number): void;
}

export type SessionState = 'full-sync' | 'streaming' | 'closed';

/** A pub/sub message waiting to go out after the backlog units committed before it. */
interface QueuedMessage {
  readonly bytes: Buffer;
  /** Backlog position at publication: the stream sends it once it has passed this position. */
  readonly endPos: number;
}

interface PendingProbe {
  readonly token: number;
  /** Backlog position the stream must have passed before the reply goes out. */
  readonly endPos: number;
}

export class SourceSession {
  state: SessionState;
  /** Lower bound of the destination's clock: its resume clock, raised by every ack. */
  readonly known: VectorClock;
  /** Next backlog position to stream. */
  private cursor: number;
  private fullSync: FullSyncSender | null = null;
  private pendingProbes: PendingProbe[] = [];
  private messages: QueuedMessage[] = [];
  private messageHead = 0;
  private messageBytes = 0;
  /** Paused here (TANDEM.SYNC PAUSE) or by the destination (FLOW frame). */
  localPaused = false;
  remotePaused = false;
  lastSentAt: number;
  lastRecvAt: number;
  readonly openedAt: number;
  closeReason = '';
  // Figures for INFO and TANDEM.SYNC STATUS.
  batchesSent = 0;
  unitsSent = 0;
  bytesSent = 0;
  chunksSent = 0;
  messagesSent = 0;

  constructor(
    private readonly host: SessionHost,
    readonly destId: number,
    readonly runId: string,
    resume: VectorClock,
    readonly mode: SyncMode,
    private readonly conn: Conn,
    now: number,
  ) {
    this.known = resume.clone();
    this.lastSentAt = now;
    this.lastRecvAt = now;
    this.openedAt = now;
    const t = host.timing;
    if (mode === 'full') {
      this.state = 'full-sync';
      // Everything applied up to now is in the snapshot; what comes after it is in the backlog
      // from here on.
      this.cursor = host.backlog.endPos;
      const snap = openSnapshot(host.db);
      this.fullSync = new FullSyncSender(snap, host.db.keyspace.records.size, t.chunkRecords, t.chunkBytes, host.compressionLevel, t.compressMinBytes);
    } else {
      this.state = 'streaming';
      this.cursor = host.backlog.startPos;
    }
  }

  get open(): boolean {
    return this.state !== 'closed';
  }

  get paused(): boolean {
    return this.localPaused || this.remotePaused;
  }

  /** Units in the backlog not streamed yet (source-side lag for INFO). */
  get pendingUnits(): number {
    return Math.max(0, this.host.backlog.endPos - this.cursor);
  }

  /** Records of the snapshot sent so far, while a full sync runs. */
  get fullSyncProgress(): number {
    return this.fullSync?.records ?? 0;
  }

  /**
   * Sends what it can: full-sync frames, then batches of backlog units, then probe replies.
   * Returns true when more could be sent right away (the driver pumps again after yielding).
   */
  pump(now: number): boolean {
    if (this.state === 'closed' || this.paused) return false;
    const t = this.host.timing;
    let frames = 0;
    let chunks = 0;
    while (frames < t.framesPerPump && !this.conn.backpressured) {
      if (this.fullSync !== null) {
        if (chunks >= t.chunksPerPump) break;
        const f = this.fullSync.nextFrame();
        if (f !== null) {
          this.send(f, now);
          this.chunksSent++;
          frames++;
          chunks++;
        }
        if (this.fullSync.done) {
          this.host.log('info', `Full sync to instance ${this.destId} sent ${this.fullSync.records} records at ${this.fullSync.snapshot.clock.toString() || '(empty clock)'}`);
          this.fullSync = null;
          this.state = 'streaming';
        }
        continue;
      }
      if (this.sendMessages(now) || this.sendBatch(now)) frames++;
      else break;
    }
    if (!this.open) return false;
    this.answerProbes(now);
    if (this.conn.backpressured) return false;
    return this.fullSync !== null || this.cursor < this.host.backlog.endPos || this.messageReady;
  }

  /**
   * Queues a pub/sub message published here (frames.ts encodePubMessage). It goes out after the
   * backlog units committed before it, so a subscriber that reads the data a publisher wrote
   * before publishing finds it. Best effort: a destination that falls `pubsubQueueBytes` behind
   * loses its oldest queued messages (counted), and a closed session loses its queue.
   */
  queueMessage(bytes: Buffer): void {
    if (this.state === 'closed') return;
    this.messages.push({ bytes, endPos: this.host.backlog.endPos });
    this.messageBytes += bytes.length;
    let dropped = 0;
    while (this.messageBytes > this.host.timing.pubsubQueueBytes && this.messageHead < this.messages.length) {
      this.messageBytes -= this.messages[this.messageHead++]!.bytes.length;
      dropped++;
    }
    if (dropped > 0) this.host.onMessagesDropped(dropped);
    this.compactMessages();
    this.host.requestWork();
  }

  private compactMessages(): void {
    if (this.messageHead > 1024 && this.messageHead * 2 > this.messages.length) {
      this.messages = this.messages.slice(this.messageHead);
      this.messageHead = 0;
    }
  }

  /** Messages queued and not sent yet. */
  get queuedMessages(): number {
    return this.messages.length - this.messageHead;
  }

  /** True when the next queued message may go out: the stream has passed what preceded it. */
  private get messageReady(): boolean {
    const m = this.messages[this.messageHead];
    return m !== undefined && m.endPos <= this.cursor;
  }

  /** One PUBLISH frame of the messages that may go out now; false when there were none. */
  private sendMessages(now: number): boolean {
    if (this.fullSync !== null || !this.messageReady) return false;
    const out: Buffer[] = [];
    let bytes = 0;
    while (bytes < this.host.timing.batchBytes && this.messageReady) {
      const m = this.messages[this.messageHead++]!;
      out.push(m.bytes);
      bytes += m.bytes.length;
    }
    this.messageBytes -= bytes;
    if (this.messageHead === this.messages.length) {
      this.messages = [];
      this.messageHead = 0;
    }
    this.send(publishFrame(out, this.host.compressionLevel, this.host.timing.compressMinBytes), now);
    this.messagesSent += out.length;
    return true;
  }

  /** One batch from the cursor on; false when there was nothing to send. */
  private sendBatch(now: number): boolean {
    const { backlog, timing, causal, instanceId } = this.host;
    if (this.cursor < backlog.startPos) {
      // The backlog overflowed while this destination lagged (or during its full sync): it must
      // start over, and will get a full sync because the gap is no longer covered.
      this.close(`backlog overflow: instance ${this.destId} fell more than crdt-backlog-size behind`, now);
      return false;
    }
    const units: Buffer[] = [];
    let bytes = 0;
    // A queued message waits for the units before it and goes out before those after it.
    const stop = this.messages[this.messageHead]?.endPos ?? Infinity;
    while (bytes < timing.batchBytes && this.cursor < stop) {
      const e = backlog.at(this.cursor);
      if (e === undefined) break;
      this.cursor++;
      // Without causal consistency each origin's effects go out from that origin only.
      if (e.origin !== instanceId && !causal) continue;
      if (this.known.covers(e.origin, e.last)) continue;
      units.push(e.bytes);
      bytes += e.bytes.length;
    }
    if (units.length === 0) return false;
    const f = batchFrame(this.host.reportClock(), now, units, this.host.compressionLevel, timing.compressMinBytes);
    this.send(f, now);
    this.batchesSent++;
    this.unitsSent += units.length;
    return true;
  }

  /** A probe is answered once everything the backlog held when it arrived has gone out. */
  private answerProbes(now: number): void {
    while (this.pendingProbes.length > 0 && this.fullSync === null && !this.paused) {
      const p = this.pendingProbes[0]!;
      if (this.cursor < p.endPos) return;
      this.pendingProbes.shift();
      this.send(probeReplyFrame(p.token, this.host.reportClock()), now);
    }
  }

  private send(f: Buffer, now: number): void {
    this.conn.send(f);
    this.bytesSent += f.length;
    this.lastSentAt = now;
  }

  onFrame(buf: Buffer, now: number): void {
    if (this.state === 'closed') return;
    this.lastRecvAt = now;
    let f;
    try {
      f = decodeFrame(buf);
    } catch (e) {
      this.close(`protocol error from instance ${this.destId}: ${(e as FrameError).message}`, now);
      return;
    }
    switch (f.t) {
      case 'ack':
        this.known.merge(f.clock);
        this.host.onAck(this.destId, f.clock, now, this.runId);
        return;
      case 'flow':
        this.remotePaused = f.paused;
        if (!f.paused) this.host.requestWork();
        return;
      case 'probe':
        this.pendingProbes.push({ token: f.token, endPos: this.host.backlog.endPos });
        this.host.requestWork();
        return;
      default:
        this.close(`protocol error from instance ${this.destId}: unexpected ${f.t} frame on a source link`, now);
    }
  }

  /** Heartbeats and liveness; paused sessions keep heartbeating so the link stays up. */
  tick(now: number): void {
    if (this.state === 'closed') return;
    const t = this.host.timing;
    if (now - this.lastRecvAt > t.linkTimeoutMs) {
      this.close(`timeout: nothing received from instance ${this.destId} for ${now - this.lastRecvAt} ms`, now);
      return;
    }
    if (now - this.lastSentAt >= t.heartbeatMs) this.send(heartbeatFrame(this.host.reportClock(), now), now);
  }

  setLocalPaused(p: boolean): void {
    this.localPaused = p;
    if (!p) this.host.requestWork();
  }

  /** Closes the session (and its connection). Idempotent. */
  close(reason: string, now: number): void {
    if (this.state === 'closed') return;
    this.dropQueue(reason);
    this.conn.close(reason);
    this.host.onSessionClosed(this, reason, now);
  }

  /** The transport lost the connection. */
  onClosed(reason: string, now: number): void {
    if (this.state === 'closed') return;
    this.dropQueue(reason);
    this.host.onSessionClosed(this, reason, now);
  }

  /** Marks the session closed; pub/sub messages still queued are lost (counted). */
  private dropQueue(reason: string): void {
    this.state = 'closed';
    this.closeReason = reason;
    this.fullSync?.abort();
    this.fullSync = null;
    if (this.queuedMessages > 0) this.host.onMessagesDropped(this.queuedMessages);
    this.messages = [];
    this.messageHead = 0;
    this.messageBytes = 0;
  }
}
