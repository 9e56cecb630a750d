/**
 * Compact binary encoding shared by CRDT states and effects (snapshots, replication, the log).
 * Unsigned varints (LEB128) for counts and sequence numbers, zig-zag for signed integers,
 * length-prefixed latin1 strings (keys and values are binary-safe latin1 strings in memory).
 */
import type { Dyadic } from './dyadic.js';
import { normalize } from './dyadic.js';

export class BinaryWriter {
  private buf: Buffer;
  private pos = 0;

  constructor(initial = 256) {
    this.buf = Buffer.allocUnsafe(initial);
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  u8(v: number): this {
    this.ensure(1);
    this.buf[this.pos++] = v;
    return this;
  }

  /** Unsigned integer up to 2^53. */
  uint(v: number): this {
    this.ensure(10);
    while (v >= 0x80) {
      this.buf[this.pos++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.pos++] = v;
    return this;
  }

  /** Signed integer up to ±2^52, zig-zag encoded. */
  int(v: number): this {
    return this.uint(v < 0 ? -v * 2 - 1 : v * 2);
  }

  f64(v: number): this {
    this.ensure(8);
    this.buf.writeDoubleLE(v, this.pos);
    this.pos += 8;
    return this;
  }

  bigint(v: bigint): this {
    const neg = v < 0n;
    let mag = neg ? -v : v;
    const bytes: number[] = [];
    while (mag > 0n) {
      bytes.push(Number(mag & 0xffn));
      mag >>= 8n;
    }
    this.uint(bytes.length * 2 + (neg ? 1 : 0));
    this.ensure(bytes.length);
    for (const b of bytes) this.buf[this.pos++] = b;
    return this;
  }

  dyadic(v: Dyadic): this {
    this.bigint(v.m);
    return this.uint(-v.e);
  }

  str(s: string): this {
    const n = s.length;
    this.uint(n);
    this.ensure(n);
    this.buf.write(s, this.pos, n, 'latin1');
    this.pos += n;
    return this;
  }

  bytes(b: Uint8Array): this {
    this.uint(b.length);
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
    return this;
  }

  get length(): number {
    return this.pos;
  }

  /** A copy of what was written (the writer may be reused after `reset`). */
  finish(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.pos));
  }

  reset(): void {
    this.pos = 0;
  }
}

export class BinaryReader {
  pos = 0;

  constructor(private readonly buf: Uint8Array) {}

  get done(): boolean {
    return this.pos >= this.buf.length;
  }

  private need(n: number): void {
    if (this.pos + n > this.buf.length) throw new RangeError('binary data truncated');
  }

  u8(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }

  uint(): number {
    let result = 0;
    let mul = 1;
    for (;;) {
      const b = this.u8();
      result += (b & 0x7f) * mul;
      if (b < 0x80) return result;
      mul *= 0x80;
      if (mul > 2 ** 56) throw new RangeError('varint too long');
    }
  }

  int(): number {
    const z = this.uint();
    return z % 2 === 1 ? -(z + 1) / 2 : z / 2;
  }

  f64(): number {
    this.need(8);
    const v = Buffer.from(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength).readDoubleLE(this.pos);
    this.pos += 8;
    return v;
  }

  bigint(): bigint {
    const h = this.uint();
    const n = Math.floor(h / 2);
    this.need(n);
    let v = 0n;
    for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(this.buf[this.pos + i]!);
    this.pos += n;
    return h % 2 === 1 ? -v : v;
  }

  dyadic(): Dyadic {
    const m = this.bigint();
    return normalize(m, -this.uint());
  }

  str(): string {
    const n = this.uint();
    this.need(n);
    const s = Buffer.from(this.buf.buffer, this.buf.byteOffset + this.pos, n).toString('latin1');
    this.pos += n;
    return s;
  }

  bytes(): Buffer {
    const n = this.uint();
    this.need(n);
    const b = Buffer.from(this.buf.subarray(this.pos, this.pos + n));
    this.pos += n;
    return b;
  }
}
