/**
 * Redis's glob matcher (util.c stringmatchlen) for KEYS, SCAN MATCH and PUBSUB patterns:
 * `*`, `?`, `[abc]`, `[^a]`, `[a-z]`, and `\` escapes, on latin1 strings (one char per byte).
 * Bytes compare as C `char`, which is signed on x86-64: that matters only for ranges with bytes
 * above 127, and is reproduced.
 */
function signed(c: number): number {
  return c > 127 ? c - 256 : c;
}

function lower(c: number, nocase: boolean): number {
  return nocase && c >= 65 && c <= 90 ? c + 32 : c;
}

interface State {
  skipLonger: boolean;
  nesting: number;
}

function match(p: string, pi: number, s: string, si: number, nocase: boolean, st: State): boolean {
  // Redis 7.0 limits recursion so patterns like many '*' cannot blow the stack.
  if (++st.nesting > 1000) return false;
  let plen = p.length - pi;
  let slen = s.length - si;
  while (plen > 0 && slen > 0) {
    const pc = p.charCodeAt(pi);
    if (pc === 42 /* * */) {
      while (plen > 1 && p.charCodeAt(pi + 1) === 42) {
        pi++;
        plen--;
      }
      if (plen === 1) return true;
      while (slen > 0) {
        if (match(p, pi + 1, s, si, nocase, st)) return true;
        if (st.skipLonger) return false;
        si++;
        slen--;
      }
      st.skipLonger = true;
      return false;
    } else if (pc === 63 /* ? */) {
      si++;
      slen--;
    } else if (pc === 91 /* [ */) {
      pi++;
      plen--;
      const not = plen > 0 && p.charCodeAt(pi) === 94; /* ^ */
      if (not) {
        pi++;
        plen--;
      }
      let matched = false;
      const c = s.charCodeAt(si);
      for (;;) {
        if (plen >= 2 && p.charCodeAt(pi) === 92 /* \ */) {
          pi++;
          plen--;
          if (p.charCodeAt(pi) === c) matched = true;
        } else if (plen > 0 && p.charCodeAt(pi) === 93 /* ] */) {
          break;
        } else if (plen === 0) {
          pi--;
          plen++;
          break;
        } else if (plen >= 3 && p.charCodeAt(pi + 1) === 45 /* - */) {
          let start = signed(p.charCodeAt(pi));
          let end = signed(p.charCodeAt(pi + 2));
          let cc = signed(c);
          if (start > end) [start, end] = [end, start];
          if (nocase) {
            start = lower(start, true);
            end = lower(end, true);
            cc = lower(cc, true);
          }
          pi += 2;
          plen -= 2;
          if (cc >= start && cc <= end) matched = true;
        } else if (lower(p.charCodeAt(pi), nocase) === lower(c, nocase)) {
          matched = true;
        }
        pi++;
        plen--;
      }
      if (not) matched = !matched;
      if (!matched) return false;
      si++;
      slen--;
    } else {
      if (pc === 92 /* \ */ && plen >= 2) {
        pi++;
        plen--;
      }
      if (lower(p.charCodeAt(pi), nocase) !== lower(s.charCodeAt(si), nocase)) return false;
      si++;
      slen--;
    }
    pi++;
    plen--;
    if (slen === 0) {
      while (plen > 0 && p.charCodeAt(pi) === 42) {
        pi++;
        plen--;
      }
      break;
    }
  }
  return plen === 0 && slen === 0;
}

export function globMatch(pattern: string, s: string, nocase = false): boolean {
  return match(pattern, 0, s, 0, nocase, { skipLonger: false, nesting: 0 });
}
