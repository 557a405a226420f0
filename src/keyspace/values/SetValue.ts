/**
 * A set, in one of three shapes:
 * - an intset (what OBJECT ENCODING calls "intset", as Redis 7.0): every member a canonical 64-bit
 *   integer and never more than `set-max-intset-entries` of them. The integers are kept sorted in
 *   one string of 16-bit chars, each `width` chars wide (1, 2 or 4: Redis's int16/int32/int64
 *   widths, widened for all members at once when a wider one arrives). The chars are big-endian
 *   with the sign bit flipped, so the string order of two entries is their numeric order: lookups
 *   are a binary search, inserts and removals rebuild the string (O(n) as Redis's memmove).
 * - a small packed set: up to PACKED_MAX_ENTRIES members of at most PACKED_MAX_BYTES bytes in one
 *   byte string (PackedEntries.ts), searched linearly as a Redis 7.2 listpack set is. Only a
 *   memory saving: OBJECT ENCODING says "hashtable", since Redis 7.0 has no listpack sets.
 * - a hashtable: its members in a dense array (so SRANDMEMBER and SPOP pick at random in O(1)) and
 *   a Map from member to its index in the array (membership in O(1); removal swaps the last member
 *   into the hole). SSCAN walks the Map, whose live iterators survive changes (ScanCursors.ts):
 *   moving a member within the array only changes its Map value, never its place in the Map.
 *
 * Conversions go one way, as Redis's: intset → packed or hashtable at the first non-integer
 * member or past set-max-intset-entries, packed → hashtable past the packed limits. A set built
 * from scratch (SINTERSTORE, SMOVE to a new key, ...) starts as an intset again.
 */
import { parseInteger } from "../../protocol/arguments.js"
import type { CollectionValue } from "../Value.js"
import { ARRAY_SLOT_BYTES, MAP_ENTRY_BYTES, SET_BASE_BYTES, SET_PACKED_BYTES, stringBytes } from "./memoryEstimate.js"
import { copyOut, type ElementCursor, findSingle, joinPacked, lengthPrefix, readElement } from "./PackedEntries.js"

/** Redis 7.2's set-max-listpack-entries / -value defaults, for the packed shape. */
export const PACKED_MAX_ENTRIES = 128
export const PACKED_MAX_BYTES = 64

/** Whether Redis would keep `member` in an intset (`isSdsRepresentableAsLongLong`). */
export const isIntsetMember = (member: string): boolean => parseInteger(member) !== undefined

const TWO_31 = 2147483648
const TWO_32 = 4294967296
/** Integers of up to 2^53 in magnitude: a high half within ±2^21. */
const SAFE_HIGH = 2097152

/** Chars an integer takes in an intset: 1 (int16), 2 (int32) or 4 (int64). */
export const intsetWidth = (value: number | bigint): number => {
  if (typeof value === "bigint") return 4
  return value >= -32768 && value <= 32767 ? 1 : value >= -TWO_31 && value < TWO_31 ? 2 : 4
}

/** `value` as `width` chars (see the top comment): big-endian, sign bit flipped. */
const encodeInteger = (value: number | bigint, width: number): string => {
  if (width === 1) return String.fromCharCode((value as number) + 32768)
  if (width === 2) {
    const biased = (value as number) + TWO_31
    return String.fromCharCode(Math.floor(biased / 65536), biased % 65536)
  }
  let high: number
  let low: number
  if (typeof value === "bigint") {
    high = Number(value >> 32n)
    low = Number(BigInt.asUintN(32, value))
  } else {
    high = Math.floor(value / TWO_32)
    low = value - high * TWO_32
  }
  const biasedHigh = high + TWO_31
  return String.fromCharCode(Math.floor(biasedHigh / 65536), biasedHigh % 65536, Math.floor(low / 65536), low % 65536)
}

/** The integer whose `width` chars start at `at`. */
const decodeInteger = (ints: string, at: number, width: number): number | bigint => {
  if (width === 1) return ints.charCodeAt(at) - 32768
  if (width === 2) return ints.charCodeAt(at) * 65536 + ints.charCodeAt(at + 1) - TWO_31
  const high = ints.charCodeAt(at) * 65536 + ints.charCodeAt(at + 1) - TWO_31
  const low = ints.charCodeAt(at + 2) * 65536 + ints.charCodeAt(at + 3)
  if (high >= -SAFE_HIGH && high < SAFE_HIGH) return high * TWO_32 + low
  return (BigInt(high) << 32n) + BigInt(low)
}

/** Binary search of an encoded integer: its index, or -(insertion point) - 1. */
const searchInteger = (ints: string, count: number, width: number, key: string): number => {
  let low = 0
  let high = count - 1
  while (low <= high) {
    const middle = (low + high) >>> 1
    const at = middle * width
    let order = 0
    for (let c = 0; c < width && order === 0; c++) order = ints.charCodeAt(at + c) - key.charCodeAt(c)
    if (order < 0) low = middle + 1
    else if (order > 0) high = middle - 1
    else return middle
  }
  return -low - 1
}

// Scratch bounds for the linear searches (the server runs one command at a time).
const element: ElementCursor = { start: 0, end: 0 }

/** Where `member`'s entry begins in a packed set (-1: absent); its bounds are left in `element`. */
const findPacked = (packed: string, member: string): number => findSingle(packed, member, element)

/** Where the entry at `index` begins in a packed set; its bounds are left in `element`. */
const seekPacked = (packed: string, index: number): number => {
  let at = 0
  readElement(packed, at, element)
  for (; index > 0; index--) {
    at = element.end
    readElement(packed, at, element)
  }
  return at
}

/** What a hashtable member costs: its slot in `members`, its entry in `index`, its string. */
const memberBytes = (member: string): number => ARRAY_SLOT_BYTES + MAP_ENTRY_BYTES + stringBytes(member.length)

/** The hashtable shape. `members` and `index` change only through SetValue (which keeps `bytes` right). */
class SetTable {
  readonly index = new Map<string, number>()
  /** Heap bytes of the members (see memoryEstimate.ts). */
  bytes = 0

  constructor(readonly members: Array<string>) {
    for (let i = 0; i < members.length; i++) {
      this.index.set(members[i], i)
      this.bytes += memberBytes(members[i])
    }
  }

  add(member: string): void {
    this.index.set(member, this.members.length)
    this.members.push(member)
    this.bytes += memberBytes(member)
  }

  remove(member: string): boolean {
    const at = this.index.get(member)
    if (at === undefined) return false
    this.index.delete(member)
    this.bytes -= memberBytes(member)
    const last = this.members.pop()!
    if (at < this.members.length) {
      this.members[at] = last
      this.index.set(last, at)
    }
    return true
  }
}

export class SetValue implements CollectionValue {
  get type(): "set" {
    return "set"
  }
  /** The intset's encoded integers (width > 0) or the packed members (width 0); "" as a hashtable. */
  private packed = ""
  /** Members of `packed`. */
  private count = 0
  /** Chars per integer of an intset; 0 once not an intset. */
  private width = 1
  /** The hashtable shape, once converted. */
  private table: SetTable | undefined = undefined

  /** Whether the set is an intset (OBJECT ENCODING "intset"). */
  get intset(): boolean {
    return this.width > 0
  }

  encoding(): string {
    return this.width > 0 ? "intset" : "hashtable"
  }

  memoryUsage(): number {
    if (this.table !== undefined) return SET_BASE_BYTES + this.table.bytes
    // An intset's chars are 16 bits wide; packed members are bytes.
    return SET_PACKED_BYTES + stringBytes(this.width > 0 ? 2 * this.packed.length : this.packed.length)
  }

  get size(): number {
    return this.table === undefined ? this.count : this.table.members.length
  }

  has(member: string): boolean {
    if (this.table !== undefined) return this.table.index.has(member)
    const width = this.width
    if (width === 0) return findPacked(this.packed, member) >= 0
    const value = parseInteger(member)
    if (value === undefined || intsetWidth(value) > width) return false
    return searchInteger(this.packed, this.count, width, encodeInteger(value, width)) >= 0
  }

  /** Adds `member`; false when it was already there. `maxIntset` is set-max-intset-entries. */
  add(member: string, maxIntset: number): boolean {
    if (this.has(member)) return false
    this.insertAbsent(member, maxIntset)
    return true
  }

  /** Adds a member known not to be in the set (the caller just checked). */
  insertAbsent(member: string, maxIntset: number): void {
    if (this.table !== undefined) return this.table.add(member)
    if (this.width > 0) {
      const value = parseInteger(member)
      if (value !== undefined && this.count < maxIntset) return this.insertInteger(value)
      this.leaveIntset(member.length <= PACKED_MAX_BYTES)
      const table = this.table as SetTable | undefined
      if (table !== undefined) return table.add(member)
    }
    if (this.count < PACKED_MAX_ENTRIES && member.length <= PACKED_MAX_BYTES) {
      this.packed = joinPacked([this.packed, lengthPrefix(member.length), member])
      this.count++
      return
    }
    this.toTable()
    this.table!.add(member)
  }

  /** Removes `member`; false when it was not there. */
  remove(member: string): boolean {
    if (this.table !== undefined) return this.table.remove(member)
    const packed = this.packed
    const width = this.width
    if (width === 0) {
      const at = findPacked(packed, member)
      if (at < 0) return false
      this.packed = joinPacked([packed.slice(0, at), packed.slice(element.end)])
      this.count--
      return true
    }
    const value = parseInteger(member)
    if (value === undefined || intsetWidth(value) > width) return false
    const index = searchInteger(packed, this.count, width, encodeInteger(value, width))
    if (index < 0) return false
    this.packed = joinPacked([packed.slice(0, index * width), packed.slice((index + 1) * width)])
    this.count--
    return true
  }

  /** The member at `index` (0 <= index < size) in the set's own order: O(1), O(n) when packed. */
  memberAt(index: number): string {
    if (this.table !== undefined) return this.table.members[index]
    const width = this.width
    if (width > 0) return String(decodeInteger(this.packed, index * width, width))
    seekPacked(this.packed, index)
    return this.packed.slice(element.start, element.end)
  }

  /** Removes and returns the member at `index` (a random pick). */
  removeAt(index: number): string {
    const member = this.memberAt(index)
    this.remove(member)
    return member
  }

  /**
   * The members, read-only, in the order Redis lists them: an intset ascending, the others in
   * their own order. A hashtable gives its live array (no copy): read it before changing the set.
   */
  toArray(): ReadonlyArray<string> {
    if (this.table !== undefined) return this.table.members
    const members: Array<string> = []
    const packed = this.packed
    const width = this.width
    if (width > 0) {
      for (let at = 0; at < packed.length; at += width) members.push(String(decodeInteger(packed, at, width)))
      return members
    }
    for (let at = 0; at < packed.length; at = element.end) {
      readElement(packed, at, element)
      members.push(packed.slice(element.start, element.end))
    }
    return members
  }

  /** Random access to the members for many picks: O(1) each after at most one O(n) unpacking. */
  picker(): (index: number) => string {
    if (this.width === 0 && this.table === undefined) {
      const members = this.toArray()
      return (index) => members[index]
    }
    return (index) => this.memberAt(index)
  }

  /** An intset's integers, ascending (for RDB's intset encoding). */
  integers(): Array<number | bigint> {
    const values: Array<number | bigint> = []
    const width = this.width
    for (let at = 0; width > 0 && at < this.packed.length; at += width) values.push(decodeInteger(this.packed, at, width))
    return values
  }

  /** A hashtable's member Map for SSCAN's live cursors; undefined for the compact shapes (scanned at once). */
  scanIndex(): ReadonlyMap<string, number> | undefined {
    return this.table?.index
  }

  clone(): SetValue {
    const copy = new SetValue()
    copy.packed = this.packed
    copy.count = this.count
    copy.width = this.width
    if (this.table !== undefined) copy.table = new SetTable(this.table.members.slice())
    return copy
  }

  /**
   * A set holding `members` (distinct; the set takes the array), encoded as Redis encodes a set
   * built one add at a time, or never as an intset when `intsetAllowed` is false.
   */
  static of(members: Array<string>, maxIntset: number, intsetAllowed = true): SetValue {
    const set = new SetValue()
    if (intsetAllowed && members.length <= maxIntset) {
      const values: Array<number | bigint> = []
      let width = 1
      for (const member of members) {
        const value = parseInteger(member)
        if (value === undefined) break
        values.push(value)
        width = Math.max(width, intsetWidth(value))
      }
      if (values.length === members.length) {
        values.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
        set.width = width
        set.count = values.length
        set.packed = joinPacked(values.map((value) => encodeInteger(value, width)))
        return set
      }
    }
    set.width = 0
    if (members.length <= PACKED_MAX_ENTRIES && members.every((member) => member.length <= PACKED_MAX_BYTES)) {
      const pieces: Array<string> = []
      for (const member of members) pieces.push(lengthPrefix(member.length), member)
      set.packed = joinPacked(pieces)
      set.count = members.length
    } else {
      set.table = new SetTable(members)
    }
    return set
  }

  private insertInteger(value: number | bigint): void {
    const needed = intsetWidth(value)
    if (needed > this.width) this.widen(needed)
    const width = this.width
    const key = encodeInteger(value, width)
    const packed = this.packed
    const at = (-searchInteger(packed, this.count, width, key) - 1) * width
    this.packed = joinPacked([packed.slice(0, at), key, packed.slice(at)])
    this.count++
  }

  /** Re-encodes every integer `width` chars wide. */
  private widen(width: number): void {
    const pieces: Array<string> = []
    for (const value of this.integers()) pieces.push(encodeInteger(value, width))
    this.packed = joinPacked(pieces)
    this.width = width
  }

  /** Leaves the intset shape for the packed one when it will hold one more member (and `fits`), else a hashtable. */
  private leaveIntset(fits: boolean): void {
    const members = this.toArray() as Array<string>
    this.width = 0
    if (fits && members.length < PACKED_MAX_ENTRIES) {
      const pieces: Array<string> = []
      for (const member of members) pieces.push(lengthPrefix(member.length), member)
      this.packed = joinPacked(pieces)
    } else {
      this.table = new SetTable(members)
      this.packed = ""
      this.count = 0
    }
  }

  /** Packed → hashtable, with flat copies of the members (slices would keep the packed string alive). */
  private toTable(): void {
    const packed = this.packed
    const members: Array<string> = []
    for (let at = 0; at < packed.length; at = element.end) {
      readElement(packed, at, element)
      members.push(copyOut(packed, element.start, element.end))
    }
    this.table = new SetTable(members)
    this.width = 0
    this.packed = ""
    this.count = 0
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
