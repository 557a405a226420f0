/**
 * fast-check arbitraries for the set commands in generated differential sequences. They use
 * the key space and values of generators.ts (passed in, so there is no import cycle), so sets
 * land on keys that hold strings and sorted sets too and WRONGTYPE paths are hit. Members come
 * mostly from a small pool (integers for intsets, texts for hashtables) so they collide.
 *
 * Randomness: SRANDMEMBER compares by shape; an SPOP that may leave members behind compares by
 * shape and is followed by a DEL of its key (see `afterRandomPop`), whose answer is the same on
 * both servers, so the two keyspaces stay equal.
 */
import * as fc from "fast-check"
import type { Step } from "./compare.js"

type Arb<A> = fc.Arbitrary<A>

export interface SharedArbitraries {
  readonly key: Arb<string>
  readonly keys: (min: number, max: number) => Arb<Array<string>>
  readonly value: Arb<string>
}

const cmd = (...parts: Array<Arb<string> | Arb<Array<string>> | string>): Arb<Step> =>
  fc
    .tuple(...parts.map((part) => (typeof part === "string" ? fc.constant(part) : part)) as Array<Arb<string | Array<string>>>)
    .map((values) => ({ argv: values.flat() }))

const withCheck = (arb: Arb<Step>, check: Step["check"]): Arb<Step> => arb.map((step) => ({ ...step, check }))

const count: Arb<string> = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: -6, max: 8 }).map(String) },
  { weight: 1, arbitrary: fc.constantFrom("1000", "x", "1.5", "", "9223372036854775807", "-9223372036854775808") }
)

/** Pops of this many or more take a whole generated set (a few dozen members at most). */
const EVERYTHING = "1000"

export const setCommands = ({ key, keys, value }: SharedArbitraries): Arb<Step> => {
  const member: Arb<string> = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom("1", "2", "3", "-7", "100", "a", "b", "c", "x y", "", "\xff") },
    { weight: 2, arbitrary: value }
  )
  const members = (min: number, max: number) => fc.array(member, { minLength: min, maxLength: max })
  const numkeys = fc.oneof(
    { weight: 8, arbitrary: fc.integer({ min: 1, max: 3 }).map(String) },
    { weight: 1, arbitrary: fc.constantFrom("0", "-1", "x", "5") }
  )
  return fc.oneof(
    { weight: 10, arbitrary: cmd("SADD", key, members(1, 4)) },
    { weight: 4, arbitrary: cmd("SREM", key, members(1, 3)) },
    { weight: 3, arbitrary: cmd("SISMEMBER", key, member) },
    { weight: 2, arbitrary: cmd("SMISMEMBER", key, members(1, 3)) },
    { weight: 3, arbitrary: cmd("SCARD", key) },
    { weight: 4, arbitrary: withCheck(cmd("SMEMBERS", key), "unordered") },
    { weight: 3, arbitrary: cmd("SMOVE", key, key, member) },
    { weight: 3, arbitrary: withCheck(cmd(fc.constantFrom("SINTER", "SUNION", "SDIFF"), keys(1, 3)), "unordered") },
    { weight: 3, arbitrary: cmd(fc.constantFrom("SINTERSTORE", "SUNIONSTORE", "SDIFFSTORE"), key, keys(1, 3)) },
    {
      weight: 2,
      arbitrary: cmd("SINTERCARD", numkeys, keys(1, 3), fc.constantFrom([], [], ["LIMIT", "1"], ["LIMIT", "0"], ["LIMIT", "-1"]))
    },
    { weight: 3, arbitrary: withCheck(cmd("SRANDMEMBER", key, fc.constantFrom([], [], ["1"])), "sample") },
    { weight: 2, arbitrary: withCheck(cmd("SRANDMEMBER", key, count), "sample") },
    { weight: 2, arbitrary: withCheck(cmd("SPOP", key, fc.constantFrom([], ["1"], ["2"], ["-1"], ["x"])), "sample") },
    { weight: 2, arbitrary: withCheck(cmd("SPOP", key, EVERYTHING), "unordered") },
    { weight: 1, arbitrary: cmd("SPOP", key, "0") },
    {
      weight: 2,
      arbitrary: cmd("SSCAN", key, "0", fc.constantFrom([], ["COUNT", "2"], ["MATCH", "*1*"], ["COUNT", "0"], ["FOO", "1"]))
        .map((step) => ({ ...step, special: "scan" as const }))
    },
    {
      weight: 1,
      arbitrary: cmd("CONFIG", "SET", "set-max-intset-entries", fc.constantFrom("0", "1", "2", "3", "512", "512"))
    },
    {
      weight: 1,
      arbitrary: cmd(
        fc.constantFrom("SADD", "SREM", "SCARD", "SMOVE", "SINTERSTORE", "SSCAN", "SISMEMBER"),
        fc.array(fc.oneof(key, member), { maxLength: 1 })
      )
    }
  )
}

/**
 * The steps a generated step stands for: an SPOP that may leave random members behind is
 * followed by a DEL of its key, so both servers go on with the same keyspace.
 */
export const afterRandomPop = (step: Step): Array<Step> =>
  step.check === "sample" && /^spop$/i.test(step.argv[0] ?? "") && step.argv.length >= 2
    ? [step, { argv: ["DEL", step.argv[1]] }]
    : [step]
