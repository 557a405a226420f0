/**
 * Reading lists: LLEN, LRANGE, LINDEX, LPOS. Index access is O(1) in the ring buffer, so LRANGE
 * costs only the elements it returns. The order of argument checks and lookups is Redis's, since
 * it decides which error (or empty reply) wins.
 */
import { ERR_NOT_INTEGER, ERR_SYNTAX, LONG_MIN, parseInteger, parseSafeInteger } from "../../protocol/arguments.js"
import { isOption } from "../strings/shared.js"
import { keyAt } from "../../protocol/key-specs.js"
import { listCommand, listForRead, resolveIndex, WRONG_TYPE } from "./shared.js"

const llen = listCommand({
  name: "llen",
  arity: 2,
  flags: ["readonly", "fast"],
  keySpecs: [keyAt(1, "RO")],
  summary: "Get the length of a list",
  since: "1.0.0",
  complexity: "O(1)",
  run: (ctx, argv) => {
    const list = listForRead(ctx, argv[1])
    if (list !== WRONG_TYPE) ctx.out.integer(list === undefined ? 0 : list.length)
  }
})

const lrange = listCommand({
  name: "lrange",
  arity: 4,
  flags: ["readonly"],
  keySpecs: [keyAt(1, "RO", "access")],
  summary: "Get a range of elements from a list",
  since: "1.0.0",
  complexity:
    "O(S+N) where S is the distance of start offset from HEAD for small lists, from nearest end (HEAD or TAIL) for large lists; and N is the number of elements in the specified range.",
  run: (ctx, argv) => {
    let start = parseSafeInteger(argv[2])
    let end = parseSafeInteger(argv[3])
    if (start === undefined || end === undefined) return ctx.out.error(ERR_NOT_INTEGER)
    const list = listForRead(ctx, argv[1])
    if (list === WRONG_TYPE) return
    const length = list === undefined ? 0 : list.length
    if (start < 0) start = Math.max(0, length + start)
    if (end < 0) end = length + end
    if (list === undefined || start > end || start >= length) return ctx.out.arrayHeader(0)
    if (end >= length) end = length - 1
    const out = ctx.out
    out.arrayHeader(end - start + 1)
    for (let i = start; i <= end; i++) out.bulk(list.at(i))
  }
})

const lindex = listCommand({
  name: "lindex",
  arity: 3,
  flags: ["readonly"],
  keySpecs: [keyAt(1, "RO", "access")],
  summary: "Get an element from a list by its index",
  since: "1.0.0",
  complexity:
    "O(N) where N is the number of elements to traverse to get to the element at index. This makes asking for the first or the last element of the list O(1).",
  run: (ctx, argv) => {
    const list = listForRead(ctx, argv[1])
    if (list === WRONG_TYPE) return
    if (list === undefined) return ctx.out.nullBulk()
    const index = parseSafeInteger(argv[2])
    if (index === undefined) return ctx.out.error(ERR_NOT_INTEGER)
    const at = resolveIndex(index, list.length)
    if (at === undefined) ctx.out.nullBulk()
    else ctx.out.bulk(list.at(at))
  }
})

const ERR_RANK_ZERO =
  "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list"

/**
 * LPOS element [RANK r] [COUNT n] [MAXLEN m]: positions (from the head) of matches, searching
 * from the head, or from the tail for a negative rank, skipping the first |r|-1 matches and
 * looking at no more than m elements. Without COUNT one position or nil; with COUNT an array
 * (COUNT 0: every match).
 */
const lpos = listCommand({
  name: "lpos",
  arity: -3,
  flags: ["readonly"],
  keySpecs: [keyAt(1, "RO", "access")],
  summary: "Return the index of matching elements on a list",
  since: "6.0.6",
  complexity:
    "O(N) where N is the number of elements in the list, for the average case. When searching for elements near the head or the tail of the list, or when the MAXLEN option is provided, the command may run in constant time.",
  run: (ctx, argv) => {
    let rank = 1
    let count = -1
    let maxlen = 0
    // RANK -2^63 cannot be negated in C: Redis then takes every match from the tail and never
    // stops at COUNT.
    let rankMin = false
    for (let i = 3; i < argv.length; i++) {
      const option = argv[i]
      const hasValue = i + 1 < argv.length
      if (hasValue && isOption(option, "rank")) {
        const parsed = parseInteger(argv[++i])
        if (parsed === undefined) return ctx.out.error(ERR_NOT_INTEGER)
        if (parsed === 0) return ctx.out.error(ERR_RANK_ZERO)
        rankMin = parsed === LONG_MIN
        rank = typeof parsed === "number" ? parsed : parsed > 0n ? Number.MAX_SAFE_INTEGER : -Number.MAX_SAFE_INTEGER
      } else if (hasValue && isOption(option, "count")) {
        const parsed = parseSafeInteger(argv[++i])
        if (parsed === undefined || parsed < 0) return ctx.out.error("ERR COUNT can't be negative")
        count = parsed
      } else if (hasValue && isOption(option, "maxlen")) {
        const parsed = parseSafeInteger(argv[++i])
        if (parsed === undefined || parsed < 0) return ctx.out.error("ERR MAXLEN can't be negative")
        maxlen = parsed
      } else {
        return ctx.out.error(ERR_SYNTAX)
      }
    }
    const fromTail = rank < 0
    if (fromTail) rank = -rank
    const list = listForRead(ctx, argv[1])
    if (list === WRONG_TYPE) return
    if (list === undefined) return count === -1 ? ctx.out.nullBulk() : ctx.out.arrayHeader(0)
    const element = argv[2]
    const length = list.length
    const limit = maxlen === 0 ? length : Math.min(maxlen, length)
    if (count === -1) {
      let matches = 0
      for (let seen = 0; seen < limit; seen++) {
        const index = fromTail ? length - 1 - seen : seen
        if (list.at(index) === element && (++matches >= rank || rankMin)) return ctx.out.integer(index)
      }
      return ctx.out.nullBulk()
    }
    const found: Array<number> = []
    let matches = 0
    for (let seen = 0; seen < limit; seen++) {
      const index = fromTail ? length - 1 - seen : seen
      if (list.at(index) !== element || (++matches < rank && !rankMin)) continue
      found.push(index)
      if (count !== 0 && !rankMin && matches - rank + 1 >= count) break
    }
    ctx.out.arrayHeader(found.length)
    for (let i = 0; i < found.length; i++) ctx.out.integer(found[i])
  }
})

export const readCommands = [llen, lrange, lindex, lpos]
