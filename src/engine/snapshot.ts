/**
 * Consistent snapshots of a live keyspace, for full sync (DESIGN §3, reference §1.3).
 *
 * A snapshot is the state of every record at one vector clock V0 (the moment it was opened),
 * read a few records at a time while the database keeps applying writes. It works like
 * copy-on-write: the snapshot walks the slot table in order; before a record whose slot the walk
 * has not passed yet is changed (or a key is created), the database calls `beforeChange`, and
 * the snapshot preserves that record's state at V0 — a clone, or a marker saying the key did not
 * exist at V0. The walk hands out preserved clones instead of live records. Memory therefore
 * grows only with the keys written while the snapshot is open, never with the keyspace.
 *
 * Why slots: a record keeps its slot for as long as it lives (keyspace.ts), so "slot < cursor"
 * says exactly whether its V0 state was already handed out. A record dropped while the snapshot
 * is open (a delete that made it collectable) was preserved by the change that killed it; clones
 * whose slot the walk no longer finds (dropped, or re-created in another slot) are handed out at
 * the end.
 *
 * The caller must encode each record it receives before the next change to the database: live
 * records are handed out, not copies.
 */
import type { KeyRecord } from '../crdt/key.js';
import { KeyType } from '../crdt/key.js';
import type { VectorClock } from '../crdt/vector-clock.js';
import type { Database } from './database.js';

/** What the database tells before it changes a record (installed as Database.changeHook). */
export interface ChangeHook {
  beforeChange(key: string): void;
}

/** Marks a key whose V0 state was handed out, or that did not exist at V0. */
const DONE: unique symbol = Symbol('done');

export class Snapshot {
  /** The vector clock the snapshot shows: every effect it contains, and no other. */
  readonly clock: VectorClock;
  /** The database's hybrid-logical-clock high-water mark at V0 (the receiver observes it). */
  readonly hlc: number;
  private cursor = 0;
  private readonly endSlot: number;
  private readonly preserved = new Map<string, KeyRecord | typeof DONE>();
  /** Clones left over after the walk (their key is no longer at the slot the walk visits). */
  private leftovers: IterableIterator<[string, KeyRecord | typeof DONE]> | null = null;
  private finished = false;
  /** Records handed out so far (for progress reports). */
  emitted = 0;

  constructor(
    private readonly db: Database,
    private readonly registry: SnapshotRegistry,
  ) {
    this.clock = db.clock.clone();
    this.hlc = db.hlc.peek();
    this.endSlot = db.keyspace.slotCount;
  }

  get done(): boolean {
    return this.finished;
  }

  /** Records preserved because they changed while the snapshot was open. */
  get preservedCount(): number {
    return this.preserved.size;
  }

  beforeChange(key: string): void {
    if (this.finished || this.preserved.has(key)) return;
    const ks = this.db.keyspace;
    const r = ks.get(key);
    if (r === undefined) {
      // Created after V0 (or dropped and re-created after the walk passed it): nothing to show.
      this.preserved.set(key, DONE);
      return;
    }
    // Unchanged since V0 (a change would have preserved it), so it still sits in its V0 slot.
    const slot = ks.slotOfKey(key)!;
    if (slot < this.cursor || slot >= this.endSlot) return;
    this.preserved.set(key, KeyType.clone(r));
  }

  /**
   * Up to `max` records of the snapshot, as (key, record) pairs, or an empty array once every
   * record was handed out. Records may be live: encode them before the database changes.
   */
  next(max: number): [string, KeyRecord][] {
    const out: [string, KeyRecord][] = [];
    if (this.finished) return out;
    const ks = this.db.keyspace;
    while (out.length < max && this.cursor < this.endSlot) {
      const key = ks.keyAtSlot(this.cursor++);
      if (key === undefined) continue;
      const p = this.preserved.get(key);
      if (p === DONE) continue;
      if (p !== undefined) {
        this.preserved.set(key, DONE);
        out.push([key, p]);
      } else out.push([key, ks.get(key)!]);
    }
    if (this.cursor >= this.endSlot) {
      this.leftovers ??= this.preserved.entries();
      while (out.length < max) {
        const n = this.leftovers.next();
        if (n.done) {
          this.close();
          break;
        }
        const [key, p] = n.value;
        if (p !== DONE) {
          this.preserved.set(key, DONE);
          out.push([key, p]);
        }
      }
    }
    this.emitted += out.length;
    return out;
  }

  /** Stops preserving (also called once the walk is over). Idempotent. */
  close(): void {
    if (this.finished) return;
    this.finished = true;
    this.preserved.clear();
    this.registry.remove(this);
  }
}

/** The snapshots open on one database; installed as its change hook only while there are some,
 * so writes pay one null check when no full sync is running. */
class SnapshotRegistry implements ChangeHook {
  private readonly open = new Set<Snapshot>();

  constructor(private readonly db: Database) {}

  add(s: Snapshot): void {
    this.open.add(s);
    this.db.changeHook = this;
  }

  remove(s: Snapshot): void {
    this.open.delete(s);
    if (this.open.size === 0 && this.db.changeHook === this) this.db.changeHook = null;
  }

  get size(): number {
    return this.open.size;
  }

  beforeChange(key: string): void {
    for (const s of this.open) s.beforeChange(key);
  }
}

const registries = new WeakMap<Database, SnapshotRegistry>();

function registryOf(db: Database): SnapshotRegistry {
  let r = registries.get(db);
  if (r === undefined) {
    r = new SnapshotRegistry(db);
    registries.set(db, r);
  }
  return r;
}

/** Opens a snapshot of `db` at its current vector clock. Close it when abandoned. */
export function openSnapshot(db: Database): Snapshot {
  const reg = registryOf(db);
  const s = new Snapshot(db, reg);
  reg.add(s);
  return s;
}

/** How many snapshots are open on `db` (garbage collection waits while any is). */
export function openSnapshots(db: Database): number {
  return registries.get(db)?.size ?? 0;
}
