import type { CommandSpec } from "./Command.js"

export const serverCommands: ReadonlyArray<CommandSpec> = []
