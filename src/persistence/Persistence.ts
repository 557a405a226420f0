/**
 * Persistence: the append-only file and RDB snapshots, as Redis 7 runs them.
 *
 * - At start (before the server listens): the AOF is replayed when `appendonly yes` and it
 *   exists, else the RDB file is loaded when it exists. A damaged AOF tail is cut off with a
 *   warning (aof-load-truncated yes); damage before the tail stops the start-up, naming the offset.
 * - While serving: the keyspace's CommandLog appends every batch's writes to the AOF; with
 *   `appendfsync always` the connection holds the batch's replies until they are on disk.
 * - In the background, each a fiber of this service's scope: BGSAVE and BGREWRITEAOF write from a
 *   copy-on-write snapshot in slices (clients keep being served); a cron fiber on Effect's Clock
 *   runs everysec syncs, `save` points and automatic AOF rewrites.
 * - At shutdown (after the connections drained): the AOF is synced and closed, and an RDB is
 *   saved when save points are configured or SHUTDOWN SAVE asked for one (not with NOSAVE).
 *
 * Commands reach it through `ServerState.persistence`: plain synchronous methods that start the
 * background work and return at once, as a command inside a batch must.
 */
import * as Clock from "effect/Clock"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as FiberSet from "effect/FiberSet"
import * as Ref from "effect/Ref"
import * as fs from "node:fs"
import * as path from "node:path"
import type { RuntimeConfig } from "../config/RuntimeConfig.js"
import type { Keyspace, KeyspaceSnapshot } from "../keyspace/Keyspace.js"
import { runOnAlarm } from "../keyspace/Alarm.js"
import type { LatencyProbe } from "../keyspace/LatencyProbe.js"
import { AppendOnlyFile, type FsyncPolicy, replaceFile } from "./AppendOnlyFile.js"
import { readAof } from "./AofReader.js"
import { dumpOptionsOf } from "./DumpPayload.js"
import type { FunctionLibraryStore } from "./FunctionPayload.js"
import { loadRdbFile } from "./rdb/RdbLoader.js"
import { aofSlices, rdbSlices, type SnapshotTotals, temporaryPath, writeFileAtomically } from "./SnapshotFiles.js"
import "./codecs/all.js"

export class PersistenceError extends Data.TaggedError("PersistenceError")<{
  readonly reason: "AofCorrupt" | "RdbCorrupt" | "Io"
  readonly message: string
}> {}

/** A command's answer: a status line or an error text. */
export type Outcome = { readonly ok: string } | { readonly error: string }

export interface PersistenceControl {
  /** SAVE: a synchronous RDB save. */
  save(now: number): Outcome
  /** BGSAVE [SCHEDULE]. */
  backgroundSave(now: number, schedule: boolean): Outcome
  /** BGREWRITEAOF. */
  rewriteAof(now: number): Outcome
  /**
   * DEBUG RELOAD: save the RDB file (unless `save` is false), empty the dataset (unless `flush` is
   * false: loaded keys then replace those of the same name), and load the file back.
   */
  reload(now: number, options: { readonly save: boolean; readonly flush: boolean }): Outcome
  /** Unix seconds of the last successful save (or of the start). */
  readonly lastSaveTime: number
  /** Changes since the last save (INFO's rdb_changes_since_last_save). */
  changesSinceSave(): number
  /** INFO's persistence section. */
  info(now: number): Array<readonly [string, string | number]>
  /** The AUX fields of the RDB file loaded at start (repl-id, repl-offset: replication resumes from them). */
  readonly loadedAux: ReadonlyMap<string, string> | undefined
  /** More AUX fields for the RDB files written (replication's repl-id, repl-offset; set by replication). */
  replicationAux: () => ReadonlyArray<readonly [string, string]>
}

/** How SHUTDOWN asked to stop: SAVE and NOSAVE override the save points (a signal is "default"). */
export type ShutdownMode = "default" | "save" | "nosave"

/** What persistence reads and sets of the server (its ServerState). */
export interface PersistenceHost {
  readonly config: RuntimeConfig
  /** Set once persistence has started: how commands reach it. */
  persistence: PersistenceControl | undefined
  /** MISCONF while the AOF cannot be written or the last BGSAVE failed. */
  writesRefused: string | undefined
  readonly shutdownMode: ShutdownMode
  /** The latency monitor, for the AOF's write and fsync events. */
  readonly observability: LatencyProbe
}

/**
 * Runs the commands of an AOF being loaded, as Redis's loading client does (it never blocks; its
 * replies are dropped). The server runtime makes it from the command table and dispatch, which
 * sit above persistence (src/server/AofReplay.ts).
 */
export interface AofReplay {
  /** Why `argv` is no command of the table (the error text), or undefined when it is one. */
  readonly refusal: (argv: ReadonlyArray<string>) => string | undefined
  readonly execute: (argv: ReadonlyArray<string>) => void
}

const RDB_MISCONF =
  "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. " +
  "Commands that may modify the data set are disabled, because this instance is configured to report errors " +
  "during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs " +
  "for details about the RDB error."
/** After a failed BGSAVE, save points wait this long before the next try (Redis's CONFIG_BGSAVE_RETRY_DELAY). */
const BGSAVE_RETRY_SECONDS = 5

const savePoints = (config: RuntimeConfig): Array<readonly [seconds: number, changes: number]> => {
  const text = config.extra.get("save") ?? ""
  if (text === "") return []
  const numbers = text.split(" ").map(Number)
  const points: Array<readonly [number, number]> = []
  for (let i = 0; i + 1 < numbers.length; i += 2) points.push([numbers[i], numbers[i + 1]])
  return points
}

const filePaths = (config: RuntimeConfig) => {
  const dir = config.extra.get("dir") ?? process.cwd()
  return {
    aof: path.resolve(dir, config.extra.get("appendfilename") ?? "appendonly.aof"),
    rdb: path.resolve(dir, config.extra.get("dbfilename") ?? "dump.rdb")
  }
}

const seconds = (millis: number) => Math.floor(millis / 1000)

export const makePersistence = (
  server: PersistenceHost,
  keyspaceRef: Ref.Ref<Keyspace>,
  /** Makes the AOF loader's executor against `keyspace`, with the load's time. */
  replayAof: (keyspace: Keyspace, now: number) => AofReplay,
  /** The function libraries: saved in RDB files and AOF rewrites, loaded from RDB files. */
  functions?: FunctionLibraryStore
) =>
  Effect.gen(function*() {
    const keyspace = yield* Ref.get(keyspaceRef)
    const config = server.config
    const functionCodes = (): ReadonlyArray<string> => functions?.codes() ?? []
    const forkJob = yield* FiberSet.runtime(yield* FiberSet.make<void>())<never>()
    const startedAt = yield* Clock.currentTimeMillis

    let aof: AppendOnlyFile | undefined
    let lastSaveMillis = startedAt
    let dirtyAtSave = 0
    let saveSnapshot: KeyspaceSnapshot | undefined
    let saveStartedAt = 0
    let lastSaveOk = true
    let lastSaveTry = 0
    let lastSaveSeconds = -1
    let saves = 0
    let saveScheduled = false
    let rewriteSnapshot: KeyspaceSnapshot | undefined
    let rewriteStartedAt = 0
    let lastRewriteOk = true
    let lastRewriteSeconds = -1
    let rewrites = 0
    let rewriteScheduled = false
    /** AOF size after the last rewrite or load (auto-aof-rewrite-percentage grows from it). */
    let aofBaseSize = 0
    let loadedKeys = 0
    let loadedExpired = 0

    const refreshWriteGuard = () => {
      if (aof?.lastError !== undefined) server.writesRefused = `MISCONF Errors writing to the AOF file: ${aof.lastError.message}`
      else if (!lastSaveOk && savePoints(config).length > 0) server.writesRefused = RDB_MISCONF
      else server.writesRefused = undefined
    }

    let loadedAux: ReadonlyMap<string, string> | undefined
    const auxFields = (now: number): ReadonlyArray<readonly [string, string]> => [
      ["redis-ver", "7.0.15"],
      ["redis-bits", "64"],
      ["ctime", String(seconds(now))],
      ["used-mem", String(process.memoryUsage().rss)],
      ["aof-base", "0"],
      ...control.replicationAux()
    ]

    // ---------------------------------------------------------------- loading

    const loadAof = (filePath: string) =>
      Effect.gen(function*() {
        const now = yield* Clock.currentTimeMillis
        const replay = replayAof(keyspace, now)
        let commands = 0
        let queued: Array<Array<string>> | undefined
        const started = performance.now()
        for (const entry of readAof(filePath)) {
          if (entry.kind === "command") {
            const name = entry.argv[0].toLowerCase()
            if (name === "multi") {
              queued = []
              continue
            }
            if (name === "exec" && queued !== undefined) {
              for (const argv of queued) replay.execute(argv)
              commands += queued.length
              queued = undefined
              continue
            }
            const refusal = replay.refusal(entry.argv)
            if (refusal !== undefined) {
              return yield* new PersistenceError({
                reason: "AofCorrupt",
                message: `Bad file format reading the append only file ${filePath} at offset ${entry.offset}: ` +
                  `${refusal}. Make a backup of it, then repair it with: redfiber-check-aof --fix ${filePath}`
              })
            }
            if (queued !== undefined) queued.push(entry.argv)
            else {
              replay.execute(entry.argv)
              commands++
            }
          } else if (entry.kind === "corrupt") {
            return yield* new PersistenceError({
              reason: "AofCorrupt",
              message: `Bad file format reading the append only file ${filePath} at offset ${entry.offset} (${entry.reason}). ` +
                `Make a backup of it, then repair it with: redfiber-check-aof --fix ${filePath}`
            })
          } else if (entry.kind === "truncated") {
            if ((config.extra.get("aof-load-truncated") ?? "yes") !== "yes") {
              return yield* new PersistenceError({
                reason: "AofCorrupt",
                message: `Unexpected end of file reading the append only file ${filePath} at offset ${entry.validBytes}. ` +
                  `Repair it with: redfiber-check-aof --fix ${filePath}, or set aof-load-truncated yes`
              })
            }
            yield* Effect.logWarning(
              `!!! Warning: short read while loading the AOF file ${filePath}: ${entry.fileBytes - entry.validBytes} ` +
                `byte(s) at its end are not a whole command !!!`
            )
            yield* Effect.logWarning(`!!! Truncating the AOF at offset ${entry.validBytes} !!!`)
            fs.truncateSync(filePath, entry.validBytes)
          }
        }
        const took = (performance.now() - started) / 1000
        const rate = took > 0 ? Math.round(commands / took) : commands
        yield* Effect.logInfo(
          `DB loaded from append only file: ${took.toFixed(3)} seconds (${commands} commands, ${rate} commands/s)`
        )
      })

    const loadAtStart = Effect.gen(function*() {
      const paths = filePaths(config)
      const aofWanted = config.extra.get("appendonly") === "yes"
      if (aofWanted && fs.existsSync(paths.aof)) return yield* loadAof(paths.aof)
      if (!fs.existsSync(paths.rdb)) return
      const now = yield* Clock.currentTimeMillis
      const started = performance.now()
      const result = yield* Effect.try({
        try: () => loadRdbFile(paths.rdb, keyspace, config, now, functions),
        catch: (error) =>
          new PersistenceError({
            reason: "RdbCorrupt",
            message: `Failed loading the RDB file ${paths.rdb}: ${error instanceof Error ? error.message : String(error)}`
          })
      })
      loadedKeys = result.keys
      loadedExpired = result.expired
      loadedAux = result.aux
      yield* Effect.logInfo(
        `DB loaded from disk: ${((performance.now() - started) / 1000).toFixed(3)} seconds ` +
          `(${result.keys} keys, ${result.expired} expired keys skipped)`
      )
    })

    // ---------------------------------------------------------------- the AOF while serving

    const openAof = (now: number) => {
      const paths = filePaths(config)
      const fsync = (config.extra.get("appendfsync") ?? "everysec") as FsyncPolicy
      if (!fs.existsSync(paths.aof)) {
        // A new AOF starts with the data loaded from the RDB (or nothing), as Redis writes its base.
        const snapshot = keyspace.snapshot()
        try {
          writeFileAtomically(paths.aof, aofSlices(snapshot, now, { keys: 0, bytes: 0 }, functionCodes()))
        } finally {
          snapshot.release()
        }
      }
      aof = AppendOnlyFile.open(paths.aof, fsync)
      aof.latencyProbe = server.observability
      aof.childActive = () => saveSnapshot !== undefined || rewriteSnapshot !== undefined
      aofBaseSize = aof.size
      keyspace.commandLog.resetSelection()
      keyspace.commandLog.sink = aof
    }

    const closeAof = () => {
      if (aof === undefined) return
      keyspace.commandLog.flush()
      keyspace.commandLog.sink = undefined
      aof.close()
      aof = undefined
    }

    // ---------------------------------------------------------------- background jobs

    /** Writes `slices` to a temporary file in the background, one slice per event-loop turn; returns the file. */
    const writeInBackground = (target: string, kind: string, slices: Iterable<Buffer>) =>
      Effect.acquireUseRelease(
        Effect.promise(() => {
          fs.mkdirSync(path.dirname(target), { recursive: true })
          return fs.promises.open(temporaryPath(target, kind), "w")
        }),
        (handle) =>
          Effect.gen(function*() {
            for (const slice of slices) {
              yield* Effect.promise(() => handle.write(slice))
              yield* Effect.yieldNow
            }
            yield* Effect.promise(() => handle.sync())
            return temporaryPath(target, kind)
          }),
        (handle) => Effect.promise(() => handle.close())
      )

    const runSave = (now: number) => {
      const paths = filePaths(config)
      const snapshot = keyspace.snapshot()
      const dirtyAtStart = keyspace.stats.dirty
      const totals: SnapshotTotals = { keys: 0, bytes: 0 }
      saveSnapshot = snapshot
      saveStartedAt = now
      lastSaveTry = now
      forkJob(
        writeInBackground(paths.rdb, "bgsave", rdbSlices(snapshot, now, auxFields(now), totals, functionCodes(), dumpOptionsOf(config).compress)).pipe(
          Effect.flatMap((temp) =>
            Effect.sync(() => replaceFile(temp, paths.rdb))
          ),
          Effect.andThen(Clock.currentTimeMillis),
          Effect.tap((finished) =>
            Effect.sync(() => {
              lastSaveMillis = finished
              dirtyAtSave = dirtyAtStart
              lastSaveOk = true
              lastSaveSeconds = seconds(finished - now)
              saves++
            })
          ),
          Effect.tap((finished) =>
            Effect.logInfo(`Background saving terminated with success (${totals.keys} keys, ${finished - now} ms)`)
          ),
          Effect.catchDefect((defect) => Effect.fail(defect)),
          Effect.catch((error) =>
            Effect.sync(() => {
              lastSaveOk = false
              fs.rmSync(temporaryPath(paths.rdb, "bgsave"), { force: true })
            }).pipe(Effect.andThen(Effect.logWarning(`Background saving error: ${String(error)}`)))
          ),
          Effect.ensuring(
            Effect.sync(() => {
              snapshot.release()
              saveSnapshot = undefined
              refreshWriteGuard()
            })
          ),
          Effect.asVoid
        )
      )
    }

    const runRewrite = (now: number) => {
      const paths = filePaths(config)
      // Earlier commands of the running batch go to the old file; from the snapshot on, the
      // rewrite buffer gets every command too (with a SELECT first).
      keyspace.commandLog.flush()
      const snapshot = keyspace.snapshot()
      aof?.beginRewrite()
      keyspace.commandLog.resetSelection()
      const totals: SnapshotTotals = { keys: 0, bytes: 0 }
      rewriteSnapshot = snapshot
      rewriteStartedAt = now
      forkJob(
        writeInBackground(paths.aof, "rewriteaof", aofSlices(snapshot, now, totals, functionCodes())).pipe(
          Effect.flatMap((temp) =>
            Effect.sync(() => {
              // One synchronous step: no batch runs between the buffer's end and the switch.
              if (aof !== undefined) aof.finishRewrite(temp)
              else replaceFile(temp, paths.aof)
              aofBaseSize = aof?.size ?? totals.bytes
            })
          ),
          Effect.andThen(Clock.currentTimeMillis),
          Effect.tap((finished) =>
            Effect.sync(() => {
              lastRewriteOk = true
              lastRewriteSeconds = seconds(finished - now)
              rewrites++
            })
          ),
          Effect.tap((finished) =>
            Effect.logInfo(`Background AOF rewrite finished successfully (${totals.keys} keys, ${finished - now} ms)`)
          ),
          Effect.catchDefect((defect) => Effect.fail(defect)),
          Effect.catch((error) =>
            Effect.sync(() => {
              lastRewriteOk = false
              aof?.abortRewrite()
              fs.rmSync(temporaryPath(paths.aof, "rewriteaof"), { force: true })
            }).pipe(Effect.andThen(Effect.logWarning(`Background AOF rewrite error: ${String(error)}`)))
          ),
          Effect.ensuring(
            Effect.sync(() => {
              snapshot.release()
              rewriteSnapshot = undefined
              refreshWriteGuard()
            })
          ),
          Effect.asVoid
        )
      )
    }

    /** A snapshot someone else reads (a replica's full sync): ours wait for it, one at a time. */
    const snapshotTaken = () => keyspace.databases[0].table.snapshotting
    const busy = () => saveSnapshot !== undefined || rewriteSnapshot !== undefined || snapshotTaken()

    const control: PersistenceControl = {
      get loadedAux() {
        return loadedAux
      },
      replicationAux: () => [],
      reload: (now, options) => {
        if (options.save) {
          try {
            saveSynchronously(now)
          } catch {
            return { error: "ERR" }
          }
        }
        if (options.flush) keyspace.flushAll()
        try {
          loadRdbFile(filePaths(config).rdb, keyspace, config, now)
        } catch {
          return { error: "ERR Error trying to load the RDB dump, check server logs." }
        }
        return { ok: "OK" }
      },
      save: (now) => {
        if (saveSnapshot !== undefined) return { error: "ERR Background save already in progress" }
        try {
          saveSynchronously(now)
          return { ok: "OK" }
        } catch (error) {
          return { error: `ERR ${error instanceof Error ? error.message : String(error)}` }
        }
      },
      backgroundSave: (now, schedule) => {
        if (saveSnapshot !== undefined) return { error: "ERR Background save already in progress" }
        if (rewriteSnapshot !== undefined) {
          if (!schedule) {
            return {
              error: "ERR Another child process is active (AOF?): can't BGSAVE right now. " +
                "Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible."
            }
          }
          saveScheduled = true
          alarm.request(0)
          return { ok: "Background saving scheduled" }
        }
        if (snapshotTaken()) {
          saveScheduled = true
          alarm.request(0)
          return { ok: "Background saving scheduled" }
        }
        runSave(now)
        return { ok: "Background saving started" }
      },
      rewriteAof: (now) => {
        if (rewriteSnapshot !== undefined) return { error: "ERR Background append only file rewriting already in progress" }
        if (saveSnapshot !== undefined || snapshotTaken()) {
          rewriteScheduled = true
          alarm.request(0)
          return { ok: "Background append only file rewriting scheduled" }
        }
        runRewrite(now)
        return { ok: "Background append only file rewriting started" }
      },
      get lastSaveTime() {
        return seconds(lastSaveMillis)
      },
      changesSinceSave: () => keyspace.stats.dirty - dirtyAtSave,
      info: (now) => [
        ["loading", 0],
        ["async_loading", 0],
        ["current_cow_peak", 0],
        ["current_cow_size", 0],
        ["current_cow_size_age", 0],
        ["current_fork_perc", "0.00"],
        ["current_save_keys_processed", 0],
        ["current_save_keys_total", 0],
        ["rdb_changes_since_last_save", keyspace.stats.dirty - dirtyAtSave],
        ["rdb_bgsave_in_progress", saveSnapshot === undefined ? 0 : 1],
        ["rdb_last_save_time", seconds(lastSaveMillis)],
        ["rdb_last_bgsave_status", lastSaveOk ? "ok" : "err"],
        ["rdb_last_bgsave_time_sec", lastSaveSeconds],
        ["rdb_current_bgsave_time_sec", saveSnapshot === undefined ? -1 : seconds(now - saveStartedAt)],
        ["rdb_saves", saves],
        ["rdb_last_cow_size", 0],
        ["rdb_last_load_keys_expired", loadedExpired],
        ["rdb_last_load_keys_loaded", loadedKeys],
        ["aof_enabled", aof === undefined ? 0 : 1],
        ["aof_rewrite_in_progress", rewriteSnapshot === undefined ? 0 : 1],
        ["aof_rewrite_scheduled", rewriteScheduled ? 1 : 0],
        ["aof_last_rewrite_time_sec", lastRewriteSeconds],
        ["aof_current_rewrite_time_sec", rewriteSnapshot === undefined ? -1 : seconds(now - rewriteStartedAt)],
        ["aof_last_bgrewrite_status", lastRewriteOk ? "ok" : "err"],
        ["aof_rewrites", rewrites],
        ["aof_rewrites_consecutive_failures", lastRewriteOk ? 0 : 1],
        ["aof_last_write_status", aof?.lastError === undefined ? "ok" : "err"],
        ["aof_last_cow_size", 0],
        ["module_fork_in_progress", 0],
        ["module_fork_last_cow_size", 0],
        ...(aof === undefined ? [] : [
          ["aof_current_size", aof.size] as const,
          ["aof_base_size", aofBaseSize] as const,
          ["aof_pending_rewrite", rewriteScheduled ? 1 : 0] as const,
          ["aof_buffer_length", 0] as const,
          ["aof_pending_bio_fsync", aof.unsyncedBytes > 0 ? 1 : 0] as const,
          ["aof_delayed_fsync", 0] as const
        ])
      ]
    }

    /** SAVE and the shutdown save: the whole snapshot written synchronously. */
    const saveSynchronously = (now: number) => {
      const snapshot = keyspace.snapshot()
      const dirtyAtStart = keyspace.stats.dirty
      try {
        writeFileAtomically(filePaths(config).rdb, rdbSlices(snapshot, now, auxFields(now), { keys: 0, bytes: 0 }, functionCodes(), dumpOptionsOf(config).compress))
      } finally {
        snapshot.release()
      }
      lastSaveMillis = now
      dirtyAtSave = dirtyAtStart
      lastSaveOk = true
      saves++
      refreshWriteGuard()
    }

    // ---------------------------------------------------------------- start

    yield* loadAtStart
    dirtyAtSave = keyspace.stats.dirty
    if (config.extra.get("appendonly") === "yes") openAof(startedAt)
    server.persistence = control

    // CONFIG SET appendonly / appendfsync take effect at once.
    config.watch("appendonly", (value) => {
      if (value === "yes" && aof === undefined) {
        const paths = filePaths(config)
        // The file must hold today's data before commands are appended: a fresh one from a snapshot.
        fs.rmSync(paths.aof, { force: true })
        openAof(Date.now())
      } else if (value === "no") closeAof()
      refreshWriteGuard()
    })
    config.watch("appendfsync", (value) => {
      if (aof !== undefined) aof.fsync = value as FsyncPolicy
    })

    // The cron, on Effect's Clock: once a second while there is something to do, else asleep
    // until the write count reaches a save point's (or, with the AOF on, until the next write).
    const alarm = keyspace.dirtyAlarm
    for (const name of ["save", "appendonly", "appendfsync", "auto-aof-rewrite-percentage", "auto-aof-rewrite-min-size"]) {
      config.watch(name, () => alarm.request(0))
    }
    let dirtyAtLastTick = keyspace.stats.dirty
    const nextTickAt = (now: number): number => {
      const dirty = keyspace.stats.dirty
      const writesSinceLastTick = dirty !== dirtyAtLastTick
      dirtyAtLastTick = dirty
      keyspace.wakeAtDirty = Number.POSITIVE_INFINITY
      const second = now + 1000
      if (busy() || rewriteScheduled || saveScheduled) return second
      if (aof !== undefined && (aof.unsyncedBytes > 0 || aof.lastError !== undefined || writesSinceLastTick)) return second
      let next = Number.POSITIVE_INFINITY
      let wakeAtDirty = aof !== undefined ? dirty + 1 : Number.POSITIVE_INFINITY
      const changes = dirty - dirtyAtSave
      const retryAt = lastSaveOk ? 0 : lastSaveTry + BGSAVE_RETRY_SECONDS * 1000 + 1
      for (const [secs, count] of savePoints(config)) {
        if (changes >= count) next = Math.min(next, Math.max(lastSaveMillis + secs * 1000, retryAt))
        else wakeAtDirty = Math.min(wakeAtDirty, dirtyAtSave + count)
      }
      keyspace.wakeAtDirty = wakeAtDirty
      return next > now ? next : second
    }
    const tick = Effect.gen(function*() {
      const now = yield* Clock.currentTimeMillis
      if (aof !== undefined && (aof.fsync === "everysec" || aof.lastError !== undefined)) aof.syncIfBehind()
      if (!busy()) {
        if (rewriteScheduled) {
          rewriteScheduled = false
          runRewrite(now)
        } else if (saveScheduled) {
          saveScheduled = false
          runSave(now)
        } else {
          const changes = keyspace.stats.dirty - dirtyAtSave
          const elapsed = (now - lastSaveMillis) / 1000
          const retryOk = lastSaveOk || (now - lastSaveTry) / 1000 > BGSAVE_RETRY_SECONDS
          if (retryOk && savePoints(config).some(([secs, count]) => changes >= count && elapsed >= secs)) runSave(now)
          else if (aof !== undefined) {
            const percentage = Number(config.extra.get("auto-aof-rewrite-percentage") ?? "100")
            const minimum = Number(config.extra.get("auto-aof-rewrite-min-size") ?? String(64 * 1024 * 1024))
            const base = Math.max(aofBaseSize, 1)
            if (percentage > 0 && aof.size > minimum && ((aof.size - base) * 100) / base >= percentage) {
              yield* Effect.logInfo(`Starting automatic rewriting of AOF on ${Math.round(((aof.size - base) * 100) / base)}% growth`)
              runRewrite(now)
            }
          }
        }
      }
      refreshWriteGuard()
      return nextTickAt(now)
    })
    yield* runOnAlarm(alarm, tick).pipe(Effect.forkScoped)

    // Shutdown: after the connections drained (this finalizer is added before the server's drain's).
    yield* Effect.addFinalizer(() =>
      Effect.gen(function*() {
        const now = yield* Clock.currentTimeMillis
        saveSnapshot?.release()
        rewriteSnapshot?.release()
        aof?.abortRewrite()
        closeAof()
        const mode = server.shutdownMode
        if (mode === "save" || (mode !== "nosave" && savePoints(config).length > 0)) {
          yield* Effect.logInfo("Saving the final RDB snapshot before exiting.")
          yield* Effect.try(() => saveSynchronously(now)).pipe(
            Effect.tap(() => Effect.logInfo("DB saved on disk")),
            Effect.catch((error) => Effect.logError(`Error trying to save the DB: ${String(error)}`))
          )
        }
      })
    )
    return control
  })
