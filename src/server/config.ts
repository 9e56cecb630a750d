/**
 * Server configuration: one table of parameters serving the command line, the config file
 * (redis.conf syntax: `name value…` per line, `#` comments), CONFIG GET (glob patterns) and
 * CONFIG SET (with Redis's error texts). Values are kept as their canonical text plus a parsed
 * form that the server reads.
 */
import { globMatch } from '../engine/glob.js';

export type ParamKind = 'int' | 'memory' | 'bool' | 'string' | 'enum' | 'special';

export interface ParamDef {
  readonly name: string;
  readonly kind: ParamKind;
  readonly default: string;
  /** False for parameters that only take effect at start (CONFIG SET refuses them). */
  readonly mutable: boolean;
  readonly values?: readonly string[];
  readonly min?: number;
  readonly max?: number;
  /** Extra validation; returns an error text or null. */
  readonly check?: (v: string) => string | null;
  /** Hidden from CONFIG GET (Tandem-only flags that clients never ask about). */
  readonly alias?: readonly string[];
}

const MB = 1024 * 1024;

export const PARAMS: readonly ParamDef[] = [
  { name: 'port', kind: 'int', default: '6379', mutable: false, min: 0, max: 65535 },
  { name: 'bind', kind: 'string', default: '127.0.0.1', mutable: false },
  { name: 'dir', kind: 'string', default: '.', mutable: false },
  { name: 'requirepass', kind: 'string', default: '', mutable: true },
  { name: 'maxmemory', kind: 'memory', default: '0', mutable: true },
  {
    name: 'maxmemory-policy',
    kind: 'enum',
    default: 'noeviction',
    mutable: true,
    values: ['volatile-lru', 'volatile-lfu', 'volatile-random', 'volatile-ttl', 'allkeys-lru', 'allkeys-lfu', 'allkeys-random', 'noeviction'],
  },
  { name: 'maxclients', kind: 'int', default: '10000', mutable: true, min: 1, max: 1000000 },
  { name: 'timeout', kind: 'int', default: '0', mutable: true, min: 0, max: 2147483647 },
  { name: 'tcp-keepalive', kind: 'int', default: '300', mutable: true, min: 0, max: 2147483647 },
  { name: 'hz', kind: 'int', default: '10', mutable: true, min: 1, max: 500 },
  { name: 'proto-max-bulk-len', kind: 'memory', default: String(512 * MB), mutable: true, min: 1024 * 1024 },
  { name: 'client-query-buffer-limit', kind: 'memory', default: String(1024 * MB), mutable: true, min: 1024 * 1024 },
  { name: 'client-output-buffer-limit', kind: 'special', default: 'normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60', mutable: true },
  { name: 'databases', kind: 'int', default: '1', mutable: false, min: 1, max: 1 },
  { name: 'loglevel', kind: 'enum', default: 'notice', mutable: true, values: ['debug', 'verbose', 'notice', 'warning', 'nothing'] },
  { name: 'logfile', kind: 'string', default: '', mutable: false },
  { name: 'daemonize', kind: 'bool', default: 'no', mutable: false },
  { name: 'save', kind: 'string', default: '', mutable: true },
  { name: 'appendonly', kind: 'bool', default: 'no', mutable: true },
  { name: 'appendfsync', kind: 'enum', default: 'everysec', mutable: true, values: ['always', 'everysec', 'no'] },
  // >>> persistence (src/persistence): the mode (`--persistence`), and when the log is compacted
  { name: 'persistence', kind: 'enum', default: 'disabled', mutable: false, values: ['aof', 'snapshot', 'disabled'] },
  { name: 'auto-aof-rewrite-percentage', kind: 'int', default: '100', mutable: true, min: 0, max: 2147483647 },
  { name: 'auto-aof-rewrite-min-size', kind: 'memory', default: String(64 * MB), mutable: true },
  // <<< persistence
  { name: 'instance-id', kind: 'int', default: '1', mutable: false, min: 1, max: 1023 },
  { name: 'crdb-guid', kind: 'string', default: '', mutable: false },
  // >>> replication (src/replication): backlog, compression, causal consistency, link secret
  { name: 'crdt-backlog-size', kind: 'memory', default: String(16 * MB), mutable: true, min: 1024 },
  { name: 'crdt-compression-level', kind: 'int', default: '3', mutable: true, min: 0, max: 9 },
  { name: 'crdt-causal-consistency', kind: 'bool', default: 'no', mutable: true },
  { name: 'crdt-repl-secret', kind: 'string', default: '', mutable: true },
  { name: 'enable-debug-command', kind: 'enum', default: 'no', mutable: false, values: ['no', 'yes', 'local'] },
  // <<< replication
  { name: 'lazyfree-lazy-user-del', kind: 'bool', default: 'no', mutable: true },
];

const byName = new Map(PARAMS.map((p) => [p.name, p]));

export function parseMemory(v: string): number | null {
  const m = /^(\d+)(b|k|kb|m|mb|g|gb)?$/i.exec(v.trim());
  if (m === null) return null;
  const n = Number(m[1]);
  const unit = (m[2] ?? 'b').toLowerCase();
  const mult: Record<string, number> = { b: 1, k: 1000, kb: 1024, m: 1000 * 1000, mb: MB, g: 1e9, gb: 1024 * MB };
  return n * mult[unit]!;
}

export interface OutputBufferLimit {
  hard: number;
  soft: number;
  softSeconds: number;
}

export type ClientClass = 'normal' | 'slave' | 'pubsub';

export function parseOutputBufferLimits(v: string): Map<ClientClass, OutputBufferLimit> | null {
  const parts = v.trim().split(/\s+/);
  if (parts.length % 4 !== 0) return null;
  const out = new Map<ClientClass, OutputBufferLimit>();
  for (let i = 0; i < parts.length; i += 4) {
    let cls = parts[i]!.toLowerCase();
    if (cls === 'replica') cls = 'slave';
    if (cls !== 'normal' && cls !== 'slave' && cls !== 'pubsub') return null;
    const hard = parseMemory(parts[i + 1]!);
    const soft = parseMemory(parts[i + 2]!);
    const secs = Number(parts[i + 3]);
    if (hard === null || soft === null || !Number.isInteger(secs) || secs < 0) return null;
    out.set(cls, { hard, soft, softSeconds: secs });
  }
  return out;
}

function formatOutputBufferLimits(m: Map<ClientClass, OutputBufferLimit>): string {
  return (['normal', 'slave', 'pubsub'] as const).map((c) => {
    const l = m.get(c)!;
    return `${c} ${l.hard} ${l.soft} ${l.softSeconds}`;
  }).join(' ');
}

export class ConfigError extends Error {}

/** Validates and canonicalises one value; throws ConfigError with Redis's wording. */
function normalise(p: ParamDef, raw: string, base?: Map<ClientClass, OutputBufferLimit>): string {
  switch (p.kind) {
    case 'int': {
      if (!/^-?\d+$/.test(raw)) throw new ConfigError('argument couldn\'t be parsed into an integer');
      const n = Number(raw);
      if ((p.min !== undefined && n < p.min) || (p.max !== undefined && n > p.max)) {
        throw new ConfigError(`argument must be between ${p.min} and ${p.max} inclusive`);
      }
      return String(n);
    }
    case 'memory': {
      const n = parseMemory(raw);
      if (n === null) throw new ConfigError('argument must be a memory value');
      if (p.min !== undefined && n < p.min && !(p.name === 'maxmemory')) throw new ConfigError(`argument must be between ${p.min} and 9223372036854775807 inclusive`);
      return String(n);
    }
    case 'bool': {
      const v = raw.toLowerCase();
      if (v !== 'yes' && v !== 'no') throw new ConfigError('argument must be \'yes\' or \'no\'');
      return v;
    }
    case 'enum': {
      const v = raw.toLowerCase();
      if (!p.values!.includes(v)) throw new ConfigError(`argument(s) must be one of the following: ${p.values!.join(', ')}`);
      return v;
    }
    case 'special': {
      const m = parseOutputBufferLimits(raw);
      if (m === null) throw new ConfigError('Invalid argument');
      const merged = new Map(base ?? parseOutputBufferLimits(p.default)!);
      for (const [k, v] of m) merged.set(k, v);
      return formatOutputBufferLimits(merged);
    }
    case 'string':
      if (p.check) {
        const e = p.check(raw);
        if (e !== null) throw new ConfigError(e);
      }
      return raw;
  }
}

export type ConfigListener = (name: string, value: string) => void;

export class Config {
  private readonly values = new Map<string, string>();
  private readonly listeners: ConfigListener[] = [];

  constructor() {
    for (const p of PARAMS) this.values.set(p.name, normalise(p, p.default));
  }

  onChange(l: ConfigListener): void {
    this.listeners.push(l);
  }

  has(name: string): boolean {
    return byName.has(name.toLowerCase());
  }

  get(name: string): string {
    const v = this.values.get(name);
    if (v === undefined) throw new Error(`unknown config parameter ${name}`);
    return v;
  }

  int(name: string): number {
    return Number(this.get(name));
  }

  bool(name: string): boolean {
    return this.get(name) === 'yes';
  }

  outputBufferLimits(): Map<ClientClass, OutputBufferLimit> {
    return parseOutputBufferLimits(this.get('client-output-buffer-limit'))!;
  }

  /** Sets at start (command line or config file): immutable parameters allowed. */
  setInitial(name: string, value: string): void {
    const p = byName.get(name.toLowerCase());
    if (p === undefined) throw new ConfigError(`Bad directive or wrong number of arguments: '${name}'`);
    this.values.set(p.name, normalise(p, value, p.kind === 'special' ? this.outputBufferLimits() : undefined));
  }

  /**
   * CONFIG SET of several pairs, all or nothing (Redis 7). Throws ConfigError with the full
   * Redis error text (without the ERR prefix).
   */
  setMany(pairs: [string, string][]): void {
    const staged = new Map<string, string>();
    for (const [name, value] of pairs) {
      const p = byName.get(name.toLowerCase());
      if (p === undefined) throw new ConfigError(`Unknown option or number of arguments for CONFIG SET - '${name}'`);
      if (staged.has(p.name)) throw new ConfigError(`CONFIG SET failed (possibly related to argument '${name}') - duplicate parameter`);
      if (!p.mutable) throw new ConfigError(`CONFIG SET failed (possibly related to argument '${name}') - can't set immutable config`);
      try {
        staged.set(p.name, normalise(p, value, p.kind === 'special' ? this.outputBufferLimits() : undefined));
      } catch (e) {
        throw new ConfigError(`CONFIG SET failed (possibly related to argument '${name}') - ${(e as Error).message}`);
      }
    }
    for (const [k, v] of staged) {
      this.values.set(k, v);
      for (const l of this.listeners) l(k, v);
    }
  }

  /** CONFIG GET with one or more glob patterns: matching [name, value] pairs, each once. */
  match(patterns: string[]): [string, string][] {
    const out: [string, string][] = [];
    const seen = new Set<string>();
    for (const pat of patterns) {
      const lp = pat.toLowerCase();
      for (const p of PARAMS) {
        if (seen.has(p.name)) continue;
        if (lp === p.name || globMatch(lp, p.name, true)) {
          seen.add(p.name);
          out.push([p.name, this.values.get(p.name)!]);
        }
      }
    }
    return out;
  }

  /** Parses a config file in redis.conf syntax (quoted values allowed). */
  loadFile(text: string): void {
    const lines = text.split(/\r?\n/);
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!.trim();
      if (line === '' || line.startsWith('#')) continue;
      const words = splitConfigLine(line);
      if (words === null || words.length === 0) throw new ConfigError(`line ${i + 1}: unbalanced quotes`);
      const [name, ...rest] = words;
      if (name!.toLowerCase() === 'peer') {
        this.peers.push(rest.join(' '));
        continue;
      }
      try {
        this.setInitial(name!, rest.join(' '));
      } catch (e) {
        throw new ConfigError(`line ${i + 1}: ${(e as Error).message}`);
      }
    }
  }

  /** `peer <id>@<host>:<port>` lines of the config file (replication). */
  readonly peers: string[] = [];
}

function splitConfigLine(line: string): string[] | null {
  const out: string[] = [];
  let i = 0;
  while (i < line.length) {
    while (i < line.length && /\s/.test(line[i]!)) i++;
    if (i >= line.length) break;
    const q = line[i];
    if (q === '"' || q === "'") {
      let j = i + 1;
      let s = '';
      while (j < line.length && line[j] !== q) {
        if (line[j] === '\\' && q === '"' && j + 1 < line.length) {
          j++;
          s += ({ n: '\n', r: '\r', t: '\t' } as Record<string, string>)[line[j]!] ?? line[j];
        } else s += line[j];
        j++;
      }
      if (j >= line.length) return null;
      out.push(s);
      i = j + 1;
    } else {
      let j = i;
      while (j < line.length && !/\s/.test(line[j]!)) j++;
      out.push(line.slice(i, j));
      i = j;
    }
  }
  return out;
}
