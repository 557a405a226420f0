/**
 * Startup: from process launch to the first PONG, several launches per server (interleaved),
 * median. Each launched process is stopped before the next one starts.
 */
import { median, rotate } from "../lib/stats.mjs"
import { launchServer, stopServer } from "../lib/servers.mjs"

export const runStartup = async (serverNames, options, log) => {
  log(`Startup: launch to first PONG, ${options.startupLaunches} launches per server`)
  const timings = Object.fromEntries(serverNames.map((name) => [name, []]))
  const errors = {}
  for (let launch = 0; launch < options.startupLaunches; launch++) {
    for (const name of rotate(serverNames, launch)) {
      if (errors[name] !== undefined) continue
      try {
        const server = await launchServer(name)
        await stopServer(server)
        timings[name].push(server.launchToPongMs)
        log(`  ${name} launch ${launch + 1}: ${server.launchToPongMs.toFixed(1)} ms`)
      } catch (error) {
        errors[name] = error.message.split("\n")[0]
        log(`  ${name} FAILED: ${errors[name]}`)
      }
    }
  }
  return serverNames.map((name) => ({
    name,
    medianMs: median(timings[name]),
    minMs: Math.min(...timings[name]),
    maxMs: Math.max(...timings[name]),
    error: errors[name]
  }))
}
