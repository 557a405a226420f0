/**
 * HSCAN key cursor [MATCH pattern] [COUNT count]. A "listpack" hash is small, and Redis answers
 * it whole in one call with cursor 0 whatever the cursor and COUNT; a "hashtable" one is walked
 * with the same live-iterator cursors as SCAN (keyspace/ScanCursors.ts), so a field present for
 * the whole iteration is returned at least once. MATCH filters fields (a value goes with its field).
 * Checks in Redis's order: the cursor, then the key (missing: an empty page), then the options.
 */
import { scanPage } from "../../keyspace/ScanCursors.js"
import { EMPTY_SCAN, ERR_INVALID_CURSOR, parseScanCursor, parseScanOptions, scanMatches } from "../scan-args.js"
import { keyAt } from "../../protocol/key-specs.js"
import { hashCommand, hashForRead, WRONG_TYPE } from "./shared.js"

const hscan = hashCommand({
  name: "hscan",
  arity: -3,
  flags: ["readonly"],
  tips: ["nondeterministic_output"],
  keySpecs: [keyAt(1, "RO", "access")],
  summary: "Incrementally iterate hash fields and associated values",
  since: "2.8.0",
  complexity:
    "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection..",
  run: (ctx, argv) => {
    const cursor = parseScanCursor(argv[2])
    if (cursor === undefined) return ctx.out.error(ERR_INVALID_CURSOR)
    const hash = hashForRead(ctx, argv[1])
    if (hash === WRONG_TYPE) return
    if (hash === undefined) return ctx.out.raw(EMPTY_SCAN)
    const options = parseScanOptions(ctx, argv, 3)
    if (options === undefined) return
    const fields = hash.fields
    const found: Array<string> = []
    let next = "0"
    if (hash.listpack) {
      for (const [field, value] of fields) if (scanMatches(options, field)) found.push(field, value)
    } else {
      next = scanPage(fields, cursor, options.count, (field) => {
        if (scanMatches(options, field)) found.push(field, fields.get(field) as string)
      })
    }
    ctx.out.arrayHeader(2)
    ctx.out.bulk(next)
    ctx.out.bulkArray(found)
  }
})

export const scanCommands = [hscan]
