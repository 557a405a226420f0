/**
 * A set: its members in a dense array (so SRANDMEMBER and SPOP pick at random in O(1)) and a
 * Map from member to its index in the array (membership in O(1); removal swaps the last member
 * into the hole). SSCAN walks the Map, whose live iterators survive changes (ScanCursors.ts):
 * moving a member within the array only changes its Map value, never its place in the Map.
 *
 * Encoding, as Redis 7.0 names it: "intset" while every member is a canonical 64-bit integer
 * and the set has never held more than `set-max-intset-entries` of them; "hashtable" from the
 * first member that breaks either rule on. The change is one way, like Redis's conversion; a set
 * built from scratch (SINTERSTORE, SMOVE to a new key, ...) starts as an intset again.
 */
import { parseInteger } from "../../protocol/arguments.js"
import type { CollectionValue } from "../Value.js"
import { ARRAY_SLOT_BYTES, MAP_ENTRY_BYTES, SET_BASE_BYTES, stringBytes } from "./memoryEstimate.js"

/** Whether Redis would keep `member` in an intset (`isSdsRepresentableAsLongLong`). */
export const isIntsetMember = (member: string): boolean => parseInteger(member) !== undefined

/** What a member costs: its slot in `members`, its entry in `index`, its string. */
const memberBytes = (member: string): number => ARRAY_SLOT_BYTES + MAP_ENTRY_BYTES + stringBytes(member.length)

/** `members` and `index` change only through the methods below (they keep `memberBytes` right). */
export class SetValue implements CollectionValue {
  readonly type = "set" as const
  members: Array<string> = []
  index = new Map<string, number>()
  intset = true
  /** Heap bytes of the members (see memoryEstimate.ts). */
  private memberBytes = 0

  encoding(): string {
    return this.intset ? "intset" : "hashtable"
  }

  memoryUsage(): number {
    return SET_BASE_BYTES + this.memberBytes
  }

  get size(): number {
    return this.members.length
  }

  has(member: string): boolean {
    return this.index.has(member)
  }

  /** Adds `member`; false when it was already there. `maxIntset` is set-max-intset-entries. */
  add(member: string, maxIntset: number): boolean {
    if (this.index.has(member)) return false
    this.insertAbsent(member, maxIntset)
    return true
  }

  /** Adds a member known not to be in the set (the caller just checked). */
  insertAbsent(member: string, maxIntset: number): void {
    this.index.set(member, this.members.length)
    this.members.push(member)
    this.memberBytes += memberBytes(member)
    if (this.intset && (this.members.length > maxIntset || parseInteger(member) === undefined)) this.intset = false
  }

  /** Removes `member`; false when it was not there. */
  remove(member: string): boolean {
    const at = this.index.get(member)
    if (at === undefined) return false
    this.index.delete(member)
    this.memberBytes -= memberBytes(member)
    const last = this.members.pop()!
    if (at < this.members.length) {
      this.members[at] = last
      this.index.set(last, at)
    }
    return true
  }

  /** Removes and returns the member at `at` (a random pick). */
  removeAt(at: number): string {
    const member = this.members[at]
    this.remove(member)
    return member
  }

  clone(): SetValue {
    const copy = new SetValue()
    copy.members = this.members.slice()
    copy.index = new Map(this.index)
    copy.intset = this.intset
    copy.memberBytes = this.memberBytes
    return copy
  }

  /** A set holding `members` (distinct), encoded as Redis encodes a set built one add at a time. */
  static of(members: Array<string>, maxIntset: number): SetValue {
    const set = new SetValue()
    set.members = members
    let intset = members.length <= maxIntset
    for (let i = 0; i < members.length; i++) {
      set.index.set(members[i], i)
      set.memberBytes += memberBytes(members[i])
      if (intset && parseInteger(members[i]) === undefined) intset = false
    }
    set.intset = intset
    return set
  }
}

/**
 * Redis's intset order (ascending integers) for canonical integer texts, without converting
 * them: sign first, then length, then digits (reversed for negatives).
 */
export const compareIntegerTexts = (a: string, b: string): number => {
  const negativeA = a.charCodeAt(0) === 45
  const negativeB = b.charCodeAt(0) === 45
  if (negativeA !== negativeB) return negativeA ? -1 : 1
  const order = negativeA ? -1 : 1
  if (a.length !== b.length) return a.length < b.length ? -order : order
  return a < b ? -order : a > b ? order : 0
}
