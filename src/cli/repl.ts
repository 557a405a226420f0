/**
 * The interactive REPL (redfiber-cli with no command), after redis-cli's:
 * - a line is split with redis-cli's quoting rules (sdssplitargs: "double quotes" with \xHH and
 *   the usual escapes, 'single quotes'); unbalanced quotes print "Invalid argument(s)";
 * - `N command ...` runs the command N times; `quit` / `exit` leave; `clear` clears the screen;
 * - replies print in the TTY form when stdout is a terminal, raw otherwise (see format.ts);
 * - on a terminal: a prompt `host:port[db]> `, line editing and history (↑/↓), kept across runs in
 *   ~/.redfiber_cli_history (REDFIBER_CLI_HISTFILE overrides it; "/dev/null" turns it off);
 *   commands carrying passwords (AUTH, HELLO ... AUTH, ...) are kept out of the history;
 * - from a pipe: one command per line, no prompt, until end of input;
 * - SUBSCRIBE / PSUBSCRIBE print messages until Ctrl+C, which then ends the program (as in
 *   redis-cli 7.0).
 * Lines are handled one at a time: a command's reply is printed before the next line is read.
 */
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as readline from "node:readline"
import type { RedisClientService } from "../client/RedisClient.js"
import { splitInlineArgs } from "../protocol/InlineArgs.js"
import type { OutputMode } from "./format.js"
import { type CliOptions, describeFailure, print, printError, printSubscription, runAndPrint } from "./session.js"

const HISTORY_SIZE = 1000

const historyFile = (): string | undefined => {
  const configured = process.env.REDFIBER_CLI_HISTFILE
  if (configured === "/dev/null" || configured === "") return undefined
  return configured ?? path.join(os.homedir(), ".redfiber_cli_history")
}

/** Lines from the history file, newest first (readline's order). */
const loadHistory = (file: string | undefined): Array<string> => {
  if (file === undefined) return []
  try {
    return fs.readFileSync(file, "utf8").split("\n").filter((line) => line !== "").slice(-HISTORY_SIZE).reverse()
  } catch {
    return []
  }
}

const appendHistory = (file: string | undefined, line: string): void => {
  if (file === undefined) return
  try {
    fs.appendFileSync(file, line + "\n", { mode: 0o600 })
  } catch {
    // A history that cannot be written is not worth stopping the session for.
  }
}

/** Commands whose arguments may hold a password (redis-cli leaves these out of its history too). */
const isSensitive = (args: ReadonlyArray<string>): boolean => {
  const name = (args[0] ?? "").toLowerCase()
  const sub = (args[1] ?? "").toLowerCase()
  return name === "auth" || name === "acl" && sub === "setuser" || name === "migrate" ||
    name === "hello" && args.some((arg) => arg.toLowerCase() === "auth") ||
    name === "config" && sub === "set" && ["requirepass", "masterauth", "masteruser"].includes((args[2] ?? "").toLowerCase())
}

/** A JS string as typed (UTF-8) to a byte string, the form the inline splitter works on. */
const toByteString = (line: string): string => Buffer.from(line, "utf8").latin1Slice()

export const runRepl = (redis: RedisClientService, options: CliOptions, mode: OutputMode): Effect.Effect<void> =>
  Effect.gen(function*() {
    const interactive = process.stdin.isTTY === true
    const history = interactive ? historyFile() : undefined
    const rl = readline.createInterface({
      input: process.stdin,
      output: interactive ? process.stdout : undefined,
      terminal: interactive,
      history: loadHistory(history),
      historySize: HISTORY_SIZE
    })
    // Ctrl+C at the prompt ends the session (as in redis-cli); during SUBSCRIBE it ends that first.
    const interrupted = yield* Deferred.make<void>()
    rl.on("SIGINT", () => {
      Deferred.doneUnsafe(interrupted, Effect.void)
      rl.close()
    })
    yield* Effect.addFinalizer(() => Effect.sync(() => rl.close()))

    const prompt = () => {
      if (!interactive) return
      const db = redis.session.db
      const connected = Effect.runSync(redis.connected)
      rl.setPrompt(connected ? `${options.host}:${options.port}${db !== 0 ? `[${db}]` : ""}> ` : "not connected> ")
      rl.prompt()
    }

    /** Handles one line; false ends the session. */
    const handle = (line: string): Effect.Effect<boolean> =>
      Effect.gen(function*() {
        const args = splitInlineArgs(toByteString(line))
        if (args === null) {
          yield* print("Invalid argument(s)\n")
          return true
        }
        if (args.length === 0) return true
        if (interactive) {
          const historyEntries = (rl as unknown as { history: Array<string> }).history
          const entry = historyEntries.indexOf(line)
          if (!isSensitive(args)) appendHistory(history, line)
          else if (entry >= 0) historyEntries.splice(entry, 1)
        }
        const name = args[0].toLowerCase()
        if (name === "quit" || name === "exit") return false
        if (name === "clear") {
          if (interactive) yield* print("\x1b[H\x1b[2J")
          return true
        }
        let times = 1
        let command = args
        if (/^[1-9][0-9]*$/.test(args[0]) && args.length > 1) {
          times = Number(args[0])
          command = args.slice(1)
        }
        const commandName = command[0].toLowerCase()
        if (commandName === "subscribe" || commandName === "psubscribe") {
          const names = command.slice(1).map((name) => Buffer.from(name, "latin1"))
          yield* printSubscription(options, commandName, names, mode, Deferred.await(interrupted)).pipe(
            Effect.catch((error) => {
              const { stdout, stderr } = describeFailure(error, mode)
              return Effect.andThen(
                stdout !== undefined ? print(stdout) : Effect.void,
                stderr !== undefined ? printError(stderr) : Effect.void
              )
            })
          )
          // As in redis-cli 7.0, the session ends with the subscription.
          return false
        }
        const bytes = command.map((arg) => Buffer.from(arg, "latin1"))
        for (let i = 0; i < times; i++) yield* runAndPrint(redis, bytes, mode)
        return true
      })

    prompt()
    const session = Stream.fromAsyncIterable(rl, (error) => error).pipe(
      Stream.runForEachWhile((line) => Effect.tap(handle(line), (more) => (more ? Effect.sync(prompt) : Effect.void))),
      Effect.catch(() => Effect.void)
    )
    // Ctrl+C also cuts a command that is still waiting for its reply.
    yield* Effect.raceFirst(session, Deferred.await(interrupted))
  }).pipe(Effect.scoped)
