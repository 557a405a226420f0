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
 * protocol error; the connection then replies with it and closes. The results never depend on
 * how the stream was split into chunks.
 *
 * Redis finds line ends with `strchr`, which stops at a NUL byte: a header or inline line with a
 * NUL before its terminator never completes (until it is too big). We do the same.
 *
 * Memory follows the bytes actually received: a declared bulk length is a promise, never an
 * allocation. An incomplete bulk argument is kept as the chunks that carried it and joined once,
 * when its last byte arrives; other partial lines grow one buffer by doubling, so no byte is
 * copied more than a constant number of times however finely the stream is split.
 */
import { constants as bufferConstants } from "node:buffer"
import { byteString } from "./ByteString.js"
import { splitInlineArgs } from "./InlineArgs.js"

/** Redis's PROTO_INLINE_MAX_SIZE: a line (inline, or a `*`/`$` header) must end (LF, or CR for headers) within this many bytes. */
export const INLINE_MAX_SIZE = 64 * 1024
/** The most arguments a multibulk request may declare (Redis 7.0 allows up to INT_MAX; we keep this tighter cap). */
const MULTIBULK_MAX_LENGTH = 1024 * 1024
const DEFAULT_PROTO_MAX_BULK_LEN = 512 * 1024 * 1024

/**
 * Before a client has authenticated, Redis accepts at most this many arguments in a multibulk
 * request and bulks of at most this many bytes (so strangers cannot make it allocate).
 */
const UNAUTHENTICATED_MULTIBULK_MAX = 10
const UNAUTHENTICATED_BULK_MAX = 16384

/**
 * The limits a parser reads on every header, so CONFIG SET proto-max-bulk-len and an AUTH take
 * effect for the next command.
 */
export interface ParserLimits {
  readonly maxBulkLength: number
  /** The client has not authenticated yet (a password is set): the tighter limits above apply. */
  readonly unauthenticated?: boolean
}

/** A protocol violation: the text is the error reply Redis sends before closing. */
export class ProtocolError {
  readonly _tag = "ProtocolError"
  constructor(readonly message: string) {}
}

const NUL = 0
const LF = 10
const CR = 13
const ASTERISK = 42
const DOLLAR = 36
const EMPTY = Buffer.alloc(0)
/** Smallest buffer allocated to collect a partial line. */
const MIN_CAPACITY = 4096
/** A buffer up to this size is reused for later partial lines even when they are small. */
const KEEP_CAPACITY = 256 * 1024
/** A bulk longer than this cannot become a JavaScript string; it is refused as an invalid length. */
const MAX_ARGUMENT_LENGTH = bufferConstants.MAX_STRING_LENGTH
/** Arguments a command's array is made for at once (Redis preallocates argv up to 1024 too). */
const PREALLOCATED_ARGUMENTS = 1024

/** What an argument costs besides its bytes: a string header and a slot in `argv` (V8, 64-bit). */
const ARGUMENT_OVERHEAD = 24

export class RequestParser {
  /** Unconsumed bytes are `buf[pos, end)`. */
  private buf: Buffer = EMPTY
  private pos = 0
  private end = 0
  /** `buf` was allocated here (not a caller's chunk), so bytes past `end` may be written. */
  private owned = false
  /** Bytes after `pos` already searched for a line end without success (so no byte is scanned twice). */
  private scanned = 0
  /** The chunks of a bulk argument that is still arriving (while `parking`). */
  private parked: Array<Buffer> = []
  private parkedBytes = 0
  private parking = false
  /** The command being assembled from a multibulk request, and how many arguments it still needs. */
  private argv: Array<string> | null = null
  private argsLeft = 0
  /** Bytes of the arguments in `argv` (with ARGUMENT_OVERHEAD each). */
  private argvBytes = 0
  /** Declared length of the bulk argument being read, or -1 while a `$` header is expected. */
  private bulkLength = -1
  /** Arguments of `argv` parsed so far. */
  private argc = 0
  /** The last command name made (see `commandName`). */
  private lastName = ""
  private failure: ProtocolError | undefined = undefined
  private copied = 0
  /** Where the header `shortHeader` just read ends (after its LF). */
  private headerEnd = 0

  /** `limits` are read on every header so `CONFIG SET proto-max-bulk-len` (and AUTH) take effect at once. */
  constructor(private readonly limits: ParserLimits = { maxBulkLength: DEFAULT_PROTO_MAX_BULK_LEN }) {}

  /** Bytes received but not yet consumed by a whole command (for CLIENT LIST's `qbuf`). */
  get pendingBytes(): number {
    return this.end - this.pos + this.parkedBytes
  }

  /**
   * What the command being received holds so far: the bytes not yet parsed plus the arguments
   * already taken from it (each counted with a string's overhead), when `next` has asked for more
   * bytes. This is what client-query-buffer-limit bounds (src/server/ClientLimits.ts).
   */
  get incompleteBytes(): number {
    return this.pendingBytes + (this.argv === null ? 0 : this.argvBytes)
  }

  /** The name of the multibulk command being received, once its first argument is in. */
  incompleteCommandName(): string | undefined {
    return this.argv === null ? undefined : this.argv[0]
  }

  /** Up to `count` of the first bytes received and not yet parsed, as a byte string (for log lines). */
  peekPending(count: number): string {
    const source = this.parking ? this.parked[0] : this.buf.subarray(this.pos, this.end)
    return source === undefined ? "" : source.latin1Slice(0, Math.min(count, source.length))
  }

  /** Bytes copied from one buffer to another so far (a measure of the parser's work, for tests). */
  get copiedBytes(): number {
    return this.copied
  }

  /** Takes one chunk from the socket. The parser keeps a reference; callers must not reuse it. */
  feed(chunk: Buffer): void {
    if (chunk.length === 0) return
    if (this.parking) {
      // A bulk argument is arriving: keep the chunk as it is until the argument is whole.
      this.parked.push(chunk)
      this.parkedBytes += chunk.length
      if (this.parkedBytes >= this.bulkLength + 2) this.joinParked()
      return
    }
    const pending = this.end - this.pos
    if (pending === 0) {
      this.buf = chunk
      this.pos = 0
      this.end = chunk.length
      this.owned = false
      return
    }
    this.append(chunk, pending)
  }

  /**
   * The next whole command, `undefined` when more bytes are needed, or a `ProtocolError`
   * (returned again on every later call: the connection must close).
   */
  next(): Array<string> | ProtocolError | undefined {
    if (this.failure !== undefined) return this.failure
    for (;;) {
      if (this.argv === null) {
        if (this.pos >= this.end) return undefined
        if (this.buf[this.pos] !== ASTERISK) {
          const inline = this.nextInline()
          if (Array.isArray(inline) && inline.length === 0) continue // an empty line: Redis skips it
          return inline
        }
        const shortCount = this.shortHeader(ASTERISK)
        if (
          shortCount > 0 &&
          (shortCount <= UNAUTHENTICATED_MULTIBULK_MAX ||
            (shortCount <= MULTIBULK_MAX_LENGTH && this.limits.unauthenticated !== true))
        ) {
          this.consumeTo(this.headerEnd)
          this.startCommand(shortCount)
          continue
        }
        const cr = this.findLineEnd(CR, "too big mbulk count string")
        if (typeof cr !== "number") return cr
        if (cr + 1 >= this.end) return undefined // the LF has not arrived
        const count = parseLength(this.buf, this.pos + 1, cr)
        if (count === undefined || count > MULTIBULK_MAX_LENGTH) return this.fail("invalid multibulk length")
        if (count > UNAUTHENTICATED_MULTIBULK_MAX && this.limits.unauthenticated === true) {
          return this.fail("unauthenticated multibulk length")
        }
        this.consumeTo(cr + 2)
        if (count <= 0) continue // `*0` and `*-1` are skipped, as Redis does
        this.startCommand(count)
      }
      if (this.bulkLength < 0) {
        this.takeWholeBulks()
        if (this.argsLeft === 0) {
          const argv = this.argv!
          this.argv = null
          return argv
        }
        const cr = this.findLineEnd(CR, "too big bulk count string")
        if (typeof cr !== "number") return cr
        if (cr + 1 >= this.end) return undefined
        const first = this.buf[this.pos]
        if (first !== DOLLAR) return this.fail(`expected '$', got '${String.fromCharCode(first)}'`)
        const length = parseLength(this.buf, this.pos + 1, cr)
        if (length === undefined || length < 0 || length > this.limits.maxBulkLength || length > MAX_ARGUMENT_LENGTH) {
          return this.fail("invalid bulk length")
        }
        if (length > UNAUTHENTICATED_BULK_MAX && this.limits.unauthenticated === true) {
          return this.fail("unauthenticated bulk length")
        }
        this.consumeTo(cr + 2)
        this.bulkLength = length
      }
      if (this.end - this.pos < this.bulkLength + 2) {
        this.park()
        return undefined
      }
      // Redis does not check the CRLF after a bulk either: it skips two bytes.
      const argv = this.argv!
      argv[this.argc] = this.argc === 0 ? this.commandName(this.pos, this.bulkLength) : byteString(this.buf, this.pos, this.bulkLength)
      this.argc++
      this.argvBytes += this.bulkLength + ARGUMENT_OVERHEAD
      this.consumeTo(this.pos + this.bulkLength + 2)
      this.bulkLength = -1
      if (--this.argsLeft === 0) {
        this.argv = null
        return argv
      }
    }
  }

  /**
   * The usual header, when `<prefix><digits>\r\n` is all buffered: one pass reads the digits and
   * finds the CR (findLineEnd + parseLength cost ~8 ns more per header, measured). Returns the
   * length and leaves the index after the header in `headerEnd`; -1 for anything unusual (another
   * prefix, a sign, a leading zero, over 9 digits, a missing CR or LF), and the general path
   * decides. Consumes nothing.
   */
  private shortHeader(prefix: number): number {
    const buf = this.buf
    const end = this.end
    let i = this.pos
    if (end - i < 4 || buf[i] !== prefix) return -1
    let length = buf[++i] - 48
    if (length < 0 || length > 9) return -1
    if (length === 0 && buf[i + 1] !== CR) return -1 // a leading zero
    const digitsEnd = Math.min(end, i + 9)
    for (i++; i < digitsEnd; i++) {
      const digit = buf[i] - 48
      if (digit < 0 || digit > 9) break
      length = length * 10 + digit
    }
    if (buf[i] !== CR || i + 1 >= end) return -1
    this.headerEnd = i + 2 // the byte after the CR is skipped unchecked, as on the general path
    return length
  }

  /**
   * A command of `count` arguments begins. Its array is made at its final size (up to Redis's own
   * preallocation, 1024): grown by pushes, V8 gives a small array 17 slots, which made most of the
   * garbage per command at `-P 16` (and so most of the young-generation collections).
   */
  private startCommand(count: number): void {
    this.argv = count <= PREALLOCATED_ARGUMENTS ? new Array<string>(count) : []
    this.argc = 0
    this.argvBytes = 0
    this.argsLeft = count
  }

  /**
   * A command's name: the previous command's string when the bytes are the same (a pipeline
   * mostly repeats one command), so the table lookup finds a string whose hash V8 already knows
   * and no new string is made.
   */
  private commandName(start: number, length: number): string {
    const last = this.lastName
    if (last.length === length) {
      const buf = this.buf
      let i = 0
      while (i < length && buf[start + i] === last.charCodeAt(i)) i++
      if (i === length) return last
    }
    return (this.lastName = byteString(this.buf, start, length))
  }

  /**
   * The usual case: takes every argument of the current command whose `$<digits>\r\n<data>\r\n`
   * is already buffered, in one loop over locals that reads the digits and finds the CR together
   * (with `shortHeader`, 20–25% less parse time for SET and MSET than findLineEnd + parseLength per
   * header, measured with scripts/bench/batch-micro.ts). It stops, and
   * the general path decides, at anything unusual: no `$`, a sign, a leading zero, over 9 digits,
   * a length over the limit, bytes still missing.
   */
  private takeWholeBulks(): void {
    const buf = this.buf
    const end = this.end
    const argv = this.argv!
    // Longer bulks, and any bulk over 16 KB before authentication, go the general way.
    const maxLength = this.limits.unauthenticated === true ? UNAUTHENTICATED_BULK_MAX : this.limits.maxBulkLength
    let pos = this.pos
    let left = this.argsLeft
    let argvBytes = this.argvBytes
    let argc = this.argc
    while (left > 0) {
      if (end - pos < 6 || buf[pos] !== DOLLAR) break // `$0\r\n\r\n` is the shortest
      let i = pos + 1
      let length = buf[i] - 48
      if (length < 0 || length > 9 || (length === 0 && buf[i + 1] !== CR)) break
      const digitsEnd = Math.min(end, i + 9)
      for (i++; i < digitsEnd; i++) {
        const digit = buf[i] - 48
        if (digit < 0 || digit > 9) break
        length = length * 10 + digit
      }
      if (buf[i] !== CR) break
      const dataStart = i + 2 // the byte after the CR is skipped unchecked, as on the general path
      if (dataStart + length + 2 > end || length > maxLength) break
      argv[argc] = argc === 0 ? this.commandName(dataStart, length) : byteString(buf, dataStart, length)
      argc++
      argvBytes += length + ARGUMENT_OVERHEAD
      pos = dataStart + length + 2 // Redis does not check the CRLF after a bulk either
      left--
    }
    this.argsLeft = left
    this.argvBytes = argvBytes
    this.argc = argc
    if (pos !== this.pos) this.consumeTo(pos)
  }

  /** One inline command (empty for an empty line), `undefined` when the line is not whole yet. */
  private nextInline(): Array<string> | ProtocolError | undefined {
    const lf = this.findLineEnd(LF, "too big inline request")
    if (typeof lf !== "number") return lf
    const lineEnd = lf > this.pos && this.buf[lf - 1] === CR ? lf - 1 : lf
    const args = splitInlineArgs(this.buf.latin1Slice(this.pos, lineEnd))
    if (args === null) return this.fail("unbalanced quotes in request")
    this.consumeTo(lf + 1)
    return args
  }

  /**
   * Index of the `terminator` ending the line at `pos`; `undefined` while it has not arrived;
   * the `tooBig` error once more than 64 KB of the line are buffered without it. A NUL byte
   * hides the terminator (Redis's `strchr` stops there). The limit applies to the position of
   * the terminator, not to how much happens to be buffered, so the answer does not depend on
   * how the bytes were split (Redis's own depends on its 16 KB reads for lines of 64–80 KB).
   */
  private findLineEnd(terminator: number, tooBig: string): number | ProtocolError | undefined {
    const buf = this.buf
    const limit = Math.min(this.end, this.pos + INLINE_MAX_SIZE + 1)
    let i = this.pos + this.scanned
    for (; i < limit; i++) {
      const byte = buf[i]
      if (byte === terminator) return i
      if (byte === NUL) break
    }
    this.scanned = i - this.pos
    return this.end - this.pos > INLINE_MAX_SIZE ? this.fail(tooBig) : undefined
  }

  private fail(what: string): ProtocolError {
    this.failure = new ProtocolError(`Protocol error: ${what}`)
    return this.failure
  }

  /** Moves past consumed bytes; drops the buffer once all of it is consumed so it can be collected. */
  private consumeTo(position: number): void {
    this.scanned = 0
    if (position >= this.end) {
      this.buf = EMPTY
      this.pos = 0
      this.end = 0
      this.owned = false
    } else {
      this.pos = position
    }
  }

  /** Adds a chunk behind `pending` unconsumed bytes: in place when there is room, else in a buffer twice the need. */
  private append(chunk: Buffer, pending: number): void {
    const capacity = this.buf.length
    if (!this.owned || this.end + chunk.length > capacity) {
      const needed = pending + chunk.length
      // Sliding the pending bytes to the front is cheap when they fill at most half the buffer;
      // a buffer far bigger than the need (left by a burst) is replaced rather than kept.
      if (this.owned && pending * 2 <= capacity && needed <= capacity && capacity <= Math.max(needed * 4, KEEP_CAPACITY)) {
        this.buf.copyWithin(0, this.pos, this.end)
      } else {
        const grown = Buffer.allocUnsafe(Math.max(needed * 2, MIN_CAPACITY))
        this.buf.copy(grown, 0, this.pos, this.end)
        this.buf = grown
        this.owned = true
      }
      this.copied += pending
      this.pos = 0
      this.end = pending
    }
    chunk.copy(this.buf, this.end)
    this.copied += chunk.length
    this.end += chunk.length
  }

  /** The current bulk argument is incomplete: keep its bytes aside as they are, copying nothing. */
  private park(): void {
    if (this.end > this.pos) {
      this.parked.push(this.buf.subarray(this.pos, this.end))
      this.parkedBytes += this.end - this.pos
    }
    this.buf = EMPTY
    this.pos = 0
    this.end = 0
    this.owned = false
    this.scanned = 0
    this.parking = true
  }

  /** The parked bulk argument is whole: join its chunks (and whatever follows it) once. */
  private joinParked(): void {
    const joined = this.parked.length === 1 ? this.parked[0] : Buffer.concat(this.parked, this.parkedBytes)
    if (this.parked.length > 1) this.copied += this.parkedBytes
    this.buf = joined
    this.pos = 0
    this.end = joined.length
    this.owned = false
    this.parked = []
    this.parkedBytes = 0
    this.parking = false
  }
}

/**
 * A length in a `*` or `$` header, read as Redis's `string2ll` reads it: an optional `-`, then
 * digits without leading zeros (no `+`, no spaces, not `-0`), at most 20 characters, within the
 * 64-bit range. `undefined` when invalid. Beyond 2^53 the value is approximate, which is enough
 * to compare it with the limits.
 */
const parseLength = (buf: Buffer, start: number, end: number): number | undefined => {
  const size = end - start
  if (size <= 0 || size > 20) return undefined
  if (size === 1 && buf[start] === 48 /* '0' */) return 0
  let i = start
  const negative = buf[i] === 45 /* '-' */
  if (negative) i++
  if (i >= end || buf[i] < 49 || buf[i] > 57) return undefined // the first digit is 1-9
  let value = 0
  for (; i < end; i++) {
    const digit = buf[i] - 48
    if (digit < 0 || digit > 9) return undefined
    value = value * 10 + digit
  }
  const digits = end - start - (negative ? 1 : 0)
  if (digits > 19 || (digits === 19 && !fitsInt64(buf, end - 19, negative))) return undefined
  return negative ? -value : value
}

/** Whether 19 digits at `start` are at most 2^63-1 (or 2^63 when negative). */
const fitsInt64 = (buf: Buffer, start: number, negative: boolean): boolean => {
  const limit = negative ? "9223372036854775808" : "9223372036854775807"
  for (let k = 0; k < 19; k++) {
    const difference = buf[start + k] - limit.charCodeAt(k)
    if (difference !== 0) return difference < 0
  }
  return true
}
