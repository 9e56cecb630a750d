/**
 * Commands are data (STYLE.md, Redis's src/commands/*.json): each has a name, an arity, flags,
 * key positions, ACL categories and documentation, and the dispatcher, arity checks, COMMAND,
 * COMMAND DOCS and key extraction all read this one table. Each command family lives in its own
 * module (strings.ts, keys.ts …) and registers its specs here.
 */
import type { Database } from './database.js';
import type { Reply } from './reply.js';

export type CommandFlag =
  | 'write'
  | 'readonly'
  | 'denyoom'
  | 'admin'
  | 'pubsub'
  | 'noscript'
  | 'blocking'
  | 'loading'
  | 'stale'
  | 'skip_monitor'
  | 'skip_slowlog'
  | 'fast'
  | 'no_auth'
  | 'may_replicate'
  | 'no_mandatory_keys'
  | 'no_multi'
  | 'movablekeys'
  | 'allow_busy';

export interface KeyPositions {
  /** Index of the first key argument (1-based like Redis; argv[0] is the command name). */
  readonly first: number;
  /** Index of the last key argument; negative counts from the end (-1 = last argument). */
  readonly last: number;
  readonly step: number;
}

/**
 * What a handler may use. The server implements `session` for connection-level commands
 * (CLIENT, HELLO, AUTH …); engine families only use `db` and `out`.
 */
export interface ExecContext {
  readonly db: Database;
  readonly out: Reply;
  readonly session: Session;
}

/** The part of a client connection commands may act on; implemented by the server layer. */
export interface Session {
  readonly id: number;
}

export type Handler = (ctx: ExecContext, argv: string[]) => void;

export interface CommandSpec {
  /** Lowercase name; subcommands are named `container|sub` as Redis does. */
  readonly name: string;
  /** Positive: exact argument count (name included); negative: at least -arity. */
  readonly arity: number;
  readonly flags: readonly CommandFlag[];
  readonly keys?: KeyPositions;
  /** ACL categories without the '@'. */
  readonly acl: readonly string[];
  readonly group: string;
  readonly summary: string;
  readonly since: string;
  readonly complexity?: string;
  /** Absent on containers (CLIENT, CONFIG …), which dispatch to `subcommands`. */
  readonly handler?: Handler;
  readonly subcommands?: readonly CommandSpec[];
}

export interface ResolvedCommand {
  readonly spec: CommandSpec;
  readonly handler: Handler;
}

const table = new Map<string, CommandSpec>();
/** Names as clients usually send them (upper and lower case) map straight to the spec. */
const fastLookup = new Map<string, CommandSpec>();

export function defineCommands(specs: readonly CommandSpec[]): void {
  for (const s of specs) {
    if (table.has(s.name)) throw new Error(`command ${s.name} defined twice`);
    table.set(s.name, s);
    fastLookup.set(s.name, s);
    fastLookup.set(s.name.toUpperCase(), s);
  }
}

export function lookupCommand(name: string): CommandSpec | undefined {
  return fastLookup.get(name) ?? table.get(name.toLowerCase());
}

export function allCommands(): CommandSpec[] {
  return [...table.values()];
}

export function commandCount(): number {
  return table.size;
}

export function findSubcommand(container: CommandSpec, sub: string): CommandSpec | undefined {
  const want = `${container.name}|${sub.toLowerCase()}`;
  return container.subcommands?.find((s) => s.name === want);
}

export function arityOk(spec: CommandSpec, argc: number): boolean {
  return spec.arity > 0 ? argc === spec.arity : argc >= -spec.arity;
}

/** Key argument indexes of a call (for COMMAND GETKEYS, and later slot routing). */
export function keyIndexes(spec: CommandSpec, argc: number): number[] {
  const k = spec.keys;
  if (k === undefined || k.first === 0) return [];
  const last = k.last < 0 ? argc + k.last : k.last;
  const out: number[] = [];
  for (let i = k.first; i <= last && i < argc; i += k.step) out.push(i);
  return out;
}

/** Shorthand for the common spec fields, so family modules stay readable. */
export function cmd(
  name: string,
  arity: number,
  flags: readonly CommandFlag[],
  keys: [number, number, number] | null,
  acl: readonly string[],
  doc: { group: string; summary: string; since: string; complexity?: string },
  handler?: Handler,
  subcommands?: readonly CommandSpec[],
): CommandSpec {
  return {
    name,
    arity,
    flags,
    ...(keys ? { keys: { first: keys[0], last: keys[1], step: keys[2] } } : {}),
    acl,
    ...doc,
    ...(handler ? { handler } : {}),
    ...(subcommands ? { subcommands } : {}),
  };
}
