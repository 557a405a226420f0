/**
 * DUMP of streams against Redis 7.0: the same commands on both servers, then the payloads compared
 * byte for byte — node boundaries, master entries, listpack encodings, groups, consumers, PELs —
 * deleted entries kept flagged in their nodes — with only what depends on each server's clock
 * masked (a PEL entry's delivery time, a consumer's seen time) and the checksum that covers them.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { RawClient } from "../support/RawClient.js"
import type { Reply } from "../support/RespReader.js"
import { hasRealRedis, type RunningServer, startRealRedis, startRedfiber } from "../support/servers.js"

/** Offsets of the 8-byte times in a stream payload (RDB type 19), found by walking its layout. */
const timeOffsets = (payload: Buffer): Array<number> => {
  let at = 0
  const length = (): number => {
    const first = payload[at++]
    switch (first >> 6) {
      case 0:
        return first & 63
      case 1:
        return ((first & 63) << 8) | payload[at++]
      case 2: {
        const bytes = first === 0x80 ? 4 : 8
        let value = 0
        for (let i = 0; i < bytes; i++) value = value * 256 + payload[at++]
        return value
      }
    }
    throw new Error(`unexpected length byte ${first} at ${at - 1}`)
  }
  const string = (): void => {
    const first = payload[at]
    if (first >> 6 !== 3) {
      const size = length()
      at += size
      return
    }
    at++
    if (first === 0xc0) at += 1
    else if (first === 0xc1) at += 2
    else if (first === 0xc2) at += 4
    else if (first === 0xc3) {
      const compressed = length()
      length()
      at += compressed
    } else throw new Error(`unexpected string encoding ${first}`)
  }
  const times: Array<number> = []
  expect(payload[at++]).toBe(19)
  for (let nodes = length(); nodes > 0; nodes--) {
    string()
    string()
  }
  for (let i = 0; i < 8; i++) length() // length, last, first and max deleted IDs, entries added
  for (let groups = length(); groups > 0; groups--) {
    string()
    for (let i = 0; i < 3; i++) length() // last ID, entries read
    for (let pending = length(); pending > 0; pending--) {
      at += 16
      times.push(at)
      at += 8
      length()
    }
    for (let consumers = length(); consumers > 0; consumers--) {
      string()
      times.push(at)
      at += 8
      const owned = length()
      at += 16 * owned
    }
  }
  expect(at).toBe(payload.length - 10)
  return times
}

/** The payload with its clock-dependent times and its checksum zeroed. */
const masked = (payload: Buffer): Buffer => {
  const copy = Buffer.from(payload)
  for (const at of timeOffsets(payload)) copy.fill(0, at, at + 8)
  copy.fill(0, copy.length - 8)
  return copy
}

const bulk = (reply: Reply): Buffer => {
  if (reply.kind !== "bulk" || reply.value === null) throw new Error(`not a payload: ${JSON.stringify(reply)}`)
  return Buffer.from(reply.value, "latin1")
}

/** A deterministic generator (mulberry32). */
const random = (seed: number): (() => number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

const VALUES = ["alice", "123", "-7", "0", "4095", "-4096", "70000", "-2147483649", "9223372036854775807",
  "12345678901234567890", "007", "-0", "1.5", "", "x".repeat(70), "y".repeat(300)]

/** XADDs with explicit IDs (as `*` would make them: ms growing by small steps, seq reset). */
const xadds = (key: string, count: number, seed: number, fieldSets: ReadonlyArray<ReadonlyArray<string>>): Array<Array<string>> => {
  const next = random(seed)
  const commands: Array<Array<string>> = []
  let ms = 1700000000000
  let seq = 0
  for (let i = 0; i < count; i++) {
    const gap = next() < 0.5 ? 0 : Math.floor(next() * (next() < 0.1 ? 70000 : 300))
    if (gap === 0) seq++
    else {
      ms += gap
      seq = 0
    }
    const fields = fieldSets[next() < 0.9 ? 0 : 1 + Math.floor(next() * (fieldSets.length - 1))]
    const pairs = fields.flatMap((field) => [field, VALUES[Math.floor(next() * VALUES.length)]])
    commands.push(["XADD", key, `${ms}-${seq}`, ...pairs])
  }
  return commands
}

const FIELDS = [["name", "n", "email", "42", "v"], ["name", "n"], ["other", "-1", "name", "n", "email"], ["f"]]

describe.runIf(hasRealRedis)("DUMP of streams matches Redis 7.0", () => {
  let ours: RunningServer
  let redis: RunningServer
  let clients: Array<RawClient>

  beforeAll(async () => {
    ours = await startRedfiber()
    redis = await startRealRedis()
    clients = [await RawClient.connect(ours.port), await RawClient.connect(redis.port)]
  })
  afterAll(async () => {
    for (const client of clients ?? []) client.close()
    await ours?.stop()
    await redis?.stop()
  })

  /** Runs `commands` on both servers; their replies must agree (IDs are explicit). */
  const both = async (commands: ReadonlyArray<ReadonlyArray<string>>): Promise<void> => {
    for (const command of commands) {
      const [a, b] = await Promise.all(clients.map((client) => client.call(...command)))
      if (command[0] !== "XREADGROUP" && command[0] !== "XCLAIM") expect(a, command.join(" ")).toEqual(b)
    }
  }
  const dumps = async (key: string): Promise<[Buffer, Buffer]> => {
    const [a, b] = await Promise.all(clients.map((client) => client.call("DUMP", key)))
    return [bulk(a), bulk(b)]
  }

  it("equals Redis's bytes for appended streams of many nodes, under both node limits", async () => {
    for (const [maxEntries, maxBytes] of [["100", "4096"], ["7", "4096"], ["100", "300"], ["0", "1000"]]) {
      await both([
        ["CONFIG", "SET", "stream-node-max-entries", maxEntries],
        ["CONFIG", "SET", "stream-node-max-bytes", maxBytes],
        ["DEL", "s"],
        ...xadds("s", 700, Number(maxEntries) + Number(maxBytes), FIELDS),
        ["XLEN", "s"]
      ])
      const [a, b] = await dumps("s")
      expect(a.equals(b), `max-entries ${maxEntries}, max-bytes ${maxBytes}`).toBe(true)
    }
    await both([["CONFIG", "SET", "stream-node-max-entries", "100"], ["CONFIG", "SET", "stream-node-max-bytes", "4096"]])
  })

  it("equals Redis's bytes after approximate trims, XSETID and with a single entry", async () => {
    await both([
      ["DEL", "t", "one"],
      ...xadds("t", 500, 7, FIELDS),
      ["XTRIM", "t", "MAXLEN", "~", "230"],
      ["XADD", "t", "MAXLEN", "~", "120", "1800000000000-5", "name", "tail"],
      ["XSETID", "t", "1800000000001-0", "ENTRIESADDED", "900", "MAXDELETEDID", "1700000000001-0"],
      ["XADD", "one", "5-5", "a", "1"]
    ])
    for (const key of ["t", "one"]) {
      const [a, b] = await dumps(key)
      expect(a.equals(b), key).toBe(true)
    }
  })

  it("equals Redis's bytes with groups, consumers and PELs, but for the times", async () => {
    const longGroup = "a-group-name-long-enough-to-compress-aaaaaaaaaaaaaaaa"
    await both([
      ["DEL", "g"],
      ...xadds("g", 300, 11, FIELDS),
      ["XGROUP", "CREATE", "g", "workers", "0"],
      ["XGROUP", "CREATE", "g", longGroup, "$"],
      ["XGROUP", "CREATE", "g", "7", "1700000000000-0", "ENTRIESREAD", "3"],
      ["XGROUP", "CREATECONSUMER", "g", "workers", "idle"],
      ["XREADGROUP", "GROUP", "workers", "c1", "COUNT", "20", "STREAMS", "g", ">"],
      ["XREADGROUP", "GROUP", "workers", "12", "COUNT", "7", "STREAMS", "g", ">"],
      ["XREADGROUP", "GROUP", "7", "c1", "COUNT", "3", "STREAMS", "g", ">"],
      ["XACK", "g", "workers", "1700000000000-0", "1700000000000-1"],
      ["XCLAIM", "g", "workers", "c3", "0", "1700000000000-2", "JUSTID"],
      ["XADD", "g", "1900000000000-0", "name", "n"],
      ["XREADGROUP", "GROUP", longGroup, "c-long-consumer-name-xxxxxxxxxxxxxxxxxxxxx", "STREAMS", "g", ">"]
    ])
    const [a, b] = await dumps("g")
    expect(timeOffsets(b).length).toBeGreaterThan(0)
    expect(timeOffsets(a).length).toBeGreaterThan(0)
    expect(masked(a).equals(masked(b))).toBe(true)
  })

  it("equals Redis's bytes with deleted entries (XDEL, exact trims), and round-trips Redis's", async () => {
    const added = xadds("d", 400, 5, FIELDS)
    const ids = added.map((command) => command[2])
    const next = random(3)
    await both([
      ["DEL", "d"],
      ...added,
      ["XDEL", "d", ids[0], ids[1]],
      ["XTRIM", "d", "MAXLEN", "333"],
      ["XDEL", "d", ...ids.filter(() => next() < 0.2)],
      ["XDEL", "d", ids[220], ids[219], ids[399]],
      ["XADD", "d", "MAXLEN", "300", "1900000000000-0", "name", "n"],
      ["XGROUP", "CREATE", "d", "g", "0"],
      ["XREADGROUP", "GROUP", "g", "c", "COUNT", "4", "STREAMS", "d", ">"]
    ])
    const [a, b] = await dumps("d")
    expect(masked(a).equals(masked(b))).toBe(true)
    // Redis's payload restored here dumps to the same bytes.
    const [ourClient, redisClient] = clients
    expect(await ourClient.call("RESTORE", "d3", "0", b.toString("latin1"))).toEqual({ kind: "simple", value: "OK" })
    expect(bulk(await ourClient.call("DUMP", "d3")).equals(b)).toBe(true)
    expect(await redisClient.call("RESTORE", "d2", "0", a.toString("latin1"))).toEqual({ kind: "simple", value: "OK" })
    for (const command of [["XRANGE", "%", "-", "+"], ["XLEN", "%"], ["XPENDING", "%", "g"]]) {
      const [original, restored] = await Promise.all([
        redisClient.call(...command.map((arg) => (arg === "%" ? "d" : arg))),
        redisClient.call(...command.map((arg) => (arg === "%" ? "d2" : arg)))
      ])
      expect(restored).toEqual(original)
    }
  })
})
