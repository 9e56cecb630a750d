/**
 * The record framing shared by the effect log and snapshot files (docs/persistence.md):
 *
 *     u32le length · u32le crc32 · u8 type · payload[length - 1]
 *
 * `length` counts the type byte and the payload; the CRC covers the same bytes. A reader walks a
 * file record by record and classifies the first bad one:
 * - `torn`: the file ends inside it (its header or body runs past the end), or it is the last
 *   record and its checksum fails, or everything from it to the end is zero bytes (a
 *   preallocated or partly written tail) — what a crash in the middle of an append leaves;
 * - `corrupt`: a bad record with more data after it — damage in the middle, never a crash.
 */
import { crc32 } from './crc32.js';

export const HEADER_BYTES = 9;
/** The largest record a reader accepts (a bigger length field is damage, not data). */
export const MAX_RECORD_BYTES = 1 << 30;

/** One framed record: header and body in one buffer. */
export function frameRecord(type: number, payload: Uint8Array): Buffer {
  const b = Buffer.allocUnsafe(HEADER_BYTES + payload.length);
  b.writeUInt32LE(payload.length + 1, 0);
  b[8] = type;
  b.set(payload, HEADER_BYTES);
  b.writeUInt32LE(crc32(b.subarray(8)), 4);
  return b;
}

export interface ScannedRecord {
  readonly type: number;
  readonly payload: Buffer;
  /** Offset of the record's header in the scanned buffer. */
  readonly offset: number;
}

export type ScanEnd =
  | { readonly kind: 'clean' }
  | { readonly kind: 'torn'; readonly offset: number; readonly reason: string }
  | { readonly kind: 'corrupt'; readonly offset: number; readonly reason: string };

export interface ScanResult {
  readonly records: ScannedRecord[];
  /** End of the last good record: where a repair truncates. */
  readonly goodEnd: number;
  readonly end: ScanEnd;
}

function allZero(b: Buffer, from: number): boolean {
  for (let i = from; i < b.length; i++) if (b[i] !== 0) return false;
  return true;
}

/** Reads every good record of `buf` and says how (and where) the good part ends. */
export function scanRecords(buf: Buffer): ScanResult {
  const records: ScannedRecord[] = [];
  let pos = 0;
  const stop = (kind: 'torn' | 'corrupt', reason: string): ScanResult => {
    // A zero-filled remainder is a tail that was never written, whatever its length.
    if (kind === 'corrupt' && allZero(buf, pos)) kind = 'torn';
    return { records, goodEnd: pos, end: { kind, offset: pos, reason } };
  };
  while (pos < buf.length) {
    if (buf.length - pos < HEADER_BYTES) return stop('torn', `${buf.length - pos} bytes of a record header at the end`);
    const len = buf.readUInt32LE(pos);
    if (len < 1 || len > MAX_RECORD_BYTES) return stop('corrupt', `impossible record length ${len}`);
    const end = pos + 8 + len;
    if (end > buf.length) return stop('torn', `record of ${len} bytes cut off by the end of the file`);
    const body = buf.subarray(pos + 8, end);
    if (crc32(body) !== buf.readUInt32LE(pos + 4)) return stop(end === buf.length ? 'torn' : 'corrupt', 'checksum mismatch');
    records.push({ type: body[0]!, payload: body.subarray(1), offset: pos });
    pos = end;
  }
  return { records, goodEnd: pos, end: { kind: 'clean' } };
}
