/**
 * Set algebra: SINTER / SINTERCARD / SINTERSTORE, SUNION / SUNIONSTORE, SDIFF / SDIFFSTORE.
 * A missing key is an empty set; a key of another type is WRONGTYPE (every key is checked
 * first). The *STORE forms replace the destination whatever it held, or delete it when the
 * result is empty, and answer the result's size.
 *
 * Results are encoded as Redis encodes the set it builds one add at a time (an intset while all
 * members are integers and few enough), and listed in that set's order (an intset is sorted).
 * SDIFF follows Redis's choice between its two algorithms, because the second one starts from
 * a copy of the first set and so may leave a hashtable even when the result would fit an intset.
 */
import { WRONGTYPE } from "../../keyspace/Value.js"
import { deleteAndNotify, notify, NotifyType } from "../../pubsub/notify.js"
import { compareIntegerTexts, isIntsetMember, SetValue } from "../../keyspace/values/SetValue.js"
import { ERR_SYNTAX, isKeyword, LONG_MAX, positiveLong, rangeLong } from "../../protocol/arguments.js"
import { type CommandContext, type CommandSpec, storeResultAt } from "../Command.js"
import { countedKeys, keyAt, keysToEnd } from "../../protocol/key-specs.js"
import { maxIntset, readSet, replyMembers, setCommand } from "./shared.js"

const ALL_KEYS = { firstKey: 1, lastKey: -1, step: 1 } as const
const STORE_KEYS = { firstKey: 1, lastKey: -1, step: 1 } as const

/**
 * The sets named by argv[from..to), or undefined after answering WRONGTYPE. Redis 7.0 looks
 * them up for reading (counting hits and misses) even when there is a destination.
 */
const lookupSets = (
  ctx: CommandContext,
  argv: ReadonlyArray<string>,
  from: number,
  to: number
): Array<SetValue | undefined> | undefined => {
  const sets: Array<SetValue | undefined> = []
  for (let i = from; i < to; i++) {
    const set = readSet(ctx, argv[i])
    if (set === null) return void ctx.out.error(WRONGTYPE)
    sets.push(set)
  }
  return sets
}

/**
 * Deletes the destination of an empty result, announcing `del` when there was one to delete;
 * answers 0.
 */
const storeNothing = (ctx: CommandContext, destination: string): void => {
  deleteAndNotify(ctx, destination)
  ctx.out.integer(0)
}

/**
 * Stores `members` (distinct) at `destination`, announcing `event` (the command's name), or
 * deletes it when empty; answers the size.
 */
const storeResult = (
  ctx: CommandContext,
  destination: string,
  event: string,
  members: Array<string>,
  intset: boolean
) => {
  if (members.length === 0) return storeNothing(ctx, destination)
  // Only SDIFF's second algorithm can end as a hashtable that would fit an intset.
  const set = SetValue.of(members, maxIntset(ctx), intset)
  storeResultAt(ctx, destination, set)
  notify(ctx, NotifyType.Set, event, destination)
  ctx.out.integer(members.length)
}

/**
 * SINTER and kin: `store` is the destination key, `limit` (SINTERCARD) stops counting early
 * (0: no limit).
 */
const intersect = (
  ctx: CommandContext,
  argv: ReadonlyArray<string>,
  from: number,
  to: number,
  store: string | undefined,
  cardinalityOnly: boolean,
  limit: number
): void => {
  const sets = lookupSets(ctx, argv, from, to)
  if (sets === undefined) return
  if (sets.includes(undefined)) {
    if (store !== undefined) return storeNothing(ctx, store)
    return cardinalityOnly ? ctx.out.integer(0) : ctx.out.setHeader(0)
  }
  const present = (sets as Array<SetValue>).slice().sort((a, b) => a.size - b.size)
  const smallest = present[0]
  const found: Array<string> = []
  let cardinality = 0
  for (const member of smallest.toArray()) {
    let inAll = true
    for (let j = 1; j < present.length && inAll; j++) {
      if (present[j] !== smallest && !present[j].has(member)) inAll = false
    }
    if (!inAll) continue
    cardinality++
    if (cardinalityOnly) {
      if (limit !== 0 && cardinality >= limit) break
    } else {
      found.push(member)
    }
  }
  if (cardinalityOnly) return ctx.out.integer(cardinality)
  if (store !== undefined) return storeResult(ctx, store, "sinterstore", found, true)
  replyMembers(ctx, found)
}

const union = (ctx: CommandContext, argv: ReadonlyArray<string>, from: number, store: string | undefined) => {
  const sets = lookupSets(ctx, argv, from, argv.length)
  if (sets === undefined) return
  const seen = new Set<string>()
  for (const set of sets) if (set !== undefined) for (const member of set.toArray()) seen.add(member)
  finish(ctx, store, "sunionstore", Array.from(seen), true)
}

const difference = (ctx: CommandContext, argv: ReadonlyArray<string>, from: number, store: string | undefined) => {
  const sets = lookupSets(ctx, argv, from, argv.length)
  if (sets === undefined) return
  const first = sets[0]
  if (first === undefined) return finish(ctx, store, "sdiffstore", [], true)
  // Redis's choice: algorithm 1 (test each member of the first set) when
  // size(first) * sets / 2 <= total size, else algorithm 2 (copy the first set, remove the rest).
  let present = 0
  let total = 0
  for (const set of sets) {
    if (set === undefined) continue
    present++
    total += set.size
  }
  const copiesFirst = Math.floor((first.size * present) / 2) > total
  const found: Array<string> = []
  const firstMembers = first.toArray()
  for (const member of firstMembers) {
    let elsewhere = false
    for (let j = 1; j < sets.length && !elsewhere; j++) {
      const other = sets[j]
      if (other !== undefined && (other === first || other.has(member))) elsewhere = true
    }
    if (!elsewhere) found.push(member)
  }
  // Algorithm 2's copy of the first set stays an intset only if the first set would fit one.
  let intset = true
  if (copiesFirst) {
    intset = first.size <= maxIntset(ctx) && firstMembers.every(isIntsetMember)
  }
  finish(ctx, store, "sdiffstore", found, intset)
}

/** Replies with or stores (announcing `event`) a union / difference result. */
const finish = (
  ctx: CommandContext,
  store: string | undefined,
  event: string,
  members: Array<string>,
  intsetAllowed: boolean
) => {
  if (store !== undefined) return storeResult(ctx, store, event, members, intsetAllowed)
  let intset = intsetAllowed && members.length <= maxIntset(ctx)
  for (let i = 0; i < members.length && intset; i++) if (!isIntsetMember(members[i])) intset = false
  replyMembers(ctx, intset ? members.slice().sort(compareIntegerTexts) : members)
}

const sinter = setCommand({
  name: "sinter",
  arity: -2,
  flags: ["readonly"],
  ...ALL_KEYS,
  tips: ["nondeterministic_output_order"],
  keySpecs: [keysToEnd(1, 1, "RO", "access")],
  summary: "Intersect multiple sets",
  since: "1.0.0",
  complexity: "O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.",
  run: (ctx, argv) => intersect(ctx, argv, 1, argv.length, undefined, false, 0)
})

const sinterstore = setCommand({
  name: "sinterstore",
  arity: -3,
  flags: ["write", "denyoom"],
  ...STORE_KEYS,
  keySpecs: [keyAt(1, "RW", "update"), keysToEnd(2, 1, "RO", "access")],
  summary: "Intersect multiple sets and store the resulting set in a key",
  since: "1.0.0",
  complexity: "O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.",
  run: (ctx, argv) => intersect(ctx, argv, 2, argv.length, argv[1], false, 0)
})

const sintercard = setCommand({
  name: "sintercard",
  arity: -3,
  flags: ["readonly", "movablekeys"],
  ...countedKeys(1, "RO", "access"),
  summary: "Intersect multiple sets and return the cardinality of the result",
  since: "7.0.0",
  complexity: "O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.",
  run: (ctx, argv) => {
    const numkeys = rangeLong(argv[1], 1n, LONG_MAX, "ERR numkeys should be greater than 0")
    if (typeof numkeys === "string") return ctx.out.error(numkeys)
    if (numkeys > argv.length - 2) return ctx.out.error("ERR Number of keys can't be greater than number of args")
    let limit = 0
    for (let i = 2 + numkeys; i < argv.length; i++) {
      if (isKeyword(argv[i], "LIMIT") && i + 1 < argv.length) {
        const value = positiveLong(argv[++i], "ERR LIMIT can't be negative")
        if (typeof value === "string") return ctx.out.error(value)
        limit = value
      } else {
        return ctx.out.error(ERR_SYNTAX)
      }
    }
    intersect(ctx, argv, 2, 2 + numkeys, undefined, true, limit)
  }
})

const sunion = setCommand({
  name: "sunion",
  arity: -2,
  flags: ["readonly"],
  ...ALL_KEYS,
  tips: ["nondeterministic_output_order"],
  keySpecs: [keysToEnd(1, 1, "RO", "access")],
  summary: "Add multiple sets",
  since: "1.0.0",
  complexity: "O(N) where N is the total number of elements in all given sets.",
  run: (ctx, argv) => union(ctx, argv, 1, undefined)
})

const sunionstore = setCommand({
  name: "sunionstore",
  arity: -3,
  flags: ["write", "denyoom"],
  ...STORE_KEYS,
  keySpecs: [keyAt(1, "OW", "update"), keysToEnd(2, 1, "RO", "access")],
  summary: "Add multiple sets and store the resulting set in a key",
  since: "1.0.0",
  complexity: "O(N) where N is the total number of elements in all given sets.",
  run: (ctx, argv) => union(ctx, argv, 2, argv[1])
})

const sdiff = setCommand({
  name: "sdiff",
  arity: -2,
  flags: ["readonly"],
  ...ALL_KEYS,
  tips: ["nondeterministic_output_order"],
  keySpecs: [keysToEnd(1, 1, "RO", "access")],
  summary: "Subtract multiple sets",
  since: "1.0.0",
  complexity: "O(N) where N is the total number of elements in all given sets.",
  run: (ctx, argv) => difference(ctx, argv, 1, undefined)
})

const sdiffstore = setCommand({
  name: "sdiffstore",
  arity: -3,
  flags: ["write", "denyoom"],
  ...STORE_KEYS,
  keySpecs: [keyAt(1, "OW", "update"), keysToEnd(2, 1, "RO", "access")],
  summary: "Subtract multiple sets and store the resulting set in a key",
  since: "1.0.0",
  complexity: "O(N) where N is the total number of elements in all given sets.",
  run: (ctx, argv) => difference(ctx, argv, 2, argv[1])
})

export const algebraCommands: ReadonlyArray<CommandSpec> = [
  sinter,
  sintercard,
  sinterstore,
  sunion,
  sunionstore,
  sdiff,
  sdiffstore
]
