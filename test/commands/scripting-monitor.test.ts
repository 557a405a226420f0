/**
 * MONITOR and scripts, against real Redis 7.0: a script command's line comes first (even when it
 * fails), then each command its script ran, shown as `[<db> lua]`.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { RawClient } from "../support/RawClient.js"
import type { Reply } from "../support/RespReader.js"
import { hasRealRedis, type RunningServer, startRealRedis, startRedfiber } from "../support/servers.js"

const text = (reply: Reply): string => (reply.kind === "bulk" || reply.kind === "simple" ? reply.value ?? "" : "")

const SCRIPTED: ReadonlyArray<ReadonlyArray<string>> = [
  ["EVAL", "redis.call('SET', KEYS[1], 'v') return redis.call('GET', KEYS[1])", "1", "mk"],
  ["EVALSHA", "0000000000000000000000000000000000000000", "0"],
  ["EVAL", "syntax error here", "0"],
  ["EVAL", "return 1", "x"],
  ["EVAL_RO", "return redis.call('SET', 'a', 'b')", "0"],
  ["SELECT", "2"],
  ["EVAL", "return redis.pcall('INCR', 'mk')", "0"],
  ["FUNCTION", "LOAD", "REPLACE", "#!lua name=monlib\nredis.register_function('monf', function(k) return redis.call('GET', k[1]) end)"],
  ["FCALL", "monf", "1", "kk"],
  ["FCALL", "nosuchfunction", "0"],
  ["FUNCTION", "DELETE", "monlib"]
]

/** What a monitor saw while a client ran SCRIPTED: timestamps and client ports masked, `lua` kept. */
const monitorLines = async (port: number): Promise<Array<string>> => {
  const monitor = await RawClient.connect(port)
  const client = await RawClient.connect(port)
  try {
    await monitor.call("MONITOR")
    for (const argv of SCRIPTED) await client.call(...argv)
    await client.call("ECHO", "end-of-test")
    const lines: Array<string> = []
    for (;;) {
      const line = text(await monitor.read())
      lines.push(line.replace(/^\d+\.\d{6} \[(\d+) (lua|[^\]]+)\]/, (_, db, source) => `T [${db} ${source === "lua" ? "lua" : "addr"}]`))
      if (line.includes("end-of-test")) return lines
    }
  } finally {
    monitor.close()
    client.close()
  }
}

describe.skipIf(!hasRealRedis)("MONITOR and scripts", () => {
  let ours: RunningServer | undefined
  let redis: RunningServer | undefined
  beforeAll(async () => {
    ours = await startRedfiber()
    redis = await startRealRedis()
  })
  afterAll(async () => {
    await Promise.all([ours?.stop(), redis?.stop()])
  })

  it("shows EVAL and FCALL first, then their commands as [db lua], as Redis does", async () => {
    const [mine, theirs] = [await monitorLines(ours!.port), await monitorLines(redis!.port)]
    expect(mine).toEqual(theirs)
    expect(mine.filter((line) => line.includes("[0 lua]")).length).toBe(2)
    expect(mine.filter((line) => line.includes("[2 lua]")).length).toBe(2)
  })
})
