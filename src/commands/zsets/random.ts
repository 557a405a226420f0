/**
 * ZRANDMEMBER: one random member, or a count of them (with scores or not) under Redis 7.0's
 * cases — picks with repetition for a negative count, the whole set (walked from the highest
 * down, as Redis's iterator walks it) when the count covers it, distinct picks otherwise.
 * A random member is a random rank: O(log n) each.
 */
import { WRONGTYPE } from "../../keyspace/Value.js"
import { ERR_SYNTAX, isKeyword, LONG_MAX, parseInteger, rangeLong } from "../../protocol/arguments.js"
import type { CommandContext, CommandSpec } from "../Command.js"
import { distinctIndexes, ERR_TOO_MANY_PICKS, MAX_REPEATED_PICKS, randomIndex } from "../random-picks.js"
import { keyAt } from "../../protocol/key-specs.js"
import { cursor, readZset, scoredEntry, scoredHeader, zsetCommand } from "./shared.js"

const HALF_LONG_MAX = LONG_MAX / 2n

const withCount = (ctx: CommandContext, argv: ReadonlyArray<string>): void => {
  const out = ctx.out
  const count = rangeLong(argv[2], -LONG_MAX, LONG_MAX)
  if (typeof count === "string") return out.error(count)
  if (argv.length > 4 || (argv.length === 4 && !isKeyword(argv[3], "WITHSCORES"))) return out.error(ERR_SYNTAX)
  const withScores = argv.length === 4
  if (withScores) {
    // The exact int64 (a count past 2^53 was clamped above): count * 2 must not overflow.
    const exact = BigInt(parseInteger(argv[2])!)
    if (exact < -HALF_LONG_MAX || exact > HALF_LONG_MAX) return out.error("ERR value is out of range")
  }
  const zset = readZset(ctx, argv[1])
  if (zset === null) return out.error(WRONGTYPE)
  if (zset === undefined || count === 0) return out.arrayHeader(0)
  const tree = zset.tree
  const size = zset.size
  if (count < 0 || count === 1) {
    const picks = count < 0 ? -count : 1
    if (picks > MAX_REPEATED_PICKS) return out.error(ERR_TOO_MANY_PICKS)
    scoredHeader(out, picks, withScores)
    for (let i = 0; i < picks; i++) {
      tree.seek(cursor, randomIndex(size))
      scoredEntry(out, cursor.member, cursor.score, withScores)
    }
    return
  }
  if (count >= size) {
    scoredHeader(out, size, withScores)
    tree.seek(cursor, size - 1)
    for (let i = 0; i < size; i++) {
      scoredEntry(out, cursor.member, cursor.score, withScores)
      cursor.prev()
    }
    return
  }
  const picked = distinctIndexes(size, count)
  scoredHeader(out, count, withScores)
  for (let i = 0; i < count; i++) {
    tree.seek(cursor, picked[i])
    scoredEntry(out, cursor.member, cursor.score, withScores)
  }
}

const zrandmember = zsetCommand({
  name: "zrandmember",
  arity: -2,
  flags: ["readonly"],
  tips: ["nondeterministic_output"],
  keySpecs: [keyAt(1, "RO", "access")],
  summary: "Get one or multiple random elements from a sorted set",
  since: "6.2.0",
  complexity: "O(N) where N is the number of elements returned",
  run: (ctx, argv) => {
    if (argv.length >= 3) return withCount(ctx, argv)
    const zset = readZset(ctx, argv[1])
    if (zset === null) return ctx.out.error(WRONGTYPE)
    if (zset === undefined) return ctx.out.nullBulk()
    zset.tree.seek(cursor, randomIndex(zset.size))
    ctx.out.bulk(cursor.member)
  }
})

export const randomCommands: ReadonlyArray<CommandSpec> = [zrandmember]
