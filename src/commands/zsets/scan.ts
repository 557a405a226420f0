/**
 * ZSCAN. A listpack (small, like Redis's) answers everything at once with cursor 0, in score
 * order; a skiplist is walked with a live iterator over the member Map, parked between calls
 * (keyspace/ScanCursors.ts). Scores are bulk strings even in RESP3, as in Redis: the text a
 * listpack keeps (integers as integers), or "%.17g" from a skiplist.
 */
import { scanPage } from "../../keyspace/ScanCursors.js"
import { WRONGTYPE } from "../../keyspace/Value.js"
import type { CommandSpec } from "../Command.js"
import { EMPTY_SCAN, ERR_INVALID_CURSOR, parseScanCursor, parseScanOptions, scanMatches } from "../scan-args.js"
import { keyAt } from "../../protocol/key-specs.js"
import { formatListpackScore, formatScore } from "../../protocol/score-text.js"
import { readZset, zsetCommand } from "./shared.js"

const zscan = zsetCommand({
  name: "zscan",
  arity: -3,
  flags: ["readonly"],
  tips: ["nondeterministic_output"],
  keySpecs: [keyAt(1, "RO", "access")],
  summary: "Incrementally iterate sorted sets elements and associated scores",
  since: "2.8.0",
  complexity:
    "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection..",
  run: (ctx, argv) => {
    const cursor = parseScanCursor(argv[2])
    if (cursor === undefined) return ctx.out.error(ERR_INVALID_CURSOR)
    const zset = readZset(ctx, argv[1])
    if (zset === null) return ctx.out.error(WRONGTYPE)
    if (zset === undefined) return ctx.out.raw(EMPTY_SCAN)
    const options = parseScanOptions(ctx, argv, 3)
    if (options === undefined) return
    const members: Array<string> = []
    const scores: Array<string> = []
    let next = "0"
    if (zset.listpack) {
      for (let leaf = zset.tree.first as typeof zset.tree.first | undefined; leaf !== undefined; leaf = leaf.next) {
        for (let i = 0; i < leaf.members.length; i++) {
          if (!scanMatches(options, leaf.members[i])) continue
          members.push(leaf.members[i])
          scores.push(formatListpackScore(leaf.scores[i]))
        }
      }
    } else {
      const entries = zset.scores
      next = scanPage(entries, cursor, options.count, (member) => {
        if (!scanMatches(options, member)) return
        members.push(member)
        scores.push(formatScore(entries.get(member)!))
      })
    }
    ctx.out.arrayHeader(2)
    ctx.out.bulk(next)
    ctx.out.arrayHeader(members.length * 2)
    for (let i = 0; i < members.length; i++) {
      ctx.out.bulk(members[i])
      ctx.out.bulk(scores[i])
    }
  }
})

export const scanCommands: ReadonlyArray<CommandSpec> = [zscan]
