/**
 * `pnpm start`: flags → config → the server, raced against Ctrl+C.
 *
 * The shape is mini-redis's `tokio::select! { run(listener), signal::ctrl_c() }`: whichever ends
 * first, the accept loop stops and the server drains (see RedisServer). A second Ctrl+C during
 * the drain exits at once.
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Logger from "effect/Logger"
import { defaultTeardown } from "effect/Runtime"
import * as fs from "node:fs"
import * as path from "node:path"
import { Acl } from "./acl/Acl.js"
import { configuredUserError } from "./acl/AclFile.js"
import { renameCommands } from "./commands/renamed-commands.js"
import { commandTable } from "./commands/table.js"
import { ConfigFileError, configFromText, configuredRenamesOf, configuredUsersOf, optionsText } from "./config/configFile.js"
import { FlagError, parseFlags, resolveConfig, usage } from "./config/flags.js"
import type { ServerConfigInput } from "./config/ServerConfig.js"
import { Db } from "./keyspace/Db.js"
import { RedisServer } from "./server/RedisServer.js"

const VERSION = "0.1.0"

/** Redis-like log lines: `pid:M 2026-11-25T18:20:29.123Z * message`. */
const logLine = (text: string, date = new Date()) =>
  process.stdout.write(`${process.pid}:M ${date.toISOString()} * ${text}\n`)

const serverLogger = Logger.make(({ date, message }) =>
  logLine(Array.isArray(message) ? message.join(" ") : String(message), date)
)

/**
 * Resolves on the first SIGINT/SIGTERM; from then on, another one ends the process at once.
 * (`NodeRuntime.runMain` also interrupts the program on that first signal: either way the server
 * drains through the same path, so the two never disagree.)
 */
const shutdownSignal = Effect.callback<NodeJS.Signals>((resume) => {
  const onSignal = (signal: NodeJS.Signals) => {
    logLine(`Received ${signal}, shutting down gracefully (again to force)`)
    process.off("SIGINT", onSignal)
    process.off("SIGTERM", onSignal)
    const forceExit = () => {
      process.stderr.write("Second signal received: exiting now.\n")
      process.exit(130)
    }
    process.on("SIGINT", forceExit)
    process.on("SIGTERM", forceExit)
    resume(Effect.succeed(signal))
  }
  process.on("SIGINT", onSignal)
  process.on("SIGTERM", onSignal)
  return Effect.sync(() => {
    process.off("SIGINT", onSignal)
    process.off("SIGTERM", onSignal)
  })
})

/**
 * The first `rename-command` line naming no command (or a taken name), then the first `user`
 * line whose rules Redis refuses while reading the file.
 */
const userLineError = (input: ServerConfigInput): ConfigFileError | undefined => {
  const renames = configuredRenamesOf(input)
  const renamed = renameCommands(commandTable, renames.map((rename) => [rename.from, rename.to]))
  if (!(renamed instanceof Map)) {
    const line = renames[renamed.index]
    return new ConfigFileError(line.line, line.text, renamed.reason)
  }
  const users = configuredUsersOf(input)
  if (users.length === 0) return undefined
  const acl = new Acl(commandTable, "")
  for (const user of users) {
    const reason = configuredUserError(acl, user.args)
    if (reason !== undefined) return new ConfigFileError(user.line, user.text, reason)
  }
  return undefined
}

/** `redfiber-server /path/redis.conf [--flag value ...]`: the file, then the flags as more lines. */
const fromConfigFile = (argv: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const file = path.resolve(argv[0])
    const content = yield* Effect.try({
      try: () => fs.readFileSync(file, "latin1"),
      catch: (error) =>
        new FlagError(`Fatal error, can't open config file '${file}': ${(error as NodeJS.ErrnoException).code === "ENOENT" ? "No such file or directory" : String(error)}`)
    })
    const parsed = configFromText(`${content}\n${optionsText(argv.slice(1))}`, file)
    const failure = parsed instanceof ConfigFileError ? parsed : userLineError(parsed)
    if (failure !== undefined) {
      return yield* Effect.sync(() => {
        process.stderr.write(`${failure.message}\n`)
        process.exit(1)
      })
    }
    return parsed as ServerConfigInput
  })

const program = Effect.gen(function*() {
  const args = process.argv.slice(2)
  const flags = args.length > 0 && !args[0].startsWith("-") ? yield* fromConfigFile(args) : parseFlags(args)
  if (flags === "help") return yield* Effect.sync(() => console.log(usage()))
  if (flags === "version") return yield* Effect.sync(() => console.log(`redfiber-server v=${VERSION}`))
  if (flags instanceof FlagError) return yield* Effect.fail(flags)
  const config = yield* resolveConfig(flags)
  yield* Effect.scoped(
    Effect.gen(function*() {
      const server = yield* RedisServer.make(config)
      yield* Effect.logInfo(
        `redfiber ${VERSION} ready to accept connections tcp on ${server.address.host}:${server.address.port}`
      )
      yield* Effect.raceFirst(server.run, shutdownSignal)
    }).pipe(Effect.provide(Db.layer({ databases: config.databases, hz: config.hz })))
  )
}).pipe(
  Effect.catch((error) =>
    Effect.sync(() => {
      process.stderr.write(`redfiber-server: ${error.message}\n`)
      process.exit(error._tag === "FlagError" ? 2 : 1)
    })
  ),
  Effect.provide(Logger.layer([serverLogger]))
)

// Exit as soon as the program ends (SHUTDOWN included), whatever handles Node still holds.
NodeRuntime.runMain(program, {
  // Interrupted by Ctrl+C (after the drain) is a clean exit: 0, where Effect 4's teardown says 130.
  teardown: (exit) =>
    defaultTeardown(exit, (code) => process.exit(Exit.isFailure(exit) && Cause.hasInterruptsOnly(exit.cause) ? 0 : code))
})
