/**
 * What generic key commands need from each value type besides its CRDT: how to copy a value to
 * another key (RENAME, COPY: fresh writes of what is visible) and the OBJECT ENCODING Redis would
 * report. Each family module registers its type; strings are built in (keys.ts).
 */
import type { KeyOp, KeyRecord, TypeName } from '../crdt/key.js';

export interface TypeSupport {
  /** Operations that create, on another key, the value `r` shows (a new incarnation). */
  copyOps(r: KeyRecord): KeyOp[];
  /** OBJECT ENCODING for the value (e.g. listpack, hashtable, intset, skiplist, quicklist). */
  encoding(r: KeyRecord): string;
}

const support = new Map<TypeName, TypeSupport>();

export function registerTypeSupport(type: TypeName, s: TypeSupport): void {
  support.set(type, s);
}

export function typeSupport(type: TypeName): TypeSupport | undefined {
  return support.get(type);
}
