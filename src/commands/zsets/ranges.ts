/**
 * Score and lex ranges as Redis reads and applies them.
 *
 * Score ranges (`zslParseRange`): "(" makes a bound exclusive; the rest is a `strtod` number.
 * Scores ascend along the ranks, so a range is the run of ranks [from, to), found in O(log n).
 *
 * Lex ranges (`zslParseLexRange`): "[x" inclusive, "(x" exclusive, "-" and "+" the ends. They
 * assume every score is equal; with mixed scores Redis's answer depends on the encoding, and
 * both are reproduced: a listpack is scanned from its start (or end) for the first member past
 * the bound, a skiplist is searched as if members ascended (here: the tree, the same way).
 * Either way a range is then walked while its far bound holds, as Redis walks it.
 */
import type { SortedSetValue } from "../../keyspace/values/SortedSetValue.js"
import { parseRangeScore } from "../../protocol/score-text.js"
import { cursor } from "./shared.js"

export interface ScoreRange {
  min: number
  max: number
  minExclusive: boolean
  maxExclusive: boolean
}

/** A bound read as `(x` or plain x; false when it is not a float. */
const readScoreBound = (text: string, range: ScoreRange, isMin: boolean): boolean => {
  const exclusive = text.charCodeAt(0) === 40 // '('
  const value = parseRangeScore(text, exclusive ? 1 : 0)
  if (value === undefined) return false
  if (isMin) {
    range.min = value
    range.minExclusive = exclusive
  } else {
    range.max = value
    range.maxExclusive = exclusive
  }
  return true
}

/** Reads min and max into `range`; false for "min or max is not a float". */
export const parseScoreRange = (minText: string, maxText: string, range: ScoreRange): boolean =>
  readScoreBound(minText, range, true) && readScoreBound(maxText, range, false)

export const newScoreRange = (): ScoreRange => ({ min: 0, max: 0, minExclusive: false, maxExclusive: false })

/** The first rank in the range: elements below it are under min. */
export const scoreRangeFrom = (zset: SortedSetValue, range: ScoreRange): number =>
  zset.tree.countByScore(range.min, range.minExclusive)

/** One past the last rank in the range. */
export const scoreRangeTo = (zset: SortedSetValue, range: ScoreRange): number =>
  zset.tree.countByScore(range.max, !range.maxExclusive)

/** A lex bound: a member text, or one of the ends ("-" below everything, "+" above). */
export interface LexBound {
  /** -1 for "-", 1 for "+", 0 for a text. */
  end: number
  text: string
  exclusive: boolean
}

export interface LexRange {
  readonly min: LexBound
  readonly max: LexBound
}

export const newLexRange = (): LexRange => ({
  min: { end: 0, text: "", exclusive: false },
  max: { end: 0, text: "", exclusive: false }
})

/** `zslParseLexRangeItem`: a NUL right after "+" or "-" ends the C string there. */
const readLexBound = (text: string, bound: LexBound): boolean => {
  const first = text.charCodeAt(0)
  if (first === 43 || first === 45) {
    if (text.length > 1 && text.charCodeAt(1) !== 0) return false
    bound.end = first === 43 ? 1 : -1
    bound.text = ""
    bound.exclusive = true
    return true
  }
  if (first !== 40 && first !== 91) return false // '(' '['
  bound.end = 0
  bound.text = text.slice(1)
  bound.exclusive = first === 40
  return true
}

/** Reads min and max into `range`; false for "min or max not valid string range item". */
export const parseLexRange = (minText: string, maxText: string, range: LexRange): boolean =>
  readLexBound(minText, range.min) && readLexBound(maxText, range.max)

/** `sdscmplex`: a member against a bound (the ends compare below or above everything). */
const compareToBound = (member: string, bound: LexBound): number =>
  bound.end !== 0 ? -bound.end : member < bound.text ? -1 : member > bound.text ? 1 : 0

const aboveMin = (member: string, range: LexRange): boolean => {
  const c = compareToBound(member, range.min)
  return range.min.exclusive ? c > 0 : c >= 0
}

export const belowMax = (member: string, range: LexRange): boolean => {
  const c = compareToBound(member, range.max)
  return range.max.exclusive ? c < 0 : c <= 0
}

/** Ranges that are empty whatever the set holds (min above max, or equal with an exclusive end). */
const lexRangeEmpty = (range: LexRange): boolean => {
  const { min, max } = range
  let c: number
  if (min.end !== 0 && min.end === max.end) c = 0
  else if (min.end === -1 || max.end === 1) c = -1
  else if (min.end === 1 || max.end === -1) c = 1
  else c = min.text < max.text ? -1 : min.text > max.text ? 1 : 0
  return c > 0 || (c === 0 && (min.exclusive || max.exclusive))
}

const memberAt = (zset: SortedSetValue, rank: number): string => {
  zset.tree.seek(cursor, rank)
  return cursor.member
}

/** `zzlIsInLexRange` / `zslIsInLexRange`: whether the range may hold anything. */
const mayHoldLex = (zset: SortedSetValue, range: LexRange): boolean =>
  zset.size !== 0 &&
  !lexRangeEmpty(range) &&
  aboveMin(memberAt(zset, zset.size - 1), range) &&
  belowMax(memberAt(zset, 0), range)

/** The rank a forward lex walk starts at, or -1 when nothing is in range. */
export const lexRangeFirst = (zset: SortedSetValue, range: LexRange): number => {
  if (!mayHoldLex(zset, range)) return -1
  let rank: number
  if (zset.listpack) {
    zset.tree.seek(cursor, 0)
    rank = 0
    while (!aboveMin(cursor.member, range)) {
      if (!cursor.next()) return -1
      rank++
    }
    return belowMax(cursor.member, range) ? rank : -1
  }
  const min = range.min
  rank = min.end === -1 ? 0 : min.end === 1 ? zset.size : zset.tree.countByMember(min.text, min.exclusive)
  return rank < zset.size && belowMax(memberAt(zset, rank), range) ? rank : -1
}

/** The rank a backward lex walk starts at, or -1 when nothing is in range. */
export const lexRangeLast = (zset: SortedSetValue, range: LexRange): number => {
  if (!mayHoldLex(zset, range)) return -1
  let rank: number
  if (zset.listpack) {
    rank = zset.size - 1
    zset.tree.seek(cursor, rank)
    while (!belowMax(cursor.member, range)) {
      if (!cursor.prev()) return -1
      rank--
    }
    return aboveMin(cursor.member, range) ? rank : -1
  }
  const max = range.max
  rank = max.end === 1 ? zset.size - 1 : max.end === -1 ? -1 : zset.tree.countByMember(max.text, !max.exclusive) - 1
  return rank >= 0 && aboveMin(memberAt(zset, rank), range) ? rank : -1
}

/**
 * The ranks of a lex walk from `start` (forward, or backward when `reverse`): `offset` elements
 * skipped unchecked, then up to `limit` (negative: no limit) while the far bound holds — Redis's
 * loop exactly. Appends to `scores` / `members`.
 */
export const walkLex = (
  zset: SortedSetValue,
  range: LexRange,
  start: number,
  reverse: boolean,
  offset: number,
  limit: number,
  scores: Array<number>,
  members: Array<string>
): void => {
  if (start < 0 || offset < 0) return
  zset.tree.seek(cursor, start)
  for (let skipped = 0; skipped < offset; skipped++) if (!(reverse ? cursor.prev() : cursor.next())) return
  for (let taken = 0; limit < 0 || taken < limit; taken++) {
    const member = cursor.member
    if (reverse ? !aboveMin(member, range) : !belowMax(member, range)) return
    scores.push(cursor.score)
    members.push(member)
    if (!(reverse ? cursor.prev() : cursor.next())) return
  }
}
