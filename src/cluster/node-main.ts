/**
 * `tandem node`: parses the flags, starts a ClusterNode, stops it (and every database process it
 * supervises) on SIGTERM/SIGINT.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createLogger } from '../server/log.js';
import { ClusterNode } from './node.js';

export interface NodeFlags {
  dir: string;
  port: string;
  bind: string;
  name?: string;
  username: string;
  password?: string;
  insecureHttp?: boolean;
  tlsCert?: string;
  tlsKey?: string;
  dbPorts: string;
  dbBind: string;
  advertiseAddress: string;
  peerCa?: string;
  peerTlsInsecure?: boolean;
  shardsLimit?: string;
  logFormat?: 'text' | 'json';
}

function portRange(s: string): [number, number] {
  const m = /^(\d{1,5})-(\d{1,5})$/.exec(s);
  const lo = m === null ? NaN : Number(m[1]);
  const hi = m === null ? NaN : Number(m[2]);
  if (!(lo >= 1 && hi <= 65535 && lo <= hi)) throw new Error(`--db-ports expects <first>-<last> within 1-65535, got '${s}'`);
  return [lo, hi];
}

function intFlag(name: string, s: string, min: number, max: number): number {
  if (!/^\d{1,9}$/.test(s) || Number(s) < min || Number(s) > max) throw new Error(`${name} expects an integer from ${min} to ${max}, got '${s}'`);
  return Number(s);
}

export async function runNode(flags: NodeFlags): Promise<ClusterNode> {
  const log = createLogger({ format: flags.logFormat ?? 'text', role: 'N' });
  const password = flags.password ?? process.env.TANDEM_PASSWORD;
  let node: ClusterNode;
  try {
    node = await ClusterNode.start({
      dir: resolve(flags.dir),
      port: intFlag('--port', flags.port, 0, 65535),
      bind: flags.bind,
      name: flags.name,
      username: flags.username,
      password,
      insecureHttp: flags.insecureHttp === true,
      tlsCert: flags.tlsCert,
      tlsKey: flags.tlsKey,
      dbPorts: portRange(flags.dbPorts),
      dbBind: flags.dbBind,
      advertise: flags.advertiseAddress,
      peerCa: flags.peerCa === undefined ? undefined : readFileSync(flags.peerCa, 'utf8'),
      peerInsecure: flags.peerTlsInsecure === true,
      shardsLimit: flags.shardsLimit === undefined ? undefined : intFlag('--shards-limit', flags.shardsLimit, 0, 1_000_000),
      log,
    });
  } catch (e) {
    process.stderr.write(`tandem node: ${(e as Error).message}\n`);
    process.exit(1);
  }
  // Machine-readable readiness line (tests and `tandem demo` wait for it).
  process.stdout.write(`TANDEM NODE READY ${node.url}\n`);
  let stopping = false;
  const stop = async (why: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    log.warn(`${why}: stopping the REST API and every database process`);
    await node.stop();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('Received SIGTERM'));
  process.on('SIGINT', () => void stop('Received SIGINT'));
  return node;
}
