/**
 * Redis-style configuration files: `redfiber-server /path/redis.conf [--name value ...]` reads
 * the file as redis-server does (one directive a line, `#` comments, Redis's quoting), with the
 * flags after it appended as more lines; any parameter CONFIG SET knows may appear. A mistake
 * stops the start with Redis's report (the line number, the line, the reason).
 */
import * as fs from "node:fs"
import { REDIS_VERSION } from "../protocol/version.js"
import { quoteRepr } from "../observability/argvText.js"
import { FLAGS } from "./flags.js"
import { parseMemory } from "./memory.js"
import { findParameter } from "./parameters.js"
import { RuntimeConfig } from "./RuntimeConfig.js"
import { makeServerConfig, type ServerConfigInput } from "./ServerConfig.js"

export class ConfigFileError {
  readonly _tag = "ConfigFileError"
  constructor(readonly line: number, readonly text: string, readonly reason: string) {}
  /** What redis-server prints (on stderr) before it exits 1. */
  get message(): string {
    return `\n*** FATAL CONFIG FILE ERROR (Redis ${REDIS_VERSION}) ***\n` +
      `Reading the configuration file, at line ${this.line}\n>>> '${this.text}'\n${this.reason}`
  }
}

const isSpace = (char: string | undefined) =>
  char === " " || char === "\t" || char === "\n" || char === "\r" || char === "\v" || char === "\f"
const isHex = (char: string | undefined) => char !== undefined && /^[0-9a-fA-F]$/.test(char)
const ESCAPES: Readonly<Record<string, string>> = { n: "\n", r: "\r", t: "\t", b: "\b", a: "\x07" }

/**
 * Redis's sdssplitargs: words split on spaces; "double quotes" with \n \r \t \b \a \xhh and
 * \<char> escapes, 'single quotes' with \' only; a closing quote must end the word. Undefined for
 * unbalanced quotes.
 */
export const splitArgs = (line: string): Array<string> | undefined => {
  const args: Array<string> = []
  let i = 0
  for (;;) {
    while (i < line.length && isSpace(line[i])) i++
    if (i >= line.length) return args
    let current = ""
    let inDouble = false
    let inSingle = false
    for (let done = false; !done;) {
      const char = line[i]
      if (inDouble) {
        if (char === "\\" && line[i + 1] === "x" && isHex(line[i + 2]) && isHex(line[i + 3])) {
          current += String.fromCharCode(parseInt(line.slice(i + 2, i + 4), 16))
          i += 3
        } else if (char === "\\" && i + 1 < line.length) {
          i++
          current += ESCAPES[line[i]] ?? line[i]
        } else if (char === '"') {
          if (i + 1 < line.length && !isSpace(line[i + 1])) return undefined
          done = true
        } else if (char === undefined) {
          return undefined
        } else {
          current += char
        }
      } else if (inSingle) {
        if (char === "\\" && line[i + 1] === "'") {
          i++
          current += "'"
        } else if (char === "'") {
          if (i + 1 < line.length && !isSpace(line[i + 1])) return undefined
          done = true
        } else if (char === undefined) {
          return undefined
        } else {
          current += char
        }
      } else if (char === undefined || isSpace(char)) {
        done = true
      } else if (char === '"') {
        inDouble = true
      } else if (char === "'") {
        inSingle = true
      } else {
        current += char
      }
      if (i < line.length) i++
    }
    args.push(current)
  }
}

/** The flags after the file, as redis-server appends them: `name "value" ...`, one line each. */
export const optionsText = (argv: ReadonlyArray<string>): string => {
  let options = ""
  for (const arg of argv) {
    if (arg.startsWith("--")) {
      if (options !== "") options += "\n"
      options += `${arg.slice(2)} `
    } else {
      options += `${quoteRepr(arg)} `
    }
  }
  return options
}

/** Parameters whose value may be several words (joined by spaces), as Redis's MULTI_ARG configs. */
const MULTI_ARG: ReadonlySet<string> = new Set([
  "save",
  "bind",
  "client-output-buffer-limit",
  "latency-tracking-info-percentiles",
  "oom-score-adj-values"
])

/** Parameters that are ServerConfig fields: their text becomes the field's value. */
const toField = (name: string, value: string): number | string | undefined => {
  const spec = FLAGS[name]
  if (spec.kind === "string") return value
  if (spec.kind === "number") {
    const number = Number(value)
    return value.trim() === "" || !Number.isFinite(number) ? undefined : number
  }
  const bytes = parseMemory(value)
  return bytes === undefined || bytes > BigInt(Number.MAX_SAFE_INTEGER) ? undefined : Number(bytes)
}

/**
 * The configuration a config text (a file's content, then the flags' lines) describes, or the
 * first mistake in it. `configFile` is recorded for INFO and CONFIG REWRITE.
 */
export const configFromText = (text: string, configFile: string): ServerConfigInput | ConfigFileError => {
  const input: Record<string, unknown> = { configFile }
  const parameters: Array<readonly [string, string]> = []
  // Values are checked with the live parameter table's rules (Redis's texts) on a scratch config.
  const scratch = new RuntimeConfig(makeServerConfig())
  const listening = { tcpPort: 0 }
  let saveSeen = false
  const users: Array<ConfiguredUser> = []
  const renames: Array<ConfiguredRename> = []
  // Redis reads an included file at the `include` line, as a text of its own (its line numbers).
  const readText = (text: string, depth: number): ConfigFileError | undefined => {
    const lines = text.split("\n")
    for (let index = 0; index < lines.length; index++) {
      const line = lines[index].replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, "")
      if (line === "" || line.startsWith("#")) continue
      const args = splitArgs(line)
      const fail = (reason: string) => new ConfigFileError(index + 1, line, reason)
      if (args === undefined) return fail("Unbalanced quotes in configuration line")
      if (args.length === 0) continue
      const name = args[0].toLowerCase()
      if (name === "include" && args.length === 2) {
        let included: string
        try {
          included = fs.readFileSync(args[1], "latin1")
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code
          return new IncludeError(args[1], code === "ENOENT" ? "No such file or directory" : String(code))
        }
        // Redis has no bound; a file including itself would never end.
        if (depth >= 64) return fail("Bad directive or wrong number of arguments")
        const failed = readText(included, depth + 1)
        if (failed !== undefined) return failed
        continue
      }
      // Checked against the command table by the entry point (`configuredRenames`), as users are.
      if (name === "rename-command" && args.length === 3) {
        renames.push({ line: index + 1, text: line, from: args[1], to: args[2] })
        continue
      }
      // ACL users: their rules are checked by the entry point (`configuredUserError`), which knows the commands.
      if (name === "user" && args.length >= 2) {
        if (users.some((user) => user.args[1] === args[1])) {
          return fail(`Error in user declaration '${args[1]}': Duplicate user found. A user can only be defined once in config files`)
        }
        users.push({ line: index + 1, text: line, args })
        continue
      }
      const parameter = findParameter(scratch, name)
      if (parameter === undefined && FLAGS[name] === undefined) return fail("Bad directive or wrong number of arguments")
      if (args.length < 2 || (args.length > 2 && !MULTI_ARG.has(name))) return fail("wrong number of arguments")
      let value = args.slice(1).join(" ")
      // A second `save` line adds save points to the first one's (`save ""` clears them).
      if (name === "save") {
        const previous = input.save as string | undefined
        if (saveSeen && value !== "" && previous !== undefined && previous !== "") value = `${previous} ${value}`
        saveSeen = true
      }
      if (name === "enable-debug-command" && !["yes", "no", "local"].includes(value.toLowerCase())) {
        return fail("argument(s) must be one of the following: no, yes, local")
      }
      if (name === "enable-debug-command") value = value.toLowerCase()
      if (FLAGS[name] !== undefined) {
        if (parameter !== undefined && parameter.access === "mutable") {
          const checked = parameter.set(value, scratch, listening)
          if (typeof checked === "string") return fail(checked)
        }
        const converted = toField(name, value)
        if (converted === undefined) return fail("argument couldn't be parsed into an integer")
        input[FLAGS[name].field] = converted
      } else {
        const checked = parameter!.set(value, scratch, listening)
        if (typeof checked === "string") return fail(checked)
        checked.apply(scratch)
        parameters.push([name, value])
      }
    }
    return undefined
  }
  const failed = readText(text, 0)
  if (failed !== undefined) return failed
  input.parameters = parameters
  input.users = users.map((user) => user.args.slice(1))
  input.renamedCommands = renames.map((rename) => [rename.from, rename.to])
  return Object.assign(input as ServerConfigInput, { [USER_LINES]: users, [RENAME_LINES]: renames })
}

/** `include` of a file that cannot be read: redis-server's message, without the line report. */
class IncludeError extends ConfigFileError {
  constructor(readonly file: string, readonly cause: string) {
    super(0, "", cause)
  }
  override get message(): string {
    return `Fatal error, can't open config file '${this.file}': ${this.cause}`
  }
}

/** A `rename-command <name> <new name>` line ("" as the new name removes the command). */
export interface ConfiguredRename {
  readonly line: number
  readonly text: string
  readonly from: string
  readonly to: string
}

const RENAME_LINES = Symbol("renameLines")

/** The `rename-command` lines `configFromText` found, in order. */
export const configuredRenamesOf = (input: ServerConfigInput): ReadonlyArray<ConfiguredRename> =>
  (input as { [RENAME_LINES]?: ReadonlyArray<ConfiguredRename> })[RENAME_LINES] ?? []

/** A `user` line of a config file: where it is (for errors) and its words, `user` first. */
export interface ConfiguredUser {
  readonly line: number
  readonly text: string
  readonly args: ReadonlyArray<string>
}

const USER_LINES = Symbol("userLines")

/** The `user` lines `configFromText` found, for the entry point to check their rules. */
export const configuredUsersOf = (input: ServerConfigInput): ReadonlyArray<ConfiguredUser> =>
  (input as { [USER_LINES]?: ReadonlyArray<ConfiguredUser> })[USER_LINES] ?? []

/** Applies the start-time parameters to the live configuration (after the typed fields). */
export const applyStartParameters = (
  config: RuntimeConfig,
  parameters: ReadonlyArray<readonly [string, string]>,
  listening: { readonly tcpPort: number }
): void => {
  for (const [name, value] of parameters) {
    const parameter = findParameter(config, name)
    const change = parameter?.set(value, config, listening)
    if (change !== undefined && typeof change !== "string") change.apply(config)
  }
}
