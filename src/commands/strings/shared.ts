/**
 * What every string command shares: the declaration helper (group, key position and ACL
 * categories are the same for the whole family), int64 helpers, and the error texts the family
 * answers with. (Integers are read with `parseInteger` from src/protocol/arguments.ts.)
 */
import { command, type CommandSpec, FIRST_KEY } from "../Command.js"

export const ERR_EXPIRE_TIME = (name: string) => `ERR invalid expire time in '${name}' command`
export const ERR_TOO_LONG = "ERR string exceeds maximum allowed size (proto-max-bulk-len)"
export const EMPTY_BULK = "$0\r\n\r\n"
export const ERR_OVERFLOW = "ERR increment or decrement would overflow"

export const INT64_MIN = -(2n ** 63n)
const INT64_MAX = 2n ** 63n - 1n

/**
 * `a + b` as int64 arithmetic (INCRBY, HINCRBY): a number while the sum is a safe integer, else
 * the exact bigint, or undefined when it leaves int64 (Redis's overflow error).
 */
export const addInt64 = (a: number | bigint, b: number | bigint): number | bigint | undefined => {
  if (typeof a === "number" && typeof b === "number" && Number.isSafeInteger(a + b)) return a + b
  const exact = BigInt(a) + BigInt(b)
  if (exact < INT64_MIN || exact > INT64_MAX) return undefined
  return exact >= -9007199254740991n && exact <= 9007199254740991n ? Number(exact) : exact
}

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
