/**
 * XINFO STREAM [FULL [COUNT n]] / GROUPS / CONSUMERS / HELP (Redis 7.0's xinfoCommand), with
 * the lag and entries-read that 7.0 reports (StreamValue.lagOf).
 *
 * radix-tree-keys is the number of nodes, as Redis's; radix-tree-nodes counts Redis's radix tree
 * nodes, which have no equivalent here: it is estimated (one per key plus the root).
 */
import { ERR_NOT_INTEGER, isKeyword, parseSafeInteger } from "../../protocol/arguments.js"
import { command, type CommandContext, type CommandSpec } from "../Command.js"
import { keyAt } from "../../protocol/key-specs.js"
import { helpSubcommand } from "../server/help.js"
import { idText, MAX_ID, type StreamId, ZERO_ID } from "../../keyspace/values/StreamId.js"
import { type ConsumerGroup, INVALID_ENTRIES_READ, type StreamValue } from "../../keyspace/values/StreamValue.js"
import { cText, streamCommand, streamForRead, WRONG_TYPE, writeEntry, writeSorted } from "./shared.js"

const syntaxError = (ctx: CommandContext, argv: ReadonlyArray<string>): void =>
  ctx.out.error(`ERR unknown subcommand or wrong number of arguments for '${cText(argv[1]).slice(0, 128)}'. Try XINFO HELP.`)

/** The stream at argv[2], or undefined after replying (no such key, WRONGTYPE). */
const streamOrReply = (ctx: CommandContext, argv: ReadonlyArray<string>): StreamValue | undefined => {
  const stream = streamForRead(ctx, argv[2])
  if (stream === WRONG_TYPE) return
  if (stream === undefined) return void ctx.out.error("ERR no such key")
  return stream
}

const writeEntries = (ctx: CommandContext, stream: StreamValue, count: number): void => {
  const ids: Array<StreamId> = []
  const entries: Array<Array<string>> = []
  stream.range(ZERO_ID, MAX_ID, false, (id, fields) => {
    ids.push(id)
    entries.push(fields)
    return count === 0 || ids.length < count
  })
  ctx.out.arrayHeader(ids.length)
  for (let i = 0; i < ids.length; i++) writeEntry(ctx.out, ids[i], entries[i])
}

const writeEdge = (ctx: CommandContext, stream: StreamValue, first: boolean): void => {
  const id = stream.edgeId(first)
  if (id === undefined) return ctx.out.nullBulk()
  writeEntry(ctx.out, id, stream.get(id)!)
}

const writeEntriesRead = (ctx: CommandContext, group: ConsumerGroup): void => {
  if (group.entriesRead === INVALID_ENTRIES_READ) ctx.out.nullBulk()
  else ctx.out.integer(group.entriesRead)
}

const writeLag = (ctx: CommandContext, stream: StreamValue, group: ConsumerGroup): void => {
  const lag = stream.lagOf(group)
  if (lag === undefined) ctx.out.nullBulk()
  else ctx.out.integer(lag)
}

const infoStream = streamCommand({
  name: "xinfo|stream",
  arity: -3,
  flags: ["readonly"],
  firstKey: 2,
  lastKey: 2,
  step: 1,
  keySpecs: [keyAt(2, "RO", "access")],
  summary: "Get information about a stream",
  since: "5.0.0",
  complexity: "O(1)",
  run: (ctx, argv) => {
    const stream = streamOrReply(ctx, argv)
    if (stream === undefined) return
    const options = argv.length - 3
    let full = false
    let count = 10
    if (options !== 0) {
      if ((options !== 1 && options !== 3) || !isKeyword(argv[3], "FULL")) return syntaxError(ctx, argv)
      full = true
      if (options === 3) {
        if (!isKeyword(argv[4], "COUNT")) return syntaxError(ctx, argv)
        const value = parseSafeInteger(argv[5])
        if (value === undefined) return ctx.out.error(ERR_NOT_INTEGER)
        count = value < 0 ? 10 : value
      }
    }
    const out = ctx.out
    out.mapHeader(full ? 9 : 10)
    out.bulk("length")
    out.integer(stream.length)
    out.bulk("radix-tree-keys")
    out.integer(stream.nodeCount)
    out.bulk("radix-tree-nodes")
    out.integer(stream.nodeCount + 1)
    out.bulk("last-generated-id")
    out.bulk(idText(stream.lastId))
    out.bulk("max-deleted-entry-id")
    out.bulk(idText(stream.maxDeletedId))
    out.bulk("entries-added")
    out.integer(stream.entriesAdded)
    out.bulk("recorded-first-entry-id")
    out.bulk(idText(stream.firstId))
    if (!full) {
      out.bulk("groups")
      out.integer(stream.groups.size)
      out.bulk("first-entry")
      writeEdge(ctx, stream, true)
      out.bulk("last-entry")
      writeEdge(ctx, stream, false)
      return
    }
    out.bulk("entries")
    writeEntries(ctx, stream, count)
    out.bulk("groups")
    writeSorted(out, stream.groups, (name, group) => {
      out.mapHeader(7)
      out.bulk("name")
      out.bulk(name)
      out.bulk("last-delivered-id")
      out.bulk(idText(group.lastId))
      out.bulk("entries-read")
      writeEntriesRead(ctx, group)
      out.bulk("lag")
      writeLag(ctx, stream, group)
      out.bulk("pel-count")
      out.integer(group.pel.size)
      out.bulk("pending")
      const shown = count === 0 ? group.pel.size : Math.min(count, group.pel.size)
      out.arrayHeader(shown)
      for (let i = 0; i < shown; i++) {
        const nack = group.pel.valueAt(i)
        out.arrayHeader(4)
        out.bulk(idText(group.pel.idAt(i)))
        out.bulk(nack.consumer.name)
        out.integer(nack.deliveryTime)
        out.integer(nack.deliveryCount)
      }
      out.bulk("consumers")
      writeSorted(out, group.consumers, (consumerName, consumer) => {
        out.mapHeader(4)
        out.bulk("name")
        out.bulk(consumerName)
        out.bulk("seen-time")
        out.integer(consumer.seenTime)
        out.bulk("pel-count")
        out.integer(consumer.pel.size)
        out.bulk("pending")
        const own = count === 0 ? consumer.pel.size : Math.min(count, consumer.pel.size)
        out.arrayHeader(own)
        for (let i = 0; i < own; i++) {
          const nack = consumer.pel.valueAt(i)
          out.arrayHeader(3)
          out.bulk(idText(consumer.pel.idAt(i)))
          out.integer(nack.deliveryTime)
          out.integer(nack.deliveryCount)
        }
      })
    })
  }
})

const infoGroups = streamCommand({
  name: "xinfo|groups",
  arity: 3,
  flags: ["readonly"],
  firstKey: 2,
  lastKey: 2,
  step: 1,
  keySpecs: [keyAt(2, "RO", "access")],
  summary: "List the consumer groups of a stream",
  since: "5.0.0",
  complexity: "O(1)",
  run: (ctx, argv) => {
    const stream = streamOrReply(ctx, argv)
    if (stream === undefined) return
    const out = ctx.out
    writeSorted(out, stream.groups, (name, group) => {
      out.mapHeader(6)
      out.bulk("name")
      out.bulk(name)
      out.bulk("consumers")
      out.integer(group.consumers.size)
      out.bulk("pending")
      out.integer(group.pel.size)
      out.bulk("last-delivered-id")
      out.bulk(idText(group.lastId))
      out.bulk("entries-read")
      writeEntriesRead(ctx, group)
      out.bulk("lag")
      writeLag(ctx, stream, group)
    })
  }
})

const infoConsumers = streamCommand({
  name: "xinfo|consumers",
  arity: 4,
  flags: ["readonly"],
  tips: ["nondeterministic_output"],
  firstKey: 2,
  lastKey: 2,
  step: 1,
  keySpecs: [keyAt(2, "RO", "access")],
  summary: "List the consumers in a consumer group",
  since: "5.0.0",
  complexity: "O(1)",
  run: (ctx, argv) => {
    const stream = streamOrReply(ctx, argv)
    if (stream === undefined) return
    const group = stream.groups.get(argv[3])
    if (group === undefined) return ctx.out.error(`NOGROUP No such consumer group '${cText(argv[3])}' for key name '${cText(argv[2])}'`)
    const out = ctx.out
    writeSorted(out, group.consumers, (name, consumer) => {
      out.mapHeader(3)
      out.bulk("name")
      out.bulk(name)
      out.bulk("pending")
      out.integer(consumer.pel.size)
      out.bulk("idle")
      out.integer(Math.max(0, ctx.now - consumer.seenTime))
    })
  }
})

const HELP_LINES = [
  "CONSUMERS <key> <groupname>",
  "    Show consumers of <groupname>.",
  "GROUPS <key>",
  "    Show the stream consumer groups.",
  "STREAM <key> [FULL [COUNT <count>]",
  "    Show information about the stream."
]

const help = helpSubcommand("XINFO", { group: "stream", aclCategories: ["stream", "slow"], since: "5.0.0" }, HELP_LINES)

const xinfo = command({
  name: "xinfo",
  arity: -2,
  flags: [],
  group: "stream",
  aclCategories: ["slow"],
  summary: "A container for stream introspection commands",
  since: "5.0.0",
  complexity: "Depends on subcommand.",
  subcommands: [infoGroups, help, infoStream, infoConsumers]
})

export const infoCommands: ReadonlyArray<CommandSpec> = [xinfo]
