// Crash loops with real processes: a data node with persistence under a write load through
// ioredis, SIGKILLed at seeded random moments and restarted on the same directory; after each
// restart every write it acknowledged must be there (test/persistence/crash*.test.ts).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { Redis } from 'ioredis';
import { Rng } from '../sim/rng.js';
import type { ServerHandle } from '../helpers/server-process.js';
import { startTandem } from '../helpers/server-process.js';
import { waitFor } from '../helpers/wait-for.js';
import { tempDir } from './helpers.js';

export interface CrashLoopOptions {
  seed: number;
  kills: number;
  appendfsync: 'always' | 'everysec' | 'no';
  writers?: number;
  /** Load time before each kill: a seeded random value in this range (ms). */
  minLoadMs?: number;
  maxLoadMs?: number;
  /** Extra server arguments. */
  args?: string[];
  /** Also send BGREWRITEAOF at a random moment of each load: kills land inside snapshots. */
  rewrites?: boolean;
}

export interface CrashLoopResult {
  kills: number;
  acked: number;
  ackedOps: number;
  sent: number;
  /** Snapshot files in the directory at the end. */
  snapshots: number;
}

/** What the load sent and what was acknowledged, across every incarnation. */
class Ledger {
  readonly acked = new Map<string, string>();
  readonly listAcked: string[] = [];
  readonly listSent = new Set<string>();
  incrAcked = 0;
  incrSent = 0;
  sent = 0;
  /** Acknowledged commands of any kind. */
  ackedOps = 0;
}

function client(port: number): Redis {
  const c = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null, lazyConnect: true });
  c.on('error', () => undefined); // the server is killed under it on purpose
  return c;
}

async function load(port: number, ledger: Ledger, writers: number, rng: Rng, stop: { now: boolean }, round: number, rewrites: boolean): Promise<void> {
  const clients = Array.from({ length: writers }, () => client(port));
  if (rewrites) {
    const admin = client(port);
    const after = rng.int(0, 150);
    void admin
      .connect()
      .then(() => new Promise((r) => setTimeout(r, after)))
      .then(() => admin.bgrewriteaof())
      .catch(() => undefined)
      .finally(() => admin.disconnect());
  }
  const work = clients.map(async (c, w) => {
    try {
      await c.connect();
    } catch {
      return; // killed before this client connected
    }
    for (let i = 0; !stop.now; i++) {
      const kind = rng.int(0, 9);
      const id = `${round}.${w}.${i}`;
      ledger.sent++;
      try {
        if (kind < 6) {
          await c.set(`k:${id}`, id);
          ledger.acked.set(`k:${id}`, id);
        } else if (kind < 8) {
          ledger.incrSent++;
          await c.incr('counter');
          ledger.incrAcked++;
        } else {
          ledger.listSent.add(id);
          await c.rpush('list', id);
          ledger.listAcked.push(id);
        }
        ledger.ackedOps++;
      } catch {
        return; // the server was killed under this command
      }
    }
  });
  await Promise.all(work);
  for (const c of clients) c.disconnect();
}

/** Checks that every acknowledged write of the ledger is in the server. */
async function verify(port: number, ledger: Ledger, label: string): Promise<void> {
  const c = client(port);
  await c.connect();
  try {
    const keys = [...ledger.acked.keys()];
    for (let i = 0; i < keys.length; i += 1000) {
      const part = keys.slice(i, i + 1000);
      const vals = await c.mget(...part);
      part.forEach((k, j) => assert.equal(vals[j], ledger.acked.get(k), `${label}: acknowledged SET ${k} is missing after the restart`));
    }
    const counter = Number((await c.get('counter')) ?? 0);
    assert.ok(counter >= ledger.incrAcked, `${label}: counter ${counter} < ${ledger.incrAcked} acknowledged INCRs`);
    assert.ok(counter <= ledger.incrSent, `${label}: counter ${counter} > ${ledger.incrSent} INCRs sent`);
    const list = await c.lrange('list', 0, -1);
    const present = new Set(list);
    assert.equal(present.size, list.length, `${label}: the list holds duplicates`);
    for (const e of list) assert.ok(ledger.listSent.has(e), `${label}: the list holds ${e}, never sent`);
    for (const e of ledger.listAcked) assert.ok(present.has(e), `${label}: acknowledged RPUSH ${e} is missing`);
    // Each connection's acknowledged elements keep its order, and a later round (after a
    // restart) never lands before an earlier one. (Across connections of one round the order of
    // acknowledgements says nothing about the order of execution.)
    const at = new Map(list.map((e, i) => [e, i]));
    const lastOf = new Map<string, number>();
    let roundEnd = -1;
    let round = '';
    for (const e of ledger.listAcked) {
      const [r, w] = e.split('.');
      const p = at.get(e)!;
      const stream = `${r}.${w}`;
      assert.ok(p > (lastOf.get(stream) ?? -1), `${label}: list order of connection ${stream} changed at ${e}`);
      lastOf.set(stream, p);
      if (r !== round) {
        const first = Math.min(...ledger.listAcked.filter((x) => x.split('.')[0] === r).map((x) => at.get(x)!));
        assert.ok(first > roundEnd, `${label}: elements of round ${r} precede those of round ${round}`);
        round = r!;
      }
      roundEnd = Math.max(roundEnd, p);
    }
    // What was sent but not acknowledged and is present now counts as acknowledged from here on.
    ledger.incrAcked = counter;
    ledger.incrSent = counter;
    ledger.listAcked.length = 0;
    ledger.listAcked.push(...list);
    ledger.listSent.clear();
    for (const e of list) ledger.listSent.add(e);
  } finally {
    c.disconnect();
  }
}

export async function crashLoop(o: CrashLoopOptions): Promise<CrashLoopResult> {
  const rng = new Rng(o.seed);
  const dir = tempDir('tandem-crash-');
  const args = ['--persistence', 'aof', '--appendfsync', o.appendfsync, ...(o.args ?? [])];
  const ledger = new Ledger();
  let h: ServerHandle | null = null;
  try {
    h = await startTandem({ dir, args });
    for (let k = 0; k < o.kills; k++) {
      const stop = { now: false };
      const running = load(h.port, ledger, o.writers ?? 4, rng.fork(), stop, k, o.rewrites === true);
      // The kill comes a seeded random time after the load got going (some writes acknowledged),
      // however slow the machine is.
      const base = ledger.ackedOps;
      await waitFor(() => ledger.ackedOps >= base + 5, { timeout: 30_000, message: 'the load to start' });
      const ms = rng.int(o.minLoadMs ?? 30, o.maxLoadMs ?? 300);
      await new Promise((r) => setTimeout(r, ms));
      h.kill('SIGKILL');
      await h.exited;
      stop.now = true;
      await running;
      h = await startTandem({ dir, args });
      await verify(h.port, ledger, `seed ${o.seed}, kill ${k + 1} after ${ms} ms`);
    }
    const snapshots = fs.readdirSync(dir).filter((n) => n.endsWith('.tsnap')).length;
    return { kills: o.kills, acked: ledger.acked.size, ackedOps: ledger.ackedOps, sent: ledger.sent, snapshots };
  } catch (e) {
    if (h !== null) process.stderr.write(`--- server output ---\n${h.output()}\n`);
    throw e;
  } finally {
    await h?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
