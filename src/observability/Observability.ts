/**
 * What the operator sees of the commands that run: per-command counters (INFO commandstats),
 * error counts by prefix (INFO errorstats), per-command latency histograms (INFO latencystats,
 * LATENCY HISTOGRAM), the slow log (SLOWLOG), latency events (LATENCY), and the clients in
 * MONITOR mode. One per server; dispatch calls `commandRan` after every command with how long it
 * took, and everything here is plain synchronous code on plain fields.
 *
 * Durations come from `micros`, Effect's Clock read in microseconds (so a TestClock drives them
 * too). Settings are typed copies of the parameters in src/config/observabilityParameters.ts,
 * kept current by the config's watchers.
 */
import * as Clock from "effect/Clock"
import { randomBytes } from "node:crypto"
import type { RuntimeConfig } from "../config/RuntimeConfig.js"
import type { LatencyProbe } from "../keyspace/LatencyProbe.js"
import type { ReplyWriter } from "../protocol/ReplyWriter.js"
import { parsePercentiles } from "../config/observabilityParameters.js"
import { type ClientState, Subscriber } from "../session/ClientState.js"
import { quoteRepr, redactedArgv, slowlogArgv } from "./argvText.js"
import { ClientPause } from "./ClientPause.js"
import { LatencyEvents } from "./LatencyEvents.js"
import { LatencyHistogram } from "./LatencyHistogram.js"
import { sendsLines } from "./ReplyMode.js"

/**
 * Wall-clock microseconds from Effect's `clock`. The live clock is read through
 * `performance.now()` (the same monotonic source, its offset taken from the clock once): its own
 * nanosecond reading allocates BigInts, which made the two reads per command a quarter of a GET's
 * in-process cost (measured). Any other clock (TestClock) is read as it is.
 */
export const clockMicros = (clock: Clock.Clock): (() => number) => {
  if (clock.constructor !== Clock.Clock.defaultValue().constructor) return () => Number(clock.currentTimeNanosUnsafe() / 1000n)
  const offset = Number(clock.currentTimeNanosUnsafe() / 1000n) - performance.now() * 1000
  return () => Math.floor(offset + performance.now() * 1000)
}

/** What Observability needs to know of a command: its name, flags and complexity (a CommandSpec). */
export interface ObservedCommand {
  readonly name: string
  readonly flags: ReadonlyArray<string>
  readonly complexity?: string
}

/**
 * A keyspace command that takes well under a microsecond when its arguments are small (flagged
 * fast, or O(1)): in a run of such commands, one clock read times them all (see `commandStarts`).
 * Commands that read the observability data (INFO, SLOWLOG, ...) are not keyspace commands.
 */
const isCheap = (command: ObservedCommand): boolean =>
  (command.flags.includes("write") || command.flags.includes("readonly")) && !command.flags.includes("blocking") &&
  (command.flags.includes("fast") || command.complexity === "O(1)")

export class CommandStats {
  calls = 0
  micros = 0
  rejected = 0
  failed = 0
  histogram: LatencyHistogram | undefined = undefined
  readonly cheap: boolean
  constructor(readonly name: string, command: ObservedCommand) {
    this.cheap = isCheap(command)
  }
}

/** `commandStarts`' answer for a command timed with the run it joins. */
const IN_RUN = -1
/** Most commands one clock read times together. */
const RUN_LIMIT = 16
/** Argument bytes past which a command is timed on its own (copying them is not negligible). */
const RUN_ARGUMENT_BYTES = 1024
/** Slowlog thresholds (µs) below this time every command on its own, as does any MONITOR client. */
const RUN_THRESHOLD_FLOOR = 1000
/**
 * After a run took longer than a threshold, this many commands are each timed on their own: a
 * cheap command that is slow again gets its own time; a pause of the process (GC, the scheduler)
 * costs little.
 */
const PRECISE_AFTER_SLOW_RUN = 1024

export interface SlowlogEntry {
  readonly id: number
  /** Unix seconds. */
  readonly time: number
  readonly micros: number
  readonly argv: ReadonlyArray<string>
  readonly address: string
  readonly clientName: string
}

/** A monitor's backlog past which it is disconnected (Redis's replica output class, 256mb). */
const MONITOR_BACKLOG_LIMIT = 256 * 1024 * 1024

export class Observability implements LatencyProbe {
  readonly commandStats = new Map<ObservedCommand, CommandStats>()
  readonly errorStats = new Map<string, number>()
  readonly monitors = new Set<ClientState>()
  /** Newest first. */
  slowlog: Array<SlowlogEntry> = []
  nextSlowlogId = 0
  readonly latencyEvents = new LatencyEvents()
  readonly pause = new ClientPause()
  /** Settings (see the module comment). */
  slowlogThreshold = 10000
  slowlogMaxLen = 128
  latencyThreshold = 0
  latencyTracking = true
  percentiles: ReadonlyArray<number> = [50, 99, 99.9]
  /** The configuration file the server started with ("" for none): INFO's config_file, CONFIG REWRITE. */
  configFile = ""
  /** INFO replication's master_replid (new at start and on DEBUG CHANGE-REPL-ID). */
  replicationId = randomBytes(20).toString("hex")
  /**
   * While a connection runs a batch, when its last command ended (µs): the next command's start,
   * so a command costs one clock read, not two (the time to parse it counts in its duration).
   */
  private batchContext: object | undefined = undefined
  private lastEnd = 0
  /**
   * The run: cheap commands of the batch that ran since the clock was last read (started at
   * `lastEnd`), timed when it ends — by the next command that is not cheap, the batch's end, or
   * RUN_LIMIT. Its time is shared evenly between them, so every counter, histogram and sum gets
   * one value per command and the sums are exact; no command of a run can be slower than the
   * whole run, which is below every threshold (past one, the next PRECISE_AFTER_SLOW_RUN commands are
   * each timed).
   */
  private runLength = 0
  private readonly runStats: Array<CommandStats | undefined> = new Array(RUN_LIMIT).fill(undefined)
  private readonly runCommands: Array<ObservedCommand | undefined> = new Array(RUN_LIMIT).fill(undefined)
  private readonly runArgvs: Array<ReadonlyArray<string> | undefined> = new Array(RUN_LIMIT).fill(undefined)
  private runClient: ClientState | undefined = undefined
  /** Commands still to be timed on their own since a run was slower than a threshold. */
  private preciseLeft = 0
  /** The command `statsOf` last found, and its stats (cleared with them). */
  private lastCommand: ObservedCommand | undefined = undefined
  private lastStats: CommandStats | undefined = undefined
  /** Errors already counted by commands nested in the one running (EXEC's), see `commandRan`. */
  nestedErrors = 0

  constructor(
    /** Wall-clock microseconds from Effect's Clock. */
    readonly micros: () => number,
    config: RuntimeConfig
  ) {
    const watch = (name: string, fallback: string, set: (value: string) => void) => {
      set(config.extra.get(name) ?? fallback)
      config.watch(name, set)
    }
    watch("slowlog-log-slower-than", "10000", (value) => (this.slowlogThreshold = Number(value)))
    watch("slowlog-max-len", "128", (value) => {
      this.slowlogMaxLen = Number(value)
      if (this.slowlog.length > this.slowlogMaxLen) this.slowlog.length = this.slowlogMaxLen
    })
    watch("latency-monitor-threshold", "0", (value) => (this.latencyThreshold = Number(value)))
    watch("latency-tracking", "yes", (value) => (this.latencyTracking = value === "yes"))
    watch("latency-tracking-info-percentiles", "50 99 99.9", (value) => {
      const parsed = parsePercentiles(value)
      if (typeof parsed !== "string") this.percentiles = parsed
    })
  }

  /**
   * A batch begins on `context` (one connection's command context): the clock is read once, and
   * the time (Unix ms) returned for the batch's commands to use as their `now`.
   */
  beginBatch(context: object): number {
    this.batchContext = context
    this.lastEnd = this.micros()
    return Math.floor(this.lastEnd / 1000)
  }

  endBatch(): void {
    if (this.runLength !== 0) this.endRun(this.micros())
    this.batchContext = undefined
  }

  /**
   * When a command run with `context` starts (µs), or IN_RUN when it joins the run of cheap
   * commands (in the batch, with small arguments, while no MONITOR client or low threshold needs
   * each command's own times).
   */
  commandStarts(context: object, command?: ObservedCommand, argv?: ReadonlyArray<string>): number {
    if (context !== this.batchContext) {
      if (this.runLength !== 0) this.endRun(this.micros())
      return this.micros()
    }
    if (command !== undefined && argv !== undefined && this.statsOf(command).cheap && this.runsAllowed()) {
      let bytes = 0
      for (let i = 1; i < argv.length && bytes <= RUN_ARGUMENT_BYTES; i++) bytes += argv[i].length
      if (bytes <= RUN_ARGUMENT_BYTES) return IN_RUN
    }
    if (this.runLength !== 0) this.endRun(this.micros())
    return this.lastEnd
  }

  private runsAllowed(): boolean {
    if (this.monitors.size !== 0 || (this.slowlogThreshold >= 0 && this.slowlogThreshold < RUN_THRESHOLD_FLOOR)) return false
    if (this.preciseLeft === 0) return true
    this.preciseLeft--
    return false
  }

  /** The run ends at `now` (µs): its commands' times, in the order they ran. */
  private endRun(now: number): void {
    const length = this.runLength
    this.runLength = 0
    const total = Math.max(0, now - this.lastEnd)
    const share = Math.floor(total / length)
    const rest = total - share * length
    const client = this.runClient!
    this.runClient = undefined
    for (let i = 0; i < length; i++) {
      const stats = this.runStats[i]!
      const command = this.runCommands[i]!
      const argv = this.runArgvs[i]!
      this.runStats[i] = undefined
      this.runCommands[i] = undefined
      this.runArgvs[i] = undefined
      this.timed(command, stats, argv, client, now, share + (i < rest ? 1 : 0))
    }
    // A run over a threshold: which command was slow is not known, so the next ones are each timed.
    if ((this.slowlogThreshold >= 0 && total >= this.slowlogThreshold) || (this.latencyThreshold > 0 && total / 1000 >= this.latencyThreshold)) {
      this.preciseLeft = PRECISE_AFTER_SLOW_RUN
    }
    this.lastEnd = now
  }

  statsOf(command: ObservedCommand): CommandStats {
    // A pipeline repeats one command: its stats are found without a Map lookup.
    if (command === this.lastCommand) return this.lastStats!
    let stats = this.commandStats.get(command)
    if (stats === undefined) {
      stats = new CommandStats(command.name, command)
      this.commandStats.set(command, stats)
    }
    this.lastCommand = command
    this.lastStats = stats
    return stats
  }

  /** An error reply, counted under its prefix (INFO errorstats' `errorstat_ERR`). */
  countError(text: string): void {
    const space = text.indexOf(" ")
    const prefix = space < 0 ? text : text.slice(0, space)
    this.errorStats.set(prefix, (this.errorStats.get(prefix) ?? 0) + 1)
  }

  /** A command refused before it ran (its rejected_calls, when the command is known). */
  rejected(command: ObservedCommand | undefined, error: string): void {
    if (command !== undefined) this.statsOf(command).rejected++
    this.countError(error)
  }

  /**
   * After a command ran: its counters, histogram, slow log entry, latency event and the line
   * monitors see. `errors` is how many error replies it wrote (nested commands' included),
   * `lastError` the last one's text.
   */
  commandRan(
    command: ObservedCommand,
    argv: ReadonlyArray<string>,
    client: ClientState,
    out: ReplyWriter,
    db: number,
    started: number,
    errors: number,
    lastError: string
  ): void {
    const stats = this.statsOf(command)
    stats.calls++
    const own = errors - this.nestedErrors
    if (own > 0) {
      stats.failed++
      for (let i = 0; i < own; i++) this.countError(lastError)
    }
    if (started === IN_RUN) {
      const at = this.runLength++
      this.runStats[at] = stats
      this.runCommands[at] = command
      this.runArgvs[at] = argv
      this.runClient = client
      if (this.runLength === RUN_LIMIT) this.endRun(this.micros())
      return
    }
    const ended = this.micros()
    // Commands of a run inside this one (EXEC's) ended by now.
    if (this.runLength !== 0) this.endRun(ended)
    this.lastEnd = ended
    this.timed(command, stats, argv, client, ended, ended - started)
    if (this.monitors.size !== 0 && !command.flags.includes("skip_monitor") && !command.flags.includes("admin")) {
      this.feedMonitors(command, argv, `${db} ${client.address}`, ended, client, out)
    }
  }

  /** A command's time (`duration` µs, ended at `ended`): its sum, histogram, slow log entry, latency event. */
  private timed(
    command: ObservedCommand,
    stats: CommandStats,
    argv: ReadonlyArray<string>,
    client: ClientState,
    ended: number,
    duration: number
  ): void {
    stats.micros += duration
    if (this.latencyTracking) (stats.histogram ??= new LatencyHistogram()).recordMicros(duration)
    if (this.slowlogThreshold >= 0 && duration >= this.slowlogThreshold && !command.flags.includes("skip_slowlog")) {
      this.logSlow(command, argv, client, ended, duration)
    }
    if (this.latencyThreshold > 0 && duration / 1000 >= this.latencyThreshold) {
      const event = command.flags.includes("fast") ? "fast-command" : "command"
      this.latencyEvents.add(event, Math.floor(ended / 1e6), Math.floor(duration / 1000))
    }
  }

  /**
   * The line of a script command (EVAL*, FCALL*), flagged skip_monitor: Redis 7.0 shows it before
   * the commands its script runs, and even when it fails.
   */
  feedScriptCommand(argv: ReadonlyArray<string>, client: ClientState, out: ReplyWriter, db: number): void {
    if (this.monitors.size === 0) return
    this.feedMonitors({ name: argv[0].toLowerCase(), flags: [] }, argv, `${db} ${client.address}`, this.micros(), client, out)
  }

  private logSlow(command: ObservedCommand, argv: ReadonlyArray<string>, client: ClientState, now: number, micros: number) {
    if (this.slowlogMaxLen === 0) return
    this.slowlog.unshift({
      id: this.nextSlowlogId++,
      time: Math.floor(now / 1e6),
      micros,
      argv: slowlogArgv(redactedArgv(command.name, argv)),
      address: client.address,
      clientName: client.name
    })
    if (this.slowlog.length > this.slowlogMaxLen) this.slowlog.length = this.slowlogMaxLen
  }

  /**
   * `+1339518083.107412 [0 127.0.0.1:60866] "keys" "*"` to every monitor. A monitor's own
   * command (PING) gets its line right after its reply, in the same output.
   */
  private feedMonitors(
    command: ObservedCommand,
    argv: ReadonlyArray<string>,
    source: string,
    now: number,
    sender: ClientState,
    out: ReplyWriter
  ) {
    const seconds = Math.floor(now / 1e6)
    const fraction = String(now - seconds * 1e6).padStart(6, "0")
    let line = `+${seconds}.${fraction} [${source}]`
    for (const arg of redactedArgv(command.name, argv)) line += ` ${quoteRepr(arg)}`
    line += "\r\n"
    const encoded = Buffer.from(line, "latin1")
    for (const monitor of this.monitors) {
      if (monitor === sender) out.raw(line)
      else this.deliver(monitor, encoded)
    }
  }

  private deliver(monitor: ClientState, encoded: Buffer): void {
    if (!sendsLines(monitor)) return
    const outbox = (monitor.pubsub ??= new Subscriber(monitor))
    if (outbox.closed) return
    if (outbox.outboxBytes + monitor.unsentBytes() + encoded.length > MONITOR_BACKLOG_LIMIT) {
      this.monitors.delete(monitor)
      monitor.kill()
      return
    }
    outbox.outbox.push(encoded)
    outbox.outboxBytes += encoded.length
    if (outbox.outbox.length === 1) monitor.wakeWriter()
  }

  /** LatencyProbe (src/keyspace/LatencyProbe.ts): whether phases are timed. */
  get monitoring(): boolean {
    return this.latencyThreshold > 0
  }

  /** LatencyProbe: a phase (expire-cycle, eviction-del, aof-write, ...) ended; a sample if over the threshold. */
  phaseEnded(event: string, startedMicros: number): void {
    if (this.latencyThreshold <= 0) return
    const now = this.micros()
    const millis = Math.floor((now - startedMicros) / 1000)
    if (millis >= this.latencyThreshold) this.latencyEvents.add(event, Math.floor(now / 1e6), millis)
  }

  /** CONFIG RESETSTAT: command and error counters, histograms. */
  resetStats(): void {
    this.commandStats.clear()
    this.lastCommand = undefined
    this.lastStats = undefined
    this.errorStats.clear()
  }
}
