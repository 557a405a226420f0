/**
 * Writing a stream: XADD, XTRIM, XDEL, XSETID, and XLEN beside them (Redis 7.0's t_stream.c).
 *
 * XADD and XTRIM share the trimming options (`streamParseAddOrTrimArgsOrReply`). Approximate
 * trims only drop whole nodes, so what they removed depends on the stream's layout: they are
 * logged for the AOF as exact trims to what was reached (`=` and the resulting length or first
 * ID), and XADD is logged with the ID it generated, so replay never depends on the clock.
 */
import { ERR_NOT_INTEGER, ERR_SYNTAX, isKeyword, parseSafeInteger } from "../../protocol/arguments.js"
import { type CommandContext, type CommandSpec, propagateAs } from "../Command.js"
import { keyAt, noted } from "../../protocol/key-specs.js"
import { notify, NotifyType } from "../../pubsub/notify.js"
import { idFromMillis, idText, MAX_ID, makeId, msNumber, msOf, nextId, parseId, seqOf, type StreamId, ZERO_ID } from "../../keyspace/values/StreamId.js"
import type { StreamValue } from "../../keyspace/values/StreamValue.js"
import {
  changeUnsignalled,
  ERR_INVALID_ID,
  newStream,
  streamCommand,
  streamForRead,
  streamForWrite,
  strictIdOrReply,
  U64_MAX,
  WRONG_TYPE
} from "./shared.js"

/** Parsed trimming options (and, for XADD, the ID argument). */
interface TrimArgs {
  strategy: "none" | "maxlen" | "minid"
  approx: boolean
  maxLen: number
  minId: StreamId
  /** Entries a trim may remove (approx only); 0: no limit. */
  limit: number
  /** Where the threshold argument is (rewritten for the AOF). */
  thresholdAt: number
  noMkStream: boolean
  /** XADD: the explicit ID, if one was given; `seqGiven` false for `<ms>-*`. */
  id: StreamId | undefined
  seqGiven: boolean
  /** XADD: the position of the ID argument. */
  idAt: number
}

const ERR_BOTH = "ERR syntax error, MAXLEN and MINID options at the same time are not compatible"

/**
 * Redis's streamParseAddOrTrimArgsOrReply; undefined after replying an error. (Redis lifts the
 * LIMIT for commands from its master or AOF; ours only ever logs exact trims, which have none.)
 */
const parseTrimArgs = (ctx: CommandContext, argv: ReadonlyArray<string>, xadd: boolean): TrimArgs | undefined => {
  const args: TrimArgs = {
    strategy: "none", approx: false, maxLen: 0, minId: ZERO_ID, limit: 0, thresholdAt: 0, noMkStream: false,
    id: undefined, seqGiven: true, idAt: argv.length
  }
  let limitGiven = false
  let i = 2
  for (; i < argv.length; i++) {
    const more = argv.length - 1 - i
    const opt = argv[i]
    if (xadd && opt === "*") break
    if (isKeyword(opt, "MAXLEN") && more > 0) {
      if (args.strategy !== "none") return void ctx.out.error(ERR_BOTH)
      args.approx = false
      const next = argv[i + 1]
      if (more >= 2 && next === "~") {
        args.approx = true
        i++
      } else if (more >= 2 && next === "=") i++
      const value = parseSafeInteger(argv[i + 1])
      if (value === undefined) return void ctx.out.error(ERR_NOT_INTEGER)
      if (value < 0) return void ctx.out.error("ERR The MAXLEN argument must be >= 0.")
      args.maxLen = value
      i++
      args.strategy = "maxlen"
      args.thresholdAt = i
    } else if (isKeyword(opt, "MINID") && more > 0) {
      if (args.strategy !== "none") return void ctx.out.error(ERR_BOTH)
      args.approx = false
      const next = argv[i + 1]
      if (more >= 2 && next === "~") {
        args.approx = true
        i++
      } else if (more >= 2 && next === "=") i++
      const id = strictIdOrReply(ctx, argv[i + 1])
      if (id === undefined) return
      args.minId = id
      i++
      args.strategy = "minid"
      args.thresholdAt = i
    } else if (isKeyword(opt, "LIMIT") && more > 0) {
      const value = parseSafeInteger(argv[i + 1])
      if (value === undefined) return void ctx.out.error(ERR_NOT_INTEGER)
      if (value < 0) return void ctx.out.error("ERR The LIMIT argument must be >= 0.")
      args.limit = value
      limitGiven = true
      i++
    } else if (xadd && isKeyword(opt, "NOMKSTREAM")) {
      args.noMkStream = true
    } else if (xadd) {
      const parsed = parseId(opt, 0n, true, true)
      if (parsed === undefined) return void ctx.out.error(ERR_INVALID_ID)
      args.id = parsed.id
      args.seqGiven = parsed.seqGiven
      break
    } else {
      return void ctx.out.error(ERR_SYNTAX)
    }
  }
  args.idAt = i
  if (args.limit !== 0 && args.strategy === "none") {
    return void ctx.out.error("ERR syntax error, LIMIT cannot be used without specifying a trimming strategy")
  }
  if (!xadd && args.strategy === "none") {
    return void ctx.out.error("ERR syntax error, XTRIM must be called with a trimming strategy")
  }
  if (limitGiven) {
    if (!args.approx) return void ctx.out.error("ERR syntax error, LIMIT cannot be used without the special ~ option")
  } else args.limit = args.approx ? 100 * streamNodeMaxEntries(ctx) : 0
  return args
}

const streamNodeMaxEntries = (ctx: CommandContext): number => ctx.server.config.streamNodeMaxEntries

const trim = (stream: StreamValue, args: TrimArgs, apply = true): number =>
  stream.trim(
    args.strategy === "maxlen" ? args.maxLen : undefined,
    args.strategy === "minid" ? args.minId : undefined,
    args.approx,
    args.limit,
    apply
  )

/** An approximate trim as the exact one it turned out to be (streamRewriteTrimArgument). */
const rewriteTrim = (argv: Array<string>, stream: StreamValue, args: TrimArgs): void => {
  argv[args.thresholdAt - 1] = "="
  if (args.strategy === "maxlen") argv[args.thresholdAt] = String(stream.length)
  else {
    const first = stream.edgeId(true)
    if (first !== undefined) argv[args.thresholdAt] = idText(first)
  }
}

/** The ID an append gets (streamAppendItem's choice), or undefined when it is not above the top. */
const nextAppendId = (stream: StreamValue, now: number, args: TrimArgs): StreamId | undefined => {
  const last = stream.lastId
  if (args.id === undefined) {
    if (now > msNumber(last)) return idFromMillis(now)
    return nextId(last)
  }
  if (!args.seqGiven) {
    const ms = msOf(args.id)
    const lastMs = msOf(last)
    if (ms === lastMs) {
      const seq = seqOf(last)
      return seq === U64_MAX ? undefined : makeId(ms, seq + 1n)
    }
    return ms > lastMs ? args.id : undefined
  }
  return args.id > last ? args.id : undefined
}

const xadd = streamCommand({
  name: "xadd",
  arity: -5,
  flags: ["write", "denyoom", "fast"],
  tips: ["nondeterministic_output"],
  keySpecs: [noted(keyAt(1, "RW", "update"), "UPDATE instead of INSERT because of the optional trimming feature")],
  summary: "Appends a new entry to a stream",
  since: "5.0.0",
  complexity: "O(1) when adding a new entry, O(N) when trimming where N being the number of entries evicted.",
  run: (ctx, argv) => {
    const key = argv[1]
    const args = parseTrimArgs(ctx, argv, true)
    if (args === undefined) return
    const fieldsAt = args.idAt + 1
    if (argv.length - args.idAt < 3 || (argv.length - args.idAt) % 2 === 0) {
      return ctx.out.error("ERR wrong number of arguments for 'xadd' command")
    }
    if (args.id !== undefined && args.seqGiven && args.id === ZERO_ID) {
      return ctx.out.error("ERR The ID specified in XADD must be greater than 0-0")
    }
    let stream = streamForWrite(ctx, key)
    if (stream === WRONG_TYPE) return
    const created = stream === undefined
    if (stream === undefined) {
      if (args.noMkStream) return ctx.out.nullBulk()
      stream = newStream(ctx)
    }
    if (stream.lastId === MAX_ID) {
      return ctx.out.error("ERR The stream has exhausted the last possible ID, unable to add more items")
    }
    const id = nextAppendId(stream, ctx.now, args)
    if (id === undefined) {
      return ctx.out.error("ERR The ID specified in XADD is equal or smaller than the target stream top item")
    }
    if (created) ctx.db.set(key, stream)
    else ctx.db.willModify(key)
    stream.append(id, argv.slice(fieldsAt))
    const text = idText(id)
    ctx.out.bulk(text)
    notify(ctx, NotifyType.Stream, "xadd", key)
    const logging = ctx.keyspace.commandLog.enabled
    const logged = logging ? argv.slice() : undefined
    if (args.strategy !== "none") {
      if (trim(stream, args) > 0) notify(ctx, NotifyType.Stream, "xtrim", key)
      if (args.approx && logged !== undefined) rewriteTrim(logged, stream, args)
    }
    if (logged !== undefined) {
      logged[args.idAt] = text
      propagateAs(ctx, logged)
    }
    ctx.server.blocked.signalReady(ctx.db, key)
  }
})


const xtrim = streamCommand({
  name: "xtrim",
  arity: -4,
  flags: ["write"],
  tips: ["nondeterministic_output"],
  keySpecs: [keyAt(1, "RW", "delete")],
  summary: "Trims the stream to (approximately if '~' is passed) a certain size",
  since: "5.0.0",
  complexity:
    "O(N), with N being the number of evicted entries. Constant times are very small however, since entries are organized in macro nodes containing multiple entries that can be released with a single deallocation.",
  run: (ctx, argv) => {
    const key = argv[1]
    const args = parseTrimArgs(ctx, argv, false)
    if (args === undefined) return
    const stream = streamForWrite(ctx, key)
    if (stream === WRONG_TYPE) return
    if (stream === undefined) return ctx.out.integer(0)
    // Only a trim that removes something is a change (WATCH, dirty, snapshots).
    if (trim(stream, args, false) === 0) return ctx.out.integer(0)
    ctx.db.willModify(key)
    const removed = trim(stream, args)
    {
      notify(ctx, NotifyType.Stream, "xtrim", key)
      if (args.approx && ctx.keyspace.commandLog.enabled) {
        const logged = argv.slice()
        rewriteTrim(logged, stream, args)
        propagateAs(ctx, logged)
      }
    }
    ctx.out.integer(removed)
  }
})

const xdel = streamCommand({
  name: "xdel",
  arity: -3,
  flags: ["write", "fast"],
  keySpecs: [keyAt(1, "RW", "delete")],
  summary:
    "Removes the specified entries from the stream. Returns the number of items actually deleted, that may be different from the number of IDs passed in case certain IDs do not exist.",
  since: "5.0.0",
  complexity: "O(1) for each single item to delete in the stream, regardless of the stream size.",
  run: (ctx, argv) => {
    const key = argv[1]
    const stream = streamForWrite(ctx, key)
    if (stream === WRONG_TYPE) return
    if (stream === undefined) return ctx.out.integer(0)
    const ids: Array<StreamId> = []
    for (let i = 2; i < argv.length; i++) {
      const id = strictIdOrReply(ctx, argv[i])
      if (id === undefined) return
      ids.push(id)
    }
    let deleted = 0
    for (const id of ids) {
      if (!stream.has(id)) continue
      if (deleted === 0) ctx.db.willModify(key)
      stream.delete(id)
      deleted++
    }
    if (deleted > 0) notify(ctx, NotifyType.Stream, "xdel", key)
    ctx.out.integer(deleted)
  }
})

const xlen = streamCommand({
  name: "xlen",
  arity: 2,
  flags: ["readonly", "fast"],
  keySpecs: [keyAt(1, "RO")],
  summary: "Return the number of entries in a stream",
  since: "5.0.0",
  complexity: "O(1)",
  run: (ctx, argv) => {
    const stream = streamForRead(ctx, argv[1])
    if (stream === WRONG_TYPE) return
    ctx.out.integer(stream === undefined ? 0 : stream.length)
  }
})

const xsetid = streamCommand({
  name: "xsetid",
  arity: -3,
  flags: ["write", "denyoom", "fast"],
  keySpecs: [keyAt(1, "RW", "update")],
  summary: "An internal command for replicating stream values",
  since: "5.0.0",
  complexity: "O(1)",
  run: (ctx, argv) => {
    const key = argv[1]
    const id = strictIdOrReply(ctx, argv[2])
    if (id === undefined) return
    let entriesAdded = -1
    let maxDeleted = ZERO_ID
    for (let i = 3; i < argv.length; i += 2) {
      const more = argv.length - 1 - i
      if (isKeyword(argv[i], "ENTRIESADDED") && more > 0) {
        const value = parseSafeInteger(argv[i + 1])
        if (value === undefined) return ctx.out.error(ERR_NOT_INTEGER)
        if (value < 0) return ctx.out.error("ERR entries_added must be positive")
        entriesAdded = value
      } else if (isKeyword(argv[i], "MAXDELETEDID") && more > 0) {
        const parsed = strictIdOrReply(ctx, argv[i + 1])
        if (parsed === undefined) return
        if (id < parsed) return ctx.out.error("ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id")
        maxDeleted = parsed
      } else return ctx.out.error(ERR_SYNTAX)
    }
    const stream = streamForWrite(ctx, key)
    if (stream === WRONG_TYPE) return
    if (stream === undefined) return ctx.out.error("ERR no such key")
    if (stream.length > 0) {
      if (id < stream.edgeId(false)!) {
        return ctx.out.error("ERR The ID specified in XSETID is smaller than the target stream top item")
      }
      if (entriesAdded !== -1 && stream.length > entriesAdded) {
        return ctx.out.error("ERR The entries_added specified in XSETID is smaller than the target stream length")
      }
    }
    changeUnsignalled(ctx, key)
    stream.lastId = id
    if (entriesAdded !== -1) stream.entriesAdded = entriesAdded
    if (maxDeleted !== ZERO_ID) stream.maxDeletedId = maxDeleted
    ctx.out.ok()
    notify(ctx, NotifyType.Stream, "xsetid", key)
  }
})

export const writeCommands: ReadonlyArray<CommandSpec> = [xadd, xtrim, xdel, xlen, xsetid]
