// The shared vocabulary of the command generators: a small key space (so commands interact),
// value and number pools full of edge cases, and expiry times chosen so that results do not
// depend on when exactly each server ran a command.
import type { Arg } from '../../helpers/raw-client.js';
import { Rng } from './rng.js';

/**
 * Every key carries the hash tag {d}, so all keys live in one hash slot and multi-key writes
 * (DEL, MSET, RENAME, COPY …) are legal whether or not the target enforces single-slot
 * multi-key writes as Active-Active databases do.
 */
export const KEYSPACE: readonly Buffer[] = [
  ...Array.from({ length: 14 }, (_, i) => Buffer.from(`{d}:k${i}`)),
  Buffer.from('{d}:'),
  Buffer.from('{d}:a b'),
  Buffer.from('{d}:\x00\xff\x7f', 'latin1'),
  Buffer.from('{d}:\r\n*1'),
  Buffer.from('{d}:ключ', 'utf8'),
  Buffer.from('{d}:' + 'L'.repeat(120)),
];

/** The first keys get most of the traffic, so values are overwritten, renamed, expired … often. */
const HOT_KEYS = 6;

const INTEGER_TEXTS = [
  '0', '1', '-1', '2', '7', '10', '42', '-7', '100', '123456789',
  '9223372036854775807', '-9223372036854775808', '9223372036854775806', '-9223372036854775807',
  '9223372036854775808', '-9223372036854775809', '18446744073709551616',
  '012', '+5', '-0', ' 1', '1 ', '1e3', '0x10', '1.0', '', '-', 'abc', '1\x002',
];

const FLOAT_TEXTS = [
  '0', '1', '-1', '0.1', '-0.1', '0.2', '1.5', '-2.25', '3.0e3', '1e-10', '2.5e-3', '1E2',
  '1e308', '-1e308', '1.7976931348623157e308', '4.9e-324', '0.30000000000000004', '-0.0',
  '3.14159265358979323846264338327950288', '100000000000000000000', '123456789.123456789',
  'inf', '-inf', '+inf', 'Infinity', 'nan', 'NaN', '.5', '5.', '+1.5', ' 1.5', '1.5 ', '0x10',
  '1e400', '1e', 'e5', '', 'abc', '1.5.5', '9223372036854775807',
];

const WORDS = ['', 'a', 'b', 'ab', 'hello', 'foo bar', 'ohmytext', 'mynewtext', 'AAAA', 'x\ny', 'tab\tbed'];
/** Multi-byte UTF-8 text, as Buffers (string arguments are sent as latin1 bytes). */
const UTF8 = ['héllo', '日本語テキスト', 'ключ', '🙂🚀', 'naïve café'].map((s) => Buffer.from(s, 'utf8'));

export class GenContext {
  readonly rng: Rng;
  /** Wall-clock second at which the run started; absolute expiry times are based on it. */
  readonly nowSec: number;
  private readonly usedRelative = new Set<number>();

  constructor(seed: number, nowSec: number = Math.floor(Date.now() / 1000)) {
    this.rng = new Rng(seed);
    this.nowSec = nowSec;
  }

  // -- keys ----------------------------------------------------------------------------------

  key(): Buffer {
    return this.rng.chance(0.6) ? KEYSPACE[this.rng.int(0, HOT_KEYS - 1)]! : this.rng.pick(KEYSPACE);
  }

  /** Between min and max keys, duplicates allowed (they are legal and counted by EXISTS/TOUCH). */
  keys(min: number, max: number): Buffer[] {
    return Array.from({ length: this.rng.int(min, max) }, () => this.key());
  }

  /** A pattern for KEYS / SCAN MATCH: mostly meaningful, sometimes malformed glob syntax. */
  pattern(): Arg {
    const fixed: Arg[] = [
      '*', '{d}:k*', '{d}:k1?', '{d}:k[0-3]', '{d}:k[^0-3]*', '{d}:k[!1]*', '{d}:k[3-0]', '{d}:?',
      '{d}:*\\', '\\{d}*', '{d}:k[', '{d}:k[1', '*[', '[a-', '???', '', '{d}:a\\ b', '*\\*',
      '{d}:\r\n*', Buffer.from('*ключ', 'utf8'), '{d}:[\\]]', '{d}:k1[0-9]', '*L*L*L*L*L*L*L*x', 'nomatch*', '**', '[]',
    ];
    if (this.rng.chance(0.7)) return this.rng.pick(fixed);
    const alphabet = ['{d}:', 'k', '1', '*', '?', '[', ']', '^', '-', '\\', 'a', ' ', '0-9'];
    let p = '';
    for (let i = this.rng.int(1, 6); i > 0; i--) p += this.rng.pick(alphabet);
    return p;
  }

  // -- values --------------------------------------------------------------------------------

  value(): Arg {
    switch (this.rng.int(0, 9)) {
      case 0:
      case 1:
      case 2:
        return this.rng.pick(WORDS);
      case 3:
      case 4:
        return this.rng.pick(INTEGER_TEXTS.slice(0, 17));
      case 5:
        return this.rng.pick(FLOAT_TEXTS);
      case 6:
        return this.rng.bytes(this.rng.int(1, 16));
      case 7:
        return this.rng.pick(UTF8);
      case 8:
        return this.rng.pick(INTEGER_TEXTS);
      default: {
        const n = this.rng.int(40, 300);
        return this.rng.chance(0.5) ? 'x'.repeat(n) : this.rng.bytes(n).toString('base64').slice(0, n);
      }
    }
  }

  /** A short value (APPEND, SETRANGE payloads), so strings grow slowly. */
  shortValue(): Arg {
    return this.rng.chance(0.15) ? this.rng.bytes(this.rng.int(1, 4)) : this.rng.pick(['', 'a', 'xyz', '1', '0', ' ', '\x00', '\xe9', '99']);
  }

  /** An integer argument: usually valid, sometimes the edges, sometimes not a number at all. */
  integer(): string {
    if (this.rng.chance(0.6)) return String(this.rng.int(-20, 20));
    return this.rng.pick(INTEGER_TEXTS);
  }

  float(): string {
    if (this.rng.chance(0.4)) return (this.rng.int(-4000, 4000) / 8).toString();
    return this.rng.pick(FLOAT_TEXTS);
  }

  /** A string offset or index: small, negative, or the 64-bit edges. */
  index(): string {
    if (this.rng.chance(0.8)) return String(this.rng.int(-12, 40));
    return this.rng.pick(['9223372036854775807', '-9223372036854775808', '9223372036854775808', '2147483648', '-2147483649', 'x', '', '1.5']);
  }

  // -- expiry times ----------------------------------------------------------------------------
  //
  // The two servers run each command at slightly different instants. Replies that compare expiry
  // times (EXPIRE … NX/XX/GT/LT, TTL) would then depend on timing luck if two expiry times could
  // lie close together. So:
  //  - relative times are distinct multiples of one hour (plus < 1 s of milliseconds), each used
  //    once per run;
  //  - absolute future times are nowSec + 1800 + k·3600 (reused on purpose: equal absolute times
  //    compare equal on both servers), at least half an hour away from any relative time;
  //  - past absolute times delete (or refuse) at once, the same on both servers;
  //  - small positive relative times are never generated: a key that expires during the run
  //    would vanish at different moments on the two servers.
  // This holds while a run lasts less than 30 minutes.

  private freshHours(): number {
    for (;;) {
      const h = this.rng.int(1, 10 ** this.rng.int(3, 7));
      if (!this.usedRelative.has(h)) {
        this.usedRelative.add(h);
        return h;
      }
    }
  }

  /** A relative TTL in seconds, unique within the run. */
  relSeconds(): string {
    return String(this.freshHours() * 3600);
  }

  /** A relative TTL in milliseconds, unique within the run. */
  relMillis(): string {
    return String(this.freshHours() * 3_600_000 + this.rng.int(0, 999));
  }

  /** An absolute future Unix time in seconds, from a small pool. */
  absSeconds(): string {
    return String(this.nowSec + 1800 + 3600 * this.rng.pick([24, 240, 2400, 24000, 240000]));
  }

  /** An absolute future Unix time in milliseconds, from a small pool (ms jitter 0, 1 or 999). */
  absMillis(): string {
    return String((this.nowSec + 1800 + 3600 * this.rng.pick([24, 240, 2400])) * 1000 + this.rng.pick([0, 1, 999]));
  }

  /** An absolute time in the past (seconds): the key is deleted or the command refused. */
  pastSeconds(): string {
    return this.rng.pick(['1', '0', '-1', '1000000000', String(this.nowSec - 3600)]);
  }

  pastMillis(): string {
    return this.rng.pick(['1', '0', '-1', '1000000000000', String((this.nowSec - 3600) * 1000)]);
  }

  /** TTL arguments that are invalid or overflow: 0, negative, huge, not a number. */
  badTtl(): string {
    return this.rng.pick([
      '0', '-1', '-100', 'abc', '', '1.5', ' 10', '10 ', '9223372036854775807', '-9223372036854775808',
      '9223372036854775', '9223372036854775808', '92233720368547758',
    ]);
  }

  /** Expiry argument for an EXPIRE-family command in `unit`: future, past, or an edge value. */
  expireArg(unit: 's' | 'ms', absolute: boolean): string {
    const r = this.rng.int(0, 9);
    if (r < 6) return absolute ? (unit === 's' ? this.absSeconds() : this.absMillis()) : unit === 's' ? this.relSeconds() : this.relMillis();
    if (r < 8) return absolute ? (unit === 's' ? this.pastSeconds() : this.pastMillis()) : this.rng.pick(['0', '-1', '-3600']);
    return this.badTtl();
  }

  // -- command names ----------------------------------------------------------------------------

  /** The command name, now and then in mixed case (names are case-insensitive). */
  name(n: string): string {
    if (!this.rng.chance(0.1)) return n;
    return Array.from(n, (ch) => (this.rng.chance(0.5) ? ch.toLowerCase() : ch.toUpperCase())).join('');
  }

  /** An argument of any kind, for padding wrong-arity forms. */
  anyArg(): Arg {
    return this.rng.chance(0.5) ? this.key() : this.value();
  }
}
