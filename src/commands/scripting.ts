/**
 * The scripting family: EVAL, EVALSHA, EVAL_RO, EVALSHA_RO, SCRIPT (LOAD, EXISTS, FLUSH, KILL,
 * HELP), FCALL, FCALL_RO and FUNCTION (LOAD, DELETE, FLUSH, LIST, STATS, KILL, HELP). The Lua machinery is in src/scripting/ (the VM, conversions, libraries); a
 * script's calls come back through src/commands/scripting/ScriptRun.ts.
 */
import { command, type CommandSpec } from "./Command.js"
import type { KeyReference } from "../protocol/CommandInfo.js"
import { countedKeys, noted } from "../protocol/key-specs.js"
import { evalCommand, evalShaCommand } from "./scripting/eval.js"
import { fcallCommand, functionCommand } from "./scripting/function.js"
import { scriptCommand } from "./scripting/script.js"

const SCRIPTING_ACL = ["slow", "scripting"]
const EVAL_FLAGS = ["noscript", "stale", "skip_monitor", "no_mandatory_keys", "movablekeys"] as const
const EVAL_RO_FLAGS = ["readonly", ...EVAL_FLAGS] as const

/** Keys after numkeys at argument 2, as Redis's evalGetKeys finds them. */
const scriptKeys = (readOnly: boolean, withNote: boolean) => {
  const declared = countedKeys(2, ...(readOnly ? (["RO", "access"] as const) : (["RW", "access", "update"] as const)))
  const note = readOnly
    ? "We cannot tell how the keys will be used so we assume the worst, RO and ACCESS"
    : "We cannot tell how the keys will be used so we assume the worst, RW and UPDATE"
  return {
    ...declared,
    keySpecs: withNote ? [noted(declared.keySpecs[0], note)] : declared.keySpecs,
    getKeys: declared.getKeys as (argv: ReadonlyArray<string>) => ReadonlyArray<KeyReference>
  }
}

const evalSpec = (
  name: string,
  readOnly: boolean,
  bySha: boolean,
  summary: string,
  since: string,
  run = bySha ? evalShaCommand(readOnly) : evalCommand(readOnly)
): CommandSpec =>
  command({
    name,
    arity: -3,
    flags: readOnly ? EVAL_RO_FLAGS : EVAL_FLAGS,
    ...scriptKeys(readOnly, !bySha),
    group: "scripting",
    aclCategories: SCRIPTING_ACL,
    summary,
    since,
    complexity: `Depends on the ${name.startsWith("fcall") ? "function" : "script"} that is executed.`,
    run
  })

export const scriptingCommands: ReadonlyArray<CommandSpec> = [
  evalSpec("eval", false, false, "Execute a Lua script server side", "2.6.0"),
  evalSpec("evalsha", false, true, "Execute a Lua script server side", "2.6.0"),
  evalSpec("eval_ro", true, false, "Execute a read-only Lua script server side", "7.0.0"),
  evalSpec("evalsha_ro", true, true, "Execute a read-only Lua script server side", "7.0.0"),
  evalSpec("fcall", false, false, "Invoke a function", "7.0.0", fcallCommand(false)),
  evalSpec("fcall_ro", true, false, "Invoke a read-only function", "7.0.0", fcallCommand(true)),
  scriptCommand,
  functionCommand
]
