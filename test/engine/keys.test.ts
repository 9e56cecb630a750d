import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Harness, err, ok } from './harness.js';

test('DEL, EXISTS, TYPE, TOUCH, DBSIZE', () => {
  const h = new Harness();
  h.run('MSET', 'a', '1', 'b', '2');
  assert.equal(h.run('EXISTS', 'a', 'a', 'x'), 2);
  assert.deepEqual(h.run('TYPE', 'a'), { simple: 'string' });
  assert.deepEqual(h.run('TYPE', 'x'), { simple: 'none' });
  assert.equal(h.run('TOUCH', 'a', 'x'), 1);
  assert.equal(h.run('DEL', 'a', 'x'), 1);
  assert.equal(h.run('UNLINK', 'b'), 1);
  assert.equal(h.run('DBSIZE'), 0);
  // With no peers, a deleted key leaves no tombstone behind.
  assert.equal(h.db.keyspace.records.size, 0);
});

test('KEYS and SCAN see every live key exactly once', () => {
  const h = new Harness();
  for (let i = 0; i < 500; i++) h.run('SET', `key:${i}`, 'v');
  for (let i = 0; i < 500; i += 3) h.run('DEL', `key:${i}`);
  const live = new Set<string>();
  for (let i = 0; i < 500; i++) if (i % 3 !== 0) live.add(`key:${i}`);
  assert.equal((h.run('KEYS', '*') as string[]).length, live.size);
  assert.deepEqual(new Set(h.run('KEYS', 'key:1?') as string[]), new Set([...live].filter((k) => /^key:1.$/.test(k))));
  const seen: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = h.run('SCAN', cursor, 'COUNT', '37') as [string, string[]];
    seen.push(...keys);
    cursor = next;
  } while (cursor !== '0');
  assert.equal(seen.length, live.size);
  assert.deepEqual(new Set(seen), live);
  assert.deepEqual(h.run('SCAN', 'x'), err('ERR invalid cursor'));
  assert.deepEqual(h.run('SCAN', '0', 'COUNT', '0'), err('ERR syntax error'));
  const [, typed] = h.run('SCAN', '0', 'COUNT', '1000', 'TYPE', 'hash') as [string, string[]];
  assert.deepEqual(typed, []);
});

test('RENAME, RENAMENX, COPY keep values and TTLs', () => {
  const h = new Harness();
  assert.deepEqual(h.run('RENAME', 'nope', 'x'), err('ERR no such key'));
  h.run('SET', 'a', '1', 'EX', '100');
  assert.deepEqual(h.run('RENAME', 'a', 'b'), ok);
  assert.equal(h.run('GET', 'b'), '1');
  assert.equal(h.run('TTL', 'b'), 100);
  assert.equal(h.run('EXISTS', 'a'), 0);
  h.run('SET', 'c', '2');
  assert.equal(h.run('RENAMENX', 'b', 'c'), 0);
  assert.equal(h.run('COPY', 'b', 'c'), 0);
  assert.equal(h.run('COPY', 'b', 'c', 'REPLACE'), 1);
  assert.equal(h.run('GET', 'c'), '1');
  assert.deepEqual(h.run('COPY', 'b', 'b'), err('ERR source and destination objects are the same'));
  assert.deepEqual(h.run('COPY', 'b', 'z', 'DB', '1'), err('ERR DB index is out of range'));
});

test('EXPIRE family with NX XX GT LT, PERSIST, EXPIRETIME', () => {
  const h = new Harness();
  const now = h.db.now;
  h.run('SET', 'k', 'v');
  assert.equal(h.run('EXPIRE', 'k', '100', 'XX'), 0);
  assert.equal(h.run('EXPIRE', 'k', '100', 'NX'), 1);
  assert.equal(h.run('EXPIRE', 'k', '50', 'GT'), 0);
  assert.equal(h.run('EXPIRE', 'k', '50', 'LT'), 1);
  assert.equal(h.run('TTL', 'k'), 50);
  assert.equal(h.run('PTTL', 'k'), 50000);
  assert.equal(h.run('PEXPIRETIME', 'k'), now + 50000);
  assert.equal(h.run('EXPIRETIME', 'k'), Math.floor((now + 50000) / 1000));
  assert.equal(h.run('PERSIST', 'k'), 1);
  assert.equal(h.run('PERSIST', 'k'), 0);
  assert.equal(h.run('TTL', 'k'), -1);
  assert.deepEqual(h.run('EXPIRE', 'k', '10', 'NX', 'XX'), err('ERR NX and XX, GT or LT options at the same time are not compatible'));
  assert.deepEqual(h.run('EXPIRE', 'k', '10', 'GT', 'LT'), err('ERR GT and LT options at the same time are not compatible'));
  assert.deepEqual(h.run('EXPIRE', 'k', '10', 'FOO'), err('ERR Unsupported option FOO'));
  assert.deepEqual(h.run('EXPIRE', 'k', '9223372036854775807'), err("ERR invalid expire time in 'expire' command"));
  assert.equal(h.run('EXPIREAT', 'k', '1'), 1);
  assert.equal(h.run('EXISTS', 'k'), 0);
  assert.equal(h.run('EXPIRE', 'missing', '10'), 0);
});

test('active expiry removes expired keys without reads', () => {
  const h = new Harness();
  for (let i = 0; i < 1000; i++) h.run('SET', `k${i}`, 'v', 'PX', '10');
  h.run('SET', 'stay', 'v');
  h.advance(11);
  let rounds = 0;
  while (h.db.keyspace.visibleCount > 1 && rounds++ < 1000) h.db.activeExpireCycle();
  assert.equal(h.run('DBSIZE'), 1);
  assert.ok(rounds < 1000);
  assert.equal(h.db.stats.expiredKeys, 1000);
});

test('OBJECT subcommands', () => {
  const h = new Harness();
  h.run('SET', 'i', '123');
  h.run('SET', 's', 'hello');
  h.run('SET', 'r', 'x'.repeat(45));
  assert.equal(h.run('OBJECT', 'ENCODING', 'i'), 'int');
  assert.equal(h.run('OBJECT', 'ENCODING', 's'), 'embstr');
  assert.equal(h.run('OBJECT', 'ENCODING', 'r'), 'raw');
  assert.equal(h.run('OBJECT', 'ENCODING', 'none'), null);
  assert.equal(h.run('OBJECT', 'REFCOUNT', 'i'), 2147483647);
  assert.equal(h.run('OBJECT', 'REFCOUNT', 's'), 1);
  h.advance(5000);
  assert.equal(h.run('OBJECT', 'IDLETIME', 's'), 5);
  assert.match((h.run('OBJECT', 'FREQ', 's') as { err: string }).err, /An LFU maxmemory policy is not selected/);
});

test('FLUSHALL is refused on an Active-Active database and allowed standalone', () => {
  const h = new Harness();
  h.run('SET', 'a', '1');
  assert.deepEqual(h.run('FLUSHALL', 'BAD'), err('ERR syntax error'));
  h.db.config.activeActive = true;
  assert.match((h.run('FLUSHALL') as { err: string }).err, /crdb-cli crdb flush/);
  assert.equal(h.run('DBSIZE'), 1);
  h.db.config.activeActive = false;
  assert.deepEqual(h.run('FLUSHDB', 'ASYNC'), ok);
  assert.equal(h.run('DBSIZE'), 0);
});
