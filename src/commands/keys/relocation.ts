/**
 * Commands that give a value another name or another database: RENAME, RENAMENX, COPY, MOVE.
 * A value keeps its TTL wherever it goes. RENAME and MOVE hand the same value object over;
 * COPY duplicates it (strings are immutable and shared; a collection must supply `clone()`).
 * A string keeps the encoding OBJECT ENCODING reports (see strings/encoding.ts).
 */
import type { Database, StringEncodingOverride } from "../../keyspace/Database.js"
import type { CollectionValue, RedisValue } from "../../keyspace/Value.js"
import { notify, NotifyType } from "../../pubsub/notify.js"
import { ERR_SYNTAX, isKeyword } from "../../protocol/arguments.js"
import { command, type CommandContext } from "../Command.js"
import { encodingToCarry } from "../strings/encoding.js"
import { keyAt } from "../../protocol/key-specs.js"
import { databaseArgOrReply, ERR_SAME_OBJECT } from "./databaseIndex.js"
import { lookupRead } from "./presence.js"

/**
 * Stores `value` under `key` with expiry `at` (undefined: none) and the encoding it had at its
 * source (undefined: the one its text gives), replacing what was there. As in Redis, a key that
 * was there is deleted first and the key added anew (keyspace notifications announce it as `new`).
 */
const store = (
  db: Database,
  key: string,
  value: RedisValue,
  at: number | undefined,
  encoding: StringEncodingOverride | undefined
) => {
  db.delete(key)
  if (at === undefined) db.set(key, value)
  else db.setWithExpiry(key, value, at)
  if (encoding !== undefined) db.markEncoding(key, encoding)
}

/** An independent copy of a value, for COPY. */
const duplicate = (value: RedisValue): RedisValue => {
  if (typeof value === "string") return value
  const cloneable = value as CollectionValue & { clone?: () => CollectionValue }
  if (typeof cloneable.clone !== "function") throw new Error(`${value.type} values cannot be copied yet`)
  return cloneable.clone()
}

/** RENAME (`onlyIfAbsent` false) and RENAMENX. */
const rename = (ctx: CommandContext, argv: ReadonlyArray<string>, onlyIfAbsent: boolean) => {
  const db = ctx.db
  const source = argv[1]
  const target = argv[2]
  const value = db.get(source, ctx.now)
  if (value === undefined) return ctx.out.error("ERR no such key")
  if (source === target) return onlyIfAbsent ? ctx.out.integer(0) : ctx.out.ok()
  if (onlyIfAbsent && db.get(target, ctx.now) !== undefined) return ctx.out.integer(0)
  const at = db.expiresAt(source)
  const encoding = encodingToCarry(db, source, value, false)
  db.delete(source)
  store(db, target, value, at, encoding)
  notify(ctx, NotifyType.Generic, "rename_from", source)
  notify(ctx, NotifyType.Generic, "rename_to", target)
  if (onlyIfAbsent) ctx.out.integer(1)
  else ctx.out.ok()
}

const renameSpec = command({
  name: "rename",
  arity: 3,
  flags: ["write"],
  firstKey: 1,
  lastKey: 2,
  step: 1,
  group: "generic",
  aclCategories: ["keyspace", "write", "slow"],
  keySpecs: [keyAt(1, "RW", "access", "delete"), keyAt(2, "OW", "update")],
  summary: "Rename a key",
  since: "1.0.0",
  complexity: "O(1)",
  run: (ctx, argv) => rename(ctx, argv, false)
})

const renamenx = command({
  name: "renamenx",
  arity: 3,
  flags: ["write", "fast"],
  firstKey: 1,
  lastKey: 2,
  step: 1,
  group: "generic",
  aclCategories: ["keyspace", "write", "fast"],
  keySpecs: [keyAt(1, "RW", "access", "delete"), keyAt(2, "OW", "insert")],
  summary: "Rename a key, only if the new key does not exist",
  since: "1.0.0",
  complexity: "O(1)",
  run: (ctx, argv) => rename(ctx, argv, true)
})

const copy = command({
  name: "copy",
  arity: -3,
  flags: ["write", "denyoom"],
  firstKey: 1,
  lastKey: 2,
  step: 1,
  group: "generic",
  aclCategories: ["keyspace", "write", "slow"],
  keySpecs: [keyAt(1, "RO", "access"), keyAt(2, "OW", "update")],
  summary: "Copy a key",
  since: "6.2.0",
  complexity: "O(N) worst case for collections, where N is the number of nested items. O(1) for string values.",
  run: (ctx, argv) => {
    let replace = false
    let targetDb = ctx.db
    for (let i = 3; i < argv.length; i++) {
      if (isKeyword(argv[i], "REPLACE")) {
        replace = true
      } else if (isKeyword(argv[i], "DB") && i + 1 < argv.length) {
        const named = databaseArgOrReply(ctx, argv[++i])
        if (named === undefined) return
        targetDb = named
      } else {
        return ctx.out.error(ERR_SYNTAX)
      }
    }
    // Cluster mode has database 0 only.
    if (ctx.server.config.clusterEnabled && targetDb.id !== 0) {
      return ctx.out.error("ERR Copying to another database is not allowed in cluster mode")
    }
    const source = argv[1]
    const target = argv[2]
    if (targetDb === ctx.db && source === target) return ctx.out.error(ERR_SAME_OBJECT)
    const value = lookupRead(ctx, source)
    if (value === undefined) return ctx.out.integer(0)
    if (targetDb.get(target, ctx.now) !== undefined && !replace) return ctx.out.integer(0)
    const encoding = encodingToCarry(ctx.db, source, value, true)
    store(targetDb, target, duplicate(value), ctx.db.expiresAt(source), encoding)
    notify(ctx, NotifyType.Generic, "copy_to", target, targetDb)
    ctx.out.integer(1)
  }
})

const move = command({
  name: "move",
  arity: 3,
  flags: ["write", "fast"],
  firstKey: 1,
  lastKey: 1,
  step: 1,
  group: "generic",
  aclCategories: ["keyspace", "write", "fast"],
  keySpecs: [keyAt(1, "RW", "access", "update")],
  summary: "Move a key to another database",
  since: "1.0.0",
  complexity: "O(1)",
  run: (ctx, argv) => {
    if (ctx.server.config.clusterEnabled) return ctx.out.error("ERR MOVE is not allowed in cluster mode")
    const targetDb = databaseArgOrReply(ctx, argv[2])
    if (targetDb === undefined) return
    if (targetDb === ctx.db) return ctx.out.error(ERR_SAME_OBJECT)
    const key = argv[1]
    const value = ctx.db.get(key, ctx.now)
    if (value === undefined) return ctx.out.integer(0)
    if (targetDb.get(key, ctx.now) !== undefined) return ctx.out.integer(0)
    const at = ctx.db.expiresAt(key)
    const encoding = encodingToCarry(ctx.db, key, value, false)
    ctx.db.delete(key)
    store(targetDb, key, value, at, encoding)
    notify(ctx, NotifyType.Generic, "move_from", key)
    notify(ctx, NotifyType.Generic, "move_to", key, targetDb)
    ctx.out.integer(1)
  }
})

export const relocationCommands = [renameSpec, renamenx, copy, move]
