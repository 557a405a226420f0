/**
 * SocketOutput: what connections send in one event-loop turn reaches each socket at the turn's
 * end, in order, as one write (several chunks corked into one writev); `flush` writes at once; a
 * destroyed socket gets nothing. Over TCP: a pipeline whose last command is QUIT gets every reply
 * before the close, and many clients' pipelines each get their replies in order.
 */
import { describe, expect, it } from "@effect/vitest"
import type * as net from "node:net"
import { setImmediate as nextTurn } from "node:timers/promises"
import { SocketOutput } from "../../src/server/SocketOutput.js"
import { RawClient } from "../support/RawClient.js"
import { startRedfiber } from "../support/servers.js"

/** A socket that records what reaches it: each write, and which writes were corked together. */
const recordingSocket = () => {
  const writes: Array<string> = []
  const corkedGroups: Array<Array<string>> = []
  let corked: Array<string> | undefined = undefined
  const socket = {
    destroyed: false,
    writableLength: 0,
    write(chunk: Buffer) {
      const text = chunk.toString("latin1")
      writes.push(text)
      corked?.push(text)
      return true
    },
    cork() {
      corked = []
    },
    uncork() {
      corkedGroups.push(corked!)
      corked = undefined
    }
  }
  return { socket: socket as unknown as net.Socket & { destroyed: boolean }, writes, corkedGroups }
}

describe("SocketOutput", () => {
  it("writes a turn's chunks at the end of the turn, in order, corked together", async () => {
    const a = recordingSocket()
    const b = recordingSocket()
    const outA = new SocketOutput(a.socket)
    const outB = new SocketOutput(b.socket)
    outA.write(Buffer.from("+OK\r\n"))
    outB.write(Buffer.from(":1\r\n"))
    outA.write(Buffer.from("$1\r\nx\r\n"))
    expect(outA.unsent).toBe(12)
    expect(a.writes).toEqual([])
    await nextTurn()
    expect(a.writes).toEqual(["+OK\r\n", "$1\r\nx\r\n"])
    expect(a.corkedGroups).toEqual([["+OK\r\n", "$1\r\nx\r\n"]])
    expect(b.writes).toEqual([":1\r\n"])
    expect(b.corkedGroups).toEqual([])
    expect(outA.unsent).toBe(0)
  })

  it("flush writes at once, and the turn's end then has nothing more to write", async () => {
    const a = recordingSocket()
    const out = new SocketOutput(a.socket)
    out.write(Buffer.from("+first\r\n"))
    out.flush()
    expect(a.writes).toEqual(["+first\r\n"])
    out.write(Buffer.from("+second\r\n"))
    await nextTurn()
    expect(a.writes).toEqual(["+first\r\n", "+second\r\n"])
  })

  it("drops what waits for a socket destroyed before the turn's end", async () => {
    const a = recordingSocket()
    const out = new SocketOutput(a.socket)
    out.write(Buffer.from("+lost\r\n"))
    a.socket.destroyed = true
    await nextTurn()
    expect(a.writes).toEqual([])
  })
})

describe("replies over TCP", () => {
  it("a pipeline ending in QUIT gets every reply before the connection closes", async () => {
    const server = await startRedfiber()
    const client = await RawClient.connect(server.port)
    try {
      const commands = Array.from({ length: 100 }, (_, i) => `*2\r\n$4\r\nECHO\r\n$${String(i).length}\r\n${i}\r\n`)
      client.write(Buffer.from(commands.join("") + "*1\r\n$4\r\nQUIT\r\n"))
      for (let i = 0; i < 100; i++) expect(await client.read()).toEqual({ kind: "bulk", value: String(i) })
      expect(await client.read()).toEqual({ kind: "simple", value: "OK" })
    } finally {
      client.close()
      await server.stop()
    }
  })

  it("many clients' pipelines each get their own replies, in order", async () => {
    const server = await startRedfiber()
    const clients = await Promise.all(Array.from({ length: 20 }, () => RawClient.connect(server.port)))
    try {
      for (const [n, client] of clients.entries()) {
        const pipeline = Array.from({ length: 16 }, () => `*2\r\n$4\r\nINCR\r\n$${`c${n}`.length}\r\nc${n}\r\n`)
        client.write(Buffer.from(pipeline.join("")))
      }
      for (const client of clients) {
        for (let i = 1; i <= 16; i++) expect(await client.read()).toEqual({ kind: "integer", value: String(i) })
      }
    } finally {
      for (const client of clients) client.close()
      await server.stop()
    }
  })
})
