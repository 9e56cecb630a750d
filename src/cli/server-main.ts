/**
 * `tandem server`: runs one data node until SIGTERM/SIGINT or SHUTDOWN.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Config, ConfigError } from '../server/config.js';
import { createLogger, pinoLevel } from '../server/log.js';
import { TandemServer } from '../server/server.js';
import { TANDEM_VERSION } from '../server/info.js';
import { attachReplication } from '../replication/server-replication.js';
import type { ServerReplication } from '../replication/server-replication.js';

export interface ServerFlags {
  port?: string;
  bind?: string;
  dir?: string;
  requirepass?: string;
  instanceId?: string;
  crdbGuid?: string;
  config?: string;
  maxmemory?: string;
  logFormat?: 'text' | 'json';
  set?: string[];
  /** `<id>@<host>:<port>` of each other instance (repeatable; adds to the config file's). */
  peer?: string[];
}

/** Builds the configuration: defaults, then the config file, then command-line flags. */
export function buildConfig(flags: ServerFlags): Config {
  const config = new Config();
  if (flags.config) config.loadFile(readFileSync(flags.config, 'utf8'));
  const direct: [string, string | undefined][] = [
    ['port', flags.port],
    ['bind', flags.bind],
    ['dir', flags.dir],
    ['requirepass', flags.requirepass],
    ['instance-id', flags.instanceId],
    ['crdb-guid', flags.crdbGuid],
    ['maxmemory', flags.maxmemory],
  ];
  for (const [k, v] of direct) if (v !== undefined) config.setInitial(k, v);
  config.peers.push(...(flags.peer ?? []));
  for (const kv of flags.set ?? []) {
    const i = kv.indexOf('=');
    if (i < 0) throw new ConfigError(`--set expects name=value, got '${kv}'`);
    config.setInitial(kv.slice(0, i), kv.slice(i + 1));
  }
  return config;
}

export async function runServer(flags: ServerFlags): Promise<TandemServer> {
  let config: Config;
  try {
    config = buildConfig(flags);
  } catch (e) {
    process.stderr.write(`*** FATAL CONFIG ERROR: ${(e as Error).message}\n`);
    process.exit(1);
  }
  const log = createLogger({ level: pinoLevel(config.get('loglevel')), format: flags.logFormat ?? 'text', role: 'M' });
  const server = new TandemServer(config, log);
  if (flags.config) server.configFile = resolve(flags.config);
  // An instance of an Active-Active database replicates with its peers (src/replication).
  let replication: ServerReplication | null = null;
  if (config.get('crdb-guid') !== '') {
    try {
      replication = attachReplication(server);
    } catch (e) {
      process.stderr.write(`*** FATAL CONFIG ERROR: ${(e as Error).message}\n`);
      process.exit(1);
    }
  }
  log.info(`Tandem ${TANDEM_VERSION} (Redis ${'7.0'} protocol) data node, instance id ${config.int('instance-id')}, pid ${process.pid}`);
  try {
    await server.listen();
  } catch (e) {
    log.error(`Failed listening on port ${config.get('port')} (tcp): ${(e as Error).message}`);
    process.exit(1);
  }
  log.info(`Server initialized, listening on ${config.get('bind')}:${server.port}`);
  log.info('Ready to accept connections tcp');
  let stopping = false;
  const stop = async (why: string) => {
    if (stopping) return;
    stopping = true;
    log.warn(`${why}, shutting down...`);
    replication?.close();
    await server.close();
    log.warn('Tandem is now ready to exit, bye bye...');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('Received SIGTERM'));
  process.on('SIGINT', () => void stop('Received SIGINT'));
  server.onShutdownRequest = () => void stop('SHUTDOWN requested');
  return server;
}
