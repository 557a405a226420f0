/** SCRIPT LOAD | EXISTS | FLUSH | KILL | HELP (SCRIPT DEBUG answers that it is not supported). */
import { command, type CommandSpec } from "../Command.js"
import { helpSubcommand } from "../server/help.js"
import { busyScriptKill } from "./busy.js"
import { engineOf, existingEngineOf } from "./engines.js"

const SCRIPTING_ACL = ["slow", "scripting"]

const load = command({
  name: "script|load",
  arity: 3,
  flags: ["noscript", "stale"],
  group: "scripting",
  aclCategories: SCRIPTING_ACL,
  tips: ["request_policy:all_nodes", "response_policy:all_succeeded"],
  summary: "Load the specified Lua script into the script cache.",
  since: "2.6.0",
  complexity: "O(N) with N being the length in bytes of the script body.",
  run: (ctx, argv) => {
    const script = engineOf(ctx.server).compile(argv[2])
    if (typeof script === "string") return ctx.out.error(script)
    ctx.out.bulk(script.sha)
  }
})

const exists = command({
  name: "script|exists",
  arity: -3,
  flags: ["noscript"],
  group: "scripting",
  aclCategories: SCRIPTING_ACL,
  tips: ["request_policy:all_shards", "response_policy:agg_logical_and"],
  summary: "Check existence of scripts in the script cache.",
  since: "2.6.0",
  complexity: "O(N) with N being the number of scripts to check (so checking a single script is an O(1) operation).",
  run: (ctx, argv) => {
    const engine = existingEngineOf(ctx.server)
    ctx.out.arrayHeader(argv.length - 2)
    for (let i = 2; i < argv.length; i++) ctx.out.integer(engine?.get(argv[i]) !== undefined ? 1 : 0)
  }
})

const flush = command({
  name: "script|flush",
  arity: -2,
  flags: ["noscript"],
  group: "scripting",
  aclCategories: SCRIPTING_ACL,
  tips: ["request_policy:all_nodes", "response_policy:all_succeeded"],
  summary: "Remove all the scripts from the script cache.",
  since: "2.6.0",
  complexity: "O(N) with N being the number of scripts in cache",
  run: (ctx, argv) => {
    const mode = argv[2]?.toLowerCase()
    if (argv.length > 3 || (mode !== undefined && mode !== "sync" && mode !== "async")) {
      return ctx.out.error("ERR SCRIPT FLUSH only support SYNC|ASYNC option")
    }
    existingEngineOf(ctx.server)?.flush()
    ctx.out.ok()
  }
})

const kill = command({
  name: "script|kill",
  arity: 2,
  flags: ["noscript", "allow_busy"],
  group: "scripting",
  aclCategories: SCRIPTING_ACL,
  tips: ["request_policy:all_shards", "response_policy:one_succeeded"],
  summary: "Kill the script currently in execution.",
  since: "2.6.0",
  complexity: "O(1)",
  run: (ctx) => busyScriptKill(ctx, "script")
})

const debug = command({
  name: "script|debug",
  arity: 3,
  flags: ["noscript"],
  group: "scripting",
  aclCategories: SCRIPTING_ACL,
  summary: "Set the debug mode for executed scripts.",
  since: "3.2.0",
  complexity: "O(1)",
  run: (ctx) => ctx.out.error("ERR SCRIPT DEBUG (the Lua debugger) is not supported by this server")
})

const help = helpSubcommand("SCRIPT", { group: "scripting", aclCategories: SCRIPTING_ACL, since: "5.0.0" }, [
  "EXISTS <sha1> [<sha1> ...]",
  "    Return information about the existence of the scripts in the script cache.",
  "FLUSH [ASYNC|SYNC]",
  "    Flush the Lua scripts cache. Very dangerous on replicas.",
  "    When called without the optional mode argument, the behavior is determined by the",
  "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
  "    * ASYNC: Asynchronously flush the scripts cache.",
  "    * SYNC: Synchronously flush the scripts cache.",
  "KILL",
  "    Kill the currently executing Lua script.",
  "LOAD <script>",
  "    Load a script into the scripts cache without executing it."
])

export const scriptCommand: CommandSpec = command({
  name: "script",
  arity: -2,
  flags: [],
  group: "scripting",
  aclCategories: ["slow"],
  summary: "A container for Lua scripts management commands",
  since: "2.6.0",
  complexity: "Depends on subcommand.",
  subcommands: [debug, exists, flush, help, kill, load]
})
