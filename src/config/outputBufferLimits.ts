/**
 * `client-output-buffer-limit`: per client class, a hard limit in bytes, a soft limit in bytes and
 * how many seconds a client may stay above the soft limit. A client past either is disconnected.
 * Redis's defaults: normal 0 0 0 (no limit), replica 256mb 64mb 60, pubsub 32mb 8mb 60.
 *
 * Only the pubsub class is enforced here (src/pubsub/Hub.ts): a normal client that stops reading
 * is not read from instead (Connection's backpressure), and there are no replicas. The other
 * classes are kept so CONFIG GET answers what CONFIG SET stored.
 *
 * The text is Redis 7.0's: classes and numbers separated by single spaces, four words per class
 * (`replica` is `slave`'s new name), sizes as `memtoull` reads them, seconds as `strtoll` reads
 * them then cast to a C int (so 4294967296 becomes 0 and 3000000000 is refused). A CONFIG SET
 * changes only the classes it names; a later entry for the same class wins.
 */
import { parseMemory } from "./memory.js"

export interface OutputBufferLimit {
  /** Exact values, as CONFIG GET prints them (up to 2^64-1). */
  readonly hardBytes: bigint
  readonly softBytes: bigint
  readonly softSeconds: number
  /** The same sizes as numbers for the checks (0 means no limit). */
  readonly hard: number
  readonly soft: number
}

export type ClientClass = "normal" | "replica" | "pubsub"

export type OutputBufferLimits = Readonly<Record<ClientClass, OutputBufferLimit>>

const outputBufferLimit = (hardBytes: bigint, softBytes: bigint, softSeconds: number): OutputBufferLimit => ({
  hardBytes,
  softBytes,
  softSeconds,
  hard: Number(hardBytes),
  soft: Number(softBytes)
})

export const defaultOutputBufferLimits = (): OutputBufferLimits => ({
  normal: outputBufferLimit(0n, 0n, 0),
  replica: outputBufferLimit(256n * 1024n * 1024n, 64n * 1024n * 1024n, 60),
  pubsub: outputBufferLimit(32n * 1024n * 1024n, 8n * 1024n * 1024n, 60)
})

const CLASS_NAMES: Readonly<Record<string, ClientClass>> = {
  normal: "normal",
  slave: "replica",
  replica: "replica",
  pubsub: "pubsub"
}

const ERR_ARGUMENTS = "Wrong number of arguments in buffer limit configuration."
const ERR_CLASS = "Invalid client class specified in buffer limit configuration."
const ERR_VALUE = "Error in hard, soft or soft_seconds setting in buffer limit configuration."

const STRTOLL = /^[ \t\n\v\f\r]*([+-]?)([0-9]+)$/
const INT64_MAX = 2n ** 63n - 1n

/** `(int)strtoll(text)` with the whole text a number; undefined when it is not one. */
const softSecondsOf = (text: string): number | undefined => {
  const match = STRTOLL.exec(text)
  if (match === null) return undefined
  let value = BigInt(match[2])
  // strtoll saturates on overflow.
  if (value > INT64_MAX) value = match[1] === "-" ? INT64_MAX + 1n : INT64_MAX
  if (match[1] === "-") value = -value
  return Number(BigInt.asIntN(32, value))
}

/** The limits after applying `text` to `current`, or Redis's reason for refusing it. */
export const parseOutputBufferLimits = (text: string, current: OutputBufferLimits): OutputBufferLimits | string => {
  if (text === "") return current
  const words = text.split(" ")
  if (words.length % 4 !== 0) return ERR_ARGUMENTS
  const next: Record<ClientClass, OutputBufferLimit> = { ...current }
  for (let i = 0; i < words.length; i += 4) {
    const clientClass = CLASS_NAMES[words[i].toLowerCase()]
    if (clientClass === undefined) return ERR_CLASS
    const hard = parseMemory(words[i + 1])
    const soft = parseMemory(words[i + 2])
    const seconds = softSecondsOf(words[i + 3])
    if (hard === undefined || soft === undefined || seconds === undefined || seconds < 0) return ERR_VALUE
    next[clientClass] = outputBufferLimit(hard, soft, seconds)
  }
  return next
}

/** What CONFIG GET answers: `normal h s t slave h s t pubsub h s t`. */
export const formatOutputBufferLimits = (limits: OutputBufferLimits): string =>
  (["normal", "replica", "pubsub"] as const)
    .map((name) => {
      const limit = limits[name]
      return `${name === "replica" ? "slave" : name} ${limit.hardBytes} ${limit.softBytes} ${limit.softSeconds}`
    })
    .join(" ")
