/**
 * Blocking list commands (blocked.c and the B* commands of t_list.c in Redis 7.0): BLPOP, BRPOP,
 * BLMPOP, BLMOVE and BRPOPLPUSH, and the machinery that parks a client until one of its keys
 * holds a list.
 *
 * How Redis does it, and so how this does:
 * - A command that finds no list blocks its client on its keys (each key once), with a deadline
 *   (float seconds; 0 = forever). Waiters of one key are served first come, first served.
 * - A key that comes to hold a list is "ready". After the command that made it ready (after the
 *   whole EXEC), ready keys are served in the order they became ready; each waiting client gets
 *   its element(s) and its reply, and a BLMOVE's push may make one more key ready. A key that is
 *   empty again by then serves nobody.
 * - Pushes from other instances count too (reference §2.6 gap, "presumably yes"): a remote effect
 *   fires Database.keyChanged like a local one, and the keys it readied are served in a microtask
 *   right after the replication batch that applied it.
 * - A blocked client runs none of the commands it sends meanwhile: TandemServer.block holds them
 *   and TandemServer.unblock runs them, in order, until one blocks again (Redis leaves them in the
 *   query buffer). They run after the current event, as Redis runs unblocked clients' input in
 *   beforeSleep: the command that woke a client finishes its own pipeline first.
 * - A timeout answers the null array (`*-1`, RESP3 `_`) for every one of these commands; inside
 *   MULTI/EXEC nothing blocks, and the command answers at once as if it had timed out (BLMOVE and
 *   BRPOPLPUSH with the null bulk there, as Redis does). A client that disconnects stops waiting.
 *
 * Database.keyChanged has a single slot, which WATCH uses too: KeyListeners (below) fans it out.
 */
import type { ListState } from '../crdt/sequence.js';
import { dataVisible } from '../crdt/key.js';
import * as D from '../crdt/dyadic.js';
import type { CommandSpec, ExecContext } from '../engine/command-table.js';
import { cmd, defineCommands } from '../engine/command-table.js';
import type { Database } from '../engine/database.js';
import { firstList, listOf, moveElement, parseMpop, popOneWithKey, popRangeWithKey, whereArg } from '../engine/lists.js';
import { parseLongDouble, roundToLongDouble } from '../engine/numbers.js';
import type { Reply } from '../engine/reply.js';
import type { Client } from './client.js';
import type { TandemServer } from './server.js';

// ---- key-change listeners ----------------------------------------------------------------------

export type KeyListener = (key: string) => void;

/**
 * The listeners of Database.keyChanged (WATCH, blocked clients). The database's slot stays null
 * while nobody listens and holds the listener itself while there is one, so a write pays one
 * comparison in the common case and one call in the next. The list is copied on change, so a
 * listener may remove itself while being called.
 */
export class KeyListeners {
  private fns: readonly KeyListener[] = [];

  /** `db` is read lazily: the server creates this before its database. */
  constructor(private readonly db: () => Database) {}

  add(fn: KeyListener): void {
    if (this.fns.includes(fn)) return;
    this.fns = [...this.fns, fn];
    this.install();
  }

  remove(fn: KeyListener): void {
    if (!this.fns.includes(fn)) return;
    this.fns = this.fns.filter((f) => f !== fn);
    this.install();
  }

  private install(): void {
    const fns = this.fns;
    this.db().keyChanged = fns.length === 0 ? null : fns.length === 1 ? fns[0]! : (key) => {
      for (const f of fns) f(key);
    };
  }
}

// ---- timeouts ----------------------------------------------------------------------------------

const LLONG_MIN = -(2n ** 63n);
const LLONG_MAX = 2n ** 63n - 1n;
/** setTimeout's longest delay; longer waits re-arm. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * `(long long)(seconds * 1000.0)` as Redis computes it on x86-64: a long double product, truncated
 * toward zero; infinities and results beyond the int64 range convert to LLONG_MIN.
 */
function timeoutMillis(seconds: D.Dyadic | 'inf' | '-inf'): bigint {
  if (typeof seconds === 'string') return LLONG_MIN;
  const p = roundToLongDouble(D.normalize(seconds.m * 1000n, seconds.e));
  if (typeof p === 'string') return LLONG_MIN;
  const t = p.e >= 0 ? p.m << BigInt(p.e) : p.m / (1n << BigInt(-p.e));
  return t < LLONG_MIN || t > LLONG_MAX ? LLONG_MIN : t;
}

/**
 * getTimeoutFromObjectOrReply (seconds): the deadline in Unix ms, 0 for "forever", or null after
 * replying the error. A deadline past LLONG_MAX wraps negative in C and is then read unsigned by
 * the timeout table, so it never fires: forever too.
 */
export function parseTimeout(arg: string, now: number, out: Reply): number | null {
  const seconds = parseLongDouble(arg);
  if (seconds === null) {
    out.error('ERR timeout is not a float or out of range');
    return null;
  }
  const ms = timeoutMillis(seconds);
  if (ms < 0n) {
    out.error('ERR timeout is negative');
    return null;
  }
  if (ms === 0n) return 0;
  const at = ms + BigInt(now);
  return at > LLONG_MAX ? 0 : Number(at);
}

// ---- blocked clients ---------------------------------------------------------------------------

/** What a woken client does with the key that woke it. */
export type BlockedOp =
  /** BLPOP/BRPOP (count -1: reply [key, element]) and BLMPOP (reply [key, [elements]]). */
  | { readonly kind: 'pop'; readonly tail: boolean; readonly count: number }
  /** BLMOVE and BRPOPLPUSH. */
  | { readonly kind: 'move'; readonly dst: string; readonly fromTail: boolean; readonly toTail: boolean };

interface Waiter {
  readonly client: Client;
  readonly keys: readonly string[];
  readonly op: BlockedOp;
  /** When the timeout fires, by the real clock (Date.now()); 0 = never. */
  readonly wakeAt: number;
  timer: NodeJS.Timeout | null;
}

export class Blocking {
  /** Waiters of each key, in the order they blocked. */
  private readonly byKey = new Map<string, Waiter[]>();
  private readonly byClient = new Map<Client, Waiter>();
  /** Keys that came to hold a list while someone waits on them, in that order. */
  private readonly ready = new Set<string>();
  /** Clients answered since the last catch-up, whose held commands are due. */
  private readonly toCatchUp = new Set<Client>();
  private serveScheduled = false;
  private catchUpScheduled = false;
  /**
   * True while EXEC runs its queue (Redis's CLIENT_DENY_BLOCKING): a blocking command then answers
   * at once. The server sets it around the command it executes.
   */
  denyBlocking = false;

  constructor(private readonly server: TandemServer) {}

  /** Blocked clients (INFO blocked_clients). */
  get blockedClients(): number {
    return this.byClient.size;
  }

  /** Non-zero when served clients are due: execute() tests this before serveReady(). */
  get readyKeys(): number {
    return this.ready.size;
  }

  isBlocked(c: Client): boolean {
    return this.byClient.has(c);
  }

  /**
   * Parks `c` on `keys` until one holds a list (served with `op`) or `deadline` (Unix ms by the
   * database's clock, 0 = never) passes. The wait is timed by the real clock: TANDEM.DEBUG may
   * move the database's.
   */
  block(c: Client, keys: readonly string[], op: BlockedOp, deadline: number): void {
    const wakeAt = deadline === 0 ? 0 : Date.now() + Math.max(0, deadline - this.server.db.now);
    const w: Waiter = { client: c, keys: [...new Set(keys)], op, wakeAt, timer: null };
    this.byClient.set(c, w);
    this.server.block(c);
    for (const k of w.keys) {
      const list = this.byKey.get(k);
      if (list === undefined) this.byKey.set(k, [w]);
      else list.push(w);
    }
    // Listening only while someone waits keeps writes free of this otherwise.
    if (this.byClient.size === 1) this.server.keyListeners.add(this.onKeyChanged);
    if (wakeAt !== 0) this.arm(w);
  }

  /** A closing connection: it stops waiting and its held commands are dropped. */
  removeClient(c: Client): void {
    const w = this.byClient.get(c);
    if (w !== undefined) this.unblock(w);
    this.toCatchUp.delete(c);
    this.server.unblock(c); // c is closed: this only forgets what it held
  }

  /** handleClientsBlockedOnKeys: serves the waiters of every ready key, newly ready ones too. */
  serveReady(): void {
    const db = this.server.db;
    for (let key = first(this.ready); key !== undefined; key = first(this.ready)) {
      // Removed before serving, so a BLMOVE into this same key can make it ready again.
      this.ready.delete(key);
      this.serveKey(db, key);
    }
  }

  private serveKey(db: Database, key: string): void {
    const waiters = this.byKey.get(key);
    if (waiters === undefined) return;
    for (const w of [...waiters]) {
      if (this.byClient.get(w.client) !== w) continue;
      const r = db.peek(key);
      if (r === undefined || r.type !== 'list') return;
      this.serve(db, w, key, r.d as ListState);
    }
  }

  /** serveClientBlockedOnList: the woken command's work and reply, as its own atomic unit. */
  private serve(db: Database, w: Waiter, key: string, s: ListState): void {
    const out = w.client.out;
    const op = w.op;
    // A BLMOVE whose destination holds another type gets WRONGTYPE and is unblocked all the same.
    if (op.kind === 'move') moveElement(db, key, s, op.dst, op.fromTail, op.toTail, out);
    else if (op.count === -1) popOneWithKey(db, key, s, op.tail, out);
    else popRangeWithKey(db, key, s, op.tail, op.count, out);
    db.commit();
    this.unblock(w);
    this.server.flushClient(w.client);
  }

  private unblock(w: Waiter): void {
    this.byClient.delete(w.client);
    for (const k of w.keys) {
      const list = this.byKey.get(k)!;
      list.splice(list.indexOf(w), 1);
      if (list.length === 0) this.byKey.delete(k);
    }
    if (w.timer !== null) clearTimeout(w.timer);
    w.timer = null;
    if (this.byClient.size === 0) this.server.keyListeners.remove(this.onKeyChanged);
    this.scheduleCatchUp(w.client);
  }

  private arm(w: Waiter): void {
    const wait = Math.min(Math.max(0, w.wakeAt - Date.now()), MAX_TIMER_MS);
    w.timer = setTimeout(() => this.onTimer(w), wait);
    w.timer.unref();
  }

  private onTimer(w: Waiter): void {
    w.timer = null;
    if (this.byClient.get(w.client) !== w) return;
    if (Date.now() < w.wakeAt) {
      this.arm(w);
      return;
    }
    w.client.out.nullArray();
    this.unblock(w);
    this.server.flushClient(w.client);
  }

  /** Database.keyChanged while someone waits: notes keys that now hold a list. */
  private readonly onKeyChanged = (key: string): void => {
    if (!this.byKey.has(key) || this.ready.has(key)) return;
    const r = this.server.db.keyspace.get(key);
    // Redis signals a key as it becomes a list; any other change serves nobody.
    if (r === undefined || r.type !== 'list' || !dataVisible(r)) return;
    this.ready.add(key);
    // A local command's keys are served right after it (execute); this catches remote effects.
    if (!this.serveScheduled) {
      this.serveScheduled = true;
      queueMicrotask(this.serveLater);
    }
  };

  private readonly serveLater = (): void => {
    this.serveScheduled = false;
    if (this.ready.size === 0) return;
    this.server.db.now = this.server.wallClock();
    this.serveReady();
  };

  /** The held commands of an answered client run after the current event (see the header). */
  private scheduleCatchUp(c: Client): void {
    this.toCatchUp.add(c);
    if (this.catchUpScheduled) return;
    this.catchUpScheduled = true;
    queueMicrotask(this.catchUpAll);
  }

  private readonly catchUpAll = (): void => {
    this.catchUpScheduled = false;
    const clients = [...this.toCatchUp];
    this.toCatchUp.clear();
    for (const c of clients) this.server.unblock(c);
  };
}

function first(s: ReadonlySet<string>): string | undefined {
  for (const k of s) return k;
  return undefined;
}

// ---- commands ----------------------------------------------------------------------------------

function client(ctx: ExecContext): Client {
  return ctx.session as Client;
}

/** Blocks the client, or (inside EXEC) answers as a timeout would, with `nullReply`. */
function blockOrAnswer(ctx: ExecContext, keys: readonly string[], op: BlockedOp, deadline: number, nullReply: (out: Reply) => void): void {
  const c = client(ctx);
  const blocking = c.server.blocking;
  if (blocking.denyBlocking) nullReply(ctx.out);
  else blocking.block(c, keys, op, deadline);
}

const nullArray = (out: Reply): void => out.nullArray();
const nullBulk = (out: Reply): void => out.nullBulk();

/** BLPOP/BRPOP key [key …] timeout. */
function blockingPop(ctx: ExecContext, argv: string[], tail: boolean): void {
  const { db, out } = ctx;
  const deadline = parseTimeout(argv[argv.length - 1]!, db.now, out);
  if (deadline === null) return;
  const keys = argv.slice(1, -1);
  const found = firstList(db, keys, out);
  if (found === null) return;
  if (found !== undefined) popOneWithKey(db, found.key, found.s, tail, out);
  else blockOrAnswer(ctx, keys, { kind: 'pop', tail, count: -1 }, deadline, nullArray);
}

/** BLMPOP timeout numkeys key [key …] LEFT|RIGHT [COUNT count]: arguments first, timeout last. */
function blmpopCommand(ctx: ExecContext, argv: string[]): void {
  const { db, out } = ctx;
  const a = parseMpop(argv, 2, out);
  if (a === null) return;
  const deadline = parseTimeout(argv[1]!, db.now, out);
  if (deadline === null) return;
  const found = firstList(db, a.keys, out);
  if (found === null) return;
  if (found !== undefined) popRangeWithKey(db, found.key, found.s, a.tail, a.count, out);
  else blockOrAnswer(ctx, a.keys, { kind: 'pop', tail: a.tail, count: a.count }, deadline, nullArray);
}

/** blmoveGenericCommand: only the source can block the client. */
function blmoveGeneric(ctx: ExecContext, src: string, dst: string, fromTail: boolean, toTail: boolean, deadline: number): void {
  const { db, out } = ctx;
  const s = listOf(db.lookupWrite(src), out);
  if (s === null) return;
  if (s !== undefined) moveElement(db, src, s, dst, fromTail, toTail, out);
  else blockOrAnswer(ctx, [src], { kind: 'move', dst, fromTail, toTail }, deadline, nullBulk);
}

function blmoveCommand(ctx: ExecContext, argv: string[]): void {
  const from = whereArg(argv[3]!, ctx.out);
  if (from === null) return;
  const to = whereArg(argv[4]!, ctx.out);
  if (to === null) return;
  const deadline = parseTimeout(argv[5]!, ctx.db.now, ctx.out);
  if (deadline !== null) blmoveGeneric(ctx, argv[1]!, argv[2]!, from, to, deadline);
}

function brpoplpushCommand(ctx: ExecContext, argv: string[]): void {
  const deadline = parseTimeout(argv[3]!, ctx.db.now, ctx.out);
  if (deadline !== null) blmoveGeneric(ctx, argv[1]!, argv[2]!, true, false, deadline);
}

const doc = (summary: string, since: string, complexity: string) => ({ group: 'list', summary, since, complexity });
const BF = ['write', 'noscript', 'blocking'] as const;
const BMF = ['write', 'denyoom', 'noscript', 'blocking'] as const;
const BA = ['write', 'list', 'slow', 'blocking'] as const;
const KEYS_COST = 'O(N) where N is the number of provided keys.';
const MPOP_COST = 'O(N+M) where N is the number of provided keys and M is the number of elements returned.';

export const blockingCommands: CommandSpec[] = [
  cmd('blpop', -3, BF, [1, -2, 1], BA, doc('Remove and get the first element in a list, or block until one is available', '2.0.0', KEYS_COST), (c, a) => blockingPop(c, a, false)),
  cmd('brpop', -3, BF, [1, -2, 1], BA, doc('Remove and get the last element in a list, or block until one is available', '2.0.0', KEYS_COST), (c, a) => blockingPop(c, a, true)),
  cmd('blmove', 6, BMF, [1, 2, 1], BA, doc('Pop an element from a list, push it to another list and return it; or block until one is available', '6.2.0', 'O(1)'), blmoveCommand),
  cmd('brpoplpush', 4, BMF, [1, 2, 1], BA, doc('Pop an element from a list, push it to another list and return it; or block until one is available', '2.2.0', 'O(1)'), brpoplpushCommand),
  // numkeys-based key positions: COMMAND reports 0 0 0 and the movablekeys flag, as Redis does.
  cmd('blmpop', -5, ['write', 'blocking', 'movablekeys'], [0, 0, 0], BA, doc('Pop elements from a list, or block until one is available', '7.0.0', MPOP_COST), blmpopCommand),
];

defineCommands(blockingCommands);
