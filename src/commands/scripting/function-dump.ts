/**
 * FUNCTION DUMP and FUNCTION RESTORE: every library in Redis 7.0's payload (see
 * src/persistence/FunctionPayload.ts), so a dump from Redis restores here and ours on Redis.
 * RESTORE is logged for the AOF as sent: replay restores the same libraries.
 */
import { dumpOptionsOf } from "../../persistence/DumpPayload.js"
import { functionCodesOf, functionsPayload } from "../../persistence/FunctionPayload.js"
import { command, type CommandContext, propagateAs } from "../Command.js"
import { librariesOf } from "./engines.js"

export const functionDump = command({
  name: "function|dump",
  arity: 2,
  flags: ["noscript"],
  group: "scripting",
  aclCategories: ["slow", "scripting"],
  summary: "Dump all functions into a serialized binary payload",
  since: "7.0.0",
  complexity: "O(N) where N is the number of functions",
  run: (ctx: CommandContext) => {
    const codes = [...librariesOf(ctx.server).libraries.values()].map((library) => library.code)
    ctx.out.bulk(functionsPayload(codes, dumpOptionsOf(ctx.server.config).compress).toString("latin1"))
  }
})

const POLICIES = ["flush", "append", "replace"] as const

export const functionRestore = command({
  name: "function|restore",
  arity: -3,
  flags: ["write", "denyoom", "noscript"],
  group: "scripting",
  aclCategories: ["write", "slow", "scripting"],
  tips: ["request_policy:all_shards", "response_policy:all_succeeded"],
  summary: "Restore all the functions on the given payload",
  since: "7.0.0",
  complexity: "O(N) where N is the number of functions on the payload",
  run: (ctx: CommandContext, argv: ReadonlyArray<string>) => {
    if (argv.length > 4) {
      return ctx.out.error(`ERR unknown subcommand or wrong number of arguments for '${argv[1]}'. Try FUNCTION HELP.`)
    }
    const policy = argv.length === 4 ? POLICIES.find((name) => name === argv[3].toLowerCase()) : "append"
    if (policy === undefined) {
      return ctx.out.error("ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.")
    }
    const codes = functionCodesOf(Buffer.from(argv[2], "latin1"))
    if (typeof codes === "string") return ctx.out.error(codes)
    const error = librariesOf(ctx.server).restore(codes, policy)
    if (error !== undefined) return ctx.out.error(error)
    if (ctx.keyspace.commandLog.enabled) propagateAs(ctx, argv)
    ctx.out.ok()
  }
})
