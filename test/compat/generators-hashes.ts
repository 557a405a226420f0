/**
 * Generated hash commands for the differential suite, over the same small key space as every
 * other family. A few fields so commands meet the same ones; values one byte either side of
 * hash-max-listpack-value, and now and then smaller thresholds through CONFIG SET (the harness
 * restores them before each sequence), so the listpack → hashtable conversion is compared via
 * OBJECT ENCODING. Replies in hash order are compared as sets (HKEYS, HVALS) or pair sets
 * (HGETALL), HSCAN as a full iteration, HRANDFIELD by what its random picks must satisfy.
 */
import * as fc from "fast-check"
import type { Step } from "./compare.js"
import { cmd, pipelined, type SharedArbitraries } from "./generator-steps.js"
import { INT64_MAX, INT64_MIN } from "./values.js"

type Arb<A> = fc.Arbitrary<A>

const V64 = "v".repeat(64)
const V65 = "w".repeat(65)

export const hashCommands = ({ key, value }: SharedArbitraries): Arb<Step> => {
  const field: Arb<string> = fc.oneof(
    { weight: 12, arbitrary: fc.constantFrom("f1", "f2", "f3", "", "\x00\xff") },
    { weight: 1, arbitrary: fc.constant(V65) }
  )
  const fieldValue: Arb<string> = fc.oneof(
    { weight: 8, arbitrary: value },
    { weight: 1, arbitrary: fc.constantFrom(V64, V65) }
  )
  const pairs = fc.array(fc.tuple(field, fieldValue), { minLength: 1, maxLength: 3 }).map((p) => p.flat())
  const fields = fc.array(field, { minLength: 1, maxLength: 3 })
  const increment = fc.oneof(
    { weight: 6, arbitrary: fc.integer({ min: -100, max: 100 }).map(String) },
    { weight: 1, arbitrary: fc.constantFrom("x", "1.5", INT64_MAX, INT64_MIN, "") }
  )
  const floatIncrement = fc.oneof(
    { weight: 6, arbitrary: fc.integer({ min: -100_000, max: 100_000 }).map((n) => String(n / 100)) },
    { weight: 1, arbitrary: fc.constantFrom("1e70", "-1e70", "inf", "nan", "x", "0x10", "1e-20") }
  )
  const randomCount = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom("1", "2", "3", "5", "-1", "-2", "-5", "0") },
    { weight: 1, arbitrary: fc.constantFrom("x", INT64_MIN, "4611686018427387904") }
  )
  const hscanOptions = fc
    .tuple(
      fc.option(fc.constantFrom("f*", "f[12]", "*", "", "\x00*").map((p) => ["MATCH", p]), { nil: undefined }),
      fc.option(fc.constantFrom("1", "2", "10", "0", "x").map((c) => ["COUNT", c]), { nil: undefined })
    )
    .map((parts) => parts.flatMap((part) => part ?? []))
  /** The hash commands on `target` whose replies compare exactly (no hash order, no randomness). */
  const exactOn = (target: Arb<string>): Arb<Step> =>
    fc.oneof(
      { weight: 8, arbitrary: cmd("HSET", target, pairs) },
      { weight: 1, arbitrary: cmd("HMSET", target, pairs) },
      { weight: 2, arbitrary: cmd("HSETNX", target, field, fieldValue) },
      { weight: 4, arbitrary: cmd("HGET", target, field) },
      { weight: 2, arbitrary: cmd("HMGET", target, fields) },
      { weight: 3, arbitrary: cmd("HDEL", target, fields) },
      { weight: 1, arbitrary: cmd("HEXISTS", target, field) },
      { weight: 2, arbitrary: cmd("HLEN", target) },
      { weight: 1, arbitrary: cmd("HSTRLEN", target, field) },
      { weight: 3, arbitrary: cmd("HINCRBY", target, field, increment) },
      { weight: 3, arbitrary: cmd("HINCRBYFLOAT", target, field, floatIncrement) },
      { weight: 2, arbitrary: cmd("OBJECT", "ENCODING", target) }
    )

  return fc.oneof(
    { weight: 30, arbitrary: exactOn(key) },
    // A few commands on one key in one pipeline, often on a fresh hash: reads that find what was just written.
    {
      weight: 8,
      arbitrary: key
        .chain((target) =>
          fc.tuple(
            fc.constantFrom([], [{ argv: ["DEL", target] }]),
            cmd("HSET", target, pairs),
            fc.array(exactOn(fc.constant(target)), { minLength: 1, maxLength: 5 })
          )
        )
        .map(([reset, set, rest]) => pipelined([...reset, set, ...rest]))
    },
    { weight: 2, arbitrary: cmd(fc.constantFrom("HKEYS", "HVALS"), key).map((step) => ({ ...step, check: "unordered" as const })) },
    { weight: 3, arbitrary: cmd("HGETALL", key).map((step) => ({ ...step, check: "pairs" as const })) },
    {
      weight: 3,
      arbitrary: cmd("HRANDFIELD", key, fc.constantFrom([], [], ["WITHVALUES"]).chain((withValues) =>
        withValues.length === 0 ? fc.option(randomCount.map((c) => [c]), { nil: [] as Array<string> }) : randomCount.map((c) => [c, ...withValues])
      )).map((step) => ({ ...step, special: "sample" as const, population: { argv: ["HGETALL", step.argv[1]], pairs: true } }))
    },
    { weight: 2, arbitrary: cmd("HSCAN", key, "0", hscanOptions).map((step) => ({ ...step, special: "scan" as const })) },
    {
      weight: 1,
      arbitrary: cmd(
        "CONFIG",
        "SET",
        fc.constantFrom("hash-max-listpack-entries", "hash-max-ziplist-entries", "hash-max-listpack-value"),
        fc.constantFrom("0", "1", "2", "3", "8", "64", "512")
      )
    },
    {
      weight: 1,
      arbitrary: cmd(
        // Not HRANDFIELD or HGETALL: their valid forms answer in random or hash order.
        fc.constantFrom("HSET", "HGET", "HMGET", "HDEL", "HLEN", "HINCRBY", "HINCRBYFLOAT", "HSETNX", "HSTRLEN"),
        fc.array(fc.oneof(key, field), { maxLength: 3 })
      )
    }
  )
}
