/** SCRIPT KILL / FUNCTION KILL. Scripts run to completion inside their command (see eval.ts), so none is ever running when another client's command is. */
import type { CommandContext } from "../Command.js"

export const busyScriptKill = (ctx: CommandContext, _kind: "script" | "function"): void =>
  ctx.out.error("NOTBUSY No scripts in execution right now.")
