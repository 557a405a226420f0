/**
 * Three real redis-sentinels monitor a real primary with a redfiber replica; when the primary is
 * killed they fail over to redfiber (REPLICAOF NO ONE inside MULTI with CONFIG REWRITE and
 * CLIENT KILL, then INFO/ROLE polling until it reports itself a master).
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { afterEach, describe, expect, it } from "vitest"
import { freePort, hasRealRedis, type RunningServer, startRealRedis, waitForPing } from "../support/servers.js"
import { call, infoField, startRedfiber, waitInSync, waitUntil } from "./support.js"

const sentinelPath = (() => {
  const found = spawnSync("sh", ["-c", "command -v redis-sentinel"], { encoding: "utf8" })
  return found.status === 0 ? found.stdout.trim() : ""
})()

const children: Array<ChildProcess> = []
const servers: Array<RunningServer> = []
const dirs: Array<string> = []
afterEach(async () => {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve))
      child.kill("SIGKILL")
      await exited
    }
  }
  children.length = 0
  for (const server of servers.reverse()) await server.stop()
  servers.length = 0
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true })
  dirs.length = 0
})

const startSentinel = async (dir: string, index: number, primaryPort: number): Promise<number> => {
  const port = await freePort()
  const file = path.join(dir, `sentinel-${index}.conf`)
  fs.writeFileSync(file, [
    `port ${port}`,
    "bind 127.0.0.1",
    `dir ${dir}`,
    `sentinel monitor m 127.0.0.1 ${primaryPort} 2`,
    "sentinel down-after-milliseconds m 1000",
    "sentinel failover-timeout m 5000",
    ""
  ].join("\n"))
  const child = spawn(sentinelPath, [file], { stdio: "ignore" })
  children.push(child)
  await waitForPing(port)
  return port
}

const sentinelField = async (port: number, field: string): Promise<string | undefined> => {
  const reply = await call(port, "SENTINEL", "MASTER", "m")
  if (reply.kind !== "array" || reply.value === null) return undefined
  const flat = reply.value.map((item) => String(item.value))
  const at = flat.indexOf(field)
  return at < 0 ? undefined : flat[at + 1]
}

describe.skipIf(!hasRealRedis || sentinelPath === "")("Sentinel", () => {
  it("three sentinels promote a redfiber replica when the real primary dies", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "redfiber-sentinel-"))
    dirs.push(dir)
    const primary = await startRealRedis(["--repl-diskless-sync-delay", "0", "--dir", dir])
    servers.push(primary)
    const replica = await startRedfiber({ replicaof: `127.0.0.1 ${primary.port}` })
    servers.push(replica)
    await call(primary.port, "SET", "before", "failover")
    await waitInSync(primary.port, replica.port)
    const sentinels = [
      await startSentinel(dir, 1, primary.port),
      await startSentinel(dir, 2, primary.port),
      await startSentinel(dir, 3, primary.port)
    ]
    await waitUntil("the sentinels to find each other and the replica", async () =>
      (await sentinelField(sentinels[0], "num-other-sentinels")) === "2" &&
      (await sentinelField(sentinels[0], "num-slaves")) === "1", 30000)
    await primary.stop()
    servers.splice(servers.indexOf(primary), 1)
    await waitUntil("the failover to redfiber", async () => {
      const address = await call(sentinels[0], "SENTINEL", "GET-MASTER-ADDR-BY-NAME", "m")
      return address.kind === "array" && address.value?.[1].value === String(replica.port)
    }, 30000)
    await waitUntil("redfiber to be a primary", async () => (await infoField(replica.port, "replication", "role")) === "master")
    expect(await call(replica.port, "GET", "before")).toEqual({ kind: "bulk", value: "failover" })
    expect(await call(replica.port, "SET", "after", "1")).toEqual({ kind: "simple", value: "OK" })
  }, 60000)
})
