/**
 * HRANDFIELD key [count [WITHVALUES]]. Without a count: one random field (nil for a missing key).
 * A positive count gives distinct fields (the whole hash when count >= its size, in its order), a
 * negative one |count| independent picks that may repeat. With WITHVALUES each field is followed
 * by its value: RESP2 flattens the pairs into one array, RESP3 sends an array of [field, value]
 * arrays (Redis 7.0's shapes; `pairsHeader` and `writePair` follow the connection's protocol).
 *
 * Redis 7.0 tries to build any reply a negative count asks for (HRANDFIELD h -9e18 runs until
 * the server is out of memory); here a reply that would grow past `MAX_REPLY_BYTES` (the largest
 * value Redis accepts, proto-max-bulk-len's default) is refused with "value is out of range", the
 * error later servers give for counts past their limit.
 */
import type { ReplyWriter } from "../../protocol/ReplyWriter.js"
import { ERR_NOT_INTEGER, ERR_SYNTAX, isKeyword, LONG_MAX, parseInteger } from "../../protocol/arguments.js"
import type { CommandContext } from "../Command.js"
import type { HashValue } from "../../keyspace/values/HashValue.js"
import { distinctIndexes } from "../random-picks.js"
import { keyAt } from "../../protocol/key-specs.js"
import { hashCommand, hashForRead, WRONG_TYPE } from "./shared.js"

const MAX_REPLY_BYTES = 512 * 1024 * 1024
const ERR_RANGE = "ERR value is out of range"

/** The array header for `pairs` field/value pairs. */
const pairsHeader = (out: ReplyWriter, pairs: number): void =>
  out.arrayHeader(out.protocol === 3 ? pairs : pairs * 2)

/** One field/value pair (RESP3 wraps each pair in an array of two). */
const writePair = (out: ReplyWriter, field: string, value: string): void => {
  if (out.protocol === 3) out.arrayHeader(2)
  out.bulk(field)
  out.bulk(value)
}

/** The fewest bytes a pick can take: an empty bulk, `$0\r\n\r\n` (two with WITHVALUES). */
const MIN_PICK_BYTES = 6

/** |count| independent picks; false (nothing written) when the reply would be too large. */
const writePicks = (out: ReplyWriter, hash: HashValue, picks: number, withValues: boolean): boolean => {
  if (picks * MIN_PICK_BYTES * (withValues ? 2 : 1) > MAX_REPLY_BYTES) return false
  const start = out.size
  if (withValues) pairsHeader(out, picks)
  else out.arrayHeader(picks)
  for (let i = 0; i < picks; i++) {
    const field = hash.randomField()
    if (withValues) writePair(out, field, hash.fields.get(field) as string)
    else out.bulk(field)
    if ((i & 1023) === 1023 && out.size - start > MAX_REPLY_BYTES) {
      out.truncate(start)
      return false
    }
  }
  return true
}

/** `count` distinct fields (count < size) in random order. */
const writeDistinct = (out: ReplyWriter, hash: HashValue, count: number, withValues: boolean): void => {
  const fields = Array.from(hash.fields.keys())
  const picked = distinctIndexes(fields.length, count)
  if (withValues) pairsHeader(out, count)
  else out.arrayHeader(count)
  for (let i = 0; i < count; i++) {
    const field = fields[picked[i]]
    if (withValues) writePair(out, field, hash.fields.get(field) as string)
    else out.bulk(field)
  }
}

const withCount = (ctx: CommandContext, argv: ReadonlyArray<string>): void => {
  const parsed = parseInteger(argv[2])
  if (parsed === undefined) return ctx.out.error(ERR_NOT_INTEGER)
  if (parsed === -LONG_MAX - 1n) {
    return ctx.out.error(
      "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807"
    )
  }
  if (argv.length > 4 || (argv.length === 4 && !isKeyword(argv[3], "WITHVALUES"))) return ctx.out.error(ERR_SYNTAX)
  const withValues = argv.length === 4
  // Twice the count must fit in a long.
  if (withValues && typeof parsed === "bigint" && (parsed > LONG_MAX / 2n || parsed < -LONG_MAX / 2n)) {
    return ctx.out.error(ERR_RANGE)
  }
  const count = typeof parsed === "number" ? parsed : parsed > 0n ? Number.MAX_SAFE_INTEGER : -Number.MAX_SAFE_INTEGER
  const hash = hashForRead(ctx, argv[1])
  if (hash === WRONG_TYPE) return
  if (hash === undefined || count === 0) return ctx.out.arrayHeader(0)
  const out = ctx.out
  if (count < 0 || count === 1) {
    if (!writePicks(out, hash, Math.abs(count), withValues)) out.error(ERR_RANGE)
    return
  }
  if (count < hash.size) return writeDistinct(out, hash, count, withValues)
  if (withValues) pairsHeader(out, hash.size)
  else out.arrayHeader(hash.size)
  for (const [field, value] of hash.fields) {
    if (withValues) writePair(out, field, value)
    else out.bulk(field)
  }
}

const hrandfield = hashCommand({
  name: "hrandfield",
  arity: -2,
  flags: ["readonly"],
  tips: ["nondeterministic_output"],
  keySpecs: [keyAt(1, "RO", "access")],
  summary: "Get one or multiple random fields from a hash",
  since: "6.2.0",
  complexity: "O(N) where N is the number of fields returned",
  run: (ctx, argv) => {
    if (argv.length >= 3) return withCount(ctx, argv)
    const hash = hashForRead(ctx, argv[1])
    if (hash === WRONG_TYPE) return
    ctx.out.bulkOrNull(hash === undefined ? undefined : hash.randomField())
  }
})

export const randomCommands = [hrandfield]
