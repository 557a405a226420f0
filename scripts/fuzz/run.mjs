#!/usr/bin/env node
/**
 * `pnpm fuzz`: hostile input against a real server process.
 *
 *   pnpm fuzz [--seconds 60] [--cases 1000000] [--connections 32] [--seed N] [--max-rss-mb 400] [--json]
 *
 * Starts dist/redfiber-server.js as a child process on an ephemeral port, in a temporary
 * directory with a password, then runs `--connections` concurrent connections (half authenticate
 * as the default user, a quarter as restricted ACL users), each sending one case after another
 * (scripts/fuzz/cases.mjs: valid and mutated RESP, bad lengths, huge declared sizes, garbage, negative counts, deep nesting, broken inline commands, frames split at random byte
 * boundaries, partial frames left hanging, connections that never read) until `--seconds` or
 * `--cases` is reached. Meanwhile a control client checks every second that the server still
 * answers correctly (SET then GET of a fresh value, 5 s to answer) and the server's resident
 * memory is read from /proc/<pid>/status.
 *
 * Reports cases, connections, crashes (the process exited), hangs (the control client got no
 * answer in time), wrong answers, internal errors (a reply saying a command threw), connection
 * defects (the server logged a connection that died of one), and the RSS peak. The server is
 * stopped at the end (SIGTERM, then SIGKILL after 5 s), started again on its append-only file
 * (which must load, with the last control value in it), stopped, and its directory removed. Exits
 * 1 if any of those went wrong or the RSS peak passed `--max-rss-mb`.
 */
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as net from "node:net"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { fuzzableCommands, makeCase, makeRandom } from "./cases.mjs"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..")

const parseArgs = (argv) => {
  const options = { seconds: 60, cases: 1_000_000, connections: 32, seed: Date.now() % 2 ** 31, maxRssMb: 400, json: false }
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]
    const number = () => {
      const value = Number(argv[++i])
      if (!Number.isFinite(value) || value < 0) throw new Error(`${flag} expects a number`)
      return value
    }
    if (flag === "--seconds") options.seconds = number()
    else if (flag === "--cases") options.cases = number()
    else if (flag === "--connections") options.connections = Math.max(1, Math.floor(number()))
    else if (flag === "--seed") options.seed = Math.floor(number())
    else if (flag === "--max-rss-mb") options.maxRssMb = number()
    else if (flag === "--json") options.json = true
    else throw new Error(`unknown option ${flag} (see the header of scripts/fuzz/run.mjs)`)
  }
  return options
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

const stopServer = async (child) => {
  if (child.exitCode !== null || child.signalCode !== null) return
  const gone = new Promise((resolve) => child.once("exit", resolve))
  child.kill("SIGTERM")
  const timer = setTimeout(() => child.kill("SIGKILL"), 5000)
  await gone
  clearTimeout(timer)
}

/** GET of one key after AUTH: its value, or undefined (nil, no answer). */
const controlRead = (port, key, timeoutMs) =>
  new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1")
    let text = ""
    const finish = (value) => {
      clearTimeout(timer)
      socket.destroy()
      resolve(value)
    }
    const timer = setTimeout(() => finish(undefined), timeoutMs)
    socket.on("connect", () => socket.write(`${AUTH.toString("latin1")}*2\r\n$3\r\nGET\r\n$${key.length}\r\n${key}\r\n`))
    socket.on("data", (chunk) => {
      text += chunk.toString("latin1")
      const match = /^\+OK\r\n(?:\$-1\r\n|\$(\d+)\r\n)/.exec(text)
      if (match === null) return
      if (match[1] === undefined) return finish(undefined)
      const start = match[0].length
      if (text.length >= start + Number(match[1]) + 2) finish(text.slice(start, start + Number(match[1])))
    })
    socket.on("error", () => {})
    socket.on("close", () => finish(undefined))
  })

/** The server's COMMAND LIST after AUTH (an array of bulk strings), or a rejection after `timeoutMs`. */
const commandList = (port, timeoutMs) =>
  new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1")
    let text = ""
    const timer = setTimeout(() => {
      socket.destroy()
      reject(new Error("COMMAND LIST: no whole reply"))
    }, timeoutMs)
    socket.on("connect", () => socket.write(`${AUTH.toString("latin1")}*2\r\n$7\r\nCOMMAND\r\n$4\r\nLIST\r\n`))
    socket.on("data", (chunk) => {
      text += chunk.toString("latin1")
      const header = /^\+OK\r\n\*(\d+)\r\n/.exec(text)
      if (header === null) return
      const names = []
      let at = header[0].length
      while (names.length < Number(header[1])) {
        const bulk = /^\$(\d+)\r\n/.exec(text.slice(at, at + 24))
        if (bulk === null) return
        const start = at + bulk[0].length
        if (text.length < start + Number(bulk[1]) + 2) return
        names.push(text.slice(start, start + Number(bulk[1])))
        at = start + Number(bulk[1]) + 2
      }
      clearTimeout(timer)
      socket.destroy()
      resolve(names)
    })
    socket.on("error", () => {})
  })

/** How long one case may spend writing its pieces. */
const CASE_WRITE_MS = 300
/**
 * The server runs with a password: most connections send AUTH first, the others meet what a
 * stranger meets (NOAUTH, the parser's tighter limits before authentication).
 */
const PASSWORD = "fuzz-password"
const AUTH = Buffer.from(`*2\r\n$4\r\nAUTH\r\n$${PASSWORD.length}\r\n${PASSWORD}\r\n`)

/**
 * Restricted ACL users some connections authenticate as, so the fuzz also goes through the ACL
 * checks (keys, channels, selectors, SORT's BY/GET refusals, the ACL log). None may reach the
 * control key or run dangerous or admin commands (FLUSHALL, ACL SETUSER, SHUTDOWN, DEBUG...).
 */
const RESTRICTED_USERS = [
  ["fuzz-keys", "on", ">fuzz-pw", "~fz:1*", "%R~fz:*", "%W~fz:2*", "&fz*", "+@all", "-@dangerous", "-@admin"],
  ["fuzz-selectors", "on", ">fuzz-pw", "~fz:3*", "+@read", "+@connection", "-@dangerous",
    "(~fz:* +@write +@list +@hash -@dangerous -@admin)", "(%R~* +sort_ro +get +mget)"],
  ["fuzz-nothing", "on", ">fuzz-pw", "resetkeys", "resetchannels", "-@all", "+ping"]
]
const encode = (argv) => `*${argv.length}\r\n${argv.map((arg) => `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`).join("")}`
const AUTH_AS = RESTRICTED_USERS.map(([name]) => Buffer.from(encode(["AUTH", name, "fuzz-pw"])))

/** Makes the restricted users (after AUTH as default); rejects unless every SETUSER says OK. */
const createUsers = (port, timeoutMs) =>
  new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1")
    let text = ""
    const wanted = "+OK\r\n".repeat(RESTRICTED_USERS.length + 1)
    const timer = setTimeout(() => {
      socket.destroy()
      reject(new Error(`ACL SETUSER: ${JSON.stringify(text)}`))
    }, timeoutMs)
    socket.on("connect", () =>
      socket.write(AUTH.toString("latin1") + RESTRICTED_USERS.map((rules) => encode(["ACL", "SETUSER", ...rules])).join(""))
    )
    socket.on("data", (chunk) => {
      text += chunk.toString("latin1")
      if (text.length < wanted.length) return
      clearTimeout(timer)
      socket.destroy()
      if (text === wanted) resolve()
      else reject(new Error(`ACL SETUSER: ${JSON.stringify(text)}`))
    })
    socket.on("error", () => {})
  })

/** Resident set of a process in bytes (Linux), or undefined. */
const rssOf = (pid) => {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, "utf8")
    const match = /^VmRSS:\s+(\d+) kB/m.exec(status)
    return match === null ? undefined : Number(match[1]) * 1024
  } catch {
    return undefined
  }
}

/** Starts the server; resolves with the child and its port once it says it is ready. */
const startServer = (dir) =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [
      path.join(root, "dist/redfiber-server.js"), "--port", "0", "--dir", dir, "--requirepass", PASSWORD,
      // Writes go through the append-only file too, as in production.
      "--appendonly", "yes", "--appendfsync", "everysec"
    ], {
      cwd: dir,
      stdio: ["ignore", "pipe", "pipe"]
    })
    let output = ""
    child.defects = 0
    const onData = (chunk) => {
      // A connection that died of a defect (src/server/Connection.ts logs it as an error).
      child.defects += (String(chunk).match(/connection failed/g) ?? []).length
      output = (output + chunk).slice(-65536)
      const match = /ready to accept connections tcp on [^\s]+:(\d+)/.exec(output)
      if (match !== null && child.port === undefined) {
        child.port = Number(match[1])
        resolve(child)
      }
    }
    child.output = () => output
    child.stdout.on("data", onData)
    child.stderr.on("data", onData)
    child.once("exit", (code, signal) => {
      if (child.port === undefined) reject(new Error(`server exited before it was ready (${code ?? signal}): ${output}`))
    })
  })

/** A tiny RESP reader for the control client: the replies to SET and GET. */
const controlCheck = (port, value, timeoutMs) =>
  new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1")
    let text = ""
    const key = `control:${value}`
    const expected = `+OK\r\n+OK\r\n$${value.length}\r\n${value}\r\n`
    const finish = (result) => {
      clearTimeout(timer)
      socket.destroy()
      resolve(result)
    }
    // What came before the silence, if anything, goes with the report (the first hang's).
    const timer = setTimeout(() => finish(text === "" ? "hang" : `hang after ${JSON.stringify(text.slice(0, 200))}`), timeoutMs)
    socket.on("connect", () => socket.write(`${AUTH.toString("latin1")}*3\r\n$3\r\nSET\r\n$${key.length}\r\n${key}\r\n$${value.length}\r\n${value}\r\n*2\r\n$3\r\nGET\r\n$${key.length}\r\n${key}\r\n`))
    socket.on("data", (chunk) => {
      text += chunk.toString("latin1")
      if (text.length >= expected.length) finish(text === expected ? "ok" : `wrong: ${JSON.stringify(text.slice(0, 200))}`)
    })
    socket.on("error", () => {})
    // Closed with a short answer (maxclients' error, say): a wrong answer that says what it was.
    socket.on("close", () => finish(text === expected ? "ok" : text === "" ? "hang" : `wrong: ${JSON.stringify(text.slice(0, 200))}`))
  })

/** Sends one case on a new connection and does what the case says afterwards. */
const runCase = async (port, testCase, r, stats) => {
  const socket = net.connect(port, "127.0.0.1")
  socket.setNoDelay(true)
  let closed = false
  let lastData = Date.now()
  socket.on("error", () => {})
  socket.on("close", () => {
    closed = true
  })
  const connected = await new Promise((resolve) => {
    socket.once("connect", () => resolve(true))
    socket.once("close", () => resolve(false))
    setTimeout(() => resolve(false), 2000)
  })
  if (!connected) {
    stats.connectFailures++
    socket.destroy()
    return
  }
  stats.connections++
  if (testCase.after === "deaf") socket.pause()
  else {
    socket.on("data", (chunk) => {
      stats.bytesReceived += chunk.length
      lastData = Date.now()
      // A command that threw (a defect dispatch caught) answers this: a bug to fix.
      const at = chunk.indexOf("ERR internal error")
      if (at >= 0) {
        stats.internalErrors++
        stats.lastInternalError = chunk.latin1Slice(at, Math.min(chunk.length, at + 300))
      }
    })
  }
  // A case writes for at most CASE_WRITE_MS (pauses between pieces make frames arrive apart);
  // what is left unsent makes it a partial frame.
  const writeUntil = Date.now() + CASE_WRITE_MS
  const authentication = r.int(4)
  if (authentication === 0) stats.unauthenticated++
  else if (authentication === 1) {
    socket.write(r.pick(AUTH_AS))
    stats.restricted++
  } else socket.write(AUTH)
  for (const chunk of testCase.chunks) {
    if (closed || Date.now() > writeUntil) break
    socket.write(chunk)
    stats.bytesSent += chunk.length
    if (testCase.chunks.length > 1 && r.chance(0.1)) await sleep(1 + r.int(2))
  }
  switch (testCase.after) {
    case "read": {
      // Until the server closes or is quiet for a moment.
      const deadline = Date.now() + 500
      while (!closed && Date.now() < deadline && Date.now() - lastData < 20) await sleep(5)
      break
    }
    case "deaf":
      await sleep(20 + r.int(200))
      break
    case "hang":
      await sleep(50 + r.int(400))
      break
    default:
      break
  }
  if (r.chance(0.5)) socket.destroy()
  else socket.end(() => socket.destroy())
  stats.kinds[testCase.kind] = (stats.kinds[testCase.kind] ?? 0) + 1
}

export const fuzz = async (options) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "redfiber-fuzz-"))
  const server = await startServer(dir)
  let commandNames
  try {
    commandNames = fuzzableCommands(await commandList(server.port, 5000))
    await createUsers(server.port, 5000)
  } catch (error) {
    await stopServer(server)
    throw error
  }
  const stats = {
    seed: options.seed,
    seconds: 0,
    cases: 0,
    connections: 0,
    connectFailures: 0,
    unauthenticated: 0,
    restricted: 0,
    bytesSent: 0,
    bytesReceived: 0,
    crashes: 0,
    crash: undefined,
    hangs: 0,
    wrongAnswers: 0,
    internalErrors: 0,
    controlChecks: 0,
    controlMaxMs: 0,
    rssStartMb: 0,
    rssPeakMb: 0,
    kinds: {}
  }
  let stopping = false
  let exited = false
  let lastControlValue
  server.once("exit", (code, signal) => {
    exited = true
    if (!stopping) {
      stats.crashes++
      stats.crash = { code, signal, output: server.output().slice(-4000) }
    }
  })
  const started = Date.now()
  const deadline = started + options.seconds * 1000
  const running = () => !exited && Date.now() < deadline && stats.cases < options.cases
  const rssStart = rssOf(server.pid) ?? 0
  stats.rssStartMb = Math.round((rssStart / 1024 / 1024) * 10) / 10
  let rssPeak = rssStart
  const sampleRss = () => {
    const rss = rssOf(server.pid)
    if (rss !== undefined && rss > rssPeak) rssPeak = rss
  }
  const rssTimer = setInterval(sampleRss, 100)

  const control = (async () => {
    const r = makeRandom(options.seed ^ 0x5bd1e995)
    while (running()) {
      await sleep(1000)
      if (exited) break
      const value = r.bytes(12).toString("hex")
      const checkStarted = Date.now()
      const result = await controlCheck(server.port, value, 5000)
      if (result === "ok") lastControlValue = value
      stats.controlMaxMs = Math.max(stats.controlMaxMs, Date.now() - checkStarted)
      stats.controlChecks++
      if (result.startsWith("hang") && !exited) {
        stats.hangs++
        stats.firstHang ??= { atSeconds: Math.round((checkStarted - started) / 1000), result }
      }
      else if (result !== "ok") {
        stats.wrongAnswers++
        stats.lastWrongAnswer = result
      }
    }
  })()

  const workers = Array.from({ length: options.connections }, async (_, index) => {
    const r = makeRandom(options.seed + index * 7919)
    while (running()) {
      stats.cases++
      await runCase(server.port, makeCase(r, commandNames), r, stats)
    }
  })
  await Promise.all(workers)
  await control
  clearInterval(rssTimer)
  sampleRss()
  stats.seconds = Math.round((Date.now() - started) / 100) / 10
  stats.rssPeakMb = Math.round((rssPeak / 1024 / 1024) * 10) / 10
  stats.defects = server.defects
  if (server.defects > 0) stats.defectLog = server.output().slice(-4000)

  // Stop the server: graceful first.
  stopping = true
  if (!exited) await stopServer(server)
  // What the fuzzing wrote to the append-only file must load again, and the control keys be there.
  if (stats.crashes === 0) {
    try {
      const restarted = await startServer(dir)
      const check = await controlCheck(restarted.port, "after-restart", 10_000)
      const lastKey = await controlRead(restarted.port, `control:${lastControlValue}`, 10_000)
      stats.aofReload = check === "ok" && (lastControlValue === undefined || lastKey === lastControlValue)
        ? "ok"
        : `after restart: ${check}, last control key ${JSON.stringify(lastKey)}`
      await stopServer(restarted)
    } catch (error) {
      stats.aofReload = String(error.message ?? error).slice(0, 2000)
    }
  }
  fs.rmSync(dir, { recursive: true, force: true })
  stats.passed = stats.crashes === 0 && stats.hangs === 0 && stats.wrongAnswers === 0 && stats.internalErrors === 0 &&
    stats.defects === 0 && (stats.aofReload === "ok" || stats.crashes > 0) &&
    stats.rssPeakMb <= options.maxRssMb
  return stats
}

const main = async () => {
  let options
  try {
    options = parseArgs(process.argv.slice(2))
  } catch (error) {
    process.stderr.write(`${error.message}\n`)
    process.exit(2)
  }
  if (!fs.existsSync(path.join(root, "dist/redfiber-server.js"))) {
    process.stderr.write("dist/redfiber-server.js is missing: run `node scripts/build.mjs` (pnpm fuzz does)\n")
    process.exit(2)
  }
  const stats = await fuzz(options)
  if (options.json) process.stdout.write(`${JSON.stringify(stats)}\n`)
  else {
    const lines = [
      `seed ${stats.seed}, ${stats.seconds} s`,
      `cases: ${stats.cases} (${Object.entries(stats.kinds).map(([kind, n]) => `${kind} ${n}`).join(", ")})`,
      `connections: ${stats.connections} (without AUTH: ${stats.unauthenticated}; as a restricted user: ${stats.restricted}; refused or failed: ${stats.connectFailures}), sent ${(stats.bytesSent / 1e6).toFixed(1)} MB, received ${(stats.bytesReceived / 1e6).toFixed(1)} MB`,
      `control checks: ${stats.controlChecks} (slowest ${stats.controlMaxMs} ms), hangs: ${stats.hangs}, wrong answers: ${stats.wrongAnswers}` +
        `${stats.lastWrongAnswer ? ` (${stats.lastWrongAnswer})` : ""}`,
      `internal errors: ${stats.internalErrors}${stats.lastInternalError ? ` (${JSON.stringify(stats.lastInternalError)})` : ""}`,
      `connection defects: ${stats.defects}${stats.defectLog ? `\n${stats.defectLog}` : ""}`,
      `crashes: ${stats.crashes}${stats.crash ? ` (exit ${stats.crash.code ?? stats.crash.signal})\n${stats.crash.output}` : ""}`,
      `RSS: ${stats.rssStartMb} MB at start, peak ${stats.rssPeakMb} MB (bound ${options.maxRssMb} MB)`,
      `append-only file reloaded: ${stats.aofReload ?? "(not tried)"}`,
      stats.passed ? "PASS" : "FAIL"
    ]
    process.stdout.write(`${lines.join("\n")}\n`)
  }
  process.exit(stats.passed ? 0 : 1)
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main()
