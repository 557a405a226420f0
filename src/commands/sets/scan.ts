/**
 * SSCAN. A compact set (an intset, or a small packed one: at most 128 members) answers everything
 * at once with cursor 0, as Redis does for its small encodings, in intset order for an intset; a
 * hashtable is walked with a live iterator over the member Map, parked between calls
 * (keyspace/ScanCursors.ts), COUNT members per call.
 */
import { scanPage } from "../../keyspace/ScanCursors.js"
import { WRONGTYPE } from "../../keyspace/Value.js"
import type { CommandSpec } from "../Command.js"
import { EMPTY_SCAN, ERR_INVALID_CURSOR, parseScanCursor, parseScanOptions, scanMatches } from "../scan-args.js"
import { keyAt } from "../../protocol/key-specs.js"
import { readSet, setCommand } from "./shared.js"

const sscan = setCommand({
  name: "sscan",
  arity: -3,
  flags: ["readonly"],
  tips: ["nondeterministic_output"],
  keySpecs: [keyAt(1, "RO", "access")],
  summary: "Incrementally iterate Set elements",
  since: "2.8.0",
  complexity:
    "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection..",
  run: (ctx, argv) => {
    const cursor = parseScanCursor(argv[2])
    if (cursor === undefined) return ctx.out.error(ERR_INVALID_CURSOR)
    const set = readSet(ctx, argv[1])
    if (set === null) return ctx.out.error(WRONGTYPE)
    if (set === undefined) return ctx.out.raw(EMPTY_SCAN)
    const options = parseScanOptions(ctx, argv, 3)
    if (options === undefined) return
    const found: Array<string> = []
    let next = "0"
    const index = set.scanIndex()
    if (index === undefined) {
      for (const member of set.toArray()) if (scanMatches(options, member)) found.push(member)
    } else {
      next = scanPage(index, cursor, options.count, (member) => {
        if (scanMatches(options, member)) found.push(member)
      })
    }
    ctx.out.arrayHeader(2)
    ctx.out.bulk(next)
    ctx.out.bulkArray(found)
  }
})

export const scanCommands: ReadonlyArray<CommandSpec> = [sscan]
