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
import { ExpiryType } from './expiry.js';
import type { StringEffect, StringExtra, StringState } from './string-value.js';
import { StringType, stampWins } from './string-value.js';

export type TypeName = 'string' | 'hash' | 'set' | 'zset' | 'list' | 'hll';

/** What a collection type adds to the uniform interface to live in a key. */
export interface KeyedType<S, E> extends CrdtType<S, E> {
  /** The effect a DEL issues: removes exactly what `state` shows (observed-remove). */
  removalEffect(state: S): E;
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
  /** Stamp of the write that created the current incarnation (type conflicts, §3.2). */
  cts: number;
  cid: number;
}

export class KeyRecord implements StringState {
  type: TypeName;
  /** String register (strings only). */
  v: string | null = null;
  ts = 0;
  id = 0;
  x: StringExtra | null = null;
  /** State of a non-string type. */
  d: unknown = null;
  env: KeyEnvelope | null = null;
  /** Last access in Unix seconds (OBJECT IDLETIME); local bookkeeping, never replicated. */
  lru = 0;

  constructor(type: TypeName) {
    this.type = type;
  }
}

export type KeyOp =
  | { readonly k: 'str'; readonly e: StringEffect }
  | { readonly k: 'data'; readonly type: TypeName; readonly e: unknown }
  | { readonly k: 'exp'; readonly e: ExpiryEffect }
  /** Observed-remove of the whole key: the type's removal effect plus the expiry entries seen. */
  | { readonly k: 'del'; readonly type: TypeName; readonly e: unknown; readonly exp: readonly Dot[] };

export type KeyEffect = readonly KeyOp[];

function env(r: KeyRecord): KeyEnvelope {
  return (r.env ??= { exp: null, tomb: null, cts: 0, cid: 0 });
}

export function dataVisible(r: KeyRecord): boolean {
  if (r.type === 'string') return StringType.isVisible(r);
  return r.d !== null && collectionType(r.type).isVisible(r.d);
}

/** Resets the record to an empty state of `type` (used when a new incarnation of another type
 * replaces a dead one, or wins a type conflict). Expiry of the old incarnation goes with it. */
function switchType(r: KeyRecord, type: TypeName): void {
  r.type = type;
  r.v = null;
  r.ts = 0;
  r.id = 0;
  r.x = null;
  r.d = type === 'string' ? null : collectionType(type).empty();
  if (r.env !== null) r.env.exp = null;
}

/**
 * Decides whether an operation of `type` may act on `r` (which may hold another type).
 * Dead records simply change type. Two live types on one key can only come from concurrent
 * creations on different instances (locally the second would get WRONGTYPE): the incarnation
 * with the later creation stamp wins, ties to the lower instance id — the rule reference §3.2
 * suggests, documented in docs/semantics.md. Returns false when the operation loses.
 */
function admitType(r: KeyRecord, type: TypeName, meta: EffectMeta): boolean {
  if (r.type === type) return true;
  if (dataVisible(r)) {
    const e = r.env;
    const cts = e?.cts ?? 0;
    const cid = e?.cid ?? 0;
    if (!stampWins(meta.ts, meta.origin, cts, cid)) return false;
  }
  switchType(r, type);
  return true;
}

function applyOp(r: KeyRecord, op: KeyOp, meta: EffectMeta): void {
  switch (op.k) {
    case 'str':
      if (op.e.t !== 'rm' && !admitType(r, 'string', meta)) return;
      if (r.type !== 'string') return;
      StringType.apply(r, op.e, meta);
      return;
    case 'data':
      if (!admitType(r, op.type, meta)) return;
      if (r.d === null) r.d = collectionType(op.type).empty();
      collectionType(op.type).apply(r.d, op.e, meta);
      return;
    case 'exp': {
      const en = env(r);
      en.exp ??= ExpiryType.empty();
      ExpiryType.apply(en.exp, op.e, meta);
      return;
    }
    case 'del': {
      if (op.type === r.type) {
        if (op.type === 'string') StringType.apply(r, op.e as StringEffect, meta);
        else if (r.d !== null) collectionType(op.type).apply(r.d, op.e, meta);
      }
      const en = env(r);
      if (op.exp.length > 0) {
        en.exp ??= ExpiryType.empty();
        ExpiryType.apply(en.exp, { at: null, obs: op.exp }, meta);
      }
      (en.tomb ??= []).push({ origin: meta.origin, seq: meta.seq });
      return;
    }
  }
}

export const KeyType: CrdtType<KeyRecord, KeyEffect> & {
  dataVisible: typeof dataVisible;
} = {
  name: 'key',
  dataVisible,

  empty: () => new KeyRecord('string'),

  apply(r, ops, meta) {
    // A new incarnation starts when the key goes from dead to live within this effect — also
    // when one effect deletes the old value and writes a new one (SET over a hash).
    let dead = !dataVisible(r);
    let reborn = false;
    for (const op of ops) {
      applyOp(r, op, meta);
      const live = dataVisible(r);
      if (dead && live) reborn = true;
      dead = !live;
    }
    if (reborn && !dead) {
      const en = env(r);
      en.cts = meta.ts;
      en.cid = meta.origin;
      en.tomb = null;
    }
  },

  joinInto(r, o) {
    if (r.type !== o.type) {
      const rv = dataVisible(r);
      const ov = dataVisible(o);
      const oWins = ov && (!rv || stampWins(o.env?.cts ?? 0, o.env?.cid ?? 0, r.env?.cts ?? 0, r.env?.cid ?? 0));
      if (!oWins) {
        joinEnvelope(r, o);
        return;
      }
      switchType(r, o.type);
    }
    if (r.type === 'string') StringType.joinInto(r, o);
    else if (o.d !== null) {
      const t = collectionType(r.type);
      if (r.d === null) r.d = t.empty();
      t.joinInto(r.d, o.d);
    }
    joinEnvelope(r, o);
  },

  clone(r) {
    const c = new KeyRecord(r.type);
    if (r.type === 'string') {
      const s = StringType.clone(r);
      c.v = s.v;
      c.ts = s.ts;
      c.id = s.id;
      c.x = s.x;
    } else if (r.d !== null) c.d = collectionType(r.type).clone(r.d);
    if (r.env !== null) {
      c.env = {
        exp: r.env.exp && ExpiryType.clone(r.env.exp),
        tomb: r.env.tomb && [...r.env.tomb],
        cts: r.env.cts,
        cid: r.env.cid,
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
    if (a.type !== b.type) return false;
    if (a.type === 'string') {
      if (!StringType.equal(a, b)) return false;
    } else {
      const t = collectionType(a.type);
      const ad = a.d ?? t.empty();
      const bd = b.d ?? t.empty();
      if (!t.equal(ad, bd)) return false;
    }
    const ae = a.env?.exp ?? ExpiryType.empty();
    const be = b.env?.exp ?? ExpiryType.empty();
    return ExpiryType.equal(ae, be);
  },

  collect(r, stable) {
    if (r.type !== 'string' && r.d !== null) collectionType(r.type).collect(r.d, stable);
    if (r.env?.exp) ExpiryType.collect(r.env.exp, stable);
  },

  encode(r, w) {
    w.str(r.type);
    if (r.type === 'string') StringType.encode(r, w);
    else {
      const t = collectionType(r.type);
      t.encode(r.d ?? t.empty(), w);
    }
    const en = r.env;
    if (en === null) {
      w.u8(0);
      return;
    }
    w.u8(1).uint(en.cts).uint(en.cid);
    w.u8(en.exp ? 1 : 0);
    if (en.exp) ExpiryType.encode(en.exp, w);
    const tomb = en.tomb ?? [];
    w.uint(tomb.length);
    for (const d of tomb) w.uint(d.origin).uint(d.seq);
  },

  decode(rd) {
    const type = rd.str() as TypeName;
    const r = new KeyRecord(type);
    if (type === 'string') {
      const s = StringType.decode(rd);
      r.v = s.v;
      r.ts = s.ts;
      r.id = s.id;
      r.x = s.x;
    } else r.d = collectionType(type).decode(rd);
    if (rd.u8() === 1) {
      const en: KeyEnvelope = { exp: null, tomb: null, cts: rd.uint(), cid: rd.uint() };
      if (rd.u8() === 1) en.exp = ExpiryType.decode(rd);
      const n = rd.uint();
      if (n > 0) {
        en.tomb = [];
        for (let i = 0; i < n; i++) en.tomb.push({ origin: rd.uint(), seq: rd.uint() });
      }
      r.env = en;
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
  const en = env(r);
  if (oe.exp) {
    en.exp ??= ExpiryType.empty();
    ExpiryType.joinInto(en.exp, oe.exp);
  }
  if (stampWins(oe.cts, oe.cid, en.cts, en.cid) && r.type === o.type) {
    en.cts = oe.cts;
    en.cid = oe.cid;
  }
  if (oe.tomb) {
    const t = (en.tomb ??= []);
    for (const d of oe.tomb) if (!t.some((x) => x.origin === d.origin && x.seq === d.seq)) t.push(d);
  }
}

/** A dead record whose removals are all stable can be dropped from the keyspace. */
export function isCollectable(r: KeyRecord, stable: Stability): boolean {
  if (dataVisible(r)) return false;
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
