/**
 * One client connection: its socket, request parser, reply buffer and session state (the
 * fields CLIENT LIST shows).
 */
import type { Socket } from 'node:net';
import type { Session } from '../engine/command-table.js';
import { RequestParser } from '../protocol/parser.js';
import { ReplyWriter } from '../protocol/reply.js';

export class Client implements Session {
  readonly parser: RequestParser;
  readonly out = new ReplyWriter();
  name = '';
  libName = '';
  libVer = '';
  authenticated: boolean;
  readonly createdAt: number;
  lastInteraction: number;
  lastCommand = 'NULL';
  /** Close once the pending replies are written (QUIT, protocol errors, CLIENT KILL of self). */
  closeAfterReply = false;
  closed = false;
  noEvict = false;
  /** Since when the output buffer has been over the soft limit (ms), or 0. */
  softLimitSince = 0;
  readonly addr: string;
  readonly laddr: string;

  constructor(
    readonly id: number,
    readonly socket: Socket,
    now: number,
    needsAuth: boolean,
    maxBulkLen: number,
  ) {
    this.parser = new RequestParser({ maxBulkLen });
    this.authenticated = !needsAuth;
    this.createdAt = now;
    this.lastInteraction = now;
    this.addr = `${socket.remoteAddress}:${socket.remotePort}`;
    this.laddr = `${socket.localAddress}:${socket.localPort}`;
  }

  get resp(): 2 | 3 {
    return this.out.resp;
  }

  set resp(v: 2 | 3) {
    this.out.resp = v;
  }

  /** The CLIENT LIST / CLIENT INFO line. */
  describe(now: number): string {
    const age = Math.floor((now - this.createdAt) / 1000);
    const idle = Math.floor((now - this.lastInteraction) / 1000);
    const flags = (this.noEvict ? 'e' : '') || 'N';
    const obl = this.out.length;
    const omem = this.socket.writableLength;
    return (
      `id=${this.id} addr=${this.addr} laddr=${this.laddr} fd=-1 name=${this.name} age=${age} idle=${idle} flags=${flags} ` +
      `db=0 sub=0 psub=0 ssub=0 multi=-1 qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=0 rbp=0 obl=${obl} oll=0 ` +
      `omem=${omem} tot-mem=${omem + obl} events=r cmd=${this.lastCommand} user=default redir=-1 resp=${this.resp} ` +
      `lib-name=${this.libName} lib-ver=${this.libVer}`
    );
  }
}
