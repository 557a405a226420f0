/**
 * The sorted-set command family (Redis's "sorted-set" group): writes in zsets/add.ts, plain
 * reads and counts in zsets/read.ts, the ZRANGE family in zsets/range-queries.ts (ranges parsed
 * and found in zsets/ranges.ts), removal by range in zsets/remove-ranges.ts, pops in
 * zsets/pop.ts, union / intersection / difference in zsets/algebra.ts, ZRANDMEMBER in
 * zsets/random.ts and ZSCAN in zsets/scan.ts. Scores as text: src/protocol/score-text.ts. The value
 * type is keyspace/values/SortedSetValue.ts over keyspace/values/ScoreTree.ts.
 */
import type { CommandSpec } from "./Command.js"
import { addCommands } from "./zsets/add.js"
import { algebraCommands } from "./zsets/algebra.js"
import { popCommands } from "./zsets/pop.js"
import { randomCommands } from "./zsets/random.js"
import { rangeQueryCommands } from "./zsets/range-queries.js"
import { readCommands } from "./zsets/read.js"
import { removeRangeCommands } from "./zsets/remove-ranges.js"
import { scanCommands } from "./zsets/scan.js"

export const zsetCommands: ReadonlyArray<CommandSpec> = [
  ...addCommands,
  ...readCommands,
  ...rangeQueryCommands,
  ...removeRangeCommands,
  ...popCommands,
  ...algebraCommands,
  ...randomCommands,
  ...scanCommands
]
