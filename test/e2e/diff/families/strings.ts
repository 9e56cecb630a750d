// String commands, valid and invalid forms.
import type { Arg } from '../../../helpers/raw-client.js';
import type { GenContext } from '../context.js';
import { type CommandFamily, type CommandGen, command } from '../generator.js';
import type { Step } from '../step.js';

interface ExpiryChoice {
  args: Arg[];
  /**
   * A valid absolute time in the past. SET then stores a key that is already logically expired;
   * Redis counts it in DBSIZE until it is accessed or actively expired (at a random moment), so
   * the generator reads the key right away to make both servers drop it.
   */
  past: boolean;
}

function setExpiry(ctx: GenContext): ExpiryChoice {
  switch (ctx.rng.int(0, 13)) {
    case 0:
    case 1:
      return { args: [ctx.name('EX'), ctx.relSeconds()], past: false };
    case 2:
      return { args: [ctx.name('PX'), ctx.relMillis()], past: false };
    case 3:
      return { args: [ctx.name('EXAT'), ctx.absSeconds()], past: false };
    case 4:
      return { args: [ctx.name('PXAT'), ctx.absMillis()], past: false };
    case 5:
    case 6:
      return { args: [ctx.name('KEEPTTL')], past: false };
    case 7:
      return { args: [ctx.name(ctx.rng.pick(['EXAT', 'PXAT'])), ctx.rng.pick(['1', '1000000000', String(ctx.nowSec - 3600)])], past: true };
    case 8:
      return { args: [ctx.name(ctx.rng.pick(['EX', 'PX', 'EXAT', 'PXAT'])), ctx.badTtl()], past: false };
    default:
      return { args: [], past: false };
  }
}

const SET_INVALID: readonly (readonly string[])[] = [
  ['NX', 'XX'], ['EX', '3600', 'PX', '3600000'], ['KEEPTTL', 'EX', '3600'], ['PXAT', '1', 'KEEPTTL'], ['FOO'], ['EX'],
  ['PX'], ['EXAT'], ['EX', '3600', 'EX', '7200'], ['GET', 'GET'], ['NX', 'NX'], ['XX', 'NX', 'GET'],
];

function setGen(ctx: GenContext): Step[] {
  const key = ctx.key();
  const groups: Arg[][] = [];
  const cond = ctx.rng.int(0, 5);
  if (cond === 0) groups.push([ctx.name('NX')]);
  if (cond === 1) groups.push([ctx.name('XX')]);
  if (ctx.rng.chance(0.25)) groups.push([ctx.name('GET')]);
  const expiry = setExpiry(ctx);
  if (expiry.args.length) groups.push(expiry.args);
  for (let i = groups.length - 1; i > 0; i--) {
    const j = ctx.rng.int(0, i);
    [groups[i], groups[j]] = [groups[j]!, groups[i]!];
  }
  let options = groups.flat();
  if (ctx.rng.chance(0.08)) options = [...options, ...ctx.rng.pick(SET_INVALID)];
  const steps: Step[] = [{ args: command(ctx, ['SET'], key, ctx.value(), ...options) }];
  if (expiry.past) steps.push({ args: ['EXISTS', key] });
  return steps;
}

const GETEX_OPTIONS = (ctx: GenContext): Arg[] => {
  switch (ctx.rng.int(0, 11)) {
    case 0:
      return [ctx.name('EX'), ctx.relSeconds()];
    case 1:
      return [ctx.name('PX'), ctx.relMillis()];
    case 2:
      return [ctx.name('EXAT'), ctx.absSeconds()];
    case 3:
      return [ctx.name('PXAT'), ctx.absMillis()];
    case 4:
    case 5:
      return [ctx.name('PERSIST')];
    case 6:
      return [ctx.name(ctx.rng.pick(['EXAT', 'PXAT'])), ctx.rng.pick(['1', '1000000000'])];
    case 7:
      return [ctx.name(ctx.rng.pick(['EX', 'PX', 'EXAT', 'PXAT'])), ctx.badTtl()];
    case 8:
      return ctx.rng.pick([['EX', '3600', 'PX', '1000'], ['PERSIST', 'EX', '3600'], ['FOO'], ['EX'], ['PERSIST', 'PERSIST'], ['KEEPTTL']]);
    default:
      return [];
  }
};

function pairs(ctx: GenContext, min: number, max: number): Arg[] {
  const out: Arg[] = [];
  for (let n = ctx.rng.int(min, max); n > 0; n--) out.push(ctx.key(), ctx.value());
  // An odd argument count is an arity error for MSET/MSETNX.
  if (ctx.rng.chance(0.05)) out.pop();
  return out;
}

function setrangeArgs(ctx: GenContext): Arg[] {
  const r = ctx.rng.int(0, 9);
  if (r < 7) return [String(ctx.rng.int(0, 40)), ctx.shortValue()];
  if (r === 7) return [ctx.rng.pick(['-1', '536870912', '9223372036854775807', 'abc', '', '1.5']), ctx.shortValue()];
  // The largest allowed offset, only with an empty value: nothing is allocated.
  if (r === 8) return [ctx.rng.pick(['536870911', '536870912', '-1']), ''];
  return [String(ctx.rng.int(0, 600)), ctx.rng.pick(['x', 'hello'])];
}

function lcsOptions(ctx: GenContext): Arg[] {
  const groups: Arg[][] = [];
  const mode = ctx.rng.int(0, 4);
  if (mode === 1) groups.push([ctx.name('LEN')]);
  if (mode >= 2) groups.push([ctx.name('IDX')]);
  if (ctx.rng.chance(0.3)) groups.push([ctx.name('MINMATCHLEN'), ctx.rng.pick(['0', '1', '2', '4', '-1', '100'])]);
  if (ctx.rng.chance(0.3)) groups.push([ctx.name('WITHMATCHLEN')]);
  if (ctx.rng.chance(0.1)) groups.push(ctx.rng.pick([['LEN', 'IDX'], ['MINMATCHLEN'], ['MINMATCHLEN', 'abc'], ['FOO']]));
  return groups.flat();
}

const commands: CommandGen[] = [
  { name: ['GET'], arity: 2, weight: 6, gen: (ctx) => ({ args: command(ctx, ['GET'], ctx.key()) }) },
  { name: ['SET'], arity: -3, weight: 9, gen: setGen },
  { name: ['SETNX'], arity: 3, weight: 2, gen: (ctx) => ({ args: command(ctx, ['SETNX'], ctx.key(), ctx.value()) }) },
  {
    name: ['SETEX'],
    arity: 4,
    weight: 2,
    gen: (ctx) => ({ args: command(ctx, ['SETEX'], ctx.key(), ctx.rng.chance(0.7) ? ctx.relSeconds() : ctx.badTtl(), ctx.value()) }),
  },
  {
    name: ['PSETEX'],
    arity: 4,
    weight: 2,
    gen: (ctx) => ({ args: command(ctx, ['PSETEX'], ctx.key(), ctx.rng.chance(0.7) ? ctx.relMillis() : ctx.badTtl(), ctx.value()) }),
  },
  { name: ['GETSET'], arity: 3, weight: 2, gen: (ctx) => ({ args: command(ctx, ['GETSET'], ctx.key(), ctx.value()) }) },
  { name: ['GETDEL'], arity: 2, weight: 2, gen: (ctx) => ({ args: command(ctx, ['GETDEL'], ctx.key()) }) },
  {
    name: ['GETEX'],
    arity: -2,
    weight: 3,
    gen: (ctx) => {
      const key = ctx.key();
      return [{ args: command(ctx, ['GETEX'], key, ...GETEX_OPTIONS(ctx)) }, { args: ['EXISTS', key] }];
    },
  },
  { name: ['MGET'], arity: -2, weight: 3, gen: (ctx) => ({ args: command(ctx, ['MGET'], ...ctx.keys(1, 5)) }) },
  { name: ['MSET'], arity: -3, weight: 3, gen: (ctx) => ({ args: command(ctx, ['MSET'], ...pairs(ctx, 1, 4)) }) },
  { name: ['MSETNX'], arity: -3, weight: 2, gen: (ctx) => ({ args: command(ctx, ['MSETNX'], ...pairs(ctx, 1, 3)) }) },
  { name: ['APPEND'], arity: 3, weight: 3, gen: (ctx) => ({ args: command(ctx, ['APPEND'], ctx.key(), ctx.shortValue()) }) },
  { name: ['STRLEN'], arity: 2, weight: 2, gen: (ctx) => ({ args: command(ctx, ['STRLEN'], ctx.key()) }) },
  { name: ['GETRANGE'], arity: 4, weight: 2, gen: (ctx) => ({ args: command(ctx, ['GETRANGE'], ctx.key(), ctx.index(), ctx.index()) }) },
  { name: ['SUBSTR'], arity: 4, weight: 1, gen: (ctx) => ({ args: command(ctx, ['SUBSTR'], ctx.key(), ctx.index(), ctx.index()) }) },
  { name: ['SETRANGE'], arity: 4, weight: 2, gen: (ctx) => ({ args: command(ctx, ['SETRANGE'], ctx.key(), ...setrangeArgs(ctx)) }) },
  { name: ['INCR'], arity: 2, weight: 3, gen: (ctx) => ({ args: command(ctx, ['INCR'], ctx.key()) }) },
  { name: ['DECR'], arity: 2, weight: 2, gen: (ctx) => ({ args: command(ctx, ['DECR'], ctx.key()) }) },
  { name: ['INCRBY'], arity: 3, weight: 2, gen: (ctx) => ({ args: command(ctx, ['INCRBY'], ctx.key(), ctx.integer()) }) },
  { name: ['DECRBY'], arity: 3, weight: 2, gen: (ctx) => ({ args: command(ctx, ['DECRBY'], ctx.key(), ctx.integer()) }) },
  { name: ['INCRBYFLOAT'], arity: 3, weight: 3, gen: (ctx) => ({ args: command(ctx, ['INCRBYFLOAT'], ctx.key(), ctx.float()) }) },
  { name: ['LCS'], arity: -3, weight: 2, gen: (ctx) => ({ args: command(ctx, ['LCS'], ctx.key(), ctx.key(), ...lcsOptions(ctx)) }) },
];

export const stringsFamily: CommandFamily = {
  name: 'strings',
  weight: 50,
  commands,
  dump: (key) => [{ args: ['GET', key] }, { args: ['STRLEN', key] }],
};
