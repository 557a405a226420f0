/**
 * Real libraries whose work is Lua scripts, against our server and against redis-server (when
 * installed), with the same expectations: redlock (locks by SET NX + EVALSHA release/extend),
 * rate-limiter-flexible's RateLimiterRedis (an EVAL per consume), ioredis `defineCommand`
 * (EVALSHA, then EVAL on NOSCRIPT) and node-redis scripts (defineScript: EVALSHA).
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { Redis } from "ioredis"
import { RateLimiterRedis } from "rate-limiter-flexible"
import { createClient, defineScript } from "redis"
import Redlock from "redlock"
import { hasRealRedis, type RunningServer, startRealRedis, startRedfiber } from "../support/servers.js"

const targets: Array<readonly [string, () => Promise<RunningServer>]> = [["redfiber", () => startRedfiber()]]
if (hasRealRedis) targets.push(["redis-server", () => startRealRedis()])

for (const [name, start] of targets) {
  describe(`scripting libraries against ${name}`, () => {
    let server: RunningServer
    let client: Redis

    beforeAll(async () => {
      server = await start()
      client = new Redis({ port: server.port, lazyConnect: true, maxRetriesPerRequest: 1 })
      await client.connect()
    })
    afterAll(async () => {
      client?.disconnect()
      await server?.stop()
    })

    it("redlock: acquire, exclude a second holder, extend, release", async () => {
      await client.flushall()
      const redlock = new Redlock([client], { retryCount: 0 })
      const lock = await redlock.acquire(["lib:lock"], 5000)
      expect(await client.get("lib:lock")).toBe(lock.value)
      await expect(redlock.acquire(["lib:lock"], 5000)).rejects.toThrow()
      const extended = await lock.extend(10000)
      expect(await client.pttl("lib:lock")).toBeGreaterThan(5000)
      await extended.release()
      expect(await client.exists("lib:lock")).toBe(0)
      const again = await redlock.acquire(["lib:lock"], 1000)
      await again.release()
    })

    it("rate-limiter-flexible: consumes points, then refuses with the time to wait", async () => {
      await client.flushall()
      const limiter = new RateLimiterRedis({ storeClient: client, points: 3, duration: 10, keyPrefix: "rl" })
      const first = await limiter.consume("user", 1)
      expect(first.remainingPoints).toBe(2)
      await limiter.consume("user", 2)
      const refused = await limiter.consume("user", 1).then(() => undefined, (rejection) => rejection)
      expect(refused.remainingPoints).toBe(0)
      expect(refused.msBeforeNext).toBeGreaterThan(0)
      expect(refused.msBeforeNext).toBeLessThanOrEqual(10000)
      expect((await limiter.get("user"))?.consumedPoints).toBe(4)
      await limiter.delete("user")
      expect(await limiter.get("user")).toBe(null)
    })

    it("ioredis defineCommand: EVALSHA, and EVAL again after SCRIPT FLUSH", async () => {
      await client.flushall()
      client.defineCommand("incrMax", {
        numberOfKeys: 1,
        lua: "local v = redis.call('INCR', KEYS[1]) if v > tonumber(ARGV[1]) then redis.call('SET', KEYS[1], ARGV[1]) return tonumber(ARGV[1]) end return v"
      })
      const incrMax = (key: string, max: number) => (client as unknown as Record<string, (k: string, m: number) => Promise<number>>).incrMax(key, max)
      expect(await incrMax("lib:n", 2)).toBe(1)
      expect(await incrMax("lib:n", 2)).toBe(2)
      await client.script("FLUSH")
      expect(await incrMax("lib:n", 2)).toBe(2)
      expect(await client.get("lib:n")).toBe("2")
    })

    it("node-redis scripts: defineScript with keys and arguments, cjson inside", async () => {
      const redis = createClient({
        socket: { port: server.port },
        scripts: {
          pairUp: defineScript({
            NUMBER_OF_KEYS: 1,
            SCRIPT: "redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) return cjson.encode(redis.call('HGETALL', KEYS[1]))",
            parseCommand(parser: any, key: string, field: string, value: string) {
              parser.pushKey(key)
              parser.push(field, value)
            },
            transformReply: (reply: unknown) => reply as string
          })
        }
      })
      await redis.connect()
      try {
        await redis.del("lib:h")
        expect(await (redis as any).pairUp("lib:h", "f", "v")).toBe('["f","v"]')
        expect(await redis.hGet("lib:h", "f")).toBe("v")
      } finally {
        await redis.quit()
      }
    })
  })
}
