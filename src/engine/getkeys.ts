/**
 * Key extraction as Redis 7.0 does it for COMMAND GETKEYS / GETKEYSANDFLAGS (db.c
 * getKeysFromCommandWithSpecs): the command's key specifications first (begin_search by index
 * or keyword, find_keys by range or by a numkeys argument), and when they cannot say (an
 * incomplete spec, variable flags, a bad numkeys) the command's own key-finding procedure.
 * The specs are data generated from redis-server 7.0.15 (key-specs.ts); the procedures are
 * ported from db.c so that movable-key commands (ZUNIONSTORE …, LMPOP …, GEORADIUS … STORE,
 * SORT … STORE) answer the same keys, flags and errors.
 */
import { type CommandSpec, findSubcommand, lookupCommand } from './command-table.js';
import { KEY_SPECS } from './key-specs.js';

/** One key specification, as COMMAND INFO shows it (flags with Redis's names, e.g. "RW", "access"). */
export interface KeySpec {
  /** Redis's remark on the spec, shown by COMMAND INFO. */
  readonly notes?: string;
  readonly flags: readonly string[];
  /** begin_search index, or keyword + startfrom. */
  readonly index?: number;
  readonly keyword?: string;
  readonly startfrom?: number;
  /** find_keys range (lastkey, keystep, limit) or keynum (keynumidx, firstkey, keystep). */
  readonly lastkey?: number;
  readonly keystep?: number;
  readonly limit?: number;
  readonly keynumidx?: number;
  readonly firstkey?: number;
}

/** A key argument found: its index in argv and its flags. */
export interface KeyRef {
  readonly pos: number;
  readonly flags: readonly string[];
}

/** Order in which Redis prints key flags (server.c addReplyFlagsForKeyArgs). */
export const KEY_FLAG_ORDER = ['RO', 'RW', 'OW', 'RM', 'access', 'update', 'insert', 'delete', 'not_key', 'incomplete', 'variable_flags'];

type GetKeysProc = (argv: readonly string[]) => KeyRef[];

const NO_FLAGS: readonly string[] = [];
const RO_ACCESS = ['RO', 'access'];
const OW_UPDATE = ['OW', 'update'];

const eq = (a: string | undefined, b: string): boolean => a !== undefined && a.toLowerCase() === b;

/** C atoi: optional blanks and sign, then digits; anything else stops (0 when none). */
function atoi(s: string): number {
  const m = /^[ \t\n\v\f\r]*([+-]?\d+)/.exec(s);
  if (m === null) return 0;
  const n = Number(m[1]);
  return Math.max(-2147483648, Math.min(2147483647, n));
}

/** db.c genericGetKeys: numkeys at keyCountOfs, keys from firstKeyOfs, the store key last. */
function genericGetKeys(storeKeyOfs: number, keyCountOfs: number, firstKeyOfs: number, keyStep: number): GetKeysProc {
  return (argv) => {
    const num = atoi(argv[keyCountOfs] ?? '');
    if (num < 1 || num > Math.trunc((argv.length - firstKeyOfs) / keyStep)) return [];
    const keys: KeyRef[] = [];
    for (let i = 0; i < num; i++) keys.push({ pos: firstKeyOfs + i * keyStep, flags: NO_FLAGS });
    if (storeKeyOfs) keys.push({ pos: storeKeyOfs, flags: NO_FLAGS });
    return keys;
  };
}

function sortGetKeys(argv: readonly string[]): KeyRef[] {
  const keys: KeyRef[] = [{ pos: 1, flags: RO_ACCESS }];
  let store: KeyRef | undefined;
  const skip: [string, number][] = [['limit', 2], ['get', 1], ['by', 1]];
  for (let i = 2; i < argv.length; i++) {
    for (const [name, n] of skip) {
      if (eq(argv[i], name)) {
        i += n;
        break;
      } else if (eq(argv[i], 'store') && i + 1 < argv.length) {
        store = { pos: i + 1, flags: OW_UPDATE };
        break;
      }
    }
  }
  if (store) keys.push(store);
  return keys;
}

function georadiusGetKeys(argv: readonly string[]): KeyRef[] {
  let stored = -1;
  for (let i = 5; i < argv.length; i++) {
    if ((eq(argv[i], 'store') || eq(argv[i], 'storedist')) && i + 1 < argv.length) {
      stored = i + 1;
      i++;
    }
  }
  return stored === -1 ? [{ pos: 1, flags: NO_FLAGS }] : [{ pos: 1, flags: NO_FLAGS }, { pos: stored, flags: NO_FLAGS }];
}

function xreadGetKeys(argv: readonly string[]): KeyRef[] {
  let streams = -1;
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i]!.toLowerCase();
    if (a === 'block' || a === 'count') i++;
    else if (a === 'group') i += 2;
    else if (a === 'noack') continue;
    else {
      if (a === 'streams') streams = i;
      break;
    }
  }
  const num = streams === -1 ? 0 : argv.length - streams - 1;
  if (streams === -1 || num === 0 || num % 2 !== 0) return [];
  const keys: KeyRef[] = [];
  for (let i = streams + 1; i < argv.length - num / 2; i++) keys.push({ pos: i, flags: NO_FLAGS });
  return keys;
}

function setGetKeys(argv: readonly string[]): KeyRef[] {
  for (let i = 3; i < argv.length; i++) if (eq(argv[i], 'get')) return [{ pos: 1, flags: ['RW', 'access', 'update'] }];
  return [{ pos: 1, flags: OW_UPDATE }];
}

function bitfieldGetKeys(argv: readonly string[]): KeyRef[] {
  let readonly = true;
  for (let i = 2; i < argv.length; i++) {
    const rem = argv.length - i - 1;
    const a = argv[i]!.toLowerCase();
    if (a === 'get' && rem >= 2) i += 2;
    else if ((a === 'set' || a === 'incrby') && rem >= 3) {
      readonly = false;
      break;
    } else if (a === 'overflow' && rem >= 1) i += 1;
    else {
      readonly = false;
      break;
    }
  }
  return [{ pos: 1, flags: readonly ? RO_ACCESS : ['RW', 'access', 'update'] }];
}

/** The commands Redis 7.0.15 gives a getkeys_proc (commands.c), by name. */
const PROCS: Readonly<Record<string, GetKeysProc>> = {
  bitfield: bitfieldGetKeys,
  sort: sortGetKeys,
  sort_ro: () => [{ pos: 1, flags: RO_ACCESS }],
  georadius: georadiusGetKeys,
  georadiusbymember: georadiusGetKeys,
  blmpop: genericGetKeys(0, 2, 3, 1),
  bzmpop: genericGetKeys(0, 2, 3, 1),
  lmpop: genericGetKeys(0, 1, 2, 1),
  zmpop: genericGetKeys(0, 1, 2, 1),
  sintercard: genericGetKeys(0, 1, 2, 1),
  zintercard: genericGetKeys(0, 1, 2, 1),
  zunion: genericGetKeys(0, 1, 2, 1),
  zinter: genericGetKeys(0, 1, 2, 1),
  zdiff: genericGetKeys(0, 1, 2, 1),
  zunionstore: genericGetKeys(1, 2, 3, 1),
  zinterstore: genericGetKeys(1, 2, 3, 1),
  zdiffstore: genericGetKeys(1, 2, 3, 1),
  eval: genericGetKeys(0, 2, 3, 1),
  evalsha: genericGetKeys(0, 2, 3, 1),
  eval_ro: genericGetKeys(0, 2, 3, 1),
  evalsha_ro: genericGetKeys(0, 2, 3, 1),
  fcall: genericGetKeys(0, 2, 3, 1),
  fcall_ro: genericGetKeys(0, 2, 3, 1),
  xread: xreadGetKeys,
  xreadgroup: xreadGetKeys,
  set: setGetKeys,
};

/** A command's key specs: Redis's, or for a command Redis does not have, its key positions. */
export function keySpecsOf(spec: CommandSpec): readonly KeySpec[] {
  const known = KEY_SPECS[spec.name];
  if (known !== undefined) return known;
  const k = spec.keys;
  if (k === undefined || k.first === 0) return [];
  return [{ flags: NO_FLAGS, index: k.first, lastkey: k.last < 0 ? k.last : k.last - k.first, keystep: k.step, limit: 0 }];
}

/** db.c getKeysUsingKeySpecs (default search flags): the keys, or undefined on an invalid spec. */
function keysUsingSpecs(specs: readonly KeySpec[], argv: readonly string[], arity: number): KeyRef[] | undefined {
  const argc = argv.length;
  const keys: KeyRef[] = [];
  for (const s of specs) {
    if (s.flags.includes('not_key')) continue;
    let first = 0;
    if (s.index !== undefined) first = s.index;
    else if (s.keyword !== undefined && s.startfrom !== undefined) {
      const start = s.startfrom > 0 ? s.startfrom : argc + s.startfrom;
      const end = s.startfrom > 0 ? argc - 1 : 1;
      for (let i = start; i !== end; i = start <= end ? i + 1 : i - 1) {
        if (i >= argc || i < 1) break;
        if (eq(argv[i], s.keyword.toLowerCase())) {
          first = i + 1;
          break;
        }
      }
      if (!first) continue;
    } else return undefined;
    let last: number;
    let step: number;
    if (s.lastkey !== undefined && s.keystep !== undefined) {
      step = s.keystep;
      if (s.lastkey >= 0) last = first + s.lastkey;
      else if (!s.limit) last = argc + s.lastkey;
      else last = first + (Math.trunc((argc - first) / s.limit) + s.lastkey);
    } else if (s.keynumidx !== undefined && s.firstkey !== undefined && s.keystep !== undefined) {
      step = s.keystep;
      if (s.keynumidx >= argc) return undefined;
      const text = argv[first + s.keynumidx];
      // string2ll: an exact decimal integer, no blanks, no "+", no leading zeros.
      if (text === undefined || !/^(0|-?[1-9]\d*)$/.test(text)) return undefined;
      const numkeys = Number(text);
      if (numkeys < 0 || !Number.isSafeInteger(numkeys)) return undefined;
      first += s.firstkey;
      last = first + numkeys - 1;
    } else return undefined;
    if (last >= argc || last < first || first >= argc) return undefined;
    for (let i = first; i <= last; i += step) {
      if (i >= argc || i < first) {
        if (arity < 0) continue;
        return undefined;
      }
      keys.push({ pos: i, flags: s.flags });
    }
    if (s.flags.includes('incomplete')) return undefined;
  }
  return keys;
}

/** The command COMMAND GETKEYS means: argv[0], or its subcommand argv[1] when it has some. */
export function resolveForGetkeys(argv: readonly string[]): CommandSpec | undefined {
  const spec = lookupCommand(argv[0]!);
  if (spec === undefined || spec.subcommands === undefined || argv.length === 1) return spec;
  return findSubcommand(spec, argv[1]!);
}

/** server.c doesCommandHaveKeys. */
export function commandHasKeys(spec: CommandSpec): boolean {
  return PROCS[spec.name] !== undefined || keySpecsOf(spec).some((s) => !s.flags.includes('not_key'));
}

/** db.c getKeysFromCommandWithSpecs: the key arguments of `argv` (a full command) with their flags. */
export function keysOfCommand(spec: CommandSpec, argv: readonly string[]): KeyRef[] {
  const specs = keySpecsOf(spec);
  const hasKeySpec = specs.some((s) => !s.flags.includes('not_key'));
  const varFlags = specs.some((s) => s.flags.includes('variable_flags'));
  if (hasKeySpec && !varFlags) {
    const keys = keysUsingSpecs(specs, argv, spec.arity);
    if (keys !== undefined) return keys;
  }
  return PROCS[spec.name]?.(argv) ?? [];
}
