/**
 * The binary frames a replication link carries after the handshake, both ways.
 *
 *   frame := u32be length | u8 type | u8 flags | body        (length counts type+flags+body)
 *   flags bit 0: body is deflate-raw compressed (node:zlib), decided per frame by its sender
 *
 * Bodies use the varint encoding of crdt/binary.ts. A batch carries backlog units verbatim: a
 * unit is the effects of one atomic unit (one command or transaction) of one origin, encoded
 * once when it was committed (`uint count, effect…`), and the same bytes serve the backlog and
 * every destination (DESIGN §8).
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { BinaryReader, BinaryWriter } from '../crdt/binary.js';
import type { KeyRecord } from '../crdt/key.js';
import { KeyType } from '../crdt/key.js';
import { VectorClock } from '../crdt/vector-clock.js';
import type { Effect } from '../engine/effect.js';
import { decodeEffect } from '../engine/effect.js';

export const FRAME_TYPES = {
  // source → destination
  batch: 1,
  fullSyncBegin: 2,
  fullSyncChunk: 3,
  fullSyncEnd: 4,
  heartbeat: 5,
  probeReply: 6,
  publish: 7,
  // destination → source
  ack: 10,
  flow: 11,
  probe: 12,
} as const;

const COMPRESSED = 1;
/** Refuse frames announcing more than this: a corrupt length must not make us buffer forever. */
export const MAX_FRAME_BYTES = 1024 * 1024 * 1024;

export interface DecodedUnit {
  readonly origin: number;
  readonly effects: Effect[];
  /** For a skip unit (no effects): the sequences of `origin` it declares lost. */
  readonly skip: { readonly first: number; readonly last: number } | null;
  /** The unit's encoded form, for relaying it unchanged. */
  readonly bytes: Buffer;
}

export type Frame =
  | { readonly t: 'batch'; readonly clock: VectorClock; readonly sentAt: number; readonly units: DecodedUnit[] }
  | { readonly t: 'fullsync-begin'; readonly clock: VectorClock; readonly hlc: number; readonly records: number }
  /** Records stay encoded (`key, KeyType state` pairs) until the full sync ends. */
  | { readonly t: 'fullsync-chunk'; readonly count: number; readonly records: Buffer }
  | { readonly t: 'fullsync-end'; readonly clock: VectorClock; readonly records: number }
  | { readonly t: 'heartbeat'; readonly clock: VectorClock; readonly sentAt: number }
  | { readonly t: 'probe-reply'; readonly token: number; readonly clock: VectorClock }
  | { readonly t: 'publish'; readonly messages: PubMessage[] }
  | { readonly t: 'ack'; readonly clock: VectorClock }
  | { readonly t: 'flow'; readonly paused: boolean }
  | { readonly t: 'probe'; readonly token: number };

export class FrameError extends Error {}

/** A pub/sub message published on the sending instance (PUBLISH, or SPUBLISH when `shard`). */
export interface PubMessage {
  readonly channel: string;
  readonly message: string;
  readonly shard: boolean;
}

export function writeClock(w: BinaryWriter, c: VectorClock): void {
  const entries = [...c];
  w.uint(entries.length);
  for (const [o, s] of entries) w.uint(o).uint(s);
}

export function readClock(r: BinaryReader): VectorClock {
  const c = new VectorClock();
  for (let n = r.uint(); n > 0; n--) c.set(r.uint(), r.uint());
  return c;
}

/** Wraps a body into a frame, compressing it when `level` > 0 and it is at least `minBytes`. */
export function frame(type: number, body: Buffer | readonly Buffer[], level = 0, minBytes = Infinity): Buffer {
  let b = Buffer.isBuffer(body) ? body : Buffer.concat(body as Buffer[]);
  let flags = 0;
  if (level > 0 && b.length >= minBytes) {
    const z = deflateRawSync(b, { level });
    // Incompressible bodies (already-compressed values) go out as they are.
    if (z.length < b.length) {
      b = z;
      flags |= COMPRESSED;
    }
  }
  const head = Buffer.allocUnsafe(6);
  head.writeUInt32BE(b.length + 2, 0);
  head[4] = type;
  head[5] = flags;
  return Buffer.concat([head, b]);
}

/** Effects of one atomic unit, encoded as a backlog unit: `uint count (> 0), effect…`. */
export function encodeUnit(effects: readonly Buffer[]): Buffer {
  const w = new BinaryWriter(8);
  w.uint(effects.length);
  return Buffer.concat([w.finish(), ...effects]);
}

/**
 * A skip unit, `uint 0, origin, first, last`: sequences first..last of `origin` were never
 * issued or were lost with a crash, and count as applied. An instance that restarts continues
 * numbering after a persisted high-water mark (it never reuses a sequence, DESIGN §4); without
 * this unit a destination could not tell a hole from effects still to come.
 */
export function encodeSkipUnit(origin: number, first: number, last: number): Buffer {
  return new BinaryWriter(16).uint(0).uint(origin).uint(first).uint(last).finish();
}

export function batchFrame(clock: VectorClock, sentAt: number, units: readonly Buffer[], level: number, minBytes: number): Buffer {
  const w = new BinaryWriter(64);
  writeClock(w, clock);
  w.uint(sentAt).uint(units.length);
  return frame(FRAME_TYPES.batch, [w.finish(), ...units], level, minBytes);
}

export function fullSyncBeginFrame(clock: VectorClock, hlc: number, records: number): Buffer {
  const w = new BinaryWriter(64);
  writeClock(w, clock);
  w.uint(hlc).uint(records);
  return frame(FRAME_TYPES.fullSyncBegin, w.finish());
}

/** A chunk of `count` records already encoded as `key, KeyType state` pairs. */
export function fullSyncChunkFrame(count: number, records: Buffer, level: number, minBytes: number): Buffer {
  return frame(FRAME_TYPES.fullSyncChunk, [new BinaryWriter(8).uint(count).finish(), records], level, minBytes);
}

export function fullSyncEndFrame(clock: VectorClock, records: number): Buffer {
  const w = new BinaryWriter(64);
  writeClock(w, clock);
  w.uint(records);
  return frame(FRAME_TYPES.fullSyncEnd, w.finish());
}

export function heartbeatFrame(clock: VectorClock, sentAt: number): Buffer {
  const w = new BinaryWriter(64);
  writeClock(w, clock);
  w.uint(sentAt);
  return frame(FRAME_TYPES.heartbeat, w.finish());
}

export function probeReplyFrame(token: number, clock: VectorClock): Buffer {
  const w = new BinaryWriter(64);
  w.uint(token);
  writeClock(w, clock);
  return frame(FRAME_TYPES.probeReply, w.finish());
}

/** One message of a PUBLISH frame, encoded once and queued for every destination. */
export function encodePubMessage(m: PubMessage): Buffer {
  return new BinaryWriter(m.channel.length + m.message.length + 12).str(m.channel).str(m.message).u8(m.shard ? 1 : 0).finish();
}

/** A PUBLISH frame: `n, n × (channel, message, u8 shard)`, messages already encoded. */
export function publishFrame(messages: readonly Buffer[], level: number, minBytes: number): Buffer {
  return frame(FRAME_TYPES.publish, [new BinaryWriter(8).uint(messages.length).finish(), ...messages], level, minBytes);
}

export function ackFrame(clock: VectorClock): Buffer {
  const w = new BinaryWriter(64);
  writeClock(w, clock);
  return frame(FRAME_TYPES.ack, w.finish());
}

export function flowFrame(paused: boolean): Buffer {
  return frame(FRAME_TYPES.flow, Buffer.from([paused ? 1 : 0]));
}

export function probeFrame(token: number): Buffer {
  return frame(FRAME_TYPES.probe, new BinaryWriter(8).uint(token).finish());
}

/** Decodes the records of a full-sync chunk (calls `each` per record, in order). */
export function decodeChunkRecords(count: number, records: Buffer, each: (key: string, rec: KeyRecord) => void): void {
  const r = new BinaryReader(records);
  for (let i = 0; i < count; i++) {
    const key = r.str();
    each(key, KeyType.decode(r));
  }
  if (!r.done) throw new FrameError('full-sync chunk has trailing bytes');
}

/** The frame type of an encoded frame (without decoding its body). */
export function frameType(buf: Buffer): number {
  return buf[4]!;
}

/** Decodes one whole frame (length prefix included). Throws FrameError when malformed. */
export function decodeFrame(buf: Buffer): Frame {
  if (buf.length < 6 || buf.readUInt32BE(0) !== buf.length - 4) throw new FrameError('frame length does not match its prefix');
  const type = buf[4]!;
  let body = buf.subarray(6);
  if ((buf[5]! & COMPRESSED) !== 0) {
    try {
      body = inflateRawSync(body);
    } catch (e) {
      throw new FrameError(`cannot decompress frame: ${(e as Error).message}`);
    }
  }
  const r = new BinaryReader(body);
  try {
    const f = decodeBody(type, r, body);
    if (!r.done) throw new FrameError(`frame type ${type} has ${body.length - r.pos} trailing bytes`);
    return f;
  } catch (e) {
    if (e instanceof FrameError) throw e;
    throw new FrameError(`malformed frame type ${type}: ${(e as Error).message}`);
  }
}

function decodeBody(type: number, r: BinaryReader, body: Buffer): Frame {
  switch (type) {
    case FRAME_TYPES.batch: {
      const clock = readClock(r);
      const sentAt = r.uint();
      const units: DecodedUnit[] = [];
      for (let n = r.uint(); n > 0; n--) {
        const start = r.pos;
        const count = r.uint();
        if (count === 0) {
          const origin = r.uint();
          const first = r.uint();
          const last = r.uint();
          if (first < 1 || last < first) throw new FrameError(`skip unit ${origin}:${first}..${last} is empty`);
          units.push({ origin, effects: [], skip: { first, last }, bytes: body.subarray(start, r.pos) });
          continue;
        }
        const effects: Effect[] = [];
        for (let k = count; k > 0; k--) effects.push(decodeEffect(r));
        const origin = effects[0]!.origin;
        for (let i = 1; i < effects.length; i++) {
          if (effects[i]!.origin !== origin || effects[i]!.seq !== effects[i - 1]!.seq + 1) throw new FrameError('unit is not consecutive effects of one origin');
        }
        units.push({ origin, effects, skip: null, bytes: body.subarray(start, r.pos) });
      }
      return { t: 'batch', clock, sentAt, units };
    }
    case FRAME_TYPES.fullSyncBegin: {
      const clock = readClock(r);
      return { t: 'fullsync-begin', clock, hlc: r.uint(), records: r.uint() };
    }
    case FRAME_TYPES.fullSyncChunk: {
      const count = r.uint();
      const records = body.subarray(r.pos);
      r.pos = body.length;
      return { t: 'fullsync-chunk', count, records };
    }
    case FRAME_TYPES.fullSyncEnd: {
      const clock = readClock(r);
      return { t: 'fullsync-end', clock, records: r.uint() };
    }
    case FRAME_TYPES.heartbeat: {
      const clock = readClock(r);
      return { t: 'heartbeat', clock, sentAt: r.uint() };
    }
    case FRAME_TYPES.probeReply: {
      const token = r.uint();
      return { t: 'probe-reply', token, clock: readClock(r) };
    }
    case FRAME_TYPES.publish: {
      const messages: PubMessage[] = [];
      for (let n = r.uint(); n > 0; n--) {
        const channel = r.str();
        const message = r.str();
        const shard = r.u8();
        if (shard > 1) throw new FrameError(`published message has shard flag ${shard}`);
        messages.push({ channel, message, shard: shard === 1 });
      }
      return { t: 'publish', messages };
    }
    case FRAME_TYPES.ack:
      return { t: 'ack', clock: readClock(r) };
    case FRAME_TYPES.flow:
      return { t: 'flow', paused: r.u8() === 1 };
    case FRAME_TYPES.probe:
      return { t: 'probe', token: r.uint() };
    default:
      throw new FrameError(`unknown frame type ${type}`);
  }
}

/**
 * Splits a byte stream into whole frames. Chunks are kept as received and joined only once a
 * whole frame is there, so a large full-sync chunk arriving in many reads is joined once.
 */
export class FrameDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;

  /** Calls onFrame for every complete frame; throws FrameError on an impossible length. */
  push(chunk: Buffer, onFrame: (frame: Buffer) => void): void {
    if (chunk.length > 0) {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
    }
    while (this.buffered >= 4) {
      const head = this.chunks[0]!.length >= 4 ? this.chunks[0]! : this.join();
      const len = head.readUInt32BE(0);
      if (len < 2 || len > MAX_FRAME_BYTES) throw new FrameError(`impossible frame length ${len}`);
      const total = len + 4;
      if (this.buffered < total) return;
      const all = this.chunks.length === 1 ? this.chunks[0]! : this.join();
      const f = all.subarray(0, total);
      const rest = all.subarray(total);
      this.chunks = rest.length > 0 ? [rest] : [];
      this.buffered = rest.length;
      onFrame(f);
    }
  }

  get pendingBytes(): number {
    return this.buffered;
  }

  private join(): Buffer {
    const b = Buffer.concat(this.chunks, this.buffered);
    this.chunks = [b];
    return b;
  }
}
