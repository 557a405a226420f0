/**
 * A sorted set: a Map from member to score (ZSCORE, membership: O(1)) and the ScoreTree that
 * keeps (score, member) in Redis's order (ranks and ranges: O(log n)).
 *
 * Encoding, as Redis 7.0 names it: "listpack" until a new member would make the set longer than
 * `zset-max-listpack-entries` or is longer than `zset-max-listpack-value` bytes, "skiplist" from
 * then on (one way, as in Redis). A listpack keeps scores as text, which turns -0 into 0; the
 * skiplist keeps -0. Both are reproduced: a listpack-encoded set stores +0 for -0.
 */
import type { CollectionValue } from "../Value.js"
import { stringBytes, ZSET_BASE_BYTES, ZSET_ELEMENT_BYTES } from "./memoryEstimate.js"
import { ScoreTree } from "./ScoreTree.js"

/** The thresholds that decide the encoding (from the live configuration). */
export interface ZsetLimits {
  readonly zsetMaxListpackEntries: number
  readonly zsetMaxListpackValue: number
}

/** What an element costs besides the fixed part (see memoryEstimate.ts). */
const elementBytes = (member: string): number => ZSET_ELEMENT_BYTES + stringBytes(member.length)

/**
 * Members come and go only through the methods below (`scores` and `tree` may be rebuilt with the
 * same members, as removeRanks does), which keep `memberBytes` right.
 */
export class SortedSetValue implements CollectionValue {
  readonly type = "zset" as const
  scores = new Map<string, number>()
  tree = new ScoreTree()
  listpack = true
  /** Heap bytes of the elements (see memoryEstimate.ts). */
  private memberBytes = 0

  encoding(): string {
    return this.listpack ? "listpack" : "skiplist"
  }

  get size(): number {
    return this.scores.size
  }

  memoryUsage(): number {
    return ZSET_BASE_BYTES + this.memberBytes
  }

  /** Adds a member that is not in the set, converting first when Redis would. */
  insert(member: string, score: number, limits: ZsetLimits): void {
    if (
      this.listpack &&
      (this.scores.size + 1 > limits.zsetMaxListpackEntries || member.length > limits.zsetMaxListpackValue)
    ) {
      this.listpack = false
    }
    // `score + 0` is +0 for -0 and the score itself otherwise: the listpack's text round trip.
    if (this.listpack) score = score + 0
    this.scores.set(member, score)
    this.tree.insert(score, member)
    this.memberBytes += elementBytes(member)
  }

  /** Gives a member already in the set (with score `old`) a new score. */
  update(member: string, old: number, score: number): void {
    if (this.listpack) score = score + 0
    this.tree.remove(old, member)
    this.tree.insert(score, member)
    this.scores.set(member, score)
  }

  /** Removes a member; false when it was not there. */
  remove(member: string): boolean {
    const score = this.scores.get(member)
    if (score === undefined) return false
    this.scores.delete(member)
    this.tree.remove(score, member)
    this.memberBytes -= elementBytes(member)
    return true
  }

  /** Removes `member` from the score map only: the caller rebuilds or edits the tree itself. */
  forgetScore(member: string): void {
    if (this.scores.delete(member)) this.memberBytes -= elementBytes(member)
  }

  clone(): SortedSetValue {
    const scores: Array<number> = []
    const members: Array<string> = []
    this.tree.collect(scores, members)
    const copy = new SortedSetValue()
    copy.scores = new Map(this.scores)
    copy.tree = ScoreTree.fromSorted(scores, members)
    copy.listpack = this.listpack
    copy.memberBytes = this.memberBytes
    return copy
  }

  /**
   * A set from sorted (score, member) pairs, encoded as Redis encodes a computed result
   * (ZUNIONSTORE and kin build a skiplist, then make it a listpack if it is small enough).
   */
  static fromSorted(scores: Array<number>, members: Array<string>, limits: ZsetLimits): SortedSetValue {
    const set = new SortedSetValue()
    let listpack = members.length <= limits.zsetMaxListpackEntries
    for (let i = 0; i < members.length && listpack; i++) {
      if (members[i].length > limits.zsetMaxListpackValue) listpack = false
    }
    if (listpack) for (let i = 0; i < scores.length; i++) scores[i] = scores[i] + 0
    for (let i = 0; i < members.length; i++) {
      set.scores.set(members[i], scores[i])
      set.memberBytes += elementBytes(members[i])
    }
    set.tree = ScoreTree.fromSorted(scores, members)
    set.listpack = listpack
    return set
  }
}
