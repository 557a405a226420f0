/**
 * fast-check arbitraries for the sorted-set commands in generated differential sequences, over
 * the shared key space of generators.ts (passed in). Scores tie often (small integers) and
 * include the awkward ones (infinities, -0, long fractions, hex, NaN, junk); members come from
 * a small pool. Generated sorted sets stay small, hence listpack-encoded — where Redis's lex
 * ranges over mixed scores are deterministic (a skiplist's are not: they depend on its random
 * levels), so the encoding thresholds are left alone here; the hand-written scripts cover the
 * skiplist. ZRANDMEMBER compares by shape.
 */
import * as fc from "fast-check"
import type { Step } from "./compare.js"
import type { SharedArbitraries } from "./generators-sets.js"

type Arb<A> = fc.Arbitrary<A>

const cmd = (...parts: Array<Arb<string> | Arb<Array<string>> | string>): Arb<Step> =>
  fc
    .tuple(...parts.map((part) => (typeof part === "string" ? fc.constant(part) : part)) as Array<Arb<string | Array<string>>>)
    .map((values) => ({ argv: values.flat() }))

const withCheck = (arb: Arb<Step>, check: Step["check"]): Arb<Step> => arb.map((step) => ({ ...step, check }))

const score: Arb<string> = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: -3, max: 5 }).map(String) },
  { weight: 3, arbitrary: fc.integer({ min: -1000, max: 1000 }).map((n) => String(n / 8)) },
  { weight: 2, arbitrary: fc.constantFrom("0.1", "0.2", "0.3", "1e300", "-1e-300", "1.5e-7", "123456789012345678") },
  { weight: 2, arbitrary: fc.constantFrom("inf", "-inf", "+inf", "-0", "0x10", "1e", "nan", "x", "", " 1", "1e400") }
)

const bound: Arb<string> = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(fc.constantFrom("", "", "("), fc.integer({ min: -3, max: 5 })).map(([p, n]) => `${p}${n}`) },
  { weight: 2, arbitrary: fc.constantFrom("-inf", "+inf", "(-inf", "inf", "(2.5", "0.25") },
  { weight: 1, arbitrary: fc.constantFrom("x", "((1", "nan", "", "(", " 2", "2 ") }
)

const rank: Arb<string> = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: -6, max: 6 }).map(String) },
  { weight: 1, arbitrary: fc.constantFrom("x", "1.5", "9223372036854775807", "-9223372036854775808") }
)

const limit: Arb<Array<string>> = fc.oneof(
  { weight: 3, arbitrary: fc.constant([] as Array<string>) },
  { weight: 2, arbitrary: fc.tuple(fc.integer({ min: -1, max: 4 }), fc.integer({ min: -2, max: 4 })).map(([o, c]) => ["LIMIT", String(o), String(c)]) },
  { weight: 1, arbitrary: fc.constantFrom(["LIMIT", "x", "1"], ["LIMIT", "1"]) }
)

const count: Arb<string> = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: -5, max: 8 }).map(String) },
  { weight: 1, arbitrary: fc.constantFrom("x", "1000", "") }
)

export const zsetCommands = ({ key, keys, value }: SharedArbitraries): Arb<Step> => {
  const member: Arb<string> = fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom("a", "b", "c", "d", "aa", "ab", "", "\xff", "1", "B") },
    { weight: 1, arbitrary: value }
  )
  const members = (min: number, max: number) => fc.array(member, { minLength: min, maxLength: max })
  const lexBound: Arb<string> = fc.oneof(
    { weight: 6, arbitrary: fc.tuple(fc.constantFrom("[", "("), member).map(([p, m]) => p + m) },
    { weight: 3, arbitrary: fc.constantFrom("-", "+") },
    { weight: 1, arbitrary: fc.constantFrom("a", "", "-x", "+\x00") }
  )
  const zaddOptions: Arb<Array<string>> = fc
    .tuple(
      fc.constantFrom([], [], [], ["NX"], ["XX"], ["NX", "XX"]),
      fc.constantFrom([], [], ["GT"], ["LT"], ["GT", "LT"]),
      fc.constantFrom([], ["CH"]),
      fc.constantFrom([], [], [], ["INCR"])
    )
    .map((parts) => parts.flat())
  const pairs = (min: number, max: number) =>
    fc.array(fc.tuple(score, member), { minLength: min, maxLength: max }).map((p) => p.flat())
  const numkeys = fc.oneof(
    { weight: 8, arbitrary: fc.integer({ min: 1, max: 3 }).map(String) },
    { weight: 1, arbitrary: fc.constantFrom("0", "-1", "x", "5") }
  )
  const weights = fc.oneof(
    { weight: 3, arbitrary: fc.constant([] as Array<string>) },
    { weight: 1, arbitrary: fc.array(fc.constantFrom("1", "2", "-1", "0", "0.5", "inf", "x"), { minLength: 1, maxLength: 3 }).map((w) => ["WEIGHTS", ...w]) }
  )
  const aggregate = fc.constantFrom([], [], ["AGGREGATE", "SUM"], ["AGGREGATE", "MIN"], ["AGGREGATE", "MAX"], ["AGGREGATE", "X"])
  const withScores = fc.constantFrom([], ["WITHSCORES"])
  return fc.oneof(
    { weight: 12, arbitrary: cmd("ZADD", key, zaddOptions, pairs(1, 4)) },
    { weight: 3, arbitrary: cmd("ZINCRBY", key, score, member) },
    { weight: 3, arbitrary: cmd("ZREM", key, members(1, 3)) },
    { weight: 3, arbitrary: cmd("ZSCORE", key, member) },
    { weight: 2, arbitrary: cmd("ZMSCORE", key, members(1, 3)) },
    { weight: 2, arbitrary: cmd("ZCARD", key) },
    { weight: 3, arbitrary: cmd(fc.constantFrom("ZRANK", "ZREVRANK"), key, member) },
    { weight: 2, arbitrary: cmd("ZCOUNT", key, bound, bound) },
    { weight: 2, arbitrary: cmd("ZLEXCOUNT", key, lexBound, lexBound) },
    { weight: 4, arbitrary: cmd("ZRANGE", key, rank, rank, fc.constantFrom([], ["REV"]), withScores) },
    {
      weight: 3,
      arbitrary: cmd("ZRANGE", key, bound, bound, "BYSCORE", fc.constantFrom([], ["REV"]), limit, withScores)
    },
    { weight: 3, arbitrary: cmd("ZRANGE", key, lexBound, lexBound, "BYLEX", fc.constantFrom([], ["REV"]), limit) },
    { weight: 1, arbitrary: cmd("ZRANGE", key, rank, rank, fc.constantFrom(["LIMIT", "0", "1"], ["BYLEX", "WITHSCORES"], ["FOO"])) },
    { weight: 2, arbitrary: cmd(fc.constantFrom("ZRANGEBYSCORE", "ZREVRANGEBYSCORE"), key, bound, bound, withScores, limit) },
    { weight: 2, arbitrary: cmd(fc.constantFrom("ZRANGEBYLEX", "ZREVRANGEBYLEX"), key, lexBound, lexBound, limit) },
    { weight: 2, arbitrary: cmd("ZREVRANGE", key, rank, rank, withScores) },
    { weight: 2, arbitrary: cmd("ZRANGESTORE", key, key, rank, rank) },
    { weight: 1, arbitrary: cmd("ZRANGESTORE", key, key, bound, bound, "BYSCORE", limit) },
    { weight: 1, arbitrary: cmd("ZRANGESTORE", key, key, lexBound, lexBound, "BYLEX", fc.constantFrom([], ["REV"])) },
    { weight: 1, arbitrary: cmd("ZREMRANGEBYRANK", key, rank, rank) },
    { weight: 1, arbitrary: cmd("ZREMRANGEBYSCORE", key, bound, bound) },
    { weight: 1, arbitrary: cmd("ZREMRANGEBYLEX", key, lexBound, lexBound) },
    { weight: 3, arbitrary: cmd(fc.constantFrom("ZPOPMIN", "ZPOPMAX"), key, fc.constantFrom([], [], ["2"], ["0"], ["-1"], ["10"])) },
    {
      weight: 2,
      arbitrary: cmd("ZMPOP", numkeys, keys(1, 3), fc.constantFrom("MIN", "MAX", "max", "MID"), fc.constantFrom([], [], ["COUNT", "2"], ["COUNT", "0"]))
    },
    { weight: 3, arbitrary: cmd(fc.constantFrom("ZUNION", "ZINTER"), numkeys, keys(1, 3), weights, aggregate, withScores) },
    { weight: 2, arbitrary: cmd("ZDIFF", numkeys, keys(1, 3), withScores) },
    { weight: 3, arbitrary: cmd(fc.constantFrom("ZUNIONSTORE", "ZINTERSTORE"), key, numkeys, keys(1, 3), weights, aggregate) },
    { weight: 2, arbitrary: cmd("ZDIFFSTORE", key, numkeys, keys(1, 3)) },
    { weight: 1, arbitrary: cmd("ZINTERCARD", numkeys, keys(1, 3), fc.constantFrom([], ["LIMIT", "1"], ["LIMIT", "-1"])) },
    { weight: 2, arbitrary: withCheck(cmd("ZRANDMEMBER", key, fc.constantFrom([], ["1"], ["-2", "WITHSCORES"])), "sample") },
    { weight: 1, arbitrary: withCheck(cmd("ZRANDMEMBER", key, count, fc.constantFrom([], ["WITHSCORES"])), "sample") },
    {
      weight: 2,
      arbitrary: cmd("ZSCAN", key, "0", fc.constantFrom([], ["COUNT", "2"], ["MATCH", "a*"], ["COUNT", "0"]))
        .map((step) => ({ ...step, special: "scan" as const }))
    },
    {
      weight: 1,
      arbitrary: cmd(
        fc.constantFrom("ZADD", "ZREM", "ZCARD", "ZRANGE", "ZSCORE", "ZPOPMIN", "ZUNIONSTORE", "ZMPOP", "ZSCAN"),
        fc.array(fc.oneof(key, member), { maxLength: 2 })
      )
    }
  )
}
