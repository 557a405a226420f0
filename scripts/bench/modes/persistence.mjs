/**
 * Persistence: on redfiber and a real Redis, each with an AOF (appendfsync everysec) in a
 * directory of its own and N keys written (1 000 000 by default):
 * - the longest a client waits for a PING while BGREWRITEAOF, then BGSAVE, run (one client
 *   pinging back to back; the pause is what "serving while rewriting" costs);
 * - how long each took (from INFO persistence);
 * - the restart: launch to first PONG with the AOF replayed, and the replay rate.
 * Redis is started with aof-use-rdb-preamble no, so both replay commands.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import os from "node:os"
import path from "node:path"
import { sleep } from "../lib/processes.mjs"
import { fillKeys, RespClient } from "../lib/resp-client.mjs"
import { launchServer, stopServer } from "../lib/servers.mjs"

const infoField = (text, name) => {
  const line = String(text).split("\r\n").find((l) => l.startsWith(`${name}:`))
  return line === undefined ? undefined : line.slice(name.length + 1)
}

/** Pings back to back until `done()`; the longest and the 99th-percentile round trip in ms. */
const probeWhile = async (port, done) => {
  const client = await RespClient.connect(port)
  const samples = []
  try {
    while (!(await done())) {
      const started = performance.now()
      await client.command("PING")
      samples.push(performance.now() - started)
    }
  } finally {
    client.close()
  }
  samples.sort((a, b) => a - b)
  return { maxMs: samples.at(-1) ?? 0, p99Ms: samples[Math.floor(samples.length * 0.99)] ?? 0, pings: samples.length }
}

/** Starts a background job with `command` and measures PING pauses until INFO says it is over. */
const backgroundJob = async (port, command, inProgressField, durationField) => {
  const control = await RespClient.connect(port)
  try {
    const reply = await control.command(command)
    if (typeof reply !== "string") return { error: `${command}: ${reply?.message ?? String(reply)}` }
    const started = performance.now()
    const pauses = await probeWhile(port, async () => {
      const info = await control.command("INFO", "persistence")
      return infoField(info, inProgressField) === "0"
    })
    const info = await control.command("INFO", "persistence")
    return { ...pauses, jobMs: performance.now() - started, reportedSeconds: Number(infoField(info, durationField)) }
  } finally {
    control.close()
  }
}

const flags = (name, dir) =>
  name === "redis"
    ? ["--dir", dir, "--appendonly", "yes", "--appendfsync", "everysec", "--aof-use-rdb-preamble", "no", "--logfile", path.join(dir, "redis.log")]
    : ["--dir", dir, "--appendonly", "yes", "--appendfsync", "everysec"]

/** The AOF replay rate the server logged (redfiber: commands/s; Redis: seconds, turned into keys/s). */
const replayLine = (name, server, dir) => {
  if (name === "redfiber") return server.process.output().split("\n").find((line) => line.includes("append only file")) ?? ""
  const log = readFileSync(path.join(dir, "redis.log"), "utf8")
  return log.split("\n").find((line) => line.includes("DB loaded from append only file")) ?? ""
}

const measureOne = async (name, options, log) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), `bench-persist-${name}-`))
  try {
    let server = await launchServer(name, flags(name, dir))
    let rewrite
    let save
    try {
      const problem = await fillKeys(server.port, options.persistenceKeys, "v".repeat(10))
      if (problem !== undefined) return { name, error: `SET failed: ${problem}` }
      await sleep(1500) // everysec: let the last second reach the disk
      rewrite = await backgroundJob(server.port, "BGREWRITEAOF", "aof_rewrite_in_progress", "aof_last_rewrite_time_sec")
      save = await backgroundJob(server.port, "BGSAVE", "rdb_bgsave_in_progress", "rdb_last_bgsave_time_sec")
      log(`  ${name}: rewrite pause max ${rewrite.maxMs?.toFixed(1)} ms, save pause max ${save.maxMs?.toFixed(1)} ms`)
    } finally {
      await stopServer(server)
    }
    const started = performance.now()
    server = await launchServer(name, flags(name, dir))
    const restartMs = performance.now() - started
    const line = replayLine(name, server, dir)
    await stopServer(server)
    return { name, keys: options.persistenceKeys, rewrite, save, restartMs, replayLine: line.trim() }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

export const runPersistence = async (serverNames, options, log) => {
  log(`Persistence: ${options.persistenceKeys} keys, BGREWRITEAOF and BGSAVE pauses, AOF replay at restart`)
  const results = []
  for (const name of serverNames.filter((n) => n !== "node-ref")) {
    try {
      results.push(await measureOne(name, options, log))
    } catch (error) {
      results.push({ name, error: error.message.split("\n")[0] })
    }
  }
  return results
}
