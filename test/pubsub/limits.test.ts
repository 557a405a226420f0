/**
 * Slow subscribers over TCP. A subscriber that never reads while a publisher floods is cut off at
 * `client-output-buffer-limit pubsub`: the bytes the server holds for it (outbox plus unsent socket
 * bytes) never pass the limit, whatever is published, and nothing is kept for it afterwards. The
 * soft limit's seconds run on Effect's Clock, so TestClock drives them. Subscribers are exempt
 * from the idle timeout, as in Redis.
 */
import { afterEach, describe, expect, it } from "@effect/vitest"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as TestClock from "effect/testing/TestClock"
import type { Subscriber } from "../../src/session/ClientState.js"
import { RedisServer, type RedisServerService } from "../../src/server/RedisServer.js"
import { encodeCommand, RawClient } from "../support/RawClient.js"
import { type Reply, readReply } from "../support/RespReader.js"
import { callAll, int, message, simple } from "../support/pubsub.js"
import { type RunningRedfiber, startRedfiber } from "../support/servers.js"

const MB = 1024 * 1024
const PAYLOAD = "x".repeat(64 * 1024)
/** 16 PUBLISHes of 64 KB: 1 MB per round. */
const ROUND = Buffer.concat(Array.from({ length: 16 }, () => encodeCommand(["PUBLISH", "flood", PAYLOAD])))

/** Sends one round and returns its 16 replies. */
const publishRound = async (publisher: RawClient): Promise<Array<Reply>> => {
  publisher.write(ROUND)
  const replies: Array<Reply> = []
  for (let i = 0; i < 16; i++) replies.push(await publisher.read(20_000))
  return replies
}

const subscriberOf = (server: RedisServerService, id: number): Subscriber => {
  const subscriber = server.state.clients.get(id)?.pubsub
  if (subscriber === undefined) throw new Error(`client ${id} has no pub/sub state`)
  return subscriber
}

/** Every whole reply in `bytes` (a cut-off last one is left out). */
const wholeReplies = (bytes: Buffer): Array<Reply> => {
  const replies: Array<Reply> = []
  for (let at = 0; ;) {
    const next = readReply(bytes, at)
    if (next === undefined) return replies
    replies.push(next[0])
    at = next[1]
  }
}

const running: Array<RunningRedfiber> = []
const clients: Array<RawClient> = []
afterEach(async () => {
  for (const client of clients.splice(0)) client.close()
  for (const server of running.splice(0)) await server.stop()
})

describe("a subscriber that never reads", () => {
  it("is disconnected at the hard limit, and what is held for it never passes the limit", async () => {
    const server = await startRedfiber()
    running.push(server)
    const [publisher, subscriber] = [await RawClient.connect(server.port), await RawClient.connect(server.port)]
    clients.push(publisher, subscriber)
    const limit = 4 * MB
    expect(await publisher.call("CONFIG", "SET", "client-output-buffer-limit", "pubsub 4mb 0 0")).toEqual(simple("OK"))
    const id = Number((await subscriber.call("CLIENT", "ID")).value)
    await callAll(subscriber, "SUBSCRIBE", "flood")
    const state = subscriberOf(server.server, id)
    subscriber.socket.pause()

    // Flood until PUBLISH says nobody listens any more (at most 64 MB).
    let rounds = 0
    let delivered = 0
    for (; rounds < 64; rounds++) {
      const replies = await publishRound(publisher)
      delivered += replies.filter((reply) => reply.value === "1").length
      if (replies.at(-1)?.value === "0") break
    }
    expect(rounds).toBeLessThan(64)
    expect(state.closed).toBe(true)
    expect(state.peakBacklog).toBeGreaterThan(limit - 128 * 1024)
    expect(state.peakBacklog).toBeLessThanOrEqual(limit)
    expect([state.outboxBytes, state.count]).toEqual([0, 0])
    expect(await publisher.call("PUBSUB", "NUMSUB", "flood")).toEqual({ kind: "array", value: [{ kind: "bulk", value: "flood" }, int(0)] })
    // Publishing on costs the server nothing more for it.
    expect((await publishRound(publisher)).every((reply) => reply.value === "0")).toBe(true)
    const deadline = Date.now() + 10_000
    while (server.server.state.clients.has(id) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10))
    expect(server.server.state.clients.has(id)).toBe(false)

    // What reached it before the cut is whole messages, in order (a last one may be cut short).
    subscriber.socket.resume()
    await subscriber.waitClosed(20_000)
    const received = wholeReplies(subscriber.pending)
    expect(received.length).toBeGreaterThan(0)
    expect(received.length).toBeLessThan(delivered)
    expect(received.every((reply) => JSON.stringify(reply) === JSON.stringify(message("flood", PAYLOAD)))).toBe(true)
  })

  it.effect("above the soft limit, it is disconnected once its seconds have passed on Effect's Clock", () =>
    Effect.gen(function*() {
      const context = yield* Layer.build(RedisServer.layerWithDb({ port: 0 }))
      const server = Context.get(context, RedisServer)
      const connect = Effect.acquireRelease(
        Effect.promise(() => RawClient.connect(server.address.port)),
        (client) => Effect.sync(() => client.close())
      )
      const [publisher, subscriber] = [yield* connect, yield* connect]
      const call = (...args: Array<string>) => Effect.promise(() => publisher.call(...args))
      expect(yield* call("CONFIG", "SET", "client-output-buffer-limit", "pubsub 0 1mb 10")).toEqual(simple("OK"))
      const id = Number((yield* Effect.promise(() => subscriber.call("CLIENT", "ID"))).value)
      yield* Effect.promise(() => callAll(subscriber, "SUBSCRIBE", "flood"))
      const state = subscriberOf(server, id)
      subscriber.socket.pause()

      // Flood until the server holds more than the soft limit for it, counted once the socket has
      // been offered what was published (the kernel takes some first; the publisher's replies leave
      // in the same end-of-turn flush as the messages).
      for (let rounds = 0; (state.softLimitSince < 0 || state.client.unsentBytes() <= MB) && rounds < 64; rounds++) {
        yield* Effect.promise(() => publishRound(publisher))
      }
      expect(state.softLimitSince).toBe(0)
      yield* TestClock.adjust("10 seconds")
      expect(yield* call("PUBLISH", "flood", "at 10 s")).toEqual(int(1))
      expect(state.closed).toBe(false)
      yield* TestClock.adjust("1 millis")
      expect(yield* call("PUBLISH", "flood", "past 10 s")).toEqual(int(1))
      expect(state.closed).toBe(true)
      expect(yield* call("PUBLISH", "flood", "after")).toEqual(int(0))
      expect(state.peakBacklog).toBeLessThan(64 * MB)
    }))
})

describe("the idle timeout", () => {
  it.effect("closes idle normal clients but leaves subscribers alone", () =>
    Effect.gen(function*() {
      const context = yield* Layer.build(RedisServer.layerWithDb({ port: 0, timeout: 1 }))
      const server = Context.get(context, RedisServer)
      const connect = Effect.acquireRelease(
        Effect.promise(() => RawClient.connect(server.address.port)),
        (client) => Effect.sync(() => client.close())
      )
      const [idle, subscriber] = [yield* connect, yield* connect]
      expect(yield* Effect.promise(() => idle.call("PING"))).toEqual(simple("PONG"))
      yield* Effect.promise(() => callAll(subscriber, "SUBSCRIBE", "quiet"))
      yield* TestClock.adjust("5 seconds")
      yield* Effect.promise(() => idle.waitClosed())
      expect(subscriber.closed).toBe(false)
      expect(yield* Effect.promise(() => subscriber.call("PING"))).toEqual({
        kind: "array",
        value: [{ kind: "bulk", value: "pong" }, { kind: "bulk", value: "" }]
      })
    }))
})
