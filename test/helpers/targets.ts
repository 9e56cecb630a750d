// Which server an end-to-end suite tests. By default the suites test Tandem; with
// E2E_TARGET=redis (or DIFF_TARGET=redis) the "Tandem" side is a redis-server instead, which is
// how the suites themselves are checked (redis against redis must always pass).
import { after, before } from 'node:test';
import type { RawClient } from './raw-client.js';
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

/**
 * A reference redis-server and the target, started side by side (differential suites). When
 * one fails to start, the other is stopped before the error is thrown.
 */
export async function startReferenceAndTarget(kind: TargetKind = e2eTarget(), opts: TargetOptions = {}): Promise<[ServerHandle, ServerHandle]> {
  const started = await Promise.allSettled([startRedis(opts.redis), startTarget(kind, opts)]);
  const ok = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) {
    await Promise.all(ok.map((s) => s.stop()));
    throw failed.reason;
  }
  return [ok[0]!, ok[1]!];
}

/**
 * Inside a describe(): starts redis-server and the target in a before() hook, opens `connections`
 * raw clients to each — clients[2i] to redis-server, clients[2i + 1] to the target — and closes
 * and stops everything in an after() hook. Hooks the suite adds later run after these.
 */
export function referenceAndTargetHooks(kind: TargetKind = e2eTarget(), connections = 1): { servers: ServerHandle[]; clients: RawClient[] } {
  const pair = { servers: [] as ServerHandle[], clients: [] as RawClient[] };
  before(async () => {
    pair.servers = await startReferenceAndTarget(kind);
    for (let i = 0; i < connections; i++) pair.clients.push(...(await Promise.all(pair.servers.map((s) => s.connect()))));
  });
  after(async () => {
    await Promise.all(pair.clients.map((c) => c.close()));
    await Promise.all(pair.servers.map((s) => s.stop()));
  });
  return pair;
}
