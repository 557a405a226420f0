/**
 * Single fields of a hash: HSET, HMSET, HSETNX, HGET, HMGET, HDEL, HEXISTS, HLEN, HSTRLEN.
 * HSET and HGET are the hot hash commands: a lookup, a Map operation per field and the reply.
 */
import { deleteAndNotify, notify, NotifyType } from "../../pubsub/notify.js"
import { deprecated, type CommandContext } from "../Command.js"
import { wrongArity } from "../dispatch.js"
import { keyAt } from "../../protocol/key-specs.js"
import { hashCommand, hashForRead, hashForWrite, setField, WRONG_TYPE, writeTarget } from "./shared.js"

/** HSET / HMSET: writes every pair; the number of new fields, or undefined after an error reply. */
const setPairs = (ctx: CommandContext, argv: ReadonlyArray<string>, name: string): number | undefined => {
  if (argv.length % 2 !== 0) {
    ctx.out.error(wrongArity(name))
    return undefined
  }
  const key = argv[1]
  const existing = hashForWrite(ctx, key)
  if (existing === WRONG_TYPE) return undefined
  const hash = writeTarget(ctx, key, existing)
  const config = ctx.server.config
  let added = 0
  for (let i = 2; i < argv.length; i += 2) if (setField(config, hash, argv[i], argv[i + 1])) added++
  notify(ctx, NotifyType.Hash, "hset", key)
  return added
}

const hset = hashCommand({
  name: "hset",
  arity: -4,
  flags: ["write", "denyoom", "fast"],
  keySpecs: [keyAt(1, "RW", "update")],
  summary: "Set the string value of a hash field",
  since: "2.0.0",
  complexity:
    "O(1) for each field/value pair added, so O(N) to add N field/value pairs when the command is called with multiple field/value pairs.",
  run: (ctx, argv) => {
    const added = setPairs(ctx, argv, "hset")
    if (added !== undefined) ctx.out.integer(added)
  }
})

const hmset = hashCommand({
  name: "hmset",
  ...deprecated("4.0.0", "`HSET` with multiple field-value pairs"),
  arity: -4,
  flags: ["write", "denyoom", "fast"],
  keySpecs: [keyAt(1, "RW", "update")],
  summary: "Set multiple hash fields to multiple values",
  since: "2.0.0",
  complexity: "O(N) where N is the number of fields being set.",
  run: (ctx, argv) => {
    if (setPairs(ctx, argv, "hmset") !== undefined) ctx.out.ok()
  }
})

const hsetnx = hashCommand({
  name: "hsetnx",
  arity: 4,
  flags: ["write", "denyoom", "fast"],
  keySpecs: [keyAt(1, "RW", "insert")],
  summary: "Set the value of a hash field, only if the field does not exist",
  since: "2.0.0",
  complexity: "O(1)",
  run: (ctx, argv) => {
    const key = argv[1]
    const existing = hashForWrite(ctx, key)
    if (existing === WRONG_TYPE) return
    if (existing !== undefined && existing.has(argv[2])) return ctx.out.integer(0)
    setField(ctx.server.config, writeTarget(ctx, key, existing), argv[2], argv[3])
    notify(ctx, NotifyType.Hash, "hset", key)
    ctx.out.integer(1)
  }
})

const hget = hashCommand({
  name: "hget",
  arity: 3,
  flags: ["readonly", "fast"],
  keySpecs: [keyAt(1, "RO", "access")],
  summary: "Get the value of a hash field",
  since: "2.0.0",
  complexity: "O(1)",
  run: (ctx, argv) => {
    const hash = hashForRead(ctx, argv[1])
    if (hash === WRONG_TYPE) return
    ctx.out.bulkOrNull(hash === undefined ? undefined : hash.get(argv[2]))
  }
})

const hmget = hashCommand({
  name: "hmget",
  arity: -3,
  flags: ["readonly", "fast"],
  keySpecs: [keyAt(1, "RO", "access")],
  summary: "Get the values of all the given hash fields",
  since: "2.0.0",
  complexity: "O(N) where N is the number of fields being requested.",
  run: (ctx, argv) => {
    const hash = hashForRead(ctx, argv[1])
    if (hash === WRONG_TYPE) return
    const out = ctx.out
    out.arrayHeader(argv.length - 2)
    for (let i = 2; i < argv.length; i++) out.bulkOrNull(hash === undefined ? undefined : hash.get(argv[i]))
  }
})

const hdel = hashCommand({
  name: "hdel",
  arity: -3,
  flags: ["write", "fast"],
  keySpecs: [keyAt(1, "RW", "delete")],
  summary: "Delete one or more hash fields",
  since: "2.0.0",
  complexity: "O(N) where N is the number of fields to be removed.",
  run: (ctx, argv) => {
    const key = argv[1]
    const hash = hashForWrite(ctx, key)
    if (hash === WRONG_TYPE) return
    if (hash === undefined) return ctx.out.integer(0)
    let removed = 0
    for (let i = 2; i < argv.length; i++) {
      if (!hash.has(argv[i])) continue
      if (removed === 0) ctx.db.willModify(key)
      hash.delete(argv[i])
      removed++
    }
    if (removed > 0) {
      notify(ctx, NotifyType.Hash, "hdel", key)
      if (hash.size === 0) deleteAndNotify(ctx, key)
    }
    ctx.out.integer(removed)
  }
})

const hexists = hashCommand({
  name: "hexists",
  arity: 3,
  flags: ["readonly", "fast"],
  keySpecs: [keyAt(1, "RO")],
  summary: "Determine if a hash field exists",
  since: "2.0.0",
  complexity: "O(1)",
  run: (ctx, argv) => {
    const hash = hashForRead(ctx, argv[1])
    if (hash !== WRONG_TYPE) ctx.out.integer(hash !== undefined && hash.has(argv[2]) ? 1 : 0)
  }
})

const hlen = hashCommand({
  name: "hlen",
  arity: 2,
  flags: ["readonly", "fast"],
  keySpecs: [keyAt(1, "RO")],
  summary: "Get the number of fields in a hash",
  since: "2.0.0",
  complexity: "O(1)",
  run: (ctx, argv) => {
    const hash = hashForRead(ctx, argv[1])
    if (hash !== WRONG_TYPE) ctx.out.integer(hash === undefined ? 0 : hash.size)
  }
})

const hstrlen = hashCommand({
  name: "hstrlen",
  arity: 3,
  flags: ["readonly", "fast"],
  keySpecs: [keyAt(1, "RO")],
  summary: "Get the length of the value of a hash field",
  since: "3.2.0",
  complexity: "O(1)",
  run: (ctx, argv) => {
    const hash = hashForRead(ctx, argv[1])
    if (hash === WRONG_TYPE) return
    const value = hash === undefined ? undefined : hash.get(argv[2])
    ctx.out.integer(value === undefined ? 0 : value.length)
  }
})

export const fieldCommands = [hset, hmset, hsetnx, hget, hmget, hdel, hexists, hlen, hstrlen]
