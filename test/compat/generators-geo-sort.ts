/**
 * fast-check arbitraries for the geo commands, SORT / SORT_RO and LCS in generated differential
 * sequences, over the shared key space of generators.ts (so they meet strings, lists, sets and
 * sorted sets other families made, scores that are no geohash included). Coordinates come from
 * a small pool with exact ties and out-of-range values. SORT avoids the forms whose order Redis
 * leaves to its set's hash table (ties kept in its order): no BY nosort without STORE, ALPHA
 * only with STORE and without BY (STORE compares bytes: without it, strcoll finds strings with a
 * leading NUL byte equal).
 */
import * as fc from "fast-check"
import type { Step } from "./compare.js"
import type { SharedArbitraries } from "./generators-sets.js"

type Arb<A> = fc.Arbitrary<A>

const cmd = (...parts: Array<Arb<string> | Arb<Array<string>> | string>): Arb<Step> =>
  fc
    .tuple(...parts.map((part) => (typeof part === "string" ? fc.constant(part) : part)) as Array<Arb<string | Array<string>>>)
    .map((values) => ({ argv: values.flat() }))

const optional = (arb: Arb<Array<string>>): Arb<Array<string>> =>
  fc.oneof({ weight: 1, arbitrary: fc.constant([] as Array<string>) }, { weight: 1, arbitrary: arb })

const longitude: Arb<string> = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom("0", "1", "1.001", "13.361389", "-75.5", "179.999", "-180", "180") },
  { weight: 1, arbitrary: fc.constantFrom("181", "x", "", "inf", "-0") }
)
const latitude: Arb<string> = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom("0", "1", "1.0005", "38.115556", "-33.9", "85.05112878", "-85.05112878") },
  { weight: 1, arbitrary: fc.constantFrom("86", "nan", "1e", "-90") }
)
const member: Arb<string> = fc.constantFrom("a", "b", "c", "d", "", "\xff", "1")
const unit: Arb<string> = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom("m", "km", "mi", "ft", "KM") },
  { weight: 1, arbitrary: fc.constantFrom("yd", "") }
)
const distance: Arb<string> = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom("0", "1", "200", "5000", "40000000") },
  { weight: 1, arbitrary: fc.constantFrom("-1", "x", "inf") }
)
const count: Arb<string> = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 1, max: 5 }).map(String) },
  { weight: 1, arbitrary: fc.constantFrom("0", "-1", "x") }
)

const from: Arb<Array<string>> = fc.oneof(
  cmd("FROMMEMBER", member).map((step) => [...step.argv]),
  cmd("FROMLONLAT", longitude, latitude).map((step) => [...step.argv])
)
const by: Arb<Array<string>> = fc.oneof(
  cmd("BYRADIUS", distance, unit).map((step) => [...step.argv]),
  cmd("BYBOX", distance, distance, unit).map((step) => [...step.argv])
)
const order: Arb<Array<string>> = optional(fc.constantFrom(["ASC"], ["DESC"]))
const countOption: Arb<Array<string>> = optional(
  fc.tuple(count, fc.boolean()).map(([n, any]) => (any ? ["COUNT", n, "ANY"] : ["COUNT", n]))
)
const withOptions: Arb<Array<string>> = fc.subarray(["WITHDIST", "WITHHASH", "WITHCOORD"])

export const geoSortCommands = ({ key, value }: SharedArbitraries): Arb<Step> => {
  const points: Arb<Array<string>> = fc
    .array(fc.tuple(longitude, latitude, member), { minLength: 1, maxLength: 4 })
    .map((triples) => triples.flat())
  const limit: Arb<Array<string>> = optional(
    fc.tuple(fc.integer({ min: -1, max: 4 }), fc.integer({ min: -1, max: 4 })).map(([o, c]) => ["LIMIT", String(o), String(c)])
  )
  const pattern: Arb<string> = fc.constantFrom("k*", "n*", "#", "k*->a", "nostar")
  const gets: Arb<Array<string>> = fc.array(pattern, { maxLength: 2 }).map((list) => list.flatMap((p) => ["GET", p]))
  const numericBy: Arb<Array<string>> = optional(fc.constantFrom(["BY", "k*"], ["BY", "n*"], ["BY", "k*->a"]))
  const lcsOptions: Arb<Array<string>> = fc.oneof(
    fc.constant([] as Array<string>),
    fc.constant(["LEN"]),
    fc
      .tuple(optional(fc.constantFrom(["MINMATCHLEN", "2"], ["MINMATCHLEN", "0"], ["MINMATCHLEN", "x"])), fc.boolean())
      .map(([min, withLen]) => ["IDX", ...min, ...(withLen ? ["WITHMATCHLEN"] : [])]),
    fc.constant(["IDX", "LEN"])
  )
  return fc.oneof(
    { weight: 6, arbitrary: cmd("GEOADD", key, optional(fc.constantFrom(["NX"], ["XX"], ["CH"], ["XX", "CH"])), points) },
    { weight: 2, arbitrary: cmd("GEOPOS", key, fc.array(member, { maxLength: 3 })) },
    { weight: 2, arbitrary: cmd("GEOHASH", key, fc.array(member, { maxLength: 3 })) },
    { weight: 2, arbitrary: cmd("GEODIST", key, member, member, optional(unit.map((u) => [u]))) },
    { weight: 4, arbitrary: cmd("GEOSEARCH", key, from, by, order, countOption, withOptions) },
    {
      weight: 2,
      arbitrary: cmd("GEOSEARCHSTORE", key, key, from, by, order, countOption, optional(fc.constant(["STOREDIST"])))
    },
    { weight: 1, arbitrary: cmd("GEORADIUS", key, longitude, latitude, distance, unit, order, countOption, withOptions) },
    {
      weight: 1,
      arbitrary: cmd("GEORADIUSBYMEMBER", key, member, distance, unit, fc.constantFrom("STORE", "STOREDIST"), key)
    },
    { weight: 3, arbitrary: cmd("SORT", key, numericBy, limit, order, gets) },
    { weight: 1, arbitrary: cmd("SORT_RO", key, limit, order) },
    { weight: 2, arbitrary: cmd("SORT", key, fc.constantFrom(["ALPHA"], ["BY", "nosort"]), limit, order, gets, "STORE", key) },
    { weight: 2, arbitrary: cmd("LCS", key, key, lcsOptions) },
    { weight: 1, arbitrary: cmd("SET", fc.constantFrom("k1", "n"), value) }
  )
}
