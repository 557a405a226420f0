/**
 * A list value. Redis 7.0 keeps every list as a "quicklist" (listpack nodes came to lists in
 * 7.2), whatever its length or list-max-listpack-size, so that is the encoding reported; inside,
 * a quicklist is a chain of listpack nodes of up to 8 KB each (list-max-listpack-size -2).
 *
 * A small list is packed like one node: a single byte string of its elements, each between its
 * length and its length reversed (a listpack's back-length, see PackedEntries.ts), so it can be
 * walked from either end. Each change rebuilds the string (O(n) in its bytes, bounded by
 * `PACKED_MAX`, as a listpack node's memmove is); reading the element at an index walks from
 * the nearer end or from where the last read stopped, so LRANGE and LPOS's walks stay O(n).
 *
 * Once its packed string would pass `PACKED_MAX`, the list becomes a growable ring buffer of
 * byte strings for good: push and pop at either end are O(1) amortized, reading or replacing
 * the element at any index is O(1), inserting or removing in the middle moves only the shorter
 * side. Its capacity is a power of two so a position wraps with a mask; it doubles when full and
 * halves when three quarters are unused (never below `MIN_CAPACITY`), so memory follows the
 * length both ways. Freed slots are cleared so popped elements can be collected.
 */
import type { CollectionValue } from "../Value.js"
import { ARRAY_SLOT_BYTES, LIST_BASE_BYTES, LIST_PACKED_BYTES, stringBytes } from "./memoryEstimate.js"
import { copyOut, type ElementCursor, joinPacked, lengthPrefix, lengthSuffix, prefixSize, readElement, readSuffix } from "./PackedEntries.js"

const MIN_CAPACITY = 8
/** The most chars a packed list holds: a quicklist node's default size. */
export const PACKED_MAX = 8192

const bounds: ElementCursor = { start: 0, end: 0 }
/** Where the last indexed read of a packed list stopped: (list, packed string) → (index, offset). */
let walkedList: ListValue | undefined
let walkedPacked = ""
let walkedIndex = 0
let walkedOffset = 0

/** The offset of the element after the one at `at`. */
const nextOffset = (packed: string, at: number): number => {
  readElement(packed, at, bounds)
  return bounds.end + prefixSize(bounds.end - bounds.start)
}

/** The offset of the element before the one at `at` (which may be the end). */
const previousOffset = (packed: string, at: number): number => {
  const length = readSuffix(packed, at)
  return at - prefixSize(length) - length - prefixSize(length)
}

const packedPieces = (pieces: Array<string>, value: string): void => {
  pieces.push(lengthPrefix(value.length), value, lengthSuffix(value.length))
}

export class ListValue implements CollectionValue {
  get type(): "list" {
    return "list"
  }
  /** The packed elements; undefined once the list is a ring buffer. */
  private packed: string | undefined = ""
  private items: Array<string | undefined> = EMPTY
  private mask = 0
  /** Slot of the first element. */
  private head = 0
  /** Number of elements. */
  length = 0
  /** Heap bytes of the elements (see memoryEstimate.ts), kept by every mutator. */
  private elementBytes = 0

  /** An empty packed list, or an empty ring buffer of at least `capacity` slots. */
  constructor(capacity?: number) {
    if (capacity !== undefined) this.makeRing(capacity)
  }

  private makeRing(capacity: number): void {
    let size = MIN_CAPACITY
    while (size < capacity) size *= 2
    this.items = new Array<string | undefined>(size).fill(undefined)
    this.mask = size - 1
    this.head = 0
    this.packed = undefined
  }

  /** A list holding `elements` in order. */
  static of(elements: ReadonlyArray<string>): ListValue {
    let bytes = 0
    for (let i = 0; i < elements.length && bytes <= PACKED_MAX; i++) bytes += elements[i].length + 2 * prefixSize(elements[i].length)
    if (bytes <= PACKED_MAX) {
      const list = new ListValue()
      const pieces: Array<string> = []
      for (let i = 0; i < elements.length; i++) packedPieces(pieces, elements[i])
      list.packed = joinPacked(pieces)
      list.length = elements.length
      return list
    }
    const list = new ListValue(elements.length)
    for (let i = 0; i < elements.length; i++) {
      list.items[i] = elements[i]
      list.elementBytes += stringBytes(elements[i].length)
    }
    list.length = elements.length
    return list
  }

  encoding(): string {
    return "quicklist"
  }

  clone(): ListValue {
    if (this.packed !== undefined) {
      const packed = new ListValue()
      packed.packed = this.packed
      packed.length = this.length
      return packed
    }
    const copy = new ListValue(this.length)
    for (let i = 0; i < this.length; i++) copy.items[i] = this.items[(this.head + i) & this.mask]
    copy.length = this.length
    copy.elementBytes = this.elementBytes
    return copy
  }

  memoryUsage(): number {
    if (this.packed !== undefined) return LIST_PACKED_BYTES + stringBytes(this.packed.length)
    return LIST_BASE_BYTES + this.items.length * ARRAY_SLOT_BYTES + this.elementBytes
  }

  pushHead(element: string): void {
    if (this.packed !== undefined) {
      const pieces: Array<string> = []
      packedPieces(pieces, element)
      pieces.push(this.packed)
      if (this.setPacked(pieces, this.length + 1)) return
    }
    if (this.length === this.items.length) this.resize(this.items.length * 2)
    this.head = (this.head - 1) & this.mask
    this.items[this.head] = element
    this.length++
    this.elementBytes += stringBytes(element.length)
  }

  pushTail(element: string): void {
    if (this.packed !== undefined) {
      const pieces: Array<string> = [this.packed]
      packedPieces(pieces, element)
      if (this.setPacked(pieces, this.length + 1)) return
    }
    if (this.length === this.items.length) this.resize(this.items.length * 2)
    this.items[(this.head + this.length) & this.mask] = element
    this.length++
    this.elementBytes += stringBytes(element.length)
  }

  /** Removes and returns the first element (undefined when empty). */
  popHead(): string | undefined {
    const packed = this.packed
    if (packed !== undefined) {
      if (this.length === 0) return undefined
      readElement(packed, 0, bounds)
      const first = copyOut(packed, bounds.start, bounds.end)
      const rest = bounds.end + prefixSize(first.length)
      this.packed = copyOut(packed, rest, packed.length)
      this.length--
      return first
    }
    if (this.length === 0) return undefined
    const element = this.items[this.head]
    this.items[this.head] = undefined
    this.head = (this.head + 1) & this.mask
    this.length--
    this.elementBytes -= stringBytes(element!.length)
    this.shrinkIfSparse()
    return element
  }

  /** Removes and returns the last element (undefined when empty). */
  popTail(): string | undefined {
    const packed = this.packed
    if (packed !== undefined) {
      if (this.length === 0) return undefined
      const length = readSuffix(packed, packed.length)
      const end = packed.length - prefixSize(length)
      const last = copyOut(packed, end - length, end)
      this.packed = copyOut(packed, 0, end - length - prefixSize(length))
      this.length--
      return last
    }
    if (this.length === 0) return undefined
    const slot = (this.head + this.length - 1) & this.mask
    const element = this.items[slot]
    this.items[slot] = undefined
    this.length--
    this.elementBytes -= stringBytes(element!.length)
    this.shrinkIfSparse()
    return element
  }

  /** The element at `index` (0-based from the head; the caller keeps it within 0..length-1). */
  at(index: number): string {
    const packed = this.packed
    if (packed !== undefined) {
      readElement(packed, this.offsetOf(index), bounds)
      return packed.slice(bounds.start, bounds.end)
    }
    return this.items[(this.head + index) & this.mask] as string
  }

  /** Replaces the element at `index` (within 0..length-1). */
  setAt(index: number, element: string): void {
    const packed = this.packed
    if (packed !== undefined) {
      const at = this.offsetOf(index)
      const pieces = [packed.slice(0, at)]
      packedPieces(pieces, element)
      pieces.push(packed.slice(nextOffset(packed, at)))
      if (this.setPacked(pieces, this.length)) return
      return this.setAt(index, element)
    }
    const slot = (this.head + index) & this.mask
    this.elementBytes += stringBytes(element.length) - stringBytes(this.items[slot]!.length)
    this.items[slot] = element
  }

  /** Inserts `element` so that it ends up at `index` (0..length), moving the shorter side. */
  insertAt(index: number, element: string): void {
    const packed = this.packed
    if (packed !== undefined) {
      const at = index === this.length ? packed.length : this.offsetOf(index)
      const pieces = [packed.slice(0, at)]
      packedPieces(pieces, element)
      pieces.push(packed.slice(at))
      if (this.setPacked(pieces, this.length + 1)) return
    }
    if (this.length === this.items.length) this.resize(this.items.length * 2)
    const items = this.items
    const mask = this.mask
    if (index < this.length - index) {
      // Shift the first `index` elements one slot towards the head.
      this.head = (this.head - 1) & mask
      for (let i = 0; i < index; i++) items[(this.head + i) & mask] = items[(this.head + i + 1) & mask]
    } else {
      for (let i = this.length; i > index; i--) items[(this.head + i) & mask] = items[(this.head + i - 1) & mask]
    }
    items[(this.head + index) & mask] = element
    this.length++
    this.elementBytes += stringBytes(element.length)
  }

  /** Index of the first element equal to `element`, or -1. */
  indexOf(element: string): number {
    if (this.packed !== undefined) {
      const elements = this.toArray()
      return elements.indexOf(element)
    }
    for (let i = 0; i < this.length; i++) if (this.items[(this.head + i) & this.mask] === element) return i
    return -1
  }

  /**
   * Removes up to `limit` elements equal to `element` (0: all), searching from the head, or from
   * the tail when `fromTail`; the number removed. One pass: survivors are compacted in place.
   */
  remove(element: string, limit: number, fromTail: boolean): number {
    if (this.packed !== undefined) {
      const elements = this.toArray()
      let removed = 0
      const kept: Array<string> = []
      const n = elements.length
      for (let k = 0; k < n; k++) {
        const i = fromTail ? n - 1 - k : k
        if (elements[i] === element && (limit === 0 || removed < limit)) removed++
        else kept.push(elements[i])
      }
      if (fromTail) kept.reverse()
      if (removed > 0) this.setPacked(kept.flatMap((value) => [lengthPrefix(value.length), value, lengthSuffix(value.length)]), n - removed)
      return removed
    }
    const items = this.items
    const mask = this.mask
    const n = this.length
    let removed = 0
    if (!fromTail) {
      let write = 0
      for (let read = 0; read < n; read++) {
        const value = items[(this.head + read) & mask]
        if (value === element && (limit === 0 || removed < limit)) removed++
        else items[(this.head + write++) & mask] = value
      }
      for (let i = write; i < n; i++) items[(this.head + i) & mask] = undefined
    } else {
      let write = n - 1
      for (let read = n - 1; read >= 0; read--) {
        const value = items[(this.head + read) & mask]
        if (value === element && (limit === 0 || removed < limit)) removed++
        else items[(this.head + write--) & mask] = value
      }
      for (let i = 0; i <= write; i++) items[(this.head + i) & mask] = undefined
      this.head = (this.head + removed) & mask
    }
    this.length = n - removed
    this.elementBytes -= removed * stringBytes(element.length)
    this.shrinkIfSparse()
    return removed
  }

  /** Keeps only the elements from `start` to `end` inclusive (0 <= start <= end < length). */
  keepRange(start: number, end: number): void {
    const packed = this.packed
    if (packed !== undefined) {
      const from = this.offsetOf(start)
      const to = end + 1 === this.length ? packed.length : this.offsetOf(end + 1)
      this.packed = copyOut(packed, from, to)
      this.length = end - start + 1
      return
    }
    for (let i = 0; i < start; i++) this.drop((this.head + i) & this.mask)
    for (let i = end + 1; i < this.length; i++) this.drop((this.head + i) & this.mask)
    this.head = (this.head + start) & this.mask
    this.length = end - start + 1
    this.shrinkIfSparse()
  }

  /** Every element in order (tests and debugging). */
  toArray(): Array<string> {
    const packed = this.packed
    if (packed !== undefined) {
      const out: Array<string> = []
      for (let at = 0; at < packed.length; at = bounds.end + prefixSize(bounds.end - bounds.start)) {
        readElement(packed, at, bounds)
        out.push(packed.slice(bounds.start, bounds.end))
      }
      return out
    }
    const out: Array<string> = []
    for (let i = 0; i < this.length; i++) out.push(this.at(i))
    return out
  }

  /**
   * Makes the pieces the packed list of `length` elements; false (changing nothing) when that
   * would pass PACKED_MAX: the list is then a ring buffer, where the caller does its change.
   */
  private setPacked(pieces: Array<string>, length: number): boolean {
    let chars = 0
    for (let i = 0; i < pieces.length; i++) chars += pieces[i].length
    if (chars <= PACKED_MAX) {
      this.packed = joinPacked(pieces)
      this.length = length
      return true
    }
    const elements = this.toArray()
    this.makeRing(elements.length + 1)
    this.elementBytes = 0
    for (let i = 0; i < elements.length; i++) {
      const copy = copyOut(elements[i], 0, elements[i].length)
      this.items[i] = copy
      this.elementBytes += stringBytes(copy.length)
    }
    return false
  }

  /** The offset of element `index` (0..length-1) in the packed string, walked from the nearest known place. */
  private offsetOf(index: number): number {
    const packed = this.packed as string
    let at = 0
    let from = 0
    if (walkedList === this && walkedPacked === packed && Math.abs(walkedIndex - index) < Math.min(index, this.length - index)) {
      at = walkedOffset
      from = walkedIndex
    } else if (this.length - index < index) {
      at = packed.length
      from = this.length
    }
    for (; from < index; from++) at = nextOffset(packed, at)
    for (; from > index; from--) at = previousOffset(packed, at)
    walkedList = this
    walkedPacked = packed
    walkedIndex = index
    walkedOffset = at
    return at
  }

  /** Clears a slot whose element is going away. */
  private drop(slot: number): void {
    this.elementBytes -= stringBytes(this.items[slot]!.length)
    this.items[slot] = undefined
  }

  private shrinkIfSparse(): void {
    let capacity = this.items.length
    if (capacity === MIN_CAPACITY || this.length * 4 > capacity) return
    while (capacity > MIN_CAPACITY && this.length * 4 <= capacity) capacity /= 2
    this.resize(capacity)
  }

  /** Moves the elements into a new buffer of `capacity` slots, the head at slot 0. */
  private resize(capacity: number): void {
    const items = new Array<string | undefined>(capacity).fill(undefined)
    for (let i = 0; i < this.length; i++) items[i] = this.items[(this.head + i) & this.mask]
    this.items = items
    this.mask = capacity - 1
    this.head = 0
  }
}

/** The ring buffer of a packed list (never used: a list gets its own when it leaves packing). */
const EMPTY: Array<string | undefined> = []
