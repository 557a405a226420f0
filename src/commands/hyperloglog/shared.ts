/**
 * What the HyperLogLog commands share: their declaration helper (group "hyperloglog") and
 * reading a key as an HLL with Redis's checks and errors. The encoding itself lives in
 * src/keyspace/hyperloglog.
 *
 * An HLL that a command changes is kept as MutableBytes (src/keyspace/values/MutableBytes.ts)
 * and edited in place, as Redis edits its string: PFADD into a 12 KB dense HLL then copies
 * nothing. Readers elsewhere still see an ordinary string.
 */
import { command, type CommandContext, type CommandSpec, FIRST_KEY } from "../Command.js"
import {
  ERR_INVALID_HLL,
  type Hll,
  hllFromString,
  isHllBytes,
  isHllString
} from "../../keyspace/hyperloglog/HyperLogLog.js"
import { WRONGTYPE } from "../../keyspace/Value.js"
import { MutableBytes } from "../../keyspace/values/MutableBytes.js"

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

/** The value at `key` if it is an HLL: undefined when missing, null after replying WRONGTYPE (either text). */
export const hllValueOrReply = (ctx: CommandContext, key: string): string | MutableBytes | undefined | null => {
  const value = ctx.db.getBytes(key, ctx.now)
  if (value === undefined) return undefined
  if (value instanceof MutableBytes) {
    if (isHllBytes(value.raw(), value.length)) return value
  } else if (typeof value !== "string") {
    ctx.out.error(WRONGTYPE)
    return null
  } else if (isHllString(value)) return value
  ctx.out.error(ERR_INVALID_HLL)
  return null
}

/**
 * The HLL at `key` to read: undefined for a missing key, null after replying the error for a
 * value that is not a string (WRONGTYPE) or not an HLL (Redis's own WRONGTYPE text). It may
 * share the stored bytes: do not change it.
 */
export const readHllOrReply = (ctx: CommandContext, key: string): Hll | undefined | null => {
  const value = hllValueOrReply(ctx, key)
  if (value === undefined || value === null) return value
  return typeof value === "string" ? hllFromString(value) : { bytes: value.raw(), length: value.length }
}

/** An HLL opened for an in-place change: edit `hll`, then `commitHll` if it changed. */
export interface OpenHll {
  readonly hll: Hll
  readonly stored: MutableBytes
}

/**
 * The HLL at `key` (which must exist) opened to change in place; null after replying the error.
 * Redis's dbUnshareStringValue leaves a short HLL string "raw" even when nothing then changes.
 */
export const openHllOrReply = (ctx: CommandContext, key: string): OpenHll | undefined | null => {
  const value = hllValueOrReply(ctx, key)
  if (value === undefined || value === null) return value
  const stored = ctx.db.mutableBytes(key, value, 0)
  ctx.db.prepareInPlace(key)
  if (stored.length <= 44) ctx.db.markEncoding(key, "raw")
  return { hll: { bytes: stored.raw(), length: stored.length }, stored }
}

/** The opened HLL changed: its bytes are the value's, and the write is announced (WATCH, dirty, AOF). */
export const commitHll = (ctx: CommandContext, key: string, opened: OpenHll): void => {
  opened.stored.replace(opened.hll.bytes, opened.hll.length)
  ctx.db.announceWrite(key)
}

/** The cached estimate in an HLL value's header, or undefined when it is stale (read in place, no copy). */
export const validCachedCardinality = (value: string | MutableBytes): number | bigint | undefined => {
  const byte = (i: number): number => (typeof value === "string" ? value.charCodeAt(i) : value.byteAt(i))
  if ((byte(15) & 0x80) !== 0) return undefined
  const low = (byte(8) | (byte(9) << 8) | (byte(10) << 16) | (byte(11) << 24)) >>> 0
  const high = (byte(12) | (byte(13) << 8) | (byte(14) << 16) | (byte(15) << 24)) >>> 0
  return high < 0x200000 ? high * 2 ** 32 + low : (BigInt(high) << 32n) | BigInt(low)
}

/** Stores a new HLL at `key` (keeping a TTL the key had). */
export const storeNewHll = (ctx: CommandContext, key: string, hll: Hll): void => {
  ctx.db.setKeepTtl(key, new MutableBytes(hll.bytes, hll.length))
  if (hll.length <= 44) ctx.db.markEncoding(key, "raw")
}
