/**
 * Walking the keyspace: KEYS, SCAN, RANDOMKEY. Expired keys are never answered; SCAN and
 * RANDOMKEY remove those they meet, KEYS leaves them to expire later (as Redis 7.0 does: no
 * `expired` event, DBSIZE unchanged). SCAN's cursor is Redis's: a position in the hash table
 * with its bits reversed, so a key present for the whole iteration is returned at least once
 * even if the table is resized in between (see `KeyTable.scanStep`).
 */
import { globMatch } from "../../keyspace/glob.js"
import { typeName } from "../../keyspace/Value.js"
import { command, type CommandContext } from "../Command.js"
import { ERR_INVALID_CURSOR, parseScanCursor, parseScanOptions, type ScanOptions, scanMatches } from "../scan-args.js"

const keys = command({
  name: "keys",
  arity: 2,
  flags: ["readonly"],
  group: "generic",
  aclCategories: ["keyspace", "read", "slow", "dangerous"],
  tips: ["request_policy:all_shards", "nondeterministic_output_order"],
  summary: "Find all keys matching the given pattern",
  since: "1.0.0",
  complexity:
    "O(N) with N being the number of keys in the database, under the assumption that the key names in the database and the given pattern have limited length.",
  run: (ctx, argv) => {
    const pattern = argv[1]
    const everything = pattern === "*"
    const db = ctx.db
    const now = ctx.now
    const found: Array<string> = []
    for (const key of db.keys()) {
      if (!everything && !globMatch(pattern, key)) continue
      const at = db.expiresAt(key)
      if (at === undefined || at > now) found.push(key)
    }
    ctx.out.bulkArray(found)
  }
})

/**
 * Redis 7.0's scanGenericCommand for keys: walk buckets until `count` keys were collected (or
 * 10 × count buckets were visited), then drop those that do not match the pattern or type, and
 * those whose time has passed (removing them).
 */
const scanKeys = (ctx: CommandContext, cursor: number, options: ScanOptions) => {
  const { count, type } = options
  const db = ctx.db
  const collected: Array<string> = []
  let next = cursor
  let bucketsLeft = count * 10
  do {
    next = db.scanStep(next, collected)
  } while (next !== 0 && bucketsLeft-- > 0 && collected.length < count)
  const found: Array<string> = []
  for (const key of collected) {
    if (!scanMatches(options, key)) continue
    const value = db.get(key, ctx.now)
    if (value === undefined) continue
    if (type !== undefined && typeName(value) !== type) continue
    found.push(key)
  }
  ctx.out.arrayHeader(2)
  ctx.out.bulk(String(next))
  ctx.out.bulkArray(found)
}

const scan = command({
  name: "scan",
  arity: -2,
  flags: ["readonly"],
  group: "generic",
  aclCategories: ["keyspace", "read", "slow"],
  tips: ["nondeterministic_output", "request_policy:special"],
  summary: "Incrementally iterate the keys space",
  since: "2.8.0",
  complexity:
    "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.",
  run: (ctx, argv) => {
    const cursor = parseScanCursor(argv[1])
    if (cursor === undefined) return ctx.out.error(ERR_INVALID_CURSOR)
    const options = parseScanOptions(ctx, argv, 2, true)
    if (options === undefined) return
    // Only the low 32 bits: a table has at most 2^31 buckets, and the bits above its mask never
    // change a step.
    scanKeys(ctx, Number(cursor & 0xffffffffn), options)
  }
})

const randomkey = command({
  name: "randomkey",
  arity: 1,
  flags: ["readonly"],
  group: "generic",
  aclCategories: ["keyspace", "read", "slow"],
  tips: ["request_policy:all_shards", "nondeterministic_output"],
  summary: "Return a random key from the keyspace",
  since: "1.0.0",
  complexity: "O(1)",
  run: (ctx) => ctx.out.bulkOrNull(ctx.db.randomKey(ctx.now))
})

export const iterationCommands = [keys, scan, randomkey]
