/**
 * Client-side caching invalidations the differential scripts cannot time exactly: keys removed by
 * the active expiry cycle and by eviction, the bound `tracking-table-max-keys` puts on remembered
 * keys, a REDIRECT to a client that left (`tracking-redir-broken`), and a disconnected tracking
 * client leaving nothing behind.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "@effect/vitest"
import { RawClient } from "../support/RawClient.js"
import type { Reply } from "../support/RespReader.js"
import { type RunningRedfiber, startRedfiber } from "../support/servers.js"

const invalidate = (...keys: Array<string>): Reply => ({
  kind: "push",
  value: [{ kind: "bulk", value: "invalidate" }, { kind: "array", value: keys.map((value) => ({ kind: "bulk", value })) }]
})

describe("client-side caching: expiry, eviction, bounds", () => {
  let server: RunningRedfiber
  let admin: RawClient
  const opened: Array<RawClient> = []

  const tracker = async (...options: Array<string>): Promise<RawClient> => {
    const client = await RawClient.connect(server.port)
    opened.push(client)
    await client.call("HELLO", "3")
    expect(await client.call("CLIENT", "TRACKING", "ON", ...options)).toEqual({ kind: "simple", value: "OK" })
    return client
  }

  beforeAll(async () => {
    server = await startRedfiber({ hz: 100 })
    admin = await RawClient.connect(server.port)
  })
  afterAll(async () => {
    for (const client of opened) client.close()
    admin.close()
    await server.stop()
  })
  beforeEach(async () => {
    await admin.call("CONFIG", "SET", "maxmemory", "0")
    await admin.call("CONFIG", "SET", "tracking-table-max-keys", "1000000")
    await admin.call("FLUSHALL")
  })

  it("a key the active expiry cycle removes is invalidated without any command", async () => {
    const client = await tracker()
    await admin.call("SET", "soon", "v", "PX", "400")
    expect(await client.call("GET", "soon")).toEqual({ kind: "bulk", value: "v" })
    expect(await client.read(4000)).toEqual(invalidate("soon"))
  })

  it("an evicted key is invalidated", async () => {
    const client = await tracker()
    await admin.call("SET", "victim", "x".repeat(1000))
    expect((await client.call("GET", "victim")).kind).toBe("bulk")
    await admin.call("CONFIG", "SET", "maxmemory-policy", "allkeys-random")
    await admin.call("CONFIG", "SET", "maxmemory", "1")
    await admin.call("SET", "other", "y")
    expect(await client.read(2000)).toEqual(invalidate("victim"))
    await admin.call("CONFIG", "SET", "maxmemory-policy", "noeviction")
  })

  it("past tracking-table-max-keys the oldest remembered keys are invalidated", async () => {
    await admin.call("CONFIG", "SET", "tracking-table-max-keys", "2")
    const client = await tracker()
    await client.call("GET", "a")
    await client.call("GET", "b")
    expect(await client.call("GET", "c")).toEqual({ kind: "null", value: null })
    expect(await client.read(2000)).toEqual(invalidate("a"))
  })

  it("a REDIRECT to a client that left answers tracking-redir-broken", async () => {
    const target = await RawClient.connect(server.port)
    const id = await target.call("CLIENT", "ID")
    const client = await tracker("REDIRECT", String(id.value))
    await client.call("GET", "k")
    target.close()
    await target.waitClosed(2000)
    await new Promise((resolve) => setTimeout(resolve, 50))
    await admin.call("SET", "k", "v")
    expect(await client.read(2000)).toEqual({
      kind: "push",
      value: [{ kind: "bulk", value: "tracking-redir-broken" }, { kind: "integer", value: String(id.value) }]
    })
    const info = await client.call("CLIENT", "TRACKINGINFO")
    expect(JSON.stringify(info)).toContain("broken_redirect")
  })

  it("a disconnected tracking client is forgotten: writes find no one to tell", async () => {
    for (const earlier of opened.splice(0)) {
      earlier.close()
      await earlier.waitClosed(2000)
    }
    const client = await tracker()
    await client.call("GET", "k")
    expect(server.server.state.tracking.enabled).toBe(true)
    client.close()
    await client.waitClosed(2000)
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(server.server.state.tracking.enabled).toBe(false)
    expect(server.server.state.tracking.size).toBe(0)
    expect(await admin.call("SET", "k", "v")).toEqual({ kind: "simple", value: "OK" })
  })
})
