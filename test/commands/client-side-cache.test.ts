/**
 * Client-side caching with real client libraries: node-redis's `clientSideCache` (RESP3, CLIENT
 * TRACKING ON) serves repeated reads from its cache and drops an entry when another client's write
 * invalidates it; ioredis tracks with REDIRECT to a RESP2 subscriber, which gets the invalidations
 * as `__redis__:invalidate` messages. Each runs against our server and, when installed, real Redis.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { Redis } from "ioredis"
import { BasicClientSideCache, createClient } from "redis"
import { RawClient } from "../support/RawClient.js"
import { hasRealRedis, type RunningServer, startRealRedis, startRedfiber } from "../support/servers.js"

const until = async (condition: () => boolean, timeoutMs = 3000): Promise<void> => {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time")
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

const defineSuite = (label: string, start: () => Promise<RunningServer>) =>
  describe(`client-side caching with client libraries (${label})`, () => {
    let server: RunningServer
    beforeAll(async () => {
      server = await start()
    })
    afterAll(() => server.stop())

    it("node-redis clientSideCache: hits from its cache, misses after another client's write", async () => {
      const cache = new BasicClientSideCache({ ttl: 0, maxEntries: 0, evictPolicy: "LRU" })
      const cached = createClient({ url: `redis://127.0.0.1:${server.port}`, RESP: 3, clientSideCache: cache })
      const writer = createClient({ url: `redis://127.0.0.1:${server.port}`, RESP: 3 })
      cached.on("error", () => {})
      writer.on("error", () => {})
      await Promise.all([cached.connect(), writer.connect()])
      try {
        await writer.set("csc:key", "one")
        expect(await cached.get("csc:key")).toBe("one")
        expect(await cached.get("csc:key")).toBe("one")
        expect(cache.stats().hitCount).toBe(1)
        expect(cache.stats().missCount).toBe(1)
        await writer.set("csc:key", "two")
        await until(() => cache.size() === 0)
        expect(await cached.get("csc:key")).toBe("two")
        expect(cache.stats().missCount).toBe(2)
        await writer.flushAll()
        await until(() => cache.size() === 0)
        expect(await cached.get("csc:key")).toBeNull()
      } finally {
        await Promise.all([cached.close(), writer.close()])
      }
    })

    it("ioredis tracks with REDIRECT; the RESP2 subscriber of __redis__:invalidate gets the keys", async () => {
      // (ioredis's own subscriber mode drops messages whose payload is an array, so a raw one listens.)
      const subscriber = await RawClient.connect(server.port)
      const options = { host: "127.0.0.1", port: server.port, lazyConnect: true, retryStrategy: () => null }
      const tracker = new Redis(options)
      const writer = new Redis(options)
      await Promise.all([tracker.connect(), writer.connect()])
      try {
        const id = await subscriber.call("CLIENT", "ID")
        await subscriber.call("SUBSCRIBE", "__redis__:invalidate")
        expect(await tracker.call("CLIENT", "TRACKING", "ON", "REDIRECT", String(id.value))).toBe("OK")
        expect(await tracker.call("CLIENT", "GETREDIR")).toBe(Number(id.value))
        await tracker.get("io:key")
        await writer.set("io:key", "v")
        expect(await subscriber.read()).toEqual({
          kind: "array",
          value: [
            { kind: "bulk", value: "message" },
            { kind: "bulk", value: "__redis__:invalidate" },
            { kind: "array", value: [{ kind: "bulk", value: "io:key" }] }
          ]
        })
      } finally {
        subscriber.close()
        tracker.disconnect()
        writer.disconnect()
      }
    })
  })

defineSuite("redfiber", () => startRedfiber())
if (hasRealRedis) defineSuite("real Redis 7", () => startRealRedis())
