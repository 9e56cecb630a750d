// The convergence simulation with crash-and-restart-from-disk: every instance keeps an effect log
// (src/persistence) in a temporary directory; a crash loses what was not yet written and
// sometimes tears the last record; the restarted instance recovers from its files, rejoins, gets
// back from its peers what its log lost, and the world must still converge to what the
// reference model predicts. SIM_DISK_RUNS / SIM_DISK_FIRST choose the seeds.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { VectorClock } from '../../src/crdt/vector-clock.js';
import { Database } from '../../src/engine/database.js';
import type { Journal } from '../../src/engine/database.js';
import type { FileOps } from '../../src/persistence/file-ops.js';
import { realFileOps } from '../../src/persistence/file-ops.js';
import { parseName } from '../../src/persistence/log-format.js';
import { Persistence } from '../../src/persistence/persistence.js';
import { recover } from '../../src/persistence/recovery.js';
import { readReservation } from '../../src/persistence/seq-reservation.js';
import { Rng } from './rng.js';
import type { SimDisk, SimInstance } from './world.js';
import { runSeed } from './workload.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-sim-disk-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));

const quiet = { info: () => undefined, warn: () => undefined };

class Disk implements SimDisk {
  private readonly live = new Map<number, Persistence>();
  readonly rng: Rng;
  loads = 0;
  restoredKeys = 0;
  torn = 0;
  unwritten = 0;

  constructor(readonly seed: number) {
    this.rng = new Rng(seed * 7919 + 1);
  }

  dir(id: number): string {
    const d = path.join(root, `s${this.seed}-i${id}`);
    fs.mkdirSync(d, { recursive: true });
    return d;
  }

  load(inst: SimInstance): () => VectorClock {
    const dir = this.dir(inst.id);
    const db = inst.db;
    const recovery = recover(dir, db, { repair: false, useLog: true, log: quiet });
    if (recovery.maxGen > 0 || fs.readdirSync(dir).some((n) => parseName(n) !== null)) {
      this.loads++;
      this.restoredKeys += db.keyspace.visibleCount;
    }
    db.restoreSeq(db.clock.get(inst.id));
    // The reservation on disk is what keeps numbering unique; the world's own high-water mark
    // (a perfect one) must never be above it.
    const mark = readReservation(dir, inst.id) ?? 0;
    assert.ok(mark >= inst.hwm, `instance ${inst.id}: reservation ${mark} below the numbers it handed out (${inst.hwm})`);
    inst.hwm = mark;
    const p = new Persistence(db, dir, { dir, mode: 'aof', appendfsync: 'no', save: '', rewritePercentage: 0, rewriteMinSize: 0, log: quiet, now: () => inst.wall(), seqBlock: 16, ops: this.ops }, recovery);
    this.live.set(inst.id, p);
    // The simulation runs synchronously (the event loop never turns): records reach the file
    // when this says so; what is still pending at a crash is lost.
    const j: Journal = p;
    const maybeFlush = () => {
      if (this.rng.chance(0.3)) p.flush();
    };
    db.journal = {
      applied: (e) => (j.applied(e), maybeFlush()),
      joined: (k, r) => (j.joined(k, r), maybeFlush()),
      raised: (c, h) => (j.raised(c, h), maybeFlush()),
      advanced: (o, s) => (j.advanced(o, s), maybeFlush()),
    };
    // Before its clock is reported the log is written, as the server writes it every turn.
    return () => {
      p.flush();
      return p.durableClock();
    };
  }

  crash(inst: SimInstance): VectorClock {
    const p = this.live.get(inst.id)!;
    if (p.pendingBytes > 0) {
      this.unwritten++;
      if (this.rng.chance(0.5)) {
        // Killed in the middle of a write: part of the pending records reach the file.
        this.tearing = true;
        p.flush();
        this.tearing = false;
        this.torn++;
      }
    }
    p.abandon();
    const dir = this.dir(inst.id);
    // What the disk kept: recover it into a scratch database (the restart will see the same).
    const scratch = new Database({ instanceId: inst.id });
    recover(dir, scratch, { repair: false, useLog: true, log: quiet });
    return scratch.clock.clone();
  }

  /** While set, a write stops half-way and the process is gone (nothing cleans up). */
  private tearing = false;
  private readonly ops: FileOps = {
    ...realFileOps,
    writeSync: (fd, buf, offset, length, position) => {
      if (!this.tearing) return realFileOps.writeSync(fd, buf, offset, length, position);
      realFileOps.writeSync(fd, buf, offset, Math.max(1, this.rng.int(1, length - 1)), position);
      throw Object.assign(new Error('killed'), { code: 'EIO' });
    },
    ftruncateSync: (fd, len) => {
      if (!this.tearing) realFileOps.ftruncateSync(fd, len);
    },
  };

  toJSON(): string {
    return `disk(seed ${this.seed})`;
  }
}

const runs = Number(process.env.SIM_DISK_RUNS ?? 120);
const first = Number(process.env.SIM_DISK_FIRST ?? 1);

test(`simulation with crash-and-restart from disk: ${runs} seeded workloads converge and match the model`, () => {
  let restarts = 0;
  let loads = 0;
  let torn = 0;
  let unwritten = 0;
  let restoredKeys = 0;
  const failures: string[] = [];
  for (let seed = first; seed < first + runs; seed++) {
    const disk = new Disk(seed);
    const r = runSeed(seed, false, { disk });
    restarts += r.stats.restarts;
    loads += disk.loads;
    torn += disk.torn;
    unwritten += disk.unwritten;
    restoredKeys += disk.restoredKeys;
    if (!r.ok) failures.push(`seed ${seed}: ${runs === 1 ? r.failure : r.failure.slice(0, 3000)}`);
  }
  process.stdout.write(`# sim-disk: ${runs} seeds, ${restarts} crashes, ${loads} restarts from disk (${restoredKeys} keys restored), ${torn} torn tails, ${unwritten} with unwritten records\n`);
  assert.deepEqual(failures, [], `replay one with SIM_DISK_FIRST=<seed> SIM_DISK_RUNS=1 node --test dist/test/sim/crash-restart.test.js`);
  assert.ok(loads >= 20 && torn >= 3 && unwritten >= 3 && restoredKeys > 0, 'the runs exercised too few restarts from disk');
});
