/**
 * Transactions and blocking commands in generated differential sequences, over the shared key
 * space of generators.ts: MULTI blocks of queued commands (any family's, errors included) ended
 * by EXEC or DISCARD; WATCH blocks where this connection or another one (`other`) may change a
 * watched key, or flush or swap its database, before the EXEC; stray EXEC / DISCARD / UNWATCH;
 * and the blocking commands, which answer at once inside MULTI and, outside it, either find
 * something to pop or time out after 10–20 ms (never 0 there: nothing would wake them).
 *
 * EXEC's array is compared element by element with each queued command's own check (KEYS in any
 * order, TTLs with their tolerance, ...).
 */
import * as fc from "fast-check"
import type { Check, Step } from "./compare.js"
import { cmd, type SharedArbitraries } from "./generator-steps.js"

type Arb<A> = fc.Arbitrary<A>

/** Checks that compare two replies alone (no second command, connection or special exchange). */
const PLAIN_CHECKS: ReadonlySet<Check> = new Set(["exact", "seconds", "millis", "unordered", "pairs", "kind", "time", "hello", "sample"])

/** Commands that end a transaction at once instead of being queued (a blocking command after them would block). */
const ENDS_TRANSACTION: ReadonlySet<string> = new Set(["RESET", "QUIT", "EXEC", "DISCARD"])

/** Whether a step can be queued in MULTI and its reply compared inside EXEC's array. */
const queueable = (step: Step): boolean =>
  step.special === undefined && PLAIN_CHECKS.has(step.check ?? "exact") && !ENDS_TRANSACTION.has(step.argv[0].toUpperCase())

const end = fc.constantFrom("LEFT", "RIGHT", "left")
const minMax = fc.constantFrom("MIN", "MAX", "max")

/** The blocking commands, with timeouts from `timeout`. */
const blockingCommand = ({ key, keys }: SharedArbitraries, timeout: Arb<string>): Arb<Step> => {
  const popKeys = keys(1, 3)
  const counted = fc.option(fc.constantFrom("1", "2", "5", "0", "x").map((c) => ["COUNT", c]), { nil: undefined })
  return fc.oneof(
    cmd(fc.constantFrom("BLPOP", "BRPOP"), popKeys, timeout),
    cmd("BLMOVE", key, key, end, end, timeout),
    cmd("BRPOPLPUSH", key, key, timeout),
    fc.tuple(timeout, popKeys, end, counted).map(([t, k, where, count]) => ({
      argv: ["BLMPOP", t, String(k.length), ...k, where, ...(count ?? [])]
    })),
    cmd(fc.constantFrom("BZPOPMIN", "BZPOPMAX"), popKeys, timeout),
    fc.tuple(timeout, popKeys, minMax, counted).map(([t, k, where, count]) => ({
      argv: ["BZMPOP", t, String(k.length), ...k, where, ...(count ?? [])]
    }))
  )
}

/** Outside MULTI: a short wait that always ends, or a timeout Redis refuses. */
const shortTimeout: Arb<string> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom("0.01", "0.02") },
  { weight: 1, arbitrary: fc.constantFrom("-1", "x", "inf") }
)
/** Inside MULTI nothing blocks, so 0 is fine there too. */
const anyTimeout: Arb<string> = fc.constantFrom("0", "0.01", "1", "-1", "nan")

/** EXEC, compared element by element with the checks of what was queued. */
const exec = (queued: ReadonlyArray<Step>): Step => ({
  argv: ["EXEC"],
  check: "exec",
  elementChecks: queued.map((step) => step.check ?? "exact")
})

/**
 * Blocks of steps about transactions. `command` is any generated command; `expand` turns one
 * into the steps the sequence really sends (a SPOP followed by a DEL, ...).
 */
export const transactionSteps = (
  command: Arb<Step>,
  shared: SharedArbitraries,
  expand: (step: Step) => Array<Step>
): Arb<Array<Step>> => {
  const inside = fc.oneof(
    { weight: 6, arbitrary: command.filter(queueable) },
    { weight: 1, arbitrary: blockingCommand(shared, anyTimeout) }
  )
  const queue = fc.array(inside, { maxLength: 5 }).map((steps) => steps.flatMap(expand))
  const multiBlock = fc.tuple(queue, fc.constantFrom("EXEC", "EXEC", "EXEC", "DISCARD")).map(([queued, ending]) => [
    { argv: ["MULTI"] },
    ...queued,
    ending === "EXEC" ? exec(queued) : { argv: ["DISCARD"] }
  ])
  /** What happens between WATCH and MULTI: this connection's commands, another's, or nothing. */
  const meanwhile = fc.array(
    fc.oneof(
      { weight: 3, arbitrary: command.filter(queueable) },
      {
        weight: 3,
        // `other` compares a list (its reply, then the pushes this connection got): exact replies only.
        arbitrary: command.filter((step) => queueable(step) && (step.check ?? "exact") === "exact")
          .map((step): Step => ({ argv: step.argv, special: "other" }))
      },
      { weight: 1, arbitrary: fc.constantFrom<Step>({ argv: ["FLUSHDB"], special: "other" }, { argv: ["SWAPDB", "0", "1"], special: "other" }) }
    ),
    { maxLength: 3 }
  ).map((steps) => steps.flatMap(expand))
  const watchBlock = fc
    .tuple(shared.keys(1, 3), meanwhile, queue, fc.boolean())
    .map(([watched, between, queued, unwatch]): Array<Step> => [
      { argv: ["WATCH", ...watched] },
      ...between,
      ...(unwatch ? [{ argv: ["UNWATCH"] }] : []),
      { argv: ["MULTI"] },
      ...queued,
      exec(queued)
    ])
  const stray = fc.constantFrom<Array<Step>>([{ argv: ["EXEC"] }], [{ argv: ["DISCARD"] }], [{ argv: ["UNWATCH"] }], [{
    argv: ["WATCH"]
  }])
  const blocking = blockingCommand(shared, shortTimeout).map((step) => [step])
  return fc.oneof(
    { weight: 4, arbitrary: multiBlock },
    { weight: 4, arbitrary: watchBlock },
    { weight: 1, arbitrary: stray },
    { weight: 3, arbitrary: blocking }
  )
}
