import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ReplyWriter, SHARED_REPLIES, formatDouble17g } from '../../src/protocol/reply.js';
import { ReplyParser, type Reply } from '../../src/protocol/resp-client.js';

function written(resp: 2 | 3, write: (w: ReplyWriter) => void): string {
  const w = new ReplyWriter();
  w.resp = resp;
  write(w);
  return w.take().toString('latin1');
}

/** Asserts the RESP2 and RESP3 encodings of the same calls. */
function both(write: (w: ReplyWriter) => void, resp2: string, resp3: string): void {
  assert.equal(written(2, write), resp2, 'RESP2');
  assert.equal(written(3, write), resp3, 'RESP3');
}

describe('ReplyWriter: encodings', () => {
  it('writes simple strings, using the shared +OK', () => {
    both((w) => w.simple('OK'), '+OK\r\n', '+OK\r\n');
    both((w) => w.ok(), '+OK\r\n', '+OK\r\n');
    both((w) => w.simple('PONG'), '+PONG\r\n', '+PONG\r\n');
    both((w) => w.simple(''), '+\r\n', '+\r\n');
  });

  it('replaces line breaks inside simple strings by spaces', () => {
    both((w) => w.simple('a\r\nb\nc\r'), '+a  b c \r\n', '+a  b c \r\n');
  });

  it('writes errors verbatim, trimming line breaks at the ends and mapping inner ones (addReplyErrorFormat)', () => {
    both((w) => w.error("ERR wrong number of arguments for 'get' command"), "-ERR wrong number of arguments for 'get' command\r\n", "-ERR wrong number of arguments for 'get' command\r\n");
    both((w) => w.error('WRONGTYPE Operation against a key holding the wrong kind of value'), '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n', '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n');
    both((w) => w.error("\r\nERR unknown command 'a\r\nb'\n"), "-ERR unknown command 'a  b'\r\n", "-ERR unknown command 'a  b'\r\n");
  });

  it('counts error replies', () => {
    const w = new ReplyWriter();
    w.ok();
    w.error('ERR x');
    w.bulk('y');
    w.error('ERR z');
    assert.equal(w.errorCount, 2);
  });

  it('writes integers: cached, uncached, negative, past 2^53, bigint', () => {
    const cases: [number | bigint, string][] = [
      [0, ':0'], [7, ':7'], [9999, ':9999'], [10000, ':10000'], [-1, ':-1'], [-10000, ':-10000'], [123456789, ':123456789'],
      [2 ** 31, ':2147483648'], [Number.MAX_SAFE_INTEGER, ':9007199254740991'], [Number.MIN_SAFE_INTEGER, ':-9007199254740991'],
      [2 ** 60, ':1152921504606846976'], [2n ** 63n - 1n, ':9223372036854775807'], [-(2n ** 63n), ':-9223372036854775808'],
    ];
    for (const [n, text] of cases) both((w) => w.integer(n), text + '\r\n', text + '\r\n');
  });

  it('writes every integer of the cache and around it exactly', () => {
    const w = new ReplyWriter();
    let expected = '';
    for (let i = -20; i < 10020; i++) {
      w.integer(i);
      expected += `:${i}\r\n`;
    }
    assert.equal(w.take().toString('latin1'), expected);
  });

  it('refuses a non-integer integer reply', () => {
    assert.throws(() => new ReplyWriter().integer(1.5), RangeError);
    assert.throws(() => new ReplyWriter().integer(NaN), RangeError);
  });

  it('writes bulk strings of latin1 bytes, around the short-string threshold and large', () => {
    for (const n of [0, 1, 15, 16, 17, 100, 70_000]) {
      const s = 'ab\r\n'.repeat(n).slice(0, n);
      both((w) => w.bulk(s), `$${n}\r\n${s}\r\n`, `$${n}\r\n${s}\r\n`);
    }
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const w = new ReplyWriter();
    w.bulk(all.toString('latin1'));
    assert.deepEqual(w.take(), Buffer.concat([Buffer.from('$256\r\n'), all, Buffer.from('\r\n')]));
  });

  it('writes bulk strings from Buffers', () => {
    both((w) => w.bulkBuffer(Buffer.from([0, 255, 13])), '$3\r\n\x00\xff\r\r\n', '$3\r\n\x00\xff\r\r\n');
  });

  it('writes the null of each protocol', () => {
    both((w) => w.bulk(null), '$-1\r\n', '_\r\n');
    both((w) => w.nullBulk(), '$-1\r\n', '_\r\n');
    both((w) => w.nullArray(), '*-1\r\n', '_\r\n');
  });

  it('writes aggregate headers, degrading RESP3 types to arrays in RESP2', () => {
    both((w) => w.array(3), '*3\r\n', '*3\r\n');
    both((w) => w.array(0), '*0\r\n', '*0\r\n');
    both((w) => w.map(2), '*4\r\n', '%2\r\n');
    both((w) => w.set(5), '*5\r\n', '~5\r\n');
    both((w) => w.push(3), '*3\r\n', '>3\r\n');
  });

  it('writes doubles: RESP3 "," and RESP2 bulk strings of the same text', () => {
    both((w) => w.double(1.5), '$3\r\n1.5\r\n', ',1.5\r\n');
    both((w) => w.double(0.1), '$19\r\n0.10000000000000001\r\n', ',0.10000000000000001\r\n');
    both((w) => w.double(Infinity), '$3\r\ninf\r\n', ',inf\r\n');
    both((w) => w.double(-Infinity), '$4\r\n-inf\r\n', ',-inf\r\n');
    both((w) => w.double(NaN), '$3\r\nnan\r\n', ',nan\r\n');
  });

  it('writes booleans, verbatim strings and big numbers', () => {
    both((w) => w.bool(true), ':1\r\n', '#t\r\n');
    both((w) => w.bool(false), ':0\r\n', '#f\r\n');
    both((w) => w.verbatim('hello\r\nworld'), '$12\r\nhello\r\nworld\r\n', '=16\r\ntxt:hello\r\nworld\r\n');
    both((w) => w.verbatim('# x', 'mkd'), '$3\r\n# x\r\n', '=7\r\nmkd:# x\r\n');
    both((w) => w.bigNumber('3492890328409238509324850943850943825024385'), '$43\r\n3492890328409238509324850943850943825024385\r\n', '(3492890328409238509324850943850943825024385\r\n');
  });

  it('copies raw bytes, small and large', () => {
    both((w) => w.raw(SHARED_REPLIES.ok), '+OK\r\n', '+OK\r\n');
    const big = Buffer.alloc(5000, 'z');
    assert.equal(written(2, (w) => w.raw(big)), 'z'.repeat(5000));
  });
});

describe('ReplyWriter: buffering', () => {
  it('collects a pipeline into one buffer and reports its length', () => {
    const w = new ReplyWriter(16);
    let expected = '';
    for (let i = 0; i < 1000; i++) {
      w.ok();
      w.bulk(`value-${i}`);
      expected += `+OK\r\n$${`value-${i}`.length}\r\nvalue-${i}\r\n`;
    }
    assert.equal(w.length, expected.length);
    assert.equal(w.take().toString('latin1'), expected);
    assert.equal(w.length, 0);
    assert.equal(w.take().length, 0);
  });

  it('never changes a buffer it has handed out, small or large', () => {
    const w = new ReplyWriter();
    w.simple('first');
    const small = w.take();
    w.simple('second');
    assert.equal(small.toString(), '+first\r\n');
    w.bulk('x'.repeat(10_000));
    const large = w.take();
    const copy = Buffer.from(large);
    for (let i = 0; i < 100; i++) w.bulk('y'.repeat(200));
    w.take();
    assert.deepEqual(large, copy);
  });

  it('hands out large pipelines without copying them', () => {
    const w = new ReplyWriter();
    w.bulk('x'.repeat(50_000));
    const out = w.take();
    assert.ok(out.buffer.byteLength < 2 * 50_100, 'the writer\'s own buffer, not a bigger pool');
    assert.equal(out.length, 50_000 + 10); // $50000\r\n … \r\n
  });

  it('clear() drops what was buffered', () => {
    const w = new ReplyWriter();
    w.bulk('x'.repeat(200_000));
    w.clear();
    assert.equal(w.length, 0);
    w.ok();
    assert.equal(w.take().toString(), '+OK\r\n');
  });
});

describe('formatDouble17g (printf %.17g, as Redis 7.0 sends doubles)', () => {
  // Expected texts from C printf("%.17g"), including exact ties at the 17th digit (glibc rounds
  // them to even where JavaScript's toExponential rounds up) and both notation thresholds.
  const vectors: [number, string][] = [
    [0.1, '0.10000000000000001'], [1 / 3, '0.33333333333333331'], [2.5, '2.5'], [-2.5, '-2.5'], [100, '100'],
    [1e-4, '0.0001'], [1e-5, '1.0000000000000001e-05'], [0.000123, '0.00012300000000000001'],
    [123456789012345.125, '123456789012345.12'], [123456789012345.375, '123456789012345.38'], [-123456789012345.125, '-123456789012345.12'],
    [1e15, '1000000000000000'], [1e16, '10000000000000000'], [1e17, '1e+17'], [1.5e17, '1.5e+17'],
    [2 ** 53, '9007199254740992'], [2 ** 53 + 2, '9007199254740994'], [2 ** 64, '1.8446744073709552e+19'],
    [1e21, '1e+21'], [1e22, '1e+22'], [1.5e300, '1.5000000000000001e+300'], [1.7976931348623157e308, '1.7976931348623157e+308'],
    [5e-324, '4.9406564584124654e-324'], [2.2250738585072014e-308, '2.2250738585072014e-308'], [4.35, '4.3499999999999996'],
    [0.3, '0.29999999999999999'], [1e-7, '9.9999999999999995e-08'], [12345.678, '12345.678'], [-0, '-0'], [0, '0'], [3, '3'],
    [0.5, '0.5'], [9.999999999999999e22, '9.9999999999999992e+22'], [1.25e-5, '1.2500000000000001e-05'],
    [Infinity, 'inf'], [-Infinity, '-inf'], [NaN, 'nan'],
  ];
  for (const [d, text] of vectors) {
    it(`${Object.is(d, -0) ? '-0' : d} → ${text}`, () => assert.equal(formatDouble17g(d), text));
  }

  it('always reads back as the same double (17 significant digits round-trip)', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (d) => {
        assert.ok(Object.is(Number(formatDouble17g(d)), d));
      }),
      { numRuns: 5000 },
    );
  });
});

// ---- round trip through the client-side reply parser ---------------------------------------

type Tree =
  | { k: 'simple'; s: string }
  | { k: 'error'; s: string }
  | { k: 'int'; n: number }
  | { k: 'bulk'; s: string | null }
  | { k: 'double'; d: number }
  | { k: 'bool'; b: boolean }
  | { k: 'array' | 'set' | 'push'; items: Tree[] }
  | { k: 'map'; items: [Tree, Tree][] };

const latin1 = fc.uint8Array({ maxLength: 30 }).map((a) => Buffer.from(a).toString('latin1'));
const lineText = latin1.map((s) => s.replaceAll('\r', '').replaceAll('\n', ''));
const tree: fc.Arbitrary<Tree> = fc.letrec<{ t: Tree }>((tie) => ({
  t: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    lineText.map((s): Tree => ({ k: 'simple', s })),
    lineText.map((s): Tree => ({ k: 'error', s: 'ERR ' + s })),
    fc.integer().map((n): Tree => ({ k: 'int', n })),
    fc.option(latin1).map((s): Tree => ({ k: 'bulk', s })),
    fc.double().map((d): Tree => ({ k: 'double', d })),
    fc.boolean().map((b): Tree => ({ k: 'bool', b })),
    fc.tuple(fc.constantFrom('array', 'set', 'push') as fc.Arbitrary<'array' | 'set' | 'push'>, fc.array(tie('t'), { maxLength: 4 })).map(([k, items]): Tree => ({ k, items })),
    fc.array(fc.tuple(tie('t'), tie('t')), { maxLength: 3 }).map((items): Tree => ({ k: 'map', items })),
  ),
})).t;

function writeTree(w: ReplyWriter, t: Tree): void {
  switch (t.k) {
    case 'simple': return w.simple(t.s);
    case 'error': return w.error(t.s);
    case 'int': return w.integer(t.n);
    case 'bulk': return w.bulk(t.s);
    case 'double': return w.double(t.d);
    case 'bool': return w.bool(t.b);
    case 'array':
    case 'set':
    case 'push':
      w[t.k](t.items.length);
      for (const x of t.items) writeTree(w, x);
      return;
    case 'map':
      w.map(t.items.length);
      for (const [a, b] of t.items) {
        writeTree(w, a);
        writeTree(w, b);
      }
  }
}

/** What a client must read back for t under each protocol. */
function expectedReply(t: Tree, resp: 2 | 3): Reply {
  switch (t.k) {
    case 'simple': return { t: 'simple', v: t.s };
    case 'error': return { t: 'error', v: t.s };
    case 'int': return { t: 'integer', v: BigInt(t.n) };
    case 'bulk':
      if (t.s === null) return resp === 3 ? { t: 'null' } : { t: 'nullbulk' };
      return { t: 'bulk', v: Buffer.from(t.s, 'latin1') };
    case 'double': {
      const text = formatDouble17g(t.d);
      return resp === 3 ? { t: 'double', v: text } : { t: 'bulk', v: Buffer.from(text, 'latin1') };
    }
    case 'bool': return resp === 3 ? { t: 'bool', v: t.b } : { t: 'integer', v: t.b ? 1n : 0n };
    case 'array': return { t: 'array', v: t.items.map((x) => expectedReply(x, resp)) };
    case 'set': return resp === 3 ? { t: 'set', v: t.items.map((x) => expectedReply(x, resp)) } : expectedReply({ k: 'array', items: t.items }, resp);
    case 'push': return resp === 3 ? { t: 'push', v: t.items.map((x) => expectedReply(x, resp)) } : expectedReply({ k: 'array', items: t.items }, resp);
    case 'map':
      if (resp === 3) return { t: 'map', v: t.items.map(([a, b]) => [expectedReply(a, resp), expectedReply(b, resp)]) };
      return { t: 'array', v: t.items.flatMap(([a, b]) => [expectedReply(a, resp), expectedReply(b, resp)]) };
  }
}

describe('ReplyWriter: round trip through ReplyParser', () => {
  it('any pipeline of replies reads back as written, in RESP2 and RESP3', () => {
    fc.assert(
      fc.property(fc.array(tree, { minLength: 1, maxLength: 8 }), fc.constantFrom(2, 3) as fc.Arbitrary<2 | 3>, fc.nat(), (trees, resp, cut) => {
        const w = new ReplyWriter(8);
        w.resp = resp;
        for (const t of trees) writeTree(w, t);
        const bytes = w.take();
        const at = cut % (bytes.length + 1);
        const got: Reply[] = [];
        const parser = new ReplyParser();
        assert.equal(parser.feed(bytes.subarray(0, at), (r) => got.push(r)), null);
        assert.equal(parser.feed(bytes.subarray(at), (r) => got.push(r)), null);
        assert.deepEqual(got, trees.map((t) => expectedReply(t, resp)));
      }),
      { numRuns: 1000 },
    );
  });
});
