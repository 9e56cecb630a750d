import '../../src/engine/bitmaps.js';
import '../../src/engine/sets.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Harness, err } from './harness.js';
import { lookupCommand } from '../../src/engine/command-table.js';
import { Database } from '../../src/engine/database.js';
import type { Effect } from '../../src/engine/effect.js';

const E_OFFSET = err('ERR bit offset is not an integer or out of range');
const E_BIT = err('ERR bit is not an integer or out of range');
const E_INT = err('ERR value is not an integer or out of range');
const E_SYNTAX = err('ERR syntax error');
const E_TYPE = err('WRONGTYPE Operation against a key holding the wrong kind of value');
const E_FIELD_TYPE = err('ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.');
const E_BITPOS_BIT = err('ERR The bit argument must be 1 or 0.');

/**
 * A stand-in collection type, so WRONGTYPE can be tested while no collection family is loaded
 * by the harness: its state is a member count, visible while positive.
 */
/** Makes `key` hold a non-string value. */
function makeSetKey(h: Harness, key: string): void {
  h.run('SADD', key, 'm');
}

const bytes = (...b: number[]): string => String.fromCharCode(...b);

// ---- SETBIT / GETBIT ---------------------------------------------------------------------------

test('SETBIT sets and clears bits, most significant bit first, and returns the old bit', () => {
  const h = new Harness();
  assert.equal(h.run('SETBIT', 'k', '7', '1'), 0);
  assert.equal(h.run('GET', 'k'), bytes(0x01));
  assert.equal(h.run('SETBIT', 'k', '0', '1'), 0);
  assert.equal(h.run('GET', 'k'), bytes(0x81));
  assert.equal(h.run('SETBIT', 'k', '7', '1'), 1);
  assert.equal(h.run('SETBIT', 'k', '7', '0'), 1);
  assert.equal(h.run('GET', 'k'), bytes(0x80));
  assert.equal(h.run('GETBIT', 'k', '0'), 1);
  assert.equal(h.run('GETBIT', 'k', '1'), 0);
});

test('SETBIT zero-extends the string, even when it writes a 0', () => {
  const h = new Harness();
  assert.equal(h.run('SETBIT', 'k', '100', '0'), 0);
  assert.equal(h.run('STRLEN', 'k'), 13);
  assert.equal(h.run('GET', 'k'), '\0'.repeat(13));
  h.run('SET', 's', 'a');
  assert.equal(h.run('SETBIT', 's', '23', '1'), 0);
  assert.equal(h.run('GET', 's'), 'a\0\x01');
});

test('SETBIT works on counters and keeps the TTL', () => {
  const h = new Harness();
  h.run('INCRBY', 'c', '1');
  assert.equal(h.run('SETBIT', 'c', '6', '1'), 0); // '1' = 0x31 → 0x33 = '3'
  assert.equal(h.run('GET', 'c'), '3');
  assert.equal(h.run('INCR', 'c'), 4);
  h.run('SET', 't', 'x', 'EX', '100');
  h.run('SETBIT', 't', '0', '1');
  assert.equal(h.run('TTL', 't'), 100);
});

test('GETBIT reads 0 beyond the end and on missing keys', () => {
  const h = new Harness();
  assert.equal(h.run('GETBIT', 'none', '0'), 0);
  assert.equal(h.run('GETBIT', 'none', '4294967295'), 0);
  h.run('SET', 'k', 'A'); // 0x41
  assert.equal(h.run('GETBIT', 'k', '1'), 1);
  assert.equal(h.run('GETBIT', 'k', '7'), 1);
  assert.equal(h.run('GETBIT', 'k', '8'), 0);
});

test('SETBIT/GETBIT offsets and values: errors in Redis order', () => {
  const h = new Harness();
  for (const off of ['-1', '4294967296', 'abc', '#1', '', '1.5', '+1', '01']) {
    assert.deepEqual(h.run('SETBIT', 'k', off, '1'), E_OFFSET, off);
    assert.deepEqual(h.run('GETBIT', 'k', off), E_OFFSET, off);
  }
  for (const v of ['2', '-1', 'x', '', '1.0', '01']) assert.deepEqual(h.run('SETBIT', 'k', '0', v), E_BIT, v);
  assert.deepEqual(h.run('SETBIT', 'k', 'x', '5'), E_OFFSET); // the offset is checked first
  assert.equal(h.run('EXISTS', 'k'), 0);
  makeSetKey(h, 'set');
  assert.deepEqual(h.run('SETBIT', 'set', '0', '1'), E_TYPE);
  assert.deepEqual(h.run('GETBIT', 'set', '0'), E_TYPE);
  assert.deepEqual(h.run('SETBIT', 'set', '-1', '1'), E_OFFSET); // arguments before the type
  assert.deepEqual(h.run('SETBIT', 'k'), err("ERR wrong number of arguments for 'setbit' command"));
  assert.deepEqual(h.run('GETBIT', 'k', '0', '1'), err("ERR wrong number of arguments for 'getbit' command"));
});

test('bit offsets are bounded by proto-max-bulk-len (512 MB, so 2^32 bits)', () => {
  const h = new Harness();
  assert.equal(h.run('GETBIT', 'k', String(2 ** 32 - 1)), 0);
  assert.deepEqual(h.run('GETBIT', 'k', String(2 ** 32)), E_OFFSET);
  h.db.config.protoMaxBulkLen = 1000;
  assert.deepEqual(h.run('SETBIT', 'k', '8000', '1'), E_OFFSET);
  assert.equal(h.run('SETBIT', 'k', '7999', '1'), 0);
  assert.equal(h.run('STRLEN', 'k'), 1000);
});

test('a string longer than V8 can hold is refused with the proto-max-bulk-len error', () => {
  const h = new Harness();
  assert.deepEqual(h.run('SETBIT', 'k', String(2 ** 32 - 1), '1'), err('ERR string exceeds maximum allowed size (proto-max-bulk-len)'));
  assert.equal(h.run('EXISTS', 'k'), 0);
});

test('SETBIT that changes nothing issues no effect', () => {
  const h = new Harness();
  h.run('SETBIT', 'k', '3', '1');
  const seq = h.db.lastSeq;
  assert.equal(h.run('SETBIT', 'k', '3', '1'), 1);
  assert.equal(h.run('SETBIT', 'k', '4', '0'), 0);
  assert.equal(h.db.lastSeq, seq);
  assert.equal(h.run('SETBIT', 'k', '4', '1'), 0);
  assert.equal(h.db.lastSeq, seq + 1);
});

// ---- BITCOUNT ----------------------------------------------------------------------------------

test('BITCOUNT over the whole string and byte ranges', () => {
  const h = new Harness();
  h.run('SET', 'k', 'foobar');
  assert.equal(h.run('BITCOUNT', 'k'), 26);
  assert.equal(h.run('BITCOUNT', 'k', '0', '0'), 4);
  assert.equal(h.run('BITCOUNT', 'k', '1', '1'), 6);
  assert.equal(h.run('BITCOUNT', 'k', '1', '1', 'BYTE'), 6);
  assert.equal(h.run('BITCOUNT', 'k', '0', '-1'), 26);
  assert.equal(h.run('BITCOUNT', 'k', '-2', '-1'), 7);
  assert.equal(h.run('BITCOUNT', 'k', '4', '100'), 7);
  assert.equal(h.run('BITCOUNT', 'k', '3', '2'), 0);
  assert.equal(h.run('BITCOUNT', 'k', '100', '200'), 0);
  assert.equal(h.run('BITCOUNT', 'k', '-100', '-50'), 4); // both clamp to byte 0
  assert.equal(h.run('BITCOUNT', 'k', '-50', '-100'), 0); // crossed negatives: empty
  assert.equal(h.run('BITCOUNT', 'k', '-9223372036854775808', '9223372036854775807'), 26);
});

test('BITCOUNT BIT ranges mask the edge bytes', () => {
  const h = new Harness();
  h.run('SET', 'k', 'foobar');
  assert.equal(h.run('BITCOUNT', 'k', '5', '30', 'BIT'), 17);
  assert.equal(h.run('BITCOUNT', 'k', '5', '30', 'bit'), 17);
  assert.equal(h.run('BITCOUNT', 'k', '0', '-1', 'BIT'), 26);
  assert.equal(h.run('BITCOUNT', 'k', '1', '2', 'BIT'), 2); // 'f' = 01100110
  assert.equal(h.run('BITCOUNT', 'k', '3', '4', 'BIT'), 0);
  assert.equal(h.run('BITCOUNT', 'k', '-3', '-1', 'BIT'), 1); // 'r' = 01110010
  assert.equal(h.run('BITCOUNT', 'k', '47', '47', 'BIT'), 0);
  assert.equal(h.run('BITCOUNT', 'k', '48', '100', 'BIT'), 0);
});

test('BITCOUNT looks the key up before reading its arguments (Redis 7.0)', () => {
  const h = new Harness();
  assert.equal(h.run('BITCOUNT', 'none'), 0);
  assert.equal(h.run('BITCOUNT', 'none', 'a', 'b'), 0);
  assert.equal(h.run('BITCOUNT', 'none', '1'), 0);
  h.run('SET', 'k', 'foo');
  assert.deepEqual(h.run('BITCOUNT', 'k', '1'), E_SYNTAX);
  assert.deepEqual(h.run('BITCOUNT', 'k', '1', '2', 'BIT', 'x'), E_SYNTAX);
  assert.deepEqual(h.run('BITCOUNT', 'k', 'a', 'b'), E_INT);
  assert.deepEqual(h.run('BITCOUNT', 'k', '0', 'b'), E_INT);
  assert.deepEqual(h.run('BITCOUNT', 'k', '0', '-1', 'bits'), E_SYNTAX);
  assert.deepEqual(h.run('BITCOUNT', 'k', 'x', '-1', 'bits'), E_INT); // the numbers come first
  assert.equal(h.run('BITCOUNT', 'k', '-1', '-2', 'bits'), 0); // crossed negatives answer before the unit is read
  assert.deepEqual(h.run('BITCOUNT', 'k', '-2', '-1', 'bits'), E_SYNTAX);
  makeSetKey(h, 'set');
  assert.deepEqual(h.run('BITCOUNT', 'set', '1'), E_TYPE);
  h.run('SET', 'empty', '');
  assert.equal(h.run('BITCOUNT', 'empty'), 0);
  assert.equal(h.run('BITCOUNT', 'empty', '0', '-1'), 0);
  assert.equal(h.run('BITCOUNT', 'empty', '0', '-1', 'BIT'), 0);
});

test('BITCOUNT on a 1 MB string is fast', () => {
  const h = new Harness();
  h.run('SET', 'big', '\xff'.repeat(1 << 20));
  const t0 = performance.now();
  for (let i = 0; i < 10; i++) assert.equal(h.run('BITCOUNT', 'big'), 8 << 20);
  assert.equal(h.run('BITCOUNT', 'big', '3', String((8 << 20) - 4), 'BIT'), (8 << 20) - 6);
  const ms = (performance.now() - t0) / 11;
  assert.ok(ms < 50, `BITCOUNT took ${ms.toFixed(1)} ms per call`);
});

// ---- BITPOS ------------------------------------------------------------------------------------

test('BITPOS finds the first set or clear bit', () => {
  const h = new Harness();
  h.run('SET', 'k', bytes(0xff, 0xf0, 0x00));
  assert.equal(h.run('BITPOS', 'k', '0'), 12);
  assert.equal(h.run('BITPOS', 'k', '1'), 0);
  assert.equal(h.run('BITPOS', 'k', '1', '1'), 8);
  assert.equal(h.run('BITPOS', 'k', '1', '2'), -1);
  assert.equal(h.run('BITPOS', 'k', '0', '2'), 16);
  assert.equal(h.run('BITPOS', 'k', '1', '-1'), -1);
  assert.equal(h.run('BITPOS', 'k', '0', '-2', '-1'), 12);
  assert.equal(h.run('BITPOS', 'k', '1', '2', '1'), -1); // empty range
  assert.equal(h.run('BITPOS', 'k', '1', '-100', '-200'), 0); // no crossed-negatives rule here
});

test('BITPOS for a clear bit: a string of ones is zero-padded unless an end is given', () => {
  const h = new Harness();
  h.run('SET', 'k', bytes(0xff, 0xff));
  assert.equal(h.run('BITPOS', 'k', '0'), 16);
  assert.equal(h.run('BITPOS', 'k', '0', '0'), 16);
  assert.equal(h.run('BITPOS', 'k', '0', '1'), 16);
  assert.equal(h.run('BITPOS', 'k', '0', '0', '-1'), -1);
  assert.equal(h.run('BITPOS', 'k', '0', '0', '1', 'BYTE'), -1);
  assert.equal(h.run('BITPOS', 'k', '0', '3', '10', 'BIT'), -1);
  assert.equal(h.run('BITPOS', 'k', '1', '3', '10', 'BIT'), 3);
});

test('BITPOS BIT ranges start and end inside bytes', () => {
  const h = new Harness();
  h.run('SET', 'k', bytes(0x00, 0x01, 0x80, 0x00, 0xff));
  assert.equal(h.run('BITPOS', 'k', '1', '0', '-1', 'BIT'), 15);
  assert.equal(h.run('BITPOS', 'k', '1', '16', '-1', 'BIT'), 16);
  assert.equal(h.run('BITPOS', 'k', '1', '17', '-1', 'BIT'), 32);
  assert.equal(h.run('BITPOS', 'k', '1', '17', '31', 'BIT'), -1);
  assert.equal(h.run('BITPOS', 'k', '1', '9', '14', 'BIT'), -1);
  assert.equal(h.run('BITPOS', 'k', '1', '9', '15', 'bit'), 15);
  assert.equal(h.run('BITPOS', 'k', '0', '32', '-1', 'BIT'), -1);
  assert.equal(h.run('BITPOS', 'k', '0', '33', '34', 'BIT'), -1);
  assert.equal(h.run('BITPOS', 'k', '0', '15', '16', 'BIT'), -1);
  assert.equal(h.run('BITPOS', 'k', '0', '14', '16', 'BIT'), 14);
  assert.equal(h.run('BITPOS', 'k', '0', '-9', '-1', 'BIT'), 31);
  assert.equal(h.run('BITPOS', 'k', '1', '0', '1', 'BYTE'), 15);
});

test('BITPOS on missing keys and empty strings', () => {
  const h = new Harness();
  assert.equal(h.run('BITPOS', 'none', '0'), 0);
  assert.equal(h.run('BITPOS', 'none', '1'), -1);
  // A missing key answers before the range is read, even a malformed one.
  assert.equal(h.run('BITPOS', 'none', '1', 'x', 'y', 'z', 'w'), -1);
  assert.equal(h.run('BITPOS', 'none', '0', '5', '1', 'BIT'), 0);
  h.run('SET', 'e', '');
  assert.equal(h.run('BITPOS', 'e', '0'), -1);
  assert.equal(h.run('BITPOS', 'e', '1'), -1);
  assert.equal(h.run('BITPOS', 'e', '0', '0'), -1);
});

test('BITPOS errors in Redis order', () => {
  const h = new Harness();
  h.run('SET', 'k', 'foo');
  assert.deepEqual(h.run('BITPOS', 'k', '2'), E_BITPOS_BIT);
  assert.deepEqual(h.run('BITPOS', 'k', '-1'), E_BITPOS_BIT);
  assert.deepEqual(h.run('BITPOS', 'k', 'x'), E_INT);
  assert.deepEqual(h.run('BITPOS', 'none', '2'), E_BITPOS_BIT); // the bit before the key
  assert.deepEqual(h.run('BITPOS', 'k', '1', 'a'), E_INT);
  assert.deepEqual(h.run('BITPOS', 'k', '1', '0', 'a'), E_INT);
  assert.deepEqual(h.run('BITPOS', 'k', '1', '0', '1', 'bits'), E_SYNTAX);
  assert.deepEqual(h.run('BITPOS', 'k', '1', '0', 'x', 'bits'), E_SYNTAX); // the unit before the end
  assert.deepEqual(h.run('BITPOS', 'k', '1', 'x', '1', 'bits'), E_INT); // the start before the unit
  assert.deepEqual(h.run('BITPOS', 'k', '1', '0', '1', 'BIT', 'x'), E_SYNTAX);
  makeSetKey(h, 'set');
  assert.deepEqual(h.run('BITPOS', 'set', '1', 'x'), E_TYPE);
  assert.deepEqual(h.run('BITPOS', 'set', '3'), E_BITPOS_BIT);
});

// ---- BITOP -------------------------------------------------------------------------------------

test('BITOP AND, OR, XOR over strings of different lengths (zero-padded)', () => {
  const h = new Harness();
  h.run('SET', 'a', bytes(0xff, 0x0f, 0xaa));
  h.run('SET', 'b', bytes(0xf0, 0xff));
  assert.equal(h.run('BITOP', 'AND', 'd', 'a', 'b'), 3);
  assert.equal(h.run('GET', 'd'), bytes(0xf0, 0x0f, 0x00));
  assert.equal(h.run('BITOP', 'or', 'd', 'a', 'b'), 3);
  assert.equal(h.run('GET', 'd'), bytes(0xff, 0xff, 0xaa));
  assert.equal(h.run('BITOP', 'Xor', 'd', 'a', 'b'), 3);
  assert.equal(h.run('GET', 'd'), bytes(0x0f, 0xf0, 0xaa));
  assert.equal(h.run('BITOP', 'AND', 'd', 'b', 'a', 'none'), 3);
  assert.equal(h.run('GET', 'd'), bytes(0, 0, 0));
  assert.equal(h.run('BITOP', 'XOR', 'd', 'a'), 3);
  assert.equal(h.run('GET', 'd'), bytes(0xff, 0x0f, 0xaa));
});

test('BITOP NOT takes exactly one source', () => {
  const h = new Harness();
  h.run('SET', 'a', bytes(0xff, 0x0f));
  assert.equal(h.run('BITOP', 'NOT', 'd', 'a'), 2);
  assert.equal(h.run('GET', 'd'), bytes(0x00, 0xf0));
  assert.deepEqual(h.run('BITOP', 'NOT', 'd', 'a', 'b'), err('ERR BITOP NOT must be called with a single source key.'));
  assert.deepEqual(h.run('BITOP', 'NAND', 'd', 'a'), E_SYNTAX);
  assert.deepEqual(h.run('BITOP', 'AND', 'd'), err("ERR wrong number of arguments for 'bitop' command"));
});

test('BITOP replaces any destination, drops its TTL, and deletes it when the result is empty', () => {
  const h = new Harness();
  h.run('SET', 'a', 'abc');
  makeSetKey(h, 'd');
  assert.equal(h.run('BITOP', 'OR', 'd', 'a'), 3);
  assert.equal(h.run('GET', 'd'), 'abc');
  h.run('EXPIRE', 'd', '100');
  assert.equal(h.run('BITOP', 'OR', 'd', 'a'), 3);
  assert.equal(h.run('TTL', 'd'), -1);
  assert.equal(h.run('BITOP', 'OR', 'd', 'none1', 'none2'), 0);
  assert.equal(h.run('EXISTS', 'd'), 0);
  h.run('SET', 'e', '');
  h.run('SET', 'd', 'x');
  assert.equal(h.run('BITOP', 'NOT', 'd', 'e'), 0);
  assert.equal(h.run('EXISTS', 'd'), 0);
  assert.equal(h.run('BITOP', 'AND', 'a', 'a', 'none'), 3); // the destination may be a source
  assert.equal(h.run('GET', 'a'), '\0\0\0');
});

test('BITOP refuses non-string sources, not a non-string destination', () => {
  const h = new Harness();
  makeSetKey(h, 'set');
  h.run('SET', 'a', 'x');
  assert.deepEqual(h.run('BITOP', 'AND', 'd', 'a', 'set'), E_TYPE);
  assert.deepEqual(h.run('BITOP', 'NOT', 'd', 'set'), E_TYPE);
  assert.equal(h.run('EXISTS', 'd'), 0);
});

test('BITOP writing the value the destination already holds issues no effect', () => {
  const h = new Harness();
  h.run('SET', 'a', 'abc');
  h.run('BITOP', 'OR', 'd', 'a');
  const seq = h.db.lastSeq;
  assert.equal(h.run('BITOP', 'AND', 'd', 'a', 'd'), 3);
  assert.equal(h.db.lastSeq, seq);
  assert.equal(h.run('BITOP', 'AND', 'x', 'none'), 0); // nothing to delete
  assert.equal(h.db.lastSeq, seq);
});

// ---- BITFIELD ----------------------------------------------------------------------------------

test('BITFIELD GET, SET and INCRBY, signed and unsigned', () => {
  const h = new Harness();
  assert.deepEqual(h.run('BITFIELD', 'k', 'SET', 'u8', '0', '255', 'GET', 'u8', '0', 'GET', 'i8', '0'), [0, 255, -1]);
  assert.deepEqual(h.run('BITFIELD', 'k', 'INCRBY', 'u2', '100', '1', 'GET', 'u4', '0'), [1, 15]);
  assert.equal(h.run('STRLEN', 'k'), 13);
  assert.deepEqual(h.run('BITFIELD', 'k', 'set', 'i5', '3', '-3', 'get', 'i5', '3', 'get', 'u8', '0'), [-1, -3, 0xfd]);
  assert.deepEqual(h.run('BITFIELD', 'n', 'incrby', 'i64', '0', '-9223372036854775808', 'get', 'i64', '0', 'get', 'u63', '0'), [
    -9223372036854775808n,
    -9223372036854775808n,
    4611686018427387904n,
  ].map(Number));
  assert.deepEqual(h.run('BITFIELD', 'g', 'GET', 'u8', '0', 'GET', 'i1', '1000'), [0, 0]);
  assert.equal(h.run('EXISTS', 'g'), 0); // only GETs: a read
  assert.deepEqual(h.run('BITFIELD', 'g'), []);
});

test('BITFIELD values are exact over the whole int64 range', () => {
  // The harness replies with Numbers, so exactness is checked on the stored bytes.
  const h = new Harness();
  h.run('BITFIELD', 'k', 'SET', 'i64', '0', '9223372036854775807');
  assert.equal(h.run('GET', 'k'), bytes(0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff));
  h.run('BITFIELD', 'k', 'SET', 'u63', '1', '12345678901234567'); // 0x2bdc545d6b4b87
  assert.equal(h.run('GET', 'k'), bytes(0x00, 0x2b, 0xdc, 0x54, 0x5d, 0x6b, 0x4b, 0x87));
  assert.deepEqual(h.run('BITFIELD', 'k', 'INCRBY', 'i64', '0', '1', 'GET', 'u8', '#7'), [Number(12345678901234568n), 0x88]);
  h.run('BITFIELD', 'w', 'INCRBY', 'i64', '0', '9223372036854775807', 'INCRBY', 'i64', '0', '2');
  assert.equal(h.run('GET', 'w'), bytes(0x80, 0, 0, 0, 0, 0, 0, 0x01)); // wrapped to -2^63 + 1
  h.run('BITFIELD', 'w', 'OVERFLOW', 'SAT', 'INCRBY', 'i64', '0', '-2');
  assert.equal(h.run('GET', 'w'), bytes(0x80, 0, 0, 0, 0, 0, 0, 0)); // saturated at -2^63
});

test('BITFIELD # offsets count fields of the type width', () => {
  const h = new Harness();
  assert.deepEqual(h.run('BITFIELD', 'k', 'SET', 'u8', '#1', '65', 'SET', 'u4', '#1', '15'), [0, 0]);
  assert.equal(h.run('GET', 'k'), bytes(0x0f, 0x41));
  assert.deepEqual(h.run('BITFIELD', 'k', 'GET', 'u8', '#1', 'GET', 'u16', '#0'), [65, 0x0f41]);
  for (const off of ['#', '#-1', '#x', '##1', '-1', '4294967296', '#536870912', '#9223372036854775807']) {
    assert.deepEqual(h.run('BITFIELD', 'k', 'GET', 'u8', off), E_OFFSET, off);
  }
  assert.deepEqual(h.run('BITFIELD', 'k', 'GET', 'u8', '#536870911'), [0]);
});

test('BITFIELD OVERFLOW WRAP (default), SAT and FAIL', () => {
  const h = new Harness();
  assert.deepEqual(h.run('BITFIELD', 'k', 'INCRBY', 'u2', '0', '5'), [1]);
  assert.deepEqual(h.run('BITFIELD', 'k', 'INCRBY', 'u2', '0', '-2'), [3]);
  assert.deepEqual(h.run('BITFIELD', 'k', 'OVERFLOW', 'SAT', 'INCRBY', 'u2', '0', '5', 'INCRBY', 'u2', '0', '-9'), [3, 0]);
  assert.deepEqual(h.run('BITFIELD', 'k', 'OVERFLOW', 'FAIL', 'INCRBY', 'u2', '0', '4', 'INCRBY', 'u2', '0', '3'), [null, 3]);
  assert.deepEqual(h.run('BITFIELD', 'k', 'overflow', 'fail', 'incrby', 'u2', '0', '1', 'overflow', 'wrap', 'incrby', 'u2', '0', '1'), [null, 0]);
  assert.deepEqual(h.run('BITFIELD', 's', 'INCRBY', 'i8', '0', '127', 'INCRBY', 'i8', '0', '1'), [127, -128]);
  assert.deepEqual(h.run('BITFIELD', 's', 'OVERFLOW', 'SAT', 'INCRBY', 'i8', '0', '-1000', 'INCRBY', 'i8', '0', '1000'), [-128, 127]);
  assert.deepEqual(h.run('BITFIELD', 's', 'OVERFLOW', 'FAIL', 'INCRBY', 'i8', '0', '1', 'GET', 'i8', '0'), [null, 127]);
  const min64 = Number(-(2n ** 63n));
  assert.deepEqual(h.run('BITFIELD', 'w', 'INCRBY', 'i64', '0', '-9223372036854775808', 'INCRBY', 'i64', '0', '-1'), [min64, Number(2n ** 63n - 1n)]);
  assert.deepEqual(h.run('BITFIELD', 'w', 'OVERFLOW', 'SAT', 'INCRBY', 'i64', '0', '1', 'OVERFLOW', 'FAIL', 'INCRBY', 'i64', '0', '1'), [Number(2n ** 63n - 1n), null]);
  assert.equal(h.run('GET', 'w'), bytes(0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff));
});

test('BITFIELD SET overflows: signed wraps, unsigned reads negatives as uint64', () => {
  const h = new Harness();
  assert.deepEqual(h.run('BITFIELD', 'k', 'SET', 'i8', '0', '200', 'GET', 'i8', '0'), [0, -56]);
  assert.deepEqual(h.run('BITFIELD', 'k', 'OVERFLOW', 'SAT', 'SET', 'i8', '0', '200', 'SET', 'i8', '0', '-200', 'GET', 'i8', '0'), [-56, 127, -128]);
  assert.deepEqual(h.run('BITFIELD', 'u', 'SET', 'u8', '0', '-1', 'GET', 'u8', '0'), [0, 255]);
  assert.deepEqual(h.run('BITFIELD', 'u', 'SET', 'u8', '0', '256', 'GET', 'u8', '0'), [255, 0]);
  assert.deepEqual(h.run('BITFIELD', 'u', 'OVERFLOW', 'SAT', 'SET', 'u8', '0', '-1', 'GET', 'u8', '0'), [0, 255]);
  assert.deepEqual(h.run('BITFIELD', 'u', 'OVERFLOW', 'FAIL', 'SET', 'u8', '0', '-5', 'SET', 'u8', '0', '7'), [null, 255]);
  // Redis's int64 `max - value` wraps for values this far down: SAT then picks the maximum.
  assert.deepEqual(h.run('BITFIELD', 's', 'OVERFLOW', 'SAT', 'SET', 'i8', '0', '-9223372036854775808', 'GET', 'i8', '0'), [0, 127]);
  assert.deepEqual(h.run('BITFIELD', 's', 'OVERFLOW', 'SAT', 'SET', 'i8', '0', '-9223372036854775681', 'GET', 'i8', '0'), [127, 127]);
  assert.deepEqual(h.run('BITFIELD', 's', 'OVERFLOW', 'SAT', 'SET', 'i8', '0', '-9223372036854775680', 'GET', 'i8', '0'), [127, -128]);
  assert.deepEqual(h.run('BITFIELD', 's', 'SET', 'i8', '0', '-9223372036854775808', 'GET', 'i8', '0'), [-128, 0]);
});

test('BITFIELD with OVERFLOW FAIL still creates and zero-extends the key, as Redis does', () => {
  const h = new Harness();
  assert.deepEqual(h.run('BITFIELD', 'k', 'OVERFLOW', 'FAIL', 'SET', 'u2', '0', '7'), [null]);
  assert.equal(h.run('GET', 'k'), '\0');
  assert.deepEqual(h.run('BITFIELD', 'k', 'OVERFLOW', 'FAIL', 'SET', 'u2', '20', '7'), [null]);
  assert.equal(h.run('GET', 'k'), '\0\0\0');
});

test('BITFIELD argument errors, all found before anything runs', () => {
  const h = new Harness();
  for (const t of ['u64', 'i65', 'i0', 'u0', 'I8', 'U8', 'x8', 'i', '', 'i08', 'i+8', 'u-1']) {
    assert.deepEqual(h.run('BITFIELD', 'k', 'GET', t, '0'), E_FIELD_TYPE, t);
  }
  assert.deepEqual(h.run('BITFIELD', 'k', 'GET', 'u8'), E_SYNTAX);
  assert.deepEqual(h.run('BITFIELD', 'k', 'SET', 'u8', '0'), E_SYNTAX);
  assert.deepEqual(h.run('BITFIELD', 'k', 'INCRBY', 'u8', '0'), E_SYNTAX);
  assert.deepEqual(h.run('BITFIELD', 'k', 'FOO', 'u8', '0'), E_SYNTAX);
  assert.deepEqual(h.run('BITFIELD', 'k', 'OVERFLOW'), E_SYNTAX);
  assert.deepEqual(h.run('BITFIELD', 'k', 'OVERFLOW', 'foo'), err('ERR Invalid OVERFLOW type specified'));
  assert.deepEqual(h.run('BITFIELD', 'k', 'SET', 'u8', '0', 'x'), E_INT);
  assert.deepEqual(h.run('BITFIELD', 'k', 'INCRBY', 'u8', '0', '9223372036854775808'), E_INT);
  assert.deepEqual(h.run('BITFIELD', 'k', 'SET', 'u8', '0', '1', 'GET', 'u64', '0'), E_FIELD_TYPE);
  assert.equal(h.run('EXISTS', 'k'), 0);
  makeSetKey(h, 'set');
  assert.deepEqual(h.run('BITFIELD', 'set', 'GET', 'u8', '0'), E_TYPE);
  assert.deepEqual(h.run('BITFIELD', 'set'), E_TYPE);
  assert.deepEqual(h.run('BITFIELD', 'set', 'SET', 'u8', '0', '1'), E_TYPE);
  assert.deepEqual(h.run('BITFIELD', 'set', 'GET', 'u8', 'x'), E_OFFSET);
  assert.deepEqual(h.run('BITFIELD'), err("ERR wrong number of arguments for 'bitfield' command"));
});

test('BITFIELD_RO allows GET (and OVERFLOW) only', () => {
  const h = new Harness();
  h.run('SET', 'k', 'A');
  assert.deepEqual(h.run('BITFIELD_RO', 'k', 'GET', 'u8', '0', 'OVERFLOW', 'SAT', 'GET', 'i4', '#1'), [65, 1]);
  assert.deepEqual(h.run('BITFIELD_RO', 'k'), []);
  assert.deepEqual(h.run('BITFIELD_RO', 'k', 'SET', 'u8', '0', '1'), err('ERR BITFIELD_RO only supports the GET subcommand'));
  assert.deepEqual(h.run('BITFIELD_RO', 'k', 'INCRBY', 'u8', '0', '1'), err('ERR BITFIELD_RO only supports the GET subcommand'));
  assert.deepEqual(h.run('BITFIELD_RO', 'k', 'SET', 'u8', '0', 'x'), E_INT); // parsing comes first
  makeSetKey(h, 'set');
  assert.deepEqual(h.run('BITFIELD_RO', 'set', 'SET', 'u8', '0', '1'), err('ERR BITFIELD_RO only supports the GET subcommand'));
  assert.deepEqual(h.run('BITFIELD_RO', 'set', 'GET', 'u8', '0'), E_TYPE);
  assert.equal(h.run('GET', 'k'), 'A');
});

test('BITFIELD keeps the TTL and issues no effect when nothing changes', () => {
  const h = new Harness();
  h.run('SET', 'k', 'A', 'EX', '100');
  assert.deepEqual(h.run('BITFIELD', 'k', 'SET', 'u8', '0', '66'), [65]);
  assert.equal(h.run('TTL', 'k'), 100);
  const seq = h.db.lastSeq;
  assert.deepEqual(h.run('BITFIELD', 'k', 'SET', 'u8', '0', '66', 'INCRBY', 'u4', '0', '0', 'GET', 'u8', '0'), [66, 4, 66]);
  assert.deepEqual(h.run('BITFIELD', 'k', 'OVERFLOW', 'FAIL', 'INCRBY', 'u2', '0', '9'), [null]);
  assert.equal(h.db.lastSeq, seq);
  assert.deepEqual(h.run('BITFIELD', 'k', 'SET', 'u1', '8', '0'), [0]); // grows the string: a write
  assert.equal(h.db.lastSeq, seq + 1);
  assert.equal(h.run('GET', 'k'), 'B\0');
});

test('BITFIELD writes far into a large string touch only their bytes', () => {
  const h = new Harness();
  const big = 'x'.repeat(1 << 20);
  h.run('SET', 'k', big);
  assert.deepEqual(h.run('BITFIELD', 'k', 'SET', 'u8', '#10', '65', 'SET', 'u8', '#1000000', '66', 'GET', 'u8', '#10'), [120, 120, 65]);
  const v = h.run('GET', 'k') as string;
  assert.equal(v.length, 1 << 20);
  assert.equal(v, big.slice(0, 10) + 'A' + big.slice(11, 1000000) + 'B' + big.slice(1000001));
  assert.deepEqual(h.run('BITFIELD', 'k', 'SET', 'i16', String(8 * (1 << 20) - 4), '-1'), [-32768]);
  assert.equal(h.run('STRLEN', 'k'), (1 << 20) + 2);
});

test('the command table describes the family as Redis does', () => {
  const spec = (n: string) => lookupCommand(n)!;
  assert.deepEqual([spec('setbit').arity, spec('getbit').arity, spec('bitcount').arity, spec('bitpos').arity], [4, 3, -2, -3]);
  assert.deepEqual([spec('bitop').arity, spec('bitfield').arity, spec('bitfield_ro').arity], [-4, -2, -2]);
  assert.deepEqual(spec('bitop').keys, { first: 2, last: -1, step: 1 });
  assert.deepEqual(spec('bitfield').flags, ['write', 'denyoom']);
  assert.deepEqual(spec('bitfield_ro').flags, ['readonly', 'fast']);
  assert.deepEqual(spec('getbit').acl, ['read', 'bitmap', 'fast']);
  assert.equal(spec('BITCOUNT').group, 'bitmap');
});

// ---- Active-Active ------------------------------------------------------------------------------

/** Two instances whose effects are collected, to be delivered by hand. */
function pair(): { a: Harness; b: Harness; fromA: Effect[]; fromB: Effect[] } {
  const a = new Harness(1);
  const b = new Harness(2);
  const fromA: Effect[] = [];
  const fromB: Effect[] = [];
  a.db.sink = { effect: (e) => fromA.push(e), commit: () => undefined };
  b.db.sink = { effect: (e) => fromB.push(e), commit: () => undefined };
  return { a, b, fromA, fromB };
}

function deliver(effects: Effect[], to: Database): void {
  for (const e of effects.splice(0)) to.applyRemote(e);
}

test('concurrent bitmap writes resolve as whole values: the later write wins (reference §2.1)', () => {
  const { a, b, fromA, fromB } = pair();
  a.run('SETBIT', 'k', '0', '1');
  deliver(fromA, b.db);
  assert.equal(b.run('GET', 'k'), bytes(0x80));
  a.run('SETBIT', 'k', '7', '1'); // concurrent with …
  b.advance(5);
  b.run('BITFIELD', 'k', 'SET', 'u4', '4', '5'); // … this later one, which never saw bit 7
  deliver(fromA, b.db);
  deliver(fromB, a.db);
  assert.equal(a.run('GET', 'k'), bytes(0x85));
  assert.equal(b.run('GET', 'k'), bytes(0x85));
});

test('a bitmap write on a counter replaces it like SETRANGE; concurrent increments add on top', () => {
  const { a, b, fromA, fromB } = pair();
  a.run('SET', 'c', '1');
  deliver(fromA, b.db);
  b.run('INCRBY', 'c', '10'); // concurrent with the SETBIT below
  a.advance(5);
  assert.equal(a.run('SETBIT', 'c', '6', '1'), 0); // '1' → '3'
  deliver(fromA, b.db);
  deliver(fromB, a.db);
  assert.equal(a.run('GET', 'c'), '13');
  assert.equal(b.run('GET', 'c'), '13');
});
