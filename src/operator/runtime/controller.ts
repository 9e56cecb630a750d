/**
 * One reconciler per custom resource kind (CloudNativePG style): an informer feeds keys into a
 * de-duplicating work queue; a reconcile pass reads the world, applies the difference, writes
 * status and returns when to look again. Errors are retried with per-object exponential backoff;
 * every object is also resynced periodically.
 */
import type * as k8s from '@kubernetes/client-node';
import { GROUP } from '../schemas/schema.js';
import { type CrdRef, type Kube, type Resource } from '../kube.js';
import { Informer, keyOf } from './informer.js';
import { WorkQueue } from './work-queue.js';

export interface ReconcileResult {
  /** Look again after this many ms even if nothing changes (e.g. polling a task). */
  requeueAfterMs?: number;
}

export interface Logger {
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

export interface ControllerOptions {
  name: string;
  ref: CrdRef;
  kube: Kube;
  kubeConfig: k8s.KubeConfig;
  /** Namespaces to watch (undefined = all). */
  namespaces?: string[];
  reconcile: (obj: Resource, ctl: Controller) => Promise<ReconcileResult | void>;
  resyncMs?: number;
  backoff?: { baseMs: number; maxMs: number };
  log: Logger;
  workers?: number;
}

export class Controller {
  readonly queue: WorkQueue;
  private readonly informers: Informer<Resource>[] = [];
  private resyncTimer: NodeJS.Timeout | undefined;
  private running = false;
  private readonly workers: Promise<void>[] = [];

  constructor(readonly opts: ControllerOptions) {
    this.queue = new WorkQueue(opts.backoff ?? { baseMs: 250, maxMs: 60_000 });
    const namespaces = opts.namespaces ?? [undefined];
    for (const ns of namespaces) {
      const base = `/apis/${GROUP}/${opts.ref.version}`;
      this.informers.push(
        new Informer<Resource>({
          kubeConfig: opts.kubeConfig,
          path: ns === undefined ? `${base}/${opts.ref.plural}` : `${base}/namespaces/${ns}/${opts.ref.plural}`,
          list: () => opts.kube.listCr(opts.ref, ns),
          onChange: (key) => this.queue.add(key),
          onError: (e) => opts.log.warn(`${opts.name}: watch failed, retrying: ${(e as Error).message ?? String(e)}`),
        }),
      );
    }
  }

  /** The cached object of a key. */
  get(key: string): Resource | undefined {
    for (const i of this.informers) {
      const o = i.get(key);
      if (o) return o;
    }
    return undefined;
  }

  list(): Resource[] {
    return this.informers.flatMap((i) => i.list());
  }

  enqueue(obj: Resource | string): void {
    this.queue.add(typeof obj === 'string' ? obj : keyOf(obj));
  }

  async start(): Promise<void> {
    this.running = true;
    await Promise.all(this.informers.map((i) => i.start()));
    if (!this.running) return; // stopped while starting
    const resync = this.opts.resyncMs ?? 30_000;
    this.resyncTimer = setInterval(() => {
      for (const o of this.list()) this.queue.add(keyOf(o));
    }, resync);
    for (let i = 0; i < (this.opts.workers ?? 2); i++) this.workers.push(this.work());
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.resyncTimer) clearInterval(this.resyncTimer);
    for (const i of this.informers) i.stop();
    this.queue.close();
    await Promise.all(this.workers);
  }

  private async work(): Promise<void> {
    while (this.running) {
      const key = await this.queue.next();
      if (key === undefined) return;
      try {
        const [ns, name] = key.split('/');
        // read fresh: the cache may lag behind our own writes
        const obj = await this.opts.kube.getCr<unknown, unknown>(this.opts.ref, ns!, name!);
        if (obj) {
          const res = await this.opts.reconcile(obj, this);
          this.queue.forget(key);
          if (res && res.requeueAfterMs !== undefined) this.queue.addAfter(key, res.requeueAfterMs);
        }
      } catch (e) {
        const ms = this.queue.retry(key);
        this.opts.log.warn(`${this.opts.name} ${key}: ${(e as Error).message ?? String(e)} (retry in ${ms} ms)`);
      } finally {
        this.queue.done(key);
      }
    }
  }
}
