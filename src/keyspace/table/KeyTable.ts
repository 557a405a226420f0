/**
 * One database's keys: a chained hash table like Redis's `dict` (power-of-two bucket array,
 * incremental rehashing between two tables, reverse-binary SCAN cursors), whose entries are
 * records in an `Arena` instead of objects on the JS heap.
 *
 * A record (see Record.ts) holds everything about a key in one place: its hash's top bits, its
 * bytes, its flags and, for a short string, the value's bytes too — so a lookup touches a bucket
 * and one record, and 1 M keys are a few slabs the garbage collector never has to trace. Values that are
 * not short strings (long strings, lists, hashes, ...) stay JS values, in `heap`, by index.
 *
 * Refs stay valid until the key is deleted or its value outgrows the record (`put` then moves
 * it); rehashing relinks records, it never moves them.
 *
 * `snapshot()` freezes the table for a point-in-time reader (TableSnapshot): slabs, bucket
 * arrays, the heap array and the TTL list are then shared copy-on-write — every write below goes
 * through `writable(ref)` or copies the shared array it is about to change, once.
 */
import type { AccessClock } from "../AccessClock.js"
import { Arena, classOf, classSize, MAX_RECORD_BYTES } from "./Arena.js"
import { hashBytes, hashKey } from "./KeyHash.js"
import { MemoryLedger } from "./MemoryLedger.js"
import {
  ACCESS,
  CLASS_MASK,
  ENCODING_MASK,
  ENCODING_SHIFT,
  HAS_EXPIRE,
  HEADER_BYTES,
  HEAP_CHUNK_BITS,
  HEAP_CHUNK_MASK,
  HEAP_CHUNK_SLOTS,
  heapSlot,
  IDENTITY_MASK,
  identityOf,
  KEY_HEAP_INDEX,
  KEY_ON_HEAP,
  keyLengthOf,
  KIND_HEAP_STRING,
  KIND_INLINE,
  KIND_MASK,
  KIND_OBJECT,
  KIND_SHIFT,
  META,
  NEXT,
  readKey,
  readValue,
  VALUE,
  VOLATILE_POS
} from "./Record.js"
import { TableSnapshot } from "./TableSnapshot.js"

export { KIND_HEAP_STRING, KIND_INLINE, KIND_OBJECT } from "./Record.js"

/** Keys longer than this live on the heap (with their value), so records stay small. */
const MAX_INLINE_KEY = 1024
const INITIAL_BUCKETS = 4
/** Redis's HASHTABLE_MIN_FILL: below 1/10 full, the table shrinks. */
const MIN_FILL_DIVISOR = 10
/** Empty buckets one rehash step may skip (Redis visits at most 10 per bucket moved). */
const EMPTY_VISITS_PER_STEP = 10
/** While a snapshot is read, a resize (which would touch every record) waits unless the table is this overfull (Redis's dict_force_resize_ratio). */
const FORCE_RESIZE_RATIO = 5

const emptyBuckets = (count: number): Int32Array => new Int32Array(count).fill(-1)

const nextPowerOfTwo = (n: number): number => {
  let size = INITIAL_BUCKETS
  while (size < n) size *= 2
  return size
}

/** Bit-reversal of a 32-bit int (for SCAN cursors). */
const reverseBits = (v: number): number => {
  v = ((v >>> 1) & 0x55555555) | ((v & 0x55555555) << 1)
  v = ((v >>> 2) & 0x33333333) | ((v & 0x33333333) << 2)
  v = ((v >>> 4) & 0x0f0f0f0f) | ((v & 0x0f0f0f0f) << 4)
  v = ((v >>> 8) & 0x00ff00ff) | ((v & 0x00ff00ff) << 8)
  return ((v >>> 16) | (v << 16)) >>> 0
}

/**
 * Snapshot epochs: a snapshot takes the current epoch and moves it on, so "born at or before the
 * snapshot's epoch" means "a snapshot may hold it" and must get a copy before it changes. Only
 * what happens while a snapshot is read is stamped (a WeakMap entry per stored object would cost
 * ~40 bytes a key): an object stored for the first time then gets the current epoch (no copy
 * needed); one that leaves a table then, unstamped, gets 0, so that if it is stored again (RENAME,
 * MOVE) it is still known as one the snapshot may hold. No stamp reads as 0: stored before.
 */
let currentEpoch = 0
const bornIn = new WeakMap<object, number>()

/** A new epoch for a snapshot of every table taken together. */
export const nextSnapshotEpoch = (): number => currentEpoch++

/** A value kept on the heap that estimates its own size (a CollectionValue). */
interface SizedValue {
  memoryUsage(): number
}

/** What a value object stored here costs (see MemoryLedger); 0 for an object without an estimate. */
const estimateOf = (value: unknown): number => (value as Partial<SizedValue>).memoryUsage?.() ?? 0

/** A string kept on the heap besides its bytes: its header (see src/keyspace/values/memoryEstimate.ts). */
const HEAP_STRING_HEADER = 16

/** Where an inline value's bytes are (filled by `inlineValue`, reused to avoid allocation). */
export interface InlineBytes {
  bytes: Buffer
  start: number
  length: number
}

export class KeyTable {
  readonly arena = new Arena()

  constructor(
    private readonly access: AccessClock,
    /** Shared by a keyspace's tables: which of them have collections to settle. */
    private readonly ledger: MemoryLedger = new MemoryLedger()
  ) {}

  /** Long strings, long keys and collection values, by index; freed indexes are reused. */
  private heap: Array<Array<unknown>> = []
  /** Slots handed out so far (freed ones included): the next new slot. */
  private heapSlots = 0
  private readonly freeHeapSlots: Array<number> = []
  /**
   * While a snapshot reads the heap and this table has copied the chunk array (`heapShared` then
   * false): the chunks copied too, which writes may change in place.
   */
  private copiedHeapChunks: Set<number> | undefined = undefined
  /** Bytes of the strings kept in `heap` (for memory accounting), and how many there are. */
  heapStringBytes = 0
  heapStrings = 0
  /** The estimates (`memoryUsage`) of the collection values stored, as last accounted. */
  objectBytes = 0
  /**
   * Collections whose estimate may have changed since accounted, with the bytes accounted for
   * them: the first in two fields (most commands change one collection: no Map work, no
   * allocation), any others in a Map.
   */
  private firstUnsettled: unknown = undefined
  private firstAccounted = 0
  private readonly moreUnsettled = new Map<unknown, number>()
  private t0: Int32Array = emptyBuckets(INITIAL_BUCKETS)
  /** The table being rehashed into, or null. */
  private t1: Int32Array | null = null
  /** The next bucket of `t0` to move into `t1`, or -1 when not rehashing. */
  private rehashIndex = -1
  /** Iterations in progress (KEYS, SCAN's bucket walks): rehashing waits, so nothing is seen twice. */
  private rehashPauses = 0
  size = 0

  /** Every key with a TTL, densely, for the active expiry cycle; each record knows its position. */
  private volatileRefs = new Int32Array(16)
  /** The expiry (Unix ms) of the key at the same position in `volatileRefs`. */
  private volatileExpires = new Float64Array(16)
  volatileCount = 0

  /** The snapshot reading this table, if any; the arrays it shares are copied before a write. */
  private reader: TableSnapshot | undefined = undefined
  private bucketsShared = false
  private heapShared = false
  private volatileShared = false

  /**
   * The key `find` found last and its record, so that `willModify` right after a command's
   * lookup does not hash and probe again (`findRecent`). Forgotten when a record is freed or
   * moved, the only changes that end a ref's validity.
   */
  private recentKey: string | undefined = undefined
  private recentRef = -1

  /** Where `find` found its record: the previous record in the chain (-1: the bucket itself). */
  private foundPrevious = -1
  private foundInT1 = false
  private foundBucket = 0

  // ---------------------------------------------------------------------------- lookup

  /**
   * The last key hashed and its hash: a command often looks a key up and then writes it (INCR
   * of a new key, SET after its expiry check), and the second hash is then free.
   */
  private memoKey = ""
  private memoHash = hashKey("")

  private hashOf(key: string): number {
    if (key === this.memoKey) return this.memoHash
    const hash = hashKey(key)
    this.memoKey = key
    this.memoHash = hash
    return hash
  }

  /** The record of `key`, or -1. */
  find(key: string): number {
    return this.findHashed(key, this.hashOf(key))
  }

  private findHashed(key: string, hash: number): number {
    if (this.rehashIndex >= 0 && this.rehashPauses === 0) this.rehashStep()
    const ref = this.findIn(this.t0, false, key, hash)
    return ref !== -1 || this.t1 === null ? ref : this.findIn(this.t1, true, key, hash)
  }

  private findIn(table: Int32Array, inT1: boolean, key: string, hash: number): number {
    const bucket = hash & (table.length - 1)
    const length = key.length
    const identity = identityOf(length > MAX_INLINE_KEY ? 0 : length, hash)
    const arena = this.arena
    let previous = -1
    let ref = table[bucket]
    while (ref !== -1) {
      const words = arena.words[ref >>> 17]
      const w = (ref & 0x1ffff) << 1
      if ((words[w + META] & IDENTITY_MASK) === identity) {
        let equal: boolean
        if ((words[w + META] & KEY_ON_HEAP) !== 0) {
          equal = heapSlot(this.heap, words[w + KEY_HEAP_INDEX]) === key
        } else {
          const bytes = arena.bytes[ref >>> 17]
          const start = (w << 2) + HEADER_BYTES
          let i = 0
          while (i < length && bytes[start + i] === key.charCodeAt(i)) i++
          equal = i === length
        }
        if (equal) {
          this.foundPrevious = previous
          this.foundInT1 = inT1
          this.foundBucket = bucket
          this.recentKey = key
          this.recentRef = ref
          return ref
        }
      }
      previous = ref
      ref = words[w + NEXT]
    }
    return -1
  }

  /** `find`, answered at once when `key` is the key found last (see `recentKey`). */
  findRecent(key: string): number {
    return key === this.recentKey ? this.recentRef : this.find(key)
  }

  // ---------------------------------------------------------------------------- reading a record

  keyOf(ref: number): string {
    return readKey(this.arena, this.heap, ref)
  }

  kindOf(ref: number): number {
    return (this.arena.words[ref >>> 17][((ref & 0x1ffff) << 1) + META] & KIND_MASK) >> KIND_SHIFT
  }

  /** The value: a byte string, or the object kept on the heap. */
  valueOf(ref: number): unknown {
    return readValue(this.arena, this.heap, ref)
  }

  /** Where an inline value's bytes are, written into `into`. */
  inlineValue(ref: number, into: InlineBytes): void {
    const words = this.arena.words[ref >>> 17]
    const w = (ref & 0x1ffff) << 1
    into.bytes = this.arena.bytes[ref >>> 17]
    into.start = (w << 2) + HEADER_BYTES + keyLengthOf(words[w + META])
    into.length = words[w + VALUE]
  }

  /** Length in bytes of a string value (inline or on the heap). */
  stringLength(ref: number): number {
    const words = this.arena.words[ref >>> 17]
    const w = (ref & 0x1ffff) << 1
    return (words[w + META] & KIND_MASK) === KIND_INLINE
      ? words[w + VALUE]
      : (heapSlot(this.heap, words[w + VALUE]) as string).length
  }

  /**
   * The safe integer an inline string value spells as Redis's string2ll reads it (optional '-',
   * no leading zero, no sign on 0), read from the record's bytes without making a string; NaN for
   * another kind of value, other text, or a value past 2^53 (the general path reads those).
   */
  inlineInteger(ref: number): number {
    const words = this.arena.words[ref >>> 17]
    const w = (ref & 0x1ffff) << 1
    const meta = words[w + META]
    const length = words[w + VALUE]
    if ((meta & KIND_MASK) !== KIND_INLINE || length === 0 || length > 17) return NaN
    const bytes = this.arena.bytes[ref >>> 17]
    let at = (w << 2) + HEADER_BYTES + keyLengthOf(meta)
    const end = at + length
    const negative = bytes[at] === 45 // '-'
    if (negative && ++at === end) return NaN
    let code = bytes[at]
    if (code === 48) return at + 1 === end && !negative ? 0 : NaN
    let value = 0
    for (; at < end; at++) {
      code = bytes[at]
      if (code < 48 || code > 57) return NaN
      value = value * 10 + (code - 48)
    }
    if (value > Number.MAX_SAFE_INTEGER) return NaN
    return negative ? -value : value
  }

  /** The expiry (Unix ms), or undefined for a key without one. */
  expireAt(ref: number): number | undefined {
    const words = this.arena.words[ref >>> 17]
    const w = (ref & 0x1ffff) << 1
    return (words[w + META] & HAS_EXPIRE) === 0 ? undefined : this.volatileExpires[words[w + VOLATILE_POS]]
  }

  /** Counts an access to the live record `ref` (skipped while a snapshot shares the slabs, as Redis skips it in a fork). */
  touch(ref: number): void {
    if (this.reader !== undefined) return
    const words = this.arena.words[ref >>> 17]
    const at = ((ref & 0x1ffff) << 1) + ACCESS
    words[at] = this.access.touched(words[at])
  }

  /** The record's access stamp (see AccessClock). */
  accessStamp(ref: number): number {
    return this.arena.words[ref >>> 17][((ref & 0x1ffff) << 1) + ACCESS]
  }

  /** Replaces the record's access stamp (RESTORE's IDLETIME and FREQ). */
  setAccessStamp(ref: number, stamp: number): void {
    this.writable(ref)[((ref & 0x1ffff) << 1) + ACCESS] = stamp
  }

  /** The record's 2-bit string-encoding note (see Database's StringEncodingOverride). */
  encodingNote(ref: number): number {
    return (this.arena.words[ref >>> 17][((ref & 0x1ffff) << 1) + META] & ENCODING_MASK) >> ENCODING_SHIFT
  }

  setEncodingNote(ref: number, note: number): void {
    const words = this.writable(ref)
    const at = ((ref & 0x1ffff) << 1) + META
    words[at] = (words[at] & ~ENCODING_MASK) | (note << ENCODING_SHIFT)
  }

  // ---------------------------------------------------------------------------- writing

  /**
   * Stores `value` (a byte string or an object) at `key`, keeping the key's TTL only when
   * `keepExpire`, and clearing the encoding note. Returns the record.
   */
  put(key: string, value: unknown, keepExpire: boolean): number {
    const hash = this.hashOf(key)
    const ref = this.findHashed(key, hash)
    if (ref === -1) return this.insert(key, hash, value)
    return this.overwrite(ref, value, keepExpire, true)
  }

  /**
   * Replaces the value of record `ref` (a `find` just returned it, nothing written since),
   * keeping its TTL. Returns the record, which moved if the value outgrew it.
   */
  replace(ref: number, value: unknown): number {
    return this.overwrite(ref, value, true, false)
  }

  /**
   * `replace` with the decimal text of the safe integer `value`, written as digits straight into
   * the record when it is inline and its size class holds them (no string is made: INCR's hot
   * path); false, with nothing changed, otherwise.
   */
  replaceWithDigits(ref: number, value: number): boolean {
    const w = (ref & 0x1ffff) << 1
    const meta = this.arena.words[ref >>> 17][w + META]
    if ((meta & (KIND_MASK | KEY_ON_HEAP)) !== 0) return false
    let magnitude = value < 0 ? -value : value
    let digits = value < 0 ? 2 : 1
    for (let rest = magnitude; rest >= 10; rest = Math.floor(rest / 10)) digits++
    const valueOffset = HEADER_BYTES + keyLengthOf(meta)
    if (valueOffset + digits > classSize(meta & CLASS_MASK)) return false
    const start = (w << 2) + valueOffset
    // As `overwrite` does for any new value: the encoding note goes, the LRU clock restarts.
    const words = this.writable(ref)
    words[w + META] = meta & ~ENCODING_MASK
    if (!this.access.lfu) words[w + ACCESS] = this.access.initial()
    words[w + VALUE] = digits
    const bytes = this.arena.bytes[ref >>> 17]
    let at = start + digits
    do {
      bytes[--at] = 48 + (magnitude % 10)
      magnitude = Math.floor(magnitude / 10)
    } while (magnitude > 0)
    if (value < 0) bytes[start] = 45 // '-'
    return true
  }

  /** Removes `key`; false when there was none. */
  remove(key: string): boolean {
    const ref = this.find(key)
    if (ref === -1) return false
    this.removeFound(ref)
    return true
  }

  /** Removes the record `ref` (from the sweeper or RANDOMKEY, which hold a ref, not a lookup). */
  removeRef(ref: number): void {
    this.locate(ref)
    this.removeFound(ref)
  }

  setExpire(ref: number, at: number): void {
    const words = this.writable(ref)
    const w = (ref & 0x1ffff) << 1
    this.writableVolatile()
    if ((words[w + META] & HAS_EXPIRE) === 0) {
      if (this.volatileCount === this.volatileRefs.length) {
        const refs = new Int32Array(this.volatileRefs.length * 2)
        refs.set(this.volatileRefs)
        this.volatileRefs = refs
        const expires = new Float64Array(refs.length)
        expires.set(this.volatileExpires)
        this.volatileExpires = expires
      }
      this.volatileRefs[this.volatileCount] = ref
      words[w + VOLATILE_POS] = this.volatileCount++
      words[w + META] |= HAS_EXPIRE
    }
    this.volatileExpires[words[w + VOLATILE_POS]] = at
  }

  /** Removes the TTL; false when there was none. */
  clearExpire(ref: number): boolean {
    if ((this.arena.words[ref >>> 17][((ref & 0x1ffff) << 1) + META] & HAS_EXPIRE) === 0) return false
    const words = this.writable(ref)
    const w = (ref & 0x1ffff) << 1
    this.unlinkVolatile(words[w + VOLATILE_POS])
    words[w + META] &= ~HAS_EXPIRE
    return true
  }

  // ---------------------------------------------------------------------------- walking

  /** Every key (for KEYS and the like: O(n), as they are). */
  keys(): Array<string> {
    const keys: Array<string> = []
    this.forEachRef((ref) => keys.push(this.keyOf(ref)))
    return keys
  }

  /** Calls `visit` for every record; `visit` must not add or remove keys. */
  forEachRef(visit: (ref: number) => void): void {
    this.rehashPauses++
    try {
      this.visitTable(this.t0, visit)
      if (this.t1 !== null) this.visitTable(this.t1, visit)
    } finally {
      this.rehashPauses--
    }
  }

  /**
   * One step of SCAN, Redis's `dictScan`: visits the bucket(s) at `cursor` and returns the next
   * cursor (0 when the walk is complete). A key present for the whole walk is visited at least
   * once, across resizes, because cursors advance by reversed bits.
   */
  scanStep(cursor: number, visit: (ref: number) => void): number {
    let v = cursor >>> 0
    this.rehashPauses++
    try {
      if (this.t1 === null) {
        const mask = this.t0.length - 1
        this.visitChain(this.t0[v & mask], visit)
        v = (v | ~mask) >>> 0
      } else {
        let small = this.t0
        let large = this.t1
        if (small.length > large.length) [small, large] = [large, small]
        const smallMask = small.length - 1
        const largeMask = large.length - 1
        this.visitChain(small[v & smallMask], visit)
        // Then every bucket of the larger table that expands the smaller one's bucket.
        do {
          this.visitChain(large[v & largeMask], visit)
          v = (v | ~largeMask) >>> 0
          v = reverseBits(v)
          v = (v + 1) >>> 0
          v = reverseBits(v)
        } while ((v & (smallMask ^ largeMask)) !== 0)
        return v
      }
    } finally {
      this.rehashPauses--
    }
    v = reverseBits(v)
    v = (v + 1) >>> 0
    return reverseBits(v)
  }

  /** A random record (Redis's `dictGetRandomKey`: a random non-empty bucket, then a random entry), or -1. */
  randomRef(): number {
    if (this.size === 0) return -1
    if (this.rehashIndex >= 0 && this.rehashPauses === 0) this.rehashStep()
    let head = -1
    if (this.t1 !== null) {
      const t1 = this.t1
      const span = this.t0.length + t1.length - this.rehashIndex
      while (head === -1) {
        const at = this.rehashIndex + Math.floor(Math.random() * span)
        head = at >= this.t0.length ? t1[at - this.t0.length] : this.t0[at]
      }
    } else {
      const t0 = this.t0
      while (head === -1) head = t0[Math.floor(Math.random() * t0.length)]
    }
    let length = 0
    for (let ref = head; ref !== -1; ref = this.nextOf(ref)) length++
    let ref = head
    for (let skip = Math.floor(Math.random() * length); skip > 0; skip--) ref = this.nextOf(ref)
    return ref
  }

  /**
   * The key with a TTL at `position` in the dense list of them (0 ≤ position < volatileCount).
   * Removing one moves the last into its place, so a walk re-checks the same position next.
   */
  volatileRef(position: number): number {
    return this.volatileRefs[position]
  }

  /** The expiry of the key at `position` in the list of keys with a TTL. */
  volatileExpireAt(position: number): number {
    return this.volatileExpires[position]
  }

  /** A random key with a TTL, or -1 (for eviction sampling). */
  randomVolatileRef(): number {
    return this.volatileCount === 0 ? -1 : this.volatileRefs[Math.floor(Math.random() * this.volatileCount)]
  }

  // ---------------------------------------------------------------------------- memory

  /**
   * Estimated bytes this table holds, in O(1) (see MemoryLedger): records in use (their class
   * sizes: a 20-byte header, the key and a short value), strings on the heap (16-byte header and
   * bytes), the heap array's slots (8 bytes), the bucket arrays (4 bytes a bucket), the TTL arrays
   * (12 bytes a slot), and the collections' estimates. Call `ledger.settle()` first for an exact
   * figure after in-place changes.
   */
  get memoryBytes(): number {
    return this.arena.usedBytes + this.heapStringBytes + this.heapStrings * HEAP_STRING_HEADER +
      this.heapSlots * 8 + (this.t0.length + (this.t1 === null ? 0 : this.t1.length)) * 4 +
      this.volatileRefs.length * 12 + this.objectBytes
  }

  /** The index's share of `memoryBytes`: records, bucket arrays, heap slots (MEMORY STATS's main hashtable). */
  get indexBytes(): number {
    return this.arena.usedBytes + this.heapSlots * 8 + (this.t0.length + (this.t1 === null ? 0 : this.t1.length)) * 4
  }

  /** The TTL arrays' share of `memoryBytes` (MEMORY STATS's expires hashtable). */
  get expiresBytes(): number {
    return this.volatileRefs.length * 12
  }

  /**
   * What the live record `ref` adds to `memoryBytes` (MEMORY USAGE): its record's class, its
   * bucket slot, the key and value it keeps on the heap (with their heap slots), its TTL entry.
   */
  recordBytes(ref: number): number {
    const meta = this.arena.words[ref >>> 17][((ref & 0x1ffff) << 1) + META]
    let bytes = classSize(meta & CLASS_MASK) + 4
    if ((meta & KEY_ON_HEAP) !== 0) bytes += HEAP_STRING_HEADER + this.keyOf(ref).length + 8
    const kind = (meta & KIND_MASK) >> KIND_SHIFT
    if (kind === KIND_OBJECT) bytes += estimateOf(this.valueOf(ref)) + 8
    else if (kind !== KIND_INLINE) bytes += HEAP_STRING_HEADER + (this.valueOf(ref) as string).length + 8
    if ((meta & HAS_EXPIRE) !== 0) bytes += 12
    return bytes
  }

  /** Before the collection at `ref` changes in place: remember what was accounted for it. */
  noteChange(ref: number): void {
    if (this.kindOf(ref) !== KIND_OBJECT) return
    const value = heapSlot(this.heap, this.arena.words[ref >>> 17][((ref & 0x1ffff) << 1) + VALUE])
    if (!this.isUnsettled(value)) this.markUnsettled(value, estimateOf(value))
  }

  /** Adds what the unsettled collections' estimates have changed by since they were accounted. */
  settlePending(): void {
    if (this.firstUnsettled !== undefined) {
      this.objectBytes += estimateOf(this.firstUnsettled) - this.firstAccounted
      this.firstUnsettled = undefined
    }
    if (this.moreUnsettled.size === 0) return
    for (const [value, accounted] of this.moreUnsettled) this.objectBytes += estimateOf(value) - accounted
    this.moreUnsettled.clear()
  }

  private isUnsettled(value: unknown): boolean {
    return value === this.firstUnsettled || (this.moreUnsettled.size !== 0 && this.moreUnsettled.has(value))
  }

  private markUnsettled(value: unknown, accounted: number): void {
    if (this.firstUnsettled === undefined) {
      // Nothing unsettled here yet: the ledger learns of this table (again, at worst, harmlessly).
      if (this.moreUnsettled.size === 0) this.ledger.add(this)
      this.firstUnsettled = value
      this.firstAccounted = accounted
    } else {
      this.moreUnsettled.set(value, accounted)
    }
  }

  /** An unsettled collection leaves the table: what was accounted for it, or undefined if it was settled. */
  private takeUnsettled(value: unknown): number | undefined {
    if (value === this.firstUnsettled) {
      this.firstUnsettled = undefined
      return this.firstAccounted
    }
    if (this.moreUnsettled.size === 0) return undefined
    const accounted = this.moreUnsettled.get(value)
    if (accounted !== undefined) this.moreUnsettled.delete(value)
    return accounted
  }

  // ---------------------------------------------------------------------------- snapshots

  /**
   * A point-in-time view of the table for a background writer. Until it is released, live
   * writes copy what it shares before changing it. One at a time.
   */
  snapshot(epoch: number, preserved: Map<unknown, unknown>): TableSnapshot {
    if (this.reader !== undefined) throw new Error("a snapshot of this table is already being read")
    const reader = new TableSnapshot(
      this.arena.share(),
      this.heap,
      this.t0,
      this.t1,
      this.volatileExpires,
      this.size,
      epoch,
      preserved,
      () => this.release(reader)
    )
    this.reader = reader
    this.bucketsShared = true
    this.heapShared = true
    this.copiedHeapChunks = undefined
    this.volatileShared = true
    return reader
  }

  /**
   * Before an object value at `ref` is changed in place: the snapshot being read, if any, keeps
   * a copy of it as it is now (the object is shared with the snapshot's heap).
   */
  preserveForSnapshot(ref: number, copy: (value: unknown) => unknown): void {
    const reader = this.reader
    if (reader === undefined || this.kindOf(ref) !== KIND_OBJECT) return
    const value = heapSlot(this.heap, this.arena.words[ref >>> 17][((ref & 0x1ffff) << 1) + VALUE]) as object
    if ((bornIn.get(value) ?? 0) > reader.epoch || reader.preserved.has(value)) return
    reader.preserved.set(value, copy(value))
  }

  /** Whether a snapshot is reading this table (writers then preserve objects before changing them). */
  get snapshotting(): boolean {
    return this.reader !== undefined
  }

  private release(reader: TableSnapshot): void {
    if (this.reader !== reader) return
    this.reader = undefined
    this.arena.unshare()
    this.bucketsShared = false
    this.heapShared = false
    this.copiedHeapChunks = undefined
    this.volatileShared = false
  }

  // ---------------------------------------------------------------------------- resizing

  /**
   * The server cron's share of resizing: starts shrinking a sparse table, then moves up to
   * `buckets` buckets of a resize in progress. True while one is in progress.
   */
  rehashSome(buckets: number): boolean {
    this.shrinkIfSparse()
    if (this.rehashIndex < 0 || this.rehashPauses > 0) return this.rehashIndex >= 0
    for (let i = 0; i < buckets && this.rehashIndex >= 0; i++) this.rehashStep()
    return this.rehashIndex >= 0
  }

  /** A resize is in progress, or would start at the cron's next share (a sparse table). */
  get resizing(): boolean {
    return this.rehashIndex >= 0 ||
      (this.t0.length > INITIAL_BUCKETS && this.size * MIN_FILL_DIVISOR < this.t0.length && this.reader === undefined)
  }

  /** Starts shrinking a table that has become mostly empty (Redis's `tryResizeHashTables`). */
  shrinkIfSparse(): void {
    if (this.rehashIndex >= 0 || this.t0.length <= INITIAL_BUCKETS || this.reader !== undefined) return
    if (this.size * MIN_FILL_DIVISOR < this.t0.length) this.startResize(Math.max(this.size, INITIAL_BUCKETS))
  }

  get bucketCount(): number {
    return this.t0.length + (this.t1?.length ?? 0)
  }

  // ---------------------------------------------------------------------------- internals

  /** The words of `ref`'s slab, ready to be written (copied first if a snapshot shares them). */
  private writable(ref: number): Int32Array {
    return this.arena.writableWords(ref >>> 17)
  }

  /** `located`: `find` just found `ref`, so `found*` says where it is linked from. */
  private overwrite(ref: number, value: unknown, keepExpire: boolean, located: boolean): number {
    let words = this.writable(ref)
    let w = (ref & 0x1ffff) << 1
    let meta = words[w + META]
    if ((meta & KIND_MASK) !== KIND_INLINE) this.freeHeapValue(words[w + VALUE])
    if (!keepExpire && (meta & HAS_EXPIRE) !== 0) {
      this.unlinkVolatile(words[w + VOLATILE_POS])
      meta &= ~HAS_EXPIRE
    }
    meta &= ~(ENCODING_MASK | KIND_MASK)
    if (!this.access.lfu) words[w + ACCESS] = this.access.initial()
    const keyBytes = (meta & KEY_ON_HEAP) !== 0 ? 4 : keyLengthOf(meta)
    if (typeof value === "string" && (meta & KEY_ON_HEAP) === 0 && HEADER_BYTES + keyBytes + value.length <= MAX_RECORD_BYTES) {
      words[w + META] = meta
      if (HEADER_BYTES + keyBytes + value.length > classSize(meta & CLASS_MASK)) {
        if (!located) this.locate(ref)
        ref = this.moveFound(ref, HEADER_BYTES + keyBytes + value.length)
        words = this.arena.words[ref >>> 17]
        w = (ref & 0x1ffff) << 1
      }
      this.writeInline(ref, (w << 2) + HEADER_BYTES + keyBytes, value)
      words[w + VALUE] = value.length
      return ref
    }
    words[w + VALUE] = this.storeOnHeap(value)
    words[w + META] = meta | ((typeof value === "string" ? KIND_HEAP_STRING : KIND_OBJECT) << KIND_SHIFT)
    return ref
  }

  private insert(key: string, hash: number, value: unknown): number {
    if (this.rehashIndex < 0 && this.size >= this.t0.length * (this.reader === undefined ? 1 : FORCE_RESIZE_RATIO)) {
      this.startResize(this.size + 1)
    }
    const keyOnHeap = key.length > MAX_INLINE_KEY
    const keyBytes = keyOnHeap ? 4 : key.length
    const inline = !keyOnHeap && typeof value === "string" && HEADER_BYTES + keyBytes + value.length <= MAX_RECORD_BYTES
    const cls = classOf(HEADER_BYTES + keyBytes + (inline ? (value as string).length : 0))
    const identity = identityOf(keyOnHeap ? 0 : key.length, hash)
    const ref = this.arena.alloc(cls)
    const words = this.writable(ref)
    const w = (ref & 0x1ffff) << 1
    this.writableBuckets()
    const table = this.t1 ?? this.t0
    const bucket = hash & (table.length - 1)
    words[w + NEXT] = table[bucket]
    words[w + VOLATILE_POS] = -1
    words[w + ACCESS] = this.access.initial()
    const keyStart = (w << 2) + HEADER_BYTES
    if (keyOnHeap) words[w + KEY_HEAP_INDEX] = this.storeOnHeap(key)
    else this.writeInline(ref, keyStart, key)
    if (inline) {
      this.writeInline(ref, keyStart + keyBytes, value as string)
      words[w + VALUE] = (value as string).length
      words[w + META] = cls | identity
    } else {
      words[w + VALUE] = this.storeOnHeap(value)
      words[w + META] = cls | identity | (keyOnHeap ? KEY_ON_HEAP : 0) |
        ((typeof value === "string" ? KIND_HEAP_STRING : KIND_OBJECT) << KIND_SHIFT)
    }
    table[bucket] = ref
    this.size++
    return ref
  }

  /** Writes a byte string at `start` of `ref`'s slab (already made writable). */
  private writeInline(ref: number, start: number, text: string): void {
    const bytes = this.arena.bytes[ref >>> 17]
    const length = text.length
    if (length > 32) {
      bytes.latin1Write(text, start, length)
      return
    }
    for (let i = 0; i < length; i++) bytes[start + i] = text.charCodeAt(i)
  }

  /** Points whatever links to the record `find` just found (bucket or previous record) at `target`. */
  private relinkFound(target: number): void {
    if (this.foundPrevious === -1) {
      this.writableBuckets()
      ;(this.foundInT1 ? this.t1! : this.t0)[this.foundBucket] = target
    } else {
      this.writable(this.foundPrevious)[((this.foundPrevious & 0x1ffff) << 1) + NEXT] = target
    }
  }

  /** Moves the record `find` just found into a record of `bytes`, relinking it; returns the new ref. */
  private moveFound(ref: number, bytes: number): number {
    const arena = this.arena
    const oldWords = arena.words[ref >>> 17]
    const ow = (ref & 0x1ffff) << 1
    const oldMeta = oldWords[ow + META]
    const cls = classOf(bytes)
    const moved = arena.alloc(cls)
    const words = this.writable(moved)
    const w = (moved & 0x1ffff) << 1
    // Header and key move as they are; only the class changes.
    arena.bytes[ref >>> 17].copy(arena.bytes[moved >>> 17], w << 2, ow << 2, (ow << 2) + HEADER_BYTES + keyLengthOf(oldMeta))
    words[w + META] = (oldMeta & ~CLASS_MASK) | cls
    this.relinkFound(moved)
    if ((oldMeta & HAS_EXPIRE) !== 0) {
      this.writableVolatile()
      this.volatileRefs[words[w + VOLATILE_POS]] = moved
    }
    arena.release(ref, oldMeta & CLASS_MASK)
    this.recentKey = undefined
    return moved
  }

  /** Unlinks and frees the record `find` (or `locate`) just found. */
  private removeFound(ref: number): void {
    const words = this.arena.words[ref >>> 17]
    const w = (ref & 0x1ffff) << 1
    const meta = words[w + META]
    this.relinkFound(words[w + NEXT])
    if ((meta & HAS_EXPIRE) !== 0) this.unlinkVolatile(words[w + VOLATILE_POS])
    if ((meta & KIND_MASK) !== KIND_INLINE) this.freeHeapValue(words[w + VALUE])
    if ((meta & KEY_ON_HEAP) !== 0) this.freeHeapValue(words[w + KEY_HEAP_INDEX])
    this.arena.release(ref, meta & CLASS_MASK)
    this.recentKey = undefined
    this.size--
    this.shrinkIfSparse()
  }

  /** Sets `found*` to where `ref` is linked from. */
  private locate(ref: number): void {
    const hash = this.recordHash(ref)
    for (const inT1 of this.t1 === null ? [false] : [false, true]) {
      const table = inT1 ? this.t1! : this.t0
      const bucket = hash & (table.length - 1)
      let previous = -1
      for (let at = table[bucket]; at !== -1; at = this.nextOf(at)) {
        if (at === ref) {
          this.foundPrevious = previous
          this.foundInT1 = inT1
          this.foundBucket = bucket
          return
        }
        previous = at
      }
    }
    throw new Error("keyspace record not linked")
  }

  /** The hash of the record's key, computed again (records keep only its top bits). */
  private recordHash(ref: number): number {
    const words = this.arena.words[ref >>> 17]
    const w = (ref & 0x1ffff) << 1
    const meta = words[w + META]
    if ((meta & KEY_ON_HEAP) !== 0) return hashKey(heapSlot(this.heap, words[w + KEY_HEAP_INDEX]) as string)
    return hashBytes(this.arena.bytes[ref >>> 17], (w << 2) + HEADER_BYTES, keyLengthOf(meta))
  }

  private nextOf(ref: number): number {
    return this.arena.words[ref >>> 17][((ref & 0x1ffff) << 1) + NEXT]
  }

  private unlinkVolatile(position: number): void {
    this.writableVolatile()
    const last = --this.volatileCount
    const lastRef = this.volatileRefs[last]
    this.volatileRefs[position] = lastRef
    this.volatileExpires[position] = this.volatileExpires[last]
    this.writable(lastRef)[((lastRef & 0x1ffff) << 1) + VOLATILE_POS] = position
  }

  private storeOnHeap(value: unknown): number {
    if (typeof value === "string") {
      this.heapStringBytes += value.length
      this.heapStrings++
    } else {
      if (this.reader !== undefined && !bornIn.has(value as object)) bornIn.set(value as object, currentEpoch)
      // Accounted now, and settled after the command: a new collection is filled after it is stored.
      const bytes = estimateOf(value)
      this.objectBytes += bytes
      // Stored again before it left (a move within this table): what is accounted stays as it was.
      if (!this.isUnsettled(value)) this.markUnsettled(value, bytes)
    }
    let slot = this.freeHeapSlots.pop()
    if (slot === undefined) {
      slot = this.heapSlots++
      if ((slot & HEAP_CHUNK_MASK) === 0) {
        this.writableHeapChunks()
        this.heap.push(new Array<unknown>(HEAP_CHUNK_SLOTS).fill(undefined))
        this.copiedHeapChunks?.add(slot >>> HEAP_CHUNK_BITS)
      }
    }
    this.writableHeapChunk(slot >>> HEAP_CHUNK_BITS)[slot & HEAP_CHUNK_MASK] = value
    return slot
  }

  private freeHeapValue(slot: number): void {
    const value = heapSlot(this.heap, slot)
    if (typeof value === "string") {
      this.heapStringBytes -= value.length
      this.heapStrings--
    } else {
      this.objectBytes -= this.takeUnsettled(value) ?? estimateOf(value)
      if (this.reader !== undefined && !bornIn.has(value as object)) bornIn.set(value as object, 0)
    }
    this.writableHeapChunk(slot >>> HEAP_CHUNK_BITS)[slot & HEAP_CHUNK_MASK] = undefined
    this.freeHeapSlots.push(slot)
  }

  /** The chunk array, copied first if a snapshot shares it (its chunks are then copied one by one, on write). */
  private writableHeapChunks(): void {
    if (!this.heapShared) return
    this.heap = this.heap.slice()
    this.heapShared = false
    this.copiedHeapChunks = new Set()
  }

  /** Chunk `chunk` of the heap, ready to be written (copied first if a snapshot shares it). */
  private writableHeapChunk(chunk: number): Array<unknown> {
    this.writableHeapChunks()
    const copied = this.copiedHeapChunks
    if (copied !== undefined && !copied.has(chunk)) {
      this.heap[chunk] = this.heap[chunk].slice()
      copied.add(chunk)
    }
    return this.heap[chunk]
  }

  private writableBuckets(): void {
    if (!this.bucketsShared) return
    this.t0 = this.t0.slice()
    if (this.t1 !== null) this.t1 = this.t1.slice()
    this.bucketsShared = false
  }

  private writableVolatile(): void {
    if (!this.volatileShared) return
    this.volatileRefs = this.volatileRefs.slice()
    this.volatileExpires = this.volatileExpires.slice()
    this.volatileShared = false
  }

  private startResize(wanted: number): void {
    const size = nextPowerOfTwo(wanted)
    if (size === this.t0.length) return
    this.writableBuckets()
    this.t1 = emptyBuckets(size)
    this.rehashIndex = 0
  }

  /** Moves one non-empty bucket of `t0` into `t1` (visiting at most a few empty ones). */
  private rehashStep(): void {
    this.writableBuckets()
    const t0 = this.t0
    const t1 = this.t1!
    const mask = t1.length - 1
    let emptyVisits = EMPTY_VISITS_PER_STEP
    while (this.rehashIndex < t0.length && t0[this.rehashIndex] === -1) {
      this.rehashIndex++
      if (--emptyVisits === 0) return
    }
    if (this.rehashIndex < t0.length) {
      let ref = t0[this.rehashIndex]
      while (ref !== -1) {
        const words = this.writable(ref)
        const w = (ref & 0x1ffff) << 1
        const next = words[w + NEXT]
        const bucket = this.recordHash(ref) & mask
        words[w + NEXT] = t1[bucket]
        t1[bucket] = ref
        ref = next
      }
      t0[this.rehashIndex++] = -1
    }
    if (this.rehashIndex >= t0.length) {
      this.t0 = t1
      this.t1 = null
      this.rehashIndex = -1
    }
  }

  private visitTable(table: Int32Array, visit: (ref: number) => void): void {
    for (let bucket = 0; bucket < table.length; bucket++) this.visitChain(table[bucket], visit)
  }

  private visitChain(head: number, visit: (ref: number) => void): void {
    for (let ref = head; ref !== -1; ref = this.nextOf(ref)) visit(ref)
  }
}
