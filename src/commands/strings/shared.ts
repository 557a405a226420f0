/**
 * What every string command shares: the declaration helper (group, key position and ACL
 * categories are the same for the whole family), Redis's strict `string2ll` integer reading
 * without a regex, and the error texts the family answers with.
 */
import { command, type CommandSpec, FIRST_KEY } from "../Command.js"

export const ERR_EXPIRE_TIME = (name: string) => `ERR invalid expire time in '${name}' command`
export const ERR_TOO_LONG = "ERR string exceeds maximum allowed size (proto-max-bulk-len)"
export const EMPTY_BULK = "$0\r\n\r\n"

const INT64_MIN = -(2n ** 63n)
const INT64_MAX = 2n ** 63n - 1n

/**
 * A 64-bit signed integer exactly as Redis's `string2ll` accepts it: optional '-', then "0" alone
 * or digits without a leading zero (so "-0", "+1", "01", " 1" are all refused). Magnitudes past
 * 2^53 come back as bigint so nothing is rounded. Runs on every INCR, so no regex, no allocation.
 */
export const parseInt64 = (text: string): number | bigint | undefined => {
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

/** Whether an exact sum lies outside int64, where Redis reports an overflow. */
export const outsideInt64 = (value: bigint): boolean => value < INT64_MIN || value > INT64_MAX

/** An int64 as number when it is exactly representable, else as bigint. */
export const compactInt64 = (value: bigint): number | bigint =>
  value >= -9007199254740991n && value <= 9007199254740991n ? Number(value) : value

/** Case-insensitive match of an argument against a lower-case ASCII keyword, without allocating. */
export const isOption = (arg: string, lowerKeyword: string): boolean => {
  if (arg.length !== lowerKeyword.length) return false
  for (let i = 0; i < arg.length; i++) {
    if ((arg.charCodeAt(i) | 0x20) !== lowerKeyword.charCodeAt(i)) return false
  }
  return true
}

type StringCommandInput = Omit<Parameters<typeof command>[0], "group" | "aclCategories">

/**
 * Declares a command of the string family. Its only key is the first argument unless the
 * declaration says otherwise; ACL categories follow Redis's rule (write or read, the group's
 * @string, then fast or slow), the order in which `COMMAND INFO` lists them.
 */
export const stringCommand = (spec: StringCommandInput): CommandSpec =>
  command({
    ...FIRST_KEY,
    ...spec,
    group: "string",
    aclCategories: [
      spec.flags.includes("write") ? "write" : "read",
      "string",
      spec.flags.includes("fast") ? "fast" : "slow"
    ]
  })
