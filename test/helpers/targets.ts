// Which server an end-to-end suite tests. By default the suites test Tandem; with
// E2E_TARGET=redis (or DIFF_TARGET=redis) the "Tandem" side is a redis-server instead, which is
// how the suites themselves are checked (redis against redis must always pass).
import { type RedisOptions, type ServerHandle, type TandemOptions, redisAvailable, startRedis, startTandem, tandemBuilt, tandemEntry } from './server-process.js';

export type TargetKind = 'tandem' | 'redis';

export function e2eTarget(): TargetKind {
  const v = (process.env.E2E_TARGET ?? process.env.DIFF_TARGET ?? 'tandem').toLowerCase();
  if (v !== 'tandem' && v !== 'redis') {
    throw new Error(`E2E_TARGET/DIFF_TARGET must be 'tandem' or 'redis', not ${JSON.stringify(v)}`);
  }
  return v;
}

/** False when the target can run here, else the reason to skip. */
export function targetSkipReason(kind: TargetKind = e2eTarget()): string | false {
  if (kind === 'redis') {
    return redisAvailable() ? false : 'redis-server not found on PATH (Debian: apt-get install redis-server)';
  }
  if (!tandemBuilt()) {
    return `Tandem data node not built (${tandemEntry} missing); E2E_TARGET=redis runs this suite against redis-server`;
  }
  return false;
}

export interface TargetOptions {
  tandem?: TandemOptions;
  redis?: RedisOptions;
}

export function startTarget(kind: TargetKind = e2eTarget(), opts: TargetOptions = {}): Promise<ServerHandle> {
  return kind === 'redis' ? startRedis(opts.redis) : startTandem(opts.tandem);
}
