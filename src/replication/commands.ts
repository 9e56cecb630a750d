/**
 * The replication commands:
 *
 * - TANDEM.REPLICATE <guid> <dest-id> <protocol> <secret> <resume-clock> [<run-id>] — a
 *   destination's handshake (tcp-transport.ts); on success the connection stops being a client.
 * - TANDEM.SYNC PAUSE|RESUME [<peer-id>] | STATUS | WAIT <timeout-ms> — test control (issue #3):
 *   pausing stops delivery both ways and loses nothing; WAIT blocks until every peer has applied
 *   everything this instance has and this instance everything its peers have.
 * - TANDEM.PEER ADD <id> <host> <port> | REMOVE <id> | LIST — membership at run time, for the
 *   management plane (not persisted here).
 * - TANDEM.FLUSH — removes every key this instance sees, as observed-remove deletes that
 *   replicate like DEL (FLUSHALL is refused on Active-Active instances): the management plane
 *   runs it on every instance, so every key written before the flush anywhere is removed
 *   everywhere, and a write concurrent with it survives (reference §3.1 add-wins).
 * - TANDEM.DEBUG CLOCK-OFFSET <ms> | CLOCK-FREEZE <unix-ms>|OFF — moves this instance's wall
 *   clock, to reproduce skewed and equal write timestamps; only with enable-debug-command.
 */
import type { CommandSpec, ExecContext } from '../engine/command-table.js';
import { cmd, defineCommands } from '../engine/command-table.js';
import { Errors } from '../engine/reply.js';
import type { Client } from '../server/client.js';
import { formatPeerSpec } from './peer-spec.js';
import type { Hello } from './protocol.js';
import { parseClock } from './protocol.js';
import type { ServerReplication } from './server-replication.js';
import { replicationOf } from './server-replication.js';

function client(ctx: ExecContext): Client {
  return ctx.session as Client;
}

const NOT_ACTIVE_ACTIVE = 'ERR this instance is not part of an Active-Active database: start it with --crdb-guid <guid> (and --peer <id>@<host>:<port> for each other instance)';

function replication(ctx: ExecContext): ServerReplication | null {
  const r = replicationOf(client(ctx).server);
  if (r === undefined) ctx.out.error(NOT_ACTIVE_ACTIVE);
  return r ?? null;
}

function intArg(s: string): number | null {
  return /^\d{1,15}$/.test(s) ? Number(s) : null;
}

/** A peer id argument that names a configured peer; replies the error and returns null if not. */
function peerArg(ctx: ExecContext, r: ServerReplication, s: string): number | null {
  const id = intArg(s);
  if (id === null || !r.node.peers.has(id)) {
    ctx.out.error(`ERR no peer with instance id '${s}' (TANDEM.PEER LIST shows them)`);
    return null;
  }
  return id;
}

// ---- TANDEM.REPLICATE ------------------------------------------------------------------------

function replicateCommand(ctx: ExecContext, argv: string[]): void {
  const r = replication(ctx);
  if (r === null) return;
  if (argv.length > 7) return ctx.out.error(Errors.syntax);
  const destId = intArg(argv[2]!);
  const protocol = intArg(argv[3]!);
  const resume = parseClock(argv[5]!);
  if (destId === null || protocol === null || resume === null) {
    return ctx.out.error('ERR TANDEM.REPLICATE expects <guid> <dest-id> <protocol-version> <secret> <resume-clock> [<run-id>]');
  }
  const c = client(ctx);
  const hello: Hello = { guid: argv[1]!, destId, protocol, secret: argv[4]!, resume, runId: argv[6] ?? `${c.addr}` };
  // Replies of earlier commands of this connection go out before the answer line.
  if (c.out.length > 0) c.socket.write(c.out.take());
  const refused = r.tcp.accept(c.socket, hello);
  if (refused !== null) return ctx.out.error(refused);
  // From now on the socket carries replication frames: the server stops treating it as a client.
  c.closed = true;
  c.server.clients.delete(c.id);
}

// ---- TANDEM.SYNC -----------------------------------------------------------------------------

function pauseResume(ctx: ExecContext, argv: string[], pause: boolean): void {
  const r = replication(ctx);
  if (r === null) return;
  if (argv.length > 3) return ctx.out.error(Errors.syntax);
  let peer: number | null = null;
  if (argv.length === 3) {
    peer = peerArg(ctx, r, argv[2]!);
    if (peer === null) return;
  }
  const now = r.enter();
  if (pause) r.node.pause(peer, now);
  else r.node.resume(peer, now);
  ctx.out.simple('OK');
}

function statusCommand(ctx: ExecContext): void {
  const r = replication(ctx);
  if (r === null) return;
  const { node } = r;
  const now = r.enter();
  const lines = [`instance=${node.instanceId} clock=${node.db.clock.toString() || '-'} causal=${node.causal ? 'yes' : 'no'} peers=${node.peers.size}`];
  for (const p of node.peers.values()) {
    const l = p.link;
    const s = p.session;
    lines.push(
      `peer=${p.id} addr=${l.host}:${l.port} in=${l.state}${l.paused ? '(paused)' : ''} out=${s === null ? 'down' : s.state}${s?.paused ? '(paused)' : ''} ` +
        `paused=${p.paused ? 'yes' : 'no'} lag_effects=${l.lagEffects()} lag_ms=${Math.round(l.lagMs(now))} acked=${p.ackClock?.toString() || '-'} ` +
        `last_error=${(l.lastError || p.lastSessionError || '-').replace(/\s+/g, '_')}`,
    );
  }
  ctx.out.array(lines.length);
  for (const l of lines) ctx.out.bulk(l);
}

function waitCommand(ctx: ExecContext, argv: string[]): void {
  const r = replication(ctx);
  if (r === null) return;
  const timeout = intArg(argv[2]!);
  if (timeout === null) return ctx.out.error('ERR timeout is not an integer or out of range');
  const c = client(ctx);
  const server = c.server;
  // The wait may settle at once (nothing pending): then reply now, without blocking.
  const early: { result: [boolean, string] | null } = { result: null };
  let blocked = false;
  const reply = (ok: boolean, why: string): void => {
    if (ok) c.out.simple('OK');
    else c.out.error(`TIMEOUT TANDEM.SYNC WAIT gave up after ${timeout} ms: ${why}`);
  };
  r.node.wait(r.enter(), timeout, (ok, why) => {
    if (!blocked) {
      early.result = [ok, why];
      return;
    }
    reply(ok, why);
    server.unblock(c);
  });
  if (early.result !== null) {
    reply(early.result[0], early.result[1]);
    return;
  }
  blocked = true;
  server.block(c);
}

function syncHelp(ctx: ExecContext): void {
  const lines = [
    'TANDEM.SYNC <subcommand> [<arg> ...]. Subcommands are:',
    'PAUSE [<peer-id>]',
    '    Stop replication with one peer (or all) in both directions; nothing is lost.',
    'RESUME [<peer-id>]',
    '    Resume replication paused by PAUSE.',
    'STATUS',
    '    One line for this instance, then one per peer: link states, lag, last error.',
    'WAIT <timeout-ms>',
    '    Block until every peer has applied everything this instance has, and this instance',
    '    everything its peers have; error after <timeout-ms>.',
    'HELP',
    '    Print this help.',
  ];
  ctx.out.array(lines.length);
  for (const l of lines) ctx.out.simple(l);
}

// ---- TANDEM.PEER -----------------------------------------------------------------------------

function peerAdd(ctx: ExecContext, argv: string[]): void {
  const r = replication(ctx);
  if (r === null) return;
  const id = intArg(argv[2]!);
  const port = intArg(argv[4]!);
  if (id === null || id < 1 || id > 1023) return ctx.out.error('ERR instance id must be an integer from 1 to 1023');
  if (id === r.node.instanceId) return ctx.out.error(`ERR instance id ${id} is this instance`);
  if (port === null || port < 1 || port > 65535) return ctx.out.error('ERR port must be an integer from 1 to 65535');
  r.node.addPeer(id, argv[3]!, port);
  r.server.log.info(`Peer ${formatPeerSpec({ id, host: argv[3]!, port })} added`);
  ctx.out.simple('OK');
}

function peerRemove(ctx: ExecContext, argv: string[]): void {
  const r = replication(ctx);
  if (r === null) return;
  const id = peerArg(ctx, r, argv[2]!);
  if (id === null) return;
  r.node.removePeer(id, r.enter());
  r.server.log.info(`Peer ${id} removed`);
  ctx.out.simple('OK');
}

function peerList(ctx: ExecContext): void {
  const r = replication(ctx);
  if (r === null) return;
  const peers = [...r.node.peers.values()].sort((a, b) => a.id - b.id);
  ctx.out.array(peers.length);
  for (const p of peers) ctx.out.bulk(formatPeerSpec({ id: p.id, host: p.link.host, port: p.link.port }));
}

// ---- TANDEM.FLUSH ----------------------------------------------------------------------------

function flushCommand(ctx: ExecContext): void {
  if (replication(ctx) === null) return;
  const { db } = ctx;
  let n = 0;
  for (const key of [...db.keyspace.records.keys()]) {
    const r = db.lookupWrite(key);
    if (r === undefined) continue;
    db.deleteKey(key, r);
    n++;
  }
  ctx.out.integer(n);
}

// ---- TANDEM.DEBUG ----------------------------------------------------------------------------

/** Redis's DEBUG gate (enable-debug-command no|yes|local), worded as Redis words it. */
function debugAllowed(ctx: ExecContext): boolean {
  const c = client(ctx);
  const mode = c.server.config.get('enable-debug-command');
  const local = /^(127\.|::1$|::ffff:127\.)/.test(c.socket.remoteAddress ?? '');
  if (mode === 'yes' || (mode === 'local' && local)) return true;
  ctx.out.error(
    'ERR TANDEM.DEBUG command not allowed. If the enable-debug-command option is set to "local", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.',
  );
  return false;
}

function clockOffset(ctx: ExecContext, argv: string[]): void {
  if (!debugAllowed(ctx)) return;
  if (!/^-?\d{1,15}$/.test(argv[2]!)) return ctx.out.error(Errors.notInteger);
  const s = client(ctx).server;
  s.clockOffsetMs = Number(argv[2]);
  s.clockFrozenAt = null;
  s.db.now = s.wallClock();
  ctx.out.simple('OK');
}

function clockFreeze(ctx: ExecContext, argv: string[]): void {
  if (!debugAllowed(ctx)) return;
  const s = client(ctx).server;
  const a = argv[2]!.toLowerCase();
  if (a === 'off') s.clockFrozenAt = null;
  else if (/^\d{1,15}$/.test(a)) s.clockFrozenAt = Number(a);
  else return ctx.out.error(Errors.notInteger);
  s.db.now = s.wallClock();
  ctx.out.simple('OK');
}

// ---- the table -------------------------------------------------------------------------------

const doc = (summary: string, complexity = 'O(1)') => ({ group: 'server', summary, since: '0.1.0', complexity });
const ADMIN = ['admin', 'slow', 'dangerous'];
const CF = ['admin', 'noscript', 'loading', 'stale'] as const;

const syncSubcommands: CommandSpec[] = [
  cmd('tandem.sync|pause', -2, [...CF], null, ADMIN, doc('Pauses replication with one peer or all, in both directions.'), (c, a) => pauseResume(c, a, true)),
  cmd('tandem.sync|resume', -2, [...CF], null, ADMIN, doc('Resumes replication paused by TANDEM.SYNC PAUSE.'), (c, a) => pauseResume(c, a, false)),
  cmd('tandem.sync|status', 2, [...CF], null, ADMIN, doc('Shows the replication state of every peer.', 'O(N) where N is the number of peers'), statusCommand),
  cmd('tandem.sync|wait', 3, [...CF, 'blocking'], null, ADMIN, doc('Blocks until this instance and its peers have applied the same effects.'), waitCommand),
  cmd('tandem.sync|help', 2, ['loading', 'stale'], null, ['slow'], doc('Returns helpful text about the different subcommands.'), syncHelp),
];

const peerSubcommands: CommandSpec[] = [
  cmd('tandem.peer|add', 5, [...CF], null, ADMIN, doc('Adds (or moves) a peer instance to replicate with.'), peerAdd),
  cmd('tandem.peer|remove', 3, [...CF], null, ADMIN, doc('Removes a peer instance.'), peerRemove),
  cmd('tandem.peer|list', 2, [...CF], null, ADMIN, doc('Lists the peer instances as <id>@<host>:<port>.'), peerList),
];

const debugSubcommands: CommandSpec[] = [
  cmd('tandem.debug|clock-offset', 3, [...CF], null, ADMIN, doc('Moves the wall clock by an offset in ms (enable-debug-command).'), clockOffset),
  cmd('tandem.debug|clock-freeze', 3, [...CF], null, ADMIN, doc('Freezes the wall clock at a Unix time in ms, or OFF (enable-debug-command).'), clockFreeze),
];

export const replicationCommands: CommandSpec[] = [
  cmd('tandem.replicate', -6, ['no_auth', 'noscript', 'no_multi', 'loading', 'stale'], null, ADMIN, doc('Opens a replication link: the handshake of a destination instance.'), replicateCommand),
  cmd('tandem.sync', -2, [], null, ['slow'], doc('A container for replication control commands.', 'Depends on subcommand.'), undefined, syncSubcommands),
  cmd('tandem.peer', -2, [], null, ['slow'], doc('A container for peer membership commands.', 'Depends on subcommand.'), undefined, peerSubcommands),
  cmd('tandem.flush', 1, ['write', 'noscript', 'no_multi'], null, ADMIN, doc('Deletes every key of this instance by observed-remove (the Active-Active flush).', 'O(N) where N is the number of keys'), flushCommand),
  cmd('tandem.debug', -2, [], null, ['slow'], doc('A container for replication debugging commands.', 'Depends on subcommand.'), undefined, debugSubcommands),
];

defineCommands(replicationCommands);
