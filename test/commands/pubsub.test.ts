/**
 * The pub/sub family over TCP. Every suite of `defineSuite` runs against our server and, when
 * `redis-server` is installed, against a real Redis 7 with the same expectations, so the
 * expectations are checked against the oracle. Then what only our server can show (its hub after
 * channel churn), the command declarations against Redis's COMMAND INFO/DOCS, and ioredis and
 * node-redis subscribing.
 *
 * Slow subscribers, shutdown and keyspace notifications have suites of their own in test/pubsub/.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "@effect/vitest"
import { Redis } from "ioredis"
import { createClient } from "redis"
import { pubsubCommands } from "../../src/commands/pubsub.js"
import { describeDeclarations } from "../support/declarations.js"
import { RawClient } from "../support/RawClient.js"
import type { Reply } from "../support/RespReader.js"
import {
  arr,
  bulk,
  callAll,
  drain,
  err,
  int,
  message,
  pmessage,
  simple,
  subscription
} from "../support/pubsub.js"
import {
  hasRealRedis,
  type RunningRedfiber,
  type RunningServer,
  startRealRedis,
  startRedfiber
} from "../support/servers.js"

const ALL_BYTES = String.fromCharCode(...Array.from({ length: 256 }, (_, i) => i))
const notAllowed = (name: string) =>
  err(`ERR Can't execute '${name}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context`)

/** The fields of one CLIENT LIST line. */
const fieldsOf = (line: string): Map<string, string> =>
  new Map(line.trim().split(" ").map((pair) => [pair.slice(0, pair.indexOf("=")), pair.slice(pair.indexOf("=") + 1)]))

const infoField = (info: Reply, name: string): string | undefined =>
  info.kind === "bulk" ? new RegExp(`^${name}:(.*)\r$`, "m").exec(info.value ?? "")?.[1] : undefined

const defineSuite = (label: string, start: () => Promise<RunningServer>) =>
  describe(label, () => {
    let server: RunningServer
    const open: Array<RawClient> = []
    const connect = async () => {
      const client = await RawClient.connect(server.port)
      open.push(client)
      return client
    }

    beforeAll(async () => {
      server = await start()
    })
    // Subscriptions are server-wide state (NUMPAT, CHANNELS): each test leaves its own at once.
    afterEach(async () => {
      for (const client of open.splice(0)) {
        if (!client.closed) await callAll(client, "RESET").catch(() => undefined)
        client.close()
      }
    })
    afterAll(() => server.stop())

    it("UNSUBSCRIBE and PUNSUBSCRIBE with nothing to leave answer one push with a null name, byte for byte", async () => {
      const client = await connect()
      for (const [command, expected] of [
        ["UNSUBSCRIBE", "*3\r\n$11\r\nunsubscribe\r\n$-1\r\n:0\r\n"],
        ["PUNSUBSCRIBE", "*3\r\n$12\r\npunsubscribe\r\n$-1\r\n:0\r\n"]
      ] as const) {
        client.send(command)
        await client.waitForBytes(expected.length)
        expect(client.pending.latin1Slice()).toBe(expected)
        await client.read()
      }
      expect(await callAll(client, "UNSUBSCRIBE", "never", "subscribed")).toEqual([
        subscription("unsubscribe", "never", 0),
        subscription("unsubscribe", "subscribed", 0)
      ])
      expect(await client.call("PING")).toEqual(simple("PONG"))
    })

    it("(P)SUBSCRIBE counts channels and patterns together, once each", async () => {
      const client = await connect()
      expect(await callAll(client, "SUBSCRIBE", "t1:a", "t1:b", "t1:a")).toEqual([
        subscription("subscribe", "t1:a", 1),
        subscription("subscribe", "t1:b", 2),
        subscription("subscribe", "t1:a", 2)
      ])
      expect(await callAll(client, "PSUBSCRIBE", "t1:*", "t1:a")).toEqual([
        subscription("psubscribe", "t1:*", 3),
        subscription("psubscribe", "t1:a", 4)
      ])
      expect(await callAll(client, "UNSUBSCRIBE", "t1:a", "t1:zz")).toEqual([
        subscription("unsubscribe", "t1:a", 3),
        subscription("unsubscribe", "t1:zz", 3)
      ])
      expect(await callAll(client, "PUNSUBSCRIBE")).toEqual([
        subscription("punsubscribe", "t1:*", 2),
        subscription("punsubscribe", "t1:a", 1)
      ])
      expect(await callAll(client, "UNSUBSCRIBE")).toEqual([subscription("unsubscribe", "t1:b", 0)])
      expect(await client.call("SUBSCRIBE")).toEqual(err("ERR wrong number of arguments for 'subscribe' command"))
    })

    it("subscribed mode allows only (un)subscribing, PING, QUIT and RESET until the last subscription goes", async () => {
      const client = await connect()
      await callAll(client, "SUBSCRIBE", "t2:a")
      expect(await client.call("PING")).toEqual(arr(bulk("pong"), bulk("")))
      expect(await client.call("PING", "x")).toEqual(arr(bulk("pong"), bulk("x")))
      expect(await client.call("GET", "k")).toEqual(notAllowed("get"))
      expect(await client.call("CONFIG", "GET", "save")).toEqual(notAllowed("config|get"))
      expect(await client.call("PUBLISH", "t2:a", "m")).toEqual(notAllowed("publish"))
      // Unknown commands and arity come first, as in Redis.
      expect(await client.call("GET")).toEqual(err("ERR wrong number of arguments for 'get' command"))
      expect((await client.call("NOSUCH")).value).toMatch(/^ERR unknown command 'NOSUCH'/)
      await callAll(client, "UNSUBSCRIBE")
      expect(await client.call("PING")).toEqual(simple("PONG"))
      expect(await client.call("GET", "t2:k")).toEqual(bulk(null))

      await callAll(client, "PSUBSCRIBE", "t2:*")
      expect(await client.call("RESET")).toEqual(simple("RESET"))
      expect(await client.call("PING")).toEqual(simple("PONG"))
      const publisher = await connect()
      expect(await publisher.call("PUBLISH", "t2:x", "after reset")).toEqual(int(0))
      expect(await drain(client)).toEqual([])

      await callAll(client, "SUBSCRIBE", "t2:a")
      expect(await client.call("QUIT")).toEqual(simple("OK"))
      await client.waitClosed()
    })

    it("PUBLISH reaches channel subscribers, then pattern subscribers; its reply counts deliveries", async () => {
      const [subscriber, publisher] = [await connect(), await connect()]
      await callAll(subscriber, "SUBSCRIBE", "t3:news")
      await callAll(subscriber, "PSUBSCRIBE", "t3:n*")
      expect(await publisher.call("PUBLISH", "t3:news", "hello")).toEqual(int(2))
      expect(await drain(subscriber)).toEqual([message("t3:news", "hello"), pmessage("t3:n*", "t3:news", "hello")])
      expect(await publisher.call("PUBLISH", "t3:nope", "")).toEqual(int(1))
      expect(await publisher.call("PUBLISH", "t3:other", "x")).toEqual(int(0))
      expect(await drain(subscriber)).toEqual([pmessage("t3:n*", "t3:nope", "")])
      // Binary-safe channels, patterns and payloads.
      await callAll(subscriber, "SUBSCRIBE", ALL_BYTES)
      await callAll(subscriber, "PSUBSCRIBE", "\x00*\xff")
      expect(await publisher.call("PUBLISH", ALL_BYTES, ALL_BYTES)).toEqual(int(2))
      expect(await drain(subscriber)).toEqual([
        message(ALL_BYTES, ALL_BYTES),
        pmessage("\x00*\xff", ALL_BYTES, ALL_BYTES)
      ])
      // The lone-star pattern matches every channel but the empty one (Redis's stringmatchlen).
      await callAll(subscriber, "PSUBSCRIBE", "*")
      expect(await publisher.call("PUBLISH", "", "empty")).toEqual(int(0))
      expect(await publisher.call("PUBLISH", "z", "star")).toEqual(int(1))
      expect(await drain(subscriber)).toEqual([pmessage("*", "z", "star")])
    })

    it("messages from one publisher reach every subscriber, all of them, in order", async () => {
      const subscribers = [await connect(), await connect(), await connect()]
      for (const subscriber of subscribers) await callAll(subscriber, "SUBSCRIBE", "t4:seq")
      await callAll(subscribers[0], "PSUBSCRIBE", "t4:*")
      const publisher = await connect()
      const count = 3000
      let pipeline = ""
      for (let i = 0; i < count; i++) pipeline += `*3\r\n$7\r\nPUBLISH\r\n$6\r\nt4:seq\r\n$${String(i).length}\r\n${i}\r\n`
      publisher.write(pipeline)
      for (let i = 0; i < count; i++) expect(await publisher.read()).toEqual(int(4))
      const expected = Array.from({ length: count }, (_, i) => message("t4:seq", String(i)))
      const withPatterns = expected.flatMap((m, i) => [m, pmessage("t4:*", "t4:seq", String(i))])
      expect(await drain(subscribers[0])).toEqual(withPatterns)
      expect(await drain(subscribers[1])).toEqual(expected)
      expect(await drain(subscribers[2])).toEqual(expected)
    })

    it("shard channels: SSUBSCRIBE counts on its own, SPUBLISH reaches only shard subscribers", async () => {
      const [subscriber, publisher] = [await connect(), await connect()]
      expect(await callAll(subscriber, "SSUBSCRIBE", "t8:x", "t8:y", "t8:x")).toEqual([
        subscription("ssubscribe", "t8:x", 1),
        subscription("ssubscribe", "t8:y", 2),
        subscription("ssubscribe", "t8:x", 2)
      ])
      // Shard subscriptions alone are subscribed mode too.
      expect(await subscriber.call("GET", "k")).toEqual(notAllowed("get"))
      expect(await subscriber.call("PING")).toEqual(arr(bulk("pong"), bulk("")))
      expect(await callAll(subscriber, "SUBSCRIBE", "t8:x")).toEqual([subscription("subscribe", "t8:x", 1)])
      await callAll(subscriber, "PSUBSCRIBE", "t8:*")
      expect(await publisher.call("SPUBLISH", "t8:x", "shard")).toEqual(int(1))
      expect(await publisher.call("PUBLISH", "t8:y", "plain")).toEqual(int(1))
      expect(await drain(subscriber)).toEqual([
        arr(bulk("smessage"), bulk("t8:x"), bulk("shard")),
        pmessage("t8:*", "t8:y", "plain")
      ])
      const shards = await publisher.call("PUBSUB", "SHARDCHANNELS", "t8:?")
      expect(shards.kind === "array" ? shards.value?.map((c) => c.value).sort() : shards).toEqual(["t8:x", "t8:y"])
      expect(await publisher.call("PUBSUB", "SHARDNUMSUB", "t8:x", "t8:z")).toEqual(
        arr(bulk("t8:x"), int(1), bulk("t8:z"), int(0))
      )
      expect(await publisher.call("PUBSUB", "CHANNELS", "t8:*")).toEqual(arr(bulk("t8:x")))
      expect(await callAll(subscriber, "SUNSUBSCRIBE", "t8:x", "t8:nope")).toEqual([
        subscription("sunsubscribe", "t8:x", 1),
        subscription("sunsubscribe", "t8:nope", 1)
      ])
      expect(await callAll(subscriber, "SUNSUBSCRIBE")).toEqual([subscription("sunsubscribe", "t8:y", 0)])
      expect(await callAll(subscriber, "SUNSUBSCRIBE")).toEqual([subscription("sunsubscribe", null, 0)])
      expect(await publisher.call("SPUBLISH", "t8:x", "nobody")).toEqual(int(0))
      expect(await publisher.call("PUBSUB", "SHARDCHANNELS")).toEqual(arr())
      await callAll(subscriber, "RESET")
      expect(await subscriber.call("GET", "t8:k")).toEqual(bulk(null))
    })

    it("PUBSUB CHANNELS, NUMSUB and NUMPAT see subscriptions come and go", async () => {
      const [a, b, asker] = [await connect(), await connect(), await connect()]
      await callAll(a, "SUBSCRIBE", "t5:x", "t5:y")
      await callAll(b, "SUBSCRIBE", "t5:x")
      await callAll(a, "PSUBSCRIBE", "t5:p")
      await callAll(b, "PSUBSCRIBE", "t5:p", "t5:q")
      const channels = await asker.call("PUBSUB", "CHANNELS", "t5:*")
      expect(channels.kind === "array" ? channels.value?.map((c) => c.value).sort() : channels).toEqual(["t5:x", "t5:y"])
      expect(await asker.call("PUBSUB", "CHANNELS", "t5:??")).toEqual(arr())
      expect(await asker.call("PUBSUB", "NUMSUB", "t5:x", "t5:y", "t5:z")).toEqual(
        arr(bulk("t5:x"), int(2), bulk("t5:y"), int(1), bulk("t5:z"), int(0))
      )
      expect(await asker.call("PUBSUB", "NUMPAT")).toEqual(int(2))
      b.close()
      // The server notices the close on its own schedule: wait for it, as a client would.
      const numsub = async () => JSON.stringify(await asker.call("PUBSUB", "NUMSUB", "t5:x"))
      const one = JSON.stringify(arr(bulk("t5:x"), int(1)))
      for (let i = 0; i < 500 && (await numsub()) !== one; i++) await new Promise((resolve) => setTimeout(resolve, 10))
      expect(await asker.call("PUBSUB", "NUMSUB", "t5:x")).toEqual(arr(bulk("t5:x"), int(1)))
      expect(await asker.call("PUBSUB", "NUMPAT")).toEqual(int(1))
      await callAll(a, "RESET")
      expect(await asker.call("PUBSUB", "CHANNELS", "t5:*")).toEqual(arr())
      expect(await asker.call("PUBSUB", "NUMPAT")).toEqual(int(0))
      expect(await asker.call("PUBSUB", "CHANNELS", "a", "b")).toEqual(
        err("ERR unknown subcommand or wrong number of arguments for 'CHANNELS'. Try PUBSUB HELP.")
      )
    })

    it("INFO counts channels and patterns; CLIENT LIST shows a subscriber's flags and counts", async () => {
      const [subscriber, observer] = [await connect(), await connect()]
      const before = await observer.call("INFO", "stats")
      const channelsBefore = Number(infoField(before, "pubsub_channels"))
      const patternsBefore = Number(infoField(before, "pubsub_patterns"))
      const id = (await subscriber.call("CLIENT", "ID")).value
      await callAll(subscriber, "SUBSCRIBE", "t6:a", "t6:b")
      await callAll(subscriber, "PSUBSCRIBE", "t6:*")
      const info = await observer.call("INFO", "stats")
      expect(Number(infoField(info, "pubsub_channels"))).toBe(channelsBefore + 2)
      expect(Number(infoField(info, "pubsub_patterns"))).toBe(patternsBefore + 1)
      const line = fieldsOf(String((await observer.call("CLIENT", "LIST", "ID", String(id))).value))
      expect([line.get("flags"), line.get("sub"), line.get("psub")]).toEqual(["P", "2", "1"])
      const pubsubType = String((await observer.call("CLIENT", "LIST", "TYPE", "pubsub")).value)
      expect(pubsubType).toContain(`id=${id} `)
      expect(String((await observer.call("CLIENT", "LIST", "TYPE", "normal")).value)).not.toContain(`id=${id} `)
      expect(await subscriber.call("GET", "x")).toEqual(notAllowed("get"))
      expect(fieldsOf(String((await observer.call("CLIENT", "LIST", "ID", String(id))).value)).get("cmd")).toBe("get")
      expect(await observer.call("CLIENT", "KILL", "TYPE", "pubsub", "ID", String(id))).toEqual(int(1))
      await subscriber.waitClosed()
    })

    it("a channel left by everyone is gone: no growth with channel churn", async () => {
      const [client, observer] = [await connect(), await connect()]
      const count = 5000
      const names = Array.from({ length: count }, (_, i) => `t7:churn:${i}`)
      for (const kind of ["SUBSCRIBE", "PSUBSCRIBE"]) {
        const un = kind === "SUBSCRIBE" ? "UNSUBSCRIBE" : "PUNSUBSCRIBE"
        const replies = await callAll(client, kind, ...names)
        expect(replies.at(-1)).toEqual(subscription(kind.toLowerCase(), names.at(-1)!, count))
        const left = await callAll(client, un, ...names)
        expect(left.at(-1)).toEqual(subscription(un.toLowerCase(), names.at(-1)!, 0))
      }
      expect(await observer.call("PUBSUB", "CHANNELS", "t7:*")).toEqual(arr())
      expect(await observer.call("PUBSUB", "NUMPAT")).toEqual(int(0))
      const info = await observer.call("INFO", "stats")
      expect([infoField(info, "pubsub_channels"), infoField(info, "pubsub_patterns")]).toEqual(["0", "0"])
    })
  })

defineSuite("pub/sub (redfiber)", startRedfiber)
if (hasRealRedis) defineSuite("pub/sub (real Redis 7)", () => startRealRedis())

describe("the hub of our server", () => {
  let server: RunningRedfiber
  beforeAll(async () => {
    server = await startRedfiber()
  })
  afterAll(() => server.stop())

  it("keeps no channel, pattern or subscriber state after churn and disconnects", async () => {
    const hub = server.server.state.pubsub
    const clients = await Promise.all(Array.from({ length: 20 }, () => RawClient.connect(server.port)))
    for (const [i, client] of clients.entries()) {
      await callAll(client, "SUBSCRIBE", ...Array.from({ length: 500 }, (_, j) => `hub:${i}:${j}`), "hub:shared")
      await callAll(client, "PSUBSCRIBE", `hub:${i}:*`, "hub:*")
    }
    expect([hub.channelCount, hub.patternCount]).toEqual([20 * 500 + 1, 21])
    for (const client of clients.slice(0, 10)) await callAll(client, "RESET")
    for (const client of clients.slice(10)) client.close()
    const deadline = Date.now() + 10_000
    while ((hub.channelCount > 0 || hub.patternCount > 0) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
    expect([hub.channelCount, hub.patternCount]).toEqual([0, 0])
    for (const client of clients) client.close()
  })
})

describeDeclarations("pub/sub command declarations", pubsubCommands)

describe("client libraries subscribing to our server", () => {
  let server: RunningRedfiber
  beforeAll(async () => {
    server = await startRedfiber()
  })
  afterAll(() => server.stop())

  it("ioredis: subscribe, psubscribe, messages and pmessages, unsubscribe back to commands", async () => {
    // ioredis 6 asks for RESP3 and falls back to RESP2 when refused: RESP2 from the start here.
    const options = { host: "127.0.0.1", port: server.port, lazyConnect: true, retryStrategy: () => null, protocol: 2 as const }
    const subscriber = new Redis(options)
    const publisher = new Redis(options)
    try {
      await subscriber.connect()
      await publisher.connect()
      const received: Array<string> = []
      subscriber.on("message", (channel: string, text: string) => received.push(`message ${channel} ${text}`))
      subscriber.on("pmessage", (pattern: string, channel: string, text: string) =>
        received.push(`pmessage ${pattern} ${channel} ${text}`))
      expect(await subscriber.subscribe("io:news", "io:sport")).toBe(2)
      expect(await subscriber.psubscribe("io:*")).toBe(3)
      expect(await publisher.publish("io:news", "héllo")).toBe(2)
      expect(await publisher.publish("io:weather", "rain")).toBe(1)
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`got ${JSON.stringify(received)}`)), 5000)
        const check = () => {
          if (received.length >= 3) {
            clearTimeout(timer)
            resolve()
          } else setTimeout(check, 5)
        }
        check()
      })
      expect(received).toEqual(["message io:news héllo", "pmessage io:* io:news héllo", "pmessage io:* io:weather rain"])
      expect(await subscriber.ping()).toEqual(["pong", ""])
      await expect(subscriber.get("k")).rejects.toThrow(/Connection in subscriber mode/)
      // (ioredis settles a bare (P)UNSUBSCRIBE only once no subscription at all is left.)
      expect(await subscriber.unsubscribe("io:news", "io:sport")).toBe(1)
      expect(await subscriber.punsubscribe()).toBe(0)
      expect(await subscriber.set("io:k", "v")).toBe("OK")
      expect(await subscriber.get("io:k")).toBe("v")
    } finally {
      subscriber.disconnect()
      publisher.disconnect()
    }
  })

  it("node-redis (RESP2): subscribe and pSubscribe listeners, unsubscribe", async () => {
    const url = `redis://127.0.0.1:${server.port}`
    const publisher = createClient({ url, RESP: 2 })
    publisher.on("error", () => {})
    await publisher.connect()
    const subscriber = publisher.duplicate()
    subscriber.on("error", () => {})
    await subscriber.connect()
    try {
      const received: Array<string> = []
      await subscriber.subscribe("nr:news", (text, channel) => received.push(`${channel} ${text}`))
      await subscriber.pSubscribe("nr:*", (text, channel) => received.push(`pattern ${channel} ${text}`))
      expect(await publisher.publish("nr:news", "hello")).toBe(2)
      expect(await publisher.publish("nr:other", "x")).toBe(1)
      const deadline = Date.now() + 5000
      while (received.length < 3 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5))
      expect(received).toEqual(["nr:news hello", "pattern nr:news hello", "pattern nr:other x"])
      expect(await publisher.sendCommand(["PUBSUB", "NUMSUB", "nr:news"])).toEqual(["nr:news", 1])
      await subscriber.unsubscribe("nr:news")
      await subscriber.pUnsubscribe("nr:*")
      expect(await publisher.publish("nr:news", "nobody")).toBe(0)
    } finally {
      await subscriber.close()
      await publisher.close()
    }
  })
})
