import assert from 'node:assert/strict';
import { test } from 'node:test';
import { VectorClock } from '../../src/crdt/vector-clock.js';
import { StabilityOracle } from '../../src/replication/stability.js';

const vc = (o: Record<string, number>) => VectorClock.from(o);

test('a removal is stable once everyone saw it and everything concurrent with it', () => {
  const o = new StabilityOracle();
  // A (1) removes at 1:5. B (2) wrote 2:1..2:3 without having seen it.
  o.pass([vc({ 1: 5 }), vc({ 1: 4, 2: 3 })]);
  assert.ok(!o.isStable(1, 5), 'B has not seen the removal');
  // B sees the removal (its clock now covers 1:5); A has not seen B's writes yet.
  o.pass([vc({ 1: 5 }), vc({ 1: 5, 2: 3 })]);
  assert.equal(o.gvcMin.toString(), '1:5');
  assert.ok(!o.isStable(1, 5), "B's writes, concurrent with the removal, have not reached A");
  // A receives B's writes: everything concurrent with 1:5 is everywhere.
  o.pass([vc({ 1: 5, 2: 3 }), vc({ 1: 5, 2: 3 })]);
  assert.ok(o.isStable(1, 5));
  assert.ok(o.isStable(2, 3));
  assert.ok(!o.isStable(2, 4), 'not issued yet');
});

test('an effect issued after the removal does not delay it', () => {
  const o = new StabilityOracle();
  o.pass([vc({ 1: 5 }), vc({ 1: 5 })]);
  assert.ok(o.isStable(1, 5));
  // B writes after seeing 1:5: causally later, so 1:5 stays stable.
  o.pass([vc({ 1: 5 }), vc({ 1: 5, 2: 1 })]);
  assert.ok(o.isStable(1, 5));
});

test('an unknown instance (empty clock) keeps everything unstable', () => {
  const o = new StabilityOracle();
  o.pass([vc({ 1: 5 }), vc({ 1: 5 }), new VectorClock()]);
  assert.ok(!o.isStable(1, 1));
});

test('a trimmed history stays conservative', () => {
  const full = new StabilityOracle();
  const trimmed = new StabilityOracle(1);
  const passes = [
    [vc({ 1: 1 }), vc({ 1: 1, 2: 1 })],
    [vc({ 1: 1, 2: 1 }), vc({ 1: 1, 2: 3 })],
  ];
  for (const p of passes) {
    full.pass(p);
    trimmed.pass(p);
  }
  // 1:1 was first covered by pass 1, whose gvcMax ({1:1,2:1}) the current gvcMin covers.
  assert.ok(full.isStable(1, 1));
  // Without pass 1 the oldest retained pass stands in, with a larger gvcMax: not yet.
  assert.ok(!trimmed.isStable(1, 1));
  trimmed.pass([vc({ 1: 1, 2: 3 }), vc({ 1: 1, 2: 3 })]);
  assert.ok(trimmed.isStable(1, 1));
});
