/**
 * One redis-benchmark run against a running server, with the server's CPU time per request read
 * from /proc around it: the figure that stays steady on a loaded machine, where throughput does not.
 */
import { cpuMicros } from "./proc.mjs"
import { runRedisBenchmark } from "./redis-benchmark.mjs"
import { serverGoneReason } from "./servers.mjs"

const readCpu = (server) => {
  try {
    return cpuMicros(server.process.pid)
  } catch {
    return NaN
  }
}

/**
 * Runs redis-benchmark with `benchmark` (runRedisBenchmark's options without the port) against
 * `server`; resolves with requests/s, server CPU µs per request and a summary line naming the
 * requests as `unit`, or with the error (a server that died says so).
 */
export const measureWithCpu = async (server, benchmark, unit = "ops") => {
  const crashed = serverGoneReason(server)
  if (crashed) return { error: crashed }
  const cpuBefore = readCpu(server)
  const result = await runRedisBenchmark({ port: server.port, ...benchmark })
  const cpuAfter = readCpu(server)
  if (result.error !== undefined) return { error: serverGoneReason(server) ?? result.error }
  const cpuUsPerOp = (cpuAfter - cpuBefore) / benchmark.requests
  return {
    rps: result.rps,
    cpuUsPerOp,
    summary: `${Math.round(result.rps).toLocaleString("en-US")} ${unit}/s, ${cpuUsPerOp.toFixed(2)} µs CPU/op`
  }
}

/**
 * `runInterleaved`'s measure for rows that carry their redis-benchmark test or command, pipeline
 * and -r (and their own request count, where it differs from the run's).
 */
export const measureRow = (options, unit = "ops") => (server, row) =>
  measureWithCpu(
    server,
    {
      test: row.test,
      command: row.command,
      requests: row.requests ?? options.requests,
      clients: options.clients,
      pipeline: row.pipeline,
      randomKeys: row.randomKeys
    },
    unit
  )
