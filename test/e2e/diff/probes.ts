// Probes: several calls on one side reduced to one reply that is comparable across servers,
// for commands whose raw replies legitimately differ (cursor values, random choices).
import type { Reply } from '../../../src/protocol/resp-client.js';
import type { Arg } from '../../helpers/raw-client.js';
import type { Side } from './step.js';

const MAX_SCAN_CALLS = 100_000;

const probeError = (v: string): Reply => ({ t: 'error', v: `probe: ${v}` });

/**
 * A full SCAN-style iteration (SCAN, and later HSCAN/SSCAN/ZSCAN through `prefix`), reduced to
 * the sorted, de-duplicated elements it returned. Cursor values are implementation details and
 * SCAN may return an element more than once, so only the set of elements is compared. An
 * error (on the first call, where option errors are reported) is returned as it is.
 *
 * `prefix` is e.g. ['SCAN'] or ['HSCAN', key]; `firstCursor` is what the iteration starts with
 * ('0', or '' which Redis also reads as 0); `options` follow the cursor.
 */
export function scanAll(prefix: readonly Arg[], firstCursor: Arg, options: readonly Arg[]): (side: Side) => Promise<Reply> {
  return async (side) => {
    const seen = new Map<string, Buffer>();
    let cursor: Arg = firstCursor;
    for (let calls = 0; calls < MAX_SCAN_CALLS; calls++) {
      const r = await side.call([...prefix, cursor, ...options]);
      if (r.t !== 'array') return r;
      const [next, page] = r.v;
      if (r.v.length !== 2 || next?.t !== 'bulk' || page?.t !== 'array') return probeError('malformed SCAN reply');
      for (const item of page.v) {
        if (item.t !== 'bulk') return probeError('SCAN returned a non-bulk element');
        seen.set(item.v.toString('latin1'), item.v);
      }
      cursor = next.v;
      if (cursor.toString() === '0') {
        return { t: 'array', v: [...seen.keys()].sort().map((k): Reply => ({ t: 'bulk', v: seen.get(k)! })) };
      }
    }
    return probeError(`SCAN did not finish within ${MAX_SCAN_CALLS} calls`);
  };
}

/**
 * RANDOMKEY, made comparable: with 0 or 1 keys the reply is deterministic and returned as it is
 * (with DBSIZE); with more keys only "some key that EXISTS" is checked.
 */
export function randomKeyProbe(args: readonly Arg[]): (side: Side) => Promise<Reply> {
  return async (side) => {
    const r = await side.call(args);
    const size = await side.call(['DBSIZE']);
    if (r.t !== 'bulk' || size.t !== 'integer' || size.v <= 1n) return { t: 'array', v: [r, size] };
    const exists = await side.call(['EXISTS', r.v]);
    return { t: 'array', v: [{ t: 'simple', v: '<one of the keys>' }, size, exists] };
  };
}
