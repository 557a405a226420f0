/**
 * Time to live: EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT (with NX | XX | GT | LT), TTL, PTTL,
 * EXPIRETIME, PEXPIRETIME, PERSIST. Expiry times are absolute Unix ms in `db.expires`; "now" is
 * the batch's `ctx.now`. Setting a time that has already passed deletes the key (and answers 1),
 * as Redis does.
 *
 * Expiry times are JS numbers: exact up to 2^53 ms (year 287,000). Times beyond that are
 * accepted like Redis (up to 2^63-1) but stored rounded, so PTTL / PEXPIRETIME on such a key can
 * differ from Redis in the last digits.
 */
import { notify, NotifyType } from "../../pubsub/notify.js"
import { isKeyword, LONG_MAX, parseInteger } from "../../protocol/arguments.js"
import { millisArgument } from "../../keyspace/CommandLog.js"
import { command, type CommandContext, FIRST_KEY, propagateAs } from "../Command.js"
import { keyAt } from "../../protocol/key-specs.js"
import { lookupRead } from "./presence.js"

const NX = 1
const XX = 2
const GT = 4
const LT = 8

/** |seconds| beyond this overflow a 64-bit count of ms (Redis's LLONG_MAX / 1000). */
const MAX_SECONDS = 9223372036854775n
/** Below this magnitude, unit conversion and adding "now" stay exact in doubles. */
const SAFE_MAGNITUDE = 9e12

/** NX / XX / GT / LT from argv[3..] as bits, or the error text. */
const parseExpireOptions = (argv: ReadonlyArray<string>): number | string => {
  let flags = 0
  for (let i = 3; i < argv.length; i++) {
    const option = argv[i]
    if (isKeyword(option, "NX")) flags |= NX
    else if (isKeyword(option, "XX")) flags |= XX
    else if (isKeyword(option, "GT")) flags |= GT
    else if (isKeyword(option, "LT")) flags |= LT
    else return `ERR Unsupported option ${option}`
  }
  if ((flags & NX) !== 0 && (flags & (XX | GT | LT)) !== 0) {
    return "ERR NX and XX, GT or LT options at the same time are not compatible"
  }
  if ((flags & GT) !== 0 && (flags & LT) !== 0) return "ERR GT and LT options at the same time are not compatible"
  return flags
}

/**
 * `amount` (in `unitMs` units) after `base` as absolute ms, or undefined when it overflows a
 * signed 64-bit count of ms (Redis's "invalid expire time").
 */
const absoluteMillis = (amount: number | bigint, unitMs: number, base: number): number | undefined => {
  if (typeof amount === "number" && amount > -SAFE_MAGNITUDE && amount < SAFE_MAGNITUDE) return amount * unitMs + base
  let when = BigInt(amount)
  if (unitMs !== 1) {
    if (when > MAX_SECONDS || when < -MAX_SECONDS) return undefined
    when *= BigInt(unitMs)
  }
  const baseBig = BigInt(base)
  if (when > LONG_MAX - baseBig) return undefined
  return Number(when + baseBig)
}

/** Whether the options allow replacing expiry `current` (undefined: none) with `when`. */
const optionsAllow = (flags: number, current: number | undefined, when: number): boolean => {
  if ((flags & NX) !== 0 && current !== undefined) return false
  if ((flags & XX) !== 0 && current === undefined) return false
  // No TTL counts as an infinite one: never "greater than", but anything is "less than" it.
  if ((flags & GT) !== 0 && (current === undefined || when <= current)) return false
  if ((flags & LT) !== 0 && current !== undefined && when >= current) return false
  return true
}

const setExpire = (ctx: CommandContext, argv: ReadonlyArray<string>, name: string, unitMs: number, relative: boolean) => {
  const flags = parseExpireOptions(argv)
  if (typeof flags === "string") return ctx.out.error(flags)
  const amount = parseInteger(argv[2])
  if (amount === undefined) return ctx.out.error("ERR value is not an integer or out of range")
  const when = absoluteMillis(amount, unitMs, relative ? ctx.now : 0)
  if (when === undefined) return ctx.out.error(`ERR invalid expire time in '${name}' command`)
  const key = argv[1]
  const db = ctx.db
  if (db.get(key, ctx.now) === undefined) return ctx.out.integer(0)
  if (flags !== 0 && !optionsAllow(flags, db.expiresAt(key), when)) return ctx.out.integer(0)
  // A time already past deletes the key, except on a replica, which waits for its primary's DEL
  // (Redis's checkAlreadyExpired).
  if (when <= ctx.now && !db.expiresFromPrimary) {
    db.delete(key)
    if (ctx.keyspace.commandLog.enabled) propagateAs(ctx, ["DEL", key])
    notify(ctx, NotifyType.Generic, "del", key)
  } else {
    db.setExpiry(key, when)
    if (ctx.keyspace.commandLog.enabled) propagateAs(ctx, ["PEXPIREAT", key, millisArgument(when)])
    notify(ctx, NotifyType.Generic, "expire", key)
  }
  ctx.out.integer(1)
}

const expireSpec = (name: string, summary: string, since: string, unitMs: number, relative: boolean) =>
  command({
    name,
    arity: -3,
    flags: ["write", "fast"],
    ...FIRST_KEY,
    group: "generic",
    aclCategories: ["keyspace", "write", "fast"],
    keySpecs: [keyAt(1, "RW", "update")],
    summary,
    since,
    complexity: "O(1)",
    run: (ctx, argv) => setExpire(ctx, argv, name, unitMs, relative)
  })

const expire = expireSpec("expire", "Set a key's time to live in seconds", "1.0.0", 1000, true)
const pexpire = expireSpec("pexpire", "Set a key's time to live in milliseconds", "2.6.0", 1, true)
const expireat = expireSpec("expireat", "Set the expiration for a key as a UNIX timestamp", "1.2.0", 1000, false)
const pexpireat = expireSpec(
  "pexpireat",
  "Set the expiration for a key as a UNIX timestamp specified in milliseconds",
  "2.6.0",
  1,
  false
)

/** An integer reply for a count of ms that may lie beyond 2^53 (kept within int64, as Redis's). */
const replyMillis = (ctx: CommandContext, ms: number) => {
  if (Number.isSafeInteger(ms)) ctx.out.integer(ms)
  else {
    const big = BigInt(ms)
    ctx.out.integer(big > LONG_MAX ? LONG_MAX : big)
  }
}

/** TTL and EXPIRETIME: -2 for a missing key, -1 without expiry; seconds are rounded like Redis's. */
const readExpiry = (ctx: CommandContext, key: string, inMillis: boolean, absolute: boolean) => {
  if (lookupRead(ctx, key) === undefined) return ctx.out.integer(-2)
  const at = ctx.db.expiresAt(key)
  if (at === undefined) return ctx.out.integer(-1)
  const ms = absolute ? at : Math.max(0, at - ctx.now)
  replyMillis(ctx, inMillis ? ms : Math.floor((ms + 500) / 1000))
}

const readSpec = (name: string, summary: string, since: string, inMillis: boolean, absolute: boolean) =>
  command({
    name,
    arity: 2,
    flags: ["readonly", "fast"],
    ...FIRST_KEY,
    group: "generic",
    aclCategories: ["keyspace", "read", "fast"],
    // A time to live changes with the clock; an expiry time does not.
    ...(absolute ? {} : { tips: ["nondeterministic_output"] }),
    keySpecs: [keyAt(1, "RO", "access")],
    summary,
    since,
    complexity: "O(1)",
    run: (ctx, argv) => readExpiry(ctx, argv[1], inMillis, absolute)
  })

const ttl = readSpec("ttl", "Get the time to live for a key in seconds", "1.0.0", false, false)
const pttl = readSpec("pttl", "Get the time to live for a key in milliseconds", "2.6.0", true, false)
const expiretime = readSpec("expiretime", "Get the expiration Unix timestamp for a key", "7.0.0", false, true)
const pexpiretime = readSpec(
  "pexpiretime",
  "Get the expiration Unix timestamp for a key in milliseconds",
  "7.0.0",
  true,
  true
)

const persist = command({
  name: "persist",
  arity: 2,
  flags: ["write", "fast"],
  ...FIRST_KEY,
  group: "generic",
  aclCategories: ["keyspace", "write", "fast"],
  keySpecs: [keyAt(1, "RW", "update")],
  summary: "Remove the expiration from a key",
  since: "2.2.0",
  complexity: "O(1)",
  run: (ctx, argv) => {
    const key = argv[1]
    const persisted = ctx.db.get(key, ctx.now) !== undefined && ctx.db.persist(key)
    if (persisted) notify(ctx, NotifyType.Generic, "persist", key)
    ctx.out.integer(persisted ? 1 : 0)
  }
})

export const expiryCommands = [expire, pexpire, expireat, pexpireat, ttl, pttl, expiretime, pexpiretime, persist]
