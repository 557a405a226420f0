/**
 * The texts the operator's commands print, against what Redis 7.0.15 printed for the same data:
 * MONITOR's quoting, SLOWLOG's trimming, LATENCY GRAPH and DOCTOR.
 */
import { describe, expect, it } from "vitest"
import { quoteRepr, redactedArgv, slowlogArgv } from "../../src/observability/argvText.js"
import { latencyDoctor } from "../../src/observability/latencyDoctor.js"
import { LatencyEvents, latencyGraph } from "../../src/observability/LatencyEvents.js"

describe("argument texts", () => {
  it("quotes as sdscatrepr", () => {
    expect(quoteRepr("x\"y\\z\x01\xff\n\r\t\x07\b ~")).toBe('"x\\"y\\\\z\\x01\\xff\\n\\r\\t\\a\\b ~"')
  })

  it("redacts passwords", () => {
    expect(redactedArgv("auth", ["AUTH", "u", "p"])).toEqual(["AUTH", "(redacted)", "(redacted)"])
    expect(redactedArgv("hello", ["HELLO", "3", "auth", "u", "p", "SETNAME", "n"]))
      .toEqual(["HELLO", "3", "auth", "(redacted)", "(redacted)", "SETNAME", "n"])
    expect(redactedArgv("config|set", ["CONFIG", "SET", "requirepass", "x", "maxclients", "5"]))
      .toEqual(["CONFIG", "SET", "requirepass", "(redacted)", "maxclients", "5"])
    const get = ["GET", "k"]
    expect(redactedArgv("get", get)).toBe(get)
  })

  it("trims as SLOWLOG does", () => {
    const argv = ["RPUSH", "l", ...Array.from({ length: 40 }, (_, i) => String(i + 1))]
    const kept = slowlogArgv(argv)
    expect(kept).toHaveLength(32)
    expect(kept[30]).toBe("29")
    expect(kept[31]).toBe("... (11 more arguments)")
    expect(slowlogArgv(["SET", "k", "x".repeat(200)])[2]).toBe(`${"x".repeat(128)}... (72 more bytes)`)
    expect(slowlogArgv(["SET", "k", "x".repeat(128)])[2]).toBe("x".repeat(128))
  })
})

describe("LATENCY", () => {
  const events = new LatencyEvents()
  events.add("command", 1796603066, 20)
  events.add("command", 1796603066, 10)

  it("GRAPH draws Redis's sparkline with the age labels", () => {
    expect(latencyGraph("command", events.series.get("command")!, 1796603083)).toBe(
      "command - high 20 ms, low 20 ms (all time high 20 ms)\n" + "-".repeat(80) + "\n \n \n \n_\n \n1\n7\ns\n"
    )
  })

  it("GRAPH scales several samples", () => {
    // Redis's LATENCY HISTORY and GRAPH after three DEBUG SLEEPs a second apart.
    const more = new LatencyEvents()
    more.add("command", 1796604537, 10)
    more.add("command", 1796604538, 41)
    more.add("command", 1796604539, 26)
    expect(latencyGraph("command", more.series.get("command")!, 1796604540)).toBe(
      "command - high 41 ms, low 10 ms (all time high 41 ms)\n" + "-".repeat(80) + "\n" +
        " # \n |_\n ||\n_||\n   \n321\nsss\n"
    )
  })

  it("DOCTOR reports a spike and its advice", () => {
    const settings = { latencyThreshold: 5, slowlogThreshold: 10000, slowlogMaxLen: 128 }
    expect(latencyDoctor(events, settings, 1796603083)).toBe(
      "Dave, I have observed latency spikes in this Redis instance. You don't mind talking about it, do you Dave?\n\n" +
        "1. command: 1 latency spikes (average 20ms, mean deviation 0ms, period 17.00 sec). Worst all time event 20ms.\n\n" +
        "I have a few advices for you:\n\n" +
        "- Your current Slow Log configuration only logs events that are slower than your configured latency monitor " +
        "threshold. Please use 'CONFIG SET slowlog-log-slower-than 5000'.\n" +
        "- Check your Slow Log to understand what are the commands you are running which are too slow to execute. " +
        "Please check https://redis.io/commands/slowlog for more information.\n" +
        "- Deleting, expiring or evicting (because of maxmemory policy) large objects is a blocking operation. If you " +
        "have very large objects that are often deleted, expired, or evicted, try to fragment those objects into " +
        "multiple smaller objects.\n"
    )
  })
})
