/**
 * Persistence commands: SAVE, BGSAVE [SCHEDULE], BGREWRITEAOF, LASTSAVE. They only start the
 * work (see src/persistence/Persistence.ts), except SAVE, which writes the snapshot while
 * everything waits, as it does in Redis.
 */
import type { Outcome } from "../../persistence/Persistence.js"
import { ERR_SYNTAX, isKeyword } from "../../protocol/arguments.js"
import { command, type CommandContext, type CommandSpec } from "../Command.js"

const reply = (ctx: CommandContext, outcome: Outcome) =>
  "ok" in outcome ? ctx.out.simple(outcome.ok) : ctx.out.error(outcome.error)

const ADMIN = ["admin", "slow", "dangerous"]

const save = command({
  name: "save",
  arity: 1,
  flags: ["admin", "noscript", "no_async_loading", "no_multi"],
  group: "server",
  aclCategories: ADMIN,
  summary: "Synchronously save the dataset to disk",
  since: "1.0.0",
  complexity: "O(N) where N is the total number of keys in all databases",
  run: (ctx) => reply(ctx, ctx.server.persistence!.save(ctx.now))
})

const bgsave = command({
  name: "bgsave",
  arity: -1,
  flags: ["admin", "noscript", "no_async_loading"],
  group: "server",
  aclCategories: ADMIN,
  summary: "Asynchronously save the dataset to disk",
  since: "1.0.0",
  complexity: "O(1)",
  run: (ctx, argv) => {
    if (argv.length > 2 || (argv.length === 2 && !isKeyword(argv[1], "SCHEDULE"))) return ctx.out.error(ERR_SYNTAX)
    reply(ctx, ctx.server.persistence!.backgroundSave(ctx.now, argv.length === 2))
  }
})

const bgrewriteaof = command({
  name: "bgrewriteaof",
  arity: 1,
  flags: ["admin", "noscript", "no_async_loading"],
  group: "server",
  aclCategories: ADMIN,
  summary: "Asynchronously rewrite the append-only file",
  since: "1.0.0",
  complexity: "O(1)",
  run: (ctx) => reply(ctx, ctx.server.persistence!.rewriteAof(ctx.now))
})

const lastsave = command({
  name: "lastsave",
  arity: 1,
  flags: ["loading", "stale", "fast"],
  group: "server",
  aclCategories: ["admin", "fast", "dangerous"],
  tips: ["nondeterministic_output"],
  summary: "Get the UNIX time stamp of the last successful save to disk",
  since: "1.0.0",
  complexity: "O(1)",
  run: (ctx) => ctx.out.integer(ctx.server.persistence?.lastSaveTime ?? Math.floor(ctx.server.startedAt / 1000))
})

export const persistenceCommands: ReadonlyArray<CommandSpec> = [save, bgsave, bgrewriteaof, lastsave]
