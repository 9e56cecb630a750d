/**
 * What the effect log and snapshot files contain (docs/persistence.md has the layout).
 *
 * Log segment `appendonly-<gen>.tlog`: a HEADER record, then one record per change to the
 * state, in the order the database applied them — EFFECT (a local write or a remote effect, the
 * same binary form replication uses), JOIN (a record joined by a full sync), RAISE (the clock and
 * hybrid-logical-clock high-water mark a full sync brought), ADVANCE (an origin's clock moved
 * over sequences declared lost — skip units, restoreSeq).
 *
 * Snapshot `snapshot-<gen>.tsnap`: HEADER, META (the clocks), DATA records (key + record
 * batches), END (record count). A snapshot without its END record is incomplete and never used.
 * Snapshot `gen` is the state just before log segment `gen` starts.
 */
import { BinaryReader, BinaryWriter } from '../crdt/binary.js';
import type { KeyRecord } from '../crdt/key.js';
import { KeyType } from '../crdt/key.js';
import type { VectorClock } from '../crdt/vector-clock.js';
import type { Effect } from '../engine/effect.js';
import { decodeEffect, encodeEffect } from '../engine/effect.js';
import { readClock, writeClock } from '../replication/frames.js';
import { frameRecord } from './records.js';

export const FORMAT_VERSION = 1;

export const enum Rec {
  Header = 0,
  Effect = 1,
  Join = 2,
  Raise = 3,
  Advance = 4,
  Meta = 10,
  Data = 11,
  End = 12,
}

export type FileKind = 'log' | 'snapshot';

export interface FileHeader {
  readonly version: number;
  readonly kind: FileKind;
  readonly instanceId: number;
  readonly gen: number;
}

export function logName(gen: number): string {
  return `appendonly-${gen}.tlog`;
}

export function snapshotName(gen: number): string {
  return `snapshot-${gen}.tsnap`;
}

/** Parses a data file name: its kind and generation, or null for other files. */
export function parseName(name: string): { kind: FileKind; gen: number } | null {
  const m = /^(appendonly|snapshot)-(\d{1,15})\.(tlog|tsnap)$/.exec(name);
  if (m === null || (m[1] === 'appendonly') !== (m[3] === 'tlog')) return null;
  return { kind: m[1] === 'appendonly' ? 'log' : 'snapshot', gen: Number(m[2]) };
}

export function headerRecord(h: FileHeader): Buffer {
  const w = new BinaryWriter(32);
  w.str('TANDEM').uint(h.version).u8(h.kind === 'log' ? 0 : 1).uint(h.instanceId).uint(h.gen);
  return frameRecord(Rec.Header, w.finish());
}

export function decodeHeader(payload: Buffer): FileHeader {
  const r = new BinaryReader(payload);
  if (r.str() !== 'TANDEM') throw new Error('not a Tandem data file');
  const version = r.uint();
  const kind = r.u8() === 0 ? 'log' : 'snapshot';
  return { version, kind, instanceId: r.uint(), gen: r.uint() };
}

export function effectRecord(e: Effect): Buffer {
  const w = new BinaryWriter(64);
  encodeEffect(e, w);
  return frameRecord(Rec.Effect, w.finish());
}

export function joinRecord(key: string, rec: KeyRecord): Buffer {
  const w = new BinaryWriter(64);
  w.str(key);
  KeyType.encode(rec, w);
  return frameRecord(Rec.Join, w.finish());
}

export function raiseRecord(clock: VectorClock, hlc: number): Buffer {
  const w = new BinaryWriter(64);
  writeClock(w, clock);
  w.uint(hlc);
  return frameRecord(Rec.Raise, w.finish());
}

export function advanceRecord(origin: number, seq: number): Buffer {
  return frameRecord(Rec.Advance, new BinaryWriter(16).uint(origin).uint(seq).finish());
}

/** One decoded change of a log segment. */
export type LogEntry =
  | { readonly t: 'effect'; readonly e: Effect }
  | { readonly t: 'join'; readonly key: string; readonly rec: KeyRecord }
  | { readonly t: 'raise'; readonly clock: VectorClock; readonly hlc: number }
  | { readonly t: 'advance'; readonly origin: number; readonly seq: number };

/** Decodes a log record's payload; throws on a payload that does not parse. */
export function decodeLogEntry(type: number, payload: Buffer): LogEntry {
  const r = new BinaryReader(payload);
  switch (type) {
    case Rec.Effect:
      return { t: 'effect', e: decodeEffect(r) };
    case Rec.Join: {
      const key = r.str();
      return { t: 'join', key, rec: KeyType.decode(r) };
    }
    case Rec.Raise: {
      const clock = readClock(r);
      return { t: 'raise', clock, hlc: r.uint() };
    }
    case Rec.Advance: {
      const origin = r.uint();
      return { t: 'advance', origin, seq: r.uint() };
    }
    default:
      throw new Error(`unknown log record type ${type}`);
  }
}

/** What a snapshot says besides its records. */
export interface SnapshotMeta {
  /** The vector clock of the state (every effect it contains). */
  readonly clock: VectorClock;
  /** Hybrid-logical-clock high-water mark at the snapshot. */
  readonly hlc: number;
  /** Unix ms when the snapshot was opened. */
  readonly savedAt: number;
}

export function metaRecord(m: SnapshotMeta): Buffer {
  const w = new BinaryWriter(64);
  writeClock(w, m.clock);
  w.uint(m.hlc).uint(m.savedAt);
  return frameRecord(Rec.Meta, w.finish());
}

export function decodeMeta(payload: Buffer): SnapshotMeta {
  const r = new BinaryReader(payload);
  const clock = readClock(r);
  const hlc = r.uint();
  return { clock, hlc, savedAt: r.uint() };
}

export function endRecord(count: number): Buffer {
  return frameRecord(Rec.End, new BinaryWriter(16).uint(count).finish());
}

export function decodeEnd(payload: Buffer): number {
  return new BinaryReader(payload).uint();
}

/** Decodes the (key, record) pairs of one DATA record. */
export function decodeData(payload: Buffer, each: (key: string, rec: KeyRecord) => void): number {
  const r = new BinaryReader(payload);
  let n = 0;
  for (let count = r.uint(); count > 0; count--) {
    const key = r.str();
    each(key, KeyType.decode(r));
    n++;
  }
  if (!r.done) throw new Error('trailing bytes in a snapshot data record');
  return n;
}
