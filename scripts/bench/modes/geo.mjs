/**
 * Geo throughput: GEOADD of new members (random names, -r 100 000) and GEOSEARCH by radius in a
 * sorted set of 100 000 members spread over a 2° x 2° square around Paris (a 1 km radius holds
 * about ten of them), with -c 50 and -P 1 / -P 16, redfiber beside Redis in interleaved runs.
 */
import { measureRow } from "../lib/measure.mjs"
import { ReplyError, RespClient } from "../lib/resp-client.mjs"
import { BASELINE, launchServer, stopServer } from "../lib/servers.mjs"
import { runInterleaved, summarizeRow } from "./interleaved.mjs"

const MEMBERS = 100_000
const SEARCH_KEY = "geo:search"

const COMMANDS = {
  GEOADD: ["GEOADD", "geo:add", "13.361389", "38.115556", "m:__rand_int__"],
  GEOSEARCH: ["GEOSEARCH", SEARCH_KEY, "FROMLONLAT", "2.35", "48.85", "BYRADIUS", "1", "km", "ASC", "WITHDIST"]
}

/** Fills the searched set: member i at a fixed pseudo-random point of the square. */
const fillSearchSet = async (port) => {
  const client = await RespClient.connect(port)
  try {
    let state = 12345
    const next = () => {
      state = (state * 1103515245 + 12345) % 2147483648
      return state / 2147483648
    }
    for (let first = 0; first < MEMBERS; first += 10_000) {
      const args = ["GEOADD", SEARCH_KEY]
      for (let i = first; i < first + 10_000; i++) {
        args.push((1.35 + 2 * next()).toFixed(6), (47.85 + 2 * next()).toFixed(6), `member:${i}`)
      }
      const [reply] = await client.pipeline([args])
      if (reply instanceof ReplyError) return reply.message
    }
    return undefined
  } finally {
    client.close()
  }
}

/** Runs the geo rows on redfiber and Redis (the plain-Node reference has no geo commands). */
export const runGeo = async (serverNames, options, log) => {
  const names = serverNames.filter((name) => name !== "node-ref")
  const rows = options.pipelines.flatMap((pipeline) =>
    Object.entries(COMMANDS).map(([test, command]) => ({
      test,
      command,
      randomKeys: MEMBERS,
      pipeline,
      label: `${test} -P ${pipeline}`
    }))
  )
  const servers = []
  try {
    for (const name of names) servers.push(await launchServer(name))
    for (const server of servers) {
      const problem = await fillSearchSet(server.port)
      log(`  ${server.name}: ${problem === undefined ? `${MEMBERS} members in ${SEARCH_KEY}` : `fill FAILED: ${problem}`}`)
      if (problem !== undefined) for (const row of rows) (row.errors ??= {})[server.name] = `fill failed: ${problem}`
    }
    log(`Geo: -c ${options.clients} -n ${options.requests}, ${options.runs} interleaved run(s) per row`)
    await runInterleaved({ rows, servers, runs: options.runs, measure: measureRow(options), log })
  } finally {
    await Promise.all(servers.map(stopServer))
  }
  for (const row of rows) row.summary = summarizeRow(row, BASELINE)
  return { rows, serverNames: names }
}
