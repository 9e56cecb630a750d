// Differential tests against a real redis-server (skipped when it is not installed): the
// request parser's verdicts, and the reply writer's bytes for replies Redis itself sends.
//
// Parser: Redis's verdict on odd or malformed bytes is what it answers on a connection that
// sends them and half-closes. Ours is the commands we parse, replayed to the same Redis as clean
// multibulk requests, followed by `-ERR <our protocol error>` if we reject the stream. The
// commands are stateless (PING, ECHO, unknown names), so both must match byte for byte.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { REDIS_MAX_MULTIBULK_LEN, RequestParser } from '../../src/protocol/parser.js';
import { ReplyWriter, formatDouble17g } from '../../src/protocol/reply.js';
import { encodeCommand } from '../../src/protocol/resp-client.js';
import { exchange, redisUnavailable, startRedis, type RedisProcess } from './redis-server.js';

const skip = redisUnavailable();

/** Our parser with Redis 7.0's own multibulk limit (our default is stricter: 1M). */
async function ourAnswer(port: number, input: Buffer): Promise<Buffer> {
  const parser = new RequestParser({ maxMultibulkLen: REDIS_MAX_MULTIBULK_LEN });
  const commands: string[][] = [];
  const err = parser.feed(input, (argv) => commands.push(argv));
  const replies = commands.length > 0 ? await exchange(port, Buffer.concat(commands.map((c) => encodeCommand(c)))) : Buffer.alloc(0);
  return err === null ? replies : Buffer.concat([replies, Buffer.from(`-ERR ${err.message}\r\n`, 'latin1')]);
}

function show(b: Buffer): string {
  return JSON.stringify(b.toString('latin1'));
}

const CASES: string[] = [
  // well-formed, with Redis's tolerated oddities
  '*1\r\n$4\r\nPING\r\n*2\r\n$4\r\nECHO\r\n$3\r\nfoo\r\n',
  '*0\r\n*-1\r\n*-7\r\nPING\r\n',
  '*-9223372036854775808\r\nPING\r\n',
  '*1\r\n$4\r\nPINGXY*1\rX$4\r\nPING\r\n',
  '*2\r\n$4\r\nECHO\r\n$0\r\n\r\n',
  '\r\n\n  \t \r\nPING\r\nPING\n',
  'ECHO "a b" \r\nECHO \'c d\'\r\n',
  'ECHO "\\x41\\x4g\\z\\n\\\\"\r\n',
  "ECHO 'a\\'b\\n'\r\n",
  'ECHO a"b c"d\r\n',
  'ECHO a\x0bb\r\n\x0bPING\r\n',
  'PING\rECHO\r\n',
  'ECHO "a"\x0b\r\n',
  'PING a b c\r\n',
  'NOSUCHCMD arg1 "arg 2"\r\n',
  // malformed
  '*abc\r\n',
  '*\r\n',
  '*+1\r\n',
  '*01\r\n',
  '*-0\r\n',
  '*1 \r\n',
  '*-9223372036854775809\r\nPING\r\n',
  '*2147483648\r\n',
  '*1\r\n$abc\r\n',
  '*1\r\n$-1\r\n',
  '*1\r\n$\r\n',
  '*1\r\n$01\r\n',
  '*1\r\n$536870913\r\n',
  '*1\r\n$536870888\r\n', // the longest JS string; 536870889..536870912 are refused by us only
  '*1\r\nfoo\r\n',
  '*1\r\n\r\n',
  '*1\r\n\n\r\n',
  '*1\r\n\xff\r\n',
  '*2\r\n$4\r\nECHO\r\n:1\r\n',
  'PING\r\n*1\r\n$-1\r\nPING\r\n',
  'ECHO "abc\r\n',
  "ECHO 'abc\r\n",
  'ECHO "a"b\r\n',
  "ECHO 'a'b\r\n",
  'PING\r\nECHO "x\r\nPING\r\n',
  // incomplete: both just wait, then the client hangs up
  '*1\r\n$4\r\nPING',
  '*1\r\n$4\r\nPING\r',
  '*2\r\n$4\r\nECHO\r\nfoo',
  '*2000000\r\n',
  'PING',
  // a NUL before a line end: Redis's strchr never finds it
  'PI\0NG\r\nPING\r\n',
  '*1\0\r\n$4\r\nPING\r\n',
  '*1\r\n\0\r\nPING\r\n',
  '*1\r\n$4\0\r\nPING\r\n',
  '*1\r\0$1\r\n\0\r\n',
  // over the 64 KB limits, never terminated
  'x'.repeat(70_000),
  '*' + '1'.repeat(70_000),
  '*1\r\n$' + '1'.repeat(70_000),
  'PING\r\n' + '\0'.repeat(70_000),
];

describe('RequestParser against redis-server', { skip: skip ?? false }, () => {
  let redis: RedisProcess;
  before(async () => {
    redis = await startRedis();
  });
  after(async () => {
    await redis?.stop();
  });

  for (const input of CASES) {
    const label = input.length > 60 ? JSON.stringify(input.slice(0, 40)) + `… (${input.length} bytes)` : JSON.stringify(input);
    it(`same verdict for ${label}`, async () => {
      const bytes = Buffer.from(input, 'latin1');
      const theirs = await exchange(redis.port, bytes);
      const ours = await ourAnswer(redis.port, bytes);
      assert.equal(show(ours), show(theirs));
    });
  }

  it('same verdict on generated requests', { timeout: 120_000 }, async () => {
    // Pieces spell only PING, ECHO and nonsense command names (no letters from random bytes),
    // so every parsed command is stateless and replaying it gives the same answer.
    const noLetters = fc.integer({ min: 0, max: 255 }).filter((b) => !((b >= 65 && b <= 90) || (b >= 97 && b <= 122)));
    const piece = fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom('*', '$', '\r\n', '\r', '\n', '0', '1', '2', '3', '-', '-1', '"', "'", '\\', ' ', '\t', '\x0b', 'x', 'a', '\0', '\\x4', '\\x41', "\\'", '\\n') },
      { weight: 3, arbitrary: fc.constantFrom('PING', 'ECHO', '*1\r\n', '*2\r\n', '*3\r\n', '$1\r\n', '$3\r\n', '$4\r\nPING\r\n', '$4\r\nECHO\r\n', 'abc\r\n', '*1\r\n$4\r\nPING\r\n', 'ECHO "a b"\r\n', 'PING\r\n') },
      { weight: 1, arbitrary: noLetters.map((b) => String.fromCharCode(b)) },
    );
    await fc.assert(
      fc.asyncProperty(fc.array(piece, { maxLength: 40 }), async (pieces) => {
        const bytes = Buffer.from(pieces.join(''), 'latin1');
        const theirs = await exchange(redis.port, bytes);
        const ours = await ourAnswer(redis.port, bytes);
        assert.equal(show(ours), show(theirs));
      }),
      { numRuns: 400 },
    );
  });
});

// Doubles Redis must print with %.17g: shortest forms, ties at the 17th digit, exponent
// thresholds, subnormals, -0, integers past 2^53, infinities.
const DOUBLES = [
  0.1, 1 / 3, 2.5, 3, -3, 4.35, 1e-4, 1e-5, 0.000123, 123456789012345.125, 123456789012345.375, 1e16, 1e17, 1e21,
  2 ** 53, 2 ** 53 + 2, -(2 ** 60), 1.5e300, 1.7976931348623157e308, 5e-324, 2.2250738585072014e-308, 0,
  Infinity, -Infinity,
];
// (-0 is left out: Redis stores a -0 score as 0, so ZSCORE cannot show how -0 is formatted.)

function scoreArg(d: number): string {
  if (d === Infinity) return 'inf';
  if (d === -Infinity) return '-inf';
  return String(d);
}

describe('ReplyWriter against redis-server', { skip: skip ?? false }, () => {
  let redis: RedisProcess;
  before(async () => {
    redis = await startRedis();
  });
  after(async () => {
    await redis?.stop();
  });

  /** Redis's bytes for `commands` (after HELLO's reply, whose bytes we do not build) must end
   *  with what our writer produces. */
  async function assertSameTail(resp: 2 | 3, commands: string[][], write: (w: ReplyWriter) => void): Promise<void> {
    const w = new ReplyWriter();
    w.resp = resp;
    write(w);
    const ours = w.take();
    const theirs = await exchange(redis.port, Buffer.concat([['HELLO', String(resp)], ...commands].map((c) => encodeCommand(c))));
    assert.equal(show(theirs.subarray(Math.max(0, theirs.length - ours.length))), show(ours));
  }

  async function zscores(doubles: number[]): Promise<void> {
    const members = doubles.map((_, i) => `m${i}`);
    const setup = doubles.map((d, i) => ['ZADD', 'z', scoreArg(d), members[i]!]);
    const reads = members.map((m) => ['ZSCORE', 'z', m]);
    for (const resp of [2, 3] as const) {
      await exchange(redis.port, encodeCommand(['DEL', 'z']));
      await assertSameTail(resp, [...setup, ...reads], (w) => {
        for (let i = 0; i < doubles.length; i++) w.integer(1);
        for (const d of doubles) w.double(d);
      });
    }
  }

  it('formats doubles as Redis does (ZSCORE), RESP2 and RESP3', async () => {
    await zscores(DOUBLES);
  });

  it('formats generated doubles as Redis does', { timeout: 60_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.double({ noNaN: true }).map((d) => (d === 0 ? 0 : d)), { minLength: 1, maxLength: 50 }), async (ds) => {
        await zscores(ds);
      }),
      { numRuns: 40 },
    );
    assert.equal(formatDouble17g(NaN), 'nan');
  });

  it('encodes maps, arrays, nulls, integers, bulk and verbatim strings and errors as Redis does', async () => {
    const cmds = [
      ['HSET', 'h', 'f1', 'v1', 'f2', ''],
      ['HGETALL', 'h'],
      ['GET', 'nosuchkey'],
      ['WATCH', 'w'],
      ['SET', 'w', '1'], // touching a watched key (even our own write) aborts the transaction
      ['MULTI'],
      ['EXEC'],
      ['RPUSH', 'l', 'a', 'b\r\nc'],
      ['LRANGE', 'l', '0', '-1'],
      ['GET'],
      ['LPOS', 'l', 'zz'],
    ];
    for (const resp of [2, 3] as const) {
      await exchange(redis.port, encodeCommand(['DEL', 'h', 'l']));
      await assertSameTail(resp, cmds, (w) => {
        w.integer(2);
        w.map(2);
        w.bulk('f1');
        w.bulk('v1');
        w.bulk('f2');
        w.bulk('');
        w.nullBulk();
        w.ok();
        w.simple('OK');
        w.simple('OK');
        w.nullArray();
        w.integer(2);
        w.array(2);
        w.bulk('a');
        w.bulk('b\r\nc');
        w.error("ERR wrong number of arguments for 'get' command");
        w.nullBulk();
      });
    }
  });

  it('sends INFO as a verbatim string in RESP3 and a bulk string in RESP2', async () => {
    for (const resp of [2, 3] as const) {
      const theirs = await exchange(redis.port, Buffer.concat([encodeCommand(['HELLO', String(resp)]), encodeCommand(['INFO', 'keyspace'])]));
      const text = theirs.toString('latin1');
      const body = text.slice(text.indexOf('# Keyspace'), -2);
      const w = new ReplyWriter();
      w.resp = resp;
      w.verbatim(body);
      assert.ok(text.endsWith(w.take().toString('latin1')), JSON.stringify(text.slice(-200)));
    }
  });
});
