/**
 * The HyperLogLog family (src/engine/hll.ts) on an in-process database: replies, PFCOUNT numbers,
 * the bytes GET shows and every error as redis-server 7.0.15 gives them (expected values taken
 * from it), the HLL shown as a string (TYPE, OBJECT ENCODING, GET/STRLEN/GETRANGE), strings that
 * hold HLL bytes; then two instances exchanging effects: TV-HLL-01..03 (reference §2.8).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Harness, err, ok, Pair } from './harness.js';
import '../../src/engine/hll.js';
import '../../src/engine/lists.js';

const WRONGTYPE = err('WRONGTYPE Operation against a key holding the wrong kind of value');
const NOT_HLL = err('WRONGTYPE Key is not a valid HyperLogLog string value.');

/** Redis's bytes (GET), written as latin1 escapes. */
const EMPTY_HLL = 'HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x7f\xff';
const ABC_STALE = 'HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80`\xf3\x80P\xb1\x84K\xfb\x80BZ';
const ABC_CACHED = 'HYLL\x01\x00\x00\x00\x03\x00\x00\x00\x00\x00\x00\x00`\xf3\x80P\xb1\x84K\xfb\x80BZ';

test('PFADD creates the key even without elements, answers 1 only when a register rises', () => {
  const h = new Harness();
  assert.equal(h.run('PFADD', 'h'), 1);
  assert.equal(h.run('PFADD', 'h'), 0);
  assert.equal(h.run('GET', 'h'), EMPTY_HLL);
  assert.equal(h.run('PFADD', 'h', 'a', 'b', 'c'), 1);
  assert.equal(h.run('PFADD', 'h', 'a', 'b'), 0);
  assert.equal(h.run('GET', 'h'), ABC_STALE);
  assert.deepEqual(h.run('PFADD'), err("ERR wrong number of arguments for 'pfadd' command"));
});

test('PFCOUNT caches the cardinality in the header, as GET then shows', () => {
  const h = new Harness();
  h.run('PFADD', 'h', 'a', 'b', 'c');
  assert.equal(h.run('PFCOUNT', 'h'), 3);
  assert.equal(h.run('GET', 'h'), ABC_CACHED);
  assert.equal(h.run('PFCOUNT', 'none'), 0);
  assert.equal(h.run('EXISTS', 'none'), 0);
  const many = Array.from({ length: 5000 }, (_, i) => `el${i}`);
  assert.equal(h.run('PFADD', 'big', ...many), 1);
  assert.equal(h.run('PFCOUNT', 'big'), 5041);
  assert.equal((h.run('STRLEN', 'big') as number) > 3000, true, 'past hll-sparse-max-bytes the HLL is dense');
  assert.equal(h.run('STRLEN', 'big'), 12304);
});

test('PFCOUNT of several keys counts their union without writing anything', () => {
  const h = new Harness();
  h.run('PFADD', 'x', 'a', 'b', 'c');
  h.run('PFADD', 'y', 'c', 'd');
  assert.equal(h.run('PFCOUNT', 'x', 'y', 'none'), 4);
  assert.equal(h.run('GET', 'x'), ABC_STALE, 'the union does not touch the cached cardinality');
  h.run('RPUSH', 'l', 'x');
  assert.deepEqual(h.run('PFCOUNT', 'x', 'l'), WRONGTYPE);
  h.run('SET', 's', 'abc');
  assert.deepEqual(h.run('PFCOUNT', 'x', 's'), NOT_HLL);
});

test('PFMERGE merges into a new or existing HLL; every key must be an HLL', () => {
  const h = new Harness();
  h.run('PFADD', 'x', 'a', 'b', 'c');
  h.run('PFADD', 'y', 'c', 'd', 'e');
  assert.deepEqual(h.run('PFMERGE', 'new', 'x', 'none'), ok);
  assert.equal(h.run('GET', 'new'), ABC_STALE);
  assert.deepEqual(h.run('PFMERGE', 'new', 'y'), ok);
  assert.equal(h.run('PFCOUNT', 'new'), 5);
  assert.deepEqual(h.run('PFMERGE', 'alone'), ok);
  assert.equal(h.run('GET', 'alone'), EMPTY_HLL);
  // A merge always rewrites the destination: its cached cardinality is marked stale.
  h.run('PFCOUNT', 'x');
  assert.deepEqual(h.run('PFMERGE', 'x'), ok);
  assert.equal(h.run('GET', 'x'), ABC_CACHED.slice(0, 15) + '\x80' + ABC_CACHED.slice(16));
  h.run('SET', 's', 'abc');
  h.run('RPUSH', 'l', 'v');
  assert.deepEqual(h.run('PFMERGE', 's', 'x'), NOT_HLL);
  assert.deepEqual(h.run('PFMERGE', 'x', 's'), NOT_HLL);
  assert.deepEqual(h.run('PFMERGE', 'x', 'l'), WRONGTYPE);
  assert.deepEqual(h.run('PFMERGE', 'l', 'x'), WRONGTYPE);
});

test('PFADD and PFCOUNT refuse other types and strings that are not HLLs', () => {
  const h = new Harness();
  h.run('RPUSH', 'l', 'x');
  assert.deepEqual(h.run('PFADD', 'l', 'a'), WRONGTYPE);
  assert.deepEqual(h.run('PFCOUNT', 'l'), WRONGTYPE);
  for (const v of ['abc', '123', 'HYLL', 'HYLL\x02\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x7f\xff', 'HYLL\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x7f\xff']) {
    h.run('SET', 's', v);
    assert.deepEqual(h.run('PFADD', 's', 'a'), NOT_HLL, JSON.stringify(v));
    assert.deepEqual(h.run('PFCOUNT', 's'), NOT_HLL, JSON.stringify(v));
  }
  // A header without a body: the sparse registers do not add up.
  h.run('SET', 's', 'HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80');
  assert.deepEqual(h.run('PFADD', 's', 'a'), err('INVALIDOBJ Corrupted HLL object detected'));
  assert.deepEqual(h.run('PFCOUNT', 's'), err('INVALIDOBJ Corrupted HLL object detected'));
});

test('an HLL is a string to TYPE, SCAN, OBJECT ENCODING, GET, MGET, STRLEN and GETRANGE', () => {
  const h = new Harness();
  h.run('PFADD', 'h', 'a', 'b', 'c');
  assert.deepEqual(h.run('TYPE', 'h'), { simple: 'string' });
  assert.deepEqual(h.run('SCAN', '0', 'TYPE', 'string'), ['0', ['h']]);
  assert.equal(h.run('OBJECT', 'ENCODING', 'h'), 'raw');
  assert.deepEqual(h.run('MGET', 'h', 'none'), [ABC_STALE, null]);
  assert.equal(h.run('STRLEN', 'h'), 27);
  assert.equal(h.run('GETRANGE', 'h', '0', '3'), 'HYLL');
  assert.equal(h.run('GETRANGE', 'h', '-3', '-1'), '\x80BZ');
  assert.equal(h.run('SUBSTR', 'h', '0', '3'), 'HYLL');
  // Writes that would edit the bytes in place are refused (reference §2.8 rule 3).
  assert.deepEqual(h.run('APPEND', 'h', 'x'), WRONGTYPE);
  assert.deepEqual(h.run('SETRANGE', 'h', '0', 'x'), WRONGTYPE);
  assert.deepEqual(h.run('INCR', 'h'), WRONGTYPE);
  // GETSET / SET … GET answer the bytes and replace the HLL by a string.
  assert.equal(h.run('GETSET', 'h', 'plain'), ABC_STALE);
  assert.equal(h.run('GET', 'h'), 'plain');
  h.run('PFADD', 'g', 'a');
  const bytes = h.run('GET', 'g');
  assert.match(bytes as string, /^HYLL/);
  assert.equal(h.run('GETDEL', 'g'), bytes);
  assert.equal(h.run('EXISTS', 'g'), 0);
});

test('a string holding HLL bytes is read as an HLL, and PF writes edit its bytes in place', () => {
  const h = new Harness();
  h.run('PFADD', 'src', 'a', 'b', 'c');
  h.run('SET', 's', ABC_STALE, 'EX', '1000');
  assert.equal(h.run('OBJECT', 'ENCODING', 's'), 'embstr');
  assert.equal(h.run('PFCOUNT', 's', 'src'), 3, 'a union only reads');
  assert.deepEqual(h.run('TYPE', 's'), { simple: 'string' });
  // A stale cache is refreshed and stored, as Redis does; the TTL stays.
  assert.equal(h.run('PFCOUNT', 's'), 3);
  assert.equal(h.run('GET', 's'), ABC_CACHED);
  assert.equal(h.run('OBJECT', 'ENCODING', 's'), 'raw');
  assert.equal(h.run('TTL', 's'), 1000);
  assert.equal(h.db.keyspace.get('s')!.type, 'string');
  // With a valid cache nothing is written, but Redis unshares the string: raw.
  h.run('SET', 't', ABC_CACHED);
  assert.equal(h.run('PFCOUNT', 't'), 3);
  assert.equal(h.db.keyspace.get('t')!.type, 'string');
  assert.equal(h.run('OBJECT', 'ENCODING', 't'), 'raw');
  assert.equal(h.run('PFADD', 't', 'a'), 0);
  assert.equal(h.run('PFADD', 't', 'd'), 1);
  assert.equal(h.run('PFCOUNT', 't'), 4);
  assert.equal(h.run('PFCOUNT', 't', 'src'), 4);
  h.run('SET', 'u', ABC_STALE);
  assert.deepEqual(h.run('PFMERGE', 'u', 'src'), ok);
  assert.equal(h.run('GET', 'u'), ABC_STALE);
  assert.deepEqual(h.run('PFMERGE', 'v', 'u', 'src'), ok);
  assert.equal(h.run('GET', 'v'), ABC_STALE);
});

test('HLL keys expire, rename and copy, also onto a key whose DEL is not yet stable', () => {
  const h = new Harness();
  h.db.stability = { isStable: () => false };
  h.run('PFADD', 'dst', 'old');
  h.run('DEL', 'dst');
  h.run('PFADD', 'h', 'a', 'b', 'c');
  h.run('EXPIRE', 'h', '100');
  assert.deepEqual(h.run('RENAME', 'h', 'dst'), ok);
  assert.equal(h.run('GET', 'dst'), ABC_STALE);
  assert.equal(h.run('TTL', 'dst'), 100);
  assert.equal(h.run('COPY', 'dst', 'dst2'), 1);
  assert.equal(h.run('PFADD', 'dst2', 'd'), 1);
  assert.equal(h.run('PFCOUNT', 'dst2'), 4);
  assert.equal(h.run('PFCOUNT', 'dst'), 3);
  h.advance(101_000);
  assert.equal(h.run('PFCOUNT', 'dst'), 0);
  assert.equal(h.run('EXISTS', 'dst'), 0);
});

// ---- Active-Active ---------------------------------------------------------------------------

test('TV-HLL-01 sequential adds', () => {
  const p = new Pair();
  assert.equal(p.a.run('PFADD', 'hll', 'x'), 1);
  p.sync();
  assert.equal(p.b.run('PFADD', 'hll', 'y'), 1);
  p.sync();
  assert.equal(p.both('hll', 'PFCOUNT', 'hll'), 2);
});

test('TV-HLL-02 concurrent adds merge', () => {
  const p = new Pair();
  assert.equal(p.a.run('PFADD', 'hll', 'x'), 1);
  assert.equal(p.b.run('PFADD', 'hll', 'y'), 1);
  assert.equal(p.a.run('PFCOUNT', 'hll'), 1);
  assert.equal(p.b.run('PFCOUNT', 'hll'), 1);
  p.sync();
  assert.equal(p.both('hll', 'PFCOUNT', 'hll'), 2);
});

test('TV-HLL-03 DEL wins over a concurrent PFADD', () => {
  const p = new Pair();
  assert.equal(p.a.run('PFADD', 'h', 'e1'), 1);
  p.sync();
  assert.equal(p.both('h', 'PFCOUNT', 'h'), 1);
  assert.equal(p.a.run('PFADD', 'h', 'e2'), 1);
  assert.equal(p.b.run('DEL', 'h'), 1);
  assert.equal(p.a.run('PFCOUNT', 'h'), 2);
  assert.equal(p.b.run('PFCOUNT', 'h'), 0);
  p.sync();
  assert.equal(p.both('h', 'PFCOUNT', 'h'), 0);
  assert.equal(p.both('h', 'EXISTS', 'h'), 0);
  // An add made after seeing the DEL survives it.
  assert.equal(p.b.run('PFADD', 'h', 'e3'), 1);
  p.sync();
  assert.equal(p.both('h', 'PFCOUNT', 'h'), 1);
});

test('concurrent PFMERGE and PFADD union; PF writes to a string holding HLL bytes resolve as SETs', () => {
  const p = new Pair();
  p.a.run('PFADD', 'x', 'a', 'b');
  p.sync();
  p.a.run('PFMERGE', 'm', 'x');
  p.b.run('PFADD', 'm', 'c');
  p.sync();
  assert.equal(p.both('m', 'PFCOUNT', 'm'), 3);
  // SET of HLL bytes makes a string register; PFADD rewrites its bytes: the later write wins.
  p.a.run('SET', 's', ABC_STALE);
  p.sync();
  p.a.run('PFADD', 's', 'd');
  p.b.advance(5);
  p.b.run('PFADD', 's', 'e', 'f');
  p.sync();
  assert.deepEqual(p.both('s', 'TYPE', 's'), { simple: 'string' });
  assert.equal(p.a.db.keyspace.get('s')!.type, 'string');
  // The first PFCOUNT stores the refreshed cardinality in the string: a write of its own.
  assert.equal(p.a.run('PFCOUNT', 's'), 5);
  p.sync();
  assert.equal(p.both('s', 'PFCOUNT', 's'), 5);
});

test('DEL wins over a concurrent PFMERGE; a copy onto the deleted key after seeing it survives', () => {
  const p = new Pair();
  p.a.run('PFADD', 'h', 'a');
  p.a.run('PFADD', 'src', 'b', 'c');
  p.sync();
  p.a.run('PFMERGE', 'h', 'src');
  p.b.run('DEL', 'h');
  p.sync();
  assert.equal(p.both('h', 'EXISTS', 'h'), 0);
  p.b.run('COPY', 'src', 'h');
  p.sync();
  assert.equal(p.both('h', 'PFCOUNT', 'h'), 2);
});
