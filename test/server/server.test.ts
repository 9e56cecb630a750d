/**
 * The TCP front end with a real process: authentication, RESP3, pipelining, inline commands,
 * protocol errors, client management, memory limits, idle timeout, output-buffer limits and
 * graceful shutdown.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startTandem } from '../helpers/server-process.js';
import type { ServerHandle } from '../helpers/server-process.js';
import { RawClient } from '../helpers/raw-client.js';
import { waitFor } from '../helpers/wait-for.js';
import { formatReply } from '../../src/protocol/resp-client.js';

let server: ServerHandle;

before(async () => {
  server = await startTandem({ requirepass: 'sekret' });
});

after(async () => {
  await server?.stop();
});

async function raw(): Promise<RawClient> {
  return RawClient.connect(server.port);
}

async function text(c: RawClient, ...args: string[]): Promise<string> {
  return formatReply(await c.call(...args));
}

test('requirepass: NOAUTH, WRONGPASS, AUTH, HELLO AUTH, RESET', async () => {
  const c = await raw();
  assert.equal(await text(c, 'GET', 'x'), '-NOAUTH Authentication required.');
  assert.equal(await text(c, 'AUTH', 'nope'), '-WRONGPASS invalid username-password pair or user is disabled.');
  assert.equal(await text(c, 'AUTH', 'default', 'nope'), '-WRONGPASS invalid username-password pair or user is disabled.');
  assert.match(await text(c, 'HELLO', '3'), /^-NOAUTH HELLO must be called with the client already authenticated/);
  assert.match(await text(c, 'HELLO', '3', 'AUTH', 'default', 'sekret', 'SETNAME', 'me'), /^%\{"server": "redis", "version": "7\.0\.15", "proto": :3, "id": :\d+, "mode": "standalone", "role": "master", "modules": \*\[\]\}$/);
  assert.equal(await text(c, 'GET', 'missing'), '_');
  assert.equal(await text(c, 'CLIENT', 'GETNAME'), '"me"');
  assert.equal(await text(c, 'HELLO', '4'), '-NOPROTO unsupported protocol version');
  assert.equal(await text(c, 'RESET'), '+RESET');
  assert.equal(await text(c, 'GET', 'x'), '-NOAUTH Authentication required.');
  assert.equal(await text(c, 'AUTH', 'sekret'), '+OK');
  assert.equal(await text(c, 'GET', 'missing'), '$-1');
  await c.close();
});

async function authed(): Promise<RawClient> {
  const c = await raw();
  await c.ok('AUTH', 'sekret');
  return c;
}

test('pipelining: 2000 commands in one write, replies in order', async () => {
  const c = await authed();
  const cmds: string[][] = [];
  for (let i = 0; i < 1000; i++) cmds.push(['SET', `p:${i}`, String(i)], ['GET', `p:${i}`]);
  const replies = await c.pipeline(cmds);
  for (let i = 0; i < 1000; i++) {
    assert.equal(formatReply(replies[2 * i]!), '+OK');
    assert.equal(formatReply(replies[2 * i + 1]!), `"${i}"`);
  }
  await c.close();
});

test('inline commands, including a bare \\n line ending and quoting', async () => {
  const c = await authed();
  const r = await c.writeRaw('SET inl "a b"\r\nGET inl\nPING\r\n', 3);
  assert.deepEqual(r.map((x) => formatReply(x)), ['+OK', '"a b"', '+PONG']);
  await c.close();
});

test('a protocol error is answered and the connection closed', async () => {
  const c = await authed();
  const [r] = await c.writeRaw('*1\r\n$x\r\n', 1);
  assert.equal(formatReply(r!), '-ERR Protocol error: invalid bulk length');
  await waitFor(() => c.closed, { timeout: 5000, message: 'connection was not closed' });
});

test('unknown commands and arity errors match Redis', async () => {
  const c = await authed();
  assert.equal(await text(c, 'NOSUCH', 'a', 'b'), "-ERR unknown command 'NOSUCH', with args beginning with: 'a' 'b' ");
  assert.equal(await text(c, 'GET'), "-ERR wrong number of arguments for 'get' command");
  assert.equal(await text(c, 'CLIENT', 'SETNAME'), "-ERR wrong number of arguments for 'client|setname' command");
  assert.equal(await text(c, 'CLIENT', 'FOO'), "-ERR unknown subcommand 'FOO'. Try CLIENT HELP.");
  assert.equal(await text(c, 'CONFIG', 'SET', 'nosuch', '1'), "-ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'");
  assert.equal(await text(c, 'CONFIG', 'SET', 'maxmemory', 'abc'), "-ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value");
  await c.close();
});

test('CLIENT LIST, SETINFO, KILL', async () => {
  const a = await authed();
  const b = await authed();
  await a.ok('CLIENT', 'SETNAME', 'victim');
  await a.ok('CLIENT', 'SETINFO', 'LIB-NAME', 'raw');
  const id = (await a.call('CLIENT', 'ID')) as { t: 'integer'; v: bigint };
  const list = formatReply(await b.call('CLIENT', 'LIST'));
  assert.match(list, /name=victim/);
  assert.match(list, /lib-name=raw/);
  assert.equal(await text(b, 'CLIENT', 'SETNAME', 'has space'), '-ERR Client names cannot contain spaces, newlines or special characters.');
  assert.equal(await text(b, 'CLIENT', 'KILL', 'ID', String(id.v)), ':1');
  await waitFor(() => a.closed, { timeout: 5000, message: 'killed client still connected' });
  assert.equal(await text(b, 'CLIENT', 'KILL', '1.2.3.4:5'), '-ERR No such client');
  await b.close();
});

test('maxmemory with noeviction: writes get OOM, reads keep working', async () => {
  const c = await authed();
  await c.ok('SET', 'before', 'x');
  await c.ok('CONFIG', 'SET', 'maxmemory', '1');
  await waitFor(async () => formatReply(await c.call('SET', 'k', 'v')).startsWith('-OOM'), { timeout: 5000, message: 'no OOM error' });
  assert.equal(await text(c, 'SET', 'k', 'v'), "-OOM command not allowed when used memory > 'maxmemory'.");
  assert.equal(await text(c, 'GET', 'before'), '"x"');
  assert.equal(await text(c, 'DEL', 'before'), ':1');
  await c.ok('CONFIG', 'SET', 'maxmemory', '0');
  assert.equal(await text(c, 'SET', 'k', 'v'), '+OK');
  await c.close();
});

test('idle clients are closed after `timeout` seconds', async () => {
  const admin = await authed();
  await admin.ok('CONFIG', 'SET', 'timeout', '1');
  const idle = await authed();
  await waitFor(() => idle.closed, { timeout: 10000, message: 'idle client not closed' });
  assert.ok(admin.closed, 'the admin connection was idle too');
  const again = await authed();
  await again.ok('CONFIG', 'SET', 'timeout', '0');
  await again.close();
});

test('a client over the output-buffer hard limit is disconnected', async () => {
  const admin = await authed();
  await admin.ok('CONFIG', 'SET', 'client-output-buffer-limit', 'normal 1mb 0 0');
  await admin.ok('SET', 'big', 'x'.repeat(4 * 1024 * 1024));
  const s = net.connect(server.port, '127.0.0.1');
  await new Promise<void>((r) => s.once('connect', () => r()));
  let closed = false;
  s.on('close', () => (closed = true));
  s.on('error', () => undefined);
  s.pause(); // never read: replies pile up on the server
  let req = '*2\r\n$4\r\nAUTH\r\n$6\r\nsekret\r\n';
  for (let i = 0; i < 40; i++) req += '*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n';
  s.write(req);
  // A paused socket does not report the close, so ask the server.
  await waitFor(() => /closed for overcoming of output buffer limits/.test(server.output()), { timeout: 15000, message: 'slow reader was not disconnected' });
  s.resume();
  await waitFor(() => closed, { timeout: 15000, message: 'socket not closed' });
  await admin.ok('CONFIG', 'SET', 'client-output-buffer-limit', 'normal 0 0 0');
  await admin.ok('DEL', 'big');
  await admin.close();
});

test('SIGTERM shuts down gracefully', async () => {
  const s = await startTandem();
  s.kill('SIGTERM');
  const st = await s.exited;
  assert.equal(st.code, 0);
  assert.match(s.output(), /ready to exit, bye bye/);
  await s.stop();
});
