/**
 * Memory accounting of a keyspace, for maxmemory and INFO memory. Used memory must be cheap to
 * read (it is checked before every command once maxmemory is set), so nothing is ever walked:
 *
 * - each KeyTable keeps running totals — the Arena's bytes of records in use (class sizes), the
 *   bytes of strings kept on the JS heap, the slots of its heap array, its bucket arrays and TTL
 *   arrays — and `KeyTable.memoryBytes` adds them up (see there for the formula);
 * - collection values (lists, hashes, sets, sorted sets) estimate their own heap bytes in O(1)
 *   (`CollectionValue.memoryUsage`, src/keyspace/values/memoryEstimate.ts); a table adds a value's estimate
 *   when it stores it and takes away what it had added when it lets the value go;
 * - a collection changed in place is announced by `Database.willModify`: the table remembers the
 *   estimate it accounted, and `settle` (run by dispatch after each command) adds the difference.
 *   A collection just stored is remembered the same way, because commands store a new empty
 *   collection first and fill it after.
 *
 * The ledger is shared by a keyspace's tables and lists those with changes to settle, so that
 * after a command that touched no collection `settle` is one field read.
 */

/** What the ledger settles: a KeyTable. */
export interface SettlingTable {
  settlePending(): void
}

export class MemoryLedger {
  /** Some table has collections whose estimate may have changed (dispatch reads this). */
  hasPending = false
  /** The tables to settle, in `tables[0, count)` (no array resizing per command). */
  private readonly tables: Array<SettlingTable | undefined> = []
  private count = 0

  /** `table` has its first collection to settle. */
  add(table: SettlingTable): void {
    this.tables[this.count++] = table
    this.hasPending = true
  }

  /** Brings every table's total up to date with its collections' current estimates. */
  settle(): void {
    if (!this.hasPending) return
    for (let i = 0; i < this.count; i++) {
      const table = this.tables[i]!
      // Not kept: a table FLUSHDB dropped must be free to go.
      this.tables[i] = undefined
      table.settlePending()
    }
    this.count = 0
    this.hasPending = false
  }
}
