/**
 * The list family (src/engine/lists.ts) on an in-process database: every command, option and
 * error as redis-server 7.0.15 answers it (the expected replies were taken from it), then the
 * Active-Active behaviour of two instances exchanging effects: the reference's TV-LIST-01..04
 * and the open points of §2.6 (LSET, LTRIM, LREM, LMOVE under concurrency).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Harness, err, ok, Pair } from './harness.js';
import type { Value } from './harness.js';
import '../../src/engine/lists.js';

const WRONGTYPE = err('WRONGTYPE Operation against a key holding the wrong kind of value');
const NOT_INT = err('ERR value is not an integer or out of range');
const SYNTAX = err('ERR syntax error');

function list(h: Harness, key: string): Value {
  return h.run('LRANGE', key, '0', '-1');
}

test('LPUSH, RPUSH, LPUSHX, RPUSHX: order, lengths, WRONGTYPE', () => {
  const h = new Harness();
  assert.equal(h.run('LPUSH', 'l', 'a', 'b', 'c'), 3);
  assert.equal(h.run('RPUSH', 'l', 'x', 'y'), 5);
  assert.deepEqual(list(h, 'l'), ['c', 'b', 'a', 'x', 'y']);
  assert.equal(h.run('LPUSHX', 'l', '1', '2'), 7);
  assert.equal(h.run('RPUSHX', 'l', 'z'), 8);
  assert.deepEqual(list(h, 'l'), ['2', '1', 'c', 'b', 'a', 'x', 'y', 'z']);
  assert.equal(h.run('LPUSHX', 'none', 'a'), 0);
  assert.equal(h.run('RPUSHX', 'none', 'a'), 0);
  assert.equal(h.run('EXISTS', 'none'), 0);
  h.run('SET', 's', 'v');
  assert.deepEqual(h.run('LPUSH', 's', 'a'), WRONGTYPE);
  assert.deepEqual(h.run('RPUSHX', 's', 'a'), WRONGTYPE);
  assert.deepEqual(h.run('LPUSH', 'l'), err("ERR wrong number of arguments for 'lpush' command"));
  // Binary-safe elements.
  assert.equal(h.run('RPUSH', 'b', '\x00\xff', '', 'a b'), 3);
  assert.deepEqual(list(h, 'b'), ['\x00\xff', '', 'a b']);
  assert.deepEqual(h.run('TYPE', 'b'), { simple: 'list' });
  assert.equal(h.run('OBJECT', 'ENCODING', 'b'), 'quicklist');
});

test('LPOP, RPOP with and without a count; the emptied key is gone', () => {
  const h = new Harness();
  h.run('RPUSH', 'l', 'a', 'b', 'c', 'd', 'e');
  assert.equal(h.run('LPOP', 'l'), 'a');
  assert.equal(h.run('RPOP', 'l'), 'e');
  assert.deepEqual(h.run('LPOP', 'l', '0'), []);
  assert.deepEqual(h.run('RPOP', 'l', '2'), ['d', 'c']);
  assert.deepEqual(h.run('LPOP', 'l', '9223372036854775807'), ['b']);
  assert.equal(h.run('EXISTS', 'l'), 0);
  assert.equal(h.run('LPOP', 'l'), null);
  assert.equal(h.run('LPOP', 'l', '0'), null);
  const positive = err('ERR value is out of range, must be positive');
  assert.deepEqual(h.run('LPOP', 'l', '-1'), positive);
  assert.deepEqual(h.run('RPOP', 'l', 'abc'), positive);
  assert.deepEqual(h.run('RPOP', 'l', '9223372036854775808'), positive);
  assert.deepEqual(h.run('LPOP', 'l', '1', '2'), err("ERR wrong number of arguments for 'lpop' command"));
  h.run('SET', 's', 'v');
  assert.deepEqual(h.run('RPOP', 's'), WRONGTYPE);
  assert.deepEqual(h.run('LPOP', 's', '0'), WRONGTYPE);
});

test('LLEN, LRANGE, LINDEX with Redis index rules and argument order', () => {
  const h = new Harness();
  h.run('RPUSH', 'l', '0', '1', '2', '3', '4', '5');
  assert.equal(h.run('LLEN', 'l'), 6);
  assert.equal(h.run('LLEN', 'none'), 0);
  assert.deepEqual(h.run('LRANGE', 'l', '1', '3'), ['1', '2', '3']);
  assert.deepEqual(h.run('LRANGE', 'l', '-2', '-1'), ['4', '5']);
  assert.deepEqual(h.run('LRANGE', 'l', '-100', '1'), ['0', '1']);
  assert.deepEqual(h.run('LRANGE', 'l', '4', '100'), ['4', '5']);
  assert.deepEqual(h.run('LRANGE', 'l', '3', '2'), []);
  assert.deepEqual(h.run('LRANGE', 'l', '6', '10'), []);
  assert.deepEqual(h.run('LRANGE', 'l', '-9223372036854775808', '9223372036854775807'), ['0', '1', '2', '3', '4', '5']);
  assert.deepEqual(h.run('LRANGE', 'none', '0', '-1'), []);
  assert.deepEqual(h.run('LRANGE', 'none', 'a', '1'), NOT_INT, 'indexes are parsed before the key is looked up');
  assert.deepEqual(h.run('LRANGE', 'l', '0', '9223372036854775808'), NOT_INT);
  assert.equal(h.run('LINDEX', 'l', '0'), '0');
  assert.equal(h.run('LINDEX', 'l', '-1'), '5');
  assert.equal(h.run('LINDEX', 'l', '6'), null);
  assert.equal(h.run('LINDEX', 'l', '-7'), null);
  assert.equal(h.run('LINDEX', 'none', 'abc'), null, 'LINDEX looks the key up first');
  assert.deepEqual(h.run('LINDEX', 'l', 'abc'), NOT_INT);
  h.run('SET', 's', 'v');
  assert.deepEqual(h.run('LINDEX', 's', 'abc'), WRONGTYPE);
  assert.deepEqual(h.run('LLEN', 's'), WRONGTYPE);
  assert.deepEqual(h.run('LRANGE', 's', '0', '1'), WRONGTYPE);
});

test('LSET: no such key, index out of range, WRONGTYPE before the index is read', () => {
  const h = new Harness();
  h.run('RPUSH', 'l', 'a', 'b', 'c');
  assert.deepEqual(h.run('LSET', 'l', '1', 'B'), ok);
  assert.deepEqual(h.run('LSET', 'l', '-1', 'C'), ok);
  assert.deepEqual(list(h, 'l'), ['a', 'B', 'C']);
  assert.deepEqual(h.run('LSET', 'l', '3', 'x'), err('ERR index out of range'));
  assert.deepEqual(h.run('LSET', 'l', '-4', 'x'), err('ERR index out of range'));
  assert.deepEqual(h.run('LSET', 'l', 'x', 'x'), NOT_INT);
  assert.deepEqual(h.run('LSET', 'none', 'abc', 'x'), err('ERR no such key'));
  h.run('SET', 's', 'v');
  assert.deepEqual(h.run('LSET', 's', 'abc', 'x'), WRONGTYPE);
});

test('LINSERT BEFORE/AFTER the first match; -1 without one, 0 without the key', () => {
  const h = new Harness();
  h.run('RPUSH', 'l', 'a', 'b', 'a');
  assert.equal(h.run('LINSERT', 'l', 'BEFORE', 'a', 'x'), 4);
  assert.equal(h.run('LINSERT', 'l', 'after', 'a', 'y'), 5);
  assert.equal(h.run('LINSERT', 'l', 'After', 'nope', 'y'), -1);
  assert.deepEqual(list(h, 'l'), ['x', 'a', 'y', 'b', 'a']);
  assert.equal(h.run('LINSERT', 'l', 'before', 'x', 'h'), 6);
  assert.equal(h.run('LINSERT', 'l', 'after', 'a', 't'), 7);
  assert.deepEqual(list(h, 'l'), ['h', 'x', 'a', 't', 'y', 'b', 'a']);
  assert.equal(h.run('LINSERT', 'none', 'before', 'a', 'b'), 0);
  assert.deepEqual(h.run('LINSERT', 'none', 'foo', 'a', 'b'), SYNTAX, 'the position word is checked first');
  h.run('SET', 's', 'v');
  assert.deepEqual(h.run('LINSERT', 's', 'before', 'a', 'b'), WRONGTYPE);
});

test('LREM from the head, from the tail, every match; count parsed before the key', () => {
  const h = new Harness();
  h.run('RPUSH', 'l', 'a', 'x', 'a', 'y', 'a', 'x', 'a');
  assert.equal(h.run('LREM', 'l', '2', 'a'), 2);
  assert.deepEqual(list(h, 'l'), ['x', 'y', 'a', 'x', 'a']);
  assert.equal(h.run('LREM', 'l', '-1', 'x'), 1);
  assert.deepEqual(list(h, 'l'), ['x', 'y', 'a', 'a']);
  assert.equal(h.run('LREM', 'l', '0', 'a'), 2);
  assert.equal(h.run('LREM', 'l', '0', 'nope'), 0);
  h.run('RPUSH', 'l', 'x', 'x');
  assert.equal(h.run('LREM', 'l', '-9223372036854775808', 'x'), 3, 'a count that cannot be negated removes all');
  assert.deepEqual(list(h, 'l'), ['y']);
  assert.equal(h.run('LREM', 'l', '1', 'y'), 1);
  assert.equal(h.run('EXISTS', 'l'), 0);
  assert.equal(h.run('LREM', 'none', '1', 'y'), 0);
  assert.deepEqual(h.run('LREM', 'none', 'abc', 'x'), NOT_INT);
  h.run('SET', 's', 'v');
  assert.deepEqual(h.run('LREM', 's', '1', 'x'), WRONGTYPE);
});

test('LTRIM keeps a range, deletes the key when nothing is left', () => {
  const h = new Harness();
  h.run('RPUSH', 'l', '0', '1', '2', '3', '4', '5');
  assert.deepEqual(h.run('LTRIM', 'l', '1', '-2'), ok);
  assert.deepEqual(list(h, 'l'), ['1', '2', '3', '4']);
  assert.deepEqual(h.run('LTRIM', 'l', '-9223372036854775808', '9223372036854775807'), ok);
  assert.deepEqual(list(h, 'l'), ['1', '2', '3', '4']);
  assert.deepEqual(h.run('LTRIM', 'l', '-2', '100'), ok);
  assert.deepEqual(list(h, 'l'), ['3', '4']);
  assert.deepEqual(h.run('LTRIM', 'l', '3', '1'), ok);
  assert.equal(h.run('EXISTS', 'l'), 0);
  assert.deepEqual(h.run('LTRIM', 'none', '0', '1'), ok);
  assert.deepEqual(h.run('LTRIM', 'none', 'a', '1'), NOT_INT);
  h.run('SET', 's', 'v');
  assert.deepEqual(h.run('LTRIM', 's', '0', '1'), WRONGTYPE);
});

test('LPOS with RANK, COUNT and MAXLEN, and every error text', () => {
  const h = new Harness();
  h.run('RPUSH', 'l', 'a', 'b', 'c', 'a', 'b', 'a');
  assert.equal(h.run('LPOS', 'l', 'a'), 0);
  assert.equal(h.run('LPOS', 'l', 'a', 'RANK', '2'), 3);
  assert.equal(h.run('LPOS', 'l', 'a', 'RANK', '-1'), 5);
  assert.equal(h.run('LPOS', 'l', 'a', 'RANK', '4'), null);
  assert.equal(h.run('LPOS', 'l', 'z'), null);
  assert.deepEqual(h.run('LPOS', 'l', 'a', 'COUNT', '0'), [0, 3, 5]);
  assert.deepEqual(h.run('LPOS', 'l', 'a', 'COUNT', '0', 'RANK', '-1'), [5, 3, 0]);
  assert.deepEqual(h.run('LPOS', 'l', 'a', 'RANK', '2', 'COUNT', '1'), [3]);
  assert.deepEqual(h.run('LPOS', 'l', 'z', 'COUNT', '1'), []);
  assert.equal(h.run('LPOS', 'l', 'a', 'MAXLEN', '3'), 0);
  assert.equal(h.run('LPOS', 'l', 'a', 'MAXLEN', '3', 'RANK', '2'), null);
  assert.equal(h.run('LPOS', 'l', 'a', 'MAXLEN', '1', 'RANK', '-1'), 5);
  assert.deepEqual(h.run('LPOS', 'l', 'a', 'RANK', '-2', 'COUNT', '2', 'MAXLEN', '3'), [3]);
  // RANK -2^63 cannot be negated in C: from the tail, every match, COUNT ignored.
  assert.equal(h.run('LPOS', 'l', 'a', 'RANK', '-9223372036854775808'), 5);
  assert.deepEqual(h.run('LPOS', 'l', 'a', 'RANK', '-9223372036854775808', 'COUNT', '1'), [5, 3, 0]);
  assert.deepEqual(h.run('LPOS', 'l', 'a', 'RANK', '-9223372036854775808', 'COUNT', '2', 'MAXLEN', '5'), [5, 3]);
  assert.deepEqual(h.run('LPOS', 'l', 'a', 'RANK', '9223372036854775807', 'COUNT', '1'), []);
  assert.equal(h.run('LPOS', 'none', 'a'), null);
  assert.deepEqual(h.run('LPOS', 'none', 'a', 'COUNT', '1'), []);
  const rank0 = err("ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list");
  assert.deepEqual(h.run('LPOS', 'none', 'a', 'RANK', '0'), rank0, 'options are checked before the key');
  assert.deepEqual(h.run('LPOS', 'l', 'a', 'RANK', 'abc'), NOT_INT);
  assert.deepEqual(h.run('LPOS', 'l', 'a', 'COUNT', '-1'), err("ERR COUNT can't be negative"));
  assert.deepEqual(h.run('LPOS', 'l', 'a', 'COUNT', 'abc'), err("ERR COUNT can't be negative"));
  assert.deepEqual(h.run('LPOS', 'l', 'a', 'MAXLEN', 'x'), err("ERR MAXLEN can't be negative"));
  assert.deepEqual(h.run('LPOS', 'l', 'a', 'FOO'), SYNTAX);
  assert.deepEqual(h.run('LPOS', 'l', 'a', 'RANK'), SYNTAX);
  h.run('SET', 's', 'v');
  assert.deepEqual(h.run('LPOS', 's', 'a'), WRONGTYPE);
});

test('LMOVE and RPOPLPUSH between lists, onto themselves, and their errors', () => {
  const h = new Harness();
  h.run('RPUSH', 'src', 'a', 'b', 'c');
  assert.equal(h.run('LMOVE', 'src', 'dst', 'LEFT', 'RIGHT'), 'a');
  assert.equal(h.run('LMOVE', 'src', 'dst', 'right', 'left'), 'c');
  assert.equal(h.run('RPOPLPUSH', 'src', 'dst'), 'b');
  assert.deepEqual(list(h, 'dst'), ['b', 'c', 'a']);
  assert.equal(h.run('EXISTS', 'src'), 0);
  // Rotations of one list keep it one list: it never looks empty in between.
  assert.equal(h.run('RPOPLPUSH', 'dst', 'dst'), 'a');
  assert.deepEqual(list(h, 'dst'), ['a', 'b', 'c']);
  assert.equal(h.run('LMOVE', 'dst', 'dst', 'LEFT', 'RIGHT'), 'a');
  assert.deepEqual(list(h, 'dst'), ['b', 'c', 'a']);
  assert.equal(h.run('LMOVE', 'dst', 'dst', 'RIGHT', 'RIGHT'), 'a');
  assert.equal(h.run('LMOVE', 'dst', 'dst', 'LEFT', 'LEFT'), 'b');
  assert.deepEqual(list(h, 'dst'), ['b', 'c', 'a']);
  h.run('RPUSH', 'one', 'x');
  assert.equal(h.run('LMOVE', 'one', 'one', 'LEFT', 'RIGHT'), 'x');
  assert.equal(h.run('LMOVE', 'one', 'one', 'RIGHT', 'LEFT'), 'x');
  assert.deepEqual(list(h, 'one'), ['x']);
  assert.equal(h.run('LMOVE', 'none', 'dst', 'LEFT', 'RIGHT'), null);
  assert.deepEqual(h.run('LMOVE', 'none', 'dst', 'LEFTX', 'RIGHT'), SYNTAX);
  assert.deepEqual(h.run('LMOVE', 'none', 'dst', 'LEFT', ''), SYNTAX);
  h.run('SET', 's', 'v');
  assert.deepEqual(h.run('LMOVE', 'dst', 's', 'LEFT', 'RIGHT'), WRONGTYPE);
  assert.deepEqual(list(h, 'dst'), ['b', 'c', 'a'], 'nothing is popped when the destination is of another type');
  assert.deepEqual(h.run('RPOPLPUSH', 's', 'dst'), WRONGTYPE);
  assert.equal(h.run('RPOPLPUSH', 'none', 's'), null, 'a missing source answers before the destination is checked');
});

test('LMPOP: the first non-empty list, COUNT, and errors in Redis order', () => {
  const h = new Harness();
  h.run('RPUSH', 'l', 'a', 'b', 'c', 'd');
  assert.deepEqual(h.run('LMPOP', '2', 'none', 'l', 'LEFT'), ['l', ['a']]);
  assert.deepEqual(h.run('LMPOP', '1', 'l', 'right', 'COUNT', '2'), ['l', ['d', 'c']]);
  assert.deepEqual(h.run('LMPOP', '1', 'l', 'RIGHT', 'count', '10'), ['l', ['b']]);
  assert.equal(h.run('LMPOP', '1', 'l', 'LEFT'), null);
  const numkeys = err('ERR numkeys should be greater than 0');
  assert.deepEqual(h.run('LMPOP', '0', 'l', 'LEFT'), numkeys);
  assert.deepEqual(h.run('LMPOP', 'abc', 'l', 'LEFT'), numkeys);
  assert.deepEqual(h.run('LMPOP', '9223372036854775808', 'l', 'LEFT'), numkeys);
  assert.deepEqual(h.run('LMPOP', '2', 'l', 'LEFT'), SYNTAX);
  assert.deepEqual(h.run('LMPOP', '9223372036854775807', 'l', 'LEFT'), SYNTAX);
  assert.deepEqual(h.run('LMPOP', '1', 'l', 'LEFTX'), SYNTAX);
  assert.deepEqual(h.run('LMPOP', '1', 'l', 'LEFT', 'COUNT'), SYNTAX);
  assert.deepEqual(h.run('LMPOP', '1', 'l', 'LEFT', 'COUNT', '1', 'COUNT', '1'), SYNTAX);
  assert.deepEqual(h.run('LMPOP', '1', 'l', 'LEFT', 'FOO'), SYNTAX);
  const count = err('ERR count should be greater than 0');
  assert.deepEqual(h.run('LMPOP', '1', 'l', 'LEFT', 'COUNT', '0'), count);
  assert.deepEqual(h.run('LMPOP', '1', 'l', 'LEFT', 'COUNT', 'x'), count);
  h.run('SET', 's', 'v');
  h.run('RPUSH', 'l', 'z');
  assert.deepEqual(h.run('LMPOP', '2', 's', 'l', 'LEFT'), WRONGTYPE, 'a key of another type before the list fails');
  assert.deepEqual(h.run('LMPOP', '2', 'l', 's', 'LEFT'), ['l', ['z']], 'keys after the first list are not looked at');
});

test('lists expire, rename and copy like any key, continuing element ids of a dead list', () => {
  const h = new Harness();
  // With peers, a deleted list stays as a tombstone: its element ids must never be reused.
  h.db.stability = { isStable: () => false };
  h.run('RPUSH', 'dst', 'old1', 'old2');
  h.run('DEL', 'dst');
  h.run('RPUSH', 'src', 'a', 'b');
  h.run('EXPIRE', 'src', '100');
  assert.deepEqual(h.run('RENAME', 'src', 'dst'), ok);
  assert.deepEqual(list(h, 'dst'), ['a', 'b']);
  assert.equal(h.run('TTL', 'dst'), 100);
  h.run('LPUSH', 'dst', 'z');
  h.run('RPUSH', 'dst', 'y');
  assert.deepEqual(list(h, 'dst'), ['z', 'a', 'b', 'y']);
  assert.equal(h.run('COPY', 'dst', 'dst2'), 1);
  assert.equal(h.run('COPY', 'dst', 'dst2'), 0);
  h.run('RPUSH', 'dst3', 'q');
  assert.equal(h.run('COPY', 'dst', 'dst3', 'REPLACE'), 1);
  assert.deepEqual(list(h, 'dst3'), ['z', 'a', 'b', 'y']);
  h.run('LPUSH', 'dst3', 'n');
  assert.deepEqual(list(h, 'dst3'), ['n', 'z', 'a', 'b', 'y']);
  assert.deepEqual(list(h, 'dst2'), ['z', 'a', 'b', 'y']);
  assert.deepEqual(h.run('TYPE', 'dst3'), { simple: 'list' });
  // A list popped empty while it had a TTL comes back without it.
  h.run('RPUSH', 'e', 'a');
  h.run('EXPIRE', 'e', '100');
  h.run('LPOP', 'e');
  h.run('RPUSH', 'e', 'b');
  assert.equal(h.run('TTL', 'e'), -1);
  h.advance(200_000);
  assert.equal(h.run('EXISTS', 'dst'), 0);
});

// ---- Active-Active ---------------------------------------------------------------------------

test('TV-LIST-01 simple: a push after sync goes in front of the synced element', () => {
  const p = new Pair();
  assert.equal(p.a.run('LPUSH', 'mylist', 'hello'), 1);
  p.sync();
  assert.equal(p.b.run('LPUSH', 'mylist', 'world'), 2);
  p.sync();
  assert.deepEqual(p.both('mylist', 'LRANGE', 'mylist', '0', '-1'), ['world', 'hello']);
});

test('TV-LIST-02 concurrent inserts after the same element are all kept, instance 1 first', () => {
  const p = new Pair();
  assert.equal(p.a.run('LPUSH', 'L', 'x'), 1);
  p.sync();
  assert.equal(p.a.run('LINSERT', 'L', 'AFTER', 'x', 'y1'), 2);
  assert.equal(p.b.run('LINSERT', 'L', 'AFTER', 'x', 'y2'), 2);
  assert.deepEqual(list(p.a, 'L'), ['x', 'y1']);
  assert.deepEqual(list(p.b, 'L'), ['x', 'y2']);
  p.sync();
  assert.deepEqual(p.both('L', 'LRANGE', 'L', '0', '-1'), ['x', 'y1', 'y2']);
});

test('TV-LIST-03 DEL removes only the observed elements: a concurrent push survives', () => {
  const p = new Pair();
  p.a.run('LPUSH', 'L', 'x');
  p.sync();
  assert.deepEqual(p.both('L', 'LRANGE', 'L', '0', '-1'), ['x']);
  assert.equal(p.a.run('LPUSH', 'L', 'y'), 2);
  assert.equal(p.b.run('DEL', 'L'), 1);
  p.sync();
  assert.deepEqual(p.both('L', 'LRANGE', 'L', '0', '-1'), ['y']);
});

test('TV-LIST-04 concurrent pops return the same element; after sync the list is gone', () => {
  const p = new Pair();
  assert.equal(p.a.run('LPUSH', 'L', 'x', 'y', 'z'), 3);
  p.sync();
  assert.equal(p.b.run('RPOP', 'L'), 'x');
  p.sync();
  assert.equal(p.a.run('RPOP', 'L'), 'y');
  p.sync();
  assert.equal(p.a.run('RPOP', 'L'), 'z');
  assert.equal(p.b.run('RPOP', 'L'), 'z');
  p.sync();
  assert.equal(p.both('L', 'LLEN', 'L'), 0);
  assert.equal(p.both('L', 'EXISTS', 'L'), 0);
});

test('concurrent pushes at both ends keep every element, in one order everywhere', () => {
  const p = new Pair();
  p.a.run('RPUSH', 'L', 'm');
  p.sync();
  p.a.run('LPUSH', 'L', 'a1', 'a2');
  p.a.run('RPUSH', 'L', 'a3');
  p.b.run('LPUSH', 'L', 'b1');
  p.b.run('RPUSH', 'L', 'b2', 'b3');
  p.sync();
  // Multi-element pushes stay contiguous; crdt/sequence.ts documents the order at the ends.
  assert.deepEqual(p.both('L', 'LRANGE', 'L', '0', '-1'), ['a2', 'a1', 'b1', 'm', 'a3', 'b2', 'b3']);
});

test('LSET: the later write wins; an LSET of an element removed concurrently is lost', () => {
  const p = new Pair();
  p.a.run('RPUSH', 'L', 'a', 'b', 'c');
  p.sync();
  p.a.run('LSET', 'L', '1', 'from-a');
  p.b.advance(5);
  p.b.run('LSET', 'L', '1', 'from-b');
  p.sync();
  assert.deepEqual(p.both('L', 'LRANGE', 'L', '0', '-1'), ['a', 'from-b', 'c']);
  p.a.run('LSET', 'L', '0', 'set');
  p.b.run('LPOP', 'L');
  p.sync();
  assert.deepEqual(p.both('L', 'LRANGE', 'L', '0', '-1'), ['from-b', 'c']);
});

test('LTRIM and LREM remove what they saw; concurrent pushes survive them', () => {
  const p = new Pair();
  p.a.run('RPUSH', 'L', '1', '2', '3', 'x', 'x');
  p.sync();
  p.a.run('LTRIM', 'L', '0', '1');
  p.b.run('RPUSH', 'L', 'new');
  p.b.run('LREM', 'L', '0', 'x');
  p.sync();
  assert.deepEqual(p.both('L', 'LRANGE', 'L', '0', '-1'), ['1', '2', 'new']);
});

test('RPOPLPUSH on two instances at once: the element is moved twice (at-least-once)', () => {
  const p = new Pair();
  p.a.run('RPUSH', 'src', 'job');
  p.sync();
  assert.equal(p.a.run('RPOPLPUSH', 'src', 'work'), 'job');
  assert.equal(p.b.run('RPOPLPUSH', 'src', 'work'), 'job');
  p.sync();
  assert.equal(p.both('src', 'EXISTS', 'src'), 0);
  assert.deepEqual(p.both('work', 'LRANGE', 'work', '0', '-1'), ['job', 'job']);
  // A rotation elsewhere meets a concurrent push: both kept, the rotated element once.
  p.a.run('RPOPLPUSH', 'work', 'work');
  p.b.run('RPUSH', 'work', 'more');
  p.sync();
  assert.deepEqual(p.both('work', 'LRANGE', 'work', '0', '-1'), ['job', 'job', 'more']);
});

test('a list recreated after a DEL that is not yet stable converges on both instances', () => {
  const p = new Pair();
  p.a.run('RPUSH', 'L', 'a', 'b');
  p.sync();
  p.a.run('DEL', 'L');
  p.a.run('RPUSH', 'L', 'c');
  p.b.run('RPUSH', 'L', 'd');
  p.sync();
  assert.deepEqual(p.both('L', 'LRANGE', 'L', '0', '-1'), ['c', 'd']);
  // B's copy and A's push both create M at its head, concurrently: instance 1 goes first.
  p.b.run('RENAME', 'L', 'M');
  p.a.run('RPUSH', 'M', 'e');
  p.sync();
  assert.deepEqual(p.both('M', 'LRANGE', 'M', '0', '-1'), ['e', 'c', 'd']);
});
