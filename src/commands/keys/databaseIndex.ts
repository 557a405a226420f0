/**
 * Reading a database index argument the way MOVE, COPY ... DB and SWAPDB do in Redis: an int
 * (`getIntFromObjectOrReply`, so a 32-bit range with its own error text), then a range check
 * against the configured number of databases.
 */
import type { Database } from "../../keyspace/Database.js"
import { ERR_NOT_INTEGER, parseInteger } from "../../protocol/arguments.js"
import type { CommandContext } from "../Command.js"

export const ERR_DB_INDEX_RANGE = "ERR DB index is out of range"
export const ERR_SAME_OBJECT = "ERR source and destination objects are the same"
const ERR_INT_RANGE = "ERR value is out of range, value must between -2147483648 and 2147483647"

const INT_MIN = -2147483648
const INT_MAX = 2147483647

/** A C `int` argument: the number, or the error Redis replies with (`message` replaces both texts). */
export const parseInt32 = (arg: string, message?: string): number | string => {
  const value = parseInteger(arg)
  if (value === undefined) return message ?? ERR_NOT_INTEGER
  if (typeof value === "bigint" || value < INT_MIN || value > INT_MAX) return message ?? ERR_INT_RANGE
  return value
}

/** The database `arg` names, or undefined after replying with Redis's error. */
export const databaseArgOrReply = (ctx: CommandContext, arg: string): Database | undefined => {
  const index = parseInt32(arg)
  if (typeof index === "string") {
    ctx.out.error(index)
    return undefined
  }
  const db = index < 0 ? undefined : ctx.keyspace.databases[index]
  if (db === undefined) ctx.out.error(ERR_DB_INDEX_RANGE)
  return db
}
