/**
 * A subscription on its own connection (a subscribed RESP2 connection can run nothing else).
 *
 * `Subscriber.make` connects, sends SUBSCRIBE (or PSUBSCRIBE) and returns once the server has
 * confirmed every name, so a message published after it returns is delivered. From then on every
 * push the server sends (the confirmations included, as redis-cli shows them) is queued for the
 * `pushes` stream, in the order it arrived. When the consumer falls behind, the socket stops
 * being read, so the backlog waits in the kernel and in the server (which disconnects a
 * subscriber past its output buffer limit) instead of growing here.
 *
 * If the connection drops, the subscriber reconnects on the client's `reconnect` Schedule and
 * subscribes again (messages published in between are lost, as with any Redis client); if the
 * schedule gives up, the stream fails with a `RedisConnectionError`. Closing the scope sends
 * UNSUBSCRIBE (PUNSUBSCRIBE), waits briefly for its confirmation, and closes the connection.
 */
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Queue from "effect/Queue"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import { type ConnectionOptions, establish } from "./CommandConnection.js"
import { encodeCommand } from "./encodeCommand.js"
import { RedisConnectionError, type RedisError, RedisReplyError } from "./errors.js"
import type { Link } from "./Link.js"
import type { RespValue } from "./RespValue.js"

export type SubscriptionKind = "subscribe" | "psubscribe"

/** Above this many queued pushes the socket is paused; below the low mark it reads again. */
const HIGH_WATER = 16 * 1024
const LOW_WATER = 1024
/** How long closing waits for the server to confirm UNSUBSCRIBE before closing the socket anyway. */
const UNSUBSCRIBE_WAIT_MS = 1000
/** Wakes a parked consumer once the subscription has failed for good. */
const END: unique symbol = Symbol("end")

/** The kind of a push: its first element as text (`message`, `subscribe`, ...). */
export const pushKind = (reply: RespValue): string | undefined =>
  Array.isArray(reply) && Buffer.isBuffer(reply[0]) ? reply[0].toString("latin1") : undefined

export class Subscriber {
  private link: Link | undefined = undefined
  private failure: RedisConnectionError | undefined = undefined
  private paused = false
  private closing = false

  private constructor(
    private readonly options: ConnectionOptions,
    readonly kind: SubscriptionKind,
    readonly names: ReadonlyArray<string | Buffer>,
    private readonly queue: Queue.Queue<RespValue | typeof END>
  ) {}

  static make(
    options: ConnectionOptions,
    kind: SubscriptionKind,
    names: ReadonlyArray<string | Buffer>
  ): Effect.Effect<Subscriber, RedisError, Scope.Scope> {
    return Effect.gen(function*() {
      const subscriber = new Subscriber(options, kind, names, yield* Queue.unbounded<RespValue | typeof END>())
      yield* subscriber.connect
      yield* Effect.addFinalizer(() => subscriber.close)
      yield* Effect.forkScoped(subscriber.supervise)
      return subscriber
    })
  }

  /** Every push from the server, in order: confirmations and messages alike. */
  get pushes(): Stream.Stream<RespValue, RedisConnectionError> {
    const pull = Effect.suspend(() => {
      if (this.failure !== undefined && this.queuedCount() === 0) return Effect.fail(this.failure)
      return Effect.map(Queue.takeBetween(this.queue, 1, 4096), (items) => {
        if (this.paused && this.queuedCount() < LOW_WATER) {
          this.paused = false
          this.link?.socket.resume()
        }
        return items.filter((item): item is RespValue => item !== END)
      })
    })
    return Stream.fromEffectRepeat(pull).pipe(Stream.flattenIterable)
  }

  private queuedCount(): number {
    return Queue.sizeUnsafe(this.queue)
  }

  /** Opens a connection and subscribes; succeeds once every name is confirmed. */
  private get connect(): Effect.Effect<void, RedisError> {
    return Effect.gen({ self: this }, function*() {
      const link = yield* establish(this.options, { username: this.options.username, password: this.options.password, db: 0 })
      const confirmed = Deferred.makeUnsafe<void, RedisError>()
      let unconfirmed = this.names.length
      link.onPush = (reply) => {
        if (reply instanceof RedisReplyError) {
          // The server refused the subscription (the only command sent): fail the connect.
          Deferred.doneUnsafe(confirmed, Exit.fail(reply))
          return
        }
        if (unconfirmed > 0 && pushKind(reply) === this.kind && --unconfirmed === 0) {
          Deferred.doneUnsafe(confirmed, Exit.void)
        }
        this.offer(reply)
      }
      link.writeUnowed(encodeCommand([this.kind.toUpperCase(), ...this.names]))
      this.link = link
      yield* Effect.raceFirst(
        Deferred.await(confirmed),
        Effect.andThen(Deferred.await(link.closed), Effect.fail(this.lost(link)))
      ).pipe(Effect.onError(() => Effect.sync(() => link.close(this.lost(link)))))
    })
  }

  private offer(reply: RespValue): void {
    Queue.offerUnsafe(this.queue, reply)
    if (!this.paused && this.queuedCount() >= HIGH_WATER) {
      this.paused = true
      this.link?.socket.pause()
    }
  }

  private lost(link: Link): RedisConnectionError {
    return new RedisConnectionError({
      reason: "ConnectionLost",
      message: `Subscription connection to ${this.options.host}:${this.options.port} lost`,
      cause: link.lostError()
    })
  }

  /** Resubscribes on a new connection each time the current one drops. */
  private get supervise(): Effect.Effect<void> {
    // A refusal (e.g. a NOPERM reply) will not change by retrying: it ends the retries as a value.
    const resubscribe = Effect.suspend(() => this.connect).pipe(
      Effect.catchTag("RedisReplyError", (refusal) => Effect.succeed(refusal)),
      Effect.retry(this.options.reconnect)
    )
    const loop: Effect.Effect<void> = Effect.suspend(() => Deferred.await(this.link!.closed)).pipe(
      Effect.andThen(Effect.suspend(() => {
        if (this.closing) return Effect.void
        this.paused = false
        const end = (error: RedisConnectionError) =>
          Effect.sync(() => {
            this.failure = error
            Queue.offerUnsafe(this.queue, END)
          })
        return Effect.matchEffect(resubscribe, {
          onSuccess: (refusal) =>
            refusal === undefined
              ? loop
              : end(new RedisConnectionError({ reason: "ConnectFailed", message: refusal.message, cause: refusal })),
          onFailure: end
        })
      }))
    )
    return loop
  }

  private get close(): Effect.Effect<void> {
    return Effect.suspend(() => {
      this.closing = true
      const link = this.link
      if (link === undefined || link.isClosed) return Effect.void
      const unsubscribe = this.kind === "subscribe" ? "UNSUBSCRIBE" : "PUNSUBSCRIBE"
      const done = Deferred.makeUnsafe<void>()
      link.onPush = (reply) => {
        // The last confirmation reports 0 subscriptions left on the connection.
        if (Array.isArray(reply) && pushKind(reply) === unsubscribe.toLowerCase() && reply[2] === 0) {
          Deferred.doneUnsafe(done, Exit.void)
        }
      }
      link.socket.resume()
      link.writeUnowed(encodeCommand([unsubscribe]))
      // Finalizers run uninterruptibly; the race must be able to interrupt its loser.
      return Effect.raceFirst(Deferred.await(done), Deferred.await(link.closed)).pipe(
        Effect.timeout(UNSUBSCRIBE_WAIT_MS),
        Effect.interruptible,
        Effect.ignore,
        Effect.ensuring(Effect.sync(() =>
          link.close(new RedisConnectionError({ reason: "ClientClosed", message: "Subscription closed" }))
        ))
      )
    })
  }
}
