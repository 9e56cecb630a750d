// Reply comparison under a Check (see step.ts for what each check allows and why).
// Exact equality is equality of formatReply's canonical text, which keeps every wire type
// distinct and escapes bytes one-to-one.
import { type Reply, formatReply } from '../../../src/protocol/resp-client.js';
import type { Check } from './step.js';

export function replyEquals(a: Reply, b: Reply): boolean {
  return formatReply(a) === formatReply(b);
}

/** Undefined when the replies agree under `check`, else a short reason. */
export function compareReplies(check: Check, ref: Reply, target: Reply): string | undefined {
  switch (check.kind) {
    case 'exact':
      return replyEquals(ref, target) ? undefined : 'replies differ';
    case 'tolerance': {
      if (ref.t === 'integer' && target.t === 'integer' && ref.v >= 0n && target.v >= 0n) {
        const d = ref.v - target.v;
        const abs = d < 0n ? -d : d;
        return abs <= check.abs ? undefined : `integers differ by ${abs} (allowed ${check.abs})`;
      }
      return replyEquals(ref, target) ? undefined : 'replies differ';
    }
    case 'unordered': {
      if (ref.t === 'array' && target.t === 'array') {
        if (ref.v.length !== target.v.length) return `arrays have ${ref.v.length} vs ${target.v.length} elements`;
        const a = ref.v.map((x) => formatReply(x)).sort();
        const b = target.v.map((x) => formatReply(x)).sort();
        return a.every((x, i) => x === b[i]) ? undefined : 'arrays differ as multisets';
      }
      return replyEquals(ref, target) ? undefined : 'replies differ';
    }
    case 'sameShape': {
      if (ref.t !== target.t) return `reply types differ (${ref.t} vs ${target.t})`;
      if (ref.t === 'integer') return undefined;
      return replyEquals(ref, target) ? undefined : 'replies differ';
    }
    case 'bothErrors': {
      const refErr = ref.t === 'error';
      const targetErr = target.t === 'error';
      if (refErr && targetErr) return undefined;
      if (refErr !== targetErr) return refErr ? 'reference refused, target accepted' : 'target refused, reference accepted';
      return replyEquals(ref, target) ? undefined : 'replies differ';
    }
  }
}

/** formatReply cut to `max` characters, for reports. */
export function showReply(r: Reply, max = 200): string {
  const s = formatReply(r);
  return s.length <= max ? s : `${s.slice(0, max)}…(${s.length} chars)`;
}

/**
 * A reply altered so that it no longer compares equal: used to prove the differential test
 * fails when the servers disagree (DIFF_TAMPER=<index>).
 */
export function tamperReply(r: Reply): Reply {
  switch (r.t) {
    case 'integer':
      return { t: 'integer', v: r.v + 100_000n };
    case 'simple':
    case 'error':
      return { t: r.t, v: r.v + '~' };
    case 'bulk':
      return { t: 'bulk', v: Buffer.concat([r.v, Buffer.from('~')]) };
    case 'nullbulk':
    case 'nullarray':
      return { t: 'bulk', v: Buffer.alloc(0) };
    case 'array':
      return { t: 'array', v: [...r.v, { t: 'nullbulk' }] };
    default:
      return { t: 'error', v: 'TAMPERED' };
  }
}
