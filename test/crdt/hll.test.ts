import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { checkLaws } from './laws.js';
import { BinaryWriter } from '../../src/crdt/binary.js';
import type { CrdtType, EffectMeta } from '../../src/crdt/crdt.js';
import type { HllEffect, HllState } from '../../src/crdt/hll.js';
import * as Hll from '../../src/crdt/hll.js';
import { redisSkipReason, startRedis } from '../helpers/server-process.js';
import type { RawClient } from '../helpers/raw-client.js';
import type { Reply } from '../../src/protocol/resp-client.js';

const { HllType } = Hll;

/** mulberry32: a small seeded PRNG, so a failing identity run can be replayed. */
function prng(seed: number): () => number {
  let a = seed | 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Random binary-safe elements (latin1 strings), 0..maxLen bytes, crossing the 8-byte blocks. */
function elements(rnd: () => number, n: number, maxLen = 30): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const len = Math.floor(rnd() * (maxLen + 1));
    let s = '';
    for (let j = 0; j < len; j++) s += String.fromCharCode(Math.floor(rnd() * 256));
    out.push(s);
  }
  return out;
}

/** One Tandem instance's view of HLL keys, driven like the engine would (single instance). */
class Local {
  readonly keys = new Map<string, HllState>();
  private seq = 0;

  state(k: string): HllState {
    let s = this.keys.get(k);
    if (s === undefined) this.keys.set(k, (s = HllType.empty()));
    return s;
  }

  private apply(k: string, e: HllEffect): void {
    this.seq++;
    HllType.apply(this.state(k), e, { origin: 1, seq: this.seq, ts: this.seq });
  }

  private observed(): [number, number][] {
    return [[1, this.seq]];
  }

  pfadd(k: string, els: string[]): number {
    const w = Hll.pfadd(this.state(k), els, this.observed());
    this.apply(k, w.effect);
    return w.changed ? 1 : 0;
  }

  pfmerge(dest: string, srcs: string[]): void {
    const states = [dest, ...srcs].map((k) => this.state(k)).filter((s) => HllType.isVisible(s));
    this.apply(dest, Hll.pfmerge(this.state(dest), states, this.observed()));
  }

  set(k: string, raw: string): void {
    this.apply(k, Hll.replaceEffect(this.state(k), Hll.decodeRedis(raw), this.observed()));
  }

  get(k: string): Buffer {
    return Buffer.from(Hll.encodeRedis(this.state(k)), 'latin1');
  }
}

const b = (s: string): Buffer => Buffer.from(s, 'latin1');

function int(r: Reply): number {
  if (r.t !== 'integer') assert.fail(`expected an integer reply, got ${r.t} ${'v' in r ? String(r.v) : ''}`);
  return Number(r.v);
}

function bulk(r: Reply): Buffer {
  assert.equal(r.t, 'bulk');
  return (r as { v: Buffer }).v;
}

async function assertSameBytes(c: RawClient, local: Local, k: string, when: string): Promise<void> {
  const theirs = bulk(await c.callArgs(['GET', k]));
  const ours = local.get(k);
  if (!theirs.equals(ours)) {
    let i = 0;
    while (i < Math.min(theirs.length, ours.length) && theirs[i] === ours[i]) i++;
    assert.fail(`GET ${k} differs from redis-server ${when}: lengths ${theirs.length}/${ours.length}, first difference at byte ${i}`);
  }
}

// ---- identity with redis-server --------------------------------------------------------------------

test('HLL is identical to redis-server: PFADD replies, PFCOUNT, GET bytes, PFMERGE, SET', { skip: redisSkipReason() }, async () => {
  const srv = await startRedis();
  const c = await srv.connect();
  try {
    const rnd = prng(20240601);
    const local = new Local();
    // Sparse (small batches), through the sparse limit and register values > 32, into dense.
    for (let round = 0; round < 260; round++) {
      const k = rnd() < 0.7 ? 'a' : 'b';
      const els = elements(rnd, 1 + Math.floor(rnd() * (round < 120 ? 4 : 150)));
      const theirs = int(await c.callArgs(['PFADD', k, ...els.map(b)]));
      assert.equal(local.pfadd(k, els), theirs, `PFADD reply, round ${round}`);
      if (round % 3 === 0) await assertSameBytes(c, local, k, `after PFADD, round ${round}`);
      if (round % 4 === 0) {
        assert.equal(Hll.pfcount(local.state(k)), int(await c.callArgs(['PFCOUNT', k])), `PFCOUNT, round ${round}`);
        await assertSameBytes(c, local, k, `after PFCOUNT (cached cardinality), round ${round}`);
      }
      if (round % 40 === 20) {
        assert.equal(Hll.pfcountUnion([local.state('a'), local.state('b')]), int(await c.callArgs(['PFCOUNT', 'a', 'b', 'missing'])));
        await c.ok('PFMERGE', 'm', 'b', 'a');
        local.pfmerge('m', ['b', 'a']);
        await assertSameBytes(c, local, 'm', `after PFMERGE, round ${round}`);
        assert.equal(Hll.pfcount(local.state('m')), int(await c.callArgs(['PFCOUNT', 'm'])));
      }
    }
    assert.equal(local.state('a').bytes.buf[4], 0, 'the test should have reached the dense encoding');
    // PFMERGE of sparse sources into a new key stays sparse, as in Redis.
    await c.ok('PFADD', 's1', 'x', 'y');
    local.pfadd('s1', ['x', 'y']);
    await c.ok('PFMERGE', 's2', 's1', 'nothing');
    local.pfmerge('s2', ['s1', 'nothing']);
    await assertSameBytes(c, local, 's2', 'after a sparse PFMERGE');
    await c.ok('PFADD', 'empty');
    local.pfadd('empty', []);
    await assertSameBytes(c, local, 'empty', 'after PFADD with no element');
    // SET of an HLL string (sparse and dense) keeps the bytes; adds continue identically.
    for (const k of ['s1', 'a']) {
      const raw = bulk(await c.callArgs(['GET', k]));
      await c.ok('SET', `copy-${k}`, raw);
      local.set(`copy-${k}`, raw.toString('latin1'));
      await assertSameBytes(c, local, `copy-${k}`, 'after SET');
      const els = elements(rnd, 50);
      assert.equal(local.pfadd(`copy-${k}`, els), int(await c.callArgs(['PFADD', `copy-${k}`, ...els.map(b)])));
      await assertSameBytes(c, local, `copy-${k}`, 'after SET and PFADD');
    }
  } finally {
    await c.close();
    await srv.stop();
  }
});

test('HLL sparse edits match redis-server byte for byte after every add, through the sparse limit', { skip: redisSkipReason() }, async () => {
  const srv = await startRedis();
  const c = await srv.connect();
  try {
    const local = new Local();
    for (let key = 0; key < 4; key++) {
      const rnd = prng(1000 + key);
      const k = `k${key}`;
      // One or two elements per PFADD; GET after each, until the key is dense.
      while (local.state(k).bytes.buf[4] !== 0) {
        const batch = Array.from({ length: 50 }, () => elements(rnd, 1 + Math.floor(rnd() * 2), 12));
        const cmds = batch.flatMap((els) => [['PFADD', k, ...els.map(b)], ['GET', k]]);
        const replies = await c.pipeline(cmds);
        for (let i = 0; i < batch.length; i++) {
          assert.equal(local.pfadd(k, batch[i]!), int(replies[2 * i]!));
          const theirs = bulk(replies[2 * i + 1]!);
          if (!theirs.equals(local.get(k))) assert.fail(`GET ${k} differs after a PFADD (sparse length ${local.state(k).bytes.len})`);
        }
      }
    }
  } finally {
    await c.close();
    await srv.stop();
  }
});

test('PFCOUNT estimator matches redis-server on crafted registers (values up to 63)', { skip: redisSkipReason() }, async () => {
  const srv = await startRedis();
  const c = await srv.connect();
  try {
    const rnd = prng(4242);
    const local = new Local();
    for (let t = 0; t < 60; t++) {
      // A dense HLL string whose registers follow a random skewed distribution, some at 51..63.
      const raw = Buffer.alloc(12304);
      raw.write('HYLL', 0, 'latin1');
      raw[15] = 0x80; // cached cardinality invalid: Redis must compute it
      const top = [1, 5, 20, 51, 63][t % 5]!;
      const fill = rnd();
      for (let r = 0; r < 16384; r++) {
        const v = rnd() < fill ? Math.floor(rnd() * rnd() * (top + 1)) : 0;
        const bit = r * 6;
        const byte = 16 + (bit >> 3);
        const fb = bit & 7;
        raw[byte] = raw[byte]! | ((v << fb) & 0xff);
        if (byte + 1 < raw.length) raw[byte + 1] = raw[byte + 1]! | (v >> (8 - fb));
      }
      await c.ok('SET', 'crafted', raw);
      local.set('crafted', raw.toString('latin1'));
      assert.equal(Hll.pfcount(local.state('crafted')), int(await c.callArgs(['PFCOUNT', 'crafted'])), `crafted HLL ${t} (top ${top})`);
      await assertSameBytes(c, local, 'crafted', 'after PFCOUNT of a crafted HLL');
    }
  } finally {
    await c.close();
    await srv.stop();
  }
});

test('sparse VAL merging scans five opcodes, as Redis does', { skip: redisSkipReason() }, async () => {
  // An element that raises register r+1 to 5, found by search.
  let ele = '';
  let r = -1;
  for (let i = 0; r < 1 || r + 4 >= Hll.HLL_REGISTERS; i++) {
    ele = `probe:${i}`;
    const p = Hll.hllPosition(ele);
    if (p.count === 5) r = p.index - 1;
  }
  // Sparse body: XZERO(r-1) VAL(2,1) VAL(2,3) VAL(2,1) VAL(2,1) XZERO(rest). Raising r+1 splits
  // VAL(2,3); the merges that follow need the fifth opcode of the window.
  const xzero = (len: number) => [((len - 1) >> 8) | 0x40, (len - 1) & 0xff];
  const val = (v: number, len: number) => 0x80 | ((v - 1) << 2) | (len - 1);
  const body = [...xzero(r - 1), val(2, 1), val(2, 3), val(2, 1), val(2, 1), ...xzero(Hll.HLL_REGISTERS - (r + 5))];
  const raw = Buffer.concat([Buffer.from('HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80', 'latin1'), Buffer.from(body)]);
  const srv = await startRedis();
  const c = await srv.connect();
  try {
    const local = new Local();
    await c.ok('SET', 'w', raw);
    local.set('w', raw.toString('latin1'));
    assert.equal(local.pfadd('w', [ele]), int(await c.callArgs(['PFADD', 'w', b(ele)])));
    await assertSameBytes(c, local, 'w', 'after a split followed by chained merges');
    assert.equal(local.get('w').length, raw.length - 1, 'three VAL(2,1) should have merged into one VAL(2,3)');
  } finally {
    await c.close();
    await srv.stop();
  }
});

test('decodeRedis rejects what Redis rejects, with its error text', { skip: redisSkipReason() }, async () => {
  const srv = await startRedis();
  const c = await srv.connect();
  try {
    await c.ok('PFADD', 'h', 'a');
    const good = bulk(await c.callArgs(['GET', 'h'])).toString('latin1');
    const bad = ['hello', 'HYLL', `HYLX${good.slice(4)}`, `HYLL\x02${good.slice(5)}`, `HYLL\x00${good.slice(5)}`];
    for (const v of bad) {
      await c.ok('SET', 'x', b(v));
      const r = await c.callArgs(['PFCOUNT', 'x']);
      assert.equal(r.t, 'error');
      assert.throws(() => Hll.decodeRedis(v), (e: Error) => e.message === (r as { v: string }).v, `value ${JSON.stringify(v)}`);
      assert.equal(Hll.isRedisHll(v), false);
    }
    assert.equal(Hll.decodeRedis(good), good);
    // A sparse body that does not cover 16384 registers: Redis notices lazily, we at once.
    assert.throws(() => Hll.decodeRedis(good.slice(0, -1)), /^Error: INVALIDOBJ Corrupted HLL object detected$|INVALIDOBJ/);
  } finally {
    await c.close();
    await srv.stop();
  }
});

// ---- effects ---------------------------------------------------------------------------------------

test('PFADD effects carry only the registers they raise', () => {
  const s = HllType.empty();
  const w = Hll.pfadd(s, ['one'], [[1, 0]]);
  assert.equal(w.effect.t, 'add');
  assert.equal((w.effect.t === 'add' ? w.effect.regs : []).length, 2);
  HllType.apply(s, w.effect, { origin: 1, seq: 1, ts: 1 });
  const again = Hll.pfadd(s, ['one'], [[1, 1]]);
  assert.equal(again.changed, false);
  assert.equal((again.effect.t === 'add' ? again.effect.regs : [null]).length, 0);
  // Even on a dense HLL an effect is a few bytes, not 12 KB.
  const rnd = prng(7);
  let seq = 1;
  for (let i = 0; i < 40; i++) HllType.apply(s, Hll.pfadd(s, elements(rnd, 200), [[1, seq]]).effect, { origin: 1, seq: ++seq, ts: seq });
  assert.equal(s.bytes.buf[4], 0);
  const w2 = Hll.pfadd(s, ['fresh element'], [[1, seq]]);
  const enc = new BinaryWriter();
  HllType.encodeEffect(w2.effect, enc);
  assert.ok(enc.length < 32, `effect is ${enc.length} bytes`);
});

// ---- Active-Active ------------------------------------------------------------------------------

/** Instances with vector clocks; `sync` delivers everything in per-origin order. */
class Cluster {
  readonly states: HllState[];
  readonly clocks: Map<number, number>[];
  private readonly logs: { meta: EffectMeta; effect: HllEffect }[][];

  constructor(n: number) {
    this.states = Array.from({ length: n }, () => HllType.empty());
    this.clocks = Array.from({ length: n }, () => new Map<number, number>());
    this.logs = Array.from({ length: n }, () => []);
  }

  s(i: number): HllState {
    return this.states[i - 1]!;
  }

  write(i: number, make: (s: HllState, observed: Map<number, number>) => HllEffect): void {
    const log = this.logs[i - 1]!;
    const e = { meta: { origin: i, seq: log.length + 1, ts: log.length + 1 }, effect: make(this.s(i), this.clocks[i - 1]!) };
    log.push(e);
    this.deliverTo(i, e);
  }

  pfadd(i: number, ...els: string[]): number {
    let changed = false;
    this.write(i, (s, obs) => {
      const w = Hll.pfadd(s, els, obs);
      changed = w.changed;
      return w.effect;
    });
    return changed ? 1 : 0;
  }

  del(i: number): void {
    this.write(i, (s) => HllType.removalEffect(s));
  }

  /** Delivers origin `from`'s next undelivered effect to `to`. */
  deliverOne(from: number, to: number): void {
    const next = this.logs[from - 1]![this.clocks[to - 1]!.get(from) ?? 0];
    if (next !== undefined) this.deliverTo(to, next);
  }

  private deliverTo(to: number, e: { meta: EffectMeta; effect: HllEffect }): void {
    const clock = this.clocks[to - 1]!;
    if ((clock.get(e.meta.origin) ?? 0) + 1 !== e.meta.seq) return;
    HllType.apply(this.s(to), e.effect, e.meta);
    clock.set(e.meta.origin, e.meta.seq);
  }

  sync(): void {
    for (let to = 1; to <= this.states.length; to++) for (let from = 1; from <= this.states.length; from++) for (const e of this.logs[from - 1]!) this.deliverTo(to, e);
  }

  count(i: number): number {
    return Hll.pfcount(this.s(i));
  }
}

test('TV-HLL-01 sequential adds', () => {
  const c = new Cluster(2);
  assert.equal(c.pfadd(1, 'x'), 1);
  c.sync();
  assert.equal(c.pfadd(2, 'y'), 1);
  c.sync();
  assert.equal(c.count(1), 2);
  assert.equal(c.count(2), 2);
});

test('TV-HLL-02 concurrent adds union', () => {
  const c = new Cluster(2);
  assert.equal(c.pfadd(1, 'x'), 1);
  assert.equal(c.pfadd(2, 'y'), 1);
  assert.equal(c.count(1), 1);
  assert.equal(c.count(2), 1);
  c.sync();
  assert.equal(c.count(1), 2);
  assert.equal(c.count(2), 2);
  assert.ok(HllType.equal(c.s(1), c.s(2)));
});

test('TV-HLL-03 DEL wins over a concurrent PFADD', () => {
  const c = new Cluster(2);
  assert.equal(c.pfadd(1, 'e1'), 1);
  c.sync();
  assert.equal(c.count(1), 1);
  assert.equal(c.count(2), 1);
  assert.equal(c.pfadd(1, 'e2'), 1);
  c.del(2);
  assert.equal(c.count(1), 2);
  assert.equal(c.count(2), 0);
  c.sync();
  for (const i of [1, 2]) {
    assert.equal(c.count(i), 0);
    assert.equal(HllType.isVisible(c.s(i)), false); // EXISTS h -> 0
  }
  // An add after the DEL (causally) survives.
  assert.equal(c.pfadd(1, 'e3'), 1);
  c.sync();
  assert.equal(c.count(2), 1);
});

test('an add that saw a DEL survives where the DEL has not arrived yet; older adds do not', () => {
  const c = new Cluster(3);
  c.pfadd(1, 'old');
  c.sync();
  c.del(2); // 2:1
  c.deliverOne(2, 1);
  c.pfadd(1, 'new'); // observed the DEL
  c.deliverOne(1, 3); // instance 3 gets 1's add of 'new' (and not yet the DEL)
  c.deliverOne(1, 3);
  assert.equal(c.count(3), 1);
  c.sync();
  for (const i of [1, 2, 3]) assert.equal(c.count(i), 1);
  assert.ok(HllType.equal(c.s(1), c.s(3)));
});

test('a key recreated after its DEL was collected is not lost on instances that still hold the DEL', () => {
  const c = new Cluster(2);
  c.pfadd(1, 'a');
  c.sync();
  c.del(2);
  c.sync();
  // Instance 1 collects the dead key (the DEL is stable): its record, with `dels`, is gone.
  c.states[0] = HllType.empty();
  assert.equal(c.pfadd(1, 'b'), 1); // observed clock {1:2, 2:1} covers the DEL
  c.sync();
  assert.equal(c.count(2), 1);
  // Same through a full sync (join) of the new state into the instance that kept the DEL.
  const kept = HllType.empty();
  HllType.apply(kept, { t: 'del', dels: [] }, { origin: 2, seq: 1, ts: 1 });
  HllType.joinInto(kept, c.s(1));
  assert.equal(Hll.pfcount(kept), 1);
  // And collecting the DEL once stable leaves the same registers.
  HllType.collect(c.s(2), { isStable: () => true });
  assert.equal(c.s(2).dels.size, 0);
  assert.equal(Hll.pfcount(c.s(2)), 1);
});

// ---- laws ---------------------------------------------------------------------------------------

type Op = { k: 'add'; els: string[] } | { k: 'merge'; src: number } | { k: 'del' } | { k: 'set'; src: number };

/** Source HLLs for PFMERGE and SET: one sparse, one dense, one empty. */
const sources: HllState[] = (() => {
  const rnd = prng(99);
  const mk = (n: number) => {
    const s = HllType.empty();
    HllType.apply(s, Hll.pfadd(s, elements(rnd, n), []).effect, { origin: 9, seq: 1, ts: 1 });
    return s;
  };
  return [mk(5), mk(4000), mk(0)];
})();

const pool = Array.from({ length: 40 }, (_, i) => `e${i}`);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ k: fc.constant('add' as const), els: fc.array(fc.constantFrom(...pool), { maxLength: 4 }) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('merge' as const), src: fc.nat(2) }) },
  { weight: 2, arbitrary: fc.constant({ k: 'del' as const }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('set' as const), src: fc.nat(2) }) },
);

/** HllType plus a record of what each instance state has applied (its vector clock). */
const clocks = new WeakMap<HllState, Map<number, number>>();
const Tracked: CrdtType<HllState, HllEffect> = {
  ...HllType,
  apply(s, e, meta) {
    HllType.apply(s, e, meta);
    const c = clocks.get(s) ?? new Map<number, number>();
    c.set(meta.origin, meta.seq);
    clocks.set(s, c);
  },
};

function prepare(s: HllState, op: Op): HllEffect | null {
  const observed = clocks.get(s) ?? new Map<number, number>();
  switch (op.k) {
    case 'add':
      return Hll.pfadd(s, op.els, observed).effect;
    case 'merge':
      return Hll.pfmerge(s, [s, sources[op.src]!].filter((x) => HllType.isVisible(x)), observed);
    case 'del':
      return HllType.isVisible(s) ? HllType.removalEffect(s) : null;
    case 'set':
      return Hll.replaceEffect(s, Hll.encodeRedis(sources[op.src]!), observed);
  }
}

test('HLL satisfies the CRDT laws (delete-wins generations, per-origin FIFO, any interleaving)', () => {
  checkLaws({ type: Tracked, op: opArb, prepare, runs: 300 });
  const saved = fc.readConfigureGlobal();
  fc.configureGlobal({ ...saved, defaultSizeToMaxWhenMaxSpecified: true });
  try {
    checkLaws({ type: Tracked, op: opArb, prepare, instances: 4, runs: 50, steps: 80 });
  } finally {
    fc.configureGlobal(saved);
  }
});
