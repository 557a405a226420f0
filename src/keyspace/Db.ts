/**
 * `Db`: the keyspace as an Effect service — the counterpart of mini-redis's
 * `Arc<Mutex<HashMap>>`. It holds the `Keyspace` behind a `Ref`; the server runs each batch of
 * commands inside one `Ref.modify`, and the in-process API below does the same for each call,
 * so both see one consistent keyspace that is never observed half-applied.
 *
 * The layer also runs active expiry: a fiber that wakes `hz` times a second on Effect's `Clock`
 * (so `TestClock.adjust` drives it) and removes a bounded sample of expired keys per cycle.
 *
 * Keys and values given as JS strings are taken as UTF-8 text; `Uint8Array`s as raw bytes.
 *
 * With persistence on, the writes below go into the append-only file like a client's commands
 * (`use` returns once they are durable under appendfsync always). Writes made by a function
 * passed to `use` itself are not logged: log them with `keyspace.commandLog.append`.
 */
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import type { Database } from "./Database.js"
import { globMatch } from "./glob.js"
import { millisArgument } from "./CommandLog.js"
import { runOnAlarm } from "./Alarm.js"
import { Keyspace } from "./Keyspace.js"
import { typeName } from "./Value.js"

export type Bytes = string | Uint8Array

/** UTF-8 text or raw bytes → the byte string the keyspace stores. */
export const toByteString = (value: Bytes): string =>
  typeof value === "string" ? Buffer.from(value, "utf8").latin1Slice() : Buffer.from(value).latin1Slice()

export interface DbOptions {
  readonly databases?: number | undefined
  /** Active expiry cycles per second. */
  readonly hz?: number | undefined
}

export interface SetOptions {
  /** Time to live in milliseconds. */
  readonly px?: number | undefined
}

export class Db extends Context.Service<Db, {
  /** The keyspace itself: the server's connections run their batches through this `Ref`. */
  readonly keyspace: Ref.Ref<Keyspace>
  /** Runs `f` as one atomic step on database `db` at the current `Clock` time. */
  readonly use: <A>(f: (db: Database, now: number, keyspace: Keyspace) => A, db?: number) => Effect.Effect<A>
  readonly get: (key: Bytes, db?: number) => Effect.Effect<Option.Option<string>>
  readonly getBytes: (key: Bytes, db?: number) => Effect.Effect<Option.Option<Buffer>>
  readonly set: (key: Bytes, value: Bytes, options?: SetOptions, db?: number) => Effect.Effect<void>
  readonly del: (keys: ReadonlyArray<Bytes>, db?: number) => Effect.Effect<number>
  readonly exists: (key: Bytes, db?: number) => Effect.Effect<boolean>
  /** Sets a TTL; false when the key does not exist. */
  readonly expire: (key: Bytes, ttl: Duration.Input, db?: number) => Effect.Effect<boolean>
  /** Remaining time to live: None for a missing key or a key without TTL. */
  readonly ttl: (key: Bytes, db?: number) => Effect.Effect<Option.Option<Duration.Duration>>
  readonly type: (key: Bytes, db?: number) => Effect.Effect<Option.Option<string>>
  /** Keys matching a Redis glob pattern (as text). */
  readonly keys: (pattern?: Bytes, db?: number) => Effect.Effect<ReadonlyArray<string>>
  readonly dbSize: (db?: number) => Effect.Effect<number>
  readonly flushAll: Effect.Effect<void>
}>()("redfiber/Db") {
  static readonly make = (options: DbOptions = {}) =>
    Effect.gen(function*() {
      const keyspace = yield* Ref.make(new Keyspace(options.databases ?? 16))
      const hz = options.hz ?? 10
      // Active expiry, one bounded cycle at a time, each cycle one atomic step; between cycles it
      // sleeps until the next key is due (see Keyspace.nextSweepAt), not at a fixed rate.
      const period = Math.max(1, Math.floor(1000 / hz))
      const { sweepAlarm } = yield* Ref.get(keyspace)
      yield* runOnAlarm(
        sweepAlarm,
        Effect.flatMap(Clock.currentTimeMillis, (now) =>
          Ref.modify(keyspace, (ks) => [ks.nextSweepAt(now, period, ks.sweepExpired(now)), ks])),
        // At most hz cycles a second, as Redis's cron: reads expire keys at their very instant anyway.
        period
      ).pipe(Effect.forkScoped)

      const use = <A>(f: (db: Database, now: number, keyspace: Keyspace) => A, db = 0): Effect.Effect<A> =>
        Effect.flatMap(Clock.currentTimeMillis, (now) =>
          Ref.modify(keyspace, (ks) => {
            const database = ks.databases[db]
            if (database === undefined) throw new RangeError(`DB index ${db} is out of range`)
            ks.access.setTime(now)
            const result = f(database, now, ks)
            return [[result, ks.commandLog.flush(), ks] as const, ks] as const
          })).pipe(
            Effect.flatMap(([result, token, ks]) =>
              token < 0 ? Effect.succeed(result) : Effect.callback<A>((resume) => {
                ks.commandLog.whenDurable(token, () => resume(Effect.succeed(result)))
              })
            )
          )

      const readString = (key: Bytes, db?: number) =>
        use((database, now) => {
          const value = database.get(toByteString(key), now)
          return typeof value === "string" ? Option.some(value) : Option.none()
        }, db)

      return Db.of({
        keyspace,
        use,
        get: (key, db) => Effect.map(readString(key, db), Option.map((v) => Buffer.from(v, "latin1").toString("utf8"))),
        getBytes: (key, db) => Effect.map(readString(key, db), Option.map((v) => Buffer.from(v, "latin1"))),
        set: (key, value, setOptions, db) =>
          use((database, now, ks) => {
            const k = toByteString(key)
            const v = toByteString(value)
            if (setOptions?.px !== undefined) {
              database.setWithExpiry(k, v, now + setOptions.px)
              ks.commandLog.append(database.id, ["SET", k, v, "PXAT", millisArgument(now + setOptions.px)])
            } else {
              database.set(k, v)
              ks.commandLog.append(database.id, ["SET", k, v])
            }
          }, db),
        del: (keys, db) =>
          use((database, now, ks) => {
            let removed = 0
            for (const key of keys) {
              const k = toByteString(key)
              if (database.get(k, now) !== undefined && database.delete(k)) {
                removed++
                ks.commandLog.append(database.id, ["DEL", k])
              }
            }
            return removed
          }, db),
        exists: (key, db) => use((database, now) => database.has(toByteString(key), now), db),
        expire: (key, ttl, db) =>
          use((database, now, ks) => {
            const k = toByteString(key)
            if (database.get(k, now) === undefined) return false
            const at = now + Duration.toMillis(ttl)
            database.setExpiry(k, at)
            ks.commandLog.append(database.id, ["PEXPIREAT", k, millisArgument(at)])
            return true
          }, db),
        ttl: (key, db) =>
          use((database, now) => {
            const k = toByteString(key)
            if (database.get(k, now) === undefined) return Option.none()
            const at = database.expiresAt(k)
            return at === undefined ? Option.none() : Option.some(Duration.millis(at - now))
          }, db),
        type: (key, db) =>
          use((database, now) => Option.map(Option.fromNullishOr(database.get(toByteString(key), now)), typeName), db),
        keys: (pattern = "*", db) =>
          use((database, now) => {
            const glob = toByteString(pattern)
            const found: Array<string> = []
            for (const key of database.keys()) {
              if (globMatch(glob, key) && database.has(key, now)) {
                found.push(Buffer.from(key, "latin1").toString("utf8"))
              }
            }
            return found
          }, db),
        dbSize: (db) => use((database) => database.size, db),
        flushAll: use((_db, _now, ks) => {
          ks.flushAll()
          ks.commandLog.append(0, ["FLUSHALL"])
        })
      })
    })

  static readonly layer = (options: DbOptions = {}) => Layer.effect(Db, Db.make(options))
}
