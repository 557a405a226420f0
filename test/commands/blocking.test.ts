/**
 * The blocking commands over TCP, byte for byte: session tables with several connections run
 * against our server and real Redis 7 with the same expectations (who is served, in what order,
 * with what reply, what stays in the keys), then what needs our server alone: timeouts on
 * Effect's TestClock, shutdown with blocked clients, and served pops surviving a restart through
 * the AOF (logged as the pops they were, never as the blocking commands).
 */
import { afterAll, describe, expect, it } from "@effect/vitest"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import * as TestClock from "effect/testing/TestClock"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { blockingCommands } from "../../src/commands/blocking.js"
import { timeoutMillis } from "../../src/commands/blocking/timeout.js"
import { parseLongDouble } from "../../src/commands/strings/long-double.js"
import { RedisServer } from "../../src/server/RedisServer.js"
import {
  arr,
  arity,
  bulk,
  bulks,
  err,
  int,
  nil,
  nilArray,
  ok,
  simple,
  SYNTAX,
  targets,
  WRONGTYPE
} from "../support/caseTables.js"
import { describeDeclarations } from "../support/declarations.js"
import { RawClient } from "../support/RawClient.js"
import type { Reply } from "../support/RespReader.js"
import {
  blockedClients,
  call,
  closed,
  defineSessionSuites,
  disconnect,
  reply,
  send,
  type SessionCase,
  skipReply
} from "../support/sessions.js"
import { startRedfiber } from "../support/servers.js"

const QUEUED = simple("QUEUED")
const on1 = (args: Array<string>, expected: Reply) => call(1, args, expected)
const pushed = (key: string, element: string) => bulks(key, element)
const double = (value: string): Reply => ({ kind: "double", value })
const nullReply: Reply = { kind: "null", value: null }

const cases: ReadonlyArray<SessionCase> = [
  ["with a list there, BLPOP and BRPOP pop at once from the first key holding one", (k) => [
    on1(["RPUSH", k("b"), "1", "2", "3"], int(3)),
    on1(["BLPOP", k("none"), k("b"), "0"], pushed(k("b"), "1")),
    on1(["BRPOP", k("b"), "0.5"], pushed(k("b"), "3")),
    on1(["SET", k("s"), "x"], ok),
    on1(["BLPOP", k("none"), k("s"), k("b"), "0"], WRONGTYPE),
    on1(["BLPOP", k("b"), k("s"), "0"], pushed(k("b"), "2")),
    on1(["EXISTS", k("b")], int(0))
  ]],
  ["timeouts are read like Redis 7.0 reads them, before the keys", (k) => [
    on1(["SET", k("s"), "x"], ok),
    on1(["BLPOP", k("s"), "-1"], err("ERR timeout is negative")),
    on1(["BLPOP", k("s"), "abc"], err("ERR timeout is not a float or out of range")),
    on1(["BLPOP", k("s"), "nan"], err("ERR timeout is not a float or out of range")),
    on1(["BLPOP", k("s"), " 1"], err("ERR timeout is not a float or out of range")),
    on1(["BLPOP", k("s"), ""], err("ERR timeout is not a float or out of range")),
    on1(["BLPOP", k("s"), "inf"], err("ERR timeout is negative")),
    on1(["BLPOP", k("s"), "1e30"], err("ERR timeout is negative")),
    on1(["BLPOP", k("s"), "9223372036854775.808"], err("ERR timeout is negative")),
    on1(["BLPOP", k("s"), "-0.0004"], WRONGTYPE),
    on1(["BLPOP", k("s"), "0x10"], WRONGTYPE),
    on1(["BLPOP", k("s"), "1e-400"], WRONGTYPE),
    on1(["BZPOPMIN", k("s"), "-1"], err("ERR timeout is negative")),
    on1(["BZPOPMIN", k("s"), "1"], WRONGTYPE),
    on1(["BRPOPLPUSH", k("s"), k("d"), "x"], err("ERR timeout is not a float or out of range")),
    on1(["BLPOP", k("s")], arity("blpop")),
    on1(["BLMOVE", k("s"), k("d"), "UP", "LEFT", "x"], SYNTAX),
    on1(["BLMOVE", k("s"), k("d"), "LEFT", "DOWN", "x"], SYNTAX),
    on1(["BLMOVE", k("s"), k("d"), "LEFT", "RIGHT", "x"], err("ERR timeout is not a float or out of range")),
    on1(["BLMOVE", k("s"), k("d"), "left", "right", "1"], WRONGTYPE)
  ]],
  ["BLMPOP and BZMPOP read numkeys, the end and COUNT before the timeout", (k) => [
    on1(["BLMPOP", "x", "0", k("a"), "LEFT"], err("ERR numkeys should be greater than 0")),
    on1(["BLMPOP", "x", "1", k("a"), "UP"], SYNTAX),
    on1(["BLMPOP", "x", "1", k("a"), "LEFT", "COUNT", "0"], err("ERR count should be greater than 0")),
    on1(["BLMPOP", "x", "2", k("a"), "LEFT"], SYNTAX),
    on1(["BLMPOP", "x", "1", k("a"), "LEFT", "COUNT"], SYNTAX),
    on1(["BLMPOP", "x", "1", k("a"), "LEFT"], err("ERR timeout is not a float or out of range")),
    on1(["BZMPOP", "x", "1", k("a"), "MIDDLE"], SYNTAX),
    on1(["BZMPOP", "x", "-1", k("a"), "MIN"], err("ERR numkeys should be greater than 0")),
    on1(["BZMPOP", "-1", "1", k("a"), "MIN", "COUNT", "2"], err("ERR timeout is negative")),
    on1(["RPUSH", k("l"), "a", "b", "c"], int(3)),
    on1(["BLMPOP", "0", "2", k("none"), k("l"), "RIGHT", "COUNT", "2"], arr(bulk(k("l")), bulks("c", "b"))),
    on1(["BLMPOP", "0", "1", k("l"), "LEFT", "COUNT", "5"], arr(bulk(k("l")), bulks("a"))),
    on1(["ZADD", k("z"), "1", "a", "2", "b", "3", "c", "4", "d"], int(4)),
    on1(["BZMPOP", "0", "1", k("z"), "MAX", "COUNT", "2"], arr(bulk(k("z")), arr(bulks("d", "4"), bulks("c", "3")))),
    on1(["BZPOPMIN", k("none"), k("z"), "0"], bulks(k("z"), "a", "1")),
    on1(["BZPOPMAX", k("z"), "0"], bulks(k("z"), "b", "2"))
  ]],
  ["blocked clients are served first come, first served, after the push", (k) => [
    send(1, "BLPOP", k("l"), "0"),
    blockedClients(1),
    send(2, "BRPOP", k("l"), "0"),
    blockedClients(2),
    send(3, "BLPOP", k("l"), "0"),
    blockedClients(3),
    call(4, ["RPUSH", k("l"), "a", "b"], int(2)),
    reply(1, pushed(k("l"), "a")),
    reply(2, pushed(k("l"), "b")),
    blockedClients(1),
    call(4, ["EXISTS", k("l")], int(0)),
    call(4, ["LPUSH", k("l"), "c", "d"], int(2)),
    reply(3, pushed(k("l"), "d")),
    call(4, ["LRANGE", k("l"), "0", "-1"], bulks("c"))
  ]],
  ["a client blocked on several keys is served from the one that got a list", (k) => [
    send(1, "BRPOP", k("a"), k("b"), k("c"), "0"),
    blockedClients(1),
    call(2, ["RPUSH", k("c"), "x", "y"], int(2)),
    reply(1, pushed(k("c"), "y")),
    send(1, "BLMPOP", "0", "3", k("a"), k("b"), k("c"), "LEFT", "COUNT", "5"),
    blockedClients(0),
    reply(1, arr(bulk(k("c")), bulks("x"))),
    send(1, "BLMPOP", "0", "2", k("a"), k("b"), "LEFT", "COUNT", "2"),
    blockedClients(1),
    call(2, ["RPUSH", k("b"), "1", "2", "3"], int(3)),
    reply(1, arr(bulk(k("b")), bulks("1", "2"))),
    call(2, ["LRANGE", k("b"), "0", "-1"], bulks("3"))
  ]],
  ["commands pipelined after a blocking one wait for it", (k) => [
    send(1, "BLPOP", k("l"), "0"),
    send(1, "SET", k("after"), "1"),
    blockedClients(1),
    call(2, ["GET", k("after")], nil),
    call(2, ["RPUSH", k("l"), "a"], int(1)),
    reply(1, pushed(k("l"), "a")),
    reply(1, ok),
    call(2, ["GET", k("after")], bulk("1"))
  ]],
  ["BLMOVE and BRPOPLPUSH move once the source gets a list, and wake the destination's waiters", (k) => [
    send(1, "BLMOVE", k("src"), k("dst"), "RIGHT", "LEFT", "0"),
    blockedClients(1),
    send(2, "BLPOP", k("dst"), "0"),
    blockedClients(2),
    send(3, "BRPOPLPUSH", k("src"), k("other"), "0"),
    blockedClients(3),
    call(4, ["RPUSH", k("src"), "a", "b"], int(2)),
    reply(1, bulk("b")),
    reply(2, pushed(k("dst"), "b")),
    reply(3, bulk("a")),
    call(4, ["LRANGE", k("other"), "0", "-1"], bulks("a")),
    call(4, ["EXISTS", k("src"), k("dst")], int(0)),
    // A source and destination that are one key rotate it.
    call(4, ["RPUSH", k("r"), "1", "2"], int(2)),
    on1(["BLMOVE", k("r"), k("r"), "LEFT", "RIGHT", "0"], bulk("1")),
    on1(["LRANGE", k("r"), "0", "-1"], bulks("2", "1"))
  ]],
  ["a served BLMOVE whose destination holds another type gets WRONGTYPE and moves nothing", (k) => [
    on1(["SET", k("dst"), "str"], ok),
    send(1, "BLMOVE", k("src"), k("dst"), "LEFT", "RIGHT", "0"),
    blockedClients(1),
    send(2, "BLPOP", k("src"), "0"),
    blockedClients(2),
    call(3, ["RPUSH", k("src"), "a"], int(1)),
    reply(1, WRONGTYPE),
    reply(2, pushed(k("src"), "a")),
    call(3, ["GET", k("dst")], bulk("str"))
  ]],
  ["BZPOPMIN, BZPOPMAX and BZMPOP are served when a sorted set appears", (k) => [
    send(1, "BZPOPMIN", k("z"), "0"),
    blockedClients(1),
    send(2, "BZMPOP", "0", "1", k("z"), "MAX", "COUNT", "2"),
    blockedClients(2),
    send(3, "BZPOPMAX", k("y"), k("z"), "0"),
    blockedClients(3),
    call(4, ["ZADD", k("z"), "1", "a", "2", "b", "3", "c", "4", "d"], int(4)),
    reply(1, bulks(k("z"), "a", "1")),
    reply(2, arr(bulk(k("z")), arr(bulks("d", "4"), bulks("c", "3")))),
    reply(3, bulks(k("z"), "b", "2")),
    call(4, ["EXISTS", k("z")], int(0))
  ]],
  ["waiters of one type are not woken by the other, and wait on", (k) => [
    send(1, "BLPOP", k("k"), "0"),
    blockedClients(1),
    send(2, "BZPOPMIN", k("k"), "0"),
    blockedClients(2),
    call(3, ["ZADD", k("k"), "1", "m"], int(1)),
    reply(2, bulks(k("k"), "m", "1")),
    blockedClients(1),
    call(3, ["SET", k("k"), "str"], ok),
    call(3, ["DEL", k("k")], int(1)),
    call(3, ["RPUSH", k("k"), "x"], int(1)),
    reply(1, pushed(k("k"), "x"))
  ]],
  ["a push inside MULTI serves after EXEC, with what the transaction left", (k) => [
    send(1, "BLPOP", k("l"), "0"),
    blockedClients(1),
    call(2, ["MULTI"], ok),
    call(2, ["RPUSH", k("l"), "a"], QUEUED),
    call(2, ["LPOP", k("l")], QUEUED),
    call(2, ["EXEC"], arr(int(1), bulk("a"))),
    blockedClients(1),
    call(2, ["MULTI"], ok),
    call(2, ["RPUSH", k("l"), "b", "c"], QUEUED),
    call(2, ["RPOP", k("l")], QUEUED),
    call(2, ["EXEC"], arr(int(2), bulk("c"))),
    reply(1, pushed(k("l"), "b"))
  ]],
  ["RENAME, MOVE, COPY and SWAPDB bring lists to waiting clients", (k) => [
    send(1, "BLPOP", k("l"), "0"),
    blockedClients(1),
    call(2, ["RPUSH", k("tmp"), "renamed"], int(1)),
    call(2, ["RENAME", k("tmp"), k("l")], ok),
    reply(1, pushed(k("l"), "renamed")),
    send(1, "BLPOP", k("l"), "0"),
    blockedClients(1),
    call(2, ["RPUSH", k("tmp"), "copied"], int(1)),
    call(2, ["COPY", k("tmp"), k("l")], int(1)),
    reply(1, pushed(k("l"), "copied")),
    send(1, "BLPOP", k("l"), "0"),
    blockedClients(1),
    call(2, ["SELECT", "1"], ok),
    call(2, ["RPUSH", k("l"), "moved"], int(1)),
    call(2, ["MOVE", k("l"), "0"], int(1)),
    reply(1, pushed(k("l"), "moved")),
    send(1, "BLPOP", k("l"), "0"),
    blockedClients(1),
    call(2, ["RPUSH", k("l"), "swapped"], int(1)),
    call(2, ["SWAPDB", "0", "1"], ok),
    reply(1, pushed(k("l"), "swapped"))
  ]],
  ["a key created as a string wakes nobody, even if a sorted set replaces it in the same transaction", (k) => [
    on1(["ZADD", k("src"), "1", "a"], int(1)),
    send(1, "BZPOPMIN", k("k"), "0"),
    blockedClients(1),
    call(2, ["MULTI"], ok),
    call(2, ["SET", k("k"), "x"], QUEUED),
    call(2, ["ZUNIONSTORE", k("k"), "1", k("src")], QUEUED),
    call(2, ["EXEC"], arr(ok, int(1))),
    blockedClients(1),
    call(2, ["ZCARD", k("k")], int(1)),
    call(2, ["DEL", k("k")], int(1)),
    call(2, ["ZUNIONSTORE", k("k"), "1", k("src")], int(1)),
    reply(1, bulks(k("k"), "a", "1"))
  ]],
  ["blocked clients time out with the null array, BLMOVE too", (k) => [
    send(1, "BLPOP", k("l"), "0.01"),
    reply(1, nilArray),
    send(1, "BLMOVE", k("l"), k("d"), "LEFT", "LEFT", "0.01"),
    reply(1, nilArray),
    send(1, "BZMPOP", "0.01", "1", k("z"), "MIN"),
    reply(1, nilArray),
    blockedClients(0)
  ]],
  ["CLIENT UNBLOCK ends a wait as a timeout, or with an error", (k) => [
    send(1, "BLPOP", k("l"), "0"),
    blockedClients(1),
    call(3, ["CLIENT", "UNBLOCK", "$1"], int(1)),
    reply(1, nilArray),
    call(3, ["CLIENT", "UNBLOCK", "$1"], int(0)),
    send(2, "BZMPOP", "0", "1", k("z"), "MIN"),
    blockedClients(1),
    call(3, ["CLIENT", "UNBLOCK", "$2", "ERROR"], int(1)),
    reply(2, err("UNBLOCKED client unblocked via CLIENT UNBLOCK")),
    send(1, "BLMOVE", k("l"), k("d"), "LEFT", "LEFT", "0"),
    blockedClients(1),
    call(3, ["CLIENT", "UNBLOCK", "$1", "timeout"], int(1)),
    reply(1, nilArray),
    call(3, ["CLIENT", "UNBLOCK", "$3"], int(0)),
    call(3, ["CLIENT", "UNBLOCK", "999999999"], int(0)),
    call(3, ["CLIENT", "UNBLOCK", "x"], err("ERR value is not an integer or out of range")),
    call(3, ["CLIENT", "UNBLOCK", "1", "LATER"], err("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR")),
    call(3, ["CLIENT", "UNBLOCK", "x", "LATER"], err("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR")),
    call(3, ["CLIENT", "UNBLOCK", "1", "2", "3"], err("ERR unknown subcommand or wrong number of arguments for 'UNBLOCK'. Try CLIENT HELP.")),
    call(3, ["CLIENT", "UNBLOCK"], arity("client|unblock"))
  ]],
  ["a client that leaves while blocked is never served: the element stays", (k) => [
    send(1, "BLPOP", k("l"), "0"),
    blockedClients(1),
    disconnect(1),
    blockedClients(0),
    call(2, ["RPUSH", k("l"), "a"], int(1)),
    call(2, ["LRANGE", k("l"), "0", "-1"], bulks("a"))
  ]],
  ["CLIENT KILL of a blocked client, in the same transaction as the push, loses nothing", (k) => [
    send(1, "BLPOP", k("l"), "0"),
    blockedClients(1),
    call(2, ["MULTI"], ok),
    call(2, ["CLIENT", "KILL", "ID", "$1"], QUEUED),
    call(2, ["RPUSH", k("l"), "a"], QUEUED),
    call(2, ["EXEC"], arr(int(1), int(1))),
    closed(1),
    call(2, ["LRANGE", k("l"), "0", "-1"], bulks("a")),
    blockedClients(0)
  ]],
  ["RESP3: served and timed-out replies in the client's protocol", (k) => [
    send(1, "HELLO", "3"),
    skipReply(1),
    send(1, "BZPOPMIN", k("z"), "0"),
    blockedClients(1),
    send(2, "HELLO", "3"),
    skipReply(2),
    send(2, "BZMPOP", "0", "1", k("z"), "MAX", "COUNT", "5"),
    blockedClients(2),
    call(3, ["ZADD", k("z"), "1.5", "a", "2", "b"], int(2)),
    reply(1, arr(bulk(k("z")), bulk("a"), double("1.5"))),
    reply(2, arr(bulk(k("z")), arr(arr(bulk("b"), double("2"))))),
    send(2, "BLPOP", k("l"), "0.01"),
    reply(2, nullReply)
  ]]
]

defineSessionSuites("blocking", cases)

describeDeclarations("blocking declarations", blockingCommands)

describe("blocked clients in INFO and CLIENT LIST", () => {
  for (const [name, start] of targets) {
    it(`blocked_clients, clients_in_timeout_table and flags=b (${name})`, async () => {
      const running = await start()
      const [a, b, admin] = await Promise.all([1, 2, 3].map(() => RawClient.connect(running.port)))
      const info = async () => {
        const text = String((await admin.call("INFO", "clients")).value)
        return [/blocked_clients:(\d+)/.exec(text)?.[1], /clients_in_timeout_table:(\d+)/.exec(text)?.[1]]
      }
      const waitFor = async (blocked: string) => {
        for (let i = 0; i < 600 && (await info())[0] !== blocked; i++) await new Promise((r) => setTimeout(r, 5))
      }
      try {
        const idA = String((await a.call("CLIENT", "ID")).value)
        a.send("BLPOP", "l", "0")
        await waitFor("1")
        b.send("BZPOPMIN", "z", "100")
        await waitFor("2")
        expect(await info()).toEqual(["2", "1"])
        const list = String((await admin.call("CLIENT", "LIST", "ID", idA)).value)
        expect([/flags=(\w+)/.exec(list)?.[1], /cmd=(\S+)/.exec(list)?.[1]]).toEqual(["b", "blpop"])
        expect(await admin.call("RPUSH", "l", "x")).toEqual(int(1))
        expect(await a.read()).toEqual(pushed("l", "x"))
        expect(await info()).toEqual(["1", "1"])
      } finally {
        for (const c of [a, b, admin]) c.close()
        await running.stop()
      }
    })
  }
})

describe("timeouts", () => {
  it("are milliseconds rounded up from the seconds, in long double precision", () => {
    const millis = (text: string) => {
      const value = parseLongDouble(text)
      if (value === undefined || value === "infinite") throw new Error(text)
      return timeoutMillis(value)
    }
    expect(millis("0")).toBe(0n)
    expect(millis("0.0004")).toBe(1n)
    expect(millis("1.5")).toBe(1500n)
    expect(millis("-0.0004")).toBe(0n)
    expect(millis("-1.5")).toBe(-1500n)
    expect(millis("0x10")).toBe(16000n)
    expect(millis("9223372036854775.807")).toBe(9223372036854775807n)
    expect(millis("9223372036854775.808")).toBe(-(1n << 63n))
    expect(millis("1e30")).toBe(-(1n << 63n))
  })

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
  const nothingYet = (client: RawClient) => Effect.promise(async () => {
    await new Promise((resolve) => setTimeout(resolve, 30))
    return client.pending.length === 0
  })

  it.effect("run on Effect's Clock: nothing before the deadline, the null array at it", () =>
    withServer((call, connect) =>
      Effect.gen(function*() {
        const [a, b, admin] = [yield* connect, yield* connect, yield* connect]
        a.send("BLPOP", "l", "5")
        b.send("BZPOPMIN", "z", "1")
        yield* Effect.promise(() => waitBlocked(admin, 2))
        yield* TestClock.adjust("999 millis")
        expect(yield* nothingYet(b)).toBe(true)
        yield* TestClock.adjust("1 millis")
        expect(yield* Effect.promise(() => b.read())).toEqual(nilArray)
        yield* TestClock.adjust("3999 millis")
        expect(yield* nothingYet(a)).toBe(true)
        yield* TestClock.adjust("1 millis")
        expect(yield* Effect.promise(() => a.read())).toEqual(nilArray)
        expect(yield* call(admin, "INFO", "clients")).toMatchObject({ value: expect.stringContaining("blocked_clients:0") })
      })
    ))

  it.effect("0 waits forever; a served client does not time out later", () =>
    withServer((call, connect) =>
      Effect.gen(function*() {
        const [a, b, admin] = [yield* connect, yield* connect, yield* connect]
        a.send("BLPOP", "l", "0")
        b.send("BRPOP", "m", "2")
        yield* Effect.promise(() => waitBlocked(admin, 2))
        expect(yield* call(admin, "RPUSH", "m", "x")).toEqual(int(1))
        expect(yield* Effect.promise(() => b.read())).toEqual(pushed("m", "x"))
        yield* TestClock.adjust("30 seconds")
        expect(yield* nothingYet(a)).toBe(true)
        expect(yield* nothingYet(b)).toBe(true)
        expect(yield* call(admin, "LPUSH", "l", "late")).toEqual(int(1))
        expect(yield* Effect.promise(() => a.read())).toEqual(pushed("l", "late"))
      })
    ))

  it.effect("a later, shorter timeout is not held up by an earlier, longer one", () =>
    withServer((_call, connect) =>
      Effect.gen(function*() {
        const [long, short, admin] = [yield* connect, yield* connect, yield* connect]
        long.send("BLPOP", "l", "60")
        yield* Effect.promise(() => waitBlocked(admin, 1))
        short.send("BLPOP", "l", "0.5")
        yield* Effect.promise(() => waitBlocked(admin, 2))
        yield* TestClock.adjust("500 millis")
        expect(yield* Effect.promise(() => short.read())).toEqual(nilArray)
        expect(yield* nothingYet(long)).toBe(true)
      })
    ))
})

const waitBlocked = async (admin: RawClient, count: number) => {
  for (let i = 0; i < 600; i++) {
    const info = String((await admin.call("INFO", "clients")).value)
    if (info.includes(`blocked_clients:${count}\r`)) return
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
  throw new Error(`never ${count} blocked clients`)
}

describe("shutdown with blocked clients", () => {
  for (const [name, start] of targets) {
    it(`closes them without a reply, and without waiting for them (${name})`, async () => {
      const running = await start()
      const [a, b, admin] = await Promise.all([1, 2, 3].map(() => RawClient.connect(running.port)))
      try {
        a.send("BLPOP", "l", "0")
        b.send("BZPOPMIN", "z", "100")
        await waitBlocked(admin, 2)
        admin.send("SHUTDOWN", "NOSAVE")
        await Promise.all([a.waitClosed(), b.waitClosed(), admin.waitClosed()])
        expect([a.pending.length, b.pending.length, admin.pending.length]).toEqual([0, 0, 0])
      } finally {
        for (const c of [a, b, admin]) c.close()
        await running.stop()
      }
    })
  }

  it("our drain counts them as idle: nothing is interrupted", async () => {
    const running = await startRedfiber()
    const [a, admin] = await Promise.all([1, 2].map(() => RawClient.connect(running.port)))
    try {
      a.send("BLPOP", "l", "0")
      await waitBlocked(admin, 1)
      const summary = await Effect.runPromise(running.server.drain)
      expect(summary.interrupted).toBe(0)
      await a.waitClosed()
      expect(a.pending.length).toBe(0)
    } finally {
      a.close()
      admin.close()
      await running.stop()
    }
  })
})

describe("served pops in the append-only file", () => {
  const dirs: Array<string> = []
  afterAll(() => {
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true })
  })

  for (const fsync of ["everysec", "always"] as const) {
    it(`are logged as the pops they performed and replay after a restart (appendfsync ${fsync})`, async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "redfiber-blocking-aof-"))
      dirs.push(dir)
      const first = await startRedfiber({ dir, appendonly: "yes", appendfsync: fsync })
      const [a, b, c, admin] = await Promise.all([1, 2, 3, 4].map(() => RawClient.connect(first.port)))
      a.send("BLPOP", "l", "0")
      await waitBlocked(admin, 1)
      b.send("BLMOVE", "src", "dst", "LEFT", "RIGHT", "0")
      await waitBlocked(admin, 2)
      c.send("BZMPOP", "0", "1", "z", "MAX", "COUNT", "2")
      await waitBlocked(admin, 3)
      expect(await admin.call("RPUSH", "l", "x", "y")).toEqual(int(2))
      expect(await a.read()).toEqual(pushed("l", "x"))
      expect(await admin.call("MULTI")).toEqual(ok)
      expect(await admin.call("RPUSH", "src", "m", "n")).toEqual(QUEUED)
      expect(await admin.call("ZADD", "z", "1", "a", "2", "b", "3", "c")).toEqual(QUEUED)
      expect(await admin.call("EXEC")).toEqual(arr(int(2), int(3)))
      expect(await b.read()).toEqual(bulk("m"))
      expect(await c.read()).toEqual(arr(bulk("z"), arr(bulks("c", "3"), bulks("b", "2"))))
      // Served at once, with something there: logged as the pop too.
      expect(await a.call("BRPOP", "l", "0")).toEqual(pushed("l", "y"))
      for (const client of [a, b, c, admin]) client.close()
      await first.stop()

      const logged = fs.readFileSync(path.join(dir, "appendonly.aof"), "latin1")
      expect(logged).not.toMatch(/BLPOP|BRPOP|BLMOVE|BZMPOP/i)
      const names = logged.split("\r\n").filter((line) => /^(LPOP|RPOP|LMOVE|ZPOPMAX|MULTI|EXEC)$/.test(line))
      expect(names).toEqual(["LPOP", "MULTI", "EXEC", "LMOVE", "ZPOPMAX", "RPOP"])

      const second = await startRedfiber({ dir, appendonly: "yes" })
      const check = await RawClient.connect(second.port)
      try {
        expect(await check.call("EXISTS", "l")).toEqual(int(0))
        expect(await check.call("LRANGE", "src", "0", "-1")).toEqual(bulks("n"))
        expect(await check.call("LRANGE", "dst", "0", "-1")).toEqual(bulks("m"))
        expect(await check.call("ZRANGE", "z", "0", "-1")).toEqual(bulks("a"))
      } finally {
        check.close()
        await second.stop()
      }
    })
  }
})
