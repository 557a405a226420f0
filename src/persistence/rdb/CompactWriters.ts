/**
 * Writing the compact encodings Redis 7.0 keeps small values in, byte for byte as Redis writes
 * them, so that DUMP answers what Redis answers: listpacks, intsets, and strings in RDB's integer
 * and LZF forms. (The reading side is CompactEncodings.ts and RdbReader.)
 */
import { lzfCompress } from "./LzfCompress.js"
import type { RdbWriter } from "./RdbFormat.js"

const INT64_MIN = -(2n ** 63n)
const INT64_MAX = 2n ** 63n - 1n
const CANONICAL_INTEGER = /^(?:0|-?[1-9][0-9]*)$/

/**
 * The integer a string stands for when Redis would store it as one (string2ll and
 * lpStringToInt64: canonical decimal, within 64 bits), else undefined.
 */
const canonicalInteger = (text: string): bigint | undefined => {
  if (text.length === 0 || text.length > 20 || !CANONICAL_INTEGER.test(text)) return undefined
  const value = BigInt(text)
  return value < INT64_MIN || value > INT64_MAX ? undefined : value
}

/** Bytes a listpack entry's back-length takes for an entry of `size` bytes. */
const backlenBytes = (size: number): number =>
  size <= 127 ? 1 : size < 16383 ? 2 : size < 2097151 ? 3 : size < 268435455 ? 4 : 5

/** Builds listpacks entry by entry. */
export class ListpackBuilder {
  private buf = Buffer.allocUnsafe(256)
  private length = 6
  private count = 0

  /** Bytes the listpack takes once finished (its header, entries and terminator). */
  get size(): number {
    return this.length + 1
  }

  get entries(): number {
    return this.count
  }

  append(element: string): void {
    const integer = canonicalInteger(element)
    this.ensure(element.length + 16)
    const start = this.length
    const buf = this.buf
    if (integer !== undefined) {
      const v = Number(integer)
      if (integer >= 0n && integer <= 127n) {
        buf[this.length++] = v
      } else if (integer >= -4096n && integer <= 4095n) {
        const bits = v < 0 ? (1 << 13) + v : v
        buf[this.length++] = 0xc0 | (bits >> 8)
        buf[this.length++] = bits & 0xff
      } else if (integer >= -32768n && integer <= 32767n) {
        buf[this.length++] = 0xf1
        this.length = buf.writeInt16LE(v, this.length)
      } else if (integer >= -8388608n && integer <= 8388607n) {
        buf[this.length++] = 0xf2
        this.length = buf.writeIntLE(v, this.length, 3)
      } else if (integer >= -2147483648n && integer <= 2147483647n) {
        buf[this.length++] = 0xf3
        this.length = buf.writeInt32LE(v, this.length)
      } else {
        buf[this.length++] = 0xf4
        this.length = buf.writeBigInt64LE(integer, this.length)
      }
    } else {
      const size = element.length
      if (size < 64) {
        buf[this.length++] = 0x80 | size
      } else if (size < 4096) {
        buf[this.length++] = 0xe0 | (size >> 8)
        buf[this.length++] = size & 0xff
      } else {
        buf[this.length++] = 0xf0
        this.length = buf.writeUInt32LE(size, this.length)
      }
      this.length += buf.latin1Write(element, this.length)
    }
    const size = this.length - start
    // The back-length: the entry's size in 7-bit groups, most significant first, read right to left.
    const groups = backlenBytes(size)
    for (let i = groups - 1; i >= 0; i--) {
      const group = Math.floor(size / 2 ** (7 * i)) & 127
      buf[this.length++] = i === groups - 1 ? group : group | 128
    }
    this.count++
  }

  /** The finished listpack: total bytes and element count in the header, the 0xFF terminator. */
  finish(): Buffer {
    this.ensure(1)
    this.buf[this.length] = 0xff
    const out = Buffer.from(this.buf.subarray(0, this.length + 1))
    out.writeUInt32LE(out.length, 0)
    out.writeUInt16LE(Math.min(this.count, 65535), 4)
    return out
  }

  private ensure(extra: number): void {
    if (this.length + extra + 1 <= this.buf.length) return
    let size = this.buf.length * 2
    while (size < this.length + extra + 1) size *= 2
    const grown = Buffer.allocUnsafe(size)
    this.buf.copy(grown, 0, 0, this.length)
    this.buf = grown
  }
}

export const listpackOf = (elements: Iterable<string>): Buffer => {
  const builder = new ListpackBuilder()
  for (const element of elements) builder.append(element)
  return builder.finish()
}

/** An intset of integers already ascending: the narrowest width that holds them all. */
export const intsetOfValues = (values: ReadonlyArray<number | bigint>): Buffer => {
  let width = 2
  for (const value of values) {
    if (value < -2147483648 || value > 2147483647) width = 8
    else if ((value < -32768 || value > 32767) && width < 4) width = 4
  }
  const out = Buffer.alloc(8 + width * values.length)
  out.writeUInt32LE(width, 0)
  out.writeUInt32LE(values.length, 4)
  values.forEach((value, i) => {
    const at = 8 + i * width
    if (width === 2) out.writeInt16LE(Number(value), at)
    else if (width === 4) out.writeInt32LE(Number(value), at)
    else out.writeBigInt64LE(BigInt(value), at)
  })
  return out
}

const ENCODING_INT8 = 0xc0
const ENCODING_INT16 = 0xc1
const ENCODING_INT32 = 0xc2
const ENCODING_LZF = 0xc3

/**
 * A string as Redis's rdbSaveRawString writes it: a short canonical integer of 32 bits in its
 * integer form; one of more than 20 bytes LZF-compressed when `compress` (rdbcompression) and
 * compression saves at least 4 bytes; otherwise its length and bytes.
 */
export const writeEncodedString = (out: RdbWriter, text: string, compress: boolean): void => {
  if (text.length <= 11) {
    const integer = canonicalInteger(text)
    if (integer !== undefined && integer >= -2147483648n && integer <= 2147483647n) {
      const v = Number(integer)
      if (v >= -128 && v <= 127) {
        out.byte(ENCODING_INT8)
        out.byte(v & 0xff)
      } else if (v >= -32768 && v <= 32767) {
        out.byte(ENCODING_INT16)
        out.byte(v & 0xff)
        out.byte((v >> 8) & 0xff)
      } else {
        out.byte(ENCODING_INT32)
        const bytes = Buffer.alloc(4)
        bytes.writeInt32LE(v, 0)
        out.raw(bytes)
      }
      return
    }
  }
  if (compress && text.length > 20) {
    const compressed = lzfCompress(Buffer.from(text, "latin1"), text.length - 4)
    if (compressed !== undefined) {
      out.byte(ENCODING_LZF)
      out.lengthField(compressed.length)
      out.lengthField(text.length)
      out.raw(compressed)
      return
    }
  }
  out.string(text)
}

/** A blob (listpack, intset) as an RDB string, compressed as `writeEncodedString` would. */
export const writeEncodedBlob = (out: RdbWriter, blob: Buffer, compress: boolean): void => {
  if (compress && blob.length > 20) {
    const compressed = lzfCompress(blob, blob.length - 4)
    if (compressed !== undefined) {
      out.byte(ENCODING_LZF)
      out.lengthField(compressed.length)
      out.lengthField(blob.length)
      out.raw(compressed)
      return
    }
  }
  out.lengthField(blob.length)
  out.raw(blob)
}
