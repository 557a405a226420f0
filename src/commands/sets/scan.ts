/**
 * SSCAN. An intset (small, like Redis's) answers everything at once with cursor 0, in intset
 * order; a hashtable is walked with a live iterator over the member Map, parked between calls
 * (keyspace/ScanCursors.ts), COUNT members per call.
 */
import { resumeScan, suspendScan } from "../../keyspace/ScanCursors.js"
import { WRONGTYPE } from "../../keyspace/Value.js"
import { EMPTY_SCAN, parseCursor, parseScanOptions, scanMatches } from "../collection-args.js"
import type { CommandSpec } from "../Command.js"
import { inRedisOrder, readSet, setCommand } from "./shared.js"

const sscan = setCommand({
  name: "sscan",
  arity: -3,
  flags: ["readonly"],
  summary: "Incrementally iterate Set elements",
  since: "2.8.0",
  complexity:
    "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection..",
  run: (ctx, argv) => {
    const cursor = parseCursor(argv[2])
    if (cursor === undefined) return ctx.out.error("ERR invalid cursor")
    const set = readSet(ctx, argv[1])
    if (set === null) return ctx.out.error(WRONGTYPE)
    if (set === undefined) return ctx.out.raw(EMPTY_SCAN)
    const options = parseScanOptions(ctx, argv)
    if (options === undefined) return
    const found: Array<string> = []
    let next = "0"
    if (set.intset) {
      for (const member of inRedisOrder(set.members, true)) if (scanMatches(options, member)) found.push(member)
    } else {
      const iterator = resumeScan(set.index, cursor)
      let finished = false
      for (let visited = 0; visited < options.count; visited++) {
        const step = iterator.next()
        if (step.done === true) {
          finished = true
          break
        }
        if (scanMatches(options, step.value)) found.push(step.value)
      }
      if (!finished) next = String(suspendScan(set.index, iterator))
    }
    ctx.out.arrayHeader(2)
    ctx.out.bulk(next)
    ctx.out.arrayHeader(found.length)
    for (const member of found) ctx.out.bulk(member)
  }
})

export const scanCommands: ReadonlyArray<CommandSpec> = [sscan]
