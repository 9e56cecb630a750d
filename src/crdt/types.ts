/**
 * Registers every collection type with the key envelope. Importing this module (the engine's
 * Database does) guarantees that records of any type can be applied, joined and decoded.
 */
import { registerType } from './key.js';
import { HashType } from './hash.js';
import { SetType } from './orset.js';
import { ZSetType } from './zset.js';
import { ListType } from './sequence.js';
import { HllType } from './hll.js';

registerType('hash', HashType);
registerType('set', SetType);
registerType('zset', ZSetType);
registerType('list', ListType);
registerType('hll', HllType);
