/**
 * Popping the lowest or highest members: ZPOPMIN, ZPOPMAX and ZMPOP. Their core is Redis's
 * `genericZpopCommand` and `zmpopGenericCommand` as plain functions, so the blocking forms
 * (BZPOPMIN, BZPOPMAX, BZMPOP) can call them once a key has something to pop.
 */
import { WRONGTYPE } from "../../keyspace/Value.js"
import type { SortedSetValue } from "../../keyspace/values/SortedSetValue.js"
import { deleteAndNotify, notify, NotifyType } from "../../pubsub/notify.js"
import { ERR_SYNTAX, isKeyword, LONG_MAX, positiveLong, rangeLong } from "../../protocol/arguments.js"
import type { CommandContext, CommandSpec } from "../Command.js"
import { countedKeys, keyAt } from "../../protocol/key-specs.js"
import { formatScore } from "../../protocol/score-text.js"
import { cursor, removeRanks, writeZset, zsetCommand } from "./shared.js"

export const POP_MIN = 0
export const POP_MAX = 1

/** How a pop replies (Redis's emitkey / use_nested_array / reply_nil_when_empty). */
export interface PopShape {
  /** The key comes first (BZPOPMIN, ZMPOP). */
  readonly emitKey: boolean
  /** Each member is a [member, score] pair (ZMPOP; ZPOPMIN with a count in RESP3). */
  readonly nested: boolean
  /** Nothing to pop answers the null array (ZMPOP) instead of the empty one. */
  readonly nilWhenEmpty: boolean
}

/**
 * Pops from the first non-empty sorted set among argv[from..from+keyCount): up to `count`
 * members (-1: one, the count-less form) from the `where` end. A key of another type met before
 * that set answers WRONGTYPE. Returns true when something was popped.
 */
export const popFirstNonEmpty = (
  ctx: CommandContext,
  argv: ReadonlyArray<string>,
  from: number,
  keyCount: number,
  where: number,
  count: number,
  shape: PopShape
): boolean => {
  const out = ctx.out
  let key = ""
  let zset: SortedSetValue | undefined
  for (let i = from; i < from + keyCount; i++) {
    const found = writeZset(ctx, argv[i])
    if (found === undefined) continue
    if (found === null) {
      out.error(WRONGTYPE)
      return false
    }
    key = argv[i]
    zset = found
    break
  }
  if (zset === undefined) {
    if (shape.nilWhenEmpty) out.nullArray()
    else out.arrayHeader(0)
    return false
  }
  if (count === 0) {
    out.arrayHeader(0)
    return false
  }
  const size = zset.size
  const popped = count === -1 ? 1 : Math.min(count, size)
  if (!shape.nested && !shape.emitKey) {
    out.arrayHeader(popped * 2)
  } else if (!shape.emitKey) {
    out.arrayHeader(popped)
  } else if (!shape.nested) {
    out.arrayHeader(popped * 2 + 1)
    out.bulk(key)
  } else {
    out.arrayHeader(2)
    out.bulk(key)
    out.arrayHeader(popped)
  }
  ctx.db.willModify(key)
  zset.tree.seek(cursor, where === POP_MIN ? 0 : size - 1)
  for (let i = 0; i < popped; i++) {
    if (shape.nested) out.arrayHeader(2)
    out.bulk(cursor.member)
    out.double(formatScore(cursor.score))
    if (where === POP_MIN) cursor.next()
    else cursor.prev()
  }
  removeRanks(zset, where === POP_MIN ? 0 : size - popped, popped)
  notify(ctx, NotifyType.Zset, where === POP_MIN ? "zpopmin" : "zpopmax", key)
  if (zset.size === 0) deleteAndNotify(ctx, key)
  return true
}

const FLAT: PopShape = { emitKey: false, nested: false, nilWhenEmpty: false }
const NESTED: PopShape = { emitKey: false, nested: true, nilWhenEmpty: false }
const KEYED: PopShape = { emitKey: true, nested: true, nilWhenEmpty: true }

const popCommand = (name: string, where: number, summary: string) =>
  zsetCommand({
    name,
    arity: -2,
    flags: ["write", "fast"],
    keySpecs: [keyAt(1, "RW", "access", "delete")],
    summary,
    since: "5.0.0",
    complexity:
      "O(log(N)*M) with N being the number of elements in the sorted set, and M being the number of elements popped.",
    run: (ctx, argv) => {
      if (argv.length > 3) return ctx.out.error(ERR_SYNTAX)
      let count = -1
      if (argv.length === 3) {
        const parsed = positiveLong(argv[2])
        if (typeof parsed === "string") return ctx.out.error(parsed)
        count = parsed
      }
      // RESP3 nests pairs only when a count was given.
      popFirstNonEmpty(ctx, argv, 1, 1, where, count, ctx.out.protocol === 3 && count !== -1 ? NESTED : FLAT)
    }
  })

const zpopmin = popCommand("zpopmin", POP_MIN, "Remove and return members with the lowest scores in a sorted set")
const zpopmax = popCommand("zpopmax", POP_MAX, "Remove and return members with the highest scores in a sorted set")

/** ZMPOP's arguments after numkeys (at `numkeysIndex`): where, count; undefined after an error. */
export interface MpopRequest {
  readonly keyCount: number
  readonly where: number
  readonly count: number
}

/** Parses `numkeys key... MIN|MAX [COUNT count]` from `numkeysIndex` (BZMPOP has a timeout first). */
export const parseMpop = (ctx: CommandContext, argv: ReadonlyArray<string>, numkeysIndex: number): MpopRequest | undefined => {
  const keyCount = rangeLong(argv[numkeysIndex], 1n, LONG_MAX, "ERR numkeys should be greater than 0")
  if (typeof keyCount === "string") return void ctx.out.error(keyCount)
  const whereIndex = numkeysIndex + keyCount + 1
  if (whereIndex >= argv.length) return void ctx.out.error(ERR_SYNTAX)
  let where: number
  if (isKeyword(argv[whereIndex], "MIN")) where = POP_MIN
  else if (isKeyword(argv[whereIndex], "MAX")) where = POP_MAX
  else return void ctx.out.error(ERR_SYNTAX)
  let count = -1
  for (let j = whereIndex + 1; j < argv.length; j++) {
    if (count === -1 && isKeyword(argv[j], "COUNT") && j + 1 < argv.length) {
      const parsed = rangeLong(argv[++j], 1n, LONG_MAX, "ERR count should be greater than 0")
      if (typeof parsed === "string") return void ctx.out.error(parsed)
      count = parsed
    } else {
      return void ctx.out.error(ERR_SYNTAX)
    }
  }
  return { keyCount, where, count: count === -1 ? 1 : count }
}

/** ZMPOP's pop once parsed: the first non-empty set, the key and [member, score] pairs. */
const mpop = (ctx: CommandContext, argv: ReadonlyArray<string>, numkeysIndex: number, request: MpopRequest): boolean =>
  popFirstNonEmpty(ctx, argv, numkeysIndex + 1, request.keyCount, request.where, request.count, KEYED)

const zmpop = zsetCommand({
  name: "zmpop",
  arity: -4,
  flags: ["write", "movablekeys"],
  ...countedKeys(1, "RW", "access", "delete"),
  summary: "Remove and return members with scores in a sorted set",
  since: "7.0.0",
  complexity:
    "O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted set, and M being the number of elements popped.",
  run: (ctx, argv) => {
    const request = parseMpop(ctx, argv, 1)
    if (request !== undefined) mpop(ctx, argv, 1, request)
  }
})

export const popCommands: ReadonlyArray<CommandSpec> = [zpopmin, zpopmax, zmpop]
