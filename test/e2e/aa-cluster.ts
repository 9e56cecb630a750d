// A small Active-Active database of real `tandem server` processes for end-to-end tests: N
// instances on free ports, each told about the others with --peer, one ioredis client each.
// The vector notation of reference/aa-semantics.md maps onto it:
//   "concurrent" steps  → run inside concurrently(): every instance paused (TANDEM.SYNC PAUSE)
//   SYNC                → sync(): RESUME everywhere, then TANDEM.SYNC WAIT on every instance
//   "A@1000" (OS clock) → clockAt(i, ms): TANDEM.DEBUG CLOCK-FREEZE (enable-debug-command yes)
import { Redis } from 'ioredis';
import { freePort } from '../helpers/free-port.js';
import type { ServerHandle } from '../helpers/server-process.js';
import { startTandem, tandemBuilt, tandemEntry } from '../helpers/server-process.js';

export interface Instance {
  readonly id: number;
  readonly port: number;
  readonly server: ServerHandle;
  readonly redis: Redis;
}

export interface ClusterOptions {
  /** Extra arguments for every server. */
  args?: string[];
  guid?: string;
}

/** INFO crdt of one instance as name → value. */
export async function infoCrdt(r: Redis): Promise<Map<string, string>> {
  const text = (await r.call('INFO', 'crdt')) as string;
  const m = new Map<string, string>();
  for (const line of text.split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0 && !line.startsWith('#')) m.set(line.slice(0, i), line.slice(i + 1));
  }
  return m;
}

/** Reason to skip the suite, or false. */
export function clusterSkipReason(): string | false {
  return tandemBuilt() ? false : `Tandem is not built (${tandemEntry} missing): run npx tsc -p .`;
}

export class Cluster {
  private constructor(readonly instances: Instance[]) {}

  static async start(n: number, opts: ClusterOptions = {}): Promise<Cluster> {
    const guid = opts.guid ?? `aa-test-${process.pid}-${Date.now()}`;
    const ports: number[] = [];
    for (let i = 0; i < n; i++) {
      let p = await freePort();
      while (ports.includes(p)) p = await freePort();
      ports.push(p);
    }
    const servers = await Promise.all(
      ports.map((port, i) =>
        startTandem({
          port,
          instanceId: i + 1,
          args: [
            '--crdb-guid', guid,
            '--set', 'enable-debug-command=yes',
            ...ports.flatMap((q, j) => (j === i ? [] : ['--peer', `${j + 1}@127.0.0.1:${q}`])),
            ...(opts.args ?? []),
          ],
        }),
      ),
    );
    const instances = servers.map((server, i) => ({
      id: i + 1,
      port: ports[i]!,
      server,
      redis: new Redis({ port: ports[i]!, host: '127.0.0.1', maxRetriesPerRequest: 1, enableOfflineQueue: true }),
    }));
    const c = new Cluster(instances);
    // Every link up before the first step: a WAIT settles only once all peers answered.
    await c.sync();
    return c;
  }

  /** Instance by id (A = 1, B = 2, C = 3). */
  at(id: number): Redis {
    return this.instances[id - 1]!.redis;
  }

  async pauseAll(): Promise<void> {
    for (const i of this.instances) await i.redis.call('TANDEM.SYNC', 'PAUSE');
  }

  /** Runs `steps` with no replication between any two instances: their writes are concurrent. */
  async concurrently(steps: () => Promise<void>): Promise<void> {
    await this.pauseAll();
    await steps();
  }

  /** SYNC: every pending effect exchanged between all instances until quiescent. */
  async sync(timeoutMs = 15_000): Promise<void> {
    for (const i of this.instances) await i.redis.call('TANDEM.SYNC', 'RESUME');
    await Promise.all(this.instances.map((i) => i.redis.call('TANDEM.SYNC', 'WAIT', String(timeoutMs))));
  }

  /** Freezes instance `id`'s OS clock at `ms` (Unix ms), or lets it run again (null). */
  async clockAt(id: number, ms: number | null): Promise<void> {
    await this.at(id).call('TANDEM.DEBUG', 'CLOCK-FREEZE', ms === null ? 'OFF' : String(ms));
  }

  async info(id: number): Promise<Map<string, string>> {
    return infoCrdt(this.at(id));
  }

  /** What the server printed, for failure messages. */
  output(): string {
    return this.instances.map((i) => `--- instance ${i.id} (port ${i.port}) ---\n${i.server.output().slice(-4000)}`).join('\n');
  }

  async stop(): Promise<void> {
    for (const i of this.instances) i.redis.disconnect();
    await Promise.all(this.instances.map((i) => i.server.stop()));
  }
}

/** Starts a cluster, runs `body`, stops it; on failure the servers' logs join the error. */
export async function withCluster(n: number, body: (c: Cluster) => Promise<void>, opts: ClusterOptions = {}): Promise<void> {
  const c = await Cluster.start(n, opts);
  try {
    await body(c);
  } catch (e) {
    if (e instanceof Error) e.message += `\n${c.output()}`;
    throw e;
  } finally {
    await c.stop();
  }
}
