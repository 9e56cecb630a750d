/**
 * The sorted-set family (t_zset.c): ZADD and friends, ranges by rank, score and lex, pops,
 * random members, set algebra and ZSCAN. Replies and error texts follow Redis 7.0; the conflict
 * rules are reference §2.5 and §3.1 (see crdt/zset.ts): ZADD writes the member's LWW base,
 * ZINCRBY adds to this instance's counter, ZREM (and every pop or range removal) removes only
 * what this instance saw.
 *
 * Two Redis internals leak into replies and are reproduced here:
 * - the encoding. A small set is a listpack, which stores a -0 score as the integer 0 and is
 *   scanned linearly by lex ranges; a big one is a skip list and stays one until the key is
 *   recreated (see `isListpack`). The choice is kept in the record's encoding-class bits;
 * - score parsing for ranges, which is C strtod (leading spaces, hex, "" as 0), not string2d.
 */
import type { KeyOp, KeyRecord } from '../crdt/key.js';
import type { EffectMeta } from '../crdt/crdt.js';
import type { LexBound, ScoreRange, ZEntry, ZOp, ZSetEffect, ZSetState } from '../crdt/zset.js';
import {
  ZNode,
  ZSetType,
  zsetAddOp,
  zsetAt,
  zsetCard,
  zsetCountByLex,
  zsetCountByScore,
  zsetEffect,
  zsetEntries,
  zsetIncrementOp,
  zsetRangeByLex,
  zsetRangeByRank,
  zsetRangeByScore,
  zsetRank,
  zsetRemoveOp,
  zsetScore,
} from '../crdt/zset.js';
import type { SetState } from '../crdt/orset.js';
import { setCard, setHas, setMembers } from '../crdt/orset.js';
import type { CommandSpec, ExecContext } from './command-table.js';
import { cmd, defineCommands, lookupCommand } from './command-table.js';
import { keysOfCommand } from './getkeys.js';
import type { Database } from './database.js';
import { Errors } from './reply.js';
import type { Reply } from './reply.js';
import { formatDouble, parseDouble, parseInteger } from './numbers.js';
import { ENC_AUTO, ENC_RAW, encodingClass, setEncodingClass } from './object-info.js';
import { registerTypeSupport } from './type-support.js';
import { parseScanCursor, parseScanOptions } from './keys.js';
import { globMatch } from './glob.js';

/** zset-max-listpack-entries / zset-max-listpack-value (Redis defaults; not configurable here). */
const LISTPACK_MAX_ENTRIES = 128;
const LISTPACK_MAX_VALUE = 64;
/**
 * Encoding-class bit (object-info.ts) meaning "converted to a skip list": Redis never converts a
 * sorted set back to a listpack while the key lives, so this is history, not a function of the
 * contents. A new incarnation of the key starts with the bits cleared (Database.applyToKeyspace).
 */
const ENC_SKIPLIST = ENC_RAW;

const LONG_MAX = 2n ** 63n - 1n;
const ERR_NOT_FLOAT_RANGE = 'ERR min or max is not a float';
const ERR_NOT_LEX_RANGE = 'ERR min or max not valid string range item';
const ERR_NAN_SCORE = 'ERR resulting score is not a number (NaN)';

// ---------------------------------------------------------------------------------------------
// Access

export function zsetOf(r: KeyRecord): ZSetState {
  return r.d as ZSetState;
}

/** The sorted set at `key` for a read: undefined when absent, null after replying WRONGTYPE. */
export function readZset(db: Database, key: string, out: Reply): ZSetState | undefined | null {
  const r = db.lookupRead(key);
  if (r === undefined) return undefined;
  if (r.type !== 'zset') {
    out.error(Errors.wrongType);
    return null;
  }
  return zsetOf(r);
}

/** The record at `key` before a write: undefined when absent, null after replying WRONGTYPE. */
function writableZset(db: Database, key: string, out: Reply): KeyRecord | undefined | null {
  const r = db.lookupWrite(key);
  if (r !== undefined && r.type !== 'zset') {
    out.error(Errors.wrongType);
    return null;
  }
  return r;
}

/**
 * Whether Redis would hold this set as a listpack: not converted before (the class bit, set by
 * local writes that outgrew it) and small enough now (a set grown by remote writes only).
 */
export function isListpack(r: KeyRecord): boolean {
  if ((encodingClass(r) & ENC_SKIPLIST) !== 0) return false;
  const z = zsetOf(r);
  if (zsetCard(z) > LISTPACK_MAX_ENTRIES) return false;
  for (const e of zsetEntries(z)) if (e.member.length > LISTPACK_MAX_VALUE) return false;
  return true;
}

/** A listpack keeps a score that is an integer as an integer: -0 becomes 0. */
function listpackScore(score: number): number {
  return score === 0 ? 0 : score;
}

function dataOp(e: ZSetEffect): KeyOp {
  return { k: 'data', type: 'zset', e };
}

/** Applies member ops to `key` as one effect (nothing when there are none). */
function writeOps(db: Database, key: string, ops: readonly ZOp[]): void {
  if (ops.length > 0) db.write(key, [dataOp(zsetEffect(ops))]);
}

function markEncoding(db: Database, key: string, skiplist: boolean): void {
  const r = db.keyspace.get(key);
  if (r !== undefined) setEncodingClass(r, skiplist ? ENC_SKIPLIST : ENC_AUTO);
}

/** A fresh ZADD of a member on a new incarnation: nothing to observe. */
function freshSetOp(member: string, score: number): ZOp {
  return { m: member, e: { t: 'set', v: score, obs: null } };
}

/**
 * Replaces `dst` with `entries` (sorted), as setKey does for the STORE commands; an empty result
 * deletes `dst` whatever its type. Scores before index `convertAt` went through a listpack (-0
 * stored as 0); the set is a skip list when `convertAt` < entries.length. Returns the size.
 */
export function storeEntries(db: Database, dst: string, entries: readonly ZEntry[], convertAt: number): number {
  const old = db.lookupWrite(dst);
  if (entries.length === 0) {
    if (old !== undefined) db.deleteKey(dst, old);
    return 0;
  }
  const ops = entries.map((e, i) => freshSetOp(e.member, i < convertAt ? listpackScore(e.score) : e.score));
  const keyOps: KeyOp[] = old !== undefined ? db.removalOps(old) : [];
  keyOps.push(dataOp({ ops, floor: null }));
  db.write(dst, keyOps);
  markEncoding(db, dst, convertAt < entries.length);
  return entries.length;
}

/** zsetConvertToListpackIfNeeded on a built result: all listpack or all skip list. */
export function wholeConversion(entries: readonly ZEntry[]): number {
  if (entries.length > LISTPACK_MAX_ENTRIES) return 0;
  for (const e of entries) if (e.member.length > LISTPACK_MAX_VALUE) return 0;
  return entries.length;
}

// ---------------------------------------------------------------------------------------------
// Argument parsing

/** getLongFromObjectOrReply: an int64 (Redis long) or null after replying `msg` or the default. */
function longArg(s: string, out: Reply, msg: string = Errors.notInteger): number | null {
  const v = parseInteger(s);
  if (v === null) {
    out.error(msg);
    return null;
  }
  return Number(v);
}

/** getRangeLongFromObjectOrReply with Redis's default message. */
function rangeLongArg(s: string, min: bigint, max: bigint, out: Reply, msg?: string): bigint | null {
  const v = parseInteger(s);
  if (v === null || v < min || v > max) {
    out.error(msg ?? (v === null ? Errors.notInteger : `ERR value is out of range, value must between ${min} and ${max}`));
    return null;
  }
  return v;
}

/** getPositiveLongFromObjectOrReply: one message for every failure. */
function positiveLongArg(s: string, out: Reply, msg = 'ERR value is out of range, must be positive'): number | null {
  const v = rangeLongArg(s, 0n, LONG_MAX, out, msg);
  return v === null ? null : Number(v);
}

const SPACES = ' \t\n\v\f\r';
const STRTOD_HEX = /^[+-]?0[xX](?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)(?:[pP][+-]?\d+)?/;
const STRTOD_INF = /^[+-]?inf(?:inity)?/i;
const STRTOD_NAN = /^[+-]?nan(?:\([0-9A-Za-z_]*\))?/i;
const STRTOD_DEC = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/;

/** The value of a hexadecimal strtod literal, overflow to ±inf and underflow to ±0 included. */
function hexValue(text: string): number {
  const v = parseDouble(text);
  if (v !== null) return v;
  // parseDouble refuses what strtod flags ERANGE; strtod still returns the limit value.
  const negative = text.startsWith('-');
  const m = /0[xX]([0-9a-fA-F]*)\.?([0-9a-fA-F]*)(?:[pP]([+-]?\d+))?/.exec(text)!;
  const digits = (m[1]! + m[2]!).replace(/^0+/, '');
  const magnitude = digits.length * 4 - m[2]!.length * 4 + Number(m[3] ?? '0');
  const big = digits.length > 0 && magnitude > 0;
  return negative ? (big ? -Infinity : -0) : big ? Infinity : 0;
}

/**
 * C strtod over the whole argument as zslParseRange uses it: the string as C sees it (up to the
 * first NUL), leading white space allowed, nothing after the number; "" converts nothing and
 * leaves nothing behind, so it is 0. NaN and unparsable text give null.
 */
function strtodWhole(arg: string): number | null {
  const nul = arg.indexOf('\0');
  const s = nul < 0 ? arg : arg.slice(0, nul);
  let i = 0;
  while (i < s.length && SPACES.includes(s[i]!)) i++;
  const rest = s.slice(i);
  let m: RegExpExecArray | null;
  let v: number;
  if ((m = STRTOD_HEX.exec(rest)) !== null) v = hexValue(m[0]);
  else if ((m = STRTOD_INF.exec(rest)) !== null) v = m[0].startsWith('-') ? -Infinity : Infinity;
  else if ((m = STRTOD_NAN.exec(rest)) !== null) v = NaN;
  else if ((m = STRTOD_DEC.exec(rest)) !== null) v = Number(m[0]);
  else return s.length === 0 ? 0 : null;
  if (m[0].length !== rest.length || Number.isNaN(v)) return null;
  return v;
}

/** zslParseRange: "(" makes a bound exclusive. */
export function parseScoreRange(minArg: string, maxArg: string): ScoreRange | null {
  const minEx = minArg.startsWith('(');
  const maxEx = maxArg.startsWith('(');
  const min = strtodWhole(minEx ? minArg.slice(1) : minArg);
  const max = strtodWhole(maxEx ? maxArg.slice(1) : maxArg);
  if (min === null || max === null) return null;
  return { min, max, minExclusive: minEx, maxExclusive: maxEx };
}

/** zslParseLexRangeItem: "-", "+", "[member" or "(member" (C string rules for the lone signs). */
function parseLexBound(s: string): LexBound | null {
  const c = s[0];
  if (c === '+' || c === '-') return s.length === 1 || s[1] === '\0' ? c : null;
  if (c === '(' || c === '[') return { v: s.slice(1), exclusive: c === '(' };
  return null;
}

interface LexRange {
  readonly min: LexBound;
  readonly max: LexBound;
}

function parseLexRange(minArg: string, maxArg: string): LexRange | null {
  const min = parseLexBound(minArg);
  const max = parseLexBound(maxArg);
  return min === null || max === null ? null : { min, max };
}

// ---------------------------------------------------------------------------------------------
// Replies

/**
 * Members with optional scores: RESP2 a flat array; RESP3 (or `nested`, as ZMPOP always is) an
 * array of [member, score] pairs.
 */
function replyEntries(out: Reply, entries: readonly ZEntry[], withscores: boolean, nested = out.resp === 3): void {
  const pairs = withscores && nested;
  out.array(withscores && !pairs ? entries.length * 2 : entries.length);
  for (const e of entries) {
    if (pairs) out.array(2);
    out.bulk(e.member);
    if (withscores) out.double(e.score);
  }
}

// ---------------------------------------------------------------------------------------------
// Lex ranges as a listpack answers them

/** sdscmplex of a member against a bound. */
function cmpLex(member: string, b: LexBound): number {
  if (b === '-') return 1;
  if (b === '+') return -1;
  return member < b.v ? -1 : member > b.v ? 1 : 0;
}

function lexGteMin(member: string, min: LexBound): boolean {
  const c = cmpLex(member, min);
  return typeof min === 'object' && min.exclusive ? c > 0 : c >= 0;
}

function lexLteMax(member: string, max: LexBound): boolean {
  const c = cmpLex(member, max);
  return typeof max === 'object' && max.exclusive ? c < 0 : c <= 0;
}

/** zzlIsInLexRange's first test: ranges that are always empty. */
function lexRangeEmpty(r: LexRange): boolean {
  const { min, max } = r;
  if (min === max) return true; // "- -" and "+ +": equal and both exclusive
  if (min === '+' || max === '-') return true;
  if (min === '-' || max === '+') return false;
  return min.v > max.v || (min.v === max.v && (min.exclusive || max.exclusive));
}

/**
 * Whether lex ranges can use the ordered index. With a single score the index order is the
 * member order and any walk agrees with Redis; with several scores Redis's answer depends on
 * the encoding: a listpack is walked linearly (reproduced by `lexWalk`), a skip list is searched
 * by member along its random levels (unspecified; the index's answer is used).
 */
function lexNeedsWalk(r: KeyRecord): boolean {
  const z = zsetOf(r);
  const n = zsetCard(z);
  return n > 1 && zsetAt(z, 0)!.score !== zsetAt(z, n - 1)!.score && isListpack(r);
}

/**
 * A listpack's lex range walk (zzlFirstInLexRange / zzlLastInLexRange, then the loop of
 * genericZrangebylexCommand): find the first member in range from the start (or the end), skip
 * `offset` members unchecked, then take members while the far bound holds.
 */
function lexWalk(z: ZSetState, range: LexRange, reverse: boolean, offset: number, limit: number): ZEntry[] {
  const all = zsetRangeByRank(z, 0, -1);
  const n = all.length;
  if (n === 0 || lexRangeEmpty(range) || !lexGteMin(all[n - 1]!.member, range.min) || !lexLteMax(all[0]!.member, range.max)) return [];
  const step = reverse ? -1 : 1;
  let i = reverse ? n - 1 : 0;
  const entered = (m: string) => (reverse ? lexLteMax(m, range.max) : lexGteMin(m, range.min));
  const inside = (m: string) => (reverse ? lexGteMin(m, range.min) : lexLteMax(m, range.max));
  while (i >= 0 && i < n && !entered(all[i]!.member)) i += step;
  if (i < 0 || i >= n || !inside(all[i]!.member)) return [];
  if (offset < 0) return [];
  i += step * offset;
  const out: ZEntry[] = [];
  for (; i >= 0 && i < n && limit !== 0 && inside(all[i]!.member); i += step, limit--) out.push(all[i]!);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Range selection shared by ZRANGE*, ZREMRANGE*, ZCOUNT, ZLEXCOUNT

type RangeSpec =
  | { readonly kind: 'rank'; readonly start: number; readonly stop: number }
  | { readonly kind: 'score'; readonly range: ScoreRange }
  | { readonly kind: 'lex'; readonly range: LexRange };

/** The members a range selects, in reply order (offset < 0: none, as Redis's skip loop runs off). */
function selectRange(r: KeyRecord, spec: RangeSpec, reverse: boolean, offset: number, limit: number): ZEntry[] {
  const z = zsetOf(r);
  switch (spec.kind) {
    case 'rank':
      return zsetRangeByRank(z, spec.start, spec.stop, reverse);
    case 'score':
      if (offset < 0 || (offset > 0 && offset >= zsetCard(z))) return [];
      return zsetRangeByScore(z, spec.range, reverse, offset, limit);
    case 'lex':
      if (lexNeedsWalk(r)) return lexWalk(z, spec.range, reverse, offset, limit);
      if (offset < 0) return [];
      return zsetRangeByLex(z, spec.range.min, spec.range.max, reverse, offset, limit);
  }
}

// ---------------------------------------------------------------------------------------------
// ZADD / ZINCRBY

export interface ZaddFlags {
  nx: boolean;
  xx: boolean;
  gt: boolean;
  lt: boolean;
  ch: boolean;
  incr: boolean;
}

export interface ScoredMember {
  readonly score: number;
  readonly member: string;
}

/**
 * The score `member` would show after `op`, computed on a scratch copy of its node: the CRDT sums
 * a member's parts in a fixed order, so an increment's result is not always cur + delta.
 */
function scoreAfter(z: ZSetState, member: string, op: ZOp, meta: EffectMeta): number | null {
  const scratch = ZSetType.empty();
  scratch.floor = z.floor;
  const live = z.live.get(member);
  const n = live ?? z.dead?.get(member);
  if (n !== undefined) {
    const c = new ZNode(member, n.score, n.ts, n.id);
    c.x = n.x === null ? null : n.x.slice();
    if (live !== undefined) {
      scratch.live.set(member, c);
      scratch.index.insert(c);
    } else scratch.dead = new Map([[member, c]]);
  }
  ZSetType.apply(scratch, { ops: [op], floor: null }, meta);
  return zsetScore(scratch, member);
}

/**
 * The op of a ZINCRBY that must leave `member` showing exactly `target` (what Redis computes,
 * cur + delta) while staying an increment, so that concurrent increments still add up
 * (TV-ZSET-04). A member with only a base (or none) sums to exactly cur + delta; otherwise the
 * delta is corrected by the rounding the CRDT's summation order introduced. When no increment
 * reaches the target (one part absorbs the others, 1e20 + 1 - 1e20), the score is written as a
 * base instead, which still keeps concurrent increments.
 */
function incrementOp(db: Database, z: ZSetState, member: string, delta: number, target: number): ZOp {
  const node = z.live.get(member) ?? z.dead?.get(member);
  const first = zsetIncrementOp(z, member, delta, db.instanceId);
  if (node === undefined || node.x === null) return first;
  const meta: EffectMeta = { origin: db.instanceId, seq: db.lastSeq + 1, ts: 0 };
  let d = delta;
  let op = first;
  for (let attempt = 0; attempt < 4; attempt++) {
    const got = scoreAfter(z, member, op, meta);
    if (got !== null && Object.is(got, target)) return op;
    const next = got === null ? NaN : d + (target - got);
    if (Number.isNaN(next) || next === d || (!Number.isFinite(next) && Number.isFinite(target))) break;
    d = next;
    op = zsetIncrementOp(z, member, d, db.instanceId);
  }
  return zsetAddOp(z, member, target);
}

/** What one ZADD pair did (zsetAdd's out flags). */
type AddOutcome = 'added' | 'updated' | 'nop' | 'same';

interface AddRun {
  readonly db: Database;
  readonly z: ZSetState | null;
  readonly flags: ZaddFlags;
  /** Scores written earlier in this command (a member may be named twice). */
  readonly pending: Map<string, number>;
  readonly ops: ZOp[];
  card: number;
  listpack: boolean;
  /** The score of the last processed pair (the INCR reply). */
  last: number;
}

function currentScore(run: AddRun, member: string): number | null {
  const p = run.pending.get(member);
  if (p !== undefined) return p;
  return run.z === null ? null : zsetScore(run.z, member);
}

/** zsetAdd for one pair; 'nan' when an increment produced NaN. */
function addOne(run: AddRun, score: number, member: string): AddOutcome | 'nan' {
  const { flags } = run;
  const cur = currentScore(run, member);
  if (cur !== null) {
    if (flags.nx) return 'nop';
    const next = flags.incr ? cur + score : score;
    if (Number.isNaN(next)) return 'nan';
    if ((flags.lt && next >= cur) || (flags.gt && next <= cur)) return 'nop';
    run.last = next;
    if (next === cur) return 'same';
    const stored = run.listpack ? listpackScore(next) : next;
    run.pending.set(member, stored);
    run.ops.push(flags.incr && run.z !== null ? incrementOp(run.db, run.z, member, score, stored) : setOp(run, member, stored));
    return 'updated';
  }
  if (flags.xx) return 'nop';
  if (run.listpack && (run.card + 1 > LISTPACK_MAX_ENTRIES || member.length > LISTPACK_MAX_VALUE)) run.listpack = false;
  const stored = run.listpack ? listpackScore(score) : score;
  run.card++;
  run.last = score;
  run.pending.set(member, stored);
  run.ops.push(flags.incr && run.z !== null ? incrementOp(run.db, run.z, member, stored, stored) : addOrIncrement(run, member, stored));
  return 'added';
}

function setOp(run: AddRun, member: string, score: number): ZOp {
  return run.z === null ? freshSetOp(member, score) : zsetAddOp(run.z, member, score);
}

/** A new member: a base write, or for INCR on a new key an increment from nothing. */
function addOrIncrement(run: AddRun, member: string, score: number): ZOp {
  if (run.flags.incr) return { m: member, e: { t: 'incr', d: score, fresh: true } };
  return setOp(run, member, score);
}

/**
 * ZADD after its arguments were checked (zaddGenericCommand from the key lookup on; GEOADD calls
 * it with the scores it encoded).
 */
export function zaddPairs(ctx: ExecContext, key: string, flags: ZaddFlags, pairs: readonly ScoredMember[]): void {
  const { db, out } = ctx;
  const r = writableZset(db, key, out);
  if (r === null) return;
  if (r === undefined && flags.xx) {
    if (flags.incr) out.nullBulk();
    else out.integer(0);
    return;
  }
  const run: AddRun = {
    db,
    z: r === undefined ? null : zsetOf(r),
    flags,
    pending: new Map(),
    ops: [],
    card: r === undefined ? 0 : zsetCard(zsetOf(r)),
    listpack: r === undefined ? pairs[0]!.member.length <= LISTPACK_MAX_VALUE : isListpack(r),
    last: 0,
  };
  let added = 0;
  let updated = 0;
  let processed = 0;
  for (const { score, member } of pairs) {
    const o = addOne(run, score, member);
    if (o === 'nan') return out.error(ERR_NAN_SCORE);
    if (o === 'added') added++;
    if (o === 'updated') updated++;
    if (o !== 'nop') processed++;
  }
  writeOps(db, key, run.ops);
  if (!run.listpack) markEncoding(db, key, true);
  if (flags.incr) {
    if (processed > 0) out.double(run.last);
    else out.nullBulk();
  } else out.integer(flags.ch ? added + updated : added);
}

function zaddGeneric(ctx: ExecContext, argv: string[], incrCommand: boolean): void {
  const { out } = ctx;
  const flags: ZaddFlags = { nx: false, xx: false, gt: false, lt: false, ch: false, incr: incrCommand };
  let i = 2;
  for (; i < argv.length; i++) {
    const opt = argv[i]!.toLowerCase();
    if (opt === 'nx') flags.nx = true;
    else if (opt === 'xx') flags.xx = true;
    else if (opt === 'ch') flags.ch = true;
    else if (opt === 'incr') flags.incr = true;
    else if (opt === 'gt') flags.gt = true;
    else if (opt === 'lt') flags.lt = true;
    else break;
  }
  const elements = argv.length - i;
  if (elements % 2 !== 0 || elements === 0) return out.error(Errors.syntax);
  if (flags.nx && flags.xx) return out.error('ERR XX and NX options at the same time are not compatible');
  if ((flags.gt && flags.nx) || (flags.lt && flags.nx) || (flags.gt && flags.lt)) {
    return out.error('ERR GT, LT, and/or NX options at the same time are not compatible');
  }
  if (flags.incr && elements > 2) return out.error('ERR INCR option supports a single increment-element pair');
  const pairs: ScoredMember[] = [];
  for (let j = i; j < argv.length; j += 2) {
    const score = parseDouble(argv[j]!);
    if (score === null || Number.isNaN(score)) return out.error(Errors.notFloat);
    pairs.push({ score, member: argv[j + 1]! });
  }
  zaddPairs(ctx, argv[1]!, flags, pairs);
}

function zincrbyCommand(ctx: ExecContext, argv: string[]): void {
  const score = parseDouble(argv[2]!);
  if (score === null) return ctx.out.error(Errors.notFloat);
  zaddPairs(ctx, argv[1]!, { nx: false, xx: false, gt: false, lt: false, ch: false, incr: true }, [{ score, member: argv[3]! }]);
}

// ---------------------------------------------------------------------------------------------
// Removal

/** Removes members (observed-remove, each once); returns how many showed. */
function removeMembers(db: Database, key: string, r: KeyRecord, members: Iterable<string>): number {
  const z = zsetOf(r);
  const ops: ZOp[] = [];
  const seen = new Set<string>();
  for (const m of members) {
    if (seen.has(m)) continue;
    seen.add(m);
    const op = zsetRemoveOp(z, m);
    if (op !== null) ops.push(op);
  }
  // Removing the last member deletes the key as DEL does (as hashes.ts and sets.ts do): the
  // TTL it saw goes too, and the tombstone keeps the removal until it is stable (§3.1, §3.7).
  if (ops.length > 0 && ops.length === zsetCard(z)) db.deleteKey(key, r);
  else writeOps(db, key, ops);
  return ops.length;
}

function zremCommand(ctx: ExecContext, argv: string[]): void {
  const { db, out } = ctx;
  const key = argv[1]!;
  const r = writableZset(db, key, out);
  if (r === null) return;
  if (r === undefined) return out.integer(0);
  out.integer(removeMembers(db, key, r, argv.slice(2)));
}

function parseRangeSpec(kind: RangeSpec['kind'], a: string, b: string, out: Reply): RangeSpec | null {
  if (kind === 'rank') {
    const start = longArg(a, out);
    if (start === null) return null;
    const stop = longArg(b, out);
    return stop === null ? null : { kind, start, stop };
  }
  if (kind === 'score') {
    const range = parseScoreRange(a, b);
    if (range === null) out.error(ERR_NOT_FLOAT_RANGE);
    return range === null ? null : { kind, range };
  }
  const range = parseLexRange(a, b);
  if (range === null) out.error(ERR_NOT_LEX_RANGE);
  return range === null ? null : { kind, range };
}

/** ZREMRANGEBYRANK / BYSCORE / BYLEX (zremrangeGenericCommand). */
function zremrangeGeneric(ctx: ExecContext, argv: string[], kind: RangeSpec['kind']): void {
  const { db, out } = ctx;
  const spec = parseRangeSpec(kind, argv[2]!, argv[3]!, out);
  if (spec === null) return;
  const key = argv[1]!;
  const r = writableZset(db, key, out);
  if (r === null) return;
  if (r === undefined) return out.integer(0);
  const doomed = selectRange(r, spec, false, 0, -1);
  out.integer(removeMembers(db, key, r, doomed.map((e) => e.member)));
}

// ---------------------------------------------------------------------------------------------
// Simple reads

function zcardCommand(ctx: ExecContext, argv: string[]): void {
  const z = readZset(ctx.db, argv[1]!, ctx.out);
  if (z !== null) ctx.out.integer(z === undefined ? 0 : zsetCard(z));
}

function zscoreCommand(ctx: ExecContext, argv: string[]): void {
  const z = readZset(ctx.db, argv[1]!, ctx.out);
  if (z === null) return;
  const s = z === undefined ? null : zsetScore(z, argv[2]!);
  if (s === null) ctx.out.nullBulk();
  else ctx.out.double(s);
}

function zmscoreCommand(ctx: ExecContext, argv: string[]): void {
  const { out } = ctx;
  const z = readZset(ctx.db, argv[1]!, out);
  if (z === null) return;
  out.array(argv.length - 2);
  for (let j = 2; j < argv.length; j++) {
    const s = z === undefined ? null : zsetScore(z, argv[j]!);
    if (s === null) out.nullBulk();
    else out.double(s);
  }
}

/** ZRANK / ZREVRANK, with the WITHSCORE option of Redis 7.2. */
function zrankGeneric(ctx: ExecContext, argv: string[], reverse: boolean): void {
  const { out } = ctx;
  if (argv.length > 4) return out.error(Errors.arity(argv[0]!.toLowerCase()));
  const withscore = argv.length === 4;
  if (withscore && argv[3]!.toLowerCase() !== 'withscore') return out.error(Errors.syntax);
  const z = readZset(ctx.db, argv[1]!, out);
  if (z === null) return;
  const rank = z === undefined ? null : zsetRank(z, argv[2]!, reverse);
  if (rank === null) {
    if (withscore) out.nullArray();
    else out.nullBulk();
    return;
  }
  if (!withscore) return out.integer(rank);
  out.array(2);
  out.integer(rank);
  out.double(zsetScore(z!, argv[2]!)!);
}

function zcountCommand(ctx: ExecContext, argv: string[]): void {
  const { out } = ctx;
  const range = parseScoreRange(argv[2]!, argv[3]!);
  if (range === null) return out.error(ERR_NOT_FLOAT_RANGE);
  const z = readZset(ctx.db, argv[1]!, out);
  if (z !== null) out.integer(z === undefined ? 0 : zsetCountByScore(z, range));
}

function zlexcountCommand(ctx: ExecContext, argv: string[]): void {
  const { db, out } = ctx;
  const range = parseLexRange(argv[2]!, argv[3]!);
  if (range === null) return out.error(ERR_NOT_LEX_RANGE);
  const r = db.lookupRead(argv[1]!);
  if (r === undefined) return out.integer(0);
  if (r.type !== 'zset') return out.error(Errors.wrongType);
  if (lexNeedsWalk(r)) out.integer(lexWalk(zsetOf(r), range, false, 0, -1).length);
  else out.integer(zsetCountByLex(zsetOf(r), range.min, range.max));
}

// ---------------------------------------------------------------------------------------------
// ZRANGE and its variants (zrangeGenericCommand)

interface RangeCall {
  /** Index of the source key. */
  readonly src: number;
  /** Destination key for ZRANGESTORE. */
  readonly dst: string | null;
  kind: RangeSpec['kind'] | null;
  reverse: boolean | null;
}

interface RangeOptions {
  withscores: boolean;
  offset: number;
  limit: number;
}

function parseRangeOptions(argv: string[], call: RangeCall, out: Reply): RangeOptions | null {
  const o: RangeOptions = { withscores: false, offset: 0, limit: -1 };
  for (let j = call.src + 3; j < argv.length; j++) {
    const opt = argv[j]!.toLowerCase();
    const left = argv.length - j - 1;
    if (call.dst === null && opt === 'withscores') o.withscores = true;
    else if (opt === 'limit' && left >= 2) {
      const offset = longArg(argv[j + 1]!, out);
      if (offset === null) return null;
      const limit = longArg(argv[j + 2]!, out);
      if (limit === null) return null;
      o.offset = offset;
      o.limit = limit;
      j += 2;
    } else if (call.reverse === null && opt === 'rev') call.reverse = true;
    else if (call.kind === null && opt === 'bylex') call.kind = 'lex';
    else if (call.kind === null && opt === 'byscore') call.kind = 'score';
    else {
      out.error(Errors.syntax);
      return null;
    }
  }
  return o;
}

function zrangeGeneric(ctx: ExecContext, argv: string[], call: RangeCall): void {
  const { db, out } = ctx;
  const o = parseRangeOptions(argv, call, out);
  if (o === null) return;
  const reverse = call.reverse ?? false;
  const kind = call.kind ?? 'rank';
  if (o.limit !== -1 && kind === 'rank') return out.error('ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX');
  if (o.withscores && kind === 'lex') return out.error('ERR syntax error, WITHSCORES not supported in combination with BYLEX');
  // Reversed score and lex ranges are written max first.
  const swap = reverse && kind !== 'rank';
  const spec = parseRangeSpec(kind, argv[call.src + (swap ? 2 : 1)]!, argv[call.src + (swap ? 1 : 2)]!, out);
  if (spec === null) return;
  const r = db.lookupRead(argv[call.src]!);
  if (r !== undefined && r.type !== 'zset') return out.error(Errors.wrongType);
  const entries = r === undefined ? [] : selectRange(r, spec, reverse, o.offset, o.limit);
  if (call.dst === null) return replyEntries(out, entries, o.withscores);
  out.integer(storeEntries(db, call.dst, entries, rangeStoreConversion(spec, entries)));
}

/**
 * Where ZRANGESTORE's result leaves the listpack: a rank range longer than the listpack limit
 * starts as a skip list, anything else starts as a listpack and converts at the first member
 * that does not fit (zrangeResultBeginStore, zsetAdd).
 */
function rangeStoreConversion(spec: RangeSpec, entries: readonly ZEntry[]): number {
  if (spec.kind === 'rank' && entries.length > LISTPACK_MAX_ENTRIES) return 0;
  for (let i = 0; i < entries.length; i++) {
    if (i + 1 > LISTPACK_MAX_ENTRIES || entries[i]!.member.length > LISTPACK_MAX_VALUE) return i;
  }
  return entries.length;
}

const rangeCall = (kind: RangeSpec['kind'] | null, reverse: boolean | null): RangeCall => ({ src: 1, dst: null, kind, reverse });

// ---------------------------------------------------------------------------------------------
// Pops

/** Removes and returns up to `count` members from one end (genericZpopCommand's loop). */
function popEntries(db: Database, key: string, r: KeyRecord, count: number, max: boolean): ZEntry[] {
  const z = zsetOf(r);
  const n = Math.min(count, zsetCard(z));
  // Copies: the entries are the index's nodes, which the removal below re-scores in place.
  const taken = zsetRangeByRank(z, 0, n - 1, max).map((e) => ({ member: e.member, score: e.score }));
  removeMembers(db, key, r, taken.map((e) => e.member));
  return taken;
}

function zpopGeneric(ctx: ExecContext, argv: string[], max: boolean): void {
  const { db, out } = ctx;
  if (argv.length > 3) return out.error(Errors.syntax);
  let count = -1;
  if (argv.length === 3) {
    const c = positiveLongArg(argv[2]!, out);
    if (c === null) return;
    count = c;
  }
  const key = argv[1]!;
  const r = writableZset(db, key, out);
  if (r === null) return;
  if (r === undefined || count === 0) return out.array(0);
  const popped = popEntries(db, key, r, count === -1 ? 1 : count, max);
  replyEntries(out, popped, true, out.resp === 3 && count !== -1);
}

function zmpopCommand(ctx: ExecContext, argv: string[]): void {
  const { db, out } = ctx;
  const numkeys = rangeLongArg(argv[1]!, 1n, LONG_MAX, out, 'ERR numkeys should be greater than 0');
  if (numkeys === null) return;
  const whereIdx = 2n + numkeys;
  if (whereIdx >= BigInt(argv.length)) return out.error(Errors.syntax);
  const w = Number(whereIdx);
  const where = argv[w]!.toLowerCase();
  if (where !== 'min' && where !== 'max') return out.error(Errors.syntax);
  let count = -1;
  for (let j = w + 1; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    if (count === -1 && argv[j]!.toLowerCase() === 'count' && more > 0) {
      const c = rangeLongArg(argv[++j]!, 1n, LONG_MAX, out, 'ERR count should be greater than 0');
      if (c === null) return;
      count = Number(c);
    } else return out.error(Errors.syntax);
  }
  for (let k = 2; k < w; k++) {
    const key = argv[k]!;
    const r = writableZset(db, key, out);
    if (r === null) return;
    if (r === undefined) continue;
    const popped = popEntries(db, key, r, count === -1 ? 1 : count, where === 'max');
    out.array(2);
    out.bulk(key);
    return replyEntries(out, popped, true, true);
  }
  out.nullArray();
}

/** Key positions of a full command as COMMAND GETKEYS finds them (getkeys.ts); null: none. */
function keyPositions(argv: readonly string[]): number[] | null {
  const spec = lookupCommand(argv[0]!);
  const keys = spec === undefined ? [] : keysOfCommand(spec, argv);
  return keys.length ? keys.map((k) => k.pos) : null;
}

/**
 * Key positions of ZMPOP numkeys key… as Redis 7.0's COMMAND GETKEYS finds them; null: "Invalid
 * arguments specified for command" (see the table note).
 */
export function zmpopKeys(argv: readonly string[]): number[] | null {
  return keyPositions(argv);
}

// ---------------------------------------------------------------------------------------------
// ZRANDMEMBER

/** `count` distinct ranks out of `size`, in random order (count < size). */
function distinctRanks(db: Database, size: number, count: number): number[] {
  if (count * 3 > size) {
    // Few left out: shuffle the first `count` positions into place (partial Fisher–Yates).
    const ranks = Array.from({ length: size }, (_, i) => i);
    for (let i = 0; i < count; i++) {
      const j = i + Math.floor(db.random() * (size - i));
      [ranks[i], ranks[j]] = [ranks[j]!, ranks[i]!];
    }
    return ranks.slice(0, count);
  }
  const picked = new Set<number>();
  while (picked.size < count) picked.add(Math.floor(db.random() * size));
  return [...picked];
}

/**
 * Redis answers ZRANDMEMBER with a count by streaming up to 2^63 elements; a client cannot take
 * more than this anyway, and the engine must not build such a reply in memory.
 */
const RANDMEMBER_MAX = 1 << 24;

function zrandmemberCommand(ctx: ExecContext, argv: string[]): void {
  const { db, out } = ctx;
  if (argv.length === 2) {
    const z = readZset(db, argv[1]!, out);
    if (z === null) return;
    if (z === undefined) return out.nullBulk();
    out.bulk(zsetAt(z, Math.floor(db.random() * zsetCard(z)))!.member);
    return;
  }
  const l = rangeLongArg(argv[2]!, -LONG_MAX, LONG_MAX, out);
  if (l === null) return;
  if (argv.length > 4 || (argv.length === 4 && argv[3]!.toLowerCase() !== 'withscores')) return out.error(Errors.syntax);
  const withscores = argv.length === 4;
  if (withscores && (l < -LONG_MAX / 2n || l > LONG_MAX / 2n)) return out.error('ERR value is out of range');
  const z = readZset(db, argv[1]!, out);
  if (z === null) return;
  if (z === undefined || l === 0n) return out.array(0);
  const size = zsetCard(z);
  const unique = l > 0n && l !== 1n;
  const want = l < 0n ? -l : l;
  if (!unique) {
    if (want > BigInt(RANDMEMBER_MAX)) return out.error('ERR value is out of range');
    const n = Number(want);
    const picks = Array.from({ length: n }, () => zsetAt(z, Math.floor(db.random() * size))!);
    return replyEntries(out, picks, withscores);
  }
  // The whole set, as Redis's set-operation iterator walks it: from the highest score down.
  if (want >= BigInt(size)) return replyEntries(out, zsetRangeByRank(z, 0, -1, true), withscores);
  const picks = distinctRanks(db, size, Number(want)).map((rank) => zsetAt(z, rank)!);
  replyEntries(out, picks, withscores);
}

// ---------------------------------------------------------------------------------------------
// ZUNION / ZINTER / ZDIFF (+STORE) and ZINTERCARD (zunionInterDiffGenericCommand)

type SetOp = 'union' | 'inter' | 'diff';
type Aggregate = 'sum' | 'min' | 'max';

/** One input: a sorted set, a set (every member scores 1), or a missing key. */
interface Source {
  readonly rec: KeyRecord | undefined;
  readonly z: ZSetState | null;
  readonly s: SetState | null;
  weight: number;
}

function sourceSize(src: Source): number {
  if (src.z !== null) return zsetCard(src.z);
  return src.s !== null ? setCard(src.s) : 0;
}

function* sourceEntries(src: Source): Iterable<ZEntry> {
  if (src.z !== null) yield* zsetEntries(src.z);
  else if (src.s !== null) for (const member of setMembers(src.s)) yield { member, score: 1 };
}

function sourceScore(src: Source, member: string): number | null {
  if (src.z !== null) return zsetScore(src.z, member);
  return src.s !== null && setHas(src.s, member) ? 1 : null;
}

/** zunionInterAggregate, NaN rules included. */
function aggregate(target: number, val: number, how: Aggregate): number {
  if (how === 'sum') {
    const sum = target + val;
    return Number.isNaN(sum) ? 0 : sum;
  }
  if (how === 'min') return val < target ? val : target;
  return val > target ? val : target;
}

interface AlgebraCall {
  readonly op: SetOp;
  readonly dst: string | null;
  /** Index of numkeys. */
  readonly numkeysAt: number;
  readonly cardinalityOnly: boolean;
  /** Command name for the "at least 1 input key" error (c->cmd->fullname). */
  readonly name: string;
}

interface AlgebraArgs {
  sources: Source[];
  how: Aggregate;
  withscores: boolean;
  limit: number;
}

function readSources(ctx: ExecContext, argv: string[], call: AlgebraCall): Source[] | null {
  const { db, out } = ctx;
  const setnum = longArg(argv[call.numkeysAt]!, out);
  if (setnum === null) return null;
  if (setnum < 1) {
    out.error(`ERR at least 1 input key is needed for '${call.name}' command`);
    return null;
  }
  if (setnum > argv.length - (call.numkeysAt + 1)) {
    out.error(Errors.syntax);
    return null;
  }
  const sources: Source[] = [];
  for (let i = 0; i < setnum; i++) {
    const rec = db.lookupRead(argv[call.numkeysAt + 1 + i]!);
    if (rec !== undefined && rec.type !== 'zset' && rec.type !== 'set') {
      out.error(Errors.wrongType);
      return null;
    }
    const z = rec?.type === 'zset' ? zsetOf(rec) : null;
    const s = rec?.type === 'set' ? (rec.d as SetState) : null;
    sources.push({ rec, z, s, weight: 1 });
  }
  return sources;
}

function parseAlgebraOptions(argv: string[], call: AlgebraCall, sources: Source[], out: Reply): AlgebraArgs | null {
  const a: AlgebraArgs = { sources, how: 'sum', withscores: false, limit: 0 };
  const scored = call.op !== 'diff' && !call.cardinalityOnly;
  let j = call.numkeysAt + 1 + sources.length;
  while (j < argv.length) {
    const remaining = argv.length - j;
    const opt = argv[j]!.toLowerCase();
    if (scored && remaining >= sources.length + 1 && opt === 'weights') {
      for (let i = 0; i < sources.length; i++) {
        const w = parseDouble(argv[j + 1 + i]!);
        if (w === null) {
          out.error('ERR weight value is not a float');
          return null;
        }
        sources[i]!.weight = w;
      }
      j += sources.length + 1;
    } else if (scored && remaining >= 2 && opt === 'aggregate') {
      const how = argv[j + 1]!.toLowerCase();
      if (how !== 'sum' && how !== 'min' && how !== 'max') {
        out.error(Errors.syntax);
        return null;
      }
      a.how = how;
      j += 2;
    } else if (call.dst === null && !call.cardinalityOnly && opt === 'withscores') {
      a.withscores = true;
      j++;
    } else if (call.cardinalityOnly && remaining >= 2 && opt === 'limit') {
      const limit = positiveLongArg(argv[j + 1]!, out, "ERR LIMIT can't be negative");
      if (limit === null) return null;
      a.limit = limit;
      j += 2;
    } else {
      out.error(Errors.syntax);
      return null;
    }
  }
  return a;
}

/** Each member of the first input that is in every other, with its aggregated score. */
function* intersection(sources: readonly Source[], how: Aggregate): Generator<ZEntry> {
  const first = sources[0]!;
  if (sourceSize(first) === 0) return;
  outer: for (const e of sourceEntries(first)) {
    let score = first.weight * e.score;
    if (Number.isNaN(score)) score = 0;
    for (let j = 1; j < sources.length; j++) {
      const src = sources[j]!;
      // Redis reads a key named twice from the entry it is iterating.
      const found = src.rec === first.rec ? e.score : sourceScore(src, e.member);
      if (found === null) continue outer;
      score = aggregate(score, found * src.weight, how);
    }
    yield { member: e.member, score };
  }
}

function union(sources: readonly Source[], how: Aggregate): ZEntry[] {
  const acc = new Map<string, number>();
  for (const src of sources) {
    for (const e of sourceEntries(src)) {
      let score = src.weight * e.score;
      if (Number.isNaN(score)) score = 0;
      const cur = acc.get(e.member);
      acc.set(e.member, cur === undefined ? score : aggregate(cur, score, how));
    }
  }
  return [...acc].map(([member, score]) => ({ member, score }));
}

function difference(sources: readonly Source[]): ZEntry[] {
  const out: ZEntry[] = [];
  for (const e of sourceEntries(sources[0]!)) {
    if (!sources.slice(1).some((src) => sourceScore(src, e.member) !== null)) out.push({ member: e.member, score: e.score });
  }
  return out;
}

function byScoreThenMember(a: ZEntry, b: ZEntry): number {
  if (a.score < b.score) return -1;
  if (a.score > b.score) return 1;
  return a.member < b.member ? -1 : a.member > b.member ? 1 : 0;
}

function algebraGeneric(ctx: ExecContext, argv: string[], call: AlgebraCall): void {
  const { db, out } = ctx;
  const sources = readSources(ctx, argv, call);
  if (sources === null) return;
  const a = parseAlgebraOptions(argv, call, sources, out);
  if (a === null) return;
  // Union and intersection visit the inputs smallest first (a stable qsort in Redis), which
  // decides the order floating-point sums are taken in.
  const ordered = call.op === 'diff' ? sources : [...sources].sort((x, y) => sourceSize(x) - sourceSize(y));
  if (call.cardinalityOnly) {
    let n = 0;
    for (const _ of intersection(ordered, a.how)) if (++n === a.limit) break;
    return out.integer(n);
  }
  const result = call.op === 'inter' ? [...intersection(ordered, a.how)] : call.op === 'union' ? union(ordered, a.how) : difference(ordered);
  result.sort(byScoreThenMember);
  if (call.dst === null) return replyEntries(out, result, a.withscores);
  out.integer(storeEntries(db, call.dst, result, wholeConversion(result)));
}

const algebra = (op: SetOp, store: boolean, name: string): ((ctx: ExecContext, argv: string[]) => void) => {
  const call: AlgebraCall = { op, dst: null, numkeysAt: store ? 2 : 1, cardinalityOnly: false, name };
  return (ctx, argv) => algebraGeneric(ctx, argv, store ? { ...call, dst: argv[1]! } : call);
};

/** Key positions of ZUNION/ZINTER/ZDIFF/ZINTERCARD and the *STORE variants (COMMAND GETKEYS). */
export function algebraKeys(argv: readonly string[]): number[] | null {
  return keyPositions(argv);
}

// ---------------------------------------------------------------------------------------------
// ZSCAN

/** A score as a listpack holds it: integers up to 2^62 as integers, others as %.17g. */
function listpackScoreText(score: number): string {
  if (Number.isInteger(score) && Math.abs(score) <= 2 ** 62) return BigInt(score).toString();
  return formatDouble(score);
}

function zscanCommand(ctx: ExecContext, argv: string[]): void {
  const { db, out } = ctx;
  const cursor = parseScanCursor(argv[2]!, out);
  if (cursor === null) return;
  const r = db.lookupRead(argv[1]!);
  if (r === undefined) {
    out.array(2);
    out.bulk('0');
    return out.array(0);
  }
  if (r.type !== 'zset') return out.error(Errors.wrongType);
  const o = parseScanOptions(argv, 3, false, out);
  if (o === null) return;
  const z = zsetOf(r);
  // A listpack is returned whole in one call; a skip list page by page, the cursor being a rank.
  const listpack = isListpack(r);
  const from = listpack ? 0 : cursor;
  const page = listpack ? zsetRangeByRank(z, 0, -1) : zsetRangeByRank(z, from, from + o.count - 1);
  const next = listpack || from + o.count >= zsetCard(z) ? 0 : from + o.count;
  const shown = o.pattern === null ? page : page.filter((e) => globMatch(o.pattern!, e.member));
  out.array(2);
  out.bulk(String(next));
  out.array(shown.length * 2);
  for (const e of shown) {
    out.bulk(e.member);
    out.bulk(listpack ? listpackScoreText(e.score) : formatDouble(e.score));
  }
}

// ---------------------------------------------------------------------------------------------
// Type support (COPY, RENAME, OBJECT ENCODING)

registerTypeSupport('zset', {
  copyOps(r) {
    const ops = zsetRangeByRank(zsetOf(r), 0, -1).map((e) => freshSetOp(e.member, e.score));
    return [dataOp({ ops, floor: null })];
  },
  encoding: (r) => (isListpack(r) ? 'listpack' : 'skiplist'),
});

// ---------------------------------------------------------------------------------------------
// The table. ZUNION, ZINTER, ZDIFF, ZINTERCARD and ZMPOP have movable keys that the table's
// first/last/step cannot describe (COMMAND INFO says 0 0 0 for them, as Redis does); the
// *STORE variants list only the destination. COMMAND GETKEYS finds the full lists (getkeys.ts).

const doc = (summary: string, since: string, complexity: string) => ({ group: 'sorted-set', summary, since, complexity });
const LOG_N = 'O(log(N)) with N being the number of elements in the sorted set.';
const RANGE_N = 'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements returned.';
const LIMIT_N = `O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N)).`;
const REMRANGE_N = 'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.';
const UNION_N = 'O(N)+O(M*log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set.';
const INTER_N = 'O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the number of input sorted sets and M being the number of elements in the resulting sorted set.';
const DIFF_N = 'O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N is the size of the first set, and K is the size of the result set.';
const POP_N = 'O(log(N)*M) with N being the number of elements in the sorted set, and M being the number of elements popped.';
const R = ['read', 'sortedset'] as const;
const W = ['write', 'sortedset'] as const;

export const zsetCommands: CommandSpec[] = [
  cmd('zadd', -4, ['write', 'denyoom', 'fast'], [1, 1, 1], [...W, 'fast'], doc('Add one or more members to a sorted set, or update its score if it already exists', '1.2.0', 'O(log(N)) for each item added, where N is the number of elements in the sorted set.'), (c, a) => zaddGeneric(c, a, false)),
  cmd('zincrby', 4, ['write', 'denyoom', 'fast'], [1, 1, 1], [...W, 'fast'], doc('Increment the score of a member in a sorted set', '1.2.0', 'O(log(N)) where N is the number of elements in the sorted set.'), zincrbyCommand),
  cmd('zrem', -3, ['write', 'fast'], [1, 1, 1], [...W, 'fast'], doc('Remove one or more members from a sorted set', '1.2.0', 'O(M*log(N)) with N being the number of elements in the sorted set and M the number of elements to be removed.'), zremCommand),
  cmd('zscore', 3, ['readonly', 'fast'], [1, 1, 1], [...R, 'fast'], doc('Get the score associated with the given member in a sorted set', '1.2.0', 'O(1)'), zscoreCommand),
  cmd('zmscore', -3, ['readonly', 'fast'], [1, 1, 1], [...R, 'fast'], doc('Get the score associated with the given members in a sorted set', '6.2.0', 'O(N) where N is the number of members being requested.'), zmscoreCommand),
  cmd('zcard', 2, ['readonly', 'fast'], [1, 1, 1], [...R, 'fast'], doc('Get the number of members in a sorted set', '1.2.0', 'O(1)'), zcardCommand),
  cmd('zcount', 4, ['readonly', 'fast'], [1, 1, 1], [...R, 'fast'], doc('Count the members in a sorted set with scores within the given values', '2.0.0', LOG_N), zcountCommand),
  cmd('zlexcount', 4, ['readonly', 'fast'], [1, 1, 1], [...R, 'fast'], doc('Count the number of members in a sorted set between a given lexicographical range', '2.8.9', LOG_N), zlexcountCommand),
  cmd('zrange', -4, ['readonly'], [1, 1, 1], [...R, 'slow'], doc('Return a range of members in a sorted set', '1.2.0', RANGE_N), (c, a) => zrangeGeneric(c, a, rangeCall(null, null))),
  cmd('zrangestore', -5, ['write', 'denyoom'], [1, 2, 1], [...W, 'slow'], doc('Store a range of members from sorted set into another key', '6.2.0', 'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements stored into the destination key.'), (c, a) => zrangeGeneric(c, a, { src: 2, dst: a[1]!, kind: null, reverse: null })),
  cmd('zrangebyscore', -4, ['readonly'], [1, 1, 1], [...R, 'slow'], doc('Return a range of members in a sorted set, by score', '1.0.5', LIMIT_N), (c, a) => zrangeGeneric(c, a, rangeCall('score', false))),
  cmd('zrevrangebyscore', -4, ['readonly'], [1, 1, 1], [...R, 'slow'], doc('Return a range of members in a sorted set, by score, with scores ordered from high to low', '2.2.0', LIMIT_N), (c, a) => zrangeGeneric(c, a, rangeCall('score', true))),
  cmd('zrangebylex', -4, ['readonly'], [1, 1, 1], [...R, 'slow'], doc('Return a range of members in a sorted set, by lexicographical range', '2.8.9', LIMIT_N), (c, a) => zrangeGeneric(c, a, rangeCall('lex', false))),
  cmd('zrevrangebylex', -4, ['readonly'], [1, 1, 1], [...R, 'slow'], doc('Return a range of members in a sorted set, by lexicographical range, ordered from higher to lower strings.', '2.8.9', LIMIT_N), (c, a) => zrangeGeneric(c, a, rangeCall('lex', true))),
  cmd('zrevrange', -4, ['readonly'], [1, 1, 1], [...R, 'slow'], doc('Return a range of members in a sorted set, by index, with scores ordered from high to low', '1.2.0', RANGE_N), (c, a) => zrangeGeneric(c, a, rangeCall('rank', true))),
  // Arity -3 rather than 7.0's 3: WITHSCORE (Redis 7.2) is accepted.
  cmd('zrank', -3, ['readonly', 'fast'], [1, 1, 1], [...R, 'fast'], doc('Determine the index of a member in a sorted set', '2.0.0', 'O(log(N))'), (c, a) => zrankGeneric(c, a, false)),
  cmd('zrevrank', -3, ['readonly', 'fast'], [1, 1, 1], [...R, 'fast'], doc('Determine the index of a member in a sorted set, with scores ordered from high to low', '2.0.0', 'O(log(N))'), (c, a) => zrankGeneric(c, a, true)),
  cmd('zpopmin', -2, ['write', 'fast'], [1, 1, 1], [...W, 'fast'], doc('Remove and return members with the lowest scores in a sorted set', '5.0.0', POP_N), (c, a) => zpopGeneric(c, a, false)),
  cmd('zpopmax', -2, ['write', 'fast'], [1, 1, 1], [...W, 'fast'], doc('Remove and return members with the highest scores in a sorted set', '5.0.0', POP_N), (c, a) => zpopGeneric(c, a, true)),
  cmd('zmpop', -4, ['write', 'movablekeys'], null, [...W, 'slow'], doc('Remove and return members with scores in a sorted set', '7.0.0', 'O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted set, and M being the number of elements popped.'), zmpopCommand),
  cmd('zrandmember', -2, ['readonly'], [1, 1, 1], [...R, 'slow'], doc('Get one or multiple random elements from a sorted set', '6.2.0', 'O(N) where N is the number of elements returned'), zrandmemberCommand),
  cmd('zremrangebyrank', 4, ['write'], [1, 1, 1], [...W, 'slow'], doc('Remove all members in a sorted set within the given indexes', '2.0.0', REMRANGE_N), (c, a) => zremrangeGeneric(c, a, 'rank')),
  cmd('zremrangebyscore', 4, ['write'], [1, 1, 1], [...W, 'slow'], doc('Remove all members in a sorted set within the given scores', '1.2.0', REMRANGE_N), (c, a) => zremrangeGeneric(c, a, 'score')),
  cmd('zremrangebylex', 4, ['write'], [1, 1, 1], [...W, 'slow'], doc('Remove all members in a sorted set between the given lexicographical range', '2.8.9', REMRANGE_N), (c, a) => zremrangeGeneric(c, a, 'lex')),
  cmd('zunion', -3, ['readonly', 'movablekeys'], null, [...R, 'slow'], doc('Add multiple sorted sets', '6.2.0', UNION_N), algebra('union', false, 'zunion')),
  cmd('zinter', -3, ['readonly', 'movablekeys'], null, [...R, 'slow'], doc('Intersect multiple sorted sets', '6.2.0', INTER_N), algebra('inter', false, 'zinter')),
  cmd('zdiff', -3, ['readonly', 'movablekeys'], null, [...R, 'slow'], doc('Subtract multiple sorted sets', '6.2.0', DIFF_N), algebra('diff', false, 'zdiff')),
  cmd('zunionstore', -4, ['write', 'denyoom', 'movablekeys'], [1, 1, 1], [...W, 'slow'], doc('Add multiple sorted sets and store the resulting sorted set in a new key', '2.0.0', 'O(N)+O(M log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set.'), algebra('union', true, 'zunionstore')),
  cmd('zinterstore', -4, ['write', 'denyoom', 'movablekeys'], [1, 1, 1], [...W, 'slow'], doc('Intersect multiple sorted sets and store the resulting sorted set in a new key', '2.0.0', INTER_N), algebra('inter', true, 'zinterstore')),
  cmd('zdiffstore', -4, ['write', 'denyoom', 'movablekeys'], [1, 1, 1], [...W, 'slow'], doc('Subtract multiple sorted sets and store the resulting sorted set in a new key', '6.2.0', DIFF_N), algebra('diff', true, 'zdiffstore')),
  cmd('zintercard', -3, ['readonly', 'movablekeys'], null, [...R, 'slow'], doc('Intersect multiple sorted sets and return the cardinality of the result', '7.0.0', 'O(N*K) worst case with N being the smallest input sorted set, K being the number of input sorted sets.'), (c, a) => algebraGeneric(c, a, { op: 'inter', dst: null, numkeysAt: 1, cardinalityOnly: true, name: 'zintercard' })),
  cmd('zscan', -3, ['readonly'], [1, 1, 1], [...R, 'slow'], doc('Incrementally iterate sorted sets elements and associated scores', '2.8.0', 'O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection..'), zscanCommand),
];

defineCommands(zsetCommands);
