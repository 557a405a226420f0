/**
 * Redis's RDB file format, version 10 (Redis 7.0): what SAVE and BGSAVE write and what start-up
 * loads. Writing the real format means a snapshot taken here loads into Redis 7 unchanged —
 * the way out for users who move to Redis/Valkey.
 *
 * We write the plain encodings every Redis 7 loads (a string as its bytes, a list, set or hash
 * as a count and its elements, a sorted set as members with binary doubles) and read those
 * plus the compact ones Redis itself writes for strings (integers, LZF). Layout:
 *
 *   "REDIS0010"  AUX fields (0xFA key value)…  function libraries (0xF6 code)…
 *   per database: SELECTDB (0xFE n)  RESIZEDB (0xFB size expires)
 *                 [EXPIRETIME_MS (0xFC ms:8 LE)] type key value …
 *   EOF (0xFF)   CRC-64 of everything before it (8 bytes LE)
 */
import { Crc64 } from "./crc64.js"

export const RDB_VERSION = 10
export const OPCODE_AUX = 0xfa
export const OPCODE_RESIZEDB = 0xfb
export const OPCODE_EXPIRETIME_MS = 0xfc
export const OPCODE_EXPIRETIME = 0xfd
export const OPCODE_SELECTDB = 0xfe
export const OPCODE_EOF = 0xff
export const OPCODE_MODULE_AUX = 0xf7
export const OPCODE_IDLE = 0xf8
export const OPCODE_FREQ = 0xf9
/** Redis 7.0 rc1/rc2 libraries (refused). */
export const OPCODE_FUNCTION = 0xf6
/** A function library (its code), in an RDB file or a FUNCTION DUMP payload. */
export const OPCODE_FUNCTION2 = 0xf5

export const TYPE_STRING = 0
export const TYPE_LIST = 1
export const TYPE_SET = 2
export const TYPE_ZSET = 3
export const TYPE_HASH = 4
export const TYPE_ZSET_2 = 5

/** A growable byte buffer with the RDB primitives; the CRC runs over everything taken from it. */
export class RdbWriter {
  private buf = Buffer.allocUnsafe(64 * 1024)
  private length = 0
  private readonly crc = new Crc64()

  get size(): number {
    return this.length
  }

  byte(value: number): void {
    this.ensure(1)
    this.buf[this.length++] = value
  }

  /** Redis's length encoding: 6, 14, 32 or 64 bits. */
  lengthField(value: number): void {
    this.ensure(9)
    if (value < 64) {
      this.buf[this.length++] = value
    } else if (value < 16384) {
      this.buf[this.length++] = 0x40 | (value >> 8)
      this.buf[this.length++] = value & 0xff
    } else if (value <= 0xffffffff) {
      this.buf[this.length++] = 0x80
      this.buf.writeUInt32BE(value, this.length)
      this.length += 4
    } else {
      this.buf[this.length++] = 0x81
      this.buf.writeBigUInt64BE(BigInt(value), this.length)
      this.length += 8
    }
  }

  /** A string as its length and raw bytes (a byte string: char codes are bytes). */
  string(value: string): void {
    this.lengthField(value.length)
    this.ensure(value.length)
    this.length += this.buf.latin1Write(value, this.length)
  }

  /** Bytes as they are (an encoded blob's body). */
  raw(bytes: Uint8Array): void {
    this.ensure(bytes.length)
    this.buf.set(bytes, this.length)
    this.length += bytes.length
  }

  /** A binary double, little-endian (ZSET_2 scores). */
  double(value: number): void {
    this.ensure(8)
    this.buf.writeDoubleLE(value, this.length)
    this.length += 8
  }

  /** Unix ms as 8 bytes, little-endian. */
  millis(value: number): void {
    this.ensure(8)
    this.buf.writeBigInt64LE(BigInt(Math.min(Math.trunc(value), 2 ** 63 - 1)), this.length)
    this.length += 8
  }

  header(aux: ReadonlyArray<readonly [string, string]>): void {
    const magic = `REDIS${String(RDB_VERSION).padStart(4, "0")}`
    this.ensure(magic.length)
    this.length += this.buf.latin1Write(magic, this.length)
    for (const [key, value] of aux) {
      this.byte(OPCODE_AUX)
      this.string(key)
      this.string(value)
    }
  }

  /** A FUNCTION LOAD library's code (written after the AUX fields, before any database, as Redis does). */
  functionLibrary(code: string): void {
    this.byte(OPCODE_FUNCTION2)
    this.string(code)
  }

  selectDb(index: number, size: number, expires: number): void {
    this.byte(OPCODE_SELECTDB)
    this.lengthField(index)
    this.byte(OPCODE_RESIZEDB)
    this.lengthField(size)
    this.lengthField(expires)
  }

  /** Hands out what was written so far (CRC updated) and starts over. */
  take(): Buffer {
    const out = Buffer.from(this.buf.subarray(0, this.length))
    this.crc.update(out)
    this.length = 0
    return out
  }

  /** The EOF opcode and the checksum: the file's last bytes. */
  finish(): Buffer {
    this.byte(OPCODE_EOF)
    const last = this.take()
    return Buffer.concat([last, this.crc.bytes()])
  }

  private ensure(extra: number): void {
    if (this.length + extra <= this.buf.length) return
    let size = this.buf.length * 2
    while (size < this.length + extra) size *= 2
    const grown = Buffer.allocUnsafe(size)
    this.buf.copy(grown, 0, 0, this.length)
    this.buf = grown
  }
}

export class RdbFormatError extends Error {
  constructor(readonly offset: number, reason: string) {
    super(`${reason} at byte ${offset}`)
  }
}

/** Reads RDB primitives from a whole file in memory. */
export class RdbReader {
  offset = 0

  constructor(readonly buf: Buffer) {}

  fail(reason: string): never {
    throw new RdbFormatError(this.offset, reason)
  }

  byte(): number {
    if (this.offset >= this.buf.length) this.fail("unexpected end of file")
    return this.buf[this.offset++]
  }

  /** A length, or for the special string encodings (11xxxxxx) `-1 - kind`. */
  lengthOrEncoding(): number {
    const first = this.byte()
    switch (first >> 6) {
      case 0:
        return first & 0x3f
      case 1:
        return ((first & 0x3f) << 8) | this.byte()
      case 2:
        if (first === 0x80) return this.fixed(4).readUInt32BE(0)
        if (first === 0x81) return Number(this.fixed(8).readBigUInt64BE(0))
        return this.fail(`unknown length encoding 0x${first.toString(16)}`)
      default:
        return -1 - (first & 0x3f)
    }
  }

  length(): number {
    const length = this.lengthOrEncoding()
    if (length < 0) this.fail("an encoded string where a length belongs")
    return length
  }

  /** A string in any of Redis's encodings (raw, integer, LZF), as a byte string. */
  string(): string {
    const length = this.lengthOrEncoding()
    if (length >= 0) return this.fixed(length).latin1Slice()
    switch (-1 - length) {
      case 0:
        return String(this.fixed(1).readInt8(0))
      case 1:
        return String(this.fixed(2).readInt16LE(0))
      case 2:
        return String(this.fixed(4).readInt32LE(0))
      case 3: {
        const compressed = this.length()
        const size = this.length()
        // A 3-byte back-reference yields at most 264 bytes: a larger claim is corrupt, not allocated.
        if (size > compressed * 88 + 32) this.fail("corrupt LZF string")
        return lzfDecompress(this.fixed(compressed), size, this).latin1Slice()
      }
      default:
        return this.fail("unknown string encoding")
    }
  }

  double(): number {
    return this.fixed(8).readDoubleLE(0)
  }

  /** The old ZSET type's score: a length byte and ASCII (253 nan, 254 +inf, 255 -inf). */
  asciiDouble(): number {
    const length = this.byte()
    if (length === 253) return NaN
    if (length === 254) return Infinity
    if (length === 255) return -Infinity
    return Number(this.fixed(length).latin1Slice())
  }

  fixed(count: number): Buffer {
    if (this.offset + count > this.buf.length) this.fail("unexpected end of file")
    const out = this.buf.subarray(this.offset, this.offset + count)
    this.offset += count
    return out
  }
}

/** LZF decompression (liblzf's format, as Redis compresses strings). */
const lzfDecompress = (input: Buffer, size: number, reader: RdbReader): Buffer => {
  const out = Buffer.alloc(size)
  let i = 0
  let o = 0
  while (i < input.length) {
    const control = input[i++]
    if (control < 32) {
      const run = control + 1
      if (o + run > size || i + run > input.length) reader.fail("corrupt LZF string")
      input.copy(out, o, i, i + run)
      i += run
      o += run
    } else {
      let length = control >> 5
      if (length === 7) length += input[i++]
      const back = o - ((control & 0x1f) << 8) - input[i++] - 1
      length += 2
      if (back < 0 || o + length > size) reader.fail("corrupt LZF string")
      for (let k = 0; k < length; k++) out[o++] = out[back + k]
    }
  }
  if (o !== size) reader.fail("corrupt LZF string")
  return out
}
