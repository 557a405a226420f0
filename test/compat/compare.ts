/**
 * The differential harness: one client on our server and one on a real redis-server, the same
 * steps sent to both, and every pair of replies compared. A step names how its replies compare
 * (exactly by default; TTLs with a tolerance; unordered arrays; shape only for values that
 * legitimately differ such as TIME or CLIENT ID). A mismatch keeps the command and both replies
 * in `showReply` form so a report says exactly what to fix.
 *
 * The harness never trusts our server to behave: a missing command is just an error reply that
 * differs, a reply that never comes is a mismatch (and the script stops there, since the two
 * servers' states can no longer be assumed equal).
 */
import { encodeCommand, RawClient } from "../support/RawClient.js"
import { type Reply, showReply } from "../support/RespReader.js"
import type { RunningRedfiber, RunningServer } from "../support/servers.js"

/** How the two replies of a step are compared. */
export type Check =
  | "exact"
  /** Integers within ±1 (TTL, EXPIRETIME); negative answers (-1/-2) must be equal. */
  | "seconds"
  /** Integers within ±50 (PTTL, PEXPIRETIME); negative answers must be equal. */
  | "millis"
  /** Arrays with the same elements in any order (KEYS). */
  | "unordered"
  /** Flat field/value arrays with the same pairs in any order (CONFIG GET). */
  | "pairs"
  /** Same reply kind and nil-ness, any value (CLIENT ID, RANDOMKEY on a multi-key db). */
  | "kind"
  /** TIME: two bulk strings of digits. */
  | "time"
  /** HELLO's flat map: equal except the value of `id`. */
  | "hello"
  /** Random picks (SRANDMEMBER, SPOP, ZRANDMEMBER): same kind, nil-ness, error text, array length. */
  | "sample"
  /**
   * A list of pub/sub replies and pushes in any order, as Redis walks its hash tables: elements
   * compared as a multiset, lists of bulks inside them (PUBSUB CHANNELS) as sets, and the counts
   * of (p)unsubscribe pushes in the order they came (they count down whatever the order).
   */
  | "pubsub"
  /** EXEC: an array compared element by element with `elementChecks` (anything else exactly). */
  | "exec"
  /**
   * Stream replies with what depends on the clock or on Redis's radix tree masked: IDs made by
   * `*` (13-digit ms), Unix ms times, idle and elapsed times, and radix-tree-nodes.
   */
  | "stream"
  /**
   * ACL replies: rule strings compared as sets of words (Redis lists single commands in its
   * command dictionary's hash order, random per start), ACL LOG's `age-seconds` and
   * `client-info` values by kind only (times, ids and ports differ), ACL CAT's lists in any order.
   */
  | "acl"

/**
 * One step. `scan` iterates SCAN (or HSCAN/SSCAN/ZSCAN, whose cursor is the second argument and
 * whose HSCAN/ZSCAN pages are pairs) from its cursor to the end on each server and compares the
 * sets of keys (or pairs); `sample` runs a command that picks at random (HRANDFIELD) and compares
 * only what must hold: how many picks, whether they are distinct when asked to be, and that each
 * one (with its value) is in the `population` the step names; `quit` compares QUIT's reply, checks both servers close, and reconnects; `pipeline`
 * sends the commands of `argv` (separated by PIPELINE_BREAK arguments) in one write and compares the list of
 * replies up to the connection closing, if it does (QUIT inside a pipeline); `sleep` waits
 * `argv[0]` ms and compares nothing (to let short TTLs elapse on both servers); `other` sends
 * `argv` on a second connection and compares its reply followed by everything the main
 * connection received meanwhile (pub/sub messages), read up to the reply of a PING sent after it;
 * `collect` sends `argv` and that PING on the main connection and compares every reply before the
 * PING's (commands that answer several pushes, like SUBSCRIBE a b).
 *
 * For blocking commands, a step may run on another numbered connection (`on`: 0 is the main one,
 * 1 the one `other` uses, more are opened on first use): `send` writes `argv` there without
 * reading a reply and, with `blocked`, waits until each server reports that many blocked clients
 * (compared: one server not blocking is a mismatch); `drain` reads everything that connection
 * was sent, up to the reply of a PING, and compares the list.
 */
export interface Step {
  readonly argv: ReadonlyArray<string>
  readonly check?: Check
  readonly special?: "scan" | "quit" | "pipeline" | "sleep" | "sample" | "other" | "collect" | "send" | "drain"
  /** For `sample`: the command listing what picks come from, flat pairs (HGETALL) or members. */
  readonly population?: { readonly argv: ReadonlyArray<string>; readonly pairs: boolean }
  /** The connection the step runs on (0, the main one, when absent). */
  readonly on?: number
  /** For `send`: the number of blocked clients to wait for on both servers. */
  readonly blocked?: number
  /** For the "exec" check: the check of each element of the array, in order. */
  readonly elementChecks?: ReadonlyArray<Check>
}

export type StepInput = Step | ReadonlyArray<string>

/** Step constructors for the checks that are not exact. */
export const seconds = (...argv: Array<string>): Step => ({ argv, check: "seconds" })
export const millis = (...argv: Array<string>): Step => ({ argv, check: "millis" })
export const unordered = (...argv: Array<string>): Step => ({ argv, check: "unordered" })
export const pairs = (...argv: Array<string>): Step => ({ argv, check: "pairs" })
export const kindOnly = (...argv: Array<string>): Step => ({ argv, check: "kind" })
export const sample = (...argv: Array<string>): Step => ({ argv, check: "sample" })
export const streamShape = (...argv: Array<string>): Step => ({ argv, check: "stream" })
export const scan = (...argv: Array<string>): Step => ({ argv, special: "scan" })
export const quit = (...argv: Array<string>): Step => ({ argv, special: "quit" })
export const sleep = (ms: number): Step => ({ argv: [String(ms)], special: "sleep" })
/** HRANDFIELD-style picks, checked against HGETALL of the same key. */
export const sampleOfHash = (...argv: Array<string>): Step => ({
  argv,
  special: "sample",
  population: { argv: ["HGETALL", argv[1]], pairs: true }
})
export const other = (...argv: Array<string>): Step => ({ argv, special: "other" })
/** `other` whose messages may arrive in any order (Redis walks patterns in hash order). */
export const otherUnordered = (...argv: Array<string>): Step => ({ argv, special: "other", check: "pubsub" })
export const collect = (...argv: Array<string>): Step => ({ argv, special: "collect" })
/** An ACL reply compared with the "acl" check, on connection `on`. */
export const acl = (...argv: Array<string>): Step => ({ argv, check: "acl" })
export const aclOn = (connection: number, ...argv: Array<string>): Step => ({ argv, on: connection, check: "acl" })
/** `collect` in any order (a bare UNSUBSCRIBE leaves channels in Redis's hash order). */
export const collectUnordered = (...argv: Array<string>): Step => ({ argv, special: "collect", check: "pubsub" })
/**
 * An argument that stands for the CLIENT ID of connection `connection` on each server (ids differ
 * between the two): CLIENT TRACKING ... REDIRECT, CLIENT KILL ID.
 */
export const clientIdOf = (connection: number): string => `${CLIENT_ID_MARK}${connection}`
const CLIENT_ID_MARK = "\u0101id:"
/** `argv` on connection `on` (see `Step`). */
export const on = (connection: number, ...argv: Array<string>): Step => ({ argv, on: connection })
/** Writes a blocking command on connection `on`, then waits for `blocked` blocked clients on both servers. */
export const block = (connection: number, blocked: number, ...argv: Array<string>): Step => ({
  argv,
  on: connection,
  special: "send",
  blocked
})
/** Writes `argv` on connection `on` without reading its reply (a command queued behind a blocked one). */
export const sendOn = (connection: number, ...argv: Array<string>): Step => ({ argv, on: connection, special: "send" })
/** Everything connection `on` received, read up to a PING's reply. */
export const drain = (connection: number): Step => ({ argv: [], on: connection, special: "drain" })
/**
 * What separates the commands of a pipeline step's argv: a char above 0xFF, so no byte-string
 * argument can be taken for it (a generated value ";" once split a command in two).
 */
export const PIPELINE_BREAK = "\u0100"

export const pipeline = (...commands: Array<Array<string>>): Step => ({
  argv: commands.flatMap((command, i) => (i === 0 ? command : [PIPELINE_BREAK, ...command])),
  special: "pipeline"
})

/** The commands of a pipeline step's argv. */
const splitPipeline = (argv: ReadonlyArray<string>): Array<Array<string>> => {
  const commands: Array<Array<string>> = [[]]
  for (const arg of argv) {
    if (arg === PIPELINE_BREAK) commands.push([])
    else commands[commands.length - 1].push(arg)
  }
  return commands
}

export const toStep = (input: StepInput): Step => ("argv" in input ? input as Step : { argv: input as ReadonlyArray<string> })

export interface Script {
  readonly name: string
  readonly steps: ReadonlyArray<StepInput>
  /** Commands our server must know for the script to run (else it is skipped, visibly). */
  readonly requires?: ReadonlyArray<string>
  /** The protocols the script is meant for (both when absent). */
  readonly protocols?: ReadonlyArray<2 | 3>
}

export interface Mismatch {
  readonly script: string
  /** 0-based index of the step in its script. */
  readonly index: number
  readonly argv: ReadonlyArray<string>
  readonly ours: string
  readonly redis: string
  readonly check: Check
}

/** Display only: every byte outside printable ASCII as `\xNN`, so a report never prints raw bytes. */
export const printable = (text: string): string =>
  text.replace(/[^\x20-\x7e]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`)

/** A printable command: plain words as they are, anything else quoted with bytes escaped. */
export const showCommand = (argv: ReadonlyArray<string>): string =>
  argv.map((arg) =>
    arg === PIPELINE_BREAK ? "|" : /^[\x21-\x7e]+$/.test(arg) && !/["\\]/.test(arg) ? arg : printable(JSON.stringify(arg))
  ).join(" ")

export const formatMismatch = (m: Mismatch): string =>
  `[${m.script} #${m.index}] ${showCommand(m.argv)}${m.check === "exact" ? "" : `  (check: ${m.check})`}\n` +
  `    ours:  ${printable(m.ours)}\n` +
  `    redis: ${printable(m.redis)}`

/** The command's name as reports group it: `SET`, `CLIENT SETNAME`, `OBJECT ENCODING`. */
export const commandName = (argv: ReadonlyArray<string>): string => {
  const upper = (text: string) => text.replace(/[a-z]+/g, (word) => word.toUpperCase())
  const name = upper(argv[0] ?? "")
  const containers = ["CLIENT", "CONFIG", "OBJECT", "COMMAND"]
  return containers.includes(name) && argv.length > 1 ? `${name} ${upper(argv[1])}` : name
}

const isNegativeInteger = (reply: Reply) => reply.kind === "integer" && reply.value.startsWith("-")

const withinTolerance = (ours: Reply, redis: Reply, tolerance: bigint): boolean => {
  if (ours.kind !== "integer" || redis.kind !== "integer") return showReply(ours) === showReply(redis)
  if (isNegativeInteger(ours) || isNegativeInteger(redis)) return ours.value === redis.value
  try {
    const difference = BigInt(ours.value) - BigInt(redis.value)
    return difference <= tolerance && difference >= -tolerance
  } catch {
    return false
  }
}

/**
 * The elements of an aggregate reply: an array, a RESP3 set or push, or a RESP3 map as its flat
 * key/value list; undefined for anything else (a null array included).
 */
export const elementsOf = (reply: Reply): ReadonlyArray<Reply> | undefined =>
  (reply.kind === "array" || reply.kind === "set" || reply.kind === "push" || reply.kind === "map") && reply.value !== null
    ? reply.value
    : undefined

/** The elements in a canonical order, with the aggregate's kind (an array is not a set). */
const sortedElements = (reply: Reply): string | undefined => {
  const elements = reply.kind !== "map" ? elementsOf(reply) : undefined
  return elements === undefined ? undefined : `${reply.kind} ${elements.map(showReply).sort().join(", ")}`
}

const sortedPairs = (reply: Reply, ignoreValueOf?: string): string | undefined => {
  if ((reply.kind !== "array" && reply.kind !== "map") || reply.value === null || reply.value.length % 2 !== 0) {
    return undefined
  }
  const pairs: Array<string> = []
  for (let i = 0; i < reply.value.length; i += 2) {
    const field = reply.value[i]
    const value = reply.value[i + 1]
    const hidden = field.kind !== "error" && field.value === ignoreValueOf
    pairs.push(`${showReply(field)} => ${hidden ? value.kind : showReply(value)}`)
  }
  return `${reply.kind} ${pairs.sort().join("; ")}`
}

/** The "acl" check's normal form (see `Check`). */
const aclForm = (reply: Reply): Reply => {
  if (reply.kind === "bulk" && reply.value !== null) {
    if (reply.value.startsWith("id=")) return { kind: "bulk", value: "<client-info>" }
    return { kind: "bulk", value: reply.value.split(" ").sort().join(" ") }
  }
  const elements = elementsOf(reply)
  if (elements === undefined) return reply
  const masked: Array<Reply> = []
  for (let i = 0; i < elements.length; i++) {
    const before = elements[i - 1]
    masked.push(before?.kind === "bulk" && before.value === "age-seconds" ? { kind: "simple", value: "<age>" } : aclForm(elements[i]))
  }
  if (reply.kind === "array" && masked.every((element) => element.kind === "bulk")) {
    masked.sort((a, b) => (showReply(a) < showReply(b) ? -1 : 1))
  }
  return { kind: reply.kind, value: masked } as Reply
}

/** The "pubsub" check's normal form of a list of replies (see `Check`). */
const pubsubForm = (reply: Reply): string | undefined => {
  if (reply.kind !== "array" || reply.value === null) return undefined
  const elements: Array<string> = []
  const counts: Array<string> = []
  for (const element of reply.value) {
    const parts = element.kind === "array" || element.kind === "push" || element.kind === "set" ? element.value : null
    const kind = parts?.[0]
    if (parts !== null && parts.length === 3 && kind?.kind === "bulk" && /^p?unsubscribe$/.test(kind.value ?? "")) {
      elements.push(showReply({ kind: "array", value: parts.slice(0, 2) }))
      counts.push(showReply(parts[2]))
    } else if (parts !== null && parts.every((part) => part.kind === "bulk")) {
      elements.push(`${element.kind}{${parts.map(showReply).sort().join(", ")}}`)
    } else {
      elements.push(showReply(element))
    }
  }
  return `${elements.sort().join(", ")} counts ${counts.join(" ")}`
}

const isTime = (reply: Reply): boolean =>
  reply.kind === "array" && reply.value !== null && reply.value.length === 2 &&
  reply.value.every((part) => part.kind === "bulk" && part.value !== null && /^[0-9]+$/.test(part.value))

/** True when the replies agree under `check` (`elementChecks` for "exec"). */
export const repliesAgree = (
  check: Check,
  ours: Reply,
  redis: Reply,
  elementChecks: ReadonlyArray<Check> = []
): boolean => {
  const exact = showReply(ours) === showReply(redis)
  if (exact) return true
  switch (check) {
    case "exact":
      return false
    case "seconds":
      return withinTolerance(ours, redis, 1n)
    case "millis":
      return withinTolerance(ours, redis, 50n)
    case "unordered": {
      const a = sortedElements(ours)
      return a !== undefined && a === sortedElements(redis)
    }
    case "pairs": {
      const a = sortedPairs(ours)
      return a !== undefined && a === sortedPairs(redis)
    }
    case "hello": {
      const a = sortedPairs(ours, "id")
      return a !== undefined && a === sortedPairs(redis, "id")
    }
    case "kind":
      return ours.kind === redis.kind && (ours.value === null) === (redis.value === null) &&
        (ours.kind !== "error" || ours.value === redis.value)
    case "time":
      return isTime(ours) && isTime(redis)
    case "sample":
      return ours.kind === redis.kind && (ours.value === null) === (redis.value === null) &&
        (ours.kind !== "error" || ours.value === redis.value) &&
        (elementsOf(ours)?.length === elementsOf(redis)?.length)
    case "pubsub": {
      const a = pubsubForm(ours)
      return a !== undefined && a === pubsubForm(redis)
    }
    case "stream":
      return showReply(maskStream(ours)) === showReply(maskStream(redis))
    case "acl":
      return showReply(aclForm(ours)) === showReply(aclForm(redis))
    case "exec": {
      if (ours.kind !== "array" || redis.kind !== "array" || ours.value === null || redis.value === null) return false
      if (ours.value.length !== redis.value.length) return false
      return ours.value.every((element, i) => repliesAgree(elementChecks[i] ?? "exact", element, redis.value![i]))
    }
  }
}

const MASKED_AFTER = new Set(["radix-tree-nodes", "idle", "seen-time"])

/** A stream reply with its clock-dependent parts replaced (see the "stream" check). */
export const maskStream = (reply: Reply): Reply => {
  switch (reply.kind) {
    case "bulk":
      return reply.value !== null && /^[0-9]{13}-[0-9]+$/.test(reply.value) ? { kind: "bulk", value: "<auto-id>" } : reply
    case "integer":
      return reply.value.length >= 12 ? { kind: "integer", value: "<time>" } : reply
    case "array":
    case "map":
    case "set":
    case "push": {
      if (reply.value === null) return reply
      const items = reply.value
      // XPENDING's extended rows: [id, consumer, elapsed ms, deliveries].
      const pendingRow = items.length === 4 && items[0].kind === "bulk" && items[1].kind === "bulk" &&
        items[2].kind === "integer" && items[3].kind === "integer" && /^[0-9]+-[0-9]+$/.test(items[0].value ?? "")
      const masked = items.map((item, i) => {
        const previous = items[i - 1]
        if (previous?.kind === "bulk" && MASKED_AFTER.has(previous.value ?? "") && item.kind === "integer") {
          return { kind: "integer", value: "<masked>" } as Reply
        }
        if (pendingRow && i === 2) return { kind: "integer", value: "<elapsed>" } as Reply
        return maskStream(item)
      })
      return { ...reply, value: masked } as Reply
    }
    default:
      return reply
  }
}

/** How long a reply may take before it counts as missing: generous, as CI machines stall now and then. */
const REPLY_TIMEOUT_MS = 5000
/** A SCAN loop that has not come back to cursor 0 after this many calls is broken. */
const MAX_SCAN_CALLS = 10_000

type Outcome = { readonly reply: Reply } | { readonly failure: string }

const showOutcome = (outcome: Outcome): string => ("reply" in outcome ? showReply(outcome.reply) : `<${outcome.failure}>`)

const request = async (client: RawClient, argv: ReadonlyArray<string>): Promise<Outcome> => {
  if (client.closed) return { failure: "connection already closed" }
  client.send(...argv)
  try {
    return { reply: await client.read(REPLY_TIMEOUT_MS) }
  } catch (error) {
    return { failure: error instanceof Error ? error.message : String(error) }
  }
}

/**
 * A full SCAN iteration from `argv`'s cursor: the sorted distinct keys, or the first non-page
 * reply. SSCAN / ZSCAN / HSCAN take their cursor after the key, and the last two list
 * member/value pairs, gathered as pairs.
 */
const scanAll = async (client: RawClient, argv: ReadonlyArray<string>): Promise<Outcome> => {
  const keys = new Set<string>()
  const at = /^scan$/i.test(argv[0]) ? 1 : 2
  const pairs = /^[hz]scan$/i.test(argv[0])
  let args = [...argv]
  for (let calls = 0; calls < MAX_SCAN_CALLS; calls++) {
    const outcome = await request(client, args)
    if (!("reply" in outcome)) return outcome
    const page = outcome.reply
    const [cursor, batch] = page.kind === "array" && page.value !== null ? page.value : []
    if (cursor?.kind !== "bulk" || cursor.value === null || batch?.kind !== "array" || batch.value === null) {
      return calls === 0 ? outcome : { failure: `SCAN page is not [cursor, keys]: ${showReply(page)}` }
    }
    const items = batch.value
    for (let i = 0; i < items.length; i += pairs ? 2 : 1) {
      keys.add(pairs ? `${showReply(items[i])} => ${items[i + 1] === undefined ? "?" : showReply(items[i + 1])}` : showReply(items[i]))
    }
    if (cursor.value === "0") {
      const found = [...keys].sort()
      return { reply: { kind: "simple", value: `{keys: ${found.join(", ")}}` } }
    }
    args = [...args.slice(0, at), cursor.value, ...args.slice(at + 1)]
  }
  return { failure: `SCAN did not finish in ${MAX_SCAN_CALLS} calls` }
}

/**
 * What must hold of a random pick reply, as a comparable text: errors, nils and non-random
 * replies as they are; otherwise the number of picks, "distinct" when the count asked for
 * distinct ones (positive, or no count) and they are, and whether every pick (with its value,
 * for WITHVALUES / WITHSCORES) belongs to `population` (pairs or members). RESP3's pairs (a
 * map, or [member, value] arrays) are read as the flat lists RESP2 sends.
 */
export const describeSample = (argv: ReadonlyArray<string>, reply: Reply, population: Reply, pairs: boolean): Reply => {
  if (reply.kind !== "array" && reply.kind !== "bulk") return reply
  if (reply.value === null) return reply
  const members = new Map<string, string | undefined>()
  const listed = flattenPairs(elementsOf(population) ?? [])
  for (let i = 0; i < listed.length; i += pairs ? 2 : 1) {
    members.set(showReply(listed[i]), pairs ? showReply(listed[i + 1]) : undefined)
  }
  if (reply.kind === "bulk") {
    const member = showReply(reply)
    return { kind: "simple", value: members.has(member) ? "{1 pick from the population}" : `{not in the population: ${member}}` }
  }
  const withValues = argv.slice(3).some((arg) => /^(withvalues|withscores)$/i.test(arg))
  const items = withValues ? flattenPairs(reply.value) : reply.value
  const picks: Array<string> = []
  const strays: Array<string> = []
  const step = withValues ? 2 : 1
  for (let i = 0; i < items.length; i += step) {
    const member = showReply(items[i])
    picks.push(member)
    const expected = members.get(member)
    const known = members.has(member) && (!withValues || expected === showReply(items[i + 1] ?? reply))
    if (!known) strays.push(withValues ? `${member} => ${items[i + 1] ? showReply(items[i + 1]) : "?"}` : member)
  }
  const distinctAsked = !(argv[2] ?? "").startsWith("-")
  const distinct = distinctAsked && new Set(picks).size === picks.length ? ", distinct" : ""
  const belonging = strays.length === 0 ? "all from the population" : `not in the population: ${strays.join(", ")}`
  return { kind: "simple", value: `{${picks.length} picks${distinct}, ${belonging}}` }
}

/** [member, value] pairs (RESP3's nesting) as one flat list; a flat list as it is. */
const flattenPairs = (items: ReadonlyArray<Reply>): ReadonlyArray<Reply> =>
  items.flatMap((item) => (item.kind === "array" && item.value?.length === 2 ? item.value : [item]))

/** A random-pick command, then its population, on the same connection. */
const sampleOf = async (client: RawClient, step: Step): Promise<Outcome> => {
  const outcome = await request(client, step.argv)
  if (!("reply" in outcome) || step.population === undefined) return outcome
  const population = await request(client, step.population.argv)
  if (!("reply" in population)) return population
  return { reply: describeSample(step.argv, outcome.reply, population.reply, step.population.pairs) }
}

/**
 * Sends a pipeline in one write; the replies as one array, ending with a "<closed>" simple string
 * when the server closed the connection before answering everything.
 */
const pipelineAll = async (client: RawClient, argv: ReadonlyArray<string>): Promise<Outcome> => {
  const commands = splitPipeline(argv)
  client.write(Buffer.concat(commands.map(encodeCommand)))
  const replies: Array<Reply> = []
  for (let i = 0; i < commands.length; i++) {
    try {
      replies.push(await client.read(REPLY_TIMEOUT_MS))
    } catch (error) {
      if (!client.closed) return { failure: error instanceof Error ? error.message : String(error) }
      replies.push({ kind: "simple", value: "<closed>" })
      break
    }
  }
  return { reply: { kind: "array", value: replies } }
}

/** Settings generated sequences may change (encoding thresholds), back to Redis's defaults for every run. */
const DEFAULT_CONFIG = ["CONFIG", "SET", "hash-max-listpack-entries", "512", "hash-max-listpack-value", "64"]
const MARKER = "differential-marker"

/** Whether a reply answers `PING MARKER`, in normal (bulk) or RESP2 subscribed (push) mode. */
const isMarker = (reply: Reply): boolean =>
  (reply.kind === "bulk" && reply.value === MARKER) ||
  ((reply.kind === "array" || reply.kind === "push") && reply.value?.length === 2 && reply.value[0].kind === "bulk" &&
    reply.value[0].value === "pong" && reply.value[1].kind === "bulk" && reply.value[1].value === MARKER)

/**
 * `argv` on `second`, then PING on `main`: [the reply, then every reply or push `main` got
 * before the PING's answer]. Messages a command publishes are queued before its reply is sent,
 * so the PING's answer comes after all of them on both servers.
 */
const otherAndPushes = async (main: RawClient, second: RawClient, argv: ReadonlyArray<string>): Promise<Outcome> => {
  const outcome = await request(second, argv)
  if (!("reply" in outcome)) return outcome
  return readUntilMarker(main, [outcome.reply])
}

/** PING MARKER on `client`, then `received` and every reply before the PING's. */
const readUntilMarker = async (client: RawClient, received: Array<Reply>): Promise<Outcome> => {
  if (client.closed) return { failure: "connection already closed" }
  client.send("PING", MARKER)
  try {
    for (;;) {
      const reply = await client.read(REPLY_TIMEOUT_MS)
      if (isMarker(reply)) return { reply: { kind: "array", value: received } }
      received.push(reply)
    }
  } catch (error) {
    return { failure: error instanceof Error ? error.message : String(error) }
  }
}

/** Connects to a server, in RESP3 when `protocol` is 3 (HELLO's reply is read and dropped). */
const connectWith = async (port: number, protocol: number): Promise<RawClient> => {
  const client = await RawClient.connect(port)
  if (protocol === 3) await client.call("HELLO", "3")
  return client
}

/** Waits until the server behind `control` reports `count` blocked clients; the count it reports last. */
const blockedClients = async (control: RawClient, count: number): Promise<Outcome> => {
  const deadline = Date.now() + REPLY_TIMEOUT_MS
  for (;;) {
    const info = await request(control, ["INFO", "clients"])
    if (!("reply" in info)) return info
    const found = /blocked_clients:(\d+)/.exec(String(info.reply.value))?.[1] ?? "?"
    if (Number(found) === count || Date.now() > deadline) {
      return { reply: { kind: "simple", value: `blocked_clients:${found}` } }
    }
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

/**
 * The connections of a differential run, and the servers they talk to. In `protocol` 3 every
 * connection says HELLO 3 first, so whole scripts and sequences run in RESP3 on both servers.
 */
export class Pair {
  stepsCompared = 0
  /** Runs cut short because a server stopped answering or closed the connection. */
  brokenRuns = 0
  /** The second connections of `other` steps (connection 1), opened on first use. */
  private seconds: { ours: RawClient; redis: RawClient } | undefined = undefined
  /** Connections 2 and up of steps with `on`, opened on first use. */
  private readonly extra = new Map<number, { ours: RawClient; redis: RawClient }>()
  /** Connections that ask each server how many clients are blocked (RESP2, never blocked). */
  private controls: { ours: RawClient; redis: RawClient } | undefined = undefined

  private constructor(
    private readonly oursServer: RunningRedfiber,
    private readonly redisServer: RunningServer,
    private ours: RawClient,
    private redis: RawClient,
    readonly protocol: number
  ) {}

  static async open(oursServer: RunningRedfiber, redisServer: RunningServer, protocol = 2): Promise<Pair> {
    const [ours, redis] = await Promise.all([
      connectWith(oursServer.port, protocol),
      connectWith(redisServer.port, protocol)
    ])
    return new Pair(oursServer, redisServer, ours, redis, protocol)
  }

  /** Fresh connections (db 0, no name) and empty keyspaces on both sides. */
  async reset(): Promise<void> {
    this.close()
    ;[this.ours, this.redis] = await Promise.all([
      connectWith(this.oursServer.port, this.protocol),
      connectWith(this.redisServer.port, this.protocol)
    ])
    const [ours, redis] = await Promise.all([request(this.ours, ["FLUSHALL"]), request(this.redis, ["FLUSHALL"])])
    if (!("reply" in redis) || redis.reply.kind !== "simple") throw new Error(`redis FLUSHALL: ${showOutcome(redis)}`)
    if (!("reply" in ours) || ours.reply.kind !== "simple") throw new Error(`our FLUSHALL: ${showOutcome(ours)}`)
    await Promise.all([request(this.ours, DEFAULT_CONFIG), request(this.redis, DEFAULT_CONFIG)])
  }

  /** Whether our server knows `name` (an unknown command error means it does not). */
  async oursKnows(name: string): Promise<boolean> {
    const outcome = await request(this.ours, [name])
    return "reply" in outcome && !(outcome.reply.kind === "error" && outcome.reply.value.startsWith("ERR unknown command"))
  }

  /** Runs a script's steps; returns its mismatches (stopping early when a connection broke). */
  async run(script: string, steps: ReadonlyArray<StepInput>): Promise<Array<Mismatch>> {
    const mismatches: Array<Mismatch> = []
    for (let index = 0; index < steps.length; index++) {
      const step = toStep(steps[index])
      if (step.special === "sleep") {
        await new Promise((resolve) => setTimeout(resolve, Number(step.argv[0])))
        continue
      }
      const check = step.check ?? "exact"
      if ((step.special === "other" || step.on === 1) && this.seconds === undefined) {
        this.seconds = await this.connectBoth()
      }
      const connection = step.on ?? 0
      let target = { ours: this.ours, redis: this.redis }
      if (connection === 1) target = this.seconds!
      else if (connection > 1) {
        let found = this.extra.get(connection)
        if (found === undefined) this.extra.set(connection, found = await this.connectBoth())
        target = found
      }
      if (step.special === "send" && this.controls === undefined) {
        const [ours, redis] = await Promise.all([
          RawClient.connect(this.oursServer.port),
          RawClient.connect(this.redisServer.port)
        ])
        this.controls = { ours, redis }
      }
      const [oursStep, redisStep] = step.argv.some((arg) => arg.startsWith(CLIENT_ID_MARK))
        ? [await this.withClientIds(step, "ours"), await this.withClientIds(step, "redis")]
        : [step, step]
      const [ours, redis] = await Promise.all([
        this.exchange(target.ours, this.seconds?.ours, oursStep, this.controls?.ours),
        this.exchange(target.redis, this.seconds?.redis, redisStep, this.controls?.redis)
      ])
      this.stepsCompared++
      const agree = "reply" in ours && "reply" in redis && repliesAgree(check, ours.reply, redis.reply, step.elementChecks)
      if (!agree) {
        mismatches.push({ script, index, argv: step.argv, ours: showOutcome(ours), redis: showOutcome(redis), check })
      }
      if (step.special === "quit") {
        const [oursClosed, redisClosed] = await Promise.all([closes(this.ours), closes(this.redis)])
        if (oursClosed !== redisClosed) {
          const said = (closed: boolean) => (closed ? "<connection closed>" : "<connection still open>")
          mismatches.push({ script, index, argv: step.argv, ours: said(oursClosed), redis: said(redisClosed), check })
        }
        await this.reconnect()
      } else if (step.special === "pipeline" && (this.ours.closed || this.redis.closed)) {
        await this.reconnect()
      } else if (!("reply" in ours) || !("reply" in redis)) {
        this.brokenRuns++
        await this.reconnect()
        break
      }
    }
    return mismatches
  }

  close(): void {
    this.ours.close()
    this.redis.close()
    this.seconds?.ours.close()
    this.seconds?.redis.close()
    this.seconds = undefined
    for (const connections of [...this.extra.values(), ...(this.controls === undefined ? [] : [this.controls])]) {
      connections.ours.close()
      connections.redis.close()
    }
    this.extra.clear()
    this.controls = undefined
  }

  /** `step` with each `clientIdOf(n)` argument replaced by connection n's CLIENT ID on one server. */
  private async withClientIds(step: Step, side: "ours" | "redis"): Promise<Step> {
    const argv: Array<string> = []
    for (const arg of step.argv) {
      if (!arg.startsWith(CLIENT_ID_MARK)) {
        argv.push(arg)
        continue
      }
      const n = Number(arg.slice(CLIENT_ID_MARK.length))
      let connection = { ours: this.ours, redis: this.redis }
      if (n === 1) connection = this.seconds ??= await this.connectBoth()
      else if (n > 1) {
        const known = this.extra.get(n) ?? await this.connectBoth()
        this.extra.set(n, known)
        connection = known
      }
      const reply = await request(connection[side], ["CLIENT", "ID"])
      argv.push("reply" in reply ? String(reply.reply.value) : "?")
    }
    return { ...step, argv }
  }

  private async connectBoth(): Promise<{ ours: RawClient; redis: RawClient }> {
    const [ours, redis] = await Promise.all([
      connectWith(this.oursServer.port, this.protocol),
      connectWith(this.redisServer.port, this.protocol)
    ])
    return { ours, redis }
  }

  private exchange(client: RawClient, second: RawClient | undefined, step: Step, control?: RawClient): Promise<Outcome> {
    if (step.special === "send") {
      if (client.closed) return Promise.resolve({ failure: "connection already closed" })
      client.send(...step.argv)
      if (step.blocked === undefined || control === undefined) return Promise.resolve({ reply: { kind: "simple", value: "<sent>" } })
      return blockedClients(control, step.blocked)
    }
    if (step.special === "drain") return readUntilMarker(client, [])
    if (step.special === "scan") return scanAll(client, step.argv)
    if (step.special === "sample") return sampleOf(client, step)
    if (step.special === "pipeline") return pipelineAll(client, step.argv)
    if (step.special === "other" && second !== undefined) return otherAndPushes(client, second, step.argv)
    if (step.special === "collect") {
      client.send(...step.argv)
      return readUntilMarker(client, [])
    }
    return request(client, step.argv)
  }

  private async reconnect(): Promise<void> {
    this.close()
    ;[this.ours, this.redis] = await Promise.all([
      connectWith(this.oursServer.port, this.protocol),
      connectWith(this.redisServer.port, this.protocol)
    ])
  }
}

const closes = async (client: RawClient): Promise<boolean> => {
  try {
    await client.waitClosed(1000)
    return true
  } catch {
    return false
  }
}
