/**
 * What the HyperLogLog commands share: their declaration helper (group "hyperloglog") and
 * reading a key as an HLL with Redis's checks and errors. The encoding itself lives in
 * src/keyspace/hyperloglog.
 */
import { command, type CommandContext, type CommandSpec, FIRST_KEY } from "../Command.js"
import { ERR_INVALID_HLL, type Hll, hllFromString, hllToString, isHllString } from "../../keyspace/hyperloglog/HyperLogLog.js"
import { WRONGTYPE } from "../../keyspace/Value.js"
import { markEditedInPlace } from "../strings/encoding.js"

type HllCommandInput = Omit<Parameters<typeof command>[0], "group" | "aclCategories">

/** Declares a command of the hyperloglog group; ACL categories as Redis derives them. */
export const hllCommand = (spec: HllCommandInput): CommandSpec =>
  command({
    ...FIRST_KEY,
    ...spec,
    group: "hyperloglog",
    aclCategories: [
      ...(spec.flags.includes("write") ? ["write"] : spec.flags.includes("readonly") ? ["read"] : []),
      "hyperloglog",
      ...(spec.flags.includes("admin") ? ["admin"] : []),
      spec.flags.includes("fast") ? "fast" : "slow",
      ...(spec.flags.includes("admin") ? ["dangerous"] : [])
    ]
  })

/**
 * The HLL at `key`: undefined for a missing key, null after replying the error for a value that
 * is not a string (WRONGTYPE) or not an HLL (Redis's own WRONGTYPE text).
 */
export const readHllOrReply = (ctx: CommandContext, key: string): Hll | undefined | null => {
  const value = ctx.db.get(key, ctx.now)
  if (value === undefined) return undefined
  if (typeof value !== "string") {
    ctx.out.error(WRONGTYPE)
    return null
  }
  if (!isHllString(value)) {
    ctx.out.error(ERR_INVALID_HLL)
    return null
  }
  return hllFromString(value)
}

/** Stores an HLL changed in place (keeping the TTL, as Redis edits the string where it is). */
export const storeHll = (ctx: CommandContext, key: string, hll: Hll): void => {
  const value = hllToString(hll)
  ctx.db.setKeepTtl(key, value)
  markEditedInPlace(ctx.db, key, value)
}

/** Redis's dbUnshareStringValue leaves a short HLL string "raw" even when nothing changed. */
export const markUnshared = (ctx: CommandContext, key: string, hll: Hll): void => {
  if (hll.length <= 44) ctx.db.markEncoding(key, "raw")
}
