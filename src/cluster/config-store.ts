/**
 * Where a cluster keeps its configuration. The interface is what a consistent, replicated store
 * would implement for a multi-node cluster; `FileConfigStore` is the single-node store: one JSON
 * file replaced atomically (write a temporary file, fsync it, rename it over the old one, fsync
 * the directory), so a crash leaves either the old or the new configuration, never a mix.
 */
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

export interface ConfigStore<T> {
  /** The saved configuration, or undefined when none was saved yet. */
  load(): T | undefined;
  /** Replaces the saved configuration; durable when it returns. */
  save(value: T): void;
}

export class FileConfigStore<T> implements ConfigStore<T> {
  constructor(readonly path: string) {}

  load(): T | undefined {
    if (!existsSync(this.path)) return undefined;
    const text = readFileSync(this.path, 'utf8');
    try {
      return JSON.parse(text) as T;
    } catch (e) {
      throw new Error(`cluster configuration ${this.path} is not valid JSON: ${(e as Error).message}`);
    }
  }

  save(value: T): void {
    const tmp = `${this.path}.tmp`;
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeSync(fd, JSON.stringify(value, null, 2) + '\n');
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.path);
    syncDir(dirname(this.path));
  }
}

/** fsync of a directory (makes a rename durable); not possible everywhere (Windows). */
export function syncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // not supported on this platform
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
