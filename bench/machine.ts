// What the figures were measured on: printed at the top of every report, because a ratio
// means little without the machine (and redis-benchmark shares the cores with the servers).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { tandemBuilt, tandemEntry } from '../test/helpers/server-process.js';
import { table } from './markdown.js';

export interface MachineInfo {
  date: string;
  cpu: string;
  cores: number;
  memory: string;
  os: string;
  node: string;
  redisServer: string;
  redisBenchmark: string;
  tandem: string;
  commit: string;
}

function firstLine(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 10_000 });
  if (r.error || r.status !== 0) return 'n/a';
  return r.stdout.trim().split('\n')[0] ?? 'n/a';
}

function cpuModel(): string {
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) return m[1]!.trim();
  } catch {
    // not Linux
  }
  return os.cpus()[0]?.model ?? 'unknown';
}

function distro(): string {
  try {
    const m = /^PRETTY_NAME="?([^"\n]+)"?$/m.exec(readFileSync('/etc/os-release', 'utf8'));
    if (m) return `${m[1]}, kernel ${os.release()}`;
  } catch {
    // not Linux
  }
  return `${os.type()} ${os.release()}`;
}

export function describeMachine(): MachineInfo {
  const redis = firstLine('redis-server', ['--version']);
  const redisVersion = /v=(\S+)/.exec(redis)?.[1] ?? redis;
  const commit = firstLine('git', ['rev-parse', '--short', 'HEAD']);
  const dirty = spawnSync('git', ['status', '--porcelain'], { encoding: 'utf8' }).stdout?.trim() ? ' + uncommitted changes' : '';
  return {
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    cpu: cpuModel(),
    cores: os.cpus().length,
    memory: `${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB`,
    os: distro(),
    node: process.version,
    redisServer: redisVersion,
    redisBenchmark: firstLine('redis-benchmark', ['--version']).replace(/^redis-benchmark\s*/, ''),
    tandem: tandemBuilt() ? firstLine(process.execPath, [tandemEntry, '--version']) : 'not built',
    commit: commit === 'n/a' ? 'no commit yet' : commit + dirty,
  };
}

export function machineMarkdown(m: MachineInfo): string {
  return table(
    ['machine', ''],
    [
      ['date', m.date],
      ['CPU', `${m.cpu}, ${m.cores} cores (servers and redis-benchmark share them)`],
      ['memory', m.memory],
      ['OS', m.os],
      ['Node.js', m.node],
      ['redis-server', m.redisServer],
      ['redis-benchmark', m.redisBenchmark],
      ['Tandem', `${m.tandem} (commit ${m.commit})`],
    ],
  );
}
