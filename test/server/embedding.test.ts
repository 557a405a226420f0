/**
 * Embedding: the server is a Layer composed into another Effect app. The app's own service and
 * a TCP client (ioredis) share one keyspace through `Db`; closing the app's scope drains the
 * server like Ctrl+C does.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Scope from "effect/Scope"
import * as Exit from "effect/Exit"
import { Redis } from "ioredis"
import { Db, RedisServer } from "../../src/index.js"

/** A tiny app service that keeps visit counters in the shared keyspace. */
class Visits extends Context.Service<Visits, {
  readonly record: (page: string) => Effect.Effect<void>
  readonly count: (page: string) => Effect.Effect<number>
}>()("test/Visits") {
  static readonly layer = Layer.effect(
    Visits,
    Effect.gen(function*() {
      const db = yield* Db
      const count = (page: string) =>
        Effect.map(db.get(`visits:${page}`), (value) => Number(Option.getOrElse(value, () => "0")))
      return {
        count,
        record: (page) => Effect.flatMap(count(page), (n) => db.set(`visits:${page}`, String(n + 1)))
      }
    })
  )
}

const AppLayer = Visits.layer.pipe(Layer.provideMerge(RedisServer.layerWithDb({ port: 0 })))

describe("the server as a Layer", () => {
  it.live("an app service and an ioredis client share one keyspace; closing the scope drains", () =>
    Effect.gen(function*() {
      const scope = yield* Scope.make()
      const context = yield* Layer.buildWithScope(AppLayer, scope)
      const visits = Context.get(context, Visits)
      const server = Context.get(context, RedisServer)

      const redis = new Redis({
        port: server.address.port,
        host: "127.0.0.1",
        lazyConnect: true,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null // the server is about to stop on purpose: no reconnecting
      })
      yield* Effect.promise(() => redis.connect())

      yield* visits.record("home")
      yield* visits.record("home")
      expect(yield* Effect.promise(() => redis.get("visits:home"))).toBe("2")
      yield* Effect.promise(() => redis.set("visits:about", "41"))
      yield* visits.record("about")
      expect(yield* visits.count("about")).toBe(42)
      expect(yield* Effect.promise(() => redis.ping())).toBe("PONG")

      const closed = new Promise<void>((resolve) => redis.once("end", () => resolve()))
      yield* Scope.close(scope, Exit.void)
      // The drain closed our connection: the client sees the end.
      yield* Effect.promise(() => closed)
      const summary = yield* server.drain
      expect(summary.connections).toBe(1)
      expect(summary.interrupted).toBe(0)
    }))
})
