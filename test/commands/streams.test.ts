/**
 * The stream family beyond the differential scripts: COMMAND declarations against Redis 7; which
 * commands signal a change of their key (WATCH on Redis, the keyspace hooks here); XREAD BLOCK
 * timeouts and the idle times of XPENDING / XCLAIM / XINFO on Effect's TestClock; CLIENT UNBLOCK
 * of a blocked XREADGROUP; RDB files in both directions with real Redis; and the AOF replaying
 * generated IDs, group deliveries and claims exactly (as logged and after BGREWRITEAOF).
 */
import { describe, expect, it } from "@effect/vitest"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import * as TestClock from "effect/testing/TestClock"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { streamCommands } from "../../src/commands/streams.js"
import { RedisServer } from "../../src/server/RedisServer.js"
import { maskStream } from "../compat/compare.js"
import { describeDeclarations, describeSignals } from "../support/declarations.js"
import { RawClient } from "../support/RawClient.js"
import { type Reply, showReply } from "../support/RespReader.js"
import { hasRealRedis, startRealRedis, startRedfiber } from "../support/servers.js"

describeDeclarations("stream command declarations", streamCommands)

const K3 = [["XADD", "k", "1-1", "a", "1"], ["XADD", "k", "2-1", "a", "2"], ["XADD", "k", "3-1", "a", "3"]] as const
const WITH_GROUP = ["XGROUP", "CREATE", "k", "g", "0", "MKSTREAM"]

// Redis 7.0 signals entries changing, not consumer-group bookkeeping nor XSETID.
describeSignals("stream commands that change their key", [
  [[], ["XADD", "k", "1-1", "a", "1"], true],
  [[], ["XADD", "k", "NOMKSTREAM", "1-1", "a", "1"], false],
  [K3[0], ["XADD", "k", "1-1", "a", "1"], false],
  [K3[0], ["XTRIM", "k", "MAXLEN", "0"], true],
  [K3[0], ["XTRIM", "k", "MAXLEN", "5"], false],
  [K3[0], ["XDEL", "k", "1-1"], true],
  [K3[0], ["XDEL", "k", "9-9"], false],
  [K3[0], ["XSETID", "k", "5-5"], false],
  [K3[0], ["XLEN", "k"], false],
  [K3[0], ["XRANGE", "k", "-", "+"], false],
  [[], WITH_GROUP, true],
  [WITH_GROUP, ["XGROUP", "CREATE", "k", "g", "0"], false],
  [WITH_GROUP, ["XGROUP", "SETID", "k", "g", "0"], false],
  [WITH_GROUP, ["XGROUP", "DESTROY", "k", "g"], false],
  [WITH_GROUP, ["XGROUP", "DESTROY", "k", "nope"], false],
  [WITH_GROUP, ["XINFO", "GROUPS", "k"], false],
  [WITH_GROUP, ["XPENDING", "k", "g"], false],
  [K3[0], ["XGROUP", "CREATE", "k", "g", "0"], false],
  [WITH_GROUP, ["XGROUP", "CREATECONSUMER", "k", "g", "c"], false],
  [WITH_GROUP, ["XGROUP", "DELCONSUMER", "k", "g", "c"], false],
  [WITH_GROUP, ["XREADGROUP", "GROUP", "g", "c", "STREAMS", "k", ">"], false],
  [WITH_GROUP, ["XREADGROUP", "GROUP", "g", "c", "STREAMS", "k", "0"], false],
  [WITH_GROUP, ["XACK", "k", "g", "1-1"], false],
  [WITH_GROUP, ["XCLAIM", "k", "g", "c", "0", "1-1"], false],
  [WITH_GROUP, ["XAUTOCLAIM", "k", "g", "c", "0", "0"], false]
])

const maskedText = (reply: Reply): string => showReply(maskStream(reply))

describe("stream times on Effect's Clock", () => {
  const withServer = <A>(
    body: (
      call: (client: RawClient, ...args: Array<string>) => Effect.Effect<Reply>,
      connect: Effect.Effect<RawClient, never, Scope.Scope>
    ) => Effect.Effect<A, never, Scope.Scope>
  ) =>
    Effect.gen(function*() {
      const context = yield* Layer.build(RedisServer.layerWithDb({ port: 0 }))
      const server = Context.get(context, RedisServer)
      const connect = Effect.acquireRelease(
        Effect.promise(() => RawClient.connect(server.address.port)),
        (client) => Effect.sync(() => client.close())
      )
      const call = (client: RawClient, ...args: Array<string>) => Effect.promise(() => client.call(...args))
      return yield* body(call, connect)
    })

  const nothingYet = (client: RawClient) => Effect.promise(async () => {
    await new Promise((resolve) => setTimeout(resolve, 30))
    return client.pending.length === 0
  })

  const waitBlocked = async (admin: RawClient, count: number): Promise<void> => {
    for (let i = 0; i < 200; i++) {
      const info = await admin.call("INFO", "clients")
      if (String(info.value).includes(`blocked_clients:${count}\r\n`)) return
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
    throw new Error(`never saw ${count} blocked clients`)
  }

  it.effect("XREAD BLOCK times out at its deadline; XREADGROUP waits until served", () =>
    withServer((call, connect) =>
      Effect.gen(function*() {
        const [a, b, admin] = [yield* connect, yield* connect, yield* connect]
        yield* call(admin, "XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
        a.send("XREAD", "BLOCK", "1500", "STREAMS", "s", "$")
        b.send("XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">")
        yield* Effect.promise(() => waitBlocked(admin, 2))
        yield* TestClock.adjust("1499 millis")
        expect(yield* nothingYet(a)).toBe(true)
        yield* TestClock.adjust("1 millis")
        expect(yield* Effect.promise(() => a.read())).toEqual({ kind: "array", value: null })
        yield* TestClock.adjust("10 seconds")
        expect(yield* nothingYet(b)).toBe(true)
        yield* call(admin, "XADD", "s", "1-1", "f", "v")
        expect(showReply(yield* Effect.promise(() => b.read()))).toBe('[["s", [["1-1", ["f", "v"]]]]]')
      })
    ))

  it.effect("idle times, XCLAIM IDLE and XAUTOCLAIM's min-idle-time follow the clock", () =>
    withServer((call, connect) =>
      Effect.gen(function*() {
        const client = yield* connect
        yield* call(client, "XADD", "s", "1-1", "f", "v")
        yield* call(client, "XADD", "s", "2-1", "f", "v")
        yield* call(client, "XGROUP", "CREATE", "s", "g", "0")
        yield* call(client, "XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", ">")
        yield* TestClock.adjust("5000 millis")
        const pending = yield* call(client, "XPENDING", "s", "g", "-", "+", "10")
        expect(showReply(pending)).toBe('[["1-1", "alice", :5000, :1], ["2-1", "alice", :5000, :1]]')
        expect(showReply(yield* call(client, "XPENDING", "s", "g", "IDLE", "5001", "-", "+", "10"))).toBe("[]")
        expect(showReply(yield* call(client, "XCLAIM", "s", "g", "bob", "5001", "1-1", "JUSTID"))).toBe("[]")
        expect(showReply(yield* call(client, "XCLAIM", "s", "g", "bob", "5000", "1-1", "IDLE", "300", "JUSTID"))).toBe('["1-1"]')
        yield* TestClock.adjust("200 millis")
        expect(showReply(yield* call(client, "XPENDING", "s", "g", "-", "+", "1"))).toBe('[["1-1", "bob", :500, :1]]')
        expect(showReply(yield* call(client, "XAUTOCLAIM", "s", "g", "carol", "5200", "0", "JUSTID"))).toBe('["0-0", ["2-1"], []]')
        expect(showReply(yield* call(client, "XINFO", "CONSUMERS", "s", "g"))).toBe(
          '[["name", "alice", "pending", :0, "idle", :5200], ["name", "bob", "pending", :1, "idle", :200], ["name", "carol", "pending", :1, "idle", :0]]'
        )
        const id = yield* call(client, "XADD", "s", "*", "f", "v")
        expect(id.value).toBe(`${yield* Clock.currentTimeMillis}-0`)
      })
    ))

  it.effect("CLIENT UNBLOCK ends a blocked XREADGROUP (as a timeout, or with UNBLOCKED)", () =>
    withServer((call, connect) =>
      Effect.gen(function*() {
        const [a, admin] = [yield* connect, yield* connect]
        yield* call(admin, "XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
        const id = (yield* call(a, "CLIENT", "ID")).value as string
        a.send("XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">")
        yield* Effect.promise(() => waitBlocked(admin, 1))
        expect(yield* call(admin, "CLIENT", "UNBLOCK", id)).toEqual({ kind: "integer", value: "1" })
        expect(yield* Effect.promise(() => a.read())).toEqual({ kind: "array", value: null })
        a.send("XREAD", "BLOCK", "0", "STREAMS", "s", "$")
        yield* Effect.promise(() => waitBlocked(admin, 1))
        expect(yield* call(admin, "CLIENT", "UNBLOCK", id, "ERROR")).toEqual({ kind: "integer", value: "1" })
        expect(yield* Effect.promise(() => a.read())).toEqual({ kind: "error", value: "UNBLOCKED client unblocked via CLIENT UNBLOCK" })
      })
    ))
})

const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), "redfiber-streams-"))

const run = async (port: number, commands: ReadonlyArray<ReadonlyArray<string>>): Promise<Array<Reply>> => {
  const client = await RawClient.connect(port)
  try {
    const replies: Array<Reply> = []
    for (const command of commands) replies.push(await client.call(...command))
    return replies
  } finally {
    client.close()
  }
}

/** A stream with several nodes, deletions, a trim, groups with PELs and consumers. */
const DATASET: ReadonlyArray<ReadonlyArray<string>> = [
  ...Array.from({ length: 330 }, (_, i) => ["XADD", "big", `${1000 + i}-${i % 3}`, "field", `value${i}`, ...(i % 7 === 0 ? ["other", String(i * 1000)] : [])]),
  ["XDEL", "big", "1005-2", "1100-1", "1200-0"],
  ["XTRIM", "big", "MAXLEN", "300"],
  ["XGROUP", "CREATE", "big", "readers", "0"],
  ["XGROUP", "CREATE", "big", "late", "$", "ENTRIESREAD", "7"],
  ["XREADGROUP", "GROUP", "readers", "alice", "COUNT", "5", "STREAMS", "big", ">"],
  ["XREADGROUP", "GROUP", "readers", "bob", "COUNT", "3", "STREAMS", "big", ">"],
  ["XCLAIM", "big", "readers", "carol", "0", "1031-1", "TIME", "1700000000000", "RETRYCOUNT", "4"],
  ["XGROUP", "CREATECONSUMER", "big", "late", "idle-one"],
  ["XADD", "empty", "18446744073709551615-5", "a", "b"],
  ["XDEL", "empty", "18446744073709551615-5"],
  ["XGROUP", "CREATE", "empty", "g", "$"],
  ["XADD", "plain", "1-1", "-12", "4095", "n", "-4097", "big", "123456789012", "text", "x".repeat(100)]
]

const INSPECT: ReadonlyArray<ReadonlyArray<string>> = [
  ["XINFO", "STREAM", "big", "FULL", "COUNT", "0"],
  ["XINFO", "STREAM", "empty", "FULL"],
  ["XINFO", "STREAM", "plain", "FULL"],
  ["XINFO", "GROUPS", "big"],
  ["XPENDING", "big", "readers"]
]

const inspect = async (port: number): Promise<Array<string>> => (await run(port, INSPECT)).map(maskedText)

describe.skipIf(!hasRealRedis)("streams in RDB files are Redis's", () => {
  it("real Redis 7 loads our snapshot into the same streams", async () => {
    const dir = tempDir()
    const ours = await startRedfiber({ dir })
    await run(ours.port, [...DATASET, ["SAVE"]])
    const expected = await inspect(ours.port)
    await ours.stop()
    const redis = await startRealRedis(["--dir", dir, "--dbfilename", "dump.rdb"])
    try {
      expect(await inspect(redis.port)).toEqual(expected)
      // The loaded stream keeps working: appends and group reads.
      const after = await run(redis.port, [["XADD", "big", "2000-0", "f", "v"], ["XREADGROUP", "GROUP", "late", "x", "STREAMS", "big", ">"]])
      expect(after.map(showReply)).toEqual(['"2000-0"', '[["big", [["2000-0", ["f", "v"]]]]]'])
    } finally {
      await redis.stop()
    }
  })

  it("we load Redis's snapshot into the same streams", async () => {
    const dir = tempDir()
    const redis = await startRealRedis(["--dir", dir, "--dbfilename", "dump.rdb"])
    let expected: Array<string>
    try {
      await run(redis.port, [...DATASET, ["SAVE"]])
      expected = await inspect(redis.port)
    } finally {
      await redis.stop()
    }
    const ours = await startRedfiber({ dir })
    try {
      expect(await inspect(ours.port)).toEqual(expected)
    } finally {
      await ours.stop()
    }
  })
})

describe("streams in the AOF", () => {
  const WORKLOAD: ReadonlyArray<ReadonlyArray<string>> = [
    ...Array.from({ length: 250 }, () => ["XADD", "s", "MAXLEN", "~", "120", "*", "f", "v"]),
    ["XADD", "s", "MINID", "~", "0", "*", "f", "last"],
    ["XTRIM", "s", "MAXLEN", "~", "50"],
    ["XGROUP", "CREATE", "s", "g", "0"],
    ["XREADGROUP", "GROUP", "g", "alice", "COUNT", "10", "STREAMS", "s", ">"],
    ["XREADGROUP", "GROUP", "g", "bob", "NOACK", "COUNT", "5", "STREAMS", "s", ">"],
    ["XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", "0"],
    ["XREADGROUP", "GROUP", "g", "nobody", "STREAMS", "s", "0"],
    ["XCLAIM", "s", "g", "carol", "0", "0-1", "LASTID", "0-2"],
    ["XAUTOCLAIM", "s", "g", "dave", "0", "0", "COUNT", "3"]
  ]

  /** Exactly what must survive a restart (times included: they are logged as absolute TIMEs). */
  const state = async (port: number): Promise<Array<string>> =>
    (await run(port, [["XINFO", "STREAM", "s", "FULL", "COUNT", "0"], ["XINFO", "GROUPS", "s"]])).map((reply) =>
      // Seen-times are not logged (Redis's AOF loses them too): replay sets them.
      showReply(reply).replace(/"radix-tree-nodes", :[0-9]+/, "").replace(/"seen-time", :[0-9]+/g, "")
    )

  it("replays generated IDs, approximate trims, deliveries and claims exactly", async () => {
    const dir = tempDir()
    const first = await startRedfiber({ dir, appendonly: "yes", appendfsync: "always" })
    const replies = await run(first.port, WORKLOAD)
    expect(replies.filter((reply) => reply.kind === "error")).toEqual([])
    const expected = await state(first.port)
    await first.stop()
    const logged = fs.readFileSync(path.join(dir, "appendonly.aof"), "latin1")
    expect(logged).not.toMatch(/XREADGROUP|~|\*\r\n\$1\r\nf/)
    const second = await startRedfiber({ dir, appendonly: "yes" })
    try {
      expect(await state(second.port)).toEqual(expected)
      await run(second.port, [["BGREWRITEAOF"]])
      await new Promise((resolve) => setTimeout(resolve, 500))
    } finally {
      await second.stop()
    }
    const third = await startRedfiber({ dir, appendonly: "yes" })
    try {
      expect(await state(third.port)).toEqual(expected)
    } finally {
      await third.stop()
    }
  })
})

describe("a blocked XREADGROUP served by XADD, in the AOF", () => {
  it("logs the delivery (XCLAIM, XGROUP SETID) so the PEL survives a restart", async () => {
    const dir = tempDir()
    const first = await startRedfiber({ dir, appendonly: "yes", appendfsync: "always" })
    const [reader, writer] = await Promise.all([RawClient.connect(first.port), RawClient.connect(first.port)])
    try {
      await writer.call("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
      reader.send("XREADGROUP", "GROUP", "g", "alice", "BLOCK", "0", "STREAMS", "s", ">")
      for (let i = 0; i < 200; i++) {
        if (String((await writer.call("INFO", "clients")).value).includes("blocked_clients:1")) break
        await new Promise((resolve) => setTimeout(resolve, 10))
      }
      await writer.call("XADD", "s", "5-1", "f", "v")
      expect(showReply(await reader.read())).toBe('[["s", [["5-1", ["f", "v"]]]]]')
    } finally {
      reader.close()
      writer.close()
      await first.stop()
    }
    const second = await startRedfiber({ dir, appendonly: "yes" })
    try {
      const [pending, groups] = await run(second.port, [["XPENDING", "s", "g"], ["XINFO", "GROUPS", "s"]])
      expect(showReply(pending)).toBe('[:1, "5-1", "5-1", [["alice", "1"]]]')
      expect(showReply(groups)).toBe('[["name", "g", "consumers", :1, "pending", :1, "last-delivered-id", "5-1", "entries-read", :1, "lag", :0]]')
    } finally {
      await second.stop()
    }
  })
})

describe("streams and maxmemory", () => {
  it("XADD counts toward used_memory: refused with OOM past the limit, allowed again after DEL", async () => {
    const ours = await startRedfiber()
    const client = await RawClient.connect(ours.port)
    const usedMemory = async () => Number(/used_memory:(\d+)/.exec(String((await client.call("INFO", "memory")).value))![1])
    try {
      const before = await usedMemory()
      await client.call("CONFIG", "SET", "maxmemory", String(before + 2_000_000))
      const value = "v".repeat(1000)
      let added = 0
      let refused: Reply | undefined
      for (let i = 1; i <= 10_000 && refused === undefined; i++) {
        const reply = await client.call("XADD", "s", `${i}-1`, "f", value)
        if (reply.kind === "error") refused = reply
        else added++
      }
      expect(refused).toEqual({ kind: "error", value: "OOM command not allowed when used memory > 'maxmemory'." })
      // About 1 KB an entry: the estimate neither ignores entries nor counts them many times.
      expect(added).toBeGreaterThan(1000)
      expect(added).toBeLessThan(2100)
      expect(await usedMemory()).toBeGreaterThan(before + 2_000_000)
      expect(await client.call("DEL", "s")).toEqual({ kind: "integer", value: "1" })
      expect((await usedMemory()) - before).toBeLessThan(100_000)
      expect((await client.call("XADD", "s", "1-1", "f", "v")).kind).toBe("bulk")
    } finally {
      client.close()
      await ours.stop()
    }
  })
})
