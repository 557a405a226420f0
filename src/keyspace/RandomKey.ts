/**
 * RANDOMKEY over a native Map, which has no O(1) "entry at index i".
 *
 * Small databases are simply listed (at most `LIST_LIMIT` steps). Larger ones are sampled from
 * a snapshot array of their keys, kept per `entries` Map (a WeakMap, so a flushed Map takes its
 * snapshot with it). The snapshot is rebuilt when it has gone stale: after more writes than half
 * its size (counted by the keyspace's `dirty` counter), or when several picks in a row hit keys
 * that are gone. That makes a pick O(1) amortized: a rebuild's O(N) is paid for by the N/2
 * writes that made it necessary. Keys added since the last rebuild are not picked until the
 * next one, a bias of the same order as Redis's own (its picks favour short bucket chains).
 *
 * Expired keys are never answered: every candidate is checked with `db.get`, which also
 * removes it when its time has passed, as Redis does.
 */
import type { Database } from "./Database.js"
import type { RedisValue } from "./Value.js"

/** Databases up to this size are listed on every call rather than snapshotted. */
const LIST_LIMIT = 128
/** Picks from a snapshot before it is rebuilt because too many of its keys are gone. */
const TRIES = 8

interface KeySnapshot {
  readonly keys: Array<string>
  /** The keyspace's write counter when the snapshot was taken. */
  readonly dirtyAtBuild: number
}

const snapshots = new WeakMap<Map<string, RedisValue>, KeySnapshot>()

const pick = (keys: ReadonlyArray<string>): string => keys[Math.floor(Math.random() * keys.length)]

/** Every live key of `db` (removing expired ones on the way). */
const liveKeys = (db: Database, now: number): Array<string> => {
  const keys: Array<string> = []
  for (const key of db.entries.keys()) if (db.get(key, now) !== undefined) keys.push(key)
  return keys
}

const isStale = (snapshot: KeySnapshot, dirty: number): boolean =>
  dirty < snapshot.dirtyAtBuild || dirty - snapshot.dirtyAtBuild > Math.max(LIST_LIMIT, snapshot.keys.length / 2)

/** A random live key of `db`, or undefined when it has none. `stats.dirty` counts the keyspace's writes. */
export const randomKey = (db: Database, now: number, stats: { readonly dirty: number }): string | undefined => {
  if (db.size === 0) return undefined
  if (db.size <= LIST_LIMIT) {
    const keys = liveKeys(db, now)
    return keys.length === 0 ? undefined : pick(keys)
  }
  const snapshot = snapshots.get(db.entries)
  if (snapshot !== undefined && snapshot.keys.length > 0 && !isStale(snapshot, stats.dirty)) {
    for (let i = 0; i < TRIES; i++) {
      const key = pick(snapshot.keys)
      if (db.get(key, now) !== undefined) return key
    }
  }
  // Listing may remove expired keys (each a write), so read the counter after it.
  const keys = liveKeys(db, now)
  snapshots.set(db.entries, { keys, dirtyAtBuild: stats.dirty })
  return keys.length === 0 ? undefined : pick(keys)
}
