/**
 * Busy scripts: a script (or function) that runs past `busy-reply-threshold` ms (alias
 * `lua-time-limit`, default 5000) must not hang the server.
 *
 * Design: scripts run as coroutines with a count hook (src/scripting/LuaEngine.ts). Until the
 * threshold, a script runs inside its command, in the batch's one synchronous step, like any
 * command. At the threshold the hook yields the coroutine back to EVAL, which leaves its client
 * blocked (a wait on no keys: the rest of that client's pipeline waits, as behind BLPOP) and
 * registers the script here as busy. From then on the script runs in slices of SLICE_MS from
 * `setImmediate`, so the event loop answers everyone else in between — and dispatch refuses every
 * command without the allow_busy flag with Redis's -BUSY error, so nothing else touches the
 * keyspace (active expiry pauses too) and the script stays atomic. SCRIPT KILL / FUNCTION KILL
 * (allow_busy) make the hook raise "Script killed by user..." at its next call, unless the script
 * has written (-UNKILLABLE: Redis could not undo its writes either); SHUTDOWN NOSAVE ends it
 * with the server. When the script ends, its reply ends its client's wait, what it wrote closes
 * its MULTI/EXEC in the AOF, and blocked clients its writes served are served.
 *
 * Inside EXEC the same happens: EXEC stops at the busy script (`scriptWentBusy`) and leaves the
 * rest of its queue to run once the script has answered (`afterBusyScript`); the EXEC reply goes
 * out whole then, as Redis runs the script to its end (or SCRIPT KILL) and then the rest of EXEC.
 *
 * Busy time is wall-clock (`performance.now()`), not Effect's Clock: it measures how long the
 * CPU has been held, which a TestClock cannot stand in for.
 */
import { ReplyWriter } from "../../protocol/ReplyWriter.js"
import type { LuaEngine } from "../../scripting/LuaEngine.js"
import type { CommandContext, CommandSpec, ServerState } from "../Command.js"

/** How long a busy script runs between two turns of the event loop. */
const SLICE_MS = 20

const BUSY_EVAL = "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE."
const BUSY_FUNCTION = "BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE."
const KILLED = "Script killed by user with SCRIPT KILL..."
const UNKILLABLE =
  "UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the " +
  "script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command."

export type ScriptKind = "script" | "function"

interface BusyScript {
  readonly kind: ScriptKind
  readonly engine: LuaEngine
  /** The caller's world when the script started (its context object is reused by later batches). */
  readonly ctx: CommandContext
  /** The script's run: whether it wrote yet (then it cannot be killed). */
  readonly run: { readonly wrote: boolean }
  /** Ends the script's AOF transaction. */
  readonly finishLog: () => void
  /** FUNCTION STATS: the function's name and its command. */
  readonly name: string
  readonly argv: ReadonlyArray<string>
  /** EXEC's queued commands after the script, run once it has answered (see `afterBusyScript`). */
  then?: (rest: CommandContext) => void
  /** EXEC's replies before the script's, when an earlier script of the same EXEC went busy too. */
  before?: Buffer
}

const busyScripts = new WeakMap<ServerState, BusyScript>()
/** Busy scripts across servers: dispatch's check is one read of it when none is. */
let busyCount = 0

/** The -BUSY error for `spec` while a script of `server` is busy, or undefined. */
export const busyRefusal = (server: ServerState, spec: CommandSpec): string | undefined => {
  if (busyCount === 0) return undefined
  const busy = busyScripts.get(server)
  if (busy === undefined || spec.flags.includes("allow_busy")) return undefined
  return busy.kind === "script" ? BUSY_EVAL : BUSY_FUNCTION
}

/** The -BUSY error FUNCTION STATS answers while an EVAL script is busy. */
export const busyEvalRefusal = (server: ServerState): string | undefined =>
  busyScripts.get(server)?.kind === "script" ? BUSY_EVAL : undefined

/**
 * The -BUSY error SHUTDOWN answers while a script is busy, unless NOSAVE (Redis's
 * shutdownCommand: a save would write a dataset the script is halfway through).
 */
export const busyShutdownRefusal = (server: ServerState): string | undefined => {
  if (busyCount === 0) return undefined
  const busy = busyScripts.get(server)
  return busy === undefined ? undefined : busy.kind === "script" ? BUSY_EVAL : BUSY_FUNCTION
}

/** The function running busy, for FUNCTION STATS. */
export const runningFunction = (
  server: ServerState
): { readonly name: string; readonly argv: ReadonlyArray<string>; readonly durationMs: number } | undefined => {
  const busy = busyScripts.get(server)
  if (busy === undefined || busy.kind !== "function") return undefined
  const startedAt = busy.engine.running?.startedAt ?? performance.now()
  return { name: busy.name, argv: busy.argv, durationMs: Math.floor(performance.now() - startedAt) }
}

/** The threshold in ms (0: scripts never go busy). */
export const busyThreshold = (server: ServerState): number =>
  Number(server.config.extra.get("busy-reply-threshold") ?? "5000")

/**
 * A script went busy inside its command: blocks its client and runs the rest of it in slices.
 * `ctx` is the caller's; the reply goes out when the script ends.
 */
export const continueBusy = (
  ctx: CommandContext,
  engine: LuaEngine,
  run: { readonly wrote: boolean },
  kind: ScriptKind,
  argv: ReadonlyArray<string>,
  finishLog: () => void
): void => {
  const snapshot: CommandContext = { ...ctx, out: new ReplyWriter() }
  const server = ctx.server
  const busy: BusyScript = { kind, engine, ctx: snapshot, run, finishLog, name: engine.running?.name ?? "", argv }
  busyScripts.set(server, busy)
  busyCount++
  ctx.keyspace.sweepPaused = true
  // A second busy script of one EXEC finds its client still waiting for the first's EXEC reply.
  if (ctx.client.blocked === undefined && !ctx.client.isClosed()) {
    server.blocked.block(ctx, "list", [], 0, argv[0].toLowerCase(), () => {})
  }
  setImmediate(() => runSlice(busy))
}

const runSlice = (busy: BusyScript): void => {
  const server = busy.ctx.server
  const client = busy.ctx.client
  if (server.shutdownMode !== "default") {
    busy.engine.abandon()
    return end(busy, undefined)
  }
  const out = new ReplyWriter()
  out.protocol = client.protocol
  if (busy.engine.resume(out, SLICE_MS) === "busy") {
    setImmediate(() => runSlice(busy))
    return
  }
  server.stats.errorReplies += out.errorCount
  end(busy, out.take())
}

/**
 * Whether the script `ctx`'s command just ran went busy: EXEC then stops and leaves the rest of
 * its queue to `afterBusyScript`.
 */
export const scriptWentBusy = (ctx: CommandContext): boolean => {
  if (busyCount === 0) return false
  const busy = busyScripts.get(ctx.server)
  return busy !== undefined && busy.ctx.client === ctx.client && busy.then === undefined
}

/**
 * EXEC with a busy script: `then` runs the commands queued after it once the script has answered,
 * with a context whose replies follow the script's in the EXEC reply (Redis runs the script
 * to its end, or its SCRIPT KILL, inside EXEC, then the rest of the transaction).
 */
export const afterBusyScript = (server: ServerState, then: (rest: CommandContext) => void): void => {
  const busy = busyScripts.get(server)
  if (busy !== undefined) busy.then = then
}

const end = (busy: BusyScript, scriptReply: Buffer | undefined): void => {
  const ctx = busy.ctx
  const server = ctx.server
  busyScripts.delete(server)
  busyCount--
  ctx.keyspace.sweepPaused = false
  busy.finishLog()
  let reply = scriptReply
  if (reply !== undefined && busy.then !== undefined) {
    const out = new ReplyWriter()
    out.protocol = ctx.client.protocol
    busy.then({ ...ctx, out })
    server.stats.errorReplies += out.errorCount
    const parts = busy.before === undefined ? [reply, out.take()] : [busy.before, reply, out.take()]
    const next = busyScripts.get(server)
    if (next !== undefined && next.ctx.client === ctx.client) {
      // Another script of the same EXEC went busy: the EXEC reply waits for it too.
      next.before = Buffer.concat(parts)
      return
    }
    reply = Buffer.concat(parts)
  }
  ctx.keyspace.commandLog.flush()
  if (server.watches.pending) server.watches.settle(ctx.now)
  if (reply !== undefined) server.blocked.finish(ctx.client, reply)
  else server.blocked.release(ctx.client)
  if (server.blocked.pending) server.blocked.afterCommand(ctx)
}

/** SCRIPT KILL / FUNCTION KILL. */
export const busyScriptKill = (ctx: CommandContext, kind: ScriptKind): void => {
  const busy = busyScripts.get(ctx.server)
  if (busy === undefined) return ctx.out.error("NOTBUSY No scripts in execution right now.")
  if (busy.run.wrote) return ctx.out.error(UNKILLABLE)
  if (busy.kind !== kind) return ctx.out.error(busy.kind === "script" ? BUSY_EVAL : BUSY_FUNCTION)
  busy.engine.kill(KILLED)
  ctx.out.ok()
}
