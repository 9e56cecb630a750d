import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Harness, err, ok } from './harness.js';

test('SET/GET and options', () => {
  const h = new Harness();
  assert.deepEqual(h.run('SET', 'k', 'v'), ok);
  assert.equal(h.run('GET', 'k'), 'v');
  assert.equal(h.run('SET', 'k', 'w', 'NX'), null);
  assert.deepEqual(h.run('SET', 'k', 'w', 'XX'), ok);
  assert.equal(h.run('SET', 'k', 'x', 'GET'), 'w');
  assert.equal(h.run('SET', 'new', 'x', 'XX', 'GET'), null);
  assert.equal(h.run('GET', 'new'), null);
  assert.deepEqual(h.run('SET', 'k', 'v', 'NX', 'XX'), err('ERR syntax error'));
  assert.deepEqual(h.run('SET', 'k', 'v', 'EX', '0'), err("ERR invalid expire time in 'set' command"));
  assert.deepEqual(h.run('SET', 'k', 'v', 'EX', 'x'), err('ERR value is not an integer or out of range'));
  assert.deepEqual(h.run('SET', 'k', 'v', 'EX', '10', 'PX', '10'), err('ERR syntax error'));
  assert.deepEqual(h.run('SET', 'k', 'v', 'KEEPTTL', 'EX', '10'), err('ERR syntax error'));
});

test('SET EX expires lazily and KEEPTTL keeps the TTL', () => {
  const h = new Harness();
  h.run('SET', 'k', 'v', 'EX', '10');
  assert.equal(h.run('TTL', 'k'), 10);
  h.run('SET', 'k', 'w', 'KEEPTTL');
  assert.equal(h.run('TTL', 'k'), 10);
  h.run('SET', 'k', 'w');
  assert.equal(h.run('TTL', 'k'), -1);
  h.run('SET', 'k', 'v', 'PX', '1500');
  h.advance(1499);
  assert.equal(h.run('GET', 'k'), 'v');
  h.advance(1);
  assert.equal(h.run('GET', 'k'), null);
  assert.equal(h.run('TTL', 'k'), -2);
  assert.equal(h.run('DBSIZE'), 0);
});

test('counters: INCR family, overflow and float formatting', () => {
  const h = new Harness();
  assert.equal(h.run('INCR', 'c'), 1);
  assert.equal(h.run('INCRBY', 'c', '9'), 10);
  assert.equal(h.run('DECRBY', 'c', '3'), 7);
  assert.equal(h.run('DECR', 'c'), 6);
  assert.equal(h.run('GET', 'c'), '6');
  assert.equal(h.run('INCRBYFLOAT', 'c', '0.5'), '6.5');
  assert.deepEqual(h.run('INCR', 'c'), err('ERR value is not an integer or out of range'));
  assert.equal(h.run('INCRBYFLOAT', 'c', '0.5'), '7');
  assert.equal(h.run('INCR', 'c'), 8);
  h.run('SET', 'big', '9223372036854775807');
  assert.deepEqual(h.run('INCR', 'big'), err('ERR increment or decrement would overflow'));
  assert.deepEqual(h.run('DECRBY', 'c', '-9223372036854775808'), err('ERR decrement would overflow'));
  h.run('SET', 's', 'abc');
  assert.deepEqual(h.run('INCR', 's'), err('ERR value is not an integer or out of range'));
  assert.deepEqual(h.run('INCRBYFLOAT', 's', '1'), err('ERR value is not a valid float'));
  h.run('SET', 'f', '10');
  assert.equal(h.run('INCRBYFLOAT', 'f', '0.1'), '10.1');
  assert.equal(h.run('INCRBYFLOAT', 'f', '0.2'), '10.3');
  assert.deepEqual(h.run('INCRBYFLOAT', 'f', 'inf'), err('ERR increment would produce NaN or Infinity'));
});

test('APPEND, STRLEN, GETRANGE, SETRANGE', () => {
  const h = new Harness();
  assert.equal(h.run('APPEND', 'k', 'Hello'), 5);
  assert.equal(h.run('APPEND', 'k', ' World'), 11);
  assert.equal(h.run('STRLEN', 'k'), 11);
  assert.equal(h.run('GETRANGE', 'k', '0', '4'), 'Hello');
  assert.equal(h.run('GETRANGE', 'k', '-5', '-1'), 'World');
  assert.equal(h.run('GETRANGE', 'k', '5', '1'), '');
  assert.equal(h.run('SETRANGE', 'k', '6', 'Redis'), 11);
  assert.equal(h.run('GET', 'k'), 'Hello Redis');
  assert.equal(h.run('SETRANGE', 'pad', '3', 'x'), 4);
  assert.equal(h.run('GET', 'pad'), '\0\0\0x');
  assert.deepEqual(h.run('SETRANGE', 'k', '-1', 'x'), err('ERR offset is out of range'));
  h.run('SET', 'n', '10');
  h.run('INCR', 'n');
  assert.equal(h.run('APPEND', 'n', '5'), 3);
  assert.equal(h.run('GET', 'n'), '115');
});

test('MSET/MSETNX/MGET, GETSET, GETDEL, GETEX', () => {
  const h = new Harness();
  assert.deepEqual(h.run('MSET', 'a', '1', 'b', '2'), ok);
  assert.deepEqual(h.run('MGET', 'a', 'b', 'c'), ['1', '2', null]);
  assert.equal(h.run('MSETNX', 'c', '3', 'a', '9'), 0);
  assert.equal(h.run('MSETNX', 'c', '3', 'd', '4'), 1);
  assert.deepEqual(h.run('MSET', 'a', '1', 'b'), err("ERR wrong number of arguments for 'mset' command"));
  assert.equal(h.run('GETSET', 'a', 'x'), '1');
  assert.equal(h.run('GETDEL', 'a'), 'x');
  assert.equal(h.run('EXISTS', 'a'), 0);
  assert.equal(h.run('GETEX', 'b', 'EX', '100'), '2');
  assert.equal(h.run('TTL', 'b'), 100);
  assert.equal(h.run('GETEX', 'b', 'PERSIST'), '2');
  assert.equal(h.run('TTL', 'b'), -1);
  assert.deepEqual(h.run('GETEX', 'b', 'KEEPTTL'), err('ERR syntax error'));
});

test('LCS', () => {
  const h = new Harness();
  h.run('MSET', 'key1', 'ohmytext', 'key2', 'mynewtext');
  assert.equal(h.run('LCS', 'key1', 'key2'), 'mytext');
  assert.equal(h.run('LCS', 'key1', 'key2', 'LEN'), 6);
  assert.deepEqual(h.run('LCS', 'key1', 'key2', 'IDX', 'MINMATCHLEN', '4', 'WITHMATCHLEN'), ['matches', [[[4, 7], [5, 8], 4]], 'len', 6]);
  assert.deepEqual(h.run('LCS', 'key1', 'key2', 'IDX', 'LEN'), err('ERR If you want both the length and indexes, please just use IDX.'));
});
