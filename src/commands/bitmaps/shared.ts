/**
 * What the bitmap commands share: their declaration helper (group "bitmap"), Redis's bit-offset
 * argument (with BITFIELD's `#n` form and the proto-max-bulk-len limit), and reading bits of a
 * string value. A bitmap is an ordinary string value (a latin1 byte string): bit 0 is the most
 * significant bit of the first byte, as in Redis.
 *
 * A JS string is immutable, so writing one bit of it would copy it. Short values (below
 * MUTABLE_MIN bytes) are written that way, which is cheap; a longer value that SETBIT or BITFIELD
 * writes becomes a `MutableBytes` (src/keyspace/values/MutableBytes.ts), changed in place from
 * then on like Redis's sds. Reads here take either form (`Bitmap`) without building a string.
 */
import { constants as bufferConstants } from "node:buffer"
import { parseInteger } from "../../protocol/arguments.js"
import { command, type CommandContext, type CommandSpec, FIRST_KEY } from "../Command.js"
import { MutableBytes } from "../../keyspace/values/MutableBytes.js"

/** From this many bytes on, a written bitmap is kept as MutableBytes. */
export const MUTABLE_MIN = 1024

/** A string value as the bitmap commands read it. */
export type Bitmap = string | MutableBytes

/** Whether a value read with `getBytes` is a string (in either form). */
export const isBitmap = (value: unknown): value is Bitmap => typeof value === "string" || value instanceof MutableBytes

/** Byte `index` of a bitmap or buffer; 0 past its end. */
export const byteOf = (value: Bitmap | Buffer, index: number): number => {
  if (index >= value.length) return 0
  if (typeof value === "string") return value.charCodeAt(index)
  return value instanceof MutableBytes ? value.byteAt(index) : value[index]
}

const ERR_BIT_OFFSET = "ERR bit offset is not an integer or out of range"
export const ERR_TOO_LONG = "ERR string exceeds maximum allowed size (proto-max-bulk-len)"

type BitmapCommandInput = Omit<Parameters<typeof command>[0], "group" | "aclCategories">

/** Declares a command of the bitmap group; ACL categories as Redis derives them. */
export const bitmapCommand = (spec: BitmapCommandInput): CommandSpec =>
  command({
    ...FIRST_KEY,
    ...spec,
    group: "bitmap",
    aclCategories: [
      spec.flags.includes("write") ? "write" : "read",
      "bitmap",
      spec.flags.includes("fast") ? "fast" : "slow"
    ]
  })

/**
 * Redis's `getBitOffsetFromArgument`: a non-negative int64 whose byte (offset / 8) is below
 * proto-max-bulk-len; with `bits` > 0 a leading '#' multiplies the number by the field width
 * (as C does, in 64 bits). Returns the offset, or undefined after replying the error.
 */
export const bitOffsetOrReply = (ctx: CommandContext, text: string, bits = 0): number | undefined => {
  const useHash = bits > 0 && text.charCodeAt(0) === 35 // '#'
  const parsed = parseInteger(useHash ? text.slice(1) : text)
  if (parsed === undefined) {
    ctx.out.error(ERR_BIT_OFFSET)
    return undefined
  }
  // Numbers on the common path; int64 arithmetic (wrapping as C's does) past 2^53.
  const product = typeof parsed === "number" ? parsed * (useHash ? bits : 1) : Number.NaN
  const offset = Number.isSafeInteger(product)
    ? product
    : Number(BigInt.asIntN(64, BigInt(parsed) * BigInt(useHash ? bits : 1)))
  if (offset < 0 || Math.floor(offset / 8) >= ctx.server.config.protoMaxBulkLen) {
    ctx.out.error(ERR_BIT_OFFSET)
    return undefined
  }
  return offset
}

/** Whether a string of `length` bytes can be held (V8's limit is just under 512 MB); replies the error when not. */
export const lengthAllowedOrReply = (ctx: CommandContext, length: number): boolean => {
  if (length <= bufferConstants.MAX_STRING_LENGTH) return true
  ctx.out.error(ERR_TOO_LONG)
  return false
}

/** Set bits of every byte value. */
export const POPCOUNT = new Uint8Array(256)
for (let i = 1; i < 256; i++) POPCOUNT[i] = (i & 1) + POPCOUNT[i >> 1]

/** Set bits of a buffer: 32-bit words from the first aligned byte (SWAR), the edges byte by byte. */
const popcountBuffer = (bytes: Buffer): number => {
  let count = 0
  let i = 0
  const end = bytes.length
  while (i < end && ((bytes.byteOffset + i) & 3) !== 0) count += POPCOUNT[bytes[i++]]
  const words = (end - i) >>> 2
  const view = new Int32Array(bytes.buffer, bytes.byteOffset + i, words)
  // Two words at a time: their per-byte counts (at most 16 each) add up before the one multiply.
  const pairs = words & ~1
  for (let w = 0; w < pairs; w += 2) {
    let v = view[w]
    let u = view[w + 1]
    v = v - ((v >>> 1) & 0x55555555)
    u = u - ((u >>> 1) & 0x55555555)
    v = (v & 0x33333333) + ((v >>> 2) & 0x33333333)
    u = (u & 0x33333333) + ((u >>> 2) & 0x33333333)
    v = ((v + (v >>> 4)) & 0x0f0f0f0f) + ((u + (u >>> 4)) & 0x0f0f0f0f)
    count += Math.imul(v, 0x01010101) >>> 24
  }
  if (pairs !== words) {
    let v = view[pairs]
    v = v - ((v >>> 1) & 0x55555555)
    v = (v & 0x33333333) + ((v >>> 2) & 0x33333333)
    count += Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24
  }
  for (i += words * 4; i < end; i++) count += POPCOUNT[bytes[i]]
  return count
}

/** Set bits of bytes `from`..`to` (inclusive) of a bitmap. */
export const popcount = (value: Bitmap, from: number, to: number): number => {
  if (typeof value !== "string") {
    // The whole value of an in-place bitmap: its count is kept up to date as it changes.
    if (from === 0 && to === value.length - 1) return value.setBits(popcountBuffer)
    return popcountBuffer(value.view().subarray(from, to + 1))
  }
  // Big ranges go through a Buffer, whose 32-bit words count faster than characters one by one.
  if (to - from >= 4096) return popcountBuffer(Buffer.from(value.slice(from, to + 1), "latin1"))
  let count = 0
  for (let i = from; i <= to; i++) count += POPCOUNT[value.charCodeAt(i)]
  return count
}
