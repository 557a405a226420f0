/**
 * maxmemory (src/eviction/MaxMemory.ts). In process, with the batch clock in the test's hands:
 * every policy evicts the right kind of keys (recently used survive LRU, frequently used survive
 * LFU, only keys with a TTL go under volatile-*, the nearest expiry first under volatile-ttl),
 * used memory ends just under the limit, noeviction refuses writes but serves reads and DEL. Over
 * TCP: the OOM error and CONFIG's validation against a real Redis 7.0, INFO's fields, the
 * `evicted` keyspace event and the AOF's DEL for every evicted key.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import type { CommandContext } from "../../src/commands/Command.js"
import { executeCommand } from "../../src/commands/dispatch.js"
import { commandTable } from "../../src/commands/table.js"
import { Keyspace } from "../../src/keyspace/Keyspace.js"
import { ReplyWriter } from "../../src/protocol/ReplyWriter.js"
import { ClientState } from "../../src/session/ClientState.js"
import { OOM, PROCESS_BASELINE_BYTES, usedMemory } from "../../src/eviction/MaxMemory.js"
import { detachedServerState } from "../../src/commands/ServerState.js"
import { RawClient } from "../support/RawClient.js"
import { hasRealRedis, type RunningServer, startRealRedis, startRedfiber } from "../support/servers.js"

/** A keyspace and one client on it, run in process; `now` moves only when the test moves it. */
const setup = (policy: string) => {
  const keyspace = new Keyspace(16)
  const server = detachedServerState(commandTable)
  server.config.setExtra("maxmemory-policy", policy)
  // No time budget: one command evicts all it must (a server's cron would finish the rest).
  server.config.maxmemoryEvictionTenacity = 100
  keyspace.access.lfu = policy.endsWith("lfu")
  const client = new ClientState(1, "127.0.0.1:1", "127.0.0.1:2", 0, () => {})
  client.remote = true
  client.authenticated = true
  const ctx: CommandContext = { keyspace, db: keyspace.databases[0], now: 1_700_000_000_000, out: new ReplyWriter(), client, server }
  const run = (...argv: Array<string>): string => {
    keyspace.access.setTime(ctx.now)
    executeCommand(ctx, argv)
    return ctx.out.take().toString("latin1")
  }
  const exists = (key: string, db = 0) => keyspace.databases[db].table.find(key) !== -1
  /** Sets maxmemory to what is in use now minus `bytes`. */
  const limitBelowUse = (bytes: number) => {
    const limit = usedMemory(keyspace) - bytes
    server.config.setExtra("maxmemory", String(limit))
    return limit
  }
  return { keyspace, server, ctx, run, exists, limitBelowUse, used: () => usedMemory(keyspace) }
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i)
const VALUE = "v".repeat(40)

describe("eviction policies (in process)", () => {
  it("allkeys-lru: keys used recently survive, used memory ends just under the limit", () => {
    const t = setup("allkeys-lru")
    for (const i of range(1000)) t.run("SET", `k:${i}`, VALUE)
    t.ctx.now += 100_000
    for (const i of range(500)) t.run("GET", `k:${i}`)
    t.ctx.now += 1000
    const limit = t.limitBelowUse(30_000)
    expect(t.run("SET", "new", VALUE)).toBe("+OK\r\n")
    const hotLeft = range(500).filter((i) => t.exists(`k:${i}`)).length
    const coldLeft = range(500).filter((i) => t.exists(`k:${500 + i}`)).length
    // Sampled LRU (as Redis's) evicts a few hot keys once the cold ones thin out: over 3,000 runs
    // hotLeft was 469–500, mean 489; evicting at random would leave about 300.
    expect(hotLeft).toBeGreaterThanOrEqual(450)
    expect(coldLeft).toBeLessThan(500 - 300)
    expect(t.server.stats.evictedKeys).toBe(1001 - t.keyspace.databases[0].size)
    // The write itself may pass the limit (as in Redis); the next command evicts first.
    t.run("PING")
    // Right under the limit: one more record would not have fitted.
    expect(t.used()).toBeLessThanOrEqual(limit)
    expect(t.used()).toBeGreaterThan(limit - 200)
  })

  it("allkeys-lfu: keys used often survive", () => {
    const t = setup("allkeys-lfu")
    for (const i of range(1000)) t.run("SET", `k:${i}`, VALUE)
    for (let round = 0; round < 100; round++) for (const i of range(300)) t.run("GET", `k:${i}`)
    t.limitBelowUse(40_000)
    t.run("SET", "new", VALUE)
    expect(range(300).filter((i) => t.exists(`k:${i}`)).length).toBeGreaterThanOrEqual(290)
    expect(range(700).filter((i) => t.exists(`k:${300 + i}`)).length).toBeLessThan(700 - 400)
  })

  it("volatile-lru and volatile-random evict only keys with a TTL, then refuse writes", () => {
    for (const policy of ["volatile-lru", "volatile-random", "volatile-lfu"]) {
      const t = setup(policy)
      for (const i of range(200)) t.run("SET", `keep:${i}`, VALUE)
      for (const i of range(200)) t.run("SET", `ttl:${i}`, VALUE, "EX", "10000")
      t.limitBelowUse(5_000)
      expect(t.run("SET", "x", VALUE)).toBe("+OK\r\n")
      expect(range(200).every((i) => t.exists(`keep:${i}`))).toBe(true)
      expect(range(200).filter((i) => t.exists(`ttl:${i}`)).length).toBeLessThan(200)
      // More than all the volatile keys hold: they all go, and still too much.
      t.limitBelowUse(200 * 200)
      expect(t.run("SET", "y", VALUE)).toBe(`-${OOM}\r\n`)
      expect(range(200).some((i) => t.exists(`ttl:${i}`))).toBe(false)
      expect(range(200).every((i) => t.exists(`keep:${i}`))).toBe(true)
      // Reads still run.
      expect(t.run("GET", "keep:1")).toBe(`$40\r\n${VALUE}\r\n`)
    }
  })

  it("volatile-ttl: the nearest expiry goes first", () => {
    const t = setup("volatile-ttl")
    for (const i of range(500)) t.run("SET", `ttl:${i}`, VALUE, "EX", String(1000 + i * 10))
    for (const i of range(100)) t.run("SET", `keep:${i}`, VALUE)
    t.limitBelowUse(20_000)
    t.run("SET", "new", VALUE)
    const gone = range(500).filter((i) => !t.exists(`ttl:${i}`))
    expect(gone.length).toBeGreaterThan(100)
    // Approximate, as Redis's: the ones gone are almost all among the soonest to expire.
    const late = gone.filter((i) => i >= gone.length * 1.5).length
    expect(late).toBeLessThanOrEqual(gone.length * 0.05)
    expect(range(100).every((i) => t.exists(`keep:${i}`))).toBe(true)
  })

  it("allkeys-random evicts across databases", () => {
    const t = setup("allkeys-random")
    for (const db of [0, 3]) {
      t.run("SELECT", String(db))
      for (const i of range(300)) t.run("SET", `k:${i}`, VALUE)
    }
    t.limitBelowUse(20_000)
    t.run("SET", "new", VALUE)
    const left0 = range(300).filter((i) => t.exists(`k:${i}`, 0)).length
    const left3 = range(300).filter((i) => t.exists(`k:${i}`, 3)).length
    expect(left0).toBeLessThan(300)
    expect(left3).toBeLessThan(300)
  })

  it("noeviction: writes get OOM, reads and DEL run, and DEL makes room again", () => {
    const t = setup("noeviction")
    for (const i of range(100)) t.run("SET", `k:${i}`, VALUE)
    t.limitBelowUse(1)
    expect(t.run("SET", "k:new", VALUE)).toBe(`-${OOM}\r\n`)
    expect(t.run("LPUSH", "list", "a")).toBe(`-${OOM}\r\n`)
    expect(t.run("APPEND", "k:1", "more")).toBe(`-${OOM}\r\n`)
    expect(t.run("GET", "k:1")).toBe(`$40\r\n${VALUE}\r\n`)
    expect(t.run("EXISTS", "k:2")).toBe(":1\r\n")
    expect(t.run("DEL", "k:1", "k:2")).toBe(":2\r\n")
    expect(t.run("SET", "k:new", VALUE)).toBe("+OK\r\n")
    expect(t.server.stats.evictedKeys).toBe(0)
  })

  it("a collection grown in place counts, and evicting it frees what it held", () => {
    const t = setup("allkeys-lru")
    for (const i of range(2000)) t.run("RPUSH", "big", `element-${i}-${"e".repeat(50)}`)
    t.ctx.now += 10_000
    for (const i of range(200)) t.run("SET", `k:${i}`, VALUE)
    const before = t.used()
    expect(before - PROCESS_BASELINE_BYTES).toBeGreaterThan(2000 * 80)
    t.server.config.maxmemorySamples = 10
    t.limitBelowUse(50_000)
    t.run("SET", "new", VALUE)
    // The list, idle longest, goes once sampling finds it (small keys may go before), and frees
    // far more than was asked: the small keys could not have freed that much.
    expect(t.exists("big")).toBe(false)
    expect(t.used()).toBeLessThan(before - 100_000)
    expect(t.keyspace.databases[0].size).toBeGreaterThan(1)
  })
})

describe("maxmemory over TCP (redfiber)", () => {
  let server: Awaited<ReturnType<typeof startRedfiber>>
  let dir: string
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "redfiber-maxmemory-"))
    server = await startRedfiber({ appendonly: "yes", appendfsync: "always", dir, maxmemoryPolicy: "allkeys-random" })
  })
  afterAll(async () => {
    await server.stop()
    fs.rmSync(dir, { recursive: true, force: true })
  })

  const infoFields = async (client: RawClient, section: string) => {
    const text = String((await client.call("INFO", section)).value)
    return new Map(text.split("\r\n").filter((line) => line.includes(":")).map((line) => {
      const at = line.indexOf(":")
      return [line.slice(0, at), line.slice(at + 1)] as const
    }))
  }

  it("evicted keys: INFO counts them, subscribers hear of them, the AOF deletes them", async () => {
    const admin = await RawClient.connect(server.port)
    const subscriber = await RawClient.connect(server.port)
    expect(await admin.call("CONFIG", "SET", "notify-keyspace-events", "Ee")).toEqual({ kind: "simple", value: "OK" })
    await subscriber.call("SUBSCRIBE", "__keyevent@0__:evicted")
    const memory = await infoFields(admin, "memory")
    const used = Number(memory.get("used_memory"))
    expect(used).toBeGreaterThanOrEqual(PROCESS_BASELINE_BYTES)
    expect(memory.get("maxmemory")).toBe("0")
    expect(memory.get("maxmemory_policy")).toBe("allkeys-random")
    const limit = used + 100_000
    await admin.call("CONFIG", "SET", "maxmemory", String(limit))
    for (const i of range(3000)) admin.send("SET", `key:${i}`, "x".repeat(100))
    for (let sent = 0; sent < 3000; sent++) expect((await admin.read()).kind).toBe("simple")
    const stats = await infoFields(admin, "stats")
    const evicted = Number(stats.get("evicted_keys"))
    expect(evicted).toBeGreaterThan(1000)
    const after = await infoFields(admin, "memory")
    expect(Number(after.get("used_memory"))).toBeLessThanOrEqual(limit)
    expect(after.get("maxmemory")).toBe(String(limit))
    expect(after.get("maxmemory_human")).toMatch(/^\d+\.\d\dM$/)
    expect(Number(after.get("used_memory_peak"))).toBeGreaterThanOrEqual(Number(after.get("used_memory")))
    expect(Number(after.get("mem_fragmentation_ratio"))).toBeGreaterThan(0)
    const events = new Set<string>()
    for (let i = 0; i < evicted; i++) {
      const message = await subscriber.read()
      expect(message.kind).toBe("array")
      const parts = message.value as ReadonlyArray<{ value: string }>
      expect(parts[1].value).toBe("__keyevent@0__:evicted")
      events.add(parts[2].value)
    }
    expect(events.size).toBe(evicted)
    const dbsize = Number((await admin.call("DBSIZE")).value)
    expect(dbsize).toBe(3000 - evicted)
    for (const key of events) expect(await admin.call("EXISTS", key)).toEqual({ kind: "integer", value: "0" })
    // The AOF: every evicted key is deleted after it was set.
    const files = fs.readdirSync(dir, { recursive: true, encoding: "utf8" }).map((file) => path.join(dir, file))
    const aof = files.filter((file) => fs.statSync(file).isFile()).map((file) => fs.readFileSync(file, "latin1")).join("")
    let deletions = 0
    for (const key of events) if (aof.includes(`*2\r\n$3\r\nDEL\r\n$${key.length}\r\n${key}\r\n`)) deletions++
    expect(deletions).toBe(evicted)
    await admin.call("CONFIG", "SET", "maxmemory", "0")
    admin.close()
    subscriber.close()
  })
})

describe("the eviction cron (redfiber)", () => {
  it("evicts without any command once CONFIG SET lowers maxmemory", async () => {
    const server = await startRedfiber({ maxmemoryPolicy: "allkeys-lru" })
    try {
      const client = await RawClient.connect(server.port)
      for (const i of range(2000)) client.send("SET", `key:${i}`, "x".repeat(100))
      for (let sent = 0; sent < 2000; sent++) await client.read()
      const used = await Effect.runPromise(server.db.use((_db, _now, keyspace) => usedMemory(keyspace)))
      const limit = used - 50_000
      expect(await client.call("CONFIG", "SET", "maxmemory", String(limit))).toEqual({ kind: "simple", value: "OK" })
      // No command from now on: only the cron can evict (several ticks if one's time budget ends).
      const stats = server.server.state.stats
      const usedNow = () => Effect.runPromise(server.db.use((_db, _now, keyspace) => usedMemory(keyspace)))
      const deadline = Date.now() + 10_000
      while ((await usedNow()) > limit && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20))
      expect(await usedNow()).toBeLessThanOrEqual(limit)
      expect(stats.evictedKeys).toBeGreaterThan(0)
      expect(stats.peakMemory).toBeGreaterThanOrEqual(used)
      client.close()
    } finally {
      await server.stop()
    }
  })
})

/** The same replies from both servers. */
const defineSuite = (label: string, start: () => Promise<RunningServer>) =>
  describe(label, () => {
    let server: RunningServer
    let client: RawClient
    beforeAll(async () => {
      server = await start()
      client = await RawClient.connect(server.port)
    })
    afterAll(async () => {
      client.close()
      await server.stop()
    })

    it("noeviction past the limit: OOM for writes; reads, DEL and CONFIG run", async () => {
      expect(await client.call("SET", "before", "1")).toEqual({ kind: "simple", value: "OK" })
      expect(await client.call("CONFIG", "SET", "maxmemory", "1")).toEqual({ kind: "simple", value: "OK" })
      expect(await client.call("SET", "a", "b")).toEqual({ kind: "error", value: OOM })
      expect(await client.call("LPUSH", "l", "a")).toEqual({ kind: "error", value: OOM })
      expect(await client.call("INCR", "before")).toEqual({ kind: "error", value: OOM })
      expect(await client.call("GET", "before")).toEqual({ kind: "bulk", value: "1" })
      expect(await client.call("DEL", "before")).toEqual({ kind: "integer", value: "1" })
      expect(await client.call("EXPIRE", "nothing", "10")).toEqual({ kind: "integer", value: "0" })
      expect(await client.call("CONFIG", "SET", "maxmemory", "0")).toEqual({ kind: "simple", value: "OK" })
      expect(await client.call("SET", "a", "b")).toEqual({ kind: "simple", value: "OK" })
    })

    it("out of memory inside MULTI: a queued command dooms the transaction, EXEC of writes is refused", async () => {
      const simple = (value: string) => ({ kind: "simple", value })
      const execAbort = { kind: "error", value: "EXECABORT Transaction discarded because of previous errors." }
      expect(await client.call("SET", "before", "1")).toEqual(simple("OK"))
      // Queued while there was room; by EXEC there is none: a transaction holding a write is refused.
      const other = await RawClient.connect(server.port)
      expect(await client.call("MULTI")).toEqual(simple("OK"))
      expect(await client.call("INCR", "before")).toEqual(simple("QUEUED"))
      expect(await other.call("CONFIG", "SET", "maxmemory", "1")).toEqual(simple("OK"))
      expect(await client.call("EXEC")).toEqual({
        kind: "error",
        value: `EXECABORT Transaction discarded because of: ${OOM}`
      })
      // One holding only reads runs.
      expect(await other.call("CONFIG", "SET", "maxmemory", "0")).toEqual(simple("OK"))
      expect(await client.call("MULTI")).toEqual(simple("OK"))
      expect(await client.call("GET", "before")).toEqual(simple("QUEUED"))
      expect(await other.call("CONFIG", "SET", "maxmemory", "1")).toEqual(simple("OK"))
      expect(await client.call("EXEC")).toEqual({ kind: "array", value: [{ kind: "bulk", value: "1" }] })
      other.close()
      expect(await client.call("MULTI")).toEqual(simple("OK"))
      // Queuing grows memory too: even a read is refused, and the transaction is doomed.
      expect(await client.call("GET", "before")).toEqual({ kind: "error", value: OOM })
      expect(await client.call("EXEC")).toEqual(execAbort)
      expect(await client.call("MULTI")).toEqual(simple("OK"))
      expect(await client.call("DISCARD")).toEqual(simple("OK"))
      expect(await client.call("GET", "before")).toEqual({ kind: "bulk", value: "1" })
      expect(await client.call("CONFIG", "SET", "maxmemory", "0")).toEqual(simple("OK"))
      expect(await client.call("DEL", "before")).toEqual({ kind: "integer", value: "1" })
    })

    it("CONFIG SET of the memory parameters validates as Redis does", async () => {
      const failed = (name: string, reason: string) => ({
        kind: "error",
        value: `ERR CONFIG SET failed (possibly related to argument '${name}') - ${reason}`
      })
      for (const [args, expected] of [
        [["maxmemory-samples", "0"], failed("maxmemory-samples", "argument must be between 1 and 2147483647 inclusive")],
        [["maxmemory-samples", "64"], { kind: "simple", value: "OK" }],
        [["maxmemory-eviction-tenacity", "101"], failed("maxmemory-eviction-tenacity", "argument must be between 0 and 100 inclusive")],
        [["maxmemory-eviction-tenacity", "10"], { kind: "simple", value: "OK" }],
        [["client-query-buffer-limit", "1000"], failed("client-query-buffer-limit", "argument must be between 1048576 and 9223372036854775807 inclusive")],
        [["client-query-buffer-limit", "1gb"], { kind: "simple", value: "OK" }],
        [["maxmemory-policy", "lru"], failed("maxmemory-policy", "argument(s) must be one of the following: volatile-lru, volatile-lfu, volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, noeviction")],
        [["maxmemory", "-1"], failed("maxmemory", "argument must be a memory value")],
        [["protected-mode", "maybe"], failed("protected-mode", "argument must be 'yes' or 'no'")]
      ] as const) {
        expect([args, await client.call("CONFIG", "SET", ...args)]).toEqual([args, expected])
      }
      expect(await client.call("CONFIG", "GET", "maxmemory-samples")).toEqual({
        kind: "array",
        value: [{ kind: "bulk", value: "maxmemory-samples" }, { kind: "bulk", value: "64" }]
      })
      expect(await client.call("CONFIG", "GET", "client-query-buffer-limit")).toEqual({
        kind: "array",
        value: [{ kind: "bulk", value: "client-query-buffer-limit" }, { kind: "bulk", value: "1073741824" }]
      })
    })
  })

defineSuite("maxmemory replies (redfiber)", () => startRedfiber())
if (hasRealRedis) defineSuite("maxmemory replies (real Redis 7)", () => startRealRedis())
