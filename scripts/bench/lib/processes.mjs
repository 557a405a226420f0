/**
 * Every child process the bench starts, tracked by PID so each one is stopped on every path:
 * the normal end (`stopAll` in a `finally`), Ctrl+C or SIGTERM (a signal handler), and a crash
 * (the `exit` handler). Children's output is kept (a bounded tail) for error reports and for
 * reading a server's log lines.
 */
import { spawn } from "node:child_process"
import net from "node:net"

const OUTPUT_TAIL_CHARS = 16_384
/** PID → tracked child, for as long as the child lives. */
const liveChildren = new Map()

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

/** What `promise` resolves to, or `undefined` once `ms` have passed (the timer is cleared either way). */
export const within = (promise, ms) => {
  let timer
  const timeout = new Promise((resolve) => {
    timer = setTimeout(resolve, ms, undefined)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

/**
 * Spawns `command` and resolves once it runs (rejects when it cannot be started, e.g. not
 * installed). The result has `pid`, `output()` (tail of stdout+stderr), `stdout()` (tail of
 * stdout alone), `exited` (a promise of `{ code, signal }`), `hasExited()` and `exitStatus()`.
 */
export const startProcess = (command, args, options = {}) =>
  new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], ...options })
    let output = ""
    let stdout = ""
    let exitStatus
    const keep = (chunk) => {
      output = (output + chunk.toString("utf8")).slice(-OUTPUT_TAIL_CHARS)
    }
    child.stdout.on("data", (chunk) => {
      stdout = (stdout + chunk.toString("utf8")).slice(-OUTPUT_TAIL_CHARS)
      keep(chunk)
    })
    child.stderr.on("data", keep)
    const exited = new Promise((resolveExit) =>
      child.once("exit", (code, signal) => {
        exitStatus = { code, signal }
        liveChildren.delete(child.pid)
        resolveExit(exitStatus)
      })
    )
    child.once("error", reject)
    child.once("spawn", () => {
      const tracked = {
        pid: child.pid,
        name: command,
        exited,
        output: () => output,
        stdout: () => stdout,
        hasExited: () => exitStatus !== undefined,
        exitStatus: () => exitStatus
      }
      liveChildren.set(child.pid, tracked)
      resolve(tracked)
    })
  })

/** Sends `signal`, waits up to `graceMs`, then SIGKILLs. Resolves with the exit status. */
export const stopProcess = async (tracked, { signal = "SIGTERM", graceMs = 5000 } = {}) => {
  if (!tracked.hasExited()) {
    killQuietly(tracked.pid, signal)
    const status = await within(tracked.exited, graceMs)
    if (status === undefined && !tracked.hasExited()) killQuietly(tracked.pid, "SIGKILL")
  }
  return tracked.exited
}

/** Stops every child still running (gracefully first). */
export const stopAll = () => Promise.all([...liveChildren.values()].map((tracked) => stopProcess(tracked)))

/** Signals `pid`; a process that is already gone is not an error. */
const killQuietly = (pid, signal) => {
  try {
    process.kill(pid, signal)
  } catch {
    // Exited between the check and the kill.
  }
}

const killAllNow = () => {
  for (const pid of liveChildren.keys()) killQuietly(pid, "SIGKILL")
  liveChildren.clear()
}

/** On Ctrl+C / SIGTERM: kill every child by PID and exit; on any exit: kill what is left. */
export const installCleanupHandlers = () => {
  const onSignal = (signal) => {
    process.stderr.write(`\nbench: ${signal} received, stopping ${liveChildren.size} process(es)\n`)
    killAllNow()
    process.exit(130)
  }
  process.once("SIGINT", onSignal)
  process.once("SIGTERM", onSignal)
  process.once("exit", killAllNow)
}

/** A TCP port nobody listens on right now (the OS picks it). */
export const freePort = () =>
  new Promise((resolve, reject) => {
    const probe = net.createServer()
    probe.once("error", reject)
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address()
      probe.close(() => resolve(port))
    })
  })
