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
import type { Reply } from "../support/RespReader.js"
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

describe("busy scripts", () => {
  /** A reply as plain values: texts (errors too), integers as text, arrays as arrays. */
  const plain = (reply: Reply): unknown =>
    Array.isArray(reply.value) ? reply.value.map(plain) : reply.value
  const run = async (port: number, ...commands: Array<ReadonlyArray<string>>) =>
    (await runCommands(port, commands)).map(plain)
  /** Sends `argv` on a connection of its own and resolves with the reply, whenever it comes. */
  const sendAside = (port: number, argv: ReadonlyArray<string>) => runCommands(port, [argv]).then(([reply]) => reply)

  /** PINGs until the server answers -BUSY (the script passed the threshold). */
  const untilBusy = async (port: number) => {
    for (;;) {
      const [reply] = await runCommands(port, [["PING"]])
      if (reply.kind === "error") return String(reply.value)
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
  }

  it("an endless script past busy-reply-threshold: others get -BUSY, SCRIPT KILL ends it, the server goes on", async () => {
    const server = await startRedfiber()
    try {
      await runCommands(server.port, [["CONFIG", "SET", "busy-reply-threshold", "50"]])
      const looping = sendAside(server.port, ["EVAL", "local i = 0 while true do i = i + 1 end", "0"])
      expect(await untilBusy(server.port)).toBe(
        "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE."
      )
      expect(await run(server.port, ["FUNCTION", "STATS"], ["FUNCTION", "KILL"], ["SCRIPT", "KILL"])).toEqual([
        "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.",
        "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.",
        "OK"
      ])
      const ended = await looping
      expect(ended.kind).toBe("error")
      expect(String(ended.value)).toMatch(/^ERR Script killed by user with SCRIPT KILL\.\.\. script: [0-9a-f]{40}, on @user_script:1\.$/)
      expect(await run(server.port, ["PING"], ["SCRIPT", "KILL"])).toEqual([
        "PONG",
        "NOTBUSY No scripts in execution right now."
      ])
    } finally {
      await server.stop()
    }
  })

  it("a busy script that wrote is UNKILLABLE; one that ends by itself answers its caller and lets the rest run", async () => {
    const server = await startRedfiber()
    try {
      await runCommands(server.port, [["CONFIG", "SET", "lua-time-limit", "50"]])
      // Runs until another client's SCRIPT KILL is refused: then it stops by itself.
      const writer = sendAside(server.port, [
        "EVAL",
        "redis.call('SET', KEYS[1], 'partial') local i = 0 while i < 3e6 do i = i + 1 end redis.call('SET', KEYS[1], 'done') return i",
        "1",
        "busy:key"
      ])
      await untilBusy(server.port)
      const [kill] = await run(server.port, ["SCRIPT", "KILL"])
      expect(String(kill)).toMatch(/^UNKILLABLE Sorry the script already executed write commands/)
      expect(plain(await writer)).toBe("3000000")
      expect(await run(server.port, ["GET", "busy:key"], ["CONFIG", "GET", "busy-reply-threshold"])).toEqual([
        "done",
        ["busy-reply-threshold", "50"]
      ])
    } finally {
      await server.stop()
    }
  })

  it("FUNCTION KILL stops a busy function; FUNCTION STATS shows it while it runs", async () => {
    const server = await startRedfiber()
    try {
      await runCommands(server.port, [
        ["CONFIG", "SET", "busy-reply-threshold", "50"],
        ["FUNCTION", "LOAD", "#!lua name=spin\nredis.register_function('spin', function() while true do end end)"]
      ])
      const spinning = sendAside(server.port, ["FCALL", "spin", "0"])
      expect(await untilBusy(server.port)).toBe(
        "BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE."
      )
      const [stats, scriptKill, kill] = await run(server.port, ["FUNCTION", "STATS"], ["SCRIPT", "KILL"], ["FUNCTION", "KILL"])
      const running = (stats as Array<unknown>)[1] as Array<unknown>
      expect(running.slice(0, 4)).toEqual(["name", "spin", "command", ["FCALL", "spin", "0"]])
      expect(scriptKill).toBe("BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.")
      expect(kill).toBe("OK")
      expect(String((await spinning).value)).toMatch(/^ERR Script killed by user with SCRIPT KILL\.\.\. script: spin, on @user_function:2\.$/)
    } finally {
      await server.stop()
    }
  })
})
