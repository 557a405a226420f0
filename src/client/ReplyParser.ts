/**
 * The client's reply parser: pure, synchronous and incremental, from RESP2 bytes to `RespValue`s.
 *
 * The connection feeds each chunk it reads, then pulls whole replies with `next()` until it
 * returns `undefined` (more bytes needed). Arrays being filled are kept on an explicit stack (no
 * recursion, so nesting depth costs nothing), and the results never depend on how the stream was
 * split into chunks.
 *
 * Bytes are copied a constant number of times however finely the stream is split: an unfinished
 * line or bulk string is kept as the chunks that carried it and joined once, when the chunk that
 * completes it arrives (an LF for a line, the declared length plus CRLF for a bulk).
 *
 * Malformed input throws `RespProtocolError`; the parser then stays failed (the connection is
 * closed: nothing after a protocol error can be trusted).
 */
import { replyError } from "./errors.js"
import type { RespValue } from "./RespValue.js"

export class RespProtocolError extends Error {
  override readonly name = "RespProtocolError"
}

const LF = 10
const CR = 13
const PLUS = 43
const MINUS = 45
const COLON = 58
const DOLLAR = 36
const STAR = 42
const EMPTY = Buffer.alloc(0)
/** Integers of up to 15 digits fit a double exactly; longer ones go through BigInt. */
const SAFE_DIGITS = 15
const MAX_BULK_LENGTH = 2 ** 32 - 3

/** An array whose elements are still arriving. */
interface OpenArray {
  readonly items: Array<RespValue>
  left: number
}

/** What the parked chunks are waiting for. */
const enum Waiting {
  Nothing,
  /** The LF that ends a header line. */
  LineEnd,
  /** `bulkLength + 2` bytes: a bulk string's payload and its CRLF. */
  BulkPayload
}

export class ReplyParser {
  /** Unconsumed bytes are `buf[pos..]`. */
  private buf: Buffer = EMPTY
  private pos = 0
  /** Chunks kept while a line or bulk is incomplete; joined into `buf` when it completes. */
  private parked: Array<Buffer> = []
  private parkedBytes = 0
  private waiting = Waiting.Nothing
  /** `buf` was joined from parked chunks for the bulk at its start: its payload can be shared, not copied. */
  private joinedForBulk = false
  /** The declared length of the bulk whose header was read (its payload comes next), else -1. */
  private bulkLength = -1
  private readonly open: Array<OpenArray> = []
  private failure: RespProtocolError | undefined = undefined

  /** `textEncoding` decodes simple strings and error texts ("latin1" keeps every byte as a char). */
  constructor(private readonly textEncoding: BufferEncoding = "utf8") {}

  feed(chunk: Buffer): void {
    if (chunk.length === 0) return
    switch (this.waiting) {
      case Waiting.Nothing:
        if (this.pos >= this.buf.length) {
          this.buf = chunk
          this.joinedForBulk = false
        } else {
          // Only when fed without draining `next()` first.
          this.buf = Buffer.concat([this.buf.subarray(this.pos), chunk])
        }
        this.pos = 0
        return
      case Waiting.LineEnd:
        this.park(chunk)
        if (chunk.indexOf(LF) >= 0) this.join(false)
        return
      case Waiting.BulkPayload:
        this.park(chunk)
        if (this.parkedBytes >= this.bulkLength + 2) this.join(true)
        return
    }
  }

  /** The next whole reply, or `undefined` when more bytes are needed. Throws on malformed input. */
  next(): RespValue | undefined {
    if (this.failure !== undefined) throw this.failure
    if (this.waiting !== Waiting.Nothing) return undefined
    for (;;) {
      let value: RespValue
      const buf = this.buf
      if (this.bulkLength >= 0) {
        const length = this.bulkLength
        const start = this.pos
        if (buf.length - start < length + 2) return this.wait(Waiting.BulkPayload)
        if (buf[start + length] !== CR || buf[start + length + 1] !== LF) {
          return this.fail("bulk string not followed by CRLF")
        }
        value = this.joinedForBulk && start === 0
          ? buf.subarray(0, length)
          : Buffer.from(buf.subarray(start, start + length))
        this.pos = start + length + 2
        this.bulkLength = -1
      } else {
        const start = this.pos
        if (start >= buf.length) return undefined
        const lf = buf.indexOf(LF, start)
        if (lf < 0) return this.wait(Waiting.LineEnd)
        if (lf - start < 2 || buf[lf - 1] !== CR) return this.fail("line not ended by CRLF")
        const end = lf - 1
        this.pos = lf + 1
        switch (buf[start]) {
          case PLUS:
            value = buf.toString(this.textEncoding, start + 1, end)
            break
          case MINUS:
            value = replyError(buf.toString(this.textEncoding, start + 1, end))
            break
          case COLON:
            value = this.integer(buf, start + 1, end)
            break
          case DOLLAR: {
            const length = this.length(buf, start + 1, end)
            if (length < 0) {
              value = null
              break
            }
            if (length > MAX_BULK_LENGTH) return this.fail(`bulk string of ${length} bytes is too long`)
            this.bulkLength = length
            continue
          }
          case STAR: {
            const count = this.length(buf, start + 1, end)
            if (count < 0) {
              value = null
              break
            }
            if (count === 0) {
              value = []
              break
            }
            this.open.push({ items: [], left: count })
            continue
          }
          default:
            return this.fail(`unexpected reply type byte 0x${buf[start].toString(16).padStart(2, "0")}`)
        }
      }
      // A value is complete: it goes into the innermost open array, closing those it fills.
      for (;;) {
        const top = this.open[this.open.length - 1]
        if (top === undefined) return value
        top.items.push(value)
        if (--top.left > 0) break
        this.open.pop()
        value = top.items
      }
    }
  }

  /** Keeps the unconsumed bytes until `feed` brings what `waiting` needs. */
  private wait(waiting: Waiting): undefined {
    const rest = this.buf.subarray(this.pos)
    this.buf = EMPTY
    this.pos = 0
    this.parked = rest.length > 0 ? [rest] : []
    this.parkedBytes = rest.length
    this.waiting = waiting
    return undefined
  }

  private park(chunk: Buffer): void {
    this.parked.push(chunk)
    this.parkedBytes += chunk.length
  }

  private join(forBulk: boolean): void {
    this.buf = this.parked.length === 1 ? this.parked[0] : Buffer.concat(this.parked, this.parkedBytes)
    this.joinedForBulk = forBulk && this.parked.length > 1
    this.pos = 0
    this.parked = []
    this.parkedBytes = 0
    this.waiting = Waiting.Nothing
  }

  /** A `:` integer: an optional minus and 1 to 19 digits (int64). */
  private integer(buf: Buffer, start: number, end: number): number | bigint {
    const negative = buf[start] === MINUS
    const first = negative ? start + 1 : start
    const digits = end - first
    if (digits < 1 || digits > 19) return this.fail(`invalid integer '${buf.latin1Slice(start, end)}'`)
    let n = 0
    for (let i = first; i < end; i++) {
      const d = buf[i] - 48
      if (d < 0 || d > 9) return this.fail(`invalid integer '${buf.latin1Slice(start, end)}'`)
      if (digits <= SAFE_DIGITS) n = n * 10 + d
    }
    if (digits <= SAFE_DIGITS) return negative ? -n : n
    const big = BigInt(buf.latin1Slice(start, end))
    if (big > 9223372036854775807n || big < -9223372036854775808n) {
      return this.fail(`integer out of range '${buf.latin1Slice(start, end)}'`)
    }
    return big >= -9007199254740991n && big <= 9007199254740991n ? Number(big) : big
  }

  /** A `$` or `*` length: -1 (null) or a non-negative integer. */
  private length(buf: Buffer, start: number, end: number): number {
    if (end - start === 2 && buf[start] === MINUS && buf[start + 1] === 49) return -1
    if (end - start < 1 || end - start > 15) return this.fail(`invalid length '${buf.latin1Slice(start, end)}'`)
    let n = 0
    for (let i = start; i < end; i++) {
      const d = buf[i] - 48
      if (d < 0 || d > 9) return this.fail(`invalid length '${buf.latin1Slice(start, end)}'`)
      n = n * 10 + d
    }
    return n
  }

  private fail(message: string): never {
    this.failure = new RespProtocolError(`Protocol error: ${message}`)
    throw this.failure
  }
}
