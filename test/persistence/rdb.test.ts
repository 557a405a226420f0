/**
 * RDB snapshots: SAVE and a restart give back the same dataset; BGSAVE writes the data as it was
 * when it started while commands keep changing it (copy-on-write); save points trigger saves;
 * SHUTDOWN SAVE/NOSAVE; a failed save makes writes fail with MISCONF until a save succeeds; and
 * the format is Redis's: real Redis 7 loads our file, we load Redis's (compact encodings too).
 */
import { afterEach, describe, expect, it } from "@effect/vitest"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { datasetOf, runCommands, VARIETY } from "../support/dataset.js"
import { encodeCommand, RawClient } from "../support/RawClient.js"
import type { Reply } from "../support/RespReader.js"
import { hasRealRedis, startRealRedis, startRedfiber } from "../support/servers.js"

const dirs: Array<string> = []
const tempDir = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "redfiber-rdb-"))
  dirs.push(dir)
  return dir
}
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true })
})

const infoField = async (port: number, name: string): Promise<string> => {
  const [reply] = await runCommands(port, [["INFO", "persistence"]])
  const line = String(reply.value).split("\r\n").find((l) => l.startsWith(`${name}:`))
  return line?.slice(name.length + 1) ?? ""
}

const waitFor = async (check: () => Promise<boolean>, what: string, timeoutMs = 20_000) => {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

/** Collections big enough that Redis stores them in its plain encodings, not listpacks. */
const LARGE: ReadonlyArray<ReadonlyArray<string>> = [
  ["RPUSH", "big-list", ...Array.from({ length: 1200 }, (_, i) => `element-${i}`)],
  ["HSET", "big-hash", ...Array.from({ length: 600 }, (_, i) => [`field-${i}`, `value-${i}`]).flat()],
  ["SADD", "big-set", ...Array.from({ length: 600 }, (_, i) => `member-${i}`)],
  ["SADD", "big-intset", ...Array.from({ length: 300 }, (_, i) => String(i * 7 - 1000))],
  ["ZADD", "big-zset", ...Array.from({ length: 200 }, (_, i) => [String(i / 3), `m${i}`]).flat()],
  ["SET", "int-string", "123456789"],
  ["SET", "compressible", "ab".repeat(500)]
]

/**
 * Sends `commands` in one write, so they run in one batch: a background save or rewrite cannot
 * finish between them, however fast it is.
 */
const runPipelined = async (port: number, commands: ReadonlyArray<ReadonlyArray<string>>): Promise<Array<Reply>> => {
  const client = await RawClient.connect(port)
  try {
    client.write(Buffer.concat(commands.map((command) => encodeCommand(command))))
    const replies: Array<Reply> = []
    for (let i = 0; i < commands.length; i++) replies.push(await client.read())
    return replies
  } finally {
    client.close()
  }
}

describe("RDB snapshots", () => {
  it("SAVE, then a restart, gives back the same dataset", async () => {
    const dir = tempDir()
    const first = await startRedfiber({ dir })
    await runCommands(first.port, [...VARIETY, ...LARGE])
    const before = await datasetOf(first.port)
    const [saved] = await runCommands(first.port, [["SAVE"]])
    expect(saved).toEqual({ kind: "simple", value: "OK" })
    await first.stop()
    const second = await startRedfiber({ dir })
    try {
      expect(await datasetOf(second.port)).toEqual(before)
      expect(await infoField(second.port, "rdb_last_load_keys_loaded")).toBe(String(before.length))
    } finally {
      await second.stop()
    }
  })

  it("BGSAVE writes the data as it was when it started, while the same pipeline changes it", async () => {
    const dir = tempDir()
    const first = await startRedfiber({ dir })
    await runCommands(first.port, [...VARIETY, ...LARGE])
    const before = await datasetOf(first.port)
    const client = await RawClient.connect(first.port)
    const changes = [
      ["BGSAVE"],
      ["SET", "plain", "changed"],
      ["RPUSH", "big-list", "new"],
      ["HSET", "big-hash", "field-1", "changed"],
      ["SADD", "big-set", "new"],
      ["ZADD", "big-zset", "99", "m1"],
      ["LPOP", "list"],
      ["DEL", "counter"],
      ["RENAME", "big-intset", "moved"],
      ["SADD", "moved", "123456"],
      ["FLUSHDB"]
    ]
    for (const command of changes) client.send(...command)
    const replies = []
    for (const _ of changes) replies.push(await client.read())
    client.close()
    expect(replies[0]).toEqual({ kind: "simple", value: "Background saving started" })
    await waitFor(async () => (await infoField(first.port, "rdb_bgsave_in_progress")) === "0", "the background save")
    expect(await infoField(first.port, "rdb_last_bgsave_status")).toBe("ok")
    await first.stop()
    const second = await startRedfiber({ dir })
    try {
      expect(await datasetOf(second.port)).toEqual(before)
    } finally {
      await second.stop()
    }
  })

  it("BGSAVE and BGREWRITEAOF take turns as Redis's child processes do", async () => {
    const dir = tempDir()
    const server = await startRedfiber({ dir })
    try {
      await runCommands(server.port, LARGE)
      const replies = await runPipelined(server.port, [["BGSAVE"], ["BGSAVE"], ["BGREWRITEAOF"], ["BGREWRITEAOF"], ["BGSAVE", "NOW"]])
      expect(replies).toEqual([
        { kind: "simple", value: "Background saving started" },
        { kind: "error", value: "ERR Background save already in progress" },
        { kind: "simple", value: "Background append only file rewriting scheduled" },
        { kind: "simple", value: "Background append only file rewriting scheduled" },
        { kind: "error", value: "ERR syntax error" }
      ])
      // The scheduled rewrite runs once the save is done.
      await waitFor(async () => (await infoField(server.port, "aof_rewrites")) === "1", "the scheduled rewrite")
      const inRewrite = await runPipelined(server.port, [["BGREWRITEAOF"], ["BGSAVE"], ["BGSAVE", "SCHEDULE"]])
      expect(inRewrite.slice(1)).toEqual([
        {
          kind: "error",
          value: "ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible."
        },
        { kind: "simple", value: "Background saving scheduled" }
      ])
      await waitFor(async () => (await infoField(server.port, "rdb_saves")) === "2", "the scheduled save")
    } finally {
      await server.stop()
    }
  })

  it("save points start a background save; LASTSAVE moves; SHUTDOWN NOSAVE skips the final save", async () => {
    const dir = tempDir()
    const server = await startRedfiber({ dir, save: "1 2" })
    try {
      const [start] = await runCommands(server.port, [["LASTSAVE"]])
      await runCommands(server.port, [["SET", "a", "1"]])
      // One change is not enough for "1 2"; a second is.
      await new Promise((resolve) => setTimeout(resolve, 1200))
      expect(fs.existsSync(path.join(dir, "dump.rdb"))).toBe(false)
      await runCommands(server.port, [["SET", "b", "2"]])
      await waitFor(async () => fs.existsSync(path.join(dir, "dump.rdb")), "a save point's save")
      const [after] = await runCommands(server.port, [["LASTSAVE"]])
      expect(Number(after.value)).toBeGreaterThanOrEqual(Number(start.value))
      expect(await infoField(server.port, "rdb_changes_since_last_save")).toBe("0")
      await runCommands(server.port, [["SET", "c", "3"]])
      fs.rmSync(path.join(dir, "dump.rdb"))
      const client = await RawClient.connect(server.port)
      client.send("SHUTDOWN", "NOSAVE")
      await client.waitClosed()
    } finally {
      await server.stop()
    }
    expect(fs.existsSync(path.join(dir, "dump.rdb"))).toBe(false)
  })

  it("SHUTDOWN SAVE saves without save points; a plain stop with save points saves too", async () => {
    for (const [config, shutdown] of [[{}, ["SHUTDOWN", "SAVE"]], [{ save: "3600 1" }, undefined]] as const) {
      const dir = tempDir()
      const server = await startRedfiber({ dir, ...config })
      await runCommands(server.port, [["SET", "kept", "yes"]])
      if (shutdown !== undefined) {
        const client = await RawClient.connect(server.port)
        client.send(...shutdown)
        await client.waitClosed()
      }
      await server.stop()
      const again = await startRedfiber({ dir })
      try {
        expect((await runCommands(again.port, [["GET", "kept"]]))[0].value).toBe("yes")
      } finally {
        await again.stop()
      }
    }
  })

  it("a failed background save with save points refuses writes (MISCONF) until a save succeeds", async () => {
    const dir = tempDir()
    const server = await startRedfiber({ dir, save: "3600 1" })
    // A directory where the file should go makes the final rename fail.
    fs.mkdirSync(path.join(dir, "dump.rdb", "blocker"), { recursive: true })
    try {
      await runCommands(server.port, [["SET", "a", "1"], ["BGSAVE"]])
      await waitFor(async () => (await infoField(server.port, "rdb_last_bgsave_status")) === "err", "the failed save")
      const [refused, read] = await runCommands(server.port, [["SET", "b", "2"], ["GET", "a"]])
      expect(refused.kind).toBe("error")
      expect(String(refused.value)).toMatch(/^MISCONF Redis is configured to save RDB snapshots/)
      expect(read.value).toBe("1")
      fs.rmSync(path.join(dir, "dump.rdb"), { recursive: true })
      expect((await runCommands(server.port, [["SAVE"]]))[0].value).toBe("OK")
      expect((await runCommands(server.port, [["SET", "b", "2"]]))[0].value).toBe("OK")
    } finally {
      await server.stop()
    }
  })
})

describe.skipIf(!hasRealRedis)("the RDB format is Redis's", () => {
  it("real Redis 7 loads our snapshot into the same dataset", async () => {
    const dir = tempDir()
    const ours = await startRedfiber({ dir })
    await runCommands(ours.port, [...VARIETY, ...LARGE, ["SAVE"]])
    const expected = await datasetOf(ours.port)
    await ours.stop()
    const redis = await startRealRedis(["--dir", dir, "--dbfilename", "dump.rdb"])
    try {
      expect(await datasetOf(redis.port)).toEqual(expected)
    } finally {
      await redis.stop()
    }
  })

  it("an intset is saved as an intset (RDB type 11), which Redis loads as one", async () => {
    const dir = tempDir()
    const ours = await startRedfiber({ dir })
    const wide = ["-9223372036854775808", "70000", "-5", "9223372036854775807"]
    await runCommands(ours.port, [["SADD", "ints", ...wide], ["SADD", "words", "a", "1"], ["SAVE"]])
    await ours.stop()
    const file = fs.readFileSync(path.join(dir, "dump.rdb"))
    const entryOf = (type: number, key: string) => Buffer.concat([Buffer.from([type, key.length]), Buffer.from(key)])
    expect(file.includes(entryOf(11, "ints"))).toBe(true)
    expect(file.includes(entryOf(2, "words"))).toBe(true)
    const redis = await startRealRedis(["--dir", dir, "--dbfilename", "dump.rdb"])
    try {
      const replies = await runCommands(redis.port, [["OBJECT", "ENCODING", "ints"], ["SMEMBERS", "ints"]])
      expect(replies.map((reply) => reply.value)).toEqual([
        "intset",
        ["-9223372036854775808", "-5", "70000", "9223372036854775807"].map((member) => ({ kind: "bulk", value: member }))
      ])
    } finally {
      await redis.stop()
    }
  })

  it("we load Redis's own snapshot, its compact encodings included", async () => {
    const dir = tempDir()
    const redis = await startRealRedis(["--dir", dir, "--dbfilename", "dump.rdb"])
    let expected
    try {
      await runCommands(redis.port, [...VARIETY, ...LARGE, ["SAVE"]])
      expected = await datasetOf(redis.port)
    } finally {
      await redis.stop()
    }
    const ours = await startRedfiber({ dir })
    try {
      expect(await datasetOf(ours.port)).toEqual(expected)
      const encodings = await runCommands(ours.port, [
        ["OBJECT", "ENCODING", "hash"],
        ["OBJECT", "ENCODING", "big-hash"],
        ["OBJECT", "ENCODING", "ints"],
        ["OBJECT", "ENCODING", "big-set"],
        ["OBJECT", "ENCODING", "zset"],
        ["OBJECT", "ENCODING", "big-zset"]
      ])
      expect(encodings.map((reply) => reply.value)).toEqual(["listpack", "hashtable", "intset", "hashtable", "listpack", "skiplist"])
    } finally {
      await ours.stop()
    }
  })
})
