/**
 * One instance's replication: the sans-IO core that the TCP transport and the simulation drive.
 *
 * It is the database's effect sink (local units go into the backlog), owns one SourceSession
 * per connected destination and one SyncerLink per peer it pulls from, applies what links
 * receive, runs the stability oracle and incremental tombstone GC, and answers the test-control
 * operations (pause, resume, wait). Time comes in as `now` (milliseconds) on every call; the
 * only outputs are frames written to Conns, log lines, and the `onWork` callback asking the
 * driver to call `pump` soon.
 *
 * Driver contract:
 * - dial every link for which `wantsConnect(now)` holds, then `link.open(conn)`; feed the
 *   handshake answer to `link.onContinue/onRefused`, frames to `link.onFrame`, loss to
 *   `link.onClosed`;
 * - hand every Hello received to `acceptHello`; on acceptance write the Continue, then feed
 *   frames to `session.onFrame`, loss to `session.onClosed`;
 * - call `afterInput(now)` after processing a read's worth of frames, `pump(now)` when asked
 *   through onWork (again after yielding while it returns true), `tick(now)` every few tens of ms.
 */
import { VectorClock } from '../crdt/vector-clock.js';
import { ALWAYS_STABLE, EffectGapError } from '../engine/database.js';
import type { Database } from '../engine/database.js';
import type { Effect, EffectSink } from '../engine/effect.js';
import { effectToBuffer } from '../engine/effect.js';
import { openSnapshots } from '../engine/snapshot.js';
import { Backlog } from './backlog.js';
import type { DecodedUnit, PubMessage } from './frames.js';
import { encodePubMessage, encodeSkipUnit, encodeUnit } from './frames.js';
import type { FullSyncReceiver } from './full-sync.js';
import type { Conn, Continue, Hello, LogFn, Refusal, SyncMode, Timing } from './protocol.js';
import { DEFAULT_TIMING, PROTOCOL_VERSION } from './protocol.js';
import type { SessionHost } from './source-session.js';
import { SourceSession } from './source-session.js';
import { StabilityOracle } from './stability.js';
import type { LinkHost } from './syncer-link.js';
import { SyncerLink } from './syncer-link.js';

export interface NodeOptions {
  guid: string;
  /** Replication secret (or the database password); '' = none. */
  secret: string;
  /** crdt-backlog-size in bytes. */
  backlogBytes: number;
  /** crdt-compression-level: 0 = off, 1..9 deflate levels. */
  compressionLevel: number;
  /** crdt-causal-consistency. */
  causal: boolean;
  /** Identifies this process (a restart is a new run id). */
  runId: string;
  random: () => number;
  timing?: Partial<Timing>;
  log?: LogFn;
  /** Asks the driver to call pump() soon. */
  onWork?: () => void;
  /** Delivers a pub/sub message a peer published to this instance's subscribers. */
  onMessage?: (m: PubMessage) => void;
  /**
   * This instance restarted without (all of) its data. Peers still know the clock of its
   * previous incarnation and may have collected tombstones on that basis; snapshots taken before
   * they learn of the restart could resurrect removed data when joined together. So it first
   * announces itself to every peer (a handshake each, nothing joined) and syncs only once all of
   * them know.
   */
  rejoin?: boolean;
}

export interface Peer {
  readonly id: number;
  readonly link: SyncerLink;
  /** Run id of the peer's current incarnation, once seen (Hello or Continue). */
  runId: string | null;
  session: SourceSession | null;
  /** Paused by TANDEM.SYNC PAUSE (both directions). */
  paused: boolean;
  /** Last clock the peer acknowledged to us, and last clock it reported as a source. */
  ackClock: VectorClock | null;
  ackAt: number;
  srcClock: VectorClock | null;
  probeReply: { token: number; clock: VectorClock } | null;
  lastSessionError: string;
}

export interface ReplicationStats {
  /** Destination side: completed inbound full syncs, partial resyncs, and resyncs the backlog
   * could not serve (reference crdt_sync_full / crdt_sync_partial_ok / crdt_sync_partial-err). */
  syncFull: number;
  syncPartialOk: number;
  syncPartialErr: number;
  /** Records joined from full syncs (crdt_merge_reqs). */
  mergeReqs: number;
  /** Effects received in batches (crdt_effect_reqs), and those already seen. */
  effectReqs: number;
  effectsFiltered: number;
  /** Source side. */
  srcFullSyncs: number;
  srcPartialSyncs: number;
  refusals: number;
  lastRefusal: string;
  gcPasses: number;
  /** Pub/sub: messages published here and queued for a peer, messages received from peers and
   * delivered here, and messages not delivered to a peer (its link down, paused or too slow). */
  pubsubSent: number;
  pubsubReceived: number;
  pubsubDropped: number;
}

interface Wait {
  readonly token: number;
  readonly deadline: number;
  readonly done: (ok: boolean, detail: string) => void;
}

export class ReplicationNode implements EffectSink, SessionHost, LinkHost {
  readonly instanceId: number;
  readonly guid: string;
  readonly timing: Timing;
  readonly backlog: Backlog;
  readonly oracle = new StabilityOracle();
  readonly peers = new Map<number, Peer>();
  readonly stats: ReplicationStats = {
    syncFull: 0,
    syncPartialOk: 0,
    syncPartialErr: 0,
    mergeReqs: 0,
    effectReqs: 0,
    effectsFiltered: 0,
    srcFullSyncs: 0,
    srcPartialSyncs: 0,
    refusals: 0,
    lastRefusal: '',
    gcPasses: 0,
    pubsubSent: 0,
    pubsubReceived: 0,
    pubsubDropped: 0,
  };
  secret: string;
  compressionLevel: number;
  readonly random: () => number;
  readonly log: LogFn;
  readonly runId: string;
  private causalMode: boolean;
  private unit: Buffer[] = [];
  /** Messages published while `unit` was open (a transaction), sent once it is committed. */
  private unitMessages: PubMessage[] | null = null;
  private unitFirst = 0;
  private unitLast = 0;
  private waits: Wait[] = [];
  private probeSeq = 0;
  private pausedAll = false;
  private gcCursor = 0;
  private lastGcAt = -Infinity;
  private closed = false;
  private readonly onWork: () => void;
  private readonly onMessage: (m: PubMessage) => void;
  /** Peers that accepted a Hello of this incarnation, while rejoining (see NodeOptions.rejoin). */
  private announced: Set<number> | null;

  constructor(
    readonly db: Database,
    opts: NodeOptions,
  ) {
    this.instanceId = db.instanceId;
    this.guid = opts.guid;
    this.secret = opts.secret;
    this.compressionLevel = opts.compressionLevel;
    this.causalMode = opts.causal;
    this.runId = opts.runId;
    this.random = opts.random;
    this.timing = { ...DEFAULT_TIMING, ...opts.timing };
    this.log = opts.log ?? (() => undefined);
    this.onWork = opts.onWork ?? (() => undefined);
    this.onMessage = opts.onMessage ?? (() => undefined);
    this.announced = opts.rejoin === true ? new Set() : null;
    // Everything applied before the backlog existed can only be served by a full sync.
    this.backlog = new Backlog(opts.backlogBytes, db.clock.clone());
    db.sink = this;
  }

  get causal(): boolean {
    return this.causalMode;
  }

  /**
   * What this instance has durably applied, when persistence is on (src/persistence). Peers
   * learn this instance's clock only up to it — in acknowledgements and source reports — so they
   * never collect a tombstone of an effect a crash could still take from this instance: after a
   * restart from disk it would resurrect what the removal removed.
   */
  durableClock: (() => VectorClock) | null = null;

  /** The clock reported to peers: the applied one, capped by the durable one. */
  reportClock(): VectorClock {
    const d = this.durableClock;
    return d === null ? this.db.clock : VectorClock.min([this.db.clock, d()]);
  }

  // ---- the database's effect sink -------------------------------------------------------------

  effect(e: Effect): void {
    if (this.unit.length === 0) this.unitFirst = e.seq;
    this.unitLast = e.seq;
    this.unit.push(effectToBuffer(e));
  }

  commit(): void {
    if (this.unit.length === 0) return;
    const bytes = encodeUnit(this.unit);
    this.unit = [];
    this.backlog.append(this.instanceId, this.unitFirst, this.unitLast, bytes);
    for (const p of this.peers.values()) p.link.clockMoved();
    // Messages published inside the unit (MULTI … PUBLISH … EXEC) follow its writes.
    const held = this.unitMessages;
    if (held !== null) {
      this.unitMessages = null;
      for (const m of held) this.publish(m);
    }
    this.requestWork();
  }

  requestWork(): void {
    if (!this.closed) this.onWork();
  }

  // ---- pub/sub ---------------------------------------------------------------------------------

  /**
   * A message published on this instance (PubSubHub.onPublish): queued for every peer whose
   * session is up and not paused, behind the units committed before it. Not kept anywhere
   * else: a peer whose link is down or paused does not get it (docs/replication-protocol.md).
   */
  publish(m: PubMessage): void {
    if (this.unit.length > 0) {
      // Inside an atomic unit not committed yet: after its effects, at commit.
      (this.unitMessages ??= []).push(m);
      return;
    }
    let bytes: Buffer | null = null;
    for (const p of this.peers.values()) {
      const s = p.session;
      if (s === null || !s.open || s.paused) {
        this.stats.pubsubDropped++;
        continue;
      }
      bytes ??= encodePubMessage(m);
      s.queueMessage(bytes);
      this.stats.pubsubSent++;
    }
  }

  onMessages(_link: SyncerLink, messages: readonly PubMessage[], dropped: boolean): void {
    if (dropped) {
      this.stats.pubsubDropped += messages.length;
      return;
    }
    this.stats.pubsubReceived += messages.length;
    for (const m of messages) this.onMessage(m);
  }

  onMessagesDropped(n: number): void {
    this.stats.pubsubDropped += n;
  }

  // ---- membership ------------------------------------------------------------------------------

  addPeer(id: number, host: string, port: number): Peer {
    if (id === this.instanceId) throw new RangeError(`instance ${id} is this instance`);
    const existing = this.peers.get(id);
    if (existing !== undefined) {
      if (existing.link.host !== host || existing.link.port !== port) {
        existing.link.host = host;
        existing.link.port = port;
        existing.link.fail('peer address changed', 0);
        existing.link.retryAt = 0;
      }
      return existing;
    }
    const p: Peer = {
      id,
      link: new SyncerLink(this, id, host, port),
      runId: null,
      session: null,
      paused: this.pausedAll,
      ackClock: null,
      ackAt: 0,
      srcClock: null,
      probeReply: null,
      lastSessionError: '',
    };
    if (this.pausedAll) p.link.paused = true;
    this.peers.set(id, p);
    this.db.stability = this.oracle;
    return p;
  }

  removePeer(id: number, now: number): boolean {
    const p = this.peers.get(id);
    if (p === undefined) return false;
    p.link.stop('peer removed');
    p.session?.close('peer removed', now);
    this.peers.delete(id);
    // With no peer left nothing can be concurrent any more: dead keys go at once again.
    if (this.peers.size === 0) this.db.stability = ALWAYS_STABLE;
    this.checkWaits(now);
    return true;
  }

  // ---- source side -----------------------------------------------------------------------------

  /**
   * Validates a destination's Hello and, when accepted, opens its session. The driver writes the
   * Continue (or the Refusal) before any frame of the session.
   */
  acceptHello(h: Hello, conn: Conn, now: number): { ok: true; reply: Continue; session: SourceSession } | { ok: false; refusal: Refusal } {
    const refuse = (code: Refusal['code'], message: string): { ok: false; refusal: Refusal } => {
      this.stats.refusals++;
      this.stats.lastRefusal = message;
      this.log('warn', `Refused replication link from instance ${h.destId}: ${message}`);
      return { ok: false, refusal: { code, message } };
    };
    if (h.protocol !== PROTOCOL_VERSION) {
      return refuse('protocol', `replication protocol version ${h.protocol} is not supported (this instance speaks ${PROTOCOL_VERSION})`);
    }
    if (h.guid !== this.guid) return refuse('guid', `wrong CRDB GUID '${h.guid}' (this instance belongs to '${this.guid}')`);
    if (h.secret !== this.secret) return refuse('auth', 'invalid replication secret (crdt-repl-secret, or requirepass when no secret is set)');
    if (h.destId === this.instanceId) return refuse('duplicate-id', `duplicate instance id ${h.destId}: it is this instance's own id`);
    const peer = this.peers.get(h.destId);
    if (peer === undefined) return refuse('unknown-peer', `instance ${h.destId} is not a peer of instance ${this.instanceId} (add it with TANDEM.PEER ADD)`);
    const old = peer.session;
    if (old !== null && old.open) {
      if (old.runId !== h.runId) {
        return refuse('duplicate-id', `duplicate instance id ${h.destId}: another process (run id ${old.runId}) is connected as that instance`);
      }
      old.close('replaced by a new connection from the same instance', now);
    }
    this.noteIncarnation(peer, h.runId, h.resume, null);
    const { mode, reason } = this.syncMode(h);
    const s = new SourceSession(this, h.destId, h.runId, h.resume, mode, conn, now);
    if (peer.paused) s.localPaused = true;
    peer.session = s;
    if (mode === 'full') this.stats.srcFullSyncs++;
    else this.stats.srcPartialSyncs++;
    this.log('info', `Instance ${h.destId} connected for replication: ${mode === 'full' ? `full sync (${reason})` : `partial sync from ${h.resume.toString() || '(empty clock)'}`}`);
    this.requestWork();
    return {
      ok: true,
      session: s,
      reply: { sourceId: this.instanceId, protocol: PROTOCOL_VERSION, mode, reason, causal: this.causalMode, destSeen: this.db.clock.get(h.destId), clock: this.reportClock().clone(), runId: this.runId },
    };
  }

  /** Partial when the backlog holds every effect the destination needs from us, else full. */
  private syncMode(h: Hello): { mode: SyncMode; reason: string } {
    const applied = this.db.clock;
    const r = h.resume;
    const self = this.instanceId;
    if (!this.causalMode && r.get(h.destId) < applied.get(h.destId)) {
      // Its own effects come back only as state: it restarted without its data.
      return { mode: 'full', reason: `instance ${h.destId} lost its own effects` };
    }
    // It lacks an effect every instance had applied (it restarted without its data): metadata
    // that effect left may be collected here, and effects issued since assume it everywhere —
    // streaming the old effects to it would bring removed data back. Only state can catch it up.
    for (const o of applied.origins()) {
      if (r.get(o) < applied.get(o) && this.oracle.isStable(o, r.get(o) + 1)) return { mode: 'full', reason: `instance ${h.destId} lacks collected effects` };
    }
    const needed = this.causalMode ? () => true : (o: number) => o === self;
    if (this.backlog.covers(r, applied, needed)) return { mode: 'partial', reason: '' };
    const nothing = [...r].length === 0;
    return { mode: 'full', reason: nothing ? 'new instance' : 'backlog does not cover the gap' };
  }

  /**
   * What we know of a peer's clock belongs to one incarnation: a new run id replaces it with what
   * the new incarnation says (it may have restarted without data and be behind).
   */
  private noteIncarnation(p: Peer, runId: string, ack: VectorClock | null, src: VectorClock | null): void {
    if (p.runId !== runId) {
      if (p.runId !== null) this.log('info', `Instance ${p.id} is a new incarnation (run id ${runId}): forgetting what its previous one reported`);
      p.runId = runId;
      p.ackClock = null;
      p.srcClock = null;
      p.probeReply = null;
    }
    if (ack !== null) p.ackClock = ack.clone();
    if (src !== null) p.srcClock = src.clone();
  }

  onAck(destId: number, clock: VectorClock, now: number, runId?: string): void {
    const p = this.peers.get(destId);
    if (p === undefined || (runId !== undefined && runId !== p.runId)) return;
    p.ackClock = clock;
    p.ackAt = now;
    this.checkWaits(now);
  }

  onSessionClosed(s: SourceSession, reason: string, now: number): void {
    const p = this.peers.get(s.destId);
    if (p !== undefined && p.session === s) {
      p.session = null;
      p.lastSessionError = reason;
    }
    this.log('info', `Replication to instance ${s.destId} stopped: ${reason}`);
    this.checkWaits(now);
  }

  // ---- destination side ------------------------------------------------------------------------

  hello(): Omit<Hello, 'resume'> {
    return { guid: this.guid, destId: this.instanceId, protocol: PROTOCOL_VERSION, secret: this.secret, runId: this.runId };
  }

  onLinkUp(link: SyncerLink, c: Continue, now: number): boolean {
    const p = this.peers.get(link.peerId);
    if (p !== undefined) this.noteIncarnation(p, c.runId, null, c.clock);
    if (this.announced !== null) {
      this.announced.add(link.peerId);
      let all = true;
      for (const id of this.peers.keys()) if (!this.announced.has(id)) all = false;
      if (!all) return false;
      this.announced = null;
      this.log('info', 'Every peer knows this instance restarted: syncing');
      for (const q of this.peers.values()) if (q.link.state === 'backoff') q.link.retryAt = now;
    }
    if (c.mode === 'full' && c.reason === 'backlog does not cover the gap') this.stats.syncPartialErr++;
    if (c.mode === 'partial') this.stats.syncPartialOk++;
    if (c.destSeen > this.db.lastSeq) {
      this.log('warn', `Instance ${link.peerId} holds effects of this instance up to ${c.destSeen} but this instance only remembers ${this.db.lastSeq}: it restarted without its data; they come back with the full sync`);
    }
    return true;
  }

  /**
   * Applies the units of one batch, in order. Effects already applied are filtered by the
   * vector clock; in causal mode what was applied is appended to the backlog for relaying.
   * Throws EffectGapError when an origin's effects skip a sequence (the link restarts).
   */
  applyUnits(_link: SyncerLink, units: readonly DecodedUnit[], _now: number): void {
    const db = this.db;
    const clock = db.clock;
    for (const u of units) {
      if (u.skip !== null) {
        this.applySkip(u);
        continue;
      }
      this.stats.effectReqs += u.effects.length;
      let applied = 0;
      let first = 0;
      for (const e of u.effects) {
        const have = clock.get(e.origin);
        if (e.seq <= have) {
          this.stats.effectsFiltered++;
          db.stats.effectsFiltered++;
          continue;
        }
        if (e.seq !== have + 1) throw new EffectGapError(`effect ${e.origin}:${e.seq} arrived after ${e.origin}:${have}`);
        db.applyRemote(e);
        if (e.origin === this.instanceId) this.ownSeen(e.seq);
        if (applied === 0) first = e.seq;
        applied++;
      }
      if (applied > 0 && this.causalMode) {
        // Filtered effects are a prefix of the unit (one origin, consecutive sequences).
        const bytes = applied === u.effects.length ? Buffer.from(u.bytes) : encodeUnit(u.effects.slice(u.effects.length - applied).map(effectToBuffer));
        this.backlog.append(u.origin, first, first + applied - 1, bytes);
      }
    }
    this.requestWork();
  }

  /**
   * Our own effects can come back from peers — in a snapshot, or relayed in causal mode — after
   * a restart without data: numbering must continue after them, never reuse them.
   */
  private ownSeen(seq: number): void {
    if (seq > this.db.lastSeq) this.db.restoreSeq(seq);
  }

  private applySkip(u: DecodedUnit): void {
    const { first, last } = u.skip!;
    const have = this.db.clock.get(u.origin);
    if (last <= have) return;
    if (first > have + 1) throw new EffectGapError(`skip ${u.origin}:${first}..${last} arrived after ${u.origin}:${have}`);
    this.db.advanceClock(u.origin, last);
    if (u.origin === this.instanceId) this.ownSeen(last);
    if (this.causalMode) this.backlog.append(u.origin, have + 1, last, encodeSkipUnit(u.origin, have + 1, last));
  }

  /**
   * Joins a completed full sync: the clock at once, the records on access or step by step in
   * pump (full-sync.ts explains why at the end and not chunk by chunk).
   */
  joinSnapshot(_link: SyncerLink, snapshot: FullSyncReceiver, now: number): void {
    const db = this.db;
    const before = db.clock.clone();
    this.stats.mergeReqs += snapshot.joinInto(db);
    this.ownSeen(db.clock.get(this.instanceId));
    const moved = this.backlog.noteJump(before, db.clock);
    // A destination we stream to must now get, for what moved, effects the backlog never held:
    // its stream cannot stay contiguous. It reconnects, and resumes or gets a full sync.
    for (const p of this.peers.values()) {
      const s = p.session;
      if (s === null || !s.open) continue;
      const stale = moved.some((o) => (this.causalMode || o === this.instanceId) && s.known.get(o) < db.clock.get(o));
      if (stale) s.close('this instance joined a full sync: resync needed', now);
    }
    this.stats.syncFull++;
    this.requestWork();
    this.checkWaits(now);
  }

  onSourceClock(link: SyncerLink, clock: VectorClock, _now: number): void {
    const p = this.peers.get(link.peerId);
    if (p !== undefined && link.sourceRunId === p.runId) p.srcClock = clock;
  }

  onProbeReply(peerId: number, token: number, clock: VectorClock, now: number): void {
    const p = this.peers.get(peerId);
    if (p === undefined) return;
    if (p.probeReply === null || token >= p.probeReply.token) p.probeReply = { token, clock };
    this.checkWaits(now);
  }

  // ---- driving ---------------------------------------------------------------------------------

  /**
   * True once every peer's link has caught up with what that peer had when it accepted us (at
   * least once since this node started): a restarted instance has everything it can recover.
   */
  caughtUp(): boolean {
    for (const p of this.peers.values()) if (!p.link.caughtUp) return false;
    return true;
  }

  /** Links to dial now. */
  dialable(now: number): SyncerLink[] {
    const out: SyncerLink[] = [];
    for (const p of this.peers.values()) if (p.link.wantsConnect(now)) out.push(p.link);
    return out;
  }

  /** Sends what sessions can send; true when more remains (pump again after yielding). */
  pump(now: number): boolean {
    let more = false;
    // Full syncs being received are decoded, and one being joined is joined, one step per pump,
    // yielding to clients and links in between.
    const step = this.timing.joinRecordsPerPump;
    for (const p of this.peers.values()) if (p.link.decodeStep(step, now)) more = true;
    if (this.db.joinPending > 0 && this.db.joinStep(step) > 0) more = true;
    for (const p of this.peers.values()) {
      const s = p.session;
      if (s !== null && s.pump(now)) more = true;
    }
    return more;
  }

  /** After a read's frames: acknowledge what links applied, settle waits. */
  afterInput(now: number): void {
    for (const p of this.peers.values()) p.link.flush(now);
    this.checkWaits(now);
  }

  tick(now: number): void {
    for (const p of this.peers.values()) {
      p.session?.tick(now);
      p.link.tick(now);
    }
    if (this.peers.size > 0 && now - this.lastGcAt >= this.timing.gcIntervalMs) {
      this.lastGcAt = now;
      this.gcStep();
    }
    this.checkWaits(now);
  }

  /**
   * Our own clock as far as garbage collection may trust it, or null while it may not collect
   * at all. A snapshot being received was taken at V0 and may lack removals we applied since;
   * joining it is safe only if we still hold those removals' tombstones. So while a full sync is
   * pending we count ourselves at min(clock, V0), and while a handshake is outstanding (a source
   * may have taken a snapshot we do not know of yet) we collect nothing.
   */
  gcClock(): VectorClock | null {
    let c = this.db.clock;
    for (const p of this.peers.values()) {
      const l = p.link;
      if (l.state === 'handshake') return null;
      if (l.pendingSnapshot !== null) c = VectorClock.min([c, l.pendingSnapshot]);
    }
    return c;
  }

  /** Every instance's last known clock: ours (gcClock), and per peer the larger of its ack and
   * its report — both of its current incarnation. Null while GC must wait. */
  knownClocks(): VectorClock[] | null {
    const own = this.gcClock();
    if (own === null) return null;
    const out = [own];
    for (const p of this.peers.values()) {
      const c = new VectorClock();
      if (p.ackClock !== null) c.merge(p.ackClock);
      if (p.srcClock !== null) c.merge(p.srcClock);
      out.push(c);
    }
    return out;
  }

  private gcStep(): void {
    const clocks = this.knownClocks();
    if (clocks === null) return;
    this.oracle.pass(clocks);
    this.stats.gcPasses++;
    // A collected record could still be owed to an open snapshot: wait for it to finish. And a
    // tombstone must stay until the snapshot records it may cancel are joined.
    if (openSnapshots(this.db) > 0 || this.db.joinPending > 0) return;
    this.gcCursor = this.db.collectGarbage(this.oracle, this.gcCursor, this.timing.gcBudget);
  }

  // ---- test control: pause, resume, wait -------------------------------------------------------

  /** Stops delivery both ways with one peer (or all, also peers added later). */
  pause(peerId: number | null, now: number): number {
    if (peerId === null) this.pausedAll = true;
    let n = 0;
    for (const p of this.peers.values()) {
      if (peerId !== null && p.id !== peerId) continue;
      p.paused = true;
      p.session?.setLocalPaused(true);
      p.link.setPaused(true, now);
      n++;
    }
    return n;
  }

  resume(peerId: number | null, now: number): number {
    if (peerId === null) this.pausedAll = false;
    let n = 0;
    for (const p of this.peers.values()) {
      if (peerId !== null && p.id !== peerId) continue;
      p.paused = false;
      p.session?.setLocalPaused(false);
      p.link.setPaused(false, now);
      n++;
    }
    this.requestWork();
    this.checkWaits(now);
    return n;
  }

  /**
   * Calls `done(true)` once every peer has applied everything this instance has and this
   * instance has applied everything every peer had when asked; `done(false, why)` at the
   * deadline. Each peer is probed: its reply comes after everything it had streamed to us.
   */
  wait(now: number, timeoutMs: number, done: (ok: boolean, detail: string) => void): void {
    const token = ++this.probeSeq;
    const w: Wait = { token, deadline: now + timeoutMs, done };
    for (const p of this.peers.values()) p.link.probe(token);
    this.waits.push(w);
    this.checkWaits(now);
  }

  /** Why a wait started with `token` is not satisfied yet, or null when it is. */
  private unsatisfied(token: number): string | null {
    const clock = this.db.clock;
    for (const p of this.peers.values()) {
      const r = p.probeReply;
      if (r === null || r.token < token) return `instance ${p.id} has not answered (link ${p.link.state}${p.link.paused ? ', paused' : ''})`;
      if (!clock.dominates(r.clock)) return `this instance lacks effects instance ${p.id} has (${clock.toString()} < ${r.clock.toString()})`;
      if (p.ackClock === null || !p.ackClock.dominates(clock)) return `instance ${p.id} has not acknowledged ${clock.toString()} (acked ${p.ackClock?.toString() ?? 'nothing'})`;
    }
    return null;
  }

  private checkWaits(now: number): void {
    if (this.waits.length === 0) return;
    const keep: Wait[] = [];
    for (const w of this.waits) {
      const why = this.unsatisfied(w.token);
      if (why === null) w.done(true, '');
      else if (now >= w.deadline) w.done(false, why);
      else keep.push(w);
    }
    this.waits = keep;
  }

  // ---- configuration ---------------------------------------------------------------------------

  /**
   * Switches causal consistency (reference §1.7: affects what is received after the change).
   * Sessions restart, because what a stream contains changes; relayed effects applied before the
   * switch were never kept, so the backlog stops covering them.
   */
  setCausal(causal: boolean, now: number): void {
    if (causal === this.causalMode) return;
    this.causalMode = causal;
    this.backlog.forgetOthers(this.instanceId, this.db.clock);
    for (const p of this.peers.values()) p.session?.close(`causal consistency turned ${causal ? 'on' : 'off'}`, now);
  }

  /**
   * Continues numbering after a restart (a persisted high-water mark): sequences up to `seq`
   * are never handed out again, and those this instance does not hold are declared lost.
   */
  restoreSeq(seq: number): void {
    const have = this.db.clock.get(this.instanceId);
    this.ownSeen(seq);
    if (seq <= have) return;
    // Peers learn of the hole through a skip unit (frames.ts) like any other unit of ours.
    this.backlog.append(this.instanceId, have + 1, seq, encodeSkipUnit(this.instanceId, have + 1, seq));
    this.requestWork();
  }

  /** Closes every link and session. */
  close(now: number): void {
    this.closed = true;
    for (const p of this.peers.values()) {
      p.link.stop('shutting down');
      p.session?.close('shutting down', now);
    }
    for (const w of this.waits) w.done(false, 'shutting down');
    this.waits = [];
    if (this.db.sink === this) this.db.sink = null;
  }
}
