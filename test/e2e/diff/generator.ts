// The seeded command stream. Command families (keys, strings, connection, and later hashes,
// sets, sorted sets, lists, HyperLogLog, bitmaps) are separate modules, each a list of command
// generators with weights; they share one key space so that they interact (WRONGTYPE,
// RENAME across types, expiry of any type …).
import type { Arg } from '../../helpers/raw-client.js';
import { GenContext, KEYSPACE } from './context.js';
import { EXACT, type Step, tolerance } from './step.js';

export interface CommandGen {
  /** The command words: ['GET'], or ['OBJECT', 'FREQ'] for a subcommand. */
  readonly name: readonly string[];
  /**
   * Redis arity counting the command words: n > 0 exactly n arguments, n < 0 at least -n.
   * Used to generate wrong-arity forms.
   */
  readonly arity: number;
  /** Relative frequency within its family. */
  readonly weight: number;
  /** One or more steps (a command plus follow-ups that keep the comparison deterministic). */
  gen(ctx: GenContext): Step | Step[];
}

export interface CommandFamily {
  readonly name: string;
  /** Relative share of all generated commands. */
  readonly weight: number;
  readonly commands: readonly CommandGen[];
  /** Steps that read a key's whole value for the final state comparison. */
  dump?(key: Buffer): Step[];
}

export interface GeneratorOptions {
  seed: number;
  families: readonly CommandFamily[];
  /** Share of commands replaced by a wrong-arity form of a random command (default 0.03). */
  wrongArity?: number;
  nowSec?: number;
}

/** Builds a command's argument list with the (possibly mixed-case) command words first. */
export function command(ctx: GenContext, words: readonly string[], ...args: Arg[]): Arg[] {
  return [...words.map((w) => ctx.name(w)), ...args];
}

/** Endless, deterministic stream of steps for a seed. */
export function* generateSteps(opts: GeneratorOptions): Generator<Step> {
  const ctx = new GenContext(opts.seed, opts.nowSec);
  const wrongArity = opts.wrongArity ?? 0.03;
  const families = opts.families.filter((f) => f.weight > 0 && f.commands.length > 0);
  if (families.length === 0) throw new Error('no command families to generate from');
  const all = families.flatMap((f) => f.commands);
  for (;;) {
    if (ctx.rng.chance(wrongArity)) {
      const g = ctx.rng.pick(all);
      const step = wrongArityStep(ctx, g);
      if (step) {
        yield step;
        continue;
      }
    }
    const family = ctx.rng.weighted(families, (f) => f.weight);
    const g = ctx.rng.weighted(family.commands, (c) => c.weight);
    const out = g.gen(ctx);
    if (Array.isArray(out)) yield* out;
    else yield out;
  }
}

/** A form of `g` with an argument count its arity forbids, or undefined if none exists. */
function wrongArityStep(ctx: GenContext, g: CommandGen): Step | undefined {
  const words = g.name.length;
  const counts: number[] = [];
  if (g.arity > 0) {
    for (let n = words; n <= g.arity + 2; n++) if (n !== g.arity) counts.push(n);
  } else {
    for (let n = words; n < -g.arity; n++) counts.push(n);
  }
  if (counts.length === 0) return undefined;
  const n = ctx.rng.pick(counts);
  const args = command(ctx, g.name);
  while (args.length < n) args.push(ctx.anyArg());
  return { args };
}

/** Steps that compare the whole final state: key count, key names, then every key. */
export function finalStateSteps(families: readonly CommandFamily[]): Step[] {
  const steps: Step[] = [{ args: ['DBSIZE'] }, { args: ['KEYS', '*'], check: { kind: 'unordered' } }];
  for (const key of KEYSPACE) {
    steps.push({ args: ['TYPE', key] }, { args: ['PTTL', key], check: tolerance(2000) }, { args: ['EXPIRETIME', key], check: tolerance(2) });
    for (const f of families) if (f.dump) steps.push(...f.dump(key));
  }
  return steps.map((s) => ({ check: EXACT, ...s }));
}
