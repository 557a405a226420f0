/**
 * Per-client memory bounds: `client-query-buffer-limit` closes a client whose incomplete command
 * grows past it (without a reply), `client-output-buffer-limit normal` closes one whose unsent
 * replies pass the hard limit or stay over the soft limit. The TCP suites run against our server
 * and, when `redis-server` is installed, against a real Redis 7.0; what only we bound (the
 * arguments of a command already parsed) and the soft limit's clock are tested on our own.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "@effect/vitest"
import * as net from "node:net"
import { RuntimeConfig } from "../../src/config/RuntimeConfig.js"
import { makeServerConfig } from "../../src/config/ServerConfig.js"
import { parseOutputBufferLimits } from "../../src/config/outputBufferLimits.js"
import { RequestParser } from "../../src/protocol/Parser.js"
import { ClientState } from "../../src/session/ClientState.js"
import {
  outputBatchLimit,
  outputBufferOverflow,
  parserLimits,
  queryBufferOverflow,
  reprBytes
} from "../../src/server/ClientLimits.js"
import { RawClient } from "../support/RawClient.js"
import { hasRealRedis, type RunningServer, startRealRedis, startRedfiber } from "../support/servers.js"

const ok = { kind: "simple", value: "OK" }
const MB = 1024 * 1024

/** Writes `chunks` one after another, honouring backpressure; stops quietly if the server closes. */
const writeAll = async (socket: net.Socket, chunks: Iterable<Buffer | string>): Promise<number> => {
  let sent = 0
  for (const chunk of chunks) {
    if (socket.destroyed) break
    sent += chunk.length
    if (!socket.write(chunk)) {
      await new Promise<void>((resolve) => {
        socket.once("drain", resolve)
        socket.once("close", resolve)
      })
    }
  }
  return sent
}

const connectRaw = (port: number): Promise<net.Socket> =>
  new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1")
    socket.once("connect", () => resolve(socket))
    socket.once("error", reject)
  })

/** Resolves with what the server sent once it closes the connection (rejects after 10 s). */
const closedWith = (socket: net.Socket): Promise<string> =>
  new Promise((resolve, reject) => {
    let text = ""
    socket.on("data", (chunk) => (text += chunk.toString("latin1")))
    socket.on("error", () => {})
    const timer = setTimeout(() => reject(new Error(`still open; received ${JSON.stringify(text.slice(0, 100))}`)), 10_000)
    socket.once("close", () => {
      clearTimeout(timer)
      resolve(text)
    })
  })

/** The ids in CLIENT LIST. */
const clientIds = async (admin: RawClient): Promise<Array<string>> => {
  const list = await admin.call("CLIENT", "LIST")
  return String(list.value).split("\n").filter((line) => line !== "").map((line) => /^id=(\d+)/.exec(line)![1])
}

const defineSuite = (label: string, start: () => Promise<RunningServer>) =>
  describe(label, () => {
    let server: RunningServer
    let admin: RawClient
    const sockets: Array<net.Socket> = []
    const open = async () => {
      const socket = await connectRaw(server.port)
      sockets.push(socket)
      return socket
    }

    beforeAll(async () => {
      server = await start()
      admin = await RawClient.connect(server.port)
    })
    afterEach(async () => {
      for (const socket of sockets.splice(0)) socket.destroy()
      expect(await admin.call("CONFIG", "SET", "client-query-buffer-limit", "1gb")).toEqual(ok)
      expect(await admin.call("CONFIG", "SET", "client-output-buffer-limit", "normal 0 0 0")).toEqual(ok)
    })
    afterAll(async () => {
      admin.close()
      await server.stop()
    })

    it("a bulk argument growing past client-query-buffer-limit closes the client, no reply", async () => {
      expect(await admin.call("CONFIG", "SET", "client-query-buffer-limit", "1mb")).toEqual(ok)
      const socket = await open()
      const closed = closedWith(socket)
      const chunk = Buffer.alloc(64 * 1024, 97)
      void writeAll(socket, ["*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$3000000\r\n", ...Array.from({ length: 45 }, () => chunk)])
      expect(await closed).toBe("")
      expect(await admin.call("EXISTS", "k")).toEqual({ kind: "integer", value: "0" })
    })

    it("many whole commands sent at once are not an overflow", async () => {
      expect(await admin.call("CONFIG", "SET", "client-query-buffer-limit", "1mb")).toEqual(ok)
      const client = await RawClient.connect(server.port)
      const value = "v".repeat(60_000)
      let pipeline = ""
      for (let i = 0; i < 40; i++) pipeline += `*3\r\n$3\r\nSET\r\n$4\r\nq:${String(i).padStart(2, "0")}\r\n$60000\r\n${value}\r\n`
      client.write(pipeline)
      for (let i = 0; i < 40; i++) expect(await client.read()).toEqual(ok)
      expect(await client.call("DBSIZE")).toMatchObject({ kind: "integer" })
      client.close()
    })

    it("a client that stops reading is closed once its replies pass the normal hard limit", async () => {
      expect(await admin.call("SET", "big", "b".repeat(100_000))).toEqual(ok)
      expect(await admin.call("CONFIG", "SET", "client-output-buffer-limit", "normal 1mb 0 0")).toEqual(ok)
      const before = await clientIds(admin)
      const socket = await open()
      socket.pause()
      const ids = await clientIds(admin)
      const id = ids.find((candidate) => !before.includes(candidate))!
      const command = Buffer.from("*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n")
      void writeAll(socket, Array.from({ length: 400 }, () => command))
      const deadline = Date.now() + 10_000
      while ((await clientIds(admin)).includes(id)) {
        if (Date.now() > deadline) throw new Error("the client was not closed")
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
    })
  })

defineSuite("client buffer limits (redfiber)", () => startRedfiber())
if (hasRealRedis) defineSuite("client buffer limits (real Redis 7)", () => startRealRedis())

describe("client buffer limits only redfiber has", () => {
  let server: RunningServer
  let admin: RawClient
  beforeAll(async () => {
    server = await startRedfiber({ clientQueryBufferLimit: MB })
    admin = await RawClient.connect(server.port)
  })
  afterAll(async () => {
    admin.close()
    await server.stop()
  })

  it("the arguments of the command being received count too (Redis bounds only its query buffer)", async () => {
    const socket = await connectRaw(server.port)
    const closed = closedWith(socket)
    const chunk = Buffer.alloc(64 * 1024, 97)
    const parts: Array<Buffer | string> = ["*100\r\n$3\r\nDEL\r\n"]
    for (let a = 0; a < 20; a++) parts.push("$524288\r\n", ...Array.from({ length: 8 }, () => chunk), "\r\n")
    const sent = writeAll(socket, parts)
    expect(await closed).toBe("")
    expect(await sent).toBeLessThan(4 * MB)
  })

  it("the limit is checked against the incomplete command only, whatever was run before it", () => {
    const config = new RuntimeConfig(makeServerConfig({ clientQueryBufferLimit: MB }))
    const client = new ClientState(7, "127.0.0.1:1", "127.0.0.1:2", 0, () => {})
    const parser = new RequestParser(parserLimits(config, client))
    parser.feed(Buffer.from(`*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$${2 * MB}\r\n${"\x00\xff\"\\ab".repeat(200_000)}`, "latin1"))
    expect(parser.next()).toBeUndefined()
    const line = queryBufferOverflow(config, client, parser, 0)
    expect(line).toMatch(/^Closing client that reached max query buffer length: id=7 addr=127\.0\.0\.1:1 .* \(qbuf initial bytes: "/)
    expect(line).toContain(String.raw`(qbuf initial bytes: "\x00\xff\"\\ab\x00\xff\"\\ab`)
    const small = new RequestParser(parserLimits(config, client))
    small.feed(Buffer.from("*2\r\n$4\r\nECHO\r\n$100\r\nabc", "latin1"))
    expect(small.next()).toBeUndefined()
    expect(queryBufferOverflow(config, client, small, 0)).toBeUndefined()
  })

  it("reprBytes quotes as sdscatrepr does", () => {
    expect(reprBytes("a\n\r\t\x07\x08\"\\\x00\x7f\xe9 ~")).toBe(String.raw`"a\n\r\t\a\b\"\\\x00\x7f\xe9 ~"`)
  })

  it("the soft limit closes a client only after its seconds have passed in whole seconds", () => {
    const config = new RuntimeConfig(makeServerConfig())
    const limits = parseOutputBufferLimits("normal 0 1000 2", config.outputBufferLimits)
    if (typeof limits === "string") throw new Error(limits)
    config.outputBufferLimits = limits
    const client = new ClientState(3, "127.0.0.1:1", "127.0.0.1:2", 0, () => {})
    expect(outputBufferOverflow(config, client, 999, 10_000)).toBeUndefined()
    expect(outputBufferOverflow(config, client, 1000, 10_500)).toBeUndefined()
    expect(outputBufferOverflow(config, client, 5000, 12_900)).toBeUndefined()
    expect(outputBufferOverflow(config, client, 5000, 13_000)).toMatch(
      /^Client id=3 .* scheduled to be closed ASAP for overcoming of output buffer limits\.$/
    )
    // Dropping under the soft limit starts the clock over.
    expect(outputBufferOverflow(config, client, 10, 13_100)).toBeUndefined()
    expect(outputBufferOverflow(config, client, 5000, 14_000)).toBeUndefined()
    expect(outputBufferOverflow(config, client, 5000, 16_999)).toBeUndefined()
    // Subscribers are the pub/sub class's business.
    const hard = parseOutputBufferLimits("normal 100 0 0", config.outputBufferLimits)
    if (typeof hard === "string") throw new Error(hard)
    config.outputBufferLimits = hard
    expect(outputBufferOverflow(config, client, 100, 0)).toMatch(/scheduled to be closed ASAP/)
    expect(outputBufferOverflow(config, client, 99, 0)).toBeUndefined()
  })

  it("a normal hard limit closes a client holding at most the limit plus one reply", async () => {
    expect(await admin.call("SET", "mid", "m".repeat(100_000))).toEqual(ok)
    expect(await admin.call("CONFIG", "SET", "client-output-buffer-limit", "normal 1mb 0 0")).toEqual(ok)
    const before = await clientIds(admin)
    const socket = await connectRaw(server.port)
    socket.pause()
    socket.on("error", () => {})
    const id = (await clientIds(admin)).find((candidate) => !before.includes(candidate))!
    const command = Buffer.from("*2\r\n$3\r\nGET\r\n$3\r\nmid\r\n")
    void writeAll(socket, Array.from({ length: 400 }, () => command))
    try {
      // Its output, as CLIENT LIST shows it, until it is gone.
      let omem = 0
      const deadline = Date.now() + 10_000
      for (;;) {
        const list = String((await admin.call("CLIENT", "LIST")).value)
        const line = list.split("\n").find((entry) => entry.startsWith(`id=${id} `))
        if (line === undefined) break
        omem = Math.max(omem, Number(/ omem=(\d+)/.exec(line)![1]))
        if (Date.now() > deadline) throw new Error("the client was not closed")
        await new Promise((resolve) => setTimeout(resolve, 5))
      }
      expect(omem).toBeLessThan(MB + 100_020)
    } finally {
      expect(await admin.call("CONFIG", "SET", "client-output-buffer-limit", "normal 0 0 0")).toEqual(ok)
      socket.destroy()
    }
  })

  it("a batch stops at the normal hard limit when it is under the high water", () => {
    const config = new RuntimeConfig(makeServerConfig())
    const client = new ClientState(4, "127.0.0.1:1", "127.0.0.1:2", 0, () => {})
    const HIGH = 4 * MB
    expect(outputBatchLimit(config, client, HIGH)).toBe(HIGH)
    const withLimit = (text: string) => {
      const limits = parseOutputBufferLimits(text, config.outputBufferLimits)
      if (typeof limits === "string") throw new Error(limits)
      config.outputBufferLimits = limits
    }
    withLimit("normal 1mb 0 0")
    expect(outputBatchLimit(config, client, HIGH)).toBe(MB)
    withLimit("normal 64mb 0 0")
    expect(outputBatchLimit(config, client, HIGH)).toBe(HIGH)
    // The soft limit closes only after its seconds: the batch is not cut for it.
    withLimit("normal 0 1mb 10")
    expect(outputBatchLimit(config, client, HIGH)).toBe(HIGH)
  })

  it("with the default 0 0 0, backpressure bounds a client that does not read", async () => {
    expect(await admin.call("SET", "big", "b".repeat(1_000_000))).toEqual(ok)
    const socket = await connectRaw(server.port)
    socket.pause()
    const command = Buffer.from("*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n")
    void writeAll(socket, Array.from({ length: 2000 }, () => command))
    // Wait until the server stops reading: its view of the client's output stops growing.
    let omem = 0
    for (let round = 0; round < 100; round++) {
      await new Promise((resolve) => setTimeout(resolve, 30))
      const list = String((await admin.call("CLIENT", "LIST")).value)
      const line = list.split("\n").find((entry) => entry.includes("cmd=get"))
      omem = Math.max(omem, Number(/ omem=(\d+)/.exec(line ?? "")?.[1] ?? 0))
    }
    expect(omem).toBeGreaterThan(0)
    // 4 MB of high water (replies unsent and being made, together) plus the reply that crossed it.
    expect(omem).toBeLessThan(4 * MB + 1_000_020)
    socket.destroy()
  })
})
