/**
 * The connection family over TCP, byte for byte: PING, ECHO, RESET, HELLO and CLIENT. Every
 * suite runs against our server and, when `redis-server` is installed, against a real Redis 7
 * with the same expectations, so the expectations themselves are checked against the oracle.
 * What only we do (CLIENT SETINFO, which arrived in Redis 7.2) is tested on our server alone.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { RawClient } from "../support/RawClient.js"
import type { Reply } from "../support/RespReader.js"
import { hasRealRedis, type RunningServer, startRealRedis, startRedfiber } from "../support/servers.js"

const ok: Reply = { kind: "simple", value: "OK" }
const nil: Reply = { kind: "bulk", value: null }
const bulk = (value: string): Reply => ({ kind: "bulk", value })
const int = (value: number | string): Reply => ({ kind: "integer", value: String(value) })
const err = (value: string): Reply => ({ kind: "error", value })
const arr = (...items: ReadonlyArray<Reply>): Reply => ({ kind: "array", value: items })
const arity = (name: string) => err(`ERR wrong number of arguments for '${name}' command`)
const SYNTAX = err("ERR syntax error")
const BAD_NAME = err("ERR Client names cannot contain spaces, newlines or special characters.")

const helloFields = (id: number | string, proto: number): Array<Reply> => [
  bulk("server"), bulk("redis"), bulk("version"), bulk("7.0.15"), bulk("proto"), int(proto),
  bulk("id"), int(id), bulk("mode"), bulk("standalone"), bulk("role"), bulk("master"),
  bulk("modules"), arr()
]
const helloReply = (id: number | string): Reply => arr(...helloFields(id, 2))
/** RESP3's map, read as its flat key/value list. */
const helloMap = (id: number | string): Reply => ({ kind: "map", value: helloFields(id, 3) })

/** The fields of a CLIENT LIST / CLIENT INFO line, in order. */
const fieldsOf = (line: string): Map<string, string> =>
  new Map(line.trim().split(" ").map((pair) => {
    const eq = pair.indexOf("=")
    return [pair.slice(0, eq), pair.slice(eq + 1)] as const
  }))

const textOf = (reply: Reply): string => {
  if (reply.kind !== "bulk" || reply.value === null) throw new Error(`expected a bulk reply, got ${reply.kind}`)
  return reply.value
}

const clientId = async (client: RawClient): Promise<number> => Number((await client.call("CLIENT", "ID")).value)

type Steps = ReadonlyArray<readonly [args: ReadonlyArray<string>, expected: Reply]>

const defineSuite = (label: string, start: () => Promise<RunningServer>) =>
  describe(label, () => {
    let server: RunningServer
    const open: Array<RawClient> = []
    const connect = async () => {
      const client = await RawClient.connect(server.port)
      open.push(client)
      return client
    }
    const run = async (steps: Steps, client?: RawClient) => {
      const c = client ?? (await connect())
      for (const [args, expected] of steps) expect([args, await c.call(...args)]).toEqual([args, expected])
    }

    beforeAll(async () => {
      server = await start()
    })
    afterAll(async () => {
      for (const client of open) client.close()
      await server.stop()
    })

    it("PING and ECHO", () =>
      run([
        [["PING"], { kind: "simple", value: "PONG" }],
        [["ping", "hi"], bulk("hi")],
        [["PING", "a", "b"], arity("ping")],
        [["ECHO", "\x00\xff"], bulk("\x00\xff")],
        [["ECHO"], arity("echo")],
        [["ECHO", "a", "b"], arity("echo")]
      ]))

    it("SELECT reads its index as Redis's int", () =>
      run([
        [["SELECT", "15"], ok],
        [["SELECT", "16"], err("ERR DB index is out of range")],
        [["SELECT", "-1"], err("ERR DB index is out of range")],
        [["SELECT", "2147483647"], err("ERR DB index is out of range")],
        [["SELECT", "2147483648"], err("ERR value is out of range, value must between -2147483648 and 2147483647")],
        [["SELECT", "-9223372036854775808"], err("ERR value is out of range, value must between -2147483648 and 2147483647")],
        [["SELECT", "99999999999999999999"], err("ERR value is not an integer or out of range")],
        [["SELECT", "01"], err("ERR value is not an integer or out of range")],
        [["SELECT", "0"], ok]
      ]))

    it("HELLO answers in RESP2 and validates its arguments like Redis", async () => {
      const client = await connect()
      const id = await clientId(client)
      await run([
        [["HELLO"], helloReply(id)],
        [["hello", "2"], helloReply(id)],
        [["HELLO", "1"], err("NOPROTO unsupported protocol version")],
        [["HELLO", "4"], err("NOPROTO unsupported protocol version")],
        [["HELLO", "-1"], err("NOPROTO unsupported protocol version")],
        [["HELLO", "abc"], err("ERR Protocol version is not an integer or out of range")],
        [["HELLO", "02"], err("ERR Protocol version is not an integer or out of range")],
        [["HELLO", "99999999999999999999"], err("ERR Protocol version is not an integer or out of range")],
        [["HELLO", "2", "foo"], err("ERR Syntax error in HELLO option 'foo'")],
        [["HELLO", "2", "SETNAME"], err("ERR Syntax error in HELLO option 'SETNAME'")],
        [["HELLO", "2", "AUTH", "default"], err("ERR Syntax error in HELLO option 'AUTH'")],
        [["HELLO", "2", "AUTH", "bob", "pw"], err("WRONGPASS invalid username-password pair or user is disabled.")],
        [["HELLO", "2", "AUTH", "bob", "pw", "SETNAME", "x"], err("WRONGPASS invalid username-password pair or user is disabled.")],
        [["HELLO", "2", "AUTH", "default", "any"], helloReply(id)],
        [["HELLO", "2", "SETNAME", "has space"], BAD_NAME],
        [["CLIENT", "GETNAME"], nil],
        [["HELLO", "2", "setname", "first", "SETNAME", "named"], helloReply(id)],
        [["CLIENT", "GETNAME"], bulk("named")],
        // Options apply in order: the name is set before the bad option is reached.
        [["HELLO", "2", "SETNAME", "early", "extra"], err("ERR Syntax error in HELLO option 'extra'")],
        [["CLIENT", "GETNAME"], bulk("early")]
      ], client)
    })

    it("HELLO 3 switches to RESP3 from its own reply on; HELLO alone keeps it; HELLO 2 and RESET go back", async () => {
      const client = await connect()
      const id = await clientId(client)
      await run([
        [["HELLO", "3"], helloMap(id)],
        [["HELLO"], helloMap(id)],
        [["GET", "no-such-key"], { kind: "null", value: null }],
        [["HELLO", "3", "AUTH", "default", "anything", "SETNAME", "resp3"], helloMap(id)],
        [["CLIENT", "GETNAME"], bulk("resp3")],
        [["HELLO", "3", "AUTH", "nobody", "x"], err("WRONGPASS invalid username-password pair or user is disabled.")],
        [["HELLO", "4"], err("NOPROTO unsupported protocol version")],
        [["HELLO", "2"], helloReply(id)],
        [["GET", "no-such-key"], nil],
        [["HELLO", "3"], helloMap(id)],
        [["RESET"], { kind: "simple", value: "RESET" }],
        [["GET", "no-such-key"], nil]
      ], client)
      expect(fieldsOf(textOf(await client.call("CLIENT", "INFO"))).get("resp")).toBe("2")
    })

    it("RESET returns the connection to database 0 without a name", async () => {
      const client = await connect()
      await run([
        [["SELECT", "2"], ok],
        [["CLIENT", "SETNAME", "before"], ok],
        [["RESET"], { kind: "simple", value: "RESET" }],
        [["CLIENT", "GETNAME"], nil],
        [["reset"], { kind: "simple", value: "RESET" }],
        [["RESET", "x"], arity("reset")]
      ], client)
      expect(fieldsOf(textOf(await client.call("CLIENT", "INFO"))).get("db")).toBe("0")
    })

    it("CLIENT ID, SETNAME and GETNAME", async () => {
      const client = await connect()
      const id = await clientId(client)
      expect(id).toBeGreaterThan(0)
      await run([
        [["CLIENT", "ID"], int(id)],
        [["CLIENT", "ID", "x"], arity("client|id")],
        [["CLIENT", "GETNAME"], nil],
        [["CLIENT", "SETNAME", "conn-1"], ok],
        [["client", "getname"], bulk("conn-1")],
        [["CLIENT", "SETNAME", "~!@#$%^&*()_+{}|:<>?"], ok],
        [["CLIENT", "SETNAME", "has space"], BAD_NAME],
        [["CLIENT", "SETNAME", "new\nline"], BAD_NAME],
        [["CLIENT", "SETNAME", "\x7f"], BAD_NAME],
        [["CLIENT", "SETNAME", "caf\xc3\xa9"], BAD_NAME],
        [["CLIENT", "GETNAME"], bulk("~!@#$%^&*()_+{}|:<>?")],
        [["CLIENT", "SETNAME", ""], ok],
        [["CLIENT", "GETNAME"], nil],
        [["CLIENT", "SETNAME"], arity("client|setname")],
        [["CLIENT", "GETNAME", "x"], arity("client|getname")],
        [["CLIENT"], arity("client")],
        [["CLIENT", "NOSUCH"], err("ERR unknown subcommand 'NOSUCH'. Try CLIENT HELP.")]
      ], client)
    })

    it("CLIENT INFO and CLIENT LIST describe connections in Redis's line format", async () => {
      const a = await connect()
      const b = await connect()
      const [idA, idB] = [await clientId(a), await clientId(b)]
      await b.call("CLIENT", "SETNAME", "bee")
      await b.call("SELECT", "3")
      const info = fieldsOf(textOf(await a.call("CLIENT", "INFO")))
      expect(info.get("id")).toBe(String(idA))
      expect(info.get("cmd")).toBe("client|info")
      expect(info.get("laddr")).toBe(`127.0.0.1:${server.port}`)
      expect(info.get("addr")).toMatch(/^127\.0\.0\.1:\d+$/)
      expect(info.get("flags")).toBe("N")
      expect(info.get("qbuf")).toBe("26")
      expect(info.get("argv-mem")).toBe("10")
      expect(info.get("resp")).toBe("2")

      // Listed by ID in the order asked, once per mention.
      const listed = textOf(await a.call("CLIENT", "LIST", "ID", String(idB), String(idA), "999999", String(idB)))
      expect(listed.endsWith("\n")).toBe(true)
      const lines = listed.slice(0, -1).split("\n").map(fieldsOf)
      expect(lines.map((line) => line.get("id"))).toEqual([String(idB), String(idA), String(idB)])
      expect([lines[0].get("name"), lines[0].get("db"), lines[0].get("cmd")]).toEqual(["bee", "3", "select"])

      const all = textOf(await a.call("CLIENT", "LIST"))
      expect(all.split("\n").filter((line) => line !== "").map((line) => fieldsOf(line).get("id")))
        .toEqual(expect.arrayContaining([String(idA), String(idB)]))
      expect(textOf(await a.call("CLIENT", "LIST", "TYPE", "NORMAL"))).toContain(`id=${idA} `)
      await run([
        [["CLIENT", "LIST", "TYPE", "pubsub"], bulk("")],
        [["CLIENT", "LIST", "TYPE", "master"], bulk("")],
        [["CLIENT", "LIST", "TYPE", "foo"], err("ERR Unknown client type 'foo'")],
        [["CLIENT", "LIST", "ID", "0", "-1"], bulk("")],
        [["CLIENT", "LIST", "ID", "x"], err("ERR Invalid client ID")],
        [["CLIENT", "LIST", "ID", "1", "TYPE", "normal"], err("ERR Invalid client ID")],
        [["CLIENT", "LIST", "TYPE", "normal", "ID", "1"], SYNTAX],
        [["CLIENT", "LIST", "ID"], SYNTAX],
        [["CLIENT", "LIST", "foo"], SYNTAX],
        [["CLIENT", "INFO", "x"], arity("client|info")]
      ], a)
    })

    it("CLIENT KILL validates its filters like Redis", () =>
      run([
        [["CLIENT", "KILL", "1.2.3.4:5"], err("ERR No such client")],
        [["CLIENT", "KILL", "ID"], err("ERR No such client")],
        [["CLIENT", "KILL", "ID", "999999"], int(0)],
        [["CLIENT", "KILL", "ID", "0"], err("ERR client-id should be greater than 0")],
        [["CLIENT", "KILL", "ID", "x"], err("ERR client-id should be greater than 0")],
        [["CLIENT", "KILL", "ADDR", "1.2.3.4:5"], int(0)],
        [["CLIENT", "KILL", "LADDR", "1.2.3.4:5"], int(0)],
        [["CLIENT", "KILL", "USER", "bob"], err("ERR No such user 'bob'")],
        [["CLIENT", "KILL", "SKIPME", "maybe"], SYNTAX],
        [["CLIENT", "KILL", "TYPE", "foo"], err("ERR Unknown client type 'foo'")],
        [["CLIENT", "KILL", "TYPE", "pubsub"], int(0)],
        [["CLIENT", "KILL", "FOO", "bar"], SYNTAX],
        [["CLIENT", "KILL", "ID", "1", "ADDR"], SYNTAX],
        [["CLIENT", "KILL"], arity("client|kill")]
      ]))

    it("CLIENT KILL closes other connections at once and its caller after the reply", async () => {
      const killer = await connect()
      const byId = await connect()
      const byAddress = await connect()
      const oldForm = await connect()
      expect(await killer.call("CLIENT", "KILL", "ID", String(await clientId(byId)))).toEqual(int(1))
      await byId.waitClosed()

      const address = fieldsOf(textOf(await byAddress.call("CLIENT", "INFO"))).get("addr")!
      expect(await killer.call("CLIENT", "KILL", "ADDR", address, "SKIPME", "yes")).toEqual(int(1))
      await byAddress.waitClosed()

      const oldAddress = fieldsOf(textOf(await oldForm.call("CLIENT", "INFO"))).get("addr")!
      expect(await killer.call("CLIENT", "KILL", oldAddress)).toEqual(ok)
      await oldForm.waitClosed()

      // Killing oneself: the reply arrives, then the connection closes; nothing after it runs.
      const own = fieldsOf(textOf(await killer.call("CLIENT", "INFO"))).get("addr")!
      killer.send("CLIENT", "KILL", "ADDR", own, "SKIPME", "no")
      killer.send("PING")
      expect(await killer.read()).toEqual(int(1))
      await killer.waitClosed()
      expect(killer.pending.length).toBe(0)

      const self = await connect()
      const selfAddress = fieldsOf(textOf(await self.call("CLIENT", "INFO"))).get("addr")!
      self.send("CLIENT", "KILL", selfAddress)
      self.send("PING")
      expect(await self.read()).toEqual(ok)
      await self.waitClosed()
      expect(self.pending.length).toBe(0)
    })

    it("CLIENT KILL USER and LADDR match every other connection, SKIPME spares the caller", async () => {
      for (const client of open.splice(0)) client.close()
      const caller = await connect()
      const others = [await connect(), await connect()]
      for (const other of others) await other.call("PING")
      // Wait until the server has seen the earlier tests' connections go, so only these remain.
      for (;;) {
        const listed = textOf(await caller.call("CLIENT", "LIST"))
        if (listed.split("\n").filter((line) => line !== "").length === 3) break
        await new Promise((resolve) => setTimeout(resolve, 10))
      }
      expect(await caller.call("CLIENT", "KILL", "USER", "default", "LADDR", `127.0.0.1:${server.port}`))
        .toEqual(int(2))
      for (const other of others) await other.waitClosed()
      expect(await caller.call("PING")).toEqual({ kind: "simple", value: "PONG" })
    })

    it("CLIENT NO-EVICT, GETREDIR and TRACKINGINFO answer as for an untracked connection", () =>
      run([
        [["CLIENT", "NO-EVICT", "on"], ok],
        [["CLIENT", "NO-EVICT", "off"], ok],
        [["CLIENT", "NO-EVICT", "maybe"], SYNTAX],
        [["CLIENT", "GETREDIR"], int(-1)],
        [["CLIENT", "TRACKINGINFO"], arr(bulk("flags"), arr(bulk("off")), bulk("redirect"), int(-1), bulk("prefixes"), arr())]
      ]))

    it("CLIENT HELP is Redis's text", async () => {
      const client = await connect()
      const reply = await client.call("CLIENT", "HELP")
      const lines = reply.kind === "array" ? (reply.value ?? []).map((line) => line.value) : []
      expect(lines[0]).toBe("CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:")
      expect(lines.slice(-2)).toEqual(["HELP", "    Prints this help."])
      expect(lines).toContain("SETNAME <name>")
    })
  })

defineSuite("connection commands (redfiber)", () => startRedfiber())
if (hasRealRedis) defineSuite("connection commands (real Redis 7, same expectations)", () => startRealRedis())

describe("connection commands only redfiber has", () => {
  let server: RunningServer
  beforeAll(async () => {
    server = await startRedfiber()
  })
  afterAll(() => server.stop())

  it("CLIENT SETINFO stores LIB-NAME and LIB-VER with Redis 7.2's validation", async () => {
    const client = await RawClient.connect(server.port)
    try {
      expect(await client.call("CLIENT", "SETINFO", "LIB-NAME", "node-redis")).toEqual(ok)
      expect(await client.call("client", "setinfo", "lib-ver", "5.0.0")).toEqual(ok)
      expect(await client.call("CLIENT", "SETINFO", "lib-ver", "a b"))
        .toEqual(err("ERR lib-ver cannot contain spaces, newlines or special characters."))
      expect(await client.call("CLIENT", "SETINFO", "LIB-NAME", "x\n"))
        .toEqual(err("ERR LIB-NAME cannot contain spaces, newlines or special characters."))
      expect(await client.call("CLIENT", "SETINFO", "foo", "x")).toEqual(err("ERR Unrecognized option 'foo'"))
      expect(await client.call("CLIENT", "SETINFO", "LIB-NAME")).toEqual(arity("client|setinfo"))
      const info = fieldsOf(textOf(await client.call("CLIENT", "INFO")))
      expect([info.get("lib-name"), info.get("lib-ver")]).toEqual(["node-redis", "5.0.0"])
      // RESET keeps the library's identity, as in Redis 7.2.
      await client.call("RESET")
      expect(fieldsOf(textOf(await client.call("CLIENT", "INFO"))).get("lib-name")).toBe("node-redis")
    } finally {
      client.close()
    }
  })
})

describe.skipIf(!hasRealRedis)("CLIENT LIST against real Redis", () => {
  it("has Redis 7's fields in Redis 7's order, then Redis 7.2's lib-name and lib-ver", async () => {
    const [ours, real] = await Promise.all([startRedfiber(), startRealRedis()])
    const clients = await Promise.all([RawClient.connect(ours.port), RawClient.connect(real.port)])
    try {
      const [oursFields, realFields] = await Promise.all(
        clients.map(async (client) => [...fieldsOf(textOf(await client.call("CLIENT", "LIST"))).keys()])
      )
      expect(oursFields).toEqual([...realFields, "lib-name", "lib-ver"])
    } finally {
      for (const client of clients) client.close()
      await Promise.all([ours.stop(), real.stop()])
    }
  })
})
