/**
 * Effects are what replicates (DESIGN §2): one command's change to one key, under one dot.
 * The same binary form serves the replication backlog, the wire and the effect log.
 */
import { BinaryReader, BinaryWriter } from '../crdt/binary.js';
import type { KeyEffect } from '../crdt/key.js';
import { KeyType } from '../crdt/key.js';

export interface Effect {
  readonly origin: number;
  readonly seq: number;
  /** Hybrid-logical-clock timestamp of the write. */
  readonly ts: number;
  readonly key: string;
  readonly ops: KeyEffect;
}

/** Where a database hands the effects it originates (replication and the effect log plug in). */
export interface EffectSink {
  /** Called synchronously for every local effect, in sequence order. */
  effect(e: Effect): void;
  /** Called after the last effect of one command or transaction: the atomic unit. */
  commit(): void;
}

export function encodeEffect(e: Effect, w: BinaryWriter): void {
  w.uint(e.origin).uint(e.seq).uint(e.ts).str(e.key);
  KeyType.encodeEffect(e.ops, w);
}

export function decodeEffect(r: BinaryReader): Effect {
  const origin = r.uint();
  const seq = r.uint();
  const ts = r.uint();
  const key = r.str();
  const ops = KeyType.decodeEffect(r);
  return { origin, seq, ts, key, ops };
}

export function effectToBuffer(e: Effect): Buffer {
  const w = new BinaryWriter(64);
  encodeEffect(e, w);
  return w.finish();
}

export function effectFromBuffer(b: Uint8Array): Effect {
  return decodeEffect(new BinaryReader(b));
}
