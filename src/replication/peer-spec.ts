/**
 * `<id>@<host>:<port>` — how a peer instance is named on the command line (`--peer`), in the
 * config file (`peer 2@127.0.0.1:7002`) and by the management plane.
 */
import { MAX_INSTANCE_ID } from '../crdt/dot.js';

export interface PeerSpec {
  readonly id: number;
  readonly host: string;
  readonly port: number;
}

/** Parses a peer spec; throws RangeError with a message a person can act on. */
export function parsePeerSpec(s: string): PeerSpec {
  const m = /^(\d+)@(\[[^\]]+\]|[^:@\s]+):(\d+)$/.exec(s.trim());
  if (m === null) throw new RangeError(`peer '${s}' is not <instance-id>@<host>:<port> (e.g. 2@10.0.0.7:6379)`);
  const id = Number(m[1]);
  const port = Number(m[3]);
  if (id < 1 || id > MAX_INSTANCE_ID) throw new RangeError(`peer '${s}': instance id must be 1..${MAX_INSTANCE_ID}`);
  if (port < 1 || port > 65535) throw new RangeError(`peer '${s}': port must be 1..65535`);
  const host = m[2]!.startsWith('[') ? m[2]!.slice(1, -1) : m[2]!;
  return { id, host, port };
}

export function formatPeerSpec(p: PeerSpec): string {
  return `${p.id}@${p.host.includes(':') ? `[${p.host}]` : p.host}:${p.port}`;
}
