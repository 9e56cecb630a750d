// Real `tandem node` processes for the management-plane tests: each on a free REST port (plain
// HTTP on loopback unless `https`), its own temporary directory and database port range, the
// crdb-cli run as a child process, and checks that no process or file is left behind.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { ApiError, apiRequest } from '../../src/cluster/http-client.js';
import type { ApiTarget } from '../../src/cluster/http-client.js';
import type { Reply } from '../../src/protocol/resp-client.js';
import { RawClient } from '../helpers/raw-client.js';
import { waitFor } from '../helpers/wait-for.js';

export const TANDEM = fileURLToPath(new URL('../../src/cli/tandem.js', import.meta.url));
export const CRDB_CLI = fileURLToPath(new URL('../../src/cli/crdb-cli.js', import.meta.url));
export const USER = 'admin@test.local';
export const PASSWORD = 'test-admin-pw';

export interface TestNode {
  name: string;
  dir: string;
  url: string;
  proc: ChildProcess;
  target: ApiTarget;
  output(): string;
  exited: Promise<void>;
  /** SIGTERM and wait; the directory is kept (restart) unless `removeDir`. */
  stop(): Promise<void>;
  /** SIGKILL and wait (the node's databases keep running, as after a crash). */
  kill(): Promise<void>;
}

const live = new Set<TestNode>();
const dirs = new Set<string>();

process.on('exit', () => {
  for (const n of live) n.proc.kill('SIGKILL');
  for (const d of dirs) {
    for (const pid of processesUnder(d)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    rmSync(d, { recursive: true, force: true });
  }
});

/** A random range of 200 database ports per node, so test files running together rarely meet. */
// Nodes of one machine pick database ports independently (docs/rest-api.md), so every node a
// test process starts gets a range of its own: consecutive slots from a random first one.
let nextRange = Math.floor(Math.random() * 200);

export function dbPortRange(): string {
  const base = 20000 + (nextRange++ % 200) * 200;
  return `${base}-${base + 199}`;
}

export function tempDir(prefix: string): string {
  const d = mkdtempSync(path.join(os.tmpdir(), `tandem-cluster-${prefix}-`));
  dirs.add(d);
  return d;
}

export async function startNode(opts: { name: string; dir?: string; https?: boolean; dbPorts?: string; args?: string[]; port?: number }): Promise<TestNode> {
  const dir = opts.dir ?? tempDir(opts.name);
  const args = [
    TANDEM, 'node', '--dir', dir, '--port', String(opts.port ?? 0), '--bind', '127.0.0.1', '--name', opts.name,
    '--username', USER, '--password', PASSWORD, '--db-ports', opts.dbPorts ?? dbPortRange(),
    ...(opts.https ? [] : ['--insecure-http']),
    ...(opts.args ?? []),
  ];
  const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  proc.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  let gone = false;
  void exited.then(() => (gone = true));
  const url = await waitFor(
    () => {
      if (gone) throw new Error(`tandem node ${opts.name} exited:\n${out}`);
      return /TANDEM NODE READY (\S+)/.exec(out)?.[1];
    },
    { timeout: 30_000, message: `tandem node ${opts.name} ready` },
  ).catch((e: Error) => {
    proc.kill('SIGKILL');
    throw new Error(`${e.message}\n${out}`);
  });
  const node: TestNode = {
    name: opts.name,
    dir,
    url,
    proc,
    target: { url, username: USER, password: PASSWORD, ...(opts.https ? { ca: readFileSync(path.join(dir, 'tls', 'cert.pem'), 'utf8') } : {}) },
    output: () => out,
    exited,
    async stop() {
      proc.kill('SIGTERM');
      await exited;
      live.delete(node);
    },
    async kill() {
      proc.kill('SIGKILL');
      await exited;
      live.delete(node);
    },
  };
  live.add(node);
  return node;
}

/** `--instance` spec of a node for crdb-cli. */
export function instanceSpec(n: TestNode): string {
  return `fqdn=${n.name},url=${n.url},username=${USER},password=${PASSWORD}`;
}

/** Instance body of a node for POST /v1/crdbs. */
export function instanceBody(n: TestNode): Record<string, unknown> {
  return { cluster: { name: n.name, url: n.url, credentials: { username: USER, password: PASSWORD } } };
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function crdbCli(node: TestNode, args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, [CRDB_CLI, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, TANDEM_CLUSTER_URL: node.url, TANDEM_USERNAME: USER, TANDEM_PASSWORD: PASSWORD, ...env },
    });
    let stdout = '';
    let stderr = '';
    proc.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
    proc.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    proc.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

export async function api<T = unknown>(n: TestNode, method: string, p: string, body?: unknown): Promise<T> {
  return (await apiRequest<T>(n.target, method, p, body)).body;
}

export interface BdbView {
  uid: number;
  name: string;
  port: number;
  status: string;
  crdt_guid?: string;
  crdt_replica_id?: number;
  crdt_sources?: { uid: number; status: string; lag: number | null }[];
  process: { pid: number | null; restarts: number; state: string; last_exit: string | null } | null;
}

export async function instanceOf(n: TestNode, guid: string): Promise<BdbView | undefined> {
  return (await api<BdbView[]>(n, 'GET', '/v1/bdbs')).find((b) => b.crdt_guid === guid);
}

/** Runs one command on a database port. */
export async function redis(port: number, ...args: string[]): Promise<Reply> {
  const c = await RawClient.connect(port);
  try {
    return await c.call(...args);
  } finally {
    await c.close();
  }
}

export function text(r: Reply): string | null {
  if (r.t === 'bulk') return r.v.toString();
  if (r.t === 'simple') return r.v;
  if (r.t === 'integer') return r.v.toString();
  if (r.t === 'error') return `ERR:${r.v}`;
  return null;
}

/** Pids of processes whose command line mentions `dir` (Linux /proc). */
export function processesUnder(dir: string): number[] {
  const out: number[] = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return out;
  }
  for (const e of entries) {
    if (!/^\d+$/.test(e) || Number(e) === process.pid) continue;
    try {
      const cmd = readFileSync(`/proc/${e}/cmdline`, 'utf8');
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      if (cmd.includes(dir) && !/^\d+ \(.*\) Z/.test(stat)) out.push(Number(e));
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

/** True when nothing listens on `port` (a connection is refused). */
export async function portClosed(port: number): Promise<boolean> {
  try {
    const c = await RawClient.connect(port, { connectTimeoutMs: 1000 });
    await c.close();
    return false;
  } catch {
    return true;
  }
}

export async function stopAll(nodes: TestNode[]): Promise<void> {
  await Promise.all(nodes.map((n) => n.stop()));
}

export interface TaskView {
  id: string;
  status: string;
  crdb_guid: string;
  errors: { cluster_name: string | null; error_code: string; description: string }[];
  progress: { clusters: { name: string; progress: string }[] };
}

/** Asserts that `p` fails with this status and error code. */
export async function rejects(p: Promise<unknown>, status: number, code: string): Promise<ApiError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof ApiError, String(e));
    assert.equal(e.status, status, e.message);
    assert.equal(e.errorCode, code, e.message);
    assert.ok(e.description.length > 0);
    return e;
  }
  assert.fail(`expected ${status} ${code}`);
}

/** Waits until the task has ended. */
export async function finished(n: TestNode, task: TaskView, timeout = 60_000): Promise<TaskView> {
  return waitFor(
    async () => {
      const t = await api<TaskView>(n, 'GET', `/v1/crdb_tasks/${task.id}`);
      return t.status === 'finished' || t.status === 'failed' ? t : undefined;
    },
    { timeout, message: `task ${task.id} to end` },
  );
}
