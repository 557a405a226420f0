/**
 * The server: a TCP listener, an accept loop that forks one fiber per client, a shutdown hub, and
 * the drain that ends them all.
 *
 * Lifecycle, as in mini-redis: `run` is the accept loop (raced by `main.ts` against Ctrl+C, the
 * seed's `tokio::select!`). Whenever `run` stops — the signal won the race, SHUTDOWN was sent, or
 * the scope that holds the server (a Layer, a test) closed — the same drain runs:
 *   1. the listener closes: new connections are refused at once;
 *   2. the shutdown hub tells every connection fiber; idle ones close at once, busy ones finish
 *      the commands that have arrived, flush their replies, and close;
 *   3. after `shutdownTimeout` seconds the stragglers are interrupted (their sockets destroyed);
 *   4. one summary line is logged.
 */
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as FiberSet from "effect/FiberSet"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Queue from "effect/Queue"
import * as Ref from "effect/Ref"
import * as Scope from "effect/Scope"
import { randomBytes } from "node:crypto"
import * as net from "node:net"
import type { CommandSpec } from "../commands/Command.js"
import { renameCommands } from "../commands/renamed-commands.js"
import { commandTable } from "../commands/table.js"
import { applyStartParameters } from "../config/configFile.js"
import { FlagError, parseFlags, resolveConfig } from "../config/flags.js"
import { RuntimeConfig } from "../config/RuntimeConfig.js"
import { decodeServerConfig, type ServerConfig, type ServerConfigInput } from "../config/ServerConfig.js"
import { Db } from "../keyspace/Db.js"
import { clockMicros, Observability } from "../observability/Observability.js"
import { makePersistence, PersistenceError, type ShutdownMode } from "../persistence/Persistence.js"
import { functionLibraryStore } from "../commands/scripting/engines.js"
import { PubSubHub } from "../pubsub/Hub.js"
import { Acl } from "../acl/Acl.js"
import { Tracking } from "../tracking/Tracking.js"
import { installConfiguredUsers, loadAclFileAtStart } from "../acl/AclFile.js"
import { Alarm, runOnAlarm } from "../keyspace/Alarm.js"
import { DENIED_TEXT, deniedByProtectedMode } from "../session/Authentication.js"
import { BlockedClients } from "../blocking/BlockedClients.js"
import { aofReplay } from "./AofReplay.js"
import { serveConnection } from "./Connection.js"
import { localSocketPair } from "./LocalSocket.js"
import { startReplication } from "./ReplicationRuntime.js"
import { performEvictions, usedMemory } from "../eviction/MaxMemory.js"
import type { ServerState } from "../commands/Command.js"
import { emptyStats } from "../commands/ServerState.js"
import { ShutdownHub } from "./ShutdownHub.js"
import { Watches } from "../watches/Watches.js"

/** The command table after redis.conf's `rename-command` lines (checked when the file was read). */
const commandsOf = (renames: ReadonlyArray<readonly [string, string]>): ReadonlyMap<string, CommandSpec> => {
  if (renames.length === 0) return commandTable
  const renamed = renameCommands(commandTable, renames)
  return renamed instanceof Map ? renamed : commandTable
}

const CONFIGURED_USERS_WITH_ACLFILE =
  "Configuring Redis with users defined in redis.conf and at the same setting an ACL file path is invalid. " +
  "This setup is very likely to lead to configuration errors and security holes, please define either an ACL " +
  "file or declare users directly in your redis.conf, but not both."

/** Why the server did not start: a configuration the schema refuses, a port it could not bind, or an ACL file with errors. */
export class ServerError extends Data.TaggedError("ServerError")<{
  readonly reason: "InvalidConfig" | "ListenFailed" | "AclFileFailed"
  readonly message: string
  readonly cause?: unknown
}> {}

/** The configuration with defaults filled in; invalid input fails with `InvalidConfig` (the schema's report). */
const decodeConfig = (input: ServerConfigInput) =>
  Effect.mapError(
    decodeServerConfig(input),
    (cause) => new ServerError({ reason: "InvalidConfig", message: `Invalid configuration: ${cause.message}`, cause })
  )

export interface DrainSummary {
  readonly connections: number
  readonly interrupted: number
  readonly millis: number
}

export interface RedisServerService {
  /** Where the server listens (the real port when 0 was asked for). */
  readonly address: { readonly host: string; readonly port: number }
  readonly state: ServerState
  /** PUBLISH from Effect code in the same process, to the server's subscribers. */
  readonly pubsub: PubSubHub["Service"]
  /** The accept loop; ends when SHUTDOWN is requested, and drains the server when it stops. */
  readonly run: Effect.Effect<void>
  /** Completes when a client sent SHUTDOWN (main.ts then exits). */
  readonly shutdownRequested: Effect.Effect<ShutdownMode>
  /** Runs the graceful drain (idempotent); also what closing the server's scope does. */
  readonly drain: Effect.Effect<DrainSummary>
  /**
   * A connection from inside the process (see LocalSocket.ts): served like an accepted TCP
   * connection, from 127.0.0.1. The in-process RedisClient Layer is made of these.
   */
  readonly connectLocal: Effect.Effect<net.Socket>
}

/**
 * A system error while loading or opening the data files (`dir` not a directory, no permission) is
 * the environment's, not a bug: the start fails with PersistenceError "Io" rather than a defect.
 */
const systemErrorAsFailure = (config: ServerConfig) => (defect: unknown) =>
  defect instanceof Error && typeof (defect as NodeJS.ErrnoException).syscall === "string"
    ? Option.some(Effect.fail(
      new PersistenceError({ reason: "Io", message: `Could not use the data files in ${config.dir}: ${defect.message}` })
    ))
    : Option.none()

const listen = (config: ServerConfig) =>
  Effect.acquireRelease(
    Effect.callback<net.Server, ServerError>((resume) => {
      // allowHalfOpen: a client may send its last command and half-close; we still answer it.
      const server = net.createServer({ allowHalfOpen: true, noDelay: true })
      const onError = (cause: Error) =>
        resume(Effect.fail(new ServerError({
          reason: "ListenFailed",
          message: `Could not listen on ${config.bind}:${config.port}: ${cause.message}`,
          cause
        })))
      server.once("error", onError)
      // A deep accept queue (the kernel caps it at somaxconn): setting up a connection's fiber
      // takes ~0.3 ms, and with Redis's 511 a burst of 500 connects overflowed the queue
      // (ListenOverflows) into 1 s SYN retries — 5,000 connects took 7.7 s, now 1.6 s.
      server.listen({ port: config.port, host: config.bind, backlog: 4096 }, () => {
        server.off("error", onError)
        server.on("error", () => {})
        resume(Effect.succeed(server))
      })
    }),
    (server) => Effect.sync(() => server.close())
  )

/** How a server embedded in an app treats what only its own process would do alone. */
export interface EmbeddingOptions {
  /**
   * A client's SHUTDOWN: "stop" (the default) ends the accept loop and drains the server, which the
   * app sees through `shutdownRequested`; "refuse" answers Redis's failure reply, logs why, and
   * leaves the server's lifetime to the app's scope.
   */
  readonly onShutdownCommand?: "stop" | "refuse" | undefined
}

export class RedisServer extends Context.Service<RedisServer, RedisServerService>()("redfiber/RedisServer") {
  /** Starts listening in the current scope; the caller runs `run` (main.ts races it against signals). */
  static readonly make = (input: ServerConfigInput = {}, embedding: EmbeddingOptions = {}) =>
    Effect.gen(function*() {
      const config = yield* decodeConfig(input)
      const db = yield* Db
      const scope = yield* Effect.scope
      const shutdownRequest = yield* Deferred.make<ShutdownMode>()
      const runtimeConfig = new RuntimeConfig(config)
      runtimeConfig.extra.set("enable-debug-command", config.enableDebugCommand)
      applyStartParameters(runtimeConfig, config.parameters, { tcpPort: config.port })
      const clock = yield* Clock.Clock
      const pubsub = yield* PubSubHub.make(runtimeConfig)
      const state: ServerState = {
        config: runtimeConfig,
        stats: emptyStats(),
        clients: new Map(),
        pubsub: pubsub.hub,
        watches: new Watches(),
        blocked: new BlockedClients(),
        cronAlarm: new Alarm(),
        clientsAlarm: new Alarm(),
        startedAt: yield* Clock.currentTimeMillis,
        runId: randomBytes(20).toString("hex"),
        tcpPort: config.port,
        commands: commandsOf(config.renamedCommands),
        requestShutdown: (mode) => {
          if (embedding.onShutdownCommand === "refuse") {
            Effect.runForkWith(runtime)(Effect.logWarning("SHUTDOWN refused: the embedding app owns this server's lifetime"))
            return false
          }
          state.shutdownMode = mode
          Deferred.doneUnsafe(shutdownRequest, Effect.succeed(mode))
          return true
        },
        shutdownMode: "default",
        persistence: undefined,
        writesRefused: undefined,
        acl: new Acl(commandTable, config.requirepass),
        tracking: new Tracking(runtimeConfig, pubsub.hub, (id) => state.clients.get(id)),
        observability: new Observability(clockMicros(clock), runtimeConfig)
      }
      runtimeConfig.onRequirepassChange = (password) => state.acl.setDefaultPassword(password)
      runtimeConfig.watch("acllog-max-len", (value) => state.acl.setLogMaxLength(Number(value)))
      if (config.users.length > 0) {
        // Redis refuses both: users in redis.conf and an ACL file.
        const failed = config.aclfile !== "" ? CONFIGURED_USERS_WITH_ACLFILE : installConfiguredUsers(state.acl, config.users)
        if (failed !== undefined) return yield* Effect.fail(new ServerError({ reason: "AclFileFailed", message: failed }))
      }
      if (config.aclfile !== "") {
        state.acl.filename = config.aclfile
        const loaded = loadAclFileAtStart(state.acl, config.aclfile)
        if (loaded !== undefined) {
          return yield* Effect.fail(
            new ServerError({ reason: "AclFileFailed", message: `Aborting Redis startup because of ACL errors: ${loaded}` })
          )
        }
      }
      state.observability.configFile = config.configFile
      // Access stamps follow the maxmemory policy (LRU times or LFU counters) and its LFU knobs.
      const keyspace = yield* Ref.get(db.keyspace)
      const access = keyspace.access
      const applyAccessPolicy = () => {
        access.lfu = (runtimeConfig.extra.get("maxmemory-policy") ?? "").includes("lfu")
        access.logFactor = Number(runtimeConfig.extra.get("lfu-log-factor") ?? "10")
        access.decayTime = Number(runtimeConfig.extra.get("lfu-decay-time") ?? "1")
      }
      for (const name of ["maxmemory-policy", "lfu-log-factor", "lfu-decay-time"]) runtimeConfig.watch(name, applyAccessPolicy)
      applyAccessPolicy()
      // Data first (the AOF or RDB file), then the listener: no client sees a half-loaded keyspace.
      // Its finalizer (the shutdown save) runs after the drain's, which is added below.
      yield* makePersistence(state, db.keyspace, aofReplay(state), functionLibraryStore(state)).pipe(
        Effect.catchDefect((defect) => Option.getOrElse(systemErrorAsFailure(config)(defect), () => Effect.die(defect)))
      )
      const listener = yield* listen(config)
      const bound = listener.address() as net.AddressInfo
      state.tcpPort = bound.port
      const accepted = yield* Queue.unbounded<net.Socket>()
      listener.on("connection", (socket) => {
        // Until its fiber attaches listeners, a reset must not surface as an unhandled 'error'.
        socket.on("error", () => {})
        Queue.offerUnsafe(accepted, socket)
      })

      const shutdownHub = yield* ShutdownHub.make
      const connections = yield* FiberSet.make<void>()
      let nextClientId = 1
      const deps = { keyspace: db.keyspace, server: state, shutdownHub }
      // Both sides of replication (src/replication/); --replicaof starts the link to a primary.
      yield* startReplication(state, db.keyspace, () => nextClientId++, config.replicaof)

      const admit = (socket: net.Socket) =>
        Effect.suspend(() => {
          if (shutdownHub.started) {
            state.stats.totalConnectionsReceived++
            socket.destroy()
            return Effect.void
          }
          if (state.clients.size >= state.config.maxclients) {
            state.stats.rejectedConnections++
            socket.on("error", () => {})
            socket.end("-ERR max number of clients reached\r\n")
            return Effect.void
          }
          // Protected mode (src/session/Authentication.ts). A refusal counts as rejected, not received, as in Redis.
          if (deniedByProtectedMode(state.config, state.acl, socket.remoteAddress)) {
            state.stats.rejectedConnections++
            // Closed once the text is out, whether or not the client half-closes.
            socket.end(DENIED_TEXT, () => socket.destroy())
            return Effect.void
          }
          state.stats.totalConnectionsReceived++
          const id = nextClientId++
          return FiberSet.run(connections, Effect.scoped(serveConnection(socket, id, deps)), {
            propagateInterruption: false
          })
        })

      // Idle clients are closed after `timeout` seconds (Redis's clientsCron), on Effect's Clock.
      // Subscribers and blocked clients are idle by nature and are left alone, as in Redis. The
      // check sleeps until the first client could be idle for long enough, and while `timeout` is
      // 0 or nobody is connected, until that changes.
      runtimeConfig.watch("timeout", () => state.clientsAlarm.request(0))
      yield* runOnAlarm(
        state.clientsAlarm,
        Effect.map(Clock.currentTimeMillis, (now) => {
          const limit = state.config.timeout * 1000
          if (limit <= 0) return Number.POSITIVE_INFINITY
          let next = Number.POSITIVE_INFINITY
          for (const client of state.clients.values()) {
            const exempt = client.pubsub?.subscribed === true || client.blocked !== undefined || client.replicationRole !== undefined
            // An exempt client may stop being one without a word to this loop: looked at each second.
            if (exempt) next = Math.min(next, now + 1000)
            else if (now - client.lastInteractionAt > limit) client.kill()
            else next = Math.min(next, client.lastInteractionAt + limit + 1)
          }
          return next
        })
      ).pipe(Effect.forkIn(scope))

      // Active expiry cycles report their time to the latency monitor (expire-cycle).
      ;(yield* Ref.get(db.keyspace)).latencyProbe = state.observability
      // Blocked clients' timeouts (BLPOP k 5), on Effect's Clock.
      yield* state.blocked.runTimeouts(db.keyspace).pipe(Effect.forkIn(scope))
      // maxmemory's cron: carries on an eviction that a command's time budget cut short (Redis's
      // evictionTimeProc), and keeps used_memory_peak current.
      const keyspaceRef = db.keyspace
      // It runs every 1/hz seconds while used memory is over the limit, and otherwise sleeps until
      // asked (a command's eviction cut short, a new maxmemory); INFO and MEMORY sample the peak too.
      yield* runOnAlarm(
        state.cronAlarm,
        Effect.flatMap(Clock.currentTimeMillis, (now) =>
          Ref.modify(keyspaceRef, (ks) => {
            ks.access.setTime(now)
            const used = usedMemory(ks)
            state.stats.peakMemory = Math.max(state.stats.peakMemory, used)
            const limit = state.config.maxmemory
            if (limit <= 0 || used <= limit) return [Number.POSITIVE_INFINITY, ks]
            performEvictions(state, ks, now)
            // Evictions' DELs go to the AOF now rather than with the next batch.
            ks.commandLog.flush()
            return [now + Math.floor(1000 / state.config.hz), ks]
          }))
      ).pipe(Effect.forkIn(scope))
      // As Redis warns when CONFIG SET maxmemory goes below what is in use.
      const runtime = yield* Effect.context<never>()
      runtimeConfig.watch("maxmemory", () => {
        state.cronAlarm.request(0)
        const limit = runtimeConfig.maxmemory
        const used = usedMemory(keyspace)
        if (limit > 0 && limit < used) {
          Effect.runForkWith(runtime)(Effect.logWarning(
            `WARNING: the new maxmemory value set via CONFIG SET (${limit}) is smaller than the current memory usage ` +
              `(${used}). This will result in key eviction and/or the inability to accept new write commands ` +
              "depending on the maxmemory-policy."
          ))
        }
      })

      const drainOnce = Effect.gen(function*() {
        const started = yield* Clock.currentTimeMillis
        listener.close()
        for (const socket of yield* Queue.clear(accepted)) socket.destroy()
        const connectionCount = yield* FiberSet.size(connections)
        // Subscribers get no more messages; what they were sent still flushes before they close.
        pubsub.hub.closed = true
        yield* shutdownHub.announce
        const finished = yield* FiberSet.awaitEmpty(connections).pipe(
          Effect.timeout(Duration.seconds(state.config.shutdownTimeout)),
          Effect.option,
          // The drain fiber may be forked from a finalizer and then inherits its uninterruptibility:
          // without this the timeout could not cut the wait short.
          Effect.interruptible
        )
        const interrupted = Option.isNone(finished) ? yield* FiberSet.size(connections) : 0
        if (interrupted > 0) yield* FiberSet.clear(connections)
        const summary: DrainSummary = {
          connections: connectionCount,
          interrupted,
          millis: (yield* Clock.currentTimeMillis) - started
        }
        yield* Effect.logInfo(
          `Shutdown: drained ${summary.connections} connection(s) in ${summary.millis} ms` +
            (interrupted > 0 ? `, ${interrupted} interrupted after the ${state.config.shutdownTimeout}s timeout` : "")
        )
        return summary
      })
      // The scope's finalizer, `run`'s ending and an embedder may all ask for the drain; it runs
      // once, in a fiber of its own: callers are often being interrupted (Ctrl+C, scope close),
      // and the drain's interruptible timeout must not inherit that interruption.
      const drainDone = yield* Deferred.make<DrainSummary>()
      let drainStarted = false
      const drain: Effect.Effect<DrainSummary> = Effect.suspend(() => {
        if (!drainStarted) {
          drainStarted = true
          return Effect.forkDetach(Deferred.complete(drainDone, drainOnce)).pipe(
            Effect.andThen(Deferred.await(drainDone))
          )
        }
        return Deferred.await(drainDone)
      })

      const acceptLoop = Queue.take(accepted).pipe(Effect.flatMap(admit), Effect.forever)
      const run = Effect.raceFirst(acceptLoop, Deferred.await(shutdownRequest)).pipe(
        Effect.asVoid,
        Effect.ensuring(drain)
      )
      // Closing the scope drains too, for embedders that never call `run` themselves.
      yield* Scope.addFinalizer(scope, drain)

      return RedisServer.of({
        address: { host: config.bind, port: bound.port },
        state,
        pubsub,
        run,
        shutdownRequested: Deferred.await(shutdownRequest),
        drain,
        connectLocal: Effect.sync(() => {
          const pair = localSocketPair(bound.port)
          Queue.offerUnsafe(accepted, pair.server)
          return pair.client
        })
      })
    })

  /**
   * The server as a Layer for embedding: starts listening when built, accepts in a background
   * fiber, and drains when the Layer's scope closes. Needs `Db` (see `layerWithDb`).
   */
  static readonly layer = (input: ServerConfigInput = {}, embedding: EmbeddingOptions = {}) =>
    Layer.effect(
      RedisServer,
      Effect.tap(RedisServer.make(input, embedding), (server) => Effect.forkScoped(server.run))
    )

  /**
   * The server and its `Db` configured as `pnpm start` configures them: `REDFIBER_*` variables
   * read through Effect's `Config` (so the app's ConfigProvider applies), under `flags` written as
   * on the command line (`["--port", "0", "--appendonly", "yes"]`). A bad value fails the Layer
   * with `ServerError` "InvalidConfig".
   */
  static readonly layerConfig = (flags: ReadonlyArray<string> = [], embedding: EmbeddingOptions = {}) =>
    Layer.unwrap(
      Effect.gen(function*() {
        const parsed = parseFlags(flags)
        const invalid = (message: string) => new ServerError({ reason: "InvalidConfig", message: `Invalid configuration: ${message}` })
        if (parsed instanceof FlagError) return yield* Effect.fail(invalid(parsed.message))
        if (typeof parsed === "string") return yield* Effect.fail(invalid(`--${parsed} is not a configuration`))
        const config = yield* Effect.mapError(resolveConfig(parsed), (error) => invalid(error.message))
        return RedisServer.layerWithDb(config, embedding)
      })
    )

  /** The server and its own `Db`, sharing one keyspace: what most embedders want. */
  static readonly layerWithDb = (input: ServerConfigInput = {}, embedding: EmbeddingOptions = {}) =>
    Layer.unwrap(
      Effect.map(decodeConfig(input), (config) =>
        RedisServer.layer(config, embedding).pipe(
          Layer.provideMerge(Db.layer({ databases: config.databases, hz: config.hz }))
        ))
    )
}
