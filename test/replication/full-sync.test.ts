// Snapshots (src/engine/snapshot.ts) and full sync (src/replication/full-sync.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { KeyRecord } from '../../src/crdt/key.js';
import { dataVisible, KeyType } from '../../src/crdt/key.js';
import type { ExecContext } from '../../src/engine/command-table.js';
import { lookupCommand } from '../../src/engine/command-table.js';
import { Database } from '../../src/engine/database.js';
import { openSnapshot, openSnapshots } from '../../src/engine/snapshot.js';
import '../../src/engine/strings.js';
import '../../src/engine/keys.js';
import { ReplyWriter } from '../../src/protocol/reply.js';
import { decodeFrame } from '../../src/replication/frames.js';
import { FullSyncReceiver, FullSyncSender } from '../../src/replication/full-sync.js';

function run(db: Database, ...argv: string[]): string {
  const out = new ReplyWriter();
  const ctx: ExecContext = { db, out, session: { id: 0 } };
  lookupCommand(argv[0]!)!.handler!(ctx, argv);
  db.commit();
  return out.take().toString('latin1');
}

/** Every record (dead ones too) as comparable encoded state. */
function stateOf(records: Iterable<[string, KeyRecord]>): Map<string, string> {
  const m = new Map<string, string>();
  for (const [k, r] of records) m.set(k, JSON.stringify(KeyType.value(r)) + '|' + JSON.stringify(r.env?.tomb ?? null) + '|' + String(r.x?.rmTs ?? -1));
  return m;
}

const KEYS = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
const opArb = fc.oneof(
  fc.record({ k: fc.constant('set' as const), key: fc.constantFrom(...KEYS), v: fc.constantFrom('1', 'x', '7') }),
  fc.record({ k: fc.constant('incr' as const), key: fc.constantFrom(...KEYS) }),
  fc.record({ k: fc.constant('del' as const), key: fc.constantFrom(...KEYS) }),
  fc.record({ k: fc.constant('expire' as const), key: fc.constantFrom(...KEYS) }),
  fc.record({ k: fc.constant('next' as const), n: fc.integer({ min: 1, max: 3 }) }),
);

test('a snapshot shows exactly the state at its clock while writes go on', () => {
  fc.assert(
    fc.property(fc.array(opArb, { maxLength: 12 }), fc.array(opArb, { maxLength: 40 }), (setup, during) => {
      const db = new Database({ instanceId: 1 });
      db.now = 1_700_000_000_000;
      const apply = (op: (typeof setup)[number]): void => {
        if (op.k === 'set') run(db, 'SET', op.key, op.v);
        else if (op.k === 'incr') run(db, 'INCR', op.key);
        else if (op.k === 'del') run(db, 'DEL', op.key);
        else if (op.k === 'expire') run(db, 'EXPIRE', op.key, '100');
      };
      for (const op of setup) apply(op);
      const expected = stateOf([...db.keyspace.records].map(([k, r]) => [k, KeyType.clone(r)] as [string, KeyRecord]));
      const snap = openSnapshot(db);
      const got = new Map<string, string>();
      const take = (n: number): void => {
        for (const [k, r] of snap.next(n)) {
          assert.ok(!got.has(k), `key ${k} handed out twice`);
          got.set(k, stateOf([[k, r]]).get(k)!);
        }
      };
      for (const op of during) {
        if (op.k === 'next') take(op.n);
        else apply(op);
      }
      while (!snap.done) take(4);
      assert.deepEqual(got, expected);
      assert.equal(openSnapshots(db), 0);
      assert.equal(db.changeHook, null, 'the hook goes away with the last snapshot');
    }),
    { numRuns: 300 },
  );
});

test('a full sync carries a consistent state and the receiver joins it at the end', () => {
  const src = new Database({ instanceId: 1 });
  src.now = 1_700_000_000_000;
  for (let i = 0; i < 500; i++) run(src, 'INCRBY', `k${i}`, String(i));
  run(src, 'SET', 'k1', 'text');
  run(src, 'DEL', 'k2');
  const snap = openSnapshot(src);
  const sender = new FullSyncSender(snap, src.keyspace.records.size, 64, 4096, 1, 64);
  const frames: Buffer[] = [];
  let f: Buffer | null;
  let step = 0;
  while ((f = sender.nextFrame()) !== null) {
    frames.push(f);
    // Writes between chunks change nothing in the snapshot.
    run(src, 'INCRBY', `k${step++ % 500}`, '1000');
  }
  assert.ok(frames.length > 5, 'several chunks');
  const begin = decodeFrame(frames[0]!);
  assert.ok(begin.t === 'fullsync-begin');
  const dst = new Database({ instanceId: 2 });
  dst.now = src.now;
  run(dst, 'SET', 'mine', 'kept');
  const rcv = new FullSyncReceiver(begin.clock, begin.hlc, begin.records);
  for (const fr of frames.slice(1, -1)) {
    const c = decodeFrame(fr);
    assert.ok(c.t === 'fullsync-chunk');
    rcv.stage(c.count, c.records);
  }
  // Nothing is joined before the end.
  assert.equal(dst.keyspace.get('k10'), undefined);
  const end = decodeFrame(frames[frames.length - 1]!);
  assert.ok(end.t === 'fullsync-end' && end.records === rcv.records);
  const joined = rcv.joinInto(dst);
  // 500 keys; k2 was deleted and, with no peers (everything stable), dropped at once.
  assert.equal(joined, 499);
  assert.equal(run(dst, 'GET', 'k10'), '$2\r\n10\r\n');
  assert.equal(run(dst, 'GET', 'k1'), '$4\r\ntext\r\n');
  assert.equal(run(dst, 'GET', 'k2'), '$-1\r\n');
  assert.equal(run(dst, 'GET', 'mine'), '$4\r\nkept\r\n');
  assert.ok(dst.clock.get(1) === begin.clock.get(1) && dst.clock.get(2) === 1);
  // The destination's dead records are joined too (k2's removal travels).
  assert.ok(dst.keyspace.get('k2') === undefined || !dataVisible(dst.keyspace.get('k2')!));
});
