/**
 * State shared by every connection of one server: the live configuration (CONFIG GET/SET), the
 * counters INFO shows, the registry of connected clients, the pub/sub hub, and the way commands
 * ask the server to shut down. Plain data, read and written synchronously by commands inside a batch.
 */
import { Acl } from "../acl/Acl.js"
import type { CommandSpec } from "../commands/Command.js"
import { RuntimeConfig } from "../config/RuntimeConfig.js"
import { Observability } from "../observability/Observability.js"
import { makeServerConfig } from "../config/ServerConfig.js"
import type { PersistenceControl } from "../persistence/Persistence.js"
import type { Replication } from "../replication/Replication.js"
import { Hub } from "../pubsub/Hub.js"
import { BlockedClients } from "../blocking/BlockedClients.js"
import type { ClientState } from "../session/ClientState.js"
import { Tracking } from "../tracking/Tracking.js"
import { Watches } from "../watches/Watches.js"

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

export const emptyStats = (): ServerStats => ({
  totalConnectionsReceived: 0,
  totalCommandsProcessed: 0,
  rejectedConnections: 0,
  netInputBytes: 0,
  netOutputBytes: 0,
  keyspaceHits: 0,
  keyspaceMisses: 0,
  errorReplies: 0,
  evictedKeys: 0,
  peakMemory: 0
})

export type ShutdownMode = "default" | "save" | "nosave"

export interface ServerState {
  readonly config: RuntimeConfig
  stats: ServerStats
  readonly clients: Map<number, ClientState>
  /** Channels, patterns and their subscribers; PUBLISH and keyspace notifications go through it. */
  readonly pubsub: Hub
  /** The keys clients WATCH (transactions). */
  readonly watches: Watches
  /** Clients blocked on keys (BLPOP and friends). */
  readonly blocked: BlockedClients
  /** Unix ms when the server started (uptime), from Effect's Clock. */
  readonly startedAt: number
  /** 40 hex characters, new for every start (INFO's run_id). */
  readonly runId: string
  /** The bound TCP port (differs from `config.port` when that was 0). */
  tcpPort: number
  /** Every command by lower-case name (COMMAND reads it). */
  readonly commands: ReadonlyMap<string, CommandSpec>
  /** SHUTDOWN: starts the same graceful drain as Ctrl+C; the reply is the connection closing. */
  requestShutdown(mode: ShutdownMode): void
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
}

/**
 * The state of a server with no listener: for running commands in process without one (tests,
 * benchmarks). Shutdown requests are ignored.
 */
export const detachedServerState = (
  commands: ReadonlyMap<string, CommandSpec>,
  config: RuntimeConfig = new RuntimeConfig(makeServerConfig())
): ServerState => {
  const acl = new Acl(commands, config.requirepass)
  config.onRequirepassChange = (password) => acl.setDefaultPassword(password)
  const clients = new Map<number, ClientState>()
  const pubsub = new Hub(config, () => Date.now())
  return {
  config,
  stats: emptyStats(),
  clients,
  startedAt: 0,
  runId: "0".repeat(40),
  tcpPort: 0,
  commands,
  pubsub,
  watches: new Watches(),
  blocked: new BlockedClients(),
  requestShutdown: () => {},
  shutdownMode: "default",
  persistence: undefined,
  writesRefused: undefined,
  acl,
  tracking: new Tracking(config, pubsub, (id) => clients.get(id)),
  observability: new Observability(() => Date.now() * 1000, config)
  }
}
