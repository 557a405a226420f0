/**
 * The replication link through failures: a link cut in the middle of the RDB transfer (a proxy
 * between replica and primary drops the first connection after a set number of bytes), a link
 * dropped while the replica loads the snapshot, and a primary restart — from its RDB file, which
 * keeps the history (Redis 7.0 restarts the same way: partial resync under a new id), or from its
 * AOF alone, which does not (full resync). Each with redfiber and real Redis on the other side.
 */
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as net from "node:net"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { RawClient } from "../support/RawClient.js"
import { freePort, hasRealRedis, redisServerPath, type RunningServer, waitForPing } from "../support/servers.js"
import { call, infoField, sameData, serverPool, startRedfiber, waitInSync, waitUntil, writeLoad } from "./support.js"

const { dir: redisDir, startRealRedis, started } = serverPool("resilience", ["--repl-diskless-sync-delay", "0"])



/**
 * A TCP proxy to `target` that closes its first connection (both sides) once `cutAfter` bytes went
 * from the target to the client; later connections pass through.
 */
const cuttingProxy = async (target: number, cutAfter: number) => {
  const sockets = new Set<net.Socket>()
  const state = { connections: 0, firstForwarded: 0 }
  const server = net.createServer((client) => {
    const index = state.connections++
    const upstream = net.connect(target, "127.0.0.1")
    sockets.add(client).add(upstream)
    const close = () => {
      client.destroy()
      upstream.destroy()
    }
    client.on("error", close).on("close", close)
    upstream.on("error", close).on("close", close)
    client.on("data", (chunk) => upstream.write(chunk))
    upstream.on("data", (chunk) => {
      if (index > 0) return void client.write(chunk)
      const room = cutAfter - state.firstForwarded
      if (room <= 0) return
      const part = chunk.subarray(0, room)
      state.firstForwarded += part.length
      client.write(part, () => {
        if (state.firstForwarded >= cutAfter) close()
      })
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const proxy = {
    port: (server.address() as net.AddressInfo).port,
    state,
    stop: async () => {
      for (const socket of sockets) socket.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  }
  return proxy
}

/** 5000 keys of ~110 bytes: an RDB of about 600 KB. */
const fillBig = async (port: number) => {
  const client = await RawClient.connect(port)
  try {
    for (let i = 0; i < 5000; i++) client.send("SET", `key:${i}`, `${i}:${"x".repeat(100)}`)
    for (let i = 0; i < 5000; i++) await client.read()
  } finally {
    client.close()
  }
}

const stats = async (port: number) => ({
  full: await infoField(port, "stats", "sync_full"),
  partialOk: await infoField(port, "stats", "sync_partial_ok")
})

describe.skipIf(!hasRealRedis)("a link cut in the middle of the RDB transfer", () => {
  for (const primaryKind of ["redfiber", "redis"] as const) {
    const replicaKinds = primaryKind === "redfiber" ? (["redfiber", "redis"] as const) : (["redfiber"] as const)
    for (const replicaKind of replicaKinds) {
      it(`${replicaKind} replica of ${primaryKind}: retries and ends with the primary's data`, async () => {
        const primary = started(primaryKind === "redfiber" ? await startRedfiber() : await startRealRedis())
        await fillBig(primary.port)
        const proxy = await cuttingProxy(primary.port, 100_000)
        started(proxy)
        const replica = started(replicaKind === "redfiber"
          ? await startRedfiber({ replicaof: `127.0.0.1 ${proxy.port}` })
          : await startRealRedis(["--replicaof", "127.0.0.1", String(proxy.port)]))
        await waitUntil("the first transfer to be cut", async () => proxy.state.firstForwarded >= 100_000)
        await writeLoad(primary.port, 200, 11)
        await waitInSync(primary.port, replica.port)
        expect(await sameData(primary.port, replica.port)).toBeGreaterThan(5000)
        // The cut connection got a part of the snapshot only; the next one a whole new sync.
        expect(proxy.state.connections).toBeGreaterThanOrEqual(2)
        expect(Number((await stats(primary.port)).full)).toBeGreaterThanOrEqual(2)
      }, 60_000)
    }
  }
})

describe.skipIf(!hasRealRedis)("a link dropped while the replica loads the snapshot", () => {
  it("the load completes and the replica continues with a partial resync", async () => {
    const primary = started(await startRedfiber())
    await fillBig(primary.port)
    const replica = started(await startRedfiber())
    await call(replica.port, "CONFIG", "SET", "key-load-delay", "1000")
    await call(replica.port, "REPLICAOF", "127.0.0.1", String(primary.port))
    await waitUntil("the replica to be loading", async () => (await infoField(replica.port, "persistence", "loading")) === "1")
    expect(await call(replica.port, "CLIENT", "KILL", "TYPE", "master")).toEqual({ kind: "integer", value: "1" })
    await writeLoad(primary.port, 200, 12)
    await call(replica.port, "CONFIG", "SET", "key-load-delay", "0")
    await waitInSync(primary.port, replica.port)
    await sameData(primary.port, replica.port)
    expect(await stats(primary.port)).toEqual({ full: "1", partialOk: "1" })
  }, 60_000)
})

/** A real Redis on a given port (a restarted primary comes back where its replicas look for it). */
const startRedisOn = async (port: number, args: ReadonlyArray<string>): Promise<RunningServer> => {
  const child = spawn(redisServerPath()!, ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--logfile", "", "--loglevel", "warning", ...args], { stdio: "ignore" })
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve()
      child.once("exit", () => resolve())
      child.kill("SIGKILL")
    })
  try {
    await waitForPing(port)
  } catch (error) {
    await stop()
    throw error
  }
  return { port, stop }
}

describe.skipIf(!hasRealRedis)("a primary restart", () => {
  // No PING to replicas during the test: the stream stops where SAVE records it.
  const restartable = async (kind: "redfiber" | "redis", dir: string, port: number, extra: ReadonlyArray<string> = []) =>
    kind === "redfiber"
      ? await startRedfiber({ port, dir, parameters: [["repl-ping-replica-period", "3600"], ...(extra.length === 0 ? [] : [[extra[0], extra[1]] as const])] })
      : await startRedisOn(port, ["--dir", dir, "--repl-diskless-sync-delay", "0", "--repl-ping-replica-period", "3600"])

  /** Writes of every type with no TTL: nothing expires into the stream after SAVE. */
  const writeLasting = async (port: number, round: number) => {
    const commands: Array<Array<string>> = []
    for (let i = 0; i < 100; i++) {
      commands.push(["SET", `s:${round}:${i}`, `v${i}`], ["RPUSH", `l:${i % 7}`, `${round}:${i}`], ["HSET", `h:${i % 5}`, `f${round}:${i}`, "1"])
      commands.push(["SADD", `t:${i % 3}`, `${round}:${i}`], ["ZADD", "z", String(i), `${round}:${i}`], ["INCR", "counter"])
    }
    const client = await RawClient.connect(port)
    try {
      for (const argv of commands) client.send(...argv)
      for (let i = 0; i < commands.length; i++) await client.read()
    } finally {
      client.close()
    }
  }

  for (const primaryKind of ["redfiber", "redis"] as const) {
    it(`${primaryKind} restarted from its RDB file: replicas continue with a partial resync`, async () => {
      const dir = fs.mkdtempSync(path.join(redisDir, "primary-"))
      const port = await freePort()
      let primary = started(await restartable(primaryKind, dir, port))
      const replicas: Array<RunningServer> = [started(await startRedfiber({ replicaof: `127.0.0.1 ${port}` }))]
      if (primaryKind === "redfiber") replicas.push(started(await startRealRedis(["--replicaof", "127.0.0.1", String(port)])))
      await writeLasting(port, 1)
      for (const replica of replicas) await waitInSync(port, replica.port)
      const before = await infoField(port, "replication", "master_replid")
      // The full sync's snapshot child may not be reaped yet (Redis checks in its cron): SAVE would refuse.
      await waitUntil("no snapshot in progress", async () => await infoField(port, "persistence", "rdb_bgsave_in_progress") === "0")
      expect(await call(port, "SAVE")).toEqual({ kind: "simple", value: "OK" })
      await primary.stop()
      primary = started(await restartable(primaryKind, dir, port))
      expect(await infoField(port, "replication", "master_replid2")).toBe(before)
      expect(await infoField(port, "replication", "master_replid")).not.toBe(before)
      await writeLasting(port, 2)
      for (const replica of replicas) await waitInSync(port, replica.port)
      for (const replica of replicas) await sameData(port, replica.port)
      expect(await stats(port)).toEqual({ full: "0", partialOk: String(replicas.length) })
    }, 60_000)
  }

  it("redis restarted with no file (a new history, no data): the redfiber replica resyncs in full", async () => {
    const dir = fs.mkdtempSync(path.join(redisDir, "primary-"))
    const port = await freePort()
    let primary = started(await restartable("redis", dir, port))
    const replica = started(await startRedfiber({ replicaof: `127.0.0.1 ${port}` }))
    await writeLasting(port, 1)
    await waitInSync(port, replica.port)
    await primary.stop()
    primary = started(await restartable("redis", dir, port))
    await writeLasting(port, 2)
    await waitInSync(port, replica.port)
    expect(await sameData(port, replica.port)).toBe(await call(port, "DBSIZE").then((reply) => Number(reply.value)))
    expect(await call(replica.port, "EXISTS", "s:1:0")).toEqual({ kind: "integer", value: "0" })
    expect(await stats(port)).toEqual({ full: "1", partialOk: "0" })
  }, 60_000)

  it("redfiber restarted from its AOF alone (no history kept): replicas resync in full", async () => {
    const dir = fs.mkdtempSync(path.join(redisDir, "primary-"))
    const port = await freePort()
    let primary = started(await restartable("redfiber", dir, port, ["appendonly", "yes"]))
    const replicas = [
      started(await startRedfiber({ replicaof: `127.0.0.1 ${port}` })),
      started(await startRealRedis(["--replicaof", "127.0.0.1", String(port)]))
    ]
    await writeLoad(port, 400, 15)
    for (const replica of replicas) await waitInSync(port, replica.port)
    const before = await infoField(port, "replication", "master_replid")
    await primary.stop()
    primary = started(await restartable("redfiber", dir, port, ["appendonly", "yes"]))
    expect(await infoField(port, "replication", "master_replid2")).not.toBe(before)
    await writeLoad(port, 400, 16)
    for (const replica of replicas) await waitInSync(port, replica.port)
    for (const replica of replicas) await sameData(port, replica.port)
    expect(await stats(port)).toEqual({ full: "2", partialOk: "0" })
  }, 60_000)
})

describe.skipIf(!hasRealRedis)("a replica restart", () => {
  for (const primaryKind of ["redfiber", "redis"] as const) {
    it(`a redfiber replica of ${primaryKind} restarted from its RDB file continues with a partial resync`, async () => {
      const primary = started(primaryKind === "redfiber" ? await startRedfiber() : await startRealRedis())
      const dir = fs.mkdtempSync(path.join(redisDir, "replica-"))
      const port = await freePort()
      const replica = started(await startRedfiber({ port, dir, replicaof: `127.0.0.1 ${primary.port}` }))
      await writeLoad(primary.port, 300, 17)
      await waitInSync(primary.port, replica.port)
      expect(await call(replica.port, "SAVE")).toEqual({ kind: "simple", value: "OK" })
      await replica.stop()
      await writeLoad(primary.port, 300, 18)
      const again = started(await startRedfiber({ port, dir, replicaof: `127.0.0.1 ${primary.port}` }))
      await writeLoad(primary.port, 100, 19)
      await waitInSync(primary.port, again.port)
      await sameData(primary.port, again.port)
      expect(await stats(primary.port)).toEqual({ full: "1", partialOk: "1" })
    }, 60_000)
  }
})
