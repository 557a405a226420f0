/**
 * What every redfiber-cli mode shares: connecting (a refused connection is one line on stderr and
 * exit code 1, as with redis-cli), running a command and printing its reply, and printing a
 * subscription's pushes until Ctrl+C.
 */
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type { RedisConnectionError, RedisError } from "../client/errors.js"
import { RedisClient, type RedisClientService, resolveConnectionOptions } from "../client/RedisClient.js"
import type { RedisArg } from "../client/RespValue.js"
import { Subscriber, type SubscriptionKind } from "../client/Subscriber.js"
import { formatReply, formatTty, type OutputMode } from "./format.js"

export interface CliOptions {
  readonly host: string
  readonly port: number
  readonly password: Option.Option<Redacted.Redacted>
  readonly db: number
  readonly raw: boolean
  readonly noRaw: boolean
}

/** Ends the program with a message on stderr and an exit code (see main.ts). */
export class CliExit extends Data.TaggedError("CliExit")<{ readonly message: string; readonly code: number }> {}

/** redis-cli's choice: the TTY form when stdout is a terminal, unless --raw / --no-raw say otherwise. */
export const outputMode = (options: CliOptions): OutputMode =>
  options.raw ? "raw" : options.noRaw ? "tty" : process.stdout.isTTY === true ? "tty" : "raw"

/** Writes a byte string (latin1) to stdout. */
export const print = (bytes: string): Effect.Effect<void> =>
  Effect.sync(() => {
    process.stdout.write(Buffer.from(bytes, "latin1"))
  })

export const printError = (text: string): Effect.Effect<void> =>
  Effect.sync(() => {
    process.stderr.write(text + "\n")
  })

/** The CLI retries a lost connection briefly: a person is waiting. */
const cliReconnect = Schedule.max([Schedule.exponential("50 millis", 2), Schedule.recurs(3)])

const clientConfig = (options: CliOptions) => ({
  host: options.host,
  port: options.port,
  db: options.db,
  password: options.password._tag === "Some" ? Redacted.value(options.password.value) : undefined,
  reconnect: cliReconnect,
  // Status and error texts keep their bytes, so they print exactly as the server sent them.
  textEncoding: "latin1" as const
})

/** A client for the CLI; failing to connect (or AUTH / SELECT failing) ends the program with exit code 1. */
export const connect = (options: CliOptions): Effect.Effect<RedisClientService, CliExit, Scope.Scope> =>
  RedisClient.make(clientConfig(options)).pipe(
    Effect.mapError((error) => new CliExit({ message: error.message, code: 1 }))
  )

/** How a failed command shows: an error reply as a reply, a lost connection as redis-cli says it. */
export const describeFailure = (error: RedisError, mode: OutputMode): { stdout?: string; stderr?: string } => {
  if (error._tag === "RedisReplyError") return { stdout: formatReply(error, mode) }
  switch (error.reason) {
    case "ConnectionLost":
      return { stderr: "Error: Server closed the connection" }
    case "ConnectFailed":
      return { stderr: error.message.replace(/^Reconnecting gave up: /, "") }
    default:
      return { stderr: `Error: ${error.message}` }
  }
}

/** Sends a command and prints its reply (or its failure). */
export const runAndPrint = (
  redis: RedisClientService,
  args: ReadonlyArray<RedisArg>,
  mode: OutputMode
): Effect.Effect<void> =>
  redis.command(...args).pipe(
    Effect.matchEffect({
      onSuccess: (reply) => print(formatReply(reply, mode)),
      onFailure: (error) => {
        const { stdout, stderr } = describeFailure(error, mode)
        return Effect.andThen(
          stdout !== undefined ? print(stdout) : Effect.void,
          stderr !== undefined ? printError(stderr) : Effect.void
        )
      }
    }),
    // The client refuses a few commands it cannot run on a shared connection (a defect there).
    Effect.catchDefect((defect) => printError(`Error: ${defect instanceof Error ? defect.message : String(defect)}`))
  )

/**
 * Subscribes on its own connection and prints every push (the confirmations too, as redis-cli
 * does) until interrupted: Ctrl+C, or `until` completing.
 */
export const printSubscription = (
  options: CliOptions,
  kind: SubscriptionKind,
  names: ReadonlyArray<string | Buffer>,
  mode: OutputMode,
  until: Effect.Effect<void> = Effect.never
): Effect.Effect<void, RedisError | RedisConnectionError> =>
  Effect.scoped(
    Effect.gen(function*() {
      const subscriber = yield* Subscriber.make(resolveConnectionOptions(clientConfig(options)), kind, names)
      if (mode === "tty") yield* print("Reading messages... (press Ctrl-C to quit)\n")
      const printing = Stream.runForEach(subscriber.pushes, (push) =>
        print(mode === "tty" ? formatTty(push) : formatReply(push, "raw")))
      yield* Effect.raceFirst(printing, until)
    })
  )
