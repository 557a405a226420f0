/**
 * Making a ServerState (the interface is part of the command contract, src/commands/Command.ts):
 * the counters INFO shows, and the state of a server with no listener.
 */
import { Acl } from "../acl/Acl.js"
import type { CommandSpec, ServerState, ServerStats } from "./Command.js"
import { RuntimeConfig } from "../config/RuntimeConfig.js"
import { Alarm } from "../keyspace/Alarm.js"
import { Observability } from "../observability/Observability.js"
import { makeServerConfig } from "../config/ServerConfig.js"
import { Hub } from "../pubsub/Hub.js"
import { BlockedClients } from "../blocking/BlockedClients.js"
import type { ClientState } from "../session/ClientState.js"
import { Tracking } from "../tracking/Tracking.js"
import { Watches } from "../watches/Watches.js"

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
  cronAlarm: new Alarm(),
  clientsAlarm: new Alarm(),
  requestShutdown: () => true,
  shutdownMode: "default",
  persistence: undefined,
  writesRefused: undefined,
  acl,
  tracking: new Tracking(config, pubsub, (id) => clients.get(id)),
  observability: new Observability(() => Date.now() * 1000, config)
  }
}
