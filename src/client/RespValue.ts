/**
 * A RESP2 reply as plain JavaScript values, so replies need no wrapping and are told apart with
 * `typeof` / `Buffer.isBuffer` / `Array.isArray`:
 *
 * | RESP2                 | RespValue                                                   |
 * |-----------------------|-------------------------------------------------------------|
 * | simple string `+OK`   | `string` (decoded as UTF-8 by default, see `textEncoding`)  |
 * | error `-ERR ...`      | `RedisReplyError` (only inside arrays: at the top level the command fails with it) |
 * | integer `:1`          | `number`, or `bigint` beyond ±2^53 so int64 values stay exact |
 * | bulk string `$1`      | `Buffer`: values are bytes, and a Buffer keeps them exact   |
 * | null bulk / array     | `null`                                                      |
 * | array `*2`            | `ReadonlyArray<RespValue>`                                  |
 *
 * Bulk strings are Buffers because Redis values are binary: decoding them as UTF-8 would lose
 * bytes. The typed helpers of `RedisClient` (get, hget, lrange, ...) decode to UTF-8 strings.
 */
import { RedisReplyError } from "./errors.js"

export type RespValue =
  | string
  | number
  | bigint
  | Buffer
  | null
  | RedisReplyError
  | ReadonlyArray<RespValue>

/** An argument of a command: strings are sent as UTF-8, numbers in decimal, Buffers as they are. */
export type RedisArg = string | number | bigint | Buffer | Uint8Array

export const isInteger = (value: RespValue): value is number | bigint =>
  typeof value === "number" || typeof value === "bigint"
export const isArray = (value: RespValue): value is ReadonlyArray<RespValue> => Array.isArray(value)
