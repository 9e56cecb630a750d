// One seeded simulation run: a random topology and network, a random workload of string,
// counter, DEL and EXPIRE/PERSIST commands interleaved with partitions, pauses and crashes, then
// healing and three checks:
//   1. convergence: every instance shows the same keys and values (a canonical digest of
//      KeyType.value over all visible records);
//   2. the outcome is what the reference model (model.ts) derives from the recorded history;
//   3. garbage collection: once everything is acknowledged every tombstone is collected, and
//      collecting changes nothing visible.
import { dataVisible, KeyType } from '../../src/crdt/key.js';
import { effectiveExpiry } from '../../src/crdt/expiry.js';
import { counterSum, counterVisible, registerVisible } from '../../src/crdt/string-value.js';
import * as D from '../../src/crdt/dyadic.js';
import type { KeyView } from './model.js';
import { expectedState } from './model.js';
import { Rng } from './rng.js';
import type { WorldOptions } from './world.js';
import { SimWorld } from './world.js';

export interface RunResult {
  readonly seed: number;
  readonly ok: boolean;
  /** Known engine issues whose symptoms this run showed (world.ts detectors). */
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
    fullSyncs: number;
    gcCollected: number;
    virtualMs: number;
  };
}

const KEYS = ['a', 'b', 'c', 'd'];
const VALUES = ['x', 'y', '7', '12', '-3'];

function randomCommand(rng: Rng, keys: readonly string[]): string[] {
  const k = rng.pick(keys);
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
  if (r < 0.62) return rng.chance(0.2) ? ['DEL', k, rng.pick(keys)] : ['DEL', k];
  if (r < 0.74) return rng.chance(0.5) ? ['EXPIRE', k, String(rng.int(1, 3))] : ['PEXPIRE', k, String(rng.int(30, 1500))];
  if (r < 0.8) return ['PERSIST', k];
  if (r < 0.92) return ['GET', k];
  return ['TTL', k];
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

function actualView(world: SimWorld, id: number): Map<string, KeyView> {
  const db = world.instance(id).db;
  const out = new Map<string, KeyView>();
  for (const [key, r] of db.keyspace.records) {
    if (!dataVisible(r)) continue;
    const exp = effectiveExpiry(r.env?.exp ?? null);
    out.set(key, {
      reg: registerVisible(r) ? r.v : null,
      sum: counterVisible(r) ? D.toJSON(counterSum(r)) : null,
      exp: exp === Infinity ? null : exp,
    });
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
  const keys = KEYS.slice(0, rng.int(2, 4));
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
        world.exec(inst.id, randomCommand(rng, keys));
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
  return { seed, ok: true, engineIssues: [...world.engineIssues].map(([k, v]) => `${k}: ${v}`), failure: '', stats: stats() };
}
