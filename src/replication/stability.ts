/**
 * The stability oracle for tombstone garbage collection (reference §1.4, §3.7).
 *
 * A removal (origin, seq) is stable once every effect concurrent with it has reached every
 * instance: then nothing can still arrive that the tombstone would have to cancel, and every
 * instance already shows its outcome, so the tombstone can go.
 *
 * Each GC pass records gvcMin (pointwise minimum of the last known clocks of all instances: this
 * one's own and what peers acknowledged) and gvcMax (their pointwise maximum). For a removal r,
 * take the earliest recorded pass p whose gvcMin covers r — by then everyone had seen r. An
 * effect concurrent with r was issued by an instance before that instance saw r, so it is at
 * most that instance's own entry in the clock it reported after seeing r, hence at most
 * gvcMax_p. So r is stable as soon as the current gvcMin covers gvcMax_p.
 *
 * Reported clocks are lower bounds of what instances applied, which keeps both steps sound:
 * gvcMin_p covering r still means everyone had r, and each instance's own entry in gvcMax_p is
 * what it had issued when it reported. The history is bounded; when the pass that first covered
 * r was dropped, the oldest retained pass stands in for it (its gvcMax is larger: conservative).
 */
import type { Stability } from '../crdt/crdt.js';
import { VectorClock } from '../crdt/vector-clock.js';

interface Pass {
  readonly min: VectorClock;
  readonly max: VectorClock;
  /** Whether the current gvcMin covers this pass's gvcMax (recomputed each pass). */
  covered: boolean;
}

export class StabilityOracle implements Stability {
  private readonly history: Pass[] = [];
  private current = new VectorClock();
  private max = new VectorClock();
  /** Passes recorded (INFO). */
  passes = 0;

  constructor(private readonly historyLength = 64) {}

  /** Minimum of all instances' known clocks at the last pass (INFO crdt_gc_gvc_min). */
  get gvcMin(): VectorClock {
    return this.current;
  }

  get gvcMax(): VectorClock {
    return this.max;
  }

  /** Starts a GC pass over the last known clocks of every instance, this one included. */
  pass(clocks: readonly VectorClock[]): void {
    this.passes++;
    const min = VectorClock.min(clocks);
    const max = VectorClock.max(clocks);
    this.current = min;
    this.max = max;
    const last = this.history[this.history.length - 1];
    // Equal consecutive passes add nothing: skipping them keeps a longer span of history.
    const minChanged = last === undefined || !last.min.equals(min);
    if (minChanged || !last.max.equals(max)) {
      this.history.push({ min, max, covered: min.dominates(max) });
      if (this.history.length > this.historyLength) this.history.shift();
    }
    // Coverage of older passes only changes when gvcMin does.
    if (minChanged) for (const p of this.history) p.covered = min.dominates(p.max);
  }

  isStable(origin: number, seq: number): boolean {
    for (const p of this.history) if (p.min.get(origin) >= seq) return p.covered;
    return false;
  }
}
