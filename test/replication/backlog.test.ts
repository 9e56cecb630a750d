import assert from 'node:assert/strict';
import { test } from 'node:test';
import { VectorClock } from '../../src/crdt/vector-clock.js';
import { Backlog } from '../../src/replication/backlog.js';

const vc = (o: Record<string, number>) => VectorClock.from(o);
const unit = (n: number) => Buffer.alloc(n, 1);

test('keeps units in order with absolute positions, bounded in bytes', () => {
  const b = new Backlog(100, new VectorClock());
  for (let s = 1; s <= 10; s++) b.append(1, s, s, unit(30));
  // 30 bytes each, at most 100: the newest three stay.
  assert.equal(b.length, 3);
  assert.equal(b.bytes, 90);
  assert.equal(b.startPos, 7);
  assert.equal(b.endPos, 10);
  assert.equal(b.at(6), undefined);
  assert.equal(b.at(7)!.first, 8);
  assert.equal(b.trimmed, 7);
  // What was trimmed is below the floor.
  assert.equal(b.floor.get(1), 7);
  assert.deepEqual(b.range(1), [8, 10]);
});

test('keeps the newest unit even when it alone exceeds the size', () => {
  const b = new Backlog(10, new VectorClock());
  b.append(1, 1, 1, unit(50));
  assert.equal(b.length, 1);
  b.append(1, 2, 2, unit(50));
  assert.equal(b.length, 1);
  assert.equal(b.at(1)!.first, 2);
});

test('covers a resume clock when every needed gap lies above the floor', () => {
  const b = new Backlog(1000, vc({ 1: 3 }));
  for (let s = 4; s <= 9; s++) b.append(1, s, s, unit(10));
  const applied = vc({ 1: 9, 2: 5 });
  const self = (o: number) => o === 1;
  assert.ok(b.covers(vc({ 1: 3 }), applied, self), 'resume right at the floor');
  assert.ok(b.covers(vc({ 1: 9 }), applied, self), 'nothing missing');
  assert.ok(!b.covers(vc({ 1: 2 }), applied, self), 'effect 3 is only in state');
  assert.ok(!b.covers(vc({}), applied, self), 'a new instance needs a full sync');
  // Origin 2 is not needed from us (non-causal): its gap does not matter.
  assert.ok(b.covers(vc({ 1: 5 }), applied, self));
  // In causal mode it is needed, and nothing of origin 2 is held above floor 0: a destination
  // behind on it cannot be served... unless it is not behind.
  const all = () => true;
  assert.ok(b.covers(vc({ 1: 5, 2: 5 }), applied, all));
});

test('a joined snapshot raises the floor for the origins that moved', () => {
  const b = new Backlog(1000, new VectorClock());
  b.append(1, 1, 1, unit(10));
  const moved = b.noteJump(vc({ 1: 1, 2: 3 }), vc({ 1: 1, 2: 8, 3: 2 }));
  assert.deepEqual(moved.sort(), [2, 3]);
  assert.equal(b.floor.get(2), 8);
  assert.equal(b.floor.get(1), 0);
});
