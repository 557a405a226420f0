/**
 * What a key holds. A string value is a byte string (latin1 JS string): immutable, compact, and
 * written to the socket without conversion. Other types (lists, hashes, sets, sorted sets) are
 * objects that say their type and their Redis encoding name; their families add them.
 */
export interface CollectionValue {
  readonly type: "list" | "hash" | "set" | "zset" | "stream"
  /** The name OBJECT ENCODING answers (Redis's: listpack, quicklist, hashtable, intset, skiplist). */
  encoding(): string
  /** An independent copy (COPY; copy-on-write snapshots). */
  clone(): CollectionValue
  /**
   * Estimated bytes the value holds on the JS heap, in O(1): each type keeps it up to date in its
   * own mutators (see values/memoryEstimate.ts). The keyspace reads it when the value is stored,
   * before an in-place change (`Database.willModify`) and after the command, for maxmemory.
   */
  memoryUsage(): number
}

export type RedisValue = string | CollectionValue

/** TYPE's answer for a value. */
export const typeName = (value: RedisValue): string => (typeof value === "string" ? "string" : value.type)

export const WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value"
