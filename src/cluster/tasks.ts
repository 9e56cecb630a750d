/**
 * CRDB tasks (reference §6.4): every change to an Active-Active database is a task that goes
 * `queued` → `started` → `finished` | `failed`. Tasks of one node run one at a time, in order.
 * They are stored with the cluster configuration: a node restarted while one ran marks it
 * `failed` (error `task_interrupted`) and runs its recovery (see coordinator.ts), so no task
 * stays unfinished. Finished tasks are kept `result_ttl` seconds (500 by default, X-Result-TTL).
 */
import { randomUUID } from 'node:crypto';
import { HttpError } from './errors.js';
import type { ClusterState, CrdbTask, TaskError, TaskOperation } from './types.js';

export const DEFAULT_RESULT_TTL = 500;
export const WORKER_NAME = 'crdb_worker:1:0';

/** A failure inside a task, naming the cluster where it happened. */
export class TaskFailure extends Error {
  constructor(
    readonly clusterName: string | null,
    readonly errorCode: string,
    readonly description: string,
  ) {
    super(clusterName === null ? description : `${clusterName}: ${description}`);
  }
}

export interface TaskContext {
  task: CrdbTask;
  progress(cluster: string, text: string): void;
  /** Throws when the task was cancelled (before its commit phase). */
  checkCancel(): void;
  /** From here on a plain cancel is refused (406). */
  enterCommitPhase(): void;
  /** Aborted on cancel: requests to other clusters made with it stop at once. */
  signal: AbortSignal;
}

export type TaskBody = (ctx: TaskContext) => Promise<void>;

export class TaskRunner {
  private queue: { task: CrdbTask; body: TaskBody }[] = [];
  private running: { task: CrdbTask; cancel: boolean; commit: boolean; abort: AbortController } | null = null;
  private readonly pruneTimer: NodeJS.Timeout;
  /** Settles when the queue is empty (tests, shutdown). */
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly state: () => ClusterState,
    private readonly save: () => void,
  ) {
    this.pruneTimer = setInterval(() => this.prune(), 5000);
    this.pruneTimer.unref();
  }

  /** Marks tasks a previous run of the node left unfinished as failed; returns them. */
  recoverInterrupted(): CrdbTask[] {
    const out: CrdbTask[] = [];
    for (const t of Object.values(this.state().tasks)) {
      if (t.status === 'finished' || t.status === 'failed') continue;
      t.errors.push({ cluster_name: this.state().cluster.name, error_code: 'task_interrupted', description: 'the cluster node restarted while the task was running' });
      t.status = 'failed';
      t.ended = new Date().toISOString();
      out.push(t);
    }
    if (out.length > 0) this.save();
    return out;
  }

  submit(operation: TaskOperation, guid: string, request: unknown, body: TaskBody, opts: { id?: string; ttl?: number } = {}): CrdbTask {
    const tasks = this.state().tasks;
    this.prune();
    if (opts.id !== undefined) {
      if (!/^[A-Za-z0-9_.:-]{1,128}$/.test(opts.id)) throw new HttpError(400, 'invalid_task_id', `X-Task-ID '${opts.id}' must be 1 to 128 letters, digits or _ . : -`);
      if (tasks[opts.id] !== undefined) throw new HttpError(409, 'task_exists', `a task with id '${opts.id}' already exists`);
    }
    const task: CrdbTask = {
      id: opts.id ?? randomUUID(),
      crdb_guid: guid,
      operation,
      status: 'queued',
      worker_name: WORKER_NAME,
      started: null,
      ended: null,
      errors: [],
      progress: { clusters: [], worker: WORKER_NAME },
      result_ttl: opts.ttl ?? DEFAULT_RESULT_TTL,
      request,
    };
    tasks[task.id] = task;
    this.save();
    this.queue.push({ task, body });
    if (this.running === null) setImmediate(() => void this.next());
    return task;
  }

  private async next(): Promise<void> {
    if (this.running !== null) return;
    const item = this.queue.shift();
    if (item === undefined) {
      const w = this.idleWaiters;
      this.idleWaiters = [];
      for (const f of w) f();
      return;
    }
    const { task, body } = item;
    const run = { task, cancel: false, commit: false, abort: new AbortController() };
    this.running = run;
    task.status = 'started';
    task.started = new Date().toISOString();
    this.save();
    const ctx: TaskContext = {
      task,
      progress: (cluster, text) => {
        const e = task.progress.clusters.find((c) => c.name === cluster);
        if (e !== undefined) e.progress = text;
        else task.progress.clusters.push({ name: cluster, progress: text });
        this.save();
      },
      checkCancel: () => {
        if (run.cancel) throw new TaskFailure(null, 'task_cancelled', 'the task was cancelled');
      },
      enterCommitPhase: () => {
        run.commit = true;
      },
      signal: run.abort.signal,
    };
    try {
      await body(ctx);
      task.status = 'finished';
    } catch (e) {
      task.errors.push(toTaskError(e));
      task.status = 'failed';
    }
    task.ended = new Date().toISOString();
    this.running = null;
    this.save();
    void this.next();
  }

  get(id: string): CrdbTask | undefined {
    this.prune();
    return this.state().tasks[id];
  }

  list(): CrdbTask[] {
    this.prune();
    return Object.values(this.state().tasks).sort((a, b) => (a.started ?? '~').localeCompare(b.started ?? '~'));
  }

  /** Cancels a queued task, or asks a running one to stop at its next step. */
  cancel(id: string, force: boolean): CrdbTask {
    const task = this.get(id);
    if (task === undefined) throw new HttpError(404, 'task_not_found', `task '${id}' does not exist`);
    if (task.status === 'finished' || task.status === 'failed') throw new HttpError(406, 'task_not_cancellable', `task '${id}' already ${task.status}`);
    const q = this.queue.findIndex((x) => x.task === task);
    if (q >= 0) {
      this.queue.splice(q, 1);
      task.status = 'failed';
      task.ended = new Date().toISOString();
      task.errors.push({ cluster_name: null, error_code: 'task_cancelled', description: 'the task was cancelled before it started' });
      this.save();
      return task;
    }
    const run = this.running;
    if (run !== null && run.task === task) {
      if (run.commit && !force) throw new HttpError(406, 'task_in_commit_phase', `task '${id}' is in its commit phase and cannot be cancelled (force=true overrides)`);
      run.cancel = true;
      run.abort.abort();
    }
    return task;
  }

  /** Resolves once no task is queued or running. */
  idle(): Promise<void> {
    if (this.running === null && this.queue.length === 0) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  close(): void {
    clearInterval(this.pruneTimer);
  }

  private prune(): void {
    const now = Date.now();
    const tasks = this.state().tasks;
    let changed = false;
    for (const [id, t] of Object.entries(tasks)) {
      if (t.ended !== null && Date.parse(t.ended) + t.result_ttl * 1000 < now) {
        delete tasks[id];
        changed = true;
      }
    }
    if (changed) this.save();
  }
}

export function toTaskError(e: unknown): TaskError {
  if (e instanceof TaskFailure) return { cluster_name: e.clusterName, error_code: e.errorCode, description: e.description };
  if (e instanceof HttpError) return { cluster_name: null, error_code: e.errorCode, description: e.description };
  return { cluster_name: null, error_code: 'internal_error', description: (e as Error).message ?? String(e) };
}

/** The task as the REST API shows it. */
export function taskView(t: CrdbTask): Omit<CrdbTask, 'request' | 'result_ttl'> {
  const { request: _r, result_ttl: _t, ...rest } = t;
  return rest;
}
