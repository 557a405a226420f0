/**
 * Pending entries: XPENDING (summary and extended, with IDLE), XCLAIM and XAUTOCLAIM (Redis
 * 7.0's xpendingCommand, xclaimCommand, xautoclaimCommand). Claims are logged for the AOF as
 * Redis propagates them: one `XCLAIM ... TIME t RETRYCOUNT n FORCE JUSTID LASTID id` per NACK
 * changed (or dropped because its entry is gone), so replay sets each NACK exactly.
 */
import { ERR_SYNTAX, isKeyword, LONG_MAX, parseInteger, rangeLong } from "../../protocol/arguments.js"
import { type CommandContext, type CommandSpec, propagateAs } from "../Command.js"
import { keyAt } from "../../protocol/key-specs.js"
import { idText, nextId, parseId, previousId, type StreamId, ZERO_ID } from "../../keyspace/values/StreamId.js"
import { type Consumer, type Nack, StreamValue } from "../../keyspace/values/StreamValue.js"
import { claimCommand, consumerFor, createConsumerCommand, removeNack, setIdCommand } from "./groups-state.js"
import { ERR_INVALID_ID, idOrReply, streamCommand, strictIdOrReply, streamForRead, streamForWrite, WRONG_TYPE, writeEntry, changeUnsignalled, cText } from "./shared.js"

const noGroup = (ctx: CommandContext, argv: ReadonlyArray<string>): void =>
  ctx.out.error(`NOGROUP No such key '${cText(argv[1])}' or consumer group '${cText(argv[2])}'`)

/** A long long argument, or undefined after replying `message` (Redis's default when absent). */
const longOrReply = (ctx: CommandContext, text: string, message = "ERR value is not an integer or out of range"): number | undefined => {
  const value = parseInteger(text)
  if (value === undefined) return void ctx.out.error(message)
  return typeof value === "bigint" ? (value > 0n ? Number.MAX_SAFE_INTEGER : -Number.MAX_SAFE_INTEGER) : value
}

/** An interval bound with `(` for exclusive, adjusted; undefined after replying the error. */
const boundOrReply = (ctx: CommandContext, text: string, start: boolean): StreamId | undefined => {
  const exclusive = text.length > 1 && text.charCodeAt(0) === 40
  const missingSeq = start ? 0n : (1n << 64n) - 1n
  const id = exclusive ? strictIdOrReply(ctx, text.slice(1), missingSeq) : idOrReply(ctx, text, missingSeq)
  if (id === undefined || !exclusive) return id
  const moved = start ? nextId(id) : previousId(id)
  if (moved === undefined) ctx.out.error(start ? "ERR invalid start ID for the interval" : "ERR invalid end ID for the interval")
  return moved
}

const xpending = streamCommand({
  name: "xpending",
  arity: -3,
  flags: ["readonly"],
  tips: ["nondeterministic_output"],
  keySpecs: [keyAt(1, "RO", "access")],
  summary:
    "Return information and entries from a stream consumer group pending entries list, that are messages fetched but never acknowledged.",
  since: "5.0.0",
  complexity:
    "O(N) with N being the number of elements returned, so asking for a small fixed number of entries per call is O(1). O(M), where M is the total number of entries scanned when used with the IDLE filter. When the command returns just the summary and the list of consumers is small, it runs in O(1) time; otherwise, an additional O(N) time for iterating every consumer.",
  run: (ctx, argv) => {
    const argc = argv.length
    if (argc !== 3 && (argc < 6 || argc > 9)) return ctx.out.error(ERR_SYNTAX)
    let minIdle = 0
    let count = 0
    let start = ZERO_ID
    let end = ZERO_ID
    let consumerName: string | undefined
    if (argc >= 6) {
      let at = 3
      if (isKeyword(argv[3], "IDLE")) {
        const idle = longOrReply(ctx, argv[4])
        if (idle === undefined) return
        minIdle = idle
        if (argc < 8) return ctx.out.error(ERR_SYNTAX)
        at += 2
      }
      const parsedCount = longOrReply(ctx, argv[at + 2])
      if (parsedCount === undefined) return
      count = parsedCount < 0 ? 0 : parsedCount
      const parsedStart = boundOrReply(ctx, argv[at], true)
      if (parsedStart === undefined) return
      const parsedEnd = boundOrReply(ctx, argv[at + 1], false)
      if (parsedEnd === undefined) return
      start = parsedStart
      end = parsedEnd
      if (at + 3 < argc) consumerName = argv[at + 3]
    }
    const stream = streamForRead(ctx, argv[1])
    if (stream === WRONG_TYPE) return
    const group = stream?.groups.get(argv[2])
    if (stream === undefined || group === undefined) return noGroup(ctx, argv)
    const out = ctx.out
    if (argc === 3) {
      out.arrayHeader(4)
      out.integer(group.pel.size)
      if (group.pel.size === 0) {
        out.nullBulk()
        out.nullBulk()
        out.nullArray()
        return
      }
      out.bulk(idText(group.pel.first()!))
      out.bulk(idText(group.pel.last()!))
      const names = [...group.consumers.keys()].sort(byteOrder).filter((name) => group.consumers.get(name)!.pel.size > 0)
      out.arrayHeader(names.length)
      for (const name of names) {
        out.arrayHeader(2)
        out.bulk(name)
        out.bulk(String(group.consumers.get(name)!.pel.size))
      }
      return
    }
    let pel = group.pel
    if (consumerName !== undefined) {
      const consumer = group.consumers.get(consumerName)
      if (consumer === undefined) return out.arrayHeader(0)
      pel = consumer.pel
    }
    const rows: Array<[StreamId, Nack]> = []
    for (let i = pel.lowerBound(start); count > 0 && i < pel.size; i++) {
      const id = pel.idAt(i)
      if (id > end) break
      const nack = pel.valueAt(i)
      if (minIdle !== 0 && ctx.now - nack.deliveryTime < minIdle) continue
      rows.push([id, nack])
      count--
    }
    out.arrayHeader(rows.length)
    for (const [id, nack] of rows) {
      out.arrayHeader(4)
      out.bulk(idText(id))
      out.bulk(nack.consumer.name)
      out.integer(Math.max(0, ctx.now - nack.deliveryTime))
      out.integer(nack.deliveryCount)
    }
  }
})

const byteOrder = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

/** Moves a NACK to `consumer` with its new delivery time and count (XCLAIM, XAUTOCLAIM). */
const claimNack = (consumer: Consumer, id: StreamId, nack: Nack, deliveryTime: number, deliveryCount: number | undefined): void => {
  if (nack.consumer !== consumer) {
    nack.consumer.pel.delete(id)
    consumer.pel.insert(id, nack)
    nack.consumer = consumer
  }
  nack.deliveryTime = deliveryTime
  if (deliveryCount !== undefined) nack.deliveryCount = deliveryCount
}

const xclaim = streamCommand({
  name: "xclaim",
  arity: -6,
  flags: ["write", "fast"],
  tips: ["nondeterministic_output"],
  keySpecs: [keyAt(1, "RW", "update")],
  summary:
    "Changes (or acquires) ownership of a message in a consumer group, as if the message was delivered to the specified consumer.",
  since: "5.0.0",
  complexity: "O(log N) with N being the number of messages in the PEL of the consumer group.",
  run: (ctx, argv) => {
    const key = argv[1]
    const stream = streamForWrite(ctx, key)
    if (stream === WRONG_TYPE) return
    const group = stream?.groups.get(argv[2])
    if (stream === undefined || group === undefined) return noGroup(ctx, argv)
    let minIdle = longOrReply(ctx, argv[4], "ERR Invalid min-idle-time argument for XCLAIM")
    if (minIdle === undefined) return
    if (minIdle < 0) minIdle = 0
    const ids: Array<StreamId> = []
    let j = 5
    for (; j < argv.length; j++) {
      const parsed = parseId(argv[j], 0n, true)
      if (parsed === undefined) break
      ids.push(parsed.id)
    }
    const now = ctx.now
    let deliveryTime = -1
    let retryCount = -1
    let force = false
    let justId = false
    let lastId = ZERO_ID
    for (; j < argv.length; j++) {
      const more = argv.length - 1 - j
      const opt = argv[j]
      if (isKeyword(opt, "FORCE")) force = true
      else if (isKeyword(opt, "JUSTID")) justId = true
      else if (isKeyword(opt, "IDLE") && more > 0) {
        const idle = longOrReply(ctx, argv[++j], "ERR Invalid IDLE option argument for XCLAIM")
        if (idle === undefined) return
        deliveryTime = now - idle
      } else if (isKeyword(opt, "TIME") && more > 0) {
        const time = longOrReply(ctx, argv[++j], "ERR Invalid TIME option argument for XCLAIM")
        if (time === undefined) return
        deliveryTime = time
      } else if (isKeyword(opt, "RETRYCOUNT") && more > 0) {
        const retries = longOrReply(ctx, argv[++j], "ERR Invalid RETRYCOUNT option argument for XCLAIM")
        if (retries === undefined) return
        retryCount = retries
      } else if (isKeyword(opt, "LASTID") && more > 0) {
        const parsed = parseId(argv[++j], 0n, true)
        if (parsed === undefined) return ctx.out.error(ERR_INVALID_ID)
        lastId = parsed.id
      } else return ctx.out.error(`ERR Unrecognized XCLAIM option '${cText(opt)}'`)
    }
    ctx.keyspace.commandLog.preventOwnForm()
    const logging = ctx.keyspace.commandLog.enabled
    // Undefined when the AOF is off: the commands are then not even built.
    const log = logging ? (command: ReadonlyArray<string>): void => propagateAs(ctx, command) : undefined
    let changed = false
    const change = (): void => {
      if (!changed) changeUnsignalled(ctx, key)
      changed = true
    }
    let propagateLastId = false
    if (lastId > group.lastId) {
      change()
      group.lastId = lastId
      propagateLastId = true
    }
    if (deliveryTime === -1 || deliveryTime < 0 || deliveryTime > now) deliveryTime = now
    let consumer: Consumer | undefined
    let createdConsumer = false
    const claimed: Array<StreamId> = []
    for (const id of ids) {
      let nack = group.pel.get(id)
      if (!stream.has(id)) {
        if (nack !== undefined) {
          change()
          log?.(claimCommand(key, argv[2], group, id, nack))
          propagateLastId = false
          removeNack(stream, group, id)
        }
        continue
      }
      // FORCE makes a NACK for an entry no one had: it has no owner yet, so no idle check.
      const forced = force && nack === undefined
      if (nack === undefined && !forced) continue
      if (!forced && minIdle !== 0 && now - nack!.deliveryTime < minIdle) continue
      change()
      if (consumer === undefined) {
        const [found, created] = consumerFor(ctx, stream, group, key, argv[3])
        consumer = found
        consumer.seenTime = now
        createdConsumer = created
      }
      if (nack === undefined) {
        nack = { consumer, deliveryTime: now, deliveryCount: 1 }
        group.pel.insert(id, nack)
        consumer.pel.insert(id, nack)
        stream.account(StreamValue.NACK_BYTES)
      }
      const count = retryCount >= 0 ? retryCount : justId ? nack.deliveryCount : nack.deliveryCount + 1
      claimNack(consumer, id, nack, deliveryTime, count)
      claimed.push(id)
      log?.(claimCommand(key, argv[2], group, id, nack))
      propagateLastId = false
    }
    if (propagateLastId) log?.(setIdCommand(key, argv[2], group))
    if (createdConsumer && claimed.length === 0) log?.(createConsumerCommand(key, argv[2], argv[3]))
    ctx.out.arrayHeader(claimed.length)
    for (const id of claimed) replyClaimedEntry(ctx, stream, id, justId)
  }
})

const xautoclaim = streamCommand({
  name: "xautoclaim",
  arity: -6,
  flags: ["write", "fast"],
  tips: ["nondeterministic_output"],
  keySpecs: [keyAt(1, "RW", "delete")],
  summary:
    "Changes (or acquires) ownership of messages in a consumer group, as if the messages were delivered to the specified consumer.",
  since: "6.2.0",
  complexity: "O(1) if COUNT is small.",
  run: (ctx, argv) => {
    const key = argv[1]
    let minIdle = longOrReply(ctx, argv[4], "ERR Invalid min-idle-time argument for XAUTOCLAIM")
    if (minIdle === undefined) return
    if (minIdle < 0) minIdle = 0
    const start = boundOrReply(ctx, argv[5], true)
    if (start === undefined) return
    let count = 100
    let justId = false
    for (let j = 6; j < argv.length; j++) {
      const more = argv.length - 1 - j
      if (isKeyword(argv[j], "COUNT") && more > 0) {
        const parsed = rangeLong(argv[j + 1], 1n, LONG_MAX / 16n, "ERR COUNT must be > 0")
        if (typeof parsed === "string") return ctx.out.error(parsed)
        count = parsed
        j++
      } else if (isKeyword(argv[j], "JUSTID")) justId = true
      else return ctx.out.error(ERR_SYNTAX)
    }
    const stream = streamForWrite(ctx, key)
    if (stream === WRONG_TYPE) return
    const group = stream?.groups.get(argv[2])
    if (stream === undefined || group === undefined) return noGroup(ctx, argv)
    ctx.keyspace.commandLog.preventOwnForm()
    const logging = ctx.keyspace.commandLog.enabled
    const now = ctx.now
    let attempts = count * 10
    const pel = group.pel
    let at = pel.lowerBound(start)
    const claimed: Array<StreamId> = []
    const deleted: Array<StreamId> = []
    let consumer: Consumer | undefined
    let changed = false
    while (attempts-- > 0 && count > 0 && at < pel.size) {
      const id = pel.idAt(at)
      const nack = pel.valueAt(at)
      if (!stream.has(id)) {
        if (!changed) changeUnsignalled(ctx, key)
        changed = true
        if (logging) propagateAs(ctx, claimCommand(key, argv[2], group, id, nack))
        removeNack(stream, group, id)
        deleted.push(id)
        count--
        continue
      }
      at++
      if (minIdle !== 0 && now - nack.deliveryTime < minIdle) continue
      if (!changed) changeUnsignalled(ctx, key)
      changed = true
      if (consumer === undefined) {
        consumer = consumerFor(ctx, stream, group, key, argv[3])[0]
        consumer.seenTime = now
      }
      claimNack(consumer, id, nack, now, justId ? undefined : nack.deliveryCount + 1)
      claimed.push(id)
      count--
      if (logging) propagateAs(ctx, claimCommand(key, argv[2], group, id, nack))
    }
    const out = ctx.out
    out.arrayHeader(3)
    out.bulk(idText(at < pel.size ? pel.idAt(at) : ZERO_ID))
    out.arrayHeader(claimed.length)
    for (const id of claimed) replyClaimedEntry(ctx, stream, id, justId)
    out.arrayHeader(deleted.length)
    for (const id of deleted) out.bulk(idText(id))
  }
})

const replyClaimedEntry = (ctx: CommandContext, stream: StreamValue, id: StreamId, justId: boolean): void => {
  if (justId) return ctx.out.bulk(idText(id))
  const fields = stream.get(id)
  if (fields === undefined) ctx.out.nullBulk()
  else writeEntry(ctx.out, id, fields)
}

export const pendingCommands: ReadonlyArray<CommandSpec> = [xpending, xclaim, xautoclaim]
