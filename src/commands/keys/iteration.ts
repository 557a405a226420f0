/**
 * Walking the keyspace: KEYS, SCAN, RANDOMKEY. Expired keys are never answered; SCAN and
 * RANDOMKEY remove those they meet, KEYS leaves them to expire later (as Redis 7.0 does: no
 * `expired` event, DBSIZE unchanged). SCAN's cursor is Redis's: a position in the hash table with its bits reversed, so
 * a key present for the whole iteration is returned at least once even if the table is resized
 * in between (see `KeyTable.scanStep`).
 */
import { globMatch } from "../../keyspace/glob.js"
import { typeName } from "../../keyspace/Value.js"
import { ERR_NOT_INTEGER, ERR_SYNTAX, isKeyword, parseSafeInteger } from "../arguments.js"
import { command, type CommandContext } from "../Command.js"

const keys = command({
  name: "keys",
  arity: 2,
  flags: ["readonly"],
  group: "generic",
  aclCategories: ["keyspace", "read", "slow", "dangerous"],
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

const CURSOR = /^(?:[+-]?[0-9]+)?$/
const UINT64_MAX = 18446744073709551615n
const TWO_TO_64 = 18446744073709551616n

/**
 * A cursor as Redis reads it (`strtoul`): empty means 0, an optional sign, digits, no spaces,
 * at most 2^64-1 (a '-' wraps around); undefined for an invalid one. Only its low 32 bits are
 * kept: a table has at most 2^31 buckets, and the bits above its mask never change a step.
 */
const parseCursor = (text: string): number | undefined => {
  if (!CURSOR.test(text)) return undefined
  if (text.length <= 9) return text === "" ? 0 : Number(text) >>> 0
  const negative = text.charCodeAt(0) === 45
  const magnitude = BigInt(negative ? text.slice(1) : text)
  if (magnitude > UINT64_MAX) return undefined
  const value = negative && magnitude !== 0n ? TWO_TO_64 - magnitude : magnitude
  return Number(value & 0xffffffffn)
}

/**
 * Redis 7.0's scanGenericCommand for keys: walk buckets until `count` keys were collected (or
 * 10 × count buckets were visited), then drop those that do not match the pattern or type, and
 * those whose time has passed (removing them).
 */
const scanKeys = (
  ctx: CommandContext,
  cursor: number,
  count: number,
  pattern: string | undefined,
  type: string | undefined
) => {
  const db = ctx.db
  const collected: Array<string> = []
  let next = cursor
  let bucketsLeft = count * 10
  do {
    next = db.scanStep(next, collected)
  } while (next !== 0 && bucketsLeft-- > 0 && collected.length < count)
  const found: Array<string> = []
  for (const key of collected) {
    if (pattern !== undefined && !globMatch(pattern, key)) continue
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
  summary: "Incrementally iterate the keys space",
  since: "2.8.0",
  complexity:
    "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.",
  run: (ctx, argv) => {
    const cursor = parseCursor(argv[1])
    if (cursor === undefined) return ctx.out.error("ERR invalid cursor")
    let count = 10
    let pattern: string | undefined
    let type: string | undefined
    for (let i = 2; i < argv.length; i += 2) {
      const option = argv[i]
      const hasValue = i + 1 < argv.length
      if (hasValue && isKeyword(option, "COUNT")) {
        const value = parseSafeInteger(argv[i + 1])
        if (value === undefined) return ctx.out.error(ERR_NOT_INTEGER)
        if (value < 1) return ctx.out.error(ERR_SYNTAX)
        count = value
      } else if (hasValue && isKeyword(option, "MATCH")) {
        pattern = argv[i + 1] === "*" ? undefined : argv[i + 1]
      } else if (hasValue && isKeyword(option, "TYPE")) {
        // Redis compares type names case-insensitively; an unknown name just matches nothing.
        type = argv[i + 1].toLowerCase()
      } else {
        return ctx.out.error(ERR_SYNTAX)
      }
    }
    scanKeys(ctx, cursor, count, pattern, type)
  }
})

const randomkey = command({
  name: "randomkey",
  arity: 1,
  flags: ["readonly"],
  group: "generic",
  aclCategories: ["keyspace", "read", "slow"],
  summary: "Return a random key from the keyspace",
  since: "1.0.0",
  complexity: "O(1)",
  run: (ctx) => ctx.out.bulkOrNull(ctx.db.randomKey(ctx.now))
})

export const iterationCommands = [keys, scan, randomkey]
