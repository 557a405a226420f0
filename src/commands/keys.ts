import type { CommandSpec } from "./Command.js"

export const keyCommands: ReadonlyArray<CommandSpec> = []
