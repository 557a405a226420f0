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
import { BatchRunner, makeChunks, makeContext, median, randomInt } from "./micro-harness.js"

const PIPELINE = 16
const CHUNKS = 512
const COMMANDS_PER_ROUND = 400_000
const ROUNDS = Number(process.argv[2] ?? 7)
const FILTER = process.argv[3]
const HASH_FIELDS = 100_000
/** Fields of the listpack-encoded hash HGET also reads (hash-max-listpack-entries is 128). */
const PACKED_FIELDS = 100

const padded = (n: number): string => String(n).padStart(12, "0")

const chunksOf = (makeCommand: () => ReadonlyArray<string>): Array<Buffer> => makeChunks(makeCommand, CHUNKS, PIPELINE)

const workloads = [
  { name: "SET", chunks: chunksOf(() => ["SET", "key:__rand_int__", "xxx"]) },
  { name: "GET", chunks: chunksOf(() => ["GET", "key:__rand_int__"]) },
  { name: "HSET", chunks: chunksOf(() => ["HSET", "myhash", "element:__rand_int__", "xxx"]) },
  { name: "HGET 100k", chunks: chunksOf(() => ["HGET", "coll:hash", `element:${padded(randomInt(HASH_FIELDS))}`]) },
  { name: "HGET packed", chunks: chunksOf(() => ["HGET", "coll:small-hash", `element:${padded(randomInt(PACKED_FIELDS))}`]) },
  { name: "ZADD", chunks: chunksOf(() => ["ZADD", "myzset", "0", "element:__rand_int__"]) },
  { name: "ZRANGE", chunks: chunksOf(() => ["ZRANGE", "coll:zset", "0", "-1"]) },
  { name: "LPUSH", chunks: chunksOf(() => ["LPUSH", "mylist", "xxx"]) },
  { name: "LRANGE 100", chunks: chunksOf(() => ["LRANGE", "coll:list", "0", "99"]) },
  { name: "SADD", chunks: chunksOf(() => ["SADD", "myset", "element:__rand_int__"]) }
].filter((workload) => FILTER === undefined || workload.name.toLowerCase().startsWith(FILTER.toLowerCase()))

const runner = new BatchRunner(makeContext())
const run = (argv: Array<string>): void => runner.command(argv)

// The keys the read rows read, as the bench mode writes them.
for (let first = 0; first < HASH_FIELDS; first += 5000) {
  const args = ["HSET", "coll:hash"]
  for (let i = first; i < first + 5000; i++) args.push(`element:${padded(i)}`, "xxx")
  run(args)
}
run(["HSET", "coll:small-hash", ...Array.from({ length: PACKED_FIELDS }, (_, i) => [`element:${padded(i)}`, "xxx"]).flat()])
run(["ZADD", "coll:zset", "1", "one", "2", "two"])
run(["RPUSH", "coll:list", ...Array<string>(600).fill("xxx")])

const totals = new Map<string, Array<number>>(workloads.map((w) => [w.name, []]))
const cpuTotals = new Map<string, Array<number>>(workloads.map((w) => [w.name, []]))
for (let round = 0; round < ROUNDS + 1; round++) {
  for (const workload of workloads) {
    const total = runner.run(workload.chunks, Math.ceil(COMMANDS_PER_ROUND / PIPELINE), PIPELINE)
    if (round === 0) continue
    totals.get(workload.name)!.push(total)
    cpuTotals.get(workload.name)!.push(runner.lastCpuNs)
  }
}

console.log(`ns per command (median of ${ROUNDS} rounds, ${PIPELINE} commands per chunk)`)
for (const [name, values] of totals) {
  console.log(`${name.padEnd(12)} ${median(values).toFixed(0).padStart(6)}   cpu min ${Math.min(...cpuTotals.get(name)!).toFixed(0).padStart(6)}`)
}
if (runner.replyBytes === 0) console.log("no replies?")
