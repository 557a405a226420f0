/**
 * The server family (Redis's "server" group, plus CLIENT from "connection"): each part lives in
 * `server/`, this module puts them in the table's order. DBSIZE and the FLUSH commands belong to
 * the keys family.
 */
import { aclCommand } from "./acl.js"
import type { CommandSpec } from "./Command.js"
import { clientCommand } from "./server/client.js"
import { commandCommands } from "./server/command.js"
import { configCommand } from "./server/config.js"
import { controlCommands } from "./server/control.js"
import { infoCommands } from "./server/info.js"
import { memoryCommand } from "./server/memory.js"
import { observabilityCommands } from "./server/observability.js"
import { operatorCommands } from "./server/operator.js"
import { persistenceCommands } from "./server/persistence.js"

export const serverCommands: ReadonlyArray<CommandSpec> = [
  clientCommand,
  aclCommand,
  ...commandCommands,
  configCommand,
  ...infoCommands,
  ...controlCommands,
  ...persistenceCommands,
  memoryCommand,
  ...observabilityCommands,
  ...operatorCommands
]
