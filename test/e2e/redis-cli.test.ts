// The stock Redis tools against the server: inline commands on a raw socket (telnet/nc style),
// redis-cli one-shot commands, and redis-cli --pipe mass insertion.
// E2E_TARGET=redis runs the same checks against redis-server (the test of the test).
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import type { RawClient } from '../helpers/raw-client.js';
import { encodeCommand, formatReply } from '../../src/protocol/resp-client.js';
import { type ServerHandle, commandAvailable } from '../helpers/server-process.js';
import { e2eTarget, startTarget, targetSkipReason } from '../helpers/targets.js';
import { waitFor, withTimeout } from '../helpers/wait-for.js';

const run = promisify(execFile);
const target = e2eTarget();
const skip =
  targetSkipReason(target) || (commandAvailable('redis-cli') ? false : 'redis-cli not found on PATH (Debian: apt-get install redis-tools)');

/** A raw socket that collects everything the server sends. */
class RawSocket {
  private received = Buffer.alloc(0);
  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (d: Buffer) => {
      this.received = Buffer.concat([this.received, d]);
    });
  }

  static open(port: number): Promise<RawSocket> {
    return new Promise((resolve, reject) => {
      const s = net.createConnection({ port, host: '127.0.0.1' }, () => resolve(new RawSocket(s)));
      s.once('error', reject);
    });
  }

  /** Writes `bytes` and waits until exactly `expected` more bytes arrived (and no others). */
  async exchange(bytes: string, expected: string): Promise<void> {
    const start = this.received.length;
    this.socket.write(bytes);
    const want = Buffer.from(expected);
    const got = (): Buffer => this.received.subarray(start);
    await waitFor(() => got().length >= want.length, {
      timeout: 5000,
      message: `reply to ${JSON.stringify(bytes)}, expected ${JSON.stringify(expected)}; got so far ${JSON.stringify(got().toString())}`,
    });
    assert.equal(got().toString('latin1'), want.toString('latin1'), `reply to ${JSON.stringify(bytes)}`);
  }

  close(): void {
    this.socket.destroy();
  }
}

describe(`redis tools against ${target}`, { skip }, () => {
  let server: ServerHandle;
  let client: RawClient;

  const cli = async (...args: string[]): Promise<string> => {
    const { stdout } = await run('redis-cli', ['-h', server.host, '-p', String(server.port), ...args], { timeout: 30_000 });
    return stdout;
  };

  before(async () => {
    server = await startTarget(target);
    client = await server.connect();
  });

  after(async () => {
    await client?.close();
    await server?.stop();
  });

  test('inline commands on a raw socket', async () => {
    const s = await RawSocket.open(server.port);
    try {
      await s.exchange('SET a b\r\n', '+OK\r\n');
      await s.exchange('PING\n', '+PONG\r\n');
      await s.exchange('GET a\r\n', '$1\r\nb\r\n');
      // Several inline commands in one write, and inline mixed with RESP on one connection.
      await s.exchange('PING\r\nGET a\n', '+PONG\r\n$1\r\nb\r\n');
      await s.exchange(encodeCommand(['GET', 'a']).toString() + 'PING\r\n', '$1\r\nb\r\n+PONG\r\n');
      // Quoted arguments, as redis-server splits inline commands (sdssplitargs).
      await s.exchange('SET "x y" "hello world"\r\n', '+OK\r\n');
      await s.exchange("GET 'x y'\r\n", '$11\r\nhello world\r\n');
      await s.exchange('ECHO "a\\x41\\n"\r\n', '$3\r\naA\n\r\n');
      // Empty lines are ignored.
      await s.exchange('\r\n\r\nPING\r\n', '+PONG\r\n');
    } finally {
      s.close();
    }
  });

  test('redis-cli one-shot commands', async () => {
    assert.equal(await cli('SET', 'x', 'hello'), 'OK\n');
    assert.equal(await cli('GET', 'x'), 'hello\n');
    // redis-cli prints nil as an empty line when its output is not a terminal.
    assert.equal(await cli('GET', 'no-such-key'), '\n');
    assert.equal(await cli('DEL', 'counter'), '0\n');
    assert.equal(await cli('INCR', 'counter'), '1\n');
    assert.equal(await cli('PING'), 'PONG\n');
    assert.equal(await cli('GET', 'x'), 'hello\n');
  });

  test('redis-cli --pipe inserts 10000 keys', { timeout: 120_000 }, async () => {
    const n = 10_000;
    const before = await client.call('DBSIZE');
    assert.equal(before.t, 'integer', formatReply(before));
    const payload = Buffer.concat(
      Array.from({ length: n }, (_, i) => encodeCommand(['SET', `pipe:${String(i).padStart(5, '0')}`, `value-${i}`])),
    );
    const proc = spawn('redis-cli', ['-h', server.host, '-p', String(server.port), '--pipe'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
    proc.stdin.end(payload);
    const code = await withTimeout(exited, 60_000, 'redis-cli --pipe to finish');
    assert.match(out, /errors: 0, replies: 10000/, out);
    assert.equal(code, 0, out);
    const after = await client.call('DBSIZE');
    assert.equal(after.t === 'integer' && before.t === 'integer' ? after.v - before.v : undefined, BigInt(n));
    assert.equal(formatReply(await client.call('GET', 'pipe:00000')), '"value-0"');
    assert.equal(formatReply(await client.call('GET', 'pipe:09999')), '"value-9999"');
  });
});
