/**
 * The list family over TCP, byte for byte: case tables run against our server and real Redis 7
 * (test/support/caseTables.ts), then the ring buffer against an array model (fast-check), the
 * command declarations against COMMAND INFO / DOCS, and the points where a command announces a
 * change (what WATCH and blocked clients will hang on) against Redis's own.
 */
import { describe, expect, it } from "@effect/vitest"
import * as fc from "fast-check"
import { listCommands } from "../../src/commands/lists.js"
import { ListValue } from "../../src/keyspace/values/ListValue.js"
import {
  arity,
  arr,
  bulk,
  bulks,
  type Case,
  defineCaseSuites,
  err,
  int,
  ints,
  nil,
  nilArray,
  NOT_INTEGER,
  ok,
  simple,
  SYNTAX,
  WRONGTYPE
} from "../support/caseTables.js"
import { describeDeclarations, describeSignals } from "../support/declarations.js"
import { describeResp3Replies, type Resp3Cases } from "../support/resp3.js"

const ALL_BYTES = Array.from({ length: 256 }, (_, i) => String.fromCharCode(i)).join("")
const EMPTY = arr()
const ERR_POSITIVE = err("ERR value is out of range, must be positive")
const ERR_RANK_ZERO = err(
  "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list"
)

const cases: ReadonlyArray<Case> = [
  ["push and range", (k) => [
    [["LPUSH", k("l"), "a"], int(1)],
    [["LPUSH", k("l"), "b", "c"], int(3)],
    [["RPUSH", k("l"), "d", "e"], int(5)],
    [["LRANGE", k("l"), "0", "-1"], bulks("c", "b", "a", "d", "e")],
    [["LLEN", k("l")], int(5)],
    [["rpush", k("l"), "", ALL_BYTES], int(7)],
    [["LRANGE", k("l"), "5", "6"], bulks("", ALL_BYTES)],
    [["LRANGE", k("l"), "-2", "-1"], bulks("", ALL_BYTES)],
    [["LRANGE", k("l"), "-100", "1"], bulks("c", "b")],
    [["LRANGE", k("l"), "5", "100"], bulks("", ALL_BYTES)],
    [["LRANGE", k("l"), "3", "2"], EMPTY],
    [["LRANGE", k("l"), "7", "10"], EMPTY],
    [["LRANGE", k("l"), "-1", "-2"], EMPTY],
    [["LRANGE", k("l"), "-9223372036854775808", "9223372036854775807"], bulks("c", "b", "a", "d", "e", "", ALL_BYTES)],
    [["LRANGE", k("l"), "0", "-8"], EMPTY],
    [["LRANGE", k("l"), "0", "-7"], bulks("c")],
    [["LRANGE", k("l"), "a", "1"], NOT_INTEGER],
    [["LRANGE", k("l"), "0", "9223372036854775808"], NOT_INTEGER],
    [["LRANGE", k("none"), "0", "-1"], EMPTY],
    [["LRANGE", k("none"), "x", "-1"], NOT_INTEGER],
    [["LLEN", k("none")], int(0)],
    [["LPUSH", k("l")], arity("lpush")],
    [["LRANGE", k("l"), "0"], arity("lrange")],
    [["LLEN"], arity("llen")]
  ]],
  ["pushx", (k) => [
    [["LPUSHX", k("l"), "a"], int(0)],
    [["RPUSHX", k("l"), "a", "b"], int(0)],
    [["EXISTS", k("l")], int(0)],
    [["RPUSH", k("l"), "x"], int(1)],
    [["LPUSHX", k("l"), "a", "b"], int(3)],
    [["RPUSHX", k("l"), "y", "z"], int(5)],
    [["LRANGE", k("l"), "0", "-1"], bulks("b", "a", "x", "y", "z")],
    [["RPUSHX", k("l")], arity("rpushx")]
  ]],
  ["pop", (k) => [
    [["RPUSH", k("l"), "a", "b", "c", "d", "e"], int(5)],
    [["LPOP", k("l")], bulk("a")],
    [["RPOP", k("l")], bulk("e")],
    [["LPOP", k("l"), "2"], bulks("b", "c")],
    [["LPOP", k("l"), "0"], EMPTY],
    [["RPOP", k("l"), "5"], bulks("d")],
    [["EXISTS", k("l")], int(0)],
    [["LPOP", k("l")], nil],
    [["LPOP", k("l"), "1"], nilArray],
    [["RPOP", k("l"), "0"], nilArray],
    [["LPOP", k("l"), "-1"], ERR_POSITIVE],
    [["LPOP", k("l"), "abc"], ERR_POSITIVE],
    [["RPOP", k("l"), "9223372036854775808"], ERR_POSITIVE],
    [["LPOP", k("l"), "1", "2"], arity("lpop")],
    [["RPOP", k("l"), "1", "2"], arity("rpop")],
    [["RPUSH", k("l"), "a", "b", "c"], int(3)],
    [["RPOP", k("l"), "2"], bulks("c", "b")],
    [["LPOP", k("l"), "9223372036854775807"], bulks("a")],
    [["LPOP"], arity("lpop")]
  ]],
  ["index and set", (k) => [
    [["RPUSH", k("l"), "a", "b", "c"], int(3)],
    [["LINDEX", k("l"), "0"], bulk("a")],
    [["LINDEX", k("l"), "-1"], bulk("c")],
    [["LINDEX", k("l"), "-3"], bulk("a")],
    [["LINDEX", k("l"), "-4"], nil],
    [["LINDEX", k("l"), "3"], nil],
    [["LINDEX", k("l"), "9223372036854775807"], nil],
    [["LINDEX", k("l"), "-9223372036854775808"], nil],
    [["LINDEX", k("l"), "x"], NOT_INTEGER],
    [["LINDEX", k("none"), "x"], nil],
    [["LSET", k("l"), "1", "B"], ok],
    [["LSET", k("l"), "-1", "C"], ok],
    [["LSET", k("l"), "-4", "X"], err("ERR index out of range")],
    [["LSET", k("l"), "3", "X"], err("ERR index out of range")],
    [["LSET", k("l"), "x", "X"], NOT_INTEGER],
    [["LSET", k("none"), "x", "X"], err("ERR no such key")],
    [["LSET", k("none"), "0", "X"], err("ERR no such key")],
    [["LRANGE", k("l"), "0", "-1"], bulks("a", "B", "C")],
    [["LINDEX", k("l")], arity("lindex")],
    [["LSET", k("l"), "0"], arity("lset")]
  ]],
  ["linsert", (k) => [
    [["LINSERT", k("l"), "BEFORE", "a", "x"], int(0)],
    [["EXISTS", k("l")], int(0)],
    [["RPUSH", k("l"), "a", "b", "a"], int(3)],
    [["LINSERT", k("l"), "before", "a", "x"], int(4)],
    [["LINSERT", k("l"), "AFTER", "a", "y"], int(5)],
    [["LINSERT", k("l"), "After", "b", "z"], int(6)],
    [["LINSERT", k("l"), "BEFORE", "nope", "z"], int(-1)],
    [["LRANGE", k("l"), "0", "-1"], bulks("x", "a", "y", "b", "z", "a")],
    [["LINSERT", k("l"), "AFTER", "a", ""], int(7)],
    [["LINSERT", k("l"), "MIDDLE", "a", "z"], SYNTAX],
    [["LINSERT", k("none"), "MIDDLE", "a", "z"], SYNTAX],
    [["LINSERT", k("l"), "AFTER", "a"], arity("linsert")],
    [["LRANGE", k("l"), "0", "-1"], bulks("x", "a", "", "y", "b", "z", "a")]
  ]],
  ["lrem", (k) => [
    [["RPUSH", k("l"), "a", "b", "a", "c", "a", "b", "a"], int(7)],
    [["LREM", k("l"), "2", "a"], int(2)],
    [["LRANGE", k("l"), "0", "-1"], bulks("b", "c", "a", "b", "a")],
    [["LREM", k("l"), "-1", "b"], int(1)],
    [["LRANGE", k("l"), "0", "-1"], bulks("b", "c", "a", "a")],
    [["LREM", k("l"), "-5", "a"], int(2)],
    [["LREM", k("l"), "0", "nope"], int(0)],
    [["LREM", k("l"), "0", "b"], int(1)],
    [["LREM", k("l"), "-9223372036854775808", "c"], int(1)],
    [["EXISTS", k("l")], int(0)],
    [["LREM", k("l"), "0", "a"], int(0)],
    [["LREM", k("l"), "x", "a"], NOT_INTEGER],
    [["LREM", k("l"), "1"], arity("lrem")]
  ]],
  ["ltrim", (k) => [
    [["RPUSH", k("l"), "a", "b", "c", "d", "e"], int(5)],
    [["LTRIM", k("l"), "1", "-2"], ok],
    [["LRANGE", k("l"), "0", "-1"], bulks("b", "c", "d")],
    [["LTRIM", k("l"), "-100", "100"], ok],
    [["LRANGE", k("l"), "0", "-1"], bulks("b", "c", "d")],
    [["LTRIM", k("l"), "1", "1"], ok],
    [["LRANGE", k("l"), "0", "-1"], bulks("c")],
    [["LTRIM", k("l"), "1", "0"], ok],
    [["EXISTS", k("l")], int(0)],
    [["LTRIM", k("l"), "0", "1"], ok],
    [["LTRIM", k("l"), "a", "1"], NOT_INTEGER],
    [["RPUSH", k("l"), "a", "b"], int(2)],
    [["LTRIM", k("l"), "5", "10"], ok],
    [["EXISTS", k("l")], int(0)],
    [["RPUSH", k("l"), "a", "b"], int(2)],
    [["LTRIM", k("l"), "0", "-3"], ok],
    [["EXISTS", k("l")], int(0)],
    [["LTRIM", k("l"), "0"], arity("ltrim")]
  ]],
  ["lpos", (k) => [
    [["RPUSH", k("l"), "a", "b", "c", "a", "b", "c", "a"], int(7)],
    [["LPOS", k("l"), "a"], int(0)],
    [["LPOS", k("l"), "c"], int(2)],
    [["LPOS", k("l"), "z"], nil],
    [["LPOS", k("l"), "a", "RANK", "2"], int(3)],
    [["LPOS", k("l"), "a", "RANK", "-1"], int(6)],
    [["LPOS", k("l"), "a", "RANK", "-3"], int(0)],
    [["LPOS", k("l"), "a", "RANK", "4"], nil],
    [["LPOS", k("l"), "a", "COUNT", "0"], ints(0, 3, 6)],
    [["LPOS", k("l"), "a", "COUNT", "2"], ints(0, 3)],
    [["LPOS", k("l"), "a", "COUNT", "2", "RANK", "-1"], ints(6, 3)],
    [["LPOS", k("l"), "a", "COUNT", "5", "RANK", "2"], ints(3, 6)],
    [["LPOS", k("l"), "z", "COUNT", "0"], EMPTY],
    [["LPOS", k("l"), "a", "MAXLEN", "3"], int(0)],
    [["LPOS", k("l"), "a", "MAXLEN", "3", "RANK", "2"], nil],
    [["LPOS", k("l"), "a", "MAXLEN", "4", "RANK", "2"], int(3)],
    [["LPOS", k("l"), "c", "MAXLEN", "2", "RANK", "-1"], int(5)],
    [["LPOS", k("l"), "b", "MAXLEN", "2", "RANK", "-1"], nil],
    [["LPOS", k("l"), "b", "MAXLEN", "2", "RANK", "-1", "COUNT", "0"], EMPTY],
    [["LPOS", k("l"), "a", "COUNT", "0", "MAXLEN", "0"], ints(0, 3, 6)],
    [["LPOS", k("l"), "a", "rank", "9223372036854775807"], nil],
    // -2^63 cannot be negated: Redis matches from the tail and ignores COUNT.
    [["LPOS", k("l"), "a", "RANK", "-9223372036854775808"], int(6)],
    [["LPOS", k("l"), "a", "RANK", "-9223372036854775808", "COUNT", "1"], ints(6, 3, 0)],
    [["LPOS", k("l"), "a", "RANK", "-9223372036854775808", "COUNT", "1", "MAXLEN", "4"], ints(6, 3)],
    [["LPOS", k("l"), "a", "RANK", "0"], ERR_RANK_ZERO],
    [["LPOS", k("l"), "a", "RANK", "x"], NOT_INTEGER],
    [["LPOS", k("l"), "a", "COUNT", "-1"], err("ERR COUNT can't be negative")],
    [["LPOS", k("l"), "a", "COUNT", "x"], err("ERR COUNT can't be negative")],
    [["LPOS", k("l"), "a", "MAXLEN", "-1"], err("ERR MAXLEN can't be negative")],
    [["LPOS", k("l"), "a", "RANK"], SYNTAX],
    [["LPOS", k("l"), "a", "FOO", "1"], SYNTAX],
    [["LPOS", k("none"), "a"], nil],
    [["LPOS", k("none"), "a", "COUNT", "1"], EMPTY],
    [["LPOS", k("none"), "a", "RANK", "0"], ERR_RANK_ZERO],
    [["LPOS", k("l")], arity("lpos")]
  ]],
  ["lmove and rpoplpush", (k) => [
    [["RPUSH", k("s"), "a", "b", "c"], int(3)],
    [["LMOVE", k("s"), k("d"), "LEFT", "RIGHT"], bulk("a")],
    [["LMOVE", k("s"), k("d"), "right", "left"], bulk("c")],
    [["LRANGE", k("d"), "0", "-1"], bulks("c", "a")],
    [["RPOPLPUSH", k("s"), k("d")], bulk("b")],
    [["EXISTS", k("s")], int(0)],
    [["LRANGE", k("d"), "0", "-1"], bulks("b", "c", "a")],
    [["RPOPLPUSH", k("s"), k("d")], nil],
    [["LMOVE", k("d"), k("d"), "LEFT", "RIGHT"], bulk("b")],
    [["LRANGE", k("d"), "0", "-1"], bulks("c", "a", "b")],
    [["RPOPLPUSH", k("d"), k("d")], bulk("b")],
    [["LRANGE", k("d"), "0", "-1"], bulks("b", "c", "a")],
    [["RPUSH", k("one"), "x"], int(1)],
    [["LMOVE", k("one"), k("one"), "LEFT", "LEFT"], bulk("x")],
    [["LRANGE", k("one"), "0", "-1"], bulks("x")],
    [["LMOVE", k("d"), k("d"), "UP", "LEFT"], SYNTAX],
    [["LMOVE", k("none"), k("d"), "LEFT", "DOWN"], SYNTAX],
    [["LMOVE", k("none"), k("d"), "LEFT", "LEFT"], nil],
    [["SET", k("str"), "v"], ok],
    [["LMOVE", k("d"), k("str"), "LEFT", "LEFT"], WRONGTYPE],
    [["LMOVE", k("str"), k("d"), "LEFT", "LEFT"], WRONGTYPE],
    [["LMOVE", k("none"), k("str"), "LEFT", "LEFT"], nil],
    [["RPOPLPUSH", k("d"), k("str")], WRONGTYPE],
    [["LRANGE", k("d"), "0", "-1"], bulks("b", "c", "a")],
    [["RPOPLPUSH", k("d")], arity("rpoplpush")],
    [["LMOVE", k("d"), k("d"), "LEFT"], arity("lmove")]
  ]],
  ["lmpop", (k) => [
    [["RPUSH", k("b"), "1", "2", "3"], int(3)],
    [["LMPOP", "2", k("a"), k("b"), "LEFT"], arr(bulk(k("b")), bulks("1"))],
    [["LMPOP", "2", k("a"), k("b"), "RIGHT", "COUNT", "5"], arr(bulk(k("b")), bulks("3", "2"))],
    [["EXISTS", k("b")], int(0)],
    [["LMPOP", "2", k("a"), k("b"), "left"], nilArray],
    [["SET", k("s"), "v"], ok],
    [["RPUSH", k("c"), "x"], int(1)],
    [["LMPOP", "2", k("s"), k("c"), "LEFT"], WRONGTYPE],
    [["LMPOP", "2", k("c"), k("s"), "LEFT"], arr(bulk(k("c")), bulks("x"))],
    [["LMPOP", "0", k("a"), "LEFT"], err("ERR numkeys should be greater than 0")],
    [["LMPOP", "-1", k("a"), "LEFT"], err("ERR numkeys should be greater than 0")],
    [["LMPOP", "x", k("a"), "LEFT"], err("ERR numkeys should be greater than 0")],
    [["LMPOP", "2", k("a"), "LEFT"], SYNTAX],
    [["LMPOP", "9223372036854775807", k("a"), "LEFT"], SYNTAX],
    [["LMPOP", "1", k("a"), "UP"], SYNTAX],
    [["LMPOP", "1", k("a"), "LEFT", "COUNT"], SYNTAX],
    [["LMPOP", "1", k("a"), "LEFT", "COUNT", "0"], err("ERR count should be greater than 0")],
    [["LMPOP", "1", k("a"), "LEFT", "COUNT", "x"], err("ERR count should be greater than 0")],
    [["LMPOP", "1", k("a"), "LEFT", "COUNT", "1", "COUNT", "1"], SYNTAX],
    [["LMPOP", "1", k("a"), "LEFT", "FOO"], SYNTAX],
    [["LMPOP", "1", k("a")], arity("lmpop")]
  ]],
  ["wrong types across families", (k) => [
    [["SET", k("s"), "v"], ok],
    [["HSET", k("h"), "f", "v"], int(1)],
    [["RPUSH", k("l"), "a"], int(1)],
    [["TYPE", k("l")], simple("list")],
    [["OBJECT", "ENCODING", k("l")], bulk("quicklist")],
    ...[k("s"), k("h")].flatMap((key) => [
      [["LPUSH", key, "a"], WRONGTYPE],
      [["RPUSHX", key, "a"], WRONGTYPE],
      [["LPOP", key], WRONGTYPE],
      [["RPOP", key, "0"], WRONGTYPE],
      [["LLEN", key], WRONGTYPE],
      [["LRANGE", key, "0", "-1"], WRONGTYPE],
      [["LINDEX", key, "0"], WRONGTYPE],
      [["LSET", key, "0", "x"], WRONGTYPE],
      [["LINSERT", key, "BEFORE", "a", "b"], WRONGTYPE],
      [["LREM", key, "0", "a"], WRONGTYPE],
      [["LTRIM", key, "0", "1"], WRONGTYPE],
      [["LPOS", key, "a"], WRONGTYPE],
      [["LMPOP", "1", key, "LEFT"], WRONGTYPE]
    ] as const),
    [["GET", k("l")], WRONGTYPE],
    [["APPEND", k("l"), "x"], WRONGTYPE],
    [["INCR", k("l")], WRONGTYPE],
    [["HGET", k("l"), "f"], WRONGTYPE],
    [["HSET", k("l"), "f", "v"], WRONGTYPE],
    [["SET", k("l"), "now a string"], ok],
    [["TYPE", k("l")], simple("string")]
  ]],
  ["generic commands on lists", (k) => [
    [["RPUSH", k("l"), "a", "b"], int(2)],
    [["COPY", k("l"), k("c")], int(1)],
    [["RPUSH", k("c"), "c"], int(3)],
    [["LRANGE", k("l"), "0", "-1"], bulks("a", "b")],
    [["LRANGE", k("c"), "0", "-1"], bulks("a", "b", "c")],
    [["OBJECT", "ENCODING", k("c")], bulk("quicklist")],
    [["RENAME", k("c"), k("r")], ok],
    [["LRANGE", k("r"), "0", "-1"], bulks("a", "b", "c")],
    [["EXPIRE", k("r"), "100"], int(1)],
    [["RPUSH", k("r"), "d"], int(4)],
    [["TTL", k("r")], int(100)],
    [["LPOP", k("r"), "4"], bulks("a", "b", "c", "d")],
    [["EXISTS", k("r")], int(0)],
    [["RPUSH", k("r"), "x"], int(1)],
    [["TTL", k("r")], int(-1)],
    [["EXISTS", k("l"), k("r"), k("none")], int(2)],
    [["DEL", k("l"), k("r")], int(2)],
    [["RPUSH", k("e"), "x"], int(1)],
    [["PEXPIREAT", k("e"), "1"], int(1)],
    [["LLEN", k("e")], int(0)],
    [["RPUSH", k("e"), "y"], int(1)],
    [["LRANGE", k("e"), "0", "-1"], bulks("y")]
  ]],
  ["long and binary lists", (k) => {
    const many = Array.from({ length: 1000 }, (_, i) => `e${i}`)
    // What the commands below leave, computed on a plain array.
    const model = [...[...many].reverse(), ...many]
    model.splice(499, 0, "mid")
    const trimmed = model.filter((e) => e !== "e7").slice(400, -400)
    return [
      [["RPUSH", k("l"), ...many], int(1000)],
      [["LPUSH", k("l"), ...many], int(2000)],
      [["LINDEX", k("l"), "0"], bulk("e999")],
      [["LINDEX", k("l"), "999"], bulk("e0")],
      [["LINDEX", k("l"), "1000"], bulk("e0")],
      [["LINDEX", k("l"), "-1"], bulk("e999")],
      [["LRANGE", k("l"), "998", "1001"], bulks("e1", "e0", "e0", "e1")],
      [["LINSERT", k("l"), "BEFORE", "e500", "mid"], int(2001)],
      [["LINDEX", k("l"), "499"], bulk("mid")],
      [["LREM", k("l"), "0", "e7"], int(2)],
      [["LTRIM", k("l"), "400", "-401"], ok],
      [["LLEN", k("l")], int(trimmed.length)],
      [["LPOS", k("l"), "e0", "COUNT", "0"], ints(...trimmed.flatMap((e, i) => (e === "e0" ? [i] : [])))],
      [["LRANGE", k("l"), "0", "-1"], bulks(...trimmed)],
      [["LPOP", k("l"), "600"], bulks(...trimmed.slice(0, 600))],
      [["RPOP", k("l"), "2"], bulks(...trimmed.slice(-2).reverse())],
      [["RPUSH", k("b"), ALL_BYTES, "\x00", "\r\n"], int(3)],
      [["LPOS", k("b"), "\r\n"], int(2)],
      [["LREM", k("b"), "0", "\x00"], int(1)],
      [["LRANGE", k("b"), "0", "-1"], bulks(ALL_BYTES, "\r\n")]
    ]
  }]
]

defineCaseSuites("lists", cases)

/** A plain array doing what each ListValue operation should do. */
type Op =
  | { readonly op: "pushHead" | "pushTail"; readonly value: string }
  | { readonly op: "popHead" | "popTail" }
  | { readonly op: "setAt" | "insertAt"; readonly index: number; readonly value: string }
  | { readonly op: "remove"; readonly value: string; readonly limit: number; readonly fromTail: boolean }
  | { readonly op: "keepRange"; readonly start: number; readonly end: number }

const element = fc.constantFrom("a", "b", "c", "d")
const operation: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ op: fc.constantFrom("pushHead" as const, "pushTail" as const), value: element }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constantFrom("popHead" as const, "popTail" as const) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constantFrom("setAt" as const, "insertAt" as const), index: fc.nat(60), value: element }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("remove" as const), value: element, limit: fc.nat(3), fromTail: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("keepRange" as const), start: fc.nat(40), end: fc.nat(60) }) }
)

const applyToModel = (model: Array<string>, op: Op): void => {
  switch (op.op) {
    case "pushHead":
      return void model.unshift(op.value)
    case "pushTail":
      return void model.push(op.value)
    case "popHead":
      return void model.shift()
    case "popTail":
      return void model.pop()
    case "setAt":
      if (op.index < model.length) model[op.index] = op.value
      return
    case "insertAt":
      return void model.splice(Math.min(op.index, model.length), 0, op.value)
    case "remove": {
      const order = model.map((_, i) => i)
      if (op.fromTail) order.reverse()
      const drop = new Set<number>()
      for (const i of order) if (model[i] === op.value && (op.limit === 0 || drop.size < op.limit)) drop.add(i)
      const kept = model.filter((_, i) => !drop.has(i))
      model.length = 0
      model.push(...kept)
      return
    }
    case "keepRange":
      if (op.start <= op.end && op.end < model.length) model.splice(0, model.length, ...model.slice(op.start, op.end + 1))
  }
}

const applyToList = (list: ListValue, op: Op): void => {
  switch (op.op) {
    case "pushHead":
      return list.pushHead(op.value)
    case "pushTail":
      return list.pushTail(op.value)
    case "popHead":
      return void list.popHead()
    case "popTail":
      return void list.popTail()
    case "setAt":
      if (op.index < list.length) list.setAt(op.index, op.value)
      return
    case "insertAt":
      return list.insertAt(Math.min(op.index, list.length), op.value)
    case "remove":
      return void list.remove(op.value, op.limit, op.fromTail)
    case "keepRange":
      if (op.start <= op.end && op.end < list.length) list.keepRange(op.start, op.end)
  }
}

describe("ListValue (ring buffer)", () => {
  it("does what an array does, through growth, wrap-around and shrinking", () => {
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 300 }), (ops) => {
        const list = new ListValue()
        const model: Array<string> = []
        for (const op of ops) {
          applyToList(list, op)
          applyToModel(model, op)
          expect(list.length).toBe(model.length)
        }
        expect(list.toArray()).toEqual(model)
        expect(list.clone().toArray()).toEqual(model)
        for (let i = 0; i < model.length; i++) expect(list.at(i)).toBe(model[i])
        expect(list.indexOf("c")).toBe(model.indexOf("c"))
      }),
      { numRuns: 300 }
    )
  })

  it("answers what the pops return and gives memory back", () => {
    const list = ListValue.of(["x", "y"])
    expect([list.popTail(), list.popHead(), list.popHead(), list.popTail()]).toEqual(["y", "x", undefined, undefined])
    for (let i = 0; i < 100_000; i++) list.pushTail(String(i))
    for (let i = 0; i < 99_990; i++) list.popHead()
    expect(list.toArray()).toEqual(Array.from({ length: 10 }, (_, i) => String(99_990 + i)))
    // The buffer (private) shrinks with the length instead of keeping 100 000 slots.
    expect((list as unknown as { items: Array<unknown> }).items.length).toBeLessThanOrEqual(64)
  })
})

describeDeclarations("list command declarations", listCommands)

describeSignals("list commands announce a change exactly when Redis signals one", [
  [["RPUSH", "k", "a", "b"], ["LTRIM", "k", "0", "-1"], true],
  [["RPUSH", "k", "a", "b"], ["LREM", "k", "0", "zz"], false],
  [["RPUSH", "k", "a", "b"], ["LREM", "k", "0", "a"], true],
  [[], ["LPUSHX", "k", "a"], false],
  [["RPUSH", "k", "a"], ["RPUSHX", "k", "a"], true],
  [[], ["LPUSH", "k", "a"], true],
  [["RPUSH", "k", "a"], ["LINSERT", "k", "BEFORE", "zz", "x"], false],
  [["RPUSH", "k", "a"], ["LINSERT", "k", "BEFORE", "a", "x"], true],
  [["RPUSH", "k", "a"], ["LPOP", "k", "0"], false],
  [["RPUSH", "k", "a"], ["RPOP", "k"], true],
  [["RPUSH", "k", "a"], ["LSET", "k", "5", "x"], false],
  [["RPUSH", "k", "a"], ["LSET", "k", "0", "x"], true],
  [["RPUSH", "k", "a"], ["LPOS", "k", "a"], false],
  [["RPUSH", "k", "a"], ["LRANGE", "k", "0", "-1"], false],
  [["RPUSH", "k", "a"], ["LMOVE", "k", "k", "LEFT", "RIGHT"], true],
  [["RPUSH", "k", "a"], ["RPOPLPUSH", "zz", "k"], false],
  [["RPUSH", "zz", "a"], ["RPOPLPUSH", "zz", "k"], true],
  [["RPUSH", "k", "a"], ["LMPOP", "1", "k", "LEFT"], true]
])

/** RESP3 shapes, ready for HELLO 3: RESP3's null for every missing list. */
const RESP3_CASES: Resp3Cases = [
  [["RPUSH", "l", "x", "y"], ":2\r\n"],
  [["LMPOP", "1", "l", "LEFT"], "*2\r\n$1\r\nl\r\n*1\r\n$1\r\nx\r\n"],
  [["LMPOP", "1", "none", "LEFT"], "_\r\n"],
  [["LPOP", "none", "1"], "_\r\n"],
  [["LPOP", "none"], "_\r\n"],
  [["LINDEX", "l", "5"], "_\r\n"],
  [["LPOS", "l", "z"], "_\r\n"],
  [["LPOS", "l", "y", "COUNT", "0"], "*1\r\n:0\r\n"],
  [["RPOPLPUSH", "none", "l"], "_\r\n"],
  [["LRANGE", "l", "0", "-1"], "*1\r\n$1\r\ny\r\n"]
]

describeResp3Replies("list replies in RESP3", RESP3_CASES)
