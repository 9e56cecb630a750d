/**
 * Hybrid logical clock for register timestamps (DESIGN §2).
 *
 * A timestamp is one JS number: wall-clock milliseconds times 1024 plus a logical counter, so
 * it fits in 2^53 until the year 2248. `now()` is strictly greater than every timestamp this
 * instance issued or observed before. Because an instance observes the timestamp of every
 * remote write it applies, a write that causally follows another always carries a larger
 * timestamp: plain "largest timestamp wins" therefore never lets a concurrent-looking clock skew
 * beat causality (TV-STR-02), and concurrent writes are decided by wall-clock time (TV-STR-01),
 * ties by the lower instance id (TV-STR-03).
 */
export const HLC_LOGICAL_BITS = 10;
const SCALE = 1 << HLC_LOGICAL_BITS;

export type WallClock = () => number;

export class HybridLogicalClock {
  private last = 0;

  constructor(private readonly wall: WallClock) {}

  now(): number {
    const phys = Math.floor(this.wall()) * SCALE;
    this.last = phys > this.last ? phys : this.last + 1;
    return this.last;
  }

  /** Records a timestamp seen in a remote effect. */
  observe(ts: number): void {
    if (ts > this.last) this.last = ts;
  }

  /** The last timestamp issued or observed (persisted so a restart never goes backwards). */
  peek(): number {
    return this.last;
  }
}

export function hlcToMillis(ts: number): number {
  return Math.floor(ts / SCALE);
}

export function millisToHlc(ms: number): number {
  return ms * SCALE;
}
