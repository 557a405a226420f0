/**
 * The string family over TCP, byte for byte. Every table below runs against our server and, when
 * `redis-server` is installed, against a real Redis 7 with the same expectations, so the tables
 * themselves are checked against the oracle. Keys are prefixed with the case's name, so cases
 * never see each other's data.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { stringCommands } from "../../src/commands/strings.js"
import { describeDeclarations } from "../support/declarations.js"
import { RawClient } from "../support/RawClient.js"
import { type Reply, showReply } from "../support/RespReader.js"
import { hasRealRedis, type RunningServer, startRealRedis, startRedfiber } from "../support/servers.js"

const ok: Reply = { kind: "simple", value: "OK" }
const nil: Reply = { kind: "bulk", value: null }
const bulk = (value: string): Reply => ({ kind: "bulk", value })
const int = (value: number | bigint | string): Reply => ({ kind: "integer", value: String(value) })
const err = (value: string): Reply => ({ kind: "error", value })
const arr = (...items: ReadonlyArray<Reply>): Reply => ({ kind: "array", value: items })

const WRONGTYPE = err("WRONGTYPE Operation against a key holding the wrong kind of value")
const SYNTAX = err("ERR syntax error")
const NOT_INTEGER = err("ERR value is not an integer or out of range")
const NOT_FLOAT = err("ERR value is not a valid float")
const TOO_LONG = err("ERR string exceeds maximum allowed size (proto-max-bulk-len)")
const expireError = (name: string) => err(`ERR invalid expire time in '${name}' command`)
const arity = (name: string) => err(`ERR wrong number of arguments for '${name}' command`)

/** Every byte value once, in order. */
const ALL_BYTES = Array.from({ length: 256 }, (_, i) => String.fromCharCode(i)).join("")
/** A key holding a list, created with RPUSH on each server before the tables run. */
const LIST_KEY = "strings:list"

/** A bulk reply too long to spell out: its length and how it starts. */
interface LongBulk {
  readonly kind: "long bulk"
  readonly length: number
  readonly prefix: string
}
const longBulk = (length: number, prefix: string): LongBulk => ({ kind: "long bulk", length, prefix })

type Step = readonly [args: ReadonlyArray<string>, expected: Reply | LongBulk]
type Case = readonly [name: string, steps: (key: (name: string) => string) => ReadonlyArray<Step>]

const cases: ReadonlyArray<Case> = [
  ["get and set", (k) => [
    [["GET", k("a")], nil],
    [["SET", k("a"), "v"], ok],
    [["GET", k("a")], bulk("v")],
    [["SET", k("a"), ""], ok],
    [["GET", k("a")], bulk("")],
    [["set", k("a"), ALL_BYTES], ok],
    [["get", k("a")], bulk(ALL_BYTES)],
    [["SET", k(ALL_BYTES), "binary key"], ok],
    [["GET", k(ALL_BYTES)], bulk("binary key")],
    [["GET"], arity("get")],
    [["GET", k("a"), k("b")], arity("get")],
    [["SET", k("a")], arity("set")]
  ]],
  ["set options", (k) => [
    [["SET", k("a"), "1", "XX"], nil],
    [["SET", k("a"), "1", "NX"], ok],
    [["SET", k("a"), "2", "nx"], nil],
    [["SET", k("a"), "2", "xx"], ok],
    [["SET", k("a"), "3", "NX", "NX"], nil],
    [["SET", k("a"), "3", "NX", "XX"], SYNTAX],
    [["SET", k("a"), "3", "GET"], bulk("2")],
    [["SET", k("a"), "4", "GET", "NX"], bulk("3")],
    [["GET", k("a")], bulk("3")],
    [["SET", k("b"), "1", "GET", "XX"], nil],
    [["GET", k("b")], nil],
    [["SET", k("b"), "1", "GET", "get"], nil],
    [["SET", k("a"), "5", "EX"], SYNTAX],
    [["SET", k("a"), "5", "EX", "10", "PX", "10"], SYNTAX],
    [["SET", k("a"), "5", "KEEPTTL", "EX", "10"], SYNTAX],
    [["SET", k("a"), "5", "PXAT", "10", "KEEPTTL"], SYNTAX],
    [["SET", k("a"), "5", "EXAT", "10", "EXAT", "10", "KEEPTTL"], SYNTAX],
    [["SET", k("a"), "5", "PERSIST"], SYNTAX],
    [["SET", k("a"), "5", "EXX"], SYNTAX],
    [["SET", k("a"), "5", "EX", "0"], expireError("set")],
    [["SET", k("a"), "5", "PX", "-1"], expireError("set")],
    [["SET", k("a"), "5", "EX", "x"], NOT_INTEGER],
    [["SET", k("a"), "5", "EX", "-0"], NOT_INTEGER],
    [["SET", k("a"), "5", "EX", "+1"], NOT_INTEGER],
    [["SET", k("a"), "5", "PX", "9223372036854775807"], expireError("set")],
    [["SET", k("a"), "5", "EX", "9223372036854775"], expireError("set")],
    [["SET", k("a"), "5", "EXAT", "9223372036854776"], expireError("set")],
    [["SET", k("a"), "5", "EX", "9223372036854775808"], NOT_INTEGER],
    [["GET", k("a")], bulk("3")],
    [["SET", k("a"), "6", "EX", "100", "EX", "200"], ok],
    [["SET", k("a"), "7", "px", "100000", "GET", "xx"], bulk("6")],
    [["SET", k("a"), "8", "EXAT", "9223372036854775"], ok],
    [["SET", k("a"), "9", "PXAT", "9223372036854775807"], ok],
    [["GET", k("a")], bulk("9")],
    [["SET", k("a"), "10", "KEEPTTL", "KEEPTTL"], ok],
    [["SET", k("gone"), "v", "PXAT", "1"], ok],
    [["GET", k("gone")], nil],
    [["SET", k("gone"), "v", "EXAT", "1", "NX"], ok],
    [["SET", k("gone"), "w", "NX"], ok],
    [["GET", k("gone")], bulk("w")]
  ]],
  ["setnx setex psetex", (k) => [
    [["SETNX", k("a"), "1"], int(1)],
    [["SETNX", k("a"), "2"], int(0)],
    [["GET", k("a")], bulk("1")],
    [["SETEX", k("a"), "100", "2"], ok],
    [["GET", k("a")], bulk("2")],
    [["SETEX", k("a"), "0", "3"], expireError("setex")],
    [["SETEX", k("a"), "x", "3"], NOT_INTEGER],
    [["SETEX", k("a"), "9223372036854775", "3"], expireError("setex")],
    [["PSETEX", k("a"), "-5", "3"], expireError("psetex")],
    [["PSETEX", k("a"), "100000", ALL_BYTES], ok],
    [["GET", k("a")], bulk(ALL_BYTES)],
    [["SETEX", k("a"), "1"], arity("setex")],
    [["SETNX", k("a")], arity("setnx")]
  ]],
  ["getset getdel", (k) => [
    [["GETSET", k("a"), "1"], nil],
    [["GETSET", k("a"), "2"], bulk("1")],
    [["GET", k("a")], bulk("2")],
    [["GETDEL", k("a")], bulk("2")],
    [["GETDEL", k("a")], nil],
    [["GET", k("a")], nil]
  ]],
  ["getex", (k) => [
    [["GETEX", k("a")], nil],
    [["GETEX", k("a"), "EX", "x"], nil],
    [["GETEX", k("a"), "NX"], SYNTAX],
    [["SET", k("a"), "v"], ok],
    [["GETEX", k("a")], bulk("v")],
    [["GETEX", k("a"), "EX", "100"], bulk("v")],
    [["GETEX", k("a"), "persist"], bulk("v")],
    [["GETEX", k("a"), "PX", "100000", "PX", "200000"], bulk("v")],
    [["GETEX", k("a"), "EX", "x"], NOT_INTEGER],
    [["GETEX", k("a"), "EX", "0"], expireError("getex")],
    [["GETEX", k("a"), "EXAT", "9223372036854776"], expireError("getex")],
    [["GETEX", k("a"), "EX"], SYNTAX],
    [["GETEX", k("a"), "KEEPTTL"], SYNTAX],
    [["GETEX", k("a"), "GET"], SYNTAX],
    [["GETEX", k("a"), "XX"], SYNTAX],
    [["GETEX", k("a"), "PERSIST", "EX", "1"], SYNTAX],
    [["GETEX", k("a"), "EX", "1", "PERSIST"], SYNTAX],
    [["GETEX", k("a"), "EX", "1", "PX", "1"], SYNTAX],
    [["GETEX", k("a"), "PXAT", "1"], bulk("v")],
    [["GET", k("a")], nil],
    [["GETEX"], arity("getex")]
  ]],
  ["mget mset msetnx", (k) => [
    [["MSET", k("a"), "1", k("b"), ALL_BYTES], ok],
    [["MGET", k("a"), k("b"), k("c"), LIST_KEY, k("a")], arr(bulk("1"), bulk(ALL_BYTES), nil, nil, bulk("1"))],
    [["MSET", k("a"), "1", k("b")], arity("mset")],
    [["MSET", k("a")], arity("mset")],
    [["MSET", k("d"), "1", k("d"), "2"], ok],
    [["GET", k("d")], bulk("2")],
    [["MSETNX", k("e"), "1", k("a"), "2"], int(0)],
    [["GET", k("e")], nil],
    [["MSETNX", k("e"), "1", k("f"), "2"], int(1)],
    [["MGET", k("e"), k("f")], arr(bulk("1"), bulk("2"))],
    [["MSETNX", k("g"), "1", k("g"), "2"], int(1)],
    [["GET", k("g")], bulk("2")],
    [["MSETNX", k("a"), "1", k("b")], arity("msetnx")],
    [["MSETNX", LIST_KEY, "1"], int(0)],
    [["MGET"], arity("mget")]
  ]],
  ["incr decr incrby decrby", (k) => [
    [["INCR", k("n")], int(1)],
    [["INCRBY", k("n"), "41"], int(42)],
    [["DECR", k("n")], int(41)],
    [["DECRBY", k("n"), "-9"], int(50)],
    [["DECRBY", k("n"), "0"], int(50)],
    [["GET", k("n")], bulk("50")],
    [["INCRBY", k("n"), "-0"], NOT_INTEGER],
    [["INCRBY", k("n"), "+1"], NOT_INTEGER],
    [["INCRBY", k("n"), "01"], NOT_INTEGER],
    [["INCRBY", k("n"), " 1"], NOT_INTEGER],
    [["INCRBY", k("n"), "1.5"], NOT_INTEGER],
    [["INCRBY", k("n"), ""], NOT_INTEGER],
    [["INCRBY", k("n"), "9223372036854775808"], NOT_INTEGER],
    [["DECRBY", k("n"), "-9223372036854775808"], err("ERR decrement would overflow")],
    [["SET", k("max"), "9223372036854775806"], ok],
    [["INCR", k("max")], int("9223372036854775807")],
    [["INCR", k("max")], err("ERR increment or decrement would overflow")],
    [["GET", k("max")], bulk("9223372036854775807")],
    [["INCRBY", k("max"), "-9223372036854775807"], int(0)],
    [["SET", k("min"), "-9223372036854775807"], ok],
    [["DECR", k("min")], int("-9223372036854775808")],
    [["DECR", k("min")], err("ERR increment or decrement would overflow")],
    [["INCRBY", k("min"), "9223372036854775807"], int(-1)],
    [["SET", k("big"), "9007199254740991"], ok],
    [["INCR", k("big")], int("9007199254740992")],
    [["INCR", k("big")], int("9007199254740993")],
    [["DECRBY", k("big"), "9007199254740993"], int(0)],
    [["DECRBY", k("big"), "9007199254740993"], int("-9007199254740993")],
    [["SET", k("s"), "abc"], ok],
    [["INCR", k("s")], NOT_INTEGER],
    [["SET", k("s"), "-0"], ok],
    [["INCR", k("s")], NOT_INTEGER],
    [["SET", k("s"), "007"], ok],
    [["DECR", k("s")], NOT_INTEGER],
    [["SET", k("s"), "1 "], ok],
    [["INCR", k("s")], NOT_INTEGER],
    [["SET", k("s"), "-5"], ok],
    [["INCR", k("s")], int(-4)],
    [["INCR", k("s"), "1"], arity("incr")],
    [["INCRBY", k("s")], arity("incrby")]
  ]],
  ["incrbyfloat", (k) => [
    [["SET", k("f"), "10.5"], ok],
    [["INCRBYFLOAT", k("f"), "0.1"], bulk("10.6")],
    [["GET", k("f")], bulk("10.6")],
    [["INCRBYFLOAT", k("f"), "-5.0e3"], bulk("-4989.39999999999999991")],
    [["INCRBYFLOAT", k("g"), "3.0e3"], bulk("3000")],
    [["INCRBYFLOAT", k("g"), "2.0e2"], bulk("3200")],
    [["INCRBYFLOAT", k("g"), "1e20"], bulk("100000000000000003200")],
    [["INCRBYFLOAT", k("h"), "-5"], bulk("-5")],
    [["INCRBYFLOAT", k("h"), "0.1"], bulk("-4.9")],
    [["INCRBYFLOAT", k("h"), "4.9"], bulk("0")],
    [["INCRBYFLOAT", k("h"), "-1e-18"], bulk("0")],
    [["INCRBYFLOAT", k("h"), "-1e-17"], bulk("-0.00000000000000001")],
    [["INCRBYFLOAT", k("i"), "1.23456789012345678901234567890"], bulk("1.23456789012345679")],
    [["INCRBYFLOAT", k("j"), "0.000003814697265625"], bulk("0.00000381469726562")],
    [["INCRBYFLOAT", k("j2"), "0.000011444091796875"], bulk("0.00001144409179688")],
    [["INCRBYFLOAT", k("x"), "0x10"], bulk("16")],
    [["INCRBYFLOAT", k("x"), "0X1.8P1"], bulk("19")],
    [["INCRBYFLOAT", k("x"), "+.5"], bulk("19.5")],
    [["INCRBYFLOAT", k("x"), "5."], bulk("24.5")],
    [["INCRBYFLOAT", k("x"), "1e-4940"], bulk("24.5")],
    [["SET", k("l"), "9223372036854775807"], ok],
    [["INCRBYFLOAT", k("l"), "1"], bulk("9223372036854775808")],
    [["INCR", k("l")], NOT_INTEGER],
    [["INCRBYFLOAT", k("t"), "1e30"], bulk("1000000000000000000024696061952")],
    [["SET", k("m"), "1e4932"], ok],
    [["INCRBYFLOAT", k("m"), "0"], longBulk(4933, "100000000000000000000601894938796389132383777425453311477378504135")],
    [["INCRBYFLOAT", k("m"), "1e4932"], err("ERR increment would produce NaN or Infinity")],
    [["INCRBYFLOAT", k("m"), "1e4932"], err("ERR increment would produce NaN or Infinity")],
    [["INCRBYFLOAT", k("x"), "inf"], err("ERR increment would produce NaN or Infinity")],
    [["INCRBYFLOAT", k("x"), "-Infinity"], err("ERR increment would produce NaN or Infinity")],
    [["INCRBYFLOAT", k("x"), "nan"], NOT_FLOAT],
    [["INCRBYFLOAT", k("x"), "1e5000"], NOT_FLOAT],
    [["INCRBYFLOAT", k("x"), "1e-5000"], NOT_FLOAT],
    [["INCRBYFLOAT", k("x"), " 1"], NOT_FLOAT],
    [["INCRBYFLOAT", k("x"), "1 "], NOT_FLOAT],
    [["INCRBYFLOAT", k("x"), ""], NOT_FLOAT],
    [["INCRBYFLOAT", k("x"), "."], NOT_FLOAT],
    [["INCRBYFLOAT", k("x"), "1e"], NOT_FLOAT],
    [["INCRBYFLOAT", k("x"), "0x"], NOT_FLOAT],
    [["INCRBYFLOAT", k("x"), "5\u0000"], NOT_FLOAT],
    [["INCRBYFLOAT", k("x"), "1".repeat(5120)], NOT_FLOAT],
    [["SET", k("y"), "abc"], ok],
    [["INCRBYFLOAT", k("y"), "1"], NOT_FLOAT],
    [["SET", k("y"), "inf"], ok],
    [["INCRBYFLOAT", k("y"), "1"], err("ERR increment would produce NaN or Infinity")],
    [["INCRBYFLOAT", k("y"), "x"], NOT_FLOAT],
    [["GET", k("x")], bulk("24.5")]
  ]],
  ["append strlen", (k) => [
    [["STRLEN", k("a")], int(0)],
    [["APPEND", k("a"), "Hello"], int(5)],
    [["APPEND", k("a"), " World"], int(11)],
    [["APPEND", k("a"), ""], int(11)],
    [["GET", k("a")], bulk("Hello World")],
    [["STRLEN", k("a")], int(11)],
    [["APPEND", k("b"), ALL_BYTES], int(256)],
    [["APPEND", k("b"), ALL_BYTES], int(512)],
    [["GET", k("b")], bulk(ALL_BYTES + ALL_BYTES)],
    [["APPEND", k("c"), ""], int(0)],
    [["GET", k("c")], bulk("")],
    [["SET", k("n"), "12"], ok],
    [["APPEND", k("n"), "3"], int(3)],
    [["INCR", k("n")], int(124)]
  ]],
  ["getrange substr", (k) => [
    [["GETRANGE", k("a"), "0", "-1"], bulk("")],
    [["SET", k("a"), "Hello"], ok],
    [["GETRANGE", k("a"), "0", "-1"], bulk("Hello")],
    [["GETRANGE", k("a"), "1", "3"], bulk("ell")],
    [["GETRANGE", k("a"), "-3", "-1"], bulk("llo")],
    [["GETRANGE", k("a"), "-1", "-5"], bulk("")],
    [["GETRANGE", k("a"), "0", "-100"], bulk("H")],
    [["GETRANGE", k("a"), "-100", "-1"], bulk("Hello")],
    [["GETRANGE", k("a"), "3", "1"], bulk("")],
    [["GETRANGE", k("a"), "5", "10"], bulk("")],
    [["GETRANGE", k("a"), "4", "10"], bulk("o")],
    [["GETRANGE", k("a"), "0", "9223372036854775807"], bulk("Hello")],
    [["GETRANGE", k("a"), "-9223372036854775808", "0"], bulk("H")],
    [["GETRANGE", k("a"), "x", "1"], NOT_INTEGER],
    [["GETRANGE", k("a"), "0", "9223372036854775808"], NOT_INTEGER],
    [["GETRANGE", k("missing"), "x", "1"], NOT_INTEGER],
    [["SUBSTR", k("a"), "1", "2"], bulk("el")],
    [["SET", k("e"), ""], ok],
    [["GETRANGE", k("e"), "0", "-1"], bulk("")],
    [["SET", k("b"), ALL_BYTES], ok],
    [["GETRANGE", k("b"), "250", "-1"], bulk(ALL_BYTES.slice(250))],
    [["GETRANGE", k("b"), "0", "2"], bulk("\u0000\u0001\u0002")],
    [["GETRANGE", k("a"), "0"], arity("getrange")]
  ]],
  ["setrange", (k) => [
    [["SETRANGE", k("a"), "5", ""], int(0)],
    [["GET", k("a")], nil],
    [["SETRANGE", k("a"), "3", "ab"], int(5)],
    [["GET", k("a")], bulk("\u0000\u0000\u0000ab")],
    [["SETRANGE", k("a"), "0", "xyz"], int(5)],
    [["GET", k("a")], bulk("xyzab")],
    [["SETRANGE", k("a"), "4", "QRS"], int(7)],
    [["GET", k("a")], bulk("xyzaQRS")],
    [["SETRANGE", k("a"), "9", "!"], int(10)],
    [["GET", k("a")], bulk("xyzaQRS\u0000\u0000!")],
    [["SETRANGE", k("a"), "1", ""], int(10)],
    [["SETRANGE", k("a"), "9223372036854775807", ""], int(10)],
    [["SETRANGE", k("a"), "-1", "x"], err("ERR offset is out of range")],
    [["SETRANGE", k("a"), "x", "x"], NOT_INTEGER],
    [["SETRANGE", k("a"), "9223372036854775808", "x"], NOT_INTEGER],
    [["SETRANGE", k("a"), "536870912", "x"], TOO_LONG],
    [["SETRANGE", k("a"), "536870911", "xy"], TOO_LONG],
    [["SETRANGE", k("a"), "9223372036854775807", "x"], TOO_LONG],
    [["SETRANGE", k("b"), "536870912", "x"], TOO_LONG],
    [["SETRANGE", k("b"), "2", ALL_BYTES], int(258)],
    [["GET", k("b")], bulk("\u0000\u0000" + ALL_BYTES)],
    [["SET", k("n"), "100"], ok],
    [["SETRANGE", k("n"), "0", "2"], int(3)],
    [["INCR", k("n")], int(201)]
  ]],
  ["wrong type", (k) => [
    [["HSET", k("hash"), "f", "v"], int(1)],
    [["SADD", k("set"), "m"], int(1)],
    [["ZADD", k("zset"), "1", "m"], int(1)],
    [["GET", k("hash")], WRONGTYPE],
    [["GETDEL", k("set")], WRONGTYPE],
    [["APPEND", k("zset"), "x"], WRONGTYPE],
    [["INCRBYFLOAT", k("hash"), "1"], WRONGTYPE],
    [["SETRANGE", k("set"), "0", "x"], WRONGTYPE],
    [["STRLEN", k("zset")], WRONGTYPE],
    [["MGET", k("hash"), k("set"), k("zset"), LIST_KEY], arr(nil, nil, nil, nil)],
    [["SET", k("hash"), "v", "XX"], ok],
    [["GET", k("hash")], bulk("v")],
    [["GETSET", k("set"), "w"], WRONGTYPE],
    [["SETEX", k("zset"), "100", "w"], ok],
    [["GET", k("zset")], bulk("w")],
    [["GET", LIST_KEY], WRONGTYPE],
    [["GETSET", LIST_KEY, "v"], WRONGTYPE],
    [["GETDEL", LIST_KEY], WRONGTYPE],
    [["GETEX", LIST_KEY], WRONGTYPE],
    [["GETEX", LIST_KEY, "EX", "x"], WRONGTYPE],
    [["GETEX", LIST_KEY, "EX"], SYNTAX],
    [["SET", LIST_KEY, "v", "GET"], WRONGTYPE],
    [["SET", LIST_KEY, "v", "NX"], nil],
    [["SETNX", LIST_KEY, "v"], int(0)],
    [["STRLEN", LIST_KEY], WRONGTYPE],
    [["APPEND", LIST_KEY, "x"], WRONGTYPE],
    [["SETRANGE", LIST_KEY, "0", "x"], WRONGTYPE],
    [["SETRANGE", LIST_KEY, "0", ""], WRONGTYPE],
    [["SETRANGE", LIST_KEY, "-1", "x"], err("ERR offset is out of range")],
    [["GETRANGE", LIST_KEY, "0", "1"], WRONGTYPE],
    [["SUBSTR", LIST_KEY, "0", "1"], WRONGTYPE],
    [["INCR", LIST_KEY], WRONGTYPE],
    [["DECRBY", LIST_KEY, "1"], WRONGTYPE],
    [["INCRBY", LIST_KEY, "x"], NOT_INTEGER],
    [["INCRBYFLOAT", LIST_KEY, "x"], WRONGTYPE]
  ]]
]

/** A server under test, with the few things the tables cannot say in RESP alone. */
interface Target {
  readonly client: RawClient
  /** Milliseconds left for `key` (-1: no TTL, -2: no key), as PTTL answers. */
  pttl(key: string): Promise<number>
  stats(): Promise<{ hits: number; misses: number }>
  stop(): Promise<void>
}

const startOurs = async (): Promise<Target> => {
  const running = await startRedfiber()
  const client = await RawClient.connect(running.port)
  await client.call("RPUSH", LIST_KEY, "item")
  return {
    client,
    pttl: (key) =>
      Effect.runPromise(running.db.use((db, now) => {
        if (!db.has(key, now)) return -2
        const at = db.expiresAt(key)
        return at === undefined ? -1 : at - now
      })),
    stats: async () => ({
      hits: running.server.state.stats.keyspaceHits,
      misses: running.server.state.stats.keyspaceMisses
    }),
    stop: async () => {
      client.close()
      await running.stop()
    }
  }
}

const startReal = async (): Promise<Target> => {
  const running: RunningServer = await startRealRedis()
  const client = await RawClient.connect(running.port)
  await client.call("RPUSH", LIST_KEY, "item")
  return {
    client,
    pttl: async (key) => Number((await client.call("PTTL", key)).value),
    stats: async () => {
      const info = String((await client.call("INFO", "stats")).value)
      const field = (name: string) => Number(new RegExp(`${name}:(\\d+)`).exec(info)![1])
      return { hits: field("keyspace_hits"), misses: field("keyspace_misses") }
    },
    stop: async () => {
      client.close()
      await running.stop()
    }
  }
}

/** One line of a transcript; a reply checked as a LongBulk is shown as its length and start. */
const line = (args: ReadonlyArray<string>, reply: Reply | LongBulk, asLong?: LongBulk) => {
  const shownArgs = JSON.stringify(args.map((arg) => (arg.length > 40 ? `${arg.slice(0, 40)}…(${arg.length})` : arg)))
  if (reply.kind === "long bulk") return `${shownArgs} -> bulk of ${reply.length} starting ${reply.prefix}`
  if (asLong !== undefined && reply.kind === "bulk" && reply.value !== null) {
    return `${shownArgs} -> bulk of ${reply.value.length} starting ${reply.value.slice(0, asLong.prefix.length)}`
  }
  return `${shownArgs} -> ${showReply(reply).slice(0, 200)}`
}

/** Starts a target before a suite's tests and stops it after them; the getter reads it in tests. */
const useTarget = (start: () => Promise<Target>): (() => Target) => {
  let target: Target | undefined
  beforeAll(async () => {
    target = await start()
  })
  afterAll(async () => {
    await target?.stop()
  })
  return () => target!
}

const defineSuite = (name: string, start: () => Promise<Target>) =>
  describe(name, () => {
    const target = useTarget(start)

    for (const [caseName, steps] of cases) {
      it(caseName, async () => {
        const key = (keyName: string) => `${caseName}:${keyName}`
        const expected: Array<string> = []
        const actual: Array<string> = []
        for (const [args, reply] of steps(key)) {
          expected.push(line(args, reply))
          actual.push(line(args, await target().client.call(...args), reply.kind === "long bulk" ? reply : undefined))
        }
        expect(actual).toEqual(expected)
      })
    }

    it("binary values of every size round-trip", async () => {
      for (const size of [0, 1, 255, 256, 4096, 70_000]) {
        let value = ""
        for (let i = 0; i < size; i++) value += String.fromCharCode((i * 7 + size) & 0xff)
        expect(await target().client.call("SET", "bin", value)).toEqual(ok)
        expect(await target().client.call("GET", "bin")).toEqual(bulk(value))
        expect(await target().client.call("STRLEN", "bin")).toEqual(int(size))
      }
    })

    it("keeps or clears the TTL as Redis does", async () => {
      const { client } = target()
      const hasTtl = async (key: string) => (await target().pttl(key)) > 0
      for (const [keeps, args] of [
        [true, ["APPEND", "ttl", "x"]],
        [true, ["SETRANGE", "ttl", "0", "7"]],
        [true, ["INCR", "ttl"]],
        [true, ["INCRBYFLOAT", "ttl", "1.5"]],
        [true, ["SET", "ttl", "v", "KEEPTTL"]],
        [false, ["SET", "ttl", "v"]],
        [false, ["GETSET", "ttl", "v"]],
        [false, ["MSET", "ttl", "v"]],
        [false, ["GETEX", "ttl", "PERSIST"]],
        [true, ["GETEX", "ttl"]],
        [false, ["SET", "ttl", "v", "GET"]]
      ] as const) {
        expect(await client.call("SET", "ttl", "1", "PX", "100000")).toEqual(ok)
        expect(await client.call(...args)).not.toMatchObject({ kind: "error" })
        expect([args.join(" "), await hasTtl("ttl")]).toEqual([args.join(" "), keeps])
      }
      expect(await client.call("SET", "ttl", "1")).toEqual(ok)
      expect(await client.call("GETEX", "ttl", "EX", "100")).toEqual(bulk("1"))
      expect(await hasTtl("ttl")).toBe(true)
      expect(await client.call("SETEX", "ttl", "100", "1")).toEqual(ok)
      expect(await hasTtl("ttl")).toBe(true)
      expect(await client.call("SET", "ttl", "1", "EXAT", "9223372036854775")).toEqual(ok)
      expect(await target().pttl("ttl")).toBeGreaterThan(9e18)
      expect(await client.call("GETEX", "ttl", "EXAT", "1")).toEqual(bulk("1"))
      expect(await target().pttl("ttl")).toBe(-2)
    })

    it("counts keyspace hits and misses like Redis", async () => {
      const { client } = target()
      await client.call("SET", "stats:a", "1")
      const checks: ReadonlyArray<readonly [ReadonlyArray<string>, number, number]> = [
        [["GET", "stats:a"], 1, 0],
        [["GET", "stats:none"], 0, 1],
        [["MGET", "stats:a", "stats:none", LIST_KEY], 2, 1],
        [["GETRANGE", "stats:a", "0", "1"], 1, 0],
        [["GETRANGE", "stats:a", "x", "1"], 0, 0],
        [["STRLEN", "stats:none"], 0, 1],
        [["GET", LIST_KEY], 1, 0],
        [["SET", "stats:a", "2", "GET"], 1, 0],
        [["SET", "stats:a", "3"], 0, 0],
        [["SET", "stats:a", "3", "NX"], 0, 0],
        [["GETSET", "stats:none", "1"], 0, 1],
        [["GETDEL", "stats:none"], 1, 0],
        [["GETEX", "stats:none"], 0, 1],
        [["INCR", "stats:n"], 0, 0],
        [["APPEND", "stats:a", "x"], 0, 0],
        [["SETNX", "stats:a", "x"], 0, 0]
      ]
      for (const [args, hits, misses] of checks) {
        const before = await target().stats()
        await client.call(...args)
        const after = await target().stats()
        expect([args.join(" "), after.hits - before.hits, after.misses - before.misses])
          .toEqual([args.join(" "), hits, misses])
      }
    })
  })

defineSuite("strings (redfiber)", startOurs)
if (hasRealRedis) defineSuite("strings (real Redis 7, same expectations)", startReal)

/** Deterministic float texts of every shape strtold reads: plain, long, exponents, hex, tiny. */
const floatTexts = (count: number): Array<string> => {
  let seed = 12345
  const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648
  const digits = (n: number) => Array.from({ length: n }, () => Math.floor(random() * 10)).join("")
  const sign = () => ["", "", "-", "+"][Math.floor(random() * 4)]
  const shapes = [
    () => `${sign()}${digits(1 + Math.floor(random() * 6))}.${digits(Math.floor(random() * 20))}`,
    () => `${sign()}${digits(1 + Math.floor(random() * 25))}.${digits(Math.floor(random() * 30))}`,
    () => `${sign()}${digits(1 + Math.floor(random() * 3))}e${sign()}${Math.floor(random() * 5000)}`,
    () => `${sign()}0x${digits(1 + Math.floor(random() * 18))}p${sign()}${Math.floor(random() * 200)}`,
    () => `${sign()}0.${"0".repeat(Math.floor(random() * 25))}${digits(1 + Math.floor(random() * 5))}`,
    () => `${sign()}${digits(1 + Math.floor(random() * 19))}`
  ]
  return Array.from({ length: count }, () => shapes[Math.floor(random() * shapes.length)]())
}

describe.skipIf(!hasRealRedis)("INCRBYFLOAT against real Redis", () => {
  it("gives the same text for 600 generated value/increment pairs", async () => {
    const [ours, real] = await Promise.all([startRedfiber(), startRealRedis()])
    const clients = await Promise.all([RawClient.connect(ours.port), RawClient.connect(real.port)])
    try {
      const texts = floatTexts(1200)
      const transcripts = await Promise.all(clients.map(async (client) => {
        for (let i = 0; i < texts.length; i += 2) {
          client.send("SET", "float", texts[i])
          client.send("INCRBYFLOAT", "float", texts[i + 1])
        }
        const lines: Array<string> = []
        for (let i = 0; i < texts.length; i += 2) {
          await client.read()
          lines.push(`${texts[i]} + ${texts[i + 1]} = ${showReply(await client.read())}`)
        }
        return lines
      }))
      expect(transcripts[0]).toEqual(transcripts[1])
    } finally {
      for (const client of clients) client.close()
      await Promise.all([ours.stop(), real.stop()])
    }
  })
})

describeDeclarations("string command declarations", stringCommands)

/**
 * OBJECT ENCODING (and REFCOUNT's shared integers) depend on the command that last wrote a string,
 * not only on its text. Each case starts from an empty server, runs its commands (replies are not
 * checked here) and reads every named key of database 0 as `encoding`, plus " (shared)" when
 * REFCOUNT shows one of Redis's shared integers. Run against our server and real Redis alike.
 */
const ENCODING_CASES: ReadonlyArray<readonly [string, ReadonlyArray<ReadonlyArray<string>>, Record<string, string>]> = [
  ["SET of an integer", [["SET", "k", "123"]], { k: "int (shared)" }],
  ["SET of a large integer", [["SET", "k", "-9223372036854775808"]], { k: "int" }],
  ["SET past int64", [["SET", "k", "9223372036854775808"]], { k: "embstr" }],
  ["SET of 44 and 45 bytes", [["SET", "k", "a".repeat(44)], ["SET", "d", "a".repeat(45)]], { k: "embstr", d: "raw" }],
  ["APPEND to an existing value", [["SET", "k", "5"], ["APPEND", "k", "1"]], { k: "raw" }],
  ["APPEND of nothing to an existing value", [["SET", "k", "abc"], ["APPEND", "k", ""]], { k: "raw" }],
  ["APPEND creating the key", [["APPEND", "k", "4"], ["APPEND", "d", "abc"]], { k: "int (shared)", d: "embstr" }],
  ["SETRANGE creating the key", [["SETRANGE", "k", "0", "1"]], { k: "raw" }],
  ["SETRANGE over an integer", [["SET", "k", "12"], ["SETRANGE", "k", "0", "3"]], { k: "raw" }],
  ["SETRANGE writing nothing", [["SET", "k", "12"], ["SETRANGE", "k", "0", ""]], { k: "int (shared)" }],
  ["INCRBYFLOAT to an integer", [["INCRBYFLOAT", "k", "7"], ["SET", "d", "5"], ["INCRBYFLOAT", "d", "1"]], {
    k: "embstr",
    d: "embstr"
  }],
  ["INCRBYFLOAT to a long result", [["INCRBYFLOAT", "k", "1e300"]], { k: "raw" }],
  ["INCR family", [["INCR", "k"], ["INCRBY", "d", "123456"], ["SET", "n", "5"], ["DECR", "n"]], {
    k: "int (shared)",
    d: "int",
    n: "int (shared)"
  }],
  ["INCR after INCRBYFLOAT or APPEND", [["INCRBYFLOAT", "k", "7"], ["INCR", "k"], ["SET", "d", "5"], ["APPEND", "d", "1"], ["INCRBY", "d", "0"]], {
    k: "int (shared)",
    d: "int (shared)"
  }],
  ["a failed INCR keeps raw", [["SET", "k", "abc"], ["APPEND", "k", "d"], ["INCR", "k"]], { k: "raw" }],
  ["TTL changes and reads keep raw", [
    ["SET", "k", "5"], ["APPEND", "k", "1"], ["EXPIRE", "k", "100"], ["PERSIST", "k"], ["GETEX", "k", "EX", "100"],
    ["GET", "k"], ["SET", "k", "6", "NX"], ["SETNX", "k", "7"], ["MSETNX", "k", "6"]
  ], { k: "raw" }],
  ...[
    ["SET", "k", "6", "XX"], ["SET", "k", "6", "KEEPTTL"], ["SET", "k", "6", "GET"], ["SET", "k", "6", "EX", "100"],
    ["GETSET", "k", "6"], ["MSET", "k", "6"], ["SETEX", "k", "100", "6"], ["PSETEX", "k", "100000", "6"]
  ].map((write) => [`${write.join(" ")} replaces raw`, [["SET", "k", "5"], ["APPEND", "k", "1"], write], { k: "int (shared)" }] as const),
  ...[["DEL", "k"], ["GETDEL", "k"], ["UNLINK", "k"], ["FLUSHDB"]].map((remove) =>
    [`${remove.join(" ")} forgets raw`, [["SET", "k", "5"], ["APPEND", "k", "1"], remove, ["SET", "k", "3"]], { k: "int (shared)" }] as const
  ),
  ["COPY keeps the encoding", [
    ["SET", "k", "5"], ["APPEND", "k", "1"], ["COPY", "k", "d"], ["INCRBYFLOAT", "f", "5"], ["COPY", "f", "g"],
    ["SET", "i", "5"], ["COPY", "i", "j"], ["SET", "x", "abc"], ["APPEND", "x", "y"], ["SET", "n", "1"], ["COPY", "x", "n", "REPLACE"]
  ], { k: "raw", d: "raw", f: "embstr", g: "embstr", i: "int (shared)", j: "int", n: "raw" }],
  ["RENAME keeps the encoding", [
    ["SET", "k", "5"], ["APPEND", "k", "1"], ["RENAME", "k", "d"], ["INCRBYFLOAT", "f", "5"], ["RENAMENX", "f", "g"],
    ["SET", "x", "5"], ["APPEND", "x", "1"], ["SET", "y", "7"], ["RENAME", "y", "x"], ["SET", "i", "5"], ["COPY", "i", "j"],
    ["RENAME", "j", "m"]
  ], { d: "raw", g: "embstr", x: "int (shared)", m: "int" }],
  ["MOVE and SWAPDB keep the encoding", [
    ["SET", "k", "5"], ["APPEND", "k", "1"], ["MOVE", "k", "1"], ["INCRBYFLOAT", "f", "5"], ["SWAPDB", "0", "1"],
    ["MOVE", "k", "1"], ["SWAPDB", "0", "1"]
  ], { k: "raw", f: "embstr" }]
]

const describeEncodings = (name: string, start: () => Promise<Target>) =>
  describe(name, () => {
    const target = useTarget(start)

    for (const [caseName, commands, expected] of ENCODING_CASES) {
      it(caseName, async () => {
        const { client } = target()
        await client.call("FLUSHALL")
        for (const args of commands) await client.call(...args)
        const actual: Record<string, string> = {}
        for (const key of Object.keys(expected)) {
          const encoding = await client.call("OBJECT", "ENCODING", key)
          const refcount = await client.call("OBJECT", "REFCOUNT", key)
          actual[key] = `${String(encoding.value)}${refcount.value === "2147483647" ? " (shared)" : ""}`
        }
        expect(actual).toEqual(expected)
      })
    }
  })

describeEncodings("string encodings by writing command (redfiber)", startOurs)
if (hasRealRedis) describeEncodings("string encodings by writing command (real Redis 7)", startReal)
