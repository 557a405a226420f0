/**
 * SCAN cursors over a database's keys, and HSCAN / SSCAN / ZSCAN cursors over the members of a
 * Map- or Set-backed collection: the same mechanism, keyed by the Map or Set walked.
 *
 * Redis's cursor is a position in its hash table; ours is the id of a live iterator over the
 * database's `entries` Map. A native Map iterator survives inserts and deletes and visits every
 * key that stays in the map exactly once (keys inserted later are visited too), which gives
 * SCAN's guarantee: a key present for the whole iteration is returned at least once.
 *
 * The iterators wait here between calls, in one bounded table per `entries` Map:
 * - every call consumes its cursor and parks the iterator under a fresh id, so repeating a
 *   cursor (a retried request) never skips keys — the old id is simply unknown by then;
 * - past `CURSORS_PER_MAP` parked iterators the oldest is dropped (an abandoned SCAN costs
 *   nothing after that);
 * - the table is keyed by the Map itself (a WeakMap): FLUSHDB / FLUSHALL / SWAPDB give a
 *   database a new Map, the old one's cursors become unknown, and the old Map with its
 *   iterators can be garbage collected.
 *
 * An unknown cursor (never issued, already used, evicted, or from before a flush) starts a new
 * iteration from the beginning, so the guarantee still holds; keys may then repeat, which SCAN
 * allows. Ids come from one counter per process: positive, never 0 (0 means "done"), below 2^53.
 */
/** Parked iterators kept per database Map (or collection) before the oldest is dropped. */
export const CURSORS_PER_MAP = 4096

/** What a cursor walks: the keys of a Map (a database's entries, a hash) or a Set's members. */
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
