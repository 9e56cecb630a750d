// Client side of RESP: encode commands, and read a server's replies exactly as sent. Used by
// the differential tests (our server against a real Redis) and by replication links, so the
// reply tree keeps every distinction the wire makes: simple vs bulk string, RESP2 null bulk vs
// null array vs RESP3 null, a double's exact text, map vs array.

export type Reply =
  | { t: 'simple'; v: string }
  | { t: 'error'; v: string }
  | { t: 'integer'; v: bigint }
  | { t: 'bulk'; v: Buffer }
  /** RESP2 `$-1`. */
  | { t: 'nullbulk' }
  /** RESP2 `*-1`. */
  | { t: 'nullarray' }
  /** RESP3 `_`. */
  | { t: 'null' }
  /** RESP3 `,`: the text as sent (`3.5`, `inf`, `nan`…), so formatting differences show. */
  | { t: 'double'; v: string }
  | { t: 'bool'; v: boolean }
  | { t: 'bignum'; v: string }
  | { t: 'verbatim'; format: string; v: Buffer }
  /** RESP3 `!`. */
  | { t: 'bloberror'; v: Buffer }
  | { t: 'array'; v: Reply[] }
  | { t: 'set'; v: Reply[] }
  | { t: 'push'; v: Reply[] }
  | { t: 'map'; v: [Reply, Reply][] }
  /** RESP3 `|`: attributes that came before the reply they annotate. */
  | { t: 'attribute'; attrs: [Reply, Reply][]; v: Reply };

export class ReplyParseError extends Error {
  override readonly name = 'ReplyParseError';
}

export interface ReplyParserOptions {
  /** Refuse bulk strings longer than this (a corrupt length must not make us wait forever). */
  maxBulkLen?: number;
}

/**
 * Pulls whole replies out of a byte stream. The stream is kept as a list of chunks and joined
 * only once enough bytes have arrived for the reply being waited on, so a large reply arriving
 * in many chunks is not re-joined on every chunk.
 */
export class ReplyParser {
  private readonly maxBulkLen: number;
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** Bytes needed before another parse attempt can succeed. */
  private needed = 1;
  private failure: ReplyParseError | null = null;

  // Cursor of the parse in progress.
  private buf: Buffer = Buffer.alloc(0);
  private pos = 0;

  constructor(options: ReplyParserOptions = {}) {
    this.maxBulkLen = options.maxBulkLen ?? 512 * 1024 * 1024;
  }

  /** Bytes received and not yet returned as replies. */
  get pendingBytes(): number {
    return this.buffered;
  }

  /** Parses every complete reply, calling onReply for each; returns an error (and keeps
   *  returning it) once the stream is not valid RESP. */
  feed(chunk: Buffer, onReply: (reply: Reply) => void): ReplyParseError | null {
    if (this.failure !== null) return this.failure;
    if (chunk.length > 0) {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
    }
    while (this.buffered >= this.needed) {
      if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks, this.buffered)];
      this.buf = this.chunks[0]!;
      this.pos = 0;
      let reply: Reply | undefined;
      try {
        reply = this.readReply();
      } catch (e) {
        if (!(e instanceof ReplyParseError)) throw e;
        this.failure = e;
        this.chunks = [];
        this.buffered = 0;
        return e;
      }
      if (reply === undefined) {
        // needed was set by whatever ran out of bytes
        this.buf = Buffer.alloc(0);
        return null;
      }
      const rest = this.buf.subarray(this.pos);
      this.chunks = rest.length > 0 ? [rest] : [];
      this.buffered = rest.length;
      this.needed = 1;
      this.buf = Buffer.alloc(0);
      onReply(reply);
    }
    return null;
  }

  // Each reader returns undefined when the buffer ends too early (and sets `needed`).

  private readReply(): Reply | undefined {
    const line = this.readLine();
    if (line === undefined) return undefined;
    const type = line[0];
    const body = line.slice(1);
    switch (type) {
      case '+':
        return { t: 'simple', v: body };
      case '-':
        return { t: 'error', v: body };
      case ':':
        return { t: 'integer', v: parseInteger(body) };
      case '$': {
        const n = this.length(body, true);
        if (n < 0) return { t: 'nullbulk' };
        const v = this.readBlob(n);
        return v === undefined ? undefined : { t: 'bulk', v };
      }
      case '!': {
        const v = this.readBlob(this.length(body, false));
        return v === undefined ? undefined : { t: 'bloberror', v };
      }
      case '=': {
        const v = this.readBlob(this.length(body, false));
        if (v === undefined) return undefined;
        if (v.length < 4 || v[3] !== 58 /* : */) throw new ReplyParseError('verbatim string without a format');
        return { t: 'verbatim', format: v.toString('latin1', 0, 3), v: v.subarray(4) };
      }
      case '*': {
        const n = this.length(body, true);
        if (n < 0) return { t: 'nullarray' };
        const v = this.readList(n);
        return v === undefined ? undefined : { t: 'array', v };
      }
      case '~': {
        const v = this.readList(this.length(body, false));
        return v === undefined ? undefined : { t: 'set', v };
      }
      case '>': {
        const v = this.readList(this.length(body, false));
        return v === undefined ? undefined : { t: 'push', v };
      }
      case '%': {
        const v = this.readPairs(this.length(body, false));
        return v === undefined ? undefined : { t: 'map', v };
      }
      case '|': {
        const attrs = this.readPairs(this.length(body, false));
        if (attrs === undefined) return undefined;
        const v = this.readReply();
        return v === undefined ? undefined : { t: 'attribute', attrs, v };
      }
      case '_':
        if (body !== '') throw new ReplyParseError(`bad null '${line}'`);
        return { t: 'null' };
      case ',':
        if (body === '') throw new ReplyParseError('empty double');
        return { t: 'double', v: body };
      case '#':
        if (body !== 't' && body !== 'f') throw new ReplyParseError(`bad boolean '${line}'`);
        return { t: 'bool', v: body === 't' };
      case '(':
        parseInteger(body); // validates
        return { t: 'bignum', v: body };
      default:
        throw new ReplyParseError(`unknown reply type byte 0x${line.charCodeAt(0).toString(16)}`);
    }
  }

  /** One CRLF-terminated line as a latin1 string, without the CRLF. */
  private readLine(): string | undefined {
    const cr = this.buf.indexOf('\r\n', this.pos, 'latin1');
    if (cr < 0) {
      this.needed = this.buffered + 1;
      return undefined;
    }
    const line = this.buf.toString('latin1', this.pos, cr);
    if (line === '') throw new ReplyParseError('empty reply line');
    this.pos = cr + 2;
    return line;
  }

  /** A header's count; -1 only where allowed (RESP2 null bulk / null array). */
  private length(text: string, nullable: boolean): number {
    const n = Number(parseInteger(text));
    if (n === -1 && nullable) return -1;
    if (n < 0 || n > this.maxBulkLen) throw new ReplyParseError(`bad length '${text}'`);
    return n;
  }

  private readBlob(n: number): Buffer | undefined {
    if (this.buf.length - this.pos < n + 2) {
      this.needed = this.buffered + (n + 2 - (this.buf.length - this.pos));
      return undefined;
    }
    const v = this.buf.subarray(this.pos, this.pos + n);
    if (this.buf[this.pos + n] !== 13 || this.buf[this.pos + n + 1] !== 10) {
      throw new ReplyParseError('bulk string not followed by CRLF');
    }
    this.pos += n + 2;
    return Buffer.from(v); // own copy: the reply outlives the receive buffer
  }

  private readList(n: number): Reply[] | undefined {
    const out: Reply[] = [];
    for (let i = 0; i < n; i++) {
      const r = this.readReply();
      if (r === undefined) return undefined;
      out.push(r);
    }
    return out;
  }

  private readPairs(n: number): [Reply, Reply][] | undefined {
    const out: [Reply, Reply][] = [];
    for (let i = 0; i < n; i++) {
      const k = this.readReply();
      if (k === undefined) return undefined;
      const v = this.readReply();
      if (v === undefined) return undefined;
      out.push([k, v]);
    }
    return out;
  }
}

function parseInteger(text: string): bigint {
  let i = text.charCodeAt(0) === 45 /* - */ ? 1 : 0;
  if (i === text.length) throw new ReplyParseError(`bad integer '${text}'`);
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) throw new ReplyParseError(`bad integer '${text}'`);
  }
  return BigInt(text);
}

/**
 * A command as a RESP multibulk request. Strings are latin1 byte strings (the keyspace
 * convention, one char per byte): pass a Buffer for text that is not already bytes.
 */
export function encodeCommand(args: readonly (string | Buffer)[]): Buffer {
  let size = 16;
  for (const a of args) size += a.length + 16;
  const out = Buffer.allocUnsafe(size);
  let o = out.write(`*${args.length}\r\n`, 0, 'latin1');
  for (const a of args) {
    o += out.write(`$${a.length}\r\n`, o, 'latin1');
    o += typeof a === 'string' ? out.write(a, o, 'latin1') : a.copy(out, o);
    out[o++] = 13;
    out[o++] = 10;
  }
  return out.subarray(0, o);
}

export interface FormatOptions {
  /** Sort set members and map entries (by their text), for replies whose order is unspecified. */
  sortUnordered?: boolean;
}

/**
 * A canonical one-line text of a reply, for comparing two servers: every type keeps its own
 * marker (`+OK`, `"bulk"`, `:1`, `$-1`, `*-1`, `_`, `,1.5`, `#t`, `(12`, `=txt:"…"`, `!"…"`,
 * `*[…]`, `~[…]`, `>[…]`, `%{k: v}`, `|{k: v} reply`) and bytes are escaped as redis-cli does.
 */
export function formatReply(r: Reply, options: FormatOptions = {}): string {
  const sort = options.sortUnordered === true;
  const list = (items: Reply[], sortThem: boolean): string => {
    const texts = items.map((x) => formatReply(x, options));
    if (sortThem) texts.sort();
    return texts.join(', ');
  };
  const pairs = (items: [Reply, Reply][], sortThem: boolean): string => {
    const texts = items.map(([k, v]) => `${formatReply(k, options)}: ${formatReply(v, options)}`);
    if (sortThem) texts.sort();
    return texts.join(', ');
  };
  switch (r.t) {
    case 'simple': return '+' + escapeBytes(r.v);
    case 'error': return '-' + escapeBytes(r.v);
    case 'integer': return ':' + r.v.toString();
    case 'bulk': return quote(r.v.toString('latin1'));
    case 'nullbulk': return '$-1';
    case 'nullarray': return '*-1';
    case 'null': return '_';
    case 'double': return ',' + r.v;
    case 'bool': return r.v ? '#t' : '#f';
    case 'bignum': return '(' + r.v;
    case 'verbatim': return `=${r.format}:${quote(r.v.toString('latin1'))}`;
    case 'bloberror': return '!' + quote(r.v.toString('latin1'));
    case 'array': return `*[${list(r.v, false)}]`;
    case 'set': return `~[${list(r.v, sort)}]`;
    case 'push': return `>[${list(r.v, false)}]`;
    case 'map': return `%{${pairs(r.v, sort)}}`;
    case 'attribute': return `|{${pairs(r.attrs, sort)}} ${formatReply(r.v, options)}`;
  }
}

function quote(s: string): string {
  return '"' + escapeBytes(s) + '"';
}

/** sdscatrepr's escaping: \\ \" \n \r \t \a \b, printable ASCII as is, other bytes \xHH. */
function escapeBytes(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    switch (c) {
      case 92: out += '\\\\'; break;
      case 34: out += '\\"'; break;
      case 10: out += '\\n'; break;
      case 13: out += '\\r'; break;
      case 9: out += '\\t'; break;
      case 7: out += '\\a'; break;
      case 8: out += '\\b'; break;
      default:
        out += c >= 32 && c < 127 ? s[i] : '\\x' + c.toString(16).padStart(2, '0');
    }
  }
  return out;
}
