/**
 * The timeout argument of the blocking commands, read as Redis 7.0 reads it
 * (getTimeoutFromObjectOrReply with seconds): a float as `strtold` takes it (hex and exponents
 * included), times 1000 in long double precision, rounded up to whole milliseconds, converted to
 * a 64-bit integer — a value out of that range (infinities included) turns into its most negative
 * value on x86, so Redis calls it negative. 0 (and anything that rounds up to 0, like -0.0004)
 * waits forever.
 */
import { parseLongDouble, INFINITE, type LongDouble } from "../strings/long-double.js"
import type { CommandContext } from "../Command.js"

const LLONG_MIN = -(1n << 63n)
const LLONG_LIMIT = 1n << 63n

const bitLength = (n: bigint): number => (n === 0n ? 0 : n.toString(2).length)

/** `(long long) ceill(value * 1000.0L)`, with x86's out-of-range conversion. */
export const timeoutMillis = (value: LongDouble): bigint => {
  if (value.significand === 0n) return 0n
  // The product rounds to a 64-bit significand, to nearest, ties to even.
  let significand = value.significand * 1000n
  let exponent = value.exponent
  const extra = bitLength(significand) - 64
  if (extra > 0) {
    const shift = BigInt(extra)
    let kept = significand >> shift
    const rest = significand - (kept << shift)
    const half = 1n << (shift - 1n)
    if (rest > half || (rest === half && (kept & 1n) === 1n)) kept++
    significand = kept
    exponent += extra
  }
  let whole: bigint
  let fraction = false
  if (exponent >= 0) {
    if (bitLength(significand) + exponent > 64) return LLONG_MIN
    whole = significand << BigInt(exponent)
  } else if (-exponent >= bitLength(significand)) {
    whole = 0n
    fraction = true
  } else {
    const shift = BigInt(-exponent)
    whole = significand >> shift
    fraction = whole << shift !== significand
  }
  // Up for positive values; for negative ones up is toward zero.
  const ceiled = value.negative ? -whole : whole + (fraction ? 1n : 0n)
  return ceiled >= LLONG_LIMIT || ceiled < LLONG_MIN ? LLONG_MIN : ceiled
}

/**
 * The absolute deadline (Unix ms, from the batch's time) a timeout argument asks for, 0 for none;
 * undefined after replying the error.
 */
export const parseTimeout = (ctx: CommandContext, text: string): number | undefined => {
  const value = parseLongDouble(text)
  if (value === undefined) return void ctx.out.error("ERR timeout is not a float or out of range")
  const millis = value === INFINITE ? LLONG_MIN : timeoutMillis(value)
  if (millis < 0n) return void ctx.out.error("ERR timeout is negative")
  return millis === 0n ? 0 : ctx.now + Number(millis)
}
