/**
 * Servers for tests, always on ephemeral ports and always stopped by the test that started them:
 * - `startRedfiber`: our server in this process (RedisServer + Db layers in their own scope);
 * - `startRealRedis`: Debian's `redis-server` as a child process, when installed (the oracle).
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Scope from "effect/Scope"
import { type ChildProcess, spawn, spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as net from "node:net"
import * as os from "node:os"
import * as path from "node:path"
import type { ServerConfigInput } from "../../src/config/ServerConfig.js"
import { Db } from "../../src/keyspace/Db.js"
import { RedisServer, type RedisServerService } from "../../src/server/RedisServer.js"
import { RawClient } from "./RawClient.js"

export interface RunningServer {
  readonly port: number
  stop(): Promise<void>
}

export interface RunningRedfiber extends RunningServer {
  readonly server: RedisServerService
  readonly db: Db["Service"]
}

/**
 * Our server in this process. Its files (RDB, AOF) go to a directory of its own, removed when it
 * stops, unless `config.dir` names one: a test never reads or writes the working directory.
 */
export const startRedfiber = async (config: ServerConfigInput = {}): Promise<RunningRedfiber> => {
  const ownDir = config.dir === undefined ? fs.mkdtempSync(path.join(os.tmpdir(), "redfiber-test-")) : undefined
  const scope = Effect.runSync(Scope.make())
  const context = await Effect.runPromise(
    Layer.buildWithScope(RedisServer.layerWithDb({ port: 0, dir: ownDir, ...config }), scope)
  )
  const server = Context.getUnsafe(context, RedisServer)
  const db = Context.getUnsafe(context, Db)
  return {
    port: server.address.port,
    server,
    db,
    stop: async () => {
      await Effect.runPromise(Scope.close(scope, Exit.void))
      if (ownDir !== undefined) fs.rmSync(ownDir, { recursive: true, force: true })
    }
  }
}

/** A TCP port that was free a moment ago (for servers that cannot take port 0). */
export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const probe = net.createServer()
    probe.once("error", reject)
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as net.AddressInfo
      probe.close(() => resolve(port))
    })
  })

export const redisServerPath = (): string | undefined => {
  const found = spawnSync("sh", ["-c", "command -v redis-server"], { encoding: "utf8" })
  const path = found.stdout.trim()
  return found.status === 0 && path !== "" ? path : undefined
}

export const hasRealRedis = redisServerPath() !== undefined

/** Waits until a server answers PING on `port`. */
export const waitForPing = async (port: number, timeoutMs = 5000): Promise<void> => {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    try {
      const client = await RawClient.connect(port)
      try {
        const reply = await client.call("PING")
        if (reply.kind === "simple" && reply.value === "PONG") return
      } finally {
        client.close()
      }
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`no PONG on port ${port} within ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

const stopChild = (child: ChildProcess): Promise<void> =>
  new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve()
    child.once("exit", () => resolve())
    child.kill("SIGKILL")
  })

/** Debian's redis-server on a free port, nothing persisted. Throws when it is not installed. */
export const startRealRedis = async (extraArgs: ReadonlyArray<string> = []): Promise<RunningServer> => {
  const path = redisServerPath()
  if (path === undefined) throw new Error("redis-server is not installed")
  for (let attempt = 0; ; attempt++) {
    const port = await freePort()
    const child = spawn(path, [
      "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
      "--daemonize", "no", "--logfile", "", "--loglevel", "warning", ...extraArgs
    ], { stdio: "ignore" })
    try {
      await waitForPing(port)
      return { port, stop: () => stopChild(child) }
    } catch (error) {
      await stopChild(child)
      if (attempt >= 2) throw error
    }
  }
}
