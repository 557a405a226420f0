/**
 * CLIENT: the connection's own identity (ID, SETNAME/GETNAME, SETINFO) and the registry of every
 * connection (LIST, INFO, KILL), over `ctx.server.clients`. Texts, flags and errors are Redis
 * 7.0's; SETINFO is Redis 7.2's (node-redis sends it on connect), and so are the `lib-name=` /
 * `lib-ver=` fields at the end of each CLIENT LIST line. Values Redis knows about its own memory
 * and sockets (fd, buffer sizes, tot-mem) are plausible numbers here.
 */
import { ERR_SYNTAX, isKeyword, parseInteger } from "../../protocol/arguments.js"
import { command, type CommandContext, type CommandSpec } from "../Command.js"
import type { PauseMode } from "../../observability/ClientPause.js"
import type { ClientState } from "../../session/ClientState.js"
import { writeHelp } from "./help.js"
import { caching, getredir, tracking, trackinginfo } from "./tracking.js"

export const ERR_CLIENT_NAME = "ERR Client names cannot contain spaces, newlines or special characters."

/** Names and lib attributes are printable ASCII without spaces ('!'..'~'), or empty. */
export const isValidClientAttribute = (text: string): boolean => {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (code < 33 || code > 126) return false
  }
  return true
}

/** Redis's CLIENT_PUBSUB flag: the client has a subscription. */
const isSubscriber = (client: ClientState): boolean => client.pubsub?.subscribed === true

/**
 * CLIENT LIST's flags, in Redis's order: O (MONITOR), P(ubsub), x (MULTI), b(locked, or held by
 * CLIENT PAUSE), d(irty WATCH), c(lose after reply), e (NO-EVICT); N for none.
 */
const flagsOf = (client: ClientState): string => {
  let flags = client.replicationRole === "replica" ? "S" : client.replicationRole === "master" ? "M" : ""
  if (client.monitor) flags += "O"
  if (isSubscriber(client)) flags += "P"
  if (client.transaction !== undefined) flags += "x"
  if (client.blocked !== undefined || client.postponed !== undefined) flags += "b"
  if (client.tracking !== undefined) flags += "t"
  if (client.tracking?.brokenRedirect === true) flags += "R"
  if (client.tracking?.bcast === true) flags += "B"
  if (client.watchTouched) flags += "d"
  if (client.closeAfterReply) flags += "c"
  if (client.noEvict) flags += "e"
  return flags === "" ? "N" : flags
}

/** Size of a command as it arrived in RESP (what Redis reports as the sender's `qbuf`). */
const requestSize = (argv: ReadonlyArray<string>): number => {
  let size = 3 + String(argv.length).length
  for (const arg of argv) size += 5 + String(arg.length).length + arg.length
  return size
}

const QUERY_BUFFER_SIZE = 20474
const REPLY_BUFFER_SIZE = 16384

/**
 * One CLIENT LIST / CLIENT INFO line, fields in Redis 7's order. `current` is the command being
 * run when `client` is the caller (Redis counts it in the caller's query buffer and argv-mem).
 */
export const describeClient = (
  client: ClientState,
  now: number,
  current?: { readonly argv: ReadonlyArray<string>; readonly pendingReply: number }
): string => {
  const qbuf = current === undefined ? client.queryBufferBytes : requestSize(current.argv)
  let argvMem = 0
  if (current !== undefined) for (const arg of current.argv) argvMem += arg.length
  const obl = current === undefined ? 0 : current.pendingReply
  const omem = client.outputBufferBytes + (client.pubsub?.outboxBytes ?? 0)
  const totMem = QUERY_BUFFER_SIZE + REPLY_BUFFER_SIZE + 800 + argvMem + omem
  const pubsub = client.pubsub
  return `id=${client.id} addr=${client.address} laddr=${client.localAddress} fd=${client.id + 7} ` +
    `name=${client.name} age=${Math.floor((now - client.createdAt) / 1000)} ` +
    `idle=${Math.max(0, Math.floor((now - client.lastInteractionAt) / 1000))} ` +
    `flags=${flagsOf(client)} db=${client.db} sub=${pubsub?.channels.size ?? 0} ` +
    `psub=${pubsub?.patterns.size ?? 0} ssub=${pubsub?.shardChannels.size ?? 0} ` +
    `multi=${client.transaction?.commands.length ?? -1} qbuf=${qbuf} ` +
    `qbuf-free=${Math.max(0, QUERY_BUFFER_SIZE - qbuf)} ` +
    `argv-mem=${argvMem} multi-mem=${client.transaction?.memory ?? 0} rbs=${REPLY_BUFFER_SIZE} ` +
    `rbp=${REPLY_BUFFER_SIZE} obl=${obl} oll=0 ` +
    `omem=${omem} tot-mem=${totMem} events=r cmd=${client.lastCommand} user=${client.user?.name ?? "default"} redir=${client.tracking?.redirect ?? -1} ` +
    `resp=${client.protocol} lib-name=${client.libName} lib-ver=${client.libVersion}`
}

const describeCaller = (ctx: CommandContext, argv: ReadonlyArray<string>): string =>
  describeClient(ctx.client, ctx.now, { argv, pendingReply: ctx.out.size })

/** Redis's client types; ours are "pubsub" while subscribed, else "normal". */
const CLIENT_TYPES = ["normal", "slave", "replica", "pubsub", "master"]
const parseClientType = (text: string): string | undefined => {
  const lower = text.toLowerCase()
  if (!CLIENT_TYPES.includes(lower)) return undefined
  return lower === "slave" ? "replica" : lower
}
const typeOf = (client: ClientState): string => client.replicationRole ?? (isSubscriber(client) ? "pubsub" : "normal")

type ClientSubcommand = Omit<Parameters<typeof command>[0], "group">

/** A CLIENT subcommand: named `client|<name>`, in the connection group. */
const sub = (spec: ClientSubcommand): CommandSpec =>
  command({ ...spec, name: `client|${spec.name}`, group: "connection" })

const PLAIN = ["noscript", "loading", "stale"] as const
const ADMIN = ["admin", "noscript", "loading", "stale"] as const
const PLAIN_ACL = ["slow", "connection"]
const ADMIN_ACL = ["admin", "slow", "dangerous", "connection"]

const id = sub({
  name: "id",
  arity: 2,
  flags: PLAIN,
  aclCategories: PLAIN_ACL,
  summary: "Returns the client ID for the current connection",
  since: "5.0.0",
  complexity: "O(1)",
  run: (ctx) => ctx.out.integer(ctx.client.id)
})

const setname = sub({
  name: "setname",
  arity: 3,
  flags: PLAIN,
  aclCategories: PLAIN_ACL,
  summary: "Set the current connection name",
  since: "2.6.9",
  complexity: "O(1)",
  run: (ctx, argv) => {
    if (!isValidClientAttribute(argv[2])) return ctx.out.error(ERR_CLIENT_NAME)
    ctx.client.name = argv[2]
    ctx.out.ok()
  }
})

const getname = sub({
  name: "getname",
  arity: 2,
  flags: PLAIN,
  aclCategories: PLAIN_ACL,
  summary: "Get the current connection name",
  since: "2.6.9",
  complexity: "O(1)",
  run: (ctx) => ctx.out.bulkOrNull(ctx.client.name === "" ? undefined : ctx.client.name)
})

const setinfo = sub({
  name: "setinfo",
  arity: 4,
  flags: PLAIN,
  aclCategories: PLAIN_ACL,
  summary: "Set client or connection specific info",
  since: "7.2.0",
  complexity: "O(1)",
  run: (ctx, argv) => {
    const attribute = argv[2]
    const isName = isKeyword(attribute, "LIB-NAME")
    if (!isName && !isKeyword(attribute, "LIB-VER")) return ctx.out.error(`ERR Unrecognized option '${attribute}'`)
    if (!isValidClientAttribute(argv[3])) {
      return ctx.out.error(`ERR ${attribute} cannot contain spaces, newlines or special characters.`)
    }
    if (isName) ctx.client.libName = argv[3]
    else ctx.client.libVersion = argv[3]
    ctx.out.ok()
  }
})

const info = sub({
  name: "info",
  arity: 2,
  flags: PLAIN,
  aclCategories: PLAIN_ACL,
  tips: ["nondeterministic_output"],
  summary: "Returns information about the current client connection.",
  since: "6.2.0",
  complexity: "O(1)",
  run: (ctx, argv) => ctx.out.verbatim(`${describeCaller(ctx, argv)}\n`)
})

const list = sub({
  name: "list",
  arity: -2,
  flags: ADMIN,
  aclCategories: ADMIN_ACL,
  tips: ["nondeterministic_output"],
  summary: "Get the list of client connections",
  since: "2.4.0",
  complexity: "O(N) where N is the number of client connections",
  run: (ctx, argv) => {
    const describe = (client: ClientState) =>
      (client === ctx.client ? describeCaller(ctx, argv) : describeClient(client, ctx.now)) + "\n"
    let text = ""
    if (argv.length === 4 && isKeyword(argv[2], "TYPE")) {
      const type = parseClientType(argv[3])
      if (type === undefined) return ctx.out.error(`ERR Unknown client type '${argv[3]}'`)
      for (const client of ctx.server.clients.values()) if (typeOf(client) === type) text += describe(client)
    } else if (argv.length > 3 && isKeyword(argv[2], "ID")) {
      // In the order asked, once per mention, as Redis answers.
      const ids: Array<number> = []
      for (let i = 3; i < argv.length; i++) {
        const value = parseInteger(argv[i])
        if (value === undefined) return ctx.out.error("ERR Invalid client ID")
        if (typeof value === "number") ids.push(value)
      }
      for (const id of ids) {
        const client = ctx.server.clients.get(id)
        if (client !== undefined) text += describe(client)
      }
    } else if (argv.length === 2) {
      for (const client of ctx.server.clients.values()) text += describe(client)
    } else {
      return ctx.out.error(ERR_SYNTAX)
    }
    ctx.out.verbatim(text)
  }
})

interface KillFilter {
  id?: number
  type?: string
  address?: string
  localAddress?: string
  user?: string
  skipMe: boolean
}

/** CLIENT KILL's filters (the new form), or the error to reply with. */
const parseKillFilter = (argv: ReadonlyArray<string>): KillFilter | string => {
  const filter: KillFilter = { skipMe: true }
  for (let i = 2; i < argv.length; i += 2) {
    const option = argv[i]
    if (i + 1 >= argv.length) return ERR_SYNTAX
    const value = argv[i + 1]
    if (isKeyword(option, "ID")) {
      const parsed = parseInteger(value)
      if (parsed === undefined || parsed < 1) return "ERR client-id should be greater than 0"
      filter.id = Number(parsed)
    } else if (isKeyword(option, "TYPE")) {
      filter.type = parseClientType(value)
      if (filter.type === undefined) return `ERR Unknown client type '${value}'`
    } else if (isKeyword(option, "ADDR")) {
      filter.address = value
    } else if (isKeyword(option, "LADDR")) {
      filter.localAddress = value
    } else if (isKeyword(option, "USER")) {
      filter.user = value
    } else if (isKeyword(option, "SKIPME")) {
      if (isKeyword(value, "YES")) filter.skipMe = true
      else if (isKeyword(value, "NO")) filter.skipMe = false
      else return ERR_SYNTAX
    } else {
      return ERR_SYNTAX
    }
  }
  return filter
}

const matchesKillFilter = (client: ClientState, filter: KillFilter): boolean =>
  (filter.id === undefined || client.id === filter.id) &&
  (filter.type === undefined || typeOf(client) === filter.type) &&
  (filter.address === undefined || client.address === filter.address) &&
  (filter.localAddress === undefined || client.localAddress === filter.localAddress) &&
  (filter.user === undefined || (client.user?.name ?? "default") === filter.user)

/**
 * Closes the matching connections: others at once (`kill`), the caller only after its reply
 * has been sent. The old form `CLIENT KILL addr:port` answers OK or "No such client".
 */
const kill = sub({
  name: "kill",
  arity: -3,
  flags: ADMIN,
  aclCategories: ADMIN_ACL,
  summary: "Kill the connection of a client",
  since: "2.4.0",
  complexity: "O(N) where N is the number of client connections",
  run: (ctx, argv) => {
    const oldForm = argv.length === 3
    const filter = oldForm ? { address: argv[2], skipMe: false } : parseKillFilter(argv)
    if (typeof filter === "string") return ctx.out.error(filter)
    if ("user" in filter && filter.user !== undefined && !ctx.server.acl.users.has(filter.user)) {
      return ctx.out.error(`ERR No such user '${filter.user}'`)
    }
    const victims: Array<ClientState> = []
    for (const client of ctx.server.clients.values()) {
      if (!matchesKillFilter(client, filter)) continue
      if (client === ctx.client && filter.skipMe) continue
      victims.push(client)
    }
    for (const victim of victims) {
      if (victim === ctx.client) ctx.client.closeAfterReply = true
      else victim.kill()
    }
    if (!oldForm) ctx.out.integer(victims.length)
    else if (victims.length === 0) ctx.out.error("ERR No such client")
    else ctx.out.ok()
  }
})

const noEvict = sub({
  name: "no-evict",
  arity: 3,
  flags: ADMIN,
  aclCategories: ADMIN_ACL,
  summary: "Set client eviction mode for the current connection",
  since: "7.0.0",
  complexity: "O(1)",
  // Shown as flag e. We never evict clients (no maxmemory-clients), so nothing else reads it.
  run: (ctx, argv) => {
    if (isKeyword(argv[2], "ON")) ctx.client.noEvict = true
    else if (isKeyword(argv[2], "OFF")) ctx.client.noEvict = false
    else return ctx.out.error(ERR_SYNTAX)
    ctx.out.ok()
  }
})

/** CLIENT REPLY ON|OFF|SKIP (see src/observability/ReplyMode.ts). */
const reply = sub({
  name: "reply",
  arity: 3,
  flags: PLAIN,
  aclCategories: PLAIN_ACL,
  summary: "Instruct the server whether to reply to commands",
  since: "3.2.0",
  complexity: "O(1)",
  run: (ctx, argv) => {
    if (isKeyword(argv[2], "ON")) {
      ctx.client.replyMode = "on"
      return ctx.out.ok()
    }
    if (isKeyword(argv[2], "OFF")) ctx.client.replyMode = "off"
    else if (isKeyword(argv[2], "SKIP")) {
      if (ctx.client.replyMode !== "off") ctx.client.replyMode = "skip-next"
    } else return ctx.out.error(ERR_SYNTAX)
  }
})

/** CLIENT PAUSE timeout [WRITE|ALL] (see src/observability/ClientPause.ts). */
const pause = sub({
  name: "pause",
  arity: -3,
  flags: ADMIN,
  aclCategories: ADMIN_ACL,
  summary: "Stop processing commands from clients for some time",
  since: "2.9.50",
  complexity: "O(1)",
  run: (ctx, argv) => {
    if (argv.length > 4) {
      return ctx.out.error(
        `ERR unknown subcommand or wrong number of arguments for '${argv[1]}'. Try CLIENT HELP.`
      )
    }
    let mode: PauseMode = "all"
    if (argv.length === 4) {
      if (isKeyword(argv[3], "WRITE")) mode = "write"
      else if (!isKeyword(argv[3], "ALL")) return ctx.out.error("ERR CLIENT PAUSE mode must be WRITE or ALL")
    }
    const timeout = parseInteger(argv[2])
    if (timeout === undefined || typeof timeout === "bigint") {
      return ctx.out.error("ERR timeout is not an integer or out of range")
    }
    if (timeout < 0) return ctx.out.error("ERR timeout is negative")
    const until = timeout > 0 ? ctx.now + timeout : 0
    ctx.server.observability.pause.pause(until, mode)
    for (const db of ctx.keyspace.databases) db.expiryPausedUntil = until
    ctx.out.ok()
  }
})

const unpause = sub({
  name: "unpause",
  arity: 2,
  flags: ADMIN,
  aclCategories: ADMIN_ACL,
  summary: "Resume processing of clients that were paused",
  since: "6.2.0",
  complexity: "O(N) Where N is the number of paused clients",
  run: (ctx) => {
    ctx.server.observability.pause.unpause()
    for (const db of ctx.keyspace.databases) db.expiryPausedUntil = 0
    ctx.out.ok()
  }
})

/** CLIENT UNBLOCK id [TIMEOUT|ERROR]: ends a blocked client's wait as a timeout would, or with an error. */
const unblock = sub({
  name: "unblock",
  arity: -3,
  flags: ADMIN,
  aclCategories: ADMIN_ACL,
  summary: "Unblock a client blocked in a blocking command from a different connection",
  since: "5.0.0",
  complexity: "O(log N) where N is the number of client connections",
  run: (ctx, argv) => {
    if (argv.length > 4) {
      return ctx.out.error(
        `ERR unknown subcommand or wrong number of arguments for '${argv[1]}'. Try ${argv[0].toUpperCase()} HELP.`
      )
    }
    let withError = false
    if (argv.length === 4) {
      if (isKeyword(argv[3], "ERROR")) withError = true
      else if (!isKeyword(argv[3], "TIMEOUT")) return ctx.out.error("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR")
    }
    const id = parseInteger(argv[2])
    if (id === undefined) return ctx.out.error("ERR value is not an integer or out of range")
    const target = typeof id === "number" ? ctx.server.clients.get(id) : undefined
    const blockedCommand = target?.blocked?.command
    const unblocked = target !== undefined && ctx.server.blocked.interrupt(target, withError)
    // The UNBLOCKED error is the blocked command's reply: counted as its failure, as Redis does.
    if (unblocked && withError) {
      ctx.server.stats.errorReplies++
      ctx.server.observability.countError("UNBLOCKED")
      const spec = blockedCommand === undefined ? undefined : ctx.server.commands.get(blockedCommand)
      if (spec !== undefined) ctx.server.observability.statsOf(spec).failed++
    }
    ctx.out.integer(unblocked ? 1 : 0)
  }
})

const HELP_LINES = [
  "CACHING (YES|NO)",
  "    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
  "GETREDIR",
  "    Return the client ID we are redirecting to when tracking is enabled.",
  "GETNAME",
  "    Return the name of the current connection.",
  "ID",
  "    Return the ID of the current connection.",
  "INFO",
  "    Return information about the current client connection.",
  "KILL <ip:port>",
  "    Kill connection made from <ip:port>.",
  "KILL <option> <value> [<option> <value> [...]]",
  "    Kill connections. Options are:",
  "    * ADDR (<ip:port>|<unixsocket>:0)",
  "      Kill connections made from the specified address",
  "    * LADDR (<ip:port>|<unixsocket>:0)",
  "      Kill connections made to specified local address",
  "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
  "      Kill connections by type.",
  "    * USER <username>",
  "      Kill connections authenticated by <username>.",
  "    * SKIPME (YES|NO)",
  "      Skip killing current connection (default: yes).",
  "LIST [options ...]",
  "    Return information about client connections. Options:",
  "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
  "      Return clients of specified type.",
  "UNPAUSE",
  "    Stop the current client pause, resuming traffic.",
  "PAUSE <timeout> [WRITE|ALL]",
  "    Suspend all, or just write, clients for <timeout> milliseconds.",
  "REPLY (ON|OFF|SKIP)",
  "    Control the replies sent to the current connection.",
  "SETNAME <name>",
  "    Assign the name <name> to the current connection.",
  "SETINFO <option> <value>",
  "    Set client meta attr. Options are:",
  "    * LIB-NAME: the client lib name.",
  "    * LIB-VER: the client lib version.",
  "UNBLOCK <clientid> [TIMEOUT|ERROR]",
  "    Unblock the specified blocked client.",
  "TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
  "         [OPTIN] [OPTOUT] [NOLOOP]",
  "    Control server assisted client side caching.",
  "TRACKINGINFO",
  "    Report tracking status for the current connection.",
  "NO-EVICT (ON|OFF)",
  "    Protect current client connection from eviction."
]

const help = sub({
  name: "help",
  arity: 2,
  flags: ["loading", "stale"],
  aclCategories: PLAIN_ACL,
  summary: "Show helpful text about the different subcommands",
  since: "5.0.0",
  complexity: "O(1)",
  run: (ctx) => writeHelp(ctx.out, "CLIENT", HELP_LINES)
})

export const clientCommand: CommandSpec = command({
  name: "client",
  arity: -2,
  flags: [],
  group: "connection",
  aclCategories: ["slow"],
  summary: "A container for client connection commands",
  since: "2.4.0",
  complexity: "Depends on subcommand.",
  subcommands: [
    id,
    setname,
    getname,
    setinfo,
    info,
    list,
    kill,
    unblock,
    noEvict,
    reply,
    pause,
    unpause,
    getredir,
    trackinginfo,
    tracking,
    caching,
    help
  ]
})
