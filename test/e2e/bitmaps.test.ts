// Differential test of the bitmap family: the same seeded random sequence of SETBIT, GETBIT,
// BITCOUNT, BITPOS, BITOP, BITFIELD and BITFIELD_RO commands — valid and invalid arguments,
// offsets near 2^32, negative and malformed numbers, every OVERFLOW mode, BYTE/BIT ranges —
// mixed with SET/GET/DEL on the same string keys, goes to Tandem and to a redis-server, and
// every reply must be identical (wire type and bytes, errors included).
//
// Writes never use a valid offset far out: Redis would allocate up to 512 MB for it (and Tandem
// refuses strings beyond V8's limit, just under 512 MB). Large offsets appear in reads and in
// offsets both servers refuse.
//
// Environment:
//   BITMAP_SEED=<n>      replay a sequence (the seed is printed, and quoted on failure)
//   BITMAP_COMMANDS=<n>  number of commands (default 3000)
//   BITMAP_RESP=3        both connections speak RESP3 (HELLO 3) before the run
//   E2E_TARGET=redis     compare two redis-servers: the test of the test, which must pass
//
// A second, fixed sequence checks the offset bounds under a lowered proto-max-bulk-len.
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { before, describe, test } from 'node:test';
import { formatReply } from '../../src/protocol/resp-client.js';
import type { Reply } from '../../src/protocol/resp-client.js';
import type { RawClient } from '../helpers/raw-client.js';
import { redisSkipReason } from '../helpers/server-process.js';
import { e2eTarget, referenceAndTargetHooks, targetSkipReason } from '../helpers/targets.js';
import { Rng } from './diff/rng.js';

function envInt(name: string, fallback: number): number {
  const v = process.env[name];
  if (v === undefined || v === '') return fallback;
  if (!/^\d+$/.test(v)) throw new Error(`${name} must be a non-negative integer, not ${JSON.stringify(v)}`);
  return Number(v);
}

const target = e2eTarget();
const seed = envInt('BITMAP_SEED', randomInt(0, 2 ** 31)) >>> 0;
const commands = envInt('BITMAP_COMMANDS', 3000);
const resp = envInt('BITMAP_RESP', 2);
const BATCH = 50;

// ---- the command generator ---------------------------------------------------------------------

/** Keys written to; `bm:none` is only ever read, so it stays missing. */
const WRITE_KEYS = ['bm:a', 'bm:b', 'bm:c', 'bm:d'];
const READ_KEYS = [...WRITE_KEYS, 'bm:none'];

/** Texts Redis refuses as int64 arguments (malformed, or just out of range). */
const BAD_INTEGERS = ['x', '', '1.5', '+1', '01', '-0', ' 1', '9223372036854775808', '-9223372036854775809'];
const INT64_EDGES = ['9223372036854775807', '-9223372036854775808', '9223372036854775806', '-9223372036854775807'];

type Args = string[];
/** A weighted alternative of the generator. */
type Choice<T> = readonly [weight: number, make: () => T];

class BitmapCommands {
  constructor(private readonly r: Rng) {}

  next(): Args {
    const r = this.r;
    return this.choose<Args>([
      [12, () => this.set()],
      [4, () => ['GET', r.pick(READ_KEYS)]],
      [1, () => ['STRLEN', r.pick(READ_KEYS)]],
      [2, () => ['DEL', r.pick(WRITE_KEYS)]],
      [2, () => ['EXPIRE', r.pick(WRITE_KEYS), '100000']],
      [2, () => ['TTL', r.pick(READ_KEYS)]],
      [14, () => this.setbit()],
      [10, () => ['GETBIT', r.pick(READ_KEYS), this.readOffset()]],
      [12, () => this.bitcount()],
      [14, () => this.bitpos()],
      [8, () => this.bitop()],
      [16, () => this.bitfield('BITFIELD')],
      [5, () => this.bitfield('BITFIELD_RO')],
    ]);
  }

  private choose<T>(choices: readonly Choice<T>[]): T {
    return this.r.weighted(choices, (c) => c[0])[1]();
  }

  private set(): Args {
    const r = this.r;
    const key = r.pick(WRITE_KEYS);
    const value = this.choose<string>([
      [5, () => r.bytes(r.int(1, 24)).toString('latin1')],
      [1, () => ''],
      [2, () => '\xff'.repeat(r.int(1, 12))],
      [2, () => '\0'.repeat(r.int(1, 12))],
      [1, () => '\xff'.repeat(r.int(1, 6)) + '\0'.repeat(r.int(1, 6))],
      [2, () => String(r.int(-100000, 100000))], // int-encoded in Redis
      [1, () => r.pick(['foobar', 'Hello, World', '1', '0'])],
    ]);
    return ['SET', key, value];
  }

  /** A small integer, a limit, or garbage. */
  private integer(small: number): string {
    const r = this.r;
    const p = r.float();
    if (p < 0.8) return String(r.int(-small, small));
    if (p < 0.92) return r.pick(INT64_EDGES);
    return r.pick(BAD_INTEGERS);
  }

  /** Any offset: reads may reach 2^32 - 1 without allocating anything. */
  private readOffset(): string {
    const r = this.r;
    const p = r.float();
    if (p < 0.7) return String(r.int(0, 300));
    if (p < 0.85) return String(r.pick([4294967295, 4294967294, 4294967288, 4294967232, 4294967296, 4294967297, 2 ** 31, 2 ** 31 - 1]));
    return r.pick(['-1', '-8', '#1', '#', ...BAD_INTEGERS]);
  }

  /** An offset a write may use: small, or one that both servers refuse. */
  private writeOffset(): string {
    const r = this.r;
    if (r.chance(0.9)) return String(r.int(0, 400));
    return r.pick(['-1', '4294967296', '18446744073709551616', '#3', ...BAD_INTEGERS]);
  }

  private setbit(): Args {
    const r = this.r;
    const bit = r.chance(0.9) ? r.pick(['0', '1']) : r.pick(['2', '-1', '10', 'x', '', '1.0', '01']);
    return ['SETBIT', r.pick(WRITE_KEYS), this.writeOffset(), bit];
  }

  private unit(): string {
    return this.r.chance(0.85) ? this.r.pick(['BIT', 'BYTE', 'bit', 'byte', 'Bit']) : this.r.pick(['bits', 'x', '']);
  }

  /** start/end (and unit) arguments: in bits they reach further than in bytes. */
  private rangeArgs(maxArgs: number): Args {
    const r = this.r;
    const n = r.int(0, maxArgs);
    const out: Args = [];
    const bitUnit = r.chance(0.5);
    for (let i = 0; i < n; i++) {
      if (i === 2) out.push(bitUnit ? r.pick(['BIT', 'bit']) : this.unit());
      else out.push(this.integer(bitUnit ? 260 : 30));
    }
    return out;
  }

  private bitcount(): Args {
    return ['BITCOUNT', this.r.pick(READ_KEYS), ...this.rangeArgs(this.r.chance(0.95) ? 3 : 5)];
  }

  private bitpos(): Args {
    const r = this.r;
    const bit = r.chance(0.93) ? r.pick(['0', '1']) : r.pick(['2', '-1', 'x', '']);
    return ['BITPOS', r.pick(READ_KEYS), bit, ...this.rangeArgs(r.chance(0.95) ? 3 : 5)];
  }

  private bitop(): Args {
    const r = this.r;
    const op = r.chance(0.93) ? r.pick(['AND', 'OR', 'XOR', 'NOT', 'and', 'Or', 'xor', 'not']) : r.pick(['NAND', 'x', '']);
    const sources = op.toUpperCase() === 'NOT' && r.chance(0.85) ? 1 : r.int(1, 4);
    return ['BITOP', op, r.pick(WRITE_KEYS), ...Array.from({ length: sources }, () => r.pick(READ_KEYS))];
  }

  private fieldType(): string {
    const r = this.r;
    const p = r.float();
    if (p < 0.45) return `${r.pick(['i', 'u'])}${r.int(1, 16)}`;
    if (p < 0.9) return r.pick(['i64', 'u63', 'i63', 'i32', 'u32', 'u1', 'i1', 'u8', 'i8', 'i24']);
    return r.pick(['u64', 'i65', 'i0', 'u0', 'I8', 'U8', 'x8', 'i', '', 'i08', 'u-1']);
  }

  /** BITFIELD offsets: plain or `#n`; far-out valid ones only for GET, which allocates nothing. */
  private fieldOffset(write: boolean): string {
    const r = this.r;
    if (r.chance(0.25)) return write || r.chance(0.5) ? `#${r.int(0, 12)}` : r.pick(['#536870911', '#67108863', '#536870912', '#9223372036854775807']);
    return write ? this.writeOffset() : this.readOffset();
  }

  /** Values near the limits of the field types, where WRAP, SAT and FAIL differ. */
  private fieldValue(): string {
    const r = this.r;
    if (r.chance(0.3)) {
      const bits = r.pick([1, 2, 3, 7, 8, 15, 16, 31, 32, 62, 63]);
      const base = 2n ** BigInt(bits);
      return String(r.pick([base, base - 1n, -base, -base - 1n, base / 2n, -(base / 2n) - 1n]) + BigInt(r.int(-2, 2)));
    }
    return this.integer(300);
  }

  private bitfield(name: 'BITFIELD' | 'BITFIELD_RO'): Args {
    const r = this.r;
    const args: Args = [name, r.pick(name === 'BITFIELD' ? WRITE_KEYS : READ_KEYS)];
    const ops = r.int(0, 5);
    const writes = name === 'BITFIELD' ? 0.5 : 0.1;
    for (let i = 0; i < ops; i++) {
      const p = r.float();
      if (p < 0.15) args.push('OVERFLOW', r.chance(0.9) ? r.pick(['WRAP', 'SAT', 'FAIL', 'wrap', 'sat', 'fail']) : r.pick(['foo', '']));
      else if (p < 0.15 + writes) args.push(r.pick(['SET', 'INCRBY', 'set', 'incrby']), this.fieldType(), this.fieldOffset(true), this.fieldValue());
      else args.push(r.chance(0.97) ? r.pick(['GET', 'get']) : 'FOO', this.fieldType(), this.fieldOffset(false));
    }
    // A command cut short: too few arguments for its last subcommand.
    if (ops > 0 && r.chance(0.04)) args.pop();
    return args;
  }
}

// ---- running and comparing ---------------------------------------------------------------------

/** TTLs depend on when each server ran the command; only their sign is compared. */
function comparable(args: Args, reply: Reply): string {
  if (args[0] === 'TTL' && reply.t === 'integer' && reply.v > 0) return ':positive';
  return formatReply(reply);
}

function show(args: Args): string {
  return args.map((a) => JSON.stringify(a)).join(' ');
}

function replayHint(index: number): string {
  const env = [`BITMAP_SEED=${seed}`, `BITMAP_COMMANDS=${index + 1}`];
  if (target === 'redis') env.push('E2E_TARGET=redis');
  if (resp === 3) env.push('BITMAP_RESP=3');
  return `npx tsc -p . && ${env.join(' ')} node --test dist/test/e2e/bitmaps.test.js`;
}

/** Commands sent so far, for the failure message, and a count of replies per command. */
interface Run {
  readonly history: Args[];
  readonly counts: Map<string, number>;
}

/** Sends one batch to both servers, pipelined, and fails at the first reply that differs. */
async function compareBatch(ref: RawClient, tgt: RawClient, batch: Args[], run: Run, hint: (index: number) => string): Promise<void> {
  const [a, b] = await Promise.all([ref.pipeline(batch), tgt.pipeline(batch)]);
  for (let i = 0; i < batch.length; i++) {
    const args = batch[i]!;
    run.history.push(args);
    const verdict = a[i]!.t === 'error' ? `${args[0]} (error)` : args[0]!;
    run.counts.set(verdict, (run.counts.get(verdict) ?? 0) + 1);
    const want = comparable(args, a[i]!);
    const got = comparable(args, b[i]!);
    if (want === got) continue;
    const index = run.history.length - 1;
    assert.fail(
      [
        `reply ${index} differs`,
        `command: ${show(args)}`,
        `redis  : ${want}`,
        `${target === 'redis' ? 'redis-2' : 'tandem'} : ${got}`,
        'last 15 commands:',
        ...run.history.slice(-16, -1).map((h) => `  ${show(h)}`),
        hint(index),
      ].join('\n'),
    );
  }
}

function summary(run: Run): string {
  return [...run.counts.entries()].sort().map(([k, n]) => `${k} ${n}`).join(', ');
}

/**
 * Offsets are bounded by proto-max-bulk-len, whatever it is set to. With 1 MB the limits can be
 * reached without allocating much: a BITFIELD write just below the bound may end a few bytes past
 * it, which Redis allows.
 */
const BULK_LIMIT_COMMANDS: Args[] = [
  ['CONFIG', 'SET', 'proto-max-bulk-len', '1mb'],
  ['SETBIT', 'bm:big', '8388608', '1'],
  ['GETBIT', 'bm:big', '8388608'],
  ['SETBIT', 'bm:big', '8388607', '1'],
  ['STRLEN', 'bm:big'],
  ['BITFIELD', 'bm:big', 'SET', 'i64', '8388607', '-1', 'GET', 'u8', '#1048576'],
  ['BITFIELD', 'bm:big', 'SET', 'i64', '8388607', '-3', 'GET', 'u8', '#1048575', 'GET', 'i64', '#131071'],
  ['STRLEN', 'bm:big'],
  ['BITFIELD', 'bm:big', 'INCRBY', 'u2', '#4194303', '1'],
  ['BITFIELD', 'bm:big', 'INCRBY', 'u2', '#4194304', '1'],
  ['BITFIELD_RO', 'bm:big', 'GET', 'u63', '8388608', 'GET', 'i16', '8388606'],
  ['BITCOUNT', 'bm:big'],
  ['BITCOUNT', 'bm:big', '8388600', '-1', 'BIT'],
  ['BITPOS', 'bm:big', '1'],
  ['BITPOS', 'bm:big', '0', '-9'],
  ['BITPOS', 'bm:big', '1', '-100', '-1', 'BIT'],
  ['BITOP', 'NOT', 'bm:big2', 'bm:big'],
  ['BITCOUNT', 'bm:big2', '-9', '-1'],
  ['BITPOS', 'bm:big2', '0', '1048570'],
  ['CONFIG', 'SET', 'proto-max-bulk-len', '536870912'],
  ['SETBIT', 'bm:big', '8388608', '0'],
  ['STRLEN', 'bm:big'],
  ['DEL', 'bm:big', 'bm:big2'],
];

describe(`bitmap commands: ${target} vs redis-server`, { skip: redisSkipReason() || targetSkipReason(target) }, () => {
  const { clients } = referenceAndTargetHooks(target);

  before(async () => {
    // HELLO's reply names the server and its version, so it is not compared.
    if (resp === 3) await Promise.all(clients.map((c) => c.ok('HELLO', '3')));
  });

  test(`${commands} seeded commands (seed ${seed}) give identical replies`, { timeout: 5 * 60_000 }, async (t) => {
    t.diagnostic(`seed ${seed} (replay with BITMAP_SEED=${seed}); target ${target}; RESP${resp}`);
    const gen = new BitmapCommands(new Rng(seed));
    const run: Run = { history: [], counts: new Map() };
    const hint = (index: number) => `seed ${seed}; replay: ${replayHint(index)}`;
    while (run.history.length < commands) {
      const batch = Array.from({ length: Math.min(BATCH, commands - run.history.length) }, () => gen.next());
      await compareBatch(clients[0]!, clients[1]!, batch, run, hint);
    }
    t.diagnostic(summary(run));
  });

  test('offsets are bounded by proto-max-bulk-len as configured', async () => {
    const run: Run = { history: [], counts: new Map() };
    await compareBatch(clients[0]!, clients[1]!, BULK_LIMIT_COMMANDS, run, () => 'fixed sequence BULK_LIMIT_COMMANDS');
  });
});
