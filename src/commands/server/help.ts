/**
 * The HELP replies of container commands, in Redis's shape: an array of status lines that starts
 * with "<NAME> <subcommand> [<arg> [value] [opt] ...]. Subcommands are:" and ends with the HELP
 * entry itself. The texts are Redis 7.0's, so clients and people see what they know.
 */
import type { ReplyWriter } from "../../protocol/ReplyWriter.js"

export const writeHelp = (out: ReplyWriter, name: string, lines: ReadonlyArray<string>): void => {
  out.arrayHeader(lines.length + 3)
  out.simple(`${name} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:`)
  for (const line of lines) out.simple(line)
  out.simple("HELP")
  out.simple("    Prints this help.")
}
