/**
 * BITFIELD and BITFIELD_RO: GET / SET / INCRBY on signed (i1..i64) and unsigned (u1..u63)
 * integers at any bit offset (`#n` means n times the width), with OVERFLOW WRAP | SAT | FAIL
 * applying to the operations after it. Every operation is parsed (and refused) before any runs,
 * as in Redis; a write grows the value to the furthest bit written before the first operation,
 * even when every write then fails on overflow. Values are bigints: fields reach 64 bits.
 */
import { ERR_NOT_INTEGER, ERR_SYNTAX, parseInteger } from "../../protocol/arguments.js"
import type { CommandContext } from "../Command.js"
import type { KeyReference } from "../../protocol/CommandInfo.js"
import { WRONGTYPE } from "../../keyspace/Value.js"
import { notify, NotifyType } from "../../pubsub/notify.js"
import { keyAt, noted } from "../../protocol/key-specs.js"
import { isOption } from "../strings/shared.js"
import { MutableBytes } from "../../keyspace/values/MutableBytes.js"
import { type Bitmap, bitmapCommand, bitOffsetOrReply, byteOf, isBitmap, lengthAllowedOrReply, MUTABLE_MIN } from "./shared.js"

const ERR_TYPE = "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is."

const GET = 0
const SET = 1
const INCRBY = 2

const WRAP = 0
const SAT = 1
const FAIL = 2

interface FieldOp {
  readonly opcode: number
  readonly signed: boolean
  readonly bits: number
  readonly offset: number
  readonly value: bigint
  readonly overflow: number
  /**
   * A field of at most 32 bits with an argument below 2^52 (not a negative SET of an unsigned
   * field, which Redis reads as a huge uint64): computed exactly in doubles, without bigints.
   */
  readonly small: boolean
  /** `value` as a number when `small`. */
  readonly smallValue: number
}

/** Largest |argument| of a `small` operation: field (< 2^32) plus argument stays exact below 2^53. */
const SMALL_ARGUMENT = 2 ** 52

/** `i<bits>` or `u<bits>` (lower case, as Redis reads it up to a NUL); undefined after replying the error. */
const fieldTypeOrReply = (ctx: CommandContext, text: string): { signed: boolean; bits: number } | undefined => {
  const kind = text.charCodeAt(0)
  const width = fieldWidth(text)
  if ((kind === 105 || kind === 117) && width !== undefined && width >= 1 && width <= (kind === 105 ? 64 : 63)) {
    return kind === 105 ? SIGNED[Number(width)] : UNSIGNED[Number(width)]
  }
  ctx.out.error(ERR_TYPE)
  return undefined
}

/** The number after a type's first letter, up to a NUL (short plain digits read directly). */
const fieldWidth = (text: string): number | bigint | undefined => {
  const nul = text.indexOf("\0")
  const end = nul === -1 ? text.length : nul
  const first = text.charCodeAt(1)
  if (end === 2 && first >= 48 && first <= 57) return first - 48
  const second = text.charCodeAt(2)
  if (end === 3 && first >= 49 && first <= 57 && second >= 48 && second <= 57) return (first - 48) * 10 + second - 48
  return parseInteger(text.slice(1, end))
}

/** The field types by width, made once. */
const SIGNED = Array.from({ length: 65 }, (_, bits) => ({ signed: true, bits }))
const UNSIGNED = Array.from({ length: 65 }, (_, bits) => ({ signed: false, bits }))

/** The `bits`-wide unsigned integer at bit `offset` of `bytes` (bits past the end read 0). */
const readUnsigned = (bytes: Bitmap | Buffer, offset: number, bits: number): bigint => {
  let value = 0n
  for (let i = 0; i < bits; i++) {
    const at = offset + i
    value = (value << 1n) | BigInt((byteOf(bytes, at >>> 3) >> (7 - (at & 7))) & 1)
  }
  return value
}

const readField = (bytes: Bitmap | Buffer, offset: number, bits: number, signed: boolean): bigint => {
  const value = readUnsigned(bytes, offset, bits)
  return signed ? BigInt.asIntN(bits, value) : value
}

/** Writes the low `bits` bits of `value` at bit `offset` (the target is long enough). */
const writeField = (target: Buffer | MutableBytes, offset: number, bits: number, value: bigint): void => {
  const unsigned = BigInt.asUintN(bits, value)
  for (let i = 0; i < bits; i++) {
    const at = offset + i
    const bit = Number((unsigned >> BigInt(bits - 1 - i)) & 1n)
    const mask = 0x80 >> (at & 7)
    const old = byteOf(target, at >>> 3)
    const updated = bit === 1 ? old | mask : old & ~mask
    if (target instanceof MutableBytes) target.setByte(at >>> 3, updated)
    else target[at >>> 3] = updated
  }
}

/** The unsigned `bits`-wide (at most 32) field at bit `offset` of `bytes`, as a number. */
const readSmall = (bytes: Bitmap | Buffer, offset: number, bits: number, signed: boolean): number => {
  let value = 0
  for (let i = 0; i < bits; i++) {
    const at = offset + i
    value = value * 2 + ((byteOf(bytes, at >>> 3) >> (7 - (at & 7))) & 1)
  }
  const span = 2 ** bits
  return signed && value >= span / 2 ? value - span : value
}

/** Writes the low `bits` (at most 32) bits of the integer `value` at bit `offset`. */
const writeSmall = (target: Buffer | MutableBytes, offset: number, bits: number, value: number): void => {
  const unsigned = value < 0 ? value + 2 ** bits : value
  for (let i = 0; i < bits; i++) {
    const at = offset + i
    const bit = (unsigned >>> (bits - 1 - i)) & 1
    const mask = 0x80 >> (at & 7)
    const old = byteOf(target, at >>> 3)
    const updated = bit === 1 ? old | mask : old & ~mask
    if (target instanceof MutableBytes) target.setByte(at >>> 3, updated)
    else target[at >>> 3] = updated
  }
}

/** `fieldResult` for a `small` operation: the result, with `smallOverflowed` set. */
let smallOverflowed = false
const smallFieldResult = (value: number, increment: number, bits: number, signed: boolean, overflow: number): number => {
  const span = 2 ** bits
  const max = signed ? span / 2 - 1 : span - 1
  const min = signed ? -max - 1 : 0
  const exact = value + increment
  smallOverflowed = exact < min || exact > max
  if (!smallOverflowed) return exact
  if (overflow === SAT) return exact > max ? max : min
  const wrapped = ((exact % span) + span) % span
  return signed && wrapped > max ? wrapped - span : wrapped
}

/**
 * Redis's overflow check for `value + increment` in a field: the result to store and whether it
 * overflowed. A signed field holds [-2^(bits-1), 2^(bits-1)); an unsigned one [0, 2^bits), where
 * SET reads its argument as a uint64 first (so a negative one is too big: SAT gives the maximum).
 */
const fieldResult = (
  value: bigint,
  increment: bigint,
  bits: number,
  signed: boolean,
  overflow: number
): { result: bigint; overflowed: boolean } => {
  const base = signed ? value : BigInt.asUintN(64, value)
  const exact = base + increment
  const max = signed ? (1n << BigInt(bits - 1)) - 1n : (1n << BigInt(bits)) - 1n
  const min = signed ? -max - 1n : 0n
  if (exact >= min && exact <= max) return { result: exact, overflowed: false }
  if (overflow === SAT) return { result: exact > max ? max : min, overflowed: true }
  return { result: signed ? BigInt.asIntN(bits, exact) : BigInt.asUintN(bits, exact), overflowed: true }
}

/** Parses every operation; undefined after replying the first error. */
const parseOps = (ctx: CommandContext, argv: ReadonlyArray<string>): Array<FieldOp> | undefined => {
  const ops: Array<FieldOp> = []
  let overflow = WRAP
  for (let j = 2; j < argv.length; j++) {
    const remaining = argv.length - j - 1
    const name = argv[j]
    let opcode: number
    if (isOption(name, "get") && remaining >= 2) opcode = GET
    else if (isOption(name, "set") && remaining >= 3) opcode = SET
    else if (isOption(name, "incrby") && remaining >= 3) opcode = INCRBY
    else if (isOption(name, "overflow") && remaining >= 1) {
      const mode = argv[++j]
      if (isOption(mode, "wrap")) overflow = WRAP
      else if (isOption(mode, "sat")) overflow = SAT
      else if (isOption(mode, "fail")) overflow = FAIL
      else {
        ctx.out.error("ERR Invalid OVERFLOW type specified")
        return undefined
      }
      continue
    } else {
      ctx.out.error(ERR_SYNTAX)
      return undefined
    }
    const type = fieldTypeOrReply(ctx, argv[j + 1])
    if (type === undefined) return undefined
    const offset = bitOffsetOrReply(ctx, argv[j + 2], type.bits)
    if (offset === undefined) return undefined
    let value = 0n
    let smallValue = 0
    let small = type.bits <= 32
    if (opcode !== GET) {
      const parsed = parseInteger(argv[j + 3])
      if (parsed === undefined) {
        ctx.out.error(ERR_NOT_INTEGER)
        return undefined
      }
      if (typeof parsed === "number" && parsed > -SMALL_ARGUMENT && parsed < SMALL_ARGUMENT) {
        smallValue = parsed
        small &&= type.signed || opcode !== SET || parsed >= 0
      } else {
        small = false
      }
      if (!small) value = BigInt(parsed)
    }
    ops.push({ opcode, signed: type.signed, bits: type.bits, offset, value, overflow, small, smallValue })
    j += opcode === GET ? 2 : 3
  }
  return ops
}

const runBitfield = (ctx: CommandContext, argv: ReadonlyArray<string>, readOnly: boolean): void => {
  const ops = parseOps(ctx, argv)
  if (ops === undefined) return
  const key = argv[1]
  let furthest = -1
  for (const op of ops) if (op.opcode !== GET && op.offset + op.bits - 1 > furthest) furthest = op.offset + op.bits - 1
  const current = ctx.db.getBytes(key, ctx.now)
  if (current !== undefined && !isBitmap(current)) {
    if (furthest === -1 || !readOnly) return ctx.out.error(WRONGTYPE)
  }
  if (furthest === -1) {
    ctx.out.arrayHeader(ops.length)
    for (const op of ops) ctx.out.integer(current === undefined ? 0n : readField(current as Bitmap, op.offset, op.bits, op.signed))
    return
  }
  if (readOnly) return ctx.out.error("ERR BITFIELD_RO only supports the GET subcommand")
  const existing = current as Bitmap | undefined
  const length = Math.max(existing?.length ?? 0, (furthest >>> 3) + 1)
  if (length > (existing?.length ?? 0) && !lengthAllowedOrReply(ctx, length)) return
  // Creating or growing the value is a change even if no write then lands.
  const grown = existing === undefined || existing.length !== length
  // Long values change in place; short ones are rebuilt as a string at the end.
  let target: Buffer | MutableBytes
  if (length >= MUTABLE_MIN || existing instanceof MutableBytes) {
    if (existing === undefined) {
      target = MutableBytes.fromString("", length)
      ctx.db.setKeepTtl(key, target)
    } else {
      target = ctx.db.mutableBytes(key, existing, length)
      if (grown) ctx.db.willModify(key)
    }
    target.growTo(length)
  } else {
    target = Buffer.alloc(length)
    if (existing !== undefined) target.latin1Write(existing.toString(), 0, existing.length)
  }
  let changes = 0
  ctx.out.arrayHeader(ops.length)
  for (const op of ops) {
    if (op.small) {
      if (op.opcode === GET) {
        ctx.out.integer(readSmall(target, op.offset, op.bits, op.signed))
        continue
      }
      const old = readSmall(target, op.offset, op.bits, op.signed)
      const result = op.opcode === INCRBY
        ? smallFieldResult(old, op.smallValue, op.bits, op.signed, op.overflow)
        : smallFieldResult(op.smallValue, 0, op.bits, op.signed, op.overflow)
      if (smallOverflowed && op.overflow === FAIL) {
        ctx.out.nullBulk()
        continue
      }
      ctx.out.integer(op.opcode === INCRBY ? result : old)
      if (result !== old && !grown && changes === 0 && target instanceof MutableBytes) ctx.db.willModify(key)
      writeSmall(target, op.offset, op.bits, result)
      if (grown || result !== old) changes++
      continue
    }
    if (op.opcode === GET) {
      ctx.out.integer(readField(target, op.offset, op.bits, op.signed))
      continue
    }
    const old = readField(target, op.offset, op.bits, op.signed)
    const { result, overflowed } =
      op.opcode === INCRBY
        ? fieldResult(old, op.value, op.bits, op.signed, op.overflow)
        : fieldResult(op.value, 0n, op.bits, op.signed, op.overflow)
    if (overflowed && op.overflow === FAIL) {
      ctx.out.nullBulk()
      continue
    }
    ctx.out.integer(op.opcode === INCRBY ? result : old)
    if (result !== old && !grown && changes === 0 && target instanceof MutableBytes) ctx.db.willModify(key)
    writeField(target, op.offset, op.bits, result)
    if (grown || result !== old) changes++
  }
  if (!(target instanceof MutableBytes) && (grown || changes > 0)) ctx.db.setKeepTtl(key, target.latin1Slice(0, length))
  if (length <= 44) ctx.db.markEncoding(key, "raw")
  if (changes > 0) notify(ctx, NotifyType.String, "setbit", key)
}

/** COMMAND GETKEYS: the key is read-only unless a SET or INCRBY is among the arguments (Redis's bitfieldGetKeys). */
const bitfieldKeys = (argv: ReadonlyArray<string>): ReadonlyArray<KeyReference> => {
  for (let i = 2; i < argv.length; i++) {
    const arg = argv[i]
    const remaining = argv.length - i - 1
    if (isOption(arg, "get") && remaining >= 2) i += 2
    else if ((isOption(arg, "set") || isOption(arg, "incrby")) && remaining >= 3) {
      return [{ position: 1, flags: ["RW", "access", "update"] }]
    } else if (isOption(arg, "overflow") && remaining >= 1) i += 1
    // A syntax error: the safer answer is "may write".
    else return [{ position: 1, flags: ["RW", "access", "update"] }]
  }
  return [{ position: 1, flags: ["RO", "access"] }]
}

const bitfield = bitmapCommand({
  name: "bitfield",
  arity: -2,
  flags: ["write", "denyoom"],
  keySpecs: [noted(keyAt(1, "RW", "access", "update", "variable_flags"), "This command allows both access and modification of the key")],
  getKeys: bitfieldKeys,
  summary: "Perform arbitrary bitfield integer operations on strings",
  since: "3.2.0",
  complexity: "O(1) for each subcommand specified",
  run: (ctx, argv) => runBitfield(ctx, argv, false)
})

const bitfieldRo = bitmapCommand({
  name: "bitfield_ro",
  arity: -2,
  flags: ["readonly", "fast"],
  keySpecs: [keyAt(1, "RO", "access")],
  summary: "Perform arbitrary bitfield integer operations on strings. Read-only variant of BITFIELD",
  since: "6.0.0",
  complexity: "O(1) for each subcommand specified",
  run: (ctx, argv) => runBitfield(ctx, argv, true)
})

export const bitfieldCommands = [bitfield, bitfieldRo]
