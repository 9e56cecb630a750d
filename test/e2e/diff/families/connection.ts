// Connection and server-level commands, and commands that do not exist.
import type { Arg } from '../../../helpers/raw-client.js';
import type { GenContext } from '../context.js';
import { type CommandFamily, type CommandGen, command } from '../generator.js';
import { BOTH_ERRORS, type Step } from '../step.js';

function selectGen(ctx: GenContext): Step {
  const r = ctx.rng.int(0, 5);
  if (r < 3) return { args: command(ctx, ['SELECT'], '0') };
  // Tandem serves database 0 only. The reference redis-server runs with `databases 1`, so it
  // refuses these too; the error text may differ, only "both refuse" is required.
  if (r < 5) return { args: command(ctx, ['SELECT'], ctx.rng.pick(['1', '15', '16', '-1', '2147483648'])), check: BOTH_ERRORS };
  // Not a number: the same "not an integer" error as Redis.
  return { args: command(ctx, ['SELECT'], ctx.rng.pick(['abc', '', '0.5', ' 0', '00', '+0'])) };
}

/** Names no Redis 7.0 server knows (kept clear of vendor-specific command prefixes). */
const UNKNOWN_NAMES: Arg[] = ['FOO', 'GETT', 'SETX', 'xyzzy', '', 'GET\x00', 'hello world', 'SET\r\nGET', 'x'.repeat(200), Buffer.from('ÜBER', 'utf8')];

function unknownGen(ctx: GenContext): Step {
  const args: Arg[] = [ctx.rng.pick(UNKNOWN_NAMES)];
  for (let n = ctx.rng.int(0, 4); n > 0; n--) {
    // Long and CR/LF-carrying arguments exercise the truncation and sanitising of the error text.
    args.push(ctx.rng.chance(0.2) ? 'y'.repeat(ctx.rng.int(100, 200)) : ctx.anyArg());
  }
  return { args };
}

const commands: CommandGen[] = [
  {
    name: ['PING'],
    arity: -1,
    weight: 2,
    gen: (ctx) => ({ args: command(ctx, ['PING'], ...(ctx.rng.chance(0.5) ? [ctx.value()] : [])) }),
  },
  { name: ['ECHO'], arity: 2, weight: 2, gen: (ctx) => ({ args: command(ctx, ['ECHO'], ctx.value()) }) },
  { name: ['DBSIZE'], arity: 1, weight: 4, gen: (ctx) => ({ args: command(ctx, ['DBSIZE']) }) },
  { name: ['SELECT'], arity: 2, weight: 1, gen: selectGen },
  { name: ['(unknown)'], arity: -1, weight: 2, gen: unknownGen },
];

export const connectionFamily: CommandFamily = {
  name: 'connection',
  weight: 10,
  commands,
};
