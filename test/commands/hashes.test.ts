/**
 * The hash family over TCP, byte for byte: case tables run against our server and real Redis 7
 * (test/support/caseTables.ts), including the listpack → hashtable conversion by CONFIG's
 * thresholds; then what cannot be a fixed reply (HRANDFIELD's picks, HSCAN over a big hash,
 * HINCRBYFLOAT over many generated texts) checked by property on both servers, the command
 * declarations against COMMAND INFO / DOCS, and the points where a command announces a change.
 */
import { describe, expect, it } from "@effect/vitest"
import { hashCommands } from "../../src/commands/hashes.js"
import {
  arity,
  arr,
  bulk,
  bulks,
  type Case,
  defineCaseSuites,
  err,
  int,
  nil,
  NOT_FLOAT,
  NOT_INTEGER,
  ok,
  simple,
  SYNTAX,
  targets,
  unordered,
  useServer,
  WRONGTYPE
} from "../support/caseTables.js"
import { describeDeclarations, describeSignals } from "../support/declarations.js"
import type { RawClient } from "../support/RawClient.js"
import { type Reply, showReply } from "../support/RespReader.js"
import { describeResp3Replies, type Resp3Cases } from "../support/resp3.js"
import { hasRealRedis, startRealRedis, startRedfiber } from "../support/servers.js"

const ALL_BYTES = Array.from({ length: 256 }, (_, i) => String.fromCharCode(i)).join("")
const EMPTY = arr()
const LISTPACK = bulk("listpack")
const HASHTABLE = bulk("hashtable")
const V64 = "v".repeat(64)
const V65 = "v".repeat(65)
const emptyScan = arr(bulk("0"), EMPTY)
const configSet = (name: string, value: string) => [["CONFIG", "SET", name, value], ok] as const
const failedSet = (name: string, reason: string) =>
  err(`ERR CONFIG SET failed (possibly related to argument '${name}') - ${reason}`)

const cases: ReadonlyArray<Case> = [
  ["set and get", (k) => [
    [["HSET", k("h"), "a", "1"], int(1)],
    [["HSET", k("h"), "a", "2", "b", "3"], int(1)],
    [["HGET", k("h"), "a"], bulk("2")],
    [["HGET", k("h"), "nope"], nil],
    [["HGET", k("none"), "a"], nil],
    [["hset", k("h"), ALL_BYTES, ALL_BYTES, "", ""], int(2)],
    [["HGET", k("h"), ALL_BYTES], bulk(ALL_BYTES)],
    [["HGET", k("h"), ""], bulk("")],
    [["HMSET", k("h"), "c", "4", "a", "5"], ok],
    [["HMGET", k("h"), "a", "nope", "c", ""], bulks("5", null, "4", "")],
    [["HMGET", k("none"), "a", "b"], bulks(null, null)],
    [["HLEN", k("h")], int(5)],
    [["HLEN", k("none")], int(0)],
    [["HEXISTS", k("h"), "a"], int(1)],
    [["HEXISTS", k("h"), "nope"], int(0)],
    [["HEXISTS", k("none"), "a"], int(0)],
    [["HSTRLEN", k("h"), ALL_BYTES], int(256)],
    [["HSTRLEN", k("h"), "nope"], int(0)],
    [["HSTRLEN", k("none"), "a"], int(0)],
    [["HSET", k("h"), "a", "1", "b"], arity("hset")],
    [["HMSET", k("h"), "a", "1", "b"], arity("hmset")],
    [["HSET", k("h"), "a"], arity("hset")],
    [["HGET", k("h")], arity("hget")],
    [["HMGET", k("h")], arity("hmget")],
    [["HSTRLEN", k("h")], arity("hstrlen")]
  ]],
  ["setnx and del", (k) => [
    [["HSETNX", k("h"), "a", "1"], int(1)],
    [["HSETNX", k("h"), "a", "2"], int(0)],
    [["HGET", k("h"), "a"], bulk("1")],
    [["HSETNX", k("h"), "b", "2"], int(1)],
    [["HDEL", k("h"), "a", "nope", "a"], int(1)],
    [["HDEL", k("none"), "a"], int(0)],
    [["HDEL", k("h"), "b"], int(1)],
    [["EXISTS", k("h")], int(0)],
    [["HSETNX", k("h"), "a"], arity("hsetnx")],
    [["HDEL", k("h")], arity("hdel")]
  ]],
  ["whole hash in listpack order", (k) => [
    [["HSET", k("h"), "z", "1", "a", "2", "m", "3"], int(3)],
    [["HSET", k("h"), "a", "20"], int(0)],
    [["HDEL", k("h"), "z"], int(1)],
    [["HSET", k("h"), "z", "10"], int(1)],
    [["HKEYS", k("h")], bulks("a", "m", "z")],
    [["HVALS", k("h")], bulks("20", "3", "10")],
    [["HGETALL", k("h")], bulks("a", "20", "m", "3", "z", "10")],
    [["HSCAN", k("h"), "0"], arr(bulk("0"), bulks("a", "20", "m", "3", "z", "10"))],
    [["HKEYS", k("none")], EMPTY],
    [["HVALS", k("none")], EMPTY],
    [["HGETALL", k("none")], EMPTY],
    [["HGETALL", k("h"), "x"], arity("hgetall")]
  ]],
  ["counters", (k) => [
    [["HINCRBY", k("h"), "n", "5"], int(5)],
    [["HINCRBY", k("h"), "n", "-7"], int(-2)],
    [["HINCRBY", k("h"), "n", "9223372036854775807"], int("9223372036854775805")],
    [["HINCRBY", k("h"), "n", "3"], err("ERR increment or decrement would overflow")],
    [["HINCRBY", k("h"), "n", "-9223372036854775808"], int(-3)],
    [["HINCRBY", k("h"), "n", "-9223372036854775806"], err("ERR increment or decrement would overflow")],
    [["HINCRBY", k("h"), "n", "-9223372036854775805"], int("-9223372036854775808")],
    [["HINCRBY", k("h"), "n", "x"], NOT_INTEGER],
    [["HINCRBY", k("h"), "n", "9223372036854775808"], NOT_INTEGER],
    [["HSET", k("h"), "s", "abc", "f", "1.5", "z", "007", "i", "inf", "sp", " 1"], int(5)],
    [["HINCRBY", k("h"), "s", "1"], err("ERR hash value is not an integer")],
    [["HINCRBY", k("h"), "f", "1"], err("ERR hash value is not an integer")],
    [["HINCRBY", k("h"), "z", "1"], err("ERR hash value is not an integer")],
    [["HINCRBYFLOAT", k("h"), "f", "0.1"], bulk("1.6")],
    [["HINCRBYFLOAT", k("h"), "z", "1"], bulk("8")],
    [["HINCRBYFLOAT", k("h"), "x", "10.5"], bulk("10.5")],
    [["HINCRBYFLOAT", k("h"), "x", "0.1"], bulk("10.6")],
    [["HINCRBYFLOAT", k("h"), "x", "-10.6"], bulk("0")],
    [["HINCRBYFLOAT", k("h"), "x", "1e-3"], bulk("0.001")],
    [["HINCRBYFLOAT", k("h"), "x", "0x10"], bulk("16.001")],
    [["HINCRBYFLOAT", k("h"), "x", "5e3"], bulk("5016.00099999999999989")],
    [["HINCRBYFLOAT", k("h"), "s", "1"], err("ERR hash value is not a float")],
    [["HINCRBYFLOAT", k("h"), "sp", "1"], err("ERR hash value is not a float")],
    [["HINCRBYFLOAT", k("h"), "i", "1"], err("ERR increment would produce NaN or Infinity")],
    [["HINCRBYFLOAT", k("h"), "x", "inf"], err("ERR value is NaN or Infinity")],
    [["HINCRBYFLOAT", k("h"), "x", "-Infinity"], err("ERR value is NaN or Infinity")],
    [["HINCRBYFLOAT", k("h"), "x", "nan"], NOT_FLOAT],
    [["HINCRBYFLOAT", k("h"), "x", "1e5000"], NOT_FLOAT],
    [["HINCRBYFLOAT", k("h"), "x", ""], NOT_FLOAT],
    [["HINCRBYFLOAT", k("none"), "x", "abc"], NOT_FLOAT],
    [["HINCRBY", k("none"), "x", "abc"], NOT_INTEGER],
    [["EXISTS", k("none")], int(0)],
    [["HINCRBYFLOAT", k("h"), "i", "1.5", "x"], arity("hincrbyfloat")],
    [["HINCRBY", k("h"), "i"], arity("hincrby")]
  ]],
  ["hrandfield edges", (k) => [
    [["HRANDFIELD", k("none")], nil],
    [["HRANDFIELD", k("none"), "5"], EMPTY],
    [["HRANDFIELD", k("none"), "-5", "WITHVALUES"], EMPTY],
    [["HSET", k("h"), "a", "1", "b", "2"], int(2)],
    [["HRANDFIELD", k("h"), "0"], EMPTY],
    [["HRANDFIELD", k("h"), "2"], unordered(bulk("a"), bulk("b"))],
    [["HRANDFIELD", k("h"), "100", "withvalues"], unordered(bulk("a"), bulk("1"), bulk("b"), bulk("2"))],
    [["HSET", k("one"), "only", "v"], int(1)],
    [["HRANDFIELD", k("one")], bulk("only")],
    [["HRANDFIELD", k("one"), "-3"], bulks("only", "only", "only")],
    [["HRANDFIELD", k("one"), "-2", "WITHVALUES"], bulks("only", "v", "only", "v")],
    [["HRANDFIELD", k("one"), "1", "WITHVALUES"], bulks("only", "v")],
    [["HRANDFIELD", k("h"), "x"], NOT_INTEGER],
    [["HRANDFIELD", k("h"), "1", "FOO"], SYNTAX],
    [["HRANDFIELD", k("h"), "1", "WITHVALUES", "x"], SYNTAX],
    [["HRANDFIELD", k("none"), "1", "FOO"], SYNTAX],
    [["HRANDFIELD", k("h"), "-9223372036854775808"], err(
      "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807"
    )],
    [["HRANDFIELD", k("h"), "-9223372036854775808", "FOO"], err(
      "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807"
    )],
    [["HRANDFIELD", k("h"), "4611686018427387904", "WITHVALUES"], err("ERR value is out of range")],
    [["HRANDFIELD", k("h"), "-4611686018427387904", "WITHVALUES"], err("ERR value is out of range")],
    [["HRANDFIELD", k("h"), "4611686018427387903", "WITHVALUES"], unordered(bulk("a"), bulk("1"), bulk("b"), bulk("2"))],
    [["HRANDFIELD", k("h"), "9223372036854775807"], unordered(bulk("a"), bulk("b"))]
  ]],
  ["hscan", (k) => [
    [["HSCAN", k("none"), "0"], emptyScan],
    [["HSCAN", k("none"), "0", "FOO"], emptyScan],
    [["HSCAN", k("none"), "x"], err("ERR invalid cursor")],
    [["HSET", k("h"), "a1", "1", "b1", "2", "a2", "3"], int(3)],
    [["HSCAN", k("h"), "0", "MATCH", "a*"], arr(bulk("0"), bulks("a1", "1", "a2", "3"))],
    [["HSCAN", k("h"), "0", "MATCH", "*", "COUNT", "1"], arr(bulk("0"), bulks("a1", "1", "b1", "2", "a2", "3"))],
    [["HSCAN", k("h"), "12345"], arr(bulk("0"), bulks("a1", "1", "b1", "2", "a2", "3"))],
    [["HSCAN", k("h"), "-1", "match", "?2"], arr(bulk("0"), bulks("a2", "3"))],
    [["HSCAN", k("h"), "18446744073709551615", "MATCH", "nothing"], emptyScan],
    [["HSCAN", k("h"), "18446744073709551616"], err("ERR invalid cursor")],
    [["HSCAN", k("h"), "1.5"], err("ERR invalid cursor")],
    [["HSCAN", k("h"), "0", "COUNT", "0"], SYNTAX],
    [["HSCAN", k("h"), "0", "COUNT", "x"], NOT_INTEGER],
    [["HSCAN", k("h"), "0", "TYPE", "hash"], SYNTAX],
    [["HSCAN", k("h"), "0", "MATCH"], SYNTAX],
    [["HSCAN", k("h")], arity("hscan")]
  ]],
  ["encoding by value length", (k) => [
    [["HSET", k("h"), "f", V64], int(1)],
    [["OBJECT", "ENCODING", k("h")], LISTPACK],
    [["HSETNX", k("h"), "f", V65], int(0)],
    [["OBJECT", "ENCODING", k("h")], LISTPACK],
    [["HSET", k("h"), "g"], arity("hset")],
    [["HSET", k("h"), "g", V65, "x"], arity("hset")],
    [["OBJECT", "ENCODING", k("h")], LISTPACK],
    [["HSET", k("h"), V65, "x"], int(1)],
    [["OBJECT", "ENCODING", k("h")], HASHTABLE],
    [["HDEL", k("h"), V65], int(1)],
    [["OBJECT", "ENCODING", k("h")], HASHTABLE],
    [["HSET", k("new"), "f", V65], int(1)],
    [["OBJECT", "ENCODING", k("new")], HASHTABLE],
    [["HMSET", k("m"), "a", "1", "b", V65], ok],
    [["OBJECT", "ENCODING", k("m")], HASHTABLE],
    [["HSETNX", k("nx"), "a", V65], int(1)],
    [["OBJECT", "ENCODING", k("nx")], HASHTABLE],
    [["HINCRBY", k("i"), V65, "1"], int(1)],
    [["OBJECT", "ENCODING", k("i")], HASHTABLE],
    // 10^63 is not exact in a long double: 63 digits, then 64 (still fits), then 65.
    [["HINCRBYFLOAT", k("fl"), "f", "1e63"], bulk("999999999999999999965225407341472151966654053379893968647487488")],
    [["OBJECT", "ENCODING", k("fl")], LISTPACK],
    [["HINCRBYFLOAT", k("fl"), "f", "9e63"], bulk("9999999999999999999830660035002966504798826279980126578522718208")],
    [["OBJECT", "ENCODING", k("fl")], LISTPACK],
    [["HINCRBYFLOAT", k("fl"), "f", "1"], bulk("9999999999999999999830660035002966504798826279980126578522718208")],
    [["HINCRBYFLOAT", k("fl"), "f", "1e63"], bulk("10999999999999999999885088423138561149331623206450613993194127360")],
    [["OBJECT", "ENCODING", k("fl")], HASHTABLE],
    [["HGETALL", k("i")], bulks(V65, "1")]
  ]],
  ["encoding by thresholds", (k) => [
    configSet("hash-max-listpack-entries", "2"),
    [["HSET", k("h"), "a", "1", "b", "2"], int(2)],
    [["OBJECT", "ENCODING", k("h")], LISTPACK],
    [["HSET", k("h"), "c", "3"], int(1)],
    [["OBJECT", "ENCODING", k("h")], HASHTABLE],
    [["HDEL", k("h"), "b", "c"], int(2)],
    [["OBJECT", "ENCODING", k("h")], HASHTABLE],
    [["HSET", k("all"), "a", "1", "b", "2", "c", "3"], int(3)],
    [["OBJECT", "ENCODING", k("all")], HASHTABLE],
    [["HSET", k("same"), "a", "1", "a", "2", "a", "3"], int(1)],
    [["OBJECT", "ENCODING", k("same")], LISTPACK],
    configSet("hash-max-listpack-entries", "512"),
    [["HSET", k("lower"), "a", "1", "b", "2", "c", "3"], int(3)],
    configSet("hash-max-ziplist-entries", "2"),
    [["HGET", k("lower"), "a"], bulk("1")],
    [["HSETNX", k("lower"), "a", "9"], int(0)],
    [["OBJECT", "ENCODING", k("lower")], LISTPACK],
    [["HSET", k("lower"), "a", "1"], int(0)],
    [["OBJECT", "ENCODING", k("lower")], HASHTABLE],
    configSet("hash-max-listpack-entries", "0"),
    [["HINCRBY", k("zero"), "a", "1"], int(1)],
    [["OBJECT", "ENCODING", k("zero")], HASHTABLE],
    configSet("hash-max-listpack-entries", "512"),
    configSet("hash-max-listpack-value", "0"),
    [["HSET", k("empty"), "", ""], int(1)],
    [["OBJECT", "ENCODING", k("empty")], LISTPACK],
    [["HINCRBY", k("empty"), "", "1"], err("ERR hash value is not an integer")],
    [["OBJECT", "ENCODING", k("empty")], LISTPACK],
    [["HINCRBY", k("empty"), "n", "1"], int(1)],
    [["OBJECT", "ENCODING", k("empty")], HASHTABLE],
    configSet("hash-max-ziplist-value", "1k"),
    [["HSET", k("k"), "f", "x".repeat(1000)], int(1)],
    [["OBJECT", "ENCODING", k("k")], LISTPACK],
    [["HSET", k("k"), "f", "x".repeat(1001)], int(0)],
    [["OBJECT", "ENCODING", k("k")], HASHTABLE],
    configSet("hash-max-listpack-value", "64")
  ]],
  ["encoding thresholds in CONFIG", () => [
    [["CONFIG", "GET", "hash-max-listpack-entries"], bulks("hash-max-listpack-entries", "512")],
    [["CONFIG", "GET", "hash-max-ziplist-value"], bulks("hash-max-ziplist-value", "64")],
    [["CONFIG", "GET", "list-max-listpack-size"], bulks("list-max-listpack-size", "-2")],
    [["CONFIG", "GET", "LIST-MAX-ZIPLIST-SIZE"], bulks("LIST-MAX-ZIPLIST-SIZE", "-2")],
    [["CONFIG", "GET", "list-max-*"], unordered(...bulks("list-max-listpack-size", "-2", "list-max-ziplist-size", "-2").value as ReadonlyArray<Reply>)],
    [["CONFIG", "GET", "hash-max-*-value"], unordered(...bulks("hash-max-listpack-value", "64", "hash-max-ziplist-value", "64").value as ReadonlyArray<Reply>)],
    [["CONFIG", "SET", "list-max-ziplist-size", "1", "list-max-listpack-size", "7"], ok],
    [["CONFIG", "GET", "list-max-ziplist-size"], bulks("list-max-ziplist-size", "7")],
    [["CONFIG", "SET", "list-max-listpack-size", "-2147483648"], ok],
    [["CONFIG", "GET", "list-max-listpack-size"], bulks("list-max-listpack-size", "-2147483648")],
    [["CONFIG", "SET", "list-max-listpack-size", "2147483648"], failedSet(
      "list-max-listpack-size", "argument must be between -2147483648 and 2147483647 inclusive"
    )],
    [["CONFIG", "SET", "list-max-listpack-size", "+5"], failedSet(
      "list-max-listpack-size", "argument couldn't be parsed into an integer"
    )],
    [["CONFIG", "SET", "list-max-listpack-size", "-2"], ok],
    [["CONFIG", "SET", "hash-max-listpack-entries", "9223372036854775807"], ok],
    [["CONFIG", "GET", "hash-max-ziplist-entries"], bulks("hash-max-ziplist-entries", "9223372036854775807")],
    [["CONFIG", "SET", "hash-max-listpack-entries", "-1"], failedSet(
      "hash-max-listpack-entries", "argument must be between 0 and 9223372036854775807 inclusive"
    )],
    [["CONFIG", "SET", "hash-max-listpack-entries", "1k"], failedSet(
      "hash-max-listpack-entries", "argument couldn't be parsed into an integer"
    )],
    [["CONFIG", "SET", "hash-max-listpack-entries", "9223372036854775808"], failedSet(
      "hash-max-listpack-entries", "argument couldn't be parsed into an integer"
    )],
    [["CONFIG", "SET", "hash-max-listpack-entries", "512"], ok],
    [["CONFIG", "SET", "hash-max-listpack-value", "1.5"], failedSet("hash-max-listpack-value", "argument must be a memory value")],
    [["CONFIG", "SET", "hash-max-listpack-value", "-1"], failedSet("hash-max-listpack-value", "argument must be a memory value")],
    [["CONFIG", "SET", "hash-max-listpack-value", "9223372036854775808"], failedSet(
      "hash-max-listpack-value", "argument must be between 0 and 9223372036854775807 inclusive"
    )],
    [["CONFIG", "SET", "hash-max-listpack-value", "8gb"], ok],
    [["CONFIG", "GET", "hash-max-listpack-value"], bulks("hash-max-listpack-value", "8589934592")],
    [["CONFIG", "SET", "hash-max-listpack-value", ""], ok],
    [["CONFIG", "GET", "hash-max-listpack-value"], bulks("hash-max-listpack-value", "0")],
    [["CONFIG", "SET", "hash-max-listpack-value", "64"], ok]
  ]],
  ["wrong types across families", (k) => [
    [["SET", k("s"), "v"], ok],
    [["RPUSH", k("l"), "a"], int(1)],
    [["HSET", k("h"), "f", "v"], int(1)],
    [["TYPE", k("h")], simple("hash")],
    ...[k("s"), k("l")].flatMap((key) => [
      [["HSET", key, "f", "v"], WRONGTYPE],
      [["HMSET", key, "f", "v"], WRONGTYPE],
      [["HSETNX", key, "f", "v"], WRONGTYPE],
      [["HGET", key, "f"], WRONGTYPE],
      [["HMGET", key, "f"], WRONGTYPE],
      [["HDEL", key, "f"], WRONGTYPE],
      [["HEXISTS", key, "f"], WRONGTYPE],
      [["HLEN", key], WRONGTYPE],
      [["HSTRLEN", key, "f"], WRONGTYPE],
      [["HKEYS", key], WRONGTYPE],
      [["HVALS", key], WRONGTYPE],
      [["HGETALL", key], WRONGTYPE],
      [["HINCRBY", key, "f", "1"], WRONGTYPE],
      [["HINCRBYFLOAT", key, "f", "1"], WRONGTYPE],
      [["HRANDFIELD", key], WRONGTYPE],
      [["HRANDFIELD", key, "2", "WITHVALUES"], WRONGTYPE],
      [["HSCAN", key, "0"], WRONGTYPE]
    ] as const),
    [["HINCRBY", k("s"), "f", "x"], NOT_INTEGER],
    [["HSCAN", k("s"), "x"], err("ERR invalid cursor")],
    [["GET", k("h")], WRONGTYPE],
    [["INCRBYFLOAT", k("h"), "1"], WRONGTYPE],
    [["LPUSH", k("h"), "x"], WRONGTYPE],
    [["LRANGE", k("h"), "0", "-1"], WRONGTYPE]
  ]],
  ["generic commands on hashes", (k) => [
    [["HSET", k("h"), "a", "1"], int(1)],
    [["HSET", k("big"), "f", V65], int(1)],
    [["COPY", k("h"), k("c")], int(1)],
    [["COPY", k("big"), k("bc")], int(1)],
    [["OBJECT", "ENCODING", k("bc")], HASHTABLE],
    [["HSET", k("bc"), "g", "1"], int(1)],
    [["HDEL", k("bc"), "f"], int(1)],
    [["OBJECT", "ENCODING", k("bc")], HASHTABLE],
    [["HGETALL", k("big")], bulks("f", V65)],
    [["HSET", k("c"), "b", "2"], int(1)],
    [["HGETALL", k("h")], bulks("a", "1")],
    [["HGETALL", k("c")], bulks("a", "1", "b", "2")],
    [["RENAME", k("big"), k("moved")], ok],
    [["OBJECT", "ENCODING", k("moved")], HASHTABLE],
    [["MOVE", k("moved"), "1"], int(1)],
    [["EXISTS", k("moved")], int(0)],
    [["EXPIRE", k("c"), "100"], int(1)],
    [["HSET", k("c"), "z", "9"], int(1)],
    [["TTL", k("c")], int(100)],
    [["HDEL", k("c"), "a", "b", "z"], int(3)],
    [["TTL", k("c")], int(-2)],
    [["HSET", k("e"), "x", "1"], int(1)],
    [["PEXPIREAT", k("e"), "1"], int(1)],
    [["HGET", k("e"), "x"], nil],
    [["HLEN", k("e")], int(0)],
    [["DEL", k("h"), k("bc")], int(2)]
  ]]
]

defineCaseSuites("hashes", cases)

/** Elements of an array reply as strings (throws on anything else). */
const elements = (reply: Reply): Array<string> => {
  if (reply.kind !== "array" || reply.value === null) throw new Error(`not an array: ${showReply(reply)}`)
  return reply.value.map((item) => {
    if (item.kind !== "bulk" || item.value === null) throw new Error(`not a bulk: ${showReply(item)}`)
    return item.value
  })
}

const fill = async (client: RawClient, key: string, size: number, valueLength = 3) => {
  await client.call("DEL", key)
  const args: Array<string> = []
  for (let i = 0; i < size; i++) args.push(`f${i}`, `v${i}`.padEnd(valueLength, "."))
  await client.call("HSET", key, ...args)
}

for (const [targetName, start] of targets) {
  describe(`hash properties (${targetName})`, () => {
    const target = useServer(start)

    for (const [encoding, size, valueLength] of [["listpack", 20, 3], ["hashtable", 300, 70]] as const) {
      it(`HRANDFIELD picks fields of a ${encoding} hash: distinct for a positive count, any for a negative one`, async () => {
        const { client } = target()
        await fill(client, "r", size, valueLength)
        expect((await client.call("OBJECT", "ENCODING", "r")).value).toBe(encoding)
        const all = new Map<string, string>()
        const flat = elements(await client.call("HGETALL", "r"))
        for (let i = 0; i < flat.length; i += 2) all.set(flat[i], flat[i + 1])
        for (const count of [1, 2, size - 1, size, size + 5]) {
          const picked = elements(await client.call("HRANDFIELD", "r", String(count)))
          expect(picked.length).toBe(Math.min(count, size))
          expect(new Set(picked).size).toBe(picked.length)
          for (const field of picked) expect(all.has(field)).toBe(true)
          const pairs = elements(await client.call("HRANDFIELD", "r", String(count), "WITHVALUES"))
          expect(pairs.length).toBe(Math.min(count, size) * 2)
          for (let i = 0; i < pairs.length; i += 2) expect(all.get(pairs[i])).toBe(pairs[i + 1])
        }
        const seen = new Set<string>()
        for (let round = 0; round < 20; round++) {
          const picked = elements(await client.call("HRANDFIELD", "r", String(-size)))
          expect(picked.length).toBe(size)
          for (const field of picked) {
            expect(all.has(field)).toBe(true)
            seen.add(field)
          }
        }
        // 20 rounds of `size` independent picks miss a given field with probability (1-1/size)^(20·size) < 1e-8.
        expect(seen.size).toBe(size)
        const single = await client.call("HRANDFIELD", "r")
        expect(single.kind === "bulk" && all.has(String(single.value))).toBe(true)
      })

      it(`HSCAN over a ${encoding} hash returns every field that stays, with its value`, async () => {
        const { client } = target()
        await fill(client, "s", size, valueLength)
        for (const count of ["1", "7", "1000"]) {
          const found = new Map<string, string>()
          let cursor = "0"
          let calls = 0
          do {
            const page = await client.call("HSCAN", "s", cursor, "COUNT", count)
            if (page.kind !== "array" || page.value === null) throw new Error(showReply(page))
            cursor = String(page.value[0].value)
            const flat = elements(page.value[1])
            for (let i = 0; i < flat.length; i += 2) found.set(flat[i], flat[i + 1])
            // Changes during the iteration: fields that come and go may or may not be returned.
            if (calls === 1) await client.call("HSET", "s", "during", "x")
            if (calls === 2) await client.call("HDEL", "s", "during")
            calls++
          } while (cursor !== "0" && calls < 10_000)
          expect(cursor).toBe("0")
          if (encoding === "listpack") expect(calls).toBe(1)
          found.delete("during")
          expect(found.size).toBe(size)
          for (let i = 0; i < size; i++) expect(found.get(`f${i}`)).toBe(`v${i}`.padEnd(valueLength, "."))
        }
      })
    }
  })
}

describe("HRANDFIELD on our server only", () => {
  const target = useServer(() => startRedfiber())

  // Redis 7.0 would try to build these replies until it runs out of memory (see hashes/random.ts).
  it("refuses a negative count whose reply could not be built", async () => {
    const { client } = target()
    await client.call("HSET", "h", "a", "1")
    for (const count of ["-100000000", "-9007199254740993", "-9223372036854775807"]) {
      expect(await client.call("HRANDFIELD", "h", count)).toEqual(err("ERR value is out of range"))
      expect(await client.call("HRANDFIELD", "h", count, "WITHVALUES")).toEqual(err("ERR value is out of range"))
    }
    expect(elements(await client.call("HRANDFIELD", "h", "-1000")).length).toBe(1000)
  })
})

/** Deterministic float texts of several shapes (the strings family tests the full variety). */
const floatTexts = (count: number): Array<string> => {
  let seed = 777
  const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648
  const digits = (n: number) => Array.from({ length: n }, () => Math.floor(random() * 10)).join("")
  const sign = () => ["", "", "-", "+"][Math.floor(random() * 4)]
  const shapes = [
    () => `${sign()}${digits(1 + Math.floor(random() * 6))}.${digits(Math.floor(random() * 20))}`,
    () => `${sign()}${digits(1 + Math.floor(random() * 3))}e${sign()}${Math.floor(random() * 40)}`,
    () => `${sign()}0x${digits(1 + Math.floor(random() * 8))}p${sign()}${Math.floor(random() * 20)}`,
    () => `${sign()}${digits(1 + Math.floor(random() * 19))}`
  ]
  return Array.from({ length: count }, () => shapes[Math.floor(random() * shapes.length)]())
}

describe.skipIf(!hasRealRedis)("HINCRBYFLOAT against real Redis", () => {
  const ours = useServer(() => startRedfiber())
  const real = useServer(() => startRealRedis())

  it("gives the same text and encoding for 300 generated value/increment pairs", async () => {
    const texts = floatTexts(600)
    const transcripts = await Promise.all([ours(), real()].map(async ({ client }) => {
      const lines: Array<string> = []
      for (let i = 0; i < texts.length; i += 2) {
        await client.call("HSET", "float", "f", texts[i])
        const reply = await client.call("HINCRBYFLOAT", "float", "f", texts[i + 1])
        const encoding = await client.call("OBJECT", "ENCODING", "float")
        lines.push(`${texts[i]} + ${texts[i + 1]} = ${showReply(reply)} (${String(encoding.value)})`)
        await client.call("DEL", "float")
      }
      return lines
    }))
    expect(transcripts[0]).toEqual(transcripts[1])
  })
})

describeDeclarations("hash command declarations", hashCommands)

describeSignals("hash commands announce a change exactly when Redis signals one", [
  [["HSET", "k", "a", "1"], ["HDEL", "k", "zz"], false],
  [["HSET", "k", "a", "1"], ["HDEL", "k", "zz", "a"], true],
  [["HSET", "k", "a", "1"], ["HSETNX", "k", "a", "2"], false],
  [["HSET", "k", "a", "1"], ["HSETNX", "k", "b", "2"], true],
  [["HSET", "k", "a", "1"], ["HSET", "k", "a", "1"], true],
  [["HSET", "k", "a", "1"], ["HMSET", "k", "a", "1"], true],
  [["HSET", "k", "a", "1"], ["HINCRBY", "k", "a", "0"], true],
  [["HSET", "k", "a", "x"], ["HINCRBY", "k", "a", "1"], false],
  [["HSET", "k", "a", "x"], ["HINCRBYFLOAT", "k", "a", "1"], false],
  [["HSET", "k", "a", "1"], ["HINCRBYFLOAT", "k", "a", "1"], true],
  [["HSET", "k", "a", "1"], ["HGETALL", "k"], false],
  [["HSET", "k", "a", "1"], ["HRANDFIELD", "k", "-2"], false],
  [["HSET", "k", "a", "1"], ["HSCAN", "k", "0"], false],
  [[], ["HINCRBY", "k", "a", "1"], true]
])

/** RESP3 shapes, ready for HELLO 3: a map for HGETALL, [field, value] pairs for HRANDFIELD. */
const RESP3_CASES: Resp3Cases = [
  [["HSET", "h", "a", "1"], ":1\r\n"],
  [["HGETALL", "h"], "%1\r\n$1\r\na\r\n$1\r\n1\r\n"],
  [["HGETALL", "none"], "%0\r\n"],
  [["HRANDFIELD", "h", "5", "WITHVALUES"], "*1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n"],
  [["HRANDFIELD", "h", "-2", "WITHVALUES"], "*2\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n"],
  [["HRANDFIELD", "h", "1", "WITHVALUES"], "*1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n"],
  [["HRANDFIELD", "h", "2"], "*1\r\n$1\r\na\r\n"],
  [["HRANDFIELD", "none", "2", "WITHVALUES"], "*0\r\n"],
  [["HRANDFIELD", "none"], "_\r\n"],
  [["HGET", "h", "none"], "_\r\n"],
  [["HMGET", "h", "a", "b"], "*2\r\n$1\r\n1\r\n_\r\n"],
  [["HSCAN", "h", "0"], "*2\r\n$1\r\n0\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n"]
]

describeResp3Replies("hash replies in RESP3", RESP3_CASES)
