/**
 * Readings from /proc: a process's CPU time (utime + stime) and its resident memory. Read
 * before and after a measured run, never during it.
 */
import { execFileSync } from "node:child_process"
import { readFileSync } from "node:fs"

const readClockTicksPerSecond = () => {
  try {
    return Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100
  } catch {
    return 100
  }
}
const CLOCK_TICKS_PER_SECOND = readClockTicksPerSecond()

/** User + system CPU time of `pid` in µs (resolution: one clock tick, usually 10 ms). */
export const cpuMicros = (pid) => {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8")
  // Fields after "(comm)" start at field 3 (state); utime is field 14, stime field 15.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
  const ticks = Number(fields[14 - 3]) + Number(fields[15 - 3])
  return (ticks * 1e6) / CLOCK_TICKS_PER_SECOND
}

/**
 * A process's resident memory in bytes, from one read of /proc/<pid>/status: all of it (VmRSS),
 * and its anonymous (heaps, malloc) and file-backed (its executable's code, mapped as it runs) parts.
 */
export const residentPages = (pid) => {
  const status = readFileSync(`/proc/${pid}/status`, "utf8")
  const bytes = (field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB$`, "m").exec(status)?.[1] ?? NaN) * 1024
  return { rss: bytes("VmRSS"), anon: bytes("RssAnon"), file: bytes("RssFile") }
}

/** Resident set size of `pid` in bytes (VmRSS). */
export const rssBytes = (pid) => residentPages(pid).rss

/** The growth of the anonymous and file-backed parts between two `residentPages` readings, for a log line. */
export const residentSplit = (before, after) => {
  const mib = (bytes) => `${bytes >= 0 ? "+" : ""}${(bytes / 2 ** 20).toFixed(1)}`
  return `[anonymous ${mib(after.anon - before.anon)}, file-backed ${mib(after.file - before.file)} MiB]`
}
