/**
 * The bitmap family (bitops.c): SETBIT GETBIT BITCOUNT BITPOS BITOP BITFIELD BITFIELD_RO. A bitmap
 * is a plain string read as bits, most significant bit of byte 0 first; replies, error texts and
 * the order in which arguments are checked follow Redis 7.0.
 *
 * Active-Active: a bitmap write computes the new value locally and writes the whole string into
 * the last-write-wins register, exactly like SETRANGE (reference §2.1 rule 2, docs/semantics.md
 * "Strings"), so a concurrent write elsewhere wins or loses as a whole. A write that leaves the
 * value as it was issues no effect at all: re-asserting an unchanged value would only make it beat
 * a concurrent write it never changed.
 */
import { ENC_RAW, setEncodingClass } from './object-info.js';
import type { KeyRecord } from '../crdt/key.js';
import type { CommandSpec, ExecContext } from './command-table.js';
import { cmd, defineCommands } from './command-table.js';
import type { Database } from './database.js';
import { Errors } from './reply.js';
import type { Reply } from './reply.js';
import { setStringOps, stringValue } from './string-access.js';
import { checkStringLength, intArg, stringOrWrongType } from './strings.js';
import { parseInteger } from './numbers.js';

const ERR_OFFSET = 'ERR bit offset is not an integer or out of range';
const ERR_BIT = 'ERR bit is not an integer or out of range';
const ERR_BIT_ARGUMENT = 'ERR The bit argument must be 1 or 0.';
const ERR_BITFIELD_TYPE = 'ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.';
const ERR_OVERFLOW_TYPE = 'ERR Invalid OVERFLOW type specified';
const ERR_BITFIELD_RO = 'ERR BITFIELD_RO only supports the GET subcommand';
const ERR_BITOP_NOT = 'ERR BITOP NOT must be called with a single source key.';

/** Set bits of every byte value: BITCOUNT on a 1 MB string is one table lookup per byte. */
const POPCOUNT = new Uint8Array(256);
for (let i = 1; i < 256; i++) POPCOUNT[i] = (i & 1) + POPCOUNT[i >> 1]!;

/** Byte index of a bit offset (offsets reach 2^32 and beyond, past what `>>> 3` handles). */
const byteOf = (bit: number): number => Math.floor(bit / 8);

/** Bit `bit` of the string (0 beyond its end). */
function bitAt(s: string, bit: number): number {
  const byte = byteOf(bit);
  return byte < s.length ? (s.charCodeAt(byte) >> (7 - (bit & 7))) & 1 : 0;
}

/** `base` with `bytes` written at byte `at`, zero-padding the gap when `at` lies beyond its end. */
function patch(base: string, at: number, bytes: string): string {
  if (at >= base.length) return base + '\0'.repeat(at - base.length) + bytes;
  return base.slice(0, at) + bytes + base.slice(at + bytes.length);
}

/**
 * Whether a write may grow a string to `length` bytes. Redis bounds only the bit offset (below
 * proto-max-bulk-len bytes), so BITFIELD may end up to 8 bytes past that limit and must not be
 * refused for it; what we add is V8's own string limit, which checkStringLength also enforces.
 */
function canGrowTo(db: Database, length: number, out: Reply): boolean {
  return checkStringLength(db, Math.min(length, db.config.protoMaxBulkLen), out);
}

/** Writes a bitmap's new value whole, keeping its TTL (the SETRANGE rule). */
function writeBitmap(db: Database, key: string, existing: KeyRecord | undefined, value: string): void {
  db.write(key, setStringOps(existing, value, true, null, (r) => db.removalOps(r)));
  // Redis edits bitmaps in a raw string (OBJECT ENCODING).
  setEncodingClass(db.keyspace.get(key)!, ENC_RAW);
}

// ---- arguments -------------------------------------------------------------------------------

/**
 * getBitOffsetFromArgument: a bit offset, or null after replying the error. With `fieldBits` > 0
 * (BITFIELD), `#n` means n fields of that width; the product wraps like Redis's int64 multiply,
 * so a huge `#n` turns negative and is refused rather than accepted.
 */
function bitOffsetArg(db: Database, s: string, fieldBits: number, out: Reply): number | null {
  const positional = fieldBits > 0 && s.charCodeAt(0) === 35; /* '#' */
  let v = parseInteger(positional ? s.slice(1) : s);
  if (v !== null && positional) v = BigInt.asIntN(64, v * BigInt(fieldBits));
  if (v === null || v < 0n || v >> 3n >= BigInt(db.config.protoMaxBulkLen)) {
    out.error(ERR_OFFSET);
    return null;
  }
  return Number(v);
}

/** SETBIT's value: exactly 0 or 1. */
function bitValueArg(s: string, out: Reply): 0 | 1 | null {
  const v = parseInteger(s);
  if (v === 0n || v === 1n) return v === 1n ? 1 : 0;
  out.error(ERR_BIT);
  return null;
}

/** BITCOUNT/BITPOS unit keyword (case-insensitive BYTE or BIT); null after a syntax error. */
function unitArg(s: string, out: Reply): 'bit' | 'byte' | null {
  const u = s.toLowerCase();
  if (u === 'bit' || u === 'byte') return u;
  out.error(Errors.syntax);
  return null;
}

// ---- SETBIT / GETBIT ------------------------------------------------------------------------

function setbitCommand(ctx: ExecContext, argv: string[]): void {
  const { db, out } = ctx;
  const offset = bitOffsetArg(db, argv[2]!, 0, out);
  if (offset === null) return;
  const on = bitValueArg(argv[3]!, out);
  if (on === null) return;
  const key = argv[1]!;
  const r = stringOrWrongType(db.lookupWrite(key), out);
  if (r === null) return;
  const cur = r === undefined ? '' : stringValue(r);
  const byte = byteOf(offset);
  if (!canGrowTo(db, Math.max(cur.length, byte + 1), out)) return;
  const old = bitAt(cur, offset);
  // Redis creates the key or zero-extends the string even when the bit it sets is already 0.
  if (r === undefined || byte >= cur.length || old !== on) {
    const mask = 1 << (7 - (offset & 7));
    const prev = byte < cur.length ? cur.charCodeAt(byte) : 0;
    writeBitmap(db, key, r, patch(cur, byte, String.fromCharCode(on ? prev | mask : prev & ~mask)));
  }
  out.integer(old);
}

function getbitCommand(ctx: ExecContext, argv: string[]): void {
  const { db, out } = ctx;
  const offset = bitOffsetArg(db, argv[2]!, 0, out);
  if (offset === null) return;
  const r = stringOrWrongType(db.lookupRead(argv[1]!), out);
  if (r === null) return;
  out.integer(r === undefined ? 0 : bitAt(stringValue(r), offset));
}

// ---- BITCOUNT / BITPOS ----------------------------------------------------------------------

/** An inclusive range of bit positions inside a string. */
interface BitSpan {
  from: number;
  to: number;
}

/**
 * Resolves BITCOUNT/BITPOS start and end (negative from the end, in bytes or in bits) into bit
 * positions, clamped to the string as bitops.c does; null when the range is empty.
 */
function resolveSpan(start: bigint, end: bigint, length: number, unit: 'bit' | 'byte'): BitSpan | null {
  const total = BigInt(unit === 'bit' ? length * 8 : length);
  if (start < 0n) start += total;
  if (end < 0n) end += total;
  if (start < 0n) start = 0n;
  if (end < 0n) end = 0n;
  if (end >= total) end = total - 1n;
  if (start > end) return null;
  const s = Number(start);
  const e = Number(end);
  return unit === 'bit' ? { from: s, to: e } : { from: s * 8, to: e * 8 + 7 };
}

/** Set bits in a span: masked edge bytes, table lookups for the bytes between. */
function countBits(s: string, span: BitSpan): number {
  const first = byteOf(span.from);
  const last = byteOf(span.to);
  const head = 0xff >> (span.from & 7);
  const tail = (0xff << (7 - (span.to & 7))) & 0xff;
  if (first === last) return POPCOUNT[s.charCodeAt(first) & head & tail]!;
  let n = POPCOUNT[s.charCodeAt(first) & head]! + POPCOUNT[s.charCodeAt(last) & tail]!;
  for (let i = first + 1; i < last; i++) n += POPCOUNT[s.charCodeAt(i)]!;
  return n;
}

function bitcountCommand(ctx: ExecContext, argv: string[]): void {
  const { db, out } = ctx;
  // Redis 7.0 looks the key up before it reads any argument: a missing key counts 0 whatever
  // follows, and WRONGTYPE beats a syntax error.
  const r = stringOrWrongType(db.lookupRead(argv[1]!), out);
  if (r === null) return;
  if (r === undefined) {
    out.integer(0);
    return;
  }
  const s = stringValue(r);
  if (argv.length === 2) {
    out.integer(s.length === 0 ? 0 : countBits(s, { from: 0, to: s.length * 8 - 1 }));
    return;
  }
  if (argv.length === 3 || argv.length > 5) {
    out.error(Errors.syntax);
    return;
  }
  const start = intArg(argv[2]!, out);
  if (start === null) return;
  const end = intArg(argv[3]!, out);
  if (end === null) return;
  // Both ends negative and crossed: empty, before clamping could turn it into byte 0 — and
  // before Redis 7.0 reads the unit, so even an invalid one answers 0 here.
  if (start < 0n && end < 0n && start > end) {
    out.integer(0);
    return;
  }
  const unit = argv.length === 5 ? unitArg(argv[4]!, out) : 'byte';
  if (unit === null) return;
  const span = resolveSpan(start, end, s.length, unit);
  out.integer(span === null ? 0 : countBits(s, span));
}

/** Position of the first bit equal to `bit` in a span, or -1. Whole bytes are skipped at once. */
function findBit(s: string, bit: 0 | 1, span: BitSpan): number {
  const skip = bit === 1 ? 0x00 : 0xff;
  let pos = span.from;
  for (; pos <= span.to && (pos & 7) !== 0; pos++) if (bitAt(s, pos) === bit) return pos;
  for (; pos + 7 <= span.to; pos += 8) {
    const b = s.charCodeAt(byteOf(pos));
    if (b !== skip) return pos + Math.clz32((bit === 1 ? b : ~b) & 0xff) - 24;
  }
  for (; pos <= span.to; pos++) if (bitAt(s, pos) === bit) return pos;
  return -1;
}

interface BitposRange {
  start: bigint;
  /** null when not given: then a clear bit may be found just past the string. */
  end: bigint | null;
  unit: 'bit' | 'byte';
}

/** BITPOS start [end [BYTE|BIT]], read in the order Redis reads them (start, unit, end). */
function bitposRange(argv: string[], out: Reply): BitposRange | null {
  if (argv.length > 6) {
    out.error(Errors.syntax);
    return null;
  }
  const start = argv.length > 3 ? intArg(argv[3]!, out) : 0n;
  if (start === null) return null;
  const unit = argv.length === 6 ? unitArg(argv[5]!, out) : 'byte';
  if (unit === null) return null;
  let end: bigint | null = null;
  if (argv.length >= 5) {
    end = intArg(argv[4]!, out);
    if (end === null) return null;
  }
  return { start, end, unit };
}

function bitposCommand(ctx: ExecContext, argv: string[]): void {
  const { db, out } = ctx;
  const b = intArg(argv[2]!, out);
  if (b === null) return;
  if (b !== 0n && b !== 1n) {
    out.error(ERR_BIT_ARGUMENT);
    return;
  }
  const bit = b === 1n ? 1 : 0;
  // A missing key is an endless run of zeros, whatever range (even an invalid one) follows.
  const r = stringOrWrongType(db.lookupRead(argv[1]!), out);
  if (r === null) return;
  if (r === undefined) {
    out.integer(bit === 1 ? -1 : 0);
    return;
  }
  const a = bitposRange(argv, out);
  if (a === null) return;
  const s = stringValue(r);
  const span = resolveSpan(a.start, a.end ?? -1n, s.length, a.unit);
  if (span === null) {
    out.integer(-1);
    return;
  }
  const pos = findBit(s, bit, span);
  // Looking for a 0 without an explicit end treats the string as zero-padded on the right, so
  // the answer is the first bit past it; with an end given the range simply holds no 0.
  if (pos === -1 && bit === 0 && a.end === null) out.integer(span.to + 1);
  else out.integer(pos);
}

// ---- BITOP ----------------------------------------------------------------------------------

type BitOperation = 'and' | 'or' | 'xor' | 'not';

function bitOperation(s: string): BitOperation | null {
  const op = s.toLowerCase();
  return op === 'and' || op === 'or' || op === 'xor' || op === 'not' ? op : null;
}

/** The result of a BITOP over source bytes; shorter sources count as zero-padded. */
function combine(op: BitOperation, sources: Buffer[], length: number): Buffer {
  const res = Buffer.alloc(length);
  const first = sources[0]!;
  res.set(first);
  if (op === 'not') {
    for (let i = 0; i < length; i++) res[i] = ~res[i]! & 0xff;
    return res;
  }
  for (let k = 1; k < sources.length; k++) {
    const src = sources[k]!;
    if (op === 'and') {
      for (let i = 0; i < src.length; i++) res[i]! &= src[i]!;
      res.fill(0, src.length);
    } else if (op === 'or') {
      for (let i = 0; i < src.length; i++) res[i]! |= src[i]!;
    } else {
      for (let i = 0; i < src.length; i++) res[i]! ^= src[i]!;
    }
  }
  return res;
}

function bitopCommand(ctx: ExecContext, argv: string[]): void {
  const { db, out } = ctx;
  const op = bitOperation(argv[1]!);
  if (op === null) {
    out.error(Errors.syntax);
    return;
  }
  if (op === 'not' && argv.length !== 4) {
    out.error(ERR_BITOP_NOT);
    return;
  }
  const sources: Buffer[] = [];
  let length = 0;
  for (let i = 3; i < argv.length; i++) {
    const r = stringOrWrongType(db.lookupRead(argv[i]!), out);
    if (r === null) return;
    const bytes = Buffer.from(r === undefined ? '' : stringValue(r), 'latin1');
    if (bytes.length > length) length = bytes.length;
    sources.push(bytes);
  }
  storeBitopResult(db, argv[2]!, length === 0 ? '' : combine(op, sources, length).toString('latin1'));
  out.integer(length);
}

/**
 * Stores BITOP's result as Redis's setKey does: it replaces a key of any type and drops the
 * TTL; an empty result deletes the destination instead.
 */
function storeBitopResult(db: Database, dest: string, value: string): void {
  const existing = db.lookupWrite(dest);
  if (value.length === 0) {
    if (existing !== undefined) db.deleteKey(dest, existing);
    return;
  }
  const unchanged = existing !== undefined && existing.type === 'string' && db.expiryOf(existing) === Infinity && stringValue(existing) === value;
  if (!unchanged) {
    db.write(dest, setStringOps(existing, value, false, null, (r) => db.removalOps(r)));
    setEncodingClass(db.keyspace.get(dest)!, ENC_RAW);
  }
}

// ---- BITFIELD -------------------------------------------------------------------------------

type Overflow = 'wrap' | 'sat' | 'fail';

interface FieldOp {
  kind: 'get' | 'set' | 'incrby';
  signed: boolean;
  bits: number;
  offset: number;
  /** SET's value or INCRBY's increment (0 for GET). */
  value: bigint;
  overflow: Overflow;
}

/** getBitfieldTypeFromArgument: i1..i64 or u1..u63 (lowercase prefix only, as in Redis). */
function fieldTypeArg(s: string, out: Reply): { signed: boolean; bits: number } | null {
  const signed = s.charCodeAt(0) === 105; /* 'i' */
  const bits = signed || s.charCodeAt(0) === 117 /* 'u' */ ? parseInteger(s.slice(1)) : null;
  if (bits === null || bits < 1n || bits > (signed ? 64n : 63n)) {
    out.error(ERR_BITFIELD_TYPE);
    return null;
  }
  return { signed, bits: Number(bits) };
}

/** Parses every subcommand before anything runs, as Redis does; null after replying an error. */
function parseFieldOps(db: Database, argv: string[], out: Reply): FieldOp[] | null {
  const ops: FieldOp[] = [];
  let overflow: Overflow = 'wrap';
  for (let j = 2; j < argv.length; j++) {
    const sub = argv[j]!.toLowerCase();
    const rest = argv.length - j - 1;
    if (sub === 'overflow' && rest >= 1) {
      const mode = argv[++j]!.toLowerCase();
      if (mode !== 'wrap' && mode !== 'sat' && mode !== 'fail') {
        out.error(ERR_OVERFLOW_TYPE);
        return null;
      }
      overflow = mode;
      continue;
    }
    const kind = sub === 'get' && rest >= 2 ? 'get' : (sub === 'set' || sub === 'incrby') && rest >= 3 ? sub : null;
    if (kind === null) {
      out.error(Errors.syntax);
      return null;
    }
    const type = fieldTypeArg(argv[j + 1]!, out);
    if (type === null) return null;
    const offset = bitOffsetArg(db, argv[j + 2]!, type.bits, out);
    if (offset === null) return null;
    const value = kind === 'get' ? 0n : intArg(argv[j + 3]!, out);
    if (value === null) return null;
    ops.push({ kind, ...type, offset, value, overflow });
    j += kind === 'get' ? 2 : 3;
  }
  return ops;
}

/**
 * The bytes one BITFIELD command works on: the stored string, zero-padded to `length`, with the
 * span its writes touch copied into a buffer. Only that span is copied, so a few fields written
 * into a large bitmap do not copy the whole string into a buffer and back.
 */
class FieldBytes {
  private readonly win: Buffer;
  private dirty = false;

  constructor(
    private readonly base: string,
    readonly length: number,
    private readonly lo: number,
    hi: number,
  ) {
    this.win = Buffer.alloc(Math.max(0, hi - lo + 1));
    const copyEnd = Math.min(hi + 1, base.length);
    for (let i = lo; i < copyEnd; i++) this.win[i - lo] = base.charCodeAt(i);
  }

  /** The bytes of a command that only reads: nothing is copied. */
  static forReading(base: string): FieldBytes {
    return new FieldBytes(base, base.length, 0, -1);
  }

  byte(i: number): number {
    const w = i - this.lo;
    if (w >= 0 && w < this.win.length) return this.win[w]!;
    return i < this.base.length ? this.base.charCodeAt(i) : 0;
  }

  /** Sets a bit; only bits inside the write span are ever set. */
  setBit(pos: number, v: number): void {
    const w = byteOf(pos) - this.lo;
    const mask = 1 << (7 - (pos & 7));
    const next = v ? this.win[w]! | mask : this.win[w]! & ~mask;
    if (next !== this.win[w]) {
      this.win[w] = next;
      this.dirty = true;
    }
  }

  /** Whether the value differs from the stored string (a bit flipped or the string grew). */
  changed(): boolean {
    return this.dirty || this.length > this.base.length;
  }

  value(): string {
    const padded = this.base.length < this.length ? patch(this.base, this.length, '') : this.base;
    return this.win.length === 0 ? padded : patch(padded, this.lo, this.win.toString('latin1'));
  }
}

/** getUnsignedBitfield/getSignedBitfield: `bits` bits from `offset`, most significant first. */
function readField(bytes: FieldBytes, offset: number, bits: number, signed: boolean): bigint {
  let v = 0n;
  for (let i = 0; i < bits; i++) {
    const pos = offset + i;
    v = (v << 1n) | BigInt((bytes.byte(byteOf(pos)) >> (7 - (pos & 7))) & 1);
  }
  return signed ? BigInt.asIntN(bits, v) : v;
}

function writeField(bytes: FieldBytes, offset: number, bits: number, v: bigint): void {
  for (let i = 0; i < bits; i++) bytes.setBit(offset + i, Number((v >> BigInt(bits - 1 - i)) & 1n));
}

/**
 * The value a SET or INCRBY stores, or null when it overflows under OVERFLOW FAIL. This is
 * checkSigned/UnsignedBitfieldOverflow on exact integers: WRAP keeps the low bits, SAT clamps —
 * to the end Redis believes was crossed, which is not always the nearer one (see `overflowsUp`).
 */
function storedValue(op: FieldOp, old: bigint): bigint | null {
  const min = op.signed ? -(1n << BigInt(op.bits - 1)) : 0n;
  const max = op.signed ? (1n << BigInt(op.bits - 1)) - 1n : (1n << BigInt(op.bits)) - 1n;
  let target: bigint;
  if (op.kind === 'incrby') target = old + op.value;
  else target = op.signed ? op.value : BigInt.asUintN(64, op.value);
  if (target >= min && target <= max) return target;
  if (op.overflow === 'fail') return null;
  if (op.overflow === 'sat') return overflowsUp(op, target, max) ? max : min;
  return op.signed ? BigInt.asIntN(op.bits, target) : BigInt.asUintN(op.bits, target);
}

/**
 * Which way Redis sees an out-of-range value go. An unsigned SET reads its int64 argument as
 * uint64, so a negative value is huge: it overflows upwards. A signed SET below the range
 * computes `max - value` in int64 first; when that wraps negative (value ≤ max − 2^63) Redis
 * also takes it as overflowing upwards. Either way SAT stores the maximum, as redis-server does.
 */
function overflowsUp(op: FieldOp, target: bigint, max: bigint): boolean {
  if (target > max) return true;
  return op.kind === 'set' && op.signed && op.bits < 64 && target <= max - 2n ** 63n;
}

/** Runs one parsed subcommand and replies its element of the result array. */
function runFieldOp(op: FieldOp, bytes: FieldBytes, out: Reply): void {
  const old = readField(bytes, op.offset, op.bits, op.signed);
  if (op.kind === 'get') {
    out.integer(old);
    return;
  }
  const next = storedValue(op, old);
  if (next === null) {
    out.nullBulk();
    return;
  }
  writeField(bytes, op.offset, op.bits, next);
  out.integer(op.kind === 'set' ? old : next);
}

/** The byte span the writes of a command touch, or null when it only reads. */
function writeSpan(ops: FieldOp[]): { lo: number; hi: number } | null {
  let lo = Infinity;
  let hi = -1;
  for (const op of ops) {
    if (op.kind === 'get') continue;
    lo = Math.min(lo, byteOf(op.offset));
    hi = Math.max(hi, byteOf(op.offset + op.bits - 1));
  }
  return hi < 0 ? null : { lo, hi };
}

function bitfieldGeneric(ctx: ExecContext, argv: string[], readOnlyCommand: boolean): void {
  const { db, out } = ctx;
  const ops = parseFieldOps(db, argv, out);
  if (ops === null) return;
  const key = argv[1]!;
  const span = writeSpan(ops);
  if (span === null) {
    // Only GETs: a read, so an expired key is not deleted here unless this instance owns it.
    const r = stringOrWrongType(db.lookupRead(key), out);
    if (r === null) return;
    runFieldOps(ops, FieldBytes.forReading(r === undefined ? '' : stringValue(r)), out);
    return;
  }
  if (readOnlyCommand) {
    out.error(ERR_BITFIELD_RO);
    return;
  }
  const r = stringOrWrongType(db.lookupWrite(key), out);
  if (r === null) return;
  const cur = r === undefined ? '' : stringValue(r);
  const length = Math.max(cur.length, span.hi + 1);
  if (!canGrowTo(db, length, out)) return;
  const bytes = new FieldBytes(cur, length, span.lo, span.hi);
  runFieldOps(ops, bytes, out);
  // Redis creates and zero-extends the key even when every write failed under OVERFLOW FAIL.
  if (r === undefined || bytes.changed()) writeBitmap(db, key, r, bytes.value());
}

function runFieldOps(ops: FieldOp[], bytes: FieldBytes, out: Reply): void {
  out.array(ops.length);
  for (const op of ops) runFieldOp(op, bytes, out);
}

// ---- the table --------------------------------------------------------------------------------

const doc = (summary: string, since: string, complexity = 'O(1)') => ({ group: 'bitmap', summary, since, complexity });
const W = ['write', 'denyoom'] as const;

export const bitmapCommands: CommandSpec[] = [
  cmd('setbit', 4, W, [1, 1, 1], ['write', 'bitmap', 'slow'], doc('Sets or clears the bit at offset of the string value. Creates the key if it doesn\'t exist.', '2.2.0'), setbitCommand),
  cmd('getbit', 3, ['readonly', 'fast'], [1, 1, 1], ['read', 'bitmap', 'fast'], doc('Returns a bit value by offset.', '2.2.0'), getbitCommand),
  cmd('bitcount', -2, ['readonly'], [1, 1, 1], ['read', 'bitmap', 'slow'], doc('Counts the number of set bits (population counting) in a string.', '2.6.0', 'O(N)'), bitcountCommand),
  cmd('bitpos', -3, ['readonly'], [1, 1, 1], ['read', 'bitmap', 'slow'], doc('Finds the first set (1) or clear (0) bit in a string.', '2.8.7', 'O(N)'), bitposCommand),
  cmd('bitop', -4, W, [2, -1, 1], ['write', 'bitmap', 'slow'], doc('Performs bitwise operations on multiple strings, and stores the result.', '2.6.0', 'O(N)'), bitopCommand),
  cmd('bitfield', -2, W, [1, 1, 1], ['write', 'bitmap', 'slow'], doc('Performs arbitrary bitfield integer operations on strings.', '3.2.0', 'O(1) for each subcommand specified'), (c, a) => bitfieldGeneric(c, a, false)),
  cmd('bitfield_ro', -2, ['readonly', 'fast'], [1, 1, 1], ['read', 'bitmap', 'fast'], doc('Performs arbitrary read-only bitfield integer operations on strings.', '6.0.0', 'O(1) for each subcommand specified'), (c, a) => bitfieldGeneric(c, a, true)),
];

defineCommands(bitmapCommands);
