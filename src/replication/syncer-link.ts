/**
 * The destination side of one replication link: this instance pulling one peer's stream
 * (reference §1.2 "syncer"). A state machine over one connection at a time:
 *
 *   idle/backoff ──dial──▶ handshake ──Continue──▶ full-sync ──END──▶ streaming
 *        ▲                    │ Refusal                                  │
 *        └────── backoff (exponential, jittered) ◀── error / timeout ◀───┘
 *
 * It applies what arrives through its LinkHost (the node, which owns the database), acknowledges
 * its clock after applying and periodically, and reconnects with exponential backoff and jitter.
 * While paused (TANDEM.SYNC PAUSE) it asks the source to stop (FLOW) and holds whatever was
 * already in flight; on resume it fetches that again from its clock (see setPaused): nothing is
 * lost, the source's backlog (or a full sync) still has it.
 */
import { VectorClock } from '../crdt/vector-clock.js';
import { EffectGapError } from '../engine/database.js';
import type { Database } from '../engine/database.js';
import type { DecodedUnit, Frame, PubMessage } from './frames.js';
import { ackFrame, decodeFrame, flowFrame, FRAME_TYPES, FrameError, frameType, probeFrame } from './frames.js';
import { FullSyncReceiver } from './full-sync.js';
import type { Continue, DialConn, Hello, LogFn, Refusal, SyncMode, Timing } from './protocol.js';
import { PROTOCOL_VERSION, backoffDelay } from './protocol.js';

/** What a link needs from the node that owns it. */
export interface LinkHost {
  readonly instanceId: number;
  readonly db: Database;
  readonly timing: Timing;
  readonly random: () => number;
  readonly log: LogFn;
  /** The clock this instance reports to peers (durable when persistence is on). */
  reportClock(): VectorClock;
  hello(): Omit<Hello, 'resume'>;
  applyUnits(link: SyncerLink, units: readonly DecodedUnit[], now: number): void;
  /** Joins a completed full sync (full-sync.ts). */
  joinSnapshot(link: SyncerLink, snapshot: FullSyncReceiver, now: number): void;
  onSourceClock(link: SyncerLink, clock: VectorClock, now: number): void;
  onProbeReply(peerId: number, token: number, clock: VectorClock, now: number): void;
  /** Pub/sub messages published on this link's source; `dropped` when they arrived while paused. */
  onMessages(link: SyncerLink, messages: readonly PubMessage[], dropped: boolean): void;
  /** The handshake succeeded. False: close and reconnect at once (see NodeOptions.rejoin). */
  onLinkUp(link: SyncerLink, c: Continue, now: number): boolean;
  /** Asks the driver to pump soon (a full-sync chunk waits to be decoded). */
  requestWork(): void;
}

export type LinkState = 'idle' | 'handshake' | 'full-sync' | 'streaming' | 'backoff' | 'stopped';

export class SyncerLink {
  state: LinkState = 'idle';
  private conn: DialConn | null = null;
  /** Consecutive failed attempts (drives the backoff). */
  attempts = 0;
  retryAt = 0;
  lastError = '';
  /** Code of the last refusal, if the last failure was one (INFO shows it). */
  lastRefusal = '';
  private lastRecvAt = 0;
  private lastAckAt = 0;
  private ackDirty = false;
  paused = false;
  private held: Buffer[] = [];
  private receiving: FullSyncReceiver | null = null;
  /** END of the full sync arrived while chunks still waited to be decoded: frames after it wait
   * in `afterEnd` until the join has started. */
  private ended = false;
  private afterEnd: Buffer[] = [];
  mode: SyncMode | null = null;
  causal = false;
  /** Run id of the source process on the current connection. */
  sourceRunId = '';
  /** V0 of the snapshot the source took for us, from its Continue until the join (see
   * ReplicationNode.gcClock). */
  pendingSnapshot: VectorClock | null = null;
  /** The source's clock as last reported (batches, heartbeats): what it has. */
  sourceClock: VectorClock | null = null;
  /** When this instance first knew it was behind the source, or null when it is not. */
  behindSince: number | null = null;
  private wantProbe: number | null = null;
  /** What the source had when it accepted us, for the origins it streams (see caughtUp). */
  private target: VectorClock | null = null;
  /** Set once this instance's clock covered `target`: it has everything this peer had. */
  caughtUp = false;
  connectedAt = 0;
  // Figures for INFO.
  fullSyncs = 0;
  partialSyncs = 0;
  connects = 0;
  batches = 0;
  bytesIn = 0;

  constructor(
    private readonly owner: LinkHost,
    readonly peerId: number,
    /** Address of the peer's client port (TANDEM.PEER ADD may change it). */
    public host: string,
    public port: number,
  ) {}

  get connected(): boolean {
    return this.conn !== null;
  }

  get streaming(): boolean {
    return this.state === 'streaming';
  }

  /** True when the driver should dial now. */
  wantsConnect(now: number): boolean {
    return (this.state === 'idle' || this.state === 'backoff') && now >= this.retryAt;
  }

  /** The driver opened a connection (or started to): send the Hello. */
  open(conn: DialConn, now: number): void {
    this.conn = conn;
    this.state = 'handshake';
    this.lastRecvAt = now;
    this.connects++;
    conn.hello({ ...this.owner.hello(), resume: this.owner.db.clock.clone() });
  }

  onContinue(c: Continue, now: number): void {
    if (this.state !== 'handshake') return;
    if (c.sourceId !== this.peerId) {
      this.fail(`peer at ${this.host}:${this.port} is instance ${c.sourceId}, expected instance ${this.peerId}`, now, 'wrong-peer');
      return;
    }
    if (c.protocol !== PROTOCOL_VERSION) {
      this.fail(`peer ${this.peerId} speaks replication protocol ${c.protocol}, this instance ${PROTOCOL_VERSION}`, now, 'protocol');
      return;
    }
    this.sourceRunId = c.runId;
    if (!this.owner.onLinkUp(this, c, now)) {
      this.fail(`announced this instance's restart to instance ${this.peerId}; syncing once every peer knows`, now, '', true);
      return;
    }
    this.mode = c.mode;
    this.causal = c.causal;
    this.state = c.mode === 'full' ? 'full-sync' : 'streaming';
    this.pendingSnapshot = c.mode === 'full' ? c.clock.clone() : null;
    if (c.mode === 'partial') this.partialSyncs++;
    this.attempts = 0;
    this.lastError = '';
    this.lastRefusal = '';
    this.lastRecvAt = now;
    this.connectedAt = now;
    if (!this.caughtUp) {
      // A non-causal source streams only its own effects, and ours come back only as state.
      this.target = c.causal ? c.clock.clone() : VectorClock.from([[this.peerId, c.clock.get(this.peerId)], [this.owner.instanceId, c.clock.get(this.owner.instanceId)]]);
      this.checkCaughtUp();
    }
    if (this.paused) this.conn!.send(flowFrame(true));
    if (this.wantProbe !== null) this.sendProbe(this.wantProbe);
    this.sendAck(now);
    this.owner.log('info', `Replicating from instance ${this.peerId} (${this.host}:${this.port}): ${c.mode} sync${c.reason ? ` (${c.reason})` : ''}`);
  }

  onRefused(r: Refusal, now: number): void {
    if (this.state !== 'handshake') return;
    this.fail(`refused by instance ${this.peerId}: ${r.message}`, now, r.code);
  }

  onFrame(buf: Buffer, now: number): void {
    if (this.conn === null) return;
    this.lastRecvAt = now;
    this.bytesIn += buf.length;
    if (this.ended && !this.paused) {
      this.afterEnd.push(buf);
      return;
    }
    if (this.paused) {
      // Pub/sub is delivered only while the link runs: a message in flight when the pause took
      // effect is dropped (counted), never delivered late or twice.
      if (frameType(buf) === FRAME_TYPES.publish) this.dropMessages(buf, now);
      else this.held.push(buf);
      return;
    }
    this.process(buf, now);
  }

  private process(buf: Buffer, now: number): void {
    const f = this.decode(buf, now);
    if (f === null) return;
    try {
      switch (f.t) {
        case 'batch':
          if (this.state !== 'streaming') throw new FrameError(`batch while ${this.state}`);
          this.owner.applyUnits(this, f.units, now);
          this.batches++;
          this.ackDirty = true;
          this.noteSourceClock(f.clock, now);
          return;
        case 'fullsync-begin':
          if (this.state !== 'full-sync' || this.receiving !== null) throw new FrameError(`full sync begins while ${this.state}`);
          this.receiving = new FullSyncReceiver(f.clock, f.hlc, f.records);
          this.owner.log('info', `Full sync from instance ${this.peerId} started at ${f.clock.toString() || '(empty clock)'} (~${f.records} records)`);
          return;
        case 'fullsync-chunk':
          if (this.receiving === null) throw new FrameError('full-sync chunk outside a full sync');
          this.receiving.stage(f.count, f.records);
          this.owner.requestWork();
          return;
        case 'fullsync-end': {
          const rcv = this.receiving;
          if (rcv === null) throw new FrameError('full-sync end outside a full sync');
          if (!rcv.clock.equals(f.clock) || rcv.records !== f.records) throw new FrameError('full-sync end does not match what was received');
          // Chunks may still wait to be decoded: the join starts once they are (decodeStep),
          // and the frames that follow END wait for it.
          this.ended = true;
          if (rcv.undecoded === 0) this.completeFullSync(now);
          else this.owner.requestWork();
          return;
        }
        case 'heartbeat':
          this.noteSourceClock(f.clock, now);
          return;
        case 'probe-reply':
          this.noteSourceClock(f.clock, now);
          this.owner.onProbeReply(this.peerId, f.token, f.clock, now);
          return;
        case 'publish':
          this.owner.onMessages(this, f.messages, false);
          return;
        default:
          throw new FrameError(`unexpected ${f.t} frame on a destination link`);
      }
    } catch (e) {
      if (e instanceof FrameError) this.fail(`protocol error from instance ${this.peerId}: ${e.message}`, now);
      else if (e instanceof EffectGapError) this.fail(`effects out of order from instance ${this.peerId}: ${e.message}`, now);
      else throw e;
    }
  }

  private dropMessages(buf: Buffer, now: number): void {
    const f = this.decode(buf, now);
    if (f?.t === 'publish') this.owner.onMessages(this, f.messages, true);
  }

  /** The decoded frame, or null after failing the link on a malformed one. */
  private decode(buf: Buffer, now: number): Frame | null {
    try {
      return decodeFrame(buf);
    } catch (e) {
      this.fail(`protocol error from instance ${this.peerId}: ${(e as FrameError).message}`, now);
      return null;
    }
  }

  private checkCaughtUp(): void {
    if (this.target !== null && this.state === 'streaming' && this.owner.db.clock.dominates(this.target)) {
      this.caughtUp = true;
      this.target = null;
    }
  }

  private noteSourceClock(clock: VectorClock, now: number): void {
    this.checkCaughtUp();
    this.sourceClock = clock;
    this.owner.onSourceClock(this, clock, now);
    this.updateLag(now);
  }

  /** Effects the source has that this instance has not applied (for its stream's origins). */
  lagEffects(): number {
    const sc = this.sourceClock;
    if (sc === null) return 0;
    const db = this.owner.db;
    let n = 0;
    if (this.causal) {
      for (const [o, s] of sc) if (o !== this.owner.instanceId) n += Math.max(0, s - db.clock.get(o));
    } else n = Math.max(0, sc.get(this.peerId) - db.clock.get(this.peerId));
    return n;
  }

  lagMs(now: number): number {
    return this.behindSince === null ? 0 : now - this.behindSince;
  }

  updateLag(now: number): void {
    if (this.lagEffects() > 0) this.behindSince ??= now;
    else this.behindSince = null;
  }

  /**
   * This instance's own clock moved (a local write): the next tick acknowledges it, so the
   * source learns what this instance has without waiting for the periodic ack (TANDEM.SYNC WAIT).
   */
  clockMoved(): void {
    this.ackDirty = true;
  }

  /** After a read's frames were processed: acknowledge what was applied. */
  flush(now: number): void {
    if (this.ackDirty && this.conn !== null && this.state !== 'handshake') this.sendAck(now);
  }

  private sendAck(now: number): void {
    this.ackDirty = false;
    this.lastAckAt = now;
    this.conn!.send(ackFrame(this.owner.reportClock()));
  }

  tick(now: number): void {
    if (this.conn === null) return;
    const t = this.owner.timing;
    if (now - this.lastRecvAt > t.linkTimeoutMs) {
      this.fail(`timeout: nothing received from instance ${this.peerId} for ${now - this.lastRecvAt} ms`, now);
      return;
    }
    if (this.state !== 'handshake' && (this.ackDirty || now - this.lastAckAt >= t.ackIntervalMs)) this.sendAck(now);
    this.updateLag(now);
  }

  /** Asks the source for its clock once it has sent everything it has (TANDEM.SYNC WAIT). */
  probe(token: number): void {
    this.wantProbe = token;
    if (this.conn !== null && this.state !== 'handshake') this.sendProbe(token);
  }

  private sendProbe(token: number): void {
    this.conn!.send(probeFrame(token));
  }

  setPaused(p: boolean, now: number): void {
    if (this.paused === p) return;
    this.paused = p;
    const live = this.conn !== null && this.state !== 'handshake';
    if (p) {
      if (live) this.conn!.send(flowFrame(true));
      return;
    }
    const held = this.held.length;
    this.held = [];
    if (held > 0 && this.conn !== null) {
      // Frames that arrived while paused are fetched again rather than applied: the source may
      // have restarted meanwhile and declared them lost (a skip unit), and applying them now
      // would revive effects no other instance will ever get. Resuming from our clock loses
      // nothing — the source's backlog, or a full sync, still has them.
      this.fail(`resumed after a pause: fetching again the ${held} frames received meanwhile`, now, '', true);
      return;
    }
    if (live) {
      this.conn!.send(flowFrame(false));
      this.flush(now);
    }
  }

  /**
   * The clock of a full sync whose END arrived but whose records are still being decoded: this
   * instance holds that state already (it joins it on the next pumps), or null.
   */
  get heldSnapshotClock(): VectorClock | null {
    return this.ended && this.receiving !== null ? this.receiving.clock : null;
  }

  /**
   * Decodes up to about `max` records of the full sync being received (between event-loop
   * turns, so a burst of chunks in one read does not stall the loop); true when more remain.
   */
  decodeStep(max: number, now: number): boolean {
    const r = this.receiving;
    if (r === null || this.paused) return false;
    try {
      if (r.decodeStep(max)) return true;
    } catch (e) {
      if (!(e instanceof FrameError)) throw e;
      this.fail(`protocol error from instance ${this.peerId}: ${e.message}`, now);
      return false;
    }
    if (this.ended) this.completeFullSync(now);
    return false;
  }

  /** Every chunk is decoded and END arrived: join, then process what followed END. */
  private completeFullSync(now: number): void {
    const rcv = this.receiving!;
    this.receiving = null;
    this.ended = false;
    this.owner.joinSnapshot(this, rcv, now);
    this.pendingSnapshot = null;
    this.fullSyncs++;
    this.state = 'streaming';
    this.ackDirty = true;
    this.checkCaughtUp();
    this.owner.log('info', `Full sync from instance ${this.peerId} done: ${rcv.records} records merged`);
    const after = this.afterEnd;
    this.afterEnd = [];
    for (const buf of after) {
      if (this.conn === null) return;
      this.onFrame(buf, now);
    }
  }

  /** Records of a full sync in progress staged so far, or null. */
  get fullSyncStaged(): number | null {
    return this.receiving?.records ?? null;
  }

  /** Frames received while paused, not applied yet. */
  get heldFrames(): number {
    return this.held.length;
  }

  /** Closes the connection and schedules a reconnect (at once when `retryNow`). */
  fail(reason: string, now: number, refusal = '', retryNow = false): void {
    const wasUp = this.conn !== null;
    const c = this.conn;
    this.conn = null;
    this.held = [];
    this.receiving = null;
    this.ended = false;
    this.afterEnd = [];
    this.pendingSnapshot = null;
    this.mode = null;
    if (c !== null) c.close(reason);
    if (this.state === 'stopped') return;
    const repeated = reason === this.lastError;
    this.lastError = reason;
    this.lastRefusal = refusal;
    this.state = 'backoff';
    this.retryAt = retryNow ? now : now + backoffDelay(this.owner.timing, this.attempts++, this.owner.random);
    this.behindSince = null;
    this.owner.log(repeated || retryNow ? 'debug' : 'warn', `Replication link from instance ${this.peerId} (${this.host}:${this.port}) ${wasUp ? 'lost' : 'failed'}: ${reason}; retrying in ${this.retryAt - now} ms`);
  }

  /** The transport lost the connection (or could not open it). */
  onClosed(reason: string, now: number): void {
    if (this.conn === null) return;
    this.fail(reason, now);
  }

  /** Stops for good (peer removed, shutdown). */
  stop(reason: string): void {
    const c = this.conn;
    this.conn = null;
    this.state = 'stopped';
    this.receiving = null;
    this.ended = false;
    this.afterEnd = [];
    if (c !== null) c.close(reason);
  }
}
