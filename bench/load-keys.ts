// Loads many small string keys as fast as one connection allows: batches of pipelined SETs,
// each batch written at once and fully acknowledged before the next.
import net from 'node:net';
import { ReplyParser, encodeCommand, formatReply } from '../src/protocol/resp-client.js';

export interface LoadOptions {
  host: string;
  port: number;
  keys: number;
  /** key:0000001 … (7 digits, more when needed). */
  keyOf?: (i: number) => string;
  value?: string;
  batch?: number;
}

export function defaultKey(i: number): string {
  return `key:${String(i).padStart(7, '0')}`;
}

export async function loadKeys(o: LoadOptions): Promise<void> {
  const keyOf = o.keyOf ?? defaultKey;
  const value = o.value ?? 'xxx';
  const batch = o.batch ?? 10_000;
  const socket = await new Promise<net.Socket>((resolve, reject) => {
    const s = net.createConnection({ host: o.host, port: o.port }, () => resolve(s));
    s.once('error', reject);
  });
  const parser = new ReplyParser();
  let waiting = 0;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  socket.on('data', (chunk: Buffer) => {
    const err = parser.feed(chunk, (r) => {
      waiting--;
      if (r.t !== 'simple' && !failure) failure = new Error(`SET answered ${formatReply(r)}`);
    });
    if (err && !failure) failure = err;
    if ((waiting === 0 || failure) && wake) wake();
  });
  socket.on('close', () => {
    failure ??= new Error('connection closed while loading');
    if (wake) wake();
  });
  try {
    for (let start = 0; start < o.keys; start += batch) {
      const end = Math.min(o.keys, start + batch);
      const parts: Buffer[] = [];
      for (let i = start; i < end; i++) parts.push(encodeCommand(['SET', keyOf(i + 1), value]));
      waiting = end - start;
      const done = new Promise<void>((resolve) => (wake = resolve));
      socket.write(Buffer.concat(parts));
      await done;
      wake = undefined;
      if (failure) throw failure;
    }
  } finally {
    socket.destroy();
  }
}
