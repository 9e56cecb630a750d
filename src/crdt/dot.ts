/**
 * Identity of writes. Every effect an instance originates gets a dot (origin, seq): `seq`
 * counts that instance's effects, starting at 1. Sequence numbers are JS numbers: exact up to
 * 2^53, which at a million writes per second lasts 285 years, so no bigint is needed on the
 * hot path (reference §1.4 asks for more than 32 bits).
 */
export type InstanceId = number & { readonly __brand: 'InstanceId' };

/** The largest instance id a database may use (ids are small integers, reference §1.1). */
export const MAX_INSTANCE_ID = 1023;

export function instanceId(n: number): InstanceId {
  if (!Number.isInteger(n) || n < 1 || n > MAX_INSTANCE_ID) {
    throw new RangeError(`instance id must be an integer from 1 to ${MAX_INSTANCE_ID}, got ${n}`);
  }
  return n as InstanceId;
}

export interface Dot {
  readonly origin: number;
  readonly seq: number;
}

export function dot(origin: number, seq: number): Dot {
  return { origin, seq };
}

export function dotKey(d: Dot): string {
  return `${d.origin}:${d.seq}`;
}

export function compareDots(a: Dot, b: Dot): number {
  return a.origin - b.origin || a.seq - b.seq;
}
