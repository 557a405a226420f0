/**
 * Counters in hash fields: HINCRBY over the whole int64 range (exact past 2^53 through bigint)
 * and HINCRBYFLOAT with INCRBYFLOAT's long double arithmetic and formatting (strings/long-double.ts).
 * The increment is checked before the key, a missing field counts as 0, and the result is
 * written like any field (so a long result can turn the hash into a "hashtable").
 */
import { notify, NotifyType } from "../../pubsub/notify.js"
import { ERR_NOT_FLOAT, ERR_NOT_INTEGER, parseInteger } from "../../protocol/arguments.js"
import { addLongDouble, formatLongDouble, INFINITE, LONG_DOUBLE_ZERO, parseLongDouble } from "../strings/long-double.js"
import { addInt64, ERR_OVERFLOW } from "../strings/shared.js"
import { keyAt } from "../../protocol/key-specs.js"
import { hashCommand, hashForWrite, setField, WRONG_TYPE, writeTarget } from "./shared.js"

const hincrby = hashCommand({
  name: "hincrby",
  arity: 4,
  flags: ["write", "denyoom", "fast"],
  keySpecs: [keyAt(1, "RW", "access", "update")],
  summary: "Increment the integer value of a hash field by the given number",
  since: "2.0.0",
  complexity: "O(1)",
  run: (ctx, argv) => {
    const delta = parseInteger(argv[3])
    if (delta === undefined) return ctx.out.error(ERR_NOT_INTEGER)
    const key = argv[1]
    const field = argv[2]
    const existing = hashForWrite(ctx, key)
    if (existing === WRONG_TYPE) return
    const current = existing === undefined ? undefined : existing.get(field)
    let base: number | bigint = 0
    if (current !== undefined) {
      const parsed = parseInteger(current)
      if (parsed === undefined) return ctx.out.error("ERR hash value is not an integer")
      base = parsed
    }
    const result = addInt64(base, delta)
    if (result === undefined) return ctx.out.error(ERR_OVERFLOW)
    setField(ctx.server.config, writeTarget(ctx, key, existing), field, String(result))
    notify(ctx, NotifyType.Hash, "hincrby", key)
    ctx.out.integer(result)
  }
})

const hincrbyfloat = hashCommand({
  name: "hincrbyfloat",
  arity: 4,
  flags: ["write", "denyoom", "fast"],
  keySpecs: [keyAt(1, "RW", "access", "update")],
  summary: "Increment the float value of a hash field by the given amount",
  since: "2.6.0",
  complexity: "O(1)",
  run: (ctx, argv) => {
    const increment = parseLongDouble(argv[3])
    if (increment === undefined) return ctx.out.error(ERR_NOT_FLOAT)
    if (increment === INFINITE) return ctx.out.error("ERR value is NaN or Infinity")
    const key = argv[1]
    const field = argv[2]
    const existing = hashForWrite(ctx, key)
    if (existing === WRONG_TYPE) return
    const current = existing === undefined ? undefined : existing.get(field)
    const base = current === undefined ? LONG_DOUBLE_ZERO : parseLongDouble(current)
    if (base === undefined) return ctx.out.error("ERR hash value is not a float")
    const sum = base === INFINITE ? INFINITE : addLongDouble(base, increment)
    if (sum === INFINITE) return ctx.out.error("ERR increment would produce NaN or Infinity")
    const text = formatLongDouble(sum)
    setField(ctx.server.config, writeTarget(ctx, key, existing), field, text)
    notify(ctx, NotifyType.Hash, "hincrbyfloat", key)
    ctx.out.bulk(text)
  }
})

export const hashCounterCommands = [hincrby, hincrbyfloat]
