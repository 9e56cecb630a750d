/**
 * Replication inside a data node (`tandem server --crdb-guid … --peer …`): composes the core
 * (replication-node.ts) with the TCP transport, the server's configuration, the TANDEM.*
 * commands (commands.ts) and INFO crdt (info-section.ts). The CLI calls attachReplication once
 * the server is built; commands find the instance's replication through replicationOf().
 */
import { randomBytes } from 'node:crypto';
import { ConfigError } from '../server/config.js';
import type { TandemServer } from '../server/server.js';
import type { LogFn } from './protocol.js';
import { parsePeerSpec } from './peer-spec.js';
import { ReplicationNode } from './replication-node.js';
import { TcpReplication } from './tcp-transport.js';
import { crdtInfo } from './info-section.js';
import './commands.js';

export interface ServerReplication {
  readonly node: ReplicationNode;
  readonly tcp: TcpReplication;
  readonly server: TandemServer;
  /** Protocol time (monotonic ms); also sets the database's wall clock. */
  enter(): number;
  close(): void;
}

const attached = new WeakMap<TandemServer, ServerReplication>();

export function replicationOf(server: TandemServer): ServerReplication | undefined {
  return attached.get(server);
}

/** The link secret: crdt-repl-secret, or the database password when that is not set. */
function secretOf(server: TandemServer): string {
  return server.config.get('crdt-repl-secret') || server.config.get('requirepass');
}

/**
 * Starts replication for `server` with the peers of its configuration (`peer` lines and
 * `--peer` flags). Throws ConfigError for a malformed or duplicate peer.
 */
export function attachReplication(server: TandemServer, opts: { rejoin?: boolean } = {}): ServerReplication {
  const config = server.config;
  const guid = config.get('crdb-guid');
  if (guid === '') throw new ConfigError('replication needs the CRDB GUID of the database (--crdb-guid)');
  const self = config.int('instance-id');
  const peers = config.peers.map((p) => {
    try {
      return parsePeerSpec(p);
    } catch (e) {
      throw new ConfigError((e as Error).message);
    }
  });
  const ids = new Set<number>();
  for (const p of peers) {
    if (p.id === self) throw new ConfigError(`peer ${p.id}@${p.host}:${p.port} has this instance's own id`);
    if (ids.has(p.id)) throw new ConfigError(`peer instance id ${p.id} is listed twice`);
    ids.add(p.id);
  }
  const log: LogFn = (level, msg) => {
    if (level === 'warn') server.log.warn(msg);
    else if (level === 'info') server.log.info(msg);
    else server.log.debug(msg);
  };
  const enter = (): number => {
    server.db.now = server.wallClock();
    return performance.now();
  };
  let tcp: TcpReplication | null = null;
  const node = new ReplicationNode(server.db, {
    guid,
    secret: secretOf(server),
    backlogBytes: config.int('crdt-backlog-size'),
    compressionLevel: config.int('crdt-compression-level'),
    causal: config.bool('crdt-causal-consistency'),
    runId: `${server.runId.slice(0, 12)}-${randomBytes(4).toString('hex')}`,
    random: Math.random,
    log,
    onWork: () => tcp?.requestPump(),
    onMessage: (m) => server.pubsub.deliverRemote(m.channel, m.message, m.shard),
    // Restarted from disk after a crash: its files may lack effects peers hold (src/persistence).
    rejoin: opts.rejoin === true,
  });
  // PUBLISH here reaches the subscribers of every peer over the links; never forwarded again.
  const unlisten = server.pubsub.onPublish((channel, message, shard) => node.publish({ channel, message, shard }));
  // The backlog is a replication buffer: maxmemory does not count it (as Redis's repl backlog).
  const backlogMemory = () => node.backlog.bytes;
  server.notCountedMemory.push(backlogMemory);
  tcp = new TcpReplication(node, { enter, log });
  for (const p of peers) node.addPeer(p.id, p.host, p.port);
  config.onChange((name, value) => {
    if (name === 'crdt-backlog-size') node.backlog.resize(Number(value));
    else if (name === 'crdt-compression-level') node.compressionLevel = Number(value);
    else if (name === 'crdt-causal-consistency') node.setCausal(value === 'yes', enter());
    else if (name === 'crdt-repl-secret' || name === 'requirepass') node.secret = secretOf(server);
  });
  const r: ServerReplication = {
    node,
    tcp,
    server,
    enter,
    close: () => {
      unlisten();
      server.notCountedMemory.splice(server.notCountedMemory.indexOf(backlogMemory), 1);
      tcp!.close();
    },
  };
  attached.set(server, r);
  server.infoSections.set('crdt', () => crdtInfo(r));
  tcp.start();
  log('info', `Active-Active database ${guid}: instance ${self}, ${peers.length === 0 ? 'no peers yet' : `peers ${peers.map((p) => `${p.id}@${p.host}:${p.port}`).join(' ')}`}`);
  return r;
}
