// In-process persistence for tests: a Database (through the engine harness) with recovery and
// the Persistence running on a directory, and a comparable dump of its state.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BinaryWriter } from '../../src/crdt/binary.js';
import { KeyType, dataVisible } from '../../src/crdt/key.js';
import type { Database } from '../../src/engine/database.js';
import { Persistence } from '../../src/persistence/persistence.js';
import type { PersistenceOptions } from '../../src/persistence/persistence.js';
import { recover } from '../../src/persistence/recovery.js';
import type { RecoveryResult } from '../../src/persistence/recovery.js';
import { Harness } from '../engine/harness.js';
import '../../src/engine/hashes.js';
import '../../src/engine/sets.js';
import '../../src/engine/lists.js';
import '../../src/engine/zsets.js';

export function tempDir(prefix = 'tandem-persist-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export interface Opened {
  readonly h: Harness;
  readonly p: Persistence;
  readonly recovery: RecoveryResult;
  readonly warnings: string[];
}

/** Recovers `dir` into a fresh database and starts persistence on it. */
export function openDir(dir: string, o: Partial<PersistenceOptions> & { repair?: boolean; instanceId?: number } = {}): Opened {
  const h = new Harness(o.instanceId ?? 1);
  const warnings: string[] = [];
  const log = { info: () => undefined, warn: (m: string) => void warnings.push(m) };
  const mode = o.mode ?? 'aof';
  const recovery = recover(dir, h.db, { repair: o.repair === true, useLog: mode === 'aof', log });
  h.db.restoreSeq(h.db.clock.get(h.db.instanceId));
  const p = new Persistence(
    h.db,
    dir,
    { dir, mode, appendfsync: 'always', save: '', rewritePercentage: 0, rewriteMinSize: 0, log, now: () => Date.now(), ...o },
    recovery,
  );
  return { h, p, recovery, warnings };
}

/** Every visible key with its encoded record, sorted: equal dumps mean equal states. */
export function dump(db: Database): string[] {
  const out: string[] = [];
  for (const [k, r] of db.keyspace.records) {
    if (!dataVisible(r)) continue;
    const w = new BinaryWriter(64);
    KeyType.encode(r, w);
    out.push(`${k}=${w.finish().toString('hex')}`);
  }
  return out.sort();
}

/** A deterministic mixed write workload of `n` commands. */
export function workload(h: Harness, n: number, seed = 1): void {
  let x = seed;
  const rnd = (m: number) => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return x % m;
  };
  for (let i = 0; i < n; i++) {
    const k = `k${rnd(40)}`;
    switch (rnd(8)) {
      case 0:
        h.run('set', `s:${k}`, `v${i}`);
        break;
      case 1:
        h.run('incr', `n:${k}`);
        break;
      case 2:
        h.run('rpush', `l:${k}`, `e${i}`);
        break;
      case 3:
        h.run('hset', `h:${k}`, `f${rnd(5)}`, `v${i}`);
        break;
      case 4:
        h.run('sadd', `t:${k}`, `m${rnd(10)}`);
        break;
      case 5:
        h.run('zadd', `z:${k}`, String(rnd(100)), `m${rnd(10)}`);
        break;
      case 6:
        h.run('del', `s:${k}`, `l:${k}`);
        break;
      default:
        h.run('expire', `h:${k}`, '1000');
    }
  }
}
