/**
 * The one behaviour every CRDT of Tandem implements (after riak_dt): a state, effects that
 * change it, a join of two states, a visible value, and a binary encoding. Property tests,
 * the convergence simulation and full sync are written once against this interface.
 *
 * Contract, checked by test/crdt/laws.ts for every type:
 * - join is commutative, associative and idempotent (on `value` and on `equal`);
 * - applying the effects of several origins in any interleaving that keeps each origin's own
 *   order gives a state `equal` to the join of the states each origin's effects give alone
 *   (on top of the same shared prefix);
 * - an effect applied twice (same dot) is filtered before it reaches `apply` by the caller's
 *   vector clock, so `apply` may assume each dot arrives once.
 */
import type { BinaryReader, BinaryWriter } from './binary.js';

/** Where an effect came from: its dot and its hybrid-logical-clock timestamp. */
export interface EffectMeta {
  readonly origin: number;
  readonly seq: number;
  readonly ts: number;
}

/**
 * Tells whether every effect concurrent with the effect `(origin, seq)` has been delivered to
 * every instance — then metadata kept only to resolve such concurrency (tombstones, removal
 * thresholds) can be dropped. See engine/gc.ts for how it is computed.
 */
export interface Stability {
  isStable(origin: number, seq: number): boolean;
}

export interface CrdtType<S, E> {
  readonly name: string;
  empty(): S;
  /** Applies one effect (local or remote) in place. */
  apply(state: S, effect: E, meta: EffectMeta): void;
  /** Joins `other` into `state` in place (other is not modified). */
  joinInto(state: S, other: S): void;
  clone(state: S): S;
  /** False when the state shows nothing (all removed): the key reads as absent. */
  isVisible(state: S): boolean;
  /** A canonical, structurally comparable view of the visible value (used by tests and digests). */
  value(state: S): unknown;
  /** Structural equality of whole states (metadata included). */
  equal(a: S, b: S): boolean;
  /** Drops metadata no longer needed once the effects it guards against are stable. */
  collect(state: S, stable: Stability): void;
  encode(state: S, w: BinaryWriter): void;
  decode(r: BinaryReader): S;
  encodeEffect(effect: E, w: BinaryWriter): void;
  decodeEffect(r: BinaryReader): E;
}
