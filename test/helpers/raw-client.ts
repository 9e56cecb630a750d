// A minimal RESP client for tests that need replies exactly as the server sent them: the reply
// tree of src/protocol/resp-client.ts keeps every wire distinction (simple vs bulk, null bulk vs
// null array, RESP3 types). Commands are pipelined in order; replies resolve in FIFO order.
import net from 'node:net';
import { type Reply, ReplyParser, encodeCommand, formatReply } from '../../src/protocol/resp-client.js';

/** A command argument: a Buffer, or a string of latin1 bytes (pass non-ASCII text as a Buffer). */
export type Arg = string | Buffer;

export interface RawClientOptions {
  host?: string;
  /** Connect timeout in milliseconds (default 5000). */
  connectTimeoutMs?: number;
}

interface Pending {
  resolve(r: Reply): void;
  reject(e: Error): void;
}

export class RawClient {
  private readonly parser = new ReplyParser();
  private readonly pending: Pending[] = [];
  private closedError: Error | undefined;
  /** RESP3 push messages (pub/sub, invalidations) land here instead of answering a command. */
  readonly pushes: Reply[] = [];

  private constructor(private readonly socket: net.Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (e) => this.fail(e));
    socket.on('close', () => this.fail(new Error('connection closed by server')));
  }

  static connect(port: number, opts: RawClientOptions = {}): Promise<RawClient> {
    const host = opts.host ?? '127.0.0.1';
    const timeout = opts.connectTimeoutMs ?? 5000;
    return new Promise((resolve, reject) => {
      const socket = net.createConnection({ port, host });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`connect to ${host}:${port} timed out after ${timeout} ms`));
      }, timeout);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve(new RawClient(socket));
      });
      socket.once('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
    });
  }

  /** Sends one command; resolves with its reply (error replies resolve too, as replies). */
  call(...args: Arg[]): Promise<Reply> {
    return this.callArgs(args);
  }

  callArgs(args: readonly Arg[]): Promise<Reply> {
    const p = this.expect();
    this.socket.write(encodeCommand(args));
    return p;
  }

  /** Sends all commands in one write and resolves with their replies in order. */
  pipeline(commands: readonly (readonly Arg[])[]): Promise<Reply[]> {
    const ps = commands.map(() => this.expect());
    this.socket.write(Buffer.concat(commands.map(encodeCommand)));
    return Promise.all(ps);
  }

  /** Writes bytes as they are (inline commands, malformed input) and awaits `replies` replies. */
  writeRaw(bytes: Buffer | string, replies: number): Promise<Reply[]> {
    const ps = Array.from({ length: replies }, () => this.expect());
    this.socket.write(bytes);
    return Promise.all(ps);
  }

  /** Like call(), but throws when the server answers with an error. */
  async ok(...args: Arg[]): Promise<Reply> {
    const r = await this.callArgs(args);
    if (r.t === 'error' || r.t === 'bloberror') {
      throw new Error(`${args.map(String).join(' ')} -> ${formatReply(r)}`);
    }
    return r;
  }

  get closed(): boolean {
    return this.closedError !== undefined;
  }

  close(): Promise<void> {
    if (this.socket.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.end();
      // A server that never closes its side must not keep the test alive.
      setTimeout(() => this.socket.destroy(), 1000).unref();
    });
  }

  private expect(): Promise<Reply> {
    if (this.closedError) return Promise.reject(this.closedError);
    return new Promise((resolve, reject) => this.pending.push({ resolve, reject }));
  }

  private onData(chunk: Buffer): void {
    const err = this.parser.feed(chunk, (r) => {
      if (r.t === 'push') {
        this.pushes.push(r);
        return;
      }
      const p = this.pending.shift();
      if (p) {
        p.resolve(r);
      } else {
        this.fail(new Error(`unexpected reply with no command waiting: ${formatReply(r)}`));
        this.socket.destroy();
      }
    });
    if (err) {
      this.fail(err);
      this.socket.destroy();
    }
  }

  private fail(e: Error): void {
    if (!this.closedError) this.closedError = e;
    for (const p of this.pending.splice(0)) p.reject(e);
  }
}
