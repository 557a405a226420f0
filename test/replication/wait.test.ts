/**
 * WAIT's timeout runs on Effect's Clock like the blocking commands' (TestClock moves it), the
 * waiting client blocks in its own connection fiber (INFO counts it as blocked), and CLIENT
 * UNBLOCK ends it with the count of replicas that acknowledged.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as TestClock from "effect/testing/TestClock"
import { RedisServer } from "../../src/server/RedisServer.js"
import { RawClient } from "../support/RawClient.js"

const blockedClients = async (admin: RawClient): Promise<number> => {
  const text = String((await admin.call("INFO", "clients")).value)
  return Number(/blocked_clients:(\d+)/.exec(text)?.[1])
}

const waitBlocked = async (admin: RawClient, count: number) => {
  for (let i = 0; i < 200 && (await blockedClients(admin)) !== count; i++) await new Promise((r) => setTimeout(r, 10))
  expect(await blockedClients(admin)).toBe(count)
}

const nothingYet = async (client: RawClient) => {
  await new Promise((resolve) => setTimeout(resolve, 30))
  return client.pending.length === 0
}

describe("WAIT on Effect's Clock", () => {
  it.effect("times out at its deadline with the count, and CLIENT UNBLOCK ends it early", () =>
    Effect.gen(function*() {
      const context = yield* Layer.build(RedisServer.layerWithDb({ port: 0 }))
      const port = Context.get(context, RedisServer).address.port
      const [a, b, admin] = yield* Effect.promise(() =>
        Promise.all([RawClient.connect(port), RawClient.connect(port), RawClient.connect(port)])
      )
      yield* Effect.addFinalizer(() => Effect.sync(() => [a, b, admin].forEach((client) => client.close())))
      a.send("SET", "k", "v")
      a.send("WAIT", "1", "5000")
      expect(yield* Effect.promise(() => a.read())).toEqual({ kind: "simple", value: "OK" })
      yield* Effect.promise(() => waitBlocked(admin, 1))
      yield* TestClock.adjust("4999 millis")
      expect(yield* Effect.promise(() => nothingYet(a))).toBe(true)
      yield* TestClock.adjust("1 millis")
      expect(yield* Effect.promise(() => a.read())).toEqual({ kind: "integer", value: "0" })
      // No timeout: only CLIENT UNBLOCK (or a replica's ACK) ends it.
      const id = String((yield* Effect.promise(() => b.call("CLIENT", "ID"))).value)
      b.send("WAIT", "2", "0")
      yield* Effect.promise(() => waitBlocked(admin, 1))
      yield* TestClock.adjust("30 seconds")
      expect(yield* Effect.promise(() => nothingYet(b))).toBe(true)
      expect(yield* Effect.promise(() => admin.call("CLIENT", "UNBLOCK", id))).toEqual({ kind: "integer", value: "1" })
      expect(yield* Effect.promise(() => b.read())).toEqual({ kind: "integer", value: "0" })
      expect(yield* Effect.promise(() => b.call("PING"))).toEqual({ kind: "simple", value: "PONG" })
    }))
})
