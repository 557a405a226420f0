/**
 * FUNCTION DUMP / RESTORE against real Redis 7.0: a dump from Redis restores here and ours on
 * Redis (byte-identical payloads for the same library), and the policies and errors answer as
 * Redis's do.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { RawClient } from "../support/RawClient.js"
import type { Reply } from "../support/RespReader.js"
import { hasRealRedis, type RunningServer, startRealRedis, startRedfiber } from "../support/servers.js"

const LIB_A = "#!lua name=liba\nredis.register_function('fa', function() return 'a' end)"
const LIB_A2 = "#!lua name=liba\nredis.register_function('fa2', function() return 'a2' end)"
/** Long and repetitive: its RDB string is LZF-compressed. */
const LIB_B = `#!lua name=libb\n${"-- padding padding padding padding\n".repeat(20)}redis.register_function('fb', function() return 'b' end)`
const LIB_CLASH = "#!lua name=libc\nredis.register_function('fa', function() return 'c' end)"

const text = (reply: Reply): string => (reply.kind === "bulk" ? reply.value ?? "" : "")

describe.skipIf(!hasRealRedis)("FUNCTION DUMP / RESTORE", () => {
  let ours: RunningServer | undefined
  let redis: RunningServer | undefined
  let mine: RawClient
  let theirs: RawClient
  beforeAll(async () => {
    ours = await startRedfiber()
    redis = await startRealRedis()
    mine = await RawClient.connect(ours.port)
    theirs = await RawClient.connect(redis.port)
  })
  afterAll(async () => {
    mine.close()
    theirs.close()
    await Promise.all([ours?.stop(), redis?.stop()])
  })

  const both = async (...argv: Array<string>): Promise<Reply> => {
    const [a, b] = [await mine.call(...argv), await theirs.call(...argv)]
    expect(a).toEqual(b)
    return a
  }

  it("payloads are Redis's, and each server restores the other's", async () => {
    await both("FUNCTION", "FLUSH")
    await both("FUNCTION", "LOAD", LIB_B)
    const dump = await both("FUNCTION", "DUMP")
    expect(text(dump).charCodeAt(0)).toBe(0xf5)
    await both("FUNCTION", "FLUSH")
    await both("FUNCTION", "LOAD", LIB_A)
    const fromRedis = text(await theirs.call("FUNCTION", "DUMP"))
    const fromUs = text(await mine.call("FUNCTION", "DUMP"))
    expect(fromUs).toBe(fromRedis)
    await both("FUNCTION", "FLUSH")
    expect(await mine.call("FUNCTION", "RESTORE", text(dump))).toEqual(await theirs.call("FUNCTION", "RESTORE", text(dump)))
    await both("FCALL", "fb", "0")
    await both("FUNCTION", "RESTORE", fromRedis)
    await both("FCALL", "fa", "0")
    // One library at a time: Redis lists them in its hash order.
    await both("FUNCTION", "LIST", "LIBRARYNAME", "liba", "WITHCODE")
    await both("FUNCTION", "LIST", "LIBRARYNAME", "libb", "WITHCODE")
  })

  it("policies and errors", async () => {
    await both("FUNCTION", "FLUSH")
    await both("FUNCTION", "LOAD", LIB_A2)
    const a2 = text(await both("FUNCTION", "DUMP"))
    await both("FUNCTION", "FLUSH")
    await both("FUNCTION", "LOAD", LIB_A)
    await both("FUNCTION", "LOAD", LIB_B)
    // Two libraries: Redis dumps them in its hash order; both servers restore Redis's payload.
    const ab = text(await theirs.call("FUNCTION", "DUMP"))
    await both("FUNCTION", "FLUSH")
    await both("FUNCTION", "LOAD", LIB_CLASH)
    const clash = text(await both("FUNCTION", "DUMP"))
    await both("FUNCTION", "FLUSH")
    await both("FUNCTION", "RESTORE", ab)
    // A collision with one library only: Redis checks a payload's libraries in hash order.
    await both("FUNCTION", "RESTORE", a2)
    await both("FUNCTION", "RESTORE", a2, "APPEND")
    await both("FUNCTION", "RESTORE", ab, "replace")
    await both("FUNCTION", "RESTORE", clash)
    await both("FUNCTION", "RESTORE", clash, "REPLACE")
    await both("FUNCTION", "RESTORE", a2, "REPLACE")
    await both("FCALL", "fa2", "0")
    await both("FCALL", "fa", "0")
    await both("FUNCTION", "RESTORE", clash, "APPEND")
    await both("FCALL", "fa", "0")
    await both("FUNCTION", "RESTORE", a2, "FLUSH")
    await both("FUNCTION", "LIST")
    await both("FUNCTION", "RESTORE", a2, "bogus")
    await both("FUNCTION", "RESTORE", "not a payload")
    await both("FUNCTION", "RESTORE", `${a2.slice(0, -1)}x`)
    await both("FUNCTION", "RESTORE", a2, "FLUSH", "extra")
    await both("FUNCTION", "RESTORE")
    await both("FUNCTION", "DUMP", "extra")
    await both("FUNCTION", "FLUSH")
    await both("FUNCTION", "DUMP")
    await both("FUNCTION", "HELP")
  })
})
