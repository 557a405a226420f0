/**
 * What the sorted-set commands share: the declaration helper, lookups, replies of scored
 * members (RESP2: a flat member/score array; RESP3: an array of [member, double] pairs, as
 * Redis 7.0 sends them), and removing a run of ranks.
 */
import { ScoreTree, TreeCursor } from "../../keyspace/values/ScoreTree.js"
import { SortedSetValue } from "../../keyspace/values/SortedSetValue.js"
import type { ReplyWriter } from "../../protocol/ReplyWriter.js"
import { command, type CommandContext, type CommandSpec, FIRST_KEY } from "../Command.js"
import { readKey } from "../strings/get-set.js"
import { formatScore } from "../../protocol/score-text.js"

type ZsetCommandInput = Omit<Parameters<typeof command>[0], "group" | "aclCategories">

/** Declares a sorted-set command: group "sorted-set", ACL categories in COMMAND INFO's order. */
export const zsetCommand = (spec: ZsetCommandInput): CommandSpec =>
  command({
    ...FIRST_KEY,
    ...spec,
    group: "sorted-set",
    aclCategories: [
      spec.flags.includes("write") ? "write" : "read",
      "sortedset",
      spec.flags.includes("fast") ? "fast" : "slow"
    ]
  })

export const ERR_NAN = "ERR resulting score is not a number (NaN)"
export const ERR_NOT_FLOAT_RANGE = "ERR min or max is not a float"
export const ERR_NOT_LEX_RANGE = "ERR min or max not valid string range item"

/**
 * A lookup for reading (counts a keyspace hit or miss and announces a miss, as Redis's
 * `lookupKeyRead`): the sorted set, undefined for a missing key, or null for a key of another type.
 */
export const readZset = (ctx: CommandContext, key: string): SortedSetValue | undefined | null => {
  const value = readKey(ctx, key)
  if (value === undefined) return undefined
  return value instanceof SortedSetValue ? value : null
}

/** A lookup for writing (no hit/miss counted): the sorted set, undefined, or null for another type. */
export const writeZset = (ctx: CommandContext, key: string): SortedSetValue | undefined | null => {
  const value = ctx.db.get(key, ctx.now)
  if (value === undefined) return undefined
  return value instanceof SortedSetValue ? value : null
}

/** The header of `count` members, with their scores or not. */
export const scoredHeader = (out: ReplyWriter, count: number, withScores: boolean): void => {
  out.arrayHeader(withScores && out.protocol !== 3 ? count * 2 : count)
}

/** One member of a scored reply (its [member, score] pair in RESP3). */
export const scoredEntry = (out: ReplyWriter, member: string, score: number, withScores: boolean): void => {
  if (!withScores) return out.bulk(member)
  if (out.protocol === 3) out.arrayHeader(2)
  out.bulk(member)
  out.double(formatScore(score))
}

/** A scratch cursor: commands run one at a time, so one is enough for all of them. */
export const cursor = new TreeCursor()

/** Below this many removals, one at a time is cheaper than a rebuild whatever the set's size. */
const REBUILD_FROM = 256

/**
 * Removes `count` elements from rank `from` on. A large share is cheaper to drop by rebuilding
 * the tree from what stays (O(n)) than one removal at a time (O(count log n)).
 */
export const removeRanks = (zset: SortedSetValue, from: number, count: number): void => {
  if (count <= 0) return
  const tree = zset.tree
  if (count >= REBUILD_FROM && count * 4 >= tree.size) {
    const scores: Array<number> = []
    const members: Array<string> = []
    tree.collect(scores, members)
    for (let i = from; i < from + count; i++) zset.forgetScore(members[i])
    scores.splice(from, count)
    members.splice(from, count)
    zset.tree = ScoreTree.fromSorted(scores, members)
    return
  }
  const doomedScores: Array<number> = []
  const doomedMembers: Array<string> = []
  tree.seek(cursor, from)
  for (let i = 0; i < count; i++) {
    doomedScores.push(cursor.score)
    doomedMembers.push(cursor.member)
    cursor.next()
  }
  for (let i = 0; i < count; i++) {
    tree.remove(doomedScores[i], doomedMembers[i])
    zset.forgetScore(doomedMembers[i])
  }
}
