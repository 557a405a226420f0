/**
 * RESP3 over TCP: after HELLO 3, every family's replies in their RESP3 types — maps, sets,
 * doubles, nulls, verbatim strings, pushes — byte for byte against our server and real Redis 7
 * with the same expectations (test/support/sessions.ts), then the client libraries in RESP3 mode
 * (ioredis 6, node-redis 6) against our server: handshake, typed replies, pub/sub pushes,
 * transactions and a blocking pop served by another client.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { Redis } from "ioredis"
import { createClient } from "redis"
import { arr, bulk, bulks, err, int, ok, simple } from "../support/caseTables.js"
import type { Reply } from "../support/RespReader.js"
import { blockedClients, call, defineSessionSuites, reply, send, type SessionCase, skipReply } from "../support/sessions.js"
import { type RunningRedfiber, startRedfiber } from "../support/servers.js"

const map = (...entries: ReadonlyArray<Reply>): Reply => ({ kind: "map", value: entries })
const set = (...items: ReadonlyArray<Reply>): Reply => ({ kind: "set", value: items })
const push = (...items: ReadonlyArray<Reply>): Reply => ({ kind: "push", value: items })
const double = (value: string): Reply => ({ kind: "double", value })
const nullReply: Reply = { kind: "null", value: null }
const QUEUED = simple("QUEUED")

/** Connection 1 in RESP3, then `steps` on it. */
const resp3 = (steps: ReadonlyArray<ReturnType<typeof call>>) => [send(1, "HELLO", "3"), skipReply(1), ...steps]
const on1 = (args: Array<string>, expected: Reply) => call(1, args, expected)

const cases: ReadonlyArray<SessionCase> = [
  ["missing values are the null, whatever RESP2 spelled them as", (k) => resp3([
    on1(["GET", k("none")], nullReply),
    on1(["LPOP", k("none")], nullReply),
    on1(["LPOP", k("none"), "2"], nullReply),
    on1(["LMPOP", "1", k("none"), "LEFT"], nullReply),
    on1(["HGET", k("none"), "f"], nullReply),
    on1(["MGET", k("none"), k("none")], arr(nullReply, nullReply)),
    on1(["ZSCORE", k("none"), "m"], nullReply),
    on1(["ZRANK", k("none"), "m"], nullReply),
    on1(["SPOP", k("none")], nullReply),
    on1(["SRANDMEMBER", k("none")], nullReply),
    on1(["RANDOMKEY"], nullReply),
    on1(["CLIENT", "GETNAME"], nullReply)
  ])],
  ["hashes: HGETALL is a map, HRANDFIELD WITHVALUES pairs", (k) => resp3([
    on1(["HSET", k("h"), "f", "v"], int(1)),
    on1(["HGETALL", k("h")], map(bulk("f"), bulk("v"))),
    on1(["HGETALL", k("none")], map()),
    on1(["HRANDFIELD", k("h"), "1", "WITHVALUES"], arr(bulks("f", "v"))),
    on1(["HINCRBYFLOAT", k("h"), "n", "1.5"], bulk("1.5")),
    on1(["HMGET", k("h"), "f", "x"], arr(bulk("v"), nullReply))
  ])],
  ["sets: SMEMBERS, SINTER, SUNION, SDIFF are sets", (k) => resp3([
    on1(["SADD", k("s"), "a"], int(1)),
    on1(["SMEMBERS", k("s")], set(bulk("a"))),
    on1(["SMEMBERS", k("none")], set()),
    on1(["SINTER", k("s"), k("s")], set(bulk("a"))),
    on1(["SUNION", k("s")], set(bulk("a"))),
    on1(["SDIFF", k("s"), k("none")], set(bulk("a"))),
    on1(["SMISMEMBER", k("s"), "a", "b"], arr(int(1), int(0))),
    on1(["SISMEMBER", k("s"), "a"], int(1))
  ])],
  ["sorted sets: scores are doubles, WITHSCORES pairs", (k) => resp3([
    on1(["ZADD", k("z"), "1.5", "a", "2", "b", "inf", "c"], int(3)),
    on1(["ZSCORE", k("z"), "a"], double("1.5")),
    on1(["ZSCORE", k("z"), "c"], double("inf")),
    on1(["ZMSCORE", k("z"), "b", "none"], arr(double("2"), nullReply)),
    on1(["ZINCRBY", k("z"), "1", "a"], double("2.5")),
    on1(["ZADD", k("z"), "INCR", "1", "b"], double("3")),
    on1(["ZADD", k("z"), "NX", "INCR", "1", "b"], nullReply),
    on1(["ZRANGE", k("z"), "0", "-1", "WITHSCORES"], arr(arr(bulk("a"), double("2.5")), arr(bulk("b"), double("3")), arr(bulk("c"), double("inf")))),
    on1(["ZRANGE", k("z"), "0", "0"], bulks("a")),
    on1(["ZPOPMIN", k("z")], arr(bulk("a"), double("2.5"))),
    on1(["ZPOPMAX", k("z"), "1"], arr(arr(bulk("c"), double("inf")))),
    on1(["ZMPOP", "1", k("z"), "MIN"], arr(bulk(k("z")), arr(arr(bulk("b"), double("3"))))),
    on1(["ZRANDMEMBER", k("none"), "2", "WITHSCORES"], arr())
  ])],
  ["server commands: CONFIG GET and COMMAND DOCS are maps, COMMAND INFO's flags sets", (k) => resp3([
    on1(["CONFIG", "GET", "timeout"], map(bulk("timeout"), bulk("0"))),
    on1(["CONFIG", "GET", "no-such-parameter"], map()),
    on1(["COMMAND", "DOCS", "no-such-command"], map()),
    on1(["COMMAND", "INFO", "no-such-command"], arr(nullReply)),
    on1(["CLIENT", "TRACKINGINFO"], map(bulk("flags"), set(bulk("off")), bulk("redirect"), int(-1), bulk("prefixes"), arr())),
    on1(["SET", k("s"), "x"], ok)
  ])],
  ["transactions: a broken WATCH makes EXEC the null", (k) => [
    send(1, "HELLO", "3"),
    skipReply(1),
    on1(["WATCH", k("a")], ok),
    call(2, ["SET", k("a"), "1"], ok),
    on1(["MULTI"], ok),
    on1(["GET", k("a")], QUEUED),
    on1(["EXEC"], nullReply),
    on1(["MULTI"], ok),
    on1(["GET", k("a")], QUEUED),
    on1(["HGETALL", k("none")], QUEUED),
    on1(["BLPOP", k("none"), "0"], QUEUED),
    on1(["EXEC"], arr(bulk("1"), map(), nullReply))
  ]],
  ["pub/sub: subscription replies and messages are pushes, and other commands still run", (k) => [
    send(1, "HELLO", "3"),
    skipReply(1),
    send(1, "SUBSCRIBE", k("ch")),
    reply(1, push(bulk("subscribe"), bulk(k("ch")), int(1))),
    on1(["GET", k("x")], nullReply),
    call(2, ["PUBLISH", k("ch"), "hi"], int(1)),
    reply(1, push(bulk("message"), bulk(k("ch")), bulk("hi"))),
    on1(["PING"], simple("PONG")),
    send(1, "UNSUBSCRIBE"),
    reply(1, push(bulk("unsubscribe"), bulk(k("ch")), int(0)))
  ]],
  ["pub/sub: a subscriber publishing to itself gets the push before the reply; a blocked one still gets messages", (k) => [
    send(1, "HELLO", "3"),
    skipReply(1),
    send(1, "SUBSCRIBE", k("ch")),
    reply(1, push(bulk("subscribe"), bulk(k("ch")), int(1))),
    send(1, "PUBLISH", k("ch"), "self"),
    reply(1, push(bulk("message"), bulk(k("ch")), bulk("self"))),
    reply(1, int(1)),
    send(1, "BLPOP", k("l"), "0"),
    blockedClients(1),
    call(2, ["PUBLISH", k("ch"), "while blocked"], int(1)),
    reply(1, push(bulk("message"), bulk(k("ch")), bulk("while blocked"))),
    call(2, ["RPUSH", k("l"), "x"], int(1)),
    reply(1, arr(bulk(k("l")), bulk("x")))
  ]],
  ["HELLO 2 goes back to RESP2 for the next reply", (k) => [
    send(1, "HELLO", "3"),
    skipReply(1),
    on1(["GET", k("none")], nullReply),
    send(1, "HELLO", "2"),
    skipReply(1),
    on1(["GET", k("none")], { kind: "bulk", value: null }),
    on1(["HELLO", "4"], err("NOPROTO unsupported protocol version"))
  ]],
  ["blocking: a timeout is the null; a served BZPOPMIN is [key, member, double]", (k) => [
    send(1, "HELLO", "3"),
    skipReply(1),
    send(1, "BLPOP", k("l"), "0.01"),
    reply(1, nullReply),
    send(1, "BZPOPMIN", k("z"), "0"),
    blockedClients(1),
    call(2, ["ZADD", k("z"), "0.5", "m"], int(1)),
    reply(1, arr(bulk(k("z")), bulk("m"), double("0.5")))
  ]]
]

defineSessionSuites("RESP3 replies", cases)

describe("client libraries in RESP3", () => {
  let server: RunningRedfiber
  beforeAll(async () => {
    server = await startRedfiber()
  })
  afterAll(() => server.stop())

  it("ioredis (protocol 3, both reply mappings): typed replies, a transaction, pub/sub, a served BLPOP", async () => {
    const options = { host: "127.0.0.1", port: server.port, lazyConnect: true, retryStrategy: () => null, protocol: 3 as const }
    const legacy = new Redis({ ...options, replyMapping: "legacy" })
    const typed = new Redis({ ...options, replyMapping: "resp3" })
    const subscriber = new Redis(options)
    const waiter = new Redis(options)
    try {
      await Promise.all([legacy.connect(), typed.connect(), subscriber.connect(), waiter.connect()])
      expect(String(await legacy.client("INFO"))).toContain(" resp=3 ")
      await legacy.hset("io3:h", "f", "v")
      await legacy.zadd("io3:z", 1.5, "m")
      expect(await legacy.hgetall("io3:h")).toEqual({ f: "v" })
      expect(await typed.call("HGETALL", "io3:h")).toEqual({ f: "v" })
      expect(await legacy.zscore("io3:z", "m")).toBe("1.5")
      expect(await typed.call("ZSCORE", "io3:z", "m")).toBe(1.5)
      expect(await legacy.get("io3:none")).toBeNull()
      expect(await legacy.multi().set("io3:a", "1").incr("io3:a").get("io3:a").exec()).toEqual([[null, "OK"], [null, 2], [null, "2"]])

      const received = new Promise<[string, string]>((resolve) => subscriber.on("message", (channel, message) => resolve([channel, message])))
      await subscriber.subscribe("io3:ch")
      expect(await legacy.publish("io3:ch", "hello")).toBe(1)
      expect(await received).toEqual(["io3:ch", "hello"])

      const popped = waiter.blpop("io3:l", 0)
      while (!String(await legacy.info("clients")).includes("blocked_clients:1")) await new Promise((r) => setTimeout(r, 5))
      await legacy.rpush("io3:l", "x")
      expect(await popped).toEqual(["io3:l", "x"])
    } finally {
      for (const client of [legacy, typed, subscriber, waiter]) client.disconnect()
    }
  })

  it("node-redis (RESP 3): typed replies, a transaction, pub/sub, a served BZPOPMIN", async () => {
    const url = `redis://127.0.0.1:${server.port}`
    const client = createClient({ url, RESP: 3 })
    const subscriber = createClient({ url, RESP: 3 })
    const waiter = createClient({ url, RESP: 3 })
    for (const c of [client, subscriber, waiter]) c.on("error", () => {})
    await Promise.all([client.connect(), subscriber.connect(), waiter.connect()])
    try {
      expect(String(await client.sendCommand(["CLIENT", "INFO"]))).toContain(" resp=3 ")
      await client.hSet("nr3:h", "f", "v")
      expect(await client.hGetAll("nr3:h")).toEqual({ f: "v" })
      await client.sAdd("nr3:s", "a")
      expect(await client.sMembers("nr3:s")).toEqual(["a"])
      await client.zAdd("nr3:z", { score: 2.5, value: "m" })
      expect(await client.zScore("nr3:z", "m")).toBe(2.5)
      expect(await client.get("nr3:none")).toBeNull()
      expect(await client.configGet("timeout")).toEqual({ timeout: "0" })
      expect(await client.multi().set("nr3:a", "1").incr("nr3:a").exec()).toEqual(["OK", 2])

      const received = new Promise<string>((resolve) => void subscriber.subscribe("nr3:ch", (message) => resolve(message)))
      while ((await client.pubSubNumSub("nr3:ch"))["nr3:ch"] !== 1) await new Promise((r) => setTimeout(r, 5))
      expect(await client.publish("nr3:ch", "hello")).toBe(1)
      expect(await received).toBe("hello")

      const popped = waiter.bzPopMin("nr3:w", 0)
      while (!String(await client.info("clients")).includes("blocked_clients:1")) await new Promise((r) => setTimeout(r, 5))
      await client.zAdd("nr3:w", { score: 1, value: "x" })
      expect(await popped).toEqual({ key: "nr3:w", value: "x", score: 1 })
    } finally {
      for (const c of [client, subscriber, waiter]) await c.close().catch(() => {})
    }
  })
})
