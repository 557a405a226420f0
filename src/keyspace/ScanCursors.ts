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
const CURSORS_PER_MAP = 4096

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

/** The id of a cursor a client sent (a uint64), or 0 (a new iteration) when none of ours can have it. */
const idOf = (cursor: bigint): number => (cursor <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(cursor) : -1)

/** The iterator to continue for `cursor` (0, or an unknown id, starts a new one). */
const resumeScan = (entries: Entries, cursor: bigint): Iterator<string> => {
  const iterator = cursor === 0n ? undefined : tables.get(entries)?.take(idOf(cursor))
  return iterator ?? entries.keys()
}

/** Parks an unfinished iteration and returns the cursor to give the client. */
const suspendScan = (entries: Entries, iterator: Iterator<string>): number =>
  tableOf(entries).park(iterator)

/**
 * One call's worth of a walk: from `cursor`, `visit` up to `count` members; the cursor to answer
 * ("0" when the walk is over).
 */
export const scanPage = (entries: Entries, cursor: bigint, count: number, visit: (member: string) => void): string => {
  const iterator = resumeScan(entries, cursor)
  for (let visited = 0; visited < count; visited++) {
    const step = iterator.next()
    if (step.done === true) return "0"
    visit(step.value)
  }
  return String(suspendScan(entries, iterator))
}
