/**
 * Single bits and bit counts: SETBIT, GETBIT, BITCOUNT and BITPOS, with Redis 7.0's ranges
 * (BYTE, or BIT with partial first and last bytes) and its order of checks: BITCOUNT looks the
 * key up before reading its range, BITPOS reads the bit first.
 */
import { ERR_NOT_INTEGER, ERR_SYNTAX, parseInteger } from "../../protocol/arguments.js"
import type { CommandContext } from "../Command.js"
import { WRONGTYPE } from "../../keyspace/Value.js"
import { notify, NotifyType } from "../../pubsub/notify.js"
import { keyAt } from "../../protocol/key-specs.js"
import { isOption } from "../strings/shared.js"
import { MutableBytes } from "../../keyspace/values/MutableBytes.js"
import {
  type Bitmap,
  bitmapCommand,
  bitOffsetOrReply,
  byteOf,
  isBitmap,
  lengthAllowedOrReply,
  MUTABLE_MIN,
  POPCOUNT,
  popcount
} from "./shared.js"

/** A string of `count` zero bytes (cached: SETBIT far past the end of a new key is common). */
const zeros = (count: number): string => "\0".repeat(count)

const setbit = bitmapCommand({
  name: "setbit",
  arity: 4,
  flags: ["write", "denyoom"],
  keySpecs: [keyAt(1, "RW", "access", "update")],
  summary: "Sets or clears the bit at offset in the string value stored at key",
  since: "2.2.0",
  complexity: "O(1)",
  run: (ctx, argv) => {
    const offset = bitOffsetOrReply(ctx, argv[2])
    if (offset === undefined) return
    const on = argv[3]
    if (on !== "0" && on !== "1") {
      // Redis reads a long, then refuses anything but 0 and 1 with the same text.
      return ctx.out.error("ERR bit is not an integer or out of range")
    }
    const key = argv[1]
    const current = ctx.db.getBytes(key, ctx.now)
    if (current !== undefined && !isBitmap(current)) return ctx.out.error(WRONGTYPE)
    const byte = offset >>> 3
    const mask = 1 << (7 - (offset & 7))
    const wanted = on === "1"
    const length = Math.max(current?.length ?? 0, byte + 1)
    if (length > (current?.length ?? 0) && !lengthAllowedOrReply(ctx, length)) return
    const old = current === undefined ? 0 : byteOf(current, byte)
    const wasSet = (old & mask) !== 0
    const grows = length !== (current?.length ?? -1)
    const updatedByte = wanted ? old | mask : old & ~mask
    if (length >= MUTABLE_MIN || current instanceof MutableBytes) {
      // Long values (and those already kept as bytes, such as HLLs) change in place.
      if (current === undefined) {
        const bytes = MutableBytes.fromString("", length)
        bytes.growTo(length)
        bytes.setByte(byte, updatedByte)
        ctx.db.setKeepTtl(key, bytes)
      } else if (grows || wasSet !== wanted) {
        const bytes = ctx.db.mutableBytes(key, current, length)
        ctx.db.willModify(key)
        bytes.growTo(length)
        bytes.setByte(byte, updatedByte)
      }
    } else if (grows || wasSet !== wanted) {
      const before = (current as string | undefined) ?? ""
      const updated =
        byte >= before.length
          ? before + zeros(byte - before.length) + String.fromCharCode(updatedByte)
          : before.slice(0, byte) + String.fromCharCode(updatedByte) + before.slice(byte + 1)
      ctx.db.setKeepTtl(key, updated)
    }
    // Redis makes the value its own raw string even when the bit does not change.
    if (length <= 44) ctx.db.markEncoding(key, "raw")
    if (grows || wasSet !== wanted) notify(ctx, NotifyType.String, "setbit", key)
    ctx.out.integer(wasSet ? 1 : 0)
  }
})

const getbit = bitmapCommand({
  name: "getbit",
  arity: 3,
  flags: ["readonly", "fast"],
  keySpecs: [keyAt(1, "RO", "access")],
  summary: "Returns the bit value at offset in the string value stored at key",
  since: "2.2.0",
  complexity: "O(1)",
  run: (ctx, argv) => {
    const offset = bitOffsetOrReply(ctx, argv[2])
    if (offset === undefined) return
    const value = ctx.db.getBytes(argv[1], ctx.now)
    if (value === undefined) return ctx.out.integer(0)
    if (!isBitmap(value)) return ctx.out.error(WRONGTYPE)
    ctx.out.integer((byteOf(value, offset >>> 3) & (1 << (7 - (offset & 7)))) !== 0 ? 1 : 0)
  }
})

/** BYTE or BIT (case-insensitive); undefined for anything else. */
const unitIsBit = (arg: string): boolean | undefined =>
  isOption(arg, "bit") ? true : isOption(arg, "byte") ? false : undefined

/**
 * A range clamped to a value of `total` units, Redis's way (negative from the end, then into
 * 0..total-1); `end` may come out below `start` for an empty range.
 */
const clampRange = (startArg: number | bigint, endArg: number | bigint, total: number): [number, number] => {
  let start = Number(startArg)
  let end = Number(endArg)
  if (start < 0) start = total + start
  if (end < 0) end = total + end
  if (start < 0) start = 0
  if (end < 0) end = 0
  if (end >= total) end = total - 1
  return [start, end]
}

const bitcount = bitmapCommand({
  name: "bitcount",
  arity: -2,
  flags: ["readonly"],
  keySpecs: [keyAt(1, "RO", "access")],
  summary: "Count set bits in a string",
  since: "2.6.0",
  complexity: "O(N)",
  run: (ctx, argv) => {
    const value = ctx.db.getBytes(argv[1], ctx.now)
    if (value === undefined) return ctx.out.integer(0)
    if (!isBitmap(value)) return ctx.out.error(WRONGTYPE)
    if (argv.length === 2) return ctx.out.integer(popcount(value, 0, value.length - 1))
    if (argv.length !== 4 && argv.length !== 5) return ctx.out.error(ERR_SYNTAX)
    const startArg = parseInteger(argv[2])
    if (startArg === undefined) return ctx.out.error(ERR_NOT_INTEGER)
    const endArg = parseInteger(argv[3])
    if (endArg === undefined) return ctx.out.error(ERR_NOT_INTEGER)
    if (startArg < 0 && endArg < 0 && startArg > endArg) return ctx.out.integer(0)
    let isBit = false
    if (argv.length === 5) {
      const unit = unitIsBit(argv[4])
      if (unit === undefined) return ctx.out.error(ERR_SYNTAX)
      isBit = unit
    }
    const [start, end] = clampRange(startArg, endArg, isBit ? value.length * 8 : value.length)
    if (start > end) return ctx.out.integer(0)
    if (!isBit) return ctx.out.integer(popcount(value, start, end))
    const first = start >>> 3
    const last = end >>> 3
    // Whole bytes, less the bits of the first and last bytes outside the range.
    let count = popcount(value, first, last)
    count -= POPCOUNT[byteOf(value, first) & ~((1 << (8 - (start & 7))) - 1) & 0xff]
    count -= POPCOUNT[byteOf(value, last) & ((1 << (7 - (end & 7))) - 1)]
    ctx.out.integer(count)
  }
})

/** The first bit equal to `bit` in bits `from`..`to` (inclusive) of `value`, or -1. */
const firstBit = (value: Bitmap, bit: number, from: number, to: number): number => {
  const skip = bit === 1 ? 0 : 0xff
  let position = from
  while (position <= to) {
    if ((position & 7) === 0 && position + 7 <= to) {
      const byte = byteOf(value, position >>> 3)
      if (byte === skip) {
        position += 8
        continue
      }
    }
    const set = (byteOf(value, position >>> 3) & (0x80 >>> (position & 7))) !== 0
    if (set === (bit === 1)) return position
    position++
  }
  return -1
}

const bitpos = bitmapCommand({
  name: "bitpos",
  arity: -3,
  flags: ["readonly"],
  keySpecs: [keyAt(1, "RO", "access")],
  summary: "Find first bit set or clear in a string",
  since: "2.8.7",
  complexity: "O(N)",
  run: (ctx, argv) => bitposRun(ctx, argv)
})

const bitposRun = (ctx: CommandContext, argv: ReadonlyArray<string>): void => {
  const bitArg = parseInteger(argv[2])
  if (bitArg === undefined) return ctx.out.error(ERR_NOT_INTEGER)
  if (bitArg !== 0 && bitArg !== 1) return ctx.out.error("ERR The bit argument must be 1 or 0.")
  const bit = bitArg
  const value = ctx.db.getBytes(argv[1], ctx.now)
  // A missing key is an endless run of zero bits.
  if (value === undefined) return ctx.out.integer(bit === 1 ? -1 : 0)
  if (!isBitmap(value)) return ctx.out.error(WRONGTYPE)
  let isBit = false
  let endGiven = false
  let start = 0
  let end = value.length - 1
  if (argv.length >= 4 && argv.length <= 6) {
    const startArg = parseInteger(argv[3])
    if (startArg === undefined) return ctx.out.error(ERR_NOT_INTEGER)
    if (argv.length === 6) {
      const unit = unitIsBit(argv[5])
      if (unit === undefined) return ctx.out.error(ERR_SYNTAX)
      isBit = unit
    }
    const total = isBit ? value.length * 8 : value.length
    let endArg: number | bigint = total - 1
    if (argv.length >= 5) {
      const parsed = parseInteger(argv[4])
      if (parsed === undefined) return ctx.out.error(ERR_NOT_INTEGER)
      endArg = parsed
      endGiven = true
    }
    ;[start, end] = clampRange(startArg, endArg, total)
  } else if (argv.length !== 3) return ctx.out.error(ERR_SYNTAX)
  // An empty range holds neither a 0 nor a 1.
  if (start > end) return ctx.out.integer(-1)
  const from = isBit ? start : start * 8
  const to = isBit ? end : end * 8 + 7
  const found = firstBit(value, bit, from, to)
  if (found !== -1) return ctx.out.integer(found)
  // Looking for a clear bit without an end: the bits past the string count as zeros.
  ctx.out.integer(bit === 0 && !endGiven ? value.length * 8 : -1)
}

export const bitCommands = [setbit, getbit, bitcount, bitpos]
