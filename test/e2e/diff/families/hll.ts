// HyperLogLog commands: PFADD, PFCOUNT, PFMERGE, and the string and key commands Redis allows on
// an HLL (it is a string there): GET, STRLEN, GETRANGE, TYPE, OBJECT ENCODING, SET of the bytes
// GET returned, RENAME, COPY, EXPIRE, DEL.
//
// HLLs live on keys of their own. In Tandem an HLL refuses the string writes that would edit its
// bytes (APPEND, SETRANGE, INCR … answer WRONGTYPE: Active-Active allows only GET and SET on an
// HLL, reference §2.8 rule 3, docs/semantics.md), while Redis edits the string. So the string
// family, which writes the shared key space, must never meet an HLL: PF writes reach a shared key
// only when it already exists (where they fail, or write a string that holds HLL bytes), and
// reads (PFCOUNT) go anywhere.
import type { Reply } from '../../../../src/protocol/resp-client.js';
import type { Arg } from '../../../helpers/raw-client.js';
import { type GenContext, KEYSPACE } from '../context.js';
import { type CommandFamily, type CommandGen, command } from '../generator.js';
import type { Side, Step } from '../step.js';
import { tolerance } from '../step.js';

const HLL_KEYS: readonly Buffer[] = ['{d}:hll0', '{d}:hll1', '{d}:hll2', '{d}:hll3'].map((k) => Buffer.from(k));

function hllKey(ctx: GenContext): Buffer {
  return ctx.rng.pick(HLL_KEYS);
}

function hllKeys(ctx: GenContext, min: number, max: number): Buffer[] {
  return Array.from({ length: ctx.rng.int(min, max) }, () => hllKey(ctx));
}

/** Elements: a small pool (re-adds change nothing), numbers, and random bytes. */
function elements(ctx: GenContext, min: number, max: number): Arg[] {
  return Array.from({ length: ctx.rng.int(min, max) }, () => {
    const r = ctx.rng.int(0, 9);
    if (r < 4) return `e${ctx.rng.int(0, 40)}`;
    if (r < 6) return String(ctx.rng.int(0, 100000));
    return ctx.rng.bytes(ctx.rng.int(0, 24));
  });
}

/** Many distinct elements at once: past 3000 bytes the sparse encoding turns dense. */
function manyElements(ctx: GenContext): Arg[] {
  const base = ctx.rng.int(0, 1_000_000);
  return Array.from({ length: ctx.rng.int(100, 1500) }, (_, i) => `m${base + i}`);
}

/** A key of the shared key space, written only when it exists (see the header). */
function ifExists(key: Arg, args: readonly Arg[]): (side: Side) => Promise<Reply> {
  return async (side) => {
    const exists = await side.call(['EXISTS', key]);
    if (exists.t !== 'integer' || exists.v === 0n) return { t: 'array', v: [exists] };
    return { t: 'array', v: [exists, await side.call(args)] };
  };
}

/** GET of one HLL key, then SET of those bytes on another: Redis reads them as an HLL. */
function copyBytes(from: Arg, to: Arg, setName: string): (side: Side) => Promise<Reply> {
  return async (side) => {
    const got = await side.call(['GET', from]);
    if (got.t !== 'bulk') return { t: 'array', v: [got] };
    return { t: 'array', v: [got, await side.call([setName, to, got.v])] };
  };
}

function pfaddStep(ctx: GenContext): Step {
  const els = ctx.rng.chance(0.03) ? manyElements(ctx) : elements(ctx, 0, 6);
  if (ctx.rng.chance(0.9)) return { args: command(ctx, ['PFADD'], hllKey(ctx), ...els) };
  const key = ctx.key();
  const args = command(ctx, ['PFADD'], key, ...els);
  return { args, exec: ifExists(key, args) };
}

function pfmergeStep(ctx: GenContext): Step {
  const sources = hllKeys(ctx, 0, 3);
  if (ctx.rng.chance(0.15)) sources.push(ctx.key());
  if (ctx.rng.chance(0.9)) return { args: command(ctx, ['PFMERGE'], hllKey(ctx), ...sources) };
  const key = ctx.key();
  const args = command(ctx, ['PFMERGE'], key, ...sources);
  return { args, exec: ifExists(key, args) };
}

function pfcountKeys(ctx: GenContext): Arg[] {
  const keys: Arg[] = hllKeys(ctx, 1, 3);
  if (ctx.rng.chance(0.15)) keys.push(ctx.key());
  if (ctx.rng.chance(0.05)) keys.push(Buffer.from('{d}:nohll'));
  return keys;
}

function rangeIndex(ctx: GenContext): string {
  return String(ctx.rng.pick([0, 1, 3, 4, 15, 16, 17, 20, -1, -2, -5, 100, 20000]));
}

const commands: CommandGen[] = [
  { name: ['PFADD'], arity: -2, weight: 10, gen: pfaddStep },
  { name: ['PFCOUNT'], arity: -2, weight: 6, gen: (ctx) => ({ args: command(ctx, ['PFCOUNT'], ...pfcountKeys(ctx)) }) },
  { name: ['PFMERGE'], arity: -2, weight: 3, gen: pfmergeStep },
  { name: ['GET'], arity: 2, weight: 3, gen: (ctx) => ({ args: command(ctx, ['GET'], hllKey(ctx)) }) },
  { name: ['STRLEN'], arity: 2, weight: 1, gen: (ctx) => ({ args: command(ctx, ['STRLEN'], hllKey(ctx)) }) },
  { name: ['GETRANGE'], arity: 4, weight: 1, gen: (ctx) => ({ args: command(ctx, ['GETRANGE'], hllKey(ctx), rangeIndex(ctx), rangeIndex(ctx)) }) },
  { name: ['MGET'], arity: -2, weight: 0.5, gen: (ctx) => ({ args: command(ctx, ['MGET'], ...hllKeys(ctx, 1, 3)) }) },
  { name: ['TYPE'], arity: 2, weight: 1, gen: (ctx) => ({ args: command(ctx, ['TYPE'], hllKey(ctx)) }) },
  { name: ['OBJECT', 'ENCODING'], arity: 3, weight: 1, gen: (ctx) => ({ args: command(ctx, ['OBJECT', 'ENCODING'], hllKey(ctx)) }) },
  { name: ['EXISTS'], arity: -2, weight: 0.5, gen: (ctx) => ({ args: command(ctx, ['EXISTS'], ...hllKeys(ctx, 1, 3)) }) },
  { name: ['DEL'], arity: -2, weight: 1, gen: (ctx) => ({ args: command(ctx, ['DEL'], hllKey(ctx)) }) },
  {
    name: ['SET'],
    arity: -3,
    weight: 1.5,
    gen: (ctx) => {
      const [from, to] = [hllKey(ctx), hllKey(ctx)];
      // Mostly the bytes of an HLL; sometimes a string that is no HLL, or only its header.
      if (ctx.rng.chance(0.8)) return { args: ['SET', to, `<GET ${from}>`], exec: copyBytes(from, to, 'SET') };
      return { args: command(ctx, ['SET'], to, ctx.rng.pick(['abc', 'HYLL', '123', 'HYLL\x01\x00\x00\x00'])) };
    },
  },
  {
    name: ['RENAME'],
    arity: 3,
    weight: 0.5,
    gen: (ctx) => ({ args: command(ctx, ['RENAME'], hllKey(ctx), hllKey(ctx)) }),
  },
  {
    name: ['COPY'],
    arity: -3,
    weight: 0.5,
    gen: (ctx) => ({ args: command(ctx, ['COPY'], hllKey(ctx), hllKey(ctx), ...(ctx.rng.chance(0.5) ? ['REPLACE'] : [])) }),
  },
  { name: ['EXPIRE'], arity: -3, weight: 0.5, gen: (ctx) => ({ args: command(ctx, ['EXPIRE'], hllKey(ctx), ctx.relSeconds()) }) },
  { name: ['TTL'], arity: 2, weight: 0.5, gen: (ctx) => ({ args: command(ctx, ['TTL'], hllKey(ctx)), check: tolerance(2) }) },
];

export const hllFamily: CommandFamily = {
  name: 'hll',
  weight: 20,
  commands,
  // The HLL keys are outside the shared key space the final comparison walks: read them once.
  dump: (key) => (key.equals(KEYSPACE[0]!) ? HLL_KEYS.flatMap((k) => [{ args: ['GET', k] }, { args: ['PFCOUNT', k] }, { args: ['GET', k] }]) : []),
};
