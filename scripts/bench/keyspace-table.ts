/**
 * Micro-benchmark behind the keyspace's representation (src/keyspace/table/): a native `Map` of
 * byte strings against the `KeyTable` of records in slabs, at 1 000, 100 000 and 1 000 000 keys.
 *
 * Each operation gets a key made fresh from bytes, as the parser makes it (so no cached string
 * hash, no pointer-equal key), and SET a fresh 3-byte value: what `redis-benchmark -r` does to a
 * server. Keys are `key:` and 12 digits, visited in a random order. Reported per operation:
 * CPU time (process.cpuUsage, so other load on the machine inflates it less than wall time),
 * garbage collection included, median of several rounds after a warm-up; and the JS heap in use
 * once the keys are in.
 *
 * Run: npx esbuild scripts/bench/keyspace-table.ts --bundle --platform=node --format=esm \
 *        --outfile=/tmp/keyspace-table.mjs && node --expose-gc /tmp/keyspace-table.mjs
 */
import { byteString } from "../../src/protocol/ByteString.js"
import { AccessClock } from "../../src/keyspace/AccessClock.js"
import { KeyTable } from "../../src/keyspace/table/KeyTable.js"

const SIZES = [1_000, 100_000, 1_000_000]
const OPERATIONS_PER_ROUND = 500_000
const ROUNDS = 5

const keyBytes = (n: number): Buffer => Buffer.from(`key:${String(n).padStart(12, "0")}`, "latin1")
const valueBytes = Buffer.from("xyz", "latin1")

/** A fixed pseudo-random visiting order (an LCG), the same for both contenders. */
const accessOrder = (size: number): Uint32Array => {
  const order = new Uint32Array(OPERATIONS_PER_ROUND)
  let state = 12345
  for (let i = 0; i < order.length; i++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0
    order[i] = state % size
  }
  return order
}

/** CPU µs per operation: one warm-up round, then the median of ROUNDS rounds. */
const measure = (round: () => void): number => {
  round()
  const timings: Array<number> = []
  for (let i = 0; i < ROUNDS; i++) {
    const started = process.cpuUsage()
    round()
    const used = process.cpuUsage(started)
    timings.push((used.user + used.system) / OPERATIONS_PER_ROUND)
  }
  timings.sort((a, b) => a - b)
  return timings[ROUNDS >> 1]
}

const heapMiB = (): number => {
  ;(globalThis as { gc?: () => void }).gc?.()
  return process.memoryUsage().heapUsed / 2 ** 20
}

let sink = 0

interface Contender {
  readonly name: string
  fill(keys: Array<Buffer>): void
  get(key: string): void
  set(key: string, value: string): void
}

const mapContender = (): Contender => {
  let map = new Map<string, string>()
  return {
    name: "Map",
    fill: (keys) => {
      map = new Map()
      for (const key of keys) map.set(byteString(key, 0, key.length), byteString(valueBytes, 0, 3))
    },
    get: (key) => {
      const value = map.get(key)
      if (value !== undefined) sink += value.length
    },
    set: (key, value) => {
      map.set(key, value)
    }
  }
}

const tableContender = (): Contender => {
  let table = new KeyTable(new AccessClock())
  return {
    name: "KeyTable",
    fill: (keys) => {
      table = new KeyTable(new AccessClock())
      for (const key of keys) table.put(byteString(key, 0, key.length), byteString(valueBytes, 0, 3), false)
    },
    get: (key) => {
      const ref = table.find(key)
      if (ref !== -1) sink += table.stringLength(ref)
    },
    set: (key, value) => {
      table.put(key, value, false)
    }
  }
}

console.log("µs of CPU per operation (fresh key strings, random order), and JS heap with the keys in")
console.log(`${"keys".padStart(9)}  ${"contender".padEnd(9)} ${"get".padStart(6)} ${"set".padStart(6)} ${"heap MiB".padStart(9)}`)
for (const size of SIZES) {
  const keys = Array.from({ length: size }, (_, n) => keyBytes(n))
  const order = accessOrder(size)
  for (const contender of [mapContender(), tableContender()]) {
    const before = heapMiB()
    contender.fill(keys)
    const heap = heapMiB() - before
    const get = measure(() => {
      for (let i = 0; i < order.length; i++) {
        const key = keys[order[i]]
        contender.get(byteString(key, 0, key.length))
      }
    })
    const set = measure(() => {
      for (let i = 0; i < order.length; i++) {
        const key = keys[order[i]]
        contender.set(byteString(key, 0, key.length), byteString(valueBytes, 0, 3))
      }
    })
    console.log(
      `${size.toLocaleString("en-US").padStart(9)}  ${contender.name.padEnd(9)} ${get.toFixed(3).padStart(6)} ${set.toFixed(3).padStart(6)} ${heap.toFixed(1).padStart(9)}`
    )
    contender.fill([])
  }
}
if (sink === 0) console.log("nothing read?")
