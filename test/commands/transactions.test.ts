/**
 * Transactions over TCP, byte for byte: MULTI / EXEC / DISCARD / WATCH / UNWATCH session tables
 * run against our server and real Redis 7 with the same expectations (test/support/sessions.ts),
 * then what only time can show: WATCH broken by expiry on Effect's TestClock, Redis 7.0's rules
 * for keys that had already expired when watched (on a keyspace whose clock the test holds, the
 * same scenarios checked on real Redis with active expiry off), the declarations against COMMAND
 * INFO / DOCS, and a transaction surviving a restart through the AOF.
 */
import { afterAll, describe, expect, it } from "@effect/vitest"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as TestClock from "effect/testing/TestClock"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import type { CommandContext } from "../../src/commands/Command.js"
import { executeCommand } from "../../src/commands/dispatch.js"
import { commandTable } from "../../src/commands/table.js"
import { transactionCommands } from "../../src/commands/transactions.js"
import { Keyspace } from "../../src/keyspace/Keyspace.js"
import { ReplyWriter } from "../../src/protocol/ReplyWriter.js"
import { ClientState } from "../../src/session/ClientState.js"
import { RedisServer } from "../../src/server/RedisServer.js"
import { detachedServerState } from "../../src/commands/ServerState.js"
import {
  arity,
  arr,
  bulk,
  bulks,
  err,
  int,
  nil,
  nilArray,
  NOT_INTEGER,
  ok,
  simple,
  targets,
  WRONGTYPE
} from "../support/caseTables.js"
import { describeDeclarations } from "../support/declarations.js"
import { RawClient } from "../support/RawClient.js"
import { call, closed, defineSessionSuites, type SessionCase } from "../support/sessions.js"
import { hasRealRedis, startRealRedis, startRedfiber } from "../support/servers.js"

const QUEUED = simple("QUEUED")
const EXECABORT = err("EXECABORT Transaction discarded because of previous errors.")
const SUBSCRIBED_ONLY = (name: string) =>
  `Can't execute '${name}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context`

/** Steps on connection 1. */
const on1 = (args: Array<string>, expected: Parameters<typeof call>[2]) => call(1, args, expected)

const cases: ReadonlyArray<SessionCase> = [
  ["EXEC runs the queue in order and answers every reply", (k) => [
    on1(["MULTI"], ok),
    on1(["SET", k("s"), "v"], QUEUED),
    on1(["INCR", k("n")], QUEUED),
    on1(["get", k("s")], QUEUED),
    on1(["LPUSH", k("l"), "a", "b"], QUEUED),
    on1(["EXEC"], arr(ok, int(1), bulk("v"), int(2))),
    on1(["EXEC"], err("ERR EXEC without MULTI")),
    on1(["MULTI"], ok),
    on1(["EXEC"], arr())
  ]],
  ["runtime errors stay in EXEC's array, one per command", (k) => [
    on1(["SET", k("s"), "x"], ok),
    on1(["MULTI"], ok),
    on1(["INCR", k("s")], QUEUED),
    on1(["SET", k("a"), "2"], QUEUED),
    on1(["LPUSH", k("s"), "x"], QUEUED),
    on1(["EXEC"], arr(NOT_INTEGER, ok, WRONGTYPE)),
    on1(["GET", k("a")], bulk("2"))
  ]],
  ["an unknown command or a wrong arity while queuing aborts the transaction", (k) => [
    on1(["MULTI"], ok),
    on1(["NOSUCH", "x"], err("ERR unknown command 'NOSUCH', with args beginning with: 'x' ")),
    on1(["SET", k("a"), "1"], QUEUED),
    on1(["EXEC"], EXECABORT),
    on1(["GET", k("a")], nil),
    on1(["MULTI"], ok),
    on1(["GET"], arity("get")),
    on1(["EXEC"], EXECABORT),
    on1(["MULTI"], ok),
    on1(["WATCH"], arity("watch")),
    on1(["EXEC"], EXECABORT),
    on1(["MULTI"], ok),
    on1(["DISCARD", "x"], arity("discard")),
    on1(["EXEC"], EXECABORT),
    on1(["MULTI"], ok),
    on1(["MULTI", "x"], arity("multi")),
    on1(["EXEC"], EXECABORT)
  ]],
  ["nested MULTI and WATCH inside MULTI are refused without aborting", (k) => [
    on1(["MULTI"], ok),
    on1(["MULTI"], err("ERR MULTI calls can not be nested")),
    on1(["WATCH", k("a")], err("ERR WATCH inside MULTI is not allowed")),
    on1(["SET", k("a"), "1"], QUEUED),
    on1(["EXEC"], arr(ok))
  ]],
  ["EXEC and DISCARD without MULTI; a refused EXEC discards and says why", (k) => [
    on1(["DISCARD"], err("ERR DISCARD without MULTI")),
    on1(["EXEC", "x"], err("EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' command")),
    on1(["MULTI"], ok),
    on1(["SET", k("a"), "1"], QUEUED),
    on1(["EXEC", "x"], err("EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' command")),
    on1(["EXEC"], err("ERR EXEC without MULTI")),
    on1(["GET", k("a")], nil)
  ]],
  ["DISCARD drops the queue", (k) => [
    on1(["MULTI"], ok),
    on1(["SET", k("a"), "1"], QUEUED),
    on1(["DISCARD"], ok),
    on1(["GET", k("a")], nil),
    on1(["EXEC"], err("ERR EXEC without MULTI"))
  ]],
  ["commands flagged no_multi are refused while queuing", () => [
    on1(["MULTI"], ok),
    on1(["SHUTDOWN"], err("ERR Command not allowed inside a transaction")),
    on1(["SAVE"], err("ERR Command not allowed inside a transaction")),
    on1(["EXEC"], EXECABORT)
  ]],
  ["blocking commands inside MULTI answer as a timeout would, or pop what is there", (k) => [
    on1(["RPUSH", k("full"), "x"], int(1)),
    on1(["MULTI"], ok),
    on1(["BLPOP", k("none"), "0"], QUEUED),
    on1(["BRPOP", k("none"), k("full"), "0"], QUEUED),
    on1(["BLMOVE", k("none"), k("d"), "LEFT", "RIGHT", "0"], QUEUED),
    on1(["BRPOPLPUSH", k("none"), k("d"), "0"], QUEUED),
    on1(["BLMPOP", "0", "1", k("none"), "LEFT"], QUEUED),
    on1(["BZPOPMIN", k("none"), "0"], QUEUED),
    on1(["BZMPOP", "0", "1", k("none"), "MAX"], QUEUED),
    on1(["BLPOP", k("none"), "-1"], QUEUED),
    on1(["EXEC"], arr(nilArray, bulks(k("full"), "x"), nil, nil, nilArray, nilArray, nilArray, err("ERR timeout is negative")))
  ]],
  ["SELECT inside a transaction applies to the commands after it, and stays", (k) => [
    on1(["MULTI"], ok),
    on1(["SELECT", "1"], QUEUED),
    on1(["SET", k("a"), "1"], QUEUED),
    on1(["EXEC"], arr(ok, ok)),
    on1(["GET", k("a")], bulk("1")),
    on1(["SELECT", "0"], ok),
    on1(["GET", k("a")], nil)
  ]],
  ["QUIT inside MULTI runs at once; RESET discards the transaction", (k) => [
    call(2, ["MULTI"], ok),
    call(2, ["SET", k("a"), "1"], QUEUED),
    call(2, ["RESET"], simple("RESET")),
    call(2, ["EXEC"], err("ERR EXEC without MULTI")),
    on1(["MULTI"], ok),
    on1(["SET", k("a"), "1"], QUEUED),
    on1(["QUIT"], ok),
    closed(1),
    call(2, ["GET", k("a")], nil)
  ]],
  ["SUBSCRIBE inside EXEC enters subscribed mode; then MULTI and EXEC are refused", (k) => [
    on1(["MULTI"], ok),
    on1(["SUBSCRIBE", k("ch")], QUEUED),
    on1(["GET", k("x")], QUEUED),
    on1(["EXEC"], arr(arr(bulk("subscribe"), bulk(k("ch")), int(1)), nil)),
    on1(["GET", k("x")], err(`ERR ${SUBSCRIBED_ONLY("get")}`)),
    on1(["MULTI"], err(`ERR ${SUBSCRIBED_ONLY("multi")}`)),
    on1(["EXEC"], err(`EXECABORT Transaction discarded because of: ${SUBSCRIBED_ONLY("exec")}`))
  ]],
  ["a write from another client breaks WATCH; EXEC answers the null array and runs nothing", (k) => [
    on1(["WATCH", k("a"), k("b")], ok),
    call(2, ["SET", k("b"), "2"], ok),
    on1(["MULTI"], ok),
    on1(["SET", k("c"), "1"], QUEUED),
    on1(["EXEC"], nilArray),
    on1(["GET", k("c")], nil),
    // EXEC ended the watch: the same transaction now runs.
    on1(["MULTI"], ok),
    on1(["SET", k("c"), "1"], QUEUED),
    on1(["EXEC"], arr(ok))
  ]],
  ["the client's own writes before EXEC break its WATCH too; UNWATCH and DISCARD forget it", (k) => [
    on1(["WATCH", k("a")], ok),
    on1(["INCR", k("a")], int(1)),
    on1(["MULTI"], ok),
    on1(["PING"], QUEUED),
    on1(["EXEC"], nilArray),
    on1(["WATCH", k("a")], ok),
    on1(["INCR", k("a")], int(2)),
    on1(["UNWATCH"], ok),
    on1(["MULTI"], ok),
    on1(["PING"], QUEUED),
    on1(["EXEC"], arr(simple("PONG"))),
    on1(["WATCH", k("a")], ok),
    on1(["MULTI"], ok),
    on1(["DISCARD"], ok),
    on1(["INCR", k("a")], int(3)),
    on1(["MULTI"], ok),
    on1(["PING"], QUEUED),
    on1(["EXEC"], arr(simple("PONG")))
  ]],
  ["only a change breaks WATCH: a read, a no-op delete or another database's key do not", (k) => [
    on1(["SET", k("a"), "1"], ok),
    on1(["WATCH", k("a"), k("missing")], ok),
    call(2, ["GET", k("a")], bulk("1")),
    call(2, ["DEL", k("missing")], int(0)),
    call(2, ["SELECT", "1"], ok),
    call(2, ["SET", k("a"), "other db"], ok),
    on1(["MULTI"], ok),
    on1(["PING"], QUEUED),
    on1(["EXEC"], arr(simple("PONG"))),
    // A key created and deleted again did change.
    on1(["WATCH", k("missing")], ok),
    call(3, ["SET", k("missing"), "x"], ok),
    call(3, ["DEL", k("missing")], int(1)),
    on1(["MULTI"], ok),
    on1(["PING"], QUEUED),
    on1(["EXEC"], nilArray)
  ]],
  ["FLUSHDB and FLUSHALL break WATCH on keys that exist, not on missing ones", (k) => [
    on1(["SET", k("a"), "1"], ok),
    on1(["WATCH", k("missing")], ok),
    call(2, ["FLUSHDB"], ok),
    on1(["MULTI"], ok),
    on1(["PING"], QUEUED),
    on1(["EXEC"], arr(simple("PONG"))),
    on1(["SET", k("a"), "1"], ok),
    on1(["WATCH", k("a")], ok),
    call(2, ["FLUSHALL"], ok),
    on1(["MULTI"], ok),
    on1(["PING"], QUEUED),
    on1(["EXEC"], nilArray)
  ]],
  ["SWAPDB breaks WATCH on a key that exists on either side", (k) => [
    on1(["SET", k("a"), "1"], ok),
    on1(["WATCH", k("a")], ok),
    call(2, ["SWAPDB", "0", "1"], ok),
    on1(["MULTI"], ok),
    on1(["PING"], QUEUED),
    on1(["EXEC"], nilArray),
    // k("b") exists only in database 2: swapping it into ours breaks the watch.
    call(2, ["SELECT", "2"], ok),
    call(2, ["SET", k("b"), "x"], ok),
    on1(["WATCH", k("b")], ok),
    call(2, ["SWAPDB", "0", "2"], ok),
    on1(["MULTI"], ok),
    on1(["PING"], QUEUED),
    on1(["EXEC"], nilArray),
    // Databases 3 and 4 are not ours.
    on1(["WATCH", k("b")], ok),
    call(2, ["SWAPDB", "3", "4"], ok),
    on1(["MULTI"], ok),
    on1(["PING"], QUEUED),
    on1(["EXEC"], arr(simple("PONG")))
  ]],
  ["a watched key that expires before EXEC breaks it", (k) => [
    on1(["SET", k("a"), "1", "PX", "30"], ok),
    on1(["WATCH", k("a")], ok),
    { kind: "sleep", ms: 80 },
    on1(["MULTI"], ok),
    on1(["PING"], QUEUED),
    on1(["EXEC"], nilArray)
  ]]
]

defineSessionSuites("transactions", cases)

describeDeclarations("transaction declarations", transactionCommands)

/** CLIENT INFO's fields as a map. */
const clientInfo = async (client: RawClient): Promise<Map<string, string>> => {
  const reply = await client.call("CLIENT", "INFO")
  return new Map(String(reply.value).trim().split(" ").map((pair) => {
    const eq = pair.indexOf("=")
    return [pair.slice(0, eq), pair.slice(eq + 1)] as const
  }))
}

describe("transaction state in CLIENT INFO", () => {
  for (const [name, start] of targets) {
    it(`flags x and d, multi= and multi-mem= (${name})`, async () => {
      const running = await start()
      const [client, other] = [await RawClient.connect(running.port), await RawClient.connect(running.port)]
      try {
        const pick = (info: Map<string, string>) => [info.get("flags"), info.get("multi"), info.get("multi-mem")]
        expect(pick(await clientInfo(client))).toEqual(["N", "-1", "0"])
        await client.call("WATCH", "w")
        await other.call("SET", "w", "1")
        expect(pick(await clientInfo(client))).toEqual(["d", "-1", "0"])
        await client.call("MULTI")
        await client.call("SET", "a", "1")
        // Queued commands of a doomed transaction are not kept.
        expect((await client.call("CLIENT", "INFO")).value).toBe("QUEUED")
        await client.call("DISCARD")
        await client.call("MULTI")
        await client.call("SET", "a", "1")
        const inside = await client.call("EXEC")
        expect(inside).toEqual(arr(ok))
        await client.call("MULTI")
        await client.call("SET", "abc", "12345")
        await client.call("CLIENT", "INFO")
        const exec = await client.call("EXEC")
        const line = exec.kind === "array" ? String(exec.value?.[1]?.value) : ""
        const fields = new Map(line.trim().split(" ").map((pair) => [pair.split("=")[0], pair.split("=")[1]] as const))
        // SET abc 12345 (3+3+5 bytes and 3 pointers) and CLIENT INFO (6+4 bytes and 2 pointers).
        expect([fields.get("flags"), fields.get("multi"), fields.get("multi-mem"), fields.get("cmd")]).toEqual(["x", "2", "61", "exec"])
      } finally {
        client.close()
        other.close()
        await running.stop()
      }
    })
  }
})

describe("WATCH and expiry on Effect's Clock", () => {
  it.effect("a watched key whose time passes before EXEC breaks it; one that does not, does not", () =>
    Effect.gen(function*() {
      const context = yield* Layer.build(RedisServer.layerWithDb({ port: 0 }))
      const server = Context.get(context, RedisServer)
      const client = yield* Effect.acquireRelease(
        Effect.promise(() => RawClient.connect(server.address.port)),
        (c) => Effect.sync(() => c.close())
      )
      const run = (...args: Array<string>) => Effect.promise(() => client.call(...args))
      expect(yield* run("SET", "k", "v", "PX", "1000")).toEqual(ok)
      expect(yield* run("WATCH", "k")).toEqual(ok)
      yield* TestClock.adjust("999 millis")
      expect(yield* run("MULTI")).toEqual(ok)
      expect(yield* run("GET", "k")).toEqual(QUEUED)
      expect(yield* run("EXEC")).toEqual(arr(bulk("v")))

      expect(yield* run("WATCH", "k")).toEqual(ok)
      expect(yield* run("MULTI")).toEqual(ok)
      expect(yield* run("GET", "k")).toEqual(QUEUED)
      yield* TestClock.adjust("1 millis")
      expect(yield* run("EXEC")).toEqual(nilArray)
    }))
})

/**
 * Redis 7.0's rules for a key that had already expired when WATCH ran (stored, its time passed):
 * it counts as missing, so expiry removing it is no change, while a write to it is. Our side runs
 * on a keyspace whose clock the test holds (no active expiry); real Redis runs the same scenarios
 * with active expiry off and real time, and must agree.
 */
type Scenario = readonly [name: string, setup: ReadonlyArray<ReadonlyArray<string>>, afterWatch: ReadonlyArray<ReadonlyArray<string>>, execRuns: boolean]

const EXPIRED_SCENARIOS: ReadonlyArray<Scenario> = [
  ["expired when watched, nothing else", [["SET", "k", "v", "PX", "20"]], [], true],
  ["expired when watched, then read (which removes it)", [["SET", "k", "v", "PX", "20"]], [["GET", "k"]], true],
  ["expired when watched, then written", [["SET", "k", "v", "PX", "20"]], [["SET", "k", "new"]], false],
  ["expired when watched, then removed by a read and written", [["SET", "k", "v", "PX", "20"]], [["GET", "k"], ["SET", "k", "2"]], false],
  ["expired when watched, then deleted", [["SET", "k", "v", "PX", "20"]], [["DEL", "k"]], true],
  ["expired when watched, then FLUSHDB", [["SET", "k", "v", "PX", "20"]], [["FLUSHDB"]], true],
  ["expired when watched, then swapped with an empty database", [["SET", "k", "v", "PX", "20"]], [["SWAPDB", "0", "1"]], true],
  ["missing when watched, an expired one swapped in", [["SELECT", "1"], ["SET", "k", "v", "PX", "20"], ["SELECT", "0"]], [["SWAPDB", "0", "1"]], true],
  ["live when watched, then FLUSHDB", [["SET", "k", "v"]], [["FLUSHDB"]], false]
]

const execOutcome = (reply: { kind: string; value: unknown }): boolean => reply.kind === "array" && reply.value !== null

describe("WATCH of keys that had already expired", () => {
  it("on a keyspace whose clock the test holds", () => {
    for (const [name, setup, afterWatch, execRuns] of EXPIRED_SCENARIOS) {
      const keyspace = new Keyspace(16)
      const out = new ReplyWriter()
      const ctx: CommandContext = {
        keyspace,
        db: keyspace.databases[0],
        now: 1_000_000,
        out,
        client: new ClientState(1, "127.0.0.1:1", "127.0.0.1:2", 0, () => {}),
        server: detachedServerState(commandTable)
      }
      const run = (argv: ReadonlyArray<string>) => {
        executeCommand(ctx, argv)
        return out.take().toString("latin1")
      }
      for (const argv of setup) run(argv)
      ctx.now += 100
      run(["WATCH", "k"])
      for (const argv of afterWatch) run(argv)
      run(["MULTI"])
      run(["PING"])
      expect([name, run(["EXEC"])]).toEqual([name, execRuns ? "*1\r\n+PONG\r\n" : "*-1\r\n"])
    }
  })

  it.skipIf(!hasRealRedis)("on real Redis with active expiry off (the oracle for the table)", async () => {
    const running = await startRealRedis(["--enable-debug-command", "yes"])
    const client = await RawClient.connect(running.port)
    try {
      expect(await client.call("DEBUG", "SET-ACTIVE-EXPIRE", "0")).toEqual(ok)
      for (const [name, setup, afterWatch, execRuns] of EXPIRED_SCENARIOS) {
        await client.call("FLUSHALL")
        for (const argv of setup) await client.call(...argv)
        await new Promise((resolve) => setTimeout(resolve, 60))
        await client.call("WATCH", "k")
        for (const argv of afterWatch) await client.call(...argv)
        await client.call("MULTI")
        await client.call("PING")
        expect([name, execOutcome(await client.call("EXEC"))]).toEqual([name, execRuns])
      }
    } finally {
      client.close()
      await running.stop()
    }
  })
})

describe("transactions when writes are refused (MISCONF)", () => {
  it("a refused write dooms the transaction; an EXEC that would write is refused itself, and says why", () => {
    const keyspace = new Keyspace(16)
    const out = new ReplyWriter()
    const server = detachedServerState(commandTable)
    const ctx: CommandContext = {
      keyspace,
      db: keyspace.databases[0],
      now: 1_000_000,
      out,
      client: new ClientState(1, "127.0.0.1:1", "127.0.0.1:2", 0, () => {}),
      server
    }
    const run = (...argv: Array<string>) => {
      executeCommand(ctx, argv)
      return out.take().toString("latin1")
    }
    const MISCONF = "MISCONF Errors writing to the AOF file: No space left on device"
    server.writesRefused = MISCONF
    expect([run("MULTI"), run("SET", "a", "1"), run("GET", "a"), run("EXEC")]).toEqual([
      "+OK\r\n",
      `-${MISCONF}\r\n`,
      "+QUEUED\r\n",
      "-EXECABORT Transaction discarded because of previous errors.\r\n"
    ])
    // Only reads queued: EXEC runs.
    expect([run("MULTI"), run("GET", "a"), run("EXEC")]).toEqual(["+OK\r\n", "+QUEUED\r\n", "*1\r\n$-1\r\n"])
    // A write queued before the refusals began: EXEC itself is refused, and the transaction is gone.
    server.writesRefused = undefined
    expect([run("MULTI"), run("SET", "a", "1")]).toEqual(["+OK\r\n", "+QUEUED\r\n"])
    server.writesRefused = MISCONF
    expect([run("EXEC"), run("EXEC")]).toEqual([
      `-EXECABORT Transaction discarded because of: ${MISCONF}\r\n`,
      "-ERR EXEC without MULTI\r\n"
    ])
  })
})

describe("transactions in the append-only file", () => {
  const dirs: Array<string> = []
  afterAll(() => {
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true })
  })

  it("a MULTI/EXEC that wrote is logged between MULTI and EXEC and replays after a restart", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "redfiber-tx-aof-"))
    dirs.push(dir)
    const first = await startRedfiber({ dir, appendonly: "yes" })
    const client = await RawClient.connect(first.port)
    for (const argv of [["MULTI"], ["SET", "a", "1"], ["SELECT", "3"], ["RPUSH", "l", "x", "y"], ["INCR", "a"], ["EXEC"]]) {
      await client.call(...argv)
    }
    // A transaction that only reads logs nothing.
    for (const argv of [["MULTI"], ["GET", "a"], ["EXEC"]]) await client.call(...argv)
    client.close()
    await first.stop()

    const logged = fs.readFileSync(path.join(dir, "appendonly.aof"), "latin1")
    const commands = logged.split("\r\n").filter((line) => /^[A-Za-z]/.test(line))
    expect(commands).toEqual(["SELECT", "MULTI", "SET", "a", "SELECT", "RPUSH", "l", "x", "y", "INCR", "a", "EXEC"])

    const second = await startRedfiber({ dir, appendonly: "yes" })
    const check = await RawClient.connect(second.port)
    try {
      expect(await check.call("GET", "a")).toEqual(bulk("1"))
      expect(await check.call("SELECT", "3")).toEqual(ok)
      expect(await check.call("LRANGE", "l", "0", "-1")).toEqual(bulks("x", "y"))
      // INCR ran after SELECT 3: database 3 has its own a.
      expect(await check.call("GET", "a")).toEqual(bulk("1"))
    } finally {
      check.close()
      await second.stop()
    }
  })
})
