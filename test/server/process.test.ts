/**
 * `pnpm start`'s program as a process: flags, Ctrl+C (SIGINT/SIGTERM) drains and exits 0 with a
 * summary line, a second Ctrl+C exits at once, bad flags exit 2 with one line.
 */
import { afterEach, beforeAll, describe, expect, it } from "@effect/vitest"
import { type ChildProcess, execFileSync, spawn } from "node:child_process"
import * as net from "node:net"
import { RawClient } from "../support/RawClient.js"
import { freePort, waitForPing } from "../support/servers.js"

const SERVER = "dist/redfiber-server.js"

interface Launched {
  readonly child: ChildProcess
  readonly output: () => string
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

const children: Array<ChildProcess> = []
const launch = (args: ReadonlyArray<string>): Launched => {
  const child = spawn(process.execPath, [SERVER, ...args], { stdio: ["ignore", "pipe", "pipe"] })
  children.push(child)
  let output = ""
  child.stdout!.on("data", (d) => (output += d))
  child.stderr!.on("data", (d) => (output += d))
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal }))
  )
  return { child, output: () => output, exited }
}

beforeAll(() => {
  execFileSync(process.execPath, ["scripts/build.mjs"], { stdio: "inherit" })
})

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL")
})

describe("redfiber-server process", () => {
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    it(`${signal} closes clients, logs a summary and exits 0`, async () => {
      const port = await freePort()
      const server = launch(["--port", String(port)])
      await waitForPing(port)
      const clients = await Promise.all([1, 2, 3].map(() => RawClient.connect(port)))
      for (const client of clients) expect(await client.call("PING")).toEqual({ kind: "simple", value: "PONG" })
      server.child.kill(signal)
      for (const client of clients) await client.waitClosed()
      expect(await server.exited).toEqual({ code: 0, signal: null })
      expect(server.output()).toMatch(/Shutdown: drained 3 connection\(s\) in \d+ ms/)
    })
  }

  it("a second Ctrl+C exits at once while a client holds up the drain", async () => {
    const port = await freePort()
    const server = launch(["--port", String(port), "--shutdown-timeout", "60"])
    await waitForPing(port)
    const stuck = await RawClient.connect(port)
    for (let i = 0; i < 4; i++) stuck.send("ECHO", "s".repeat(16 * 1024 * 1024))
    // Once the first bytes of the 64 MB answer arrive, stop reading: the server is then stuck
    // writing to this client until the shutdown timeout.
    await stuck.waitForBytes(1)
    stuck.socket.pause()
    server.child.kill("SIGINT")
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(server.child.exitCode).toBe(null)
    server.child.kill("SIGINT")
    expect((await server.exited).code).toBe(130)
    stuck.close()
  })

  it("a bad flag is one line on stderr and exit code 2", async () => {
    for (const args of [["--bogus", "1"], ["--port", "abc"], ["--port", "70000"], ["--maxclients"]]) {
      const server = launch(args)
      expect((await server.exited).code).toBe(2)
      expect(server.output().trim().split("\n")).toHaveLength(1)
      expect(server.output()).toMatch(/^redfiber-server: /)
    }
  })

  it("a port in use is one clear line and exit code 1", async () => {
    const blocker = net.createServer()
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve))
    const port = (blocker.address() as net.AddressInfo).port
    const server = launch(["--port", String(port)])
    expect((await server.exited).code).toBe(1)
    expect(server.output()).toMatch(/Could not listen on 127\.0\.0\.1:\d+: .*EADDRINUSE/)
    blocker.close()
  })

  it("takes its configuration from the environment when no flag is given", async () => {
    const port = await freePort()
    const child = spawn(process.execPath, [SERVER], {
      stdio: "ignore",
      env: { ...process.env, REDFIBER_PORT: String(port), REDFIBER_DATABASES: "2" }
    })
    children.push(child)
    await waitForPing(port)
    const client = await RawClient.connect(port)
    expect(await client.call("SELECT", "1")).toEqual({ kind: "simple", value: "OK" })
    expect(await client.call("SELECT", "2")).toEqual({ kind: "error", value: "ERR DB index is out of range" })
    client.close()
  })
})
