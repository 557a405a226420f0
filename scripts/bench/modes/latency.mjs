/**
 * Latency: one client (-c 1), no pipelining, so each request waits for the previous reply;
 * redis-benchmark's p50 per test, median over interleaved runs, and its ratio to Redis
 * (below 1.0 means faster than Redis).
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
  return { p50Ms: result.p50Ms, rps: result.rps, summary: `p50 ${result.p50Ms} ms` }
}

export const runLatency = async (servers, options, log) => {
  const rows = options.tests.map((test) => ({ test, label: `${TEST_NAMES[test]} -c 1` }))
  log(`Latency: -c 1 -n ${options.latencyRequests}, ${options.runs} interleaved run(s) per row`)
  await runInterleaved({ rows, servers, runs: options.runs, measure: measureLatency(options), log })
  for (const row of rows) row.summary = summarizeRow(row, "p50Ms", BASELINE)
  return rows
}
