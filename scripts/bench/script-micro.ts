/**
 * Micro-benchmark of EVALSHA without sockets: chunks of 16 pipelined EVALSHA commands (the shape
 * `redis-benchmark -P 16` sends) run through RequestParser and executeCommand against a real
 * Keyspace, ReplyWriter, ClientState and ServerState, as src/server/Connection.ts runs them.
 * Measures process CPU time (user + system) per command, robust to a loaded machine, for three
 * scripts: `return 1`, one `redis.call('INCR', KEYS[1])`, and ten INCR calls.
 *
 * Run (fengari stays external: it requires node modules at load):
 *   npx esbuild scripts/bench/script-micro.ts --bundle --platform=node --format=esm --external:fengari \
 *     '--banner:js=import { createRequire as __cr } from "module"; const require = __cr(import.meta.url);' \
 *     --outfile=bench-tmp/script-micro.mjs && node bench-tmp/script-micro.mjs [rounds]
 * (the output file must sit where node_modules/fengari resolves). ONLY="10 INCR" runs one script;
 * `node --cpu-prof` on it gives the profile.
 */
import type { CommandContext } from "../../src/commands/Command.js"
import { executeCommand } from "../../src/commands/dispatch.js"
import { commandTable } from "../../src/commands/table.js"
import { Keyspace } from "../../src/keyspace/Keyspace.js"
import { ProtocolError, RequestParser } from "../../src/protocol/Parser.js"
import { ReplyWriter } from "../../src/protocol/ReplyWriter.js"
import { ClientState } from "../../src/session/ClientState.js"
import { detachedServerState } from "../../src/commands/ServerState.js"
import { createHash } from "node:crypto"

const PIPELINE = 16
const COMMANDS_PER_ROUND = 100_000
const ROUNDS = Number(process.argv[2] ?? 5)

const keyspace = new Keyspace(16)
const server = detachedServerState(commandTable)
const client = new ClientState(1, "127.0.0.1:1", "127.0.0.1:2", 0, () => {})
client.user = server.acl.defaultUser
const ctx: CommandContext = { keyspace, db: keyspace.databases[0], now: Date.now(), out: new ReplyWriter(), client, server }
const parser = new RequestParser(ctx.server.config)

const encode = (argv: ReadonlyArray<string>): string =>
  `*${argv.length}\r\n` + argv.map((arg) => `$${arg.length}\r\n${arg}\r\n`).join("")

const SCRIPTS = [
  { name: "return 1", body: "return 1" },
  { name: "1 INCR", body: "return redis.call('INCR', KEYS[1])" },
  { name: "10 INCR", body: "local n for i = 1, 10 do n = redis.call('INCR', KEYS[1]) end return n" }
]

const run = (text: string): Buffer => {
  parser.feed(Buffer.from(text, "latin1"))
  for (;;) {
    const argv = parser.next()
    if (argv === undefined) break
    if (argv instanceof ProtocolError) throw new Error(argv.message)
    executeCommand(ctx, argv)
  }
  return ctx.out.take()
}

const cpuNs = (): number => {
  const usage = process.cpuUsage()
  return (usage.user + usage.system) * 1000
}

const results = new Map<string, Array<number>>()
for (const script of SCRIPTS.filter((s) => process.env.ONLY === undefined || s.name === process.env.ONLY)) {
  run(encode(["SCRIPT", "LOAD", script.body]))
  const sha = createHash("sha1").update(script.body).digest("hex")
  const chunks = Array.from({ length: 64 }, (_, i) => {
    let text = ""
    for (let j = 0; j < PIPELINE; j++) text += encode(["EVALSHA", sha, "1", `counter:${String((i * PIPELINE + j) % 1000).padStart(12, "0")}`])
    return Buffer.from(text, "latin1")
  })
  const check = run(chunks[0].toString("latin1")).toString("latin1")
  if (check.startsWith("-")) throw new Error(check)
  results.set(script.name, [])
  for (let round = 0; round <= ROUNDS; round++) {
    const started = cpuNs()
    const count = COMMANDS_PER_ROUND / PIPELINE
    for (let n = 0; n < count; n++) {
      parser.feed(chunks[n % chunks.length])
      for (;;) {
        const argv = parser.next()
        if (argv === undefined) break
        if (argv instanceof ProtocolError) throw new Error(argv.message)
        executeCommand(ctx, argv)
      }
      ctx.out.take()
    }
    if (round > 0) results.get(script.name)!.push((cpuNs() - started) / COMMANDS_PER_ROUND)
  }
}
console.log(`CPU ns per EVALSHA (${PIPELINE} per chunk): median, min`)
for (const [name, values] of results) {
  const sorted = [...values].sort((a, b) => a - b)
  console.log(`${name.padEnd(10)} ${sorted[Math.floor(sorted.length / 2)].toFixed(0).padStart(6)} ${sorted[0].toFixed(0).padStart(6)}`)
}
