// Starting and stopping real server processes (Tandem's data node, redis-server) for end-to-end
// tests and benchmarks.
//
// - Ports are picked free (retrying when another process grabs the port first).
// - Readiness is polled by connecting and sending PING (after AUTH when a password is set),
//   never by sleeping; a process that exits while starting fails at once, with its output.
// - stdout/stderr are captured (the last 256 KB) so a failure can show them.
// - Temporary data directories live under os.tmpdir() and are removed by stop().
// - A process 'exit' (and SIGINT/SIGTERM/SIGHUP) handler kills whatever a test left running.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './free-port.js';
import { RawClient } from './raw-client.js';
import { withTimeout } from './wait-for.js';

export type ServerKind = 'tandem' | 'redis';

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ServerHandle {
  readonly kind: ServerKind;
  readonly host: string;
  readonly port: number;
  /** The data directory (a temporary one unless `dir` was given). */
  readonly dir: string;
  readonly proc: ChildProcess;
  readonly pid: number;
  /** Password the server was started with, if any (used by connect()). */
  readonly password: string | undefined;
  /** Settles when the process has exited. */
  readonly exited: Promise<ExitStatus>;
  /** Captured stdout and stderr, interleaved, last 256 KB. */
  output(): string;
  /** SIGTERM, then SIGKILL after 10 s; removes a temporary dir. Idempotent. */
  stop(): Promise<void>;
  /** Sends a signal (default SIGKILL) and returns; await `exited` to know it is gone. */
  kill(signal?: NodeJS.Signals): void;
  /** A raw client connected (and authenticated) to this server. */
  connect(): Promise<RawClient>;
}

export interface StartOptions {
  /** Fixed port; by default a free one is picked (and re-picked if it was taken). */
  port?: number;
  host?: string;
  /** Use this data directory; it is created if missing and never removed. */
  dir?: string;
  /** Keep the temporary data directory on stop() (e.g. to restart on the same data). */
  keepDir?: boolean;
  /** Extra command-line arguments, appended as given. */
  args?: string[];
  env?: NodeJS.ProcessEnv;
  /** How long to wait for PING to succeed (default 20 s). */
  readyTimeoutMs?: number;
  requirepass?: string;
}

export interface TandemOptions extends StartOptions {
  instanceId?: number;
  /** Path of a config file passed as --config. */
  config?: string;
  /** Node flags for the server process, e.g. ['--max-old-space-size=4096']. */
  execArgv?: string[];
  /** A command the server runs under, e.g. ['ip', 'netns', 'exec', 'ns1'] (it must exec node). */
  wrapper?: string[];
}

export interface RedisOptions extends StartOptions {
  /** Number of logical databases (redis `databases`, default 16). */
  databases?: number;
}

/** The compiled entry point of the data node: dist/src/cli/tandem.js. */
export const tandemEntry = fileURLToPath(new URL('../../src/cli/tandem.js', import.meta.url));

export function tandemBuilt(): boolean {
  return existsSync(tandemEntry);
}

const available = new Map<string, boolean>();

/** True when `cmd --version` runs (cached). */
export function commandAvailable(cmd: string): boolean {
  let ok = available.get(cmd);
  if (ok === undefined) {
    const r = spawnSync(cmd, ['--version'], { stdio: 'ignore', timeout: 10_000 });
    ok = r.error === undefined && r.status === 0;
    available.set(cmd, ok);
  }
  return ok;
}

export function redisAvailable(): boolean {
  return commandAvailable('redis-server');
}

/** For `test(name, { skip: redisSkipReason() }, …)`: false, or why the suite cannot run. */
export function redisSkipReason(): string | false {
  return redisAvailable() ? false : 'redis-server not found on PATH (Debian: apt-get install redis-server)';
}

export function startRedis(opts: RedisOptions = {}): Promise<ServerHandle> {
  return launch('redis', opts, (port, host, dir) => ({
    command: 'redis-server',
    args: [
      '--port', String(port),
      '--bind', host,
      '--dir', dir,
      '--save', '',
      '--appendonly', 'no',
      '--daemonize', 'no',
      '--protected-mode', 'no',
      '--logfile', '',
      ...(opts.databases !== undefined ? ['--databases', String(opts.databases)] : []),
      ...(opts.requirepass !== undefined ? ['--requirepass', opts.requirepass] : []),
      ...(opts.args ?? []),
    ],
  }));
}

export function startTandem(opts: TandemOptions = {}): Promise<ServerHandle> {
  if (!tandemBuilt()) {
    return Promise.reject(new Error(`Tandem is not built: ${tandemEntry} is missing (run npx tsc -p .)`));
  }
  const wrapper = opts.wrapper ?? [];
  return launch('tandem', opts, (port, host, dir) => ({
    command: wrapper[0] ?? process.execPath,
    args: [
      ...(wrapper.length > 0 ? [...wrapper.slice(1), process.execPath] : []),
      ...(opts.execArgv ?? []),
      tandemEntry,
      'server',
      '--port', String(port),
      '--bind', host,
      '--dir', dir,
      ...(opts.requirepass !== undefined ? ['--requirepass', opts.requirepass] : []),
      ...(opts.instanceId !== undefined ? ['--instance-id', String(opts.instanceId)] : []),
      ...(opts.config !== undefined ? ['--config', opts.config] : []),
      ...(opts.args ?? []),
    ],
  }));
}

// ---------------------------------------------------------------------------------------------

interface Live {
  proc: ChildProcess;
  dir: string;
  removeDir: boolean;
}

const live = new Set<Live>();
let safetyNetInstalled = false;

function installSafetyNet(): void {
  if (safetyNetInstalled) return;
  safetyNetInstalled = true;
  process.on('exit', killLeftovers);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = (): void => {
      killLeftovers();
      process.removeListener(sig, onSignal);
      process.kill(process.pid, sig);
    };
    process.on(sig, onSignal);
  }
}

function killLeftovers(): void {
  for (const l of live) {
    if (l.proc.exitCode === null && l.proc.signalCode === null) {
      try {
        l.proc.kill('SIGKILL');
      } catch {
        // already gone
      }
    }
    if (l.removeDir) rmSync(l.dir, { recursive: true, force: true });
  }
  live.clear();
}

const OUTPUT_LIMIT = 256 * 1024;
const ADDRESS_IN_USE = /address already in use|EADDRINUSE/i;

interface LaunchSpec {
  command: string;
  args: string[];
}

async function launch(
  kind: ServerKind,
  opts: StartOptions,
  spec: (port: number, host: string, dir: string) => LaunchSpec,
): Promise<ServerHandle> {
  installSafetyNet();
  const host = opts.host ?? '127.0.0.1';
  let dir: string;
  let ownsDir: boolean;
  if (opts.dir !== undefined) {
    dir = opts.dir;
    mkdirSync(dir, { recursive: true });
    ownsDir = false;
  } else {
    dir = mkdtempSync(path.join(os.tmpdir(), `tandem-test-${kind}-`));
    ownsDir = true;
  }
  const removeDir = ownsDir && !opts.keepDir;
  const readyTimeout = opts.readyTimeoutMs ?? 20_000;
  const attempts = opts.port === undefined ? 5 : 1;
  let lastError: Error | undefined;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const port = opts.port ?? (await freePort(host));
    const { command, args } = spec(port, host, dir);
    const handle = spawnServer(kind, command, args, { host, port, dir, removeDir, env: opts.env, password: opts.requirepass });
    const outcome = await waitReady(handle, readyTimeout);
    if (outcome === 'ready') return handle;
    const out = handle.output();
    // Keep the directory between port retries: stop() of a failed attempt must not delete it.
    await stopProcess(handle);
    const cmdline = [command, ...args.map((a) => (a === '' ? "''" : a))].join(' ');
    lastError = new Error(
      `${kind} did not become ready on ${host}:${port} (${outcome}).\ncommand: ${cmdline}\n--- output ---\n${out || '(none)'}\n--------------`,
    );
    if (!(outcome.startsWith('exited') && ADDRESS_IN_USE.test(out))) break;
  }
  if (removeDir) rmSync(dir, { recursive: true, force: true });
  throw lastError!;
}

interface InternalHandle extends ServerHandle {
  readonly exitStatus: () => ExitStatus | undefined;
  readonly liveEntry: Live;
}

function spawnServer(
  kind: ServerKind,
  command: string,
  args: string[],
  o: { host: string; port: number; dir: string; removeDir: boolean; env: NodeJS.ProcessEnv | undefined; password: string | undefined },
): InternalHandle {
  const proc = spawn(command, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...o.env },
  });
  const entry: Live = { proc, dir: o.dir, removeDir: o.removeDir };
  live.add(entry);
  let out = '';
  const echo = process.env.TEST_SERVER_OUTPUT === '1';
  const collect = (chunk: Buffer): void => {
    const s = chunk.toString('utf8');
    out += s;
    if (out.length > OUTPUT_LIMIT) out = out.slice(out.length - OUTPUT_LIMIT);
    if (echo) process.stderr.write(`[${kind}:${o.port}] ${s}`);
  };
  proc.stdout!.on('data', collect);
  proc.stderr!.on('data', collect);
  let status: ExitStatus | undefined;
  const exited = new Promise<ExitStatus>((resolve) => {
    proc.once('exit', (code, signal) => {
      status = { code, signal };
      resolve(status);
    });
    proc.once('error', (e) => {
      out += `\n[spawn error] ${e.message}\n`;
      status = { code: null, signal: null };
      resolve(status);
    });
  });
  let stopping: Promise<void> | undefined;
  const handle: InternalHandle = {
    kind,
    host: o.host,
    port: o.port,
    dir: o.dir,
    proc,
    pid: proc.pid ?? -1,
    password: o.password,
    exited,
    exitStatus: () => status,
    liveEntry: entry,
    output: () => out,
    kill(signal: NodeJS.Signals = 'SIGKILL') {
      if (status === undefined) proc.kill(signal);
    },
    stop() {
      stopping ??= (async () => {
        await stopProcess(handle);
        if (o.removeDir) rmSync(o.dir, { recursive: true, force: true });
      })();
      return stopping;
    },
    async connect() {
      const c = await RawClient.connect(o.port, { host: o.host });
      if (o.password !== undefined) await c.ok('AUTH', o.password);
      return c;
    },
  };
  return handle;
}

async function stopProcess(h: InternalHandle): Promise<void> {
  if (h.exitStatus() === undefined) {
    h.proc.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const gaveUp = new Promise<'timeout'>((r) => {
      timer = setTimeout(() => r('timeout'), 10_000);
    });
    const r = await Promise.race([h.exited, gaveUp]);
    clearTimeout(timer);
    if (r === 'timeout') {
      h.proc.kill('SIGKILL');
      await h.exited;
    }
  }
  live.delete(h.liveEntry);
}

/** 'ready', or why not: 'exited (code …)' or 'timeout'. */
async function waitReady(h: InternalHandle, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const st = h.exitStatus();
    if (st !== undefined) return `exited (code ${st.code}, signal ${st.signal})`;
    if (await probe(h)) return 'ready';
    if (Date.now() >= deadline) return `timeout after ${timeoutMs} ms`;
    await Promise.race([new Promise((r) => setTimeout(r, 50)), h.exited]);
  }
}

/** Connects and PINGs; true when the server answers PONG (or NOAUTH: up, but password unknown). */
async function probe(h: InternalHandle): Promise<boolean> {
  let c: RawClient | undefined;
  try {
    c = await RawClient.connect(h.port, { host: h.host, connectTimeoutMs: 1000 });
    const cmds: string[][] = h.password !== undefined ? [['AUTH', h.password], ['PING']] : [['PING']];
    const replies = await withTimeout(c.pipeline(cmds), 2000, 'PING');
    const last = replies[replies.length - 1]!;
    if (last.t === 'simple' && last.v === 'PONG') return true;
    return last.t === 'error' && last.v.startsWith('NOAUTH');
  } catch {
    return false;
  } finally {
    if (c) await c.close().catch(() => undefined);
  }
}
