/**
 * redfiber-cli: a redis-cli for redfiber (and any Redis), built with Effect's CLI module (effect/cli).
 *
 *   redfiber-cli [-h host] [-p port] [-a password] [-n db] [--raw | --no-raw] [command [arg ...]]
 *
 * Subcommands (mini-redis-cli's): ping [message], get key, set key value [expires-ms],
 * publish channel message, subscribe channel... (until Ctrl+C). Any other command is sent as
 * it is (`redfiber-cli hset h f v`); with no command, the REPL (see repl.ts). Replies print as
 * redis-cli prints them (see format.ts). The command line is first reshaped by argv.ts, so it reads
 * like redis-cli's.
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as NodeServices from "@effect/platform-node/NodeServices"
import * as Cause from "effect/Cause"
import * as Args from "effect/cli/Argument"
import * as CliOutput from "effect/cli/CliOutput"
import * as Command from "effect/cli/Command"
import * as Options from "effect/cli/Flag"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { normalizeArgv, SEND } from "./argv.js"
import { runRepl } from "./repl.js"
import { CliExit, type CliOptions, connect, describeFailure, outputMode, print, printError, printSubscription, runAndPrint } from "./session.js"

const VERSION = "0.1.0"

const options = {
  host: Options.String("host").pipe(
    Options.withDefault("127.0.0.1"),
    Options.withDescription("Server hostname (also -h <host>, as in redis-cli)")
  ),
  port: Options.Int("port").pipe(Options.withAlias("p"), Options.withDefault(6379), Options.withDescription("Server port")),
  password: Options.Redacted("password").pipe(
    Options.withAlias("a"),
    Options.optional,
    Options.withDescription("Password to authenticate with (HELLO 2 AUTH default <password>)")
  ),
  db: Options.Int("db").pipe(Options.withAlias("n"), Options.withDefault(0), Options.withDescription("Database number")),
  raw: Options.Boolean("raw").pipe(Options.withDefault(false), Options.withoutNegation, Options.withDescription("Print replies raw, even on a terminal")),
  noRaw: Options.Boolean("no-raw").pipe(Options.withDefault(false), Options.withoutNegation, Options.withDescription("Print replies formatted, even when not on a terminal"))
}

// Shared: the connection flags come before the subcommand and reach its handler (`yield* root`).
const root = Command.make("redfiber-cli").pipe(
  Command.withSharedFlags(options),
  Command.withHandler((cli) =>
    Effect.scoped(Effect.flatMap(connect(cli), (redis) => runRepl(redis, cli, outputMode(cli))))
  ),
  Command.withDescription("A redis-cli for redfiber. With no command: an interactive prompt."))

/** A one-shot command: connect, send, print the reply, exit. */
const oneShot = (args: (cli: CliOptions) => ReadonlyArray<string>) =>
  Effect.flatMap(root, (cli) =>
    Effect.scoped(Effect.flatMap(connect(cli), (redis) => runAndPrint(redis, args(cli), outputMode(cli)))))

const ping = Command.make(
  "ping",
  { message: Args.String("message").pipe(Args.optional) },
  ({ message }) => oneShot(() => Option.match(message, { onNone: () => ["PING"], onSome: (text) => ["PING", text] }))
).pipe(Command.withDescription("PING the server, or have it echo a message"))

const get = Command.make(
  "get",
  { key: Args.String("key") },
  ({ key }) => oneShot(() => ["GET", key])
).pipe(Command.withDescription("Get the value of a key"))

const set = Command.make(
  "set",
  {
    key: Args.String("key"),
    value: Args.String("value"),
    expires: Args.Int("expires-ms").pipe(Args.optional)
  },
  ({ expires, key, value }) =>
    oneShot(() =>
      Option.match(expires, { onNone: () => ["SET", key, value], onSome: (ms) => ["SET", key, value, "PX", String(ms)] })
    )
).pipe(Command.withDescription("Set a key to a value, optionally expiring after some milliseconds"))

const publish = Command.make(
  "publish",
  { channel: Args.String("channel"), message: Args.String("message") },
  ({ channel, message }) => oneShot(() => ["PUBLISH", channel, message])
).pipe(Command.withDescription("Post a message to a channel"))

const subscribe = Command.make(
  "subscribe",
  { channels: Args.String("channel").pipe(Args.atLeast(1)) },
  ({ channels }) =>
    Effect.flatMap(root, (cli) => {
      const mode = outputMode(cli)
      // Ctrl+C interrupts the program: the subscription's scope closes (UNSUBSCRIBE) and it exits 0.
      return printSubscription(cli, "subscribe", channels, mode).pipe(
        Effect.catch((error) => {
          if (error._tag === "RedisConnectionError" && error.reason === "ConnectFailed") {
            return Effect.fail(new CliExit({ message: error.message, code: 1 }))
          }
          const { stdout, stderr } = describeFailure(error, mode)
          return Effect.andThen(
            stdout !== undefined ? print(stdout) : Effect.void,
            stderr !== undefined ? printError(stderr) : Effect.void
          )
        })
      )
    })
).pipe(Command.withDescription("Print the messages of channels until Ctrl+C"))

const send = Command.make(
  SEND,
  { command: Args.String("command").pipe(Args.atLeast(1)) },
  ({ command }) => oneShot(() => command)
).pipe(Command.withDescription("Send any command as it is (also: redfiber-cli <command> [arg ...])"))

const cli = Command.runWith(root.pipe(Command.withSubcommands([ping, get, set, publish, subscribe, send])), {
  version: VERSION
})

// Invalid usage: one line per mistake on stderr (`Missing argument <key>`), then the command's help.
const presenter: CliOutput.Presenter = {
  present: (event) =>
    event._tag === "InvalidInvocation"
      ? Effect.andThen(
        printError(
          event.errors.map((error) => error._tag === "MissingArgument" ? `Missing argument <${error.argument}>` : error.message)
            .join("\n")
        ),
        CliOutput.defaultPresenter.present({ _tag: "Help", reason: "Implicit", commandPath: event.commandPath, helpDoc: event.helpDoc })
      )
      : CliOutput.defaultPresenter.present(event)
}

// A closed stdout (`redfiber-cli subscribe ch | head -1`) ends the program quietly.
process.stdout.on("error", () => process.exit(0))

const program = cli(normalizeArgv(process.argv.slice(2))).pipe(
  Effect.catchTag("CliExit", (exit) =>
    Effect.andThen(
      printError(exit.message),
      Effect.sync(() => {
        process.exitCode = exit.code
      })
    )),
  // What effect/cli's Command.run needs: file system, path, terminal, stdio, child processes.
  Effect.provide(Layer.merge(NodeServices.layer, CliOutput.layerPresenter(presenter)))
)

NodeRuntime.runMain(program, {
  disableErrorReporting: true,
  teardown: (exit, onExit) => {
    // Ctrl+C interrupts the program: that is a clean exit. Invalid usage (already printed by
    // effect/cli) and defects exit 1.
    const failed = Exit.isFailure(exit) && !Cause.hasInterruptsOnly(exit.cause)
    if (failed && Exit.isFailure(exit) && !Cause.hasFails(exit.cause) && Cause.hasDies(exit.cause)) {
      process.stderr.write(`redfiber-cli: ${Cause.pretty(exit.cause)}\n`)
    }
    onExit(failed ? 1 : typeof process.exitCode === "number" ? process.exitCode : 0)
  }
})
