/**
 * A replica does not expire keys itself: it waits for its primary's DEL. A read of a key whose time
 * has passed answers as missing, but the key stays (DBSIZE counts it) until the DEL comes — as a
 * real Redis 7.0 replica of the same primary does.
 */
import { describe, expect, it } from "vitest"
import { type Reply } from "../support/RespReader.js"
import { hasRealRedis } from "../support/servers.js"
import { call, serverPool, startRedfiber, waitInSync } from "./support.js"

const { startRealRedis, started } = serverPool("replica-expiry", ["--repl-diskless-sync-delay", "0"])



describe.skipIf(!hasRealRedis)("expired keys on a replica", () => {
  it("read as missing but stay until the primary's DEL, as on a real Redis replica", async () => {
    const primary = started(await startRealRedis(["--enable-debug-command", "yes"]))
    await call(primary.port, "DEBUG", "SET-ACTIVE-EXPIRE", "0")
    const oracle = started(await startRealRedis(["--replicaof", "127.0.0.1", String(primary.port)]))
    const replica = started(await startRedfiber({ replicaof: `127.0.0.1 ${primary.port}` }))
    await call(primary.port, "SET", "short", "v", "PX", "50")
    await call(primary.port, "RPUSH", "list", "a")
    await call(primary.port, "PEXPIRE", "list", "50")
    await call(primary.port, "SET", "kept", "v")
    await waitInSync(primary.port, oracle.port)
    await waitInSync(primary.port, replica.port)
    await new Promise((resolve) => setTimeout(resolve, 150))
    const reads = async (port: number): Promise<Array<Reply>> => {
      const replies: Array<Reply> = []
      for (const argv of [["GET", "short"], ["EXISTS", "short", "list", "kept"], ["LRANGE", "list", "0", "-1"], ["TTL", "short"], ["TYPE", "list"], ["DBSIZE"], ["GET", "short"], ["DBSIZE"]]) {
        replies.push(await call(port, ...argv))
      }
      return replies
    }
    const expected = await reads(oracle.port)
    expect(expected.at(-1)).toEqual({ kind: "integer", value: "3" })
    expect(await reads(replica.port)).toEqual(expected)
    // The primary's DEL (its own lazy expiry on access) removes them.
    await call(primary.port, "GET", "short")
    await call(primary.port, "GET", "list")
    await waitInSync(primary.port, replica.port)
    expect(await call(replica.port, "DBSIZE")).toEqual({ kind: "integer", value: "1" })
  })

  it("keys already expired on the primary come in its snapshot and stay until its DEL", async () => {
    const primary = started(await startRealRedis(["--enable-debug-command", "yes"]))
    await call(primary.port, "DEBUG", "SET-ACTIVE-EXPIRE", "0")
    await call(primary.port, "SET", "short", "v", "PX", "50")
    await call(primary.port, "SET", "kept", "v")
    await new Promise((resolve) => setTimeout(resolve, 150))
    const oracle = started(await startRealRedis(["--replicaof", "127.0.0.1", String(primary.port)]))
    const replica = started(await startRedfiber({ replicaof: `127.0.0.1 ${primary.port}` }))
    await waitInSync(primary.port, oracle.port)
    await waitInSync(primary.port, replica.port)
    const reads = async (port: number) => [await call(port, "DBSIZE"), await call(port, "GET", "short"), await call(port, "DBSIZE")]
    const expected = await reads(oracle.port)
    expect(expected[0]).toEqual({ kind: "integer", value: "2" })
    expect(await reads(replica.port)).toEqual(expected)
  })
})
