/**
 * EVAL, EVALSHA, EVAL_RO, EVALSHA_RO: a script runs inside its command, so inside the batch's one
 * synchronous step: nothing else runs until it returns. For the AOF its effects are logged — the
 * write commands it ran, as they ran — between MULTI and EXEC, never the script itself, so replay
 * needs neither the script nor its randomness nor the clock.
 */
import { OOM, memoryRefusal } from "../../eviction/MaxMemory.js"
import { parseSafeInteger } from "../../protocol/arguments.js"
import type { CommandContext, CommandSpec } from "../Command.js"
import { engineOf } from "./engines.js"
import { ScriptRun } from "./ScriptRun.js"
import type { CompiledScript, RunOutcome, ScriptFlag } from "../../scripting/LuaEngine.js"
import { busyThreshold, continueBusy, type ScriptKind } from "./busy.js"

const DENY_OOM_PROBE = { flags: ["denyoom"] } as unknown as CommandSpec

/** numkeys as Redis checks it: the count, or the error line. */
export const parseNumKeys = (argv: ReadonlyArray<string>): number | string => {
  const numkeys = parseSafeInteger(argv[2])
  if (numkeys === undefined) return "ERR value is not an integer or out of range"
  if (numkeys > argv.length - 3) return "ERR Number of keys can't be greater than number of args"
  if (numkeys < 0) return "ERR Number of keys can't be negative"
  return numkeys
}

/**
 * What a script's declared flags refuse before it runs (Redis's scriptPrepareForRun), or
 * undefined. Scripts without a shebang are checked command by command instead.
 */
const refuseByFlags = (
  ctx: CommandContext,
  flags: ReadonlySet<string> | undefined,
  calledReadOnly: boolean
): string | undefined => {
  if (flags === undefined) return undefined
  const noWrites = flags.has("no-writes")
  if (
    !flags.has("allow-oom") && !noWrites && ctx.client.remote && ctx.server.config.maxmemory > 0 &&
    memoryRefusal(ctx, DENY_OOM_PROBE) !== undefined
  ) {
    return OOM
  }
  if (!noWrites) {
    if (ctx.server.writesRefused !== undefined) return ctx.server.writesRefused
    if (calledReadOnly) return "ERR Can not execute a script with write flag using *_ro command."
  }
  return undefined
}

/**
 * Runs a script or function for `ctx` once its declared flags allow it: `body` calls the engine
 * with the run's host. What it writes is logged for the AOF between MULTI and EXEC.
 */
export const runWithFlags = (
  ctx: CommandContext,
  flags: ReadonlySet<ScriptFlag> | undefined,
  calledReadOnly: boolean,
  kind: ScriptKind,
  argv: ReadonlyArray<string>,
  body: (run: ScriptRun, busyAfterMs: number) => RunOutcome
): void => {
  const refusal = refuseByFlags(ctx, flags, calledReadOnly)
  if (refusal !== undefined) return ctx.out.error(refusal)
  const run = new ScriptRun(ctx, { readOnly: calledReadOnly || flags?.has("no-writes") === true, flags, callerArgv: argv })
  const log = ctx.keyspace.commandLog
  // Inside EXEC the transaction's own MULTI/EXEC already wraps what the script logs.
  const wraps = log.enabled && !ctx.client.inExec
  const finishLog = () => {
    if (wraps) log.endTransaction()
  }
  if (wraps) log.beginTransaction()
  // Only a connection's own command can wait for its script (EXEC stops at it: afterBusyScript).
  const busyAfterMs = ctx.client.remote ? busyThreshold(ctx.server) : 0
  let outcome: RunOutcome = "error"
  try {
    outcome = body(run, busyAfterMs)
  } finally {
    if (outcome === "busy") continueBusy(ctx, engineOf(ctx.server), run, kind, argv, finishLog)
    else finishLog()
  }
}

const runScript = (
  ctx: CommandContext,
  script: CompiledScript,
  argv: ReadonlyArray<string>,
  numkeys: number,
  calledReadOnly: boolean
): void =>
  runWithFlags(ctx, script.flags, calledReadOnly, "script", argv, (run, busyAfterMs) =>
    engineOf(ctx.server).run(
      script.ref,
      script.sha,
      argv,
      3,
      3 + numkeys,
      run,
      ctx.out,
      busyAfterMs
    ))

export const evalCommand = (readOnly: boolean) => (ctx: CommandContext, argv: ReadonlyArray<string>): void => {
  ctx.server.observability.feedScriptCommand(argv, ctx.client, ctx.out, ctx.db.id)
  const numkeys = parseNumKeys(argv)
  if (typeof numkeys === "string") return ctx.out.error(numkeys)
  const script = engineOf(ctx.server).compile(argv[1])
  if (typeof script === "string") return ctx.out.error(script)
  runScript(ctx, script, argv, numkeys, readOnly)
}

export const evalShaCommand = (readOnly: boolean) => (ctx: CommandContext, argv: ReadonlyArray<string>): void => {
  ctx.server.observability.feedScriptCommand(argv, ctx.client, ctx.out, ctx.db.id)
  const numkeys = parseNumKeys(argv)
  if (typeof numkeys === "string") return ctx.out.error(numkeys)
  const script = argv[1].length === 40 ? engineOf(ctx.server).get(argv[1]) : undefined
  if (script === undefined) return ctx.out.error("NOSCRIPT No matching script. Please use EVAL.")
  runScript(ctx, script, argv, numkeys, readOnly)
}
