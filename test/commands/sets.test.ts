/**
 * The set family over TCP, byte for byte: case tables run against our server and real Redis 7
 * with the same expectations (collection-tables.ts), properties of the random commands checked
 * on both servers, keyspace hit/miss counting compared with Redis's, COMMAND declarations, the
 * RESP3 shapes of the replies, and SSCAN's guarantee on a set that changes during the scan.
 */
import { describe, expect, it } from "@effect/vitest"
import { setCommands } from "../../src/commands/sets.js"
import { SetValue } from "../../src/keyspace/values/SetValue.js"
import {
  arity,
  arr,
  bulk,
  bulks,
  type Case,
  defineCaseSuites,
  describeDeclarations,
  describeKeyspaceStats,
  err,
  int,
  nil,
  NOT_INTEGER,
  ok,
  onBothServers,
  runDirect,
  startOurs,
  SYNTAX,
  texts,
  unordered,
  WRONGTYPE
} from "./collection-tables.js"

const cases: ReadonlyArray<Case> = [
  ["sadd srem scard", (k) => [
    [["SADD", k("s"), "a", "b", "a"], int(2)],
    [["SADD", k("s"), "b", "c"], int(1)],
    [["SCARD", k("s")], int(3)],
    [["SCARD", k("none")], int(0)],
    [["SREM", k("s"), "a", "x"], int(1)],
    [["SREM", k("none"), "a"], int(0)],
    [["SREM", k("s"), "b", "c"], int(2)],
    [["EXISTS", k("s")], int(0)],
    [["SADD", k("s")], arity("sadd")],
    [["SREM", k("s")], arity("srem")]
  ]],
  ["sismember smismember", (k) => [
    [["SADD", k("s"), "a", "", "\x00\xff"], int(3)],
    [["SISMEMBER", k("s"), "a"], int(1)],
    [["SISMEMBER", k("s"), ""], int(1)],
    [["SISMEMBER", k("s"), "\x00\xff"], int(1)],
    [["SISMEMBER", k("s"), "b"], int(0)],
    [["SISMEMBER", k("none"), "a"], int(0)],
    [["SMISMEMBER", k("s"), "a", "b", ""], arr(int(1), int(0), int(1))],
    [["SMISMEMBER", k("none"), "a"], arr(int(0))]
  ]],
  ["smembers: intsets sorted, hashtables in their own order", (k) => [
    [["SADD", k("i"), "10", "-2", "3", "9223372036854775807", "-9223372036854775808"], int(5)],
    [["SMEMBERS", k("i")], bulks("-9223372036854775808", "-2", "3", "10", "9223372036854775807")],
    [["OBJECT", "ENCODING", k("i")], bulk("intset")],
    [["SADD", k("h"), "b", "a", "1"], int(3)],
    [["SMEMBERS", k("h")], unordered("a", "b", "1")],
    [["OBJECT", "ENCODING", k("h")], bulk("hashtable")],
    [["SMEMBERS", k("none")], arr()]
  ]],
  ["intset members are canonical 64-bit integers", (k) => [
    ...["-0", "01", "+1", " 1", "1.0", "9223372036854775808", "0x1"].flatMap((text, n): ReadonlyArray<readonly [ReadonlyArray<string>, ReturnType<typeof bulk>]> => [
      [["SADD", k(`s${n}`), "1", text], int(2)],
      [["OBJECT", "ENCODING", k(`s${n}`)], bulk("hashtable")]
    ]),
    [["SADD", k("ok"), "0", "-1", "9223372036854775807"], int(3)],
    [["OBJECT", "ENCODING", k("ok")], bulk("intset")]
  ]],
  ["intset size threshold and one-way conversion", (k) => [
    [["CONFIG", "SET", "set-max-intset-entries", "2"], ok],
    [["SADD", k("s"), "1", "2"], int(2)],
    [["OBJECT", "ENCODING", k("s")], bulk("intset")],
    [["SADD", k("s"), "3"], int(1)],
    [["OBJECT", "ENCODING", k("s")], bulk("hashtable")],
    [["SREM", k("s"), "3", "2"], int(2)],
    [["OBJECT", "ENCODING", k("s")], bulk("hashtable")],
    [["SUNIONSTORE", k("d"), k("s")], int(1)],
    [["OBJECT", "ENCODING", k("d")], bulk("intset")],
    [["CONFIG", "SET", "set-max-intset-entries", "512"], ok]
  ]],
  ["smove", (k) => [
    [["SADD", k("a"), "1", "x"], int(2)],
    [["SMOVE", k("a"), k("b"), "1"], int(1)],
    [["SMOVE", k("a"), k("b"), "1"], int(0)],
    [["SMOVE", k("a"), k("a"), "x"], int(1)],
    [["SMOVE", k("none"), k("b"), "x"], int(0)],
    [["OBJECT", "ENCODING", k("b")], bulk("intset")],
    [["SMOVE", k("a"), k("b"), "x"], int(1)],
    [["EXISTS", k("a")], int(0)],
    [["SMEMBERS", k("b")], unordered("1", "x")]
  ]],
  ["sinter sunion sdiff", (k) => [
    [["SADD", k("a"), "1", "2", "3", "x"], int(4)],
    [["SADD", k("b"), "2", "3", "4", "x"], int(4)],
    [["SADD", k("c"), "3", "5"], int(2)],
    [["SINTER", k("a"), k("b")], unordered("2", "3", "x")],
    [["SINTER", k("a"), k("b"), k("c")], bulks("3")],
    [["SINTER", k("a"), k("none")], arr()],
    [["SUNION", k("a"), k("c")], unordered("1", "2", "3", "x", "5")],
    [["SUNION", k("c"), k("none")], bulks("3", "5")],
    [["SDIFF", k("a"), k("b")], bulks("1")],
    [["SDIFF", k("b"), k("a"), k("c")], bulks("4")],
    [["SDIFF", k("none"), k("a")], arr()],
    [["SINTERCARD", "2", k("a"), k("b")], int(3)],
    [["SINTERCARD", "2", k("a"), k("b"), "LIMIT", "2"], int(2)],
    [["SINTERCARD", "0", k("a")], err("ERR numkeys should be greater than 0")],
    [["SINTERCARD", "3", k("a")], err("ERR Number of keys can't be greater than number of args")],
    [["SINTERCARD", "1", k("a"), "LIMIT", "-1"], err("ERR LIMIT can't be negative")]
  ]],
  ["store forms replace or delete the destination", (k) => [
    [["SADD", k("a"), "1", "2"], int(2)],
    [["SADD", k("b"), "2", "3"], int(2)],
    [["SET", k("d"), "string"], ok],
    [["SINTERSTORE", k("d"), k("a"), k("b")], int(1)],
    [["TYPE", k("d")], { kind: "simple", value: "set" }],
    [["SUNIONSTORE", k("d"), k("a"), k("b")], int(3)],
    [["SMEMBERS", k("d")], bulks("1", "2", "3")],
    [["SDIFFSTORE", k("d"), k("a"), k("a")], int(0)],
    [["EXISTS", k("d")], int(0)],
    [["SINTERSTORE", k("a"), k("a"), k("b")], int(1)],
    [["SMEMBERS", k("a")], bulks("2")]
  ]],
  ["spop and srandmember where the answer is forced", (k) => [
    [["SADD", k("one"), "m"], int(1)],
    [["SRANDMEMBER", k("one")], bulk("m")],
    [["SRANDMEMBER", k("one"), "-3"], bulks("m", "m", "m")],
    [["SRANDMEMBER", k("one"), "0"], arr()],
    [["SRANDMEMBER", k("none")], nil],
    [["SRANDMEMBER", k("none"), "2"], arr()],
    [["SRANDMEMBER", k("one"), "x"], NOT_INTEGER],
    [["SRANDMEMBER", k("one"), "-9223372036854775808"],
      err("ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807")],
    [["SRANDMEMBER", k("one"), "1", "2"], SYNTAX],
    [["SADD", k("i"), "3", "1", "2"], int(3)],
    [["SRANDMEMBER", k("i"), "10"], bulks("1", "2", "3")],
    [["SPOP", k("i"), "0"], arr()],
    [["SPOP", k("i"), "-1"], err("ERR value is out of range, must be positive")],
    [["SPOP", k("i"), "3"], bulks("1", "2", "3")],
    [["EXISTS", k("i")], int(0)],
    [["SPOP", k("one")], bulk("m")],
    [["SPOP", k("one")], nil],
    [["SPOP", k("none"), "1"], arr()]
  ]],
  ["sscan", (k) => [
    [["SADD", k("i"), "2", "1"], int(2)],
    [["SSCAN", k("i"), "0"], arr(bulk("0"), bulks("1", "2"))],
    [["SSCAN", k("i"), "0", "MATCH", "2"], arr(bulk("0"), bulks("2"))],
    [["SSCAN", k("i"), "0", "COUNT", "0"], SYNTAX],
    [["SSCAN", k("i"), "0", "TYPE", "set"], SYNTAX],
    [["SSCAN", k("i"), "abc"], err("ERR invalid cursor")],
    [["SSCAN", k("none"), "0", "COUNT", "0"], arr(bulk("0"), arr())]
  ]],
  ["wrong types", (k) => [
    [["SET", k("str"), "v"], ok],
    [["ZADD", k("z"), "1", "a"], int(1)],
    ...[
      ["SADD", k("str"), "a"], ["SREM", k("str"), "a"], ["SCARD", k("str")], ["SISMEMBER", k("str"), "a"],
      ["SMISMEMBER", k("str"), "a"], ["SMEMBERS", k("str")], ["SPOP", k("str")], ["SPOP", k("str"), "0"],
      ["SRANDMEMBER", k("str")], ["SRANDMEMBER", k("str"), "1"], ["SINTER", k("none"), k("str")],
      ["SUNION", k("z")], ["SDIFF", k("none"), k("str")], ["SINTERSTORE", k("d"), k("z")],
      ["SMOVE", k("z"), k("d"), "a"], ["SSCAN", k("str"), "0"], ["SINTERCARD", "1", k("z")]
    ].map((args) => [args, WRONGTYPE] as const),
    [["SMOVE", k("none"), k("str"), "a"], int(0)],
    [["GET", k("d")], nil],
    [["SADD", k("s"), "a"], int(1)],
    [["GET", k("s")], WRONGTYPE],
    [["ZADD", k("s"), "1", "a"], WRONGTYPE],
    [["ZCARD", k("s")], WRONGTYPE]
  ]]
]

defineCaseSuites("sets", cases)

describe("random members", () => {
  const MEMBERS = Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? String(i) : `m${i}`))

  onBothServers("SRANDMEMBER picks members, distinct for a positive count", async (client) => {
    await client.call("SADD", "s", ...MEMBERS)
    for (const count of [1, 2, 5, 13, 14, 39, 40, 41]) {
      const picked = texts(await client.call("SRANDMEMBER", "s", String(count)))
      expect(picked.length).toBe(Math.min(count, MEMBERS.length))
      expect(new Set(picked).size).toBe(picked.length)
      for (const member of picked) expect(MEMBERS).toContain(member)
    }
    const repeated = texts(await client.call("SRANDMEMBER", "s", "-100"))
    expect(repeated.length).toBe(100)
    for (const member of repeated) expect(MEMBERS).toContain(member)
    const single = await client.call("SRANDMEMBER", "s")
    expect(MEMBERS).toContain(single.value)
  })

  onBothServers("SPOP removes what it returns", async (client) => {
    await client.call("SADD", "s", ...MEMBERS)
    const popped: Array<string> = []
    for (const count of [1, 3, 10, 20]) popped.push(...texts(await client.call("SPOP", "s", String(count))))
    popped.push(String((await client.call("SPOP", "s")).value))
    expect(new Set(popped).size).toBe(35)
    for (const member of popped) {
      expect(MEMBERS).toContain(member)
      expect(await client.call("SISMEMBER", "s", member)).toEqual(int(0))
    }
    const rest = texts(await client.call("SMEMBERS", "s"))
    expect([...rest, ...popped].sort()).toEqual([...MEMBERS].sort())
  })

  it("answers an error instead of building an unbounded reply (redfiber)", async () => {
    const target = await startOurs()
    try {
      await target.client.call("SADD", "s", "a")
      expect(await target.client.call("SRANDMEMBER", "s", "-9223372036854775807")).toEqual(err("ERR value is out of range"))
      expect(texts(await target.client.call("SRANDMEMBER", "s", "-1000")).length).toBe(1000)
    } finally {
      await target.stop()
    }
  })
})

describe("SSCAN while the set changes", () => {
  it("returns every member present for the whole scan at least once (redfiber)", async () => {
    const target = await startOurs()
    const client = target.client
    try {
      const stable = Array.from({ length: 3000 }, (_, i) => `stable:${i}`)
      await client.call("SADD", "s", ...stable)
      const seen = new Set<string>()
      let cursor = "0"
      let round = 0
      do {
        const [next, batch] = (await client.call("SSCAN", "s", cursor, "COUNT", "50")).value as ReadonlyArray<{ value: unknown }>
        for (const item of batch.value as ReadonlyArray<{ value: string }>) seen.add(item.value)
        cursor = String(next.value)
        // Churn: add and remove other members between calls.
        await client.call("SADD", "s", `churn:${round}`, `churn:${round + 1}`)
        await client.call("SREM", "s", `churn:${round - 1}`)
        round++
      } while (cursor !== "0" && round < 10_000)
      expect(cursor).toBe("0")
      for (const member of stable) expect(seen.has(member)).toBe(true)
    } finally {
      await target.stop()
    }
  })
})

describe("RESP3 shapes (as Redis 7.0.15 sends them)", () => {
  it("uses sets for SMEMBERS, SINTER, SUNION, SDIFF, SPOP with a count; arrays elsewhere", () => {
    expect(
      runDirect(
        3,
        ["SMEMBERS", "s"],
        ["SADD", "s", "1", "2", "3"],
        ["SMEMBERS", "s"],
        ["SINTER", "s"],
        ["SRANDMEMBER", "s", "5"],
        ["SRANDMEMBER", "nope", "2"],
        ["SMISMEMBER", "s", "1", "9"],
        ["SPOP", "s", "5"],
        ["SPOP", "s"],
        ["SPOP", "s", "1"],
        ["SADD", "t", "1"],
        ["SPOP", "t", "0"],
        ["SINTER", "t", "nope"],
        ["SUNION", "nope"]
      )
    ).toEqual([
      "~0\r\n",
      ":3\r\n",
      "~3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n",
      "~3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n",
      "*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n",
      "*0\r\n",
      "*2\r\n:1\r\n:0\r\n",
      "~3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n",
      "_\r\n",
      "~0\r\n",
      ":1\r\n",
      "~0\r\n",
      "~0\r\n",
      "~0\r\n"
    ])
  })
})

describe("SetValue", () => {
  /** The set against a plain Set after each step: size, membership, members, and Redis's intset order. */
  const check = (set: SetValue, expected: Set<string>): void => {
    expect(set.size).toBe(expected.size)
    const members = [...set.toArray()]
    expect(new Set(members)).toEqual(expected)
    expect(members.length).toBe(expected.size)
    for (const member of expected) expect(set.has(member)).toBe(true)
    for (let i = 0; i < set.size; i++) expect(set.memberAt(i)).toBe(members[i])
    if (set.intset) expect(members).toEqual([...members].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1)))
  }

  it("keeps an intset sorted through every width, and leaves it at the first non-integer", () => {
    const set = new SetValue()
    const expected = new Set<string>()
    const values = ["5", "-3", "0", "32767", "-32768", "32768", "-2147483648", "2147483647", "2147483648",
      "9007199254740993", "-9223372036854775808", "9223372036854775807", "-9007199254740992", "4294967296", "-1"]
    for (const value of values) {
      expect(set.add(value, 512)).toBe(true)
      expected.add(value)
      check(set, expected)
      expect(set.encoding()).toBe("intset")
    }
    expect(set.add("5", 512)).toBe(false)
    for (const absent of ["6", "05", "-0", "9223372036854775808", "x", "", "1.0"]) expect(set.has(absent)).toBe(false)
    expect(set.remove("9223372036854775807")).toBe(true)
    expect(set.remove("7")).toBe(false)
    expected.delete("9223372036854775807")
    check(set, expected)
    const copy = set.clone()
    expect(set.add("a", 512)).toBe(true)
    expected.add("a")
    check(set, expected)
    expect(set.encoding()).toBe("hashtable")
    expect(copy.encoding()).toBe("intset")
    expect(copy.has("a")).toBe(false)
  })

  it("converts an intset past set-max-intset-entries, and a packed set past its limits", () => {
    const set = new SetValue()
    for (let i = 0; i < 4; i++) set.add(String(i), 4)
    expect(set.encoding()).toBe("intset")
    set.add("4", 4)
    expect(set.encoding()).toBe("hashtable")
    expect(set.scanIndex()).toBeUndefined()
    const expected = new Set(["0", "1", "2", "3", "4"])
    for (let i = 0; i < 200; i++) {
      set.add(`m${i}`, 4)
      expected.add(`m${i}`)
      expect(set.scanIndex() === undefined).toBe(expected.size <= 128)
    }
    check(set, expected)
    const long = new SetValue()
    long.add("x".repeat(65), 512)
    expect(long.scanIndex()).toBeDefined()
  })

  it("keeps every shape in step through adds and removes", () => {
    for (const makeMember of [(i: number) => `m${i}`, (i: number) => String(i * 7919 - 300000)]) {
      for (const total of [20, 300]) {
        const set = new SetValue()
        const expected = new Set<string>()
        for (let i = 0; i < total; i++) {
          set.add(makeMember(i), 512)
          expected.add(makeMember(i))
        }
        for (let i = 0; i < total; i += 3) {
          expect(set.remove(makeMember(i))).toBe(true)
          expected.delete(makeMember(i))
        }
        expect(set.remove(makeMember(0))).toBe(false)
        check(set, expected)
        const removed = set.removeAt(1)
        expected.delete(removed)
        check(set, expected)
        const copy = set.clone()
        copy.add("extra", 512)
        expect(set.has("extra")).toBe(false)
        expect(copy.size).toBe(expected.size + 1)
        const rebuilt = SetValue.of([...expected], 512)
        check(rebuilt, expected)
        expect(rebuilt.encoding()).toBe(set.encoding())
      }
    }
  })
})

describeDeclarations("set command declarations", setCommands)

describeKeyspaceStats(
  "sets",
  [["SADD", "s", "a", "b"], ["SADD", "t", "b"], ["SET", "str", "v"]],
  [
    ["SISMEMBER", "s", "a"], ["SISMEMBER", "none", "a"], ["SMISMEMBER", "s", "a"], ["SCARD", "none"],
    ["SMEMBERS", "s"], ["SRANDMEMBER", "s"], ["SRANDMEMBER", "none", "2"], ["SINTER", "s", "none", "t"],
    ["SUNION", "s", "t"], ["SDIFF", "none", "s"], ["SINTERCARD", "2", "s", "t"], ["SSCAN", "s", "0"],
    ["SINTERSTORE", "d", "s", "t"], ["SUNIONSTORE", "d", "s", "none"], ["SADD", "s", "c"], ["SREM", "none", "a"],
    ["SPOP", "none"], ["SMOVE", "s", "t", "a"], ["SMOVE", "none", "t", "a"], ["SISMEMBER", "str", "a"]
  ]
)
