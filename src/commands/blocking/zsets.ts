/**
 * The blocking sorted-set commands: BZPOPMIN, BZPOPMAX, BZMPOP (Redis 7.0's
 * blockingGenericZpopCommand). With something to pop they pop through the sorted-set family's
 * `popFirstNonEmpty` and are logged for the AOF as ZPOPMIN / ZPOPMAX; with nothing the client
 * blocks on its keys and is served the same way once a sorted set appears.
 */
import type { SortedSetValue } from "../../keyspace/values/SortedSetValue.js"
import { command, type CommandContext, type CommandSpec, propagateAs } from "../Command.js"
import { countedKeys, keyRange } from "../../protocol/key-specs.js"
import { parseMpop, POP_MAX, POP_MIN, popFirstNonEmpty, type PopShape } from "../zsets/pop.js"
import { writeZset } from "../zsets/shared.js"
import { WRONGTYPE } from "../../keyspace/Value.js"
import { mayNotBlock } from "./lists.js"
import { parseTimeout } from "./timeout.js"

/** BZPOPMIN's [key, member, score], in RESP3 too. */
const KEY_MEMBER_SCORE: PopShape = { emitKey: true, nested: false, nilWhenEmpty: true }
/** BZMPOP's [key, [[member, score], ...]]. */
const KEY_PAIRS: PopShape = { emitKey: true, nested: true, nilWhenEmpty: true }

/** The first of `keys` holding a sorted set; undefined for none, null after replying WRONGTYPE. */
const firstZset = (ctx: CommandContext, keys: ReadonlyArray<string>): string | undefined | null => {
  for (const key of keys) {
    const zset = writeZset(ctx, key)
    if (zset === null) {
      ctx.out.error(WRONGTYPE)
      return null
    }
    if (zset !== undefined) return key
  }
  return undefined
}

/** Pops from `key` (count -1: one, without a count); the pop as the AOF logs it. */
const popFrom = (
  ctx: CommandContext,
  key: string,
  where: number,
  count: number,
  shape: PopShape
): ReadonlyArray<string> => {
  const size = (ctx.db.get(key, ctx.now) as SortedSetValue).size
  popFirstNonEmpty(ctx, [key], 0, 1, where, count, shape)
  const pop = where === POP_MIN ? "ZPOPMIN" : "ZPOPMAX"
  return count === -1 ? [pop, key] : [pop, key, String(Math.min(count, size))]
}

const blockingZpop = (
  ctx: CommandContext,
  keys: ReadonlyArray<string>,
  deadline: number,
  where: number,
  count: number,
  shape: PopShape,
  name: string
): void => {
  const found = firstZset(ctx, keys)
  if (found === null) return
  if (found !== undefined) {
    const pop = popFrom(ctx, found, where, count, shape)
    if (ctx.keyspace.commandLog.enabled) propagateAs(ctx, pop)
    return
  }
  if (mayNotBlock(ctx)) return ctx.out.nullArray()
  ctx.server.blocked.block(ctx, "zset", keys, deadline, name, (served, key) => {
    served.keyspace.commandLog.append(served.db.id, popFrom(served, key, where, count, shape))
  })
}

const bzpop = (name: string, where: number, summary: string) =>
  command({
    name,
    arity: -3,
    flags: ["write", "noscript", "blocking", "fast"],
    firstKey: 1,
    lastKey: -2,
    step: 1,
    keySpecs: [keyRange(1, -2, 1, "RW", "access", "delete")],
    group: "sorted-set",
    aclCategories: ["write", "sortedset", "fast", "blocking"],
    summary,
    since: "5.0.0",
    complexity: "O(log(N)) with N being the number of elements in the sorted set.",
    run: (ctx, argv) => {
      const deadline = parseTimeout(ctx, argv[argv.length - 1])
      if (deadline === undefined) return
      blockingZpop(ctx, argv.slice(1, -1), deadline, where, -1, KEY_MEMBER_SCORE, name)
    }
  })

const bzpopmin = bzpop(
  "bzpopmin",
  POP_MIN,
  "Remove and return the member with the lowest score from one or more sorted sets, or block until one is available"
)
const bzpopmax = bzpop(
  "bzpopmax",
  POP_MAX,
  "Remove and return the member with the highest score from one or more sorted sets, or block until one is available"
)

const bzmpop = command({
  name: "bzmpop",
  arity: -5,
  flags: ["write", "blocking", "movablekeys"],
  ...countedKeys(2, "RW", "access", "delete"),
  group: "sorted-set",
  aclCategories: ["write", "sortedset", "slow", "blocking"],
  summary: "Remove and return members with scores in a sorted set or block until one is available",
  since: "7.0.0",
  complexity:
    "O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted set, and M being the number of elements popped.",
  run: (ctx, argv) => {
    // numkeys, MIN|MAX and COUNT are read before the timeout, as in Redis.
    const request = parseMpop(ctx, argv, 2)
    if (request === undefined) return
    const deadline = parseTimeout(ctx, argv[1])
    if (deadline === undefined) return
    const keys = argv.slice(3, 3 + request.keyCount)
    blockingZpop(ctx, keys, deadline, request.where, request.count, KEY_PAIRS, "bzmpop")
  }
})

export const blockingZsetCommands: ReadonlyArray<CommandSpec> = [bzpopmin, bzpopmax, bzmpop]
