/**
 * Replication over TCP: drives the sans-IO core (replication-node.ts) with sockets and timers.
 *
 * Destination side: dials the source's client port and sends the Hello as a RESP command,
 *   TANDEM.REPLICATE <guid> <dest-id> <protocol> <secret> <resume-clock> <run-id>
 * then reads one line — `+CONTINUE <source-id> <protocol> <full|partial> <causal 0|1>
 * <dest-seen> <clock> <run-id> <reason…>` or `-REFUSED <code> <message>` — after which both
 * directions carry binary frames (frames.ts).
 *
 * Source side: the TANDEM.REPLICATE command (commands.ts) hands its client's socket over here
 * once the core accepted the Hello; the server stops parsing it as a client.
 *
 * Frames written during one event-loop turn go out in one socket write (SocketConn.send corks
 * the socket until setImmediate). The core is pumped on setImmediate after new work and on 'drain', and ticked on a timer.
 */
import net from 'node:net';
import type { Socket } from 'node:net';
import { encodeCommand } from '../protocol/resp-client.js';
import { FrameDecoder, FrameError } from './frames.js';
import type { Continue, DialConn, Hello, Refusal, RefusalCode, LogFn } from './protocol.js';
import { formatClock, parseClock } from './protocol.js';
import type { ReplicationNode } from './replication-node.js';
import type { SyncerLink } from './syncer-link.js';

export interface TcpOptions {
  /** Sets the database's wall clock and returns the protocol's (monotonic) time, in ms. */
  enter: () => number;
  log: LogFn;
  tickMs?: number;
  connectTimeoutMs?: number;
  /** Bytes a socket may hold unsent before the core stops producing for it. */
  highWaterBytes?: number;
}

/** The handshake command and replies, as text (also used by tests and the docs). */
export function helloCommand(h: Hello): string[] {
  return ['TANDEM.REPLICATE', h.guid, String(h.destId), String(h.protocol), h.secret, formatClock(h.resume), h.runId];
}

export function continueLine(c: Continue): string {
  return `+CONTINUE ${c.sourceId} ${c.protocol} ${c.mode} ${c.causal ? 1 : 0} ${c.destSeen} ${formatClock(c.clock)} ${c.runId} ${c.reason}`.trimEnd().replace(/[\r\n]/g, ' ') + '\r\n';
}

export function refusalText(r: Refusal): string {
  return `REFUSED ${r.code} ${r.message}`;
}

/** Parses the source's answer line (without CRLF). */
export function parseAnswer(line: string): { ok: true; c: Continue } | { ok: false; r: Refusal } {
  if (line.startsWith('+CONTINUE ')) {
    const p = line.slice(10).split(' ');
    const clock = parseClock(p[5] ?? '');
    if (p.length < 7 || clock === null || (p[2] !== 'full' && p[2] !== 'partial')) {
      return { ok: false, r: { code: 'syntax', message: `malformed answer '${line.slice(0, 200)}'` } };
    }
    return {
      ok: true,
      c: { sourceId: Number(p[0]), protocol: Number(p[1]), mode: p[2], causal: p[3] === '1', destSeen: Number(p[4]), clock, runId: p[6]!, reason: p.slice(7).join(' ') },
    };
  }
  const m = /^-REFUSED (\S+) (.*)$/.exec(line);
  if (m !== null) return { ok: false, r: { code: m[1] as RefusalCode, message: m[2]! } };
  // Anything else: e.g. -ERR unknown command (not a Tandem instance), -NOAUTH, -LOADING.
  return { ok: false, r: { code: 'syntax', message: `unexpected answer '${line.slice(0, 200)}' (is that address a Tandem instance of this database?)` } };
}

/** A socket as the core's Conn. Once closed (by either side) the core hears nothing more. */
class SocketConn implements DialConn {
  closed = false;
  onClose: ((reason: string) => void) | null = null;

  constructor(
    readonly socket: Socket,
    private readonly highWater: number,
  ) {}

  get backpressured(): boolean {
    return this.socket.writableLength > this.highWater;
  }

  hello(h: Hello): void {
    if (!this.closed) this.socket.write(encodeCommand(helloCommand(h)));
  }

  /**
   * Frames sent during one turn of the event loop (acknowledgements after each read, a batch
   * per commit, probe replies …) leave in one write: the socket is corked at the first and
   * uncorked on setImmediate, after every I/O callback of the turn.
   */
  send(frame: Buffer): void {
    if (this.closed) return;
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      setImmediate(this.uncork);
    }
    this.socket.write(frame);
  }

  private corked = false;

  private readonly uncork = (): void => {
    this.corked = false;
    if (!this.closed) this.socket.uncork();
  };

  close(_reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.destroy();
  }

  /** The socket went away on its own: tell the core once. */
  lost(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.destroy();
    this.onClose?.(reason);
  }
}

export class TcpReplication {
  private readonly conns = new Set<SocketConn>();
  private timer: NodeJS.Timeout | null = null;
  private pumpScheduled = false;
  private closed = false;
  private readonly tickMs: number;
  private readonly connectTimeoutMs: number;
  private readonly highWater: number;

  constructor(
    private readonly node: ReplicationNode,
    private readonly opts: TcpOptions,
  ) {
    this.tickMs = opts.tickMs ?? 50;
    this.connectTimeoutMs = opts.connectTimeoutMs ?? 5000;
    this.highWater = opts.highWaterBytes ?? 4 * 1024 * 1024;
  }

  start(): void {
    this.timer = setInterval(() => this.tick(), this.tickMs);
    this.timer.unref();
    this.tick();
  }

  /** node.onWork: pump soon, once per event-loop turn however many units were committed. */
  requestPump(): void {
    if (this.pumpScheduled || this.closed) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      if (this.closed) return;
      // More than a pump's worth: yield to the event loop (clients, other links), then go on.
      if (this.node.pump(this.opts.enter())) this.requestPump();
    });
  }

  private tick(): void {
    if (this.closed) return;
    const now = this.opts.enter();
    this.node.tick(now);
    for (const link of this.node.dialable(now)) this.dial(link, now);
  }

  private dial(link: SyncerLink, now: number): void {
    const socket = net.connect({ host: link.host, port: link.port, noDelay: true });
    const conn = new SocketConn(socket, this.highWater);
    this.conns.add(conn);
    conn.onClose = (reason) => {
      this.conns.delete(conn);
      link.onClosed(reason, this.opts.enter());
      this.node.afterInput(this.opts.enter());
    };
    socket.setTimeout(this.connectTimeoutMs, () => conn.lost(`no answer from ${link.host}:${link.port} within ${this.connectTimeoutMs} ms`));
    // The link sends its Hello at once; Node queues it until the connection is up.
    link.open(conn, now);
    let answered = false;
    let line = Buffer.alloc(0);
    const decoder = new FrameDecoder();
    socket.on('data', (chunk: Buffer) => {
      if (conn.closed) return;
      const t = this.opts.enter();
      let rest = chunk;
      if (!answered) {
        line = Buffer.concat([line, chunk]);
        const eol = line.indexOf('\r\n');
        if (eol < 0) {
          if (line.length > 64 * 1024) conn.lost('answer line too long');
          return;
        }
        answered = true;
        socket.setTimeout(0);
        const a = parseAnswer(line.subarray(0, eol).toString('latin1'));
        rest = line.subarray(eol + 2);
        if (!a.ok) {
          link.onRefused(a.r, t);
          conn.close('refused');
          this.conns.delete(conn);
          return;
        }
        link.onContinue(a.c, t);
        if (conn.closed) {
          this.conns.delete(conn);
          return;
        }
      }
      try {
        decoder.push(rest, (f) => link.onFrame(f, t));
      } catch (e) {
        link.fail(`protocol error from instance ${link.peerId}: ${(e as FrameError).message}`, t);
      }
      if (conn.closed) this.conns.delete(conn);
      this.node.afterInput(t);
    });
    socket.on('drain', () => this.requestPump());
    socket.on('error', (e) => conn.lost(e.message));
    socket.on('close', () => conn.lost('connection closed'));
  }

  /**
   * A destination's Hello arrived on `socket` (TANDEM.REPLICATE). When the core accepts it, the
   * Continue line is written and the socket carries frames from then on; otherwise the error
   * text to reply is returned and the socket stays an ordinary client.
   */
  accept(socket: Socket, h: Hello): string | null {
    const conn = new SocketConn(socket, this.highWater);
    const res = this.node.acceptHello(h, conn, this.opts.enter());
    if (!res.ok) return refusalText(res.refusal);
    const session = res.session;
    socket.write(continueLine(res.reply));
    this.conns.add(conn);
    conn.onClose = (reason) => {
      this.conns.delete(conn);
      session.onClosed(reason, this.opts.enter());
    };
    const decoder = new FrameDecoder();
    socket.on('data', (chunk: Buffer) => {
      if (conn.closed) return;
      const t = this.opts.enter();
      try {
        decoder.push(chunk, (f) => session.onFrame(f, t));
      } catch (e) {
        session.close(`protocol error from instance ${session.destId}: ${(e as FrameError).message}`, t);
      }
      if (conn.closed) this.conns.delete(conn);
      this.node.afterInput(t);
    });
    socket.on('drain', () => this.requestPump());
    socket.on('error', (e) => conn.lost(e.message));
    socket.on('close', () => conn.lost('connection closed'));
    this.requestPump();
    return null;
  }

  close(): void {
    this.closed = true;
    if (this.timer !== null) clearInterval(this.timer);
    this.node.close(this.opts.enter());
    for (const c of this.conns) c.close('shutting down');
    this.conns.clear();
  }
}
