/**
 * LATENCY DOCTOR's report: Redis 7.0's wording, one summary line per event (spikes, average,
 * mean deviation, period, worst ever) and the advice its event kinds call for.
 */
import type { LatencyEvents } from "./LatencyEvents.js"

const DISABLED =
  "I'm sorry, Dave, I can't do that. Latency monitoring is disabled in this Redis instance. You may use " +
  "\"CONFIG SET latency-monitor-threshold <milliseconds>.\" in order to enable it. If we weren't in a deep space " +
  "mission I'd suggest to take a look at https://redis.io/topics/latency-monitor.\n"

const NO_SPIKES =
  "Dave, no latency spike was observed during the lifetime of this Redis instance, not in the slightest bit. " +
  "I honestly think you ought to sit down calmly, take a stress pill, and think things over.\n"

const SCHEDULER_ADVICE =
  "- The system is slow to execute Redis code paths not containing system calls. This usually means the system " +
  "does not provide Redis CPU time to run for long periods. You should try to:\n" +
  "  1) Lower the system load.\n" +
  "  2) Use a computer / VM just for Redis if you are running other software in the same system.\n" +
  "  3) Check if you have a \"noisy neighbour\" problem.\n" +
  "  4) Check with 'redis-cli --intrinsic-latency 100' what is the intrinsic latency in your system.\n" +
  "  5) Check if the problem is allocator-related by recompiling Redis with MALLOC=libc, if you are using " +
  "Jemalloc. However this may create fragmentation problems.\n"

/** Advice for the disk and persistence events, in the order Redis prints them. */
const DISK_ADVICE = {
  localDisk: "- It is strongly advised to use local disks for persistence, especially if you are using AOF. Remote disks " +
    "provided by platform-as-a-service providers are known to be slow.\n",
  ssd: "- SSD disks are able to reduce fsync latency, and total time needed for snapshotting and AOF log rewriting " +
    "(resulting in smaller memory usage and smaller final AOF rewrite buffer flushes). With extremely high write " +
    "load SSD disks can be a good option. However Redis should perform reasonably with high load using normal " +
    "disks. Use this advice as a last resort.\n",
  dataWriteback: "- Mounting ext3/4 filesystems with data=writeback can provide a performance boost compared to " +
    "data=ordered, however this mode of operation provides less guarantees, and sometimes it can happen that after a " +
    "hard crash the AOF file will have a half-written command at the end and will require to be repaired before " +
    "Redis restarts.\n",
  diskContention: "- Try to lower the disk contention. This is often caused by other disk intensive processes " +
    "running in the same computer (including other Redis instances).\n",
  noAppendfsync: "- Assuming from the point of view of data safety this is viable in your environment, you could " +
    "try to enable the 'no-appendfsync-on-rewrite' option, so that fsync will not be performed while there is a " +
    "child rewriting the AOF file or producing an RDB file (the moment where there is high disk contention).\n",
  relaxFsync: "- Your fsync policy is set to 'always'. It is very hard to get good performances with such a setup, " +
    "if possible try to relax the fsync policy to 'onesec'.\n",
  writeLoadInfo: "- Latency during the AOF atomic rename operation or when the final difference is flushed to the " +
    "AOF file at the end of the rewrite, sometimes is caused by very high write load, causing the AOF buffer to get " +
    "very large. If possible try to send less commands to accomplish the same work, or use Lua scripts to group " +
    "multiple operations into a single EVALSHA call.\n",
  hz: "- In order to make the Redis keys expiring process more incremental, try to set the 'hz' configuration " +
    "parameter to 100 using 'CONFIG SET hz 100'.\n"
}

const LARGE_OBJECTS_ADVICE = "- Deleting, expiring or evicting (because of maxmemory policy) large objects is a " +
  "blocking operation. If you have very large objects that are often deleted, expired, or evicted, try to fragment " +
  "those objects into multiple smaller objects.\n"

const MASS_EVICTION_ADVICE = "- Sudden changes to the 'maxmemory' setting via 'CONFIG SET', or allocation of large " +
  "objects via sets or sorted sets intersections, STORE option of SORT, Redis Cluster large keys migrations " +
  "(RESTORE command), may create sudden memory pressure forcing the server to block trying to evict keys. \n"

/** Each event's advice (Redis's createLatencyReport): the flags it raises. */
const EVENT_ADVICE: ReadonlyMap<string, ReadonlyArray<keyof typeof DISK_ADVICE | "largeObjects" | "massEviction">> = new Map([
  ["aof-write-pending-fsync", ["localDisk", "diskContention", "ssd", "dataWriteback"]],
  ["aof-write-active-child", ["noAppendfsync", "dataWriteback", "ssd"]],
  ["aof-write-alone", ["localDisk", "dataWriteback", "ssd"]],
  ["aof-fsync-always", ["relaxFsync"]],
  ["aof-fstat", ["diskContention", "localDisk"]],
  ["rdb-unlink-temp-file", ["diskContention", "localDisk"]],
  ["aof-rewrite-diff-write", ["writeLoadInfo", "dataWriteback", "ssd", "localDisk"]],
  ["aof-rename", ["writeLoadInfo", "dataWriteback", "ssd", "localDisk"]],
  ["expire-cycle", ["hz", "largeObjects"]],
  ["eviction-del", ["largeObjects"]],
  ["eviction-cycle", ["massEviction"]]
] as const)

export interface DoctorSettings {
  readonly latencyThreshold: number
  readonly slowlogThreshold: number
  readonly slowlogMaxLen: number
  /** The server's hz and whether appendfsync is always: two pieces of advice depend on them. */
  readonly hz?: number
  readonly appendfsyncAlways?: boolean
}

export const latencyDoctor = (events: LatencyEvents, settings: DoctorSettings, nowSeconds: number): string => {
  if (settings.latencyThreshold === 0) return DISABLED
  if (events.series.size === 0) return NO_SPIKES
  let report = "Dave, I have observed latency spikes in this Redis instance. You don't mind talking about it, do you Dave?\n\n"
  let slowlogEnable = false
  let slowlogTuning = false
  let slowlogInspect = false
  let scheduler = false
  const raised = new Set<string>()
  let number = 1
  for (const [event, series] of events.series) {
    const samples = series.samples
    let sum = 0
    let oldest = samples[0].time
    for (const sample of samples) {
      sum += sample.latency
      if (sample.time < oldest) oldest = sample.time
    }
    const average = Math.floor(sum / samples.length)
    let deviation = 0
    for (const sample of samples) deviation += Math.abs(average - sample.latency)
    const period = Math.max(1, nowSeconds - oldest)
    report += `${number++}. ${event}: ${samples.length} latency spikes (average ${average}ms, mean deviation ` +
      `${Math.floor(deviation / samples.length)}ms, period ${(period / samples.length).toFixed(2)} sec). ` +
      `Worst all time event ${series.max}ms.\n`
    if (event === "command") {
      if (settings.slowlogThreshold < 0 || settings.slowlogMaxLen === 0) slowlogEnable = true
      else if (settings.slowlogThreshold / 1000 > settings.latencyThreshold) slowlogTuning = true
      slowlogInspect = true
      raised.add("largeObjects")
    } else if (event === "fast-command") {
      scheduler = true
    }
    for (const flag of EVENT_ADVICE.get(event) ?? []) raised.add(flag)
  }
  // Redis counts advice raised even when its condition (appendfsync always, hz < 100) then prints nothing.
  if (!slowlogEnable && !slowlogTuning && !slowlogInspect && !scheduler && raised.size === 0) {
    return `${report}\nWhile there are latency events logged, I'm not able to suggest any easy fix. Please use the ` +
      "Redis community to get some help, providing this report in your help request.\n"
  }
  const threshold = settings.latencyThreshold * 1000
  let advice = ""
  if (slowlogEnable) {
    advice += "- There are latency issues with potentially slow commands you are using. Try to enable the Slow Log " +
      `Redis feature using the command 'CONFIG SET slowlog-log-slower-than ${threshold}'. If the Slow log is ` +
      "disabled Redis is not able to log slow commands execution for you.\n"
  }
  if (slowlogTuning) {
    advice += "- Your current Slow Log configuration only logs events that are slower than your configured latency " +
      `monitor threshold. Please use 'CONFIG SET slowlog-log-slower-than ${threshold}'.\n`
  }
  if (slowlogInspect) {
    advice += "- Check your Slow Log to understand what are the commands you are running which are too slow to " +
      "execute. Please check https://redis.io/commands/slowlog for more information.\n"
  }
  if (scheduler) advice += SCHEDULER_ADVICE
  for (const flag of ["localDisk", "ssd", "dataWriteback", "diskContention", "noAppendfsync"] as const) {
    if (raised.has(flag)) advice += DISK_ADVICE[flag]
  }
  if (raised.has("relaxFsync") && settings.appendfsyncAlways === true) advice += DISK_ADVICE.relaxFsync
  if (raised.has("writeLoadInfo")) advice += DISK_ADVICE.writeLoadInfo
  if (raised.has("hz") && (settings.hz ?? 10) < 100) advice += DISK_ADVICE.hz
  if (raised.has("largeObjects")) advice += LARGE_OBJECTS_ADVICE
  if (raised.has("massEviction")) advice += MASS_EVICTION_ADVICE
  return `${report}\nI have a few advices for you:\n\n${advice}`
}
