/**
 * Micro-benchmark of the collection commands' hot path without sockets, next to SET: chunks of 16
 * pipelined commands in the shapes `pnpm bench --collections` sends (see modes/collections.mjs)
 * are parsed and run with executeCommand against a real Keyspace, ReplyWriter, ClientState and
 * ServerState, as scripts/bench/batch-micro.ts does for the string commands. What a row costs
 * beyond SET's is what its family adds to the per-command fixed cost.
 *
 * Prints ns per command: the median of several rounds after a warm-up and the fastest round's
 * CPU time (user + system), the steadier figure on a loaded machine.
 *
 * Run: npx esbuild scripts/bench/collections-micro.ts --bundle --platform=node \
 *        --format=cjs --outfile=/tmp/collections-micro.cjs && node /tmp/collections-micro.cjs [rounds] [filter]
 */
import type { CommandContext } from "../../src/commands/Command.js"
import { executeCommand } from "../../src/commands/dispatch.js"
import { commandTable } from "../../src/commands/table.js"
import { Keyspace } from "../../src/keyspace/Keyspace.js"
import { ProtocolError, RequestParser } from "../../src/protocol/Parser.js"
import { ReplyWriter } from "../../src/protocol/ReplyWriter.js"
import { ClientState } from "../../src/session/ClientState.js"
import { detachedServerState } from "../../src/commands/ServerState.js"

const PIPELINE = 16
const CHUNKS = 512
const COMMANDS_PER_ROUND = 400_000
const ROUNDS = Number(process.argv[2] ?? 7)
const FILTER = process.argv[3]
const HASH_FIELDS = 100_000
/** Fields of the listpack-encoded hash HGET also reads (hash-max-listpack-entries is 128). */
const PACKED_FIELDS = 100

const makeContext = (): CommandContext => {
  const keyspace = new Keyspace(16)
  const server = detachedServerState(commandTable)
  const client = new ClientState(1, "127.0.0.1:1", "127.0.0.1:2", 0, () => {})
  client.user = server.acl.defaultUser
  return { keyspace, db: keyspace.databases[0], now: Date.now(), out: new ReplyWriter(), client, server }
}

let seed = 12345
const randomInt = (below: number): number => {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0
  return seed % below
}
const padded = (n: number): string => String(n).padStart(12, "0")

const encode = (argv: ReadonlyArray<string>): string =>
  `*${argv.length}\r\n` + argv.map((arg) => `$${arg.length}\r\n${arg}\r\n`).join("")

const makeChunks = (makeCommand: () => ReadonlyArray<string>): Array<Buffer> =>
  Array.from({ length: CHUNKS }, () => {
    let text = ""
    for (let i = 0; i < PIPELINE; i++) text += encode(makeCommand())
    return Buffer.from(text, "latin1")
  })

const workloads = [
  { name: "SET", chunks: makeChunks(() => ["SET", "key:__rand_int__", "xxx"]) },
  { name: "GET", chunks: makeChunks(() => ["GET", "key:__rand_int__"]) },
  { name: "HSET", chunks: makeChunks(() => ["HSET", "myhash", "element:__rand_int__", "xxx"]) },
  { name: "HGET 100k", chunks: makeChunks(() => ["HGET", "coll:hash", `element:${padded(randomInt(HASH_FIELDS))}`]) },
  { name: "HGET packed", chunks: makeChunks(() => ["HGET", "coll:small-hash", `element:${padded(randomInt(PACKED_FIELDS))}`]) },
  { name: "ZADD", chunks: makeChunks(() => ["ZADD", "myzset", "0", "element:__rand_int__"]) },
  { name: "ZRANGE", chunks: makeChunks(() => ["ZRANGE", "coll:zset", "0", "-1"]) },
  { name: "LPUSH", chunks: makeChunks(() => ["LPUSH", "mylist", "xxx"]) },
  { name: "LRANGE 100", chunks: makeChunks(() => ["LRANGE", "coll:list", "0", "99"]) },
  { name: "SADD", chunks: makeChunks(() => ["SADD", "myset", "element:__rand_int__"]) }
].filter((workload) => FILTER === undefined || workload.name.toLowerCase().startsWith(FILTER.toLowerCase()))

const ctx = makeContext()
const parser = new RequestParser(ctx.server.config)
let replyBytes = 0
let lastCpuNs = 0

const runChunks = (chunks: Array<Buffer>, chunkCount: number): number => {
  const started = process.hrtime.bigint()
  const cpuStarted = process.cpuUsage()
  for (let n = 0; n < chunkCount; n++) {
    parser.feed(chunks[n % chunks.length])
    ctx.server.observability.beginBatch(ctx)
    for (;;) {
      const argv = parser.next()
      if (argv === undefined) break
      if (argv instanceof ProtocolError) throw new Error(argv.message)
      executeCommand(ctx, argv)
    }
    ctx.server.observability.endBatch()
    replyBytes += ctx.out.take().length
  }
  const elapsed = Number(process.hrtime.bigint() - started)
  const cpu = process.cpuUsage(cpuStarted)
  lastCpuNs = ((cpu.user + cpu.system) * 1000) / (chunkCount * PIPELINE)
  return elapsed / (chunkCount * PIPELINE)
}

const run = (argv: Array<string>): void => {
  parser.feed(Buffer.from(encode(argv), "latin1"))
  const parsed = parser.next()
  if (parsed === undefined || parsed instanceof ProtocolError) throw new Error(`cannot parse ${argv[0]}`)
  executeCommand(ctx, parsed)
  ctx.out.take()
}

// The keys the read rows read, as the bench mode writes them.
for (let first = 0; first < HASH_FIELDS; first += 5000) {
  const args = ["HSET", "coll:hash"]
  for (let i = first; i < first + 5000; i++) args.push(`element:${padded(i)}`, "xxx")
  run(args)
}
run(["HSET", "coll:small-hash", ...Array.from({ length: PACKED_FIELDS }, (_, i) => [`element:${padded(i)}`, "xxx"]).flat()])
run(["ZADD", "coll:zset", "1", "one", "2", "two"])
run(["RPUSH", "coll:list", ...Array<string>(600).fill("xxx")])

const median = (values: Array<number>): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]
const totals = new Map<string, Array<number>>(workloads.map((w) => [w.name, []]))
const cpuTotals = new Map<string, Array<number>>(workloads.map((w) => [w.name, []]))
for (let round = 0; round < ROUNDS + 1; round++) {
  for (const workload of workloads) {
    const total = runChunks(workload.chunks, Math.ceil(COMMANDS_PER_ROUND / PIPELINE))
    if (round === 0) continue
    totals.get(workload.name)!.push(total)
    cpuTotals.get(workload.name)!.push(lastCpuNs)
  }
}

console.log(`ns per command (median of ${ROUNDS} rounds, ${PIPELINE} commands per chunk)`)
for (const [name, values] of totals) {
  console.log(`${name.padEnd(12)} ${median(values).toFixed(0).padStart(6)}   cpu min ${Math.min(...cpuTotals.get(name)!).toFixed(0).padStart(6)}`)
}
if (replyBytes === 0) console.log("no replies?")
