/**
 * The key envelope: one key of the keyspace as a CRDT (reference §1.9, §3).
 *
 * A record holds the key's type, its data, its expiry register and — once everything in it has
 * been removed — the dots of the removals that made it a tombstone (kept until they are stable,
 * reference §3.7). Strings, by far the most common keys, keep their register inline in the
 * record (fields v/ts/id/x, see string-value.ts) so a plain string key is one small object;
 * other types keep their state in `d`, dispatched through the type registry below.
 *
 * One effect of this envelope is the list of operations one command did on one key, under one
 * dot: e.g. SET k v EX 10 is [string set, expiry set].
 */
import type { BinaryReader, BinaryWriter } from './binary.js';
import type { CrdtType, EffectMeta, Stability } from './crdt.js';
import type { Dot } from './dot.js';
import type { ExpiryEffect, ExpiryState } from './expiry.js';
import { ExpiryType, expiryCollectable } from './expiry.js';
import type { StringEffect, StringExtra, StringState } from './string-value.js';
import { StringType, stringRemoves } from './string-value.js';

export type TypeName = 'string' | 'hash' | 'set' | 'zset' | 'list' | 'hll';

/** What a collection type adds to the uniform interface to live in a key. */
export interface KeyedType<S, E> extends CrdtType<S, E> {
  /** The effect a DEL issues: removes exactly what `state` shows (observed-remove). */
  removalEffect(state: S): E;
  /**
   * Whether an effect removes something (an element, a member, a field or a counter part). Its
   * dot then guards the record: a dead record is dropped only once every such dot is stable,
   * since the state's removal metadata decides how effects concurrent with it come out.
   */
  removes(effect: E): boolean;
}

const collectionTypes = new Map<TypeName, KeyedType<unknown, unknown>>();

/** Collection types register themselves here (see crdt/index.ts). */
export function registerType<S, E>(name: TypeName, type: KeyedType<S, E>): void {
  collectionTypes.set(name, type as unknown as KeyedType<unknown, unknown>);
}

export function collectionType(name: TypeName): KeyedType<unknown, unknown> {
  const t = collectionTypes.get(name);
  if (t === undefined) throw new Error(`type ${name} is not registered`);
  return t;
}

export interface KeyEnvelope {
  exp: ExpiryState | null;
  /** Removal dots that left the key empty, for garbage collection. */
  tomb: Dot[] | null;
  /**
   * States of other types that concurrent writes created on this key (reference §3.2): kept, not
   * discarded, so the outcome does not depend on the order effects arrive in. Null almost always.
   */
  alt: Map<TypeName, unknown> | null;
}

/**
 * Which type a key shows when concurrent writes left states of several types visible on it
 * (reference §3.2 gap; docs/semantics.md). A fixed order is a function of the set of visible
 * states only, so every instance picks the same whatever the delivery order. Strings first: SET
 * overwrites any type in Redis, so a concurrent SET is the likeliest intent to keep.
 */
export const TYPE_PRECEDENCE: readonly TypeName[] = ['string', 'hash', 'list', 'set', 'zset', 'hll'];

export class KeyRecord implements StringState {
  type: TypeName;
  /** String register (strings only). */
  v: string | null = null;
  ts = 0;
  id = 0;
  x: StringExtra | null = null;
  /** State of a non-string type. */
  d: unknown = null;
  /** Expiry, tombstone dots and concurrent other-type states; null for most keys. */
  env: KeyEnvelope | null = null;
  /** Last access in Unix seconds (OBJECT IDLETIME); local bookkeeping, never replicated. */
  lru = 0;
  /** Position in the keyspace slot table (SCAN cursors); local bookkeeping. */
  slot = -1;

  constructor(type: TypeName) {
    this.type = type;
  }
}

export type KeyOp =
  | { readonly k: 'str'; readonly e: StringEffect }
  | { readonly k: 'data'; readonly type: TypeName; readonly e: unknown }
  | { readonly k: 'exp'; readonly e: ExpiryEffect }
  /** Observed-remove of one type's state: its removal effect plus the expiry entries seen. */
  | { readonly k: 'del'; readonly type: TypeName; readonly e: unknown; readonly exp: readonly Dot[] };

export type KeyEffect = readonly KeyOp[];

function env(r: KeyRecord): KeyEnvelope {
  return (r.env ??= { exp: null, tomb: null, alt: null });
}

function typeOf(name: TypeName): CrdtType<unknown, unknown> {
  return name === 'string' ? (StringType as unknown as CrdtType<unknown, unknown>) : collectionType(name);
}

/** The primary state of a record as a value (strings are the record's own fields). */
function primaryState(r: KeyRecord): unknown {
  if (r.type === 'string') return { v: r.v, ts: r.ts, id: r.id, x: r.x } satisfies StringState;
  return r.d ?? collectionType(r.type).empty();
}

function setPrimary(r: KeyRecord, type: TypeName, state: unknown): void {
  r.type = type;
  if (type === 'string') {
    const s = state as StringState;
    r.v = s.v;
    r.ts = s.ts;
    r.id = s.id;
    r.x = s.x;
    r.d = null;
  } else {
    r.v = null;
    r.ts = 0;
    r.id = 0;
    r.x = null;
    r.d = state;
  }
}

export function dataVisible(r: KeyRecord): boolean {
  if (r.type === 'string') {
    // Hot path: a plain register with no removal or counter metadata.
    if (r.x === null) return r.v !== null;
    return StringType.isVisible(r);
  }
  return r.d !== null && collectionType(r.type).isVisible(r.d);
}

/** The state of `type` on this record, created empty when missing (primary or alternate). */
function stateFor(r: KeyRecord, type: TypeName): { state: unknown } {
  if (r.type === type) {
    if (type === 'string') return { state: r };
    if (r.d === null) r.d = collectionType(type).empty();
    return { state: r.d };
  }
  if (!dataVisible(r) && (r.env?.alt == null || !r.env.alt.has(type)) && isEmptyPrimary(r)) {
    // A record that never held anything of its type simply becomes the new type.
    setPrimary(r, type, typeOf(type).empty());
    return stateFor(r, type);
  }
  const en = env(r);
  const alt = (en.alt ??= new Map());
  let st = alt.get(type);
  if (st === undefined) {
    st = typeOf(type).empty();
    alt.set(type, st);
  }
  return { state: st };
}

function isEmptyPrimary(r: KeyRecord): boolean {
  const t = typeOf(r.type);
  return t.equal(primaryState(r), t.empty());
}

/** After a change, shows the type that wins among the visible states (TYPE_PRECEDENCE). */
function settle(r: KeyRecord): void {
  const alt = r.env?.alt;
  if (alt == null || alt.size === 0) return;
  let winner: TypeName | null = dataVisible(r) ? r.type : null;
  for (const [t, st] of alt) {
    if (!typeOf(t).isVisible(st)) continue;
    if (winner === null || TYPE_PRECEDENCE.indexOf(t) < TYPE_PRECEDENCE.indexOf(winner)) winner = t;
  }
  if (winner === null || winner === r.type) return;
  const incoming = alt.get(winner)!;
  alt.delete(winner);
  alt.set(r.type, primaryState(r));
  setPrimary(r, winner, incoming);
}

function applyData(r: KeyRecord, type: TypeName, e: unknown, meta: EffectMeta): void {
  typeOf(type).apply(stateFor(r, type).state, e, meta);
}

function applyOp(r: KeyRecord, op: KeyOp, meta: EffectMeta): void {
  switch (op.k) {
    case 'str':
      if (r.type === 'string') StringType.apply(r, op.e, meta);
      else applyData(r, 'string', op.e, meta);
      return;
    case 'data':
      applyData(r, op.type, op.e, meta);
      return;
    case 'exp': {
      const en = env(r);
      en.exp ??= ExpiryType.empty();
      ExpiryType.apply(en.exp, op.e, meta);
      return;
    }
    case 'del': {
      applyData(r, op.type, op.e, meta);
      if (op.exp.length > 0) {
        const en = env(r);
        en.exp ??= ExpiryType.empty();
        ExpiryType.apply(en.exp, { at: null, obs: op.exp }, meta);
      }
      return;
    }
  }
}

/** Every type state of a record (primary first), for joins, equality and encoding. */
function allStates(r: KeyRecord): Map<TypeName, unknown> {
  const m = new Map<TypeName, unknown>();
  m.set(r.type, primaryState(r));
  for (const [t, st] of r.env?.alt ?? []) m.set(t, st);
  return m;
}

function sortedTypes(m: Map<TypeName, unknown>): TypeName[] {
  return [...m.keys()].sort((a, b) => TYPE_PRECEDENCE.indexOf(a) - TYPE_PRECEDENCE.indexOf(b));
}

export const KeyType: CrdtType<KeyRecord, KeyEffect> & {
  dataVisible: typeof dataVisible;
} = {
  name: 'key',
  dataVisible,

  empty: () => new KeyRecord('string'),

  apply(r, ops, meta) {
    let removed = false;
    for (const op of ops) {
      applyOp(r, op, meta);
      if (opRemoves(op)) removed = true;
      settle(r);
    }
    // The dot of a removal — a DEL, and any effect that removes part of a value (a pop, an HDEL,
    // a SET that removes counter parts) — is kept until stable, across revivals too: a record
    // that died must not be dropped while effects concurrent with one of its removals can still
    // arrive (their outcome depends on the removal metadata it holds). So is the dot of any
    // effect that leaves the record showing nothing: it may have arrived before what it refers to
    // (an LSET or an insert before the element it names, a removal before the member), and what
    // it left waiting must still be here when that arrives. collect() prunes the stable dots.
    if (removed || !dataVisible(r)) (env(r).tomb ??= []).push({ origin: meta.origin, seq: meta.seq });
  },

  joinInto(r, o) {
    for (const [t, st] of allStates(o)) typeOf(t).joinInto(stateFor(r, t).state, st);
    joinEnvelope(r, o);
    settle(r);
  },

  clone(r) {
    const c = new KeyRecord(r.type);
    const t = typeOf(r.type);
    setPrimary(c, r.type, t.clone(primaryState(r)));
    if (r.env !== null) {
      c.env = {
        exp: r.env.exp && ExpiryType.clone(r.env.exp),
        tomb: r.env.tomb && [...r.env.tomb],
        alt: r.env.alt && new Map([...r.env.alt].map(([k, st]) => [k, typeOf(k).clone(st)])),
      };
    }
    return c;
  },

  isVisible: dataVisible,

  value(r) {
    if (!dataVisible(r)) return null;
    const data = r.type === 'string' ? StringType.value(r) : collectionType(r.type).value(r.d);
    const exp = r.env?.exp ? ExpiryType.value(r.env.exp) : Infinity;
    return { type: r.type, data, exp: exp === Infinity ? null : exp };
  },

  equal(a, b) {
    const sa = allStates(a);
    const sb = allStates(b);
    for (const t of new Set([...sa.keys(), ...sb.keys()])) {
      const ty = typeOf(t);
      if (!ty.equal(sa.get(t) ?? ty.empty(), sb.get(t) ?? ty.empty())) return false;
    }
    if (dataVisible(a) !== dataVisible(b) || (dataVisible(a) && a.type !== b.type)) return false;
    const ae = a.env?.exp ?? ExpiryType.empty();
    const be = b.env?.exp ?? ExpiryType.empty();
    return ExpiryType.equal(ae, be);
  },

  collect(r, stable) {
    if (r.type !== 'string' && r.d !== null) collectionType(r.type).collect(r.d, stable);
    const tomb = r.env?.tomb;
    if (tomb && dataVisible(r)) {
      const left = tomb.filter((d) => !stable.isStable(d.origin, d.seq));
      r.env!.tomb = left.length ? left : null;
    }
    if (r.env?.exp) ExpiryType.collect(r.env.exp, stable);
    const alt = r.env?.alt;
    if (alt) {
      for (const [t, st] of alt) {
        typeOf(t).collect(st, stable);
        // A hidden state that shows nothing and whose removal is stable is dropped.
        if (!typeOf(t).isVisible(st) && (r.env!.tomb ?? []).every((d) => stable.isStable(d.origin, d.seq))) alt.delete(t);
      }
      if (alt.size === 0) r.env!.alt = null;
    }
  },

  encode(r, w) {
    const states = allStates(r);
    const types = sortedTypes(states);
    w.str(r.type).uint(types.length);
    for (const t of types) {
      w.str(t);
      typeOf(t).encode(states.get(t), w);
    }
    const en = r.env;
    w.u8(en?.exp ? 1 : 0);
    if (en?.exp) ExpiryType.encode(en.exp, w);
    const tomb = en?.tomb ?? [];
    w.uint(tomb.length);
    for (const d of tomb) w.uint(d.origin).uint(d.seq);
  },

  decode(rd) {
    const primary = rd.str() as TypeName;
    const r = new KeyRecord(primary);
    const n = rd.uint();
    for (let i = 0; i < n; i++) {
      const t = rd.str() as TypeName;
      const st = typeOf(t).decode(rd);
      if (t === primary) setPrimary(r, t, st);
      else ((env(r).alt ??= new Map()) as Map<TypeName, unknown>).set(t, st);
    }
    if (rd.u8() === 1) env(r).exp = ExpiryType.decode(rd);
    const nt = rd.uint();
    if (nt > 0) {
      const tomb: Dot[] = [];
      for (let i = 0; i < nt; i++) tomb.push({ origin: rd.uint(), seq: rd.uint() });
      env(r).tomb = tomb;
    }
    return r;
  },

  encodeEffect(ops, w) {
    w.uint(ops.length);
    for (const op of ops) encodeOp(op, w);
  },

  decodeEffect(rd) {
    const n = rd.uint();
    const ops: KeyOp[] = [];
    for (let i = 0; i < n; i++) ops.push(decodeOp(rd));
    return ops;
  },
};

function joinEnvelope(r: KeyRecord, o: KeyRecord): void {
  const oe = o.env;
  if (oe === null) return;
  if (oe.exp) {
    const en = env(r);
    en.exp ??= ExpiryType.empty();
    ExpiryType.joinInto(en.exp, oe.exp);
  }
  if (oe.tomb) {
    const t = (env(r).tomb ??= []);
    for (const d of oe.tomb) if (!t.some((x) => x.origin === d.origin && x.seq === d.seq)) t.push(d);
    t.sort((a, b) => a.origin - b.origin || a.seq - b.seq);
  }
}

/** Whether one operation removes something (see KeyedType.removes). */
function opRemoves(op: KeyOp): boolean {
  switch (op.k) {
    case 'del':
      return true;
    case 'str':
      return stringRemoves(op.e);
    case 'data':
      return op.type === 'string' ? stringRemoves(op.e as StringEffect) : collectionType(op.type).removes(op.e);
    case 'exp':
      return false;
  }
}

/**
 * A dead record can be dropped from the keyspace once its removals are all stable and its
 * expiry register holds nothing a late effect could still need (expiry.ts expiryCollectable):
 * dropping it earlier would make the outcome of effects still on their way depend on when each
 * instance collected it.
 */
export function isCollectable(r: KeyRecord, stable: Stability): boolean {
  if (dataVisible(r)) return false;
  if (!expiryCollectable(r.env?.exp ?? null, stable)) return false;
  const tomb = r.env?.tomb;
  if (!tomb || tomb.length === 0) return true;
  return tomb.every((d) => stable.isStable(d.origin, d.seq));
}

const OP_TAGS = { str: 1, data: 2, exp: 3, del: 4 } as const;

function encodeOp(op: KeyOp, w: BinaryWriter): void {
  w.u8(OP_TAGS[op.k]);
  switch (op.k) {
    case 'str':
      StringType.encodeEffect(op.e, w);
      return;
    case 'data':
      w.str(op.type);
      collectionType(op.type).encodeEffect(op.e, w);
      return;
    case 'exp':
      ExpiryType.encodeEffect(op.e, w);
      return;
    case 'del':
      w.str(op.type);
      if (op.type === 'string') StringType.encodeEffect(op.e as StringEffect, w);
      else collectionType(op.type).encodeEffect(op.e, w);
      w.uint(op.exp.length);
      for (const d of op.exp) w.uint(d.origin).uint(d.seq);
      return;
  }
}

function decodeOp(rd: BinaryReader): KeyOp {
  const tag = rd.u8();
  switch (tag) {
    case 1:
      return { k: 'str', e: StringType.decodeEffect(rd) };
    case 2: {
      const type = rd.str() as TypeName;
      return { k: 'data', type, e: collectionType(type).decodeEffect(rd) };
    }
    case 3:
      return { k: 'exp', e: ExpiryType.decodeEffect(rd) };
    case 4: {
      const type = rd.str() as TypeName;
      const e = type === 'string' ? StringType.decodeEffect(rd) : collectionType(type).decodeEffect(rd);
      const exp: Dot[] = [];
      for (let n = rd.uint(); n > 0; n--) exp.push({ origin: rd.uint(), seq: rd.uint() });
      return { k: 'del', type, e, exp };
    }
    default:
      throw new RangeError(`unknown key op tag ${tag}`);
  }
}
