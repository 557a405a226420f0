/**
 * Replication wired into the running server: the executor that applies a primary's stream
 * through the same dispatch as clients and the AOF loader (as a trusted "master" client that
 * never blocks and whose replies are dropped), the once-a-second cron, and `--replicaof`.
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as FiberSet from "effect/FiberSet"
import * as Ref from "effect/Ref"
import type { CommandContext } from "../commands/Command.js"
import { executeCommand } from "../commands/dispatch.js"
import { librariesOf } from "../commands/scripting/engines.js"
import type { Keyspace } from "../keyspace/Keyspace.js"
import { ReplyWriter } from "../protocol/ReplyWriter.js"
import type { MasterStreamExecutor } from "../replication/ReplicationDeps.js"
import { Replication } from "../replication/Replication.js"
import { runOnAlarm } from "../keyspace/Alarm.js"
import { ClientState } from "../session/ClientState.js"
import type { ServerState } from "../commands/Command.js"

export const startReplication = (
  server: ServerState,
  keyspaceRef: Ref.Ref<Keyspace>,
  allocateClientId: () => number,
  initialReplicaof: string
) =>
  Effect.gen(function*() {
    const keyspace = yield* Ref.get(keyspaceRef)
    const clock = yield* Clock.Clock
    const now = () => clock.currentTimeMillisUnsafe()
    const runtime = yield* Effect.context<never>()
    const forkJob = yield* FiberSet.runtime(yield* FiberSet.make<void>())<never>()

    // The primary's session: replies are dropped, nothing blocks, no admission checks.
    const masterClient = new ClientState(0, "master:0", "master:0", now(), () => {})
    masterClient.denyBlocking = true
    const ctx: CommandContext = { keyspace, db: keyspace.databases[0], now: now(), out: new ReplyWriter(), client: masterClient, server }
    const executor: MasterStreamExecutor = {
      run: (argv, at) => {
        ctx.now = at
        keyspace.access.setTime(at)
        const errorsBefore = ctx.out.errorCount
        const mark = ctx.out.size
        replication.primaryCommand.running = true
        try {
          executeCommand(ctx, argv)
        } finally {
          replication.primaryCommand.running = false
        }
        let error: string | undefined
        if (ctx.out.errorCount !== errorsBefore) {
          const reply = ctx.out.take().subarray(mark).latin1Slice()
          error = reply.slice(1, reply.indexOf("\r\n"))
        }
        if (ctx.out.size > 64 * 1024) ctx.out.take()
        return error
      },
      endBatch: () => {
        ctx.out.take()
        keyspace.commandLog.flush()
      },
      flushAll: (at) => {
        ctx.now = at
        executeCommand(ctx, ["FLUSHALL"])
        ctx.out.take()
      },
      afterFullSync: (at) => {
        if (server.config.extra.get("appendonly") === "yes") server.persistence?.rewriteAof(at)
      },
      resetSession: (db) => {
        const database = keyspace.databases[db] ?? keyspace.databases[0]
        masterClient.db = database.id
        masterClient.transaction = undefined
        ctx.db = database
      },
      currentDb: () => masterClient.db,
      functionLibraries: () => [...librariesOf(server).libraries.values()].map((library) => library.code),
      replaceFunctionLibraries: (codes) => {
        const libraries = librariesOf(server)
        libraries.flush()
        for (const code of codes) {
          const loaded = libraries.load(code, true)
          if (typeof loaded !== "string") Effect.runForkWith(runtime)(Effect.logWarning(`Failed loading a library from the primary's snapshot: ${loaded.error}`))
        }
      }
    }

    const replication = new Replication({
      keyspace,
      config: server.config,
      executor,
      fork: (job) => {
        forkJob(job)
      },
      now,
      tcpPort: () => server.tcpPort,
      auxFields: (at) => [
        ["redis-ver", "7.0.15"],
        ["redis-bits", "64"],
        ["ctime", String(Math.floor(at / 1000))],
        ["used-mem", String(process.memoryUsage().rss)],
        ["aof-base", "0"]
      ],
      unblock: (client, reply) => server.blocked.complete(client, reply),
      registerMasterClient: (address, localAddress, kill) => {
        const client = new ClientState(allocateClientId(), address, localAddress, now(), kill)
        client.replicationRole = "master"
        client.authenticated = true
        server.clients.set(client.id, client)
        return client
      },
      unregisterClient: (client) => {
        server.clients.delete(client.id)
      },
      holdWrites: (held) => server.observability.pause.holdWrites(held),
      log: (level, message) => {
        Effect.runForkWith(runtime)(level === "info" ? Effect.logInfo(message) : Effect.logWarning(message))
      }
    })
    server.replication = replication

    yield* runOnAlarm(
      replication.tickAlarm,
      Effect.flatMap(Clock.currentTimeMillis, (now) =>
        Effect.sync(() => {
          replication.tick()
          return replication.needsTicks ? now + 1000 : Number.POSITIVE_INFINITY
        }))
    ).pipe(Effect.forkScoped)
    yield* Effect.addFinalizer(() => Effect.sync(() => {
      replication.link?.close()
      server.replication = undefined
    }))
    const [host, port] = initialReplicaof.trim().split(/\s+/)
    const persistence = server.persistence
    if (persistence !== undefined) {
      persistence.replicationAux = () => replication.saveInfo()
      const aux = persistence.loadedAux
      if (aux !== undefined) replication.resumeHistory(aux, host !== undefined && host !== "" && port !== undefined)
    }
    if (host !== undefined && host !== "" && port !== undefined) {
      yield* Clock.currentTimeMillis
      replication.follow(host, Number(port))
    }
    return replication
  })
