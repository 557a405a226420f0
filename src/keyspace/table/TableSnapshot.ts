/**
 * A point-in-time view of one KeyTable, for a background writer (BGSAVE, BGREWRITEAOF) that
 * walks it in slices between batches of commands.
 *
 * It keeps the table's slabs, bucket arrays, heap array and TTL list as they were; the live
 * table copies any of them before its first write afterwards (see KeyTable's `writable`). Objects
 * on the heap (lists, hashes, ...) are changed in place by commands, so the live side puts a copy
 * of such an object into `preserved` before its first change; the map is shared by the
 * snapshots of every database taken together, because MOVE carries objects between tables.
 */
import { MutableBytes } from "../values/MutableBytes.js"
import {
  HAS_EXPIRE,
  type HeapChunks,
  readKey,
  readMeta,
  readNext,
  readValue,
  readVolatilePosition,
  type SlabViews
} from "./Record.js"

export class TableSnapshot {
  private tableIndex = 0
  private bucket = 0
  private released = false

  constructor(
    private readonly slabs: SlabViews,
    private readonly heap: HeapChunks,
    private readonly t0: Int32Array,
    private readonly t1: Int32Array | null,
    private readonly volatileExpires: Float64Array,
    /** Keys in the table when the snapshot was taken. */
    readonly size: number,
    /** Objects stored before this snapshot have a birth epoch up to this one (see KeyTable). */
    readonly epoch: number,
    /** Objects changed in place since the snapshot, as they were: original → copy. */
    readonly preserved: Map<unknown, unknown>,
    private readonly onRelease: () => void
  ) {}

  /**
   * Visits the next buckets' keys until about `limit` keys were visited; false once every key
   * has been. `value` is a byte string or a heap object (as it was); `expireAt` is Unix ms.
   */
  next(limit: number, visit: (key: string, value: unknown, expireAt: number | undefined) => void): boolean {
    let visited = 0
    while (visited < limit) {
      const table = this.tableIndex === 0 ? this.t0 : this.t1
      if (table === null || this.bucket >= table.length) {
        if (this.tableIndex === 1 || this.t1 === null) return false
        this.tableIndex = 1
        this.bucket = 0
        continue
      }
      for (let ref = table[this.bucket++]; ref !== -1; ref = readNext(this.slabs, ref)) {
        const value = readValue(this.slabs, this.heap, ref)
        const expireAt = (readMeta(this.slabs, ref) & HAS_EXPIRE) === 0
          ? undefined
          : this.volatileExpires[readVolatilePosition(this.slabs, ref)]
        const kept = this.preserved.get(value) ?? value
        // A string kept as bytes is written as the string it is.
        visit(readKey(this.slabs, this.heap, ref), kept instanceof MutableBytes ? kept.toString() : kept, expireAt)
        visited++
      }
    }
    return true
  }

  /** The writer is done: the live table stops copying for this snapshot. */
  release(): void {
    if (this.released) return
    this.released = true
    this.onRelease()
  }
}
