// Set commands, valid and invalid forms. Replies in hash order are compared in canonical order,
// random ones through randomProbe (see hashes.ts); SPOP, which removes a random choice, through
// spopProbe below.
import { type Reply, formatReply } from '../../../../src/protocol/resp-client.js';
import type { Arg } from '../../../helpers/raw-client.js';
import type { GenContext } from '../context.js';
import { type CommandFamily, type CommandGen, command } from '../generator.js';
import { scanAll } from '../probes.js';
import type { Side, Step } from '../step.js';
import { canonical, canonicalProbe, collectionScanArgs, delGen, encodingProbe, familyKey, randomProbe } from './hashes.js';

/** A key, half the time one of the three the set commands favour (see familyKey). */
const setKey = (ctx: GenContext): Buffer => familyKey(ctx, 3);

const setKeys = (ctx: GenContext, min: number, max: number): Buffer[] => Array.from({ length: ctx.rng.int(min, max) }, () => setKey(ctx));

/** Integers (an all-integer set is an intset), non-canonical integers and words. */
const INTEGERS = ['0', '1', '2', '3', '5', '7', '10', '42', '-1', '-100', '9223372036854775807', '-9223372036854775808'];
const ALMOST = ['01', '+1', '-0', '1.0', ' 1', '9223372036854775808'];
const WORDS: readonly Arg[] = ['a', 'b', 'c', 'ab', '', 'hello', 'x y', 'm*', Buffer.from('ü', 'utf8'), Buffer.from([0, 255]), 'L'.repeat(70)];

function member(ctx: GenContext, intsOnly: boolean): Arg {
  if (intsOnly || ctx.rng.chance(0.5)) return ctx.rng.pick(INTEGERS);
  return ctx.rng.chance(0.15) ? ctx.rng.pick(ALMOST) : ctx.rng.pick(WORDS);
}

/** Members for one command; half the commands use integers only, so sets often stay intsets. */
function members(ctx: GenContext, min: number, max: number): Arg[] {
  const intsOnly = ctx.rng.chance(0.5);
  return Array.from({ length: ctx.rng.int(min, max) }, () => member(ctx, intsOnly));
}

/** Now and then more than 512 integers: the set becomes a hash table. */
function saddMembers(ctx: GenContext): Arg[] {
  if (!ctx.rng.chance(0.01)) return members(ctx, 1, 5);
  const start = ctx.rng.int(-50, 50);
  return Array.from({ length: ctx.rng.int(505, 520) }, (_, i) => String(start + i));
}

const bulkText = (r: Reply): string => (r.t === 'bulk' ? r.v.toString('latin1') : formatReply(r));

/** The members a reply lists (bulk strings of an array or set, or one bulk string). */
function listed(r: Reply): Reply[] {
  if (r.t === 'bulk') return [r];
  return r.t === 'array' || r.t === 'set' ? r.v : [];
}

/**
 * SPOP made comparable. The popped members are random, so the two servers would hold different
 * sets afterwards. The probe checks, on each side, that the popped members were members and are
 * distinct, then puts them back and removes the same number of members chosen deterministically
 * (the first ones in sorted order): both servers end with the same content. Only the wire shape,
 * the count, the check, and (when everything was popped) the sorted content are compared.
 */
function spopProbe(args: readonly Arg[], key: Arg): (side: Side) => Promise<Reply> {
  return async (side) => {
    const before = await side.call(['SMEMBERS', key]);
    const r = await side.call(args);
    const popped = listed(r);
    if (popped.length === 0 || (before.t !== 'array' && before.t !== 'set')) return r;
    const had = new Set(before.v.map(bulkText));
    const names = popped.map(bulkText);
    const valid = names.every((n) => had.has(n)) && new Set(names).size === names.length;
    const facts: Reply[] = [{ t: 'simple', v: r.t }, { t: 'integer', v: BigInt(popped.length) }, { t: 'integer', v: valid ? 1n : 0n }];
    if (popped.length === had.size) facts.push(canonical({ t: 'array', v: popped }, false));
    else {
      const raw = (x: Reply): Buffer => (x.t === 'bulk' ? x.v : Buffer.from(formatReply(x)));
      await side.call(['SADD', key, ...popped.map(raw)]);
      const sorted = [...before.v].sort((a, b) => Buffer.compare(raw(a), raw(b)));
      await side.call(['SREM', key, ...sorted.slice(0, popped.length).map(raw)]);
    }
    return { t: 'array', v: facts };
  };
}

function spopGen(ctx: GenContext): Step {
  const key = setKey(ctx);
  const extra: Arg[] = [];
  if (ctx.rng.chance(0.6)) extra.push(ctx.rng.chance(0.9) ? ctx.rng.pick(['0', '1', '2', '3', '5', '10', '100']) : ctx.rng.pick(['-1', 'abc', '', '1.5', '9223372036854775808']));
  if (ctx.rng.chance(0.03)) extra.push('1');
  const args = command(ctx, ['SPOP'], key, ...extra);
  return { args, exec: spopProbe(args, key) };
}

function srandmemberGen(ctx: GenContext): Step {
  const key = setKey(ctx);
  const valid = ['0', '1', '2', '3', '5', '10', '600', '-1', '-2', '-5', '-20', '9223372036854775807'];
  const count = ctx.rng.chance(0.3) ? null : ctx.rng.chance(0.9) ? ctx.rng.pick(valid) : ctx.rng.pick(['-9223372036854775808', 'abc', '', '1.5']);
  const extra: Arg[] = count === null ? [] : [count];
  if (ctx.rng.chance(0.03)) extra.push('1');
  const args = command(ctx, ['SRANDMEMBER'], key, ...extra);
  return { args, exec: randomProbe({ args, key, kind: 'set', count, withValues: false }) };
}

/** A read whose reply is in hash order (a set in RESP3). */
function sortedRead(ctx: GenContext, name: string, ...rest: Arg[]): Step {
  const args = command(ctx, [name], ...rest);
  return { args, exec: canonicalProbe(args, false) };
}

function sintercardGen(ctx: GenContext): Step {
  const keys = setKeys(ctx, 1, 4);
  let numkeys = String(keys.length);
  if (ctx.rng.chance(0.1)) numkeys = ctx.rng.pick(['0', '-1', 'abc', String(keys.length + 1), '']);
  const options: Arg[] = [];
  if (ctx.rng.chance(0.5)) options.push(ctx.name('LIMIT'), ctx.rng.pick(['0', '1', '2', '5']));
  if (ctx.rng.chance(0.1)) options.push(...ctx.rng.pick([['LIMIT', '-1'], ['LIMIT', 'x'], ['LIMIT'], ['FOO']]));
  return { args: command(ctx, ['SINTERCARD'], numkeys, ...keys, ...options) };
}

function sscanGen(ctx: GenContext): Step {
  const key = setKey(ctx);
  const { cursor, options } = collectionScanArgs(ctx, () => ctx.rng.pick(['*', '1*', '-*', '[0-4]', '?', 'a*', '*\\**', '[', '']));
  const prefix = command(ctx, ['SSCAN'], key);
  return { args: [...prefix, cursor, ...options], exec: scanAll(prefix, cursor, options) };
}

const commands: CommandGen[] = [
  { name: ['SADD'], arity: -3, weight: 10, gen: (ctx) => ({ args: command(ctx, ['SADD'], setKey(ctx), ...saddMembers(ctx)) }) },
  { name: ['SREM'], arity: -3, weight: 5, gen: (ctx) => ({ args: command(ctx, ['SREM'], setKey(ctx), ...members(ctx, 1, 4)) }) },
  { name: ['SMEMBERS'], arity: 2, weight: 3, gen: (ctx) => sortedRead(ctx, 'SMEMBERS', setKey(ctx)) },
  { name: ['SISMEMBER'], arity: 3, weight: 3, gen: (ctx) => ({ args: command(ctx, ['SISMEMBER'], setKey(ctx), member(ctx, false)) }) },
  { name: ['SMISMEMBER'], arity: -3, weight: 2, gen: (ctx) => ({ args: command(ctx, ['SMISMEMBER'], setKey(ctx), ...members(ctx, 1, 4)) }) },
  { name: ['SCARD'], arity: 2, weight: 3, gen: (ctx) => ({ args: command(ctx, ['SCARD'], setKey(ctx)) }) },
  { name: ['SPOP'], arity: -2, weight: 3, gen: spopGen },
  { name: ['SRANDMEMBER'], arity: -2, weight: 3, gen: srandmemberGen },
  { name: ['SMOVE'], arity: 4, weight: 3, gen: (ctx) => ({ args: command(ctx, ['SMOVE'], setKey(ctx), setKey(ctx), member(ctx, false)) }) },
  { name: ['SINTER'], arity: -2, weight: 2, gen: (ctx) => sortedRead(ctx, 'SINTER', ...setKeys(ctx, 1, 4)) },
  { name: ['SINTERCARD'], arity: -3, weight: 2, gen: sintercardGen },
  { name: ['SINTERSTORE'], arity: -3, weight: 2, gen: (ctx) => ({ args: command(ctx, ['SINTERSTORE'], setKey(ctx), ...setKeys(ctx, 1, 3)) }) },
  { name: ['SUNION'], arity: -2, weight: 2, gen: (ctx) => sortedRead(ctx, 'SUNION', ...setKeys(ctx, 1, 4)) },
  { name: ['SUNIONSTORE'], arity: -3, weight: 2, gen: (ctx) => ({ args: command(ctx, ['SUNIONSTORE'], setKey(ctx), ...setKeys(ctx, 1, 3)) }) },
  { name: ['SDIFF'], arity: -2, weight: 2, gen: (ctx) => sortedRead(ctx, 'SDIFF', ...setKeys(ctx, 1, 4)) },
  { name: ['SDIFFSTORE'], arity: -3, weight: 2, gen: (ctx) => ({ args: command(ctx, ['SDIFFSTORE'], setKey(ctx), ...setKeys(ctx, 1, 3)) }) },
  { name: ['SSCAN'], arity: -3, weight: 2, gen: sscanGen },
  { name: ['OBJECT', 'ENCODING'], arity: 3, weight: 1, gen: (ctx) => encodingProbe(setKey(ctx), 'set') },
  delGen,
];

export const setsFamily: CommandFamily = {
  name: 'sets',
  weight: 40,
  commands,
  dump: (key) => [{ args: ['SMEMBERS', key], exec: canonicalProbe(['SMEMBERS', key], false) }, { args: ['SCARD', key] }, encodingProbe(key, 'set')],
};
