/**
 * Micro-benchmark of the per-command hot path without sockets: a chunk of 16 pipelined commands
 * (the shapes `redis-benchmark -P 16` sends) is fed to a RequestParser, every command is run with
 * executeCommand against a real Keyspace, ReplyWriter, ClientState and ServerState (with the real
 * command table), and the batch's replies are taken out, as src/server/Connection.ts does.
 *
 * Prints ns per command for SET, GET, INCR and MSET (10 keys): the median of several rounds after
 * a warm-up, for the whole path ("total") and for parsing alone ("parse"), the fastest and
 * slowest round of the whole path, and the whole path's CPU time (user + system) in its fastest
 * round ("cpu min"): on a loaded machine, descheduled time inflates wall time but not CPU time. Keys are 16 bytes (`key:` or `ctr:` and 12 digits, the shape
 * `redis-benchmark -r` makes) drawn from 1 000 (all `key:` ones present, so GET hits); values
 * are 3 bytes.
 *
 * Run: npx esbuild scripts/bench/batch-micro.ts --bundle --platform=node \
 *        --format=cjs --outfile=/tmp/batch-micro.cjs && node /tmp/batch-micro.cjs
 * `node /tmp/batch-micro.cjs 9 100000` runs 9 rounds instead of 7 over 100 000 keys (then Map
 * cache misses dominate). The client runs as the default ACL user, as a connection does; a third
 * argument `restricted` runs it as a user whose rules dispatch must check on every command
 * (`ACL SETUSER bench on ~* +@all`: every key and command, no channel), and `rules` as a user with key
 * patterns and a command taken away (`~key:* ~ctr:* +@all -debug`), whose every key is matched. The machine is shared: compare builds run alternately, close together,
 * and trust the fastest rounds more than the slowest.
 */
import { AclUser } from "../../src/acl/User.js"
import { BatchRunner, makeChunks, makeContext, median, randomInt } from "./micro-harness.js"

const PIPELINE = 16
/** Distinct chunks per workload, cycled through so keys vary as they do under `-r`. */
const CHUNKS = 512
const COMMANDS_PER_ROUND = 400_000
const ROUNDS = Number(process.argv[2] ?? 7)
/** Distinct keys: few enough by default that the Map stays in cache and the parser/dispatch cost shows. */
const KEY_SPACE = Number(process.argv[3] ?? 1000)

/** `restricted`: every key and command; `rules`: key patterns and a command taken away, as a real restricted user has. */
const RESTRICTED = process.argv[4] === "restricted" || process.argv[4] === "rules"
const RESTRICTED_RULES = process.argv[4] === "rules"
  ? ["on", "nopass", "~key:*", "~ctr:*", "+@all", "-debug"]
  : ["on", "nopass", "~*", "+@all"]

const ctx = makeContext()
if (RESTRICTED) {
  const user = new AclUser("bench", ctx.server.acl.index)
  for (const rule of RESTRICTED_RULES) user.apply(rule)
  ctx.server.acl.users.set("bench", user)
  ctx.client.user = user
}

const randomKey = (prefix: string): string => prefix + String(randomInt(KEY_SPACE)).padStart(12, "0")

/** CHUNKS buffers, each holding PIPELINE commands made by `makeCommand`. */
const chunksOf = (makeCommand: () => ReadonlyArray<string>): Array<Buffer> => makeChunks(makeCommand, CHUNKS, PIPELINE)

const workloads: ReadonlyArray<{ name: string; commandsPerChunk: number; chunks: Array<Buffer> }> = [
  { name: "SET", commandsPerChunk: PIPELINE, chunks: chunksOf(() => ["SET", randomKey("key:"), "xxx"]) },
  { name: "GET", commandsPerChunk: PIPELINE, chunks: chunksOf(() => ["GET", randomKey("key:")]) },
  { name: "INCR", commandsPerChunk: PIPELINE, chunks: chunksOf(() => ["INCR", randomKey("ctr:")]) },
  {
    name: "MSET (10 keys)",
    commandsPerChunk: PIPELINE,
    chunks: chunksOf(() => ["MSET", ...Array.from({ length: 10 }, () => [randomKey("key:"), "xxx"]).flat()])
  }
]

const runner = new BatchRunner(ctx)

// Fill the keyspace first so GET hits and SET overwrites, as in a steady-state benchmark.
for (let k = 0; k < KEY_SPACE; k++) ctx.db.set(`key:${String(k).padStart(12, "0")}`, "xxx")
for (const workload of workloads) runner.run(workload.chunks, CHUNKS * 4, workload.commandsPerChunk)

const totals = new Map<string, Array<number>>(workloads.map((w) => [w.name, []]))
const parseOnly = new Map<string, Array<number>>(workloads.map((w) => [w.name, []]))
const cpuTotals = new Map<string, Array<number>>(workloads.map((w) => [w.name, []]))
for (let round = 0; round < ROUNDS + 1; round++) {
  for (const workload of workloads) {
    const chunkCount = Math.ceil(COMMANDS_PER_ROUND / workload.commandsPerChunk)
    const total = runner.run(workload.chunks, chunkCount, workload.commandsPerChunk)
    const cpu = runner.lastCpuNs
    const parse = runner.run(workload.chunks, chunkCount, workload.commandsPerChunk, true)
    if (round === 0) continue // the warm-up
    totals.get(workload.name)!.push(total)
    cpuTotals.get(workload.name)!.push(cpu)
    parseOnly.get(workload.name)!.push(parse)
  }
}

console.log(`ns per command (median of ${ROUNDS} rounds, ${PIPELINE} commands per chunk, ${KEY_SPACE} keys)`)
console.log(`${"".padEnd(16)} ${"total".padStart(6)} ${"parse".padStart(6)}   total min–max   cpu min`)
for (const [name, values] of totals) {
  const sorted = [...values].sort((a, b) => a - b)
  const parse = median(parseOnly.get(name)!)
  console.log(
    `${name.padEnd(16)} ${median(values).toFixed(0).padStart(6)} ${parse.toFixed(0).padStart(6)}   ${sorted[0].toFixed(0)}–${sorted[sorted.length - 1].toFixed(0)}   ${Math.min(...cpuTotals.get(name)!).toFixed(0)}`
  )
}
if (runner.replyBytes === 0) console.log("no replies?")
