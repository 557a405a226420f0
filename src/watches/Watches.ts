/**
 * WATCH: the keys each client watches, per database, and the keyspace observer that marks a
 * client as touched (Redis's CLIENT_DIRTY_CAS, so its EXEC fails) when one of them changes —
 * a write from any client, an expiry, a flush or a swap of its database. EXEC also fails when a
 * watched key has expired since WATCH, even if nothing removed it yet (`expiredSinceWatch`).
 *
 * The observer sits in `keyspace.observers` only while some key is watched: with nobody
 * watching, writes cost nothing more. Redis 7.0's rules for expired keys are kept: a key that had
 * already expired when WATCH ran (still stored, its time passed) counts as missing, so its removal
 * by expiry is no change, and a flush or swap touches a watched key only when it is stored on
 * either side (an expired one swapped in counts as missing).
 *
 * Two of those changes are only known after the fact, so they settle at the end of the command
 * (`settle`, from dispatch): a write to a key that had expired when watched is its removal by
 * expiry when the `expired` event follows at once, and a real write otherwise; and a flushed or
 * swapped database's watched keys compare what was stored before with what is stored after.
 */
import type { Database, KeyspaceHooks } from "../keyspace/Database.js"
import type { Keyspace } from "../keyspace/Keyspace.js"
import { type ClientState, WatchedKey } from "../session/ClientState.js"

/** A watched key of a database being flushed or swapped, and whether it was stored before. */
interface FlushRecord {
  readonly watched: WatchedKey
  readonly storedBefore: boolean
}

/** Whether `key` is stored in `db`, expired or not (a time before every expiry removes nothing). */
const stored = (db: Database, key: string): boolean => db.get(key, Number.NEGATIVE_INFINITY) !== undefined

/** Whether `key` is stored in `db` with its time passed at `now` (Redis's keyIsExpired). */
const storedExpired = (db: Database, key: string, now: number): boolean => {
  const at = db.expiresAt(key)
  return at !== undefined && at <= now
}

export class Watches {
  /** Work waits for the end of the running command (see `settle`). */
  pending = false
  private readonly byDb = new Map<Database, Map<string, Array<WatchedKey>>>()
  private watchedCount = 0
  private keyspace: Keyspace | undefined = undefined
  private installed = false
  /** Observer events so far: tells an expiry's removal (write, then `expired` at once) from a write. */
  private events = 0
  private tentative: Array<WatchedKey> = []
  private flushes: Array<FlushRecord> = []

  private readonly observer: KeyspaceHooks = {
    beforeWrite: (db, key) => this.written(db, key),
    expired: (db, key) => this.expired(db, key),
    flushed: (db) => this.flushed(db)
  }

  /** Keys watched over all clients. */
  get size(): number {
    return this.watchedCount
  }

  /** WATCH one key in the client's database (nothing when already watched there). */
  watch(client: ClientState, keyspace: Keyspace, db: Database, key: string, now: number): void {
    for (const watched of client.watching) if (watched.db === db && watched.key === key) return
    const watched = new WatchedKey(client, db, key, storedExpired(db, key, now))
    let keys = this.byDb.get(db)
    if (keys === undefined) this.byDb.set(db, keys = new Map())
    const watchers = keys.get(key)
    if (watchers === undefined) keys.set(key, [watched])
    else watchers.push(watched)
    client.watching.push(watched)
    this.watchedCount++
    this.keyspace = keyspace
    if (!this.installed) {
      keyspace.observers.push(this.observer)
      this.installed = true
    }
  }

  /** Forgets every key the client watches (its touched flag is the caller's business). */
  unwatchAll(client: ClientState): void {
    if (client.watching.length === 0) return
    for (const watched of client.watching) {
      watched.active = false
      const keys = this.byDb.get(watched.db)
      const watchers = keys?.get(watched.key)
      if (keys === undefined || watchers === undefined) continue
      const at = watchers.indexOf(watched)
      if (at >= 0) watchers.splice(at, 1)
      if (watchers.length === 0) keys.delete(watched.key)
      if (keys.size === 0) this.byDb.delete(watched.db)
      this.watchedCount--
    }
    client.watching = []
    // The observer leaves at the end of the command: it may be running right now.
    if (this.watchedCount === 0) this.pending = true
  }

  /** EXEC's check: a key watched while live is expired now (Redis's isWatchedKeyExpired). */
  expiredSinceWatch(client: ClientState, now: number): boolean {
    for (const watched of client.watching) {
      if (!watched.expired && storedExpired(watched.db, watched.key, now)) return true
    }
    return false
  }

  /** Settles what waited for the end of a command (see the module comment); `now` is its time. */
  settle(now: number): void {
    this.pending = false
    this.settleTentative()
    const flushes = this.flushes
    this.flushes = []
    for (const { watched, storedBefore } of flushes) {
      if (!watched.active) continue
      const storedAfter = stored(watched.db, watched.key)
      if (!storedBefore && !storedAfter) continue
      const expiredAfter = storedAfter && storedExpired(watched.db, watched.key, now)
      if (watched.expired) {
        // Expired when watched: gone now is no change; still expired is no change either.
        if (!storedAfter) watched.expired = false
        if (!storedAfter || expiredAfter) continue
      } else if (!storedBefore && expiredAfter) {
        // Missing, and an expired key took its place: still missing.
        watched.expired = true
        continue
      }
      this.touch(watched.client)
    }
    if (this.watchedCount === 0 && this.installed && this.keyspace !== undefined) {
      const at = this.keyspace.observers.indexOf(this.observer)
      if (at >= 0) this.keyspace.observers.splice(at, 1)
      this.installed = false
      this.tentative = []
    }
  }

  private written(db: Database, key: string): void {
    this.events++
    if (this.tentative.length > 0) this.settleTentative()
    const watchers = this.byDb.get(db)?.get(key)
    if (watchers === undefined) return
    for (const watched of [...watchers]) {
      if (!watched.active) continue
      if (watched.expired) {
        watched.tentativeAt = this.events
        this.tentative.push(watched)
        this.pending = true
      } else {
        this.touch(watched.client)
      }
    }
  }

  private expired(db: Database, key: string): void {
    this.events++
    const watchers = this.byDb.get(db)?.get(key)
    if (watchers === undefined) return
    for (const watched of watchers) {
      // The write just before was this removal: a key that had expired when watched did not change.
      if (watched.tentativeAt === this.events - 1 && watched.tentativeAt !== 0) {
        watched.tentativeAt = 0
        watched.expired = false
      }
    }
  }

  private flushed(db: Database): void {
    this.events++
    if (this.tentative.length > 0) this.settleTentative()
    const keys = this.byDb.get(db)
    if (keys === undefined) return
    for (const [key, watchers] of keys) {
      const storedBefore = stored(db, key)
      for (const watched of watchers) this.flushes.push({ watched, storedBefore })
    }
    this.pending = true
  }

  /** Writes that were not an expiry's removal after all: they touch. */
  private settleTentative(): void {
    const tentative = this.tentative
    this.tentative = []
    for (const watched of tentative) {
      if (watched.tentativeAt === 0 || !watched.active) continue
      watched.tentativeAt = 0
      this.touch(watched.client)
    }
  }

  /** A watched key changed: the client's next EXEC fails, and nothing it watches matters anymore. */
  private touch(client: ClientState): void {
    client.watchTouched = true
    this.unwatchAll(client)
  }
}
