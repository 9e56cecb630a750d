// The row of redis-benchmark's CSV that belongs to the test asked for.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pickRow } from '../../bench/redis-benchmark.js';

const row = (name: string): string[] => [name, '1000.00', '0.1', '0.0', '0.1', '0.2', '0.3', '0.9'];

test('lrange_100: the LRANGE_100 row, not the LPUSH that seeds it', () => {
  const rows = [row('LPUSH (needed to benchmark LRANGE)'), row('LRANGE_100 (first 100 elements)')];
  assert.equal(pickRow('lrange_100', rows)?.[0], 'LRANGE_100 (first 100 elements)');
});

test('a single row is the result whatever its name', () => {
  assert.equal(pickRow('mset', [row('MSET (10 keys)')])?.[0], 'MSET (10 keys)');
});

test('several rows none or more of which carry the name: no row', () => {
  assert.equal(pickRow('lrange', [row('LRANGE_100 (first 100 elements)'), row('LRANGE_300 (first 300 elements)')]), undefined);
  assert.equal(pickRow('hset', []), undefined);
});
