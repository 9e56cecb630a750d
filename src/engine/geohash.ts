/**
 * Redis's geohash (geohash.c, geohash_helper.c), reproduced operation for operation so that
 * scores, search areas and distances come out with the same bits: a position is a 52-bit
 * interleaving of 26 latitude bits (even positions) and 26 longitude bits (odd positions) over
 * the Web Mercator limits (latitude ±85.05112878), stored as the member's score.
 *
 * 64-bit hash arithmetic uses BigInt where values can exceed 2^53 (neighbour moves, alignment);
 * decoding, the hot path of a search, works on the double score directly.
 */

export const GEO_LAT_MIN = -85.05112878;
export const GEO_LAT_MAX = 85.05112878;
export const GEO_LONG_MIN = -180;
export const GEO_LONG_MAX = 180;
/** 26 × 2 = 52 bits: a score a double holds exactly. */
export const GEO_STEP_MAX = 26;

const D_R = Math.PI / 180.0;
/** Earth's quadratic mean radius for WGS-84, as Redis uses it. */
export const EARTH_RADIUS_IN_METERS = 6372797.560856;
const MERCATOR_MAX = 20037726.37;

export interface GeoHashBits {
  bits: bigint;
  step: number;
}

export interface GeoRange {
  readonly min: number;
  readonly max: number;
}

export interface GeoArea {
  readonly hash: GeoHashBits;
  readonly longitude: GeoRange;
  readonly latitude: GeoRange;
}

export const WGS84_LONG: GeoRange = { min: GEO_LONG_MIN, max: GEO_LONG_MAX };
export const WGS84_LAT: GeoRange = { min: GEO_LAT_MIN, max: GEO_LAT_MAX };

const U64 = (v: bigint): bigint => BigInt.asUintN(64, v);
const EVEN_BITS = 0x5555555555555555n;
const ODD_BITS = 0xaaaaaaaaaaaaaaaan;

export function degRad(ang: number): number {
  return ang * D_R;
}

function radDeg(ang: number): number {
  return ang / D_R;
}

/** The 16 low bits of x spread to the even positions of a 32-bit word. */
function spread16(x: number): number {
  x &= 0xffff;
  x = (x | (x << 8)) & 0x00ff00ff;
  x = (x | (x << 4)) & 0x0f0f0f0f;
  x = (x | (x << 2)) & 0x33333333;
  x = (x | (x << 1)) & 0x55555555;
  return x >>> 0;
}

/** The even bits of a 32-bit word gathered into 16 bits. */
function compact16(x: number): number {
  x &= 0x55555555;
  x = (x | (x >>> 1)) & 0x33333333;
  x = (x | (x >>> 2)) & 0x0f0f0f0f;
  x = (x | (x >>> 4)) & 0x00ff00ff;
  x = (x | (x >>> 8)) & 0x0000ffff;
  return x;
}

/** interleave64: x's bits at even positions, y's at odd ones (both uint32). */
function interleave64(x: number, y: number): bigint {
  const lo = (spread16(x) | (spread16(y) << 1)) >>> 0;
  const hi = (spread16(x >>> 16) | (spread16(y >>> 16) << 1)) >>> 0;
  return (BigInt(hi) << 32n) | BigInt(lo);
}

/** deinterleave64 of a uint64 given as two uint32 halves: [even bits, odd bits]. */
function deinterleave(lo: number, hi: number): [number, number] {
  const even = (compact16(lo) | (compact16(hi) << 16)) >>> 0;
  const odd = (compact16(lo >>> 1) | (compact16(hi >>> 1) << 16)) >>> 0;
  return [even, odd];
}

/**
 * `(uint64_t)d` as gcc compiles it on x86-64: values below 2^63 through a signed conversion
 * (negative ones wrap, out-of-range ones give 2^63), the rest offset by 2^63. A score that is not
 * a geohash still decodes to something, as in Redis.
 */
export function doubleToUint64(d: number): bigint {
  const INDEFINITE = 1n << 63n;
  const toInt64 = (v: number): bigint => (Number.isNaN(v) || v >= 2 ** 63 || v < -(2 ** 63) ? INDEFINITE : BigInt.asUintN(64, BigInt(Math.trunc(v))));
  if (d < 2 ** 63) return toInt64(d);
  return toInt64(d - 2 ** 63) ^ INDEFINITE;
}

/** geohashEncode; null where Redis returns 0 (out of range). */
export function encode(longRange: GeoRange, latRange: GeoRange, longitude: number, latitude: number, step: number): GeoHashBits | null {
  if (step > 32 || step === 0) return null;
  if (longitude > GEO_LONG_MAX || longitude < GEO_LONG_MIN || latitude > GEO_LAT_MAX || latitude < GEO_LAT_MIN) return null;
  if (latitude < latRange.min || latitude > latRange.max || longitude < longRange.min || longitude > longRange.max) return null;
  let latOffset = (latitude - latRange.min) / (latRange.max - latRange.min);
  let longOffset = (longitude - longRange.min) / (longRange.max - longRange.min);
  latOffset *= 2 ** step;
  longOffset *= 2 ** step;
  return { bits: interleave64(Math.trunc(latOffset) >>> 0, Math.trunc(longOffset) >>> 0), step };
}

export function encodeWGS84(longitude: number, latitude: number, step: number): GeoHashBits | null {
  return encode(WGS84_LONG, WGS84_LAT, longitude, latitude, step);
}

/** geohashAlign52Bits: the hash shifted to a 52-bit score. */
export function align52Bits(hash: GeoHashBits): bigint {
  return U64(hash.bits << BigInt(52 - hash.step * 2));
}

function isZero(hash: GeoHashBits): boolean {
  return hash.bits === 0n && hash.step === 0;
}

/** geohashDecode of the cell given by its two coordinate indexes. */
function areaOf(longRange: GeoRange, latRange: GeoRange, hash: GeoHashBits, ilato: number, ilono: number): GeoArea {
  const cells = 2 ** hash.step;
  const latScale = latRange.max - latRange.min;
  const longScale = longRange.max - longRange.min;
  // (ilato + 1) is uint32 arithmetic in C: it wraps.
  const latNext = (ilato + 1) >>> 0;
  const longNext = (ilono + 1) >>> 0;
  return {
    hash,
    latitude: { min: latRange.min + ((ilato * 1.0) / cells) * latScale, max: latRange.min + ((latNext * 1.0) / cells) * latScale },
    longitude: { min: longRange.min + ((ilono * 1.0) / cells) * longScale, max: longRange.min + ((longNext * 1.0) / cells) * longScale },
  };
}

export function decode(longRange: GeoRange, latRange: GeoRange, hash: GeoHashBits): GeoArea | null {
  if (isZero(hash)) return null;
  const [ilato, ilono] = deinterleave(Number(hash.bits & 0xffffffffn), Number((hash.bits >> 32n) & 0xffffffffn));
  return areaOf(longRange, latRange, hash, ilato, ilono);
}

/** geohashDecodeAreaToLongLat: the cell centre, clamped to the valid limits. */
function centre(area: GeoArea): [number, number] {
  let x = (area.longitude.min + area.longitude.max) / 2;
  if (x > GEO_LONG_MAX) x = GEO_LONG_MAX;
  if (x < GEO_LONG_MIN) x = GEO_LONG_MIN;
  let y = (area.latitude.min + area.latitude.max) / 2;
  if (y > GEO_LAT_MAX) y = GEO_LAT_MAX;
  if (y < GEO_LAT_MIN) y = GEO_LAT_MIN;
  return [x, y];
}

/** decodeGeohash(score): the longitude and latitude a member's score stands for. */
export function decodeScore(score: number): [number, number] {
  let lo: number;
  let hi: number;
  if (score >= 0 && score < 2 ** 53) {
    const t = Math.trunc(score);
    lo = t % 2 ** 32;
    hi = Math.floor(t / 2 ** 32);
  } else {
    const u = doubleToUint64(score);
    lo = Number(u & 0xffffffffn);
    hi = Number(u >> 32n);
  }
  const [ilato, ilono] = deinterleave(lo, hi);
  const hash = { bits: 0n, step: GEO_STEP_MAX };
  return centre(areaOf(WGS84_LONG, WGS84_LAT, hash, ilato, ilono));
}

function moveX(hash: GeoHashBits, d: number): GeoHashBits {
  if (d === 0) return hash;
  let x = hash.bits & ODD_BITS;
  const y = hash.bits & EVEN_BITS;
  const zz = EVEN_BITS >> BigInt(64 - hash.step * 2);
  x = d > 0 ? U64(x + (zz + 1n)) : U64((x | zz) - (zz + 1n));
  x &= ODD_BITS >> BigInt(64 - hash.step * 2);
  return { bits: x | y, step: hash.step };
}

function moveY(hash: GeoHashBits, d: number): GeoHashBits {
  if (d === 0) return hash;
  const x = hash.bits & ODD_BITS;
  let y = hash.bits & EVEN_BITS;
  const zz = ODD_BITS >> BigInt(64 - hash.step * 2);
  y = d > 0 ? U64(y + (zz + 1n)) : U64((y | zz) - (zz + 1n));
  y &= EVEN_BITS >> BigInt(64 - hash.step * 2);
  return { bits: x | y, step: hash.step };
}

export interface Neighbors {
  north: GeoHashBits;
  south: GeoHashBits;
  east: GeoHashBits;
  west: GeoHashBits;
  north_east: GeoHashBits;
  north_west: GeoHashBits;
  south_east: GeoHashBits;
  south_west: GeoHashBits;
}

function neighborsOf(hash: GeoHashBits): Neighbors {
  const at = (dx: number, dy: number) => moveY(moveX(hash, dx), dy);
  return {
    east: at(1, 0),
    west: at(-1, 0),
    south: at(0, -1),
    north: at(0, 1),
    north_west: at(-1, 1),
    north_east: at(1, 1),
    south_east: at(1, -1),
    south_west: at(-1, -1),
  };
}

/** geohashEstimateStepsByRadius. */
function estimateStepsByRadius(rangeMeters: number, lat: number): number {
  if (rangeMeters === 0) return 26;
  let step = 1;
  while (rangeMeters < MERCATOR_MAX) {
    rangeMeters *= 2;
    step++;
  }
  step -= 2;
  if (lat > 66 || lat < -66) {
    step--;
    if (lat > 80 || lat < -80) step--;
  }
  if (step < 1) step = 1;
  if (step > 26) step = 26;
  return step;
}

/** A search shape: a circle (radius) or an axis-aligned box (width × height), in `conversion` units. */
export type GeoShape =
  | { readonly type: 'circle'; readonly xy: readonly [number, number]; readonly conversion: number; readonly radius: number }
  | { readonly type: 'box'; readonly xy: readonly [number, number]; readonly conversion: number; readonly width: number; readonly height: number };

/** geohashBoundingBox: [minLon, minLat, maxLon, maxLat]. */
function boundingBox(shape: GeoShape): [number, number, number, number] {
  const [longitude, latitude] = shape.xy;
  const height = shape.conversion * (shape.type === 'circle' ? shape.radius : shape.height / 2);
  const width = shape.conversion * (shape.type === 'circle' ? shape.radius : shape.width / 2);
  const latDelta = radDeg(height / EARTH_RADIUS_IN_METERS);
  const longDeltaTop = radDeg(width / EARTH_RADIUS_IN_METERS / Math.cos(degRad(latitude + latDelta)));
  const longDeltaBottom = radDeg(width / EARTH_RADIUS_IN_METERS / Math.cos(degRad(latitude - latDelta)));
  const southern = latitude < 0;
  return [
    southern ? longitude - longDeltaBottom : longitude - longDeltaTop,
    latitude - latDelta,
    southern ? longitude + longDeltaBottom : longitude + longDeltaTop,
    latitude + latDelta,
  ];
}

export interface GeoHashRadius {
  readonly hash: GeoHashBits;
  readonly neighbors: Neighbors;
}

const ZERO_HASH: GeoHashBits = { bits: 0n, step: 0 };

/** geohashCalculateAreasByShapeWGS84: the centre cell and its 8 neighbours covering the shape. */
export function areasByShape(shape: GeoShape): GeoHashRadius {
  const [minLon, minLat, maxLon, maxLat] = boundingBox(shape);
  const [longitude, latitude] = shape.xy;
  let radiusMeters = shape.type === 'circle' ? shape.radius : Math.sqrt((shape.width / 2) * (shape.width / 2) + (shape.height / 2) * (shape.height / 2));
  radiusMeters *= shape.conversion;
  let steps = estimateStepsByRadius(radiusMeters, latitude);
  let hash = encode(WGS84_LONG, WGS84_LAT, longitude, latitude, steps) ?? { bits: 0n, step: steps };
  let neighbors = neighborsOf(hash);
  let area = decode(WGS84_LONG, WGS84_LAT, hash)!;
  const cell = (h: GeoHashBits) => decode(WGS84_LONG, WGS84_LAT, h)!;
  // The estimated step may leave part of the shape outside the 3×3 cells near their edges.
  const decrease =
    cell(neighbors.north).latitude.max < maxLat ||
    cell(neighbors.south).latitude.min > minLat ||
    cell(neighbors.east).longitude.max < maxLon ||
    cell(neighbors.west).longitude.min > minLon;
  if (steps > 1 && decrease) {
    steps--;
    hash = encode(WGS84_LONG, WGS84_LAT, longitude, latitude, steps) ?? { bits: 0n, step: steps };
    neighbors = neighborsOf(hash);
    area = decode(WGS84_LONG, WGS84_LAT, hash)!;
  }
  // Drop the neighbours the shape cannot reach.
  if (steps >= 2) {
    if (area.latitude.min < minLat) neighbors.south = neighbors.south_west = neighbors.south_east = ZERO_HASH;
    if (area.latitude.max > maxLat) neighbors.north = neighbors.north_east = neighbors.north_west = ZERO_HASH;
    if (area.longitude.min < minLon) neighbors.west = neighbors.south_west = neighbors.north_west = ZERO_HASH;
    if (area.longitude.max > maxLon) neighbors.east = neighbors.south_east = neighbors.north_east = ZERO_HASH;
  }
  return { hash, neighbors };
}

/** The score range [min, max) of the members inside a cell (scoresOfGeoHashBox). */
export function scoresOfBox(hash: GeoHashBits): [number, number] {
  const min = align52Bits(hash);
  const max = align52Bits({ bits: U64(hash.bits + 1n), step: hash.step });
  return [Number(min), Number(max)];
}

export { isZero as hashIsZero };

/** geohashGetLatDistance. */
function latDistance(lat1d: number, lat2d: number): number {
  return EARTH_RADIUS_IN_METERS * Math.abs(degRad(lat2d) - degRad(lat1d));
}

/** geohashGetDistance: haversine over Redis's earth radius. */
export function distance(lon1d: number, lat1d: number, lon2d: number, lat2d: number): number {
  const lon1r = degRad(lon1d);
  const lon2r = degRad(lon2d);
  const v = Math.sin((lon2r - lon1r) / 2);
  if (v === 0.0) return latDistance(lat1d, lat2d);
  const lat1r = degRad(lat1d);
  const lat2r = degRad(lat2d);
  const u = Math.sin((lat2r - lat1r) / 2);
  const a = u * u + Math.cos(lat1r) * Math.cos(lat2r) * v * v;
  return 2.0 * EARTH_RADIUS_IN_METERS * Math.asin(Math.sqrt(a));
}

/**
 * geoWithinShape for a point already decoded: its distance from the shape's centre in metres,
 * or null when it lies outside.
 */
export function distanceWithin(shape: GeoShape, x: number, y: number): number | null {
  const [cx, cy] = shape.xy;
  if (shape.type === 'circle') {
    const d = distance(cx, cy, x, y);
    return d > shape.radius * shape.conversion ? null : d;
  }
  // geohashGetDistanceIfInRectangle: the cheaper latitude test first.
  if (latDistance(y, cy) > (shape.height * shape.conversion) / 2) return null;
  if (distance(x, y, cx, y) > (shape.width * shape.conversion) / 2) return null;
  return distance(cx, cy, x, y);
}
