/**
 * SORT and SORT_RO (Redis's "generic" group): the elements of a list, set or sorted set,
 * sorted as numbers (or as strings with ALPHA), by themselves or by the values of other keys
 * (BY pattern, `*` standing for the element, `->field` for a hash field), or left in their
 * order (BY a pattern without `*`), with LIMIT, GET patterns (`#`: the element itself), and
 * STORE into a list. Redis's order of checks, its comparison (equal numbers ordered by the
 * elements' bytes) and its shortcuts (an unsorted list or sorted set read only in the LIMIT's
 * range) are kept, so replies, lookups and the keyspace statistics they count match.
 */
import { KEY_READ } from "../acl/Selector.js"
import { WRONGTYPE } from "../keyspace/Value.js"
import { HashValue } from "../keyspace/values/HashValue.js"
import { ListValue } from "../keyspace/values/ListValue.js"
import { SetValue } from "../keyspace/values/SetValue.js"
import { SortedSetValue } from "../keyspace/values/SortedSetValue.js"
import { deleteAndNotify, notify, NotifyType } from "../pubsub/notify.js"
import { ERR_NOT_INTEGER, ERR_SYNTAX, parseSafeInteger } from "../protocol/arguments.js"
import { command, type CommandContext, type CommandSpec, storeResultAt } from "./Command.js"
import type { KeyReference } from "../protocol/CommandInfo.js"
import { keyAt, unknownKeys } from "../protocol/key-specs.js"
import { partialSort } from "./partial-sort.js"
import { readKey } from "./strings/get-set.js"
import { cursor } from "./zsets/shared.js"
import { parseSortScore } from "../protocol/score-text.js"

/** `strcasecmp(arg, lower) == 0`: ASCII case-insensitive, `arg` ending at its first NUL byte. */
const optionIs = (arg: string, lower: string): boolean => {
  const length = lower.length
  if (arg.length < length || (arg.length > length && arg.charCodeAt(length) !== 0)) return false
  for (let i = 0; i < length; i++) {
    const code = arg.charCodeAt(i)
    if ((code >= 65 && code <= 90 ? code | 0x20 : code) !== lower.charCodeAt(i)) return false
  }
  return true
}

/** The text before the first NUL byte: what C's string functions see. */
const cString = (text: string): string => {
  const nul = text.indexOf("\0")
  return nul < 0 ? text : text.slice(0, nul)
}

/**
 * The value a BY or GET pattern names for `element` (Redis's `lookupKeyByPattern`): `#` is the
 * element; otherwise the first `*` becomes the element and the key must hold a string, or,
 * with `->field` after the `*`, a hash with that field. A pattern without `*` names nothing.
 */
const lookupByPattern = (ctx: CommandContext, pattern: string, element: string): string | undefined => {
  const text = cString(pattern)
  if (text === "#") return element
  const star = text.indexOf("*")
  if (star < 0) return undefined
  const arrow = text.indexOf("->", star + 1)
  const hasField = arrow >= 0 && arrow + 2 < text.length
  const field = hasField ? pattern.slice(arrow + 2) : undefined
  const postfixEnd = hasField ? pattern.length - (field!.length + 2) : pattern.length
  const key = pattern.slice(0, star) + element + pattern.slice(star + 1, postfixEnd)
  const value = readKey(ctx, key)
  if (value === undefined) return undefined
  if (field !== undefined) return value instanceof HashValue ? value.fields.get(field) : undefined
  return typeof value === "string" ? value : undefined
}

const compareBytes = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

/** `strcoll` in the C locale: bytes, up to the first NUL of each. */
const collate = (a: string, b: string): number => compareBytes(cString(a), cString(b))

const hasFullReadAccess = (ctx: CommandContext, argv: ReadonlyArray<string>, readonly: boolean): boolean => {
  const user = ctx.client.user
  if (user === undefined || user.unrestricted) return true
  const spec = ctx.server.commands.get(readonly ? "sort_ro" : "sort")
  return spec !== undefined && ctx.server.acl.hasUnrestrictedKeyAccess(user, spec, argv, KEY_READ)
}

const sortGeneric = (ctx: CommandContext, argv: ReadonlyArray<string>, readonly: boolean): void => {
  const out = ctx.out
  let desc = false
  let alpha = false
  let limitStart = 0
  let limitCount = -1
  let dontSort = false
  let sortBy: string | undefined
  let storeKey: string | undefined
  const gets: Array<string> = []
  let fullKeyAccess: boolean | undefined
  // BY and GET read keys no key spec names: Redis allows them only to a user who may read every key.
  const mayReadAnyKey = (): boolean => (fullKeyAccess ??= hasFullReadAccess(ctx, argv, readonly))
  for (let j = 2; j < argv.length; j++) {
    const arg = argv[j]
    const left = argv.length - j - 1
    if (optionIs(arg, "asc")) desc = false
    else if (optionIs(arg, "desc")) desc = true
    else if (optionIs(arg, "alpha")) alpha = true
    else if (optionIs(arg, "limit") && left >= 2) {
      const start = parseSafeInteger(argv[j + 1])
      if (start === undefined) return out.error(ERR_NOT_INTEGER)
      const count = parseSafeInteger(argv[j + 2])
      if (count === undefined) return out.error(ERR_NOT_INTEGER)
      limitStart = start
      limitCount = count
      j += 2
    } else if (!readonly && optionIs(arg, "store") && left >= 1) {
      storeKey = argv[++j]
    } else if (optionIs(arg, "by") && left >= 1) {
      sortBy = argv[++j]
      // BY a pattern that names no key: no sorting at all.
      if (cString(sortBy).indexOf("*") < 0) dontSort = true
      else if (!mayReadAnyKey()) return out.error("ERR BY option of SORT denied due to insufficient ACL permissions.")
    } else if (optionIs(arg, "get") && left >= 1) {
      if (!mayReadAnyKey()) return out.error("ERR GET option of SORT denied due to insufficient ACL permissions.")
      gets.push(argv[++j])
    } else {
      return out.error(ERR_SYNTAX)
    }
  }

  const value = readKey(ctx, argv[1])
  let list: ListValue | undefined
  let set: SetValue | undefined
  let zset: SortedSetValue | undefined
  if (value instanceof ListValue) list = value
  else if (value instanceof SetValue) set = value
  else if (value instanceof SortedSetValue) zset = value
  else if (value !== undefined) return out.error(WRONGTYPE)
  // Redis converts a sorted set to a skiplist for SORT, for good.
  if (zset !== undefined) zset.listpack = false

  // A set has no order of its own: stored (replicated) results are sorted as strings.
  if (dontSort && set !== undefined && storeKey !== undefined) {
    dontSort = false
    alpha = true
    sortBy = undefined
  }

  let length = list !== undefined ? list.length : set !== undefined ? set.size : zset !== undefined ? zset.size : 0
  let start = limitStart < 0 ? 0 : limitStart
  let end = limitCount < 0 ? length - 1 : start + limitCount - 1
  if (start >= length) {
    start = length - 1
    end = length - 2
  }
  if (end >= length) end = length - 1

  // An unsorted list or sorted set is read only in the LIMIT's range.
  if ((zset !== undefined || list !== undefined) && dontSort && (start !== 0 || end !== length - 1)) {
    length = end - start + 1
  }

  let elements: Array<string> = []
  if (list !== undefined && dontSort) {
    if (end >= start) {
      const total = list.length
      let index = desc ? total - start - 1 : start
      while (elements.length < length && index >= 0 && index < total) {
        elements.push(list.at(index))
        index += desc ? -1 : 1
      }
      end -= start
      start = 0
    }
  } else if (list !== undefined) {
    elements = list.toArray()
  } else if (set !== undefined) {
    elements = set.toArray().slice()
  } else if (zset !== undefined && dontSort) {
    const total = zset.size
    if (length > 0) {
      zset.tree.seek(cursor, desc ? total - 1 - start : start)
      for (let n = 0; n < length; n++) {
        elements.push(cursor.member)
        if (desc) cursor.prev()
        else cursor.next()
      }
    }
    end -= start
    start = 0
  } else if (zset !== undefined) {
    elements = Array.from(zset.scores.keys())
  }

  let conversionError = false
  if (!dontSort) {
    const count = elements.length
    const scores = new Array<number>(count).fill(0)
    const keys = new Array<string | undefined>(count).fill(undefined)
    for (let j = 0; j < count; j++) {
      let by: string | undefined = elements[j]
      if (sortBy !== undefined) {
        by = lookupByPattern(ctx, sortBy, elements[j])
        if (by === undefined) continue
      }
      if (alpha) {
        if (sortBy !== undefined) keys[j] = by
      } else {
        const score = parseSortScore(by)
        if (score === undefined) conversionError = true
        else scores[j] = score
      }
    }
    const order = Array.from({ length: count }, (_, i) => i)
    const byPattern = sortBy !== undefined
    // Redis compares strings with strcoll, except when storing (replicas must agree).
    const compareText = storeKey !== undefined ? compareBytes : collate
    const compareAt = (a: number, b: number): number => {
      let cmp: number
      if (!alpha) {
        cmp = scores[a] > scores[b] ? 1 : scores[a] < scores[b] ? -1 : compareBytes(elements[a], elements[b])
      } else if (byPattern) {
        const ka = keys[a]
        const kb = keys[b]
        if (ka === undefined || kb === undefined) cmp = ka === kb ? 0 : ka === undefined ? -1 : 1
        else cmp = compareText(ka, kb)
      } else {
        cmp = compareText(elements[a], elements[b])
      }
      return desc ? -cmp : cmp
    }
    // With BY and a LIMIT that keeps fewer, Redis sorts partially (not stably: ties show it).
    if (byPattern && (start !== 0 || end !== count - 1)) partialSort(order, compareAt, start, end)
    else order.sort(compareAt)
    elements = order.map((i) => elements[i])
  }

  const outputLength = gets.length > 0 ? gets.length * (end - start + 1) : end - start + 1
  if (conversionError) return out.error("ERR One or more scores can't be converted into double")
  if (storeKey === undefined) {
    out.arrayHeader(outputLength)
    for (let j = start; j <= end; j++) {
      if (gets.length === 0) out.bulk(elements[j])
      for (const pattern of gets) out.bulkOrNull(lookupByPattern(ctx, pattern, elements[j]))
    }
    return
  }
  const stored: Array<string> = []
  for (let j = start; j <= end; j++) {
    if (gets.length === 0) stored.push(elements[j])
    for (const pattern of gets) stored.push(lookupByPattern(ctx, pattern, elements[j]) ?? "")
  }
  if (outputLength > 0) {
    storeResultAt(ctx, storeKey, ListValue.of(stored))
    notify(ctx, NotifyType.List, "sortstore", storeKey)
  } else {
    deleteAndNotify(ctx, storeKey)
  }
  out.integer(outputLength)
}

/**
 * SORT's own key finder (`sortGetKeys`): the sorted key, then the last STORE's destination,
 * skipping the arguments of LIMIT (2), GET and BY (1).
 */
const sortKeys = (argv: ReadonlyArray<string>): ReadonlyArray<KeyReference> => {
  const keys: Array<KeyReference> = [{ position: 1, flags: ["RO", "access"] }]
  let store: KeyReference | undefined
  for (let i = 2; i < argv.length; i++) {
    if (optionIs(argv[i], "limit")) i += 2
    else if (optionIs(argv[i], "get") || optionIs(argv[i], "by")) i += 1
    else if (optionIs(argv[i], "store") && i + 1 < argv.length) store = { position: i + 1, flags: ["OW", "update"] }
  }
  if (store !== undefined) keys.push(store)
  return keys
}

const BY_GET_NOTE =
  "For the optional BY/GET keyword. It is marked 'unknown' because the key names derive from the content of the key we sort"
const STORE_NOTE =
  "For the optional STORE keyword. It is marked 'unknown' because the keyword can appear anywhere in the argument array"
const COMPLEXITY =
  "O(N+M*log(M)) where N is the number of elements in the list or set to sort, and M the number of returned elements. When the elements are not sorted, complexity is O(N)."

const sort = command({
  name: "sort",
  arity: -2,
  flags: ["write", "denyoom", "movablekeys"],
  firstKey: 1,
  lastKey: 1,
  step: 1,
  keySpecs: [keyAt(1, "RO", "access"), unknownKeys(BY_GET_NOTE, "RO", "access"), unknownKeys(STORE_NOTE, "OW", "update")],
  getKeys: sortKeys,
  group: "generic",
  aclCategories: ["write", "set", "sortedset", "list", "slow", "dangerous"],
  summary: "Sort the elements in a list, set or sorted set",
  since: "1.0.0",
  complexity: COMPLEXITY,
  run: (ctx, argv) => sortGeneric(ctx, argv, false)
})

const sortRo = command({
  name: "sort_ro",
  arity: -2,
  flags: ["readonly", "movablekeys"],
  firstKey: 1,
  lastKey: 1,
  step: 1,
  keySpecs: [keyAt(1, "RO", "access"), unknownKeys(BY_GET_NOTE, "RO", "access")],
  getKeys: () => [{ position: 1, flags: ["RO", "access"] }],
  group: "generic",
  aclCategories: ["read", "set", "sortedset", "list", "slow", "dangerous"],
  summary: "Sort the elements in a list, set or sorted set. Read-only variant of SORT.",
  since: "7.0.0",
  complexity: COMPLEXITY,
  run: (ctx, argv) => sortGeneric(ctx, argv, true)
})

export const sortCommands: ReadonlyArray<CommandSpec> = [sort, sortRo]
