/**
 * The keys / keyspace family over TCP, with exact replies: DEL .. TYPE, the EXPIRE family and
 * TTLs, KEYS globs, SCAN's guarantees, RENAME / COPY / MOVE / SWAPDB across databases, FLUSH*,
 * RANDOMKEY and OBJECT. Keys are seeded through the `Db` service (this family has no SET);
 * time-dependent behaviour uses absolute PEXPIREAT times in the past or far future, never sleeps.
 * When redis-server is installed, a table of cases is also replayed against it byte for byte.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import type { Database } from "../../src/keyspace/Database.js"
import type { CollectionValue } from "../../src/keyspace/Value.js"
import { RawClient } from "../support/RawClient.js"
import { type Reply, showReply } from "../support/RespReader.js"
import { hasRealRedis, type RunningRedfiber, type RunningServer, startRealRedis, startRedfiber } from "../support/servers.js"

/** A stand-in collection value (the list family brings the real one). */
class FakeList implements CollectionValue {
  readonly type = "list"
  constructor(readonly items: Array<string>) {}
  encoding() {
    return "listpack"
  }
  clone() {
    return new FakeList([...this.items])
  }
  memoryUsage() {
    return 100 + this.items.length * 40
  }
}

let server: RunningRedfiber
let client: RawClient

/** Runs `f` on database `index` of our server, atomically, at the server's clock time. */
const onDb = <A>(f: (db: Database, now: number) => A, index = 0): Promise<A> =>
  Effect.runPromise(server.db.use((db, now) => f(db, now), index))

const seed = (values: Record<string, string>, index = 0) =>
  onDb((db) => {
    for (const [key, value] of Object.entries(values)) db.set(key, value)
  }, index)

/** One command's reply in its exact text form: `:1`, `+OK`, `-ERR ...`, `"bulk"`, `[...]`, `(nil)`. */
const call = async (...args: Array<string>): Promise<string> => showReply(await client.call(...args))

const bulks = (reply: Reply): Array<string> => {
  if (reply.kind !== "array" || reply.value === null) throw new Error(`not an array: ${showReply(reply)}`)
  return reply.value.map((item) => {
    if (item.kind !== "bulk" || item.value === null) throw new Error(`not a bulk: ${showReply(item)}`)
    return item.value
  })
}

const sortedKeys = async (pattern: string): Promise<Array<string>> =>
  bulks(await client.call("KEYS", pattern)).sort()

/** Runs a whole SCAN iteration; returns every key it answered (with repeats) and the calls it took. */
const scanAll = async (
  options: Array<string> = [],
  between?: (call: number) => Promise<void>
): Promise<{ keys: Array<string>; calls: number }> => {
  const keys: Array<string> = []
  let cursor = "0"
  let calls = 0
  do {
    const reply = await client.call("SCAN", cursor, ...options)
    if (reply.kind !== "array" || reply.value === null) throw new Error(showReply(reply))
    const [next, batch] = reply.value
    if (next.kind !== "bulk" || next.value === null) throw new Error(showReply(reply))
    cursor = next.value
    keys.push(...bulks(batch))
    calls++
    if (between !== undefined && cursor !== "0") await between(calls)
  } while (cursor !== "0")
  return { keys, calls }
}

beforeAll(async () => {
  server = await startRedfiber()
  client = await RawClient.connect(server.port)
})

afterAll(async () => {
  client?.close()
  await server?.stop()
})

beforeEach(async () => {
  await call("SELECT", "0")
  expect(await call("FLUSHALL")).toBe("+OK")
})

describe("DEL, UNLINK, EXISTS, TOUCH, TYPE", () => {
  it("count existing keys; repeats count for EXISTS, once for DEL; expired keys are missing", async () => {
    await seed({ a: "1", b: "2", c: "3" })
    await onDb((db, now) => db.setWithExpiry("gone", "x", now - 1))
    expect(await call("EXISTS", "a", "a", "b", "nope", "gone")).toBe(":3")
    expect(await call("TOUCH", "a", "b", "nope", "gone")).toBe(":2")
    expect(await call("DEL", "a", "a", "nope", "gone")).toBe(":1")
    expect(await call("UNLINK", "b", "c")).toBe(":2")
    expect(await call("EXISTS", "a", "b", "c")).toBe(":0")
    expect(await call("DEL")).toBe("-ERR wrong number of arguments for 'del' command")
  })

  it("TYPE answers a simple string", async () => {
    await seed({ s: "v" })
    await onDb((db) => db.set("l", new FakeList(["x"])))
    expect(await call("TYPE", "s")).toBe("+string")
    expect(await call("TYPE", "l")).toBe("+list")
    expect(await call("TYPE", "nope")).toBe("+none")
  })
})

describe("EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT", () => {
  const far = () => String(Date.now() + 1_000_000_000)

  it("set a TTL on an existing key only; TTL and PTTL round like Redis", async () => {
    await seed({ k: "v" })
    expect(await call("EXPIRE", "nope", "100")).toBe(":0")
    expect(await call("TTL", "nope")).toBe(":-2")
    expect(await call("TTL", "k")).toBe(":-1")
    expect(await call("PTTL", "k")).toBe(":-1")
    expect(await call("EXPIRE", "k", "100")).toBe(":1")
    expect(await call("TTL", "k")).toBe(":100")
    const pttl = Number((await call("PTTL", "k")).slice(1))
    expect(pttl).toBeGreaterThan(90_000)
    expect(pttl).toBeLessThanOrEqual(100_000)
    // 1499 ms left reads as 1 s, 1500 as 2 s: (ms + 500) / 1000.
    expect(await call("PEXPIRE", "k", "100000")).toBe(":1")
    expect(await call("TTL", "k")).toBe(":100")
  })

  it("EXPIRETIME and PEXPIRETIME answer the absolute time; seconds are rounded", async () => {
    await seed({ k: "v" })
    expect(await call("EXPIRETIME", "nope")).toBe(":-2")
    expect(await call("PEXPIRETIME", "k")).toBe(":-1")
    expect(await call("EXPIRETIME", "k")).toBe(":-1")
    expect(await call("PEXPIREAT", "k", "4102444800499")).toBe(":1")
    expect(await call("PEXPIRETIME", "k")).toBe(":4102444800499")
    expect(await call("EXPIRETIME", "k")).toBe(":4102444800")
    expect(await call("PEXPIREAT", "k", "4102444800500")).toBe(":1")
    expect(await call("EXPIRETIME", "k")).toBe(":4102444801")
    expect(await call("EXPIREAT", "k", "4102444800")).toBe(":1")
    expect(await call("PEXPIRETIME", "k")).toBe(":4102444800000")
  })

  it("a time that has passed (or zero, or negative) deletes the key and answers 1", async () => {
    await seed({ a: "1", b: "2", c: "3", d: "4" })
    expect(await call("PEXPIREAT", "a", String(Date.now() - 1000))).toBe(":1")
    expect(await call("EXPIRE", "b", "0")).toBe(":1")
    expect(await call("PEXPIRE", "c", "-5")).toBe(":1")
    expect(await call("EXPIREAT", "d", "1")).toBe(":1")
    expect(await call("EXISTS", "a", "b", "c", "d")).toBe(":0")
    expect(await call("EXPIRE", "a", "-1")).toBe(":0")
  })

  it("an expired key is gone for TTL, PERSIST and EXPIRE", async () => {
    await onDb((db, now) => db.setWithExpiry("old", "x", now - 1))
    expect(await call("TTL", "old")).toBe(":-2")
    expect(await call("PERSIST", "old")).toBe(":0")
    expect(await call("EXPIRE", "old", "100")).toBe(":0")
  })

  it("NX, XX, GT, LT", async () => {
    await seed({ k: "v" })
    expect(await call("EXPIRE", "k", "100", "XX")).toBe(":0")
    expect(await call("EXPIRE", "k", "100", "GT")).toBe(":0") // no TTL counts as infinite
    expect(await call("EXPIRE", "k", "100", "nx")).toBe(":1")
    expect(await call("EXPIRE", "k", "200", "NX")).toBe(":0")
    expect(await call("EXPIRE", "k", "200", "XX")).toBe(":1")
    expect(await call("EXPIRE", "k", "100", "GT")).toBe(":0")
    expect(await call("EXPIRE", "k", "300", "GT")).toBe(":1")
    expect(await call("EXPIRE", "k", "400", "LT")).toBe(":0")
    expect(await call("EXPIRE", "k", "50", "lt", "xx")).toBe(":1")
    expect(await call("TTL", "k")).toBe(":50")
    expect(await call("PERSIST", "k")).toBe(":1")
    expect(await call("PERSIST", "k")).toBe(":0")
    expect(await call("EXPIRE", "k", "50", "LT")).toBe(":1") // anything is less than infinite
    expect(await call("EXPIRE", "k", "50", "NX", "NX")).toBe(":0")
    // A GT/LT refusal wins over "the time has passed".
    expect(await call("EXPIRE", "k", "-1", "GT")).toBe(":0")
    expect(await call("EXISTS", "k")).toBe(":1")
  })

  it("option and number errors, in Redis's order and words", async () => {
    await seed({ k: "v" })
    const incompatible = "-ERR NX and XX, GT or LT options at the same time are not compatible"
    expect(await call("EXPIRE", "k", "10", "NX", "XX")).toBe(incompatible)
    expect(await call("EXPIRE", "k", "10", "GT", "NX")).toBe(incompatible)
    expect(await call("EXPIRE", "k", "abc", "NX", "LT")).toBe(incompatible)
    expect(await call("PEXPIRE", "k", "10", "GT", "LT")).toBe("-ERR GT and LT options at the same time are not compatible")
    expect(await call("EXPIRE", "k", "abc", "foo")).toBe("-ERR Unsupported option foo")
    expect(await call("EXPIRE", "k", "abc")).toBe("-ERR value is not an integer or out of range")
    expect(await call("EXPIRE", "k", "99999999999999999999")).toBe("-ERR value is not an integer or out of range")
    expect(await call("EXPIRE", "k", "01")).toBe("-ERR value is not an integer or out of range")
    expect(await call("EXPIRE", "k")).toBe("-ERR wrong number of arguments for 'expire' command")
  })

  it("overflowing times are 'invalid expire time' errors, checked before the key", async () => {
    await seed({ k: "v" })
    expect(await call("EXPIRE", "k", "9223372036854775")).toBe("-ERR invalid expire time in 'expire' command")
    expect(await call("EXPIRE", "nope", "9223372036854776")).toBe("-ERR invalid expire time in 'expire' command")
    expect(await call("EXPIRE", "k", "-9223372036854776")).toBe("-ERR invalid expire time in 'expire' command")
    expect(await call("PEXPIRE", "k", "9223372036854775807")).toBe("-ERR invalid expire time in 'pexpire' command")
    expect(await call("EXPIREAT", "k", "9223372036854776")).toBe("-ERR invalid expire time in 'expireat' command")
    // In range: PEXPIREAT's base is 0, so int64 max itself is valid; EXPIREAT up to LLONG_MAX / 1000.
    expect(await call("EXPIREAT", "k", "9223372036854775")).toBe(":1")
    expect(await call("PEXPIREAT", "k", "9223372036854775807")).toBe(":1")
    expect(await call("PEXPIRETIME", "k")).toBe(":9223372036854775807")
    expect(await call("EXPIRE", "k", "-9223372036854775")).toBe(":1")
    expect(await call("EXISTS", "k")).toBe(":0")
  })

  it("PERSIST removes the TTL", async () => {
    await seed({ k: "v" })
    expect(await call("PEXPIREAT", "k", far())).toBe(":1")
    expect(await call("PERSIST", "k")).toBe(":1")
    expect(await call("TTL", "k")).toBe(":-1")
    expect(await call("PERSIST", "nope")).toBe(":0")
  })
})

describe("KEYS", () => {
  it("matches Redis globs and skips expired keys", async () => {
    await seed({
      hello: "1",
      hallo: "1",
      hxllo: "1",
      hllo: "1",
      heeeello: "1",
      "h*llo": "1",
      "": "1",
      "a[b": "1",
      "x\\y": "1",
      "bin\u00ff\u0000": "1"
    })
    await onDb((db, now) => db.setWithExpiry("hexpired", "x", now - 1))
    expect(await sortedKeys("h?llo")).toEqual(["h*llo", "hallo", "hello", "hxllo"])
    expect(await sortedKeys("h*llo")).toEqual(["h*llo", "hallo", "heeeello", "hello", "hllo", "hxllo"])
    expect(await sortedKeys("h[ae]llo")).toEqual(["hallo", "hello"])
    expect(await sortedKeys("h[^e]llo")).toEqual(["h*llo", "hallo", "hxllo"])
    expect(await sortedKeys("h[a-b]llo")).toEqual(["hallo"])
    expect(await sortedKeys("h[b-a]llo")).toEqual(["hallo"])
    expect(await sortedKeys("h\\*llo")).toEqual(["h*llo"])
    expect(await sortedKeys("a\\[b")).toEqual(["a[b"])
    expect(await sortedKeys("x\\\\y")).toEqual(["x\\y"])
    expect(await sortedKeys("bin\u00ff?")).toEqual(["bin\u00ff\u0000"])
    expect(await sortedKeys("nothing*")).toEqual([])
    expect((await sortedKeys("*")).length).toBe(10)
    expect(await call("KEYS", "hexpired")).toBe("[]")
  })
})

describe("SCAN", () => {
  it("replies [cursor, keys]; a small database fits in one call ending at 0", async () => {
    await seed({ a: "1" })
    // The reader keeps each reply's kind, so this is exactly `*2\r\n$1\r\n0\r\n*1\r\n$1\r\na\r\n`.
    expect(await client.call("SCAN", "0")).toEqual({
      kind: "array",
      value: [{ kind: "bulk", value: "0" }, { kind: "array", value: [{ kind: "bulk", value: "a" }] }]
    })
    expect(await call("FLUSHALL")).toBe("+OK")
    expect(await call("SCAN", "0")).toBe('["0", []]')
  })

  it("argument errors", async () => {
    for (const cursor of [" 0", "0x", "abc", "18446744073709551616", "+", "-", "1.5"]) {
      expect(await call("SCAN", cursor)).toBe("-ERR invalid cursor")
    }
    for (const cursor of ["", "+0", "00", "-1", "18446744073709551615"]) {
      expect(await call("SCAN", cursor)).toBe('["0", []]')
    }
    expect(await call("SCAN", "abc", "COUNT", "0")).toBe("-ERR invalid cursor")
    expect(await call("SCAN", "0", "COUNT", "0")).toBe("-ERR syntax error")
    expect(await call("SCAN", "0", "COUNT", "-1")).toBe("-ERR syntax error")
    expect(await call("SCAN", "0", "COUNT", "x")).toBe("-ERR value is not an integer or out of range")
    expect(await call("SCAN", "0", "COUNT")).toBe("-ERR syntax error")
    expect(await call("SCAN", "0", "MATCH")).toBe("-ERR syntax error")
    expect(await call("SCAN", "0", "TYPE")).toBe("-ERR syntax error")
    expect(await call("SCAN", "0", "FOO", "bar")).toBe("-ERR syntax error")
    expect(await call("SCAN")).toBe("-ERR wrong number of arguments for 'scan' command")
  })

  it("returns every key present for the whole iteration, in calls of about COUNT", async () => {
    const stable: Record<string, string> = {}
    for (let i = 0; i < 1000; i++) stable[`stable:${i}`] = "v"
    await seed(stable)
    for (let i = 0; i < 200; i++) await seed({ [`doomed:${i}`]: "v" })
    let added = 0
    const { keys, calls } = await scanAll(["COUNT", "10"], async (n) => {
      // Churn while iterating: delete some keys, add others.
      await onDb((db) => {
        db.delete(`doomed:${n}`)
        db.set(`new:${added++}`, "v")
      })
    })
    const seen = new Set(keys)
    for (let i = 0; i < 1000; i++) expect(seen.has(`stable:${i}`)).toBe(true)
    expect(calls).toBeGreaterThan(100)
    // A call stops once it has COUNT keys; the last bucket it took may hold a few more.
    expect(keys.length / calls).toBeLessThanOrEqual(12)
  })

  it("MATCH and TYPE filter what each call fetched", async () => {
    const values: Record<string, string> = {}
    for (let i = 0; i < 100; i++) values[`user:${i}`] = "v"
    for (let i = 0; i < 100; i++) values[`item:${i}`] = "v"
    await seed(values)
    await onDb((db) => {
      for (let i = 0; i < 30; i++) db.set(`list:${i}`, new FakeList([]))
      db.setWithExpiry("user:expired", "v", 1)
    })
    const users = await scanAll(["MATCH", "user:*", "COUNT", "7"])
    expect(new Set(users.keys).size).toBe(100)
    expect(users.keys.every((key) => key.startsWith("user:"))).toBe(true)
    const lists = await scanAll(["TYPE", "LIST"])
    expect(new Set(lists.keys).size).toBe(30)
    const strings = await scanAll(["type", "string", "match", "item:1*", "count", "1000"])
    expect(strings.calls).toBe(1)
    expect(strings.keys.sort()).toEqual(["item:1", ...Array.from({ length: 10 }, (_, i) => `item:1${i}`)].sort())
    expect(await call("SCAN", "0", "TYPE", "nosuchtype", "COUNT", "1000")).toBe('["0", []]')
  })

  it("a cursor is a position, not a session: reusing one answers the same keys", async () => {
    const values: Record<string, string> = {}
    for (let i = 0; i < 50; i++) values[`k:${i}`] = "v"
    await seed(values)
    const first = await client.call("SCAN", "0", "COUNT", "10")
    const cursor = (first.value as Array<Reply>)[0].value as string
    expect(cursor).not.toBe("0")
    const second = await call("SCAN", cursor, "COUNT", "10")
    expect(await call("SCAN", cursor, "COUNT", "10")).toBe(second)
    // Every cursor a table of 64 buckets can give is below 64; a bigger one walks the same buckets.
    expect(Number(cursor)).toBeLessThan(64)
    expect(await call("SCAN", String(Number(cursor) + 2 ** 40), "COUNT", "10")).toBe(second)
  })
})

describe("RENAME and RENAMENX", () => {
  it("move the value and its TTL; errors and same-key cases like Redis", async () => {
    await seed({ a: "1", b: "2" })
    expect(await call("PEXPIREAT", "a", "4102444800000")).toBe(":1")
    expect(await call("RENAME", "nope", "x")).toBe("-ERR no such key")
    expect(await call("RENAMENX", "nope", "x")).toBe("-ERR no such key")
    expect(await call("RENAME", "a", "a")).toBe("+OK")
    expect(await call("RENAMENX", "a", "a")).toBe(":0")
    expect(await call("RENAMENX", "a", "b")).toBe(":0")
    expect(await call("RENAME", "a", "c")).toBe("+OK")
    expect(await call("EXISTS", "a")).toBe(":0")
    expect(await call("PEXPIRETIME", "c")).toBe(":4102444800000")
    // Overwriting a key with a TTL by one without: the TTL goes too.
    expect(await call("PEXPIREAT", "b", "4102444800000")).toBe(":1")
    await seed({ d: "4" })
    expect(await call("RENAME", "d", "b")).toBe("+OK")
    expect(await call("TTL", "b")).toBe(":-1")
    expect(await call("RENAMENX", "b", "fresh")).toBe(":1")
    expect(await sortedKeys("*")).toEqual(["c", "fresh"])
  })
})

describe("COPY, MOVE, SWAPDB across databases", () => {
  it("COPY duplicates with TTL, honours REPLACE and DB", async () => {
    await seed({ src: "hello", taken: "old" })
    await onDb((db) => db.set("list", new FakeList(["a", "b"])))
    expect(await call("PEXPIREAT", "src", "4102444800000")).toBe(":1")
    expect(await call("COPY", "src", "dst")).toBe(":1")
    expect(await call("PEXPIRETIME", "dst")).toBe(":4102444800000")
    expect(await call("COPY", "src", "taken")).toBe(":0")
    expect(await call("COPY", "src", "taken", "REPLACE")).toBe(":1")
    expect(await call("COPY", "nope", "x")).toBe(":0")
    expect(await call("COPY", "src", "src")).toBe("-ERR source and destination objects are the same")
    expect(await call("COPY", "nope", "nope", "DB", "0")).toBe("-ERR source and destination objects are the same")
    expect(await call("COPY", "src", "src", "DB", "3")).toBe(":1")
    expect(await call("COPY", "src", "x", "DB", "16")).toBe("-ERR DB index is out of range")
    expect(await call("COPY", "src", "x", "DB", "-1")).toBe("-ERR DB index is out of range")
    expect(await call("COPY", "src", "x", "DB", "abc")).toBe("-ERR value is not an integer or out of range")
    expect(await call("COPY", "src", "x", "DB", "3000000000")).toBe(
      "-ERR value is out of range, value must between -2147483648 and 2147483647"
    )
    expect(await call("COPY", "src", "x", "DB")).toBe("-ERR syntax error")
    expect(await call("COPY", "src", "x", "foo")).toBe("-ERR syntax error")
    expect(await call("COPY", "list", "list2", "replace", "REPLACE")).toBe(":1")
    const [original, copied] = await onDb((db) => [db.get("list", 0), db.get("list2", 0)])
    expect(copied).toEqual(original)
    expect(copied).not.toBe(original)
    expect(await call("SELECT", "3")).toBe("+OK")
    expect(await call("PEXPIRETIME", "src")).toBe(":4102444800000")
    expect(await call("DBSIZE")).toBe(":1")
  })

  it("MOVE hands the key to another database unless it is there already", async () => {
    await seed({ k: "v", both: "0" })
    await seed({ both: "3" }, 3)
    expect(await call("PEXPIREAT", "k", "4102444800000")).toBe(":1")
    expect(await call("MOVE", "k", "0")).toBe("-ERR source and destination objects are the same")
    expect(await call("MOVE", "k", "16")).toBe("-ERR DB index is out of range")
    expect(await call("MOVE", "k", "abc")).toBe("-ERR value is not an integer or out of range")
    expect(await call("MOVE", "nope", "3")).toBe(":0")
    expect(await call("MOVE", "both", "3")).toBe(":0")
    expect(await call("MOVE", "k", "3")).toBe(":1")
    expect(await call("EXISTS", "k")).toBe(":0")
    expect(await call("SELECT", "3")).toBe("+OK")
    expect(await call("PEXPIRETIME", "k")).toBe(":4102444800000")
  })

  it("SWAPDB exchanges contents; every client's selected database shows the other data", async () => {
    await seed({ zero: "0" })
    await seed({ one: "1" }, 1)
    const other = await RawClient.connect(server.port)
    try {
      expect(showReply(await other.call("SELECT", "1"))).toBe("+OK")
      expect(await call("SWAPDB", "0", "1")).toBe("+OK")
      expect(await sortedKeys("*")).toEqual(["one"])
      expect(showReply(await other.call("KEYS", "*"))).toBe('["zero"]')
      expect(await call("SWAPDB", "1", "1")).toBe("+OK")
      expect(await call("SWAPDB", "0", "abc")).toBe("-ERR invalid second DB index")
      expect(await call("SWAPDB", "abc", "0")).toBe("-ERR invalid first DB index")
      expect(await call("SWAPDB", "0", "3000000000")).toBe("-ERR invalid second DB index")
      expect(await call("SWAPDB", "-1", "0")).toBe("-ERR DB index is out of range")
      expect(await call("SWAPDB", "0", "16")).toBe("-ERR DB index is out of range")
    } finally {
      other.close()
    }
  })
})

describe("DBSIZE, FLUSHDB, FLUSHALL", () => {
  it("flush one or all databases; ASYNC and SYNC are accepted", async () => {
    await seed({ a: "1", b: "2" })
    await seed({ c: "3" }, 5)
    expect(await call("DBSIZE")).toBe(":2")
    expect(await call("FLUSHDB", "async")).toBe("+OK")
    expect(await call("DBSIZE")).toBe(":0")
    expect(await onDb((db) => db.size, 5)).toBe(1)
    expect(await call("FLUSHDB", "foo")).toBe("-ERR syntax error")
    expect(await call("FLUSHDB", "SYNC", "SYNC")).toBe("-ERR syntax error")
    expect(await call("FLUSHALL", "SYNC")).toBe("+OK")
    expect(await onDb((db) => db.size, 5)).toBe(0)
    expect(await call("FLUSHALL", "bar")).toBe("-ERR syntax error")
    expect(await call("DBSIZE", "x")).toBe("-ERR wrong number of arguments for 'dbsize' command")
  })
})

describe("RANDOMKEY", () => {
  it("answers nil for an empty database and only live keys otherwise", async () => {
    expect(await call("RANDOMKEY")).toBe("(nil)")
    await seed({ foo: "1", bar: "2" })
    await onDb((db, now) => db.setWithExpiry("dead", "x", now - 1))
    const seen = new Set<string>()
    for (let i = 0; i < 200 && seen.size < 2; i++) seen.add(await call("RANDOMKEY"))
    expect([...seen].sort()).toEqual(['"bar"', '"foo"'])
    await onDb((db, now) => {
      db.clear()
      db.setWithExpiry("dead", "x", now - 1)
    })
    expect(await call("RANDOMKEY")).toBe("(nil)")
  })

  it("a large database: answers live keys only, and new keys after enough writes", async () => {
    const values: Record<string, string> = {}
    for (let i = 0; i < 1000; i++) values[`old:${i}`] = "v"
    await seed(values)
    expect((await call("RANDOMKEY")).startsWith('"old:')).toBe(true)
    // Delete almost everything and add new keys: picks must never name a deleted key.
    await onDb((db) => {
      for (let i = 0; i < 995; i++) db.delete(`old:${i}`)
      for (let i = 0; i < 200; i++) db.set(`new:${i}`, "v")
    })
    const live = new Set(await sortedKeys("*"))
    let sawNew = false
    for (let i = 0; i < 100; i++) {
      const reply = await client.call("RANDOMKEY")
      expect(live.has(reply.value as string)).toBe(true)
      if ((reply.value as string).startsWith("new:")) sawNew = true
    }
    expect(sawNew).toBe(true)
  })
})

describe("OBJECT", () => {
  it("ENCODING of strings follows Redis's int / embstr / raw rule; collections name theirs", async () => {
    const cases: Array<[string, string]> = [
      ["0", "int"], ["-1", "int"], ["12345", "int"], ["9223372036854775807", "int"],
      ["-9223372036854775808", "int"], ["9223372036854775808", "embstr"], ["-0", "embstr"],
      ["01", "embstr"], ["+1", "embstr"], [" 1", "embstr"], ["", "embstr"],
      ["a".repeat(44), "embstr"], ["a".repeat(45), "raw"]
    ]
    for (const [value, encoding] of cases) {
      await seed({ k: value })
      expect([value, await call("OBJECT", "ENCODING", "k")]).toEqual([value, JSON.stringify(encoding)])
    }
    await onDb((db) => db.set("l", new FakeList([])))
    expect(await call("OBJECT", "encoding", "l")).toBe('"listpack"')
    expect(await call("OBJECT", "ENCODING", "nope")).toBe("(nil)")
  })

  it("a recorded string encoding lasts until the value is replaced or the key goes", async () => {
    const marked = (db: Database, key: string) => {
      db.set(key, "5")
      db.markEncoding(key, "raw")
    }
    const kept = await onDb((db, now) => {
      const results: Record<string, string | undefined> = {}
      const writes: Record<string, (key: string) => void> = {
        set: (key) => db.set(key, "6"),
        setKeepTtl: (key) => db.setKeepTtl(key, "6"),
        setWithExpiry: (key) => db.setWithExpiry(key, "6", now + 100_000),
        delete: (key) => db.delete(key),
        passiveExpiry: (key) => {
          db.setExpiry(key, now - 1)
          db.get(key, now)
        },
        sweep: (key) => {
          db.setExpiry(key, now - 1)
          db.sweep(now, 100)
        },
        setExpiry: (key) => db.setExpiry(key, now + 100_000),
        persist: (key) => db.persist(key)
      }
      for (const [name, write] of Object.entries(writes)) {
        marked(db, name)
        write(name)
        results[name] = db.encodingOverride(name)
      }
      marked(db, "cleared")
      db.clear()
      results.clear = db.encodingOverride("cleared")
      return results
    })
    expect(kept).toEqual({
      set: undefined,
      setKeepTtl: undefined,
      setWithExpiry: undefined,
      delete: undefined,
      passiveExpiry: undefined,
      sweep: undefined,
      setExpiry: "raw",
      persist: "raw",
      clear: undefined
    })
    // SWAPDB carries the recorded encodings with the data.
    await onDb((db) => marked(db, "swapped"))
    expect(await call("SWAPDB", "0", "1")).toBe("+OK")
    expect(await onDb((db) => db.encodingOverride("swapped"), 1)).toBe("raw")
    expect(await onDb((db) => db.encodingOverride("swapped"), 0)).toBe(undefined)
    expect(await call("SWAPDB", "0", "1")).toBe("+OK")
    expect(await call("OBJECT", "ENCODING", "swapped")).toBe('"raw"')
  })

  it("REFCOUNT, IDLETIME, FREQ, HELP and errors", async () => {
    await seed({ shared: "9999", own: "10000", text: "abc" })
    expect(await call("OBJECT", "REFCOUNT", "shared")).toBe(":2147483647")
    expect(await call("OBJECT", "REFCOUNT", "own")).toBe(":1")
    expect(await call("OBJECT", "REFCOUNT", "text")).toBe(":1")
    expect(await call("OBJECT", "REFCOUNT", "nope")).toBe("(nil)")
    expect(await call("OBJECT", "IDLETIME", "text")).toBe(":0")
    expect(await call("OBJECT", "FREQ", "nope")).toBe("(nil)")
    expect(await call("OBJECT", "FREQ", "text")).toBe(
      "-ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust."
    )
    const help = await client.call("OBJECT", "HELP")
    expect(help.kind).toBe("array")
    expect((help.value as Array<Reply>)[0]).toEqual({
      kind: "simple",
      value: "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"
    })
    expect((help.value as Array<Reply>).length).toBe(15)
    expect(await call("OBJECT", "foo")).toBe("-ERR unknown subcommand 'foo'. Try OBJECT HELP.")
    expect(await call("OBJECT")).toBe("-ERR wrong number of arguments for 'object' command")
    expect(await call("OBJECT", "ENCODING")).toBe("-ERR wrong number of arguments for 'object|encoding' command")
    expect(await call("OBJECT", "HELP", "x")).toBe("-ERR wrong number of arguments for 'object|help' command")
  })
})

/**
 * The same steps against real Redis and against us. A step is a command, or a seed of string
 * keys (MSET there, the Db service here). Replies of commands marked `unordered` are compared
 * with their array elements sorted.
 */
type Step = { readonly seed: Record<string, string>; readonly db?: number } | ReadonlyArray<string>

const DIFFERENTIAL_STEPS: ReadonlyArray<Step> = [
  { seed: { a: "1", b: "hello", c: "x".repeat(50), n: "-42", big: "9223372036854775808", z: "01" } },
  ["EXISTS", "a", "b", "a", "nope"],
  ["TYPE", "a"], ["TYPE", "nope"],
  ["OBJECT", "ENCODING", "a"], ["OBJECT", "ENCODING", "b"], ["OBJECT", "ENCODING", "c"],
  ["OBJECT", "ENCODING", "n"], ["OBJECT", "ENCODING", "big"], ["OBJECT", "ENCODING", "z"],
  ["OBJECT", "REFCOUNT", "a"], ["OBJECT", "REFCOUNT", "n"], ["OBJECT", "ENCODING", "nope"],
  ["OBJECT", "HELP"], ["OBJECT", "nosuch"], ["OBJECT", "FREQ", "a"],
  ["EXPIRE", "a", "100"], ["TTL", "a"], ["EXPIRE", "a", "50", "GT"], ["EXPIRE", "a", "500", "gt"],
  ["EXPIRE", "a", "10", "NX"], ["EXPIRE", "a", "10", "XX", "LT"], ["TTL", "a"],
  ["EXPIRE", "a", "1", "NX", "GT"], ["EXPIRE", "a", "1", "GT", "LT"], ["EXPIRE", "a", "1", "bogus"],
  ["EXPIRE", "a", "1.5"], ["PEXPIRE", "a", "9223372036854775807"],
  ["EXPIRE", "a", "9223372036854775"], ["EXPIREAT", "a", "-9223372036854776"],
  ["PEXPIREAT", "b", "4102444800123"], ["PEXPIRETIME", "b"], ["EXPIRETIME", "b"],
  ["PERSIST", "b"], ["PERSIST", "b"], ["TTL", "b"], ["PTTL", "b"], ["EXPIRETIME", "nope"],
  ["PEXPIREAT", "c", "1"], ["EXISTS", "c"], ["EXPIRE", "c", "10"],
  ["RENAME", "nope", "x"], ["RENAMENX", "nope", "x"], ["RENAME", "b", "b"], ["RENAMENX", "b", "b"],
  ["RENAMENX", "b", "n"], ["RENAME", "b", "b2"], ["TYPE", "b"], ["TYPE", "b2"],
  ["COPY", "b2", "b2"], ["COPY", "b2", "n"], ["COPY", "b2", "n", "REPLACE"], ["COPY", "b2", "x", "DB", "99"],
  ["COPY", "b2", "x", "DB", "x"], ["COPY", "b2", "x", "DB", "-5000000000"], ["COPY", "b2", "x", "DB"],
  ["COPY", "b2", "b2", "DB", "2"], ["MOVE", "b2", "2"], ["MOVE", "n", "0"], ["MOVE", "n", "x"],
  ["MOVE", "n", "99999999999"], ["MOVE", "nope", "2"],
  ["SWAPDB", "0", "2"], ["SWAPDB", "x", "2"], ["SWAPDB", "0", "x"], ["SWAPDB", "0", "40"], ["SWAPDB", "3", "3"],
  ["DBSIZE"], ["KEYS", "*"], ["KEYS", "b?"], ["KEYS", "[a-c]*"], ["SWAPDB", "2", "0"],
  { seed: { "user:1": "a", "user:2": "b", "order:1": "c" } },
  ["KEYS", "user:*"], ["KEYS", "*:[!1]"], ["KEYS", "*:[^1]"], ["KEYS", "user:\\1"],
  ["SCAN", "0", "MATCH", "order:*", "COUNT", "1000"], ["SCAN", "0", "TYPE", "hash", "COUNT", "1000"],
  ["SCAN", " 1"], ["SCAN", "0", "COUNT", "0"], ["SCAN", "0", "COUNT", "x"], ["SCAN", "0", "MATCH"],
  ["DEL", "user:1", "user:1", "user:2"], ["UNLINK", "order:1", "nope"], ["TOUCH", "a", "nope", "a"],
  ["FLUSHDB", "x"], ["FLUSHALL", "ASYNC", "x"], ["FLUSHDB", "SYNC"], ["DBSIZE"], ["RANDOMKEY"], ["SCAN", "0"],
  ["FLUSHALL"], ["DBSIZE"]
]

const UNORDERED = new Set(["keys"])

const normalized = (command: ReadonlyArray<string>, reply: Reply): string => {
  if (UNORDERED.has(command[0].toLowerCase()) && reply.kind === "array" && reply.value !== null) {
    return showReply({ kind: "array", value: [...reply.value].sort((x, y) => showReply(x) < showReply(y) ? -1 : 1) })
  }
  return showReply(reply)
}

describe.runIf(hasRealRedis)("against real Redis", () => {
  let real: RunningServer | undefined

  afterAll(async () => {
    await real?.stop()
  })

  it("the same steps give the same replies", async () => {
    real = await startRealRedis()
    const oracle = await RawClient.connect(real.port)
    try {
      const mismatches: Array<string> = []
      for (const step of DIFFERENTIAL_STEPS) {
        if ("seed" in step) {
          const pairs = Object.entries(step.seed).flat()
          await oracle.call("SELECT", String(step.db ?? 0))
          await oracle.call("MSET", ...pairs)
          await oracle.call("SELECT", "0")
          await seed(step.seed, step.db ?? 0)
          continue
        }
        const command = step as ReadonlyArray<string>
        const expected = normalized(command, await oracle.call(...command))
        const actual = normalized(command, await client.call(...command))
        if (expected !== actual) mismatches.push(`${command.join(" ")}\n  redis: ${expected}\n  ours:  ${actual}`)
      }
      expect(mismatches).toEqual([])
    } finally {
      oracle.close()
    }
  })
})
