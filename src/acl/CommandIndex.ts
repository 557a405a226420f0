/**
 * The command table as ACLs see it: every command and subcommand with a number (its bit in a
 * selector's allowed set), its full name (`config|get`) and its categories, taken from the table
 * itself (`aclCategoriesOf`: declared, or derived from flags). Built once per table.
 */
import type { CommandInfo } from "../protocol/CommandInfo.js"
import { ACL_ORDER, aclCategoriesOf } from "./categories.js"

export interface AclCommand {
  readonly id: number
  readonly spec: CommandInfo
  readonly categories: ReadonlySet<string>
  readonly parent: AclCommand | undefined
  readonly subcommands: Array<AclCommand>
}

/** Redis's categories, in the order ACL CAT lists them and descriptions try them. */
export const ACL_CATEGORIES: ReadonlyArray<string> = ACL_ORDER

export class CommandIndex {
  /** Commands in table order, each container followed by nothing: subcommands hang off it. */
  readonly topLevel: Array<AclCommand> = []
  /** Every command and subcommand by full lower-case name. */
  readonly byName = new Map<string, AclCommand>()
  readonly bySpec = new Map<CommandInfo, AclCommand>()
  /** Bits in use; bit `size` is the "future commands" bit +@all sets. */
  size = 0

  constructor(commands: ReadonlyMap<string, CommandInfo>) {
    for (const spec of commands.values()) {
      const command = this.add(spec, undefined)
      this.topLevel.push(command)
      for (const sub of spec.subcommands ?? []) command.subcommands.push(this.add(sub, command))
    }
  }

  private add(spec: CommandInfo, parent: AclCommand | undefined): AclCommand {
    const command: AclCommand = {
      id: this.size++,
      spec,
      categories: new Set(aclCategoriesOf(spec)),
      parent,
      subcommands: []
    }
    this.byName.set(spec.name, command)
    this.bySpec.set(spec, command)
    return command
  }

  /** Every command then its subcommands, depth first (the order descriptions and ACL CAT walk). */
  *walk(): Generator<AclCommand> {
    for (const command of this.topLevel) {
      yield command
      yield* command.subcommands
    }
  }
}

const indexes = new WeakMap<ReadonlyMap<string, CommandInfo>, CommandIndex>()

export const commandIndexOf = (commands: ReadonlyMap<string, CommandInfo>): CommandIndex => {
  let index = indexes.get(commands)
  if (index === undefined) indexes.set(commands, index = new CommandIndex(commands))
  return index
}
