/**
 * A key one client WATCHes (kept in its `watching` list until EXEC, DISCARD or UNWATCH);
 * src/watches/Watches.ts registers them per database and marks their client when they change.
 */
import type { Database } from "../keyspace/Database.js"
import type { ClientState } from "./ClientState.js"

export class WatchedKey {
  /** Still watched (false once its client is touched, unwatches or leaves). */
  active = true
  /** The observer's event number of a write that may just be this expired key's removal (0: none). */
  tentativeAt = 0

  constructor(
    readonly client: ClientState,
    readonly db: Database,
    readonly key: string,
    /** Already expired (stored, time passed) when watched: Redis's `wk->expired`. */
    public expired: boolean
  ) {}
}
