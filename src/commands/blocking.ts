/**
 * The blocking commands (BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP, BZPOPMIN, BZPOPMAX, BZMPOP),
 * filed under their families' groups like Redis does: blocking/lists.ts and blocking/zsets.ts
 * pop through the families' own commands, blocking/timeout.ts reads their timeouts, and
 * src/blocking/BlockedClients.ts keeps the clients that wait and serves them.
 */
import { blockingListCommands } from "./blocking/lists.js"
import { blockingZsetCommands } from "./blocking/zsets.js"
import type { CommandSpec } from "./Command.js"

export const blockingCommands: ReadonlyArray<CommandSpec> = [...blockingListCommands, ...blockingZsetCommands]
