// What the generator produces and the runner executes: one command (or one multi-command probe)
// and how its two replies are to be compared.
import type { Reply } from '../../../src/protocol/resp-client.js';
import type { Arg } from '../../helpers/raw-client.js';

/** One server under comparison, as the runner and probes see it. */
export interface Side {
  readonly name: string;
  call(args: readonly Arg[]): Promise<Reply>;
}

/**
 * How the reference reply and the target reply are compared.
 *
 * - exact: same wire type and bytes (the default, and the point of the test).
 * - tolerance: top-level integers that are both >= 0 may differ by `abs` (TTL-like replies read
 *   at slightly different instants on the two servers); negative integers (-1, -2) and every
 *   other reply type must be exact.
 * - unordered: an array compared as a multiset (KEYS: hash-table order is not part of the
 *   contract); anything else exact.
 * - sameShape: same reply type; integers may differ (OBJECT REFCOUNT reports Redis's shared
 *   integer objects, an implementation detail); errors and strings exact.
 * - bothErrors: a form Tandem documents as rejected differently (SELECT / COPY … DB with an index
 *   other than 0): passes when both replies are errors, whatever the text; otherwise exact.
 */
export type Check =
  | { readonly kind: 'exact' }
  | { readonly kind: 'tolerance'; readonly abs: bigint }
  | { readonly kind: 'unordered' }
  | { readonly kind: 'sameShape' }
  | { readonly kind: 'bothErrors' };

export const EXACT: Check = { kind: 'exact' };
export const UNORDERED: Check = { kind: 'unordered' };
export const SAME_SHAPE: Check = { kind: 'sameShape' };
export const BOTH_ERRORS: Check = { kind: 'bothErrors' };
export const tolerance = (abs: number): Check => ({ kind: 'tolerance', abs: BigInt(abs) });

export interface Step {
  /** The command sent (for probes: the command shown in reports). */
  readonly args: readonly Arg[];
  readonly check?: Check;
  /**
   * A probe made of several calls, run on each side independently; its synthesised reply is
   * compared (e.g. a full SCAN iteration reduced to the sorted set of keys it returned).
   */
  readonly exec?: (side: Side) => Promise<Reply>;
}
