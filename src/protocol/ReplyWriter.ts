/**
 * The reply encoder. Handlers write their replies straight into one growable buffer per
 * connection, so a whole batch of pipelined commands leaves in a single socket write and no
 * reply object is allocated per command. Strings given to it are byte strings (latin1), the
 * same representation the parser produces and the keyspace stores.
 */
const INITIAL_SIZE = 16 * 1024
/** Above this, the scratch buffer is dropped after a batch instead of being kept for the next one. */
const KEEP_LIMIT = 1024 * 1024

export type RespInteger = number | bigint

const LINE_BREAK = /[\r\n]/
const LINE_BREAKS = /[\r\n]/g

export class ReplyWriter {
  private buf: Buffer = Buffer.allocUnsafe(INITIAL_SIZE)
  private length = 0
  /** Error replies written since the connection last collected them (INFO's total_error_replies). */
  errorCount = 0

  /** Bytes written since the last `take`. */
  get size(): number {
    return this.length
  }

  simple(text: string): void {
    this.ensure(text.length + 3)
    this.buf[this.length++] = 43 // '+'
    this.length += this.buf.latin1Write(text, this.length)
    this.crlf()
  }

  /** `text` is the whole error line without the leading '-', e.g. `ERR syntax error`. */
  error(text: string): void {
    this.errorCount++
    // Redis keeps an error on one line: CR and LF inside it become spaces.
    const line = LINE_BREAK.test(text) ? text.replace(LINE_BREAKS, " ") : text
    this.ensure(line.length + 3)
    this.buf[this.length++] = 45 // '-'
    this.length += this.buf.latin1Write(line, this.length)
    this.crlf()
  }

  integer(value: RespInteger): void {
    this.header(58 /* ':' */, value)
  }

  bulk(value: string): void {
    this.header(36 /* '$' */, value.length)
    this.ensure(value.length + 2)
    this.length += this.buf.latin1Write(value, this.length)
    this.crlf()
  }

  /** A bulk reply from raw bytes (for values produced as Buffers). */
  bulkBytes(value: Uint8Array): void {
    this.header(36, value.length)
    this.ensure(value.length + 2)
    this.buf.set(value, this.length)
    this.length += value.length
    this.crlf()
  }

  /** A bulk reply, or the null bulk when the value is missing. */
  bulkOrNull(value: string | undefined): void {
    if (value === undefined) this.nullBulk()
    else this.bulk(value)
  }

  nullBulk(): void {
    this.raw("$-1\r\n")
  }

  nullArray(): void {
    this.raw("*-1\r\n")
  }

  arrayHeader(count: number): void {
    this.header(42 /* '*' */, count)
  }

  /** An array of bulk strings (a missing element is a null bulk). */
  bulkArray(values: ReadonlyArray<string | undefined>): void {
    this.arrayHeader(values.length)
    for (let i = 0; i < values.length; i++) this.bulkOrNull(values[i])
  }

  ok(): void {
    this.raw("+OK\r\n")
  }

  /** Pre-encoded RESP. */
  raw(encoded: string): void {
    this.ensure(encoded.length)
    this.length += this.buf.latin1Write(encoded, this.length)
  }

  /** Hands out everything written so far as one Buffer (owned by the caller) and starts over. */
  take(): Buffer {
    const out = Buffer.allocUnsafe(this.length)
    this.buf.copy(out, 0, 0, this.length)
    this.length = 0
    if (this.buf.length > KEEP_LIMIT) this.buf = Buffer.allocUnsafe(INITIAL_SIZE)
    return out
  }

  /** Forgets what was written since the given size (used to replace a partial reply). */
  truncate(size: number): void {
    if (size < this.length) this.length = size
  }

  private header(prefix: number, value: RespInteger): void {
    const digits = typeof value === "number" && value >= 0 && value < 10 ? null : String(value)
    this.ensure(24 + (digits === null ? 0 : digits.length))
    this.buf[this.length++] = prefix
    if (digits === null) this.buf[this.length++] = 48 + (value as number)
    else this.length += this.buf.latin1Write(digits, this.length)
    this.crlf()
  }

  private crlf(): void {
    this.buf[this.length++] = 13
    this.buf[this.length++] = 10
  }

  private ensure(extra: number): void {
    const needed = this.length + extra + 2
    if (needed <= this.buf.length) return
    let size = this.buf.length * 2
    while (size < needed) size *= 2
    const grown = Buffer.allocUnsafe(size)
    this.buf.copy(grown, 0, 0, this.length)
    this.buf = grown
  }
}
