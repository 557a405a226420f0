/**
 * AUTH [username] password: any ACL user's password (the `default` user's is `requirepass`); the check itself is
 * src/session/Authentication.ts, shared with HELLO's AUTH option. Flags and texts are Redis 7.0's.
 */
import { authenticate } from "../session/Authentication.js"
import { command, type CommandSpec } from "./Command.js"
import { describeClient } from "./server/client.js"

const auth = command({
  name: "auth",
  arity: -2,
  flags: ["noscript", "loading", "stale", "fast", "no_auth", "allow_busy"],
  group: "connection",
  aclCategories: ["fast", "connection"],
  summary: "Authenticate to the server",
  since: "1.0.0",
  complexity: "O(N) where N is the number of passwords defined for the user",
  run: (ctx, argv) => {
    if (argv.length > 3) return ctx.out.error("ERR syntax error")
    const info = () => describeClient(ctx.client, ctx.now, { argv, pendingReply: ctx.out.size })
    const failure = argv.length === 2
      ? authenticate(ctx, undefined, argv[1], argv[0], info)
      : authenticate(ctx, argv[1], argv[2], argv[0], info)
    if (failure !== undefined) return ctx.out.error(failure)
    ctx.out.ok()
  }
})

export const authCommands: ReadonlyArray<CommandSpec> = [auth]
