/**
 * BullMQ throughput (issue 13): jobs per second through one Worker (concurrency 50) that does no
 * work of its own, for 10 000 jobs queued beforehand, on redfiber and Redis (node-ref has no
 * scripting). Each run uses a fresh queue on a flushed server. Also timed: queueing those jobs
 * with Queue.addBulk in batches of 500. BullMQ itself runs in this process, the same for both
 * servers; the server's CPU µs per job is read from /proc around each run.
 */
import { Queue, Worker } from "bullmq"
import { Redis } from "ioredis"
import { cpuMicros } from "../lib/proc.mjs"
import { throughputSection } from "../lib/report.mjs"
import { BASELINE, launchServer, serverGoneReason, stopServer } from "../lib/servers.mjs"
import { rotate } from "../lib/stats.mjs"
import { summarizeRow } from "./interleaved.mjs"

const CONCURRENCY = 50
const BATCH = 500
const RUN_TIMEOUT_MS = 300_000

let runNumber = 0

/** One run on `server`: flush, addBulk all jobs (timed), then a Worker drains them (timed). */
const runOnce = async (server, jobs) => {
  const connection = { host: "127.0.0.1", port: server.port, maxRetriesPerRequest: null }
  const admin = new Redis({ port: server.port, lazyConnect: true })
  await admin.connect()
  await admin.flushall()
  admin.disconnect()
  const name = `bench-${++runNumber}`
  const queue = new Queue(name, { connection })
  let worker
  try {
    const addCpu = cpuMicros(server.process.pid)
    const addStart = performance.now()
    for (let first = 0; first < jobs; first += BATCH) {
      const count = Math.min(BATCH, jobs - first)
      await queue.addBulk(Array.from({ length: count }, (_, i) => ({ name: "job", data: { n: first + i } })))
    }
    const addMs = performance.now() - addStart
    const addCpuUs = cpuMicros(server.process.pid) - addCpu
    let completed = 0
    let markDone
    const done = new Promise((resolve, reject) => {
      markDone = resolve
      setTimeout(() => reject(new Error(`only ${completed}/${jobs} jobs completed in ${RUN_TIMEOUT_MS} ms`)), RUN_TIMEOUT_MS).unref()
    })
    const processCpu = cpuMicros(server.process.pid)
    const processStart = performance.now()
    worker = new Worker(name, async (job) => job.data.n, { connection, concurrency: CONCURRENCY })
    worker.on("completed", () => {
      if (++completed === jobs) markDone()
    })
    await done
    const processMs = performance.now() - processStart
    const processCpuUs = cpuMicros(server.process.pid) - processCpu
    const counts = await queue.getJobCounts("completed", "failed")
    if (counts.completed !== jobs || counts.failed !== 0) throw new Error(`counts after the run: ${JSON.stringify(counts)}`)
    return { add: { jobsPerSecond: (jobs * 1000) / addMs, cpuUsPerJob: addCpuUs / jobs }, process: { jobsPerSecond: (jobs * 1000) / processMs, cpuUsPerJob: processCpuUs / jobs } }
  } finally {
    await worker?.close()
    await queue.close()
  }
}

/** Launches redfiber and Redis, runs the interleaved rounds; resolves with the rows. */
export const runBullmq = async (serverNames, options, log) => {
  const names = serverNames.filter((name) => name !== "node-ref")
  const jobs = options.bullmqJobs
  const rows = [
    { label: `BullMQ Worker, concurrency ${CONCURRENCY}, ${jobs.toLocaleString("en-US")} jobs (jobs/s)`, part: "process" },
    { label: `BullMQ Queue.addBulk, batches of ${BATCH} (jobs/s)`, part: "add" }
  ]
  const servers = []
  try {
    for (const name of names) servers.push(await launchServer(name))
    log(`BullMQ: ${jobs} jobs, 1 Worker at concurrency ${CONCURRENCY}, ${options.runs} interleaved run(s)`)
    for (const row of rows) {
      row.runs = Object.fromEntries(servers.map((server) => [server.name, []]))
      row.errors = {}
    }
    // Rounds as in interleaved.mjs (who goes first rotates); one run fills both rows.
    for (let round = 0; round < options.runs; round++) {
      for (const server of rotate(servers, round)) {
        if (rows[0].errors[server.name] !== undefined) continue
        try {
          const crashed = serverGoneReason(server)
          if (crashed) throw new Error(crashed)
          const result = await runOnce(server, jobs)
          for (const row of rows) {
            const part = result[row.part]
            row.runs[server.name][round] = { rps: part.jobsPerSecond, cpuUsPerOp: part.cpuUsPerJob }
          }
          log(`  run ${round + 1}/${options.runs}: ${server.name} ${rows.map((row) => `${row.part} ${Math.round(result[row.part].jobsPerSecond)} jobs/s`).join(", ")}`)
        } catch (error) {
          const reason = serverGoneReason(server) ?? error.message.split("\n")[0]
          for (const row of rows) row.errors[server.name] = reason
          log(`  run ${round + 1}/${options.runs}: ${server.name} FAILED: ${reason}`)
        }
      }
    }
    for (const row of rows) row.summary = summarizeRow(row, BASELINE)
    return { rows, serverNames: names }
  } finally {
    await Promise.all(servers.map(stopServer))
  }
}

export const bullmqSection = ({ rows, serverNames }) =>
  throughputSection(rows, serverNames)
    .replace("## Throughput", "## BullMQ (jobs/s; CPU µs/op is the server's CPU per job)")
    .replace(/ops\/s and server CPU.*\n.*MSET sets 10 keys per request\.\n\n/, "")
