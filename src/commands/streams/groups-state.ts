/**
 * Changing consumer groups the way Redis's t_stream.c does, shared by XREADGROUP, XCLAIM,
 * XAUTOCLAIM, XACK and XGROUP: consumers created with their event, NACKs added, moved and
 * removed in both PELs (the group's and the consumer's) with the memory estimate kept, and the
 * commands that replay a delivery exactly (streamPropagateXCLAIM, streamPropagateGroupID).
 */
import { notify, NotifyType } from "../../pubsub/notify.js"
import { decimalText, idText, type StreamId } from "../../keyspace/values/StreamId.js"
import { Consumer, type ConsumerGroup, type Nack, StreamValue } from "../../keyspace/values/StreamValue.js"
import type { CommandContext } from "../Command.js"

/** Logs a command for the AOF (the command's own replacement, or after a served wait). */
export type LogCommand = (argv: ReadonlyArray<string>) => void

/** The consumer `name` of `group`, created (with Redis's xgroup-createconsumer event) when missing. */
export const consumerFor = (
  ctx: CommandContext,
  stream: StreamValue,
  group: ConsumerGroup,
  key: string,
  name: string
): [consumer: Consumer, created: boolean] => {
  const found = group.consumers.get(name)
  if (found !== undefined) return [found, false]
  const consumer = new Consumer(name, ctx.now)
  group.consumers.set(name, consumer)
  stream.account(StreamValue.CONSUMER_BYTES + name.length)
  notify(ctx, NotifyType.Stream, "xgroup-createconsumer", key)
  return [consumer, true]
}

/** Removes a consumer and its pending entries; how many it had. */
export const deleteConsumer = (stream: StreamValue, group: ConsumerGroup, consumer: Consumer): number => {
  const pending = consumer.pel.size
  for (const [id] of consumer.pel.entries()) group.pel.delete(id)
  group.consumers.delete(consumer.name)
  stream.account(-(StreamValue.CONSUMER_BYTES + consumer.name.length + pending * StreamValue.NACK_BYTES))
  return pending
}

/**
 * Delivers `id` to `consumer` (a new NACK, or the existing one moved to it with its count reset
 * to 1), as streamReplyWithRange does for `>` reads.
 */
export const assignNack = (stream: StreamValue, group: ConsumerGroup, consumer: Consumer, id: StreamId, now: number): Nack => {
  const existing = group.pel.get(id)
  if (existing === undefined) {
    const nack: Nack = { consumer, deliveryTime: now, deliveryCount: 1 }
    group.pel.insert(id, nack)
    consumer.pel.insert(id, nack)
    stream.account(StreamValue.NACK_BYTES)
    return nack
  }
  existing.consumer.pel.delete(id)
  existing.consumer = consumer
  existing.deliveryTime = now
  existing.deliveryCount = 1
  consumer.pel.insert(id, existing)
  return existing
}

/** Removes the NACK of `id` from both PELs (XACK, a claim of a deleted entry). */
export const removeNack = (stream: StreamValue, group: ConsumerGroup, id: StreamId): boolean => {
  const nack = group.pel.get(id)
  if (nack === undefined) return false
  group.pel.delete(id)
  nack.consumer.pel.delete(id)
  stream.account(-StreamValue.NACK_BYTES)
  return true
}

/** streamPropagateXCLAIM: the XCLAIM that sets this NACK exactly as it is. */
export const claimCommand = (key: string, groupName: string, group: ConsumerGroup, id: StreamId, nack: Nack): Array<string> => [
  "XCLAIM", key, groupName, nack.consumer.name, "0", idText(id),
  "TIME", decimalText(nack.deliveryTime), "RETRYCOUNT", String(nack.deliveryCount),
  "FORCE", "JUSTID", "LASTID", idText(group.lastId)
]

/** streamPropagateGroupID: the XGROUP SETID that sets the group's last ID and read counter. */
export const setIdCommand = (key: string, groupName: string, group: ConsumerGroup): Array<string> => [
  "XGROUP", "SETID", key, groupName, idText(group.lastId), "ENTRIESREAD", String(group.entriesRead)
]

/** Propagating a consumer's creation (Redis 7.0 propagates nothing for it; replay needs it). */
export const createConsumerCommand = (key: string, groupName: string, consumer: string): Array<string> => [
  "XGROUP", "CREATECONSUMER", key, groupName, consumer
]
