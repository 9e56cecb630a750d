// Sorted-set commands, valid and invalid forms.
//
// Most replies are deterministic and compared exactly. The exceptions:
// - ZRANDMEMBER: `zrandProbe` keeps what the random choice cannot change (wire shape, length,
//   distinctness for a positive count, that every pick is a member with its score); a positive
//   count covering the whole set is deterministic (highest score first) and compared exactly.
// - ZSCAN: a full iteration reduced to its sorted elements (probes.ts scanAll).
// - Lex ranges over members with different scores in a skip-list-encoded set: Redis searches its
//   skip list by member, which depends on random node levels (unspecified by Redis). `lexProbe`
//   runs lex commands only where the answer is defined: single-score sets or listpacks.
// RESP3 (DIFF_RESP=3) is exercised by the same generator; ZRANK … WITHSCORE (Redis 7.2) is never
// sent, the reference being Redis 7.0.
import { type Reply, formatReply } from '../../../../src/protocol/resp-client.js';
import type { Arg } from '../../../helpers/raw-client.js';
import { type GenContext, KEYSPACE } from '../context.js';
import { type CommandFamily, type CommandGen, command } from '../generator.js';
import { scanAll } from '../probes.js';
import type { Side, Step } from '../step.js';

/** Half the time one of the three keys the sorted-set commands favour, else any key. */
export function zsetKey(ctx: GenContext): Buffer {
  return ctx.rng.chance(0.5) ? KEYSPACE[6 + ctx.rng.int(0, 2)]! : ctx.key();
}

const HOT_MEMBERS = ['a', 'b', 'c', 'd', 'e', 'f'];
const MEMBERS: readonly Arg[] = [
  ...HOT_MEMBERS, 'm1', 'm2', '', 'x y', '10', '-1', 'aa', 'ab', 'b\0', Buffer.from('é', 'utf8'), Buffer.from([255, 0]), 'M'.repeat(70),
];

export function zmember(ctx: GenContext): Arg {
  return ctx.rng.chance(0.7) ? ctx.rng.pick(HOT_MEMBERS) : ctx.rng.pick(MEMBERS);
}

const members = (ctx: GenContext, min: number, max: number): Arg[] => Array.from({ length: ctx.rng.int(min, max) }, () => zmember(ctx));

const EDGE_SCORES = ['-0', '0.1', '0.2', '0.3', '1e17', '1e-5', '4611686018427387904', '1e308', '-1e308', '+inf', '-inf', 'inf', '3.0', '.5', '0x10', '1.5e3'];
const BAD_SCORES = ['abc', 'nan', '', '1e', '1 ', ' 1', '--1', '1e400'];

/** A score: mostly small multiples of 1/4, sometimes an edge value, rarely not a float. */
export function score(ctx: GenContext): string {
  const r = ctx.rng.float();
  if (r < 0.65) return String(ctx.rng.int(-12, 40) / 4);
  if (r < 0.95) return ctx.rng.pick(EDGE_SCORES);
  return ctx.rng.pick(BAD_SCORES);
}

const ZADD_OPTIONS: readonly (readonly string[])[] = [
  [], [], [], [], ['NX'], ['XX'], ['GT'], ['LT'], ['CH'], ['INCR'], ['XX', 'CH'], ['GT', 'CH'], ['LT', 'XX'], ['NX', 'INCR'],
  ['XX', 'INCR'], ['GT', 'INCR'], ['ch', 'gt', 'xx'],
  // invalid combinations
  ['NX', 'XX'], ['GT', 'LT'], ['NX', 'GT'], ['NX', 'LT'],
];

function zaddGen(ctx: GenContext): Step {
  const key = zsetKey(ctx);
  const opts = ctx.rng.pick(ZADD_OPTIONS).map((o) => ctx.name(o));
  const pairs: Arg[] = [];
  if (ctx.rng.chance(0.01)) {
    // More than 128 members: the set becomes a skip list.
    const s = ctx.rng.chance(0.5) ? '0' : null;
    for (let i = ctx.rng.int(126, 135); i > 0; i--) pairs.push(s ?? String(ctx.rng.int(0, 50)), `big${i}`);
  } else {
    const n = opts.some((o) => o.toUpperCase() === 'INCR') && ctx.rng.chance(0.9) ? 1 : ctx.rng.int(1, 4);
    for (let i = 0; i < n; i++) pairs.push(score(ctx), zmember(ctx));
  }
  // An odd count of score/member arguments is refused by ZADD itself.
  if (ctx.rng.chance(0.04)) pairs.pop();
  return { args: command(ctx, ['ZADD'], key, ...opts, ...pairs) };
}

const SCORE_BOUNDS = ['-inf', '+inf', 'inf', '-inf', '0', '1', '2.5', '(1', '(2.5', '(0', '(-inf', '(+inf', '-1', '(-1', '10', '-0'];
const BAD_SCORE_BOUNDS = ['abc', '(', '', ' 1', '1 ', '0x10', '(abc', 'nan', '1e', '((1', '[1'];

function scoreBound(ctx: GenContext): string {
  const r = ctx.rng.float();
  if (r < 0.55) return ctx.rng.pick(SCORE_BOUNDS);
  if (r < 0.92) return (ctx.rng.chance(0.3) ? '(' : '') + String(ctx.rng.int(-8, 40) / 4);
  return ctx.rng.pick(BAD_SCORE_BOUNDS);
}

const LEX_BOUNDS = ['-', '+', '[a', '(a', '[b', '(b', '[c', '(d', '[e', '[f', '[m1', '(m', '[', '(', '[x y', '[aa', '(ab'];
const BAD_LEX_BOUNDS = ['a', '', '+x', '-x', '1', '{a'];

function lexBound(ctx: GenContext): string {
  return ctx.rng.chance(0.93) ? ctx.rng.pick(LEX_BOUNDS) : ctx.rng.pick(BAD_LEX_BOUNDS);
}

function rank(ctx: GenContext): string {
  return ctx.rng.chance(0.85) ? String(ctx.rng.int(-8, 10)) : ctx.index();
}

function limitArgs(ctx: GenContext): Arg[] {
  if (!ctx.rng.chance(0.3)) return [];
  const offset = ctx.rng.chance(0.9) ? String(ctx.rng.int(-2, 5)) : ctx.rng.pick(['abc', '9223372036854775807', '']);
  const count = ctx.rng.chance(0.9) ? String(ctx.rng.int(-2, 5)) : ctx.rng.pick(['abc', '9223372036854775807', '-9223372036854775808']);
  return ctx.rng.chance(0.95) ? [ctx.name('LIMIT'), offset, count] : [ctx.name('LIMIT'), offset];
}

function shuffle<T>(ctx: GenContext, groups: T[]): T[] {
  for (let i = groups.length - 1; i > 0; i--) {
    const j = ctx.rng.int(0, i);
    [groups[i], groups[j]] = [groups[j]!, groups[i]!];
  }
  return groups;
}

/** ZRANGE / ZRANGESTORE arguments after the source key: bounds and options in any order. */
function zrangeArgs(ctx: GenContext, store: boolean): { args: Arg[]; lex: boolean } {
  const mode = ctx.rng.int(0, 2);
  const rev = ctx.rng.chance(0.35);
  const groups: Arg[][] = [];
  if (mode === 1) groups.push([ctx.name('BYSCORE')]);
  if (mode === 2) groups.push([ctx.name('BYLEX')]);
  if (rev) groups.push([ctx.name('REV')]);
  if (!store && ctx.rng.chance(0.4)) groups.push([ctx.name('WITHSCORES')]);
  const limit = limitArgs(ctx);
  if (limit.length) groups.push(limit);
  if (ctx.rng.chance(0.05)) groups.push([ctx.rng.pick(['BYSCORE', 'BYLEX', 'REV', 'FOO', 'WITHSCORES'])]);
  const bound = mode === 1 ? () => scoreBound(ctx) : mode === 2 ? () => lexBound(ctx) : () => rank(ctx);
  return { args: [bound(), bound(), ...shuffle(ctx, groups).flat()], lex: mode === 2 };
}

// ---- probes --------------------------------------------------------------------------------

const int = (n: number | bigint | boolean): Reply => ({ t: 'integer', v: BigInt(n) });
const text = (s: string): Reply => ({ t: 'simple', v: s });
const raw = (r: Reply): Buffer => (r.t === 'bulk' ? r.v : Buffer.from(formatReply(r)));

/**
 * Whether lex commands on `key` have one defined answer: not a sorted set (errors and empty
 * replies are exact), a listpack, or all members with one score.
 */
async function lexDefined(side: Side, key: Arg): Promise<boolean> {
  const type = await side.call(['TYPE', key]);
  if (type.t !== 'simple' || type.v !== 'zset') return true;
  const enc = await side.call(['OBJECT', 'ENCODING', key]);
  if (enc.t === 'bulk' && enc.v.toString() === 'listpack') return true;
  const scoreAt = async (rank: string): Promise<string> => formatReply(flatten(await side.call(['ZRANGE', key, rank, rank, 'WITHSCORES'])).pop()!);
  return (await scoreAt('0')) === (await scoreAt('-1'));
}

/** The leaves of nested arrays (RESP3 nests member/score pairs). */
function flatten(r: Reply): Reply[] {
  return r.t === 'array' ? r.v.flatMap(flatten) : [r];
}

/** Runs a lex command only where its answer is defined (see the file comment). */
function lexProbe(args: readonly Arg[], key: Arg): (side: Side) => Promise<Reply> {
  return async (side) => ((await lexDefined(side, key)) ? side.call(args) : text('<lex range over a skip list with several scores: not run>'));
}

/** The [member, score] pairs of a ZRANDMEMBER reply (flat in RESP2, nested in RESP3). */
function picks(r: Reply, withscores: boolean): { items: Reply[][]; shape: string } {
  if (r.t !== 'array') return { items: [], shape: r.t };
  if (!withscores) return { items: r.v.map((x) => [x]), shape: 'flat' };
  if (r.v.length > 0 && r.v[0]!.t === 'array') return { items: r.v.map((x) => (x.t === 'array' ? x.v : [x])), shape: 'nested' };
  const items: Reply[][] = [];
  for (let i = 0; i < r.v.length; i += 2) items.push(r.v.slice(i, i + 2));
  return { items, shape: 'flat pairs' };
}

/** Every pick is a member of `key` and, with scores, shows its score (ZMSCORE on the same side). */
async function allMembers(side: Side, key: Arg, items: Reply[][]): Promise<boolean> {
  if (items.length === 0) return true;
  const scores = await side.call(['ZMSCORE', key, ...items.map((p) => raw(p[0]!))]);
  if (scores.t !== 'array') return false;
  return items.every((p, i) => scores.v[i]!.t !== 'null' && scores.v[i]!.t !== 'nullbulk' && (p[1] === undefined || formatReply(p[1]) === formatReply(scores.v[i]!)));
}

function zrandProbe(args: readonly Arg[], key: Arg, count: string | null, withscores: boolean): (side: Side) => Promise<Reply> {
  return async (side) => {
    const r = await side.call(args);
    const size = await side.call(['ZCARD', key]);
    if (r.t === 'bulk') {
      if (size.t === 'integer' && size.v === 1n) return { t: 'array', v: [r, size] };
      return { t: 'array', v: [text('<one member>'), size, int(await allMembers(side, key, [[r]]))] };
    }
    if (r.t !== 'array' || r.v.length === 0) return r;
    const whole = count !== null && !count.startsWith('-') && size.t === 'integer' && BigInt(count) >= size.v && count !== '1';
    if (whole) return r;
    const { items, shape } = picks(r, withscores);
    const facts: Reply[] = [text(shape), int(items.length), int(await allMembers(side, key, items))];
    if (count !== null && !count.startsWith('-')) facts.push(int(new Set(items.map((p) => raw(p[0]!).toString('latin1'))).size));
    return { t: 'array', v: facts };
  };
}

function zrandmemberGen(ctx: GenContext): Step {
  const key = zsetKey(ctx);
  if (ctx.rng.chance(0.2)) {
    const args = command(ctx, ['ZRANDMEMBER'], key);
    return { args, exec: zrandProbe(args, key, null, false) };
  }
  const withscores = ctx.rng.chance(0.5);
  // Huge negative counts are left out: both servers would build a reply of that many members.
  const valid = ['0', '1', '2', '3', '5', '10', '200', '-1', '-2', '-5', '-20', '9223372036854775807'];
  const invalid = withscores ? ['4611686018427387904', '-4611686018427387904', 'abc'] : ['-9223372036854775808', 'abc', '', '1.5', ' 1'];
  const count = ctx.rng.chance(0.92) ? ctx.rng.pick(valid) : ctx.rng.pick(invalid);
  const extra: Arg[] = withscores ? [ctx.name('WITHSCORES')] : [];
  if (ctx.rng.chance(0.04)) extra.push(ctx.rng.pick(['WITHSCORE', 'FOO', 'WITHSCORES']));
  const args = command(ctx, ['ZRANDMEMBER'], key, count, ...extra);
  return { args, exec: zrandProbe(args, key, count, withscores) };
}

/** OBJECT ENCODING of a sorted-set key (anything else: its TYPE, since other families own it). */
export function zsetEncodingProbe(key: Arg): Step {
  return {
    args: ['OBJECT', 'ENCODING', key],
    exec: async (side) => {
      const t = await side.call(['TYPE', key]);
      if (t.t !== 'simple' || t.v !== 'zset') return t;
      return { t: 'array', v: [t, await side.call(['OBJECT', 'ENCODING', key])] };
    },
  };
}

function zscanGen(ctx: GenContext): Step {
  const key = zsetKey(ctx);
  const groups: Arg[][] = [];
  if (ctx.rng.chance(0.4)) groups.push([ctx.name('MATCH'), ctx.rng.pick(['*', 'a*', '?', 'big1*', '[a-c]', 'm?', '', '*\\**'])]);
  if (ctx.rng.chance(0.4)) groups.push([ctx.name('COUNT'), ctx.rng.pick(['1', '2', '5', '10', '1000'])]);
  if (ctx.rng.chance(0.08)) groups.push(ctx.rng.pick([['COUNT', '0'], ['COUNT', 'abc'], ['TYPE', 'zset'], ['FOO'], ['MATCH'], ['NOVALUES']]));
  // Other cursors start a skip list's scan at a hash-table bucket (Redis) or a rank (Tandem).
  const cursor = ctx.rng.chance(0.95) ? '0' : ctx.rng.pick(['abc', '', '18446744073709551616', ' 0', '1.5']);
  const prefix = command(ctx, ['ZSCAN'], key);
  const options = groups.flat();
  return { args: [...prefix, cursor, ...options], exec: scanAll(prefix, cursor, options) };
}

// ---- set algebra ---------------------------------------------------------------------------

/** numkeys and keys (sometimes a set key from the set family, or numkeys that does not fit). */
function sourceKeys(ctx: GenContext): Arg[] {
  const n = ctx.rng.int(1, 3);
  const keys: Arg[] = Array.from({ length: n }, () => (ctx.rng.chance(0.15) ? KEYSPACE[3 + ctx.rng.int(0, 2)]! : zsetKey(ctx)));
  const numkeys = ctx.rng.chance(0.93) ? String(n) : ctx.rng.pick(['0', '-1', String(n + 1), 'abc', '9223372036854775807']);
  return [numkeys, ...keys];
}

function algebraOptions(ctx: GenContext, keys: number, weights: boolean, withscores: boolean): Arg[] {
  const groups: Arg[][] = [];
  if (weights && ctx.rng.chance(0.3)) {
    const ws = Array.from({ length: keys }, () => (ctx.rng.chance(0.9) ? ctx.rng.pick(['1', '2', '-1', '0', '0.5', 'inf', '-0']) : 'abc'));
    groups.push([ctx.name('WEIGHTS'), ...ws]);
  }
  if (weights && ctx.rng.chance(0.3)) groups.push([ctx.name('AGGREGATE'), ctx.rng.pick(['SUM', 'MIN', 'MAX', 'sum', 'max', 'FOO'])]);
  if (withscores && ctx.rng.chance(0.5)) groups.push([ctx.name('WITHSCORES')]);
  if (ctx.rng.chance(0.04)) groups.push([ctx.rng.pick(['WEIGHTS', 'AGGREGATE', 'WITHSCORES', 'LIMIT'])]);
  return shuffle(ctx, groups).flat();
}

function algebraGen(name: string, weights: boolean, store: boolean): CommandGen {
  return {
    name: [name],
    arity: store ? -4 : -3,
    weight: 2,
    gen: (ctx) => {
      const src = sourceKeys(ctx);
      const dst: Arg[] = store ? [zsetKey(ctx)] : [];
      return { args: command(ctx, [name], ...dst, ...src, ...algebraOptions(ctx, src.length - 1, weights, !store)) };
    },
  };
}

function zintercardGen(ctx: GenContext): Step {
  const src = sourceKeys(ctx);
  const extra: Arg[] = [];
  if (ctx.rng.chance(0.4)) extra.push(ctx.name('LIMIT'), ctx.rng.pick(['0', '1', '2', '10', '-1', 'abc']));
  if (ctx.rng.chance(0.04)) extra.push(ctx.rng.pick(['LIMIT', 'WITHSCORES']));
  return { args: command(ctx, ['ZINTERCARD'], ...src, ...extra) };
}

function zmpopGen(ctx: GenContext): Step {
  const keys: Arg[] = Array.from({ length: ctx.rng.int(1, 3) }, () => zsetKey(ctx));
  const numkeys = ctx.rng.chance(0.93) ? String(keys.length) : ctx.rng.pick(['0', '-1', String(keys.length + 1), 'abc']);
  const extra: Arg[] = [ctx.rng.chance(0.95) ? ctx.name(ctx.rng.pick(['MIN', 'MAX'])) : ctx.rng.pick(['MID', ''])];
  if (ctx.rng.chance(0.5)) extra.push(ctx.name('COUNT'), ctx.rng.chance(0.9) ? ctx.rng.pick(['1', '2', '3', '10']) : ctx.rng.pick(['0', '-1', 'abc']));
  if (ctx.rng.chance(0.04)) extra.push(ctx.rng.pick(['COUNT', 'MIN']));
  return { args: command(ctx, ['ZMPOP'], numkeys, ...keys, ...extra) };
}

function zpopGen(name: string): CommandGen {
  return {
    name: [name],
    arity: -2,
    weight: 2,
    gen: (ctx) => {
      const extra: Arg[] = [];
      if (ctx.rng.chance(0.6)) extra.push(ctx.rng.chance(0.9) ? ctx.rng.pick(['0', '1', '2', '3', '10']) : ctx.rng.pick(['-1', 'abc', '']));
      if (ctx.rng.chance(0.03)) extra.push('1');
      return { args: command(ctx, [name], zsetKey(ctx), ...extra) };
    },
  };
}

function lexGen(name: string, arity: number, extra: (ctx: GenContext) => Arg[]): CommandGen {
  return {
    name: [name],
    arity,
    weight: 2,
    gen: (ctx) => {
      const key = zsetKey(ctx);
      const args = command(ctx, [name], key, lexBound(ctx), lexBound(ctx), ...extra(ctx));
      return { args, exec: lexProbe(args, key) };
    },
  };
}

function zrangeGen(store: boolean): CommandGen {
  const name = store ? 'ZRANGESTORE' : 'ZRANGE';
  return {
    name: [name],
    arity: store ? -5 : -4,
    weight: store ? 2 : 5,
    gen: (ctx) => {
      const key = zsetKey(ctx);
      const dst: Arg[] = store ? [zsetKey(ctx)] : [];
      const { args: rest, lex } = zrangeArgs(ctx, store);
      const args = command(ctx, [name], ...dst, key, ...rest);
      return lex ? { args, exec: lexProbe(args, key) } : { args };
    },
  };
}

const withscores = (ctx: GenContext): Arg[] => (ctx.rng.chance(0.4) ? [ctx.name('WITHSCORES')] : []);

const commands: CommandGen[] = [
  { name: ['ZADD'], arity: -4, weight: 12, gen: zaddGen },
  { name: ['ZINCRBY'], arity: 4, weight: 5, gen: (ctx) => ({ args: command(ctx, ['ZINCRBY'], zsetKey(ctx), score(ctx), zmember(ctx)) }) },
  { name: ['ZREM'], arity: -3, weight: 4, gen: (ctx) => ({ args: command(ctx, ['ZREM'], zsetKey(ctx), ...members(ctx, 1, 3)) }) },
  { name: ['ZSCORE'], arity: 3, weight: 3, gen: (ctx) => ({ args: command(ctx, ['ZSCORE'], zsetKey(ctx), zmember(ctx)) }) },
  { name: ['ZMSCORE'], arity: -3, weight: 2, gen: (ctx) => ({ args: command(ctx, ['ZMSCORE'], zsetKey(ctx), ...members(ctx, 1, 3)) }) },
  { name: ['ZCARD'], arity: 2, weight: 2, gen: (ctx) => ({ args: command(ctx, ['ZCARD'], zsetKey(ctx)) }) },
  { name: ['ZCOUNT'], arity: 4, weight: 2, gen: (ctx) => ({ args: command(ctx, ['ZCOUNT'], zsetKey(ctx), scoreBound(ctx), scoreBound(ctx)) }) },
  lexGen('ZLEXCOUNT', 4, () => []),
  zrangeGen(false),
  zrangeGen(true),
  { name: ['ZRANGEBYSCORE'], arity: -4, weight: 2, gen: (ctx) => ({ args: command(ctx, ['ZRANGEBYSCORE'], zsetKey(ctx), scoreBound(ctx), scoreBound(ctx), ...withscores(ctx), ...limitArgs(ctx)) }) },
  { name: ['ZREVRANGEBYSCORE'], arity: -4, weight: 2, gen: (ctx) => ({ args: command(ctx, ['ZREVRANGEBYSCORE'], zsetKey(ctx), scoreBound(ctx), scoreBound(ctx), ...limitArgs(ctx), ...withscores(ctx)) }) },
  lexGen('ZRANGEBYLEX', -4, limitArgs),
  lexGen('ZREVRANGEBYLEX', -4, limitArgs),
  { name: ['ZREVRANGE'], arity: -4, weight: 2, gen: (ctx) => ({ args: command(ctx, ['ZREVRANGE'], zsetKey(ctx), rank(ctx), rank(ctx), ...withscores(ctx)) }) },
  // Arity -3 (not 7.0's 3): Tandem accepts 7.2's WITHSCORE, so no 4-argument form is generated.
  { name: ['ZRANK'], arity: -3, weight: 2, gen: (ctx) => ({ args: command(ctx, ['ZRANK'], zsetKey(ctx), zmember(ctx)) }) },
  { name: ['ZREVRANK'], arity: -3, weight: 2, gen: (ctx) => ({ args: command(ctx, ['ZREVRANK'], zsetKey(ctx), zmember(ctx)) }) },
  zpopGen('ZPOPMIN'),
  zpopGen('ZPOPMAX'),
  { name: ['ZMPOP'], arity: -4, weight: 2, gen: zmpopGen },
  { name: ['ZRANDMEMBER'], arity: -2, weight: 2, gen: zrandmemberGen },
  { name: ['ZREMRANGEBYRANK'], arity: 4, weight: 1, gen: (ctx) => ({ args: command(ctx, ['ZREMRANGEBYRANK'], zsetKey(ctx), rank(ctx), rank(ctx)) }) },
  { name: ['ZREMRANGEBYSCORE'], arity: 4, weight: 1, gen: (ctx) => ({ args: command(ctx, ['ZREMRANGEBYSCORE'], zsetKey(ctx), scoreBound(ctx), scoreBound(ctx)) }) },
  { ...lexGen('ZREMRANGEBYLEX', 4, () => []), weight: 1 },
  algebraGen('ZUNION', true, false),
  algebraGen('ZINTER', true, false),
  algebraGen('ZDIFF', false, false),
  algebraGen('ZUNIONSTORE', true, true),
  algebraGen('ZINTERSTORE', true, true),
  algebraGen('ZDIFFSTORE', false, true),
  { name: ['ZINTERCARD'], arity: -3, weight: 1, gen: zintercardGen },
  { name: ['ZSCAN'], arity: -3, weight: 2, gen: zscanGen },
  { name: ['OBJECT', 'ENCODING'], arity: 3, weight: 1, gen: (ctx) => zsetEncodingProbe(zsetKey(ctx)) },
];

export const zsetsFamily: CommandFamily = {
  name: 'zsets',
  weight: 40,
  commands,
  dump: (key) => [{ args: ['ZRANGE', key, '0', '-1', 'WITHSCORES'] }, { args: ['ZCARD', key] }, zsetEncodingProbe(key)],
};
