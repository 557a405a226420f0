/**
 * The memory that keys and short string values live in: 1 MB slabs (Buffers, outside V8's heap),
 * carved into records of a few size classes, with a free list per class.
 *
 * Why: a native `Map` of 1 M keys keeps 2 M+ small objects (key strings, value strings, the
 * Map's table) that the garbage collector must trace and move, and every write of a young value
 * into the old Map goes through a write barrier. scripts/bench/keyspace-table.ts
 * measured SET/GET over 1 M keys at ~1.3 µs per op for `Map` (GC included) against ~0.6 µs for
 * records in slabs; the heap with 1 M keys went from ~150 MB to ~10 MB.
 *
 * A record is addressed by a `ref`: a 31-bit int, `slab << 17 | unit`, where a unit is 8 bytes.
 * Records never cross a slab; the largest is `MAX_RECORD_BYTES` (bigger values live on the JS
 * heap, see KeyTable). Slabs are never returned to the OS while the arena lives (as with most
 * allocators); FLUSHDB drops the whole arena.
 *
 * Point-in-time snapshots (BGSAVE, BGREWRITEAOF) share the slabs copy-on-write, as a forked
 * Redis shares pages: `share` hands the snapshot the current slabs, and the first write to a
 * shared slab afterwards copies it for the live side (`writableWords`), 1 MB at a time.
 */
import type { SlabViews } from "./Record.js"

const SLAB_BYTES = 1 << 20
const UNIT_BITS = 17
/** 2^14 slabs of 1 MB: 16 GB of records per database. */
const MAX_SLABS = 1 << 14
/** The largest record; longer keys and values are kept on the JS heap instead. */
export const MAX_RECORD_BYTES = 4096

/**
 * Size classes: every 8 bytes up to 128, then four per doubling up to 4096 (so a record wastes
 * at most 7 bytes when small, and under 25 % when large).
 */
const CLASS_SIZES: ReadonlyArray<number> = (() => {
  const sizes: Array<number> = []
  for (let size = 24; size <= 128; size += 8) sizes.push(size)
  for (let base = 128; base < MAX_RECORD_BYTES; base *= 2) {
    for (let quarter = 1; quarter <= 4; quarter++) sizes.push(base + (base / 4) * quarter)
  }
  return sizes
})()
const CLASS_COUNT = CLASS_SIZES.length

/** `(bytes + 7) >> 3` → the smallest class that holds that many units. */
const CLASS_OF_UNITS = (() => {
  const table = new Uint8Array((MAX_RECORD_BYTES >> 3) + 1)
  let cls = 0
  for (let units = 0; units < table.length; units++) {
    while (CLASS_SIZES[cls] < units * 8) cls++
    table[units] = cls
  }
  return table
})()

export const classOf = (bytes: number): number => CLASS_OF_UNITS[(bytes + 7) >> 3]
export const classSize = (cls: number): number => CLASS_SIZES[cls]

class ArenaFullError extends Error {
  constructor() {
    super("out of memory: a database's record arena is full")
  }
}

export class Arena implements SlabViews {
  /** Per slab: the bytes, and a 32-bit view of the same memory. */
  readonly bytes: Array<Buffer> = []
  readonly words: Array<Int32Array> = []
  /** Per slab, 1 while a snapshot still reads it (allocated with the first snapshot). */
  private shared: Uint8Array | undefined = undefined
  /** Slabs copied because a write met a shared one (INFO's copy-on-write figure). */
  copiedSlabs = 0
  /** Bytes of records in use (their class sizes), for INFO memory and maxmemory. */
  usedBytes = 0
  private slab = -1
  private top = SLAB_BYTES
  private readonly freeLists: Array<Array<number>> = Array.from({ length: CLASS_COUNT }, () => [])

  /** A record of class `cls`. Its contents are whatever was there before. */
  alloc(cls: number): number {
    this.usedBytes += CLASS_SIZES[cls]
    const free = this.freeLists[cls]
    if (free.length !== 0) return free.pop()!
    const size = CLASS_SIZES[cls]
    if (this.top + size > SLAB_BYTES) this.addSlab()
    const ref = (this.slab << UNIT_BITS) | (this.top >> 3)
    this.top += size
    return ref
  }

  release(ref: number, cls: number): void {
    this.usedBytes -= CLASS_SIZES[cls]
    this.freeLists[cls].push(ref)
  }

  /** The words of `slab`, copied first if a snapshot shares it. */
  writableWords(slab: number): Int32Array {
    const shared = this.shared
    if (shared === undefined || shared[slab] === 0) return this.words[slab]
    shared[slab] = 0
    const copy = Buffer.allocUnsafeSlow(SLAB_BYTES)
    this.bytes[slab].copy(copy)
    this.bytes[slab] = copy
    this.words[slab] = new Int32Array(copy.buffer, copy.byteOffset, SLAB_BYTES >> 2)
    this.copiedSlabs++
    return this.words[slab]
  }

  /** Freezes the current slabs for a snapshot: its views, which later live writes never change. */
  share(): SlabViews {
    this.shared ??= new Uint8Array(MAX_SLABS)
    this.shared.fill(1, 0, this.bytes.length)
    return { bytes: this.bytes.slice(), words: this.words.slice() }
  }

  /** The snapshot is done: no slab needs copying any more. */
  unshare(): void {
    this.shared?.fill(0)
  }

  /** Bytes taken from the system (slabs), whether records use them or not. */
  get reservedBytes(): number {
    return this.bytes.length * SLAB_BYTES
  }

  private addSlab(): void {
    if (this.bytes.length >= MAX_SLABS) throw new ArenaFullError()
    // The unused tail of the current slab (under MAX_RECORD_BYTES) is simply left.
    const slab = Buffer.allocUnsafeSlow(SLAB_BYTES)
    this.bytes.push(slab)
    this.words.push(new Int32Array(slab.buffer, slab.byteOffset, SLAB_BYTES >> 2))
    this.slab = this.bytes.length - 1
    this.top = 0
  }
}
