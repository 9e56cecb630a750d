// Hash commands, valid and invalid forms; also the probes the set family shares (replies whose
// order is hash order, and replies that depend on a random choice).
//
// How the non-deterministic replies are compared:
// - HKEYS/HVALS: UNORDERED (flat arrays in RESP2 and RESP3).
// - HGETALL (a flat array of pairs in RESP2, a map in RESP3), and set-typed replies (RESP3 `~`):
//   compare.ts's UNORDERED only sorts top-level arrays, so `canonicalProbe` sorts the reply itself,
//   keeping field/value pairs together; every byte and wire type is still compared.
// - HRANDFIELD/SRANDMEMBER: `randomProbe` keeps what does not depend on the random choice (wire
//   shape, length, distinctness, that every element is a member with its value, the whole content
//   when the count covers the collection).
// - HSCAN: a full iteration reduced to its sorted, de-duplicated field/value pairs.
import { type Reply, formatReply } from '../../../../src/protocol/resp-client.js';
import type { Arg } from '../../../helpers/raw-client.js';
import { type GenContext, KEYSPACE } from '../context.js';
import { type CommandFamily, type CommandGen, command } from '../generator.js';
import { type Side, type Step, UNORDERED } from '../step.js';

// ---- probes shared with sets.ts ---------------------------------------------------------------

const byText = (a: Reply, b: Reply): number => {
  const x = formatReply(a);
  const y = formatReply(b);
  return x < y ? -1 : x > y ? 1 : 0;
};

/** Consecutive items as pairs (HGETALL and HRANDFIELD … WITHVALUES in RESP2). */
function chunkPairs(items: Reply[]): Reply[] {
  const out: Reply[] = [];
  for (let i = 0; i < items.length; i += 2) out.push({ t: 'array', v: items.slice(i, i + 2) });
  return out;
}

/**
 * A reply whose element order is hash order, sorted: a map's entries, a set's or array's items
 * (`pairs`: a flat RESP2 array of field/value pairs, sorted as pairs). Other replies as they are.
 */
export function canonical(r: Reply, pairs: boolean): Reply {
  switch (r.t) {
    case 'map':
      return { t: 'map', v: [...r.v].sort((a, b) => byText({ t: 'array', v: a }, { t: 'array', v: b })) };
    case 'set':
      return { t: 'set', v: [...r.v].sort(byText) };
    case 'array':
      if (!pairs) return { t: 'array', v: [...r.v].sort(byText) };
      return { t: 'array', v: chunkPairs(r.v).sort(byText).flatMap((p) => (p.t === 'array' ? p.v : [p])) };
    default:
      return r;
  }
}

/** The command's reply in canonical order (see `canonical`). */
export function canonicalProbe(args: readonly Arg[], pairs: boolean): (side: Side) => Promise<Reply> {
  return async (side) => canonical(await side.call(args), pairs);
}

const int = (n: number | boolean): Reply => ({ t: 'integer', v: BigInt(n) });
const text = (s: string): Reply => ({ t: 'simple', v: s });
const bulkText = (r: Reply): string => (r.t === 'bulk' ? r.v.toString('latin1') : formatReply(r));

export interface RandomCall {
  readonly args: readonly Arg[];
  readonly key: Arg;
  readonly kind: 'hash' | 'set';
  /** The count argument as sent (null: the single-element form). */
  readonly count: string | null;
  readonly withValues: boolean;
}

/** The picked elements of a random reply as [member, value?] lists, and the reply's wire shape. */
function picks(r: Reply & { v: Reply[] }, withValues: boolean): { items: Reply[][]; shape: string } {
  const nested = r.v.length > 0 && r.v[0]!.t === 'array';
  const items = nested ? r.v.map((x) => (x.t === 'array' ? x.v : [x])) : withValues ? chunkPairs(r.v).map((p) => (p.t === 'array' ? p.v : [p])) : r.v.map((x) => [x]);
  const inner = [...new Set(r.v.map((x) => x.t))].sort().join(',');
  return { items, shape: `${r.t}<${inner}>` };
}

/** Whether every picked element is a member (with the value it shows), on this side. */
async function allMembers(side: Side, c: RandomCall, items: Reply[][]): Promise<boolean> {
  if (items.length === 0) return true;
  const names = items.map((x) => x[0]!);
  const args = names.map((n) => (n.t === 'bulk' ? n.v : Buffer.from(formatReply(n))));
  if (c.kind === 'set') {
    const r = await side.call(['SMISMEMBER', c.key, ...args]);
    return r.t === 'array' && r.v.every((x) => x.t === 'integer' && x.v === 1n);
  }
  const r = await side.call(['HMGET', c.key, ...args]);
  if (r.t !== 'array') return false;
  return r.v.every((v, i) => v.t === 'bulk' && (items[i]!.length < 2 || formatReply(v) === formatReply(items[i]![1]!)));
}

/**
 * SRANDMEMBER / HRANDFIELD made comparable. Errors, nulls and empty replies are deterministic and
 * returned as they are; a single pick with one element in the collection too. Otherwise only what
 * the random choice cannot change is compared.
 */
export function randomProbe(c: RandomCall): (side: Side) => Promise<Reply> {
  return async (side) => {
    const r = await side.call(c.args);
    if (r.t === 'bulk') {
      const size = await side.call([c.kind === 'set' ? 'SCARD' : 'HLEN', c.key]);
      if (size.t === 'integer' && size.v === 1n) return { t: 'array', v: [r, size] };
      return { t: 'array', v: [text('<one element>'), size, int(await allMembers(side, c, [[r]]))] };
    }
    if ((r.t !== 'array' && r.t !== 'set') || r.v.length === 0) return r;
    const { items, shape } = picks(r, c.withValues);
    const facts: Reply[] = [text(shape), int(items.length), int(await allMembers(side, c, items))];
    const positive = c.count !== null && !c.count.startsWith('-');
    if (positive) {
      facts.push(int(new Set(items.map((x) => bulkText(x[0]!))).size));
      const size = await side.call([c.kind === 'set' ? 'SCARD' : 'HLEN', c.key]);
      // A count covering the whole collection returns all of it: compare the content.
      if (size.t === 'integer' && BigInt(items.length) === size.v) facts.push(canonical({ t: 'array', v: items.flat() }, c.withValues));
    }
    return { t: 'array', v: facts };
  };
}

const MAX_SCAN_CALLS = 100_000;

/**
 * A full HSCAN iteration reduced to its sorted field/value pairs (a field may come twice from a
 * hash table; cursors are implementation details). The first error is returned as it is.
 */
export function hscanAll(prefix: readonly Arg[], firstCursor: Arg, options: readonly Arg[]): (side: Side) => Promise<Reply> {
  return async (side) => {
    const seen = new Map<string, Reply[]>();
    let cursor: Arg = firstCursor;
    for (let calls = 0; calls < MAX_SCAN_CALLS; calls++) {
      const r = await side.call([...prefix, cursor, ...options]);
      if (r.t !== 'array') return r;
      const [next, page] = r.v;
      if (r.v.length !== 2 || next?.t !== 'bulk' || page?.t !== 'array') return { t: 'error', v: 'probe: malformed HSCAN reply' };
      for (const p of chunkPairs(page.v)) if (p.t === 'array') seen.set(bulkText(p.v[0]!), p.v);
      cursor = next.v;
      if (cursor.toString() === '0') return canonical({ t: 'array', v: [...seen.values()].flat() }, true);
    }
    return { t: 'error', v: `probe: HSCAN did not finish within ${MAX_SCAN_CALLS} calls` };
  };
}

/**
 * OBJECT ENCODING of a key holding `type` (listpack/hashtable, intset/hashtable: they depend on
 * the value's history). Keys of other types only compare their TYPE: string encodings belong to
 * the string family.
 */
export function encodingProbe(key: Arg, type: 'hash' | 'set'): Step {
  return {
    args: ['OBJECT', 'ENCODING', key],
    exec: async (side) => {
      const t = await side.call(['TYPE', key]);
      if (t.t !== 'simple' || t.v !== type) return t;
      return { t: 'array', v: [t, await side.call(['OBJECT', 'ENCODING', key])] };
    },
  };
}

/** SCAN-family options for HSCAN/SSCAN: MATCH, COUNT, and invalid forms (TYPE is SCAN-only). */
export function collectionScanArgs(ctx: GenContext, pattern: () => Arg): { cursor: Arg; options: Arg[] } {
  const groups: Arg[][] = [];
  if (ctx.rng.chance(0.4)) groups.push([ctx.name('MATCH'), pattern()]);
  if (ctx.rng.chance(0.4)) groups.push([ctx.name('COUNT'), ctx.rng.pick(['1', '2', '5', '10', '1000'])]);
  let cursor: Arg = ctx.rng.chance(0.9) ? '0' : '';
  if (ctx.rng.chance(0.15)) {
    switch (ctx.rng.int(0, 4)) {
      case 0:
        cursor = ctx.rng.pick(['abc', ' 0', '1.5', '-', '18446744073709551616']);
        break;
      case 1:
        groups.push(['COUNT', ctx.rng.pick(['0', '-1', 'abc', ''])]);
        break;
      case 2:
        groups.push(ctx.rng.pick([['TYPE', 'hash'], ['NOVALUES'], ['FOO', 'bar']]));
        break;
      case 3:
        groups.push(['MATCH']);
        break;
      default:
        groups.push(['COUNT']);
    }
  }
  return { cursor, options: groups.flat() };
}

// ---- hash generators --------------------------------------------------------------------------

/**
 * A key, mostly one of three the hash commands favour (the set family favours three others): the
 * families still share every key (WRONGTYPE, RENAME across types …), but most hash commands reach
 * a hash.
 */
export function familyKey(ctx: GenContext, first: number): Buffer {
  return ctx.rng.chance(0.75) ? KEYSPACE[first + ctx.rng.int(0, 2)]! : ctx.key();
}

/** DEL of any key: lets a key that became another type's (a set, a string …) start over. */
export const delGen: CommandGen = { name: ['DEL'], arity: -2, weight: 1, gen: (ctx) => ({ args: command(ctx, ['DEL'], ctx.key()) }) };

const hashKey = (ctx: GenContext): Buffer => familyKey(ctx, 0);

const FIELDS: readonly Arg[] = [
  'f0', 'f1', 'f2', 'f3', 'f4', 'f5', 'n', 'm', '', 'a b', '1', '-2', '007', 'x\ny',
  Buffer.from('fält', 'utf8'), Buffer.from([0, 255, 127]), 'F'.repeat(65), 'f*', 'f?',
];
const HOT_FIELDS = 8;

function field(ctx: GenContext): Arg {
  return ctx.rng.chance(0.7) ? FIELDS[ctx.rng.int(0, HOT_FIELDS - 1)]! : ctx.rng.pick(FIELDS);
}

function fields(ctx: GenContext, min: number, max: number): Arg[] {
  return Array.from({ length: ctx.rng.int(min, max) }, () => field(ctx));
}

/** A value: any generated value, often a number so HINCRBY/HINCRBYFLOAT can build on it. */
function hashValue(ctx: GenContext): Arg {
  return ctx.rng.chance(0.3) ? ctx.integer() : ctx.rng.chance(0.1) ? ctx.float() : ctx.value();
}

function pairs(ctx: GenContext): Arg[] {
  const out: Arg[] = [];
  // Now and then more than 128 fields: the hash becomes a hash table (OBJECT ENCODING).
  const n = ctx.rng.chance(0.01) ? ctx.rng.int(125, 135) : ctx.rng.int(1, 4);
  for (let i = 0; i < n; i++) out.push(n > 4 ? `big${i}` : field(ctx), hashValue(ctx));
  // An odd argument count is refused by the command itself (not by the arity check).
  if (ctx.rng.chance(0.05)) out.pop();
  return out;
}

function fieldPattern(ctx: GenContext): Arg {
  return ctx.rng.pick(['*', 'f*', 'f[0-2]', '?', 'big1*', '*\\**', 'f\\?', '[', '', 'a b', 'n*']);
}

function randomCount(ctx: GenContext, withValues: boolean): string {
  // Huge negative counts are left out: both servers would build a reply of that many elements.
  const valid = ['0', '1', '2', '3', '5', '10', '200', '-1', '-2', '-5', '-20', '9223372036854775807'];
  const invalid = withValues ? ['4611686018427387904', '-4611686018427387904', 'abc'] : ['-9223372036854775808', 'abc', '', '1.5', ' 1'];
  return ctx.rng.chance(0.9) ? ctx.rng.pick(valid) : ctx.rng.pick(invalid);
}

function hrandfieldGen(ctx: GenContext): Step {
  const key = hashKey(ctx);
  const form = ctx.rng.int(0, 9);
  if (form < 2) {
    const args = command(ctx, ['HRANDFIELD'], key);
    return { args, exec: randomProbe({ args, key, kind: 'hash', count: null, withValues: false }) };
  }
  const withValues = form >= 6;
  const count = randomCount(ctx, withValues);
  const extra: Arg[] = withValues ? [ctx.name('WITHVALUES')] : [];
  if (ctx.rng.chance(0.05)) extra.push(ctx.rng.pick(['WITHVALUE', 'FOO', 'WITHVALUES']));
  const args = command(ctx, ['HRANDFIELD'], key, count, ...extra);
  return { args, exec: randomProbe({ args, key, kind: 'hash', count, withValues }) };
}

function hscanGen(ctx: GenContext): Step {
  const key = hashKey(ctx);
  const { cursor, options } = collectionScanArgs(ctx, () => fieldPattern(ctx));
  const prefix = command(ctx, ['HSCAN'], key);
  return { args: [...prefix, cursor, ...options], exec: hscanAll(prefix, cursor, options) };
}

const commands: CommandGen[] = [
  { name: ['HSET'], arity: -4, weight: 8, gen: (ctx) => ({ args: command(ctx, ['HSET'], hashKey(ctx), ...pairs(ctx)) }) },
  { name: ['HMSET'], arity: -4, weight: 2, gen: (ctx) => ({ args: command(ctx, ['HMSET'], hashKey(ctx), ...pairs(ctx)) }) },
  { name: ['HSETNX'], arity: 4, weight: 3, gen: (ctx) => ({ args: command(ctx, ['HSETNX'], hashKey(ctx), field(ctx), hashValue(ctx)) }) },
  { name: ['HGET'], arity: 3, weight: 5, gen: (ctx) => ({ args: command(ctx, ['HGET'], hashKey(ctx), field(ctx)) }) },
  { name: ['HMGET'], arity: -3, weight: 3, gen: (ctx) => ({ args: command(ctx, ['HMGET'], hashKey(ctx), ...fields(ctx, 1, 4)) }) },
  { name: ['HDEL'], arity: -3, weight: 5, gen: (ctx) => ({ args: command(ctx, ['HDEL'], hashKey(ctx), ...fields(ctx, 1, 4)) }) },
  { name: ['HEXISTS'], arity: 3, weight: 2, gen: (ctx) => ({ args: command(ctx, ['HEXISTS'], hashKey(ctx), field(ctx)) }) },
  {
    name: ['HGETALL'],
    arity: 2,
    weight: 3,
    gen: (ctx) => {
      const args = command(ctx, ['HGETALL'], hashKey(ctx));
      return { args, exec: canonicalProbe(args, true) };
    },
  },
  { name: ['HKEYS'], arity: 2, weight: 2, gen: (ctx) => ({ args: command(ctx, ['HKEYS'], hashKey(ctx)), check: UNORDERED }) },
  { name: ['HVALS'], arity: 2, weight: 2, gen: (ctx) => ({ args: command(ctx, ['HVALS'], hashKey(ctx)), check: UNORDERED }) },
  { name: ['HLEN'], arity: 2, weight: 2, gen: (ctx) => ({ args: command(ctx, ['HLEN'], hashKey(ctx)) }) },
  { name: ['HSTRLEN'], arity: 3, weight: 2, gen: (ctx) => ({ args: command(ctx, ['HSTRLEN'], hashKey(ctx), field(ctx)) }) },
  { name: ['HINCRBY'], arity: 4, weight: 4, gen: (ctx) => ({ args: command(ctx, ['HINCRBY'], hashKey(ctx), field(ctx), ctx.integer()) }) },
  { name: ['HINCRBYFLOAT'], arity: 4, weight: 4, gen: (ctx) => ({ args: command(ctx, ['HINCRBYFLOAT'], hashKey(ctx), field(ctx), ctx.float()) }) },
  { name: ['HRANDFIELD'], arity: -2, weight: 3, gen: hrandfieldGen },
  { name: ['HSCAN'], arity: -3, weight: 2, gen: hscanGen },
  { name: ['OBJECT', 'ENCODING'], arity: 3, weight: 1, gen: (ctx) => encodingProbe(hashKey(ctx), 'hash') },
  delGen,
];

export const hashesFamily: CommandFamily = {
  name: 'hashes',
  weight: 40,
  commands,
  dump: (key) => [{ args: ['HGETALL', key], exec: canonicalProbe(['HGETALL', key], true) }, { args: ['HLEN', key] }, encodingProbe(key, 'hash')],
};
