/**
 * What a command is: one entry of the command table. Name, arity, flags and key positions are
 * Redis's own (they are what `COMMAND INFO` reports, what arity errors check, and what key
 * extraction reads); `run` is plain synchronous code that reads its arguments and writes its reply
 * into the connection's `ReplyWriter`. No Effect runs per command: a whole batch executes inside
 * one step on the keyspace.
 */
import type { Acl } from "../acl/Acl.js"
import type { BlockedClients } from "../blocking/BlockedClients.js"
import type { RuntimeConfig } from "../config/RuntimeConfig.js"
import type { Alarm } from "../keyspace/Alarm.js"
import type { Database } from "../keyspace/Database.js"
import type { Keyspace } from "../keyspace/Keyspace.js"
import type { RedisValue } from "../keyspace/Value.js"
import type { Observability } from "../observability/Observability.js"
import type { PersistenceControl, ShutdownMode } from "../persistence/Persistence.js"
import type { CommandInfo } from "../protocol/CommandInfo.js"
import type { ReplyWriter } from "../protocol/ReplyWriter.js"
import type { Hub } from "../pubsub/Hub.js"
import type { Replication } from "../replication/Replication.js"
import type { ClientState } from "../session/ClientState.js"
import type { Tracking } from "../tracking/Tracking.js"
import type { Watches } from "../watches/Watches.js"

/** The world a command sees while its batch runs. One per connection, reused for every batch. */
export interface CommandContext {
  keyspace: Keyspace
  /** The client's selected database (SELECT changes it). */
  db: Database
  /** Unix time in ms, read once per batch from Effect's `Clock` (so `TestClock` drives expiry). */
  now: number
  readonly out: ReplyWriter
  readonly client: ClientState
  readonly server: ServerState
}

export interface ServerStats {
  totalConnectionsReceived: number
  totalCommandsProcessed: number
  rejectedConnections: number
  netInputBytes: number
  netOutputBytes: number
  keyspaceHits: number
  keyspaceMisses: number
  /** Error replies sent, protocol errors included (INFO's total_error_replies). */
  errorReplies: number
  /** Keys deleted to stay under maxmemory (src/eviction/MaxMemory.ts). */
  evictedKeys: number
  /** Highest used memory seen (by the memory cron and INFO): INFO's used_memory_peak. */
  peakMemory: number
}

/**
 * State shared by every connection of one server: the live configuration (CONFIG GET/SET), the
 * counters INFO shows, the registry of connected clients, the pub/sub hub, and the way commands
 * ask the server to shut down. Plain data, read and written synchronously by commands inside a batch.
 */
export interface ServerState {
  readonly config: RuntimeConfig
  stats: ServerStats
  readonly clients: Map<number, ClientState>
  /** Channels, patterns and their subscribers; PUBLISH and keyspace notifications go through it. */
  readonly pubsub: Hub
  /** The keys clients WATCH (transactions). */
  readonly watches: Watches
  /** Clients blocked on keys (BLPOP and friends). */
  readonly blocked: BlockedClients<CommandContext>
  /** Unix ms when the server started (uptime), from Effect's Clock. */
  readonly startedAt: number
  /** 40 hex characters, new for every start (INFO's run_id). */
  readonly runId: string
  /** The bound TCP port (differs from `config.port` when that was 0). */
  tcpPort: number
  /** Every command by lower-case name (COMMAND reads it). */
  readonly commands: ReadonlyMap<string, CommandSpec>
  /** SHUTDOWN: starts the same graceful drain as Ctrl+C (the reply is the connection closing); false when refused. */
  requestShutdown(mode: ShutdownMode): boolean
  /** How the shutdown under way was asked for ("default" for a signal or scope close). */
  shutdownMode: ShutdownMode
  /** SAVE, BGSAVE, BGREWRITEAOF and INFO persistence (set once persistence has started). */
  persistence: PersistenceControl | undefined
  /** When set, write commands get this error (MISCONF after a failed AOF write or BGSAVE). */
  writesRefused: string | undefined
  /** ACL users, their permissions and the ACL log (src/acl/Acl.ts). */
  readonly acl: Acl
  /** Client-side caching: tracked keys and invalidations (src/tracking/Tracking.ts). */
  readonly tracking: Tracking
  /** Command stats, SLOWLOG, LATENCY, MONITOR and CLIENT PAUSE (src/observability/). */
  readonly observability: Observability
  /** Both sides of replication (set once the server runs; src/replication/Replication.ts). */
  replication?: Replication
  /** Wakes the memory cron, which sleeps while used memory is under maxmemory (src/keyspace/Alarm.ts). */
  readonly cronAlarm: Alarm
  /** Wakes the idle-client check (`timeout`), which sleeps until a client could time out. */
  readonly clientsAlarm: Alarm
}

export type CommandRun = (ctx: CommandContext, argv: ReadonlyArray<string>) => void

/** One entry of the command table: what the command is (CommandInfo) and what runs it. */
export interface CommandSpec extends CommandInfo {
  /** Runs the command. A container (CLIENT, CONFIG, ...) has `subcommands` instead. */
  readonly run?: CommandRun
  readonly subcommands?: ReadonlyArray<CommandSpec>
}

/** Declares a command; key positions default to "no keys". */
export const command = (
  spec: Omit<CommandSpec, "firstKey" | "lastKey" | "step"> & Partial<Pick<CommandSpec, "firstKey" | "lastKey" | "step">>
): CommandSpec => ({ firstKey: 0, lastKey: 0, step: 0, ...spec })

/** COMMAND DOCS's notes of a command Redis keeps only for compatibility. */
export const deprecated = (since: string, replacedBy: string) =>
  ({ docFlags: ["deprecated"], deprecatedSince: since, replacedBy }) as const satisfies Partial<CommandSpec>

/** Shorthand for the key positions of a command whose only key is its first argument. */
export const FIRST_KEY = { firstKey: 1, lastKey: 1, step: 1 } as const
/** Every argument after the name is a key (DEL, EXISTS, MGET, ...). */
export const ALL_KEYS = { firstKey: 1, lastKey: -1, step: 1 } as const

/**
 * Logs `argv` for the append-only file in place of the running command's own arguments — for
 * commands whose effect must replay without the clock or chance (relative TTLs become absolute
 * ones, ...). Call it only when `ctx.keyspace.commandLog.enabled`, so nothing is built otherwise.
 */
export const propagateAs = (ctx: CommandContext, argv: ReadonlyArray<string>): void =>
  ctx.keyspace.commandLog.rewrite(ctx.db.id, argv)

/**
 * Stores a command's result at `key` (the *STORE commands) as Redis's `setKey` does: a key whose
 * time has passed is removed first, as expired (its `expired` event, then `new` for the store),
 * instead of being silently replaced. Free when no key has a TTL.
 */
export const storeResultAt = (ctx: CommandContext, key: string, value: RedisValue): void => {
  if (ctx.db.volatileCount !== 0) ctx.db.lookup(key, ctx.now)
  ctx.db.set(key, value)
}
