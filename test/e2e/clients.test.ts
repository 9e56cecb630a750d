/**
 * Real clients against a real `tandem server` process: ioredis and node-redis for every string,
 * key and connection command of the data node foundation, over RESP2 and RESP3.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { startTandem } from '../helpers/server-process.js';
import type { ServerHandle } from '../helpers/server-process.js';
import { waitFor } from '../helpers/wait-for.js';

let server: ServerHandle;

before(async () => {
  server = await startTandem();
});

after(async () => {
  await server?.stop();
});

describe('ioredis', () => {
  let r: Redis;
  before(() => {
    r = new Redis({ port: server.port, host: '127.0.0.1', lazyConnect: false, maxRetriesPerRequest: 1 });
  });
  after(() => r.disconnect());

  test('strings', async () => {
    assert.equal(await r.set('io:s', 'v'), 'OK');
    assert.equal(await r.get('io:s'), 'v');
    assert.equal(await r.set('io:s', 'w', 'NX'), null);
    assert.equal(await r.set('io:s', 'w', 'XX', 'GET'), 'v');
    assert.equal(await r.setnx('io:s', 'x'), 0);
    assert.equal(await r.setex('io:ex', 100, 'v'), 'OK');
    assert.equal(await r.psetex('io:pex', 100000, 'v'), 'OK');
    assert.equal(await r.getset('io:s', 'y'), 'w');
    assert.equal(await r.getdel('io:s'), 'y');
    assert.equal(await r.getex('io:ex', 'PERSIST'), 'v');
    assert.deepEqual(await r.mget('io:ex', 'nope'), ['v', null]);
    assert.equal(await r.mset('io:a', '1', 'io:b', '2'), 'OK');
    assert.equal(await r.msetnx('io:a', '1', 'io:c', '3'), 0);
    assert.equal(await r.append('io:a', '23'), 3);
    assert.equal(await r.strlen('io:a'), 3);
    assert.equal(await r.getrange('io:a', 1, -1), '23');
    assert.equal(await r.substr('io:a', 0, 0), '1');
    assert.equal(await r.setrange('io:a', 1, 'xx'), 3);
    assert.equal(await r.incr('io:n'), 1);
    assert.equal(await r.incrby('io:n', 10), 11);
    assert.equal(await r.decr('io:n'), 10);
    assert.equal(await r.decrby('io:n', 5), 5);
    assert.equal(await r.incrbyfloat('io:n', '1.5'), '6.5');
    await r.mset('io:l1', 'ohmytext', 'io:l2', 'mynewtext');
    assert.equal(await r.lcs('io:l1', 'io:l2'), 'mytext');
    await assert.rejects(r.incr('io:a'), /ERR value is not an integer or out of range/);
  });

  test('binary values round-trip', async () => {
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    await r.set(Buffer.from([0, 255, 13, 10]), all);
    assert.deepEqual(await r.getBuffer(Buffer.from([0, 255, 13, 10])), all);
  });

  test('keys and expiry', async () => {
    await r.set('io:k1', 'v');
    await r.set('io:k2', 'v');
    assert.equal(await r.exists('io:k1', 'io:k2', 'io:none'), 2);
    assert.equal(await r.type('io:k1'), 'string');
    assert.equal(await r.touch('io:k1'), 1);
    assert.ok((await r.keys('io:k*')).includes('io:k2'));
    const seen = new Set<string>();
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', 'io:k*', 'COUNT', 5);
      keys.forEach((k) => seen.add(k));
      cursor = next;
    } while (cursor !== '0');
    assert.deepEqual([...seen].sort(), ['io:k1', 'io:k2']);
    assert.ok((await r.randomkey()) !== null);
    assert.equal(await r.rename('io:k1', 'io:k3'), 'OK');
    assert.equal(await r.renamenx('io:k3', 'io:k2'), 0);
    assert.equal(await r.copy('io:k3', 'io:k4'), 1);
    assert.equal(await r.expire('io:k3', 100), 1);
    assert.equal(await r.ttl('io:k3'), 100);
    assert.ok((await r.pttl('io:k3')) > 99000);
    assert.equal(await r.pexpire('io:k3', 200000, 'GT'), 1);
    assert.equal(await r.expireat('io:k4', Math.floor(Date.now() / 1000) + 1000), 1);
    assert.equal(await r.pexpireat('io:k4', Date.now() + 1000000), 1);
    assert.ok((await r.expiretime('io:k4')) > 0);
    assert.ok((await r.pexpiretime('io:k4')) > 0);
    assert.equal(await r.persist('io:k4'), 1);
    assert.equal(await r.object('ENCODING', 'io:k4'), 'embstr');
    assert.equal(await r.object('REFCOUNT', 'io:k4'), 1);
    assert.equal(typeof (await r.object('IDLETIME', 'io:k4')), 'number');
    await assert.rejects(r.object('FREQ', 'io:k4'), /LFU maxmemory policy is not selected/);
    assert.equal(await r.del('io:k2', 'io:k3'), 2);
    assert.equal(await r.unlink('io:k4'), 1);
    await r.set('io:short', 'v', 'PX', 50);
    await waitFor(async () => (await r.exists('io:short')) === 0, { timeout: 5000, message: 'key with PX 50 never expired' });
  });

  test('connection and server commands', async () => {
    assert.equal(await r.ping(), 'PONG');
    assert.equal(await r.echo('hi'), 'hi');
    assert.equal(await r.select(0), 'OK');
    await assert.rejects(r.select(1), /ERR DB index is out of range/);
    assert.equal(typeof (await r.dbsize()), 'number');
    assert.match(await r.info('keyspace'), /# Keyspace/);
    assert.match(await r.info('crdt'), /crdt_replica_id:1/);
    assert.deepEqual(await r.config('GET', 'maxmemory-policy'), ['maxmemory-policy', 'noeviction']);
    assert.equal(await r.client('SETNAME', 'ioclient'), 'OK');
    assert.equal(await r.client('GETNAME'), 'ioclient');
    assert.equal(typeof (await r.client('ID')), 'number');
    assert.match(String(await r.client('LIST')), /name=ioclient/);
    assert.match(String(await r.client('INFO')), /name=ioclient/);
    const t = (await r.time()) as unknown as [string, string];
    assert.ok(Math.abs(Number(t[0]) - Date.now() / 1000) < 5);
    assert.ok(Number(await r.command('COUNT')) > 50);
    assert.equal(await r.flushall(), 'OK');
    assert.equal(await r.dbsize(), 0);
  });
});

describe('node-redis', () => {
  for (const RESP of [2, 3] as const) {
    test(`strings, keys and server commands over RESP${RESP}`, async () => {
      const c = createClient({ socket: { port: server.port, host: '127.0.0.1' }, RESP });
      await c.connect();
      try {
        const p = `nr${RESP}:`;
        assert.equal(await c.set(`${p}s`, 'v', { EX: 100 }), 'OK');
        assert.equal(await c.get(`${p}s`), 'v');
        assert.equal(await c.ttl(`${p}s`), 100);
        assert.equal(await c.incrBy(`${p}n`, 5), 5);
        assert.equal(String(await c.incrByFloat(`${p}n`, 0.25)), '5.25');
        assert.equal(await c.append(`${p}s`, 'w'), 2);
        assert.deepEqual(await c.mGet([`${p}s`, `${p}none`]), ['vw', null]);
        assert.equal(await c.exists([`${p}s`, `${p}n`]), 2);
        assert.equal(await c.expire(`${p}n`, 10), 1);
        assert.equal(await c.persist(`${p}n`), 1);
        assert.equal(await c.del([`${p}s`, `${p}n`]), 2);
        assert.equal(await c.ping(), 'PONG');
        const info = await c.info('server');
        assert.match(String(info), /redis_version:7\.0/);
        const conf = await c.configGet('maxmemory');
        assert.deepEqual({ ...conf }, { maxmemory: '0' });
        const hello = (await c.sendCommand(['HELLO', String(RESP)])) as unknown;
        assert.ok(hello !== null);
      } finally {
        c.destroy();
      }
    });
  }
});

describe('node-redis: every string, key and connection command', () => {
  // [command, expected reply as node-redis decodes it]; run in order on one connection.
  const table: [string[], unknown][] = [
    [['SET', 'nx:s', 'v', 'EX', '100'], 'OK'],
    [['SETNX', 'nx:s', 'w'], 0],
    [['SETEX', 'nx:e', '100', 'v'], 'OK'],
    [['PSETEX', 'nx:p', '100000', 'v'], 'OK'],
    [['GET', 'nx:s'], 'v'],
    [['GETSET', 'nx:s', 'w'], 'v'],
    [['GETEX', 'nx:s', 'PERSIST'], 'w'],
    [['GETDEL', 'nx:p'], 'v'],
    [['MSET', 'nx:a', '1', 'nx:b', '2'], 'OK'],
    [['MSETNX', 'nx:a', '1', 'nx:c', '3'], 0],
    [['MGET', 'nx:a', 'nx:b', 'nx:none'], ['1', '2', null]],
    [['APPEND', 'nx:a', '0'], 2],
    [['STRLEN', 'nx:a'], 2],
    [['GETRANGE', 'nx:a', '0', '0'], '1'],
    [['SUBSTR', 'nx:a', '1', '1'], '0'],
    [['SETRANGE', 'nx:a', '0', '9'], 2],
    [['INCR', 'nx:n'], 1],
    [['DECR', 'nx:n'], 0],
    [['INCRBY', 'nx:n', '7'], 7],
    [['DECRBY', 'nx:n', '2'], 5],
    [['INCRBYFLOAT', 'nx:n', '0.5'], '5.5'],
    [['SET', 'nx:l1', 'ohmytext'], 'OK'],
    [['SET', 'nx:l2', 'mynewtext'], 'OK'],
    [['LCS', 'nx:l1', 'nx:l2', 'LEN'], 6],
    [['EXISTS', 'nx:a', 'nx:none'], 1],
    [['TYPE', 'nx:a'], 'string'],
    [['TOUCH', 'nx:a'], 1],
    [['RENAME', 'nx:a', 'nx:r'], 'OK'],
    [['RENAMENX', 'nx:r', 'nx:b'], 0],
    [['COPY', 'nx:r', 'nx:copy'], 1],
    [['EXPIRE', 'nx:r', '100'], 1],
    [['PEXPIRE', 'nx:r', '200000', 'GT'], 1],
    [['EXPIREAT', 'nx:copy', String(Math.floor(Date.now() / 1000) + 500)], 1],
    [['PEXPIREAT', 'nx:copy', String(Date.now() + 600000)], 1],
    [['TTL', 'nx:r'], 200],
    [['PERSIST', 'nx:r'], 1],
    [['PTTL', 'nx:r'], -1],
    [['EXPIRETIME', 'nx:r'], -1],
    [['PEXPIRETIME', 'nx:none'], -2],
    [['OBJECT', 'ENCODING', 'nx:r'], 'raw'],
    [['OBJECT', 'REFCOUNT', 'nx:l1'], 1],
    [['DEL', 'nx:r', 'nx:none'], 1],
    [['UNLINK', 'nx:copy'], 1],
    [['SELECT', '0'], 'OK'],
    [['ECHO', 'x'], 'x'],
    [['PING'], 'PONG'],
    [['CLIENT', 'SETNAME', 'nr'], 'OK'],
    [['CLIENT', 'GETNAME'], 'nr'],
  ];

  test('each command replies as Redis does', async () => {
    const c = createClient({ socket: { port: server.port, host: '127.0.0.1' } });
    await c.connect();
    try {
      for (const [args, want] of table) {
        assert.deepEqual(await c.sendCommand(args), want, args.join(' '));
      }
      assert.equal(typeof (await c.sendCommand(['OBJECT', 'IDLETIME', 'nx:l1'])), 'number');
      assert.ok(((await c.sendCommand(['KEYS', 'nx:*'])) as string[]).includes('nx:l1'));
      assert.equal(((await c.sendCommand(['SCAN', '0', 'MATCH', 'nx:*', 'COUNT', '1000'])) as unknown[]).length, 2);
      assert.ok((await c.sendCommand(['RANDOMKEY'])) !== null);
      assert.equal(typeof (await c.sendCommand(['CLIENT', 'ID'])), 'number');
      assert.match(String(await c.sendCommand(['CLIENT', 'INFO'])), /name=nr/);
      assert.match(String(await c.sendCommand(['CLIENT', 'LIST'])), /name=nr/);
      assert.equal(await c.sendCommand(['CLIENT', 'SETINFO', 'LIB-VER', '1.0']), 'OK');
      assert.equal(await c.sendCommand(['CLIENT', 'KILL', 'ID', '999999']), 0);
      assert.equal(((await c.sendCommand(['TIME'])) as string[]).length, 2);
      assert.equal(typeof (await c.sendCommand(['DBSIZE'])), 'number');
      assert.match(String(await c.sendCommand(['INFO', 'crdt'])), /crdt_replica_id/);
      const conf = await c.sendCommand(['CONFIG', 'GET', 'timeout']);
      // A flat array over RESP2, a map over RESP3 (whichever this client negotiated).
      assert.deepEqual(Array.isArray(conf) ? conf : Object.entries(conf as object).flat(), ['timeout', '0']);
      assert.equal(await c.sendCommand(['CONFIG', 'SET', 'timeout', '0']), 'OK');
      assert.ok(Number(await c.sendCommand(['COMMAND', 'COUNT'])) > 100);
      assert.equal(await c.sendCommand(['QUIT']), 'OK');
    } finally {
      c.destroy();
    }
  });
});

