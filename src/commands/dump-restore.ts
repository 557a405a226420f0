/**
 * DUMP and RESTORE: a value serialized in Redis's payload format (persistence/DumpPayload.ts), so
 * payloads move between this server and Redis 7 either way.
 *
 * RESTORE checks what Redis checks, in Redis's order: its options, then whether the key exists
 * (without REPLACE), then the TTL, then the payload's version and checksum, then its body. A
 * relative TTL is logged as an absolute one (ABSTTL) so AOF replay restores the same expiry; a
 * TTL already past stores nothing (and, with REPLACE, logs the deletion of the old key).
 */
import {
  dumpOptionsOf,
  dumpPayload,
  restorePayload,
  sanitizesDeeply,
  verifyPayload
} from "../persistence/DumpPayload.js"
import { millisArgument } from "../keyspace/CommandLog.js"
import { notify, NotifyType } from "../pubsub/notify.js"
import { ERR_NOT_INTEGER, ERR_SYNTAX, isKeyword, parseInteger } from "../protocol/arguments.js"
import { command, type CommandContext, propagateAs } from "./Command.js"
import { keyAt } from "../protocol/key-specs.js"
import { lookupRead } from "./keys/presence.js"

const ERR_BUSY_KEY = "BUSYKEY Target key name already exists."
const ERR_BAD_PAYLOAD = "ERR DUMP payload version or checksum are wrong"
const ERR_BAD_DATA = "ERR Bad data format"

const integerArg = (text: string): number | undefined => {
  const value = parseInteger(text)
  return value === undefined ? undefined : Number(value)
}

const dump = command({
  name: "dump",
  arity: 2,
  flags: ["readonly"],
  firstKey: 1,
  lastKey: 1,
  step: 1,
  group: "generic",
  aclCategories: ["keyspace", "read", "slow"],
  tips: ["nondeterministic_output"],
  keySpecs: [keyAt(1, "RO", "access")],
  summary: "Return a serialized version of the value stored at the specified key.",
  since: "2.6.0",
  complexity:
    "O(1) to access the key and additional O(N*M) to serialize it, where N is the number of Redis objects composing the value and M their average size. For small string values the time complexity is thus O(1)+O(1*M) where M is small, so simply O(1).",
  run: (ctx, argv) => {
    const value = lookupRead(ctx, argv[1], true)
    if (value === undefined) return ctx.out.nullBulk()
    ctx.out.bulkBytes(dumpPayload(value, dumpOptionsOf(ctx.server.config)))
  }
})

interface RestoreOptions {
  replace: boolean
  absoluteTtl: boolean
  idleSeconds: number
  frequency: number
}

/** RESTORE's options after the payload, or undefined after replying Redis's error. */
const restoreOptions = (ctx: CommandContext, argv: ReadonlyArray<string>): RestoreOptions | undefined => {
  const options: RestoreOptions = { replace: false, absoluteTtl: false, idleSeconds: -1, frequency: -1 }
  for (let i = 4; i < argv.length; i++) {
    const more = argv.length - i - 1
    if (isKeyword(argv[i], "REPLACE")) {
      options.replace = true
    } else if (isKeyword(argv[i], "ABSTTL")) {
      options.absoluteTtl = true
    } else if (isKeyword(argv[i], "IDLETIME") && more >= 1 && options.frequency === -1) {
      const idle = integerArg(argv[++i])
      if (idle === undefined) return void ctx.out.error(ERR_NOT_INTEGER)
      if (idle < 0) return void ctx.out.error("ERR Invalid IDLETIME value, must be >= 0")
      options.idleSeconds = idle
    } else if (isKeyword(argv[i], "FREQ") && more >= 1 && options.idleSeconds === -1) {
      const frequency = integerArg(argv[++i])
      if (frequency === undefined) return void ctx.out.error(ERR_NOT_INTEGER)
      if (frequency < 0 || frequency > 255) return void ctx.out.error("ERR Invalid FREQ value, must be >= 0 and <= 255")
      options.frequency = frequency
    } else {
      return void ctx.out.error(ERR_SYNTAX)
    }
  }
  return options
}

const restore = command({
  name: "restore",
  arity: -4,
  flags: ["write", "denyoom"],
  firstKey: 1,
  lastKey: 1,
  step: 1,
  group: "generic",
  aclCategories: ["keyspace", "write", "slow", "dangerous"],
  keySpecs: [keyAt(1, "OW", "update")],
  summary: "Create a key using the provided serialized value, previously obtained using DUMP.",
  since: "2.6.0",
  complexity:
    "O(1) to create the new key and additional O(N*M) to reconstruct the serialized value, where N is the number of Redis objects composing the value and M their average size. For small string values the time complexity is thus O(1)+O(1*M) where M is small, so simply O(1). However for sorted set values the complexity is O(N*M*log(N)) because inserting values into sorted sets is O(log(N)).",
  run: (ctx, argv) => {
    const options = restoreOptions(ctx, argv)
    if (options === undefined) return
    const key = argv[1]
    const db = ctx.db
    if (!options.replace && db.has(key, ctx.now)) return ctx.out.error(ERR_BUSY_KEY)
    let ttl = integerArg(argv[2])
    if (ttl === undefined) return ctx.out.error(ERR_NOT_INTEGER)
    if (ttl < 0) return ctx.out.error("ERR Invalid TTL value, must be >= 0")
    const payload = Buffer.from(argv[3], "latin1")
    if (!verifyPayload(payload)) return ctx.out.error(ERR_BAD_PAYLOAD)
    const value = restorePayload(payload, ctx.server.config, sanitizesDeeply(ctx.server.config))
    if (value === undefined) return ctx.out.error(ERR_BAD_DATA)

    const deleted = options.replace && db.has(key, ctx.now) && db.delete(key)
    if (ttl !== 0 && !options.absoluteTtl) ttl += ctx.now
    if (ttl !== 0 && ttl <= ctx.now && !ctx.db.expiresFromPrimary) {
      // Already expired: nothing is stored; a replaced key is gone, as a DEL would leave it.
      if (deleted) {
        if (ctx.keyspace.commandLog.enabled) propagateAs(ctx, ["DEL", key])
        notify(ctx, NotifyType.Generic, "del", key)
      }
      return ctx.out.ok()
    }
    if (ttl === 0) db.set(key, value)
    else db.setWithExpiry(key, value, ttl)
    const access = db.access
    if (access.lfu) {
      if (options.frequency >= 0) db.setAccessStamp(key, access.frequencyStamp(options.frequency))
    } else if (options.idleSeconds >= 0) {
      db.setAccessStamp(key, access.idleStamp(options.idleSeconds))
    }
    if (ttl !== 0 && !options.absoluteTtl && ctx.keyspace.commandLog.enabled) {
      propagateAs(ctx, ["RESTORE", key, millisArgument(ttl), ...argv.slice(3), "ABSTTL"])
    }
    notify(ctx, NotifyType.Generic, "restore", key)
    ctx.out.ok()
  }
})

/** What MIGRATE sends to a cluster node (accepted there even for a slot being imported): RESTORE itself. */
const restoreAsking = command({
  ...restore,
  name: "restore-asking",
  docFlags: ["syscmd"],
  flags: ["write", "denyoom", "asking"],
  group: "server",
  summary: "An internal command for migrating keys in a cluster",
  since: "3.0.0"
})

export const dumpRestoreCommands = [dump, restore, restoreAsking]
