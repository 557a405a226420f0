/**
 * Hand-written differential scripts for DUMP and RESTORE. DUMP replies are compared byte for
 * byte: a value in the same encoding (OBJECT ENCODING) must serialize to Redis's bytes (listpacks,
 * intsets, quicklist nodes, LZF). Large hashes and sets (hashtable encoding) iterate in another
 * order, so only a round trip of theirs is compared. RESTORE takes hand-made payloads (both
 * servers receive the same bytes), good and bad, with every option and error.
 */
import { Crc64 } from "../../../src/persistence/rdb/crc64.js"
import { listpackOf } from "../../../src/persistence/rdb/CompactWriters.js"
import { lzfCompress } from "../../../src/persistence/rdb/LzfCompress.js"
import { block, collect, drain, millis, on, other, type Script, seconds } from "../compare.js"
import { ALL_BYTES } from "../values.js"

/** A payload: `body` (type byte and value), the RDB version (2 bytes LE), the CRC-64 of both. */
export const payloadOf = (body: ReadonlyArray<number> | Buffer, version = 10): string => {
  const head = Buffer.concat([Buffer.from(body as Array<number>), Buffer.from([version & 0xff, version >> 8])])
  const crc = new Crc64()
  crc.update(head)
  return Buffer.concat([head, crc.bytes()]).toString("latin1")
}

/** A length-prefixed RDB string (short ones only). */
const rdbString = (text: string): Array<number> => [text.length, ...Buffer.from(text, "latin1")]

const HELLO = payloadOf([0, ...rdbString("hello")])
/** The same payload with a flipped bit in its body, the checksum left as it was. */
const CORRUPT = HELLO.slice(0, 3) + String.fromCharCode(HELLO.charCodeAt(3) ^ 1) + HELLO.slice(4)

/** A string payload in LZF form (as Redis writes strings over 20 bytes that compress). */
const lzfString = (text: string): string => {
  const compressed = lzfCompress(Buffer.from(text, "latin1"), text.length - 4)!
  return payloadOf([0, 0xc3, compressed.length, text.length, ...compressed])
}

/** A listpack payload of RDB type `type` holding `elements`. */
const listpackPayload = (type: number, elements: Array<string>): string => {
  const blob = listpackOf(elements)
  return payloadOf([type, 0x80, ...Buffer.alloc(4, 0).map((_, i) => (blob.length >>> (8 * (3 - i))) & 0xff), ...blob])
}

/** A ziplist (Redis 6's compact encoding) of strings and integers, each integer in its narrowest form. */
const ziplistOf = (elements: ReadonlyArray<string | bigint>): Buffer => {
  const entries: Array<Buffer> = []
  let previous = 0
  for (const element of elements) {
    const prev = previous < 254 ? Buffer.from([previous]) : Buffer.concat([Buffer.from([0xfe]), le(BigInt(previous), 4)])
    let body: Buffer
    if (typeof element === "bigint") {
      const v = element
      body = v >= 0n && v <= 12n ? Buffer.from([0xf1 + Number(v)])
        : v >= -128n && v <= 127n ? Buffer.concat([Buffer.from([0xfe]), le(v, 1)])
        : v >= -32768n && v <= 32767n ? Buffer.concat([Buffer.from([0xc0]), le(v, 2)])
        : v >= -8388608n && v <= 8388607n ? Buffer.concat([Buffer.from([0xf0]), le(v, 3)])
        : v >= -2147483648n && v <= 2147483647n ? Buffer.concat([Buffer.from([0xd0]), le(v, 4)])
        : Buffer.concat([Buffer.from([0xe0]), le(v, 8)])
    } else {
      const bytes = Buffer.from(element, "latin1")
      const n = bytes.length
      const header = n < 64 ? [n] : n < 16384 ? [0x40 | (n >> 8), n & 0xff] : [0x80, n >>> 24, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff]
      body = Buffer.concat([Buffer.from(header), bytes])
    }
    const entry = Buffer.concat([prev, body])
    entries.push(entry)
    previous = entry.length
  }
  const all = Buffer.concat(entries)
  const total = 10 + all.length + 1
  const tail = entries.length === 0 ? 10 : 10 + all.length - entries[entries.length - 1].length
  return Buffer.concat([le(BigInt(total), 4), le(BigInt(tail), 4), le(BigInt(entries.length), 2), all, Buffer.from([0xff])])
}

/** `value` as `bytes` bytes, little-endian two's complement. */
const le = (value: bigint, bytes: number): Buffer => {
  const out = Buffer.alloc(bytes)
  let v = BigInt.asUintN(bytes * 8, value)
  for (let i = 0; i < bytes; i++) {
    out[i] = Number(v & 0xffn)
    v >>= 8n
  }
  return out
}

/** A blob as an RDB string (a 32-bit length, whatever its size). */
const rdbBlob = (blob: Buffer): Array<number> => [0x80, ...le(BigInt(blob.length), 4).reverse(), ...blob]

const ZIPLIST_MIX: ReadonlyArray<string | bigint> = ["a", 0n, 12n, 13n, -1n, 300n, -70000n, 5000000n, 3000000000n,
  -9223372036854775808n, "x".repeat(70), "y".repeat(300), ""]

const LIST_ABC = payloadOf([1, 3, ...rdbString("a"), ...rdbString("b"), ...rdbString("c")])
const ZSET_ONE = payloadOf([5, 1, ...rdbString("m"), ...Buffer.from(new Float64Array([2.5]).buffer)])

const many = (count: number, make: (i: number) => Array<string>): Array<string> =>
  Array.from({ length: count }, (_, i) => make(i)).flat()

export const dumpRestoreScripts: ReadonlyArray<Script> = [
  {
    name: "DUMP of strings in every RDB string form",
    steps: [
      ["DUMP", "missing"],
      ["SET", "s", "hello"],
      ["DUMP", "s"],
      ...["0", "-1", "127", "-128", "128", "32767", "-32768", "32768", "2147483647", "-2147483648", "2147483648",
        "9223372036854775807", "-9223372036854775808", "007", "+5", "1.5", " 1", "", "12345678901"].flatMap((text) => [
        ["SET", "s", text],
        ["DUMP", "s"]
      ]),
      ["SET", "s", "a".repeat(21)],
      ["DUMP", "s"],
      ["SET", "s", "abcdefghijklmnopqrstu"],
      ["DUMP", "s"],
      ["SET", "s", "ab".repeat(500) + "xyz".repeat(300)],
      ["DUMP", "s"],
      ["SET", "s", ALL_BYTES.repeat(3)],
      ["DUMP", "s"],
      ["SET", "s", "x".repeat(100000)],
      ["DUMP", "s"],
      ["CONFIG", "SET", "rdbcompression", "no"],
      ["DUMP", "s"],
      ["CONFIG", "SET", "rdbcompression", "yes"],
      ["DUMP", "s", "extra"],
      ["DUMP"]
    ]
  },
  {
    name: "DUMP of lists, hashes, sets and sorted sets in compact encodings",
    steps: [
      ["RPUSH", "l", "a", "1", "-1", "200", "-5000", "70000", "-9000000", "3000000000", "x".repeat(70), "y".repeat(5000)],
      ["OBJECT", "ENCODING", "l"],
      ["DUMP", "l"],
      ["RPUSH", "big", ...many(3000, (i) => [`element-${i}`])],
      ["DUMP", "big"],
      ["CONFIG", "SET", "list-max-listpack-size", "5"],
      ["RPUSH", "small-nodes", ...many(23, (i) => [String(i)])],
      ["DUMP", "small-nodes"],
      ["CONFIG", "SET", "list-max-listpack-size", "-1"],
      ["RPUSH", "four-kb-nodes", ...many(1000, (i) => [`element-${i}`])],
      ["DUMP", "four-kb-nodes"],
      ["CONFIG", "SET", "list-max-listpack-size", "-2"],
      ["CONFIG", "SET", "list-compress-depth", "1"],
      ["RPUSH", "compressed-nodes", ...many(2000, (i) => [`item-${i % 50}`])],
      ["DUMP", "compressed-nodes"],
      ["CONFIG", "SET", "list-compress-depth", "0"],
      ["HSET", "h", "f1", "v1", "f2", "2", "f3", "hello world hello world hello world", "", "", "n", "-70000"],
      ["OBJECT", "ENCODING", "h"],
      ["DUMP", "h"],
      ["HSET", "h", "f1", "changed"],
      ["HDEL", "h", "f2"],
      ["DUMP", "h"],
      ["ZADD", "z", "1", "a", "2.5", "b", "-3", "c", "1e20", "d", "0", "zero", "-0", "neg", "inf", "top", "-inf", "bottom"],
      ["OBJECT", "ENCODING", "z"],
      ["DUMP", "z"],
      ["ZADD", "zbig", ...many(200, (i) => [String(i * 1.5 - 100), `m${i}`])],
      ["OBJECT", "ENCODING", "zbig"],
      ["DUMP", "zbig"],
      ["SADD", "i16", "1", "2", "3", "-100", "300"],
      ["DUMP", "i16"],
      ["SADD", "i32", "1", "100000"],
      ["DUMP", "i32"],
      ["SADD", "i64", "5000000000", "-1"],
      ["OBJECT", "ENCODING", "i64"],
      ["DUMP", "i64"],
      ["SADD", "one", "member"],
      ["OBJECT", "ENCODING", "one"],
      ["DUMP", "one"]
    ]
  },
  {
    name: "RESTORE of hand-made payloads: every type and encoding",
    steps: [
      ["RESTORE", "s", "0", HELLO],
      ["GET", "s"],
      ["OBJECT", "ENCODING", "s"],
      ["RESTORE", "digits", "0", payloadOf([0, ...rdbString("123")])],
      ["OBJECT", "ENCODING", "digits"],
      ["RESTORE", "shared", "0", payloadOf([0, 0xc0, 7])],
      ["OBJECT", "ENCODING", "shared"],
      ["OBJECT", "REFCOUNT", "shared"],
      ["RESTORE", "compressed", "0", lzfString("a".repeat(32))],
      ["GET", "compressed"],
      ["OBJECT", "ENCODING", "compressed"],
      ["RESTORE", "long-compressed", "0", lzfString("ab".repeat(40))],
      ["OBJECT", "ENCODING", "long-compressed"],
      ["RESTORE", "int", "0", payloadOf([0, 0xc0, 0xfb])],
      ["OBJECT", "ENCODING", "int"],
      ["GET", "int"],
      ["RESTORE", "int16", "0", payloadOf([0, 0xc1, 0x39, 0x30])],
      ["GET", "int16"],
      ["RESTORE", "int32", "0", payloadOf([0, 0xc2, 0x00, 0x00, 0x00, 0x80])],
      ["GET", "int32"],
      ["RESTORE", "list", "0", payloadOf([1, 3, ...rdbString("a"), ...rdbString("b"), ...rdbString("c")])],
      ["LRANGE", "list", "0", "-1"],
      ["RESTORE", "set", "0", payloadOf([2, 2, ...rdbString("x"), ...rdbString("y")])],
      ["SCARD", "set"],
      ["SISMEMBER", "set", "y"],
      ["RESTORE", "zset", "0", payloadOf([5, 1, ...rdbString("m"), ...Buffer.from(new Float64Array([2.5]).buffer)])],
      ["ZRANGE", "zset", "0", "-1", "WITHSCORES"],
      ["RESTORE", "zset-text", "0", payloadOf([3, 1, ...rdbString("m"), ...rdbString("1.5")])],
      ["ZRANGE", "zset-text", "0", "-1", "WITHSCORES"],
      ["RESTORE", "hash", "0", payloadOf([4, 1, ...rdbString("f"), ...rdbString("v")])],
      ["HGETALL", "hash"],
      ["OBJECT", "ENCODING", "hash"],
      ["RESTORE", "intset", "0", payloadOf([11, 12, 2, 0, 0, 0, 2, 0, 0, 0, 1, 0, 2, 0])],
      ["OBJECT", "ENCODING", "intset"],
      ["SMISMEMBER", "intset", "1", "2", "3"],
      ["RESTORE", "lp", "0", payloadOf([16, 13, 13, 0, 0, 0, 2, 0, 0x81, 0x66, 2, 0x05, 1, 0xff])],
      ["HGETALL", "lp"],
      ["OBJECT", "ENCODING", "lp"],
      ["RESTORE", "ql", "0", payloadOf([18, 1, 2, 11, 11, 0, 0, 0, 1, 0, 0x81, 0x61, 2, 0xff])],
      ["RESTORE", "ql", "0", payloadOf([18, 1, 2, 10, 10, 0, 0, 0, 1, 0, 0x81, 0x61, 2, 0xff])],
      ["LRANGE", "ql", "0", "-1"],
      ["DBSIZE"]
    ]
  },
  {
    name: "RESTORE errors, in Redis's order",
    steps: [
      ["RESTORE", "k", "0"],
      ["RESTORE", "k", "0", HELLO, "BOGUS"],
      ["RESTORE", "k", "0", HELLO, "IDLETIME"],
      ["RESTORE", "k", "0", HELLO, "IDLETIME", "x"],
      ["RESTORE", "k", "0", HELLO, "IDLETIME", "-1"],
      ["RESTORE", "k", "0", HELLO, "FREQ", "256"],
      ["RESTORE", "k", "0", HELLO, "FREQ", "-1"],
      ["RESTORE", "k", "0", HELLO, "FREQ", "1.5"],
      ["RESTORE", "k", "0", HELLO, "IDLETIME", "1", "FREQ", "1"],
      ["RESTORE", "k", "0", HELLO, "FREQ", "1", "IDLETIME", "1"],
      ["RESTORE", "k", "-1", HELLO],
      ["RESTORE", "k", "abc", HELLO],
      ["RESTORE", "k", "0", "short"],
      ["RESTORE", "k", "0", ""],
      ["RESTORE", "k", "0", CORRUPT],
      ["RESTORE", "k", "0", payloadOf([0, ...rdbString("hello")], 11)],
      ["RESTORE", "k", "0", payloadOf([0, ...rdbString("hello")], 9)],
      ["RESTORE", "k", "0", payloadOf([8, ...rdbString("hello")])],
      ["RESTORE", "k", "0", payloadOf([30, ...rdbString("hello")])],
      ["RESTORE", "k", "0", payloadOf([0, 20, 0x61])],
      ["RESTORE", "k", "0", payloadOf([1, 0])],
      ["RESTORE", "k", "0", payloadOf([2, 2, ...rdbString("x"), ...rdbString("x")])],
      ["RESTORE", "k", "0", payloadOf([4, 2, ...rdbString("f"), ...rdbString("v"), ...rdbString("f"), ...rdbString("w")])],
      ["RESTORE", "k", "0", payloadOf([11, 12, 3, 0, 0, 0, 2, 0, 0, 0, 1, 0, 2, 0])],
      ["RESTORE", "k", "0", payloadOf([16, 13, 14, 0, 0, 0, 2, 0, 0x81, 0x66, 2, 0x05, 1, 0xff])],
      ["RESTORE", "k", "0", payloadOf([])],
      ["EXISTS", "k"],
      ["SET", "k", "old"],
      ["RESTORE", "k", "0", HELLO],
      ["RESTORE", "k", "-1", HELLO],
      ["RESTORE", "k", "0", CORRUPT],
      ["RESTORE", "k", "0", CORRUPT, "REPLACE"],
      ["GET", "k"]
    ]
  },
  {
    name: "RESTORE REPLACE, TTL, ABSTTL, IDLETIME and FREQ",
    steps: [
      ["SET", "k", "old"],
      ["EXPIRE", "k", "100"],
      ["RESTORE", "k", "0", HELLO, "REPLACE"],
      ["GET", "k"],
      ["TTL", "k"],
      ["RESTORE", "k", "5000", HELLO, "replace"],
      millis("PTTL", "k"),
      ["RESTORE", "k", "99999999999999", HELLO, "REPLACE", "ABSTTL"],
      ["EXPIRETIME", "k"],
      ["RESTORE", "k", "1", HELLO, "REPLACE", "ABSTTL"],
      ["EXISTS", "k"],
      ["RESTORE", "gone", "1", HELLO, "ABSTTL"],
      ["EXISTS", "gone"],
      ["RESTORE", "idle", "0", HELLO, "IDLETIME", "1000"],
      seconds("OBJECT", "IDLETIME", "idle"),
      ["RESTORE", "idle", "0", HELLO, "REPLACE", "IDLETIME", "0", "IDLETIME", "50"],
      seconds("OBJECT", "IDLETIME", "idle"),
      ["RESTORE", "freq", "0", HELLO, "FREQ", "100", "REPLACE"],
      ["OBJECT", "FREQ", "freq"],
      ["CONFIG", "SET", "maxmemory-policy", "allkeys-lfu"],
      ["RESTORE", "freq", "0", HELLO, "FREQ", "100", "REPLACE"],
      ["OBJECT", "FREQ", "freq"],
      ["RESTORE", "freq2", "0", HELLO, "IDLETIME", "100"],
      ["OBJECT", "FREQ", "freq2"],
      ["OBJECT", "IDLETIME", "freq2"],
      ["CONFIG", "SET", "maxmemory-policy", "noeviction"],
      ["RESTORE", "k", "0", HELLO, "ABSTTL", "ABSTTL", "REPLACE", "REPLACE"],
      ["TTL", "k"],
      ["RESTORE-ASKING", "asked", "0", HELLO],
      ["RESTORE-ASKING", "asked", "0", HELLO],
      ["RESTORE-ASKING", "asked", "0", CORRUPT, "REPLACE"],
      ["GET", "asked"],
      ["COMMAND", "INFO", "restore-asking"]
    ]
  },
  {
    name: "RESTORE's keyspace notification",
    requires: ["PSUBSCRIBE"],
    steps: [
      other("CONFIG", "SET", "notify-keyspace-events", "KEA"),
      collect("PSUBSCRIBE", "__key*__:*"),
      other("RESTORE", "k", "0", HELLO),
      other("RESTORE", "k", "0", HELLO, "REPLACE"),
      other("RESTORE", "k", "0", HELLO),
      other("RESTORE", "k", "1", HELLO, "REPLACE", "ABSTTL"),
      other("DUMP", "k"),
      collect("PUNSUBSCRIBE"),
      other("CONFIG", "SET", "notify-keyspace-events", "")
    ]
  },
  {
    name: "RESTORE wakes blocked clients, breaks WATCH, obeys maxmemory",
    steps: [
      block(1, 1, "BLPOP", "q", "0"),
      block(2, 2, "BZPOPMIN", "z", "0"),
      ["RESTORE", "q", "0", LIST_ABC],
      ["RESTORE", "z", "0", ZSET_ONE],
      drain(1),
      drain(2),
      ["LRANGE", "q", "0", "-1"],
      ["EXISTS", "z"],
      on(1, "WATCH", "w"),
      ["RESTORE", "w", "0", HELLO],
      on(1, "MULTI"),
      on(1, "GET", "w"),
      on(1, "EXEC"),
      on(1, "WATCH", "w"),
      ["RESTORE", "w", "0", CORRUPT, "REPLACE"],
      on(1, "MULTI"),
      on(1, "GET", "w"),
      on(1, "EXEC"),
      ["CONFIG", "SET", "maxmemory", "1"],
      ["RESTORE", "oom", "0", HELLO],
      ["DUMP", "w"],
      ["CONFIG", "SET", "maxmemory", "0"],
      ["RESTORE", "oom", "0", HELLO],
      ["GET", "oom"]
    ]
  },
  {
    name: "RESTORE with sanitize-dump-payload: deep checks of listpacks and intsets",
    steps: [
      ["RESTORE", "dups", "0", listpackPayload(16, ["f", "v", "f", "w"])],
      ["RESTORE", "odd", "0", listpackPayload(16, ["f", "v", "g"])],
      ["RESTORE", "zdups", "0", listpackPayload(17, ["m", "1", "m", "2"])],
      ["RESTORE", "unsorted", "0", payloadOf([11, 12, 2, 0, 0, 0, 2, 0, 0, 0, 2, 0, 1, 0])],
      ["DEL", "dups", "odd", "zdups", "unsorted"],
      ["CONFIG", "SET", "sanitize-dump-payload", "yes"],
      ["RESTORE", "dups", "0", listpackPayload(16, ["f", "v", "f", "w"])],
      ["RESTORE", "odd", "0", listpackPayload(16, ["f", "v", "g"])],
      ["RESTORE", "zdups", "0", listpackPayload(17, ["m", "1", "m", "2"])],
      ["RESTORE", "zodd", "0", listpackPayload(17, ["m", "1", "n"])],
      ["RESTORE", "unsorted", "0", payloadOf([11, 12, 2, 0, 0, 0, 2, 0, 0, 0, 2, 0, 1, 0])],
      ["RESTORE", "repeated", "0", payloadOf([11, 12, 2, 0, 0, 0, 2, 0, 0, 0, 1, 0, 1, 0])],
      ["RESTORE", "good", "0", listpackPayload(16, ["f", "v", "g", "w"])],
      ["HGETALL", "good"],
      ["RESTORE", "zgood", "0", listpackPayload(17, ["m", "1", "n", "2.5"])],
      ["ZRANGE", "zgood", "0", "-1", "WITHSCORES"],
      ["RESTORE", "igood", "0", payloadOf([11, 12, 2, 0, 0, 0, 2, 0, 0, 0, 1, 0, 2, 0])],
      ["SMEMBERS", "igood"],
      ["CONFIG", "SET", "sanitize-dump-payload", "clients"],
      ["RESTORE", "dups", "0", listpackPayload(16, ["f", "v", "f", "w"])],
      ["CONFIG", "SET", "sanitize-dump-payload", "no"],
      ["DBSIZE"]
    ]
  },
  {
    name: "RESTORE of Redis 6 payloads: ziplists and quicklists of ziplists (RDB version 9)",
    steps: [
      ["RESTORE", "zl-list", "0", payloadOf([10, ...rdbBlob(ziplistOf(ZIPLIST_MIX))], 9)],
      ["LRANGE", "zl-list", "0", "-1"],
      ["OBJECT", "ENCODING", "zl-list"],
      ["RESTORE", "ql-list", "0", payloadOf([14, 2, ...rdbBlob(ziplistOf(["a", 1n])), ...rdbBlob(ziplistOf(ZIPLIST_MIX))], 9)],
      ["LRANGE", "ql-list", "0", "-1"],
      ["RESTORE", "zl-hash", "0", payloadOf([13, ...rdbBlob(ziplistOf(["f", 1n, "g", "v", "big", 3000000000n]))], 9)],
      ["HGETALL", "zl-hash"],
      ["OBJECT", "ENCODING", "zl-hash"],
      ["RESTORE", "zl-zset", "0", payloadOf([12, ...rdbBlob(ziplistOf(["m", "-1.5", "n", 2n, "o", "1e10"]))], 9)],
      ["ZRANGE", "zl-zset", "0", "-1", "WITHSCORES"],
      ["OBJECT", "ENCODING", "zl-zset"],
      ["RESTORE", "zl-big-hash", "0", payloadOf([13, ...rdbBlob(ziplistOf(["f", "z".repeat(100)]))], 9)],
      ["OBJECT", "ENCODING", "zl-big-hash"],
      ["RESTORE", "lp-big-hash", "0", listpackPayload(16, ["f", "z".repeat(100)])],
      ["OBJECT", "ENCODING", "lp-big-hash"],
      ["RESTORE", "zl-big-zset", "0", payloadOf([12, ...rdbBlob(ziplistOf(["z".repeat(100), 1n]))], 9)],
      ["OBJECT", "ENCODING", "zl-big-zset"],
      ["RESTORE", "lp-big-zset", "0", listpackPayload(17, ["z".repeat(100), "1"])],
      ["OBJECT", "ENCODING", "lp-big-zset"],
      ["CONFIG", "SET", "hash-max-listpack-entries", "1", "zset-max-listpack-entries", "1"],
      ["RESTORE", "zl-many-hash", "0", payloadOf([13, ...rdbBlob(ziplistOf(["f", "1", "g", "2"]))], 9)],
      ["OBJECT", "ENCODING", "zl-many-hash"],
      ["RESTORE", "lp-many-hash", "0", listpackPayload(16, ["f", "1", "g", "2"])],
      ["OBJECT", "ENCODING", "lp-many-hash"],
      ["RESTORE", "zl-many-zset", "0", payloadOf([12, ...rdbBlob(ziplistOf(["a", 1n, "b", 2n]))], 9)],
      ["OBJECT", "ENCODING", "zl-many-zset"],
      ["RESTORE", "lp-many-zset", "0", listpackPayload(17, ["a", "1", "b", "2"])],
      ["OBJECT", "ENCODING", "lp-many-zset"],
      ["CONFIG", "SET", "hash-max-listpack-entries", "512", "zset-max-listpack-entries", "128"],
      ["RESTORE", "bad-zl", "0", payloadOf([10, ...rdbBlob(ziplistOf(["a"]).subarray(0, 12))], 9)],
      ["RESTORE", "empty-zl", "0", payloadOf([10, ...rdbBlob(ziplistOf([]))], 9)],
      ["DBSIZE"]
    ]
  }
]
