/**
 * The multi-key string commands: MGET, MSET, MSETNX. MGET answers null for a missing key and for
 * a key of another type (never WRONGTYPE); MSET and MSETNX take key/value pairs, so their keys
 * are every second argument, and replace whatever the keys held, TTL included.
 */
import { notify, NotifyType } from "../../pubsub/notify.js"
import { wrongArity } from "../dispatch.js"
import { keysToEnd } from "../../protocol/key-specs.js"
import { stringCommand } from "./shared.js"

const mget = stringCommand({
  name: "mget",
  arity: -2,
  flags: ["readonly", "fast"],
  firstKey: 1,
  lastKey: -1,
  step: 1,
  tips: ["request_policy:multi_shard"],
  keySpecs: [keysToEnd(1, 1, "RO", "access")],
  summary: "Get the values of all the given keys",
  since: "1.0.0",
  complexity: "O(N) where N is the number of keys to retrieve.",
  run: (ctx, argv) => {
    const { db, out, now, server } = ctx
    out.arrayHeader(argv.length - 1)
    for (let i = 1; i < argv.length; i++) {
      const value = db.get(argv[i], now)
      if (value === undefined) {
        server.stats.keyspaceMisses++
        notify(ctx, NotifyType.KeyMiss, "keymiss", argv[i])
        out.nullBulk()
      } else {
        server.stats.keyspaceHits++
        if (typeof value === "string") out.bulk(value)
        else out.nullBulk()
      }
    }
  }
})

const ERR_MSET_ARITY = wrongArity("mset")

const mset = stringCommand({
  name: "mset",
  arity: -3,
  flags: ["write", "denyoom"],
  firstKey: 1,
  lastKey: -1,
  step: 2,
  tips: ["request_policy:multi_shard", "response_policy:all_succeeded"],
  keySpecs: [keysToEnd(1, 2, "OW", "update")],
  summary: "Set multiple keys to multiple values",
  since: "1.0.1",
  complexity: "O(N) where N is the number of keys to set.",
  run: (ctx, argv) => {
    if (argv.length % 2 === 0) return ctx.out.error(ERR_MSET_ARITY)
    const { db, now } = ctx
    for (let i = 1; i < argv.length; i += 2) {
      // As Redis's lookupKeyWrite: a key whose time has passed is expired before it is replaced.
      if (db.volatileCount !== 0) db.lookup(argv[i], now)
      db.set(argv[i], argv[i + 1])
      notify(ctx, NotifyType.String, "set", argv[i])
    }
    ctx.out.ok()
  }
})

const ERR_MSETNX_ARITY = wrongArity("msetnx")

const msetnx = stringCommand({
  name: "msetnx",
  arity: -3,
  flags: ["write", "denyoom"],
  firstKey: 1,
  lastKey: -1,
  step: 2,
  tips: ["request_policy:multi_shard", "response_policy:agg_min"],
  keySpecs: [keysToEnd(1, 2, "OW", "insert")],
  summary: "Set multiple keys to multiple values, only if none of the keys exist",
  since: "1.0.1",
  complexity: "O(N) where N is the number of keys to set.",
  run: (ctx, argv) => {
    if (argv.length % 2 === 0) return ctx.out.error(ERR_MSETNX_ARITY)
    const { db, now } = ctx
    for (let i = 1; i < argv.length; i += 2) {
      if (db.get(argv[i], now) !== undefined) return ctx.out.integer(0)
    }
    for (let i = 1; i < argv.length; i += 2) {
      db.set(argv[i], argv[i + 1])
      notify(ctx, NotifyType.String, "set", argv[i])
    }
    ctx.out.integer(1)
  }
})

export const multiKeyCommands = [mget, mset, msetnx]
