/**
 * Expiry follows Effect's Clock: under TestClock, virtual time expires keys — passively on
 * access, actively through the sweeper fiber — through the `Db` API and for TCP clients alike.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as TestClock from "effect/testing/TestClock"
import { Db } from "../../src/keyspace/Db.js"
import { RedisServer } from "../../src/server/RedisServer.js"
import { RawClient } from "../support/RawClient.js"

const rawEntryCount = (db: Db["Service"]) => db.use((database) => database.size)

describe("expiry on Effect's Clock", () => {
  it.effect("passive expiry through the Db API", () =>
    Effect.gen(function*() {
      const db = yield* Db
      yield* db.set("session", "abc", { px: 1000 })
      yield* TestClock.adjust("999 millis")
      expect(yield* db.get("session")).toEqual(Option.some("abc"))
      const ttl = yield* db.ttl("session")
      expect(Option.map(ttl, (d) => d.value)).toEqual(Option.some({ _tag: "Millis", millis: 1 }))
      yield* TestClock.adjust("1 millis")
      expect(yield* db.get("session")).toEqual(Option.none())
      expect(yield* db.exists("session")).toBe(false)
    }).pipe(Effect.provide(Db.layer())))

  it.effect("the sweeper removes expired keys nobody reads, in bounded cycles", () =>
    Effect.gen(function*() {
      const db = yield* Db
      for (let i = 0; i < 5000; i++) yield* db.set(`temp:${i}`, "v", { px: 500 })
      for (let i = 0; i < 100; i++) yield* db.set(`keep:${i}`, "v")
      expect(yield* rawEntryCount(db)).toBe(5100)
      // One cycle (100 ms at hz 10) checks a bounded number of keys, not all of them.
      yield* TestClock.adjust("600 millis")
      const afterOneCycle = yield* rawEntryCount(db)
      expect(afterOneCycle).toBeLessThan(5100)
      // Cycles keep going until only the keys without TTL are left.
      for (let i = 0; i < 50 && (yield* rawEntryCount(db)) > 100; i++) yield* TestClock.adjust("100 millis")
      expect(yield* rawEntryCount(db)).toBe(100)
      expect(yield* db.use((_db, _now, keyspace) => keyspace.stats.expiredKeys)).toBe(5000)
    }).pipe(Effect.provide(Db.layer())))

  it.effect("TestClock expires keys for a TCP client of a server running under it", () =>
    Effect.gen(function*() {
      const context = yield* Layer.build(RedisServer.layerWithDb({ port: 0 }))
      const server = Context.get(context, RedisServer)
      const db = Context.get(context, Db)
      const client = yield* Effect.acquireRelease(
        Effect.promise(() => RawClient.connect(server.address.port)),
        (c) => Effect.sync(() => c.close())
      )
      const call = (...args: Array<string>) => Effect.promise(() => client.call(...args))
      yield* db.set("token", "t1", { px: 2000 })
      expect(yield* call("ECHO", "warm-up")).toEqual({ kind: "bulk", value: "warm-up" })
      yield* TestClock.adjust("1999 millis")
      expect(yield* call("GET", "token")).toEqual({ kind: "bulk", value: "t1" })
      expect(yield* call("PTTL", "token")).toEqual({ kind: "integer", value: "1" })
      yield* TestClock.adjust("1 millis")
      expect(yield* call("GET", "token")).toEqual({ kind: "bulk", value: null })
      // A TTL set over TCP runs on the same virtual clock.
      expect(yield* call("SET", "k", "v", "EX", "10")).toEqual({ kind: "simple", value: "OK" })
      yield* TestClock.adjust("9 seconds")
      expect(yield* call("TTL", "k")).toEqual({ kind: "integer", value: "1" })
      yield* TestClock.adjust("1 seconds")
      expect(yield* call("EXISTS", "k")).toEqual({ kind: "integer", value: "0" })
    }))

  it.effect("idle clients are closed after --timeout seconds of virtual time", () =>
    Effect.gen(function*() {
      const context = yield* Layer.build(RedisServer.layerWithDb({ port: 0, timeout: 5 }))
      const server = Context.get(context, RedisServer)
      const idle = yield* Effect.promise(() => RawClient.connect(server.address.port))
      const active = yield* Effect.promise(() => RawClient.connect(server.address.port))
      yield* Effect.promise(() => idle.call("PING"))
      yield* Effect.promise(() => active.call("PING"))
      for (let second = 0; second < 4; second++) {
        yield* TestClock.adjust("1 seconds")
        yield* Effect.promise(() => active.call("PING"))
      }
      expect(idle.closed).toBe(false)
      yield* TestClock.adjust("3 seconds")
      yield* Effect.promise(() => idle.waitClosed())
      expect(yield* Effect.promise(() => active.call("PING"))).toEqual({ kind: "simple", value: "PONG" })
      active.close()
    }))
})
