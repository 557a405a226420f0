/**
 * The HELP replies of container commands, in Redis's shape: an array of status lines that starts
 * with "<NAME> <subcommand> [<arg> [value] [opt] ...]. Subcommands are:" and ends with the HELP
 * entry itself. The texts are Redis 7.0's, so clients and people see what they know.
 */
import type { ReplyWriter } from "../../protocol/ReplyWriter.js"
import { command, type CommandSpec } from "../Command.js"

export const writeHelp = (out: ReplyWriter, name: string, lines: ReadonlyArray<string>): void => {
  out.arrayHeader(lines.length + 3)
  out.simple(`${name} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:`)
  for (const line of lines) out.simple(line)
  out.simple("HELP")
  out.simple("    Prints this help.")
}

/**
 * The HELP subcommand of the container `name` (upper case, as the reply shows it), declared as
 * Redis declares every one of them; `lines` are those between the first line and HELP's own.
 */
export const helpSubcommand = (
  name: string,
  described: Pick<CommandSpec, "group" | "aclCategories" | "since">,
  lines: ReadonlyArray<string>
): CommandSpec =>
  command({
    name: `${name.toLowerCase()}|help`,
    arity: 2,
    flags: ["loading", "stale"],
    ...described,
    summary: "Show helpful text about the different subcommands",
    complexity: "O(1)",
    run: (ctx) => writeHelp(ctx.out, name, lines)
  })
