/**
 * The rest of the operator's surface: DEBUG (behind `enable-debug-command`, as Redis 7.0), WAIT
 * (no replicas here: it counts none); LOLWUT is in lolwut.ts.
 */
import { isKeyword } from "../../protocol/arguments.js"
import { command, type CommandContext, type CommandSpec } from "../Command.js"
import { writeHelp } from "./help.js"
import { randomBytes } from "node:crypto"
import { datasetDigest, valueDigest } from "./digest.js"
import { debugObject } from "./debug-object.js"
import { lolwut } from "./lolwut.js"

export const DEBUG_REFUSED =
  "ERR DEBUG command not allowed. If the enable-debug-command option is set to \"local\", you can run it from a " +
  "local connection, otherwise you need to set this option in the configuration file, and then restart the server."

const isLoopback = (address: string): boolean => {
  const host = address.slice(0, address.lastIndexOf(":"))
  return host === "127.0.0.1" || host === "::1" || host.startsWith("unix")
}

/** Whether `enable-debug-command` lets this client run DEBUG ("yes", or "local" from a loopback address). */
export const debugAllowed = (ctx: CommandContext): boolean => {
  const setting = ctx.server.config.extra.get("enable-debug-command") ?? "no"
  return setting === "yes" || (setting === "local" && isLoopback(ctx.client.address))
}

const sleeper = new Int32Array(new SharedArrayBuffer(4))

/** `strtod`'s reading of a number: the longest numeric prefix, 0 when there is none. */
const leadingNumber = (text: string): number => {
  const match = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/.exec(text)
  return match === null ? 0 : Number(match[0])
}

/** C's atoi: optional sign and leading digits, 0 when there are none. */
const atoi = (text: string): number => {
  const match = /^\s*[+-]?\d+/.exec(text)
  return match === null ? 0 : Number(match[0])
}

type DebugSubcommand = (ctx: CommandContext, argv: ReadonlyArray<string>) => void

/** The DEBUG subcommands we have, by upper-case name with their argument count (argv length). */
const DEBUG_SUBCOMMANDS: ReadonlyMap<string, readonly [argc: number, run: DebugSubcommand]> = new Map([
  // Blocks the whole process, as it blocks Redis's one thread: tests use it to hold a batch in flight.
  ["SLEEP", [3, (ctx, argv) => {
    const millis = leadingNumber(argv[2]) * 1000
    if (millis > 0) Atomics.wait(sleeper, 0, 0, millis)
    ctx.out.ok()
  }]],
  ["SET-ACTIVE-EXPIRE", [3, (ctx, argv) => {
    ctx.keyspace.activeExpiry = atoi(argv[2]) !== 0
    ctx.out.ok()
  }]],
  ["DIGEST", [2, (ctx) => ctx.out.simple(datasetDigest(ctx.keyspace, ctx.now))]],
  ["OBJECT", [3, debugObject]],
  ["CHANGE-REPL-ID", [2, (ctx) => {
    const replication = ctx.server.replication
    if (replication !== undefined) replication.changeReplicationId()
    else ctx.server.observability.replicationId = randomBytes(20).toString("hex")
    ctx.out.ok()
  }]]
] as const)

/**
 * DEBUG RELOAD [MERGE|NOFLUSH|NOSAVE ...]: save, empty, load back (src/persistence/Persistence.ts).
 * NOFLUSH without MERGE stops Redis on the first duplicate key; here loaded keys replace them.
 */
const reload = (ctx: CommandContext, argv: ReadonlyArray<string>): void => {
  let save = true
  let flush = true
  for (let j = 2; j < argv.length; j++) {
    if (isKeyword(argv[j], "MERGE")) continue
    else if (isKeyword(argv[j], "NOFLUSH")) flush = false
    else if (isKeyword(argv[j], "NOSAVE")) save = false
    else return ctx.out.error("ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.")
  }
  const outcome = ctx.server.persistence!.reload(ctx.now, { save, flush })
  if ("ok" in outcome) ctx.out.ok()
  else ctx.out.error(outcome.error)
}

const debug = command({
  name: "debug",
  docFlags: ["syscmd"],
  arity: -2,
  flags: ["admin", "noscript", "loading", "stale"],
  group: "server",
  aclCategories: ["admin", "slow", "dangerous"],
  summary: "A container for debugging commands",
  since: "1.0.0",
  complexity: "Depends on subcommand.",
  run: (ctx, argv) => {
    if (argv.length === 2 && isKeyword(argv[1], "HELP")) {
      return writeHelp(ctx.out, "DEBUG", [
        "CHANGE-REPL-ID",
        "    Change the replication IDs of the instance.",
        "    Dangerous: should be used only for testing the replication subsystem.",
        "DIGEST",
        "    Output a hex signature representing the current DB content.",
        "DIGEST-VALUE <key> [<key> ...]",
        "    Output a hex signature of the values of all the specified keys.",
        "OBJECT <key>",
        "    Show low level info about `key` and associated value.",
        "RELOAD [option ...]",
        "    Save the RDB on disk and reload it back to memory. Valid <option> values:",
        "    * MERGE: conflicting keys will be loaded from RDB.",
        "    * NOFLUSH: the existing database will not be removed before load, but",
        "      conflicting keys will generate an exception and kill the server.",
        "    * NOSAVE: the database will be loaded from an existing RDB file.",
        "    Examples:",
        "    * DEBUG RELOAD: verify that the server is able to persist, flush and reload",
        "      the database.",
        "    * DEBUG RELOAD NOSAVE: replace the current database with the contents of an",
        "      existing RDB file.",
        "    * DEBUG RELOAD NOSAVE NOFLUSH MERGE: add the contents of an existing RDB",
        "      file to the database.",
        "SET-ACTIVE-EXPIRE <0|1>",
        "    Setting it to 0 disables expiring keys in background when they are not",
        "    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the",
        "    default.",
        "SLEEP <seconds>",
        "    Stop the server for <seconds>. Decimals allowed."
      ])
    }
    if (argv.length >= 2 && isKeyword(argv[1], "DIGEST-VALUE")) {
      ctx.out.arrayHeader(argv.length - 2)
      for (let i = 2; i < argv.length; i++) ctx.out.simple(valueDigest(ctx.db, argv[i], ctx.now))
      return
    }
    if (argv.length >= 2 && isKeyword(argv[1], "RELOAD")) return reload(ctx, argv)
    const subcommand = DEBUG_SUBCOMMANDS.get(argv[1].toUpperCase())
    if (subcommand === undefined || subcommand[0] !== argv.length) {
      return ctx.out.error(`ERR unknown subcommand or wrong number of arguments for '${argv[1]}'. Try DEBUG HELP.`)
    }
    subcommand[1](ctx, argv)
  }
})

export const operatorCommands: ReadonlyArray<CommandSpec> = [debug, lolwut]
