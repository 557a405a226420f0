/**
 * The bench's results as Markdown: one table per mode, ratios to Redis, and a list of every
 * failure with its reason (so a missing command shows up as "SET -P 1 on redfiber: ERR unknown
 * command 'SET' ...", not as a crash or a silent gap).
 */
import { BASELINE } from "./servers.mjs"

const MiB = 2 ** 20

const markdownTable = (headers, rows) =>
  [
    `| ${headers.join(" | ")} |`,
    `| ${headers.map((_, i) => (i === 0 ? "---" : "---:")).join(" | ")} |`,
    ...rows.map((cells) => `| ${cells.join(" | ")} |`)
  ].join("\n")

const formatNumber = (value, digits = 0) =>
  Number.isFinite(value)
    ? value.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits })
    : "n/a"
const formatRatio = (value) => (Number.isFinite(value) ? `${value.toFixed(2)}×` : "n/a")
const cell = (summary, format) => (summary === undefined ? "n/a" : summary.error !== undefined ? "**error**" : format(summary))

const compared = (serverNames) => serverNames.filter((name) => name !== BASELINE)
const hasBaseline = (serverNames) => serverNames.includes(BASELINE)

/** Every failure recorded in comparative rows, one bullet each. */
const failureList = (rows) =>
  rows.flatMap((row) =>
    Object.entries(row.summary)
      .filter(([, summary]) => summary.error !== undefined)
      .map(([name, summary]) => `- ${row.label} on ${name}: ${summary.error}`)
  )

/**
 * A table of throughput rows under `heading`; `note` says what the rows are (the SET/GET/INCR/MSET
 * rows' own note by default).
 */
export const throughputSection = (rows, serverNames, heading = "Throughput", note = "MSET sets 10 keys per request.") => {
  const others = hasBaseline(serverNames) ? compared(serverNames) : []
  const headers = [
    "test",
    ...serverNames.map((name) => `${name} ops/s`),
    ...others.map((name) => `${name} ÷ redis`),
    ...serverNames.map((name) => `${name} CPU µs/op`)
  ]
  const body = rows.map((row) => [
    row.label,
    ...serverNames.map((name) => cell(row.summary[name], (s) => formatNumber(s.rps))),
    ...others.map((name) => cell(row.summary[name], (s) => `**${formatRatio(s.ratios.rps)}**`)),
    ...serverNames.map((name) => cell(row.summary[name], (s) => formatNumber(s.cpuUsPerOp, 2)))
  ])
  return [
    `## ${heading}`,
    "",
    "ops/s and server CPU per request are medians over the interleaved runs; a ratio is the median of per-round",
    `ratios to Redis (higher is better). ${note}`,
    "",
    markdownTable(headers, body),
    ...withFailures(failureList(rows))
  ].join("\n")
}

export const latencySection = (rows, serverNames) => {
  const others = hasBaseline(serverNames) ? compared(serverNames) : []
  const headers = [
    "test",
    ...serverNames.map((name) => `${name} p50 ms`),
    ...serverNames.map((name) => `${name} avg ms`),
    ...others.map((name) => `${name} ÷ redis (p50)`),
    ...others.map((name) => `${name} ÷ redis (avg)`)
  ]
  const body = rows.map((row) => [
    row.label,
    ...serverNames.map((name) => cell(row.summary[name], (s) => formatNumber(s.p50Ms, 3))),
    ...serverNames.map((name) => cell(row.summary[name], (s) => formatNumber(s.avgMs, 3))),
    ...others.map((name) => cell(row.summary[name], (s) => formatRatio(s.ratios.p50Ms))),
    ...others.map((name) => cell(row.summary[name], (s) => formatRatio(s.ratios.avgMs)))
  ])
  return [
    "## Latency (-c 1)",
    "",
    "p50 and average from redis-benchmark, medians over runs; ratios to Redis (lower is better).",
    "redis-benchmark's p50 moves in coarse steps at these latencies; the average shows finer differences.",
    "",
    markdownTable(headers, body),
    ...withFailures(failureList(rows))
  ].join("\n")
}

export const startupSection = (results) => {
  const baseline = results.find((result) => result.name === BASELINE)
  const body = results.map((r) =>
    r.error !== undefined
      ? [r.name, "**error**", "", "", ""]
      : [r.name, formatNumber(r.medianMs, 1), formatNumber(r.minMs, 1), formatNumber(r.maxMs, 1), formatRatio(r.medianMs / baseline?.medianMs)]
  )
  return [
    "## Startup (process launch → first PONG)",
    "",
    markdownTable(["server", "median ms", "min ms", "max ms", "÷ redis"], body),
    ...withFailures(results.filter((r) => r.error).map((r) => `- ${r.name}: ${r.error}`))
  ].join("\n")
}

export const memorySection = (results, options) => {
  const baseline = results.find((result) => result.name === BASELINE)
  const body = results.map((r) =>
    r.error !== undefined
      ? [r.name, "**error**", "", "", "", "", ""]
      : [
          r.name,
          formatNumber(r.rssBefore / MiB, 1),
          formatNumber(r.rssAfter / MiB, 1),
          formatNumber(r.bytesPerKey, 0),
          r.keys === undefined ? "n/a" : formatNumber(r.keys),
          formatNumber(r.fillSeconds, 1),
          formatRatio(r.rssAfter / baseline?.rssAfter)
        ]
  )
  return [
    `## Memory (${formatNumber(options.memoryKeys)} SETs, ${options.memoryValueBytes}-byte values, distinct keys)`,
    "",
    markdownTable(["server", "RSS before MiB", "RSS after MiB", "Δ bytes/key", "DBSIZE", "fill s", "RSS after ÷ redis"], body),
    ...withFailures(results.filter((r) => r.error).map((r) => `- ${r.name}: ${r.error}`))
  ].join("\n")
}

export const collectionsMemorySection = (results, options) => {
  const body = results.map((r) => {
    if (r.error !== undefined) return [r.family, r.name, "**error**", "", "", ""]
    const baseline = results.find((other) => other.family === r.family && other.name === BASELINE)
    return [
      r.family,
      r.name,
      r.encoding,
      formatNumber(r.growth / MiB, 1),
      formatNumber(r.bytesPerKey, 0),
      baseline?.growth > 0 ? formatRatio(r.growth / baseline.growth) : "n/a"
    ]
  })
  return [
    `## Collections memory (${formatNumber(options.collectionsMemoryKeys)} keys of 10 short elements each)`,
    "",
    markdownTable(["type", "server", "encoding", "RSS growth MiB", "bytes/key", "growth ÷ redis"], body),
    ...withFailures(results.filter((r) => r.error).map((r) => `- ${r.family} ${r.name}: ${r.error}`))
  ].join("\n")
}

export const fanoutSection = (result) => {
  if (result.error !== undefined) return `## Pub/sub fan-out\n\n**error**: ${result.error}`
  const { rows, serverNames } = result
  const others = hasBaseline(serverNames) ? compared(serverNames) : []
  const headers = [
    "fan-out",
    ...serverNames.map((name) => `${name} msgs/s`),
    ...others.map((name) => `${name} ÷ redis`),
    ...serverNames.map((name) => `${name} CPU µs/msg`)
  ]
  const body = rows.map((row) => [
    row.label,
    ...serverNames.map((name) => cell(row.summary[name], (s) => formatNumber(s.messagesPerSecond))),
    ...others.map((name) => cell(row.summary[name], (s) => `**${formatRatio(s.ratios.messagesPerSecond)}**`)),
    ...serverNames.map((name) => cell(row.summary[name], (s) => formatNumber(s.cpuUsPerMessage, 3)))
  ])
  return [
    "## Pub/sub fan-out",
    "",
    `Messages delivered per second (each PUBLISH reaches every subscriber; ${result.messageBytes}-byte messages),`,
    "medians over the interleaved runs; the ratio is the median of per-round ratios to Redis (higher is better).",
    "",
    markdownTable(headers, body),
    ...withFailures(failureList(rows))
  ].join("\n")
}

export const persistenceSection = (results) => {
  const fmt = (job) => (job === undefined || job.error !== undefined
    ? `**error**: ${job?.error ?? "none"}`
    : `${formatNumber(job.maxMs, 1)} / ${formatNumber(job.p99Ms, 2)} ms (${formatNumber(job.jobMs)} ms)`)
  const body = results.map((r) =>
    r.error !== undefined
      ? [r.name, `**error**: ${r.error}`, "", "", ""]
      : [r.name, formatNumber(r.keys), fmt(r.rewrite), fmt(r.save), `${formatNumber(r.restartMs)} ms`]
  )
  return [
    "## Persistence (AOF, appendfsync everysec)",
    "",
    "A client pings back to back while each background job runs: the longest round trip and the 99th percentile",
    "(the job's own duration in brackets). Restart: launch to first PONG with the AOF replayed.",
    "",
    markdownTable(["server", "keys", "BGREWRITEAOF: max / p99 PING", "BGSAVE: max / p99 PING", "restart (AOF replay)"], body),
    "",
    ...results.filter((r) => r.replayLine).map((r) => `- ${r.name}: \`${r.replayLine}\``)
  ].join("\n")
}

export const replicationSection = (results) => {
  const rps = (run) => (run?.error !== undefined ? `**error**: ${run.error}` : formatNumber(run?.rps))
  const body = results.map((r) =>
    r.error !== undefined
      ? [r.name, `**error**: ${r.error}`, "", "", "", ""]
      : [
        r.name,
        rps(r.alone),
        rps(r.attached),
        formatRatio(r.attached.rps / r.alone.rps),
        `${formatNumber(r.catchUpMs)} ms`,
        `${formatNumber(r.fullSyncMs)} ms (${formatNumber(r.keys)} keys)`
      ]
  )
  return [
    "## Replication (the replica is a real Redis in every row)",
    "",
    "SET -c 50 -P 16 requests/s on the primary alone and with one replica attached; the replica's catch-up after",
    "that run; a full sync: a fresh replica started until its link is up and its offset is the primary's.",
    "",
    markdownTable(["primary", "SET -P 16 alone", "with a replica", "ratio", "catch-up", "full sync"], body)
  ].join("\n")
}

export const idleClientsSection = (result) => {
  if (result.error !== undefined && result.exitMs === undefined && result.connected === undefined) {
    return `## Idle clients\n\n**error**: ${result.error}`
  }
  const lines = [
    `## Idle clients (${formatNumber(result.count)} on redfiber)`,
    "",
    `- connected: ${formatNumber(result.connected)} of ${formatNumber(result.count)} in ${formatNumber(result.connectMs)} ms` +
      (result.failedConnects > 0 ? ` (**${result.failedConnects} failed**)` : ""),
    `- served a PING: ${formatNumber(result.served)} of ${formatNumber(result.connected)}`,
    `- RSS: ${formatNumber(result.rssBefore / MiB, 1)} MiB → ${formatNumber(result.rssWithClients / MiB, 1)} MiB with the clients` +
      ` (${formatNumber((result.rssWithClients - result.rssBefore) / Math.max(1, result.connected))} bytes/client)`
  ]
  if (result.error !== undefined) lines.push(`- drain: **error**: ${result.error}`)
  else {
    lines.push(`- SIGINT → exit: ${formatNumber(result.exitMs)} ms (exit code ${result.exitCode})`)
    lines.push(`- server log: \`${result.drainLine}\``)
  }
  return lines.join("\n")
}

const withFailures = (bullets) => (bullets.length === 0 ? [] : ["", "Failures:", "", ...bullets])

export const headerSection = ({ startedAt, machine, versions, options, serverNames }) =>
  [
    `# redfiber bench — ${startedAt}`,
    "",
    `- machine: ${machine}`,
    `- commit ${versions.commit}, Node ${versions.node}, Redis ${versions.redis}, ${versions.redisBenchmark}`,
    `- servers: ${serverNames.join(", ")}${hasBaseline(serverNames) ? "" : " (redis-server not installed: no ratios)"}`,
    `- mode: ${options.quick ? "quick" : "default"}, -c ${options.clients} -n ${formatNumber(options.requests)}, ` +
      `${options.runs} interleaved run(s) per row, pipelines ${options.pipelines.join(" and ")}`
  ].join("\n")
