/**
 * SAVE, BGSAVE, BGREWRITEAOF and LASTSAVE with Redis's replies. SAVE answers once the snapshot
 * is durable but does not stop the server meanwhile (the snapshot is written in slices): the
 * client waits like a blocked client.
 */
import type { ExecContext } from '../engine/command-table.js';
import { cmd, defineCommands } from '../engine/command-table.js';
import { Errors } from '../engine/reply.js';
import type { Client } from '../server/client.js';
import { persistenceOf } from './server-persistence.js';
import type { ServerPersistence } from './server-persistence.js';

const DISABLED = 'ERR persistence is disabled on this instance (start it with --persistence aof or --persistence snapshot)';

function client(ctx: ExecContext): Client {
  return ctx.session as Client;
}

function persistence(ctx: ExecContext): ServerPersistence | null {
  const sp = persistenceOf(client(ctx).server);
  if (sp === undefined) ctx.out.error(DISABLED);
  return sp ?? null;
}

function saveCommand(ctx: ExecContext): void {
  const sp = persistence(ctx);
  if (sp === null) return;
  const r = sp.p.startSnapshot('save');
  if ('error' in r) return ctx.out.error(r.error.startsWith('ERR Background save') ? 'ERR Background save already in progress' : r.error);
  const c = client(ctx);
  const server = c.server;
  server.block(c);
  void r.done.then(() => {
    if (sp.p.lastBgsaveStatus === 'ok') c.out.simple('OK');
    else c.out.error('ERR');
    server.unblock(c);
  });
}

function bgsaveCommand(ctx: ExecContext, argv: string[]): void {
  if (argv.length > 2 || (argv.length === 2 && argv[1]!.toLowerCase() !== 'schedule')) return ctx.out.error(Errors.syntax);
  const sp = persistence(ctx);
  if (sp === null) return;
  if (argv.length === 2 && sp.p.bgInProgress !== null) {
    sp.p.scheduled = true;
    return ctx.out.simple('Background saving scheduled');
  }
  const r = sp.p.startSnapshot('save');
  if ('error' in r) return ctx.out.error(r.error);
  ctx.out.simple('Background saving started');
}

function bgrewriteaofCommand(ctx: ExecContext): void {
  const sp = persistence(ctx);
  if (sp === null) return;
  if (!sp.p.aofEnabled) return ctx.out.error('ERR the effect log is off on this instance (--persistence snapshot): use BGSAVE');
  const r = sp.p.startSnapshot('rewrite');
  if ('error' in r) return ctx.out.error(r.error);
  ctx.out.simple('Background append only file rewriting started');
}

function lastsaveCommand(ctx: ExecContext): void {
  const sp = persistenceOf(client(ctx).server);
  const t = sp === undefined ? client(ctx).server.stats.startedAt : sp.p.lastSaveTime;
  ctx.out.integer(Math.floor(t / 1000));
}

const doc = (summary: string, since: string, complexity = 'O(1)') => ({ group: 'server', summary, since, complexity });
const ADMIN = ['admin', 'slow', 'dangerous'];

defineCommands([
  cmd('save', 1, ['admin', 'noscript', 'no_multi'], null, ADMIN, doc('Synchronously saves the database(s) to disk.', '1.0.0', 'O(N) where N is the total number of keys in all databases'), saveCommand),
  cmd('bgsave', -1, ['admin', 'noscript'], null, ADMIN, doc('Asynchronously saves the database(s) to disk.', '1.0.0', 'O(1)'), bgsaveCommand),
  cmd('bgrewriteaof', 1, ['admin', 'noscript'], null, ADMIN, doc('Asynchronously rewrites the append-only file to disk.', '1.0.0', 'O(1)'), bgrewriteaofCommand),
  cmd('lastsave', 1, ['loading', 'stale', 'fast'], null, ['fast', 'dangerous'], doc('Returns the Unix timestamp of the last successful save to disk.', '1.0.0'), lastsaveCommand),
]);
