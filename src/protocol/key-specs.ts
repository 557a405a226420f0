/**
 * Key specs (Redis 7): where a command's keys are and how it uses them, declared in the command
 * table and read by COMMAND INFO and COMMAND GETKEYS / GETKEYSANDFLAGS. Finding the keys of a
 * command line follows Redis 7.0's `getKeysFromCommandWithSpecs`: the specs, unless one has
 * variable flags; when a spec cannot place its keys (a numkeys it cannot read, keys past the
 * end), the command's own finder if it has one (`getKeys`), else no keys.
 *
 * Commands whose keys follow a count (LMPOP, ZUNION, SINTERCARD, ZUNIONSTORE, ...) declare
 * themselves with `countedKeys` / `destinationAndCountedKeys`: the keynum spec, Redis's fallback
 * finder (`genericGetKeys`, which reads the count with C's atoi) and legacy positions 0 0 0 (or
 * the destination's). Their flags include movablekeys.
 */
import { LONG_MAX, LONG_MIN, parseInteger } from "./arguments.js"
import type { CommandInfo, KeyFlag, KeyReference, KeySpec } from "./CommandInfo.js"

/**
 * Every `keyStep`-th argument from `index` to `lastKey`: relative to `index` when >= 0, counted
 * from the end of argv when < 0 (-1: the last argument, -2: all but the last, as BLPOP's keys).
 */
export const keyRange = (index: number, lastKey: number, keyStep: number, ...flags: ReadonlyArray<KeyFlag>): KeySpec => ({
  flags,
  index,
  find: { kind: "range", lastKey, keyStep, limit: 0 }
})

/** One key at argument `index`. */
export const keyAt = (index: number, ...flags: ReadonlyArray<KeyFlag>): KeySpec => keyRange(index, 0, 1, ...flags)

/** Every `keyStep`-th argument from `index` to the end (DEL, MGET, MSET's keys). */
export const keysToEnd = (index: number, keyStep: number, ...flags: ReadonlyArray<KeyFlag>): KeySpec =>
  keyRange(index, -1, keyStep, ...flags)

/** As many keys as the count at argument `index` says, right after it. */
export const keysAfterCount = (index: number, ...flags: ReadonlyArray<KeyFlag>): KeySpec => ({
  flags,
  index,
  find: { kind: "keynum", keyNumIndex: 0, firstKey: 1, keyStep: 1 }
})

/** A spec with Redis's note. */
export const noted = (spec: KeySpec, notes: string): KeySpec => ({ ...spec, notes })

/**
 * C's `atoi` as glibc has it, `(int)strtol(text, NULL, 10)`: leading white space skipped, a sign,
 * digits up to the first other byte (a NUL ends the C string), clamped to the long range, then
 * cut to 32 bits. Redis's fallback finders read counts this way.
 */
const atoi = (text: string): number => {
  let i = 0
  while (i < text.length && (text.charCodeAt(i) === 32 || (text.charCodeAt(i) >= 9 && text.charCodeAt(i) <= 13))) i++
  const sign = text.charCodeAt(i)
  const negative = sign === 45
  if (sign === 43 || sign === 45) i++
  let value = 0n
  for (; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (code < 48 || code > 57) break
    // Past the long range the value only clamps: stop growing it.
    if (value <= LONG_MAX) value = value * 10n + BigInt(code - 48)
  }
  if (negative) value = -value
  const long = value > LONG_MAX ? LONG_MAX : value < LONG_MIN ? LONG_MIN : value
  return Number(BigInt.asIntN(32, long))
}

/**
 * Redis's `genericGetKeys`: `atoi(argv[countIndex])` keys from `firstIndex`, then the destination
 * at `storeIndex` (0: none); no keys at all when the count is below 1 or runs past the end. These
 * keys carry no flags.
 */
export const genericGetKeys = (storeIndex: number, countIndex: number, firstIndex: number) =>
  (argv: ReadonlyArray<string>): ReadonlyArray<KeyReference> => {
    const count = atoi(argv[countIndex] ?? "")
    if (count < 1 || count > argv.length - firstIndex) return []
    const found: Array<KeyReference> = []
    for (let i = 0; i < count; i++) found.push({ position: firstIndex + i, flags: [] })
    if (storeIndex !== 0) found.push({ position: storeIndex, flags: [] })
    return found
  }

/** The declaration of keys that follow a count at `countIndex` (LMPOP, ZUNION, ...). */
export const countedKeys = (countIndex: number, ...flags: ReadonlyArray<KeyFlag>) => ({
  firstKey: 0,
  lastKey: 0,
  step: 0,
  keySpecs: [keysAfterCount(countIndex, ...flags)],
  getKeys: genericGetKeys(0, countIndex, countIndex + 1)
})

/** The declaration of a destination at 1 and source keys after a count at 2 (ZUNIONSTORE, ...). */
export const destinationAndCountedKeys = () => ({
  firstKey: 1,
  lastKey: 1,
  step: 1,
  keySpecs: [keyAt(1, "OW", "update"), keysAfterCount(2, "RO", "access")],
  getKeys: genericGetKeys(1, 2, 3)
})

/** A command's key specs: its own, or one without flags made from its legacy key positions. */
export const keySpecsOf = (command: CommandInfo): ReadonlyArray<KeySpec> => {
  if (command.keySpecs !== undefined) return command.keySpecs
  if (command.firstKey <= 0) return []
  const lastKey = command.lastKey < 0 ? command.lastKey : command.lastKey - command.firstKey
  return [{ flags: [], index: command.firstKey, find: { kind: "range", lastKey, keyStep: command.step, limit: 0 } }]
}

const isKey = (spec: KeySpec): boolean => !spec.flags.includes("not_key")

/** Whether COMMAND GETKEYS may look for keys at all (Redis's `doesCommandHaveKeys`). */
export const hasKeyArguments = (command: CommandInfo): boolean =>
  command.getKeys !== undefined || keySpecsOf(command).some(isKey)

/**
 * Where a keyword spec's keys begin: just after the first `keyword` (case-insensitive) searched
 * from `startFrom` towards the end (or, when negative, from that far from the end towards the
 * start); never at the last argument, which leaves no room for a key. 0: not found.
 */
const keywordPosition = (argv: ReadonlyArray<string>, keyword: string, startFrom: number): number => {
  const argc = argv.length
  const start = startFrom > 0 ? startFrom : argc + startFrom
  const end = startFrom > 0 ? argc - 1 : 0
  for (let i = start; i !== end; i = start <= end ? i + 1 : i - 1) {
    if (i >= argc || i < 1) break
    if (argv[i].toUpperCase() === keyword) return i + 1
  }
  return 0
}

/** A spec whose keys begin after `keyword`, searched from argument `startFrom` (GEORADIUS's STORE). */
export const keyAfterKeyword = (keyword: string, startFrom: number, ...flags: ReadonlyArray<KeyFlag>): KeySpec => ({
  flags,
  index: 0,
  begin: { kind: "keyword", keyword, startFrom },
  find: { kind: "range", lastKey: 0, keyStep: 1, limit: 0 }
})

/** A spec Redis marks unknown (SORT's BY/GET and STORE keys): only the command's finder places them. */
export const unknownKeys = (notes: string, ...flags: ReadonlyArray<KeyFlag>): KeySpec => ({
  flags,
  notes,
  index: 0,
  begin: { kind: "unknown" },
  find: { kind: "unknown" }
})

/** The keys the specs place in `argv`, or undefined when one of them cannot place its keys. */
const keysFromSpecs = (specs: ReadonlyArray<KeySpec>, argv: ReadonlyArray<string>): Array<KeyReference> | undefined => {
  const argc = argv.length
  const found: Array<KeyReference> = []
  for (const spec of specs) {
    if (!isKey(spec)) continue
    let first = spec.index
    const begin = spec.begin
    if (begin !== undefined) {
      if (begin.kind === "unknown") return undefined
      first = keywordPosition(argv, begin.keyword, begin.startFrom)
      if (first === 0) continue
    }
    let last: number
    const find = spec.find
    if (find.kind === "unknown") return undefined
    if (find.kind === "range") {
      if (find.lastKey >= 0) last = first + find.lastKey
      else if (find.limit === 0) last = argc + find.lastKey
      else last = first + Math.trunc((argc - first) / find.limit) + find.lastKey
    } else {
      if (find.keyNumIndex >= argc) return undefined
      const count = parseInteger(argv[first + find.keyNumIndex] ?? "")
      if (count === undefined || count < 0) return undefined
      first += find.firstKey
      // Redis adds the count as a C int: only its low 32 bits count.
      last = first + Number(BigInt.asIntN(32, BigInt(count))) - 1
    }
    if (last >= argc || last < first || first >= argc) return undefined
    const step = find.keyStep
    for (let i = first; i <= last; i += step) found.push({ position: i, flags: spec.flags })
    if (spec.flags.includes("incomplete")) return undefined
  }
  return found
}

/**
 * The keys of the command line `argv` (argv[0] is the command's name; a subcommand's line
 * includes the container's name), as COMMAND GETKEYS finds them.
 */
export const findKeys = (command: CommandInfo, argv: ReadonlyArray<string>): ReadonlyArray<KeyReference> => {
  const specs = keySpecsOf(command)
  if (specs.some(isKey) && !specs.some((spec) => spec.flags.includes("variable_flags"))) {
    const found = keysFromSpecs(specs, argv)
    if (found !== undefined) return found
  }
  return command.getKeys?.(argv) ?? []
}
