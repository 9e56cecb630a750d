// The collection test vectors of reference/aa-semantics.md (TV-HASH-*, TV-SET-*, TV-ZSET-*,
// TV-LIST-*, TV-HLL-*, TV-KEY-*), each run against 2 real `tandem server` processes replicating
// over TCP, through ioredis. Notation as in aa-vectors.test.ts (see aa-cluster.ts): steps of a
// vector that are concurrent run with replication paused everywhere (TANDEM.SYNC PAUSE); SYNC
// resumes it and waits until every instance applied the same effects; "A@1000" freezes A's OS
// clock with TANDEM.DEBUG CLOCK-FREEZE. Unordered replies (hash fields, set members) are
// compared sorted, as the reference says; everything else exactly.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { waitFor } from '../helpers/wait-for.js';
import { type Cluster, clusterSkipReason, withCluster } from './aa-cluster.js';

const skip = clusterSkipReason();
const A = 1;
const B = 2;
const both = [A, B];

/** A moment well after any timestamp the instances issued so far, for "X@<ms>" clocks. */
const base = (): number => Date.now() + 3_600_000;

/** The same read on every listed instance. */
async function onEach<T>(c: Cluster, ids: number[], read: (r: Redis) => Promise<T>): Promise<T[]> {
  return Promise.all(ids.map((i) => read(c.at(i))));
}

const sorted = (xs: string[]): string[] => [...xs].sort();

/**
 * Scores as numbers: redis-server 7.0 (which Tandem matches byte for byte) prints doubles with
 * %.17g ("1.1000000000000001"), the reference writes the shortest form ("1.1"); the reference
 * says to compare numerically. Equality is still exact: 1.1 + 1.0 + 1.0 must be the double 3.1.
 */
async function scoresOn(c: Cluster, ids: number[], key: string, member: string): Promise<(number | null)[]> {
  return onEach(c, ids, async (r) => {
    const s = await r.zscore(key, member);
    return s === null ? null : Number(s);
  });
}

async function membersOn(c: Cluster, ids: number[], key: string): Promise<string[][]> {
  return onEach(c, ids, async (r) => sorted(await r.smembers(key)));
}

describe('Active-Active collection test vectors (real processes)', { skip, timeout: 900_000 }, () => {
  test('TV-HASH-01 add wins: concurrent HSETs of different fields are unioned', async () => {
    await withCluster(2, async (c) => {
      await c.concurrently(async () => {
        assert.equal(await c.at(A).hset('key1', 'field1', 'a'), 1);
        assert.equal(await c.at(B).hset('key1', 'field2', 'b'), 1);
      });
      await c.sync();
      assert.deepEqual(await onEach(c, both, (r) => r.hgetall('key1')), [
        { field1: 'a', field2: 'b' },
        { field1: 'a', field2: 'b' },
      ]);
    });
  });

  // Search (FT.*) is not part of Tandem; the vector's hash half — each instance's write visible
  // locally before SYNC, the union of both fields after it — is what this test checks.
  test('TV-HASH-02 field union seen through a read on each instance (hash part; Search not implemented)', async () => {
    await withCluster(2, async (c) => {
      await c.concurrently(async () => {
        assert.equal(await c.at(A).hset('doc1', 'field1', 'a'), 1);
        assert.equal(await c.at(B).hset('doc1', 'field2', 'b'), 1);
        assert.deepEqual(await onEach(c, both, (r) => r.hget('doc1', 'field1')), ['a', null]);
      });
      await c.sync();
      assert.deepEqual(await onEach(c, both, (r) => r.hgetall('doc1')), [
        { field1: 'a', field2: 'b' },
        { field1: 'a', field2: 'b' },
      ]);
    });
  });

  test('TV-HASH-03 observed-remove on a field: a concurrent update survives HDEL', async () => {
    await withCluster(2, async (c) => {
      await c.at(A).hset('h', 'f', 'v1');
      await c.sync();
      await c.concurrently(async () => {
        assert.equal(await c.at(A).hdel('h', 'f'), 1);
        assert.equal(await c.at(B).hset('h', 'f', 'v2'), 0);
      });
      await c.sync();
      assert.deepEqual(await onEach(c, both, (r) => r.hget('h', 'f')), ['v2', 'v2']);
    });
  });

  test('TV-HASH-04 counter field: concurrent HINCRBYs accumulate', async () => {
    await withCluster(2, async (c) => {
      await c.concurrently(async () => {
        assert.equal(await c.at(A).hincrby('h', 'n', 5), 5);
        assert.equal(await c.at(B).hincrby('h', 'n', 2), 2);
      });
      await c.sync();
      assert.deepEqual(await onEach(c, both, (r) => r.hget('h', 'n')), ['7', '7']);
    });
  });

  test('TV-SET-01 add wins: concurrent SADDs are unioned', async () => {
    await withCluster(2, async (c) => {
      await c.concurrently(async () => {
        assert.equal(await c.at(A).sadd('key1', 'a'), 1);
        assert.equal(await c.at(B).sadd('key1', 'b'), 1);
        assert.deepEqual(await membersOn(c, both, 'key1'), [['a'], ['b']]);
      });
      await c.sync();
      assert.deepEqual(await membersOn(c, both, 'key1'), [['a', 'b'], ['a', 'b']]);
    });
  });

  test('TV-SET-02 observed remove: SREM of an unseen member removes nothing', async () => {
    await withCluster(2, async (c) => {
      await c.at(A).sadd('key1', 'a', 'b');
      await c.sync();
      assert.deepEqual(await membersOn(c, both, 'key1'), [['a', 'b'], ['a', 'b']]);
      await c.concurrently(async () => {
        assert.equal(await c.at(A).srem('key1', 'a'), 1);
        assert.equal(await c.at(B).sadd('key1', 'c'), 1);
        assert.equal(await c.at(A).srem('key1', 'c'), 0);
      });
      await c.sync();
      assert.deepEqual(await membersOn(c, both, 'key1'), [['b', 'c'], ['b', 'c']]);
    });
  });

  test('TV-SET-03 concurrent SREM vs re-add of the same member: the re-add survives', async () => {
    await withCluster(2, async (c) => {
      await c.at(A).sadd('s', 'x', 'y');
      await c.sync();
      await c.concurrently(async () => {
        assert.equal(await c.at(A).srem('s', 'x'), 1);
        assert.equal(await c.at(B).srem('s', 'x'), 1);
        assert.equal(await c.at(B).sadd('s', 'x'), 1);
      });
      await c.sync();
      assert.deepEqual(await membersOn(c, both, 's'), [['x', 'y'], ['x', 'y']]);
    });
  });

  test('TV-SET-04 key delete vs concurrent add: only the unobserved member survives', async () => {
    await withCluster(2, async (c) => {
      assert.equal(await c.at(A).sadd('s', 'e1'), 1);
      await c.sync();
      assert.deepEqual(await onEach(c, both, (r) => r.scard('s')), [1, 1]);
      await c.concurrently(async () => {
        assert.equal(await c.at(A).sadd('s', 'e2'), 1);
        assert.equal(await c.at(B).del('s'), 1);
        assert.deepEqual(await onEach(c, both, (r) => r.scard('s')), [2, 0]);
      });
      await c.sync();
      assert.deepEqual(await onEach(c, both, (r) => r.scard('s')), [1, 1]);
      assert.deepEqual(await onEach(c, both, (r) => r.exists('s')), [1, 1]);
      assert.deepEqual(await membersOn(c, both, 's'), [['e2'], ['e2']]);
    });
  });

  test('TV-ZSET-01 no conflict: sequential ZADDs on two instances', async () => {
    await withCluster(2, async (c) => {
      assert.equal(await c.at(A).zadd('Z', '1.1', 'x'), 1);
      await c.sync();
      assert.equal(await c.at(B).zadd('Z', '1.2', 'y'), 1);
      await c.sync();
      assert.deepEqual(await onEach(c, both, (r) => r.zrange('Z', '0', '-1')), [['x', 'y'], ['x', 'y']]);
    });
  });

  test('TV-ZSET-02 concurrent ZADDs at different times: the later wall clock wins', async () => {
    await withCluster(2, async (c) => {
      const t = base();
      await c.concurrently(async () => {
        await c.clockAt(A, t + 1000);
        assert.equal(await c.at(A).zadd('Z', '1.1', 'x'), 1);
        await c.clockAt(B, t + 2000);
        assert.equal(await c.at(B).zadd('Z', '2.1', 'x'), 1);
        assert.deepEqual(await scoresOn(c, both, 'Z', 'x'), [1.1, 2.1]);
      });
      await c.sync();
      assert.deepEqual(await scoresOn(c, both, 'Z', 'x'), [2.1, 2.1]);
    });
  });

  test('TV-ZSET-03 concurrent ZADDs at the exact same time: instance 1 takes precedence', async () => {
    await withCluster(2, async (c) => {
      const t = base();
      await c.concurrently(async () => {
        await c.clockAt(A, t + 1000);
        await c.clockAt(B, t + 1000);
        assert.equal(await c.at(A).zadd('Z', '1.1', 'x'), 1);
        assert.equal(await c.at(B).zadd('Z', '2.1', 'x'), 1);
        assert.deepEqual(await scoresOn(c, both, 'Z', 'x'), [1.1, 2.1]);
      });
      await c.sync();
      assert.deepEqual(await scoresOn(c, both, 'Z', 'x'), [1.1, 1.1]);
    });
  });

  test('TV-ZSET-04 concurrent ZINCRBYs accumulate', async () => {
    await withCluster(2, async (c) => {
      assert.equal(await c.at(A).zadd('Z', '1.1', 'x'), 1);
      await c.sync();
      await c.concurrently(async () => {
        assert.equal(Number(await c.at(A).zincrby('Z', '1.0', 'x')), 2.1);
        assert.equal(Number(await c.at(B).zincrby('Z', '1.0', 'x')), 2.1);
      });
      await c.sync();
      assert.deepEqual(await scoresOn(c, both, 'Z', 'x'), [3.1, 3.1]);
    });
  });

  test('TV-ZSET-05 ZREM vs concurrent ZINCRBY: only the observed score is cancelled', async () => {
    await withCluster(2, async (c) => {
      assert.equal(await c.at(A).zadd('Z', '4.1', 'x'), 1);
      await c.sync();
      assert.deepEqual(await scoresOn(c, both, 'Z', 'x'), [4.1, 4.1]);
      await c.concurrently(async () => {
        assert.equal(await c.at(A).zrem('Z', 'x'), 1);
        assert.equal(Number(await c.at(B).zincrby('Z', '2.0', 'x')), 6.1);
        assert.deepEqual(await scoresOn(c, both, 'Z', 'x'), [null, 6.1]);
      });
      await c.sync();
      assert.deepEqual(await scoresOn(c, both, 'Z', 'x'), [2, 2]);
    });
  });

  test('TV-LIST-01 simple: a push after SYNC goes to the head', async () => {
    await withCluster(2, async (c) => {
      assert.equal(await c.at(A).lpush('mylist', 'hello'), 1);
      await c.sync();
      assert.equal(await c.at(B).lpush('mylist', 'world'), 2);
      await c.sync();
      assert.deepEqual(await onEach(c, both, (r) => r.lrange('mylist', 0, -1)), [
        ['world', 'hello'],
        ['world', 'hello'],
      ]);
    });
  });

  test('TV-LIST-02 concurrent inserts at one anchor order by ascending instance id', async () => {
    await withCluster(2, async (c) => {
      assert.equal(await c.at(A).lpush('L', 'x'), 1);
      await c.sync();
      await c.concurrently(async () => {
        assert.equal(await c.at(A).linsert('L', 'AFTER', 'x', 'y1'), 2);
        assert.equal(await c.at(B).linsert('L', 'AFTER', 'x', 'y2'), 2);
        assert.deepEqual(await onEach(c, both, (r) => r.lrange('L', 0, -1)), [
          ['x', 'y1'],
          ['x', 'y2'],
        ]);
      });
      await c.sync();
      assert.deepEqual(await onEach(c, both, (r) => r.lrange('L', 0, -1)), [
        ['x', 'y1', 'y2'],
        ['x', 'y1', 'y2'],
      ]);
    });
  });

  test('TV-LIST-03 DEL of a list while another instance pushes: the unobserved push survives', async () => {
    await withCluster(2, async (c) => {
      await c.at(A).lpush('L', 'x');
      await c.sync();
      assert.deepEqual(await onEach(c, both, (r) => r.lrange('L', 0, -1)), [['x'], ['x']]);
      await c.concurrently(async () => {
        assert.equal(await c.at(A).lpush('L', 'y'), 2);
        assert.equal(await c.at(B).del('L'), 1);
      });
      await c.sync();
      assert.deepEqual(await onEach(c, both, (r) => r.lrange('L', 0, -1)), [['y'], ['y']]);
    });
  });

  test('TV-LIST-04 popping: concurrent pops return the same element, which is gone once after SYNC', async () => {
    await withCluster(2, async (c) => {
      assert.equal(await c.at(A).lpush('L', 'x', 'y', 'z'), 3);
      await c.sync();
      assert.equal(await c.at(B).rpop('L'), 'x');
      await c.sync();
      assert.equal(await c.at(A).rpop('L'), 'y');
      await c.sync();
      await c.concurrently(async () => {
        assert.equal(await c.at(A).rpop('L'), 'z');
        assert.equal(await c.at(B).rpop('L'), 'z');
      });
      await c.sync();
      assert.deepEqual(await onEach(c, both, (r) => r.llen('L')), [0, 0]);
      assert.deepEqual(await onEach(c, both, (r) => r.exists('L')), [0, 0]);
    });
  });

  test('TV-HLL-01 sequential adds', async () => {
    await withCluster(2, async (c) => {
      assert.equal(await c.at(A).pfadd('hll', 'x'), 1);
      await c.sync();
      assert.equal(await c.at(B).pfadd('hll', 'y'), 1);
      await c.sync();
      assert.deepEqual(await onEach(c, both, (r) => r.pfcount('hll')), [2, 2]);
    });
  });

  test('TV-HLL-02 concurrent adds merge into the union', async () => {
    await withCluster(2, async (c) => {
      await c.concurrently(async () => {
        assert.equal(await c.at(A).pfadd('hll', 'x'), 1);
        assert.equal(await c.at(B).pfadd('hll', 'y'), 1);
        assert.deepEqual(await onEach(c, both, (r) => r.pfcount('hll')), [1, 1]);
      });
      await c.sync();
      assert.deepEqual(await onEach(c, both, (r) => r.pfcount('hll')), [2, 2]);
    });
  });

  test('TV-HLL-03 DEL wins over a concurrent PFADD', async () => {
    await withCluster(2, async (c) => {
      assert.equal(await c.at(A).pfadd('h', 'e1'), 1);
      await c.sync();
      assert.deepEqual(await onEach(c, both, (r) => r.pfcount('h')), [1, 1]);
      await c.concurrently(async () => {
        assert.equal(await c.at(A).pfadd('h', 'e2'), 1);
        assert.equal(await c.at(B).del('h'), 1);
        assert.deepEqual(await onEach(c, both, (r) => r.pfcount('h')), [2, 0]);
      });
      await c.sync();
      assert.deepEqual(await onEach(c, both, (r) => r.pfcount('h')), [0, 0]);
      assert.deepEqual(await onEach(c, both, (r) => r.exists('h')), [0, 0]);
    });
  });

  test('TV-KEY-01 DEL hash vs concurrent HSET of a new field: the new field survives alone', async () => {
    await withCluster(2, async (c) => {
      await c.at(A).hset('h', 'f1', 'a');
      await c.sync();
      await c.concurrently(async () => {
        assert.equal(await c.at(A).del('h'), 1);
        assert.equal(await c.at(B).hset('h', 'f2', 'b'), 1);
      });
      await c.sync();
      assert.deepEqual(await onEach(c, both, (r) => r.hgetall('h')), [{ f2: 'b' }, { f2: 'b' }]);
    });
  });

  test('TV-KEY-02 DEL sorted set vs concurrent ZINCRBY: only the unobserved increment remains', async () => {
    await withCluster(2, async (c) => {
      await c.at(A).zadd('Z', '1', 'x');
      await c.sync();
      await c.concurrently(async () => {
        assert.equal(await c.at(A).del('Z'), 1);
        assert.equal(Number(await c.at(B).zincrby('Z', '5', 'x')), 6);
      });
      await c.sync();
      assert.deepEqual(await scoresOn(c, both, 'Z', 'x'), [5, 5]);
    });
  });
});

describe('blocking pops woken by pushes from another instance (real processes)', { skip, timeout: 60_000 }, () => {
  /** A second connection to instance `id`, for the blocked client. */
  async function blockedClientOn(c: Cluster, id: number): Promise<Redis> {
    return new Redis({ port: c.instances[id - 1]!.port, host: '127.0.0.1' });
  }

  /** Waits until instance `id` reports `n` blocked clients (INFO clients). */
  async function blockedOn(c: Cluster, id: number, n: number): Promise<void> {
    await waitFor(async () => new RegExp(`blocked_clients:${n}\\r\\n`).test(await c.at(id).info('clients')), {
      timeout: 5000,
      message: `${n} blocked client(s) on instance ${id}`,
    });
  }

  test('BLPOP on B is woken by an LPUSH on A', async () => {
    await withCluster(2, async (c) => {
      const blocked = await blockedClientOn(c, B);
      try {
        const reply = blocked.blpop('q', 10);
        await blockedOn(c, B, 1);
        assert.equal(await c.at(A).lpush('q', 'from-A'), 1);
        assert.deepEqual(await reply, ['q', 'from-A']);
        await blockedOn(c, B, 0);
        await c.sync();
        assert.deepEqual(await onEach(c, both, (r) => r.llen('q')), [0, 0]);
      } finally {
        blocked.disconnect();
      }
    });
  });

  test('BLMOVE on B is woken by an RPUSH on A; the move replicates back to A', async () => {
    await withCluster(2, async (c) => {
      const blocked = await blockedClientOn(c, B);
      try {
        const reply = blocked.blmove('src', 'dst', 'LEFT', 'RIGHT', 10);
        await blockedOn(c, B, 1);
        assert.equal(await c.at(A).rpush('src', 'one', 'two'), 2);
        assert.equal(await reply, 'one');
        await c.sync();
        assert.deepEqual(await onEach(c, both, (r) => r.lrange('src', 0, -1)), [['two'], ['two']]);
        assert.deepEqual(await onEach(c, both, (r) => r.lrange('dst', 0, -1)), [['one'], ['one']]);
      } finally {
        blocked.disconnect();
      }
    });
  });
});
