/**
 * The hub without sockets: what a publish puts in each outbox (encoded once, per protocol, in
 * order), when a connection is woken, the output limits with explicit times, and the keyspace
 * observer's expired and new events from passive and active expiry.
 */
import { describe, expect, it } from "@effect/vitest"
import { parseOutputBufferLimits } from "../../src/config/outputBufferLimits.js"
import { RuntimeConfig } from "../../src/config/RuntimeConfig.js"
import { makeServerConfig } from "../../src/config/ServerConfig.js"
import { Keyspace } from "../../src/keyspace/Keyspace.js"
import { ReplyWriter } from "../../src/protocol/ReplyWriter.js"
import { Hub } from "../../src/pubsub/Hub.js"
import { NotifyType, parseKeyspaceEvents } from "../../src/pubsub/keyspaceEvents.js"
import { ClientState } from "../../src/session/ClientState.js"

interface FakeConnection {
  readonly client: ClientState
  wakes: number
  killed: boolean
  /** What its socket has not sent yet. */
  unsent: number
}

const setup = (limits = "pubsub 0 0 0", events = "") => {
  const config = new RuntimeConfig(makeServerConfig())
  const parsed = parseOutputBufferLimits(limits, config.outputBufferLimits)
  if (typeof parsed === "string") throw new Error(parsed)
  config.outputBufferLimits = parsed
  config.notifyKeyspaceEvents = parseKeyspaceEvents(events) ?? 0
  let clock = 0
  const hub = new Hub(config, () => clock)
  let nextId = 1
  const connect = (): FakeConnection => {
    const connection: FakeConnection = {
      client: new ClientState(nextId++, "127.0.0.1:1", "127.0.0.1:2", 0, () => {
        connection.killed = true
      }),
      wakes: 0,
      killed: false,
      unsent: 0
    }
    connection.client.unsentBytes = () => connection.unsent
    connection.client.wakeWriter = () => connection.wakes++
    return connection
  }
  return { config, hub, connect, setClock: (now: number) => (clock = now) }
}

const outboxText = (connection: FakeConnection): string =>
  connection.client.pubsub?.takeOutbox()?.latin1Slice() ?? ""

describe("publishing into outboxes", () => {
  it("each subscriber gets the message once per subscription, channel first, in publish order", () => {
    const { hub, connect } = setup()
    const [a, b] = [connect(), connect()]
    hub.subscribe(a.client, "news")
    hub.psubscribe(a.client, "n*")
    hub.subscribe(b.client, "news")
    expect(hub.publish("news", "one")).toBe(3)
    expect(hub.publish("nope", "two")).toBe(1)
    expect(hub.publish("other", "three")).toBe(0)
    expect(outboxText(a)).toBe(
      "*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$3\r\none\r\n" +
        "*4\r\n$8\r\npmessage\r\n$2\r\nn*\r\n$4\r\nnews\r\n$3\r\none\r\n" +
        "*4\r\n$8\r\npmessage\r\n$2\r\nn*\r\n$4\r\nnope\r\n$3\r\ntwo\r\n"
    )
    expect(outboxText(b)).toBe("*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$3\r\none\r\n")
    // Woken once when the outbox stopped being empty, not once per message.
    expect([a.wakes, b.wakes]).toEqual([1, 1])
  })

  it("a RESP3 subscriber gets pushes; the message is encoded once per protocol and shared", () => {
    const { hub, connect } = setup()
    const [resp2, resp3, alsoResp3] = [connect(), connect(), connect()]
    resp3.client.protocol = 3
    alsoResp3.client.protocol = 3
    for (const connection of [resp2, resp3, alsoResp3]) hub.subscribe(connection.client, "c")
    hub.publish("c", "m")
    expect(resp2.client.pubsub?.outbox[0].latin1Slice()).toBe("*3\r\n$7\r\nmessage\r\n$1\r\nc\r\n$1\r\nm\r\n")
    expect(resp3.client.pubsub?.outbox[0].latin1Slice()).toBe(">3\r\n$7\r\nmessage\r\n$1\r\nc\r\n$1\r\nm\r\n")
    expect(resp3.client.pubsub?.outbox[0]).toBe(alsoResp3.client.pubsub?.outbox[0])
  })

  it("the publisher's own subscription is answered inside its reply, not through its outbox", () => {
    const { hub, connect } = setup()
    const self = connect()
    hub.subscribe(self.client, "me")
    const out = new ReplyWriter()
    expect(hub.publish("me", "hi", 0, { client: self.client, out })).toBe(1)
    expect(out.take().latin1Slice()).toBe("*3\r\n$7\r\nmessage\r\n$2\r\nme\r\n$2\r\nhi\r\n")
    expect(self.client.pubsub?.outboxBytes).toBe(0)
  })

  it("leaving subscriptions keeps no empty channel or pattern; the outbox survives RESET", () => {
    const { hub, connect } = setup()
    const a = connect()
    for (let i = 0; i < 1000; i++) hub.subscribe(a.client, `c${i}`)
    hub.psubscribe(a.client, "p*")
    hub.publish("c1", "kept")
    for (let i = 0; i < 1000; i++) hub.unsubscribe(a.client, `c${i}`)
    expect(hub.channels.size).toBe(0)
    hub.removeClient(a.client)
    expect([hub.channels.size, hub.patterns.size, a.client.pubsub?.count]).toEqual([0, 0, 0])
    expect(outboxText(a)).toBe("*3\r\n$7\r\nmessage\r\n$2\r\nc1\r\n$4\r\nkept\r\n")
  })

  it("a closed hub (the server draining) delivers nothing", () => {
    const { hub, connect } = setup()
    const a = connect()
    hub.subscribe(a.client, "c")
    hub.closed = true
    expect(hub.publish("c", "late")).toBe(0)
    expect(a.client.pubsub?.outboxBytes).toBe(0)
  })
})

describe("client-output-buffer-limit pubsub", () => {
  /** A 100-byte message on channel "c" (RESP: 31 bytes of framing + 69 of payload). */
  const PAYLOAD = "x".repeat(69)

  it("past the hard limit the subscriber is cut off: no more messages, no subscriptions, connection killed", () => {
    const { hub, connect } = setup("pubsub 1000 0 0")
    const [slow, other] = [connect(), connect()]
    hub.subscribe(slow.client, "c")
    hub.psubscribe(slow.client, "elsewhere:*")
    hub.subscribe(other.client, "c")
    let deliveries = 0
    for (let i = 0; i < 20; i++) {
      deliveries += hub.publish("c", PAYLOAD)
      outboxText(other) // this one keeps up
    }
    expect(slow.killed).toBe(true)
    expect(other.killed).toBe(false)
    // 10 messages fit in 1000 bytes; the 11th would not, and cut the subscriber off.
    expect(slow.client.pubsub?.peakBacklog).toBe(1000)
    expect([slow.client.pubsub?.outboxBytes, slow.client.pubsub?.count, slow.client.pubsub?.closed]).toEqual([0, 0, true])
    expect(hub.patterns.size).toBe(0)
    expect(hub.subscriberCount("c")).toBe(1)
    // Counted while it was subscribed (the message that passed the limit included), then not.
    expect(deliveries).toBe(20 + 11)
  })

  it("bytes the socket has not sent count toward the limit", () => {
    const { hub, connect } = setup("pubsub 1000 0 0")
    const slow = connect()
    hub.subscribe(slow.client, "c")
    slow.unsent = 950
    hub.publish("c", PAYLOAD)
    expect(slow.killed).toBe(true)
  })

  it("above the soft limit for longer than its seconds (Effect's Clock, from 0 on) the subscriber is cut off", () => {
    const { hub, connect, setClock } = setup("pubsub 0 500 10")
    const slow = connect()
    hub.subscribe(slow.client, "c")
    setClock(0)
    for (let i = 0; i < 8; i++) hub.publish("c", PAYLOAD)
    expect(slow.client.pubsub?.softLimitSince).toBe(0)
    setClock(10_000)
    hub.publish("c", PAYLOAD)
    expect(slow.killed).toBe(false)
    setClock(10_001)
    hub.publish("c", PAYLOAD)
    expect(slow.killed).toBe(true)
  })

  it("a batch's own time decides; going back under the soft limit starts the count over", () => {
    const { hub, connect } = setup("pubsub 0 500 10")
    const reader = connect()
    hub.subscribe(reader.client, "c")
    for (let i = 0; i < 6; i++) hub.publish("c", PAYLOAD, 1000)
    expect(reader.client.pubsub?.softLimitSince).toBe(1000)
    reader.client.pubsub?.takeOutbox() // written to the socket, and sent
    hub.publish("c", PAYLOAD, 5000)
    expect(reader.client.pubsub?.softLimitSince).toBe(-1)
    for (let i = 0; i < 6; i++) hub.publish("c", PAYLOAD, 9000)
    hub.publish("c", PAYLOAD, 15_000)
    expect(reader.killed).toBe(false)
    hub.publish("c", PAYLOAD, 19_001)
    expect(reader.killed).toBe(true)
  })
})

describe("keyspace events from the hub's keyspace observer", () => {
  const withKeyspace = (events: string) => {
    const { hub, connect } = setup("pubsub 0 0 0", events)
    const keyspace = new Keyspace(16)
    keyspace.observers.push(hub.keyspaceObserver)
    const listener = connect()
    hub.psubscribe(listener.client, "__key*__:*")
    const events_ = () =>
      (outboxText(listener).match(/\$\d+\r\n[^\r]*\r\n\$\d+\r\n[^\r]*\r\n(?=\*|$)/g) ?? [])
        .map((pair) => pair.split("\r\n").filter((_, i) => i % 2 === 1).join(" "))
    return { db: keyspace.databases[0], keyspace, events: events_ }
  }

  it("passive expiry (a read finds the key expired) publishes expired", () => {
    const { db, events } = withKeyspace("KEx")
    db.setWithExpiry("k", "v", 100)
    expect(db.get("k", 99)).toBe("v")
    expect(events()).toEqual([])
    expect(db.get("k", 100)).toBeUndefined()
    expect(events()).toEqual(["__keyspace@0__:k expired", "__keyevent@0__:expired k"])
  })

  it("active expiry (the sweeper) publishes expired, in the key's database", () => {
    const { keyspace, events } = withKeyspace("Ex")
    keyspace.databases[3].setWithExpiry("gone", "v", 100)
    keyspace.databases[3].setWithExpiry("stays", "v", 10_000)
    expect(keyspace.sweepExpired(200)).toBe(1)
    expect(events()).toEqual(["__keyevent@3__:expired gone"])
  })

  it("without the x class, or without K and E, nothing is published", () => {
    for (const flags of ["KE$g", "x", "KEm"]) {
      const { db, events } = withKeyspace(flags)
      db.setWithExpiry("k", "v", 100)
      db.get("k", 200)
      expect(events()).toEqual([])
    }
  })

  it("new: a write to a key that is not stored yet, whatever writes it", () => {
    const { db, events } = withKeyspace("Kn")
    db.set("a", "1")
    db.set("a", "2")
    db.setWithExpiry("b", "1", 100)
    db.get("b", 200)
    db.setKeepTtl("b", "again")
    expect(events()).toEqual(["__keyspace@0__:a new", "__keyspace@0__:b new", "__keyspace@0__:b new"])
    expect(NotifyType.New).not.toBe(NotifyType.Expired)
  })
})
