/**
 * INFO [section ...]: Redis 7.0's sections, field names, order and CRLF layout, so monitoring
 * tools and clients that parse INFO find what they expect. Counters come from `ctx.server.stats`
 * and `ctx.keyspace.stats`; memory and CPU from the Node process (V8 heap plus buffers stands for
 * Redis's allocator). Features redfiber does not have (replication, AOF, Lua, defrag) report the
 * values an idle Redis without them reports. The server section adds `redfiber_version`.
 */
import * as os from "node:os"
import { command, type CommandContext, type CommandSpec, type ServerState } from "../Command.js"
import { PROCESS_BASELINE_BYTES, usedMemory } from "../../eviction/MaxMemory.js"
import { replicationInfo, withLoading } from "../../replication/info.js"
import { REDFIBER_VERSION, REDIS_VERSION } from "../../protocol/version.js"

type Field = readonly [name: string, value: string | number]
type Section = (ctx: CommandContext) => ReadonlyArray<Field>

/** Redis's `bytesToHuman`. */
const bytesToHuman = (bytes: number): string => {
  const units = ["K", "M", "G", "T", "P"]
  if (bytes < 1024) return `${bytes}B`
  for (let i = 0; i < units.length; i++) {
    if (bytes < 1024 ** (i + 2)) return `${(bytes / 1024 ** (i + 1)).toFixed(2)}${units[i]}`
  }
  return `${bytes}B`
}

const ratio = (a: number, b: number) => (b === 0 ? "0.00" : (a / b).toFixed(2))
const seconds = (micros: number) => (micros / 1e6).toFixed(6)

/** Per-server figures INFO remembers between calls: the ops/s sample. */
interface InfoMemory {
  sampleAt: number
  sampleCommands: number
  sampleInput: number
  sampleOutput: number
}
const memories = new WeakMap<ServerState, InfoMemory>()
const memoryOf = (server: ServerState): InfoMemory => {
  let memory = memories.get(server)
  if (memory === undefined) {
    memory = {
      sampleAt: server.startedAt,
      sampleCommands: 0,
      sampleInput: 0,
      sampleOutput: 0
    }
    memories.set(server, memory)
  }
  return memory
}

/** Commands processed before the current one (dispatch counts INFO itself before it runs). */
const commandsBefore = (ctx: CommandContext) => Math.max(0, ctx.server.stats.totalCommandsProcessed - 1)

const server: Section = (ctx) => {
  const uptime = Math.floor((ctx.now - ctx.server.startedAt) / 1000)
  const multiplexing = process.platform === "linux" ? "epoll" : process.platform === "win32" ? "iocp" : "kqueue"
  return [
    ["redis_version", REDIS_VERSION],
    ["redis_git_sha1", "00000000"],
    ["redis_git_dirty", 0],
    ["redis_build_id", "0"],
    ["redis_mode", ctx.server.config.clusterEnabled ? "cluster" : "standalone"],
    ["os", `${os.type()} ${os.release()} ${os.machine()}`],
    ["arch_bits", process.arch.endsWith("64") ? 64 : 32],
    ["monotonic_clock", "POSIX clock_gettime"],
    ["multiplexing_api", multiplexing],
    ["atomicvar_api", "c11-builtin"],
    ["gcc_version", "0.0.0"],
    ["process_id", process.pid],
    ["process_supervised", "no"],
    ["run_id", ctx.server.runId],
    ["tcp_port", ctx.server.tcpPort],
    ["server_time_usec", ctx.now * 1000],
    ["uptime_in_seconds", uptime],
    ["uptime_in_days", Math.floor(uptime / 86400)],
    ["hz", ctx.server.config.hz],
    ["configured_hz", ctx.server.config.hz],
    ["lru_clock", Math.floor(ctx.now / 1000) & 0xffffff],
    ["executable", process.argv[1] ?? process.execPath],
    ["config_file", ctx.server.observability.configFile],
    ["io_threads_active", 0],
    ["redfiber_version", REDFIBER_VERSION]
  ]
}

const clients: Section = (ctx) => {
  let maxInput = 0
  let maxOutput = 0
  for (const client of ctx.server.clients.values()) {
    maxInput = Math.max(maxInput, client.queryBufferBytes)
    maxOutput = Math.max(maxOutput, client.outputBufferBytes)
  }
  return [
    ["connected_clients", ctx.server.clients.size],
    ["cluster_connections", 0],
    ["maxclients", ctx.server.config.maxclients],
    ["client_recent_max_input_buffer", maxInput],
    ["client_recent_max_output_buffer", maxOutput],
    // Clients held by CLIENT PAUSE count as blocked, as in Redis.
    ["blocked_clients", ctx.server.blocked.size + ctx.server.observability.pause.waiting.size],
    ["tracking_clients", ctx.server.tracking.clientCount],
    ["clients_in_timeout_table", ctx.server.blocked.timedSize]
  ]
}

/**
 * used_memory is what maxmemory compares with: a fixed baseline for the process plus the
 * keyspace's estimate (src/eviction/MaxMemory.ts); the baseline is the "startup" and "overhead"
 * part, the keys and values the dataset. The allocator_* fields are the process's own figures
 * (V8 heap plus buffers, heap reserved, resident set), and the fragmentation ratio is resident
 * set over used_memory, as Redis defines it.
 */
const memory: Section = (ctx) => {
  const usage = process.memoryUsage()
  const used = usedMemory(ctx.keyspace)
  const allocated = usage.heapUsed + usage.external
  const active = usage.heapTotal + usage.external
  const stats = ctx.server.stats
  stats.peakMemory = Math.max(stats.peakMemory, used)
  const overhead = PROCESS_BASELINE_BYTES
  const dataset = used - overhead
  const maxmemory = ctx.server.config.maxmemory
  let clientMemory = 0
  for (const client of ctx.server.clients.values()) clientMemory += client.queryBufferBytes + client.outputBufferBytes
  return [
    ["used_memory", used],
    ["used_memory_human", bytesToHuman(used)],
    ["used_memory_rss", usage.rss],
    ["used_memory_rss_human", bytesToHuman(usage.rss)],
    ["used_memory_peak", stats.peakMemory],
    ["used_memory_peak_human", bytesToHuman(stats.peakMemory)],
    ["used_memory_peak_perc", `${((used * 100) / stats.peakMemory).toFixed(2)}%`],
    ["used_memory_overhead", overhead],
    ["used_memory_startup", PROCESS_BASELINE_BYTES],
    ["used_memory_dataset", dataset],
    ["used_memory_dataset_perc", `${used === overhead ? "0.00" : ((dataset * 100) / used).toFixed(2)}%`],
    ["allocator_allocated", allocated],
    ["allocator_active", active],
    ["allocator_resident", usage.rss],
    ["total_system_memory", os.totalmem()],
    ["total_system_memory_human", bytesToHuman(os.totalmem())],
    ["used_memory_lua", 0],
    ["used_memory_vm_eval", 0],
    ["used_memory_lua_human", "0B"],
    ["used_memory_scripts_eval", 0],
    ["number_of_cached_scripts", 0],
    ["number_of_functions", 0],
    ["number_of_libraries", 0],
    ["used_memory_vm_functions", 0],
    ["used_memory_vm_total", 0],
    ["used_memory_vm_total_human", "0B"],
    ["used_memory_functions", 0],
    ["used_memory_scripts", 0],
    ["used_memory_scripts_human", "0B"],
    ["maxmemory", maxmemory],
    ["maxmemory_human", bytesToHuman(maxmemory)],
    ["maxmemory_policy", ctx.server.config.extra.get("maxmemory-policy") ?? "noeviction"],
    ["allocator_frag_ratio", ratio(active, allocated)],
    ["allocator_frag_bytes", active - allocated],
    ["allocator_rss_ratio", ratio(usage.rss, active)],
    ["allocator_rss_bytes", usage.rss - active],
    ["rss_overhead_ratio", "1.00"],
    ["rss_overhead_bytes", 0],
    ["mem_fragmentation_ratio", ratio(usage.rss, used)],
    ["mem_fragmentation_bytes", usage.rss - used],
    ["mem_not_counted_for_evict", 0],
    ["mem_replication_backlog", ctx.server.replication?.backlog?.histlen ?? 0],
    ["mem_total_replication_buffers", 0],
    ["mem_clients_slaves", 0],
    ["mem_clients_normal", clientMemory],
    ["mem_cluster_links", 0],
    ["mem_aof_buffer", 0],
    ["mem_allocator", `v8-${process.versions.v8}`],
    ["active_defrag_running", 0],
    ["lazyfree_pending_objects", 0],
    ["lazyfreed_objects", 0]
  ]
}

/** From the persistence service (see src/persistence/Persistence.ts), in Redis 7.0's order. */
const persistence: Section = (ctx) =>
  withLoading(ctx.server.persistence?.info(ctx.now).map(([name, value]) => [name, value] as Field) ?? [], ctx.server.replication?.loading, ctx.now)

const stats: Section = (ctx) => {
  const counters = ctx.server.stats
  const commands = commandsBefore(ctx)
  // "Instantaneous" rates: the average since the previous INFO (redis-cli --stat asks every second).
  const sample = memoryOf(ctx.server)
  const elapsed = (ctx.now - sample.sampleAt) / 1000
  const perSecond = (now: number, before: number) => (elapsed > 0 && now >= before ? (now - before) / elapsed : 0)
  const opsPerSecond = Math.round(perSecond(commands, sample.sampleCommands))
  const inputKbps = (perSecond(counters.netInputBytes, sample.sampleInput) / 1024).toFixed(2)
  const outputKbps = (perSecond(counters.netOutputBytes, sample.sampleOutput) / 1024).toFixed(2)
  if (elapsed >= 0.1) {
    sample.sampleAt = ctx.now
    sample.sampleCommands = commands
    sample.sampleInput = counters.netInputBytes
    sample.sampleOutput = counters.netOutputBytes
  }
  return [
    ["total_connections_received", counters.totalConnectionsReceived],
    ["total_commands_processed", commands],
    ["instantaneous_ops_per_sec", opsPerSecond],
    ["total_net_input_bytes", counters.netInputBytes],
    ["total_net_output_bytes", counters.netOutputBytes],
    ["total_net_repl_input_bytes", ctx.server.replication?.traffic.inputBytes ?? 0],
    ["total_net_repl_output_bytes", ctx.server.replication?.traffic.outputBytes ?? 0],
    ["instantaneous_input_kbps", inputKbps],
    ["instantaneous_output_kbps", outputKbps],
    ["instantaneous_input_repl_kbps", "0.00"],
    ["instantaneous_output_repl_kbps", "0.00"],
    ["rejected_connections", counters.rejectedConnections],
    ["sync_full", ctx.server.replication?.syncFull ?? 0],
    ["sync_partial_ok", ctx.server.replication?.syncPartialOk ?? 0],
    ["sync_partial_err", ctx.server.replication?.syncPartialErr ?? 0],
    ["expired_keys", ctx.keyspace.stats.expiredKeys],
    ["expired_stale_perc", "0.00"],
    ["expired_time_cap_reached_count", 0],
    ["expire_cycle_cpu_milliseconds", 0],
    ["evicted_keys", counters.evictedKeys],
    ["evicted_clients", 0],
    ["total_eviction_exceeded_time", 0],
    ["current_eviction_exceeded_time", 0],
    ["keyspace_hits", counters.keyspaceHits],
    ["keyspace_misses", counters.keyspaceMisses],
    ["pubsub_channels", ctx.server.pubsub.channelCount],
    ["pubsub_patterns", ctx.server.pubsub.patternCount],
    ["pubsubshard_channels", ctx.server.pubsub.shardChannelCount],
    ["latest_fork_usec", 0],
    ["total_forks", 0],
    ["migrate_cached_sockets", 0],
    ["slave_expires_tracked_keys", 0],
    ["active_defrag_hits", 0],
    ["active_defrag_misses", 0],
    ["active_defrag_key_hits", 0],
    ["active_defrag_key_misses", 0],
    ["total_active_defrag_time", 0],
    ["current_active_defrag_time", 0],
    ["tracking_total_keys", ctx.server.tracking.size],
    ["tracking_total_items", ctx.server.tracking.itemCount],
    ["tracking_total_prefixes", ctx.server.tracking.prefixCount],
    ["unexpected_error_replies", 0],
    ["total_error_replies", counters.errorReplies],
    ["dump_payload_sanitizations", 0],
    ["total_reads_processed", 0],
    ["total_writes_processed", 0],
    ["io_threaded_reads_processed", 0],
    ["io_threaded_writes_processed", 0],
    ["reply_buffer_shrinks", 0],
    ["reply_buffer_expands", 0]
  ]
}

const replication: Section = (ctx) => ctx.server.replication !== undefined ? replicationInfo(ctx.server.replication, ctx.now) : [
  ["role", "master"],
  ["connected_slaves", 0],
  ["master_failover_state", "no-failover"],
  ["master_replid", ctx.server.observability.replicationId],
  ["master_replid2", "0".repeat(40)],
  ["master_repl_offset", 0],
  ["second_repl_offset", -1],
  ["repl_backlog_active", 0],
  ["repl_backlog_size", 1048576],
  ["repl_backlog_first_byte_offset", 0],
  ["repl_backlog_histlen", 0]
]

const cpu: Section = () => {
  const usage = process.cpuUsage()
  return [
    ["used_cpu_sys", seconds(usage.system)],
    ["used_cpu_user", seconds(usage.user)],
    ["used_cpu_sys_children", "0.000000"],
    ["used_cpu_user_children", "0.000000"],
    ["used_cpu_sys_main_thread", seconds(usage.system)],
    ["used_cpu_user_main_thread", seconds(usage.user)]
  ]
}

const modules: Section = () => []

const cluster: Section = (ctx) => [["cluster_enabled", ctx.server.config.clusterEnabled ? 1 : 0]]

/** `dbN:keys=..,expires=..,avg_ttl=..` for every database that has keys; avg_ttl from a sample. */
const keyspace: Section = (ctx) => {
  const lines: Array<Field> = []
  for (const db of ctx.keyspace.databases) {
    if (db.size === 0) continue
    const avgTtl = db.averageTtl(ctx.now, 1000)
    lines.push([`db${db.id}`, `keys=${db.size},expires=${db.volatileCount},avg_ttl=${avgTtl}`])
  }
  return lines
}

/** `cmdstat_<name>:calls=..,usec=..,...` for every command that was called, refused or failed. */
const commandstats: Section = (ctx) => {
  const lines: Array<Field> = []
  for (const stats of ctx.server.observability.commandStats.values()) {
    if (stats.calls === 0 && stats.rejected === 0 && stats.failed === 0) continue
    const perCall = stats.calls === 0 ? 0 : stats.micros / stats.calls
    lines.push([
      `cmdstat_${stats.name}`,
      `calls=${stats.calls},usec=${stats.micros},usec_per_call=${perCall.toFixed(2)},` +
      `rejected_calls=${stats.rejected},failed_calls=${stats.failed}`
    ])
  }
  return lines
}

const errorstats: Section = (ctx) => {
  const lines: Array<Field> = []
  for (const [prefix, count] of ctx.server.observability.errorStats) lines.push([`errorstat_${prefix}`, `count=${count}`])
  return lines
}

/** `latency_percentiles_usec_<name>:p50=..,p99=..,p99.9=..` from each command's histogram. */
const latencystats: Section = (ctx) => {
  const observability = ctx.server.observability
  const lines: Array<Field> = []
  for (const stats of observability.commandStats.values()) {
    const histogram = stats.histogram
    if (histogram === undefined || histogram.total === 0) continue
    const values = observability.percentiles.map((percentile) =>
      `p${percentile}=${(histogram.valueAtPercentile(percentile) / 1000).toFixed(3)}`
    )
    lines.push([`latency_percentiles_usec_${stats.name}`, values.join(",")])
  }
  return lines
}

/** Every section in Redis 7.0's order, and whether `INFO` / `INFO default` include it. */
const SECTIONS: ReadonlyArray<readonly [name: string, title: string, section: Section, inDefault: boolean]> = [
  ["server", "Server", server, true],
  ["clients", "Clients", clients, true],
  ["memory", "Memory", memory, true],
  ["persistence", "Persistence", persistence, true],
  ["stats", "Stats", stats, true],
  ["replication", "Replication", replication, true],
  ["cpu", "CPU", cpu, true],
  ["modules", "Modules", modules, true],
  ["commandstats", "Commandstats", commandstats, false],
  ["errorstats", "Errorstats", errorstats, true],
  ["latencystats", "Latencystats", latencystats, false],
  ["cluster", "Cluster", cluster, true],
  ["keyspace", "Keyspace", keyspace, true]
]

/**
 * The INFO text for the asked sections, any number of them (none: the default ones); `all` and
 * `everything` are every section, `default` the default ones; unknown names add nothing.
 */
const infoText = (ctx: CommandContext, asked: ReadonlyArray<string>): string => {
  const wanted = new Set<string>(asked)
  const all = wanted.has("all") || wanted.has("everything")
  const defaults = asked.length === 0 || wanted.has("default")
  let text = ""
  for (const [name, title, section, inDefault] of SECTIONS) {
    if (!all && !(defaults && inDefault) && !wanted.has(name)) continue
    if (text !== "") text += "\r\n"
    text += `# ${title}\r\n`
    for (const [field, value] of section(ctx)) text += `${field}:${value}\r\n`
  }
  return text
}

const info = command({
  name: "info",
  arity: -1,
  flags: ["loading", "stale"],
  group: "server",
  aclCategories: ["slow", "dangerous"],
  tips: ["nondeterministic_output", "request_policy:all_shards", "response_policy:special"],
  summary: "Get information and statistics about the server",
  since: "1.0.0",
  complexity: "O(1)",
  run: (ctx, argv) => {
    const asked: Array<string> = []
    for (let i = 1; i < argv.length; i++) asked.push(argv[i].toLowerCase())
    ctx.out.verbatim(infoText(ctx, asked))
  }
})

export const infoCommands: ReadonlyArray<CommandSpec> = [info]
