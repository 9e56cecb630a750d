// The command families the differential test draws from. A new family (hashes, sets, sorted
// sets, lists, HyperLogLog, bitmaps …) is a module exporting a CommandFamily, listed here with
// its weight; DIFF_FAMILIES=strings,keys restricts a run to some families.
import type { CommandFamily } from '../generator.js';
import { connectionFamily } from './connection.js';
import { hashesFamily } from './hashes.js';
import { keyspaceFamily } from './keyspace.js';
import { setsFamily } from './sets.js';
import { stringsFamily } from './strings.js';
import { zsetsFamily } from './zsets.js';
import { geoFamily } from './geo.js';
import { listsFamily } from './lists.js';
import { hllFamily } from './hll.js';
import { commandKeysFamily } from './command-keys.js';

const DATA_FAMILIES: readonly CommandFamily[] = [keyspaceFamily, stringsFamily, connectionFamily, hashesFamily, setsFamily, zsetsFamily, geoFamily, listsFamily, hllFamily];

export const ALL_FAMILIES: readonly CommandFamily[] = [...DATA_FAMILIES, commandKeysFamily(DATA_FAMILIES)];

/** The families named in a comma-separated list (all when the list is empty or undefined). */
export function selectFamilies(list: string | undefined): CommandFamily[] {
  if (!list) return [...ALL_FAMILIES];
  const names = list.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = names.filter((n) => !ALL_FAMILIES.some((f) => f.name === n));
  if (unknown.length) {
    throw new Error(`unknown command families ${unknown.join(', ')}; known: ${ALL_FAMILIES.map((f) => f.name).join(', ')}`);
  }
  return ALL_FAMILIES.filter((f) => names.includes(f.name));
}
