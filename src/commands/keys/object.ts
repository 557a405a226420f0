/**
 * OBJECT, the introspection container: ENCODING, REFCOUNT, IDLETIME, FREQ, HELP.
 *
 * A string's encoding (and whether it is a shared integer, for REFCOUNT) follows the command
 * that wrote it, as decided in strings/encoding.ts; collection values name their own encoding.
 * IDLETIME and FREQ read the key's access stamp (keyspace/AccessClock.ts), with Redis's errors
 * when the maxmemory policy says the other one is in use. Looking a key up here is not an access.
 */
import type { RedisValue } from "../../keyspace/Value.js"
import { command, type CommandContext, type CommandSpec } from "../Command.js"
import { encodingOf, isSharedInteger } from "../strings/encoding.js"
import { keyAt } from "../../protocol/key-specs.js"
import { helpSubcommand } from "../server/help.js"

/** The refcount Redis reports for a shared integer (INT_MAX). */
const SHARED_REFCOUNT = 2147483647

const maxmemoryPolicy = (ctx: CommandContext): string => ctx.server.config.extra.get("maxmemory-policy") ?? ""

/** Redis does not use shared integers when a maxmemory LRU/LFU policy needs per-object data. */
const sharesIntegers = (ctx: CommandContext): boolean =>
  (ctx.server.config.extra.get("maxmemory") ?? "0") === "0" || !/lru|lfu/.test(maxmemoryPolicy(ctx))

/** OBJECT REFCOUNT's answer (DEBUG OBJECT shows it too). */
export const refcountOf = (ctx: CommandContext, key: string, value: RedisValue): number =>
  isSharedInteger(ctx.db, key, value) && sharesIntegers(ctx) ? SHARED_REFCOUNT : 1

/** The live value of argv[2], or undefined after answering the null bulk Redis gives a missing key. */
const lookupOrNull = (ctx: CommandContext, argv: ReadonlyArray<string>): RedisValue | undefined => {
  const value = ctx.db.peekValue(argv[2], ctx.now)
  if (value === undefined) ctx.out.nullBulk()
  return value
}

/** The access stamp of argv[2], or undefined after answering the null bulk. */
const stampOrNull = (ctx: CommandContext, argv: ReadonlyArray<string>): number | undefined => {
  const ref = ctx.db.peek(argv[2], ctx.now)
  if (ref !== -1) return ctx.db.table.accessStamp(ref)
  ctx.out.nullBulk()
  return undefined
}

const keySubcommand = (name: string, summary: string, since: string, run: CommandSpec["run"]) =>
  command({
    name: `object|${name}`,
    arity: 3,
    flags: ["readonly"],
    firstKey: 2,
    lastKey: 2,
    step: 1,
    group: "generic",
    aclCategories: ["keyspace", "read", "slow"],
    tips: ["nondeterministic_output"],
    keySpecs: [keyAt(2, "RO")],
    summary,
    since,
    complexity: "O(1)",
    run
  })

const encoding = keySubcommand("encoding", "Inspect the internal encoding of a Redis object", "2.2.3", (ctx, argv) => {
  const value = lookupOrNull(ctx, argv)
  if (value !== undefined) ctx.out.bulk(encodingOf(ctx.db, argv[2], value))
})

const refcount = keySubcommand("refcount", "Get the number of references to the value of the key", "2.2.3", (ctx, argv) => {
  const value = lookupOrNull(ctx, argv)
  if (value !== undefined) ctx.out.integer(refcountOf(ctx, argv[2], value))
})

const idletime = keySubcommand("idletime", "Get the time since a Redis object was last accessed", "2.2.3", (ctx, argv) => {
  const stamp = stampOrNull(ctx, argv)
  if (stamp === undefined) return
  if (maxmemoryPolicy(ctx).includes("lfu")) {
    return ctx.out.error(
      "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust."
    )
  }
  ctx.out.integer(ctx.keyspace.access.idleSeconds(stamp))
})

const freq = keySubcommand(
  "freq",
  "Get the logarithmic access frequency counter of a Redis object",
  "4.0.0",
  (ctx, argv) => {
    const stamp = stampOrNull(ctx, argv)
    if (stamp === undefined) return
    if (!maxmemoryPolicy(ctx).includes("lfu")) {
      return ctx.out.error(
        "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust."
      )
    }
    ctx.out.integer(ctx.keyspace.access.decayed(stamp))
  }
)

const HELP_LINES = [
  "ENCODING <key>",
  "    Return the kind of internal representation used in order to store the value",
  "    associated with a <key>.",
  "FREQ <key>",
  "    Return the access frequency index of the <key>. The returned integer is",
  "    proportional to the logarithm of the recent access frequency of the key.",
  "IDLETIME <key>",
  "    Return the idle time of the <key>, that is the approximated number of",
  "    seconds elapsed since the last access to the key.",
  "REFCOUNT <key>",
  "    Return the number of references of the value associated with the specified",
  "    <key>."
]

const help = helpSubcommand("OBJECT", { group: "generic", aclCategories: ["keyspace", "slow"], since: "6.2.0" }, HELP_LINES)

const object = command({
  name: "object",
  arity: -2,
  flags: [],
  group: "generic",
  aclCategories: ["slow"],
  summary: "A container for object introspection commands",
  since: "2.2.3",
  complexity: "Depends on subcommand.",
  subcommands: [freq, help, encoding, idletime, refcount]
})

export const objectCommands = [object]
