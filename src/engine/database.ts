/**
 * One instance of a database: the keyspace, this instance's identity and clocks, and the two
 * ways state changes — local writes, which become effects, and remote effects, which are
 * filtered by the vector clock and applied by the same function (DESIGN §2).
 *
 * Pure: no I/O, no wall clock, no randomness of its own. The server sets `now` before each
 * command and injects `random`; replication reads effects from the sink and calls
 * `applyRemote`. That is what lets the convergence simulation run many instances in one
 * process.
 */
import { VectorClock } from '../crdt/vector-clock.js';
import { HybridLogicalClock } from '../crdt/hlc.js';
import type { KeyEffect, KeyOp, KeyRecord, TypeName } from '../crdt/key.js';
import { KeyType, collectionType, dataVisible, isCollectable } from '../crdt/key.js';
import { effectiveExpiry, observeExpiry, winningEntry } from '../crdt/expiry.js';
import { observeCounter, registerVisible } from '../crdt/string-value.js';
import type { StringEffect, StringState } from '../crdt/string-value.js';
import type { Dot } from '../crdt/dot.js';
import type { Stability } from '../crdt/crdt.js';
import '../crdt/types.js';
import { Keyspace } from './keyspace.js';
import { ENC_AUTO, SharedIntegerClock, setEncodingClass, touch as touchRecord } from './object-info.js';
import type { Effect, EffectSink } from './effect.js';
import type { ChangeHook } from './snapshot.js';

export interface DatabaseOptions {
  instanceId: number;
  /** Random source in [0, 1) (sampling, RANDOMKEY). */
  random?: () => number;
  /** Start time in Unix ms (access times are relative to it); defaults to 0. */
  epoch?: number;
}

/** Settings the engine itself obeys (the server owns the rest of the configuration). */
export interface EngineConfig {
  /** proto-max-bulk-len: the largest string a write may produce. */
  protoMaxBulkLen: number;
  /** Part of an Active-Active database (has a CRDB GUID): FLUSHALL is refused, §3.6. */
  activeActive: boolean;
  /** maxmemory-policy is an LFU one (OBJECT FREQ works, OBJECT IDLETIME does not). */
  lfu: boolean;
}

export interface DatabaseStats {
  keyspaceHits: number;
  keyspaceMisses: number;
  expiredKeys: number;
  effectsOriginated: number;
  effectsApplied: number;
  effectsFiltered: number;
  gcCollected: number;
  gcAttempted: number;
}

/**
 * Told of every change to the state, local or remote, in the order the database applies them:
 * the effect log (src/persistence) records them so a restart can replay them.
 */
export interface Journal {
  /** A local write or a remote effect, after it was applied. */
  applied(e: Effect): void;
  /** A record about to be joined by a full sync (encode it now: the join may reuse it). */
  joined(key: string, rec: KeyRecord): void;
  /** The clock and HLC high-water mark a full sync brought, after its records. */
  raised(clock: VectorClock, hlc: number): void;
  /** An origin's clock moved over sequences declared lost (skip units, restoreSeq). */
  advanced(origin: number, seq: number): void;
}

/** Thrown by applyRemote when an origin's effects arrive out of order (a link bug). */
export class EffectGapError extends Error {}

export const ALWAYS_STABLE: Stability = { isStable: () => true };

function createsValue(ops: KeyEffect): boolean {
  for (const op of ops) if (op.k === 'str' && op.e.t !== 'rm') return true;
  return false;
}

function removalOf(type: TypeName, state: unknown, exp: Dot[]): KeyOp {
  if (type === 'string') {
    const s = state as StringState;
    const e: StringEffect = registerVisible(s) ? { t: 'rm', ts: s.ts, id: s.id, obs: observeCounter(s) } : { t: 'rm', ts: -1, id: 0, obs: observeCounter(s) };
    return { k: 'del', type: 'string', e, exp };
  }
  if (state === null) return { k: 'del', type, e: collectionType(type).removalEffect(collectionType(type).empty()), exp };
  return { k: 'del', type, e: collectionType(type).removalEffect(state), exp };
}

export class Database {
  readonly instanceId: number;
  readonly keyspace = new Keyspace();
  /** Effects applied here, per origin (this instance's own writes included). */
  readonly clock = new VectorClock();
  readonly hlc: HybridLogicalClock;
  /** Current time in Unix ms, set by the caller before each command. */
  now = 0;
  /** When this database started (Unix ms): access times are kept relative to it. */
  epoch = 0;
  /** Access times of shared integers (OBJECT IDLETIME, see object-info.ts). */
  readonly sharedIntegers = new SharedIntegerClock();
  random: () => number;
  readonly config: EngineConfig = { protoMaxBulkLen: 512 * 1024 * 1024, activeActive: false, lfu: false };
  sink: EffectSink | null = null;
  /**
   * Whether removals are stable, i.e. every effect concurrent with them has reached every
   * instance. Replication installs the real oracle; a database with no peers has nothing
   * concurrent, so everything is stable at once and dead keys are dropped immediately.
   */
  stability: Stability = ALWAYS_STABLE;
  /** Told before any record changes while a full-sync snapshot is open (engine/snapshot.ts). */
  changeHook: ChangeHook | null = null;
  /** The effect log, when persistence is on (src/persistence). */
  journal: Journal | null = null;
  /**
   * False while this instance may not originate effects: after a crash it first recovers from
   * its peers the writes its log lost, so it cannot reuse their sequence numbers
   * (docs/persistence.md). Meanwhile it deletes no expired key (reads still see them as gone).
   */
  originating = true;
  /**
   * Told after any effect or full-sync join changed `key`, whatever its origin: WATCH dirties
   * transactions through it (server/transactions.ts). Null while nobody watches, so it costs
   * one comparison per write.
   */
  keyChanged: ((key: string) => void) | null = null;
  readonly stats: DatabaseStats = {
    keyspaceHits: 0,
    keyspaceMisses: 0,
    expiredKeys: 0,
    effectsOriginated: 0,
    effectsApplied: 0,
    effectsFiltered: 0,
    gcCollected: 0,
    gcAttempted: 0,
  };
  private seq = 0;
  /** Records of a full sync not joined yet (beginJoin), or null. */
  private joining: Map<string, KeyRecord> | null = null;
  /** Where joinStep goes on: one live iterator, so steps never rescan joined entries. */
  private joinCursor: Iterator<[string, KeyRecord]> | null = null;

  constructor(opts: DatabaseOptions) {
    this.instanceId = opts.instanceId;
    this.random = opts.random ?? Math.random;
    this.hlc = new HybridLogicalClock(() => this.now);
    this.epoch = opts.epoch ?? 0;
  }

  get lastSeq(): number {
    return this.seq;
  }

  /** Continues numbering after a restart: a sequence number is never handed out twice. */
  restoreSeq(seq: number): void {
    if (seq > this.seq) this.seq = seq;
    this.advanceClock(this.instanceId, seq);
  }

  /** Moves an origin's clock over sequences declared lost (skip units, restoreSeq). */
  advanceClock(origin: number, seq: number): void {
    if (seq <= this.clock.get(origin)) return;
    this.clock.advance(origin, seq);
    if (this.journal !== null) this.journal.advanced(origin, seq);
  }

  /** Raises the clock to include a joined full sync's (after its records were joined). */
  raiseClock(clock: VectorClock, hlc: number): void {
    this.hlc.observe(hlc);
    this.clock.merge(clock);
    if (this.journal !== null) this.journal.raised(clock, hlc);
  }

  // ---- reads -------------------------------------------------------------------------------

  /**
   * The visible record of `key` for a read, or undefined. An expired key reads as absent; if
   * this instance owns its expiry it is deleted now (and the delete replicates), otherwise the
   * owner will replicate the delete (reference §3.4 rule 3).
   */
  lookupRead(key: string, touch = true): KeyRecord | undefined {
    const r = this.keyspace.get(key);
    if (r === undefined || !dataVisible(r)) {
      this.stats.keyspaceMisses++;
      return undefined;
    }
    if (r.env !== null && r.env.exp !== null && this.isExpired(r)) {
      if (this.ownsExpiry(r)) this.expireNow(key, r);
      this.stats.keyspaceMisses++;
      return undefined;
    }
    this.stats.keyspaceHits++;
    if (touch) touchRecord(r, this.now, this.epoch, this.sharedIntegers);
    return r;
  }

  /** Like lookupRead without touching hit/miss statistics (EXISTS, TYPE, SCAN …). */
  peek(key: string): KeyRecord | undefined {
    const r = this.keyspace.get(key);
    if (r === undefined || !dataVisible(r)) return undefined;
    if (r.env !== null && r.env.exp !== null && this.isExpired(r)) {
      if (this.ownsExpiry(r)) this.expireNow(key, r);
      return undefined;
    }
    return r;
  }

  /**
   * The visible record of `key` before a write, or undefined. An expired key is deleted first
   * (replicating the delete) whoever owns the expiry, then the write applies to a fresh key
   * (reference §3.4 rule 3, TV-EXP-03).
   */
  lookupWrite(key: string): KeyRecord | undefined {
    const r = this.keyspace.get(key);
    if (r === undefined || !dataVisible(r)) return undefined;
    if (r.env !== null && r.env.exp !== null && this.isExpired(r)) {
      this.expireNow(key, r);
      return undefined;
    }
    touchRecord(r, this.now, this.epoch, this.sharedIntegers);
    return r;
  }

  isExpired(r: KeyRecord): boolean {
    const exp = r.env?.exp;
    return exp != null && effectiveExpiry(exp) <= this.now;
  }

  /** Effective expiry of a visible record in Unix ms, or Infinity. */
  expiryOf(r: KeyRecord): number {
    const exp = r.env?.exp;
    return exp == null ? Infinity : effectiveExpiry(exp);
  }

  ownsExpiry(r: KeyRecord): boolean {
    const w = winningEntry(r.env?.exp ?? null);
    return w !== null && w.origin === this.instanceId && this.originating;
  }

  // ---- local writes ------------------------------------------------------------------------

  /** Originates one effect on `key`: stamps it, applies it here and hands it to the sink. */
  write(key: string, ops: KeyEffect): Effect {
    ops = this.clearDeadExpiry(key, ops);
    const seq = ++this.seq;
    const e: Effect = { origin: this.instanceId, seq, ts: this.hlc.now(), key, ops };
    this.applyToKeyspace(e);
    this.clock.set(this.instanceId, seq);
    this.stats.effectsOriginated++;
    if (this.journal !== null) this.journal.applied(e);
    if (this.sink !== null) this.sink.effect(e);
    return e;
  }

  /**
   * A write that brings the key to life (it shows nothing here) also removes every expiry entry
   * in its causal past — an EXPIRE that raced with the DEL may have left one on the dead record
   * here or elsewhere, and the new value must not inherit it whether or not garbage collection
   * dropped that record yet (docs/semantics.md, "Expiry of a dead key"). The clock is carried in
   * the effect, so every instance removes the same entries, late ones included.
   */
  private clearDeadExpiry(key: string, ops: KeyEffect): KeyEffect {
    const r = this.keyspace.get(key);
    if (r !== undefined && dataVisible(r)) return ops;
    if (!ops.some((op) => op.k === 'str' || op.k === 'data')) return ops;
    return [{ k: 'exp', e: { at: null, obs: [], upTo: this.clock.clone() } }, ...ops];
  }

  /** Ends the current atomic unit (one command, or one transaction). */
  commit(): void {
    if (this.sink !== null) this.sink.commit();
  }

  /** The operations that delete what this instance sees of `r` (observed-remove, §3.1): the
   * shown type and any hidden concurrent type states (docs/semantics.md, type conflicts). */
  removalOps(r: KeyRecord): KeyOp[] {
    const exp = observeExpiry(r.env?.exp ?? null);
    const ops: KeyOp[] = [removalOf(r.type, r.type === 'string' ? r : r.d, exp)];
    for (const [t, st] of r.env?.alt ?? []) ops.push(removalOf(t, st, []));
    return ops;
  }

  /** Deletes a visible key (DEL, UNLINK, overwrite by another type …). */
  deleteKey(key: string, r: KeyRecord): void {
    this.write(key, this.removalOps(r));
  }

  private expireNow(key: string, r: KeyRecord): void {
    this.stats.expiredKeys++;
    this.deleteKey(key, r);
    this.commit();
  }

  // ---- remote effects ----------------------------------------------------------------------

  /**
   * Applies an effect received from a peer. Returns false when it was already applied
   * (duplicate delivery is normal: the vector clock filters it). Throws EffectGapError when an
   * origin's effects arrive out of order.
   */
  applyRemote(e: Effect): boolean {
    const have = this.clock.get(e.origin);
    if (e.seq <= have) {
      this.stats.effectsFiltered++;
      return false;
    }
    if (e.seq !== have + 1) throw new EffectGapError(`effect ${e.origin}:${e.seq} arrived after ${e.origin}:${have}`);
    this.hlc.observe(e.ts);
    this.applyToKeyspace(e);
    this.clock.set(e.origin, e.seq);
    this.stats.effectsApplied++;
    if (this.journal !== null) this.journal.applied(e);
    return true;
  }

  private applyToKeyspace(e: Effect): void {
    if (this.changeHook !== null) this.changeHook.beforeChange(e.key);
    const ks = this.keyspace;
    const r = ks.getOrCreate(e.key);
    const was = dataVisible(r);
    KeyType.apply(r, e.ops, e);
    if (!was || createsValue(e.ops)) {
      // A new value object, as Redis would create: fresh access time, encoding by tryObjectEncoding.
      touchRecord(r, this.now, this.epoch);
      setEncodingClass(r, ENC_AUTO);
    }
    ks.update(e.key, r, was);
    if (!dataVisible(r)) {
      if (isCollectable(r, this.stability)) ks.drop(e.key);
    } else if (r.env !== null && r.env.exp !== null && (r.env.exp.gone !== null || r.env.exp.floors !== null)) {
      // Removal markers of the expiry register: dropped as soon as they are stable (at once
      // without peers), so a key whose TTL is rewritten often does not accumulate them.
      KeyType.collect(r, this.stability);
    }
    if (this.keyChanged !== null) this.keyChanged(e.key);
  }

  /** Joins a record received by full sync into the local one. */
  joinRecord(key: string, other: KeyRecord): void {
    if (this.journal !== null) this.journal.joined(key, other);
    this.joinUnjournaled(key, other);
  }

  /** joinRecord for records the journal was already told of (beginJoin). */
  private joinUnjournaled(key: string, other: KeyRecord): void {
    if (this.changeHook !== null) this.changeHook.beforeChange(key);
    const ks = this.keyspace;
    const r = ks.getOrCreate(key);
    const was = dataVisible(r);
    KeyType.joinInto(r, other);
    ks.update(key, r, was);
    if (this.keyChanged !== null) this.keyChanged(key);
  }

  /**
   * Starts joining a full-sync snapshot taken at `clock` (replication/full-sync.ts): the clock
   * and the HLC move now; each record is joined the first time its key is looked up (a read, a
   * write, an effect from a peer) or by joinStep, whichever comes first; anything that walks the
   * whole keyspace finishes the join first (Keyspace.pending). So the event loop never has to
   * join a large snapshot in one go, and nobody observes a key without state its clock claims.
   * A join still pending is finished first.
   */
  beginJoin(records: Map<string, KeyRecord>, clock: VectorClock, hlc: number): void {
    this.finishJoin();
    // The journal hears of the whole snapshot now, records before the clock that claims them,
    // so a log replayed after a crash never holds the clock without the state.
    if (this.journal !== null) {
      for (const [key, rec] of records) this.journal.joined(key, rec);
    }
    this.hlc.observe(hlc);
    this.clock.merge(clock);
    if (this.journal !== null) this.journal.raised(clock, hlc);
    if (records.size === 0) return;
    const pending = records;
    this.joining = pending;
    this.joinCursor = pending.entries();
    this.keyspace.pending = {
      joinKey: (key) => {
        const rec = pending.get(key);
        if (rec === undefined) return;
        pending.delete(key);
        this.joinUnjournaled(key, rec);
        if (pending.size === 0) this.endJoin();
      },
      finish: () => this.finishJoin(),
    };
  }

  /** Records of a snapshot still waiting to be joined. */
  get joinPending(): number {
    return this.joining?.size ?? 0;
  }

  /** Joins up to `max` pending records; returns how many are still pending. */
  joinStep(max: number): number {
    const pending = this.joining;
    const it = this.joinCursor;
    if (pending === null || it === null) return 0;
    for (let n = 0; n < max; n++) {
      const next = it.next();
      if (next.done === true) break;
      const [key, rec] = next.value;
      pending.delete(key);
      this.joinUnjournaled(key, rec);
    }
    const left = pending.size;
    if (left === 0) this.endJoin();
    return left;
  }

  /** Joins every pending record now. */
  finishJoin(): void {
    const pending = this.joining;
    if (pending === null) return;
    // Detach first: joinRecord looks keys up, which must not re-enter.
    this.endJoin();
    for (const [key, rec] of pending) this.joinUnjournaled(key, rec);
  }

  private endJoin(): void {
    this.joining = null;
    this.joinCursor = null;
    this.keyspace.pending = null;
  }

  // ---- expiry and garbage collection ---------------------------------------------------------

  /**
   * One active-expiry cycle (Redis's activeExpireCycle, simplified): sample keys with a TTL,
   * delete the expired ones this instance owns, repeat while more than a quarter of a sample
   * was expired, at most `maxSamples` keys in all. Returns how many keys were deleted.
   */
  activeExpireCycle(maxSamples = 200, sample = 20): number {
    const vol = this.keyspace.volatile;
    let deleted = 0;
    let looked = 0;
    while (vol.size > 0 && looked < maxSamples) {
      let expiredInRound = 0;
      const n = Math.min(sample, vol.size);
      for (let i = 0; i < n; i++) {
        const key = vol.sample(this.random)!;
        const r = this.keyspace.get(key)!;
        looked++;
        if (this.isExpired(r) && this.ownsExpiry(r)) {
          this.expireNow(key, r);
          expiredInRound++;
          deleted++;
        }
      }
      if (expiredInRound * 4 <= n) break;
    }
    return deleted;
  }

  /**
   * Garbage collection (reference §3.7): drops dead records whose removals are stable and
   * metadata inside live records that is no longer needed. Examines at most `budget` records
   * per call from a rotating slot cursor, so a cycle never blocks for long. Returns the next
   * cursor (0 = a full pass completed).
   */
  collectGarbage(stable: Stability, cursor: number, budget: number): number {
    const ks = this.keyspace;
    let slot = cursor;
    for (let seen = 0; seen < budget && slot < ks.slotCount; slot++) {
      const key = ks.keyAtSlot(slot);
      if (key === undefined) continue;
      seen++;
      const r = ks.get(key)!;
      if (dataVisible(r)) {
        KeyType.collect(r, stable);
        continue;
      }
      this.stats.gcAttempted++;
      if (isCollectable(r, stable)) {
        ks.drop(key);
        this.stats.gcCollected++;
      }
    }
    return slot >= ks.slotCount ? 0 : slot;
  }

  /** Records that are dead but not yet collected (INFO crdt_gc_pending). */
  pendingTombstones(): number {
    return this.keyspace.size - this.keyspace.visibleJoined;
  }

  /** Empties the database (coordinated flush; never a client command on Active-Active). */
  flush(): void {
    this.endJoin();
    this.keyspace.clear();
  }
}
