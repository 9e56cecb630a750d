import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Leaf, Loc, Slot, TreeNode } from '../../src/crdt/order-tree.js';
import { Inner, OrderTree, keyId } from '../../src/crdt/order-tree.js';

interface ModelSlot {
  key: number;
  val: Slot;
}

/** The slot gap at absolute position `p` (0 <= p <= size), tombstones included. */
function gapAt(t: OrderTree, p: number): Loc {
  for (let l: Leaf | null = t.head; l !== null; l = l.next) {
    if (p <= l.size && (p < l.size || l.next === null)) return { leaf: l, off: p };
    p -= l.size;
  }
  throw new Error('position past the end');
}

function flatten(t: OrderTree): ModelSlot[] {
  const out: ModelSlot[] = [];
  for (let l: Leaf | null = t.head; l !== null; l = l.next) for (let i = 0; i < l.size; i++) out.push({ key: l.keys[i]!, val: l.vals[i]! });
  return out;
}

/** Structural invariants: counts, minId, parent links, leaf chain = in-order leaves. */
function checkInvariants(t: OrderTree): void {
  const leaves: Leaf[] = [];
  const walk = (n: TreeNode, parent: Inner | null): { live: number; size: number; min: number } => {
    assert.equal(n.parent, parent, 'parent link');
    if (n instanceof Inner) {
      assert.ok(n.kids.length > 0, 'empty inner node');
      let live = 0;
      let size = 0;
      let min = Infinity;
      for (const k of n.kids) {
        const c = walk(k, n);
        live += c.live;
        size += c.size;
        min = Math.min(min, c.min);
      }
      assert.equal(n.live, live, 'inner live');
      assert.equal(n.size, size, 'inner size');
      assert.equal(n.minId, min, 'inner minId');
      return { live, size, min };
    }
    leaves.push(n);
    const live = n.vals.filter((v) => typeof v === 'string').length;
    assert.equal(n.live, live, 'leaf live');
    assert.equal(n.minId, Math.min(...n.keys.map(keyId)), 'leaf minId');
    return { live, size: n.size, min: n.minId };
  };
  walk(t.root, null);
  let l: Leaf | null = t.head;
  for (const x of leaves) {
    assert.equal(l, x, 'leaf chain out of order');
    l = l!.next;
  }
  assert.equal(l, null);
  assert.equal(t.tail, leaves[leaves.length - 1]);
}

type Op =
  | { k: 'ins'; pos: number; id: number; vis: boolean }
  | { k: 'toggle'; pos: number }
  | { k: 'filter'; pos: number; mod: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ k: fc.constant('ins' as const), pos: fc.nat(), id: fc.nat({ max: 100000 }), vis: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('toggle' as const), pos: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('filter' as const), pos: fc.nat(), mod: fc.integer({ min: 1, max: 4 }) }) },
);

test('order tree matches an array model: positions, counts, firstBelow, index', () => {
  fc.assert(
    fc.property(fc.array(opArb, { minLength: 50, maxLength: 1500, size: 'max' }), fc.boolean(), (ops, indexed) => {
      const t = new OrderTree();
      if (indexed) t.buildIndex();
      const model: ModelSlot[] = [];
      let nextId = 1;
      for (const op of ops) {
        if (op.k === 'ins') {
          const p = op.pos % (model.length + 1);
          // Unique ids (the tree requires them for its index); the order is random.
          const id = op.id * 1000 + nextId++;
          const val: Slot = op.vis ? `v${id}` : id;
          const g = gapAt(t, p);
          const loc = t.insert(g.leaf, g.off, id * 4 + (id % 3), val);
          assert.equal(loc.leaf.keys[loc.off], id * 4 + (id % 3));
          model.splice(p, 0, { key: id * 4 + (id % 3), val });
        } else if (op.k === 'toggle') {
          if (model.length === 0) continue;
          const p = op.pos % model.length;
          const g = gapAt(t, p);
          const m = model[p]!;
          m.val = typeof m.val === 'string' ? 7 : 'back';
          t.setVal(g.leaf, g.off, m.val);
        } else {
          if (model.length === 0) continue;
          const g = gapAt(t, op.pos % model.length);
          const drop = new Set(g.leaf.keys.filter((k) => k % op.mod === 0));
          t.filter(g.leaf, (k) => !drop.has(k));
          for (let i = model.length - 1; i >= 0; i--) if (drop.has(model[i]!.key)) model.splice(i, 1);
        }
      }
      checkInvariants(t);
      assert.deepEqual(flatten(t), model);
      const visible = model.filter((m) => typeof m.val === 'string');
      assert.equal(t.live, visible.length);
      assert.equal(t.size, model.length);
      for (let i = 0; i < visible.length; i++) {
        const loc = t.at(i);
        assert.equal(loc.leaf.keys[loc.off], visible[i]!.key);
        assert.equal(t.visibleBefore(loc.leaf, loc.off), i);
      }
      if (!indexed) t.buildIndex();
      for (const m of model) {
        const loc = t.locate(keyId(m.key))!;
        assert.equal(loc.leaf.keys[loc.off], m.key);
      }
      // firstBelow from a few starting points, against a linear scan of the model.
      for (let p = 0; p < model.length; p += 7) {
        const bound = keyId(model[(p * 13) % model.length]!.key);
        const g = gapAt(t, p);
        const got = t.firstBelow(g.leaf, g.off, bound);
        let want = model.length;
        for (let q = p; q < model.length; q++) {
          if (keyId(model[q]!.key) < bound) {
            want = q;
            break;
          }
        }
        if (want === model.length) assert.ok(got.leaf === t.tail && got.off === t.tail.size, 'firstBelow should reach the end');
        else assert.equal(got.leaf.keys[got.off], model[want]!.key);
      }
    }),
    { numRuns: 150 },
  );
});

test('order tree bulk load and LPUSH/RPUSH-shaped growth keep invariants', () => {
  const keys: number[] = [];
  const vals: Slot[] = [];
  for (let i = 0; i < 5000; i++) {
    keys.push((i + 10) * 4);
    vals.push(i % 5 === 0 ? i + 1 : `x${i}`);
  }
  const t = OrderTree.fromSlots(keys.slice(), vals.slice());
  checkInvariants(t);
  for (let i = 0; i < 3000; i++) t.insert(t.head, 0, (100000 + i) * 4, `h${i}`);
  for (let i = 0; i < 3000; i++) t.insert(t.tail, t.tail.size, (200000 + i) * 4, `t${i}`);
  checkInvariants(t);
  assert.equal(t.size, 11000);
  assert.equal(t.live, 10000);
  const first = t.at(0);
  assert.equal(first.leaf.vals[first.off], 'h2999');
  const last = t.at(t.live - 1);
  assert.equal(last.leaf.vals[last.off], 't2999');
  // Remove everything but a few slots: leaves merge and the root collapses.
  for (let l: Leaf | null = t.head; l !== null; ) {
    const next: Leaf | null = l.next;
    t.filter(l, (k) => k % 1000 === 0);
    l = next;
  }
  checkInvariants(t);
  assert.equal(t.size, flatten(t).length);
  for (let l: Leaf | null = t.head; l !== null; ) {
    const next: Leaf | null = l.next;
    t.filter(l, () => false);
    l = next;
  }
  checkInvariants(t);
  assert.equal(t.size, 0);
  assert.equal(t.head, t.tail);
});
