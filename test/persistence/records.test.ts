// The record framing of the effect log and snapshots (src/persistence/records.ts): round trips,
// and how every kind of damage is classified (torn tail vs corruption in the middle).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import zlib from 'node:zlib';
import fc from 'fast-check';
import { crc32, crc32Table } from '../../src/persistence/crc32.js';
import { HEADER_BYTES, frameRecord, scanRecords } from '../../src/persistence/records.js';
import { Rec, advanceRecord, decodeLogEntry, effectRecord, parseName } from '../../src/persistence/log-format.js';
import type { Effect } from '../../src/engine/effect.js';

const payloads = fc.array(fc.tuple(fc.integer({ min: 0, max: 255 }), fc.uint8Array({ maxLength: 300 })), { minLength: 1, maxLength: 20 });

function file(recs: [number, Uint8Array][]): { buf: Buffer; ends: number[] } {
  const parts = recs.map(([t, p]) => frameRecord(t, p));
  const ends: number[] = [];
  let n = 0;
  for (const p of parts) ends.push((n += p.length));
  return { buf: Buffer.concat(parts), ends };
}

test('crc32: the table version computes the same function as zlib', () => {
  assert.equal(crc32Table(Buffer.from('123456789')), 0xcbf43926);
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 500 }), fc.uint8Array({ maxLength: 50 }), (a, b) => {
      assert.equal(crc32Table(a), crc32(a));
      // Continuing from a previous value matches one pass over the concatenation.
      assert.equal(crc32Table(b, crc32Table(a)), crc32Table(Buffer.concat([a, b])));
      const native = (zlib as unknown as { crc32?: (d: Uint8Array) => number }).crc32;
      if (native !== undefined) assert.equal(native(a), crc32Table(a));
    }),
  );
});

test('records round-trip in order, with a clean end', () => {
  fc.assert(
    fc.property(payloads, (recs) => {
      const { buf } = file(recs);
      const scan = scanRecords(buf);
      assert.deepEqual(scan.end, { kind: 'clean' });
      assert.equal(scan.goodEnd, buf.length);
      assert.deepEqual(
        scan.records.map((r) => [r.type, Buffer.from(r.payload)]),
        recs.map(([t, p]) => [t, Buffer.from(p)]),
      );
    }),
  );
});

test('a file cut anywhere is a torn tail: every complete record before the cut survives', () => {
  fc.assert(
    fc.property(payloads, fc.nat(), (recs, cutSeed) => {
      const { buf, ends } = file(recs);
      const cut = cutSeed % buf.length;
      const scan = scanRecords(buf.subarray(0, cut));
      const complete = ends.filter((e) => e <= cut);
      assert.equal(scan.records.length, complete.length);
      assert.equal(scan.goodEnd, complete.length === 0 ? 0 : complete[complete.length - 1]);
      assert.equal(scan.end.kind, cut === scan.goodEnd ? 'clean' : 'torn');
    }),
  );
});

test('a flipped byte is never missed: corruption when records follow, a torn tail in the last one', () => {
  fc.assert(
    fc.property(payloads, fc.nat(), fc.integer({ min: 1, max: 255 }), (recs, at, mask) => {
      const { buf, ends } = file(recs);
      const pos = at % buf.length;
      const damaged = Buffer.from(buf);
      damaged[pos] = damaged[pos]! ^ mask;
      const scan = scanRecords(damaged);
      const idx = ends.findIndex((e) => pos < e);
      const start = idx === 0 ? 0 : ends[idx - 1]!;
      // Every record before the damaged one is intact; the damaged one is never returned.
      assert.ok(scan.records.length >= idx);
      assert.equal(scan.records.length, idx, `damage at ${pos} in record ${idx} went unnoticed`);
      assert.equal(scan.goodEnd, start);
      const last = idx === recs.length - 1;
      // With its length intact, a bad last record is a torn write and any other one is damage;
      // a damaged length field may point past the end (torn) or be impossible (corrupt).
      if (pos >= start + 4) assert.equal(scan.end.kind, last ? 'torn' : 'corrupt');
      else assert.notEqual(scan.end.kind, 'clean');
    }),
  );
});

test('a zero-filled tail (preallocated, never written) reads as torn, not corrupt', () => {
  const { buf } = file([[1, Buffer.from('abc')], [1, Buffer.from('def')]]);
  const scan = scanRecords(Buffer.concat([buf, Buffer.alloc(4096)]));
  assert.equal(scan.records.length, 2);
  assert.equal(scan.end.kind, 'torn');
  assert.equal(scan.goodEnd, buf.length);
});

test('log entries decode to what was encoded', () => {
  const e: Effect = { origin: 3, seq: 77, ts: 123456789, key: 'k\u00ff', ops: [{ k: 'str', e: { t: 'set', v: 'v', obs: null } }] };
  const r = scanRecords(Buffer.concat([effectRecord(e), advanceRecord(2, 99)])).records;
  assert.equal(r[0]!.type, Rec.Effect);
  assert.deepEqual(decodeLogEntry(r[0]!.type, r[0]!.payload), { t: 'effect', e });
  assert.deepEqual(decodeLogEntry(r[1]!.type, r[1]!.payload), { t: 'advance', origin: 2, seq: 99 });
  assert.throws(() => decodeLogEntry(99, Buffer.alloc(0)), /unknown log record type 99/);
  assert.equal(HEADER_BYTES, 9);
});

test('data file names', () => {
  assert.deepEqual(parseName('appendonly-12.tlog'), { kind: 'log', gen: 12 });
  assert.deepEqual(parseName('snapshot-3.tsnap'), { kind: 'snapshot', gen: 3 });
  assert.equal(parseName('snapshot-3.tsnap.tmp'), null);
  assert.equal(parseName('appendonly-3.tsnap'), null);
  assert.equal(parseName('seq-reservation'), null);
});
