/**
 * Logging: pino underneath (levels, JSON when asked), Redis-style text lines by default so a
 * person running `tandem server` reads `pid:M 26 Nov 2026 03:16:01.123 * Ready to accept
 * connections` as they would from redis-server.
 */
import pino from 'pino';
import type { Logger } from 'pino';
import { Writable } from 'node:stream';

export type { Logger };

const MARK: Record<number, string> = { 10: '.', 20: '.', 30: '*', 40: '#', 50: '#', 60: '#' };
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function stamp(ms: number): string {
  const d = new Date(ms);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}.${p(d.getUTCMilliseconds(), 3)}`;
}

export interface LogOptions {
  level?: string;
  format?: 'text' | 'json';
  /** Role letter in text lines: M for a data node, N for a cluster node, O for the operator. */
  role?: string;
  destination?: NodeJS.WritableStream;
}

export function createLogger(opts: LogOptions = {}): Logger {
  const dest = opts.destination ?? process.stdout;
  const level = opts.level ?? 'info';
  if (opts.format === 'json') return pino({ level, base: { pid: process.pid } }, dest as pino.DestinationStream);
  const role = opts.role ?? 'M';
  const text = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line === '') continue;
        try {
          const o = JSON.parse(line) as Record<string, unknown>;
          const { level: lv, time, msg, pid: _pid, hostname: _h, ...rest } = o;
          const extra = Object.keys(rest).length ? ' ' + JSON.stringify(rest) : '';
          dest.write(`${process.pid}:${role} ${stamp(Number(time))} ${MARK[Number(lv)] ?? '*'} ${String(msg ?? '')}${extra}\n`);
        } catch {
          dest.write(line + '\n');
        }
      }
      cb();
    },
  });
  return pino({ level, base: undefined }, text);
}

/** Maps Redis loglevel names onto pino levels. */
export function pinoLevel(redisLevel: string): string {
  return { debug: 'debug', verbose: 'debug', notice: 'info', warning: 'warn', nothing: 'silent' }[redisLevel] ?? 'info';
}
