import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Harness, err } from './harness.js';
import '../../src/engine/zsets.js';
import '../../src/engine/geo.js';
import type { Effect } from '../../src/engine/effect.js';
import { align52Bits, decodeScore, distance, doubleToUint64, encodeWGS84 } from '../../src/engine/geohash.js';
import { formatDistance, georadiusKeys } from '../../src/engine/geo.js';

// Expected values below were read from redis-server 7.0.15.

const WRONGTYPE = err('WRONGTYPE Operation against a key holding the wrong kind of value');
const SYNTAX = err('ERR syntax error');

function sicily(): Harness {
  const h = new Harness();
  assert.equal(h.run('GEOADD', 'Sicily', '13.361389', '38.115556', 'Palermo', '15.087269', '37.502669', 'Catania'), 2);
  return h;
}

test('geohash: 52-bit scores and cell centres as Redis computes them', () => {
  assert.equal(align52Bits(encodeWGS84(13.361389, 38.115556, 26)!), 3479099956230698n);
  assert.equal(align52Bits(encodeWGS84(15.087269, 37.502669, 26)!), 3479447370796909n);
  assert.deepEqual(decodeScore(3479099956230698), [13.361389338970184, 38.1155563954963]);
  // Scores that are not geohashes decode too: (uint64_t) of a negative double wraps.
  assert.equal(doubleToUint64(-1), 2n ** 64n - 1n);
  assert.equal(doubleToUint64(Infinity), 0n);
  assert.equal(doubleToUint64(-Infinity), 2n ** 63n);
  assert.equal(encodeWGS84(181, 0, 26), null);
});

test('distance: haversine on 6372797.560856 m, printed as fixedpoint_d2string(…, 4)', () => {
  assert.equal(formatDistance(distance(13.361389338970184, 38.1155563954963, 15.087267458438873, 37.50266842333162) / 1000), '166.2742');
  assert.equal(formatDistance(0), '0.0000');
  assert.equal(formatDistance(0.00004), '0.0000');
  assert.equal(formatDistance(0.00005), '0.0000'); // llrint: ties to even (0.5 → 0)
  assert.equal(formatDistance(0.00015), '0.0001'); // 0.00015 × 10000 is 1.4999999999999998
  assert.equal(formatDistance(0.00025), '0.0002'); // exactly 2.5: to even
  assert.equal(formatDistance(12.3), '12.3000');
});

test('GEOADD, GEOPOS, GEODIST, GEOHASH', () => {
  const h = sicily();
  assert.deepEqual(h.run('GEOPOS', 'Sicily', 'Palermo', 'nope', 'Catania'), [
    ['13.36138933897018433', '38.11555639549629859'],
    null,
    ['15.08726745843887329', '37.50266842333162032'],
  ]);
  assert.equal(h.run('GEODIST', 'Sicily', 'Palermo', 'Catania'), '166274.1516');
  assert.equal(h.run('GEODIST', 'Sicily', 'Palermo', 'Catania', 'KM'), '166.2742');
  assert.equal(h.run('GEODIST', 'Sicily', 'Palermo', 'nope'), null);
  assert.equal(h.run('GEODIST', 'nokey', 'Palermo', 'Catania'), null);
  assert.deepEqual(h.run('GEODIST', 'Sicily', 'Palermo', 'Catania', 'yd'), err('ERR unsupported unit provided. please use M, KM, FT, MI'));
  assert.deepEqual(h.run('GEODIST', 'Sicily', 'Palermo', 'Catania', 'km', 'x'), SYNTAX);
  assert.deepEqual(h.run('GEOHASH', 'Sicily', 'Palermo', 'Catania', 'nope'), ['sqc8b49rny0', 'sqdtr74hyu0', null]);
  assert.deepEqual(h.run('GEOPOS', 'nokey', 'a'), [null]);
  assert.equal(h.run('ZSCORE', 'Sicily', 'Palermo'), '3479099956230698');
  assert.equal(h.run('GEOADD', 'Sicily', 'CH', '13.361389', '38.115556', 'Palermo', '15', '37', 'Catania'), 1);
  assert.equal(h.run('GEOADD', 'Sicily', 'NX', '1', '1', 'Palermo', '2', '2', 'New'), 1);
  assert.equal(h.run('GEOADD', 'Sicily', 'XX', '1', '1', 'Other'), 0);
  assert.deepEqual(h.run('GEOADD', 'Sicily', 'NX', 'XX', '1', '1', 'a'), SYNTAX);
  assert.deepEqual(h.run('GEOADD', 'Sicily', '1', '1', 'a', '2'), SYNTAX);
  assert.deepEqual(h.run('GEOADD', 'Sicily', 'GT', '1', '1', 'a'), SYNTAX);
});

test('GEOADD coordinate errors print the pair with %f', () => {
  const h = new Harness();
  assert.deepEqual(h.run('GEOADD', 'g', '200', '100', 'm'), err('ERR invalid longitude,latitude pair 200.000000,100.000000'));
  assert.deepEqual(h.run('GEOADD', 'g', 'inf', '1', 'm'), err('ERR invalid longitude,latitude pair inf,1.000000'));
  assert.deepEqual(h.run('GEOADD', 'g', '0.0000005', '85.06', 'm'), err('ERR invalid longitude,latitude pair 0.000000,85.060000'));
  assert.deepEqual(h.run('GEOADD', 'g', 'abc', '1', 'm'), err('ERR value is not a valid float'));
  h.run('SET', 's', 'x');
  assert.deepEqual(h.run('GEOADD', 's', '200', '1', 'm'), err('ERR invalid longitude,latitude pair 200.000000,1.000000'));
  assert.deepEqual(h.run('GEOADD', 's', '1', '1', 'm'), WRONGTYPE);
  assert.equal(h.run('EXISTS', 'g'), 0);
});

test('members whose scores are not geohashes decode as Redis decodes them', () => {
  const h = new Harness();
  h.run('ZADD', 'odd', '1.5', 'f', '-1', 'g', 'inf', 'h');
  assert.deepEqual(h.run('GEOPOS', 'odd', 'f', 'g', 'h'), [
    ['-179.99999731779098511', '-85.05112497791824921'],
    ['180', '85.0511287799999991'],
    ['-179.99999731779098511', '-85.05112751263942528'],
  ]);
  assert.deepEqual(h.run('GEOHASH', 'odd', 'f', 'g', 'h'), ['00bh0hbj210', 'bp05b5048p0', '00bh0hbj200']);
});

test('GEORADIUS and GEORADIUSBYMEMBER with every reply option', () => {
  const h = sicily();
  assert.deepEqual(h.run('GEORADIUS', 'Sicily', '15', '37', '200', 'km', 'WITHDIST', 'WITHCOORD', 'WITHHASH'), [
    ['Palermo', '190.4424', 3479099956230698, ['13.36138933897018433', '38.11555639549629859']],
    ['Catania', '56.4413', 3479447370796909, ['15.08726745843887329', '37.50266842333162032']],
  ]);
  assert.deepEqual(h.run('GEORADIUS', 'Sicily', '15', '37', '200', 'km', 'ASC'), ['Catania', 'Palermo']);
  assert.deepEqual(h.run('GEORADIUS', 'Sicily', '15', '37', '200', 'km', 'COUNT', '1', 'DESC'), ['Palermo']);
  assert.deepEqual(h.run('GEORADIUSBYMEMBER', 'Sicily', 'Palermo', '100', 'km'), ['Palermo']);
  assert.deepEqual(h.run('GEORADIUSBYMEMBER', 'Sicily', 'nope', '100', 'km'), err('ERR could not decode requested zset member'));
  assert.deepEqual(h.run('GEORADIUSBYMEMBER', 'nokey', 'nope', '-1', 'km'), []);
  assert.deepEqual(h.run('GEORADIUS', 'Sicily', '15', '37', '-1', 'km'), err('ERR radius cannot be negative'));
  assert.deepEqual(h.run('GEORADIUS', 'Sicily', '15', '37', 'x', 'km'), err('ERR need numeric radius'));
  assert.deepEqual(h.run('GEORADIUS', 'Sicily', '15', '37', '1', 'mm'), err('ERR unsupported unit provided. please use M, KM, FT, MI'));
  assert.deepEqual(h.run('GEORADIUS', 'Sicily', '15', '37', '1', 'km', 'COUNT', '0'), err('ERR COUNT must be > 0'));
  assert.deepEqual(h.run('GEORADIUS', 'Sicily', '15', '37', '1', 'km', 'COUNT', 'x'), err('ERR value is not an integer or out of range'));
  assert.deepEqual(h.run('GEORADIUS', 'Sicily', '15', '37', '1', 'km', 'ANY'), err('ERR the ANY argument requires COUNT argument'));
  assert.deepEqual(h.run('GEORADIUS', 'Sicily', '15', '37', '1', 'km', 'STORE', 'd', 'WITHDIST'), err('ERR STORE option in GEORADIUS is not compatible with WITHDIST, WITHHASH and WITHCOORD options'));
  assert.deepEqual(h.run('GEORADIUS_RO', 'Sicily', '15', '37', '1', 'km', 'STORE', 'd'), SYNTAX);
  assert.deepEqual(h.run('GEORADIUS', 'Sicily', '15', '37', '1', 'km', 'FROMLONLAT', '1', '1'), SYNTAX);
  h.run('SET', 's', 'x');
  assert.deepEqual(h.run('GEORADIUS', 's', '200', '37', '-1', 'km'), WRONGTYPE);
  assert.deepEqual(georadiusKeys(['GEORADIUS', 'k', '1', '2', '3', 'km', 'STORE', 'a', 'STOREDIST', 'b'], false), [1, 7, 9]);
  assert.deepEqual(georadiusKeys(['GEORADIUS', 'k', '1', '2', '3', 'km', 'STORE', 'a', 'STORE', 'b'], false), [1, 7]);
  assert.deepEqual(georadiusKeys(['GEORADIUSBYMEMBER', 'k', 'm', '3', 'km', 'STORE'], true), [1]);
});

test('ties in distance: COUNT keeps what Redis\'s partial quicksort keeps', () => {
  const h = new Harness();
  const args: string[] = [];
  for (const m of ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']) args.push('10', '10', m);
  h.run('GEOADD', 'same', ...args, '11', '11', 'i');
  assert.deepEqual(h.run('GEORADIUS', 'same', '10', '10', '500', 'km', 'COUNT', '3'), ['a', 'b', 'c']);
  assert.deepEqual(h.run('GEORADIUS', 'same', '10', '10', '500', 'km', 'COUNT', '3', 'DESC'), ['i', 'b', 'c']);
  assert.deepEqual(h.run('GEORADIUS', 'same', '10', '10', '500', 'km', 'ASC'), ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i']);
  assert.deepEqual(h.run('GEORADIUS', 'same', '11', '11', '1', 'm', 'COUNT', '1', 'ANY'), ['i']);
});

test('GEOSEARCH: FROMMEMBER / FROMLONLAT, BYRADIUS / BYBOX and their errors', () => {
  const h = sicily();
  assert.deepEqual(h.run('GEOSEARCH', 'Sicily', 'FROMMEMBER', 'Palermo', 'BYBOX', '400', '400', 'km', 'ASC', 'WITHDIST'), [['Palermo', '0.0000'], ['Catania', '166.2742']]);
  assert.deepEqual(h.run('GEOSEARCH', 'Sicily', 'FROMLONLAT', '15', '37', 'BYRADIUS', '200', 'km', 'DESC'), ['Palermo', 'Catania']);
  assert.deepEqual(h.run('GEOSEARCH', 'Sicily', 'FROMMEMBER', 'Palermo', 'FROMLONLAT', '1', '1', 'BYBOX', '1', '1', 'km'), SYNTAX);
  assert.deepEqual(h.run('GEOSEARCH', 'Sicily', 'BYRADIUS', '1', 'km', 'BYBOX', '1', '1', 'km', 'FROMLONLAT', '1', '1'), SYNTAX);
  assert.deepEqual(h.run('GEOSEARCH', 'Sicily', 'FROMLONLAT', '1', '1', 'WITHDIST', 'ASC'), err('ERR exactly one of BYRADIUS and BYBOX can be specified for GEOSEARCH'));
  assert.deepEqual(h.run('geosearch', 'Sicily', 'BYRADIUS', '1', 'km', 'WITHDIST', 'ASC'), err('ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for geosearch'));
  assert.deepEqual(h.run('GEOSEARCH', 'Sicily', 'FROMMEMBER', 'nope', 'BYRADIUS', '1', 'km'), err('ERR could not decode requested zset member'));
  assert.deepEqual(h.run('GEOSEARCH', 'Sicily', 'FROMLONLAT', '0', '0', 'BYBOX', '-1', '1', 'm'), err('ERR height or width cannot be negative'));
  assert.deepEqual(h.run('GEOSEARCH', 'Sicily', 'FROMLONLAT', '0', '0', 'BYBOX', 'x', '1', 'm'), err('ERR need numeric width'));
  assert.deepEqual(h.run('GEOSEARCH', 'Sicily', 'FROMLONLAT', '0', '0', 'BYBOX', '1', 'x', 'm'), err('ERR need numeric height'));
  assert.deepEqual(h.run('GEOSEARCH', 'Sicily', 'FROMLONLAT', '0', '0', 'BYRADIUS', '1', 'm', 'STORE', 'x'), SYNTAX);
  assert.deepEqual(h.run('GEOSEARCH', 'nokey', 'FROMMEMBER', 'x', 'BYRADIUS', '1', 'm'), []);
  assert.deepEqual(h.run('GEOSEARCH', 'nokey', 'FROMLONLAT', '0', '0', 'BYRADIUS', '1', 'm', 'ANY'), err('ERR the ANY argument requires COUNT argument'));
});

test('STORE, STOREDIST and GEOSEARCHSTORE write sorted sets; an empty result deletes the destination', () => {
  const h = sicily();
  assert.equal(h.run('GEOSEARCHSTORE', 'dst', 'Sicily', 'FROMLONLAT', '15', '37', 'BYRADIUS', '200', 'km', 'STOREDIST'), 2);
  const stored = h.run('ZRANGE', 'dst', '0', '-1', 'WITHSCORES') as string[];
  assert.equal(stored[0], 'Catania');
  assert.ok(Math.abs(Number(stored[1]) - 56.441257870158204) < 1e-9);
  assert.equal(h.run('GEORADIUS', 'Sicily', '15', '37', '200', 'km', 'STORE', 'dst2'), 2);
  assert.deepEqual(h.run('ZRANGE', 'dst2', '0', '-1', 'WITHSCORES'), ['Palermo', '3479099956230698', 'Catania', '3479447370796909']);
  assert.equal(h.run('GEORADIUS', 'Sicily', '15', '37', '1', 'km', 'STORE', 'dst2'), 0);
  assert.equal(h.run('EXISTS', 'dst2'), 0);
  h.run('SET', 'dst3', 'x');
  assert.equal(h.run('GEOSEARCHSTORE', 'dst3', 'nokey', 'FROMLONLAT', '0', '0', 'BYRADIUS', '1', 'm'), 0);
  assert.equal(h.run('EXISTS', 'dst3'), 0);
  assert.deepEqual(h.run('GEOSEARCHSTORE', 'd', 'Sicily', 'FROMLONLAT', '0', '0', 'BYRADIUS', '1', 'm', 'WITHDIST'), err('ERR GEOSEARCHSTORE is not compatible with WITHDIST, WITHHASH and WITHCOORD options'));
});

test('geo follows the sorted-set conflict rules: concurrent GEOADDs resolve by time (reference §2.5)', () => {
  const a = new Harness(1);
  const b = new Harness(2);
  const fromA: Effect[] = [];
  const fromB: Effect[] = [];
  a.db.sink = { effect: (e) => fromA.push(e), commit() {} };
  b.db.sink = { effect: (e) => fromB.push(e), commit() {} };
  a.run('GEOADD', 'g', '13.361389', '38.115556', 'p');
  b.advance(5);
  b.run('GEOADD', 'g', '15.087269', '37.502669', 'p', '2', '2', 'q');
  for (const e of fromA) b.db.applyRemote(e);
  for (const e of fromB) a.db.applyRemote(e);
  for (const h of [a, b]) {
    assert.deepEqual(h.run('GEOPOS', 'g', 'p'), [['15.08726745843887329', '37.50266842333162032']]);
    assert.equal(h.run('ZCARD', 'g'), 2);
  }
});
