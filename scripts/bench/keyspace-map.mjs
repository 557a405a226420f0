/**
 * Micro-benchmark behind the keyspace's choice of representation (src/keyspace/Database.ts):
 * native `Map` versus Effect's persistent `HashMap` at 1 000, 100 000 and 1 000 000 keys.
 * Reports µs per get (a present key) and per set (overwriting a present key, so the size
 * stays put; HashMap's set returns a new map each time), after a warm-up round, as the
 * median of several rounds.
 *
 * Usage: node scripts/bench/keyspace-map.mjs
 */
import * as HashMap from "effect/HashMap"
import * as Option from "effect/Option"

const SIZES = [1_000, 100_000, 1_000_000]
const OPERATIONS_PER_ROUND = 200_000
const ROUNDS = 5
const VALUE = "some-value"

/** The keys redis-benchmark's -r uses: "key:" and 12 digits. */
const makeKeys = (count) => Array.from({ length: count }, (_, n) => `key:${String(n).padStart(12, "0")}`)

/** A fixed pseudo-random visiting order (an LCG), the same for every contender. */
const accessOrder = (size) => {
  const order = new Uint32Array(OPERATIONS_PER_ROUND)
  let state = 12345
  for (let i = 0; i < order.length; i++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0
    order[i] = state % size
  }
  return order
}

/** µs per operation: one warm-up round, then the median of ROUNDS timed rounds. */
const measure = (round) => {
  round()
  const timings = []
  for (let i = 0; i < ROUNDS; i++) {
    const started = performance.now()
    round()
    timings.push(((performance.now() - started) * 1000) / OPERATIONS_PER_ROUND)
  }
  timings.sort((a, b) => a - b)
  return timings[ROUNDS >> 1]
}

/** What the rounds read, so the JIT cannot drop the work. */
let sink = 0

const benchNativeMap = (keys, order) => {
  const map = new Map(keys.map((key) => [key, VALUE]))
  const get = measure(() => {
    for (let i = 0; i < order.length; i++) if (map.get(keys[order[i]]) !== undefined) sink++
  })
  const set = measure(() => {
    for (let i = 0; i < order.length; i++) map.set(keys[order[i]], VALUE)
    sink += map.size
  })
  return { get, set }
}

const benchHashMap = (keys, order) => {
  let map = HashMap.mutate(HashMap.empty(), (draft) => {
    for (const key of keys) HashMap.set(draft, key, VALUE)
  })
  const get = measure(() => {
    for (let i = 0; i < order.length; i++) if (Option.isSome(HashMap.get(map, keys[order[i]]))) sink++
  })
  const set = measure(() => {
    for (let i = 0; i < order.length; i++) map = HashMap.set(map, keys[order[i]], VALUE)
    sink += HashMap.size(map)
  })
  return { get, set }
}

const formatMicros = (value) => value.toFixed(3)

const rows = SIZES.map((size) => {
  const keys = makeKeys(size)
  const order = accessOrder(size)
  const native = benchNativeMap(keys, order)
  const persistent = benchHashMap(keys, order)
  process.stderr.write(`measured ${size.toLocaleString("en-US")} keys\n`)
  return [
    size.toLocaleString("en-US"),
    formatMicros(native.get),
    formatMicros(native.set),
    formatMicros(persistent.get),
    formatMicros(persistent.set),
    `${(persistent.get / native.get).toFixed(1)}×`,
    `${(persistent.set / native.set).toFixed(1)}×`
  ]
})

const headers = ["keys", "Map get µs", "Map set µs", "HashMap get µs", "HashMap set µs", "HashMap/Map get", "HashMap/Map set"]
console.log(`Keyspace map: ${OPERATIONS_PER_ROUND.toLocaleString("en-US")} ops per round, median of ${ROUNDS} rounds after a warm-up (Node ${process.version})\n`)
console.log(`| ${headers.join(" | ")} |`)
console.log(`| --- | ${headers.slice(1).map(() => "---:").join(" | ")} |`)
for (const row of rows) console.log(`| ${row.join(" | ")} |`)
if (sink === -1) console.log("(unreachable)")
