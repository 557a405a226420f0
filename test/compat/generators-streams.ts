/**
 * Generated stream commands for the differential suite, over the same small key space as every
 * other family (so WRONGTYPE and the generic commands meet streams). IDs are explicit and small
 * (ms 0..12, seq 0..2, and `<ms>-*`), never `*`, so both servers make the same ones; claims and
 * PEL filters use a min-idle-time of 0. Replies that show times (XPENDING's elapsed, XINFO's
 * idle and delivery times) and XINFO's radix-tree-nodes compare through the "stream" check.
 */
import * as fc from "fast-check"
import type { Step } from "./compare.js"
import { cmd, pipelined, type SharedArbitraries } from "./generator-steps.js"

type Arb<A> = fc.Arbitrary<A>

const masked = (step: Arb<Step>): Arb<Step> => step.map((s) => ({ ...s, check: "stream" as const }))

export const streamCommands = ({ key, value }: SharedArbitraries): Arb<Step> => {
  const ms = fc.integer({ min: 0, max: 12 }).map(String)
  const id: Arb<string> = fc.oneof(
    { weight: 8, arbitrary: fc.tuple(ms, fc.integer({ min: 0, max: 2 })).map(([m, s]) => `${m}-${s}`) },
    { weight: 2, arbitrary: ms },
    { weight: 1, arbitrary: fc.constantFrom("0-0", "x", "18446744073709551615-18446744073709551615", "-1") }
  )
  const addId: Arb<string> = fc.oneof({ weight: 6, arbitrary: id }, { weight: 2, arbitrary: ms.map((m) => `${m}-*`) })
  const bound: Arb<string> = fc.oneof(
    { weight: 3, arbitrary: id },
    { weight: 2, arbitrary: fc.constantFrom("-", "+") },
    { weight: 2, arbitrary: id.map((i) => `(${i}`) }
  )
  const field = fc.constantFrom("f", "g", "h")
  const pairs = fc.array(fc.tuple(field, value), { minLength: 1, maxLength: 2 }).map((p) => p.flat())
  const group = fc.constantFrom("g1", "g2")
  const consumer = fc.constantFrom("c1", "c2", "c3")
  const count = fc.option(fc.constantFrom("0", "1", "2", "5", "-1", "x").map((c) => ["COUNT", c]), { nil: undefined })
    .map((c) => c ?? [])
  const trim = fc.oneof(
    { weight: 4, arbitrary: fc.constant([] as Array<string>) },
    {
      weight: 2,
      arbitrary: fc.tuple(fc.constantFrom("", "=", "~"), fc.integer({ min: 0, max: 4 }).map(String))
        .map(([how, n]) => ["MAXLEN", ...(how === "" ? [] : [how]), n])
    },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom("", "="), id).map(([how, i]) => ["MINID", ...(how === "" ? [] : [how]), i]) }
  )
  const ids = fc.array(id, { minLength: 1, maxLength: 3 })

  const exactOn = (target: Arb<string>): Arb<Step> =>
    fc.oneof(
      { weight: 10, arbitrary: cmd("XADD", target, fc.constantFrom([], ["NOMKSTREAM"]), trim, addId, pairs) },
      { weight: 3, arbitrary: cmd("XRANGE", target, bound, bound, count) },
      { weight: 2, arbitrary: cmd("XREVRANGE", target, bound, bound, count) },
      { weight: 2, arbitrary: cmd("XLEN", target) },
      { weight: 2, arbitrary: cmd("XDEL", target, ids) },
      { weight: 1, arbitrary: cmd("XTRIM", target, trim.filter((t) => t.length > 0)) },
      { weight: 2, arbitrary: cmd("XREAD", count, "STREAMS", target, fc.oneof(id, fc.constant("$"))) },
      { weight: 3, arbitrary: cmd("XGROUP", "CREATE", target, group, fc.oneof(id, fc.constant("$")), fc.constantFrom([], ["MKSTREAM"])) },
      { weight: 1, arbitrary: cmd("XGROUP", "SETID", target, group, fc.oneof(id, fc.constant("$"))) },
      { weight: 1, arbitrary: cmd("XGROUP", "DESTROY", target, group) },
      { weight: 1, arbitrary: cmd("XGROUP", fc.constantFrom("CREATECONSUMER", "DELCONSUMER"), target, group, consumer) },
      {
        weight: 4,
        arbitrary: cmd("XREADGROUP", "GROUP", group, consumer, count, fc.constantFrom([], ["NOACK"]), "STREAMS", target,
          fc.oneof({ weight: 3, arbitrary: fc.constant(">") }, { weight: 1, arbitrary: id }))
      },
      { weight: 2, arbitrary: cmd("XACK", target, group, ids) },
      { weight: 1, arbitrary: cmd("XSETID", target, id) },
      { weight: 2, arbitrary: cmd("XCLAIM", target, group, consumer, "0", ids, fc.constantFrom(["JUSTID"], ["JUSTID", "FORCE"], [])) },
      { weight: 1, arbitrary: cmd("XAUTOCLAIM", target, group, consumer, "0", bound, count, fc.constantFrom(["JUSTID"], [])) },
      { weight: 1, arbitrary: cmd("XPENDING", target, group) },
      { weight: 1, arbitrary: masked(cmd("XPENDING", target, group, bound, bound, fc.constantFrom("1", "10"))) },
      { weight: 1, arbitrary: masked(cmd("XINFO", "STREAM", target)) },
      { weight: 1, arbitrary: masked(cmd("XINFO", "GROUPS", target)) },
      { weight: 1, arbitrary: masked(cmd("XINFO", "STREAM", target, "FULL")) }
    )

  return fc.oneof(
    { weight: 20, arbitrary: exactOn(key) },
    // A few commands on one stream in one pipeline: appends, a group, reads that find them.
    {
      weight: 6,
      arbitrary: key
        .chain((target) =>
          fc.tuple(
            fc.constantFrom([], [{ argv: ["DEL", target] }]),
            fc.array(cmd("XADD", fc.constant(target), addId, pairs), { minLength: 1, maxLength: 3 }),
            fc.array(exactOn(fc.constant(target)), { minLength: 1, maxLength: 5 })
          )
        )
        .map(([reset, adds, rest]) => pipelined([...reset, ...adds, ...rest.filter((step) => step.check === undefined)]))
    }
  )
}
