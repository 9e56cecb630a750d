// Geo commands, valid and invalid forms, on sorted-set keys shared with the zsets family (so geo
// commands also meet members whose scores are not geohashes). Every reply is deterministic and
// compared exactly: positions, distances and search results (ties in distance included, which
// COUNT resolves by Redis's own partial quicksort).
//
// One exception: STOREDIST stores raw distances, printed with all 17 digits. Tandem computes
// them with V8's Math.sin/cos/asin, Redis with glibc's; the two differ in the last bit for about
// one distance in eight (docs: src/engine/geohash.ts). `storedistProbe` compares the stored
// distances to 12 significant digits and then rewrites the key with those rounded values on each
// side, so later commands see identical states.
//
// Under DIFF_RESP=3, coordinates differ in their digits (see src/engine/geo.ts replyCoordinate).
import type { Reply } from '../../../../src/protocol/resp-client.js';
import type { Arg } from '../../../helpers/raw-client.js';
import { type GenContext, KEYSPACE } from '../context.js';
import { type CommandFamily, type CommandGen, command } from '../generator.js';
import type { Side, Step } from '../step.js';
import { zmember, zsetEncodingProbe, zsetKey } from './zsets.js';

/** One of three geo keys half the time, else a sorted-set key (or any key). */
function geoKey(ctx: GenContext): Buffer {
  return ctx.rng.chance(0.5) ? KEYSPACE[9 + ctx.rng.int(0, 2)]! : zsetKey(ctx);
}

/** A handful of places, so searches find several members and some share a position. */
const PLACES: readonly (readonly [string, string])[] = [
  ['13.361389', '38.115556'], ['15.087269', '37.502669'], ['2.3522', '48.8566'], ['-0.1276', '51.5072'],
  ['139.6917', '35.6895'], ['-74.006', '40.7128'], ['151.2093', '-33.8688'], ['0', '0'], ['180', '85.05112878'],
  ['-180', '-85.05112878'], ['179.9999', '0.0001'], ['-179.9999', '-0.0001'], ['13.4', '38.1'], ['15', '37'],
];
const BAD_LONLAT: readonly (readonly [string, string])[] = [['181', '0'], ['0', '86'], ['-180.0001', '1'], ['abc', '1'], ['1', ''], ['inf', '0'], ['1e300', '-1']];
const PLACE_MEMBERS = ['Palermo', 'Catania', 'Paris', 'London', 'Tokyo', 'NYC', 'Sydney', 'null', 'ne', 'sw', 'p1', 'p2'];

function lonLat(ctx: GenContext): Arg[] {
  const r = ctx.rng.float();
  if (r < 0.6) return [...ctx.rng.pick(PLACES)];
  if (r < 0.94) return [String(ctx.rng.int(-1800000, 1800000) / 10000), String(ctx.rng.int(-850000, 850000) / 10000)];
  return [...ctx.rng.pick(BAD_LONLAT)];
}

function place(ctx: GenContext): Arg {
  return ctx.rng.chance(0.8) ? ctx.rng.pick(PLACE_MEMBERS) : zmember(ctx);
}

const UNITS = ['m', 'km', 'mi', 'ft', 'M', 'KM', 'Km'];

function unit(ctx: GenContext): string {
  return ctx.rng.chance(0.96) ? ctx.rng.pick(UNITS) : ctx.rng.pick(['mm', '', 'miles']);
}

function distance(ctx: GenContext): string {
  const r = ctx.rng.float();
  if (r < 0.8) return ctx.rng.pick(['0', '1', '10', '100', '200', '500', '1000', '5000', '20000', '300000', '6000000', '0.5']);
  if (r < 0.95) return String(ctx.rng.int(0, 3000000) / 10);
  return ctx.rng.pick(['-1', 'abc', '', 'inf', '1e400']);
}

function geoaddGen(ctx: GenContext): Step {
  const opts = ctx.rng.pick([[], [], [], ['NX'], ['XX'], ['CH'], ['CH', 'XX'], ['nx', 'ch'], ['NX', 'XX'], ['GT']]).map((o) => ctx.name(o));
  const items: Arg[] = [];
  for (let n = ctx.rng.int(1, 3); n > 0; n--) items.push(...lonLat(ctx), place(ctx));
  if (ctx.rng.chance(0.04)) items.pop();
  return { args: command(ctx, ['GEOADD'], geoKey(ctx), ...opts, ...items) };
}

/** WITHDIST / WITHHASH / WITHCOORD, ASC / DESC, COUNT [ANY]; STORE forms where allowed. */
function searchOptions(ctx: GenContext, store: 'radius' | 'searchstore' | 'none'): Arg[][] {
  const groups: Arg[][] = [];
  const withAllowed = store === 'none' || ctx.rng.chance(0.05);
  if (withAllowed) for (const w of ['WITHDIST', 'WITHHASH', 'WITHCOORD']) if (ctx.rng.chance(0.35)) groups.push([ctx.name(w)]);
  if (ctx.rng.chance(0.5)) groups.push([ctx.name(ctx.rng.pick(['ASC', 'DESC']))]);
  if (ctx.rng.chance(0.4)) {
    const count = ctx.rng.chance(0.9) ? ctx.rng.pick(['1', '2', '3', '5', '100']) : ctx.rng.pick(['0', '-1', 'abc']);
    groups.push(ctx.rng.chance(0.3) ? [ctx.name('COUNT'), count, ctx.name('ANY')] : [ctx.name('COUNT'), count]);
  } else if (ctx.rng.chance(0.03)) groups.push([ctx.name('ANY')]);
  if (store === 'radius' && ctx.rng.chance(0.3)) groups.push([ctx.name(ctx.rng.pick(['STORE', 'STOREDIST'])), geoKey(ctx)]);
  if (store === 'searchstore' && ctx.rng.chance(0.4)) groups.push([ctx.name('STOREDIST')]);
  if (ctx.rng.chance(0.04)) groups.push([ctx.rng.pick(['FOO', 'COUNT', 'STORE', 'WITHDIST'])]);
  return groups;
}

function shuffled(ctx: GenContext, groups: Arg[][]): Arg[] {
  for (let i = groups.length - 1; i > 0; i--) {
    const j = ctx.rng.int(0, i);
    [groups[i], groups[j]] = [groups[j]!, groups[i]!];
  }
  return groups.flat();
}

/** The leaves of nested arrays (RESP3 nests member/score pairs). */
function leaves(r: Reply): Reply[] {
  return r.t === 'array' ? r.v.flatMap(leaves) : [r];
}

const replyText = (r: Reply): string => (r.t === 'bulk' ? r.v.toString('latin1') : r.t === 'double' ? r.v : '');

/** A STOREDIST command made comparable (see the file comment). */
function storedistProbe(args: readonly Arg[], dst: Arg): (side: Side) => Promise<Reply> {
  return async (side) => {
    const r = await side.call(args);
    if (r.t !== 'integer' || r.v === 0n) return r;
    const items = leaves(await side.call(['ZRANGE', dst, '0', '-1', 'WITHSCORES']));
    const rounded: Buffer[] = [];
    for (let i = 0; i + 1 < items.length; i += 2) {
      const member = items[i]!.t === 'bulk' ? (items[i] as { v: Buffer }).v : Buffer.from(replyText(items[i]!));
      rounded.push(Buffer.from(Number(replyText(items[i + 1]!)).toPrecision(12)), member);
    }
    await side.call(['DEL', dst]);
    await side.call(['ZADD', dst, ...rounded]);
    return { t: 'array', v: [r, ...rounded.map((v): Reply => ({ t: 'bulk', v }))] };
  };
}

/** The key a STOREDIST option names, if the arguments have one that takes effect. */
function storedistKey(args: readonly Arg[], searchStore: boolean): Arg | null {
  const words = args.map((a) => a.toString().toUpperCase());
  if (searchStore) return words.includes('STOREDIST') ? args[1]! : null;
  const at = words.lastIndexOf('STOREDIST');
  // A later STORE overrides the kind: the last of the two decides.
  return at > 0 && at + 1 < args.length && at > words.lastIndexOf('STORE') ? args[at + 1]! : null;
}

function withStoredist(args: Arg[], searchStore: boolean): Step {
  const dst = storedistKey(args, searchStore);
  return dst === null ? { args } : { args, exec: storedistProbe(args, dst) };
}

function georadiusGen(name: string, byMember: boolean, store: boolean): CommandGen {
  return {
    name: [name],
    arity: byMember ? -5 : -6,
    weight: 2,
    gen: (ctx) => {
      const center = byMember ? [place(ctx)] : lonLat(ctx);
      const opts = shuffled(ctx, searchOptions(ctx, store ? 'radius' : 'none'));
      return withStoredist(command(ctx, [name], geoKey(ctx), ...center, distance(ctx), unit(ctx), ...opts), false);
    },
  };
}

/** FROMMEMBER / FROMLONLAT and BYRADIUS / BYBOX (usually exactly one of each). */
function searchShape(ctx: GenContext): Arg[][] {
  const groups: Arg[][] = [];
  const from = ctx.rng.int(0, 19);
  if (from < 9 || from === 18) groups.push([ctx.name('FROMMEMBER'), place(ctx)]);
  if ((from >= 9 && from < 18) || from === 18) groups.push([ctx.name('FROMLONLAT'), ...lonLat(ctx)]);
  const by = ctx.rng.int(0, 19);
  if (by < 9 || by === 18) groups.push([ctx.name('BYRADIUS'), distance(ctx), unit(ctx)]);
  if ((by >= 9 && by < 18) || by === 18) groups.push([ctx.name('BYBOX'), distance(ctx), distance(ctx), unit(ctx)]);
  return groups;
}

function geosearchGen(store: boolean): CommandGen {
  const name = store ? 'GEOSEARCHSTORE' : 'GEOSEARCH';
  return {
    name: [name],
    arity: store ? -8 : -7,
    weight: 3,
    gen: (ctx) => {
      const dst: Arg[] = store ? [geoKey(ctx)] : [];
      const opts = shuffled(ctx, [...searchShape(ctx), ...searchOptions(ctx, store ? 'searchstore' : 'none')]);
      const args = command(ctx, [name], ...dst, geoKey(ctx), ...opts);
      return store ? withStoredist(args, true) : { args };
    },
  };
}

const places = (ctx: GenContext): Arg[] => Array.from({ length: ctx.rng.int(1, 3) }, () => place(ctx));

const commands: CommandGen[] = [
  { name: ['GEOADD'], arity: -5, weight: 8, gen: geoaddGen },
  { name: ['GEOPOS'], arity: -2, weight: 3, gen: (ctx) => ({ args: command(ctx, ['GEOPOS'], geoKey(ctx), ...places(ctx)) }) },
  {
    name: ['GEODIST'],
    arity: -4,
    weight: 3,
    gen: (ctx) => {
      const extra: Arg[] = ctx.rng.chance(0.6) ? [unit(ctx)] : [];
      if (ctx.rng.chance(0.03)) extra.push('km');
      return { args: command(ctx, ['GEODIST'], geoKey(ctx), place(ctx), place(ctx), ...extra) };
    },
  },
  { name: ['GEOHASH'], arity: -2, weight: 2, gen: (ctx) => ({ args: command(ctx, ['GEOHASH'], geoKey(ctx), ...places(ctx)) }) },
  georadiusGen('GEORADIUS', false, true),
  georadiusGen('GEORADIUSBYMEMBER', true, true),
  georadiusGen('GEORADIUS_RO', false, false),
  georadiusGen('GEORADIUSBYMEMBER_RO', true, false),
  geosearchGen(false),
  geosearchGen(true),
  { name: ['ZREM'], arity: -3, weight: 1, gen: (ctx) => ({ args: command(ctx, ['ZREM'], geoKey(ctx), place(ctx)) }) },
];

export const geoFamily: CommandFamily = {
  name: 'geo',
  weight: 20,
  commands,
  dump: (key) => [{ args: ['ZRANGE', key, '0', '-1', 'WITHSCORES'] }, zsetEncodingProbe(key)],
};
