/**
 * The replication backlog (reference §1.3, §5.3): the units this instance applied, in
 * application order, encoded once, bounded in bytes. One backlog serves every destination; each
 * destination's session keeps a position in it.
 *
 * What it holds depends on the consistency mode: always this instance's own units; in causal
 * mode also the units it applied from peers (it relays them, reference §1.7).
 *
 * `floor` says what the backlog can no longer show: for each origin, effects at or below
 * floor[o] may be missing (trimmed, applied before the backlog existed, or received by a full
 * sync as state rather than effects). A destination can resume from its clock R exactly when,
 * for every origin it needs from us, R[o] >= floor[o] or it is not behind at all.
 */
import type { VectorClock } from '../crdt/vector-clock.js';

export interface BacklogEntry {
  /** Absolute position: survives trimming, so sessions can hold it. */
  readonly pos: number;
  readonly origin: number;
  readonly first: number;
  readonly last: number;
  /** `uint count, effect…` (frames.ts encodeUnit). */
  readonly bytes: Buffer;
}

export class Backlog {
  private entries: BacklogEntry[] = [];
  /** Index in `entries` of the oldest live entry (the array is compacted now and then). */
  private head = 0;
  private nextPos = 0;
  private used = 0;
  /** Entries trimmed because the backlog was full (INFO). */
  trimmed = 0;

  constructor(
    private maxBytes: number,
    readonly floor: VectorClock,
  ) {}

  get size(): number {
    return this.maxBytes;
  }

  /** Bytes of encoded units held. */
  get bytes(): number {
    return this.used;
  }

  get length(): number {
    return this.entries.length - this.head;
  }

  /** Position of the oldest entry still held (= endPos when empty). */
  get startPos(): number {
    return this.nextPos - this.length;
  }

  /** Position the next appended entry gets. */
  get endPos(): number {
    return this.nextPos;
  }

  resize(maxBytes: number): void {
    this.maxBytes = maxBytes;
    this.trim();
  }

  append(origin: number, first: number, last: number, bytes: Buffer): BacklogEntry {
    const e: BacklogEntry = { pos: this.nextPos++, origin, first, last, bytes };
    this.entries.push(e);
    this.used += bytes.length;
    this.trim();
    return e;
  }

  /** The entry at `pos`, or undefined when it was trimmed or does not exist yet. */
  at(pos: number): BacklogEntry | undefined {
    const i = pos - this.startPos;
    if (i < 0 || i >= this.length) return undefined;
    return this.entries[this.head + i];
  }

  /**
   * Whether a destination at clock `resume` can be served from here for the origins `needed`
   * says it needs from us, given what we applied (`applied`).
   */
  covers(resume: VectorClock, applied: VectorClock, needed: (origin: number) => boolean): boolean {
    for (const [o, have] of applied) {
      if (!needed(o)) continue;
      const r = resume.get(o);
      if (r < have && r < this.floor.get(o)) return false;
    }
    return true;
  }

  /**
   * Records that the clock jumped from `before` to `after` without effects (a full sync was
   * joined): what lies in between is state, not backlog, for every origin that moved.
   * Returns the origins that moved.
   */
  noteJump(before: VectorClock, after: VectorClock): number[] {
    const moved: number[] = [];
    for (const [o, s] of after) {
      if (s > before.get(o)) {
        this.floor.advance(o, s);
        moved.push(o);
      }
    }
    return moved;
  }

  /** Forgets every effect of origins other than `self` (causal relaying switched off or on). */
  forgetOthers(self: number, applied: VectorClock): void {
    for (const [o, s] of applied) if (o !== self) this.floor.advance(o, s);
  }

  /** First and last sequence of `origin` held, or null (INFO's backlog range). */
  range(origin: number): [number, number] | null {
    let lo = -1;
    let hi = -1;
    for (let i = this.head; i < this.entries.length; i++) {
      const e = this.entries[i]!;
      if (e.origin !== origin) continue;
      if (lo < 0) lo = e.first;
      hi = e.last;
    }
    return lo < 0 ? null : [lo, hi];
  }

  private trim(): void {
    // The newest entry stays even when it alone exceeds the size: dropping it would force a
    // full sync on every destination for one large transaction.
    while (this.used > this.maxBytes && this.length > 1) {
      const e = this.entries[this.head]!;
      this.entries[this.head] = undefined as unknown as BacklogEntry;
      this.head++;
      this.used -= e.bytes.length;
      this.floor.advance(e.origin, e.last);
      this.trimmed++;
    }
    if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
  }
}
