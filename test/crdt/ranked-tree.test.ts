import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { RankedTree } from '../../src/crdt/ranked-tree.js';

interface Item {
  readonly k: number;
}

const cmp = (a: Item, b: Item) => a.k - b.k;
const keys = (xs: Iterable<Item>) => [...xs].map((x) => x.k);

function treeOf(ks: number[], max?: number): { tree: RankedTree<Item>; items: Map<number, Item> } {
  const tree = new RankedTree<Item>(cmp, [], max);
  const items = new Map<number, Item>();
  for (const k of ks) {
    const it = { k };
    items.set(k, it);
    tree.insert(it);
  }
  return { tree, items };
}

test('insert keeps order; rank, at and slice agree', () => {
  const { tree, items } = treeOf([5, 1, 9, 3, 7]);
  tree.check();
  assert.deepEqual(keys(tree), [1, 3, 5, 7, 9]);
  assert.equal(tree.size, 5);
  assert.equal(tree.rankOf(items.get(7)!), 3);
  assert.equal(tree.rankOf({ k: 7 }), -1, 'rank looks for this very element');
  assert.equal(tree.at(0)!.k, 1);
  assert.equal(tree.at(5), undefined);
  assert.equal(tree.at(-1), undefined);
  assert.deepEqual(keys(tree.slice(1, 3)), [3, 5, 7]);
  assert.deepEqual(keys(tree.slice(3, 10, true)), [7, 5, 3, 1]);
  assert.deepEqual(keys(tree.slice(9, 2)), []);
});

test('lowerBound finds inclusive and exclusive bounds', () => {
  const { tree } = treeOf([10, 20, 20.5, 30]);
  assert.equal(tree.lowerBound((x) => x.k >= 20), 1);
  assert.equal(tree.lowerBound((x) => x.k > 20), 2);
  assert.equal(tree.lowerBound((x) => x.k >= -Infinity), 0);
  assert.equal(tree.lowerBound((x) => x.k > 30), 4);
});

test('delete removes only the element itself and rebalances', () => {
  const { tree, items } = treeOf(Array.from({ length: 500 }, (_, i) => i), 4);
  assert.equal(tree.delete({ k: 3 }), false);
  for (let i = 0; i < 500; i += 2) assert.equal(tree.delete(items.get(i)!), true);
  tree.check();
  assert.equal(tree.size, 250);
  assert.deepEqual(keys(tree).slice(0, 3), [1, 3, 5]);
  for (let i = 1; i < 500; i += 2) tree.delete(items.get(i)!);
  tree.check();
  assert.equal(tree.size, 0);
  assert.deepEqual(keys(tree), []);
});

test('bulk loading builds a valid tree', () => {
  for (const n of [0, 1, 3, 4, 5, 47, 48, 49, 1000, 5000]) {
    for (const max of [4, 64]) {
      const sorted = Array.from({ length: n }, (_, k) => ({ k }));
      const tree = new RankedTree<Item>(cmp, sorted, max);
      tree.check();
      assert.equal(tree.size, n);
      if (n > 0) assert.equal(tree.at(n - 1)!.k, n - 1);
    }
  }
});

type Op = { t: 'ins'; k: number } | { t: 'del'; k: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ t: fc.constant('ins' as const), k: fc.integer({ min: 0, max: 400 }) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('del' as const), k: fc.integer({ min: 0, max: 400 }) }) },
);

/** Runs ops against the tree and a sorted-array model; checks invariants and every query. */
function runModel(ops: Op[], max: number, probes: number[]): void {
  const tree = new RankedTree<Item>(cmp, [], max);
  const model: Item[] = [];
  const find = (k: number) => model.findIndex((x) => x.k === k);
  for (const op of ops) {
    const i = find(op.k);
    if (op.t === 'ins' && i < 0) {
      const it = { k: op.k };
      tree.insert(it);
      const at = model.findIndex((x) => x.k > op.k);
      model.splice(at < 0 ? model.length : at, 0, it);
    } else if (op.t === 'del') {
      assert.equal(tree.delete(i < 0 ? { k: op.k } : model[i]!), i >= 0);
      if (i >= 0) model.splice(i, 1);
    }
  }
  tree.check();
  assert.equal(tree.size, model.length);
  assert.deepEqual(keys(tree), keys(model));
  model.forEach((x, r) => {
    assert.equal(tree.rankOf(x), r);
    assert.equal(tree.at(r), x);
  });
  for (const p of probes) {
    const ge = model.findIndex((x) => x.k >= p);
    const gt = model.findIndex((x) => x.k > p);
    assert.equal(tree.lowerBound((x) => x.k >= p), ge < 0 ? model.length : ge);
    assert.equal(tree.lowerBound((x) => x.k > p), gt < 0 ? model.length : gt);
    const from = Math.abs(p) % (model.length + 2);
    assert.deepEqual(keys(tree.slice(from, 7)), keys(model.slice(from, from + 7)));
    const back = from < model.length ? model.slice(Math.max(0, from - 6), from + 1).reverse() : [];
    assert.deepEqual(keys(tree.slice(from, 7, true)), keys(back));
  }
}

test('matches a sorted-array model (small nodes: many splits and merges)', () => {
  fc.assert(
    fc.property(fc.array(opArb, { maxLength: 600 }), fc.array(fc.integer({ min: -1, max: 402 }), { maxLength: 8 }), (ops, probes) =>
      runModel(ops, 4, probes),
    ),
    { numRuns: 200 },
  );
});

test('matches a sorted-array model (default nodes)', () => {
  fc.assert(
    fc.property(fc.array(opArb, { maxLength: 1500 }), fc.array(fc.integer({ min: -1, max: 402 }), { maxLength: 8 }), (ops, probes) =>
      runModel(ops, 64, probes),
    ),
    { numRuns: 50 },
  );
});

test('large random workload keeps the invariants', () => {
  const tree = new RankedTree<Item>(cmp);
  const live: Item[] = [];
  let seed = 12345;
  // mulberry32: a small seeded generator, so the run is reproducible.
  const rnd = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  for (let i = 0; i < 60000; i++) {
    if (live.length > 0 && rnd() < 0.45) {
      const j = Math.floor(rnd() * live.length);
      assert.ok(tree.delete(live[j]!));
      live[j] = live[live.length - 1]!;
      live.pop();
    } else {
      const it = { k: rnd() + i }; // distinct keys, inserted in a loosely increasing order
      tree.insert(it);
      live.push(it);
    }
  }
  tree.check();
  assert.equal(tree.size, live.length);
  const sorted = live.map((x) => x.k).sort((a, b) => a - b);
  assert.deepEqual(keys(tree), sorted);
});
