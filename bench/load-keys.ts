// Loads many small keys (or collection members) as fast as one connection allows: batches of
// pipelined commands, each batch written at once and fully acknowledged before the next.
import net from 'node:net';
import { type Reply, ReplyParser, encodeCommand, formatReply } from '../src/protocol/resp-client.js';

export interface PipelineOptions {
  host: string;
  port: number;
  /** Number of commands to send. */
  commands: number;
  /** The i-th command (0-based). */
  commandOf: (i: number) => string[];
  /** Commands per batch (default 10,000). */
  batch?: number;
  /** Whether a reply is the expected one (default: anything but an error). */
  accept?: (r: Reply) => boolean;
}

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

/** SET key:0000001 xxx … SET key:<n> xxx. */
export async function loadKeys(o: LoadOptions): Promise<void> {
  const keyOf = o.keyOf ?? defaultKey;
  const value = o.value ?? 'xxx';
  await sendPipelined({
    host: o.host,
    port: o.port,
    commands: o.keys,
    commandOf: (i) => ['SET', keyOf(i + 1), value],
    ...(o.batch !== undefined ? { batch: o.batch } : {}),
    accept: (r) => r.t === 'simple',
  });
}

export async function sendPipelined(o: PipelineOptions): Promise<void> {
  const batch = o.batch ?? 10_000;
  const accept = o.accept ?? ((r: Reply) => r.t !== 'error');
  const socket = await new Promise<net.Socket>((resolve, reject) => {
    const s = net.createConnection({ host: o.host, port: o.port }, () => resolve(s));
    s.once('error', reject);
  });
  const parser = new ReplyParser();
  let waiting = 0;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  let sent: string[] = [];
  socket.on('data', (chunk: Buffer) => {
    const err = parser.feed(chunk, (r) => {
      waiting--;
      if (!accept(r) && !failure) failure = new Error(`${sent[0] ?? 'command'} answered ${formatReply(r)}`);
    });
    if (err && !failure) failure = err;
    if ((waiting === 0 || failure) && wake) wake();
  });
  socket.on('close', () => {
    failure ??= new Error('connection closed while loading');
    if (wake) wake();
  });
  try {
    for (let start = 0; start < o.commands; start += batch) {
      const end = Math.min(o.commands, start + batch);
      const parts: Buffer[] = [];
      for (let i = start; i < end; i++) {
        sent = o.commandOf(i);
        parts.push(encodeCommand(sent));
      }
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
