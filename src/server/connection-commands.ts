/**
 * The connection family: PING ECHO QUIT RESET HELLO AUTH SELECT CLIENT. Replies and errors as
 * Redis 7.0 words them (CLIENT SETINFO as 7.2 defines it, since current clients send it).
 */
import type { CommandSpec, ExecContext } from '../engine/command-table.js';
import { cmd, defineCommands } from '../engine/command-table.js';
import { Errors } from '../engine/reply.js';
import { parseInteger } from '../engine/numbers.js';
import type { Client } from './client.js';
import { subscriberPing } from './pubsub.js';
import { resetClientState } from './transactions.js';

/** The Redis version Tandem answers to (HELLO, INFO): the command set it is compatible with. */
export const REDIS_COMPAT_VERSION = '7.0.15';

function client(ctx: ExecContext): Client {
  return ctx.session as Client;
}

function pingCommand(ctx: ExecContext, argv: string[]): void {
  if (argv.length > 2) return ctx.out.error(Errors.arity('ping'));
  if (client(ctx).subs !== null && ctx.out.resp === 2) return subscriberPing(ctx.out, argv); // pub/sub
  if (argv.length === 2) ctx.out.bulk(argv[1]!);
  else ctx.out.simple('PONG');
}

function echoCommand(ctx: ExecContext, argv: string[]): void {
  ctx.out.bulk(argv[1]!);
}

function quitCommand(ctx: ExecContext): void {
  ctx.out.simple('OK');
  client(ctx).closeAfterReply = true;
}

function resetCommand(ctx: ExecContext): void {
  const c = client(ctx);
  resetClientState(c); // transactions and pub/sub: discard MULTI, unwatch, unsubscribe (silently)
  c.resp = 2;
  c.name = '';
  c.noEvict = false;
  c.authenticated = c.server.config.get('requirepass') === '';
  ctx.out.simple('RESET');
}

/** ACLAuthenticateUser for the single `default` user whose password is requirepass. */
function authenticate(c: Client, user: string, pass: string): boolean {
  const required = c.server.config.get('requirepass');
  const ok = user === 'default' && (required === '' || pass === required);
  if (ok) c.authenticated = true;
  return ok;
}

const WRONGPASS = 'WRONGPASS invalid username-password pair or user is disabled.';

function authCommand(ctx: ExecContext, argv: string[]): void {
  const c = client(ctx);
  if (argv.length > 3) return ctx.out.error(Errors.syntax);
  let user = 'default';
  let pass: string;
  if (argv.length === 2) {
    if (c.server.config.get('requirepass') === '') {
      return ctx.out.error('ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?');
    }
    pass = argv[1]!;
  } else {
    user = argv[1]!;
    pass = argv[2]!;
  }
  if (authenticate(c, user, pass)) ctx.out.simple('OK');
  else {
    c.server.log.warn(`Failed authentication from client id=${c.id} addr=${c.addr}`);
    ctx.out.error(WRONGPASS);
  }
}

/** Client names and library names: printable ASCII without spaces ('!' to '~'). */
function validName(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    if (ch < 33 || ch > 126) return false;
  }
  return true;
}

function helloCommand(ctx: ExecContext, argv: string[]): void {
  const c = client(ctx);
  const out = ctx.out;
  let ver = 0;
  let next = 1;
  if (argv.length >= 2) {
    const v = parseInteger(argv[next++]!);
    if (v === null) return out.error('ERR Protocol version is not an integer or out of range');
    if (v < 2n || v > 3n) return out.error('NOPROTO unsupported protocol version');
    ver = Number(v);
  }
  let user: string | null = null;
  let pass: string | null = null;
  let name: string | null = null;
  for (let j = next; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    const opt = argv[j]!.toLowerCase();
    if (opt === 'auth' && more >= 2) {
      user = argv[j + 1]!;
      pass = argv[j + 2]!;
      j += 2;
    } else if (opt === 'setname' && more >= 1) {
      name = argv[j + 1]!;
      if (!validName(name)) return out.error('ERR Client names cannot contain spaces, newlines or special characters.');
      j++;
    } else return out.error(`ERR Syntax error in HELLO option '${argv[j]}'`);
  }
  if (user !== null && pass !== null && !authenticate(c, user, pass)) return out.error(WRONGPASS);
  if (!c.authenticated) {
    return out.error(
      'NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time',
    );
  }
  if (name !== null) c.name = name;
  if (ver) c.resp = ver as 2 | 3;
  out.map(7);
  out.bulk('server');
  out.bulk('redis');
  out.bulk('version');
  out.bulk(REDIS_COMPAT_VERSION);
  out.bulk('proto');
  out.integer(c.resp);
  out.bulk('id');
  out.integer(c.id);
  out.bulk('mode');
  out.bulk('standalone');
  out.bulk('role');
  out.bulk('master');
  out.bulk('modules');
  out.array(0);
}

function selectCommand(ctx: ExecContext, argv: string[]): void {
  const v = parseInteger(argv[1]!);
  if (v === null || v > 2147483647n || v < -2147483648n) return ctx.out.error(Errors.notInteger);
  // One keyspace per database, as in Redis Enterprise: SELECT 0 is accepted for compatibility.
  if (v !== 0n) return ctx.out.error('ERR DB index is out of range');
  ctx.out.simple('OK');
}

// ---- CLIENT --------------------------------------------------------------------------------

function clientId(ctx: ExecContext): void {
  ctx.out.integer(client(ctx).id);
}

function clientSetname(ctx: ExecContext, argv: string[]): void {
  const name = argv[2]!;
  if (!validName(name)) return ctx.out.error('ERR Client names cannot contain spaces, newlines or special characters.');
  client(ctx).name = name;
  ctx.out.simple('OK');
}

function clientGetname(ctx: ExecContext): void {
  const n = client(ctx).name;
  if (n === '') ctx.out.nullBulk();
  else ctx.out.bulk(n);
}

function clientSetinfo(ctx: ExecContext, argv: string[]): void {
  const c = client(ctx);
  const attr = argv[2]!.toLowerCase();
  const val = argv[3]!;
  if (attr !== 'lib-name' && attr !== 'lib-ver') return ctx.out.error(`ERR Unrecognized option '${argv[2]}'`);
  if (!validName(val)) return ctx.out.error(`ERR ${attr} cannot contain spaces, newlines or special characters.`);
  if (attr === 'lib-name') c.libName = val;
  else c.libVer = val;
  ctx.out.simple('OK');
}

function clientInfo(ctx: ExecContext): void {
  const c = client(ctx);
  ctx.out.verbatim(c.describe(Date.now()) + '\n');
}

function clientList(ctx: ExecContext, argv: string[]): void {
  const c = client(ctx);
  let ids: Set<number> | null = null;
  let type: string | null = null;
  for (let i = 2; i < argv.length; i++) {
    const opt = argv[i]!.toLowerCase();
    if (opt === 'type' && i + 1 < argv.length) {
      type = argv[++i]!.toLowerCase();
      if (!['normal', 'master', 'replica', 'slave', 'pubsub'].includes(type)) return ctx.out.error(`ERR Unknown client type '${argv[i]}'`);
    } else if (opt === 'id' && i + 1 < argv.length) {
      ids = new Set();
      for (i++; i < argv.length; i++) {
        const v = parseInteger(argv[i]!);
        if (v === null || v < 1n) return ctx.out.error('ERR Invalid client ID');
        ids.add(Number(v));
      }
    } else return ctx.out.error(Errors.syntax);
  }
  const now = Date.now();
  let text = '';
  for (const other of c.server.clients.values()) {
    if (ids !== null && !ids.has(other.id)) continue;
    if (type !== null && type !== (other.subs !== null ? 'pubsub' : 'normal')) continue;
    text += other.describe(now) + '\n';
  }
  ctx.out.verbatim(text);
}

function clientKill(ctx: ExecContext, argv: string[]): void {
  const me = client(ctx);
  const out = ctx.out;
  let id: number | null = null;
  let addr: string | null = null;
  let laddr: string | null = null;
  let type: string | null = null;
  let skipme = true;
  if (argv.length === 3) {
    addr = argv[2]!;
    skipme = false;
  } else if (argv.length > 3) {
    for (let i = 2; i < argv.length; i += 2) {
      const opt = argv[i]!.toLowerCase();
      const more = i + 1 < argv.length;
      if (!more) return out.error(Errors.syntax);
      const val = argv[i + 1]!;
      if (opt === 'id') {
        const v = parseInteger(val);
        if (v === null || v < 1n) return out.error('ERR client-id should be greater than 0');
        id = Number(v);
      } else if (opt === 'type') {
        type = val.toLowerCase();
        if (!['normal', 'master', 'replica', 'slave', 'pubsub'].includes(type)) return out.error(`ERR Unknown client type '${val}'`);
      } else if (opt === 'addr') addr = val;
      else if (opt === 'laddr') laddr = val;
      else if (opt === 'user') {
        if (val !== 'default') return out.error(`ERR No such user '${val}'`);
      } else if (opt === 'skipme') {
        const v = val.toLowerCase();
        if (v === 'yes') skipme = true;
        else if (v === 'no') skipme = false;
        else return out.error(Errors.syntax);
      } else return out.error(Errors.syntax);
    }
  } else return out.error(Errors.syntax);
  let killed = 0;
  for (const c of [...me.server.clients.values()]) {
    if (id !== null && c.id !== id) continue;
    if (addr !== null && c.addr !== addr) continue;
    if (laddr !== null && c.laddr !== laddr) continue;
    if (type !== null && type !== (c.subs !== null ? 'pubsub' : 'normal')) continue;
    if (c === me && skipme) continue;
    killed++;
    if (c === me) me.closeAfterReply = true;
    else me.server.closeClient(c);
  }
  if (argv.length === 3) {
    if (killed === 0) out.error('ERR No such client');
    else out.simple('OK');
  } else out.integer(killed);
}

function clientNoEvict(ctx: ExecContext, argv: string[]): void {
  const v = argv[2]!.toLowerCase();
  if (v !== 'on' && v !== 'off') return ctx.out.error(Errors.syntax);
  client(ctx).noEvict = v === 'on';
  ctx.out.simple('OK');
}

function clientHelp(ctx: ExecContext): void {
  const lines = [
    'CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
    'GETNAME',
    '    Return the name of the current connection.',
    'ID',
    '    Return the ID of the current connection.',
    'INFO',
    '    Return information about the current client connection.',
    'KILL <ip:port>',
    '    Kill connection made from <ip:port>.',
    'KILL <option> <value> [<option> <value> [...]]',
    '    Kill connections. Options are:',
    '    * ADDR (<ip:port>|<unixsocket>:0)',
    '      Kill connections made from the specified address',
    '    * LADDR (<ip:port>|<unixsocket>:0)',
    '      Kill connections made to specified local address',
    '    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)',
    '      Kill connections by type.',
    '    * USER <username>',
    '      Kill connections authenticated by <username>.',
    '    * SKIPME (YES|NO)',
    '      Skip killing current connection (default: yes).',
    '    * ID <client-id>',
    '      Kill connections by client id.',
    'LIST [options ...]',
    '    Return information about client connections. Options:',
    '    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)',
    '      Return clients of specified type.',
    'NO-EVICT (ON|OFF)',
    '    Protect current client connection from eviction.',
    'SETNAME <name>',
    '    Assign the name <name> to the current connection.',
    'SETINFO <option> <value>',
    '    Set client meta attr. Options are:',
    '    * LIB-NAME: the client lib name.',
    '    * LIB-VER: the client lib version.',
    'HELP',
    '    Prints this help.',
  ];
  ctx.out.array(lines.length);
  for (const l of lines) ctx.out.simple(l);
}

const cdoc = (summary: string, since: string) => ({ group: 'connection', summary, since, complexity: 'O(1)' });
const CF = ['noscript', 'loading', 'stale'] as const;
const CA = ['slow', 'connection'] as const;

const clientSubcommands: CommandSpec[] = [
  cmd('client|id', 2, CF, null, CA, cdoc('Returns the unique client ID of the connection.', '5.0.0'), clientId),
  cmd('client|setname', 3, CF, null, CA, cdoc('Sets the connection name.', '2.6.9'), clientSetname),
  cmd('client|getname', 2, CF, null, CA, cdoc('Returns the name of the connection.', '2.6.9'), clientGetname),
  cmd('client|setinfo', 4, CF, null, CA, cdoc('Sets information specific to the client or connection.', '7.2.0'), clientSetinfo),
  cmd('client|info', 2, CF, null, CA, cdoc('Returns information about the connection.', '6.2.0'), clientInfo),
  cmd('client|list', -2, ['admin', ...CF], null, ['admin', 'slow', 'dangerous', 'connection'], cdoc('Lists open connections.', '2.4.0'), clientList),
  cmd('client|kill', -3, ['admin', ...CF], null, ['admin', 'slow', 'dangerous', 'connection'], cdoc('Terminates open connections.', '2.4.0'), clientKill),
  cmd('client|no-evict', 3, ['admin', ...CF], null, ['admin', 'slow', 'dangerous', 'connection'], cdoc('Sets the client eviction mode of the connection.', '7.0.0'), clientNoEvict),
  cmd('client|help', 2, ['loading', 'stale'], null, CA, cdoc('Returns helpful text about the different subcommands.', '5.0.0'), clientHelp),
];

export const connectionCommands: CommandSpec[] = [
  cmd('ping', -1, ['fast'], null, ['fast', 'connection'], cdoc('Returns the server\'s liveliness response.', '1.0.0'), pingCommand),
  cmd('echo', 2, ['fast'], null, ['fast', 'connection'], cdoc('Returns the given string.', '1.0.0'), echoCommand),
  cmd('quit', -1, ['allow_busy', 'noscript', 'loading', 'stale', 'fast', 'no_auth'], null, ['fast', 'connection'], cdoc('Closes the connection.', '1.0.0'), quitCommand),
  cmd('reset', 1, ['noscript', 'loading', 'stale', 'fast', 'no_auth', 'allow_busy'], null, ['fast', 'connection'], cdoc('Resets the connection.', '6.2.0'), resetCommand),
  cmd('hello', -1, ['noscript', 'loading', 'stale', 'fast', 'no_auth', 'allow_busy'], null, ['fast', 'connection'], cdoc('Handshakes with the Redis server.', '6.0.0'), helloCommand),
  cmd('auth', -2, ['noscript', 'loading', 'stale', 'fast', 'no_auth', 'allow_busy'], null, ['fast', 'connection'], cdoc('Authenticates the connection.', '1.0.0'), authCommand),
  cmd('select', 2, ['loading', 'stale', 'fast'], null, ['fast', 'connection'], cdoc('Changes the selected database.', '1.0.0'), selectCommand),
  cmd('client', -2, [], null, ['slow'], { group: 'connection', summary: 'A container for client connection commands.', since: '2.4.0', complexity: 'Depends on subcommand.' }, undefined, clientSubcommands),
];

defineCommands(connectionCommands);
