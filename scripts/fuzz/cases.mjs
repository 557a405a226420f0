/**
 * The fuzzer's cases: byte streams that a hostile or broken client could send, built from a
 * seeded generator so a run can be replayed (`--seed`). Each case is a list of chunks (the
 * stream split at random byte boundaries, so frames arrive in pieces) and what the connection
 * does once they are written: wait for replies, stop reading, hang with a frame half sent, or
 * close at once.
 *
 * Commands that would change what the control client relies on are never generated: SHUTDOWN,
 * CONFIG SET, CLIENT KILL/PAUSE, DEBUG, FLUSHALL/FLUSHDB, SWAPDB, and keys outside the `fz:`
 * prefix; nor SAVE, which holds every client up for a whole dump; nor REPLICAOF/SLAVEOF, which
 * would make the server a read-only replica of nothing for the rest of the run; nor FAILOVER,
 * which holds every write until a replica has caught up (a fuzz connection that sent SYNC is one
 * that never will: without TIMEOUT, Redis too waits for ever). Mutation may of course produce
 * anything from these bytes, which is the point.
 */

/** mulberry32: small, fast, seedable. */
export const makeRandom = (seed) => {
  let state = seed >>> 0
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const int = (below) => Math.floor(next() * below)
  const pick = (items) => items[int(items.length)]
  const chance = (p) => next() < p
  const bytes = (length) => {
    const out = Buffer.allocUnsafe(length)
    for (let i = 0; i < length; i++) out[i] = int(256)
    return out
  }
  return { next, int, pick, chance, bytes }
}

const encode = (argv) => {
  const parts = [Buffer.from(`*${argv.length}\r\n`)]
  for (const arg of argv) {
    const bytes = Buffer.isBuffer(arg) ? arg : Buffer.from(String(arg), "latin1")
    parts.push(Buffer.from(`$${bytes.length}\r\n`), bytes, Buffer.from("\r\n"))
  }
  return Buffer.concat(parts)
}

/** Numbers and would-be numbers, edge cases first. */
const NUMBERS = [
  "0", "1", "-1", "2", "10", "-10", "100", "4294967296", "9223372036854775807", "-9223372036854775808",
  "9223372036854775808", "18446744073709551616", "1.5", "-0", "1e400", "nan", "inf", "-inf", "+inf", "abc", "",
  " 1", "0x10", "00", "3.0000000000000000001"
]

const commandGenerators = (r) => {
  const key = () => `fz:${r.int(40)}`
  const value = () =>
    r.pick([
      () => String(r.int(1000)),
      () => "v".repeat(r.int(64)),
      () => r.bytes(r.int(32)),
      () => "x".repeat(r.int(6000)),
      () => r.pick(NUMBERS)
    ])()
  const number = () => (r.chance(0.7) ? String(r.int(40) - 10) : r.pick(NUMBERS))
  const some = (make, most) => Array.from({ length: 1 + r.int(most) }, make)
  const pairs = (first, second, most) => some(() => [first(), second()], most).flat()
  return [
    () => ["SET", key(), value(), ...(r.chance(0.3) ? [r.pick(["EX", "PX", "NX", "XX", "GET", "KEEPTTL", "EXAT"]), number()] : [])],
    () => ["GET", key()],
    () => ["GETEX", key(), r.pick(["PERSIST", "EX", "PX"]), number()],
    () => ["DEL", ...some(key, 4)],
    () => ["UNLINK", key()],
    () => ["INCRBY", key(), number()],
    () => ["INCRBYFLOAT", key(), number()],
    () => ["APPEND", key(), value()],
    () => ["GETRANGE", key(), number(), number()],
    () => ["SETRANGE", key(), String(r.int(10000)), value()],
    () => ["MSET", ...pairs(key, value, 5)],
    () => ["MGET", ...some(key, 8)],
    () => ["STRLEN", key()],
    () => [r.pick(["EXPIRE", "PEXPIRE", "EXPIREAT"]), key(), number(), ...(r.chance(0.2) ? [r.pick(["NX", "XX", "GT", "LT", "BAD"])] : [])],
    () => [r.pick(["TTL", "PTTL", "TYPE", "EXISTS", "PERSIST", "TOUCH"]), key()],
    () => ["OBJECT", r.pick(["ENCODING", "IDLETIME", "FREQ", "REFCOUNT", "HELP", "NOPE"]), key()],
    () => [r.pick(["LPUSH", "RPUSH", "LPUSHX"]), key(), ...some(value, 6)],
    () => [r.pick(["LPOP", "RPOP"]), key(), ...(r.chance(0.5) ? [number()] : [])],
    () => ["LRANGE", key(), number(), number()],
    () => ["LTRIM", key(), "0", String(r.int(60))],
    () => ["LINDEX", key(), number()],
    () => ["LSET", key(), number(), value()],
    () => ["LREM", key(), number(), value()],
    () => ["LINSERT", key(), r.pick(["BEFORE", "AFTER", "MIDDLE"]), value(), value()],
    () => ["LPOS", key(), value(), "RANK", number(), "COUNT", number()],
    () => ["LMOVE", key(), key(), r.pick(["LEFT", "RIGHT"]), r.pick(["LEFT", "RIGHT", "UP"])],
    () => ["LMPOP", number(), ...some(key, 3), r.pick(["LEFT", "RIGHT"]), "COUNT", number()],
    () => ["HSET", key(), ...pairs(value, value, 6)],
    () => [r.pick(["HGETALL", "HKEYS", "HVALS", "HLEN"]), key()],
    () => ["HDEL", key(), ...some(value, 3)],
    () => ["HINCRBY", key(), value(), number()],
    () => ["HINCRBYFLOAT", key(), value(), number()],
    () => ["HRANDFIELD", key(), number(), ...(r.chance(0.5) ? ["WITHVALUES"] : [])],
    () => ["HSCAN", key(), number(), "MATCH", r.pick(["*", "a*", "[", "\\"]), "COUNT", number()],
    () => ["SADD", key(), ...some(value, 8)],
    () => [r.pick(["SMEMBERS", "SCARD"]), key()],
    () => ["SPOP", key(), ...(r.chance(0.5) ? [number()] : [])],
    () => ["SRANDMEMBER", key(), number()],
    () => [r.pick(["SINTER", "SUNION", "SDIFF"]), ...some(key, 3)],
    () => [r.pick(["SINTERSTORE", "SUNIONSTORE", "SDIFFSTORE"]), key(), ...some(key, 3)],
    () => ["SINTERCARD", number(), ...some(key, 3), "LIMIT", number()],
    () => ["SMOVE", key(), key(), value()],
    () => ["ZADD", key(), ...(r.chance(0.3) ? [r.pick(["NX", "XX", "GT", "LT", "CH", "INCR"])] : []), ...pairs(number, value, 6)],
    () => ["ZRANGE", key(), number(), number(), ...(r.chance(0.5) ? [r.pick(["BYSCORE", "BYLEX", "REV", "WITHSCORES"])] : [])],
    () => ["ZRANGEBYSCORE", key(), r.pick(["-inf", "(1", "0", "abc"]), r.pick(["+inf", "(5", "10"]), "LIMIT", number(), number()],
    () => ["ZRANGEBYLEX", key(), r.pick(["-", "[a", "(b", "c"]), r.pick(["+", "[z"])],
    () => ["ZINCRBY", key(), number(), value()],
    () => [r.pick(["ZPOPMIN", "ZPOPMAX"]), key(), number()],
    () => [r.pick(["ZUNIONSTORE", "ZINTERSTORE", "ZDIFFSTORE"]), key(), "2", key(), key(), ...(r.chance(0.3) ? ["WEIGHTS", number(), number()] : [])],
    () => ["ZRANGESTORE", key(), key(), number(), number()],
    () => ["ZREMRANGEBYRANK", key(), number(), number()],
    () => ["ZRANDMEMBER", key(), number(), "WITHSCORES"],
    () => ["ZMPOP", number(), key(), r.pick(["MIN", "MAX"]), "COUNT", number()],
    () => ["SCAN", number(), "MATCH", r.pick(["fz:*", "*", "fz:[0-9]*"]), "COUNT", number(), ...(r.chance(0.3) ? ["TYPE", "list"] : [])],
    () => ["KEYS", r.pick(["fz:1*", "fz:?", "nothing*", "[a-"])],
    () => [r.pick(["DBSIZE", "PING", "TIME", "RANDOMKEY", "LASTSAVE"])],
    () => ["ECHO", value()],
    () => ["INFO", ...(r.chance(0.5) ? [r.pick(["memory", "stats", "clients", "keyspace", "all", "nope"])] : [])],
    () => ["CLIENT", r.pick(["LIST", "INFO", "ID", "GETNAME", "SETNAME", "NOPE"]), ...(r.chance(0.5) ? [value()] : [])],
    () => ["CONFIG", "GET", r.pick(["*", "maxmemory*", "port", "nope"])],
    () => ["COMMAND", r.pick(["INFO", "COUNT", "DOCS", "GETKEYS", "LIST"]), ...(r.chance(0.5) ? ["get", "set"] : [])],
    () => ["SELECT", String(r.int(18) - 1)],
    () => ["RENAME", key(), key()],
    () => ["COPY", key(), key(), ...(r.chance(0.5) ? ["REPLACE"] : []), ...(r.chance(0.3) ? ["DB", number()] : [])],
    () => ["MOVE", key(), String(r.int(16))],
    () => [r.pick(["SUBSCRIBE", "PSUBSCRIBE", "SSUBSCRIBE"]), ...some(() => `ch:${r.int(5)}`, 3)],
    () => [r.pick(["UNSUBSCRIBE", "PUNSUBSCRIBE"]), ...(r.chance(0.5) ? [`ch:${r.int(5)}`] : [])],
    () => ["PUBLISH", `ch:${r.int(5)}`, value()],
    () => ["PUBSUB", r.pick(["CHANNELS", "NUMSUB", "NUMPAT", "NOPE"]), "ch:*"],
    () => ["HELLO", ...(r.chance(0.7) ? [r.pick(["2", "3", "1", "x"])] : []), ...(r.chance(0.3) ? ["SETNAME", value()] : [])],
    () => ["AUTH", ...some(value, 3)],
    () => [r.pick(["RESET", "QUIT"])],
    () => ["NOSUCHCOMMAND", value()],
    () => [r.pick(["get", "Set", "lPuSh"]), key(), value()]
  ]
}

/**
 * What the header rules out of "any-command" cases (by name: no subcommand is generated on its
 * own), and PFSELFTEST, which holds the server for seconds by design (10 M HLL additions, as in
 * Redis), like SAVE; REPLICAOF and SLAVEOF, which would turn the server into a replica; FAILOVER,
 * which would hold writes (the control client's SET) while it waits for a replica.
 */
const NEVER_GENERATED = new Set([
  "debug", "flushall", "flushdb", "save", "shutdown", "swapdb", "pfselftest", "replicaof", "slaveof", "failover"
])

/**
 * The names for "any-command" cases (a random name with random arguments: keys, numbers,
 * options, values): every command COMMAND LIST names but the ruled-out ones and subcommands.
 */
export const fuzzableCommands = (names) =>
  names.filter((name) => !name.includes("|") && !NEVER_GENERATED.has(name.toLowerCase()))

const OPTIONS = [
  "NX", "XX", "GT", "LT", "CH", "INCR", "EX", "PX", "EXAT", "PXAT", "KEEPTTL", "GET", "PERSIST", "WITHSCORES", "LIMIT",
  "BYSCORE", "BYLEX", "REV", "COUNT", "MATCH", "TYPE", "RANK", "MAXLEN", "LEFT", "RIGHT", "BEFORE", "AFTER", "MIN", "MAX",
  "WEIGHTS", "AGGREGATE", "SUM", "DB", "REPLACE", "WITHVALUES", "LIST", "INFO", "GETNAME", "SETNAME", "ID", "DOCS",
  "GETKEYS", "ENCODING", "FREQ", "IDLETIME", "HELP", "CHANNELS", "NUMSUB", "NUMPAT", "*", "-", "+", "(1", "[a"
]

const anyCommand = (r, names) => {
  const argument = () =>
    r.pick([
      () => `fz:${r.int(40)}`,
      () => r.pick(NUMBERS),
      () => String(r.int(20) - 5),
      () => r.pick(OPTIONS),
      () => r.bytes(r.int(12)).toString("latin1")
    ])()
  return [r.pick(names), ...Array.from({ length: r.int(8) }, argument)]
}

/** Splits `bytes` at random boundaries (one chunk or many, down to single bytes). */
const split = (r, bytes) => {
  if (bytes.length === 0) return []
  if (r.chance(0.4)) return [bytes]
  const chunks = []
  let at = 0
  // Down to single bytes for short streams; at most a few dozen pieces for long ones.
  const tiny = bytes.length < 4096 && r.chance(0.3)
  const most = Math.max(1, Math.ceil(bytes.length / (tiny ? 1000 : 8)))
  while (at < bytes.length) {
    const size = tiny ? 1 + r.int(3) : 1 + r.int(Math.max(1, Math.min(most * 2, bytes.length)))
    chunks.push(bytes.subarray(at, at + size))
    at += size
  }
  return chunks
}

/** Byte-level damage to a valid stream. */
const mutate = (r, bytes) => {
  const out = Buffer.from(bytes)
  const edits = 1 + r.int(4)
  let result = out
  for (let e = 0; e < edits; e++) {
    const at = r.int(Math.max(1, result.length))
    switch (r.int(6)) {
      case 0: // flip a byte
        if (result.length > 0) result[at] = r.int(256)
        break
      case 1: // cut the stream
        result = result.subarray(0, at)
        break
      case 2: // insert garbage
        result = Buffer.concat([result.subarray(0, at), r.bytes(1 + r.int(8)), result.subarray(at)])
        break
      case 3: // duplicate a slice
        result = Buffer.concat([result.subarray(0, at), result.subarray(at, at + r.int(20)), result.subarray(at)])
        break
      case 4: // a digit of a length becomes something else
        for (let i = at; i < result.length; i++) {
          if (result[i] >= 48 && result[i] <= 57) {
            result[i] = r.pick([45, 48, 57, 32, 0, 43, 120])
            break
          }
        }
        break
      default: // lose the CR or LF of a line end
        for (let i = at; i < result.length; i++) {
          if (result[i] === 13 || result[i] === 10) {
            result = Buffer.concat([result.subarray(0, i), result.subarray(i + 1)])
            break
          }
        }
    }
  }
  return result
}

const HUGE_HEADERS = [
  "$2147483647\r\n", "$536870912\r\n", "$536870913\r\n", "$9223372036854775807\r\n", "$-1\r\n", "$-2147483648\r\n",
  "*1048577\r\n", "*1048576\r\n", "*2147483647\r\n", "*2147483648\r\n", "*-1\r\n", "*-100\r\n", "*0\r\n",
  "$99999999999999999999999\r\n", "*99999999999999999999999\r\n", "$1e9\r\n", "*+1\r\n", "$ 5\r\n", "*01\r\n"
]

/**
 * One case (`commandNames`: what `fuzzableCommands` gives): `{ kind, chunks, after }` where `after` is what the connection does once the
 * chunks are written: "read" (wait a little for replies), "deaf" (never read), "hang" (stay
 * open without finishing, then close), "close" (close at once, possibly with bytes unread).
 */
export const makeCase = (r, commandNames) => {
  const commands = commandGenerators(r)
  const validStream = (count) => Buffer.concat(Array.from({ length: count }, () => encode(r.pick(commands)())))
  const after = () => r.pick(["read", "read", "read", "deaf", "hang", "close"])
  const kind = r.pick([
    "valid", "valid", "any-command", "any-command", "mutated", "mutated", "mutated", "bad-length", "huge-declared", "garbage", "negative-count",
    "nesting", "inline", "inline-quotes", "long-inline", "partial", "many-args", "big-pipeline"
  ])
  let stream
  switch (kind) {
    case "valid":
      stream = validStream(1 + r.int(20))
      break
    case "any-command":
      stream = Buffer.concat(Array.from({ length: 1 + r.int(30) }, () => encode(anyCommand(r, commandNames))))
      break
    case "mutated":
      stream = mutate(r, validStream(1 + r.int(10)))
      break
    case "bad-length": {
      const bulk = r.pick(["$3\r\nab\r\n", "$3\r\nabcdef\r\n", "$abc\r\n", "$\r\n", "$-5\r\nxx\r\n", "$3\rabc\r\n", "$3\nabc\r\n"])
      stream = Buffer.from(`*2\r\n$3\r\nGET\r\n${bulk}*1\r\n$4\r\nPING\r\n`, "latin1")
      break
    }
    case "huge-declared": {
      const header = r.pick(HUGE_HEADERS)
      const prefix = header.startsWith("$") ? "*3\r\n$3\r\nSET\r\n$5\r\nfz:hg\r\n" : ""
      stream = Buffer.concat([Buffer.from(prefix + header, "latin1"), r.bytes(r.int(300_000))])
      break
    }
    case "garbage":
      stream = r.bytes(1 + r.int(r.chance(0.1) ? 200_000 : 2000))
      break
    case "negative-count":
      stream = Buffer.from(`*-${1 + r.int(1000)}\r\n*${r.pick(["-0", "-1", "0"])}\r\n*1\r\n$4\r\nPING\r\n`, "latin1")
      break
    case "nesting": {
      const depth = 1 + r.int(r.chance(0.2) ? 100_000 : 50)
      stream = Buffer.from(`${"*1\r\n".repeat(depth)}$4\r\nPING\r\n`, "latin1")
      break
    }
    case "inline":
      stream = Buffer.from(`${r.pick(["PING", "ECHO hi", "SET fz:i 1", "GET fz:i", "INFO", "   ", "", "\t"])}${r.pick(["\r\n", "\n", "\r"])}`, "latin1")
      break
    case "inline-quotes":
      stream = Buffer.from(`${r.pick(["SET fz:q \"abc", "ECHO 'x", "ECHO \"a\"b", "ECHO \"\\x4", "GET \"", "'''"])}\r\nPING\r\n`, "latin1")
      break
    case "long-inline":
      stream = Buffer.concat([Buffer.from("ECHO "), Buffer.alloc(60_000 + r.int(20_000), 97), Buffer.from(r.chance(0.5) ? "\r\n" : "")])
      break
    case "partial": {
      const whole = validStream(1 + r.int(3))
      stream = whole.subarray(0, 1 + r.int(Math.max(1, whole.length - 1)))
      break
    }
    case "many-args": {
      const count = 1 + r.int(20_000)
      stream = encode(["DEL", ...Array.from({ length: count }, (_, i) => `fz:m${i % 100}`)])
      if (r.chance(0.5)) stream = stream.subarray(0, r.int(stream.length))
      break
    }
    default: // big-pipeline
      stream = validStream(200 + r.int(2000))
  }
  return { kind, chunks: split(r, stream), after: kind === "partial" ? r.pick(["hang", "close"]) : after() }
}
