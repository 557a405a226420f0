/**
 * A string value kept as bytes that change in place: what SETBIT and BITFIELD turn a long string
 * into, so writing one bit of a 1 MB bitmap costs O(1) instead of a 1 MB copy (a JS string is
 * immutable). It is still a string to everyone else: the Database hands readers its text (built
 * once per change and kept until the next), GET replies from the bytes directly, snapshots
 * (RDB, AOF rewrite) write its text. Any other write (SET, APPEND, SETRANGE, INCR...) replaces
 * it with an ordinary string.
 *
 * In-place changes follow the collections' protocol: `Database.willModify` first (WATCH, dirty
 * count, a copy for a snapshot being written via `clone`, memory settled after the command).
 */
import { stringBytes } from "./memoryEstimate.js"

/** Set bits of every byte value. */
const BYTE_ONES = new Uint8Array(256)
for (let i = 1; i < 256; i++) BYTE_ONES[i] = (i & 1) + BYTE_ONES[i >> 1]

export class MutableBytes {
  /** The text of the current bytes, once asked for (cleared by every change). */
  private text: string | undefined = undefined
  /** How many bits are set, once counted (-1: not known), kept up to date by `setByte`. */
  private ones = -1

  constructor(
    /** The value is `bytes[0..length)`; the rest is spare room, zero-filled. */
    private bytes: Buffer,
    public length: number
  ) {}

  static fromString(value: string, room: number): MutableBytes {
    const bytes = Buffer.alloc(Math.max(value.length, room))
    bytes.latin1Write(value, 0, value.length)
    return new MutableBytes(bytes, value.length)
  }

  toString(): string {
    return (this.text ??= this.bytes.latin1Slice(0, this.length))
  }

  byteAt(index: number): number {
    return index < this.length ? this.bytes[index] : 0
  }

  setByte(index: number, value: number): void {
    this.text = undefined
    if (this.ones !== -1) this.ones += BYTE_ONES[value & 0xff] - BYTE_ONES[this.bytes[index]]
    this.bytes[index] = value
  }

  /** The set bits of the whole value: counted with `count` once, then kept up to date (BITCOUNT). */
  setBits(count: (bytes: Buffer) => number): number {
    if (this.ones === -1) this.ones = count(this.view())
    return this.ones
  }

  /** The whole buffer, spare room included: for a caller that edits the bytes itself (then `replace`). */
  raw(): Buffer {
    return this.bytes
  }

  /** Takes new contents: `bytes[0..length)` (after an edit through `raw`, or a bigger buffer). */
  replace(bytes: Buffer, length: number): void {
    this.text = undefined
    this.ones = -1
    this.bytes = bytes
    this.length = length
  }

  /** The bytes as a Buffer view (valid until the next change). */
  view(): Buffer {
    return this.bytes.subarray(0, this.length)
  }

  /** Grows the value to `length` zero bytes at least (spare room doubles, as sds does up to 1 MB). */
  growTo(length: number): void {
    if (length <= this.length) return
    this.text = undefined
    if (length > this.bytes.length) {
      const grown = Buffer.alloc(length < 1024 * 1024 ? length * 2 : length + 1024 * 1024)
      this.bytes.copy(grown, 0, 0, this.length)
      this.bytes = grown
    } else {
      // Spare room may hold bytes a shrinking edit left behind (a sparse HLL's merges).
      this.bytes.fill(0, this.length, length)
    }
    this.length = length
  }

  /** An independent copy (a snapshot's view of the value before it changes). */
  clone(): MutableBytes {
    const copy = Buffer.allocUnsafe(this.length)
    this.bytes.copy(copy, 0, 0, this.length)
    return new MutableBytes(copy, this.length)
  }

  /**
   * Its bytes with the spare room. The text a reader asked for is left out: it comes and goes
   * outside `willModify`, where the accounting could not follow it (at most one copy, dropped
   * at the next change).
   */
  memoryUsage(): number {
    return stringBytes(this.bytes.length) + 48
  }
}
