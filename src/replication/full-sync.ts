/**
 * Full sync (reference §1.3): when a destination cannot resume from the backlog, the source
 * streams a consistent snapshot of its state at one vector clock V0 (engine/snapshot.ts), in
 * chunks small enough never to hold its event loop for long; the destination joins every record
 * into its own state, raises its clock to max(own, V0), and streaming continues from V0.
 *
 * The destination stages the chunks (still encoded) and joins them all in one step when the END
 * frame arrives. Why not join chunk by chunk: effects keep arriving from other links meanwhile,
 * and one covered by V0 that reaches a record already joined would be applied twice (counter
 * increments are not idempotent). Per-key filters can prevent that, but when such a sync is
 * interrupted the joined records keep effects the clock does not account for, and if the source
 * then loses them in a crash those records hold effects no other instance will ever get — the
 * copies diverge. Joining at END keeps the invariant that an instance's state is exactly the
 * effects its clock covers, so an interrupted sync leaves nothing behind, and effects applied
 * after the join are exactly those its clock does not cover. The price is memory for the encoded
 * snapshot and one synchronous join (measured in docs/replication-protocol.md).
 */
import { BinaryWriter } from '../crdt/binary.js';
import type { KeyRecord } from '../crdt/key.js';
import { KeyType } from '../crdt/key.js';
import type { VectorClock } from '../crdt/vector-clock.js';
import type { Database } from '../engine/database.js';
import type { Snapshot } from '../engine/snapshot.js';
import { decodeChunkRecords, fullSyncBeginFrame, fullSyncChunkFrame, fullSyncEndFrame } from './frames.js';

/** The source side of one full sync: BEGIN, chunks, END, produced on demand. */
export class FullSyncSender {
  private begun = false;
  private ended = false;
  /** Records sent so far. */
  records = 0;

  constructor(
    readonly snapshot: Snapshot,
    private readonly estimate: number,
    private readonly chunkRecords: number,
    private readonly chunkBytes: number,
    private readonly level: number,
    private readonly minCompress: number,
  ) {}

  get done(): boolean {
    return this.ended;
  }

  /** The next frame, or null when the END frame was already produced. */
  nextFrame(): Buffer | null {
    if (this.ended) return null;
    if (!this.begun) {
      this.begun = true;
      return fullSyncBeginFrame(this.snapshot.clock, this.snapshot.hlc, this.estimate);
    }
    // Encode as we take: live records must be encoded before the database changes again, and
    // the chunk's size is then known exactly.
    const w = new BinaryWriter(Math.min(this.chunkBytes, 64 * 1024));
    let n = 0;
    while (n < this.chunkRecords && w.length < this.chunkBytes) {
      const recs = this.snapshot.next(Math.min(32, this.chunkRecords - n));
      if (recs.length === 0) break;
      for (const [key, rec] of recs) {
        w.str(key);
        KeyType.encode(rec, w);
      }
      n += recs.length;
    }
    if (n === 0) {
      this.ended = true;
      this.snapshot.close();
      return fullSyncEndFrame(this.snapshot.clock, this.records);
    }
    this.records += n;
    return fullSyncChunkFrame(n, w.finish(), this.level, this.minCompress);
  }

  abort(): void {
    this.ended = true;
    this.snapshot.close();
  }
}

/** The destination side: chunks staged as they arrive, joined together at the end. */
export class FullSyncReceiver {
  private readonly chunks: { count: number; records: Buffer }[] = [];
  /** Records and bytes staged so far (INFO progress). */
  records = 0;
  bytes = 0;

  constructor(
    readonly clock: VectorClock,
    readonly hlc: number,
    readonly expected: number,
  ) {}

  stage(count: number, records: Buffer): void {
    // Copy: the frame's buffer may be a slice of a larger read buffer.
    this.chunks.push({ count, records: Buffer.from(records) });
    this.records += count;
    this.bytes += records.length;
  }

  /**
   * Joins every staged record into `db` and raises its clock to include V0; returns the number
   * of records joined. All chunks are decoded before anything is joined, so a malformed one
   * (FrameError) leaves the database untouched.
   */
  joinInto(db: Database): number {
    const recs: [string, KeyRecord][] = [];
    for (const c of this.chunks) decodeChunkRecords(c.count, c.records, (key, rec) => recs.push([key, rec]));
    this.chunks.length = 0;
    db.hlc.observe(this.hlc);
    return db.joinSnapshot(recs, this.clock);
  }
}
