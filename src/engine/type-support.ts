/**
 * What generic key commands need from each value type besides its CRDT: how to copy a value to
 * another key (RENAME, COPY: fresh writes of what is visible) and the OBJECT ENCODING Redis would
 * report. Each family module registers its type; strings are built in (keys.ts).
 */
import type { KeyOp, KeyRecord, TypeName } from '../crdt/key.js';

/** Where a copy goes (RENAME, COPY). */
export interface CopyTarget {
  /**
   * The destination's record as stored, live or dead, or undefined. A list copy must continue the
   * element counter of a list state the record still holds (crdt/sequence.ts: ids never repeat).
   */
  readonly stored: KeyRecord | undefined;
  /** What this instance has applied (its vector clock): a DEL-wins copy (HLL) must cover it. */
  readonly observed: Iterable<readonly [number, number]>;
}

export interface TypeSupport {
  /** Operations that create, on another key, the value `r` shows (a new incarnation). */
  copyOps(r: KeyRecord, target: CopyTarget): KeyOp[];
  /** OBJECT ENCODING for the value (e.g. listpack, hashtable, intset, skiplist, quicklist). */
  encoding(r: KeyRecord): string;
  /** What TYPE (and SCAN … TYPE) call it when Redis names it otherwise: HLLs are strings. */
  readonly typeName?: string;
  /** For values Redis stores as strings (HLL): the bytes GET, STRLEN and GETRANGE see. */
  stringValue?(r: KeyRecord): string;
}

const support = new Map<TypeName, TypeSupport>();

export function registerTypeSupport(type: TypeName, s: TypeSupport): void {
  support.set(type, s);
}

export function typeSupport(type: TypeName): TypeSupport | undefined {
  return support.get(type);
}

/** The type name Redis reports for a record's type (TYPE, SCAN … TYPE). */
export function redisTypeName(type: TypeName): string {
  return type === 'string' ? type : (support.get(type)?.typeName ?? type);
}

/** The string value of a record of another type that Redis stores as a string, or undefined. */
export function stringView(r: KeyRecord): string | undefined {
  return support.get(r.type)?.stringValue?.(r);
}
