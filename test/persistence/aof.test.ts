/**
 * The append-only file end to end: what a server wrote is what the next one starts with (every
 * type, TTLs as absolute times, expiries as DELs, other databases), under every fsync policy;
 * a background rewrite that runs while clients write loses nothing and leaves a compact file; a
 * cut-off tail is repaired at start and damage in the middle stops the start with its offset;
 * turning the AOF on at runtime writes today's data first.
 */
import { afterEach, describe, expect, it } from "@effect/vitest"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { readAof } from "../../src/persistence/AofReader.js"
import { datasetOf, runCommands, VARIETY } from "../support/dataset.js"
import { RawClient } from "../support/RawClient.js"
import { startRedfiber } from "../support/servers.js"

const dirs: Array<string> = []
const tempDir = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "redfiber-aof-"))
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

const waitFor = async (check: () => Promise<boolean>, what: string, timeoutMs = 20_000) => {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

const infoField = async (port: number, name: string): Promise<string> => {
  const [reply] = await runCommands(port, [["INFO", "persistence"]])
  const line = String(reply.value).split("\r\n").find((l) => l.startsWith(`${name}:`))
  return line?.slice(name.length + 1) ?? ""
}

describe("the AOF across a restart", () => {
  for (const appendfsync of ["always", "everysec", "no"] as const) {
    it(`restores every type, TTL and database (appendfsync ${appendfsync})`, async () => {
      const dir = tempDir()
      const first = await startRedfiber({ dir, appendonly: "yes", appendfsync })
      await runCommands(first.port, VARIETY)
      const before = await datasetOf(first.port)
      await first.stop()
      const second = await startRedfiber({ dir, appendonly: "yes", appendfsync })
      try {
        expect(await datasetOf(second.port)).toEqual(before)
        expect(before.some((entry) => entry.key === "gone")).toBe(false)
        expect(before.find((entry) => entry.key === "ttl")?.expireAt).not.toBe("-1")
      } finally {
        await second.stop()
      }
    })
  }

  it("logs replayable forms: absolute times, SET for INCRBYFLOAT, SREM for SPOP, DEL for expiries", async () => {
    const dir = tempDir()
    const server = await startRedfiber({ dir, appendonly: "yes", appendfsync: "always" })
    try {
      await runCommands(server.port, [
        ["SET", "a", "1", "EX", "100"],
        ["EXPIRE", "a", "50"],
        ["INCRBYFLOAT", "f", "0.5"],
        ["SADD", "s", "only"],
        ["SPOP", "s"],
        ["SET", "short", "v", "PX", "1"]
      ])
      await new Promise((resolve) => setTimeout(resolve, 10))
      await runCommands(server.port, [["GET", "short"], ["GET", "a"], ["PING"]])
      const logged = aofCommands(dir).map((argv) => argv.map((arg, i) => (i > 0 && /^\d{13}$/.test(arg) ? "<ms>" : arg)))
      expect(logged).toEqual([
        ["SELECT", "0"],
        ["SET", "a", "1", "PXAT", "<ms>"],
        ["PEXPIREAT", "a", "<ms>"],
        ["SET", "f", "0.5", "KEEPTTL"],
        ["SADD", "s", "only"],
        ["SREM", "s", "only"],
        ["SET", "short", "v", "PXAT", "<ms>"],
        ["DEL", "short"]
      ])
    } finally {
      await server.stop()
    }
  })

  it("BGREWRITEAOF while clients keep writing: nothing lost, nothing twice, a compact file", async () => {
    const dir = tempDir()
    const server = await startRedfiber({ dir, appendonly: "yes", appendfsync: "everysec" })
    try {
      const client = await RawClient.connect(server.port)
      // Many versions of few keys: the rewrite keeps only the last of each.
      for (let round = 0; round < 20; round++) {
        for (let i = 0; i < 500; i++) client.send("SET", `k${i}`, `v${round}`)
        for (let i = 0; i < 500; i++) await client.read()
      }
      for (let i = 0; i < 200; i++) client.send("INCR", "hits")
      for (let i = 0; i < 200; i++) await client.read()
      const sizeBefore = Number(await infoField(server.port, "aof_current_size"))
      // The rewrite starts inside a pipeline: writes before it, during it and right after it.
      client.send("INCR", "hits")
      client.send("BGREWRITEAOF")
      client.send("INCR", "hits")
      client.send("RPUSH", "during", "x")
      expect((await client.read()).value).toBe("201")
      expect(await client.read()).toEqual({ kind: "simple", value: "Background append only file rewriting started" })
      await client.read()
      await client.read()
      for (let i = 0; i < 300; i++) {
        client.send("INCR", "hits")
        client.send("RPUSH", "during", String(i))
      }
      for (let i = 0; i < 600; i++) await client.read()
      await waitFor(async () => (await infoField(server.port, "aof_rewrite_in_progress")) === "0", "the rewrite")
      expect(await infoField(server.port, "aof_last_bgrewrite_status")).toBe("ok")
      for (let i = 0; i < 10; i++) client.send("INCR", "hits")
      for (let i = 0; i < 10; i++) await client.read()
      client.close()
      expect(Number(await infoField(server.port, "aof_current_size"))).toBeLessThan(sizeBefore / 5)
      const before = await datasetOf(server.port)
      expect(before.find((entry) => entry.key === "hits")?.value).toBe("512")
      await server.stop()
      const again = await startRedfiber({ dir, appendonly: "yes" })
      try {
        expect(await datasetOf(again.port)).toEqual(before)
      } finally {
        await again.stop()
      }
    } finally {
      await server.stop()
    }
  })

  it("CONFIG SET appendonly yes writes the data so far, then every write; no turns it off", async () => {
    const dir = tempDir()
    const server = await startRedfiber({ dir })
    try {
      await runCommands(server.port, [["SET", "before", "1"], ["RPUSH", "l", "a", "b"]])
      expect(fs.existsSync(path.join(dir, "appendonly.aof"))).toBe(false)
      await runCommands(server.port, [["CONFIG", "SET", "appendonly", "yes"], ["SET", "after", "2"]])
      expect(await infoField(server.port, "aof_enabled")).toBe("1")
      await runCommands(server.port, [["CONFIG", "SET", "appendonly", "no"], ["SET", "unlogged", "3"]])
      expect(await infoField(server.port, "aof_enabled")).toBe("0")
      const keys = aofCommands(dir).map((argv) => argv[1])
      expect(keys).toEqual(expect.arrayContaining(["before", "l", "after"]))
      expect(keys).not.toContain("unlogged")
    } finally {
      await server.stop()
    }
  })
})

describe("damaged files", () => {
  const commandBytes = (...argv: Array<string>) =>
    `*${argv.length}\r\n` + argv.map((arg) => `$${arg.length}\r\n${arg}\r\n`).join("")

  it("a tail cut off mid-command is dropped at start, the rest loads, and the file is repaired", async () => {
    const dir = tempDir()
    const file = path.join(dir, "appendonly.aof")
    const whole = commandBytes("SELECT", "0") + commandBytes("SET", "a", "1") + commandBytes("SET", "b", "2")
    fs.writeFileSync(file, whole + "*3\r\n$3\r\nSET\r\n$1\r\nc\r\n$5\r\nval")
    const server = await startRedfiber({ dir, appendonly: "yes" })
    try {
      expect(fs.statSync(file).size).toBe(whole.length)
      const [a, b, c] = await runCommands(server.port, [["GET", "a"], ["GET", "b"], ["EXISTS", "c"]])
      expect([a.value, b.value, c.value]).toEqual(["1", "2", "0"])
      await runCommands(server.port, [["SET", "d", "4"]])
      expect(aofCommands(dir).map((argv) => argv[1])).toEqual(["0", "a", "b", "0", "d"])
    } finally {
      await server.stop()
    }
  })

  it("a transaction without its EXEC at the end is dropped whole", async () => {
    const dir = tempDir()
    const file = path.join(dir, "appendonly.aof")
    const kept = commandBytes("SELECT", "0") + commandBytes("SET", "a", "1")
    fs.writeFileSync(file, kept + commandBytes("MULTI") + commandBytes("SET", "b", "2") + commandBytes("SET", "c", "3"))
    const server = await startRedfiber({ dir, appendonly: "yes" })
    try {
      const replies = await runCommands(server.port, [["GET", "a"], ["EXISTS", "b", "c"]])
      expect(replies.map((r) => r.value)).toEqual(["1", "0"])
      expect(fs.statSync(file).size).toBe(kept.length)
    } finally {
      await server.stop()
    }
  })

  it("damage in the middle stops the start, naming the offset and the repair tool", async () => {
    const dir = tempDir()
    const file = path.join(dir, "appendonly.aof")
    const good = commandBytes("SELECT", "0") + commandBytes("SET", "a", "1")
    fs.writeFileSync(file, good + "garbage\r\n" + commandBytes("SET", "b", "2"))
    await expect(startRedfiber({ dir, appendonly: "yes" })).rejects.toThrow(
      new RegExp(`at offset ${good.length}.*redfiber-check-aof --fix`)
    )
    // Nothing was changed on disk.
    expect(fs.readFileSync(file, "latin1")).toBe(good + "garbage\r\n" + commandBytes("SET", "b", "2"))
  })

  it("an unknown command in the file also stops the start", async () => {
    const dir = tempDir()
    fs.writeFileSync(path.join(dir, "appendonly.aof"), commandBytes("SELECT", "0") + commandBytes("NOSUCHCOMMAND", "x"))
    await expect(startRedfiber({ dir, appendonly: "yes" })).rejects.toThrow(/at offset 23: ERR unknown command 'NOSUCHCOMMAND'/)
  })
})
