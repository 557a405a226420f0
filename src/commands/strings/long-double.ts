/**
 * INCRBYFLOAT's arithmetic, bit for bit as Redis does it on x86-64: the value and the increment
 * are read with `strtold` into an x87 80-bit `long double` (64-bit significand, exponents down to
 * the subnormal 2^-16445, largest finite just under 2^16384), added with one rounding, and
 * printed with `"%.17Lf"` followed by removal of trailing zeros. A JS double cannot reproduce
 * that ("10.5" + 0.1 is "10.6" in Redis, but 10.59999999999999964 in doubles), so values here
 * are exact `significand * 2^exponent` pairs in BigInt, rounded to nearest-even at the same
 * points the C code rounds. Not a hot path: a few BigInt operations per call.
 */

/** A finite extended-precision value: (-1)^negative * significand * 2^exponent. */
export interface LongDouble {
  readonly negative: boolean
  /** Below 2^64; zero means the value is zero. */
  readonly significand: bigint
  readonly exponent: number
}

/** What `parseLongDouble` and `addLongDouble` give for an infinite result. */
export const INFINITE = "infinite" as const

/** 0, what a missing key or field counts as. */
export const LONG_DOUBLE_ZERO: LongDouble = { negative: false, significand: 0n, exponent: 0 }

/** Exponent of the smallest subnormal: 2^-16445. */
const MIN_EXPONENT = -16445
/** A normal significand has 64 bits; a value reaches infinity at 2^16384. */
const MAX_EXPONENT = 16384 - 64
const SIGNIFICAND_LIMIT = 1n << 64n
const TOP_BIT = 1n << 63n
/** strtold's buffer in Redis (MAX_LONG_DOUBLE_CHARS): longer texts are not floats. */
const MAX_TEXT_LENGTH = 5 * 1024

const bitLength = (n: bigint): number => {
  if (n === 0n) return 0
  const hex = n.toString(16)
  return (hex.length - 1) * 4 + (32 - Math.clz32(parseInt(hex[0], 16)))
}

/** Rounds `n * 2^exponent` (n ≥ 0, exact) to a long double; undefined when it overflows. */
const roundDyadic = (negative: boolean, n: bigint, exponent: number): LongDouble | undefined => {
  if (n === 0n) return { negative, significand: 0n, exponent: 0 }
  let shift = Math.max(bitLength(n) - 64, MIN_EXPONENT - exponent)
  let significand: bigint
  if (shift <= 0) {
    significand = n << BigInt(-shift)
  } else {
    const bigShift = BigInt(shift)
    significand = n >> bigShift
    const rest = n - (significand << bigShift)
    const half = 1n << (bigShift - 1n)
    if (rest > half || (rest === half && (significand & 1n) === 1n)) significand++
    if (significand === SIGNIFICAND_LIMIT) {
      significand = TOP_BIT
      shift++
    }
  }
  const scaled = exponent + shift
  return scaled > MAX_EXPONENT ? undefined : { negative, significand, exponent: scaled }
}

/** Rounds `numerator / denominator` (both > 0, exact) to a long double; undefined on overflow. */
const roundQuotient = (negative: boolean, numerator: bigint, denominator: bigint): LongDouble | undefined => {
  // floor(log2(numerator / denominator)) is `estimate` or one less.
  const estimate = bitLength(numerator) - bitLength(denominator)
  const atLeast =
    estimate >= 0 ? numerator >= denominator << BigInt(estimate) : numerator << BigInt(-estimate) >= denominator
  const floorLog2 = atLeast ? estimate : estimate - 1
  let exponent = Math.max(floorLog2 - 63, MIN_EXPONENT)
  const n = exponent >= 0 ? numerator : numerator << BigInt(-exponent)
  const d = exponent >= 0 ? denominator << BigInt(exponent) : denominator
  let significand = n / d
  const twiceRest = (n - significand * d) * 2n
  if (twiceRest > d || (twiceRest === d && (significand & 1n) === 1n)) significand++
  if (significand === SIGNIFICAND_LIMIT) {
    significand = TOP_BIT
    exponent++
  }
  return exponent > MAX_EXPONENT ? undefined : { negative, significand, exponent }
}

const isDigit = (code: number) => code >= 48 && code <= 57
const hexValue = (code: number): number => {
  if (code >= 48 && code <= 57) return code - 48
  const lower = code | 0x20
  return lower >= 97 && lower <= 102 ? lower - 87 : -1
}
/** Exponents beyond this are all "certainly overflow / underflow"; saturating keeps them small. */
const EXPONENT_SATURATION = 1e9

/** Reads `[+-]digits` from `from`; returns [value, end] or undefined when there are no digits. */
const readExponent = (text: string, from: number): [number, number] | undefined => {
  let i = from
  let negative = false
  if (text[i] === "+" || text[i] === "-") negative = text[i++] === "-"
  if (i >= text.length || !isDigit(text.charCodeAt(i))) return undefined
  let value = 0
  for (; i < text.length && isDigit(text.charCodeAt(i)); i++) {
    value = Math.min(value * 10 + text.charCodeAt(i) - 48, EXPONENT_SATURATION)
  }
  return [negative ? -value : value, i]
}

/**
 * The value of a whole-text decimal or hexadecimal float (its sign already read) from `from`;
 * undefined when the text is not one, overflows, or is nonzero but rounds to zero.
 */
const parseFinite = (text: string, from: number, negative: boolean): LongDouble | undefined => {
  const hex = text[from] === "0" && (text[from + 1] === "x" || text[from + 1] === "X")
  let i = hex ? from + 2 : from
  const digitValue = hex ? hexValue : (code: number) => (isDigit(code) ? code - 48 : -1)
  let digits = ""
  let fractionDigits = 0
  let seenPoint = false
  let anyDigit = false
  for (; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (code === 46 && !seenPoint) {
      seenPoint = true
      continue
    }
    if (digitValue(code) < 0) break
    anyDigit = true
    if (digits.length !== 0 || code !== 48) digits += text[i]
    if (seenPoint) fractionDigits++
  }
  // "0x" without hex digits is strtold reading "0" and stopping at the "x": not the whole text.
  if (!anyDigit) return undefined
  let exponent = 0
  if (i < text.length) {
    const marker = text.charCodeAt(i) | 0x20
    if (marker !== (hex ? 112 : 101)) return undefined // 'p' or 'e'
    const read = readExponent(text, i + 1)
    if (read === undefined || read[1] !== text.length) return undefined
    exponent = read[0]
  }
  if (digits.length === 0) return { negative, significand: 0n, exponent: 0 }
  if (hex) {
    const n = BigInt("0x" + digits)
    const binaryExponent = exponent - 4 * fractionDigits
    if (binaryExponent + 4 * digits.length > 16400 || binaryExponent + 4 * digits.length < -16500) return undefined
    const value = roundDyadic(negative, n, binaryExponent)
    return value === undefined || value.significand === 0n ? undefined : value
  }
  const decimalExponent = exponent - fractionDigits
  // digits.length + decimalExponent bounds the magnitude: 10^(that-1) <= value < 10^that.
  const magnitude = digits.length + decimalExponent
  if (magnitude - 1 >= 4933 || magnitude <= -4952) return undefined
  const n = BigInt(digits)
  const value =
    decimalExponent >= 0
      ? roundDyadic(negative, n * 10n ** BigInt(decimalExponent), 0)
      : roundQuotient(negative, n, 10n ** BigInt(-decimalExponent))
  // Overflow and rounding to zero are strtold's ERANGE cases that Redis refuses.
  return value === undefined || value.significand === 0n ? undefined : value
}

/**
 * A text as Redis's `string2ld` reads it: the whole text must be one `strtold` number (decimal,
 * hexadecimal with optional 'p' exponent, "inf" or "infinity"), with no leading space, not NaN,
 * and not beyond the range (overflow, or a nonzero value that rounds to zero, is refused).
 * Returns undefined for "not a valid float" and INFINITE for an infinity it accepts.
 */
export const parseLongDouble = (text: string): LongDouble | typeof INFINITE | undefined => {
  if (text.length === 0 || text.length >= MAX_TEXT_LENGTH) return undefined
  let i = 0
  const sign = text.charCodeAt(0)
  if (sign === 43 || sign === 45) i = 1
  const rest = text.length - i
  if ((rest === 3 || rest === 8) && (text.charCodeAt(i) | 0x20) === 105) {
    const word = text.slice(i).toLowerCase()
    return word === "inf" || word === "infinity" ? INFINITE : undefined
  }
  return parseFinite(text, i, sign === 45)
}

/** The sum, rounded once; INFINITE when it leaves the finite range. */
export const addLongDouble = (a: LongDouble, b: LongDouble): LongDouble | typeof INFINITE => {
  if (b.significand === 0n) return a.significand === 0n ? { ...a, negative: a.negative && b.negative } : a
  if (a.significand === 0n) return b
  const exponent = Math.min(a.exponent, b.exponent)
  const left = a.significand << BigInt(a.exponent - exponent)
  const right = b.significand << BigInt(b.exponent - exponent)
  const sum = (a.negative ? -left : left) + (b.negative ? -right : right)
  return roundDyadic(sum < 0n, sum < 0n ? -sum : sum, exponent) ?? INFINITE
}

const FRACTION_DIGITS = 17
const FRACTION_SCALE = 10n ** 17n

/**
 * The text Redis stores: `"%.17Lf"` (exact decimal expansion rounded half-to-even at 17
 * fractional digits, as glibc's printf does), trailing zeros and a bare point removed, "-0" → "0".
 */
export const formatLongDouble = (value: LongDouble): string => {
  let scaled: bigint
  if (value.exponent >= 0) {
    scaled = (value.significand << BigInt(value.exponent)) * FRACTION_SCALE
  } else {
    const shift = BigInt(-value.exponent)
    const exact = value.significand * FRACTION_SCALE
    scaled = exact >> shift
    const rest = exact - (scaled << shift)
    const half = 1n << (shift - 1n)
    if (rest > half || (rest === half && (scaled & 1n) === 1n)) scaled++
  }
  let digits = scaled.toString()
  if (digits.length <= FRACTION_DIGITS) digits = "0".repeat(FRACTION_DIGITS + 1 - digits.length) + digits
  const integerPart = digits.slice(0, digits.length - FRACTION_DIGITS)
  let fractionEnd = digits.length
  while (fractionEnd > integerPart.length && digits.charCodeAt(fractionEnd - 1) === 48) fractionEnd--
  const text =
    fractionEnd === integerPart.length ? integerPart : integerPart + "." + digits.slice(integerPart.length, fractionEnd)
  return value.negative && text !== "0" ? "-" + text : text
}
