/**
 * Data-type rows (--data): bitmap and HyperLogLog commands with redis-benchmark, -c 50 at -P 1
 * and -P 16, redfiber beside Redis (the plain-Node reference server has no such commands).
 *
 * - SETBIT and BITCOUNT on a 1 MB bitmap (pre-filled with random bytes). redfiber keeps the whole
 *   value's count of an in-place bitmap up to date as it changes (Redis counts every time), so
 *   the range row (all bytes but the first and last) is the one that measures counting. redis-benchmark's
 *   random placeholder is zero-padded, which no offset argument accepts, so SETBIT writes one
 *   fixed bit (after the first call it no longer changes: both servers then skip the write);
 *   BITFIELD INCRBY u1 on a fixed bit flips it on every call: a real one-bit write into the
 *   1 MB value each time.
 * - PFADD of 10 random elements (-r 1000000) into one HLL, then PFCOUNT of it (its cached
 *   estimate, recomputed after each change) and PFCOUNT of it with a second HLL (the union,
 *   computed every time).
 */
import { measureRow } from "../lib/measure.mjs"
import { RespClient } from "../lib/resp-client.mjs"
import { BASELINE } from "../lib/servers.mjs"
import { runInterleaved, summarizeRow } from "./interleaved.mjs"

const BITMAP_BYTES = 1024 * 1024
const RANDOM = "__rand_int__"

const COMMANDS = [
  { label: "SETBIT (1 MB bitmap, one fixed bit)", command: ["SETBIT", "bm", "4194304", "1"] },
  { label: "BITFIELD INCRBY u1 (1 MB bitmap, flips a bit)", command: ["BITFIELD", "bm", "INCRBY", "u1", "4194305", "1"] },
  { label: "BITCOUNT (1 MB bitmap, whole)", command: ["BITCOUNT", "bm"] },
  { label: "BITCOUNT (1 MB bitmap, bytes 1..-2)", command: ["BITCOUNT", "bm", "1", "-2"] },
  { label: "PFADD (10 random elements)", command: ["PFADD", "hll", ...Array(10).fill(RANDOM)], randomKeys: 1_000_000 },
  { label: "PFCOUNT (1 key)", command: ["PFCOUNT", "hll"] },
  { label: "PFCOUNT (2 keys, union)", command: ["PFCOUNT", "hll", "hll2"] }
]

/** A 1 MB bitmap of random bytes at `bm` and a dense HLL at `hll2` on each server. */
const prefill = async (servers, log) => {
  const bytes = Buffer.alloc(BITMAP_BYTES)
  for (let i = 0; i < bytes.length; i++) bytes[i] = (Math.random() * 256) | 0
  const bitmap = bytes.toString("latin1")
  const elements = Array.from({ length: 5000 }, (_, i) => `other-${i}`)
  for (const server of servers) {
    const client = await RespClient.connect(server.port)
    try {
      await client.pipeline([["SET", "bm", bitmap], ["SETBIT", "bm", "0", "1"], ["DEL", "hll"], ["PFADD", "hll2", ...elements]])
    } finally {
      client.close()
    }
    log(`  ${server.name}: 1 MB bitmap and a dense HLL written`)
  }
}

/** Runs the data-type rows on the running servers (Redis and redfiber only). */
export const runDataTypes = async (allServers, options, log) => {
  const servers = allServers.filter((server) => server.name !== "node-ref")
  const requests = options.quick ? 20_000 : 100_000
  const rows = options.pipelines.flatMap((pipeline) =>
    COMMANDS.map((entry) => ({
      ...entry,
      pipeline,
      // BITCOUNT reads 1 MB per call: fewer of them.
      requests: entry.command[0] === "BITCOUNT" ? requests / 20 : requests,
      label: `${entry.label} -P ${pipeline}`
    }))
  )
  log(`Data types: -c ${options.clients}, ${options.runs} interleaved run(s) per row`)
  await prefill(servers, log)
  await runInterleaved({ rows, servers, runs: options.runs, measure: measureRow(options), log })
  for (const row of rows) row.summary = summarizeRow(row, BASELINE)
  return rows
}
