/**
 * The set family (t_set.c): SADD … SSCAN. Replies, error texts and their order of checks follow
 * Redis 7.0; the conflict rules are reference §2.4 (crdt/orset.ts): an add-wins observed-remove
 * set. SREM, SPOP and SMOVE remove the member instances this instance saw; removing the last
 * member deletes the key as DEL does; the *STORE commands replace the destination (observed-remove
 * of whatever it showed, of any type) with a fresh set.
 *
 * Member order: Redis iterates an intset in ascending numeric order and a hash table in bucket
 * order. Tandem reproduces the intset order (so small integer sets reply byte for byte like Redis)
 * and otherwise iterates in insertion order; both are "hash order" to clients.
 */
import type { KeyOp, KeyRecord } from '../crdt/key.js';
import type { SetEffect, SetState } from '../crdt/orset.js';
import { setAddEffect, setCard, setHas, setMembers, setRemoveEffect } from '../crdt/orset.js';
import type { CommandSpec, ExecContext } from './command-table.js';
import { cmd, defineCommands } from './command-table.js';
import type { Database } from './database.js';
import { Errors } from './reply.js';
import type { Reply } from './reply.js';
import { parseInteger } from './numbers.js';
import { parseScanCursor, parseScanOptions } from './keys.js';
import { globMatch } from './glob.js';
import { registerTypeSupport } from './type-support.js';
import { emptyScan, isConverted, markConverted, nth, randomCountArg, randomIndex, resetEncoding, sampleDistinct } from './hashes.js';

/** set-max-intset-entries, Redis 7.0 default. */
const SET_MAX_INTSET_ENTRIES = 512;
/** SPOP builds a new set from the survivors when it pops at least 5 times as many (t_set.c). */
const SPOP_MOVE_STRATEGY_MUL = 5;

function setOf(r: KeyRecord): SetState {
  return r.d as SetState;
}

/** The visible record if it holds a set; replies WRONGTYPE and returns null for other types. */
function setOrWrongType(r: KeyRecord | undefined, out: Reply): KeyRecord | undefined | null {
  if (r !== undefined && r.type !== 'set') {
    out.error(Errors.wrongType);
    return null;
  }
  return r;
}

function setData(e: SetEffect): KeyOp {
  return { k: 'data', type: 'set', e };
}

// ---- encodings -------------------------------------------------------------------------------

/** isSdsRepresentableAsLongLong: what an intset can hold. */
function isIntegerMember(m: string): boolean {
  return parseInteger(m) !== null;
}

/** What a set built from scratch out of `members` would be: an intset (all integers, ≤ 512). */
function fitsIntset(members: Iterable<string>, size: number): boolean {
  if (size > SET_MAX_INTSET_ENTRIES) return false;
  for (const m of members) if (!isIntegerMember(m)) return false;
  return true;
}

/**
 * OBJECT ENCODING: intset while every member is an integer and there are at most 512, and the set
 * never outgrew that before (Redis never converts back). Seeing it outgrown marks it for good (a
 * remote write may have grown it without passing through a local write's check).
 */
function isIntset(r: KeyRecord): boolean {
  if (isConverted(r)) return false;
  const s = setOf(r);
  if (fitsIntset(setMembers(s), setCard(s))) return true;
  markConverted(r);
  return false;
}

/** After a local add: setTypeAdd converts on a non-integer member or past 512 members. */
function noteAdded(db: Database, key: string, added: readonly string[]): void {
  const r = db.keyspace.get(key);
  if (r === undefined || r.type !== 'set' || isConverted(r)) return;
  if (setCard(setOf(r)) > SET_MAX_INTSET_ENTRIES || !added.every(isIntegerMember)) markConverted(r);
}

/**
 * Sorts integer members (canonical int64 texts) by value, as an intset stores them. Values within
 * ±2^53 sort as doubles in a typed array and print back to the same text; only sets holding
 * larger values pay for BigInt comparisons.
 */
function byValue(members: string[]): string[] {
  const nums = new Float64Array(members.length);
  for (let i = 0; i < members.length; i++) {
    const n = Number(members[i]);
    if (!Number.isSafeInteger(n)) return members.sort((a, b) => compareBig(BigInt(a), BigInt(b)));
    nums[i] = n;
  }
  nums.sort();
  return Array.from(nums, String);
}

function compareBig(x: bigint, y: bigint): number {
  return x < y ? -1 : x > y ? 1 : 0;
}

/** The members in the order Redis iterates this set. */
function iterationOrder(r: KeyRecord): string[] {
  const members = [...setMembers(setOf(r))];
  return isIntset(r) ? byValue(members) : members;
}

/** The order of a result set Redis builds from scratch (SUNION, SDIFF): an intset if it fits. */
function resultOrder(members: string[], small: boolean): string[] {
  return small ? byValue(members) : members;
}

registerTypeSupport('set', {
  copyOps: (r) => [setData(setAddEffect([...setMembers(setOf(r))]))],
  encoding: (r) => (isIntset(r) ? 'intset' : 'hashtable'),
});

// ---- helpers for writes ----------------------------------------------------------------------

/** Removes `members` (all present) from the set at `key`; the last one deletes the key. */
function removeMembers(db: Database, key: string, r: KeyRecord, members: readonly string[]): void {
  const s = setOf(r);
  if (members.length === setCard(s)) {
    // Redis deletes the key: a key-level observed-remove (as HDEL of the last field, hashes.ts)
    // clears the TTL it saw and leaves a tombstone until stable, which member removals alone
    // would not (a late add that this removal covered could then reappear on a peer).
    db.deleteKey(key, r);
    return;
  }
  const e = setRemoveEffect(s, members);
  if (e !== null) db.write(key, [setData(e)]);
}

/**
 * The *STORE commands: `key` becomes a new set of `members` (replacing whatever it held, of any
 * type), or is deleted when `members` is empty. `small`: whether Redis's result object stayed an
 * intset while it was built.
 */
function storeSet(db: Database, key: string, members: string[], small: boolean): void {
  const existing = db.lookupWrite(key);
  if (members.length === 0) {
    if (existing !== undefined) db.deleteKey(key, existing);
    return;
  }
  const ops = existing !== undefined ? db.removalOps(existing) : [];
  ops.push(setData(setAddEffect(members)));
  db.write(key, ops);
  const r = db.keyspace.get(key)!;
  resetEncoding(r);
  if (!small) markConverted(r);
}

function replyMembers(out: Reply, members: readonly string[]): void {
  out.set(members.length);
  for (const m of members) out.bulk(m);
}

// ---- single-set commands -----------------------------------------------------------------------

function saddCommand(ctx: ExecContext, argv: string[]): void {
  const { db, out } = ctx;
  const key = argv[1]!;
  const r = setOrWrongType(db.lookupWrite(key), out);
  if (r === null) return;
  const members = [...new Set(argv.slice(2))];
  let added = 0;
  for (const m of members) if (r === undefined || !setHas(setOf(r), m)) added++;
  // Every listed member gets this effect's dot, present or not (orset.ts: add wins, TV-SET-03).
  db.write(key, [setData(setAddEffect(members))]);
  noteAdded(db, key, members);
  out.integer(added);
}

function sremCommand(ctx: ExecContext, argv: string[]): void {
  const { db, out } = ctx;
  const key = argv[1]!;
  const r = setOrWrongType(db.lookupWrite(key), out);
  if (r === null) return;
  if (r === undefined) {
    out.integer(0);
    return;
  }
  const s = setOf(r);
  const present = [...new Set(argv.slice(2))].filter((m) => setHas(s, m));
  if (present.length > 0) removeMembers(db, key, r, present);
  out.integer(present.length);
}

/** The set a read command works on: undefined when absent, null after replying WRONGTYPE. */
function readSet(ctx: ExecContext, key: string): KeyRecord | undefined | null {
  return setOrWrongType(ctx.db.lookupRead(key), ctx.out);
}

function smembersCommand(ctx: ExecContext, argv: string[]): void {
  const r = readSet(ctx, argv[1]!);
  if (r === null) return;
  replyMembers(ctx.out, r === undefined ? [] : iterationOrder(r));
}

function sismemberCommand(ctx: ExecContext, argv: string[]): void {
  const r = readSet(ctx, argv[1]!);
  if (r !== null) ctx.out.integer(r !== undefined && setHas(setOf(r), argv[2]!) ? 1 : 0);
}

function smismemberCommand(ctx: ExecContext, argv: string[]): void {
  const r = readSet(ctx, argv[1]!);
  if (r === null) return;
  ctx.out.array(argv.length - 2);
  for (let i = 2; i < argv.length; i++) ctx.out.integer(r !== undefined && setHas(setOf(r), argv[i]!) ? 1 : 0);
}

function scardCommand(ctx: ExecContext, argv: string[]): void {
  const r = readSet(ctx, argv[1]!);
  if (r !== null) ctx.out.integer(r === undefined ? 0 : setCard(setOf(r)));
}

function smoveCommand(ctx: ExecContext, argv: string[]): void {
  const { db, out } = ctx;
  const [, srcKey, dstKey, member] = argv as [string, string, string, string];
  const src = db.lookupWrite(srcKey);
  const dst = db.lookupWrite(dstKey);
  if (src === undefined) {
    out.integer(0);
    return;
  }
  if (src.type !== 'set' || (dst !== undefined && dst.type !== 'set')) {
    out.error(Errors.wrongType);
    return;
  }
  const present = setHas(setOf(src), member);
  if (srcKey === dstKey || !present) {
    out.integer(present ? 1 : 0);
    return;
  }
  removeMembers(db, srcKey, src, [member]);
  db.write(dstKey, [setData(setAddEffect([member]))]);
  noteAdded(db, dstKey, [member]);
  out.integer(1);
}

// ---- random members ----------------------------------------------------------------------------

function spopCommand(ctx: ExecContext, argv: string[]): void {
  const { db, out } = ctx;
  if (argv.length > 3) {
    out.error(Errors.syntax);
    return;
  }
  if (argv.length === 3) {
    spopWithCount(ctx, argv);
    return;
  }
  const key = argv[1]!;
  const r = setOrWrongType(db.lookupWrite(key), out);
  if (r === null) return;
  if (r === undefined) {
    out.nullBulk();
    return;
  }
  const s = setOf(r);
  const member = nth(setMembers(s), randomIndex(db, setCard(s)));
  removeMembers(db, key, r, [member]);
  out.bulk(member);
}

/**
 * SPOP key count. Another instance may pop the same members concurrently: both get them (at
 * least once), each removes only the instances it saw (reference §2.4).
 */
function spopWithCount(ctx: ExecContext, argv: string[]): void {
  const { db, out } = ctx;
  const key = argv[1]!;
  const l = parseInteger(argv[2]!);
  if (l === null || l < 0n) {
    out.error('ERR value is out of range, must be positive');
    return;
  }
  const r = setOrWrongType(db.lookupWrite(key), out);
  if (r === null) return;
  if (r === undefined || l === 0n) {
    out.set(0);
    return;
  }
  const s = setOf(r);
  const size = setCard(s);
  if (l >= BigInt(size)) {
    // Redis answers through SUNION of the set alone, so the order is that of a rebuilt set.
    const all = [...setMembers(s)];
    replyMembers(out, resultOrder(all, fitsIntset(all, size)));
    db.deleteKey(key, r);
    return;
  }
  const count = Number(l);
  const members = [...setMembers(s)];
  const popped = sampleDistinct(db, members, count);
  replyMembers(out, popped);
  removeMembers(db, key, r, popped);
  const remaining = size - count;
  if (remaining * SPOP_MOVE_STRATEGY_MUL <= count) {
    // Redis rebuilt the set from the survivors: its encoding starts small again.
    const survivors = members.slice(count);
    resetEncoding(r);
    if (!fitsIntset(survivors, remaining)) markConverted(r);
  }
}

function srandmemberCommand(ctx: ExecContext, argv: string[]): void {
  const { db, out } = ctx;
  if (argv.length > 3) {
    out.error(Errors.syntax);
    return;
  }
  if (argv.length === 3) {
    srandmemberWithCount(ctx, argv);
    return;
  }
  const r = readSet(ctx, argv[1]!);
  if (r === null) return;
  if (r === undefined) {
    out.nullBulk();
    return;
  }
  const s = setOf(r);
  out.bulk(nth(setMembers(s), randomIndex(db, setCard(s))));
}

function srandmemberWithCount(ctx: ExecContext, argv: string[]): void {
  const { db, out } = ctx;
  const l = randomCountArg(argv[2]!, out);
  if (l === null) return;
  const r = readSet(ctx, argv[1]!);
  if (r === null) return;
  if (r === undefined || l === 0n) {
    out.array(0);
    return;
  }
  const s = setOf(r);
  const size = setCard(s);
  const unique = l > 0n;
  const count = Number(unique ? l : -l);
  if (!unique || count === 1) {
    const members = [...setMembers(s)];
    out.array(count);
    for (let i = 0; i < count; i++) out.bulk(members[randomIndex(db, size)]!);
    return;
  }
  const picked = count >= size ? iterationOrder(r) : sampleDistinct(db, [...setMembers(s)], count);
  out.array(picked.length);
  for (const m of picked) out.bulk(m);
}

// ---- multi-set commands ------------------------------------------------------------------------

/**
 * Looks up every source key as Redis does (all of them, in order, before any work): a missing key
 * is an empty set (undefined), the first key of another type answers WRONGTYPE (returns null).
 */
function loadSets(ctx: ExecContext, keys: readonly string[]): (KeyRecord | undefined)[] | null {
  const out: (KeyRecord | undefined)[] = [];
  for (const key of keys) {
    const r = readSet(ctx, key);
    if (r === null) return null;
    out.push(r);
  }
  return out;
}

interface InterOptions {
  /** SINTERSTORE's destination. */
  dst: string | null;
  /** SINTERCARD: count only, stop at `limit` (0 = no limit). */
  cardOnly: boolean;
  limit: number;
}

/** sinterGenericCommand: walks the smallest set and keeps the members every other set has. */
function sinterGeneric(ctx: ExecContext, keys: readonly string[], o: InterOptions): void {
  const { db, out } = ctx;
  const recs = loadSets(ctx, keys);
  if (recs === null) return;
  const result: string[] = [];
  if (recs.every((r) => r !== undefined)) {
    const sets = (recs as KeyRecord[]).slice().sort((a, b) => setCard(setOf(a)) - setCard(setOf(b)));
    const first = sets[0]!;
    for (const m of iterationOrder(first)) {
      if (!sets.every((r) => r === first || setHas(setOf(r), m))) continue;
      result.push(m);
      if (o.cardOnly && o.limit > 0 && result.length >= o.limit) break;
    }
  }
  if (o.dst !== null) {
    // The result object starts as an intset and converts as members are added.
    storeSet(db, o.dst, result, fitsIntset(result, result.length));
    out.integer(result.length);
  } else if (o.cardOnly) out.integer(result.length);
  else replyMembers(out, result);
}

function sinterCommand(ctx: ExecContext, argv: string[]): void {
  sinterGeneric(ctx, argv.slice(1), { dst: null, cardOnly: false, limit: 0 });
}

function sinterstoreCommand(ctx: ExecContext, argv: string[]): void {
  sinterGeneric(ctx, argv.slice(2), { dst: argv[1]!, cardOnly: false, limit: 0 });
}

function sintercardCommand(ctx: ExecContext, argv: string[]): void {
  const { out } = ctx;
  const numkeys = parseInteger(argv[1]!);
  if (numkeys === null || numkeys < 1n) {
    out.error('ERR numkeys should be greater than 0');
    return;
  }
  if (numkeys > BigInt(argv.length - 2)) {
    out.error("ERR Number of keys can't be greater than number of args");
    return;
  }
  const n = Number(numkeys);
  let limit = 0n;
  for (let j = 2 + n; j < argv.length; j++) {
    if (argv[j]!.toLowerCase() === 'limit' && j < argv.length - 1) {
      const v = parseInteger(argv[++j]!);
      if (v === null || v < 0n) {
        out.error("ERR LIMIT can't be negative");
        return;
      }
      limit = v;
    } else {
      out.error(Errors.syntax);
      return;
    }
  }
  // A limit beyond any possible cardinality is no limit.
  const cap = limit > BigInt(Number.MAX_SAFE_INTEGER) ? 0 : Number(limit);
  sinterGeneric(ctx, argv.slice(2, 2 + n), { dst: null, cardOnly: true, limit: cap });
}

/** A union or difference, and whether Redis's result object stayed an intset while built. */
interface Combined {
  members: string[];
  small: boolean;
}

function union(recs: readonly (KeyRecord | undefined)[]): Combined {
  const acc = new Set<string>();
  for (const r of recs) if (r !== undefined) for (const m of iterationOrder(r)) acc.add(m);
  const members = [...acc];
  return { members, small: fitsIntset(members, members.length) };
}

/**
 * SDIFF with Redis's choice of algorithm, which decides the result's encoding: algorithm 1 adds
 * only surviving members; algorithm 2 first adds every member of the first set, then removes.
 */
function difference(keys: readonly string[], recs: readonly (KeyRecord | undefined)[]): Combined {
  const first = recs[0];
  // The first key repeated later: Redis sees the same object and answers empty.
  const sameSet = first !== undefined && keys.slice(1).includes(keys[0]!);
  if (first === undefined || sameSet) return { members: [], small: true };
  const s0 = setOf(first);
  const others = recs.slice(1).filter((r): r is KeyRecord => r !== undefined);
  let algoOne = 0;
  let algoTwo = 0;
  for (const r of [first, ...others]) {
    algoOne += setCard(s0);
    algoTwo += setCard(setOf(r));
  }
  const members = iterationOrder(first).filter((m) => !others.some((r) => setHas(setOf(r), m)));
  const small = Math.floor(algoOne / 2) <= algoTwo ? fitsIntset(members, members.length) : fitsIntset(setMembers(s0), setCard(s0));
  return { members, small };
}

function sunionDiffGeneric(ctx: ExecContext, keys: readonly string[], dst: string | null, op: 'union' | 'diff'): void {
  const recs = loadSets(ctx, keys);
  if (recs === null) return;
  const c = op === 'union' ? union(recs) : difference(keys, recs);
  if (dst === null) {
    replyMembers(ctx.out, resultOrder(c.members, c.small));
    return;
  }
  storeSet(ctx.db, dst, c.members, c.small);
  ctx.out.integer(c.members.length);
}

// ---- SSCAN -------------------------------------------------------------------------------------

/** SSCAN answers the whole set in one page with cursor 0, as Redis does for an intset (see HSCAN). */
function sscanCommand(ctx: ExecContext, argv: string[]): void {
  const { out } = ctx;
  if (parseScanCursor(argv[2]!, out) === null) return;
  const r = readSet(ctx, argv[1]!);
  if (r === null) return;
  if (r === undefined) {
    emptyScan(out);
    return;
  }
  const o = parseScanOptions(argv, 3, false, out);
  if (o === null) return;
  const pattern = o.pattern;
  const found = pattern === null ? iterationOrder(r) : iterationOrder(r).filter((m) => globMatch(pattern, m));
  out.array(2);
  out.bulk('0');
  out.array(found.length);
  for (const m of found) out.bulk(m);
}

// ---- the table ---------------------------------------------------------------------------------

const doc = (summary: string, since: string, complexity = 'O(1)') => ({ group: 'set', summary, since, complexity });
const INTER = 'O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.';
const TOTAL = 'O(N) where N is the total number of elements in all given sets.';
const RANDOM = (n: string) => `Without the count argument O(1), otherwise O(N) where N is ${n}.`;

export const setCommands: CommandSpec[] = [
  cmd('sadd', -3, ['write', 'denyoom', 'fast'], [1, 1, 1], ['write', 'set', 'fast'], doc('Adds one or more members to a set. Creates the key if it doesn\'t exist.', '1.0.0', 'O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.'), saddCommand),
  cmd('srem', -3, ['write', 'fast'], [1, 1, 1], ['write', 'set', 'fast'], doc('Removes one or more members from a set. Deletes the set if the last member was removed.', '1.0.0', 'O(N) where N is the number of members to be removed.'), sremCommand),
  cmd('smembers', 2, ['readonly'], [1, 1, 1], ['read', 'set', 'slow'], doc('Returns all members of a set.', '1.0.0', 'O(N) where N is the set cardinality.'), smembersCommand),
  cmd('sismember', 3, ['readonly', 'fast'], [1, 1, 1], ['read', 'set', 'fast'], doc('Determines whether a member belongs to a set.', '1.0.0'), sismemberCommand),
  cmd('smismember', -3, ['readonly', 'fast'], [1, 1, 1], ['read', 'set', 'fast'], doc('Determines whether multiple members belong to a set.', '6.2.0', 'O(N) where N is the number of elements being checked for membership'), smismemberCommand),
  cmd('scard', 2, ['readonly', 'fast'], [1, 1, 1], ['read', 'set', 'fast'], doc('Returns the number of members in a set.', '1.0.0'), scardCommand),
  cmd('spop', -2, ['write', 'fast'], [1, 1, 1], ['write', 'set', 'fast'], doc('Returns one or more random members from a set after removing them. Deletes the set if the last member was popped.', '1.0.0', RANDOM('the value of the passed count')), spopCommand),
  cmd('srandmember', -2, ['readonly'], [1, 1, 1], ['read', 'set', 'slow'], doc('Get one or multiple random members from a set', '1.0.0', RANDOM('the absolute value of the passed count')), srandmemberCommand),
  cmd('smove', 4, ['write', 'fast'], [1, 2, 1], ['write', 'set', 'fast'], doc('Moves a member from one set to another.', '1.0.0'), smoveCommand),
  cmd('sinter', -2, ['readonly'], [1, -1, 1], ['read', 'set', 'slow'], doc('Returns the intersect of multiple sets.', '1.0.0', INTER), sinterCommand),
  // Keys follow numkeys (COMMAND INFO: movablekeys, no fixed range).
  cmd('sintercard', -3, ['readonly', 'movablekeys'], null, ['read', 'set', 'slow'], doc('Returns the number of members of the intersect of multiple sets.', '7.0.0', INTER), sintercardCommand),
  cmd('sinterstore', -3, ['write', 'denyoom'], [1, -1, 1], ['write', 'set', 'slow'], doc('Stores the intersect of multiple sets in a key.', '1.0.0', INTER), sinterstoreCommand),
  cmd('sunion', -2, ['readonly'], [1, -1, 1], ['read', 'set', 'slow'], doc('Returns the union of multiple sets.', '1.0.0', TOTAL), (c, a) => sunionDiffGeneric(c, a.slice(1), null, 'union')),
  cmd('sunionstore', -3, ['write', 'denyoom'], [1, -1, 1], ['write', 'set', 'slow'], doc('Stores the union of multiple sets in a key.', '1.0.0', TOTAL), (c, a) => sunionDiffGeneric(c, a.slice(2), a[1]!, 'union')),
  cmd('sdiff', -2, ['readonly'], [1, -1, 1], ['read', 'set', 'slow'], doc('Returns the difference of multiple sets.', '1.0.0', TOTAL), (c, a) => sunionDiffGeneric(c, a.slice(1), null, 'diff')),
  cmd('sdiffstore', -3, ['write', 'denyoom'], [1, -1, 1], ['write', 'set', 'slow'], doc('Stores the difference of multiple sets in a key.', '1.0.0', TOTAL), (c, a) => sunionDiffGeneric(c, a.slice(2), a[1]!, 'diff')),
  cmd('sscan', -3, ['readonly'], [1, 1, 1], ['read', 'set', 'slow'], doc('Iterates over members of a set.', '2.8.0', 'O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.'), sscanCommand),
];

defineCommands(setCommands);
