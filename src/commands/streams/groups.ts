/**
 * Consumer groups: XGROUP CREATE / SETID / DESTROY / CREATECONSUMER / DELCONSUMER / HELP and
 * XACK (Redis 7.0's xgroupCommand and xackCommand, with their checks in Redis's order).
 */
import { ERR_NOT_INTEGER, isKeyword, parseSafeInteger } from "../../protocol/arguments.js"
import { command, type CommandContext, type CommandSpec } from "../Command.js"
import { keyAt } from "../../protocol/key-specs.js"
import { helpSubcommand } from "../server/help.js"
import { notify, NotifyType } from "../../pubsub/notify.js"
import { type StreamId, ZERO_ID } from "../../keyspace/values/StreamId.js"
import { ConsumerGroup, INVALID_ENTRIES_READ, StreamValue } from "../../keyspace/values/StreamValue.js"
import { consumerFor, deleteConsumer, removeNack } from "./groups-state.js"
import { idOrReply, newStream, streamCommand, streamForWrite, strictIdOrReply, WRONG_TYPE, changeUnsignalled, cText } from "./shared.js"

const syntaxError = (ctx: CommandContext, argv: ReadonlyArray<string>): void =>
  ctx.out.error(`ERR unknown subcommand or wrong number of arguments for '${cText(argv[1]).slice(0, 128)}'. Try XGROUP HELP.`)

const ERR_ENTRIES_READ = "ERR value for ENTRIESREAD must be positive or -1"

/** An ENTRIESREAD value: a count or -1; undefined after replying the error. */
const entriesReadOrReply = (ctx: CommandContext, text: string): number | undefined => {
  const value = parseSafeInteger(text)
  if (value === undefined) return void ctx.out.error(ERR_NOT_INTEGER)
  if (value < 0 && value !== INVALID_ENTRIES_READ) return void ctx.out.error(ERR_ENTRIES_READ)
  return value
}

/**
 * The checks every subcommand but HELP makes (after its own options): the key must hold a
 * stream (unless MKSTREAM), and SETID / CREATECONSUMER / DELCONSUMER need the group.
 */
const target = (
  ctx: CommandContext,
  argv: ReadonlyArray<string>,
  mkstream: boolean,
  needsGroup: boolean
): { stream: StreamValue | undefined; group: ConsumerGroup | undefined } | undefined => {
  const stream = streamForWrite(ctx, argv[2])
  if (stream === WRONG_TYPE) return
  const group = stream?.groups.get(argv[3])
  if (!mkstream) {
    if (stream === undefined) {
      return void ctx.out.error(
        "ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically."
      )
    }
    if (needsGroup && group === undefined) {
      return void ctx.out.error(`NOGROUP No such consumer group '${cText(argv[3])}' for key name '${cText(argv[2])}'`)
    }
  }
  return { stream, group }
}

type GroupInput = Omit<Parameters<typeof streamCommand>[0], "firstKey" | "lastKey" | "step">

const subcommand = (spec: GroupInput): CommandSpec => streamCommand({ firstKey: 2, lastKey: 2, step: 1, ...spec })

const create = subcommand({
  name: "xgroup|create",
  arity: -5,
  flags: ["write", "denyoom"],
  keySpecs: [keyAt(2, "RW", "insert")],
  summary: "Create a consumer group.",
  since: "5.0.0",
  complexity: "O(1)",
  run: (ctx, argv) => {
    let mkstream = false
    let entriesRead = INVALID_ENTRIES_READ
    for (let i = 5; i < argv.length;) {
      if (isKeyword(argv[i], "MKSTREAM")) {
        mkstream = true
        i++
      } else if (isKeyword(argv[i], "ENTRIESREAD") && i + 1 < argv.length) {
        const value = entriesReadOrReply(ctx, argv[i + 1])
        if (value === undefined) return
        entriesRead = value
        i += 2
      } else return syntaxError(ctx, argv)
    }
    const found = target(ctx, argv, mkstream, false)
    if (found === undefined) return
    if (argv.length > 8) return syntaxError(ctx, argv)
    let id: StreamId | undefined
    if (argv[4] === "$") id = found.stream?.lastId ?? ZERO_ID
    else if ((id = strictIdOrReply(ctx, argv[4])) === undefined) return
    let stream = found.stream
    const key = argv[2]
    if (stream === undefined) {
      stream = newStream(ctx)
      ctx.db.set(key, stream)
    } else {
      if (stream.groups.has(argv[3])) return ctx.out.error("BUSYGROUP Consumer Group name already exists")
      changeUnsignalled(ctx, key)
    }
    stream.groups.set(argv[3], new ConsumerGroup(id, entriesRead))
    stream.account(StreamValue.GROUP_BYTES + argv[3].length)
    ctx.out.ok()
    notify(ctx, NotifyType.Stream, "xgroup-create", key)
  }
})

const setid = subcommand({
  name: "xgroup|setid",
  arity: -5,
  flags: ["write"],
  keySpecs: [keyAt(2, "RW", "update")],
  summary: "Set a consumer group to an arbitrary last delivered ID value.",
  since: "5.0.0",
  complexity: "O(1)",
  run: (ctx, argv) => {
    let entriesRead = INVALID_ENTRIES_READ
    if (argv.length === 7) {
      if (!isKeyword(argv[5], "ENTRIESREAD")) return syntaxError(ctx, argv)
      const value = entriesReadOrReply(ctx, argv[6])
      if (value === undefined) return
      entriesRead = value
    } else if (argv.length !== 5) return syntaxError(ctx, argv)
    const found = target(ctx, argv, false, true)
    if (found === undefined) return
    const stream = found.stream!
    const group = found.group!
    let id: StreamId | undefined
    if (argv[4] === "$") id = stream.lastId
    else if ((id = idOrReply(ctx, argv[4], 0n)) === undefined) return
    changeUnsignalled(ctx, argv[2])
    group.lastId = id
    group.entriesRead = entriesRead
    ctx.out.ok()
    notify(ctx, NotifyType.Stream, "xgroup-setid", argv[2])
  }
})

const destroy = subcommand({
  name: "xgroup|destroy",
  arity: 4,
  flags: ["write"],
  keySpecs: [keyAt(2, "RW", "delete")],
  summary: "Destroy a consumer group.",
  since: "5.0.0",
  complexity: "O(N) where N is the number of entries in the group's pending entries list (PEL).",
  run: (ctx, argv) => {
    const found = target(ctx, argv, false, false)
    if (found === undefined) return
    const stream = found.stream!
    const group = found.group
    if (group === undefined) return ctx.out.integer(0)
    changeUnsignalled(ctx, argv[2])
    for (const consumer of [...group.consumers.values()]) deleteConsumer(stream, group, consumer)
    stream.groups.delete(argv[3])
    stream.account(-(StreamValue.GROUP_BYTES + argv[3].length))
    ctx.out.integer(1)
    notify(ctx, NotifyType.Stream, "xgroup-destroy", argv[2])
    ctx.server.blocked.signalReady(ctx.db, argv[2])
  }
})

const createconsumer = subcommand({
  name: "xgroup|createconsumer",
  arity: 5,
  flags: ["write", "denyoom"],
  keySpecs: [keyAt(2, "RW", "insert")],
  summary: "Create a consumer in a consumer group.",
  since: "6.2.0",
  complexity: "O(1)",
  run: (ctx, argv) => {
    const found = target(ctx, argv, false, true)
    if (found === undefined) return
    const group = found.group!
    if (group.consumers.has(argv[4])) return ctx.out.integer(0)
    changeUnsignalled(ctx, argv[2])
    consumerFor(ctx, found.stream!, group, argv[2], argv[4])
    ctx.out.integer(1)
  }
})

const delconsumer = subcommand({
  name: "xgroup|delconsumer",
  arity: 5,
  flags: ["write"],
  keySpecs: [keyAt(2, "RW", "delete")],
  summary: "Delete a consumer from a consumer group.",
  since: "5.0.0",
  complexity: "O(1)",
  run: (ctx, argv) => {
    const found = target(ctx, argv, false, true)
    if (found === undefined) return
    const group = found.group!
    const consumer = group.consumers.get(argv[4])
    if (consumer === undefined) return ctx.out.integer(0)
    changeUnsignalled(ctx, argv[2])
    ctx.out.integer(deleteConsumer(found.stream!, group, consumer))
    notify(ctx, NotifyType.Stream, "xgroup-delconsumer", argv[2])
  }
})

const HELP_LINES = [
  "CREATE <key> <groupname> <id|$> [option]",
  "    Create a new consumer group. Options are:",
  "    * MKSTREAM",
  "      Create the empty stream if it does not exist.",
  "    * ENTRIESREAD entries_read",
  "      Set the group's entries_read counter (internal use).",
  "CREATECONSUMER <key> <groupname> <consumer>",
  "    Create a new consumer in the specified group.",
  "DELCONSUMER <key> <groupname> <consumer>",
  "    Remove the specified consumer.",
  "DESTROY <key> <groupname>",
  "    Remove the specified group.",
  "SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
  "    Set the current group ID and entries_read counter."
]

const help = helpSubcommand("XGROUP", { group: "stream", aclCategories: ["stream", "slow"], since: "5.0.0" }, HELP_LINES)

const xgroup = command({
  name: "xgroup",
  arity: -2,
  flags: [],
  group: "stream",
  aclCategories: ["slow"],
  summary: "A container for consumer groups commands",
  since: "5.0.0",
  complexity: "Depends on subcommand.",
  subcommands: [createconsumer, help, delconsumer, create, setid, destroy]
})

const xack = streamCommand({
  name: "xack",
  arity: -4,
  flags: ["write", "fast"],
  keySpecs: [keyAt(1, "RW", "update")],
  summary:
    "Marks a pending message as correctly processed, effectively removing it from the pending entries list of the consumer group. Return value of the command is the number of messages successfully acknowledged, that is, the IDs we were actually able to resolve in the PEL.",
  since: "5.0.0",
  complexity: "O(1) for each message ID processed.",
  run: (ctx, argv) => {
    const key = argv[1]
    const stream = streamForWrite(ctx, key)
    if (stream === WRONG_TYPE) return
    const group = stream?.groups.get(argv[2])
    if (stream === undefined || group === undefined) return ctx.out.integer(0)
    // Every ID is checked before anything is acknowledged.
    const ids: Array<StreamId> = []
    for (let i = 3; i < argv.length; i++) {
      const id = strictIdOrReply(ctx, argv[i])
      if (id === undefined) return
      ids.push(id)
    }
    let acknowledged = 0
    for (const id of ids) {
      if (group.pel.get(id) === undefined) continue
      if (acknowledged === 0) changeUnsignalled(ctx, key)
      removeNack(stream, group, id)
      acknowledged++
    }
    ctx.out.integer(acknowledged)
  }
})

export const groupCommands: ReadonlyArray<CommandSpec> = [xgroup, xack]
