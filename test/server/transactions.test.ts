/**
 * Transactions (src/server/transactions.ts). First an in-process server, to see what only the
 * inside shows: EXEC hands the sink one atomic unit, and a remote effect dirties a WATCH. Then a
 * real `tandem server` process (E2E_TARGET=redis runs the same suite against redis-server 7.0,
 * which is how the expected replies were checked): every error, QUEUED, WATCH conflicts from
 * another connection in RESP2 and RESP3, expiry, maxmemory, RESET, ioredis and node-redis.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { WatchError, createClient } from 'redis';
import { TandemServer } from '../../src/server/server.js';
import { Config } from '../../src/server/config.js';
import { createLogger } from '../../src/server/log.js';
import { Database } from '../../src/engine/database.js';
import type { Effect } from '../../src/engine/effect.js';
import { lookupCommand } from '../../src/engine/command-table.js';
import { ReplyWriter } from '../../src/protocol/reply.js';
import { formatReply } from '../../src/protocol/resp-client.js';
import type { ServerHandle } from '../helpers/server-process.js';
import { startTarget, targetSkipReason } from '../helpers/targets.js';
import { RawClient } from '../helpers/raw-client.js';
import { waitFor } from '../helpers/wait-for.js';

async function texts(c: RawClient, commands: string[][]): Promise<string[]> {
  return (await c.pipeline(commands)).map((r) => formatReply(r));
}

describe('transactions inside the server', () => {
  let server: TandemServer;
  let c: RawClient;
  const sinkLog: string[] = [];

  before(async () => {
    const config = new Config();
    config.setInitial('port', '0');
    server = new TandemServer(config, createLogger({ level: 'silent' }));
    await server.listen();
    server.db.sink = { effect: (e) => sinkLog.push(`effect ${e.key}`), commit: () => sinkLog.push('commit') };
    c = await RawClient.connect(server.port);
  });

  after(async () => {
    await c?.close();
    await server?.close();
  });

  test('EXEC hands every effect of the transaction to the sink before one commit', async () => {
    // Active expiry would delete the key on its own: this test wants the lazy delete a read
    // makes inside the transaction, which commits by itself outside a transaction.
    server.db.activeExpireCycle = () => 0;
    assert.deepEqual(await texts(c, [['SET', 'ex', 'v', 'PX', '20']]), ['+OK']);
    const setAt = Date.now();
    await waitFor(() => Date.now() > setAt + 40, { message: 'the key to be past its expiry' });
    sinkLog.length = 0;
    assert.deepEqual(await texts(c, [['GET', 'other'], ['SET', 'one', '1']]), ['$-1', '+OK']);
    assert.deepEqual(sinkLog, ['commit', 'effect one', 'commit'], 'outside MULTI: one unit per command');
    sinkLog.length = 0;
    const replies = await texts(c, [['MULTI'], ['SET', 'ta', '1'], ['GET', 'ex'], ['INCR', 'tb'], ['EXEC']]);
    assert.deepEqual(replies, ['+OK', '+QUEUED', '+QUEUED', '+QUEUED', '*[+OK, $-1, :1]']);
    // MULTI ends its own (empty) unit like any command; queuing commits nothing; EXEC commits
    // once, after every effect, the lazy expiry's delete included.
    assert.deepEqual(sinkLog, ['commit', 'effect ta', 'effect ex', 'effect tb', 'commit']);
  });

  test('a remote effect on a watched key fails the EXEC; the hook is off while nobody watches', async () => {
    assert.equal(server.db.keyChanged, null);
    // A write originated by instance 2, as replication would deliver it.
    const peer = new Database({ instanceId: 2 });
    peer.now = Date.now();
    const effects: Effect[] = [];
    peer.sink = { effect: (e) => effects.push(e), commit: () => undefined };
    lookupCommand('set')!.handler!({ db: peer, out: new ReplyWriter(), session: { id: 0 } }, ['set', 'w', 'remote']);
    assert.equal(effects.length, 1);

    assert.deepEqual(await texts(c, [['WATCH', 'w']]), ['+OK']);
    assert.notEqual(server.db.keyChanged, null);
    assert.equal(server.db.applyRemote(effects[0]!), true);
    assert.deepEqual(await texts(c, [['MULTI'], ['GET', 'w'], ['EXEC'], ['GET', 'w']]), ['+OK', '+QUEUED', '*-1', '"remote"']);
    assert.equal(server.db.keyChanged, null, 'a failed EXEC unwatches');

    assert.deepEqual(await texts(c, [['WATCH', 'w', 'x']]), ['+OK']);
    assert.deepEqual(await texts(c, [['UNWATCH']]), ['+OK']);
    assert.equal(server.db.keyChanged, null, 'UNWATCH uninstalls the hook');
  });
});

const skip = targetSkipReason();

describe('transactions against a server', { skip }, () => {
  let server: ServerHandle;
  let admin: RawClient;

  before(async () => {
    server = await startTarget();
    admin = await server.connect();
  });

  after(async () => {
    await admin?.close();
    await server?.stop();
  });

  /** A fresh connection for one test; closed by the test. */
  async function conn(resp: 2 | 3 = 2): Promise<RawClient> {
    const c = await server.connect();
    if (resp === 3) await c.ok('HELLO', '3');
    return c;
  }

  test('MULTI, QUEUED, EXEC, DISCARD and the errors that leave the transaction intact', async () => {
    const c = await conn();
    assert.deepEqual(
      await texts(c, [['EXEC'], ['DISCARD'], ['MULTI'], ['MULTI'], ['SET', 'tx:k', 'v'], ['WATCH', 'tx:k'], ['UNWATCH'], ['GET', 'tx:k'], ['EXEC']]),
      ['-ERR EXEC without MULTI', '-ERR DISCARD without MULTI', '+OK', '-ERR MULTI calls can not be nested', '+QUEUED', '-ERR WATCH inside MULTI is not allowed', '+QUEUED', '+QUEUED', '*[+OK, +OK, "v"]'],
    );
    assert.deepEqual(await texts(c, [['MULTI'], ['SET', 'tx:k', 'w'], ['DISCARD'], ['GET', 'tx:k'], ['EXEC']]), ['+OK', '+QUEUED', '+OK', '"v"', '-ERR EXEC without MULTI']);
    assert.deepEqual(await texts(c, [['MULTI'], ['EXEC']]), ['+OK', '*[]']);
    await c.close();
  });

  test('a command refused while queuing dooms the transaction: EXECABORT', async () => {
    const c = await conn();
    const abort = '-EXECABORT Transaction discarded because of previous errors.';
    assert.deepEqual(await texts(c, [['MULTI'], ['SET', 'tx:a', '1'], ['NOSUCH', 'x'], ['EXEC'], ['EXEC']]), [
      '+OK',
      '+QUEUED',
      "-ERR unknown command 'NOSUCH', with args beginning with: 'x' ",
      abort,
      '-ERR EXEC without MULTI',
    ]);
    assert.deepEqual(await texts(c, [['MULTI'], ['GET'], ['EXEC']]), ['+OK', "-ERR wrong number of arguments for 'get' command", abort]);
    assert.deepEqual(await texts(c, [['MULTI'], ['CONFIG', 'FOO'], ['EXEC']]), ['+OK', "-ERR unknown subcommand 'FOO'. Try CONFIG HELP.", abort]);
    assert.deepEqual(await texts(c, [['MULTI'], ['SHUTDOWN'], ['EXEC']]), ['+OK', '-ERR Command not allowed inside a transaction', abort]);
    assert.deepEqual(await texts(c, [['MULTI'], ['DISCARD', 'x'], ['EXEC']]), ['+OK', "-ERR wrong number of arguments for 'discard' command", abort]);
    assert.deepEqual(await texts(c, [['GET', 'tx:a']]), ['$-1'], 'nothing of a doomed transaction ran');
    await c.close();
  });

  test('a refused EXEC aborts at once and says why', async () => {
    const c = await conn();
    const why = "-EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' command";
    assert.deepEqual(await texts(c, [['EXEC', 'x']]), [why], 'even outside MULTI');
    assert.deepEqual(await texts(c, [['MULTI'], ['SET', 'tx:b', '1'], ['EXEC', 'x'], ['EXEC'], ['GET', 'tx:b']]), ['+OK', '+QUEUED', why, '-ERR EXEC without MULTI', '$-1']);
    await c.close();
  });

  test('errors while running do not abort: each reply is in the EXEC array', async () => {
    const c = await conn();
    assert.deepEqual(await texts(c, [['SET', 'tx:s', 'x'], ['MULTI'], ['INCR', 'tx:s'], ['SET', 'tx:t', '1'], ['GET', 'tx:none'], ['EXEC']]), [
      '+OK',
      '+OK',
      '+QUEUED',
      '+QUEUED',
      '+QUEUED',
      '*[-ERR value is not an integer or out of range, +OK, $-1]',
    ]);
    const r3 = await conn(3);
    assert.deepEqual(await texts(r3, [['MULTI'], ['GET', 'tx:none'], ['EXEC']]), ['+OK', '+QUEUED', '*[_]']);
    await r3.close();
    await c.close();
  });

  test('CLIENT LIST shows a transaction in progress', async () => {
    const c = await conn();
    await c.ok('CLIENT', 'SETNAME', 'txlist');
    await texts(c, [['MULTI'], ['SET', 'tx:l', '1'], ['GET', 'tx:l']]);
    assert.match(formatReply(await admin.call('CLIENT', 'LIST')), /name=txlist .*flags=x db=0 sub=0 psub=0 ssub=0 multi=2 /);
    await texts(c, [['DISCARD']]);
    assert.match(formatReply(await admin.call('CLIENT', 'LIST')), /name=txlist .*flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 /);
    await c.close();
  });

  for (const resp of [2, 3] as const) {
    test(`WATCH: a change by another connection fails EXEC with the null array (RESP${resp})`, async () => {
      const nil = resp === 2 ? '*-1' : '_';
      const k = `tx:w${resp}`;
      const c = await conn(resp);
      await admin.ok('SET', k, '1');
      assert.deepEqual(await texts(c, [['WATCH', k]]), ['+OK']);
      await admin.ok('SET', k, '2');
      assert.deepEqual(await texts(c, [['MULTI'], ['SET', k, 'mine'], ['EXEC'], ['GET', k]]), ['+OK', '+QUEUED', nil, '"2"']);
      // The failed EXEC unwatched: the next transaction runs whatever others do.
      await admin.ok('SET', k, '3');
      assert.deepEqual(await texts(c, [['MULTI'], ['GET', k], ['EXEC']]), ['+OK', '+QUEUED', '*["3"]']);
      // Untouched keys: EXEC runs.
      assert.deepEqual(await texts(c, [['WATCH', k, `${k}:other`], ['MULTI'], ['SET', k, 'mine'], ['EXEC']]), ['+OK', '+OK', '+QUEUED', '*[+OK]']);
      // One of several keys, created or deleted by the other connection.
      assert.deepEqual(await texts(c, [['WATCH', k, `${k}:new`]]), ['+OK']);
      await admin.ok('SET', `${k}:new`, 'x');
      assert.deepEqual(await texts(c, [['MULTI'], ['PING'], ['EXEC']]), ['+OK', '+QUEUED', nil]);
      assert.deepEqual(await texts(c, [['WATCH', k]]), ['+OK']);
      await admin.ok('DEL', k);
      assert.deepEqual(await texts(c, [['MULTI'], ['PING'], ['EXEC']]), ['+OK', '+QUEUED', nil]);
      await c.close();
    });
  }

  test('WATCH: own changes count; UNWATCH, DISCARD and an aborted EXEC forget the watch', async () => {
    const c = await conn();
    assert.deepEqual(await texts(c, [['WATCH', 'tx:o'], ['SET', 'tx:o', '1'], ['MULTI'], ['EXEC']]), ['+OK', '+OK', '+OK', '*-1']);
    for (const forget of [[['UNWATCH']], [['MULTI'], ['DISCARD']], [['EXEC', 'x']]]) {
      await texts(c, [['WATCH', 'tx:o'], ...forget]);
      await admin.ok('SET', 'tx:o', 'other');
      assert.deepEqual(await texts(c, [['MULTI'], ['EXEC']]), ['+OK', '*[]'], `after ${forget.map((f) => f[0]).join(' ')}`);
    }
    await c.close();
  });

  test('WATCH: a key that expires before EXEC fails it; one already expired when watched does not', async () => {
    const c = await conn();
    await c.ok('SET', 'tx:e1', 'v', 'PX', '50');
    const setAt = Date.now();
    assert.deepEqual(await texts(c, [['WATCH', 'tx:e1']]), ['+OK']);
    await waitFor(() => Date.now() > setAt + 100, { message: 'the watched key to expire' });
    assert.deepEqual(await texts(c, [['MULTI'], ['PING'], ['EXEC']]), ['+OK', '+QUEUED', '*-1']);

    await c.ok('SET', 'tx:e2', 'v', 'PX', '20');
    const setAt2 = Date.now();
    await waitFor(() => Date.now() > setAt2 + 60, { message: 'the key to expire' });
    // Whether or not active expiry deleted it meanwhile, the key has not changed since WATCH.
    assert.deepEqual(await texts(c, [['WATCH', 'tx:e2'], ['MULTI'], ['GET', 'tx:e2'], ['EXEC']]), ['+OK', '+OK', '+QUEUED', '*[$-1]']);
    await c.close();
  });

  test('RESET inside MULTI discards the transaction and the watch', async () => {
    const c = await conn();
    assert.deepEqual(await texts(c, [['WATCH', 'tx:r'], ['MULTI'], ['SET', 'tx:r', '1'], ['RESET'], ['EXEC']]), ['+OK', '+OK', '+QUEUED', '+RESET', '-ERR EXEC without MULTI']);
    await admin.ok('SET', 'tx:r', '2');
    assert.deepEqual(await texts(c, [['MULTI'], ['GET', 'tx:r'], ['EXEC']]), ['+OK', '+QUEUED', '*["2"]']);
    await c.close();
  });

  test('maxmemory: nothing but EXEC/DISCARD inside MULTI; EXEC refused with a queued denyoom command', async () => {
    const writer = await conn();
    const reader = await conn();
    const late = await conn();
    try {
      assert.deepEqual(await texts(writer, [['MULTI'], ['SET', 'tx:m', '1']]), ['+OK', '+QUEUED']);
      assert.deepEqual(await texts(reader, [['MULTI'], ['GET', 'tx:m']]), ['+OK', '+QUEUED']);
      await admin.ok('CONFIG', 'SET', 'maxmemory', '1');
      const oom = "OOM command not allowed when used memory > 'maxmemory'.";
      assert.deepEqual(await texts(writer, [['EXEC'], ['EXEC']]), [`-EXECABORT Transaction discarded because of: ${oom}`, '-ERR EXEC without MULTI']);
      assert.deepEqual(await texts(reader, [['EXEC']]), ['*[$-1]'], 'no denyoom command queued: EXEC runs');
      assert.deepEqual(await texts(late, [['MULTI'], ['PING'], ['GET', 'tx:m'], ['DISCARD'], ['MULTI'], ['EXEC']]), ['+OK', `-${oom}`, `-${oom}`, '+OK', '+OK', '*[]']);
    } finally {
      await admin.ok('CONFIG', 'SET', 'maxmemory', '0');
      await Promise.all([writer.close(), reader.close(), late.close()]);
    }
  });

  test('an unauthenticated EXEC aborts with NOAUTH', async () => {
    await admin.ok('CONFIG', 'SET', 'requirepass', 'txpass');
    const c = await RawClient.connect(server.port);
    try {
      assert.deepEqual(await texts(c, [['EXEC'], ['MULTI']]), ['-EXECABORT Transaction discarded because of: NOAUTH Authentication required.', '-NOAUTH Authentication required.']);
    } finally {
      await admin.ok('CONFIG', 'SET', 'requirepass', '');
      await c.close();
    }
  });

  test('statistics: commands run by EXEC count their own failures, EXEC only its own', async () => {
    const c = await conn();
    await admin.ok('CONFIG', 'RESETSTAT');
    await texts(c, [['SET', 'tx:st', 'x'], ['MULTI'], ['INCR', 'tx:st'], ['GET', 'tx:st'], ['INCR', 'tx:st'], ['EXEC'], ['EXEC']]);
    const stats = formatReply(await admin.call('INFO', 'commandstats'));
    assert.match(stats, /cmdstat_exec:calls=2,.*?failed_calls=1/);
    assert.match(stats, /cmdstat_incr:calls=2,.*?failed_calls=2/);
    assert.match(stats, /cmdstat_get:calls=1,.*?failed_calls=0/);
    assert.match(formatReply(await admin.call('INFO', 'stats')), /total_error_replies:3\\r\\n/);
    await c.close();
  });

  test('ioredis: multi/exec, watch conflicts, queuing errors', async () => {
    const r = new Redis({ port: server.port, host: '127.0.0.1', maxRetriesPerRequest: 1 });
    const other = new Redis({ port: server.port, host: '127.0.0.1', maxRetriesPerRequest: 1 });
    try {
      assert.deepEqual(await r.multi().set('io:t', 'v').get('io:t').exec(), [[null, 'OK'], [null, 'v']]);
      await r.watch('io:w');
      await other.set('io:w', '1');
      assert.equal(await r.multi().get('io:w').exec(), null);
      await assert.rejects(r.multi().set('io:never', '1').call('GET').exec(), /EXECABORT Transaction discarded because of previous errors\./);
      assert.equal(await r.get('io:never'), null);
      const [incr] = (await r.multi().incr('io:t').exec())!;
      assert.match(String(incr![0]), /ERR value is not an integer or out of range/);
    } finally {
      r.disconnect();
      other.disconnect();
    }
  });

  for (const RESP of [2, 3] as const) {
    test(`node-redis over RESP${RESP}: multi().exec(), WatchError`, async () => {
      const c = createClient({ socket: { port: server.port, host: '127.0.0.1' }, RESP });
      const other = createClient({ socket: { port: server.port, host: '127.0.0.1' }, RESP });
      await c.connect();
      await other.connect();
      try {
        const p = `nr${RESP}:tx:`;
        assert.deepEqual(await c.multi().set(`${p}t`, 'v').get(`${p}t`).incr(`${p}n`).exec(), ['OK', 'v', 1]);
        await c.watch(`${p}w`);
        await other.set(`${p}w`, '1');
        await assert.rejects(c.multi().get(`${p}w`).exec(), WatchError);
        await c.watch(`${p}w`);
        assert.deepEqual(await c.multi().get(`${p}w`).exec(), ['1'], 'untouched: runs');
      } finally {
        c.destroy();
        other.destroy();
      }
    });
  }
});
