/**
 * The sorted-set family over TCP, byte for byte: case tables run against our server and real
 * Redis 7 with the same expectations (collection-tables.ts); ZRANDMEMBER's properties on both
 * servers; ZSCAN's guarantee under churn; RESP3 shapes; COMMAND declarations; keyspace hit/miss
 * counting; and generated sequences on skiplist-encoded sets compared with real Redis (the
 * main differential suite keeps sorted sets small, hence listpacks).
 */
import { describe, expect, it } from "@effect/vitest"
import * as fc from "fast-check"
import { zsetCommands } from "../../src/commands/zsets.js"
import { formatMismatch, Pair, type Step } from "../compat/compare.js"
import { hasRealRedis, startRealRedis, startRedfiber } from "../support/servers.js"
import {
  arity,
  arr,
  bulk,
  bulks,
  type Case,
  defineCaseSuites,
  describeDeclarations,
  describeKeyspaceStats,
  err,
  int,
  nil,
  nilArray,
  NOT_INTEGER,
  ok,
  onBothServers,
  runDirect,
  startOurs,
  SYNTAX,
  texts,
  WRONGTYPE
} from "./collection-tables.js"

const NOT_FLOAT = err("ERR value is not a valid float")
const RANGE_NOT_FLOAT = err("ERR min or max is not a float")
const NOT_LEX = err("ERR min or max not valid string range item")

const cases: ReadonlyArray<Case> = [
  ["zadd and its options", (k) => [
    [["ZADD", k("z"), "1", "a", "2", "b"], int(2)],
    [["ZADD", k("z"), "3", "a", "4", "c"], int(1)],
    [["ZADD", k("z"), "CH", "5", "a", "5", "d"], int(2)],
    [["ZADD", k("z"), "NX", "9", "a", "6", "e"], int(1)],
    [["ZADD", k("z"), "XX", "CH", "9", "a", "7", "f"], int(1)],
    [["ZADD", k("z"), "GT", "CH", "1", "a", "10", "b"], int(1)],
    [["ZADD", k("z"), "LT", "CH", "1", "a", "20", "b"], int(1)],
    [["ZADD", k("z"), "INCR", "2", "a"], bulk("3")],
    [["ZADD", k("z"), "INCR", "NX", "2", "a"], nil],
    [["ZADD", k("z"), "INCR", "GT", "-1", "a"], nil],
    [["ZADD", k("none"), "XX", "1", "a"], int(0)],
    [["EXISTS", k("none")], int(0)],
    [["ZADD", k("z"), "NX", "XX", "1", "a"], err("ERR XX and NX options at the same time are not compatible")],
    [["ZADD", k("z"), "GT", "LT", "1", "a"], err("ERR GT, LT, and/or NX options at the same time are not compatible")],
    [["ZADD", k("z"), "INCR", "1", "a", "1", "b"], err("ERR INCR option supports a single increment-element pair")],
    [["ZADD", k("z"), "1", "a", "2"], SYNTAX],
    [["ZADD", k("z"), "x", "a"], NOT_FLOAT],
    [["ZADD", k("z"), "nan", "a"], NOT_FLOAT],
    [["ZADD", k("z")], arity("zadd")],
    [["ZRANGE", k("z"), "0", "-1", "WITHSCORES"], bulks("a", "3", "c", "4", "d", "5", "e", "6", "b", "10")]
  ]],
  ["zincrby", (k) => [
    [["ZINCRBY", k("z"), "1.5", "a"], bulk("1.5")],
    [["ZINCRBY", k("z"), "0.1", "a"], bulk("1.6000000000000001")],
    [["ZINCRBY", k("z"), "inf", "a"], bulk("inf")],
    [["ZINCRBY", k("z"), "-inf", "a"], err("ERR resulting score is not a number (NaN)")],
    [["ZSCORE", k("z"), "a"], bulk("inf")],
    [["ZINCRBY", k("z"), "x", "a"], NOT_FLOAT],
    [["ZINCRBY", k("z"), "NX", "a"], SYNTAX],
    [["ZINCRBY", k("z"), "1"], arity("zincrby")]
  ]],
  ["scores are read like strtod and printed like %.17g", (k) => [
    ...([
      ["0.1", "0.10000000000000001"], ["1e300", "1.0000000000000001e+300"], ["-0.5", "-0.5"], ["1e17", "1e+17"],
      ["123456789012345678", "1.2345678901234568e+17"], ["0.0001", "0.0001"], ["0.00001", "1.0000000000000001e-05"],
      ["0x10", "16"], ["+inf", "inf"], ["-Infinity", "-inf"], ["2.98023223876953125e-8", "2.9802322387695312e-08"],
      ["1125899906842624.25", "1125899906842624.2"], ["4.9e-324", "4.9406564584124654e-324"]
    ] as const).flatMap(([input, shown]) => [
      [["ZADD", k("z"), input, "m"], int(0)] as const,
      [["ZSCORE", k("z"), "m"], bulk(shown)] as const
    ]).map((step, n) => (n === 0 ? [step[0], int(1)] as const : step)),
    ...["", " 1", "1 ", "1e400", "1e-400", "1e", "0x", "inf1"].map((bad) => [["ZADD", k("z"), bad, "m"], NOT_FLOAT] as const)
  ]],
  ["-0: a listpack keeps 0, a skiplist keeps -0", (k) => [
    [["ZADD", k("lp"), "-0", "a"], int(1)],
    [["ZSCORE", k("lp"), "a"], bulk("0")],
    [["ZINCRBY", k("lp"), "-0", "b"], bulk("-0")],
    [["ZSCORE", k("lp"), "b"], bulk("0")],
    [["CONFIG", "SET", "zset-max-listpack-entries", "0"], ok],
    [["ZADD", k("sl"), "-0", "a"], int(1)],
    [["OBJECT", "ENCODING", k("sl")], bulk("skiplist")],
    [["ZSCORE", k("sl"), "a"], bulk("-0")],
    [["CONFIG", "SET", "zset-max-listpack-entries", "128"], ok],
    [["ZUNIONSTORE", k("u"), "1", k("sl")], int(1)],
    [["ZSCORE", k("u"), "a"], bulk("0")],
    [["ZUNION", "1", k("sl"), "WITHSCORES"], bulks("a", "-0")]
  ]],
  ["encodings follow the thresholds, one way", (k) => [
    [["CONFIG", "SET", "zset-max-ziplist-entries", "2", "zset-max-listpack-value", "4"], ok],
    [["ZADD", k("z"), "1", "a", "2", "b"], int(2)],
    [["OBJECT", "ENCODING", k("z")], bulk("listpack")],
    [["ZADD", k("z"), "3", "c"], int(1)],
    [["OBJECT", "ENCODING", k("z")], bulk("skiplist")],
    [["ZREM", k("z"), "c", "b"], int(2)],
    [["OBJECT", "ENCODING", k("z")], bulk("skiplist")],
    [["ZADD", k("v"), "1", "abcde"], int(1)],
    [["OBJECT", "ENCODING", k("v")], bulk("skiplist")],
    [["ZUNIONSTORE", k("u"), "1", k("z")], int(1)],
    [["OBJECT", "ENCODING", k("u")], bulk("listpack")],
    [["CONFIG", "GET", "zset-max-listpack-value"], bulks("zset-max-listpack-value", "4")],
    [["CONFIG", "SET", "zset-max-listpack-entries", "128", "zset-max-ziplist-value", "64"], ok]
  ]],
  ["zrange by rank, score and lex", (k) => [
    [["ZADD", k("z"), "1", "a", "2", "b", "3", "c", "4", "d"], int(4)],
    [["ZRANGE", k("z"), "1", "-2"], bulks("b", "c")],
    [["ZRANGE", k("z"), "0", "0", "REV", "WITHSCORES"], bulks("d", "4")],
    [["ZREVRANGE", k("z"), "-2", "-1"], bulks("b", "a")],
    [["ZRANGE", k("z"), "(1", "3", "BYSCORE"], bulks("b", "c")],
    [["ZRANGE", k("z"), "+inf", "-inf", "BYSCORE", "REV", "LIMIT", "1", "2"], bulks("c", "b")],
    [["ZRANGEBYSCORE", k("z"), "-inf", "+inf", "LIMIT", "-1", "2"], arr()],
    [["ZRANGEBYSCORE", k("z"), "2", "4", "LIMIT", "1", "-1"], bulks("c", "d")],
    [["ZREVRANGEBYSCORE", k("z"), "3", "(1", "WITHSCORES"], bulks("c", "3", "b", "2")],
    [["ZRANGEBYSCORE", k("z"), "x", "1"], RANGE_NOT_FLOAT],
    [["ZRANGE", k("z"), "0", "1", "LIMIT", "0", "1"],
      err("ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX")],
    [["ZRANGE", k("z"), "-", "+", "BYLEX", "WITHSCORES"],
      err("ERR syntax error, WITHSCORES not supported in combination with BYLEX")],
    [["ZADD", k("l"), "0", "a", "0", "b", "0", "c"], int(3)],
    [["ZRANGEBYLEX", k("l"), "(a", "+"], bulks("b", "c")],
    [["ZREVRANGEBYLEX", k("l"), "[b", "-"], bulks("b", "a")],
    [["ZRANGE", k("l"), "[c", "(a", "BYLEX", "REV"], bulks("c", "b")],
    [["ZRANGEBYLEX", k("l"), "a", "+"], NOT_LEX],
    [["ZRANGE", k("z"), "0", "x"], NOT_INTEGER],
    [["ZRANGE", k("none"), "0", "-1"], arr()]
  ]],
  ["counts, ranks and scores", (k) => [
    [["ZADD", k("z"), "1", "a", "2", "b", "2", "c", "3", "d"], int(4)],
    [["ZCARD", k("z")], int(4)],
    [["ZCOUNT", k("z"), "(1", "2"], int(2)],
    [["ZCOUNT", k("z"), "2", "(2"], int(0)],
    [["ZLEXCOUNT", k("z"), "-", "+"], int(4)],
    [["ZRANK", k("z"), "c"], int(2)],
    [["ZREVRANK", k("z"), "c"], int(1)],
    [["ZRANK", k("z"), "x"], nil],
    [["ZSCORE", k("none"), "a"], nil],
    [["ZMSCORE", k("z"), "a", "x"], arr(bulk("1"), nil)]
  ]],
  ["removals by range", (k) => [
    [["ZADD", k("z"), "1", "a", "2", "b", "3", "c", "4", "d", "5", "e"], int(5)],
    [["ZREMRANGEBYRANK", k("z"), "-1", "-1"], int(1)],
    [["ZREMRANGEBYSCORE", k("z"), "(1", "2"], int(1)],
    [["ZREMRANGEBYLEX", k("z"), "-", "(c"], int(1)],
    [["ZRANGE", k("z"), "0", "-1"], bulks("c", "d")],
    [["ZREMRANGEBYRANK", k("z"), "0", "10"], int(2)],
    [["EXISTS", k("z")], int(0)]
  ]],
  ["pops", (k) => [
    [["ZADD", k("z"), "1", "a", "2", "b", "3", "c"], int(3)],
    [["ZPOPMIN", k("z")], bulks("a", "1")],
    [["ZPOPMAX", k("z"), "5"], bulks("c", "3", "b", "2")],
    [["ZPOPMIN", k("z")], arr()],
    [["ZPOPMIN", k("z"), "-1"], err("ERR value is out of range, must be positive")],
    [["ZADD", k("y"), "1", "a"], int(1)],
    [["ZMPOP", "2", k("z"), k("y"), "MAX", "COUNT", "3"], arr(bulk(k("y")), arr(bulks("a", "1")))],
    [["ZMPOP", "1", k("y"), "MIN"], nilArray],
    [["ZMPOP", "0", k("y"), "MIN"], err("ERR numkeys should be greater than 0")],
    [["ZMPOP", "1", k("y"), "MIN", "COUNT", "0"], err("ERR count should be greater than 0")]
  ]],
  ["union, intersection, difference", (k) => [
    [["ZADD", k("a"), "1", "x", "2", "y"], int(2)],
    [["ZADD", k("b"), "10", "y", "20", "z"], int(2)],
    [["SADD", k("s"), "x", "z"], int(2)],
    [["ZUNION", "2", k("a"), k("b"), "WITHSCORES"], bulks("x", "1", "y", "12", "z", "20")],
    [["ZINTER", "2", k("a"), k("b"), "WEIGHTS", "2", "1", "AGGREGATE", "MIN", "WITHSCORES"], bulks("y", "4")],
    [["ZUNION", "2", k("a"), k("s"), "WITHSCORES"], bulks("z", "1", "x", "2", "y", "2")],
    [["ZDIFF", "2", k("b"), k("a"), "WITHSCORES"], bulks("z", "20")],
    [["ZINTERCARD", "2", k("a"), k("s")], int(1)],
    [["ZUNIONSTORE", k("d"), "2", k("a"), k("b")], int(3)],
    [["ZINTERSTORE", k("d"), "2", k("a"), k("none")], int(0)],
    [["EXISTS", k("d")], int(0)],
    [["ZUNION", "0", k("a")], err("ERR at least 1 input key is needed for 'zunion' command")],
    [["ZUNION", "1", k("a"), "WEIGHTS", "x"], err("ERR weight value is not a float")],
    [["ZINTERCARD", "1", k("a"), "LIMIT", "-1"], err("ERR LIMIT can't be negative")]
  ]],
  ["zrangestore", (k) => [
    [["ZADD", k("src"), "1", "a", "2", "b", "3", "c"], int(3)],
    [["ZRANGESTORE", k("dst"), k("src"), "0", "1"], int(2)],
    [["ZRANGE", k("dst"), "0", "-1", "WITHSCORES"], bulks("a", "1", "b", "2")],
    [["ZRANGESTORE", k("dst"), k("src"), "(1", "+inf", "BYSCORE", "LIMIT", "1", "1"], int(1)],
    [["ZRANGE", k("dst"), "0", "-1"], bulks("c")],
    [["ZRANGESTORE", k("dst"), k("none"), "0", "-1"], int(0)],
    [["EXISTS", k("dst")], int(0)],
    [["ZRANGESTORE", k("dst"), k("src"), "0", "-1", "WITHSCORES"], SYNTAX]
  ]],
  ["zrandmember where the answer is forced", (k) => [
    [["ZADD", k("z"), "1", "a", "2", "b"], int(2)],
    [["ZRANDMEMBER", k("z"), "5", "WITHSCORES"], bulks("b", "2", "a", "1")],
    [["ZRANDMEMBER", k("z"), "0"], arr()],
    [["ZRANDMEMBER", k("none")], nil],
    [["ZRANDMEMBER", k("none"), "1"], arr()],
    [["ZRANDMEMBER", k("z"), "1", "SCORES"], SYNTAX],
    [["ZRANDMEMBER", k("z"), "4611686018427387904", "WITHSCORES"], err("ERR value is out of range")]
  ]],
  ["zscan", (k) => [
    [["ZADD", k("z"), "2", "b", "1", "a", "123456789012345678", "c"], int(3)],
    [["ZSCAN", k("z"), "0"], arr(bulk("0"), bulks("a", "1", "b", "2", "c", "123456789012345680"))],
    [["ZSCAN", k("z"), "0", "MATCH", "b"], arr(bulk("0"), bulks("b", "2"))],
    [["ZSCAN", k("z"), "0", "COUNT", "0"], SYNTAX],
    [["ZSCAN", k("none"), "0"], arr(bulk("0"), arr())]
  ]],
  ["wrong types", (k) => [
    [["SET", k("str"), "v"], ok],
    [["SADD", k("s"), "a"], int(1)],
    ...[
      ["ZADD", k("str"), "1", "a"], ["ZINCRBY", k("s"), "1", "a"], ["ZREM", k("str"), "a"], ["ZSCORE", k("s"), "a"],
      ["ZMSCORE", k("str"), "a"], ["ZCARD", k("s")], ["ZCOUNT", k("str"), "0", "1"], ["ZLEXCOUNT", k("s"), "-", "+"],
      ["ZRANGE", k("str"), "0", "-1"], ["ZRANGEBYSCORE", k("s"), "0", "1"], ["ZRANGEBYLEX", k("str"), "-", "+"],
      ["ZRANK", k("s"), "a"], ["ZREMRANGEBYRANK", k("str"), "0", "1"], ["ZPOPMIN", k("s")], ["ZMPOP", "1", k("str"), "MIN"],
      ["ZUNION", "1", k("str")], ["ZRANGESTORE", k("d"), k("s"), "0", "1"], ["ZRANDMEMBER", k("str")], ["ZSCAN", k("s"), "0"]
    ].map((args) => [args, WRONGTYPE] as const),
    [["ZUNION", "1", k("s")], bulks("a")],
    [["ZRANGEBYSCORE", k("str"), "x", "1"], RANGE_NOT_FLOAT]
  ]]
]

defineCaseSuites("sorted sets", cases)

describe("ZRANDMEMBER", () => {
  const MEMBERS = Array.from({ length: 30 }, (_, i) => `m${i}`)
  const pairs = MEMBERS.flatMap((member, i) => [String(i), member])

  onBothServers("picks members with their scores, distinct for a positive count", async (client) => {
    await client.call("ZADD", "z", ...pairs)
    for (const count of [1, 2, 9, 10, 29, 30]) {
      const picked = texts(await client.call("ZRANDMEMBER", "z", String(count), "WITHSCORES"))
      expect(picked.length).toBe(count * 2)
      const members = picked.filter((_, i) => i % 2 === 0)
      expect(new Set(members).size).toBe(count)
      for (let i = 0; i < picked.length; i += 2) expect(picked[i]).toBe(`m${picked[i + 1]}`)
    }
    const repeated = texts(await client.call("ZRANDMEMBER", "z", "-50"))
    expect(repeated.length).toBe(50)
    for (const member of repeated) expect(MEMBERS).toContain(member)
  })
})

describe("ZSCAN on a skiplist while it changes", () => {
  it("returns every member present for the whole scan at least once, with its score (redfiber)", async () => {
    const target = await startOurs()
    const client = target.client
    try {
      const stable = Array.from({ length: 2000 }, (_, i) => [String(i), `stable:${i}`]).flat()
      await client.call("ZADD", "z", ...stable)
      const seen = new Map<string, string>()
      let cursor = "0"
      let round = 0
      do {
        const page = await client.call("ZSCAN", "z", cursor, "COUNT", "40")
        const [next, batch] = page.value as ReadonlyArray<{ value: unknown }>
        const items = (batch.value as ReadonlyArray<{ value: string }>).map((item) => item.value)
        for (let i = 0; i < items.length; i += 2) seen.set(items[i], items[i + 1])
        cursor = String(next.value)
        await client.call("ZADD", "z", "0.5", `churn:${round}`)
        await client.call("ZREM", "z", `churn:${round - 1}`)
        round++
      } while (cursor !== "0" && round < 10_000)
      expect(cursor).toBe("0")
      for (let i = 0; i < 2000; i++) expect(seen.get(`stable:${i}`)).toBe(String(i))
    } finally {
      await target.stop()
    }
  })
})

describe("RESP3 shapes (as Redis 7.0.15 sends them)", () => {
  it("pairs with doubles for scored replies, flat for a plain ZPOPMIN, bulk scores in ZSCAN", () => {
    expect(
      runDirect(
        3,
        ["ZADD", "e", "1", "a", "2", "b", "3", "c"],
        ["ZRANGE", "e", "0", "-1", "WITHSCORES"],
        ["ZPOPMIN", "e"],
        ["ZPOPMIN", "e", "1"],
        ["ZMPOP", "1", "e", "MAX"],
        ["ZMPOP", "1", "nope", "MAX"],
        ["ZSCORE", "nope", "a"],
        ["ZADD", "one", "1.5", "x"],
        ["ZSCORE", "one", "x"],
        ["ZMSCORE", "one", "x", "y"],
        ["ZRANDMEMBER", "one", "1", "WITHSCORES"],
        ["ZRANDMEMBER", "one", "-2", "WITHSCORES"],
        ["ZSCAN", "one", "0"],
        ["ZINCRBY", "one", "1", "x"],
        ["ZADD", "one", "INCR", "1", "x"],
        ["ZUNION", "1", "one", "WITHSCORES"],
        ["ZPOPMIN", "nope"],
        ["ZADD", "inf", "inf", "x"],
        ["ZSCORE", "inf", "x"]
      )
    ).toEqual([
      ":3\r\n",
      "*3\r\n*2\r\n$1\r\na\r\n,1\r\n*2\r\n$1\r\nb\r\n,2\r\n*2\r\n$1\r\nc\r\n,3\r\n",
      "*2\r\n$1\r\na\r\n,1\r\n",
      "*1\r\n*2\r\n$1\r\nb\r\n,2\r\n",
      "*2\r\n$1\r\ne\r\n*1\r\n*2\r\n$1\r\nc\r\n,3\r\n",
      "_\r\n",
      "_\r\n",
      ":1\r\n",
      ",1.5\r\n",
      "*2\r\n,1.5\r\n_\r\n",
      "*1\r\n*2\r\n$1\r\nx\r\n,1.5\r\n",
      "*2\r\n*2\r\n$1\r\nx\r\n,1.5\r\n*2\r\n$1\r\nx\r\n,1.5\r\n",
      "*2\r\n$1\r\n0\r\n*2\r\n$1\r\nx\r\n$3\r\n1.5\r\n",
      ",2.5\r\n",
      ",3.5\r\n",
      "*1\r\n*2\r\n$1\r\nx\r\n,3.5\r\n",
      "*0\r\n",
      ":1\r\n",
      ",inf\r\n"
    ])
  })
})

describeDeclarations("sorted-set command declarations", zsetCommands)

describeKeyspaceStats(
  "sorted sets",
  [["ZADD", "z", "1", "a", "2", "b"], ["ZADD", "y", "1", "b"], ["SET", "str", "v"]],
  [
    ["ZSCORE", "z", "a"], ["ZSCORE", "none", "a"], ["ZMSCORE", "z", "a"], ["ZCARD", "none"], ["ZRANK", "z", "a"],
    ["ZCOUNT", "z", "0", "1"], ["ZLEXCOUNT", "none", "-", "+"], ["ZRANGE", "z", "0", "-1"], ["ZRANGEBYSCORE", "none", "0", "1"],
    ["ZRANGESTORE", "d", "z", "0", "-1"], ["ZRANGESTORE", "d", "none", "0", "-1"], ["ZRANDMEMBER", "z"], ["ZSCAN", "z", "0"],
    ["ZUNION", "2", "z", "none"], ["ZINTERCARD", "2", "z", "y"], ["ZUNIONSTORE", "d", "2", "z", "none"],
    ["ZDIFFSTORE", "d", "2", "z", "y"], ["ZADD", "z", "3", "c"], ["ZINCRBY", "none", "1", "a"], ["ZREM", "none", "a"],
    ["ZPOPMIN", "none"], ["ZMPOP", "2", "none", "z", "MIN"], ["ZREMRANGEBYRANK", "z", "5", "6"], ["ZSCORE", "str", "a"]
  ]
)

/**
 * Generated sequences on skiplist-encoded sorted sets (zset-max-listpack-entries 0 on both
 * servers), over two keys: one with mixed scores for rank and score commands, one whose scores
 * are all 0 for lex commands (lex ranges over mixed scores depend on a skiplist's random levels).
 * REDFIBER_DIFF_SEED changes the seed, as for the differential suite.
 */
describe.skipIf(!hasRealRedis)("skiplist-encoded sorted sets against real Redis", () => {
  const member = fc.constantFrom("a", "b", "c", "d", "e", "f", "g", "h", "aa", "", "\xff", "m1", "m2")
  const score = fc.oneof(
    fc.integer({ min: -3, max: 6 }).map(String),
    fc.constantFrom("0.5", "-0", "inf", "-inf", "1e17", "0.1")
  )
  const bound = fc.oneof(
    fc.tuple(fc.constantFrom("", "("), fc.integer({ min: -3, max: 6 })).map(([p, n]) => p + n),
    fc.constantFrom("-inf", "+inf", "(0.5")
  )
  const lex = fc.oneof(fc.tuple(fc.constantFrom("[", "("), member).map(([p, m]) => p + m), fc.constantFrom("-", "+"))
  const rank = fc.integer({ min: -8, max: 8 }).map(String)
  const limit = fc.constantFrom([], ["LIMIT", "1", "2"], ["LIMIT", "0", "-1"], ["LIMIT", "2", "1"])
  const step = (...parts: Array<fc.Arbitrary<string> | fc.Arbitrary<Array<string>> | string>): fc.Arbitrary<Step> =>
    fc
      .tuple(...parts.map((part) => (typeof part === "string" ? fc.constant(part) : part)) as Array<fc.Arbitrary<string | Array<string>>>)
      .map((values) => ({ argv: values.flat() }))
  const command: fc.Arbitrary<Step> = fc.oneof(
    { weight: 8, arbitrary: step("ZADD", "z", fc.array(fc.tuple(score, member), { minLength: 1, maxLength: 4 }).map((p) => p.flat())) },
    { weight: 5, arbitrary: step("ZADD", "l", fc.array(fc.tuple(fc.constant("0"), member), { minLength: 1, maxLength: 4 }).map((p) => p.flat())) },
    { weight: 2, arbitrary: step("ZINCRBY", "z", score, member) },
    { weight: 2, arbitrary: step("ZREM", fc.constantFrom("z", "l"), member) },
    { weight: 3, arbitrary: step("ZRANGE", "z", rank, rank, fc.constantFrom([], ["REV"]), fc.constantFrom([], ["WITHSCORES"])) },
    { weight: 3, arbitrary: step("ZRANGE", "z", bound, bound, "BYSCORE", fc.constantFrom([], ["REV"]), limit, fc.constantFrom([], ["WITHSCORES"])) },
    { weight: 3, arbitrary: step("ZRANGE", "l", lex, lex, "BYLEX", fc.constantFrom([], ["REV"]), limit) },
    { weight: 2, arbitrary: step(fc.constantFrom("ZRANK", "ZREVRANK", "ZSCORE"), fc.constantFrom("z", "l"), member) },
    { weight: 2, arbitrary: step("ZCOUNT", "z", bound, bound) },
    { weight: 2, arbitrary: step("ZLEXCOUNT", "l", lex, lex) },
    { weight: 1, arbitrary: step("ZREMRANGEBYRANK", "z", rank, rank) },
    { weight: 1, arbitrary: step("ZREMRANGEBYSCORE", "z", bound, bound) },
    { weight: 1, arbitrary: step("ZREMRANGEBYLEX", "l", lex, lex) },
    { weight: 2, arbitrary: step(fc.constantFrom("ZPOPMIN", "ZPOPMAX"), fc.constantFrom("z", "l"), fc.constantFrom([], ["2"])) },
    { weight: 2, arbitrary: step("ZRANGESTORE", "d", "z", rank, rank) },
    { weight: 2, arbitrary: step(fc.constantFrom("ZUNIONSTORE", "ZINTERSTORE"), "d", "2", "z", fc.constantFrom("d", "l")) },
    { weight: 1, arbitrary: step("OBJECT", "ENCODING", fc.constantFrom("z", "l", "d")) },
    { weight: 1, arbitrary: step("ZRANGE", "d", "0", "-1", "WITHSCORES") }
  )

  it("gives the same replies for 300 generated sequences", async () => {
    const [ours, redis] = await Promise.all([startRedfiber(), startRealRedis()])
    const pair = await Pair.open(ours, redis)
    try {
      const seed = Number(process.env.REDFIBER_DIFF_SEED ?? 20_250_101)
      const sequences = fc.sample(fc.array(command, { minLength: 5, maxLength: 40 }), { numRuns: 300, seed })
      const mismatches = []
      for (const [n, sequence] of sequences.entries()) {
        await pair.reset()
        const setup: Array<Step> = [{ argv: ["CONFIG", "SET", "zset-max-listpack-entries", "0"] }]
        mismatches.push(...(await pair.run(`skiplist ${n}`, [...setup, ...sequence])))
      }
      await pair.run("restore", [["CONFIG", "SET", "zset-max-listpack-entries", "128"]])
      expect(mismatches.map(formatMismatch)).toEqual([])
    } finally {
      pair.close()
      await Promise.all([ours.stop(), redis.stop()])
    }
  }, 120_000)
})

/** A set big enough for a tree of several levels, changed and queried everywhere, against Redis. */
describe.skipIf(!hasRealRedis)("a large sorted set against real Redis", () => {
  it("agrees on ranks, ranges and removals across 30 000 members", async () => {
    const [ours, redis] = await Promise.all([startRedfiber(), startRealRedis()])
    const pair = await Pair.open(ours, redis)
    try {
      let seed = 1
      const random = () => {
        seed = (seed * 48271) % 2147483647
        return seed / 2147483647
      }
      const steps: Array<Step> = []
      for (let batch = 0; batch < 30; batch++) {
        const args = ["ZADD", "big"]
        for (let i = 0; i < 1000; i++) args.push(String(Math.floor(random() * 5000) / 4), `m${batch * 1000 + i}`)
        steps.push({ argv: args })
      }
      const queries = (round: number): Array<Step> => [
        { argv: ["ZCARD", "big"] },
        ...[0, 1, 777, 14_999, 29_998].map((n) => ({ argv: ["ZRANK", "big", `m${n}`] })),
        ...[0, 4096, 12_345, 25_000, -50].map((start) => ({ argv: ["ZRANGE", "big", String(start), String(start + 40), "WITHSCORES"] })),
        { argv: ["ZREVRANGE", "big", "9000", "9030", "WITHSCORES"] },
        { argv: ["ZCOUNT", "big", "(100", "700.25"] },
        { argv: ["ZRANGEBYSCORE", "big", "500", "+inf", "WITHSCORES", "LIMIT", String(round * 997), "25"] },
        { argv: ["ZREVRANGEBYSCORE", "big", "(800", "-inf", "LIMIT", "3000", "25"] },
        { argv: ["ZRANGE", "big", "0", "0", "WITHSCORES"] },
        { argv: ["ZRANGE", "big", "-1", "-1", "WITHSCORES"] }
      ]
      steps.push(...queries(0))
      steps.push({ argv: ["ZREMRANGEBYRANK", "big", "1000", "8999"] }, ...queries(1))
      steps.push({ argv: ["ZREMRANGEBYSCORE", "big", "300", "(301"] }, ...queries(2))
      steps.push({ argv: ["ZPOPMIN", "big", "3000"] }, { argv: ["ZPOPMAX", "big", "100"] }, ...queries(3))
      const removals = ["ZREM", "big"]
      for (let n = 0; n < 30_000; n += 3) removals.push(`m${n}`)
      steps.push({ argv: removals }, ...queries(4))
      steps.push({ argv: ["ZUNIONSTORE", "u", "1", "big", "WEIGHTS", "-1"] }, { argv: ["ZRANGE", "u", "100", "120", "WITHSCORES"] })
      steps.push({ argv: ["ZRANGESTORE", "r", "big", "5000", "9000"] }, { argv: ["ZRANGE", "r", "-30", "-1", "WITHSCORES"] })
      await pair.reset()
      const mismatches = await pair.run("large sorted set", steps)
      expect(mismatches.map(formatMismatch)).toEqual([])
    } finally {
      pair.close()
      await Promise.all([ours.stop(), redis.stop()])
    }
  }, 120_000)
})
