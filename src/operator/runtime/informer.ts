/**
 * List-then-watch cache of one resource (client-go's informer) over client-node's `Watch`:
 * resumes from the last resourceVersion, relists on 410 Gone, retries errors with backoff, and
 * reports every change as a key (`namespace/name`).
 */
import * as k8s from '@kubernetes/client-node';

export interface InformerObject {
  metadata?: { name?: string; namespace?: string; resourceVersion?: string };
}

export const keyOf = (o: InformerObject): string => `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;

export interface InformerOptions<T> {
  kubeConfig: k8s.KubeConfig;
  /** API path of the collection, e.g. /apis/app.redislabs.com/v1alpha1/namespaces/ns/redisenterpriseremoteclusters. */
  path: string;
  list: () => Promise<{ items: T[]; resourceVersion: string }>;
  onChange: (key: string, obj: T | undefined) => void;
  labelSelector?: string;
  onError?: (e: unknown) => void;
}

export class Informer<T extends InformerObject> {
  private readonly cache = new Map<string, T>();
  private resourceVersion = '';
  private abort: AbortController | undefined;
  private stopped = false;
  private failures = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private synced = false;
  private readonly watch: k8s.Watch;

  constructor(private readonly opts: InformerOptions<T>) {
    this.watch = new k8s.Watch(opts.kubeConfig);
  }

  get(key: string): T | undefined {
    return this.cache.get(key);
  }

  list(): T[] {
    return [...this.cache.values()];
  }

  hasSynced(): boolean {
    return this.synced;
  }

  async start(): Promise<void> {
    this.stopped = false;
    await this.run();
  }

  stop(): void {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.abort?.abort();
  }

  private async relist(): Promise<void> {
    const { items, resourceVersion } = await this.opts.list();
    const seen = new Set<string>();
    for (const o of items) {
      const k = keyOf(o);
      seen.add(k);
      const old = this.cache.get(k);
      this.cache.set(k, o);
      if (old?.metadata?.resourceVersion !== o.metadata?.resourceVersion) this.opts.onChange(k, o);
    }
    for (const k of [...this.cache.keys()]) {
      if (!seen.has(k)) {
        this.cache.delete(k);
        this.opts.onChange(k, undefined);
      }
    }
    this.resourceVersion = resourceVersion;
    this.synced = true;
  }

  private async run(): Promise<void> {
    if (this.stopped) return;
    try {
      if (!this.resourceVersion) await this.relist();
      const params: Record<string, string> = { resourceVersion: this.resourceVersion, allowWatchBookmarks: 'true' };
      if (this.opts.labelSelector) params.labelSelector = this.opts.labelSelector;
      if (this.stopped) return;
      this.abort = await this.watch.watch(this.opts.path, params, (type, obj: T & { code?: number }) => this.onEvent(type, obj), (err) => this.onDone(err));
      if (this.stopped) this.abort.abort(); // stopped while connecting
      this.failures = 0;
    } catch (e) {
      this.scheduleRetry(e);
    }
  }

  private onEvent(type: string, obj: T & { code?: number }): void {
    if (type === 'ERROR') {
      if (obj.code === 410) this.resourceVersion = '';
      return;
    }
    if (obj.metadata?.resourceVersion) this.resourceVersion = obj.metadata.resourceVersion;
    if (type === 'BOOKMARK') return;
    const k = keyOf(obj);
    if (type === 'DELETED') this.cache.delete(k);
    else this.cache.set(k, obj);
    this.opts.onChange(k, type === 'DELETED' ? undefined : obj);
  }

  private onDone(err: unknown): void {
    if (this.stopped) return;
    const code = (err as { statusCode?: number; code?: number } | null)?.statusCode ?? (err as { code?: number } | null)?.code;
    if (code === 410) this.resourceVersion = '';
    if (err && code !== 410) this.scheduleRetry(err);
    else void this.run();
  }

  private scheduleRetry(e: unknown): void {
    if (this.stopped) return;
    this.opts.onError?.(e);
    const ms = Math.min(30_000, 250 * 2 ** this.failures++);
    this.retryTimer = setTimeout(() => void this.run(), ms);
  }
}
