/**
 * The operator's commands over src/observability/: MONITOR, SLOWLOG and LATENCY, with Redis
 * 7.0's replies, errors and help texts.
 */
import { latencyDoctor } from "../../observability/latencyDoctor.js"
import { latencyGraph } from "../../observability/LatencyEvents.js"
import { parseInteger } from "../../protocol/arguments.js"
import { command, type CommandContext, type CommandSpec } from "../Command.js"
import { writeHelp } from "./help.js"

const ADMIN_ACL = ["admin", "slow", "dangerous"]

/**
 * MONITOR: from now on the client is sent every command the server runs (src/observability/
 * Observability.ts formats them). A second MONITOR answers nothing; inside EXEC it is refused.
 */
const monitor = command({
  name: "monitor",
  arity: 1,
  flags: ["admin", "noscript", "loading", "stale"],
  group: "server",
  aclCategories: ADMIN_ACL,
  summary: "Listen for all requests received by the server in real time",
  since: "1.0.0",
  run: (ctx) => {
    if (ctx.client.inExec) return ctx.out.error("ERR MONITOR isn't allowed for DENY BLOCKING client")
    if (ctx.client.monitor) return
    ctx.client.monitor = true
    ctx.server.observability.monitors.add(ctx.client)
    ctx.out.ok()
  }
})

/** Ends MONITOR mode (RESET; the connection closing does the same). */
export const endMonitor = (ctx: CommandContext): void => {
  ctx.client.monitor = false
  ctx.server.observability.monitors.delete(ctx.client)
}

type Sub = Omit<Parameters<typeof command>[0], "group" | "aclCategories"> & { readonly aclCategories?: Array<string> }
const sub = (container: string, spec: Sub): CommandSpec =>
  command({ aclCategories: ADMIN_ACL, ...spec, name: `${container}|${spec.name}`, group: "server" })

const slowlogGet = sub("slowlog", {
  name: "get",
  arity: -2,
  flags: ["admin", "loading", "stale"],
  tips: ["request_policy:all_nodes", "nondeterministic_output"],
  summary: "Get the slow log's entries",
  since: "2.2.12",
  complexity: "O(N) where N is the number of entries returned",
  run: (ctx, argv) => {
    const slowlog = ctx.server.observability.slowlog
    let count = 10
    if (argv.length > 3) {
      return ctx.out.error(`ERR unknown subcommand or wrong number of arguments for '${argv[1]}'. Try SLOWLOG HELP.`)
    }
    if (argv.length === 3) {
      const asked = parseInteger(argv[2])
      if (asked === undefined || asked < -1) return ctx.out.error("ERR count should be greater than or equal to -1")
      count = asked === -1 ? slowlog.length : Number(asked)
    }
    const entries = slowlog.slice(0, count)
    const out = ctx.out
    out.arrayHeader(entries.length)
    for (const entry of entries) {
      out.arrayHeader(6)
      out.integer(entry.id)
      out.integer(entry.time)
      out.integer(entry.micros)
      out.arrayHeader(entry.argv.length)
      for (const arg of entry.argv) out.bulk(arg)
      out.bulk(entry.address)
      out.bulk(entry.clientName)
    }
  }
})

const slowlogLen = sub("slowlog", {
  name: "len",
  arity: 2,
  flags: ["admin", "loading", "stale"],
  tips: ["request_policy:all_nodes", "response_policy:agg_sum", "nondeterministic_output"],
  summary: "Get the slow log's length",
  since: "2.2.12",
  complexity: "O(1)",
  run: (ctx) => ctx.out.integer(ctx.server.observability.slowlog.length)
})

const slowlogReset = sub("slowlog", {
  name: "reset",
  arity: 2,
  flags: ["admin", "loading", "stale"],
  tips: ["request_policy:all_nodes", "response_policy:all_succeeded"],
  summary: "Clear all entries from the slow log",
  since: "2.2.12",
  complexity: "O(N) where N is the number of entries in the slowlog",
  run: (ctx) => {
    ctx.server.observability.slowlog = []
    ctx.out.ok()
  }
})

const slowlogHelp = sub("slowlog", {
  name: "help",
  arity: 2,
  flags: ["loading", "stale"],
  aclCategories: ["slow"],
  summary: "Show helpful text about the different subcommands",
  since: "6.2.0",
  complexity: "O(1)",
  run: (ctx) =>
    writeHelp(ctx.out, "SLOWLOG", [
      "GET [<count>]",
      "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
      "    Entries are made of:",
      "    id, timestamp, time in microseconds, arguments array, client IP and port,",
      "    client name",
      "LEN",
      "    Return the length of the slowlog.",
      "RESET",
      "    Reset the slowlog."
    ])
})

const slowlog = command({
  name: "slowlog",
  arity: -2,
  flags: [],
  group: "server",
  aclCategories: ["slow"],
  summary: "A container for slow log commands",
  since: "2.2.12",
  complexity: "Depends on subcommand.",
  subcommands: [slowlogGet, slowlogLen, slowlogReset, slowlogHelp]
})

const LATENCY_FLAGS = ["admin", "noscript", "loading", "stale"] as const
const LATENCY_TIPS = ["nondeterministic_output", "request_policy:all_nodes", "response_policy:special"]

const nowSeconds = (ctx: CommandContext) => Math.floor(ctx.now / 1000)

const latencyDoctorCommand = sub("latency", {
  name: "doctor",
  arity: 2,
  flags: LATENCY_FLAGS,
  tips: LATENCY_TIPS,
  summary: "Return a human readable latency analysis report.",
  since: "2.8.13",
  complexity: "O(1)",
  run: (ctx) => {
    const observability = ctx.server.observability
    const settings = {
      latencyThreshold: observability.latencyThreshold,
      slowlogThreshold: observability.slowlogThreshold,
      slowlogMaxLen: observability.slowlogMaxLen,
      hz: ctx.server.config.hz,
      appendfsyncAlways: ctx.server.config.extra.get("appendfsync") === "always"
    }
    ctx.out.verbatim(latencyDoctor(observability.latencyEvents, settings, nowSeconds(ctx)))
  }
})

const latencyGraphCommand = sub("latency", {
  name: "graph",
  arity: 3,
  flags: LATENCY_FLAGS,
  tips: LATENCY_TIPS,
  summary: "Return a latency graph for the event.",
  since: "2.8.13",
  complexity: "O(1)",
  run: (ctx, argv) => {
    const series = ctx.server.observability.latencyEvents.series.get(argv[2])
    if (series === undefined) return ctx.out.error(`ERR No samples available for event '${argv[2]}'`)
    ctx.out.verbatim(latencyGraph(argv[2], series, nowSeconds(ctx)))
  }
})

const latencyHistory = sub("latency", {
  name: "history",
  arity: 3,
  flags: LATENCY_FLAGS,
  tips: LATENCY_TIPS,
  summary: "Return timestamp-latency samples for the event.",
  since: "2.8.13",
  complexity: "O(1)",
  run: (ctx, argv) => {
    const samples = ctx.server.observability.latencyEvents.series.get(argv[2])?.samples ?? []
    ctx.out.arrayHeader(samples.length)
    for (const sample of samples) {
      ctx.out.arrayHeader(2)
      ctx.out.integer(sample.time)
      ctx.out.integer(sample.latency)
    }
  }
})

const latencyLatest = sub("latency", {
  name: "latest",
  arity: 2,
  flags: LATENCY_FLAGS,
  tips: LATENCY_TIPS,
  summary: "Return the latest latency samples for all events.",
  since: "2.8.13",
  complexity: "O(1)",
  run: (ctx) => {
    const events = ctx.server.observability.latencyEvents.series
    ctx.out.arrayHeader(events.size)
    for (const [event, series] of events) {
      const last = series.samples[series.samples.length - 1]
      ctx.out.arrayHeader(4)
      ctx.out.bulk(event)
      ctx.out.integer(last.time)
      ctx.out.integer(last.latency)
      ctx.out.integer(series.max)
    }
  }
})

const latencyReset = sub("latency", {
  name: "reset",
  arity: -2,
  flags: LATENCY_FLAGS,
  tips: ["request_policy:all_nodes", "response_policy:all_succeeded"],
  summary: "Reset latency data for one or more events.",
  since: "2.8.13",
  complexity: "O(1)",
  run: (ctx, argv) => ctx.out.integer(ctx.server.observability.latencyEvents.reset(argv.slice(2)))
})

/** LATENCY HISTOGRAM [command ...]: each command's calls and cumulative µs buckets. */
const latencyHistogram = sub("latency", {
  name: "histogram",
  arity: -2,
  flags: LATENCY_FLAGS,
  tips: LATENCY_TIPS,
  summary: "Return the cumulative distribution of latencies of a subset of commands or all.",
  since: "7.0.0",
  complexity: "O(N) where N is the number of commands with latency information being retrieved.",
  run: (ctx, argv) => {
    const observability = ctx.server.observability
    const chosen: Array<CommandSpec> = []
    const add = (spec: CommandSpec) => {
      if (!chosen.includes(spec) && (observability.commandStats.get(spec)?.histogram?.total ?? 0) > 0) chosen.push(spec)
    }
    const addWithSubcommands = (spec: CommandSpec) => {
      add(spec)
      for (const subcommand of spec.subcommands ?? []) add(subcommand)
    }
    if (argv.length === 2) {
      for (const spec of observability.commandStats.keys()) add(spec as CommandSpec)
    } else {
      for (let i = 2; i < argv.length; i++) {
        const [name, subName] = argv[i].toLowerCase().split("|", 2)
        const spec = ctx.server.commands.get(name)
        if (spec === undefined) continue
        if (subName === undefined) addWithSubcommands(spec)
        else {
          const subcommand = spec.subcommands?.find((candidate) => candidate.name === `${name}|${subName}`)
          if (subcommand !== undefined) add(subcommand)
        }
      }
    }
    const out = ctx.out
    out.mapHeader(chosen.length)
    for (const spec of chosen) {
      const histogram = observability.commandStats.get(spec)!.histogram!
      out.bulk(spec.name)
      out.mapHeader(2)
      out.bulk("calls")
      out.integer(histogram.total)
      out.bulk("histogram_usec")
      const buckets = histogram.cumulativeBuckets()
      out.mapHeader(buckets.length)
      for (const [micros, count] of buckets) {
        out.integer(micros)
        out.integer(count)
      }
    }
  }
})

const latencyHelp = sub("latency", {
  name: "help",
  arity: 2,
  flags: ["loading", "stale"],
  aclCategories: ["slow"],
  summary: "Show helpful text about the different subcommands.",
  since: "2.8.13",
  complexity: "O(1)",
  run: (ctx) =>
    writeHelp(ctx.out, "LATENCY", [
      "DOCTOR",
      "    Return a human readable latency analysis report.",
      "GRAPH <event>",
      "    Return an ASCII latency graph for the <event> class.",
      "HISTORY <event>",
      "    Return time-latency samples for the <event> class.",
      "LATEST",
      "    Return the latest latency samples for all events.",
      "RESET [<event> ...]",
      "    Reset latency data of one or more <event> classes.",
      "    (default: reset all data for all event classes)",
      "HISTOGRAM [COMMAND ...]",
      "    Return a cumulative distribution of latencies in the format of a histogram for the specified command names.",
      "    If no commands are specified then all histograms are replied."
    ])
})

const latency = command({
  name: "latency",
  arity: -2,
  flags: [],
  group: "server",
  aclCategories: ["slow"],
  summary: "A container for latency diagnostics commands",
  since: "2.8.13",
  complexity: "Depends on subcommand.",
  subcommands: [
    latencyDoctorCommand,
    latencyGraphCommand,
    latencyHistory,
    latencyLatest,
    latencyReset,
    latencyHistogram,
    latencyHelp
  ]
})

export const observabilityCommands: ReadonlyArray<CommandSpec> = [monitor, slowlog, latency]
