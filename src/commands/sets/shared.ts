/**
 * What the set commands share: the declaration helper, lookups that tell a set from a key of
 * another type, the intset limit from the live configuration, and replies of members in the
 * order Redis sends them (an intset is sorted; a hashtable's order is its own).
 */
import { SetValue } from "../../keyspace/values/SetValue.js"
import { command, type CommandContext, type CommandSpec, FIRST_KEY } from "../Command.js"
import { readKey } from "../strings/get-set.js"

type SetCommandInput = Omit<Parameters<typeof command>[0], "group" | "aclCategories">

/** Declares a set command: group "set", ACL categories in COMMAND INFO's order. */
export const setCommand = (spec: SetCommandInput): CommandSpec =>
  command({
    ...FIRST_KEY,
    ...spec,
    group: "set",
    aclCategories: [spec.flags.includes("write") ? "write" : "read", "set", spec.flags.includes("fast") ? "fast" : "slow"]
  })

/** Redis caps set-max-intset-entries at 2^30 (intset internals). */
export const maxIntset = (ctx: CommandContext): number => Math.min(ctx.server.config.setMaxIntsetEntries, 1 << 30)

/**
 * A lookup for reading (counts a keyspace hit or miss and announces a miss, as Redis's
 * `lookupKeyRead`): the set, undefined for a missing key, or null for a key of another type.
 */
export const readSet = (ctx: CommandContext, key: string): SetValue | undefined | null => {
  const value = readKey(ctx, key)
  if (value === undefined) return undefined
  return value instanceof SetValue ? value : null
}

/** A lookup for writing (no hit/miss counted): the set, undefined, or null for another type. */
export const writeSet = (ctx: CommandContext, key: string): SetValue | undefined | null => {
  const value = ctx.db.get(key, ctx.now)
  if (value === undefined) return undefined
  return value instanceof SetValue ? value : null
}

/** A set reply (RESP3 set, RESP2 array) of `members`. */
export const replyMembers = (ctx: CommandContext, members: ReadonlyArray<string>): void => {
  const out = ctx.out
  out.setHeader(members.length)
  for (let i = 0; i < members.length; i++) out.bulk(members[i])
}
