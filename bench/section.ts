// A benchmark report is a list of sections (throughput, memory, and later per-family
// throughput, replication lag, fsync policies …). Each section starts its own fresh pair of
// servers, so no section measures what an earlier one left behind.
import { type ServerHandle, startRedis, startTandem } from '../test/helpers/server-process.js';
import type { BenchOptions } from './options.js';

export interface ServerPair {
  /** Tandem, or with --against redis a second redis-server. */
  readonly target: ServerHandle;
  readonly redis: ServerHandle;
  stop(): Promise<void>;
}

export interface BenchContext {
  readonly options: BenchOptions;
  /** Column title for the target: "Tandem" or "redis #2". */
  readonly targetLabel: string;
  /** Fresh, empty servers with persistence off. */
  startPair(): Promise<ServerPair>;
  /** Progress line on stderr (the report itself goes to stdout). */
  progress(message: string): void;
}

export interface Section {
  readonly id: string;
  readonly title: string;
  /** Markdown for the report. */
  run(ctx: BenchContext): Promise<string>;
}

export function benchContext(options: BenchOptions): BenchContext {
  const targetLabel = options.against === 'redis' ? 'redis #2' : 'Tandem';
  return {
    options,
    targetLabel,
    async startPair() {
      const target =
        options.against === 'redis'
          ? await startRedis()
          : await startTandem({ args: ['--set', 'appendonly=no', '--set', 'save=', ...options.tandemArgs] });
      let redis: ServerHandle;
      try {
        redis = await startRedis();
      } catch (e) {
        await target.stop();
        throw e;
      }
      return {
        target,
        redis,
        stop: async () => {
          await Promise.all([target.stop(), redis.stop()]);
        },
      };
    },
    progress(message) {
      process.stderr.write(`[bench] ${message}\n`);
    },
  };
}
