import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ReplyParseError, ReplyParser, encodeCommand, formatReply, type Reply } from '../../src/protocol/resp-client.js';

function parseAll(chunks: Buffer[]): { replies: Reply[]; error: string | null } {
  const parser = new ReplyParser();
  const replies: Reply[] = [];
  for (const c of chunks) {
    const err = parser.feed(c, (r) => replies.push(r));
    if (err !== null) return { replies, error: err.message };
  }
  return { replies, error: null };
}

const b = (s: string): Buffer => Buffer.from(s, 'latin1');

describe('ReplyParser', () => {
  const cases: [string, Reply][] = [
    ['+OK\r\n', { t: 'simple', v: 'OK' }],
    ['-ERR bad thing\r\n', { t: 'error', v: 'ERR bad thing' }],
    [':-42\r\n', { t: 'integer', v: -42n }],
    [':9223372036854775807\r\n', { t: 'integer', v: 9223372036854775807n }],
    ['$5\r\na\r\nbc\r\n', { t: 'bulk', v: b('a\r\nbc') }],
    ['$0\r\n\r\n', { t: 'bulk', v: b('') }],
    ['$-1\r\n', { t: 'nullbulk' }],
    ['*-1\r\n', { t: 'nullarray' }],
    ['_\r\n', { t: 'null' }],
    [',3.5\r\n', { t: 'double', v: '3.5' }],
    [',-inf\r\n', { t: 'double', v: '-inf' }],
    ['#t\r\n', { t: 'bool', v: true }],
    ['#f\r\n', { t: 'bool', v: false }],
    ['(12345678901234567890123\r\n', { t: 'bignum', v: '12345678901234567890123' }],
    ['=9\r\ntxt:hello\r\n', { t: 'verbatim', format: 'txt', v: b('hello') }],
    ['!5\r\nERR x\r\n', { t: 'bloberror', v: b('ERR x') }],
    ['*0\r\n', { t: 'array', v: [] }],
    ['*2\r\n:1\r\n*1\r\n$1\r\nx\r\n', { t: 'array', v: [{ t: 'integer', v: 1n }, { t: 'array', v: [{ t: 'bulk', v: b('x') }] }] }],
    ['~2\r\n+a\r\n+b\r\n', { t: 'set', v: [{ t: 'simple', v: 'a' }, { t: 'simple', v: 'b' }] }],
    ['>2\r\n$7\r\nmessage\r\n:1\r\n', { t: 'push', v: [{ t: 'bulk', v: b('message') }, { t: 'integer', v: 1n }] }],
    ['%1\r\n$1\r\nk\r\n_\r\n', { t: 'map', v: [[{ t: 'bulk', v: b('k') }, { t: 'null' }]] }],
    ['|1\r\n+ttl\r\n:3\r\n$1\r\nv\r\n', { t: 'attribute', attrs: [[{ t: 'simple', v: 'ttl' }, { t: 'integer', v: 3n }]], v: { t: 'bulk', v: b('v') } }],
  ];

  for (const [wire, reply] of cases) {
    it(`reads ${JSON.stringify(wire)}, split at every byte`, () => {
      const bytes = b(wire);
      assert.deepEqual(parseAll([bytes]), { replies: [reply], error: null });
      for (let i = 0; i <= bytes.length; i++) {
        assert.deepEqual(parseAll([bytes.subarray(0, i), bytes.subarray(i)]), { replies: [reply], error: null }, `split at ${i}`);
      }
    });
  }

  it('reads a pipeline of replies in order', () => {
    const r = parseAll([b('+OK\r\n:1\r\n$3\r\nabc\r\n*-1\r\n')]);
    assert.deepEqual(r.replies.map((x) => x.t), ['simple', 'integer', 'bulk', 'nullarray']);
  });

  it('keeps binary bulk strings intact and independent of the receive buffer', () => {
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const wire = Buffer.concat([b('$256\r\n'), all, b('\r\n')]);
    const r = parseAll([wire]);
    wire.fill(0);
    assert.deepEqual(r.replies[0], { t: 'bulk', v: all });
  });

  it('assembles a large bulk string from many chunks', () => {
    const value = Buffer.alloc(1 << 20, 'q');
    const wire = Buffer.concat([b(`$${value.length}\r\n`), value, b('\r\n+OK\r\n')]);
    const chunks: Buffer[] = [];
    for (let i = 0; i < wire.length; i += 1000) chunks.push(wire.subarray(i, i + 1000));
    const r = parseAll(chunks);
    assert.equal(r.replies.length, 2);
    assert.deepEqual(r.replies[0], { t: 'bulk', v: value });
  });

  const malformed = ['?\r\n', ':abc\r\n', ':\r\n', '$-2\r\n', '$3\r\nabcde\r\n', '#x\r\n', '_x\r\n', '~-1\r\n', '\r\n', ',\r\n', '=3\r\nabc\r\n'];
  for (const wire of malformed) {
    it(`rejects ${JSON.stringify(wire)} and stays failed`, () => {
      const parser = new ReplyParser();
      const err = parser.feed(b(wire), () => assert.fail('no reply expected'));
      assert.ok(err instanceof ReplyParseError);
      assert.equal(parser.feed(b('+OK\r\n'), () => assert.fail('no reply after an error')), err);
    });
  }

  it('rejects a bulk longer than maxBulkLen instead of waiting for it', () => {
    const err = new ReplyParser({ maxBulkLen: 10 }).feed(b('$11\r\n'), () => {});
    assert.ok(err instanceof ReplyParseError);
  });
});

describe('encodeCommand', () => {
  it('encodes strings as latin1 bytes and Buffers as they are', () => {
    assert.equal(encodeCommand(['SET', 'k', 'v\xe9']).toString('latin1'), '*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2\r\nv\xe9\r\n');
    assert.deepEqual(encodeCommand(['ECHO', Buffer.from([0, 255])]), Buffer.concat([b('*2\r\n$4\r\nECHO\r\n$2\r\n'), Buffer.from([0, 255]), b('\r\n')]));
    assert.equal(encodeCommand(['PING']).toString(), '*1\r\n$4\r\nPING\r\n');
    assert.equal(encodeCommand(['ECHO', '']).toString(), '*2\r\n$4\r\nECHO\r\n$0\r\n\r\n');
  });
});

describe('formatReply', () => {
  it('gives every type its own marker and escapes bytes like redis-cli', () => {
    const r: Reply = {
      t: 'array',
      v: [
        { t: 'simple', v: 'OK' },
        { t: 'bulk', v: b('OK') },
        { t: 'error', v: 'ERR x' },
        { t: 'integer', v: 5n },
        { t: 'nullbulk' },
        { t: 'nullarray' },
        { t: 'null' },
        { t: 'double', v: '1.5' },
        { t: 'bool', v: true },
        { t: 'bignum', v: '12' },
        { t: 'verbatim', format: 'txt', v: b('a') },
        { t: 'bloberror', v: b('E') },
        { t: 'bulk', v: b('q"\\\n\r\t\x07\b\x00\xff') },
      ],
    };
    assert.equal(
      formatReply(r),
      '*[+OK, "OK", -ERR x, :5, $-1, *-1, _, ,1.5, #t, (12, =txt:"a", !"E", "q\\"\\\\\\n\\r\\t\\a\\b\\x00\\xff"]',
    );
  });

  it('sorts sets and maps only when asked', () => {
    const set: Reply = { t: 'set', v: [{ t: 'bulk', v: b('b') }, { t: 'bulk', v: b('a') }] };
    const map: Reply = { t: 'map', v: [[{ t: 'bulk', v: b('y') }, { t: 'integer', v: 1n }], [{ t: 'bulk', v: b('x') }, { t: 'integer', v: 2n }]] };
    assert.equal(formatReply(set), '~["b", "a"]');
    assert.equal(formatReply(set, { sortUnordered: true }), '~["a", "b"]');
    assert.equal(formatReply(map), '%{"y": :1, "x": :2}');
    assert.equal(formatReply(map, { sortUnordered: true }), '%{"x": :2, "y": :1}');
    assert.equal(formatReply({ t: 'push', v: [{ t: 'simple', v: 'm' }] }), '>[+m]');
    assert.equal(formatReply({ t: 'attribute', attrs: [[{ t: 'simple', v: 'a' }, { t: 'integer', v: 1n }]], v: { t: 'null' } }), '|{+a: :1} _');
  });
});
