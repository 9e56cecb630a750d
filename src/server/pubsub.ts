/**
 * Pub/sub as Redis 7.0 does it (pubsub.c): channel, pattern and shard-channel subscriptions,
 * message delivery, and the commands SUBSCRIBE UNSUBSCRIBE PSUBSCRIBE PUNSUBSCRIBE PUBLISH
 * SSUBSCRIBE SUNSUBSCRIBE SPUBLISH PUBSUB.
 *
 * Active-Active (reference §2.11): a message published on one instance reaches the subscribers
 * of every instance through the replication links, once, and never comes back to its origin.
 * The seam with replication is PubSubHub, one per server:
 *
 *   - `publishLocal(channel, message, shard?)` is what PUBLISH (SPUBLISH with shard = true)
 *     calls. It delivers to this instance's subscribers, then calls every `onPublish` listener.
 *     Replication registers one and forwards (channel, message, shard) to its peers, on the
 *     same link as data effects and so with the same lag.
 *   - `deliverRemote(channel, message, shard?)` is what replication calls for a message a peer
 *     forwarded. It delivers to this instance's subscribers and calls no listener, so a message
 *     is never forwarded again: no echo to the origin, no loop in a full mesh.
 *
 * Both return the number of local receivers, and that is what PUBLISH answers: as in Redis
 * Enterprise, where PUBLISH counts the clients of the shard that ran it, the subscribers of other
 * instances are neither known nor counted. Channels and messages are latin1 byte strings (the
 * keyspace convention: one char per byte), so they cross the seam binary safe.
 */
import type { CommandSpec, ExecContext } from '../engine/command-table.js';
import { cmd, defineCommands } from '../engine/command-table.js';
import { globMatch } from '../engine/glob.js';
import type { Reply } from '../engine/reply.js';
import type { Client } from './client.js';

/** Told of every message published on this instance (never of one delivered from a peer). */
export type PublishListener = (channel: string, message: string, shard: boolean) => void;

/** The three name spaces a client subscribes in. Shard channels are separate from channels. */
export type Space = 'channels' | 'patterns' | 'shardChannels';

/** One client's subscriptions; the client holds `null` instead while it has none. */
export class Subscriptions {
  readonly channels = new Set<string>();
  readonly patterns = new Set<string>();
  readonly shardChannels = new Set<string>();

  /** The count (P)SUBSCRIBE and (P)UNSUBSCRIBE replies carry: channels plus patterns. */
  get count(): number {
    return this.channels.size + this.patterns.size;
  }

  /** The count S(UN)SUBSCRIBE replies carry. */
  get shardCount(): number {
    return this.shardChannels.size;
  }

  get empty(): boolean {
    return this.channels.size === 0 && this.patterns.size === 0 && this.shardChannels.size === 0;
  }
}

/** What the hub needs of a connection: Client satisfies it; the seam's unit test fakes it. */
export interface Subscriber {
  readonly out: Reply;
  readonly closed: boolean;
  subs: Subscriptions | null;
}

export class PubSubHub<S extends Subscriber = Subscriber> {
  /** Name → its subscribers, in subscription order (the order messages are delivered in). */
  private readonly index: Record<Space, Map<string, Set<S>>> = {
    channels: new Map(),
    patterns: new Map(),
    shardChannels: new Map(),
  };
  private readonly listeners = new Set<PublishListener>();
  /** Subscribers given a message since the last flush. */
  private readonly unflushed = new Set<S>();
  private flushQueued = false;
  private subscriberCount = 0;

  /**
   * `flush` writes a subscriber's buffered replies to its socket. Messages are batched: every
   * subscriber reached during one turn of the event loop is flushed once, on setImmediate, so a
   * pipeline of PUBLISHes costs each subscriber one socket write, not one per message.
   */
  constructor(private readonly flush: (s: S) => void) {}

  // ---- the replication seam ----------------------------------------------------------------

  /** Registers a listener of local publications; returns the function that removes it. */
  onPublish(listener: PublishListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** PUBLISH / SPUBLISH on this instance: deliver here, then tell the listeners (replication). */
  publishLocal(channel: string, message: string, shard = false): number {
    const n = this.deliver(channel, message, shard);
    for (const l of this.listeners) l(channel, message, shard);
    return n;
  }

  /** A message published on a peer: deliver here only, never forwarded again. */
  deliverRemote(channel: string, message: string, shard = false): number {
    return this.deliver(channel, message, shard);
  }

  // ---- figures -----------------------------------------------------------------------------

  /** Channels with at least one subscriber (INFO pubsub_channels). */
  get channelCount(): number {
    return this.index.channels.size;
  }

  /** Distinct patterns subscribed to (INFO pubsub_patterns, PUBSUB NUMPAT). */
  get patternCount(): number {
    return this.index.patterns.size;
  }

  /** Shard channels with at least one subscriber (INFO pubsubshard_channels). */
  get shardChannelCount(): number {
    return this.index.shardChannels.size;
  }

  /** Clients subscribed to anything (INFO pubsub_clients). */
  get clientCount(): number {
    return this.subscriberCount;
  }

  /** Subscribers of one channel (PUBSUB NUMSUB), patterns not included, as Redis counts. */
  subscribersOf(channel: string, shard = false): number {
    return this.index[shard ? 'shardChannels' : 'channels'].get(channel)?.size ?? 0;
  }

  /** Active channels matching a glob pattern, or all (PUBSUB CHANNELS / SHARDCHANNELS). */
  activeChannels(pattern: string | null, shard = false): string[] {
    const out: string[] = [];
    for (const ch of this.index[shard ? 'shardChannels' : 'channels'].keys()) {
      if (pattern === null || globMatch(pattern, ch)) out.push(ch);
    }
    return out;
  }

  // ---- subscriptions -----------------------------------------------------------------------

  /** Adds one subscription; a repeated one changes nothing. */
  add(s: S, space: Space, name: string): void {
    let subs = s.subs;
    if (subs === null) {
      subs = s.subs = new Subscriptions();
      this.subscriberCount++;
    }
    const mine = subs[space];
    if (mine.has(name)) return;
    mine.add(name);
    const idx = this.index[space];
    let set = idx.get(name);
    if (set === undefined) idx.set(name, (set = new Set()));
    set.add(s);
  }

  /** Removes one subscription; returns whether it existed. */
  remove(s: S, space: Space, name: string): boolean {
    const subs = s.subs;
    if (subs === null || !subs[space].delete(name)) return false;
    const idx = this.index[space];
    const set = idx.get(name)!;
    set.delete(s);
    if (set.size === 0) idx.delete(name);
    // A client subscribed to nothing leaves the subscriber context (Redis clears CLIENT_PUBSUB).
    if (subs.empty) {
      s.subs = null;
      this.subscriberCount--;
    }
    return true;
  }

  /** Drops every subscription of a client, silently (RESET, connection closed). */
  removeClient(s: S): void {
    const subs = s.subs;
    if (subs === null) return;
    for (const space of ['channels', 'patterns', 'shardChannels'] as const) {
      for (const name of [...subs[space]]) this.remove(s, space, name);
    }
  }

  // ---- delivery ----------------------------------------------------------------------------

  private deliver(channel: string, message: string, shard: boolean): number {
    let n = 0;
    if (shard) {
      const set = this.index.shardChannels.get(channel);
      if (set !== undefined) {
        for (const s of set) if (this.send(s, 'smessage', null, channel, message)) n++;
      }
      return n;
    }
    const set = this.index.channels.get(channel);
    if (set !== undefined) {
      for (const s of set) if (this.send(s, 'message', null, channel, message)) n++;
    }
    // Every pattern is tried against every message, as Redis does (O(patterns) per PUBLISH).
    for (const [pattern, subs] of this.index.patterns) {
      if (!globMatch(pattern, channel)) continue;
      for (const s of subs) if (this.send(s, 'pmessage', pattern, channel, message)) n++;
    }
    return n;
  }

  /** Writes one message: a push frame in RESP3, an array in RESP2 (addReplyPubsubMessage). */
  private send(s: S, kind: string, pattern: string | null, channel: string, message: string): boolean {
    // A connection closing after QUIT lingers until its socket closes: it receives nothing.
    if (s.closed) return false;
    const out = s.out;
    out.push(pattern === null ? 3 : 4);
    out.bulk(kind);
    if (pattern !== null) out.bulk(pattern);
    out.bulk(channel);
    out.bulk(message);
    this.unflushed.add(s);
    if (!this.flushQueued) {
      this.flushQueued = true;
      setImmediate(this.flushAll);
    }
    return true;
  }

  private readonly flushAll = (): void => {
    this.flushQueued = false;
    for (const s of this.unflushed) this.flush(s);
    this.unflushed.clear();
  };
}

// ---- commands ----------------------------------------------------------------------------

function client(ctx: ExecContext): Client {
  return ctx.session as Client;
}

/** The (un)subscribe confirmation: [kind, name or nil, count] (addReplyPubsub(Un)Subscribed). */
function confirm(out: Reply, kind: string, name: string | null, count: number): void {
  out.push(3);
  out.bulk(kind);
  out.bulk(name);
  out.integer(count);
}

function subscribeTo(ctx: ExecContext, argv: string[], space: Space, kind: string): void {
  const c = client(ctx);
  const hub = c.server.pubsub;
  const shard = space === 'shardChannels';
  for (let i = 1; i < argv.length; i++) {
    hub.add(c, space, argv[i]!);
    confirm(ctx.out, kind, argv[i]!, shard ? c.subs!.shardCount : c.subs!.count);
  }
}

function countOf(c: Client, shard: boolean): number {
  const subs = c.subs;
  if (subs === null) return 0;
  return shard ? subs.shardCount : subs.count;
}

/** Without names: every subscription of the space, or one [kind, nil, count] when none. */
function unsubscribeFrom(ctx: ExecContext, argv: string[], space: Space, kind: string): void {
  const c = client(ctx);
  const hub = c.server.pubsub;
  const shard = space === 'shardChannels';
  const names = argv.length > 1 ? argv.slice(1) : [...(c.subs?.[space] ?? [])];
  if (names.length === 0) return confirm(ctx.out, kind, null, countOf(c, shard));
  for (const name of names) {
    hub.remove(c, space, name);
    confirm(ctx.out, kind, name, countOf(c, shard));
  }
}

const subscribeCommand = (ctx: ExecContext, argv: string[]) => subscribeTo(ctx, argv, 'channels', 'subscribe');
const psubscribeCommand = (ctx: ExecContext, argv: string[]) => subscribeTo(ctx, argv, 'patterns', 'psubscribe');
const ssubscribeCommand = (ctx: ExecContext, argv: string[]) => subscribeTo(ctx, argv, 'shardChannels', 'ssubscribe');
const unsubscribeCommand = (ctx: ExecContext, argv: string[]) => unsubscribeFrom(ctx, argv, 'channels', 'unsubscribe');
const punsubscribeCommand = (ctx: ExecContext, argv: string[]) => unsubscribeFrom(ctx, argv, 'patterns', 'punsubscribe');
const sunsubscribeCommand = (ctx: ExecContext, argv: string[]) => unsubscribeFrom(ctx, argv, 'shardChannels', 'sunsubscribe');

function publishCommand(ctx: ExecContext, argv: string[]): void {
  ctx.out.integer(client(ctx).server.pubsub.publishLocal(argv[1]!, argv[2]!));
}

function spublishCommand(ctx: ExecContext, argv: string[]): void {
  ctx.out.integer(client(ctx).server.pubsub.publishLocal(argv[1]!, argv[2]!, true));
}

function pubsubChannels(ctx: ExecContext, argv: string[], shard: boolean): void {
  if (argv.length > 3) {
    return ctx.out.error(`ERR unknown subcommand or wrong number of arguments for '${argv[1]}'. Try PUBSUB HELP.`);
  }
  const names = client(ctx).server.pubsub.activeChannels(argv.length === 3 ? argv[2]! : null, shard);
  ctx.out.array(names.length);
  for (const n of names) ctx.out.bulk(n);
}

function pubsubNumsub(ctx: ExecContext, argv: string[], shard: boolean): void {
  const hub = client(ctx).server.pubsub;
  // An array of name, count pairs in RESP3 too, as Redis 7.0 sends it.
  ctx.out.array((argv.length - 2) * 2);
  for (let i = 2; i < argv.length; i++) {
    ctx.out.bulk(argv[i]!);
    ctx.out.integer(hub.subscribersOf(argv[i]!, shard));
  }
}

function pubsubNumpat(ctx: ExecContext): void {
  ctx.out.integer(client(ctx).server.pubsub.patternCount);
}

function pubsubHelp(ctx: ExecContext): void {
  const lines = [
    'PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
    'CHANNELS [<pattern>]',
    "    Return the currently active channels matching a <pattern> (default: '*').",
    'NUMPAT',
    '    Return number of subscriptions to patterns.',
    'NUMSUB [<channel> ...]',
    '    Return the number of subscribers for the specified channels, excluding',
    '    pattern subscriptions(default: no channels).',
    'SHARDCHANNELS [<pattern>]',
    "    Return the currently active shard level channels matching a <pattern> (default: '*').",
    'SHARDNUMSUB [<shardchannel> ...]',
    '    Return the number of subscribers for the specified shard level channel(s)',
    'HELP',
    '    Prints this help.',
  ];
  ctx.out.array(lines.length);
  for (const l of lines) ctx.out.simple(l);
}

/** PING of a RESP2 client in the subscriber context: ["pong", argument or ""] (pingCommand). */
export function subscriberPing(out: Reply, argv: string[]): void {
  out.array(2);
  out.bulk('pong');
  out.bulk(argv.length === 2 ? argv[1]! : '');
}

/** The only commands a RESP2 client may run while subscribed (processCommand). */
const SUBSCRIBER_CONTEXT = new Set(['ping', 'subscribe', 'ssubscribe', 'unsubscribe', 'sunsubscribe', 'psubscribe', 'punsubscribe', 'quit', 'reset']);

/**
 * The error for a command a RESP2 subscriber may not run, or null. RESP2 cannot tell a reply
 * from a message, so Redis limits a subscribed RESP2 connection; RESP3 push frames lift that.
 */
export function subscriberContextRefusal(c: Client, spec: CommandSpec): string | null {
  if (c.subs === null || c.resp !== 2 || SUBSCRIBER_CONTEXT.has(spec.name)) return null;
  return `ERR Can't execute '${spec.name}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context`;
}

const pdoc = (summary: string, since: string, complexity: string) => ({ group: 'pubsub', summary, since, complexity });
const SUB_FLAGS = ['pubsub', 'noscript', 'loading', 'stale'] as const;
const SUB_ACL = ['pubsub', 'slow'] as const;
const PUB_FLAGS = ['pubsub', 'loading', 'stale', 'fast'] as const;
const PUB_ACL = ['pubsub', 'fast'] as const;

const pubsubSubcommands: CommandSpec[] = [
  cmd('pubsub|help', 2, ['loading', 'stale'], null, ['slow'], pdoc('Show helpful text about the different subcommands', '6.2.0', 'O(1)'), pubsubHelp),
  cmd('pubsub|numpat', 2, ['pubsub', 'loading', 'stale'], null, SUB_ACL, pdoc('Get the count of unique patterns pattern subscriptions', '2.8.0', 'O(1)'), pubsubNumpat),
  cmd('pubsub|channels', -2, ['pubsub', 'loading', 'stale'], null, SUB_ACL, pdoc('List active channels', '2.8.0', 'O(N) where N is the number of active channels, and assuming constant time pattern matching (relatively short channels and patterns)'), (ctx, argv) => pubsubChannels(ctx, argv, false)),
  cmd('pubsub|numsub', -2, ['pubsub', 'loading', 'stale'], null, SUB_ACL, pdoc('Get the count of subscribers for channels', '2.8.0', 'O(N) for the NUMSUB subcommand, where N is the number of requested channels'), (ctx, argv) => pubsubNumsub(ctx, argv, false)),
  cmd('pubsub|shardchannels', -2, ['pubsub', 'loading', 'stale'], null, SUB_ACL, pdoc('List active shard channels', '7.0.0', 'O(N) where N is the number of active shard channels, and assuming constant time pattern matching (relatively short shard channels).'), (ctx, argv) => pubsubChannels(ctx, argv, true)),
  cmd('pubsub|shardnumsub', -2, ['pubsub', 'loading', 'stale'], null, SUB_ACL, pdoc('Get the count of subscribers for shard channels', '7.0.0', 'O(N) for the SHARDNUMSUB subcommand, where N is the number of requested shard channels'), (ctx, argv) => pubsubNumsub(ctx, argv, true)),
];

export const pubsubCommands: CommandSpec[] = [
  cmd('subscribe', -2, SUB_FLAGS, null, SUB_ACL, pdoc('Listen for messages published to the given channels', '2.0.0', 'O(N) where N is the number of channels to subscribe to.'), subscribeCommand),
  cmd('unsubscribe', -1, SUB_FLAGS, null, SUB_ACL, pdoc('Stop listening for messages posted to the given channels', '2.0.0', 'O(N) where N is the number of clients already subscribed to a channel.'), unsubscribeCommand),
  cmd('psubscribe', -2, SUB_FLAGS, null, SUB_ACL, pdoc('Listen for messages published to channels matching the given patterns', '2.0.0', 'O(N) where N is the number of patterns the client is already subscribed to.'), psubscribeCommand),
  cmd('punsubscribe', -1, SUB_FLAGS, null, SUB_ACL, pdoc('Stop listening for messages posted to channels matching the given patterns', '2.0.0', 'O(N+M) where N is the number of patterns the client is already subscribed and M is the number of total patterns subscribed in the system (by any client).'), punsubscribeCommand),
  cmd('publish', 3, PUB_FLAGS, null, PUB_ACL, pdoc('Post a message to a channel', '2.0.0', 'O(N+M) where N is the number of clients subscribed to the receiving channel and M is the total number of subscribed patterns (by any client).'), publishCommand),
  cmd('ssubscribe', -2, SUB_FLAGS, [1, -1, 1], SUB_ACL, pdoc('Listen for messages published to the given shard channels', '7.0.0', 'O(N) where N is the number of shard channels to subscribe to.'), ssubscribeCommand),
  cmd('sunsubscribe', -1, SUB_FLAGS, [1, -1, 1], SUB_ACL, pdoc('Stop listening for messages posted to the given shard channels', '7.0.0', 'O(N) where N is the number of clients already subscribed to a shard channel.'), sunsubscribeCommand),
  cmd('spublish', 3, PUB_FLAGS, [1, 1, 1], PUB_ACL, pdoc('Post a message to a shard channel', '7.0.0', 'O(N) where N is the number of clients subscribed to the receiving shard channel.'), spublishCommand),
  cmd('pubsub', -2, [], null, ['slow'], pdoc('A container for Pub/Sub commands', '2.8.0', 'Depends on subcommand.'), undefined, pubsubSubcommands),
];

defineCommands(pubsubCommands);
