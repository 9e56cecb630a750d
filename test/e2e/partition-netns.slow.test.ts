// A real network partition: three `tandem server` processes in three network namespaces joined
// by veth links to a bridge (in a fourth, "hub" namespace), one of them cut off by the firewall
// (nftables, or iptables when nft is missing) while clients keep writing to all three; then the
// firewall rule goes, the links reconnect by themselves, and the test checks that all instances
// converge and that no acknowledged write is lost beyond the conflict rules: the counter equals
// the sum of acknowledged INCRs, the set holds every acknowledged SADD, every acknowledged
// distinct key is there with its value.
//
// Needs root, `ip` and nft or iptables; skipped with the reason otherwise. Every namespace (and
// the veth into the test's own namespace) is removed even when the test fails. Clients stay in
// the test's namespace and reach the servers through a veth into the hub's bridge.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import type { ServerHandle } from '../helpers/server-process.js';
import { commandAvailable, startTandem, tandemBuilt } from '../helpers/server-process.js';
import { waitFor } from '../helpers/wait-for.js';

const tag = `tdm${process.pid % 100000}`;
const HUB = `${tag}-hub`;
const NS = [1, 2, 3].map((i) => `${tag}-n${i}`);
const HOST_IF = `${tag}h`;
const PORT = 6379;

function run(cmd: string, args: string[], input?: string): { ok: boolean; out: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', input, timeout: 20_000 });
  return { ok: r.status === 0 && r.error === undefined, out: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error?.message ?? ''}`.trim() };
}

function must(cmd: string, args: string[], input?: string): string {
  const r = run(cmd, args, input);
  if (!r.ok) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.out}`);
  return r.out;
}

function firewall(): 'nft' | 'iptables' | null {
  if (run('nft', ['--version']).ok) return 'nft';
  if (commandAvailable('iptables')) return 'iptables';
  return null;
}

/** A /24 of 10.0.0.0/8 that no route of this namespace covers. */
function freeSubnet(): string | null {
  const routes = run('ip', ['-4', 'route', 'show', 'table', 'all']).out;
  for (let i = 0; i < 50; i++) {
    const b = 200 + Math.floor(Math.random() * 50);
    const c = Math.floor(Math.random() * 250) + 1;
    const net = `10.${b}.${c}`;
    if (!routes.includes(`${net}.`) && !/(^|\s)10\.0\.0\.0\/8/.test(routes)) return net;
  }
  return null;
}

function cleanup(): void {
  for (const ns of [...NS, HUB]) run('ip', ['netns', 'del', ns]);
  run('ip', ['link', 'del', HOST_IF]);
}

let subnet = '';

/** Creates the namespaces and links; returns why it cannot, or null. */
function setUp(): string | null {
  if (process.platform !== 'linux') return 'network namespaces need Linux';
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return 'needs root (creates network namespaces and firewall rules)';
  if (!tandemBuilt()) return 'Tandem is not built';
  if (!run('ip', ['-V']).ok) return '`ip` (iproute2) is not installed';
  if (firewall() === null) return 'neither nft (nftables) nor iptables is installed';
  const net = freeSubnet();
  if (net === null) return 'no free 10.x.y.0/24 for the test network';
  subnet = net;
  const hub = run('ip', ['netns', 'add', HUB]);
  if (!hub.ok) return `cannot create a network namespace: ${hub.out}`;
  try {
    must('ip', ['-n', HUB, 'link', 'add', 'br0', 'type', 'bridge']);
    must('ip', ['-n', HUB, 'link', 'set', 'br0', 'up']);
    must('ip', ['-n', HUB, 'link', 'set', 'lo', 'up']);
    NS.forEach((ns, i) => {
      must('ip', ['netns', 'add', ns]);
      must('ip', ['-n', HUB, 'link', 'add', `v${i + 1}`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
      must('ip', ['-n', HUB, 'link', 'set', `v${i + 1}`, 'master', 'br0', 'up']);
      must('ip', ['-n', ns, 'addr', 'add', `${subnet}.${i + 1}/24`, 'dev', 'eth0']);
      must('ip', ['-n', ns, 'link', 'set', 'eth0', 'up']);
      must('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    });
    // The clients' way in: a veth from this namespace to the bridge.
    must('ip', ['link', 'add', HOST_IF, 'type', 'veth', 'peer', 'name', 'vhost', 'netns', HUB]);
    must('ip', ['-n', HUB, 'link', 'set', 'vhost', 'master', 'br0', 'up']);
    must('ip', ['addr', 'add', `${subnet}.254/24`, 'dev', HOST_IF]);
    must('ip', ['link', 'set', HOST_IF, 'up']);
  } catch (e) {
    cleanup();
    return `cannot build the test network: ${(e as Error).message}`;
  }
  return null;
}

const addr = (i: number): string => `${subnet}.${i}`;

/** Cuts instance `i` off from the other instances (clients still reach it). */
function cut(i: number): void {
  const ns = NS[i - 1]!;
  const others = [1, 2, 3].filter((j) => j !== i).map(addr);
  if (firewall() === 'nft') {
    const set = `{ ${others.join(', ')} }`;
    must('ip', ['netns', 'exec', ns, 'nft', '-f', '-'], [
      'table inet tandem_partition {',
      `  chain input { type filter hook input priority 0; policy accept; ip saddr ${set} drop; }`,
      `  chain output { type filter hook output priority 0; policy accept; ip daddr ${set} drop; }`,
      '}',
    ].join('\n') + '\n');
  } else {
    for (const o of others) {
      must('ip', ['netns', 'exec', ns, 'iptables', '-A', 'INPUT', '-s', o, '-j', 'DROP']);
      must('ip', ['netns', 'exec', ns, 'iptables', '-A', 'OUTPUT', '-d', o, '-j', 'DROP']);
    }
  }
}

function heal(i: number): void {
  const ns = NS[i - 1]!;
  if (firewall() === 'nft') must('ip', ['netns', 'exec', ns, 'nft', 'delete', 'table', 'inet', 'tandem_partition']);
  else {
    must('ip', ['netns', 'exec', ns, 'iptables', '-F', 'INPUT']);
    must('ip', ['netns', 'exec', ns, 'iptables', '-F', 'OUTPUT']);
  }
}

/** What clients had acknowledged, per instance. */
interface Acked {
  incr: number;
  incrby: number;
  members: string[];
  keys: Map<string, string>;
}

/** Writes through `r` until `stop()` says so: pipelines of INCR, INCRBY, SADD and SET. */
async function writeLoop(r: Redis, id: number, acked: Acked, stop: () => boolean, phase: string): Promise<void> {
  let n = 0;
  while (!stop()) {
    const p = r.pipeline();
    const batch: string[] = [];
    for (let k = 0; k < 10; k++, n++) {
      const tag = `${phase}:${id}:${n}`;
      batch.push(tag);
      p.incr('count');
      p.incrby(`count:${id}`, 3);
      p.sadd('members', tag);
      p.set(`key:${tag}`, `v${n}`);
    }
    const res = (await p.exec())!;
    batch.forEach((tag, k) => {
      const [e1] = res[k * 4]!;
      const [e2] = res[k * 4 + 1]!;
      const [e3] = res[k * 4 + 2]!;
      const [e4] = res[k * 4 + 3]!;
      if (e1 === null) acked.incr++;
      if (e2 === null) acked.incrby += 3;
      if (e3 === null) acked.members.push(tag);
      if (e4 === null) acked.keys.set(`key:${tag}`, `v${Number(tag.split(':')[2])}`);
    });
  }
}

const skipReason = setUp();
// Also when the run ends without reaching after() (a timeout cancels the suite).
if (skipReason === null) process.once('exit', cleanup);

describe('partition across network namespaces (3 processes, firewall cut)', { skip: skipReason ?? false, timeout: 240_000 }, () => {
  const servers: ServerHandle[] = [];
  const clients: Redis[] = [];

  before(async () => {
    const guid = `netns-${process.pid}`;
    for (const i of [1, 2, 3]) {
      servers.push(
        await startTandem({
          host: addr(i),
          port: PORT,
          instanceId: i,
          wrapper: ['ip', 'netns', 'exec', NS[i - 1]!],
          args: [
            '--crdb-guid', guid,
            '--set', 'appendonly=no',
            '--set', 'save=',
            ...[1, 2, 3].filter((j) => j !== i).flatMap((j) => ['--peer', `${j}@${addr(j)}:${PORT}`]),
          ],
        }),
      );
      clients.push(new Redis({ host: addr(i), port: PORT, maxRetriesPerRequest: 3 }));
    }
  });

  after(async () => {
    for (const c of clients) c.disconnect();
    await Promise.all(servers.map((s) => s.stop()));
    cleanup();
  });

  test('instance 3 is cut off while all take writes; after healing nothing acknowledged is lost', async () => {
    const output = (): string => servers.map((s, i) => `--- instance ${i + 1} ---\n${s.output().slice(-3000)}`).join('\n');
    try {
      await Promise.all(clients.map((c) => c.call('TANDEM.SYNC', 'WAIT', '30000')));
      const acked: Acked[] = [1, 2, 3].map(() => ({ incr: 0, incrby: 0, members: [], keys: new Map() }));
      // Phase 1: everybody connected.
      let stop = false;
      let writers = clients.map((c, i) => writeLoop(c, i + 1, acked[i]!, () => stop, 'p1'));
      await waitFor(() => acked.every((a) => a.incr >= 200), { timeout: 30_000, message: 'writes before the cut' });
      // Phase 2: instance 3 cut off by the firewall; writes go on everywhere.
      cut(3);
      const info3 = async (): Promise<string> => (await clients[2]!.call('INFO', 'crdt')) as string;
      // Its links notice (heartbeats stop; link timeout 10 s) and fail to reconnect.
      await waitFor(async () => /crdt_peer_1:[^\r\n]*link=(?!streaming)/.test(await info3()) && /crdt_peer_2:[^\r\n]*link=(?!streaming)/.test(await info3()), {
        timeout: 60_000,
        interval: 200,
        message: 'instance 3 to lose its links',
      });
      // The cut is real: a write at instance 1 does not reach instance 3.
      await clients[0]!.set('marker', 'during-partition');
      await waitFor(async () => (await clients[1]!.get('marker')) === 'during-partition', { timeout: 10_000, message: 'the marker at instance 2' });
      assert.equal(await clients[2]!.get('marker'), null, 'instance 3 must not receive while cut off');
      const during = acked.map((a) => a.incr);
      await waitFor(() => acked.every((a, i) => a.incr >= during[i]! + 200), { timeout: 30_000, message: 'writes during the cut' });
      stop = true;
      await Promise.all(writers);
      // Phase 3: heal; the links come back by themselves; more writes meanwhile.
      heal(3);
      stop = false;
      writers = clients.map((c, i) => writeLoop(c, i + 1, acked[i]!, () => stop, 'p3'));
      await waitFor(() => acked.every((a, i) => a.incr >= during[i]! + 300), { timeout: 30_000, message: 'writes after healing' });
      stop = true;
      await Promise.all(writers);
      for (const c of clients) await c.call('TANDEM.SYNC', 'WAIT', '60000');

      // Convergence: every instance holds the same keys with the same values.
      const keys = (await clients[0]!.keys('*')).sort();
      for (const c of clients.slice(1)) assert.deepEqual((await c.keys('*')).sort(), keys);
      const strings = keys.filter((k) => k !== 'members');
      const values = await Promise.all(clients.map((c) => c.mget(...strings)));
      for (const v of values.slice(1)) assert.deepEqual(v, values[0]);
      const members = await Promise.all(clients.map(async (c) => (await c.smembers('members')).sort()));
      for (const m of members.slice(1)) assert.deepEqual(m, members[0]);
      assert.equal(await clients[2]!.get('marker'), 'during-partition');

      // Nothing acknowledged is lost: counters add up, the set and the keys hold every write.
      const totalIncr = acked.reduce((s, a) => s + a.incr, 0);
      assert.equal(await clients[2]!.get('count'), String(totalIncr));
      for (const i of [1, 2, 3]) assert.equal(await clients[0]!.get(`count:${i}`), String(acked[i - 1]!.incrby), `count:${i}`);
      const have = new Set(members[0]);
      const missing = acked.flatMap((a) => a.members.filter((m) => !have.has(m)));
      assert.deepEqual(missing, [], 'every acknowledged SADD member');
      const byKey = new Map(strings.map((k, i) => [k, values[0]![i]]));
      for (const a of acked) for (const [k, v] of a.keys) assert.equal(byKey.get(k), v, k);
      assert.ok(totalIncr >= 1500, `${totalIncr} increments`);
    } catch (e) {
      if (e instanceof Error) e.message += `\n${output()}`;
      throw e;
    }
  });
});

