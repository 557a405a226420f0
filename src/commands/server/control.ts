/**
 * Server control: TIME and SHUTDOWN. SHUTDOWN starts the server's graceful drain and, as Redis
 * does on success, closes the sender's connection without a reply. (DEBUG is in operator.ts.)
 */
import type { ShutdownMode } from "../../persistence/Persistence.js"
import { ERR_SYNTAX, isKeyword } from "../../protocol/arguments.js"
import { command, type CommandSpec } from "../Command.js"
import { busyShutdownRefusal } from "../scripting/busy.js"

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
 * While a script is busy only SHUTDOWN NOSAVE is allowed (the others answer -BUSY).
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
    if (!noSave) {
      const busy = busyShutdownRefusal(ctx.server)
      if (busy !== undefined) return ctx.out.error(busy)
    }
    const mode: ShutdownMode = noSave ? "nosave" : save ? "save" : "default"
    // An embedding app may keep its server to itself (RedisServer's `onShutdownCommand`).
    if (!ctx.server.requestShutdown(mode)) return ctx.out.error("ERR Errors trying to SHUTDOWN. Check logs.")
    ctx.client.closeAfterReply = true
  }
})

export const controlCommands: ReadonlyArray<CommandSpec> = [time, shutdown]
