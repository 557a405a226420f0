/**
 * FAILOVER (Redis 7.0's coordinated failover) with real Redis: a redfiber primary hands over to a
 * real Redis replica and continues as its replica; a real Redis primary hands over to a redfiber
 * replica (PSYNC ... FAILOVER); writes wait while the replica catches up; TIMEOUT aborts; the
 * errors are Redis's, checked against a real Redis in the same situation.
 */
import { describe, expect, it } from "vitest"
import { datasetOf, VARIETY } from "../support/dataset.js"
import { RawClient } from "../support/RawClient.js"
import { type Reply } from "../support/RespReader.js"
import { hasRealRedis } from "../support/servers.js"
import { call, fill, infoField, serverPool, startRedfiber, waitInSync, waitUntil, writeLoad } from "./support.js"

const { startRealRedis, started } = serverPool("failover", ["--repl-diskless-sync-delay", "0"])




const role = async (port: number): Promise<string> => {
  const reply = await call(port, "ROLE")
  return reply.kind === "array" ? String(reply.value?.[0].value) : ""
}

/** A real Redis busy in DEBUG SLEEP (it answers nothing, so cannot ACK): the connection to read its OK from. */
const asleep = async (port: number): Promise<RawClient> => {
  const sleeper = await RawClient.connect(port)
  sleeper.send("DEBUG", "SLEEP", "2")
  const probe = await RawClient.connect(port)
  try {
    await waitUntil("the replica to sleep", async () => {
      probe.send("PING")
      try {
        await probe.read(200)
        return false
      } catch {
        return true
      }
    })
  } finally {
    probe.close()
  }
  return sleeper
}

describe.skipIf(!hasRealRedis)("FAILOVER with real Redis", () => {
  it("answers Redis's errors, as a real Redis does in the same situations", async () => {
    const ours = started(await startRedfiber())
    const theirs = started(await startRealRedis())
    const oursReplica = started(await startRealRedis(["--replicaof", "127.0.0.1", String(ours.port)]))
    const theirsReplica = started(await startRealRedis(["--replicaof", "127.0.0.1", String(theirs.port)]))
    const cases = (replicaPort: number): ReadonlyArray<ReadonlyArray<string>> => [
      ["FAILOVER", "ABORT"], ["FAILOVER", "TIMEOUT", "0"], ["FAILOVER", "TIMEOUT", "-5"], ["FAILOVER", "TIMEOUT", "x"],
      ["FAILOVER", "BOGUS"], ["FAILOVER", "TO", "127.0.0.1", "notaport"], ["FAILOVER", "ABORT", "x"],
      ["FAILOVER", "TIMEOUT", "1", "TIMEOUT", "2"], ["FAILOVER", "FORCE", "FORCE"],
      ["FAILOVER", "TO", "127.0.0.1", "1"], ["FAILOVER", "TO", "127.0.0.1", String(replicaPort), "FORCE"], ["FAILOVER", "FORCE"]
    ]
    const before = async (port: number) => {
      const replies: Array<Reply> = []
      for (const argv of [["FAILOVER"], ["FAILOVER", "TO", "127.0.0.1", "1", "FORCE"]]) replies.push(await call(port, ...argv))
      return replies
    }
    // Primaries without replicas refuse first.
    const lonelyOurs = started(await startRedfiber())
    const lonelyTheirs = started(await startRealRedis())
    expect(await before(lonelyOurs.port)).toEqual(await before(lonelyTheirs.port))
    await waitInSync(ours.port, oursReplica.port)
    await waitInSync(theirs.port, theirsReplica.port)
    const answers = async (port: number, replicaPort: number) => {
      const replies: Array<Reply> = []
      for (const argv of cases(replicaPort)) replies.push(await call(port, ...argv))
      replies.push(await call(replicaPort, "FAILOVER"))
      return replies
    }
    const expected = await answers(theirs.port, theirsReplica.port)
    expect(expected.every((reply) => reply.kind === "error")).toBe(true)
    expect(await answers(ours.port, oursReplica.port)).toEqual(expected)
    expect(await infoField(ours.port, "replication", "master_failover_state")).toBe("no-failover")
  })

  it("a redfiber primary hands over to a real Redis replica and continues as its replica", async () => {
    const primary = started(await startRedfiber())
    await fill(primary.port, VARIETY)
    const replica = started(await startRealRedis(["--replicaof", "127.0.0.1", String(primary.port)]))
    await writeLoad(primary.port, 400, 11)
    await waitInSync(primary.port, replica.port)
    const syncsBefore = await infoField(replica.port, "stats", "sync_full")
    expect(await call(primary.port, "FAILOVER", "TO", "127.0.0.1", String(replica.port), "TIMEOUT", "5000")).toEqual({ kind: "simple", value: "OK" })
    await waitUntil("the roles to swap", async () => (await role(replica.port)) === "master" && (await role(primary.port)) === "slave")
    await waitUntil("the failover to end", async () => (await infoField(primary.port, "replication", "master_failover_state")) === "no-failover")
    // The old primary continued partially: the new primary did no full sync for it.
    await waitInSync(replica.port, primary.port)
    expect(await infoField(replica.port, "stats", "sync_full")).toBe(syncsBefore)
    expect(await infoField(replica.port, "stats", "sync_partial_ok")).toBe("1")
    // Writes held during the failover now get the replica's refusal; the new primary's writes reach us.
    expect(await call(primary.port, "SET", "k", "v")).toEqual({ kind: "error", value: "READONLY You can't write against a read only replica." })
    await writeLoad(replica.port, 200, 12)
    await waitInSync(replica.port, primary.port)
    expect(await datasetOf(primary.port, 4)).toEqual(await datasetOf(replica.port, 4))
  })

  it("a real Redis primary hands over to a redfiber replica (PSYNC FAILOVER)", async () => {
    const primary = started(await startRealRedis())
    await fill(primary.port, VARIETY)
    const replica = started(await startRedfiber({ replicaof: `127.0.0.1 ${primary.port}` }))
    await writeLoad(primary.port, 300, 13)
    await waitInSync(primary.port, replica.port)
    expect(await call(primary.port, "FAILOVER")).toEqual({ kind: "simple", value: "OK" })
    await waitUntil("the roles to swap", async () => (await role(replica.port)) === "master" && (await role(primary.port)) === "slave")
    await waitInSync(replica.port, primary.port)
    expect(await infoField(primary.port, "replication", "master_failover_state")).toBe("no-failover")
    expect(await infoField(replica.port, "stats", "sync_partial_ok")).toBe("1")
    expect(await infoField(replica.port, "stats", "sync_full")).toBe("0")
    await writeLoad(replica.port, 200, 14)
    await waitInSync(replica.port, primary.port)
    expect(await datasetOf(primary.port, 4)).toEqual(await datasetOf(replica.port, 4))
  })

  it("writes wait while the replica lags; TIMEOUT without FORCE aborts and they run", async () => {
    const primary = started(await startRedfiber())
    const replica = started(await startRealRedis(["--enable-debug-command", "yes", "--replicaof", "127.0.0.1", String(primary.port)]))
    await writeLoad(primary.port, 100, 15)
    await waitInSync(primary.port, replica.port)
    // The replica cannot acknowledge while it sleeps.
    const sleeper = await asleep(replica.port)
    await call(primary.port, "SET", "moved", "1")
    expect(await call(primary.port, "FAILOVER", "TO", "127.0.0.1", String(replica.port), "TIMEOUT", "600")).toEqual({ kind: "simple", value: "OK" })
    expect(await infoField(primary.port, "replication", "master_failover_state")).toBe("waiting-for-sync")
    expect(await call(primary.port, "FAILOVER")).toEqual({ kind: "error", value: "ERR FAILOVER already in progress." })
    const writer = await RawClient.connect(primary.port)
    writer.send("SET", "held", "1")
    // Reads go on; CLIENT UNPAUSE does not lift FAILOVER's pause.
    expect(await call(primary.port, "CLIENT", "UNPAUSE")).toEqual({ kind: "simple", value: "OK" })
    expect(await call(primary.port, "GET", "held")).toEqual({ kind: "bulk", value: null })
    expect(await writer.read(5000)).toEqual({ kind: "simple", value: "OK" })
    expect(await infoField(primary.port, "replication", "master_failover_state")).toBe("no-failover")
    expect(await role(primary.port)).toBe("master")
    writer.close()
    await sleeper.read(5000)
    sleeper.close()
    await waitInSync(primary.port, replica.port)
  })

  it("FAILOVER ABORT ends the wait and lets writes through", async () => {
    const primary = started(await startRedfiber())
    const replica = started(await startRealRedis(["--enable-debug-command", "yes", "--replicaof", "127.0.0.1", String(primary.port)]))
    await waitInSync(primary.port, replica.port)
    const sleeper = await asleep(replica.port)
    await call(primary.port, "SET", "moved", "1")
    expect(await call(primary.port, "FAILOVER")).toEqual({ kind: "simple", value: "OK" })
    const writer = await RawClient.connect(primary.port)
    writer.send("SET", "held", "1")
    expect(await call(primary.port, "FAILOVER", "ABORT")).toEqual({ kind: "simple", value: "OK" })
    expect(await writer.read(5000)).toEqual({ kind: "simple", value: "OK" })
    expect(await role(primary.port)).toBe("master")
    writer.close()
    await sleeper.read(5000)
    sleeper.close()
  })
})
