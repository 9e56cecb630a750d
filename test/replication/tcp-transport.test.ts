import assert from 'node:assert/strict';
import { test } from 'node:test';
import { VectorClock } from '../../src/crdt/vector-clock.js';
import { formatPeerSpec, parsePeerSpec } from '../../src/replication/peer-spec.js';
import { formatClock, parseClock, PROTOCOL_VERSION } from '../../src/replication/protocol.js';
import { continueLine, helloCommand, parseAnswer, refusalText } from '../../src/replication/tcp-transport.js';

test('the handshake command carries the Hello as RESP arguments', () => {
  const resume = VectorClock.from([
    [1, 5],
    [3, 2],
  ]);
  assert.deepEqual(helloCommand({ guid: 'g-1', destId: 2, protocol: PROTOCOL_VERSION, secret: 's e', resume, runId: 'r' }), [
    'TANDEM.REPLICATE',
    'g-1',
    '2',
    String(PROTOCOL_VERSION),
    's e',
    '1:5,3:2',
    'r',
  ]);
  assert.equal(formatClock(new VectorClock()), '-');
  assert.ok(parseClock('-')!.equals(new VectorClock()));
  assert.equal(parseClock('1:x'), null);
});

test('answer lines round-trip: Continue and Refusal', () => {
  const clock = VectorClock.from([[1, 9]]);
  const line = continueLine({ sourceId: 1, protocol: 1, mode: 'full', reason: 'backlog does not cover the gap', causal: true, destSeen: 4, clock, runId: 'abc' });
  assert.ok(line.endsWith('\r\n'));
  const a = parseAnswer(line.slice(0, -2));
  assert.ok(a.ok);
  assert.equal(a.c.mode, 'full');
  assert.equal(a.c.reason, 'backlog does not cover the gap');
  assert.ok(a.c.causal && a.c.destSeen === 4 && a.c.runId === 'abc' && a.c.clock.equals(clock));
  const r = parseAnswer('-' + refusalText({ code: 'guid', message: "wrong CRDB GUID 'x'" }));
  assert.ok(!r.ok && r.r.code === 'guid' && r.r.message === "wrong CRDB GUID 'x'");
  const other = parseAnswer("-ERR unknown command 'TANDEM.REPLICATE'");
  assert.ok(!other.ok && other.r.code === 'syntax' && /Tandem instance/.test(other.r.message));
});

test('peer specs', () => {
  assert.deepEqual(parsePeerSpec('2@127.0.0.1:7002'), { id: 2, host: '127.0.0.1', port: 7002 });
  assert.deepEqual(parsePeerSpec('3@[::1]:7003'), { id: 3, host: '::1', port: 7003 });
  assert.equal(formatPeerSpec({ id: 3, host: '::1', port: 7003 }), '3@[::1]:7003');
  assert.throws(() => parsePeerSpec('127.0.0.1:7002'), /<instance-id>@<host>:<port>/);
  assert.throws(() => parsePeerSpec('0@h:1'), /instance id/);
  assert.throws(() => parsePeerSpec('2@h:70000'), /port/);
});
