// Recovery from the files of src/persistence, in process: replay, snapshots with compaction,
// and every kind of damage with its documented behaviour (docs/persistence.md, "Recovery").
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, test } from 'node:test';
import { logName, parseName, snapshotName } from '../../src/persistence/log-format.js';
import { RecoveryError } from '../../src/persistence/recovery.js';
import { readReservation } from '../../src/persistence/seq-reservation.js';
import type { Opened } from './helpers.js';
import { dump, openDir, tempDir, workload } from './helpers.js';

const dirs: string[] = [];
const open: Opened[] = [];
afterEach(() => {
  for (const o of open.splice(0)) o.p.abandon();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function dir(): string {
  const d = tempDir();
  dirs.push(d);
  return d;
}

function start(d: string, o: Parameters<typeof openDir>[1] = {}): Opened {
  const x = openDir(d, o);
  open.push(x);
  return x;
}

/** A crash: what was written stays in the files, nothing else happens (no clean close). */
function crash(x: Opened): void {
  x.p.flush();
  x.p.abandon();
}

function files(d: string): string[] {
  return fs.readdirSync(d).filter((n) => parseName(n) !== null).sort();
}

test('the log replays to the same state, clocks and sequence numbers included', () => {
  const d = dir();
  const a = start(d);
  workload(a.h, 500, 7);
  const state = dump(a.h.db);
  const clock = a.h.db.clock.toString();
  const seq = a.h.db.lastSeq;
  crash(a);
  const b = start(d);
  assert.deepEqual(dump(b.h.db), state);
  assert.equal(b.h.db.clock.toString(), clock);
  assert.equal(b.recovery.logRecords, seq);
  assert.equal(b.recovery.lostSomething, false);
  // The reservation covers every number handed out: above the last one the files hold.
  assert.ok(b.p.reservation.mark >= seq);
});

test('snapshots compact the log: recovery = newest snapshot + later segments; older files go', async () => {
  const d = dir();
  const a = start(d);
  workload(a.h, 300, 1);
  const r1 = a.p.startSnapshot('rewrite');
  assert.ok('done' in r1);
  // Writes while the snapshot is being written land in the new segment.
  workload(a.h, 50, 2);
  await r1.done;
  workload(a.h, 200, 3);
  const r2 = a.p.startSnapshot('save');
  assert.ok('done' in r2);
  await r2.done;
  workload(a.h, 100, 4);
  const r3 = a.p.startSnapshot('save');
  assert.ok('done' in r3);
  await r3.done;
  workload(a.h, 20, 5);
  const state = dump(a.h.db);
  crash(a);
  // One older generation stays to fall back on: snapshot 2 (with segments 2, 3) and snapshot 3.
  assert.deepEqual(files(d), [logName(2), logName(3), snapshotName(2), snapshotName(3)]);
  const b = start(d);
  assert.equal(b.recovery.base, 3);
  assert.equal(b.recovery.fromSnapshot, true);
  assert.deepEqual(dump(b.h.db), state);
});

test('BGSAVE while one runs is refused with the Redis error', async () => {
  const d = dir();
  const a = start(d);
  workload(a.h, 50);
  const r = a.p.startSnapshot('save');
  assert.deepEqual(a.p.startSnapshot('save'), { error: 'ERR Background save already in progress' });
  assert.deepEqual(a.p.startSnapshot('rewrite'), { error: 'ERR Background append only file rewriting already in progress' });
  assert.ok('done' in r);
  await r.done;
});

test('a torn last record is cut off with a warning; the start goes on', () => {
  const d = dir();
  const a = start(d);
  workload(a.h, 100, 9);
  a.p.flush();
  const full = fs.statSync(path.join(d, logName(0))).size;
  const before = dump(a.h.db);
  a.h.run('set', 'last', 'x');
  crash(a);
  const seg = path.join(d, logName(0));
  const size = fs.statSync(seg).size;
  assert.ok(size > full);
  fs.truncateSync(seg, size - 3);
  const b = start(d);
  assert.deepEqual(dump(b.h.db), before);
  assert.ok(b.warnings.some((w) => /torn record.*cut off/.test(w)), b.warnings.join('\n'));
  assert.equal(fs.statSync(seg).size, full, 'the torn record is removed from the file');
  assert.equal(b.recovery.lostSomething, true);
});

test('a flipped byte in the middle refuses the start; --repair cuts the log there', () => {
  const d = dir();
  const a = start(d);
  workload(a.h, 200, 11);
  crash(a);
  const seg = path.join(d, logName(0));
  const buf = fs.readFileSync(seg);
  const at = Math.floor(buf.length / 2);
  buf[at] = buf[at]! ^ 0x5a;
  fs.writeFileSync(seg, buf);
  assert.throws(() => start(d), (e: unknown) => e instanceof RecoveryError && /appendonly-0\.tlog .* is damaged: .*--repair/.test(e.message));
  assert.equal(fs.statSync(seg).size, buf.length, 'a refused start changes nothing');
  const b = start(d, { repair: true });
  assert.ok(b.warnings.some((w) => /--repair cuts the log there/.test(w)));
  assert.ok(b.recovery.logRecords > 0 && b.recovery.logRecords < 200);
  assert.ok(fs.statSync(seg).size <= at);
  crash(b);
  // The repaired files start cleanly without --repair.
  const c = start(d);
  assert.equal(c.recovery.lostSomething, false);
  assert.deepEqual(dump(c.h.db), dump(b.h.db));
});

test('a truncated newest snapshot falls back to the older one and its segments', async () => {
  const d = dir();
  const a = start(d);
  for (let i = 0; i < 2; i++) {
    workload(a.h, 150, 20 + i);
    const r = a.p.startSnapshot('save');
    assert.ok('done' in r);
    await r.done;
  }
  workload(a.h, 30, 30);
  const state = dump(a.h.db);
  crash(a);
  const snaps = files(d).filter((n) => n.startsWith('snapshot'));
  assert.deepEqual(snaps, [snapshotName(1), snapshotName(2)]);
  const newest = path.join(d, snapshotName(2));
  fs.truncateSync(newest, Math.floor(fs.statSync(newest).size / 2));
  const b = start(d);
  assert.equal(b.recovery.base, 1);
  assert.ok(b.warnings.some((w) => /snapshot-2\.tsnap is not usable \(incomplete/.test(w)), b.warnings.join('\n'));
  assert.deepEqual(dump(b.h.db), state);
});

test('with every snapshot damaged and the log compacted, the start is refused; --repair starts empty', async () => {
  const d = dir();
  const a = start(d);
  for (let i = 0; i < 3; i++) {
    workload(a.h, 50, 40 + i);
    const r = a.p.startSnapshot('save');
    assert.ok('done' in r);
    await r.done;
  }
  crash(a);
  for (const n of files(d).filter((x) => x.startsWith('snapshot'))) fs.truncateSync(path.join(d, n), 20);
  assert.throws(() => start(d), (e: unknown) => e instanceof RecoveryError && /no usable snapshot .* Start with --repair/.test(e.message));
  const b = start(d, { repair: true });
  assert.deepEqual(dump(b.h.db), []);
  assert.equal(b.recovery.lostSomething, true);
  assert.ok(fs.readdirSync(d).some((n) => n.includes('.damaged-')), 'damaged files are kept aside, not deleted');
});

test('missing files: a missing middle segment refuses; a missing reservation or last segment is recovered around', () => {
  const d = dir();
  let a = start(d);
  workload(a.h, 40, 50);
  crash(a);
  a = start(d);
  workload(a.h, 40, 51);
  crash(a);
  a = start(d);
  workload(a.h, 40, 52);
  crash(a);
  assert.deepEqual(files(d), [logName(0), logName(1), logName(2)]);
  // Missing seq-reservation: the state loads; numbering still continues after the files.
  fs.rmSync(path.join(d, 'seq-reservation'));
  let b = start(d);
  assert.equal(readReservation(d, 1), null);
  b.h.run('set', 'after', '1');
  assert.ok((readReservation(d, 1) ?? 0) >= b.h.db.lastSeq, 'a new reservation is durable before the number is used');
  crash(b);
  // A segment missing in the middle: effects after it cannot be applied.
  fs.rmSync(path.join(d, logName(1)));
  assert.throws(() => start(d), (e: unknown) => e instanceof RecoveryError && /segment appendonly-1\.tlog before it is missing/.test(e.message));
  b = start(d, { repair: true });
  assert.ok(b.recovery.lostSomething);
  crash(b);
  // Nothing at all: a fresh start.
  const e = dir();
  const c = start(e);
  assert.deepEqual(dump(c.h.db), []);
  assert.equal(c.recovery.fromSnapshot, false);
});

test('a directory of another instance is refused', () => {
  const d = dir();
  const a = start(d, { instanceId: 2 });
  workload(a.h, 10);
  crash(a);
  assert.throws(() => start(d, { instanceId: 3 }), /belongs to instance 2, not 3/);
});
