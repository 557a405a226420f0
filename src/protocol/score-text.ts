/**
 * Scores as text, both ways, the way Redis 7.0 reads and writes them:
 * - `parseScore`: `string2d` (ZADD, ZINCRBY, WEIGHTS): the whole text is one `strtod` number,
 *   no leading space, not NaN, and no overflow or underflow to zero (a subnormal is fine);
 * - `parseRangeScore`: `zslParseRange`'s bare `strtod` (ZRANGEBYSCORE, ZCOUNT, ...): leading
 *   space is skipped, the text stops at a NUL byte, an empty text is 0, overflow is ±inf;
 * - `formatScore`: `"%.17g"` (every score Redis replies with, and what ZSCAN prints).
 * `strtod` reads decimal and hexadecimal (`0x1.8p3`) floats, `inf` and `infinity` in any case.
 * Both directions are exact: decimal texts go through V8's correctly rounded `Number()`, hex
 * texts and the rare `%.17g` ties through BigInt.
 */

/** Set by `readDouble` when the text overflowed to ±inf or a nonzero text underflowed to 0. */
let outOfRange = false

const isDigit = (code: number) => code >= 48 && code <= 57
const hexDigit = (code: number): number => {
  if (code >= 48 && code <= 57) return code - 48
  const lower = code | 0x20
  return lower >= 97 && lower <= 102 ? lower - 87 : -1
}

const bitLength = (n: bigint): number => {
  const hex = n.toString(16)
  return (hex.length - 1) * 4 + (32 - Math.clz32(parseInt(hex[0], 16)))
}

/** `n * 2^exponent` (n > 0) rounded to the nearest double, ties to even, with subnormals. */
const dyadicToDouble = (n: bigint, exponent: number): number => {
  const top = bitLength(n) - 1 + exponent
  if (top > 1023) return Infinity
  const ulp = Math.max(top - 52, -1074)
  const shift = ulp - exponent
  let mantissa: bigint
  if (shift <= 0) {
    mantissa = n << BigInt(-shift)
  } else {
    const bigShift = BigInt(shift)
    mantissa = n >> bigShift
    const rest = n - (mantissa << bigShift)
    const half = 1n << (bigShift - 1n)
    if (rest > half || (rest === half && (mantissa & 1n) === 1n)) mantissa++
  }
  // Both factors are exact doubles and so is their product (or it overflows to Infinity).
  return Number(mantissa) * 2 ** ulp
}

/** A hexadecimal float from `from` (just after "0x") to the end; undefined when malformed. */
const readHex = (text: string, from: number): number | undefined => {
  let i = from
  let digits = ""
  let fractionDigits = 0
  let seenPoint = false
  for (; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (code === 46 && !seenPoint) {
      seenPoint = true
      continue
    }
    if (hexDigit(code) < 0) break
    digits += text[i]
    if (seenPoint) fractionDigits++
  }
  if (digits.length === 0) return undefined
  let exponent = 0
  if (i < text.length) {
    if ((text.charCodeAt(i) | 0x20) !== 112) return undefined // 'p'
    let j = i + 1
    let negative = false
    if (text[j] === "+" || text[j] === "-") negative = text[j++] === "-"
    if (j >= text.length) return undefined
    for (; j < text.length; j++) {
      const code = text.charCodeAt(j)
      if (!isDigit(code)) return undefined
      exponent = Math.min(exponent * 10 + code - 48, 1e6)
    }
    if (negative) exponent = -exponent
  }
  const n = BigInt("0x" + digits)
  if (n === 0n) return 0
  const scaled = exponent - 4 * fractionDigits
  const value = dyadicToDouble(n, scaled)
  if (value === Infinity || value === 0) outOfRange = true
  return value
}

/**
 * `strtod` over all of `text` from `from`, its sign included: the value, or undefined when the
 * text is not entirely one number. NaN comes back as NaN (callers refuse it).
 */
const readDouble = (text: string, from: number): number | undefined => {
  outOfRange = false
  const length = text.length
  let i = from
  const sign = text.charCodeAt(i)
  const negative = sign === 45
  if (negative || sign === 43) i++
  if (i >= length) return undefined
  const first = text.charCodeAt(i)
  if ((first | 0x20) === 105 || (first | 0x20) === 110) {
    const word = text.slice(i).toLowerCase()
    if (word === "inf" || word === "infinity") return negative ? -Infinity : Infinity
    return word === "nan" ? NaN : undefined
  }
  if (first === 48 && (text.charCodeAt(i + 1) | 0x20) === 120) {
    const value = readHex(text, i + 2)
    return value === undefined ? undefined : negative ? -value : value
  }
  // Decimal: digits [. digits] [e [sign] digits], at least one mantissa digit.
  let mantissaDigits = 0
  let nonzero = false
  for (; i < length; i++) {
    const code = text.charCodeAt(i)
    if (!isDigit(code)) break
    mantissaDigits++
    if (code !== 48) nonzero = true
  }
  if (i < length && text.charCodeAt(i) === 46) {
    for (i++; i < length; i++) {
      const code = text.charCodeAt(i)
      if (!isDigit(code)) break
      mantissaDigits++
      if (code !== 48) nonzero = true
    }
  }
  if (mantissaDigits === 0) return undefined
  if (i < length) {
    if ((text.charCodeAt(i) | 0x20) !== 101) return undefined // 'e'
    i++
    const exponentSign = text.charCodeAt(i)
    if (exponentSign === 43 || exponentSign === 45) i++
    if (i >= length) return undefined
    for (; i < length; i++) if (!isDigit(text.charCodeAt(i))) return undefined
  }
  const value = Number(from === 0 ? text : text.slice(from))
  if (value === Infinity || value === -Infinity || (value === 0 && nonzero)) outOfRange = true
  return value
}

/** Reads an all-digits text below 2^53 without Number(): the common "ZADD key 3 member". */
const readSmallInteger = (text: string): number | undefined => {
  const length = text.length
  if (length === 0 || length > 15) return undefined
  let i = text.charCodeAt(0) === 45 ? 1 : 0
  if (i === length) return undefined
  let value = 0
  for (; i < length; i++) {
    const code = text.charCodeAt(i)
    if (code < 48 || code > 57) return undefined
    value = value * 10 + (code - 48)
  }
  return text.charCodeAt(0) === 45 ? -value : value
}

const isSpace = (code: number) => code === 32 || (code >= 9 && code <= 13)

/** A score as `string2d` reads it; undefined for "not a valid float" (NaN included). */
export const parseScore = (text: string): number | undefined => {
  const small = readSmallInteger(text)
  if (small !== undefined) return small
  if (text.length === 0 || isSpace(text.charCodeAt(0))) return undefined
  const value = readDouble(text, 0)
  if (value === undefined || value !== value || outOfRange) {
    // An explicit "inf" is fine; only a finite text that overflowed is refused.
    return value === Infinity || value === -Infinity ? (outOfRange ? undefined : value) : undefined
  }
  return value
}

/**
 * A range bound as `zslParseRange` reads it after the optional '(' (from `from`): `strtod` must
 * stop at the end or at a NUL byte; leading space is skipped; nothing at all reads as 0.
 */
export const parseRangeScore = (text: string, from: number): number | undefined => {
  const nul = text.indexOf("\0", from)
  const end = nul < 0 ? text.length : nul
  if (end === from) return 0
  let start = from
  while (start < end && isSpace(text.charCodeAt(start))) start++
  if (start === end) return undefined
  const value = readDouble(start === 0 && end === text.length ? text : text.slice(start, end), 0)
  return value === undefined || value !== value ? undefined : value
}

/**
 * SORT's reading of a value as a number: `strtod` over the whole C string (up to a NUL byte),
 * leading space skipped, an empty text read as 0; undefined for anything left over, NaN, or a
 * value out of range (ERANGE).
 */
export const parseSortScore = (text: string): number | undefined => {
  const small = readSmallInteger(text)
  if (small !== undefined) return small
  const nul = text.indexOf("\0")
  const end = nul < 0 ? text.length : nul
  if (end === 0) return 0
  let start = 0
  while (start < end && isSpace(text.charCodeAt(start))) start++
  if (start === end) return undefined
  const number = start === 0 && end === text.length ? text : text.slice(start, end)
  const value = readDouble(number, 0)
  if (value === undefined || value !== value || outOfRange) return undefined
  // A decimal text cannot name a subnormal exactly: glibc reports the underflow (hex can).
  if (value !== 0 && Math.abs(value) < 2.2250738585072014e-308 && !/x/i.test(number)) return undefined
  return value
}

// %.17g

const float64 = new Float64Array(1)
const words = new Uint32Array(float64.buffer)
const LOW_WORD = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 0 : 1

/** How many binary fraction digits `x` (finite, not an integer) has: x * 2^k is an odd integer. */
const fractionBits = (x: number): number => {
  float64[0] = x
  const low = words[LOW_WORD]
  const high = words[1 - LOW_WORD]
  const biased = (high >>> 20) & 0x7ff
  const exponent = biased === 0 ? -1074 : biased - 1075
  const highSignificand = (high & 0xfffff) | (biased === 0 ? 0 : 0x100000)
  const trailing = low !== 0 ? 31 - Math.clz32(low & -low) : 63 - Math.clz32(highSignificand & -highSignificand)
  return -(exponent + trailing)
}

/** Lays out up to 17 significant digits with decimal exponent `exponent` as `%g` does. */
const layout = (negative: boolean, digits: string, exponent: number): string => {
  let end = digits.length
  while (end > 1 && digits.charCodeAt(end - 1) === 48) end--
  const significant = digits.slice(0, end)
  const sign = negative ? "-" : ""
  if (exponent < -4 || exponent >= 17) {
    const mantissa = significant.length === 1 ? significant : `${significant[0]}.${significant.slice(1)}`
    const magnitude = Math.abs(exponent)
    return `${sign}${mantissa}e${exponent < 0 ? "-" : "+"}${magnitude < 10 ? "0" : ""}${magnitude}`
  }
  if (exponent < 0) return `${sign}0.${"0".repeat(-exponent - 1)}${significant}`
  if (significant.length <= exponent + 1) return sign + significant + "0".repeat(exponent + 1 - significant.length)
  return `${sign}${significant.slice(0, exponent + 1)}.${significant.slice(exponent + 1)}`
}

/** `%.17g` by exact decimal expansion (x = mantissa / 2^k), rounding half to even like glibc. */
const formatExactly = (x: number, k: number): string => {
  const negative = x < 0
  const magnitude = negative ? -x : x
  // Two exact scalings, so 2^k never overflows (subnormals have k up to 1074).
  const mantissa = BigInt(k > 537 ? magnitude * 2 ** 537 * 2 ** (k - 537) : magnitude * 2 ** k)
  let digits = (mantissa * 5n ** BigInt(k)).toString()
  let exponent = digits.length - 1 - k
  if (digits.length > 17) {
    const dropped = digits.length - 17
    const scale = 10n ** BigInt(dropped)
    const whole = BigInt(digits)
    let kept = whole / scale
    const rest = whole - kept * scale
    const half = scale / 2n
    if (rest > half || (rest === half && (kept & 1n) === 1n)) kept++
    digits = kept.toString()
    if (digits.length > 17) {
      digits = digits.slice(0, 17)
      exponent++
    }
  }
  return layout(negative, digits, exponent)
}

/** `x` as Redis's `"%.17g"` prints it (inf and -inf as Redis spells them). */
export const formatScore = (x: number): string => {
  if (Number.isInteger(x)) {
    if (x === 0) return Object.is(x, -0) ? "-0" : "0"
    if (x < 9007199254740992 && x > -9007199254740992) return String(x)
    if (x < 1e17 && x > -1e17) return BigInt(x).toString()
  } else if (x !== x) {
    return "nan"
  } else if (x === Infinity) {
    return "inf"
  } else if (x === -Infinity) {
    return "-inf"
  } else {
    // JS rounds a tie at the 17th digit up, glibc to even; a tie needs the exact expansion to
    // have exactly 18 digits, i.e. k + exponent = 17 (checked with one digit of slack).
    const k = fractionBits(x)
    const estimate = Math.floor(Math.log10(Math.abs(x)))
    const spread = k + estimate
    if (spread >= 15 && spread <= 19) return formatExactly(x, k)
    const fixed = x.toPrecision(17)
    // toPrecision is fixed-point down to 1e-7, %g only down to 1e-4.
    if (fixed.indexOf("e") < 0 && !fixed.startsWith("0.0000") && !fixed.startsWith("-0.0000")) {
      let end = fixed.length
      while (fixed.charCodeAt(end - 1) === 48) end--
      if (fixed.charCodeAt(end - 1) === 46) end--
      return fixed.slice(0, end)
    }
  }
  const text = x.toExponential(16)
  const e = text.indexOf("e")
  const negative = text.charCodeAt(0) === 45
  const digits = text.slice(negative ? 1 : 0, e).replace(".", "")
  return layout(negative, digits, Number(text.slice(e + 1)))
}

const TWO_TO_62 = 4611686018427387904

/**
 * A score as a listpack stores it (ZSCAN of a listpack prints this text): an integral score
 * within ±2^62 (Redis's `double2ll` bound, LLONG_MAX/2) as its integer digits — so -0 is "0" —
 * and anything else as "%.17g".
 */
export const formatListpackScore = (x: number): string =>
  Number.isInteger(x) && x >= -TWO_TO_62 && x <= TWO_TO_62
    ? x < 9007199254740992 && x > -9007199254740992
      ? String(x + 0)
      : BigInt(x).toString()
    : formatScore(x)
