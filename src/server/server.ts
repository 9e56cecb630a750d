/**
 * The TCP front end of a data node: accepts connections, parses pipelined requests, dispatches
 * them through the command table and writes every reply of one read event with one socket
 * write (DESIGN §8). Owns the timers Redis runs in serverCron: active expiry, memory sampling,
 * idle-client timeout and output-buffer limits.
 */
import net from 'node:net';
import type { Server, Socket } from 'node:net';
import { Database } from '../engine/database.js';
import type { CommandSpec, ExecContext } from '../engine/command-table.js';
import { arityOk, findSubcommand, lookupCommand } from '../engine/command-table.js';
import { Errors } from '../engine/reply.js';
import '../engine/strings.js';
import '../engine/keys.js';
import '../engine/bitmaps.js';
import '../engine/hashes.js';
import '../engine/sets.js';
import '../engine/zsets.js';
import '../engine/geo.js';
import '../engine/lists.js';
import '../engine/hll.js';
import './connection-commands.js';
import './server-commands.js';
import { Client } from './client.js';
import { Config } from './config.js';
import type { ClientClass, OutputBufferLimit } from './config.js';
import type { Logger } from './log.js';
import type { InfoProvider } from './info.js';
import { coreSections } from './info.js';
// >>> pub/sub and transactions (their modules also register their commands)
import { PubSubHub } from './pubsub.js';
import { WatchedKeys, admitCommand, refusal, resetClientState } from './transactions.js';
// <<< pub/sub and transactions
// >>> blocking list commands (blocking.ts also registers BLPOP …)
import { Blocking, KeyListeners } from './blocking.js';
// <<< blocking

// >>> persistence (src/persistence)
/**
 * Holds replies until the log records they depend on are durable (appendfsync always: group
 * commit), and refuses writes while the data cannot be persisted.
 */
export interface DurabilityGate {
  /** A position that grows with every record appended to the log. */
  position(): number;
  /** Log position `c`'s buffered replies must wait for, or 0 when they may go now. */
  holdFor(c: Client): number;
  /** The client's command appended records up to `pos`. */
  noteWrite(c: Client, pos: number): void;
  /** Why writes are refused now (a full error reply), or null. */
  writeRefusal(): string | null;
}
// <<< persistence

export interface ServerStats {
  startedAt: number;
  totalConnections: number;
  rejectedConnections: number;
  totalCommands: number;
  netInputBytes: number;
  netOutputBytes: number;
  calls: Map<string, { calls: number; usec: number; failed: number }>;
  usedMemory: number;
  peakMemory: number;
  rss: number;
  errorReplies: number;
}

export class TandemServer {
  readonly db: Database;
  readonly clients = new Map<number, Client>();
  readonly stats: ServerStats;
  private server: Server | null = null;
  private nextClientId = 1;
  private timers: NodeJS.Timeout[] = [];
  private shuttingDown = false;
  /** Called when a client asks the server to stop (SHUTDOWN). */
  onShutdownRequest: (() => void) | null = null;
  readonly runId: string;
  /** INFO sections by name; other layers (replication, persistence) add theirs. */
  readonly infoSections: Map<string, InfoProvider>;
  configFile = '';
  // >>> pub/sub and transactions
  /** Subscriptions of every client; replication forwards messages through its seam (pubsub.ts). */
  readonly pubsub = new PubSubHub<Client>((c) => this.flushClient(c));
  /** Keys WATCHed by every client (transactions.ts). */
  readonly watches = new WatchedKeys(() => this.db, () => this.keyListeners);
  /** Error replies already counted while a command runs (Redis's prev_err_count): the
   *  commands EXEC runs count their own, so EXEC does not count them again. */
  private errorsCounted = 0;
  // <<< pub/sub and transactions
  // >>> replication (src/replication): TANDEM.SYNC WAIT replies later, so its client's next
  // commands wait their turn; TANDEM.DEBUG moves the wall clock writes are stamped with
  // (enable-debug-command), to reproduce skewed and equal timestamps (reference TV-STR-02/03).
  private readonly blocked = new Map<Client, string[][]>();
  clockOffsetMs = 0;
  clockFrozenAt: number | null = null;
  // <<< replication
  // >>> blocking: the listeners of db.keyChanged (WATCH, blocked clients), and clients blocked
  // on list keys (blocking.ts)
  readonly keyListeners = new KeyListeners(() => this.db);
  readonly blocking = new Blocking(this);
  // <<< blocking
  // >>> persistence: replies waiting for the log to be durable, per client, in order
  gate: DurabilityGate | null = null;
  private readonly held = new Map<Client, { buf: Buffer; pos: number }[]>();
  // <<< persistence

  constructor(
    readonly config: Config,
    readonly log: Logger,
  ) {
    this.db = new Database({ instanceId: config.int('instance-id'), epoch: Date.now() });
    this.db.config.activeActive = config.get('crdb-guid') !== '';
    this.db.now = this.wallClock();
    this.stats = {
      startedAt: Date.now(),
      totalConnections: 0,
      rejectedConnections: 0,
      totalCommands: 0,
      netInputBytes: 0,
      netOutputBytes: 0,
      calls: new Map(),
      usedMemory: 0,
      peakMemory: 0,
      rss: 0,
      errorReplies: 0,
    };
    this.runId = Array.from({ length: 40 }, () => '0123456789abcdef'[Math.floor(Math.random() * 16)]).join('');
    this.infoSections = coreSections(this);
    this.applyConfig();
    config.onChange(() => this.applyConfig());
  }

  /** Parsed forms of parameters read on every command or flush (kept current by applyConfig). */
  private limits = new Map<ClientClass, OutputBufferLimit>();
  maxmemory = 0;

  private applyConfig(): void {
    this.limits = this.config.outputBufferLimits();
    this.maxmemory = this.config.int('maxmemory');
    this.db.config.protoMaxBulkLen = this.config.int('proto-max-bulk-len');
    this.db.config.lfu = this.config.get('maxmemory-policy').endsWith('lfu');
  }

  get port(): number {
    const a = this.server?.address();
    return typeof a === 'object' && a !== null ? a.port : 0;
  }

  async listen(): Promise<void> {
    const server = net.createServer({ noDelay: true }, (s) => this.accept(s));
    this.server = server;
    const binds = this.config.get('bind').split(/\s+/).filter(Boolean);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.config.int('port'), binds[0] === '*' ? undefined : binds[0], () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.sampleMemory();
    const hz = this.config.int('hz');
    this.timers.push(setInterval(() => this.cron(), Math.max(2, Math.floor(1000 / hz))));
    this.timers.push(setInterval(() => this.sampleMemory(), 100));
    this.timers.push(setInterval(() => this.clientsCron(), 1000));
    for (const t of this.timers) t.unref();
  }

  private accept(socket: Socket): void {
    if (this.shuttingDown) {
      socket.destroy();
      return;
    }
    const now = Date.now();
    const maxClients = this.config.int('maxclients');
    if (this.clients.size >= maxClients) {
      this.stats.rejectedConnections++;
      socket.end('-ERR max number of clients reached\r\n');
      return;
    }
    const keepalive = this.config.int('tcp-keepalive');
    if (keepalive > 0) socket.setKeepAlive(true, keepalive * 1000);
    const c = new Client(this.nextClientId++, socket, now, this.config.get('requirepass') !== '', this.config.int('proto-max-bulk-len'));
    c.server = this;
    this.clients.set(c.id, c);
    this.stats.totalConnections++;
    const onCommand = (argv: string[]) => this.execute(c, argv);
    socket.on('data', (chunk: Buffer) => this.onData(c, chunk, onCommand));
    socket.on('drain', () => {
      if (!c.closed) socket.resume();
    });
    socket.on('error', () => this.dropClient(c));
    socket.on('close', () => this.dropClient(c));
  }

  private onData(c: Client, chunk: Buffer, onCommand: (argv: string[]) => void): void {
    if (c.closed || c.closeAfterReply) return;
    const now = Date.now();
    this.db.now = this.wallClock();
    c.lastInteraction = now;
    this.stats.netInputBytes += chunk.length;
    const err = c.parser.feed(chunk, onCommand);
    if (err !== null && !c.closeAfterReply) {
      c.out.error(`ERR ${err.message}`);
      this.stats.errorReplies++;
      c.closeAfterReply = true;
    }
    this.flushClient(c);
  }

  /** Writes what the client has buffered: one socket write per read event. */
  flushClient(c: Client): void {
    if (c.closed) return;
    // >>> persistence: replies that depend on records not yet durable wait for releaseHeld
    if (this.gate !== null && (c.out.length > 0 || this.held.has(c))) {
      const pos = c.out.length > 0 ? this.gate.holdFor(c) : 0;
      const queue = this.held.get(c);
      if (pos > 0 || queue !== undefined) {
        if (c.out.length > 0) {
          const chunk = { buf: c.out.take(), pos };
          if (queue === undefined) this.held.set(c, [chunk]);
          else queue.push(chunk);
        }
        return;
      }
    }
    // <<< persistence
    if (c.out.length > 0 && !this.send(c, c.out.take())) return;
    if (c.closeAfterReply) {
      c.closed = true;
      c.socket.end();
      this.clients.delete(c.id);
    }
  }

  /** Writes `buf` to the client's socket; false when that closed the client (output limits). */
  private send(c: Client, buf: Buffer): boolean {
    this.stats.netOutputBytes += buf.length;
    const ok = c.socket.write(buf);
    if (!ok) c.socket.pause();
    if (this.overOutputLimit(c)) {
      this.log.warn(`Client id=${c.id} addr=${c.addr} closed for overcoming of output buffer limits.`);
      this.closeClient(c);
      return false;
    }
    return true;
  }

  // >>> persistence
  /**
   * The log is durable up to `durable`: sends the held replies that waited for it. With `cap`,
   * a reply waits at most for the position `cap(client)` (writing failed: only a client's own
   * writes still hold its replies).
   */
  releaseHeld(durable: number, cap?: (c: Client) => number): void {
    for (const [c, queue] of this.held) {
      if (c.closed) {
        this.held.delete(c);
        continue;
      }
      let n = 0;
      const limit = cap === undefined ? Infinity : cap(c);
      while (n < queue.length && Math.min(queue[n]!.pos, limit) <= durable) n++;
      if (n === 0) continue;
      const bufs = queue.splice(0, n).map((q) => q.buf);
      if (queue.length === 0) this.held.delete(c);
      if (!this.send(c, bufs.length === 1 ? bufs[0]! : Buffer.concat(bufs))) continue;
      if (queue.length === 0) this.flushClient(c);
    }
  }
  // <<< persistence

  private overOutputLimit(c: Client): boolean {
    const limit = this.limits.get(c.subs !== null ? 'pubsub' : 'normal')!; // pub/sub: subscribers have their own class
    const used = c.socket.writableLength;
    if (limit.hard > 0 && used >= limit.hard) return true;
    if (limit.soft > 0 && used >= limit.soft) {
      if (c.softLimitSince === 0) c.softLimitSince = Date.now();
      else if (Date.now() - c.softLimitSince >= limit.softSeconds * 1000) return true;
    } else c.softLimitSince = 0;
    return false;
  }

  closeClient(c: Client): void {
    c.closed = true;
    resetClientState(c); // pub/sub and transactions: a gone client keeps no subscriptions or watched keys
    this.blocking.removeClient(c); // blocking: and waits for no key
    c.socket.destroy();
    this.clients.delete(c.id);
  }

  private dropClient(c: Client): void {
    c.closed = true;
    resetClientState(c); // pub/sub and transactions: as in closeClient
    this.blocking.removeClient(c); // blocking: as in closeClient
    this.clients.delete(c.id);
  }

  /** processCommand: lookup, arity, auth, memory, then the handler. */
  execute(c: Client, argv: string[]): void {
    if (c.closeAfterReply) return;
    // >>> replication: a blocked client's commands run after its blocking command replied
    if (this.blocked.size !== 0 && this.blocked.has(c)) {
      this.blocked.get(c)!.push(argv);
      return;
    }
    // <<< replication
    const name = argv[0]!;
    let spec: CommandSpec | undefined = lookupCommand(name);
    if (spec === undefined) {
      // Redis formats these with %s: each string stops at its first NUL byte.
      const cstr = (s: string, max: number) => {
        const z = s.indexOf('\0');
        return (z < 0 ? s : s.slice(0, z)).slice(0, max);
      };
      let args = '';
      for (let i = 1; i < argv.length && args.length < 128; i++) args += `'${cstr(argv[i]!, 128 - args.length)}' `;
      this.reject(c, `ERR unknown command '${cstr(name, 128)}', with args beginning with: ${args}`);
      return;
    }
    if (spec.subcommands !== undefined && argv.length >= 2) {
      const sub = findSubcommand(spec, argv[1]!);
      if (sub === undefined) {
        const z = argv[1]!.indexOf('\0');
        const sub = (z < 0 ? argv[1]! : argv[1]!.slice(0, z)).slice(0, 128);
        this.reject(c, `ERR unknown subcommand '${sub}'. Try ${spec.name.toUpperCase()} HELP.`);
        return;
      }
      spec = sub;
    }
    if (!arityOk(spec, argv.length) || spec.handler === undefined) {
      this.reject(c, Errors.arity(spec.name), spec);
      return;
    }
    if (!c.authenticated && !spec.flags.includes('no_auth')) {
      this.reject(c, Errors.noAuth, spec);
      return;
    }
    // >>> transactions and pub/sub: no_multi, OOM inside MULTI, the RESP2 subscriber context, queuing
    if ((c.tx !== null || c.subs !== null) && admitCommand(c, spec, argv)) return;
    // <<< transactions and pub/sub
    // >>> persistence: writes are refused while they cannot be persisted (Redis's MISCONF)
    if (this.gate !== null && (spec.flags.includes('write') || (spec.name === 'exec' && c.tx?.queue?.some((q) => q.spec.flags.includes('write')) === true))) {
      const why = this.gate.writeRefusal();
      if (why !== null) {
        this.reject(c, why, spec);
        return;
      }
    }
    const posBefore = this.gate === null ? 0 : this.gate.position();
    // <<< persistence
    if (spec.flags.includes('denyoom') && this.overMaxmemory()) {
      this.reject(c, Errors.oom, spec);
      return;
    }
    // >>> blocking: EXEC runs its queue with blocking denied (Redis's CLIENT_DENY_BLOCKING); the
    // clients waiting on keys this command filled are served right after it
    this.blocking.denyBlocking = spec.name === 'exec';
    this.call(c, spec, argv);
    this.blocking.denyBlocking = false;
    this.db.commit();
    if (this.blocking.readyKeys !== 0) this.blocking.serveReady();
    // <<< blocking
    if (this.gate !== null && this.gate.position() !== posBefore) this.gate.noteWrite(c, this.gate.position()); // persistence
  }

  /**
   * Redis's call(): runs one command's handler and counts it. It does not commit: execute()
   * commits after each command, and EXEC runs its whole queue through here before execute()
   * commits once, so a transaction replicates as one atomic unit.
   */
  call(c: Client, spec: CommandSpec, argv: string[]): void {
    const out = c.out;
    c.lastCommand = spec.name;
    // One context object per client, not per command (DESIGN §8: no allocation per command).
    const ctx: ExecContext = (c.ctx ??= { db: this.db, out, session: c });
    const stat = this.callStat(spec.name);
    this.errorsCounted = out.errorCount;
    spec.handler!(ctx, argv);
    this.stats.totalCommands++;
    stat.calls++;
    if (out.errorCount !== this.errorsCounted) {
      stat.failed++;
      this.stats.errorReplies++;
    }
    this.errorsCounted = out.errorCount;
  }

  private reject(c: Client, message: string, spec?: CommandSpec): void {
    message = refusal(c, spec, message); // transactions: dooms a MULTI; a refused EXEC aborts it
    c.out.error(message);
    this.stats.errorReplies++;
  }

  private callStat(name: string): { calls: number; usec: number; failed: number } {
    let s = this.stats.calls.get(name);
    if (s === undefined) {
      s = { calls: 0, usec: 0, failed: 0 };
      this.stats.calls.set(name, s);
    }
    return s;
  }

  private cron(): void {
    this.db.now = this.wallClock();
    this.db.activeExpireCycle();
  }

  /**
   * Memory the maxmemory limit does not count, as Redis leaves out replication buffers and the
   * AOF buffer (freeMemoryGetNotCountedMemory): replication and persistence register theirs.
   */
  readonly notCountedMemory: (() => number)[] = [];

  /** Redis's maxmemory test: used memory, less what is not counted, above the limit. */
  overMaxmemory(): boolean {
    const max = this.maxmemory;
    if (max <= 0) return false;
    let used = this.stats.usedMemory;
    for (const f of this.notCountedMemory) used -= f();
    return used > max;
  }

  private sampleMemory(): void {
    const m = process.memoryUsage();
    this.stats.usedMemory = m.heapUsed + m.external;
    this.stats.rss = m.rss;
    if (this.stats.usedMemory > this.stats.peakMemory) this.stats.peakMemory = this.stats.usedMemory;
  }

  private clientsCron(): void {
    const timeout = this.config.int('timeout') * 1000;
    const now = Date.now();
    for (const c of this.clients.values()) {
      // blocking: a client waiting in BLPOP … is not idle (Redis exempts CLIENT_BLOCKED)
      if (timeout > 0 && now - c.lastInteraction > timeout && !this.blocking.isBlocked(c)) {
        this.log.debug(`Closing idle client id=${c.id}`);
        this.closeClient(c);
      } else if (c.softLimitSince !== 0 && this.overOutputLimit(c)) {
        this.closeClient(c);
      }
    }
  }

  // >>> replication
  /** The wall clock of this instance (Unix ms): Date.now() unless TANDEM.DEBUG moved it. */
  wallClock(): number {
    return this.clockFrozenAt ?? Date.now() + this.clockOffsetMs;
  }

  /** The current command of `c` will reply later: hold its next commands until unblock(c). */
  block(c: Client): void {
    this.blocked.set(c, []);
  }

  /** The blocking command has written its reply: run what `c` sent meanwhile, then flush. */
  unblock(c: Client): void {
    const queued = this.blocked.get(c);
    if (queued === undefined) return;
    this.blocked.delete(c);
    if (c.closed) return;
    this.db.now = this.wallClock();
    for (let i = 0; i < queued.length; i++) {
      if (this.blocked.has(c)) {
        this.blocked.get(c)!.push(...queued.slice(i));
        break;
      }
      this.execute(c, queued[i]!);
    }
    this.flushClient(c);
  }
  // <<< replication

  /** Stops accepting, closes every client, stops the timers. */
  async close(): Promise<void> {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    for (const c of this.clients.values()) {
      c.closed = true;
      c.socket.destroy();
    }
    this.clients.clear();
    const s = this.server;
    if (s !== null) await new Promise<void>((resolve) => s.close(() => resolve()));
  }
}

declare module './client.js' {
  interface Client {
    server: TandemServer;
  }
}
