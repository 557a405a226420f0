/**
 * `rename-command <name> <new name>` from redis.conf, as redis-server applies it: the command is
 * found under its current name (so an earlier rename counts), removed, and added again under the
 * new name unless that is "" (the command is gone). The ACL rules and COMMAND's replies keep the
 * original names, as Redis's do.
 */
import type { CommandSpec } from "./Command.js"

/** The table with `renames` applied, or the index of the first refused one and Redis's reason. */
export const renameCommands = (
  table: ReadonlyMap<string, CommandSpec>,
  renames: ReadonlyArray<readonly [from: string, to: string]>
): Map<string, CommandSpec> | { readonly index: number; readonly reason: string } => {
  const commands = new Map(table)
  for (let index = 0; index < renames.length; index++) {
    const from = renames[index][0].toLowerCase()
    const to = renames[index][1].toLowerCase()
    const spec = commands.get(from)
    if (spec === undefined) return { index, reason: "No such command in rename-command" }
    commands.delete(from)
    if (to === "") continue
    if (commands.has(to)) return { index, reason: "Target command name already exists" }
    commands.set(to, spec)
  }
  return commands
}
