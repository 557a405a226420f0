/**
 * fast-check arbitraries for the generated half of the differential suite: random command
 * sequences over a small key space (so commands collide on the same keys), with values that
 * stress parsing (numeric strings, negatives, floats, int64 limits, binary bytes, empty strings).
 *
 * Everything generated is deterministic on both servers: relative TTLs are at least 100 s (and
 * random enough that two of them never tie, which would make GT/LT race the clock), absolute
 * times are either far in the future or in the past, RANDOMKEY is compared by kind only, KEYS
 * unordered and SCAN as the set of keys of a full iteration. SUBSCRIBE and its kin take one name
 * at a time, so the sequences also visit RESP2's subscribed mode.
 */
import * as fc from "fast-check"
import type { Step } from "./compare.js"
import { bitmapCommands } from "./generators-bitmaps.js"
import { afterRandomPop, setCommands } from "./generators-sets.js"
import { zsetCommands } from "./generators-zsets.js"
import { geoSortCommands } from "./generators-geo-sort.js"
import { hashCommands } from "./generators-hashes.js"
import { streamCommands } from "./generators-streams.js"
import { listCommands } from "./generators-lists.js"
import { transactionSteps } from "./generators-transactions.js"
import {
  FAR_FUTURE_MILLIS,
  FAR_FUTURE_SECONDS,
  INT64_MAX,
  INT64_MAX_PLUS_ONE,
  INT64_MIN,
  LONGEST_EMBSTR,
  SHORTEST_RAW
} from "./values.js"

type Arb<A> = fc.Arbitrary<A>

export const KEYS = ["k1", "k2", "k3", "n", "\x00\xff"] as const

const key: Arb<string> = fc.constantFrom(...KEYS)
const keys = (min: number, max: number): Arb<Array<string>> => fc.array(key, { minLength: min, maxLength: max })
const db: Arb<string> = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom("0", "1", "2") },
  { weight: 1, arbitrary: fc.constantFrom("16", "-1", "abc", "1.5", "") }
)

const binary: Arb<string> = fc
  .array(fc.integer({ min: 0, max: 255 }), { maxLength: 8 })
  .map((bytes) => String.fromCharCode(...bytes))

const integerText = (min: number, max: number): Arb<string> => fc.integer({ min, max }).map(String)

/** A decimal with up to two fraction digits ("-12.5", "0.07", "3"). */
const decimalText: Arb<string> = fc.integer({ min: -100_000, max: 100_000 }).map((n) => String(n / 100))

const oddNumbers = fc.constantFrom(
  "", "0", "-0", "007", "+1", " 1", "1 ", "1.0", "1e3", "0x10", "inf", "-inf", "nan", "abc",
  INT64_MAX, INT64_MIN, INT64_MAX_PLUS_ONE, "9223372036854775806", "-9223372036854775807", "9007199254740993"
)

export const value: Arb<string> = fc.oneof(
  { weight: 4, arbitrary: integerText(-1000, 1000) },
  { weight: 3, arbitrary: oddNumbers },
  { weight: 2, arbitrary: decimalText },
  { weight: 2, arbitrary: binary },
  { weight: 2, arbitrary: fc.constantFrom("a", "Hello World", "x y", LONGEST_EMBSTR, SHORTEST_RAW) }
)

const increment: Arb<string> = fc.oneof(
  { weight: 6, arbitrary: integerText(-100, 100) },
  { weight: 1, arbitrary: oddNumbers }
)
const floatIncrement: Arb<string> = fc.oneof(
  { weight: 6, arbitrary: decimalText },
  { weight: 2, arbitrary: integerText(-100, 100) },
  { weight: 1, arbitrary: oddNumbers }
)
const index: Arb<string> = fc.oneof(
  { weight: 8, arbitrary: integerText(-12, 12) },
  { weight: 1, arbitrary: fc.constantFrom(INT64_MAX, INT64_MIN, INT64_MAX_PLUS_ONE, "a", "1.5") }
)
const offset: Arb<string> = fc.oneof(
  { weight: 8, arbitrary: integerText(0, 20) },
  { weight: 1, arbitrary: fc.constantFrom("-1", "abc", "536870912", INT64_MAX) }
)

/** Relative seconds: long enough never to elapse, or invalid/non-positive ones. */
const relativeSeconds: Arb<string> = fc.oneof(
  { weight: 8, arbitrary: integerText(100, 1_000_000) },
  { weight: 1, arbitrary: fc.constantFrom("0", "-1", "-100", "abc", "1.5", INT64_MAX, "9223372036854775") }
)
/** Half a second off any whole second, so a PX never ties with an EX given just before it. */
const relativeMillis: Arb<string> = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 100, max: 1_000_000 }).map((s) => String(s * 1000 + 500)) },
  { weight: 1, arbitrary: fc.constantFrom("0", "-1", "abc", INT64_MAX, INT64_MIN) }
)
const absoluteSeconds: Arb<string> = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: -1000, max: 1000 }).map((d) => String(Number(FAR_FUTURE_SECONDS) + d)) },
  { weight: 2, arbitrary: fc.constantFrom("1", "0", "-1", "1000000000") },
  { weight: 1, arbitrary: fc.constantFrom("abc", INT64_MAX, "9223372036854775") }
)
const absoluteMillis: Arb<string> = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: -1_000_000, max: 1_000_000 }).map((d) => String(Number(FAR_FUTURE_MILLIS) + d)) },
  { weight: 2, arbitrary: fc.constantFrom("1", "0", "-1", "1000000000000") },
  { weight: 1, arbitrary: fc.constantFrom("abc", INT64_MAX) }
)

/** SET's options: mostly valid combinations, sometimes conflicting or malformed ones. */
const setOptions: Arb<Array<string>> = fc
  .tuple(
    fc.constantFrom([], [], ["NX"], ["XX"], ["nx"], ["NX", "XX"]),
    fc.constantFrom([], [], ["GET"]),
    fc.oneof(
      { weight: 3, arbitrary: fc.constant([] as Array<string>) },
      { weight: 2, arbitrary: relativeSeconds.map((t) => ["EX", t]) },
      { weight: 2, arbitrary: relativeMillis.map((t) => ["PX", t]) },
      { weight: 1, arbitrary: absoluteSeconds.map((t) => ["EXAT", t]) },
      { weight: 1, arbitrary: absoluteMillis.map((t) => ["PXAT", t]) },
      { weight: 1, arbitrary: fc.constant(["KEEPTTL"]) },
      { weight: 1, arbitrary: fc.constantFrom(["EX"], ["EX", "100", "PX", "100000"], ["KEEPTTL", "EX", "100"], ["FOO"]) }
    ),
    fc.boolean()
  )
  .map(([condition, get, expiry, expiryFirst]) =>
    expiryFirst ? [...expiry, ...condition, ...get] : [...condition, ...get, ...expiry]
  )

const getexOptions: Arb<Array<string>> = fc.oneof(
  { weight: 2, arbitrary: fc.constant([] as Array<string>) },
  { weight: 2, arbitrary: relativeSeconds.map((t) => ["EX", t]) },
  { weight: 1, arbitrary: relativeMillis.map((t) => ["PX", t]) },
  { weight: 1, arbitrary: absoluteSeconds.map((t) => ["EXAT", t]) },
  { weight: 1, arbitrary: absoluteMillis.map((t) => ["PXAT", t]) },
  { weight: 2, arbitrary: fc.constant(["PERSIST"]) },
  { weight: 1, arbitrary: fc.constantFrom(["EX"], ["PERSIST", "EX", "100"], ["KEEPTTL"], ["EX", "100", "PX", "100000"]) }
)

const expireCondition: Arb<Array<string>> = fc.oneof(
  { weight: 4, arbitrary: fc.constant([] as Array<string>) },
  { weight: 4, arbitrary: fc.constantFrom(["NX"], ["XX"], ["GT"], ["LT"], ["gt"]) },
  { weight: 1, arbitrary: fc.constantFrom(["NX", "XX"], ["GT", "LT"], ["XX", "GT"], ["FOO"]) }
)

const pattern: Arb<string> = fc.constantFrom(
  "*", "k*", "k?", "k[12]", "k[^1]", "k[!3]", "[kn]*", "n", "*\xff", "\x00*", "?", "??", "[", "k\\1", "\\*", "*3"
)

const scanOptions: Arb<Array<string>> = fc
  .tuple(
    fc.option(pattern.map((p) => ["MATCH", p]), { nil: undefined }),
    fc.option(fc.constantFrom("1", "2", "10", "0", "-1", "x").map((c) => ["COUNT", c]), { nil: undefined }),
    fc.option(fc.constantFrom("string", "list", "hash", "STRING", "nosuch", "set", "zset").map((t) => ["TYPE", t]), { nil: undefined })
  )
  .map((parts) => parts.flatMap((part) => part ?? []))

const cmd = (...parts: Array<Arb<string> | Arb<Array<string>> | string>): Arb<Step> =>
  fc
    .tuple(...parts.map((part) => (typeof part === "string" ? fc.constant(part) : part)) as Array<Arb<string | Array<string>>>)
    .map((values) => ({ argv: values.flat() }))

const withCheck = (arb: Arb<Step>, check: Step["check"]): Arb<Step> => arb.map((step) => ({ ...step, check }))

/** Commands whose wrong-arity forms are compared (none reads the clock or the hash order). */
const ARITY_COMMANDS = [
  "GET", "SET", "SETNX", "GETDEL", "GETSET", "MGET", "MSET", "MSETNX", "INCR", "DECRBY", "INCRBYFLOAT",
  "APPEND", "STRLEN", "GETRANGE", "SETRANGE", "DEL", "EXISTS", "TYPE", "RENAME", "RENAMENX", "COPY", "MOVE",
  "SWAPDB", "PERSIST", "ECHO", "PING", "SELECT", "DBSIZE", "OBJECT"
] as const

const stringCommand: Arb<Step> = fc.oneof(
  { weight: 6, arbitrary: cmd("GET", key) },
  { weight: 8, arbitrary: cmd("SET", key, value, setOptions) },
  { weight: 2, arbitrary: cmd("SETNX", key, value) },
  { weight: 2, arbitrary: cmd("SETEX", key, relativeSeconds, value) },
  { weight: 1, arbitrary: cmd("PSETEX", key, relativeMillis, value) },
  { weight: 2, arbitrary: cmd("GETSET", key, value) },
  { weight: 2, arbitrary: cmd("GETDEL", key) },
  { weight: 3, arbitrary: cmd("GETEX", key, getexOptions) },
  { weight: 2, arbitrary: cmd("MGET", keys(1, 4)) },
  { weight: 2, arbitrary: cmd("MSET", fc.array(fc.tuple(key, value), { minLength: 1, maxLength: 3 }).map((p) => p.flat())) },
  { weight: 1, arbitrary: cmd("MSETNX", fc.array(fc.tuple(key, value), { minLength: 1, maxLength: 3 }).map((p) => p.flat())) },
  { weight: 4, arbitrary: cmd(fc.constantFrom("INCR", "DECR"), key) },
  { weight: 4, arbitrary: cmd(fc.constantFrom("INCRBY", "DECRBY"), key, increment) },
  { weight: 4, arbitrary: cmd("INCRBYFLOAT", key, floatIncrement) },
  { weight: 3, arbitrary: cmd("APPEND", key, value) },
  { weight: 2, arbitrary: cmd("STRLEN", key) },
  { weight: 3, arbitrary: cmd(fc.constantFrom("GETRANGE", "GETRANGE", "SUBSTR"), key, index, index) },
  { weight: 3, arbitrary: cmd("SETRANGE", key, offset, value) }
)

const keyCommand: Arb<Step> = fc.oneof(
  { weight: 3, arbitrary: cmd(fc.constantFrom("DEL", "UNLINK", "EXISTS", "TOUCH"), keys(1, 4)) },
  { weight: 3, arbitrary: cmd("EXPIRE", key, relativeSeconds, expireCondition) },
  { weight: 2, arbitrary: cmd("PEXPIRE", key, relativeMillis, expireCondition) },
  { weight: 2, arbitrary: cmd("EXPIREAT", key, absoluteSeconds, expireCondition) },
  { weight: 2, arbitrary: cmd("PEXPIREAT", key, absoluteMillis, expireCondition) },
  { weight: 2, arbitrary: withCheck(cmd(fc.constantFrom("TTL", "EXPIRETIME"), key), "seconds") },
  { weight: 2, arbitrary: withCheck(cmd(fc.constantFrom("PTTL", "PEXPIRETIME"), key), "millis") },
  { weight: 2, arbitrary: cmd("PERSIST", key) },
  { weight: 2, arbitrary: cmd("TYPE", key) },
  { weight: 2, arbitrary: withCheck(cmd("KEYS", pattern), "unordered") },
  { weight: 2, arbitrary: cmd("SCAN", "0", scanOptions).map((step) => ({ ...step, special: "scan" as const })) },
  { weight: 2, arbitrary: cmd(fc.constantFrom("RENAME", "RENAMENX"), key, key) },
  {
    weight: 2,
    arbitrary: cmd("COPY", key, key, fc.constantFrom([], [], ["REPLACE"], ["DB", "1"], ["DB", "0", "REPLACE"], ["DB", "16"]))
  },
  { weight: 3, arbitrary: cmd("OBJECT", "ENCODING", key) },
  { weight: 1, arbitrary: withCheck(cmd("RANDOMKEY"), "kind") },
  { weight: 1, arbitrary: cmd("DBSIZE") },
  { weight: 2, arbitrary: cmd("SELECT", db) },
  { weight: 1, arbitrary: cmd("SWAPDB", db, db) },
  { weight: 2, arbitrary: cmd("MOVE", key, db) },
  { weight: 1, arbitrary: cmd("FLUSHDB") }
)

const clientName: Arb<string> = fc.constantFrom("", "worker-1", "Name_2", "has space", "new\nline", "\xff")

/**
 * (Un)subscribing one name at a time (one reply each), so sequences also run in RESP2's
 * subscribed mode. Nothing here reads server-wide pub/sub state: a previous sequence's closed
 * connection may still hold subscriptions for a moment, on either server.
 */
const subscription: Arb<Step> = cmd(
  fc.constantFrom("SUBSCRIBE", "UNSUBSCRIBE", "PSUBSCRIBE", "PUNSUBSCRIBE", "SSUBSCRIBE", "SUNSUBSCRIBE"),
  fc.constantFrom("ch1", "ch2", "h?llo", "*", "")
)

const otherCommand: Arb<Step> = fc.oneof(
  { weight: 1, arbitrary: cmd("PING", fc.constantFrom([], ["hi"])) },
  { weight: 1, arbitrary: cmd("ECHO", value) },
  { weight: 1, arbitrary: cmd("CLIENT", "SETNAME", clientName) },
  { weight: 1, arbitrary: cmd("CLIENT", "GETNAME") },
  { weight: 1, arbitrary: withCheck(cmd("HELLO", fc.constantFrom([], ["2"], ["2", "SETNAME", "by-hello"])), "hello") },
  { weight: 1, arbitrary: cmd("RESET") },
  { weight: 1, arbitrary: subscription },
  { weight: 1, arbitrary: cmd("QUIT").map((step) => ({ ...step, special: "quit" as const })) },
  { weight: 1, arbitrary: withCheck(cmd("TIME"), "time") },
  {
    weight: 1,
    arbitrary: cmd("CONFIG", "GET", fc.constantFrom("save", "appendonly", "databases", "maxclients", "timeout", "nosuch"))
  },
  {
    weight: 2,
    arbitrary: cmd(fc.constantFrom(...ARITY_COMMANDS), fc.array(fc.oneof(key, value), { maxLength: 4 }))
  }
)

const shared = { key, keys, value, index }

export const command: Arb<Step> = fc.oneof(
  { weight: 10, arbitrary: stringCommand },
  { weight: 8, arbitrary: keyCommand },
  { weight: 2, arbitrary: otherCommand },
  { weight: 8, arbitrary: setCommands(shared) },
  { weight: 10, arbitrary: zsetCommands(shared) },
  { weight: 6, arbitrary: listCommands(shared) },
  { weight: 6, arbitrary: hashCommands(shared) },
  { weight: 4, arbitrary: geoSortCommands(shared) },
  { weight: 5, arbitrary: bitmapCommands(shared) },
  { weight: 6, arbitrary: streamCommands(shared) }
)

/**
 * The steps a generated command really sends. DBSIZE counts keys whose time has passed until
 * someone touches them or active expiry (timed differently on each server) removes them, so every
 * DBSIZE is preceded by an EXISTS over the whole key space, which expires them on both servers.
 */
const expand = (step: Step): Array<Step> =>
  step.argv[0] === "DBSIZE" ? [{ argv: ["EXISTS", ...KEYS] }, step] : afterRandomPop(step)

/**
 * A generated script: 5 to 30 commands or blocks of them (transactions, WATCH, blocking
 * commands: generators-transactions.ts).
 */
export const commandSequence: Arb<Array<Step>> = fc
  .array(
    fc.oneof(
      { weight: 12, arbitrary: command.map(expand) },
      { weight: 1, arbitrary: transactionSteps(command, shared, expand) }
    ),
    { minLength: 5, maxLength: 30, size: "max" }
  )
  .map((blocks) => blocks.flat())
