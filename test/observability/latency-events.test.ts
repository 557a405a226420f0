/**
 * The latency monitor's events beyond commands: expire-cycle, eviction-cycle / eviction-del,
 * aof-write (with its kind) and aof-fsync-always. The phases are timed on the server's clock, so
 * here a clock that moves 5 ms at every read makes each phase "slow"; and over TCP, a 50 MB write
 * to the AOF shows in LATENCY LATEST, HISTORY and DOCTOR (only that the event appears is checked).
 */
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { commandTable } from "../../src/commands/table.js"
import { RuntimeConfig } from "../../src/config/RuntimeConfig.js"
import { makeServerConfig } from "../../src/config/ServerConfig.js"
import { Keyspace } from "../../src/keyspace/Keyspace.js"
import { Observability } from "../../src/observability/Observability.js"
import { AppendOnlyFile } from "../../src/persistence/AppendOnlyFile.js"
import { performEvictions } from "../../src/eviction/MaxMemory.js"
import { detachedServerState } from "../../src/commands/ServerState.js"
import { RawClient } from "../support/RawClient.js"
import type { Reply } from "../support/RespReader.js"
import { startRedfiber } from "../support/servers.js"

/** An Observability whose clock moves 5 ms at each read, with latency-monitor-threshold `threshold`. */
const slowClockObservability = (config: RuntimeConfig, threshold: string) => {
  let now = 1_700_000_000_000_000
  const observability = new Observability(() => (now += 5000), config)
  config.setExtra("latency-monitor-threshold", threshold)
  return observability
}

const events = (observability: Observability) => [...observability.latencyEvents.series.keys()]

describe("latency events of the server's own phases", () => {
  it("expire-cycle: an active expiry cycle over the threshold", () => {
    const config = new RuntimeConfig(makeServerConfig())
    const keyspace = new Keyspace(16)
    for (let i = 0; i < 50; i++) keyspace.databases[0].setWithExpiry(`k${i}`, "v", 1000)
    const observability = slowClockObservability(config, "0")
    keyspace.latencyProbe = observability
    keyspace.sweepExpired(2000)
    // Monitoring off: nothing timed, nothing recorded.
    expect(events(observability)).toEqual([])
    config.setExtra("latency-monitor-threshold", "1")
    for (let i = 0; i < 50; i++) keyspace.databases[0].setWithExpiry(`k${i}`, "v", 1000)
    expect(keyspace.sweepExpired(2000)).toBe(50)
    expect(events(observability)).toEqual(["expire-cycle"])
    expect(observability.latencyEvents.series.get("expire-cycle")!.max).toBe(5)
  })

  it("eviction-del for each key evicted and eviction-cycle for the whole eviction", () => {
    const config = new RuntimeConfig(makeServerConfig({ maxmemory: 1, maxmemoryPolicy: "allkeys-random" }))
    const observability = slowClockObservability(config, "1")
    const server = { ...detachedServerState(commandTable, config), observability }
    const keyspace = new Keyspace(16)
    for (let i = 0; i < 3; i++) keyspace.databases[0].set(`k${i}`, "x".repeat(100))
    expect(performEvictions(server, keyspace, Date.now())).toBe("fail")
    expect(keyspace.databases[0].size).toBe(0)
    expect(events(observability)).toEqual(["eviction-del", "eviction-cycle"])
  })

  it("aof-write with its kind, and aof-fsync-always for the sync replies wait on", async () => {
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), "redfiber-latency-"))
    const config = new RuntimeConfig(makeServerConfig())
    const observability = slowClockObservability(config, "1")
    const aof = AppendOnlyFile.open(path.join(directory, "appendonly.aof"), "always")
    try {
      aof.latencyProbe = observability
      const token = aof.write(Buffer.from("*1\r\n$4\r\nPING\r\n"))
      await new Promise<void>((resolve) => aof.whenDurable(token, resolve))
      expect(events(observability)).toEqual(["aof-write-alone", "aof-write", "aof-fsync-always"])
    } finally {
      aof.close()
      fs.rmSync(directory, { recursive: true, force: true })
    }
  })

  it("over TCP: a large write to the AOF appears in LATENCY LATEST, HISTORY and DOCTOR", async () => {
    const server = await startRedfiber({ appendonly: "yes" })
    const client = await RawClient.connect(server.port)
    const text = (reply: Reply) => (reply.kind === "bulk" ? reply.value ?? "" : JSON.stringify(reply))
    try {
      await client.call("CONFIG", "SET", "latency-monitor-threshold", "1")
      await client.call("SET", "big", "x".repeat(50 * 1024 * 1024))
      const latest = await client.call("LATENCY", "LATEST")
      const names = latest.kind === "array"
        ? (latest.value ?? []).map((entry) => (entry.kind === "array" ? text((entry.value ?? [])[0]) : ""))
        : []
      expect(names).toContain("aof-write")
      expect(names.some((name) => /^aof-write-(alone|pending-fsync|active-child)$/.test(name))).toBe(true)
      const history = await client.call("LATENCY", "HISTORY", "aof-write")
      expect(history.kind === "array" ? (history.value ?? []).length : 0).toBeGreaterThan(0)
      expect(text(await client.call("LATENCY", "DOCTOR"))).toMatch(/\d+\. aof-write: 1 latency spikes/)
    } finally {
      client.close()
      await server.stop()
    }
  }, 30000)
})
