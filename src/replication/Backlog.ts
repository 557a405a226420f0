/**
 * The replication backlog: the last `size` bytes of the replication stream in a ring, so a
 * replica whose link dropped can continue from its offset (PSYNC replid offset) instead of
 * loading a whole new snapshot. Offsets are Redis's: the stream's first byte is offset 1, and
 * `offset` is the offset of the last byte ever appended (master_repl_offset).
 */
export class Backlog {
  private ring: Buffer
  /** Where the next byte goes in the ring. */
  private head = 0
  /** Bytes held (repl_backlog_histlen). */
  histlen = 0

  constructor(size: number, public offset: number) {
    this.ring = Buffer.alloc(Math.max(1, size))
  }

  get size(): number {
    return this.ring.length
  }

  /** Offset of the oldest byte held (repl_backlog_first_byte_offset). */
  get firstByteOffset(): number {
    return this.offset - this.histlen + 1
  }

  append(bytes: Buffer): void {
    this.offset += bytes.length
    const size = this.ring.length
    let from = bytes.length > size ? bytes.length - size : 0
    while (from < bytes.length) {
      const room = size - this.head
      const count = Math.min(room, bytes.length - from)
      bytes.copy(this.ring, this.head, from, from + count)
      this.head = (this.head + count) % size
      from += count
    }
    this.histlen = Math.min(size, this.histlen + bytes.length)
  }

  /** Whether the bytes from `offset` (the first byte a replica lacks) to the end are held. */
  holds(offset: number): boolean {
    return this.histlen > 0 ? offset >= this.firstByteOffset && offset <= this.offset + 1 : offset === this.offset + 1
  }

  /** The bytes from `offset` to the end (`holds(offset)` must be true). */
  from(offset: number): Buffer {
    const count = this.offset + 1 - offset
    const out = Buffer.allocUnsafe(count)
    const size = this.ring.length
    let at = (this.head - count + size) % size
    for (let copied = 0; copied < count;) {
      const chunk = Math.min(count - copied, size - at)
      this.ring.copy(out, copied, at, at + chunk)
      copied += chunk
      at = 0
    }
    return out
  }

  /** CONFIG SET repl-backlog-size: a new ring keeping the newest bytes that fit. */
  resize(size: number): void {
    const keep = Math.min(this.histlen, size)
    const tail = this.from(this.offset + 1 - keep)
    this.ring = Buffer.alloc(Math.max(1, size))
    this.head = 0
    this.histlen = 0
    const offset = this.offset
    this.offset -= keep
    this.append(tail)
    this.offset = offset
  }
}
