/**
 * Bitmaps and HyperLogLog beyond the hand-written differential scripts:
 * - PFADD of random sets of up to 1 000 000 elements, pipelined to our server and to Redis: the
 *   same PFCOUNT estimates (one key, several keys, after PFMERGE) and the same HLL bytes (GET);
 *   Redis's HLL strings moved to our server by GET/SET count the same;
 * - random SETBIT / BITFIELD / BITOP sequences: the same values (GET) and counts;
 * - an AOF replay gives back the same bitmaps and HLLs byte for byte, PFCOUNT's cache included;
 * - WATCH sees SETBIT, BITFIELD, PFADD and a PFCOUNT that caches its estimate.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { runCommands } from "../support/dataset.js"
import { RawClient } from "../support/RawClient.js"
import type { Reply } from "../support/RespReader.js"
import { hasRealRedis, type RunningServer, startRealRedis, startRedfiber } from "../support/servers.js"

/** A deterministic generator (mulberry32), so a failure repeats. */
const random = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

/** Sends every command, then reads every reply (one write per batch of commands). */
const pipeline = async (client: RawClient, commands: ReadonlyArray<ReadonlyArray<string>>): Promise<Array<Reply>> => {
  const replies: Array<Reply> = []
  for (let start = 0; start < commands.length; start += 200) {
    const batch = commands.slice(start, start + 200)
    for (const command of batch) client.send(...command)
    for (let i = 0; i < batch.length; i++) replies.push(await client.read(30_000))
  }
  return replies
}

/** PFADD commands adding `count` random elements (some repeated, some binary) to `key`, 1000 per command. */
const pfaddCommands = (key: string, count: number, next: () => number): Array<Array<string>> => {
  const commands: Array<Array<string>> = []
  for (let done = 0; done < count; done += 1000) {
    const command = ["PFADD", key]
    for (let i = done; i < Math.min(count, done + 1000); i++) {
      const r = next()
      command.push(r < 0.05 ? String.fromCharCode((r * 5120) & 0xff, i & 0xff, (i >> 8) & 0xff) : `el:${Math.floor(r * count * 4)}`)
    }
    commands.push(command)
  }
  return commands
}

describe.skipIf(!hasRealRedis)("bitmaps and HyperLogLog against Redis 7.0.15", () => {
  let real: RunningServer
  let ours: RunningServer
  let theirs: RawClient
  let mine: RawClient
  beforeAll(async () => {
    ;[real, ours] = await Promise.all([startRealRedis(), startRedfiber()])
    ;[theirs, mine] = await Promise.all([RawClient.connect(real.port), RawClient.connect(ours.port)])
  })
  afterAll(async () => {
    theirs.close()
    mine.close()
    await Promise.all([real.stop(), ours.stop()])
  })

  const both = async (commands: ReadonlyArray<ReadonlyArray<string>>) => {
    const [expected, actual] = await Promise.all([pipeline(theirs, commands), pipeline(mine, commands)])
    return { expected, actual }
  }

  it("PFADD of random sets up to 1 000 000 elements: the same replies, estimates and bytes", async () => {
    const next = random(1234)
    const sizes = [1, 10, 100, 1000, 3000, 10_000, 100_000, 1_000_000]
    const keys = sizes.map((size) => `hll:${size}`)
    const adds = sizes.flatMap((size, i) => pfaddCommands(keys[i], size, next))
    const added = await both(adds)
    expect(added.actual).toEqual(added.expected)
    const reads = [
      ...keys.map((key) => ["PFCOUNT", key]),
      ...keys.map((key) => ["GET", key]),
      ["PFCOUNT", ...keys],
      ["PFCOUNT", keys[2], keys[3]],
      ["PFMERGE", "merged", ...keys.slice(0, 4)],
      ["GET", "merged"],
      ["PFCOUNT", "merged"],
      ["PFMERGE", "merged", ...keys],
      ["GET", "merged"],
      ["PFCOUNT", "merged"],
      ...keys.map((key) => ["GET", key])
    ]
    const read = await both(reads)
    expect(read.actual).toEqual(read.expected)
    const counts = read.expected.slice(0, sizes.length).map((reply) => Number(reply.value))
    // A sanity check of the oracle itself: estimates within 3% of the true size at scale.
    expect(Math.abs(counts[7] - 1_000_000 * (1 - Math.exp(-0.25)) * 4) / 1_000_000).toBeLessThan(0.1)
  }, 120_000)

  it("an HLL made by Redis counts the same here, and ours the same there", async () => {
    const next = random(99)
    const commands = [...pfaddCommands("r:sparse", 300, next), ...pfaddCommands("r:dense", 50_000, next)]
    await pipeline(theirs, commands)
    await pipeline(mine, commands.map((command) => ["PFADD", `o:${command[1].slice(2)}`, ...command.slice(2)]))
    for (const kind of ["sparse", "dense"]) {
      const [fromRedis] = await pipeline(theirs, [["GET", `r:${kind}`]])
      const [fromUs] = await pipeline(mine, [["GET", `o:${kind}`]])
      expect(fromUs).toEqual(fromRedis)
      await pipeline(mine, [["SET", `r:${kind}`, String(fromRedis.value)]])
      await pipeline(theirs, [["SET", `o:${kind}`, String(fromUs.value)]])
    }
    const checks = [["PFCOUNT", "r:sparse"], ["PFCOUNT", "r:dense"], ["PFCOUNT", "o:sparse", "r:dense"], ["PFADD", "r:sparse", "x", "y"], ["GET", "r:sparse"]]
    const result = await both(checks)
    expect(result.actual).toEqual(result.expected)
  }, 60_000)

  it("random SETBIT, BITFIELD and BITOP sequences leave the same values", async () => {
    const next = random(7)
    const commands: Array<Array<string>> = []
    const keys = ["b1", "b2", "b3", "h1"]
    const pick = <T>(items: ReadonlyArray<T>): T => items[Math.floor(next() * items.length)]
    for (let i = 0; i < 3000; i++) {
      // h1 starts as an HLL; bitmap commands may turn it into something else.
      if (i === 0) commands.push(["PFADD", "h1", ...Array.from({ length: 300 }, (_, j) => `e${j}`)])
      const key = pick(keys)
      const offset = String(Math.floor(next() * (next() < 0.1 ? 70_000 : 2000)))
      const r = next()
      if (r < 0.5) commands.push(["SETBIT", key, offset, pick(["0", "1"])])
      else if (r < 0.6) commands.push(["GETBIT", key, offset])
      else if (r < 0.75) {
        const type = pick(["i8", "u8", "i5", "u3", "i64", "u63", "i17", "u1"])
        const value = String(Math.floor((next() - 0.5) * 2 ** 40))
        commands.push(["BITFIELD", key, "OVERFLOW", pick(["WRAP", "SAT", "FAIL"]), pick(["SET", "INCRBY"]), type, offset, value, "GET", type, offset])
      } else if (r < 0.85) commands.push(["BITOP", pick(["AND", "OR", "XOR", "NOT"]), pick(keys), key])
      else if (r < 0.95) {
        const start = String(Math.floor((next() - 0.5) * 600))
        const end = String(Math.floor((next() - 0.3) * 600))
        commands.push([pick(["BITCOUNT", "BITPOS"]), key, ...(pick([true, false]) ? [] : ["1", start, end, pick(["BIT", "BYTE"])].slice(pick([0, 1])))])
      } else if (r < 0.97) commands.push(["PFADD", key, ...Array.from({ length: 20 }, () => `p${Math.floor(next() * 1000)}`)])
      else if (r < 0.98) commands.push(["PFCOUNT", key])
      else commands.push(["GET", key])
    }
    commands.push(...keys.map((key) => ["GET", key]))
    const result = await both(commands)
    const differences = result.actual.flatMap((reply, i) =>
      JSON.stringify(reply) === JSON.stringify(result.expected[i]) ? [] : [`${commands[i].join(" ")}: ${JSON.stringify(reply).slice(0, 200)} vs ${JSON.stringify(result.expected[i]).slice(0, 200)}`]
    )
    expect(differences.slice(0, 5)).toEqual([])
  }, 60_000)
})

describe("bitmaps and HyperLogLog in the AOF and under WATCH", () => {
  const dirs: Array<string> = []
  afterAll(() => {
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true })
  })

  it("an AOF replay gives back the same bitmaps and HLLs, byte for byte", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "redfiber-bits-"))
    dirs.push(dir)
    const first = await startRedfiber({ dir, appendonly: "yes", appendfsync: "always" })
    const next = random(5)
    const writes: Array<Array<string>> = [
      ["SETBIT", "bits", "100000", "1"],
      ["SETBIT", "bits", "7", "1"],
      ["BITFIELD", "bits", "SET", "u8", "#3", "200", "INCRBY", "i5", "100", "-7"],
      ["BITOP", "NOT", "inverse", "bits"],
      ...pfaddCommands("h:small", 200, next),
      ...pfaddCommands("h:big", 20_000, next),
      ["PFCOUNT", "h:small"],
      ["PFMERGE", "h:both", "h:small", "h:big"],
      ["PFCOUNT", "h:both"],
      ["PFADD", "h:todense", "a", "b"],
      ["PFDEBUG", "TODENSE", "h:todense"]
    ]
    const keys = ["bits", "inverse", "h:small", "h:big", "h:both", "h:todense"]
    let before: Array<Reply>
    try {
      await runCommands(first.port, writes)
      before = await runCommands(first.port, keys.map((key) => ["GET", key]))
    } finally {
      await first.stop()
    }
    const second = await startRedfiber({ dir, appendonly: "yes" })
    try {
      const after = await runCommands(second.port, keys.map((key) => ["GET", key]))
      expect(after).toEqual(before)
      // PFCOUNT's cached estimate came back too: the cache bit is clear.
      expect(String(after[2].value).charCodeAt(15) & 0x80).toBe(0)
    } finally {
      await second.stop()
    }
  }, 60_000)

  it("BGSAVE writes a long bitmap and an HLL as they were when it started, while the same pipeline changes it in place", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "redfiber-bits-"))
    dirs.push(dir)
    const first = await startRedfiber({ dir })
    let before: Array<Reply>
    try {
      await runCommands(first.port, [
        ["SETBIT", "bits", "800000", "1"],
        ["SETBIT", "bits", "3", "1"],
        ["BITFIELD", "other", "SET", "u16", "#5000", "777"],
        ...pfaddCommands("hll", 5000, random(3)),
        ["PFCOUNT", "hll"]
      ])
      before = await runCommands(first.port, [["GET", "bits"], ["GET", "other"], ["GET", "hll"]])
      const client = await RawClient.connect(first.port)
      const changes = [
        ["BGSAVE"],
        ["SETBIT", "bits", "4", "1"],
        ["SETBIT", "bits", "900000", "1"],
        ["BITFIELD", "other", "INCRBY", "u16", "#5000", "1", "SET", "u8", "0", "9"],
        ["SETBIT", "bits", "5", "1"],
        ...pfaddCommands("hll", 3000, random(4)),
        ["PFCOUNT", "hll"]
      ]
      const replies = await pipeline(client, changes)
      client.close()
      expect(replies[0]).toEqual({ kind: "simple", value: "Background saving started" })
      const deadline = Date.now() + 20_000
      for (;;) {
        const [info] = await runCommands(first.port, [["INFO", "persistence"]])
        if (String(info.value).includes("rdb_bgsave_in_progress:0")) break
        if (Date.now() > deadline) throw new Error("the background save did not finish")
        await new Promise((resolve) => setTimeout(resolve, 25))
      }
      const [bits] = await runCommands(first.port, [["GETBIT", "bits", "900000"]])
      expect(bits).toEqual({ kind: "integer", value: "1" })
    } finally {
      await first.stop()
    }
    const second = await startRedfiber({ dir })
    try {
      expect(await runCommands(second.port, [["GET", "bits"], ["GET", "other"], ["GET", "hll"]])).toEqual(before)
    } finally {
      await second.stop()
    }
  })

  it("PFSELFTEST passes (register access, and dense and sparse estimates that agree within bounds)", async () => {
    const server = await startRedfiber()
    const client = await RawClient.connect(server.port)
    try {
      client.send("PFSELFTEST")
      expect(await client.read(120_000)).toEqual({ kind: "simple", value: "OK" })
    } finally {
      client.close()
      await server.stop()
    }
  }, 150_000)

  it("WATCH sees bitmap and HLL writes, and a PFCOUNT that caches its estimate, not one that reads it", async () => {
    const server = await startRedfiber()
    const watcher = await RawClient.connect(server.port)
    try {
      const cases: Array<[Array<string>, Array<string>, boolean]> = [
        [["SETBIT", "k", "1", "1"], ["SETBIT", "k", "2", "1"], true],
        [["SETBIT", "k", "1", "1"], ["SETBIT", "k", "1", "1"], false],
        [["SETBIT", "k", "1", "1"], ["BITFIELD", "k", "INCRBY", "u8", "0", "1"], true],
        [["SETBIT", "k", "1", "1"], ["BITFIELD", "k", "GET", "u8", "0"], false],
        [["PFADD", "k", "a"], ["PFADD", "k", "b"], true],
        [["PFADD", "k", "a"], ["PFADD", "k", "a"], false],
        [["PFADD", "k", "a"], ["PFCOUNT", "k"], true],
        [["PFADD", "k", "a", "x"], ["PFCOUNT", "k", "k"], false]
      ]
      for (const [setup, write, aborts] of cases) {
        await runCommands(server.port, [["DEL", "k"], setup])
        await pipeline(watcher, [["WATCH", "k"]])
        await runCommands(server.port, [write])
        const [, , exec] = await pipeline(watcher, [["MULTI"], ["PING"], ["EXEC"]])
        expect([write.join(" "), exec.kind === "array" && exec.value === null]).toEqual([write.join(" "), aborts])
      }
    } finally {
      watcher.close()
      await server.stop()
    }
  })
})
