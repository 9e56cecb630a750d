import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Harness, Pair, err, ok, run3 } from './harness.js';
import type { Value } from './harness.js';
import type { Effect } from '../../src/engine/effect.js';
import '../../src/engine/hashes.js';
import '../../src/engine/sets.js';
import { lookupCommand } from '../../src/engine/command-table.js';

const WRONGTYPE = err('WRONGTYPE Operation against a key holding the wrong kind of value');

const sorted = (v: Value): string[] => [...(v as string[])].sort();

function setOf(members: string[], key = 's', h = new Harness()): Harness {
  h.run('SADD', key, ...members);
  return h;
}

const range = (from: number, n: number): string[] => Array.from({ length: n }, (_, i) => String(from + i));

// ---- single-set commands ------------------------------------------------------------------------

test('SADD, SREM, SCARD, SISMEMBER, SMISMEMBER', () => {
  const h = new Harness();
  assert.equal(h.run('SADD', 's', 'a', 'b', 'a'), 2);
  assert.equal(h.run('SADD', 's', 'b', 'c'), 1);
  assert.equal(h.run('SCARD', 's'), 3);
  assert.equal(h.run('SCARD', 'missing'), 0);
  assert.equal(h.run('SISMEMBER', 's', 'a'), 1);
  assert.equal(h.run('SISMEMBER', 's', 'z'), 0);
  assert.equal(h.run('SISMEMBER', 'missing', 'a'), 0);
  assert.deepEqual(h.run('SMISMEMBER', 's', 'a', 'z', 'c'), [1, 0, 1]);
  assert.deepEqual(h.run('SMISMEMBER', 'missing', 'a', 'b'), [0, 0]);
  assert.equal(h.run('SREM', 's', 'a', 'a', 'z'), 1);
  assert.equal(h.run('SREM', 'missing', 'a'), 0);
  assert.deepEqual(h.run('TYPE', 's'), { simple: 'set' });
});

test('SREM of the last member deletes the key and its TTL', () => {
  const h = setOf(['a', 'b']);
  h.run('EXPIRE', 's', '100');
  assert.equal(h.run('SREM', 's', 'a', 'b', 'c'), 2);
  assert.equal(h.run('EXISTS', 's'), 0);
  assert.equal(h.db.keyspace.records.size, 0);
  h.run('SADD', 's', 'a');
  assert.equal(h.run('TTL', 's'), -1);
});

test('SMEMBERS: an intset in ascending order, other sets in insertion order; a set in RESP3', () => {
  const h = setOf(['5', '3', '10', '-1']);
  assert.deepEqual(h.run('SMEMBERS', 's'), ['-1', '3', '5', '10']);
  setOf(['b', 'a', '3'], 't', h);
  assert.deepEqual(h.run('SMEMBERS', 't'), ['b', 'a', '3']);
  assert.deepEqual(h.run('SMEMBERS', 'missing'), []);
  assert.deepEqual(run3(h, 'SMEMBERS', 's'), { t: 'set', v: ['-1', '3', '5', '10'] });
  assert.deepEqual(run3(h, 'SMEMBERS', 'missing'), { t: 'set', v: [] });
  assert.deepEqual(h.run('SMEMBERS', 's'), ['-1', '3', '5', '10']);
});

test('WRONGTYPE from every set command on a string; SET replaces a set', () => {
  const h = new Harness();
  h.run('SET', 'x', 'v');
  setOf(['m'], 's', h);
  const calls: string[][] = [
    ['SADD', 'x', 'm'], ['SREM', 'x', 'm'], ['SMEMBERS', 'x'], ['SISMEMBER', 'x', 'm'], ['SMISMEMBER', 'x', 'm'],
    ['SCARD', 'x'], ['SPOP', 'x'], ['SPOP', 'x', '2'], ['SRANDMEMBER', 'x'], ['SRANDMEMBER', 'x', '2'],
    ['SMOVE', 'x', 's', 'm'], ['SMOVE', 's', 'x', 'm'], ['SINTER', 's', 'x'], ['SINTER', 'missing', 'x'],
    ['SINTERCARD', '2', 'missing', 'x'], ['SINTERSTORE', 'd', 's', 'x'], ['SUNION', 's', 'x'], ['SUNIONSTORE', 'd', 'x'],
    ['SDIFF', 'missing', 'x'], ['SDIFFSTORE', 'd', 's', 'x'], ['SSCAN', 'x', '0'],
  ];
  for (const c of calls) assert.deepEqual(h.run(...c), WRONGTYPE, c.join(' '));
  assert.equal(h.run('EXISTS', 'd'), 0);
  assert.deepEqual(h.run('HSET', 's', 'f', 'v'), WRONGTYPE);
  assert.deepEqual(h.run('SET', 's', 'str'), ok);
  assert.equal(h.run('GET', 's'), 'str');
});

test('SMOVE: every branch', () => {
  const h = setOf(['a', 'b']);
  h.run('SET', 'str', 'x');
  assert.equal(h.run('SMOVE', 'missing', 'str', 'a'), 0); // a missing source answers before the type check
  assert.deepEqual(h.run('SMOVE', 's', 'str', 'a'), WRONGTYPE);
  assert.equal(h.run('SMOVE', 's', 's', 'a'), 1);
  assert.equal(h.run('SMOVE', 's', 's', 'z'), 0);
  assert.equal(h.run('SMOVE', 's', 'd', 'z'), 0);
  assert.equal(h.run('EXISTS', 'd'), 0);
  assert.equal(h.run('SMOVE', 's', 'd', 'a'), 1);
  assert.deepEqual(h.run('SMEMBERS', 'd'), ['a']);
  setOf(['b'], 'd', h);
  h.run('EXPIRE', 's', '100');
  // Moving the last member deletes the source; moving to a set that has it already still counts.
  assert.equal(h.run('SMOVE', 's', 'd', 'b'), 1);
  assert.equal(h.run('EXISTS', 's'), 0);
  assert.deepEqual(sorted(h.run('SMEMBERS', 'd')), ['a', 'b']);
});

// ---- random members -------------------------------------------------------------------------------

test('SPOP without count: a member, removed; the last one deletes the key', () => {
  const h = setOf(['a', 'b', 'c']);
  const popped = [h.run('SPOP', 's'), h.run('SPOP', 's'), h.run('SPOP', 's')];
  assert.deepEqual(sorted(popped), ['a', 'b', 'c']);
  assert.equal(h.run('EXISTS', 's'), 0);
  assert.equal(h.run('SPOP', 's'), null);
  assert.deepEqual(h.run('SPOP', 's', '1', '2'), err('ERR syntax error'));
});

test('SPOP with count: distinct members, a set in RESP3, the whole set deletes the key', () => {
  const h = setOf(range(0, 20));
  assert.deepEqual(h.run('SPOP', 's', '0'), []);
  assert.deepEqual(h.run('SPOP', 'missing', '3'), []);
  assert.deepEqual(run3(h, 'SPOP', 'missing', '3'), { t: 'set', v: [] });
  const a = h.run('SPOP', 's', '3') as string[];
  assert.equal(new Set(a).size, 3);
  assert.equal(h.run('SCARD', 's'), 17);
  for (const m of a) assert.equal(h.run('SISMEMBER', 's', m), 0);
  const b = run3(h, 'SPOP', 's', '15') as { t: string; v: string[] };
  assert.equal(b.t, 'set');
  assert.equal(new Set(b.v).size, 15);
  const rest = h.run('SPOP', 's', '100') as string[];
  assert.deepEqual([...a, ...b.v, ...rest].map(Number).sort((x, y) => x - y), range(0, 20).map(Number));
  assert.equal(h.run('EXISTS', 's'), 0);
});

test('SPOP count errors: "must be positive" for negatives and non-numbers alike', () => {
  const h = setOf(['a']);
  for (const c of ['-1', 'abc', '', '1.5', '9223372036854775808']) {
    assert.deepEqual(h.run('SPOP', 's', c), err('ERR value is out of range, must be positive'), c);
  }
  h.run('SET', 'str', 'x');
  assert.deepEqual(h.run('SPOP', 'str', 'x'), err('ERR value is out of range, must be positive'));
});

test('SRANDMEMBER: single, positive (distinct), negative (repeats), errors', () => {
  const h = setOf(range(0, 10));
  assert.equal(h.run('SRANDMEMBER', 'missing'), null);
  assert.ok(range(0, 10).includes(h.run('SRANDMEMBER', 's') as string));
  assert.deepEqual(h.run('SRANDMEMBER', 's', '0'), []);
  assert.deepEqual(h.run('SRANDMEMBER', 'missing', '5'), []);
  for (const n of [1, 3, 7, 9]) assert.equal(new Set(h.run('SRANDMEMBER', 's', String(n)) as string[]).size, n);
  // Covering the whole set: an intset comes back in order.
  assert.deepEqual(h.run('SRANDMEMBER', 's', '10'), range(0, 10));
  assert.deepEqual(h.run('SRANDMEMBER', 's', '9223372036854775807'), range(0, 10));
  const rep = h.run('SRANDMEMBER', 's', '-25') as string[];
  assert.equal(rep.length, 25);
  assert.ok(rep.every((m) => range(0, 10).includes(m)));
  assert.equal((run3(h, 'SRANDMEMBER', 's', '-2') as { t: string }).t, 'array');
  assert.equal((run3(h, 'SRANDMEMBER', 's', '2') as { t: string }).t, 'array');
  assert.equal(h.run('SCARD', 's'), 10);
  assert.deepEqual(h.run('SRANDMEMBER', 's', '-9223372036854775808'), err('ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807'));
  assert.deepEqual(h.run('SRANDMEMBER', 's', 'x'), err('ERR value is not an integer or out of range'));
  assert.deepEqual(h.run('SRANDMEMBER', 's', '1', '2'), err('ERR syntax error'));
});

test('SPOP and SRANDMEMBER draw from db.random: the same seed gives the same choices', () => {
  const a = setOf(range(0, 50));
  const b = setOf(range(0, 50));
  assert.deepEqual(a.run('SRANDMEMBER', 's', '-5'), b.run('SRANDMEMBER', 's', '-5'));
  assert.deepEqual(a.run('SPOP', 's', '5'), b.run('SPOP', 's', '5'));
  assert.deepEqual(a.run('SPOP', 's'), b.run('SPOP', 's'));
});

// ---- multi-set commands -------------------------------------------------------------------------

test('SINTER, SINTERSTORE: a missing key is an empty set, but every key is type-checked', () => {
  const h = setOf(['1', '2', '3', 'x']);
  setOf(['2', '3', '4', 'x'], 't', h);
  assert.deepEqual(sorted(h.run('SINTER', 's', 't')), ['2', '3', 'x']);
  assert.deepEqual(sorted(h.run('SINTER', 's', 's')), ['1', '2', '3', 'x']);
  assert.deepEqual(h.run('SINTER', 's', 'missing'), []);
  assert.deepEqual(run3(h, 'SINTER', 's', 'missing'), { t: 'set', v: [] });
  h.run('SET', 'str', 'v');
  assert.deepEqual(h.run('SINTER', 'missing', 'str'), WRONGTYPE);
  assert.equal(h.run('SINTERSTORE', 'd', 's', 't'), 3);
  assert.deepEqual(sorted(h.run('SMEMBERS', 'd')), ['2', '3', 'x']);
  // The destination is replaced whatever it held, and deleted when the result is empty.
  h.run('EXPIRE', 'str', '100');
  assert.equal(h.run('SINTERSTORE', 'str', 's', 't'), 3);
  assert.deepEqual(h.run('TYPE', 'str'), { simple: 'set' });
  assert.equal(h.run('TTL', 'str'), -1);
  assert.equal(h.run('SINTERSTORE', 'd', 's', 'missing'), 0);
  assert.equal(h.run('EXISTS', 'd'), 0);
  // The destination may be one of the sources.
  assert.equal(h.run('SINTERSTORE', 's', 's', 't'), 3);
  assert.deepEqual(sorted(h.run('SMEMBERS', 's')), ['2', '3', 'x']);
});

test('SINTERCARD: LIMIT, and the exact argument errors', () => {
  const h = setOf(range(0, 10));
  setOf(range(5, 10), 't', h);
  assert.equal(h.run('SINTERCARD', '2', 's', 't'), 5);
  assert.equal(h.run('SINTERCARD', '2', 's', 't', 'LIMIT', '3'), 3);
  assert.equal(h.run('SINTERCARD', '2', 's', 't', 'limit', '0'), 5);
  assert.equal(h.run('SINTERCARD', '1', 's', 'LIMIT', '100'), 10);
  assert.equal(h.run('SINTERCARD', '2', 's', 'missing'), 0);
  for (const n of ['0', '-1', 'x', '']) assert.deepEqual(h.run('SINTERCARD', n, 's'), err('ERR numkeys should be greater than 0'));
  assert.deepEqual(h.run('SINTERCARD', '2', 's'), err("ERR Number of keys can't be greater than number of args"));
  assert.deepEqual(h.run('SINTERCARD', '1', 's', 'LIMIT', '-1'), err("ERR LIMIT can't be negative"));
  assert.deepEqual(h.run('SINTERCARD', '1', 's', 'LIMIT', 'x'), err("ERR LIMIT can't be negative"));
  assert.deepEqual(h.run('SINTERCARD', '1', 's', 'LIMIT'), err('ERR syntax error'));
  assert.deepEqual(h.run('SINTERCARD', '1', 's', 'FOO'), err('ERR syntax error'));
});

test('SUNION, SDIFF and their STORE forms; SDIFF of a key with itself is empty', () => {
  const h = setOf(['3', '1', '2']);
  setOf(['b', '2', 'a'], 't', h);
  assert.deepEqual(sorted(h.run('SUNION', 's', 't', 'missing')), ['1', '2', '3', 'a', 'b']);
  // An all-integer result is built as an intset: ascending order, as Redis replies.
  assert.deepEqual(h.run('SDIFF', 's', 't'), ['1', '3']);
  assert.deepEqual(h.run('SUNION', 's', 'missing'), ['1', '2', '3']);
  assert.deepEqual(h.run('SDIFF', 's', 's'), []);
  setOf(['5', '3', 'x'], 'h5', h);
  setOf(['x'], 'x', h);
  assert.deepEqual(h.run('SDIFF', 'h5', 'x'), ['3', '5']);
  assert.deepEqual(h.run('SUNION', 'x', 'h5'), ['x', '5', '3']);
  assert.deepEqual(h.run('SDIFF', 'missing', 's'), []);
  assert.deepEqual(run3(h, 'SUNION', 's'), { t: 'set', v: ['1', '2', '3'] });
  assert.equal(h.run('SUNIONSTORE', 'u', 's', 't'), 5);
  assert.deepEqual(sorted(h.run('SMEMBERS', 'u')), ['1', '2', '3', 'a', 'b']);
  assert.equal(h.run('SDIFFSTORE', 'u', 't', 's'), 2);
  assert.deepEqual(sorted(h.run('SMEMBERS', 'u')), ['a', 'b']);
  assert.equal(h.run('SDIFFSTORE', 'u', 's', 's'), 0);
  assert.equal(h.run('EXISTS', 'u'), 0);
  h.run('HSET', 'hash', 'f', 'v');
  assert.equal(h.run('SUNIONSTORE', 'hash', 's'), 3);
  assert.deepEqual(h.run('TYPE', 'hash'), { simple: 'set' });
});

test('SSCAN: one page, MATCH on members, options checked only for an existing set', () => {
  const h = setOf([...range(0, 700), 'a']);
  const [cursor, page] = h.run('SSCAN', 's', '0', 'COUNT', '5') as [string, string[]];
  assert.equal(cursor, '0');
  assert.equal(page.length, 701);
  assert.deepEqual(sorted((h.run('SSCAN', 's', '0', 'MATCH', '6??') as [string, string[]])[1]), range(600, 100));
  assert.deepEqual(h.run('SSCAN', 'missing', '0', 'COUNT', '0'), ['0', []]);
  assert.deepEqual(h.run('SSCAN', 's', '0', 'COUNT', '0'), err('ERR syntax error'));
  assert.deepEqual(h.run('SSCAN', 's', '0', 'TYPE', 'set'), err('ERR syntax error'));
  assert.deepEqual(h.run('SSCAN', 's', '-'), err('ERR invalid cursor'));
  setOf(['10', '2', '-3'], 'i', h);
  assert.deepEqual(h.run('SSCAN', 'i', '0'), ['0', ['-3', '2', '10']]);
});

// ---- encodings ------------------------------------------------------------------------------------

test('OBJECT ENCODING: intset for up to 512 integers, hashtable otherwise, never back', () => {
  const h = setOf(range(0, 512));
  assert.equal(h.run('OBJECT', 'ENCODING', 's'), 'intset');
  h.run('SADD', 's', '512');
  assert.equal(h.run('OBJECT', 'ENCODING', 's'), 'hashtable');
  h.run('SREM', 's', '512', '511');
  assert.equal(h.run('OBJECT', 'ENCODING', 's'), 'hashtable');
  setOf(['1', '01'], 'n', h); // "01" is not a canonical integer
  assert.equal(h.run('OBJECT', 'ENCODING', 'n'), 'hashtable');
  setOf(['1', 'a'], 'm', h);
  h.run('SREM', 'm', 'a');
  assert.equal(h.run('OBJECT', 'ENCODING', 'm'), 'hashtable');
  // SMOVE creates its destination from the member moved.
  h.run('SMOVE', 'm', 'fresh', '1');
  assert.equal(h.run('OBJECT', 'ENCODING', 'fresh'), 'intset');
});

test('OBJECT ENCODING of results built from scratch: STORE commands and SPOP\'s rebuilt set', () => {
  const h = setOf([...range(1, 10), 'x'], 's0');
  for (const k of ['s1', 's2', 's3']) setOf(['x'], k, h);
  // SDIFF's second algorithm first copies the whole first set (with "x"): a hash table.
  assert.equal(h.run('SDIFFSTORE', 'd', 's0', 's1', 's2', 's3'), 10);
  assert.equal(h.run('OBJECT', 'ENCODING', 'd'), 'hashtable');
  // The first algorithm adds only the survivors: an intset.
  assert.equal(h.run('SDIFFSTORE', 'e', 's0', 's1'), 10);
  assert.equal(h.run('OBJECT', 'ENCODING', 'e'), 'intset');
  assert.deepEqual(h.run('SDIFF', 's0', 's1'), range(1, 10));
  assert.equal(h.run('SINTERSTORE', 'i', 's0', 's0'), 11);
  assert.equal(h.run('OBJECT', 'ENCODING', 'i'), 'hashtable');
  // A hash-table destination replaced by an all-integer result becomes an intset.
  assert.equal(h.run('SUNIONSTORE', 'i', 'e'), 10);
  assert.equal(h.run('OBJECT', 'ENCODING', 'i'), 'intset');
  // SPOP popping at least 5× what remains rebuilds the set from the survivors.
  setOf(['a', ...range(1, 10)], 'v', h);
  h.run('SREM', 'v', 'a');
  h.run('SPOP', 'v', '9');
  assert.equal(h.run('OBJECT', 'ENCODING', 'v'), 'intset');
  setOf(['a', ...range(1, 9)], 'w', h);
  h.run('SREM', 'w', 'a');
  h.run('SPOP', 'w', '1');
  assert.equal(h.run('OBJECT', 'ENCODING', 'w'), 'hashtable');
});

test('RENAME and COPY carry a set, its TTL and its encoding', () => {
  const h = setOf(['1', '2', 'a']);
  h.run('SREM', 's', 'a');
  h.run('EXPIRE', 's', '100');
  assert.equal(h.run('COPY', 's', 'c'), 1);
  assert.deepEqual(sorted(h.run('SMEMBERS', 'c')), ['1', '2']);
  assert.equal(h.run('OBJECT', 'ENCODING', 'c'), 'hashtable');
  assert.equal(h.run('TTL', 'c'), 100);
  setOf(['z'], 'dst', h);
  assert.deepEqual(h.run('RENAME', 's', 'dst'), ok);
  assert.deepEqual(sorted(h.run('SMEMBERS', 'dst')), ['1', '2']);
  assert.equal(h.run('OBJECT', 'ENCODING', 'dst'), 'hashtable');
});

test('the command table matches COMMAND INFO of redis-server 7.0', () => {
  const spec = (n: string) => lookupCommand(n)!;
  assert.deepEqual([spec('sadd').arity, spec('spop').arity, spec('smove').arity, spec('sintercard').arity, spec('sscan').arity], [-3, -2, 4, -3, -3]);
  assert.deepEqual(spec('sadd').flags, ['write', 'denyoom', 'fast']);
  assert.deepEqual(spec('spop').flags, ['write', 'fast']);
  assert.deepEqual(spec('sintercard').flags, ['readonly', 'movablekeys']);
  assert.equal(spec('sintercard').keys, undefined);
  assert.deepEqual(spec('smove').keys, { first: 1, last: 2, step: 1 });
  assert.deepEqual(spec('sunionstore').keys, { first: 1, last: -1, step: 1 });
  assert.deepEqual(spec('srandmember').acl, ['read', 'set', 'slow']);
  assert.equal(spec('SMEMBERS').group, 'set');
});

// ---- Active-Active --------------------------------------------------------------------------------

/** Two instances (harness Pair), effects delivered through the wire encoding on sync(). */
function pair(): { a: Harness; b: Harness; sync: () => void } {
  const p = new Pair();
  return { a: p.a, b: p.b, sync: () => p.sync() };
}

test('TV-SET-01 add wins: concurrent SADDs union', () => {
  const { a, b, sync } = pair();
  assert.equal(a.run('SADD', 'key1', 'a'), 1);
  assert.equal(b.run('SADD', 'key1', 'b'), 1);
  assert.deepEqual(a.run('SMEMBERS', 'key1'), ['a']);
  assert.deepEqual(b.run('SMEMBERS', 'key1'), ['b']);
  sync();
  for (const x of [a, b]) assert.deepEqual(sorted(x.run('SMEMBERS', 'key1')), ['a', 'b']);
});

test('TV-SET-02 observed remove: SREM removes only what it saw', () => {
  const { a, b, sync } = pair();
  a.run('SADD', 'key1', 'a', 'b');
  sync();
  for (const x of [a, b]) assert.deepEqual(sorted(x.run('SMEMBERS', 'key1')), ['a', 'b']);
  assert.equal(a.run('SREM', 'key1', 'a'), 1);
  assert.equal(b.run('SADD', 'key1', 'c'), 1);
  assert.equal(a.run('SREM', 'key1', 'c'), 0);
  sync();
  for (const x of [a, b]) assert.deepEqual(sorted(x.run('SMEMBERS', 'key1')), ['b', 'c']);
});

test('TV-SET-03 concurrent SREM vs re-add of the same member: the re-add wins', () => {
  const { a, b, sync } = pair();
  a.run('SADD', 's', 'x', 'y');
  sync();
  assert.equal(a.run('SREM', 's', 'x'), 1);
  assert.equal(b.run('SREM', 's', 'x'), 1);
  assert.equal(b.run('SADD', 's', 'x'), 1);
  sync();
  for (const x of [a, b]) assert.deepEqual(sorted(x.run('SMEMBERS', 's')), ['x', 'y']);
});

test('TV-SET-04 DEL vs a concurrent SADD: the key lives on with only the new member', () => {
  const { a, b, sync } = pair();
  assert.equal(a.run('SADD', 's', 'e1'), 1);
  sync();
  assert.equal(a.run('SCARD', 's'), 1);
  assert.equal(b.run('SCARD', 's'), 1);
  assert.equal(a.run('SADD', 's', 'e2'), 1);
  assert.equal(b.run('DEL', 's'), 1);
  assert.equal(a.run('SCARD', 's'), 2);
  assert.equal(b.run('SCARD', 's'), 0);
  sync();
  for (const x of [a, b]) {
    assert.equal(x.run('SCARD', 's'), 1);
    assert.equal(x.run('EXISTS', 's'), 1);
    assert.deepEqual(x.run('SMEMBERS', 's'), ['e2']);
  }
});

test('TV-KEY-01 shape for sets: SREM of the last member vs a concurrent SADD of another', () => {
  const { a, b, sync } = pair();
  a.run('SADD', 's', 'm1');
  sync();
  assert.equal(a.run('SREM', 's', 'm1'), 1);
  assert.equal(a.run('EXISTS', 's'), 0);
  assert.equal(b.run('SADD', 's', 'm2'), 1);
  sync();
  for (const x of [a, b]) assert.deepEqual(x.run('SMEMBERS', 's'), ['m2']);
});

test('SPOP on two instances at once may return the same member to both (at least once)', () => {
  const { a, b, sync } = pair();
  a.run('SADD', 's', 'only');
  sync();
  assert.equal(a.run('SPOP', 's'), 'only');
  assert.equal(b.run('SPOP', 's'), 'only');
  sync();
  for (const x of [a, b]) assert.equal(x.run('EXISTS', 's'), 0);
});

test('a *STORE destination replaces what it saw; a concurrent SADD to it survives', () => {
  const { a, b, sync } = pair();
  a.run('SADD', 'src', '1', '2');
  a.run('SADD', 'dst', 'old');
  sync();
  assert.equal(a.run('SUNIONSTORE', 'dst', 'src'), 2);
  assert.equal(b.run('SADD', 'dst', 'concurrent'), 1);
  sync();
  for (const x of [a, b]) assert.deepEqual(sorted(x.run('SMEMBERS', 'dst')), ['1', '2', 'concurrent']);
});

test('SMOVE replicates as a removal from the source and an add to the destination', () => {
  const { a, b, sync } = pair();
  a.run('SADD', 'from', 'm', 'n');
  sync();
  assert.equal(a.run('SMOVE', 'from', 'to', 'm'), 1);
  assert.equal(b.run('SADD', 'from', 'm'), 0); // a concurrent re-add of a present member: add wins
  sync();
  for (const x of [a, b]) {
    assert.deepEqual(x.run('SMEMBERS', 'to'), ['m']);
    assert.deepEqual(sorted(x.run('SMEMBERS', 'from')), ['m', 'n']);
  }
});

test('a member SREM removed stays removed where the delete arrives before the add it saw', () => {
  // Effects of different origins may arrive in any order: B gets A's SREM of the last member
  // before C's SADD that A had seen. The key-level delete leaves a tombstone until stable.
  const hs = [1, 2, 3].map((id) => new Harness(id));
  const sent: Effect[][] = hs.map(() => []);
  hs.forEach((x, i) => {
    x.db.stability = { isStable: () => false }; // peers exist: nothing is stable yet
    x.db.sink = { effect: (e) => sent[i]!.push(e), commit: () => undefined };
  });
  const [a, b, c] = hs as [Harness, Harness, Harness];
  c.run('SADD', 's', 'm');
  for (const e of sent[2]!) a.db.applyRemote(e);
  assert.equal(a.run('SPOP', 's'), 'm');
  for (const e of sent[0]!) b.db.applyRemote(e);
  for (const e of sent[2]!) b.db.applyRemote(e);
  for (const x of [a, b]) assert.equal(x.run('EXISTS', 's'), 0);
});
