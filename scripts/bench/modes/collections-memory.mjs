/**
 * Collections memory: resident set size (VmRSS) growth of a fresh server while 100 000 keys
 * of each collection type are filled with 10 short elements each (one pipelined HSET, ZADD,
 * RPUSH or SADD per key; sets of words and sets of integers, Redis's intsets), read a moment after
 * the last reply. Below Redis's listpack thresholds, so this measures the compact encodings of small
 * collections.
 */
import { residentPages, residentSplit } from "../lib/proc.mjs"
import { ReplyError, RespClient } from "../lib/resp-client.mjs"
import { launchServer, stopServer } from "../lib/servers.mjs"
import { sleep } from "../lib/processes.mjs"

const SETTLE_MS = 1000
const BATCH = 2000
const ELEMENTS = 10

/** family → the one command that fills key number `n` with ELEMENTS short elements. */
const FILLERS = {
  hash: (key) => ["HSET", key, ...Array.from({ length: ELEMENTS }, (_, i) => [`field${i}`, `value${i}`]).flat()],
  zset: (key) => ["ZADD", key, ...Array.from({ length: ELEMENTS }, (_, i) => [String(i), `member${i}`]).flat()],
  list: (key) => ["RPUSH", key, ...Array.from({ length: ELEMENTS }, (_, i) => `element${i}`)],
  set: (key) => ["SADD", key, ...Array.from({ length: ELEMENTS }, (_, i) => `member${i}`)],
  intset: (key) => ["SADD", key, ...Array.from({ length: ELEMENTS }, (_, i) => String(i * 1000))]
}
export const COLLECTION_FAMILIES = Object.keys(FILLERS)

const fill = async (port, family, count) => {
  const client = await RespClient.connect(port)
  try {
    for (let first = 0; first < count; first += BATCH) {
      const commands = []
      for (let n = first; n < Math.min(first + BATCH, count); n++) commands.push(FILLERS[family](`${family}:${n}`))
      const failed = (await client.pipeline(commands)).find((reply) => reply instanceof ReplyError)
      if (failed !== undefined) return failed.message
    }
    const encoding = await client.command("OBJECT", "ENCODING", `${family}:0`)
    return { encoding }
  } finally {
    client.close()
  }
}

const measureOne = async (name, family, keys, log) => {
  const server = await launchServer(name)
  try {
    await sleep(200)
    const before = residentPages(server.process.pid)
    const rssBefore = before.rss
    const filled = await fill(server.port, family, keys)
    if (typeof filled === "string") return { name, family, error: `fill failed: ${filled}` }
    await sleep(SETTLE_MS)
    const after = residentPages(server.process.pid)
    const rssAfter = after.rss
    const growth = rssAfter - rssBefore
    log(`  ${family} ${name}: +${(growth / 2 ** 20).toFixed(1)} MiB (${filled.encoding}) ${residentSplit(before, after)}`)
    return { name, family, rssBefore, rssAfter, growth, bytesPerKey: growth / keys, encoding: filled.encoding }
  } finally {
    await stopServer(server)
  }
}

/** Each family on a fresh process of each server (redfiber and redis only). */
export const runCollectionsMemory = async (serverNames, options, log) => {
  const keys = options.collectionsMemoryKeys
  log(`Collections memory: RSS growth for ${keys} keys of ${ELEMENTS} short elements each`)
  const results = []
  for (const family of COLLECTION_FAMILIES) {
    for (const name of serverNames.filter((server) => server !== "node-ref")) {
      try {
        results.push(await measureOne(name, family, keys, log))
      } catch (error) {
        results.push({ name, family, error: error.message.split("\n")[0] })
      }
      if (results.at(-1).error) log(`  ${family} ${name} FAILED: ${results.at(-1).error}`)
    }
  }
  return results
}
