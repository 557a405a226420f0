/**
 * HTTP rate limiting backed by the server, on real Redis 7 and on redfiber with the same
 * expectations: an express app (ephemeral port, requests through fetch) limited by
 * express-rate-limit with rate-limit-redis's store, once through node-redis's sendCommand and
 * once through ioredis's `call` (the store loads a Lua script and runs it by EVALSHA), and
 * rate-limiter-flexible's RateLimiterRedis on node-redis (`useRedisPackage`).
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import express from "express"
import { rateLimit } from "express-rate-limit"
import { Redis } from "ioredis"
import type { Server } from "node:http"
import type { AddressInfo } from "node:net"
import { RedisStore } from "rate-limit-redis"
import { RateLimiterRedis } from "rate-limiter-flexible"
import { createClient } from "redis"
import type { RunningServer } from "../support/servers.js"
import { targets } from "./targets.js"

type NodeRedis = ReturnType<typeof createClient>

for (const target of targets) {
  describe(`rate limiting on ${target.name}`, () => {
    let server: RunningServer
    let nodeRedis: NodeRedis
    let ioredis: Redis
    let http: Server
    let base: string
    const limiters: Record<string, ReturnType<typeof rateLimit>> = {}

    beforeAll(async () => {
      server = await target.start()
      nodeRedis = createClient({ socket: { host: "127.0.0.1", port: server.port } })
      await nodeRedis.connect()
      ioredis = new Redis({ port: server.port, lazyConnect: true })
      await ioredis.connect()
      const stores = {
        node: () => new RedisStore({ prefix: "rl-node:", sendCommand: (...args: Array<string>) => nodeRedis.sendCommand(args) as never }),
        io: () => new RedisStore({ prefix: "rl-io:", sendCommand: (command: string, ...args: Array<string>) => ioredis.call(command, ...args) as never })
      }
      const app = express()
      for (const [name, store] of Object.entries(stores)) {
        for (const [window, windowMs] of [["long", 60_000], ["short", 2000]] as const) {
          const limiter = rateLimit({
            windowMs,
            limit: 3,
            standardHeaders: "draft-7",
            legacyHeaders: false,
            store: store(),
            keyGenerator: (req) => `${window}:${req.get("x-client") ?? "anonymous"}`
          })
          limiters[`${name}-${window}`] = limiter
          app.get(`/${name}/${window}`, limiter, (_req, res) => {
            res.send("ok")
          })
        }
      }
      http = await new Promise<Server>((resolve) => {
        const listening = app.listen(0, "127.0.0.1", () => resolve(listening))
      })
      base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`
    })
    afterAll(async () => {
      await new Promise((resolve) => (http ? http.close(resolve) : resolve(undefined)))
      await nodeRedis?.quit()
      ioredis?.disconnect()
      await server?.stop()
    })

    const hit = async (path: string, client: string) => {
      const response = await fetch(`${base}${path}`, { headers: { "x-client": client } })
      return { status: response.status, limit: response.headers.get("ratelimit"), body: await response.text() }
    }

    for (const store of ["node", "io"]) {
      it(`express-rate-limit + rate-limit-redis (${store === "node" ? "node-redis" : "ioredis call"}): 429 after 3, per client, reset`, async () => {
        const path = `/${store}/long`
        const statuses: Array<number> = []
        for (let i = 0; i < 5; i++) statuses.push((await hit(path, "alice")).status)
        expect(statuses).toEqual([200, 200, 200, 429, 429])
        const refused = await hit(path, "alice")
        expect(refused.body).toBe("Too many requests, please try again later.")
        expect(refused.limit).toMatch(/^limit=3, remaining=0, reset=(59|60)$/)
        const other = await hit(path, "bob")
        expect(other.status).toBe(200)
        expect(other.limit).toMatch(/^limit=3, remaining=2, reset=(59|60)$/)
        const key = `rl-${store}:long:alice`
        const client = new Redis({ port: server.port })
        try {
          expect(await client.get(key)).toBe("6")
          const ttl = await client.pttl(key)
          expect(ttl).toBeGreaterThan(55_000)
          expect(ttl).toBeLessThanOrEqual(60_000)
          await limiters[`${store}-long`]!.resetKey("long:alice")
          expect(await client.exists(key)).toBe(0)
        } finally {
          client.disconnect()
        }
        expect((await hit(path, "alice")).status).toBe(200)
      })

      it(`express-rate-limit + rate-limit-redis (${store}): the window expires and the count starts over`, async () => {
        const path = `/${store}/short`
        const statuses: Array<number> = []
        for (let i = 0; i < 4; i++) statuses.push((await hit(path, "carol")).status)
        expect(statuses).toEqual([200, 200, 200, 429])
        // Past the 2 s window (long enough that the four hits above fit in it on a loaded machine).
        await new Promise((resolve) => setTimeout(resolve, 2100))
        const again = await hit(path, "carol")
        expect(again.status).toBe(200)
        expect(again.limit).toMatch(/^limit=3, remaining=2, reset=[12]$/)
      })
    }

    it("rate-limiter-flexible on node-redis (useRedisPackage): consume, refuse, penalty, reward, block", async () => {
      const limiter = new RateLimiterRedis({
        storeClient: nodeRedis, useRedisPackage: true, points: 4, duration: 30, keyPrefix: "rlf-node"
      })
      expect((await limiter.consume("dave", 3)).remainingPoints).toBe(1)
      const refused = await limiter.consume("dave", 2).then(() => undefined, (rejection) => rejection)
      expect(refused.remainingPoints).toBe(0)
      expect(refused.consumedPoints).toBe(5)
      expect(refused.msBeforeNext).toBeGreaterThan(25_000)
      expect(refused.msBeforeNext).toBeLessThanOrEqual(30_000)
      await limiter.reward("dave", 3)
      expect((await limiter.get("dave"))!.consumedPoints).toBe(2)
      await limiter.penalty("dave", 1)
      expect((await limiter.get("dave"))!.remainingPoints).toBe(1)
      await limiter.block("erin", 20)
      const blocked = await limiter.get("erin")
      expect(blocked!.consumedPoints).toBeGreaterThan(4)
      expect(blocked!.msBeforeNext).toBeGreaterThan(15_000)
      expect(await nodeRedis.exists("rlf-node:erin")).toBe(1)
      await limiter.delete("dave")
      expect(await limiter.get("dave")).toBe(null)
    })
  })
}
