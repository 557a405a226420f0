/**
 * Replication, on redfiber and on a real Redis as the primary, always with a real Redis as the
 * replica (so the rows differ only in the primary):
 * - SET -P 16 throughput (redis-benchmark) with no replica, then with one replica attached, and
 *   how long the replica then takes to catch up;
 * - a full sync: N keys (1 000 000 by default) on the primary, a fresh replica started, the time
 *   until its link is up and its offset is the primary's.
 * Both primaries run with repl-diskless-sync-delay 0 (the default waits 5 s for more replicas).
 * One SET run before the first measured one warms the primary up.
 */
import { mkdtempSync, rmSync } from "node:fs"
import os from "node:os"
import path from "node:path"
import { sleep } from "../lib/processes.mjs"
import { measureWithCpu } from "../lib/measure.mjs"
import { fillKeys, RespClient } from "../lib/resp-client.mjs"
import { launchServer, stopServer } from "../lib/servers.mjs"

const infoField = (text, name) => {
  const line = String(text).split("\r\n").find((l) => l.startsWith(`${name}:`))
  return line === undefined ? undefined : line.slice(name.length + 1)
}

const info = async (port) => {
  const client = await RespClient.connect(port)
  try {
    return String(await client.command("INFO", "replication"))
  } finally {
    client.close()
  }
}

/** Milliseconds until the replica's link is up and its offset is the primary's (bounded). */
const untilInSync = async (primary, replica, timeoutMs = 600_000) => {
  const started = performance.now()
  while (performance.now() - started < timeoutMs) {
    const [p, r] = await Promise.all([info(primary), info(replica)])
    if (infoField(r, "master_link_status") === "up" && infoField(p, "master_repl_offset") === infoField(r, "master_repl_offset")) {
      return performance.now() - started
    }
    await sleep(20)
  }
  throw new Error(`the replica did not catch up within ${timeoutMs / 1000} s`)
}

const primaryFlags = () => ["--repl-diskless-sync-delay", "0"]
/** A Redis replica writes the snapshot it receives to its dir: a temporary one, never the project's. */
const replicaOf = (port, dir) => ["--replicaof", "127.0.0.1", String(port), "--dir", dir]

/** SET -P 16 on the primary, with the primary's CPU per operation (its replication work included). */
const setRun = (primary, options) =>
  measureWithCpu(primary, { test: "set", requests: options.replicationRequests, clients: 50, pipeline: 16 })

const measureOne = async (name, options, log, replicaDir) => {
  const servers = []
  try {
    const primary = await launchServer(name, primaryFlags(name))
    servers.push(primary)
    await setRun(primary, options) // warm-up (redfiber's JIT), not reported
    const alone = await setRun(primary, options)
    const replica = await launchServer("redis", replicaOf(primary.port, replicaDir))
    servers.push(replica)
    await untilInSync(primary.port, replica.port)
    const attached = await setRun(primary, options)
    const catchUpMs = await untilInSync(primary.port, replica.port)
    await stopServer(servers.pop())

    const problem = await fillKeys(primary.port, options.replicationSyncKeys, "v".repeat(10))
    if (problem !== undefined) return { name, error: `SET failed: ${problem}` }
    const syncStarted = performance.now()
    const fresh = await launchServer("redis", replicaOf(primary.port, replicaDir))
    servers.push(fresh)
    await untilInSync(primary.port, fresh.port)
    const fullSyncMs = performance.now() - syncStarted
    log(`  ${name}: SET -P 16 ${alone.summary ?? alone.error} alone, ${attached.summary ?? attached.error} with a replica; full sync ${fullSyncMs.toFixed(0)} ms`)
    return { name, alone, attached, catchUpMs, fullSyncMs, keys: options.replicationSyncKeys }
  } finally {
    for (const server of servers.reverse()) await stopServer(server)
  }
}

export const runReplication = async (serverNames, options, log) => {
  log(`Replication: SET -P 16 with and without a replica, full sync of ${options.replicationSyncKeys} keys`)
  const results = []
  const replicaDir = mkdtempSync(path.join(os.tmpdir(), "bench-replica-"))
  try {
    for (const name of serverNames.filter((n) => n !== "node-ref")) {
      try {
        results.push(await measureOne(name, options, log, replicaDir))
      } catch (error) {
        results.push({ name, error: error.message.split("\n")[0] })
      }
    }
  } finally {
    rmSync(replicaDir, { recursive: true, force: true })
  }
  return results
}
