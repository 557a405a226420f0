/**
 * Authentication over TCP: requirepass, AUTH, HELLO's AUTH option, NOAUTH for everything else,
 * RESET, password changes at run time, the parser's tighter limits before AUTH. Every suite runs
 * against our server and, when `redis-server` is installed, against a real Redis 7.0 with the same
 * expectations. Then what only we can show: passwords stay out of the AOF, CLIENT LIST and our
 * log lines, and the constant-time check itself.
 */
import { Acl } from "../../src/acl/Acl.js"
import { commandTable } from "../../src/commands/table.js"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "@effect/vitest"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { RuntimeConfig } from "../../src/config/RuntimeConfig.js"
import { makeServerConfig } from "../../src/config/ServerConfig.js"
import { RequestParser } from "../../src/protocol/Parser.js"
import {
  AUTH_WITHOUT_PASSWORD,
  deniedByProtectedMode,
  isLoopbackAddress,
  NOAUTH,
  NOAUTH_HELLO,
  WRONGPASS
} from "../../src/session/Authentication.js"
import { ClientState } from "../../src/session/ClientState.js"
import { parserLimits, queryBufferOverflow } from "../../src/server/ClientLimits.js"
import { RawClient } from "../support/RawClient.js"
import type { Reply } from "../support/RespReader.js"
import { hasRealRedis, type RunningServer, startRealRedis, startRedfiber } from "../support/servers.js"

const ok: Reply = { kind: "simple", value: "OK" }
const pong: Reply = { kind: "simple", value: "PONG" }
const bulk = (value: string | null): Reply => ({ kind: "bulk", value })
const err = (value: string): Reply => ({ kind: "error", value })

type Steps = ReadonlyArray<readonly [args: ReadonlyArray<string>, expected: Reply]>

const PASSWORD = "s3cret pass"

const defineSuite = (label: string, start: (password: string) => Promise<RunningServer>) =>
  describe(label, () => {
    let server: RunningServer
    const open: Array<RawClient> = []
    const connect = async () => {
      const client = await RawClient.connect(server.port)
      open.push(client)
      return client
    }
    const run = async (client: RawClient, steps: Steps) => {
      for (const [args, expected] of steps) expect([args, await client.call(...args)]).toEqual([args, expected])
    }
    /** Bytes as they are, then the one reply; a protocol error must close the connection. */
    const raw = async (bytes: string): Promise<Reply> => {
      const client = await connect()
      client.write(bytes)
      const reply = await client.read()
      if (reply.kind === "error" && reply.value.startsWith("ERR Protocol error")) await client.waitClosed()
      return reply
    }

    beforeAll(async () => {
      server = await start(PASSWORD)
    })
    afterEach(() => {
      for (const client of open.splice(0)) client.close()
    })
    afterAll(async () => {
      await server.stop()
    })

    it("before AUTH: lookup and arity errors first, then NOAUTH for all but AUTH, HELLO, QUIT and RESET", async () => {
      const client = await connect()
      await run(client, [
        [["PING"], err(NOAUTH)],
        [["GET", "k"], err(NOAUTH)],
        [["CONFIG", "GET", "requirepass"], err(NOAUTH)],
        [["NOSUCH"], err("ERR unknown command 'NOSUCH', with args beginning with: ")],
        [["GET"], err("ERR wrong number of arguments for 'get' command")],
        [["CLIENT", "NOSUCH"], err("ERR unknown subcommand 'NOSUCH'. Try CLIENT HELP.")],
        [["AUTH"], err("ERR wrong number of arguments for 'auth' command")],
        [["AUTH", "a", "b", "c"], err("ERR syntax error")],
        [["AUTH", "wrong"], err(WRONGPASS)],
        [["AUTH", "DEFAULT", PASSWORD], err(WRONGPASS)],
        [["AUTH", "bob", PASSWORD], err(WRONGPASS)],
        [["AUTH", `${PASSWORD} `], err(WRONGPASS)],
        [["HELLO"], err(NOAUTH_HELLO)],
        [["HELLO", "2"], err(NOAUTH_HELLO)],
        [["HELLO", "2", "AUTH", "default", "wrong"], err(WRONGPASS)],
        [["HELLO", "2", "AUTH", "default"], err("ERR Syntax error in HELLO option 'AUTH'")],
        [["RESET"], { kind: "simple", value: "RESET" }],
        [["PING"], err(NOAUTH)],
        [["AUTH", PASSWORD], ok],
        [["PING"], pong],
        // A failed AUTH does not undo an earlier success.
        [["AUTH", "wrong"], err(WRONGPASS)],
        [["PING"], pong],
        [["AUTH", "default", PASSWORD], ok],
        [["RESET"], { kind: "simple", value: "RESET" }],
        [["GET", "k"], err(NOAUTH)],
        [["QUIT"], ok]
      ])
    })

    it("HELLO AUTH authenticates; SETNAME before a refusal still names the client, as in 7.0", async () => {
      const client = await connect()
      await run(client, [
        [["HELLO", "2", "SETNAME", "early"], err(NOAUTH_HELLO)],
        [["HELLO", "2", "SETNAME", "later", "AUTH", "default", "bad"], err(WRONGPASS)],
        [["AUTH", PASSWORD], ok],
        [["CLIENT", "GETNAME"], bulk("later")],
        [["RESET"], { kind: "simple", value: "RESET" }]
      ])
      const reply = await client.call("HELLO", "2", "AUTH", "default", PASSWORD, "SETNAME", "named")
      expect(reply.kind).toBe("array")
      await run(client, [[["CLIENT", "GETNAME"], bulk("named")], [["PING"], pong]])
    })

    it("HELLO 3 AUTH authenticates and switches to RESP3 in one step", async () => {
      const client = await connect()
      await run(client, [[["HELLO", "3", "AUTH", "default", "bad"], err(WRONGPASS)], [["PING"], err(NOAUTH)]])
      const reply = await client.call("HELLO", "3", "AUTH", "default", PASSWORD)
      expect(reply.kind).toBe("map")
      const fields = reply.kind === "map" ? reply.value : []
      expect(fields.slice(4, 6)).toEqual([bulk("proto"), { kind: "integer", value: "3" }])
      await run(client, [[["GET", "missing"], { kind: "null", value: null }]])
    })

    it("before AUTH the parser refuses more than 10 arguments and bulks over 16 KB, then closes", async () => {
      expect(await raw("*11\r\n")).toEqual(err("ERR Protocol error: unauthenticated multibulk length"))
      expect(await raw("*2\r\n$16385\r\n")).toEqual(err("ERR Protocol error: unauthenticated bulk length"))
      // A declared length over proto-max-bulk-len is the usual error, even before AUTH.
      expect(await raw("*2\r\n$2147483647\r\n")).toEqual(err("ERR Protocol error: invalid bulk length"))
      // At the limits: accepted (and refused as a command).
      expect(await raw(`*10\r\n${"$4\r\nPING\r\n".repeat(10)}`)).toEqual(err(NOAUTH))
      const big = "x".repeat(16384)
      expect(await raw(`*2\r\n$4\r\nECHO\r\n$16384\r\n${big}\r\n`)).toEqual(err(NOAUTH))
      // After AUTH, in the same pipeline, the usual limits.
      const client = await connect()
      const args = Array.from({ length: 12 }, (_, i) => `k${i}`)
      client.write(`*2\r\n$4\r\nAUTH\r\n$${PASSWORD.length}\r\n${PASSWORD}\r\n` +
        `*${args.length + 1}\r\n$6\r\nEXISTS\r\n${args.map((a) => `$${a.length}\r\n${a}\r\n`).join("")}` +
        `*2\r\n$4\r\nECHO\r\n$20000\r\n${"y".repeat(20000)}\r\n`)
      expect(await client.read()).toEqual(ok)
      expect(await client.read()).toEqual({ kind: "integer", value: "0" })
      expect(await client.read()).toEqual(bulk("y".repeat(20000)))
    })
  })

defineSuite("authentication (redfiber)", async (password) => startRedfiber({ requirepass: password }))
/** Real Redis gets its password once it answers PING (startRealRedis waits for a PONG). */
const realRedisWithPassword = async (password: string): Promise<RunningServer> => {
  const server = await startRealRedis()
  const admin = await RawClient.connect(server.port)
  await admin.call("CONFIG", "SET", "requirepass", password)
  admin.close()
  return server
}
if (hasRealRedis) defineSuite("authentication (real Redis 7)", realRedisWithPassword)

/** A password set and removed at run time, against both servers: who stays authenticated. */
const defineRuntimeSuite = (label: string, start: () => Promise<RunningServer>) =>
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
    afterAll(async () => {
      for (const client of open) client.close()
      await server.stop()
    })

    it("clients keep the state they had; RESET and new clients follow the password of the moment", async () => {
      const admin = await connect()
      const before = await connect()
      expect(await before.call("AUTH", "anything")).toEqual(err(AUTH_WITHOUT_PASSWORD))
      // With no password the default user takes any password.
      expect(await before.call("AUTH", "default", "anything")).toEqual(ok)
      expect(await before.call("AUTH", "bob", "anything")).toEqual(err(WRONGPASS))
      expect(await admin.call("CONFIG", "SET", "requirepass", "pw")).toEqual(ok)
      expect(await before.call("PING")).toEqual(pong)
      const after = await connect()
      expect(await after.call("PING")).toEqual(err(NOAUTH))
      // A new password: whoever is in stays in.
      expect(await admin.call("CONFIG", "SET", "requirepass", "pw2")).toEqual(ok)
      expect(await before.call("AUTH", "pw")).toEqual(err(WRONGPASS))
      expect(await before.call("PING")).toEqual(pong)
      // No password: everyone runs commands, yet `after` never authenticated...
      expect(await admin.call("CONFIG", "SET", "requirepass", "")).toEqual(ok)
      expect(await after.call("PING")).toEqual(pong)
      // ... so a password set again locks it out again, while RESET under no password let `before` in for good.
      expect(await before.call("RESET")).toEqual({ kind: "simple", value: "RESET" })
      expect(await admin.call("CONFIG", "SET", "requirepass", "pw3")).toEqual(ok)
      expect(await after.call("PING")).toEqual(err(NOAUTH))
      expect(await before.call("PING")).toEqual(pong)
      expect(await admin.call("CONFIG", "GET", "requirepass")).toEqual({
        kind: "array",
        value: [bulk("requirepass"), bulk("pw3")]
      })
      expect(await admin.call("CONFIG", "SET", "requirepass", "")).toEqual(ok)
    })
  })

defineRuntimeSuite("password changes at run time (redfiber)", () => startRedfiber())
if (hasRealRedis) defineRuntimeSuite("password changes at run time (real Redis 7)", () => startRealRedis())

describe("passwords stay secret (redfiber)", () => {
  it("AUTH never reaches the AOF or CLIENT LIST", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "redfiber-auth-"))
    const server = await startRedfiber({ requirepass: PASSWORD, appendonly: "yes", appendfsync: "always", dir })
    try {
      const client = await RawClient.connect(server.port)
      expect(await client.call("AUTH", PASSWORD)).toEqual(ok)
      expect(await client.call("HELLO", "2", "AUTH", "default", PASSWORD)).toMatchObject({ kind: "array" })
      expect(await client.call("SET", "k", "v")).toEqual(ok)
      const list = await client.call("CLIENT", "LIST")
      expect(list.kind).toBe("bulk")
      expect(String(list.value)).not.toContain("s3cret")
      client.close()
      const files = fs.readdirSync(dir, { recursive: true, encoding: "utf8" })
      const aof = files.map((file) => path.join(dir, file)).filter((file) => fs.statSync(file).isFile())
      const text = aof.map((file) => fs.readFileSync(file, "latin1")).join("")
      expect(text).toContain("SET")
      expect(text).not.toContain("s3cret")
      expect(text.toUpperCase()).not.toContain("AUTH")
    } finally {
      await server.stop()
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })

  it("a query buffer overflow during AUTH logs no byte of it", () => {
    const config = new RuntimeConfig(makeServerConfig({ clientQueryBufferLimit: 1024 * 1024 }))
    const client = new ClientState(1, "127.0.0.1:1", "127.0.0.1:2", 0, () => {})
    client.authenticated = true
    const parser = new RequestParser(parserLimits(config, client))
    parser.feed(Buffer.from(`*2\r\n$4\r\nAUTH\r\n$2000000\r\n${"p".repeat(1100000)}`, "latin1"))
    expect(parser.next()).toBeUndefined()
    const line = queryBufferOverflow(config, client, parser, 0)
    expect(line).toContain("Closing client that reached max query buffer length: id=1 ")
    expect(line).toContain("(qbuf initial bytes: (hidden: AUTH arguments))")
    expect(line).not.toContain("ppp")
  })
})

describe("protected mode's decision", () => {
  const config = (input: Parameters<typeof makeServerConfig>[0] = {}) => new RuntimeConfig(makeServerConfig(input))

  it("loopback is 127.0.0.0/8 and ::1, also as IPv4-mapped IPv6", () => {
    for (const address of ["127.0.0.1", "127.1.2.3", "::1", "::ffff:127.0.0.1"]) expect(isLoopbackAddress(address)).toBe(true)
    for (const address of ["192.0.2.2", "10.0.0.1", "::ffff:10.0.0.1", "fe80::1", "::", "1270.0.0.1", undefined]) {
      expect(isLoopbackAddress(address)).toBe(false)
    }
  })

  it("denies others only with protected mode on and no password", () => {
    const acl = (requirepass = "") => new Acl(commandTable, requirepass)
    expect(deniedByProtectedMode(config(), acl(), "192.0.2.2")).toBe(true)
    expect(deniedByProtectedMode(config(), acl(), "127.0.0.1")).toBe(false)
    expect(deniedByProtectedMode(config({ protectedMode: "no" }), acl(), "192.0.2.2")).toBe(false)
    expect(deniedByProtectedMode(config({ requirepass: "x" }), acl("x"), "192.0.2.2")).toBe(false)
    const live = config()
    const liveAcl = acl()
    live.setExtra("protected-mode", "no")
    expect(deniedByProtectedMode(live, liveAcl, "192.0.2.2")).toBe(false)
    live.setExtra("protected-mode", "yes")
    liveAcl.setDefaultPassword("set later")
    expect(deniedByProtectedMode(live, liveAcl, "192.0.2.2")).toBe(false)
  })
})
