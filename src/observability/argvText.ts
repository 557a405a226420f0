/**
 * How MONITOR and SLOWLOG show a command's arguments: Redis's `sdscatrepr` quoting, the
 * arguments Redis redacts (passwords), and SLOWLOG's trimming.
 */

const HEX = "0123456789abcdef"

/** Redis's sdscatrepr: a double-quoted string with \\ \" \n \r \t \a \b and \xhh escapes. */
export const quoteRepr = (text: string): string => {
  let out = '"'
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    switch (code) {
      case 92:
        out += "\\\\"
        break
      case 34:
        out += '\\"'
        break
      case 10:
        out += "\\n"
        break
      case 13:
        out += "\\r"
        break
      case 9:
        out += "\\t"
        break
      case 7:
        out += "\\a"
        break
      case 8:
        out += "\\b"
        break
      default:
        out += code >= 32 && code <= 126 ? text[i] : `\\x${HEX[(code >> 4) & 15]}${HEX[code & 15]}`
    }
  }
  return out + '"'
}

const REDACTED = "(redacted)"

/** Parameters whose values CONFIG SET hides (Redis 7.0's SENSITIVE_CONFIG). */
const SENSITIVE_PARAMETERS: ReadonlySet<string> = new Set(["requirepass", "masterauth", "masteruser"])

/**
 * The arguments as Redis records them after the command ran: AUTH's, HELLO's AUTH pair,
 * MIGRATE's AUTH/AUTH2 passwords and sensitive CONFIG SET values replaced by "(redacted)".
 * Returns `argv` itself when nothing is hidden.
 */
export const redactedArgv = (name: string, argv: ReadonlyArray<string>): ReadonlyArray<string> => {
  switch (name) {
    case "auth":
      return argv.map((arg, i) => (i === 0 ? arg : REDACTED))
    case "hello": {
      const copy = [...argv]
      for (let i = 2; i < copy.length; i++) {
        if (copy[i].toLowerCase() === "auth" && i + 2 < copy.length) {
          copy[i + 1] = REDACTED
          copy[i + 2] = REDACTED
          i += 2
        }
      }
      return copy
    }
    case "migrate": {
      const copy = [...argv]
      for (let i = 6; i < copy.length; i++) {
        const option = copy[i].toLowerCase()
        if (option === "keys") break
        if (option === "auth" && i + 1 < copy.length) copy[++i] = REDACTED
        else if (option === "auth2" && i + 2 < copy.length) {
          copy[i + 2] = REDACTED
          i += 2
        }
      }
      return copy
    }
    case "config|set": {
      const copy = [...argv]
      for (let i = 2; i + 1 < copy.length; i += 2) {
        if (SENSITIVE_PARAMETERS.has(copy[i].toLowerCase())) copy[i + 1] = REDACTED
      }
      return copy
    }
    default:
      return argv
  }
}

/** SLOWLOG keeps at most this many arguments (the last one says how many more there were). */
const SLOWLOG_MAX_ARGC = 32
/** ... and this many bytes of each. */
const SLOWLOG_MAX_STRING = 128

/** SLOWLOG's copy of argv: 31 arguments and "... (N more arguments)" past 32, long ones cut. */
export const slowlogArgv = (argv: ReadonlyArray<string>): Array<string> => {
  const count = Math.min(argv.length, SLOWLOG_MAX_ARGC)
  const kept: Array<string> = []
  for (let i = 0; i < count; i++) {
    if (count !== argv.length && i === count - 1) {
      kept.push(`... (${argv.length - SLOWLOG_MAX_ARGC + 1} more arguments)`)
    } else if (argv[i].length > SLOWLOG_MAX_STRING) {
      kept.push(`${argv[i].slice(0, SLOWLOG_MAX_STRING)}... (${argv[i].length - SLOWLOG_MAX_STRING} more bytes)`)
    } else {
      kept.push(argv[i])
    }
  }
  return kept
}
