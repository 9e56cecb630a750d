// COMMAND GETKEYS and COMMAND GETKEYSANDFLAGS against redis-server 7.0.15: the same calls go to
// both servers and every reply must be identical (wire type and bytes, errors included), in
// RESP2 and in RESP3 (where key flags are a set). Covered: the movable-key commands (numkeys
// arguments, STORE keywords, SORT … STORE) with good and bad numkeys, keywords in every case
// and position; subcommands; argument-count and unknown-command errors; and a sweep of every
// command both servers know with 0–6 plain or numeric arguments, and COMMAND INFO's key specs.
//
//   E2E_TARGET=redis     compare two redis-servers: the test of the test, which must pass
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { type Reply, formatReply } from '../../src/protocol/resp-client.js';
import type { RawClient } from '../helpers/raw-client.js';
import { redisSkipReason } from '../helpers/server-process.js';
import { e2eTarget, referenceAndTargetHooks, targetSkipReason } from '../helpers/targets.js';

const target = e2eTarget();

/** Full commands whose keys are asked for (each sent as GETKEYS and as GETKEYSANDFLAGS). */
const FORMS: string[][] = [
  // sorted-set algebra: numkeys good, zero, negative, too large, not a number, with a leading +
  ['zunionstore', 'dst', '2', 'a', 'b'],
  ['zunionstore', 'dst', '2', 'a', 'b', 'WEIGHTS', '1', '2', 'AGGREGATE', 'MAX'],
  ['zunionstore', 'dst', '0', 'a'],
  ['zunionstore', 'dst', '-1', 'a'],
  ['zunionstore', 'dst', '3', 'a', 'b'],
  ['zunionstore', 'dst', 'x', 'a'],
  ['zunionstore', 'dst', '+1', 'a'],
  ['zunionstore', 'dst', '01', 'a'],
  ['zunionstore', 'dst', ' 1', 'a'],
  ['zunionstore', 'dst', '1'],
  ['zinterstore', 'dst', '1', 'a'],
  ['zinterstore', 'dst', '3', 'a', 'b', 'c', 'WEIGHTS', '1', '1', '1'],
  ['zdiffstore', 'dst', '2', 'a', 'b'],
  ['zdiffstore', 'dst', '2', 'a'],
  ['zunion', '2', 'a', 'b', 'WITHSCORES'],
  ['zunion', '0', 'a'],
  ['zunion', '3', 'a'],
  ['zinter', '1', 'a'],
  ['zinter', '2', 'a', 'b', 'AGGREGATE', 'SUM'],
  ['zdiff', '2', 'a', 'b'],
  ['zdiff', 'two', 'a', 'b'],
  ['zintercard', '2', 'a', 'b', 'LIMIT', '3'],
  ['zintercard', '1', 'a'],
  ['zintercard', '5', 'a'],
  ['sintercard', '2', 'a', 'b'],
  ['sintercard', '2', 'a', 'b', 'LIMIT', '0'],
  ['sintercard', '0', 'a'],
  ['sintercard', '9', 'a'],
  // MPOP family
  ['lmpop', '2', 'a', 'b', 'LEFT'],
  ['lmpop', '1', 'a', 'RIGHT', 'COUNT', '3'],
  ['lmpop', '0', 'a', 'LEFT'],
  ['lmpop', '3', 'a', 'LEFT'],
  ['lmpop', 'x', 'a', 'LEFT'],
  ['blmpop', '0', '2', 'a', 'b', 'LEFT'],
  ['blmpop', '1.5', '1', 'a', 'RIGHT', 'COUNT', '2'],
  ['blmpop', '0', '0', 'a', 'LEFT'],
  ['blmpop', '0', '4', 'a', 'b'],
  ['zmpop', '2', 'a', 'b', 'MIN'],
  ['zmpop', '1', 'a', 'MAX', 'COUNT', '2'],
  ['zmpop', '-3', 'a', 'MIN'],
  // keyword-found store keys
  ['georadius', 'k', '1', '2', '3', 'km'],
  ['georadius', 'k', '1', '2', '3', 'km', 'STORE', 'd'],
  ['georadius', 'k', '1', '2', '3', 'km', 'store', 'd', 'storedist', 'e'],
  ['georadius', 'k', '1', '2', '3', 'km', 'STOREDIST', 'e', 'STORE', 'd'],
  ['georadius', 'k', '1', '2', '3', 'km', 'WITHDIST', 'COUNT', '3', 'STORE'],
  ['georadius', 'k', '1', '2', '3', 'km', 'STORE', 'a', 'STORE', 'b'],
  ['georadius', 'store', '1', '2', '3', 'store', 'x'],
  ['georadiusbymember', 'k', 'm', '3', 'km', 'STORE', 'd'],
  ['georadiusbymember', 'k', 'm', '3', 'km', 'StoreDist', 'd'],
  ['georadius_ro', 'k', '1', '2', '3', 'km', 'STORE', 'd'],
  ['geosearchstore', 'd', 'k', 'FROMMEMBER', 'm', 'BYRADIUS', '1', 'km'],
  // fixed positions, ranges and keyword-free commands
  ['set', 'k', 'v'],
  ['set', 'k', 'v', 'GET'],
  ['set', 'k', 'v', 'EX', '10', 'get'],
  ['bitfield', 'k', 'GET', 'u8', '0'],
  ['bitfield', 'k', 'SET', 'u8', '0', '1'],
  ['bitfield', 'k', 'OVERFLOW', 'SAT', 'GET', 'u8', '0'],
  ['bitfield', 'k', 'GET', 'u8'],
  ['bitfield_ro', 'k', 'GET', 'u8', '0'],
  ['mset', 'a', '1', 'b', '2'],
  ['mset', 'a', '1', 'b'],
  ['msetnx', 'a', '1'],
  ['mget', 'a', 'b', 'c'],
  ['del', 'a', 'b'],
  ['bitop', 'AND', 'd', 'a', 'b'],
  ['lmove', 'a', 'b', 'LEFT', 'RIGHT'],
  ['blpop', 'a', 'b', '0'],
  ['brpoplpush', 'a', 'b', '0'],
  ['smove', 'a', 'b', 'm'],
  ['sunionstore', 'd', 'a', 'b'],
  ['sinterstore', 'd', 'a'],
  ['zrangestore', 'd', 'a', '0', '-1'],
  ['rename', 'a', 'b'],
  ['copy', 'a', 'b', 'REPLACE'],
  ['pfmerge', 'd', 'a', 'b'],
  ['pfcount', 'a', 'b'],
  ['object', 'encoding', 'k'],
  ['object', 'help'],
  ['object', 'nosuch', 'k'],
  // commands without keys, unknown commands, argument counts
  ['get'],
  ['get', 'a', 'b'],
  ['ping'],
  ['ping', 'x'],
  ['publish', 'ch', 'msg'],
  ['config', 'get', 'x'],
  ['config'],
  ['nosuchcommand', 'a'],
  ['zunionstore', 'dst'],
  ['lmpop', '1'],
  ['GET', 'a'],
  ['ZuNiOnStOrE', 'd', '1', 'a'],
];

/** The servers' replies to the same calls, formatted one per line. */
async function replies(c: RawClient, calls: readonly string[][]): Promise<string[]> {
  return Promise.all(calls.map(async (argv) => formatReply(await c.call(...argv))));
}

describe(`COMMAND GETKEYS / GETKEYSANDFLAGS: ${target} vs redis-server`, { skip: redisSkipReason() || targetSkipReason(target) }, () => {
  const pair = referenceAndTargetHooks(target, 2);
  let redis2: RawClient;
  let redis3: RawClient;
  let target2: RawClient;
  let target3: RawClient;

  before(async () => {
    [redis2, target2, redis3, target3] = pair.clients as [RawClient, RawClient, RawClient, RawClient];
    // HELLO's reply names the server and its version, so it is not compared.
    await Promise.all([redis3.ok('HELLO', '3'), target3.ok('HELLO', '3')]);
  });

  async function compare(calls: string[][]): Promise<void> {
    for (const [r, t, resp] of [[redis2, target2, 2], [redis3, target3, 3]] as const) {
      const want = await replies(r, calls);
      const got = await replies(t, calls);
      for (let i = 0; i < calls.length; i++) {
        assert.equal(got[i], want[i], `RESP${resp}: ${calls[i]!.join(' ')}`);
      }
    }
  }

  test('movable-key, keyword and fixed-position forms, valid and invalid', async () => {
    const calls = FORMS.flatMap((f) => [['COMMAND', 'GETKEYS', ...f], ['COMMAND', 'GETKEYSANDFLAGS', ...f]]);
    await compare(calls);
    await compare([['COMMAND', 'GETKEYS'], ['COMMAND', 'GETKEYSANDFLAGS', 'get']]);
  });

  /** COMMAND INFO's entry for one command: [name, arity, …, subcommands]. */
  async function infoOf(c: RawClient, name: string): Promise<Reply[] | undefined> {
    const r = await c.call('COMMAND', 'INFO', name);
    const e = r.t === 'array' ? r.v[0] : undefined;
    return e?.t === 'array' ? e.v : undefined;
  }

  test('every command both servers know alike, with 0 to 6 plain or numeric arguments', async (t) => {
    const names = await target2.call('COMMAND', 'LIST');
    assert.equal(names.t, 'array');
    const all: string[] = [];
    const differ: string[] = [];
    const consider = async (name: string): Promise<Reply[] | undefined> => {
      const [mine, theirs] = [await infoOf(target2, name), await infoOf(redis2, name)];
      if (mine === undefined || theirs === undefined) return undefined; // Tandem's own commands
      // A documented extension (ZRANK … WITHSCORE, Redis 7.2) changes the arity: left out.
      if (formatReply(mine[1]!) !== formatReply(theirs[1]!)) differ.push(name);
      else all.push(name);
      return mine;
    };
    for (const n of names.t === 'array' ? names.v : []) {
      if (n.t !== 'bulk') continue;
      const info = await consider(n.v.toString());
      const subs = info?.[9];
      if (subs?.t === 'array') for (const s of subs.v) if (s.t === 'array' && s.v[0]?.t === 'bulk') await consider(s.v[0].v.toString());
    }
    t.diagnostic(`${all.length} commands compared; arity differs from Redis 7.0 (left out): ${differ.join(', ') || 'none'}`);
    assert.ok(all.length > 150, `only ${all.length} commands compared`);
    const calls: string[][] = [];
    for (const full of all) {
      const argv0 = full.split('|');
      for (let n = 0; n <= 6; n++) {
        const plain = Array.from({ length: n }, (_, i) => `k${i}`);
        const numeric = Array.from({ length: n }, (_, i) => (i === 0 ? 'k0' : String(Math.min(i, 2))));
        calls.push(['COMMAND', 'GETKEYSANDFLAGS', ...argv0, ...plain], ['COMMAND', 'GETKEYS', ...argv0, ...numeric]);
      }
    }
    await compare(calls);
    // COMMAND INFO's key specifications (element 8) are the ones GETKEYS follows: identical too.
    for (const name of all) {
      for (const [r, t, resp] of [[redis2, target2, 2], [redis3, target3, 3]] as const) {
        const [want, got] = [await infoOf(r, name), await infoOf(t, name)];
        assert.equal(formatReply(got![8]!), formatReply(want![8]!), `RESP${resp}: COMMAND INFO ${name} key specs`);
      }
    }
  });
});
