/**
 * HyperLogLog: Redis's own HLL (hyperloglog.c of Redis 7) as an Active-Active CRDT
 * (reference §2.8).
 *
 * Redis compatibility. The registers are kept in Redis's string form — the 16-byte "HYLL" header
 * (encoding, cached cardinality) followed by the sparse or dense register encoding — and updated
 * by ports of Redis's own routines: MurmurHash64A (seed 0xadc83b19) picks the register and the
 * run length, the sparse encoding is edited in place with the same opcodes and merge window and
 * promoted to dense past hll-sparse-max-bytes (3000) or for a register above 32, and PFCOUNT uses
 * the Ertl estimator of Redis >= 5 and caches its result in the header. So on one instance PFADD
 * gives the same replies, PFCOUNT the same numbers and GET the same bytes as redis-server. (The
 * sparse form depends on the order registers were set in, so two instances that applied
 * concurrent PFADDs in different orders may return different bytes for the same registers;
 * PFCOUNT depends only on the registers.)
 *
 * Effects carry only the registers a PFADD or PFMERGE raised, in the order the writer raised
 * them; applying them with max-per-register (rule 1: concurrent adds union) replays the writer's
 * exact byte edits on an instance that had the same bytes.
 *
 * DEL wins (rule 2, TV-HLL-03): an add survives only if it observed every DEL of the key. Each
 * DEL is known by its dot; `dels` holds the latest DEL per origin (DELs of one origin are ordered).
 * Every effect carries the DELs its writer knew (`dels`) and the writer's observed vector clock
 * (`seen`): an add covers DEL (o, q) when either says it had it. Why both:
 * - `dels` propagates knowledge: an instance that applies an add learns every DEL the writer
 *   knew, even one whose own effect has not arrived yet (delivery is per-origin FIFO only), and
 *   drops the adds that had not seen it before merging the new one;
 * - `seen` covers a writer that knew the DEL but no longer holds it: once a DEL is stable the
 *   dead key is garbage-collected with its `dels`, and an add on the recreated key must still
 *   beat that DEL on an instance that has not collected yet.
 * Surviving adds all cover `dels`, and a newly learned DEL was covered by none of them (whoever
 * had seen it would have carried it in `dels`), so the state needs one generation only: the
 * registers of the adds that cover `dels`, and `cover`, the pointwise minimum of what those adds
 * observed. A join keeps a side's generation iff its `cover` covers the joined `dels` — exactly
 * what applying the effects would keep.
 */
import type { BinaryReader, BinaryWriter } from './binary.js';
import type { EffectMeta, Stability } from './crdt.js';
import type { KeyedType } from './key.js';

// ---- Redis constants (hyperloglog.c) -----------------------------------------------------------

const HLL_P = 14;
export const HLL_REGISTERS = 1 << HLL_P;
const HLL_Q = 64 - HLL_P;
const HLL_BITS = 6;
const HLL_REGISTER_MAX = (1 << HLL_BITS) - 1;
const HDR = 16;
const HLL_DENSE = 0;
const HLL_SPARSE = 1;
const DENSE_SIZE = HDR + ((HLL_REGISTERS * HLL_BITS + 7) >> 3);
const SPARSE_VAL_MAX_VALUE = 32;
const SPARSE_VAL_MAX_LEN = 4;
const SPARSE_ZERO_MAX_LEN = 64;
const SPARSE_XZERO_MAX_LEN = 16384;
/** 0.5 / ln(2): Redis writes 0.721347520444481703680, which is this double. */
const HLL_ALPHA_INF = 0.7213475204444817;
/** Redis's hll-sparse-max-bytes default. */
export const HLL_SPARSE_MAX_BYTES = 3000;

export class HllError extends Error {
  constructor(readonly code: 'WRONGTYPE' | 'INVALIDOBJ', message: string) {
    super(`${code} ${message}`);
  }
}

const notHll = (): HllError => new HllError('WRONGTYPE', 'Key is not a valid HyperLogLog string value.');
const corrupted = (): HllError => new HllError('INVALIDOBJ', 'Corrupted HLL object detected');

// ---- MurmurHash64A in 32-bit halves (no BigInt on the PFADD path) --------------------------------

const M_HI = 0xc6a4a793;
const M_LO = 0x5bd1e995;
const SEED = 0xadc83b19;
let rh = 0;
let rl = 0;

/** (ah:al) * (bh:bl) mod 2^64 into (rh:rl). */
function mul64(ah: number, al: number, bh: number, bl: number): void {
  const a0 = al & 0xffff;
  const a1 = al >>> 16;
  const b0 = bl & 0xffff;
  const b1 = bl >>> 16;
  const mid = a0 * b1 + a1 * b0;
  const lo = a0 * b0 + (mid % 65536) * 65536;
  rl = lo >>> 0;
  rh = (a1 * b1 + Math.floor(mid / 65536) + Math.floor(lo / 4294967296) + Math.imul(ah, bl) + Math.imul(al, bh)) >>> 0;
}

/** MurmurHash64A of a latin1 string (one byte per char); result in (rh:rl). */
function murmur64a(s: string): void {
  const len = s.length;
  mul64(0, len, M_HI, M_LO);
  let hh = rh;
  let hl = (rl ^ SEED) >>> 0;
  const blocks = len - (len & 7);
  for (let i = 0; i < blocks; i += 8) {
    let kl = (s.charCodeAt(i) | (s.charCodeAt(i + 1) << 8) | (s.charCodeAt(i + 2) << 16) | (s.charCodeAt(i + 3) << 24)) >>> 0;
    let kh = (s.charCodeAt(i + 4) | (s.charCodeAt(i + 5) << 8) | (s.charCodeAt(i + 6) << 16) | (s.charCodeAt(i + 7) << 24)) >>> 0;
    mul64(kh, kl, M_HI, M_LO);
    kh = rh;
    kl = (rl ^ (kh >>> 15)) >>> 0; // k ^= k >> 47
    mul64(kh, kl, M_HI, M_LO);
    hh = (hh ^ rh) >>> 0;
    hl = (hl ^ rl) >>> 0;
    mul64(hh, hl, M_HI, M_LO);
    hh = rh;
    hl = rl;
  }
  const rest = len & 7;
  if (rest > 0) {
    const c = (j: number) => s.charCodeAt(blocks + j);
    if (rest >= 7) hh ^= c(6) << 16;
    if (rest >= 6) hh ^= c(5) << 8;
    if (rest >= 5) hh ^= c(4);
    if (rest >= 4) hl ^= c(3) << 24;
    if (rest >= 3) hl ^= c(2) << 16;
    if (rest >= 2) hl ^= c(1) << 8;
    hl ^= c(0);
    mul64(hh >>> 0, hl >>> 0, M_HI, M_LO);
    hh = rh;
    hl = rl;
  }
  hl = (hl ^ (hh >>> 15)) >>> 0;
  mul64(hh, hl, M_HI, M_LO);
  rh = rh >>> 0;
  rl = (rl ^ (rh >>> 15)) >>> 0;
}

/** Exposed for tests: MurmurHash64A of `s` as a bigint. */
export function murmurHash64A(s: string): bigint {
  murmur64a(s);
  return (BigInt(rh) << 32n) | BigInt(rl);
}

let patIndex = 0;

/** hllPatLen: sets `patIndex`, returns the run length of zeros + 1 (1..51). */
function patLen(ele: string): number {
  murmur64a(ele);
  patIndex = rl & (HLL_REGISTERS - 1);
  // hash >>= P; hash |= 1 << Q; count = trailing zeros + 1
  const lo = ((rl >>> HLL_P) | (rh << (32 - HLL_P))) >>> 0;
  const hi = ((rh >>> HLL_P) | (1 << (HLL_Q - 32))) >>> 0;
  if (lo !== 0) return 32 - Math.clz32(lo & -lo);
  return 64 - Math.clz32(hi & -hi);
}

/** Register and count an element lands on (tests). */
export function hllPosition(ele: string): { index: number; count: number } {
  const count = patLen(ele);
  return { index: patIndex, count };
}

// ---- the Redis string form --------------------------------------------------------------------

/** A Redis HLL string being edited: `buf` has room to grow, `len` bytes are the value. */
interface Bytes {
  buf: Buffer;
  len: number;
}

function freshBytes(): Bytes {
  // createHLLObject: header, then XZERO opcodes covering every register (one of 16384).
  const buf = Buffer.alloc(HDR + 2 + 30);
  buf.write('HYLL', 0, 'latin1');
  buf[4] = HLL_SPARSE;
  const l = SPARSE_XZERO_MAX_LEN - 1;
  buf[HDR] = (l >> 8) | 0x40;
  buf[HDR + 1] = l & 0xff;
  return { buf, len: HDR + 2 };
}

function ensureRoom(b: Bytes, n: number): void {
  if (b.len + n <= b.buf.length) return;
  const next = Buffer.alloc(Math.min(Math.max(b.buf.length * 2, b.len + n), DENSE_SIZE + 1));
  b.buf.copy(next, 0, 0, b.len);
  b.buf = next;
}

const invalidateCache = (b: Bytes): void => {
  b.buf[15]! |= 0x80;
};

const isZero = (op: number) => (op & 0xc0) === 0;
const isXzero = (op: number) => (op & 0xc0) === 0x40;
const isVal = (op: number) => (op & 0x80) !== 0;
const valValue = (op: number) => ((op >> 2) & 0x1f) + 1;
const valLen = (op: number) => (op & 0x3) + 1;
const valOp = (v: number, len: number) => (((v - 1) << 2) | (len - 1) | 0x80) & 0xff;

function denseGet(buf: Buffer, reg: number): number {
  const bit = reg * HLL_BITS;
  const byte = HDR + (bit >> 3);
  const fb = bit & 7;
  return ((buf[byte]! >> fb) | ((buf[byte + 1] ?? 0) << (8 - fb))) & HLL_REGISTER_MAX;
}

function denseSetRaw(buf: Buffer, reg: number, v: number): void {
  const bit = reg * HLL_BITS;
  const byte = HDR + (bit >> 3);
  const fb = bit & 7;
  const fb8 = 8 - fb;
  buf[byte] = (buf[byte]! & ~(HLL_REGISTER_MAX << fb)) | (v << fb);
  if (byte + 1 < DENSE_SIZE) buf[byte + 1] = (buf[byte + 1]! & ~(HLL_REGISTER_MAX >> fb8)) | (v >> fb8);
}

/** hllDenseSet: 1 when the register grew. */
function denseSet(b: Bytes, reg: number, count: number): number {
  if (count <= denseGet(b.buf, reg)) return 0;
  denseSetRaw(b.buf, reg, count);
  return 1;
}

/** Register value read from the sparse form (for building effects). */
function sparseGet(b: Bytes, reg: number): number {
  let found = -1;
  walkSparse(b, (at, len, v) => {
    if (reg >= at + len) return true;
    found = v;
    return false;
  });
  if (found < 0) throw corrupted();
  return found;
}

function getRegister(b: Bytes, reg: number): number {
  return b.buf[4] === HLL_DENSE ? denseGet(b.buf, reg) : sparseGet(b, reg);
}

/**
 * Walks the opcodes of a sparse representation in order: `run(idx, len, v)` for every run of
 * `len` registers of value `v` from register `idx` (ZERO and XZERO runs have v = 0). Stops early
 * when `run` returns false; returns the index reached (HLL_REGISTERS when well formed).
 */
function walkSparse(b: Bytes, run: (idx: number, len: number, v: number) => boolean): number {
  const buf = b.buf;
  let idx = 0;
  for (let p = HDR; p < b.len; ) {
    const op = buf[p]!;
    let len: number;
    let v = 0;
    if (isZero(op)) {
      len = (op & 0x3f) + 1;
      p++;
    } else if (isXzero(op)) {
      len = (((op & 0x3f) << 8) | buf[p + 1]!) + 1;
      p += 2;
    } else {
      len = valLen(op);
      v = valValue(op);
      p++;
    }
    if (!run(idx, len, v)) break;
    idx += len;
  }
  return idx;
}

/** hllSparseToDense. */
function sparseToDense(b: Bytes): void {
  if (b.buf[4] === HLL_DENSE) return;
  const dense = Buffer.alloc(DENSE_SIZE + 1);
  b.buf.copy(dense, 0, 0, HDR); // magic and cached cardinality
  dense[4] = HLL_DENSE;
  const idx = walkSparse(b, (at, len, v) => {
    if (at + len > HLL_REGISTERS) return false;
    if (v !== 0) for (let i = 0; i < len; i++) denseSetRaw(dense, at + i, v);
    return true;
  });
  if (idx !== HLL_REGISTERS) throw corrupted();
  b.buf = dense;
  b.len = DENSE_SIZE;
}

function promote(b: Bytes, reg: number, count: number): number {
  sparseToDense(b);
  denseSet(b, reg, count);
  return 1;
}

/** hllSparseSet, step by step as in Redis 7.0: 1 when the register grew. */
function sparseSet(b: Bytes, reg: number, count: number, sparseMax: number): number {
  if (count > SPARSE_VAL_MAX_VALUE) return promote(b, reg, count);
  ensureRoom(b, 3);
  const buf = b.buf;
  // Step 1: the opcode covering `reg`.
  let p = HDR;
  let end = b.len;
  let first = 0;
  let prev = -1;
  let span = 0;
  while (p < end) {
    const op = buf[p]!;
    let oplen = 1;
    if (isZero(op)) span = (op & 0x3f) + 1;
    else if (isVal(op)) span = valLen(op);
    else {
      span = (((op & 0x3f) << 8) | buf[p + 1]!) + 1;
      oplen = 2;
    }
    if (reg <= first + span - 1) break;
    prev = p;
    p += oplen;
    first += span;
  }
  if (span === 0 || p >= end) throw corrupted();
  const op = buf[p]!;
  const xzero = isXzero(op);
  let next = xzero ? p + 2 : p + 1;
  if (next >= end) next = -1;
  const zero = isZero(op);
  const val = isVal(op);
  const runlen = zero ? (op & 0x3f) + 1 : xzero ? (((op & 0x3f) << 8) | buf[p + 1]!) + 1 : valLen(op);

  // Step 2: trivial cases.
  let updated = false;
  if (val) {
    if (valValue(op) >= count) return 0;
    if (runlen === 1) {
      buf[p] = valOp(count, 1);
      updated = true;
    }
  }
  if (!updated && zero && runlen === 1) {
    buf[p] = valOp(count, 1);
    updated = true;
  }
  if (!updated) {
    // Step 3: split the opcode into up to three.
    const seq: number[] = [];
    const last = first + span - 1;
    const zeros = (len: number) => {
      if (len > SPARSE_ZERO_MAX_LEN) seq.push(((len - 1) >> 8) | 0x40, (len - 1) & 0xff);
      else seq.push(len - 1);
    };
    if (zero || xzero) {
      if (reg !== first) zeros(reg - first);
      seq.push(valOp(count, 1));
      if (reg !== last) zeros(last - reg);
    } else {
      const cur = valValue(op);
      if (reg !== first) seq.push(valOp(cur, reg - first));
      seq.push(valOp(count, 1));
      if (reg !== last) seq.push(valOp(cur, last - reg));
    }
    const delta = seq.length - (xzero ? 2 : 1);
    if (delta > 0 && b.len + delta > sparseMax) return promote(b, reg, count);
    if (delta !== 0 && next !== -1) buf.copyWithin(next + delta, next, end);
    b.len += delta;
    for (let i = 0; i < seq.length; i++) buf[p + i] = seq[i]!;
    end += delta;
  }
  // Step 4: merge adjacent VAL opcodes, scanning at most 5 opcodes from the previous one.
  p = prev >= 0 ? prev : HDR;
  let scan = 5;
  while (p < end && scan-- > 0) {
    const o = buf[p]!;
    if (isXzero(o)) {
      p += 2;
      continue;
    }
    if (isZero(o)) {
      p++;
      continue;
    }
    if (p + 1 < end && isVal(buf[p + 1]!)) {
      const v1 = valValue(o);
      if (v1 === valValue(buf[p + 1]!)) {
        const len = valLen(o) + valLen(buf[p + 1]!);
        if (len <= SPARSE_VAL_MAX_LEN) {
          buf[p + 1] = valOp(v1, len);
          buf.copyWithin(p, p + 1, end);
          b.len--;
          end--;
          continue;
        }
      }
    }
    p++;
  }
  invalidateCache(b);
  return 1;
}

function setRegister(b: Bytes, reg: number, count: number): number {
  return b.buf[4] === HLL_DENSE ? denseSet(b, reg, count) : sparseSet(b, reg, count, HLL_SPARSE_MAX_BYTES);
}

/** Register histogram (hllDenseRegHisto / hllSparseRegHisto). */
function histogram(b: Bytes): Int32Array {
  const h = new Int32Array(64);
  const buf = b.buf;
  if (buf[4] === HLL_DENSE) {
    for (let r = 0; r < HLL_REGISTERS; r++) h[denseGet(buf, r)]!++;
    return h;
  }
  const idx = walkSparse(b, (_at, len, v) => {
    h[v]! += len;
    return true;
  });
  if (idx !== HLL_REGISTERS) throw corrupted();
  return h;
}

function hllSigma(x: number): number {
  if (x === 1) return Infinity;
  let zPrime: number;
  let y = 1;
  let z = x;
  do {
    x *= x;
    zPrime = z;
    z += x * y;
    y += y;
  } while (zPrime !== z);
  return z;
}

function hllTau(x: number): number {
  if (x === 0 || x === 1) return 0;
  let zPrime: number;
  let y = 1.0;
  let z = 1 - x;
  do {
    x = Math.sqrt(x);
    zPrime = z;
    y *= 0.5;
    const d = 1 - x;
    z -= d * d * y; // pow(1 - x, 2): glibc's pow is correctly rounded, as is one multiply
  } while (zPrime !== z);
  return z / 3;
}

/** hllCount: Ertl's improved estimator (Redis >= 5). */
function estimate(h: Int32Array): number {
  const m = HLL_REGISTERS;
  let z = m * hllTau((m - h[HLL_Q + 1]!) / m);
  for (let j = HLL_Q; j >= 1; --j) {
    z += h[j]!;
    z *= 0.5;
  }
  z += m * hllSigma(h[0]! / m);
  // llroundl: halves away from zero; the value is >= 0, where Math.round agrees.
  return Math.round((HLL_ALPHA_INF * m * m) / z);
}

/** All registers as one array (for unions and equality). */
function registers(b: Bytes): Uint8Array {
  const out = new Uint8Array(HLL_REGISTERS);
  const buf = b.buf;
  if (buf[4] === HLL_DENSE) {
    for (let r = 0; r < HLL_REGISTERS; r++) out[r] = denseGet(buf, r);
    return out;
  }
  walkSparse(b, (at, len, v) => {
    if (v !== 0) out.fill(v, at, Math.min(at + len, HLL_REGISTERS));
    return true;
  });
  return out;
}

/** Validates a Redis string as an HLL like isHLLObjectOrReply, plus the sparse body. */
function validate(buf: Buffer): void {
  if (buf.length < HDR || buf.toString('latin1', 0, 4) !== 'HYLL' || buf[4]! > HLL_SPARSE) throw notHll();
  if (buf[4] === HLL_DENSE) {
    if (buf.length !== DENSE_SIZE) throw notHll();
    return;
  }
  histogram({ buf, len: buf.length });
}

// ---- the CRDT ---------------------------------------------------------------------------------

/** Flattened (origin, seq) pairs sorted by origin: a DEL context or an observed vector clock. */
export type Context = readonly number[];

export class HllState {
  bytes: Bytes = freshBytes();
  /** Latest DEL per origin known here. */
  dels = new Map<number, number>();
  /** Pointwise minimum of what the surviving adds observed; null when none survives. */
  cover: Map<number, number> | null = null;
}

export type HllEffect =
  /**
   * Registers raised, as [index, value, index, value, …] in the order they were raised.
   * mode 0: PFADD; 1: PFMERGE; 2: PFMERGE that converts the target to dense first (a source was
   * dense, as Redis does).
   */
  | { readonly t: 'add'; readonly dels: Context; readonly seen: Context; readonly mode: 0 | 1 | 2; readonly regs: readonly number[] }
  | { readonly t: 'del'; readonly dels: Context }
  /** SET of a valid HLL string: replaces the value and, like DEL, wins over concurrent adds. */
  | { readonly t: 'set'; readonly dels: Context; readonly seen: Context; readonly raw: string };

function toContext(m: Iterable<readonly [number, number]>): number[] {
  const pairs = [...m].filter(([, s]) => s > 0).sort((a, b) => a[0] - b[0]);
  const out: number[] = [];
  for (const [o, s] of pairs) out.push(o, s);
  return out;
}

function contextMap(c: Context): Map<number, number> {
  const m = new Map<number, number>();
  for (let i = 0; i < c.length; i += 2) m.set(c[i]!, c[i + 1]!);
  return m;
}

/** True when `seen` has every DEL of `dels`. */
function coversAll(seen: ReadonlyMap<number, number>, dels: ReadonlyMap<number, number>): boolean {
  for (const [o, q] of dels) if ((seen.get(o) ?? 0) < q) return false;
  return true;
}

function resetGeneration(s: HllState): void {
  s.cover = null;
  s.bytes = freshBytes();
}

/** Learns DELs; drops the generation if it did not observe one of them. */
function learn(s: HllState, dels: ReadonlyMap<number, number>): void {
  let grew = false;
  for (const [o, q] of dels) {
    if (q > (s.dels.get(o) ?? 0)) {
      s.dels.set(o, q);
      grew = true;
    }
  }
  if (grew && s.cover !== null && !coversAll(s.cover, s.dels)) resetGeneration(s);
}

function minInto(cover: Map<number, number>, other: ReadonlyMap<number, number>): void {
  for (const [o, q] of cover) {
    const x = other.get(o) ?? 0;
    if (x === 0) cover.delete(o);
    else if (x < q) cover.set(o, x);
  }
}

/** Admits an add observing `seen` into the generation; false when a DEL it did not see wins. */
function admit(s: HllState, seen: ReadonlyMap<number, number>): boolean {
  if (!coversAll(seen, s.dels)) return false;
  if (s.cover === null) s.cover = new Map(seen);
  else minInto(s.cover, seen);
  return true;
}

function observedOf(dels: Context, seen: Context): Map<number, number> {
  const m = contextMap(seen);
  for (let i = 0; i < dels.length; i += 2) if (dels[i + 1]! > (m.get(dels[i]!) ?? 0)) m.set(dels[i]!, dels[i + 1]!);
  return m;
}

function applyEffect(s: HllState, e: HllEffect, meta: EffectMeta): void {
  const dels = contextMap(e.dels);
  if (e.t !== 'add') dels.set(meta.origin, Math.max(dels.get(meta.origin) ?? 0, meta.seq)); // a DEL, or SET's own delete
  learn(s, dels);
  if (e.t === 'del') return;
  const observed = observedOf(e.dels, e.seen);
  if (e.t === 'set') observed.set(meta.origin, Math.max(observed.get(meta.origin) ?? 0, meta.seq));
  const created = s.cover === null;
  if (!admit(s, observed)) return;
  if (e.t === 'set') {
    const raw = Buffer.from(e.raw, 'latin1');
    const bytes = { buf: Buffer.concat([raw, Buffer.alloc(1)]), len: raw.length };
    if (created) s.bytes = bytes; // the string as SET, byte for byte (always so on the writer)
    else {
      // Adds that observed this SET arrived before it (per-origin FIFO only): keep them.
      if (raw[4] === HLL_DENSE) sparseToDense(s.bytes);
      unionInto(s.bytes, registers(bytes));
    }
    return;
  }
  const b = s.bytes;
  if (e.mode === 2) sparseToDense(b);
  for (let i = 0; i < e.regs.length; i += 2) setRegister(b, e.regs[i]!, e.regs[i + 1]!);
  if (e.mode !== 0 || created || e.regs.length > 0) invalidateCache(b);
}

/** Sets every non-zero register of `regs` into `b` in index order (as PFMERGE writes them). */
function unionInto(b: Bytes, regs: Uint8Array): void {
  for (let r = 0; r < HLL_REGISTERS; r++) if (regs[r]! > 0) setRegister(b, r, regs[r]!);
  invalidateCache(b);
}

function joinInto(s: HllState, o: HllState): void {
  const dels = new Map(s.dels);
  for (const [k, q] of o.dels) if (q > (dels.get(k) ?? 0)) dels.set(k, q);
  const sAlive = s.cover !== null && coversAll(s.cover, dels);
  const oAlive = o.cover !== null && coversAll(o.cover, dels);
  s.dels = dels;
  if (!sAlive) resetGeneration(s);
  if (!oAlive) return;
  if (s.cover === null) {
    s.cover = new Map(o.cover!);
    s.bytes = copyBytes(o.bytes);
    return;
  }
  minInto(s.cover, o.cover!);
  if (o.bytes.buf[4] === HLL_DENSE) sparseToDense(s.bytes);
  unionInto(s.bytes, registers(o.bytes));
}

function copyBytes(b: Bytes): Bytes {
  const buf = Buffer.alloc(b.buf.length);
  b.buf.copy(buf, 0, 0, b.len);
  return { buf, len: b.len };
}

function mapsEqual(a: ReadonlyMap<number, number>, b: ReadonlyMap<number, number>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}

function equal(a: HllState, b: HllState): boolean {
  if (!mapsEqual(a.dels, b.dels)) return false;
  if (a.cover === null || b.cover === null) return a.cover === b.cover;
  if (!mapsEqual(a.cover, b.cover)) return false;
  const ra = registers(a.bytes);
  const rb = registers(b.bytes);
  for (let i = 0; i < HLL_REGISTERS; i++) if (ra[i] !== rb[i]) return false;
  return true;
}

function writeMap(w: BinaryWriter, m: ReadonlyMap<number, number>): void {
  w.uint(m.size);
  for (const [k, v] of m) w.uint(k).uint(v);
}

function readMap(r: BinaryReader): Map<number, number> {
  const m = new Map<number, number>();
  for (let n = r.uint(); n > 0; n--) m.set(r.uint(), r.uint());
  return m;
}

function writeContext(w: BinaryWriter, c: Context): void {
  w.uint(c.length / 2);
  for (const x of c) w.uint(x);
}

function readContext(r: BinaryReader): number[] {
  const out: number[] = [];
  for (let n = r.uint() * 2; n > 0; n--) out.push(r.uint());
  return out;
}

/** 64-bit FNV-1a of the registers, as hex (a short digest for `value`). */
function digest(regs: Uint8Array): string {
  let h = 0xcbf29ce484222325n;
  for (const x of regs) h = BigInt.asUintN(64, (h ^ BigInt(x)) * 0x100000001b3n);
  return h.toString(16);
}

export const HllType: KeyedType<HllState, HllEffect> = {
  name: 'hll',
  empty: () => new HllState(),
  apply: applyEffect,
  joinInto,
  clone(s) {
    const c = new HllState();
    c.bytes = copyBytes(s.bytes);
    c.dels = new Map(s.dels);
    c.cover = s.cover && new Map(s.cover);
    return c;
  },
  isVisible: (s) => s.cover !== null,
  value(s) {
    if (s.cover === null) return null;
    return { count: estimate(histogram(s.bytes)), registers: digest(registers(s.bytes)) };
  },
  equal,
  collect(s, stable: Stability) {
    // A stable DEL has been applied everywhere, with everything concurrent with it: every add
    // still to come observed it, so it decides nothing any more.
    for (const [o, q] of s.dels) if (stable.isStable(o, q)) s.dels.delete(o);
  },
  encode(s, w) {
    writeMap(w, s.dels);
    w.u8(s.cover === null ? 0 : 1);
    if (s.cover !== null) writeMap(w, s.cover);
    w.bytes(s.bytes.buf.subarray(0, s.bytes.len));
  },
  decode(r) {
    const s = new HllState();
    s.dels = readMap(r);
    if (r.u8() === 1) s.cover = readMap(r);
    const raw = r.bytes();
    validate(raw);
    s.bytes = { buf: Buffer.concat([raw, Buffer.alloc(1)]), len: raw.length };
    return s;
  },
  encodeEffect(e, w) {
    switch (e.t) {
      case 'add':
        w.u8(1).u8(e.mode);
        writeContext(w, e.dels);
        writeContext(w, e.seen);
        w.uint(e.regs.length / 2);
        for (let i = 0; i < e.regs.length; i += 2) w.uint(e.regs[i]!).u8(e.regs[i + 1]!);
        return;
      case 'del':
        w.u8(2);
        writeContext(w, e.dels);
        return;
      case 'set':
        w.u8(3);
        writeContext(w, e.dels);
        writeContext(w, e.seen);
        w.str(e.raw);
        return;
    }
  },
  decodeEffect(r) {
    const tag = r.u8();
    switch (tag) {
      case 1: {
        const mode = r.u8();
        if (mode > 2) throw new RangeError(`bad hll add mode ${mode}`);
        const dels = readContext(r);
        const seen = readContext(r);
        const regs: number[] = [];
        for (let n = r.uint(); n > 0; n--) regs.push(r.uint(), r.u8());
        return { t: 'add', dels, seen, mode: mode as 0 | 1 | 2, regs };
      }
      case 2:
        return { t: 'del', dels: readContext(r) };
      case 3:
        return { t: 'set', dels: readContext(r), seen: readContext(r), raw: r.str() };
      default:
        throw new RangeError(`unknown hll effect tag ${tag}`);
    }
  },
  removalEffect: (s) => ({ t: 'del', dels: toContext(s.dels) }),
  removes: (e) => e.t !== 'add',
};

// ---- reads and effect builders for the engine ----------------------------------------------------

/**
 * PFCOUNT of one key: the cached cardinality when valid, else computed and cached in the header
 * as Redis does (GET then shows the cached value).
 */
export function pfcount(s: HllState): number {
  if (s.cover === null) return 0;
  const b = s.bytes;
  const buf = b.buf;
  if ((buf[15]! & 0x80) === 0) {
    let card = 0;
    for (let i = 7; i >= 0; i--) card = card * 256 + buf[8 + i]!;
    return card;
  }
  const card = estimate(histogram(b));
  let c = card;
  for (let i = 0; i < 8; i++) {
    buf[8 + i] = c % 256;
    c = Math.floor(c / 256);
  }
  return card;
}

/** PFCOUNT of several keys: the cardinality of their union (nothing is cached). */
export function pfcountUnion(states: readonly HllState[]): number {
  const max = new Uint8Array(HLL_REGISTERS);
  for (const s of states) {
    if (s.cover === null) continue;
    const r = registers(s.bytes);
    for (let i = 0; i < HLL_REGISTERS; i++) if (r[i]! > max[i]!) max[i] = r[i]!;
  }
  const h = new Int32Array(64);
  for (let i = 0; i < HLL_REGISTERS; i++) h[max[i]!]!++;
  return estimate(h);
}

export interface HllWrite {
  readonly effect: HllEffect;
  /** PFADD's reply: 1 when the key was created or a register changed. */
  readonly changed: boolean;
}

/**
 * PFADD `elements` (latin1 strings). `observed` is the instance's vector clock (what it has
 * applied, e.g. Database.clock): DEL-wins needs it (see the header).
 */
export function pfadd(s: HllState, elements: readonly string[], observed: Iterable<readonly [number, number]>): HllWrite {
  const raised = new Map<number, number>();
  const regs: number[] = [];
  const alive = s.cover !== null;
  for (const ele of elements) {
    const count = patLen(ele);
    const reg = patIndex;
    const cur = raised.get(reg) ?? (alive ? getRegister(s.bytes, reg) : 0);
    if (count > cur) {
      raised.set(reg, count);
      regs.push(reg, count);
    }
  }
  return { effect: { t: 'add', dels: toContext(s.dels), seen: toContext(observed), mode: 0, regs }, changed: !alive || regs.length > 0 };
}

/**
 * PFMERGE into `dest` from `sources` (the states of the keys that exist; include `dest` itself
 * when it is one of them, as Redis reads it too).
 */
export function pfmerge(dest: HllState, sources: readonly HllState[], observed: Iterable<readonly [number, number]>): HllEffect {
  const max = new Uint8Array(HLL_REGISTERS);
  let dense = false;
  for (const s of sources) {
    if (s.cover === null) continue;
    if (s.bytes.buf[4] === HLL_DENSE) dense = true;
    const r = registers(s.bytes);
    for (let i = 0; i < HLL_REGISTERS; i++) if (r[i]! > max[i]!) max[i] = r[i]!;
  }
  const cur = dest.cover !== null ? registers(dest.bytes) : new Uint8Array(HLL_REGISTERS);
  const regs: number[] = [];
  for (let i = 0; i < HLL_REGISTERS; i++) if (max[i]! > cur[i]!) regs.push(i, max[i]!);
  return { t: 'add', dels: toContext(dest.dels), seen: toContext(observed), mode: dense ? 2 : 1, regs };
}

/** SET of a valid HLL string (see decodeRedis) onto an HLL key. */
export function replaceEffect(s: HllState, raw: string, observed: Iterable<readonly [number, number]>): HllEffect {
  return { t: 'set', dels: toContext(s.dels), seen: toContext(observed), raw };
}

/** GET of an HLL key: the Redis string, byte for byte (latin1). */
export function encodeRedis(s: HllState): string {
  return s.bytes.buf.toString('latin1', 0, s.bytes.len);
}

/**
 * Checks a string SET or RESTOREd onto an HLL key the way Redis checks PFADD/PFCOUNT input.
 * Throws HllError: `WRONGTYPE Key is not a valid HyperLogLog string value.` for a bad header or
 * dense size, `INVALIDOBJ Corrupted HLL object detected` for a broken sparse body. Returns the
 * string unchanged.
 */
export function decodeRedis(value: string): string {
  validate(Buffer.from(value, 'latin1'));
  return value;
}

/** True when `value` is a valid Redis HLL string. */
export function isRedisHll(value: string): boolean {
  try {
    validate(Buffer.from(value, 'latin1'));
    return true;
  } catch {
    return false;
  }
}
