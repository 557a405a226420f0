/**
 * The connection `RedisClient` sends its commands on: automatic pipelining and reconnection.
 *
 * Pipelining: a command is queued, and the first command queued in a tick schedules a flush with
 * `process.nextTick`, which runs once the current callback and its whole microtask cascade are
 * done (Effect runs fibers on microtasks). So every command issued concurrently in that time
 * leaves in one socket write, and their replies come back in the same order (see `Link`).
 *
 * Reconnection: a supervisor fiber waits for the connection to close. Commands that were in
 * flight fail at once with a `RedisConnectionError` (see `Link`); commands issued from then on
 * wait in the queue while the supervisor reconnects, retrying on the `reconnect` Schedule, and
 * are written to the new connection once it is authenticated (HELLO AUTH) and has selected the
 * database. If the schedule gives up, the waiting commands fail and the client stays
 * disconnected until the next command, which starts a new round of attempts.
 */
import * as Deferred from "effect/Deferred"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"
import type * as net from "node:net"
import { encodeCommand, joinCommands } from "./encodeCommand.js"
import { RedisConnectionError, type RedisError, RedisReplyError } from "./errors.js"
import { Link, makePending, type Pending } from "./Link.js"
import { openSocket, type SocketAddress } from "./NetSocket.js"
import type { RedisArg, RespValue } from "./RespValue.js"

export interface ConnectionOptions extends SocketAddress {
  readonly username: string | undefined
  readonly password: string | undefined
  readonly db: number
  readonly connectTimeout: Duration.Input
  readonly reconnect: Schedule.Schedule<unknown, RedisConnectionError>
  readonly textEncoding: BufferEncoding
  /** Opens the connection instead of TCP to host:port (the in-process client's local sockets). */
  readonly open?: Effect.Effect<net.Socket, RedisConnectionError> | undefined
}

/** Credentials and database a new connection is set up with. */
export interface Session {
  username: string | undefined
  password: string | undefined
  db: number
}

/**
 * Sends one command on a link that is being set up and waits for its reply; any failure is a
 * failed connect (reported as redis-cli does: "AUTH failed: WRONGPASS ...").
 */
const handshakeStep = (link: Link, args: ReadonlyArray<RedisArg>, what: string) =>
  Effect.suspend(() => {
    const pending = makePending(encodeCommand(args))
    link.write([pending], pending.payload)
    return Deferred.await(pending.deferred)
  }).pipe(
    Effect.mapError((error) =>
      new RedisConnectionError({
        reason: "ConnectFailed",
        message: error._tag === "RedisReplyError" ? `${what} failed: ${error.message}` : error.message,
        cause: error
      })
    )
  )

/** Authenticates (HELLO 2 AUTH, or AUTH on servers without HELLO) and selects the database. */
const setUpSession = (link: Link, session: Session): Effect.Effect<void, RedisConnectionError> =>
  Effect.gen(function*() {
    const password = session.password
    if (password !== undefined) {
      const username = session.username ?? "default"
      yield* handshakeStep(link, ["HELLO", "2", "AUTH", username, password], "AUTH").pipe(
        Effect.catchIf(
          (error) => error.cause instanceof RedisReplyError && error.cause.message.startsWith("ERR unknown command"),
          () =>
            handshakeStep(
              link,
              session.username === undefined ? ["AUTH", password] : ["AUTH", username, password],
              "AUTH"
            )
        )
      )
    }
    if (session.db !== 0) yield* handshakeStep(link, ["SELECT", session.db], `SELECT ${session.db}`)
  })

/** Opens a connection and sets up its session; on failure the socket is closed. */
export const establish = (
  options: ConnectionOptions,
  session: Session
): Effect.Effect<Link, RedisConnectionError> =>
  Effect.flatMap(options.open ?? openSocket(options, options.connectTimeout), (socket) => {
    const link = new Link(socket, options, options.textEncoding)
    return setUpSession(link, session).pipe(
      Effect.as(link),
      Effect.onExit((exit) =>
        Exit.isSuccess(exit) ? Effect.void : Effect.sync(() => link.close(connectionClosed("setup failed")))
      )
    )
  })

const connectionClosed = (why: string) =>
  new RedisConnectionError({ reason: "ClientClosed", message: `Connection closed by the client (${why})` })

type State = "ready" | "connecting" | "idle" | "closed"

export class CommandConnection {
  private link: Link | undefined = undefined
  private state: State = "connecting"
  /** Commands not written yet: waiting for the next flush or for a connection. */
  private queue: Array<Pending> = []
  private flushScheduled = false
  /** Completed by the next command while the client is idle (reconnecting gave up). */
  private wakeUp: Deferred.Deferred<void> | undefined = undefined
  readonly session: Session

  private constructor(readonly options: ConnectionOptions) {
    this.session = { username: options.username, password: options.password, db: options.db }
  }

  /**
   * Connects (failing at once if the server cannot be reached or refuses the credentials), then
   * keeps the connection up until the scope closes.
   */
  static make(options: ConnectionOptions): Effect.Effect<CommandConnection, RedisConnectionError, Scope.Scope> {
    return Effect.gen(function*() {
      const connection = new CommandConnection(options)
      connection.install(yield* establish(options, connection.session))
      yield* Effect.addFinalizer(() => Effect.sync(() => connection.close()))
      yield* Effect.forkScoped(connection.supervise)
      return connection
    })
  }

  /** Queues a command for the next flush and waits for its reply. */
  send(args: ReadonlyArray<RedisArg>, onReply?: (reply: RespValue) => void): Effect.Effect<RespValue, RedisError> {
    return Effect.suspend(() => {
      if (this.state === "closed") return Effect.fail(connectionClosed("its scope was closed"))
      const pending = makePending(encodeCommand(args), onReply)
      this.queue.push(pending)
      if (this.state === "ready") {
        if (!this.flushScheduled) {
          this.flushScheduled = true
          process.nextTick(this.flush)
        }
      } else if (this.state === "idle" && this.wakeUp !== undefined) {
        Deferred.doneUnsafe(this.wakeUp, Exit.void)
        this.wakeUp = undefined
      }
      return Effect.onInterrupt(Deferred.await(pending.deferred), () =>
        Effect.sync(() => {
          pending.cancelled = true
        }))
    })
  }

  /** True while a connection is up (false while reconnecting or after giving up). */
  get connected(): boolean {
    return this.state === "ready" && this.link !== undefined && !this.link.isClosed
  }

  private readonly flush = (): void => {
    this.flushScheduled = false
    const link = this.link
    // A link that just closed: the supervisor will reconnect and flush the queue then.
    if (this.state !== "ready" || link === undefined || link.isClosed) return
    const batch: Array<Pending> = []
    const payloads = []
    for (const pending of this.queue) {
      if (pending.cancelled) continue
      batch.push(pending)
      payloads.push(pending.payload)
    }
    this.queue = []
    if (batch.length > 0) link.write(batch, joinCommands(payloads))
  }

  private install(link: Link): void {
    this.link = link
    this.state = "ready"
    this.flush()
  }

  /** Waits for each connection to close, then reconnects; forever (until interrupted). */
  private get supervise(): Effect.Effect<never> {
    const reconnect: Effect.Effect<Link, RedisConnectionError> = Effect.suspend(() =>
      establish(this.options, this.session)
    ).pipe(
      Effect.tapError((error) => Effect.logDebug(`redfiber client: reconnect attempt failed: ${error.message}`)),
      Effect.retry(this.options.reconnect)
    )
    const untilReconnected: Effect.Effect<void> = Effect.suspend(() => {
      this.state = "connecting"
      return Effect.matchEffect(reconnect, {
        onSuccess: (link) => Effect.sync(() => this.install(link)),
        onFailure: (error) =>
          Effect.suspend(() => {
            this.giveUp(error)
            const wakeUp = Deferred.makeUnsafe<void>()
            this.wakeUp = wakeUp
            return Effect.andThen(Deferred.await(wakeUp), untilReconnected)
          })
      })
    })
    return Effect.forever(
      Effect.suspend(() => Deferred.await(this.link!.closed)).pipe(Effect.andThen(untilReconnected))
    )
  }

  /** The schedule gave up: the commands waiting for a connection fail, and the client idles. */
  private giveUp(error: RedisConnectionError): void {
    this.state = "idle"
    const failure = new RedisConnectionError({
      reason: "ConnectFailed",
      message: `Reconnecting gave up: ${error.message}`,
      cause: error
    })
    const queue = this.queue
    this.queue = []
    for (const pending of queue) Deferred.doneUnsafe(pending.deferred, Exit.fail(failure))
  }

  private close(): void {
    this.state = "closed"
    const error = connectionClosed("its scope was closed")
    const queue = this.queue
    this.queue = []
    for (const pending of queue) Deferred.doneUnsafe(pending.deferred, Exit.fail(error))
    this.link?.close(error)
  }
}

/**
 * The default reconnect policy: exponential backoff from 50 ms, each delay capped at 2 s and
 * jittered, for up to 10 retries (about 10 s in all), after the immediate first attempt.
 */
export const defaultReconnectSchedule: Schedule.Schedule<unknown, RedisConnectionError> = Schedule.exponential(
  "50 millis",
  2
).pipe(
  (exponential) => Schedule.min([exponential, Schedule.spaced("2 seconds")]),
  Schedule.jittered,
  (jittered) => Schedule.max([jittered, Schedule.recurs(10)])
)
