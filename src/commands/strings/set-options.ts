/**
 * The options SET and GETEX share (Redis's `parseExtendedStringArgumentsOrReply`): NX, XX, GET,
 * KEEPTTL, PERSIST and one of EX / PX / EXAT / PXAT with its number, with Redis's rules about
 * which may be combined (a conflict is a syntax error; repeating the same one is allowed), and
 * the conversion of the number into an absolute expiry time with Redis's range checks.
 *
 * Parsing is a loop over the arguments that returns a bit set; the position of the expiry number
 * is left in `expireArgIndex`, so nothing is allocated per command.
 */
import { ERR_NOT_INTEGER, parseInteger } from "../../protocol/arguments.js"
import type { CommandContext } from "../Command.js"
import { isOption } from "./shared.js"

export const OPT_NX = 1
export const OPT_XX = 2
export const OPT_GET = 4
export const OPT_KEEPTTL = 8
export const OPT_PERSIST = 16
export const OPT_EX = 32
export const OPT_PX = 64
export const OPT_EXAT = 128
export const OPT_PXAT = 256
/** Any of the options that carry an expiry time. */
export const OPT_ANY_EXPIRE = OPT_EX | OPT_PX | OPT_EXAT | OPT_PXAT
/** What `parseStringOptions` returns for a syntax error. */
export const OPTIONS_SYNTAX_ERROR = -1

/** Index in argv of the expiry number, valid after `parseStringOptions` found an expiry option. */
export let expireArgIndex = 0

/** Which expiry option may not appear together with each of them. */
const EXPIRE_CONFLICTS = {
  [OPT_EX]: OPT_KEEPTTL | OPT_PERSIST | OPT_PX | OPT_EXAT | OPT_PXAT,
  [OPT_PX]: OPT_KEEPTTL | OPT_PERSIST | OPT_EX | OPT_EXAT | OPT_PXAT,
  [OPT_EXAT]: OPT_KEEPTTL | OPT_PERSIST | OPT_EX | OPT_PX | OPT_PXAT,
  [OPT_PXAT]: OPT_KEEPTTL | OPT_PERSIST | OPT_EX | OPT_PX | OPT_EXAT
} as const

/** The expiry option an argument names (0 when none). */
const expireOption = (arg: string): number => {
  if (arg.length === 2) {
    if (isOption(arg, "ex")) return OPT_EX
    if (isOption(arg, "px")) return OPT_PX
  } else if (arg.length === 4) {
    if (isOption(arg, "exat")) return OPT_EXAT
    if (isOption(arg, "pxat")) return OPT_PXAT
  }
  return 0
}

/**
 * Reads the options from `argv[from]` on. `forSet` admits NX, XX, GET and KEEPTTL (SET);
 * otherwise PERSIST (GETEX). Returns the option bits, or OPTIONS_SYNTAX_ERROR.
 */
export const parseStringOptions = (argv: ReadonlyArray<string>, from: number, forSet: boolean): number => {
  let flags = 0
  for (let i = from; i < argv.length; i++) {
    const arg = argv[i]
    const expire = expireOption(arg)
    if (expire !== 0) {
      if ((flags & EXPIRE_CONFLICTS[expire as keyof typeof EXPIRE_CONFLICTS]) !== 0 || i + 1 >= argv.length) {
        return OPTIONS_SYNTAX_ERROR
      }
      flags |= expire
      expireArgIndex = ++i
    } else if (forSet && isOption(arg, "nx") && (flags & OPT_XX) === 0) {
      flags |= OPT_NX
    } else if (forSet && isOption(arg, "xx") && (flags & OPT_NX) === 0) {
      flags |= OPT_XX
    } else if (forSet && isOption(arg, "get")) {
      flags |= OPT_GET
    } else if (forSet && isOption(arg, "keepttl") && (flags & (OPT_PERSIST | OPT_ANY_EXPIRE)) === 0) {
      flags |= OPT_KEEPTTL
    } else if (!forSet && isOption(arg, "persist") && (flags & (OPT_KEEPTTL | OPT_ANY_EXPIRE)) === 0) {
      flags |= OPT_PERSIST
    } else {
      return OPTIONS_SYNTAX_ERROR
    }
  }
  return flags
}

const INT64_MAX = 2n ** 63n - 1n
/** LLONG_MAX / 1000: the largest number of seconds Redis converts to milliseconds. */
const MAX_SECONDS = 9223372036854775n

/**
 * The absolute expiry (Unix ms) that `text` asks for, checked as Redis checks it: an integer,
 * greater than zero, not overflowing int64 once converted to ms and (for EX/PX) added to now.
 * On a bad value it writes the error reply and returns -1 (a valid time is always > 0).
 */
export const expireTimeOrReply = (
  ctx: CommandContext,
  text: string,
  inSeconds: boolean,
  relative: boolean,
  invalidExpireError: string
): number => {
  const amount = parseInteger(text)
  if (amount === undefined) {
    ctx.out.error(ERR_NOT_INTEGER)
    return -1
  }
  if (typeof amount === "number") {
    if (amount <= 0) {
      ctx.out.error(invalidExpireError)
      return -1
    }
    const at = (inSeconds ? amount * 1000 : amount) + (relative ? ctx.now : 0)
    if (at <= Number.MAX_SAFE_INTEGER) return at
  }
  // Past 2^53: redo it exactly, as Redis's int64 arithmetic (whose overflow wraps below zero).
  let at = BigInt(amount)
  if (at <= 0n || (inSeconds && at > MAX_SECONDS)) {
    ctx.out.error(invalidExpireError)
    return -1
  }
  if (inSeconds) at *= 1000n
  if (relative) at += BigInt(Math.trunc(ctx.now))
  if (at > INT64_MAX) {
    ctx.out.error(invalidExpireError)
    return -1
  }
  return Number(at)
}
