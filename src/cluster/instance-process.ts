/**
 * Supervision of one database instance: a `tandem server` child process started from the
 * instance's config file, watched for readiness (PING), restarted with exponential backoff
 * (200 ms doubling to 5 s; reset after 10 s up) when it exits without being asked to, and
 * reporting its state. Output goes to `<dir>/tandem.log`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { respCommand } from './resp-admin.js';

/** The compiled `tandem` command next to this module. */
export const TANDEM_ENTRY = fileURLToPath(new URL('../cli/tandem.js', import.meta.url));

export type ProcessState = 'starting' | 'running' | 'restarting' | 'stopping' | 'stopped';

export interface InstanceSpec {
  uid: number;
  dir: string;
  configFile: string;
  port: number;
  bind: string;
  /** Where the node reaches the instance (127.0.0.1 when bound to all addresses). */
  host: string;
  password: string;
}

export interface ProcessStatus {
  state: ProcessState;
  pid: number | null;
  restarts: number;
  last_exit: string | null;
  started_at: string | null;
}

export class InstanceProcess {
  private child: ChildProcess | null = null;
  private wanted = false;
  private backoffMs = 200;
  private restartTimer: NodeJS.Timeout | null = null;
  private upSince = 0;
  private exitWaiters: (() => void)[] = [];
  readonly status: ProcessStatus = { state: 'stopped', pid: null, restarts: 0, last_exit: null, started_at: null };
  /** Called on every state change (the node persists the pid and reports the bdb status). */
  onChange: (s: ProcessStatus) => void = () => undefined;

  constructor(
    public spec: InstanceSpec,
    private readonly log: Logger,
  ) {}

  /** Starts the process and resolves once it answers PING (rejects after `timeoutMs`). */
  async start(timeoutMs = 20_000): Promise<void> {
    this.wanted = true;
    if (this.child === null) this.spawnChild();
    await this.waitReady(timeoutMs);
  }

  private spawnChild(): void {
    const { spec } = this;
    const logFd = openSync(join(spec.dir, 'tandem.log'), 'a');
    const args = [TANDEM_ENTRY, 'server', '--config', spec.configFile, '--port', String(spec.port), '--bind', spec.bind, '--dir', spec.dir];
    const child = spawn(process.execPath, args, { stdio: ['ignore', logFd, logFd], cwd: spec.dir });
    closeSync(logFd);
    this.child = child;
    this.set({ state: 'starting', pid: child.pid ?? null, started_at: new Date().toISOString() });
    this.upSince = Date.now();
    child.once('error', (e) => this.log.error(`database ${spec.uid}: cannot start tandem server: ${e.message}`));
    child.once('exit', (code, signal) => this.exited(child, code, signal));
  }

  private exited(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.child !== child) return;
    this.child = null;
    const why = signal !== null ? `killed by ${signal}` : `exit code ${code}`;
    const waiters = this.exitWaiters;
    this.exitWaiters = [];
    for (const w of waiters) w();
    if (!this.wanted) {
      this.set({ state: 'stopped', pid: null, last_exit: why });
      return;
    }
    if (Date.now() - this.upSince > 10_000) this.backoffMs = 200;
    const delay = this.backoffMs;
    this.backoffMs = Math.min(5000, this.backoffMs * 2);
    this.log.warn(`database ${this.spec.uid}: tandem server (port ${this.spec.port}) ${why}; restarting in ${delay} ms`);
    this.set({ state: 'restarting', pid: null, last_exit: why });
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      if (!this.wanted) return;
      this.status.restarts++;
      this.spawnChild();
      void this.waitReady(30_000).catch(() => undefined);
    }, delay);
  }

  private async waitReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const child = this.child;
      if (!this.wanted) throw new Error(`database ${this.spec.uid} was stopped while starting`);
      if (child !== null && (await this.ping())) {
        if (this.child === child && this.status.state === 'starting') this.set({ state: 'running' });
        return;
      }
      if (Date.now() >= deadline) throw new Error(`database ${this.spec.uid} did not answer PING on port ${this.spec.port} within ${timeoutMs} ms (see ${join(this.spec.dir, 'tandem.log')})`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  private async ping(): Promise<boolean> {
    try {
      const r = await respCommand({ host: this.spec.host, port: this.spec.port, password: this.spec.password }, ['PING'], 2000);
      return r.t === 'simple' && r.v === 'PONG';
    } catch {
      return false;
    }
  }

  /** Stops the process (SIGTERM, SIGKILL after `graceMs`) and cancels any pending restart. */
  async stop(graceMs = 10_000): Promise<void> {
    this.wanted = false;
    if (this.restartTimer !== null) {
      clearTimeout(this.restartTimer);
      this.restartTimer = null;
    }
    const child = this.child;
    if (child === null) {
      this.set({ state: 'stopped', pid: null });
      return;
    }
    this.set({ state: 'stopping' });
    const gone = new Promise<void>((r) => this.exitWaiters.push(r));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await gone;
    clearTimeout(timer);
  }

  private set(change: Partial<ProcessStatus>): void {
    Object.assign(this.status, change);
    this.onChange(this.status);
  }
}
