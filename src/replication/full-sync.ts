/**
 * Full sync (reference §1.3): when a destination cannot resume from the backlog, the source
 * streams a consistent snapshot of its state at one vector clock V0 (engine/snapshot.ts), in
 * chunks small enough never to hold its event loop for long; the destination joins every record
 * into its own state, raises its clock to max(own, V0), and streaming continues from V0.
 *
 * The destination decodes the chunks as they arrive (in bounded steps) but joins nothing before
 * the END frame. Why not join chunk by chunk: effects keep arriving from other links meanwhile,
 * and one covered by V0 that reaches a record already joined would be applied twice (counter
 * increments are not idempotent). Per-key filters can prevent that, but when such a sync is
 * interrupted the joined records keep effects the clock does not account for, and if the source
 * then loses them in a crash those records hold effects no other instance will ever get — the
 * copies diverge. Joining at END keeps the invariant that an instance's state is exactly the
 * effects its clock covers, so an interrupted sync leaves nothing behind, and effects applied
 * after the join are exactly those its clock does not cover. The price is memory for the decoded
 * snapshot until it is joined.
 *
 * At END the clock moves at once and the records are joined incrementally (Database.beginJoin):
 * each on first access to its key — so reads, writes and effects arriving meanwhile from any
 * link, applied in order, all see the joined state — and the rest in steps of
 * `joinRecordsPerPump` between event-loop turns (ReplicationNode.pump). The invariant holds for
 * everything observable: no key is seen without the state the clock claims.
 */
import { BinaryReader, BinaryWriter } from '../crdt/binary.js';
import type { KeyRecord } from '../crdt/key.js';
import { KeyType } from '../crdt/key.js';
import type { VectorClock } from '../crdt/vector-clock.js';
import type { Database } from '../engine/database.js';
import type { Snapshot } from '../engine/snapshot.js';
import { FrameError, fullSyncBeginFrame, fullSyncChunkFrame, fullSyncEndFrame } from './frames.js';

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

/**
 * The destination side: chunks staged as they arrive and decoded a bounded number of records at
 * a time between event-loop turns (decodeStep, driven by ReplicationNode.pump; the rest at END),
 * then handed to Database.beginJoin. A malformed chunk (FrameError) fails the link with the
 * database untouched.
 */
export class FullSyncReceiver {
  private readonly chunks: { count: number; records: Buffer }[] = [];
  private decoded = new Map<string, KeyRecord>();
  /** The chunk being decoded and how many of its records are left. */
  private reader: BinaryReader | null = null;
  private left = 0;
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

  /** Chunks staged and not completely decoded yet. */
  get undecoded(): number {
    return this.chunks.length + (this.reader === null ? 0 : 1);
  }

  /** Decodes up to `max` staged records; true when some remain. Throws FrameError. */
  decodeStep(max: number): boolean {
    let n = 0;
    try {
      while (n < max) {
        if (this.reader === null) {
          const c = this.chunks.shift();
          if (c === undefined) break;
          this.reader = new BinaryReader(c.records);
          this.left = c.count;
        }
        const r = this.reader;
        for (; this.left > 0 && n < max; this.left--, n++) {
          const key = r.str();
          this.decoded.set(key, KeyType.decode(r));
        }
        if (this.left === 0) {
          if (!r.done) throw new FrameError('full-sync chunk has trailing bytes');
          this.reader = null;
        }
      }
    } catch (e) {
      if (e instanceof FrameError) throw e;
      throw new FrameError(`malformed full-sync chunk: ${(e as Error).message}`);
    }
    return this.undecoded > 0;
  }

  /**
   * Starts joining every staged record into `db` and raises its clock to include V0 at once;
   * the records themselves are joined on first access or in steps (Database.beginJoin). Chunks
   * still encoded are decoded first, all of them before anything changes. Returns the number of
   * records.
   */
  joinInto(db: Database): number {
    this.decodeStep(Infinity);
    const recs = this.decoded;
    this.decoded = new Map();
    db.beginJoin(recs, this.clock, this.hlc);
    return recs.size;
  }
}
