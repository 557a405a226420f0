/**
 * Reading without ranges: ZSCORE, ZMSCORE, ZCARD, ZRANK, ZREVRANK, and the counts ZCOUNT and
 * ZLEXCOUNT (ranges are parsed before the key is looked up, as in Redis). ZSCORE is a hot
 * path: one lookup, one Map get.
 */
import { WRONGTYPE } from "../../keyspace/Value.js"
import type { SortedSetValue } from "../../keyspace/values/SortedSetValue.js"
import type { CommandContext, CommandSpec } from "../Command.js"
import { keyAt } from "../../protocol/key-specs.js"
import {
  belowMax,
  lexRangeFirst,
  lexRangeLast,
  newLexRange,
  newScoreRange,
  parseLexRange,
  parseScoreRange,
  scoreRangeFrom,
  scoreRangeTo
} from "./ranges.js"
import { formatScore } from "../../protocol/score-text.js"
import { cursor, ERR_NOT_FLOAT_RANGE, ERR_NOT_LEX_RANGE, readZset, zsetCommand } from "./shared.js"

const zscore = zsetCommand({
  name: "zscore",
  arity: 3,
  flags: ["readonly", "fast"],
  keySpecs: [keyAt(1, "RO", "access")],
  summary: "Get the score associated with the given member in a sorted set",
  since: "1.2.0",
  complexity: "O(1)",
  run: (ctx, argv) => {
    const zset = readZset(ctx, argv[1])
    if (zset === null) return ctx.out.error(WRONGTYPE)
    const score = zset?.scoreOf(argv[2])
    if (score === undefined) ctx.out.nullBulk()
    else ctx.out.double(formatScore(score))
  }
})

const zmscore = zsetCommand({
  name: "zmscore",
  arity: -3,
  flags: ["readonly", "fast"],
  keySpecs: [keyAt(1, "RO", "access")],
  summary: "Get the score associated with the given members in a sorted set",
  since: "6.2.0",
  complexity: "O(N) where N is the number of members being requested.",
  run: (ctx, argv) => {
    const zset = readZset(ctx, argv[1])
    if (zset === null) return ctx.out.error(WRONGTYPE)
    ctx.out.arrayHeader(argv.length - 2)
    for (let i = 2; i < argv.length; i++) {
      const score = zset?.scoreOf(argv[i])
      if (score === undefined) ctx.out.nullBulk()
      else ctx.out.double(formatScore(score))
    }
  }
})

const zcard = zsetCommand({
  name: "zcard",
  arity: 2,
  flags: ["readonly", "fast"],
  keySpecs: [keyAt(1, "RO")],
  summary: "Get the number of members in a sorted set",
  since: "1.2.0",
  complexity: "O(1)",
  run: (ctx, argv) => {
    const zset = readZset(ctx, argv[1])
    if (zset === null) return ctx.out.error(WRONGTYPE)
    ctx.out.integer(zset === undefined ? 0 : zset.size)
  }
})

const rankCommand = (name: string, reverse: boolean, summary: string) =>
  zsetCommand({
    name,
    arity: 3,
    flags: ["readonly", "fast"],
    keySpecs: [keyAt(1, "RO", "access")],
    summary,
    since: "2.0.0",
    complexity: "O(log(N))",
    run: (ctx, argv) => {
      const zset = readZset(ctx, argv[1])
      if (zset === null) return ctx.out.error(WRONGTYPE)
      const score = zset?.scoreOf(argv[2])
      if (zset === undefined || score === undefined) return ctx.out.nullBulk()
      const rank = zset.tree.rankOf(score, argv[2])
      ctx.out.integer(reverse ? zset.size - 1 - rank : rank)
    }
  })

const zrank = rankCommand("zrank", false, "Determine the index of a member in a sorted set")
const zrevrank = rankCommand(
  "zrevrank",
  true,
  "Determine the index of a member in a sorted set, with scores ordered from high to low"
)

const scoreRange = newScoreRange()

const zcount = zsetCommand({
  name: "zcount",
  arity: 4,
  flags: ["readonly", "fast"],
  keySpecs: [keyAt(1, "RO", "access")],
  summary: "Count the members in a sorted set with scores within the given values",
  since: "2.0.0",
  complexity: "O(log(N)) with N being the number of elements in the sorted set.",
  run: (ctx, argv) => {
    if (!parseScoreRange(argv[2], argv[3], scoreRange)) return ctx.out.error(ERR_NOT_FLOAT_RANGE)
    const zset = readZset(ctx, argv[1])
    if (zset === null) return ctx.out.error(WRONGTYPE)
    if (zset === undefined) return ctx.out.integer(0)
    ctx.out.integer(Math.max(0, scoreRangeTo(zset, scoreRange) - scoreRangeFrom(zset, scoreRange)))
  }
})

const lexRange = newLexRange()

/** ZLEXCOUNT as each encoding computes it: a walk on a listpack, a difference of ranks on a skiplist. */
const lexCount = (zset: SortedSetValue): number => {
  const first = lexRangeFirst(zset, lexRange)
  if (first < 0) return 0
  if (zset.listpack) {
    let count = 0
    zset.tree.seek(cursor, first)
    do {
      if (!belowMax(cursor.member, lexRange)) break
      count++
    } while (cursor.next())
    return count
  }
  const last = lexRangeLast(zset, lexRange)
  return last >= 0 ? last - first + 1 : zset.size - first
}

const zlexcount = zsetCommand({
  name: "zlexcount",
  arity: 4,
  flags: ["readonly", "fast"],
  keySpecs: [keyAt(1, "RO", "access")],
  summary: "Count the number of members in a sorted set between a given lexicographical range",
  since: "2.8.9",
  complexity: "O(log(N)) with N being the number of elements in the sorted set.",
  run: (ctx: CommandContext, argv) => {
    if (!parseLexRange(argv[2], argv[3], lexRange)) return ctx.out.error(ERR_NOT_LEX_RANGE)
    const zset = readZset(ctx, argv[1])
    if (zset === null) return ctx.out.error(WRONGTYPE)
    ctx.out.integer(zset === undefined ? 0 : lexCount(zset))
  }
})

export const readCommands: ReadonlyArray<CommandSpec> = [zscore, zmscore, zcard, zcount, zlexcount, zrank, zrevrank]
