/**
 * One app, three Layers: a small service written once against `RedisClient` runs through the
 * in-process client of an embedded server, through TCP to redfiber, and through TCP to a real
 * Redis, with the same results. Under TestClock the in-process Layer also lets an app's tests
 * cover hours of TTLs and blocking timeouts in milliseconds.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/testing/TestClock"
import { RedisReplyError } from "../../src/client/errors.js"
import { RedisClient } from "../../src/client/RedisClient.js"
import * as InProcessClient from "../../src/embedding/InProcessClient.js"
import { RedisServer } from "../../src/server/RedisServer.js"
import { hasRealRedis, type RunningServer, startRealRedis, startRedfiber } from "../support/servers.js"

/** The app: sessions with a TTL and a job queue, on nothing but the RedisClient service. */
class Sessions extends Context.Service<Sessions, {
  readonly open: (user: string) => Effect.Effect<string, RedisReplyError | import("../../src/client/errors.js").RedisConnectionError>
  readonly find: (token: string) => Effect.Effect<Option.Option<string>, import("../../src/client/errors.js").RedisError>
  readonly enqueue: (job: string) => Effect.Effect<number, import("../../src/client/errors.js").RedisError>
  readonly take: (timeoutSeconds: number) => Effect.Effect<Option.Option<string>, import("../../src/client/errors.js").RedisError>
}>()("test/Sessions") {
  static readonly layer = Layer.effect(
    Sessions,
    Effect.map(RedisClient, (redis) => {
      let counter = 0
      return Sessions.of({
        open: (user) =>
          Effect.gen(function*() {
            const token = `t${++counter}`
            yield* redis.set(`session:${token}`, user, { ttl: "30 minutes" })
            yield* redis.hset(`user:${user}`, { lastToken: token })
            yield* redis.command("ZADD", "logins", counter, user)
            return token
          }),
        find: (token) => redis.get(`session:${token}`),
        enqueue: (job) => redis.rpush("jobs", job),
        take: (timeoutSeconds) =>
          Effect.map(redis.command("BLPOP", "jobs", timeoutSeconds), (reply) =>
            Array.isArray(reply) ? Option.some(String(reply[1])) : Option.none())
      })
    })
  )
}

/** What the app does, and what every Layer must answer the same way. */
const scenario = Effect.gen(function*() {
  const sessions = yield* Sessions
  const redis = yield* RedisClient
  yield* redis.flushall
  const token = yield* sessions.open("ada")
  const found = yield* sessions.find(token)
  const ttl = yield* redis.ttl(`session:${token}`)
  const user = yield* redis.hgetall("user:ada")
  yield* sessions.enqueue("mail")
  const job = yield* sessions.take(1)
  const wrongType = yield* Effect.flip(redis.command("LPUSH", "user:ada", "x"))
  const unknown = yield* Effect.flip(redis.command("NOSUCHCOMMAND"))
  const encoding = yield* redis.command("OBJECT", "ENCODING", "logins")
  return {
    found,
    ttl,
    user,
    job,
    wrongType: wrongType.message,
    unknown: unknown.message,
    encoding: Buffer.isBuffer(encoding) ? encoding.toString() : encoding
  }
})

const expected = {
  found: Option.some("ada"),
  ttl: 1800,
  user: { lastToken: "t1" },
  job: Option.some("mail"),
  wrongType: "WRONGTYPE Operation against a key holding the wrong kind of value",
  unknown: "ERR unknown command 'NOSUCHCOMMAND', with args beginning with: ",
  encoding: "listpack"
}

describe("one RedisClient interface, three Layers", () => {
  it.effect("in process, through the embedded server's command table", () =>
    Effect.gen(function*() {
      const context = yield* Layer.build(Sessions.layer.pipe(Layer.provideMerge(InProcessClient.layerWithServer({ port: 0 }))))
      expect(yield* Effect.provide(scenario, context)).toEqual(expected)
      // The server saw an ordinary client: counted, listed, and its writes in the stats.
      const server = Context.get(context, RedisServer)
      expect(server.state.stats.totalConnectionsReceived).toBeGreaterThanOrEqual(1)
      const list = yield* Effect.provide(RedisClient, context).pipe(Effect.flatMap((redis) => redis.command("CLIENT", "LIST")))
      expect(String(list)).toContain("addr=127.0.0.1:")
    }))

  const targets: Array<readonly [string, () => Promise<RunningServer>]> = [["redfiber", () => startRedfiber()]]
  if (hasRealRedis) targets.push(["real Redis 7", () => startRealRedis()])
  describe.each(targets)("over TCP to %s", (_name, start) => {
    let server: RunningServer
    beforeAll(async () => {
      server = await start()
    })
    afterAll(async () => {
      await server?.stop()
    })
    it.effect("the same scenario, the same results", () =>
      Effect.gen(function*() {
        const context = yield* Layer.build(Sessions.layer.pipe(Layer.provideMerge(RedisClient.layer({ port: server.port }))))
        expect(yield* Effect.provide(scenario, context)).toEqual(expected)
      }))
  })
})

describe("the in-process Layer under TestClock", () => {
  const build = Layer.build(Sessions.layer.pipe(Layer.provideMerge(InProcessClient.layerWithServer({ port: 0 }))))

  it.effect("a 30-minute session expires at 30 virtual minutes", () =>
    Effect.gen(function*() {
      const context = yield* build
      const sessions = Context.get(context, Sessions)
      const token = yield* sessions.open("grace")
      yield* TestClock.adjust("1799999 millis")
      expect(yield* sessions.find(token)).toEqual(Option.some("grace"))
      yield* TestClock.adjust("1 millis")
      expect(yield* sessions.find(token)).toEqual(Option.none())
    }))

  it.effect("a BLPOP times out on virtual time, and another is served by a later enqueue", () =>
    Effect.gen(function*() {
      const context = yield* build
      const sessions = Context.get(context, Sessions)
      const redis = Context.get(context, RedisClient)
      // Commands from one client run in order, so the waiting take needs a second client.
      const worker = yield* Layer.build(InProcessClient.layer()).pipe(Effect.provide(context))
      const take = Context.get(worker, RedisClient)
      const waiting = yield* Effect.forkChild(Effect.map(take.command("BLPOP", "jobs", 3600), (reply) => reply))
      yield* Effect.repeat(
        Effect.map(redis.command("INFO", "clients"), (info) => String(info).includes("blocked_clients:1")),
        { until: (blocked) => blocked }
      )
      yield* TestClock.adjust("3599 seconds")
      expect(waiting.pollUnsafe()).toBeUndefined()
      yield* TestClock.adjust("1 seconds")
      expect(yield* Fiber.join(waiting)).toBe(null)
      const served = yield* Effect.forkChild(take.command("BLPOP", "jobs", 3600))
      yield* Effect.repeat(
        Effect.map(redis.command("INFO", "clients"), (info) => String(info).includes("blocked_clients:1")),
        { until: (blocked) => blocked }
      )
      yield* sessions.enqueue("report")
      expect(yield* Fiber.join(served)).toEqual([Buffer.from("jobs"), Buffer.from("report")])
    }))

  it.effect("keyspace notifications reach an in-process subscriber", () =>
    Effect.gen(function*() {
      const context = yield* build
      const redis = Context.get(context, RedisClient)
      yield* redis.command("CONFIG", "SET", "notify-keyspace-events", "Ex")
      const messages = yield* redis.subscribe(["__keyevent@0__:expired"])
      const collected = yield* Effect.forkChild(Stream.runCollect(Stream.take(messages, 1)))
      yield* redis.set("cart", "3 items", { ttl: "2 hours" })
      yield* TestClock.adjust("2 hours")
      expect(Array.from(yield* Fiber.join(collected))).toEqual([
        { channel: "__keyevent@0__:expired", message: "cart" }
      ])
    }))
})

describe("a client's SHUTDOWN inside an embedding app", () => {
  it.effect("refused when the app owns the server's lifetime", () =>
    Effect.gen(function*() {
      const context = yield* Layer.build(InProcessClient.layerWithServer({ port: 0 }, {}, { onShutdownCommand: "refuse" }))
      const redis = Context.get(context, RedisClient)
      const error = yield* Effect.flip(redis.command("SHUTDOWN", "NOSAVE"))
      expect(error.message).toBe("ERR Errors trying to SHUTDOWN. Check logs.")
      expect(yield* redis.ping()).toBe("PONG")
    }))

  it.effect("by default it stops the server, and the app is told", () =>
    Effect.gen(function*() {
      const context = yield* Layer.build(InProcessClient.layerWithServer({ port: 0 }))
      const redis = Context.get(context, RedisClient)
      const server = Context.get(context, RedisServer)
      yield* Effect.forkChild(Effect.result(redis.command("SHUTDOWN", "NOSAVE")))
      expect(yield* server.shutdownRequested).toBe("nosave")
    }))
})
