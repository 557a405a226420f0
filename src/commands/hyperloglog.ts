import type { CommandSpec } from "./Command.js"
export const hyperLogLogCommands: ReadonlyArray<CommandSpec> = []
