/**
 * The generic key family (db.c, expire.c, object.c): existence, deletion, iteration, renaming,
 * expiry and introspection. Deletion is observed-remove (reference §3.1); expiry follows
 * reference §3.4 (see crdt/expiry.ts).
 */
import type { KeyOp, KeyRecord } from '../crdt/key.js';
import { dataVisible } from '../crdt/key.js';
import { observeExpiry } from '../crdt/expiry.js';
import type { CommandSpec, ExecContext } from './command-table.js';
import { cmd, defineCommands } from './command-table.js';
import type { Database } from './database.js';
import { Errors } from './reply.js';
import type { Reply } from './reply.js';
import { globMatch } from './glob.js';
import { redisTypeName, typeSupport } from './type-support.js';
import { setStringOps, stringValue } from './string-access.js';
import { parseInteger } from './numbers.js';
import { ENC_NOSHARE, encodingClass, idleSeconds, setEncodingClass, stringEncoding, stringRefcount } from './object-info.js';

const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);

function delCommand(ctx: ExecContext, argv: string[]): void {
  const { db } = ctx;
  let n = 0;
  for (let i = 1; i < argv.length; i++) {
    const r = db.lookupWrite(argv[i]!);
    if (r !== undefined) {
      db.deleteKey(argv[i]!, r);
      n++;
    }
  }
  ctx.out.integer(n);
}

function existsCommand(ctx: ExecContext, argv: string[]): void {
  // EXISTS counts hits and misses but leaves the access time alone (LOOKUP_NOTOUCH).
  let n = 0;
  for (let i = 1; i < argv.length; i++) if (ctx.db.lookupRead(argv[i]!, false) !== undefined) n++;
  ctx.out.integer(n);
}

function touchCommand(ctx: ExecContext, argv: string[]): void {
  let n = 0;
  for (let i = 1; i < argv.length; i++) if (ctx.db.lookupRead(argv[i]!) !== undefined) n++;
  ctx.out.integer(n);
}

function typeCommand(ctx: ExecContext, argv: string[]): void {
  const r = ctx.db.peek(argv[1]!);
  ctx.out.simple(r === undefined ? 'none' : redisTypeName(r.type));
}

/** Every visible, unexpired key (KEYS, and the walk SCAN does slot by slot). */
function liveKey(db: Database, key: string): KeyRecord | undefined {
  const r = db.keyspace.get(key);
  if (r === undefined || !dataVisible(r) || db.isExpired(r)) return undefined;
  return r;
}

function keysCommand(ctx: ExecContext, argv: string[]): void {
  const { db, out } = ctx;
  const pattern = argv[1]!;
  const all = pattern === '*';
  const found: string[] = [];
  for (const key of db.keyspace.records.keys()) {
    if ((all || globMatch(pattern, key)) && liveKey(db, key) !== undefined) found.push(key);
  }
  out.array(found.length);
  for (const k of found) out.bulk(k);
}

/** strtoul as parseScanCursorOrReply uses it: digits with an optional sign, nothing else. */
export function parseScanCursor(s: string, out: Reply): number | null {
  // strtoul: optional sign then digits; "" converts nothing and leaves no trailing text, so it
  // is cursor 0, while a lone sign is trailing text and invalid.
  const m = /^(?:[+-]?\d+)?$/.exec(s);
  if (m === null) {
    out.error('ERR invalid cursor');
    return null;
  }
  const digits = s.replace(/^[+-]/, '');
  if (digits === '') return 0;
  const v = BigInt(digits);
  if (v > 2n ** 64n - 1n) {
    out.error('ERR invalid cursor');
    return null;
  }
  // A negative cursor wraps to a huge unsigned value: past every slot.
  if (s.startsWith('-') && v !== 0n) return Number.MAX_SAFE_INTEGER;
  return v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(v);
}

export interface ScanOptions {
  count: number;
  pattern: string | null;
  type: string | null;
}

/** Parses COUNT / MATCH / TYPE from `from` on; replies the error and returns null when invalid. */
export function parseScanOptions(argv: string[], from: number, allowType: boolean, out: Reply): ScanOptions | null {
  const o: ScanOptions = { count: 10, pattern: null, type: null };
  let i = from;
  while (i < argv.length) {
    const j = argv.length - i;
    const opt = argv[i]!.toLowerCase();
    if (opt === 'count' && j >= 2) {
      const v = parseInteger(argv[i + 1]!);
      if (v === null) {
        out.error(Errors.notInteger);
        return null;
      }
      if (v < 1n) {
        out.error(Errors.syntax);
        return null;
      }
      o.count = v > 1000000n ? 1000000 : Number(v);
      i += 2;
    } else if (opt === 'match' && j >= 2) {
      const p = argv[i + 1]!;
      o.pattern = p === '*' ? null : p;
      i += 2;
    } else if (opt === 'type' && allowType && j >= 2) {
      o.type = argv[i + 1]!.toLowerCase();
      i += 2;
    } else {
      out.error(Errors.syntax);
      return null;
    }
  }
  return o;
}

function scanCommand(ctx: ExecContext, argv: string[]): void {
  const { db, out } = ctx;
  const cursor = parseScanCursor(argv[1]!, out);
  if (cursor === null) return;
  const o = parseScanOptions(argv, 2, true, out);
  if (o === null) return;
  const ks = db.keyspace;
  const found: string[] = [];
  let slot = cursor;
  let visited = 0;
  // Like Redis visiting `count` buckets: look at `count` occupied slots (a few more empty ones
  // are skipped for free), so a call does bounded work however sparse the table is.
  for (let skipped = 0; slot < ks.slotCount && visited < o.count && skipped < o.count * 10 + 100; slot++) {
    const key = ks.keyAtSlot(slot);
    if (key === undefined) {
      skipped++;
      continue;
    }
    visited++;
    const r = liveKey(db, key);
    if (r === undefined) continue;
    if (o.pattern !== null && !globMatch(o.pattern, key)) continue;
    if (o.type !== null && redisTypeName(r.type) !== o.type) continue;
    found.push(key);
  }
  const next = slot >= ks.slotCount ? 0 : slot;
  out.array(2);
  out.bulk(String(next));
  out.array(found.length);
  for (const k of found) out.bulk(k);
}

function randomkeyCommand(ctx: ExecContext): void {
  const { db, out } = ctx;
  const ks = db.keyspace;
  if (ks.visibleCount > 0 && ks.slotCount > 0) {
    for (let tries = 0; tries < 100; tries++) {
      const key = ks.keyAtSlot(Math.floor(db.random() * ks.slotCount));
      if (key !== undefined && db.peek(key) !== undefined) {
        out.bulk(key);
        return;
      }
    }
    for (const key of ks.records.keys()) {
      if (db.peek(key) !== undefined) {
        out.bulk(key);
        return;
      }
    }
  }
  out.nullBulk();
}

/** Operations that give `dst` the visible value (and expiry) of `src`, replacing what dst had. */
function copyOps(db: Database, src: KeyRecord, dst: KeyRecord | undefined, to: string, out: Reply): KeyOp[] | null {
  const exp = db.expiryOf(src);
  if (src.type === 'string') return setStringOps(dst, stringValue(src), false, exp === Infinity ? null : exp, (r) => db.removalOps(r));
  const support = typeSupport(src.type);
  if (support === undefined) {
    out.error(`ERR ${src.type} keys cannot be copied or renamed`);
    return null;
  }
  // Replace whatever the destination shows (observed-remove), then write the copy fresh.
  const ops: KeyOp[] = dst !== undefined ? db.removalOps(dst) : [];
  ops.push(...support.copyOps(src, { stored: db.keyspace.get(to), observed: db.clock }));
  if (exp !== Infinity) ops.push({ k: 'exp', e: { at: exp, obs: [] } });
  return ops;
}

function renameGeneric(ctx: ExecContext, argv: string[], nx: boolean): void {
  const { db, out } = ctx;
  const from = argv[1]!;
  const to = argv[2]!;
  const src = db.lookupWrite(from);
  if (src === undefined) {
    out.error(Errors.noSuchKey);
    return;
  }
  if (from === to) {
    if (nx) out.integer(0);
    else out.simple('OK');
    return;
  }
  const dst = db.lookupWrite(to);
  if (dst !== undefined && nx) {
    out.integer(0);
    return;
  }
  const ops = copyOps(db, src, dst, to, out);
  if (ops === null) return;
  const cls = encodingClass(src);
  db.write(to, ops);
  // RENAME moves Redis's object: the value keeps its encoding.
  setEncodingClass(db.keyspace.get(to)!, cls);
  db.deleteKey(from, src);
  if (nx) out.integer(1);
  else out.simple('OK');
}

function copyCommand(ctx: ExecContext, argv: string[]): void {
  const { db, out } = ctx;
  let replace = false;
  let dbid = 0n;
  for (let j = 3; j < argv.length; j++) {
    const opt = argv[j]!.toLowerCase();
    const additional = argv.length - 1 - j;
    if (opt === 'replace') replace = true;
    else if (opt === 'db' && additional > 0) {
      const v = parseInteger(argv[j + 1]!);
      if (v === null) {
        out.error(Errors.notInteger);
        return;
      }
      dbid = v;
      j++;
    } else {
      out.error(Errors.syntax);
      return;
    }
  }
  if (dbid !== 0n) {
    out.error('ERR DB index is out of range');
    return;
  }
  if (argv[1] === argv[2]) {
    out.error('ERR source and destination objects are the same');
    return;
  }
  const src = db.lookupRead(argv[1]!);
  if (src === undefined) {
    out.integer(0);
    return;
  }
  const dst = db.lookupWrite(argv[2]!);
  if (dst !== undefined && !replace) {
    out.integer(0);
    return;
  }
  const ops = copyOps(db, src, dst, argv[2]!, out);
  if (ops === null) return;
  const cls = encodingClass(src);
  db.write(argv[2]!, ops);
  // COPY duplicates the object: same encoding, never a shared integer.
  setEncodingClass(db.keyspace.get(argv[2]!)!, cls | ENC_NOSHARE);
  out.integer(1);
}

// ---- expiry ----------------------------------------------------------------------------------

const NX = 1;
const XX = 2;
const GT = 4;
const LT = 8;

function expireGeneric(ctx: ExecContext, argv: string[], base: 'now' | 'zero', unitSeconds: boolean): void {
  const { db, out } = ctx;
  let flags = 0;
  for (let j = 3; j < argv.length; j++) {
    const opt = argv[j]!.toLowerCase();
    if (opt === 'nx') flags |= NX;
    else if (opt === 'xx') flags |= XX;
    else if (opt === 'gt') flags |= GT;
    else if (opt === 'lt') flags |= LT;
    else {
      out.error(`ERR Unsupported option ${argv[j]}`);
      return;
    }
  }
  if (flags & NX && flags & (XX | GT | LT)) {
    out.error('ERR NX and XX, GT or LT options at the same time are not compatible');
    return;
  }
  if (flags & GT && flags & LT) {
    out.error('ERR GT and LT options at the same time are not compatible');
    return;
  }
  const v = parseInteger(argv[2]!);
  if (v === null) {
    out.error(Errors.notInteger);
    return;
  }
  const cmdName = argv[0]!.toLowerCase();
  let when = v;
  if (unitSeconds) {
    if (when > INT64_MAX / 1000n || when < INT64_MIN / 1000n) {
      out.error(`ERR invalid expire time in '${cmdName}' command`);
      return;
    }
    when *= 1000n;
  }
  const basetime = base === 'now' ? BigInt(db.now) : 0n;
  if (when > INT64_MAX - basetime) {
    out.error(`ERR invalid expire time in '${cmdName}' command`);
    return;
  }
  when += basetime;
  const key = argv[1]!;
  const r = db.lookupWrite(key);
  if (r === undefined) {
    out.integer(0);
    return;
  }
  if (flags) {
    const cur = db.expiryOf(r);
    const has = cur !== Infinity;
    const curB = has ? BigInt(cur) : -1n;
    if (flags & NX && has) return out.integer(0);
    if (flags & XX && !has) return out.integer(0);
    if (flags & GT && (when <= curB || !has)) return out.integer(0);
    if (flags & LT && has && when >= curB) return out.integer(0);
  }
  if (when <= BigInt(db.now)) {
    db.deleteKey(key, r);
    db.stats.expiredKeys++;
  } else {
    db.write(key, [{ k: 'exp', e: { at: Number(when), obs: observeExpiry(r.env?.exp ?? null) } }]);
  }
  out.integer(1);
}

function ttlGeneric(ctx: ExecContext, argv: string[], ms: boolean): void {
  const { db, out } = ctx;
  const r = db.peek(argv[1]!);
  if (r === undefined) return out.integer(-2);
  const exp = db.expiryOf(r);
  if (exp === Infinity) return out.integer(-1);
  const ttl = Math.max(0, exp - db.now);
  out.integer(ms ? ttl : Math.floor((ttl + 500) / 1000));
}

function expiretimeGeneric(ctx: ExecContext, argv: string[], ms: boolean): void {
  const { db, out } = ctx;
  const r = db.peek(argv[1]!);
  if (r === undefined) return out.integer(-2);
  const exp = db.expiryOf(r);
  if (exp === Infinity) return out.integer(-1);
  out.integer(ms ? exp : Math.floor(exp / 1000));
}

function persistCommand(ctx: ExecContext, argv: string[]): void {
  const { db, out } = ctx;
  const key = argv[1]!;
  const r = db.lookupWrite(key);
  if (r === undefined) return out.integer(0);
  // PERSIST writes an infinite expiry, which beats any concurrent finite TTL — even when this
  // instance sees no TTL and replies 0 as Redis does, since a concurrent EXPIRE elsewhere must
  // still lose to it (TV-EXP-02). A key that already shows PERSIST's "never" needs nothing.
  const had = db.expiryOf(r) !== Infinity;
  const entries = r.env?.exp?.entries ?? [];
  if (had || !entries.some((e) => e.at === Infinity)) db.write(key, [{ k: 'exp', e: { at: Infinity, obs: observeExpiry(r.env?.exp ?? null) } }]);
  out.integer(had ? 1 : 0);
}

// ---- OBJECT ----------------------------------------------------------------------------------

function objectLookup(ctx: ExecContext, argv: string[]): KeyRecord | undefined {
  const r = ctx.db.peek(argv[2]!);
  if (r === undefined) ctx.out.nullBulk();
  return r;
}

/** OBJECT ENCODING for a record (strings as Redis's write paths leave them, see object-info.ts). */
export function encodingOf(r: KeyRecord): string {
  if (r.type === 'string') return stringEncoding(r, stringValue(r));
  return typeSupport(r.type)?.encoding(r) ?? r.type;
}

function objectEncoding(ctx: ExecContext, argv: string[]): void {
  const r = objectLookup(ctx, argv);
  if (r !== undefined) ctx.out.bulk(encodingOf(r));
}

function objectRefcount(ctx: ExecContext, argv: string[]): void {
  const r = objectLookup(ctx, argv);
  if (r === undefined) return;
  ctx.out.integer(r.type === 'string' ? stringRefcount(r, stringValue(r)) : 1);
}

const LFU_NOTE = ' Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.';

function objectIdletime(ctx: ExecContext, argv: string[]): void {
  const r = objectLookup(ctx, argv);
  if (r === undefined) return;
  if (ctx.db.config.lfu) return ctx.out.error('ERR An LFU maxmemory policy is selected, idle time not tracked.' + LFU_NOTE);
  ctx.out.integer(idleSeconds(r, r.type === 'string' ? stringValue(r) : null, ctx.db.now, ctx.db.epoch, ctx.db.sharedIntegers));
}

function objectFreq(ctx: ExecContext, argv: string[]): void {
  const r = objectLookup(ctx, argv);
  if (r === undefined) return;
  if (!ctx.db.config.lfu) return ctx.out.error('ERR An LFU maxmemory policy is not selected, access frequency not tracked.' + LFU_NOTE);
  ctx.out.integer(0);
}

function objectHelp(ctx: ExecContext): void {
  const lines = [
    'OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
    'ENCODING <key>',
    '    Return the kind of internal representation used in order to store the value',
    '    associated with a <key>.',
    'FREQ <key>',
    '    Return the access frequency index of the <key>. The returned integer is',
    '    proportional to the logarithm of the recent access frequency of the key.',
    'IDLETIME <key>',
    '    Return the idle time of the <key>, that is the approximated number of',
    '    seconds elapsed since the last access to the key.',
    'REFCOUNT <key>',
    '    Return the number of references of the value associated with the specified',
    '    <key>.',
    'HELP',
    '    Prints this help.',
  ];
  ctx.out.array(lines.length);
  for (const l of lines) ctx.out.simple(l);
}

function dbsizeCommand(ctx: ExecContext): void {
  ctx.out.integer(ctx.db.keyspace.visibleCount);
}

function flushGeneric(ctx: ExecContext, argv: string[]): void {
  const { db, out } = ctx;
  if (argv.length > 2 || (argv.length === 2 && !['async', 'sync'].includes(argv[1]!.toLowerCase()))) {
    out.error(Errors.syntax);
    return;
  }
  if (db.config.activeActive) {
    const name = argv[0]!.toUpperCase();
    out.error(
      `ERR ${name} is not supported on an Active-Active database: flush every instance together with 'crdb-cli crdb flush --crdb-guid <guid>' (REST: PUT /v1/crdbs/<guid>/flush)`,
    );
    return;
  }
  db.flush();
  out.simple('OK');
}

const gdoc = (summary: string, since: string, complexity = 'O(1)') => ({ group: 'generic', summary, since, complexity });
const odoc = (summary: string, since: string) => ({ group: 'generic', summary, since, complexity: 'O(1)' });
const expireDoc = (what: string, since: string) => gdoc(what, since);

const objectSubcommands: CommandSpec[] = [
  cmd('object|encoding', 3, ['readonly'], [2, 2, 1], ['keyspace', 'read', 'slow'], odoc('Returns the internal encoding of a Redis object.', '2.2.3'), objectEncoding),
  cmd('object|freq', 3, ['readonly'], [2, 2, 1], ['keyspace', 'read', 'slow'], odoc('Returns the logarithmic access frequency counter of a Redis object.', '4.0.0'), objectFreq),
  cmd('object|idletime', 3, ['readonly'], [2, 2, 1], ['keyspace', 'read', 'slow'], odoc('Returns the time since the last access to a Redis object.', '2.2.3'), objectIdletime),
  cmd('object|refcount', 3, ['readonly'], [2, 2, 1], ['keyspace', 'read', 'slow'], odoc('Returns the reference count of a value of a key.', '2.2.3'), objectRefcount),
  cmd('object|help', 2, ['loading', 'stale'], null, ['keyspace', 'slow'], odoc('Returns helpful text about the different subcommands.', '6.2.0'), objectHelp),
];

export const keyCommands: CommandSpec[] = [
  cmd('del', -2, ['write'], [1, -1, 1], ['keyspace', 'write', 'slow'], gdoc('Deletes one or more keys.', '1.0.0', 'O(N)'), delCommand),
  cmd('unlink', -2, ['write', 'fast'], [1, -1, 1], ['keyspace', 'write', 'fast'], gdoc('Asynchronously deletes one or more keys.', '4.0.0', 'O(1) for each key removed regardless of its size.'), delCommand),
  cmd('exists', -2, ['readonly', 'fast'], [1, -1, 1], ['keyspace', 'read', 'fast'], gdoc('Determines whether one or more keys exist.', '1.0.0', 'O(N) where N is the number of keys to check.'), existsCommand),
  cmd('touch', -2, ['readonly', 'fast'], [1, -1, 1], ['keyspace', 'read', 'fast'], gdoc('Returns the number of existing keys out of those specified after updating the time they were last accessed.', '3.2.1', 'O(N) where N is the number of keys that will be touched.'), touchCommand),
  cmd('type', 2, ['readonly', 'fast'], [1, 1, 1], ['keyspace', 'read', 'fast'], gdoc('Determines the type of value stored at a key.', '1.0.0'), typeCommand),
  cmd('keys', 2, ['readonly'], null, ['keyspace', 'read', 'slow', 'dangerous'], gdoc('Returns all key names that match a pattern.', '1.0.0', 'O(N)'), keysCommand),
  cmd('scan', -2, ['readonly'], null, ['keyspace', 'read', 'slow'], gdoc('Iterates over the key names in the database.', '2.8.0', 'O(1) for every call. O(N) for a complete iteration.'), scanCommand),
  cmd('randomkey', 1, ['readonly'], null, ['keyspace', 'read', 'slow'], gdoc('Returns a random key name from the database.', '1.0.0'), randomkeyCommand),
  cmd('rename', 3, ['write'], [1, 2, 1], ['keyspace', 'write', 'slow'], gdoc('Renames a key and overwrites the destination.', '1.0.0'), (c, a) => renameGeneric(c, a, false)),
  cmd('renamenx', 3, ['write', 'fast'], [1, 2, 1], ['keyspace', 'write', 'fast'], gdoc('Renames a key only when the target key name doesn\'t exist.', '1.0.0'), (c, a) => renameGeneric(c, a, true)),
  cmd('copy', -3, ['write', 'denyoom'], [1, 2, 1], ['keyspace', 'write', 'slow'], gdoc('Copies the value of a key to a new key.', '6.2.0', 'O(N) worst case for collections'), copyCommand),
  cmd('expire', -3, ['write', 'fast'], [1, 1, 1], ['keyspace', 'write', 'fast'], expireDoc('Sets the expiration time of a key in seconds.', '1.0.0'), (c, a) => expireGeneric(c, a, 'now', true)),
  cmd('pexpire', -3, ['write', 'fast'], [1, 1, 1], ['keyspace', 'write', 'fast'], expireDoc('Sets the expiration time of a key in milliseconds.', '2.6.0'), (c, a) => expireGeneric(c, a, 'now', false)),
  cmd('expireat', -3, ['write', 'fast'], [1, 1, 1], ['keyspace', 'write', 'fast'], expireDoc('Sets the expiration time of a key to a Unix timestamp.', '1.2.0'), (c, a) => expireGeneric(c, a, 'zero', true)),
  cmd('pexpireat', -3, ['write', 'fast'], [1, 1, 1], ['keyspace', 'write', 'fast'], expireDoc('Sets the expiration time of a key to a Unix milliseconds timestamp.', '2.6.0'), (c, a) => expireGeneric(c, a, 'zero', false)),
  cmd('ttl', 2, ['readonly', 'fast'], [1, 1, 1], ['keyspace', 'read', 'fast'], gdoc('Returns the expiration time in seconds of a key.', '1.0.0'), (c, a) => ttlGeneric(c, a, false)),
  cmd('pttl', 2, ['readonly', 'fast'], [1, 1, 1], ['keyspace', 'read', 'fast'], gdoc('Returns the expiration time in milliseconds of a key.', '2.6.0'), (c, a) => ttlGeneric(c, a, true)),
  cmd('expiretime', 2, ['readonly', 'fast'], [1, 1, 1], ['keyspace', 'read', 'fast'], gdoc('Returns the expiration time of a key as a Unix timestamp.', '7.0.0'), (c, a) => expiretimeGeneric(c, a, false)),
  cmd('pexpiretime', 2, ['readonly', 'fast'], [1, 1, 1], ['keyspace', 'read', 'fast'], gdoc('Returns the expiration time of a key as a Unix milliseconds timestamp.', '7.0.0'), (c, a) => expiretimeGeneric(c, a, true)),
  cmd('persist', 2, ['write', 'fast'], [1, 1, 1], ['keyspace', 'write', 'fast'], gdoc('Removes the expiration time of a key.', '2.2.0'), persistCommand),
  cmd('object', -2, [], null, ['slow'], gdoc('A container for object introspection commands.', '2.2.3', 'Depends on subcommand.'), undefined, objectSubcommands),
  cmd('dbsize', 1, ['readonly', 'fast'], null, ['keyspace', 'read', 'fast'], { group: 'server', summary: 'Returns the number of keys in the database.', since: '1.0.0', complexity: 'O(1)' }, dbsizeCommand),
  cmd('flushall', -1, ['write'], null, ['keyspace', 'write', 'slow', 'dangerous'], { group: 'server', summary: 'Removes all keys from all databases.', since: '1.0.0', complexity: 'O(N)' }, flushGeneric),
  cmd('flushdb', -1, ['write'], null, ['keyspace', 'write', 'slow', 'dangerous'], { group: 'server', summary: 'Remove all keys from the current database.', since: '1.0.0', complexity: 'O(N)' }, flushGeneric),
];

defineCommands(keyCommands);
