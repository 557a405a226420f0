/**
 * The client's two failure modes, as tagged errors:
 * - `RedisReplyError`: the server answered with an error reply; `message` is its text exactly as
 *   Redis sent it (without the leading `-`), `prefix` its first word (`ERR`, `WRONGTYPE`, ...);
 * - `RedisConnectionError`: no answer can come — the connection was refused, dropped with the
 *   command in flight, the client was closed, or reconnecting gave up.
 */
import * as Data from "effect/Data"

export class RedisReplyError extends Data.TaggedError("RedisReplyError")<{
  readonly message: string
  readonly prefix: string
}> {}

/** An error reply as the client sees it: `prefix` is the text up to the first space. */
export const replyError = (text: string): RedisReplyError => {
  const space = text.indexOf(" ")
  return new RedisReplyError({ message: text, prefix: space < 0 ? text : text.slice(0, space) })
}

export type ConnectionErrorReason =
  /** Could not (re)connect: refused, unreachable, unknown host, timed out, or the handshake failed. */
  | "ConnectFailed"
  /** The connection dropped while the command was in flight: it may or may not have run. */
  | "ConnectionLost"
  /** The server sent bytes that are not RESP2; the connection was closed. */
  | "ProtocolError"
  /** The client's scope was closed. */
  | "ClientClosed"

export class RedisConnectionError extends Data.TaggedError("RedisConnectionError")<{
  readonly reason: ConnectionErrorReason
  readonly message: string
  readonly cause?: unknown
}> {}

export type RedisError = RedisReplyError | RedisConnectionError
