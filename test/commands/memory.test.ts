/**
 * MEMORY STATS has Redis's fields, in Redis's order, with Redis's reply kinds (integers, and
 * doubles for ratios and percentages), in RESP2 and RESP3; MEMORY USAGE follows the keyspace's
 * accounting: it grows with the value, and the keys' usages (a RESTOREd one too) add up to what used
 * memory gained.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { RawClient } from "../support/RawClient.js"
import type { Reply } from "../support/RespReader.js"
import { hasRealRedis, type RunningRedfiber, type RunningServer, startRealRedis, startRedfiber } from "../support/servers.js"

/** Field names and value kinds of a STATS reply (a map in RESP3, a flat array in RESP2), nested maps included. */
const shape = (reply: Reply): Array<string> => {
  const flat = reply.value as ReadonlyArray<Reply>
  const out: Array<string> = []
  for (let i = 0; i < flat.length; i += 2) {
    const value = flat[i + 1]
    const kind = value.kind === "map" || value.kind === "array" ? shape(value).join(",") : value.kind
    out.push(`${String(flat[i].value)}:${kind}`)
  }
  return out
}

describe.skipIf(!hasRealRedis)("MEMORY against redis-server", () => {
  let ours: RunningRedfiber | undefined
  let redis: RunningServer | undefined

  beforeAll(async () => {
    ;[ours, redis] = await Promise.all([startRedfiber(), startRealRedis()])
  })
  afterAll(async () => {
    await Promise.all([ours?.stop(), redis?.stop()])
  })

  for (const protocol of [2, 3] as const) {
    it(`MEMORY STATS: the same fields and kinds (RESP${protocol})`, async () => {
      const shapes: Array<Array<string>> = []
      for (const port of [ours!.port, redis!.port]) {
        const client = await RawClient.connect(port)
        try {
          if (protocol === 3) await client.call("HELLO", "3")
          await client.call("FLUSHALL")
          await client.call("SET", "a", "1")
          await client.call("SELECT", "3")
          await client.call("SET", "b", "2", "EX", "100")
          shapes.push(shape(await client.call("MEMORY", "STATS")))
        } finally {
          client.close()
        }
      }
      expect(shapes[0]).toEqual(shapes[1])
      expect(shapes[0]).toContain("keys.count:integer")
    })
  }

  it("MEMORY USAGE grows with the value and the usages add up to used memory's growth", async () => {
    const client = await RawClient.connect(ours!.port)
    try {
      await client.call("FLUSHALL")
      const usage = async (key: string) => Number((await client.call("MEMORY", "USAGE", key)).value)
      const total = async () => Number(((await client.call("MEMORY", "STATS")).value as ReadonlyArray<Reply>)[3].value)
      const empty = await total()
      await client.call("SET", "short", "x")
      await client.call("SET", "long", "x".repeat(10000))
      await client.call("RPUSH", "list", ...Array.from({ length: 1000 }, (_, i) => `element-${i}`))
      await client.call("HSET", "hash", "f", "v")
      expect(await usage("long")).toBeGreaterThan(10000)
      expect(await usage("long")).toBeGreaterThan(await usage("short"))
      const small = await usage("list")
      await client.call("RPUSH", "list", ...Array.from({ length: 1000 }, (_, i) => `more-${i}`))
      expect(await usage("list")).toBeGreaterThan(small + 1000 * 10)
      const keys = ["short", "long", "list", "hash"]
      let sum = 0
      for (const key of keys) sum += await usage(key)
      const grown = (await total()) - empty
      // The keys' records, plus the bucket array the table grew: within a few hundred bytes.
      expect(Math.abs(grown - sum)).toBeLessThan(512)
      expect((await client.call("MEMORY", "USAGE", "missing")).value).toBe(null)
      // A RESTOREd value is accounted as the one it copies is.
      const payload = String((await client.call("DUMP", "list")).value)
      const before = await total()
      await client.call("RESTORE", "copy", "0", payload)
      const copy = await usage("copy")
      expect(copy).toBeGreaterThan(2000 * 10)
      expect(Math.abs((await total()) - before - copy)).toBeLessThan(512)
    } finally {
      client.close()
    }
  })
})
