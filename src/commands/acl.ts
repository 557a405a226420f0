/**
 * ACL: users and their permissions (src/acl/*), as Redis 7.0's ACL command manages them: SETUSER,
 * GETUSER, DELUSER, LIST, USERS, WHOAMI, CAT, DRYRUN, GENPASS, LOG, SAVE, LOAD, HELP. Replies,
 * errors and flags are Redis's. Clients of a deleted user are disconnected; a subscriber whose
 * user lost a channel it listens to is too; ACL LOAD disconnects every client of a replaced user.
 */
import { randomBytes } from "node:crypto"
import { ACL_OK, type Acl, DENIED_CHANNEL, DENIED_COMMAND, DENIED_KEY } from "../acl/Acl.js"
import { installUsers, readAclFile, saveAclFile } from "../acl/AclFile.js"
import { ACL_CATEGORIES } from "../acl/CommandIndex.js"
import { AclRuleError, describeKeyPattern, hasSpaces, type Selector } from "../acl/Selector.js"
import { AclUser, mergeSelectorArguments } from "../acl/User.js"
import { stringMatch } from "../keyspace/glob.js"
import type { ClientState } from "../session/ClientState.js"
import { ERR_NOT_INTEGER, parseInteger } from "../protocol/arguments.js"
import { command, type CommandContext, type CommandSpec } from "./Command.js"
import { resolveCommand } from "./dispatch.js"
import { writeHelp } from "./server/help.js"
import { formatScore } from "../protocol/score-text.js"

type AclSubcommand = Omit<Parameters<typeof command>[0], "group" | "since"> & { readonly since?: string }

const sub = (spec: AclSubcommand): CommandSpec =>
  command({ ...spec, name: `acl|${spec.name}`, group: "server", since: spec.since ?? "6.0.0" })

const ADMIN = ["admin", "noscript", "loading", "stale"] as const
const ADMIN_ACL = ["admin", "slow", "dangerous"]
const PLAIN = ["noscript", "loading", "stale"] as const

const NO_ACL_FILE =
  "ERR This Redis instance is not configured to use an ACL file. You may want to specify users via the ACL " +
  "SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis configuration file set) in order " +
  "to store users in the Redis configuration."

/** Disconnects `user`'s clients as Redis does: back to the default user, unauthenticated, closed. */
const disconnectClientsOf = (ctx: CommandContext, users: ReadonlySet<AclUser>): void => {
  for (const client of ctx.server.clients.values()) {
    if (client.user === undefined || !users.has(client.user)) continue
    client.user = ctx.server.acl.defaultUser
    client.authenticated = false
    if (client === ctx.client) client.closeAfterReply = true
    else client.kill()
  }
}

/** Whether a subscriber's channels and patterns all stay within `channels` (ACLKillPubsubClientsIfNeeded). */
const subscriberStillAllowed = (client: ClientState, channels: ReadonlyArray<string>): boolean => {
  const pubsub = client.pubsub
  if (pubsub === undefined || !pubsub.subscribed) return true
  for (const pattern of pubsub.patterns) if (!channels.includes(pattern)) return false
  const matches = (channel: string) => channels.some((allowed) => stringMatch(allowed, channel))
  for (const channel of pubsub.channels) if (!matches(channel)) return false
  for (const channel of pubsub.shardChannels) if (!matches(channel)) return false
  return true
}

const killSubscribersIfNeeded = (ctx: CommandContext, updated: AclUser, original: AclUser): void => {
  if (updated.selectors.some((selector) => selector.allChannels)) return
  const upcoming = updated.selectors.flatMap((selector) => selector.channels)
  const before = original.selectors.flatMap((selector) => selector.channels)
  if (before.every((channel) => upcoming.includes(channel))) return
  for (const client of ctx.server.clients.values()) {
    if (client.user !== original || subscriberStillAllowed(client, upcoming)) continue
    if (client === ctx.client) client.closeAfterReply = true
    else client.kill()
  }
}

const setuser = sub({
  name: "setuser",
  arity: -3,
  flags: ADMIN,
  aclCategories: ADMIN_ACL,
  summary: "Modify or create the rules for a specific ACL user",
  complexity: "O(N). Where N is the number of rules provided.",
  run: (ctx, argv) => {
    const acl = ctx.server.acl
    const name = argv[2]
    if (hasSpaces(name)) return ctx.out.error("ERR Usernames can't contain spaces or null characters")
    const rules = mergeSelectorArguments(argv.slice(3))
    if (typeof rules === "number") {
      return ctx.out.error(`ERR Unmatched parenthesis in acl selector starting at '${argv[3 + rules]}'.`)
    }
    const existing = acl.users.get(name)
    const staged = existing !== undefined ? existing.clone() : new AclUser(name, acl.index)
    for (const rule of rules) {
      try {
        staged.apply(rule)
      } catch (error) {
        if (!(error instanceof AclRuleError)) throw error
        return ctx.out.error(`ERR Error in ACL SETUSER modifier '${rule}': ${error.message}`)
      }
    }
    if (existing !== undefined) {
      killSubscribersIfNeeded(ctx, staged, existing)
      existing.copyFrom(staged)
    } else {
      acl.users.set(name, staged)
    }
    ctx.out.ok()
  }
})

const deluser = sub({
  name: "deluser",
  arity: -3,
  flags: ADMIN,
  aclCategories: ADMIN_ACL,
  summary: "Remove the specified ACL users and the associated rules",
  complexity: "O(1) amortized time considering the typical user.",
  run: (ctx, argv) => {
    const acl = ctx.server.acl
    for (let i = 2; i < argv.length; i++) {
      if (argv[i] === "default") return ctx.out.error("ERR The 'default' user cannot be removed")
    }
    const deleted = new Set<AclUser>()
    for (let i = 2; i < argv.length; i++) {
      const user = acl.users.get(argv[i])
      if (user === undefined) continue
      acl.users.delete(argv[i])
      deleted.add(user)
    }
    disconnectClientsOf(ctx, deleted)
    ctx.out.integer(deleted.size)
  }
})

const writeSelector = (ctx: CommandContext, selector: Selector): void => {
  const out = ctx.out
  out.bulk("commands")
  out.bulk(selector.describeCommandRules())
  out.bulk("keys")
  out.bulk(selector.allKeys ? "~*" : selector.patterns.map(describeKeyPattern).join(" "))
  out.bulk("channels")
  out.bulk(selector.allChannels ? "&*" : selector.channels.map((channel) => `&${channel}`).join(" "))
}

const getuser = sub({
  name: "getuser",
  arity: 3,
  flags: ADMIN,
  aclCategories: ADMIN_ACL,
  summary: "Get the rules for a specific ACL user",
  complexity: "O(N). Where N is the number of password, command and pattern rules that the user has.",
  run: (ctx, argv) => {
    const user = ctx.server.acl.users.get(argv[2])
    if (user === undefined) return ctx.out.bulkOrNull(undefined)
    const out = ctx.out
    out.mapHeader(6)
    out.bulk("flags")
    const flags = user.flagNames
    out.setHeader(flags.length)
    for (const flag of flags) out.bulk(flag)
    out.bulk("passwords")
    out.arrayHeader(user.passwords.length)
    for (const hash of user.passwords) out.bulk(hash)
    writeSelector(ctx, user.root)
    out.bulk("selectors")
    out.arrayHeader(user.selectors.length - 1)
    for (const selector of user.selectors.slice(1)) {
      out.mapHeader(3)
      writeSelector(ctx, selector)
    }
  }
})

const list = sub({
  name: "list",
  arity: 2,
  flags: ADMIN,
  aclCategories: ADMIN_ACL,
  summary: "List the current ACL rules in ACL config file format",
  complexity: "O(N). Where N is the number of configured users.",
  run: (ctx) => {
    const users = ctx.server.acl.sortedUsers()
    ctx.out.arrayHeader(users.length)
    for (const user of users) ctx.out.bulk(`user ${user.name} ${user.describe()}`)
  }
})

const users = sub({
  name: "users",
  arity: 2,
  flags: ADMIN,
  aclCategories: ADMIN_ACL,
  summary: "List the username of all the configured ACL rules",
  complexity: "O(N). Where N is the number of configured users.",
  run: (ctx) => {
    const users = ctx.server.acl.sortedUsers()
    ctx.out.arrayHeader(users.length)
    for (const user of users) ctx.out.bulk(user.name)
  }
})

const whoami = sub({
  name: "whoami",
  arity: 2,
  flags: PLAIN,
  aclCategories: ["slow"],
  summary: "Return the name of the user associated to the current connection",
  complexity: "O(1)",
  run: (ctx) => ctx.out.bulk(ctx.client.user?.name ?? "default")
})

const cat = sub({
  name: "cat",
  arity: -2,
  flags: PLAIN,
  aclCategories: ["slow"],
  summary: "List the ACL categories or the commands inside a category",
  complexity: "O(1) since the categories and commands are a fixed set.",
  run: (ctx, argv) => {
    if (argv.length > 3) return subcommandSyntaxError(ctx, argv)
    if (argv.length === 2) {
      ctx.out.arrayHeader(ACL_CATEGORIES.length)
      for (const category of ACL_CATEGORIES) ctx.out.bulk(category)
      return
    }
    const category = argv[2].toLowerCase()
    if (!ACL_CATEGORIES.includes(category)) return ctx.out.error(`ERR Unknown category '${argv[2].slice(0, 128)}'`)
    const names: Array<string> = []
    for (const command of ctx.server.acl.index.walk()) if (command.categories.has(category)) names.push(command.spec.name)
    ctx.out.arrayHeader(names.length)
    for (const name of names) ctx.out.bulk(name)
  }
})

const dryrun = sub({
  name: "dryrun",
  arity: -4,
  flags: ADMIN,
  aclCategories: ADMIN_ACL,
  summary: "Returns whether the user can execute the given command without executing the command.",
  since: "7.0.0",
  complexity: "O(1).",
  run: (ctx, argv) => {
    const acl: Acl = ctx.server.acl
    const user = acl.users.get(argv[2])
    if (user === undefined) return ctx.out.error(`ERR User '${argv[2]}' not found`)
    const commandArgv = argv.slice(3)
    const spec = resolveCommand(ctx.server.commands, commandArgv)
    if (typeof spec === "string") {
      if (spec.startsWith("ERR wrong number of arguments")) return ctx.out.error(spec)
      return ctx.out.error(`ERR Command '${argv[3]}' not found`)
    }
    const verdict = acl.check(user, spec, commandArgv)
    if (verdict.result === ACL_OK) return ctx.out.ok()
    if (verdict.result === DENIED_COMMAND) {
      return ctx.out.bulk(`This user has no permissions to run the '${spec.name}' command`)
    }
    const what = verdict.result === DENIED_KEY ? "key" : verdict.result === DENIED_CHANNEL ? "channel" : "key"
    ctx.out.bulk(`This user has no permissions to access the '${commandArgv[verdict.position]}' ${what}`)
  }
})

const GENPASS_MAX_BITS = 4096

const genpass = sub({
  name: "genpass",
  arity: -2,
  flags: PLAIN,
  aclCategories: ["slow"],
  summary: "Generate a pseudorandom secure password to use for ACL users",
  complexity: "O(1)",
  run: (ctx, argv) => {
    if (argv.length > 3) return subcommandSyntaxError(ctx, argv)
    let bits = 256
    if (argv.length === 3) {
      const parsed = parseInteger(argv[2])
      if (parsed === undefined) return ctx.out.error(ERR_NOT_INTEGER)
      bits = Number(parsed)
    }
    if (bits <= 0 || bits > GENPASS_MAX_BITS) {
      return ctx.out.error(
        `ERR ACL GENPASS argument must be the number of bits for the output password, a positive number up to ${GENPASS_MAX_BITS}`
      )
    }
    const chars = Math.floor((bits + 3) / 4)
    ctx.out.bulk(randomBytes(Math.ceil(chars / 2)).toString("hex").slice(0, chars))
  }
})

const REASONS: Readonly<Record<number, string>> = { 1: "command", 2: "key", 3: "auth", 4: "channel" }

const log = sub({
  name: "log",
  arity: -2,
  flags: ADMIN,
  aclCategories: ADMIN_ACL,
  summary: "List latest events denied because of ACLs in place",
  complexity: "O(N) with N being the number of entries shown.",
  run: (ctx, argv) => {
    if (argv.length > 3) return subcommandSyntaxError(ctx, argv)
    const entries = ctx.server.acl.log
    let count = 10
    if (argv.length === 3) {
      if (argv[2].toLowerCase() === "reset") {
        entries.length = 0
        return ctx.out.ok()
      }
      const parsed = parseInteger(argv[2])
      if (parsed === undefined) return ctx.out.error(ERR_NOT_INTEGER)
      count = Math.max(0, Number(parsed))
    }
    count = Math.min(count, entries.length)
    const out = ctx.out
    out.arrayHeader(count)
    for (const entry of entries.slice(0, count)) {
      out.mapHeader(7)
      out.bulk("count")
      out.integer(entry.count)
      out.bulk("reason")
      out.bulk(REASONS[entry.reason] ?? "unknown")
      out.bulk("context")
      out.bulk(entry.context)
      out.bulk("object")
      out.bulk(entry.object)
      out.bulk("username")
      out.bulk(entry.username)
      out.bulk("age-seconds")
      out.double(formatScore((ctx.now - entry.at) / 1000))
      out.bulk("client-info")
      out.bulk(entry.clientInfo)
    }
  }
})

const save = sub({
  name: "save",
  arity: 2,
  flags: ADMIN,
  aclCategories: ADMIN_ACL,
  summary: "Save the current ACL rules in the configured ACL file",
  complexity: "O(N). Where N is the number of configured users.",
  run: (ctx) => {
    const acl = ctx.server.acl
    if (acl.filename === "") return ctx.out.error(NO_ACL_FILE)
    if (saveAclFile(acl, acl.filename)) return ctx.out.ok()
    ctx.out.error("ERR There was an error trying to save the ACLs. Please check the server logs for more information")
  }
})

const load = sub({
  name: "load",
  arity: 2,
  flags: ADMIN,
  aclCategories: ADMIN_ACL,
  summary: "Reload the ACLs from the configured ACL file",
  complexity: "O(N). Where N is the number of configured users.",
  run: (ctx) => {
    const acl = ctx.server.acl
    if (acl.filename === "") return ctx.out.error(NO_ACL_FILE)
    const loaded = readAclFile(acl, acl.filename)
    if (typeof loaded === "string") return ctx.out.error(`ERR ${loaded}`)
    replaceUsers(ctx, loaded)
    ctx.out.ok()
  }
})

/** ACL LOAD's switch: every client of a user other than the default one is disconnected. */
const replaceUsers = (ctx: CommandContext, loaded: Map<string, AclUser>): void => {
  const acl = ctx.server.acl
  const replaced = new Set<AclUser>()
  for (const user of acl.users.values()) if (user !== acl.defaultUser) replaced.add(user)
  installUsers(acl, loaded)
  disconnectClientsOf(ctx, replaced)
}

const HELP_LINES = [
  "CAT [<category>]",
  "    List all commands that belong to <category>, or all command categories",
  "    when no category is specified.",
  "DELUSER <username> [<username> ...]",
  "    Delete a list of users.",
  "DRYRUN <username> <command> [<arg> ...]",
  "    Returns whether the user can execute the given command without executing the command.",
  "GETUSER <username>",
  "    Get the user's details.",
  "GENPASS [<bits>]",
  "    Generate a secure 256-bit user password. The optional `bits` argument can",
  "    be used to specify a different size.",
  "LIST",
  "    Show users details in config file format.",
  "LOAD",
  "    Reload users from the ACL file.",
  "LOG [<count> | RESET]",
  "    Show the ACL log entries.",
  "SAVE",
  "    Save the current config to the ACL file.",
  "SETUSER <username> <attribute> [<attribute> ...]",
  "    Create or modify a user with the specified attributes.",
  "USERS",
  "    List all the registered usernames.",
  "WHOAMI",
  "    Return the current connection username."
]

const help = sub({
  name: "help",
  arity: 2,
  flags: ["loading", "stale"],
  aclCategories: ["slow"],
  summary: "Show helpful text about the different subcommands",
  complexity: "O(1)",
  run: (ctx) => writeHelp(ctx.out, "ACL", HELP_LINES)
})

const subcommandSyntaxError = (ctx: CommandContext, argv: ReadonlyArray<string>): void =>
  ctx.out.error(`ERR unknown subcommand or wrong number of arguments for '${argv[1]}'. Try ACL HELP.`)

export const aclCommand: CommandSpec = command({
  name: "acl",
  arity: -2,
  flags: [],
  group: "server",
  aclCategories: ["slow"],
  summary: "A container for Access List Control commands ",
  since: "6.0.0",
  complexity: "Depends on subcommand.",
  subcommands: [cat, deluser, dryrun, genpass, getuser, list, load, log, save, setuser, users, whoami, help]
})
