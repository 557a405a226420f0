/**
 * Connection commands: PING, ECHO, QUIT, SELECT (more arrive with the connection family:
 * RESET, HELLO, CLIENT ...). Each is its arguments' parse and its apply, in a few lines.
 */
import { parseSafeInteger } from "./arguments.js"
import { command, type CommandSpec } from "./Command.js"

const ping = command({
  name: "ping",
  arity: -1,
  flags: ["fast"],
  group: "connection",
  summary: "Returns the server's liveliness response.",
  since: "1.0.0",
  complexity: "O(1)",
  run: (ctx, argv) => {
    if (argv.length > 2) ctx.out.error("ERR wrong number of arguments for 'ping' command")
    else if (argv.length === 2) ctx.out.bulk(argv[1])
    else ctx.out.raw("+PONG\r\n")
  }
})

const echo = command({
  name: "echo",
  arity: 2,
  flags: ["fast"],
  group: "connection",
  summary: "Returns the given string.",
  since: "1.0.0",
  complexity: "O(1)",
  run: (ctx, argv) => ctx.out.bulk(argv[1])
})

const quit = command({
  name: "quit",
  arity: -1,
  flags: ["no_auth", "fast", "allow_busy"],
  group: "connection",
  summary: "Closes the connection.",
  since: "1.0.0",
  complexity: "O(1)",
  run: (ctx) => {
    ctx.out.ok()
    ctx.client.closeAfterReply = true
  }
})

const select = command({
  name: "select",
  arity: 2,
  flags: ["loading", "stale", "fast"],
  group: "connection",
  summary: "Changes the selected database.",
  since: "1.0.0",
  complexity: "O(1)",
  run: (ctx, argv) => {
    const index = parseSafeInteger(argv[1])
    if (index === undefined) return ctx.out.error("ERR value is not an integer or out of range")
    if (index < 0 || index >= ctx.keyspace.databases.length) return ctx.out.error("ERR DB index is out of range")
    ctx.client.db = index
    ctx.db = ctx.keyspace.databases[index]
    ctx.out.ok()
  }
})

export const connectionCommands: ReadonlyArray<CommandSpec> = [ping, echo, quit, select]
