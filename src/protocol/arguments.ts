/**
 * Argument parsing shared by every family, with Redis's rules and error texts.
 * Arguments are byte strings; numbers follow Redis's `string2ll` / `strtold` strictness.
 */
export const ERR_NOT_INTEGER = "ERR value is not an integer or out of range"
export const ERR_NOT_FLOAT = "ERR value is not a valid float"
export const ERR_SYNTAX = "ERR syntax error"

/** int64's bounds (C's LONG_MAX / LONG_MIN on Redis's platforms). */
export const LONG_MAX = 2n ** 63n - 1n
export const LONG_MIN = -LONG_MAX - 1n

/**
 * A 64-bit signed integer as Redis's `string2ll` reads it: optional '-', digits, no leading
 * zeros, no '+', no spaces. Numbers beyond 2^53 come back as bigint so nothing is rounded.
 * A plain character loop: INCR and friends call it on the hot path (no regex, no allocation).
 */
export const parseInteger = (text: string): number | bigint | undefined => {
  const length = text.length
  if (length === 0 || length > 20) return undefined
  const negative = text.charCodeAt(0) === 45 // '-'
  let i = negative ? 1 : 0
  if (i === length) return undefined
  let code = text.charCodeAt(i)
  if (code === 48) return length === 1 ? 0 : undefined
  if (code < 49 || code > 57) return undefined
  let value = code - 48
  for (i++; i < length; i++) {
    code = text.charCodeAt(i)
    if (code < 48 || code > 57) return undefined
    value = value * 10 + (code - 48)
  }
  if (value <= Number.MAX_SAFE_INTEGER) return negative ? -value : value
  const big = BigInt(text)
  return big < LONG_MIN || big > LONG_MAX ? undefined : big
}

/**
 * An int64 argument used as a count, index or offset: values beyond 2^53 are clamped to the
 * safe range, where they mean the same thing ("past the end") as in Redis.
 */
export const parseSafeInteger = (text: string): number | undefined => {
  const value = parseInteger(text)
  return typeof value === "bigint" ? clampToSafe(value) : value
}

/** An int64 beyond 2^53 as ±(2^53-1): the same "more than there is" for a count or an index. */
const clampToSafe = (value: bigint): number => (value > 0n ? Number.MAX_SAFE_INTEGER : -Number.MAX_SAFE_INTEGER)

/** The reply when a bounded long is refused and the command gave no message of its own. */
const outOfRange = (min: bigint, max: bigint) => `ERR value is out of range, value must between ${min} and ${max}`

/**
 * An int64 argument within [min, max] (Redis's `getRangeLongFromObjectOrReply`), as a number
 * (clamped like `parseSafeInteger`), or the error text to reply with: `message` for both an
 * unparsable and an out-of-range value when the command gives one.
 */
export const rangeLong = (text: string, min: bigint, max: bigint, message?: string): number | string => {
  const value = parseInteger(text)
  if (value === undefined) return message ?? ERR_NOT_INTEGER
  if (value < min || value > max) return message ?? outOfRange(min, max)
  return typeof value === "bigint" ? clampToSafe(value) : value
}

/**
 * Any int64 argument (Redis's `getLongLongFromObjectOrReply`: a rank, an offset, numkeys) as a
 * number clamped like `parseSafeInteger`, or the error text: `rangeLong` over the whole range,
 * without its bigint bound checks (which cost more than the parsing on ZRANGE's path).
 */
export const longArgument = (text: string): number | string => parseSafeInteger(text) ?? ERR_NOT_INTEGER

/** `getPositiveLongFromObjectOrReply`: 0..LONG_MAX, one message for every failure. */
export const positiveLong = (text: string, message = "ERR value is out of range, must be positive"): number | string =>
  rangeLong(text, 0n, LONG_MAX, message)

/** Case-insensitive comparison with an upper-case ASCII keyword (`NX`, `WITHSCORES`, ...). */
export const isKeyword = (arg: string, keyword: string): boolean =>
  arg === keyword || (arg.length === keyword.length && arg.toUpperCase() === keyword)
