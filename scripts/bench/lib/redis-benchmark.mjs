/**
 * Runs one `redis-benchmark --csv` test against a port and reads its result row: requests
 * per second and latency percentiles. A failed run (an error reply, which makes
 * redis-benchmark exit 1; a refused connection; a timeout) comes back as `{ error }` saying
 * why, never as an exception.
 */
import { startProcess, stopProcess, within } from "./processes.mjs"

/** redis-benchmark's -t name → the name its report uses. */
export const TEST_NAMES = { set: "SET", get: "GET", incr: "INCR", mset: "MSET (10 keys)" }

/**
 * @param {object} options
 * @param {number} options.port
 * @param {string} options.test        redis-benchmark's -t name: set, get, incr, mset
 * @param {number} options.requests    -n
 * @param {number} options.clients     -c
 * @param {number} options.pipeline    -P
 * @param {number} [options.randomKeys] -r
 * @param {number} [options.dataSize]  -d
 * @param {string[]} [options.command] a command to run instead of a -t test
 * @returns {Promise<{ rps: number, avgMs: number, p50Ms: number } | { error: string }>}
 */
export const runRedisBenchmark = async (options) => {
  const { port, test, requests, clients, pipeline, randomKeys, dataSize, command } = options
  // A `command` (argv) is benchmarked as given; its CSV row is named after its words.
  const args = ["-h", "127.0.0.1", "-p", String(port), "-n", String(requests)]
  if (command === undefined) args.push("-t", test)
  args.push("-c", String(clients), "-P", String(pipeline), "--csv")
  if (randomKeys) args.push("-r", String(randomKeys))
  if (dataSize) args.push("-d", String(dataSize))
  if (command !== undefined) args.push(...command)
  const child = await startProcess("redis-benchmark", args)
  const timeoutMs = 60_000 + requests / 2 // bounded even when a server answers very slowly
  const status = await within(child.exited, timeoutMs)
  if (status === undefined) {
    await stopProcess(child, { signal: "SIGKILL" })
    return { error: `redis-benchmark timed out after ${Math.round(timeoutMs / 1000)} s` }
  }
  const row = findCsvRow(child.stdout(), command === undefined ? test : command.join(" "))
  if (status.code !== 0 || row === undefined) return { error: explainFailure(child.output(), status) }
  return row
}

/** The CSV row of `test` ("SET", "MSET (10 keys)", ...), parsed. */
const findCsvRow = (output, test) => {
  const wanted = test.toUpperCase()
  for (const line of output.split("\n")) {
    const cells = line.trim().split(",").map((cell) => cell.replace(/^"|"$/g, ""))
    const name = cells[0].toUpperCase()
    if (name === wanted || name.startsWith(`${wanted} (`)) {
      const rps = Number(cells[1])
      if (Number.isFinite(rps)) return { rps, avgMs: Number(cells[2]), p50Ms: Number(cells[4]) }
    }
  }
  return undefined
}

/** The most telling line of a failed run ("Error from server: ERR unknown command 'SET' ..."). */
const explainFailure = (output, status) => {
  const lines = output.split("\n").map((line) => line.trim()).filter((line) => line !== "" && !line.startsWith("WARNING"))
  const telling = lines.find((line) => /error|could not connect|refused|reset/i.test(line) && !line.startsWith('"test"'))
  const exit = status.signal ? `killed by ${status.signal}` : `exit code ${status.code}`
  return `${(telling ?? "no result row").slice(0, 160)} (redis-benchmark ${exit})`
}
