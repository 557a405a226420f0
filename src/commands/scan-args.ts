/**
 * The arguments of the SCAN family (SCAN, HSCAN, SSCAN, ZSCAN), read as Redis's
 * `parseScanCursorOrReply` and `scanGenericCommand` read them: the cursor, then COUNT and MATCH
 * (and TYPE, for SCAN only).
 */
import { globMatch } from "../keyspace/glob.js"
import { ERR_NOT_INTEGER, ERR_SYNTAX, isKeyword, parseSafeInteger } from "../protocol/arguments.js"
import type { CommandContext } from "./Command.js"

export const ERR_INVALID_CURSOR = "ERR invalid cursor"

const UINT64_MAX = 2n ** 64n - 1n
const TWO_TO_64 = 2n ** 64n

/**
 * A cursor as Redis reads it: C's `strtoul` in base 10, which reads up to the first NUL byte,
 * with Redis's checks around it (no leading white space, nothing left after the number, no
 * overflow). So: an optional sign and digits ("" and "\0..." mean 0; "+" or "-" alone is
 * invalid), at most 2^64-1, a '-' negating modulo 2^64. The cursor as a uint64, or undefined
 * for "ERR invalid cursor".
 *
 * SCAN keeps only its low 32 bits (see keys/iteration.ts); HSCAN, SSCAN and ZSCAN take it as the
 * id of a parked iterator (keyspace/ScanCursors.ts).
 */
export const parseScanCursor = (text: string): bigint | undefined => {
  const nul = text.indexOf("\0")
  const end = nul < 0 ? text.length : nul
  if (end === 0) return 0n
  const sign = text.charCodeAt(0)
  const start = sign === 43 || sign === 45 ? 1 : 0
  if (start === end) return undefined
  for (let i = start; i < end; i++) {
    const code = text.charCodeAt(i)
    if (code < 48 || code > 57) return undefined
  }
  const magnitude = BigInt(text.slice(start, end))
  if (magnitude > UINT64_MAX) return undefined
  return sign === 45 && magnitude !== 0n ? TWO_TO_64 - magnitude : magnitude
}

/** COUNT, MATCH and (SCAN's) TYPE; `pattern` and `type` undefined mean everything. */
export interface ScanOptions {
  count: number
  pattern: string | undefined
  /** A type name in lower case (Redis compares them case-insensitively). */
  type: string | undefined
}

/**
 * Reads the options from argv[from] on: COUNT must be an integer of at least 1, TYPE is taken
 * only when `withType` (SCAN). Undefined after replying with the error.
 */
export const parseScanOptions = (
  ctx: CommandContext,
  argv: ReadonlyArray<string>,
  from: number,
  withType = false
): ScanOptions | undefined => {
  const options: ScanOptions = { count: 10, pattern: undefined, type: undefined }
  for (let i = from; i < argv.length; i += 2) {
    const hasValue = i + 1 < argv.length
    if (hasValue && isKeyword(argv[i], "COUNT")) {
      const count = parseSafeInteger(argv[i + 1])
      if (count === undefined) return void ctx.out.error(ERR_NOT_INTEGER)
      if (count < 1) return void ctx.out.error(ERR_SYNTAX)
      options.count = count
    } else if (hasValue && isKeyword(argv[i], "MATCH")) {
      options.pattern = argv[i + 1] === "*" ? undefined : argv[i + 1]
    } else if (withType && hasValue && isKeyword(argv[i], "TYPE")) {
      // An unknown type name is no error: it just matches nothing.
      options.type = argv[i + 1].toLowerCase()
    } else {
      return void ctx.out.error(ERR_SYNTAX)
    }
  }
  return options
}

/** Whether a scanned element passes MATCH. */
export const scanMatches = (options: ScanOptions, element: string): boolean =>
  options.pattern === undefined || globMatch(options.pattern, element)

/** The reply to HSCAN / SSCAN / ZSCAN of a missing key: cursor 0, nothing. */
export const EMPTY_SCAN = "*2\r\n$1\r\n0\r\n*0\r\n"
