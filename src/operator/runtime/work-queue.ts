/**
 * A de-duplicating work queue (client-go's rate-limited queue): a key is queued at most once; a
 * key added while it is being processed is processed again afterwards, never concurrently;
 * failures are retried with per-key exponential backoff (`retry`), reset by `forget`.
 */
export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
}

export class WorkQueue {
  private readonly queue: string[] = [];
  private readonly queued = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly dirty = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private waiters: (() => void)[] = [];
  private closed = false;

  constructor(private readonly backoff: BackoffOptions = { baseMs: 200, maxMs: 60_000 }) {}

  add(key: string): void {
    if (this.closed) return;
    if (this.processing.has(key)) {
      this.dirty.add(key);
      return;
    }
    if (this.queued.has(key)) return;
    this.queued.add(key);
    this.queue.push(key);
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Adds the key after `ms` (the earliest pending time wins). */
  addAfter(key: string, ms: number): void {
    if (this.closed) return;
    const t = this.timers.get(key);
    if (t) return;
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        this.add(key);
      }, ms),
    );
  }

  /** Schedules a retry after a failure: base · 2^failures, capped. Returns the delay. */
  retry(key: string): number {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    const ms = Math.min(this.backoff.maxMs, this.backoff.baseMs * 2 ** n);
    this.addAfter(key, ms);
    return ms;
  }

  forget(key: string): void {
    this.failures.delete(key);
  }

  failuresOf(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  /** The next key (undefined once closed). Call `done(key)` when finished with it. */
  async next(): Promise<string | undefined> {
    while (this.queue.length === 0) {
      if (this.closed) return undefined;
      await new Promise<void>((r) => this.waiters.push(r));
    }
    const key = this.queue.shift()!;
    this.queued.delete(key);
    this.processing.add(key);
    return key;
  }

  done(key: string): void {
    this.processing.delete(key);
    if (this.dirty.delete(key)) this.add(key);
  }

  get length(): number {
    return this.queue.length;
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
}
