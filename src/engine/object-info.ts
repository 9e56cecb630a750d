/**
 * What OBJECT ENCODING / REFCOUNT / IDLETIME report. Redis answers from its object internals:
 * how the value was written decides the encoding (SET tries `int`/`embstr`, APPEND makes `raw`,
 * INCRBYFLOAT makes a fresh `embstr`), integers 0..9999 written by SET or INCR are shared objects
 * (refcount INT_MAX, created at start-up, so their idle time counts from start-up), and COPY
 * duplicates without sharing. Tandem keeps a 3-bit note of the write path next to the access
 * time, in the record's `lru` field, and derives the same answers.
 *
 * `lru` = seconds since the database started × 8 + class bits: a small integer V8 stores
 * unboxed while the database's `epoch` is its start time.
 *
 * Shared integers have one access time each, for every key holding them: Redis's lookups touch
 * the shared object itself. `SharedIntegerClock` keeps those.
 */
import type { KeyRecord } from '../crdt/key.js';
import { parseInteger } from './numbers.js';
import { stringValue } from './string-access.js';

/** Written through tryObjectEncoding (SET, MSET, GETSET, INCR …): int / embstr / raw, may share. */
export const ENC_AUTO = 0;
/** Modified in place (APPEND, SETRANGE, SETBIT …): raw. */
export const ENC_RAW = 1;
/** A fresh string object (INCRBYFLOAT): embstr when short, never int. */
export const ENC_FRESH = 2;
/** Bit set on copies (COPY): same encoding, never a shared object. */
export const ENC_NOSHARE = 4;

const SHARED_INTEGERS = 10000;

function bits(r: KeyRecord): number {
  return r.lru % 8;
}

function accessed(r: KeyRecord): number {
  return Math.floor(r.lru / 8);
}

/** Access times of the shared integers 0..9999, in seconds since the epoch (0 = start-up). */
export class SharedIntegerClock {
  private readonly times = new Int32Array(SHARED_INTEGERS);
  touch(n: number, rel: number): void {
    this.times[n] = rel;
  }
  get(n: number): number {
    return this.times[n]!;
  }
}

/** The shared integer a record holds, or -1 (fast for the plain short strings of the hot path). */
function sharedIntegerOf(r: KeyRecord, value: string | null): number {
  if (bits(r) !== ENC_AUTO) return -1;
  const v = value ?? (r.type !== 'string' ? null : r.x === null ? r.v : stringValue(r));
  if (v === null || v.length === 0 || v.length > 4) return -1;
  let n = 0;
  for (let i = 0; i < v.length; i++) {
    const d = v.charCodeAt(i) - 48;
    if (d < 0 || d > 9 || (i === 0 && d === 0 && v.length > 1)) return -1;
    n = n * 10 + d;
  }
  return n;
}

export function touch(r: KeyRecord, nowMs: number, epochMs: number, shared?: SharedIntegerClock): void {
  const rel = Math.max(0, Math.floor((nowMs - epochMs) / 1000));
  if (shared !== undefined) {
    const n = sharedIntegerOf(r, null);
    if (n >= 0) {
      shared.touch(n, rel);
      return;
    }
  }
  r.lru = rel * 8 + bits(r);
}

export function setEncodingClass(r: KeyRecord, cls: number): void {
  r.lru = accessed(r) * 8 + cls;
}

export function encodingClass(r: KeyRecord): number {
  return bits(r);
}

function isSharedInteger(r: KeyRecord, value: string): boolean {
  return sharedIntegerOf(r, value) >= 0;
}

export function stringEncoding(r: KeyRecord, value: string): string {
  const kind = bits(r) & 3;
  if (kind === ENC_RAW) return 'raw';
  if (kind === ENC_AUTO && value.length <= 20 && parseInteger(value) !== null) return 'int';
  return value.length <= 44 ? 'embstr' : 'raw';
}

export function stringRefcount(r: KeyRecord, value: string): number {
  return isSharedInteger(r, value) ? 2147483647 : 1;
}

export function idleSeconds(r: KeyRecord, value: string | null, nowMs: number, epochMs: number, shared: SharedIntegerClock): number {
  const nowRel = Math.floor((nowMs - epochMs) / 1000);
  const n = value === null ? -1 : sharedIntegerOf(r, value);
  if (n >= 0) return Math.max(0, nowRel - shared.get(n));
  return Math.max(0, nowRel - accessed(r));
}
