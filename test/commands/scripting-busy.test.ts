/**
 * Busy scripts on our server and on redis-server (when installed), with the same steps on both:
 * the replies must be the same. Inside MULTI/EXEC Redis runs the script to its end (or its SCRIPT
 * KILL) while answering everyone else -BUSY, then runs the rest of the transaction; a script that
 * wrote is UNKILLABLE. SHUTDOWN is refused with -BUSY unless NOSAVE.
 */
import { describe, expect, it } from "vitest"
import { RawClient } from "../support/RawClient.js"
import type { Reply } from "../support/RespReader.js"
import { hasRealRedis, type RunningServer, startRealRedis, startRedfiber } from "../support/servers.js"

const ENDLESS = "local i = 0 while true do i = i + 1 end"
/** One write, then ARGV[1] turns of a loop (past the threshold on either server), then an answer. */
const WRITES_THEN_SPINS =
  "redis.call('INCR', KEYS[1]) local i, n = 0, tonumber(ARGV[1]) while i < n do i = i + 1 end return 'spun'"
/** Turns of that loop that keep either server busy for a few hundred ms or more, past the other clients' commands. */
const SPINS = { ours: "10000000", redis: "10000000" }

/** A reply as plain values: texts (errors marked), integers as text, arrays as arrays. */
const plain = (reply: Reply): unknown =>
  Array.isArray(reply.value) ? reply.value.map(plain) : reply.kind === "error" ? `-${String(reply.value)}` : reply.value

const call = async (port: number, ...argv: Array<string>): Promise<unknown> => {
  const client = await RawClient.connect(port)
  try {
    return plain(await client.call(...argv))
  } finally {
    client.close()
  }
}

/** PINGs until the server answers -BUSY (the script passed the threshold). */
const untilBusy = async (port: number): Promise<unknown> => {
  for (;;) {
    const reply = await call(port, "PING")
    if (reply !== "PONG") return reply
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

/**
 * Sends `pipeline` on one connection; once a script is busy, runs `others` one by one on fresh
 * connections; then reads the pipeline's replies. Returns what everyone got.
 */
const scenario = async (
  server: RunningServer,
  pipeline: ReadonlyArray<ReadonlyArray<string>>,
  others: ReadonlyArray<ReadonlyArray<string>>
) => {
  await call(server.port, "CONFIG", "SET", "busy-reply-threshold", "50")
  await call(server.port, "FLUSHALL")
  const client = await RawClient.connect(server.port)
  try {
    for (const argv of pipeline) client.send(...argv)
    const busy = await untilBusy(server.port)
    const answers: Array<unknown> = []
    for (const argv of others) answers.push(await call(server.port, ...argv))
    const replies: Array<unknown> = []
    for (let i = 0; i < pipeline.length; i++) replies.push(plain(await client.read(10000)))
    return { busy, answers, replies, after: await call(server.port, "PING") }
  } finally {
    client.close()
  }
}

type Scenario = (spins: string) => [ReadonlyArray<ReadonlyArray<string>>, ReadonlyArray<ReadonlyArray<string>>]

const SCENARIOS: Record<string, Scenario> = {
  "SCRIPT KILL ends the script; the rest of the EXEC runs": () => [
    [["MULTI"], ["SET", "k", "1"], ["EVAL", ENDLESS, "0"], ["INCR", "k"], ["EXEC"], ["GET", "k"]],
    [["GET", "k"], ["MULTI"], ["FUNCTION", "KILL"], ["SCRIPT", "KILL"]]
  ],
  "a script that wrote is UNKILLABLE and answers when done": (spins) => [
    [["MULTI"], ["EVAL", WRITES_THEN_SPINS, "1", "k", spins], ["INCR", "k"], ["EXEC"]],
    [["SCRIPT", "KILL"], ["SET", "k", "9"]]
  ],
  "two busy scripts in one EXEC: the first killed, the second ends by itself": (spins) => [
    [["MULTI"], ["EVAL", ENDLESS, "0"], ["SET", "k", "5"], ["EVAL", WRITES_THEN_SPINS, "1", "k", spins], ["GET", "k"], ["EXEC"]],
    [["SCRIPT", "KILL"]]
  ],
  "SELECT after the busy script in EXEC holds for the rest of the pipeline": () => [
    [["MULTI"], ["EVAL", ENDLESS, "0"], ["SELECT", "2"], ["SET", "k", "in2"], ["EXEC"], ["GET", "k"], ["SELECT", "0"], ["GET", "k"]],
    [["SCRIPT", "KILL"]]
  ],
  "SHUTDOWN without NOSAVE is refused while a script is busy": () => [
    [["EVAL", ENDLESS, "0"], ["PING"]],
    [
      ["SHUTDOWN"], ["SHUTDOWN", "SAVE"], ["SHUTDOWN", "NOW"], ["SHUTDOWN", "FORCE"], ["SHUTDOWN", "ABORT"],
      ["SHUTDOWN", "NOSAVE", "ABORT"], ["SHUTDOWN", "SAVE", "NOSAVE"], ["SHUTDOWN", "BOGUS"], ["SCRIPT", "KILL"]
    ]
  ],
  "SHUTDOWN during a busy function says FUNCTION KILL": () => [
    [
      ["FUNCTION", "LOAD", "REPLACE", "#!lua name=spin\nredis.register_function('spin', function() while true do end end)"],
      ["FCALL", "spin", "0"]
    ],
    [["SHUTDOWN"], ["SHUTDOWN", "SAVE", "FORCE"], ["FUNCTION", "KILL"]]
  ],
  "a busy function in EXEC and FUNCTION KILL": () => [
    [
      ["FUNCTION", "LOAD", "REPLACE", "#!lua name=spin\nredis.register_function('spin', function() while true do end end)"],
      ["MULTI"], ["FCALL", "spin", "0"], ["PING"], ["EXEC"]
    ],
    [["SCRIPT", "KILL"], ["FUNCTION", "KILL"]]
  ]
}

describe("busy scripts, inside MULTI/EXEC and with SHUTDOWN", () => {
  for (const [name, steps] of Object.entries(SCENARIOS)) {
    it(name, { timeout: 30000 }, async () => {
      const ours = await startRedfiber()
      let got: unknown
      try {
        got = await scenario(ours, ...steps(SPINS.ours))
      } finally {
        await ours.stop()
      }
      // The server answered and went on, whatever the oracle says.
      expect((got as { after: unknown }).after).toBe("PONG")
      if (!hasRealRedis) return
      const redis = await startRealRedis()
      try {
        expect(got).toEqual(await scenario(redis, ...steps(SPINS.redis)))
      } finally {
        await redis.stop()
      }
    })
  }
})

describe("SHUTDOWN NOSAVE during a busy script", () => {
  /** Both connections end: the script's caller without a reply, SHUTDOWN's without one either. */
  const shutDown = async (server: RunningServer) => {
    await call(server.port, "CONFIG", "SET", "busy-reply-threshold", "50")
    const looping = await RawClient.connect(server.port)
    looping.send("EVAL", ENDLESS, "0")
    const busy = await untilBusy(server.port)
    const killer = await RawClient.connect(server.port)
    killer.send("SHUTDOWN", "NOSAVE")
    await killer.waitClosed(10000)
    await looping.waitClosed(10000)
    return { busy, killerGot: killer.pending.length, loopingGot: looping.pending.length }
  }

  it("ends the server and the script", { timeout: 30000 }, async () => {
    const ours = await startRedfiber()
    let got: unknown
    try {
      got = await shutDown(ours)
    } finally {
      await ours.stop()
    }
    if (!hasRealRedis) return
    const redis = await startRealRedis()
    try {
      expect(got).toEqual(await shutDown(redis))
    } finally {
      await redis.stop()
    }
  })
})
