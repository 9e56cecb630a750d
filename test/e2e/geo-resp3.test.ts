// Geo replies with coordinates and distances, byte for byte against redis-server 7.0.15, in
// RESP3 (HELLO 3) and RESP2. Redis prints coordinates with addReplyHumanLongDouble: `%.17Lf`
// without trailing zeros, as a RESP3 double (",13.36138933897018433") or a RESP2 bulk string;
// distances with addReplyDoubleDistance: "%.4f" as a bulk string in both protocols.
//
//   E2E_TARGET=redis     compare two redis-servers: the test of the test, which must pass
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { formatReply } from '../../src/protocol/resp-client.js';
import { redisSkipReason } from '../helpers/server-process.js';
import { e2eTarget, referenceAndTargetHooks, targetSkipReason } from '../helpers/targets.js';

const target = e2eTarget();

const SETUP: string[][] = [
  ['DEL', 'geo', 'dst'],
  // Real places, the origin, tiny coordinates (%.17Lf shows their leading zeros), the edges.
  ['GEOADD', 'geo', '13.361389', '38.115556', 'Palermo', '15.087269', '37.502669', 'Catania', '-122.27652', '37.80574', 'Oakland',
    '0', '0', 'zero', '0.000001', '-0.000001', 'tiny', '179.9999', '-85.05112878', 'edge', '-180', '85.05112878', 'corner', '-0.5', '0.5', 'half'],
];

const CALLS: string[][] = [
  ['GEOPOS', 'geo', 'Palermo', 'Catania', 'nonexisting', 'Oakland', 'zero', 'tiny', 'edge', 'corner', 'half'],
  ['GEOPOS', 'nokey', 'a', 'b'],
  ['GEOPOS', 'geo'],
  ['GEODIST', 'geo', 'Palermo', 'Catania'],
  ['GEODIST', 'geo', 'Palermo', 'Catania', 'mi'],
  ['GEODIST', 'geo', 'zero', 'tiny', 'ft'],
  ['GEODIST', 'geo', 'Palermo', 'nonexisting'],
  ['GEOSEARCH', 'geo', 'FROMLONLAT', '15', '37', 'BYRADIUS', '200', 'km', 'ASC', 'WITHCOORD', 'WITHDIST', 'WITHHASH'],
  ['GEOSEARCH', 'geo', 'FROMMEMBER', 'zero', 'BYBOX', '400', '400', 'km', 'DESC', 'WITHCOORD'],
  ['GEOSEARCH', 'geo', 'FROMLONLAT', '0', '0', 'BYBOX', '40000', '40000', 'km', 'ASC', 'WITHDIST', 'WITHCOORD'],
  ['GEORADIUS', 'geo', '15', '37', '200', 'km', 'WITHDIST', 'WITHCOORD', 'ASC'],
  ['GEORADIUS_RO', 'geo', '0', '0', '100', 'km', 'WITHCOORD', 'COUNT', '2', 'ASC'],
  ['GEORADIUSBYMEMBER', 'geo', 'Palermo', '300', 'km', 'WITHCOORD', 'WITHDIST', 'ASC'],
  ['GEORADIUSBYMEMBER_RO', 'geo', 'edge', '10', 'km', 'WITHCOORD', 'WITHHASH'],
  ['GEOSEARCHSTORE', 'dst', 'geo', 'FROMLONLAT', '15', '37', 'BYRADIUS', '200', 'km', 'STOREDIST'],
  ['ZRANGE', 'dst', '0', '-1', 'WITHSCORES'],
  ['ZSCORE', 'geo', 'Palermo'],
  ['GEOHASH', 'geo', 'Palermo', 'tiny', 'nonexisting'],
];

describe(`geo coordinates and distances in RESP3 and RESP2: ${target} vs redis-server`, { skip: redisSkipReason() || targetSkipReason(target) }, () => {
  const { clients } = referenceAndTargetHooks(target);

  before(async () => {
    for (const c of clients) for (const argv of SETUP) await c.call(...argv);
  });

  for (const resp of [3, 2] as const) {
    test(`RESP${resp}: GEOPOS, GEODIST, GEOSEARCH / GEORADIUS WITHCOORD WITHDIST reply identically`, async () => {
      // HELLO's reply names the server and its version, so it is not compared.
      for (const c of clients) await c.call('HELLO', String(resp));
      for (const argv of CALLS) {
        const [want, got] = await Promise.all(clients.map(async (c) => formatReply(await c.call(...argv))));
        assert.equal(got, want, `RESP${resp}: ${argv.join(' ')}`);
      }
    });
  }

  test('RESP3 coordinates are doubles with %.17Lf digits', async () => {
    const c = clients[1]!;
    await c.call('HELLO', '3');
    const r = await c.call('GEOPOS', 'geo', 'Palermo');
    assert.equal(formatReply(r), '*[*[,13.36138933897018433, ,38.11555639549629859]]');
  });
});
