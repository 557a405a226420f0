/**
 * The AOF loader's executor (persistence's `AofReplay`): the commands of the file run through
 * dispatch as Redis's loading client, which is trusted (no admission checks) and never blocks
 * (a blocking command answers as on a timeout). Its replies are dropped.
 */
import type { CommandContext, ServerState } from "../commands/Command.js"
import { executeCommand, resolveCommand } from "../commands/dispatch.js"
import type { Keyspace } from "../keyspace/Keyspace.js"
import type { AofReplay } from "../persistence/Persistence.js"
import { ReplyWriter } from "../protocol/ReplyWriter.js"
import { ClientState } from "../session/ClientState.js"

/** Replies held before they are dropped, so a long file does not grow the buffer. */
const REPLY_BYTES_KEPT = 1024 * 1024

export const aofReplay = (server: ServerState) => (keyspace: Keyspace, now: number): AofReplay => {
  const client = new ClientState(0, "aof:0", "aof:0", now, () => {})
  client.denyBlocking = true
  const ctx: CommandContext = { keyspace, db: keyspace.databases[0], now, out: new ReplyWriter(), client, server }
  return {
    refusal: (argv) => {
      const resolved = resolveCommand(server.commands, argv)
      return typeof resolved === "string" ? resolved : undefined
    },
    execute: (argv) => {
      executeCommand(ctx, argv)
      if (ctx.out.size > REPLY_BYTES_KEPT) ctx.out.take()
    }
  }
}
