/**
 * The server family: INFO, CONFIG, TIME, COMMAND, SHUTDOWN.
 */
import type { CommandSpec, ExecContext } from '../engine/command-table.js';
import { allCommands, cmd, commandCount, defineCommands, findSubcommand, lookupCommand, arityOk } from '../engine/command-table.js';
import { KEY_FLAG_ORDER, commandHasKeys, keySpecsOf, keysOfCommand, resolveForGetkeys } from '../engine/getkeys.js';
import { Errors } from '../engine/reply.js';
import type { Reply } from '../engine/reply.js';
import { globMatch } from '../engine/glob.js';
import type { Client } from './client.js';
import { ConfigError } from './config.js';
import { renderInfo } from './info.js';

function client(ctx: ExecContext): Client {
  return ctx.session as Client;
}

function infoCommand(ctx: ExecContext, argv: string[]): void {
  const c = client(ctx);
  ctx.out.verbatim(renderInfo(c.server.infoSections, argv.slice(1)));
}

function timeCommand(ctx: ExecContext): void {
  const us = BigInt(Math.round(performance.timeOrigin * 1000 + performance.now() * 1000));
  ctx.out.array(2);
  ctx.out.bulk(String(us / 1000000n));
  ctx.out.bulk(String(us % 1000000n));
}

function configGet(ctx: ExecContext, argv: string[]): void {
  const pairs = client(ctx).server.config.match(argv.slice(2));
  ctx.out.map(pairs.length);
  for (const [k, v] of pairs) {
    ctx.out.bulk(k);
    ctx.out.bulk(v);
  }
}

function configSet(ctx: ExecContext, argv: string[]): void {
  if (argv.length % 2 !== 0) return ctx.out.error(Errors.syntax);
  const pairs: [string, string][] = [];
  for (let i = 2; i < argv.length; i += 2) pairs.push([argv[i]!, argv[i + 1]!]);
  try {
    client(ctx).server.config.setMany(pairs);
    ctx.out.simple('OK');
  } catch (e) {
    if (e instanceof ConfigError) ctx.out.error(`ERR ${e.message}`);
    else throw e;
  }
}

function configResetstat(ctx: ExecContext): void {
  const s = client(ctx).server;
  s.stats.calls.clear();
  s.stats.totalCommands = 0;
  s.stats.errorReplies = 0;
  s.stats.netInputBytes = 0;
  s.stats.netOutputBytes = 0;
  s.db.stats.keyspaceHits = 0;
  s.db.stats.keyspaceMisses = 0;
  s.db.stats.expiredKeys = 0;
  ctx.out.simple('OK');
}

function configRewrite(ctx: ExecContext): void {
  ctx.out.error('ERR The server is running without a config file');
}

function configHelp(ctx: ExecContext): void {
  helpReply(ctx.out, [
    'CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
    'GET <pattern>',
    '    Return parameters matching the glob-like <pattern> and their values.',
    'SET <directive> <value>',
    '    Set the configuration <directive> to <value>.',
    'RESETSTAT',
    '    Reset statistics reported by the INFO command.',
    'REWRITE',
    '    Rewrite the configuration file.',
    'HELP',
    '    Prints this help.',
  ]);
}

function helpReply(out: Reply, lines: string[]): void {
  out.array(lines.length);
  for (const l of lines) out.simple(l);
}

// ---- COMMAND -----------------------------------------------------------------------------------

/** COMMAND INFO's key specifications, as Redis 7.0 prints them (addReplyCommandKeySpecs). */
function keySpecs(out: Reply, spec: CommandSpec): void {
  const specs = keySpecsOf(spec);
  out.set(specs.length);
  for (const k of specs) {
    out.map(k.notes !== undefined ? 4 : 3);
    if (k.notes !== undefined) {
      out.bulk('notes');
      out.bulk(k.notes);
    }
    out.bulk('flags');
    const flags = KEY_FLAG_ORDER.filter((f) => k.flags.includes(f));
    out.set(flags.length);
    for (const f of flags) out.simple(f);
    out.bulk('begin_search');
    specPart(out, k.index !== undefined ? 'index' : k.keyword !== undefined ? 'keyword' : 'unknown', k.index !== undefined ? [['index', k.index]] : k.keyword !== undefined ? [['keyword', k.keyword], ['startfrom', k.startfrom ?? 0]] : []);
    out.bulk('find_keys');
    if (k.lastkey !== undefined) specPart(out, 'range', [['lastkey', k.lastkey], ['keystep', k.keystep ?? 1], ['limit', k.limit ?? 0]]);
    else if (k.keynumidx !== undefined) specPart(out, 'keynum', [['keynumidx', k.keynumidx], ['firstkey', k.firstkey ?? 1], ['keystep', k.keystep ?? 1]]);
    else specPart(out, 'unknown', []);
  }
}

/** `{type, spec: {…}}` of a begin_search or find_keys part; numbers as integers, text as bulk. */
function specPart(out: Reply, type: string, fields: [string, string | number][]): void {
  out.map(2);
  out.bulk('type');
  out.bulk(type);
  out.bulk('spec');
  out.map(fields.length);
  for (const [name, v] of fields) {
    out.bulk(name);
    if (typeof v === 'number') out.integer(v);
    else out.bulk(v);
  }
}

function commandInfoReply(out: Reply, spec: CommandSpec): void {
  out.array(10);
  out.bulk(spec.name);
  out.integer(spec.arity);
  out.set(spec.flags.length);
  for (const f of spec.flags) out.simple(f);
  out.integer(spec.keys?.first ?? 0);
  out.integer(spec.keys?.last ?? 0);
  out.integer(spec.keys?.step ?? 0);
  out.set(spec.acl.length);
  for (const a of spec.acl) out.simple(`@${a}`);
  out.set(0);
  keySpecs(out, spec);
  const subs = spec.subcommands ?? [];
  out.array(subs.length);
  for (const s of subs) commandInfoReply(out, s);
}

function commandDocsReply(out: Reply, spec: CommandSpec): void {
  const subs = spec.subcommands ?? [];
  out.map(4 + (spec.complexity ? 1 : 0) + (subs.length ? 1 : 0));
  out.bulk('summary');
  out.bulk(spec.summary);
  out.bulk('since');
  out.bulk(spec.since);
  out.bulk('group');
  out.bulk(spec.group);
  if (spec.complexity) {
    out.bulk('complexity');
    out.bulk(spec.complexity);
  }
  out.bulk('doc_flags');
  out.set(0);
  if (subs.length) {
    out.bulk('subcommands');
    out.map(subs.length);
    for (const s of subs) {
      out.bulk(s.name);
      commandDocsReply(out, s);
    }
  }
}

function commandCommand(ctx: ExecContext): void {
  const all = allCommands();
  ctx.out.array(all.length);
  for (const s of all) commandInfoReply(ctx.out, s);
}

function commandCountCommand(ctx: ExecContext): void {
  ctx.out.integer(commandCount());
}

function resolve(name: string): CommandSpec | undefined {
  const [base, sub] = name.toLowerCase().split('|');
  const spec = lookupCommand(base!);
  if (spec === undefined || sub === undefined) return spec;
  return findSubcommand(spec, sub);
}

function commandInfo(ctx: ExecContext, argv: string[]): void {
  const names = argv.slice(2);
  if (names.length === 0) return commandCommand(ctx);
  ctx.out.array(names.length);
  for (const n of names) {
    const spec = resolve(n);
    if (spec === undefined) ctx.out.nullArray();
    else commandInfoReply(ctx.out, spec);
  }
}

function commandDocs(ctx: ExecContext, argv: string[]): void {
  const names = argv.slice(2);
  const specs = names.length === 0 ? allCommands() : names.map(resolve).filter((s): s is CommandSpec => s !== undefined);
  ctx.out.map(specs.length);
  for (const s of specs) {
    ctx.out.bulk(s.name);
    commandDocsReply(ctx.out, s);
  }
}

function commandList(ctx: ExecContext, argv: string[]): void {
  let names = allCommands().map((s) => s.name);
  if (argv.length > 2) {
    if (argv.length !== 5 || argv[2]!.toLowerCase() !== 'filterby') return ctx.out.error(Errors.syntax);
    const kind = argv[3]!.toLowerCase();
    const arg = argv[4]!;
    if (kind === 'module') names = [];
    else if (kind === 'aclcat') names = allCommands().filter((s) => s.acl.includes(arg.toLowerCase())).map((s) => s.name);
    else if (kind === 'pattern') names = names.filter((n) => globMatch(arg, n, true));
    else return ctx.out.error(Errors.syntax);
  }
  ctx.out.array(names.length);
  for (const n of names) ctx.out.bulk(n);
}

/** COMMAND GETKEYS / GETKEYSANDFLAGS (server.c getKeysSubcommandImpl): checks in Redis's order. */
function getkeysReply(ctx: ExecContext, argv: string[], withFlags: boolean): void {
  const args = argv.slice(2);
  const spec = resolveForGetkeys(args);
  if (spec === undefined) return ctx.out.error('ERR Invalid command specified');
  if (!commandHasKeys(spec)) return ctx.out.error('ERR The command has no key arguments');
  if (!arityOk(spec, args.length)) return ctx.out.error('ERR Invalid number of arguments specified for command');
  const keys = keysOfCommand(spec, args);
  if (keys.length === 0) {
    if (spec.flags.includes('no_mandatory_keys')) return ctx.out.array(0);
    return ctx.out.error('ERR Invalid arguments specified for command');
  }
  ctx.out.array(keys.length);
  for (const k of keys) {
    if (!withFlags) {
      ctx.out.bulk(args[k.pos]!);
      continue;
    }
    ctx.out.array(2);
    ctx.out.bulk(args[k.pos]!);
    const flags = KEY_FLAG_ORDER.filter((f) => k.flags.includes(f));
    ctx.out.set(flags.length);
    for (const f of flags) ctx.out.simple(f);
  }
}

const commandGetkeys = (ctx: ExecContext, argv: string[]): void => getkeysReply(ctx, argv, false);
const commandGetkeysAndFlags = (ctx: ExecContext, argv: string[]): void => getkeysReply(ctx, argv, true);

function commandHelp(ctx: ExecContext): void {
  helpReply(ctx.out, [
    'COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
    '(no subcommand)',
    '    Return details about all Redis commands.',
    'COUNT',
    '    Return the total number of commands in this Redis server.',
    'LIST',
    '    Return a list of all commands in this Redis server.',
    'INFO [<command-name> ...]',
    '    Return details about multiple Redis commands.',
    '    If no command names are given, documentation details for all',
    '    commands are returned.',
    'DOCS [<command-name> ...]',
    '    Return documentation details about multiple Redis commands.',
    '    If no command names are given, documentation details for all',
    '    commands are returned.',
    'GETKEYS <full-command>',
    '    Return the keys from a full Redis command.',
    'GETKEYSANDFLAGS <full-command>',
    '    Return the keys and the access flags from a full Redis command.',
    'HELP',
    '    Prints this help.',
  ]);
}

function shutdownCommand(ctx: ExecContext, argv: string[]): void {
  for (const a of argv.slice(1)) {
    if (!['nosave', 'save', 'now', 'force', 'abort'].includes(a.toLowerCase())) return ctx.out.error(Errors.syntax);
  }
  if (argv.slice(1).some((a) => a.toLowerCase() === 'abort')) return ctx.out.error('ERR No shutdown in progress.');
  const s = client(ctx).server;
  s.log.warn('User requested shutdown...');
  if (s.onShutdownRequest) s.onShutdownRequest();
  else ctx.out.error('ERR Errors trying to SHUTDOWN. Check logs.');
}

const sdoc = (summary: string, since: string, complexity = 'O(1)') => ({ group: 'server', summary, since, complexity });
const CMD_ACL = ['slow', 'connection'] as const;

const configSubcommands: CommandSpec[] = [
  cmd('config|get', -3, ['admin', 'noscript', 'loading', 'stale'], null, ['admin', 'slow', 'dangerous'], sdoc('Returns the effective values of configuration parameters.', '2.0.0'), configGet),
  cmd('config|set', -4, ['admin', 'noscript', 'loading', 'stale'], null, ['admin', 'slow', 'dangerous'], sdoc('Sets configuration parameters in-flight.', '2.0.0'), configSet),
  cmd('config|resetstat', 2, ['admin', 'noscript', 'loading', 'stale'], null, ['admin', 'slow', 'dangerous'], sdoc('Resets the server\'s statistics.', '2.0.0'), configResetstat),
  cmd('config|rewrite', 2, ['admin', 'noscript', 'loading', 'stale'], null, ['admin', 'slow', 'dangerous'], sdoc('Persists the effective configuration to file.', '2.8.0'), configRewrite),
  cmd('config|help', 2, ['loading', 'stale'], null, ['slow'], sdoc('Returns helpful text about the different subcommands.', '5.0.0'), configHelp),
];

const commandSubcommands: CommandSpec[] = [
  cmd('command|count', 2, ['loading', 'stale'], null, CMD_ACL, sdoc('Returns a count of commands.', '2.8.13'), commandCountCommand),
  cmd('command|info', -2, ['loading', 'stale'], null, CMD_ACL, sdoc('Returns information about one, multiple or all commands.', '2.8.13', 'O(N) where N is the number of commands to look up'), commandInfo),
  cmd('command|docs', -2, ['loading', 'stale'], null, CMD_ACL, sdoc('Returns documentary information about one, multiple or all commands.', '7.0.0', 'O(N) where N is the number of commands to look up'), commandDocs),
  cmd('command|list', -2, ['loading', 'stale'], null, CMD_ACL, sdoc('Returns a list of command names.', '7.0.0', 'O(N) where N is the total number of Redis commands'), commandList),
  cmd('command|getkeys', -4, ['loading', 'stale'], null, CMD_ACL, sdoc('Extracts the key names from an arbitrary command.', '2.8.13', 'O(N) where N is the number of arguments to the command'), commandGetkeys),
  cmd('command|getkeysandflags', -4, ['loading', 'stale'], null, CMD_ACL, sdoc('Extracts the key names and access flags for an arbitrary command.', '7.0.0', 'O(N) where N is the number of arguments to the command'), commandGetkeysAndFlags),
  cmd('command|help', 2, ['loading', 'stale'], null, CMD_ACL, sdoc('Returns helpful text about the different subcommands.', '5.0.0'), commandHelp),
];

export const serverCommands: CommandSpec[] = [
  cmd('info', -1, ['loading', 'stale'], null, ['slow', 'dangerous'], sdoc('Returns information and statistics about the server.', '1.0.0'), infoCommand),
  cmd('time', 1, ['loading', 'stale', 'fast'], null, ['fast'], sdoc('Returns the server time.', '2.6.0'), timeCommand),
  cmd('config', -2, [], null, ['slow'], sdoc('A container for server configuration commands.', '2.0.0', 'Depends on subcommand.'), undefined, configSubcommands),
  cmd('command', -1, ['loading', 'stale'], null, CMD_ACL, sdoc('Returns detailed information about all commands.', '2.8.13', 'O(N) where N is the total number of Redis commands'), commandCommand, commandSubcommands),
  cmd('shutdown', -1, ['admin', 'noscript', 'loading', 'stale', 'no_multi', 'allow_busy'], null, ['admin', 'slow', 'dangerous'], sdoc('Synchronously saves the database(s) to disk and shuts down the Redis server.', '1.0.0', 'O(N) when saving'), shutdownCommand),
];

defineCommands(serverCommands);
