/**
 * Exact dyadic rationals: m × 2^e with e <= 0. Counter contributions are kept exactly in this
 * form, so float counters (INCRBYFLOAT) converge to the same bits whatever order the
 * contributions of different instances are added in — floating-point addition is not
 * associative, exact addition is. Rounding to Redis's long double happens only when a value is
 * shown or when a local INCRBYFLOAT fixes its result (see engine/numbers.ts).
 *
 * Normal form: e === 0, or m is odd. `0` is { m: 0n, e: 0 }.
 */
export interface Dyadic {
  readonly m: bigint;
  readonly e: number;
}

export const ZERO: Dyadic = Object.freeze({ m: 0n, e: 0 });

export function normalize(m: bigint, e: number): Dyadic {
  if (m === 0n) return ZERO;
  while (e < 0 && (m & 1n) === 0n) {
    m >>= 1n;
    e += 1;
  }
  return { m, e };
}

export function fromBigInt(n: bigint): Dyadic {
  return n === 0n ? ZERO : { m: n, e: 0 };
}

export function add(a: Dyadic, b: Dyadic): Dyadic {
  if (a.e === b.e) return a.e === 0 ? fromBigInt(a.m + b.m) : normalize(a.m + b.m, a.e);
  if (a.e < b.e) return normalize(a.m + (b.m << BigInt(b.e - a.e)), a.e);
  return normalize((a.m << BigInt(a.e - b.e)) + b.m, b.e);
}

export function neg(a: Dyadic): Dyadic {
  return a.m === 0n ? ZERO : { m: -a.m, e: a.e };
}

export function sub(a: Dyadic, b: Dyadic): Dyadic {
  return add(a, neg(b));
}

export function isInteger(a: Dyadic): boolean {
  return a.e === 0;
}

export function isZero(a: Dyadic): boolean {
  return a.m === 0n;
}

export function compare(a: Dyadic, b: Dyadic): number {
  const d = sub(a, b).m;
  return d === 0n ? 0 : d < 0n ? -1 : 1;
}

export function equals(a: Dyadic, b: Dyadic): boolean {
  return a.m === b.m && a.e === b.e;
}

/** Nearest double (exact for values a double can hold). */
export function toNumber(a: Dyadic): number {
  if (a.e === 0) return Number(a.m);
  // Scale so the division happens on numbers that fit: exactness is not needed here.
  const shift = -a.e;
  if (shift <= 1000) return Number(a.m) / 2 ** shift;
  return Number(a.m >> BigInt(shift - 1000)) / 2 ** 1000;
}

export function toJSON(a: Dyadic): string {
  return a.e === 0 ? a.m.toString() : `${a.m}p${a.e}`;
}

export function fromJSON(s: string): Dyadic {
  const i = s.indexOf('p');
  if (i < 0) return fromBigInt(BigInt(s));
  return normalize(BigInt(s.slice(0, i)), Number(s.slice(i + 1)));
}
