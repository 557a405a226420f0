import type { CommandSpec } from "./Command.js"

export const stringCommands: ReadonlyArray<CommandSpec> = []
