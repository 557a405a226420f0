/**
 * A sorted set, in the encoding Redis 7.0 would have: "listpack" until a new member would make
 * the set longer than `zset-max-listpack-entries` or is longer than `zset-max-listpack-value`
 * bytes, "skiplist" from then on (one way, as in Redis).
 *
 * A skiplist set is a Map from member to score (ZSCORE, membership: O(1)) and the ScoreTree
 * that keeps (score, member) in Redis's order (ranks and ranges: O(log n)).
 *
 * A listpack set is packed like one: a single byte string of member, score, member, score...
 * in sorted order (see PackedEntries.ts), scores as their shortest round-trip text, searched
 * linearly (O(n) on at most zset-max-listpack-entries members, as in Redis). Readers see it
 * through the same interface: `scores` is a read-only Map view that scans it, and `tree` a
 * ScoreTree built from it on demand (O(n), kept until the set changes). Changes go through the
 * methods below, which edit the packed string; removeRanks's edits to a built tree only mirror
 * the `forgetScore` calls that do the real work.
 *
 * A listpack keeps scores as text, which turns -0 into 0; the skiplist keeps -0. Both are
 * reproduced: a listpack-encoded set stores +0 for -0.
 */
import type { CollectionValue } from "../Value.js"
import { stringBytes, ZSET_BASE_BYTES, ZSET_ELEMENT_BYTES, ZSET_PACKED_BYTES } from "./memoryEstimate.js"
import { copyOut, type ElementCursor, findPair, joinPacked, lengthPrefix, readElement } from "./PackedEntries.js"
import { ScoreTree } from "./ScoreTree.js"

/** The thresholds that decide the encoding (from the live configuration). */
export interface ZsetLimits {
  readonly zsetMaxListpackEntries: number
  readonly zsetMaxListpackValue: number
}

/** What an element costs besides the fixed part (see memoryEstimate.ts). */
const elementBytes = (member: string): number => ZSET_ELEMENT_BYTES + stringBytes(member.length)

/** A skiplist-encoded set's parts. */
class Skiplist {
  /** Heap bytes of the elements (see memoryEstimate.ts). */
  memberBytes = 0
  constructor(public scores: Map<string, number>, public tree: ScoreTree) {}
}

// Scratch bounds for the linear scans (the server runs one command at a time).
const memberAt: ElementCursor = { start: 0, end: 0 }
const scoreAt: ElementCursor = { start: 0, end: 0 }

/** Finds `member` in a packed set: its entry begins at the result (-1: absent), bounds in memberAt/scoreAt. */
const findPacked = (packed: string, member: string): number => findPair(packed, member, memberAt, scoreAt)

/** The score of `member` in a packed set, undefined when absent. */
const packedScore = (packed: string, member: string): number | undefined =>
  findPacked(packed, member) < 0 ? undefined : Number(packed.slice(scoreAt.start, scoreAt.end))

const scoreText = (score: number): string => String(score + 0)

/** Where (score, member) goes in a packed set: the offset of the first element after it. */
const insertionPoint = (packed: string, score: number, member: string): number => {
  for (let at = 0; at < packed.length; at = scoreAt.end) {
    readElement(packed, at, memberAt)
    readElement(packed, memberAt.end, scoreAt)
    const other = Number(packed.slice(scoreAt.start, scoreAt.end))
    if (other > score || (other === score && packed.slice(memberAt.start, memberAt.end) > member)) return at
  }
  return packed.length
}

/** Packs sorted (score, member) pairs. */
const packSorted = (scores: ReadonlyArray<number>, members: ReadonlyArray<string>): string => {
  const pieces: Array<string> = []
  for (let i = 0; i < members.length; i++) {
    const text = scoreText(scores[i])
    pieces.push(lengthPrefix(members[i].length), members[i], lengthPrefix(text.length), text)
  }
  return joinPacked(pieces)
}

/** Unpacks into sorted scores and members. */
const unpackSorted = (packed: string, scores: Array<number>, members: Array<string>): void => {
  const member: ElementCursor = { start: 0, end: 0 }
  const score: ElementCursor = { start: 0, end: 0 }
  for (let at = 0; at < packed.length; at = score.end) {
    readElement(packed, at, member)
    readElement(packed, member.end, score)
    members.push(packed.slice(member.start, member.end))
    scores.push(Number(packed.slice(score.start, score.end)))
  }
}

// The last tree built from a packed set, valid while that set's packed string is unchanged.
let builtFor: SortedSetValue | undefined
let builtFrom = ""
let built: ScoreTree | undefined

export class SortedSetValue implements CollectionValue {
  get type(): "zset" {
    return "zset"
  }
  /** The listpack encoding's elements (empty once a skiplist). */
  private packed = ""
  /** Members of the packed string. */
  private count = 0
  /** The skiplist encoding, once converted. */
  private skiplist: Skiplist | undefined

  encoding(): string {
    return this.skiplist === undefined ? "listpack" : "skiplist"
  }

  /** Whether the set is listpack-encoded; setting it converts between the two. */
  get listpack(): boolean {
    return this.skiplist === undefined
  }

  set listpack(listpack: boolean) {
    if (listpack === (this.skiplist === undefined)) return
    const scores: Array<number> = []
    const members: Array<string> = []
    if (listpack) {
      ;(this.skiplist as Skiplist).tree.collect(scores, members)
      this.packed = packSorted(scores, members)
      this.count = members.length
      this.skiplist = undefined
      return
    }
    unpackSorted(this.packed, scores, members)
    // Flat copies: slices would keep the whole packed string alive.
    for (let i = 0; i < members.length; i++) members[i] = copyOut(members[i], 0, members[i].length)
    const skiplist = new Skiplist(new Map(), ScoreTree.fromSorted(scores, members))
    for (let i = 0; i < members.length; i++) {
      skiplist.scores.set(members[i], scores[i])
      skiplist.memberBytes += elementBytes(members[i])
    }
    this.skiplist = skiplist
    this.packed = ""
    this.count = 0
  }

  /** Member → score, read-only: use the methods below to change them. */
  get scores(): ReadonlyMap<string, number> {
    return this.skiplist === undefined ? new PackedScores(this.packed, this.count) : this.skiplist.scores
  }

  /** The score of `member`, undefined when absent: `scores.get` without a view of a packed set. */
  scoreOf(member: string): number | undefined {
    const skiplist = this.skiplist
    return skiplist !== undefined ? skiplist.scores.get(member) : packedScore(this.packed, member)
  }

  /** The (score, member) order. A listpack set's is built from it: change the set through its methods. */
  get tree(): ScoreTree {
    if (this.skiplist !== undefined) return this.skiplist.tree
    if (builtFor !== this || builtFrom !== this.packed || built === undefined) {
      const scores: Array<number> = []
      const members: Array<string> = []
      unpackSorted(this.packed, scores, members)
      built = ScoreTree.fromSorted(scores, members)
      builtFor = this
      builtFrom = this.packed
    }
    return built
  }

  /** Replaces a skiplist's tree (same members); a listpack set's removals were made by `forgetScore`. */
  set tree(tree: ScoreTree) {
    if (this.skiplist !== undefined) this.skiplist.tree = tree
  }

  get size(): number {
    return this.skiplist === undefined ? this.count : this.skiplist.scores.size
  }

  memoryUsage(): number {
    return this.skiplist === undefined
      ? ZSET_PACKED_BYTES + stringBytes(this.packed.length)
      : ZSET_BASE_BYTES + this.skiplist.memberBytes
  }

  /** Adds a member that is not in the set, converting first when Redis would. */
  insert(member: string, score: number, limits: ZsetLimits): void {
    if (
      this.skiplist === undefined &&
      (this.count + 1 > limits.zsetMaxListpackEntries || member.length > limits.zsetMaxListpackValue)
    ) {
      this.listpack = false
    }
    const skiplist = this.skiplist
    if (skiplist === undefined) {
      this.insertPacked(member, score)
      this.count++
      return
    }
    skiplist.scores.set(member, score)
    skiplist.tree.insert(score, member)
    skiplist.memberBytes += elementBytes(member)
  }

  private insertPacked(member: string, score: number): void {
    const packed = this.packed
    const at = insertionPoint(packed, score, member)
    const text = scoreText(score)
    this.packed = joinPacked([packed.slice(0, at), lengthPrefix(member.length), member, lengthPrefix(text.length), text, packed.slice(at)])
    this.forgetBuiltTree()
  }

  /** Gives a member already in the set (with score `old`) a new score. */
  update(member: string, old: number, score: number): void {
    const skiplist = this.skiplist
    if (skiplist === undefined) {
      this.removePacked(member)
      this.insertPacked(member, score)
      return
    }
    skiplist.tree.remove(old, member)
    skiplist.tree.insert(score, member)
    skiplist.scores.set(member, score)
  }

  private removePacked(member: string): boolean {
    const packed = this.packed
    const at = findPacked(packed, member)
    if (at < 0) return false
    this.packed = joinPacked([packed.slice(0, at), packed.slice(scoreAt.end)])
    this.forgetBuiltTree()
    return true
  }

  /**
   * Drops the tree built from this set: a caller may have edited it (removeRanks), so equal
   * packed text later would not mean an equal tree.
   */
  private forgetBuiltTree(): void {
    if (builtFor === this) built = builtFor = undefined
  }

  /** Removes a member; false when it was not there. */
  remove(member: string): boolean {
    const skiplist = this.skiplist
    if (skiplist === undefined) {
      if (!this.removePacked(member)) return false
      this.count--
      return true
    }
    const score = skiplist.scores.get(member)
    if (score === undefined) return false
    skiplist.scores.delete(member)
    skiplist.tree.remove(score, member)
    skiplist.memberBytes -= elementBytes(member)
    return true
  }

  /**
   * Removes `member` from the score map only: the caller rebuilds or edits the tree itself
   * (a listpack set's member is removed here for good).
   */
  forgetScore(member: string): void {
    const skiplist = this.skiplist
    if (skiplist === undefined) {
      if (this.removePacked(member)) this.count--
      return
    }
    if (skiplist.scores.delete(member)) skiplist.memberBytes -= elementBytes(member)
  }

  clone(): SortedSetValue {
    const copy = new SortedSetValue()
    copy.packed = this.packed
    copy.count = this.count
    const skiplist = this.skiplist
    if (skiplist !== undefined) {
      const scores: Array<number> = []
      const members: Array<string> = []
      skiplist.tree.collect(scores, members)
      copy.skiplist = new Skiplist(new Map(skiplist.scores), ScoreTree.fromSorted(scores, members))
      copy.skiplist.memberBytes = skiplist.memberBytes
    }
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
    if (listpack) {
      set.packed = packSorted(scores, members)
      set.count = members.length
      return set
    }
    const skiplist = new Skiplist(new Map(), ScoreTree.fromSorted(scores, members))
    for (let i = 0; i < members.length; i++) {
      skiplist.scores.set(members[i], scores[i])
      skiplist.memberBytes += elementBytes(members[i])
    }
    set.skiplist = skiplist
    return set
  }
}

/** A read-only Map view of a packed set (member → score), in the set's order. */
class PackedScores implements ReadonlyMap<string, number> {
  constructor(private readonly packed: string, readonly size: number) {}

  get(member: string): number | undefined {
    return packedScore(this.packed, member)
  }

  has(member: string): boolean {
    return findPacked(this.packed, member) >= 0
  }

  forEach(visit: (score: number, member: string, map: ReadonlyMap<string, number>) => void): void {
    for (const [member, score] of this.entries()) visit(score, member, this)
  }

  *entries(): MapIterator<[string, number]> {
    const packed = this.packed
    const member: ElementCursor = { start: 0, end: 0 }
    const score: ElementCursor = { start: 0, end: 0 }
    for (let at = 0; at < packed.length; at = score.end) {
      readElement(packed, at, member)
      readElement(packed, member.end, score)
      yield [packed.slice(member.start, member.end), Number(packed.slice(score.start, score.end))]
    }
  }

  *keys(): MapIterator<string> {
    for (const [member] of this.entries()) yield member
  }

  *values(): MapIterator<number> {
    for (const [, score] of this.entries()) yield score
  }

  [Symbol.iterator](): MapIterator<[string, number]> {
    return this.entries()
  }
}
