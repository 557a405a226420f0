/**
 * DUMP / RESTORE against a real Redis, on random values of every type: a value built by the same
 * commands on both servers DUMPs to the same bytes (unless it is a hashtable, which Redis walks in
 * its own order); Redis's DUMP restores here and ours restores on Redis, to equal contents and
 * encodings. Then fuzzed payloads: random bytes, and valid payloads with bits flipped or bytes cut
 * whose checksum is recomputed so the body parser itself is exercised — always a reply (OK or an
 * error), never a crash, and a restored value that reads back.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import * as fc from "fast-check"
import { Redis } from "ioredis"
import { Crc64 } from "../../src/persistence/rdb/crc64.js"
import { hasRealRedis, type RunningRedfiber, type RunningServer, startRealRedis, startRedfiber } from "../support/servers.js"

type Kind = "string" | "list" | "hash" | "set" | "zset"

interface Value {
  readonly kind: Kind
  /** The command that builds it at a key (`$` stands for the key). */
  readonly build: ReadonlyArray<string>
}

/** Elements that exercise every listpack and RDB string form: small and large integers, text, bytes. */
const element = fc.oneof(
  fc.integer({ min: -200, max: 200 }).map(String),
  fc.oneof(fc.integer(), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n })).map(String),
  fc.string({ maxLength: 12 }),
  fc.constantFrom("", "007", "-0", "+1", "1.5", "a".repeat(70), "b".repeat(300), "xyz".repeat(2000)),
  fc.uint8Array({ maxLength: 40 }).map((bytes) => Buffer.from(bytes).toString("latin1"))
)
const score = fc.oneof(
  fc.integer({ min: -1000, max: 1000 }).map(String),
  fc.double({ noNaN: true }).map((d) => (Object.is(d, -0) ? "0" : String(d))),
  fc.constantFrom("inf", "-inf", "1e300", "0.1")
)
const sizes = fc.oneof(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 120, max: 700 }))

const value: fc.Arbitrary<Value> = fc.oneof(
  element.map((text) => ({ kind: "string" as const, build: ["SET", "$", text] })),
  sizes.chain((n) => fc.array(element, { minLength: 1, maxLength: n })).map((items) => ({
    kind: "list" as const,
    build: ["RPUSH", "$", ...items]
  })),
  sizes.chain((n) => fc.uniqueArray(fc.tuple(element, element), { minLength: 1, maxLength: n, selector: ([f]) => f }))
    .map((pairs) => ({ kind: "hash" as const, build: ["HSET", "$", ...pairs.flat()] })),
  sizes.chain((n) =>
    fc.oneof(
      fc.uniqueArray(fc.integer({ min: -1e6, max: 1e6 }).map(String), { minLength: 1, maxLength: n }),
      fc.uniqueArray(element, { minLength: 1, maxLength: n })
    )
  ).map((members) => ({ kind: "set" as const, build: ["SADD", "$", ...members] })),
  sizes.chain((n) => fc.uniqueArray(fc.tuple(element, score), { minLength: 1, maxLength: n, selector: ([m]) => m }))
    .map((pairs) => ({ kind: "zset" as const, build: ["ZADD", "$", ...pairs.flatMap(([m, s]) => [s, m])] }))
)

/** The value's contents, in an order that does not depend on the encoding. */
const contents = async (client: Redis, key: string): Promise<unknown> => {
  const type = await client.type(key)
  const text = (bufs: Array<Buffer>) => bufs.map((b) => b.toString("latin1"))
  switch (type) {
    case "string":
      return (await client.getBuffer(key))?.toString("latin1")
    case "list":
      return text(await client.lrangeBuffer(key, 0, -1))
    case "set":
      return text(await client.smembersBuffer(key)).sort()
    case "zset":
      return text(await client.zrangeBuffer(key, "0", "-1", "WITHSCORES"))
    default:
      return type
  }
}

const hashContents = async (client: Redis, key: string): Promise<Array<string>> => {
  const flat = (await client.callBuffer("HGETALL", key)) as Array<Buffer>
  const pairs: Array<string> = []
  for (let i = 0; i < flat.length; i += 2) pairs.push(`${flat[i].toString("latin1")}=${flat[i + 1].toString("latin1")}`)
  return pairs.sort()
}

const readBack = async (client: Redis, key: string): Promise<unknown> =>
  (await client.type(key)) === "hash" ? hashContents(client, key) : contents(client, key)

const buildAt = (v: Value, key: string): Array<string | Buffer> =>
  v.build.map((arg, i) => (i === 0 ? arg : arg === "$" ? key : Buffer.from(arg, "latin1")))

const withCrc = (head: Buffer): Buffer => {
  const crc = new Crc64()
  crc.update(head)
  return Buffer.concat([head, crc.bytes()])
}

describe.skipIf(!hasRealRedis)("DUMP / RESTORE against redis-server, random values", () => {
  let ours: RunningRedfiber | undefined
  let redis: RunningServer | undefined
  let a: Redis
  let b: Redis

  beforeAll(async () => {
    ;[ours, redis] = await Promise.all([startRedfiber(), startRealRedis()])
    a = new Redis(ours.port, "127.0.0.1", { lazyConnect: false })
    b = new Redis(redis.port, "127.0.0.1", { lazyConnect: false })
  })

  afterAll(async () => {
    a?.disconnect()
    b?.disconnect()
    await Promise.all([ours?.stop(), redis?.stop()])
  })

  it("same bytes for the same encoding; each side's DUMP restores on the other", { timeout: 120_000 }, async () => {
    const samples = fc.sample(value, { numRuns: 300, seed: 14 })
    let compared = 0
    for (const v of samples) {
      await Promise.all([a.flushall(), b.flushall()])
      await a.call(...(buildAt(v, "k") as [string]))
      await b.call(...(buildAt(v, "k") as [string]))
      const encoding = await b.object("ENCODING", "k")
      expect(await a.object("ENCODING", "k"), v.build.join(" ").slice(0, 200)).toBe(encoding)
      const [ourDump, theirDump] = await Promise.all([a.dumpBuffer("k"), b.dumpBuffer("k")])
      if (encoding !== "hashtable") {
        expect(ourDump.equals(theirDump), `${v.kind} ${encoding}: ${v.build.join(" ").slice(0, 200)}`).toBe(true)
        compared++
      }
      expect(await a.restore("from-redis", 0, theirDump)).toBe("OK")
      expect(await b.restore("from-us", 0, ourDump)).toBe("OK")
      const expected = await readBack(b, "k")
      expect(await readBack(a, "from-redis")).toEqual(expected)
      expect(await readBack(b, "from-us")).toEqual(expected)
      expect(await a.object("ENCODING", "from-redis")).toBe(await b.object("ENCODING", "from-us"))
    }
    console.log(`DUMP / RESTORE: ${samples.length} values, ${compared} DUMPs byte-identical to Redis's`)
    expect(compared).toBeGreaterThan(100)
  })

  it("fuzzed payloads: an error or a readable value, never a crash", { timeout: 120_000 }, async () => {
    const seeds = fc.sample(value, { numRuns: 60, seed: 41 })
    const payloads: Array<Buffer> = []
    for (const v of seeds) {
      await b.del("k")
      await b.call(...(buildAt(v, "k") as [string]))
      payloads.push(await b.dumpBuffer("k"))
    }
    const mutation = fc.tuple(
      fc.nat(payloads.length - 1),
      fc.oneof(
        fc.record({ kind: fc.constant("flip" as const), at: fc.nat(), bit: fc.nat(7), more: fc.nat(3) }),
        fc.record({ kind: fc.constant("cut" as const), at: fc.nat(), bit: fc.constant(0), more: fc.constant(0) }),
        fc.record({ kind: fc.constant("byte" as const), at: fc.nat(), bit: fc.nat(255), more: fc.constant(0) })
      )
    )
    let errors = 0
    let restored = 0
    for (const [index, m] of fc.sample(mutation, { numRuns: 1500, seed: 99 })) {
      const original = payloads[index]
      const body = Buffer.from(original.subarray(0, original.length - 8))
      let head: Buffer
      const at = m.at % (body.length - 2)
      if (m.kind === "cut") head = Buffer.concat([body.subarray(0, at), body.subarray(body.length - 2)])
      else {
        head = body
        if (m.kind === "byte") head[at] = m.bit
        else for (let i = 0; i <= m.more; i++) head[(at + i * 7) % (body.length - 2)] ^= 1 << m.bit
      }
      const reply = await a.restore("fuzzed", 0, withCrc(head), "REPLACE").catch((error: Error) => error)
      if (reply instanceof Error) {
        expect(reply.message).toMatch(/^ERR (Bad data format|DUMP payload version or checksum are wrong)$/)
        errors++
      } else {
        expect(reply).toBe("OK")
        await readBack(a, "fuzzed")
        restored++
      }
    }
    for (let i = 0; i < 300; i++) {
      const bytes = Buffer.from(fc.sample(fc.uint8Array({ maxLength: 64 }), { numRuns: 1, seed: i })[0])
      const payload = i % 2 === 0 ? bytes : withCrc(Buffer.concat([bytes, Buffer.from([10, 0])]))
      const reply = await a.restore("random", 0, payload, "REPLACE").catch((error: Error) => error)
      if (reply instanceof Error) errors++
      else await readBack(a, "random")
    }
    console.log(`fuzzed RESTORE: ${errors} errors, ${restored} mutated payloads restored`)
    expect(await a.ping()).toBe("PONG")
    expect(errors).toBeGreaterThan(100)
    expect(restored).toBeGreaterThan(10)
  })
})
