/**
 * -LOADING while a replica loads its primary's snapshot: a redfiber replica and a real Redis
 * replica of the same primary are held in their load by key-load-delay (Redis's test hook, set by
 * the test and cleared by it: the window is the test's, not a race), and answer the same commands
 * the same way meanwhile; then both finish with the primary's data.
 */
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { datasetOf } from "../support/dataset.js"
import { RawClient } from "../support/RawClient.js"
import { hasRealRedis, startRealRedis } from "../support/servers.js"
import { call, infoField, startRedfiber, waitInSync, waitUntil } from "./support.js"

const redisDir = fs.mkdtempSync(path.join(os.tmpdir(), "redfiber-loading-"))
afterAll(() => fs.rmSync(redisDir, { recursive: true, force: true }))

/** Commands a client may send while the replica loads, and what it gets (compared between the two). */
const PROBES: ReadonlyArray<ReadonlyArray<string>> = [
  ["GET", "key:1"],
  ["PING"],
  ["ECHO", "hi"],
  ["DBSIZE"],
  ["EXISTS", "key:1"],
  ["SET", "mine", "1"],
  ["SELECT", "1"],
  ["CONFIG", "GET", "key-load-delay"],
  ["ROLE"],
  ["REPLICAOF", "NO", "ONE"],
  ["MULTI"],
  ["GET", "key:1"],
  ["EXEC"],
  ["MULTI"],
  ["SELECT", "0"],
  ["EXEC"],
  ["COMMAND", "COUNT"],
  ["CLIENT", "GETNAME"],
  ["LASTSAVE"],
  ["PUBLISH", "ch", "m"]
]

/** ROLE's replies differ by port and COMMAND COUNT by the table's size: only their kind is compared. */
const comparable = (argv: ReadonlyArray<string>, reply: Awaited<ReturnType<RawClient["read"]>>) =>
  ["role", "command", "lastsave"].includes(argv[0].toLowerCase()) && reply.kind !== "error" ? reply.kind : reply

describe.skipIf(!hasRealRedis)("a replica loading its primary's snapshot", () => {
  it("answers -LOADING to the commands Redis refuses then, and ends with the primary's data", async () => {
    const primary = await startRedfiber()
    const ours = await startRedfiber()
    const theirs = await startRealRedis(["--dir", fs.mkdtempSync(path.join(redisDir, "replica-")), "--loading-process-events-interval-bytes", "1024"])
    try {
      // A snapshot big enough to stay loading for minutes at 10 ms a key.
      const filler = await RawClient.connect(primary.port)
      for (let i = 0; i < 5000; i++) filler.send("SET", `key:${i}`, `${i}:${"x".repeat(100)}`)
      for (let i = 0; i < 5000; i++) await filler.read()
      filler.close()
      for (const replica of [ours, theirs]) {
        await call(replica.port, "CONFIG", "SET", "key-load-delay", "10000")
        expect(await call(replica.port, "REPLICAOF", "127.0.0.1", String(primary.port))).toEqual({ kind: "simple", value: "OK" })
      }
      for (const replica of [ours, theirs]) {
        await waitUntil("the replica to be loading", async () => (await infoField(replica.port, "persistence", "loading")) === "1", 30000)
      }
      expect(Number(await infoField(ours.port, "persistence", "loading_total_bytes"))).toBeGreaterThan(500_000)
      const [a, b] = await Promise.all([RawClient.connect(ours.port), RawClient.connect(theirs.port)])
      try {
        for (const argv of PROBES) {
          const [mine, real] = await Promise.all([a.call(...argv), b.call(...argv)])
          expect(comparable(argv, mine), argv.join(" ")).toEqual(comparable(argv, real))
        }
        expect(await a.call("GET", "key:1")).toEqual({ kind: "error", value: "LOADING Redis is loading the dataset in memory" })
        expect(await a.call("INFO", "persistence")).toMatchObject({ kind: "bulk" })
        expect(await infoField(ours.port, "persistence", "loading")).toBe("1")
      } finally {
        a.close()
        b.close()
      }
      for (const replica of [ours, theirs]) await call(replica.port, "CONFIG", "SET", "key-load-delay", "0")
      for (const replica of [ours, theirs]) await waitInSync(primary.port, replica.port)
      expect(await infoField(ours.port, "persistence", "loading")).toBe("0")
      expect(await call(ours.port, "GET", "key:1")).toEqual({ kind: "bulk", value: `1:${"x".repeat(100)}` })
      const expected = await datasetOf(primary.port, 1)
      expect(expected.length).toBe(5000)
      expect(await datasetOf(ours.port, 1)).toEqual(expected)
      expect(await datasetOf(theirs.port, 1)).toEqual(expected)
    } finally {
      await theirs.stop()
      await ours.stop()
      await primary.stop()
    }
  }, 120_000)
})
