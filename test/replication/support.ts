/**
 * Helpers for the replication tests: the servers a test file starts, INFO fields, waiting for a
 * replica to catch up, and a write load that touches every type (with TTLs, random pops,
 * transactions and several databases).
 */
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import type { ServerConfigInput } from "../../src/config/ServerConfig.js"
import { afterAll, afterEach, expect } from "vitest"
import { datasetOf } from "../support/dataset.js"
import { RawClient } from "../support/RawClient.js"
import { type Reply } from "../support/RespReader.js"
import {
  type RunningRedfiber,
  type RunningServer,
  startRealRedis as startRealRedisIn,
  startRedfiber as startRedfiberServer
} from "../support/servers.js"

/**
 * The servers of one test file: `started` ones are stopped after each test (the last started
 * first, so replicas go before their primaries), or earlier by the test itself, once either way.
 * A real Redis gets a directory of its own under a temporary one (a replica writes the snapshot
 * it receives there, never into the project), with `redisArgs` before its own arguments.
 */
export const serverPool = (name: string, redisArgs: ReadonlyArray<string> = []) => {
  const redisDir = fs.mkdtempSync(path.join(os.tmpdir(), `redfiber-${name}-`))
  afterAll(() => fs.rmSync(redisDir, { recursive: true, force: true }))
  const running: Array<RunningServer> = []
  afterEach(async () => {
    for (const server of running.reverse()) await server.stop()
    running.length = 0
  })
  return {
    dir: redisDir,
    startRealRedis: (args: ReadonlyArray<string> = []) =>
      startRealRedisIn(["--dir", fs.mkdtempSync(path.join(redisDir, "server-")), ...redisArgs, ...args]),
    started: <T extends RunningServer>(server: T): T => {
      let stopping: Promise<void> | undefined
      const once = { ...server, stop: () => (stopping ??= server.stop()) }
      running.push(once)
      return once
    }
  }
}

/** Runs `commands` one by one on a connection of their own. */
export const fill = async (port: number, commands: ReadonlyArray<ReadonlyArray<string>>): Promise<void> => {
  const client = await RawClient.connect(port)
  try {
    for (const argv of commands) await client.call(...argv)
  } finally {
    client.close()
  }
}

/**
 * redfiber for these tests: a primary starts a diskless full sync at once (repl-diskless-sync-delay
 * 0, as Redis's own tests set it), unless the test asks otherwise.
 */
export const startRedfiber = (config: ServerConfigInput = {}): Promise<RunningRedfiber> =>
  startRedfiberServer({ ...config, parameters: [["repl-diskless-sync-delay", "0"], ...(config.parameters ?? [])] })

export const call = async (port: number, ...args: ReadonlyArray<string>): Promise<Reply> => {
  const client = await RawClient.connect(port)
  try {
    return await client.call(...args)
  } finally {
    client.close()
  }
}

export const infoField = async (port: number, section: string, field: string): Promise<string | undefined> => {
  const text = String((await call(port, "INFO", section)).value)
  const line = text.split("\r\n").find((entry) => entry.startsWith(`${field}:`))
  return line?.slice(field.length + 1)
}

export const waitUntil = async (what: string, check: () => Promise<boolean>, timeoutMs = 15000): Promise<void> => {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (await check()) return
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/** Until the replica's link is up and its offset is the primary's. */
export const waitInSync = async (primary: number, replica: number): Promise<void> => {
  await waitUntil(`port ${replica} to catch up with ${primary}`, async () => {
    if ((await infoField(replica, "replication", "master_link_status")) !== "up") return false
    const [a, b] = await Promise.all([
      infoField(primary, "replication", "master_repl_offset"),
      infoField(replica, "replication", "master_repl_offset")
    ])
    return a === b
  })
}

/** A deterministic pseudo-random generator (the load is the same on every run). */
const generator = (seed: number) => () => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff
  return seed
}

/** One write command of any type, on a small set of keys so that they collide. */
export const randomWrite = (next: () => number): Array<string> => {
  const key = (prefix: string) => `${prefix}:${next() % 20}`
  const value = () => `v${next() % 1000}`
  switch (next() % 26) {
    case 0: return ["SET", key("s"), value()]
    case 1: return ["SET", key("s"), value(), "EX", String(100 + next() % 100)]
    case 2: return ["INCRBY", key("n"), String(next() % 100)]
    case 3: return ["INCRBYFLOAT", key("f"), "1.5"]
    case 4: return ["APPEND", key("s"), "x"]
    case 5: return ["SETRANGE", key("s"), String(next() % 10), "zz"]
    case 6: return ["RPUSH", key("l"), value(), value()]
    case 7: return ["LPUSH", key("l"), value()]
    case 8: return ["LPOP", key("l")]
    case 9: return ["LMOVE", key("l"), key("l"), "LEFT", "RIGHT"]
    case 10: return ["HSET", key("h"), `f${next() % 10}`, value()]
    case 11: return ["HINCRBY", key("h"), "cnt", "3"]
    case 12: return ["HDEL", key("h"), `f${next() % 10}`]
    case 13: return ["SADD", key("t"), value(), value()]
    case 14: return ["SPOP", key("t")]
    case 15: return ["SREM", key("t"), value()]
    case 16: return ["ZADD", key("z"), String((next() % 1000) / 7), value()]
    case 17: return ["ZINCRBY", key("z"), "2.5", value()]
    case 18: return ["ZPOPMIN", key("z")]
    case 19: return ["DEL", key("s")]
    case 20: return ["EXPIRE", key("l"), String(200 + next() % 100)]
    case 21: return ["PERSIST", key("l")]
    case 22: return ["SINTERSTORE", key("t"), key("t"), key("t")]
    case 23: return ["ZUNIONSTORE", key("z"), "2", key("z"), key("z")]
    case 24: return ["RENAME", key("s"), key("s")]
    // Expires at once: the primary's expiry reaches the replica as a DEL.
    default: return ["SET", key("e"), value(), "PX", "1"]
  }
}

/** Sends `count` random writes over one connection, in pipelined groups, some in MULTI/EXEC or another database. */
export const writeLoad = async (port: number, count: number, seed: number): Promise<void> => {
  const next = generator(seed)
  const client = await RawClient.connect(port)
  try {
    let sent = 0
    while (sent < count) {
      const group: Array<Array<string>> = []
      const db = next() % 3
      group.push(["SELECT", String(db)])
      const transaction = next() % 5 === 0
      if (transaction) group.push(["MULTI"])
      for (let i = 0; i < 20; i++) group.push(randomWrite(next))
      if (transaction) group.push(["EXEC"])
      for (const argv of group) client.send(...argv)
      for (let i = 0; i < group.length; i++) await client.read()
      sent += 20
    }
  } finally {
    client.close()
  }
}

/** Both servers hold the same keys, values and expiry times in databases 0-3; the number of keys. */
export const sameData = async (a: number, b: number): Promise<number> => {
  const [left, right] = await Promise.all([datasetOf(a, 4), datasetOf(b, 4)])
  expect(right).toEqual(left)
  return left.length
}
