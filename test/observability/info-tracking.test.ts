/**
 * INFO's client-side caching fields against redis-server: tracking_clients (Clients),
 * tracking_total_keys, tracking_total_items and tracking_total_prefixes (Stats) as clients turn
 * tracking on (default, BCAST with prefixes), read keys, see them invalidated and turn it off.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { RawClient } from "../support/RawClient.js"
import { hasRealRedis, type RunningRedfiber, startRealRedis, startRedfiber } from "../support/servers.js"

const FIELDS = ["tracking_clients", "tracking_total_keys", "tracking_total_items", "tracking_total_prefixes"]

/** The tracking fields of INFO on `admin`, as `name:value` lines in FIELDS order. */
const trackingFields = async (admin: RawClient): Promise<Array<string>> => {
  const text = String((await admin.call("INFO", "everything")).value)
  return FIELDS.map((field) => text.split("\r\n").find((line) => line.startsWith(`${field}:`)) ?? `${field} missing`)
}

/** One scenario on a server at `port`: the fields after each step. */
const scenario = async (port: number): Promise<Array<Array<string>>> => {
  const admin = await RawClient.connect(port)
  const a = await RawClient.connect(port)
  const b = await RawClient.connect(port)
  const c = await RawClient.connect(port)
  const seen: Array<Array<string>> = [await trackingFields(admin)]
  await a.call("CLIENT", "TRACKING", "ON")
  await b.call("CLIENT", "TRACKING", "ON")
  await admin.call("MSET", "k1", "1", "k2", "2", "k3", "3")
  await a.call("MGET", "k1", "k2", "k3")
  await b.call("GET", "k1")
  await b.call("GET", "nosuch")
  seen.push(await trackingFields(admin))
  await admin.call("SET", "k1", "x")
  seen.push(await trackingFields(admin))
  await c.call("CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "p:", "PREFIX", "q:")
  await b.call("CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "q:")
  seen.push(await trackingFields(admin))
  await c.call("CLIENT", "TRACKING", "OFF")
  await a.call("CLIENT", "TRACKING", "OFF")
  seen.push(await trackingFields(admin))
  for (const client of [a, b, c, admin]) client.close()
  return seen
}

describe("INFO tracking fields", () => {
  let ours: RunningRedfiber
  beforeAll(async () => {
    ours = await startRedfiber()
  })
  afterAll(async () => {
    await ours.stop()
  })

  it("count tracking clients, remembered keys, their readers and BCAST prefixes", async () => {
    const mine = await scenario(ours.port)
    expect(mine[1]).toEqual(["tracking_clients:2", "tracking_total_keys:4", "tracking_total_items:5", "tracking_total_prefixes:0"])
    if (hasRealRedis) {
      const real = await startRealRedis()
      try {
        expect(mine).toEqual(await scenario(real.port))
      } finally {
        await real.stop()
      }
    }
  })
})
