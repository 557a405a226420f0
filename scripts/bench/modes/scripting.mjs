/**
 * Scripting throughput: EVALSHA of three cached scripts — `return 1`, one INCR, and ten INCRs
 * (a script calling the server ten times) — with redis-benchmark -c 50, without and with -P 16,
 * beside real Redis. Reports ops/s (scripts per second) and the ratio to Redis.
 */
import { createHash } from "node:crypto"
import { cpuMicros } from "../lib/proc.mjs"
import { runRedisBenchmark } from "../lib/redis-benchmark.mjs"
import { RespClient } from "../lib/resp-client.mjs"
import { BASELINE, serverGoneReason } from "../lib/servers.mjs"
import { runInterleaved, summarizeRow } from "./interleaved.mjs"

const SCRIPTS = [
  { name: "return 1", body: "return 1" },
  { name: "1 INCR", body: "return redis.call('INCR', KEYS[1])" },
  { name: "10 INCRs", body: "local v for i = 1, 10 do v = redis.call('INCR', KEYS[1]) end return v" }
]

const sha1 = (text) => createHash("sha1").update(text).digest("hex")

const loadScripts = async (server) => {
  const client = await RespClient.connect(server.port)
  try {
    for (const script of SCRIPTS) await client.command("SCRIPT", "LOAD", script.body)
  } finally {
    client.close()
  }
}

const readCpu = (server) => {
  try {
    return cpuMicros(server.process.pid)
  } catch {
    return NaN
  }
}

const measure = (options) => async (server, row) => {
  const crashed = serverGoneReason(server)
  if (crashed) return { error: crashed }
  const cpuBefore = readCpu(server)
  const result = await runRedisBenchmark({
    port: server.port,
    requests: options.requests,
    clients: options.clients,
    pipeline: row.pipeline,
    command: ["EVALSHA", row.sha, "1", "bench:counter"]
  })
  const cpuAfter = readCpu(server)
  if (result.error !== undefined) return { error: serverGoneReason(server) ?? result.error }
  // Server CPU per script: robust to a loaded machine, where throughput is not.
  const cpuUsPerOp = (cpuAfter - cpuBefore) / options.requests
  return {
    rps: result.rps,
    cpuUsPerOp,
    summary: `${Math.round(result.rps).toLocaleString("en-US")} scripts/s, ${cpuUsPerOp.toFixed(2)} µs CPU/op`
  }
}

/** Runs the scripting rows on the running `servers`; resolves with the rows and their summaries. */
export const runScripting = async (servers, options, log) => {
  for (const server of servers) await loadScripts(server)
  const rows = options.pipelines.flatMap((pipeline) =>
    SCRIPTS.map((script) => ({ pipeline, sha: sha1(script.body), label: `EVALSHA ${script.name} -P ${pipeline}` }))
  )
  log(`Scripting: EVALSHA -c ${options.clients} -n ${options.requests}, ${options.runs} interleaved run(s) per row`)
  await runInterleaved({ rows, servers, runs: options.runs, measure: measure(options), log })
  for (const row of rows) row.summary = summarizeRow(row, BASELINE)
  return rows
}
