/**
 * FUNCTION LOAD | DELETE | FLUSH | LIST | STATS | KILL | DUMP | RESTORE | HELP, FCALL and
 * FCALL_RO. For the AOF, LOAD, DELETE, FLUSH and RESTORE are logged as sent, so a restart loads
 * the same libraries before the writes that used them.
 */
import { pushStringArray } from "../../scripting/LuaEngine.js"
import { globMatch } from "../../keyspace/glob.js"
import { command, type CommandContext, type CommandSpec, propagateAs } from "../Command.js"
import { helpSubcommand } from "../server/help.js"
import { busyEvalRefusal, busyScriptKill, runningFunction } from "./busy.js"
import { engineOf, librariesOf } from "./engines.js"
import { parseNumKeys, runWithFlags } from "./eval.js"
import { functionDump, functionRestore } from "./function-dump.js"

const SCRIPTING_ACL = ["slow", "scripting"]
const WRITE_ACL = ["write", "slow", "scripting"]

const logAsSent = (ctx: CommandContext, argv: ReadonlyArray<string>): void => {
  if (ctx.keyspace.commandLog.enabled) propagateAs(ctx, argv)
}

const load = command({
  name: "function|load",
  arity: -3,
  flags: ["write", "denyoom", "noscript"],
  group: "scripting",
  aclCategories: WRITE_ACL,
  tips: ["request_policy:all_shards", "response_policy:all_succeeded"],
  summary: "Create a function with the given arguments (name, code, description)",
  since: "7.0.0",
  complexity: "O(1) (considering compilation time is redundant)",
  run: (ctx, argv) => {
    let replace = false
    let at = 2
    for (; at < argv.length - 1; at++) {
      if (argv[at].toLowerCase() === "replace") replace = true
      else return ctx.out.error(`ERR Unknown option given: ${argv[at]}`)
    }
    if (at !== argv.length - 1) return ctx.out.error("ERR Function code is missing")
    const loaded = librariesOf(ctx.server).load(argv[at], replace)
    if (typeof loaded !== "string") return ctx.out.error(loaded.error)
    logAsSent(ctx, argv)
    ctx.out.bulk(loaded)
  }
})

const remove = command({
  name: "function|delete",
  arity: 3,
  flags: ["write", "noscript"],
  group: "scripting",
  aclCategories: WRITE_ACL,
  tips: ["request_policy:all_shards", "response_policy:all_succeeded"],
  summary: "Delete a function by name",
  since: "7.0.0",
  complexity: "O(1)",
  run: (ctx, argv) => {
    if (!librariesOf(ctx.server).delete(argv[2])) return ctx.out.error("ERR Library not found")
    logAsSent(ctx, argv)
    ctx.out.ok()
  }
})

const flush = command({
  name: "function|flush",
  arity: -2,
  flags: ["write", "noscript"],
  group: "scripting",
  aclCategories: WRITE_ACL,
  tips: ["request_policy:all_shards", "response_policy:all_succeeded"],
  summary: "Deleting all functions",
  since: "7.0.0",
  complexity: "O(N) where N is the number of functions deleted",
  run: (ctx, argv) => {
    const mode = argv[2]?.toLowerCase()
    if (argv.length > 3 || (mode !== undefined && mode !== "sync" && mode !== "async")) {
      return ctx.out.error("ERR FUNCTION FLUSH only supports SYNC|ASYNC option")
    }
    librariesOf(ctx.server).flush()
    logAsSent(ctx, argv)
    ctx.out.ok()
  }
})

const list = command({
  name: "function|list",
  arity: -2,
  flags: ["noscript"],
  group: "scripting",
  aclCategories: SCRIPTING_ACL,
  tips: ["nondeterministic_output_order"],
  summary: "List information about all the functions",
  since: "7.0.0",
  complexity: "O(N) where N is the number of functions",
  run: (ctx, argv) => {
    let withCode = false
    let pattern: string | undefined
    for (let i = 2; i < argv.length; i++) {
      const option = argv[i].toLowerCase()
      if (option === "withcode" && !withCode) {
        withCode = true
      } else if (option === "libraryname" && pattern === undefined) {
        if (i + 1 >= argv.length) return ctx.out.error("ERR library name argument was not given")
        pattern = argv[++i]
      } else {
        return ctx.out.error(`ERR Unknown argument ${argv[i]}`)
      }
    }
    const out = ctx.out
    const libraries = [...librariesOf(ctx.server).libraries.values()].filter(
      (library) => pattern === undefined || globMatch(pattern, library.name)
    )
    out.arrayHeader(libraries.length)
    for (const library of libraries) {
      out.mapHeader(withCode ? 4 : 3)
      out.bulk("library_name")
      out.bulk(library.name)
      out.bulk("engine")
      out.bulk("LUA")
      out.bulk("functions")
      out.arrayHeader(library.functions.length)
      for (const fn of library.functions) {
        out.mapHeader(3)
        out.bulk("name")
        out.bulk(fn.name)
        out.bulk("description")
        out.bulkOrNull(fn.description)
        out.bulk("flags")
        out.setHeader(fn.flags.size)
        for (const flag of fn.flags) out.simple(flag)
      }
      if (withCode) {
        out.bulk("library_code")
        out.bulk(library.code)
      }
    }
  }
})

const stats = command({
  name: "function|stats",
  arity: 2,
  flags: ["noscript", "allow_busy"],
  group: "scripting",
  aclCategories: SCRIPTING_ACL,
  tips: ["nondeterministic_output", "request_policy:all_shards", "response_policy:special"],
  summary: "Return information about the function currently running (name, description, duration)",
  since: "7.0.0",
  complexity: "O(1)",
  run: (ctx) => {
    // Redis answers -BUSY here while an EVAL script (not a function) is busy.
    const busy = busyEvalRefusal(ctx.server)
    if (busy !== undefined) return ctx.out.error(busy)
    const registry = librariesOf(ctx.server)
    const out = ctx.out
    out.mapHeader(2)
    out.bulk("running_script")
    const running = runningFunction(ctx.server)
    if (running === undefined) {
      out.nullBulk()
    } else {
      out.mapHeader(3)
      out.bulk("name")
      out.bulk(running.name)
      out.bulk("command")
      out.bulkArray(running.argv)
      out.bulk("duration_ms")
      out.integer(running.durationMs)
    }
    out.bulk("engines")
    out.mapHeader(1)
    out.bulk("LUA")
    out.mapHeader(2)
    out.bulk("libraries_count")
    out.integer(registry.libraries.size)
    out.bulk("functions_count")
    out.integer(registry.functions.size)
  }
})

const kill = command({
  name: "function|kill",
  arity: 2,
  flags: ["noscript", "allow_busy"],
  group: "scripting",
  aclCategories: SCRIPTING_ACL,
  tips: ["request_policy:all_shards", "response_policy:one_succeeded"],
  summary: "Kill the function currently in execution.",
  since: "7.0.0",
  complexity: "O(1)",
  run: (ctx) => busyScriptKill(ctx, "function")
})

const help = helpSubcommand("FUNCTION", { group: "scripting", aclCategories: SCRIPTING_ACL, since: "7.0.0" }, [
  "LOAD [REPLACE] <FUNCTION CODE>",
  "    Create a new library with the given library name and code.",
  "DELETE <LIBRARY NAME>",
  "    Delete the given library.",
  "LIST [LIBRARYNAME PATTERN] [WITHCODE]",
  "    Return general information on all the libraries:",
  "    * Library name",
  "    * The engine used to run the Library",
  "    * Library description",
  "    * Functions list",
  "    * Library code (if WITHCODE is given)",
  "    It also possible to get only function that matches a pattern using LIBRARYNAME argument.",
  "STATS",
  "    Return information about the current function running:",
  "    * Function name",
  "    * Command used to run the function",
  "    * Duration in MS that the function is running",
  "    If no function is running, return nil",
  "    In addition, returns a list of available engines.",
  "KILL",
  "    Kill the current running function.",
  "FLUSH [ASYNC|SYNC]",
  "    Delete all the libraries.",
  "    When called without the optional mode argument, the behavior is determined by the",
  "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
  "    * ASYNC: Asynchronously flush the libraries.",
  "    * SYNC: Synchronously flush the libraries.",
  "DUMP",
  "    Return a serialized payload representing the current libraries, can be restored using FUNCTION RESTORE command",
  "RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
  "    Restore the libraries represented by the given payload, it is possible to give a restore policy to",
  "    control how to handle existing libraries (default APPEND):",
  "    * FLUSH: delete all existing libraries.",
  "    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.",
  "    * REPLACE: appends the restored libraries to the existing libraries, On collision, replace the old",
  "      libraries with the new libraries (notice that even on this option there is a chance of failure",
  "      in case of functions name collision with another library)."
])

export const functionCommand: CommandSpec = command({
  name: "function",
  arity: -2,
  flags: [],
  group: "scripting",
  aclCategories: ["slow"],
  summary: "A container for function commands",
  since: "7.0.0",
  complexity: "Depends on subcommand.",
  subcommands: [remove, functionDump, flush, help, kill, list, load, functionRestore, stats]
})

/** FCALL / FCALL_RO function numkeys key... arg...: the function gets (keys, args). */
export const fcallCommand = (readOnly: boolean) => (ctx: CommandContext, argv: ReadonlyArray<string>): void => {
  ctx.server.observability.feedScriptCommand(argv, ctx.client, ctx.out, ctx.db.id)
  const numkeys = parseNumKeys(argv)
  if (typeof numkeys === "string") return ctx.out.error(numkeys)
  const found = librariesOf(ctx.server).functions.get(argv[1])
  if (found === undefined) return ctx.out.error("ERR Function not found")
  const fn = found.fn
  const keys = argv.slice(3, 3 + numkeys)
  const args = argv.slice(3 + numkeys)
  runWithFlags(ctx, fn.flags, readOnly, "function", argv, (run, busyAfterMs) =>
    engineOf(ctx.server).runFunction(fn.ref, fn.name, (L) => {
      pushStringArray(L, keys)
      pushStringArray(L, args)
      return 2
    }, run, ctx.out, busyAfterMs))
}
