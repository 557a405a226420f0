/**
 * Cluster mode against a real `redis-server --cluster-enabled yes` that was given every slot
 * (CLUSTER ADDSLOTSRANGE 0 16383): the same replies once node ids, addresses and ports are
 * masked (CLUSTER SLOTS, SHARDS, NODES, INFO, MYID), and exactly the same for KEYSLOT, the keys
 * of a slot, CROSSSLOT refusals (commands and transactions) and the commands cluster mode
 * refuses, in RESP2 and RESP3. Then cluster clients: ioredis `Cluster` and node-redis
 * `createCluster` discover the node and SET / GET / MGET with hash tags.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { Cluster } from "ioredis"
import { createCluster } from "redis"
import { CLUSTER_SLOTS, keySlot } from "../../src/keyspace/keyslot.js"
import { RawClient } from "../support/RawClient.js"
import type { Reply } from "../support/RespReader.js"
import { hasRealRedis, type RunningRedfiber, type RunningServer, startRealRedis, startRedfiber } from "../support/servers.js"

/** A reply as text, with this server's node id, address and ports masked. */
const masked = (reply: Reply, id: string, port: number): string =>
  JSON.stringify(reply)
    .replaceAll(id, "<id>")
    .replaceAll(`"integer","value":"${port}"`, `"integer","value":"<port>"`)
    .replaceAll(`:${port}@${port + 10000}`, ":<port>@<bus>")
    .replaceAll("127.0.0.1", "")

const STEPS: ReadonlyArray<ReadonlyArray<string>> = [
  ["CLUSTER", "SLOTS"],
  ["CLUSTER", "SHARDS"],
  ["CLUSTER", "NODES"],
  ["CLUSTER", "INFO"],
  ["CLUSTER", "MYID"],
  ...["foo", "bar", "", "{user1000}.following", "{user1000}.followers", "foo{}{bar}", "foo{{bar}}zap", "foo{bar}{zap}",
    "{}", "}{", "a{b", "\u00ff\u0000binary"].map((key) => ["CLUSTER", "KEYSLOT", key]),
  ["MSET", "{t}a", "1", "{t}b", "2", "{t}c", "3", "other", "4"],
  ["MSET", "{t}a", "1", "{t}b", "2", "{t}c", "3"],
  ["MGET", "{t}a", "{t}b", "{t}c"],
  ["MGET", "{t}a", "other"],
  ["DEL", "{t}a", "nope"],
  ["SUNIONSTORE", "{s}dest", "{s}a", "{s}b"],
  ["SUNIONSTORE", "dest", "{s}a", "{s}b"],
  ["ZUNIONSTORE", "{z}d", "2", "{z}a", "b"],
  ["RENAME", "{t}b", "elsewhere"],
  ["RENAME", "{t}b", "{t}moved"],
  ["CLUSTER", "COUNTKEYSINSLOT", String(keySlot("t"))],
  ["CLUSTER", "GETKEYSINSLOT", String(keySlot("t")), "10"],
  ["CLUSTER", "GETKEYSINSLOT", String(keySlot("t")), "0"],
  ["CLUSTER", "COUNTKEYSINSLOT", "-1"],
  ["CLUSTER", "COUNTKEYSINSLOT", String(CLUSTER_SLOTS)],
  ["CLUSTER", "COUNTKEYSINSLOT", "x"],
  ["CLUSTER", "GETKEYSINSLOT", "1", "-1"],
  ["CLUSTER", "GETKEYSINSLOT", "16384", "1"],
  ["CLUSTER", "GETKEYSINSLOT", "x", "1"],
  ["CLUSTER", "GETKEYSINSLOT", "1", "x"],
  ["CLUSTER", "KEYSLOT"],
  ["CLUSTER", "NOSUCH"],
  ["CLUSTER", "MYID", "x"],
  ["CLUSTER", "LINKS"],
  ["CLUSTER", "REPLICAS", "<id>"],
  ["CLUSTER", "COUNT-FAILURE-REPORTS", "<id>"],
  ["CLUSTER", "REPLICAS", "abc"],
  ["CLUSTER", "COUNT-FAILURE-REPORTS", "abc"],
  ["SELECT", "1"],
  ["SELECT", "0"],
  ["MOVE", "{t}c", "1"],
  ["SWAPDB", "0", "1"],
  ["COPY", "{t}c", "{t}copy", "DB", "1"],
  ["COPY", "{t}c", "{t}copy", "DB", "99"],
  ["COPY", "{t}c", "{t}copy", "DB", "x"],
  ["COPY", "{t}c", "{t}copy", "DB", "1", "BOGUS"],
  ["COPY", "{t}c", "{t}copy", "DB", "1", "DB", "0"],
  ["COPY", "{t}c", "{t}copy", "DB", "0"],
  ["COPY", "{t}c", "{t}copy2", "DB", "-1"],
  ["ASKING"],
  ["READONLY"],
  ["READWRITE"],
  ["MULTI"],
  ["SET", "a", "1"],
  ["SET", "b", "1"],
  ["EXEC"],
  ["MULTI"],
  ["SET", "{x}1", "1"],
  ["GET", "{x}2"],
  ["EXEC"],
  ["MULTI"],
  ["MGET", "a", "b"],
  ["EXEC"],
  ["CONFIG", "GET", "cluster-enabled"],
  ["INFO", "cluster"]
]

describe.skipIf(!hasRealRedis)("cluster mode against redis-server --cluster-enabled yes", () => {
  let ours: RunningRedfiber | undefined
  let redis: RunningServer | undefined
  let redisDir: string

  beforeAll(async () => {
    redisDir = fs.mkdtempSync(path.join(os.tmpdir(), "redfiber-cluster-"))
    ;[ours, redis] = await Promise.all([
      startRedfiber({ clusterEnabled: "yes" }),
      startRealRedis(["--cluster-enabled", "yes", "--dir", redisDir, "--cluster-config-file", path.join(redisDir, "nodes.conf")])
    ])
    const client = await RawClient.connect(redis.port)
    try {
      await client.call("CLUSTER", "ADDSLOTSRANGE", "0", String(CLUSTER_SLOTS - 1))
      for (let i = 0; i < 100; i++) {
        if (String((await client.call("CLUSTER", "INFO")).value).startsWith("cluster_state:ok")) break
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
    } finally {
      client.close()
    }
  })

  afterAll(async () => {
    await Promise.all([ours?.stop(), redis?.stop()])
    fs.rmSync(redisDir, { recursive: true, force: true })
  })

  for (const protocol of [2, 3] as const) {
    it(`the same replies, ids and addresses masked (RESP${protocol})`, async () => {
      const transcripts: Array<Array<string>> = []
      for (const server of [ours!, redis!]) {
        const client = await RawClient.connect(server.port)
        try {
          if (protocol === 3) await client.call("HELLO", "3")
          await client.call("FLUSHALL")
          const id = String((await client.call("CLUSTER", "MYID")).value)
          const transcript: Array<string> = []
          for (const step of STEPS) {
            const reply = await client.call(...step.map((arg) => (arg === "<id>" ? id : arg)))
            // INFO's cluster section is compared as its one field; a slot's keys in any order (Redis
            // lists the newest first, we list them in table order).
            if (step[0] === "INFO") transcript.push(String(reply.value).trim())
            else if (step[1] === "GETKEYSINSLOT" && Array.isArray(reply.value)) {
              transcript.push(reply.value.map((key: Reply) => String(key.value)).sort().join(","))
            } else transcript.push(masked(reply, id, server.port))
          }
          transcripts.push(transcript)
        } finally {
          client.close()
        }
      }
      for (let i = 0; i < STEPS.length; i++) expect(transcripts[0][i], STEPS[i].join(" ")).toBe(transcripts[1][i])
      expect(transcripts[0].filter((line) => line.includes("CROSSSLOT")).length).toBe(8)
    })
  }

  it("KEYSLOT agrees with Redis on 2000 random keys", async () => {
    const client = await RawClient.connect(redis!.port)
    try {
      for (let i = 0; i < 2000; i++) {
        const bytes = Array.from({ length: 1 + (i % 23) }, (_, j) => String.fromCharCode((i * 31 + j * 17 + (j % 3 === 0 ? 123 : 0)) & 0xff))
        const key = bytes.join("")
        expect(keySlot(key), JSON.stringify(key)).toBe(Number((await client.call("CLUSTER", "KEYSLOT", key)).value))
      }
    } finally {
      client.close()
    }
  })

  it("ioredis Cluster: discovers the node, SET / GET / MGET with a hash tag", async () => {
    const cluster = new Cluster([{ host: "127.0.0.1", port: ours!.port }], { lazyConnect: false })
    try {
      await cluster.set("{user}:name", "ada")
      await cluster.set("{user}:lang", "ts")
      expect(await cluster.get("{user}:name")).toBe("ada")
      expect(await cluster.mget("{user}:name", "{user}:lang", "{user}:none")).toEqual(["ada", "ts", null])
      await expect(cluster.mget("a", "b")).rejects.toThrow(/CROSSSLOT/)
    } finally {
      await cluster.quit()
    }
  })

  it("node-redis createCluster: discovers the node, SET / GET / MGET with a hash tag", async () => {
    const cluster = createCluster({ rootNodes: [{ url: `redis://127.0.0.1:${ours!.port}` }] })
    await cluster.connect()
    try {
      await cluster.set("{order}:1", "one")
      await cluster.set("{order}:2", "two")
      expect(await cluster.get("{order}:1")).toBe("one")
      expect(await cluster.mGet(["{order}:1", "{order}:2"])).toEqual(["one", "two"])
    } finally {
      await cluster.close()
    }
  })
})
