/**
 * Collection rows (--collections): redis-benchmark's own hset, zadd, lpush and sadd tests, and
 * HGET, ZRANGE and LRANGE (first 100) as explicit commands on keys pre-filled identically on
 * every server, -c 50 at -P 1 and -P 16, redfiber beside Redis in interleaved runs (the
 * plain-Node reference server has no collections).
 *
 * - hset, zadd, sadd write one member named `element:__rand_int__` (redis-benchmark's own
 *   command lines, no -r: after the first call they update it); lpush grows `mylist` by one
 *   element per call. The same commands with -r 100 000 on keys of their own write random
 *   members: collections that grow to 100 000 members (hashtable, skiplist and hashtable
 *   encodings), where the non-random rows stay tiny (listpack, listpack, hashtable).
 * - HGET reads a random field of a 100 000-field hash (-r 100 000; redis-benchmark pads the
 *   number to 12 digits, so the hash's fields are padded the same way, and every call hits),
 *   and of a 100-field one (-r 100), which both servers keep as a listpack and scan.
 * - ZRANGE 0 -1 reads a 2-member sorted set; LRANGE 0 99 the first 100 elements of a
 *   600-element list (what redis-benchmark's lrange_100 test reads, without its LPUSH pre-fill
 *   run inside the measured CPU time).
 */
import { measureRow } from "../lib/measure.mjs"
import { ReplyError, RespClient } from "../lib/resp-client.mjs"
import { BASELINE } from "../lib/servers.mjs"
import { runInterleaved, summarizeRow } from "./interleaved.mjs"

const HASH_FIELDS = 100_000
const HGET_KEY = "coll:hash"
const ZRANGE_KEY = "coll:zset"
const LRANGE_KEY = "coll:list"
const LIST_LENGTH = 600
const SMALL_HASH_KEY = "coll:small-hash"
const SMALL_HASH_FIELDS = 100

const RANDOM = 100_000

const ROWS = [
  { label: "HSET", test: "hset" },
  { label: `HSET (-r ${RANDOM})`, command: ["HSET", "coll:random-hash", "element:__rand_int__", "xxx"], randomKeys: RANDOM },
  { label: `HGET (${HASH_FIELDS.toLocaleString("en-US")}-field hash, -r ${HASH_FIELDS})`, command: ["HGET", HGET_KEY, "element:__rand_int__"], randomKeys: HASH_FIELDS },
  { label: `HGET (${SMALL_HASH_FIELDS}-field listpack hash, -r ${SMALL_HASH_FIELDS})`, command: ["HGET", SMALL_HASH_KEY, "element:__rand_int__"], randomKeys: SMALL_HASH_FIELDS },
  { label: "ZADD", test: "zadd" },
  { label: `ZADD (-r ${RANDOM})`, command: ["ZADD", "coll:random-zset", "0", "element:__rand_int__"], randomKeys: RANDOM },
  { label: "ZRANGE 0 -1 (2 members)", command: ["ZRANGE", ZRANGE_KEY, "0", "-1"] },
  { label: "LPUSH", test: "lpush" },
  { label: `LRANGE 0 99 (${LIST_LENGTH} elements)`, command: ["LRANGE", LRANGE_KEY, "0", "99"] },
  { label: "SADD", test: "sadd" },
  { label: `SADD (-r ${RANDOM})`, command: ["SADD", "coll:random-set", "element:__rand_int__"], randomKeys: RANDOM }
]

/** The keys the read rows read, written the same way on every server; resolves with a problem or undefined. */
const prefillServer = async (port) => {
  const client = await RespClient.connect(port)
  try {
    const commands = [["DEL", HGET_KEY, SMALL_HASH_KEY, ZRANGE_KEY, LRANGE_KEY, "coll:random-hash", "coll:random-zset", "coll:random-set"]]
    for (let first = 0; first < HASH_FIELDS; first += 5000) {
      const args = ["HSET", HGET_KEY]
      for (let i = first; i < first + 5000; i++) args.push(`element:${String(i).padStart(12, "0")}`, "xxx")
      commands.push(args)
    }
    const smallHash = ["HSET", SMALL_HASH_KEY]
    for (let i = 0; i < SMALL_HASH_FIELDS; i++) smallHash.push(`element:${String(i).padStart(12, "0")}`, "xxx")
    commands.push(smallHash)
    commands.push(["ZADD", ZRANGE_KEY, "1", "one", "2", "two"])
    commands.push(["RPUSH", LRANGE_KEY, ...Array(LIST_LENGTH).fill("xxx")])
    const replies = await client.pipeline(commands)
    return replies.find((reply) => reply instanceof ReplyError)?.message
  } finally {
    client.close()
  }
}

/** Runs the collection rows on the running servers (Redis and redfiber only). */
export const runCollections = async (allServers, options, log) => {
  const servers = allServers.filter((server) => server.name !== "node-ref")
  const rows = options.pipelines.flatMap((pipeline) =>
    ROWS.map((entry) => ({ ...entry, pipeline, label: `${entry.label} -P ${pipeline}` }))
  )
  for (const server of servers) {
    const problem = await prefillServer(server.port)
    log(`  ${server.name}: ${problem === undefined ? "collections pre-filled" : `pre-fill FAILED: ${problem}`}`)
    if (problem !== undefined) for (const row of rows) row.errors = { ...row.errors, [server.name]: `pre-fill failed: ${problem}` }
  }
  log(`Collections: -c ${options.clients} -n ${options.requests}, ${options.runs} interleaved run(s) per row`)
  await runInterleaved({ rows, servers, runs: options.runs, measure: measureRow(options), log })
  for (const row of rows) row.summary = summarizeRow(row, BASELINE)
  return rows
}
