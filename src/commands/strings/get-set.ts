/**
 * Reading and writing whole string values: GET, SET (with its options), SETNX, SETEX, PSETEX,
 * GETSET, GETDEL, GETEX. GET and a plain `SET key value` are the hottest paths of the server, so
 * they do a couple of Map operations and nothing else.
 *
 * Redis distinguishes lookups "for reading" (they count keyspace hits and misses) from lookups
 * "for writing" (they do not); both remove a key whose time has passed first. Which one each
 * command does is kept here, because INFO's counters show it.
 */
import { ERR_SYNTAX } from "../../protocol/arguments.js"
import { deprecated, type CommandContext, propagateAs } from "../Command.js"
import type { KeyReference } from "../../protocol/CommandInfo.js"
import { millisArgument } from "../../keyspace/CommandLog.js"
import { notify, NotifyType } from "../../pubsub/notify.js"
import type { RedisValue } from "../../keyspace/Value.js"
import { WRONGTYPE } from "../../keyspace/Value.js"
import { keyAt, noted } from "../../protocol/key-specs.js"
import {
  expireArgIndex,
  expireTimeOrReply,
  OPT_ANY_EXPIRE,
  OPT_EX,
  OPT_EXAT,
  OPT_GET,
  OPT_KEEPTTL,
  OPT_NX,
  OPT_PERSIST,
  OPT_PX,
  OPT_PXAT,
  OPT_XX,
  OPTIONS_SYNTAX_ERROR,
  parseStringOptions
} from "./set-options.js"
import { ERR_EXPIRE_TIME, isOption, stringCommand } from "./shared.js"

/**
 * A lookup for reading: counts a keyspace hit or miss and announces a miss (`keymiss`), as
 * Redis's `lookupKeyRead` does.
 */
export const readKey = (ctx: CommandContext, key: string): RedisValue | undefined => {
  const value = ctx.db.get(key, ctx.now)
  if (value === undefined) {
    ctx.server.stats.keyspaceMisses++
    notify(ctx, NotifyType.KeyMiss, "keymiss", key)
  } else ctx.server.stats.keyspaceHits++
  return value
}

/** The events of a SET-like write: `set`, then `expire` when it gave the key a time to live. */
const notifySet = (ctx: CommandContext, key: string, withExpiry: boolean): void => {
  notify(ctx, NotifyType.String, "set", key)
  if (withExpiry) notify(ctx, NotifyType.Generic, "expire", key)
}

/**
 * Before a key is replaced without being read: a key whose time has passed is removed (and
 * counted as expired) first, as Redis's `lookupKeyWrite` does. Free when no key has a TTL.
 */
const expireBeforeOverwrite = (ctx: CommandContext, key: string): void => {
  if (ctx.db.volatileCount !== 0) ctx.db.lookup(key, ctx.now)
}

/** GET's reply for a key (null, WRONGTYPE or the value); false when it was WRONGTYPE. */
const replyWithValue = (ctx: CommandContext, value: RedisValue | undefined): boolean => {
  if (value === undefined) ctx.out.nullBulk()
  else if (typeof value !== "string") {
    ctx.out.error(WRONGTYPE)
    return false
  } else ctx.out.bulk(value)
  return true
}

/**
 * SET's key and how it is used, as Redis's `setGetKeys` says (its spec's flags vary): read and
 * updated with a GET option anywhere after the value (compared as a C string: "get" then the
 * end or a NUL byte), else written over.
 */
const setKeys = (argv: ReadonlyArray<string>): ReadonlyArray<KeyReference> => {
  for (let i = 3; i < argv.length; i++) {
    const arg = argv[i]
    if (arg.length >= 3 && (arg.length === 3 || arg.charCodeAt(3) === 0) && isOption(arg.slice(0, 3), "get")) {
      return [{ position: 1, flags: ["RW", "access", "update"] }]
    }
  }
  return [{ position: 1, flags: ["OW", "update"] }]
}

const get = stringCommand({
  name: "get",
  arity: 2,
  flags: ["readonly", "fast"],
  keySpecs: [keyAt(1, "RO", "access")],
  summary: "Get the value of a key",
  since: "1.0.0",
  complexity: "O(1)",
  run: (ctx, argv) => {
    // Straight from the key's record into the reply: no JS string is made for the value.
    const ref = ctx.db.lookup(argv[1], ctx.now)
    if (ref === -1) {
      ctx.server.stats.keyspaceMisses++
      notify(ctx, NotifyType.KeyMiss, "keymiss", argv[1])
      ctx.out.nullBulk()
      return
    }
    ctx.server.stats.keyspaceHits++
    if (!ctx.db.replyString(ref, ctx.out)) ctx.out.error(WRONGTYPE)
  }
})

const ERR_EXPIRE_TIME_SET = ERR_EXPIRE_TIME("set")

/** SET with options: the order of checks and replies is Redis's `setGenericCommand`. */
const setWithOptions = (ctx: CommandContext, argv: ReadonlyArray<string>): void => {
  const flags = parseStringOptions(argv, 3, true)
  if (flags === OPTIONS_SYNTAX_ERROR) return ctx.out.error(ERR_SYNTAX)
  let expireAt = 0
  if ((flags & OPT_ANY_EXPIRE) !== 0) {
    expireAt = expireTimeOrReply(
      ctx,
      argv[expireArgIndex],
      (flags & (OPT_EX | OPT_EXAT)) !== 0,
      (flags & (OPT_EX | OPT_PX)) !== 0,
      ERR_EXPIRE_TIME_SET
    )
    if (expireAt < 0) return
  }
  const key = argv[1]
  let found: boolean
  if ((flags & OPT_GET) !== 0) {
    const old = readKey(ctx, key)
    if (!replyWithValue(ctx, old)) return
    found = old !== undefined
  } else {
    // Redis's lookupKeyWrite: an expired key goes (with its event) before the write. The value
    // itself is not needed, so no text is made of it.
    found = ctx.db.lookup(key, ctx.now) !== -1
  }
  if (((flags & OPT_NX) !== 0 && found) || ((flags & OPT_XX) !== 0 && !found)) {
    if ((flags & OPT_GET) === 0) ctx.out.nullBulk()
    return
  }
  if ((flags & OPT_ANY_EXPIRE) !== 0) {
    ctx.db.setWithExpiry(key, argv[2], expireAt)
    if (ctx.keyspace.commandLog.enabled) propagateAs(ctx, ["SET", key, argv[2], "PXAT", millisArgument(expireAt)])
  } else if ((flags & OPT_KEEPTTL) !== 0) ctx.db.setKeepTtl(key, argv[2])
  else ctx.db.set(key, argv[2])
  notifySet(ctx, key, (flags & OPT_ANY_EXPIRE) !== 0)
  if ((flags & OPT_GET) === 0) ctx.out.ok()
}

const set = stringCommand({
  name: "set",
  arity: -3,
  flags: ["write", "denyoom"],
  keySpecs: [noted(keyAt(1, "RW", "access", "update", "variable_flags"), "RW and ACCESS due to the optional `GET` argument")],
  getKeys: setKeys,
  summary: "Set the string value of a key",
  since: "1.0.0",
  complexity: "O(1)",
  run: (ctx, argv) => {
    if (argv.length !== 3) return setWithOptions(ctx, argv)
    expireBeforeOverwrite(ctx, argv[1])
    ctx.db.set(argv[1], argv[2])
    notify(ctx, NotifyType.String, "set", argv[1])
    ctx.out.ok()
  }
})

const setnx = stringCommand({
  name: "setnx",
  arity: 3,
  flags: ["write", "denyoom", "fast"],
  keySpecs: [keyAt(1, "OW", "insert")],
  summary: "Set the value of a key, only if the key does not exist",
  since: "1.0.0",
  complexity: "O(1)",
  run: (ctx, argv) => {
    if (ctx.db.get(argv[1], ctx.now) !== undefined) return ctx.out.integer(0)
    ctx.db.set(argv[1], argv[2])
    notify(ctx, NotifyType.String, "set", argv[1])
    ctx.out.integer(1)
  }
})

/** SETEX and PSETEX: `key ttl value`, the ttl relative to now. */
const setWithTtl = (name: string, inSeconds: boolean) => {
  const invalidExpire = ERR_EXPIRE_TIME(name)
  return (ctx: CommandContext, argv: ReadonlyArray<string>): void => {
    const expireAt = expireTimeOrReply(ctx, argv[2], inSeconds, true, invalidExpire)
    if (expireAt < 0) return
    expireBeforeOverwrite(ctx, argv[1])
    ctx.db.setWithExpiry(argv[1], argv[3], expireAt)
    if (ctx.keyspace.commandLog.enabled) propagateAs(ctx, ["SET", argv[1], argv[3], "PXAT", millisArgument(expireAt)])
    notifySet(ctx, argv[1], true)
    ctx.out.ok()
  }
}

const setex = stringCommand({
  name: "setex",
  arity: 4,
  flags: ["write", "denyoom"],
  keySpecs: [keyAt(1, "OW", "update")],
  summary: "Set the value and expiration of a key",
  since: "2.0.0",
  complexity: "O(1)",
  run: setWithTtl("setex", true)
})

const psetex = stringCommand({
  name: "psetex",
  arity: 4,
  flags: ["write", "denyoom"],
  keySpecs: [keyAt(1, "OW", "update")],
  summary: "Set the value and expiration in milliseconds of a key",
  since: "2.6.0",
  complexity: "O(1)",
  run: setWithTtl("psetex", false)
})

const getset = stringCommand({
  name: "getset",
  ...deprecated("6.2.0", "`SET` with the `!GET` argument"),
  arity: 3,
  flags: ["write", "denyoom", "fast"],
  keySpecs: [keyAt(1, "RW", "access", "update")],
  summary: "Set the string value of a key and return its old value",
  since: "1.0.0",
  complexity: "O(1)",
  run: (ctx, argv) => {
    if (!replyWithValue(ctx, readKey(ctx, argv[1]))) return
    ctx.db.set(argv[1], argv[2])
    notify(ctx, NotifyType.String, "set", argv[1])
  }
})

const getdel = stringCommand({
  name: "getdel",
  arity: 2,
  flags: ["write", "fast"],
  keySpecs: [keyAt(1, "RW", "access", "delete")],
  summary: "Get the value of a key and delete the key",
  since: "6.2.0",
  complexity: "O(1)",
  run: (ctx, argv) => {
    const value = readKey(ctx, argv[1])
    if (replyWithValue(ctx, value) && value !== undefined) {
      ctx.db.delete(argv[1])
      if (ctx.keyspace.commandLog.enabled) propagateAs(ctx, ["DEL", argv[1]])
      notify(ctx, NotifyType.Generic, "del", argv[1])
    }
  }
})

const ERR_EXPIRE_TIME_GETEX = ERR_EXPIRE_TIME("getex")

const getex = stringCommand({
  name: "getex",
  arity: -2,
  flags: ["write", "fast"],
  keySpecs: [noted(keyAt(1, "RW", "access", "update"), "RW and UPDATE because it changes the TTL")],
  summary: "Get the value of a key and optionally set its expiration",
  since: "6.2.0",
  complexity: "O(1)",
  run: (ctx, argv) => {
    const flags = argv.length === 2 ? 0 : parseStringOptions(argv, 2, false)
    if (flags === OPTIONS_SYNTAX_ERROR) return ctx.out.error(ERR_SYNTAX)
    const key = argv[1]
    const value = readKey(ctx, key)
    if (value === undefined) return ctx.out.nullBulk()
    if (typeof value !== "string") return ctx.out.error(WRONGTYPE)
    if ((flags & OPT_ANY_EXPIRE) !== 0) {
      const expireAt = expireTimeOrReply(
        ctx,
        argv[expireArgIndex],
        (flags & (OPT_EX | OPT_EXAT)) !== 0,
        (flags & (OPT_EX | OPT_PX)) !== 0,
        ERR_EXPIRE_TIME_GETEX
      )
      if (expireAt < 0) return
      ctx.out.bulk(value)
      // An absolute time already past deletes the key, as Redis does.
      if ((flags & (OPT_EXAT | OPT_PXAT)) !== 0 && expireAt <= ctx.now && !ctx.db.expiresFromPrimary) {
        ctx.db.delete(key)
        if (ctx.keyspace.commandLog.enabled) propagateAs(ctx, ["DEL", key])
        notify(ctx, NotifyType.Generic, "del", key)
      } else {
        ctx.db.setExpiry(key, expireAt)
        if (ctx.keyspace.commandLog.enabled) propagateAs(ctx, ["PEXPIREAT", key, millisArgument(expireAt)])
        notify(ctx, NotifyType.Generic, "expire", key)
      }
      return
    }
    ctx.out.bulk(value)
    if ((flags & OPT_PERSIST) !== 0 && ctx.db.persist(key)) {
      if (ctx.keyspace.commandLog.enabled) propagateAs(ctx, ["PERSIST", key])
      notify(ctx, NotifyType.Generic, "persist", key)
    }
  }
})

export const getSetCommands = [get, set, setnx, setex, psetex, getset, getdel, getex]
