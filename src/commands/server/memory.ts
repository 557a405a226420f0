/**
 * MEMORY: USAGE, STATS, DOCTOR, MALLOC-STATS, PURGE, HELP — Redis's replies, filled from the
 * memory accounting the server keeps (keyspace/table/MemoryLedger.ts, src/eviction/MaxMemory.ts) and the
 * Node process's own figures, the same ones INFO memory reports.
 *
 * - USAGE: what the key's record adds to used memory (its record, its key and value on the heap,
 *   the collection's estimate, its TTL entry). Collections keep their estimate up to date, so it
 *   is never sampled: SAMPLES is read and checked as Redis does, and every count gives the whole.
 * - STATS: Redis's fields and order; the allocator is V8's heap plus buffers, the "main hashtable"
 *   of a database is its records, buckets and heap slots.
 * - DOCTOR: Redis's report and its thresholds, applied to those figures.
 * - MALLOC-STATS: Redis's text when its allocator is not jemalloc, which is the case here (as
 *   verbatim text in RESP3, the kind a jemalloc build answers).
 * - PURGE: Redis asks jemalloc to return dirty pages; the nearest thing here is a full garbage
 *   collection, run when Node exposes it (--expose-gc), else nothing to do.
 */
import { PROCESS_BASELINE_BYTES, usedMemory } from "../../eviction/MaxMemory.js"
import { ERR_NOT_INTEGER, ERR_SYNTAX, isKeyword, parseInteger } from "../../protocol/arguments.js"
import { command, type CommandContext } from "../Command.js"
import { keyAt } from "../../protocol/key-specs.js"
import { formatScore } from "../../protocol/score-text.js"
import { helpSubcommand } from "./help.js"

const SHARDS_SPECIAL = ["nondeterministic_output", "request_policy:all_shards", "response_policy:special"]

/** A C float printed as the double it is promoted to (Redis keeps these ratios as floats). */
const floatText = (value: number): string => formatScore(Math.fround(Number.isFinite(value) ? value : 0))

interface MemoryFigures {
  readonly peak: number
  readonly used: number
  readonly startup: number
  readonly clientsNormal: number
  readonly databases: ReadonlyArray<{ readonly id: number; readonly main: number; readonly expires: number }>
  readonly overhead: number
  readonly keys: number
  readonly allocated: number
  readonly active: number
  readonly resident: number
}

const figuresOf = (ctx: CommandContext): MemoryFigures => {
  const usage = process.memoryUsage()
  const used = usedMemory(ctx.keyspace)
  const stats = ctx.server.stats
  stats.peakMemory = Math.max(stats.peakMemory, used)
  let clientsNormal = 0
  for (const client of ctx.server.clients.values()) clientsNormal += client.queryBufferBytes + client.outputBufferBytes
  const databases: Array<{ id: number; main: number; expires: number }> = []
  let overhead = PROCESS_BASELINE_BYTES + clientsNormal
  let keys = 0
  for (const db of ctx.keyspace.databases) {
    if (db.size === 0) continue
    keys += db.size
    const entry = { id: db.id, main: db.table.indexBytes, expires: db.table.expiresBytes }
    overhead += entry.main + entry.expires
    databases.push(entry)
  }
  return {
    peak: stats.peakMemory,
    used,
    startup: PROCESS_BASELINE_BYTES,
    clientsNormal,
    databases,
    overhead,
    keys,
    allocated: usage.heapUsed + usage.external,
    active: usage.heapTotal + usage.external,
    resident: usage.rss
  }
}

const usage = command({
  name: "memory|usage",
  arity: -3,
  flags: ["readonly"],
  firstKey: 2,
  lastKey: 2,
  step: 1,
  group: "server",
  aclCategories: ["read", "slow"],
  keySpecs: [keyAt(2, "RO")],
  summary: "Estimate the memory usage of a key",
  since: "4.0.0",
  complexity: "O(N) where N is the number of samples.",
  run: (ctx, argv) => {
    for (let i = 3; i < argv.length; i++) {
      if (!isKeyword(argv[i], "SAMPLES") || i + 1 >= argv.length) return ctx.out.error(ERR_SYNTAX)
      const samples = parseInteger(argv[++i])
      if (samples === undefined) return ctx.out.error(ERR_NOT_INTEGER)
      if (samples < 0) return ctx.out.error(ERR_SYNTAX)
    }
    // As Redis's dbFind: the key as stored, whether or not its time has passed.
    const table = ctx.db.table
    const ref = table.find(argv[2])
    if (ref === -1) return ctx.out.nullBulk()
    ctx.out.integer(table.recordBytes(ref))
  }
})

const stats = command({
  name: "memory|stats",
  arity: 2,
  flags: [],
  group: "server",
  aclCategories: ["slow"],
  tips: SHARDS_SPECIAL,
  summary: "Show memory usage details",
  since: "4.0.0",
  complexity: "O(1)",
  run: (ctx) => {
    const m = figuresOf(ctx)
    const out = ctx.out
    const netUsage = m.used > m.startup ? m.used - m.startup : 1
    const dataset = m.used - m.overhead
    out.mapHeader(27 + m.databases.length)
    const integer = (name: string, value: number) => {
      out.bulk(name)
      out.integer(value)
    }
    const float = (name: string, value: number) => {
      out.bulk(name)
      out.double(floatText(value))
    }
    integer("peak.allocated", m.peak)
    integer("total.allocated", m.used)
    integer("startup.allocated", m.startup)
    integer("replication.backlog", 0)
    integer("clients.slaves", 0)
    integer("clients.normal", m.clientsNormal)
    integer("cluster.links", 0)
    integer("aof.buffer", 0)
    integer("lua.caches", 0)
    integer("functions.caches", 0)
    for (const db of m.databases) {
      out.bulk(`db.${db.id}`)
      out.mapHeader(3)
      integer("overhead.hashtable.main", db.main)
      integer("overhead.hashtable.expires", db.expires)
      integer("overhead.hashtable.slot-to-keys", 0)
    }
    integer("overhead.total", m.overhead)
    integer("keys.count", m.keys)
    integer("keys.bytes-per-key", m.keys === 0 ? 0 : Math.floor(netUsage / m.keys))
    integer("dataset.bytes", dataset)
    float("dataset.percentage", (dataset * 100) / netUsage)
    float("peak.percentage", (m.used * 100) / m.peak)
    integer("allocator.allocated", m.allocated)
    integer("allocator.active", m.active)
    integer("allocator.resident", m.resident)
    float("allocator-fragmentation.ratio", m.active / m.allocated)
    integer("allocator-fragmentation.bytes", m.active - m.allocated)
    float("allocator-rss.ratio", m.resident / m.active)
    integer("allocator-rss.bytes", m.resident - m.active)
    float("rss-overhead.ratio", 1)
    integer("rss-overhead.bytes", 0)
    float("fragmentation", m.resident / m.used)
    integer("fragmentation.bytes", m.resident - m.used)
  }
})

const EMPTY_REPORT =
  "Hi Sam, this instance is empty or is using very little memory, my issues detector can't be used in these conditions. Please, leave for your mission on Earth and fill it with some data. The new Sam and I will be back to our programming as soon as I finished rebooting.\n"
const HEALTHY_REPORT =
  "Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base.\n"

/** Redis's getMemoryDoctorReport: its thresholds and texts, on this server's figures. */
const doctorReport = (ctx: CommandContext): string => {
  const m = figuresOf(ctx)
  if (m.used < 5 * 1024 * 1024) return EMPTY_REPORT
  const MB10 = 10 << 20
  const issues: Array<string> = []
  if (m.peak / m.used > 1.5) {
    issues.push(
      " * Peak memory: In the past this instance used more than 150% the memory that is currently using. The allocator is normally not able to release memory after a peak, so you can expect to see a big fragmentation ratio, however this is actually harmless and is only due to the memory peak, and if the Redis instance Resident Set Size (RSS) is currently bigger than expected, the memory will be used as soon as you fill the Redis instance with more data. If the memory peak was only occasional and you want to try to reclaim memory, please try the MEMORY PURGE command, otherwise the only other option is to shutdown and restart the instance.\n\n"
    )
  }
  if (m.resident / m.used > 1.4 && m.resident - m.used > MB10) {
    issues.push(
      ' * High total RSS: This instance has a memory fragmentation and RSS overhead greater than 1.4 (this means that the Resident Set Size of the Redis process is much larger than the sum of the logical allocations Redis performed). This problem is usually due either to a large peak memory (check if there is a peak memory entry above in the report) or may result from a workload that causes the allocator to fragment memory a lot. If the problem is a large peak memory, then there is no issue. Otherwise, make sure you are using the Jemalloc allocator and not the default libc malloc. Note: The currently used allocator is "libc".\n\n'
    )
  }
  if (m.active / m.allocated > 1.1 && m.active - m.allocated > MB10) {
    issues.push(
      " * High allocator fragmentation: This instance has an allocator external fragmentation greater than 1.1. This problem is usually due either to a large peak memory (check if there is a peak memory entry above in the report) or may result from a workload that causes the allocator to fragment memory a lot. You can try enabling 'activedefrag' config option.\n\n"
    )
  }
  if (m.resident / m.active > 1.1 && m.resident - m.active > MB10) {
    issues.push(
      " * High allocator RSS overhead: This instance has an RSS memory overhead is greater than 1.1 (this means that the Resident Set Size of the allocator is much larger than the sum what the allocator actually holds). This problem is usually due to a large peak memory (check if there is a peak memory entry above in the report), you can try the MEMORY PURGE command to reclaim it.\n\n"
    )
  }
  if (m.clientsNormal / Math.max(1, ctx.server.clients.size) > 1024 * 200) {
    issues.push(
      " * Big client buffers: The clients output buffers in this instance are greater than 200K per client (on average). This may result from different causes, like Pub/Sub clients subscribed to channels bot not receiving data fast enough, so that data piles on the Redis instance output buffer, or clients sending commands with large replies or very large sequences of commands in the same pipeline. Please use the CLIENT LIST command in order to investigate the issue if it causes problems in your instance, or to understand better why certain clients are using a big amount of memory.\n\n"
    )
  }
  if (issues.length === 0) return HEALTHY_REPORT
  return `Sam, I detected a few issues in this Redis instance memory implants:\n\n${issues.join("")}I'm here to keep you safe, Sam. I want to help you.\n`
}

const doctor = command({
  name: "memory|doctor",
  arity: 2,
  flags: [],
  group: "server",
  aclCategories: ["slow"],
  tips: SHARDS_SPECIAL,
  summary: "Outputs memory problems report",
  since: "4.0.0",
  complexity: "O(1)",
  run: (ctx) => ctx.out.verbatim(doctorReport(ctx))
})

const mallocStats = command({
  name: "memory|malloc-stats",
  arity: 2,
  flags: [],
  group: "server",
  aclCategories: ["slow"],
  tips: SHARDS_SPECIAL,
  summary: "Show allocator internal stats",
  since: "4.0.0",
  complexity: "Depends on how much memory is allocated, could be slow",
  run: (ctx) => ctx.out.verbatim("Stats not supported for the current allocator")
})

const purge = command({
  name: "memory|purge",
  arity: 2,
  flags: [],
  group: "server",
  aclCategories: ["slow"],
  tips: ["request_policy:all_shards", "response_policy:all_succeeded"],
  summary: "Ask the allocator to release memory",
  since: "4.0.0",
  complexity: "Depends on how much memory is allocated, could be slow",
  run: (ctx) => {
    const gc = (globalThis as { gc?: () => void }).gc
    if (typeof gc === "function") gc()
    ctx.out.ok()
  }
})

const HELP_LINES = [
  "DOCTOR",
  "    Return memory problems reports.",
  "MALLOC-STATS",
  "    Return internal statistics report from the memory allocator.",
  "PURGE",
  "    Attempt to purge dirty pages for reclamation by the allocator.",
  "STATS",
  "    Return information about the memory usage of the server.",
  "USAGE <key> [SAMPLES <count>]",
  "    Return memory in bytes used by <key> and its value. Nested values are",
  "    sampled up to <count> times (default: 5, 0 means sample all)."
]

const help = helpSubcommand("MEMORY", { group: "server", aclCategories: ["slow"], since: "4.0.0" }, HELP_LINES)

export const memoryCommand = command({
  name: "memory",
  arity: -2,
  flags: [],
  group: "server",
  aclCategories: ["slow"],
  summary: "A container for memory diagnostics commands",
  since: "4.0.0",
  complexity: "Depends on subcommand.",
  subcommands: [purge, help, stats, mallocStats, usage, doctor]
})
