/**
 * The node's side of a database instance's Redis port: a one-shot connection that sends a few
 * commands (AUTH first when the database has a password) and returns the replies. Used for
 * readiness, CONFIG SET on updates, TANDEM.PEER wiring, TANDEM.FLUSH and INFO crdt.
 */
import net from 'node:net';
import { ReplyParser, encodeCommand } from '../protocol/resp-client.js';
import type { Reply } from '../protocol/resp-client.js';

export interface InstanceAddress {
  host: string;
  port: number;
  password?: string;
}

export class RespCommandError extends Error {}

/** Runs `commands` in one pipeline; rejects on a connection failure or an error reply. */
export function respCommands(addr: InstanceAddress, commands: string[][], timeoutMs = 5000): Promise<Reply[]> {
  const all = addr.password ? [['AUTH', addr.password], ...commands] : commands;
  return new Promise<Reply[]>((resolve, reject) => {
    const socket = net.connect({ host: addr.host, port: addr.port });
    const parser = new ReplyParser();
    const replies: Reply[] = [];
    let done = false;
    const finish = (e: Error | null): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      if (e !== null) reject(e);
      else resolve(addr.password ? replies.slice(1) : replies);
    };
    const timer = setTimeout(() => finish(new Error(`no reply from ${addr.host}:${addr.port} within ${timeoutMs} ms`)), timeoutMs);
    socket.on('connect', () => socket.write(Buffer.concat(all.map((c) => encodeCommand(c)))));
    socket.on('data', (chunk: Buffer) => {
      const err = parser.feed(chunk, (r) => replies.push(r));
      if (err !== null) return finish(err);
      if (replies.length < all.length) return;
      const bad = replies.find((r) => r.t === 'error');
      if (bad !== undefined && bad.t === 'error') finish(new RespCommandError(bad.v));
      else finish(null);
    });
    socket.on('error', (e) => finish(e));
    socket.on('close', () => finish(new Error(`connection to ${addr.host}:${addr.port} closed`)));
  });
}

export async function respCommand(addr: InstanceAddress, command: string[], timeoutMs?: number): Promise<Reply> {
  return (await respCommands(addr, [command], timeoutMs))[0]!;
}

/** A bulk or simple string reply as text. */
export function replyText(r: Reply): string {
  if (r.t === 'bulk' || r.t === 'verbatim') return r.v.toString('utf8');
  if (r.t === 'simple' || r.t === 'error') return r.v;
  if (r.t === 'integer') return r.v.toString();
  return '';
}

/** `INFO <section>` as a map of its `key:value` lines. */
export async function infoSection(addr: InstanceAddress, section: string): Promise<Map<string, string>> {
  const text = replyText(await respCommand(addr, ['INFO', section]));
  const out = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0 && !line.startsWith('#')) out.set(line.slice(0, i), line.slice(i + 1));
  }
  return out;
}

/** `a=1,b=2` (an INFO value) as a map. */
export function infoFields(value: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of value.split(',')) {
    const i = part.indexOf('=');
    if (i > 0) out.set(part.slice(0, i), part.slice(i + 1));
  }
  return out;
}
