/**
 * COMMAND: the command table described to clients, in Redis 7.0's shapes (sets and maps where
 * Redis sends them, so RESP3 gets its types). INFO entries are [name, arity, flags, first key,
 * last key, step, ACL categories, tips, key specs, subcommands]. DOCS maps carry summary, since,
 * group, complexity, doc flags, deprecation notes and history (command-history.ts), and
 * subcommands: enough for redis-cli's help and hints; not Redis's argument trees. GETKEYS and GETKEYSANDFLAGS find keys as Redis 7.0 does, from the
 * key specs or a command's own finder (key-specs.ts). COMMAND is a container that also runs bare
 * (it then lists every command's INFO).
 */
import { globMatch } from "../../keyspace/glob.js"
import { COMMAND_HISTORY } from "../command-history.js"
import type { ReplyWriter } from "../../protocol/ReplyWriter.js"
import { ERR_SYNTAX, isKeyword } from "../../protocol/arguments.js"
import { aclCategoriesOf } from "../../acl/categories.js"
import { command, type CommandContext, type CommandSpec } from "../Command.js"
import type { CommandFlag, KeyFlag, KeySpec } from "../../protocol/CommandInfo.js"
import { arityAccepts } from "../dispatch.js"
import { findKeys, hasKeyArguments, keySpecsOf } from "../../protocol/key-specs.js"
import { helpSubcommand } from "./help.js"

/** The order in which Redis lists command flags (movablekeys always last). */
const FLAG_ORDER: ReadonlyArray<CommandFlag> = [
  "write",
  "readonly",
  "denyoom",
  "admin",
  "pubsub",
  "noscript",
  "blocking",
  "loading",
  "stale",
  "skip_monitor",
  "skip_slowlog",
  "asking",
  "fast",
  "no_auth",
  "may_replicate",
  "no_mandatory_keys",
  "no_async_loading",
  "no_multi",
  "allow_busy",
  "movablekeys"
]

/** Redis's order of key-spec flags (COMMAND INFO, GETKEYSANDFLAGS). */
const KEY_FLAG_ORDER: ReadonlyArray<KeyFlag> = [
  "RO",
  "RW",
  "OW",
  "RM",
  "access",
  "update",
  "insert",
  "delete",
  "not_key",
  "incomplete",
  "variable_flags"
]

const writeKeyFlags = (out: ReplyWriter, flags: ReadonlyArray<KeyFlag>): void => {
  const ordered = KEY_FLAG_ORDER.filter((flag) => flags.includes(flag))
  out.setHeader(ordered.length)
  for (const flag of ordered) out.simple(flag)
}

const writeKeySpec = (out: ReplyWriter, spec: KeySpec): void => {
  out.mapHeader(spec.notes === undefined ? 3 : 4)
  if (spec.notes !== undefined) {
    out.bulk("notes")
    out.bulk(spec.notes)
  }
  out.bulk("flags")
  writeKeyFlags(out, spec.flags)
  out.bulk("begin_search")
  out.mapHeader(2)
  out.bulk("type")
  const begin = spec.begin
  if (begin === undefined) {
    out.bulk("index")
    out.bulk("spec")
    out.mapHeader(1)
    out.bulk("index")
    out.integer(spec.index)
  } else if (begin.kind === "keyword") {
    out.bulk("keyword")
    out.bulk("spec")
    out.mapHeader(2)
    out.bulk("keyword")
    out.bulk(begin.keyword)
    out.bulk("startfrom")
    out.integer(begin.startFrom)
  } else {
    out.bulk("unknown")
    out.bulk("spec")
    out.mapHeader(0)
  }
  out.bulk("find_keys")
  out.mapHeader(2)
  out.bulk("type")
  const find = spec.find
  out.bulk(find.kind)
  out.bulk("spec")
  if (find.kind === "unknown") return out.mapHeader(0)
  out.mapHeader(3)
  if (find.kind === "range") {
    out.bulk("lastkey")
    out.integer(find.lastKey)
    out.bulk("keystep")
    out.integer(find.keyStep)
    out.bulk("limit")
    out.integer(find.limit)
  } else {
    out.bulk("keynumidx")
    out.integer(find.keyNumIndex)
    out.bulk("firstkey")
    out.integer(find.firstKey)
    out.bulk("keystep")
    out.integer(find.keyStep)
  }
}

const writeInfo = (out: ReplyWriter, spec: CommandSpec): void => {
  out.arrayHeader(10)
  out.bulk(spec.name)
  out.integer(spec.arity)
  const flags = FLAG_ORDER.filter((flag) => spec.flags.includes(flag))
  out.setHeader(flags.length)
  for (const flag of flags) out.simple(flag)
  out.integer(spec.firstKey)
  out.integer(spec.lastKey)
  out.integer(spec.step)
  const categories = aclCategoriesOf(spec)
  out.setHeader(categories.length)
  for (const category of categories) out.simple(`@${category}`)
  const tips = spec.tips ?? []
  out.setHeader(tips.length)
  for (const tip of tips) out.bulk(tip)
  const keySpecs = keySpecsOf(spec)
  out.setHeader(keySpecs.length)
  for (const keySpec of keySpecs) writeKeySpec(out, keySpec)
  const subcommands = spec.subcommands
  // No subcommands: an empty set; otherwise an array (Redis's shapes).
  if (subcommands === undefined) return out.setHeader(0)
  out.arrayHeader(subcommands.length)
  for (const sub of subcommands) writeInfo(out, sub)
}

const writeDocs = (out: ReplyWriter, spec: CommandSpec): void => {
  const subcommands = spec.subcommands
  const docFlags = spec.docFlags
  const history = COMMAND_HISTORY[spec.name]
  const fields = 3 + (spec.complexity === undefined ? 0 : 1) + (docFlags === undefined ? 0 : 1) +
    (spec.deprecatedSince === undefined ? 0 : 1) + (spec.replacedBy === undefined ? 0 : 1) +
    (history === undefined ? 0 : 1) + (subcommands === undefined ? 0 : 1)
  out.mapHeader(fields)
  out.bulk("summary")
  out.bulk(spec.summary)
  out.bulk("since")
  out.bulk(spec.since)
  out.bulk("group")
  out.bulk(spec.group)
  if (spec.complexity !== undefined) {
    out.bulk("complexity")
    out.bulk(spec.complexity)
  }
  if (docFlags !== undefined) {
    out.bulk("doc_flags")
    out.setHeader(docFlags.length)
    for (const flag of docFlags) out.simple(flag)
  }
  if (spec.deprecatedSince !== undefined) {
    out.bulk("deprecated_since")
    out.bulk(spec.deprecatedSince)
  }
  if (spec.replacedBy !== undefined) {
    out.bulk("replaced_by")
    out.bulk(spec.replacedBy)
  }
  if (history !== undefined) {
    out.bulk("history")
    out.setHeader(history.length)
    for (const [since, change] of history) {
      out.arrayHeader(2)
      out.bulk(since)
      out.bulk(change)
    }
  }
  if (subcommands !== undefined) {
    out.bulk("subcommands")
    out.mapHeader(subcommands.length)
    for (const sub of subcommands) {
      out.bulk(sub.name)
      writeDocs(out, sub)
    }
  }
}

/** A command by full name: `get`, or `client|list` for a subcommand (any case). */
const findByFullName = (commands: ReadonlyMap<string, CommandSpec>, name: string): CommandSpec | undefined => {
  const lower = name.toLowerCase()
  const bar = lower.indexOf("|")
  if (bar < 0) return commands.get(lower)
  const container = commands.get(lower.slice(0, bar))
  return container === undefined ? undefined : container.subcommands?.find((sub) => sub.name === lower)
}

/** Every command and subcommand, each container followed by its subcommands. */
const everyCommand = (commands: ReadonlyMap<string, CommandSpec>): Array<CommandSpec> => {
  const all: Array<CommandSpec> = []
  for (const spec of commands.values()) {
    all.push(spec)
    const subcommands = spec.subcommands
    if (subcommands !== undefined) all.push(...subcommands)
  }
  return all
}

const CONNECTION_ACL = ["slow", "connection"]

const count = command({
  name: "command|count",
  arity: 2,
  flags: ["loading", "stale"],
  group: "server",
  aclCategories: CONNECTION_ACL,
  summary: "Get total number of Redis commands",
  since: "2.8.13",
  complexity: "O(1)",
  run: (ctx) => ctx.out.integer(ctx.server.commands.size)
})

const info = command({
  name: "command|info",
  arity: -2,
  flags: ["loading", "stale"],
  group: "server",
  aclCategories: CONNECTION_ACL,
  tips: ["nondeterministic_output_order"],
  summary: "Get array of specific Redis command details, or all when no argument is given.",
  since: "2.8.13",
  complexity: "O(N) where N is the number of commands to look up",
  run: (ctx, argv) => {
    if (argv.length === 2) return writeAllInfo(ctx.out, ctx.server.commands)
    ctx.out.arrayHeader(argv.length - 2)
    for (let i = 2; i < argv.length; i++) {
      const spec = findByFullName(ctx.server.commands, argv[i])
      if (spec === undefined) ctx.out.nullBulk()
      else writeInfo(ctx.out, spec)
    }
  }
})

const writeAllInfo = (out: ReplyWriter, commands: ReadonlyMap<string, CommandSpec>): void => {
  out.arrayHeader(commands.size)
  for (const spec of commands.values()) writeInfo(out, spec)
}

const docs = command({
  name: "command|docs",
  arity: -2,
  flags: ["loading", "stale"],
  group: "server",
  aclCategories: CONNECTION_ACL,
  tips: ["nondeterministic_output_order"],
  summary: "Get array of specific Redis command documentation",
  since: "7.0.0",
  complexity: "O(N) where N is the number of commands to look up",
  run: (ctx, argv) => {
    const found: Array<CommandSpec> = []
    if (argv.length === 2) found.push(...ctx.server.commands.values())
    for (let i = 2; i < argv.length; i++) {
      const spec = findByFullName(ctx.server.commands, argv[i])
      if (spec !== undefined) found.push(spec)
    }
    ctx.out.mapHeader(found.length)
    for (const spec of found) {
      ctx.out.bulk(spec.name)
      writeDocs(ctx.out, spec)
    }
  }
})

const list = command({
  name: "command|list",
  arity: -2,
  flags: ["loading", "stale"],
  group: "server",
  aclCategories: CONNECTION_ACL,
  tips: ["nondeterministic_output_order"],
  summary: "Get an array of Redis command names",
  since: "7.0.0",
  complexity: "O(N) where N is the total number of Redis commands",
  run: (ctx, argv) => {
    let keep: (spec: CommandSpec) => boolean = () => true
    if (argv.length === 5 && isKeyword(argv[2], "FILTERBY")) {
      const value = argv[4]
      if (isKeyword(argv[3], "MODULE")) keep = () => false
      else if (isKeyword(argv[3], "ACLCAT")) {
        const category = value.toLowerCase()
        keep = (spec) => aclCategoriesOf(spec).includes(category)
      } else if (isKeyword(argv[3], "PATTERN")) {
        const pattern = value.toLowerCase()
        keep = (spec) => globMatch(pattern, spec.name)
      } else return ctx.out.error(ERR_SYNTAX)
    } else if (argv.length !== 2) {
      return ctx.out.error(ERR_SYNTAX)
    }
    ctx.out.bulkArray(everyCommand(ctx.server.commands).filter(keep).map((spec) => spec.name))
  }
})

/**
 * COMMAND GETKEYS / GETKEYSANDFLAGS <full command>: Redis 7.0's `getKeysSubcommandImpl` — the
 * command (or subcommand) is looked up, must have key arguments and accept this many arguments;
 * no key found is an error (none of ours may run without keys).
 */
const getKeysOf = (ctx: CommandContext, argv: ReadonlyArray<string>, withFlags: boolean): void => {
  const target = argv.slice(2)
  let spec = ctx.server.commands.get(target[0].toLowerCase())
  const subcommands = spec?.subcommands
  if (subcommands !== undefined && target.length >= 2) {
    const fullName = `${spec!.name}|${target[1].toLowerCase()}`
    spec = subcommands.find((sub) => sub.name === fullName)
  }
  if (spec === undefined) return ctx.out.error("ERR Invalid command specified")
  if (!hasKeyArguments(spec)) return ctx.out.error("ERR The command has no key arguments")
  if (!arityAccepts(spec.arity, target.length)) {
    return ctx.out.error("ERR Invalid number of arguments specified for command")
  }
  const keys = findKeys(spec, target)
  if (keys.length === 0) {
    // Redis: a command whose keys are optional (EVAL with numkeys 0) has none to show.
    if (spec.flags.includes("no_mandatory_keys")) return ctx.out.arrayHeader(0)
    return ctx.out.error("ERR Invalid arguments specified for command")
  }
  const out = ctx.out
  out.arrayHeader(keys.length)
  for (const found of keys) {
    if (!withFlags) {
      out.bulk(target[found.position])
      continue
    }
    out.arrayHeader(2)
    out.bulk(target[found.position])
    writeKeyFlags(out, found.flags)
  }
}

const getkeys = command({
  name: "command|getkeys",
  arity: -4,
  flags: ["loading", "stale"],
  group: "server",
  aclCategories: CONNECTION_ACL,
  summary: "Extract keys given a full Redis command",
  since: "2.8.13",
  complexity: "O(N) where N is the number of arguments to the command",
  run: (ctx, argv) => getKeysOf(ctx, argv, false)
})

const getkeysandflags = command({
  name: "command|getkeysandflags",
  arity: -4,
  flags: ["loading", "stale"],
  group: "server",
  aclCategories: CONNECTION_ACL,
  summary: "Extract keys and access flags given a full Redis command",
  since: "7.0.0",
  complexity: "O(N) where N is the number of arguments to the command",
  run: (ctx, argv) => getKeysOf(ctx, argv, true)
})

const help = helpSubcommand("COMMAND", { group: "server", aclCategories: CONNECTION_ACL, since: "5.0.0" }, [
  "(no subcommand)",
  "    Return details about all Redis commands.",
  "COUNT",
  "    Return the total number of commands in this Redis server.",
  "LIST",
  "    Return a list of all commands in this Redis server.",
  "INFO [<command-name> ...]",
  "    Return details about multiple Redis commands.",
  "    If no command names are given, documentation details for all",
  "    commands are returned.",
  "DOCS [<command-name> ...]",
  "    Return documentation details about multiple Redis commands.",
  "    If no command names are given, documentation details for all",
  "    commands are returned.",
  "GETKEYS <full-command>",
  "    Return the keys from a full Redis command.",
  "GETKEYSANDFLAGS <full-command>",
  "    Return the keys and the access flags from a full Redis command."
])

export const commandSubcommands: ReadonlyArray<CommandSpec> = [count, info, docs, list, getkeys, getkeysandflags, help]

const commandContainer = command({
  name: "command",
  arity: -1,
  flags: ["loading", "stale"],
  group: "server",
  aclCategories: CONNECTION_ACL,
  tips: ["nondeterministic_output_order"],
  summary: "Get array of Redis command details",
  since: "2.8.13",
  complexity: "O(N) where N is the total number of Redis commands",
  // Only the bare form runs here; dispatch hands `COMMAND <sub>` to the subcommand.
  run: (ctx) => writeAllInfo(ctx.out, ctx.server.commands),
  subcommands: commandSubcommands
})

export const commandCommands: ReadonlyArray<CommandSpec> = [commandContainer]
