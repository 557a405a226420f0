/**
 * The servers under test and how to launch each one on a port: redfiber (our build), a real
 * `redis-server` (when installed; it is the baseline every ratio divides by) and node-ref
 * (scripts/bench/reference-server.mjs, what plain Node can do).
 */
import { spawnSync } from "node:child_process"
import { existsSync, readFileSync } from "node:fs"
import path from "node:path"
import { fileURLToPath } from "node:url"
import { freePort, startProcess, stopProcess } from "./processes.mjs"
import { waitForPong } from "./resp-client.mjs"

export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..")
const REDFIBER_ENTRY = path.join(PROJECT_ROOT, "dist/redfiber-server.js")
const REFERENCE_ENTRY = path.join(PROJECT_ROOT, "scripts/bench/reference-server.mjs")

/** The baseline of every ratio. */
export const BASELINE = "redis"

/**
 * redfiber's V8 flags as `pnpm start` sets them: its young generation (REDFIBER_SEMI_SPACE_MB,
 * default 2; empty: no flag, the launcher's own limit; see scripts/build.mjs) and optimizing
 * compilation on the main thread (bench/README.md).
 */
const semiSpaceMb = process.env.REDFIBER_SEMI_SPACE_MB ?? "2"
const REDFIBER_NODE_FLAGS = [
  ...(semiSpaceMb === "" ? [] : [`--max-semi-space-size=${semiSpaceMb}`]),
  "--no-concurrent-recompilation"
]

/** `--before DIR`: another build of redfiber (a checkout with dist/ built), run as the server "before". */
let beforeEntry
/** The V8 flags that checkout's `pnpm start` gives node (its own, so a flag change counts as a change). */
let beforeNodeFlags = []

/** The node flags of a package.json `start` script (`... && node FLAGS dist/redfiber-server.js`), `${V:-d}` expanded. */
const startScriptNodeFlags = (dir) => {
  const start = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")).scripts?.start ?? ""
  const launch = /(?:^|&&\s*)node\s+([^&]*?)\s*dist\/redfiber-server\.js/.exec(start)
  if (launch === null) return []
  return launch[1]
    .replace(/\$\{(\w+):-([^}]*)\}/g, (_, name, fallback) => process.env[name] ?? fallback)
    .split(/\s+/)
    .filter((flag) => flag.startsWith("--"))
}

/** name → how to launch it on `port` (extra flags for redfiber and Redis). */
const LAUNCHERS = {
  redfiber: (port, extraFlags = []) => [process.execPath, [...REDFIBER_NODE_FLAGS, REDFIBER_ENTRY, "--port", String(port), ...extraFlags]],
  before: (port, extraFlags = []) => [process.execPath, [...beforeNodeFlags, beforeEntry, "--port", String(port), ...extraFlags]],
  redis: (port, extraFlags = []) => [
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no", ...extraFlags]
  ],
  "node-ref": (port) => [process.execPath, [REFERENCE_ENTRY, "--port", String(port)]]
}

const commandWorks = (command, args) => spawnSync(command, args, { encoding: "utf8" }).status === 0

export const redisServerInstalled = () => commandWorks("redis-server", ["--version"])
export const redisBenchmarkInstalled = () => commandWorks("redis-benchmark", ["--version"])

/**
 * The servers this machine can run, redfiber first; with `beforeDir`, that build too, as "before",
 * interleaved with the others like any server (a before/after comparison in one run).
 */
export const availableServers = (beforeDir) => {
  if (!existsSync(REDFIBER_ENTRY)) throw new Error(`${REDFIBER_ENTRY} is missing: run node scripts/build.mjs first`)
  const names = redisServerInstalled() ? ["redfiber", "redis", "node-ref"] : ["redfiber", "node-ref"]
  if (beforeDir === undefined) return names
  beforeEntry = path.resolve(beforeDir, "dist/redfiber-server.js")
  if (!existsSync(beforeEntry)) throw new Error(`${beforeEntry} is missing: build that checkout first`)
  beforeNodeFlags = startScriptNodeFlags(beforeDir)
  return ["redfiber", "before", ...names.slice(1)]
}

/** One line about each program's version, for the report header. */
export const versions = () => {
  const redis = spawnSync("redis-server", ["--version"], { encoding: "utf8" })
  const bench = spawnSync("redis-benchmark", ["--version"], { encoding: "utf8" })
  const git = spawnSync("git", ["rev-parse", "--short", "HEAD"], { cwd: PROJECT_ROOT, encoding: "utf8" })
  return {
    node: process.version,
    redis: redis.status === 0 ? redis.stdout.trim().split(" ").find((part) => part.startsWith("v="))?.slice(2) : "absent",
    redisBenchmark: bench.status === 0 ? bench.stdout.trim() : "absent",
    commit: git.status === 0 ? git.stdout.trim() : "unknown"
  }
}

/**
 * Launches server `name` on a free port and waits for its first PONG. Resolves with
 * `{ name, port, process, launchToPongMs }`; on failure the process is stopped and the error
 * says what the server printed.
 */
export const launchServer = async (name, extraFlags) => {
  const port = await freePort()
  const [command, args] = LAUNCHERS[name](port, extraFlags)
  const started = performance.now()
  const child = await startProcess(command, args, { cwd: PROJECT_ROOT })
  try {
    await waitForPong(port, { timeoutMs: 20_000 })
  } catch (error) {
    await stopProcess(child, { graceMs: 1000 })
    throw new Error(`${name} did not start: ${error.message}\n${child.output().slice(-1000)}`)
  }
  return { name, port, process: child, launchToPongMs: performance.now() - started }
}

export const stopServer = (server) => stopProcess(server.process)

/** Why a launched server cannot answer any more (it exited), or undefined while it runs. */
export const serverGoneReason = (server) => {
  const status = server.process.exitStatus()
  if (status === undefined) return undefined
  const how = status.signal ? `killed by ${status.signal}` : `exit code ${status.code}`
  const lastLine = server.process.output().trim().split("\n").at(-1) ?? ""
  return `server process exited (${how}); its last output: ${lastLine.slice(-200)}`
}
