/**
 * All databases of one server, plus the counters INFO reports about them. This is the plain,
 * synchronous state that the `Db` service keeps behind a `Ref`: every batch of commands and every
 * in-process `Db` call runs against it inside one `Ref.modify`, so no one ever sees it
 * half-applied.
 */
import type { LatencyProbe } from "./LatencyProbe.js"
import { CommandLog } from "./CommandLog.js"
import { AccessClock } from "./AccessClock.js"
import { Alarm } from "./Alarm.js"
import { Database, type DatabaseHooks, type KeyspaceHooks } from "./Database.js"
import { nextSnapshotEpoch } from "./table/KeyTable.js"
import { MemoryLedger } from "./table/MemoryLedger.js"
import type { TableSnapshot } from "./table/TableSnapshot.js"

/** Every database as it was at one moment, for a background writer; `release` when done. */
export interface KeyspaceSnapshot {
  /** By database index. */
  readonly databases: ReadonlyArray<TableSnapshot>
  release(): void
}

export interface KeyspaceStats {
  expiredKeys: number
  /** Writes since start (INFO's rdb_changes_since_last_save until persistence resets it). */
  dirty: number
}

/** Buckets of an ongoing resize moved per database per cron cycle (~0.1 ms at 1 M keys). */
const REHASH_BUCKETS_PER_CYCLE = 1000

export class Keyspace {
  readonly databases: ReadonlyArray<Database>
  readonly stats: KeyspaceStats = { expiredKeys: 0, dirty: 0 }
  /** Extra observers of writes and expiries (WATCH, notifications, snapshots); installed later. */
  readonly observers: Array<KeyspaceHooks> = []
  /** Active expiry waits (a busy script is suspended between its slices; see src/commands/scripting/busy.ts). */
  sweepPaused = false
  /** The write commands applied, for the append-only file (records nothing while it is off). */
  readonly commandLog = new CommandLog()
  /** Access stamps of every database's keys (LRU/LFU); batches set its time. */
  readonly access = new AccessClock()
  /** Memory accounting shared by every database (dispatch settles it after each command). */
  readonly memory = new MemoryLedger()
  /** The active expiry cycle runs (DEBUG SET-ACTIVE-EXPIRE 0 turns it off, as in Redis). */
  activeExpiry = true
  /** Wakes the active expiry cycle for a TTL earlier than the one it sleeps until. */
  readonly sweepAlarm = new Alarm()
  /** Rung when the write count reaches `wakeAtDirty` (persistence's save points and fsync). */
  readonly dirtyAlarm = new Alarm()
  wakeAtDirty = Number.POSITIVE_INFINITY
  /** Where an active expiry cycle's time goes (the latency monitor's `expire-cycle`); set by the server. */
  latencyProbe: LatencyProbe | undefined = undefined

  constructor(databaseCount: number) {
    const hooks: DatabaseHooks = {
      beforeWrite: (db, key) => {
        if (++this.stats.dirty >= this.wakeAtDirty) this.dirtyAlarm.request(0)
        for (let i = 0; i < this.observers.length; i++) this.observers[i].beforeWrite(db, key)
      },
      expired: (db, key) => {
        this.stats.expiredKeys++
        // Replay must not depend on the clock: an expiry is logged as the deletion it was.
        this.commandLog.append(db.id, ["DEL", key])
        for (let i = 0; i < this.observers.length; i++) this.observers[i].expired(db, key)
      },
      flushed: (db) => {
        // Every key counts as a write, as when they were removed one by one.
        this.stats.dirty += db.size
        if (this.stats.dirty >= this.wakeAtDirty) this.dirtyAlarm.request(0)
        for (let i = 0; i < this.observers.length; i++) this.observers[i].flushed(db)
        // SWAPDB and replication's reload bring keys with TTLs the sweeper has not planned for.
        this.sweepAlarm.request(0)
      },
      expirySet: (at) => this.sweepAlarm.request(at)
    }
    this.databases = Array.from({ length: databaseCount }, (_, id) => new Database(id, hooks, this.access, this.memory))
  }

  /** Keys over all databases. */
  get size(): number {
    let total = 0
    for (const db of this.databases) total += db.size
    return total
  }

  /**
   * A point-in-time view of every database (copy-on-write: see table/TableSnapshot.ts). Taking
   * one costs a few array copies, not a pass over the keys. One at a time.
   */
  snapshot(): KeyspaceSnapshot {
    const epoch = nextSnapshotEpoch()
    const preserved = new Map<unknown, unknown>()
    const databases = this.databases.map((db) => db.table.snapshot(epoch, preserved))
    return {
      databases,
      release: () => {
        for (const snapshot of databases) snapshot.release()
        preserved.clear()
      }
    }
  }

  /** Estimated bytes of every database's keys and values, settled (see table/MemoryLedger.ts). */
  memoryBytes(): number {
    this.memory.settle()
    let total = 0
    for (let i = 0; i < this.databases.length; i++) total += this.databases[i].memoryBytes
    return total
  }

  flushAll(): void {
    for (const db of this.databases) db.clear()
  }

  /**
   * One cycle of active expiry over every database, Redis-style: sample keys with a TTL in
   * rounds of `ROUND`, go on while more than a quarter of a round had expired, and never check
   * more than `maxChecks` keys per database per cycle, so the work per cycle is bounded.
   */
  sweepExpired(now: number, maxChecks = 2000): number {
    // A script suspended past busy-reply-threshold still owns the keyspace, and CLIENT PAUSE or
    // DEBUG SET-ACTIVE-EXPIRE 0 stop active expiry: nothing expires under them.
    if (this.sweepPaused || !this.activeExpiry || this.databases[0].expiryPausedUntil > now) return 0
    if (this.databases[0].expiresFromPrimary) return 0
    const ROUND = 20
    this.access.setTime(now)
    const probe = this.latencyProbe !== undefined && this.latencyProbe.monitoring ? this.latencyProbe : undefined
    const started = probe !== undefined ? probe.micros() : 0
    let expired = 0
    for (const db of this.databases) {
      // The cron's share of a resize in progress (Redis's incrementallyRehash), then expiry.
      db.rehashSome(REHASH_BUCKETS_PER_CYCLE)
      let checkedTotal = 0
      while (checkedTotal < maxChecks) {
        const [checked, expiredNow] = db.sweep(now, ROUND)
        checkedTotal += checked
        expired += expiredNow
        if (checked < ROUND || expiredNow * 4 <= checked) break
      }
    }
    if (probe !== undefined) probe.phaseEnded("expire-cycle", started)
    return expired
  }

  /**
   * When the active expiry cycle should run next, after a cycle at `now` that expired `expired`
   * keys: at the earliest TTL when there are few keys with one, else `period` ms on as Redis's
   * cron does; Infinity when no key has a TTL and no resize is in progress (a new TTL requests a
   * cycle through `sweepAlarm`).
   */
  nextSweepAt(now: number, period: number, expired: number): number {
    let volatile = 0
    let resizing = false
    for (const db of this.databases) {
      volatile += db.volatileCount
      resizing ||= db.resizing
    }
    if (resizing || expired > 0) return now + period
    if (volatile === 0) return Number.POSITIVE_INFINITY
    if (volatile > PLANNED_SWEEP_MAX_KEYS || this.sweepPaused || !this.activeExpiry) return now + period
    let earliest = Number.POSITIVE_INFINITY
    for (const db of this.databases) earliest = Math.min(earliest, db.earliestExpiry())
    // Keys already due but left (CLIENT PAUSE, a replica waiting for its primary's DEL): poll.
    return earliest > now ? earliest : now + period
  }
}

/** Up to this many keys with a TTL, the sweeper finds the earliest one instead of polling at hz. */
const PLANNED_SWEEP_MAX_KEYS = 4096
