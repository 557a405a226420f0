/**
 * One connection's side of pub/sub: the channels, patterns and shard channels it listens to (in
 * the order it subscribed, which is the order a bare (P|S)UNSUBSCRIBE leaves them), and its
 * outbox: the messages published to it that its connection fiber has not written to the socket yet.
 *
 * Created on a connection's first (P|S)SUBSCRIBE and kept while the connection lives
 * (an outbox may still hold messages after the last subscription is gone).
 */
import type { ClientState } from "./ClientState.js"

export class Subscriber {
  readonly channels = new Set<string>()
  readonly patterns = new Set<string>()
  readonly shardChannels = new Set<string>()
  /** Encoded messages, oldest first, and their total size. */
  outbox: Array<Buffer> = []
  outboxBytes = 0
  /** When the backlog went above the soft output limit (ms, Effect's Clock); -1 while below it. */
  softLimitSince = -1
  /** The largest backlog (outbox plus unsent socket bytes) this subscriber ever had. */
  peakBacklog = 0
  /** Disconnected (output limit, shutdown): nothing more is delivered to it. */
  closed = false

  constructor(readonly client: ClientState) {}

  /** Channels and patterns: what (P)(UN)SUBSCRIBE replies count. */
  get count(): number {
    return this.channels.size + this.patterns.size
  }

  /** Any subscription at all, shard channels included (Redis's CLIENT_PUBSUB flag). */
  get subscribed(): boolean {
    return this.channels.size !== 0 || this.patterns.size !== 0 || this.shardChannels.size !== 0
  }

  /** Everything in the outbox as one buffer (undefined when empty); the outbox starts over. */
  takeOutbox(): Buffer | undefined {
    if (this.outboxBytes === 0) return undefined
    const outbox = this.outbox
    const bytes = this.outboxBytes
    this.outbox = []
    this.outboxBytes = 0
    return outbox.length === 1 ? outbox[0] : Buffer.concat(outbox, bytes)
  }
}
