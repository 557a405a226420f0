/**
 * Whole-database commands: DBSIZE, FLUSHDB, FLUSHALL, SWAPDB (Redis files them under "server").
 * Flushing or swapping gives databases new `entries` Maps, which also retires their SCAN cursors
 * (see `keyspace/ScanCursors.ts`). ASYNC and SYNC are accepted; both free at once.
 */
import { ERR_SYNTAX, isKeyword } from "../../protocol/arguments.js"
import { command, type CommandContext } from "../Command.js"
import { ERR_DB_INDEX_RANGE, parseInt32 } from "./databaseIndex.js"

/** FLUSHDB / FLUSHALL's optional ASYNC | SYNC; false after a syntax error reply. */
const flushModeOk = (ctx: CommandContext, argv: ReadonlyArray<string>): boolean => {
  if (argv.length === 1 || (argv.length === 2 && (isKeyword(argv[1], "ASYNC") || isKeyword(argv[1], "SYNC")))) {
    return true
  }
  ctx.out.error(ERR_SYNTAX)
  return false
}

const dbsize = command({
  name: "dbsize",
  arity: 1,
  flags: ["readonly", "fast"],
  group: "server",
  aclCategories: ["keyspace", "read", "fast"],
  tips: ["request_policy:all_shards", "response_policy:agg_sum"],
  summary: "Return the number of keys in the selected database",
  since: "1.0.0",
  complexity: "O(1)",
  // Like Redis's dictSize: keys whose time passed but that were not removed yet still count.
  run: (ctx) => ctx.out.integer(ctx.db.size)
})

const flushdb = command({
  name: "flushdb",
  arity: -1,
  flags: ["write"],
  group: "server",
  aclCategories: ["keyspace", "write", "slow", "dangerous"],
  tips: ["request_policy:all_shards", "response_policy:all_succeeded"],
  summary: "Remove all keys from the current database",
  since: "1.0.0",
  complexity: "O(N) where N is the number of keys in the selected database",
  run: (ctx, argv) => {
    if (!flushModeOk(ctx, argv)) return
    ctx.db.clear()
    ctx.out.ok()
  }
})

const flushall = command({
  name: "flushall",
  arity: -1,
  flags: ["write"],
  group: "server",
  aclCategories: ["keyspace", "write", "slow", "dangerous"],
  tips: ["request_policy:all_shards", "response_policy:all_succeeded"],
  summary: "Remove all keys from all databases",
  since: "1.0.0",
  complexity: "O(N) where N is the total number of keys in all databases",
  run: (ctx, argv) => {
    if (!flushModeOk(ctx, argv)) return
    ctx.keyspace.flushAll()
    ctx.out.ok()
  }
})

const swapdb = command({
  name: "swapdb",
  arity: 3,
  flags: ["write", "fast"],
  group: "server",
  aclCategories: ["keyspace", "write", "fast", "dangerous"],
  summary: "Swaps two Redis databases",
  since: "4.0.0",
  complexity: "O(N) where N is the count of clients watching or blocking on keys from both databases.",
  run: (ctx, argv) => {
    if (ctx.server.config.clusterEnabled) return ctx.out.error("ERR SWAPDB is not allowed in cluster mode")
    const first = parseInt32(argv[1], "ERR invalid first DB index")
    if (typeof first === "string") return ctx.out.error(first)
    const second = parseInt32(argv[2], "ERR invalid second DB index")
    if (typeof second === "string") return ctx.out.error(second)
    const databases = ctx.keyspace.databases
    if (first < 0 || second < 0 || first >= databases.length || second >= databases.length) {
      return ctx.out.error(ERR_DB_INDEX_RANGE)
    }
    // Database objects keep their ids and only exchange contents, so every client's selected
    // database (ctx.db) now shows the other data, as in Redis.
    if (first !== second) databases[first].swapWith(databases[second])
    ctx.out.ok()
  }
})

export const databaseCommands = [dbsize, flushdb, flushall, swapdb]
