// A full or failing disk: writes are refused with Redis's MISCONF error, reads keep working,
// nothing already written is damaged, and writes resume by themselves when the disk recovers.
// First through the file-system seam (deterministic, partial writes included), then on a real
// 1 MB tmpfs (needs root to mount; skipped with the reason otherwise).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { Redis } from 'ioredis';
import type { Client } from '../../src/server/client.js';
import type { FileOps } from '../../src/persistence/file-ops.js';
import { realFileOps } from '../../src/persistence/file-ops.js';
import { logName } from '../../src/persistence/log-format.js';
import { startTandem } from '../helpers/server-process.js';
import type { ServerHandle } from '../helpers/server-process.js';
import { waitFor } from '../helpers/wait-for.js';
import { dump, openDir, tempDir, workload } from './helpers.js';

const cleanup: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const f of cleanup.reverse()) await f();
});

/** Real file operations, except that writes fail with ENOSPC while `full` (after writing part). */
function flakyOps(): FileOps & { full: boolean; fsyncFails: boolean } {
  const ops = {
    ...realFileOps,
    full: false,
    fsyncFails: false,
    writeSync(fd: number, buf: Buffer, offset: number, length: number, position: number): number {
      if (ops.full) {
        // A partial write first, as a filling disk does, then the error.
        if (length > 8) return realFileOps.writeSync(fd, buf, offset, Math.floor(length / 2), position);
        throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      }
      return realFileOps.writeSync(fd, buf, offset, length, position);
    },
    fdatasync(fd: number, cb: (err: NodeJS.ErrnoException | null) => void): void {
      if (ops.fsyncFails) setImmediate(() => cb(Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' })));
      else realFileOps.fdatasync(fd, cb);
    },
  };
  return ops;
}

test('seam: a failed append is cut back, refuses writes with MISCONF, and is retried until it works', async () => {
  const dir = tempDir();
  cleanup.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  const ops = flakyOps();
  const a = openDir(dir, { ops, retryMs: 10, appendfsync: 'always' });
  cleanup.push(() => a.p.abandon());
  workload(a.h, 100, 3);
  assert.equal(a.p.flush(), true);
  const seg = path.join(dir, logName(0));
  const goodSize = fs.statSync(seg).size;

  ops.full = true;
  const writer = {} as Client;
  const reader = {} as Client;
  a.h.run('set', 'during', 'full');
  a.p.noteWrite(writer, a.p.position());
  assert.equal(a.p.flush(), false);
  assert.equal(a.p.writeStatus, 'err');
  assert.equal(a.p.writeRefusal(), 'MISCONF Errors writing to the AOF file: No space left on device');
  assert.equal(fs.statSync(seg).size, goodSize, 'the partial record was removed: the file ends with a whole record');
  // The writer's reply waits for its record; a reader's does not (reads keep working).
  assert.ok(a.p.holdFor(writer) > 0);
  assert.equal(a.p.holdFor(reader), 0);
  assert.ok(a.warnings.some((w) => w === 'Error writing to the AOF file: No space left on device'));

  let released = 0;
  a.p.onDurable = (pos) => {
    released = pos;
  };
  ops.full = false;
  await waitFor(() => a.p.writeStatus === 'ok' && released >= a.p.position(), { timeout: 5000, message: 'the retry to succeed' });
  assert.equal(a.p.writeRefusal(), null);
  assert.equal(a.p.holdFor(writer), 0);
  assert.ok(a.warnings.includes('AOF write error looks solved, Redis can write again.'));
  // A failing fsync with appendfsync always is a write error too.
  ops.fsyncFails = true;
  a.h.run('set', 'fsync', 'fails');
  a.p.flush();
  await waitFor(() => a.p.writeStatus === 'err', { message: 'the fsync error' });
  ops.fsyncFails = false;
  await waitFor(() => a.p.writeStatus === 'ok', { message: 'the fsync retry' });
  const state = dump(a.h.db);
  a.p.abandon();
  const b = openDir(dir);
  cleanup.push(() => b.p.abandon());
  assert.equal(b.recovery.lostSomething, false);
  assert.deepEqual(dump(b.h.db), state);
});

function canMount(): string | false {
  if (process.getuid?.() !== 0) return 'needs root to mount a small tmpfs';
  const probe = tempDir('tandem-mnt-');
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe]);
  if (r.status !== 0) {
    fs.rmSync(probe, { recursive: true, force: true });
    return `cannot mount a tmpfs here (${r.stderr.toString().trim()})`;
  }
  spawnSync('umount', [probe]);
  fs.rmSync(probe, { recursive: true, force: true });
  return false;
}

test('a real full disk (1 MB tmpfs): MISCONF, reads work, writes resume when space returns, nothing lost', { skip: canMount() }, async () => {
  const mnt = tempDir('tandem-full-');
  assert.equal(spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mnt]).status, 0);
  cleanup.push(() => {
    spawnSync('umount', ['-l', mnt]);
    fs.rmSync(mnt, { recursive: true, force: true });
  });
  const dir = path.join(mnt, 'data');
  const filler = path.join(mnt, 'filler');
  fs.mkdirSync(dir);
  fs.writeFileSync(filler, Buffer.alloc(400 * 1024, 1));
  const args = ['--persistence', 'aof', '--appendfsync', 'always'];
  let h: ServerHandle = await startTandem({ dir, args });
  cleanup.push(() => h.stop());
  const mk = () => {
    const r = new Redis({ port: h.port, host: '127.0.0.1', maxRetriesPerRequest: 0, retryStrategy: () => null });
    r.on('error', () => undefined);
    cleanup.push(() => r.disconnect());
    return r;
  };
  const w = mk();
  const probe = mk();
  const big = 'x'.repeat(48 * 1024);
  const acked: string[] = [];
  const held: Promise<unknown>[] = [];
  const writeStatus = async () => ((await probe.info('persistence')) as string).match(/aof_last_write_status:(\w+)/)![1];
  for (let i = 0; i < 40 && (await writeStatus()) === 'ok'; i++) {
    const p = w.set(`big:${i}`, big).then(() => acked.push(`big:${i}`));
    held.push(p);
    await waitFor(async () => acked.includes(`big:${i}`) || (await writeStatus()) === 'err', { timeout: 5000, message: `SET big:${i} to settle` });
  }
  assert.equal(await writeStatus(), 'err', 'the disk never filled up');
  const whenFull = acked.length;
  await assert.rejects(probe.set('refused', '1'), (e: Error) => e.message === 'MISCONF Errors writing to the AOF file: No space left on device');
  assert.equal(await probe.get('big:0'), big, 'reads keep working');
  assert.ok(acked.length >= 3, `only ${acked.length} writes fitted`);

  fs.rmSync(filler);
  await waitFor(async () => (await probe.set('after', 'space').catch(() => null)) === 'OK', { timeout: 10_000, message: 'writes to resume by themselves' });
  // The writes that were waiting for the disk are acknowledged now.
  await Promise.all(held);
  assert.equal(acked.length, whenFull + 1, 'the write caught by the full disk was held, then acknowledged');
  const all = [...acked];
  h.kill('SIGKILL');
  await h.exited;
  h = await startTandem({ dir, args });
  const r = mk();
  for (const k of all) assert.equal((await r.strlen(k)) === big.length, true, `${k} lost`);
  assert.equal(await r.get('after'), 'space');
  assert.doesNotMatch(h.output(), /torn|damaged/);
});
