/**
 * Replication against real Redis 7.0 in both directions, and between redfiber servers: full and
 * partial resynchronization, the command stream under a write load of every type (datasets
 * compared key by key), chains, promotion, WAIT and the refusals replicas and primaries give.
 */
import { describe, expect, it } from "vitest"
import { VARIETY } from "../support/dataset.js"
import { RawClient } from "../support/RawClient.js"
import { freePort, hasRealRedis } from "../support/servers.js"
import { call, fill, infoField, sameData, serverPool, startRedfiber, waitInSync, waitUntil, writeLoad } from "./support.js"

const { startRealRedis, started } = serverPool("replication")




describe.skipIf(!hasRealRedis)("replication with real Redis", () => {
  it("a real Redis replica follows redfiber through a full sync under a write load of every type", async () => {
    const primary = started(await startRedfiber())
    await fill(primary.port, VARIETY)
    await writeLoad(primary.port, 400, 1)
    const load = writeLoad(primary.port, 2000, 2)
    const replica = started(await startRealRedis(["--replicaof", "127.0.0.1", String(primary.port)]))
    await load
    await writeLoad(primary.port, 400, 3)
    await waitInSync(primary.port, replica.port)
    const keys = await sameData(primary.port, replica.port)
    expect(keys).toBeGreaterThan(50)
    expect(await infoField(primary.port, "stats", "sync_full")).toBe("1")
    expect(await infoField(primary.port, "replication", "connected_slaves")).toBe("1")
    const role = await call(primary.port, "ROLE")
    expect(role.kind === "array" && role.value?.[0].value).toBe("master")
  })

  it("the replica continues with a partial resync after CLIENT KILL TYPE replica", async () => {
    const primary = started(await startRedfiber())
    const replica = started(await startRealRedis(["--replicaof", "127.0.0.1", String(primary.port)]))
    await writeLoad(primary.port, 200, 4)
    await waitInSync(primary.port, replica.port)
    expect(await call(primary.port, "CLIENT", "KILL", "TYPE", "replica")).toEqual({ kind: "integer", value: "1" })
    await writeLoad(primary.port, 200, 5)
    await waitUntil("a partial resync", async () => (await infoField(primary.port, "stats", "sync_partial_ok")) === "1")
    await waitInSync(primary.port, replica.port)
    await sameData(primary.port, replica.port)
    expect(await infoField(primary.port, "stats", "sync_full")).toBe("1")
  })

  it("a disk-style transfer ($<length>) when repl-diskless-sync is no", async () => {
    const primary = started(await startRedfiber())
    await call(primary.port, "CONFIG", "SET", "repl-diskless-sync", "no")
    await fill(primary.port, VARIETY)
    const replica = started(await startRealRedis(["--replicaof", "127.0.0.1", String(primary.port)]))
    await writeLoad(primary.port, 200, 6)
    await waitInSync(primary.port, replica.port)
    await sameData(primary.port, replica.port)
  })

  it("redfiber follows a real Redis primary, refuses writes, and answers ROLE and INFO", async () => {
    const primary = started(await startRealRedis(["--repl-diskless-sync-delay", "0"]))
    await fill(primary.port, VARIETY)
    await writeLoad(primary.port, 400, 7)
    const replica = started(await startRedfiber({ replicaof: `127.0.0.1 ${primary.port}` }))
    await writeLoad(primary.port, 600, 8)
    await waitInSync(primary.port, replica.port)
    await sameData(primary.port, replica.port)
    expect(await call(replica.port, "SET", "k", "v")).toEqual({
      kind: "error",
      value: "READONLY You can't write against a read only replica."
    })
    const role = await call(replica.port, "ROLE")
    expect(role.kind === "array" && role.value?.map((item) => item.value)).toEqual([
      "slave", "127.0.0.1", String(primary.port), "connected", await infoField(primary.port, "replication", "master_repl_offset")
    ])
    expect(await infoField(replica.port, "replication", "master_replid")).toBe(
      await infoField(primary.port, "replication", "master_replid")
    )
    // The primary's WAIT counts our ACKs.
    await writeLoad(primary.port, 20, 9)
    expect(await call(primary.port, "WAIT", "1", "5000")).toEqual({ kind: "integer", value: "1" })
  })

  it("with passwords on both sides: masterauth, and a real replica's masterauth against our requirepass", async () => {
    const primary = started(await startRealRedis(["--repl-diskless-sync-delay", "0"]))
    await call(primary.port, "CONFIG", "SET", "requirepass", "top-secret")
    const replica = started(await startRedfiber({ replicaof: `127.0.0.1 ${primary.port}`, masterauth: "top-secret", requirepass: "ours" }))
    const writer = await RawClient.connect(primary.port)
    await writer.call("AUTH", "top-secret")
    await writer.call("SET", "k", "v")
    await waitUntil("the link", async () => {
      const client = await RawClient.connect(replica.port)
      try {
        await client.call("AUTH", "ours")
        return String((await client.call("INFO", "replication")).value).includes("master_link_status:up")
      } finally {
        client.close()
      }
    })
    const below = started(await startRealRedis(["--replicaof", "127.0.0.1", String(replica.port), "--masterauth", "ours"]))
    await writer.call("SET", "k2", "v2")
    writer.close()
    await waitUntil("the chain", async () => (await call(below.port, "GET", "k2")).value === "v2")
    expect(await call(below.port, "GET", "k")).toEqual({ kind: "bulk", value: "v" })
  })

  it("partial resync from a real primary after CLIENT KILL TYPE master on redfiber", async () => {
    const primary = started(await startRealRedis(["--repl-diskless-sync-delay", "0"]))
    const replica = started(await startRedfiber({ replicaof: `127.0.0.1 ${primary.port}` }))
    await writeLoad(primary.port, 200, 10)
    await waitInSync(primary.port, replica.port)
    expect(await call(replica.port, "CLIENT", "KILL", "TYPE", "master")).toEqual({ kind: "integer", value: "1" })
    await writeLoad(primary.port, 200, 11)
    await waitUntil("a partial resync", async () => (await infoField(primary.port, "stats", "sync_partial_ok")) === "1")
    await waitInSync(primary.port, replica.port)
    await sameData(primary.port, replica.port)
  })

  it("a chain Redis -> redfiber -> Redis keeps one offset space", async () => {
    const top = started(await startRealRedis(["--repl-diskless-sync-delay", "0"]))
    await fill(top.port, VARIETY)
    const middle = started(await startRedfiber({ replicaof: `127.0.0.1 ${top.port}` }))
    // The stream is in database 2 when the bottom replica joins: its snapshot must say so
    // (repl-stream-db), as the top's next write comes without a SELECT.
    const writer = await RawClient.connect(top.port)
    await writer.call("SELECT", "2")
    await writer.call("SET", "in-two", "1")
    await waitInSync(top.port, middle.port)
    const bottom = started(await startRealRedis(["--replicaof", "127.0.0.1", String(middle.port)]))
    await waitInSync(middle.port, bottom.port)
    await writer.call("SET", "still-in-two", "2")
    writer.close()
    await waitInSync(top.port, middle.port)
    await waitInSync(middle.port, bottom.port)
    expect(await call(bottom.port, "EXISTS", "still-in-two")).toEqual({ kind: "integer", value: "0" })
    const two = await RawClient.connect(bottom.port)
    await two.call("SELECT", "2")
    expect(await two.call("GET", "still-in-two")).toEqual({ kind: "bulk", value: "2" })
    two.close()
    await writeLoad(top.port, 600, 12)
    await waitInSync(top.port, middle.port)
    await waitInSync(middle.port, bottom.port)
    await sameData(top.port, bottom.port)
    expect(await infoField(bottom.port, "replication", "master_replid")).toBe(
      await infoField(top.port, "replication", "master_replid")
    )
  })
})

describe("replication between redfiber servers", () => {
  it("REPLICAOF, then promotion with REPLICAOF NO ONE lets another replica continue partially", async () => {
    const primary = started(await startRedfiber())
    const a = started(await startRedfiber())
    const b = started(await startRedfiber())
    await fill(primary.port, VARIETY)
    expect(await call(a.port, "REPLICAOF", "127.0.0.1", String(primary.port))).toEqual({ kind: "simple", value: "OK" })
    expect(await call(a.port, "REPLICAOF", "127.0.0.1", String(primary.port))).toEqual({
      kind: "simple",
      value: "OK Already connected to specified master"
    })
    expect(await call(b.port, "SLAVEOF", "127.0.0.1", String(primary.port))).toEqual({ kind: "simple", value: "OK" })
    await writeLoad(primary.port, 400, 13)
    await waitInSync(primary.port, a.port)
    await waitInSync(primary.port, b.port)
    await sameData(primary.port, a.port)
    // The primary goes away; A is promoted and B follows it without a full sync.
    const oldReplid = await infoField(primary.port, "replication", "master_replid")
    await primary.stop()
    expect(await call(a.port, "REPLICAOF", "NO", "ONE")).toEqual({ kind: "simple", value: "OK" })
    expect(await infoField(a.port, "replication", "role")).toBe("master")
    expect(await infoField(a.port, "replication", "master_replid2")).toBe(oldReplid)
    expect(await call(b.port, "REPLICAOF", "127.0.0.1", String(a.port))).toEqual({ kind: "simple", value: "OK" })
    await writeLoad(a.port, 200, 14)
    await waitInSync(a.port, b.port)
    await sameData(a.port, b.port)
    expect(await infoField(a.port, "stats", "sync_partial_ok")).toBe("1")
    expect(await infoField(a.port, "stats", "sync_full")).toBe("0")
  })

  it("big values cross in many chunks, in the snapshot and in the stream", async () => {
    const primary = started(await startRedfiber())
    const big = (n: number, c: string) => c.repeat(n)
    await fill(primary.port, [
      ["SET", "snap", big(3 * 1024 * 1024, "s")],
      ["RPUSH", "list", ...Array.from({ length: 20000 }, (_, i) => `item-${i}`)]
    ])
    const replica = started(await startRedfiber({ replicaof: `127.0.0.1 ${primary.port}` }))
    await waitInSync(primary.port, replica.port)
    await fill(primary.port, [["SET", "streamed", big(5 * 1024 * 1024, "t")], ["HSET", "h", "f", big(100000, "u")]])
    await waitInSync(primary.port, replica.port)
    expect(await call(replica.port, "STRLEN", "snap")).toEqual({ kind: "integer", value: String(3 * 1024 * 1024) })
    expect(await call(replica.port, "STRLEN", "streamed")).toEqual({ kind: "integer", value: String(5 * 1024 * 1024) })
    await sameData(primary.port, replica.port)
  })

  it("WAIT answers from the replicas' ACKs, and times out with the count", async () => {
    const primary = started(await startRedfiber())
    const client = await RawClient.connect(primary.port)
    try {
      expect(await client.call("WAIT", "x", "0")).toEqual({ kind: "error", value: "ERR value is not an integer or out of range" })
      expect(await client.call("WAIT", "1", "-1")).toEqual({ kind: "error", value: "ERR timeout is negative" })
      expect(await client.call("WAIT", "1", "x")).toEqual({ kind: "error", value: "ERR timeout is not an integer or out of range" })
      expect(await client.call("WAIT", "0", "0")).toEqual({ kind: "integer", value: "0" })
      expect(await client.call("WAIT", "1", "100")).toEqual({ kind: "integer", value: "0" })
      const replica = started(await startRedfiber({ replicaof: `127.0.0.1 ${primary.port}` }))
      await waitInSync(primary.port, replica.port)
      client.send("SET", "k", "v")
      client.send("WAIT", "1", "0")
      expect(await client.read()).toEqual({ kind: "simple", value: "OK" })
      expect(await client.read()).toEqual({ kind: "integer", value: "1" })
      expect(await call(replica.port, "GET", "k")).toEqual({ kind: "bulk", value: "v" })
      expect(await call(replica.port, "WAIT", "1", "0")).toMatchObject({ kind: "error" })
    } finally {
      client.close()
    }
  })

  it("a replica that never acknowledges is dropped after repl-timeout; SYNC gets the RDB without +FULLRESYNC", async () => {
    const primary = started(await startRedfiber())
    await call(primary.port, "SET", "k", "v")
    await call(primary.port, "CONFIG", "SET", "repl-timeout", "1")
    const silent = await RawClient.connect(primary.port)
    const old = await RawClient.connect(primary.port)
    try {
      silent.send("PSYNC", "?", "-1")
      old.send("SYNC")
      await waitUntil("two replicas", async () => (await infoField(primary.port, "replication", "connected_slaves")) === "2")
      // SYNC (no PSYNC): the bulk comes first, and SYNC clients are never timed out.
      await waitUntil("the RDB", async () => old.pending.length > 0)
      expect(old.pending.latin1Slice(0, 1)).toBe("$")
      await silent.waitClosed()
      expect(await infoField(primary.port, "replication", "connected_slaves")).toBe("1")
    } finally {
      silent.close()
      old.close()
    }
  })

  it("min-replicas-to-write refuses writes with NOREPLICAS until enough replicas are there", async () => {
    const primary = started(await startRedfiber())
    await call(primary.port, "CONFIG", "SET", "min-replicas-to-write", "1")
    expect(await call(primary.port, "SET", "k", "v")).toEqual({ kind: "error", value: "NOREPLICAS Not enough good replicas to write." })
    expect(await call(primary.port, "GET", "k")).toEqual({ kind: "bulk", value: null })
    const replica = started(await startRedfiber({ replicaof: `127.0.0.1 ${primary.port}` }))
    await waitInSync(primary.port, replica.port)
    expect(await call(primary.port, "SET", "k", "v")).toEqual({ kind: "simple", value: "OK" })
  })

  it("replica-serve-stale-data no answers MASTERDOWN while the link is down", async () => {
    const port = await freePort()
    const replica = started(await startRedfiber({ replicaof: `127.0.0.1 ${port}` }))
    expect(await call(replica.port, "GET", "k")).toEqual({ kind: "bulk", value: null })
    await call(replica.port, "CONFIG", "SET", "replica-serve-stale-data", "no")
    expect(await call(replica.port, "GET", "k")).toEqual({
      kind: "error",
      value: "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'."
    })
    expect(await infoField(replica.port, "replication", "master_link_status")).toBe("down")
    const role = await call(replica.port, "ROLE")
    expect(role.kind === "array" && role.value?.[3].value).toMatch(/^(connect|connecting)$/)
  })
})
