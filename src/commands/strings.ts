/**
 * The string command family (Redis's "string" group): whole values, options and TTLs in
 * strings/get-set.ts and strings/set-options.ts, multi-key commands in strings/multi.ts, counters
 * in strings/counters.ts (with INCRBYFLOAT's long double in strings/long-double.ts), and partial
 * reads and writes in strings/ranges.ts, LCS in strings/lcs.ts.
 */
import type { CommandSpec } from "./Command.js"
import { counterCommands } from "./strings/counters.js"
import { getSetCommands } from "./strings/get-set.js"
import { lcsCommands } from "./strings/lcs.js"
import { multiKeyCommands } from "./strings/multi.js"
import { rangeCommands } from "./strings/ranges.js"

export const stringCommands: ReadonlyArray<CommandSpec> = [
  ...getSetCommands,
  ...multiKeyCommands,
  ...counterCommands,
  ...rangeCommands,
  ...lcsCommands
]
