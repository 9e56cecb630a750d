/**
 * Blocking list commands (src/server/blocking.ts). First an in-process server, to drive what
 * only the inside can: a push arriving from another instance as a remote effect wakes a blocked
 * client, and WATCH and blocked clients share Database.keyChanged (null again once both are
 * done). Then a real `tandem server` process (E2E_TARGET=redis runs the same suite against
 * redis-server 7.0, which is how the expected replies were checked): wake-up of every blocking
 * command, FIFO order, the order keys become ready in, commands pipelined behind a blocked
 * command, timeouts in RESP2 and RESP3, MULTI, disconnects, errors, and ioredis.
 *
 * "Is the client blocked yet?" is answered by polling CLIENT LIST for the client's id with
 * cmd=<the blocking command>, never by sleeping.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { TandemServer } from '../../src/server/server.js';
import { Config } from '../../src/server/config.js';
import { createLogger } from '../../src/server/log.js';
import { Database } from '../../src/engine/database.js';
import type { Effect } from '../../src/engine/effect.js';
import { lookupCommand } from '../../src/engine/command-table.js';
import { ReplyWriter } from '../../src/protocol/reply.js';
import { type Reply, formatReply } from '../../src/protocol/resp-client.js';
import type { ServerHandle } from '../helpers/server-process.js';
import { startTarget, targetSkipReason } from '../helpers/targets.js';
import { RawClient } from '../helpers/raw-client.js';
import { waitFor, withTimeout } from '../helpers/wait-for.js';

/** Another instance (id 2): its effects arrive in order, as replication delivers them. */
const peer = new Database({ instanceId: 2 });

/** The effects of a write made on the other instance. */
function remoteEffects(...argv: string[]): Effect[] {
  peer.now = Date.now();
  const effects: Effect[] = [];
  peer.sink = { effect: (e) => effects.push(e), commit: () => undefined };
  lookupCommand(argv[0]!)!.handler!({ db: peer, out: new ReplyWriter(), session: { id: 0 } }, argv);
  return effects;
}

describe('blocking inside the server', () => {
  let server: TandemServer;

  before(async () => {
    const config = new Config();
    config.setInitial('port', '0');
    server = new TandemServer(config, createLogger({ level: 'silent' }));
    await server.listen();
  });

  after(async () => {
    await server?.close();
  });

  test('a push that arrives as a remote effect wakes a blocked client', async () => {
    const c = await RawClient.connect(server.port);
    const reply = c.call('BLPOP', 'remote', '0');
    await waitFor(() => server.blocking.blockedClients === 1, { message: 'the client to block' });
    const effects = remoteEffects('rpush', 'remote', 'from-2');
    assert.equal(effects.length, 1);
    assert.equal(server.db.applyRemote(effects[0]!), true);
    assert.equal(formatReply(await withTimeout(reply, 5000, 'BLPOP woken by a remote push')), '*["remote", "from-2"]');
    assert.equal(server.blocking.blockedClients, 0);
    // The pop is a local write: the list is gone here, and its effect went to the sink.
    assert.equal(server.db.peek('remote'), undefined);
    await c.close();
  });

  test('WATCH and blocked clients share keyChanged; it is null again when both are done', async () => {
    assert.equal(server.db.keyChanged, null);
    const watcher = await RawClient.connect(server.port);
    const blocked = await RawClient.connect(server.port);
    assert.equal(formatReply(await watcher.call('WATCH', 'w')), '+OK');
    const one = server.db.keyChanged;
    assert.notEqual(one, null);
    const reply = blocked.call('BRPOP', 'q', '0');
    await waitFor(() => server.blocking.blockedClients === 1, { message: 'the client to block' });
    assert.notEqual(server.db.keyChanged, one, 'a fan-out over both listeners');
    for (const e of remoteEffects('set', 'w', 'x')) server.db.applyRemote(e);
    assert.deepEqual((await watcher.pipeline([['MULTI'], ['EXEC']])).map((r) => formatReply(r)), ['+OK', '*-1']);
    assert.notEqual(server.db.keyChanged, null, 'the blocked client still listens');
    for (const e of remoteEffects('lpush', 'q', 'job')) server.db.applyRemote(e);
    assert.equal(formatReply(await withTimeout(reply, 5000, 'BRPOP woken')), '*["q", "job"]');
    assert.equal(server.db.keyChanged, null, 'nobody listens: writes pay one comparison');
    await Promise.all([watcher.close(), blocked.close()]);
  });

  test('a client that disconnects while blocked stops waiting', async () => {
    const c = await RawClient.connect(server.port);
    void c.call('BLPOP', 'gone', '0').catch(() => undefined);
    await waitFor(() => server.blocking.blockedClients === 1, { message: 'the client to block' });
    await c.close();
    await waitFor(() => server.blocking.blockedClients === 0, { message: 'the disconnect to unblock' });
    assert.equal(server.db.keyChanged, null);
  });
});

const skip = targetSkipReason();

describe('blocking commands against a server', { skip }, () => {
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

  async function conn(resp: 2 | 3 = 2): Promise<{ c: RawClient; id: string }> {
    const c = await server.connect();
    if (resp === 3) await c.ok('HELLO', '3');
    const id = await c.call('CLIENT', 'ID');
    assert.equal(id.t, 'integer');
    return { c, id: String(id.v) };
  }

  async function text(c: RawClient, ...args: string[]): Promise<string> {
    return formatReply(await c.call(...args));
  }

  /** Waits until client `id` is blocked in `cmd` (CLIENT LIST shows its last command). */
  async function blockedIn(id: string, cmd: string): Promise<void> {
    const line = new RegExp(`^id=${id} .* cmd=${cmd} `, 'm');
    await waitFor(async () => line.test(formatReply(await admin.call('CLIENT', 'LIST')).replace(/\\n/g, '\n')), {
      message: `client ${id} to block in ${cmd}`,
    });
  }

  async function settled(p: Promise<Reply>, what: string): Promise<string> {
    return formatReply(await withTimeout(p, 5000, what));
  }

  test('BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP wake on a push with their replies', async () => {
    await admin.ok('DEL', 'b1', 'b2', 'b3', 'b4', 'b5', 'dst');
    const waiters = await Promise.all([conn(), conn(), conn(), conn(), conn()]);
    const cases: [string[], string, string[], string][] = [
      [['BLPOP', 'none', 'b1', '0'], 'blpop', ['RPUSH', 'b1', 'x', 'y'], '*["b1", "x"]'],
      [['BRPOP', 'b2', '0'], 'brpop', ['RPUSH', 'b2', 'x', 'y'], '*["b2", "y"]'],
      [['BLMOVE', 'b3', 'dst', 'LEFT', 'RIGHT', '0'], 'blmove', ['RPUSH', 'b3', 'x', 'y'], '"x"'],
      [['BRPOPLPUSH', 'b4', 'dst', '0'], 'brpoplpush', ['RPUSH', 'b4', 'x', 'y'], '"y"'],
      [['BLMPOP', '0', '2', 'none', 'b5', 'RIGHT', 'COUNT', '5'], 'blmpop', ['RPUSH', 'b5', 'x', 'y'], '*["b5", *["y", "x"]]'],
    ];
    for (let i = 0; i < cases.length; i++) {
      const [cmd, name, push, expected] = cases[i]!;
      const { c, id } = waiters[i]!;
      const reply = c.call(...cmd);
      await blockedIn(id, name);
      assert.equal(await text(admin, ...push), ':2');
      assert.equal(await settled(reply, cmd.join(' ')), expected, cmd.join(' '));
    }
    assert.equal(await text(admin, 'LRANGE', 'dst', '0', '-1'), '*["y", "x"]');
    assert.equal(await text(admin, 'EXISTS', 'b5'), ':0');
    await Promise.all(waiters.map((w) => w.c.close()));
  });

  test('clients blocked on one key are served first come, first served', async () => {
    await admin.ok('DEL', 'fifo');
    const waiters = await Promise.all([conn(), conn(), conn()]);
    const replies: Promise<Reply>[] = [];
    for (const { c, id } of waiters) {
      replies.push(c.call('BLPOP', 'fifo', '0'));
      await blockedIn(id, 'blpop');
    }
    assert.equal(await text(admin, 'RPUSH', 'fifo', 'first', 'second', 'third', 'fourth'), ':4');
    const got = await Promise.all(replies.map((p, i) => settled(p, `waiter ${i}`)));
    assert.deepEqual(got, ['*["fifo", "first"]', '*["fifo", "second"]', '*["fifo", "third"]']);
    assert.equal(await text(admin, 'LRANGE', 'fifo', '0', '-1'), '*["fourth"]');
    await Promise.all(waiters.map((w) => w.c.close()));
  });

  test('keys are served in the order they became lists; one served key unblocks the client', async () => {
    await admin.ok('DEL', 'r1', 'r2');
    const { c, id } = await conn();
    const reply = c.call('BLPOP', 'r1', 'r2', '0');
    await blockedIn(id, 'blpop');
    const exec = await admin.pipeline([['MULTI'], ['SET', 'r1', 'string first'], ['RPUSH', 'r2', 'x'], ['DEL', 'r1'], ['RPUSH', 'r1', 'y'], ['EXEC']]);
    assert.equal(formatReply(exec[5]!), '*[+OK, :1, :1, :1]');
    assert.equal(await settled(reply, 'BLPOP r1 r2'), '*["r2", "x"]');
    assert.equal(await text(admin, 'LRANGE', 'r1', '0', '-1'), '*["y"]');
    await c.close();
  });

  test('a BLMOVE that fills the key another client waits on wakes that client too', async () => {
    await admin.ok('DEL', 'chain1', 'chain2');
    const first = await conn();
    const second = await conn();
    const moved = first.c.call('BLMOVE', 'chain1', 'chain2', 'RIGHT', 'LEFT', '0');
    await blockedIn(first.id, 'blmove');
    const popped = second.c.call('BLPOP', 'chain2', '0');
    await blockedIn(second.id, 'blpop');
    assert.equal(await text(admin, 'LPUSH', 'chain1', 'v'), ':1');
    assert.equal(await settled(moved, 'BLMOVE'), '"v"');
    assert.equal(await settled(popped, 'BLPOP chain2'), '*["chain2", "v"]');
    assert.equal(await text(admin, 'EXISTS', 'chain1', 'chain2'), ':0');
    await Promise.all([first.c.close(), second.c.close()]);
  });

  test('commands pipelined behind a blocking command wait, then run after the pusher\'s own', async () => {
    await admin.ok('DEL', 'pipe', 'seq', 'after');
    const { c, id } = await conn();
    const replies = c.pipeline([['BLPOP', 'pipe', '0'], ['SET', 'after', 'yes'], ['INCR', 'seq'], ['GET', 'after']]);
    await blockedIn(id, 'blpop');
    assert.equal(await text(admin, 'GET', 'after'), '$-1', 'nothing behind the blocked command has run');
    // The pusher's pipeline runs to its end before the woken client's next commands.
    const pushed = await admin.pipeline([['RPUSH', 'pipe', 'v'], ['INCR', 'seq']]);
    assert.deepEqual(pushed.map((r) => formatReply(r)), [':1', ':1']);
    const got = (await withTimeout(replies, 5000, 'the pipeline')).map((r) => formatReply(r));
    assert.deepEqual(got, ['*["pipe", "v"]', '+OK', ':2', '"yes"']);
    await c.close();
  });

  test('timeouts answer the null array in RESP2 and RESP3, not before they are due', async () => {
    await admin.ok('DEL', 'nothing');
    const { c } = await conn();
    for (const cmd of [['BLPOP', 'nothing', '0.1'], ['BRPOP', 'nothing', '0.05'], ['BLMOVE', 'nothing', 'x', 'LEFT', 'LEFT', '0.05'], ['BRPOPLPUSH', 'nothing', 'x', '0.05'], ['BLMPOP', '0.05', '1', 'nothing', 'LEFT']]) {
      const started = Date.now();
      assert.equal(await text(c, ...cmd), '*-1', cmd.join(' '));
      const seconds = Number(cmd[0] === 'BLMPOP' ? cmd[1] : cmd[cmd.length - 1]);
      assert.ok(Date.now() - started >= seconds * 1000 - 5, `${cmd[0]} answered after ${Date.now() - started} ms`);
    }
    // Pipelined commands behind a blocked one run once it timed out.
    const after = await withTimeout(c.pipeline([['BLPOP', 'nothing', '0.02'], ['PING']]), 5000, 'pipeline behind a timeout');
    assert.deepEqual(after.map((r) => formatReply(r)), ['*-1', '+PONG']);
    const r3 = await conn(3);
    assert.equal(await text(r3.c, 'BLPOP', 'nothing', '0.02'), '_');
    assert.equal(await text(r3.c, 'BLMOVE', 'nothing', 'x', 'LEFT', 'LEFT', '0.02'), '_');
    await Promise.all([c.close(), r3.c.close()]);
  });

  test('inside MULTI nothing blocks: the commands answer as if timed out', async () => {
    await admin.ok('DEL', 'm', 'x');
    const { c } = await conn();
    const replies = await c.pipeline([
      ['MULTI'], ['BLPOP', 'm', '0'], ['BLMOVE', 'm', 'x', 'LEFT', 'RIGHT', '0'], ['BRPOPLPUSH', 'm', 'x', '0'], ['BLMPOP', '0', '1', 'm', 'LEFT'],
      ['RPUSH', 'm', 'a', 'b'], ['BLPOP', 'm', '0'], ['BLMOVE', 'm', 'x', 'LEFT', 'RIGHT', '0'], ['EXEC'],
    ]);
    assert.equal(formatReply(replies[8]!), '*[*-1, $-1, $-1, *-1, :2, *["m", "a"], "b"]');
    const r3 = await conn(3);
    const replies3 = await r3.c.pipeline([['MULTI'], ['BLPOP', 'm', '0'], ['BLMOVE', 'm', 'x', 'LEFT', 'RIGHT', '0'], ['EXEC']]);
    assert.equal(formatReply(replies3[3]!), '*[_, _]');
    await Promise.all([c.close(), r3.c.close()]);
  });

  test('argument errors and WRONGTYPE answer at once', async () => {
    await admin.ok('DEL', 'e', 's');
    await admin.ok('SET', 's', 'v');
    const { c } = await conn();
    const cases: [string[], string][] = [
      [['BLPOP', 'e', 'abc'], '-ERR timeout is not a float or out of range'],
      [['BLPOP', 'e', '-1'], '-ERR timeout is negative'],
      [['BLPOP', 'e', 'inf'], '-ERR timeout is negative'],
      [['BRPOP', 'e', '1e16'], '-ERR timeout is negative'],
      [['BLPOP', 'e', 's', '0'], '-WRONGTYPE Operation against a key holding the wrong kind of value'],
      [['BLMOVE', 'e', 'x', 'UP', 'LEFT', '0'], '-ERR syntax error'],
      [['BLMOVE', 'e', 'x', 'LEFT', 'LEFT', 'x'], '-ERR timeout is not a float or out of range'],
      [['BLMOVE', 's', 'x', 'LEFT', 'LEFT', '0'], '-WRONGTYPE Operation against a key holding the wrong kind of value'],
      [['BRPOPLPUSH', 'e', 'x', '-0.5'], '-ERR timeout is negative'],
      [['BLMPOP', 'x', '0', 'e', 'LEFT'], '-ERR numkeys should be greater than 0'],
      [['BLMPOP', 'x', '1', 'e', 'LEFT'], '-ERR timeout is not a float or out of range'],
      [['BLMPOP', '0', '1', 'e', 'LEFT', 'COUNT', '0'], '-ERR count should be greater than 0'],
      [['BLMPOP', '0', '2', 's', 'e', 'LEFT'], '-WRONGTYPE Operation against a key holding the wrong kind of value'],
      [['BLPOP', 'e'], "-ERR wrong number of arguments for 'blpop' command"],
    ];
    for (const [cmd, expected] of cases) assert.equal(await text(c, ...cmd), expected, cmd.join(' '));
    await c.close();
  });

  test('a woken BLMOVE whose destination is not a list gets WRONGTYPE; the element stays', async () => {
    await admin.ok('DEL', 'wsrc', 'wdst');
    await admin.ok('SET', 'wdst', 'string');
    const { c, id } = await conn();
    const reply = c.call('BLMOVE', 'wsrc', 'wdst', 'LEFT', 'LEFT', '0');
    await blockedIn(id, 'blmove');
    assert.equal(await text(admin, 'RPUSH', 'wsrc', 'kept'), ':1');
    assert.equal(await settled(reply, 'BLMOVE'), '-WRONGTYPE Operation against a key holding the wrong kind of value');
    assert.equal(await text(admin, 'LRANGE', 'wsrc', '0', '-1'), '*["kept"]');
    await c.close();
  });

  test('a client that disconnects while blocked takes nothing', async () => {
    await admin.ok('DEL', 'ghost');
    const { c, id } = await conn();
    void c.call('BLPOP', 'ghost', '0').catch(() => undefined);
    await blockedIn(id, 'blpop');
    await c.close();
    await waitFor(async () => !formatReply(await admin.call('CLIENT', 'LIST')).includes(`id=${id} `), { message: 'the client to be gone' });
    assert.equal(await text(admin, 'RPUSH', 'ghost', 'v'), ':1');
    assert.equal(await text(admin, 'LLEN', 'ghost'), ':1');
  });

  test('ioredis: blpop and blmove resolve when another connection pushes', async () => {
    const r = new Redis({ port: server.port, host: '127.0.0.1', maxRetriesPerRequest: 1 });
    const other = new Redis({ port: server.port, host: '127.0.0.1', maxRetriesPerRequest: 1 });
    try {
      await r.del('io', 'io2');
      const id = String(await r.client('ID'));
      const blockedIn = (cmd: string) => async () => new RegExp(`^id=${id} .* cmd=${cmd} `, 'm').test(String(await other.client('LIST')));
      const popped = r.blpop('io', 0);
      await waitFor(blockedIn('blpop'), { message: 'ioredis to block' });
      await other.rpush('io', 'hello');
      assert.deepEqual(await withTimeout(popped, 5000, 'ioredis blpop'), ['io', 'hello']);
      const moved = r.blmove('io2', 'io', 'LEFT', 'RIGHT', 0);
      await waitFor(blockedIn('blmove'), { message: 'ioredis to block in blmove' });
      await other.lpush('io2', 'world');
      assert.equal(await withTimeout(moved, 5000, 'ioredis blmove'), 'world');
      assert.deepEqual(await other.lrange('io', 0, -1), ['world']);
      assert.equal(await r.blpop('none', 0.01), null);
    } finally {
      r.disconnect();
      other.disconnect();
    }
  });
});
