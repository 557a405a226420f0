/**
 * A hash value, in the encoding Redis would have chosen. Redis keeps a small hash as a
 * "listpack" and converts it, once and for good, into a "hashtable" when a field or value is
 * longer than hash-max-listpack-value or it gets more fields than hash-max-listpack-entries; the
 * commands decide when (see commands/hashes/shared.ts) by clearing `listpack`.
 *
 * A listpack hash is packed like one: a single byte string of field, value, field, value...
 * (see PackedEntries.ts), searched linearly (O(n) on at most hash-max-listpack-entries fields, as
 * in Redis). New fields go at the end and an updated field keeps its place, so HGETALL and HSCAN
 * answer in Redis's order. A hashtable hash is a native Map, which keeps the same order; its
 * live iterators give HSCAN cursors their guarantee (see keyspace/ScanCursors.ts).
 *
 * `fields` is a read-only Map view of either: the Map itself, or a view over the packed string.
 *
 * Random fields (HRANDFIELD): a packed hash walks to a random index (exactly uniform). A Map has
 * no O(1) "entry at index i", so a hashtable's come from a snapshot array of its fields, as
 * RandomKey.ts does for keys, rebuilt after changes to half its size: O(1) amortized at the cost
 * of a bias (fields added since the snapshot are not picked until the next rebuild).
 */
import type { CollectionValue } from "../Value.js"
import { HASH_BASE_BYTES, HASH_PACKED_BYTES, MAP_ENTRY_BYTES, stringBytes } from "./memoryEstimate.js"
import { copyOut, type ElementCursor, findPair, joinPacked, lengthPrefix, readElement, sameCharsAt } from "./PackedEntries.js"

/** Picks from a snapshot before it is rebuilt because too many of its fields are gone. */
const TRIES = 8

/** A hashtable-encoded hash: the Map and what its random picks and memory estimate need. */
class HashTable {
  /** Fields added or removed since the random-pick snapshot was taken. */
  changes = 0
  snapshot: Array<string> | undefined = undefined
  /** Heap bytes of the entries (see memoryEstimate.ts), kept by `set` and `delete`. */
  entryBytes = 0

  constructor(readonly map: Map<string, string>) {
    for (const [field, value] of map) this.entryBytes += entryBytes(field, value)
  }
}

// Scratch bounds for the linear searches (the server runs one command at a time).
const fieldAt: ElementCursor = { start: 0, end: 0 }
const valueAt: ElementCursor = { start: 0, end: 0 }

/** Finds `field` in a packed hash: its entry begins at the result (-1: absent), bounds in fieldAt/valueAt. */
const findPacked = (packed: string, field: string): number => findPair(packed, field, fieldAt, valueAt)

/** The value of `field` in a packed hash, undefined when absent. */
const packedValue = (packed: string, field: string): string | undefined =>
  findPacked(packed, field) < 0 ? undefined : packed.slice(valueAt.start, valueAt.end)

export class HashValue implements CollectionValue {
  get type(): "hash" {
    return "hash"
  }
  /** The listpack encoding's entries (empty once a hashtable). */
  private packed = ""
  /** Fields of the packed string. */
  private count = 0
  /** The hashtable encoding, once converted. */
  private table: HashTable | undefined

  /** A hashtable of `fields` (which is the hash's from now on), or an empty listpack. */
  constructor(fields?: Map<string, string>) {
    if (fields !== undefined) this.table = new HashTable(fields)
  }

  /** Whether the hash is listpack-encoded; setting it converts between the two. */
  get listpack(): boolean {
    return this.table === undefined
  }

  set listpack(listpack: boolean) {
    if (listpack === (this.table === undefined)) return
    if (listpack) {
      const map = (this.table as HashTable).map
      const pieces: Array<string> = []
      for (const [field, value] of map) pieces.push(lengthPrefix(field.length), field, lengthPrefix(value.length), value)
      this.packed = joinPacked(pieces)
      this.count = map.size
      this.table = undefined
    } else {
      // Flat copies: slices would keep the whole packed string alive.
      const map = new Map<string, string>()
      for (const [field, value] of new PackedFields(this.packed, this.count)) {
        map.set(copyOut(field, 0, field.length), copyOut(value, 0, value.length))
      }
      this.table = new HashTable(map)
      this.packed = ""
      this.count = 0
    }
  }

  /** The fields and values, read-only: use `set` and `delete` to change them. */
  get fields(): ReadonlyMap<string, string> {
    return this.table === undefined ? new PackedFields(this.packed, this.count) : this.table.map
  }

  /** The value of `field`, undefined when absent: `fields.get` without a view of a packed hash. */
  get(field: string): string | undefined {
    const table = this.table
    return table !== undefined ? table.map.get(field) : packedValue(this.packed, field)
  }

  /** Whether `field` is in the hash (`fields.has` without a view). */
  has(field: string): boolean {
    const table = this.table
    return table !== undefined ? table.map.has(field) : findPacked(this.packed, field) >= 0
  }

  encoding(): string {
    return this.table === undefined ? "listpack" : "hashtable"
  }

  /** Redis duplicates a hash with its encoding. */
  clone(): HashValue {
    const copy = new HashValue(this.table === undefined ? undefined : new Map(this.table.map))
    copy.packed = this.packed
    copy.count = this.count
    return copy
  }

  memoryUsage(): number {
    return this.table === undefined
      ? HASH_PACKED_BYTES + stringBytes(this.packed.length)
      : HASH_BASE_BYTES + this.table.entryBytes
  }

  get size(): number {
    return this.table === undefined ? this.count : this.table.map.size
  }

  /** Sets a field; true when it is new. */
  set(field: string, value: string): boolean {
    const table = this.table
    if (table === undefined) {
      const packed = this.packed
      if (findPacked(packed, field) < 0) {
        this.packed = joinPacked([packed, lengthPrefix(field.length), field, lengthPrefix(value.length), value])
        this.count++
        return true
      }
      // The same value again (a common overwrite) leaves the packed string as it is.
      if (valueAt.end - valueAt.start !== value.length || !sameCharsAt(packed, valueAt.start, value)) {
        this.packed = joinPacked([packed.slice(0, fieldAt.end), lengthPrefix(value.length), value, packed.slice(valueAt.end)])
      }
      return false
    }
    const fields = table.map
    const old = fields.get(field)
    if (old !== undefined) {
      // The same value again leaves the entry as it is: no second Map lookup, no new string kept.
      if (old === value) return false
      fields.set(field, value)
      table.entryBytes += stringBytes(value.length) - stringBytes(old.length)
      return false
    }
    fields.set(field, value)
    table.entryBytes += entryBytes(field, value)
    table.changes++
    return true
  }

  /** Removes a field; true when it was there. */
  delete(field: string): boolean {
    const table = this.table
    if (table === undefined) {
      const packed = this.packed
      const at = findPacked(packed, field)
      if (at < 0) return false
      this.packed = this.count === 1 ? "" : joinPacked([packed.slice(0, at), packed.slice(valueAt.end)])
      this.count--
      return true
    }
    const old = table.map.get(field)
    if (old === undefined) return false
    table.map.delete(field)
    table.entryBytes -= entryBytes(field, old)
    table.changes++
    return true
  }

  /** A randomly chosen field (the hash must not be empty). */
  randomField(): string {
    const table = this.table
    if (table === undefined) {
      const packed = this.packed
      let at = 0
      for (let skip = Math.floor(Math.random() * this.count); skip > 0; skip--) {
        readElement(packed, at, fieldAt)
        readElement(packed, fieldAt.end, valueAt)
        at = valueAt.end
      }
      readElement(packed, at, fieldAt)
      return packed.slice(fieldAt.start, fieldAt.end)
    }
    const fields = table.map
    let snapshot = table.snapshot
    if (snapshot !== undefined && table.changes <= snapshot.length / 2) {
      for (let i = 0; i < TRIES; i++) {
        const field = snapshot[Math.floor(Math.random() * snapshot.length)]
        if (fields.has(field)) return field
      }
    }
    snapshot = Array.from(fields.keys())
    table.snapshot = snapshot
    table.changes = 0
    return snapshot[Math.floor(Math.random() * snapshot.length)]
  }
}

/** A read-only Map view of a packed hash, as it was when the view was made. */
class PackedFields implements ReadonlyMap<string, string> {
  constructor(private readonly packed: string, readonly size: number) {}

  get(field: string): string | undefined {
    return packedValue(this.packed, field)
  }

  has(field: string): boolean {
    return findPacked(this.packed, field) >= 0
  }

  forEach(visit: (value: string, field: string, map: ReadonlyMap<string, string>) => void): void {
    for (const [field, value] of this.entries()) visit(value, field, this)
  }

  *entries(): MapIterator<[string, string]> {
    const packed = this.packed
    const field: ElementCursor = { start: 0, end: 0 }
    const value: ElementCursor = { start: 0, end: 0 }
    for (let at = 0; at < packed.length; at = value.end) {
      readElement(packed, at, field)
      readElement(packed, field.end, value)
      yield [packed.slice(field.start, field.end), packed.slice(value.start, value.end)]
    }
  }

  *keys(): MapIterator<string> {
    for (const [field] of this.entries()) yield field
  }

  *values(): MapIterator<string> {
    for (const [, value] of this.entries()) yield value
  }

  [Symbol.iterator](): MapIterator<[string, string]> {
    return this.entries()
  }
}

const entryBytes = (field: string, value: string): number =>
  MAP_ENTRY_BYTES + stringBytes(field.length) + stringBytes(value.length)
