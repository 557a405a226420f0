/**
 * Argument parsing shared by every family, with Redis's rules and error texts.
 * Arguments are byte strings; numbers follow Redis's `string2ll` / `strtold` strictness.
 */
export const ERR_NOT_INTEGER = "ERR value is not an integer or out of range"
export const ERR_NOT_FLOAT = "ERR value is not a valid float"
export const ERR_SYNTAX = "ERR syntax error"

const INT64_MIN = -(2n ** 63n)
const INT64_MAX = 2n ** 63n - 1n

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
  return big < INT64_MIN || big > INT64_MAX ? undefined : big
}

/**
 * An int64 argument used as a count, index or offset: values beyond 2^53 are clamped to the
 * safe range, where they mean the same thing ("past the end") as in Redis.
 */
export const parseSafeInteger = (text: string): number | undefined => {
  const value = parseInteger(text)
  if (typeof value !== "bigint") return value
  return value > 0n ? Number.MAX_SAFE_INTEGER : -Number.MAX_SAFE_INTEGER
}

/** Case-insensitive comparison with an upper-case ASCII keyword (`NX`, `WITHSCORES`, ...). */
export const isKeyword = (arg: string, keyword: string): boolean =>
  arg.length === keyword.length && arg.toUpperCase() === keyword
