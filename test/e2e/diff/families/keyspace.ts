// Generic key commands: existence, type, enumeration, renaming, copying, expiry, OBJECT.
import type { Arg } from '../../../helpers/raw-client.js';
import type { GenContext } from '../context.js';
import { type CommandFamily, type CommandGen, command } from '../generator.js';
import { randomKeyProbe, scanAll } from '../probes.js';
import { BOTH_ERRORS, SAME_SHAPE, type Step, UNORDERED, tolerance } from '../step.js';

/** TTL-like replies are read at slightly different instants on the two servers. */
const TTL_S = tolerance(2);
const TTL_MS = tolerance(2000);

const EXPIRE_CONDITIONS: readonly (readonly string[])[] = [
  [], [], [], ['NX'], ['XX'], ['GT'], ['LT'], ['nx'], ['gt'], ['XX', 'GT'], ['XX', 'LT'],
  // invalid combinations and options
  ['NX', 'XX'], ['GT', 'LT'], ['NX', 'GT'], ['NX', 'LT'], ['FOO'], ['GT', 'GT'], ['NX', 'NX'],
];

function expireGen(name: string, unit: 's' | 'ms', absolute: boolean, weight: number): CommandGen {
  return {
    name: [name],
    arity: -3,
    weight,
    gen: (ctx) => ({ args: command(ctx, [name], ctx.key(), ctx.expireArg(unit, absolute), ...ctx.rng.pick(EXPIRE_CONDITIONS)) }),
  };
}

function scanOptions(ctx: GenContext): { cursor: Arg; options: Arg[] } {
  const groups: Arg[][] = [];
  if (ctx.rng.chance(0.4)) groups.push([ctx.name('MATCH'), ctx.pattern()]);
  if (ctx.rng.chance(0.4)) groups.push([ctx.name('COUNT'), ctx.rng.pick(['1', '2', '3', '10', '100', '1000', '9223372036854775807'])]);
  if (ctx.rng.chance(0.3)) groups.push([ctx.name('TYPE'), ctx.rng.pick(['string', 'STRING', 'hash', 'list', 'set', 'zset', 'stream', 'none', 'foo', ''])]);
  let cursor: Arg = ctx.rng.chance(0.9) ? '0' : '';
  if (ctx.rng.chance(0.15)) {
    switch (ctx.rng.int(0, 6)) {
      case 0:
        cursor = ctx.rng.pick(['abc', ' 0', '1.5', '-', '18446744073709551616', '0x0']);
        break;
      case 1:
        groups.push(['COUNT', ctx.rng.pick(['0', '-1', 'abc', '', '9223372036854775808', '1.5'])]);
        break;
      case 2:
        groups.push(['FOO', 'bar']);
        break;
      case 3:
        groups.push(['MATCH']);
        break;
      case 4:
        groups.push(['COUNT']);
        break;
      case 5:
        groups.push(['TYPE']);
        break;
      default:
        groups.push(['NOVALUES']);
    }
  }
  // Options may come in any order; a trailing option without its value must stay last.
  const last = groups.length > 0 && groups[groups.length - 1]!.length === 1 ? groups.pop()! : undefined;
  for (let i = groups.length - 1; i > 0; i--) {
    const j = ctx.rng.int(0, i);
    [groups[i], groups[j]] = [groups[j]!, groups[i]!];
  }
  if (last) groups.push(last);
  return { cursor, options: groups.flat() };
}

function copyOptions(ctx: GenContext): { options: Arg[]; otherDb: boolean } {
  const r = ctx.rng.int(0, 11);
  if (r < 4) return { options: [], otherDb: false };
  if (r < 6) return { options: [ctx.name('REPLACE')], otherDb: false };
  if (r === 6) return { options: ctx.rng.pick([['DB', '0'], ['DB', '0', 'REPLACE'], ['REPLACE', 'db', '0']]), otherDb: false };
  // Tandem has database 0 only (documented); any other index must be refused with an error.
  if (r === 7) return { options: ['DB', ctx.rng.pick(['1', '15', '16', '-1'])], otherDb: true };
  return { options: ctx.rng.pick([['DB'], ['DB', 'abc'], ['DB', ''], ['FOO'], ['REPLACE', 'REPLACE'], ['DB', '0', 'DB']]), otherDb: false };
}

const commands: CommandGen[] = [
  { name: ['DEL'], arity: -2, weight: 4, gen: (ctx) => ({ args: command(ctx, ['DEL'], ...ctx.keys(1, 4)) }) },
  { name: ['UNLINK'], arity: -2, weight: 2, gen: (ctx) => ({ args: command(ctx, ['UNLINK'], ...ctx.keys(1, 4)) }) },
  { name: ['EXISTS'], arity: -2, weight: 3, gen: (ctx) => ({ args: command(ctx, ['EXISTS'], ...ctx.keys(1, 5)) }) },
  { name: ['TYPE'], arity: 2, weight: 3, gen: (ctx) => ({ args: command(ctx, ['TYPE'], ctx.key()) }) },
  { name: ['KEYS'], arity: 2, weight: 2, gen: (ctx) => ({ args: command(ctx, ['KEYS'], ctx.pattern()), check: UNORDERED }) },
  {
    name: ['SCAN'],
    arity: -2,
    weight: 2,
    gen: (ctx) => {
      const { cursor, options } = scanOptions(ctx);
      const prefix = command(ctx, ['SCAN']);
      return { args: [...prefix, cursor, ...options], exec: scanAll(prefix, cursor, options) };
    },
  },
  {
    name: ['RANDOMKEY'],
    arity: 1,
    weight: 1,
    gen: (ctx) => {
      const args = command(ctx, ['RANDOMKEY']);
      return { args, exec: randomKeyProbe(args) };
    },
  },
  {
    name: ['RENAME'],
    arity: 3,
    weight: 2,
    gen: (ctx) => {
      const src = ctx.key();
      return { args: command(ctx, ['RENAME'], src, ctx.rng.chance(0.1) ? src : ctx.key()) };
    },
  },
  {
    name: ['RENAMENX'],
    arity: 3,
    weight: 2,
    gen: (ctx) => {
      const src = ctx.key();
      return { args: command(ctx, ['RENAMENX'], src, ctx.rng.chance(0.1) ? src : ctx.key()) };
    },
  },
  {
    name: ['COPY'],
    arity: -3,
    weight: 2,
    gen: (ctx) => {
      const src = ctx.key();
      const { options, otherDb } = copyOptions(ctx);
      const step: Step = { args: command(ctx, ['COPY'], src, ctx.rng.chance(0.1) ? src : ctx.key(), ...options) };
      return otherDb ? { ...step, check: BOTH_ERRORS } : step;
    },
  },
  { name: ['TOUCH'], arity: -2, weight: 1, gen: (ctx) => ({ args: command(ctx, ['TOUCH'], ...ctx.keys(1, 4)) }) },
  expireGen('EXPIRE', 's', false, 3),
  expireGen('PEXPIRE', 'ms', false, 2),
  expireGen('EXPIREAT', 's', true, 2),
  expireGen('PEXPIREAT', 'ms', true, 2),
  { name: ['TTL'], arity: 2, weight: 2, gen: (ctx) => ({ args: command(ctx, ['TTL'], ctx.key()), check: TTL_S }) },
  { name: ['PTTL'], arity: 2, weight: 2, gen: (ctx) => ({ args: command(ctx, ['PTTL'], ctx.key()), check: TTL_MS }) },
  { name: ['EXPIRETIME'], arity: 2, weight: 1, gen: (ctx) => ({ args: command(ctx, ['EXPIRETIME'], ctx.key()), check: TTL_S }) },
  { name: ['PEXPIRETIME'], arity: 2, weight: 1, gen: (ctx) => ({ args: command(ctx, ['PEXPIRETIME'], ctx.key()), check: TTL_MS }) },
  { name: ['PERSIST'], arity: 2, weight: 2, gen: (ctx) => ({ args: command(ctx, ['PERSIST'], ctx.key()) }) },
  // OBJECT FREQ: without an LFU maxmemory policy Redis answers a fixed error for an existing key
  // and nil for a missing one — deterministic, compared exactly.
  { name: ['OBJECT', 'FREQ'], arity: 3, weight: 0.5, gen: (ctx) => ({ args: command(ctx, ['OBJECT', 'FREQ'], ctx.key()) }) },
  // Idle seconds since last access: read at slightly different instants.
  { name: ['OBJECT', 'IDLETIME'], arity: 3, weight: 0.5, gen: (ctx) => ({ args: command(ctx, ['OBJECT', 'IDLETIME'], ctx.key()), check: TTL_S }) },
  // Redis reports 2147483647 for its shared small-integer objects; only the reply type counts.
  { name: ['OBJECT', 'REFCOUNT'], arity: 3, weight: 0.5, gen: (ctx) => ({ args: command(ctx, ['OBJECT', 'REFCOUNT'], ctx.key()), check: SAME_SHAPE }) },
  {
    name: ['OBJECT'],
    arity: -2,
    weight: 0.3,
    gen: (ctx) => ({ args: command(ctx, ['OBJECT', ctx.rng.pick(['FOO', 'FREQS', 'idle', ''])], ctx.key()) }),
  },
];

export const keyspaceFamily: CommandFamily = {
  name: 'keys',
  weight: 40,
  commands,
};
