// The single-node config store: a JSON file replaced atomically (tmp + fsync + rename).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { FileConfigStore } from '../../src/cluster/config-store.js';
import { tempDir } from './cluster-harness.js';

test('FileConfigStore saves, replaces and loads; nothing saved reads as undefined', () => {
  const file = path.join(tempDir('store'), 'cluster.json');
  const store = new FileConfigStore<{ n: number; s: string }>(file);
  assert.equal(store.load(), undefined);
  store.save({ n: 1, s: 'a' });
  store.save({ n: 2, s: 'b' });
  assert.deepEqual(store.load(), { n: 2, s: 'b' });
  assert.equal(existsSync(`${file}.tmp`), false, 'no temporary file left');
  assert.equal(statSync(file).mode & 0o777, 0o600, 'readable by its owner only (it holds credentials)');
  // A crash while writing leaves a stray temporary file: the saved configuration is intact.
  writeFileSync(`${file}.tmp`, '{"n": 3, "s": "tru');
  assert.deepEqual(new FileConfigStore<{ n: number }>(file).load(), { n: 2, s: 'b' });
  store.save({ n: 4, s: 'd' });
  assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), { n: 4, s: 'd' });
});

test('FileConfigStore refuses a corrupt file with a clear error', () => {
  const file = path.join(tempDir('store'), 'cluster.json');
  writeFileSync(file, '{ not json');
  assert.throws(() => new FileConfigStore(file).load(), /cluster configuration .*cluster\.json is not valid JSON/);
});
