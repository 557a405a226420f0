/**
 * State shared by every connection of one server: the live configuration (CONFIG GET/SET), the
 * counters INFO shows, the registry of connected clients, the pub/sub hub, and the way commands
 * ask the server to shut down. Plain data, read and written synchronously by commands inside a batch.
 */
import type { CommandSpec } from "../commands/Command.js"
import type { RuntimeConfig } from "../config/RuntimeConfig.js"
import type { Hub } from "../pubsub/Hub.js"
import type { ClientState } from "./ClientState.js"

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
}

export const emptyStats = (): ServerStats => ({
  totalConnectionsReceived: 0,
  totalCommandsProcessed: 0,
  rejectedConnections: 0,
  netInputBytes: 0,
  netOutputBytes: 0,
  keyspaceHits: 0,
  keyspaceMisses: 0,
  errorReplies: 0
})

export type ShutdownMode = "default" | "save" | "nosave"

export interface ServerState {
  readonly config: RuntimeConfig
  stats: ServerStats
  readonly clients: Map<number, ClientState>
  /** Channels, patterns and their subscribers; PUBLISH and keyspace notifications go through it. */
  readonly pubsub: Hub
  /** Unix ms when the server started (uptime), from Effect's Clock. */
  readonly startedAt: number
  /** 40 hex characters, new for every start (INFO's run_id). */
  readonly runId: string
  /** The bound TCP port (differs from `config.port` when that was 0). */
  readonly tcpPort: number
  /** Every command by lower-case name (COMMAND reads it). */
  readonly commands: ReadonlyMap<string, CommandSpec>
  /** SHUTDOWN: starts the same graceful drain as Ctrl+C; the reply is the connection closing. */
  requestShutdown(mode: ShutdownMode): void
}
