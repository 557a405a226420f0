/**
 * The keys / keyspace family (Redis's "generic" group, plus the whole-database commands of its
 * "server" group): each part lives in `keys/`, this module puts them in the table's order.
 */
import type { CommandSpec } from "./Command.js"
import { dumpRestoreCommands } from "./dump-restore.js"
import { databaseCommands } from "./keys/databases.js"
import { expiryCommands } from "./keys/expiry.js"
import { iterationCommands } from "./keys/iteration.js"
import { objectCommands } from "./keys/object.js"
import { presenceCommands } from "./keys/presence.js"
import { relocationCommands } from "./keys/relocation.js"

export const keyCommands: ReadonlyArray<CommandSpec> = [
  ...presenceCommands,
  ...expiryCommands,
  ...iterationCommands,
  ...relocationCommands,
  ...objectCommands,
  ...databaseCommands,
  ...dumpRestoreCommands
]
