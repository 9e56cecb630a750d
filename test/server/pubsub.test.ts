/**
 * Pub/sub (src/server/pubsub.ts): the replication seam of PubSubHub as a unit, then a real
 * `tandem server` process (E2E_TARGET=redis runs the same suite against redis-server 7.0, which
 * is how the expected replies were checked): RESP2 arrays and RESP3 push frames, counts, the
 * RESP2 subscriber context, patterns, shard channels, PUBSUB, cleanup on RESET and disconnect,
 * CLIENT LIST and INFO figures, the `pubsub` output-buffer class, ioredis and node-redis.
 */
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { PubSubHub } from '../../src/server/pubsub.js';
import type { Subscriber } from '../../src/server/pubsub.js';
import { ReplyWriter } from '../../src/protocol/reply.js';
import { ReplyParser, encodeCommand, formatReply } from '../../src/protocol/resp-client.js';
import type { Reply } from '../../src/protocol/resp-client.js';
import type { ServerHandle } from '../helpers/server-process.js';
import { e2eTarget, startTarget, targetSkipReason } from '../helpers/targets.js';
import { RawClient } from '../helpers/raw-client.js';
import { waitFor, withTimeout } from '../helpers/wait-for.js';

// ---- the replication seam, as a unit --------------------------------------------------------

interface FakeSubscriber extends Subscriber {
  readonly out: ReplyWriter;
  closed: boolean;
}

function fakeSubscriber(resp: 2 | 3 = 2): FakeSubscriber {
  const out = new ReplyWriter();
  out.resp = resp;
  return { out, closed: false, subs: null };
}

/** Every frame a fake subscriber was sent, formatted. */
function framesOf(s: FakeSubscriber): string[] {
  const frames: string[] = [];
  const err = new ReplyParser().feed(s.out.take(), (r) => frames.push(formatReply(r)));
  assert.equal(err, null);
  return frames;
}

const nextTurn = () => new Promise<void>((r) => setImmediate(r));

describe('PubSubHub seam', () => {
  test('publishLocal delivers here and tells every listener; deliverRemote delivers and tells none', async () => {
    const flushed: FakeSubscriber[] = [];
    const hub = new PubSubHub<FakeSubscriber>((s) => flushed.push(s));
    const a = fakeSubscriber();
    const b = fakeSubscriber(3);
    hub.add(a, 'channels', 'news');
    hub.add(b, 'patterns', 'n*');
    const heard: string[] = [];
    const stop = hub.onPublish((ch, msg, shard) => heard.push(`${ch}:${msg}:${shard}`));

    assert.equal(hub.publishLocal('news', 'one'), 2, 'local receivers: a by channel, b by pattern');
    assert.deepEqual(heard, ['news:one:false']);
    assert.equal(hub.deliverRemote('news', 'two'), 2);
    assert.deepEqual(heard, ['news:one:false'], 'a remote message is never handed back to replication');
    assert.equal(hub.publishLocal('other', 'three'), 0, 'nobody here: still forwarded');
    assert.deepEqual(heard, ['news:one:false', 'other:three:false']);
    stop();
    hub.publishLocal('news', 'four');
    assert.equal(heard.length, 2, 'an unregistered listener hears nothing');

    await nextTurn();
    assert.deepEqual(new Set(flushed), new Set([a, b]), 'every subscriber reached is flushed once per turn');
    assert.equal(flushed.length, 2);
    assert.deepEqual(framesOf(a), ['*["message", "news", "one"]', '*["message", "news", "two"]', '*["message", "news", "four"]']);
    assert.deepEqual(framesOf(b), ['>["pmessage", "n*", "news", "one"]', '>["pmessage", "n*", "news", "two"]', '>["pmessage", "n*", "news", "four"]']);
  });

  test('two instances wired through the seam: each subscriber gets a message once, the origin no echo', async () => {
    const hubs = [new PubSubHub<FakeSubscriber>(() => undefined), new PubSubHub<FakeSubscriber>(() => undefined)] as const;
    const forwarded: string[] = [];
    // A full mesh of two: each instance forwards its local publications to the other.
    hubs[0].onPublish((ch, msg, shard) => {
      forwarded.push(`0->1 ${msg}`);
      hubs[1].deliverRemote(ch, msg, shard);
    });
    hubs[1].onPublish((ch, msg, shard) => {
      forwarded.push(`1->0 ${msg}`);
      hubs[0].deliverRemote(ch, msg, shard);
    });
    const subs = [fakeSubscriber(), fakeSubscriber()] as const;
    hubs[0].add(subs[0], 'channels', 'health');
    hubs[1].add(subs[1], 'channels', 'health');
    assert.equal(hubs[0].publishLocal('health', 'from-0'), 1, 'PUBLISH counts local receivers only');
    assert.equal(hubs[1].publishLocal('health', 'from-1'), 1);
    assert.deepEqual(forwarded, ['0->1 from-0', '1->0 from-1']);
    await nextTurn();
    assert.deepEqual(framesOf(subs[0]), ['*["message", "health", "from-0"]', '*["message", "health", "from-1"]']);
    assert.deepEqual(framesOf(subs[1]), ['*["message", "health", "from-0"]', '*["message", "health", "from-1"]']);
  });

  test('shard messages cross the seam flagged as such; a closed subscriber is skipped', async () => {
    const hub = new PubSubHub<FakeSubscriber>(() => undefined);
    const s = fakeSubscriber();
    const gone = fakeSubscriber();
    hub.add(s, 'shardChannels', 'sh');
    hub.add(gone, 'shardChannels', 'sh');
    gone.closed = true;
    const heard: boolean[] = [];
    hub.onPublish((_c, _m, shard) => heard.push(shard));
    assert.equal(hub.publishLocal('sh', 'x', true), 1);
    assert.equal(hub.publishLocal('sh', 'x'), 0, 'a shard channel is not a channel');
    assert.deepEqual(heard, [true, false]);
    assert.equal(hub.deliverRemote('sh', 'y', true), 1);
    await nextTurn();
    assert.deepEqual(framesOf(s), ['*["smessage", "sh", "x"]', '*["smessage", "sh", "y"]']);
    assert.equal(gone.out.length, 0);
  });

  test('figures follow subscriptions; removeClient forgets a client entirely', () => {
    const hub = new PubSubHub<FakeSubscriber>(() => undefined);
    const a = fakeSubscriber();
    const b = fakeSubscriber();
    hub.add(a, 'channels', 'c1');
    hub.add(a, 'channels', 'c1');
    hub.add(a, 'patterns', 'p*');
    hub.add(b, 'patterns', 'p*');
    hub.add(b, 'shardChannels', 's1');
    assert.deepEqual([hub.channelCount, hub.patternCount, hub.shardChannelCount, hub.clientCount], [1, 1, 1, 2]);
    assert.equal(a.subs!.count, 2);
    assert.equal(hub.remove(a, 'channels', 'nope'), false);
    hub.removeClient(a);
    assert.equal(a.subs, null);
    assert.deepEqual([hub.channelCount, hub.patternCount, hub.clientCount], [0, 1, 1]);
    assert.equal(hub.remove(b, 'patterns', 'p*'), true);
    assert.notEqual(b.subs, null, 'still subscribed to a shard channel');
    assert.equal(hub.remove(b, 'shardChannels', 's1'), true);
    assert.equal(b.subs, null);
    assert.equal(hub.clientCount, 0);
  });
});

// ---- a real server ---------------------------------------------------------------------------

/** A connection that keeps every frame the server sends, replies and messages alike, in order. */
class FrameStream {
  private readonly parser = new ReplyParser();
  private readonly frames: Reply[] = [];
  private wake: (() => void) | null = null;
  closed = false;

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.parser.feed(chunk, (r) => this.frames.push(r));
      this.wake?.();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake?.();
    });
    socket.on('error', () => undefined);
  }

  static connect(port: number): Promise<FrameStream> {
    return new Promise((resolve, reject) => {
      const s = net.createConnection({ port, host: '127.0.0.1' }, () => resolve(new FrameStream(s)));
      s.once('error', reject);
    });
  }

  send(...args: (string | Buffer)[]): void {
    this.socket.write(encodeCommand(args));
  }

  /** The next n frames, formatted. */
  async take(n = 1): Promise<string[]> {
    const wait = async (): Promise<string[]> => {
      while (this.frames.length < n) {
        if (this.closed) throw new Error(`connection closed with ${this.frames.length} of ${n} frames`);
        await new Promise<void>((r) => (this.wake = r));
      }
      return this.frames.splice(0, n).map((f) => formatReply(f));
    };
    return withTimeout(wait(), 5000, `${n} frame(s)`);
  }

  async next(): Promise<string> {
    return (await this.take(1))[0]!;
  }

  /** Sends a command and returns the next n frames. */
  async call(n: number, ...args: (string | Buffer)[]): Promise<string[]> {
    this.send(...args);
    return this.take(n);
  }

  get pending(): number {
    return this.frames.length;
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((r) => {
      this.socket.once('close', () => r());
      this.socket.end();
    });
  }
}

/**
 * Unsubscribing from everything walks a hash table in Redis, so the names come in any order;
 * the counts still go down one by one. Returns the frames with names replaced by ?, and the
 * names sorted.
 */
function unordered(frames: string[]): { shapes: string[]; names: string[] } {
  const names: string[] = [];
  const shapes = frames.map((f) =>
    f.replace(/^(.\["\w+", )("[^"]*")/, (_m, head: string, name: string) => {
      names.push(name);
      return `${head}?`;
    }),
  );
  return { shapes, names: names.sort() };
}

const skip = targetSkipReason();
const isTandem = e2eTarget() === 'tandem';

describe('pub/sub against a server', { skip }, () => {
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

  /** Connections of the running test, closed after it whatever happened. */
  const open: FrameStream[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
  });

  async function connect(): Promise<FrameStream> {
    const s = await FrameStream.connect(server.port);
    open.push(s);
    return s;
  }

  async function text(...args: string[]): Promise<string> {
    return formatReply(await admin.call(...args));
  }

  /** Waits until the server has forgotten every subscription (after closes are processed). */
  async function settled(): Promise<void> {
    await waitFor(async () => (await text('PUBSUB', 'NUMPAT')) === ':0' && (await text('PUBSUB', 'CHANNELS')) === '*[]', { message: 'subscriptions to be gone' });
  }

  test('RESP2: subscribe, message, unsubscribe replies and counts', async () => {
    const s = await connect();
    assert.deepEqual(await s.call(1, 'SUBSCRIBE'), ["-ERR wrong number of arguments for 'subscribe' command"]);
    assert.deepEqual(await s.call(2, 'SUBSCRIBE', 'r2:x', 'r2:y'), ['*["subscribe", "r2:x", :1]', '*["subscribe", "r2:y", :2]']);
    assert.deepEqual(await s.call(1, 'SUBSCRIBE', 'r2:x'), ['*["subscribe", "r2:x", :2]'], 'a repeated subscription counts once');
    assert.equal(await text('PUBLISH', 'r2:x', 'hello'), ':1');
    assert.equal(await s.next(), '*["message", "r2:x", "hello"]');
    assert.deepEqual(await s.call(1, 'PSUBSCRIBE', 'r2:*'), ['*["psubscribe", "r2:*", :3]']);
    assert.equal(await text('PUBLISH', 'r2:y', 'both'), ':2', 'one client, reached by channel and by pattern, counts twice');
    assert.deepEqual(new Set(await s.take(2)), new Set(['*["message", "r2:y", "both"]', '*["pmessage", "r2:*", "r2:y", "both"]']));
    assert.deepEqual(await s.call(2, 'UNSUBSCRIBE', 'r2:x', 'r2:nope'), ['*["unsubscribe", "r2:x", :2]', '*["unsubscribe", "r2:nope", :2]']);
    assert.deepEqual(await s.call(1, 'UNSUBSCRIBE'), ['*["unsubscribe", "r2:y", :1]'], 'the count includes patterns');
    assert.deepEqual(await s.call(1, 'UNSUBSCRIBE'), ['*["unsubscribe", $-1, :1]'], 'no channel left: nil name');
    assert.deepEqual(await s.call(1, 'PUNSUBSCRIBE'), ['*["punsubscribe", "r2:*", :0]']);
    assert.deepEqual(await s.call(1, 'PUNSUBSCRIBE'), ['*["punsubscribe", $-1, :0]']);
    assert.deepEqual(await s.call(1, 'GET', 'r2:k'), ['$-1'], 'subscribed to nothing: the context is left');
    await s.close();
  });

  test('RESP2 subscriber context: only (P|S)(UN)SUBSCRIBE, PING, QUIT, RESET', async () => {
    const s = await connect();
    await s.call(1, 'SUBSCRIBE', 'ctx:a');
    const refused = (name: string) => `-ERR Can't execute '${name}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context`;
    assert.deepEqual(await s.call(1, 'GET', 'k'), [refused('get')]);
    assert.deepEqual(await s.call(1, 'MULTI'), [refused('multi')]);
    assert.deepEqual(await s.call(1, 'CONFIG', 'GET', 'port'), [refused('config|get')]);
    assert.deepEqual(await s.call(1, 'PUBLISH', 'ctx:a', 'x'), [refused('publish')]);
    assert.deepEqual(await s.call(1, 'NOSUCH'), ["-ERR unknown command 'NOSUCH', with args beginning with: "], 'lookup comes first');
    assert.deepEqual(await s.call(1, 'PING'), ['*["pong", ""]']);
    assert.deepEqual(await s.call(1, 'PING', 'hi'), ['*["pong", "hi"]']);
    assert.deepEqual(await s.call(1, 'PING', 'a', 'b'), ["-ERR wrong number of arguments for 'ping' command"]);
    assert.deepEqual(await s.call(1, 'SSUBSCRIBE', 'ctx:s'), ['*["ssubscribe", "ctx:s", :1]']);
    assert.deepEqual(await s.call(1, 'RESET'), ['+RESET']);
    assert.equal(await text('PUBSUB', 'NUMSUB', 'ctx:a'), '*["ctx:a", :0]', 'RESET unsubscribes');
    assert.equal(await text('PUBSUB', 'SHARDNUMSUB', 'ctx:s'), '*["ctx:s", :0]');
    assert.deepEqual(await s.call(1, 'PING'), ['+PONG']);
    assert.equal(await text('PUBLISH', 'ctx:a', 'lost'), ':0');
    assert.deepEqual(await s.call(1, 'GET', 'ctx:k'), ['$-1']);
    assert.equal(s.pending, 0, 'nothing was delivered after RESET');
    await s.close();
  });

  test('RESP3: push frames, every command allowed, the push before the reply that caused it', async () => {
    const s = await connect();
    assert.match((await s.call(1, 'HELLO', '3'))[0]!, /^%\{"server": "redis"/);
    assert.deepEqual(await s.call(2, 'SUBSCRIBE', 'r3:a', 'r3:b'), ['>["subscribe", "r3:a", :1]', '>["subscribe", "r3:b", :2]']);
    assert.deepEqual(await s.call(1, 'GET', 'r3:k'), ['_']);
    assert.deepEqual(await s.call(1, 'PING'), ['+PONG']);
    assert.deepEqual(await s.call(2, 'PUBLISH', 'r3:a', 'self'), ['>["message", "r3:a", "self"]', ':1']);
    assert.equal(await text('PUBLISH', 'r3:b', 'other'), ':1');
    assert.equal(await s.next(), '>["message", "r3:b", "other"]');
    assert.deepEqual(await s.call(1, 'PSUBSCRIBE', 'r3:*'), ['>["psubscribe", "r3:*", :3]']);
    assert.equal(await text('PUBLISH', 'r3:zz', 'pat'), ':1');
    assert.equal(await s.next(), '>["pmessage", "r3:*", "r3:zz", "pat"]');
    assert.deepEqual(unordered(await s.call(2, 'UNSUBSCRIBE')), { shapes: ['>["unsubscribe", ?, :2]', '>["unsubscribe", ?, :1]'], names: ['"r3:a"', '"r3:b"'] });
    assert.deepEqual(await s.call(1, 'UNSUBSCRIBE'), ['>["unsubscribe", _, :1]']);
    assert.deepEqual(await s.call(1, 'PUNSUBSCRIBE'), ['>["punsubscribe", "r3:*", :0]']);
    assert.deepEqual(await s.call(1, 'PUNSUBSCRIBE'), ['>["punsubscribe", _, :0]']);
    await s.close();
  });

  test('patterns: Redis globs, distinct patterns counted once by NUMPAT', async () => {
    await settled();
    const s = await connect();
    const t = await connect();
    const pats = ['g:h?llo', 'g:h[ae]llo', 'g:h[^e]llo', 'g:a\\*b', 'g:[a-c]x'];
    assert.deepEqual(await s.call(pats.length, 'PSUBSCRIBE', ...pats), pats.map((p, i) => `*["psubscribe", ${JSON.stringify(p)}, :${i + 1}]`));
    await t.call(1, 'PSUBSCRIBE', 'g:h?llo');
    assert.equal(await text('PUBSUB', 'NUMPAT'), `:${pats.length}`);
    const receivers = async (channel: string) => Number((await text('PUBLISH', channel, 'm')).slice(1));
    assert.equal(await receivers('g:hallo'), 4, 'h?llo twice (two clients), h[ae]llo, h[^e]llo');
    assert.equal(await receivers('g:hello'), 3, 'h?llo twice, h[ae]llo');
    assert.equal(await receivers('g:a*b'), 1);
    assert.equal(await receivers('g:axb'), 0, 'an escaped * is literal');
    assert.equal(await receivers('g:bx'), 1);
    assert.equal(await receivers('g:dx'), 0);
    const got = await s.take(7);
    assert.deepEqual(new Set(got.slice(0, 3)), new Set(['*["pmessage", "g:h?llo", "g:hallo", "m"]', '*["pmessage", "g:h[ae]llo", "g:hallo", "m"]', '*["pmessage", "g:h[^e]llo", "g:hallo", "m"]']));
    assert.deepEqual(new Set(got.slice(3, 5)), new Set(['*["pmessage", "g:h?llo", "g:hello", "m"]', '*["pmessage", "g:h[ae]llo", "g:hello", "m"]']));
    assert.deepEqual(got.slice(5), ['*["pmessage", "g:a\\\\*b", "g:a*b", "m"]', '*["pmessage", "g:[a-c]x", "g:bx", "m"]']);
    assert.deepEqual(await t.take(2), ['*["pmessage", "g:h?llo", "g:hallo", "m"]', '*["pmessage", "g:h?llo", "g:hello", "m"]']);
    assert.deepEqual(await s.call(1, 'PUNSUBSCRIBE', 'g:h?llo'), [`*["punsubscribe", "g:h?llo", :${pats.length - 1}]`]);
    assert.equal(await text('PUBSUB', 'NUMPAT'), `:${pats.length}`, 'still subscribed by the other client');
    await t.close();
    await waitFor(async () => (await text('PUBSUB', 'NUMPAT')) === `:${pats.length - 1}`, { message: 'NUMPAT after a disconnect' });
    await s.close();
  });

  test('PUBSUB CHANNELS, NUMSUB, NUMPAT, SHARD*, HELP and their errors', async () => {
    await settled();
    const s = await connect();
    await s.call(3, 'SUBSCRIBE', 'ps:abc', 'ps:x', 'other');
    await s.call(1, 'PSUBSCRIBE', 'ps:*');
    await s.call(1, 'SSUBSCRIBE', 'ps:shard');
    const channels = (await admin.call('PUBSUB', 'CHANNELS')) as { t: 'array'; v: Reply[] };
    assert.deepEqual(channels.v.map((r) => formatReply(r)).sort(), ['"other"', '"ps:abc"', '"ps:x"']);
    const some = (await admin.call('PUBSUB', 'CHANNELS', 'ps:*')) as { t: 'array'; v: Reply[] };
    assert.deepEqual(some.v.map((r) => formatReply(r)).sort(), ['"ps:abc"', '"ps:x"'], 'patterns are not channels');
    assert.equal(await text('PUBSUB', 'CHANNELS', 'ps:a??'), '*["ps:abc"]');
    assert.equal(await text('PUBSUB', 'NUMSUB', 'ps:abc', 'ps:nope', 'ps:shard'), '*["ps:abc", :1, "ps:nope", :0, "ps:shard", :0]');
    assert.equal(await text('PUBSUB', 'NUMSUB'), '*[]');
    assert.equal(await text('PUBSUB', 'NUMPAT'), ':1');
    assert.equal(await text('PUBSUB', 'SHARDCHANNELS'), '*["ps:shard"]');
    assert.equal(await text('PUBSUB', 'SHARDCHANNELS', 'x*'), '*[]');
    assert.equal(await text('PUBSUB', 'SHARDNUMSUB', 'ps:shard', 'ps:abc'), '*["ps:shard", :1, "ps:abc", :0]');
    assert.equal(await text('PUBSUB', 'CHANNELS', 'a', 'b'), "-ERR unknown subcommand or wrong number of arguments for 'CHANNELS'. Try PUBSUB HELP.");
    assert.equal(await text('PUBSUB', 'shardchannels', 'a', 'b'), "-ERR unknown subcommand or wrong number of arguments for 'shardchannels'. Try PUBSUB HELP.");
    assert.equal(await text('PUBSUB', 'NUMPAT', 'x'), "-ERR wrong number of arguments for 'pubsub|numpat' command");
    assert.equal(await text('PUBSUB', 'FOO'), "-ERR unknown subcommand 'FOO'. Try PUBSUB HELP.");
    assert.equal(await text('PUBSUB'), "-ERR wrong number of arguments for 'pubsub' command");
    assert.equal(await text('PUBLISH', 'a'), "-ERR wrong number of arguments for 'publish' command");
    const help = await text('PUBSUB', 'HELP');
    assert.match(help, /^\*\[\+PUBSUB <subcommand> \[<arg> \[value\] \[opt\] \.\.\.\]\. Subcommands are:, \+CHANNELS \[<pattern>\], /);
    assert.match(help, /\+SHARDNUMSUB \[<shardchannel> \.\.\.\], .*\+HELP, \+ {4}Prints this help\.\]$/);
    await admin.ok('HELLO', '3');
    assert.equal(await text('PUBSUB', 'NUMSUB', 'ps:abc'), '*["ps:abc", :1]', 'an array in RESP3 too');
    await admin.ok('HELLO', '2');
    await s.close();
  });

  test('shard channels: SSUBSCRIBE, SPUBLISH, SUNSUBSCRIBE, separate from channels', async () => {
    const s = await connect();
    assert.deepEqual(await s.call(2, 'SSUBSCRIBE', 'sh:x', 'sh:y'), ['*["ssubscribe", "sh:x", :1]', '*["ssubscribe", "sh:y", :2]']);
    assert.deepEqual(await s.call(1, 'SUBSCRIBE', 'sh:x'), ['*["subscribe", "sh:x", :1]'], 'shard channels are counted apart');
    assert.equal(await text('SPUBLISH', 'sh:x', 'hi'), ':1');
    assert.equal(await s.next(), '*["smessage", "sh:x", "hi"]');
    assert.equal(await text('PUBLISH', 'sh:x', 'hi'), ':1');
    assert.equal(await s.next(), '*["message", "sh:x", "hi"]');
    assert.equal(await text('SPUBLISH', 'sh:none', 'hi'), ':0');
    assert.deepEqual(unordered(await s.call(2, 'SUNSUBSCRIBE')), { shapes: ['*["sunsubscribe", ?, :1]', '*["sunsubscribe", ?, :0]'], names: ['"sh:x"', '"sh:y"'] });
    assert.deepEqual(await s.call(1, 'SUNSUBSCRIBE'), ['*["sunsubscribe", $-1, :0]']);
    assert.deepEqual(await s.call(1, 'PING'), ['*["pong", ""]'], 'still subscribed to a channel');
    assert.deepEqual(await s.call(1, 'UNSUBSCRIBE'), ['*["unsubscribe", "sh:x", :0]']);
    assert.deepEqual(await s.call(1, 'PING'), ['+PONG']);
    await s.close();
  });

  test('binary-safe channels and messages', async () => {
    const s = await connect();
    const channel = Buffer.from([0, 0xff, 0x0d, 0x0a, 0x41]);
    const message = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    await s.call(1, 'SUBSCRIBE', channel);
    assert.equal(formatReply(await admin.call('PUBLISH', channel, message)), ':1');
    const frame = await s.next();
    assert.equal(frame, formatReply({ t: 'array', v: [{ t: 'bulk', v: Buffer.from('message') }, { t: 'bulk', v: channel }, { t: 'bulk', v: message }] }));
    await s.close();
  });

  test('a closed connection leaves no subscription behind (and QUIT)', async () => {
    await settled();
    const s = await connect();
    await s.call(2, 'SUBSCRIBE', 'gone:a', 'gone:b');
    await s.call(1, 'PSUBSCRIBE', 'gone:*');
    assert.equal(await text('PUBSUB', 'NUMSUB', 'gone:a'), '*["gone:a", :1]');
    await s.close();
    await settled();
    assert.equal(await text('PUBLISH', 'gone:a', 'x'), ':0');
    const q = await connect();
    await q.call(1, 'SUBSCRIBE', 'gone:q');
    assert.deepEqual(await q.call(1, 'QUIT'), ['+OK']);
    await waitFor(() => q.closed, { message: 'QUIT to close the connection' });
    await settled();
  });

  test('CLIENT LIST and CLIENT KILL TYPE pubsub, INFO figures', async () => {
    await settled();
    const s = await connect();
    await s.call(1, 'CLIENT', 'SETNAME', 'listed');
    await s.call(2, 'SUBSCRIBE', 'cl:a', 'cl:b');
    await s.call(1, 'PSUBSCRIBE', 'cl:*');
    await s.call(1, 'SSUBSCRIBE', 'cl:s');
    const list = formatReply(await admin.call('CLIENT', 'LIST', 'TYPE', 'pubsub'));
    assert.match(list, /name=listed .*flags=P db=0 sub=2 psub=1 ssub=1 multi=-1 /);
    assert.doesNotMatch(formatReply(await admin.call('CLIENT', 'LIST', 'TYPE', 'normal')), /name=listed/);
    const info = formatReply(await admin.call('INFO', 'stats'));
    assert.match(info, /pubsub_channels:2\\r\\npubsub_patterns:1\\r\\npubsubshard_channels:1\\r\\n/);
    if (isTandem) assert.match(formatReply(await admin.call('INFO', 'clients')), /pubsub_clients:1\\r\\n/);
    assert.equal(await text('CLIENT', 'KILL', 'TYPE', 'pubsub'), ':1');
    await waitFor(() => s.closed, { message: 'the pubsub client to be killed' });
    await settled();
  });

  test('subscribers obey the pubsub output-buffer class, not the normal one', async () => {
    await admin.ok('CONFIG', 'SET', 'client-output-buffer-limit', 'normal 0 0 0 pubsub 1mb 0 0');
    const s = net.connect(server.port, '127.0.0.1');
    await new Promise<void>((r) => s.once('connect', () => r()));
    s.on('error', () => undefined);
    s.pause(); // never read: messages pile up on the server
    s.write(Buffer.concat([encodeCommand(['CLIENT', 'SETNAME', 'slowsub']), encodeCommand(['SUBSCRIBE', 'obl'])]));
    const listed = async () => /name=slowsub .*sub=1 /.test(formatReply(await admin.call('CLIENT', 'LIST')));
    await waitFor(listed, { message: 'the slow subscriber to subscribe' });
    const big = 'x'.repeat(1024 * 1024);
    // Kernel socket buffers absorb some megabytes first; publish until the server gives up.
    await waitFor(
      async () => {
        await admin.pipeline(Array.from({ length: 4 }, () => ['PUBLISH', 'obl', big]));
        return !(await listed());
      },
      { timeout: 30000, interval: 1, message: 'the slow subscriber to be disconnected' },
    );
    s.destroy();
    await admin.ok('CONFIG', 'SET', 'client-output-buffer-limit', 'normal 0 0 0 pubsub 32mb 8mb 60');
    await settled();
  });

  test('ioredis: subscribe, psubscribe, message events', async () => {
    const sub = new Redis({ port: server.port, host: '127.0.0.1', maxRetriesPerRequest: 1 });
    const pub = new Redis({ port: server.port, host: '127.0.0.1', maxRetriesPerRequest: 1 });
    try {
      const got: string[] = [];
      sub.on('message', (ch: string, msg: string) => got.push(`message ${ch} ${msg}`));
      sub.on('pmessage', (pat: string, ch: string, msg: string) => got.push(`pmessage ${pat} ${ch} ${msg}`));
      assert.equal(await sub.subscribe('io:a', 'io:b'), 2);
      assert.equal(await sub.psubscribe('io:*'), 3);
      assert.equal(await pub.publish('io:a', 'one'), 2);
      await waitFor(() => got.length === 2, { message: 'ioredis messages' });
      assert.deepEqual(got.sort(), ['message io:a one', 'pmessage io:* io:a one']);
      assert.deepEqual(await pub.pubsub('NUMSUB', 'io:a', 'io:b'), ['io:a', 1, 'io:b', 1]);
      // Named: ioredis 6 never settles a bare unsubscribe() that ends several subscriptions.
      assert.equal(await sub.unsubscribe('io:a', 'io:b'), 1);
      assert.equal(await sub.punsubscribe('io:*'), 0);
      assert.equal(await sub.get('io:k'), null, 'back to normal commands');
    } finally {
      sub.disconnect();
      pub.disconnect();
    }
  });

  for (const RESP of [2, 3] as const) {
    test(`node-redis over RESP${RESP}: subscribe, pSubscribe, sSubscribe`, async () => {
      const pub = createClient({ socket: { port: server.port, host: '127.0.0.1' }, RESP });
      await pub.connect();
      // Over RESP2 node-redis needs a dedicated connection for subscriptions; RESP3 can share.
      const sub = RESP === 2 ? pub.duplicate() : pub;
      if (sub !== pub) await sub.connect();
      try {
        const got: string[] = [];
        await sub.subscribe(`nr${RESP}:a`, (msg, ch) => got.push(`${ch} ${msg}`));
        await sub.pSubscribe(`nr${RESP}:*`, (msg, ch) => got.push(`p ${ch} ${msg}`));
        await sub.sSubscribe(`nr${RESP}:s`, (msg, ch) => got.push(`s ${ch} ${msg}`));
        assert.equal(await pub.publish(`nr${RESP}:a`, 'hi'), 2);
        assert.equal(await pub.sPublish(`nr${RESP}:s`, 'sh'), 1);
        await waitFor(() => got.length === 3, { message: 'node-redis messages' });
        assert.deepEqual(got.sort(), [`nr${RESP}:a hi`, `p nr${RESP}:a hi`, `s nr${RESP}:s sh`]);
        assert.deepEqual(await pub.pubSubNumSub([`nr${RESP}:a`]), { [`nr${RESP}:a`]: 1 });
        await sub.unsubscribe();
        await sub.pUnsubscribe();
        await sub.sUnsubscribe();
        assert.equal(await pub.publish(`nr${RESP}:a`, 'none'), 0);
      } finally {
        if (sub !== pub) sub.destroy();
        pub.destroy();
      }
    });
  }
});
