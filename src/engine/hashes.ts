/**
 * The hash family (t_hash.c): HSET … HSCAN. Replies, error texts and their order of checks follow
 * Redis 7.0; the conflict rules are reference §2.3 (crdt/hash.ts): the fields form an
 * observed-remove map and each value is an Active-Active string, an LWW register written by
 * HSET/HSETNX/HMSET plus counter contributions added by HINCRBY/HINCRBYFLOAT.
 *
 * Also home of two small helpers the set family shares: the "converted" encoding bit and random
 * sampling through the injected `db.random`.
 */
import type { KeyOp, KeyRecord } from '../crdt/key.js';
import * as D from '../crdt/dyadic.js';
import type { Dyadic } from '../crdt/dyadic.js';
import type { FieldValue, HashOp, HashState } from '../crdt/hash.js';
import { HashType, hashDeleteOp, hashEffect, hashEntries, hashGet, hashHas, hashIncrementOp, hashLength, hashSetOp } from '../crdt/hash.js';
import type { CommandSpec, ExecContext } from './command-table.js';
import { cmd, defineCommands } from './command-table.js';
import type { Database } from './database.js';
import { Errors } from './reply.js';
import type { Reply } from './reply.js';
import { incrByFloat, parseInteger, parseLongDouble } from './numbers.js';
import { intArg } from './strings.js';
import { parseScanCursor, parseScanOptions } from './keys.js';
import { globMatch } from './glob.js';
import { ENC_AUTO, encodingClass, setEncodingClass } from './object-info.js';
import { registerTypeSupport } from './type-support.js';
import { counterExact, counterText } from './string-access.js';

const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);
/** hash-max-listpack-entries / hash-max-listpack-value, Redis 7.0 defaults. */
const HASH_MAX_LISTPACK_ENTRIES = 128;
const HASH_MAX_LISTPACK_VALUE = 64;

// ---- encodings shared with sets.ts ------------------------------------------------------------

/**
 * Redis converts a small encoding (listpack, intset) to a hash table once the value outgrows it
 * and never converts back, so OBJECT ENCODING depends on history, not only on the content. The
 * record's encoding-class bits (object-info.ts; otherwise used by strings only) remember the
 * conversion: a new value object starts at ENC_AUTO (Database resets it when a key is created),
 * RENAME keeps the bits and COPY adds ENC_NOSHARE (4), so this bit survives both as in Redis.
 */
const CONVERTED = 1;

export function isConverted(r: KeyRecord): boolean {
  return (encodingClass(r) & CONVERTED) !== 0;
}

export function markConverted(r: KeyRecord): void {
  setEncodingClass(r, encodingClass(r) | CONVERTED);
}

/** A value object built from scratch (SINTERSTORE, SPOP's new set …): small again. */
export function resetEncoding(r: KeyRecord): void {
  setEncodingClass(r, ENC_AUTO);
}

// ---- random sampling shared with sets.ts ------------------------------------------------------

/** A uniform index in [0, n) from the database's injected random source (deterministic in tests). */
export function randomIndex(db: Database, n: number): number {
  return Math.min(n - 1, Math.floor(db.random() * n));
}

/** The i-th item an iterator yields: O(i), without copying the collection into an array. */
export function nth<T>(items: Iterable<T>, i: number): T {
  let k = 0;
  for (const x of items) if (k++ === i) return x;
  throw new RangeError(`index ${i} beyond the collection`);
}

/** `count` distinct items chosen at random (partial Fisher-Yates; shuffles `items` in place). */
export function sampleDistinct<T>(db: Database, items: T[], count: number): T[] {
  for (let i = 0; i < count; i++) {
    const j = i + randomIndex(db, items.length - i);
    const t = items[i]!;
    items[i] = items[j]!;
    items[j] = t;
  }
  return items.slice(0, count);
}

/** The count argument of SRANDMEMBER/HRANDFIELD: getRangeLongFromObjectOrReply(-LONG_MAX, LONG_MAX). */
export function randomCountArg(s: string, out: Reply): bigint | null {
  const v = parseInteger(s);
  if (v === null) out.error(Errors.notInteger);
  else if (v === INT64_MIN) out.error(`ERR value is out of range, value must between ${-INT64_MAX} and ${INT64_MAX}`);
  else return v;
  return null;
}

/** The reply to a SCAN-family command on a missing key: cursor 0, no elements. */
export function emptyScan(out: Reply): void {
  out.array(2);
  out.bulk('0');
  out.array(0);
}

// ---- field values ----------------------------------------------------------------------------

/**
 * The text a field shows, exactly as a string key would (string-access.ts `stringValue`): the
 * register, plus the counter contributions when there are any. A register that is not a number
 * cannot absorb concurrent increments, so its text wins (docs/semantics.md, counters).
 */
export function fieldText(v: FieldValue): string {
  return counterText(v.reg, v.sum);
}

/** The exact number behind `fieldText`, or null when the field shows text that is not a number. */
function fieldExact(v: FieldValue): Dyadic | null {
  return counterExact(v.reg, v.sum ?? D.ZERO);
}

// ---- records ---------------------------------------------------------------------------------

function hashOf(r: KeyRecord): HashState {
  return r.d as HashState;
}

/** The visible record if it holds a hash; replies WRONGTYPE and returns null for other types. */
function hashOrWrongType(r: KeyRecord | undefined, out: Reply): KeyRecord | undefined | null {
  if (r !== undefined && r.type !== 'hash') {
    out.error(Errors.wrongType);
    return null;
  }
  return r;
}

function hashData(ops: readonly HashOp[]): KeyOp {
  return { k: 'data', type: 'hash', e: hashEffect(ops) };
}

/**
 * OBJECT ENCODING: listpack while the hash has at most 128 fields and no field or value longer
 * than 64 bytes, and it never outgrew that before. Seeing it outgrown marks it for good (a remote
 * write may have grown it without passing through `noteWrite`).
 */
function isListpack(r: KeyRecord): boolean {
  if (isConverted(r)) return false;
  const h = hashOf(r);
  let fits = hashLength(h) <= HASH_MAX_LISTPACK_ENTRIES;
  for (const [f, v] of fits ? hashEntries(h) : []) {
    if (f.length > HASH_MAX_LISTPACK_VALUE || fieldText(v).length > HASH_MAX_LISTPACK_VALUE) {
      fits = false;
      break;
    }
  }
  if (!fits) markConverted(r);
  return fits;
}

/**
 * After a local write: hashTypeTryConversion / hashTypeSet convert when a written field or value
 * is longer than 64 bytes or the hash has more than 128 fields. Checking only what was written
 * keeps HSET O(fields written).
 */
function noteWrite(db: Database, key: string, longest: number): void {
  const r = db.keyspace.get(key);
  if (r === undefined || r.type !== 'hash' || isConverted(r)) return;
  if (longest > HASH_MAX_LISTPACK_VALUE || hashLength(hashOf(r)) > HASH_MAX_LISTPACK_ENTRIES) markConverted(r);
}

registerTypeSupport('hash', {
  // A copy is a new incarnation: every visible field written fresh as a register holding the
  // text it shows (concurrent HINCRBYs on the copy still add on top of it).
  copyOps(r) {
    const empty = HashType.empty();
    const ops: HashOp[] = [];
    for (const [f, v] of hashEntries(hashOf(r))) ops.push(hashSetOp(empty, f, fieldText(v)));
    return [hashData(ops)];
  },
  encoding: (r) => (isListpack(r) ? 'listpack' : 'hashtable'),
});

// ---- writes ----------------------------------------------------------------------------------

function hsetGeneric(ctx: ExecContext, argv: string[], name: 'hset' | 'hmset'): void {
  const { db, out } = ctx;
  if (argv.length % 2 === 1) {
    out.error(Errors.arity(name));
    return;
  }
  const key = argv[1]!;
  const r = hashOrWrongType(db.lookupWrite(key), out);
  if (r === null) return;
  const h = r === undefined ? HashType.empty() : hashOf(r);
  const ops: HashOp[] = [];
  // HSET h f 1 f 2 creates f once: count new fields by name, not by pair.
  const created = new Set<string>();
  let longest = 0;
  for (let i = 2; i < argv.length; i += 2) {
    const f = argv[i]!;
    const v = argv[i + 1]!;
    if (!hashHas(h, f)) created.add(f);
    ops.push(hashSetOp(h, f, v));
    longest = Math.max(longest, f.length, v.length);
  }
  db.write(key, [hashData(ops)]);
  noteWrite(db, key, longest);
  if (name === 'hset') out.integer(created.size);
  else out.simple('OK');
}

function hsetnxCommand(ctx: ExecContext, argv: string[]): void {
  const { db, out } = ctx;
  const [, key, f, v] = argv as [string, string, string, string];
  const r = hashOrWrongType(db.lookupWrite(key), out);
  if (r === null) return;
  if (r !== undefined && hashHas(hashOf(r), f)) {
    out.integer(0);
    return;
  }
  db.write(key, [hashData([hashSetOp(r === undefined ? HashType.empty() : hashOf(r), f, v)])]);
  noteWrite(db, key, Math.max(f.length, v.length));
  out.integer(1);
}

function hdelCommand(ctx: ExecContext, argv: string[]): void {
  const { db, out } = ctx;
  const key = argv[1]!;
  const r = hashOrWrongType(db.lookupWrite(key), out);
  if (r === null) return;
  if (r === undefined) {
    out.integer(0);
    return;
  }
  const h = hashOf(r);
  const ops: HashOp[] = [];
  const seen = new Set<string>();
  for (let i = 2; i < argv.length; i++) {
    const f = argv[i]!;
    if (seen.has(f)) continue;
    seen.add(f);
    const op = hashDeleteOp(h, f);
    if (op !== null) ops.push(op);
  }
  if (ops.length === 0) {
    out.integer(0);
    return;
  }
  // Removing the last field deletes the key as DEL does: a key-level observed-remove that also
  // clears the TTL it saw and leaves a tombstone until stable (reference §3.1, §3.7). Field
  // removals alone would hide the hash but keep its expiry for a later HSET to inherit.
  if (ops.length === hashLength(h)) db.deleteKey(key, r);
  else db.write(key, [hashData(ops)]);
  out.integer(ops.length);
}

function hincrbyCommand(ctx: ExecContext, argv: string[]): void {
  const { db, out } = ctx;
  const [, key, f] = argv as [string, string, string];
  const incr = intArg(argv[3]!, out);
  if (incr === null) return;
  const r = hashOrWrongType(db.lookupWrite(key), out);
  if (r === null) return;
  const h = r === undefined ? HashType.empty() : hashOf(r);
  const cur = hashGet(h, f);
  let value = 0n;
  if (cur !== null) {
    const v = parseInteger(fieldText(cur));
    if (v === null) {
      out.error('ERR hash value is not an integer');
      return;
    }
    value = v;
  }
  if ((incr < 0n && value < 0n && incr < INT64_MIN - value) || (incr > 0n && value > 0n && incr > INT64_MAX - value)) {
    out.error(Errors.overflow);
    return;
  }
  const result = value + incr;
  db.write(key, [hashData([hashIncrementOp(h, f, D.fromBigInt(incr), db.instanceId)])]);
  noteWrite(db, key, Math.max(f.length, String(result).length));
  out.integer(result);
}

function hincrbyfloatCommand(ctx: ExecContext, argv: string[]): void {
  const { db, out } = ctx;
  const [, key, f] = argv as [string, string, string];
  // The increment is checked first, and an infinite one has its own message (t_hash.c).
  const incr = parseLongDouble(argv[3]!);
  if (incr === null) {
    out.error(Errors.notFloat);
    return;
  }
  if (typeof incr === 'string') {
    out.error('ERR value is NaN or Infinity');
    return;
  }
  const r = hashOrWrongType(db.lookupWrite(key), out);
  if (r === null) return;
  const h = r === undefined ? HashType.empty() : hashOf(r);
  const cur = hashGet(h, f);
  let shown: Dyadic | 'inf' | '-inf' = D.ZERO;
  let exact: Dyadic = D.ZERO;
  if (cur !== null) {
    const parsed = parseLongDouble(fieldText(cur));
    if (parsed === null) {
      out.error('ERR hash value is not a float');
      return;
    }
    shown = parsed;
    if (typeof parsed !== 'string') exact = fieldExact(cur) ?? parsed;
  }
  const res = incrByFloat(shown, incr);
  if (res === null) {
    out.error(Errors.nanOrInf);
    return;
  }
  // As INCRBYFLOAT (strings.ts): adding (value of the text − exact current) makes the field show
  // exactly the long double Redis stores, while concurrent increments elsewhere add on top.
  db.write(key, [hashData([hashIncrementOp(h, f, D.sub(res.value, exact), db.instanceId)])]);
  noteWrite(db, key, Math.max(f.length, res.text.length));
  out.bulk(res.text);
}

// ---- reads -----------------------------------------------------------------------------------

/** The hash a read command works on: undefined when absent, null after replying WRONGTYPE. */
function readHash(ctx: ExecContext, key: string): HashState | undefined | null {
  const r = hashOrWrongType(ctx.db.lookupRead(key), ctx.out);
  return r == null ? r : hashOf(r);
}

function hgetCommand(ctx: ExecContext, argv: string[]): void {
  const h = readHash(ctx, argv[1]!);
  if (h === null) return;
  const v = h === undefined ? null : hashGet(h, argv[2]!);
  ctx.out.bulk(v === null ? null : fieldText(v));
}

function hmgetCommand(ctx: ExecContext, argv: string[]): void {
  const h = readHash(ctx, argv[1]!);
  if (h === null) return;
  ctx.out.array(argv.length - 2);
  for (let i = 2; i < argv.length; i++) {
    const v = h === undefined ? null : hashGet(h, argv[i]!);
    ctx.out.bulk(v === null ? null : fieldText(v));
  }
}

function hexistsCommand(ctx: ExecContext, argv: string[]): void {
  const h = readHash(ctx, argv[1]!);
  if (h !== null) ctx.out.integer(h !== undefined && hashHas(h, argv[2]!) ? 1 : 0);
}

function hlenCommand(ctx: ExecContext, argv: string[]): void {
  const h = readHash(ctx, argv[1]!);
  if (h !== null) ctx.out.integer(h === undefined ? 0 : hashLength(h));
}

function hstrlenCommand(ctx: ExecContext, argv: string[]): void {
  const h = readHash(ctx, argv[1]!);
  if (h === null) return;
  const v = h === undefined ? null : hashGet(h, argv[2]!);
  ctx.out.integer(v === null ? 0 : fieldText(v).length);
}

const KEYS = 1;
const VALUES = 2;

/** HGETALL (a map in RESP3), HKEYS, HVALS (arrays). Fields come in stored order, as a listpack. */
function hgetallGeneric(ctx: ExecContext, argv: string[], what: number): void {
  const { out } = ctx;
  const h = readHash(ctx, argv[1]!);
  if (h === null) return;
  const n = h === undefined ? 0 : hashLength(h);
  if (what === (KEYS | VALUES)) out.map(n);
  else out.array(n);
  if (h === undefined) return;
  for (const [f, v] of hashEntries(h)) {
    if (what & KEYS) out.bulk(f);
    if (what & VALUES) out.bulk(fieldText(v));
  }
}

// ---- HRANDFIELD --------------------------------------------------------------------------------

/** One field (and its value) of HRANDFIELD's reply: a pair is nested in RESP3, flat in RESP2. */
function replyField(out: Reply, entry: [string, FieldValue], withValues: boolean): void {
  if (withValues && out.resp === 3) out.array(2);
  out.bulk(entry[0]);
  if (withValues) out.bulk(fieldText(entry[1]));
}

function hrandfieldCommand(ctx: ExecContext, argv: string[]): void {
  const { db, out } = ctx;
  if (argv.length >= 3) {
    const l = randomCountArg(argv[2]!, out);
    if (l === null) return;
    if (argv.length > 4 || (argv.length === 4 && argv[3]!.toLowerCase() !== 'withvalues')) {
      out.error(Errors.syntax);
      return;
    }
    const withValues = argv.length === 4;
    // LONG_MAX / 2: the reply holds twice as many items.
    if (withValues && (l < -(INT64_MAX / 2n) || l > INT64_MAX / 2n)) {
      out.error('ERR value is out of range');
      return;
    }
    hrandfieldWithCount(ctx, argv[1]!, l, withValues);
    return;
  }
  const h = readHash(ctx, argv[1]!);
  if (h === null) return;
  if (h === undefined) out.nullBulk();
  else out.bulk(nth(hashEntries(h), randomIndex(db, hashLength(h)))[0]);
}

/** hrandfieldWithCountCommand: the same cases (and reply shapes) as Redis, randomness from db.random. */
function hrandfieldWithCount(ctx: ExecContext, key: string, l: bigint, withValues: boolean): void {
  const { db, out } = ctx;
  const h = readHash(ctx, key);
  if (h === null) return;
  if (h === undefined || l === 0n) {
    out.array(0);
    return;
  }
  const size = hashLength(h);
  const unique = l > 0n;
  // The count fits a double exactly enough: beyond the hash size only the negative case uses it,
  // and a reply that long could not be produced anyway.
  const count = Number(unique ? l : -l);
  const width = withValues && out.resp === 2 ? 2 : 1;
  if (!unique || count === 1) {
    const entries = [...hashEntries(h)];
    out.array(count * width);
    for (let i = 0; i < count; i++) replyField(out, entries[randomIndex(db, size)]!, withValues);
    return;
  }
  const picked = count >= size ? [...hashEntries(h)] : sampleDistinct(db, [...hashEntries(h)], count);
  out.array(picked.length * width);
  for (const e of picked) replyField(out, e, withValues);
}

// ---- HSCAN -------------------------------------------------------------------------------------

/**
 * HSCAN answers the whole hash in one page with cursor 0, as Redis does for a listpack. A hash
 * table's cursor needs an index of the fields that survives inserts and deletes between calls;
 * the CRDT state keeps a plain Map, so a complete single page is the correct answer for any size
 * (COUNT is only a hint).
 */
function hscanCommand(ctx: ExecContext, argv: string[]): void {
  const { out } = ctx;
  if (parseScanCursor(argv[2]!, out) === null) return;
  const h = readHash(ctx, argv[1]!);
  if (h === null) return;
  if (h === undefined) {
    emptyScan(out);
    return;
  }
  const o = parseScanOptions(argv, 3, false, out);
  if (o === null) return;
  const found: [string, FieldValue][] = [];
  for (const e of hashEntries(h)) if (o.pattern === null || globMatch(o.pattern, e[0])) found.push(e);
  out.array(2);
  out.bulk('0');
  out.array(found.length * 2);
  for (const [f, v] of found) {
    out.bulk(f);
    out.bulk(fieldText(v));
  }
}

// ---- the table ---------------------------------------------------------------------------------

const doc = (summary: string, since: string, complexity = 'O(1)') => ({ group: 'hash', summary, since, complexity });
const W = ['write', 'denyoom', 'fast'] as const;
const R = ['readonly', 'fast'] as const;
const ALL = 'O(N) where N is the size of the hash.';

export const hashCommands: CommandSpec[] = [
  cmd('hset', -4, W, [1, 1, 1], ['write', 'hash', 'fast'], doc('Creates or modifies the value of a field in a hash.', '2.0.0', 'O(1) for each field/value pair added, so O(N) to add N field/value pairs when the command is called with multiple field/value pairs.'), (c, a) => hsetGeneric(c, a, 'hset')),
  cmd('hsetnx', 4, W, [1, 1, 1], ['write', 'hash', 'fast'], doc('Sets the value of a field in a hash only when the field doesn\'t exist.', '2.0.0'), hsetnxCommand),
  cmd('hmset', -4, W, [1, 1, 1], ['write', 'hash', 'fast'], doc('Sets the values of multiple fields.', '2.0.0', 'O(N) where N is the number of fields being set.'), (c, a) => hsetGeneric(c, a, 'hmset')),
  cmd('hget', 3, R, [1, 1, 1], ['read', 'hash', 'fast'], doc('Returns the value of a field in a hash.', '2.0.0'), hgetCommand),
  cmd('hmget', -3, R, [1, 1, 1], ['read', 'hash', 'fast'], doc('Returns the values of all fields in a hash.', '2.0.0', 'O(N) where N is the number of fields being requested.'), hmgetCommand),
  cmd('hdel', -3, ['write', 'fast'], [1, 1, 1], ['write', 'hash', 'fast'], doc('Deletes one or more fields and their values from a hash. Deletes the hash if no fields remain.', '2.0.0', 'O(N) where N is the number of fields to be removed.'), hdelCommand),
  cmd('hexists', 3, R, [1, 1, 1], ['read', 'hash', 'fast'], doc('Determines whether a field exists in a hash.', '2.0.0'), hexistsCommand),
  cmd('hgetall', 2, ['readonly'], [1, 1, 1], ['read', 'hash', 'slow'], doc('Returns all fields and values in a hash.', '2.0.0', ALL), (c, a) => hgetallGeneric(c, a, KEYS | VALUES)),
  cmd('hkeys', 2, ['readonly'], [1, 1, 1], ['read', 'hash', 'slow'], doc('Returns all fields in a hash.', '2.0.0', ALL), (c, a) => hgetallGeneric(c, a, KEYS)),
  cmd('hvals', 2, ['readonly'], [1, 1, 1], ['read', 'hash', 'slow'], doc('Returns all values in a hash.', '2.0.0', ALL), (c, a) => hgetallGeneric(c, a, VALUES)),
  cmd('hlen', 2, R, [1, 1, 1], ['read', 'hash', 'fast'], doc('Returns the number of fields in a hash.', '2.0.0'), hlenCommand),
  cmd('hstrlen', 3, R, [1, 1, 1], ['read', 'hash', 'fast'], doc('Returns the length of the value of a field.', '3.2.0'), hstrlenCommand),
  cmd('hincrby', 4, W, [1, 1, 1], ['write', 'hash', 'fast'], doc('Increments the integer value of a field in a hash by a number. Uses 0 as initial value if the field doesn\'t exist.', '2.0.0'), hincrbyCommand),
  cmd('hincrbyfloat', 4, W, [1, 1, 1], ['write', 'hash', 'fast'], doc('Increments the floating point value of a field by a number. Uses 0 as initial value if the field doesn\'t exist.', '2.6.0'), hincrbyfloatCommand),
  cmd('hrandfield', -2, ['readonly'], [1, 1, 1], ['read', 'hash', 'slow'], doc('Returns one or more random fields from a hash.', '6.2.0', 'O(N) where N is the number of fields returned'), hrandfieldCommand),
  cmd('hscan', -3, ['readonly'], [1, 1, 1], ['read', 'hash', 'slow'], doc('Iterates over fields and values of a hash.', '2.8.0', 'O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.'), hscanCommand),
];

defineCommands(hashCommands);
