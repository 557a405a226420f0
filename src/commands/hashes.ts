/**
 * The hash command family (Redis's "hash" group) over `HashValue`, a Map that also remembers
 * Redis's encoding: single fields in hashes/fields.ts, whole-hash reads in hashes/whole.ts,
 * counters in hashes/counters.ts (HINCRBYFLOAT shares INCRBYFLOAT's long double), HRANDFIELD in
 * hashes/random.ts and HSCAN in hashes/scan.ts. hashes/shared.ts decides the encoding.
 */
import type { CommandSpec } from "./Command.js"
import { hashCounterCommands } from "./hashes/counters.js"
import { fieldCommands } from "./hashes/fields.js"
import { randomCommands } from "./hashes/random.js"
import { scanCommands } from "./hashes/scan.js"
import { wholeHashCommands } from "./hashes/whole.js"

export const hashCommands: ReadonlyArray<CommandSpec> = [
  ...fieldCommands,
  ...wholeHashCommands,
  ...hashCounterCommands,
  ...randomCommands,
  ...scanCommands
]
