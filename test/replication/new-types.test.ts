/**
 * Replication of the types and features that came after the command stream: streams with
 * generated IDs and consumer groups, scripts and functions (effects, random and time-dependent
 * writes), bitmaps, BITFIELD, HyperLogLog (PFCOUNT's cache write), geo, SORT STORE and RESTORE,
 * in both directions against real Redis 7.0. Keyspaces are compared key by key with reads that
 * see everything (XINFO STREAM FULL for streams), and FUNCTION LIST must match.
 */
import { describe, expect, it } from "vitest"
import { datasetOf } from "../support/dataset.js"
import { RawClient } from "../support/RawClient.js"
import { type Reply, showReply } from "../support/RespReader.js"
import { hasRealRedis } from "../support/servers.js"
import { infoField, serverPool, startRedfiber, waitInSync } from "./support.js"

const { startRealRedis, started } = serverPool("replication-types", ["--repl-diskless-sync-delay", "0"])



const LIBRARY = [
  "#!lua name=replib",
  "redis.register_function('fset', function(keys, args) return redis.call('SET', keys[1], args[1]) end)",
  "redis.register_function{function_name='fget', callback=function(keys) return redis.call('GET', keys[1]) end, flags={'no-writes'}}"
].join("\n")

/** Writes of the newer families; `phase` varies the names so a second round adds to the first. */
const newTypeWrites = (phase: number): ReadonlyArray<ReadonlyArray<string>> => [
  ["XADD", `st${phase}`, "*", "a", "1"],
  ["XADD", `st${phase}`, "*", "b", "2"],
  ["XADD", `st${phase}`, "MAXLEN", "~", "100", "*", "c", "3"],
  ["XADD", `st${phase}`, "5000000000000-*", "d", "4"],
  ["XADD", `st${phase}`, "NOMKSTREAM", "*", "e", "5"],
  ["XGROUP", "CREATE", `st${phase}`, "g1", "0"],
  ["XGROUP", "CREATE", `st${phase}`, "g2", "$", "ENTRIESREAD", "5"],
  ["XGROUP", "CREATECONSUMER", `st${phase}`, "g2", "idle"],
  ["XREADGROUP", "GROUP", "g1", "alice", "COUNT", "3", "STREAMS", `st${phase}`, ">"],
  ["XREADGROUP", "GROUP", "g1", "bob", "STREAMS", `st${phase}`, ">"],
  ["XACK", `st${phase}`, "g1", "0-1"],
  ["XCLAIM", `st${phase}`, "g1", "carol", "0", "0-0", "FORCE", "JUSTID"],
  ["XAUTOCLAIM", `st${phase}`, "g1", "dave", "0", "0-0", "COUNT", "2"],
  ["XGROUP", "SETID", `st${phase}`, "g2", "0", "ENTRIESREAD", "1"],
  ["XGROUP", "DELCONSUMER", `st${phase}`, "g2", "idle"],
  ["XADD", `trim${phase}`, "1-1", "x", "1"],
  ["XADD", `trim${phase}`, "2-1", "x", "2"],
  ["XADD", `trim${phase}`, "3-1", "x", "3"],
  ["XTRIM", `trim${phase}`, "MAXLEN", "1"],
  ["XADD", `del${phase}`, "1-1", "x", "1"],
  ["XDEL", `del${phase}`, "1-1"],
  ["XSETID", `del${phase}`, "9-9"],
  ["SETBIT", `bits${phase}`, "100", "1"],
  ["SETBIT", `bits${phase}`, "7", "1"],
  ["BITOP", "NOT", `notbits${phase}`, `bits${phase}`],
  ["BITFIELD", `bf${phase}`, "SET", "u8", "0", "200", "INCRBY", "i5", "100", "7", "OVERFLOW", "SAT", "INCRBY", "u4", "3", "20"],
  ["PFADD", `hll${phase}`, "a", "b", "c", "d"],
  ["PFADD", `hll2${phase}`, "c", "d", "e"],
  ["PFCOUNT", `hll${phase}`],
  ["PFMERGE", `hllm${phase}`, `hll${phase}`, `hll2${phase}`],
  ["PFCOUNT", `hll${phase}`, `hll2${phase}`],
  ["GEOADD", `geo${phase}`, "13.361389", "38.115556", "Palermo", "15.087269", "37.502669", "Catania"],
  ["GEOSEARCHSTORE", `geos${phase}`, `geo${phase}`, "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "ASC"],
  ["GEORADIUS", `geo${phase}`, "15", "37", "200", "km", "STORE", `geor${phase}`],
  ["RPUSH", `sortme${phase}`, "3", "1", "2"],
  ["SORT", `sortme${phase}`, "DESC", "STORE", `sorted${phase}`],
  ["SORT_RO", `sortme${phase}`],
  ["SET", `src${phase}`, "dumped"],
  ["EVAL", "redis.call('SET', KEYS[1], ARGV[1]); redis.call('INCR', KEYS[2]); return redis.call('LPUSH', KEYS[3], 'x')", "3", `ev${phase}`, `evn${phase}`, `evl${phase}`, "val"],
  ["EVAL", "redis.call('SET', KEYS[1], tostring(math.random())); local t = redis.call('TIME'); redis.call('SET', KEYS[2], t[1]); return 1", "2", `rnd${phase}`, `time${phase}`],
  ["EVAL", "redis.call('SPOP', KEYS[1]); return redis.call('SRANDMEMBER', KEYS[1])", "1", `evset${phase}`],
  ["EVAL", "return redis.call('GET', KEYS[1])", "1", `ev${phase}`],
  ["FCALL", "fset", "1", `fk${phase}`, "from-function"],
  ["FCALL_RO", "fget", "1", `fk${phase}`]
]

const send = async (port: number, commands: ReadonlyArray<ReadonlyArray<string>>): Promise<Array<Reply>> => {
  const client = await RawClient.connect(port)
  try {
    const replies: Array<Reply> = []
    for (const argv of commands) replies.push(await client.call(...argv))
    return replies
  } finally {
    client.close()
  }
}

/** Loads the library, writes a round of everything, and RESTOREs a DUMP of a string. */
const writeRound = async (port: number, phase: number): Promise<void> => {
  const setup: Array<ReadonlyArray<string>> = [["SADD", `evset${phase}`, "a", "b", "c", "d"]]
  if (phase === 0) setup.push(["FUNCTION", "LOAD", "REPLACE", LIBRARY])
  const replies = await send(port, [...setup, ...newTypeWrites(phase)])
  for (const reply of replies) expect(reply.kind, showReply(reply)).not.toBe("error")
  const [dump] = await send(port, [["DUMP", `src${phase}`]])
  const [restored] = await send(port, [["RESTORE", `restored${phase}`, "0", String(dump.value)]])
  expect(restored).toEqual({ kind: "simple", value: "OK" })
}

/** The values datasetOf cannot read: streams in full, and the function libraries. */
const extras = async (port: number): Promise<Array<string>> => {
  const client = await RawClient.connect(port)
  try {
    const out: Array<string> = []
    const keys = (await client.call("KEYS", "*")).value as Array<Reply>
    for (const key of keys.map((item) => String(item.value)).sort()) {
      if ((await client.call("TYPE", key)).value !== "stream") continue
      out.push(`${key}: ${showReply(await client.call("XINFO", "STREAM", key, "FULL"))}`)
    }
    // A library's functions are listed in hash order (Redis's own replicas differ): sorted here.
    const libraries = (await client.call("FUNCTION", "LIST", "WITHCODE")).value as Array<Reply>
    for (const library of libraries) {
      const fields = library.value as Array<Reply>
      const canonical = fields.map((field, i) =>
        i > 0 && fields[i - 1].value === "functions" ? (field.value as Array<Reply>).map(showReply).sort().join(", ") : showReply(field)
      )
      out.push(`library: ${canonical.join(" ")}`)
    }
    return out
  } finally {
    client.close()
  }
}

/** A consumer's seen-time is the local clock of the last command that touched it: not replicated. */
const withoutClocks = (text: string): string => text.replace(/("seen-time", :)\d+/g, "$1T")

const expectSame = async (primary: number, replica: number): Promise<void> => {
  const [left, right] = await Promise.all([datasetOf(primary, 1), datasetOf(replica, 1)])
  expect(right).toEqual(left)
  const [a, b] = await Promise.all([extras(primary), extras(replica)])
  expect(b.map(withoutClocks)).toEqual(a.map(withoutClocks))
  expect(left.length).toBeGreaterThan(20)
}

describe.skipIf(!hasRealRedis)("replication of streams, scripts, functions, bitmaps, HLL, geo, SORT STORE, RESTORE", () => {
  it("redfiber primary -> real Redis replica: the full sync carries them, then the stream does", async () => {
    const primary = started(await startRedfiber())
    await writeRound(primary.port, 0)
    const replica = started(await startRealRedis(["--replicaof", "127.0.0.1", String(primary.port)]))
    await waitInSync(primary.port, replica.port)
    await writeRound(primary.port, 1)
    await waitInSync(primary.port, replica.port)
    await expectSame(primary.port, replica.port)
    await send(primary.port, [["FUNCTION", "DELETE", "replib"], ["FUNCTION", "LOAD", LIBRARY.replace("replib", "lib2")]])
    await waitInSync(primary.port, replica.port)
    await expectSame(primary.port, replica.port)
    await send(primary.port, [["FUNCTION", "FLUSH"]])
    await waitInSync(primary.port, replica.port)
    await expectSame(primary.port, replica.port)
    // What went to the replica: at least its whole stream; the backlog's memory is what it holds.
    const output = Number(await infoField(primary.port, "stats", "total_net_repl_output_bytes"))
    const offset = Number(await infoField(primary.port, "replication", "master_repl_offset"))
    expect(output).toBeGreaterThanOrEqual(offset)
    expect(await infoField(primary.port, "memory", "mem_replication_backlog")).toBe(await infoField(primary.port, "replication", "repl_backlog_histlen"))
  })

  it("real Redis primary -> redfiber replica: it ends as a real Redis replica of the same primary does", async () => {
    // Redis 7.0's own replica is the oracle: e.g. a group's entries-read is not propagated by
    // XREADGROUP (its XCLAIMs carry LASTID only), so a replica has it unknown where the primary has it.
    const primary = started(await startRealRedis())
    await writeRound(primary.port, 0)
    const oracle = started(await startRealRedis(["--replicaof", "127.0.0.1", String(primary.port)]))
    const replica = started(await startRedfiber({ replicaof: `127.0.0.1 ${primary.port}` }))
    const check = async () => {
      await waitInSync(primary.port, oracle.port)
      await waitInSync(primary.port, replica.port)
      await expectSame(oracle.port, replica.port)
      expect(await datasetOf(replica.port, 1)).toEqual(await datasetOf(primary.port, 1))
    }
    await check()
    const syncedAt = Number(await infoField(replica.port, "replication", "master_repl_offset"))
    await writeRound(primary.port, 1)
    await check()
    await send(primary.port, [["FUNCTION", "DELETE", "replib"], ["FUNCTION", "LOAD", LIBRARY.replace("replib", "lib2")]])
    await check()
    await send(primary.port, [["FUNCTION", "FLUSH"]])
    await check()
    // What came from the primary: its snapshot, then the stream since the snapshot's offset.
    const input = Number(await infoField(replica.port, "stats", "total_net_repl_input_bytes"))
    const streamed = Number(await infoField(replica.port, "replication", "master_repl_offset"))
    expect(input).toBeGreaterThan(streamed - syncedAt)
  })
})
