/**
 * DEBUG OBJECT against real Redis 7 (both with enable-debug-command yes): the whole line equal
 * but for what differs by nature — the value's address, and the LRU clock and idle seconds
 * (masked). Refcount, encoding, serializedlength (the RDB length) and the quicklist fields of
 * lists compare exactly, for every type, several encodings, compression and list node sizes.
 */
import { describe, expect, it } from "vitest"
import { RawClient } from "../support/RawClient.js"
import type { Reply } from "../support/RespReader.js"
import { hasRealRedis, startRealRedis, startRedfiber } from "../support/servers.js"

const masked = (reply: Reply): string =>
  reply.kind === "simple" || reply.kind === "error"
    ? `${reply.kind} ${reply.value.replace(/at:0x[0-9a-f]+/, "at:ADDR").replace(/ lru:\d+ lru_seconds_idle:\d+/, " lru:L lru_seconds_idle:I")}`
    : JSON.stringify(reply)

const SETUP: ReadonlyArray<ReadonlyArray<string>> = [
  ["SET", "embstr", "hello"],
  ["SET", "int", "12345"],
  ["SET", "shared", "42"],
  ["SET", "negative", "-5"],
  ["SET", "float", "1.5"],
  ["SET", "raw", "a".repeat(100)],
  ["SET", "random", Array.from({ length: 200 }, (_, i) => String.fromCharCode(33 + ((i * 7919) % 90))).join("")],
  ["SET", "empty", ""],
  ["APPEND", "appended", "123"],
  ["SET", "ttl", "v", "EX", "100"],
  ["RPUSH", "list", "a", "b", "c"],
  ["RPUSH", "numbers", ...Array.from({ length: 300 }, (_, i) => String(i * 1001))],
  ["HSET", "hash", "f", "v", "g", "12"],
  ["HSET", "bighash", ...Array.from({ length: 600 }, (_, i) => [`f${i}`, `v${i}`]).flat()],
  ["SADD", "intset", "1", "2", "3"],
  ["SADD", "strings", "a", "b"],
  ["ZADD", "zset", "1", "a", "2.5", "b"],
  ["ZADD", "bigzset", ...Array.from({ length: 200 }, (_, i) => [String(i), `m${i}`]).flat()],
  ["PFADD", "hll", "a", "b", "c"],
  ["SADD", "bigset", ...Array.from({ length: 600 }, (_, i) => `member-${i}`)],
  ["XADD", "stream", "1-1", "f", "v"],
  ["XADD", "stream", "2-1", "f", "w", "g", "x"],
  ["SET", "uncompressed", "a".repeat(100)]
]

/**
 * Lists under other node settings, described while those are in force (a Redis list keeps the
 * settings it was made with; ours are read when asked, as DUMP reads them).
 */
const LIST_SETTINGS: ReadonlyArray<ReadonlyArray<string>> = [
  ["CONFIG", "SET", "list-max-listpack-size", "2"],
  ["RPUSH", "small-nodes", "1", "2", "3", "4", "5"],
  ["DEBUG", "OBJECT", "small-nodes"],
  ["CONFIG", "SET", "list-compress-depth", "1"],
  ["RPUSH", "compressed", ...Array.from({ length: 20 }, (_, i) => String(i + 1))],
  ["DEBUG", "OBJECT", "compressed"],
  ["CONFIG", "SET", "list-max-listpack-size", "-1"],
  ["RPUSH", "fill-4k", ...Array.from({ length: 100 }, (_, i) => `element-${i}-${"x".repeat(i % 50)}`)],
  ["DEBUG", "OBJECT", "fill-4k"],
  ["CONFIG", "SET", "list-max-listpack-size", "-2"],
  ["CONFIG", "SET", "list-compress-depth", "0"],
  ["CONFIG", "SET", "rdbcompression", "no"],
  ["DEBUG", "OBJECT", "uncompressed"],
  ["DEBUG", "OBJECT", "raw"],
  ["CONFIG", "SET", "rdbcompression", "yes"]
]

const KEYS = [
  "embstr", "int", "shared", "negative", "float", "raw", "random", "empty", "appended", "ttl", "list", "numbers",
  "hash", "bighash", "intset", "strings", "zset", "bigzset", "hll", "bigset", "stream", "uncompressed"
]

const run = async (port: number): Promise<Array<string>> => {
  const client = await RawClient.connect(port)
  try {
    for (const argv of SETUP) await client.call(...argv)
    const seen: Array<string> = []
    for (const key of KEYS) seen.push(`${key}: ${masked(await client.call("DEBUG", "OBJECT", key))}`)
    seen.push(masked(await client.call("DEBUG", "OBJECT", "missing")))
    seen.push(masked(await client.call("DEBUG", "OBJECT")))
    seen.push(masked(await client.call("DEBUG", "OBJECT", "a", "b")))
    seen.push(masked(await client.call("debug", "object", "list")))
    for (const argv of LIST_SETTINGS) seen.push(`${argv.join(" ").slice(0, 40)}: ${masked(await client.call(...argv))}`)
    return seen
  } finally {
    client.close()
  }
}

describe.skipIf(!hasRealRedis)("DEBUG OBJECT against real Redis 7", () => {
  it("describes every type as Redis does (address and LRU fields masked)", async () => {
    const ours = await startRedfiber({ enableDebugCommand: "yes" })
    const redis = await startRealRedis(["--enable-debug-command", "yes"])
    try {
      const mine = await run(ours.port)
      expect(mine).toEqual(await run(redis.port))
      expect(mine[0]).toBe("embstr: simple Value at:ADDR refcount:1 encoding:embstr serializedlength:6 lru:L lru_seconds_idle:I")
    } finally {
      await Promise.all([ours.stop(), redis.stop()])
    }
  })
})
