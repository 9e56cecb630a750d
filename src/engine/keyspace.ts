/**
 * The records of one database: key → KeyRecord, plus the indexes Redis keeps beside its main
 * dict — a slot table for SCAN cursors, the set of keys with a TTL for active expiry, and the
 * count of visible keys for DBSIZE.
 *
 * While a full sync is being joined incrementally (Database.beginJoin), records received but not
 * joined yet wait in `pending`: looking a key up joins its pending record first, and whatever
 * walks the whole keyspace (KEYS, SCAN, DBSIZE, snapshots …) finishes the join first, so nobody
 * ever sees a key without the state the vector clock already claims.
 *
 * SCAN cursors are slot numbers. A key keeps its slot for as long as its record lives and freed
 * slots are reused only by new keys, so a key present for a whole SCAN is returned at least once
 * (Redis's guarantee).
 */
import { KeyRecord, dataVisible } from '../crdt/key.js';
import { effectiveExpiry } from '../crdt/expiry.js';
import { SampledSet } from './sampled-set.js';

/** A full-sync join in progress (Database.beginJoin). */
export interface PendingJoin {
  /** Joins the pending record of `key` now, if there is one. */
  joinKey(key: string): void;
  /** Joins every pending record. */
  finish(): void;
}

export class Keyspace {
  private readonly map = new Map<string, KeyRecord>();
  private readonly slots: (string | undefined)[] = [];
  private readonly freeSlots: number[] = [];
  /** Keys whose record carries a finite effective expiry. */
  readonly volatile = new SampledSet();
  private visible = 0;
  /** Set while a full sync is joined incrementally. */
  pending: PendingJoin | null = null;

  /** Every record (finishes a pending join first). */
  get records(): ReadonlyMap<string, KeyRecord> {
    if (this.pending !== null) this.pending.finish();
    return this.map;
  }

  /** Keys whose record is visible (DBSIZE; finishes a pending join first). */
  get visibleCount(): number {
    if (this.pending !== null) this.pending.finish();
    return this.visible;
  }

  /** Records and visible records joined so far, without finishing a pending join (INFO). */
  get size(): number {
    return this.map.size;
  }

  get visibleJoined(): number {
    return this.visible;
  }

  get(key: string): KeyRecord | undefined {
    if (this.pending !== null) this.pending.joinKey(key);
    return this.map.get(key);
  }

  /** The record for `key`, created empty (invisible) when absent. */
  getOrCreate(key: string): KeyRecord {
    if (this.pending !== null) this.pending.joinKey(key);
    let r = this.map.get(key);
    if (r === undefined) {
      r = new KeyRecord('string');
      this.map.set(key, r);
      const slot = this.freeSlots.length > 0 ? this.freeSlots.pop()! : this.slots.length;
      this.slots[slot] = key;
      r.slot = slot;
    }
    return r;
  }

  /** Drops a record entirely (garbage collection, flush, or a key that never became visible). */
  drop(key: string): void {
    const r = this.map.get(key);
    if (r === undefined) return;
    if (dataVisible(r)) this.visible--;
    this.map.delete(key);
    this.volatile.delete(key);
    const slot = r.slot;
    this.slots[slot] = undefined;
    this.freeSlots.push(slot);
  }

  /** Re-derives the indexes of one record after it changed. `wasVisible` is its state before. */
  update(key: string, r: KeyRecord, wasVisible: boolean): void {
    const visible = dataVisible(r);
    if (visible !== wasVisible) this.visible += visible ? 1 : -1;
    const exp = r.env?.exp;
    if (visible && exp != null && effectiveExpiry(exp) !== Infinity) this.volatile.add(key);
    else this.volatile.delete(key);
  }

  /** Slots in use or free (SCAN, sampling, snapshots; finishes a pending join first). */
  get slotCount(): number {
    if (this.pending !== null) this.pending.finish();
    return this.slots.length;
  }

  keyAtSlot(slot: number): string | undefined {
    return this.slots[slot];
  }

  /** The slot of a live record (snapshots use it to tell whether a walk has passed a key). */
  slotOfKey(key: string): number | undefined {
    return this.map.get(key)?.slot;
  }

  clear(): void {
    this.pending = null;
    this.map.clear();
    this.slots.length = 0;
    this.freeSlots.length = 0;
    this.volatile.clear();
    this.visible = 0;
  }
}
