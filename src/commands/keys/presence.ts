/**
 * Commands about whether keys exist: DEL, UNLINK, EXISTS, TOUCH, TYPE. Expired keys count as
 * missing (and are removed on the way, as Redis's passive expiry does).
 */
import { typeName } from "../../keyspace/Value.js"
import { notify, NotifyType } from "../../pubsub/notify.js"
import { ALL_KEYS, command, type CommandContext, FIRST_KEY } from "../Command.js"
import { keyAt, keysToEnd } from "../../protocol/key-specs.js"

/** Removes every live key among argv[1..]; the number removed (a repeated key counts once). */
const deleteKeys = (ctx: CommandContext, argv: ReadonlyArray<string>): number => {
  const { db, now } = ctx
  let removed = 0
  for (let i = 1; i < argv.length; i++) {
    if (db.get(argv[i], now) !== undefined && db.delete(argv[i])) {
      removed++
      notify(ctx, NotifyType.Generic, "del", argv[i])
    }
  }
  return removed
}

/**
 * A read lookup for the keys family: a missing key is announced (`keymiss`), as in Redis. It is
 * not an access (EXISTS, TYPE and TTL look with Redis's LOOKUP_NOTOUCH) unless `touch` says so.
 */
export const lookupRead = (ctx: CommandContext, key: string, touch = false) => {
  const value = touch ? ctx.db.get(key, ctx.now) : ctx.db.peekValue(key, ctx.now)
  if (value === undefined) notify(ctx, NotifyType.KeyMiss, "keymiss", key)
  return value
}

/** How many of argv[1..] exist (a repeated key counts each time); TOUCH counts them as accessed. */
const countExisting = (ctx: CommandContext, argv: ReadonlyArray<string>, touch: boolean): number => {
  let found = 0
  for (let i = 1; i < argv.length; i++) if (lookupRead(ctx, argv[i], touch) !== undefined) found++
  return found
}

const del = command({
  name: "del",
  arity: -2,
  flags: ["write"],
  ...ALL_KEYS,
  group: "generic",
  aclCategories: ["keyspace", "write", "slow"],
  tips: ["request_policy:multi_shard", "response_policy:agg_sum"],
  keySpecs: [keysToEnd(1, 1, "RM", "delete")],
  summary: "Delete a key",
  since: "1.0.0",
  complexity:
    "O(N) where N is the number of keys that will be removed. When a key to remove holds a value other than a string, the individual complexity for this key is O(M) where M is the number of elements in the list, set, sorted set or hash. Removing a single key that holds a string value is O(1).",
  run: (ctx, argv) => ctx.out.integer(deleteKeys(ctx, argv))
})

const unlink = command({
  name: "unlink",
  arity: -2,
  flags: ["write", "fast"],
  ...ALL_KEYS,
  group: "generic",
  aclCategories: ["keyspace", "write", "fast"],
  tips: ["request_policy:multi_shard", "response_policy:agg_sum"],
  keySpecs: [keysToEnd(1, 1, "RM", "delete")],
  summary: "Delete a key asynchronously in another thread. Otherwise it is just as DEL, but non blocking.",
  since: "4.0.0",
  complexity:
    "O(1) for each key removed regardless of its size. Then the command does O(N) work in a different thread in order to reclaim memory, where N is the number of allocations the deleted objects where composed of.",
  run: (ctx, argv) => ctx.out.integer(deleteKeys(ctx, argv))
})

const exists = command({
  name: "exists",
  arity: -2,
  flags: ["readonly", "fast"],
  ...ALL_KEYS,
  group: "generic",
  aclCategories: ["keyspace", "read", "fast"],
  tips: ["request_policy:multi_shard", "response_policy:agg_sum"],
  keySpecs: [keysToEnd(1, 1, "RO")],
  summary: "Determine if a key exists",
  since: "1.0.0",
  complexity: "O(N) where N is the number of keys to check.",
  run: (ctx, argv) => ctx.out.integer(countExisting(ctx, argv, false))
})

const touch = command({
  name: "touch",
  arity: -2,
  flags: ["readonly", "fast"],
  ...ALL_KEYS,
  group: "generic",
  aclCategories: ["keyspace", "read", "fast"],
  tips: ["request_policy:multi_shard", "response_policy:agg_sum"],
  keySpecs: [keysToEnd(1, 1, "RO")],
  summary: "Alters the last access time of a key(s). Returns the number of existing keys specified.",
  since: "3.2.1",
  complexity: "O(N) where N is the number of keys that will be touched.",
  run: (ctx, argv) => ctx.out.integer(countExisting(ctx, argv, true))
})

const type = command({
  name: "type",
  arity: 2,
  flags: ["readonly", "fast"],
  ...FIRST_KEY,
  group: "generic",
  aclCategories: ["keyspace", "read", "fast"],
  keySpecs: [keyAt(1, "RO")],
  summary: "Determine the type stored at key",
  since: "1.0.0",
  complexity: "O(1)",
  run: (ctx, argv) => {
    const value = lookupRead(ctx, argv[1])
    ctx.out.simple(value === undefined ? "none" : typeName(value))
  }
})

export const presenceCommands = [del, unlink, exists, touch, type]
