/**
 * The string family (t_string.c): GET/SET and friends, counters, ranges, LCS. Replies and error
 * texts follow Redis 7.0; the conflict rules are reference §2.1–2.2 (see string-access.ts).
 */
import type { KeyRecord } from '../crdt/key.js';
import * as D from '../crdt/dyadic.js';
import { incrementIsFresh } from '../crdt/string-value.js';
import type { CommandSpec, ExecContext } from './command-table.js';
import { cmd, defineCommands } from './command-table.js';
import { Errors } from './reply.js';
import type { Reply } from './reply.js';
import type { Database } from './database.js';
import { exactNumericValue, setStringOps, stringLength, stringValue } from './string-access.js';
import { incrByFloat, parseInteger, parseLongDouble } from './numbers.js';
import { ENC_FRESH, ENC_RAW, setEncodingClass } from './object-info.js';
import { stringView } from './type-support.js';

const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);
/** V8's longest string: values beyond it cannot be held, whatever proto-max-bulk-len says. */
const MAX_STRING = 0x1fffffe8;

/** The visible record if it is a string; replies WRONGTYPE and returns null for other types. */
export function stringOrWrongType(r: KeyRecord | undefined, out: Reply): KeyRecord | undefined | null {
  if (r !== undefined && r.type !== 'string') {
    out.error(Errors.wrongType);
    return null;
  }
  return r;
}

/** Parses an int64 argument; replies the Redis error and returns null when invalid. */
export function intArg(s: string, out: Reply): bigint | null {
  const v = parseInteger(s);
  if (v === null) out.error(Errors.notInteger);
  return v;
}

/** checkStringLength: the value a write would produce must fit proto-max-bulk-len. */
export function checkStringLength(db: Database, total: number, out: Reply): boolean {
  if (total > db.config.protoMaxBulkLen || total > MAX_STRING) {
    out.error('ERR string exceeds maximum allowed size (proto-max-bulk-len)');
    return false;
  }
  return true;
}

// ---- SET and its option parser (parseExtendedStringArgumentsOrReply) ------------------------

const F_NX = 1;
const F_XX = 2;
const F_GET = 4;
const F_KEEPTTL = 8;
const F_PERSIST = 16;
const F_EX = 32;
const F_PX = 64;
const F_EXAT = 128;
const F_PXAT = 256;
const F_ANY_EXPIRE = F_EX | F_PX | F_EXAT | F_PXAT;

interface ExtendedArgs {
  flags: number;
  expire: string | null;
}

function parseExtended(argv: string[], from: number, forSet: boolean, out: Reply): ExtendedArgs | null {
  let flags = 0;
  let expire: string | null = null;
  for (let j = from; j < argv.length; j++) {
    const opt = argv[j]!.toLowerCase();
    const hasNext = j < argv.length - 1;
    if (opt === 'nx' && !(flags & F_XX) && forSet) flags |= F_NX;
    else if (opt === 'xx' && !(flags & F_NX) && forSet) flags |= F_XX;
    else if (opt === 'get' && forSet) flags |= F_GET;
    else if (opt === 'keepttl' && !(flags & (F_PERSIST | F_ANY_EXPIRE)) && forSet) flags |= F_KEEPTTL;
    else if (opt === 'persist' && !forSet && !(flags & (F_ANY_EXPIRE | F_KEEPTTL))) flags |= F_PERSIST;
    else if (opt === 'ex' && !(flags & (F_KEEPTTL | F_PERSIST | F_EXAT | F_PX | F_PXAT)) && hasNext) {
      flags |= F_EX;
      expire = argv[++j]!;
    } else if (opt === 'px' && !(flags & (F_KEEPTTL | F_PERSIST | F_EX | F_EXAT | F_PXAT)) && hasNext) {
      flags |= F_PX;
      expire = argv[++j]!;
    } else if (opt === 'exat' && !(flags & (F_KEEPTTL | F_PERSIST | F_EX | F_PX | F_PXAT)) && hasNext) {
      flags |= F_EXAT;
      expire = argv[++j]!;
    } else if (opt === 'pxat' && !(flags & (F_KEEPTTL | F_PERSIST | F_EX | F_EXAT | F_PX)) && hasNext) {
      flags |= F_PXAT;
      expire = argv[++j]!;
    } else {
      out.error(Errors.syntax);
      return null;
    }
  }
  return { flags, expire };
}

/**
 * getExpireMillisecondsOrReply: the absolute expiry in Unix ms for an EX/PX/EXAT/PXAT argument,
 * or null after replying the error.
 */
function expireMillis(db: Database, arg: string, flags: number, command: string, out: Reply): number | null {
  const v = parseInteger(arg);
  if (v === null) {
    out.error(Errors.notInteger);
    return null;
  }
  const seconds = (flags & (F_EX | F_EXAT)) !== 0;
  if (v <= 0n || (seconds && v > INT64_MAX / 1000n)) {
    out.error(`ERR invalid expire time in '${command}' command`);
    return null;
  }
  let ms = seconds ? v * 1000n : v;
  if (flags & (F_EX | F_PX)) ms += BigInt(db.now);
  if (ms > INT64_MAX) {
    // Redis's signed addition wraps negative here and reports the same error.
    out.error(`ERR invalid expire time in '${command}' command`);
    return null;
  }
  return Number(ms);
}

/**
 * What reads show of a visible record: a string's value, or the bytes of a value Redis stores as
 * a string (an HLL, type-support.ts); undefined for other types (WRONGTYPE).
 */
function readableText(r: KeyRecord): string | undefined {
  return r.type === 'string' ? stringValue(r) : stringView(r);
}

function replyStringOf(r: KeyRecord | undefined, out: Reply): boolean {
  if (r === undefined) {
    out.nullBulk();
    return true;
  }
  const text = readableText(r);
  if (text === undefined) {
    out.error(Errors.wrongType);
    return false;
  }
  out.bulk(text);
  return true;
}

interface SetCall {
  flags: number;
  key: string;
  value: string;
  expire: string | null;
  command: string;
  okReply: ((out: Reply) => void) | null;
  abortReply: ((out: Reply) => void) | null;
}

function setGeneric(ctx: ExecContext, c: SetCall): void {
  const { db, out } = ctx;
  let when: number | null = null;
  if (c.expire !== null) {
    when = expireMillis(db, c.expire, c.flags, c.command, out);
    if (when === null) return;
  }
  if (c.flags & F_GET) {
    if (!replyStringOf(db.lookupRead(c.key), out)) return;
  }
  const existing = db.lookupWrite(c.key);
  if ((c.flags & F_NX && existing !== undefined) || (c.flags & F_XX && existing === undefined)) {
    if (!(c.flags & F_GET)) {
      if (c.abortReply) c.abortReply(out);
      else out.nullBulk();
    }
    return;
  }
  db.write(c.key, setStringOps(existing, c.value, (c.flags & F_KEEPTTL) !== 0, when, (r) => db.removalOps(r)));
  if (!(c.flags & F_GET)) {
    if (c.okReply) c.okReply(out);
    else out.simple('OK');
  }
}

function setCommand(ctx: ExecContext, argv: string[]): void {
  const a = parseExtended(argv, 3, true, ctx.out);
  if (a === null) return;
  setGeneric(ctx, { flags: a.flags, key: argv[1]!, value: argv[2]!, expire: a.expire, command: 'set', okReply: null, abortReply: null });
}

const one = (out: Reply) => out.integer(1);
const zero = (out: Reply) => out.integer(0);

function setnxCommand(ctx: ExecContext, argv: string[]): void {
  setGeneric(ctx, { flags: F_NX, key: argv[1]!, value: argv[2]!, expire: null, command: 'setnx', okReply: one, abortReply: zero });
}

function setexCommand(ctx: ExecContext, argv: string[]): void {
  setGeneric(ctx, { flags: F_EX, key: argv[1]!, value: argv[3]!, expire: argv[2]!, command: 'setex', okReply: null, abortReply: null });
}

function psetexCommand(ctx: ExecContext, argv: string[]): void {
  setGeneric(ctx, { flags: F_PX, key: argv[1]!, value: argv[3]!, expire: argv[2]!, command: 'psetex', okReply: null, abortReply: null });
}

function getCommand(ctx: ExecContext, argv: string[]): void {
  const r = ctx.db.lookupRead(argv[1]!);
  if (r === undefined) ctx.out.nullBulk();
  else if (r.type !== 'string') replyStringOf(r, ctx.out);
  else ctx.out.bulk(r.x === null ? r.v : stringValue(r));
}

function getexCommand(ctx: ExecContext, argv: string[]): void {
  const { db, out } = ctx;
  const a = parseExtended(argv, 2, false, out);
  if (a === null) return;
  const key = argv[1]!;
  const r = db.lookupRead(key);
  if (r === undefined) {
    out.nullBulk();
    return;
  }
  if (r.type !== 'string') {
    out.error(Errors.wrongType);
    return;
  }
  let when: number | null = null;
  if (a.expire !== null) {
    when = expireMillis(db, a.expire, a.flags, 'getex', out);
    if (when === null) return;
  }
  out.bulk(stringValue(r));
  const obs = observedExpiry(r);
  if (a.flags & (F_EXAT | F_PXAT) && when !== null && when <= db.now) db.deleteKey(key, r);
  else if (when !== null) db.write(key, [{ k: 'exp', e: { at: when, obs } }]);
  else if (a.flags & F_PERSIST && db.expiryOf(r) !== Infinity) db.write(key, [{ k: 'exp', e: { at: Infinity, obs } }]);
}

function observedExpiry(r: KeyRecord) {
  return (r.env?.exp?.entries ?? []).map((e) => ({ origin: e.origin, seq: e.seq }));
}

function getdelCommand(ctx: ExecContext, argv: string[]): void {
  const { db, out } = ctx;
  const key = argv[1]!;
  const r = db.lookupRead(key);
  if (!replyStringOf(r, out) || r === undefined) return;
  db.deleteKey(key, r);
}

function getsetCommand(ctx: ExecContext, argv: string[]): void {
  const { db, out } = ctx;
  const key = argv[1]!;
  if (!replyStringOf(db.lookupRead(key), out)) return;
  db.write(key, setStringOps(db.lookupWrite(key), argv[2]!, false, null, (r) => db.removalOps(r)));
}

function mgetCommand(ctx: ExecContext, argv: string[]): void {
  const { db, out } = ctx;
  out.array(argv.length - 1);
  for (let i = 1; i < argv.length; i++) {
    const r = db.lookupRead(argv[i]!);
    const text = r === undefined ? undefined : readableText(r);
    if (text === undefined) out.nullBulk();
    else out.bulk(text);
  }
}

function msetGeneric(ctx: ExecContext, argv: string[], nx: boolean): void {
  const { db, out } = ctx;
  if (argv.length % 2 === 0) {
    out.error(Errors.arity(nx ? 'msetnx' : 'mset'));
    return;
  }
  if (nx) {
    for (let i = 1; i < argv.length; i += 2) {
      if (db.lookupWrite(argv[i]!) !== undefined) {
        out.integer(0);
        return;
      }
    }
  }
  for (let i = 1; i < argv.length; i += 2) {
    const key = argv[i]!;
    db.write(key, setStringOps(db.lookupWrite(key), argv[i + 1]!, false, null, (r) => db.removalOps(r)));
  }
  if (nx) out.integer(1);
  else out.simple('OK');
}

function appendCommand(ctx: ExecContext, argv: string[]): void {
  const { db, out } = ctx;
  const key = argv[1]!;
  const r = stringOrWrongType(db.lookupWrite(key), out);
  if (r === null) return;
  const add = argv[2]!;
  if (r === undefined) {
    db.write(key, setStringOps(undefined, add, true, null, (x) => db.removalOps(x)));
    out.integer(add.length);
    return;
  }
  const cur = stringValue(r);
  if (!checkStringLength(db, cur.length + add.length, out)) return;
  const next = cur + add;
  db.write(key, setStringOps(r, next, true, null, (x) => db.removalOps(x)));
  setEncodingClass(r, ENC_RAW);
  out.integer(next.length);
}

function strlenCommand(ctx: ExecContext, argv: string[]): void {
  const r = ctx.db.lookupRead(argv[1]!);
  const view = r === undefined || r.type === 'string' ? undefined : stringView(r);
  if (view !== undefined) return ctx.out.integer(view.length);
  if (stringOrWrongType(r, ctx.out) === null) return;
  ctx.out.integer(r === undefined ? 0 : stringLength(r));
}

function getrangeCommand(ctx: ExecContext, argv: string[]): void {
  const { db, out } = ctx;
  const s0 = intArg(argv[2]!, out);
  if (s0 === null) return;
  const e0 = intArg(argv[3]!, out);
  if (e0 === null) return;
  const r = db.lookupRead(argv[1]!);
  if (r === undefined) {
    out.bulk('');
    return;
  }
  const str = readableText(r);
  if (str === undefined) {
    out.error(Errors.wrongType);
    return;
  }
  const len = BigInt(str.length);
  let start = s0;
  let end = e0;
  if (start < 0n && end < 0n && start > end) {
    out.bulk('');
    return;
  }
  if (start < 0n) start = len + start;
  if (end < 0n) end = len + end;
  if (start < 0n) start = 0n;
  if (end < 0n) end = 0n;
  if (end >= len) end = len - 1n;
  if (start > end || len === 0n) out.bulk('');
  else out.bulk(str.slice(Number(start), Number(end) + 1));
}

function setrangeCommand(ctx: ExecContext, argv: string[]): void {
  const { db, out } = ctx;
  const key = argv[1]!;
  const off = intArg(argv[2]!, out);
  if (off === null) return;
  if (off < 0n) {
    out.error('ERR offset is out of range');
    return;
  }
  const value = argv[3]!;
  const r = stringOrWrongType(db.lookupWrite(key), out);
  if (r === null) return;
  const cur = r === undefined ? '' : stringValue(r);
  if (value.length === 0) {
    out.integer(cur.length);
    return;
  }
  if (off > BigInt(Number.MAX_SAFE_INTEGER) || !checkStringLength(db, Number(off) + value.length, out)) {
    if (off > BigInt(Number.MAX_SAFE_INTEGER)) out.error('ERR string exceeds maximum allowed size (proto-max-bulk-len)');
    return;
  }
  const o = Number(off);
  const padded = cur.length < o ? cur + '\0'.repeat(o - cur.length) : cur;
  const next = padded.slice(0, o) + value + padded.slice(o + value.length);
  db.write(key, setStringOps(r, next, true, null, (x) => db.removalOps(x)));
  setEncodingClass(db.keyspace.get(key)!, ENC_RAW);
  out.integer(next.length);
}

// ---- counters ------------------------------------------------------------------------------

function incrBy(ctx: ExecContext, key: string, incr: bigint): void {
  const { db, out } = ctx;
  const r = stringOrWrongType(db.lookupWrite(key), out);
  if (r === null) return;
  let cur = 0n;
  if (r !== undefined) {
    const v = parseInteger(stringValue(r));
    if (v === null) {
      out.error(Errors.notInteger);
      return;
    }
    cur = v;
  }
  if ((incr < 0n && cur < 0n && incr < INT64_MIN - cur) || (incr > 0n && cur > 0n && incr > INT64_MAX - cur)) {
    out.error(Errors.overflow);
    return;
  }
  const fresh = r === undefined || incrementIsFresh(r, db.instanceId);
  db.write(key, [{ k: 'str', e: { t: 'incr', d: D.fromBigInt(incr), fresh } }]);
  out.integer(cur + incr);
}

function incrCommand(ctx: ExecContext, argv: string[]): void {
  incrBy(ctx, argv[1]!, 1n);
}

function decrCommand(ctx: ExecContext, argv: string[]): void {
  incrBy(ctx, argv[1]!, -1n);
}

function incrbyCommand(ctx: ExecContext, argv: string[]): void {
  const n = intArg(argv[2]!, ctx.out);
  if (n !== null) incrBy(ctx, argv[1]!, n);
}

function decrbyCommand(ctx: ExecContext, argv: string[]): void {
  const n = intArg(argv[2]!, ctx.out);
  if (n === null) return;
  if (n === INT64_MIN) {
    ctx.out.error('ERR decrement would overflow');
    return;
  }
  incrBy(ctx, argv[1]!, -n);
}

function incrbyfloatCommand(ctx: ExecContext, argv: string[]): void {
  const { db, out } = ctx;
  const key = argv[1]!;
  const r = stringOrWrongType(db.lookupWrite(key), out);
  if (r === null) return;
  let exact: D.Dyadic = D.ZERO;
  let shown: D.Dyadic | 'inf' | '-inf' | null = D.ZERO;
  if (r !== undefined) {
    shown = parseLongDouble(stringValue(r));
    if (shown === null) {
      out.error(Errors.notFloat);
      return;
    }
    // A stored "inf" parses (as in Redis); the sum is then infinite, reported below.
    if (typeof shown !== 'string') exact = exactNumericValue(r) ?? shown;
  }
  const incr = parseLongDouble(argv[2]!);
  if (incr === null) {
    out.error(Errors.notFloat);
    return;
  }
  const res = incrByFloat(shown, incr);
  if (res === null) {
    out.error(Errors.nanOrInf);
    return;
  }
  // Redis stores the text and continues from it; adding (text value − exact current) makes our
  // exact sum that same long double, and concurrent increments elsewhere still add on top.
  const fresh = r === undefined || incrementIsFresh(r, db.instanceId);
  db.write(key, [{ k: 'str', e: { t: 'incr', d: D.sub(res.value, exact), fresh } }]);
  setEncodingClass(db.keyspace.get(key)!, ENC_FRESH);
  out.bulk(res.text);
}

// ---- LCS -------------------------------------------------------------------------------------

function lcsCommand(ctx: ExecContext, argv: string[]): void {
  const { db, out } = ctx;
  const ra = db.lookupRead(argv[1]!);
  const rb = db.lookupRead(argv[2]!);
  if ((ra && ra.type !== 'string') || (rb && rb.type !== 'string')) {
    out.error('ERR The specified keys must contain string values');
    return;
  }
  const a = ra ? stringValue(ra) : '';
  const b = rb ? stringValue(rb) : '';
  let getLen = false;
  let getIdx = false;
  let withMatchLen = false;
  let minMatchLen = 0n;
  for (let j = 3; j < argv.length; j++) {
    const opt = argv[j]!.toLowerCase();
    const more = argv.length - 1 - j;
    if (opt === 'idx') getIdx = true;
    else if (opt === 'len') getLen = true;
    else if (opt === 'withmatchlen') withMatchLen = true;
    else if (opt === 'minmatchlen' && more > 0) {
      const v = intArg(argv[j + 1]!, out);
      if (v === null) return;
      minMatchLen = v < 0n ? 0n : v;
      j++;
    } else {
      out.error(Errors.syntax);
      return;
    }
  }
  if (getIdx && getLen) {
    out.error('ERR If you want both the length and indexes, please just use IDX.');
    return;
  }
  const alen = a.length;
  const blen = b.length;
  if ((alen + 1) * (blen + 1) > 256 * 1024 * 1024) {
    out.error('ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len');
    return;
  }
  const w = blen + 1;
  const dp = new Uint32Array((alen + 1) * w);
  for (let i = 1; i <= alen; i++) {
    const ai = a.charCodeAt(i - 1);
    for (let j = 1; j <= blen; j++) {
      dp[i * w + j] = ai === b.charCodeAt(j - 1) ? dp[(i - 1) * w + j - 1]! + 1 : Math.max(dp[(i - 1) * w + j]!, dp[i * w + j - 1]!);
    }
  }
  const total = dp[alen * w + blen]!;
  const computeLcs = getIdx || !getLen;
  const result: string[] = new Array(total);
  const matches: number[][] = [];
  let idx = total;
  let aStart = alen;
  let aEnd = 0;
  let bStart = 0;
  let bEnd = 0;
  let i = alen;
  let j = blen;
  while (computeLcs && i > 0 && j > 0) {
    let emit = false;
    if (a.charCodeAt(i - 1) === b.charCodeAt(j - 1)) {
      result[idx - 1] = a[i - 1]!;
      if (aStart === alen) {
        aStart = i - 1;
        aEnd = i - 1;
        bStart = j - 1;
        bEnd = j - 1;
      } else if (aStart === i && bStart === j) {
        aStart--;
        bStart--;
      } else emit = true;
      if (aStart === 0 || bStart === 0) emit = true;
      idx--;
      i--;
      j--;
    } else {
      if (dp[(i - 1) * w + j]! > dp[i * w + j - 1]!) i--;
      else j--;
      if (aStart !== alen) emit = true;
    }
    const matchLen = aEnd - aStart + 1;
    if (emit) {
      if (minMatchLen === 0n || BigInt(matchLen) >= minMatchLen) matches.push([aStart, aEnd, bStart, bEnd, matchLen]);
      aStart = alen;
    }
  }
  if (getIdx) {
    out.map(2);
    out.bulk('matches');
    out.array(matches.length);
    for (const m of matches) {
      out.array(withMatchLen ? 3 : 2);
      out.array(2);
      out.integer(m[0]!);
      out.integer(m[1]!);
      out.array(2);
      out.integer(m[2]!);
      out.integer(m[3]!);
      if (withMatchLen) out.integer(m[4]!);
    }
    out.bulk('len');
    out.integer(total);
  } else if (getLen) out.integer(total);
  else out.bulk(result.join(''));
}

// ---- the table --------------------------------------------------------------------------------

const doc = (summary: string, since: string, complexity = 'O(1)') => ({ group: 'string', summary, since, complexity });
const W = ['write', 'denyoom'] as const;

export const stringCommands: CommandSpec[] = [
  cmd('get', 2, ['readonly', 'fast'], [1, 1, 1], ['read', 'string', 'fast'], doc('Returns the string value of a key.', '1.0.0'), getCommand),
  cmd('set', -3, W, [1, 1, 1], ['write', 'string', 'slow'], doc('Sets the string value of a key, ignoring its type. The key is created if it doesn\'t exist.', '1.0.0'), setCommand),
  cmd('setnx', 3, [...W, 'fast'], [1, 1, 1], ['write', 'string', 'fast'], doc('Set the string value of a key only when the key doesn\'t exist.', '1.0.0'), setnxCommand),
  cmd('setex', 4, W, [1, 1, 1], ['write', 'string', 'slow'], doc('Sets the string value and expiration time of a key. Creates the key if it doesn\'t exist.', '2.0.0'), setexCommand),
  cmd('psetex', 4, W, [1, 1, 1], ['write', 'string', 'slow'], doc('Sets both string value and expiration time in milliseconds of a key. The key is created if it doesn\'t exist.', '2.6.0'), psetexCommand),
  cmd('getset', 3, [...W, 'fast'], [1, 1, 1], ['write', 'string', 'fast'], doc('Returns the previous string value of a key after setting it to a new value.', '1.0.0'), getsetCommand),
  cmd('getdel', 2, ['write', 'fast'], [1, 1, 1], ['write', 'string', 'fast'], doc('Returns the string value of a key after deleting the key.', '6.2.0'), getdelCommand),
  cmd('getex', -2, ['write', 'fast'], [1, 1, 1], ['write', 'string', 'fast'], doc('Returns the string value of a key after setting its expiration time.', '6.2.0'), getexCommand),
  cmd('mget', -2, ['readonly', 'fast'], [1, -1, 1], ['read', 'string', 'fast'], doc('Atomically returns the string values of one or more keys.', '1.0.0', 'O(N) where N is the number of keys to retrieve.'), mgetCommand),
  cmd('mset', -3, W, [1, -1, 2], ['write', 'string', 'slow'], doc('Atomically creates or modifies the string values of one or more keys.', '1.0.1', 'O(N) where N is the number of keys to set.'), (c, a) => msetGeneric(c, a, false)),
  cmd('msetnx', -3, W, [1, -1, 2], ['write', 'string', 'slow'], doc('Atomically modifies the string values of one or more keys only when all keys don\'t exist.', '1.0.1', 'O(N) where N is the number of keys to set.'), (c, a) => msetGeneric(c, a, true)),
  cmd('append', 3, [...W, 'fast'], [1, 1, 1], ['write', 'string', 'fast'], doc('Appends a string to the value of a key. Creates the key if it doesn\'t exist.', '2.0.0'), appendCommand),
  cmd('strlen', 2, ['readonly', 'fast'], [1, 1, 1], ['read', 'string', 'fast'], doc('Returns the length of a string value.', '2.2.0'), strlenCommand),
  cmd('getrange', 4, ['readonly'], [1, 1, 1], ['read', 'string', 'slow'], doc('Returns a substring of the string stored at a key.', '2.4.0', 'O(N) where N is the length of the returned string.'), getrangeCommand),
  cmd('substr', 4, ['readonly'], [1, 1, 1], ['read', 'string', 'slow'], doc('Returns a substring from a string value.', '1.0.0', 'O(N) where N is the length of the returned string.'), getrangeCommand),
  cmd('setrange', 4, W, [1, 1, 1], ['write', 'string', 'slow'], doc('Overwrites a part of a string value with another by an offset. Creates the key if it doesn\'t exist.', '2.2.0'), setrangeCommand),
  cmd('incr', 2, [...W, 'fast'], [1, 1, 1], ['write', 'string', 'fast'], doc('Increments the integer value of a key by one. Uses 0 as initial value if the key doesn\'t exist.', '1.0.0'), incrCommand),
  cmd('decr', 2, [...W, 'fast'], [1, 1, 1], ['write', 'string', 'fast'], doc('Decrements the integer value of a key by one. Uses 0 as initial value if the key doesn\'t exist.', '1.0.0'), decrCommand),
  cmd('incrby', 3, [...W, 'fast'], [1, 1, 1], ['write', 'string', 'fast'], doc('Increments the integer value of a key by a number. Uses 0 as initial value if the key doesn\'t exist.', '1.0.0'), incrbyCommand),
  cmd('decrby', 3, [...W, 'fast'], [1, 1, 1], ['write', 'string', 'fast'], doc('Decrements a number from the integer value of a key. Uses 0 as initial value if the key doesn\'t exist.', '1.0.0'), decrbyCommand),
  cmd('incrbyfloat', 3, [...W, 'fast'], [1, 1, 1], ['write', 'string', 'fast'], doc('Increment the floating point value of a key by a number. Uses 0 as initial value if the key doesn\'t exist.', '2.6.0'), incrbyfloatCommand),
  cmd('lcs', -3, ['readonly'], [1, 2, 1], ['read', 'string', 'slow'], doc('Finds the longest common substring.', '7.0.0', 'O(N*M) where N and M are the lengths of s1 and s2, respectively'), lcsCommand),
];

defineCommands(stringCommands);
