/**
 * Keyspace notifications from commands: one call after the change, e.g.
 * `notify(ctx, NotifyType.String, "set", key)`. It costs one AND when the class is off (the
 * default), so it may sit on hot paths. `db` is the database the key lives in when it is not the
 * client's (MOVE's and COPY ... DB's target).
 *
 * Expired keys (passive and active expiry) and created keys (`new`) are published by the hub's
 * keyspace observer, not from commands.
 */
import type { CommandContext } from "../commands/Command.js"
import type { Database } from "../keyspace/Database.js"

import { NotifyType } from "./keyspaceEvents.js"

export { NotifyType }

export const notify = (ctx: CommandContext, type: number, event: string, key: string, db: Database = ctx.db): void => {
  if ((ctx.server.config.notifyKeyspaceEvents & type) === 0) return
  ctx.server.pubsub.notifyKeyspaceEvent(type, event, key, db.id, ctx.now, ctx)
}

/**
 * Deletes `key` and announces `del` when it was there: a collection a command left empty, the
 * destination of a *STORE whose result is empty. (Redis announces the command's own event first.)
 */
export const deleteAndNotify = (ctx: CommandContext, key: string): boolean => {
  if (!ctx.db.delete(key)) return false
  notify(ctx, NotifyType.Generic, "del", key)
  return true
}
