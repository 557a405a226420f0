/**
 * Access stamps (keyspace/AccessClock.ts): LRU times in seconds that OBJECT IDLETIME reads, on
 * Effect's Clock for TCP clients too; which commands count as an access (Redis's LOOKUP_NOTOUCH
 * ones do not); LFU counters that grow logarithmically and decay by the minute, as Redis's do.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as TestClock from "effect/testing/TestClock"
import { AccessClock } from "../../src/keyspace/AccessClock.js"
import { RedisServer } from "../../src/server/RedisServer.js"
import { RawClient } from "../support/RawClient.js"
import { hasRealRedis, startRealRedis, startRedfiber } from "../support/servers.js"

describe("AccessClock", () => {
  it("LRU: idle seconds since the stamp, across the 24-bit clock's wrap", () => {
    const clock = new AccessClock()
    clock.setTime(1_000_000)
    const stamp = clock.initial()
    clock.setTime(1_000_000 + 42_999)
    expect(clock.idleSeconds(stamp)).toBe(42)
    expect(clock.idleSeconds(clock.touched(stamp))).toBe(0)
    // 2^24 - 1 seconds in: the clock wrapped to 0 in between.
    clock.setTime((2 ** 24 - 1) * 1000)
    const late = clock.initial()
    clock.setTime((2 ** 24 + 9) * 1000)
    // 10 s later; Redis's formula (now + LRU_CLOCK_MAX - stamp) is one short across the wrap, as is ours.
    expect(clock.idleSeconds(late)).toBe(9)
  })

  it("LFU: new keys start at 5, one access from 5 always counts, counters decay one per decay-time minutes", () => {
    const clock = new AccessClock()
    clock.lfu = true
    clock.setTime(0)
    const fresh = clock.initial()
    expect(clock.decayed(fresh)).toBe(5)
    expect(clock.decayed(clock.touched(fresh))).toBe(6)
    clock.setTime(3 * 60_000)
    expect(clock.decayed(fresh)).toBe(2)
    clock.decayTime = 0
    expect(clock.decayed(fresh)).toBe(5)
    // With log factor 0 every access counts, up to 255.
    clock.logFactor = 0
    let stamp = fresh
    for (let i = 0; i < 300; i++) stamp = clock.touched(stamp)
    expect(clock.decayed(stamp)).toBe(255)
  })

  it("LFU: with the default log factor, growth slows down as Redis's does (about 1/(10·(c-5)+1) per access)", () => {
    const clock = new AccessClock()
    clock.lfu = true
    clock.decayTime = 0
    clock.setTime(0)
    let stamp = clock.initial()
    for (let i = 0; i < 10_000; i++) stamp = clock.touched(stamp)
    // Climbing from c takes 10·(c-5)+1 accesses on average, so 10k reach about 5 + sqrt(10k / 5) = 50
    // (Redis's table at factor 10: 18 at 1k hits, 142 at 100k). Over 20,000 runs: 36-66, sd about 4.
    expect(clock.decayed(stamp)).toBeGreaterThan(30)
    expect(clock.decayed(stamp)).toBeLessThan(75)
  })
})

describe("OBJECT IDLETIME on Effect's Clock", () => {
  it.effect("reads seconds since the last access; TYPE, EXISTS, TTL and OBJECT are not accesses, TOUCH is", () =>
    Effect.gen(function*() {
      const context = yield* Layer.build(RedisServer.layerWithDb({ port: 0 }))
      const server = Context.get(context, RedisServer)
      const client = yield* Effect.acquireRelease(
        Effect.promise(() => RawClient.connect(server.address.port)),
        (c) => Effect.sync(() => c.close())
      )
      const call = (...args: Array<string>) => Effect.promise(() => client.call(...args))
      const idle = Effect.map(call("OBJECT", "IDLETIME", "k"), (reply) => reply.value)
      yield* call("SET", "k", "v")
      yield* TestClock.adjust("10 seconds")
      expect(yield* idle).toBe("10")
      for (const command of [["TYPE", "k"], ["EXISTS", "k"], ["TTL", "k"], ["OBJECT", "ENCODING", "k"]]) {
        yield* call(...command)
      }
      expect(yield* idle).toBe("10")
      yield* call("GET", "k")
      expect(yield* idle).toBe("0")
      yield* TestClock.adjust("5 seconds")
      yield* call("TOUCH", "k")
      expect(yield* idle).toBe("0")
      yield* TestClock.adjust("3 seconds")
      yield* call("APPEND", "k", "w")
      expect(yield* idle).toBe("0")
    }))
})

describe.skipIf(!hasRealRedis)("OBJECT FREQ against real Redis", () => {
  it("new keys, the first read, and a policy without LFU answer as Redis's do", async () => {
    const servers = await Promise.all([startRedfiber(), startRealRedis()])
    try {
      const transcripts = await Promise.all(servers.map(async (target) => {
        const client = await RawClient.connect(target.port)
        const replies: Array<unknown> = []
        for (const command of [
          ["SET", "k", "v"],
          ["OBJECT", "FREQ", "k"],
          ["CONFIG", "SET", "maxmemory-policy", "allkeys-lfu"],
          ["SET", "f", "v"],
          ["OBJECT", "FREQ", "f"],
          ["GET", "f"],
          ["OBJECT", "FREQ", "f"],
          ["TYPE", "f"],
          ["OBJECT", "FREQ", "f"],
          ["OBJECT", "IDLETIME", "f"],
          ["OBJECT", "FREQ", "missing"],
          ["CONFIG", "SET", "maxmemory-policy", "noeviction"]
        ]) replies.push(await client.call(...command))
        client.close()
        return replies
      }))
      expect(transcripts[0]).toEqual(transcripts[1])
    } finally {
      await Promise.all(servers.map((server) => server.stop()))
    }
  })
})
