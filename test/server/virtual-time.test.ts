/**
 * Virtual time costs nothing when nothing is due: every periodic task of an embedded server
 * (active expiry, the memory and client crons, blocked clients' timeouts, persistence,
 * replication) sleeps until its next deadline, so hours of `TestClock.adjust` take a few
 * wake-ups — while keys, blocking timeouts and idle clients still end at their virtual instant.
 * The per-test timeouts are the guard: at a fixed 10 Hz, 24 virtual hours took minutes.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as TestClock from "effect/testing/TestClock"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { RedisServer } from "../../src/server/RedisServer.js"
import { RawClient } from "../support/RawClient.js"

const withServer = <A>(
  config: Parameters<typeof RedisServer.layerWithDb>[0],
  body: (connect: Effect.Effect<RawClient, never, import("effect/Scope").Scope>) => Effect.Effect<A, never, import("effect/Scope").Scope>
) =>
  Effect.gen(function*() {
    const context = yield* Layer.build(RedisServer.layerWithDb({ port: 0, ...config }))
    const server = Context.get(context, RedisServer)
    const connect = Effect.acquireRelease(
      Effect.promise(() => RawClient.connect(server.address.port)),
      (client) => Effect.sync(() => client.close())
    )
    return yield* body(connect)
  })

const call = (client: RawClient, ...args: Array<string>) => Effect.promise(() => client.call(...args))
const info = (client: RawClient, field: string) =>
  Effect.map(call(client, "INFO"), (reply) => new RegExp(`${field}:(\\S*)`).exec(String(reply.value))?.[1])
/** Gives the server's sockets a moment: a reply that is not there after it was not sent. */
const nothingPending = (client: RawClient) =>
  Effect.promise(async () => {
    await new Promise((resolve) => setTimeout(resolve, 30))
    return client.pending.length === 0
  })

describe("virtual time on an embedded server", () => {
  it.effect("24 virtual hours with the AOF and save points on: keys expire on time, saves happen", () =>
    Effect.gen(function*() {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "redfiber-virtual-time-"))
      yield* Effect.addFinalizer(() => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true })))
      yield* withServer({ dir, appendonly: "yes", save: "3600 1 300 100" }, (connect) =>
        Effect.gen(function*() {
          const [client, listener] = [yield* connect, yield* connect]
          yield* call(client, "CONFIG", "SET", "notify-keyspace-events", "Ex")
          yield* call(listener, "SUBSCRIBE", "__keyevent@0__:expired")
          yield* call(client, "SET", "session", "s", "EX", "1800")
          yield* TestClock.adjust("1799999 millis")
          expect(yield* call(client, "GET", "session")).toEqual({ kind: "bulk", value: "s" })
          expect(yield* nothingPending(listener)).toBe(true)
          // Active expiry publishes at the key's instant, with no command to trigger it.
          yield* TestClock.adjust("1 millis")
          expect(yield* Effect.promise(() => listener.read())).toEqual({
            kind: "array",
            value: [
              { kind: "bulk", value: "message" },
              { kind: "bulk", value: "__keyevent@0__:expired" },
              { kind: "bulk", value: "session" }
            ]
          })
          // The save point "3600 1" saves an hour after the start, then nothing is due for a day.
          expect(yield* info(client, "rdb_changes_since_last_save")).not.toBe("0")
          yield* TestClock.adjust("24 hours")
          expect(yield* info(client, "rdb_changes_since_last_save")).toBe("0")
          expect(yield* info(client, "rdb_last_bgsave_status")).toBe("ok")
          expect(fs.existsSync(path.join(dir, "dump.rdb"))).toBe(true)
          expect(yield* call(client, "DBSIZE")).toEqual({ kind: "integer", value: "0" })
        }))
    }), 20_000)

  it.effect("a BLPOP with a 30-minute timeout ends at exactly 30 virtual minutes", () =>
    withServer({}, (connect) =>
      Effect.gen(function*() {
        const [blocked, admin] = [yield* connect, yield* connect]
        blocked.send("BLPOP", "jobs", "1800")
        for (let i = 0; i < 100 && (yield* info(admin, "blocked_clients")) !== "1"; i++) {
          yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 5)))
        }
        yield* TestClock.adjust("1799999 millis")
        expect(yield* nothingPending(blocked)).toBe(true)
        yield* TestClock.adjust("1 millis")
        expect(yield* Effect.promise(() => blocked.read())).toEqual({ kind: "array", value: null })
      })
    ), 20_000)

  it.effect("an idle client is closed after `timeout` virtual seconds, set at run time", () =>
    withServer({}, (connect) =>
      Effect.gen(function*() {
        const [idle, admin] = [yield* connect, yield* connect]
        yield* call(idle, "PING")
        yield* call(admin, "CONFIG", "SET", "timeout", "3600")
        yield* TestClock.adjust("3000 seconds")
        yield* call(admin, "PING")
        expect(idle.closed).toBe(false)
        yield* TestClock.adjust("601 seconds")
        yield* Effect.promise(() => idle.waitClosed())
        expect(admin.closed).toBe(false)
        // A day with no client left to check costs nothing more.
        yield* TestClock.adjust("24 hours")
      })
    ), 20_000)
})
