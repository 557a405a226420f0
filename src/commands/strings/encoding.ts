/**
 * How a string value is encoded, as OBJECT ENCODING and OBJECT REFCOUNT report it, all in one
 * place. Redis decides it when the value is written, so it depends on the command that wrote it:
 * - SET and its kin (and APPEND or INCR creating a value) store what `tryObjectEncoding` makes of
 *   the text: "int" for a canonical 64-bit integer of at most 20 bytes, "embstr" up to 44 bytes,
 *   "raw" beyond; integers 0..9999 are Redis's shared objects.
 * - APPEND to an existing value and any SETRANGE that writes edit the bytes in place: "raw".
 * - INCRBYFLOAT builds its result from text without reading it as a number: "embstr" (≤ 44 bytes).
 * - RENAME and MOVE hand the same object over; COPY duplicates it with the same encoding, but an
 *   integer copy is its own object, no longer shared.
 * The text gives the answer for most values; the exceptions are recorded in the Database
 * (`markEncoding`), which forgets them as soon as the value is replaced.
 */
import type { Database, StringEncodingOverride } from "../../keyspace/Database.js"
import type { RedisValue } from "../../keyspace/Value.js"

/** The longest string Redis embeds in its object header (OBJ_ENCODING_EMBSTR_SIZE_LIMIT). */
const EMBSTR_LIMIT = 44
/** Redis shares the objects for 0..9999 (OBJ_SHARED_INTEGERS). */
const SHARED_INTEGERS = 10000
const LONG = /^(?:0|-?[1-9][0-9]{0,18})$/
const INT64_MIN = -(2n ** 63n)
const INT64_MAX = 2n ** 63n - 1n

/** Whether `value` is a canonical integer that fits a C long (Redis's `string2l`). */
const isLongInteger = (value: string): boolean => {
  if (value.length > 20 || !LONG.test(value)) return false
  if (value.length < 19) return true
  const big = BigInt(value)
  return big >= INT64_MIN && big <= INT64_MAX
}

/** The encoding `tryObjectEncoding` gives a value stored from its text (SET, MSET, GETSET, ...). */
const encodingOfText = (value: string): StringEncodingOverride =>
  isLongInteger(value) ? "int" : value.length <= EMBSTR_LIMIT ? "embstr" : "raw"

/** What OBJECT ENCODING answers for `value`, stored at `key` of `db`. */
export const encodingOf = (db: Database, key: string, value: RedisValue): string =>
  typeof value !== "string" ? value.encoding() : (db.encodingOverride(key) ?? encodingOfText(value))

/** Whether `value` at `key` is one of Redis's shared integer objects (when sharing is on). */
export const isSharedInteger = (db: Database, key: string, value: RedisValue): boolean =>
  typeof value === "string" &&
  value.length <= 4 &&
  isLongInteger(value) &&
  Number(value) >= 0 &&
  Number(value) < SHARED_INTEGERS &&
  db.encodingOverride(key) === undefined

/** After APPEND to an existing value or a SETRANGE that wrote: Redis's string is then "raw". */
export const markEditedInPlace = (db: Database, key: string, value: string): void => {
  if (value.length <= EMBSTR_LIMIT) db.markEncoding(key, "raw")
}

/** After INCRBYFLOAT: its result is built from text, so an integer-looking one is "embstr". */
export const markBuiltFromText = (db: Database, key: string, value: string): void => {
  if (isLongInteger(value)) db.markEncoding(key, "embstr")
}

/**
 * The encoding `value` at `key` must keep when it moves (RENAME, MOVE) or is copied (COPY) to
 * another key; read it before the source goes away. A copy of a shared integer is its own object.
 */
export const encodingToCarry = (
  db: Database,
  key: string,
  value: RedisValue,
  copied: boolean
): StringEncodingOverride | undefined =>
  db.encodingOverride(key) ?? (copied && isSharedInteger(db, key, value) ? "int" : undefined)
