/**
 * Redis 7.0's number parsing and formatting, reproduced bit for bit.
 *
 * Three families, each matching one piece of Redis's util.c:
 *  - integers (`string2ll`): INCR, INCRBY, DECR… accept only the canonical decimal form of an int64;
 *  - long doubles (`string2ld`, `ld2string(LD_STR_HUMAN)`): INCRBYFLOAT and HINCRBYFLOAT compute in
 *    x86-64 80-bit `long double` (64-bit significand, round half to even) and store the result as
 *    `%.17Lf` text with trailing zeros removed;
 *  - doubles (`string2d`, `addReplyDouble`): sorted-set scores are IEEE doubles shown as `%.17g`.
 *
 * Values cross this module as exact dyadic rationals (crdt/dyadic.ts), so rounding happens only
 * where Redis rounds: every long double and double is a dyadic, and bigint arithmetic on dyadics
 * reproduces the C results exactly, including the glibc rules for ties and the ERANGE cases that
 * Redis turns into "value is not a valid float".
 */
import { type Dyadic, ZERO } from '../crdt/dyadic.js';

/** An infinity that a parse or a rounding produced; Redis never stores one. */
export type Infinite = 'inf' | '-inf';

export const ERR_NOT_INTEGER = 'ERR value is not an integer or out of range';
export const ERR_NOT_FLOAT = 'ERR value is not a valid float';
export const ERR_NAN_OR_INFINITY = 'ERR increment would produce NaN or Infinity';

// ---------------------------------------------------------------------------------------------
// Integers (string2ll)

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
/** Redis LONG_STR_SIZE is 21: strings of 21 bytes or more are rejected before parsing. */
const MAX_INTEGER_CHARS = 20;
/** Up to 15 digits a double holds the value exactly, so the hot path can skip BigInt parsing. */
const MAX_FAST_DIGITS = 15;

/**
 * Redis `string2ll`: the canonical decimal form of an int64 and nothing else. No sign '+', no
 * spaces, no leading zeros; "-0" is rejected too (verified against redis-server 7.0.15).
 */
export function parseInteger(s: string): bigint | null {
  const len = s.length;
  if (len === 0 || len > MAX_INTEGER_CHARS) return null;
  const negative = s.charCodeAt(0) === 45; /* '-' */
  let i = negative ? 1 : 0;
  if (i === len) return null;
  const first = s.charCodeAt(i) - 48;
  if (first === 0) return len === 1 ? 0n : null; // only "0" itself may start with 0
  if (first < 1 || first > 9) return null;
  let n = first;
  for (i++; i < len; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return null;
    n = n * 10 + d; // exact while the digit count stays within MAX_FAST_DIGITS
  }
  const digits = negative ? len - 1 : len;
  if (digits <= MAX_FAST_DIGITS) return BigInt(negative ? -n : n);
  const v = BigInt(s);
  return v < INT64_MIN || v > INT64_MAX ? null : v;
}

// ---------------------------------------------------------------------------------------------
// Binary floating-point formats and correct rounding

interface BinaryFormat {
  /** Significand bits, the leading one included. */
  readonly precision: number;
  /** Exponent of the smallest subnormal: no value has a finer quantum. */
  readonly minExp: number;
  /** Values of magnitude 2^overflowExp and above are infinite. */
  readonly overflowExp: number;
}

/** x86-64 `long double`: 64-bit significand, exponents -16382..16383, subnormals to 2^-16445. */
const LONG_DOUBLE: BinaryFormat = { precision: 64, minExp: -16445, overflowExp: 16384 };
/** IEEE binary64. */
const DOUBLE: BinaryFormat = { precision: 53, minExp: -1074, overflowExp: 1024 };

const MAX_SAFE_BIGINT = BigInt(Number.MAX_SAFE_INTEGER);

/** Bits of n >= 0 (0 for 0). Bigint operations dominate the parsers' cost, hence the number path. */
function bitLength(n: bigint): number {
  if (n <= MAX_SAFE_BIGINT) {
    const x = Number(n);
    return x < 2 ** 32 ? 32 - Math.clz32(x) : 64 - Math.clz32(Math.floor(x / 2 ** 32));
  }
  const hex = n.toString(16);
  return (hex.length - 1) * 4 + (32 - Math.clz32(parseInt(hex[0]!, 16)));
}

/** Trailing zero bits of a > 0, read 32 bits at a time. */
function trailingZeroBitsBig(a: bigint): number {
  let zeros = 0;
  for (;;) {
    const low = Number(BigInt.asUintN(32, a));
    if (low !== 0) return zeros + 31 - Math.clz32(low & -low);
    a >>= 32n;
    zeros += 32;
  }
}

/**
 * m × 2^e (any e) in Dyadic normal form. Strips all trailing zero bits in one shift: dyadic.ts's
 * normalize() goes bit by bit, and a rounded long double typically carries dozens of them.
 */
function dyadic(m: bigint, e: number): Dyadic {
  if (m === 0n) return ZERO;
  if (e >= 0) return { m: m << BigInt(e), e: 0 };
  const zeros = Math.min(trailingZeroBitsBig(m < 0n ? -m : m), -e);
  return zeros === 0 ? { m, e } : { m: m >> BigInt(zeros), e: e + zeros };
}

const POW10_CACHE: bigint[] = [1n];
const POW10_BITS: number[] = [1];
const POW10_CACHED = 400;

/** 10^k as a bigint; the small powers the parsers and formatters use are cached. */
function pow10(k: number): bigint {
  if (k >= POW10_CACHED) return 10n ** BigInt(k);
  for (let i = POW10_CACHE.length; i <= k; i++) {
    POW10_CACHE.push(POW10_CACHE[i - 1]! * 10n);
    POW10_BITS.push(bitLength(POW10_CACHE[i]!));
  }
  return POW10_CACHE[k]!;
}

function pow10BitLength(k: number): number {
  return k < POW10_CACHED ? (pow10(k), POW10_BITS[k]!) : bitLength(pow10(k));
}

/**
 * Rounds m × 2^e to the nearest value of `fmt`, ties to even (the x87 default mode). m need not
 * be normalized: parsers append a sticky bit below the significant ones so that an inexact
 * quotient never looks like an exact tie.
 */
function roundBinary(m: bigint, e: number, fmt: BinaryFormat): Dyadic | Infinite {
  if (m === 0n) return ZERO;
  const negative = m < 0n;
  let a = negative ? -m : m;
  const top = bitLength(a) - 1 + e;
  if (top >= fmt.overflowExp) return negative ? '-inf' : 'inf';
  // Quantum of the result: precision bits below the top one, but never below the subnormal step.
  const q = Math.max(top - (fmt.precision - 1), fmt.minExp);
  if (e < q) {
    const shift = BigInt(q - e);
    const kept = a >> shift;
    const rest = a - (kept << shift);
    const half = 1n << (shift - 1n);
    a = rest > half || (rest === half && (kept & 1n) === 1n) ? kept + 1n : kept;
    e = q;
    if (a === 0n) return ZERO;
    // Rounding up can carry into a new top bit, and past the largest finite value.
    if (bitLength(a) - 1 + e >= fmt.overflowExp) return negative ? '-inf' : 'inf';
  }
  return dyadic(negative ? -a : a, e);
}

/** The long double nearest to x (ties to even); beyond LDBL_MAX it is an infinity. */
export function roundToLongDouble(x: Dyadic): Dyadic | Infinite {
  return roundBinary(x.m, x.e, LONG_DOUBLE);
}

/** The double nearest to x (ties to even), as a number. */
export function roundToDouble(x: Dyadic): number {
  const r = roundBinary(x.m, x.e, DOUBLE);
  if (r === 'inf') return Infinity;
  if (r === '-inf') return -Infinity;
  return exactDyadicToNumber(r);
}

/** r must be representable as a double; each step multiplies by a power of two, so stays exact. */
function exactDyadicToNumber(r: Dyadic): number {
  let x = Number(r.m);
  let e = r.e;
  while (e < -1000) {
    x *= 2 ** -1000;
    e += 1000;
  }
  return x * 2 ** e;
}

/** The exact value of a finite double. */
export function dyadicFromDouble(d: number): Dyadic {
  if (!Number.isFinite(d)) throw new RangeError(`not a finite double: ${d}`);
  if (Number.isInteger(d)) return dyadic(BigInt(d), 0);
  const { mantissa, exp } = decomposeDouble(d);
  return dyadic(BigInt(d < 0 ? -mantissa : mantissa), exp);
}

const scratch = new DataView(new ArrayBuffer(8));

/** |d| = mantissa × 2^exp with an integer mantissa < 2^53 (d finite and non-zero). */
function decomposeDouble(d: number): { mantissa: number; exp: number } {
  scratch.setFloat64(0, d);
  const hi = scratch.getUint32(0);
  const lo = scratch.getUint32(4);
  const biased = (hi >>> 20) & 0x7ff;
  const fraction = (hi & 0xfffff) * 2 ** 32 + lo;
  return biased === 0
    ? { mantissa: fraction, exp: -1074 }
    : { mantissa: fraction + 2 ** 52, exp: biased - 1075 };
}

// ---------------------------------------------------------------------------------------------
// Parsing floats (strtold / strtod under Redis's string2ld / string2d rules)

/** Redis copies the argument into a MAX_LONG_DOUBLE_CHARS (5 KiB) buffer; longer is invalid. */
const MAX_LONG_DOUBLE_CHARS = 5 * 1024;

const DECIMAL = /^([+-]?)(?:(\d+)(?:\.(\d*))?|\.(\d+))(?:[eE]([+-]?\d+))?$/;
const HEX = /^([+-]?)0[xX](?:([0-9a-fA-F]+)(?:\.([0-9a-fA-F]*))?|\.([0-9a-fA-F]+))(?:[pP]([+-]?\d+))?$/;
const INFINITY = /^([+-]?)inf(?:inity)?$/i;

/**
 * An exponent written in the input. Anything with more than 9 digits is clamped: that already
 * puts every value of at most 5 KiB of digits far outside any range we round into.
 */
function parseExponent(s: string | undefined): number {
  if (s === undefined) return 0;
  const digits = s.replace(/^[+-]?0*/, '');
  const magnitude = digits.length > 9 ? 1e9 : Number(digits || '0');
  return s.startsWith('-') ? -magnitude : magnitude;
}

/**
 * The value of a strtod-style literal correctly rounded into `fmt`, or null when the literal is
 * not one. Follows glibc plus the checks Redis adds after it: the whole string must be consumed,
 * no leading space, no NaN, and ERANGE with an infinite or zero result (overflow, or underflow
 * all the way to zero) counts as invalid. A literal "inf"/"infinity" is not ERANGE: it is valid.
 */
function parseBinary(s: string, fmt: BinaryFormat): Dyadic | Infinite | null {
  let match = DECIMAL.exec(s);
  if (match !== null) {
    const [, sign, intDigits, fracAfterInt, fracOnly, exp] = match;
    const frac = fracAfterInt ?? fracOnly ?? '';
    return applySign(sign, decimalToBinary((intDigits ?? '') + frac, parseExponent(exp) - frac.length, fmt));
  }
  match = HEX.exec(s);
  if (match !== null) {
    const [, sign, intDigits, fracAfterInt, fracOnly, exp] = match;
    const frac = fracAfterInt ?? fracOnly ?? '';
    const m = BigInt('0x' + (intDigits ?? '') + frac);
    return applySign(sign, hexToFormat(m, parseExponent(exp) - 4 * frac.length, fmt));
  }
  match = INFINITY.exec(s);
  if (match !== null) return match[1] === '-' ? '-inf' : 'inf';
  return null;
}

function applySign(sign: string | undefined, v: Dyadic | null): Dyadic | null {
  return v !== null && sign === '-' && v.m !== 0n ? { m: -v.m, e: v.e } : v;
}

/** ERANGE filter: a non-zero literal that rounds to zero or to infinity is invalid for Redis. */
function finiteNonZeroOrNull(r: Dyadic | Infinite): Dyadic | null {
  return typeof r === 'string' || r.m === 0n ? null : r;
}

/**
 * A hexadecimal literal m × 2^e (m >= 0, exact) rounded into fmt as glibc 2.36 (the C library
 * of the reference redis-server, Debian 12) does; null if it overflows or underflows to zero.
 */
function hexToFormat(m: bigint, e: number, fmt: BinaryFormat): Dyadic | null {
  if (m === 0n) return ZERO;
  const bits = bitLength(m);
  const top = bits - 1 + e;
  if (top >= fmt.overflowExp) return null;
  if (top < fmt.minExp - 1) return null; // below half the smallest subnormal
  // glibc 2.36 reads a hex literal into `precision` bits plus a round bit, and when the result
  // is subnormal shifts that round bit out without counting it as a sticky bit. So
  // 0x1.0000000000000001p-16446 (just above half the smallest subnormal) rounds to zero and
  // Redis rejects it. Decimal literals take another path in glibc and round correctly. (Later
  // glibc keeps the bit, `old_half_bit` in round_and_return; we follow the reference server.)
  const roundBit = bits - 1 - fmt.precision;
  if (top < fmt.minExp + fmt.precision - 1 && roundBit >= 0) m &= ~(1n << BigInt(roundBit));
  return finiteNonZeroOrNull(roundBinary(m, e, fmt));
}

const LOG10_2 = Math.LOG10E * Math.LN2;

/** digits × 10^exp10 (digits a non-empty decimal string) rounded into fmt, null on ERANGE. */
function decimalToBinary(digits: string, exp10: number, fmt: BinaryFormat): Dyadic | null {
  let start = 0;
  while (start < digits.length && digits.charCodeAt(start) === 48) start++;
  if (start === digits.length) return ZERO;
  // floor(log10(value)) is magnitude or magnitude - 1; reject far-out exponents before building
  // 10^exp10, which for "1e999999999" would not fit in memory.
  const magnitude = digits.length - start + exp10;
  if (magnitude - 1 > fmt.overflowExp * LOG10_2 + 1) return null;
  if (magnitude < fmt.minExp * LOG10_2 - 1) return null;
  return finiteNonZeroOrNull(scaledDecimalToBinary(BigInt(digits), exp10, fmt));
}

/** d × 10^exp10 (d >= 0 and exp10 within the format's reach) correctly rounded into fmt. */
function scaledDecimalToBinary(d: bigint, exp10: number, fmt: BinaryFormat): Dyadic | Infinite {
  if (exp10 >= 0) return roundBinary(d * pow10(exp10), 0, fmt);
  // Divide with enough quotient bits that the rounding position and a guard bit are inside the
  // quotient, then add a sticky bit for a non-zero remainder so that no inexact value is a tie.
  const den = pow10(-exp10);
  const shift = Math.max(0, fmt.precision + 2 + pow10BitLength(-exp10) - bitLength(d));
  const num = d << BigInt(shift);
  const quotient = num / den;
  const sticky = num - quotient * den === 0n ? 0n : 1n;
  return roundBinary((quotient << 1n) | sticky, -shift - 1, fmt);
}

/**
 * Redis `string2ld` as INCRBYFLOAT and HINCRBYFLOAT use it: the long double a string denotes,
 * null when Redis answers "value is not a valid float".
 *
 * Accepted: decimal ("1", "-.5", "5.", "1.5e+3"), hexadecimal ("0x10", "0x1.8p1") and "inf" /
 * "infinity" in any case with an optional sign. An infinity is valid input for Redis, but any
 * sum with it is infinite or NaN, so the command then fails with ERR_NAN_OR_INFINITY
 * (HINCRBYFLOAT checks the increment first and says "value is NaN or Infinity").
 * Rejected: "", leading or trailing spaces, any trailing garbage, NaN, 5120 characters or more,
 * and finite literals that overflow ("1e5000") or underflow to zero ("1e-5000"); literals that
 * land among the subnormals are accepted.
 */
export function parseLongDouble(s: string): Dyadic | Infinite | null {
  if (s.length >= MAX_LONG_DOUBLE_CHARS) return null;
  return parseBinary(s, LONG_DOUBLE);
}

const PLAIN_DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * Redis `string2d` (getDoubleFromObject), used for ZADD / ZINCRBY scores: the double a string
 * denotes, ±Infinity for "inf"-style literals, null when Redis answers "value is not a valid
 * float". Same grammar and ERANGE rules as parseLongDouble, without the length limit.
 */
export function parseDouble(s: string): number | null {
  if (PLAIN_DECIMAL.test(s)) {
    // The grammar is now a subset of JavaScript's StringNumericLiteral, whose conversion is
    // correctly rounded (ties to even) like glibc's strtod: only the ERANGE cases remain.
    const d = Number(s);
    if (!Number.isFinite(d)) return null;
    if (d === 0 && /[1-9]/.test(s.replace(/[eE].*$/, ''))) return null;
    return d;
  }
  const v = parseBinary(s, DOUBLE);
  if (v === null) return null;
  if (v === 'inf') return Infinity;
  if (v === '-inf') return -Infinity;
  return exactDyadicToNumber(v);
}

// ---------------------------------------------------------------------------------------------
// Formatting

/** round(num / den) with ties to even, for num >= 0 and den > 0 — glibc printf's rounding. */
function divRoundHalfEven(num: bigint, den: bigint): bigint {
  const q = num / den;
  const twiceRest = (num - q * den) * 2n;
  return twiceRest > den || (twiceRest === den && (q & 1n) === 1n) ? q + 1n : q;
}

/** The same for den = 2^k, k >= 1, with shifts instead of a division. */
function shiftRoundHalfEven(num: bigint, k: bigint): bigint {
  const q = num >> k;
  const rest = num - (q << k);
  const half = 1n << (k - 1n);
  return rest > half || (rest === half && (q & 1n) === 1n) ? q + 1n : q;
}

const HUMAN_DECIMALS = 17;
const HUMAN_SCALE = pow10(HUMAN_DECIMALS);

/** x × 10^17 rounded to an integer, ties to even: the digits `%.17Lf` prints, with x's sign. */
function humanScaled(x: Dyadic): bigint {
  if (x.e === 0) return x.m * HUMAN_SCALE;
  const negative = x.m < 0n;
  const scaled = shiftRoundHalfEven((negative ? -x.m : x.m) * HUMAN_SCALE, BigInt(-x.e));
  return negative ? -scaled : scaled;
}

/** Redis's text for a `%.17Lf` number given as its digits × 10^-17. */
function humanText(scaled: bigint): string {
  // "-0.00000000000000000" trims to "-0", which Redis shows as "0": a zero has no sign here.
  if (scaled === 0n) return '0';
  const negative = scaled < 0n;
  const digits = (negative ? -scaled : scaled).toString().padStart(HUMAN_DECIMALS + 1, '0');
  const point = digits.length - HUMAN_DECIMALS;
  let end = digits.length;
  while (end > point && digits.charCodeAt(end - 1) === 48) end--;
  const text = end === point ? digits.slice(0, point) : digits.slice(0, point) + '.' + digits.slice(point, end);
  return negative ? '-' + text : text;
}

/**
 * Redis `ld2string(LD_STR_HUMAN)`: `%.17Lf` of the exact binary value (glibc rounds the exact
 * expansion, ties to even), trailing fractional zeros and a bare '.' removed, "-0" shown as "0".
 * Large values print every integer digit: 1e30 is "1000000000000000000024696061952".
 */
export function formatLongDoubleHuman(x: Dyadic | Infinite): string {
  if (typeof x === 'string') return x;
  if (x.e === 0) return x.m.toString();
  return humanText(humanScaled(x));
}

/**
 * How a string counter shows: integer counters print their integer, float counters (touched by
 * INCRBYFLOAT) the long double nearest to the exact sum in Redis's human format. An exact sum
 * beyond the long double range (concurrent increments near LDBL_MAX) shows as "inf"/"-inf", the
 * text `ld2string` gives an infinity.
 */
export function formatCounter(x: Dyadic, isFloat: boolean): string {
  if (!isFloat && x.e === 0) return x.m.toString();
  return formatLongDoubleHuman(roundToLongDouble(x));
}

/** The outcome of one INCRBYFLOAT / HINCRBYFLOAT step. */
export interface FloatIncrement {
  /** The reply and the string Redis stores. */
  readonly text: string;
  /**
   * The long double that text denotes. Redis keeps only the text, so its next increment starts
   * from `string2ld(text)`, not from the unrounded sum; starting from `value` keeps long runs of
   * increments identical to Redis's.
   */
  readonly value: Dyadic;
}

/**
 * One Redis INCRBYFLOAT step on already parsed operands: long double sum, `%.17Lf` text. Null
 * when the sum is infinite or NaN (an infinite operand, or overflow): reply ERR_NAN_OR_INFINITY.
 */
export function incrByFloat(current: Dyadic | Infinite, increment: Dyadic | Infinite): FloatIncrement | null {
  if (typeof current === 'string' || typeof increment === 'string') return null;
  // The exact sum, left unnormalized: roundBinary takes any m × 2^e.
  const e = Math.min(current.e, increment.e);
  const m = (current.m << BigInt(current.e - e)) + (increment.m << BigInt(increment.e - e));
  const sum = roundBinary(m, e, LONG_DOUBLE);
  if (typeof sum === 'string') return null;
  if (sum.e === 0) return { text: sum.m.toString(), value: sum };
  // string2ld(text), computed from the digits rather than by parsing the text again. A 17-decimal
  // number never overflows, and one that is zero is the zero it prints.
  const scaled = humanScaled(sum);
  const negative = scaled < 0n;
  const magnitude = scaledDecimalToBinary(negative ? -scaled : scaled, -HUMAN_DECIMALS, LONG_DOUBLE) as Dyadic;
  return { text: humanText(scaled), value: negative ? { m: -magnitude.m, e: magnitude.e } : magnitude };
}

const G_PRECISION = 17;

/**
 * Redis 7.0 `addReplyDouble`: `%.17g`, and "inf" / "-inf". So 1.1 is "1.1000000000000001",
 * 1e16 is "10000000000000000", 1e17 is "1e+17", 5e-324 is "4.9406564584124654e-324". -0 prints
 * as "-0" (a listpack-encoded sorted set stores -0 as the integer 0 and so shows "0": that is
 * the caller's business).
 */
export function formatDouble(d: number): string {
  if (Number.isNaN(d)) return 'nan';
  if (d === Infinity) return 'inf';
  if (d === -Infinity) return '-inf';
  if (d === 0) return Object.is(d, -0) ? '-0' : '0';
  // Integers below 2^53 have at most 16 digits: %.17g prints them all, as String() does.
  if (Number.isInteger(d) && Math.abs(d) <= MAX_SAFE) return String(d);
  const a = Math.abs(d);
  const { digits, exp10 } = shortExactDigits(a) ?? significantDigits17(a);
  return (d < 0 ? '-' : '') + layoutG(digits, exp10);
}

const MAX_SAFE = Number.MAX_SAFE_INTEGER;
/** 5^22 < 2^53 <= 5^23. */
const MAX_SHORT_FRACTION_BITS = 22;

/**
 * The exact digits of a > 0 when they are few, computed with doubles only: a = odd × 2^-k with
 * odd × 5^k below 2^53 is exactly (odd × 5^k) / 10^k, at most 16 significant digits, so %.17g
 * prints it unrounded. Covers the common scores 1.5, 0.25, 1234.125… without bignum work
 * (V8's toExponential is slowest exactly on those).
 */
function shortExactDigits(a: number): { digits: string; exp10: number } | null {
  // Scaling by a power of two is exact. Past 22 fractional bits, or for integers (beyond 2^53
  // here), the general path applies; otherwise halve back to the fewest fractional bits k.
  let t = a * 2 ** MAX_SHORT_FRACTION_BITS;
  if (!Number.isInteger(t)) return null;
  let k = MAX_SHORT_FRACTION_BITS;
  while (k > 0 && t % 2 === 0) {
    t /= 2;
    k--;
  }
  if (k === 0) return null;
  const scaled = t * 5 ** k; // t is odd; 5^k is exact, so a product below 2^53 is exact too
  if (scaled > MAX_SAFE) return null;
  const digits = String(scaled);
  return { digits, exp10: digits.length - 1 - k };
}

/**
 * The 17 significant digits of |d| rounded as glibc does, and the decimal exponent of the first.
 * JavaScript's toExponential rounds the exact value too but breaks ties upwards, so ties are
 * redone exactly. A tie needs the exact expansion to have exactly 18 significant digits, which
 * the binary layout tells cheaply: k fractional bits give k fractional decimal digits.
 */
function significantDigits17(a: number): { digits: string; exp10: number } {
  const s = a.toExponential(G_PRECISION - 1);
  const ePos = s.indexOf('e');
  const exp10 = Number(s.slice(ePos + 1));
  const { mantissa, exp } = decomposeDouble(a);
  const fractionalBits = -(exp + trailingZeroBits(mantissa));
  const exactDigits = fractionalBits + exp10 + 1;
  if (fractionalBits > 0 && exactDigits >= G_PRECISION && exactDigits <= G_PRECISION + 2) {
    return exactSignificantDigits(dyadic(BigInt(mantissa), exp), G_PRECISION);
  }
  return { digits: s[0]! + s.slice(2, ePos), exp10 };
}

function trailingZeroBits(n: number): number {
  const lo = n % 2 ** 32;
  if (lo !== 0) return 31 - Math.clz32(lo & -lo);
  const hi = Math.floor(n / 2 ** 32);
  return 32 + 31 - Math.clz32(hi & -hi);
}

/** `precision` significant digits of x > 0, ties to even, with the exponent of the first digit. */
export function exactSignificantDigits(x: Dyadic, precision: number): { digits: string; exp10: number } {
  // Estimate floor(log10 x) from the bit length, then correct the estimate by at most one step.
  let exp10 = Math.floor((bitLength(x.m) - 1 + x.e) * Math.LOG10E * Math.LN2);
  for (;;) {
    const n = scaleToInteger(x, precision - 1 - exp10);
    const len = n.toString().length;
    if (len === precision) return { digits: n.toString(), exp10 };
    // Rounding 9.99… up to 10.0… gives precision + 1 digits: still the right answer, one
    // exponent higher (the extra digit is a zero).
    if (len === precision + 1 && n === pow10(precision)) {
      return { digits: n.toString().slice(0, precision), exp10: exp10 + 1 };
    }
    exp10 += len > precision ? 1 : -1;
  }
}

/** round(x × 10^p), ties to even, for x > 0. */
function scaleToInteger(x: Dyadic, p: number): bigint {
  if (p < 0) return divRoundHalfEven(x.m, pow10(-p) << BigInt(-x.e));
  const num = x.m * pow10(p);
  return x.e < 0 ? shiftRoundHalfEven(num, BigInt(-x.e)) : num;
}

/** %g layout of `digits` (at most 17 significant digits) × 10^exp10, trailing zeros removed. */
function layoutG(digits: string, exp10: number): string {
  let end = digits.length;
  while (end > 1 && digits.charCodeAt(end - 1) === 48) end--;
  const trimmed = digits.slice(0, end);
  if (exp10 < -4 || exp10 >= G_PRECISION) {
    const mantissa = trimmed.length > 1 ? trimmed[0] + '.' + trimmed.slice(1) : trimmed;
    const e = Math.abs(exp10);
    return `${mantissa}e${exp10 < 0 ? '-' : '+'}${e < 10 ? '0' + e : e}`;
  }
  if (exp10 < 0) return '0.' + '0'.repeat(-exp10 - 1) + trimmed;
  const intLen = exp10 + 1;
  if (trimmed.length <= intLen) return trimmed + '0'.repeat(intLen - trimmed.length);
  return trimmed.slice(0, intLen) + '.' + trimmed.slice(intLen);
}
