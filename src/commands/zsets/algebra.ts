/**
 * Sorted-set algebra: ZUNION / ZUNIONSTORE, ZINTER / ZINTERSTORE / ZINTERCARD, ZDIFF /
 * ZDIFFSTORE, as Redis's `zunionInterDiffGenericCommand`. Inputs may be sets (every member
 * scores 1). The order of work matters to the bytes of the result, because adding floats is not
 * associative and inf + -inf is taken as 0: like Redis, union and intersection visit their
 * inputs from the smallest to the largest (a stable sort), a weighted score that is NaN counts
 * as 0, and a NaN sum becomes 0.
 */
import { WRONGTYPE } from "../../keyspace/Value.js"
import { SetValue } from "../../keyspace/values/SetValue.js"
import { SortedSetValue } from "../../keyspace/values/SortedSetValue.js"
import { deleteAndNotify, notify, NotifyType } from "../../pubsub/notify.js"
import { ERR_SYNTAX, isKeyword, longArgument, positiveLong } from "../../protocol/arguments.js"
import { type CommandContext, type CommandSpec, storeResultAt } from "../Command.js"
import { readKey } from "../strings/get-set.js"
import { countedKeys, destinationAndCountedKeys } from "../../protocol/key-specs.js"
import { parseScore } from "../../protocol/score-text.js"
import { scoredEntry, scoredHeader, zsetCommand } from "./shared.js"

const UNION = 0
const INTER = 1
const DIFF = 2

const SUM = 0
const MIN = 1
const MAX = 2

interface Source {
  readonly value: SortedSetValue | SetValue | undefined
  weight: number
  readonly size: number
}

const aggregate = (target: number, value: number, how: number): number => {
  if (how === SUM) {
    const sum = target + value
    return sum !== sum ? 0 : sum
  }
  if (how === MIN) return value < target ? value : target
  return value > target ? value : target
}

/** The score of `member` in a source, or undefined when it is not there. */
const scoreIn = (source: Source, member: string): number | undefined => {
  const value = source.value
  if (value instanceof SortedSetValue) return value.scores.get(member)
  return value !== undefined && value.has(member) ? 1 : undefined
}

/** Calls `visit` with every (member, score) of a source. */
const forEachIn = (source: Source, visit: (member: string, score: number) => void): void => {
  const value = source.value
  if (value instanceof SortedSetValue) for (const [member, score] of value.scores) visit(member, score)
  else if (value !== undefined) for (const member of value.toArray()) visit(member, 1)
}

const generic = (
  ctx: CommandContext,
  argv: ReadonlyArray<string>,
  name: string,
  store: string | undefined,
  numkeysIndex: number,
  op: number,
  cardinalityOnly: boolean
): void => {
  const out = ctx.out
  const numkeys = longArgument(argv[numkeysIndex])
  if (typeof numkeys === "string") return out.error(numkeys)
  if (numkeys < 1) return out.error(`ERR at least 1 input key is needed for '${name}' command`)
  if (numkeys > argv.length - (numkeysIndex + 1)) return out.error(ERR_SYNTAX)
  const sources: Array<Source> = []
  for (let i = 0; i < numkeys; i++) {
    const key = argv[numkeysIndex + 1 + i]
    // Looked up for reading (hits and misses count) even with a destination, as in Redis 7.0.
    const value = readKey(ctx, key)
    if (value !== undefined && !(value instanceof SortedSetValue) && !(value instanceof SetValue)) {
      return out.error(WRONGTYPE)
    }
    sources.push({ value, weight: 1, size: value === undefined ? 0 : value.size })
  }
  let how = SUM
  let withScores = false
  let limit = 0
  let j = numkeysIndex + 1 + numkeys
  while (j < argv.length) {
    const remaining = argv.length - j
    const option = argv[j]
    if (op !== DIFF && !cardinalityOnly && remaining >= numkeys + 1 && isKeyword(option, "WEIGHTS")) {
      j++
      for (let i = 0; i < numkeys; i++, j++) {
        const weight = parseScore(argv[j])
        if (weight === undefined) return out.error("ERR weight value is not a float")
        sources[i].weight = weight
      }
    } else if (op !== DIFF && !cardinalityOnly && remaining >= 2 && isKeyword(option, "AGGREGATE")) {
      const which = argv[j + 1]
      if (isKeyword(which, "SUM")) how = SUM
      else if (isKeyword(which, "MIN")) how = MIN
      else if (isKeyword(which, "MAX")) how = MAX
      else return out.error(ERR_SYNTAX)
      j += 2
    } else if (store === undefined && !cardinalityOnly && isKeyword(option, "WITHSCORES")) {
      withScores = true
      j++
    } else if (cardinalityOnly && remaining >= 2 && isKeyword(option, "LIMIT")) {
      const parsed = positiveLong(argv[j + 1], "ERR LIMIT can't be negative")
      if (typeof parsed === "string") return out.error(parsed)
      limit = parsed
      j += 2
    } else {
      return out.error(ERR_SYNTAX)
    }
  }
  // Smallest first (stable, as glibc's merge sort); a difference keeps its first input first.
  if (op !== DIFF) sources.sort((a, b) => a.size - b.size)

  const result = new Map<string, number>()
  let cardinality = 0
  if (op === INTER) {
    const first = sources[0]
    if (first.size > 0) {
      forEachIn(first, (member, memberScore) => {
        if (limit !== 0 && cardinality >= limit) return
        let score = first.weight * memberScore
        if (score !== score) score = 0
        for (let k = 1; k < sources.length; k++) {
          const other = sources[k]
          const value = other.value === first.value ? memberScore : scoreIn(other, member)
          if (value === undefined) return
          score = aggregate(score, value * other.weight, how)
        }
        if (cardinalityOnly) cardinality++
        else result.set(member, score)
      })
    }
  } else if (op === UNION) {
    for (const source of sources) {
      if (source.size === 0) continue
      forEachIn(source, (member, memberScore) => {
        let score = source.weight * memberScore
        if (score !== score) score = 0
        const existing = result.get(member)
        result.set(member, existing === undefined ? score : aggregate(existing, score, how))
      })
    }
  } else {
    const first = sources[0]
    forEachIn(first, (member, score) => {
      for (let k = 1; k < sources.length; k++) {
        const other = sources[k]
        if (other.size !== 0 && (other.value === first.value || scoreIn(other, member) !== undefined)) return
      }
      result.set(member, score)
    })
  }
  if (cardinalityOnly) return out.integer(cardinality)

  const entries = Array.from(result)
  entries.sort((a, b) => (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
  const scores = entries.map((entry) => entry[1])
  const members = entries.map((entry) => entry[0])
  if (store !== undefined) {
    if (members.length === 0) {
      deleteAndNotify(ctx, store)
      return out.integer(0)
    }
    storeResultAt(ctx, store, SortedSetValue.fromSorted(scores, members, ctx.server.config))
    // The event is the command's name: zunionstore, zinterstore, zdiffstore.
    notify(ctx, NotifyType.Zset, name, store)
    return out.integer(members.length)
  }
  scoredHeader(out, members.length, withScores)
  for (let i = 0; i < members.length; i++) scoredEntry(out, members[i], scores[i], withScores)
}


const UNION_COMPLEXITY =
  "O(N)+O(M*log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set."
const INTER_COMPLEXITY =
  "O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the number of input sorted sets and M being the number of elements in the resulting sorted set."
const DIFF_COMPLEXITY =
  "O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N is the size of the first set, and K is the size of the result set."

const zunion = zsetCommand({
  name: "zunion",
  arity: -3,
  flags: ["readonly", "movablekeys"],
  ...countedKeys(1, "RO", "access"),
  summary: "Add multiple sorted sets",
  since: "6.2.0",
  complexity: UNION_COMPLEXITY,
  run: (ctx, argv) => generic(ctx, argv, "zunion", undefined, 1, UNION, false)
})

const zunionstore = zsetCommand({
  name: "zunionstore",
  arity: -4,
  flags: ["write", "denyoom", "movablekeys"],
  ...destinationAndCountedKeys(),
  summary: "Add multiple sorted sets and store the resulting sorted set in a new key",
  since: "2.0.0",
  complexity:
    "O(N)+O(M log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set.",
  run: (ctx, argv) => generic(ctx, argv, "zunionstore", argv[1], 2, UNION, false)
})

const zinter = zsetCommand({
  name: "zinter",
  arity: -3,
  flags: ["readonly", "movablekeys"],
  ...countedKeys(1, "RO", "access"),
  summary: "Intersect multiple sorted sets",
  since: "6.2.0",
  complexity: INTER_COMPLEXITY,
  run: (ctx, argv) => generic(ctx, argv, "zinter", undefined, 1, INTER, false)
})

const zinterstore = zsetCommand({
  name: "zinterstore",
  arity: -4,
  flags: ["write", "denyoom", "movablekeys"],
  ...destinationAndCountedKeys(),
  summary: "Intersect multiple sorted sets and store the resulting sorted set in a new key",
  since: "2.0.0",
  complexity: INTER_COMPLEXITY,
  run: (ctx, argv) => generic(ctx, argv, "zinterstore", argv[1], 2, INTER, false)
})

const zintercard = zsetCommand({
  name: "zintercard",
  arity: -3,
  flags: ["readonly", "movablekeys"],
  ...countedKeys(1, "RO", "access"),
  summary: "Intersect multiple sorted sets and return the cardinality of the result",
  since: "7.0.0",
  complexity: "O(N*K) worst case with N being the smallest input sorted set, K being the number of input sorted sets.",
  run: (ctx, argv) => generic(ctx, argv, "zintercard", undefined, 1, INTER, true)
})

const zdiff = zsetCommand({
  name: "zdiff",
  arity: -3,
  flags: ["readonly", "movablekeys"],
  ...countedKeys(1, "RO", "access"),
  summary: "Subtract multiple sorted sets",
  since: "6.2.0",
  complexity: DIFF_COMPLEXITY,
  run: (ctx, argv) => generic(ctx, argv, "zdiff", undefined, 1, DIFF, false)
})

const zdiffstore = zsetCommand({
  name: "zdiffstore",
  arity: -4,
  flags: ["write", "denyoom", "movablekeys"],
  ...destinationAndCountedKeys(),
  summary: "Subtract multiple sorted sets and store the resulting sorted set in a new key",
  since: "6.2.0",
  complexity: DIFF_COMPLEXITY,
  run: (ctx, argv) => generic(ctx, argv, "zdiffstore", argv[1], 2, DIFF, false)
})

export const algebraCommands: ReadonlyArray<CommandSpec> = [
  zunion,
  zunionstore,
  zinter,
  zinterstore,
  zintercard,
  zdiff,
  zdiffstore
]
