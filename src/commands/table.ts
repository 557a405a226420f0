/**
 * The command table: every command the server knows, by lower-case name. The single source of
 * truth for dispatch, arity errors and COMMAND; each family contributes its own module.
 */
import { authCommands } from "./auth.js"
import { bitmapCommands } from "./bitmaps.js"
import { blockingCommands } from "./blocking.js"
import type { CommandSpec } from "./Command.js"
import { clusterCommands } from "./cluster.js"
import { connectionCommands } from "./connection.js"
import { geoCommands } from "./geo.js"
import { hashCommands } from "./hashes.js"
import { hyperLogLogCommands } from "./hyperloglog.js"
import { keyCommands } from "./keys.js"
import { listCommands } from "./lists.js"
import { pubsubCommands } from "./pubsub.js"
import { scriptingCommands } from "./scripting.js"
import { replicationCommands } from "./replication.js"
import { serverCommands } from "./server.js"
import { setCommands } from "./sets.js"
import { sortCommands } from "./sort.js"
import { streamCommands } from "./streams.js"
import { stringCommands } from "./strings.js"
import { transactionCommands } from "./transactions.js"
import { zsetCommands } from "./zsets.js"

export const allCommands: ReadonlyArray<CommandSpec> = [
  ...connectionCommands,
  ...authCommands,
  ...serverCommands,
  ...stringCommands,
  ...keyCommands,
  ...sortCommands,
  ...listCommands,
  ...hashCommands,
  ...setCommands,
  ...zsetCommands,
  ...geoCommands,
  ...streamCommands,
  ...pubsubCommands,
  ...transactionCommands,
  ...blockingCommands,
  ...clusterCommands,
  ...bitmapCommands,
  ...hyperLogLogCommands,
  ...scriptingCommands,
  ...replicationCommands
]

export const commandTable: ReadonlyMap<string, CommandSpec> = new Map(
  allCommands.map((spec) => [spec.name, spec] as const)
)
