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

  feed(chunk: Buffer): void {
    if (this.pos >= this.buf.length) {
      this.buf = chunk
      this.pos = 0
    } else {
      this.buf = Buffer.concat([this.buf.subarray(this.pos), chunk])
      this.pos = 0
    }
  }

  get available(): number {
    return this.buf.length - this.pos
  }

  /** Skips the newlines a primary sends to keep the link alive while it prepares a snapshot. */
  skipNewlines(): void {
    while (this.pos < this.buf.length && this.buf[this.pos] === 0x0a) this.pos++
  }

  /** A whole line without its CRLF, or undefined. */
  line(): string | undefined {
    const end = this.buf.indexOf(0x0a, this.pos)
    if (end < 0) return undefined
    const text = this.buf.latin1Slice(this.pos, end > this.pos && this.buf[end - 1] === 0x0d ? end - 1 : end)
    this.pos = end + 1
    return text
  }

  /** Up to `count` bytes (fewer when fewer arrived). */
  take(count: number): Buffer {
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
    const count = header(0x2a)
    if (count === undefined) return undefined
    const argv: Array<string> = []
    for (let i = 0; i < count; i++) {
      const length = header(0x24)
      if (length === undefined) return undefined
      if (at + length + 2 > buf.length) return undefined
      argv.push(buf.latin1Slice(at, at + length))
      at += length + 2
    }
    this.pos = at
    return { argv, bytes: buf.subarray(start, at) }
  }
}
