/**
 * The loop every comparative mode shares: for each row, round after round, each server once
 * (who goes first rotates per round), so the machine's noise falls on all servers alike and
 * ratios are taken between neighbouring runs. A server that fails a row is not retried on it:
 * the failure is kept as that row's error for that server, and the bench moves on.
 */
import { median, rotate } from "../lib/stats.mjs"

/**
 * Fills `row.runs[server][round]` with what `measure(server, row)` resolves to, or
 * `row.errors[server]` with its `error`. `log(line)` reports progress.
 */
export const runInterleaved = async ({ rows, servers, runs, measure, log }) => {
  for (const row of rows) {
    row.runs = Object.fromEntries(servers.map((server) => [server.name, []]))
    row.errors ??= {}
    for (let round = 0; round < runs; round++) {
      for (const server of rotate(servers, round)) {
        if (row.errors[server.name] !== undefined) continue
        const result = await measure(server, row)
        if (result.error !== undefined) {
          row.errors[server.name] = result.error
          log(`  ${row.label}: ${server.name} FAILED: ${result.error}`)
        } else {
          row.runs[server.name][round] = result
          log(`  ${row.label} run ${round + 1}/${runs}: ${server.name} ${result.summary}`)
        }
      }
    }
  }
}

/**
 * Per server: the median of each numeric field over its runs, and `ratios[field]`, the median
 * over rounds of (this server's field) / (the baseline's, from the same round).
 */
export const summarizeRow = (row, baseline) => {
  const summary = {}
  const baselineRuns = row.runs[baseline] ?? []
  for (const [name, runs] of Object.entries(row.runs)) {
    const done = runs.filter((run) => run !== undefined)
    const fields = Object.keys(done[0] ?? {}).filter((field) => typeof done[0][field] === "number")
    const medians = {}
    const ratios = {}
    for (const field of fields) {
      medians[field] = median(done.map((run) => run[field]))
      ratios[field] = median(
        runs.map((run, round) => (run !== undefined && baselineRuns[round] !== undefined ? run[field] / baselineRuns[round][field] : NaN))
      )
    }
    summary[name] = { ...medians, ratios, error: row.errors[name] }
  }
  return summary
}
