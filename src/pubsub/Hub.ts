/**
 * The pub/sub hub of one server: which connection listens to which channel, pattern and shard
 * channel, and the delivery of every published message to their outboxes.
 *
 * Everything here is plain synchronous code, because PUBLISH (and every keyspace notification)
 * runs inside a batch, inside the single synchronous step on the keyspace. A delivery appends the
 * message, encoded once per publish, to the subscriber's outbox and wakes its connection fiber;
 * that fiber writes everything its outbox holds in one socket write (src/server/Connection.ts).
 * Messages from one publisher reach each subscriber in the order they were published: the outbox
 * is a FIFO and every append happens in publish order.
 *
 * Why an array per subscriber and not an Effect `Queue` or `PubSub` per subscriber: measured with
 * scripts/bench/pubsub-micro.ts (50 subscribers, ns per message per subscriber), handing a
 * message over costs 8 ns with a plain array against 45–200 ns for `Queue.offerUnsafe`
 * (2 400 ns through `Effect.runSync(Queue.offer)`), and taking it out costs nothing against
 * 280–1 000 ns for `Queue.takeAll`. One Effect `PubSub` per channel is cheaper (35 + 17 ns) but a
 * connection listens to many channels and patterns at once, which needs a fiber per subscription
 * feeding the connection. And the connection fiber already waits on its socket's events: a wake-up
 * there (SocketEvents.wake) is what makes it flush. Effect keeps what it is good at: the hub is a
 * scoped service (`PubSubHub`) whose lifetime installs and removes its keyspace observer, and the
 * connection fiber is the consumer that writes, waits for the socket and closes.
 *
 * A slow subscriber is bounded by `client-output-buffer-limit pubsub`: its backlog (outbox plus
 * bytes its socket has not sent) may not pass the hard limit, nor stay above the soft limit for
 * longer than its seconds (time from Effect's Clock). Past either it is disconnected at once and
 * its outbox dropped, so a subscriber that never reads holds at most the hard limit.
 */
import * as Context from "effect/Context"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Ref from "effect/Ref"
import type { RuntimeConfig } from "../config/RuntimeConfig.js"
import type { Database, KeyspaceHooks } from "../keyspace/Database.js"
import { Db, toByteString, type Bytes } from "../keyspace/Db.js"
import { stringMatch } from "../keyspace/glob.js"
import { ReplyWriter } from "../protocol/ReplyWriter.js"
import { type ClientState, Subscriber } from "../session/ClientState.js"
import { NotifyType } from "./keyspaceEvents.js"
import { writeMessage, writePatternMessage, writeShardMessage } from "./messages.js"

/** Where a publish comes from: the running command, whose own messages go into its reply. */
export interface Publisher {
  readonly client: ClientState
  readonly out: ReplyWriter
}

export class Hub {
  /** Channel → its subscribers, in subscription order. A channel nobody listens to is removed. */
  readonly channels = new Map<string, Set<Subscriber>>()
  /** Pattern → its subscribers; PUBLISH matches every pattern against the channel. */
  readonly patterns = new Map<string, Set<Subscriber>>()
  /** Shard channel → its subscribers: SPUBLISH's own namespace (no patterns). */
  readonly shardChannels = new Map<string, Set<Subscriber>>()
  /** Set when the server drains: from then on nothing is delivered. */
  closed = false
  /** Encodes a message once per publish (and per protocol) for every subscriber. */
  private readonly encoder = new ReplyWriter()

  constructor(
    private readonly config: RuntimeConfig,
    /** Effect's Clock, for the soft output limit when no batch time is at hand (active expiry). */
    private readonly clockMillis: () => number
  ) {}

  /** The client's pub/sub state, created on first use. */
  subscriberOf(client: ClientState): Subscriber {
    let subscriber = client.pubsub
    if (subscriber === undefined) {
      subscriber = new Subscriber(client)
      client.pubsub = subscriber
    }
    return subscriber
  }

  /** SUBSCRIBE one channel; the client's subscription count after it. */
  subscribe(client: ClientState, channel: string): number {
    const subscriber = this.subscriberOf(client)
    if (!subscriber.channels.has(channel)) {
      subscriber.channels.add(channel)
      addTo(this.channels, channel, subscriber)
    }
    return subscriber.count
  }

  /** UNSUBSCRIBE one channel (nothing happens when not subscribed); the count after it. */
  unsubscribe(client: ClientState, channel: string): number {
    const subscriber = client.pubsub
    if (subscriber === undefined) return 0
    if (subscriber.channels.delete(channel)) removeFrom(this.channels, channel, subscriber)
    return subscriber.count
  }

  psubscribe(client: ClientState, pattern: string): number {
    const subscriber = this.subscriberOf(client)
    if (!subscriber.patterns.has(pattern)) {
      subscriber.patterns.add(pattern)
      addTo(this.patterns, pattern, subscriber)
    }
    return subscriber.count
  }

  punsubscribe(client: ClientState, pattern: string): number {
    const subscriber = client.pubsub
    if (subscriber === undefined) return 0
    if (subscriber.patterns.delete(pattern)) removeFrom(this.patterns, pattern, subscriber)
    return subscriber.count
  }

  /** SSUBSCRIBE one shard channel; the client's shard subscription count after it. */
  ssubscribe(client: ClientState, channel: string): number {
    const subscriber = this.subscriberOf(client)
    if (!subscriber.shardChannels.has(channel)) {
      subscriber.shardChannels.add(channel)
      addTo(this.shardChannels, channel, subscriber)
    }
    return subscriber.shardChannels.size
  }

  sunsubscribe(client: ClientState, channel: string): number {
    const subscriber = client.pubsub
    if (subscriber === undefined) return 0
    if (subscriber.shardChannels.delete(channel)) removeFrom(this.shardChannels, channel, subscriber)
    return subscriber.shardChannels.size
  }

  /** Drops every subscription of the client (RESET, disconnect, shutdown). Its outbox stays. */
  removeClient(client: ClientState): void {
    const subscriber = client.pubsub
    if (subscriber === undefined) return
    for (const channel of subscriber.channels) removeFrom(this.channels, channel, subscriber)
    for (const pattern of subscriber.patterns) removeFrom(this.patterns, pattern, subscriber)
    for (const channel of subscriber.shardChannels) removeFrom(this.shardChannels, channel, subscriber)
    subscriber.channels.clear()
    subscriber.patterns.clear()
    subscriber.shardChannels.clear()
  }

  /**
   * PUBLISH: delivers `message` to the channel's subscribers, then to the subscribers of every
   * matching pattern; returns how many deliveries that made (Redis's count). `now` is the batch's
   * time; `publisher` the running command, whose own connection gets its messages in its reply.
   */
  publish(channel: string, message: string, now?: number, publisher?: Publisher): number {
    if (this.closed) return 0
    let receivers = 0
    const direct = this.channels.get(channel)
    if (direct !== undefined) {
      let resp2: Buffer | undefined
      let resp3: Buffer | undefined
      for (const subscriber of direct) {
        receivers++
        if (publisher !== undefined && subscriber.client === publisher.client) {
          writeMessage(publisher.out, channel, message)
          continue
        }
        let encoded: Buffer
        if (subscriber.client.protocol === 3) encoded = resp3 ??= this.encodeMessage(3, channel, message)
        else encoded = resp2 ??= this.encodeMessage(2, channel, message)
        this.deliver(subscriber, encoded, now)
      }
    }
    if (this.patterns.size !== 0) {
      for (const [pattern, subscribers] of this.patterns) {
        if (!stringMatch(pattern, channel)) continue
        let resp2: Buffer | undefined
        let resp3: Buffer | undefined
        for (const subscriber of subscribers) {
          receivers++
          if (publisher !== undefined && subscriber.client === publisher.client) {
            writePatternMessage(publisher.out, pattern, channel, message)
            continue
          }
          const resp = subscriber.client.protocol
          const encoded = resp === 3
            ? (resp3 ??= this.encodePatternMessage(3, pattern, channel, message))
            : (resp2 ??= this.encodePatternMessage(2, pattern, channel, message))
          this.deliver(subscriber, encoded, now)
        }
      }
    }
    return receivers
  }

  /** SPUBLISH: `smessage` to the shard channel's subscribers (patterns never see it). */
  spublish(channel: string, message: string, now?: number, publisher?: Publisher): number {
    if (this.closed) return 0
    const subscribers = this.shardChannels.get(channel)
    if (subscribers === undefined) return 0
    let receivers = 0
    let resp2: Buffer | undefined
    let resp3: Buffer | undefined
    for (const subscriber of subscribers) {
      receivers++
      if (publisher !== undefined && subscriber.client === publisher.client) {
        writeShardMessage(publisher.out, channel, message)
        continue
      }
      let encoded: Buffer
      if (subscriber.client.protocol === 3) encoded = resp3 ??= this.encodeShardMessage(3, channel, message)
      else encoded = resp2 ??= this.encodeShardMessage(2, channel, message)
      this.deliver(subscriber, encoded, now)
    }
    return receivers
  }

  /**
   * Publishes a keyspace notification, when `notify-keyspace-events` enables its class: the
   * event on `__keyspace@<db>__:<key>` (K), the key on `__keyevent@<db>__:<event>` (E).
   */
  notifyKeyspaceEvent(
    type: number,
    event: string,
    key: string,
    dbId: number,
    now?: number,
    publisher?: Publisher
  ): void {
    const flags = this.config.notifyKeyspaceEvents
    if ((flags & type) === 0 || (this.channels.size === 0 && this.patterns.size === 0)) return
    if ((flags & NotifyType.Keyspace) !== 0) this.publish(`__keyspace@${dbId}__:${key}`, event, now, publisher)
    if ((flags & NotifyType.Keyevent) !== 0) this.publish(`__keyevent@${dbId}__:${event}`, key, now, publisher)
  }

  /**
   * What the hub watches in the keyspace: keys that expire (passively or by the sweeper) and,
   * with the `n` class on, keys being created (a write to a key that is not there yet).
   */
  readonly keyspaceObserver: KeyspaceHooks = {
    beforeWrite: (db: Database, key: string) => {
      if ((this.config.notifyKeyspaceEvents & NotifyType.New) === 0) return
      // A time before every expiry: only asks whether the key is stored, expires nothing.
      if (db.get(key, Number.NEGATIVE_INFINITY) === undefined) {
        this.notifyKeyspaceEvent(NotifyType.New, "new", key, db.id)
      }
    },
    expired: (db: Database, key: string) => this.notifyKeyspaceEvent(NotifyType.Expired, "expired", key, db.id),
    // FLUSHDB/FLUSHALL/SWAPDB announce themselves (their commands notify); no event per key.
    flushed: () => {}
  }

  /** Channels with at least one subscriber (INFO's pubsub_channels). */
  get channelCount(): number {
    return this.channels.size
  }

  /** Distinct patterns with at least one subscriber (INFO's pubsub_patterns, PUBSUB NUMPAT). */
  get patternCount(): number {
    return this.patterns.size
  }

  /** Subscribers of one channel (PUBSUB NUMSUB). */
  subscriberCount(channel: string): number {
    return this.channels.get(channel)?.size ?? 0
  }

  /** Shard channels with at least one subscriber (INFO's pubsubshard_channels). */
  get shardChannelCount(): number {
    return this.shardChannels.size
  }

  /**
   * Hands a push already encoded in `client`'s protocol to its outbox, subscribed or not (client
   * side caching's invalidations), bounded as any message is.
   */
  push(client: ClientState, encoded: Buffer, now?: number): void {
    if (this.closed) return
    this.deliver(this.subscriberOf(client), encoded, now)
  }

  /** Appends a message to a subscriber's outbox, or disconnects it when that would pass its limit. */
  private deliver(subscriber: Subscriber, encoded: Buffer, now: number | undefined): void {
    if (subscriber.closed) return
    const backlog = subscriber.outboxBytes + subscriber.client.unsentBytes() + encoded.length
    const limit = this.config.outputBufferLimits.pubsub
    if (limit.hard > 0 && backlog > limit.hard) return this.disconnect(subscriber)
    if (limit.soft > 0 && backlog > limit.soft) {
      const at = now ?? this.clockMillis()
      if (subscriber.softLimitSince < 0) subscriber.softLimitSince = at
      else if (at - subscriber.softLimitSince > limit.softSeconds * 1000) return this.disconnect(subscriber)
    } else {
      subscriber.softLimitSince = -1
    }
    subscriber.outbox.push(encoded)
    subscriber.outboxBytes += encoded.length
    if (backlog > subscriber.peakBacklog) subscriber.peakBacklog = backlog
    if (subscriber.outbox.length === 1) subscriber.client.wakeWriter()
  }

  /** Past its output limit: the subscriber gets nothing more, and its connection is closed. */
  private disconnect(subscriber: Subscriber): void {
    subscriber.closed = true
    subscriber.outbox = []
    subscriber.outboxBytes = 0
    this.removeClient(subscriber.client)
    subscriber.client.kill()
  }

  private encodeMessage(protocol: number, channel: string, message: string): Buffer {
    this.encoder.protocol = protocol
    writeMessage(this.encoder, channel, message)
    return this.encoder.take()
  }

  private encodeShardMessage(protocol: number, channel: string, message: string): Buffer {
    this.encoder.protocol = protocol
    writeShardMessage(this.encoder, channel, message)
    return this.encoder.take()
  }

  private encodePatternMessage(protocol: number, pattern: string, channel: string, message: string): Buffer {
    this.encoder.protocol = protocol
    writePatternMessage(this.encoder, pattern, channel, message)
    return this.encoder.take()
  }
}

const addTo = (index: Map<string, Set<Subscriber>>, name: string, subscriber: Subscriber): void => {
  const subscribers = index.get(name)
  if (subscribers === undefined) index.set(name, new Set([subscriber]))
  else subscribers.add(subscriber)
}

/** Removes a subscriber; a name left without subscribers goes (no growth with channel churn). */
const removeFrom = (index: Map<string, Set<Subscriber>>, name: string, subscriber: Subscriber): void => {
  const subscribers = index.get(name)
  if (subscribers === undefined) return
  subscribers.delete(subscriber)
  if (subscribers.size === 0) index.delete(name)
}

/**
 * The hub as a service. `make` builds one for a server's live configuration and, for as long as
 * its scope is open, observes the keyspace (expired and new keys); closing the scope stops all
 * delivery. `publish` is PUBLISH for Effect code in the same process.
 */
export class PubSubHub extends Context.Service<PubSubHub, {
  readonly hub: Hub
  /** Publishes a message (UTF-8 text or raw bytes); succeeds with the number of receivers. */
  readonly publish: (channel: Bytes, message: Bytes) => Effect.Effect<number>
}>()("redfiber/PubSubHub") {
  static readonly make = (config: RuntimeConfig) =>
    Effect.gen(function*() {
      const clock = yield* Clock.Clock
      const keyspace = yield* Ref.get((yield* Db).keyspace)
      const hub = new Hub(config, () => clock.currentTimeMillisUnsafe())
      keyspace.observers.push(hub.keyspaceObserver)
      yield* Effect.addFinalizer(() =>
        Effect.sync(() => {
          hub.closed = true
          const at = keyspace.observers.indexOf(hub.keyspaceObserver)
          if (at >= 0) keyspace.observers.splice(at, 1)
        })
      )
      return PubSubHub.of({
        hub,
        publish: (channel, message) =>
          Effect.map(Clock.Clock, (now) =>
            hub.publish(toByteString(channel), toByteString(message), now.currentTimeMillisUnsafe()))
      })
    })

  static readonly layer = (config: RuntimeConfig) => Layer.effect(PubSubHub, PubSubHub.make(config))
}
