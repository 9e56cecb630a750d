/**
 * Runs commands against an in-process Database with a controlled clock, recording replies as
 * plain values: strings for bulk/simple, numbers/bigints for integers, `{ err }` for errors,
 * null for nulls, arrays for aggregates (maps flattened like RESP2). Fast, deterministic tests of
 * the engine without sockets.
 */
import assert from 'node:assert/strict';
import { Database } from '../../src/engine/database.js';
import type { Effect } from '../../src/engine/effect.js';
import { decodeEffect, effectToBuffer } from '../../src/engine/effect.js';
import { BinaryReader } from '../../src/crdt/binary.js';
import { KeyType } from '../../src/crdt/key.js';
import type { Reply } from '../../src/engine/reply.js';
import type { Session } from '../../src/engine/command-table.js';
import { arityOk, findSubcommand, lookupCommand } from '../../src/engine/command-table.js';
import '../../src/engine/strings.js';
import '../../src/engine/keys.js';
import '../../src/engine/bitmaps.js';

export type Value = string | number | bigint | null | { err: string } | { simple: string } | Value[];

export class Harness {
  readonly db: Database;
  constructor(instanceId = 1, now = 1_700_000_000_000) {
    this.db = new Database({ instanceId, random: mulberry32(42), epoch: now });
    this.db.now = now;
  }

  /** Runs one command; returns its single reply. */
  run(...argv: string[]): Value {
    const out = new Recorder();
    let spec = lookupCommand(argv[0]!);
    if (spec === undefined) return { err: `ERR unknown command '${argv[0]}'` };
    if (spec.subcommands && argv.length >= 2) spec = findSubcommand(spec, argv[1]!) ?? spec;
    if (!arityOk(spec, argv.length) || spec.handler === undefined) return { err: `ERR wrong number of arguments for '${spec.name}' command` };
    const session: Session = { id: 1 };
    spec.handler({ db: this.db, out, session }, argv);
    this.db.commit();
    return out.result.length === 1 ? out.result[0]! : out.result;
  }

  advance(ms: number): void {
    this.db.now += ms;
  }
}

/** The recorder actually used: a Reply whose aggregate `push` does not clash with the helper. */
class Recorder implements Reply {
  readonly resp = 2 as const;
  private stack: { items: Value[]; want: number }[] = [];
  result: Value[] = [];

  private add(v: Value): void {
    let top = this.stack[this.stack.length - 1];
    if (top === undefined) {
      this.result.push(v);
      return;
    }
    top.items.push(v);
    while (top !== undefined && top.items.length === top.want) {
      this.stack.pop();
      const done = top.items;
      top = this.stack[this.stack.length - 1];
      if (top === undefined) this.result.push(done);
      else top.items.push(done);
    }
  }

  private open(n: number): void {
    if (n === 0) this.add([]);
    else this.stack.push({ items: [], want: n });
  }

  simple(s: string) {
    this.add({ simple: s });
  }
  error(s: string) {
    this.add({ err: s });
  }
  integer(n: number | bigint) {
    this.add(typeof n === 'bigint' ? Number(n) : n);
  }
  bulk(s: string | null) {
    this.add(s);
  }
  nullBulk() {
    this.add(null);
  }
  nullArray() {
    this.add(null);
  }
  array(n: number) {
    this.open(n);
  }
  map(n: number) {
    this.open(n * 2);
  }
  set(n: number) {
    this.open(n);
  }
  push(n: number) {
    this.open(n);
  }
  double(d: number, text?: string) {
    this.add(text ?? String(d));
  }
  bool(b: boolean) {
    this.add(b ? 1 : 0);
  }
  verbatim(s: string) {
    this.add(s);
  }
  bigNumber(s: string) {
    this.add(s);
  }
}

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const ok = { simple: 'OK' };
export const err = (e: string) => ({ err: e });

// ---- RESP3 replies: Harness.run records RESP2 only; run3 keeps map, set and array apart ----------------------------------------------

export type Node = string | number | null | { err: string } | { t: 'array' | 'map' | 'set'; v: Node[] };

/** A Reply in RESP3 mode that keeps aggregate types (map, set, array) apart. */
export class Resp3 implements Reply {
  readonly resp = 3 as const;
  private stack: { t: 'array' | 'map' | 'set'; v: Node[]; want: number }[] = [];
  result: Node[] = [];
  private add(n: Node): void {
    let top = this.stack[this.stack.length - 1];
    if (top === undefined) return void this.result.push(n);
    top.v.push(n);
    while (top !== undefined && top.v.length === top.want) {
      this.stack.pop();
      const done: Node = { t: top.t, v: top.v };
      top = this.stack[this.stack.length - 1];
      if (top === undefined) this.result.push(done);
      else top.v.push(done);
    }
  }
  private open(t: 'array' | 'map' | 'set', n: number): void {
    if (n === 0) this.add({ t, v: [] });
    else this.stack.push({ t, v: [], want: t === 'map' ? n * 2 : n });
  }
  simple(s: string) { this.add(s); }
  error(s: string) { this.add({ err: s }); }
  integer(n: number | bigint) { this.add(Number(n)); }
  bulk(s: string | null) { this.add(s); }
  nullBulk() { this.add(null); }
  nullArray() { this.add(null); }
  array(n: number) { this.open('array', n); }
  map(n: number) { this.open('map', n); }
  set(n: number) { this.open('set', n); }
  push(n: number) { this.open('array', n); }
  double(d: number, text?: string) { this.add(text ?? String(d)); }
  bool(b: boolean) { this.add(b ? 1 : 0); }
  verbatim(s: string) { this.add(s); }
  bigNumber(s: string) { this.add(s); }
}

export function run3(h: Harness, ...argv: string[]): Node {
  const out = new Resp3();
  lookupCommand(argv[0]!)!.handler!({ db: h.db, out, session: { id: 1 } }, argv);
  h.db.commit();
  return out.result[0]!;
}

// ---- two instances -------------------------------------------------------------------------------

/** Two instances (ids 1 and 2) whose effects are exchanged on sync(), as replication would. */
export class Pair {
  readonly a = new Harness(1);
  readonly b = new Harness(2);
  private readonly pending = new Map<Harness, Effect[]>();

  constructor() {
    for (const h of [this.a, this.b]) {
      const buf: Effect[] = [];
      this.pending.set(h, buf);
      h.db.sink = { effect: (e) => buf.push(e), commit() {} };
      // Peers exist: removals are stable only once everyone has them, never in these tests.
      h.db.stability = { isStable: () => false };
    }
  }

  /** Delivers everything pending both ways, through the wire encoding replication uses. */
  sync(): void {
    const wire = (e: Effect) => decodeEffect(new BinaryReader(effectToBuffer(e)));
    const fromA = this.pending.get(this.a)!.splice(0);
    const fromB = this.pending.get(this.b)!.splice(0);
    for (const e of fromA) this.b.db.applyRemote(wire(e));
    for (const e of fromB) this.a.db.applyRemote(wire(e));
  }

  /** Both instances answer `args` the same, and their records of `key` are equal CRDT states. */
  both(key: string, ...args: string[]): Value {
    const ra = this.a.run(...args);
    assert.deepEqual(this.b.run(...args), ra, `instances differ on ${args.join(' ')}`);
    const x = this.a.db.keyspace.get(key);
    const y = this.b.db.keyspace.get(key);
    if (x !== undefined && y !== undefined) assert.ok(KeyType.equal(x, y), `states of ${key} differ`);
    return ra;
  }
}
