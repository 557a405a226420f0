/**
 * The client's edge to `node:net`: opening a TCP connection as an Effect. A connection that cannot
 * be made fails with a `RedisConnectionError` worded like redis-cli's ("Could not connect to Redis
 * at 127.0.0.1:6379: Connection refused"), so the CLI can print it as it is.
 *
 * `@effect/platform`'s Socket is not used: it forks a fiber per chunk, which can reorder the
 * chunks of pipelined replies. Here Node's 'data' callbacks feed the parser directly, in order.
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as net from "node:net"
import { RedisConnectionError } from "./errors.js"

export interface SocketAddress {
  readonly host: string
  readonly port: number
}

/** The strerror() texts redis-cli prints, for the errors a connect commonly meets. */
const describeErrorCode: Record<string, string> = {
  ECONNREFUSED: "Connection refused",
  ECONNRESET: "Connection reset by peer",
  ETIMEDOUT: "Connection timed out",
  EHOSTUNREACH: "No route to host",
  ENETUNREACH: "Network is unreachable",
  ENOTFOUND: "Name or service not known",
  EAI_AGAIN: "Temporary failure in name resolution"
}

export const describeSocketError = (error: unknown): string => {
  const code = (error as NodeJS.ErrnoException | undefined)?.code
  return (code !== undefined ? describeErrorCode[code] : undefined) ?? (error instanceof Error ? error.message : String(error))
}

const connectFailed = (address: SocketAddress, detail: string, cause?: unknown): RedisConnectionError =>
  new RedisConnectionError({
    reason: "ConnectFailed",
    message: `Could not connect to Redis at ${address.host}:${address.port}: ${detail}`,
    cause
  })

/**
 * Opens a TCP connection (Nagle off: commands are already batched per tick). Interrupting the
 * Effect destroys the half-open socket. The caller owns the socket once it succeeds.
 */
export const openSocket = (
  address: SocketAddress,
  timeout: Duration.Input
): Effect.Effect<net.Socket, RedisConnectionError> =>
  Effect.callback<net.Socket, RedisConnectionError>((resume) => {
    const socket = net.connect({ host: address.host, port: address.port, noDelay: true })
    const timer = setTimeout(() => {
      socket.destroy()
      resume(Effect.fail(connectFailed(address, "Connection timed out")))
    }, Duration.toMillis(Duration.fromInputUnsafe(timeout)))
    const onError = (error: Error) => {
      clearTimeout(timer)
      socket.destroy()
      resume(Effect.fail(connectFailed(address, describeSocketError(error), error)))
    }
    socket.once("error", onError)
    socket.once("connect", () => {
      clearTimeout(timer)
      socket.off("error", onError)
      // 'error' is always followed by 'close', which the owner handles; until it listens, this
      // keeps an early reset from being an unhandled 'error' event.
      socket.on("error", () => {})
      resume(Effect.succeed(socket))
    })
    return Effect.sync(() => {
      clearTimeout(timer)
      socket.destroy()
    })
  })
