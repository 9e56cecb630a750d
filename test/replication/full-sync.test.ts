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
import { decodeFrame, FrameError } from '../../src/replication/frames.js';
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

test('an incremental join: lookups join first, effects and writes meanwhile count once, whole-keyspace reads finish it', () => {
  fc.assert(
    fc.property(fc.array(opArb, { maxLength: 30 }), fc.array(opArb, { maxLength: 30 }), fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 10 }), (before, during, steps) => {
      // The same history joined at once (reference) and incrementally with writes interleaved.
      const src = new Database({ instanceId: 1 });
      src.now = 1_700_000_000_000;
      const apply = (db: Database, op: (typeof before)[number]): void => {
        if (op.k === 'set') run(db, 'SET', op.key, op.v);
        else if (op.k === 'incr') run(db, 'INCR', op.key);
        else if (op.k === 'del') run(db, 'DEL', op.key);
        else if (op.k === 'expire') run(db, 'EXPIRE', op.key, '100');
        else run(db, 'GET', KEYS[op.n]!);
      };
      for (const op of before) apply(src, op);
      const records = (): Map<string, KeyRecord> => new Map([...src.keyspace.records].map(([k, r]) => [k, KeyType.clone(r)]));
      const make = (): Database => {
        const d = new Database({ instanceId: 2 });
        d.now = src.now;
        run(d, 'INCRBY', 'a', '5');
        run(d, 'SET', 'b', 'local');
        return d;
      };
      const ref = make();
      ref.beginJoin(records(), src.clock, src.hlc.peek());
      ref.finishJoin();
      const inc = make();
      inc.beginJoin(records(), src.clock, src.hlc.peek());
      assert.ok(inc.clock.dominates(src.clock), 'the clock moves at END');
      // Local writes at both, interleaved with join steps at the incremental one.
      let s = 0;
      for (const op of during) {
        apply(ref, op);
        apply(inc, op);
        if (s < steps.length) inc.joinStep(steps[s++]!);
      }
      for (const k of KEYS) assert.equal(run(inc, 'GET', k), run(ref, 'GET', k), `GET ${k}`);
      // DBSIZE walks the whole keyspace: the join is finished first.
      assert.equal(run(inc, 'DBSIZE'), run(ref, 'DBSIZE'));
      assert.equal(inc.joinPending, 0);
      assert.deepEqual(stateOf(inc.keyspace.records), stateOf(ref.keyspace.records));
    }),
    { numRuns: 300 },
  );
});

test('joinStep joins in bounded steps; a pending record joins before an effect on its key', () => {
  const src = new Database({ instanceId: 1 });
  src.now = 1_700_000_000_000;
  for (let i = 0; i < 100; i++) run(src, 'INCRBY', `k${i}`, '2');
  const snap = new Map([...src.keyspace.records].map(([k, r]) => [k, KeyType.clone(r)]));
  const clock = src.clock.clone();
  // An effect of instance 1 after the snapshot, on a key not joined yet.
  let effect: Parameters<Database['applyRemote']>[0] | null = null;
  src.sink = { effect: (e) => (effect = e), commit: () => undefined };
  run(src, 'INCRBY', 'k99', '10');
  const dst = new Database({ instanceId: 2 });
  dst.now = src.now;
  dst.beginJoin(snap, clock, src.hlc.peek());
  assert.equal(dst.joinStep(30), 70);
  assert.equal(dst.keyspace.size, 30, 'INFO counts what is joined, without finishing');
  assert.ok(dst.applyRemote(effect!));
  assert.equal(dst.joinPending, 69, 'the effect joined its key first');
  assert.equal(run(dst, 'GET', 'k99'), '$2\r\n12\r\n');
  assert.equal(dst.joinStep(1000), 0);
  assert.equal(dst.keyspace.pending, null);
  assert.equal(run(dst, 'DBSIZE'), ':100\r\n');
});

test('a malformed full-sync chunk is a FrameError when decoded, and nothing is joined', () => {
  const dst = new Database({ instanceId: 2 });
  const rcv = new FullSyncReceiver(new Database({ instanceId: 1 }).clock, 0, 1);
  // Two records announced, one truncated record present.
  rcv.stage(2, Buffer.from([3, 0x6b, 0x65, 0x79, 1]));
  assert.throws(() => rcv.decodeStep(500), FrameError);
  const trailing = new FullSyncReceiver(dst.clock.clone(), 0, 0);
  trailing.stage(0, Buffer.from([1, 2, 3]));
  assert.throws(() => trailing.joinInto(dst), /trailing bytes/);
  assert.equal(dst.keyspace.size, 0);
  assert.equal(dst.joinPending, 0);
});
