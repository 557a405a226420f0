/**
 * HSCAN key cursor [MATCH pattern] [COUNT count]. A "listpack" hash is small, and Redis answers
 * it whole in one call with cursor 0 whatever the cursor and COUNT; a "hashtable" one is walked
 * with the same live-iterator cursors as SCAN (keyspace/ScanCursors.ts), so a field present for
 * the whole iteration is returned at least once. MATCH filters fields (a value goes with its field).
 * Checks in Redis's order: the cursor, then the key (missing: an empty page), then the options.
 */
import { globMatch } from "../../keyspace/glob.js"
import { parseScanCursor, resumeScan, suspendScan } from "../../keyspace/ScanCursors.js"
import { ERR_NOT_INTEGER, ERR_SYNTAX, isKeyword, parseSafeInteger } from "../arguments.js"
import { hashCommand, hashForRead, WRONG_TYPE } from "./shared.js"

const hscan = hashCommand({
  name: "hscan",
  arity: -3,
  flags: ["readonly"],
  summary: "Incrementally iterate hash fields and associated values",
  since: "2.8.0",
  complexity:
    "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection..",
  run: (ctx, argv) => {
    const cursor = parseScanCursor(argv[2])
    if (cursor === undefined) return ctx.out.error("ERR invalid cursor")
    const hash = hashForRead(ctx, argv[1])
    if (hash === WRONG_TYPE) return
    if (hash === undefined) {
      ctx.out.arrayHeader(2)
      ctx.out.bulk("0")
      return ctx.out.arrayHeader(0)
    }
    let count = 10
    let pattern: string | undefined
    for (let i = 3; i < argv.length; i += 2) {
      const option = argv[i]
      const hasValue = i + 1 < argv.length
      if (hasValue && isKeyword(option, "COUNT")) {
        const value = parseSafeInteger(argv[i + 1])
        if (value === undefined) return ctx.out.error(ERR_NOT_INTEGER)
        if (value < 1) return ctx.out.error(ERR_SYNTAX)
        count = value
      } else if (hasValue && isKeyword(option, "MATCH")) {
        pattern = argv[i + 1] === "*" ? undefined : argv[i + 1]
      } else {
        return ctx.out.error(ERR_SYNTAX)
      }
    }
    const fields = hash.fields
    const found: Array<string> = []
    let nextCursor = "0"
    if (hash.listpack) {
      for (const [field, value] of fields) {
        if (pattern === undefined || globMatch(pattern, field)) found.push(field, value)
      }
    } else {
      const iterator = resumeScan(fields, cursor)
      let finished = false
      for (let visited = 0; visited < count; visited++) {
        const next = iterator.next()
        if (next.done === true) {
          finished = true
          break
        }
        const field = next.value
        if (pattern === undefined || globMatch(pattern, field)) found.push(field, fields.get(field) as string)
      }
      if (!finished) nextCursor = String(suspendScan(fields, iterator))
    }
    ctx.out.arrayHeader(2)
    ctx.out.bulk(nextCursor)
    ctx.out.bulkArray(found)
  }
})

export const scanCommands = [hscan]
