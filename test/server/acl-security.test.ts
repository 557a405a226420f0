/**
 * ACL as a security boundary, against our server over TCP: nothing outside a user's rules is
 * reachable — not a command (every command of the table is tried), not a key (read and write
 * patterns, inside MULTI/EXEC too, and after the rules change under a queued transaction), not
 * a channel (SUBSCRIBE, PSUBSCRIBE with a broader pattern, keyspace notification channels).
 * A deleted user's clients are disconnected; a subscriber that loses its channel is too; and
 * passwords never show in ACL LIST, GETUSER, the ACL log or CLIENT LIST.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "@effect/vitest"
import { RawClient } from "../support/RawClient.js"
import type { Reply } from "../support/RespReader.js"
import { type RunningRedfiber, startRedfiber } from "../support/servers.js"

const ok: Reply = { kind: "simple", value: "OK" }
const textOf = (reply: Reply): string => JSON.stringify(reply)

describe("ACL security", () => {
  let server: RunningRedfiber
  let admin: RawClient
  const opened: Array<RawClient> = []

  const connectAs = async (user: string, password: string): Promise<RawClient> => {
    const client = await RawClient.connect(server.port)
    opened.push(client)
    expect(await client.call("AUTH", user, password)).toEqual(ok)
    return client
  }

  beforeAll(async () => {
    // DEBUG is a protected command: refused before any ACL check unless enabled, as in Redis.
    server = await startRedfiber({ enableDebugCommand: "yes" })
    admin = await RawClient.connect(server.port)
  })

  afterAll(async () => {
    for (const client of opened) client.close()
    admin.close()
    await server.stop()
  })

  beforeEach(async () => {
    await admin.call("FLUSHALL")
    await admin.call("ACL", "DELUSER", "alice", "bob")
    await admin.call("ACL", "LOG", "RESET")
  })

  it("a user with no commands runs none: every command of the table is refused", async () => {
    expect(await admin.call("ACL", "SETUSER", "alice", "on", ">pw", "allkeys", "allchannels", "nocommands")).toEqual(ok)
    const alice = await connectAs("alice", "pw")
    const noAuth = new Set(["auth", "hello", "quit", "reset"])
    let tried = 0
    for (const [name, spec] of server.server.state.commands) {
      if (noAuth.has(name)) continue
      // DEBUG is refused before any ACL check while enable-debug-command is off (Redis's protected commands).
      if (name === "debug") continue
      const commands = spec.subcommands === undefined ? [[name]] : spec.subcommands.map((sub) => sub.name.split("|"))
      for (const argv of commands) {
        const arity = (server.server.state.commands.get(argv[0])!.subcommands?.find((s) => s.name === argv.join("|")) ?? spec)
          .arity
        const args = [...argv]
        while (args.length < Math.abs(arity)) args.push("0")
        const reply = await alice.call(...args)
        expect(reply.kind, `${args.join(" ")}: ${textOf(reply)}`).toBe("error")
        const noperm = `NOPERM this user has no permissions to run the '${argv.join("|")}' command`
        // A refused EXEC discards the transaction and says why (Redis's rejectCommand).
        expect(reply.value).toBe(name === "exec" ? `EXECABORT Transaction discarded because of: ${noperm}` : noperm)
        tried++
      }
    }
    expect(tried).toBeGreaterThan(150)
    // Nothing ran: the keyspace and the server are as they were.
    expect(await admin.call("DBSIZE")).toEqual({ kind: "integer", value: "0" })
    expect(await alice.call("PING")).toMatchObject({ kind: "error" })
  })

  it("keys: read and write patterns hold for every key a command names, also inside MULTI/EXEC", async () => {
    await admin.call("MSET", "r1", "a", "w1", "b", "x1", "c")
    await admin.call("ACL", "SETUSER", "alice", "on", ">pw", "+@all", "%R~r*", "%W~w*", "~k*")
    const alice = await connectAs("alice", "pw")
    const noperm = "NOPERM this user has no permissions to access one of the keys used as arguments"
    for (
      const argv of [
        ["SET", "r1", "z"],
        ["GET", "w1"],
        ["GET", "x1"],
        ["DEL", "r1"],
        ["COPY", "r1", "x2"],
        ["RENAME", "w1", "r2"],
        ["MSET", "k1", "1", "x1", "2"],
        ["LMOVE", "k9", "x9", "LEFT", "LEFT"],
        ["SUNIONSTORE", "w2", "x1"],
        ["APPEND", "x1", "more"]
      ]
    ) {
      expect(await alice.call(...argv), argv.join(" ")).toEqual({ kind: "error", value: noperm })
    }
    // Queued commands naming a refused key doom the transaction: nothing of it runs.
    expect(await alice.call("MULTI")).toEqual(ok)
    expect(await alice.call("SET", "k1", "1")).toEqual({ kind: "simple", value: "QUEUED" })
    expect(await alice.call("SET", "x1", "pwned")).toEqual({ kind: "error", value: noperm })
    expect((await alice.call("EXEC")).value).toMatch(/^EXECABORT/)
    expect(await admin.call("MGET", "r1", "w1", "x1", "k1")).toEqual({
      kind: "array",
      value: [
        { kind: "bulk", value: "a" },
        { kind: "bulk", value: "b" },
        { kind: "bulk", value: "c" },
        { kind: "bulk", value: null }
      ]
    })
    // Rules tightened while a transaction waits: EXEC checks every command again.
    expect(await alice.call("MULTI")).toEqual(ok)
    await alice.call("SET", "k1", "1")
    await alice.call("SET", "k2", "2")
    await admin.call("ACL", "SETUSER", "alice", "resetkeys", "~k1")
    const exec = await alice.call("EXEC")
    expect(exec.kind).toBe("array")
    expect((exec.value as ReadonlyArray<Reply>)[0]).toEqual(ok)
    expect((exec.value as ReadonlyArray<Reply>)[1].value).toMatch(/^NOPERM ACLs rules changed/)
    expect(await admin.call("EXISTS", "k2")).toEqual({ kind: "integer", value: "0" })
  })

  it("channels: SUBSCRIBE, PSUBSCRIBE and PUBLISH stay within the patterns, keyspace events included", async () => {
    await admin.call("CONFIG", "SET", "notify-keyspace-events", "KEA")
    await admin.call("ACL", "SETUSER", "alice", "on", ">pw", "+@all", "~*", "resetchannels", "&news.*", "&__keyspace@0__:k*")
    const alice = await connectAs("alice", "pw")
    const noperm = "NOPERM this user has no permissions to access one of the channels used as arguments"
    for (
      const argv of [
        ["SUBSCRIBE", "other"],
        ["SUBSCRIBE", "news.1", "other"],
        ["PSUBSCRIBE", "*"],
        ["PSUBSCRIBE", "news.*x"],
        ["PSUBSCRIBE", "__key*__:*"],
        ["SUBSCRIBE", "__keyevent@0__:set"],
        ["SSUBSCRIBE", "other"],
        ["PUBLISH", "other", "m"]
      ]
    ) {
      expect(await alice.call(...argv), argv.join(" ")).toEqual({ kind: "error", value: noperm })
    }
    expect(await alice.call("HELLO", "3")).toMatchObject({ kind: "map" })
    alice.send("SUBSCRIBE", "__keyspace@0__:k1")
    expect((await alice.read()).kind).toBe("push")
    await admin.call("SET", "x1", "v")
    await admin.call("SET", "k1", "v")
    const message = await alice.read()
    expect(message).toEqual({
      kind: "push",
      value: [
        { kind: "bulk", value: "message" },
        { kind: "bulk", value: "__keyspace@0__:k1" },
        { kind: "bulk", value: "set" }
      ]
    })
    // Losing the channel it listens to disconnects the subscriber.
    await admin.call("ACL", "SETUSER", "alice", "resetchannels", "&news.*")
    await alice.waitClosed(2000)
    await admin.call("CONFIG", "SET", "notify-keyspace-events", "")
  })

  it("a deleted user's clients are disconnected; a disabled user cannot log in", async () => {
    await admin.call("ACL", "SETUSER", "alice", "on", ">pw", "+@all", "~*")
    await admin.call("ACL", "SETUSER", "bob", "on", ">pw", "+@all", "~*")
    const alice = await connectAs("alice", "pw")
    const bob = await connectAs("bob", "pw")
    expect(await admin.call("ACL", "DELUSER", "alice")).toEqual({ kind: "integer", value: "1" })
    await alice.waitClosed(2000)
    expect(await admin.call("ACL", "SETUSER", "bob", "off")).toEqual(ok)
    // Already in: stays (as in Redis); a new login is refused.
    expect(await bob.call("PING")).toEqual({ kind: "simple", value: "PONG" })
    const again = await RawClient.connect(server.port)
    opened.push(again)
    expect((await again.call("AUTH", "bob", "pw")).value).toMatch(/^WRONGPASS/)
    expect((await again.call("AUTH", "alice", "pw")).value).toMatch(/^WRONGPASS/)
  })

  it("passwords never show: ACL LIST and GETUSER hold hashes, the log and CLIENT LIST hold none", async () => {
    const secret = "correct horse battery"
    await admin.call("ACL", "SETUSER", "alice", "on", `>${secret}`, "+@all", "~*")
    const probe = await RawClient.connect(server.port)
    opened.push(probe)
    await probe.call("AUTH", "alice", "wrong-secret-guess")
    await probe.call("AUTH", "alice", secret)
    const everything = [
      await admin.call("ACL", "LIST"),
      await admin.call("ACL", "GETUSER", "alice"),
      await admin.call("ACL", "LOG"),
      await admin.call("CLIENT", "LIST")
    ].map(textOf).join("\n")
    expect(everything).not.toContain(secret)
    expect(everything).not.toContain("wrong-secret-guess")
    expect(everything).toContain("user=alice")
  })
})
