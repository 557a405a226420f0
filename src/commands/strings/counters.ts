/**
 * Counters kept in string values: INCR, DECR, INCRBY, DECRBY over the whole int64 range (exact
 * past 2^53 through bigint, with Redis's overflow error) and INCRBYFLOAT with Redis's long double
 * arithmetic and formatting (see long-double.ts). The result is stored as its decimal text and
 * the key keeps its TTL. INCRBYFLOAT's result is an "embstr" string even when it reads as an
 * integer (see encoding.ts).
 */
import { ERR_NOT_FLOAT, ERR_NOT_INTEGER, parseInteger } from "../../protocol/arguments.js"
import { type CommandContext, propagateAs } from "../Command.js"
import { WRONGTYPE } from "../../keyspace/Value.js"
import { notify, NotifyType } from "../../pubsub/notify.js"
import { keyAt } from "../../protocol/key-specs.js"
import { markBuiltFromText } from "./encoding.js"
import { addLongDouble, formatLongDouble, INFINITE, LONG_DOUBLE_ZERO, parseLongDouble } from "./long-double.js"
import { addInt64, ERR_OVERFLOW, INT64_MIN, stringCommand } from "./shared.js"

/** Adds `delta` to the integer at `key` (a missing key counts as 0) and replies the result. */
const incrementBy = (ctx: CommandContext, key: string, delta: number | bigint): void => {
  const ref = ctx.db.lookup(key, ctx.now)
  if (ref !== -1 && typeof delta === "number") {
    // The usual counter: a safe integer in the record's own bytes, changed there (NaN, or a sum
    // past 2^53, goes the general way below).
    const result = ctx.db.inlineIntegerAt(ref) + delta
    if (Number.isSafeInteger(result)) {
      ctx.db.replaceWithInteger(ref, key, result)
      notify(ctx, NotifyType.String, "incrby", key)
      return ctx.out.integer(result)
    }
  }
  let base: number | bigint = 0
  if (ref !== -1) {
    if (!ctx.db.holdsString(ref)) return ctx.out.error(WRONGTYPE)
    const parsed = parseInteger(ctx.db.valueAt(ref) as string)
    if (parsed === undefined) return ctx.out.error(ERR_NOT_INTEGER)
    base = parsed
  }
  const result = addInt64(base, delta)
  if (result === undefined) return ctx.out.error(ERR_OVERFLOW)
  const digits = String(result)
  if (ref === -1) ctx.db.set(key, digits)
  else ctx.db.replaceKeepTtl(ref, key, digits)
  notify(ctx, NotifyType.String, "incrby", key)
  ctx.out.integerDigits(digits)
}

const incr = stringCommand({
  name: "incr",
  arity: 2,
  flags: ["write", "denyoom", "fast"],
  keySpecs: [keyAt(1, "RW", "access", "update")],
  summary: "Increment the integer value of a key by one",
  since: "1.0.0",
  complexity: "O(1)",
  run: (ctx, argv) => incrementBy(ctx, argv[1], 1)
})

const decr = stringCommand({
  name: "decr",
  arity: 2,
  flags: ["write", "denyoom", "fast"],
  keySpecs: [keyAt(1, "RW", "access", "update")],
  summary: "Decrement the integer value of a key by one",
  since: "1.0.0",
  complexity: "O(1)",
  run: (ctx, argv) => incrementBy(ctx, argv[1], -1)
})

const incrby = stringCommand({
  name: "incrby",
  arity: 3,
  flags: ["write", "denyoom", "fast"],
  keySpecs: [keyAt(1, "RW", "access", "update")],
  summary: "Increment the integer value of a key by the given amount",
  since: "1.0.0",
  complexity: "O(1)",
  run: (ctx, argv) => {
    const delta = parseInteger(argv[2])
    if (delta === undefined) return ctx.out.error(ERR_NOT_INTEGER)
    incrementBy(ctx, argv[1], delta)
  }
})

const decrby = stringCommand({
  name: "decrby",
  arity: 3,
  flags: ["write", "denyoom", "fast"],
  keySpecs: [keyAt(1, "RW", "access", "update")],
  summary: "Decrement the integer value of a key by the given number",
  since: "1.0.0",
  complexity: "O(1)",
  run: (ctx, argv) => {
    const amount = parseInteger(argv[2])
    if (amount === undefined) return ctx.out.error(ERR_NOT_INTEGER)
    // -INT64_MIN does not exist in int64.
    if (amount === INT64_MIN) return ctx.out.error("ERR decrement would overflow")
    incrementBy(ctx, argv[1], typeof amount === "number" ? 0 - amount : -amount)
  }
})

const incrbyfloat = stringCommand({
  name: "incrbyfloat",
  arity: 3,
  flags: ["write", "denyoom", "fast"],
  keySpecs: [keyAt(1, "RW", "access", "update")],
  summary: "Increment the float value of a key by the given amount",
  since: "2.6.0",
  complexity: "O(1)",
  run: (ctx, argv) => {
    const key = argv[1]
    const current = ctx.db.get(key, ctx.now)
    if (current !== undefined && typeof current !== "string") return ctx.out.error(WRONGTYPE)
    const base = current === undefined ? LONG_DOUBLE_ZERO : parseLongDouble(current)
    if (base === undefined) return ctx.out.error(ERR_NOT_FLOAT)
    const increment = parseLongDouble(argv[2])
    if (increment === undefined) return ctx.out.error(ERR_NOT_FLOAT)
    const sum = base === INFINITE || increment === INFINITE ? INFINITE : addLongDouble(base, increment)
    if (sum === INFINITE) return ctx.out.error("ERR increment would produce NaN or Infinity")
    const text = formatLongDouble(sum)
    ctx.db.setKeepTtl(key, text)
    markBuiltFromText(ctx.db, key, text)
    // Replay sets the result rather than adding again (no float drift between runs).
    if (ctx.keyspace.commandLog.enabled) propagateAs(ctx, ["SET", key, text, "KEEPTTL"])
    notify(ctx, NotifyType.String, "incrbyfloat", key)
    ctx.out.bulk(text)
  }
})

export const counterCommands = [incr, decr, incrby, decrby, incrbyfloat]
