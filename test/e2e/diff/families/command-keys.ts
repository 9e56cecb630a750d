// COMMAND GETKEYS and COMMAND GETKEYSANDFLAGS around the commands the other families generate:
// every argument shape they produce (numkeys right and wrong, STORE keywords, options, wrong
// arities) is also asked for its keys, and the key lists, key flags and errors must match
// redis-server's. Nothing is executed, so the key space is untouched.
import type { Arg } from '../../../helpers/raw-client.js';
import type { GenContext } from '../context.js';
import { type CommandFamily, type CommandGen, command } from '../generator.js';
import type { Step } from '../step.js';

/**
 * Commands whose arity is not Redis 7.0's on purpose (ZRANK/ZREVRANK accept Redis 7.2's
 * WITHSCORE), so their argument-count error differs; see docs/collections-verification.md.
 */
const OTHER_ARITY = new Set(['ZRANK', 'ZREVRANK']);

function wrapped(ctx: GenContext, sources: readonly CommandGen[], flags: boolean): Step {
  let args: readonly Arg[] = [];
  for (let tries = 0; tries < 20; tries++) {
    const gen = ctx.rng.pick(sources);
    if (gen.name.some((w) => OTHER_ARITY.has(w.toUpperCase()))) continue;
    const made = gen.gen(ctx);
    const step = Array.isArray(made) ? made[0] : made;
    if (step === undefined || step.args.length === 0) continue;
    args = step.args;
    break;
  }
  return { args: command(ctx, ['COMMAND', flags ? 'GETKEYSANDFLAGS' : 'GETKEYS'], ...args) };
}

/** A family drawing its commands from `sources` (the other families). */
export function commandKeysFamily(sources: readonly CommandFamily[]): CommandFamily {
  const gens = sources.flatMap((f) => f.commands);
  return {
    name: 'command-keys',
    weight: 6,
    commands: [
      { name: ['COMMAND', 'GETKEYS'], arity: -4, weight: 1, gen: (ctx) => wrapped(ctx, gens, false) },
      { name: ['COMMAND', 'GETKEYSANDFLAGS'], arity: -4, weight: 1, gen: (ctx) => wrapped(ctx, gens, true) },
    ],
  };
}
