/**
 * redis-cli's command line, reshaped for effect/cli before it parses it.
 *
 * redis-cli reads its options up to the first word that is not one, and takes everything from
 * there on as the command, verbatim (`redis-cli set k -5` sets "-5"). effect/cli would read
 * `-5` as an option, and reserves `-h` for --help where redis-cli has `-h <host>`. So:
 * - in the leading options, `-h <host>` becomes `--host <host>` (a bare trailing `-h` is help);
 * - the command's words go after `--`, so they are never options: `get k` becomes
 *   `get -- k`, and a command that is not one of the subcommands is sent through the `send`
 *   subcommand: `hset h f v` becomes `send -- hset h f v`;
 * - `<subcommand> --help` (alone) is still the subcommand's help.
 */

const SUBCOMMANDS = ["ping", "get", "set", "publish", "subscribe"] as const
/** The subcommand that sends any other command as it is. */
export const SEND = "send"

/** Options that take a value (the next word, or `--name=value`). */
const VALUE_OPTIONS = new Set(["--host", "-p", "--port", "-a", "--password", "-n", "--db", "--completions", "--log-level"])

export const normalizeArgv = (args: ReadonlyArray<string>): Array<string> => {
  const out: Array<string> = []
  let i = 0
  for (; i < args.length; i++) {
    const arg = args[i]
    if (arg === "--") {
      i++
      break
    }
    if (!arg.startsWith("-") || arg === "-") break
    if (arg === "-h") {
      if (i + 1 < args.length) {
        out.push("--host", args[++i])
      } else {
        out.push("--help")
      }
      continue
    }
    out.push(arg)
    if (VALUE_OPTIONS.has(arg) && i + 1 < args.length) out.push(args[++i])
  }
  if (i >= args.length) return out
  const command = args[i]
  const rest = args.slice(i + 1)
  const lower = command.toLowerCase()
  if ((SUBCOMMANDS as ReadonlyArray<string>).includes(lower) || lower === SEND) {
    if (rest.length === 1 && rest[0] === "--help") return [...out, lower, "--help"]
    return [...out, lower, "--", ...rest]
  }
  return [...out, SEND, "--", command, ...rest]
}
