/**
 * Protected mode over real TCP: a client connecting from a non-loopback address gets Redis's
 * DENIED text and is closed, unless a password is set or protected mode is off. It needs an
 * address of this machine that is not loopback (connecting to it from here uses it as the source);
 * without one the suite is skipped and says why. The same bytes are checked against a real
 * Redis 7.0 bound to that address when `redis-server` is installed. (The decision itself, with
 * any address, is tested in authentication.test.ts.)
 */
import { afterAll, describe, expect, it } from "@effect/vitest"
import * as net from "node:net"
import * as os from "node:os"
import { DENIED_TEXT } from "../../src/session/Authentication.js"
import { hasRealRedis, startRealRedis, startRedfiber, type RunningServer } from "../support/servers.js"

const externalAddress = (): string | undefined => {
  for (const addresses of Object.values(os.networkInterfaces())) {
    for (const address of addresses ?? []) if (address.family === "IPv4" && !address.internal) return address.address
  }
  return undefined
}

const address = externalAddress()
if (address === undefined) console.log("protected-mode.test.ts: skipped, this machine has no non-loopback IPv4 address")

/** Everything the server sends until it closes (or 3 s pass), after `PING`. */
const exchange = (host: string, port: number): Promise<{ text: string; closed: boolean }> =>
  new Promise((resolve) => {
    const socket = net.connect({ host, port })
    let text = ""
    const timer = setTimeout(() => {
      socket.destroy()
      resolve({ text, closed: false })
    }, 3000)
    socket.on("connect", () => socket.write("PING\r\n"))
    socket.on("data", (chunk) => {
      text += chunk.toString("latin1")
      if (text === "+PONG\r\n" || text.startsWith("-NOAUTH")) {
        clearTimeout(timer)
        socket.destroy()
        resolve({ text, closed: false })
      }
    })
    socket.on("error", () => {})
    socket.on("close", () => {
      clearTimeout(timer)
      resolve({ text, closed: true })
    })
  })

describe.skipIf(address === undefined)(`protected mode from ${address ?? "(none)"}`, () => {
  const servers: Array<RunningServer> = []
  afterAll(async () => {
    for (const server of servers) await server.stop()
  })

  it("redfiber: DENIED and closed; in with protected mode off or a password; loopback always in", async () => {
    const server = await startRedfiber({ bind: address })
    servers.push(server)
    expect(await exchange(address!, server.port)).toEqual({ text: DENIED_TEXT, closed: true })
    server.server.state.config.setExtra("protected-mode", "no")
    expect(await exchange(address!, server.port)).toEqual({ text: "+PONG\r\n", closed: false })
    server.server.state.config.setExtra("protected-mode", "yes")
    server.server.state.config.requirepass = "pw"
    server.server.state.acl.setDefaultPassword("pw")
    expect(await exchange(address!, server.port)).toEqual({ text: "-NOAUTH Authentication required.\r\n", closed: false })
    const counters = server.server.state.stats
    expect(counters.rejectedConnections).toBe(1)
    // Refused connections are not counted as received, as in Redis.
    expect(counters.totalConnectionsReceived).toBe(2)

    const loopback = await startRedfiber({ bind: "127.0.0.1" })
    servers.push(loopback)
    expect(await exchange("127.0.0.1", loopback.port)).toEqual({ text: "+PONG\r\n", closed: false })
  })

  it.skipIf(!hasRealRedis)("real Redis 7 sends the same bytes and closes", async () => {
    const server = await startRealRedis(["--bind", `${address} 127.0.0.1`])
    servers.push(server)
    expect(await exchange(address!, server.port)).toEqual({ text: DENIED_TEXT, closed: true })
  })
})
