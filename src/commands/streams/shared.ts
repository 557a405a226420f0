/**
 * What the stream commands share: the declaration helper, lookups with Redis's type check, ID
 * arguments with Redis's error texts, and the reply shape of entries.
 */
import { WRONGTYPE } from "../../keyspace/Value.js"
import { idText, parseId, type StreamId } from "../../keyspace/values/StreamId.js"
import { type StreamBlock, StreamValue } from "../../keyspace/values/StreamValue.js"
import type { ReplyWriter } from "../../protocol/ReplyWriter.js"
import { command, type CommandContext, type CommandSpec, FIRST_KEY } from "../Command.js"
import { readKey } from "../strings/get-set.js"

type StreamCommandInput = Omit<Parameters<typeof command>[0], "group" | "aclCategories">

/** Declares a command of the stream family (its key is the first argument unless it says otherwise). */
export const streamCommand = (spec: StreamCommandInput): CommandSpec =>
  command({
    ...FIRST_KEY,
    ...spec,
    group: "stream",
    aclCategories: [
      ...(spec.flags.includes("write") ? ["write"] : spec.flags.includes("readonly") ? ["read"] : []),
      "stream",
      spec.flags.includes("fast") ? "fast" : "slow",
      ...(spec.flags.includes("blocking") ? ["blocking"] : [])
    ]
  })

export const ERR_INVALID_ID = "ERR Invalid stream ID specified as stream command argument"
export const U64_MAX = (1n << 64n) - 1n

/** Returned by the lookups after they replied WRONGTYPE. */
export const WRONG_TYPE = null

/** The stream at `key` for a command that writes: undefined when missing. */
export const streamForWrite = (ctx: CommandContext, key: string): StreamValue | undefined | typeof WRONG_TYPE => {
  const value = ctx.db.get(key, ctx.now)
  if (value === undefined || value instanceof StreamValue) return value
  ctx.out.error(WRONGTYPE)
  return WRONG_TYPE
}

/** Like `streamForWrite`, for a command that reads (a keyspace hit or miss is counted). */
export const streamForRead = (ctx: CommandContext, key: string): StreamValue | undefined | typeof WRONG_TYPE => {
  const value = readKey(ctx, key)
  if (value === undefined || value instanceof StreamValue) return value
  ctx.out.error(WRONGTYPE)
  return WRONG_TYPE
}

/** A new empty stream with the server's node limits. */
export const newStream = (ctx: CommandContext): StreamValue =>
  new StreamValue(ctx.server.config.streamNodeMaxEntries, ctx.server.config.streamNodeMaxBytes)

/** A strict ID (no `-` / `+`), or undefined after replying the error. */
export const strictIdOrReply = (ctx: CommandContext, text: string, missingSeq = 0n): StreamId | undefined => {
  const parsed = parseId(text, missingSeq, true)
  if (parsed === undefined) return void ctx.out.error(ERR_INVALID_ID)
  return parsed.id
}

/** An ID where `-` and `+` mean the smallest and largest, or undefined after replying the error. */
export const idOrReply = (ctx: CommandContext, text: string, missingSeq: bigint): StreamId | undefined => {
  const parsed = parseId(text, missingSeq, false)
  if (parsed === undefined) return void ctx.out.error(ERR_INVALID_ID)
  return parsed.id
}

/** One entry as Redis replies it: [id, [field, value, ...]]. */
export const writeEntry = (out: ReplyWriter, id: StreamId, fields: ReadonlyArray<string>): void => {
  out.arrayHeader(2)
  out.bulk(idText(id))
  out.arrayHeader(fields.length)
  for (let i = 0; i < fields.length; i++) out.bulk(fields[i])
}

/** An array reply of `map`'s entries (groups, consumers) in Redis's rax order (bytewise), each by `write`. */
export const writeSorted = <V>(
  out: ReplyWriter,
  map: ReadonlyMap<string, V>,
  write: (name: string, value: V) => void
): void => {
  const names = [...map.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  out.arrayHeader(names.length)
  for (const name of names) write(name, map.get(name)!)
}

/**
 * Announces a change of the stream at `key` that Redis does not signal (groups, consumers, PELs,
 * XSETID): counted as a write (AOF, save points), invisible to WATCH.
 */
export const changeUnsignalled = (ctx: CommandContext, key: string): void => {
  ctx.db.prepareInPlace(key)
  ctx.keyspace.stats.dirty++
}

/** An argument as C's `%s` prints it in an error: up to its first NUL byte. */
export const cText = (text: string): string => {
  const nul = text.indexOf("\0")
  return nul === -1 ? text : text.slice(0, nul)
}

/** Entry i of a block as Redis replies it, written from the block's packed bytes. */
export const writeBlockEntry = (out: ReplyWriter, block: StreamBlock, i: number): void => block.writeEntry(out, i)
