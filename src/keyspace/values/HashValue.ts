/**
 * A hash value: a native Map from field to value (byte strings), plus the encoding Redis would
 * have chosen. Redis keeps a small hash as a "listpack" and converts it, once and for good, into
 * a "hashtable" when a field or value is longer than hash-max-listpack-value or it gets more
 * fields than hash-max-listpack-entries; the commands decide when (see commands/hashes/shared.ts)
 * and this object only remembers it.
 *
 * A Map keeps insertion order, which is exactly a listpack's order (new fields at the end, an
 * updated field keeps its place), so HGETALL and HSCAN of a small hash answer in Redis's order.
 * Its live iterators give HSCAN cursors their guarantee (see keyspace/ScanCursors.ts).
 *
 * Random fields (HRANDFIELD) come from a snapshot array of the fields, as RandomKey.ts does for
 * keys: a Map has no O(1) "entry at index i". A small hash's snapshot is rebuilt after any change
 * (at most `EXACT_LIMIT` steps), so its picks are exactly uniform; a large one's after changes
 * to half its size, which makes a pick O(1) amortized at the cost of a bias: fields added since
 * the snapshot are not picked until the next rebuild, as with RANDOMKEY.
 */
import type { CollectionValue } from "../Value.js"
import { HASH_BASE_BYTES, MAP_ENTRY_BYTES, stringBytes } from "./memoryEstimate.js"

/** Hashes up to this size rebuild their random-pick snapshot after any change. */
const EXACT_LIMIT = 128
/** Picks from a snapshot before it is rebuilt because too many of its fields are gone. */
const TRIES = 8

export class HashValue implements CollectionValue {
  readonly type = "hash" as const
  /** False once converted to "hashtable" (never converted back, as in Redis). */
  listpack = true
  /** Fields added or removed since the random-pick snapshot was taken. */
  private changes = 0
  private snapshot: Array<string> | undefined = undefined
  /** Heap bytes of the entries (see memoryEstimate.ts), kept by `set` and `delete`. */
  private entryBytes = 0

  /** `fields` is the hash's from now on: change it only through `set` and `delete`. */
  constructor(readonly fields: Map<string, string> = new Map()) {
    for (const [field, value] of fields) this.entryBytes += entryBytes(field, value)
  }

  encoding(): string {
    return this.listpack ? "listpack" : "hashtable"
  }

  /** Redis duplicates a hash with its encoding. */
  clone(): HashValue {
    const copy = new HashValue(new Map(this.fields))
    copy.listpack = this.listpack
    return copy
  }

  memoryUsage(): number {
    return HASH_BASE_BYTES + this.entryBytes
  }

  get size(): number {
    return this.fields.size
  }

  /** Sets a field; true when it is new. */
  set(field: string, value: string): boolean {
    const fields = this.fields
    const old = fields.get(field)
    fields.set(field, value)
    if (old !== undefined) {
      this.entryBytes += stringBytes(value.length) - stringBytes(old.length)
      return false
    }
    this.entryBytes += entryBytes(field, value)
    this.changes++
    return true
  }

  /** Removes a field; true when it was there. */
  delete(field: string): boolean {
    const old = this.fields.get(field)
    if (old === undefined) return false
    this.fields.delete(field)
    this.entryBytes -= entryBytes(field, old)
    this.changes++
    return true
  }

  /** A randomly chosen field (the hash must not be empty). */
  randomField(): string {
    const fields = this.fields
    let snapshot = this.snapshot
    if (snapshot !== undefined && this.changes <= (snapshot.length <= EXACT_LIMIT ? 0 : snapshot.length / 2)) {
      for (let i = 0; i < TRIES; i++) {
        const field = snapshot[Math.floor(Math.random() * snapshot.length)]
        if (fields.has(field)) return field
      }
    }
    snapshot = Array.from(fields.keys())
    this.snapshot = snapshot
    this.changes = 0
    return snapshot[Math.floor(Math.random() * snapshot.length)]
  }
}

const entryBytes = (field: string, value: string): number =>
  MAP_ENTRY_BYTES + stringBytes(field.length) + stringBytes(value.length)
