/**
 * ZRANGE in all its forms (BYSCORE, BYLEX, REV, LIMIT, WITHSCORES), the older ZREVRANGE,
 * Z[REV]RANGEBYSCORE and Z[REV]RANGEBYLEX, and ZRANGESTORE: one parser and one executor, as in
 * Redis's `zrangeGenericCommand`, so options, their conflicts and the order of errors agree.
 *
 * Rank and score ranges stream straight from the tree (count first, in O(log n), then a walk
 * along the leaves); lex ranges are walked as Redis walks them and collected first. ZRANGESTORE
 * builds its result one add at a time, as Redis does (which decides its encoding).
 */
import { WRONGTYPE } from "../../keyspace/Value.js"
import { SortedSetValue } from "../../keyspace/values/SortedSetValue.js"
import { deleteAndNotify, notify, NotifyType } from "../../pubsub/notify.js"
import { ERR_SYNTAX, isKeyword, longArgument } from "../../protocol/arguments.js"
import { deprecated, type CommandContext, type CommandSpec, storeResultAt } from "../Command.js"
import { keyAt } from "../../protocol/key-specs.js"
import {
  lexRangeFirst,
  lexRangeLast,
  newLexRange,
  newScoreRange,
  parseLexRange,
  parseScoreRange,
  scoreRangeFrom,
  scoreRangeTo,
  walkLex
} from "./ranges.js"
import {
  cursor,
  ERR_NOT_FLOAT_RANGE,
  ERR_NOT_LEX_RANGE,
  readZset,
  scoredEntry,
  scoredHeader,
  zsetCommand
} from "./shared.js"

const AUTO = -1
const BY_RANK = 0
const BY_SCORE = 1
const BY_LEX = 2
const FORWARD = 0
const REVERSE = 1

/** The parsed request, reused by every call (commands never run concurrently). */
const request = {
  kind: BY_RANK,
  reverse: false,
  withScores: false,
  offset: 0,
  limit: -1,
  start: 0,
  end: 0,
  score: newScoreRange(),
  lex: newLexRange(),
  /** What `selectRun` chose: the first rank and how many, along the direction. */
  first: 0,
  count: 0
}

const fail = (ctx: CommandContext, error: string): false => {
  ctx.out.error(error)
  return false
}

/** Parses argv (key at `keyIndex`) into `request`; false after replying with the error. */
const parseRequest = (
  ctx: CommandContext,
  argv: ReadonlyArray<string>,
  keyIndex: number,
  store: boolean,
  kind: number,
  direction: number
): boolean => {
  let withScores = false
  let offset = 0
  let limit = -1
  for (let j = keyIndex + 3; j < argv.length; j++) {
    const option = argv[j]
    if (!store && isKeyword(option, "WITHSCORES")) {
      withScores = true
    } else if (isKeyword(option, "LIMIT") && argv.length - j - 1 >= 2) {
      const parsedOffset = longArgument(argv[j + 1])
      if (typeof parsedOffset === "string") return fail(ctx, parsedOffset)
      const parsedLimit = longArgument(argv[j + 2])
      if (typeof parsedLimit === "string") return fail(ctx, parsedLimit)
      offset = parsedOffset
      limit = parsedLimit
      j += 2
    } else if (direction === AUTO && isKeyword(option, "REV")) {
      direction = REVERSE
    } else if (kind === AUTO && isKeyword(option, "BYLEX")) {
      kind = BY_LEX
    } else if (kind === AUTO && isKeyword(option, "BYSCORE")) {
      kind = BY_SCORE
    } else {
      return fail(ctx, ERR_SYNTAX)
    }
  }
  if (direction === AUTO) direction = FORWARD
  if (kind === AUTO) kind = BY_RANK
  // Redis tells "no LIMIT" by a count of -1, so "LIMIT x -1" passes with a rank range.
  if (limit !== -1 && kind === BY_RANK) {
    return fail(ctx, "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX")
  }
  if (withScores && kind === BY_LEX) {
    return fail(ctx, "ERR syntax error, WITHSCORES not supported in combination with BYLEX")
  }
  const reverse = direction === REVERSE
  // Reversed score and lex ranges are given max first.
  const minText = argv[reverse && kind !== BY_RANK ? keyIndex + 2 : keyIndex + 1]
  const maxText = argv[reverse && kind !== BY_RANK ? keyIndex + 1 : keyIndex + 2]
  if (kind === BY_RANK) {
    const start = longArgument(minText)
    if (typeof start === "string") return fail(ctx, start)
    const end = longArgument(maxText)
    if (typeof end === "string") return fail(ctx, end)
    request.start = start
    request.end = end
  } else if (kind === BY_SCORE) {
    if (!parseScoreRange(minText, maxText, request.score)) return fail(ctx, ERR_NOT_FLOAT_RANGE)
  } else if (!parseLexRange(minText, maxText, request.lex)) {
    return fail(ctx, ERR_NOT_LEX_RANGE)
  }
  request.kind = kind
  request.reverse = reverse
  request.withScores = withScores
  request.offset = offset
  request.limit = limit
  return true
}

/** Streams `count` elements from rank `first`, forward or backward. */
const replyRun = (ctx: CommandContext, zset: SortedSetValue, first: number, count: number): void => {
  const out = ctx.out
  const withScores = request.withScores
  scoredHeader(out, count, withScores)
  if (count === 0) return
  zset.tree.seek(cursor, first)
  for (let i = 0; i < count; i++) {
    scoredEntry(out, cursor.member, cursor.score, withScores)
    if (request.reverse) cursor.prev()
    else cursor.next()
  }
}

/** Collects `count` elements from rank `first`, forward or backward. */
const collectRun = (zset: SortedSetValue, first: number, count: number, scores: Array<number>, members: Array<string>) => {
  if (count === 0) return
  zset.tree.seek(cursor, first)
  for (let i = 0; i < count; i++) {
    scores.push(cursor.score)
    members.push(cursor.member)
    if (request.reverse) cursor.prev()
    else cursor.next()
  }
}

/** Sets request.first / request.count: the run of ranks a rank or score request selects. */
const selectRun = (zset: SortedSetValue): void => {
  request.first = 0
  request.count = 0
  const size = zset.size
  if (request.kind === BY_RANK) {
    let { start, end } = request
    if (start < 0) start = size + start
    if (end < 0) end = size + end
    if (start < 0) start = 0
    if (start > end || start >= size) return
    if (end >= size) end = size - 1
    request.first = request.reverse ? size - 1 - start : start
    request.count = end - start + 1
    return
  }
  // Redis skips `offset` elements first (a negative offset skips past the end), then takes up
  // to `limit` (negative: all) while in range; scores ascend, so that is a run of ranks.
  const { offset, limit } = request
  if (offset < 0) return
  const from = scoreRangeFrom(zset, request.score)
  const to = scoreRangeTo(zset, request.score)
  let count = to - from - offset
  if (count <= 0) return
  if (limit >= 0 && limit < count) count = limit
  request.first = request.reverse ? to - 1 - offset : from + offset
  request.count = count
}

/** Runs a parsed request on the sorted set at argv[keyIndex], replying or storing at `store`. */
const execute = (ctx: CommandContext, argv: ReadonlyArray<string>, keyIndex: number, store: string | undefined) => {
  const zset = readZset(ctx, argv[keyIndex])
  if (zset === null) return ctx.out.error(WRONGTYPE)
  if (zset === undefined) {
    if (store === undefined) return ctx.out.arrayHeader(0)
    deleteAndNotify(ctx, store)
    return ctx.out.integer(0)
  }
  if (store === undefined && request.kind !== BY_LEX) {
    selectRun(zset)
    return replyRun(ctx, zset, request.first, request.count)
  }
  const scores: Array<number> = []
  const members: Array<string> = []
  if (request.kind === BY_LEX) {
    const start = request.reverse ? lexRangeLast(zset, request.lex) : lexRangeFirst(zset, request.lex)
    walkLex(zset, request.lex, start, request.reverse, request.offset, request.limit, scores, members)
  } else {
    selectRun(zset)
    collectRun(zset, request.first, request.count, scores, members)
  }
  if (store === undefined) {
    scoredHeader(ctx.out, members.length, false)
    for (let i = 0; i < members.length; i++) ctx.out.bulk(members[i])
    return
  }
  if (members.length === 0) {
    deleteAndNotify(ctx, store)
    return ctx.out.integer(0)
  }
  // Redis sizes the new set by the rank range's length (unknown for score and lex: 0).
  const config = ctx.server.config
  const stored = new SortedSetValue()
  stored.listpack = request.kind !== BY_RANK || members.length <= config.zsetMaxListpackEntries
  for (let i = 0; i < members.length; i++) stored.insert(members[i], scores[i], config)
  storeResultAt(ctx, store, stored)
  notify(ctx, NotifyType.Zset, "zrangestore", store)
  ctx.out.integer(members.length)
}

const rangeCommand = (
  name: string,
  kind: number,
  direction: number,
  summary: string,
  since: string,
  complexity: string,
  docs: Partial<CommandSpec> = {}
) =>
  zsetCommand({
    ...docs,
    name,
    arity: -4,
    flags: ["readonly"],
    keySpecs: [keyAt(1, "RO", "access")],
    summary,
    since,
    complexity,
    run: (ctx, argv) => {
      if (parseRequest(ctx, argv, 1, false, kind, direction)) execute(ctx, argv, 1, undefined)
    }
  })

const RANGE_COMPLEXITY =
  "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements returned."
const LIMITED_COMPLEXITY =
  "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N))."

const zrange = rangeCommand("zrange", AUTO, AUTO, "Return a range of members in a sorted set", "1.2.0", RANGE_COMPLEXITY)
const zrevrange = rangeCommand(
  "zrevrange",
  BY_RANK,
  REVERSE,
  "Return a range of members in a sorted set, by index, with scores ordered from high to low",
  "1.2.0",
  RANGE_COMPLEXITY,
  deprecated("6.2.0", "`ZRANGE` with the `REV` argument")
)
const zrangebyscore = rangeCommand(
  "zrangebyscore",
  BY_SCORE,
  FORWARD,
  "Return a range of members in a sorted set, by score",
  "1.0.5",
  LIMITED_COMPLEXITY,
  deprecated("6.2.0", "`ZRANGE` with the `BYSCORE` argument")
)
const zrevrangebyscore = rangeCommand(
  "zrevrangebyscore",
  BY_SCORE,
  REVERSE,
  "Return a range of members in a sorted set, by score, with scores ordered from high to low",
  "2.2.0",
  LIMITED_COMPLEXITY,
  deprecated("6.2.0", "`ZRANGE` with the `REV` and `BYSCORE` arguments")
)
const zrangebylex = rangeCommand(
  "zrangebylex",
  BY_LEX,
  FORWARD,
  "Return a range of members in a sorted set, by lexicographical range",
  "2.8.9",
  LIMITED_COMPLEXITY,
  deprecated("6.2.0", "`ZRANGE` with the `BYLEX` argument")
)
const zrevrangebylex = rangeCommand(
  "zrevrangebylex",
  BY_LEX,
  REVERSE,
  "Return a range of members in a sorted set, by lexicographical range, ordered from higher to lower strings.",
  "2.8.9",
  LIMITED_COMPLEXITY,
  deprecated("6.2.0", "`ZRANGE` with the `REV` and `BYLEX` arguments")
)

const zrangestore = zsetCommand({
  name: "zrangestore",
  arity: -5,
  flags: ["write", "denyoom"],
  lastKey: 2,
  keySpecs: [keyAt(1, "OW", "update"), keyAt(2, "RO", "access")],
  summary: "Store a range of members from sorted set into another key",
  since: "6.2.0",
  complexity:
    "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements stored into the destination key.",
  run: (ctx, argv) => {
    if (parseRequest(ctx, argv, 2, true, AUTO, AUTO)) execute(ctx, argv, 2, argv[1])
  }
})

export const rangeQueryCommands: ReadonlyArray<CommandSpec> = [
  zrange,
  zrangestore,
  zrevrange,
  zrangebyscore,
  zrevrangebyscore,
  zrangebylex,
  zrevrangebylex
]
