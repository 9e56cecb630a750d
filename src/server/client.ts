/**
 * One client connection: its socket, request parser, reply buffer and session state (the
 * fields CLIENT LIST shows).
 */
import type { Socket } from 'node:net';
import type { ExecContext, Session } from '../engine/command-table.js';
import { REDIS_MAX_MULTIBULK_LEN, RequestParser } from '../protocol/parser.js';
import { ReplyWriter } from '../protocol/reply.js';
import type { Subscriptions } from './pubsub.js';
import type { Transaction } from './transactions.js';

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
  // >>> transactions and pub/sub (server/transactions.ts, server/pubsub.ts). Null in the common
  // case, so execute() pays one check for both.
  /** MULTI and WATCH state, or null when the client has neither. */
  tx: Transaction | null = null;
  /** Subscriptions, or null when subscribed to nothing (Redis's CLIENT_PUBSUB flag). */
  subs: Subscriptions | null = null;
  // <<< transactions and pub/sub
  readonly addr: string;
  readonly laddr: string;
  /** The handler context, made once (server.call). */
  ctx: ExecContext | null = null;

  constructor(
    readonly id: number,
    readonly socket: Socket,
    now: number,
    needsAuth: boolean,
    maxBulkLen: number,
  ) {
    this.parser = new RequestParser({ maxBulkLen, maxMultibulkLen: REDIS_MAX_MULTIBULK_LEN });
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
    // >>> transactions and pub/sub: flags P x d, and sub= psub= ssub= multi= below
    const tx = this.tx;
    const subs = this.subs;
    const flags = (subs !== null ? 'P' : '') + (tx?.queue != null ? 'x' : '') + (tx?.dirtyCas ? 'd' : '') + (this.noEvict ? 'e' : '') || 'N';
    // <<< transactions and pub/sub
    const obl = this.out.length;
    const omem = this.socket.writableLength;
    return (
      `id=${this.id} addr=${this.addr} laddr=${this.laddr} fd=-1 name=${this.name} age=${age} idle=${idle} flags=${flags} ` +
      `db=0 sub=${subs?.channels.size ?? 0} psub=${subs?.patterns.size ?? 0} ssub=${subs?.shardChannels.size ?? 0} multi=${tx?.queue?.length ?? -1} qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=0 rbp=0 obl=${obl} oll=0 ` +
      `omem=${omem} tot-mem=${omem + obl} events=r cmd=${this.lastCommand} user=default redir=-1 resp=${this.resp} ` +
      `lib-name=${this.libName} lib-ver=${this.libVer}`
    );
  }
}
