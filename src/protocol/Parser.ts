/**
 * The request parser: a pure, synchronous, incremental function from bytes to commands.
 *
 * A connection feeds every chunk it reads and then pulls whole commands out until the parser
 * needs more bytes. Commands are arrays of *byte strings*: JavaScript strings whose char codes
 * are the raw bytes 0x00–0xFF (latin1), so keys and values stay binary-safe without a Buffer
 * per argument, and can be used directly as `Map` keys and stored as values.
 *
 * Both request forms of RESP2 are accepted, as Redis accepts them: multibulk (`*2\r\n$3\r\nGET…`)
 * and inline (`GET key\r\n`, split with Redis's quoting rules). Bad input yields Redis's exact
 * protocol error; the connection then replies with it and closes.
 *
 * Memory follows the bytes actually received: a declared bulk length is a promise, never an
 * allocation. The bytes of a large bulk argument are kept as the chunks that carried them and
 * joined once, when the last one arrives.
 */
import { splitInlineArgs } from "./InlineArgs.js"

/** Redis's limits (PROTO_INLINE_MAX_SIZE and friends). */
export const INLINE_MAX_SIZE = 64 * 1024
export const MULTIBULK_MAX_LENGTH = 1024 * 1024
export const DEFAULT_PROTO_MAX_BULK_LEN = 512 * 1024 * 1024

/** A protocol violation: the text is the error reply Redis sends before closing. */
export class ProtocolError {
  readonly _tag = "ProtocolError"
  constructor(readonly message: string) {}
}

const CR = 13
const LF = 10
const EMPTY = Buffer.alloc(0)

export class RequestParser {
  /** Unconsumed bytes start at `pos` in `buf`. */
  private buf: Buffer = EMPTY
  private pos = 0
  /** Chunks of a bulk argument that is still arriving (kept apart so nothing is copied twice). */
  private parts: Array<Buffer> = []
  private partsLength = 0
  /** The command being assembled from a multibulk request, and how many arguments it still needs. */
  private argv: Array<string> | null = null
  private argsLeft = 0
  /** Declared length of the bulk argument being read, or -1 while a `$` header is expected. */
  private bulkLength = -1

  /** `maxBulkLength` is read on every header so `CONFIG SET proto-max-bulk-len` takes effect at once. */
  constructor(private readonly limits: { readonly maxBulkLength: number } = { maxBulkLength: DEFAULT_PROTO_MAX_BULK_LEN }) {}

  /** Bytes received but not yet consumed by a whole command (for CLIENT LIST's `qbuf`). */
  get pendingBytes(): number {
    return this.buf.length - this.pos + this.partsLength
  }

  /** Takes one chunk from the socket. The parser keeps a reference; callers must not reuse it. */
  feed(chunk: Buffer): void {
    if (chunk.length === 0) return
    if (this.bulkLength >= 0 && this.buf.length - this.pos + this.partsLength + chunk.length < this.bulkLength + 2) {
      // Still short of the bulk's end: park the chunk, copy nothing yet.
      if (this.pos < this.buf.length) {
        this.parts.push(this.buf.subarray(this.pos))
        this.partsLength += this.buf.length - this.pos
      }
      this.buf = EMPTY
      this.pos = 0
      this.parts.push(chunk)
      this.partsLength += chunk.length
      return
    }
    if (this.partsLength > 0) {
      this.parts.push(this.buf.subarray(this.pos), chunk)
      this.buf = Buffer.concat(this.parts, this.partsLength + this.buf.length - this.pos + chunk.length)
      this.parts = []
      this.partsLength = 0
    } else if (this.pos >= this.buf.length) {
      this.buf = chunk
    } else {
      this.buf = Buffer.concat([this.buf.subarray(this.pos), chunk])
    }
    this.pos = 0
  }

  /**
   * The next whole command, `undefined` when more bytes are needed, or a `ProtocolError`
   * (after which the parser must not be used again).
   */
  next(): Array<string> | ProtocolError | undefined {
    for (;;) {
      if (this.argv === null) {
        if (this.pos >= this.buf.length) return undefined
        if (this.buf[this.pos] !== 42 /* '*' */) {
          const inline = this.parseInline()
          if (inline === null) continue // an empty line: Redis skips it
          return inline
        }
        const count = this.readLength("too big mbulk count string", "invalid multibulk length", MULTIBULK_MAX_LENGTH)
        if (count === undefined || count instanceof ProtocolError) return count
        if (count <= 0) continue // `*0` and `*-1` are skipped, as Redis does
        this.argv = []
        this.argsLeft = count
        this.bulkLength = -1
      }
      if (this.bulkLength < 0) {
        if (this.pos >= this.buf.length) return undefined
        if (this.buf[this.pos] !== 36 /* '$' */) {
          return new ProtocolError(`Protocol error: expected '$', got '${String.fromCharCode(this.buf[this.pos])}'`)
        }
        const length = this.readLength("too big bulk count string", "invalid bulk length", this.limits.maxBulkLength)
        if (length === undefined || length instanceof ProtocolError) return length
        if (length < 0) return new ProtocolError("Protocol error: invalid bulk length")
        this.bulkLength = length
        if (this.buf.length - this.pos < length + 2) {
          // Park what has arrived so far so `feed` can collect the rest without copying.
          if (this.pos < this.buf.length) {
            this.parts.push(this.buf.subarray(this.pos))
            this.partsLength += this.buf.length - this.pos
          }
          this.buf = EMPTY
          this.pos = 0
          return undefined
        }
      }
      if (this.buf.length - this.pos < this.bulkLength + 2) return undefined
      // Redis does not check the CRLF after a bulk either: it skips two bytes.
      const argv = this.argv!
      argv.push(this.buf.latin1Slice(this.pos, this.pos + this.bulkLength))
      this.pos += this.bulkLength + 2
      this.bulkLength = -1
      if (--this.argsLeft === 0) {
        this.argv = null
        this.compact()
        return argv
      }
    }
  }

  /** Parses `<prefix><integer>\r\n` starting at `pos` (the prefix byte is skipped). */
  private readLength(
    tooBig: string,
    invalid: string,
    max: number
  ): number | ProtocolError | undefined {
    const cr = this.buf.indexOf(CR, this.pos)
    if (cr < 0 || cr + 1 >= this.buf.length) {
      if (this.buf.length - this.pos > INLINE_MAX_SIZE) return new ProtocolError(`Protocol error: ${tooBig}`)
      return undefined
    }
    if (cr - this.pos > INLINE_MAX_SIZE) return new ProtocolError(`Protocol error: ${tooBig}`)
    const value = parseStrictInteger(this.buf, this.pos + 1, cr)
    if (value === undefined || value > max) return new ProtocolError(`Protocol error: ${invalid}`)
    this.pos = cr + 2
    return value
  }

  /** One inline command, `null` for an empty line, `undefined` when the line is not whole yet. */
  private parseInline(): Array<string> | ProtocolError | null | undefined {
    const lf = this.buf.indexOf(LF, this.pos)
    if (lf < 0) {
      if (this.buf.length - this.pos > INLINE_MAX_SIZE) return new ProtocolError("Protocol error: too big inline request")
      return undefined
    }
    let end = lf
    if (end > this.pos && this.buf[end - 1] === CR) end--
    const line = this.buf.latin1Slice(this.pos, end)
    this.pos = lf + 1
    this.compact()
    const args = splitInlineArgs(line)
    if (args === null) return new ProtocolError("Protocol error: unbalanced quotes in request")
    return args.length === 0 ? null : args
  }

  /** Drops consumed bytes once everything buffered is consumed, so the chunk can be collected. */
  private compact(): void {
    if (this.pos >= this.buf.length) {
      this.buf = EMPTY
      this.pos = 0
    }
  }
}

/**
 * Redis's `string2ll`: an optional `-`, then digits, no leading zeros, no `+`, no spaces.
 * Returns `undefined` when the bytes are not such an integer (or do not fit a safe integer).
 */
export const parseStrictInteger = (buf: Buffer, start: number, end: number): number | undefined => {
  if (start >= end) return undefined
  let i = start
  let negative = false
  if (buf[i] === 45 /* '-' */) {
    negative = true
    if (++i >= end) return undefined
  }
  if (buf[i] === 48 /* '0' */) return end - i === 1 && !negative ? 0 : undefined
  let value = 0
  for (; i < end; i++) {
    const digit = buf[i] - 48
    if (digit < 0 || digit > 9) return undefined
    value = value * 10 + digit
  }
  if (value > Number.MAX_SAFE_INTEGER) return undefined
  return negative ? -value : value
}
