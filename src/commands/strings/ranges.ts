/**
 * Commands on part of a string value: APPEND, STRLEN, GETRANGE (and its old name SUBSTR),
 * SETRANGE. Growing a value is bounded by proto-max-bulk-len, as in Redis, and by the longest
 * string V8 can hold (just under 512 MB), which only matters at the very top of Redis's range.
 * Writes keep the key's TTL. A value written into (APPEND to an existing one, SETRANGE) becomes
 * a "raw" string for OBJECT ENCODING, as in Redis.
 */
import { constants as bufferConstants } from "node:buffer"
import { ERR_NOT_INTEGER, parseInteger } from "../../protocol/arguments.js"
import { deprecated, type CommandContext, type CommandRun } from "../Command.js"
import { WRONGTYPE } from "../../keyspace/Value.js"
import { notify, NotifyType } from "../../pubsub/notify.js"
import { keyAt } from "../../protocol/key-specs.js"
import { markEditedInPlace } from "./encoding.js"
import { readKey } from "./get-set.js"
import { EMPTY_BULK, ERR_TOO_LONG, stringCommand } from "./shared.js"

/** Whether a string of `length` bytes may be built; replies the error when it may not. */
const lengthAllowedOrReply = (ctx: CommandContext, length: number): boolean => {
  if (length <= ctx.server.config.protoMaxBulkLen && length <= bufferConstants.MAX_STRING_LENGTH) return true
  ctx.out.error(ERR_TOO_LONG)
  return false
}

const append = stringCommand({
  name: "append",
  arity: 3,
  flags: ["write", "denyoom", "fast"],
  keySpecs: [keyAt(1, "RW", "insert")],
  summary: "Append a value to a key",
  since: "2.0.0",
  complexity:
    "O(1). The amortized time complexity is O(1) assuming the appended value is small and the already present value is of any size, since the dynamic string library used by Redis will double the free space available on every reallocation.",
  run: (ctx, argv) => {
    const key = argv[1]
    const suffix = argv[2]
    const current = ctx.db.get(key, ctx.now)
    if (current === undefined) {
      ctx.db.setKeepTtl(key, suffix)
      notify(ctx, NotifyType.String, "append", key)
      return ctx.out.integer(suffix.length)
    }
    if (typeof current !== "string") return ctx.out.error(WRONGTYPE)
    const length = current.length + suffix.length
    if (!lengthAllowedOrReply(ctx, length)) return
    const updated = current + suffix
    ctx.db.setKeepTtl(key, updated)
    markEditedInPlace(ctx.db, key, updated)
    notify(ctx, NotifyType.String, "append", key)
    ctx.out.integer(length)
  }
})

const strlen = stringCommand({
  name: "strlen",
  arity: 2,
  flags: ["readonly", "fast"],
  keySpecs: [keyAt(1, "RO")],
  summary: "Get the length of the value stored in a key",
  since: "2.2.0",
  complexity: "O(1)",
  run: (ctx, argv) => {
    const value = readKey(ctx, argv[1])
    if (value === undefined) ctx.out.integer(0)
    else if (typeof value !== "string") ctx.out.error(WRONGTYPE)
    else ctx.out.integer(value.length)
  }
})

/** GETRANGE / SUBSTR: inclusive byte range, negative indexes from the end, Redis 7.0's clamping. */
const getRange: CommandRun = (ctx, argv) => {
  const startArg = parseInteger(argv[2])
  if (startArg === undefined) return ctx.out.error(ERR_NOT_INTEGER)
  const endArg = parseInteger(argv[3])
  if (endArg === undefined) return ctx.out.error(ERR_NOT_INTEGER)
  const value = readKey(ctx, argv[1])
  if (value === undefined) return ctx.out.raw(EMPTY_BULK)
  if (typeof value !== "string") return ctx.out.error(WRONGTYPE)
  // Past 2^53 an index only means "far beyond either end", which a rounded number still says.
  let start = Number(startArg)
  let end = Number(endArg)
  const length = value.length
  if (start < 0 && end < 0 && start > end) return ctx.out.raw(EMPTY_BULK)
  if (start < 0) start = Math.max(0, length + start)
  if (end < 0) end = Math.max(0, length + end)
  if (end >= length) end = length - 1
  if (start > end || length === 0) return ctx.out.raw(EMPTY_BULK)
  ctx.out.bulk(start === 0 && end === length - 1 ? value : value.slice(start, end + 1))
}

const GETRANGE_COMPLEXITY =
  "O(N) where N is the length of the returned string. The complexity is ultimately determined by the returned length, but because creating a substring from an existing string is very cheap, it can be considered O(1) for small strings."

const getrange = stringCommand({
  name: "getrange",
  arity: 4,
  flags: ["readonly"],
  keySpecs: [keyAt(1, "RO", "access")],
  summary: "Get a substring of the string stored at a key",
  since: "2.4.0",
  complexity: GETRANGE_COMPLEXITY,
  run: getRange
})

const substr = stringCommand({
  name: "substr",
  ...deprecated("2.0.0", "`GETRANGE`"),
  arity: 4,
  flags: ["readonly"],
  keySpecs: [keyAt(1, "RO", "access")],
  summary: "Get a substring of the string stored at a key",
  since: "1.0.0",
  complexity: GETRANGE_COMPLEXITY,
  run: getRange
})

const setrange = stringCommand({
  name: "setrange",
  arity: 4,
  flags: ["write", "denyoom"],
  keySpecs: [keyAt(1, "RW", "update")],
  summary: "Overwrite part of a string at key starting at the specified offset",
  since: "2.2.0",
  complexity:
    "O(1), not counting the time taken to copy the new string in place. Usually, this string is very small so the amortized complexity is O(1). Otherwise, complexity is O(M) with M being the length of the value argument.",
  run: (ctx, argv) => {
    const parsed = parseInteger(argv[2])
    if (parsed === undefined) return ctx.out.error(ERR_NOT_INTEGER)
    if (parsed < 0) return ctx.out.error("ERR offset is out of range")
    const offset = Number(parsed)
    const key = argv[1]
    const patch = argv[3]
    const current = ctx.db.get(key, ctx.now)
    if (current !== undefined && typeof current !== "string") return ctx.out.error(WRONGTYPE)
    const currentLength = current === undefined ? 0 : current.length
    // Writing nothing changes nothing (and creates no key).
    if (patch.length === 0) return ctx.out.integer(currentLength)
    if (!lengthAllowedOrReply(ctx, offset + patch.length)) return
    const before = current === undefined ? "" : current
    const updated =
      offset <= currentLength
        ? before.slice(0, offset) + patch + before.slice(offset + patch.length)
        : before + "\0".repeat(offset - currentLength) + patch
    ctx.db.setKeepTtl(key, updated)
    markEditedInPlace(ctx.db, key, updated)
    notify(ctx, NotifyType.String, "setrange", key)
    ctx.out.integer(updated.length)
  }
})

export const rangeCommands = [append, strlen, getrange, substr, setrange]
