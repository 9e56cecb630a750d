// A deterministic world of N Tandem instances in one process: each is a real Database driven
// through the real command table, with a real ReplicationNode; a seeded network carries the
// real handshake and binary frames between them.
//
// The network: every link direction is FIFO (like TCP) with its own random delays, so frames of
// different origins reach an instance in any order; batch frames are sometimes delivered twice;
// partitions cut connections (either with a reset the peer sees, or silently so only heartbeat
// timeouts notice) and refuse new ones until healed. An instance can crash (losing its data and
// everything in flight) and restart empty; it then recovers through full syncs.
//
// Restart model: a real instance would reload its data and a persisted sequence high-water mark
// (DESIGN §4). Persistence does not exist yet, so a restarted instance here has no data, keeps
// the high-water mark (so it never reuses a sequence number) and its list counter floor
// (Database.listFloor, so it never reuses a list element id), and — like a new instance of the
// reference (§1.7, §5.8) — takes no writes until it has synced from every peer.
import { VectorClock } from '../../src/crdt/vector-clock.js';
import { dataVisible } from '../../src/crdt/key.js';
import { effectiveExpiry } from '../../src/crdt/expiry.js';
import type { HashEffect } from '../../src/crdt/hash.js';
import type { ZSetEffect } from '../../src/crdt/zset.js';
import type { ExecContext } from '../../src/engine/command-table.js';
import { arityOk, lookupCommand } from '../../src/engine/command-table.js';
import { Database } from '../../src/engine/database.js';
import type { Effect } from '../../src/engine/effect.js';
import '../../src/engine/strings.js';
import '../../src/engine/keys.js';
import '../../src/engine/hashes.js';
import '../../src/engine/sets.js';
import '../../src/engine/zsets.js';
import '../../src/engine/lists.js';
import '../../src/engine/hll.js';
import '../../src/engine/bitmaps.js';
import { ReplyWriter } from '../../src/protocol/reply.js';
import { FRAME_TYPES, frameType } from '../../src/replication/frames.js';
import type { PubMessage } from '../../src/replication/frames.js';
import type { Conn, Continue, DialConn, Hello, Refusal, Timing } from '../../src/replication/protocol.js';
import { ReplicationNode } from '../../src/replication/replication-node.js';
import type { SourceSession } from '../../src/replication/source-session.js';
import type { SyncerLink } from '../../src/replication/syncer-link.js';
import { EventQueue } from './event-queue.js';
import { Rng } from './rng.js';

export interface WorldOptions {
  seed: number;
  instances: number;
  causal?: boolean;
  backlogBytes?: number;
  compressionLevel?: number;
  /** One-way delay range per frame, ms. */
  minDelay?: number;
  maxDelay?: number;
  /** Probability that a batch frame is delivered twice. */
  dupBatch?: number;
  /** Wall clocks differ by up to this much (HLC skew), ms. */
  maxSkew?: number;
  tickMs?: number;
  timing?: Partial<Timing>;
  /** Keep log lines (for failure reports). */
  keepLog?: number;
  /** Test of the test: instance 2 records remote increments as applied without applying them.
   * The checks must catch it. */
  sabotage?: boolean;
  /** Instances persist to disk and restart from it (test/sim/crash-restart.test.ts). */
  disk?: SimDisk;
}

/** Persistence of the instances: what a crash keeps, and loading it on restart. */
export interface SimDisk {
  /** Loads what instance `inst` persisted into its fresh database, before replication starts;
   * returns the clock of what is durable (ReplicationNode.durableClock). */
  load(inst: SimInstance): () => VectorClock;
  /** `inst` crashed: the clock of what its disk kept (it comes back on restart). */
  crash(inst: SimInstance): VectorClock;
}

/** One effect as it was originated, with the clock its instance had applied before it. */
export interface RecordedEffect {
  readonly e: Effect;
  readonly ctx: VectorClock;
  /** The command that produced it (the model needs SET's KEEPTTL). */
  readonly argv: readonly string[];
  /** Issued by an instance that crashed before any other instance applied it. */
  lost: boolean;
}

type Msg =
  | { readonly k: 'hello'; readonly h: Hello }
  | { readonly k: 'continue'; readonly c: Continue }
  | { readonly k: 'refused'; readonly r: Refusal }
  | { readonly k: 'frame'; readonly f: Buffer };

const TO_SRC = 0;
const TO_DEST = 1;
/** In-flight bytes one direction holds before its sender sees backpressure. */
const WINDOW = 16 * 1024;

class Wire {
  /** Set when cut by the network, or closed by a side (which then hears nothing more). */
  cut = false;
  readonly closedBy = [false, false];
  readonly lastArrival = [0, 0];
  readonly inFlight = [0, 0];
  session: SourceSession | null = null;
  readonly destConn: DialConn;
  readonly srcConn: Conn;

  constructor(
    readonly world: SimWorld,
    readonly id: number,
    readonly dest: SimInstance,
    readonly src: SimInstance,
    readonly link: SyncerLink,
  ) {
    const inFlight = this.inFlight;
    this.destConn = {
      hello: (h) => this.send(TO_SRC, { k: 'hello', h }),
      send: (f) => this.send(TO_SRC, { k: 'frame', f }),
      get backpressured() {
        return inFlight[TO_SRC]! > WINDOW;
      },
      close: (reason) => this.close(TO_DEST, reason),
    };
    this.srcConn = {
      send: (f) => this.send(TO_DEST, { k: 'frame', f }),
      get backpressured() {
        return inFlight[TO_DEST]! > WINDOW;
      },
      close: (reason) => this.close(TO_SRC, reason),
    };
  }

  get dead(): boolean {
    return this.cut || this.closedBy[0]! || this.closedBy[1]!;
  }

  send(dir: number, m: Msg): void {
    if (this.dead) return;
    const world = this.world;
    const q = world.queue;
    const size = m.k === 'frame' ? m.f.length : 64;
    const arrival = Math.max(this.lastArrival[dir]!, q.now + world.delay());
    this.lastArrival[dir] = arrival;
    this.inFlight[dir]! += size;
    q.at(arrival, () => this.deliver(dir, m, size));
    if (m.k === 'frame' && dir === TO_DEST && frameType(m.f) === FRAME_TYPES.batch && world.rng.chance(world.opts.dupBatch)) {
      world.counters.duplicated++;
      this.inFlight[dir]! += size;
      q.at(arrival, () => this.deliver(dir, m, size));
    }
  }

  private deliver(dir: number, m: Msg, size: number): void {
    const before = this.inFlight[dir]!;
    this.inFlight[dir] = before - size;
    if (this.dead) return;
    const to = dir === TO_SRC ? this.src : this.dest;
    if (!to.alive) return;
    const now = to.enter();
    if (dir === TO_SRC) {
      if (m.k === 'hello') {
        const res = to.node.acceptHello(m.h, this.srcConn, now);
        if (res.ok) {
          this.session = res.session;
          this.send(TO_DEST, { k: 'continue', c: res.reply });
        } else this.send(TO_DEST, { k: 'refused', r: res.refusal });
      } else if (m.k === 'frame') {
        this.session?.onFrame(m.f, now);
        to.node.afterInput(now);
      }
    } else {
      if (m.k === 'continue') this.link.onContinue(m.c, now);
      else if (m.k === 'refused') this.link.onRefused(m.r, now);
      else if (m.k === 'frame') this.link.onFrame(m.f, now);
      to.node.afterInput(now);
    }
    // The window opened: the sender may produce again.
    if (before > WINDOW && this.inFlight[dir]! <= WINDOW) (dir === TO_SRC ? this.dest : this.src).requestPump();
  }

  /** A side closed its end: the other side hears of it after a delay. */
  close(by: number, reason: string): void {
    if (this.closedBy[by] || this.cut) return;
    this.closedBy[by] = true;
    const other = by === TO_DEST ? TO_SRC : TO_DEST;
    if (this.closedBy[other]) return;
    this.world.queue.after(this.world.delay(), () => this.notify(other, `connection closed by peer: ${reason}`));
  }

  /** The network breaks the connection: both sides learn it (reset) or neither (silent). */
  sever(silent: boolean): void {
    if (this.cut) return;
    this.cut = true;
    if (silent) return;
    for (const side of [TO_SRC, TO_DEST]) {
      if (!this.closedBy[side]) this.world.queue.after(this.world.delay(), () => this.notify(side, 'connection reset'));
    }
  }

  private notify(side: number, reason: string): void {
    const inst = side === TO_SRC ? this.src : this.dest;
    if (!inst.alive || this.closedBy[side]) return;
    this.closedBy[side] = true;
    const now = inst.enter();
    if (side === TO_SRC) this.session?.onClosed(reason, now);
    else this.link.onClosed(reason, now);
  }
}

export class SimInstance {
  alive = true;
  /** Restarted and still syncing from its peers: takes no writes yet. */
  recovering = false;
  db!: Database;
  node!: ReplicationNode;
  /** Sequence high-water mark kept across a crash (what persistence would keep). */
  hwm = 0;
  /** List element counter floor kept across a crash (persistence keeps it with the sequence). */
  listHwm = 0;
  readonly skew: number;
  private pumpScheduled = false;
  incarnation = 0;
  /** Pub/sub messages peers published, as delivered here, with this instance's clock then. */
  readonly inbox: { m: PubMessage; clock: VectorClock }[] = [];

  constructor(
    readonly world: SimWorld,
    readonly id: number,
  ) {
    this.skew = world.rng.int(-world.opts.maxSkew, world.opts.maxSkew);
    this.boot();
  }

  /** Wall clock of this instance (simulated time plus its skew). */
  wall(): number {
    return this.world.queue.now + this.skew + 1_700_000_000_000;
  }

  /** Sets the database's time before the core or a command runs here; returns it. */
  enter(): number {
    const now = this.wall();
    this.db.now = now;
    return now;
  }

  boot(): void {
    const world = this.world;
    const rng = world.rng.fork();
    this.incarnation++;
    this.db = new Database({ instanceId: this.id, random: () => rng.float() });
    this.db.config.activeActive = true;
    this.db.listFloor = this.listHwm;
    this.db.now = this.wall();
    const durable = world.opts.disk?.load(this);
    this.node = new ReplicationNode(this.db, {
      guid: 'sim-guid',
      secret: 'sim-secret',
      backlogBytes: world.opts.backlogBytes,
      compressionLevel: world.opts.compressionLevel,
      causal: world.opts.causal,
      runId: `${this.id}.${this.incarnation}`,
      random: () => rng.float(),
      timing: world.timing,
      log: (level, msg) => world.logLine(`${this.id} ${level} ${msg}`),
      onWork: () => this.requestPump(),
      onMessage: (m) => this.inbox.push({ m, clock: this.db.clock.clone() }),
      rejoin: this.incarnation > 1,
    });
    const node = this.node;
    if (durable !== undefined) node.durableClock = durable;
    const db = this.db;
    watchEngineIssues(world, this);
    if (world.opts.sabotage && this.id === 2) sabotage(db);
    db.sink = {
      effect: (e) => {
        const ctx = db.clock.clone();
        ctx.set(this.id, e.seq - 1);
        world.recorded.push({ e, ctx, argv: world.currentArgv, lost: false });
        node.effect(e);
      },
      commit: () => node.commit(),
    };
    for (const other of world.instances) if (other !== this) node.addPeer(other.id, `sim${other.id}`, 7000 + other.id);
  }

  requestPump(): void {
    if (this.pumpScheduled || !this.alive) return;
    this.pumpScheduled = true;
    const inc = this.incarnation;
    this.world.queue.after(0, () => {
      this.pumpScheduled = false;
      if (!this.alive || inc !== this.incarnation) return;
      const now = this.enter();
      // Yield between pumps so commands and other deliveries interleave with a full sync.
      if (this.node.pump(now)) {
        this.pumpScheduled = true;
        this.world.queue.after(1, () => {
          this.pumpScheduled = false;
          this.requestPump();
        });
      }
    });
  }

  tick(): void {
    if (!this.alive) return;
    const now = this.enter();
    this.node.tick(now);
    for (const link of this.node.dialable(now)) this.world.dial(this, link, now);
    if (this.recovering) {
      if (this.node.caughtUp()) {
        this.node.restoreSeq(this.hwm);
        this.recovering = false;
        this.world.logLine(`${this.id} recovered at ${this.db.clock.toString()}`);
      }
    } else this.db.activeExpireCycle();
  }
}

export interface WorldCounters {
  duplicated: number;
  partitions: number;
  restarts: number;
  pauses: number;
  commands: number;
  unmodelled: number;
}

export class SimWorld {
  readonly queue = new EventQueue();
  readonly rng: Rng;
  readonly opts: Required<Omit<WorldOptions, 'timing' | 'disk'>> & Pick<WorldOptions, 'disk'>;
  readonly timing: Partial<Timing>;
  readonly instances: SimInstance[] = [];
  readonly recorded: RecordedEffect[] = [];
  readonly counters: WorldCounters = { duplicated: 0, partitions: 0, restarts: 0, pauses: 0, commands: 0, unmodelled: 0 };
  currentArgv: readonly string[] = [];
  /** Engine invariants the run broke (check id → first occurrence); any one fails the run. */
  readonly engineIssues = new Map<string, string>();
  private readonly wires = new Set<Wire>();
  private wireSeq = 0;
  /** Pairs "a-b" (a < b) that cannot talk. */
  private readonly blocked = new Set<string>();
  private readonly log: string[] = [];

  constructor(opts: WorldOptions) {
    this.opts = {
      seed: opts.seed,
      instances: opts.instances,
      causal: opts.causal ?? false,
      backlogBytes: opts.backlogBytes ?? 64 * 1024,
      compressionLevel: opts.compressionLevel ?? 0,
      minDelay: opts.minDelay ?? 1,
      maxDelay: opts.maxDelay ?? 20,
      dupBatch: opts.dupBatch ?? 0,
      maxSkew: opts.maxSkew ?? 0,
      tickMs: opts.tickMs ?? 25,
      keepLog: opts.keepLog ?? 300,
      sabotage: opts.sabotage ?? false,
      disk: opts.disk,
    };
    this.rng = new Rng(opts.seed);
    this.timing = {
      heartbeatMs: 100,
      linkTimeoutMs: 600,
      ackIntervalMs: 100,
      backoffBaseMs: 10,
      backoffMaxMs: 300,
      gcIntervalMs: 60,
      gcBudget: 50,
      batchBytes: 300,
      chunkRecords: 2,
      chunkBytes: 4096,
      framesPerPump: 2,
      // Joins of full syncs spread over many pumps, so commands and effects interleave with them.
      joinRecordsPerPump: 3,
      compressMinBytes: 64,
      ...opts.timing,
    };
    for (let i = 1; i <= opts.instances; i++) this.instances.push(new SimInstance(this, i));
    // Peers are added in boot(); the first instances booted before the others existed.
    for (const a of this.instances) for (const b of this.instances) if (a !== b) a.node.addPeer(b.id, `sim${b.id}`, 7000 + b.id);
    for (const inst of this.instances) this.scheduleTicks(inst);
  }

  delay(): number {
    return this.rng.int(this.opts.minDelay, this.opts.maxDelay);
  }

  logLine(s: string): void {
    if (this.opts.keepLog <= 0) return;
    this.log.push(`${String(this.queue.now).padStart(6)} ${s}`);
    if (this.log.length > this.opts.keepLog) this.log.shift();
  }

  recentLog(): string {
    return this.log.join('\n');
  }

  instance(id: number): SimInstance {
    return this.instances[id - 1]!;
  }

  private scheduleTicks(inst: SimInstance): void {
    const inc = inst.incarnation;
    const loop = (): void => {
      if (!inst.alive || inst.incarnation !== inc) return;
      inst.tick();
      this.queue.after(this.opts.tickMs, loop);
    };
    this.queue.after(this.rng.int(0, this.opts.tickMs), loop);
  }

  private pairKey(a: number, b: number): string {
    return a < b ? `${a}-${b}` : `${b}-${a}`;
  }

  canTalk(a: number, b: number): boolean {
    return !this.blocked.has(this.pairKey(a, b));
  }

  dial(from: SimInstance, link: SyncerLink, now: number): void {
    const to = this.instance(link.peerId);
    const w = new Wire(this, ++this.wireSeq, from, to, link);
    this.wires.add(w);
    link.open(w.destConn, now);
    if (!to.alive || !this.canTalk(from.id, to.id)) w.sever(this.rng.chance(0.3));
  }

  /** Runs a command at an instance (as a client would) and returns the reply as RESP text. */
  exec(id: number, argv: string[]): string {
    const inst = this.instance(id);
    if (!inst.alive) return '-ERR instance is down';
    inst.enter();
    const spec = lookupCommand(argv[0]!);
    if (spec === undefined || spec.handler === undefined || !arityOk(spec, argv.length)) throw new Error(`sim cannot run ${argv.join(' ')}`);
    const out = new ReplyWriter();
    const ctx: ExecContext = { db: inst.db, out, session: { id: 0 } };
    this.currentArgv = argv;
    this.counters.commands++;
    spec.handler(ctx, argv);
    inst.db.commit();
    this.currentArgv = [];
    const reply = out.take().toString('latin1');
    if (argv[0] === 'SET' && reply === '+OK\r\n') checkSetTtl(this, inst, argv);
    return reply;
  }

  /** Cuts every connection between the groups and refuses new ones until heal(). */
  partition(groups: number[][]): void {
    this.counters.partitions++;
    const groupOf = new Map<number, number>();
    groups.forEach((g, i) => g.forEach((id) => groupOf.set(id, i)));
    for (const a of this.instances) {
      for (const b of this.instances) {
        if (a.id < b.id && groupOf.get(a.id) !== groupOf.get(b.id)) this.blocked.add(this.pairKey(a.id, b.id));
      }
    }
    const silent = this.rng.chance(0.5);
    for (const w of this.wires) if (!this.canTalk(w.dest.id, w.src.id)) w.sever(silent);
    this.gcWires();
    this.logLine(`partition ${groups.map((g) => g.join(',')).join(' | ')}${silent ? ' (silent)' : ''}`);
  }

  /** Cuts only the connections between `a` and `b` (both directions) until heal(). */
  cut(a: number, b: number): void {
    this.blocked.add(this.pairKey(a, b));
    for (const w of this.wires) if (!this.canTalk(w.dest.id, w.src.id)) w.sever(false);
    this.gcWires();
    this.logLine(`cut ${a}-${b}`);
  }

  heal(): void {
    this.blocked.clear();
    this.logLine('heal');
  }

  /** Pauses replication between `id` and `peer` (or all its peers) as TANDEM.SYNC PAUSE does. */
  pause(id: number, peer: number | null): void {
    const inst = this.instance(id);
    if (!inst.alive) return;
    this.counters.pauses++;
    inst.node.pause(peer, inst.enter());
    this.logLine(`pause ${id}${peer === null ? '' : ` peer ${peer}`}`);
  }

  resume(id: number, peer: number | null): void {
    const inst = this.instance(id);
    if (!inst.alive) return;
    inst.node.resume(peer, inst.enter());
    this.logLine(`resume ${id}${peer === null ? '' : ` peer ${peer}`}`);
  }

  /** Kills an instance: its data, its connections and everything in flight are gone. */
  crash(id: number): void {
    const inst = this.instance(id);
    if (!inst.alive) return;
    this.counters.restarts++;
    inst.alive = false;
    inst.hwm = Math.max(inst.hwm, inst.db.lastSeq);
    inst.listHwm = Math.max(inst.listHwm, inst.db.listFloor);
    // What no surviving instance applied is lost with it (reference §1.7: replication is
    // asynchronous) — of any origin: an instance restarted empty may have held the only copy.
    const kept = new Map<number, number>();
    const durable = this.opts.disk?.crash(inst);
    for (const o of this.instances) {
      if (o === inst || !o.alive) continue;
      for (const [origin, seq] of o.db.clock) kept.set(origin, Math.max(kept.get(origin) ?? 0, seq));
      // A full sync received whole but still being decoded is held too: it is joined next.
      for (const peer of o.node.peers.values()) {
        for (const [origin, seq] of peer.link.heldSnapshotClock ?? []) kept.set(origin, Math.max(kept.get(origin) ?? 0, seq));
      }
    }
    for (const [origin, seq] of durable ?? []) kept.set(origin, Math.max(kept.get(origin) ?? 0, seq));
    for (const r of this.recorded) if (r.e.seq > (kept.get(r.e.origin) ?? 0)) r.lost = true;
    for (const w of this.wires) if (w.dest === inst || w.src === inst) w.sever(false);
    this.gcWires();
    this.logLine(`crash ${id} (survivors hold ${[...kept].map(([o, q]) => `${o}:${q}`).join(',') || 'nothing'}; high-water ${inst.hwm})`);
  }

  restart(id: number): void {
    const inst = this.instance(id);
    if (inst.alive) return;
    inst.alive = true;
    inst.recovering = true;
    inst.boot();
    this.scheduleTicks(inst);
    this.logLine(`restart ${id}`);
  }

  private gcWires(): void {
    for (const w of this.wires) if (w.dead) this.wires.delete(w);
  }

  /** Runs events up to virtual time `t`. */
  runUntil(t: number): void {
    while (this.queue.step(t)) {
      // Keep the set of wires small in long runs.
      if (this.wires.size > 200) this.gcWires();
    }
    this.queue.now = Math.max(this.queue.now, t);
  }

  /** True when every instance is up, synced from all peers, and all have applied the same effects. */
  quiescent(): boolean {
    const first = this.instances[0]!;
    for (const inst of this.instances) {
      if (!inst.alive || inst.recovering) return false;
      for (const p of inst.node.peers.values()) if (!p.link.streaming) return false;
      if (!inst.db.clock.equals(first.db.clock)) return false;
    }
    return true;
  }

  /**
   * Heals the network, restarts crashed instances, resumes paused links, and runs until the
   * world is quiescent; returns false if it does not get there within `maxMs` of virtual time.
   */
  settle(maxMs: number): boolean {
    this.heal();
    for (const inst of this.instances) if (!inst.alive) this.restart(inst.id);
    for (const inst of this.instances) this.resume(inst.id, null);
    const deadline = this.queue.now + maxMs;
    while (this.queue.now < deadline) {
      this.runUntil(this.queue.now + 25);
      if (this.quiescent()) return true;
    }
    return false;
  }
}

// ---- checks of engine invariants during the run -----------------------------------------------

/**
 * Whether the effect (origin, seq) is stable in fact — judged from the recorded history and the
 * clocks of the live instances, not from the replication's oracle: every live instance applied
 * it, its causal past, and every effect concurrent with it. (A restarted instance still
 * recovering gets the state by full sync, not effects, so it does not count.)
 */
function trulyStable(world: SimWorld, origin: number, seq: number): boolean {
  const alive = world.instances.filter((i) => i.alive && !i.recovering);
  const me = world.recorded.find((r) => r.e.origin === origin && r.e.seq === seq);
  if (me === undefined) return alive.every((i) => i.db.clock.covers(origin, seq));
  const applied = (o: number, q: number): boolean => alive.every((i) => i.db.clock.covers(o, q));
  if (!applied(origin, seq)) return false;
  // Its causal past, leaving out effects lost in a crash (no instance has them any more).
  for (const x of world.recorded) if (!x.lost && me.ctx.covers(x.e.origin, x.e.seq) && !applied(x.e.origin, x.e.seq)) return false;
  for (const x of world.recorded) {
    if (x.lost || x === me) continue;
    const concurrent = !x.ctx.covers(origin, seq) && !me.ctx.covers(x.e.origin, x.e.seq);
    if (concurrent && !applied(x.e.origin, x.e.seq)) return false;
  }
  return true;
}

/**
 * ENGINE-TOMB: a dead record dropped although its state still holds removal thresholds and no
 * tomb guards them. UNSOUND-GC: a dead record dropped while a removal, an expiry entry or an
 * expiry removal marker on it is not stable in fact (a late effect would then come out
 * differently here than where the record is still kept). Both fail the run.
 */
function watchEngineIssues(world: SimWorld, inst: SimInstance): void {
  const ks = inst.db.keyspace;
  const drop = ks.drop.bind(ks);
  ks.drop = (key: string): void => {
    const r = ks.get(key);
    if (r !== undefined && !dataVisible(r)) {
      const x = r.x;
      const guarded = (r.env?.tomb?.length ?? 0) > 0;
      if (!guarded && x !== null && (x.rmTs >= 0 || (x.rm !== null && x.rm.size > 0)) && !world.engineIssues.has('ENGINE-TOMB')) {
        world.engineIssues.set('ENGINE-TOMB', `t=${world.queue.now} instance ${inst.id} dropped dead key ${key} holding removal thresholds with no tomb`);
      }
      const exp = r.env?.exp ?? null;
      const dots = [
        ...(r.env?.tomb ?? []),
        ...(exp?.entries ?? []),
        ...(exp?.gone ?? []).map((g) => ({ origin: g.byOrigin, seq: g.bySeq })),
        ...(exp?.floors ?? []).map((f) => ({ origin: f.byOrigin, seq: f.bySeq })),
      ];
      const early = dots.find((d) => !trulyStable(world, d.origin, d.seq));
      if (early !== undefined && !world.engineIssues.has('UNSOUND-GC')) {
        world.engineIssues.set('UNSOUND-GC', `t=${world.queue.now} instance ${inst.id} dropped dead key ${key} while ${early.origin}:${early.seq} on it was not stable (clocks ${world.instances.map((i) => `${i.id}${i.alive ? (i.recovering ? '(recovering)' : '') : '(down)'}={${i.db.clock.toString()}}`).join(' ')})`);
      }
    }
    drop(key);
  };
}

/** After a successful SET: the key's TTL must be the one it asked for (or kept, or none). */
function checkSetTtl(world: SimWorld, inst: SimInstance, argv: readonly string[]): void {
  const opts = argv.slice(3).map((a) => a.toUpperCase());
  if (opts.includes('KEEPTTL')) return;
  const r = inst.db.keyspace.get(argv[1]!);
  if (r === undefined) return;
  const exp = effectiveExpiry(r.env?.exp ?? null);
  let want = Infinity;
  const i = opts.findIndex((o) => o === 'EX' || o === 'PX');
  if (i >= 0) want = inst.db.now + Number(argv[3 + i + 1]) * (opts[i] === 'EX' ? 1000 : 1);
  if (exp !== want && !world.engineIssues.has('SET-TTL')) world.engineIssues.set('SET-TTL', `t=${world.queue.now} instance ${inst.id}: ${argv.join(' ')} left the key expiring at ${exp}, not ${want}`);
}

/** Loses remote increments (strings, hash fields, scores) at `db` while claiming they were
 * applied (WorldOptions.sabotage). */
function sabotage(db: Database): void {
  const apply = db.applyRemote.bind(db);
  const increments = (e: Effect): boolean =>
    e.ops.some(
      (op) =>
        (op.k === 'str' && op.e.t === 'incr') ||
        (op.k === 'data' && op.type === 'hash' && (op.e as HashEffect).ops.some((x) => x.e.t === 'incr')) ||
        (op.k === 'data' && op.type === 'zset' && (op.e as ZSetEffect).ops.some((x) => x.e.t === 'incr')),
    );
  db.applyRemote = (e: Effect): boolean => {
    if (increments(e)) {
      db.clock.set(e.origin, e.seq);
      return true;
    }
    return apply(e);
  };
}
