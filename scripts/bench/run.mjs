/**
 * `pnpm bench`: redfiber beside a real Redis and a plain-Node reference server, measured with
 * redis-benchmark in interleaved runs (see lib/options.mjs for the modes). Prints a Markdown
 * report and writes it to bench/results/<timestamp>.md, with an SVG chart of the throughput
 * ratios next to it. Every process started here is stopped by PID on every path.
 */
import { mkdirSync, writeFileSync } from "node:fs"
import os from "node:os"
import path from "node:path"
import { ratioChartSvg } from "./lib/chart.mjs"
import { parseOptions, USAGE } from "./lib/options.mjs"
import { installCleanupHandlers, stopAll } from "./lib/processes.mjs"
import * as report from "./lib/report.mjs"
import {
  availableServers,
  BASELINE,
  launchServer,
  PROJECT_ROOT,
  redisBenchmarkInstalled,
  stopServer,
  versions
} from "./lib/servers.mjs"
import { bullmqSection, runBullmq } from "./modes/bullmq.mjs"
import { runFanout } from "./modes/fanout.mjs"
import { runGeo } from "./modes/geo.mjs"
import { runIdleClients } from "./modes/idle-clients.mjs"
import { runLatency } from "./modes/latency.mjs"
import { runMemory } from "./modes/memory.mjs"
import { runCollectionsMemory } from "./modes/collections-memory.mjs"
import { runCollections } from "./modes/collections.mjs"
import { runPersistence } from "./modes/persistence.mjs"
import { runScripting } from "./modes/scripting.mjs"
import { runReplication } from "./modes/replication.mjs"
import { runStartup } from "./modes/startup.mjs"
import { runDataTypes } from "./modes/data-types.mjs"
import { runStreams, streamsSection } from "./modes/streams.mjs"
import { runThroughput } from "./modes/throughput.mjs"

const RESULTS_DIR = path.join(PROJECT_ROOT, "bench/results")
const log = (line) => process.stderr.write(`${line}\n`)

const machineSummary = () => `${os.cpus().length} × ${os.cpus()[0]?.model ?? "unknown CPU"}, ${os.platform()} ${os.release()}`

/** Throughput and latency share one set of long-running servers. */
const runComparative = async (serverNames, options) => {
  if (!options.throughput && !options.latency && !options.data && !options.scripting && !options.collections) return {}
  const servers = []
  try {
    for (const name of serverNames) servers.push(await launchServer(name))
    log(`Servers: ${servers.map((s) => `${s.name} pid ${s.process.pid} port ${s.port}`).join(", ")}`)
    const throughput = options.throughput ? await runThroughput(servers, options, log) : undefined
    const latency = options.latency ? await runLatency(servers, options, log) : undefined
    const dataTypes = options.data ? await runDataTypes(servers, options, log) : undefined
    const scripting = options.scripting ? await runScripting(servers, options, log) : undefined
    const collections = options.collections ? await runCollections(servers, options, log) : undefined
    return { throughput, latency, dataTypes, scripting, collections }
  } finally {
    await Promise.all(servers.map(stopServer))
  }
}

const chartOf = (rows, serverNames) => ({
  title: "redfiber bench: throughput ÷ Redis",
  rows: rows.map((row) => ({
    label: row.label,
    bars: serverNames
      .filter((name) => name !== BASELINE)
      .map((name) => ({ server: name, ratio: row.summary[name]?.ratios?.rps, error: row.summary[name]?.error }))
  }))
})

const main = async () => {
  let options
  try {
    options = parseOptions(process.argv.slice(2))
  } catch (error) {
    log(`bench: ${error.message}\n\n${USAGE}`)
    return 2
  }
  if (options.help) {
    console.log(USAGE)
    return 0
  }
  if (!redisBenchmarkInstalled()) {
    log("bench: redis-benchmark is not installed (apt-get install redis-tools)")
    return 1
  }
  installCleanupHandlers()
  const startedAt = new Date()
  const serverNames = availableServers(options.before)
  // The bins keep a V8 code cache stamped with the bundle's build: the first launch after a build
  // compiles everything and holds ~10 MiB more. One launch first, so every measured one is a restart.
  for (const name of serverNames.filter((server) => server === "redfiber" || server === "before")) {
    await stopServer(await launchServer(name))
  }
  const sections = [report.headerSection({ startedAt: startedAt.toISOString(), machine: machineSummary(), versions: versions(), options, serverNames })]

  const { throughput, latency, dataTypes, scripting, collections } = await runComparative(serverNames, options)
  if (throughput) sections.push(report.throughputSection(throughput, serverNames))
  // The data-type and collection rows run on redfiber and Redis only (node-ref has no such commands).
  const withoutReference = serverNames.filter((name) => name !== "node-ref")
  const rowsOf = (mode) => `See scripts/bench/modes/${mode}.mjs for what each row does.`
  if (dataTypes) sections.push(report.throughputSection(dataTypes, withoutReference, "Data types (bitmaps, HyperLogLog)", rowsOf("data-types")))
  if (scripting) sections.push(report.throughputSection(scripting, serverNames, "Scripting (EVALSHA)"))
  if (collections) {
    sections.push(report.throughputSection(collections, withoutReference, "Collections (hashes, sorted sets, lists, sets)", rowsOf("collections")))
  }
  if (latency) sections.push(report.latencySection(latency, serverNames))
  if (options.startup) sections.push(report.startupSection(await runStartup(serverNames, options, log)))
  if (options.memory) sections.push(report.memorySection(await runMemory(serverNames, options, log), options))
  if (options.collectionsMemory) {
    sections.push(report.collectionsMemorySection(await runCollectionsMemory(serverNames, options, log), options))
  }
  if (options.fanout) {
    const fanout = await runFanout(serverNames, options, log).catch((error) => ({ error: error.message.split("\n")[0] }))
    sections.push(report.fanoutSection(fanout))
  }
  if (options.geo) {
    const geo = await runGeo(serverNames, options, log)
    sections.push(report.throughputSection(geo.rows, geo.serverNames, "Geo throughput"))
  }
  if (options.persistence) sections.push(report.persistenceSection(await runPersistence(serverNames, options, log)))
  if (options.bullmq) sections.push(bullmqSection(await runBullmq(serverNames, options, log)))
  if (options.streams) sections.push(streamsSection(await runStreams(serverNames, options, log), serverNames, options))
  if (options.replication) sections.push(report.replicationSection(await runReplication(serverNames, options, log)))
  if (options.idleClients > 0) {
    const idle = await runIdleClients(options.idleClients, log).catch((error) => ({ error: error.message.split("\n")[0] }))
    sections.push(report.idleClientsSection(idle))
  }

  const stamp = startedAt.toISOString().replace(/[:.]/g, "-")
  if (throughput) sections.push(`Chart: ${stamp}.svg`)
  const markdown = `${sections.join("\n\n")}\n`
  mkdirSync(RESULTS_DIR, { recursive: true })
  writeFileSync(path.join(RESULTS_DIR, `${stamp}.md`), markdown)
  if (throughput) writeFileSync(path.join(RESULTS_DIR, `${stamp}.svg`), ratioChartSvg(chartOf(throughput, serverNames)))
  console.log(markdown)
  log(`Written: bench/results/${stamp}.md${throughput ? " and .svg" : ""}`)
  return 0
}

let exitCode = 1
try {
  exitCode = await main()
} catch (error) {
  log(`bench: ${error.stack ?? error}`)
} finally {
  await stopAll()
}
process.exit(exitCode)
