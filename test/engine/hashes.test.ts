import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Harness, Pair, err, ok, run3 } from './harness.js';
import type { Value } from './harness.js';
import type { Effect } from '../../src/engine/effect.js';
import '../../src/engine/hashes.js';
import '../../src/engine/sets.js';
import { lookupCommand } from '../../src/engine/command-table.js';

const WRONGTYPE = err('WRONGTYPE Operation against a key holding the wrong kind of value');

/** Field/value pairs of a flat HGETALL-style reply, sorted by field (hash order is not a contract). */
function pairsOf(v: Value): [string, string][] {
  const a = v as string[];
  const out: [string, string][] = [];
  for (let i = 0; i < a.length; i += 2) out.push([a[i]!, a[i + 1]!]);
  return out.sort((x, y) => (x[0] < y[0] ? -1 : 1));
}

// ---- writes and reads ---------------------------------------------------------------------------

test('HSET, HMSET, HSETNX, HGET, HMGET, HLEN, HEXISTS, HSTRLEN', () => {
  const h = new Harness();
  assert.equal(h.run('HSET', 'h', 'f1', 'a', 'f2', 'bb'), 2);
  // A field named twice in one command is created once and keeps the last value.
  assert.equal(h.run('HSET', 'h', 'f2', 'x', 'f3', '1', 'f3', '2'), 1);
  assert.equal(h.run('HGET', 'h', 'f3'), '2');
  assert.equal(h.run('HGET', 'h', 'nope'), null);
  assert.equal(h.run('HGET', 'missing', 'f'), null);
  assert.deepEqual(h.run('HMSET', 'h', 'f4', 'd'), ok);
  assert.deepEqual(h.run('HMGET', 'h', 'f1', 'nope', 'f4'), ['a', null, 'd']);
  assert.deepEqual(h.run('HMGET', 'missing', 'a', 'b'), [null, null]);
  assert.equal(h.run('HSETNX', 'h', 'f1', 'zzz'), 0);
  assert.equal(h.run('HSETNX', 'h', 'f5', 'e'), 1);
  assert.equal(h.run('HSETNX', 'new', 'f', 'v'), 1);
  assert.equal(h.run('HLEN', 'h'), 5);
  assert.equal(h.run('HLEN', 'missing'), 0);
  assert.equal(h.run('HEXISTS', 'h', 'f1'), 1);
  assert.equal(h.run('HEXISTS', 'h', 'nope'), 0);
  assert.equal(h.run('HEXISTS', 'missing', 'f1'), 0);
  assert.equal(h.run('HSTRLEN', 'h', 'f2'), 1);
  assert.equal(h.run('HSTRLEN', 'h', 'nope'), 0);
  assert.equal(h.run('HSTRLEN', 'missing', 'f'), 0);
  assert.deepEqual(h.run('TYPE', 'h'), { simple: 'hash' });
});

test('HSET/HMSET with a field missing its value: the arity error names the command', () => {
  const h = new Harness();
  assert.deepEqual(h.run('HSET', 'h', 'f', 'v', 'g'), err("ERR wrong number of arguments for 'hset' command"));
  assert.deepEqual(h.run('HMSET', 'h', 'f', 'v', 'g'), err("ERR wrong number of arguments for 'hmset' command"));
  assert.deepEqual(h.run('HSET', 'h', 'f'), err("ERR wrong number of arguments for 'hset' command"));
  assert.equal(h.run('EXISTS', 'h'), 0);
});

test('HGETALL, HKEYS, HVALS keep insertion order (a listpack\'s), updates in place', () => {
  const h = new Harness();
  h.run('HSET', 'h', 'f1', 'a', 'f2', 'b', 'f3', 'c');
  h.run('HSET', 'h', 'f2', 'B', 'f4', 'd');
  assert.deepEqual(h.run('HGETALL', 'h'), ['f1', 'a', 'f2', 'B', 'f3', 'c', 'f4', 'd']);
  h.run('HDEL', 'h', 'f1');
  h.run('HSET', 'h', 'f1', 'z');
  assert.deepEqual(h.run('HKEYS', 'h'), ['f2', 'f3', 'f4', 'f1']);
  assert.deepEqual(h.run('HVALS', 'h'), ['B', 'c', 'd', 'z']);
  assert.deepEqual(h.run('HGETALL', 'missing'), []);
  assert.deepEqual(h.run('HKEYS', 'missing'), []);
  assert.deepEqual(h.run('HVALS', 'missing'), []);
});

test('HGETALL is a map in RESP3 (an empty map for a missing key); HKEYS stays an array', () => {
  const h = new Harness();
  h.run('HSET', 'h', 'f', 'v');
  assert.deepEqual(run3(h, 'HGETALL', 'h'), { t: 'map', v: ['f', 'v'] });
  assert.deepEqual(run3(h, 'HGETALL', 'missing'), { t: 'map', v: [] });
  assert.deepEqual(run3(h, 'HKEYS', 'h'), { t: 'array', v: ['f'] });
});

test('HDEL counts distinct fields removed; removing the last field deletes the key and its TTL', () => {
  const h = new Harness();
  assert.equal(h.run('HDEL', 'missing', 'f'), 0);
  h.run('HSET', 'h', 'a', '1', 'b', '2', 'c', '3');
  assert.equal(h.run('HDEL', 'h', 'a', 'a', 'nope'), 1);
  assert.equal(h.run('HDEL', 'h', 'nope'), 0);
  h.run('EXPIRE', 'h', '100');
  assert.equal(h.run('HDEL', 'h', 'b', 'c', 'x'), 2);
  assert.equal(h.run('EXISTS', 'h'), 0);
  assert.equal(h.run('DBSIZE'), 0);
  // No peers: the key leaves nothing behind.
  assert.equal(h.db.keyspace.records.size, 0);
  h.run('HSET', 'h', 'a', '1');
  assert.equal(h.run('TTL', 'h'), -1);
});

test('WRONGTYPE from every hash command on a string, and string commands on a hash', () => {
  const h = new Harness();
  h.run('SET', 's', 'x');
  const calls: string[][] = [
    ['HSET', 's', 'f', 'v'], ['HMSET', 's', 'f', 'v'], ['HSETNX', 's', 'f', 'v'], ['HGET', 's', 'f'], ['HMGET', 's', 'f'],
    ['HDEL', 's', 'f'], ['HEXISTS', 's', 'f'], ['HGETALL', 's'], ['HKEYS', 's'], ['HVALS', 's'], ['HLEN', 's'],
    ['HSTRLEN', 's', 'f'], ['HINCRBY', 's', 'f', '1'], ['HINCRBYFLOAT', 's', 'f', '1'], ['HRANDFIELD', 's'],
    ['HRANDFIELD', 's', '2'], ['HRANDFIELD', 's', '2', 'WITHVALUES'], ['HSCAN', 's', '0'],
  ];
  for (const c of calls) assert.deepEqual(h.run(...c), WRONGTYPE, c.join(' '));
  assert.equal(h.run('GET', 's'), 'x');
  h.run('HSET', 'h', 'f', 'v');
  assert.deepEqual(h.run('GET', 'h'), WRONGTYPE);
  assert.deepEqual(h.run('SADD', 'h', 'm'), WRONGTYPE);
  // SET replaces a hash whatever it holds.
  assert.deepEqual(h.run('SET', 'h', 'now a string'), ok);
  assert.deepEqual(h.run('TYPE', 'h'), { simple: 'string' });
  assert.equal(h.run('HGET', 'h', 'f') !== null, true);
});

test('argument errors come before the type check, as in Redis', () => {
  const h = new Harness();
  h.run('SET', 's', 'x');
  assert.deepEqual(h.run('HINCRBY', 's', 'f', 'x'), err('ERR value is not an integer or out of range'));
  assert.deepEqual(h.run('HINCRBYFLOAT', 's', 'f', 'x'), err('ERR value is not a valid float'));
  assert.deepEqual(h.run('HINCRBYFLOAT', 's', 'f', 'inf'), err('ERR value is NaN or Infinity'));
  assert.deepEqual(h.run('HRANDFIELD', 's', '5', 'foo'), err('ERR syntax error'));
  assert.deepEqual(h.run('HRANDFIELD', 's', 'x'), err('ERR value is not an integer or out of range'));
  assert.deepEqual(h.run('HSCAN', 's', 'x'), err('ERR invalid cursor'));
});

// ---- counters ---------------------------------------------------------------------------------

test('HINCRBY: new and existing fields, text values, overflow', () => {
  const h = new Harness();
  assert.equal(h.run('HINCRBY', 'h', 'n', '5'), 5);
  assert.equal(h.run('HINCRBY', 'h', 'n', '-7'), -2);
  h.run('HSET', 'h', 'r', '10');
  assert.equal(h.run('HINCRBY', 'h', 'r', '1'), 11);
  assert.equal(h.run('HGET', 'h', 'r'), '11');
  assert.equal(h.run('HSTRLEN', 'h', 'r'), 2);
  h.run('HSET', 'h', 's', 'abc', 'f', '1.5', 'big', '9223372036854775807');
  assert.deepEqual(h.run('HINCRBY', 'h', 's', '1'), err('ERR hash value is not an integer'));
  assert.deepEqual(h.run('HINCRBY', 'h', 'f', '1'), err('ERR hash value is not an integer'));
  assert.deepEqual(h.run('HINCRBY', 'h', 'big', '1'), err('ERR increment or decrement would overflow'));
  assert.deepEqual(h.run('HINCRBY', 'h', 'n', '-9223372036854775808'), err('ERR increment or decrement would overflow'));
  assert.deepEqual(h.run('HINCRBY', 'h', 'n', '1.0'), err('ERR value is not an integer or out of range'));
  // HSET replaces a counter field.
  h.run('HSET', 'h', 'n', '100');
  assert.equal(h.run('HINCRBY', 'h', 'n', '1'), 101);
});

test('HINCRBYFLOAT replies the long double text Redis stores, with its own error texts', () => {
  const h = new Harness();
  assert.equal(h.run('HINCRBYFLOAT', 'h', 'n', '1.5'), '1.5');
  assert.equal(h.run('HINCRBYFLOAT', 'h', 'n', '0.5'), '2');
  assert.equal(h.run('HINCRBYFLOAT', 'h', 'n', '0.1'), '2.1');
  assert.equal(h.run('HINCRBYFLOAT', 'h', 'n', '-0.1'), '2');
  assert.equal(h.run('HSTRLEN', 'h', 'n'), 1);
  assert.equal(h.run('HINCRBYFLOAT', 'h', 'm', '1e20'), '100000000000000000000');
  assert.equal(h.run('HINCRBYFLOAT', 'h', 'm2', '3.0e3'), '3000');
  // An integer field and an HINCRBY after floats.
  h.run('HSET', 'h', 'i', '5');
  assert.equal(h.run('HINCRBYFLOAT', 'h', 'i', '0.25'), '5.25');
  assert.deepEqual(h.run('HINCRBY', 'h', 'i', '1'), err('ERR hash value is not an integer'));
  h.run('HSET', 'h', 's', 'abc', 'huge', '1.18e4932');
  assert.deepEqual(h.run('HINCRBYFLOAT', 'h', 's', '1'), err('ERR hash value is not a float'));
  assert.deepEqual(h.run('HINCRBYFLOAT', 'h', 'huge', '1.18e4932'), err('ERR increment would produce NaN or Infinity'));
  assert.deepEqual(h.run('HINCRBYFLOAT', 'h', 'n', 'abc'), err('ERR value is not a valid float'));
  assert.deepEqual(h.run('HINCRBYFLOAT', 'h', 'n', '-inf'), err('ERR value is NaN or Infinity'));
  assert.equal(h.run('HGET', 'h', 'n'), '2');
});

// ---- HRANDFIELD ---------------------------------------------------------------------------------

function hashOf(n: number): Harness {
  const h = new Harness();
  const args: string[] = [];
  for (let i = 0; i < n; i++) args.push(`f${i}`, `v${i}`);
  h.run('HSET', 'h', ...args);
  return h;
}

test('HRANDFIELD without count: one field, nil for a missing key', () => {
  const h = hashOf(5);
  const seen = new Set<Value>();
  for (let i = 0; i < 100; i++) seen.add(h.run('HRANDFIELD', 'h'));
  assert.deepEqual([...seen].sort(), ['f0', 'f1', 'f2', 'f3', 'f4']);
  assert.equal(h.run('HRANDFIELD', 'missing'), null);
});

test('HRANDFIELD with count: distinct for a positive count, repeats for a negative one', () => {
  const h = hashOf(10);
  assert.deepEqual(h.run('HRANDFIELD', 'h', '0'), []);
  assert.deepEqual(h.run('HRANDFIELD', 'missing', '3'), []);
  for (const n of [1, 2, 4, 9]) {
    const r = h.run('HRANDFIELD', 'h', String(n)) as string[];
    assert.equal(r.length, n);
    assert.equal(new Set(r).size, n);
  }
  assert.deepEqual((h.run('HRANDFIELD', 'h', '100') as string[]).sort(), Array.from({ length: 10 }, (_, i) => `f${i}`).sort());
  const rep = h.run('HRANDFIELD', 'h', '-30') as string[];
  assert.equal(rep.length, 30);
  assert.ok(new Set(rep).size < 30, 'a negative count repeats fields');
  const wv = h.run('HRANDFIELD', 'h', '-4', 'withvalues') as string[];
  assert.equal(wv.length, 8);
  for (const [f, v] of pairsOf(wv)) assert.equal(v, f.replace('f', 'v'));
  assert.deepEqual(pairsOf(h.run('HRANDFIELD', 'h', '10', 'WITHVALUES')), pairsOf(h.run('HGETALL', 'h')));
});

test('HRANDFIELD argument errors', () => {
  const h = hashOf(3);
  assert.deepEqual(h.run('HRANDFIELD', 'h', '-9223372036854775808'), err('ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807'));
  assert.deepEqual(h.run('HRANDFIELD', 'h', '4611686018427387904', 'WITHVALUES'), err('ERR value is out of range'));
  assert.deepEqual(h.run('HRANDFIELD', 'h', '-4611686018427387904', 'WITHVALUES'), err('ERR value is out of range'));
  assert.deepEqual(h.run('HRANDFIELD', 'h', '1', 'WITHVALUE'), err('ERR syntax error'));
  assert.deepEqual(h.run('HRANDFIELD', 'h', '1', 'WITHVALUES', 'x'), err('ERR syntax error'));
  assert.deepEqual(h.run('HRANDFIELD', 'h', ''), err('ERR value is not an integer or out of range'));
  // The largest positive count is valid: the whole hash.
  assert.equal((h.run('HRANDFIELD', 'h', '9223372036854775807') as string[]).length, 3);
});

test('HRANDFIELD WITHVALUES nests pairs in RESP3', () => {
  const h = hashOf(1);
  assert.deepEqual(run3(h, 'HRANDFIELD', 'h', '1', 'WITHVALUES'), { t: 'array', v: [{ t: 'array', v: ['f0', 'v0'] }] });
  assert.deepEqual(run3(h, 'HRANDFIELD', 'h', '-2', 'WITHVALUES'), {
    t: 'array',
    v: [{ t: 'array', v: ['f0', 'v0'] }, { t: 'array', v: ['f0', 'v0'] }],
  });
  assert.deepEqual(run3(h, 'HRANDFIELD', 'h', '5', 'WITHVALUES'), { t: 'array', v: [{ t: 'array', v: ['f0', 'v0'] }] });
  assert.deepEqual(run3(h, 'HRANDFIELD', 'h', '-2'), { t: 'array', v: ['f0', 'f0'] });
  assert.deepEqual(run3(h, 'HRANDFIELD', 'missing', '2', 'WITHVALUES'), { t: 'array', v: [] });
  assert.equal(run3(h, 'HRANDFIELD', 'missing'), null);
});

test('HRANDFIELD draws from db.random: the same seed gives the same choices', () => {
  const a = hashOf(50);
  const b = hashOf(50);
  assert.deepEqual(a.run('HRANDFIELD', 'h', '7'), b.run('HRANDFIELD', 'h', '7'));
  assert.deepEqual(a.run('HRANDFIELD', 'h', '-7'), b.run('HRANDFIELD', 'h', '-7'));
});

// ---- HSCAN ------------------------------------------------------------------------------------

test('HSCAN returns every pair in one page; MATCH filters fields; option errors need an existing hash', () => {
  const h = hashOf(300);
  const [cursor, page] = h.run('HSCAN', 'h', '0', 'COUNT', '10') as [string, string[]];
  assert.equal(cursor, '0');
  assert.deepEqual(pairsOf(page), pairsOf(h.run('HGETALL', 'h')));
  assert.deepEqual(pairsOf((h.run('HSCAN', 'h', '0', 'MATCH', 'f1?') as [string, string[]])[1]), pairsOf(Array.from({ length: 10 }, (_, i) => [`f1${i}`, `v1${i}`]).flat()));
  assert.deepEqual(h.run('HSCAN', 'missing', '0'), ['0', []]);
  assert.deepEqual(h.run('HSCAN', 'missing', '0', 'COUNT', '0'), ['0', []]);
  assert.deepEqual(h.run('HSCAN', 'h', '0', 'COUNT', '0'), err('ERR syntax error'));
  assert.deepEqual(h.run('HSCAN', 'h', '0', 'COUNT', 'x'), err('ERR value is not an integer or out of range'));
  assert.deepEqual(h.run('HSCAN', 'h', '0', 'TYPE', 'hash'), err('ERR syntax error'));
  assert.deepEqual(h.run('HSCAN', 'h', '0', 'MATCH'), err('ERR syntax error'));
  assert.deepEqual(h.run('HSCAN', 'h', 'abc'), err('ERR invalid cursor'));
});

// ---- encodings, RENAME, COPY --------------------------------------------------------------------

test('OBJECT ENCODING: listpack until 128 fields or a 64-byte field or value; never back', () => {
  const h = hashOf(128);
  assert.equal(h.run('OBJECT', 'ENCODING', 'h'), 'listpack');
  h.run('HSET', 'h', 'f128', 'x');
  assert.equal(h.run('OBJECT', 'ENCODING', 'h'), 'hashtable');
  h.run('HDEL', 'h', 'f128', 'f127');
  assert.equal(h.run('OBJECT', 'ENCODING', 'h'), 'hashtable');
  h.run('HSET', 'v', 'a', 'x'.repeat(64));
  assert.equal(h.run('OBJECT', 'ENCODING', 'v'), 'listpack');
  h.run('HSET', 'v', 'a', 'x'.repeat(65));
  assert.equal(h.run('OBJECT', 'ENCODING', 'v'), 'hashtable');
  h.run('HSET', 'v', 'a', 'short');
  assert.equal(h.run('OBJECT', 'ENCODING', 'v'), 'hashtable');
  // HSETNX on an existing field writes nothing and converts nothing (Redis 7.0.15).
  h.run('HSET', 'n', 'a', '1');
  h.run('HSETNX', 'n', 'a', 'x'.repeat(65));
  assert.equal(h.run('OBJECT', 'ENCODING', 'n'), 'listpack');
  // A long field name through HINCRBY converts too (hashTypeSet checks it).
  h.run('HINCRBY', 'n', 'F'.repeat(65), '1');
  assert.equal(h.run('OBJECT', 'ENCODING', 'n'), 'hashtable');
  // A deleted and recreated key starts small again.
  h.run('DEL', 'n');
  h.run('HSET', 'n', 'a', '1');
  assert.equal(h.run('OBJECT', 'ENCODING', 'n'), 'listpack');
});

test('RENAME and COPY carry a hash, its counters as values, its TTL and its encoding', () => {
  const h = new Harness();
  h.run('HSET', 'h', 'a', '1', 'long', 'x'.repeat(65));
  h.run('HINCRBY', 'h', 'c', '7');
  h.run('HINCRBYFLOAT', 'h', 'a', '0.5');
  h.run('HDEL', 'h', 'long');
  h.run('EXPIRE', 'h', '100');
  h.run('SET', 'dst', 'string');
  assert.deepEqual(h.run('COPY', 'h', 'dst', 'REPLACE'), 1);
  assert.deepEqual(pairsOf(h.run('HGETALL', 'dst')), [['a', '1.5'], ['c', '7']]);
  assert.equal(h.run('OBJECT', 'ENCODING', 'dst'), 'hashtable');
  assert.equal(h.run('TTL', 'dst'), 100);
  assert.equal(h.run('HINCRBY', 'dst', 'c', '1'), 8);
  assert.deepEqual(h.run('RENAME', 'h', 'r'), ok);
  assert.equal(h.run('EXISTS', 'h'), 0);
  assert.deepEqual(pairsOf(h.run('HGETALL', 'r')), [['a', '1.5'], ['c', '7']]);
  assert.equal(h.run('OBJECT', 'ENCODING', 'r'), 'hashtable');
  assert.equal(h.run('TTL', 'r'), 100);
});

test('the command table matches COMMAND INFO of redis-server 7.0', () => {
  const spec = (n: string) => lookupCommand(n)!;
  assert.deepEqual([spec('hset').arity, spec('hsetnx').arity, spec('hget').arity, spec('hmget').arity, spec('hdel').arity], [-4, 4, 3, -3, -3]);
  assert.deepEqual([spec('hrandfield').arity, spec('hscan').arity, spec('hincrbyfloat').arity, spec('hgetall').arity], [-2, -3, 4, 2]);
  assert.deepEqual(spec('hset').flags, ['write', 'denyoom', 'fast']);
  assert.deepEqual(spec('hdel').flags, ['write', 'fast']);
  assert.deepEqual(spec('hgetall').flags, ['readonly']);
  assert.deepEqual(spec('hget').acl, ['read', 'hash', 'fast']);
  assert.deepEqual(spec('hrandfield').acl, ['read', 'hash', 'slow']);
  assert.deepEqual(spec('hincrby').keys, { first: 1, last: 1, step: 1 });
  assert.equal(spec('HSTRLEN').group, 'hash');
});

// ---- Active-Active --------------------------------------------------------------------------------

/** Two instances (harness Pair), effects delivered through the wire encoding on sync(). */
function pair(): { a: Harness; b: Harness; sync: () => void } {
  const p = new Pair();
  return { a: p.a, b: p.b, sync: () => p.sync() };
}

test('TV-HASH-01 add wins: concurrent HSETs of different fields union', () => {
  const { a, b, sync } = pair();
  assert.equal(a.run('HSET', 'key1', 'field1', 'a'), 1);
  assert.equal(b.run('HSET', 'key1', 'field2', 'b'), 1);
  sync();
  for (const x of [a, b]) assert.deepEqual(pairsOf(x.run('HGETALL', 'key1')), [['field1', 'a'], ['field2', 'b']]);
});

test('TV-HASH-02 field union: each instance first sees its own field, then both', () => {
  const { a, b, sync } = pair();
  a.run('HSET', 'doc1', 'field1', 'a');
  b.run('HSET', 'doc1', 'field2', 'b');
  assert.equal(a.run('HGET', 'doc1', 'field1'), 'a');
  assert.equal(b.run('HGET', 'doc1', 'field1'), null);
  sync();
  for (const x of [a, b]) {
    assert.deepEqual(pairsOf(x.run('HGETALL', 'doc1')), [['field1', 'a'], ['field2', 'b']]);
    assert.equal(x.run('HGET', 'doc1', 'field1'), 'a');
  }
});

test('TV-HASH-03 observed remove: HDEL does not remove a concurrent update of the field', () => {
  const { a, b, sync } = pair();
  a.run('HSET', 'h', 'f', 'v1');
  sync();
  assert.equal(a.run('HDEL', 'h', 'f'), 1);
  assert.equal(b.run('HSET', 'h', 'f', 'v2'), 0);
  sync();
  for (const x of [a, b]) {
    assert.equal(x.run('HGET', 'h', 'f'), 'v2');
    assert.equal(x.run('HLEN', 'h'), 1);
  }
});

test('TV-HASH-04 counter field: concurrent HINCRBYs add up', () => {
  const { a, b, sync } = pair();
  assert.equal(a.run('HINCRBY', 'h', 'n', '5'), 5);
  assert.equal(b.run('HINCRBY', 'h', 'n', '2'), 2);
  sync();
  for (const x of [a, b]) assert.equal(x.run('HGET', 'h', 'n'), '7');
  // Float counters too, and after another round of concurrent increments.
  a.run('HINCRBYFLOAT', 'h', 'n', '0.5');
  b.run('HINCRBY', 'h', 'n', '10');
  sync();
  for (const x of [a, b]) assert.equal(x.run('HGET', 'h', 'n'), '17.5');
});

test('TV-KEY-01 DEL of a hash vs a concurrent HSET of a new field: only the new field survives', () => {
  const { a, b, sync } = pair();
  a.run('HSET', 'h', 'f1', 'a');
  sync();
  assert.equal(a.run('DEL', 'h'), 1);
  assert.equal(b.run('HSET', 'h', 'f2', 'b'), 1);
  sync();
  for (const x of [a, b]) {
    assert.deepEqual(x.run('HGETALL', 'h'), ['f2', 'b']);
    assert.equal(x.run('EXISTS', 'h'), 1);
  }
});

test('HSET replaces the counter it saw; a concurrent HINCRBY adds on top (HSET 100 ‖ HINCRBY 5 → 105)', () => {
  const { a, b, sync } = pair();
  a.run('HINCRBY', 'h', 'n', '3');
  sync();
  a.run('HSET', 'h', 'n', '100');
  b.run('HINCRBY', 'h', 'n', '5');
  sync();
  for (const x of [a, b]) assert.equal(x.run('HGET', 'h', 'n'), '105');
});

test('concurrent HSETs of one field: the later write wins everywhere', () => {
  const { a, b, sync } = pair();
  a.run('HSET', 'h', 'f', 'old');
  b.advance(10);
  b.run('HSET', 'h', 'f', 'new');
  sync();
  for (const x of [a, b]) assert.equal(x.run('HGET', 'h', 'f'), 'new');
});

test('HDEL of the last field vs a concurrent HSET of another field: the key lives on with it', () => {
  const { a, b, sync } = pair();
  a.run('HSET', 'h', 'f1', 'a');
  a.run('EXPIRE', 'h', '1000');
  sync();
  assert.equal(a.run('HDEL', 'h', 'f1'), 1);
  assert.equal(a.run('EXISTS', 'h'), 0);
  b.run('HSET', 'h', 'f2', 'b');
  sync();
  for (const x of [a, b]) {
    assert.deepEqual(x.run('HGETALL', 'h'), ['f2', 'b']);
    // The delete removed the TTL it saw; B's write did not set one.
    assert.equal(x.run('TTL', 'h'), -1);
  }
});

test('a field HDEL removed stays removed where the delete arrives before the write it saw', () => {
  // Effects of different origins may arrive in any order: B gets A's HDEL before C's HSET that A
  // had seen and deleted. The key-level delete leaves a tombstone covering it until stable.
  const hs = [1, 2, 3].map((id) => new Harness(id));
  const sent: Effect[][] = hs.map(() => []);
  hs.forEach((x, i) => {
    x.db.stability = { isStable: () => false }; // peers exist: nothing is stable yet
    x.db.sink = { effect: (e) => sent[i]!.push(e), commit: () => undefined };
  });
  const [a, b, c] = hs as [Harness, Harness, Harness];
  c.run('HSET', 'h', 'f', 'y');
  for (const e of sent[2]!) a.db.applyRemote(e);
  assert.equal(a.run('HDEL', 'h', 'f'), 1);
  for (const e of sent[0]!) b.db.applyRemote(e);
  for (const e of sent[2]!) b.db.applyRemote(e);
  for (const x of [a, b]) {
    assert.equal(x.run('HGET', 'h', 'f'), null);
    assert.equal(x.run('EXISTS', 'h'), 0);
  }
});
