/**
 * Hand-written differential scripts for the operator's commands: SLOWLOG (lengths and errors
 * exactly, entries by shape: their ids, times and durations differ), LATENCY (replies without
 * timings exactly), CLIENT REPLY / PAUSE / NO-EVICT errors (what REPLY OFF and PAUSE do is in
 * test/observability/operator.test.ts: this harness expects a reply per command), WAIT, LOLWUT (the art drawn without randomness exactly), INFO
 * section selection by shape, CONFIG SET of several parameters at once, and DEBUG's refusal
 * (both servers run with enable-debug-command at its default, no).
 */
import { kindOnly, pairs, type Script } from "../compare.js"

const restoreSlowlog = ["CONFIG", "SET", "slowlog-log-slower-than", "10000", "slowlog-max-len", "128"]

export const observabilityScripts: ReadonlyArray<Script> = [
  {
    name: "SLOWLOG",
    steps: [
      ["CONFIG", "SET", "slowlog-log-slower-than", "0"],
      ["SLOWLOG", "RESET"],
      ["SET", "k", "v"],
      ["GET", "k"],
      ["RPUSH", "l", ...Array.from({ length: 40 }, (_, i) => String(i))],
      ["SET", "long", "x".repeat(300)],
      ["SLOWLOG", "LEN"],
      kindOnly("SLOWLOG", "GET"),
      kindOnly("SLOWLOG", "GET", "2"),
      kindOnly("SLOWLOG", "GET", "-1"),
      ["SLOWLOG", "GET", "0"],
      ["SLOWLOG", "GET", "-2"],
      ["SLOWLOG", "GET", "abc"],
      ["SLOWLOG", "GET", "1", "2"],
      ["SLOWLOG", "LEN", "x"],
      ["SLOWLOG", "NOSUCH"],
      ["SLOWLOG"],
      ["CONFIG", "SET", "slowlog-max-len", "2"],
      ["SLOWLOG", "LEN"],
      ["CONFIG", "SET", "slowlog-log-slower-than", "-1"],
      ["SLOWLOG", "RESET"],
      ["SET", "k", "v"],
      ["SLOWLOG", "LEN"],
      ["CONFIG", "SET", "slowlog-log-slower-than", "-2"],
      ["CONFIG", "SET", "slowlog-max-len", "-1"],
      ["CONFIG", "SET", "slowlog-max-len", "abc"],
      pairs("CONFIG", "GET", "slowlog*"),
      restoreSlowlog,
      ["SLOWLOG", "HELP"]
    ]
  },
  {
    name: "LATENCY",
    steps: [
      ["LATENCY", "RESET"],
      ["LATENCY", "LATEST"],
      ["LATENCY", "HISTORY", "command"],
      ["LATENCY", "GRAPH", "command"],
      ["LATENCY", "DOCTOR"],
      ["LATENCY", "RESET", "command", "nosuch"],
      ["LATENCY", "HISTOGRAM", "nosuchcommand"],
      ["LATENCY", "NOSUCH"],
      ["LATENCY", "HISTORY"],
      ["LATENCY", "GRAPH", "a", "b"],
      ["LATENCY", "HELP"],
      ["CONFIG", "SET", "latency-monitor-threshold", "-1"],
      ["CONFIG", "SET", "latency-tracking-info-percentiles", "50 abc"],
      ["CONFIG", "SET", "latency-tracking-info-percentiles", "50 101"],
      ["CONFIG", "SET", "latency-tracking-info-percentiles", "50.5 99 99.99"],
      ["CONFIG", "GET", "latency-tracking-info-percentiles"],
      ["CONFIG", "SET", "latency-tracking-info-percentiles", "50 99 99.9"],
      ["CONFIG", "SET", "latency-tracking", "maybe"],
      pairs("CONFIG", "GET", "latency*"),
      ["CONFIG", "SET", "latency-monitor-threshold", "1000"],
      ["LATENCY", "DOCTOR"],
      ["CONFIG", "SET", "latency-monitor-threshold", "0"]
    ]
  },
  {
    name: "CLIENT REPLY, PAUSE, UNPAUSE and NO-EVICT",
    steps: [
      ["CLIENT", "REPLY", "ON"],
      ["CLIENT", "REPLY", "maybe"],
      ["CLIENT", "REPLY"],
      ["CLIENT", "PAUSE", "abc"],
      ["CLIENT", "PAUSE", "-1"],
      ["CLIENT", "PAUSE", "10", "sometimes"],
      ["CLIENT", "PAUSE", "10", "write", "extra"],
      ["CLIENT", "PAUSE"],
      ["CLIENT", "PAUSE", "0"],
      ["CLIENT", "PAUSE", "0", "WRITE"],
      ["CLIENT", "UNPAUSE"],
      ["CLIENT", "UNPAUSE", "x"],
      ["CLIENT", "NO-EVICT", "on"],
      ["CLIENT", "NO-EVICT", "OFF"],
      ["CLIENT", "NO-EVICT", "x"]
    ]
  },
  {
    name: "WAIT, LOLWUT and DEBUG's refusal",
    steps: [
      ["WAIT", "0", "0"],
      ["WAIT", "-1", "0"],
      ["WAIT", "1", "50"],
      ["WAIT", "0", "-1"],
      ["WAIT", "a", "0"],
      ["WAIT", "0", "a"],
      ["WAIT", "1"],
      ["MULTI"],
      ["WAIT", "5", "0"],
      ["EXEC"],
      ["LOLWUT", "VERSION", "1"],
      ["LOLWUT", "VERSION", "4", "extra"],
      ["LOLWUT", "VERSION", "x"],
      ["LOLWUT", "foo"],
      // Schotter's first two rows of squares are drawn without randomness: byte for byte.
      ["LOLWUT", "VERSION", "5", "10", "2", "2"],
      ["LOLWUT", "VERSION", "5", "1", "1", "1"],
      ["LOLWUT", "VERSION", "5", "0", "-3", "0"],
      ["LOLWUT", "VERSION", "5", "40", "3", "2"],
      ["LOLWUT", "VERSION", "5", "33", "7", "1"],
      ["LOLWUT", "VERSION", "5", "3", "1", "1"],
      ["LOLWUT", "VERSION", "5", "2000", "1", "1"],
      ["LOLWUT", "VERSION", "5", "66", "200", "2"],
      ["LOLWUT", "VERSION", "4294967301", "12", "2", "1"],
      ["LOLWUT", "VERSION", "5", "x"],
      ["LOLWUT", "VERSION", "5", "10", "2", "y"],
      ["LOLWUT", "VERSION", "6", "10", "z"],
      ["LOLWUT", "VERSION", "6", "-5", "-3"],
      ["LOLWUT", "VERSION", "-1"],
      ["LOLWUT", "VERSION", "7", "x"],
      ["LOLWUT", "VERSION"],
      ["LOLWUT", "5"],
      ["DEBUG", "SLEEP", "0"],
      ["DEBUG", "HELP"],
      ["DEBUG"],
      ["MULTI"],
      ["DEBUG", "SLEEP", "0"],
      ["EXEC"]
    ]
  },
  {
    name: "INFO sections and CONFIG SET of several parameters",
    steps: [
      ["SET", "k", "v"],
      kindOnly("INFO", "commandstats"),
      ["INFO", "nosuchsection"],
      ["INFO", "nosuch", "other"],
      kindOnly("INFO", "server", "clients"),
      kindOnly("INFO", "errorstats", "latencystats"),
      ["CONFIG", "SET", "slowlog-max-len", "10", "latency-monitor-threshold", "abc"],
      ["CONFIG", "GET", "slowlog-max-len"],
      ["CONFIG", "SET", "slowlog-max-len", "10", "slowlog-max-len", "11"],
      ["CONFIG", "SET", "slowlog-max-len", "10", "nosuchparameter", "1"],
      ["CONFIG", "SET", "slowlog-max-len", "10", "latency-monitor-threshold", "5"],
      pairs("CONFIG", "GET", "slowlog-max-len", "latency-monitor-threshold"),
      ["CONFIG", "SET", "enable-debug-command", "yes"],
      ["CONFIG", "GET", "enable-debug-command"],
      ["CONFIG", "REWRITE"],
      ["CONFIG", "SET", "slowlog-max-len", "128", "latency-monitor-threshold", "0"]
    ]
  }
]
