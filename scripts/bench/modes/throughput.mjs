/**
 * Throughput: redis-benchmark SET/GET/INCR/MSET with -c 50, without and with pipelining
 * (and, with --random, over 1 000 000 random keys on pre-filled servers). Reports ops/s, the
 * ratio to Redis, and the server's CPU µs per request (from /proc, read outside the timed run).
 */
import { measureRow } from "../lib/measure.mjs"
import { TEST_NAMES } from "../lib/redis-benchmark.mjs"
import { fillKeys } from "../lib/resp-client.mjs"
import { BASELINE } from "../lib/servers.mjs"
import { runInterleaved, summarizeRow } from "./interleaved.mjs"

/** redis-benchmark's default -d 3 value. */
const PREFILL_VALUE = "xxx"

const planRows = (options, random) =>
  options.pipelines.flatMap((pipeline) =>
    options.tests.map((test) => ({
      test,
      pipeline,
      randomKeys: random ? options.randomKeys : 0,
      label: `${TEST_NAMES[test]} -P ${pipeline}${random ? " -r 1M" : ""}`
    }))
  )

/** SETs `options.randomKeys` distinct keys on each server; a failure becomes the rows' error. */
const prefill = async (servers, rows, options, log) => {
  for (const server of servers) {
    const started = performance.now()
    let problem
    try {
      problem = await fillKeys(server.port, options.randomKeys, PREFILL_VALUE)
    } catch (error) {
      problem = error.message
    }
    const seconds = ((performance.now() - started) / 1000).toFixed(1)
    if (problem === undefined) log(`  pre-filled ${server.name} with ${options.randomKeys} keys in ${seconds} s`)
    else log(`  pre-fill of ${server.name} FAILED: ${problem}`)
    for (const row of rows) if (problem !== undefined) (row.errors ??= {})[server.name] = `pre-fill failed: ${problem}`
  }
}

/** Runs the throughput rows on the running `servers`; resolves with the rows and their summaries. */
export const runThroughput = async (servers, options, log) => {
  const rows = planRows(options, false)
  log(`Throughput: -c ${options.clients} -n ${options.requests}, ${options.runs} interleaved run(s) per row`)
  await runInterleaved({ rows, servers, runs: options.runs, measure: measureRow(options), log })
  if (options.random) {
    const randomRows = planRows(options, true)
    log(`Random keys: pre-filling every server with ${options.randomKeys} keys`)
    await prefill(servers, randomRows, options, log)
    await runInterleaved({ rows: randomRows, servers, runs: options.runs, measure: measureRow(options), log })
    rows.push(...randomRows)
  }
  for (const row of rows) row.summary = summarizeRow(row, BASELINE)
  return rows
}
