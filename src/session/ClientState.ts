/**
 * What the server knows about one connected client: identity for CLIENT LIST / ID / KILL, its
 * selected database, and the flags commands set for the connection (close after this reply), its
 * transaction (MULTI), the keys it WATCHes and the wait it is blocked in (BLPOP and friends).
 * Plain mutable data owned by the connection; commands read and write it synchronously. Its pub/sub
 * side (`Subscriber`) and its watched keys (`WatchedKey`) are here too: they point back at it.
 */
import type { Database } from "../keyspace/Database.js"
import type { AclUser } from "../acl/User.js"
import type { TrackingState } from "./TrackingState.js"
import type { KeyWait } from "./KeyWaits.js"
import type { Transaction } from "./Transaction.js"

export class ClientState {
  name = ""
  libName = ""
  libVersion = ""
  /** Index of the selected database (SELECT). */
  db = 0
  /** Protocol version chosen by HELLO: 2 or 3. */
  protocol = 2
  /** Last command's name, lower case (CLIENT LIST's `cmd`). */
  lastCommand = "NULL"
  /**
   * A client on a network connection: the admission checks (NOAUTH, maxmemory) apply to it. The
   * AOF loader and in-process runners are trusted, as Redis's loading client skips processCommand.
   */
  remote = false
  /** May run commands other than AUTH, HELLO, QUIT and RESET (see src/session/Authentication.ts). */
  authenticated = false
  /** CLIENT TRACKING's options while tracking is on (src/tracking/Tracking.ts). */
  tracking: TrackingState | undefined = undefined
  /** The ACL user it runs as (undefined: a trusted in-process client, which may run anything). */
  user: AclUser | undefined = undefined
  /** Set by QUIT, CLIENT KILL of oneself, or a protocol error: flush the replies, then close. */
  closeAfterReply = false
  /** Unix ms of the last command (idle time for CLIENT LIST and `--timeout`). */
  lastInteractionAt: number
  /** Bytes received but not yet parsed, and replies not yet flushed (kept by the connection). */
  queryBufferBytes = 0
  outputBufferBytes = 0
  /** Unix ms since the unsent replies have been at or above the normal soft output limit (-1: not). */
  outputSoftLimitSince = -1
  /** Pub/sub state, from the first SUBSCRIBE or PSUBSCRIBE on (`Subscriber` below). */
  pubsub: Subscriber | undefined = undefined
  /**
   * Reply bytes not yet sent, as Redis's output buffer limits count them (past its 16 KB static
   * reply buffer; see SocketOutput.buffered). Set by the connection; the pub/sub, MONITOR and
   * replica limits read it, and so does a snapshot transfer's backpressure.
   */
  unsentBytes: () => number = () => 0
  /** Tells the connection fiber that pub/sub messages wait in `pubsub.outbox` (set by the connection). */
  wakeWriter: () => void = () => {}
  /** Between MULTI and EXEC / DISCARD: the queued commands (Redis's CLIENT_MULTI). */
  transaction: Transaction | undefined = undefined
  /** EXEC is running the queued commands: blocking commands answer at once (CLIENT_DENY_BLOCKING). */
  inExec = false
  /** Blocking commands never wait for this client (the AOF loader's). */
  denyBlocking = false
  /** The keys WATCH registered, until EXEC, DISCARD, UNWATCH or a change to one of them. */
  watching: Array<WatchedKey> = []
  /** A watched key changed since WATCH: the next EXEC fails (Redis's CLIENT_DIRTY_CAS). */
  watchTouched = false
  /** The wait a blocking command left this client in (Redis's CLIENT_BLOCKED), until served or released. */
  blocked: KeyWait<ClientState> | undefined = undefined
  /** The reply that ended the last wait (served, timed out, unblocked), for the connection to send. */
  unblockedReply: Buffer | undefined = undefined
  /** Whether the connection is gone, or going (killed): nothing is popped for such a client. */
  isClosed: () => boolean = () => false
  /** Wakes the connection fiber when its wait ends (set by the connection). */
  wakeBlocked: () => void = () => {}
  /** In MONITOR mode (MONITOR in src/commands/server/observability.ts): sees every command, may not touch keys. */
  monitor = false
  /** CLIENT REPLY: "on", "off", or "skip" (the next command's reply is dropped). See src/observability/ReplyMode.ts. */
  replyMode: "on" | "off" | "skip" | "skip-next" = "on"
  /** CLIENT NO-EVICT on (Redis's CLIENT_NO_EVICT; shown as flag e). */
  noEvict = false
  /** A command held by CLIENT PAUSE, run once the pause ends (src/observability/ClientPause.ts). */
  postponed: ReadonlyArray<string> | undefined = undefined
  /** A replica attached to us, or our link to our primary (CLIENT LIST flags S / M, CLIENT KILL TYPE). */
  replicationRole: "replica" | "master" | undefined = undefined
  /** Writes bytes straight to the socket, after what was sent before (the replication stream; set by the connection). */
  writeDirect: (bytes: Buffer) => void = () => {}

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

/**
 * One connection's side of pub/sub: the channels, patterns and shard channels it listens to (in
 * the order it subscribed, which is the order a bare (P|S)UNSUBSCRIBE leaves them), and its
 * outbox: the messages published to it that its connection fiber has not written to the socket yet.
 *
 * Created on a connection's first (P|S)SUBSCRIBE and kept while the connection lives
 * (an outbox may still hold messages after the last subscription is gone).
 */
export class Subscriber {
  readonly channels = new Set<string>()
  readonly patterns = new Set<string>()
  readonly shardChannels = new Set<string>()
  /** Encoded messages, oldest first, and their total size. */
  outbox: Array<Buffer> = []
  outboxBytes = 0
  /** When the backlog went above the soft output limit (ms, Effect's Clock); -1 while below it. */
  softLimitSince = -1
  /** The largest backlog (outbox plus unsent socket bytes) this subscriber ever had. */
  peakBacklog = 0
  /** Disconnected (output limit, shutdown): nothing more is delivered to it. */
  closed = false

  constructor(readonly client: ClientState) {}

  /** Channels and patterns: what (P)(UN)SUBSCRIBE replies count. */
  get count(): number {
    return this.channels.size + this.patterns.size
  }

  /** Any subscription at all, shard channels included (Redis's CLIENT_PUBSUB flag). */
  get subscribed(): boolean {
    return this.channels.size !== 0 || this.patterns.size !== 0 || this.shardChannels.size !== 0
  }

  /** Everything in the outbox as one buffer (undefined when empty); the outbox starts over. */
  takeOutbox(): Buffer | undefined {
    if (this.outboxBytes === 0) return undefined
    const outbox = this.outbox
    const bytes = this.outboxBytes
    this.outbox = []
    this.outboxBytes = 0
    return outbox.length === 1 ? outbox[0] : Buffer.concat(outbox, bytes)
  }
}

/**
 * A key one client WATCHes (kept in its `watching` list until EXEC, DISCARD or UNWATCH);
 * src/watches/Watches.ts registers them per database and marks their client when they change.
 */
export class WatchedKey {
  /** Still watched (false once its client is touched, unwatches or leaves). */
  active = true
  /** The observer's event number of a write that may just be this expired key's removal (0: none). */
  tentativeAt = 0

  constructor(
    readonly client: ClientState,
    readonly db: Database,
    readonly key: string,
    /** Already expired (stored, time passed) when watched: Redis's `wk->expired`. */
    public expired: boolean
  ) {}
}
