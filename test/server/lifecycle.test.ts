/**
 * The server's lifecycle, in process: the drain on shutdown (in-flight replies flushed, idle
 * clients closed, new connections refused, stragglers interrupted after the timeout), maxclients,
 * output backpressure, and one failing connection not disturbing another.
 */
import { afterEach, describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { RawClient } from "../support/RawClient.js"
import { type RunningRedfiber, startRedfiber } from "../support/servers.js"

const running: Array<RunningRedfiber> = []
const clients: Array<RawClient> = []

const start = async (config: Parameters<typeof startRedfiber>[0] = {}) => {
  const server = await startRedfiber(config)
  running.push(server)
  return server
}
const connect = async (port: number) => {
  const client = await RawClient.connect(port)
  clients.push(client)
  return client
}
const until = async (condition: () => boolean, what: string, timeoutMs = 10000) => {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

afterEach(async () => {
  for (const client of clients.splice(0)) client.close()
  for (const server of running.splice(0)) await server.stop()
})

describe("graceful drain", () => {
  it("flushes a reply in flight, closes idle clients at once, refuses new connections", async () => {
    const server = await start()
    const idle = await connect(server.port)
    expect(await idle.call("PING")).toEqual({ kind: "simple", value: "PONG" })

    // A client asks for a 32 MB reply and does not read it yet: the server is still flushing.
    const busy = await connect(server.port)
    busy.socket.pause()
    const big = "x".repeat(32 * 1024 * 1024)
    busy.send("ECHO", big)
    await until(
      () => [...server.server.state.clients.values()].some((c) => c.outputBufferBytes > 1024 * 1024),
      "the reply to be queued"
    )

    const drain = Effect.runPromise(server.server.drain)
    await idle.waitClosed()
    await expect(RawClient.connect(server.port)).rejects.toThrow()
    expect(busy.closed).toBe(false)

    busy.socket.resume()
    const header = `$${big.length}\r\n`
    await busy.waitForBytes(header.length + big.length + 2, 30000)
    const reply = await busy.read()
    expect(reply.kind).toBe("bulk")
    expect(reply.kind === "bulk" && reply.value === big).toBe(true)
    await busy.waitClosed()
    const summary = await drain
    expect(summary.connections).toBe(2)
    expect(summary.interrupted).toBe(0)
  })

  it("answers every command a client pipelined before the shutdown, then closes", async () => {
    const server = await start()
    const client = await connect(server.port)
    client.socket.pause()
    const count = 2000
    let pipeline = ""
    for (let i = 0; i < count; i++) pipeline += `*2\r\n$4\r\nECHO\r\n$${String(i).length}\r\n${i}\r\n`
    client.write(pipeline)
    await until(() => server.server.state.stats.totalCommandsProcessed >= count, "the pipeline to run")
    const drain = Effect.runPromise(server.server.drain)
    client.socket.resume()
    for (let i = 0; i < count; i++) expect(await client.read()).toEqual({ kind: "bulk", value: String(i) })
    await client.waitClosed()
    expect((await drain).connections).toBe(1)
  })

  it("interrupts a client that never reads once the shutdown timeout passes", async () => {
    const server = await start({ shutdownTimeout: 0.3 })
    const stuck = await connect(server.port)
    stuck.socket.pause()
    // More than the socket buffers hold, so the server cannot finish writing.
    for (let i = 0; i < 4; i++) stuck.send("ECHO", "y".repeat(16 * 1024 * 1024))
    await until(
      () => [...server.server.state.clients.values()].some((c) => c.outputBufferBytes > 1024 * 1024),
      "the replies to back up"
    )
    const summary = await Effect.runPromise(server.server.drain)
    expect(summary.interrupted).toBe(1)
    await stuck.waitClosed()
    expect(server.server.state.clients.size).toBe(0)
  })

  it("drains when SHUTDOWN is sent, without a reply to the sender", async () => {
    const server = await start()
    const other = await connect(server.port)
    await other.call("PING")
    const sender = await connect(server.port)
    sender.send("SHUTDOWN", "NOSAVE")
    await sender.waitClosed()
    await other.waitClosed()
    expect(sender.pending.length).toBe(0)
  })
})

describe("connections", () => {
  it("rejects one client more than maxclients with Redis's error", async () => {
    const server = await start({ maxclients: 2 })
    const first = await connect(server.port)
    const second = await connect(server.port)
    await first.call("PING")
    await second.call("PING")
    const third = await connect(server.port)
    expect(await third.read()).toEqual({ kind: "error", value: "ERR max number of clients reached" })
    await third.waitClosed()
    expect(server.server.state.stats.rejectedConnections).toBe(1)
    // Redis counts a refused connection as rejected only, not as received.
    expect(server.server.state.stats.totalConnectionsReceived).toBe(2)
    first.close()
    await until(() => server.server.state.clients.size === 1, "the first client to leave")
    const fourth = await connect(server.port)
    expect(await fourth.call("PING")).toEqual({ kind: "simple", value: "PONG" })
  })

  it("a protocol error closes only that connection", async () => {
    const server = await start()
    const good = await connect(server.port)
    const bad = await connect(server.port)
    bad.write("PING\r\n*1\r\nx\r\nPING\r\n")
    expect(await bad.read()).toEqual({ kind: "simple", value: "PONG" })
    expect(await bad.read()).toEqual({ kind: "error", value: "ERR Protocol error: expected '$', got 'x'" })
    await bad.waitClosed()
    expect(await good.call("ECHO", "still here")).toEqual({ kind: "bulk", value: "still here" })
  })

  it("stops reading from a client that does not read its replies (output backpressure)", async () => {
    const server = await start()
    const client = await connect(server.port)
    client.socket.pause()
    const value = "z".repeat(1024 * 1024)
    // 64 MB of replies requested in a few round trips' worth of bytes.
    for (let i = 0; i < 64; i++) client.send("ECHO", value)
    await until(
      () => [...server.server.state.clients.values()].some((c) => c.outputBufferBytes > 1024 * 1024),
      "replies to queue"
    )
    await new Promise((resolve) => setTimeout(resolve, 200))
    const state = [...server.server.state.clients.values()][0]
    // Bounded by the high-water mark plus one batch, far below the 64 MB asked for.
    expect(state.outputBufferBytes).toBeLessThan(16 * 1024 * 1024)
    expect(server.server.state.stats.totalCommandsProcessed).toBeLessThan(64)
    client.socket.resume()
    let total = 0
    for (let i = 0; i < 64; i++) {
      await client.waitForBytes(value.length + 11)
      const reply = await client.read()
      if (reply.kind === "bulk" && reply.value !== null) total += reply.value.length
    }
    expect(total).toBe(64 * value.length)
  })
})
