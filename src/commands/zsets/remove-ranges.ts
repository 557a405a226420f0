/**
 * ZREMRANGEBYRANK, ZREMRANGEBYSCORE, ZREMRANGEBYLEX: the range is parsed first, then the key
 * looked up; every form removes one run of consecutive ranks, and a set left empty is deleted.
 */
import { WRONGTYPE } from "../../keyspace/Value.js"
import type { SortedSetValue } from "../../keyspace/values/SortedSetValue.js"
import { deleteAndNotify, notify, NotifyType } from "../../pubsub/notify.js"
import { longArgument } from "../../protocol/arguments.js"
import type { CommandContext, CommandSpec } from "../Command.js"
import { keyAt } from "../../protocol/key-specs.js"
import {
  belowMax,
  lexRangeFirst,
  newLexRange,
  newScoreRange,
  parseLexRange,
  parseScoreRange,
  scoreRangeFrom,
  scoreRangeTo
} from "./ranges.js"
import { cursor, ERR_NOT_FLOAT_RANGE, ERR_NOT_LEX_RANGE, removeRanks, writeZset, zsetCommand } from "./shared.js"

/**
 * Removes the run [from, from + count) of the set at `key`, announcing `event` (the command's
 * name) when something went, and answers how many went.
 */
const removeRun = (
  ctx: CommandContext,
  event: string,
  key: string,
  zset: SortedSetValue,
  from: number,
  count: number
): void => {
  if (count > 0) {
    ctx.db.willModify(key)
    removeRanks(zset, from, count)
    notify(ctx, NotifyType.Zset, event, key)
    if (zset.size === 0) deleteAndNotify(ctx, key)
  }
  ctx.out.integer(Math.max(0, count))
}

const removeCommand = (
  name: string,
  summary: string,
  since: string,
  run: (ctx: CommandContext, argv: ReadonlyArray<string>) => void
) =>
  zsetCommand({
    name,
    arity: 4,
    flags: ["write"],
    keySpecs: [keyAt(1, "RW", "delete")],
    summary,
    since,
    complexity:
      "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.",
    run
  })

const zremrangebyrank = removeCommand(
  "zremrangebyrank",
  "Remove all members in a sorted set within the given indexes",
  "2.0.0",
  (ctx, argv) => {
    let start = longArgument(argv[2])
    if (typeof start === "string") return ctx.out.error(start)
    let end = longArgument(argv[3])
    if (typeof end === "string") return ctx.out.error(end)
    const zset = writeZset(ctx, argv[1])
    if (zset === null) return ctx.out.error(WRONGTYPE)
    if (zset === undefined) return ctx.out.integer(0)
    const size = zset.size
    if (start < 0) start = size + start
    if (end < 0) end = size + end
    if (start < 0) start = 0
    if (start > end || start >= size) return ctx.out.integer(0)
    if (end >= size) end = size - 1
    removeRun(ctx, "zremrangebyrank", argv[1], zset, start, end - start + 1)
  }
)

const scoreRange = newScoreRange()

const zremrangebyscore = removeCommand(
  "zremrangebyscore",
  "Remove all members in a sorted set within the given scores",
  "1.2.0",
  (ctx, argv) => {
    if (!parseScoreRange(argv[2], argv[3], scoreRange)) return ctx.out.error(ERR_NOT_FLOAT_RANGE)
    const zset = writeZset(ctx, argv[1])
    if (zset === null) return ctx.out.error(WRONGTYPE)
    if (zset === undefined) return ctx.out.integer(0)
    const from = scoreRangeFrom(zset, scoreRange)
    removeRun(ctx, "zremrangebyscore", argv[1], zset, from, scoreRangeTo(zset, scoreRange) - from)
  }
)

const lexRange = newLexRange()

const zremrangebylex = removeCommand(
  "zremrangebylex",
  "Remove all members in a sorted set between the given lexicographical range",
  "2.8.9",
  (ctx, argv) => {
    if (!parseLexRange(argv[2], argv[3], lexRange)) return ctx.out.error(ERR_NOT_LEX_RANGE)
    const zset = writeZset(ctx, argv[1])
    if (zset === null) return ctx.out.error(WRONGTYPE)
    if (zset === undefined) return ctx.out.integer(0)
    const from = lexRangeFirst(zset, lexRange)
    let count = 0
    if (from >= 0) {
      zset.tree.seek(cursor, from)
      do {
        if (!belowMax(cursor.member, lexRange)) break
        count++
      } while (cursor.next())
    }
    removeRun(ctx, "zremrangebylex", argv[1], zset, from, count)
  }
)

export const removeRangeCommands: ReadonlyArray<CommandSpec> = [zremrangebyrank, zremrangebyscore, zremrangebylex]
