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
 * Per server: the median of each numeric field over its runs, and `ratio`, the median over
 * rounds of (this server's `ratioField`) / (the baseline's, from the same round).
 */
export const summarizeRow = (row, ratioField, baseline) => {
  const summary = {}
  for (const [name, runs] of Object.entries(row.runs)) {
    const done = runs.filter((run) => run !== undefined)
    const medians = {}
    for (const field of Object.keys(done[0] ?? {})) {
      if (typeof done[0][field] === "number") medians[field] = median(done.map((run) => run[field]))
    }
    const baselineRuns = row.runs[baseline] ?? []
    const ratios = runs.map((run, round) =>
      run !== undefined && baselineRuns[round] !== undefined ? run[ratioField] / baselineRuns[round][ratioField] : NaN
    )
    summary[name] = { ...medians, ratio: median(ratios), error: row.errors[name] }
  }
  return summary
}
