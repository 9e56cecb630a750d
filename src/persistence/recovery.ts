/**
 * Recovery on start (docs/persistence.md, "Recovery"): the newest complete snapshot, then every
 * log segment from its generation on, in order. A torn record at the end of the last segment is
 * what a crash leaves: it is cut off with a warning. Damage anywhere else refuses the start
 * (RecoveryError) unless `repair` is set: then the log is cut at the damage, later segments are
 * moved aside, and what was lost comes back from the peers.
 */
import fs from 'node:fs';
import { join } from 'node:path';
import type { Stability } from '../crdt/crdt.js';
import type { Database } from '../engine/database.js';
import type { LogEntry } from './log-format.js';
import { FORMAT_VERSION, Rec, decodeHeader, decodeLogEntry, logName, parseName, snapshotName } from './log-format.js';
import { scanRecords } from './records.js';
import { SnapshotError, loadSnapshot } from './snapshot-file.js';

export class RecoveryError extends Error {}

export interface RecoveryLog {
  info(msg: string): void;
  warn(msg: string): void;
}

export interface RecoveryResult {
  /** Generation of the snapshot loaded (0 with no snapshot: the empty state). */
  readonly base: number;
  /** Whether a snapshot file was loaded. */
  readonly fromSnapshot: boolean;
  /** Highest generation of any data file (the next segment is one more). */
  readonly maxGen: number;
  readonly snapshotRecords: number;
  readonly logRecords: number;
  /** Unix ms of the loaded snapshot, or 0. */
  readonly savedAt: number;
  /** Something was cut off or set aside (a torn tail, a repair, a damaged snapshot skipped). */
  readonly lostSomething: boolean;
  readonly durationMs: number;
  /** Bytes of the log segments replayed (auto-rewrite compares them with the snapshot). */
  readonly logBytes: number;
  readonly snapshotBytes: number;
}

function applyEntry(db: Database, x: LogEntry): void {
  switch (x.t) {
    case 'effect':
      db.applyRemote(x.e);
      return;
    case 'join':
      db.joinRecord(x.key, x.rec);
      return;
    case 'raise':
      db.raiseClock(x.clock, x.hlc);
      return;
    case 'advance':
      db.advanceClock(x.origin, x.seq);
  }
}

/** Moves a file aside (never deletes what might be evidence). */
function setAside(dir: string, name: string, log: RecoveryLog): void {
  const to = `${name}.damaged-${Date.now()}`;
  fs.renameSync(join(dir, name), join(dir, to));
  log.warn(`Moved ${name} aside as ${to}`);
}

/**
 * Loads the state persisted in `dir` into `db` (which must be empty, with no journal attached).
 * `mode` 'snapshot' loads only snapshots (log segments are ignored).
 */
export function recover(dir: string, db: Database, opts: { repair: boolean; useLog: boolean; log: RecoveryLog }): RecoveryResult {
  // Nothing is stable while replaying: without peers attached yet the database would drop every
  // tombstone at once, and a peer's state joined later would bring the removed data back. What
  // is collectable goes later, through garbage collection (or collectAll for a single instance).
  const stability = db.stability;
  db.stability = NEVER_STABLE;
  try {
    return recoverFiles(dir, db, opts);
  } finally {
    db.stability = stability;
  }
}

const NEVER_STABLE: Stability = { isStable: () => false };

/** Drops every dead record and removal marker at once: for an instance without peers. */
export function collectAll(db: Database): void {
  for (let cursor = db.collectGarbage(db.stability, 0, 10_000); cursor !== 0; ) cursor = db.collectGarbage(db.stability, cursor, 10_000);
}

function recoverFiles(dir: string, db: Database, opts: { repair: boolean; useLog: boolean; log: RecoveryLog }): RecoveryResult {
  const t0 = performance.now();
  const { log, repair } = opts;
  const snaps: number[] = [];
  const logs = new Set<number>();
  let maxGen = 0;
  for (const name of fs.readdirSync(dir)) {
    const p = parseName(name);
    if (p === null) continue;
    if (p.kind === 'snapshot') snaps.push(p.gen);
    else logs.add(p.gen);
    maxGen = Math.max(maxGen, p.gen);
  }
  snaps.sort((a, b) => b - a);
  let lost = false;
  let base = -1;
  let loaded: { savedAt: number; records: number; bytes: number } | null = null;
  for (const gen of snaps) {
    try {
      const r = loadSnapshot(join(dir, snapshotName(gen)), db, gen);
      base = gen;
      loaded = { savedAt: r.meta.savedAt, records: r.records, bytes: fs.statSync(join(dir, snapshotName(gen))).size };
      log.info(`Loaded snapshot ${snapshotName(gen)}: ${r.records} keys at clock ${r.meta.clock.toString() || '(empty)'}`);
      break;
    } catch (e) {
      if (!(e instanceof SnapshotError)) throw e;
      if (e.message.startsWith('it belongs to instance')) throw new RecoveryError(`${snapshotName(gen)} in ${dir}: ${e.message}`);
      log.warn(`Snapshot ${snapshotName(gen)} is not usable (${e.message}): trying an older one`);
      lost = true;
    }
  }
  if (base < 0) {
    if (!opts.useLog || logs.has(0) || logs.size === 0) base = 0;
    else {
      const first = Math.min(...logs);
      const why = snaps.length > 0 ? `no usable snapshot (${snaps.map(snapshotName).join(', ')} damaged)` : 'no snapshot';
      if (!repair) {
        throw new RecoveryError(
          `${why} and the effect log in ${dir} starts at ${logName(first)}, so the state before it is missing. ` +
            'Start with --repair to discard these files and recover the data from the peers.',
        );
      }
      log.warn(`${why} and the log starts at ${logName(first)}: --repair discards them, the data comes back from the peers`);
      for (const g of logs) setAside(dir, logName(g), log);
      for (const g of snaps) setAside(dir, snapshotName(g), log);
      logs.clear();
      lost = true;
      base = maxGen + 1;
    }
  }
  let logRecords = 0;
  let logBytes = 0;
  if (opts.useLog) {
    const gens = [...logs].filter((g) => g >= base).sort((a, b) => a - b);
    const last = gens.length === 0 ? -1 : gens[gens.length - 1]!;
    if (loaded !== null && gens[0] !== base) {
      log.warn(`Log segment ${logName(base)} that follows ${snapshotName(base)} is missing: writes after that snapshot are lost locally`);
      lost = true;
    }
    for (let i = 0; i < gens.length; i++) {
      const gen = gens[i]!;
      const name = logName(gen);
      const damaged = (what: string): void => {
        if (!repair) throw new RecoveryError(`${name} in ${dir} is damaged: ${what}. Start with --repair to cut the log there (the writes after it come back from the peers).`);
        log.warn(`${name} is damaged (${what}): --repair cuts the log there`);
        lost = true;
        for (const later of gens.slice(i + 1)) setAside(dir, logName(later), log);
        gens.length = i + 1;
      };
      if (i > 0 && gens[i - 1] !== gen - 1) {
        damaged(`segment ${logName(gen - 1)} before it is missing`);
        setAside(dir, name, log);
        break;
      }
      const path = join(dir, name);
      const buf = fs.readFileSync(path);
      const scan = scanRecords(buf);
      const recs = scan.records;
      let good = scan.goodEnd;
      let stopAt = recs.length;
      let problem: string | null = null;
      if (recs.length > 0) {
        const h = recs[0]!.type === Rec.Header ? decodeHeader(recs[0]!.payload) : null;
        if (h === null || h.kind !== 'log' || h.version !== FORMAT_VERSION || h.gen !== gen) problem = 'no valid segment header';
        else if (h.instanceId !== db.instanceId) throw new RecoveryError(`${name} in ${dir} belongs to instance ${h.instanceId}, not ${db.instanceId}`);
      }
      if (problem === null) {
        for (let k = 1; k < recs.length; k++) {
          try {
            applyEntry(db, decodeLogEntry(recs[k]!.type, recs[k]!.payload));
            logRecords++;
          } catch (e) {
            if (!(e instanceof Error)) throw e;
            problem = `record at byte ${recs[k]!.offset} cannot be applied (${(e as Error).message})`;
            stopAt = k;
            good = recs[k]!.offset;
            break;
          }
        }
      } else {
        stopAt = 0;
        good = 0;
      }
      if (problem === null && scan.end.kind === 'torn' && gen === last) {
        log.warn(`${name} ends with a torn record at byte ${scan.end.offset} (${scan.end.reason}), the trace of a crash during a write: cut off`);
        lost = true;
      } else if (problem === null && scan.end.kind !== 'clean') {
        problem = `${scan.end.kind === 'torn' ? 'torn' : 'bad'} record at byte ${scan.end.offset} (${scan.end.reason})${gen === last ? '' : ` with ${logName(last)} after it`}`;
      }
      if (problem !== null) damaged(problem);
      if (good < buf.length) {
        if (stopAt === 0) {
          setAside(dir, name, log);
          gens.length = i;
        } else fs.truncateSync(path, good);
      }
      logBytes += good;
      if (problem !== null) break;
    }
  }
  const durationMs = performance.now() - t0;
  return {
    base,
    fromSnapshot: loaded !== null,
    maxGen,
    snapshotRecords: loaded?.records ?? 0,
    logRecords,
    savedAt: loaded?.savedAt ?? 0,
    lostSomething: lost,
    durationMs,
    logBytes,
    snapshotBytes: loaded?.bytes ?? 0,
  };
}
