/**
 * Micro-benchmark behind the stream's representation (src/keyspace/values/StreamValue.ts):
 * blocks of at most 100 entries (Redis's node size; what StreamValue uses) against one flat pair
 * of arrays, at 1 000 000 entries of one field. Measured: appends (XADD), reads of 10 entries from
 * a random ID (XRANGE ... COUNT 10), deletions at random IDs (XDEL) and trimming one entry from
 * the head (XADD MAXLEN =); and the JS heap once the entries are in.
 *
 * Run: npx esbuild scripts/bench/stream-structure.ts --bundle --platform=node --format=esm \
 *        --outfile=/tmp/stream-structure.mjs && node --expose-gc /tmp/stream-structure.mjs
 */
import { idFromMillis, makeId, type StreamId } from "../../src/keyspace/values/StreamId.js"
import { StreamValue } from "../../src/keyspace/values/StreamValue.js"

const N = 1_000_000
const READS = 200_000
const DELETES = 2_000
const TRIMS = 20_000

/** The alternative: every entry in one pair of arrays. */
class FlatStream {
  ids: Array<StreamId> = []
  entries: Array<Array<string>> = []
  append(id: StreamId, fields: Array<string>): void {
    this.ids.push(id)
    this.entries.push(fields)
  }
  lowerBound(id: StreamId): number {
    let low = 0
    let high = this.ids.length
    while (low < high) {
      const mid = (low + high) >>> 1
      if (this.ids[mid] < id) low = mid + 1
      else high = mid
    }
    return low
  }
  range(start: StreamId, count: number, visit: (id: StreamId, fields: Array<string>) => void): void {
    for (let i = this.lowerBound(start); i < this.ids.length && count-- > 0; i++) visit(this.ids[i], this.entries[i])
  }
  delete(id: StreamId): boolean {
    const at = this.lowerBound(id)
    if (this.ids[at] !== id) return false
    this.ids.splice(at, 1)
    this.entries.splice(at, 1)
    return true
  }
  trimOne(): void {
    this.ids.shift()
    this.entries.shift()
  }
}

const gc = (globalThis as { gc?: () => void }).gc ?? (() => {})
const cpuMs = (): number => {
  const usage = process.cpuUsage()
  return (usage.user + usage.system) / 1000
}
const time = (what: string, operations: number, body: () => void): void => {
  const start = cpuMs()
  body()
  const ms = cpuMs() - start
  console.log(`  ${what.padEnd(28)} ${((ms * 1e6) / operations).toFixed(0).padStart(6)} ns/op`)
}
const heapMb = (): number => {
  gc()
  return process.memoryUsage().heapUsed / 2 ** 20
}

const base = 1_700_000_000_000
const idAt = (i: number): StreamId => idFromMillis(base + i)
const randomIds = (count: number): Array<StreamId> => Array.from({ length: count }, () => idAt(Math.floor(Math.random() * N)))

for (const name of ["blocks of 100 (StreamValue)", "one flat array"]) {
  console.log(name)
  const before = heapMb()
  const blocks = name.startsWith("blocks") ? new StreamValue() : undefined
  const flat = blocks === undefined ? new FlatStream() : undefined
  time("append", N, () => {
    for (let i = 0; i < N; i++) {
      const fields = ["field", `value${i}`]
      if (blocks !== undefined) blocks.append(idAt(i), fields)
      else flat!.append(idAt(i), fields)
    }
  })
  console.log(`  heap for ${N} entries          ${(heapMb() - before).toFixed(1)} MB`)
  const reads = randomIds(READS)
  let seen = 0
  time("range of 10 from a random ID", READS, () => {
    for (const id of reads) {
      let left = 10
      if (blocks !== undefined) {
        blocks.range(id, makeId((1n << 64n) - 1n, 0n), false, () => {
          seen++
          return --left > 0
        })
      } else flat!.range(id, 10, () => seen++)
    }
  })
  const deletes = randomIds(DELETES)
  time("delete at a random ID", DELETES, () => {
    for (const id of deletes) {
      if (blocks !== undefined) blocks.delete(id)
      else flat!.delete(id)
    }
  })
  time("trim one entry at the head", TRIMS, () => {
    for (let i = 0; i < TRIMS; i++) {
      if (blocks !== undefined) blocks.trim(blocks.length - 1, undefined, false, 0)
      else flat!.trimOne()
    }
  })
  if (seen === 0) console.log("nothing read")
}
