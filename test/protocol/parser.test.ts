import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import v8 from 'node:v8';
import vm from 'node:vm';
import fc from 'fast-check';
import {
  PROTOCOL_ERRORS,
  ProtocolError,
  RequestParser,
  expectedDollarError,
  parseRedisInt,
  splitInlineArgs,
  type RequestParserOptions,
} from '../../src/protocol/parser.js';

interface Outcome {
  commands: string[][];
  error: string | null;
  midRequest: boolean;
}

function feedAll(chunks: Buffer[], options?: RequestParserOptions): Outcome {
  const parser = new RequestParser(options);
  const commands: string[][] = [];
  let error: ProtocolError | null = null;
  for (const c of chunks) {
    error = parser.feed(c, (argv) => commands.push(argv));
    if (error !== null) break;
  }
  return { commands, error: error?.message ?? null, midRequest: parser.midRequest };
}

const bytes = (s: string): Buffer => Buffer.from(s, 'latin1');
const parse = (s: string, options?: RequestParserOptions): Outcome => feedAll([bytes(s)], options);

/** Splits buf at the given (sorted, in-range) offsets into separately allocated chunks. */
function splitAt(buf: Buffer, cuts: number[]): Buffer[] {
  const out: Buffer[] = [];
  let prev = 0;
  for (const c of [...cuts, buf.length]) {
    out.push(Buffer.from(buf.subarray(prev, c)));
    prev = c;
  }
  return out;
}

function oneByteAtATime(buf: Buffer): Buffer[] {
  return Array.from(buf, (b) => Buffer.from([b]));
}

function multibulk(args: (string | Buffer)[]): Buffer {
  const parts: Buffer[] = [bytes(`*${args.length}\r\n`)];
  for (const a of args) {
    const b = typeof a === 'string' ? bytes(a) : a;
    parts.push(bytes(`$${b.length}\r\n`), b, bytes('\r\n'));
  }
  return Buffer.concat(parts);
}

describe('RequestParser: multibulk', () => {
  it('parses one command', () => {
    assert.deepEqual(parse('*2\r\n$3\r\nGET\r\n$3\r\nkey\r\n'), { commands: [['GET', 'key']], error: null, midRequest: false });
  });

  it('parses a pipeline in order, in one chunk', () => {
    const r = parse('*1\r\n$4\r\nPING\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n');
    assert.deepEqual(r.commands, [['PING'], ['SET', 'k', ''], ['GET', 'k']]);
    assert.equal(r.error, null);
  });

  it('keeps an incomplete request for the next feed', () => {
    const parser = new RequestParser();
    const got: string[][] = [];
    assert.equal(parser.feed(bytes('*2\r\n$4\r\nECHO\r\n$5\r\nhel'), (a) => got.push(a)), null);
    assert.equal(got.length, 0);
    assert.equal(parser.midRequest, true);
    assert.equal(parser.feed(bytes('lo\r\n'), (a) => got.push(a)), null);
    assert.deepEqual(got, [['ECHO', 'hello']]);
    assert.equal(parser.midRequest, false);
  });

  it('parses identically when split at every byte boundary, and at every pair of boundaries', () => {
    const stream = Buffer.concat([
      multibulk(['SET', 'key:1', 'value with spaces']),
      bytes('PING\r\n'),
      multibulk(['MSET', 'a', '1', 'b', '22', 'c', '']),
      bytes('ECHO "x\\r\\ny" \'q\'\n'),
      bytes('*-1\r\n*0\r\n\r\n'),
      multibulk(['ECHO', Buffer.from([0, 13, 10, 255])]),
    ]);
    const whole = feedAll([stream]);
    assert.equal(whole.commands.length, 5);
    for (let i = 0; i <= stream.length; i++) {
      assert.deepEqual(feedAll(splitAt(stream, [i])), whole, `split at ${i}`);
    }
    for (let i = 0; i <= stream.length; i += 3) {
      for (let j = i; j <= stream.length; j++) {
        assert.deepEqual(feedAll(splitAt(stream, [i, j])), whole, `split at ${i} and ${j}`);
      }
    }
    assert.deepEqual(feedAll(oneByteAtATime(stream)), whole);
  });

  it('is binary safe: every byte value, in one argument and as 256 arguments', () => {
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const r1 = feedAll([multibulk(['SET', 'k', all])]);
    assert.deepEqual(Buffer.from(r1.commands[0]![2]!, 'latin1'), all);
    const singles = Array.from(all, (b) => Buffer.from([b]));
    const r2 = feedAll([multibulk(singles)]);
    assert.equal(r2.commands[0]!.length, 256);
    r2.commands[0]!.forEach((arg, i) => assert.equal(arg.charCodeAt(0), i));
    // arguments of every length the short-argument decoder handles, and beyond
    for (let n = 0; n <= 40; n++) {
      const v = all.subarray(200 - n, 200);
      const r = feedAll(oneByteAtATime(multibulk([v, v])));
      assert.deepEqual(r.commands, [[v.toString('latin1'), v.toString('latin1')]]);
    }
  });

  it('skips *0 and negative multibulk counts as empty requests', () => {
    assert.deepEqual(parse('*0\r\n*-1\r\n*-5\r\n*-9223372036854775808\r\n*1\r\n$4\r\nPING\r\n').commands, [['PING']]);
  });

  it('skips the byte after a header line\'s \\r and the two bytes after a value unchecked, like Redis', () => {
    assert.deepEqual(parse('*1\rX$4\rYPINGZZ*1\r\n$4\r\nPING\r\n').commands, [['PING'], ['PING']]);
  });

  it('delivers a large value received over many chunks, retaining the chunks instead of copying them', () => {
    const value = Buffer.alloc(1024 * 1024, 'v');
    const stream = multibulk(['SET', 'big', value]);
    const chunks: Buffer[] = [];
    for (let i = 0; i < stream.length; i += 65536) chunks.push(Buffer.from(stream.subarray(i, i + 65536)));
    const parser = new RequestParser();
    const got: string[][] = [];
    for (const c of chunks.slice(0, -1)) assert.equal(parser.feed(c, (a) => got.push(a)), null);
    // everything but the header of the first chunk is value, kept as is: no second copy
    assert.ok(parser.retainedBytes <= stream.length, `retained ${parser.retainedBytes}`);
    assert.equal(parser.feed(chunks.at(-1)!, (a) => got.push(a)), null);
    assert.equal(got.length, 1);
    assert.equal(got[0]![2], value.toString('latin1'));
    assert.equal(parser.retainedBytes, 0);
  });

  it('copies a small partial value instead of pinning its chunk', () => {
    const head = Buffer.concat([Buffer.from(bytes('*1\r\n$4\r\nPING\r\n').toString('latin1').repeat(4000), 'latin1'), bytes('*2\r\n$4\r\nECHO\r\n$10\r\nabc')]);
    const parser = new RequestParser();
    parser.feed(head, () => {});
    assert.ok(parser.retainedBytes < 64, `retained ${parser.retainedBytes} of a ${head.length}-byte chunk`);
    const got: string[][] = [];
    parser.feed(bytes('defghij\r\n'), (a) => got.push(a));
    assert.deepEqual(got, [['ECHO', 'abcdefghij']]);
  });
});

describe('RequestParser: inline commands', () => {
  const cases: [string, string[][]][] = [
    ['PING\r\n', [['PING']]],
    ['PING\n', [['PING']]],
    ['  SET  k   v \t\r\n', [['SET', 'k', 'v']]],
    ['\r\n\n   \r\nPING\r\n', [['PING']]],
    ['ECHO "a b"\r\n', [['ECHO', 'a b']]],
    ['ECHO "\\n\\r\\t\\b\\a\\\\\\"\\q"\r\n', [['ECHO', '\n\r\t\b\x07\\"q']]],
    ['ECHO "\\x41\\x7a\\xff\\x4g"\r\n', [['ECHO', 'Az\xffx4g']]],
    ["ECHO 'it\\'s' 'a\\nb'\r\n", [['ECHO', "it's", 'a\\nb']]],
    ['ECHO a"b c"d\r\n', []], // placeholder, checked as an error below
    ['ECHO ""\r\n', [['ECHO', '']]],
    ["ECHO ''\r\n", [['ECHO', '']]],
    ['ECHO a\x0bb\r\n', [['ECHO', 'a\x0bb']]], // \v separates nothing inside a token...
    ['\x0bECHO\x0cx\r\n', [['ECHO\x0cx']]], // ...but is skipped as a blank before one
    ['ECHO "a"\x0b\r\n', [['ECHO', 'a']]],
    ['PING\rX\r\n', [['PING', 'X']]], // a lone \r inside the line separates
    ['PING\r\r\n', [['PING']]],
    ['ECHO x\xe9\xff\r\n', [['ECHO', 'x\xe9\xff']]],
  ];
  for (const [input, expected] of cases) {
    if (input === 'ECHO a"b c"d\r\n') continue;
    it(`splits ${JSON.stringify(input)}`, () => {
      const r = parse(input);
      assert.deepEqual(r, { commands: expected, error: null, midRequest: false });
      assert.deepEqual(feedAll(oneByteAtATime(bytes(input))), r);
    });
  }

  it('matches sdssplitargs on quote placement: a quote may open mid-token but must close at its end', () => {
    assert.deepEqual(splitInlineArgs(bytes('a"b c"'), 0, 6), ['ab c']);
    assert.equal(splitInlineArgs(bytes('"a"b'), 0, 4), null);
    assert.equal(splitInlineArgs(bytes("'a'b"), 0, 4), null);
    assert.equal(splitInlineArgs(bytes('"abc'), 0, 4), null);
    assert.equal(splitInlineArgs(bytes('"abc\\'), 0, 5), null);
    assert.deepEqual(splitInlineArgs(bytes(''), 0, 0), []);
  });

  it('mixes inline and multibulk requests in one pipeline', () => {
    const r = parse('PING\r\n*2\r\n$4\r\nECHO\r\n$2\r\nhi\r\nECHO there\n');
    assert.deepEqual(r.commands, [['PING'], ['ECHO', 'hi'], ['ECHO', 'there']]);
  });
});

describe('RequestParser: protocol errors (Redis 7.0 texts)', () => {
  const errors: [string, string, string[][]][] = [
    ['*abc\r\n', PROTOCOL_ERRORS.invalidMultibulkLength, []],
    ['*\r\n', PROTOCOL_ERRORS.invalidMultibulkLength, []],
    ['*+1\r\n', PROTOCOL_ERRORS.invalidMultibulkLength, []],
    ['*01\r\n', PROTOCOL_ERRORS.invalidMultibulkLength, []],
    ['*-0\r\n', PROTOCOL_ERRORS.invalidMultibulkLength, []],
    ['*1 \r\n', PROTOCOL_ERRORS.invalidMultibulkLength, []],
    ['*-9223372036854775809\r\n', PROTOCOL_ERRORS.invalidMultibulkLength, []],
    ['*99999999999999999999\r\n', PROTOCOL_ERRORS.invalidMultibulkLength, []],
    ['*1048577\r\n', PROTOCOL_ERRORS.invalidMultibulkLength, []],
    ['*1\r\n$abc\r\n', PROTOCOL_ERRORS.invalidBulkLength, []],
    ['*1\r\n$-1\r\n', PROTOCOL_ERRORS.invalidBulkLength, []],
    ['*1\r\n$\r\n', PROTOCOL_ERRORS.invalidBulkLength, []],
    ['*1\r\n$01\r\n', PROTOCOL_ERRORS.invalidBulkLength, []],
    ['*1\r\n$536870913\r\n', PROTOCOL_ERRORS.invalidBulkLength, []],
    ['*1\r\n$9223372036854775808\r\n', PROTOCOL_ERRORS.invalidBulkLength, []],
    ['*1\r\nfoo\r\n', "Protocol error: expected '$', got 'f'", []],
    ['*1\r\n\r\n', "Protocol error: expected '$', got ' '", []],
    ['*1\r\n\n\r\n', "Protocol error: expected '$', got ' '", []],
    ['*1\r\n\xff\r\n', "Protocol error: expected '$', got '\xff'", []],
    ['*2\r\n$4\r\nECHO\r\n:1\r\n', "Protocol error: expected '$', got ':'", []],
    ['ECHO "abc\r\n', PROTOCOL_ERRORS.unbalancedQuotes, []],
    ["ECHO 'abc\r\n", PROTOCOL_ERRORS.unbalancedQuotes, []],
    ['ECHO "a"b\r\n', PROTOCOL_ERRORS.unbalancedQuotes, []],
    ['PING\r\n*1\r\n$-1\r\nPING\r\n', PROTOCOL_ERRORS.invalidBulkLength, [['PING']]],
  ];
  for (const [input, message, before] of errors) {
    it(`${JSON.stringify(input)} → ${message}`, () => {
      const r = parse(input);
      assert.equal(r.error, message);
      assert.deepEqual(r.commands, before);
      const bytewise = feedAll(oneByteAtATime(bytes(input)));
      assert.equal(bytewise.error, message);
      assert.deepEqual(bytewise.commands, before);
    });
  }

  it('formats the expected-$ error like Redis, line breaks shown as spaces', () => {
    assert.equal(expectedDollarError(0x2a), "Protocol error: expected '$', got '*'");
    assert.equal(expectedDollarError(13), "Protocol error: expected '$', got ' '");
  });

  it('returns a ProtocolError and keeps returning it; nothing after the error is delivered', () => {
    const parser = new RequestParser();
    const got: string[][] = [];
    const err = parser.feed(bytes('PING\r\n*x\r\nPING\r\n'), (a) => got.push(a));
    assert.ok(err instanceof ProtocolError);
    assert.equal(err.message, PROTOCOL_ERRORS.invalidMultibulkLength);
    assert.deepEqual(got, [['PING']]);
    assert.equal(parser.feed(bytes('PING\r\n'), (a) => got.push(a)), err);
    assert.deepEqual(got, [['PING']]);
    assert.equal(parser.retainedBytes, 0);
  });
});

describe('RequestParser: limits', () => {
  it('accepts a bulk of exactly maxBulkLen and refuses one byte more', () => {
    const ok = feedAll([multibulk(['SET', 'k', 'x'.repeat(100)])], { maxBulkLen: 100 });
    assert.equal(ok.commands[0]![2]!.length, 100);
    const no = feedAll([multibulk(['SET', 'k', 'x'.repeat(101)])], { maxBulkLen: 100 });
    assert.equal(no.error, PROTOCOL_ERRORS.invalidBulkLength);
    assert.deepEqual(no.commands, []);
  });

  it('caps maxBulkLen at the longest possible JS string (24 bytes under 512 MB)', () => {
    assert.equal(parse('*1\r\n$536870888\r\n').error, null);
    assert.equal(parse('*1\r\n$536870889\r\n').error, PROTOCOL_ERRORS.invalidBulkLength);
    assert.equal(parse('*1\r\n$536870889\r\n', { maxBulkLen: 2 ** 40 }).error, PROTOCOL_ERRORS.invalidBulkLength);
  });

  it('accepts a multibulk count of exactly maxMultibulkLen and refuses one more', () => {
    assert.equal(parse('*1048576\r\n').error, null);
    assert.equal(parse('*1048577\r\n').error, PROTOCOL_ERRORS.invalidMultibulkLength);
    assert.equal(parse('*4\r\n', { maxMultibulkLen: 3 }).error, PROTOCOL_ERRORS.invalidMultibulkLength);
    const three = feedAll([multibulk(['a', 'b', 'c'])], { maxMultibulkLen: 3 });
    assert.deepEqual(three.commands, [['a', 'b', 'c']]);
  });

  it('allows a big multibulk count without allocating for it up front', () => {
    const parser = new RequestParser({ maxMultibulkLen: 2 ** 31 - 1 });
    assert.equal(parser.feed(bytes('*2147483647\r\n$1\r\na\r\n'), () => {}), null);
    assert.equal(parser.midRequest, true);
  });

  // The byte-per-read reading of Redis's limit: more than max bytes held without the line end
  // fails, whether or not the line end is already in the buffer, so chunking cannot change the
  // verdict. make(n) builds a line with n bytes before its terminator ('\n' for inline lines,
  // whose '\r' counts; '\r' for header lines) after `prefix` bytes of earlier request.
  const limitCases: [string, number, (n: number) => string, string][] = [
    ['inline line', 0, (n) => 'x'.repeat(n - 1) + '\r\n', PROTOCOL_ERRORS.tooBigInline],
    ['multibulk count line', 0, (n) => '*' + '1'.repeat(n - 1) + '\r\n', PROTOCOL_ERRORS.tooBigMbulkCount],
    ['bulk count line', 4, (n) => '*1\r\n$' + '1'.repeat(n - 1) + '\r\n', PROTOCOL_ERRORS.tooBigBulkCount],
  ];
  for (const [label, prefix, make, tooBig] of limitCases) {
    it(`limits a ${label} to maxInlineLen bytes, however it is chunked`, () => {
      const max = 64;
      for (const chunking of ['whole', 'bytewise', 'halves'] as const) {
        const run = (s: string): string | null => {
          const b = bytes(s);
          const chunks = chunking === 'whole' ? [b] : chunking === 'bytewise' ? oneByteAtATime(b) : splitAt(b, [b.length >> 1]);
          return feedAll(chunks, { maxInlineLen: max }).error;
        };
        // max bytes before the terminator pass the limit (the count may still be invalid)
        assert.notEqual(run(make(max)), tooBig, `${chunking}: ${max} bytes`);
        assert.equal(run(make(max + 1)), tooBig, `${chunking}: ${max + 1} bytes`);
        assert.equal(run(make(max + 1).slice(0, -1)), tooBig, `${chunking}: ${max + 1} bytes, final byte missing`);
        assert.equal(run(make(max + 2).slice(0, prefix + max + 1)), tooBig, `${chunking}: ${max + 1} bytes, unterminated`);
        assert.equal(run(make(max + 2).slice(0, prefix + max)), null, `${chunking}: ${max} bytes, unterminated`);
      }
    });
  }

  it('waits, like Redis, on a line holding a NUL byte until the limit is passed', () => {
    const stuckInline = feedAll([bytes('PI\0NG\r\nPING\r\n')], { maxInlineLen: 32 });
    assert.deepEqual(stuckInline, { commands: [], error: null, midRequest: true });
    const parser = new RequestParser({ maxInlineLen: 32 });
    assert.equal(parser.feed(bytes('*1\0\r\n'), () => {}), null);
    assert.equal(parser.retainedBytes, 0, 'nothing kept while stuck');
    assert.equal(parser.feed(Buffer.alloc(27, 'x'), () => {}), null); // 32 bytes so far
    assert.equal(parser.feed(bytes('x'), () => {})?.message, PROTOCOL_ERRORS.tooBigMbulkCount);
    assert.equal(feedAll([bytes('*1\r\n\0\r\n' + 'x'.repeat(40))], { maxInlineLen: 32 }).error, PROTOCOL_ERRORS.tooBigBulkCount);
    assert.equal(feedAll([bytes('a\0' + 'x'.repeat(40) + '\n')], { maxInlineLen: 32 }).error, PROTOCOL_ERRORS.tooBigInline);
    // a NUL after the header's '\r' or inside a bulk value is just data
    assert.deepEqual(parse('*1\r\0$1\r\n\0\r\n').commands, [['\0']]);
  });

  it('parses a long inline line arriving a byte at a time in linear time', () => {
    const line = bytes('ECHO ' + 'y'.repeat(60000) + '\r\n');
    const t0 = Date.now();
    const r = feedAll(oneByteAtATime(line));
    assert.equal(r.commands[0]![1]!.length, 60000);
    assert.ok(Date.now() - t0 < 5000, 'quadratic behaviour suspected');
  });
});

describe('parseRedisInt (string2ll)', () => {
  it('accepts the whole signed 64-bit range, values past 2^53 rounded', () => {
    assert.ok(Math.abs(parseRedisInt(bytes('9223372036854775807'), 0, 19) / 2 ** 63 - 1) < 1e-12);
    assert.ok(Math.abs(parseRedisInt(bytes('-9223372036854775808'), 0, 20) / -(2 ** 63) - 1) < 1e-12);
  });
  const cases: [string, number][] = [
    ['0', 0], ['1', 1], ['-1', -1], ['123', 123], ['999999999999999', 999999999999999], ['-42', -42],
    ['', NaN], ['-', NaN], ['+1', NaN], ['01', NaN], ['-0', NaN], ['00', NaN], ['1a', NaN], [' 1', NaN],
    ['9223372036854775808', NaN], ['-9223372036854775809', NaN], ['12345678901234567890', NaN], ['123456789012345678901', NaN],
  ];
  for (const [text, value] of cases) {
    it(`${JSON.stringify(text)} → ${value}`, () => {
      const got = parseRedisInt(bytes(text), 0, text.length);
      if (Number.isNaN(value)) assert.ok(Number.isNaN(got));
      else assert.equal(got, value);
    });
  }
});

describe('RequestParser: fuzz', () => {
  // Protocol-shaped pieces find far more paths than uniform bytes.
  const piece = fc.oneof(
    fc.constantFrom('*', '$', '\r\n', '\r', '\n', '0', '1', '2', '3', '9', '-', '-1', '"', "'", '\\', ' ', '\t', '\x0b', 'x', '\0', '\\x4', '\\x41', "\\'", 'PING', 'ECHO'),
    fc.constantFrom('*1\r\n', '*2\r\n', '*3\r\n', '$1\r\n', '$3\r\n', '$4\r\nPING\r\n', 'abc\r\n', '*1\r\n$4\r\nPING\r\n', 'ECHO "a b"\r\n'),
    fc.integer({ min: 0, max: 255 }).map((b) => String.fromCharCode(b)),
  );
  const stream = fc.array(piece, { maxLength: 60 }).map((ps) => bytes(ps.join('')));
  const withCuts = stream.chain((buf) =>
    fc.tuple(fc.constant(buf), fc.uniqueArray(fc.integer({ min: 0, max: buf.length }), { maxLength: 12 }).map((c) => c.sort((a, b) => a - b))),
  );
  const small: RequestParserOptions = { maxInlineLen: 24, maxBulkLen: 16, maxMultibulkLen: 8 };

  it('never throws, always terminates, and chunking never changes the result', { timeout: 120_000 }, () => {
    fc.assert(
      fc.property(withCuts, fc.boolean(), ([buf, cuts], tight) => {
        const options = tight ? small : {};
        const whole = feedAll([buf], options);
        assert.deepEqual(feedAll(splitAt(buf, cuts), options), whole);
        assert.deepEqual(feedAll(oneByteAtATime(buf), options), whole);
      }),
      { numRuns: 3000 },
    );
  });

  it('handles arbitrary bytes', { timeout: 120_000 }, () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.uniqueArray(fc.nat(300), { maxLength: 6 }), (arr, cuts) => {
        const buf = Buffer.from(arr);
        const sorted = cuts.filter((c) => c <= buf.length).sort((a, b) => a - b);
        const whole = feedAll([buf], small);
        assert.deepEqual(feedAll(splitAt(buf, sorted), small), whole);
      }),
      { numRuns: 2000 },
    );
  });

  it('round-trips any argv through multibulk encoding and any chunking', () => {
    const argv = fc.array(fc.uint8Array({ maxLength: 40 }).map((a) => Buffer.from(a)), { minLength: 1, maxLength: 6 });
    fc.assert(
      fc.property(fc.array(argv, { minLength: 1, maxLength: 5 }), fc.array(fc.nat(400), { maxLength: 8 }), (commands, cuts) => {
        const buf = Buffer.concat(commands.map((c) => multibulk(c)));
        const sorted = [...new Set(cuts.filter((c) => c <= buf.length))].sort((a, b) => a - b);
        const r = feedAll(splitAt(buf, sorted));
        assert.equal(r.error, null);
        assert.deepEqual(r.commands, commands.map((c) => c.map((a) => a.toString('latin1'))));
      }),
      { numRuns: 500 },
    );
  });
});

describe('RequestParser: memory', () => {
  function gcFunction(): () => void {
    v8.setFlagsFromString('--expose-gc');
    return vm.runInNewContext('gc') as () => void;
  }

  it('does not keep references to 64 KB chunks full of small commands', async () => {
    const gc = gcFunction();
    // Commands of 27..31 bytes, so requests straddle every chunk boundary at varying offsets.
    const one = (i: number): string => `*2\r\n$3\r\nGET\r\n$${String(i).length + 4}\r\nkey:${i}\r\n`;
    const parser = new RequestParser();
    const refs: WeakRef<Buffer>[] = [];
    let parsed = 0;
    let text = '';
    let i = 0;
    for (let c = 0; c < 64; c++) {
      while (text.length < 65536) text += one(i++);
      const chunk = Buffer.allocUnsafeSlow(65536);
      chunk.write(text.slice(0, 65536), 'latin1');
      text = text.slice(65536);
      refs.push(new WeakRef(chunk));
      assert.equal(parser.feed(chunk, () => parsed++), null);
      assert.ok(parser.retainedBytes <= 1024, `retained ${parser.retainedBytes} bytes after chunk ${c}`);
    }
    assert.ok(parsed > 64 * 2000);
    await new Promise((r) => setImmediate(r));
    gc();
    const alive = refs.filter((r) => r.deref() !== undefined).length;
    assert.equal(alive, 0, `${alive} chunks still reachable`);
  });
});
