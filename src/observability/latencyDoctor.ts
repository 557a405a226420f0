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

export interface DoctorSettings {
  readonly latencyThreshold: number
  readonly slowlogThreshold: number
  readonly slowlogMaxLen: number
}

export const latencyDoctor = (events: LatencyEvents, settings: DoctorSettings, nowSeconds: number): string => {
  if (settings.latencyThreshold === 0) return DISABLED
  if (events.series.size === 0) return NO_SPIKES
  let report = "Dave, I have observed latency spikes in this Redis instance. You don't mind talking about it, do you Dave?\n\n"
  let slowlogEnable = false
  let slowlogTuning = false
  let slowlogInspect = false
  let largeObjects = false
  let scheduler = false
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
      largeObjects = true
    } else if (event === "fast-command") {
      scheduler = true
    }
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
  if (largeObjects) {
    advice += "- Deleting, expiring or evicting (because of maxmemory policy) large objects is a blocking operation. " +
      "If you have very large objects that are often deleted, expired, or evicted, try to fragment those objects " +
      "into multiple smaller objects.\n"
  }
  if (advice === "") {
    return `${report}\nWhile there are latency events logged, I'm not able to suggest any easy fix. Please use the ` +
      "Redis community to get some help, providing this report in your help request.\n"
  }
  return `${report}\nI have a few advices for you:\n\n${advice}`
}
