/**
 * `tandem demo` (what `npm start` runs): three local cluster nodes (`tandem node` child processes
 * over plain HTTP on loopback), one Active-Active database across them created through the same
 * REST calls crdb-cli makes, the three `redis-cli -p …` endpoints and a walkthrough. Ctrl-C
 * stops the nodes, which stop their databases; everything lives under one directory.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { apiRequest } from './http-client.js';
import type { ApiTarget } from './http-client.js';
import { TANDEM_ENTRY } from './instance-process.js';
import { submitTask, taskErrors } from './task-progress.js';

const MARKER = '.tandem-demo';
const CLUSTERS = 3;
const USER = 'admin@tandem.local';

interface DemoNode {
  name: string;
  proc: ChildProcess;
  url: string;
  exited: Promise<void>;
}

const say = (s: string): void => {
  process.stdout.write(s + '\n');
};

/** Empties the demo directory, refusing one that holds anything but an earlier demo. */
function prepareDir(dir: string): void {
  if (existsSync(dir) && readdirSync(dir).length > 0 && !existsSync(join(dir, MARKER))) {
    throw new Error(`${dir} exists and is not a Tandem demo directory; choose another with --dir`);
  }
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, MARKER), 'Data of `tandem demo`; emptied by the next run.\n');
}

function startNode(dir: string, n: number, password: string, dbPort: number): Promise<DemoNode> {
  const name = `cluster-${n}.tandem.local`;
  const nodeDir = join(dir, `cluster-${n}`);
  mkdirSync(nodeDir, { recursive: true });
  const log = createWriteStream(join(nodeDir, 'node.log'));
  const args = [
    TANDEM_ENTRY, 'node', '--dir', nodeDir, '--port', '0', '--bind', '127.0.0.1', '--insecure-http', '--name', name,
    '--username', USER, '--password', password, '--db-ports', `${dbPort + (n - 1) * 10}-${dbPort + (n - 1) * 10 + 9}`,
  ];
  const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  return new Promise<DemoNode>((resolveNode, reject) => {
    let buf = '';
    proc.stderr!.pipe(log);
    proc.stdout!.on('data', (chunk: Buffer) => {
      log.write(chunk);
      buf += chunk.toString('utf8');
      const m = /TANDEM NODE READY (\S+)/.exec(buf);
      if (m !== null) {
        buf = '';
        resolveNode({ name, proc, url: m[1]!, exited });
      }
    });
    proc.once('exit', (code, signal) => reject(new Error(`cluster node ${name} exited while starting (${signal ?? `code ${code}`}); see ${join(nodeDir, 'node.log')}`)));
  });
}

export async function runDemo(opts: { dir: string; dbPort: string }): Promise<void> {
  const dir = resolve(opts.dir);
  const dbPort = Number(opts.dbPort);
  if (!Number.isInteger(dbPort) || dbPort < 1 || dbPort > 64000) throw new Error(`--db-port expects a port number, got '${opts.dbPort}'`);
  prepareDir(dir);
  const password = randomBytes(8).toString('hex');
  const nodes: DemoNode[] = [];
  let stopping = false;
  const stopAll = async (code: number): Promise<never> => {
    if (!stopping) {
      stopping = true;
      say('\nStopping the cluster nodes (each stops its database processes)...');
      for (const n of nodes) n.proc.kill('SIGTERM');
      const timer = setTimeout(() => nodes.forEach((n) => n.proc.kill('SIGKILL')), 15_000);
      await Promise.all(nodes.map((n) => n.exited));
      clearTimeout(timer);
      say(`Stopped. The demo data stays in ${dir} until the next run.`);
    }
    process.exit(code);
  };
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));

  say(`Tandem demo: three clusters on this machine, one Active-Active database across them.`);
  say(`Data directory: ${dir}\n`);
  try {
    for (let n = 1; n <= CLUSTERS; n++) {
      process.stdout.write(`Starting cluster node ${n}/${CLUSTERS} (cluster-${n}.tandem.local)... `);
      const node = await startNode(dir, n, password, dbPort);
      nodes.push(node);
      say(`REST API on ${node.url}`);
      void node.exited.then(() => {
        if (!stopping) {
          say(`\nCluster node ${node.name} exited unexpectedly (see ${join(dir, `cluster-${n}`, 'node.log')}).`);
          void stopAll(1);
        }
      });
    }
    const first: ApiTarget = { url: nodes[0]!.url, username: USER, password };
    say(`\nCreating the Active-Active database 'demo' (POST ${nodes[0]!.url}/v1/crdbs, as crdb-cli crdb create does):`);
    const body = {
      name: 'demo',
      default_db_config: { name: 'demo', memory_size: 100 * 1024 * 1024 },
      instances: nodes.map((n) => ({ cluster: { name: n.name, url: n.url, credentials: { username: USER, password } }, compression: 3 })),
    };
    const task = await submitTask(first, 'POST', '/v1/crdbs', body, { wait: true, showGuid: true, verbose: true, print: say });
    if (task.status !== 'finished') throw new Error(`creating the database failed: ${taskErrors(task).join('; ')}`);
    const ports: number[] = [];
    for (const n of nodes) {
      const bdbs = (await apiRequest<{ port: number; crdt_guid?: string }[]>({ url: n.url, username: USER, password }, 'GET', '/v1/bdbs')).body;
      ports.push(bdbs.find((b) => b.crdt_guid === task.crdb_guid)!.port);
    }
    say('');
    say(`Active-Active database 'demo' is ready (GUID ${task.crdb_guid}). One instance per cluster:`);
    nodes.forEach((n, i) => say(`  ${n.name}:  redis-cli -p ${ports[i]}`));
    say('');
    say('Try it:');
    say(`  1. Write on cluster 1:   redis-cli -p ${ports[0]} SET greeting hello`);
    say(`  2. Read on cluster 2:    redis-cli -p ${ports[1]} GET greeting`);
    say(`  3. Concurrent INCRs add up:  redis-cli -p ${ports[0]} INCR visits & redis-cli -p ${ports[2]} INCR visits; wait; redis-cli -p ${ports[1]} GET visits`);
    say('');
    say(`Manage it with crdb-cli:  TANDEM_CLUSTER_URL=${nodes[0]!.url} TANDEM_USERNAME=${USER} TANDEM_PASSWORD=${password} node dist/src/cli/crdb-cli.js crdb list`);
    say('Press Ctrl-C to stop everything.');
  } catch (e) {
    say(`\nThe demo could not start: ${(e as Error).message}`);
    await stopAll(1);
  }
}
