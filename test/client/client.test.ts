/**
 * RedisClient against our server and a real Redis 7, one suite for both (`describe.each`): typed
 * replies, helpers, errors, pipelining, sessions (AUTH, SELECT), reconnection, and pub/sub.
 * Network faults are made with a TCP proxy between the client and the server, so they are the
 * same on both targets.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import { RedisConnectionError, RedisReplyError } from "../../src/client/errors.js"
import { RedisClient, type RedisClientConfig } from "../../src/client/RedisClient.js"
import { RawClient } from "../support/RawClient.js"
import { freePort, hasRealRedis, type RunningServer, startRealRedis, startRedfiber } from "../support/servers.js"
import { TcpProxy } from "../support/TcpProxy.js"

const targets: Array<readonly [string, () => Promise<RunningServer>]> = [["redfiber", () => startRedfiber()]]
if (hasRealRedis) targets.push(["real Redis 7", () => startRealRedis()])

/** A quick schedule for tests: 10 retries 20 ms apart. */
const quickRetries = Schedule.max([Schedule.spaced("20 millis"), Schedule.recurs(10)])

describe.each(targets)("RedisClient against %s", (_name, start) => {
  let server: RunningServer
  let admin: RawClient

  beforeAll(async () => {
    server = await start()
    admin = await RawClient.connect(server.port)
  })
  afterAll(async () => {
    admin?.close()
    await server?.stop()
  })

  /** Runs `body` with a client connected to the server (or to `port`), in its own scope. */
  const withClient = <A, E>(
    body: (redis: RedisClient["Service"]) => Effect.Effect<A, E, Scope.Scope>,
    config: RedisClientConfig = {}
  ) =>
    Effect.scoped(
      Effect.flatMap(RedisClient.make({ port: server.port, reconnect: quickRetries, ...config }), body)
    )

  describe("replies", () => {
    it.live("command gives each RESP2 type as its JavaScript value", () =>
      withClient((redis) =>
        Effect.gen(function*() {
          yield* redis.command("DEL", "t:str", "t:big")
          expect(yield* redis.command("SET", "t:str", "hello")).toBe("OK")
          expect(yield* redis.command("GET", "t:str")).toEqual(Buffer.from("hello"))
          expect(yield* redis.command("GET", "t:missing")).toBe(null)
          expect(yield* redis.command("EXISTS", "t:str", "t:missing")).toBe(1)
          expect(yield* redis.command("MGET", "t:str", "t:missing")).toEqual([Buffer.from("hello"), null])
          expect(yield* redis.command("INCRBY", "t:big", "9223372036854775806")).toBe(9223372036854775806n)
          expect(yield* redis.command("INCR", "t:big")).toBe(9223372036854775807n)
          expect(yield* redis.command("DECRBY", "t:big", "9223372036854775807")).toBe(0)
          expect(yield* redis.command("PING")).toBe("PONG")
        })
      ))

    it.live("an error reply fails with RedisReplyError carrying Redis's text and prefix", () =>
      withClient((redis) =>
        Effect.gen(function*() {
          yield* redis.set("t:notint", "abc")
          const error = yield* Effect.flip(redis.command("INCR", "t:notint"))
          expect(error).toBeInstanceOf(RedisReplyError)
          expect(error).toMatchObject({ prefix: "ERR", message: "ERR value is not an integer or out of range" })
          const unknown = yield* Effect.flip(redis.command("NOSUCHCOMMAND", "a"))
          expect(unknown.message).toBe("ERR unknown command 'NOSUCHCOMMAND', with args beginning with: 'a' ")
          const arity = yield* Effect.flip(redis.get("a").pipe(Effect.andThen(redis.command("GET"))))
          expect(arity.message).toBe("ERR wrong number of arguments for 'get' command")
          // The connection goes on after errors.
          expect(yield* redis.ping()).toBe("PONG")
        })
      ))

    it("WRONGTYPE comes back with its prefix", async () => {
      await Effect.runPromise(withClient((redis) =>
          Effect.gen(function*() {
            yield* redis.del("t:list")
            yield* redis.rpush("t:list", "a")
            const error = yield* Effect.flip(redis.get("t:list"))
            expect(error).toMatchObject({
              _tag: "RedisReplyError",
              prefix: "WRONGTYPE",
              message: "WRONGTYPE Operation against a key holding the wrong kind of value"
            })
          })
        ))
    })

    it.live("keys and values are binary-safe, and text is UTF-8", () =>
      withClient((redis) =>
        Effect.gen(function*() {
          const allBytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i))
          yield* redis.set(allBytes, allBytes)
          expect(yield* redis.getBuffer(allBytes)).toEqual(Option.some(allBytes))
          const text = "caf\u00e9 \u{1F600} \u4e2d\u6587"
          yield* redis.set(`t:${text}`, text)
          expect(yield* redis.get(`t:${text}`)).toEqual(Option.some(text))
          expect(yield* redis.strlen(`t:${text}`)).toBe(Buffer.byteLength(text))
          const big = Buffer.alloc(3 * 1024 * 1024, 0x5a)
          big.write("start")
          big.write("end", big.length - 3)
          yield* redis.set("t:big-value", big)
          const back = yield* redis.getBuffer("t:big-value")
          expect(Option.map(back, (value) => value.equals(big))).toEqual(Option.some(true))
        })
      ))
  })

  describe("helpers", () => {
    it.live("strings: get, set and its options, getdel, append, strlen, counters, mget, mset", () =>
      withClient((redis) =>
        Effect.gen(function*() {
          yield* redis.del("h:a", "h:b", "h:n", "h:f")
          expect(yield* redis.get("h:a")).toEqual(Option.none())
          expect(yield* redis.set("h:a", "1")).toBe(true)
          expect(yield* redis.set("h:a", "2", { condition: "NX" })).toBe(false)
          expect(yield* redis.set("h:b", "2", { condition: "XX" })).toBe(false)
          expect(yield* redis.set("h:a", "3", { condition: "XX", ttl: "100 seconds" })).toBe(true)
          expect(yield* redis.get("h:a")).toEqual(Option.some("3"))
          const pttl = yield* redis.pttl("h:a")
          expect(pttl).toBeGreaterThan(90_000)
          expect(pttl).toBeLessThanOrEqual(100_000)
          expect(yield* redis.set("h:a", "4", { keepTtl: true })).toBe(true)
          expect(yield* redis.ttl("h:a")).toBeGreaterThan(90)
          expect(yield* redis.set("h:a", "5", { expiresAt: new Date(Date.now() + 50_000) })).toBe(true)
          expect(yield* redis.ttl("h:a")).toBeGreaterThan(40)
          expect(yield* redis.append("h:a", "67")).toBe(3)
          expect(yield* redis.strlen("h:a")).toBe(3)
          expect(yield* redis.getdel("h:a")).toEqual(Option.some("567"))
          expect(yield* redis.getdel("h:a")).toEqual(Option.none())
          expect(yield* redis.incr("h:n")).toBe(1)
          expect(yield* redis.incrby("h:n", 10)).toBe(11)
          expect(yield* redis.decr("h:n")).toBe(10)
          expect(yield* redis.decrby("h:n", 20)).toBe(-10)
          expect(yield* redis.incrbyfloat("h:f", 1.5)).toBe(1.5)
          expect(yield* redis.incrbyfloat("h:f", 0.25)).toBe(1.75)
          yield* redis.mset({ "h:a": "x", "h:b": "y" })
          yield* redis.mset([["h:c", "z"]])
          expect(yield* redis.mget("h:a", "h:missing", "h:c")).toEqual([Option.some("x"), Option.none(), Option.some("z")])
        })
      ))

    it.live("keys: del, exists, expire, persist, ttl, pttl, type, keys, rename, dbsize, select, flushdb", () =>
      withClient((redis) =>
        Effect.gen(function*() {
          yield* redis.select(5)
          yield* redis.flushdb
          yield* redis.mset({ "k:1": "a", "k:2": "b", "other": "c" })
          expect(yield* redis.dbsize).toBe(3)
          expect(yield* redis.exists("k:1", "k:2", "k:1", "nope")).toBe(3)
          expect(yield* redis.ttl("k:1")).toBe(-1)
          expect(yield* redis.ttl("nope")).toBe(-2)
          expect(yield* redis.expire("k:1", "30 seconds")).toBe(true)
          expect(yield* redis.expire("nope", "30 seconds")).toBe(false)
          expect(yield* redis.ttl("k:1")).toBeGreaterThan(25)
          expect(yield* redis.persist("k:1")).toBe(true)
          expect(yield* redis.pttl("k:1")).toBe(-1)
          expect(yield* redis.type("k:1")).toBe("string")
          expect(yield* redis.type("nope")).toBe("none")
          expect((yield* redis.keys("k:*")).sort()).toEqual(["k:1", "k:2"])
          yield* redis.rename("k:2", "k:3")
          expect(yield* redis.del("k:1", "k:3", "nope")).toBe(2)
          expect(yield* redis.echo("hi")).toBe("hi")
          expect(yield* redis.ping("hey")).toBe("hey")
          expect(redis.session.db).toBe(5)
          yield* redis.flushdb
          yield* redis.select(0)
          expect(yield* redis.exists("other")).toBe(0)
        })
      ))

    it("hashes: hset, hget, hgetall, hdel, hincrby", async () => {
      await Effect.runPromise(withClient((redis) =>
          Effect.gen(function*() {
            yield* redis.del("hash")
            expect(yield* redis.hset("hash", { a: "1", b: "2", __proto__x: "3" })).toBe(3)
            expect(yield* redis.hget("hash", "a")).toEqual(Option.some("1"))
            expect(yield* redis.hget("hash", "zz")).toEqual(Option.none())
            expect(yield* redis.hincrby("hash", "a", 5)).toBe(6)
            expect(yield* redis.hgetall("hash")).toEqual({ a: "6", b: "2", __proto__x: "3" })
            expect(yield* redis.hdel("hash", "a", "zz")).toBe(1)
          })
        ))
    })

    it("lists: lpush, rpush, lpop, rpop, lrange, llen", async () => {
      await Effect.runPromise(withClient((redis) =>
          Effect.gen(function*() {
            yield* redis.del("list")
            expect(yield* redis.rpush("list", "b", "c")).toBe(2)
            expect(yield* redis.lpush("list", "a")).toBe(3)
            expect(yield* redis.lrange("list", 0, -1)).toEqual(["a", "b", "c"])
            expect(yield* redis.llen("list")).toBe(3)
            expect(yield* redis.lpop("list")).toEqual(Option.some("a"))
            expect(yield* redis.rpop("list")).toEqual(Option.some("c"))
            expect(yield* redis.rpop("list")).toEqual(Option.some("b"))
            expect(yield* redis.rpop("list")).toEqual(Option.none())
          })
        ))
    })

    it("sets: sadd, srem, smembers, sismember", async () => {
      await Effect.runPromise(withClient((redis) =>
          Effect.gen(function*() {
            yield* redis.del("set")
            expect(yield* redis.sadd("set", "a", "b", "a")).toBe(2)
            expect(yield* redis.sismember("set", "a")).toBe(true)
            expect(yield* redis.srem("set", "a", "z")).toBe(1)
            expect(yield* redis.smembers("set")).toEqual(["b"])
            expect(yield* redis.sismember("set", "a")).toBe(false)
          })
        ))
    })
  })

  describe("pipelining", () => {
    it.live("concurrent commands share socket writes and each gets its own reply, in order", () =>
      Effect.gen(function*() {
        const proxy = yield* Effect.promise(() => TcpProxy.start(server.port))
        yield* Effect.addFinalizer(() => Effect.promise(() => proxy.close()))
        yield* withClient((redis) =>
          Effect.gen(function*() {
            yield* redis.del("p:counter")
            const chunksBefore = proxy.clientChunks
            // 10,000 commands (~350 KB): enough for the FIFO of owed replies to be compacted on the way.
            const results = yield* Effect.all(
              Array.from({ length: 10_000 }, () => redis.incr("p:counter")),
              { concurrency: "unbounded" }
            )
            expect(results).toEqual(Array.from({ length: 10_000 }, (_, i) => i + 1))
            // Without pipelining that would be 10,000 writes, so at least as many chunks at the proxy.
            expect(proxy.clientChunks - chunksBefore).toBeLessThan(200)
          }), { port: proxy.port })
      }).pipe(Effect.scoped))

    it.live("replies of every kind go to the command that asked, errors included", () =>
      withClient((redis) =>
        Effect.gen(function*() {
          yield* redis.mset({ "m:a": "A", "m:b": "B" })
          const [a, missing, count, error, both, pong] = yield* Effect.all([
            redis.get("m:a"),
            redis.get("m:none"),
            redis.exists("m:a", "m:b"),
            Effect.flip(redis.command("INCR", "m:a")),
            redis.mget("m:b", "m:a"),
            redis.ping()
          ], { concurrency: "unbounded" })
          expect(a).toEqual(Option.some("A"))
          expect(missing).toEqual(Option.none())
          expect(count).toBe(2)
          expect(error.message).toBe("ERR value is not an integer or out of range")
          expect(both).toEqual([Option.some("B"), Option.some("A")])
          expect(pong).toBe("PONG")
        })
      ))

    it.live("many concurrent fibers with large values", () =>
      withClient((redis) =>
        Effect.gen(function*() {
          const value = (i: number) => String(i).repeat(20_000)
          yield* Effect.all(Array.from({ length: 50 }, (_, i) => redis.set(`big:${i}`, value(i))), { concurrency: "unbounded" })
          const values = yield* Effect.all(Array.from({ length: 50 }, (_, i) => redis.get(`big:${i}`)), {
            concurrency: "unbounded"
          })
          expect(values).toEqual(Array.from({ length: 50 }, (_, i) => Option.some(value(i))))
        })
      ))
  })

  describe("connections and sessions", () => {
    it.live("a refused connection fails the client with RedisConnectionError", () =>
      Effect.gen(function*() {
        const port = yield* Effect.promise(() => freePort())
        const error = yield* Effect.flip(Effect.scoped(RedisClient.make({ port })))
        expect(error).toBeInstanceOf(RedisConnectionError)
        expect(error).toMatchObject({
          reason: "ConnectFailed",
          message: `Could not connect to Redis at 127.0.0.1:${port}: Connection refused`
        })
      }))

    it.live("the layer provides the client and closes it with its scope", () =>
      Effect.gen(function*() {
        const program = Effect.flatMap(RedisClient, (redis) => redis.ping())
        expect(yield* Effect.provide(program, RedisClient.layer({ port: server.port }))).toBe("PONG")
      }))

    it.live("commands after the client's scope closed fail with ClientClosed", () =>
      Effect.gen(function*() {
        const scope = yield* Scope.make()
        const redis = yield* Scope.provide(RedisClient.make({ port: server.port }), scope)
        expect(yield* redis.ping()).toBe("PONG")
        yield* Scope.close(scope, Exit.void)
        const error = yield* Effect.flip(redis.ping())
        expect(error).toMatchObject({ _tag: "RedisConnectionError", reason: "ClientClosed" })
      }))

    it.live("db selects the database on connect", () =>
      Effect.gen(function*() {
        yield* withClient((redis) => redis.set("in-db-3", "yes"), { db: 3 })
        const raw = yield* Effect.promise(() => RawClient.connect(server.port))
        yield* Effect.promise(() => raw.call("SELECT", "3"))
        expect(yield* Effect.promise(() => raw.call("GET", "in-db-3"))).toEqual({ kind: "bulk", value: "yes" })
        raw.close()
        const error = yield* Effect.flip(withClient(() => Effect.void, { db: 1_000_000 }))
        expect(error).toMatchObject({ reason: "ConnectFailed", message: "SELECT 1000000 failed: ERR DB index is out of range" })
      }))

    it.live("password: authenticates on connect; a wrong one fails like redis-cli says", () =>
      Effect.gen(function*() {
        yield* Effect.promise(() => admin.call("CONFIG", "SET", "requirepass", "s3cret"))
        yield* Effect.addFinalizer(() => Effect.promise(() => admin.call("CONFIG", "SET", "requirepass", "")))
        expect(yield* withClient((redis) => redis.ping(), { password: "s3cret" })).toBe("PONG")
        expect(yield* withClient((redis) => redis.ping(), { password: "s3cret", username: "default" })).toBe("PONG")
        const error = yield* Effect.flip(withClient((redis) => redis.ping(), { password: "wrong" }))
        expect(error).toMatchObject({
          _tag: "RedisConnectionError",
          reason: "ConnectFailed",
          message: "AUTH failed: WRONGPASS invalid username-password pair or user is disabled."
        })
      }).pipe(Effect.scoped))

    it.live("refuses commands that would break the order of replies on the shared connection", () =>
      withClient((redis) =>
        Effect.gen(function*() {
          for (const args of [["SUBSCRIBE", "x"], ["psubscribe", "x*"], ["MONITOR"], ["CLIENT", "REPLY", "OFF"], ["HELLO", "3"]]) {
            const exit = yield* Effect.exit(redis.command(...args))
            expect(Exit.isFailure(exit) && !Cause.hasInterrupts(exit.cause) && Cause.hasDies(exit.cause) && !Cause.hasFails(exit.cause)).toBe(true)
          }
          expect(yield* redis.ping()).toBe("PONG")
        })
      ))
  })

  describe("reconnection", () => {
    const withProxy = <A, E>(body: (proxy: TcpProxy) => Effect.Effect<A, E, Scope.Scope>) =>
      Effect.scoped(
        Effect.flatMap(
          Effect.acquireRelease(Effect.promise(() => TcpProxy.start(server.port)), (proxy) =>
            Effect.promise(() => proxy.close())),
          body
        )
      )

    it.live("after a drop, later commands go to a new connection with the same database", () =>
      withProxy((proxy) =>
        withClient((redis) =>
          Effect.gen(function*() {
            yield* redis.select(4)
            yield* redis.set("r:db4", "four")
            proxy.dropConnections()
            // The client notices the drop, reconnects and re-selects db 4.
            expect(yield* redis.get("r:db4").pipe(Effect.retry({ times: 3 }))).toEqual(Option.some("four"))
            expect(proxy.connectionsAccepted).toBe(2)
            expect(yield* redis.get("r:db4")).toEqual(Option.some("four"))
          }), { port: proxy.port })
      ))

    it.live("a command in flight when the connection drops fails with RedisConnectionError", () =>
      withProxy((proxy) =>
        withClient((redis) =>
          Effect.gen(function*() {
            expect(yield* redis.ping()).toBe("PONG")
            proxy.hold()
            const bytesBefore = proxy.clientBytes
            const inFlight = yield* Effect.forkChild(redis.incr("r:inflight"))
            yield* Effect.promise(() => proxy.waitForClientBytes(bytesBefore))
            proxy.dropConnections()
            proxy.hold(false)
            const error = yield* Effect.flip(Fiber.join(inFlight))
            expect(error).toMatchObject({ _tag: "RedisConnectionError", reason: "ConnectionLost" })
            expect(error.message).toMatch(/^Connection to 127\.0\.0\.1:\d+ lost \(.*\) with the command sent: it may or may not have run$/)
            // The next command goes to a new connection.
            expect(yield* redis.ping()).toBe("PONG")
          }), { port: proxy.port })
      ))

    it.live("auth is sent again on reconnect", () =>
      withProxy((proxy) =>
        Effect.gen(function*() {
          yield* Effect.promise(() => admin.call("CONFIG", "SET", "requirepass", "pw"))
          yield* Effect.addFinalizer(() => Effect.promise(() => admin.call("CONFIG", "SET", "requirepass", "")))
          yield* withClient((redis) =>
            Effect.gen(function*() {
              yield* redis.set("r:auth", "ok")
              proxy.dropConnections()
              expect(yield* redis.get("r:auth").pipe(Effect.retry({ times: 3 }))).toEqual(Option.some("ok"))
              expect(proxy.connectionsAccepted).toBe(2)
            }), { port: proxy.port, password: "pw" })
        })
      ))

    it.live("commands issued while the server is away wait and run on the new connection", () =>
      withProxy((proxy) =>
        withClient((redis) =>
          Effect.gen(function*() {
            yield* redis.set("r:wait", "1")
            yield* Effect.promise(() => proxy.stopListening())
            yield* untilDisconnected(redis)
            const waiting = yield* Effect.forkChild(
              Effect.all([redis.incr("r:wait"), redis.incr("r:wait")], { concurrency: "unbounded" })
            )
            yield* Effect.sleep("100 millis")
            yield* Effect.promise(() => proxy.listen())
            expect(yield* Fiber.join(waiting)).toEqual([2, 3])
          }), {
          port: proxy.port,
          reconnect: Schedule.max([Schedule.spaced("20 millis"), Schedule.recurs(200)])
        })
      ))

    it.live("when the schedule gives up, waiting commands fail; the next command tries again", () =>
      withProxy((proxy) =>
        withClient((redis) =>
          Effect.gen(function*() {
            expect(yield* redis.ping()).toBe("PONG")
            yield* Effect.promise(() => proxy.stopListening())
            yield* untilDisconnected(redis)
            const error = yield* Effect.flip(redis.ping())
            expect(error).toMatchObject({ _tag: "RedisConnectionError", reason: "ConnectFailed" })
            expect(error.message).toBe(`Reconnecting gave up: Could not connect to Redis at 127.0.0.1:${proxy.port}: Connection refused`)
            yield* Effect.promise(() => proxy.listen())
            expect(yield* redis.ping()).toBe("PONG")
          }), { port: proxy.port, reconnect: Schedule.max([Schedule.spaced("10 millis"), Schedule.recurs(3)]) })
      ))
  })

  describe("pub/sub", () => {
    it("subscribe streams the messages of its channels, in order; closing the scope unsubscribes", async () => {
      await Effect.runPromise(withClient((redis) =>
        Effect.gen(function*() {
          const received = yield* Effect.scoped(Effect.gen(function*() {
            const messages = yield* redis.subscribe(["news", "sport"])
            const collector = yield* Effect.forkChild(Stream.runCollect(Stream.take(messages, 102)))
            expect(yield* redis.publish("news", "first")).toBe(1)
            yield* redis.publish("other", "ignored")
            yield* redis.publish("sport", "caf\u00e9")
            for (let i = 0; i < 100; i++) yield* redis.publish("news", `n${i}`)
            expect(yield* numsub(redis, "news")).toBe(1)
            return Array.from(yield* Fiber.join(collector))
          }))
          expect(received.slice(0, 2)).toEqual([
            { channel: "news", message: "first" },
            { channel: "sport", message: "caf\u00e9" }
          ])
          expect(received.slice(2).map((m) => m.message)).toEqual(Array.from({ length: 100 }, (_, i) => `n${i}`))
          expect(yield* numsub(redis, "news")).toBe(0)
          expect(yield* redis.publish("news", "nobody")).toBe(0)
        })
      ))
    })

    it("psubscribe streams pattern messages", async () => {
      await Effect.runPromise(withClient((redis) =>
        Effect.scoped(Effect.gen(function*() {
          const messages = yield* redis.psubscribe(["user:*", "h?llo"])
          const collector = yield* Effect.forkChild(Stream.runCollect(Stream.take(messages, 2)))
          yield* redis.publish("user:42", "signed in")
          yield* redis.publish("nope", "x")
          yield* redis.publish("hallo", "welt")
          expect(Array.from(yield* Fiber.join(collector))).toEqual([
            { pattern: "user:*", channel: "user:42", message: "signed in" },
            { pattern: "h?llo", channel: "hallo", message: "welt" }
          ])
        }))
      ))
    })

    it("a subscription survives a dropped connection: it resubscribes", async () => {
      await Effect.runPromise(Effect.scoped(Effect.gen(function*() {
        const proxy = yield* Effect.acquireRelease(
          Effect.promise(() => TcpProxy.start(server.port)),
          (proxy) => Effect.promise(() => proxy.close())
        )
        yield* withClient((redis) =>
          Effect.scoped(Effect.gen(function*() {
            const messages = yield* redis.subscribe(["again"])
            const next = Effect.map(Stream.runCollect(Stream.take(messages, 1)), Array.from)
            yield* redis.publish("again", "before")
            // Received before the drop: a message still inside the proxy would be lost with it.
            expect(yield* next).toEqual([{ channel: "again", message: "before" }])
            expect(proxy.connectionsAccepted).toBe(2)
            proxy.dropConnections()
            // Publish until the resubscribed connection is there to receive.
            yield* redis.publish("again", "after").pipe(
              Effect.retry({ times: 3 }),
              Effect.repeat({ until: (receivers) => receivers > 0, schedule: Schedule.spaced("20 millis") })
            )
            expect(proxy.connectionsAccepted).toBe(4)
            expect(yield* next).toEqual([{ channel: "again", message: "after" }])
          })), { port: proxy.port })
      })))
    })
  })
})

/** Waits until the client has seen its connection close. */
const untilDisconnected = (redis: RedisClient["Service"]) =>
  redis.connected.pipe(Effect.repeat({ until: (connected) => !connected, schedule: Schedule.spaced("5 millis") }))

const numsub = (redis: RedisClient["Service"], channel: string) =>
  Effect.map(redis.command("PUBSUB", "NUMSUB", channel), (reply) => (reply as ReadonlyArray<number>)[1])
