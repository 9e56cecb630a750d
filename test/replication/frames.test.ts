import assert from 'node:assert/strict';
import { test } from 'node:test';
import { VectorClock } from '../../src/crdt/vector-clock.js';
import { KeyRecord, KeyType } from '../../src/crdt/key.js';
import { BinaryWriter } from '../../src/crdt/binary.js';
import { effectToBuffer } from '../../src/engine/effect.js';
import type { Effect } from '../../src/engine/effect.js';
import {
  FRAME_TYPES,
  FrameDecoder,
  FrameError,
  ackFrame,
  batchFrame,
  decodeChunkRecords,
  decodeFrame,
  encodeSkipUnit,
  encodeUnit,
  flowFrame,
  frameType,
  fullSyncBeginFrame,
  fullSyncChunkFrame,
  fullSyncEndFrame,
  heartbeatFrame,
  probeFrame,
  probeReplyFrame,
} from '../../src/replication/frames.js';

const clock = VectorClock.from([
  [1, 12],
  [2, 7],
]);

function setEffect(origin: number, seq: number, key: string, v: string): Effect {
  return { origin, seq, ts: 1000 * seq, key, ops: [{ k: 'str', e: { t: 'set', v, obs: null } }] };
}

test('control frames round-trip', () => {
  const ack = decodeFrame(ackFrame(clock));
  assert.equal(ack.t, 'ack');
  assert.ok(ack.t === 'ack' && ack.clock.equals(clock));
  assert.deepEqual(decodeFrame(flowFrame(true)), { t: 'flow', paused: true });
  assert.deepEqual(decodeFrame(probeFrame(42)), { t: 'probe', token: 42 });
  const pr = decodeFrame(probeReplyFrame(7, clock));
  assert.ok(pr.t === 'probe-reply' && pr.token === 7 && pr.clock.equals(clock));
  const hb = decodeFrame(heartbeatFrame(clock, 1234));
  assert.ok(hb.t === 'heartbeat' && hb.sentAt === 1234 && hb.clock.equals(clock));
  const b = decodeFrame(fullSyncBeginFrame(clock, 99, 5));
  assert.ok(b.t === 'fullsync-begin' && b.hlc === 99 && b.records === 5 && b.clock.equals(clock));
  const e = decodeFrame(fullSyncEndFrame(clock, 5));
  assert.ok(e.t === 'fullsync-end' && e.records === 5);
});

test('a batch carries units verbatim, with and without compression', () => {
  const u1 = encodeUnit([effectToBuffer(setEffect(1, 1, 'k', 'a')), effectToBuffer(setEffect(1, 2, 'k', 'b'))]);
  const u2 = encodeUnit([effectToBuffer(setEffect(2, 5, 'x'.repeat(300), 'y'.repeat(2000)))]);
  const skip = encodeSkipUnit(3, 4, 9);
  for (const level of [0, 1, 6]) {
    const f = batchFrame(clock, 5, [u1, u2, skip], level, 64);
    assert.equal(frameType(f), FRAME_TYPES.batch);
    assert.equal((f[5]! & 1) === 1, level > 0, `compressed flag at level ${level}`);
    const d = decodeFrame(f);
    assert.ok(d.t === 'batch');
    assert.equal(d.units.length, 3);
    assert.deepEqual(d.units[0]!.effects.map((x) => x.seq), [1, 2]);
    assert.equal(d.units[1]!.effects[0]!.key, 'x'.repeat(300));
    assert.deepEqual(d.units[2]!.skip, { first: 4, last: 9 });
    assert.equal(d.units[2]!.origin, 3);
    // Relayed bytes are exactly the unit's encoding.
    assert.ok(d.units[0]!.bytes.equals(u1));
  }
});

test('a batch unit must be consecutive effects of one origin', () => {
  const bad = encodeUnit([effectToBuffer(setEffect(1, 1, 'k', 'a')), effectToBuffer(setEffect(2, 2, 'k', 'b'))]);
  assert.throws(() => decodeFrame(batchFrame(clock, 0, [bad], 0, 0)), FrameError);
  const gap = encodeUnit([effectToBuffer(setEffect(1, 1, 'k', 'a')), effectToBuffer(setEffect(1, 3, 'k', 'b'))]);
  assert.throws(() => decodeFrame(batchFrame(clock, 0, [gap], 0, 0)), FrameError);
});

test('full-sync chunks keep records encoded until decoded', () => {
  const r = new KeyRecord('string');
  KeyType.apply(r, [{ k: 'str', e: { t: 'set', v: 'hello', obs: null } }], { origin: 1, seq: 1, ts: 10 });
  const w = new BinaryWriter();
  w.str('greeting');
  KeyType.encode(r, w);
  const f = decodeFrame(fullSyncChunkFrame(1, w.finish(), 6, 1));
  assert.ok(f.t === 'fullsync-chunk' && f.count === 1);
  const out: [string, KeyRecord][] = [];
  decodeChunkRecords(f.count, f.records, (k, rec) => out.push([k, rec]));
  assert.equal(out[0]![0], 'greeting');
  assert.ok(KeyType.equal(out[0]![1], r));
});

test('malformed frames are refused with FrameError', () => {
  assert.throws(() => decodeFrame(Buffer.from([0, 0, 0, 2, 99, 0])), FrameError);
  const f = ackFrame(clock);
  assert.throws(() => decodeFrame(f.subarray(0, f.length - 1)), FrameError);
  const corrupt = Buffer.from(f);
  corrupt[5] = 1; // claims compression it does not have
  assert.throws(() => decodeFrame(corrupt), FrameError);
});

test('the stream decoder splits frames at any chunk boundary', () => {
  const frames = [ackFrame(clock), flowFrame(false), batchFrame(clock, 1, [encodeUnit([effectToBuffer(setEffect(1, 1, 'k', 'v'.repeat(500)))])], 1, 10), probeFrame(3)];
  const all = Buffer.concat(frames);
  for (let cut = 1; cut < 40; cut++) {
    const dec = new FrameDecoder();
    const got: Buffer[] = [];
    for (let i = 0; i < all.length; i += cut) dec.push(all.subarray(i, Math.min(all.length, i + cut)), (f) => got.push(Buffer.from(f)));
    assert.equal(got.length, frames.length, `cut ${cut}`);
    got.forEach((g, i) => assert.ok(g.equals(frames[i]!)));
    assert.equal(dec.pendingBytes, 0);
  }
  assert.throws(() => new FrameDecoder().push(Buffer.from([0xff, 0xff, 0xff, 0xff]), () => undefined), FrameError);
});
