/**
 * The stream command family (Redis's "stream" group): appends, trims and deletes in
 * streams/write.ts, range reads and XREAD / XREADGROUP (blocking included) in streams/read.ts,
 * XGROUP and XACK in streams/groups.ts, XPENDING / XCLAIM / XAUTOCLAIM in streams/pending.ts and
 * XINFO in streams/info.ts; consumer-group bookkeeping shared by them in streams/groups-state.ts.
 * The value type is keyspace/values/StreamValue.ts (IDs: keyspace/values/StreamId.ts).
 */
import type { CommandSpec } from "./Command.js"
import { groupCommands } from "./streams/groups.js"
import { infoCommands } from "./streams/info.js"
import { pendingCommands } from "./streams/pending.js"
import { readCommands } from "./streams/read.js"
import { writeCommands } from "./streams/write.js"

export const streamCommands: ReadonlyArray<CommandSpec> = [
  ...writeCommands,
  ...readCommands,
  ...groupCommands,
  ...pendingCommands,
  ...infoCommands
]
