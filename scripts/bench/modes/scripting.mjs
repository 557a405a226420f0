/**
 * Scripting throughput: EVALSHA of three cached scripts — `return 1`, one INCR, and ten INCRs
 * (a script calling the server ten times) — with redis-benchmark -c 50, without and with -P 16,
 * beside real Redis. Reports ops/s (scripts per second) and the ratio to Redis.
 */
import { createHash } from "node:crypto"
import { measureRow } from "../lib/measure.mjs"
import { RespClient } from "../lib/resp-client.mjs"
import { BASELINE } from "../lib/servers.mjs"
import { runInterleaved, summarizeRow } from "./interleaved.mjs"

const SCRIPTS = [
  { name: "return 1", body: "return 1" },
  { name: "1 INCR", body: "return redis.call('INCR', KEYS[1])" },
  { name: "10 INCRs", body: "local v for i = 1, 10 do v = redis.call('INCR', KEYS[1]) end return v" }
]

const sha1 = (text) => createHash("sha1").update(text).digest("hex")

const loadScripts = async (server) => {
  const client = await RespClient.connect(server.port)
  try {
    for (const script of SCRIPTS) await client.command("SCRIPT", "LOAD", script.body)
  } finally {
    client.close()
  }
}

/** Runs the scripting rows on the running `servers`; resolves with the rows and their summaries. */
export const runScripting = async (servers, options, log) => {
  for (const server of servers) await loadScripts(server)
  const rows = options.pipelines.flatMap((pipeline) =>
    SCRIPTS.map((script) => ({
      pipeline,
      command: ["EVALSHA", sha1(script.body), "1", "bench:counter"],
      label: `EVALSHA ${script.name} -P ${pipeline}`
    }))
  )
  log(`Scripting: EVALSHA -c ${options.clients} -n ${options.requests}, ${options.runs} interleaved run(s) per row`)
  await runInterleaved({ rows, servers, runs: options.runs, measure: measureRow(options, "scripts"), log })
  for (const row of rows) row.summary = summarizeRow(row, BASELINE)
  return rows
}
