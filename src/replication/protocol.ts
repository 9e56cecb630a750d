/**
 * The replication protocol between instances of one Active-Active database: the handshake, the
 * connection interfaces the sans-IO core talks through, and the timing knobs. The wire format
 * of the frames is in frames.ts; docs/replication-protocol.md describes the whole protocol.
 *
 * Roles (reference §1.2): every direction of the full mesh is pulled by its destination. The
 * destination (syncer-link.ts) dials the source, sends a Hello, and receives effects; the source
 * (source-session.ts) validates the Hello, answers Continue or a Refusal, then streams.
 *
 * Nothing here does I/O or reads a clock: the TCP transport (tcp-transport.ts) and the
 * deterministic simulation (test/sim) both drive the same core through these interfaces.
 */
import { VectorClock } from '../crdt/vector-clock.js';

/**
 * Version of the replication protocol. A source refuses a destination that speaks another
 * version (reference §5.9: refuse rather than guess); raise it on any incompatible change of
 * the handshake, the frames or the effect encoding.
 */
export const PROTOCOL_VERSION = 1;

/** What a destination sends first (over TCP: the TANDEM.REPLICATE command). */
export interface Hello {
  readonly guid: string;
  readonly destId: number;
  readonly protocol: number;
  /** Replication secret, or the database password when no separate secret is configured. */
  readonly secret: string;
  /** The destination's vector clock: streaming resumes after it. */
  readonly resume: VectorClock;
  /** Identifies the destination process, so a reconnect of the same process replaces its old
   * session while another process claiming the same instance id is refused. */
  readonly runId: string;
}

export type SyncMode = 'partial' | 'full';

/** The source's acceptance (over TCP: `+CONTINUE …`). */
export interface Continue {
  readonly sourceId: number;
  readonly protocol: number;
  readonly mode: SyncMode;
  /** Why a full sync: `new` (nothing to resume from), `gap` (backlog no longer covers it). */
  readonly reason: string;
  /** Whether the source relays effects of every origin (causal consistency, reference §1.7). */
  readonly causal: boolean;
  /** The highest sequence of the destination's own effects the source holds: more than the
   * destination remembers means the destination restarted without its data. */
  readonly destSeen: number;
  /** The source's clock when it accepted: the destination has caught up with this link once
   * its clock covers it (for the origins the link streams). */
  readonly clock: VectorClock;
  /** The source process's run id: what peers know of an instance's clock is only valid for the
   * incarnation that reported it (an instance restarted without data starts over). */
  readonly runId: string;
}

export type RefusalCode = 'guid' | 'duplicate-id' | 'protocol' | 'auth' | 'unknown-peer' | 'busy' | 'syntax';

/** The source's refusal (over TCP: an error reply). Each code is logged and shown in INFO. */
export interface Refusal {
  readonly code: RefusalCode;
  readonly message: string;
}

/** One direction-agnostic connection as the core sees it. */
export interface Conn {
  /** Queues one encoded frame (frames.ts) for the peer. */
  send(frame: Buffer): void;
  /** True while the transport holds more unsent bytes than it wants: the core stops producing
   * full-sync chunks and batches until it is false again (the driver pumps on drain). */
  readonly backpressured: boolean;
  /** Closes the connection. The driver must not call back into the core for it afterwards. */
  close(reason: string): void;
}

/** A connection the destination dialled: it starts with the Hello. */
export interface DialConn extends Conn {
  hello(h: Hello): void;
}

export type LogLevel = 'debug' | 'info' | 'warn';
export type LogFn = (level: LogLevel, message: string) => void;

/** Timing and sizing of the protocol, in milliseconds and bytes. */
export interface Timing {
  /** A side that sent nothing for this long sends a heartbeat. */
  heartbeatMs: number;
  /** A link that received nothing for this long is considered dead and closed. */
  linkTimeoutMs: number;
  /** Destinations acknowledge their clock at least this often (and after applying batches). */
  ackIntervalMs: number;
  /** Reconnect backoff: base * 2^attempt, capped, with ±50 % jitter. */
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** Garbage collection: a stability pass and a GC step this often. */
  gcIntervalMs: number;
  /** Records examined per GC step (Database.collectGarbage budget). */
  gcBudget: number;
  /** A batch stops growing past this many bytes of effects. */
  batchBytes: number;
  /** A full-sync chunk holds at most this many records / about this many bytes. */
  chunkRecords: number;
  chunkBytes: number;
  /** Frames produced per session per pump call before yielding to the event loop. */
  framesPerPump: number;
  /** Full-sync chunks per session per pump (a 1000-record chunk takes a few ms to encode). */
  chunksPerPump: number;
  /** Full-sync records a destination decodes, and joins, per pump (a few µs each; the rest
   * waits for the next event-loop turn). */
  joinRecordsPerPump: number;
  /** Bodies at least this large are compressed (when the level is not 0). */
  compressMinBytes: number;
  /** Pub/sub messages a session holds for a slow or paused-by-peer destination, in bytes;
   * beyond it the oldest are dropped (pub/sub is best effort, like Redis's output buffers). */
  pubsubQueueBytes: number;
}

export const DEFAULT_TIMING: Timing = {
  heartbeatMs: 1000,
  linkTimeoutMs: 10_000,
  ackIntervalMs: 1000,
  backoffBaseMs: 100,
  backoffMaxMs: 5000,
  gcIntervalMs: 100,
  gcBudget: 1000,
  batchBytes: 256 * 1024,
  chunkRecords: 1000,
  chunkBytes: 256 * 1024,
  framesPerPump: 16,
  chunksPerPump: 2,
  joinRecordsPerPump: 500,
  compressMinBytes: 512,
  pubsubQueueBytes: 8 * 1024 * 1024,
};

/** `1:12,2:7` (INFO's form) or `-` for the empty clock, so it is one RESP argument. */
export function formatClock(c: VectorClock): string {
  const s = c.toString();
  return s === '' ? '-' : s;
}

/** Parses formatClock's output; null when malformed. */
export function parseClock(s: string): VectorClock | null {
  const vc = new VectorClock();
  if (s === '-' || s === '') return vc;
  for (const part of s.split(',')) {
    const m = /^(\d{1,4}):(\d{1,16})$/.exec(part);
    if (m === null) return null;
    vc.set(Number(m[1]), Number(m[2]));
  }
  return vc;
}

/** Reconnect delay after `attempt` failures: exponential, capped, jittered to 50–100 %. */
export function backoffDelay(t: Timing, attempt: number, random: () => number): number {
  const exp = Math.min(t.backoffMaxMs, t.backoffBaseMs * 2 ** Math.min(attempt, 20));
  return Math.max(1, Math.round(exp * (0.5 + 0.5 * random())));
}
