/**
 * Cursors that are live iterators over a collection's Map or Set: HSCAN, SSCAN and ZSCAN walk
 * the members of a collection this way. (SCAN itself walks the keyspace's hash table with
 * Redis's own reverse-binary cursors: see keyspace/table/KeyTable.ts.)
 *
 * Redis's cursor is a position in its hash table; ours is the id of a live iterator over the
 * Map or Set walked. A native iterator survives inserts and deletes and visits every member
 * that stays exactly once (members inserted later are visited too), which gives SCAN's
 * guarantee: a member present for the whole iteration is returned at least once.
 *
 * The iterators wait here between calls, in one bounded table per Map or Set:
 * - every call consumes its cursor and parks the iterator under a fresh id, so repeating a
 *   cursor (a retried request) never skips members — the old id is simply unknown by then;
 * - past `CURSORS_PER_MAP` parked iterators the oldest is dropped (an abandoned SCAN costs
 *   nothing after that);
 * - the table is keyed by the Map or Set itself (a WeakMap): when it is replaced (FLUSHDB,
 *   SWAPDB) or dropped (a deleted hash), its cursors become unknown and it can be collected
 *   with its iterators.
 *
 * An unknown cursor (never issued, already used, evicted, or from before a flush) starts a new
 * iteration from the beginning, so the guarantee still holds; members may then repeat, which
 * SCAN allows. Ids come from one counter per process: positive, never 0 (0 means "done"), below 2^53.
 */

/** Parked iterators kept per collection before the oldest is dropped. */
export const CURSORS_PER_MAP = 4096

/** What a cursor walks: the keys of a Map (a hash, a sorted set's scores) or a Set's members. */
type Entries = ReadonlyMap<string, unknown> | ReadonlySet<string>

let lastCursorId = 0

class CursorTable {
  /** Insertion ordered: the first entry is the oldest parked iterator. */
  private readonly parked = new Map<number, Iterator<string>>()

  /** Removes and returns the iterator parked under `id`. */
  take(id: number): Iterator<string> | undefined {
    const iterator = this.parked.get(id)
    if (iterator !== undefined) this.parked.delete(id)
    return iterator
  }

  /** Keeps `iterator` for a later call and returns its new cursor id. */
  park(iterator: Iterator<string>): number {
    const id = ++lastCursorId
    this.parked.set(id, iterator)
    if (this.parked.size > CURSORS_PER_MAP) {
      const oldest = this.parked.keys().next()
      if (!oldest.done) this.parked.delete(oldest.value)
    }
    return id
  }

  get size(): number {
    return this.parked.size
  }
}

const tables = new WeakMap<Entries, CursorTable>()

const tableOf = (entries: Entries): CursorTable => {
  let table = tables.get(entries)
  if (table === undefined) {
    table = new CursorTable()
    tables.set(entries, table)
  }
  return table
}

const CURSOR = /^(?:[+-]?[0-9]+)?$/
const UINT64_MAX = 18446744073709551615n
const TWO_TO_64 = 18446744073709551616n

/**
 * A cursor argument as Redis reads it (`strtoul`): empty means 0, an optional sign, digits, no
 * spaces, at most 2^64-1 (a '-' wraps around). -1 for a valid cursor none of ours can be
 * (>= 2^53); undefined for an invalid one ("ERR invalid cursor").
 */
export const parseScanCursor = (text: string): number | undefined => {
  if (!CURSOR.test(text)) return undefined
  if (text.length <= 15) {
    const value = text === "" ? 0 : Number(text)
    return value < 0 ? -1 : value
  }
  const negative = text.charCodeAt(0) === 45
  const magnitude = BigInt(negative ? text.slice(1) : text)
  if (magnitude > UINT64_MAX) return undefined
  const value = negative && magnitude !== 0n ? TWO_TO_64 - magnitude : magnitude
  return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : -1
}

/** The iterator to continue for `cursor` (0, or an unknown id, starts a new one). */
export const resumeScan = (entries: Entries, cursor: number): Iterator<string> => {
  const iterator = cursor === 0 ? undefined : tables.get(entries)?.take(cursor)
  return iterator ?? entries.keys()
}

/** Parks an unfinished iteration and returns the cursor to give the client. */
export const suspendScan = (entries: Entries, iterator: Iterator<string>): number =>
  tableOf(entries).park(iterator)

/** How many iterations are parked for `entries` (tests, INFO-style introspection). */
export const parkedScans = (entries: Entries): number => tables.get(entries)?.size ?? 0
