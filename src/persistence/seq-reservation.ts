/**
 * The sequence reservation (docs/persistence.md, "Sequence numbers"): before this instance hands
 * out sequence number n, a high-water mark ≥ n is durable on disk. After a crash it therefore
 * knows every number it may have handed out, even those its log lost.
 *
 * File `seq-reservation`: two 16-byte slots, each u64le mark · u32le instance id · u32le crc32
 * of the first 12 bytes. A new mark overwrites the slot holding the older one and is fsynced, so
 * a torn write leaves the other slot intact.
 */
import fs from 'node:fs';
import { join } from 'node:path';
import { crc32 } from './crc32.js';
import { fsyncDir } from './snapshot-file.js';

export const RESERVATION_FILE = 'seq-reservation';
const SLOT = 16;

function encodeSlot(mark: number, instanceId: number): Buffer {
  const b = Buffer.alloc(SLOT);
  b.writeBigUInt64LE(BigInt(mark), 0);
  b.writeUInt32LE(instanceId, 8);
  b.writeUInt32LE(crc32(b.subarray(0, 12)), 12);
  return b;
}

function decodeSlot(b: Buffer, instanceId: number): number | null {
  if (b.length < SLOT || crc32(b.subarray(0, 12)) !== b.readUInt32LE(12)) return null;
  if (b.readUInt32LE(8) !== instanceId) return null;
  return Number(b.readBigUInt64LE(0));
}

/** The durable mark in `dir`, or null when there is none (file missing or both slots bad). */
export function readReservation(dir: string, instanceId: number): number | null {
  let b: Buffer;
  try {
    b = fs.readFileSync(join(dir, RESERVATION_FILE));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  const a = decodeSlot(b.subarray(0, SLOT), instanceId);
  const c = decodeSlot(b.subarray(SLOT, 2 * SLOT), instanceId);
  if (a === null && c === null) return null;
  return Math.max(a ?? 0, c ?? 0);
}

export class SeqReservation {
  private fd: number;
  private slots: [number, number];
  /** The durable high-water mark. */
  mark: number;
  /** Times a new block was reserved (INFO). */
  reservations = 0;

  constructor(
    dir: string,
    private readonly instanceId: number,
    /** Sequence numbers reserved at a time: one fsync per block. */
    readonly block: number,
  ) {
    const path = join(dir, RESERVATION_FILE);
    const existed = fs.existsSync(path);
    this.fd = fs.openSync(path, existed ? 'r+' : 'w+');
    const b = Buffer.alloc(2 * SLOT);
    fs.readSync(this.fd, b, 0, 2 * SLOT, 0);
    this.slots = [decodeSlot(b.subarray(0, SLOT), instanceId) ?? 0, decodeSlot(b.subarray(SLOT), instanceId) ?? 0];
    this.mark = Math.max(...this.slots);
    if (!existed) {
      fs.fsyncSync(this.fd);
      fsyncDir(dir);
    }
  }

  /** Makes sure `seq` is covered by the durable mark (fsyncs a new one when it is not). */
  cover(seq: number): void {
    if (seq <= this.mark) return;
    this.set(seq + this.block - 1);
  }

  /** Writes and fsyncs `mark` (never lowers it). */
  set(mark: number): void {
    if (mark <= this.mark) return;
    const i = this.slots[0] <= this.slots[1] ? 0 : 1;
    fs.writeSync(this.fd, encodeSlot(mark, this.instanceId), 0, SLOT, i * SLOT);
    fs.fdatasyncSync(this.fd);
    this.slots[i] = mark;
    this.mark = mark;
    this.reservations++;
  }

  /**
   * Sets the mark to exactly `mark`, lower or not, in both slots: after a clean shutdown, when
   * every number up to `mark` is durable in the data files and none above it was handed out.
   */
  settle(mark: number): void {
    const b = encodeSlot(mark, this.instanceId);
    fs.writeSync(this.fd, Buffer.concat([b, b]), 0, 2 * SLOT, 0);
    fs.fdatasyncSync(this.fd);
    this.slots = [mark, mark];
    this.mark = mark;
  }

  close(): void {
    if (this.fd >= 0) fs.closeSync(this.fd);
    this.fd = -1;
  }
}
