/**
 * A list value: a growable ring buffer of byte strings. Push and pop at either end are O(1)
 * amortized, reading or replacing the element at any index is O(1) (so LINDEX, LSET and LRANGE
 * never walk the list), inserting or removing in the middle moves only the shorter side.
 *
 * The capacity is a power of two so a position wraps with a mask. It doubles when full and
 * halves when three quarters are unused (never below `MIN_CAPACITY`), so memory follows the
 * length both ways. Freed slots are cleared so popped elements can be collected.
 *
 * Redis 7.0 keeps every list as a "quicklist" (listpack nodes came to lists in 7.2), whatever
 * its length or list-max-listpack-size, so that is the encoding reported.
 */
import type { CollectionValue } from "../Value.js"
import { ARRAY_SLOT_BYTES, LIST_BASE_BYTES, stringBytes } from "./memoryEstimate.js"

const MIN_CAPACITY = 8

export class ListValue implements CollectionValue {
  readonly type = "list" as const
  private items: Array<string | undefined>
  private mask: number
  /** Slot of the first element. */
  private head = 0
  /** Number of elements. */
  length = 0
  /** Heap bytes of the elements (see memoryEstimate.ts), kept by every mutator. */
  private elementBytes = 0

  constructor(capacity = MIN_CAPACITY) {
    let size = MIN_CAPACITY
    while (size < capacity) size *= 2
    this.items = new Array<string | undefined>(size).fill(undefined)
    this.mask = size - 1
  }

  /** A list holding `elements` in order. */
  static of(elements: ReadonlyArray<string>): ListValue {
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
    const copy = new ListValue(this.length)
    for (let i = 0; i < this.length; i++) copy.items[i] = this.items[(this.head + i) & this.mask]
    copy.length = this.length
    copy.elementBytes = this.elementBytes
    return copy
  }

  memoryUsage(): number {
    return LIST_BASE_BYTES + this.items.length * ARRAY_SLOT_BYTES + this.elementBytes
  }

  pushHead(element: string): void {
    if (this.length === this.items.length) this.resize(this.items.length * 2)
    this.head = (this.head - 1) & this.mask
    this.items[this.head] = element
    this.length++
    this.elementBytes += stringBytes(element.length)
  }

  pushTail(element: string): void {
    if (this.length === this.items.length) this.resize(this.items.length * 2)
    this.items[(this.head + this.length) & this.mask] = element
    this.length++
    this.elementBytes += stringBytes(element.length)
  }

  /** Removes and returns the first element (undefined when empty). */
  popHead(): string | undefined {
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
    return this.items[(this.head + index) & this.mask] as string
  }

  /** Replaces the element at `index` (within 0..length-1). */
  setAt(index: number, element: string): void {
    const slot = (this.head + index) & this.mask
    this.elementBytes += stringBytes(element.length) - stringBytes(this.items[slot]!.length)
    this.items[slot] = element
  }

  /** Inserts `element` so that it ends up at `index` (0..length), moving the shorter side. */
  insertAt(index: number, element: string): void {
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
    for (let i = 0; i < this.length; i++) if (this.items[(this.head + i) & this.mask] === element) return i
    return -1
  }

  /**
   * Removes up to `limit` elements equal to `element` (0: all), searching from the head, or from
   * the tail when `fromTail`; the number removed. One pass: survivors are compacted in place.
   */
  remove(element: string, limit: number, fromTail: boolean): number {
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
    for (let i = 0; i < start; i++) this.drop((this.head + i) & this.mask)
    for (let i = end + 1; i < this.length; i++) this.drop((this.head + i) & this.mask)
    this.head = (this.head + start) & this.mask
    this.length = end - start + 1
    this.shrinkIfSparse()
  }

  /** Every element in order (tests and debugging). */
  toArray(): Array<string> {
    const out: Array<string> = []
    for (let i = 0; i < this.length; i++) out.push(this.at(i))
    return out
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
