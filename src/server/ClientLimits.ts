/**
 * Per-client memory bounds, checked by the connection after every batch.
 *
 * - Query buffer: a client whose incomplete command (bytes not yet parsed plus the arguments
 *   already taken from it) passes `client-query-buffer-limit` is closed without a reply, and a
 *   warning names it, as Redis 7.0 does ("Closing client that reached max query buffer length").
 *   Redis bounds only its query buffer, where a big argument being read sits, not the arguments
 *   of the command already parsed; we count both, so a command cannot grow past the limit by
 *   arriving as many arguments. A single bulk is bounded first by proto-max-bulk-len (the parser
 *   refuses a longer declared length before reading it).
 * - Output buffer, class `normal` of `client-output-buffer-limit` (pub/sub subscribers are the
 *   hub's, src/pubsub/Hub.ts): a client whose unsent replies reach the hard limit, or stay at or
 *   above the soft limit for longer than its seconds, is closed at once (Redis's
 *   checkClientOutputBufferLimits). The default, 0 0 0, is no limit; then the connection's
 *   backpressure bounds what a client that does not read can hold: past OUTPUT_HIGH_WATER (4 MB)
 *   unsent bytes it is not read from, so its replies stop growing at about 4 MB plus the replies
 *   of the batch that crossed it. A hard limit under 4 MB closes the client before backpressure
 *   would pause it: a batch then stops at the limit (`outputBatchLimit`), so the client holds at
 *   most the limit plus one reply when it is closed.
 */
import type { RuntimeConfig } from "../config/RuntimeConfig.js"
import type { ParserLimits, RequestParser } from "../protocol/Parser.js"
import { describeClient } from "../commands/server/client.js"
import type { ClientState } from "../session/ClientState.js"

/**
 * Where a batch stops running commands for `client` (in reply bytes, unsent ones included): the
 * connection's high water, or the normal class's hard limit when lower, so that a client about to
 * pass it is closed with at most one reply more than the limit.
 */
export const outputBatchLimit = (config: RuntimeConfig, client: ClientState, highWater: number): number => {
  const hard = config.outputBufferLimits.normal.hard
  return hard > 0 && hard < highWater && client.pubsub?.subscribed !== true ? hard : highWater
}

/** The parser's limits for `client`: proto-max-bulk-len, and the tighter ones before AUTH. */
export const parserLimits = (config: RuntimeConfig, client: ClientState): ParserLimits => ({
  get maxBulkLength() {
    return config.protoMaxBulkLen
  },
  get unauthenticated() {
    // A client not yet in runs as the default user: it must log in when that user needs a password.
    const user = client.user
    return !client.authenticated && (user === undefined ? config.requirepass !== "" : !user.nopass || !user.enabled)
  }
})

/** Redis's `sdscatrepr`: a quoted text with C escapes and \xHH for other non-printable bytes. */
export const reprBytes = (bytes: string): string => {
  let text = "\""
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes.charCodeAt(i)
    if (c === 0x5c || c === 0x22) text += `\\${bytes[i]}`
    else if (c === 0x0a) text += "\\n"
    else if (c === 0x0d) text += "\\r"
    else if (c === 0x09) text += "\\t"
    else if (c === 0x07) text += "\\a"
    else if (c === 0x08) text += "\\b"
    else if (c >= 0x20 && c < 0x7f) text += bytes[i]
    else text += `\\x${c.toString(16).padStart(2, "0")}`
  }
  return `${text}"`
}

/**
 * The warning to log when `client`'s incomplete command holds more than client-query-buffer-limit,
 * else undefined. The line shows the first 64 bytes not yet parsed, as Redis's does.
 */
export const queryBufferOverflow = (
  config: RuntimeConfig,
  client: ClientState,
  parser: RequestParser,
  now: number
): string | undefined => {
  if (parser.incompleteBytes <= config.clientQueryBufferLimit) return undefined
  // The bytes of an AUTH or HELLO could be a password: not in our logs (Redis would show them).
  const name = parser.incompleteCommandName()?.toLowerCase()
  const initial = name === "auth" || name === "hello" ? "(hidden: AUTH arguments)" : reprBytes(parser.peekPending(64))
  return `Closing client that reached max query buffer length: ${describeClient(client, now)} (qbuf initial bytes: ${initial})`
}

/**
 * The warning to log when `client`, with `unsent` reply bytes, is past its output buffer limit
 * (class normal), else undefined. Keeps the time the soft limit was first reached in `client`.
 */
export const outputBufferOverflow = (
  config: RuntimeConfig,
  client: ClientState,
  unsent: number,
  now: number
): string | undefined => {
  if (client.pubsub?.subscribed === true) return undefined
  const limit = config.outputBufferLimits.normal
  let reached = limit.hard > 0 && unsent >= limit.hard
  if (limit.soft > 0 && unsent >= limit.soft) {
    if (client.outputSoftLimitSince < 0) client.outputSoftLimitSince = now
    // Whole seconds, as Redis counts them with its unixtime.
    else if (Math.floor(now / 1000) - Math.floor(client.outputSoftLimitSince / 1000) > limit.softSeconds) reached = true
  } else {
    client.outputSoftLimitSince = -1
  }
  if (!reached) return undefined
  return `Client ${describeClient(client, now)} scheduled to be closed ASAP for overcoming of output buffer limits.`
}
