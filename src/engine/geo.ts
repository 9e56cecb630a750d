/**
 * The geo family (geo.c) on top of sorted sets: a member's score is its 52-bit geohash
 * (geohash.ts), so GEOADD is a ZADD and the conflict rules are the sorted set's (reference §2.5:
 * "Geo commands are built on sorted sets and follow the same rules"). Searches scan the score
 * ranges of the 3×3 geohash cells around the shape, in Redis's order, so that ties in distance
 * and COUNT … ANY pick the same members as Redis.
 */
import type { ZEntry, ZSetState } from '../crdt/zset.js';
import { zsetRangeByScore, zsetScore } from '../crdt/zset.js';
import type { CommandSpec, ExecContext } from './command-table.js';
import { cmd, defineCommands } from './command-table.js';
import { Errors } from './reply.js';
import type { Reply } from './reply.js';
import { dyadicFromDouble, formatLongDoubleHuman, parseDouble, parseInteger } from './numbers.js';
import type { GeoShape } from './geohash.js';
import {
  GEO_LAT_MAX,
  GEO_LAT_MIN,
  GEO_LONG_MAX,
  GEO_LONG_MIN,
  GEO_STEP_MAX,
  align52Bits,
  areasByShape,
  decodeScore,
  distance,
  distanceWithin,
  encode,
  encodeWGS84,
  hashIsZero,
  scoresOfBox,
} from './geohash.js';
import type { ScoredMember } from './zsets.js';
import { readZset, storeEntries, wholeConversion, zaddPairs } from './zsets.js';

// ---------------------------------------------------------------------------------------------
// Formatting

/** printf("%f"): the exact value rounded to 6 decimals, ties to even (glibc). */
function formatFixed6(d: number): string {
  if (Number.isNaN(d)) return d < 0 ? '-nan' : 'nan';
  if (!Number.isFinite(d)) return d < 0 ? '-inf' : 'inf';
  const x = dyadicFromDouble(d);
  const negative = x.m < 0n || Object.is(d, -0);
  const m = x.m < 0n ? -x.m : x.m;
  const scaledNum = m * 10n ** 6n;
  let q: bigint;
  if (x.e >= 0) q = scaledNum << BigInt(x.e);
  else {
    const den = 1n << BigInt(-x.e);
    q = scaledNum / den;
    const twice = (scaledNum - q * den) * 2n;
    if (twice > den || (twice === den && (q & 1n) === 1n)) q++;
  }
  const digits = q.toString().padStart(7, '0');
  return `${negative ? '-' : ''}${digits.slice(0, -6)}.${digits.slice(-6)}`;
}

/** llrint: round half to even. */
function roundHalfEven(v: number): number {
  const f = Math.floor(v);
  const diff = v - f;
  if (diff > 0.5) return f + 1;
  if (diff < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/** addReplyDoubleDistance: fixedpoint_d2string(d, 4), a bulk string in both protocols. */
export function formatDistance(d: number): string {
  if (d === 0) return '0.0000';
  const s = roundHalfEven(d * 10000);
  const negative = s < 0;
  const digits = BigInt(Math.abs(s)).toString().padStart(5, '0');
  return `${negative ? '-' : ''}${digits.slice(0, -4)}.${digits.slice(-4)}`;
}

/**
 * addReplyHumanLongDouble: `%.17Lf` without trailing zeros, a bulk string in RESP2 and a RESP3
 * double with these same digits (",13.36138933897018433", not %.17g's ",13.361389338970184").
 */
function replyCoordinate(out: Reply, v: number): void {
  out.double(v, formatLongDoubleHuman(dyadicFromDouble(v)));
}

function replyPosition(out: Reply, xy: readonly [number, number]): void {
  out.array(2);
  replyCoordinate(out, xy[0]);
  replyCoordinate(out, xy[1]);
}

// ---------------------------------------------------------------------------------------------
// Arguments

/** extractLongLatOrReply. */
function longLatArg(argv: string[], at: number, out: Reply): [number, number] | null {
  const xy: number[] = [];
  for (let i = 0; i < 2; i++) {
    const v = parseDouble(argv[at + i]!);
    if (v === null) {
      out.error(Errors.notFloat);
      return null;
    }
    xy.push(v);
  }
  const [x, y] = xy as [number, number];
  if (x < GEO_LONG_MIN || x > GEO_LONG_MAX || y < GEO_LAT_MIN || y > GEO_LAT_MAX) {
    out.error(`ERR invalid longitude,latitude pair ${formatFixed6(x)},${formatFixed6(y)}`);
    return null;
  }
  return [x, y];
}

/** extractUnitOrReply: metres per unit, or null after the error. */
function unitArg(s: string, out: Reply): number | null {
  switch (s.toLowerCase()) {
    case 'm':
      return 1;
    case 'km':
      return 1000;
    case 'ft':
      return 0.3048;
    case 'mi':
      return 1609.34;
    default:
      out.error('ERR unsupported unit provided. please use M, KM, FT, MI');
      return null;
  }
}

function nonNegativeArg(s: string, what: string, negative: string, out: Reply): number | null {
  const v = parseDouble(s);
  if (v === null) {
    out.error(`ERR need numeric ${what}`);
    return null;
  }
  if (v < 0) {
    out.error(negative);
    return null;
  }
  return v;
}

/** extractDistanceOrReply: `<radius> <unit>`. */
function radiusArgs(argv: string[], at: number, xy: readonly [number, number], out: Reply): GeoShape | null {
  const radius = nonNegativeArg(argv[at]!, 'radius', 'ERR radius cannot be negative', out);
  if (radius === null) return null;
  const conversion = unitArg(argv[at + 1]!, out);
  return conversion === null ? null : { type: 'circle', xy, conversion, radius };
}

/** extractBoxOrReply: `<width> <height> <unit>`. */
function boxArgs(argv: string[], at: number, xy: readonly [number, number], out: Reply): GeoShape | null {
  const w = parseDouble(argv[at]!);
  if (w === null) {
    out.error('ERR need numeric width');
    return null;
  }
  const h = parseDouble(argv[at + 1]!);
  if (h === null) {
    out.error('ERR need numeric height');
    return null;
  }
  if (h < 0 || w < 0) {
    out.error('ERR height or width cannot be negative');
    return null;
  }
  const conversion = unitArg(argv[at + 2]!, out);
  return conversion === null ? null : { type: 'box', xy, conversion, width: w, height: h };
}

/** The position a member's score encodes, or null when it is not in the set. */
function memberPosition(z: ZSetState, member: string): [number, number] | null {
  const s = zsetScore(z, member);
  return s === null ? null : decodeScore(s);
}

// ---------------------------------------------------------------------------------------------
// GEOADD, GEOPOS, GEODIST, GEOHASH

function geoaddCommand(ctx: ExecContext, argv: string[]): void {
  const { out } = ctx;
  let nx = false;
  let xx = false;
  let ch = false;
  let i = 2;
  for (; i < argv.length; i++) {
    const opt = argv[i]!.toLowerCase();
    if (opt === 'nx') nx = true;
    else if (opt === 'xx') xx = true;
    else if (opt === 'ch') ch = true;
    else break;
  }
  if ((argv.length - i) % 3 !== 0 || (xx && nx)) return out.error(Errors.syntax);
  const pairs: ScoredMember[] = [];
  for (; i < argv.length; i += 3) {
    const xy = longLatArg(argv, i, out);
    if (xy === null) return;
    // The score goes through its decimal text in Redis (sdsfromlonglong, then strtod).
    pairs.push({ score: Number(align52Bits(encodeWGS84(xy[0], xy[1], GEO_STEP_MAX)!)), member: argv[i + 2]! });
  }
  zaddPairs(ctx, argv[1]!, { nx, xx, gt: false, lt: false, ch, incr: false }, pairs);
}

function geoposCommand(ctx: ExecContext, argv: string[]): void {
  const { out } = ctx;
  const z = readZset(ctx.db, argv[1]!, out);
  if (z === null) return;
  out.array(argv.length - 2);
  for (let j = 2; j < argv.length; j++) {
    const xy = z === undefined ? null : memberPosition(z, argv[j]!);
    if (xy === null) out.nullArray();
    else replyPosition(out, xy);
  }
}

function geodistCommand(ctx: ExecContext, argv: string[]): void {
  const { out } = ctx;
  let toMeter = 1;
  if (argv.length === 5) {
    const u = unitArg(argv[4]!, out);
    if (u === null) return;
    toMeter = u;
  } else if (argv.length > 5) return out.error(Errors.syntax);
  const z = readZset(ctx.db, argv[1]!, out);
  if (z === null) return;
  const a = z === undefined ? null : memberPosition(z, argv[2]!);
  const b = z === undefined || a === null ? null : memberPosition(z, argv[3]!);
  if (a === null || b === null) return out.nullBulk();
  out.bulk(formatDistance(distance(a[0], a[1], b[0], b[1]) / toMeter));
}

const GEO_ALPHABET = '0123456789bcdefghjkmnpqrstuvwxyz';

/** The standard 11-character geohash (re-encoded over latitude ±90; the 11th character is 0). */
function standardGeohash(xy: readonly [number, number]): string {
  const hash = encode({ min: -180, max: 180 }, { min: -90, max: 90 }, xy[0], xy[1], 26)!;
  let s = '';
  for (let i = 0; i < 11; i++) {
    const idx = i === 10 ? 0 : Number((hash.bits >> BigInt(52 - (i + 1) * 5)) & 0x1fn);
    s += GEO_ALPHABET[idx];
  }
  return s;
}

function geohashCommand(ctx: ExecContext, argv: string[]): void {
  const { out } = ctx;
  const z = readZset(ctx.db, argv[1]!, out);
  if (z === null) return;
  out.array(argv.length - 2);
  for (let j = 2; j < argv.length; j++) {
    const xy = z === undefined ? null : memberPosition(z, argv[j]!);
    if (xy === null) out.nullBulk();
    else out.bulk(standardGeohash(xy));
  }
}

// ---------------------------------------------------------------------------------------------
// Searching (georadiusGeneric)

interface GeoPoint {
  readonly member: string;
  readonly score: number;
  readonly xy: readonly [number, number];
  /** Metres until the reply divides by the unit. */
  dist: number;
}

/** geoGetPointsInRange: members with min <= score < max that lie inside the shape. */
function pointsInRange(z: ZSetState, min: number, max: number, shape: GeoShape, found: GeoPoint[], limit: number): void {
  for (const e of zsetRangeByScore(z, { min, max, maxExclusive: true })) {
    const xy = decodeScore(e.score);
    const dist = distanceWithin(shape, xy[0], xy[1]);
    if (dist !== null) found.push({ member: e.member, score: e.score, xy, dist });
    if (found.length > 0 && limit > 0 && found.length >= limit) return;
  }
}

/** membersOfAllNeighbors: the centre cell then N, S, E, W, NE, NW, SE, SW, skipping repeats. */
function searchCells(z: ZSetState, shape: GeoShape, limit: number): GeoPoint[] {
  const { hash, neighbors: n } = areasByShape(shape);
  const cells = [hash, n.north, n.south, n.east, n.west, n.north_east, n.north_west, n.south_east, n.south_west];
  const found: GeoPoint[] = [];
  let last = -1;
  for (let i = 0; i < cells.length; i++) {
    const cell = cells[i]!;
    if (hashIsZero(cell)) continue;
    // Huge radiuses make neighbouring cells coincide; Redis skips a repeat of the last one.
    if (last > 0 && cell.bits === cells[last]!.bits && cell.step === cells[last]!.step) continue;
    if (found.length > 0 && limit > 0 && found.length >= limit) break;
    const [min, max] = scoresOfBox(cell);
    pointsInRange(z, min, max, shape, found, limit);
    last = i;
  }
  return found;
}

const byDistance = (a: GeoPoint, b: GeoPoint) => (a.dist > b.dist ? 1 : a.dist === b.dist ? 0 : -1);

/**
 * Redis's pqsort (Bentley–McIlroy quicksort that only recurses into parts overlapping the
 * wanted ranks [lrange, rrange]), ported step for step: with ties in distance, which of them
 * COUNT keeps depends on this exact algorithm.
 */
function pqsort<T>(a: T[], cmp: (x: T, y: T) => number, lrange: number, rrange: number): void {
  const swap = (i: number, j: number) => {
    const t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
  };
  const vecswap = (i: number, j: number, n: number) => {
    for (let k = 0; k < n; k++) swap(i + k, j + k);
  };
  const med3 = (i: number, j: number, k: number) => {
    const ij = cmp(a[i]!, a[j]!);
    if (ij < 0) return cmp(a[j]!, a[k]!) < 0 ? j : cmp(a[i]!, a[k]!) < 0 ? k : i;
    return cmp(a[j]!, a[k]!) > 0 ? j : cmp(a[i]!, a[k]!) < 0 ? i : k;
  };
  const wanted = (start: number, n: number) => !((lrange < start && rrange < start) || (lrange >= start + n && rrange >= start + n));
  const sort = (start: number, n: number): void => {
    for (;;) {
      if (n < 7) {
        for (let pm = start + 1; pm < start + n; pm++) for (let pl = pm; pl > start && cmp(a[pl - 1]!, a[pl]!) > 0; pl--) swap(pl, pl - 1);
        return;
      }
      let pm = start + Math.floor(n / 2);
      if (n > 7) {
        let pl = start;
        let pn = start + n - 1;
        if (n > 40) {
          const d = Math.floor(n / 8);
          pl = med3(pl, pl + d, pl + 2 * d);
          pm = med3(pm - d, pm, pm + d);
          pn = med3(pn - 2 * d, pn - d, pn);
        }
        pm = med3(pl, pm, pn);
      }
      swap(start, pm);
      let pa = start + 1;
      let pb = pa;
      let pc = start + n - 1;
      let pd = pc;
      for (;;) {
        let r: number;
        while (pb <= pc && (r = cmp(a[pb]!, a[start]!)) <= 0) {
          if (r === 0) swap(pa++, pb);
          pb++;
        }
        while (pb <= pc && (r = cmp(a[pc]!, a[start]!)) >= 0) {
          if (r === 0) swap(pc, pd--);
          pc--;
        }
        if (pb > pc) break;
        swap(pb++, pc--);
      }
      const pn = start + n;
      let r = Math.min(pa - start, pb - pa);
      vecswap(start, pb - r, r);
      r = Math.min(pd - pc, pn - pd - 1);
      vecswap(pb, pn - r, r);
      if ((r = pb - pa) > 1 && wanted(start, r)) sort(start, r);
      if ((r = pd - pc) > 1) {
        start = pn - r;
        n = r;
        if (wanted(start, n)) continue;
      }
      return;
    }
  };
  sort(0, a.length);
}

type Sort = 'none' | 'asc' | 'desc';

interface SearchOptions {
  withdist: boolean;
  withhash: boolean;
  withcoord: boolean;
  any: boolean;
  sort: Sort;
  count: number;
  store: string | null;
  storedist: boolean;
  /** GEOSEARCH only: which FROM… and BY… options were given. */
  frommember: boolean;
  fromloc: boolean;
  byradius: boolean;
  bybox: boolean;
  center: [number, number] | null;
  shape: GeoShape | null;
}

/** Which georadiusGeneric variant runs (its RADIUS_* / GEOSEARCH* flags). */
interface SearchKind {
  /** GEORADIUS: the centre is given as coordinates (else GEORADIUSBYMEMBER names a member). */
  readonly coords: boolean;
  /** The _RO variants: no STORE / STOREDIST. */
  readonly noStore: boolean;
  /** GEOSEARCH / GEOSEARCHSTORE: centre and shape come from FROM… / BY… options. */
  readonly search: boolean;
  readonly searchStore: boolean;
}

interface OptionContext {
  readonly argv: string[];
  readonly kind: SearchKind;
  readonly z: ZSetState | undefined;
  readonly out: Reply;
  readonly o: SearchOptions;
}

/** One GEOSEARCH FROM…/BY… option at argv[base + i]; returns the arguments it used, or null on error. */
function searchOption(c: OptionContext, i: number, remaining: number, base: number): number | null {
  const { argv, o, out } = c;
  const arg = argv[base + i]!.toLowerCase();
  if (arg === 'frommember' && i + 1 < remaining && !o.fromloc) {
    o.frommember = true;
    // No source key: parsing goes on, the reply comes after it.
    if (c.z === undefined) return 1;
    const xy = memberPosition(c.z, argv[base + i + 1]!);
    if (xy === null) {
      out.error('ERR could not decode requested zset member');
      return null;
    }
    o.center = xy;
    return 1;
  }
  if (arg === 'fromlonlat' && i + 2 < remaining && !o.frommember) {
    const xy = longLatArg(argv, base + i + 1, out);
    if (xy === null) return null;
    o.center = xy;
    o.fromloc = true;
    return 2;
  }
  if (arg === 'byradius' && i + 2 < remaining && !o.bybox) {
    const s = radiusArgs(argv, base + i + 1, [0, 0], out);
    if (s === null) return null;
    o.shape = s;
    o.byradius = true;
    return 2;
  }
  if (arg === 'bybox' && i + 3 < remaining && !o.byradius) {
    const s = boxArgs(argv, base + i + 1, [0, 0], out);
    if (s === null) return null;
    o.shape = s;
    o.bybox = true;
    return 3;
  }
  out.error(Errors.syntax);
  return null;
}

/** The optional arguments of georadiusGeneric; false after replying an error. */
function parseSearchOptions(c: OptionContext, base: number): boolean {
  const { argv, kind, o, out } = c;
  const remaining = argv.length - base;
  for (let i = 0; i < remaining; i++) {
    const arg = argv[base + i]!.toLowerCase();
    const canStore = !kind.noStore && !kind.search;
    if (arg === 'withdist') o.withdist = true;
    else if (arg === 'withhash') o.withhash = true;
    else if (arg === 'withcoord') o.withcoord = true;
    else if (arg === 'any') o.any = true;
    else if (arg === 'asc') o.sort = 'asc';
    else if (arg === 'desc') o.sort = 'desc';
    else if (arg === 'count' && i + 1 < remaining) {
      const n = parseInteger(argv[base + i + 1]!);
      if (n === null) {
        out.error(Errors.notInteger);
        return false;
      }
      if (n <= 0n) {
        out.error('ERR COUNT must be > 0');
        return false;
      }
      o.count = n > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(n);
      i++;
    } else if ((arg === 'store' || arg === 'storedist') && i + 1 < remaining && canStore) {
      o.store = argv[base + i + 1]!;
      o.storedist = arg === 'storedist';
      i++;
    } else if (arg === 'storedist' && kind.search && kind.searchStore) o.storedist = true;
    else if (kind.search && (arg === 'frommember' || arg === 'fromlonlat' || arg === 'byradius' || arg === 'bybox')) {
      const used = searchOption(c, i, remaining, base);
      if (used === null) return false;
      i += used;
    } else {
      out.error(Errors.syntax);
      return false;
    }
  }
  return true;
}

/** The checks georadiusGeneric makes after parsing, in its order; false after replying. */
function checkSearch(o: SearchOptions, kind: SearchKind, name: string, out: Reply): boolean {
  if (o.store !== null && (o.withdist || o.withhash || o.withcoord)) {
    out.error(`ERR ${kind.searchStore ? 'GEOSEARCHSTORE' : 'STORE option in GEORADIUS'} is not compatible with WITHDIST, WITHHASH and WITHCOORD options`);
    return false;
  }
  if (kind.search && !(o.frommember || o.fromloc)) {
    out.error(`ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for ${name}`);
    return false;
  }
  if (kind.search && !(o.byradius || o.bybox)) {
    out.error(`ERR exactly one of BYRADIUS and BYBOX can be specified for ${name}`);
    return false;
  }
  if (o.any && o.count === 0) {
    out.error('ERR the ANY argument requires COUNT argument');
    return false;
  }
  return true;
}

/** The fixed leading arguments of GEORADIUS / GEORADIUSBYMEMBER: centre and shape. */
function radiusPrefix(argv: string[], kind: SearchKind, z: ZSetState | undefined, o: SearchOptions, out: Reply): boolean {
  if (kind.coords) {
    const xy = longLatArg(argv, 2, out);
    if (xy === null) return false;
    o.center = xy;
  } else {
    // A missing key skips the member and the radius; only the options are still checked.
    if (z === undefined) return true;
    const xy = memberPosition(z, argv[2]!);
    if (xy === null) {
      out.error('ERR could not decode requested zset member');
      return false;
    }
    o.center = xy;
  }
  const at = kind.coords ? 4 : 3;
  const shape = radiusArgs(argv, at, [0, 0], out);
  if (shape === null) return false;
  o.shape = shape;
  return true;
}

function replyPoints(out: Reply, points: readonly GeoPoint[], o: SearchOptions, conversion: number): void {
  const extra = (o.withdist ? 1 : 0) + (o.withcoord ? 1 : 0) + (o.withhash ? 1 : 0);
  out.array(points.length);
  for (const p of points) {
    if (extra > 0) out.array(extra + 1);
    out.bulk(p.member);
    if (o.withdist) out.bulk(formatDistance(p.dist / conversion));
    if (o.withhash) out.integer(toInt64(p.score));
    if (o.withcoord) replyPosition(out, p.xy);
  }
}

/** `(long long)score` as x86-64 does it: out-of-range values give INT64_MIN. */
function toInt64(d: number): bigint {
  if (Number.isNaN(d) || d >= 2 ** 63 || d < -(2 ** 63)) return -(2n ** 63n);
  return BigInt(Math.trunc(d));
}

function storePoints(ctx: ExecContext, dst: string, points: readonly GeoPoint[], o: SearchOptions, conversion: number): void {
  const entries: ZEntry[] = points.map((p) => ({ member: p.member, score: o.storedist ? p.dist / conversion : p.score }));
  entries.sort((a, b) => (a.score < b.score ? -1 : a.score > b.score ? 1 : a.member < b.member ? -1 : a.member > b.member ? 1 : 0));
  ctx.out.integer(storeEntries(ctx.db, dst, entries, wholeConversion(entries)));
}

function georadiusGeneric(ctx: ExecContext, argv: string[], srcAt: number, kind: SearchKind): void {
  const { db, out } = ctx;
  const z = readZset(db, argv[srcAt]!, out);
  if (z === null) return;
  const o: SearchOptions = {
    withdist: false, withhash: false, withcoord: false, any: false, sort: 'none', count: 0,
    store: kind.searchStore ? argv[1]! : null, storedist: false,
    frommember: false, fromloc: false, byradius: false, bybox: false, center: null, shape: null,
  };
  let base = kind.searchStore ? 3 : 2;
  if (!kind.search) {
    if (!radiusPrefix(argv, kind, z, o, out)) return;
    base = kind.coords ? 6 : 5;
  }
  if (!parseSearchOptions({ argv, kind, z, out, o }, base)) return;
  if (!checkSearch(o, kind, argv[0]!, out)) return;
  if (z === undefined) {
    if (o.store === null) return out.array(0);
    const old = db.lookupWrite(o.store);
    if (old !== undefined) db.deleteKey(o.store, old);
    return out.integer(0);
  }
  const base0 = o.shape!;
  const shape: GeoShape = { ...base0, xy: o.center! };
  if (o.count !== 0 && o.sort === 'none' && !o.any) o.sort = 'asc';
  const points = searchCells(z, shape, o.any ? o.count : 0);
  if (points.length === 0 && o.store === null) return out.array(0);
  const returned = o.count === 0 || points.length < o.count ? points.length : o.count;
  if (o.sort !== 'none') {
    const cmp = o.sort === 'asc' ? byDistance : (a: GeoPoint, b: GeoPoint) => -byDistance(a, b);
    // glibc's qsort is a stable merge sort; a partial sort is Redis's own pqsort.
    if (returned === points.length) points.sort(cmp);
    else pqsort(points, cmp, 0, returned - 1);
  }
  const chosen = points.slice(0, returned);
  if (o.store === null) replyPoints(out, chosen, o, shape.conversion);
  else storePoints(ctx, o.store, chosen, o, shape.conversion);
}

/**
 * Key positions of GEORADIUS / GEORADIUSBYMEMBER as Redis 7.0's COMMAND GETKEYS finds them from
 * the key specs: the source, then the key after the first STORE and after the first STOREDIST
 * (each searched from the options on, never in the last argument). See the table note.
 */
export function georadiusKeys(argv: readonly string[], byMember: boolean): number[] {
  const keys = [1];
  for (const word of ['store', 'storedist']) {
    for (let i = byMember ? 5 : 6; i < argv.length - 1; i++) {
      if (argv[i]!.toLowerCase() === word) {
        keys.push(i + 1);
        break;
      }
    }
  }
  return keys;
}

const radius = (coords: boolean, noStore: boolean): SearchKind => ({ coords, noStore, search: false, searchStore: false });

// ---------------------------------------------------------------------------------------------
// The table. GEORADIUS and GEORADIUSBYMEMBER have movable keys (STORE); COMMAND INFO lists only
// the source, as Redis's legacy key specification does, and georadiusKeys finds the destination.

const doc = (summary: string, since: string, complexity: string) => ({ group: 'geo', summary, since, complexity });
const SEARCH_N = 'O(N+log(M)) where N is the number of elements in the grid-aligned bounding box area around the shape provided as the filter and M is the number of items inside the shape';
const RADIUS_N = 'O(N+log(M)) where N is the number of elements inside the bounding box of the circular area delimited by center and radius and M is the number of items inside the index.';

export const geoCommands: CommandSpec[] = [
  cmd('geoadd', -5, ['write', 'denyoom'], [1, 1, 1], ['write', 'geo', 'slow'], doc('Add one or more geospatial items in the geospatial index represented using a sorted set', '3.2.0', 'O(log(N)) for each item added, where N is the number of elements in the sorted set.'), geoaddCommand),
  cmd('geopos', -2, ['readonly'], [1, 1, 1], ['read', 'geo', 'slow'], doc('Returns longitude and latitude of members of a geospatial index', '3.2.0', 'O(N) where N is the number of members requested.'), geoposCommand),
  cmd('geodist', -4, ['readonly'], [1, 1, 1], ['read', 'geo', 'slow'], doc('Returns the distance between two members of a geospatial index', '3.2.0', 'O(log(N))'), geodistCommand),
  cmd('geohash', -2, ['readonly'], [1, 1, 1], ['read', 'geo', 'slow'], doc('Returns members of a geospatial index as standard geohash strings', '3.2.0', 'O(log(N)) for each member requested, where N is the number of elements in the sorted set.'), geohashCommand),
  cmd('geosearch', -7, ['readonly'], [1, 1, 1], ['read', 'geo', 'slow'], doc('Query a sorted set representing a geospatial index to fetch members inside an area of a box or a circle.', '6.2.0', SEARCH_N), (c, a) => georadiusGeneric(c, a, 1, { coords: false, noStore: false, search: true, searchStore: false })),
  cmd('geosearchstore', -8, ['write', 'denyoom'], [1, 2, 1], ['write', 'geo', 'slow'], doc('Query a sorted set representing a geospatial index to fetch members inside an area of a box or a circle, and store the result in another key.', '6.2.0', SEARCH_N), (c, a) => georadiusGeneric(c, a, 2, { coords: false, noStore: false, search: true, searchStore: true })),
  cmd('georadius', -6, ['write', 'denyoom', 'movablekeys'], [1, 1, 1], ['write', 'geo', 'slow'], doc('Query a sorted set representing a geospatial index to fetch members matching a given maximum distance from a point', '3.2.0', RADIUS_N), (c, a) => georadiusGeneric(c, a, 1, radius(true, false))),
  cmd('georadiusbymember', -5, ['write', 'denyoom', 'movablekeys'], [1, 1, 1], ['write', 'geo', 'slow'], doc('Query a sorted set representing a geospatial index to fetch members matching a given maximum distance from a member', '3.2.0', RADIUS_N), (c, a) => georadiusGeneric(c, a, 1, radius(false, false))),
  cmd('georadius_ro', -6, ['readonly'], [1, 1, 1], ['read', 'geo', 'slow'], doc('A read-only variant for GEORADIUS', '3.2.10', RADIUS_N), (c, a) => georadiusGeneric(c, a, 1, radius(true, true))),
  cmd('georadiusbymember_ro', -5, ['readonly'], [1, 1, 1], ['read', 'geo', 'slow'], doc('A read-only variant for GEORADIUSBYMEMBER', '3.2.10', RADIUS_N), (c, a) => georadiusGeneric(c, a, 1, radius(false, true))),
];

defineCommands(geoCommands);
