/**
 * How Observability times commands with few clock reads: a run of cheap keyspace commands in one
 * batch is timed by one read, shared out so sums stay exact; other commands, MONITOR clients,
 * low slowlog thresholds and a run slower than a threshold get each command its own reads.
 */
import { describe, expect, it } from "vitest"
import { RuntimeConfig } from "../../src/config/RuntimeConfig.js"
import { makeServerConfig } from "../../src/config/ServerConfig.js"
import { Observability, type ObservedCommand } from "../../src/observability/Observability.js"
import { ReplyWriter } from "../../src/protocol/ReplyWriter.js"
import { ClientState } from "../../src/session/ClientState.js"

const GET: ObservedCommand = { name: "get", flags: ["readonly", "fast"], complexity: "O(1)" }
const SET: ObservedCommand = { name: "set", flags: ["write", "denyoom"], complexity: "O(1)" }
const KEYS: ObservedCommand = { name: "keys", flags: ["readonly"], complexity: "O(N)" }
const INFO: ObservedCommand = { name: "info", flags: ["loading", "stale"], complexity: "O(1)" }

/** An Observability on a clock that advances by `step` µs at each read, counting the reads. */
const setUp = (step: number) => {
  const clock = { now: 1_000_000_000, reads: 0 }
  const config = new RuntimeConfig(makeServerConfig())
  const observability = new Observability(() => {
    clock.reads++
    return (clock.now += step)
  }, config)
  const client = new ClientState(1, "127.0.0.1:1", "127.0.0.1:2", 0, () => {})
  const out = new ReplyWriter()
  const context = {}
  const run = (command: ObservedCommand, argv: ReadonlyArray<string>) => {
    const started = observability.commandStarts(context, command, argv)
    observability.commandRan(command, argv, client, out, 0, started, 0, "")
  }
  return { clock, config, observability, client, context, run }
}

describe("command timing", () => {
  it("times a pipeline of cheap commands with one read per run, sums exact, one histogram value each", () => {
    const { clock, observability, context, run } = setUp(5)
    observability.beginBatch(context)
    for (let i = 0; i < 16; i++) run(i % 2 === 0 ? SET : GET, i % 2 === 0 ? ["SET", "k", "v"] : ["GET", "k"])
    observability.endBatch()
    // The batch's start, then the run of 16 (RUN_LIMIT) ended by one read; the batch's end reads nothing more.
    expect(clock.reads).toBe(2)
    const set = observability.statsOf(SET)
    const get = observability.statsOf(GET)
    expect([set.calls, get.calls]).toEqual([8, 8])
    expect(set.micros + get.micros).toBe(5)
    expect(set.histogram!.total + get.histogram!.total).toBe(16)
  })

  it("times other commands, large arguments and script contexts on their own", () => {
    const { clock, observability, context, run } = setUp(10)
    observability.beginBatch(context)
    run(GET, ["GET", "k"])
    run(KEYS, ["KEYS", "*"])
    run(INFO, ["INFO"])
    run(SET, ["SET", "k", "x".repeat(2000)])
    observability.endBatch()
    // Start; GET's run ends where KEYS starts; KEYS ends; INFO ends; the large SET ends.
    expect(clock.reads).toBe(5)
    expect(observability.statsOf(KEYS).micros).toBe(10)
    expect(observability.statsOf(SET).micros).toBe(10)
    expect(observability.statsOf(GET).micros).toBe(10)
  })

  it("gives each command its own time with slowlog-log-slower-than under 1 ms or a MONITOR client", () => {
    const { clock, config, observability, client, context, run } = setUp(3)
    config.setExtra("slowlog-log-slower-than", "0")
    observability.beginBatch(context)
    for (let i = 0; i < 4; i++) run(GET, ["GET", "k"])
    observability.endBatch()
    expect(clock.reads).toBe(5)
    expect(observability.slowlog.map((entry) => entry.micros)).toEqual([3, 3, 3, 3])
    config.setExtra("slowlog-log-slower-than", "10000")
    observability.monitors.add(new ClientState(2, "127.0.0.1:3", "127.0.0.1:2", 0, () => {}))
    clock.reads = 0
    observability.beginBatch(context)
    for (let i = 0; i < 4; i++) run(GET, ["GET", "k"])
    observability.endBatch()
    expect(clock.reads).toBe(5)
    observability.monitors.clear()
    expect(client.id).toBe(1)
  })

  it("after a run slower than a threshold, times the next commands on their own", () => {
    const { clock, config, observability, context, run } = setUp(1)
    config.setExtra("slowlog-log-slower-than", "1000")
    observability.beginBatch(context)
    run(GET, ["GET", "k"])
    clock.now += 5000
    observability.endBatch()
    // The run's 5001 µs went to its one command.
    expect(observability.slowlog.map((entry) => entry.micros)).toEqual([5001])
    clock.reads = 0
    observability.beginBatch(context)
    run(GET, ["GET", "k"])
    run(GET, ["GET", "k"])
    observability.endBatch()
    expect(clock.reads).toBe(3)
  })
})
