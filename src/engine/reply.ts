/**
 * What command handlers write replies to. The protocol layer's ReplyWriter implements it (RESP2
 * or RESP3 per connection); the engine only sees this interface, so it never depends on the
 * wire format.
 */
export interface Reply {
  readonly resp: 2 | 3;
  simple(s: string): void;
  error(s: string): void;
  integer(n: number | bigint): void;
  /** A bulk string given as latin1 (one char per byte); null writes the null bulk. */
  bulk(s: string | null): void;
  nullBulk(): void;
  nullArray(): void;
  array(n: number): void;
  map(n: number): void;
  set(n: number): void;
  push(n: number): void;
  /**
   * A double: RESP3 `,text`, RESP2 a bulk string of the text. The text is `%.17g` of d unless
   * given (GEOPOS and WITHCOORD print `%.17Lf` digits, addReplyHumanLongDouble).
   */
  double(d: number, text?: string): void;
  bool(b: boolean): void;
  verbatim(s: string, fmt?: string): void;
  bigNumber(s: string): void;
}

/** Error texts shared by many commands, exactly as Redis 7.0 words them. */
export const Errors = {
  syntax: 'ERR syntax error',
  wrongType: 'WRONGTYPE Operation against a key holding the wrong kind of value',
  notInteger: 'ERR value is not an integer or out of range',
  notFloat: 'ERR value is not a valid float',
  overflow: 'ERR increment or decrement would overflow',
  noSuchKey: 'ERR no such key',
  nanOrInf: 'ERR increment would produce NaN or Infinity',
  noAuth: 'NOAUTH Authentication required.',
  oom: "OOM command not allowed when used memory > 'maxmemory'.",
  arity: (name: string) => `ERR wrong number of arguments for '${name}' command`,
  unknownSubcommand: (sub: string, cmd: string) => `ERR unknown subcommand '${sub}'. Try ${cmd.toUpperCase()} HELP.`,
} as const;
