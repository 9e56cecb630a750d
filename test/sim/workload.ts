// One seeded simulation run: a random topology and network, a random workload interleaved with
// partitions, pauses and crashes, then healing and three checks:
//   1. convergence: every instance shows the same keys and values (a canonical digest of
//      KeyType.value over all visible records);
//   2. the outcome is what the reference model (model.ts) derives from the recorded history;
//   3. garbage collection: once everything is acknowledged every tombstone is collected, and
//      collecting changes nothing visible.
// A third of the runs are string workloads (SET/INCR*/DEL/EXPIRE/PERSIST on a few keys); the
// others mix every type — strings, hashes, sets, sorted sets, lists, HyperLogLogs, bitmaps —
// with DEL/EXPIRE/PERSIST on all of them and, now and then, a command of another type on a key
// (type conflicts, reference §3.2).
import { dataVisible, KeyType } from '../../src/crdt/key.js';
import type { KeyRecord } from '../../src/crdt/key.js';
import { effectiveExpiry } from '../../src/crdt/expiry.js';
import { counterSum, counterVisible, registerVisible } from '../../src/crdt/string-value.js';
import * as D from '../../src/crdt/dyadic.js';
import type { HashState } from '../../src/crdt/hash.js';
import { hashEntries } from '../../src/crdt/hash.js';
import { SetType } from '../../src/crdt/orset.js';
import type { SetState } from '../../src/crdt/orset.js';
import { ZSetType } from '../../src/crdt/zset.js';
import type { ZSetState } from '../../src/crdt/zset.js';
import type { ListState } from '../../src/crdt/sequence.js';
import { scan as listScan } from '../../src/crdt/sequence.js';
import { HllType } from '../../src/crdt/hll.js';
import type { HllState } from '../../src/crdt/hll.js';
import type { KeyView, RegView } from './model.js';
import { AMBIGUOUS, expectedState } from './model.js';
import { Rng } from './rng.js';
import type { WorldOptions } from './world.js';
import { SimWorld } from './world.js';

export interface RunResult {
  readonly seed: number;
  readonly ok: boolean;
  /** Engine invariants this run broke (world.ts checks); any one makes the run fail. */
  readonly engineIssues: string[];
  /** What went wrong, with the world's options and recent log, when not ok. */
  readonly failure: string;
  readonly stats: {
    instances: number;
    commands: number;
    effects: number;
    partitions: number;
    restarts: number;
    pauses: number;
    duplicated: number;
    /** Keys the model could not judge (list element ids reused after collection). */
    unmodelled: number;
    fullSyncs: number;
    gcCollected: number;
    virtualMs: number;
  };
}

const KEYS = ['a', 'b', 'c', 'd'];
const VALUES = ['x', 'y', '7', '12', '-3'];

function stringCommand(rng: Rng, k: string, keys: readonly string[]): string[] {
  const r = rng.float();
  if (r < 0.28) {
    const argv = ['SET', k, rng.pick(VALUES)];
    const o = rng.float();
    if (o < 0.12) argv.push('EX', String(rng.int(1, 3)));
    else if (o < 0.24) argv.push('PX', String(rng.int(50, 2000)));
    else if (o < 0.36) argv.push('KEEPTTL');
    return argv;
  }
  if (r < 0.5) {
    const o = rng.float();
    if (o < 0.3) return ['INCR', k];
    if (o < 0.5) return ['DECRBY', k, String(rng.int(1, 9))];
    return ['INCRBY', k, String(rng.int(-9, 9))];
  }
  if (r < 0.92) {
    const g = keyCommand(rng, k, keys, (r - 0.5) / 0.42);
    if (g !== null) return g;
  }
  return ['TTL', k];
}

/** DEL, EXPIRE/PEXPIRE, PERSIST and reads (which expire keys this instance owns). */
function keyCommand(rng: Rng, k: string, keys: readonly string[], r: number): string[] | null {
  if (r < 0.29) return rng.chance(0.2) ? ['DEL', k, rng.pick(keys)] : ['DEL', k];
  if (r < 0.57) return rng.chance(0.5) ? ['EXPIRE', k, String(rng.int(1, 3))] : ['PEXPIRE', k, String(rng.int(30, 1500))];
  if (r < 0.71) return ['PERSIST', k];
  if (r < 0.95) return ['GET', k];
  return null;
}

const FIELDS = ['f1', 'f2', 'f3'];
const MEMBERS = ['m1', 'm2', 'm3', 'm4'];
/** Scores and deltas are binary fractions, so sums are exact in any order. */
const SCORES = ['-1', '0', '1.5', '2', '4.25'];
const DELTAS = ['-2', '-1', '0.5', '1', '3'];
const FLOAT_DELTAS = ['0.5', '-1.25', '2.75', '3'];

function some(rng: Rng, from: readonly string[], max: number): string[] {
  return Array.from({ length: rng.int(1, max) }, () => rng.pick(from));
}

function hashCommand(rng: Rng, k: string): string[] {
  const r = rng.float();
  if (r < 0.35) return ['HSET', k, ...some(rng, FIELDS, 2).flatMap((f) => [f, rng.pick(VALUES)])];
  if (r < 0.55) return ['HDEL', k, ...some(rng, FIELDS, 2)];
  if (r < 0.8) return ['HINCRBY', k, rng.pick(FIELDS), String(rng.int(-5, 9))];
  if (r < 0.92) return ['HINCRBYFLOAT', k, rng.pick(FIELDS), rng.pick(FLOAT_DELTAS)];
  return ['HGETALL', k];
}

function setCommand(rng: Rng, k: string): string[] {
  const r = rng.float();
  if (r < 0.5) return ['SADD', k, ...some(rng, MEMBERS, 3)];
  if (r < 0.75) return ['SREM', k, ...some(rng, MEMBERS, 2)];
  if (r < 0.92) return rng.chance(0.5) ? ['SPOP', k] : ['SPOP', k, String(rng.int(1, 3))];
  return ['SMEMBERS', k];
}

function zsetCommand(rng: Rng, k: string): string[] {
  const r = rng.float();
  if (r < 0.45) {
    const flags: string[] = [];
    if (rng.chance(0.15)) flags.push(rng.pick(['NX', 'XX']));
    if (rng.chance(0.15)) flags.push(rng.pick(['GT', 'LT']));
    if (rng.chance(0.15)) flags.push('CH');
    if (rng.chance(0.15)) return ['ZADD', k, ...flags, 'INCR', rng.pick(DELTAS), rng.pick(MEMBERS)];
    return ['ZADD', k, ...flags, ...some(rng, MEMBERS, 2).flatMap((m) => [rng.pick(SCORES), m])];
  }
  if (r < 0.7) return ['ZINCRBY', k, rng.pick(DELTAS), rng.pick(MEMBERS)];
  if (r < 0.85) return ['ZREM', k, ...some(rng, MEMBERS, 2)];
  if (r < 0.95) return rng.chance(0.5) ? ['ZPOPMIN', k] : ['ZPOPMIN', k, String(rng.int(1, 3))];
  return ['ZRANGE', k, '0', '-1', 'WITHSCORES'];
}

function listCommand(rng: Rng, k: string, keys: readonly string[]): string[] {
  const r = rng.float();
  const end = () => rng.pick(['LEFT', 'RIGHT']);
  if (r < 0.2) return ['LPUSH', k, ...some(rng, VALUES, 3)];
  if (r < 0.4) return ['RPUSH', k, ...some(rng, VALUES, 3)];
  if (r < 0.5) return [rng.pick(['LPOP', 'RPOP']), k, ...(rng.chance(0.5) ? [String(rng.int(1, 3))] : [])];
  if (r < 0.6) return ['LSET', k, String(rng.int(-3, 3)), rng.pick(VALUES)];
  if (r < 0.7) return ['LINSERT', k, rng.pick(['BEFORE', 'AFTER']), rng.pick(VALUES), rng.pick(VALUES)];
  if (r < 0.77) return ['LREM', k, String(rng.int(-2, 2)), rng.pick(VALUES)];
  if (r < 0.84) return ['LTRIM', k, String(rng.int(-4, 2)), String(rng.int(-3, 4))];
  if (r < 0.95) return ['LMOVE', k, rng.pick(keys.filter((x) => x.startsWith('l'))), end(), end()];
  return ['LRANGE', k, '0', '-1'];
}

function hllCommand(rng: Rng, k: string, keys: readonly string[]): string[] {
  const r = rng.float();
  if (r < 0.7) return ['PFADD', k, ...Array.from({ length: rng.int(1, 4) }, () => `e${rng.int(1, 40)}`)];
  if (r < 0.9) return ['PFMERGE', k, rng.pick(keys.filter((x) => x.startsWith('p')))];
  return ['PFCOUNT', k];
}

function bitmapCommand(rng: Rng, k: string): string[] {
  const r = rng.float();
  if (r < 0.8) return ['SETBIT', k, String(rng.int(0, 40)), String(rng.int(0, 1))];
  if (r < 0.9) return ['GETBIT', k, String(rng.int(0, 40))];
  return ['BITCOUNT', k];
}

/** Keys of the mixed workload; the first letter says which type a key is mostly used as. */
const MIXED_KEYS = ['a', 'b', 'h', 's', 'z', 'l', 'l2', 'p', 'p2', 'm'];

/** A command of the family `family` (a key's first letter) on `k`. */
function familyCommand(rng: Rng, family: string, k: string, keys: readonly string[]): string[] {
  switch (family) {
    case 'h':
      return hashCommand(rng, k);
    case 's':
      return setCommand(rng, k);
    case 'z':
      return zsetCommand(rng, k);
    case 'l':
      return listCommand(rng, k, keys);
    case 'p':
      return hllCommand(rng, k, keys);
    case 'm':
      return bitmapCommand(rng, k);
    default:
      return stringCommand(rng, k, keys);
  }
}

function randomCommand(rng: Rng, keys: readonly string[], mixed: boolean): string[] {
  const k = rng.pick(keys);
  if (!mixed) return stringCommand(rng, k, keys);
  const r = rng.float();
  if (r < 0.15) return keyCommand(rng, k, keys, rng.float()) ?? ['TTL', k];
  // Now and then a command of another type on the key (type conflicts).
  const family = r < 0.25 ? rng.pick(['a', 'h', 's', 'z', 'l', 'p', 'm']) : k[0]!;
  return familyCommand(rng, family, k, keys);
}

/** The world's options drawn from the seed (so a seed replays the same topology). */
export function worldOptionsFor(rng: Rng): WorldOptions {
  const delays = rng.pick([
    [0, 2],
    [1, 20],
    [5, 80],
  ]);
  return {
    seed: rng.u32(),
    instances: rng.int(2, 5),
    causal: rng.chance(0.35),
    backlogBytes: rng.pick([150, 600, 64 * 1024, 64 * 1024]),
    compressionLevel: rng.pick([0, 0, 1, 6]),
    minDelay: delays[0]!,
    maxDelay: delays[1]!,
    dupBatch: rng.pick([0, 0.1, 0.3]),
    maxSkew: rng.pick([0, 40, 1500]),
    keepLog: 400,
  };
}

function digest(world: SimWorld, id: number): string {
  const db = world.instance(id).db;
  const keys = [...db.keyspace.records.keys()].filter((k) => dataVisible(db.keyspace.get(k)!)).sort();
  return JSON.stringify(keys.map((k) => [k, KeyType.value(db.keyspace.get(k)!)]));
}

function stringOf(r: KeyRecord): RegView {
  return { reg: registerVisible(r) ? r.v : null, sum: counterVisible(r) ? D.toJSON(counterSum(r)) : null };
}

/** A record's shown state in the form the model computes (model.ts). */
function viewOf(r: KeyRecord): unknown {
  switch (r.type) {
    case 'string':
      return stringOf(r);
    case 'hash':
      return [...hashEntries(r.d as HashState)]
        .map(([f, v]): [string, RegView] => [f, { reg: v.reg, sum: v.sum === null ? null : D.toJSON(v.sum) }])
        .sort((a, b) => (a[0] < b[0] ? -1 : 1));
    case 'set':
      return SetType.value(r.d as SetState);
    case 'zset':
      return (ZSetType.value(r.d as ZSetState) as [string, number][]).slice().sort((a, b) => (a[0] < b[0] ? -1 : 1));
    case 'list': {
      const out: [number, string][] = [];
      listScan(r.d as ListState, 0, false, (v, id) => {
        out.push([id, v]);
        return true;
      });
      return out.sort((a, b) => a[0] - b[0]);
    }
    case 'hll':
      return HllType.value(r.d as HllState);
  }
}

function actualView(world: SimWorld, id: number): Map<string, KeyView> {
  const db = world.instance(id).db;
  const out = new Map<string, KeyView>();
  for (const [key, r] of db.keyspace.records) {
    if (!dataVisible(r)) continue;
    const exp = effectiveExpiry(r.env?.exp ?? null);
    out.set(key, { type: r.type, data: viewOf(r), exp: exp === Infinity ? null : exp });
  }
  return out;
}

function compareWithModel(world: SimWorld): string | null {
  const expected = expectedState(world.recorded);
  const actual = actualView(world, 1);
  const keys = new Set([...expected.keys(), ...actual.keys()]);
  const diffs: string[] = [];
  for (const k of [...keys].sort()) {
    const e = expected.get(k) ?? null;
    if (e === AMBIGUOUS) {
      world.counters.unmodelled++;
      continue;
    }
    const a = actual.get(k) ?? null;
    if (JSON.stringify(e) !== JSON.stringify(a)) diffs.push(`key ${k}: model ${JSON.stringify(e)}, instances ${JSON.stringify(a)}`);
  }
  return diffs.length === 0 ? null : diffs.join('\n');
}

function historyOf(world: SimWorld, key: string): string {
  return world.recorded
    .filter((r) => r.e.key === key)
    .map((r) => `  ${r.e.origin}:${r.e.seq} ts=${r.e.ts} ctx={${r.ctx.toString()}} ${r.lost ? '(lost) ' : ''}${r.argv.join(' ')} -> ${JSON.stringify(r.e.ops, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))}`)
    .join('\n');
}

function rawState(world: SimWorld, key: string): string {
  const bigint = (_k: string, v: unknown): unknown => (typeof v === 'bigint' ? String(v) : v instanceof Map ? [...v] : v);
  return world.instances
    .map((i) => {
      const r = i.db.keyspace.get(key);
      return `  ${i.id}: ${r === undefined ? 'absent' : JSON.stringify({ v: r.v, ts: r.ts, id: r.id, x: r.x, env: r.env }, bigint)}`;
    })
    .join('\n');
}

function convergenceFailure(world: SimWorld, keys: readonly string[]): string | null {
  const d1 = digest(world, 1);
  for (const inst of world.instances.slice(1)) {
    const d = digest(world, inst.id);
    if (d !== d1) {
      const detail = keys.map((k) => `${k}:\n${historyOf(world, k)}\nstate:\n${rawState(world, k)}`).join('\n');
      return `instances 1 and ${inst.id} differ:\n  1: ${d1}\n  ${inst.id}: ${d}\n${detail}`;
    }
  }
  return null;
}

/** Runs one seeded simulation and checks it (`sabotage`: see WorldOptions). */
export function runSeed(seed: number, sabotage = false, extra: Partial<WorldOptions> = {}): RunResult {
  const rng = new Rng(seed);
  const opts = { ...worldOptionsFor(rng), sabotage, ...extra };
  const world = new SimWorld(opts);
  const n = opts.instances;
  const mixed = rng.chance(2 / 3);
  // Mixed runs always have a list and an HLL key (LMOVE and PFMERGE pick their second key there).
  const keys = mixed ? [...new Set([...MIXED_KEYS.filter(() => rng.chance(0.6)), 'l', 'p'])] : KEYS.slice(0, rng.int(2, 4));
  const steps = rng.int(20, 90);
  let t = 0;
  const down = new Set<number>();
  const paused: [number, number | null][] = [];
  let partitioned = false;
  const fail = (why: string): RunResult => ({
    seed,
    ok: false,
    engineIssues: [...world.engineIssues].map(([k, v]) => `${k}: ${v}`),
    failure: `${why}\nworld: ${JSON.stringify(opts)}\nrecent log:\n${world.recentLog()}`,
    stats: stats(),
  });
  const stats = (): RunResult['stats'] => {
    let fullSyncs = 0;
    let gcCollected = 0;
    for (const i of world.instances) {
      fullSyncs += i.node.stats.syncFull;
      gcCollected += i.db.stats.gcCollected;
    }
    return {
      instances: n,
      commands: world.counters.commands,
      effects: world.recorded.length,
      partitions: world.counters.partitions,
      restarts: world.counters.restarts,
      pauses: world.counters.pauses,
      duplicated: world.counters.duplicated,
      unmodelled: world.counters.unmodelled,
      fullSyncs,
      gcCollected,
      virtualMs: world.queue.now,
    };
  };

  try {
    for (let s = 0; s < steps; s++) {
      t += rng.int(0, 40);
      world.runUntil(t);
      const f = rng.float();
      if (f < 0.03 && !partitioned) {
        const ids = world.instances.map((i) => i.id);
        const side = ids.filter(() => rng.chance(0.5));
        if (side.length > 0 && side.length < n) {
          world.partition([side, ids.filter((i) => !side.includes(i))]);
          partitioned = true;
        }
      } else if (f < 0.07 && partitioned) {
        world.heal();
        partitioned = false;
      } else if (f < 0.085 && down.size === 0 && n >= 2) {
        const id = rng.int(1, n);
        world.crash(id);
        down.add(id);
        const back = rng.int(30, 600);
        world.queue.after(back, () => {
          world.restart(id);
          down.delete(id);
        });
      } else if (f < 0.11) {
        const id = rng.int(1, n);
        const peer = rng.chance(0.5) ? null : ((id % n) + 1);
        world.pause(id, peer);
        paused.push([id, peer]);
      } else if (f < 0.14 && paused.length > 0) {
        const [id, peer] = paused.splice(rng.int(0, paused.length - 1), 1)[0]!;
        world.resume(id, peer);
      } else {
        const candidates = world.instances.filter((i) => i.alive && !i.recovering);
        if (candidates.length === 0) continue;
        const inst = rng.pick(candidates);
        world.exec(inst.id, randomCommand(rng, keys, mixed));
      }
    }
    if (!world.settle(30_000)) return fail('did not converge within 30 s of virtual time after healing');
    const c1 = convergenceFailure(world, keys);
    if (c1 !== null) return fail(`not converged:\n${c1}`);
    const m1 = compareWithModel(world);
    if (m1 !== null) return fail(`outcome differs from the model:\n${m1}\nhistory:\n${keys.map((k) => `${k}:\n${historyOf(world, k)}\nstate:\n${rawState(world, k)}`).join('\n')}`);
    // Let acknowledgements and GC catch up: then every dead record must be collected, and
    // collecting (with any expiry deletes meanwhile) must leave the outcome the model predicts.
    const deadline = world.queue.now + 8000;
    for (;;) {
      world.runUntil(world.queue.now + 50);
      const pending = world.instances.reduce((a, i) => a + i.db.pendingTombstones(), 0);
      if (world.quiescent() && pending === 0) break;
      if (world.queue.now > deadline) {
        const per = world.instances.map((i) => `${i.id}: ${i.db.pendingTombstones()} pending, gvcMin ${i.node.oracle.gvcMin.toString()}`).join('; ');
        return fail(`tombstones not collected after healing: ${per}`);
      }
    }
    const c2 = convergenceFailure(world, keys);
    if (c2 !== null) return fail(`not converged after GC:\n${c2}`);
    const m2 = compareWithModel(world);
    if (m2 !== null) return fail(`outcome after GC differs from the model:\n${m2}\nhistory:\n${keys.map((k) => `${k}:\n${historyOf(world, k)}\nstate:\n${rawState(world, k)}`).join('\n')}`);
  } catch (e) {
    return fail(`exception: ${(e as Error).stack}`);
  }
  if (world.engineIssues.size > 0) return fail(`engine invariant broken: ${[...world.engineIssues].map(([k, v]) => `${k}: ${v}`).join('; ')}`);
  return { seed, ok: true, engineIssues: [], failure: '', stats: stats() };
}
