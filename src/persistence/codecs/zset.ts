/**
 * Sorted sets in RDB files (ZSET_2: members with binary doubles; Redis 7's listpacks, Redis 6's
 * ziplists and the old text-score type read too) and in rewritten AOFs (ZADD with scores as %.17g, which round-trips).
 */
import { formatScore, parseScore } from "../../protocol/score-text.js"
import { SortedSetValue, type ZsetLimits } from "../../keyspace/values/SortedSetValue.js"
import { listpackElements, ziplistElements } from "../rdb/CompactEncodings.js"
import { TYPE_ZSET, TYPE_ZSET_2 } from "../rdb/RdbFormat.js"
import { batched, registerCodec } from "../ValueCodecs.js"

const TYPE_ZSET_ZIPLIST = 12
const TYPE_ZSET_LISTPACK = 17

/** Members and scores → a sorted set encoded as Redis encodes one it loads. */
const build = (members: Array<string>, scores: Array<number>, limits: ZsetLimits): SortedSetValue => {
  const order = members.map((_, i) => i)
  order.sort((a, b) => scores[a] - scores[b] || (members[a] < members[b] ? -1 : members[a] > members[b] ? 1 : 0))
  return SortedSetValue.fromSorted(order.map((i) => scores[i]), order.map((i) => members[i]), limits)
}

registerCodec({
  type: "zset",
  rdbTypes: [TYPE_ZSET, TYPE_ZSET_2, TYPE_ZSET_ZIPLIST, TYPE_ZSET_LISTPACK],
  rdbType: () => TYPE_ZSET_2,
  write: (value, out) => {
    const zset = value as SortedSetValue
    out.lengthField(zset.scores.size)
    for (const [member, score] of zset.scores) {
      out.string(member)
      out.double(score)
    }
  },
  read: (rdbType, reader, config) => {
    const members: Array<string> = []
    const scores: Array<number> = []
    if (rdbType === TYPE_ZSET_LISTPACK || rdbType === TYPE_ZSET_ZIPLIST) {
      const blob = Buffer.from(reader.string(), "latin1")
      const elements = rdbType === TYPE_ZSET_ZIPLIST ? ziplistElements(blob) : listpackElements(blob)
      const seen = new Set<string>()
      for (let i = 0; i + 1 < elements.length; i += 2) {
        const score = parseScore(elements[i + 1])
        if (score === undefined) return reader.fail(`a sorted-set score that is not a number: ${elements[i + 1]}`)
        // A repeated member (which only Redis's deep sanitization rejects): the first one counts, as lookups find it.
        if (seen.has(elements[i])) continue
        seen.add(elements[i])
        members.push(elements[i])
        scores.push(score)
      }
    } else {
      const count = reader.length()
      for (let i = 0; i < count; i++) {
        members.push(reader.string())
        scores.push(rdbType === TYPE_ZSET_2 ? reader.double() : reader.asciiDouble())
      }
    }
    if (members.length === 0) reader.fail("an empty sorted set")
    if (new Set(members).size !== members.length) reader.fail("duplicate sorted-set members")
    if (scores.some(Number.isNaN)) reader.fail("a NaN score")
    // As Redis 7.0 loads them: a listpack or ziplist stays one unless it has too many entries
    // (its members are not measured); a plain sorted set becomes one within both thresholds.
    const compact = rdbType === TYPE_ZSET_LISTPACK || rdbType === TYPE_ZSET_ZIPLIST
    return build(members, scores, compact ? { zsetMaxListpackEntries: config.zsetMaxListpackEntries, zsetMaxListpackValue: Infinity } : config)
  },
  rewrite: (key, value) =>
    batched(["ZADD", key], (value as SortedSetValue).scores, ([member, score], into) => {
      into.push(formatScore(score), member)
    })
})
