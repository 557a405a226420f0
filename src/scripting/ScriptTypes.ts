/**
 * What the scripting engine and its callers share: the host a script reaches the server through,
 * script flags and shebangs, compiled scripts, registered functions and a run's state.
 */
import { createHash } from "node:crypto"

/** What redis.call and friends need from the server while a script runs. */
export interface ScriptHost {
  /**
   * Runs `argv` as a command of the script (with the script's checks: unknown command, arity,
   * noscript, read-only, ...) and returns its reply as RESP bytes in protocol `resp` (a view,
   * valid until the next call), or the error line of a refusal ("-CODE message").
   */
  call(argv: Array<string>, resp: number): Uint8Array | string
  /** redis.log: a line in the server log at Redis's level (0 debug .. 3 warning). */
  log(level: number, message: string): void
  /**
   * redis.acl_check_cmd: whether the running script's user may run `argv`, or undefined when
   * no such command (or subcommand) exists.
   */
  aclCheck(argv: Array<string>): boolean | undefined
}

/** Flags a script declares in its `#!lua flags=...` line (or a function in register_function). */
export type ScriptFlag = "no-writes" | "allow-oom" | "allow-stale" | "no-cluster" | "allow-cross-slot-keys"
export const SCRIPT_FLAGS: ReadonlyArray<ScriptFlag> = [
  "no-writes",
  "allow-oom",
  "allow-stale",
  "no-cluster",
  "allow-cross-slot-keys"
]

/** A function a library registered with redis.register_function. */
export interface RegisteredFunction {
  readonly name: string
  readonly ref: number
  readonly flags: ReadonlySet<ScriptFlag>
  readonly description: string | undefined
}

export interface CompiledScript {
  readonly sha: string
  readonly body: string
  /** The registry reference of its function. */
  readonly ref: number
  /** Undefined without a shebang (Redis's "eval compatibility mode"). */
  readonly flags: ReadonlySet<ScriptFlag> | undefined
}

/** How a run ended: its reply was written, or the script errored (the error line, also written). */
export type RunOutcome = "ok" | "error" | "busy"

/** The script running now: its coroutine, and when its hook yields or kills it. */
export interface Execution {
  readonly name: string
  readonly host: ScriptHost
  readonly thread: unknown
  /** Its redis.setresp choice. */
  resp: number
  /** performance.now() when it started (FUNCTION STATS's duration). */
  readonly startedAt: number
  /** performance.now() past which the hook yields it. */
  yieldAt: number
  /** Set by SCRIPT KILL / FUNCTION KILL: the error the hook raises. */
  kill: string | undefined
  /** The hook raised an error (its coroutine cannot be reused). */
  hookRaised?: boolean
}

export const sha1hex = (text: string): string => createHash("sha1").update(text, "latin1").digest("hex")

/** Splits `#!lua flags=a,b` off a script body; the body keeps the line end, so line numbers stay. */
export const parseShebang = (
  body: string
): { readonly flags: ReadonlySet<ScriptFlag> | undefined; readonly code: string } | string => {
  if (!body.startsWith("#!")) return { flags: undefined, code: body }
  const end = body.indexOf("\n")
  if (end < 0) return "ERR Invalid script shebang"
  const parts = body.slice(0, end).split(/[ \t\r]+/).filter((part) => part.length > 0)
  if (parts.length === 0) return "ERR Invalid engine in script shebang"
  if (parts[0] !== "#!lua") return `ERR Unexpected engine in script shebang: ${parts[0]}`
  const flags = new Set<ScriptFlag>()
  for (const part of parts.slice(1)) {
    if (!part.startsWith("flags=")) return `ERR Unknown lua shebang option: ${part}`
    for (const flag of part.slice(6).split(",")) {
      if (flag === "") continue
      if (!(SCRIPT_FLAGS as ReadonlyArray<string>).includes(flag)) return `ERR Unexpected flag in script shebang: ${flag}`
      flags.add(flag as ScriptFlag)
    }
  }
  return { flags, code: body.slice(end) }
}

/** Library and function names: letters, digits and underscores, at least one. */
export const isValidName = (name: string): boolean => /^[A-Za-z0-9_]+$/.test(name)
