/**
 * The set command family (Redis's "set" group): membership in sets/members.ts, random members in
 * sets/random.ts, intersections, unions and differences in sets/algebra.ts, SSCAN in
 * sets/scan.ts. The value type is keyspace/values/SetValue.ts.
 */
import type { CommandSpec } from "./Command.js"
import { algebraCommands } from "./sets/algebra.js"
import { memberCommands } from "./sets/members.js"
import { randomCommands } from "./sets/random.js"
import { scanCommands } from "./sets/scan.js"

export const setCommands: ReadonlyArray<CommandSpec> = [
  ...memberCommands,
  ...randomCommands,
  ...algebraCommands,
  ...scanCommands
]
