/**
 * Latency: one client (-c 1), no pipelining, so each request waits for the previous reply;
 * redis-benchmark's p50 and average per test, medians over interleaved runs, and their ratios
 * to Redis (below 1.0 means faster than Redis). The average is there because redis-benchmark's
 * p50 comes in coarse steps (0.031, 0.039, 0.047 ms ...) at these latencies.
 */
import { runRedisBenchmark, TEST_NAMES } from "../lib/redis-benchmark.mjs"
import { BASELINE, serverGoneReason } from "../lib/servers.mjs"
import { runInterleaved, summarizeRow } from "./interleaved.mjs"

const measureLatency = (options) => async (server, row) => {
  const gone = serverGoneReason(server)
  if (gone) return { error: gone }
  const result = await runRedisBenchmark({
    port: server.port,
    test: row.test,
    requests: options.latencyRequests,
    clients: 1,
    pipeline: 1
  })
  if (result.error !== undefined) return { error: serverGoneReason(server) ?? result.error }
  return { p50Ms: result.p50Ms, avgMs: result.avgMs, summary: `p50 ${result.p50Ms} ms, avg ${result.avgMs} ms` }
}

export const runLatency = async (servers, options, log) => {
  const rows = options.tests.map((test) => ({ test, label: `${TEST_NAMES[test]} -c 1` }))
  log(`Latency: -c 1 -n ${options.latencyRequests}, ${options.runs} interleaved run(s) per row`)
  await runInterleaved({ rows, servers, runs: options.runs, measure: measureLatency(options), log })
  for (const row of rows) row.summary = summarizeRow(row, BASELINE)
  return rows
}
