/**
 * What the server knows about one connected client: identity for CLIENT LIST / ID / KILL, its
 * selected database, and the flags commands set for the connection (close after this reply).
 * Plain mutable data owned by the connection; commands read and write it synchronously.
 */
import type { Subscriber } from "../pubsub/Subscriber.js"

export class ClientState {
  name = ""
  libName = ""
  libVersion = ""
  /** Index of the selected database (SELECT). */
  db = 0
  /** Protocol version chosen by HELLO (only 2 until RESP3 lands). */
  protocol = 2
  /** Last command's name, lower case (CLIENT LIST's `cmd`). */
  lastCommand = "NULL"
  /**
   * A client on a network connection: the admission checks (NOAUTH, maxmemory) apply to it. The
   * AOF loader and in-process runners are trusted, as Redis's loading client skips processCommand.
   */
  remote = false
  /** May run commands other than AUTH, HELLO, QUIT and RESET (see src/server/Authentication.ts). */
  authenticated = false
  /** Set by QUIT, CLIENT KILL of oneself, or a protocol error: flush the replies, then close. */
  closeAfterReply = false
  /** Unix ms of the last command (idle time for CLIENT LIST and `--timeout`). */
  lastInteractionAt: number
  /** Bytes received but not yet parsed, and replies not yet flushed (kept by the connection). */
  queryBufferBytes = 0
  outputBufferBytes = 0
  /** Unix ms since the unsent replies have been at or above the normal soft output limit (-1: not). */
  outputSoftLimitSince = -1
  /** Pub/sub state, from the first SUBSCRIBE or PSUBSCRIBE on (src/pubsub/Subscriber.ts). */
  pubsub: Subscriber | undefined = undefined
  /** Bytes handed to the socket and not yet sent (set by the connection; pub/sub limits read it). */
  unsentBytes: () => number = () => 0
  /** Tells the connection fiber that pub/sub messages wait in `pubsub.outbox` (set by the connection). */
  wakeWriter: () => void = () => {}

  constructor(
    readonly id: number,
    /** `ip:port` of the peer and of our end, as CLIENT LIST shows them. */
    readonly address: string,
    readonly localAddress: string,
    readonly createdAt: number,
    /** Closes the connection at once (CLIENT KILL from another client, shutdown stragglers). */
    readonly kill: () => void
  ) {
    this.lastInteractionAt = createdAt
  }
}
