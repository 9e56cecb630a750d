/**
 * Transactions as Redis 7.0 does them (multi.c): MULTI EXEC DISCARD WATCH UNWATCH, the queuing
 * part of processCommand, and the optimistic locking of WATCH.
 *
 * Active-Active: the commands of one EXEC are one atomic unit for replication (DESIGN §2,
 * reference §4.2): EXEC runs its queue through TandemServer.call, which does not commit, and
 * execute() commits once after EXEC, so every effect of the transaction reaches the sink before
 * a single commit. WATCH sees every change of a key, local or remote: Database.keyChanged is
 * called for every effect applied, whatever its origin.
 */
import type { CommandSpec, ExecContext } from '../engine/command-table.js';
import { cmd, defineCommands } from '../engine/command-table.js';
import type { Database } from '../engine/database.js';
import { Errors } from '../engine/reply.js';
import { dataVisible } from '../crdt/key.js';
import type { Client } from './client.js';
import type { KeyListeners } from './blocking.js';
import { subscriberContextRefusal } from './pubsub.js';

interface QueuedCommand {
  readonly spec: CommandSpec;
  readonly argv: string[];
}

/** A client's MULTI and WATCH state; the client holds `null` while it has neither. */
export class Transaction {
  /** Commands queued since MULTI; null when not in MULTI (only watching). */
  queue: QueuedCommand[] | null = null;
  /** A queued command has the denyoom flag: EXEC is refused over maxmemory (mstate.cmd_flags). */
  denyoom = false;
  /** A command was refused while queuing: EXEC answers EXECABORT (CLIENT_DIRTY_EXEC). */
  dirtyExec = false;
  /** A watched key changed: EXEC answers the null array (CLIENT_DIRTY_CAS). */
  dirtyCas = false;
  /** Watched key → whether it was already logically expired when WATCH ran. */
  readonly watched = new Map<string, boolean>();
}

/** The keys WATCHed by every client, and the database hook that dirties their transactions. */
export class WatchedKeys {
  private readonly byKey = new Map<string, Set<Client>>();

  /** `db` and `listeners` are read lazily: the server creates this before them. */
  constructor(
    private readonly db: () => Database,
    private readonly listeners: () => KeyListeners,
  ) {}

  watch(c: Client, key: string): void {
    const tx = (c.tx ??= new Transaction());
    if (tx.watched.has(key)) return;
    const db = this.db();
    tx.watched.set(key, expiredInPlace(db, key));
    let set = this.byKey.get(key);
    if (set === undefined) this.byKey.set(key, (set = new Set()));
    set.add(c);
    // The hook is installed only while some key is watched: writes cost nothing otherwise.
    this.listeners().add(this.touch);
  }

  unwatchAll(c: Client): void {
    const tx = c.tx;
    if (tx === null || tx.watched.size === 0) return;
    for (const key of tx.watched.keys()) {
      const set = this.byKey.get(key)!;
      set.delete(c);
      if (set.size === 0) this.byKey.delete(key);
    }
    tx.watched.clear();
    if (this.byKey.size === 0) this.listeners().remove(this.touch);
  }

  /** isWatchedKeyExpired: a key live at WATCH time has expired since, though nobody deleted it. */
  anyExpired(c: Client): boolean {
    const tx = c.tx;
    if (tx === null) return false;
    const db = this.db();
    for (const [key, expiredAtWatch] of tx.watched) {
      if (!expiredAtWatch && expiredInPlace(db, key)) return true;
    }
    return false;
  }

  /** touchWatchedKey: called by the database after any effect on `key` was applied. */
  private readonly touch = (key: string): void => {
    const set = this.byKey.get(key);
    if (set === undefined) return;
    const db = this.db();
    for (const c of [...set]) {
      const tx = c.tx!;
      // A key already expired when WATCHed that is now deleted has logically not changed.
      if (tx.watched.get(key) === true && !exists(db, key)) {
        tx.watched.set(key, false);
        continue;
      }
      tx.dirtyCas = true;
      // A dirty transaction fails whatever else changes: stop watching at once.
      this.unwatchAll(c);
    }
  };
}

function exists(db: Database, key: string): boolean {
  const r = db.keyspace.get(key);
  return r !== undefined && dataVisible(r);
}

/** The key is present but past its expiry (keyIsExpired): no lookup, so nothing is deleted. */
function expiredInPlace(db: Database, key: string): boolean {
  const r = db.keyspace.get(key);
  return r !== undefined && dataVisible(r) && db.isExpired(r);
}

// ---- processCommand's part ---------------------------------------------------------------

/** Run at once inside MULTI instead of being queued. */
const NOT_QUEUED = new Set(['exec', 'discard', 'multi', 'watch', 'quit', 'reset']);
/** The only commands a client in MULTI may send over maxmemory: queuing could grow without bound. */
const OOM_EXEMPT_IN_MULTI = new Set(['exec', 'discard', 'quit', 'reset']);

/**
 * The checks of Redis's processCommand that depend on MULTI or on subscriptions, in its order:
 * no_multi, maxmemory, the RESP2 subscriber context, then queuing. The server calls this only
 * for a client with a transaction or subscriptions (after lookup, arity and auth). Returns true
 * when the command was answered here (refused, or queued with +QUEUED).
 */
export function admitCommand(c: Client, spec: CommandSpec, argv: string[]): boolean {
  const tx = c.tx;
  const queue = tx === null ? null : tx.queue;
  if (queue !== null && spec.flags.includes('no_multi')) return refuse(c, spec, 'ERR Command not allowed inside a transaction');
  if (c.server.overMaxmemory()) {
    const denied = queue === null ? spec.flags.includes('denyoom') : spec.name === 'exec' ? tx!.denyoom : !OOM_EXEMPT_IN_MULTI.has(spec.name);
    if (denied) return refuse(c, spec, Errors.oom);
  }
  const contextError = subscriberContextRefusal(c, spec);
  if (contextError !== null) return refuse(c, spec, contextError);
  if (queue === null || NOT_QUEUED.has(spec.name)) return false;
  queue.push({ spec, argv });
  if (spec.flags.includes('denyoom')) tx!.denyoom = true;
  c.lastCommand = spec.name;
  c.out.simple('QUEUED');
  return true;
}

function refuse(c: Client, spec: CommandSpec, message: string): true {
  c.out.error(refusal(c, spec, message));
  c.server.stats.errorReplies++;
  return true;
}

/**
 * rejectCommand's transaction part, for every refusal before a command runs: inside MULTI the
 * transaction is doomed (EXEC will answer EXECABORT); a refused EXEC aborts the transaction at
 * once and says why. Returns the error text to send.
 */
export function refusal(c: Client, spec: CommandSpec | undefined, message: string): string {
  if (spec !== undefined && spec.name === 'exec') {
    discardTransaction(c);
    return `EXECABORT Transaction discarded because of: ${message.startsWith('ERR ') ? message.slice(4) : message}`;
  }
  if (c.tx !== null && c.tx.queue !== null) c.tx.dirtyExec = true;
  return message;
}

/** discardTransaction: leaves MULTI, forgets the queue and the flags, unwatches every key. */
export function discardTransaction(c: Client): void {
  if (c.tx === null) return;
  c.server.watches.unwatchAll(c);
  c.tx = null;
}

/** What RESET and a closing connection clear: the transaction, watched keys, subscriptions. */
export function resetClientState(c: Client): void {
  discardTransaction(c);
  c.server.pubsub.removeClient(c);
}

/**
 * Runs `body` with the database's own commits held back (a lazily expired key's delete commits
 * on its own), so that everything the transaction does reaches the sink as one unit, committed
 * once by the caller.
 */
function withoutCommits(db: Database, body: () => void): void {
  const sink = db.sink;
  if (sink === null) return body();
  db.sink = { effect: (e) => sink.effect(e), commit: () => {} };
  try {
    body();
  } finally {
    db.sink = sink;
  }
}

// ---- commands ----------------------------------------------------------------------------

function client(ctx: ExecContext): Client {
  return ctx.session as Client;
}

function multiCommand(ctx: ExecContext): void {
  const c = client(ctx);
  // Not refused by admitCommand (MULTI is never queued), so a nested MULTI dooms nothing.
  if (c.tx !== null && c.tx.queue !== null) return ctx.out.error('ERR MULTI calls can not be nested');
  (c.tx ??= new Transaction()).queue = [];
  ctx.out.simple('OK');
}

function execCommand(ctx: ExecContext): void {
  const c = client(ctx);
  const tx = c.tx;
  if (tx === null || tx.queue === null) return ctx.out.error('ERR EXEC without MULTI');
  const server = c.server;
  if (server.watches.anyExpired(c)) tx.dirtyCas = true;
  if (tx.dirtyExec || tx.dirtyCas) {
    if (tx.dirtyExec) ctx.out.error('EXECABORT Transaction discarded because of previous errors.');
    else ctx.out.nullArray();
    return discardTransaction(c);
  }
  const queue = tx.queue;
  // Unwatch before running (Redis does it first too): the transaction's own writes dirty nobody
  // of its own, and the queued commands run as outside MULTI.
  discardTransaction(c);
  ctx.out.array(queue.length);
  withoutCommits(server.db, () => {
    for (const q of queue) server.call(c, q.spec, q.argv);
  });
  c.lastCommand = 'exec';
}

function discardCommand(ctx: ExecContext): void {
  const c = client(ctx);
  if (c.tx === null || c.tx.queue === null) return ctx.out.error('ERR DISCARD without MULTI');
  discardTransaction(c);
  ctx.out.simple('OK');
}

function watchCommand(ctx: ExecContext, argv: string[]): void {
  const c = client(ctx);
  if (c.tx !== null && c.tx.queue !== null) return ctx.out.error('ERR WATCH inside MULTI is not allowed');
  // Already dirty: EXEC will fail whatever is watched now.
  if (c.tx === null || !c.tx.dirtyCas) {
    for (let i = 1; i < argv.length; i++) c.server.watches.watch(c, argv[i]!);
  }
  ctx.out.simple('OK');
}

function unwatchCommand(ctx: ExecContext): void {
  const c = client(ctx);
  c.server.watches.unwatchAll(c);
  // Queued inside MULTI, UNWATCH runs in EXEC, when the transaction is already over.
  if (c.tx !== null && c.tx.queue === null) c.tx = null;
  ctx.out.simple('OK');
}

const tdoc = (summary: string, since: string, complexity = 'O(1)') => ({ group: 'transactions', summary, since, complexity });
const TF = ['noscript', 'loading', 'stale', 'fast', 'allow_busy'] as const;
const TA = ['fast', 'transaction'] as const;

export const transactionCommands: CommandSpec[] = [
  cmd('multi', 1, TF, null, TA, tdoc('Mark the start of a transaction block', '1.2.0'), multiCommand),
  cmd('exec', 1, ['noscript', 'loading', 'stale', 'skip_slowlog'], null, ['slow', 'transaction'], tdoc('Execute all commands issued after MULTI', '1.2.0', 'Depends on commands in the transaction'), execCommand),
  cmd('discard', 1, TF, null, TA, tdoc('Discard all commands issued after MULTI', '2.0.0', 'O(N), when N is the number of queued commands'), discardCommand),
  cmd('watch', -2, TF, [1, -1, 1], TA, tdoc('Watch the given keys to determine execution of the MULTI/EXEC block', '2.2.0', 'O(1) for every key.'), watchCommand),
  cmd('unwatch', 1, TF, null, TA, tdoc('Forget about all watched keys', '2.2.0'), unwatchCommand),
];

defineCommands(transactionCommands);
