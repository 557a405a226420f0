/**
 * Reading a stream: XRANGE, XREVRANGE, XREAD and XREADGROUP (Redis 7.0's xrangeGenericCommand,
 * xreadCommand and streamReplyWithRange).
 *
 * XREADGROUP with `>` delivers new entries to the consumer (PEL entries, the group's last ID and
 * entries-read counter), logged for the AOF as Redis propagates it: one XCLAIM per delivered
 * entry and an XGROUP SETID, so replay needs neither the clock nor the consumer's history. With
 * another ID it re-reads the consumer's own pending entries.
 *
 * With BLOCK and nothing to answer, the client waits on its keys (src/blocking/BlockedClients.ts);
 * every change of one of them asks the wait again (`serveBlocked`), which answers once the stream
 * has entries past what the client asked for, or errors when the key or group is gone (XREADGROUP).
 */
import { ERR_NOT_INTEGER, ERR_SYNTAX, isKeyword, parseInteger, parseSafeInteger } from "../../protocol/arguments.js"
import { type CommandContext, type CommandSpec, propagateAs } from "../Command.js"
import type { KeySpec } from "../../protocol/CommandInfo.js"
import { idText, MAX_ID, nextId, previousId, type StreamId, ZERO_ID } from "../../keyspace/values/StreamId.js"
import { type Consumer, type ConsumerGroup, INVALID_ENTRIES_READ, type StreamBlock, StreamValue } from "../../keyspace/values/StreamValue.js"
import { keyAt } from "../../protocol/key-specs.js"
import {
  assignNack,
  claimCommand,
  consumerFor,
  createConsumerCommand,
  type LogCommand,
  setIdCommand
} from "./groups-state.js"
import { idOrReply, streamCommand, streamForRead, strictIdOrReply, WRONG_TYPE, writeBlockEntry, writeEntry, changeUnsignalled, cText } from "./shared.js"
import { WRONGTYPE } from "../../keyspace/Value.js"
import { ReplyWriter } from "../../protocol/ReplyWriter.js"

/** An interval bound: `(` makes it exclusive (streamParseIntervalIDOrReply). */
const parseBound = (ctx: CommandContext, text: string, missingSeq: bigint): [StreamId, boolean] | undefined => {
  const exclusive = text.length > 1 && text.charCodeAt(0) === 40
  // An exclusive bound is a plain ID: `(-` and `(+` are not.
  const id = exclusive ? strictIdOrReply(ctx, text.slice(1), missingSeq) : idOrReply(ctx, text, missingSeq)
  return id === undefined ? undefined : [id, exclusive]
}

const xrange = (ctx: CommandContext, argv: ReadonlyArray<string>, reverse: boolean): void => {
  const startBound = parseBound(ctx, reverse ? argv[3] : argv[2], 0n)
  if (startBound === undefined) return
  let start: StreamId | undefined = startBound[0]
  if (startBound[1] && (start = nextId(start)) === undefined) return ctx.out.error("ERR invalid start ID for the interval")
  const endBound = parseBound(ctx, reverse ? argv[2] : argv[3], (1n << 64n) - 1n)
  if (endBound === undefined) return
  let end: StreamId | undefined = endBound[0]
  if (endBound[1] && (end = previousId(end)) === undefined) return ctx.out.error("ERR invalid end ID for the interval")
  let count = -1
  for (let j = 4; j < argv.length; j++) {
    if (isKeyword(argv[j], "COUNT") && argv.length - j - 1 >= 1) {
      const value = parseSafeInteger(argv[++j])
      if (value === undefined) return ctx.out.error(ERR_NOT_INTEGER)
      count = value < 0 ? 0 : value
    } else return ctx.out.error(ERR_SYNTAX)
  }
  const stream = streamForRead(ctx, argv[1])
  if (stream === WRONG_TYPE) return
  if (stream === undefined) return ctx.out.arrayHeader(0)
  if (count === 0) return ctx.out.nullArray()
  replyRange(ctx, stream, start, end, count === -1 ? 0 : count, reverse)
}

/** Entries from `start` to `end` (count 0: all) as an array. */
const replyRange = (ctx: CommandContext, stream: StreamValue, start: StreamId, end: StreamId, count: number, reverse: boolean): void => {
  const blocks: Array<StreamBlock> = []
  const positions: Array<number> = []
  stream.rangeRefs(start, end, reverse, (block, i) => {
    blocks.push(block)
    positions.push(i)
    return count === 0 || blocks.length < count
  })
  ctx.out.arrayHeader(blocks.length)
  for (let i = 0; i < blocks.length; i++) writeBlockEntry(ctx.out, blocks[i], positions[i])
}

const RANGE_COMPLEXITY =
  "with N being the number of elements being returned. If N is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1)."

const xrangeCommand = streamCommand({
  name: "xrange",
  arity: -4,
  flags: ["readonly"],
  keySpecs: [keyAt(1, "RO", "access")],
  summary: "Return a range of elements in a stream, with IDs matching the specified IDs interval",
  since: "5.0.0",
  complexity: `O(N) ${RANGE_COMPLEXITY}`,
  run: (ctx, argv) => xrange(ctx, argv, false)
})

const xrevrangeCommand = streamCommand({
  name: "xrevrange",
  arity: -4,
  flags: ["readonly"],
  keySpecs: [keyAt(1, "RO", "access")],
  summary:
    "Return a range of elements in a stream, with IDs matching the specified IDs interval, in reverse order (from greater to smaller IDs) compared to XRANGE",
  since: "5.0.0",
  complexity:
    "O(N) with N being the number of elements returned. If N is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1).",
  run: (ctx, argv) => xrange(ctx, argv, true)
})

/** What XREAD / XREADGROUP asked for. */
interface ReadRequest {
  readonly keys: ReadonlyArray<string>
  /** Per key: entries after this ID are wanted; MAX_ID stands for `>`. */
  readonly ids: Array<StreamId>
  readonly count: number
  /** Unix ms deadline, 0 for none, -1 when not blocking. */
  readonly deadline: number
  readonly groupName: string | undefined
  readonly consumerName: string
  readonly noack: boolean
}

const ERR_UNBALANCED = "ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified."

/** Parses XREAD / XREADGROUP arguments as xreadCommand does; undefined after replying an error. */
const parseRead = (ctx: CommandContext, argv: ReadonlyArray<string>, group: boolean): ReadRequest | undefined => {
  let deadline = -1
  let count = 0
  let streamsAt = 0
  let groupName: string | undefined
  let consumerName = ""
  let noack = false
  for (let i = 1; i < argv.length; i++) {
    const more = argv.length - i - 1
    const opt = argv[i]
    if (isKeyword(opt, "BLOCK") && more > 0) {
      const value = parseInteger(argv[++i])
      if (value === undefined) return void ctx.out.error("ERR timeout is not an integer or out of range")
      if (value < 0) return void ctx.out.error("ERR timeout is negative")
      if (value > 0 && BigInt(value) > (1n << 63n) - 1n - BigInt(ctx.now)) return void ctx.out.error("ERR timeout is out of range")
      deadline = value === 0 ? 0 : ctx.now + Number(value)
    } else if (isKeyword(opt, "COUNT") && more > 0) {
      const value = parseSafeInteger(argv[++i])
      if (value === undefined) return void ctx.out.error(ERR_NOT_INTEGER)
      count = value < 0 ? 0 : value
    } else if (isKeyword(opt, "STREAMS") && more > 0) {
      streamsAt = i + 1
      if ((argv.length - streamsAt) % 2 !== 0) return void ctx.out.error(ERR_UNBALANCED)
      break
    } else if (isKeyword(opt, "GROUP") && more >= 2) {
      if (!group) return void ctx.out.error("ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.")
      groupName = argv[i + 1]
      consumerName = argv[i + 2]
      i += 2
    } else if (isKeyword(opt, "NOACK")) {
      if (!group) return void ctx.out.error("ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.")
      noack = true
    } else return void ctx.out.error(ERR_SYNTAX)
  }
  if (streamsAt === 0) return void ctx.out.error(ERR_SYNTAX)
  if (group && groupName === undefined) return void ctx.out.error("ERR Missing GROUP option for XREADGROUP")
  const streamCount = (argv.length - streamsAt) / 2
  const keys = argv.slice(streamsAt, streamsAt + streamCount)
  const ids: Array<StreamId> = []
  for (let i = 0; i < streamCount; i++) {
    const key = keys[i]
    const text = argv[streamsAt + streamCount + i]
    const value = ctx.db.get(key, ctx.now)
    if (value !== undefined && !(value instanceof StreamValue)) return void ctx.out.error(WRONGTYPE)
    if (groupName !== undefined && (value === undefined || !value.groups.has(groupName))) {
      return void ctx.out.error(`NOGROUP No such key '${cText(key)}' or consumer group '${cText(groupName)}' in XREADGROUP with GROUP option`)
    }
    if (text === "$") {
      if (group) {
        return void ctx.out.error(
          "ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set."
        )
      }
      ids.push(value === undefined ? ZERO_ID : value.lastId)
      continue
    }
    if (text === ">") {
      if (!group) {
        return void ctx.out.error(
          "ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option."
        )
      }
      ids.push(MAX_ID)
      continue
    }
    const id = strictIdOrReply(ctx, text)
    if (id === undefined) return
    ids.push(id)
  }
  return { keys, ids, count, deadline, groupName, consumerName, noack }
}

/** The reply header of one served stream: [key, entries] in RESP2, a map entry in RESP3. */
const streamHeader = (ctx: CommandContext, key: string): void => {
  if (ctx.out.protocol === 2) ctx.out.arrayHeader(2)
  ctx.out.bulk(key)
}

/**
 * New entries for the group's consumer (streamReplyWithRange with a group): entries after the
 * group's last ID, up to `count` (0: all), each moved into the PEL unless `noack`; returns the
 * commands that replay it.
 */
const deliverNew = (
  ctx: CommandContext,
  stream: StreamValue,
  key: string,
  groupName: string,
  group: ConsumerGroup,
  consumer: Consumer,
  count: number,
  noack: boolean,
  /** Undefined when the AOF is off: the commands are then not even built. */
  log: LogCommand | undefined
): void => {
  const start = nextId(group.lastId)
  const ids: Array<StreamId> = []
  // The entries are written straight from their nodes (nothing changes the stream meanwhile).
  const blocks: Array<StreamBlock> = []
  const positions: Array<number> = []
  if (start !== undefined) {
    stream.rangeRefs(start, MAX_ID, false, (block, i) => {
      ids.push(block.idAt(i))
      blocks.push(block)
      positions.push(i)
      return count === 0 || ids.length < count
    })
  }
  ctx.out.arrayHeader(ids.length)
  let movedLastId = false
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]
    blocks[i].writeEntry(ctx.out, positions[i])
    if (id > group.lastId) {
      if (group.entriesRead !== INVALID_ENTRIES_READ && !stream.hasTombstonesFrom(id)) group.entriesRead++
      else if (stream.entriesAdded !== 0) group.entriesRead = stream.estimateDistance(id)
      group.lastId = id
      movedLastId = true
    }
    if (!noack) {
      const nack = assignNack(stream, group, consumer, id, ctx.now)
      log?.(claimCommand(key, groupName, group, id, nack))
    }
  }
  if (movedLastId) log?.(setIdCommand(key, groupName, group))
}

/** The consumer's own pending entries after `after` (streamReplyWithRangeFromConsumerPEL). */
const deliverHistory = (
  ctx: CommandContext,
  stream: StreamValue,
  key: string,
  groupName: string,
  group: ConsumerGroup,
  consumer: Consumer,
  after: StreamId,
  count: number,
  log: LogCommand | undefined
): void => {
  const start = nextId(after)
  const pel = consumer.pel
  const from = start === undefined ? pel.size : pel.lowerBound(start)
  const to = count === 0 ? pel.size : Math.min(pel.size, from + count)
  ctx.out.arrayHeader(to - from)
  for (let i = from; i < to; i++) {
    const id = pel.idAt(i)
    const fields = stream.get(id)
    if (fields === undefined) {
      ctx.out.arrayHeader(2)
      ctx.out.bulk(idText(id))
      ctx.out.nullArray()
      continue
    }
    writeEntry(ctx.out, id, fields)
    const nack = pel.valueAt(i)
    nack.deliveryTime = ctx.now
    nack.deliveryCount++
    log?.(claimCommand(key, groupName, group, id, nack))
  }
}

/** Logs through the running command (propagateAs) when the AOF is on. */
const commandLogger = (ctx: CommandContext): LogCommand | undefined =>
  ctx.keyspace.commandLog.enabled ? (argv) => propagateAs(ctx, argv) : undefined

/** Logs after a blocked client was served (no command of its own is running). */
const servedLogger = (ctx: CommandContext): LogCommand | undefined =>
  ctx.keyspace.commandLog.enabled ? (argv) => ctx.keyspace.commandLog.append(ctx.db.id, argv) : undefined

/** One key of a group read: the consumer (created if needed), and the key announced as changed. */
const groupConsumer = (
  ctx: CommandContext,
  stream: StreamValue,
  group: ConsumerGroup,
  key: string,
  request: ReadRequest,
  log: LogCommand | undefined
): Consumer => {
  changeUnsignalled(ctx, key)
  const [consumer, created] = consumerFor(ctx, stream, group, key, request.consumerName)
  if (created) log?.(createConsumerCommand(key, request.groupName!, request.consumerName))
  consumer.seenTime = ctx.now
  return consumer
}

/** Where a read's served streams are written before their count is known (one batch runs at a time). */
const scratch = new ReplyWriter()
/** Replies up to this size leave the scratch writer's buffer in place for the next read. */
const SCRATCH_KEPT = 64 * 1024

const read = (ctx: CommandContext, argv: ReadonlyArray<string>, isGroup: boolean): void => {
  const request = parseRead(ctx, argv, isGroup)
  if (request === undefined) return
  if (isGroup) ctx.keyspace.commandLog.preventOwnForm()
  const log = commandLogger(ctx)
  let served = 0
  scratch.protocol = ctx.out.protocol
  const inner: CommandContext = { ...ctx, out: scratch }
  try {
    for (let i = 0; i < request.keys.length; i++) {
      const key = request.keys[i]
      const stream = ctx.db.get(key, ctx.now) as StreamValue | undefined
      if (stream === undefined) continue
      let after = request.ids[i]
      let history = false
      let serve = false
      const group = request.groupName === undefined ? undefined : stream.groups.get(request.groupName)!
      if (group !== undefined) {
        if (after !== MAX_ID) serve = history = true
        else if (stream.length > 0 && stream.edgeId(false)! > group.lastId) {
          serve = true
          after = group.lastId
        }
      } else if (stream.length > 0 && stream.edgeId(false)! > after) serve = true
      if (!serve) continue
      served++
      streamHeader(inner, key)
      if (group === undefined) {
        const start = nextId(after)
        if (start === undefined) scratch.arrayHeader(0)
        else replyRange(inner, stream, start, MAX_ID, request.count, false)
        continue
      }
      const consumer = groupConsumer(ctx, stream, group, key, request, log)
      if (history) deliverHistory(inner, stream, key, request.groupName!, group, consumer, after, request.count, log)
      else deliverNew(inner, stream, key, request.groupName!, group, consumer, request.count, request.noack, log)
    }
  } finally {
    ctx.server.stats.errorReplies += scratch.errorCount
    scratch.errorCount = 0
  }
  const out = ctx.out
  if (served > 0) {
    if (out.protocol === 2) out.arrayHeader(served)
    else out.mapHeader(served)
    // Copied straight from the scratch writer; a big reply's buffer is handed over and dropped.
    const body = scratch.written()
    if (body.length <= SCRATCH_KEPT) {
      out.rawBytes(body)
      scratch.truncate(0)
    } else out.rawBytes(scratch.take())
    return
  }
  scratch.truncate(0)
  if (request.deadline === -1 || ctx.client.inExec || ctx.client.denyBlocking) return out.nullArray()
  blockRead(ctx, request)
}

/** Blocks the client until one of its streams has something past what it asked for. */
const blockRead = (ctx: CommandContext, request: ReadRequest): void => {
  const ids = request.ids
  ctx.server.blocked.block(ctx, "stream", request.keys, request.deadline, request.groupName === undefined ? "xread" : "xreadgroup", (served, key) =>
    serveBlocked(served, key, request, ids[request.keys.indexOf(key)]))
}

/** Asked each time a key the client waits on changed: answers, or returns false to keep waiting. */
const serveBlocked = (ctx: CommandContext, key: string, request: ReadRequest, after: StreamId): boolean => {
  const value = ctx.db.get(key, ctx.now)
  const groupName = request.groupName
  if (!(value instanceof StreamValue)) {
    if (groupName === undefined) return false
    ctx.out.error("UNBLOCKED the stream key no longer exists")
    return true
  }
  let group: ConsumerGroup | undefined
  if (groupName !== undefined) {
    group = value.groups.get(groupName)
    if (group === undefined) {
      ctx.out.error("NOGROUP the consumer group this client was blocked on no longer exists")
      return true
    }
    after = group.lastId
  }
  if (!(value.lastId > after)) return false
  const out = ctx.out
  if (out.protocol === 2) {
    out.arrayHeader(1)
    out.arrayHeader(2)
  } else out.mapHeader(1)
  out.bulk(key)
  if (group === undefined) {
    const start = nextId(after)
    if (start === undefined) out.arrayHeader(0)
    else replyRange(ctx, value, start, MAX_ID, request.count, false)
    return true
  }
  const log = servedLogger(ctx)
  const consumer = groupConsumer(ctx, value, group, key, request, log)
  deliverNew(ctx, value, key, groupName!, group, consumer, request.count, request.noack, log)
  return true
}

/** XREAD's and XREADGROUP's keys: after the STREAMS keyword, half of what remains. */
const streamsKeys = (startFrom: number): KeySpec => ({
  flags: ["RO", "access"],
  index: startFrom,
  begin: { kind: "keyword", keyword: "STREAMS", startFrom },
  find: { kind: "range", lastKey: -1, keyStep: 1, limit: 2 }
})

const xread = streamCommand({
  name: "xread",
  arity: -4,
  flags: ["readonly", "blocking", "movablekeys"],
  firstKey: 0,
  lastKey: 0,
  step: 0,
  keySpecs: [streamsKeys(1)],
  summary:
    "Return never seen elements in multiple streams, with IDs greater than the ones reported by the caller for each stream. Can block.",
  since: "5.0.0",
  complexity:
    "For each stream mentioned: O(N) with N being the number of elements being returned, it means that XREAD-ing with a fixed COUNT is O(1). Note that when the BLOCK option is used, XADD will pay O(M) time in order to serve the M clients blocked on the stream getting new data.",
  run: (ctx, argv) => read(ctx, argv, false)
})

const xreadgroup = streamCommand({
  name: "xreadgroup",
  arity: -7,
  flags: ["write", "blocking", "movablekeys"],
  firstKey: 0,
  lastKey: 0,
  step: 0,
  keySpecs: [streamsKeys(4)],
  summary:
    "Return new entries from a stream using a consumer group, or access the history of the pending entries for a given consumer. Can block.",
  since: "5.0.0",
  complexity:
    "For each stream mentioned: O(M) with M being the number of elements returned. If M is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1). On the other side when XREADGROUP blocks, XADD will pay the O(N) time in order to serve the N clients blocked on the stream getting new data.",
  run: (ctx, argv) => read(ctx, argv, true)
})

export const readCommands: ReadonlyArray<CommandSpec> = [xrangeCommand, xrevrangeCommand, xread, xreadgroup]
