/**
 * The replies and messages of pub/sub, spelled as pushes (`pushHeader`: RESP2 arrays, RESP3
 * pushes), exactly as Redis 7.0 writes them:
 * - `subscribe` / `psubscribe` / `ssubscribe` and their `un` forms, the channel or pattern (a null
 *   bulk for an UNSUBSCRIBE with nothing to leave) and the connection's subscription count;
 * - `message` (`smessage` for a shard channel), channel, payload; `pmessage`, pattern, channel,
 *   payload.
 */
import type { ReplyWriter } from "../protocol/ReplyWriter.js"

export type SubscriptionKind =
  | "subscribe"
  | "unsubscribe"
  | "psubscribe"
  | "punsubscribe"
  | "ssubscribe"
  | "sunsubscribe"

export const writeSubscription = (
  out: ReplyWriter,
  kind: SubscriptionKind,
  name: string | undefined,
  count: number
): void => {
  out.pushHeader(3)
  out.bulk(kind)
  out.bulkOrNull(name)
  out.integer(count)
}

export const writeMessage = (out: ReplyWriter, channel: string, message: string): void => {
  out.pushHeader(3)
  out.raw("$7\r\nmessage\r\n")
  out.bulk(channel)
  out.bulk(message)
}

export const writeShardMessage = (out: ReplyWriter, channel: string, message: string): void => {
  out.pushHeader(3)
  out.raw("$8\r\nsmessage\r\n")
  out.bulk(channel)
  out.bulk(message)
}

export const writePatternMessage = (out: ReplyWriter, pattern: string, channel: string, message: string): void => {
  out.pushHeader(4)
  out.raw("$8\r\npmessage\r\n")
  out.bulk(pattern)
  out.bulk(channel)
  out.bulk(message)
}
