/**
 * Idle clients: N connections to a fresh redfiber, each served one PING, then left idle;
 * then SIGINT, timing the graceful drain from the signal to the process's exit, next to what
 * the server itself logs ("Shutdown: drained N connection(s) in X ms").
 */
import { stopProcess, within } from "../lib/processes.mjs"
import { rssBytes } from "../lib/proc.mjs"
import { RespClient } from "../lib/resp-client.mjs"
import { launchServer, stopServer } from "../lib/servers.mjs"

const CONNECT_BATCH = 500
const EXIT_TIMEOUT_MS = 60_000

/** Opens `count` connections, `CONNECT_BATCH` at a time; failures are counted, not thrown. */
const connectMany = async (port, count) => {
  const clients = []
  let failed = 0
  for (let opened = 0; opened < count; opened += CONNECT_BATCH) {
    const batch = Math.min(CONNECT_BATCH, count - opened)
    const settled = await Promise.allSettled(Array.from({ length: batch }, () => RespClient.connect(port)))
    for (const outcome of settled) {
      if (outcome.status === "fulfilled") clients.push(outcome.value)
      else failed++
    }
  }
  return { clients, failed }
}

const countPongs = async (clients) => {
  const replies = await Promise.allSettled(clients.map((client) => client.command("PING")))
  return replies.filter((outcome) => outcome.status === "fulfilled" && outcome.value === "PONG").length
}

/** Time from SIGINT to exit, and the server's own drain summary line. */
const drainOnSigint = async (server) => {
  const started = performance.now()
  process.kill(server.process.pid, "SIGINT")
  const status = await within(server.process.exited, EXIT_TIMEOUT_MS)
  const exitMs = performance.now() - started
  if (status === undefined) {
    await stopProcess(server.process, { signal: "SIGKILL" })
    return { error: `still running ${EXIT_TIMEOUT_MS / 1000} s after SIGINT (killed)` }
  }
  const logged = /Shutdown: drained (\d+) connection\(s\) in (\d+) ms[^\n]*/.exec(server.process.stdout())
  return {
    exitMs,
    exitCode: status.code,
    drainedConnections: logged ? Number(logged[1]) : undefined,
    loggedDrainMs: logged ? Number(logged[2]) : undefined,
    drainLine: logged ? logged[0].trim() : "no 'Shutdown: drained' line in the server's output"
  }
}

export const runIdleClients = async (count, log) => {
  log(`Idle clients: ${count} connections to redfiber, one PING each, then SIGINT`)
  const server = await launchServer("redfiber", ["--maxclients", String(count + 16)])
  let clients = []
  try {
    const rssBefore = rssBytes(server.process.pid)
    const connectStarted = performance.now()
    const connected = await connectMany(server.port, count)
    clients = connected.clients
    const connectMs = performance.now() - connectStarted
    const served = await countPongs(clients)
    const rssWithClients = rssBytes(server.process.pid)
    log(`  connected ${clients.length}/${count} in ${connectMs.toFixed(0)} ms, ${served} served a PING`)
    const drain = await drainOnSigint(server)
    log(`  ${drain.error ?? `exited ${drain.exitMs.toFixed(0)} ms after SIGINT; server: ${drain.drainLine}`}`)
    return { count, connected: clients.length, failedConnects: connected.failed, served, connectMs, rssBefore, rssWithClients, ...drain }
  } finally {
    for (const client of clients) client.close()
    await stopServer(server)
  }
}
