/**
 * The list family (t_list.c): pushes, pops, ranges, LINDEX/LSET/LINSERT/LREM/LTRIM/LPOS, LMOVE,
 * RPOPLPUSH and LMPOP. Replies, error texts and the order in which arguments and keys are checked
 * follow Redis 7.0.
 *
 * Active-Active (reference §2.6, crdt/sequence.ts): every write names the elements it observed —
 * a push its anchor, a pop/LREM/LTRIM the ids it removes, DEL (keys.ts) a per-origin counter
 * vector — so concurrent inserts are all kept (TV-LIST-02), DEL removes only what it saw
 * (TV-LIST-03) and concurrent pops of one element both return it (at-least-once, TV-LIST-04).
 *
 * The blocking forms (BLPOP …) need clients and timers, so they live in server/blocking.ts; the
 * pops they share with LPOP/LMPOP/LMOVE are exported here.
 */
import type { KeyOp, KeyRecord } from '../crdt/key.js';
import type { ListEffect, ListState } from '../crdt/sequence.js';
import {
  ListType, at, elementAt, insertAfter, insertBefore, length, popHead, popTail, pushHead, pushTail, range, remove, scan, set, trim,
} from '../crdt/sequence.js';
import type { CommandSpec, ExecContext } from './command-table.js';
import { cmd, defineCommands } from './command-table.js';
import type { Database } from './database.js';
import { parseInteger } from './numbers.js';
import { Errors } from './reply.js';
import type { Reply } from './reply.js';
import { registerTypeSupport } from './type-support.js';

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
/** Indexes beyond this are out of range of any list; clamping keeps the arithmetic in doubles. */
const INDEX_LIMIT = 2n ** 53n;

// ---- reading arguments -----------------------------------------------------------------------

/** getLongFromObjectOrReply, clamped to ±2^53 (same results: no list is that long). */
function indexArg(s: string, out: Reply): number | null {
  const v = parseInteger(s);
  if (v === null) {
    out.error(Errors.notInteger);
    return null;
  }
  return Number(v > INDEX_LIMIT ? INDEX_LIMIT : v < -INDEX_LIMIT ? -INDEX_LIMIT : v);
}

/**
 * getRangeLongFromObjectOrReply with a message: `message` answers both "not a number" and
 * "out of [min, LONG_MAX]" (LPOP count, LPOS COUNT/MAXLEN, LMPOP numkeys/count).
 */
function rangeArg(s: string, min: bigint, message: string, out: Reply): number | null {
  const v = parseInteger(s);
  if (v === null || v < min) {
    out.error(`ERR ${message}`);
    return null;
  }
  return Number(v > INDEX_LIMIT ? INDEX_LIMIT : v);
}

/** getListPositionFromObjectOrReply: LEFT or RIGHT; true for RIGHT (the tail). */
export function whereArg(s: string, out: Reply): boolean | null {
  const w = s.toLowerCase();
  if (w === 'right') return true;
  if (w === 'left') return false;
  out.error(Errors.syntax);
  return null;
}

// ---- records and states ------------------------------------------------------------------------

/** The list state of a visible record; replies WRONGTYPE (null) for another type. */
export function listOf(r: KeyRecord | undefined, out: Reply): ListState | undefined | null {
  if (r === undefined) return undefined;
  if (r.type !== 'list') {
    out.error(Errors.wrongType);
    return null;
  }
  return r.d as ListState;
}

/** Never mutated: the state effects are built from when a key never held a list. */
const NO_LIST: ListState = ListType.empty();

/**
 * The list state a new element of `key` will be applied to, live or not: a key deleted (or
 * retyped) while peers may still send effects keeps its dead list state, and new element ids
 * must continue its counter, never reuse one (crdt/sequence.ts, "Element ids restart …").
 */
export function storedList(r: KeyRecord | undefined): ListState {
  if (r === undefined) return NO_LIST;
  if (r.type === 'list') return (r.d as ListState | null) ?? NO_LIST;
  return (r.env?.alt?.get('list') as ListState | undefined) ?? NO_LIST;
}

function listOp(e: ListEffect): KeyOp {
  return { k: 'data', type: 'list', e };
}

// ---- pushes ------------------------------------------------------------------------------------

/** LPUSH/RPUSH/LPUSHX/RPUSHX (pushGenericCommand). */
function pushGeneric(ctx: ExecContext, argv: string[], tail: boolean, onlyIfExists: boolean): void {
  const { db, out } = ctx;
  const key = argv[1]!;
  const r = db.lookupWrite(key);
  const s = listOf(r, out);
  if (s === null) return;
  if (s === undefined && onlyIfExists) {
    out.integer(0);
    return;
  }
  const target = s ?? storedList(db.keyspace.get(key));
  const before = s === undefined ? 0 : length(s);
  const values = argv.slice(2);
  db.write(key, [listOp(tail ? pushTail(target, values) : pushHead(target, values))]);
  out.integer(before + values.length);
}

// ---- pops --------------------------------------------------------------------------------------

/** Pops up to `count` elements of the visible list `s` at `key` (head first, or tail first). */
export function popElements(db: Database, key: string, s: ListState, tail: boolean, count: number): readonly string[] {
  const p = tail ? popTail(s, count) : popHead(s, count);
  if (p === null) return [];
  db.write(key, [listOp(p.effect)]);
  return p.values;
}

/** BLPOP's reply: [key, element]. */
export function popOneWithKey(db: Database, key: string, s: ListState, tail: boolean, out: Reply): void {
  out.array(2);
  out.bulk(key);
  out.bulk(popElements(db, key, s, tail, 1)[0]!);
}

/** listPopRangeAndReplyWithKey (LMPOP, BLMPOP): [key, [elements…]]. */
export function popRangeWithKey(db: Database, key: string, s: ListState, tail: boolean, count: number, out: Reply): void {
  const values = popElements(db, key, s, tail, count);
  out.array(2);
  out.bulk(key);
  out.array(values.length);
  for (const v of values) out.bulk(v);
}

/** LPOP/RPOP [count] (popGenericCommand). */
function popGeneric(ctx: ExecContext, argv: string[], tail: boolean): void {
  const { db, out } = ctx;
  if (argv.length > 3) {
    out.error(Errors.arity(argv[0]!.toLowerCase()));
    return;
  }
  const hasCount = argv.length === 3;
  let count = 0;
  if (hasCount) {
    const c = rangeArg(argv[2]!, 0n, 'value is out of range, must be positive', out);
    if (c === null) return;
    count = c;
  }
  const key = argv[1]!;
  const s = listOf(db.lookupWrite(key), out);
  if (s === null) return;
  if (s === undefined) {
    if (hasCount) out.nullArray();
    else out.nullBulk();
    return;
  }
  if (!hasCount) {
    out.bulk(popElements(db, key, s, tail, 1)[0]!);
    return;
  }
  const values = count === 0 ? [] : popElements(db, key, s, tail, count);
  out.array(values.length);
  for (const v of values) out.bulk(v);
}

export interface MpopArgs {
  readonly keys: readonly string[];
  readonly tail: boolean;
  readonly count: number;
}

/**
 * The arguments of LMPOP (numkeys at index 1) and BLMPOP (index 2), checked in Redis's order:
 * numkeys, the LEFT/RIGHT word after the keys, then COUNT (lmpopGenericCommand).
 */
export function parseMpop(argv: readonly string[], numkeysAt: number, out: Reply): MpopArgs | null {
  const numkeys = rangeArg(argv[numkeysAt]!, 1n, 'numkeys should be greater than 0', out);
  if (numkeys === null) return null;
  const whereAt = numkeysAt + numkeys + 1;
  if (whereAt >= argv.length) {
    out.error(Errors.syntax);
    return null;
  }
  const tail = whereArg(argv[whereAt]!, out);
  if (tail === null) return null;
  let count = -1;
  for (let j = whereAt + 1; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    if (count === -1 && argv[j]!.toLowerCase() === 'count' && more > 0) {
      const c = rangeArg(argv[++j]!, 1n, 'count should be greater than 0', out);
      if (c === null) return null;
      count = c;
    } else {
      out.error(Errors.syntax);
      return null;
    }
  }
  return { keys: argv.slice(numkeysAt + 1, whereAt), tail, count: count === -1 ? 1 : count };
}

/**
 * The first key holding a list, in argument order (blockingPopGenericCommand, mpopGenericCommand).
 * Replies WRONGTYPE and returns null when a key before it holds another type; undefined when no
 * key holds a list.
 */
export function firstList(db: Database, keys: readonly string[], out: Reply): { key: string; s: ListState } | undefined | null {
  for (const key of keys) {
    const s = listOf(db.lookupWrite(key), out);
    if (s === null) return null;
    if (s !== undefined) return { key, s };
  }
  return undefined;
}

function lmpopCommand(ctx: ExecContext, argv: string[]): void {
  const { db, out } = ctx;
  const a = parseMpop(argv, 1, out);
  if (a === null) return;
  const found = firstList(db, a.keys, out);
  if (found === null) return;
  if (found === undefined) out.nullArray();
  else popRangeWithKey(db, found.key, found.s, a.tail, a.count, out);
}

// ---- LMOVE / RPOPLPUSH -------------------------------------------------------------------------

/**
 * The anchor of an element pushed at the tail of `s` after `popped` left it: RPOPLPUSH k k pops
 * and pushes in one effect, so the push must not anchor on the element the same effect removes.
 */
function tailAnchorWithout(s: ListState, popped: number): number | null {
  const n = length(s);
  const last = n > 0 ? elementAt(s, n - 1)!.id : null;
  if (last !== popped) return last;
  return n > 1 ? elementAt(s, n - 2)!.id : null;
}

/** The push half of LMOVE onto `dst` (its visible state, or undefined to create it). */
function pushOne(dst: ListState, value: string, tail: boolean, popped: number | null): ListEffect {
  if (!tail) return pushHead(dst, [value]);
  if (popped === null) return pushTail(dst, [value]);
  const anchor = tailAnchorWithout(dst, popped);
  return anchor === null ? pushHead(dst, [value]) : insertAfter(dst, anchor, value);
}

/**
 * lmoveGenericCommand once the source list `s` is known to be visible and non-empty: checks the
 * destination's type, pops one element, pushes it onto `dst` and replies it. Also serves BLMOVE
 * clients woken by a push (server/blocking.ts).
 */
export function moveElement(db: Database, src: string, s: ListState, dst: string, fromTail: boolean, toTail: boolean, out: Reply): void {
  const d = listOf(db.lookupWrite(dst), out);
  if (d === null) return;
  const p = fromTail ? popTail(s, 1) : popHead(s, 1);
  if (p === null) return; // never: the caller saw a visible (non-empty) list
  const value = p.values[0]!;
  if (src === dst) {
    // One effect: the list never looks empty in between, so it stays one incarnation.
    db.write(src, [listOp(p.effect), listOp(pushOne(s, value, toTail, p.ids[0]!))]);
  } else {
    db.write(src, [listOp(p.effect)]);
    db.write(dst, [listOp(pushOne(d ?? storedList(db.keyspace.get(dst)), value, toTail, null))]);
  }
  out.bulk(value);
}

function lmoveGeneric(ctx: ExecContext, src: string, dst: string, fromTail: boolean, toTail: boolean): void {
  const { db, out } = ctx;
  const s = listOf(db.lookupWrite(src), out);
  if (s === null) return;
  if (s === undefined) out.nullBulk();
  else moveElement(db, src, s, dst, fromTail, toTail, out);
}

function lmoveCommand(ctx: ExecContext, argv: string[]): void {
  const from = whereArg(argv[3]!, ctx.out);
  if (from === null) return;
  const to = whereArg(argv[4]!, ctx.out);
  if (to === null) return;
  lmoveGeneric(ctx, argv[1]!, argv[2]!, from, to);
}

function rpoplpushCommand(ctx: ExecContext, argv: string[]): void {
  lmoveGeneric(ctx, argv[1]!, argv[2]!, true, false);
}

// ---- reads -------------------------------------------------------------------------------------

function llenCommand(ctx: ExecContext, argv: string[]): void {
  const s = listOf(ctx.db.lookupRead(argv[1]!), ctx.out);
  if (s !== null) ctx.out.integer(s === undefined ? 0 : length(s));
}

function lrangeCommand(ctx: ExecContext, argv: string[]): void {
  const { db, out } = ctx;
  const start = indexArg(argv[2]!, out);
  if (start === null) return;
  const stop = indexArg(argv[3]!, out);
  if (stop === null) return;
  const s = listOf(db.lookupRead(argv[1]!), out);
  if (s === null) return;
  const values = s === undefined ? [] : range(s, start, stop);
  out.array(values.length);
  for (const v of values) out.bulk(v);
}

function lindexCommand(ctx: ExecContext, argv: string[]): void {
  const { db, out } = ctx;
  // Redis looks the key up before it parses the index.
  const s = listOf(db.lookupRead(argv[1]!), out);
  if (s === null) return;
  if (s === undefined) {
    out.nullBulk();
    return;
  }
  const index = indexArg(argv[2]!, out);
  if (index === null) return;
  const v = at(s, index);
  if (v === undefined) out.nullBulk();
  else out.bulk(v);
}

/**
 * LPOS (lposCommand). RANK -9223372036854775808 cannot be negated in C: Redis then scans from
 * the tail, every match qualifies and COUNT never stops the scan; reproduced as such.
 */
function lposCommand(ctx: ExecContext, argv: string[]): void {
  const { db, out } = ctx;
  let rank = 1n;
  let count = -1;
  let maxlen = 0;
  for (let j = 3; j < argv.length; j++) {
    const opt = argv[j]!.toLowerCase();
    const more = argv.length - 1 - j;
    if (opt === 'rank' && more > 0) {
      const v = parseInteger(argv[++j]!);
      if (v === null) return out.error(Errors.notInteger);
      if (v === 0n) {
        return out.error("ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list");
      }
      rank = v;
    } else if (opt === 'count' && more > 0) {
      const v = rangeArg(argv[++j]!, 0n, "COUNT can't be negative", out);
      if (v === null) return;
      count = v;
    } else if (opt === 'maxlen' && more > 0) {
      const v = rangeArg(argv[++j]!, 0n, "MAXLEN can't be negative", out);
      if (v === null) return;
      maxlen = v;
    } else {
      return out.error(Errors.syntax);
    }
  }
  const s = listOf(db.lookupRead(argv[1]!), out);
  if (s === null) return;
  if (s === undefined) {
    if (count !== -1) out.array(0);
    else out.nullBulk();
    return;
  }
  const fromTail = rank < 0n;
  const unbounded = rank === INT64_MIN;
  const abs = fromTail ? -rank : rank;
  const need = unbounded ? 1 : Number(abs > INDEX_LIMIT ? INDEX_LIMIT : abs);
  // Without COUNT the first qualifying match ends the scan; COUNT 0 means every match.
  const limit = count === -1 ? 1 : unbounded || count === 0 ? Infinity : count;
  const found = lposMatches(s, argv[2]!, fromTail, need, limit, maxlen);
  if (count !== -1) {
    out.array(found.length);
    for (const i of found) out.integer(i);
  } else if (found.length > 0) out.integer(found[0]!);
  else out.nullBulk();
}

/** Positions of the matches of `ele` from the `rank`-th on, at most `limit`, within `maxlen`. */
function lposMatches(s: ListState, ele: string, fromTail: boolean, rank: number, limit: number, maxlen: number): number[] {
  const found: number[] = [];
  const n = length(s);
  let matches = 0;
  let seen = 0;
  scan(s, fromTail ? n - 1 : 0, fromTail, (v, _id, index) => {
    if (maxlen !== 0 && seen >= maxlen) return false;
    seen++;
    if (v !== ele || ++matches < rank) return true;
    found.push(index);
    return found.length < limit;
  });
  return found;
}

// ---- in-place edits ----------------------------------------------------------------------------

function lsetCommand(ctx: ExecContext, argv: string[]): void {
  const { db, out } = ctx;
  const key = argv[1]!;
  const r = db.lookupWrite(key);
  if (r === undefined) {
    out.error(Errors.noSuchKey);
    return;
  }
  const s = listOf(r, out);
  if (s === null || s === undefined) return;
  const index = indexArg(argv[2]!, out);
  if (index === null) return;
  const e = set(s, index, argv[3]!);
  if (e === null) {
    out.error('ERR index out of range');
    return;
  }
  db.write(key, [listOp(e)]);
  out.simple('OK');
}

function linsertCommand(ctx: ExecContext, argv: string[]): void {
  const { db, out } = ctx;
  const where = argv[2]!.toLowerCase();
  if (where !== 'after' && where !== 'before') {
    out.error(Errors.syntax);
    return;
  }
  const key = argv[1]!;
  const s = listOf(db.lookupWrite(key), out);
  if (s === null) return;
  if (s === undefined) {
    out.integer(0);
    return;
  }
  const pivot = argv[3]!;
  let pivotId = -1;
  scan(s, 0, false, (v, id) => {
    if (v !== pivot) return true;
    pivotId = id;
    return false;
  });
  if (pivotId < 0) {
    out.integer(-1);
    return;
  }
  const before = length(s);
  db.write(key, [listOp(where === 'after' ? insertAfter(s, pivotId, argv[4]!) : insertBefore(s, pivotId, argv[4]!))]);
  out.integer(before + 1);
}

function lremCommand(ctx: ExecContext, argv: string[]): void {
  const { db, out } = ctx;
  const toRemove = parseInteger(argv[2]!);
  if (toRemove === null) {
    out.error(Errors.notInteger);
    return;
  }
  const key = argv[1]!;
  const s = listOf(db.lookupWrite(key), out);
  if (s === null) return;
  if (s === undefined) {
    out.integer(0);
    return;
  }
  const fromTail = toRemove < 0n;
  const abs = fromTail ? -toRemove : toRemove;
  // 0 removes every match; so does -2^63, whose negation overflows in C and never matches a count.
  const limit = abs === 0n || abs > INT64_MAX ? Infinity : Number(abs > INDEX_LIMIT ? INDEX_LIMIT : abs);
  const element = argv[3]!;
  const ids: number[] = [];
  scan(s, fromTail ? length(s) - 1 : 0, fromTail, (v, id) => {
    if (v === element) ids.push(id);
    return ids.length < limit;
  });
  if (ids.length > 0) db.write(key, [listOp(remove(ids))]);
  out.integer(ids.length);
}

function ltrimCommand(ctx: ExecContext, argv: string[]): void {
  const { db, out } = ctx;
  const start = indexArg(argv[2]!, out);
  if (start === null) return;
  const stop = indexArg(argv[3]!, out);
  if (stop === null) return;
  const key = argv[1]!;
  const s = listOf(db.lookupWrite(key), out);
  if (s === null) return;
  const e = s === undefined ? null : trim(s, start, stop);
  if (e !== null) db.write(key, [listOp(e)]);
  out.simple('OK');
}

// ---- generic key support -----------------------------------------------------------------------

registerTypeSupport('list', {
  // A copy is a fresh chain at the head of the destination's (possibly dead) state.
  copyOps: (r, target) => [listOp(pushHead(storedList(target.stored), [...(ListType.value(r.d as ListState) as string[])].reverse()))],
  // Redis 7.0 stores every list as a quicklist (listpack-encoded small lists came with 7.2).
  encoding: () => 'quicklist',
});

// ---- the table ---------------------------------------------------------------------------------

const doc = (summary: string, since: string, complexity: string) => ({ group: 'list', summary, since, complexity });
const PUSH_COST = 'O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.';
const POP_COST = 'O(N) where N is the number of elements returned';
const WF = ['write', 'denyoom', 'fast'] as const;
const WA = ['write', 'list', 'fast'] as const;

export const listCommands: CommandSpec[] = [
  cmd('lpush', -3, WF, [1, 1, 1], WA, doc('Prepend one or multiple elements to a list', '1.0.0', PUSH_COST), (c, a) => pushGeneric(c, a, false, false)),
  cmd('rpush', -3, WF, [1, 1, 1], WA, doc('Append one or multiple elements to a list', '1.0.0', PUSH_COST), (c, a) => pushGeneric(c, a, true, false)),
  cmd('lpushx', -3, WF, [1, 1, 1], WA, doc('Prepend an element to a list, only if the list exists', '2.2.0', PUSH_COST), (c, a) => pushGeneric(c, a, false, true)),
  cmd('rpushx', -3, WF, [1, 1, 1], WA, doc('Append an element to a list, only if the list exists', '2.2.0', PUSH_COST), (c, a) => pushGeneric(c, a, true, true)),
  cmd('lpop', -2, ['write', 'fast'], [1, 1, 1], WA, doc('Remove and get the first elements in a list', '1.0.0', POP_COST), (c, a) => popGeneric(c, a, false)),
  cmd('rpop', -2, ['write', 'fast'], [1, 1, 1], WA, doc('Remove and get the last elements in a list', '1.0.0', POP_COST), (c, a) => popGeneric(c, a, true)),
  cmd('llen', 2, ['readonly', 'fast'], [1, 1, 1], ['read', 'list', 'fast'], doc('Get the length of a list', '1.0.0', 'O(1)'), llenCommand),
  cmd('lrange', 4, ['readonly'], [1, 1, 1], ['read', 'list', 'slow'], doc('Get a range of elements from a list', '1.0.0', 'O(S+N) where S is the distance of start offset from HEAD for small lists, from nearest end (HEAD or TAIL) for large lists; and N is the number of elements in the specified range.'), lrangeCommand),
  cmd('lindex', 3, ['readonly'], [1, 1, 1], ['read', 'list', 'slow'], doc('Get an element from a list by its index', '1.0.0', 'O(N) where N is the number of elements to traverse to get to the element at index. This makes asking for the first or the last element of the list O(1).'), lindexCommand),
  cmd('lset', 4, ['write', 'denyoom'], [1, 1, 1], ['write', 'list', 'slow'], doc('Set the value of an element in a list by its index', '1.0.0', 'O(N) where N is the length of the list. Setting either the first or the last element of the list is O(1).'), lsetCommand),
  cmd('linsert', 5, ['write', 'denyoom'], [1, 1, 1], ['write', 'list', 'slow'], doc('Insert an element before or after another element in a list', '2.2.0', 'O(N) where N is the number of elements to traverse before seeing the value pivot. This means that inserting somewhere on the left end on the list (head) can be considered O(1) and inserting somewhere on the right end (tail) is O(N).'), linsertCommand),
  cmd('lrem', 4, ['write'], [1, 1, 1], ['write', 'list', 'slow'], doc('Remove elements from a list', '1.0.0', 'O(N+M) where N is the length of the list and M is the number of elements removed.'), lremCommand),
  cmd('ltrim', 4, ['write'], [1, 1, 1], ['write', 'list', 'slow'], doc('Trim a list to the specified range', '1.0.0', 'O(N) where N is the number of elements to be removed by the operation.'), ltrimCommand),
  cmd('lpos', -3, ['readonly'], [1, 1, 1], ['read', 'list', 'slow'], doc('Return the index of matching elements on a list', '6.0.6', 'O(N) where N is the number of elements in the list, for the average case. When searching for elements near the head or the tail of the list, or when the MAXLEN option is provided, the command may run in constant time.'), lposCommand),
  cmd('lmove', 5, ['write', 'denyoom'], [1, 2, 1], ['write', 'list', 'slow'], doc('Pop an element from a list, push it to another list and return it', '6.2.0', 'O(1)'), lmoveCommand),
  cmd('rpoplpush', 3, ['write', 'denyoom'], [1, 2, 1], ['write', 'list', 'slow'], doc('Remove the last element in a list, prepend it to another list and return it', '1.2.0', 'O(1)'), rpoplpushCommand),
  // numkeys-based key positions: COMMAND reports 0 0 0 and the movablekeys flag, as Redis does.
  cmd('lmpop', -4, ['write', 'movablekeys'], [0, 0, 0], ['write', 'list', 'slow'], doc('Pop elements from a list', '7.0.0', 'O(N+M) where N is the number of provided keys and M is the number of elements returned.'), lmpopCommand),
];

defineCommands(listCommands);
