/**
 * The HyperLogLog family (hyperloglog.c): PFADD, PFCOUNT, PFMERGE. Replies, PFCOUNT numbers and
 * the bytes GET shows are Redis 7.0's, computed by crdt/hll.ts's ports of Redis's routines.
 *
 * In Redis an HLL is a string holding the "HYLL" encoding. Tandem keeps it as its own CRDT
 * (reference §2.8: concurrent adds union, DEL wins) but shows it as a string: TYPE says string,
 * OBJECT ENCODING raw, GET/STRLEN/GETRANGE return the encoding (type-support.ts). Other string
 * writes (APPEND, SETRANGE, INCR …) are refused with WRONGTYPE, as Active-Active allows only GET
 * and SET on HLL keys (§2.8 rule 3); SET replaces the HLL by a string.
 *
 * A string that holds valid HLL bytes (SET of what GET returned) is read as an HLL, as Redis
 * does, and PF commands that change it rewrite its bytes in place, keeping its TTL: it stays a
 * string register, so concurrent PF writes to it resolve as concurrent SETs do (the later wins).
 * Turning it into an HLL key instead would make each instance's write a replacement of the value
 * (crdt/hll.ts `set`, which wins over concurrent writes like a DEL): two concurrent ones would
 * remove each other and the key.
 */
import type { EffectMeta } from '../crdt/crdt.js';
import type { HllEffect, HllState } from '../crdt/hll.js';
import { HllError, HllType, decodeRedis, encodeRedis, pfadd, pfcount, pfcountUnion, pfmerge, replaceEffect } from '../crdt/hll.js';
import type { KeyOp, KeyRecord } from '../crdt/key.js';
import type { CommandSpec, ExecContext } from './command-table.js';
import { cmd, defineCommands } from './command-table.js';
import type { Database } from './database.js';
import { ENC_RAW, setEncodingClass } from './object-info.js';
import { Errors } from './reply.js';
import type { Reply } from './reply.js';
import { setStringOps, stringValue } from './string-access.js';
import { registerTypeSupport } from './type-support.js';

/** The cached-cardinality flag of the HYLL header (byte 15, bit 7): set when the cache is stale. */
const CACHE_STALE_BYTE = 15;

/** Meta for edits of a scratch state that is never stored nor replicated. */
const SCRATCH: EffectMeta = { origin: 1, seq: 1, ts: 0 };

// ---- reading keys as HLLs ----------------------------------------------------------------------

/** An HLL as read from a key: its state, and whether it came from a string (edits go back there). */
interface ReadHll {
  readonly s: HllState;
  readonly fromString: boolean;
}

/** A scratch HLL holding exactly `raw` (valid HLL bytes). */
function scratchOf(raw: string): HllState {
  const s = HllType.empty();
  HllType.apply(s, { t: 'set', dels: [], seen: [], raw }, SCRATCH);
  return s;
}

/**
 * isHLLObjectOrReply: the HLL of a visible record. A list or hash is WRONGTYPE; a string must
 * hold valid HLL bytes ("Key is not a valid HyperLogLog string value.", or INVALIDOBJ for a
 * broken sparse body). Replies the error and returns null.
 */
function readHll(r: KeyRecord, out: Reply): ReadHll | null {
  if (r.type === 'hll') return { s: r.d as HllState, fromString: false };
  if (r.type !== 'string') {
    out.error(Errors.wrongType);
    return null;
  }
  try {
    return { s: scratchOf(decodeRedis(stringValue(r))), fromString: true };
  } catch (e) {
    if (!(e instanceof HllError)) throw e;
    out.error(e.message);
    return null;
  }
}

/** The HLL state a write to `key` applies to, live or dead (its DEL context matters, §2.8). */
function storedHll(db: Database, key: string): HllState {
  const r = db.keyspace.get(key);
  if (r === undefined) return HllType.empty();
  if (r.type === 'hll' && r.d !== null) return r.d as HllState;
  return (r.env?.alt?.get('hll') as HllState | undefined) ?? HllType.empty();
}

function hllOp(e: HllEffect): KeyOp {
  return { k: 'data', type: 'hll', e };
}

/**
 * Stores the scratch HLL `s` (the edited bytes of the string `r`) back into the string, keeping
 * its TTL; the value is Redis's unshared string then: OBJECT ENCODING raw.
 */
function rewriteString(db: Database, key: string, r: KeyRecord, s: HllState): void {
  db.write(key, setStringOps(r, encodeRedis(s), true, null, (x) => db.removalOps(x)));
  setEncodingClass(db.keyspace.get(key)!, ENC_RAW);
}

/** Applies `e` (built on `h`) to the key it was read from. */
function writeHll(db: Database, key: string, r: KeyRecord | undefined, h: ReadHll | undefined, e: HllEffect): void {
  if (r !== undefined && h !== undefined && h.fromString) {
    HllType.apply(h.s, e, SCRATCH);
    rewriteString(db, key, r, h.s);
  } else {
    db.write(key, [hllOp(e)]);
  }
}

// ---- commands ------------------------------------------------------------------------------------

function pfaddCommand(ctx: ExecContext, argv: string[]): void {
  const { db, out } = ctx;
  const key = argv[1]!;
  const r = db.lookupWrite(key);
  const h = r === undefined ? undefined : readHll(r, out);
  if (h === null) return;
  // A scratch state observed only its own bytes; a stored one must carry what this instance saw.
  const observed = h?.fromString ? [] : db.clock;
  const w = pfadd(h?.s ?? storedHll(db, key), argv.slice(2), observed);
  // A new key always changes (PFADD k creates it); on an existing key that raises no register
  // nothing is written or replicated (Redis still unshares a string: OBJECT ENCODING raw).
  if (w.changed) writeHll(db, key, r, h, w.effect);
  else if (r !== undefined && h?.fromString) setEncodingClass(r, ENC_RAW);
  out.integer(w.changed ? 1 : 0);
}

function pfcountCommand(ctx: ExecContext, argv: string[]): void {
  const { db, out } = ctx;
  if (argv.length > 2) {
    const states: HllState[] = [];
    for (let i = 1; i < argv.length; i++) {
      const r = db.lookupRead(argv[i]!);
      if (r === undefined) continue;
      const h = readHll(r, out);
      if (h === null) return;
      states.push(h.s);
    }
    out.integer(pfcountUnion(states));
    return;
  }
  const key = argv[1]!;
  const r = db.lookupRead(key);
  if (r === undefined) {
    out.integer(0);
    return;
  }
  const h = readHll(r, out);
  if (h === null) return;
  if (h.fromString) {
    out.integer(pfcountOfString(db, key, r, h.s));
    return;
  }
  // The cardinality is cached in the header, in place; it is not replicated (each instance
  // computes the same number from the same registers).
  out.integer(pfcount(h.s));
}

/**
 * PFCOUNT of a string holding HLL bytes. Redis unshares the string (OBJECT ENCODING becomes raw)
 * and, when the cached cardinality is stale, stores the new one and propagates the change.
 */
function pfcountOfString(db: Database, key: string, r: KeyRecord, s: HllState): number {
  const stale = (encodeRedis(s).charCodeAt(CACHE_STALE_BYTE) & 0x80) !== 0;
  const card = pfcount(s);
  if (stale) rewriteString(db, key, r, s);
  else setEncodingClass(r, ENC_RAW);
  return card;
}

function pfmergeCommand(ctx: ExecContext, argv: string[]): void {
  const { db, out } = ctx;
  // Every key is read first, the destination included: it must be an HLL too.
  const sources: HllState[] = [];
  for (let i = 1; i < argv.length; i++) {
    const r = db.lookupRead(argv[i]!);
    if (r === undefined) continue;
    const h = readHll(r, out);
    if (h === null) return;
    sources.push(h.s);
  }
  const key = argv[1]!;
  const r = db.lookupWrite(key);
  const h = r === undefined ? undefined : readHll(r, out);
  if (h === null) return;
  const dest = h?.s ?? storedHll(db, key);
  // Always written, even when no register rises: Redis invalidates the cached cardinality.
  writeHll(db, key, r, h, pfmerge(dest, sources, h?.fromString ? [] : db.clock));
  out.simple('OK');
}

// ---- generic key support -----------------------------------------------------------------------

registerTypeSupport('hll', {
  copyOps: (r, target) => [hllOp(replaceEffect(HllType.empty(), encodeRedis(r.d as HllState), target.observed))],
  // createHLLObject makes a raw string, and every PF write keeps it raw.
  encoding: () => 'raw',
  typeName: 'string',
  stringValue: (r) => encodeRedis(r.d as HllState),
});

// ---- the table ---------------------------------------------------------------------------------

const doc = (summary: string, complexity: string) => ({ group: 'hyperloglog', summary, since: '2.8.9', complexity });

export const hllCommands: CommandSpec[] = [
  cmd('pfadd', -2, ['write', 'denyoom', 'fast'], [1, 1, 1], ['write', 'hyperloglog', 'fast'], doc('Adds the specified elements to the specified HyperLogLog.', 'O(1) to add every element.'), pfaddCommand),
  cmd('pfcount', -2, ['readonly'], [1, -1, 1], ['read', 'hyperloglog', 'slow'], doc('Return the approximated cardinality of the set(s) observed by the HyperLogLog at key(s).', 'O(1) with a very small average constant time when called with a single key. O(N) with N being the number of keys, and much bigger constant times, when called with multiple keys.'), pfcountCommand),
  cmd('pfmerge', -2, ['write', 'denyoom'], [1, -1, 1], ['write', 'hyperloglog', 'slow'], doc('Merge N different HyperLogLogs into a single one.', 'O(N) to merge N HyperLogLogs, but with high constant times.'), pfmergeCommand),
];

defineCommands(hllCommands);
