import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { VectorClock } from '../../src/crdt/vector-clock.js';
import { HybridLogicalClock } from '../../src/crdt/hlc.js';
import * as D from '../../src/crdt/dyadic.js';
import { BinaryReader, BinaryWriter } from '../../src/crdt/binary.js';

const vcArb = fc.dictionary(fc.integer({ min: 1, max: 5 }).map(String), fc.nat(20)).map((o) => VectorClock.from(o));

test('vector clock merge is a join (commutative, associative, idempotent) and dominates both', () => {
  fc.assert(
    fc.property(vcArb, vcArb, vcArb, (a, b, c) => {
      assert.ok(a.clone().merge(b).equals(b.clone().merge(a)));
      assert.ok(a.clone().merge(b).merge(c).equals(a.clone().merge(b.clone().merge(c))));
      assert.ok(a.clone().merge(a).equals(a));
      const m = a.clone().merge(b);
      assert.ok(m.dominates(a) && m.dominates(b));
      const lo = VectorClock.min([a, b]);
      assert.ok(a.dominates(lo) && b.dominates(lo));
    }),
  );
});

test('HLC: strictly increasing, never below what it observed, tracks wall time', () => {
  let wall = 1000;
  const h = new HybridLogicalClock(() => wall);
  const t1 = h.now();
  const t2 = h.now();
  assert.ok(t2 > t1);
  h.observe(5000 * 1024);
  assert.ok(h.now() > 5000 * 1024);
  wall = 10_000;
  assert.equal(h.now(), 10_000 * 1024);
});

test('binary encoding round-trips integers, bigints, dyadics and latin1 strings', () => {
  fc.assert(
    fc.property(fc.nat({ max: Number.MAX_SAFE_INTEGER }), fc.integer({ min: -(2 ** 52), max: 2 ** 52 }), fc.bigInt(), fc.string({ unit: 'binary' }), fc.integer({ min: -60, max: 0 }), (u, i, b, s, e) => {
      const latin = Buffer.from(s, 'utf8').toString('latin1');
      const d = D.normalize(b, e);
      const w = new BinaryWriter(4);
      w.uint(u).int(i).bigint(b).str(latin).dyadic(d).f64(Infinity);
      const r = new BinaryReader(w.finish());
      assert.equal(r.uint(), u);
      assert.equal(r.int(), i);
      assert.equal(r.bigint(), b);
      assert.equal(r.str(), latin);
      assert.ok(D.equals(r.dyadic(), d));
      assert.equal(r.f64(), Infinity);
      assert.ok(r.done);
    }),
  );
});

test('dyadic addition is exact: associative and commutative', () => {
  const dy = fc.tuple(fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }), fc.integer({ min: -80, max: 0 })).map(([m, e]) => D.normalize(m, e));
  fc.assert(
    fc.property(dy, dy, dy, (a, b, c) => {
      assert.ok(D.equals(D.add(a, b), D.add(b, a)));
      assert.ok(D.equals(D.add(D.add(a, b), c), D.add(a, D.add(b, c))));
      assert.ok(D.equals(D.sub(D.add(a, b), b), a));
    }),
  );
});
