/**
 * Reads what a primary sends a replica: reply lines during the handshake, the snapshot (as
 * `$<len>\r\n<bytes>` or `$EOF:<mark>\r\n<bytes><mark>`), then the command stream, where each
 * command's exact bytes matter (they move the replication offset and are passed on as they are
 * to this server's own replicas). Bytes accumulate in chunks; nothing is copied until a whole
 * item is there.
 */
export class StreamReader {
  private buf: Buffer = Buffer.alloc(0)
  private pos = 0
  /** Chunks not yet joined to `buf`: a big command is joined once, when all of it is here. */
  private parts: Array<Buffer> = []
  private partBytes = 0
  /** Bytes from `pos` the next command needs at least (known once it was found incomplete). */
  private needed = 0

  feed(chunk: Buffer): void {
    this.parts.push(chunk)
    this.partBytes += chunk.length
  }

  private join(): void {
    if (this.parts.length === 0) return
    this.buf = this.pos >= this.buf.length && this.parts.length === 1
      ? this.parts[0]
      : Buffer.concat([this.buf.subarray(this.pos), ...this.parts])
    this.pos = 0
    this.parts = []
    this.partBytes = 0
  }

  get available(): number {
    return this.buf.length - this.pos + this.partBytes
  }

  /** Skips the newlines a primary sends to keep the link alive while it prepares a snapshot. */
  skipNewlines(): void {
    this.join()
    while (this.pos < this.buf.length && this.buf[this.pos] === 0x0a) this.pos++
  }

  /** A whole line without its CRLF, or undefined. */
  line(): string | undefined {
    this.join()
    const end = this.buf.indexOf(0x0a, this.pos)
    if (end < 0) return undefined
    const text = this.buf.latin1Slice(this.pos, end > this.pos && this.buf[end - 1] === 0x0d ? end - 1 : end)
    this.pos = end + 1
    return text
  }

  /** Up to `count` bytes (fewer when fewer arrived). */
  take(count: number): Buffer {
    this.join()
    const n = Math.min(count, this.available)
    const out = this.buf.subarray(this.pos, this.pos + n)
    this.pos += n
    return out
  }

  /** Everything received and not read. */
  takeAll(): Buffer {
    return this.take(this.available)
  }

  /**
   * The next whole command of the stream: its arguments (byte strings) and its bytes, or
   * undefined until it has all arrived. Throws on anything that is not a RESP array of bulks.
   */
  command(): { readonly argv: Array<string>; readonly bytes: Buffer } | undefined {
    if (this.available < this.needed) return undefined
    this.join()
    const buf = this.buf
    const start = this.pos
    let at = start
    const header = (marker: number): number | undefined => {
      if (at >= buf.length) return undefined
      if (buf[at] !== marker) throw new Error(`protocol error in the replication stream at byte ${at - start}`)
      const end = buf.indexOf(0x0d, at)
      if (end < 0 || end + 1 >= buf.length) return undefined
      const value = Number(buf.latin1Slice(at + 1, end))
      if (!Number.isInteger(value)) throw new Error("protocol error in the replication stream: bad length")
      at = end + 2
      return value
    }
    const incomplete = (bytes: number) => {
      this.needed = bytes
      return undefined
    }
    const count = header(0x2a)
    if (count === undefined) return incomplete(buf.length - start + 1)
    const argv: Array<string> = []
    for (let i = 0; i < count; i++) {
      const length = header(0x24)
      if (length === undefined) return incomplete(buf.length - start + 1)
      if (at + length + 2 > buf.length) return incomplete(at + length + 2 - start)
      argv.push(buf.latin1Slice(at, at + length))
      at += length + 2
    }
    this.pos = at
    this.needed = 0
    return { argv, bytes: buf.subarray(start, at) }
  }
}
