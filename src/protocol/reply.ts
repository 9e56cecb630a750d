// Reply encoding. Every reply of a pipeline goes into one growable Buffer so the connection can
// answer a whole read event with one socket.write (DESIGN.md §8). Strings are latin1 byte
// strings (the keyspace convention: one char per byte) and are written straight into that
// buffer, never through an intermediate Buffer.
//
// RESP3 types degrade to their RESP2 forms the way Redis 7.0 networking.c does (addReplyMapLen,
// addReplyDouble, addReplyBool, addReplyVerbatim, addReplyBigNum, addReplyNull...).

const LF = 10;
const CR = 13;
const PLUS = 43;
const MINUS = 45;
const COLON = 58;
const DOLLAR = 36;
const STAR = 42;
const PERCENT = 37;
const TILDE = 126;
const GT = 62;
const COMMA = 44;
const EQUALS = 61;
const LPAREN = 40;
const ZERO = 48;

const EMPTY = Buffer.alloc(0);

/** Replies pre-encoded once for every connection. */
export const SHARED_REPLIES = {
  ok: Buffer.from('+OK\r\n'),
  nullBulk: Buffer.from('$-1\r\n'),
  nullArray: Buffer.from('*-1\r\n'),
  null: Buffer.from('_\r\n'),
  true: Buffer.from('#t\r\n'),
  false: Buffer.from('#f\r\n'),
  emptyArray: Buffer.from('*0\r\n'),
  emptyBulk: Buffer.from('$0\r\n\r\n'),
} as const;

/** `:0\r\n` … `:9999\r\n`, back to back in one Buffer; INT_OFFSETS[n] is where n starts. */
const INT_CACHE_SIZE = 10000;
const INT_OFFSETS = new Uint32Array(INT_CACHE_SIZE + 1);
const INT_CACHE = buildIntCache();

function buildIntCache(): Buffer {
  const texts: string[] = [];
  let off = 0;
  for (let i = 0; i < INT_CACHE_SIZE; i++) {
    INT_OFFSETS[i] = off;
    const t = `:${i}\r\n`;
    texts.push(t);
    off += t.length;
  }
  INT_OFFSETS[INT_CACHE_SIZE] = off;
  return Buffer.from(texts.join(''), 'latin1');
}

/** Replies up to this size are copied out by take(), so the writer keeps its buffer; larger
 *  ones hand the buffer itself to the caller (no copy) and the writer starts a fresh one. */
const TAKE_COPY_MAX = 1024;
/** The writer never keeps more than this between pipelines. */
const KEEP_MAX = 64 * 1024;

export class ReplyWriter {
  /** Protocol version of the connection, switched by HELLO. */
  resp: 2 | 3 = 2;
  /** Error replies written so far: lets the caller tell whether a command failed, for the
   *  per-command `failed_calls` and `total_error_replies` statistics. */
  errorCount = 0;

  private buf: Buffer = EMPTY;
  private len = 0;
  /** Size of the next allocation: follows the connection's recent pipeline size. */
  private nextSize: number;

  constructor(initialSize = 4096) {
    this.nextSize = initialSize;
  }

  /** Bytes buffered and not yet taken. */
  get length(): number {
    return this.len;
  }

  /** Returns the buffered bytes and empties the writer. The result is never written again. */
  take(): Buffer {
    const n = this.len;
    if (n === 0) return EMPTY;
    this.len = 0;
    if (n <= TAKE_COPY_MAX) {
      const out = Buffer.allocUnsafe(n); // from Node's shared pool: cheap for small replies
      this.buf.copy(out, 0, 0, n);
      return out;
    }
    const out = this.buf.subarray(0, n);
    this.nextSize = Math.min(this.buf.length, KEEP_MAX);
    this.buf = EMPTY;
    return out;
  }

  /** Drops everything buffered. */
  clear(): void {
    this.len = 0;
    if (this.buf.length > KEEP_MAX) {
      this.buf = EMPTY;
      this.nextSize = KEEP_MAX;
    }
  }

  // ---- simple types ----------------------------------------------------------------------

  /** `+s`. Line breaks inside s become spaces, as Redis does, so they cannot break framing. */
  simple(s: string): void {
    if (s === 'OK') {
      this.putSmall(SHARED_REPLIES.ok);
      return;
    }
    this.line(PLUS, hasLineBreak(s) ? mapLineBreaks(s) : s);
  }

  ok(): void {
    this.putSmall(SHARED_REPLIES.ok);
  }

  /** `-s`: s is the whole text with its code, e.g. `ERR wrong number of arguments for 'get'
   *  command`. Like addReplyErrorFormat, line breaks at the ends are trimmed and inner ones
   *  become spaces. */
  error(s: string): void {
    this.errorCount++;
    this.line(MINUS, hasLineBreak(s) ? mapLineBreaks(trimLineBreaks(s)) : s);
  }

  /** `:n`. A number must be an integer; pass a bigint beyond 2^53. */
  integer(n: number | bigint): void {
    if (typeof n === 'number') {
      if (n >= 0 && n < INT_CACHE_SIZE && (n | 0) === n) {
        this.putCachedInt(n);
      } else if (Number.isSafeInteger(n)) {
        this.header(COLON, n);
      } else if (Number.isInteger(n)) {
        this.line(COLON, BigInt(n).toString());
      } else {
        throw new RangeError(`integer reply needs an integer, got ${n}`);
      }
    } else {
      this.line(COLON, n.toString());
    }
  }

  /** RESP3 `,d`; RESP2 a bulk string of the same text (`%.17g` of d unless `digits` is given). */
  double(d: number, digits?: string): void {
    const text = digits ?? formatDouble17g(d);
    if (this.resp === 3) this.line(COMMA, text);
    else this.bulk(text);
  }

  /** RESP3 `#t` / `#f`; RESP2 `:1` / `:0`. */
  bool(b: boolean): void {
    if (this.resp === 3) this.putSmall(b ? SHARED_REPLIES.true : SHARED_REPLIES.false);
    else this.putCachedInt(b ? 1 : 0);
  }

  /** RESP3 `(s` (s holds the digits); RESP2 a bulk string. */
  bigNumber(s: string): void {
    if (this.resp === 3) this.line(LPAREN, s);
    else this.bulk(s);
  }

  // ---- strings ---------------------------------------------------------------------------

  /** `$len` + s, s a latin1 byte string; null gives the null bulk. */
  bulk(s: string | null): void {
    if (s === null) {
      this.nullBulk();
      return;
    }
    const n = s.length;
    this.reserve(n + 24);
    const b = this.buf;
    let o = this.len;
    b[o++] = DOLLAR;
    o = writeDecimal(b, o, n);
    b[o++] = CR;
    b[o++] = LF;
    o += writeLatin1(b, o, s);
    b[o++] = CR;
    b[o++] = LF;
    this.len = o;
  }

  bulkBuffer(v: Buffer): void {
    const n = v.length;
    this.reserve(n + 24);
    const b = this.buf;
    let o = this.len;
    b[o++] = DOLLAR;
    o = writeDecimal(b, o, n);
    b[o++] = CR;
    b[o++] = LF;
    o += v.copy(b, o);
    b[o++] = CR;
    b[o++] = LF;
    this.len = o;
  }

  /** RESP3 `=len\r\nfmt:s`; RESP2 a bulk string of s. fmt is three characters (txt, mkd). */
  verbatim(s: string, fmt = 'txt'): void {
    if (this.resp === 2) {
      this.bulk(s);
      return;
    }
    this.reserve(s.length + 28);
    const b = this.buf;
    let o = this.len;
    b[o++] = EQUALS;
    o = writeDecimal(b, o, s.length + 4);
    b[o++] = CR;
    b[o++] = LF;
    o += writeLatin1(b, o, fmt);
    b[o++] = COLON;
    o += writeLatin1(b, o, s);
    b[o++] = CR;
    b[o++] = LF;
    this.len = o;
  }

  /** RESP2 `$-1`; RESP3 `_`. */
  nullBulk(): void {
    this.putSmall(this.resp === 3 ? SHARED_REPLIES.null : SHARED_REPLIES.nullBulk);
  }

  /** RESP2 `*-1`; RESP3 `_`. */
  nullArray(): void {
    this.putSmall(this.resp === 3 ? SHARED_REPLIES.null : SHARED_REPLIES.nullArray);
  }

  // ---- aggregate headers: the caller writes the elements next ------------------------------

  array(n: number): void {
    this.header(STAR, n);
  }

  /** RESP3 `%n` (n key/value pairs); RESP2 an array of 2n elements. */
  map(n: number): void {
    if (this.resp === 3) this.header(PERCENT, n);
    else this.header(STAR, 2 * n);
  }

  /** RESP3 `~n`; RESP2 an array. */
  set(n: number): void {
    this.header(this.resp === 3 ? TILDE : STAR, n);
  }

  /** RESP3 `>n`; RESP2 an array (as Redis sends pub/sub messages to RESP2 clients). */
  push(n: number): void {
    this.header(this.resp === 3 ? GT : STAR, n);
  }

  /** Pre-encoded bytes, copied as they are. */
  raw(v: Buffer): void {
    if (v.length <= 16) {
      this.putSmall(v);
      return;
    }
    this.reserve(v.length);
    this.len += v.copy(this.buf, this.len);
  }

  // ---- internals -------------------------------------------------------------------------

  private reserve(n: number): void {
    if (this.len + n > this.buf.length) this.grow(n);
  }

  private grow(n: number): void {
    const size = Math.max(this.buf.length * 2, this.len + n, this.nextSize);
    const next = Buffer.allocUnsafeSlow(size); // own memory: it may be handed to the socket
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }

  /** prefix, a non-negative or negative safe integer, CRLF. */
  private header(prefix: number, n: number): void {
    this.reserve(24);
    const b = this.buf;
    let o = this.len;
    b[o++] = prefix;
    o = writeDecimal(b, o, n);
    b[o++] = CR;
    b[o++] = LF;
    this.len = o;
  }

  /** prefix, s (already free of CR/LF), CRLF. */
  private line(prefix: number, s: string): void {
    this.reserve(s.length + 3);
    const b = this.buf;
    let o = this.len;
    b[o++] = prefix;
    o += writeLatin1(b, o, s);
    b[o++] = CR;
    b[o++] = LF;
    this.len = o;
  }

  private putCachedInt(n: number): void {
    const from = INT_OFFSETS[n]!;
    const to = INT_OFFSETS[n + 1]!;
    this.reserve(to - from);
    const b = this.buf;
    let o = this.len;
    for (let i = from; i < to; i++) b[o++] = INT_CACHE[i]!;
    this.len = o;
  }

  /** Byte loop: for a handful of bytes it beats Buffer.copy's native call. */
  private putSmall(src: Buffer): void {
    const n = src.length;
    this.reserve(n);
    const b = this.buf;
    const o = this.len;
    for (let i = 0; i < n; i++) b[o + i] = src[i]!;
    this.len = o + n;
  }
}

/** Strings shorter than this are copied by a JS loop: cheaper than the native write call. */
const SHORT_STRING = 16;

/** Writes latin1 string s at b[o] (room already reserved); returns s.length. */
function writeLatin1(b: Buffer, o: number, s: string): number {
  const n = s.length;
  if (n < SHORT_STRING) {
    for (let i = 0; i < n; i++) b[o + i] = s.charCodeAt(i);
    return n;
  }
  return b.write(s, o, n, 'latin1');
}

/** Writes the decimal form of safe integer n at b[o]; returns the position after it. */
function writeDecimal(b: Buffer, o: number, n: number): number {
  if (n < 0) {
    b[o++] = MINUS;
    n = -n;
  }
  if (n < 10) {
    b[o] = ZERO + n;
    return o + 1;
  }
  let digits = 1;
  for (let t = n; t >= 10; t = Math.floor(t / 10)) digits++;
  let i = o + digits;
  while (n >= 10) {
    const q = Math.floor(n / 10);
    b[--i] = ZERO + (n - q * 10);
    n = q;
  }
  b[--i] = ZERO + n;
  return o + digits;
}

function hasLineBreak(s: string): boolean {
  return s.indexOf('\n') !== -1 || s.indexOf('\r') !== -1;
}

function mapLineBreaks(s: string): string {
  return s.replaceAll('\r', ' ').replaceAll('\n', ' ');
}

function trimLineBreaks(s: string): string {
  let a = 0;
  let z = s.length;
  while (a < z && isLineBreak(s.charCodeAt(a))) a++;
  while (z > a && isLineBreak(s.charCodeAt(z - 1))) z--;
  return s.slice(a, z);
}

function isLineBreak(c: number): boolean {
  return c === CR || c === LF;
}

// ---- doubles -----------------------------------------------------------------------------

/**
 * The text Redis 7.0 sends for a double: `inf`, `-inf`, `nan`, otherwise printf("%.17g").
 * %.17g means 17 significant digits, correctly rounded (ties to even, as glibc does), in fixed
 * notation when the decimal exponent X satisfies -4 <= X < 17 and in `d.ddde±XX` notation
 * otherwise, with trailing zeros (and a bare point) removed.
 */
export function formatDouble17g(d: number): string {
  if (d !== d) return 'nan';
  if (d === Infinity) return 'inf';
  if (d === -Infinity) return '-inf';
  if (d === 0) return 1 / d < 0 ? '-0' : '0';
  // Below 2^53 an integer has at most 16 digits, so %.17g prints it exactly as String does.
  if (Number.isSafeInteger(d)) return String(d);
  const abs = d < 0 ? -d : d;
  const sign = d < 0 ? '-' : '';
  const sci = abs.toExponential(16); // "d.dddddddddddddddde±X", ties rounded up
  let digits = sci[0]! + sci.slice(2, 18);
  let exp = Number(sci.slice(19));
  const tieDigits = halfEvenTie(abs);
  if (tieDigits !== null) {
    digits = tieDigits.digits;
    exp = tieDigits.exp;
  }
  if (exp < -4 || exp >= 17) {
    const frac = stripTrailingZeros(digits.slice(1));
    const e = exp < 0 ? -exp : exp;
    return `${sign}${digits[0]}${frac === '' ? '' : '.' + frac}e${exp < 0 ? '-' : '+'}${e < 10 ? '0' : ''}${e}`;
  }
  if (exp >= 0) {
    const frac = stripTrailingZeros(digits.slice(exp + 1));
    return `${sign}${digits.slice(0, exp + 1)}${frac === '' ? '' : '.' + frac}`;
  }
  return `${sign}0.${'0'.repeat(-exp - 1)}${stripTrailingZeros(digits)}`;
}

function stripTrailingZeros(s: string): string {
  let z = s.length;
  while (z > 0 && s.charCodeAt(z - 1) === ZERO) z--;
  return s.slice(0, z);
}

const F64_VIEW = new DataView(new ArrayBuffer(8));

/**
 * JavaScript rounds an exact tie at the 17th digit up, glibc to even. A tie needs the exact
 * binary value to have exactly 18 significant decimal digits ending in 5, so it is checked
 * exactly (BigInt) only when the 18-digit rounding ends in 5. Returns the 17 digits and the
 * exponent to use when the result must be rounded down instead, else null.
 */
function halfEvenTie(abs: number): { digits: string; exp: number } | null {
  const sci18 = abs.toExponential(17);
  if (sci18[18] !== '5') return null;
  const truncated = sci18[0]! + sci18.slice(2, 18);
  if ((truncated.charCodeAt(16) - ZERO) % 2 === 1) return null; // odd: rounding up is right
  const exp = Number(sci18.slice(20));
  const n18 = BigInt(sci18[0]! + sci18.slice(2, 19)); // value = n18 × 10^(exp-17)
  F64_VIEW.setFloat64(0, abs);
  const bits = F64_VIEW.getBigUint64(0);
  const biased = Number(bits >> 52n);
  let mantissa = bits & 0xfffffffffffffn;
  let exp2 = -1074; // subnormal
  if (biased !== 0) {
    mantissa |= 1n << 52n;
    exp2 = biased - 1075;
  }
  // Compare n18 × 10^k with mantissa × 2^exp2 as integers.
  const k = exp - 17;
  let lhs = n18;
  let rhs = mantissa;
  if (k >= 0) lhs *= 10n ** BigInt(k);
  else rhs *= 10n ** BigInt(-k);
  if (exp2 >= 0) rhs *= 2n ** BigInt(exp2);
  else lhs *= 2n ** BigInt(-exp2);
  return lhs === rhs ? { digits: truncated, exp } : null;
}
