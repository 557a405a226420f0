/**
 * redfiber-cli: a redis-cli for redfiber (and any Redis), built with @effect/cli.
 *
 *   redfiber-cli [-h host] [-p port] [-a password] [-n db] [--raw | --no-raw] [command [arg ...]]
 *
 * Subcommands (mini-redis-cli's): ping [message], get key, set key value [expires-ms],
 * publish channel message, subscribe channel... (until Ctrl+C). Any other command is sent as
 * it is (`redfiber-cli hset h f v`); with no command, the REPL (see repl.ts). Replies print as
 * redis-cli prints them (see format.ts). The command line is first reshaped by argv.ts, so it reads
 * like redis-cli's.
 */
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodePath from "@effect/platform-node/NodePath"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as NodeTerminal from "@effect/platform-node/NodeTerminal"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { normalizeArgv, SEND } from "./argv.js"
import { runRepl } from "./repl.js"
import { CliExit, type CliOptions, connect, describeFailure, outputMode, print, printError, printSubscription, runAndPrint } from "./session.js"

const VERSION = "0.1.0"

const options = {
  host: Options.text("host").pipe(
    Options.withDefault("127.0.0.1"),
    Options.withDescription("Server hostname (also -h <host>, as in redis-cli)")
  ),
  port: Options.integer("port").pipe(Options.withAlias("p"), Options.withDefault(6379), Options.withDescription("Server port")),
  password: Options.redacted("password").pipe(
    Options.withAlias("a"),
    Options.optional,
    Options.withDescription("Password to authenticate with (HELLO 2 AUTH default <password>)")
  ),
  db: Options.integer("db").pipe(Options.withAlias("n"), Options.withDefault(0), Options.withDescription("Database number")),
  raw: Options.boolean("raw").pipe(Options.withDescription("Print replies raw, even on a terminal")),
  noRaw: Options.boolean("no-raw").pipe(Options.withDescription("Print replies formatted, even when not on a terminal"))
}

const root = Command.make("redfiber-cli", options, (cli) =>
  Effect.scoped(Effect.flatMap(connect(cli), (redis) => runRepl(redis, cli, outputMode(cli))))
).pipe(Command.withDescription("A redis-cli for redfiber. With no command: an interactive prompt."))

/** A one-shot command: connect, send, print the reply, exit. */
const oneShot = (args: (cli: CliOptions) => ReadonlyArray<string>) =>
  Effect.flatMap(root, (cli) =>
    Effect.scoped(Effect.flatMap(connect(cli), (redis) => runAndPrint(redis, args(cli), outputMode(cli)))))

const ping = Command.make(
  "ping",
  { message: Args.text({ name: "message" }).pipe(Args.optional) },
  ({ message }) => oneShot(() => Option.match(message, { onNone: () => ["PING"], onSome: (text) => ["PING", text] }))
).pipe(Command.withDescription("PING the server, or have it echo a message"))

const get = Command.make(
  "get",
  { key: Args.text({ name: "key" }) },
  ({ key }) => oneShot(() => ["GET", key])
).pipe(Command.withDescription("Get the value of a key"))

const set = Command.make(
  "set",
  {
    key: Args.text({ name: "key" }),
    value: Args.text({ name: "value" }),
    expires: Args.integer({ name: "expires-ms" }).pipe(Args.optional)
  },
  ({ expires, key, value }) =>
    oneShot(() =>
      Option.match(expires, { onNone: () => ["SET", key, value], onSome: (ms) => ["SET", key, value, "PX", String(ms)] })
    )
).pipe(Command.withDescription("Set a key to a value, optionally expiring after some milliseconds"))

const publish = Command.make(
  "publish",
  { channel: Args.text({ name: "channel" }), message: Args.text({ name: "message" }) },
  ({ channel, message }) => oneShot(() => ["PUBLISH", channel, message])
).pipe(Command.withDescription("Post a message to a channel"))

const subscribe = Command.make(
  "subscribe",
  { channels: Args.text({ name: "channel" }).pipe(Args.atLeast(1)) },
  ({ channels }) =>
    Effect.flatMap(root, (cli) => {
      const mode = outputMode(cli)
      // Ctrl+C interrupts the program: the subscription's scope closes (UNSUBSCRIBE) and it exits 0.
      return printSubscription(cli, "subscribe", channels, mode).pipe(
        Effect.catchAll((error) => {
          if (error._tag === "RedisConnectionError" && error.reason === "ConnectFailed") {
            return Effect.fail(new CliExit({ message: error.message, code: 1 }))
          }
          const { stdout, stderr } = describeFailure(error, mode)
          return Effect.zipRight(
            stdout !== undefined ? print(stdout) : Effect.void,
            stderr !== undefined ? printError(stderr) : Effect.void
          )
        })
      )
    })
).pipe(Command.withDescription("Print the messages of channels until Ctrl+C"))

const send = Command.make(
  SEND,
  { command: Args.text({ name: "command" }).pipe(Args.atLeast(1)) },
  ({ command }) => oneShot(() => command)
).pipe(Command.withDescription("Send any command as it is (also: redfiber-cli <command> [arg ...])"))

const cli = Command.run(root.pipe(Command.withSubcommands([ping, get, set, publish, subscribe, send])), {
  name: "redfiber-cli",
  version: VERSION
})

// A closed stdout (`redfiber-cli subscribe ch | head -1`) ends the program quietly.
process.stdout.on("error", () => process.exit(0))

const program = cli([...process.argv.slice(0, 2), ...normalizeArgv(process.argv.slice(2))]).pipe(
  Effect.catchTag("CliExit", (exit) =>
    Effect.zipRight(
      printError(exit.message),
      Effect.sync(() => {
        process.exitCode = exit.code
      })
    )),
  // What @effect/cli needs, and no more (NodeContext would add a command executor and workers).
  Effect.provide(Layer.mergeAll(NodeFileSystem.layer, NodePath.layer, NodeTerminal.layer))
)

NodeRuntime.runMain(program, {
  disableErrorReporting: true,
  teardown: (exit, onExit) => {
    // Ctrl+C interrupts the program: that is a clean exit. Invalid usage (already printed by
    // @effect/cli) and defects exit 1.
    const failed = Exit.isFailure(exit) && !Cause.isInterruptedOnly(exit.cause)
    if (failed && Exit.isFailure(exit) && !Cause.isFailType(exit.cause) && Cause.isDie(exit.cause)) {
      process.stderr.write(`redfiber-cli: ${Cause.pretty(exit.cause)}\n`)
    }
    onExit(failed ? 1 : typeof process.exitCode === "number" ? process.exitCode : 0)
  }
})
