/**
 * One of the numbered databases: its keys, values and expiry times in a `KeyTable` (records in
 * off-heap slabs; see table/KeyTable.ts for why), behind the methods every command uses.
 *
 * Keys and string values are byte strings (latin1), binary-safe. Every write goes through a
 * method here — never through the table from a command — so the hooks later issues need (WATCH,
 * keyspace events, copy-on-write snapshots) have one place to live. Collection values are
 * replaced, or mutated in place only after `willModify` (see `KeyspaceHooks.beforeWrite`).
 *
 * The hot commands (GET, SET, INCR) can work on a key's record directly: `lookup` returns it
 * (or -1), and `replyString` writes a string value into a reply without making a JS string.
 */
import type { ReplyWriter } from "../protocol/ReplyWriter.js"
import { AccessClock } from "./AccessClock.js"
import { type InlineBytes, KIND_INLINE, KIND_OBJECT, KeyTable } from "./table/KeyTable.js"
import { MemoryLedger } from "./table/MemoryLedger.js"
import type { CollectionValue, RedisValue } from "./Value.js"
import { MutableBytes } from "./values/MutableBytes.js"

const cloneCollection = (value: unknown): unknown => (value as CollectionValue).clone()

export interface KeyspaceHooks {
  /** Called before a key's value or TTL changes or the key goes away. */
  beforeWrite(db: Database, key: string): void
  /** Called when a key was found expired (passively or by the sweeper) and removed. */
  expired(db: Database, key: string): void
  /** Called before every key of `db` goes away or is replaced at once (FLUSHDB, FLUSHALL, SWAPDB). */
  flushed(db: Database): void
}

/** What a database tells its keyspace: the observers' events, and TTLs for the sweeper's planning. */
export interface DatabaseHooks extends KeyspaceHooks {
  /** Called when a key gets the expiry time `at`. */
  expirySet(at: number): void
}

const noHooks: DatabaseHooks = {
  beforeWrite: () => {},
  expired: () => {},
  flushed: () => {},
  expirySet: () => {}
}

/**
 * What OBJECT ENCODING answers for a string whose text would say otherwise: "raw" after APPEND or
 * SETRANGE wrote into it, "embstr" for INCRBYFLOAT's integer-looking result, "int" for an integer
 * in its own object (COPY's duplicate of a shared 0..9999, whose refcount is then 1).
 */
export type StringEncodingOverride = "raw" | "embstr" | "int"

/** Encoding notes as kept in a record's two bits (0: none). */
const ENCODING_NOTES: ReadonlyArray<StringEncodingOverride | undefined> = [undefined, "raw", "embstr", "int"]

/** Scratch for `replyString` (one batch runs at a time). */
const inlineBytes: InlineBytes = { bytes: Buffer.alloc(0), start: 0, length: 0 }

export class Database {
  table: KeyTable
  /** Where the active expiry cycle continues in the table's list of keys with a TTL. */
  private sweepPosition = 0
  /**
   * Until this Unix ms (CLIENT PAUSE), a key whose time has passed reads as missing but is not
   * deleted, and the active cycle leaves it: Redis 7.0 expires nothing while clients are paused.
   */
  expiryPausedUntil = 0
  /**
   * On a replica: keys are expired by the primary's DEL only. One whose time has passed reads as
   * missing but stays (Redis 7.0's replica), and the active cycle leaves it.
   */
  expiresFromPrimary = false
  /** Shared by a replica's databases: while its primary's commands run, expired keys are still there for them. */
  primaryCommand: { running: boolean } = { running: false }

  constructor(
    readonly id: number,
    readonly hooks: DatabaseHooks = noHooks,
    /** Shared by all databases: the time and policy of access stamps (LRU/LFU). */
    readonly access: AccessClock = new AccessClock(),
    /** Shared by all databases: the tables with collections whose size must be settled. */
    readonly ledger: MemoryLedger = new MemoryLedger()
  ) {
    this.table = new KeyTable(access, ledger)
  }

  get size(): number {
    return this.table.size
  }

  /** How many keys have a TTL (INFO's `expires=`). */
  get volatileCount(): number {
    return this.table.volatileCount
  }

  /**
   * The live record of `key` at `now`, or -1; a key whose time has passed is removed first
   * (passive expiry). Counts as an access (LRU/LFU), as Redis's lookupKey does.
   */
  lookup(key: string, now: number): number {
    const ref = this.peek(key, now)
    if (ref !== -1) this.table.touch(ref)
    return ref
  }

  /** `lookup` without counting an access (Redis's LOOKUP_NOTOUCH: OBJECT, TYPE-like introspection). */
  peek(key: string, now: number): number {
    const table = this.table
    const ref = table.find(key)
    if (ref === -1 || table.volatileCount === 0) return ref
    const at = table.expireAt(ref)
    if (at !== undefined && at <= now) {
      if (this.expiresFromPrimary) return this.primaryCommand.running ? ref : -1
      if (this.expiryPausedUntil <= now) this.expireRef(ref, key)
      return -1
    }
    return ref
  }

  /** The live value of `key` at `now` (see `lookup`); a string kept as MutableBytes comes as its text. */
  get(key: string, now: number): RedisValue | undefined {
    const ref = this.lookup(key, now)
    return ref === -1 ? undefined : this.valueAt(ref)
  }

  /** The live value of `key` without counting an access (see `peek`). */
  peekValue(key: string, now: number): RedisValue | undefined {
    const ref = this.peek(key, now)
    return ref === -1 ? undefined : this.valueAt(ref)
  }

  /**
   * `get` for the bitmap commands: a string kept as bytes comes as its `MutableBytes`, read
   * without building its text.
   */
  getBytes(key: string, now: number): RedisValue | MutableBytes | undefined {
    const ref = this.lookup(key, now)
    return ref === -1 ? undefined : (this.table.valueOf(ref) as RedisValue | MutableBytes)
  }

  /**
   * The string at `key` (live, just looked up) as `MutableBytes` to change in place, converting
   * an ordinary string (the same value: not a write, so no hook runs). Call `willModify` before
   * each change.
   */
  mutableBytes(key: string, value: string | MutableBytes, room: number): MutableBytes {
    if (value instanceof MutableBytes) return value
    const bytes = MutableBytes.fromString(value, room)
    this.table.replace(this.table.find(key), bytes)
    return bytes
  }

  /** Whether `key` is live; not an access. */
  has(key: string, now: number): boolean {
    return this.peek(key, now) !== -1
  }

  /** Whether the live record `ref` holds a string. */
  holdsString(ref: number): boolean {
    return this.table.kindOf(ref) !== KIND_OBJECT || this.table.valueOf(ref) instanceof MutableBytes
  }

  /** Writes the string at record `ref` as a bulk reply; false, writing nothing, for another type. */
  replyString(ref: number, out: ReplyWriter): boolean {
    const kind = this.table.kindOf(ref)
    if (kind === KIND_INLINE) {
      this.table.inlineValue(ref, inlineBytes)
      out.bulkSlice(inlineBytes.bytes, inlineBytes.start, inlineBytes.length)
      return true
    }
    const value = this.table.valueOf(ref)
    if (kind === KIND_OBJECT) {
      if (!(value instanceof MutableBytes)) return false
      out.bulkSlice(value.view(), 0, value.length)
      return true
    }
    out.bulk(value as string)
    return true
  }

  /** Absolute expiry in ms, or undefined for a key without TTL. Call `get` first for liveness. */
  expiresAt(key: string): number | undefined {
    const ref = this.table.find(key)
    return ref === -1 ? undefined : this.table.expireAt(ref)
  }

  /** Stores a value and clears any TTL (what SET does without KEEPTTL). */
  set(key: string, value: RedisValue | MutableBytes): void {
    this.hooks.beforeWrite(this, key)
    this.table.put(key, value, false)
  }

  /** Stores a value and keeps the key's TTL (APPEND, INCR, SETRANGE, SET KEEPTTL). */
  setKeepTtl(key: string, value: RedisValue | MutableBytes): void {
    this.hooks.beforeWrite(this, key)
    this.table.put(key, value, true)
  }

  /**
   * Replaces the value of `key`, whose live record `ref` a `lookup` just returned (with no write
   * in between), keeping its TTL: INCR and friends, without a second lookup.
   */
  replaceKeepTtl(ref: number, key: string, value: RedisValue): void {
    this.hooks.beforeWrite(this, key)
    this.table.replace(ref, value)
  }

  /**
   * The safe integer a live record from `lookup` holds as a short string, read in place; NaN when
   * that takes the general way (another type, other text, a bigint; see KeyTable.inlineInteger).
   */
  inlineIntegerAt(ref: number): number {
    return this.table.inlineInteger(ref)
  }

  /** `replaceKeepTtl` with the decimal text of the safe integer `value` (INCR's result). */
  replaceWithInteger(ref: number, key: string, value: number): void {
    this.hooks.beforeWrite(this, key)
    if (!this.table.replaceWithDigits(ref, value)) this.table.replace(ref, String(value))
  }

  /** The value of a live record from `lookup`. */
  valueAt(ref: number): RedisValue {
    const value = this.table.valueOf(ref)
    return value instanceof MutableBytes ? value.toString() : (value as RedisValue)
  }

  /** Stores a value with an absolute expiry time. */
  setWithExpiry(key: string, value: RedisValue, at: number): void {
    this.hooks.beforeWrite(this, key)
    this.table.setExpire(this.table.put(key, value, true), at)
    this.hooks.expirySet(at)
  }

  /** Sets the TTL of an existing key. */
  setExpiry(key: string, at: number): void {
    const ref = this.table.find(key)
    if (ref === -1) return
    this.hooks.beforeWrite(this, key)
    this.table.setExpire(ref, at)
    this.hooks.expirySet(at)
  }

  /** Removes the TTL; true when there was one. */
  persist(key: string): boolean {
    const ref = this.table.find(key)
    if (ref === -1 || this.table.expireAt(ref) === undefined) return false
    this.hooks.beforeWrite(this, key)
    return this.table.clearExpire(ref)
  }

  /** Sets the access stamp (AccessClock) of `key`, as RESTORE's IDLETIME and FREQ do. */
  setAccessStamp(key: string, stamp: number): void {
    const ref = this.table.find(key)
    if (ref !== -1) this.table.setAccessStamp(ref, stamp)
  }

  /** Records the encoding of the string just stored at `key` (see `StringEncodingOverride`). */
  markEncoding(key: string, encoding: StringEncodingOverride): void {
    const ref = this.table.find(key)
    if (ref !== -1) this.table.setEncodingNote(ref, ENCODING_NOTES.indexOf(encoding))
  }

  /** The recorded encoding of the string at `key`, if its text does not decide it. */
  encodingOverride(key: string): StringEncodingOverride | undefined {
    const ref = this.table.find(key)
    return ref === -1 ? undefined : ENCODING_NOTES[this.table.encodingNote(ref)]
  }

  /**
   * Announces an in-place change of a collection value: hooks run, a snapshot being written
   * (BGSAVE, BGREWRITEAOF) gets a copy of the value as it is now, and the memory accounting
   * remembers its size estimate to settle after the command (table/MemoryLedger.ts).
   */
  willModify(key: string): void {
    this.hooks.beforeWrite(this, key)
    // Usually right after the command's own lookup of `key`: no second one.
    const ref = this.table.findRecent(key)
    if (ref === -1) return
    this.table.noteChange(ref)
    if (this.table.snapshotting) this.table.preserveForSnapshot(ref, cloneCollection)
  }

  /**
   * `willModify` without the hooks, for a change that is not (or not yet) a signalled write:
   * an in-place change that may turn out to change nothing (PFADD of elements already counted;
   * `announceWrite` follows once it did change), or one Redis never signals as a modification of
   * the key (stream consumer-group bookkeeping, XSETID: WATCH stays valid). Snapshots and memory
   * accounting see it as any change; the caller counts the write (`Keyspace.stats.dirty`).
   */
  prepareInPlace(key: string): void {
    const ref = this.table.findRecent(key)
    if (ref === -1) return
    this.table.noteChange(ref)
    if (this.table.snapshotting) this.table.preserveForSnapshot(ref, cloneCollection)
  }

  /** The hooks of a write prepared with `prepareInPlace` that did change the value (WATCH, dirty count, ...). */
  announceWrite(key: string): void {
    this.hooks.beforeWrite(this, key)
  }

  /** Estimated bytes of this database's keys and values (see table/MemoryLedger.ts). */
  get memoryBytes(): number {
    return this.table.memoryBytes
  }

  delete(key: string): boolean {
    if (this.table.find(key) === -1) return false
    this.hooks.beforeWrite(this, key)
    return this.table.remove(key)
  }

  /** Removes every key. */
  clear(): void {
    this.hooks.flushed(this)
    this.table = new KeyTable(this.access, this.ledger)
    this.sweepPosition = 0
  }

  /** Exchanges contents with another database (SWAPDB): ids stay, data moves. */
  swapWith(other: Database): void {
    this.hooks.flushed(this)
    other.hooks.flushed(other)
    const table = this.table
    this.table = other.table
    other.table = table
    this.sweepPosition = 0
    other.sweepPosition = 0
  }

  /** Every key, expired or not (callers check liveness with `has`, which removes expired ones). */
  keys(): Array<string> {
    return this.table.keys()
  }

  /** One SCAN step from `cursor`: the keys of the buckets it covers (expired ones included), and the next cursor. */
  scanStep(cursor: number, found: Array<string>): number {
    const table = this.table
    return table.scanStep(cursor, (ref) => found.push(table.keyOf(ref)))
  }

  /** A random live key (expired ones met on the way are removed), or undefined when there is none. */
  randomKey(now: number): string | undefined {
    // A replica deletes nothing: after this many expired picks it answers one (as Redis does).
    let triesOnReplica = 100
    for (;;) {
      const ref = this.table.randomRef()
      if (ref === -1) return undefined
      const key = this.table.keyOf(ref)
      const at = this.table.expireAt(ref)
      if (at === undefined || at > now) return key
      if (this.expiresFromPrimary) {
        if (--triesOnReplica === 0) return key
        continue
      }
      this.expireRef(ref, key)
    }
  }

  /** Average remaining TTL in ms over up to `sample` keys with one (INFO keyspace's avg_ttl). */
  averageTtl(now: number, sample: number): number {
    const table = this.table
    let counted = 0
    let sum = 0
    for (let i = 0; i < table.volatileCount && counted < sample; i++) {
      const at = table.volatileExpireAt(i)
      if (at > now) {
        sum += at - now
        counted++
      }
    }
    return counted === 0 ? 0 : Math.round(sum / counted)
  }

  /**
   * One bounded step of active expiry: checks up to `budget` keys that have a TTL, continuing
   * where the last step stopped, and removes those whose time has passed. Returns
   * [checked, expired] so the sweeper can decide, like Redis, whether to go on.
   */
  sweep(now: number, budget: number): [checked: number, expired: number] {
    const table = this.table
    let checked = 0
    let expired = 0
    let position = this.sweepPosition
    let restarted = false
    while (checked < budget && table.volatileCount > 0) {
      if (position >= table.volatileCount) {
        // End of the list: start over once, so a step never loops over the same keys forever.
        if (restarted) break
        position = 0
        restarted = true
        continue
      }
      checked++
      if (table.volatileExpireAt(position) <= now) {
        // The last key with a TTL takes this position: it is checked next.
        const ref = table.volatileRef(position)
        this.expireRef(ref, table.keyOf(ref))
        expired++
      } else {
        position++
      }
    }
    this.sweepPosition = position
    return [checked, expired]
  }

  /** The earliest expiry time of a key with a TTL (Infinity when none): a pass over the TTLs. */
  earliestExpiry(): number {
    const table = this.table
    let earliest = Number.POSITIVE_INFINITY
    for (let i = 0; i < table.volatileCount; i++) earliest = Math.min(earliest, table.volatileExpireAt(i))
    return earliest
  }

  /** A resize of the table is in progress (the cron moves a share of it each cycle). */
  get resizing(): boolean {
    return this.table.resizing
  }

  /** Background upkeep for the server cron: shrinking a sparse table, a share of an ongoing resize. */
  rehashSome(buckets: number): void {
    this.table.rehashSome(buckets)
  }

  /** Removes an expired key and reports it. */
  private expireRef(ref: number, key: string): void {
    this.hooks.beforeWrite(this, key)
    this.table.removeRef(ref)
    this.hooks.expired(this, key)
  }
}
