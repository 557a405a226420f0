/**
 * The list command family (Redis's "list" group) over `ListValue`, a ring buffer: pushes and pops
 * at the ends in lists/push-pop.ts, reads in lists/read.ts, in-place edits in lists/edit.ts and
 * list-to-list moves in lists/move.ts. lists/shared.ts holds the lookups and the one function
 * every push goes through (where blocking commands will hook in).
 */
import type { CommandSpec } from "./Command.js"
import { editCommands } from "./lists/edit.js"
import { moveCommands } from "./lists/move.js"
import { pushPopCommands } from "./lists/push-pop.js"
import { readCommands } from "./lists/read.js"

export const listCommands: ReadonlyArray<CommandSpec> = [
  ...pushPopCommands,
  ...readCommands,
  ...editCommands,
  ...moveCommands
]
