/**
 * Broadcasts "shut down" to every connection fiber (the seed's `broadcast::Sender<()>`).
 *
 * Built on an Effect `PubSub`: each connection subscribes in its own scope and forks a tiny
 * watcher that tells its socket loop to finish up. `started` covers the one gap a broadcast has:
 * a connection that subscribes after the announcement learns of it from the flag instead.
 */
import * as Effect from "effect/Effect"
import * as PubSub from "effect/PubSub"
import type * as Scope from "effect/Scope"

export class ShutdownHub {
  started = false

  private constructor(private readonly pubsub: PubSub.PubSub<void>) {}

  static readonly make: Effect.Effect<ShutdownHub, never, Scope.Scope> = Effect.acquireRelease(
    PubSub.unbounded<void>(),
    PubSub.shutdown
  ).pipe(Effect.map((pubsub) => new ShutdownHub(pubsub)))

  /** Announces shutdown to every subscriber (once). */
  readonly announce: Effect.Effect<void> = Effect.suspend(() => {
    if (this.started) return Effect.void
    this.started = true
    return PubSub.publish(this.pubsub, undefined)
  })

  /** Runs `onShutdown` when shutdown is announced, for as long as the caller's scope is open. */
  readonly subscribe = (onShutdown: () => void): Effect.Effect<void, never, Scope.Scope> =>
    Effect.gen({ self: this }, function*() {
      const subscription = yield* PubSub.subscribe(this.pubsub)
      if (this.started) {
        onShutdown()
        return
      }
      yield* PubSub.take(subscription).pipe(
        Effect.andThen(Effect.sync(() => onShutdown())),
        Effect.forkScoped
      )
    })
}
