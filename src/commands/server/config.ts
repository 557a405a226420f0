/**
 * CONFIG GET / SET / RESETSTAT / HELP over the parameter table in config/parameters.ts.
 *
 * GET matches names case-insensitively: a name without glob characters is looked up and echoed as
 * the client spelled it, a pattern is matched (Redis's glob, no case) against every parameter;
 * each parameter is answered once. SET validates every pair before changing anything, with
 * Redis's precedence of errors: an unknown name first, then immutable/protected/duplicate, then
 * the first value that does not parse, then the first that does not apply.
 */
import { emptyStats } from "../ServerState.js"
import type { Change, ConfigParameter } from "../../config/ConfigParameter.js"
import { allParameters, findParameter } from "../../config/parameters.js"
import { configuredUserLines } from "../../acl/AclFile.js"
import { rewriteConfigFile } from "../../config/configRewrite.js"
import { globMatch } from "../../keyspace/glob.js"
import { ERR_SYNTAX } from "../../protocol/arguments.js"
import { command, type CommandSpec } from "../Command.js"
import { helpSubcommand } from "./help.js"

const ADMIN = ["admin", "noscript", "loading", "stale"] as const
const ADMIN_ACL = ["admin", "slow", "dangerous"]

const GLOB_CHARS = /[*?[]/

const get = command({
  name: "config|get",
  arity: -3,
  flags: ADMIN,
  group: "server",
  aclCategories: ADMIN_ACL,
  summary: "Get the values of configuration parameters",
  since: "2.0.0",
  complexity: "O(N) when N is the number of configuration parameters provided",
  run: (ctx, argv) => {
    const config = ctx.server.config
    const found = new Map<ConfigParameter, string>()
    for (let i = 2; i < argv.length; i++) {
      const asked = argv[i]
      if (!GLOB_CHARS.test(asked)) {
        const parameter = findParameter(config, asked)
        if (parameter !== undefined && !found.has(parameter)) found.set(parameter, asked)
        continue
      }
      const pattern = asked.toLowerCase()
      for (const parameter of allParameters(config)) {
        if (!found.has(parameter) && parameter.hidden !== true && globMatch(pattern, parameter.name)) found.set(parameter, parameter.name)
      }
    }
    ctx.out.mapHeader(found.size)
    for (const [parameter, name] of found) {
      ctx.out.bulk(name)
      ctx.out.bulk(parameter.get(config, ctx.server))
    }
  }
})

const failed = (name: string, reason: string) => `ERR CONFIG SET failed (possibly related to argument '${name}') - ${reason}`

const set = command({
  name: "config|set",
  arity: -4,
  flags: ADMIN,
  group: "server",
  aclCategories: ADMIN_ACL,
  tips: ["request_policy:all_nodes", "response_policy:all_succeeded"],
  summary: "Set configuration parameters to the given values",
  since: "2.0.0",
  complexity: "O(N) when N is the number of configuration parameters provided",
  run: (ctx, argv) => {
    if (argv.length % 2 !== 0) return ctx.out.error(ERR_SYNTAX)
    const config = ctx.server.config
    const parameters: Array<ConfigParameter> = []
    let refusal: string | undefined
    for (let i = 2; i < argv.length; i += 2) {
      const parameter = findParameter(config, argv[i])
      if (parameter === undefined) {
        if (refusal === undefined) {
          return ctx.out.error(`ERR Unknown option or number of arguments for CONFIG SET - '${argv[i]}'`)
        }
        continue
      }
      if (refusal !== undefined) continue
      if (parameter.access !== "mutable") {
        const what = parameter.access === "immutable" ? "can't set immutable config" : "can't set protected config"
        refusal = failed(argv[i], what)
      } else if (parameters.includes(parameter)) {
        refusal = failed(argv[i], "duplicate parameter")
      }
      parameters.push(parameter)
    }
    if (refusal !== undefined) return ctx.out.error(refusal)
    const changes: Array<Change> = []
    for (let i = 0; i < parameters.length; i++) {
      const result = parameters[i].set(argv[3 + i * 2], config, ctx.server)
      if (typeof result === "string") return ctx.out.error(failed(parameters[i].name, result))
      changes.push(result)
    }
    for (let i = 0; i < changes.length; i++) {
      const applyError = changes[i].applyError
      if (applyError !== undefined) return ctx.out.error(failed(parameters[i].name, applyError))
    }
    for (const change of changes) change.apply(config)
    ctx.out.ok()
  }
})

/**
 * Zeroes INFO's counters, as Redis does (the dirty counter is persistence's and stays). Redis
 * counts a command once it has run, so RESETSTAT itself is the first command of the new count.
 */
const resetstat = command({
  name: "config|resetstat",
  arity: 2,
  flags: ADMIN,
  group: "server",
  aclCategories: ADMIN_ACL,
  summary: "Reset the stats returned by INFO",
  since: "2.0.0",
  complexity: "O(1)",
  run: (ctx) => {
    ctx.server.stats = emptyStats()
    ctx.server.stats.totalCommandsProcessed = 1
    ctx.keyspace.stats.expiredKeys = 0
    ctx.server.observability.resetStats()
    ctx.out.ok()
  }
})

/** CONFIG REWRITE: the start-up configuration file, rewritten with the live values (src/config/configRewrite.ts). */
const rewrite = command({
  name: "config|rewrite",
  arity: 2,
  flags: ADMIN,
  group: "server",
  aclCategories: ADMIN_ACL,
  summary: "Rewrite the configuration file with the in memory configuration",
  since: "2.8.0",
  complexity: "O(1)",
  run: (ctx) => {
    const file = ctx.server.observability.configFile
    if (file === "") return ctx.out.error("ERR The server is running without a config file")
    const acl = ctx.server.acl
    const error = rewriteConfigFile(file, ctx.server.config, ctx.server, acl.filename === "" ? configuredUserLines(acl) : [])
    if (error !== undefined) return ctx.out.error(error)
    ctx.out.ok()
  }
})

const help = helpSubcommand("CONFIG", { group: "server", aclCategories: ["slow"], since: "5.0.0" }, [
  "GET <pattern>",
  "    Return parameters matching the glob-like <pattern> and their values.",
  "SET <directive> <value>",
  "    Set the configuration <directive> to <value>.",
  "RESETSTAT",
  "    Reset statistics reported by the INFO command.",
  "REWRITE",
  "    Rewrite the configuration file."
])

export const configCommand: CommandSpec = command({
  name: "config",
  arity: -2,
  flags: [],
  group: "server",
  aclCategories: ["slow"],
  summary: "A container for server configuration commands",
  since: "2.0.0",
  complexity: "Depends on subcommand.",
  subcommands: [get, set, resetstat, rewrite, help]
})
