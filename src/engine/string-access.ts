/**
 * Reading and writing string values of records: the visible text of a register + counter
 * (reference §2.1–2.2), and the operations a whole-value write issues. Shared by the string,
 * key and bitmap families.
 */
import type { KeyOp, KeyRecord } from '../crdt/key.js';
import { effectiveExpiry, observeExpiry } from '../crdt/expiry.js';
import { counterSum, counterVisible, observeCounter, registerVisible } from '../crdt/string-value.js';
import * as D from '../crdt/dyadic.js';
import type { Dyadic } from '../crdt/dyadic.js';
import { formatCounter, parseInteger, parseLongDouble } from './numbers.js';

/**
 * The text a visible string record shows. A counter shows the register's number plus every
 * visible contribution; when the register holds something that is not a number, concurrent
 * increments cannot be shown and the register text wins (docs/semantics.md).
 */
export function stringValue(r: KeyRecord): string {
  if (r.x === null) return r.v ?? '';
  return counterText(registerVisible(r) ? r.v : null, counterVisible(r) ? counterSum(r) : null);
}

/**
 * What a register plus counter contributions show (a string key, a hash field): the register
 * alone without contributions, the sum alone without a register, else their sum when the
 * register holds a number, else the register text.
 */
export function counterText(reg: string | null, sum: Dyadic | null): string {
  if (sum === null) return reg ?? '';
  if (reg === null) return formatCounter(sum, !D.isInteger(sum));
  const base = numericBase(reg);
  if (base === null) return reg;
  const total = D.add(base.v, sum);
  return formatCounter(total, base.float || !D.isInteger(total));
}

/** The exact number behind `counterText(reg, sum)`, or null when it shows text. */
export function counterExact(reg: string | null, sum: Dyadic): Dyadic | null {
  if (reg === null) return sum;
  const base = numericBase(reg);
  return base === null ? null : D.add(base.v, sum);
}

function numericBase(reg: string): { v: Dyadic; float: boolean } | null {
  const i = parseInteger(reg);
  if (i !== null) return { v: D.fromBigInt(i), float: false };
  const ld = parseLongDouble(reg);
  if (ld === null || typeof ld === 'string') return null;
  return { v: ld, float: true };
}

/**
 * The exact numeric value behind what `stringValue` shows, or null when the record shows text
 * that is not a number. INCRBYFLOAT adds its delta relative to this exact value so the result
 * is exactly the long double Redis would store.
 */
export function exactNumericValue(r: KeyRecord): Dyadic | null {
  return counterExact(registerVisible(r) ? r.v : null, counterVisible(r) ? counterSum(r) : D.ZERO);
}

export function stringLength(r: KeyRecord): number {
  return r.x === null ? (r.v ?? '').length : stringValue(r).length;
}

/**
 * Operations that replace the value of `key` with `value`. `existing` is the visible record
 * (if any): a record of another type is deleted first (SET overwrites any type); its counter
 * contributions are removed (observed-remove, so concurrent increments elsewhere survive).
 * Expiry: `expireAt` sets a new TTL; otherwise the TTL is kept when `keepTtl`, else cleared.
 */
export function setStringOps(existing: KeyRecord | undefined, value: string, keepTtl: boolean, expireAt: number | null, removal: (r: KeyRecord) => KeyOp | KeyOp[]): KeyOp[] {
  const ops: KeyOp[] = [];
  let obsExp = existing ? observeExpiry(existing.env?.exp ?? null) : [];
  if (existing !== undefined && existing.type !== 'string') {
    const rm = removal(existing);
    if (Array.isArray(rm)) ops.push(...rm);
    else ops.push(rm);
    obsExp = [];
    // The removal cleared the old value's TTL; KEEPTTL carries it over to the new value.
    const at = effectiveExpiry(existing.env?.exp ?? null);
    if (keepTtl && expireAt === null && at !== Infinity) expireAt = at;
  }
  const obs = existing !== undefined && existing.type === 'string' ? observeCounter(existing) : null;
  ops.push({ k: 'str', e: { t: 'set', v: value, obs } });
  if (expireAt !== null) ops.push({ k: 'exp', e: { at: expireAt, obs: obsExp } });
  else if (!keepTtl && obsExp.length > 0) ops.push({ k: 'exp', e: { at: null, obs: obsExp } });
  return ops;
}
