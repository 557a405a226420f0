/**
 * Clients and the server's clock of record, on redfiber and on a real Redis 7 side by side:
 * - A client whose command CLIENT PAUSE holds, and which then closes its side, is freed at once
 *   with its command unrun, as Redis frees any client at EOF. Kept until the pause ended, such
 *   clients piled up under a long pause (the fuzzer reached maxclients and over 1 GB of RSS).
 * - CLIENT LIST's age of a client just connected is 0: its creation time and the batches' time
 *   come from the same clock, so the age never reads -1.
 */
import { describe, expect, it } from "@effect/vitest"
import { int, ok } from "../support/caseTables.js"
import { RawClient } from "../support/RawClient.js"
import type { Reply } from "../support/RespReader.js"
import { hasRealRedis, type RunningServer, startRealRedis, startRedfiber } from "../support/servers.js"

const HELD_CLIENTS = 20

const infoField = async (client: RawClient, section: string, name: string): Promise<string | undefined> => {
  const reply: Reply = await client.call("INFO", section)
  const text = reply.kind === "bulk" ? reply.value ?? "" : ""
  return new RegExp(`^${name}:(.*)\r$`, "m").exec(text)?.[1]
}

/** Polls `read` until it gives `expected` (the last value read otherwise, after `timeoutMs`). */
const eventually = async <A>(read: () => Promise<A>, expected: A, timeoutMs = 3000): Promise<A> => {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await read()
    if (value === expected || Date.now() > deadline) return value
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

const servers: ReadonlyArray<readonly [string, () => Promise<RunningServer>]> = [
  ["redfiber", () => startRedfiber()],
  ...(hasRealRedis ? [["real Redis 7", () => startRealRedis()] as const] : [])
]

describe.each(servers)("clients on %s", (_name, start) => {
  it("a client held by CLIENT PAUSE that closes is freed at once, its command unrun", async () => {
    const server = await start()
    const admin = await RawClient.connect(server.port)
    try {
      expect(await admin.call("CLIENT", "PAUSE", "60000", "WRITE")).toEqual(ok)
      const held: Array<RawClient> = []
      for (let i = 0; i < HELD_CLIENTS; i++) {
        const client = await RawClient.connect(server.port)
        client.send("SET", `k${i}`, "v")
        client.send("PING")
        held.push(client)
      }
      expect(await eventually(() => infoField(admin, "clients", "blocked_clients"), String(HELD_CLIENTS))).toBe(
        String(HELD_CLIENTS)
      )
      for (const client of held) client.close()
      expect(await eventually(() => infoField(admin, "clients", "connected_clients"), "1")).toBe("1")
      expect(await infoField(admin, "clients", "blocked_clients")).toBe("0")
      expect(await admin.call("CLIENT", "UNPAUSE")).toEqual(ok)
      expect(await admin.call("DBSIZE")).toEqual(int(0))
    } finally {
      admin.close()
      await server.stop()
    }
  })

  it("CLIENT LIST gives a client just connected the age 0", async () => {
    const server = await start()
    try {
      for (let i = 0; i < 5; i++) {
        const client = await RawClient.connect(server.port)
        const reply = await client.call("CLIENT", "LIST")
        client.close()
        const line = reply.kind === "bulk" ? reply.value ?? "" : ""
        expect(/ age=(-?\d+) /.exec(line)?.[1]).toBe("0")
      }
    } finally {
      await server.stop()
    }
  })
})
