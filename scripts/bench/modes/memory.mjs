/**
 * Memory: resident set size (VmRSS) of a fresh server before and after 1 000 000 SETs of
 * 10-byte values on distinct keys (the keys redis-benchmark's `-r 1000000` uses), read a
 * moment after the last reply.
 */
import { residentPages, residentSplit } from "../lib/proc.mjs"
import { fillKeys, RespClient } from "../lib/resp-client.mjs"
import { launchServer, stopServer } from "../lib/servers.mjs"
import { sleep } from "../lib/processes.mjs"

const SETTLE_MS = 1000

/** DBSIZE, or undefined when the server does not know it. */
const keyCount = async (port) => {
  const client = await RespClient.connect(port)
  try {
    const reply = await client.command("DBSIZE")
    return typeof reply === "number" ? reply : undefined
  } finally {
    client.close()
  }
}

const measureOne = async (name, options, log) => {
  const server = await launchServer(name)
  try {
    const before = residentPages(server.process.pid)
    const rssBefore = before.rss
    const started = performance.now()
    const value = "v".repeat(options.memoryValueBytes)
    const problem = await fillKeys(server.port, options.memoryKeys, value)
    if (problem !== undefined) return { name, error: `SET failed: ${problem}` }
    const fillSeconds = (performance.now() - started) / 1000
    await sleep(SETTLE_MS)
    const after = residentPages(server.process.pid)
    const rssAfter = after.rss
    const keys = await keyCount(server.port)
    log(`  ${name}: ${(rssBefore / 2 ** 20).toFixed(1)} MiB → ${(rssAfter / 2 ** 20).toFixed(1)} MiB ${residentSplit(before, after)}`)
    return { name, rssBefore, rssAfter, keys, fillSeconds, bytesPerKey: (rssAfter - rssBefore) / options.memoryKeys }
  } finally {
    await stopServer(server)
  }
}

export const runMemory = async (serverNames, options, log) => {
  log(`Memory: RSS after ${options.memoryKeys} SETs of ${options.memoryValueBytes}-byte values on distinct keys`)
  const results = []
  for (const name of serverNames) {
    try {
      results.push(await measureOne(name, options, log))
    } catch (error) {
      results.push({ name, error: error.message.split("\n")[0] })
    }
    if (results.at(-1).error) log(`  ${name} FAILED: ${results.at(-1).error}`)
  }
  return results
}
