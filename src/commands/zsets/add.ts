/**
 * Writing members: ZADD (NX, XX, GT, LT, CH, INCR), ZINCRBY (ZADD INCR under another name, down
 * to parsing the same options) and ZREM. The order of checks is Redis's `zaddGenericCommand`:
 * options, pairing, conflicts, every score, then the key — so a bad score changes nothing.
 * ZADD is a hot path: scores are parsed into a reused array, nothing else is allocated for an
 * existing set.
 */
import { WRONGTYPE } from "../../keyspace/Value.js"
import { SortedSetValue } from "../../keyspace/values/SortedSetValue.js"
import { deleteAndNotify, notify, NotifyType } from "../../pubsub/notify.js"
import { ERR_NOT_FLOAT, ERR_SYNTAX } from "../../protocol/arguments.js"
import type { CommandContext, CommandSpec } from "../Command.js"
import { keyAt } from "../../protocol/key-specs.js"
import { formatScore, parseScore } from "../../protocol/score-text.js"
import { ERR_NAN, writeZset, zsetCommand } from "./shared.js"

const NX = 1
const XX = 2
const GT = 4
const LT = 8
const INCR = 16
const CH = 32

/** Case-insensitive match of an ASCII option against its lower-case spelling. */
const is = (arg: string, lower: string): boolean => {
  if (arg.length !== lower.length) return false
  for (let i = 0; i < arg.length; i++) if ((arg.charCodeAt(i) | 0x20) !== lower.charCodeAt(i)) return false
  return true
}

/** The flag an option argument sets, or 0 when it is not an option (then the pairs begin). */
const optionFlag = (arg: string): number => {
  const length = arg.length
  if (length === 2) {
    if (is(arg, "nx")) return NX
    if (is(arg, "xx")) return XX
    if (is(arg, "gt")) return GT
    if (is(arg, "lt")) return LT
    if (is(arg, "ch")) return CH
  } else if (length === 4 && is(arg, "incr")) {
    return INCR
  }
  return 0
}

/** Parsed scores of the ZADD being run (reused; trimmed after a very large one). */
const scores: Array<number> = []
const SCRATCH_KEPT = 1024

/** ZADD's options as flags, for GEOADD (which takes NX, XX and CH). */
export const ZADD_NX = NX
export const ZADD_XX = XX
export const ZADD_CH = CH

/** ZADD with `flags` preset (ZINCRBY: INCR). */
const zaddGeneric = (ctx: CommandContext, argv: ReadonlyArray<string>, flags: number): void => {
  let first = 2
  for (; first < argv.length; first++) {
    const flag = optionFlag(argv[first])
    if (flag === 0) break
    flags |= flag
  }
  const elements = argv.length - first
  if (elements % 2 !== 0 || elements === 0) return ctx.out.error(ERR_SYNTAX)
  const pairs = elements / 2
  if ((flags & (NX | XX)) === (NX | XX)) return ctx.out.error("ERR XX and NX options at the same time are not compatible")
  if (((flags & (GT | LT)) !== 0 && (flags & NX) !== 0) || (flags & (GT | LT)) === (GT | LT)) {
    return ctx.out.error("ERR GT, LT, and/or NX options at the same time are not compatible")
  }
  const incr = (flags & INCR) !== 0
  if (incr && pairs > 1) return ctx.out.error("ERR INCR option supports a single increment-element pair")
  for (let j = 0; j < pairs; j++) {
    const score = parseScore(argv[first + j * 2])
    if (score === undefined) return ctx.out.error(ERR_NOT_FLOAT)
    scores[j] = score
  }
  zaddScored(ctx, argv[1], flags, pairs, argv, first + 1, 2, scores)
}

/**
 * The adding half of ZADD, its options checked and `parsedScores` read: member j is
 * `argv[firstMember + j * memberStep]` (GEOADD passes its own arguments and the geohashes).
 */
export const zaddScored = (
  ctx: CommandContext,
  key: string,
  flags: number,
  pairs: number,
  argv: ReadonlyArray<string>,
  firstMember: number,
  memberStep: number,
  parsedScores: Array<number>
): void => {
  const incr = (flags & INCR) !== 0
  const found = writeZset(ctx, key)
  if (found === null) return ctx.out.error(WRONGTYPE)
  let zset = found
  const created = zset === undefined
  if (zset === undefined) {
    if ((flags & XX) !== 0) return incr ? ctx.out.nullBulk() : ctx.out.integer(0)
    zset = new SortedSetValue()
  }
  const config = ctx.server.config
  const nx = (flags & NX) !== 0
  const xx = (flags & XX) !== 0
  const gt = (flags & GT) !== 0
  const lt = (flags & LT) !== 0
  let added = 0
  let updated = 0
  let processed = 0
  let result = 0
  let announced = created
  for (let j = 0; j < pairs; j++) {
    const member = argv[firstMember + j * memberStep]
    let score = parsedScores[j]
    const current = zset.scoreOf(member)
    if (current !== undefined) {
      if (nx) continue
      if (incr) {
        score += current
        if (score !== score) return ctx.out.error(ERR_NAN)
      }
      if ((lt && score >= current) || (gt && score <= current)) continue
      if (score !== current) {
        if (!announced) {
          ctx.db.willModify(key)
          announced = true
        }
        zset.update(member, current, score)
        updated++
      }
    } else if (!xx) {
      if (!announced) {
        ctx.db.willModify(key)
        announced = true
      }
      zset.insert(member, score, config)
      added++
    } else {
      continue
    }
    processed++
    result = score
  }
  if (pairs > SCRATCH_KEPT) parsedScores.length = 0
  if (created) ctx.db.set(key, zset)
  // Only a change is announced (ZADD INCR by 0 changes nothing), as `zincr` for INCR.
  if (added + updated > 0) notify(ctx, NotifyType.Zset, incr ? "zincr" : "zadd", key)
  if (incr) {
    if (processed === 0) ctx.out.nullBulk()
    else ctx.out.double(formatScore(result))
  } else {
    ctx.out.integer((flags & CH) !== 0 ? added + updated : added)
  }
}

const zadd = zsetCommand({
  name: "zadd",
  arity: -4,
  flags: ["write", "denyoom", "fast"],
  keySpecs: [keyAt(1, "RW", "update")],
  summary: "Add one or more members to a sorted set, or update its score if it already exists",
  since: "1.2.0",
  complexity: "O(log(N)) for each item added, where N is the number of elements in the sorted set.",
  run: (ctx, argv) => zaddGeneric(ctx, argv, 0)
})

const zincrby = zsetCommand({
  name: "zincrby",
  arity: 4,
  flags: ["write", "denyoom", "fast"],
  keySpecs: [keyAt(1, "RW", "access", "update")],
  summary: "Increment the score of a member in a sorted set",
  since: "1.2.0",
  complexity: "O(log(N)) where N is the number of elements in the sorted set.",
  run: (ctx, argv) => zaddGeneric(ctx, argv, INCR)
})

const zrem = zsetCommand({
  name: "zrem",
  arity: -3,
  flags: ["write", "fast"],
  keySpecs: [keyAt(1, "RW", "delete")],
  summary: "Remove one or more members from a sorted set",
  since: "1.2.0",
  complexity:
    "O(M*log(N)) with N being the number of elements in the sorted set and M the number of elements to be removed.",
  run: (ctx, argv) => {
    const key = argv[1]
    const zset = writeZset(ctx, key)
    if (zset === null) return ctx.out.error(WRONGTYPE)
    let removed = 0
    if (zset !== undefined) {
      for (let i = 2; i < argv.length; i++) {
        if (!zset.scores.has(argv[i])) continue
        if (removed === 0) ctx.db.willModify(key)
        zset.remove(argv[i])
        removed++
        if (zset.size === 0) break
      }
      if (removed > 0) {
        notify(ctx, NotifyType.Zset, "zrem", key)
        if (zset.size === 0) deleteAndNotify(ctx, key)
      }
    }
    ctx.out.integer(removed)
  }
})

export const addCommands: ReadonlyArray<CommandSpec> = [zadd, zincrby, zrem]
