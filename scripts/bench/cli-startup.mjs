/**
 * redfiber-cli start-up: from process launch to the first reply on stdout (`ping`), against a
 * redfiber server on a free port, interleaved with two baselines: a bare `node:net` client that
 * sends one PING (Node's own floor) and `redis-cli ping`. Median and min of N launches each.
 *
 *   node scripts/build.mjs && node scripts/bench/cli-startup.mjs [launches=20]
 */
import { spawn, spawnSync } from "node:child_process"
import * as net from "node:net"

const launches = Number(process.argv[2] ?? 20)

const freePort = () =>
  new Promise((resolve) => {
    const probe = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address()
      probe.close(() => resolve(port))
    })
  })

/** Milliseconds from spawn to the first byte on stdout; waits for the exit too. */
const timeToFirstOutput = (command, args) =>
  new Promise((resolve, reject) => {
    const started = process.hrtime.bigint()
    let firstOutput
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "inherit"] })
    child.stdout.once("data", () => (firstOutput = process.hrtime.bigint()))
    child.on("error", reject)
    child.on("close", () =>
      firstOutput === undefined ? reject(new Error(`${command}: no output`)) : resolve(Number(firstOutput - started) / 1e6))
  })

const port = await freePort()
const server = spawn(process.execPath, ["dist/redfiber-server.js", "--port", String(port)], { stdio: "ignore" })
for (let i = 0; i < 100; i++) {
  const ok = await new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1", () => (socket.destroy(), resolve(true)))
    socket.on("error", () => resolve(false))
  })
  if (ok) break
  await new Promise((resolve) => setTimeout(resolve, 50))
}

const bareNode = `const s=require("net").connect(${port},"127.0.0.1",()=>s.write("*1\\r\\n$4\\r\\nPING\\r\\n"));` +
  `s.on("data",d=>{process.stdout.write(d);s.destroy()})`
const contenders = [
  ["redfiber-cli", process.execPath, ["dist/redfiber-cli.js", "-p", String(port), "ping"]],
  ["bare node:net client", process.execPath, ["-e", bareNode]]
]
if (spawnSync("sh", ["-c", "command -v redis-cli"]).status === 0) {
  contenders.push(["redis-cli", "redis-cli", ["-p", String(port), "ping"]])
}

const timings = new Map(contenders.map(([name]) => [name, []]))
try {
  for (let launch = 0; launch < launches; launch++) {
    for (const [name, command, args] of contenders) timings.get(name).push(await timeToFirstOutput(command, args))
  }
} finally {
  server.kill("SIGKILL")
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]
}
console.log(`Launch to first reply, ${launches} launches each (ms):`)
for (const [name, values] of timings) {
  console.log(`  ${name.padEnd(22)} median ${median(values).toFixed(0).padStart(5)}   min ${Math.min(...values).toFixed(0).padStart(5)}`)
}
