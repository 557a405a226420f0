/**
 * When a full sync starts and what it sends: repl-diskless-sync-delay on Effect's Clock (TestClock
 * moves it), repl-diskless-sync-max-replicas starting it early with one transfer shared by the
 * replicas waiting, and rdb-only clients (`REPLCONF rdb-only 1`, redis-cli --rdb) that get the
 * snapshot and a closed connection, no stream; the file redis-cli writes loads in redis-server.
 */
import { describe, expect, it } from "@effect/vitest"
import { execFile, spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as TestClock from "effect/testing/TestClock"
import { RedisServer } from "../../src/server/RedisServer.js"
import { datasetOf, runCommands, VARIETY } from "../support/dataset.js"
import { RawClient } from "../support/RawClient.js"
import { hasRealRedis, startRealRedis } from "../support/servers.js"
import { infoField, startRedfiber } from "./support.js"

const settle = () => new Promise((resolve) => setTimeout(resolve, 50))

/** A replica's side of the handshake up to PSYNC, by hand: what comes back is in `pending`. */
const fakeReplica = async (port: number, ...replconf: ReadonlyArray<string>): Promise<RawClient> => {
  const client = await RawClient.connect(port)
  expect(await client.call("REPLCONF", "capa", "eof", ...replconf)).toEqual({ kind: "simple", value: "OK" })
  client.send("PSYNC", "?", "-1")
  return client
}

const fullResyncLine = (client: RawClient): string | undefined => {
  const text = client.pending.latin1Slice()
  return /^\+FULLRESYNC [0-9a-f]{40} \d+\r\n/.exec(text)?.[0]
}

describe("repl-diskless-sync-delay on Effect's Clock", () => {
  it.effect("the transfer waits the delay from the first replica, and the replicas waiting share it", () =>
    Effect.gen(function*() {
      const context = yield* Layer.build(RedisServer.layerWithDb({ port: 0 }))
      const port = Context.get(context, RedisServer).address.port
      const first = yield* Effect.promise(() => fakeReplica(port))
      yield* Effect.addFinalizer(() => Effect.sync(() => first.close()))
      yield* TestClock.adjust("3 seconds")
      const second = yield* Effect.promise(() => fakeReplica(port))
      yield* Effect.addFinalizer(() => Effect.sync(() => second.close()))
      yield* TestClock.adjust("1999 millis")
      yield* Effect.promise(settle)
      expect(first.pending.length).toBe(0)
      expect(second.pending.length).toBe(0)
      yield* TestClock.adjust("1 millis")
      yield* Effect.promise(() => Promise.all([first.waitForBytes(100), second.waitForBytes(100)]))
      // One snapshot: the same offset and the same EOF mark for both.
      const line = fullResyncLine(first)
      expect(line).toBeDefined()
      expect(fullResyncLine(second)).toBe(line)
      const mark = (client: RawClient) => /\$EOF:([0-9a-f]{40})\r\n/.exec(client.pending.latin1Slice())?.[1]
      expect(mark(first)).toBeDefined()
      expect(mark(second)).toBe(mark(first))
    }))

  it.effect("repl-diskless-sync-max-replicas starts it as soon as that many wait; 0 delay starts at once", () =>
    Effect.gen(function*() {
      const context = yield* Layer.build(RedisServer.layerWithDb({ port: 0 }))
      const port = Context.get(context, RedisServer).address.port
      const admin = yield* Effect.promise(() => RawClient.connect(port))
      yield* Effect.addFinalizer(() => Effect.sync(() => admin.close()))
      expect(yield* Effect.promise(() => admin.call("CONFIG", "GET", "repl-diskless-sync-delay"))).toEqual({
        kind: "array",
        value: [{ kind: "bulk", value: "repl-diskless-sync-delay" }, { kind: "bulk", value: "5" }]
      })
      yield* Effect.promise(() => admin.call("CONFIG", "SET", "repl-diskless-sync-max-replicas", "2"))
      const first = yield* Effect.promise(() => fakeReplica(port))
      yield* Effect.addFinalizer(() => Effect.sync(() => first.close()))
      yield* Effect.promise(settle)
      expect(first.pending.length).toBe(0)
      const second = yield* Effect.promise(() => fakeReplica(port))
      yield* Effect.addFinalizer(() => Effect.sync(() => second.close()))
      // No clock move: the second replica completes the count.
      yield* Effect.promise(() => Promise.all([first.waitForBytes(100), second.waitForBytes(100)]))
      expect(fullResyncLine(second)).toBe(fullResyncLine(first))
      yield* Effect.promise(() => admin.call("CONFIG", "SET", "repl-diskless-sync-delay", "0"))
      const third = yield* Effect.promise(() => fakeReplica(port))
      yield* Effect.addFinalizer(() => Effect.sync(() => third.close()))
      yield* Effect.promise(() => third.waitForBytes(100))
      expect(fullResyncLine(third)).toBeDefined()
    }))
})

const redisCli = spawnSync("sh", ["-c", "command -v redis-cli"], { encoding: "utf8" }).stdout.trim()

describe.skipIf(!hasRealRedis || redisCli === "")("rdb-only replicas", () => {
  it("REPLCONF rdb-only 1 then SYNC: the snapshot, then the connection closes with no stream, as Redis", async () => {
    const ours = await startRedfiber()
    const theirs = await startRealRedis(["--repl-diskless-sync-delay", "0"])
    try {
      for (const port of [ours.port, theirs.port]) {
        await runCommands(port, [["SET", "a", "1"], ["RPUSH", "l", "x", "y"]])
        const client = await RawClient.connect(port)
        expect(await client.call("REPLCONF", "capa", "eof", "rdb-only", "1")).toEqual({ kind: "simple", value: "OK" })
        client.send("SYNC")
        await client.waitForBytes(20)
        // Writes while the snapshot goes out reach a real replica's stream, never this client.
        await runCommands(port, [["SET", "b", "2"], ["SET", "c", "3"]])
        await client.waitClosed(10000)
        const text = client.pending.latin1Slice()
        const mark = /^\$EOF:([0-9a-f]{40})\r\n/.exec(text)?.[1]
        expect(mark, `port ${port}`).toBeDefined()
        expect(text.endsWith(mark!)).toBe(true)
        expect(text).not.toContain("SET")
        client.close()
      }
    } finally {
      await ours.stop()
      await theirs.stop()
    }
  })

  it("redis-cli --rdb writes a file that redis-server loads with redfiber's data", async () => {
    const ours = await startRedfiber()
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "redfiber-rdb-only-"))
    try {
      await runCommands(ours.port, VARIETY)
      const file = path.join(dir, "dump.rdb")
      // Not spawnSync: the server answering it runs in this process.
      const output = await new Promise<string>((resolve, reject) => {
        execFile(redisCli, ["-p", String(ours.port), "--rdb", file], { timeout: 20000 }, (error, stdout, stderr) => {
          if (error !== null) reject(new Error(`${error.message}: ${stderr}${stdout}`))
          else resolve(stderr + stdout)
        })
      })
      expect(output).toContain("Transfer finished with success")
      expect(await infoField(ours.port, "replication", "connected_slaves")).toBe("0")
      const loaded = await startRealRedis(["--dir", dir, "--dbfilename", "dump.rdb"])
      try {
        const expected = await datasetOf(ours.port, 4)
        expect(expected.length).toBeGreaterThan(5)
        expect(await datasetOf(loaded.port, 4)).toEqual(expected)
      } finally {
        await loaded.stop()
      }
    } finally {
      await ours.stop()
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
})
