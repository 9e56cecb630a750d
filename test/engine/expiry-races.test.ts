// Expiry races across instances (reference §3.4, docs/semantics.md "Expiry on a dead key"):
// EXPIRE/PERSIST concurrent with DEL, effects of different origins arriving out of causal order,
// and garbage collection dropping dead records at different times on different instances. Each
// case is a minimised seed of the convergence simulation that diverged (ENGINE-EXPIRY).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Stability } from '../../src/crdt/crdt.js';
import { KeyType } from '../../src/crdt/key.js';
import type { Effect } from '../../src/engine/effect.js';
import { effectFromBuffer, effectToBuffer } from '../../src/engine/effect.js';
import { Harness } from './harness.js';

const T0 = 1_700_000_000_000;

/** Instances 1..n; each keeps the effects it originated so a test can deliver them in any order. */
class Group {
  readonly h: Harness[];
  readonly sent: Effect[][];
  /** Whether GC may treat an effect as stable (what the replication oracle would say). */
  stable: Stability = { isStable: () => false };

  constructor(n: number) {
    this.h = Array.from({ length: n }, (_, i) => new Harness(i + 1, T0));
    this.sent = this.h.map(() => []);
    this.h.forEach((x, i) => {
      x.db.stability = { isStable: (o, s) => this.stable.isStable(o, s) };
      x.db.sink = { effect: (e) => this.sent[i]!.push(e), commit() {} };
    });
  }

  at(id: number): Harness {
    return this.h[id - 1]!;
  }

  /** The effects instance `from` originated, from the n-th (1-based) on, or only that one. */
  effect(from: number, seq: number): Effect {
    return this.sent[from - 1]!.find((e) => e.seq === seq)!;
  }

  deliver(to: number, from: number, seq: number): void {
    this.at(to).db.applyRemote(effectFromBuffer(effectToBuffer(this.effect(from, seq))));
  }

  /** Delivers everything not yet applied, per origin in order. */
  syncAll(): void {
    for (const x of this.h) {
      for (const [i, list] of this.sent.entries()) {
        if (i + 1 === x.db.instanceId) continue;
        for (const e of list) if (e.seq > x.db.clock.get(e.origin)) x.db.applyRemote(effectFromBuffer(effectToBuffer(e)));
      }
    }
  }

  gc(id: number): void {
    const db = this.at(id).db;
    db.collectGarbage(this.stable, 0, 1_000_000);
  }

  assertConverged(key: string): void {
    const recs = this.h.map((x) => x.db.keyspace.get(key));
    const views = this.h.map((x) => {
      const r = x.db.keyspace.get(key);
      return r === undefined ? null : KeyType.value(r);
    });
    for (let i = 1; i < views.length; i++) assert.deepEqual(views[i], views[0], `instances 1 and ${i + 1} differ on ${key}: ${JSON.stringify(recs.map((r) => r?.env?.exp ?? null))}`);
  }
}

test('an EXPIRE that arrives before the value it replaced still removes that value\'s TTL (sim seed 1110)', () => {
  const g = new Group(3);
  g.at(3).run('SET', 'c', 'x', 'PX', '470'); // 3:1, entry at T0+470
  g.deliver(1, 3, 1);
  g.at(1).advance(60);
  assert.equal(g.at(1).run('PEXPIRE', 'c', '1159'), 1); // 1:1 replaces 3:1's entry
  // Instance 2 (restarted empty) hears 1:1 before 3:1: different origins, any order.
  g.deliver(2, 1, 1);
  g.deliver(2, 3, 1);
  g.deliver(3, 1, 1);
  g.assertConverged('c');
  assert.equal(g.at(1).run('PTTL', 'c'), 1159);
  g.at(2).advance(60);
  assert.equal(g.at(2).run('PTTL', 'c'), 1159);
});

test('a write reviving a key clears the TTL an EXPIRE concurrent with its DEL left, wherever GC dropped the dead record', () => {
  const g = new Group(3);
  g.at(1).run('SET', 'k', 'v');
  g.syncAll();
  g.at(1).run('DEL', 'k'); // 1:2
  assert.equal(g.at(3).run('EXPIRE', 'k', '100'), 1); // 3:1, concurrent with the DEL
  g.syncAll();
  // Everything is delivered: the DEL and the EXPIRE are stable. Instance 2 collects first.
  g.stable = { isStable: () => true };
  g.gc(2);
  assert.equal(g.at(2).db.keyspace.get('k'), undefined);
  g.stable = { isStable: () => false };
  assert.equal(g.at(2).run('INCR', 'k'), 1); // revives the key
  g.syncAll();
  g.assertConverged('k');
  for (const x of g.h) assert.equal(x.run('TTL', 'k'), -1, `instance ${x.db.instanceId}`);
});

test('a DEL concurrent with an EXPIRE: the dead record keeps the entry until the revival that saw it', () => {
  const g = new Group(2);
  g.at(1).run('SET', 'k', 'v');
  g.syncAll();
  g.at(1).run('DEL', 'k');
  g.at(2).run('EXPIRE', 'k', '100');
  g.syncAll();
  assert.equal(g.at(1).run('EXISTS', 'k'), 0);
  assert.equal(g.at(2).run('EXISTS', 'k'), 0);
  // Instance 1 revives the key without having collected anything; instance 2 revives another
  // key concurrently — both end without a TTL on k.
  g.at(1).run('SET', 'k', 'w');
  g.syncAll();
  g.assertConverged('k');
  assert.equal(g.at(2).run('TTL', 'k'), -1);
});
