// Pub/sub across the replication links of three real processes (docs/replication-protocol.md
// "Pub/sub"): every subscriber of every instance gets each message once — RESP2 and RESP3
// (push frames) alike — the origin's subscribers do not get it a second time, and PUBLISH
// counts only the receivers of the instance that ran it.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { waitFor } from '../helpers/wait-for.js';
import type { Cluster } from './aa-cluster.js';
import { clusterSkipReason, withCluster } from './aa-cluster.js';

const skip = clusterSkipReason();

interface Sub {
  readonly name: string;
  readonly redis: Redis;
  readonly got: string[];
}

async function subscriber(c: Cluster, id: number, protocol: 2 | 3, pattern: boolean): Promise<Sub> {
  const redis = new Redis({ port: c.instances[id - 1]!.port, host: '127.0.0.1', protocol });
  const s: Sub = { name: `instance ${id} RESP${protocol}${pattern ? ' pattern' : ''}`, redis, got: [] };
  if (pattern) {
    redis.on('pmessage', (_p: string, ch: string, m: string) => s.got.push(`${ch}:${m}`));
    await redis.psubscribe('news.*');
  } else {
    redis.on('message', (ch: string, m: string) => s.got.push(`${ch}:${m}`));
    await redis.subscribe('news.a');
  }
  return s;
}

describe('pub/sub across replication links (3 processes)', { skip, timeout: 90_000 }, () => {
  test('every subscriber gets every message once, RESP2 and RESP3, no echo to the origin', async () => {
    await withCluster(3, async (c) => {
      const subs = [
        await subscriber(c, 1, 2, false),
        await subscriber(c, 1, 3, true),
        await subscriber(c, 2, 3, false),
        await subscriber(c, 3, 2, false),
        await subscriber(c, 3, 2, true),
      ];
      try {
        const perInstance = 200;
        const want: string[] = [];
        // Interleaved publications from all three instances, pipelined.
        const replies = await Promise.all(
          [1, 2, 3].map(async (id) => {
            const p = c.at(id).pipeline();
            for (let i = 0; i < perInstance; i++) p.publish('news.a', `${id}-${i}`);
            return (await p.exec())!.map(([e, n]) => {
              assert.equal(e, null);
              return n as number;
            });
          }),
        );
        for (const id of [1, 2, 3]) for (let i = 0; i < perInstance; i++) want.push(`news.a:${id}-${i}`);
        // PUBLISH counts the local receivers only (Redis Enterprise does the same per shard).
        assert.deepEqual(new Set(replies[0]), new Set([2]));
        assert.deepEqual(new Set(replies[1]), new Set([1]));
        assert.deepEqual(new Set(replies[2]), new Set([2]));
        // A last marker from each origin: links are ordered, so once it arrived everything
        // published before it on that instance has too.
        for (const id of [1, 2, 3]) await c.at(id).publish('news.a', `${id}-end`);
        for (const s of subs) {
          await waitFor(() => [1, 2, 3].every((id) => s.got.includes(`news.a:${id}-end`)), { timeout: 20_000, message: `${s.name}: the end markers` });
        }
        await c.sync();
        for (const s of subs) {
          const got = s.got.filter((m) => !m.endsWith('-end'));
          assert.equal(got.length, want.length, `${s.name}: ${got.length} messages, ${want.length} expected`);
          assert.deepEqual([...got].sort(), [...want].sort(), `${s.name}: each message exactly once`);
          // Per origin, in publication order.
          for (const id of [1, 2, 3]) {
            const mine = got.filter((m) => m.startsWith(`news.a:${id}-`));
            assert.deepEqual(mine, want.filter((m) => m.startsWith(`news.a:${id}-`)), `${s.name}: order of instance ${id}'s messages`);
          }
        }
        const info = await c.info(1);
        assert.equal(info.get('crdt_pubsub_sent'), String(2 * (perInstance + 1)));
        assert.equal(info.get('crdt_pubsub_received'), String(2 * (perInstance + 1)));
        assert.equal(info.get('crdt_pubsub_dropped'), '0');
        // A channel nobody subscribes to anywhere: PUBLISH answers 0 and nothing is delivered.
        assert.equal(await c.at(2).publish('other', 'x'), 0);
      } finally {
        for (const s of subs) s.redis.disconnect();
      }
    });
  });

  test('SPUBLISH reaches shard-channel subscribers of the other instances', async () => {
    await withCluster(2, async (c) => {
      const sub = new Redis({ port: c.instances[1]!.port, host: '127.0.0.1', protocol: 3 });
      try {
        const got: string[] = [];
        sub.on('smessage', (ch: string, m: string) => got.push(`${ch}:${m}`));
        await sub.ssubscribe('orders');
        assert.equal(await c.at(1).call('SPUBLISH', 'orders', 'o1'), 0);
        await waitFor(() => got.length === 1, { timeout: 10_000, message: 'the shard message' });
        assert.deepEqual(got, ['orders:o1']);
      } finally {
        sub.disconnect();
      }
    });
  });
});
