/**
 * Real clients against our server: ioredis and node-redis (the `redis` package) connect, run a
 * few commands and see what they would see from Redis; redis-cli and redis-benchmark (when
 * installed) do their start-up handshakes (COMMAND DOCS, CONFIG GET save/appendonly) and run.
 *
 * Both libraries speak RESP3 by default (they open with HELLO 3); node-redis is asked for RESP2
 * here so both protocols are covered (test/commands/resp3.test.ts has them in RESP3).
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { Redis } from "ioredis"
import { execFile } from "node:child_process"
import { spawnSync } from "node:child_process"
import { createClient } from "redis"
import { type RunningRedfiber, startRedfiber } from "../support/servers.js"

/** Runs a tool without blocking the event loop (our server lives in this process). */
const runTool = (file: string, args: ReadonlyArray<string>): Promise<{ code: number; stdout: string }> =>
  new Promise((resolve) => {
    execFile(file, args, { timeout: 60_000 }, (error, stdout) => {
      resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : 1, stdout })
    })
  })

const installed = (tool: string) => spawnSync("sh", ["-c", `command -v ${tool}`]).status === 0

describe("client libraries and tools", () => {
  let server: RunningRedfiber
  beforeAll(async () => {
    server = await startRedfiber()
  })
  afterAll(() => server.stop())

  it("ioredis connects and runs PING, SET/GET, CLIENT SETNAME/GETNAME, INFO, CONFIG GET", async () => {
    const client = new Redis({ host: "127.0.0.1", port: server.port, lazyConnect: true, retryStrategy: () => null })
    try {
      await client.connect()
      expect(await client.ping()).toBe("PONG")
      expect(await client.set("compat:ioredis", "value")).toBe("OK")
      expect(await client.get("compat:ioredis")).toBe("value")
      expect(await client.client("SETNAME", "io-client")).toBe("OK")
      expect(await client.client("GETNAME")).toBe("io-client")
      const info = await client.info("server")
      expect(info).toContain("redis_version:7.0.15")
      expect(info).toContain(`tcp_port:${server.port}`)
      expect(await client.config("GET", "save")).toEqual(["save", ""])
      expect(await client.echo("é")).toBe("é")
      expect(await client.quit()).toBe("OK")
    } finally {
      client.disconnect()
    }
  })

  it("node-redis connects (RESP2) and runs PING, SET/GET, CLIENT SETNAME/GETNAME, INFO, CONFIG GET", async () => {
    const client = createClient({ url: `redis://127.0.0.1:${server.port}`, RESP: 2 })
    client.on("error", () => {})
    await client.connect()
    try {
      expect(await client.ping()).toBe("PONG")
      expect(await client.set("compat:node-redis", "value")).toBe("OK")
      expect(await client.get("compat:node-redis")).toBe("value")
      expect(await client.clientSetName("node-client")).toBe("OK")
      expect(await client.clientGetName()).toBe("node-client")
      expect(await client.info("server")).toContain("redis_version:7.0.15")
      expect(await client.configGet("appendonly")).toEqual({ appendonly: "no" })
      // The library announced itself with CLIENT SETINFO while connecting.
      const line = String(await client.sendCommand(["CLIENT", "INFO"]))
      expect(line).toMatch(/ lib-name=node-redis lib-ver=\d+\.\d+\.\d+/)
    } finally {
      await client.close()
    }
  })

  it.skipIf(!installed("redis-cli"))("redis-cli runs one-shot commands", async () => {
    const port = String(server.port)
    expect(await runTool("redis-cli", ["-p", port, "PING"])).toEqual({ code: 0, stdout: "PONG\n" })
    expect(await runTool("redis-cli", ["-p", port, "SET", "compat:cli", "v"])).toEqual({ code: 0, stdout: "OK\n" })
    expect(await runTool("redis-cli", ["-p", port, "GET", "compat:cli"])).toEqual({ code: 0, stdout: "v\n" })
    expect(await runTool("redis-cli", ["-p", port, "CONFIG", "GET", "appendonly"]))
      .toEqual({ code: 0, stdout: "appendonly\nno\n" })
    const info = await runTool("redis-cli", ["-p", port, "INFO", "keyspace"])
    expect(info.stdout).toMatch(/^# Keyspace\r?\n/)
  })

  it.skipIf(!installed("redis-benchmark"))("redis-benchmark completes a short run", async () => {
    const result = await runTool("redis-benchmark", ["-p", String(server.port), "-t", "ping,set,get", "-n", "300", "-c", "4", "-q"])
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/SET: .*requests per second/)
    expect(result.stdout).toMatch(/GET: .*requests per second/)
  })
})
