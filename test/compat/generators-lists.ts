/**
 * Generated list commands for the differential suite, over the same small key space as every
 * other family (so lists meet strings and hashes on the same keys and WRONGTYPE paths are hit).
 * Elements come mostly from a handful of short values, so LREM, LPOS and LINSERT find matches.
 */
import * as fc from "fast-check"
import type { Step } from "./compare.js"
import { cmd, pipelined, type SharedArbitraries } from "./generator-steps.js"
import { INT64_MAX, INT64_MIN } from "./values.js"

type Arb<A> = fc.Arbitrary<A>

export const listCommands = ({ key, keys, value, index }: SharedArbitraries): Arb<Step> => {
  const element: Arb<string> = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom("a", "b", "c", "1", "") },
    { weight: 2, arbitrary: value }
  )
  const elements = fc.array(element, { minLength: 1, maxLength: 4 })
  /** Mostly indexes that land inside the short lists these sequences build. */
  const listIndex: Arb<string> = fc.oneof(
    { weight: 4, arbitrary: fc.integer({ min: -5, max: 5 }).map(String) },
    { weight: 1, arbitrary: index }
  )
  const end = fc.oneof({ weight: 9, arbitrary: fc.constantFrom("LEFT", "RIGHT", "left") }, { weight: 1, arbitrary: fc.constant("UP") })
  const count = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom("0", "1", "2", "3", "10") },
    { weight: 1, arbitrary: fc.constantFrom("-1", "x", INT64_MAX, INT64_MIN) }
  )
  const lposOptions: Arb<Array<string>> = fc
    .tuple(
      fc.option(fc.oneof(
        { weight: 6, arbitrary: fc.constantFrom("1", "2", "-1", "-2") },
        { weight: 1, arbitrary: fc.constantFrom("0", INT64_MIN, "x") }
      ).map((r) => ["RANK", r]), { nil: undefined }),
      fc.option(fc.constantFrom("0", "1", "2", "3", "0", "1", "-1").map((c) => ["COUNT", c]), { nil: undefined }),
      fc.option(fc.constantFrom("0", "1", "3", "5", "0", "2", "-1").map((m) => ["MAXLEN", m]), { nil: undefined }),
      fc.oneof({ weight: 12, arbitrary: fc.constant([] as Array<string>) }, { weight: 1, arbitrary: fc.constantFrom(["FOO"], ["RANK"]) })
    )
    .map(([rank, countOption, maxlen, junk]) => [...(rank ?? []), ...(countOption ?? []), ...(maxlen ?? []), ...junk])
  const lmpop: Arb<Array<string>> = fc
    .tuple(keys(1, 3), end, fc.option(count.map((c) => ["COUNT", c]), { nil: undefined }), fc.integer({ min: -1, max: 1 }))
    .map(([popKeys, where, countOption, skew]) => [
      String(popKeys.length + skew),
      ...popKeys,
      where,
      ...(countOption ?? [])
    ])
  /** The list commands on `target` (a second key, where there is one, from the whole key space). */
  const commandsOn = (target: Arb<string>): Arb<Step> =>
    fc.oneof(
      { weight: 6, arbitrary: cmd(fc.constantFrom("LPUSH", "RPUSH"), target, elements) },
      { weight: 2, arbitrary: cmd(fc.constantFrom("LPUSHX", "RPUSHX"), target, elements) },
      { weight: 3, arbitrary: cmd(fc.constantFrom("LPOP", "RPOP"), target) },
      { weight: 2, arbitrary: cmd(fc.constantFrom("LPOP", "RPOP"), target, count) },
      { weight: 2, arbitrary: cmd("LLEN", target) },
      { weight: 4, arbitrary: cmd("LRANGE", target, listIndex, listIndex) },
      { weight: 2, arbitrary: cmd("LRANGE", target, "0", "-1") },
      { weight: 2, arbitrary: cmd("LINDEX", target, listIndex) },
      { weight: 2, arbitrary: cmd("LSET", target, listIndex, element) },
      { weight: 2, arbitrary: cmd("LINSERT", target, fc.constantFrom("BEFORE", "AFTER", "after", "NEAR"), element, element) },
      { weight: 2, arbitrary: cmd("LREM", target, fc.constantFrom("0", "1", "-1", "2", "-2", "x"), element) },
      { weight: 2, arbitrary: cmd("LTRIM", target, listIndex, listIndex) },
      { weight: 2, arbitrary: cmd("LPOS", target, element, lposOptions) },
      { weight: 2, arbitrary: cmd("LMOVE", target, key, end, end) },
      { weight: 1, arbitrary: cmd("LMOVE", key, target, end, end) },
      { weight: 1, arbitrary: cmd("RPOPLPUSH", target, key) },
      { weight: 1, arbitrary: cmd("OBJECT", "ENCODING", target) }
    )

  const burstOn = (target: string): Arb<Array<Step>> =>
    fc
      .tuple(
        fc.constantFrom([], [{ argv: ["DEL", target] }]),
        cmd(fc.constantFrom("LPUSH", "RPUSH"), target, elements),
        fc.array(commandsOn(fc.constant(target)), { minLength: 1, maxLength: 5 })
      )
      .map(([reset, push, rest]) => [...reset, push, ...rest])

  return fc.oneof(
    { weight: 30, arbitrary: commandsOn(key) },
    // A few commands on one key in one pipeline, often on a fresh list: reads that find what was just written.
    { weight: 8, arbitrary: key.chain((target) => burstOn(target)).map(pipelined) },
    { weight: 2, arbitrary: cmd("LMPOP", lmpop) },
    {
      weight: 1,
      arbitrary: cmd(
        fc.constantFrom("LPUSH", "LPOP", "LLEN", "LRANGE", "LINDEX", "LSET", "LINSERT", "LREM", "LPOS", "LMOVE", "LMPOP"),
        fc.array(fc.oneof(key, element), { maxLength: 3 })
      )
    }
  )
}
