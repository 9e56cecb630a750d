/**
 * Submitting a task-returning REST call and following the task to its end, printing the
 * reference's progress lines (k8s-control-plane.md §6.1):
 *
 *     Task <task-uuid> created
 *       ---> Status changed: queued -> started
 *       ---> CRDB GUID Assigned: crdb:<guid>          (create only)
 *       ---> Status changed: started -> finished
 *
 * Shared by crdb-cli and `tandem demo` (which makes the same calls).
 */
import { apiRequest } from './http-client.js';
import type { ApiTarget } from './http-client.js';
import type { CrdbTask } from './types.js';

export type TaskView = Omit<CrdbTask, 'request' | 'result_ttl'>;

export interface FollowOptions {
  wait: boolean;
  /** Print the GUID line (create). */
  showGuid?: boolean;
  print: (line: string) => void;
  /** Also print each cluster's progress text as it changes. */
  verbose?: boolean;
  pollMs?: number;
  timeoutMs?: number;
}

export async function submitTask(target: ApiTarget, method: string, path: string, body: unknown, opts: FollowOptions): Promise<TaskView> {
  const created = (await apiRequest<TaskView>(target, method, path, body)).body;
  opts.print(`Task ${created.id} created`);
  if (!opts.wait) return created;
  return followTask(target, created, opts);
}

const TERMINAL = new Set(['finished', 'failed']);

export async function followTask(target: ApiTarget, first: TaskView, opts: FollowOptions): Promise<TaskView> {
  let status = 'queued';
  let guidShown = false;
  const seen = new Map<string, string>();
  const deadline = Date.now() + (opts.timeoutMs ?? 30 * 60_000);
  let task = first;
  const step = (to: string): void => {
    opts.print(`  ---> Status changed: ${status} -> ${to}`);
    status = to;
    if (to === 'started' && opts.showGuid && !guidShown && task.crdb_guid) {
      opts.print(`  ---> CRDB GUID Assigned: crdb:${task.crdb_guid}`);
      guidShown = true;
    }
  };
  for (;;) {
    // queued -> started first, then what each cluster did, then the end.
    if (status === 'queued' && task.status !== 'queued') step('started');
    if (opts.verbose) {
      for (const c of task.progress.clusters) {
        if (seen.get(c.name) !== c.progress) {
          seen.set(c.name, c.progress);
          opts.print(`       ${c.name}: ${c.progress}`);
        }
      }
    }
    if (task.status !== status) step(task.status);
    if (TERMINAL.has(status)) return task;
    if (Date.now() > deadline) throw new Error(`task ${task.id} did not end within ${Math.round((opts.timeoutMs ?? 0) / 1000)} s (still ${status})`);
    await new Promise((r) => setTimeout(r, opts.pollMs ?? 200));
    task = (await apiRequest<TaskView>(target, 'GET', `/v1/crdb_tasks/${encodeURIComponent(task.id)}`)).body;
  }
}

/** `cluster: description (error_code)` lines of a failed task. */
export function taskErrors(task: TaskView): string[] {
  if (task.errors.length === 0) return [`task ${task.id} failed`];
  return task.errors.map((e) => `${e.cluster_name ? `${e.cluster_name}: ` : ''}${e.description} (${e.error_code})`);
}
