/**
 * Keyspace notifications from commands: one call after the change, e.g.
 * `notify(ctx, NotifyType.String, "set", key)`. It costs one AND when the class is off (the
 * default), so it may sit on hot paths. `db` is the database the key lives in when it is not the
 * client's (MOVE's and COPY ... DB's target).
 *
 * Expired keys (passive and active expiry) and created keys (`new`) are published by the hub's
 * keyspace observer, not from commands.
 */
import type { RuntimeConfig } from "../config/RuntimeConfig.js"
import type { Database } from "../keyspace/Database.js"
import type { Hub, Publisher } from "./Hub.js"

import { NotifyType } from "./keyspaceEvents.js"

export { NotifyType }

/** What notifying reads of the running command's context (a CommandContext). */
export interface NotifyContext extends Publisher {
  readonly db: Database
  readonly now: number
  readonly server: { readonly config: RuntimeConfig; readonly pubsub: Hub }
}

export const notify = (ctx: NotifyContext, type: number, event: string, key: string, db: Database = ctx.db): void => {
  if ((ctx.server.config.notifyKeyspaceEvents & type) === 0) return
  ctx.server.pubsub.notifyKeyspaceEvent(type, event, key, db.id, ctx.now, ctx)
}

/**
 * Deletes `key` and announces `del` when it was there: a collection a command left empty, the
 * destination of a *STORE whose result is empty. (Redis announces the command's own event first.)
 */
export const deleteAndNotify = (ctx: NotifyContext, key: string): boolean => {
  if (!ctx.db.delete(key)) return false
  notify(ctx, NotifyType.Generic, "del", key)
  return true
}
