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
import { openPersistence } from '../persistence/server-persistence.js';
import type { ServerPersistence } from '../persistence/server-persistence.js';
import { RecoveryError } from '../persistence/recovery.js';

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
  /** Persistence (src/persistence): aof | snapshot | disabled, the AOF fsync policy, and
   * whether recovery may cut a damaged log instead of refusing to start. */
  persistence?: string;
  appendfsync?: string;
  repair?: boolean;
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
    ['persistence', flags.persistence],
    ['appendfsync', flags.appendfsync],
  ];
  for (const [k, v] of direct) if (v !== undefined) config.setInitial(k, v);
  // A config file's `appendonly yes` (redis.conf) means the effect log, unless --persistence says otherwise.
  if (flags.persistence === undefined && config.bool('appendonly') && config.get('persistence') === 'disabled') config.setInitial('persistence', 'aof');
  config.setInitial('appendonly', config.get('persistence') === 'aof' ? 'yes' : 'no');
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
  // The state persisted in --dir comes back before anything else touches the database (src/persistence).
  let persistence: ServerPersistence | null = null;
  try {
    persistence = openPersistence(server, { repair: flags.repair === true });
  } catch (e) {
    if (e instanceof RecoveryError) {
      log.error(`Refusing to start: ${e.message}`);
      process.stderr.write(`*** FATAL: ${e.message}\n`);
    } else process.stderr.write(`*** FATAL CONFIG ERROR: ${(e as Error).message}\n`);
    process.exit(1);
  }
  // An instance of an Active-Active database replicates with its peers (src/replication).
  let replication: ServerReplication | null = null;
  if (config.get('crdb-guid') !== '') {
    try {
      replication = attachReplication(server, { rejoin: persistence?.needsCatchUp === true });
    } catch (e) {
      process.stderr.write(`*** FATAL CONFIG ERROR: ${(e as Error).message}\n`);
      process.exit(1);
    }
  }
  persistence?.resume(replication?.node ?? null);
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
    await persistence?.close();
    log.warn('Tandem is now ready to exit, bye bye...');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('Received SIGTERM'));
  process.on('SIGINT', () => void stop('Received SIGINT'));
  server.onShutdownRequest = () => void stop('SHUTDOWN requested');
  return server;
}
