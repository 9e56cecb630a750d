// RESP codec micro-benchmark: `npx tsc -p . && node dist/bench/resp.js [count]`.
// Parses N pipelined `SET key:NNN xxx` requests delivered in 64 KB socket-sized chunks, and
// writes N `+OK` / bulk / integer replies in pipelines of 1000, printing ns per operation
// (best of several rounds, after a warm-up round).
import { RequestParser } from '../src/protocol/parser.js';
import { ReplyWriter } from '../src/protocol/reply.js';

const N = Number(process.argv[2] ?? 1_000_000);
const ROUNDS = 5;
const CHUNK = 64 * 1024;
const PIPELINE = 1000;

function setRequests(n: number): Buffer {
  const parts: string[] = [];
  for (let i = 0; i < n; i++) {
    const key = `key:${i}`;
    parts.push(`*3\r\n$3\r\nSET\r\n$${key.length}\r\n${key}\r\n$3\r\nxxx\r\n`);
  }
  return Buffer.from(parts.join(''), 'latin1');
}

/** Own memory per chunk, as a socket delivers it (not views of one big buffer). */
function chunked(all: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < all.length; i += size) out.push(Buffer.from(all.subarray(i, i + size)));
  return out;
}

function best(label: string, ops: number, run: () => void): void {
  run(); // warm-up: let the JIT settle
  let min = Infinity;
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = process.hrtime.bigint();
    run();
    const ns = Number(process.hrtime.bigint() - t0);
    if (ns < min) min = ns;
  }
  const perOp = min / ops;
  console.log(`${label.padEnd(44)} ${perOp.toFixed(1).padStart(7)} ns/op  ${(1e3 / perOp).toFixed(2).padStart(6)} M ops/s`);
}

function benchParse(label: string, chunks: Buffer[], expected: number): void {
  best(label, expected, () => {
    const parser = new RequestParser();
    let count = 0;
    const onCommand = (argv: string[]): void => {
      count += argv.length === 3 ? 1 : 0;
    };
    for (const c of chunks) {
      if (parser.feed(c, onCommand) !== null) throw new Error('unexpected protocol error');
    }
    if (count !== expected) throw new Error(`parsed ${count} of ${expected} commands`);
  });
}

function benchWrite(label: string, write: (w: ReplyWriter, i: number) => void): void {
  best(label, N, () => {
    const w = new ReplyWriter();
    let bytes = 0;
    for (let i = 0; i < N; i++) {
      write(w, i);
      if (i % PIPELINE === PIPELINE - 1) bytes += w.take().length;
    }
    bytes += w.take().length;
    if (bytes === 0) throw new Error('nothing written');
  });
}

const requests = setRequests(N);
console.log(`RESP codec, ${N} ops, node ${process.version}; request stream ${(requests.length / 1048576).toFixed(1)} MB`);
benchParse(`parse SET key:NNN xxx (64 KB chunks)`, chunked(requests, CHUNK), N);
benchParse(`parse SET key:NNN xxx (1.5 KB chunks)`, chunked(requests, 1500), N);

const value100 = 'v'.repeat(100);
benchWrite('write +OK', (w) => w.ok());
benchWrite(`write simple('OK')`, (w) => w.simple('OK'));
benchWrite('write bulk "xxx"', (w) => w.bulk('xxx'));
benchWrite('write bulk of 100 bytes', (w) => w.bulk(value100));
benchWrite('write integer 0..9999 (cached)', (w, i) => w.integer(i % 10000));
benchWrite('write integer >= 10000', (w, i) => w.integer(100000 + i));
