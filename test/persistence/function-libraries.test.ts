/**
 * Function libraries in files, against real Redis 7.0: an RDB file Redis saved with libraries
 * loads here and ours loads in Redis (opcode 245 entries after the aux fields), and an AOF
 * rewrite keeps them as FUNCTION LOAD commands.
 */
import { afterEach, describe, expect, it } from "@effect/vitest"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { readAof } from "../../src/persistence/AofReader.js"
import { runCommands } from "../support/dataset.js"
import { RawClient } from "../support/RawClient.js"
import { hasRealRedis, startRealRedis, startRedfiber } from "../support/servers.js"

const LIB = "#!lua name=filelib\nredis.register_function('ff', function(keys) return redis.call('GET', keys[1]) end)"
const LONG_LIB = `#!lua name=longlib\n${"-- padding padding padding\n".repeat(30)}redis.register_function('fl', function() return 'long' end)`

const dirs: Array<string> = []
const tempDir = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "redfiber-functions-"))
  dirs.push(dir)
  return dir
}
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true })
})

const call = async (port: number, ...argv: Array<string>) => {
  const client = await RawClient.connect(port)
  try {
    return await client.call(...argv)
  } finally {
    client.close()
  }
}

const bulk = (value: string) => ({ kind: "bulk", value })

describe.skipIf(!hasRealRedis)("function libraries in RDB files", () => {
  it("Redis's RDB loads here, and ours in Redis", async () => {
    const dir = tempDir()
    const redis = await startRealRedis(["--dir", dir, "--dbfilename", "dump.rdb"])
    try {
      await runCommands(redis.port, [["FUNCTION", "LOAD", LIB], ["FUNCTION", "LOAD", LONG_LIB], ["SET", "k", "v"], ["SAVE"]])
    } finally {
      await redis.stop()
    }
    const ours = await startRedfiber({ dir })
    try {
      expect(await call(ours.port, "FCALL", "ff", "1", "k")).toEqual(bulk("v"))
      expect(await call(ours.port, "FCALL", "fl", "0")).toEqual(bulk("long"))
      await runCommands(ours.port, [["FUNCTION", "DELETE", "longlib"], ["SET", "k", "ours"], ["SAVE"]])
    } finally {
      await ours.stop()
    }
    const again = await startRealRedis(["--dir", dir, "--dbfilename", "dump.rdb"])
    try {
      expect(await call(again.port, "FCALL", "ff", "1", "k")).toEqual(bulk("ours"))
      expect((await call(again.port, "FCALL", "fl", "0")).kind).toBe("error")
    } finally {
      await again.stop()
    }
  })

  it("an AOF rewrite keeps the libraries as FUNCTION LOAD commands", async () => {
    const dir = tempDir()
    const first = await startRedfiber({ dir, appendonly: "yes", appendfsync: "always" })
    await runCommands(first.port, [
      ["FUNCTION", "LOAD", LIB],
      ["FUNCTION", "LOAD", LONG_LIB],
      ["FUNCTION", "DELETE", "longlib"],
      ["SET", "k", "v"],
      ["BGREWRITEAOF"]
    ])
    for (let i = 0; i < 100; i++) {
      const info = await call(first.port, "INFO", "persistence")
      if (info.kind === "bulk" && info.value?.includes("aof_rewrite_in_progress:0")) break
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    await first.stop()
    const logged: Array<Array<string>> = []
    for (const entry of readAof(path.join(dir, "appendonly.aof"))) if (entry.kind === "command") logged.push(entry.argv)
    // The rewrite: the one library left, first, and no trace of the deleted one.
    expect(logged[0]).toEqual(["FUNCTION", "LOAD", LIB])
    expect(logged.filter((argv) => argv[0].toUpperCase() === "FUNCTION")).toHaveLength(1)
    const second = await startRedfiber({ dir, appendonly: "yes", appendfsync: "always" })
    try {
      expect(await call(second.port, "FCALL", "ff", "1", "k")).toEqual(bulk("v"))
    } finally {
      await second.stop()
    }
  })
})
