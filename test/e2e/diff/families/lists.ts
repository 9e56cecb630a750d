// List commands, valid and invalid forms, on the shared key space (so lists meet strings, hashes …
// and WRONGTYPE, RENAME, EXPIRE of the other families).
//
// Blocking commands must never actually wait (the run would hang, or depend on timing), so each
// is sent in one of three forms that answer at once on both servers:
// - with an argument error that Redis reports before it could block (bad timeout, LEFT/RIGHT,
//   numkeys, COUNT);
// - inside MULTI … EXEC, where Redis never blocks (the EXEC reply is compared);
// - right after an RPUSH onto the key that would block: it then holds a list (the command pops)
//   or another type (the RPUSH and the command both answer WRONGTYPE).
import type { Reply } from '../../../../src/protocol/resp-client.js';
import type { Arg } from '../../../helpers/raw-client.js';
import type { GenContext } from '../context.js';
import { type CommandFamily, type CommandGen, command } from '../generator.js';
import type { Side, Step } from '../step.js';

/** Short elements, often repeated, so LINSERT pivots, LREM and LPOS find matches. */
const ELEMENTS = ['a', 'b', 'c', 'x', 'a', 'b', '', '1', '-1', '\x00', 'hello', 'foo bar'];

function element(ctx: GenContext): Arg {
  return ctx.rng.chance(0.8) ? ctx.rng.pick(ELEMENTS) : ctx.value();
}

function elements(ctx: GenContext, min: number, max: number): Arg[] {
  return Array.from({ length: ctx.rng.int(min, max) }, () => element(ctx));
}

/** A list index: small either side of zero, sometimes the int64 edges or not a number. */
function index(ctx: GenContext): string {
  if (ctx.rng.chance(0.85)) return String(ctx.rng.int(-12, 12));
  return ctx.rng.pick(['9223372036854775807', '-9223372036854775808', '9223372036854775808', '2147483648', 'x', '', '1.5', ' 1']);
}

/** A COUNT argument: mostly small and valid, sometimes 0, negative, huge or not a number. */
function count(ctx: GenContext): string {
  if (ctx.rng.chance(0.75)) return String(ctx.rng.int(1, 6));
  return ctx.rng.pick(['0', '-1', '9223372036854775807', '9223372036854775808', 'abc', '', '1.0']);
}

const WHERE = ['LEFT', 'RIGHT', 'left', 'Right'];

function where(ctx: GenContext): string {
  return ctx.rng.chance(0.95) ? ctx.rng.pick(WHERE) : ctx.rng.pick(['UP', '', 'LEFTX', 'head']);
}

function lposOptions(ctx: GenContext): Arg[] {
  const groups: Arg[][] = [];
  if (ctx.rng.chance(0.5)) groups.push([ctx.name('RANK'), ctx.rng.chance(0.85) ? String(ctx.rng.pick([1, 2, 3, -1, -2, -3])) : ctx.rng.pick(['0', 'x', '-9223372036854775808', '9223372036854775807'])]);
  if (ctx.rng.chance(0.5)) groups.push([ctx.name('COUNT'), ctx.rng.chance(0.3) ? '0' : count(ctx)]);
  if (ctx.rng.chance(0.3)) groups.push([ctx.name('MAXLEN'), ctx.rng.chance(0.8) ? String(ctx.rng.int(0, 6)) : ctx.rng.pick(['-1', 'x'])]);
  if (ctx.rng.chance(0.05)) groups.push(ctx.rng.pick([['FOO'], ['RANK'], ['COUNT'], ['MAXLEN', '1', 'BAR']]));
  return groups.flat();
}

/** LMPOP/BLMPOP arguments after the command (and timeout): numkeys, keys, LEFT|RIGHT [COUNT n]. */
function mpopArgs(ctx: GenContext): Arg[] {
  const keys = ctx.keys(1, 3);
  const r = ctx.rng.int(0, 19);
  if (r === 0) return [ctx.rng.pick(['0', '-1', 'x', '9223372036854775808']), ...keys, where(ctx)];
  if (r === 1) return [String(keys.length + 2), ...keys, where(ctx)]; // numkeys past the arguments
  const args: Arg[] = [String(keys.length), ...keys, where(ctx)];
  if (ctx.rng.chance(0.5)) args.push(ctx.name('COUNT'), count(ctx));
  if (ctx.rng.chance(0.04)) args.push(ctx.rng.pick(['COUNT', 'FOO', 'COUNT 1']));
  return args;
}

// ---- blocking commands that never block ---------------------------------------------------------

/** Timeouts Redis refuses whatever the keys hold. */
const BAD_TIMEOUTS = ['abc', '-1', '-0.5', 'nan', '', ' 1', '1 ', 'inf', '-inf', '1e400', '1e16', '9223372036854775807'];
/** Valid timeouts: reached only when a list is there or inside MULTI, so they never elapse. */
const TIMEOUTS = ['0', '1', '0.5', '10', '3600', '0x10', '.5', '1e3', '-0.0001'];

/** A blocking command's three safe forms (see the header); `firstKey` is the key it may block on. */
function blockingStep(ctx: GenContext, build: (timeout: string) => Arg[], firstKey: Arg | null): Step {
  const r = ctx.rng.int(0, 9);
  if (r <= 1 || firstKey === null) return { args: build(ctx.rng.pick(BAD_TIMEOUTS)) };
  const args = build(ctx.rng.pick(TIMEOUTS));
  if (r <= 5) return { args, exec: inMulti(args) };
  return { args, exec: afterPush(firstKey, element(ctx), args) };
}

/** MULTI, the command, EXEC: the EXEC reply (the command answers as on a timeout if it would block). */
function inMulti(args: readonly Arg[]): (side: Side) => Promise<Reply> {
  return async (side) => {
    await side.call(['MULTI']);
    await side.call(args);
    return side.call(['EXEC']);
  };
}

/** RPUSH onto the key the command would block on, then the command: both replies. */
function afterPush(key: Arg, value: Arg, args: readonly Arg[]): (side: Side) => Promise<Reply> {
  return async (side) => {
    const pushed = await side.call(['RPUSH', key, value]);
    return { t: 'array', v: [pushed, await side.call(args)] };
  };
}

function blpopGen(name: 'BLPOP' | 'BRPOP'): CommandGen {
  return {
    name: [name],
    arity: -3,
    weight: 2,
    gen: (ctx) => {
      const keys = ctx.keys(1, 3);
      return blockingStep(ctx, (t) => command(ctx, [name], ...keys, t), keys[0]!);
    },
  };
}

const commands: CommandGen[] = [
  { name: ['LPUSH'], arity: -3, weight: 6, gen: (ctx) => ({ args: command(ctx, ['LPUSH'], ctx.key(), ...elements(ctx, 1, 4)) }) },
  { name: ['RPUSH'], arity: -3, weight: 6, gen: (ctx) => ({ args: command(ctx, ['RPUSH'], ctx.key(), ...elements(ctx, 1, 4)) }) },
  { name: ['LPUSHX'], arity: -3, weight: 2, gen: (ctx) => ({ args: command(ctx, ['LPUSHX'], ctx.key(), ...elements(ctx, 1, 3)) }) },
  { name: ['RPUSHX'], arity: -3, weight: 2, gen: (ctx) => ({ args: command(ctx, ['RPUSHX'], ctx.key(), ...elements(ctx, 1, 3)) }) },
  {
    name: ['LPOP'],
    arity: -2,
    weight: 3,
    gen: (ctx) => {
      const extra: Arg[] = ctx.rng.chance(0.5) ? [count(ctx)] : ctx.rng.chance(0.05) ? ['1', '2'] : [];
      return { args: command(ctx, ['LPOP'], ctx.key(), ...extra) };
    },
  },
  {
    name: ['RPOP'],
    arity: -2,
    weight: 3,
    gen: (ctx) => ({ args: command(ctx, ['RPOP'], ctx.key(), ...(ctx.rng.chance(0.5) ? [count(ctx)] : [])) }),
  },
  { name: ['LLEN'], arity: 2, weight: 2, gen: (ctx) => ({ args: command(ctx, ['LLEN'], ctx.key()) }) },
  { name: ['LRANGE'], arity: 4, weight: 4, gen: (ctx) => ({ args: command(ctx, ['LRANGE'], ctx.key(), index(ctx), index(ctx)) }) },
  { name: ['LINDEX'], arity: 3, weight: 2, gen: (ctx) => ({ args: command(ctx, ['LINDEX'], ctx.key(), index(ctx)) }) },
  { name: ['LSET'], arity: 4, weight: 2, gen: (ctx) => ({ args: command(ctx, ['LSET'], ctx.key(), index(ctx), element(ctx)) }) },
  {
    name: ['LINSERT'],
    arity: 5,
    weight: 3,
    gen: (ctx) => {
      const w = ctx.rng.chance(0.95) ? ctx.rng.pick(['BEFORE', 'AFTER', 'before', 'After']) : ctx.rng.pick(['UNDER', '']);
      return { args: command(ctx, ['LINSERT'], ctx.key(), w, element(ctx), element(ctx)) };
    },
  },
  {
    name: ['LREM'],
    arity: 4,
    weight: 2,
    gen: (ctx) => {
      const n = ctx.rng.chance(0.85) ? String(ctx.rng.int(-3, 3)) : ctx.rng.pick(['-9223372036854775808', '9223372036854775807', 'x', '']);
      return { args: command(ctx, ['LREM'], ctx.key(), n, element(ctx)) };
    },
  },
  { name: ['LTRIM'], arity: 4, weight: 2, gen: (ctx) => ({ args: command(ctx, ['LTRIM'], ctx.key(), index(ctx), index(ctx)) }) },
  { name: ['LPOS'], arity: -3, weight: 3, gen: (ctx) => ({ args: command(ctx, ['LPOS'], ctx.key(), element(ctx), ...lposOptions(ctx)) }) },
  {
    name: ['LMOVE'],
    arity: 5,
    weight: 3,
    gen: (ctx) => {
      const src = ctx.key();
      return { args: command(ctx, ['LMOVE'], src, ctx.rng.chance(0.2) ? src : ctx.key(), where(ctx), where(ctx)) };
    },
  },
  {
    name: ['RPOPLPUSH'],
    arity: 3,
    weight: 2,
    gen: (ctx) => {
      const src = ctx.key();
      return { args: command(ctx, ['RPOPLPUSH'], src, ctx.rng.chance(0.2) ? src : ctx.key()) };
    },
  },
  { name: ['LMPOP'], arity: -4, weight: 3, gen: (ctx) => ({ args: command(ctx, ['LMPOP'], ...mpopArgs(ctx)) }) },
  blpopGen('BLPOP'),
  blpopGen('BRPOP'),
  {
    name: ['BLMOVE'],
    arity: 6,
    weight: 2,
    gen: (ctx) => {
      const src = ctx.key();
      const dst = ctx.rng.chance(0.2) ? src : ctx.key();
      const [from, to] = [where(ctx), where(ctx)];
      return blockingStep(ctx, (t) => command(ctx, ['BLMOVE'], src, dst, from, to, t), src);
    },
  },
  {
    name: ['BRPOPLPUSH'],
    arity: 4,
    weight: 1,
    gen: (ctx) => {
      const src = ctx.key();
      const dst = ctx.rng.chance(0.2) ? src : ctx.key();
      return blockingStep(ctx, (t) => command(ctx, ['BRPOPLPUSH'], src, dst, t), src);
    },
  },
  {
    name: ['BLMPOP'],
    arity: -5,
    weight: 2,
    gen: (ctx) => {
      const rest = mpopArgs(ctx);
      // Only a well-formed numkeys names a first key that an RPUSH can fill; otherwise the error
      // comes first and nothing waits.
      const n = Number(rest[0]);
      const firstKey = Number.isInteger(n) && n >= 1 && n <= rest.length - 2 ? rest[1]! : null;
      return blockingStep(ctx, (t) => command(ctx, ['BLMPOP'], t, ...rest), firstKey);
    },
  },
];

export const listsFamily: CommandFamily = {
  name: 'lists',
  weight: 35,
  commands,
  dump: (key) => [{ args: ['LRANGE', key, '0', '-1'] }],
};
