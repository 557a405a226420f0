/**
 * LCS: the longest common subsequence of two strings (missing keys read as empty), by the
 * classic dynamic-programming table, walked back from the end as Redis does so that the
 * subsequence and the IDX ranges (last match first) are the same. Replies: the subsequence,
 * its length (LEN), or a map of `matches` and `len` (IDX, with MINMATCHLEN and WITHMATCHLEN).
 */
import { ERR_NOT_INTEGER, ERR_SYNTAX, parseInteger } from "../../protocol/arguments.js"
import type { CommandSpec } from "../Command.js"
import { keyRange } from "../../protocol/key-specs.js"
import { readKey } from "./get-set.js"
import { isOption, stringCommand } from "./shared.js"

/** The table's cells past which the reply is Redis's allocation failure instead of memory use. */
const MAX_TABLE_CELLS = 2 ** 27

const lcs = stringCommand({
  name: "lcs",
  arity: -3,
  flags: ["readonly"],
  firstKey: 1,
  lastKey: 2,
  step: 1,
  keySpecs: [keyRange(1, 1, 1, "RO", "access")],
  summary: "Find longest common substring",
  since: "7.0.0",
  complexity: "O(N*M) where N and M are the lengths of s1 and s2, respectively",
  run: (ctx, argv) => {
    const out = ctx.out
    const valueA = readKey(ctx, argv[1])
    const valueB = readKey(ctx, argv[2])
    if ((valueA !== undefined && typeof valueA !== "string") || (valueB !== undefined && typeof valueB !== "string")) {
      return out.error("ERR The specified keys must contain string values")
    }
    const a = valueA ?? ""
    const b = valueB ?? ""
    let getIdx = false
    let getLen = false
    let withMatchLen = false
    let minMatchLen = 0
    for (let j = 3; j < argv.length; j++) {
      const option = argv[j]
      const more = argv.length - 1 - j
      if (isOption(option, "idx")) getIdx = true
      else if (isOption(option, "len")) getLen = true
      else if (isOption(option, "withmatchlen")) withMatchLen = true
      else if (isOption(option, "minmatchlen") && more > 0) {
        const value = parseInteger(argv[j + 1])
        if (value === undefined) return out.error(ERR_NOT_INTEGER)
        minMatchLen = value < 0 ? 0 : Number(value)
        j++
      } else {
        return out.error(ERR_SYNTAX)
      }
    }
    if (getIdx && getLen) return out.error("ERR If you want both the length and indexes, please just use IDX.")

    const alen = a.length
    const blen = b.length
    const width = blen + 1
    if ((alen + 1) * width > MAX_TABLE_CELLS) {
      return out.error("ERR Insufficient memory, failed allocating transient memory for LCS")
    }
    // table[i * width + j]: the LCS length of a[0, i) and b[0, j). Bytes, not string reads,
    // and the left and diagonal cells carried along: this loop is the whole cost.
    const bytesA = Buffer.from(a, "latin1")
    const bytesB = Buffer.from(b, "latin1")
    const table = new Uint32Array((alen + 1) * width)
    for (let i = 1; i <= alen; i++) {
      const ai = bytesA[i - 1]
      const row = i * width
      const above = row - width
      let left = 0
      let diagonal = 0
      for (let j = 1; j <= blen; j++) {
        const up = table[above + j]
        const cell = ai === bytesB[j - 1] ? diagonal + 1 : up > left ? up : left
        table[row + j] = cell
        left = cell
        diagonal = up
      }
    }
    const total = table[alen * width + blen]
    if (getLen && !getIdx) return out.integer(total)

    const result = new Array<string>(total)
    let idx = total
    // Ranges are found from the end; IDX sends them in that order.
    const ranges: Array<[number, number, number, number, number]> = []
    let aStart = alen // alen: no range open
    let aEnd = 0
    let bStart = 0
    let bEnd = 0
    let i = alen
    let j = blen
    while (i > 0 && j > 0) {
      let emit = false
      if (a.charCodeAt(i - 1) === b.charCodeAt(j - 1)) {
        result[idx - 1] = a[i - 1]
        if (aStart === alen) {
          aStart = aEnd = i - 1
          bStart = bEnd = j - 1
        } else if (aStart === i && bStart === j) {
          aStart--
          bStart--
        } else {
          emit = true
        }
        if (aStart === 0 || bStart === 0) emit = true
        idx--
        i--
        j--
      } else {
        const up = table[(i - 1) * width + j]
        const left = table[i * width + j - 1]
        if (up > left) i--
        else j--
        if (aStart !== alen) emit = true
      }
      if (emit) {
        const matchLen = aEnd - aStart + 1
        if (minMatchLen === 0 || matchLen >= minMatchLen) ranges.push([aStart, aEnd, bStart, bEnd, matchLen])
        aStart = alen
      }
    }
    if (!getIdx) return out.bulk(result.join(""))
    out.mapHeader(2)
    out.bulk("matches")
    out.arrayHeader(ranges.length)
    for (const [as, ae, bs, be, length] of ranges) {
      out.arrayHeader(withMatchLen ? 3 : 2)
      out.arrayHeader(2)
      out.integer(as)
      out.integer(ae)
      out.arrayHeader(2)
      out.integer(bs)
      out.integer(be)
      if (withMatchLen) out.integer(length)
    }
    out.bulk("len")
    out.integer(total)
  }
})

export const lcsCommands: ReadonlyArray<CommandSpec> = [lcs]
