// Starts a throwaway real redis-server for the differential protocol tests, and talks to it
// over raw sockets so we see exactly the bytes it sends.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createConnection, createServer } from 'node:net';

export interface RedisProcess {
  port: number;
  stop(): Promise<void>;
}

/** Why the differential tests cannot run here, or null when redis-server is available. */
export function redisUnavailable(): string | null {
  const probe = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  if (probe.error !== undefined) return `redis-server not found (${probe.error.message}); install redis-server to run this test`;
  return null;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Starts redis-server on a free local port without persistence; resolves once it answers. */
export async function startRedis(): Promise<RedisProcess> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--loglevel', 'warning'],
    { stdio: 'ignore' },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      const r = await exchange(port, Buffer.from('PING\r\n'));
      if (r.toString() === '+PONG\r\n') break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill('SIGKILL');
      throw new Error(`redis-server did not start on port ${port}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    port,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/**
 * Sends bytes on a fresh connection, half-closes it, and returns everything the server wrote
 * before closing. Redis answers what it has parsed, then closes on EOF (or on a protocol
 * error), so no timing guesses are needed.
 */
export async function exchange(port: number, bytes: Buffer, timeoutMs = 5000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const sock = createConnection({ port, host: '127.0.0.1' });
    const got: Buffer[] = [];
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error('redis-server did not close the connection'));
    }, timeoutMs);
    sock.on('connect', () => sock.end(bytes));
    sock.on('data', (d: Buffer) => got.push(d));
    sock.on('error', (e) => {
      clearTimeout(timer);
      // A reset after the server closed on a protocol error still leaves us its reply.
      if ((e as NodeJS.ErrnoException).code === 'ECONNRESET' || (e as NodeJS.ErrnoException).code === 'EPIPE') resolve(Buffer.concat(got));
      else reject(e);
    });
    sock.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(got));
    });
  });
}
