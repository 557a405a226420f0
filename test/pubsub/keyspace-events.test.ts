/**
 * Keyspace notifications as a stream: a listener on `__key*__:*` records every event while
 * another connection runs a sequence of commands, on our server and on a real Redis, and the two
 * streams must be equal, event for event and in order. The sequences include keys that expire
 * while the sequence waits for their `expired` event.
 *
 * The collection families (lists, hashes, sets, sorted sets: keyspace-event-sequences.ts) are
 * compared command by command: after each command the listener is drained, so a difference
 * names the command. Each runs under several settings (everything; the family's class alone;
 * generic events alone; key misses alone), which checks every event's class too. Writes that
 * meet expired keys run with active expiry out of the way: Redis's turned off with DEBUG
 * SET-ACTIVE-EXPIRE 0, ours under TestClock (the sweeper never gets its turn).
 *
 * Then, on our server under TestClock, `expired` from passive expiry (a read finds the key
 * expired before any sweep) and from active expiry (the sweeper, no command at all), each on
 * its own.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as TestClock from "effect/testing/TestClock"
import type { CommandSpec } from "../../src/commands/Command.js"
import { hashCommands } from "../../src/commands/hashes.js"
import { listCommands } from "../../src/commands/lists.js"
import { setCommands } from "../../src/commands/sets.js"
import { zsetCommands } from "../../src/commands/zsets.js"
import { RedisServer } from "../../src/server/RedisServer.js"
import { RawClient } from "../support/RawClient.js"
import type { Reply } from "../support/RespReader.js"
import { callAll, drain, pmessage, Recorder } from "../support/pubsub.js"
import { hasRealRedis, type RunningServer, startRealRedis, startRedfiber } from "../support/servers.js"
import {
  type Command,
  EXPIRED_KEY_STEPS,
  familyFlagSets,
  HASH_STEPS,
  LIST_STEPS,
  SET_STEPS,
  type TimedStep,
  ZSET_STEPS
} from "./keyspace-event-sequences.js"

/** A command, or a wait until an event has been recorded (an expiry nobody triggers). */
type Step = ReadonlyArray<string> | { readonly waitFor: string }

const END = "__keyspace@0__:end-of-sequence"

const eventText = (reply: Reply): string =>
  reply.kind === "array" && reply.value !== null ? reply.value.slice(2).map((part) => part.value).join(" ") : "?"

/** The events `steps` cause under `flags`, as "channel payload" lines. */
const eventStream = async (port: number, flags: string, steps: ReadonlyArray<Step>): Promise<Array<string>> => {
  const commands = await RawClient.connect(port)
  const listener = await Recorder.connect(port)
  try {
    await commands.call("FLUSHALL")
    await commands.call("CONFIG", "SET", "notify-keyspace-events", flags)
    listener.send("PSUBSCRIBE", "__key*__:*")
    await listener.until((received) => received.length === 1, "PSUBSCRIBE's reply")
    for (const step of steps) {
      if ("waitFor" in step) {
        await listener.until((received) => received.some((r) => eventText(r) === step.waitFor), step.waitFor)
      } else {
        await commands.call(...step)
      }
    }
    await commands.call("PUBLISH", END, "end")
    await listener.until((received) => received.some((r) => eventText(r) === `${END} end`), "the end marker")
    return listener.received.slice(1).map(eventText).filter((text) => text !== `${END} end`)
  } finally {
    await commands.call("CONFIG", "SET", "notify-keyspace-events", "")
    commands.close()
    await listener.close()
  }
}

/**
 * Only one key at a time waits to expire: when several expire together, Redis's sampling and our
 * sweep may take them in different orders.
 */
const SEQUENCES: ReadonlyArray<readonly [name: string, flags: string, steps: ReadonlyArray<Step>]> = [
  ["strings and keys, keys expiring in between", "KEA", [
    ["SET", "a", "1", "PX", "30"],
    { waitFor: "__keyevent@0__:expired a" },
    ["SET", "b", "1", "PX", "30"],
    { waitFor: "__keyevent@0__:expired b" },
    ["SET", "c", "1"],
    ["PEXPIRE", "c", "30"],
    { waitFor: "__keyevent@0__:expired c" },
    ["SET", "keep", "1"],
    ["GET", "a"],
    ["SET", "b", "2"],
    ["INCR", "c"],
    ["EXPIRE", "d", "100"],
    ["APPEND", "keep", "x"],
    ["RENAME", "keep", "kept"],
    ["DEL", "kept", "b", "c"]
  ]],
  ["expiries with key misses and new keys", "KEAmn", [
    ["SET", "a", "1", "PX", "20"],
    { waitFor: "__keyevent@0__:expired a" },
    ["SETEX", "b", "100", "v"],
    ["MSET", "x", "1", "y", "2"],
    ["PEXPIRE", "x", "20"],
    { waitFor: "__keyevent@0__:expired x" },
    ["GET", "a"],
    ["EXISTS", "x", "y"],
    ["SET", "a", "again"],
    ["GETEX", "y", "PX", "20"],
    { waitFor: "__keyevent@0__:expired y" },
    ["TTL", "y"],
    ["COPY", "a", "z"],
    ["MOVE", "z", "1"]
  ]]
]

const streams = new Map<string, Map<string, Array<string>>>()

const collectStreams = (label: string, start: () => Promise<RunningServer>) =>
  describe(`keyspace event streams (${label})`, () => {
    let server: RunningServer
    beforeAll(async () => {
      server = await start()
    })
    afterAll(() => server.stop())

    for (const [name, flags, steps] of SEQUENCES) {
      it(name, async () => {
        const stream = await eventStream(server.port, flags, steps)
        expect(stream.length).toBeGreaterThan(10)
        const byServer = streams.get(name) ?? new Map<string, Array<string>>()
        streams.set(name, byServer)
        byServer.set(label, stream)
        // Whichever server ran second compares with the first.
        const [first, second] = [...byServer.values()]
        if (second !== undefined) expect(second).toEqual(first)
      })
    }
  })

collectStreams("redfiber", startRedfiber)
if (hasRealRedis) collectStreams("real Redis 7", () => startRealRedis())

/** Replies shown in a step's line: those that do not depend on hash order or chance. */
const shownReply = (step: Command, reply: Reply): string => {
  const name = step[0].toUpperCase()
  if (name === "DBSIZE") return ` = ${reply.value}`
  if (name === "KEYS" && reply.kind === "array") return ` = [${(reply.value ?? []).map((r) => r.value).sort().join(" ")}]`
  return ""
}

/**
 * Runs `steps` under `flags`, draining the listener after each command: one line per command,
 * "COMMAND args -> channel payload, ...". `advance` lets time pass for `{ advanceMs }` steps.
 */
const eventsByCommand = async (
  port: number,
  flags: string,
  steps: ReadonlyArray<TimedStep>,
  advance: (ms: number) => Promise<void> = () => Promise.reject(new Error("no clock to advance"))
): Promise<Array<string>> => {
  const commands = await RawClient.connect(port)
  const listener = await RawClient.connect(port)
  try {
    await commands.call("FLUSHALL")
    await commands.call("CONFIG", "SET", "notify-keyspace-events", flags)
    await callAll(listener, "PSUBSCRIBE", "__key*__:*")
    const lines: Array<string> = []
    for (const step of steps) {
      if ("advanceMs" in step) {
        await advance(step.advanceMs)
        continue
      }
      const reply = await commands.call(...step)
      const events = (await drain(listener)).map(eventText)
      lines.push(`${step.join(" ")}${shownReply(step, reply)} -> ${events.join(", ")}`)
    }
    return lines
  } finally {
    await commands.call("CONFIG", "SET", "notify-keyspace-events", "")
    commands.close()
    listener.close()
  }
}

const FAMILIES: ReadonlyArray<
  readonly [family: string, eventClass: string, steps: ReadonlyArray<Command>, specs: ReadonlyArray<CommandSpec>]
> = [
  ["lists", "l", LIST_STEPS, listCommands],
  ["hashes", "h", HASH_STEPS, hashCommands],
  ["sets", "s", SET_STEPS, setCommands],
  ["sorted sets", "z", ZSET_STEPS, zsetCommands]
]

describe("collection families: the event sequences", () => {
  for (const [family, , steps, specs] of FAMILIES) {
    it(`run every ${family} command of the table`, () => {
      const run = new Set(steps.map((step) => step[0].toLowerCase()))
      expect(specs.map((spec) => spec.name).filter((name) => !run.has(name))).toEqual([])
    })
  }
})

describe.skipIf(!hasRealRedis)("collection families: every command's events, command by command", () => {
  let ours: RunningServer
  let real: RunningServer
  beforeAll(async () => {
    ;[ours, real] = await Promise.all([startRedfiber(), startRealRedis()])
  })
  afterAll(() => Promise.all([ours.stop(), real.stop()]))

  for (const [family, eventClass, steps] of FAMILIES) {
    for (const flags of familyFlagSets(eventClass)) {
      it(`${family} with notify-keyspace-events ${flags}`, async () => {
        const expected = await eventsByCommand(real.port, flags, steps)
        // The sequence must show events at all (a run that saw none would compare nothing).
        expect(expected.filter((line) => !line.endsWith("-> ")).length).toBeGreaterThan(flags === "KEAmn" ? 20 : 1)
        expect(await eventsByCommand(ours.port, flags, steps)).toEqual(expected)
      })
    }
  }
})

describe.skipIf(!hasRealRedis)("writes meeting expired keys, active expiry out of the way", () => {
  let expected: Array<string> = []
  beforeAll(async () => {
    const real = await startRealRedis(["--enable-debug-command", "yes"])
    const client = await RawClient.connect(real.port)
    try {
      await client.call("DEBUG", "SET-ACTIVE-EXPIRE", "0")
      expected = await eventsByCommand(real.port, "KEAmn", EXPIRED_KEY_STEPS, (ms) =>
        new Promise((resolve) => setTimeout(resolve, ms)))
    } finally {
      client.close()
      await real.stop()
    }
  })

  it.effect("our server under TestClock publishes what Redis does", () =>
    Effect.gen(function*() {
      // hz 1: the first sweep would come one virtual second after the start; the steps take 60 ms.
      const context = yield* Layer.build(RedisServer.layerWithDb({ port: 0, hz: 1 }))
      const server = Context.get(context, RedisServer)
      const clock = yield* TestClock.testClockWith(Effect.succeed)
      const lines = yield* Effect.promise(() =>
        eventsByCommand(server.address.port, "KEAmn", EXPIRED_KEY_STEPS, (ms) =>
          Effect.runPromise(clock.adjust(`${ms} millis`)))
      )
      expect(expected.some((line) => line.includes("expired"))).toBe(true)
      expect(lines).toEqual(expected)
    }))
})

describe("expired events on Effect's Clock (redfiber)", () => {
  it.effect("passive expiry: a read after the TTL, before any sweep, publishes expired then keymiss", () =>
    Effect.gen(function*() {
      // hz 1: the sweeper first runs one virtual second after the start.
      const context = yield* Layer.build(RedisServer.layerWithDb({ port: 0, hz: 1 }))
      const server = Context.get(context, RedisServer)
      const connect = Effect.acquireRelease(
        Effect.promise(() => RawClient.connect(server.address.port)),
        (client) => Effect.sync(() => client.close())
      )
      const [commands, listener] = [yield* connect, yield* connect]
      yield* Effect.promise(() => commands.call("CONFIG", "SET", "notify-keyspace-events", "Exm"))
      yield* Effect.promise(() => callAll(listener, "PSUBSCRIBE", "__keyevent@0__:*"))
      yield* Effect.promise(() => commands.call("SET", "session", "v", "PX", "100"))
      yield* TestClock.adjust("150 millis")
      expect(yield* Effect.promise(() => callAll(listener))).toEqual([])
      expect(yield* Effect.promise(() => commands.call("GET", "session"))).toEqual({ kind: "bulk", value: null })
      expect(yield* Effect.promise(() => callAll(listener))).toEqual([
        pmessage("__keyevent@0__:*", "__keyevent@0__:expired", "session"),
        pmessage("__keyevent@0__:*", "__keyevent@0__:keymiss", "session")
      ])
    }))

  it.effect("active expiry: the sweeper publishes expired with no command at all", () =>
    Effect.gen(function*() {
      const context = yield* Layer.build(RedisServer.layerWithDb({ port: 0, hz: 10 }))
      const server = Context.get(context, RedisServer)
      const connect = Effect.acquireRelease(
        Effect.promise(() => RawClient.connect(server.address.port)),
        (client) => Effect.sync(() => client.close())
      )
      const [commands, listener] = [yield* connect, yield* connect]
      yield* Effect.promise(() => commands.call("CONFIG", "SET", "notify-keyspace-events", "Kx"))
      yield* Effect.promise(() => callAll(listener, "PSUBSCRIBE", "__keyspace@*__:*"))
      yield* Effect.promise(() => commands.call("SELECT", "5"))
      yield* Effect.promise(() => commands.call("SET", "token", "v", "PX", "100"))
      yield* TestClock.adjust("250 millis")
      expect(yield* Effect.promise(() => callAll(listener))).toEqual([
        pmessage("__keyspace@*__:*", "__keyspace@5__:token", "expired")
      ])
      expect(yield* Effect.promise(() => commands.call("DBSIZE"))).toEqual({ kind: "integer", value: "0" })
    }))
})
