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

/**
 * Texts shorter than this are copied with a JS loop: a native `latin1Write` call costs ~45 ns
 * whatever the length, the loop ~1.3 ns a byte (measured; they cross near 32). It took ~40 ns off
 * SET's "+OK" and GET's short bulk.
 */
const SHORT_TEXT = 32

const LINE_BREAK = /[\r\n]/
const LINE_BREAKS = /[\r\n]/g

export class ReplyWriter {
  private buf: Buffer = Buffer.allocUnsafe(INITIAL_SIZE)
  private length = 0
  /** Error replies written since the connection last collected them (INFO's total_error_replies). */
  errorCount = 0
  /** The last error reply's text (INFO errorstats counts errors by their first word). */
  lastError = ""
  /**
   * The protocol of the connection whose batch is being written (2 or 3, set per batch: the
   * writer is shared). The typed replies below (map, set, double, boolean, null, push) are
   * spelled in RESP3 when it is 3 and as Redis spells them for RESP2 otherwise.
   */
  protocol = 2

  /** Bytes written since the last `take`. */
  get size(): number {
    return this.length
  }

  simple(text: string): void {
    this.ensure(text.length + 3)
    this.buf[this.length++] = 43 // '+'
    this.text(text)
    this.crlf()
  }

  /** `text` is the whole error line without the leading '-', e.g. `ERR syntax error`. */
  error(text: string): void {
    this.errorCount++
    this.lastError = text
    // Redis keeps an error on one line: CR and LF inside it become spaces.
    const line = LINE_BREAK.test(text) ? text.replace(LINE_BREAKS, " ") : text
    this.ensure(line.length + 3)
    this.buf[this.length++] = 45 // '-'
    this.text(line)
    this.crlf()
  }

  integer(value: RespInteger): void {
    this.header(58 /* ':' */, value)
  }

  /** An integer reply whose decimal digits the caller already has (a counter it just stored as text). */
  integerDigits(digits: string): void {
    this.ensure(digits.length + 1)
    this.buf[this.length++] = 58 // ':'
    this.text(digits)
    this.crlf()
  }

  bulk(value: string): void {
    this.header(36 /* '$' */, value.length)
    this.ensure(value.length + 2)
    this.text(value)
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

  /** A bulk reply from `source[start, start + length)` (a value kept in the keyspace's slabs). */
  bulkSlice(source: Buffer, start: number, length: number): void {
    this.header(36, length)
    this.ensure(length + 2)
    if (length < SHORT_TEXT) {
      const buf = this.buf
      let at = this.length
      for (let i = start; i < start + length; i++) buf[at++] = source[i]
      this.length = at
    } else {
      this.length += source.copy(this.buf, this.length, start, start + length)
    }
    this.crlf()
  }

  /** A bulk reply, or the null bulk when the value is missing. */
  bulkOrNull(value: string | undefined): void {
    if (value === undefined) this.nullBulk()
    else this.bulk(value)
  }

  /** The null bulk string (RESP3: the null). */
  nullBulk(): void {
    this.raw(this.protocol === 3 ? "_\r\n" : "$-1\r\n")
  }

  /** The null array (RESP3: the null). */
  nullArray(): void {
    this.raw(this.protocol === 3 ? "_\r\n" : "*-1\r\n")
  }

  arrayHeader(count: number): void {
    this.header(42 /* '*' */, count)
  }

  /** A map of `pairs` key/value pairs follows (RESP2: an array of 2 × pairs elements). */
  mapHeader(pairs: number): void {
    if (this.protocol === 3) this.header(37 /* '%' */, pairs)
    else this.header(42, pairs * 2)
  }

  /** A set of `count` elements follows (RESP2: an array). */
  setHeader(count: number): void {
    this.header(this.protocol === 3 ? 126 /* '~' */ : 42, count)
  }

  /** An out-of-band push of `count` elements follows (pub/sub messages; RESP2: an array). */
  pushHeader(count: number): void {
    this.header(this.protocol === 3 ? 62 /* '>' */ : 42, count)
  }

  /**
   * A double, already formatted the way the command's Redis code formats it (`inf`, `-inf`,
   * `1.5`, ...): RESP3's double type, a bulk string in RESP2.
   */
  double(text: string): void {
    if (this.protocol !== 3) return this.bulk(text)
    this.ensure(text.length + 3)
    this.buf[this.length++] = 44 // ','
    this.text(text)
    this.crlf()
  }

  /** Text meant for people (INFO, CLIENT LIST): RESP3's verbatim string, format `txt`; a bulk in RESP2. */
  verbatim(text: string): void {
    if (this.protocol !== 3) return this.bulk(text)
    this.header(61 /* '=' */, text.length + 4)
    this.ensure(text.length + 6)
    this.text("txt:")
    this.text(text)
    this.crlf()
  }

  /** RESP3's boolean; RESP2 spells it as the integer 1 or 0. */
  boolean(value: boolean): void {
    if (this.protocol === 3) this.raw(value ? "#t\r\n" : "#f\r\n")
    else this.raw(value ? ":1\r\n" : ":0\r\n")
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
    this.text(encoded)
  }

  /** Bytes already encoded (another writer's output), as they are. */
  rawBytes(encoded: Uint8Array): void {
    this.ensure(encoded.length)
    this.buf.set(encoded, this.length)
    this.length += encoded.length
  }

  /** Hands out everything written so far as one Buffer (owned by the caller) and starts over. */
  take(): Buffer {
    const out = Buffer.allocUnsafe(this.length)
    this.buf.copy(out, 0, 0, this.length)
    this.length = 0
    if (this.buf.length > KEEP_LIMIT) this.buf = Buffer.allocUnsafe(INITIAL_SIZE)
    return out
  }

  /**
   * What was written so far, without a copy: valid until the next write (a script reads its
   * command's reply from it, then truncates).
   */
  written(): Uint8Array {
    return this.buf.subarray(0, this.length)
  }

  /** Forgets what was written since the given size (used to replace a partial reply). */
  truncate(size: number): void {
    if (size < this.length) this.length = size
  }

  private header(prefix: number, value: RespInteger): void {
    if (typeof value === "number" && value >= 0 && value < 10) {
      this.ensure(2)
      this.buf[this.length++] = prefix
      this.buf[this.length++] = 48 + value
      this.crlf()
      return
    }
    if (typeof value === "number" && (value | 0) === value) return this.smallHeader(prefix, value)
    const digits = String(value)
    this.ensure(digits.length + 1)
    this.buf[this.length++] = prefix
    this.text(digits)
    this.crlf()
  }

  /** A header with a 32-bit integer, its digits written in JS (String() and a write cost INCR ~45 ns more, measured). */
  private smallHeader(prefix: number, value: number): void {
    this.ensure(12)
    const buf = this.buf
    buf[this.length++] = prefix
    if (value < 0) {
      buf[this.length++] = 45 // '-'
      value = -value // 2^31 is still exact as a double
    }
    // Counted by comparisons and divided as uint32 (|value| <= 2^31): Math.floor on doubles made
    // this two to three times slower, measured.
    const digits = value < 10 ? 1 : value < 100 ? 2 : value < 1000 ? 3 : value < 10000 ? 4 : value < 100000 ? 5
      : value < 1000000 ? 6 : value < 10000000 ? 7 : value < 100000000 ? 8 : value < 1000000000 ? 9 : 10
    let at = this.length + digits
    this.length = at
    do {
      const next = (value / 10) >>> 0
      buf[--at] = 48 + value - next * 10
      value = next
    } while (value !== 0)
    this.crlf()
  }

  /** Copies a byte string to the end (room already ensured). */
  private text(text: string): void {
    const n = text.length
    if (n >= SHORT_TEXT) {
      this.length += this.buf.latin1Write(text, this.length)
      return
    }
    const buf = this.buf
    let at = this.length
    for (let i = 0; i < n; i++) buf[at++] = text.charCodeAt(i)
    this.length = at
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
