/**
 * The server family over TCP: CONFIG, INFO, COMMAND, TIME, LASTSAVE, SHUTDOWN's errors and DEBUG.
 * The deterministic replies run against our server and, when `redis-server` is installed, against
 * a real Redis 7 with the same expectations. Where the two differ by design (our command table is
 * smaller, our port cannot move, INFO values) the formats are compared with the real server's
 * side by side: INFO's sections and field names, COMMAND INFO and COMMAND DOCS of our commands.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import type { CommandSpec } from "../../src/commands/Command.js"
import { connectionCommands } from "../../src/commands/connection.js"
import { serverCommands } from "../../src/commands/server.js"
import { commandSubcommands } from "../../src/commands/server/command.js"
import { RawClient } from "../support/RawClient.js"
import type { Reply } from "../support/RespReader.js"
import { hasRealRedis, type RunningServer, startRealRedis, startRedfiber } from "../support/servers.js"

const ok: Reply = { kind: "simple", value: "OK" }
const nil: Reply = { kind: "bulk", value: null }
const bulk = (value: string): Reply => ({ kind: "bulk", value })
const int = (value: number | string): Reply => ({ kind: "integer", value: String(value) })
const err = (value: string): Reply => ({ kind: "error", value })
const arr = (...items: ReadonlyArray<Reply>): Reply => ({ kind: "array", value: items })
const bulks = (...values: ReadonlyArray<string>): Reply => arr(...values.map(bulk))
const arity = (name: string) => err(`ERR wrong number of arguments for '${name}' command`)
const SYNTAX = err("ERR syntax error")
const failed = (name: string, reason: string) =>
  err(`ERR CONFIG SET failed (possibly related to argument '${name}') - ${reason}`)
const NOT_INTEGER = "argument couldn't be parsed into an integer"
const INT_RANGE = "argument must be between 0 and 2147483647 inclusive"

const items = (reply: Reply): ReadonlyArray<Reply> => (reply.kind === "array" ? reply.value ?? [] : [])
const texts = (reply: Reply): Array<string> => items(reply).map((item) => String(item.value))
const textOf = (reply: Reply): string => {
  if (reply.kind !== "bulk" || reply.value === null) throw new Error(`expected a bulk reply, got ${reply.kind}`)
  return reply.value
}
/** A flat name/value array as a map (CONFIG GET's order is a hash order in Redis). */
const pairs = (reply: Reply): Record<string, string> => {
  const values = texts(reply)
  const result: Record<string, string> = {}
  for (let i = 0; i < values.length; i += 2) result[values[i]] = values[i + 1]
  return result
}
/** INFO text as sections: title → field → value. */
const parseInfo = (text: string): Map<string, Map<string, string>> => {
  const sections = new Map<string, Map<string, string>>()
  let current = new Map<string, string>()
  for (const line of text.split("\r\n")) {
    if (line.startsWith("# ")) sections.set(line.slice(2), (current = new Map()))
    else if (line !== "") current.set(line.slice(0, line.indexOf(":")), line.slice(line.indexOf(":") + 1))
  }
  return sections
}

type Steps = ReadonlyArray<readonly [args: ReadonlyArray<string>, expected: Reply]>

const startReal = () => startRealRedis(["--enable-debug-command", "yes"])

const defineSuite = (label: string, start: () => Promise<RunningServer>) =>
  describe(label, () => {
    let server: RunningServer
    let client: RawClient
    const run = async (steps: Steps) => {
      for (const [args, expected] of steps) expect([args, await client.call(...args)]).toEqual([args, expected])
    }

    beforeAll(async () => {
      server = await start()
      client = await RawClient.connect(server.port)
    })
    afterAll(async () => {
      client.close()
      await server.stop()
    })

    it("CONFIG GET answers exact names as asked, patterns without case, each parameter once", async () => {
      await run([
        [["CONFIG", "GET", "save"], bulks("save", "")],
        [["CONFIG", "GET", "appendonly"], bulks("appendonly", "no")],
        [["CONFIG", "GET", "databases"], bulks("databases", "16")],
        [["CONFIG", "GET", "maxclients"], bulks("maxclients", "10000")],
        [["CONFIG", "GET", "timeout"], bulks("timeout", "0")],
        [["CONFIG", "GET", "hz"], bulks("hz", "10")],
        [["CONFIG", "GET", "proto-max-bulk-len"], bulks("proto-max-bulk-len", "536870912")],
        [["CONFIG", "GET", "shutdown-timeout"], bulks("shutdown-timeout", "10")],
        [["CONFIG", "GET", "maxmemory"], bulks("maxmemory", "0")],
        [["CONFIG", "GET", "appendfsync"], bulks("appendfsync", "everysec")],
        [["CONFIG", "GET", "bind"], bulks("bind", "127.0.0.1")],
        [["CONFIG", "GET", "port"], bulks("port", String(server.port))],
        [["CONFIG", "GET", "PORT"], bulks("PORT", String(server.port))],
        [["CONFIG", "GET", "maxmemory-p*"], bulks("maxmemory-policy", "noeviction")],
        [["CONFIG", "GET", "PROTO-MAX-*"], bulks("proto-max-bulk-len", "536870912")],
        [["CONFIG", "GET", "[pq]ort"], bulks("port", String(server.port))],
        [["CONFIG", "GET", "Timeout", "timeout", "time*"], bulks("Timeout", "0")],
        [["CONFIG", "GET", "no-such-parameter"], arr()],
        [["CONFIG", "GET", ""], arr()],
        [["CONFIG", "GET"], arity("config|get")],
        [["CONFIG"], arity("config")],
        [["CONFIG", "NOSUCH"], err("ERR unknown subcommand 'NOSUCH'. Try CONFIG HELP.")]
      ])
      expect(pairs(await client.call("CONFIG", "GET", "databases", "timeout", "nope", "save"))).toEqual({
        databases: "16",
        timeout: "0",
        save: ""
      })
    })

    it("CONFIG SET validates every value with Redis's errors and changes nothing on failure", () =>
      run([
        [["CONFIG", "SET", "foo", "bar"], err("ERR Unknown option or number of arguments for CONFIG SET - 'foo'")],
        [["CONFIG", "SET", "hz"], arity("config|set")],
        [["CONFIG", "SET", "hz", "5", "timeout"], SYNTAX],
        [["CONFIG", "SET", "databases", "4"], failed("databases", "can't set immutable config")],
        [["CONFIG", "SET", "DATABASES", "4"], failed("DATABASES", "can't set immutable config")],
        [["CONFIG", "SET", "dir", "/tmp"], failed("dir", "can't set protected config")],
        [["CONFIG", "SET", "dbfilename", "x.rdb"], failed("dbfilename", "can't set protected config")],
        [["CONFIG", "SET", "hz", "5", "hz", "6"], failed("hz", "duplicate parameter")],
        [["CONFIG", "SET", "timeout", "5", "TIMEOUT", "6"], failed("TIMEOUT", "duplicate parameter")],
        [["CONFIG", "SET", "hz", "5", "databases", "3", "foo", "1"], failed("databases", "can't set immutable config")],
        [["CONFIG", "SET", "foo", "1", "databases", "3"], err("ERR Unknown option or number of arguments for CONFIG SET - 'foo'")],
        [["CONFIG", "SET", "HZ", "abc"], failed("hz", NOT_INTEGER)],
        [["CONFIG", "SET", "hz", "-1"], failed("hz", INT_RANGE)],
        [["CONFIG", "SET", "hz", "5", "timeout", "-1"], failed("timeout", INT_RANGE)],
        [["CONFIG", "GET", "hz"], bulks("hz", "10")],
        [["CONFIG", "SET", "hz", "0"], ok],
        [["CONFIG", "GET", "hz"], bulks("hz", "1")],
        [["CONFIG", "SET", "hz", "1000"], ok],
        [["CONFIG", "GET", "hz"], bulks("hz", "500")],
        [["CONFIG", "SET", "hz", "10"], ok],
        [["CONFIG", "SET", "timeout", "01"], failed("timeout", NOT_INTEGER)],
        [["CONFIG", "SET", "timeout", "+5"], failed("timeout", NOT_INTEGER)],
        [["CONFIG", "SET", "timeout", "1k"], failed("timeout", NOT_INTEGER)],
        [["CONFIG", "SET", "timeout", "99999999999999999999"], failed("timeout", NOT_INTEGER)],
        [["CONFIG", "SET", "timeout", "2147483648"], failed("timeout", INT_RANGE)],
        [["CONFIG", "SET", "timeout", "300", "hz", "20"], ok],
        [["CONFIG", "GET", "timeout"], bulks("timeout", "300")],
        [["CONFIG", "SET", "timeout", "0", "hz", "10"], ok],
        [["CONFIG", "SET", "maxclients", "0"], failed("maxclients", "argument must be between 1 and 4294967295 inclusive")],
        [["CONFIG", "SET", "tcp-keepalive", "-1"], failed("tcp-keepalive", INT_RANGE)],
        [["CONFIG", "SET", "shutdown-timeout", "-1"], failed("shutdown-timeout", INT_RANGE)],
        [["CONFIG", "SET", "appendonly", "maybe"], failed("appendonly", "argument must be 'yes' or 'no'")],
        // (Not appendonly: a real Redis would start writing an AOF into our working directory.)
        [["CONFIG", "SET", "lazyfree-lazy-user-del", "YES"], ok],
        [["CONFIG", "GET", "lazyfree-lazy-user-del"], bulks("lazyfree-lazy-user-del", "yes")],
        [["CONFIG", "SET", "lazyfree-lazy-user-del", "no"], ok],
        [["CONFIG", "SET", "appendfsync", "sometimes"],
          failed("appendfsync", "argument(s) must be one of the following: everysec, always, no")],
        [["CONFIG", "SET", "maxmemory-policy", "ALLKEYS-LRU"], ok],
        [["CONFIG", "GET", "maxmemory-policy"], bulks("maxmemory-policy", "allkeys-lru")],
        [["CONFIG", "SET", "maxmemory-policy", "noeviction"], ok],
        [["CONFIG", "SET", "maxmemory", "1.5mb"], failed("maxmemory", "argument must be a memory value")],
        [["CONFIG", "SET", "maxmemory", "-1"], failed("maxmemory", "argument must be a memory value")],
        [["CONFIG", "SET", "maxmemory", " 1"], failed("maxmemory", "argument must be a memory value")],
        [["CONFIG", "SET", "maxmemory", "1Kb"], ok],
        [["CONFIG", "GET", "maxmemory"], bulks("maxmemory", "1024")],
        [["CONFIG", "SET", "maxmemory", "1k"], ok],
        [["CONFIG", "GET", "maxmemory"], bulks("maxmemory", "1000")],
        [["CONFIG", "SET", "maxmemory", "01"], ok],
        [["CONFIG", "GET", "maxmemory"], bulks("maxmemory", "1")],
        [["CONFIG", "SET", "maxmemory", ""], ok],
        [["CONFIG", "GET", "maxmemory"], bulks("maxmemory", "0")],
        [["CONFIG", "SET", "proto-max-bulk-len", "1000"],
          failed("proto-max-bulk-len", "argument must be between 1048576 and 9223372036854775807 inclusive")],
        [["CONFIG", "SET", "proto-max-bulk-len", "1mb"], ok],
        [["CONFIG", "GET", "proto-max-bulk-len"], bulks("proto-max-bulk-len", "1048576")],
        [["CONFIG", "SET", "proto-max-bulk-len", "512mb"], ok],
        [["CONFIG", "SET", "port", "70000"], failed("port", "argument must be between 0 and 65535 inclusive")],
        [["CONFIG", "SET", "port", String(server.port)], ok],
        [["CONFIG", "SET", "bind", "127.0.0.1"], ok],
        [["CONFIG", "SET", "bind", "999.1.1.1"], failed("bind", "Failed to bind to specified addresses.")],
        [["CONFIG", "GET", "bind"], bulks("bind", "127.0.0.1")]
      ]))

    it("CONFIG SET save and notify-keyspace-events normalise like Redis", () => {
      const invalidSave = failed("save", "Invalid save parameters")
      return run([
        [["CONFIG", "SET", "save", "abc"], invalidSave],
        [["CONFIG", "SET", "save", "0 0"], invalidSave],
        [["CONFIG", "SET", "save", "10 -1"], invalidSave],
        [["CONFIG", "SET", "save", "1  2"], invalidSave],
        [["CONFIG", "SET", "save", "1 2 "], invalidSave],
        [["CONFIG", "SET", "save", "1"], invalidSave],
        [["CONFIG", "SET", "save", "\"1\" 2"], invalidSave],
        // Long periods: a real Redis must not start saving into our working directory meanwhile.
        [["CONFIG", "SET", "save", "03600 +20000"], ok],
        [["CONFIG", "GET", "save"], bulks("save", "3600 20000")],
        [["CONFIG", "SET", "save", "86400 0 3600 100000"], ok],
        [["CONFIG", "GET", "save"], bulks("save", "86400 0 3600 100000")],
        [["CONFIG", "SET", "save", ""], ok],
        [["CONFIG", "GET", "save"], bulks("save", "")],
        [["CONFIG", "SET", "notify-keyspace-events", "Q"],
          failed("notify-keyspace-events", "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.")],
        [["CONFIG", "SET", "notify-keyspace-events", "KEA"], ok],
        [["CONFIG", "GET", "notify-keyspace-events"], bulks("notify-keyspace-events", "AKE")],
        [["CONFIG", "SET", "notify-keyspace-events", "Kn$x"], ok],
        [["CONFIG", "GET", "notify-keyspace-events"], bulks("notify-keyspace-events", "$xnK")],
        [["CONFIG", "SET", "notify-keyspace-events", "ndtegK"], ok],
        [["CONFIG", "GET", "notify-keyspace-events"], bulks("notify-keyspace-events", "getdnK")],
        [["CONFIG", "SET", "notify-keyspace-events", "KEnmgdA"], ok],
        [["CONFIG", "GET", "notify-keyspace-events"], bulks("notify-keyspace-events", "AKEm")],
        [["CONFIG", "SET", "notify-keyspace-events", ""], ok],
        [["CONFIG", "GET", "notify-keyspace-events"], bulks("notify-keyspace-events", "")]
      ])
    })

    it("CONFIG HELP and CONFIG RESETSTAT", async () => {
      await run([
        [["CONFIG", "HELP"], arr(...[
          "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
          "GET <pattern>",
          "    Return parameters matching the glob-like <pattern> and their values.",
          "SET <directive> <value>",
          "    Set the configuration <directive> to <value>.",
          "RESETSTAT",
          "    Reset statistics reported by the INFO command.",
          "REWRITE",
          "    Rewrite the configuration file.",
          "HELP",
          "    Prints this help."
        ].map((value): Reply => ({ kind: "simple", value })))],
        [["CONFIG", "RESETSTAT", "x"], arity("config|resetstat")],
        [["CONFIG", "RESETSTAT"], ok]
      ])
      const stats = parseInfo(textOf(await client.call("INFO", "stats"))).get("Stats")!
      expect([stats.get("total_commands_processed"), stats.get("total_connections_received")]).toEqual(["1", "0"])
      expect([stats.get("expired_keys"), stats.get("keyspace_hits")]).toEqual(["0", "0"])
    })

    it("INFO lays out the asked sections in Redis's order with CRLF lines", async () => {
      await run([
        [["FLUSHALL"], ok],
        [["INFO", "keyspace"], bulk("# Keyspace\r\n")],
        [["INFO", "nosuch"], bulk("")],
        [["SET", "a", "1"], ok],
        [["SET", "b", "1", "EX", "1000"], ok],
        [["SELECT", "2"], ok],
        [["SET", "c", "1"], ok],
        [["SELECT", "0"], ok]
      ])
      const keyspace = textOf(await client.call("INFO", "KEYSPACE"))
      expect(keyspace).toMatch(/^# Keyspace\r\ndb0:keys=2,expires=1,avg_ttl=\d+\r\ndb2:keys=1,expires=0,avg_ttl=0\r\n$/)
      const two = textOf(await client.call("INFO", "clients", "server"))
      expect(two.split("\r\n").filter((line) => line.startsWith("#"))).toEqual(["# Server", "# Clients"])
      expect(two).toMatch(/^# Server\r\nredis_version:7\.0\.15\r\n/)
      expect(two).toMatch(/\r\n\r\n# Clients\r\nconnected_clients:\d+\r\n/)
      expect(two.endsWith("\r\n")).toBe(true)
      expect(two.endsWith("\r\n\r\n")).toBe(false)
      expect(two.replace(/\r\n/g, "")).not.toMatch(/[\r\n]/)
      const headers = (text: string) => text.split("\r\n").filter((line) => line.startsWith("#"))
      const all = textOf(await client.call("INFO"))
      expect(headers(textOf(await client.call("INFO", "default")))).toEqual(headers(all))
      // "everything" adds sections we do not keep (commandstats, latencystats) to the default ones.
      expect(headers(textOf(await client.call("INFO", "everything")))).toEqual(expect.arrayContaining(headers(all)))
      expect(parseInfo(all).get("Server")?.get("tcp_port")).toBe(String(server.port))
      await client.call("FLUSHALL")
    })

    it("COMMAND describes commands in Redis 7's shapes", async () => {
      const count = await client.call("COMMAND", "COUNT")
      expect(count.kind).toBe("integer")
      expect(items(await client.call("COMMAND")).length).toBe(Number(count.value))
      expect(items(await client.call("COMMAND", "INFO")).length).toBe(Number(count.value))
      const get = items(items(await client.call("COMMAND", "INFO", "get"))[0])
      expect([...get.slice(0, 7), get[9]]).toEqual([
        bulk("get"), int(2), arr({ kind: "simple", value: "readonly" }, { kind: "simple", value: "fast" }),
        int(1), int(1), int(1),
        arr(...["@read", "@string", "@fast"].map((value): Reply => ({ kind: "simple", value }))),
        arr()
      ])
      await run([
        [["COMMAND", "INFO", "nosuch", "client|nosuch"], arr(nil, nil)],
        [["COMMAND", "DOCS", "nosuch"], arr()],
        [["COMMAND", "DOCS", "CLIENT|ID"], arr(bulk("client|id"), bulks(
          "summary", "Returns the client ID for the current connection", "since", "5.0.0",
          "group", "connection", "complexity", "O(1)"
        ))],
        [["COMMAND", "LIST", "FILTERBY", "aclcat", "nosuch"], arr()],
        [["COMMAND", "LIST", "FILTERBY", "aclcat", "@connection"], arr()],
        [["COMMAND", "LIST", "FILTERBY", "module", "x"], arr()],
        [["COMMAND", "LIST", "FILTERBY", "ACLCAT"], SYNTAX],
        [["COMMAND", "LIST", "FILTERBY", "foo", "x"], SYNTAX],
        [["COMMAND", "LIST", "foo"], SYNTAX],
        [["COMMAND", "GETKEYS", "get", "a"], bulks("a")],
        [["COMMAND", "GETKEYS", "GET", "a"], bulks("a")],
        [["COMMAND", "GETKEYS", "mset", "a", "1", "b", "2"], bulks("a", "b")],
        [["COMMAND", "GETKEYS", "mset", "a", "1", "b"], bulks("a", "b")],
        [["COMMAND", "GETKEYS", "del", "a", "b", "c"], bulks("a", "b", "c")],
        [["COMMAND", "GETKEYS", "nosuch", "a"], err("ERR Invalid command specified")],
        [["COMMAND", "GETKEYS", "client", "nosuch"], err("ERR Invalid command specified")],
        [["COMMAND", "GETKEYS", "ping", "a"], err("ERR The command has no key arguments")],
        [["COMMAND", "GETKEYS", "config", "get", "x"], err("ERR The command has no key arguments")],
        [["COMMAND", "GETKEYS", "get", "a", "b"], err("ERR Invalid number of arguments specified for command")],
        [["COMMAND", "GETKEYS", "get"], arity("command|getkeys")],
        [["COMMAND", "COUNT", "x"], arity("command|count")],
        [["COMMAND", "FOO"], err("ERR unknown subcommand 'FOO'. Try COMMAND HELP.")]
      ])
      const connection = texts(await client.call("COMMAND", "LIST", "FILTERBY", "ACLCAT", "Connection"))
      expect(connection).toEqual(expect.arrayContaining(["ping", "hello", "client|id", "command|info"]))
      expect(connection).not.toContain("get")
      expect(texts(await client.call("COMMAND", "LIST", "FILTERBY", "pattern", "CONFIG*")))
        .toEqual(expect.arrayContaining(["config", "config|get", "config|set", "config|resetstat", "config|help"]))
      expect(texts(await client.call("COMMAND", "LIST"))).toEqual(expect.arrayContaining(["get", "client|list"]))
    })

    it("TIME, LASTSAVE, DEBUG and SHUTDOWN's refusals", async () => {
      const time = texts(await client.call("TIME"))
      expect(time).toHaveLength(2)
      expect(Math.abs(Number(time[0]) - Date.now() / 1000)).toBeLessThan(60)
      expect(Number(time[1])).toBeGreaterThanOrEqual(0)
      expect(Number(time[1])).toBeLessThan(1_000_000)
      const lastsave = await client.call("LASTSAVE")
      expect(lastsave.kind).toBe("integer")
      expect(Number(lastsave.value)).toBeLessThanOrEqual(Date.now() / 1000 + 1)
      await run([
        [["TIME", "x"], arity("time")],
        [["LASTSAVE", "x"], arity("lastsave")],
        [["DEBUG", "SLEEP", "0"], ok],
        [["debug", "sleep", "abc"], ok],
        [["DEBUG", "SLEEP", "1", "2"], err("ERR unknown subcommand or wrong number of arguments for 'SLEEP'. Try DEBUG HELP.")],
        [["DEBUG", "nosuch"], err("ERR unknown subcommand or wrong number of arguments for 'nosuch'. Try DEBUG HELP.")],
        [["DEBUG"], arity("debug")],
        [["SHUTDOWN", "foo"], SYNTAX],
        [["SHUTDOWN", "NOSAVE", "SAVE"], SYNTAX],
        [["SHUTDOWN", "NOW", "ABORT"], SYNTAX],
        [["SHUTDOWN", "ABORT"], err("ERR No shutdown in progress.")],
        [["shutdown", "abort", "ABORT"], err("ERR No shutdown in progress.")],
        [["PING"], { kind: "simple", value: "PONG" }]
      ])
    })

    it("DEBUG SLEEP holds the whole server: a reply to another client waits for it", async () => {
      const other = await RawClient.connect(server.port)
      try {
        const order: Array<string> = []
        client.send("DEBUG", "SLEEP", "0.2")
        await new Promise((resolve) => setTimeout(resolve, 20))
        const pong = other.call("PING").then((reply) => order.push(`other ${reply.value}`))
        const slept = client.read().then((reply) => order.push(`sleeper ${reply.value}`))
        await Promise.all([pong, slept])
        expect(order).toEqual(["sleeper OK", "other PONG"])
      } finally {
        other.close()
      }
    })
  })

defineSuite("server commands (redfiber)", () => startRedfiber({ enableDebugCommand: "yes" }))
if (hasRealRedis) defineSuite("server commands (real Redis 7, same expectations)", startReal)

describe("server commands only redfiber has", () => {
  let server: Awaited<ReturnType<typeof startRedfiber>> | undefined
  const clients: Array<RawClient> = []
  const connect = async (port: number) => {
    const client = await RawClient.connect(port)
    clients.push(client)
    return client
  }
  afterEach(async () => {
    for (const client of clients.splice(0)) client.close()
    await server?.stop()
    server = undefined
  })

  it("CONFIG SET port and bind refuse a move our listener cannot make, in Redis's words", async () => {
    server = await startRedfiber()
    const client = await connect(server.port)
    const other = String(server.port === 65535 ? 65534 : server.port + 1)
    expect(await client.call("CONFIG", "SET", "port", other))
      .toEqual(failed("port", "Unable to listen on this port. Check server logs."))
    expect(await client.call("CONFIG", "SET", "hz", "20", "port", other))
      .toEqual(failed("port", "Unable to listen on this port. Check server logs."))
    expect(await client.call("CONFIG", "GET", "hz")).toEqual(bulks("hz", "10"))
    expect(await client.call("CONFIG", "SET", "bind", "0.0.0.0"))
      .toEqual(failed("bind", "Failed to bind to specified addresses."))
  })

  it("CONFIG SET changes the live configuration the server reads", async () => {
    server = await startRedfiber()
    const client = await connect(server.port)
    expect(await client.call("CONFIG", "SET", "maxclients", "2", "timeout", "30", "proto-max-bulk-len", "2mb")).toEqual(ok)
    const config = server.server.state.config
    expect([config.maxclients, config.timeout, config.protoMaxBulkLen]).toEqual([2, 30, 2 * 1024 * 1024])
    expect(await client.call("CONFIG", "SET", "shutdown-timeout", "3", "save", "900 1")).toEqual(ok)
    expect([config.shutdownTimeout, config.extra.get("save")]).toEqual([3, "900 1"])
  })

  it("CONFIG GET answers untyped extra parameters as strings, and CONFIG SET stores them", async () => {
    server = await startRedfiber()
    server.server.state.config.extra.set("x-custom", "one")
    const client = await connect(server.port)
    expect(await client.call("CONFIG", "GET", "X-CUSTOM")).toEqual(bulks("X-CUSTOM", "one"))
    expect(await client.call("CONFIG", "SET", "x-custom", "two words")).toEqual(ok)
    expect(await client.call("CONFIG", "GET", "x-*")).toEqual(bulks("x-custom", "two words"))
    expect(await client.call("CONFIG", "SET", "x-custom", "a", "X-CUSTOM", "b"))
      .toEqual(failed("X-CUSTOM", "duplicate parameter"))
  })

  it("INFO adds redfiber_version to the server section and counts what the server counts", async () => {
    server = await startRedfiber()
    const client = await connect(server.port)
    await client.call("PING")
    const info = parseInfo(textOf(await client.call("INFO")))
    expect(info.get("Server")?.get("redfiber_version")).toMatch(/^\d+\.\d+\.\d+$/)
    expect(info.get("Server")?.get("run_id")).toBe(server.server.state.runId)
    expect(info.get("Clients")?.get("connected_clients")).toBe("1")
    expect(info.get("Stats")?.get("total_commands_processed")).toBe("1")
    expect(info.get("Stats")?.get("total_connections_received")).toBe("1")
    expect(info.get("Replication")?.get("role")).toBe("master")
    expect(info.get("Memory")?.get("used_memory")).toMatch(/^\d+$/)
  })

  it("HELP of COMMAND starts as Redis's, and bare COMMAND lists every command", async () => {
    server = await startRedfiber()
    const client = await connect(server.port)
    const help = texts(await client.call("COMMAND", "HELP"))
    expect(help[0]).toBe("COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:")
    expect(help.slice(-2)).toEqual(["HELP", "    Prints this help."])
    const names = items(await client.call("COMMAND")).map((entry) => String(items(entry)[0]?.value))
    expect(names).toEqual([...server.server.state.commands.keys()])
    // COMMAND's subcommands show up in its own entry, like any container's.
    const entry = items(items(await client.call("COMMAND", "INFO", "command"))[0])
    expect(items(entry[9]).map((sub) => String(items(sub)[0]?.value))).toEqual(commandSubcommands.map((s) => s.name))
  })

  it("SHUTDOWN passes its mode to the server and closes the sender without a reply", async () => {
    for (const [args, mode] of [[["SHUTDOWN"], "default"], [["SHUTDOWN", "NOSAVE", "NOW"], "nosave"], [["shutdown", "save", "force"], "save"]] as const) {
      const running = await startRedfiber()
      server = running
      const sender = await connect(running.port)
      sender.send(...args)
      expect(await Effect.runPromise(running.server.shutdownRequested)).toBe(mode)
      await sender.waitClosed()
      expect(sender.pending.length).toBe(0)
      await running.stop()
      server = undefined
    }
  })
})

/** Our declaration of a command next to the real server's COMMAND INFO and COMMAND DOCS. */
const describeSpec = (spec: CommandSpec, info: ReadonlyArray<Reply>, docs: Record<string, string>) => ({
  ours: { arity: spec.arity, summary: spec.summary, since: spec.since, group: spec.group, complexity: spec.complexity },
  real: {
    arity: Number(info[1]?.value),
    summary: docs.summary,
    since: docs.since,
    group: docs.group,
    complexity: docs.complexity
  }
})

describe.skipIf(!hasRealRedis)("against real Redis 7", () => {
  let ours: RunningServer
  let real: RunningServer
  let oursClient: RawClient
  let realClient: RawClient
  beforeAll(async () => {
    ;[ours, real] = await Promise.all([startRedfiber(), startRealRedis()])
    ;[oursClient, realClient] = await Promise.all([RawClient.connect(ours.port), RawClient.connect(real.port)])
  })
  afterAll(async () => {
    oursClient.close()
    realClient.close()
    await Promise.all([ours.stop(), real.stop()])
  })

  it("COMMAND INFO of our connection and server commands equals Redis's, tips and key specs aside", async () => {
    const names = [...connectionCommands, ...serverCommands].map((spec) => spec.name)
    const [oursInfo, realInfo] = await Promise.all(
      [oursClient, realClient].map(async (client) => items(await client.call("COMMAND", "INFO", ...names)))
    )
    /**
     * An entry without tips and key specs, with only the subcommands both servers have, by name
     * (Redis lists them in its hash table's order).
     */
    const nameOf = (entry: Reply) => String(items(entry)[0]?.value)
    const comparable = (entry: Reply, keep: (name: string) => boolean): unknown => {
      const fields = items(entry)
      const subcommands = items(fields[9]).filter((sub) => keep(nameOf(sub)))
      subcommands.sort((a, b) => nameOf(a).localeCompare(nameOf(b)))
      return [...fields.slice(0, 7), subcommands.map((sub) => comparable(sub, keep))]
    }
    for (let i = 0; i < names.length; i++) {
      const ourSubs = new Set(items(items(oursInfo[i])[9]).map((sub) => String(items(sub)[0]?.value)))
      ourSubs.delete("client|setinfo")
      expect(comparable(oursInfo[i], (name) => ourSubs.has(name))).toEqual(comparable(realInfo[i], (name) => ourSubs.has(name)))
    }
  })

  it("COMMAND DOCS of our commands carries Redis's summaries, versions, groups and complexities", async () => {
    const specs = [...connectionCommands, ...serverCommands].flatMap((spec) => [
      spec,
      ...(spec.subcommands ?? [])
    ]).filter((spec) => spec.name !== "client|setinfo")
    for (const spec of specs) {
      const infoReply = items(items(await realClient.call("COMMAND", "INFO", spec.name))[0])
      const docs = pairs(items(await realClient.call("COMMAND", "DOCS", spec.name))[1] ?? arr())
      const { ours: mine, real: theirs } = describeSpec(spec, infoReply, docs)
      expect([spec.name, mine]).toEqual([spec.name, theirs])
    }
  })

  it("INFO has Redis's sections in Redis's order and Redis's field names", async () => {
    const [oursInfo, realInfo] = await Promise.all(
      [oursClient, realClient].map(async (client) => parseInfo(textOf(await client.call("INFO"))))
    )
    expect([...oursInfo.keys()]).toEqual([...realInfo.keys()])
    for (const [title, fields] of oursInfo) {
      // Which error prefixes were seen depends on what each server was sent before.
      if (title === "Errorstats") continue
      const names = [...fields.keys()].filter((name) => name !== "redfiber_version")
      const realNames = [...(realInfo.get(title)?.keys() ?? [])].filter((name) => !name.startsWith("db"))
      expect([title, names.filter((name) => !name.startsWith("db"))]).toEqual([title, realNames])
    }
  })

  it("CONFIG GET '*' answers every one of our parameters with the name Redis uses", async () => {
    const [oursAll, realAll] = await Promise.all(
      [oursClient, realClient].map(async (client) => pairs(await client.call("CONFIG", "GET", "*")))
    )
    for (const name of Object.keys(oursAll)) expect([name, name in realAll]).toEqual([name, true])
  })
})
