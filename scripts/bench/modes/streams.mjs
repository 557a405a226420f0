/**
 * Streams (`--streams`): each server alone, fresh, in turn —
 * - XADD s MAXLEN ~ 10000 * f v (redis-benchmark, -c 50, -P 1 and -P 16);
 * - XRANGE s - + COUNT 10 on that 10 000-entry stream (same);
 * - XREADGROUP GROUP g c<i> COUNT 1 STREAMS q > then XACK of what it got, by 50 clients of our
 *   own (redis-benchmark cannot ack what it read); with -P 16 each client sends 16 XREADGROUPs in
 *   one write, then one XACK of their IDs; reported as deliveries acknowledged per second;
 * - the RSS of a 1 000 000-entry stream (XADD s * field value123, -P 16) over a fresh server's.
 * Returns the rows and the Markdown section.
 */
import { rssBytes } from "../lib/proc.mjs"
import { startProcess, stopProcess, within, sleep } from "../lib/processes.mjs"
import { RespClient } from "../lib/resp-client.mjs"
import { launchServer, stopServer } from "../lib/servers.mjs"

const CLIENTS = 50

/** One redis-benchmark run of a custom command: requests per second, or an error. */
const benchmarkCommand = async (port, requests, pipeline, command) => {
  const args = ["-h", "127.0.0.1", "-p", String(port), "-n", String(requests), "-c", String(CLIENTS), "-P", String(pipeline), "--csv", ...command]
  const child = await startProcess("redis-benchmark", args)
  const status = await within(child.exited, 120_000)
  if (status === undefined) {
    await stopProcess(child, { signal: "SIGKILL" })
    return { error: "redis-benchmark timed out" }
  }
  for (const line of child.stdout().split("\n")) {
    const cells = line.trim().split(",").map((cell) => cell.replace(/^"|"$/g, ""))
    const rps = Number(cells[1])
    if (cells[0] !== "test" && cells.length > 2 && Number.isFinite(rps)) return { rps }
  }
  return { error: child.output().split("\n").find((l) => /error/i.test(l))?.slice(0, 160) ?? "no result row" }
}

/** XREADGROUP COUNT 1 + XACK by 50 clients until `total` deliveries were acknowledged. */
const readAndAck = async (port, total, pipeline) => {
  const setup = await RespClient.connect(port)
  await setup.command("DEL", "q")
  const fill = []
  for (let i = 0; i < total + CLIENTS * pipeline; i++) fill.push(["XADD", "q", "*", "f", "v"])
  for (let i = 0; i < fill.length; i += 5000) await setup.pipeline(fill.slice(i, i + 5000))
  const created = await setup.command("XGROUP", "CREATE", "q", "g", "0")
  setup.close()
  if (created !== "OK") return { error: `XGROUP CREATE answered ${created?.message ?? JSON.stringify(created)}` }
  const clients = await Promise.all(Array.from({ length: CLIENTS }, () => RespClient.connect(port)))
  let done = 0
  const started = performance.now()
  await Promise.all(clients.map(async (client, n) => {
    const read = ["XREADGROUP", "GROUP", "g", `c${n}`, "COUNT", "1", "STREAMS", "q", ">"]
    while (done < total) {
      const replies = await client.pipeline(Array.from({ length: pipeline }, () => read))
      // A null array (nothing left) parses as [].
      const ids = replies.flatMap((reply) => (Array.isArray(reply) && reply.length > 0 ? [reply[0][1][0][0]] : []))
      if (ids.length === 0) break
      const acked = await client.command("XACK", "q", "g", ...ids)
      done += Number(acked)
    }
  }))
  const seconds = (performance.now() - started) / 1000
  for (const client of clients) client.close()
  return { rps: done / seconds }
}

const measureServer = async (name, options, log) => {
  const rows = {}
  const server = await launchServer(name)
  try {
    for (const pipeline of [1, 16]) {
      rows[`XADD MAXLEN ~ 10000 * -P ${pipeline}`] = await benchmarkCommand(server.port, options.streamRequests, pipeline, ["XADD", "s", "MAXLEN", "~", "10000", "*", "f", "v"])
      rows[`XRANGE - + COUNT 10 -P ${pipeline}`] = await benchmarkCommand(server.port, options.streamRequests, pipeline, ["XRANGE", "s", "-", "+", "COUNT", "10"])
      rows[`XREADGROUP + XACK -P ${pipeline}`] = await readAndAck(server.port, options.streamRequests / 4, pipeline)
        .catch((error) => ({ error: error.message }))
    }
  } finally {
    await stopServer(server)
  }
  const fresh = await launchServer(name)
  try {
    const before = rssBytes(fresh.process.pid)
    const fill = await benchmarkCommand(fresh.port, options.streamEntries, 16, ["XADD", "big", "*", "field", "value123"])
    await sleep(1000)
    rows.rss = fill.error !== undefined ? fill : { before, after: rssBytes(fresh.process.pid) }
  } finally {
    await stopServer(fresh)
  }
  log(`  ${name}: ${Object.entries(rows).map(([label, row]) => `${label}: ${row.error ?? (row.rps !== undefined ? Math.round(row.rps) : `${(row.after / 2 ** 20).toFixed(1)} MiB`)}`).join(", ")}`)
  return rows
}

export const runStreams = async (serverNames, options, log) => {
  log(`Streams: -c ${CLIENTS} -n ${options.streamRequests}, and a ${options.streamEntries}-entry stream's RSS`)
  const results = {}
  for (const name of serverNames) {
    try {
      results[name] = await measureServer(name, options, log)
    } catch (error) {
      results[name] = { error: error.message.split("\n")[0] }
    }
  }
  return results
}

const number = (value, digits = 0) =>
  Number.isFinite(value) ? value.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits }) : "n/a"

export const streamsSection = (results, serverNames, options) => {
  const labels = [1, 16].flatMap((p) => [`XADD MAXLEN ~ 10000 * -P ${p}`, `XRANGE - + COUNT 10 -P ${p}`, `XREADGROUP + XACK -P ${p}`])
  const baseline = results.redis
  const rows = labels.map((label) => {
    const cells = serverNames.map((name) => results[name]?.[label])
    const ratio = results.redfiber?.[label]?.rps / baseline?.[label]?.rps
    return `| ${label} | ${cells.map((c) => (c === undefined ? "n/a" : c.error !== undefined ? "**error**" : number(c.rps))).join(" | ")} | ${Number.isFinite(ratio) ? `${ratio.toFixed(2)}×` : "n/a"} |`
  })
  const rss = serverNames.map((name) => {
    const r = results[name]?.rss
    return r === undefined || r.error !== undefined ? `| ${name} | n/a | n/a |` : `| ${name} | ${number(r.before / 2 ** 20, 1)} | ${number(r.after / 2 ** 20, 1)} |`
  })
  const failures = serverNames.flatMap((name) =>
    Object.entries(results[name] ?? {}).filter(([, row]) => row?.error !== undefined).map(([label, row]) => `- ${label} on ${name}: ${row.error}`))
  return [
    `## Streams (-c ${CLIENTS}, -n ${options.streamRequests}; XREADGROUP + XACK: acknowledged deliveries/s)`,
    "",
    `| test | ${serverNames.join(" | ")} | redfiber ÷ redis |`,
    `| --- | ${serverNames.map(() => "---:").join(" | ")} | ---: |`,
    ...rows,
    "",
    `RSS of a ${number(options.streamEntries)}-entry stream (XADD big * field value123):`,
    "",
    "| server | RSS before MiB | RSS after MiB |",
    "| --- | ---: | ---: |",
    ...rss,
    ...(failures.length > 0 ? ["", ...failures] : [])
  ].join("\n")
}
