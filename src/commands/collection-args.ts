/**
 * Argument readers the collection families share, with Redis's error texts: bounded longs
 * (`getRangeLongFromObjectOrReply`: one message for both unparsable and out-of-range values when
 * the command gives one) and the options of SSCAN / ZSCAN (and HSCAN).
 */
import { globMatch } from "../keyspace/glob.js"
import { ERR_NOT_INTEGER, ERR_SYNTAX, isKeyword, parseInteger } from "./arguments.js"
import type { CommandContext } from "./Command.js"

const CURSOR = /^(?:[+-]?[0-9]+)?$/
const UINT64_MAX = 18446744073709551615n
const TWO_TO_64 = 18446744073709551616n

/**
 * A collection SCAN cursor as Redis reads it (`strtoul`, which stops at a NUL byte — Redis only
 * checks that it stopped at the C string's end): empty means 0, an optional sign, digits, no
 * spaces, at most 2^64-1 (a '-' wraps around). -1 for a valid cursor none of ours can be
 * (>= 2^53); undefined for an invalid one ("ERR invalid cursor").
 */
export const parseCursor = (text: string): number | undefined => {
  const nul = text.indexOf("\0")
  if (nul >= 0) text = text.slice(0, nul)
  if (!CURSOR.test(text)) return undefined
  if (text.length <= 15) {
    const value = text === "" ? 0 : Number(text)
    return value < 0 ? -1 : value
  }
  const negative = text.charCodeAt(0) === 45
  const magnitude = BigInt(negative ? text.slice(1) : text)
  if (magnitude > UINT64_MAX) return undefined
  const value = negative && magnitude !== 0n ? TWO_TO_64 - magnitude : magnitude
  return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : -1
}

export const LONG_MAX = 9223372036854775807n

/** The reply when a bounded long is refused and the command gave no message of its own. */
const outOfRange = (min: bigint, max: bigint) => `ERR value is out of range, value must between ${min} and ${max}`

/**
 * An int64 argument within [min, max], as a number (values past 2^53 are clamped to ±2^53-1,
 * where they mean the same as in Redis: "more than there is"), or the error text to reply with.
 */
export const rangeLong = (text: string, min: bigint, max: bigint, message?: string): number | string => {
  const value = parseInteger(text)
  if (value === undefined) return message ?? ERR_NOT_INTEGER
  if (value < min || value > max) return message ?? outOfRange(min, max)
  if (typeof value === "number") return value
  return value > 0n ? Number.MAX_SAFE_INTEGER : -Number.MAX_SAFE_INTEGER
}

/** `getPositiveLongFromObjectOrReply`: 0..LONG_MAX, one message for every failure. */
export const positiveLong = (text: string, message = "ERR value is out of range, must be positive"): number | string =>
  rangeLong(text, 0n, LONG_MAX, message)

/** COUNT and MATCH of a collection SCAN; `pattern` undefined means everything. */
export interface ScanOptions {
  count: number
  pattern: string | undefined
}

/**
 * Reads the options from argv[3] on (Redis's `scanGenericCommand`: COUNT must be at least 1,
 * TYPE belongs to the keyspace SCAN only). Undefined after replying with the error.
 */
export const parseScanOptions = (ctx: CommandContext, argv: ReadonlyArray<string>): ScanOptions | undefined => {
  const options: ScanOptions = { count: 10, pattern: undefined }
  for (let i = 3; i < argv.length; i += 2) {
    const hasValue = i + 1 < argv.length
    if (hasValue && isKeyword(argv[i], "COUNT")) {
      const count = rangeLong(argv[i + 1], -LONG_MAX - 1n, LONG_MAX)
      if (typeof count === "string") return void ctx.out.error(count)
      if (count < 1) return void ctx.out.error(ERR_SYNTAX)
      options.count = count
    } else if (hasValue && isKeyword(argv[i], "MATCH")) {
      options.pattern = argv[i + 1] === "*" ? undefined : argv[i + 1]
    } else {
      return void ctx.out.error(ERR_SYNTAX)
    }
  }
  return options
}

/** Whether a scanned element passes MATCH. */
export const scanMatches = (options: ScanOptions, element: string): boolean =>
  options.pattern === undefined || globMatch(options.pattern, element)

/** The reply Redis gives SSCAN / ZSCAN of a missing key: cursor 0, nothing. */
export const EMPTY_SCAN = "*2\r\n$1\r\n0\r\n*0\r\n"
