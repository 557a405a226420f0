/**
 * One run of a script or function: the `ScriptHost` through which its redis.call reaches the
 * command table. A call goes through the same resolution as a client's command (unknown command,
 * arity, subcommand) and then Redis 7.0's script checks — noscript commands, writes from a
 * read-only script, -OOM for the first write past maxmemory, MISCONF — and runs with
 * `runCounted`, as EXEC runs its commands: never queued, even if the caller is in MULTI.
 *
 * The script has its own client (Redis's Lua client): its SELECT never leaks to the caller, and
 * like EXEC's it never blocks (blocking commands answer as if timed out) and leaves the blocked
 * clients its writes serve to be served after the script, by the caller's command.
 */
import * as Effect from "effect/Effect"
import type { ScriptFlag, ScriptHost } from "../../scripting/LuaEngine.js"
import { ReplyWriter } from "../../protocol/ReplyWriter.js"
import { ClientState } from "../../session/ClientState.js"
import { memoryRefusal, OOM } from "../../eviction/MaxMemory.js"
import type { CommandContext, CommandSpec, ServerState } from "../Command.js"
import { scriptAclAllows, scriptAclRefusal } from "../acl-permissions.js"
import { resolveCommand, runCounted } from "../dispatch.js"

const LOG_LEVELS = ["debug", "verbose", "notice", "warning"]

/** The script client of each server (one is enough: scripts never run at the same time). */
const scriptClients = new WeakMap<ServerState, ClientState>()

const scriptClient = (server: ServerState): ClientState => {
  let client = scriptClients.get(server)
  if (client === undefined) {
    // MONITOR shows its commands as Redis does: `[0 lua]`.
    client = new ClientState(0, "lua", "", 0, () => {})
    client.authenticated = true
    client.inExec = true
    client.name = "lua"
    scriptClients.set(server, client)
  }
  return client
}

/** A command the OOM check treats as "may grow memory" (the script's own first write). */
const DENY_OOM_PROBE = { flags: ["denyoom"] } as unknown as CommandSpec

export interface ScriptRunOptions {
  /** EVAL_RO / FCALL_RO, or a script flagged no-writes. */
  readonly readOnly: boolean
  readonly flags: ReadonlySet<ScriptFlag> | undefined
  /** What the caller sent (its EVAL or FCALL): the ACL log shows it. */
  readonly callerArgv: ReadonlyArray<string>
}

/**
 * The buffer redis.call's replies are written to and taken from, one call at a time (calls never
 * overlap: a script runs alone), shared so that a script does not allocate one.
 */
const callReplies = new ReplyWriter()

export class ScriptRun implements ScriptHost {
  private readonly ctx: CommandContext
  private readonly out = callReplies
  /** A write command ran (Redis's SCRIPT_WRITE_DIRTY): SCRIPT KILL refuses from then on. */
  wrote = false
  /** Past maxmemory when the script started: its first write that may grow memory is refused. */
  private readonly startedOutOfMemory: boolean

  constructor(
    private readonly caller: CommandContext,
    private readonly options: ScriptRunOptions
  ) {
    const client = scriptClient(caller.server)
    client.db = caller.client.db
    this.ctx = {
      keyspace: caller.keyspace,
      db: caller.db,
      now: caller.now,
      out: this.out,
      client,
      server: caller.server
    }
    const allowOom = options.flags?.has("allow-oom") === true
    this.startedOutOfMemory = !allowOom && caller.client.remote && caller.server.config.maxmemory > 0 &&
      memoryRefusal(caller, DENY_OOM_PROBE) !== undefined
  }

  call(argv: Array<string>, resp: number): Uint8Array | string {
    const spec = resolveCommand(this.ctx.server.commands, argv)
    if (typeof spec === "string") {
      return spec.startsWith("ERR wrong number")
        ? "-ERR Wrong number of args calling Redis command from script"
        : "-ERR Unknown Redis command called from script"
    }
    const flags = spec.flags
    if (flags.includes("noscript")) return "-ERR This Redis command is not allowed from script"
    // The caller's user's rules apply to each command of its script.
    const user = this.caller.client.user
    if (user !== undefined && !user.unrestricted) {
      const refusal = scriptAclRefusal(this.caller, this.options.callerArgv, spec, argv)
      if (refusal !== undefined) return `-${refusal}`
    }
    const writes = flags.includes("write")
    if (writes) {
      if (this.options.readOnly) return "-ERR Write commands are not allowed from read-only scripts."
      const refused = this.ctx.server.writesRefused
      if (refused !== undefined) return `-${refused}`
    }
    if (this.startedOutOfMemory && !this.wrote && flags.includes("denyoom")) return `-${OOM}`
    if (writes) this.wrote = true
    const out = this.out
    // A large reply's buffer is dropped (take), a small one reused.
    if (out.size > 65536) out.take()
    else out.truncate(0)
    out.protocol = resp
    this.ctx.client.protocol = resp
    runCounted(this.ctx, spec, argv)
    return out.written()
  }

  log(level: number, message: string): void {
    const threshold = LOG_LEVELS.indexOf(this.ctx.server.config.extra.get("loglevel") ?? "notice")
    if (level < threshold) return
    const effect = level >= 3 ? Effect.logWarning(message) : level === 2 ? Effect.logInfo(message) : Effect.logDebug(message)
    Effect.runFork(effect)
  }

  aclCheck(argv: Array<string>): boolean | undefined {
    let spec = this.ctx.server.commands.get(argv[0].toLowerCase())
    // As Redis's lookupCommand: a container's subcommand must exist; arity is not checked.
    if (spec?.subcommands !== undefined && argv.length >= 2) {
      const fullName = `${spec.name}|${argv[1].toLowerCase()}`
      spec = spec.subcommands.find((candidate) => candidate.name === fullName)
    }
    if (spec === undefined) return undefined
    return scriptAclAllows(this.caller, spec, argv)
  }
}
