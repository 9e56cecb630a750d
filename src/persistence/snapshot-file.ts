/**
 * Writing and reading snapshot files (format in log-format.ts). The writer walks a copy-on-write
 * snapshot of the live keyspace (engine/snapshot.ts) a slice at a time and awaits each file
 * write, so the event loop keeps serving clients; it measures its longest slice.
 */
import fs from 'node:fs';
import { join } from 'node:path';
import { BinaryReader, BinaryWriter } from '../crdt/binary.js';
import { KeyType } from '../crdt/key.js';
import type { Database } from '../engine/database.js';
import { openSnapshot } from '../engine/snapshot.js';
import type { SnapshotMeta } from './log-format.js';
import { FORMAT_VERSION, Rec, decodeData, decodeEnd, decodeHeader, decodeMeta, endRecord, headerRecord, metaRecord, snapshotName } from './log-format.js';
import { frameRecord, scanRecords } from './records.js';

export interface SnapshotWriteStats {
  readonly records: number;
  readonly bytes: number;
  readonly durationMs: number;
  /** The longest time one slice held the event loop (ms). */
  readonly maxPauseMs: number;
  readonly clockText: string;
}

/** Records (keys) encoded per slice, and the byte size that also ends a slice. */
const SLICE_RECORDS = 1024;
const SLICE_BYTES = 1 << 20;

/** fsyncs a directory so a created, renamed or removed entry is durable. */
export function fsyncDir(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Writes snapshot `gen` of `db` as it is now into `dir`: to a temporary file, fsynced, then
 * renamed into place. On failure the temporary file is removed and nothing else changes.
 */
export async function writeSnapshot(db: Database, dir: string, gen: number, savedAt: number): Promise<SnapshotWriteStats> {
  const started = performance.now();
  const snap = openSnapshot(db);
  const meta: SnapshotMeta = { clock: snap.clock, hlc: snap.hlc, savedAt };
  const final = join(dir, snapshotName(gen));
  const tmp = `${final}.tmp`;
  let fh: fs.promises.FileHandle | null = null;
  let records = 0;
  let bytes = 0;
  let maxPauseMs = 0;
  try {
    fh = await fs.promises.open(tmp, 'w');
    const head = Buffer.concat([headerRecord({ version: FORMAT_VERSION, kind: 'snapshot', instanceId: db.instanceId, gen }), metaRecord(meta)]);
    await fh.write(head);
    bytes += head.length;
    const body = new BinaryWriter(SLICE_BYTES + 64 * 1024);
    for (;;) {
      const t0 = performance.now();
      // Encode at once: the records handed out may be live, and the database changes between slices.
      body.reset();
      let n = 0;
      while (n < SLICE_RECORDS && body.length < SLICE_BYTES) {
        const recs = snap.next(64);
        if (recs.length === 0) break;
        for (const [key, rec] of recs) {
          body.str(key);
          KeyType.encode(rec, body);
        }
        n += recs.length;
      }
      let chunk: Buffer | null = null;
      if (n > 0) {
        const count = new BinaryWriter(8).uint(n).finish();
        chunk = frameRecord(Rec.Data, Buffer.concat([count, body.finish()]));
      }
      maxPauseMs = Math.max(maxPauseMs, performance.now() - t0);
      if (chunk === null) break;
      records += n;
      await fh.write(chunk);
      bytes += chunk.length;
    }
    const end = endRecord(records);
    await fh.write(end);
    bytes += end.length;
    await fh.datasync();
    await fh.close();
    fh = null;
    await fs.promises.rename(tmp, final);
    fsyncDir(dir);
    return { records, bytes, durationMs: performance.now() - started, maxPauseMs, clockText: meta.clock.toString() };
  } catch (e) {
    snap.close();
    await fh?.close().catch(() => undefined);
    await fs.promises.rm(tmp, { force: true }).catch(() => undefined);
    throw e;
  }
}

export class SnapshotError extends Error {}

export interface LoadedSnapshot {
  readonly meta: SnapshotMeta;
  readonly records: number;
}

/**
 * Checks snapshot file `path` completely (every checksum, header, END count) and then joins its
 * records into `db` and raises its clocks. Throws SnapshotError, leaving `db` untouched, when
 * the file is incomplete or damaged.
 */
export function loadSnapshot(path: string, db: Database, gen: number): LoadedSnapshot {
  const buf = fs.readFileSync(path);
  const scan = scanRecords(buf);
  if (scan.end.kind !== 'clean') throw new SnapshotError(`${scan.end.kind === 'torn' ? 'incomplete' : 'damaged'} at byte ${scan.end.offset} (${scan.end.reason})`);
  const recs = scan.records;
  if (recs.length < 3 || recs[0]!.type !== Rec.Header || recs[1]!.type !== Rec.Meta) throw new SnapshotError('no snapshot header');
  const h = decodeHeader(recs[0]!.payload);
  if (h.kind !== 'snapshot' || h.version !== FORMAT_VERSION || h.gen !== gen) throw new SnapshotError(`unexpected header (${h.kind} version ${h.version} generation ${h.gen})`);
  if (h.instanceId !== db.instanceId) throw new SnapshotError(`it belongs to instance ${h.instanceId}, not ${db.instanceId}`);
  const last = recs[recs.length - 1]!;
  if (last.type !== Rec.End) throw new SnapshotError('incomplete (no END record)');
  const expected = decodeEnd(last.payload);
  let counted = 0;
  for (let i = 2; i < recs.length - 1; i++) {
    if (recs[i]!.type !== Rec.Data) throw new SnapshotError(`unexpected record type ${recs[i]!.type}`);
    counted += new BinaryReader(recs[i]!.payload).uint();
  }
  if (counted !== expected) throw new SnapshotError(`holds ${counted} records, its END says ${expected}`);
  const meta = decodeMeta(recs[1]!.payload);
  for (let i = 2; i < recs.length - 1; i++) decodeData(recs[i]!.payload, (key, rec) => db.joinRecord(key, rec));
  db.raiseClock(meta.clock, meta.hlc);
  return { meta, records: expected };
}
