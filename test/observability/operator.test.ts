/**
 * The operator's surface over TCP: MONITOR's lines and SLOWLOG's entries against real Redis 7
 * (timestamps, ids, durations and client ports masked), INFO's field names per section against
 * Redis's, CLIENT REPLY, ioredis's monitor(), DEBUG behind enable-debug-command, and what runs
 * on Effect's TestClock: CLIENT PAUSE (commands held, expiry paused) and WAIT's timeout.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import * as TestClock from "effect/testing/TestClock"
import { Redis } from "ioredis"
import { RedisServer } from "../../src/server/RedisServer.js"
import { bulk, err, int, nil, ok, simple } from "../support/caseTables.js"
import { RawClient } from "../support/RawClient.js"
import type { Reply } from "../support/RespReader.js"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { hasRealRedis, type RunningServer, startRealRedis, startRedfiber } from "../support/servers.js"

const text = (reply: Reply): string => (reply.kind === "bulk" || reply.kind === "simple" ? reply.value ?? "" : "")

/** Runs `commands` from a fresh client while another one monitors; the lines it saw, masked. */
const monitorLines = async (port: number, commands: ReadonlyArray<ReadonlyArray<string>>): Promise<Array<string>> => {
  const monitor = await RawClient.connect(port)
  const client = await RawClient.connect(port)
  try {
    expect(await monitor.call("MONITOR")).toEqual(ok)
    for (const argv of commands) await client.call(...argv)
    await client.call("ECHO", "end-of-test")
    const lines: Array<string> = []
    for (;;) {
      const line = text(await monitor.read())
      lines.push(line.replace(/^\d+\.\d{6} \[(\d+) [^\]]+\]/, "T [$1 addr]"))
      if (line.includes("end-of-test")) return lines
    }
  } finally {
    monitor.close()
    client.close()
  }
}

const MONITORED: ReadonlyArray<ReadonlyArray<string>> = [
  ["SET", "a b", "x\"y\\z\x01\xff\n\r\t"],
  ["AUTH", "nobody", "secret"],
  ["HELLO", "2", "AUTH", "user", "pass", "SETNAME", "nm"],
  ["CONFIG", "GET", "port"],
  ["NOSUCHCOMMAND"],
  ["GET"],
  ["SELECT", "3"],
  ["PING"],
  ["MULTI"],
  ["SET", "k", "v"],
  ["INCR", "k"],
  ["EXEC"],
  ["SELECT", "0"],
  ["CLIENT", "LIST"],
  ["INFO", "server"]
]

/** SLOWLOG GET's entries with id, time, duration and the client's port masked. */
const slowlogEntries = async (port: number): Promise<unknown> => {
  const client = await RawClient.connect(port)
  try {
    await client.call("CONFIG", "SET", "slowlog-log-slower-than", "0")
    await client.call("SLOWLOG", "RESET")
    await client.call("CLIENT", "SETNAME", "slow-client")
    await client.call("RPUSH", "list", ...Array.from({ length: 40 }, (_, i) => String(i)))
    await client.call("SET", "long", "y".repeat(300))
    await client.call("AUTH", "someone", "secret")
    const reply = await client.call("SLOWLOG", "GET", "4")
    await client.call("CONFIG", "SET", "slowlog-log-slower-than", "10000")
    if (reply.kind !== "array" || reply.value === null) return reply
    return reply.value.map((entry) => {
      const fields = entry.value as ReadonlyArray<Reply>
      return [fields[3], text(fields[4]).replace(/:\d+$/, ":port"), fields[5], fields.slice(0, 3).map((f) => f.kind)]
    })
  } finally {
    client.close()
  }
}

/** INFO everything as section title → field names. */
const infoFieldNames = async (port: number): Promise<Map<string, Array<string>>> => {
  const client = await RawClient.connect(port)
  try {
    const sections = new Map<string, Array<string>>()
    let current: Array<string> = []
    for (const line of text(await client.call("INFO", "everything")).split("\r\n")) {
      if (line.startsWith("# ")) sections.set(line.slice(2), (current = []))
      else if (line !== "") current.push(line.slice(0, line.indexOf(":")))
    }
    return sections
  } finally {
    client.close()
  }
}

describe.skipIf(!hasRealRedis)("observability against real Redis 7", () => {
  let ours: RunningServer
  let redis: RunningServer
  beforeAll(async () => {
    ;[ours, redis] = await Promise.all([startRedfiber(), startRealRedis()])
  })
  afterAll(async () => {
    await Promise.all([ours?.stop(), redis?.stop()])
  })

  it("MONITOR prints what Redis prints: quoting, redacted passwords, admin commands left out, EXEC's commands", async () => {
    const [mine, theirs] = [await monitorLines(ours.port, MONITORED), await monitorLines(redis.port, MONITORED)]
    expect(mine).toEqual(theirs)
    expect(mine).toContain('T [0 addr] "HELLO" "2" "AUTH" "(redacted)" "(redacted)" "SETNAME" "nm"')
  })

  it("a MONITOR client: its own commands, no keyspace access, a second MONITOR ignored, RESET ends it", async () => {
    const script = ["MONITOR", "MONITOR", "PING", "SET a 1", "GET a", "RESET", "PING", "MULTI", "MONITOR", "EXEC"]
      .map((command) => `${command}\r\n`).join("")
    const run = async (port: number) => {
      const client = await RawClient.connect(port)
      try {
        client.write(script)
        const replies: Array<string> = []
        for (let i = 0; i < 10; i++) {
          const reply = await client.read()
          replies.push(reply.kind === "array" ? JSON.stringify(reply) : `${reply.kind} ${text(reply) || reply.value}`)
        }
        return replies.map((line) => line.replace(/^simple \d+\.\d{6} \[0 [^\]]+\]/, "simple T"))
      } finally {
        client.close()
      }
    }
    expect(await run(ours.port)).toEqual(await run(redis.port))
  })

  it("SLOWLOG keeps 32 arguments, 128 bytes of each, the client's name and redacted passwords", async () => {
    const mine = await slowlogEntries(ours.port)
    expect(mine).toEqual(await slowlogEntries(redis.port))
    expect(JSON.stringify(mine)).toContain("... (11 more arguments)")
  })

  it("INFO everything has Redis's sections and field names (commandstats, errorstats, latencystats too)", async () => {
    // The same commands on both, so the per-command sections name the same commands.
    for (const port of [ours.port, redis.port]) {
      const client = await RawClient.connect(port)
      await client.call("CONFIG", "RESETSTAT")
      await client.call("SET", "k", "v")
      await client.call("GET", "k")
      await client.call("LPUSH", "k", "x")
      await client.call("GET")
      await client.call("NOSUCH")
      await client.call("SET", "k", "v", "XX", "NX")
      client.close()
    }
    const [mine, theirs] = [await infoFieldNames(ours.port), await infoFieldNames(redis.port)]
    expect([...mine.keys()]).toEqual([...theirs.keys()])
    for (const [section, names] of theirs) {
      const own = mine.get(section)!.filter((name) => name !== "redfiber_version")
      if (section === "Keyspace") continue
      expect([section, [...own].sort()]).toEqual([section, [...names].sort()])
    }
  })

  it("CLIENT REPLY OFF and SKIP drop replies as Redis does", async () => {
    const run = async (port: number) => {
      const client = await RawClient.connect(port)
      try {
        client.write(
          "CLIENT REPLY OFF\r\nPING a\r\nSET k v\r\nCLIENT REPLY SKIP\r\nCLIENT REPLY ON\r\nGET k\r\n" +
            "CLIENT REPLY SKIP\r\nPING b\r\nPING c\r\nCLIENT REPLY OFF\r\nCLIENT REPLY SKIP\r\nCLIENT REPLY ON\r\nPING d\r\n"
        )
        return [await client.read(), await client.read(), await client.read(), await client.read(), await client.read()]
      } finally {
        client.close()
      }
    }
    const mine = await run(ours.port)
    expect(mine).toEqual([ok, bulk("v"), bulk("c"), ok, bulk("d")])
    expect(await run(redis.port)).toEqual(mine)
  })

  it("CLIENT REPLY OFF and SKIP also drop a blocked command's later reply and MONITOR lines, as Redis does", async () => {
    const run = async (port: number) => {
      const [client, other, monitor] = await Promise.all([1, 2, 3].map(() => RawClient.connect(port)))
      const blockedClients = async () => /blocked_clients:(\d+)/.exec(text(await other.call("INFO", "clients")))![1]
      const untilBlocked = async () => {
        while (await blockedClients() !== "1") await new Promise((resolve) => setTimeout(resolve, 5))
      }
      const seen: Array<string> = []
      const record = (reply: Reply) => seen.push(text(reply).replace(/^\d+\.\d{6} \[(\d+) [^\]]+\]/, "T") || JSON.stringify(reply))
      try {
        await other.call("DEL", "q1", "q2")
        // OFF: served by a later push, then timed out.
        client.write("CLIENT REPLY OFF\r\nBLPOP q1 0\r\n")
        await untilBlocked()
        await other.call("LPUSH", "q1", "a")
        client.write("BLPOP q3 0.01\r\n")
        // Its 10 ms may pass before a poll sees it blocked: wait until it has run and timed out.
        const bothRan = async () => /cmdstat_blpop:calls=2,/.test(text(await other.call("INFO", "commandstats")))
        while (!(await bothRan()) || await blockedClients() !== "0") await new Promise((resolve) => setTimeout(resolve, 5))
        record(await client.call("CLIENT", "REPLY", "ON"))
        // SKIP: the reply skipped is the blocked command's, sent when a push serves it.
        client.write("CLIENT REPLY SKIP\r\nBLPOP q2 0\r\n")
        await untilBlocked()
        await other.call("LPUSH", "q2", "b")
        record(await client.call("ECHO", "after-skip"))
        // A monitor's lines: none while OFF, none while SKIP is in force (up to its next command's end).
        record(await monitor.call("MONITOR"))
        monitor.send("CLIENT", "REPLY", "OFF")
        await other.call("SET", "k", "off")
        record(await monitor.call("CLIENT", "REPLY", "ON"))
        record(await monitor.read())
        monitor.send("CLIENT", "REPLY", "SKIP")
        record(await monitor.read())
        await other.call("SET", "k", "skipped")
        // The next SET must come after the PING has run (SKIP is in force until then): wait for it,
        // with CLIENT LIST (an admin command: monitors do not see it).
        monitor.send("PING")
        const pinged = async () => /flags=O .* cmd=ping /.test(text(await other.call("CLIENT", "LIST")))
        while (!(await pinged())) await new Promise((resolve) => setTimeout(resolve, 5))
        await other.call("SET", "k", "seen")
        record(await monitor.read())
        return seen
      } finally {
        for (const each of [client, other, monitor]) each.close()
      }
    }
    const mine = await run(ours.port)
    expect(mine).toEqual(await run(redis.port))
    expect(mine).toEqual(["OK", "after-skip", "OK", "OK", 'T "CLIENT" "REPLY" "ON"', 'T "CLIENT" "REPLY" "SKIP"', 'T "SET" "k" "seen"'])
  })
})

describe("ioredis", () => {
  it("monitor() receives other clients' commands with their arguments and database", async () => {
    const server = await startRedfiber()
    const client = new Redis({ port: server.port, lazyConnect: true })
    const watcher = new Redis({ port: server.port, lazyConnect: true })
    try {
      await Promise.all([client.connect(), watcher.connect()])
      const monitor = await watcher.monitor()
      const seen: Array<{ args: Array<string>; source: string; database: string }> = []
      const done = new Promise<void>((resolve) => {
        monitor.on("monitor", (_time: string, args: Array<string>, source: string, database: string) => {
          seen.push({ args, source, database })
          if (args[0] === "get") resolve()
        })
      })
      await client.set("greeting", "hello world")
      await client.get("greeting")
      await done
      expect(seen.map((entry) => entry.args)).toEqual(expect.arrayContaining([["set", "greeting", "hello world"], ["get", "greeting"]]))
      expect(seen.every((entry) => entry.database === "0" && /^127\.0\.0\.1:\d+$/.test(entry.source))).toBe(true)
      monitor.disconnect()
    } finally {
      client.disconnect()
      watcher.disconnect()
      await server.stop()
    }
  })
})

describe("DEBUG behind enable-debug-command", () => {
  it("is refused by default with Redis's text, and runs when enabled", async () => {
    const refusing = await startRedfiber()
    const allowing = await startRedfiber({ enableDebugCommand: "yes" })
    try {
      const a = await RawClient.connect(refusing.port)
      expect(await a.call("DEBUG", "SLEEP", "0")).toEqual(err(
        "ERR DEBUG command not allowed. If the enable-debug-command option is set to \"local\", you can run it from a " +
          "local connection, otherwise you need to set this option in the configuration file, and then restart the server."
      ))
      expect(await a.call("CONFIG", "GET", "enable-debug-command")).toMatchObject({ value: [bulk("enable-debug-command"), bulk("no")] })
      a.close()
      const b = await RawClient.connect(allowing.port)
      expect(await b.call("DEBUG", "SLEEP", "0")).toEqual(ok)
      const replid = (await b.call("INFO", "replication")).value as string
      expect(await b.call("DEBUG", "CHANGE-REPL-ID")).toEqual(ok)
      expect((await b.call("INFO", "replication")).value).not.toEqual(replid)
      expect(await b.call("DEBUG", "SET-ACTIVE-EXPIRE", "0")).toEqual(ok)
      expect(allowing.db).toBeDefined()
      const help = await b.call("DEBUG", "HELP")
      expect(JSON.stringify(help)).toContain("SET-ACTIVE-EXPIRE <0|1>")
      expect(await b.call("DEBUG", "JMAP")).toEqual(
        err("ERR unknown subcommand or wrong number of arguments for 'JMAP'. Try DEBUG HELP.")
      )
      b.close()
    } finally {
      await Promise.all([refusing.stop(), allowing.stop()])
    }
  })
})

describe("on Effect's TestClock", () => {
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

  /** Whether a reply is waiting on `client` (nothing arrives between TestClock steps by itself). */
  const nothingYet = (client: RawClient) =>
    Effect.promise(async () => {
      await new Promise((resolve) => setTimeout(resolve, 30))
      return client.pending.length === 0
    })

  it.effect("CLIENT PAUSE WRITE holds writes (and what follows them) until it ends; reads go on", () =>
    withServer((call, connect) =>
      Effect.gen(function*() {
        const [admin, writer, reader] = [yield* connect, yield* connect, yield* connect]
        expect(yield* call(admin, "CLIENT", "PAUSE", "1000", "WRITE")).toEqual(ok)
        writer.send("SET", "k", "v")
        writer.send("PING")
        expect(yield* call(reader, "GET", "k")).toEqual(nil)
        expect(text(yield* call(reader, "INFO", "clients"))).toContain("blocked_clients:1\r\n")
        reader.send("PUBLISH", "c", "m")
        expect(yield* nothingYet(reader)).toBe(true)
        yield* TestClock.adjust("999 millis")
        expect(yield* nothingYet(writer)).toBe(true)
        yield* TestClock.adjust("1 millis")
        expect(yield* Effect.promise(() => writer.read())).toEqual(ok)
        expect(yield* Effect.promise(() => writer.read())).toEqual(simple("PONG"))
        expect(yield* Effect.promise(() => reader.read())).toEqual(int(0))
        expect(yield* call(reader, "GET", "k")).toEqual(bulk("v"))
      })
    ))

  it.effect("CLIENT PAUSE ALL holds every command, CLIENT UNPAUSE from another client lifts it", () =>
    withServer((call, connect) =>
      Effect.gen(function*() {
        const [admin, other, lifter] = [yield* connect, yield* connect, yield* connect]
        expect(yield* call(admin, "CLIENT", "PAUSE", "5000")).toEqual(ok)
        other.send("GET", "k")
        yield* TestClock.adjust("100 millis")
        expect(yield* nothingYet(other)).toBe(true)
        // Under ALL every client waits, whatever it sends (CLIENT UNPAUSE too, as in Redis).
        lifter.send("CLIENT", "LIST")
        expect(yield* nothingYet(lifter)).toBe(true)
        yield* TestClock.adjust("4900 millis")
        expect(yield* Effect.promise(() => other.read())).toEqual(nil)
        expect((yield* Effect.promise(() => lifter.read())).kind).toBe("bulk")
        expect(yield* call(admin, "CLIENT", "PAUSE", "5000", "WRITE")).toEqual(ok)
        other.send("SET", "k", "v")
        yield* TestClock.adjust("10 millis")
        expect(yield* nothingYet(other)).toBe(true)
        expect(yield* call(lifter, "CLIENT", "UNPAUSE")).toEqual(ok)
        expect(yield* Effect.promise(() => other.read())).toEqual(ok)
      })
    ))

  it.effect("while paused, a key past its time reads as missing but is not deleted", () =>
    withServer((call, connect) =>
      Effect.gen(function*() {
        const [admin] = [yield* connect]
        expect(yield* call(admin, "SET", "x", "1", "PX", "100")).toEqual(ok)
        expect(yield* call(admin, "CLIENT", "PAUSE", "1000", "WRITE")).toEqual(ok)
        yield* TestClock.adjust("500 millis")
        expect(yield* call(admin, "GET", "x")).toEqual(nil)
        expect(yield* call(admin, "DBSIZE")).toEqual(int(1))
        yield* TestClock.adjust("600 millis")
        expect(yield* call(admin, "GET", "x")).toEqual(nil)
        expect(yield* call(admin, "DBSIZE")).toEqual(int(0))
      })
    ))

  it.effect("WAIT with replicas wanted answers 0 at its timeout; with none, at once", () =>
    withServer((call, connect) =>
      Effect.gen(function*() {
        const [client, other] = [yield* connect, yield* connect]
        expect(yield* call(other, "WAIT", "0", "1000")).toEqual(int(0))
        client.send("WAIT", "1", "100")
        yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 30)))
        yield* TestClock.adjust("99 millis")
        expect(yield* nothingYet(client)).toBe(true)
        yield* TestClock.adjust("1 millis")
        expect(yield* Effect.promise(() => client.read())).toEqual(int(0))
      })
    ))
})

describe.skipIf(!hasRealRedis)("DEBUG DIGEST against real Redis 7", () => {
  it("gives Redis's digests for the same data in every type, with TTLs and several databases", async () => {
    const ourServer = await startRedfiber({ enableDebugCommand: "yes" })
    const realServer = await startRealRedis(["--enable-debug-command", "yes"])
    try {
      const digests = async (port: number) => {
        const client = await RawClient.connect(port)
        const seen: Array<Reply> = [await client.call("DEBUG", "DIGEST")]
        await client.call("SET", "s", "hello\x00\xff")
        await client.call("SET", "n", "12345")
        await client.call("RPUSH", "l", "a", "b", "7")
        await client.call("SADD", "is", "1", "2", "3")
        await client.call("SADD", "hs", "x", "y")
        await client.call("ZADD", "z", "1.5", "a", "0.1", "b", "3", "c", "-inf", "d", "1e21", "e")
        await client.call("HSET", "h", "f", "v", "g", "w")
        await client.call("SET", "t", "v", "EX", "1000")
        await client.call("SELECT", "2")
        await client.call("SET", "s", "other db")
        seen.push(await client.call("DEBUG", "DIGEST"))
        await client.call("SELECT", "0")
        seen.push(await client.call("DEBUG", "DIGEST-VALUE", "s", "n", "l", "is", "hs", "z", "h", "t", "missing"))
        client.close()
        return seen
      }
      const mine = await digests(ourServer.port)
      expect(mine[0]).toEqual(simple("0".repeat(40)))
      expect(mine).toEqual(await digests(realServer.port))
    } finally {
      await Promise.all([ourServer.stop(), realServer.stop()])
    }
  })
})

describe.skipIf(!hasRealRedis)("DEBUG RELOAD against real Redis 7", () => {
  it("saves, empties and loads back (NOSAVE, NOFLUSH MERGE, bad options) with the same data as Redis", async () => {
    const realDir = fs.mkdtempSync(path.join(os.tmpdir(), "redfiber-reload-"))
    const ourServer = await startRedfiber({ enableDebugCommand: "yes" })
    const realServer = await startRealRedis(["--enable-debug-command", "yes", "--dir", realDir])
    try {
      const run = async (port: number) => {
        const client = await RawClient.connect(port)
        const seen: Array<Reply> = []
        await client.call("SET", "s", "hello\x00\xff")
        await client.call("SET", "n", "12345")
        await client.call("RPUSH", "l", "a", "b", "7")
        await client.call("SADD", "is", "1", "2", "3")
        await client.call("ZADD", "z", "1.5", "a", "0.1", "b", "-inf", "d")
        await client.call("HSET", "h", "f", "v", "g", "w")
        await client.call("SET", "t", "v", "EX", "1000")
        await client.call("SELECT", "2")
        await client.call("SET", "s", "other db")
        await client.call("SELECT", "0")
        seen.push(await client.call("DEBUG", "DIGEST"))
        seen.push(await client.call("DEBUG", "RELOAD"))
        seen.push(await client.call("DEBUG", "DIGEST"))
        seen.push(await client.call("DBSIZE"))
        seen.push(await client.call("OBJECT", "ENCODING", "z"))
        seen.push(await client.call("TTL", "t"))
        // NOSAVE: back to the file's content.
        await client.call("SET", "later", "1")
        await client.call("DEL", "s")
        seen.push(await client.call("DEBUG", "RELOAD", "NOSAVE"))
        seen.push(await client.call("EXISTS", "later", "s"))
        seen.push(await client.call("DEBUG", "DIGEST"))
        // NOSAVE NOFLUSH MERGE: the file's keys over the current ones.
        await client.call("SET", "s", "changed")
        await client.call("SET", "later", "2")
        seen.push(await client.call("DEBUG", "RELOAD", "nosave", "noflush", "merge"))
        seen.push(await client.call("MGET", "s", "later"))
        seen.push(await client.call("DEBUG", "RELOAD", "NOSAVE", "BAD"))
        seen.push(await client.call("DEBUG", "RELOAD", "x"))
        client.close()
        return seen
      }
      const mine = await run(ourServer.port)
      expect(mine[1]).toEqual(ok)
      expect(mine).toEqual(await run(realServer.port))
    } finally {
      await Promise.all([ourServer.stop(), realServer.stop()])
      fs.rmSync(realDir, { recursive: true, force: true })
    }
  })
})
