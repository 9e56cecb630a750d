/**
 * The records of one database: key → KeyRecord, plus the indexes Redis keeps beside its main
 * dict — a slot table for SCAN cursors, the set of keys with a TTL for active expiry, and the
 * count of visible keys for DBSIZE.
 *
 * SCAN cursors are slot numbers. A key keeps its slot for as long as its record lives and freed
 * slots are reused only by new keys, so a key present for a whole SCAN is returned at least once
 * (Redis's guarantee).
 */
import { KeyRecord, dataVisible } from '../crdt/key.js';
import { effectiveExpiry } from '../crdt/expiry.js';
import { SampledSet } from './sampled-set.js';

export class Keyspace {
  readonly records = new Map<string, KeyRecord>();
  private readonly slots: (string | undefined)[] = [];
  private readonly freeSlots: number[] = [];
  /** Keys whose record carries a finite effective expiry. */
  readonly volatile = new SampledSet();
  /** Keys whose record is visible (DBSIZE). */
  visibleCount = 0;

  get(key: string): KeyRecord | undefined {
    return this.records.get(key);
  }

  /** The record for `key`, created empty (invisible) when absent. */
  getOrCreate(key: string): KeyRecord {
    let r = this.records.get(key);
    if (r === undefined) {
      r = new KeyRecord('string');
      this.records.set(key, r);
      const slot = this.freeSlots.length > 0 ? this.freeSlots.pop()! : this.slots.length;
      this.slots[slot] = key;
      r.slot = slot;
    }
    return r;
  }

  /** Drops a record entirely (garbage collection, flush, or a key that never became visible). */
  drop(key: string): void {
    const r = this.records.get(key);
    if (r === undefined) return;
    if (dataVisible(r)) this.visibleCount--;
    this.records.delete(key);
    this.volatile.delete(key);
    const slot = r.slot;
    this.slots[slot] = undefined;
    this.freeSlots.push(slot);
  }

  /** Re-derives the indexes of one record after it changed. `wasVisible` is its state before. */
  update(key: string, r: KeyRecord, wasVisible: boolean): void {
    const visible = dataVisible(r);
    if (visible !== wasVisible) this.visibleCount += visible ? 1 : -1;
    const exp = r.env?.exp;
    if (visible && exp != null && effectiveExpiry(exp) !== Infinity) this.volatile.add(key);
    else this.volatile.delete(key);
  }

  get slotCount(): number {
    return this.slots.length;
  }

  keyAtSlot(slot: number): string | undefined {
    return this.slots[slot];
  }

  /** The slot of a live record (snapshots use it to tell whether a walk has passed a key). */
  slotOfKey(key: string): number | undefined {
    return this.records.get(key)?.slot;
  }

  clear(): void {
    this.records.clear();
    this.slots.length = 0;
    this.freeSlots.length = 0;
    this.volatile.clear();
    this.visibleCount = 0;
  }
}
