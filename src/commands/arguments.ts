/**
 * Argument parsing shared by every family, with Redis's rules and error texts.
 * Arguments are byte strings; numbers follow Redis's `string2ll` / `strtold` strictness.
 */
export const ERR_NOT_INTEGER = "ERR value is not an integer or out of range"
export const ERR_NOT_FLOAT = "ERR value is not a valid float"
export const ERR_SYNTAX = "ERR syntax error"

const INTEGER = /^(0|-?[1-9][0-9]*)$/
const INT64_MIN = -(2n ** 63n)
const INT64_MAX = 2n ** 63n - 1n

/**
 * A 64-bit signed integer as Redis's `string2ll` reads it: optional '-', digits, no leading
 * zeros, no '+', no spaces. Numbers beyond 2^53 come back as bigint so nothing is rounded.
 */
export const parseInteger = (text: string): number | bigint | undefined => {
  if (text.length === 0 || text.length > 20 || !INTEGER.test(text)) return undefined
  if (text.length < 16) return Number(text)
  const big = BigInt(text)
  if (big < INT64_MIN || big > INT64_MAX) return undefined
  return Number.isSafeInteger(Number(big)) ? Number(big) : big
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
