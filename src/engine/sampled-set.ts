/**
 * A set of strings with O(1) add, delete and uniform random sampling — the structure Redis gets
 * from sampling dict buckets. Used for keys with a TTL (active expiry samples them) and for
 * RANDOMKEY.
 */
export class SampledSet {
  private readonly items: string[] = [];
  private readonly index = new Map<string, number>();

  get size(): number {
    return this.items.length;
  }

  has(s: string): boolean {
    return this.index.has(s);
  }

  add(s: string): void {
    if (this.index.has(s)) return;
    this.index.set(s, this.items.length);
    this.items.push(s);
  }

  delete(s: string): void {
    const i = this.index.get(s);
    if (i === undefined) return;
    const last = this.items.pop()!;
    this.index.delete(s);
    if (i < this.items.length) {
      this.items[i] = last;
      this.index.set(last, i);
    }
  }

  /** A uniformly random member (`random` returns [0, 1)), or undefined when empty. */
  sample(random: () => number): string | undefined {
    if (this.items.length === 0) return undefined;
    return this.items[Math.floor(random() * this.items.length)];
  }

  clear(): void {
    this.items.length = 0;
    this.index.clear();
  }

  [Symbol.iterator](): IterableIterator<string> {
    return this.items[Symbol.iterator]();
  }
}
