/**
 * What the hash commands share: the declaration helper, lookups with Redis's type check, and the
 * one way a field is written, which also decides the encoding as Redis's `hashTypeSet` does:
 * a "listpack" hash becomes a "hashtable" when the field or the value is longer than
 * hash-max-listpack-value, or when it ends up with more fields than hash-max-listpack-entries.
 * (Redis also checks every argument of HSET before writing any; since the conversion is one-way
 * and every argument gets written, checking each pair as it is written ends the same.)
 */
import type { RuntimeConfig } from "../../config/RuntimeConfig.js"
import { WRONGTYPE } from "../../keyspace/Value.js"
import { HashValue } from "../../keyspace/values/HashValue.js"
import { command, type CommandContext, type CommandSpec, FIRST_KEY } from "../Command.js"
import { readKey } from "../strings/get-set.js"

type HashCommandInput = Omit<Parameters<typeof command>[0], "group" | "aclCategories">

/** Declares a command of the hash family (its key is the first argument). */
export const hashCommand = (spec: HashCommandInput): CommandSpec =>
  command({
    ...FIRST_KEY,
    ...spec,
    group: "hash",
    aclCategories: [
      spec.flags.includes("write") ? "write" : "read",
      "hash",
      spec.flags.includes("fast") ? "fast" : "slow"
    ]
  })

/** Returned by the lookups after they replied WRONGTYPE. */
export const WRONG_TYPE = null

/**
 * The hash at `key` for a command that writes (no hit/miss counted): undefined when missing,
 * `WRONG_TYPE` after replying the error when the key holds something else.
 */
export const hashForWrite = (ctx: CommandContext, key: string): HashValue | undefined | typeof WRONG_TYPE => {
  const value = ctx.db.get(key, ctx.now)
  if (value === undefined || value instanceof HashValue) return value
  ctx.out.error(WRONGTYPE)
  return WRONG_TYPE
}

/** Like `hashForWrite`, for a command that reads: counts a keyspace hit or miss as Redis does. */
export const hashForRead = (ctx: CommandContext, key: string): HashValue | undefined | typeof WRONG_TYPE => {
  const value = readKey(ctx, key)
  if (value === undefined || value instanceof HashValue) return value
  ctx.out.error(WRONGTYPE)
  return WRONG_TYPE
}

/**
 * The hash fields are about to be written into: `existing` (announced with `willModify`), or a
 * new empty one stored under `key`. The caller writes at least one field right after.
 */
export const writeTarget = (ctx: CommandContext, key: string, existing: HashValue | undefined): HashValue => {
  if (existing !== undefined) {
    ctx.db.willModify(key)
    return existing
  }
  const hash = new HashValue()
  ctx.db.set(key, hash)
  return hash
}

/** Writes one field, converting the encoding when a threshold is crossed; true when the field is new. */
export const setField = (config: RuntimeConfig, hash: HashValue, field: string, value: string): boolean => {
  if (hash.listpack) {
    const limit = config.hashMaxListpackValue
    if (field.length > limit || value.length > limit) hash.listpack = false
  }
  const isNew = hash.set(field, value)
  if (hash.listpack && hash.size > config.hashMaxListpackEntries) hash.listpack = false
  return isNew
}
