/**
 * Scripting end to end on our server alone (the replies are compared with Redis in the
 * differential suite): what a script wrote replays exactly from the AOF — its effects between
 * MULTI and EXEC, never the script, so randomness and the clock do not matter at replay.
 */
import { afterEach, describe, expect, it } from "@effect/vitest"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { readAof } from "../../src/persistence/AofReader.js"
import { datasetOf, runCommands } from "../support/dataset.js"
import { startRedfiber } from "../support/servers.js"

const dirs: Array<string> = []
const tempDir = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "redfiber-scripting-"))
  dirs.push(dir)
  return dir
}
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true })
})

const aofCommands = (dir: string): Array<Array<string>> => {
  const commands: Array<Array<string>> = []
  for (const entry of readAof(path.join(dir, "appendonly.aof"))) if (entry.kind === "command") commands.push(entry.argv)
  return commands
}

/** Writes that depend on chance and on the clock, in two databases. */
const RANDOM_WRITES = `
local t = redis.call('TIME')
redis.call('SET', KEYS[1], t[1] .. '.' .. t[2])
redis.call('SET', KEYS[2], tostring(math.random()), 'EX', 1000)
redis.call('SADD', KEYS[3], 'a', 'b', 'c', 'd', 'e')
local popped = redis.call('SPOP', KEYS[3])
redis.call('INCRBYFLOAT', KEYS[4], math.random())
redis.call('SELECT', 3)
redis.call('LPUSH', KEYS[5], math.random(1000000))
return popped
`

describe("scripts and the AOF", () => {
  it("a script's random and time-dependent writes replay exactly, logged as its effects in MULTI/EXEC", async () => {
    const dir = tempDir()
    const first = await startRedfiber({ dir, appendonly: "yes", appendfsync: "always" })
    await runCommands(first.port, [
      ["EVAL", RANDOM_WRITES, "5", "time", "rand", "set", "float", "list"],
      ["EVAL", RANDOM_WRITES, "5", "time", "rand", "set", "float", "list"],
      ["EVAL", "return redis.call('GET', KEYS[1])", "1", "time"],
      ["EVAL", "redis.call('SET', 'after', '1') error('fails after writing')", "0"]
    ])
    const before = await datasetOf(first.port)
    await first.stop()
    const logged = aofCommands(dir)
    expect(logged.some((argv) => argv[0].toUpperCase().startsWith("EVAL"))).toBe(false)
    const names = logged.map((argv) => argv[0].toUpperCase())
    // Two writing scripts, each one transaction; the read-only one logs nothing; the failing one
    // keeps the write it made, as Redis does.
    expect(names.filter((name) => name === "MULTI")).toHaveLength(3)
    expect(names.filter((name) => name === "EXEC")).toHaveLength(3)
    expect(names).toContain("SREM")
    const second = await startRedfiber({ dir, appendonly: "yes", appendfsync: "always" })
    try {
      expect(await datasetOf(second.port)).toEqual(before)
      expect(before.find((entry) => entry.key === "after")).toBeDefined()
    } finally {
      await second.stop()
    }
  })

  it("a script inside MULTI is logged inside the transaction's own MULTI/EXEC", async () => {
    const dir = tempDir()
    const server = await startRedfiber({ dir, appendonly: "yes", appendfsync: "always" })
    try {
      await runCommands(server.port, [
        ["MULTI"],
        ["SET", "a", "1"],
        ["EVAL", "return redis.call('INCR', 'a')", "0"],
        ["EXEC"]
      ])
    } finally {
      await server.stop()
    }
    const names = aofCommands(dir).map((argv) => argv[0].toUpperCase())
    expect(names).toEqual(["SELECT", "MULTI", "SET", "INCR", "EXEC"])
  })
})
