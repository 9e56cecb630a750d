// The maxmemory test leaves out what Redis leaves out (freeMemoryGetNotCountedMemory): the
// replication backlog and unwritten log data register themselves as not counted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TandemServer } from '../../src/server/server.js';
import { Config } from '../../src/server/config.js';
import { createLogger } from '../../src/server/log.js';

test('maxmemory: memory registered as not counted is left out of the limit', () => {
  const config = new Config();
  config.setInitial('maxmemory', String(100 * 1024 * 1024));
  const server = new TandemServer(config, createLogger({ level: 'silent' }));
  server.stats.usedMemory = 110 * 1024 * 1024;
  assert.equal(server.overMaxmemory(), true);
  let backlog = 20 * 1024 * 1024;
  server.notCountedMemory.push(() => backlog);
  assert.equal(server.overMaxmemory(), false, '110MB used, 20MB of it backlog: 90MB counted');
  backlog = 5 * 1024 * 1024;
  assert.equal(server.overMaxmemory(), true, 'the backlog shrank: 105MB counted');
  config.setMany([['maxmemory', '0']]);
  assert.equal(server.overMaxmemory(), false, 'no limit');
});
