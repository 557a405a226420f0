/**
 * Server control: TIME, SHUTDOWN and DEBUG (SLEEP only). SHUTDOWN starts the server's
 * graceful drain and, as Redis does on success, closes the sender's connection without a reply.
 * DEBUG SLEEP blocks the whole process synchronously, as it blocks Redis's one thread: tests use
 * it to hold a batch in flight. DEBUG is enabled (Redis 7 disables it by default).
 */
import type { ShutdownMode } from "../../server/ServerState.js"
import { ERR_SYNTAX, isKeyword } from "../arguments.js"
import { command, type CommandSpec } from "../Command.js"
import { writeHelp } from "./help.js"

const time = command({
  name: "time",
  arity: 1,
  flags: ["loading", "stale", "fast"],
  group: "server",
  aclCategories: ["fast"],
  tips: ["nondeterministic_output"],
  summary: "Return the current server time",
  since: "2.6.0",
  complexity: "O(1)",
  run: (ctx) => {
    ctx.out.arrayHeader(2)
    ctx.out.bulk(String(Math.floor(ctx.now / 1000)))
    ctx.out.bulk(String((ctx.now % 1000) * 1000))
  }
})

/**
 * SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT]. NOW and FORCE change nothing here (no replicas
 * to wait for, no save to fail); ABORT finds no shutdown it could stop: once requested, ours runs.
 */
const shutdown = command({
  name: "shutdown",
  arity: -1,
  flags: ["admin", "noscript", "loading", "stale", "no_multi", "allow_busy"],
  group: "server",
  aclCategories: ["admin", "slow", "dangerous"],
  summary: "Synchronously save the dataset to disk and then shut down the server",
  since: "1.0.0",
  complexity: "O(N) when saving, where N is the total number of keys in all databases when saving data, otherwise O(1)",
  run: (ctx, argv) => {
    let save = false
    let noSave = false
    let abort = false
    let otherOptions = false
    for (let i = 1; i < argv.length; i++) {
      const option = argv[i]
      if (isKeyword(option, "ABORT")) {
        abort = true
        continue
      }
      if (isKeyword(option, "NOSAVE")) noSave = true
      else if (isKeyword(option, "SAVE")) save = true
      else if (!isKeyword(option, "NOW") && !isKeyword(option, "FORCE")) return ctx.out.error(ERR_SYNTAX)
      otherOptions = true
    }
    if ((save && noSave) || (abort && otherOptions)) return ctx.out.error(ERR_SYNTAX)
    if (abort) return ctx.out.error("ERR No shutdown in progress.")
    const mode: ShutdownMode = noSave ? "nosave" : save ? "save" : "default"
    ctx.server.requestShutdown(mode)
    ctx.client.closeAfterReply = true
  }
})

const sleeper = new Int32Array(new SharedArrayBuffer(4))

/** `strtod`'s reading of a number: the longest numeric prefix, 0 when there is none. */
const leadingNumber = (text: string): number => {
  const match = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/.exec(text)
  return match === null ? 0 : Number(match[0])
}

const debug = command({
  name: "debug",
  arity: -2,
  flags: ["admin", "noscript", "loading", "stale"],
  group: "server",
  aclCategories: ["admin", "slow", "dangerous"],
  summary: "A container for debugging commands",
  since: "1.0.0",
  complexity: "Depends on subcommand.",
  run: (ctx, argv) => {
    if (argv.length === 2 && isKeyword(argv[1], "HELP")) {
      return writeHelp(ctx.out, "DEBUG", [
        "SLEEP <seconds>",
        "    Stop the server for <seconds>. Decimals allowed."
      ])
    }
    if (argv.length === 3 && isKeyword(argv[1], "SLEEP")) {
      const millis = leadingNumber(argv[2]) * 1000
      if (millis > 0) Atomics.wait(sleeper, 0, 0, millis)
      return ctx.out.ok()
    }
    ctx.out.error(`ERR unknown subcommand or wrong number of arguments for '${argv[1]}'. Try DEBUG HELP.`)
  }
})

export const controlCommands: ReadonlyArray<CommandSpec> = [time, shutdown, debug]
